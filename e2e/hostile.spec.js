// Hostile input: a far end that speaks the library's own protocol (hello, acks, probes on streams
// 4 and 5) and then lies in it, and an app whose signaling path hands the library absurd
// descriptions and candidates. The library peer must stay connected and correct, its metrics
// plausible, and the WASM heap (one linear memory for every peer on the page) must not grow.
import { test, expect } from '@playwright/test';
import { openHarness } from './support/harness-page.js';

const KiB = 1024;
const MiB = 1024 * KiB;

// Every number in `value` (nested), as [path, number] pairs.
function numbersIn(value, path = '') {
  if (typeof value === 'number') return [[path, value]];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => numbersIn(v, path ? `${path}.${k}` : k));
}

// Soft assertions: a failing run lists every implausible figure, not only the first.
function expectPlausibleMetrics(m, what) {
  const notFinite = numbersIn(m).filter(([, v]) => !Number.isFinite(v));
  expect.soft(notFinite, `${what}: numbers that are not finite`).toEqual([]);
  for (const k of ['bytesReceived', 'bytesSent', 'packetsReceived', 'packetsSent', 'packetsLost', 'roundTripTime', 'jitter']) {
    expect.soft(typeof m[k], `${what}.${k}`).toBe('number');
  }
  expect.soft(m.roundTripTime, `${what}.roundTripTime (s)`).toBeGreaterThanOrEqual(0);
  expect.soft(m.roundTripTime, `${what}.roundTripTime (s)`).toBeLessThan(10);
  expect.soft(m.jitter, `${what}.jitter (s)`).toBeGreaterThanOrEqual(0);
  expect.soft(m.jitter, `${what}.jitter (s)`).toBeLessThan(10);
  expect.soft(m.lossRate, `${what}.lossRate`).toBeGreaterThanOrEqual(0);
  expect.soft(m.lossRate, `${what}.lossRate`).toBeLessThanOrEqual(1);
  expect.soft(m.packetsLost, `${what}.packetsLost`).toBeGreaterThanOrEqual(0);
  expect.soft(m.packetsLost, `${what}.packetsLost`).toBeLessThan(1000);
}

