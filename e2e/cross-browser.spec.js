// A library peer in Chromium and one in Firefox, paired through the demo's signaling room server
// and relay-only through a local coturn (e2e/support/cross-browser.js). The spec runs in both
// projects: the project's browser offers, the other one answers.
import { test, expect } from '@playwright/test';
import { launchOtherBrowser, pairAcross } from './support/cross-browser.js';
import { startTurn } from './support/turn.js';

let turn;
let other;
test.beforeEach(async ({ browserName }) => {
  turn = await startTurn();
  other = await launchOtherBrowser(browserName);
});
test.afterEach(async () => {
  await other?.close();
  await turn?.stop();
});

const TYPES = ['control', 'reliable', 'unreliable', 'file'];
const SIZES = [1, 1000, 16384];
const BULK = { count: 512, chunk: 16 * 1024 }; // 8 MiB

// Sends SIZES on every channel type from `from` to `to`; returns per type how many arrived intact.
async function everyChannel(from, to, seed) {
  await to.evaluate(({ TYPES, SIZES }) => {
    window.arriving = Object.fromEntries(TYPES.map((t) => [t, window.harness.receive(window.peer, t, SIZES.length)]));
  }, { TYPES, SIZES });
  await from.evaluate(({ TYPES, SIZES, seed }) => {
    for (const [i, type] of TYPES.entries()) for (const n of SIZES) window.peer.send(window.harness.bytes(n, seed + i), type);
  }, { TYPES, SIZES, seed });
  return to.evaluate(async ({ TYPES, SIZES, seed }) => {
    const { bytes, sameBytes } = window.harness;
    const out = {};
    for (const [i, type] of TYPES.entries()) {
      const got = await window.arriving[type];
      // `unreliable` is unordered: match as a set.
      out[type] = SIZES.filter((n) => got.some((g) => sameBytes(g, bytes(n, seed + i)))).length;
    }
    return out;
  }, { TYPES, SIZES, seed });
}

// BULK numbered chunks on `file` from `from` to `to`, at the pace backpressure allows.
async function bulk(from, to, seed) {
  await to.evaluate(({ count, chunk, seed }) => {
    window.bulkIn = window.harness.bulkReceiver(window.peer, 'file', count, chunk, seed);
  }, { ...BULK, seed });
  const sent = await from.evaluate(async ({ count, chunk, seed }) => {
    const before = window.peer.getMetrics().bytesSent;
    await window.harness.bulkSend(window.peer, 'file', count, chunk, seed);
    return { before };
  }, { ...BULK, seed });
  const got = await to.evaluate(() => window.bulkIn);
  const m = await metricsWith(from, 'bytesSent', sent.before + count(BULK));
  return { got, bytesSent: m.bytesSent - sent.before };
}

// getMetrics() once `field` has reached `atLeast`, or after 5 s: the counters trail the traffic by
// a getStats() sweep (getMetrics() asks for one, at most one a second).
function metricsWith(page, field, atLeast) {
  return page.evaluate(async ({ field, atLeast }) => {
    const t0 = performance.now();
    while (performance.now() - t0 < 5000 && window.peer.getMetrics()[field] < atLeast) await window.harness.sleep(200);
    return window.peer.getMetrics();
  }, { field, atLeast });
}

const count = ({ count, chunk }) => count * chunk;

test('Chromium ↔ Firefox through the room server: four channels both ways, the largest message, 8 MiB on file each way, probe metrics and byte counters on both sides', async ({ page, browserName, baseURL }) => {
  test.setTimeout(150_000);
  const far = await (await other.newContext()).newPage();
  const errors = await pairAcross(page, far, baseURL, { iceServers: [turn.iceServer], iceTransportPolicy: 'relay' });
  const sides = { [browserName]: page, [browserName === 'chromium' ? 'firefox' : 'chromium']: far };
  for (const [name, from, to, seed] of [['offerer→answerer', page, far, 1], ['answerer→offerer', far, page, 50]]) {
    const got = await everyChannel(from, to, seed);
    console.log(`${name}: ${JSON.stringify(got)}`);
    expect(got, name).toEqual(Object.fromEntries(TYPES.map((t) => [t, SIZES.length])));
  }
  // The largest message: 256 KiB both ways (Firefox offers to take 1 GiB, but Chromium sends
  // no more than it takes itself); one byte more is refused by the library, naming the sizes.
  for (const [name, from, to] of [['offerer→answerer', page, far], ['answerer→offerer', far, page]]) {
    await to.evaluate(() => { window.largest = window.harness.receive(window.peer, 'file', 1); });
    const refused = await from.evaluate(() => {
      window.peer.send(window.harness.bytes(262144, 3), 'file');
      try {
        window.peer.send(new Uint8Array(262145), 'file');
        return 'accepted';
      } catch (e) {
        return e.message;
      }
    });
    const arrived = await to.evaluate(async () => window.harness.sameBytes((await window.largest)[0], window.harness.bytes(262144, 3)));
    console.log(`${name}: 256 KiB arrived: ${arrived}; 256 KiB + 1: ${refused}`);
    expect(arrived, name).toBe(true);
    expect(refused, name).toContain('a 262145-byte message is larger than the maximum message size of this connection (262144 bytes');
  }
  const bytes = count(BULK);
  for (const [name, from, to, seed] of [['offerer→answerer', page, far, 7], ['answerer→offerer', far, page, 9]]) {
    const r = await bulk(from, to, seed);
    console.log(`${name}: 8 MiB in ${Math.round(r.got.ms)} ms; sender's bytesSent grew by ${r.bytesSent}`);
    expect(r.got).toMatchObject({ received: BULK.count, bytes, bad: null });
    expect(r.bytesSent, `${name}: the sender's bytesSent counts the transfer`).toBeGreaterThanOrEqual(bytes);
  }
  for (const [name, side] of Object.entries(sides)) {
    const m = await metricsWith(side, 'bytesReceived', 2 * bytes);
    console.log(`${name}: rtt ${(m.roundTripTime * 1000).toFixed(2)} ms, jitter ${(m.jitter * 1000).toFixed(2)} ms, ` +
      `sources ${JSON.stringify(m.sources)}, candidates ${JSON.stringify(m.candidateTypes)}, ` +
      `sent ${m.bytesSent} B, received ${m.bytesReceived} B`);
    expect(m.sources.roundTripTime, `${name}: RTT from the probes`).toBe('probe');
    expect(m.sources.jitter, `${name}: jitter from the probes`).toBe('probe');
    expect(m.roundTripTime, `${name}: a measured RTT`).toBeGreaterThan(0);
    expect(m.candidateTypes, `${name}: relayed`).toEqual({ local: 'relay', remote: 'relay' });
    expect(m.bytesReceived, `${name}: bytesReceived counts the transfer in`).toBeGreaterThanOrEqual(bytes);
    expect(m.packetsReceived, `${name}: packets (Firefox: messages) received`).toBeGreaterThanOrEqual(BULK.count);
  }
  expect(errors.flat()).toEqual([]);
});

