// Verified, receiver-paced file transfers (CONTRACT.md "Transfers", issue #18): peer.sendFile()
// between two library peers in one page. The test computes every expected SHA-256 itself (Web
// Crypto over the whole source) and compares it with what both sides report and with what the
// receiving app was actually given. The page-side helpers (randomBytes, recordingSink,
// transferLog, progressOf, settle, chat, wireMeter, incomingQueue) are in e2e/pages/harness.js.
import { test, expect } from '@playwright/test';
import { openHarness } from './support/harness-page.js';
import { relayPair } from './support/relay-pair.js';
import { startTurn } from './support/turn.js';

const MIB = 1 << 20;
// Quick retries through the outage, as in resume.spec.js; metrics every 500 ms for the wire bytes.
const POLICY = { reconnectBaseDelay: 250, reconnectMaxDelay: 2000, reconnectMaxAttempts: 30, metricsInterval: 500 };

const pct = (x) => `${(100 * x).toFixed(1)} %`;
const quantile = (xs, q) => {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

// What a transfer's events look like from one side, for the assertions below.
function expectProgress(p, size, what) {
  expect(p.count, `${what}: progress events`).toBeGreaterThan(0);
  expect(p.backwards, `${what}: progress went backwards at event #${p.backwards}`).toBe(-1);
  expect(p.over, `${what}: progress past its total at event #${p.over} of ${p.count} (max ${p.max} of ${p.total})`).toBe(-1);
  expect(p.last, `${what}: last progress`).toBe(size);
}

test('32 MiB from a Blob through TURN into a slow WritableStream, TURN down for 8 s at 40 %: verified on both sides, progress monotonic, wire bytes ≤ 1.2 × size', async ({ page }) => {
  test.setTimeout(240_000);
  const SIZE = 32 * MIB;
  const turn = await startTurn();
  try {
    const pageErrors = await openHarness(page);
    await relayPair(page, turn.iceServer, POLICY);
    await page.evaluate(async (SIZE) => {
      const h = window.harness;
      const { a, b } = window;
      await h.helloHeard(a, b);
      // The browser's own overhead through this relay, for the wire-bytes figure below: 8 MiB of
      // plain send() on `file` as fast as it goes (Firefox's transport alone: 1.28-1.70 × here).
      const rawMeter = h.wireMeter(a);
      await rawMeter.mark();
      const rawArrived = h.bulkReceiver(b, 'file', 512, 16384, 7);
      await h.bulkSend(a, 'file', 512, 16384, 7);
      await rawArrived;
      const raw = (await rawMeter.read(2)).bytes / (512 * 16384);
      const data = h.randomBytes(SIZE, 18);
      const s = (window.t1 = {
        raw,
        expected: await h.sha256Hex(data),
        logA: h.transferLog(a),
        logB: h.transferLog(b),
        // A slow disk: 2-5 ms per 16 KiB written (~3-8 MB/s; timers clamp to >= 4 ms once nested),
        // slower than this relay path, so its backpressure is what paces the sender.
        sink: h.recordingSink({ minMs: 2, maxMs: 5, perBytes: 16384 }),
        lead: 0,
        meter: h.wireMeter(a),
        at40: null,
        doneResult: null,
      });
      // How far the sender ever ran ahead of what the sink had written.
      a.on('transfer-progress', (e) => {
        if (e.direction === 'send') s.lead = Math.max(s.lead, e.bytes - s.sink.bytes);
      });
      // The outage starts when the receiver is past 40 %; the test polls for this mark.
      b.on('transfer-progress', (e) => {
        if (e.direction === 'receive' && e.bytes >= 0.4 * SIZE && s.at40 === null) s.at40 = performance.now();
      });
      const incoming = h.incomingQueue(b);
      s.accepted = h.settle(incoming.next().then((offer) => offer.accept(s.sink.stream)));
      await s.meter.mark();
      s.handed = h.handedBytes();
      s.start = performance.now();
      const t = a.sendFile(new Blob([data]), { name: 'big.bin', type: 'application/octet-stream' });
      s.t = t;
      s.id = t.id;
      s.size = t.size;
      s.done = h.settle(t.done).then((r) => (s.doneResult = r));
      // Where it stands, for a stall's message.
      s.describe = () => {
        const last = (log, dir) => h.progressOf(log, s.id, dir).last;
        return `sent ${last(s.logA, 'send')}, received ${last(s.logB, 'receive')}, sink ${s.sink.bytes} B, ` +
          `a ${a.getState()}, failed ${JSON.stringify([...s.logA.failed, ...s.logB.failed])}`;
      };
    }, SIZE);

    await page.waitForFunction(() => window.t1.at40 !== null || window.t1.doneResult !== null, null, { polling: 10, timeout: 120_000 })
      .catch(async (e) => { throw new Error(`${e.message}; ${await page.evaluate(() => window.t1.describe())}`); });
    const atKill = await page.evaluate(() => ({ at40: window.t1.at40, finished: window.t1.doneResult }));
    expect(atKill.finished, 'the transfer ended before reaching 40 % at the receiver').toBeNull();
    await turn.stop();
    await page.evaluate(() => { window.t1.killedAt = performance.now(); });
    await page.waitForTimeout(8000);
    await turn.restart();
    await page.evaluate(() => { window.t1.backAt = performance.now(); });

    const r = await page.evaluate(async () => {
      const h = window.harness;
      const s = window.t1;
      const stalled = (e) => { throw new Error(`${e.message}: ${s.describe()}`); };
      const done = await h.within(s.done, 150_000, 'sender done').catch(stalled);
      const accepted = await h.within(s.accepted, 30_000, 'receiver accept()').catch(stalled);
      const end = performance.now();
      const wire = await s.meter.read(2);  // two sweeps after the end: the counters have caught up
      const send = h.progressOf(s.logA, s.id, 'send');
      const receive = h.progressOf(s.logB, s.id, 'receive');
      return {
        handed: { ...s.handed }, raw: s.raw, lead: s.lead, expected: s.expected, id: s.id, bytesSentEnd: s.t.bytesSent,
        // Send progress past the size, if any: [time, bytes], to tell re-sent chunks counted twice.
        sendPastSize: s.logA.progress.filter((e) => e.id === s.id && e.direction === 'send' && e.bytes > s.size).map((e) => [e.t, e.bytes]), size: s.size, done, accepted, end, wire,
        sinkDigest: await s.sink.digest(), sink: s.sink.report(),
        send: { ...send, at: undefined }, receive: { ...receive, at: undefined },
        receivedAtKill: receive.at(s.killedAt),
        receiveEventsAfterBack: s.logB.progress.filter((e) => e.id === s.id && e.t > s.backAt).length,
        completeA: s.logA.complete, completeB: s.logB.complete, failedA: s.logA.failed, failedB: s.logB.failed,
        incoming: s.logB.incoming,
        start: s.start, at40: s.at40, killedAt: s.killedAt, backAt: s.backAt,
        aLog: window.log.filter((e) => e.peer === 'a' && e.ev === 'state-change').map((e) => ({ t: e.t, state: e.state })),
        offers: window.log.filter((e) => e.peer === 'a' && e.ev === 'renegotiation-needed').length,
      };
    });
    const rel = (t) => `${((t - r.start) / 1000).toFixed(1)} s`;
    const receiveComplete = r.completeB.find((e) => e.id === r.id && e.direction === 'receive');
    console.log(`transfer started at 0; 40 % received at ${rel(r.at40)}; TURN down ${rel(r.killedAt)} → up ${rel(r.backAt)}; ` +
      `done at ${rel(r.end)} (${r.done.ok ? `${r.done.value.seconds?.toFixed?.(1)} s reported` : r.done.message}); ` +
      `received at the kill ${pct(r.receivedAtKill / SIZE)}; wire ${r.wire.bytes} B = ${(r.wire.bytes / SIZE).toFixed(3)} × size ` +
      `(${r.wire.drops} counter restarts; plain send() before it: ${r.raw.toFixed(3)} ×); sink ${r.sink.writes} writes`);
    const trace = r.wire.trace.map(([t, v]) => `${rel(t)} ${(v / MIB).toFixed(2)}`).join(', ');
    console.log(`handed to the channels: ${JSON.stringify(r.handed)}; metrics bytesSent (MiB) at ${trace}`);
    console.log(`a: ${r.aLog.map((e) => `${rel(e.t)} ${e.state}`).join(', ')}; ${r.offers} renegotiation offers; ` +
      `sender ahead of the sink by at most ${(r.lead / 1024).toFixed(0)} KiB; progress events ${r.send.count} send (max ${r.send.max}), ` +
      `${r.receive.count} receive (max ${r.receive.max}); t.bytesSent at the end ${r.bytesSentEnd}`);
    const sendComplete = r.completeA.find((e) => e.id === r.id);
    if (r.sendPastSize.length) {
      console.log(`send progress past the size: ${r.sendPastSize.map(([t, b]) => `${rel(t)} ${b}`).join(', ')}; ` +
        `send complete at ${sendComplete ? rel(sendComplete.t) : 'never'}, receive complete at ${receiveComplete ? rel(receiveComplete.t) : 'never'}`);
    }

    expect(r.failedA, 'no transfer-failed at the sender').toEqual([]);
    expect(r.failedB, 'no transfer-failed at the receiver').toEqual([]);
    expect(r.done.ok, `sender's done: ${r.done.message}`).toBe(true);
    expect(r.accepted.ok, `receiver's accept(): ${r.accepted.message}`).toBe(true);
    expect(r.size).toBe(SIZE);
    expect(r.incoming).toMatchObject([{ id: r.id, name: 'big.bin', type: 'application/octet-stream', size: SIZE }]);
    // The digests: the test's own, both sides' results and events, and the bytes the app was given.
    expect(r.done.value).toMatchObject({ id: r.id, bytes: SIZE, sha256: r.expected });
    expect(r.accepted.value).toMatchObject({ id: r.id, bytes: SIZE, sha256: r.expected });
    expect(r.completeA).toMatchObject([{ id: r.id, direction: 'send', bytes: SIZE, sha256: r.expected }]);
    expect(r.completeB).toMatchObject([{ id: r.id, direction: 'receive', bytes: SIZE, sha256: r.expected }]);
    expect(r.sink).toMatchObject({ bytes: SIZE, notUint8: 0, aborted: null });
    expect(r.sinkDigest, 'SHA-256 of what the sink was given').toBe(r.expected);
    // The library holds the sink's writer (the stream is locked), so only it can close it; a File
    // System Access / OPFS file is only written on close.
    expect(r.sink.closed, 'the sink was closed at the end').toBe(true);
    expectProgress(r.send, SIZE, 'send');
    expectProgress(r.receive, SIZE, 'receive');
    // Receiver-paced: the sender never ran far ahead of the slow sink (the `file` credit window is
    // 512 KiB plus a few chunks read ahead; 4 MiB is a bound, not a tuning).
    expect(r.lead, 'most bytes the sender was ahead of the sink').toBeLessThanOrEqual(4 * MIB);
    // The outage hit the transfer in the middle, and the transfer went on after it.
    expect(r.receivedAtKill).toBeLessThan(SIZE);
    expect(r.aLog.some((e) => e.t > r.killedAt && ['disconnected', 'failed'].includes(e.state)), 'the outage was noticed').toBe(true);
    expect(r.receiveEventsAfterBack, 'receive progress after TURN came back').toBeGreaterThan(0);
    expect(receiveComplete.t).toBeGreaterThan(r.backAt);
    // Nothing re-sent from zero: what the library handed to `file` again after the rebuild is at
    // most the window in flight; then the sender's wire bytes (DTLS/SCTP/TURN overhead included).
    expect(r.handed.file - SIZE, 'bytes the library handed to `file` twice').toBeLessThanOrEqual(MIB);
    expect(r.wire.drops, 'metrics bytesSent never fell back (ICE restart, rebuild)').toBe(0);
    expect(r.wire.bytes, 'bytesSent counted the transfer').toBeGreaterThanOrEqual(SIZE);
    expect(r.wire.bytes / SIZE, `sender wire bytes / size (plain send() on this path: ${r.raw.toFixed(3)})`).toBeLessThanOrEqual(1.2);
    expect(pageErrors).toEqual([]);
    await page.evaluate(() => { window.a.close(); window.b.close(); });
  } finally {
    await turn.stop();
  }
});

test('the sender cancels mid-transfer: done and accept() reject, transfer-failed cancelled on both sides; the next transfer succeeds', async ({ page }) => {
  test.setTimeout(120_000);
  const pageErrors = await openHarness(page);
  const r = await page.evaluate(async (MIB) => {
    const h = window.harness;
    const { a, b, logA, logB, incoming } = await h.transferPair();
    const SIZE = 16 * MIB;
    // A slow sink, so the transfer is still running when the sender cancels.
    const sink = h.recordingSink({ minMs: 2, maxMs: 5 });
    const accepted = h.settle(incoming.next().then((offer) => offer.accept(sink.stream)));
    const t = a.sendFile(h.randomBytes(SIZE, 2), { name: 'cancelled.bin' });
    const done = h.settle(t.done);
    // The user presses Cancel (a task of its own) once the receiver has 1 MiB.
    let cancelledAt = null;
    const giveUp = performance.now() + 60_000;
    while (cancelledAt === null && performance.now() < giveUp) {
      await h.sleep(10);
      const got = h.progressOf(logB, t.id, 'receive').last ?? 0;
      if (got >= MIB) {
        cancelledAt = got;
        t.cancel('the test cancels');
      }
      if (logA.complete.length || logA.failed.length) break;
    }
    const first = {
      id: t.id, size: SIZE, cancelledAt,
      done: await h.within(done, 30_000, 'done after cancel()'),
      accepted: await h.within(accepted, 30_000, 'accept() after cancel()'),
    };
    await h.sleep(500);  // anything late (events, writes) shows up now
    Object.assign(first, {
      sink: sink.report(),
      failedA: logA.failed.filter((e) => e.id === t.id), failedB: logB.failed.filter((e) => e.id === t.id),
      completed: [...logA.complete, ...logB.complete].filter((e) => e.id === t.id).length,
    });

    // The same pair, a new transfer.
    const data = h.randomBytes(2 * MIB + 7, 3);
    const expected = await h.sha256Hex(data);
    const sink2 = h.recordingSink();
    const accepted2 = h.settle(incoming.next().then((offer) => offer.accept(sink2.stream)));
    const t2 = a.sendFile(new Blob([data]), { name: 'after.bin' });
    const second = {
      id: t2.id, expected,
      done: await h.within(h.settle(t2.done), 60_000, 'second transfer done'),
      accepted: await h.within(accepted2, 60_000, 'second transfer accept()'),
      sinkDigest: await sink2.digest(),
      failed: [...logA.failed, ...logB.failed].filter((e) => e.id === t2.id),
    };
    a.close();
    b.close();
    return { first, second };
  }, MIB);
  const { first, second } = r;
  console.log(`cancelled at ${first.cancelledAt} B received; sink got ${first.sink.bytes} B (closed ${first.sink.closed}, ` +
    `aborted ${first.sink.aborted}); done: ${first.done.message} (reason ${first.done.reason}); accept(): ${first.accepted.message} ` +
    `(reason ${first.accepted.reason})`);
  expect(first.cancelledAt, 'the transfer was still running when cancelled').not.toBeNull();
  expect(first.cancelledAt).toBeLessThan(first.size);
  expect(first.done.ok).toBe(false);
  expect(first.done.message).not.toBe('');
  expect(first.accepted.ok).toBe(false);
  expect(first.accepted.message).not.toBe('');
  expect(first.failedA).toMatchObject([{ direction: 'send', reason: 'cancelled' }]);
  expect(first.failedB).toMatchObject([{ direction: 'receive', reason: 'cancelled' }]);
  expect(first.completed).toBe(0);
  expect(first.sink.bytes).toBeLessThan(first.size);
  expect(first.sink.closed, 'a cancelled transfer is not committed to the sink as complete').toBe(false);

  expect(second.id).not.toBe(first.id);
  expect(second.failed).toEqual([]);
  expect(second.done.ok, second.done.message).toBe(true);
  expect(second.accepted.ok, second.accepted.message).toBe(true);
  expect(second.done.value.sha256).toBe(second.expected);
  expect(second.accepted.value.sha256).toBe(second.expected);
  expect(second.sinkDigest).toBe(second.expected);
  expect(pageErrors).toEqual([]);
});

test('the receiver rejects: the sender\'s done rejects with transfer-failed rejected; the peers still talk', async ({ page }) => {
  const pageErrors = await openHarness(page);
  const r = await page.evaluate(async (MIB) => {
    const h = window.harness;
    const { a, b, logA, logB, incoming } = await h.transferPair();
    const SIZE = 8 * MIB;
    const t = a.sendFile(h.randomBytes(SIZE, 4), { name: 'unwanted.bin', meta: { why: 'test' } });
    const done = h.settle(t.done);
    const offer = await incoming.next();
    const offered = { id: offer.id, name: offer.name, size: offer.size, meta: offer.meta };
    offer.reject('the test does not want it');
    const out = { id: t.id, size: SIZE, offered, done: await h.within(done, 30_000, 'done after reject()') };
    await h.sleep(300);
    out.bytesSent = t.bytesSent;
    out.failedA = logA.failed.filter((e) => e.id === t.id);
    out.failedB = logB.failed.filter((e) => e.id === t.id);
    out.completed = [...logA.complete, ...logB.complete].filter((e) => e.id === t.id).length;
    // Both ways on `reliable` afterwards.
    const atB = h.receive(b, 'reliable', 1, 10_000);
    a.send('still here', 'reliable');
    const atA = h.receive(a, 'reliable', 1, 10_000);
    b.send('me too', 'reliable');
    const dec = (d) => new TextDecoder().decode(d);
    out.atB = await atB.then(([d]) => dec(d), (e) => e.message);
    out.atA = await atA.then(([d]) => dec(d), (e) => e.message);
    a.close();
    b.close();
    return out;
  }, MIB);
  console.log(`rejected: done: ${r.done.message} (reason ${r.done.reason}); sender had sent ${r.bytesSent} B of ${r.size}; ` +
    `receiver's transfer-failed: ${JSON.stringify(r.failedB)}`);
  expect(r.offered).toEqual({ id: r.id, name: 'unwanted.bin', size: r.size, meta: { why: 'test' } });
  expect(r.done.ok).toBe(false);
  expect(r.done.message).not.toBe('');
  expect(r.failedA).toMatchObject([{ direction: 'send', reason: 'rejected' }]);
  expect(r.completed).toBe(0);
  // Receiver-paced: a file nobody accepted is not sent whole.
  expect(r.bytesSent).toBeLessThan(r.size);
  expect(r.atB).toBe('still here');
  expect(r.atA).toBe('me too');
  expect(pageErrors).toEqual([]);
});

test('two concurrent 8 MiB transfers (an ArrayBuffer, a ReadableStream of unknown size) beside a chat on reliable: both verified, interleaved, chat in order', async ({ page }) => {
  test.setTimeout(180_000);
  const SIZE = 8 * MIB;
  const pageErrors = await openHarness(page);
  const r = await page.evaluate(async (SIZE) => {
    const h = window.harness;
    const { a, b, logA, logB, incoming } = await h.transferPair();
    const dataBuf = h.randomBytes(SIZE, 10);
    const dataStream = h.randomBytes(SIZE, 11);
    const expected = { buffer: await h.sha256Hex(dataBuf), stream: await h.sha256Hex(dataStream) };
    const sinks = { buffer: h.recordingSink(), stream: h.recordingSink() };
    // Accept each offer into its own sink, by name.
    const accepted = {};
    const acceptOne = () => incoming.next().then((offer) => {
      const k = offer.name.split('.')[0];
      accepted[k] = h.settle(offer.accept(sinks[k].stream));
    });
    const offersTaken = Promise.all([acceptOne(), acceptOne()]);
    const talk = h.chat(a, b, 20);
    await h.sleep(300);
    const tBuf = a.sendFile(dataBuf.buffer, { name: 'buffer.bin' });
    const tStream = a.sendFile(h.pullStream(dataStream), { name: 'stream.bin' });
    const ids = { buffer: tBuf.id, stream: tStream.id };
    const sizes = { buffer: tBuf.size, stream: tStream.size };
    const where = () => Object.entries(ids).map(([k, id]) =>
      `${k}: sent ${h.progressOf(logA, id, 'send').last}, received ${h.progressOf(logB, id, 'receive').last}`).join('; ');
    const done = await h.within(Promise.all([h.settle(tBuf.done), h.settle(tStream.done)]), 150_000, 'both transfers done')
      .catch((e) => { throw new Error(`${e.message}: ${where()}`); });
    await h.within(offersTaken, 1000, 'both offers');
    const acc = await h.within(Promise.all([accepted.buffer, accepted.stream]), 30_000, 'both accept()');
    await h.sleep(300);
    const chatResult = await talk.stop();
    const out = { ids, sizes, expected, chat: chatResult, incoming: logB.incoming, failed: [...logA.failed, ...logB.failed] };
    out.done = { buffer: done[0], stream: done[1] };
    out.accepted = { buffer: acc[0], stream: acc[1] };
    out.sink = {};
    out.progress = {};
    out.complete = {};
    for (const k of ['buffer', 'stream']) {
      out.sink[k] = { ...sinks[k].report(), digest: await sinks[k].digest() };
      const p = h.progressOf(logB, ids[k], 'receive');
      out.progress[k] = { ...p, at: undefined, send: { ...h.progressOf(logA, ids[k], 'send'), at: undefined } };
      out.complete[k] = logB.complete.find((e) => e.id === ids[k] && e.direction === 'receive') ?? null;
    }
    // Interleaving: each one's receive progress while the other was in flight, and how far each
    // had got when the other completed.
    const other = { buffer: 'stream', stream: 'buffer' };
    for (const k of ['buffer', 'stream']) {
      const o = other[k];
      const from = out.progress[o].firstT;
      const to = out.complete[o]?.t ?? Infinity;
      out.progress[k].duringOther = logB.progress.filter((e) => e.id === ids[k] && e.direction === 'receive' && e.t >= from && e.t <= to).length;
      out.progress[k].whenOtherCompleted = h.progressOf(logB, ids[k], 'receive').at(to);
    }
    a.close();
    b.close();
    return out;
  }, SIZE);
  const lat = r.chat.latencies;
  const [p50, p99] = [quantile(lat, 0.5), quantile(lat, 0.99)];
  const ms = (k) => (r.complete[k] ? `${((r.complete[k].t - Math.min(r.progress.buffer.firstT, r.progress.stream.firstT)) / 1000).toFixed(2)} s` : 'never');
  console.log(`buffer done at ${ms('buffer')} (had ${pct(r.progress.buffer.whenOtherCompleted / SIZE)} when the other completed), ` +
    `stream at ${ms('stream')} (had ${pct(r.progress.stream.whenOtherCompleted / SIZE)}); chat: ${r.chat.sent} messages, ` +
    `latency p50 ${p50?.toFixed(1)} ms, p99 ${p99?.toFixed(1)} ms, max ${Math.max(...lat).toFixed(1)} ms`);
  expect(r.failed).toEqual([]);
  expect(r.sizes).toEqual({ buffer: SIZE, stream: null });
  for (const k of ['buffer', 'stream']) {
    expect(r.done[k]?.ok, `${k} done: ${r.done[k]?.message}`).toBe(true);
    expect(r.accepted[k]?.ok, `${k} accept(): ${r.accepted[k]?.message}`).toBe(true);
    expect(r.done[k].value).toMatchObject({ id: r.ids[k], bytes: SIZE, sha256: r.expected[k] });
    expect(r.accepted[k].value).toMatchObject({ id: r.ids[k], bytes: SIZE, sha256: r.expected[k] });
    expect(r.complete[k], `${k}: transfer-complete on the receiver`).toMatchObject({ sha256: r.expected[k], bytes: SIZE });
    expect(r.sink[k]).toMatchObject({ bytes: SIZE, notUint8: 0, closed: true, digest: r.expected[k] });
    expect(r.progress[k].backwards, `${k}: receive progress went backwards`).toBe(-1);
    expect(r.progress[k].send.backwards, `${k}: send progress went backwards`).toBe(-1);
    expect(r.progress[k].last).toBe(SIZE);
    // Shared, not one after the other.
    expect(r.progress[k].duringOther, `${k}: progress events while the other was in flight`).toBeGreaterThan(0);
    // Fair enough: whichever finishes second had a quarter or more by then (an even share gives ~1/2).
    expect(r.progress[k].whenOtherCompleted / SIZE, `${k}: share received when the other completed`).toBeGreaterThanOrEqual(0.25);
  }
  // Every chat message, once, in order.
  expect(r.chat.sent).toBeGreaterThan(20);
  expect(r.chat.seqs.length).toBe(r.chat.sent);
  expect(r.chat.seqs.findIndex((v, i) => v !== i), 'first chat message out of order').toBe(-1);
  test.info().annotations.push({ type: 'chat latency', description: `p50 ${p50?.toFixed(1)} ms, p99 ${p99?.toFixed(1)} ms` });
  expect(pageErrors).toEqual([]);
});

test('sendFile to a plain RTCPeerConnection fails clearly (not a library peer); send(data, \'file\') still works', async ({ page }) => {
  test.setTimeout(90_000);
  const pageErrors = await openHarness(page);
  const r = await page.evaluate(async () => {
    const h = window.harness;
    // A small queue bound, as in plain-peer.spec.js.
    const peer = new window.wre.WebRTCPeerEnhanced({ peerId: 'lib', maxQueuedBytes: 64 * 1024 });
    const log = h.transferLog(peer);
    const { pc, channels } = await h.plainPeer(peer);
    const atPlain = [];
    channels.file.onmessage = (e) => atPlain.push(new Uint8Array(e.data));
    await h.sleep(500);  // the far side had time to say hello, and did not
    const t0 = performance.now();
    let outcome;
    try {
      const t = peer.sendFile(h.randomBytes(256 * 1024, 5), { name: 'nobody.bin' });
      outcome = { threw: false, ...(await h.settle(h.within(t.done, 30_000, 'sendFile done'))) };
    } catch (e) {
      outcome = { threw: true, ok: false, name: e?.name, message: String(e?.message ?? e), reason: e?.reason ?? null };
    }
    outcome.ms = performance.now() - t0;
    await h.sleep(300);
    const before = atPlain.length;
    const payload = h.bytes(2048, 9);
    peer.send(payload, 'file');
    const deadline = performance.now() + 5000;
    while (atPlain.length === before && performance.now() < deadline) await h.sleep(20);
    await h.sleep(300);
    const out = {
      outcome, failed: log.failed, state: peer.getState(),
      atPlain: atPlain.map((d) => d.byteLength),
      sameBytes: atPlain.length === 1 && h.sameBytes(atPlain[0], payload),
    };
    peer.close();
    pc.close();
    return out;
  });
  console.log(`sendFile to a plain peer: ${r.outcome.threw ? 'threw' : 'done rejected'} after ${r.outcome.ms.toFixed(0)} ms: ` +
    `${r.outcome.message} (reason ${r.outcome.reason}); transfer-failed: ${JSON.stringify(r.failed)}`);
  expect(r.outcome.ok).toBe(false);
  expect(r.outcome.message, 'the error says the far side is not a library peer').toMatch(/webrtc-enhanced|library|plain/i);
  expect(r.state).toBe('connected');
  // Nothing of the transfer reached the plain peer's `file` channel; the app's own bytes did, as given.
  expect(r.atPlain).toEqual([2048]);
  expect(r.sameBytes).toBe(true);
  expect(pageErrors).toEqual([]);
});

test('accept() without a sink resolves with a Blob of the exact bytes (a view source with an offset; name, type and meta carried)', async ({ page }) => {
  const pageErrors = await openHarness(page);
  const r = await page.evaluate(async (MIB) => {
    const h = window.harness;
    const { a, b, logA, logB, incoming } = await h.transferPair();
    // A view into the middle of a larger buffer: only the view's bytes are the file.
    const SIZE = 4 * MIB + 123;
    const view = new Uint8Array(h.randomBytes(SIZE + 64, 6).buffer, 32, SIZE);
    const expected = await h.sha256Hex(view);
    const meta = { kind: 'test', n: 6, nested: { ok: true, list: [1, 2] } };
    const t = a.sendFile(view, { name: 'view.bin', type: 'application/x-wre-test', meta });
    const offer = await incoming.next();
    const offered = { id: offer.id, name: offer.name, type: offer.type, size: offer.size, meta: offer.meta };
    const accepted = await h.within(h.settle(offer.accept()), 60_000, 'accept()');
    const done = await h.within(h.settle(t.done), 60_000, 'done');
    const blob = accepted.ok ? accepted.value.blob : null;
    const out = {
      id: t.id, size: SIZE, expected, offered, done,
      accepted: accepted.ok ? { ok: true, id: accepted.value.id, bytes: accepted.value.bytes, sha256: accepted.value.sha256 } : accepted,
      isBlob: blob instanceof Blob, blobSize: blob?.size ?? null, blobType: blob?.type ?? null,
      blobDigest: blob instanceof Blob ? await h.sha256Hex(blob) : null,
      failed: [...logA.failed, ...logB.failed],
    };
    a.close();
    b.close();
    return out;
  }, MIB);
  console.log(`blob: ${r.blobSize} B, type '${r.blobType}'`);
  expect(r.failed).toEqual([]);
  expect(r.offered).toEqual({ id: r.id, name: 'view.bin', type: 'application/x-wre-test', size: r.size, meta: { kind: 'test', n: 6, nested: { ok: true, list: [1, 2] } } });
  expect(r.done.ok, r.done.message).toBe(true);
  expect(r.done.value).toMatchObject({ id: r.id, bytes: r.size, sha256: r.expected });
  expect(r.accepted).toMatchObject({ ok: true, id: r.id, bytes: r.size, sha256: r.expected });
  expect(r.isBlob, 'accept() without a sink resolves with a blob').toBe(true);
  expect(r.blobSize).toBe(r.size);
  expect(r.blobDigest, 'SHA-256 of the blob').toBe(r.expected);
  expect(pageErrors).toEqual([]);
});