test('a far end that says hello and then sends garbage on wre and wre-probe: still connected, every message delivered, metrics plausible, heap flat', async ({ page }) => {
  test.setTimeout(90_000);
  const pageErrors = await openHarness(page);
  const out = await page.evaluate(async () => {
    const { WebRTCPeerEnhanced } = window.wre;
    const { plainPeer, wire, numberedChunks, sleep, settledHeap } = window.harness;
    const heapBefore = await settledHeap();
    const lib = new WebRTCPeerEnhanced({ peerId: 'lib', metricsInterval: 200 });
    const libErrors = [];
    lib.on('error', (e) => libErrors.push(`${e.type}: ${e.error.message}`));
    const metricsEvents = [];
    lib.on('metrics', ({ metrics }) => metricsEvents.push(metrics));
    const { pc, channels } = await plainPeer(lib, { library: true });
    const states = [];
    lib.on('state-change', (e) => states.push(e.newState));
    const wre = channels.wre;
    const probes = channels['wre-probe'];

    // The honest part, as a library peer does it: hello, an ack now and after every 64 KiB of
    // `file` delivered, and a probe every 50 ms echoing the last probe received.
    const plan = { reliable: [300, numberedChunks(1024, 21)], file: [128, numberedChunks(16 * 1024, 22)] };  // 300 KiB + 2 MiB each way
    const atPlain = { reliable: [], file: [], other: 0 };
    let fileDelivered = 0;
    let ackedAt = 0;
    for (const type of ['control', 'reliable', 'unreliable', 'file']) {
      channels[type].onmessage = (e) => {
        if (!plan[type] || !(e.data instanceof ArrayBuffer)) return void atPlain.other++;
        const got = atPlain[type];
        got.push(plan[type][1].check(got.length, new Uint8Array(e.data), 61));
        if (type !== 'file') return;
        fileDelivered += e.data.byteLength;
        if (fileDelivered - ackedAt >= 64 * 1024) {
          wre.send(wire.ack(fileDelivered));
          ackedAt = fileDelivered;
        }
      };
    }
    let libProbes = 0;
    let lastProbe = null;
    let seq = 0;
    probes.onmessage = (e) => {
      const p = wire.readProbe(e.data);
      if (!p) return;
      libProbes++;
      lastProbe = { sentMs: p.sentMs, at: performance.now() };
    };
    const honestProbe = () => {
      const now = performance.now();
      probes.send(lastProbe ? wire.probe(seq++, now, lastProbe.sentMs, now - lastProbe.at) : wire.probe(seq++, now));
      lastProbe = null;
    };
    wre.send(wire.hello());
    wre.send(wire.ack(0));
    const honest = setInterval(honestProbe, 50);
    await sleep(1000);  // a few honest probes: the library measures this far end

    // User traffic both ways on reliable and file, while the garbage flows.
    const atLib = { reliable: [], file: [] };
    lib.on('message', (m) => {
      if (!atLib[m.type]) return;
      atLib[m.type].push(plan[m.type][1].check(atLib[m.type].length, m.data, 61));
    });
    for (const type of ['reliable', 'file']) {
      const [count, chunks] = plan[type];
      for (let i = 0; i < count; i++) {
        lib.send(chunks.make(i), type);
        channels[type].send(chunks.make(i));
      }
    }

    // The garbage.
    const now = () => performance.now();
    const absurd = [NaN, Infinity, -Infinity, -1, -1e300, 1e300, 5e15, -0];
    const randomU32 = () => Math.floor(Math.random() * 2 ** 32);
    const randomBytes = (n) => crypto.getRandomValues(new Uint8Array(n)).buffer;
    const garbage = [];
    for (const x of absurd) {
      garbage.push(['probe: sentMs ' + x, probes, () => wire.probe(seq++, x, now() - 20, 1)]);
      garbage.push(['probe: echoSentMs ' + x, probes, () => wire.probe(seq++, now(), x, 0)]);
      garbage.push(['probe: echoHoldMs ' + x, probes, () => wire.probe(seq++, now(), now() - 5, x)]);
      garbage.push(['probe: all ' + x, probes, () => wire.probe(seq++, x, x, x)]);
    }
    // Echoes of probes the library never sent: in the past, in the future, at time 0.
    for (const dt of [3000, 9000, 60000, -3000, -60000]) garbage.push([`echo of a probe never sent (${dt} ms)`, probes, () => wire.probe(seq++, now(), now() - dt, 0)]);
    garbage.push(['echo of time 0', probes, () => wire.probe(seq++, now(), 0, 0)]);
    // Sequence numbers: random, replayed, backwards, jumps across the u32 range.
    for (let i = 0; i < 60; i++) garbage.push(['random seq', probes, () => wire.probe(randomU32(), now())]);
    for (let i = 0; i < 30; i++) garbage.push(['replayed seq', probes, () => wire.probe(7, now())]);
    garbage.push(['seq backwards', probes, () => wire.probe(Math.max(0, seq - 500), now())]);
    garbage.push(['seq 2^32-1', probes, () => wire.probe(0xffffffff, now())]);
    garbage.push(['seq 0', probes, () => wire.probe(0, now())]);
    // Acknowledgements: absurd counts, backwards, wrong lengths.
    for (const n of [2n ** 53n - 1n, 2n ** 64n - 1n, 10n ** 15n, 0n, 12345n, 2n ** 63n]) garbage.push([`ack ${n}`, wre, () => wire.ack(n)]);
    garbage.push(['ack of 5 bytes', wre, () => Uint8Array.of(0x41, 1, 2, 3, 4).buffer]);
    garbage.push(['ack of 20 bytes', wre, () => { const b = new Uint8Array(20); b[0] = 0x41; b.fill(0xff, 1); return b.buffer; }]);
    garbage.push(['a second hello', wre, () => wire.hello()]);
    garbage.push(['hello on wre-probe', probes, () => wire.hello()]);
    garbage.push(['probe on wre', wre, () => wire.probe(seq++, now())]);
    garbage.push(['ack on wre-probe', probes, () => wire.ack(1)]);
    garbage.push(['empty message', wre, () => new ArrayBuffer(0)]);
    // Strings instead of binary.
    garbage.push(['hello as a string', wre, () => 'WRE\u0001']);
    garbage.push(['ack as a string', wre, () => 'A\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000']);
    garbage.push(['probe as a string', probes, () => 'P'.repeat(29)]);
    garbage.push(['200 KB string on wre', wre, () => 'x'.repeat(200000)]);
    garbage.push(['200 KB string on wre-probe', probes, () => 'y'.repeat(200000)]);
    // Random bytes of every small length, on both.
    for (let i = 0; i < 100; i++) garbage.push(['random bytes', i % 2 ? wre : probes, () => randomBytes(1 + (i % 64))]);
    for (let i = 0; i < 20; i++) garbage.push(['random probe-sized', probes, () => { const b = new Uint8Array(randomBytes(29)); b[0] = 0x50; return b.buffer; }]);
    // Oversized binary messages. Chromium refuses to send more than the far end's
    // max-message-size (256 KiB, whatever the SDP says): those attempts are recorded.
    for (const n of [1 * 1024 * 1024, 16 * 1024 * 1024, 256 * 1024]) {
      garbage.push([`${n} B on wre`, wre, () => new ArrayBuffer(n)]);
      garbage.push([`${n} B on wre-probe`, probes, () => new ArrayBuffer(n)]);
    }
    const refusedByBrowser = [];
    let sentGarbage = 0;
    for (let i = 0; i < garbage.length; i++) {
      const [what, channel, make] = garbage[i];
      try {
        channel.send(make());
        sentGarbage++;
      } catch (error) {
        refusedByBrowser.push(`${what}: ${error.message}`);
      }
      if (i % 10 === 9) await sleep(10);
    }

    // Everything delivered both ways?
    const complete = () => ['reliable', 'file'].every((t) => atLib[t].length === plan[t][0] && atPlain[t].length === plan[t][0]);
    const t0 = performance.now();
    while (!complete() && performance.now() - t0 < 30000) await sleep(50);
    // A little more honest probing, then the figures.
    await sleep(1500);
    clearInterval(honest);
    const metrics = lib.getMetrics();
    const heapAfter = await settledHeap();
    const state = lib.getState();
    const worst = {
      roundTripTime: Math.max(...metricsEvents.map((m) => m.roundTripTime)),
      jitter: Math.max(...metricsEvents.map((m) => m.jitter)),
      packetsLost: Math.max(...metricsEvents.map((m) => m.packetsLost)),
      lostBeyondReceived: Math.max(...metricsEvents.map((m) => m.packetsLost - m.packetsReceived)),
      lossRate: Math.max(...metricsEvents.map((m) => m.lossRate)),
      notFinite: metricsEvents.filter((m) => Object.values(m).some((v) => typeof v === 'number' && !Number.isFinite(v))).length,
    };
    const counts = (side) => Object.fromEntries(['reliable', 'file'].map((t) => [t, side[t].length]));
    const damaged = (side) => ['reliable', 'file'].flatMap((t) => side[t].filter((x) => x !== null).map((x) => ({ t, ...x }))).slice(0, 3);
    const result = {
      state, states: [...states], libErrors: [...libErrors], metrics, worst, metricsEvents: metricsEvents.length, heapBefore, heapAfter,
      atLib: counts(atLib), atPlain: counts(atPlain), plainOther: atPlain.other, damagedAtLib: damaged(atLib), damagedAtPlain: damaged(atPlain),
      libProbes, sentGarbage, garbageKinds: garbage.length, refusedByBrowser,
    };
    lib.close();
    pc.close();
    return result;
  });
  console.log(`garbage: ${out.sentGarbage} of ${out.garbageKinds} sent (refused by Chromium itself: ${out.refusedByBrowser.join('; ')})`);
  console.log(`library: ${out.libProbes} probes to the far end; ${out.metricsEvents} metrics events; errors: ${JSON.stringify(out.libErrors)}`);
  console.log(`metrics at the end: ${JSON.stringify(out.metrics)}`);
  console.log(`worst over all metrics events: ${JSON.stringify(out.worst)}; heap ${out.heapBefore} -> ${out.heapAfter} B`);
  expect(pageErrors.map(String)).toEqual([]);
  expect(out.state).toBe('connected');
  expect(out.states, 'state-changes while the garbage flowed').toEqual([]);
  // Every user message, both ways, intact and in order; nothing of the library's on user channels.
  expect(out.atLib).toEqual({ reliable: 300, file: 128 });
  expect(out.atPlain).toEqual({ reliable: 300, file: 128 });
  expect(out.damagedAtLib).toEqual([]);
  expect(out.damagedAtPlain).toEqual([]);
  expect(out.plainOther).toBe(0);
  // The library did talk to this far end (it probed it), and its figures stayed plausible.
  expect(out.libProbes).toBeGreaterThan(0);
  expect(out.heapAfter - out.heapBefore).toBeLessThan(MiB);
  expectPlausibleMetrics(out.metrics, 'getMetrics()');
  expect.soft(out.worst.notFinite, 'metrics events with a number that is not finite').toBe(0);
  expect.soft(out.worst.roundTripTime, 'largest roundTripTime in a metrics event').toBeLessThan(10);
  expect.soft(out.worst.jitter, 'largest jitter in a metrics event').toBeLessThan(10);
  expect.soft(out.worst.lossRate, 'largest lossRate in a metrics event').toBeLessThanOrEqual(1);
  // packetsLost is lossRate × packetsReceived: never more than were received, whatever the
  // garbage does to the loss figure (a fixed cap failed once under load: 1238 of ~6000).
  expect.soft(out.worst.lostBeyondReceived, 'packetsLost beyond packetsReceived in a metrics event').toBeLessThanOrEqual(0);
});