test('Chromium ↔ Firefox: TURN killed and restarted; both sides notice, reconnect through the room server (ICE restart), and no message is lost', async ({ page, baseURL }) => {
  test.setTimeout(150_000);
  const far = await (await other.newContext()).newPage();
  const errors = await pairAcross(page, far, baseURL, { iceServers: [turn.iceServer], iceTransportPolicy: 'relay' });
  const watch = () => {
    window.log = [];
    for (const ev of ['state-change', 'reconnect-scheduled', 'reconnect-attempt', 'renegotiation-needed']) {
      window.peer.on(ev, (p) => window.log.push({ t: performance.now(), ev, state: p?.newState }));
    }
  };
  await page.evaluate(watch);
  await far.evaluate(watch);
  // A numbered message each way every 200 ms, before, during and after the outage.
  const stream = () => {
    window.stream = { got: window.harness.numberedReceiver(window.peer), ...window.harness.numberedSender(window.peer, 200) };
  };
  await page.evaluate(stream);
  await far.evaluate(stream);
  await page.waitForTimeout(1500);
  await turn.stop();
  const lostBoth = () => window.peer.getState() !== 'connected';
  await page.waitForFunction(lostBoth, null, { timeout: 8000, polling: 50 });
  await far.waitForFunction(lostBoth, null, { timeout: 8000, polling: 50 });
  // TURN back 1 s after both noticed (a ~4 s outage): the schedule has started. A longer outage
  // is not safe in Firefox yet: once its ICE fails it closes every data channel for good, and an
  // ICE restart while TURN is down can make it fail (issue #20 rebuilds the connection then).
  await page.waitForTimeout(1000);
  await turn.restart();
  const restartedAt = Date.now();
  const back = () => window.peer.getState() === 'connected';
  await page.waitForFunction(back, null, { timeout: 45_000, polling: 100 });
  await far.waitForFunction(back, null, { timeout: 45_000, polling: 100 });
  console.log(`both connected again ${Date.now() - restartedAt} ms after TURN came back`);
  await page.waitForTimeout(1000);
  const sent = { here: await page.evaluate(() => window.stream.stop()), far: await far.evaluate(() => window.stream.stop()) };
  await page.waitForTimeout(1500);
  const here = await page.evaluate(() => ({ got: window.stream.got, log: window.log, failures: window.room.failures }));
  const there = await far.evaluate(() => ({ got: window.stream.got, log: window.log, failures: window.room.failures }));
  for (const [name, side, sentByOther] of [['offerer', here, sent.far], ['answerer', there, sent.here]]) {
    const events = side.log.map((e) => e.state ?? e.ev);
    console.log(`${name}: ${events.join(' ')}; got ${side.got.length}/${sentByOther}`);
    expect(events, `${name}: went through reconnection`).toEqual(expect.arrayContaining(['disconnected', 'reconnect-scheduled', 'connected']));
    expect(side.failures, `${name}: signaling`).toEqual([]);
    expect(sentByOther).toBeGreaterThan(40);
    expect(side.got, `${name}: every message once, in order`).toEqual([...Array(sentByOther).keys()]);
  }
  expect(here.log.some((e) => e.ev === 'renegotiation-needed') || there.log.some((e) => e.ev === 'renegotiation-needed')).toBe(true);
  expect(errors.flat()).toEqual([]);
});