test('oversized descriptions and candidates from the app are refused before any copy, naming the problem; the peers still connect', async ({ page }) => {
  test.setTimeout(60_000);
  const pageErrors = await openHarness(page, { modules: true });
  const out = await page.evaluate(async () => {
    const { WebRTCPeerEnhanced } = window.wre;
    const { Core } = await import('/build/modules/core.js');
    const { channelsOpen, receive, bytes, sameBytes, settledHeap } = window.harness;
    const memory = () => Core.HEAP8.buffer.byteLength;
    const MiB = 1024 * 1024;
    const a = new WebRTCPeerEnhanced({ peerId: 'a' });
    const b = new WebRTCPeerEnhanced({ peerId: 'b' });
    const c = new WebRTCPeerEnhanced({ peerId: 'c' });
    const d = new WebRTCPeerEnhanced({ peerId: 'd' });
    const errorEvents = { a: [], b: [], c: [] };
    for (const [name, p] of [['a', a], ['b', b], ['c', c]]) p.on('error', (e) => errorEvents[name].push(e.type));
    a.on('ice-candidate', ({ candidate }) => b.addIceCandidate(candidate).catch(() => {}));
    b.on('ice-candidate', ({ candidate }) => a.addIceCandidate(candidate).catch(() => {}));
    const offer = await a.createOffer();
    const answer = await (async () => {
      // A real answer from a throwaway peer, to pad for setRemoteAnswer.
      const x = new WebRTCPeerEnhanced({ peerId: 'x' });
      const ans = await x.createAnswer(offer);
      x.close();
      return ans;
    })();
    // SDP of exactly `n` characters: the real one, then attribute lines of padding.
    const padTo = (sdp, n) => {
      const line = `a=x-pad:${'p'.repeat(1000)}\r\n`;
      const body = sdp + line.repeat(Math.floor((n - sdp.length) / line.length));
      return body + 'a=x:' + 'q'.repeat(n - body.length - 6) + '\r\n';
    };
    const candidate = (i) => `candidate:${i} 1 udp ${i + 1} 127.0.0.1 ${1000 + i} typ host`;
    const heapBefore = await settledHeap();
    const memoryBefore = memory();
    const results = {};
    const settle = async (name, promise) => {
      const heap0 = Core.heapUsed();
      results[name] = await promise.then(() => ({ resolved: true }), (e) => ({ type: e.type, message: e.message }));
      results[name].heapJump = Core.heapUsed() - heap0;
    };
    await settle('createAnswer 8 MiB', b.createAnswer({ type: 'offer', sdp: padTo(offer.sdp, 8 * MiB) }));
    await settle('setRemoteAnswer 8 MiB', a.setRemoteAnswer({ type: 'answer', sdp: padTo(answer.sdp, 8 * MiB) }));
    await settle('candidate 1 MiB', b.addIceCandidate({ candidate: candidate(1) + ' ' + 'x'.repeat(MiB - candidate(1).length - 1), sdpMid: '0' }));
    await settle('sdpMid 1 MiB', b.addIceCandidate({ candidate: candidate(2), sdpMid: 'm'.repeat(MiB) }));
    await settle('usernameFragment 1 MiB', b.addIceCandidate({ candidate: candidate(3), sdpMid: '0', usernameFragment: 'u'.repeat(MiB) }));
    // 300 candidates before c has a remote description: the first 256 are held, the rest refused.
    const held = [];
    for (let i = 0; i < 300; i++) held.push(await c.addIceCandidate({ candidate: candidate(i), sdpMid: '0' }).then(() => 'held', (e) => e.message));
    const heapAfter = await settledHeap();
    const memoryAfter = memory();
    const errorsThen = JSON.parse(JSON.stringify(errorEvents));

    // Afterwards: a/b and c/d connect as usual and exchange a message.
    const exchanged = [];
    for (const [x, y] of [[a, b], [c, d]]) {
      try {
        if (x === a) {
          await a.setRemoteAnswer(await b.createAnswer(offer));
        } else {
          // c still holds the 256 candidates above until its answer arrives, so d's first
          // candidates may be refused (Firefox gathers before the answer is applied): expected.
          d.on('ice-candidate', ({ candidate }) => c.addIceCandidate(candidate).catch(() => {}));
          c.on('ice-candidate', ({ candidate }) => d.addIceCandidate(candidate));
          await c.setRemoteAnswer(await d.createAnswer(await c.createOffer()));
        }
        await Promise.all([window.harness.connected(x), window.harness.connected(y)]);
        await channelsOpen(x, y, ['reliable']);
        const got = receive(y, 'reliable', 1);
        x.send(bytes(5000, 3), 'reliable');
        exchanged.push(sameBytes((await got)[0], bytes(5000, 3)));
      } catch (error) {
        exchanged.push(`${x.peerId}/${y.peerId}: ${error.message}`);
      }
    }
    for (const p of [a, b, c, d]) p.close();
    return { results, held, heapBefore, heapAfter, memoryBefore, memoryAfter, exchanged, errorEvents: errorsThen };
  });
  for (const [name, r] of Object.entries(out.results)) console.log(`${name}: ${JSON.stringify(r)}`);
  console.log(`WASM heap ${out.heapBefore} -> ${out.heapAfter} B, memory ${out.memoryBefore} -> ${out.memoryAfter} B`);
  expect(pageErrors.map(String)).toEqual([]);
  const r = out.results;
  expect(r['createAnswer 8 MiB']).toMatchObject({ type: 'answer-creation' });
  expect(r['createAnswer 8 MiB'].message).toMatch(/^createAnswer\(\): the description's SDP is 8388608 characters long, over the limit of 131072/);
  expect(r['setRemoteAnswer 8 MiB']).toMatchObject({ type: 'answer-set' });
  expect(r['setRemoteAnswer 8 MiB'].message).toMatch(/^setRemoteAnswer\(\): the description's SDP is 8388608 characters long, over the limit of 131072/);
  expect(r['candidate 1 MiB']).toMatchObject({ type: 'ice-candidate' });
  expect(r['candidate 1 MiB'].message).toMatch(/^addIceCandidate\(\): candidate is 1048576 characters long, over the limit of 1024/);
  expect(r['sdpMid 1 MiB']).toMatchObject({ type: 'ice-candidate' });
  expect(r['sdpMid 1 MiB'].message).toMatch(/^addIceCandidate\(\): sdpMid is 1048576 characters long, over the limit of 64/);
  expect(r['usernameFragment 1 MiB']).toMatchObject({ type: 'ice-candidate' });
  expect(r['usernameFragment 1 MiB'].message).toMatch(/^addIceCandidate\(\): usernameFragment is 1048576 characters long, over the limit of 256/);
  // Each was also reported as an error event.
  expect(out.errorEvents.a).toEqual(['answer-set']);
  expect(out.errorEvents.b).toEqual(['answer-creation', 'ice-candidate', 'ice-candidate', 'ice-candidate']);
  expect(out.held.slice(0, 256).every((x) => x === 'held')).toBe(true);
  expect(out.held.slice(256)).toHaveLength(44);
  for (const message of out.held.slice(256)) {
    expect(message).toMatch(/^addIceCandidate\(\): 256 candidates \(\d+ characters\) already held waiting for the remote description, the limit is 256 candidates or 65536 characters/);
  }
  // Nothing was copied in: the heap did not jump during any call, and the memory did not grow.
  for (const [name, x] of Object.entries(r)) expect(x.heapJump, `${name}: heap change`).toBeLessThan(MiB);
  expect(out.heapAfter - out.heapBefore).toBeLessThan(MiB);
  expect(out.memoryAfter - out.memoryBefore).toBeLessThan(MiB);
  expect(out.exchanged).toEqual([true, true]);
});

test('a description the browser refuses, carrying a=max-message-size:1, does not change the max message size', async ({ page }) => {
  const pageErrors = await openHarness(page);
  const out = await page.evaluate(async () => {
    const { WebRTCPeerEnhanced } = window.wre;
    const { connected, receive, bytes, sameBytes } = window.harness;
    // max-message-size 1, and a fingerprint Chromium cannot parse (so it refuses the description).
    const poison = (sdp) => sdp.replace(/a=max-message-size:\d+/g, 'a=max-message-size:1')
      .replace(/a=fingerprint:sha-256 [0-9A-F:]+/g, 'a=fingerprint:sha-256 ZZ');
    const refusals = {};
    const sendErrors = [];
    const a = new WebRTCPeerEnhanced({ peerId: 'a' });
    const b = new WebRTCPeerEnhanced({ peerId: 'b' });
    const c = new WebRTCPeerEnhanced({ peerId: 'c' });
    const d = new WebRTCPeerEnhanced({ peerId: 'd' });
    for (const p of [a, b, c, d]) p.on('error', (e) => e.type === 'send' && sendErrors.push(`${p.peerId}: ${e.error.message}`));
    for (const [x, y] of [[a, b], [c, d]]) {
      x.on('ice-candidate', ({ candidate }) => y.addIceCandidate(candidate).catch(() => {}));
      y.on('ice-candidate', ({ candidate }) => x.addIceCandidate(candidate).catch(() => {}));
    }
    const refused = (promise) => promise.then(() => 'accepted', (e) => `${e.type}: ${e.message}`);
    // 64 KiB messages from `x` (i from `first`); the throws, if any.
    const threw = [];
    const send64 = (x, first, count) => {
      for (let i = first; i < first + count; i++) {
        try {
          x.send(bytes(64 * 1024, i), 'reliable');
        } catch (error) {
          threw.push(`${x.peerId} #${i}: ${error.message}`);
        }
      }
    };
    const atB = receive(b, 'reliable', 4, 15000).catch(() => null);
    const atD = receive(d, 'reliable', 4, 15000).catch(() => null);

    // Before the connection: a gets a bad answer, c a bad offer; each then sends (queued until the
    // channel opens) and only then gets the good description.
    const offer = await a.createOffer();
    const answer = await b.createAnswer(offer);
    refusals.setRemoteAnswer = await refused(a.setRemoteAnswer({ type: 'answer', sdp: poison(answer.sdp) }));
    send64(a, 0, 2);
    await a.setRemoteAnswer(answer);
    const offerD = await d.createOffer();
    refusals.createAnswer = await refused(c.createAnswer({ type: 'offer', sdp: poison(offerD.sdp) }));
    send64(c, 0, 2);
    await d.setRemoteAnswer(await c.createAnswer(offerD));
    await Promise.all([connected(a), connected(b), connected(c), connected(d)]);
    // Connected: c (the answering side) gets another bad offer, then sends more.
    refusals.createAnswerConnected = await refused(c.createAnswer({ type: 'offer', sdp: poison(offerD.sdp) }));
    send64(a, 2, 2);
    send64(c, 2, 2);
    const check = (msgs) => !!msgs && msgs.length === 4 && msgs.every((m, i) => sameBytes(m, bytes(64 * 1024, i)));
    const delivered = { b: check(await atB), d: check(await atD) };
    const states = [a, b, c, d].map((p) => p.getState());
    for (const p of [a, b, c, d]) p.close();
    return { refusals, delivered, threw, sendErrors, states };
  });
  console.log(JSON.stringify(out.refusals));
  expect(pageErrors.map(String)).toEqual([]);
  // Refused by the browser (not by the library's own checks).
  expect(out.refusals.setRemoteAnswer).toMatch(/^answer-set: setRemoteAnswer\(\) could not apply the answer: .*fingerprint/i);
  expect(out.refusals.createAnswer).toMatch(/^answer-creation: createAnswer\(\) could not apply the offer: .*fingerprint/i);
  expect(out.refusals.createAnswerConnected).toMatch(/^answer-creation: createAnswer\(\) could not apply the offer: .*fingerprint/i);
  expect(out.threw).toEqual([]);
  expect(out.sendErrors).toEqual([]);
  expect(out.delivered).toEqual({ b: true, d: true });
  expect(out.states).toEqual(['connected', 'connected', 'connected', 'connected']);
});

test('a far end that says hello, acknowledges once and never again: a 4 MiB transfer on file still completes, and an error names the missing acknowledgements', async ({ page }) => {
  test.setTimeout(60_000);
  const pageErrors = await openHarness(page);
  const out = await page.evaluate(async () => {
    const { WebRTCPeerEnhanced } = window.wre;
    const { plainPeer, wire, numberedChunks, sleep } = window.harness;
    // That far end never probes either: the heartbeat would take the link for lost (that is its
    // job); this test is about the credit window alone.
    const lib = new WebRTCPeerEnhanced({ peerId: 'lib', heartbeatTimeout: 0 });
    const libErrors = [];
    lib.on('error', (e) => libErrors.push({ type: e.type, message: e.error.message, t: performance.now() }));
    const { pc, channels } = await plainPeer(lib, { library: true });
    channels.wre.send(wire.hello());
    channels.wre.send(wire.ack(0));  // and never again
    const chunks = numberedChunks(16 * 1024, 31);
    const got = [];
    let bytesAtPlain = 0;
    channels.file.onmessage = (e) => {
      got.push(chunks.check(got.length, new Uint8Array(e.data), 251));
      bytesAtPlain += e.data.byteLength;
    };
    await sleep(300);  // the library has the ack: its file window is on
    const t0 = performance.now();
    for (let i = 0; i < 256; i++) lib.send(chunks.make(i), 'file');
    while (got.length < 256 && performance.now() - t0 < 30000) await sleep(100);
    const result = {
      seconds: (performance.now() - t0) / 1000, state: lib.getState(), chunks: got.length, bytesAtPlain,
      damaged: got.filter((x) => x !== null).slice(0, 3), libErrors: libErrors.map((e) => ({ ...e, t: (e.t - t0) / 1000 })),
    };
    lib.close();
    pc.close();
    return result;
  });
  console.log(`${out.chunks}/256 chunks (${out.bytesAtPlain} B) at the far end after ${out.seconds.toFixed(1)} s; errors ${JSON.stringify(out.libErrors)}`);
  expect(pageErrors.map(String)).toEqual([]);
  expect(out.state).toBe('connected');
  expect(out.chunks, 'chunks that reached the far end within 30 s').toBe(256);
  expect(out.damaged).toEqual([]);
  const sendErrors = out.libErrors.filter((e) => e.type === 'send');
  expect(sendErrors.length, 'send errors').toBeGreaterThanOrEqual(1);
  expect(sendErrors[0].message).toMatch(/acknowledg/i);
});
