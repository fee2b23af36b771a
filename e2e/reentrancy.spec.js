// Re-entrancy: application listeners that call back into the library (close, send, removePeer,
// closeAll) from inside the library's own events, as ordinary app code does. Every case runs in
// ONE page, one after the other: a trap or a use-after-free in one case would corrupt the WASM
// memory that every later peer on the page shares. For each case: no uncaught page error, the
// closing peer reaches `closed` exactly once and emits nothing after it; after all of them, a new
// pair on the same page connects and the WASM heap is back where it started.
import { test, expect } from '@playwright/test';
import { openHarness } from './support/harness-page.js';
import { startTurn } from './support/turn.js';

const KiB = 1024;

let page;
let pageErrors;
let heapAtStart;
let casesRun = [];

// One page for the whole file, in order. Serial: should a case fail, the cases after it are skipped
// and a retry runs the whole file again in a fresh worker (a fresh page, a fresh baseline), so the
// last check always sees every case in one page; a flaky case alone no longer fails that check.
test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({ browser }, testInfo) => {
  const context = await browser.newContext({ baseURL: testInfo.project.use.baseURL });
  page = await context.newPage();
  pageErrors = await openHarness(page);
  // Before the first pair of this page.
  heapAtStart = await page.evaluate(() => window.harness.settledHeap());
  casesRun = [];
});

test.afterAll(async () => {
  await page?.context().close();
});

// Runs one case in the shared page; afterwards waits `settleMs` (the old code trapped about a
// second after such a close) and asserts the page saw no uncaught error meanwhile.
async function runCase(name, fn, arg, settleMs = 1500) {
  const before = pageErrors.length;
  const result = await page.evaluate(fn, arg);
  await page.waitForTimeout(settleMs);
  casesRun.push(name);
  // Soft: the case's own assertions still run (and say more) when the page also had errors.
  expect.soft(pageErrors.slice(before).map(String), `${name}: uncaught errors in the page`).toEqual([]);
  return result;
}

// What watchEmits reports of a peer closed from a listener: `closed` and the state-change to it
// exactly once, nothing emitted after `closed`, and no error but the close's report of what it
// discarded.
function expectClosedOnce(report, who) {
  expect(report.closed, `${who}: 'closed' events`).toBe(1);
  expect(report.toClosed, `${who}: state-changes to closed`).toBe(1);
  expect(report.afterClosed, `${who}: events after 'closed'`).toEqual([]);
  expect(report.state, `${who}: getState()`).toBe('closed');
  expect(report.errors.filter((e) => !/^send: close\(\) discarded \d+ queued messages/.test(e)), `${who}: errors`).toEqual([]);
}

function expectClosedFromListener(r, what) {
  expect(r.fired, `${what}: the listener ran and closed`).toBe(true);
  expect(r.threw, `${what}: close() threw`).toBeNull();
}

// ---- a transfer on `file` with the listener closing the sender --------------------------------

// 6 MiB in 16 KiB chunks on `file` with maxBufferedAmount 256 KiB while a listener of `event`
// closes the sender. `queued`: all 384 sends at once (most wait in the queue, so later chunks are
// handed to the browser by drains: buffered-amount-low, the far end's acks); otherwise sent as
// the README says (send until backpressure, wait for channel-ready).
async function closeDuringTransfer({ event, nth, queued }) {
  const { connectPair, channelsOpen, watchEmits, closeInside, numberedChunks, within, sleep } = window.harness;
  const config = { maxBufferedAmount: 256 * 1024 };
  const { a, b } = await connectPair(config, config);
  await channelsOpen(a, b, ['file']);
  const wa = watchEmits(a);
  const wb = watchEmits(b);
  const chunks = numberedChunks(16 * 1024, 3);
  const received = [];
  b.on('message', (m) => m.type === 'file' && received.push(chunks.check(received.length, m.data, 64)));
  const r = closeInside(a, event, a, (p, n) => (p.type === undefined || p.type === 'file') && n >= nth);
  // The pump (stops once the listener has closed the sender: a send after close is an app error).
  let pressured = false;
  let wake = null;
  a.on('backpressure', (e) => { if (e.type === 'file') pressured = true; });
  a.on('channel-ready', (e) => { if (e.type === 'file') { pressured = false; wake?.(); } });
  let sent = 0;
  let sendThrew = null;
  for (let i = 0; i < 384 && !r.fired; i++) {
    try {
      a.send(chunks.make(i), 'file');
    } catch (error) {
      sendThrew = `send #${i}: ${error.message}`;
      break;
    }
    sent++;
    while (pressured && !queued && !r.fired) await new Promise((resolve) => { wake = resolve; setTimeout(resolve, 50); });
  }
  const queuedAtEnd = r.fired ? null : a.getQueueSize();
  await within(r.firedPromise, 30000, `the ${nth}th '${event}'`);
  await sleep(500);
  const damaged = received.filter((x) => x !== null);
  b.close();
  return { r, a: wa.report(), b: wb.report(), sent, sendThrew, queuedAtEnd, received: received.length, damaged: damaged.slice(0, 3) };
}

for (const [event, nth, queued] of [['message-sent', 50, true], ['backpressure', 2, false], ['channel-ready', 2, false]]) {
  const ordinal = { 2: '2nd', 50: '50th' }[nth];
  test(`close() from the ${ordinal} '${event}' listener during a 6 MiB transfer on file${queued ? ' (all sent at once)' : ''}`, async () => {
    test.setTimeout(60_000);
    const out = await runCase(`${event}`, closeDuringTransfer, { event, nth, queued });
    console.log(`${event}: closed at event #${out.r.count} after ${out.sent} sends (${out.queuedAtEnd ?? '-'} still queued ` +
      `when the loop ended); ${out.received} chunks arrived; the sender reported: ${out.a.errors.join('; ') || 'nothing'}`);
    expectClosedFromListener(out.r, event);
    // The send during which the listener closed the peer was accepted (then discarded by the close).
    expect(out.sendThrew).toBeNull();
    expectClosedOnce(out.a, 'the closing sender');
    expectClosedOnce(out.b, 'the receiver');
    // What arrived before the close is intact and in order.
    expect(out.damaged).toEqual([]);
    expect(out.received).toBeLessThanOrEqual(out.sent);
  });
}

test(`close() from the receiver's own 'message' listener`, async () => {
  const out = await runCase('message', async () => {
    const { connectPair, channelsOpen, watchEmits, closeInside, within, sleep, bytes } = window.harness;
    const { a, b } = await connectPair();
    await channelsOpen(a, b, ['reliable']);
    const wa = watchEmits(a);
    const wb = watchEmits(b);
    const r = closeInside(b, 'message', b, (m, n) => n === 10);
    for (let i = 0; i < 100; i++) a.send(bytes(1000, i), 'reliable');
    await within(r.firedPromise, 10000, 'the 10th message');
    await sleep(500);
    a.close();
    return { r, a: wa.report(), b: wb.report(), messagesAtB: wb.names.filter((n) => n === 'message').length };
  });
  expectClosedFromListener(out.r, 'message');
  expectClosedOnce(out.b, 'the receiver that closed itself');
  expectClosedOnce(out.a, 'the sender');
  // The listener's close ended delivery: nothing after the 10th message.
  expect(out.messagesAtB).toBe(10);
});

test(`close() from a 'state-change' listener at 'connected'`, async () => {
  const out = await runCase('state-change connected', async () => {
    const { WebRTCPeerEnhanced } = window.wre;
    const { watchEmits, closeInside, within, sleep } = window.harness;
    const a = new WebRTCPeerEnhanced({ peerId: 'a' });
    const b = new WebRTCPeerEnhanced({ peerId: 'b' });
    const wa = watchEmits(a);
    const wb = watchEmits(b);
    const r = closeInside(a, 'state-change', a, (e) => e.newState === 'connected');
    a.on('ice-candidate', ({ candidate }) => b.addIceCandidate(candidate).catch(() => {}));
    b.on('ice-candidate', ({ candidate }) => a.addIceCandidate(candidate).catch(() => {}));
    const offer = await a.createOffer();
    const answer = await b.createAnswer(offer);
    await a.setRemoteAnswer(answer);
    await within(r.firedPromise, 15000, `a's state-change to connected`);
    await sleep(500);
    b.close();
    return { r, a: wa.report(), b: wb.report() };
  });
  expectClosedFromListener(out.r, 'state-change');
  expectClosedOnce(out.a, 'the peer closed at connected');
  expectClosedOnce(out.b, 'its far side');
});

test(`close() from a 'metrics' listener (metricsInterval 200 ms)`, async () => {
  const out = await runCase('metrics', async () => {
    const { connectPair, watchEmits, closeInside, within, sleep } = window.harness;
    const config = { metricsInterval: 200 };
    const { a, b } = await connectPair(config, config);
    const wa = watchEmits(a);
    const wb = watchEmits(b);
    const r = closeInside(a, 'metrics', a, (m, n) => n === 3);
    await within(r.firedPromise, 10000, 'the 3rd metrics event');
    await sleep(700);
    b.close();
    return { r, a: wa.report(), b: wb.report() };
  });
  expectClosedFromListener(out.r, 'metrics');
  expectClosedOnce(out.a, 'the peer closed from metrics');
  expectClosedOnce(out.b, 'its far side');
});

test(`send() from inside 'message' (an echo): everything arrives both ways, in order`, async () => {
  const out = await runCase('echo', async () => {
    const { connectPair, channelsOpen, watchEmits, numberedChunks, within, sleep } = window.harness;
    const { a, b } = await connectPair();
    await channelsOpen(a, b, ['reliable', 'file']);
    const wa = watchEmits(a);
    const wb = watchEmits(b);
    const plan = { reliable: [2000, numberedChunks(1024, 5)], file: [256, numberedChunks(16 * 1024, 9)] };  // 2 MiB + 4 MiB
    const atB = { reliable: 0, file: 0 };
    const atA = { reliable: 0, file: 0 };
    const bad = [];
    let echoThrew = null;
    b.on('message', (m) => {
      const problem = plan[m.type][1].check(atB[m.type]++, m.data, 97);
      if (problem) bad.push({ at: 'b', type: m.type, ...problem });
      try {
        b.send(m.data, m.type);
      } catch (error) {
        echoThrew ??= error.message;
      }
    });
    let done;
    const allBack = new Promise((resolve) => { done = resolve; });
    a.on('message', (m) => {
      const problem = plan[m.type][1].check(atA[m.type]++, m.data, 97);
      if (problem) bad.push({ at: 'a', type: m.type, ...problem });
      if (atA.reliable === plan.reliable[0] && atA.file === plan.file[0]) done();
    });
    for (const type of ['reliable', 'file']) {
      const [count, chunks] = plan[type];
      for (let i = 0; i < count; i++) a.send(chunks.make(i), type);
    }
    try {
      await within(allBack, 60000, 'every echo back at a');
    } catch (error) {
      return { timeout: error.message, atA, atB, bad: bad.slice(0, 5), echoThrew };
    }
    await sleep(200);
    a.close();
    b.close();
    return { atA, atB, bad: bad.slice(0, 5), echoThrew, a: wa.report(), b: wb.report() };
  });
  expect(out.timeout, JSON.stringify(out)).toBeUndefined();
  expect(out.echoThrew).toBeNull();
  expect(out.atB).toEqual({ reliable: 2000, file: 256 });
  expect(out.atA).toEqual({ reliable: 2000, file: 256 });
  expect(out.bad).toEqual([]);
  expectClosedOnce(out.a, 'a');
  expectClosedOnce(out.b, 'b (the echo)');
});

test(`pool: removePeer() from a pool 'backpressure' listener during broadcast()`, async () => {
  const out = await runCase('pool removePeer', async () => {
    const { WebRTCPeerEnhanced, WebRTCConnectionPool } = window.wre;
    const { connectPeers, channelsOpen, watchEmits, numberedChunks, sleep } = window.harness;
    const pool = new WebRTCConnectionPool({ maxBufferedAmount: 64 * 1024 });
    const ids = ['p1', 'p2', 'p3'];
    const far = {};
    const watch = {};
    const got = {};
    const chunks = numberedChunks(16 * 1024, 11);
    for (const id of ids) {
      const p = pool.createPeer(id);
      far[id] = new WebRTCPeerEnhanced({ peerId: `far-${id}` });
      await connectPeers(p, far[id]);
      await channelsOpen(p, far[id], ['file']);
      watch[id] = watchEmits(p);
      got[id] = [];
      far[id].on('message', (m) => m.type === 'file' && got[id].push(chunks.check(got[id].length, m.data, 64)));
    }
    let removal = null;
    pool.on('backpressure', ({ peerId }) => {
      if (peerId !== 'p2' || removal) return;
      removal = { threw: null };
      try {
        pool.removePeer('p2');
      } catch (error) {
        removal.threw = error.message;
      }
    });
    let broadcastThrew = null;
    for (let i = 0; i < 200; i++) {
      try {
        pool.broadcast(chunks.make(i), 'file');
      } catch (error) {
        broadcastThrew ??= `${i}: ${error.message}`;
      }
    }
    const arrived = () => got.p1.length === 200 && got.p3.length === 200;
    const t0 = performance.now();
    while (!arrived() && performance.now() - t0 < 30000) await sleep(50);
    await sleep(300);
    const stats = pool.getStats();
    const inPool = pool.getPeer('p2') !== undefined;
    pool.closeAll();
    for (const f of Object.values(far)) f.close();
    return {
      removal, broadcastThrew, stats, inPool,
      counts: Object.fromEntries(ids.map((id) => [id, got[id].length])),
      damaged: ids.flatMap((id) => got[id].filter((x) => x !== null).map((x) => ({ id, ...x }))).slice(0, 5),
      reports: Object.fromEntries(ids.map((id) => [id, watch[id].report()])),
    };
  });
  console.log(`removed p2 from backpressure; arrived ${JSON.stringify(out.counts)}`);
  expect(out.removal).toEqual({ threw: null });
  expect(out.broadcastThrew).toBeNull();
  expect(out.inPool).toBe(false);
  expect(out.stats.totalPeers).toBe(2);
  expectClosedOnce(out.reports.p2, 'p2 (removed from backpressure)');
  expectClosedOnce(out.reports.p1, 'p1');
  expectClosedOnce(out.reports.p3, 'p3');
  expect(out.counts.p1).toBe(200);
  expect(out.counts.p3).toBe(200);
  expect(out.counts.p2).toBeLessThan(200);
  expect(out.damaged).toEqual([]);
});

test(`pool: closeAll() from a pool 'message' listener`, async () => {
  const out = await runCase('pool closeAll', async () => {
    const { WebRTCPeerEnhanced, WebRTCConnectionPool } = window.wre;
    const { connectPeers, channelsOpen, watchEmits, within, sleep, bytes } = window.harness;
    const pool = new WebRTCConnectionPool();
    const ids = ['q1', 'q2', 'q3'];
    const far = {};
    const watch = {};
    for (const id of ids) {
      const q = pool.createPeer(id);
      far[id] = new WebRTCPeerEnhanced({ peerId: `far-${id}` });
      await connectPeers(q, far[id]);
      await channelsOpen(far[id], q, ['reliable']);
      watch[id] = watchEmits(q);
    }
    let closing = null;
    let heard = 0;
    let closedAt = -1;
    let done;
    const fired = new Promise((resolve) => { done = resolve; });
    pool.on('message', () => {
      heard++;
      if (heard !== 5) return;
      closing = { threw: null };
      try {
        pool.closeAll();
      } catch (error) {
        closing.threw = error.message;
      }
      closedAt = heard;
      done();
    });
    for (let i = 0; i < 20; i++) for (const id of ids) far[id].send(bytes(500, i), 'reliable');
    await within(fired, 10000, 'the 5th pool message');
    await sleep(500);
    const stats = pool.getStats();
    let createThrew = null;
    try {
      pool.createPeer('late');
    } catch (error) {
      createThrew = error.message;
    }
    for (const f of Object.values(far)) f.close();
    return { closing, heard, closedAt, stats, createThrew, reports: Object.fromEntries(ids.map((id) => [id, watch[id].report()])) };
  });
  expect(out.closing).toEqual({ threw: null });
  // Nothing reached the pool's listeners after closeAll().
  expect(out.heard).toBe(out.closedAt);
  expect(out.stats.totalPeers).toBe(0);
  expect(out.createThrew).toMatch(/closed by closeAll/);
  for (const id of ['q1', 'q2', 'q3']) expectClosedOnce(out.reports[id], id);
});

// ---- close during a reconnection: relay-only pairs through a coturn the test kills ------------

// Sets up, in the page: a pool (metricsInterval 200 ms) with a bystander peer connected over
// loopback to a standalone partner; the closing peer `a` (pooled or standalone) and its partner
// `b`, relay-only through `iceServer`; a listener that closes `a` at `event` during the
// reconnection. Stored on window.reconnectCase for the next steps.
async function setUpReconnectCase({ iceServer, pooled, event }) {
  const { WebRTCPeerEnhanced, WebRTCConnectionPool } = window.wre;
  const { connectPeers, watchEmits, closeInside } = window.harness;
  const relay = {
    iceServers: [iceServer], iceTransportPolicy: 'relay',
    reconnectBaseDelay: 100, reconnectMaxDelay: 400, reconnectJitter: 0, reconnectMaxAttempts: 3,
  };
  const pool = new WebRTCConnectionPool({ metricsInterval: 200 });
  const bystander = pool.createPeer('bystander');
  const bystanderFar = new WebRTCPeerEnhanced({ peerId: 'bystander-far', metricsInterval: 200 });
  await connectPeers(bystander, bystanderFar);
  const a = pooled ? pool.createPeer('a', relay) : new WebRTCPeerEnhanced({ peerId: 'a', ...relay });
  const b = new WebRTCPeerEnhanced({ peerId: 'b', ...relay });
  await connectPeers(a, b);
  const c = { pool, bystander, bystanderFar, a, b, log: [] };
  c.wa = watchEmits(a);
  c.wb = watchEmits(b);
  c.bystanderMetrics = [];
  bystander.on('metrics', () => c.bystanderMetrics.push(performance.now()));
  for (const ev of ['state-change', 'reconnect-scheduled', 'reconnect-attempt']) {
    a.on(ev, (p) => c.log.push(`${ev}${p.newState ? `:${p.newState}` : ''}${p.attempt ? `#${p.attempt}` : ''}`));
  }
  c.r = event === 'reconnect-attempt'
    ? closeInside(a, 'reconnect-attempt', a)
    : closeInside(a, 'state-change', a, (e) => e.newState === 'connecting' && e.oldState !== 'new');
  window.reconnectCase = c;
}

// After the outage: waits for the close, then checks that the pool's timers still run (the
// bystander's metrics keep coming; a fresh pooled peer's connectionTimeout fires).
async function finishReconnectCase() {
  const { within, sleep, waitFor } = window.harness;
  const c = window.reconnectCase;
  const out = { log: c.log };
  try {
    await within(c.r.firedPromise, 40000, 'the close during the reconnection');
  } catch (error) {
    out.timeout = error.message;
  }
  const closedAt = performance.now();
  await sleep(2000);
  out.bystanderMetricsAfter = c.bystanderMetrics.filter((t) => t > closedAt).length;
  out.bystanderState = c.bystander.getState();
  const fresh = c.pool.createPeer('fresh', { connectionTimeout: 1000 });
  const timedOut = waitFor(fresh, 'error', (e) => e.type === 'connection-timeout', 6000).then((e) => e.error.message, (e) => `none: ${e.message}`);
  fresh.createOffer().catch(() => {});
  out.freshTimeout = await timedOut;
  out.freshState = fresh.getState();
  out.r = c.r;
  out.a = c.wa.report();
  c.pool.closeAll();
  c.b.close();
  c.bystanderFar.close();
  out.b = c.wb.report();
  window.reconnectCase = null;
  return out;
}

for (const pooled of [false, true]) {
  for (const event of ['reconnect-attempt', 'state-change']) {
    const what = event === 'state-change' ? `'state-change' (to connecting)` : `'reconnect-attempt'`;
    test(`${pooled ? 'pooled' : 'standalone'}: close() from ${what} during a reconnection; a pooled bystander's timers keep running`, async () => {
      test.setTimeout(90_000);
      const turn = await startTurn();
      try {
        const before = pageErrors.length;
        await page.evaluate(setUpReconnectCase, { iceServer: turn.iceServer, pooled, event });
        await turn.stop();  // the outage: every relayed path is cut
        const setUpErrors = pageErrors.slice(before).map(String);
        const out = await runCase(`${pooled ? 'pooled' : 'standalone'} ${event}`, finishReconnectCase, undefined, 500);
        console.log(`${pooled ? 'pooled' : 'standalone'} ${event}: ${out.log.join(', ')}; bystander metrics in 2 s after: ` +
          `${out.bystanderMetricsAfter}; fresh peer: ${out.freshTimeout}`);
        expect.soft(setUpErrors, 'uncaught errors in the page during the set-up').toEqual([]);
        expect(out.timeout).toBeUndefined();
        // The pool's one timer still runs: ~10 bystander metrics in 2 s at 200 ms, and a fresh
        // pooled peer's connectionTimeout fires (soft: each says its own part of a failure).
        expect.soft(out.bystanderState, 'the bystander').toBe('connected');
        expect.soft(out.bystanderMetricsAfter, 'bystander metrics in the 2 s after the close').toBeGreaterThanOrEqual(4);
        expect.soft(out.freshTimeout, 'a fresh pooled peer').toMatch(/^not connected within connectionTimeout \(1000 ms\)/);
        expect.soft(out.freshState, 'a fresh pooled peer').toBe('failed');
        expectClosedFromListener(out.r, event);
        expect(out.log).toContain('reconnect-attempt#1');
        expectClosedOnce(out.a, 'the peer closed during its reconnection');
        expectClosedOnce(out.b, 'its far side');
      } finally {
        await turn.stop();
      }
    });
  }
}

// ---- after all of the above, on the same page ----------------------------------------------------

test('after every case above, a new pair on the same page connects and the WASM heap is back where it started', async () => {
  const out = await page.evaluate(async () => {
    const { connectPair, channelsOpen, receive, bytes, sameBytes, settledHeap, sleep } = window.harness;
    const { a, b } = await connectPair();
    await channelsOpen(a, b, ['reliable']);
    const got = receive(b, 'reliable', 1);
    a.send(bytes(3000, 1), 'reliable');
    const [m] = await got;
    const ok = sameBytes(m, bytes(3000, 1));
    a.close();
    b.close();
    await sleep(200);
    return { ok, heap: await settledHeap() };
  });
  console.log(`cases in this page: ${casesRun.join(', ')}; WASM heap ${heapAtStart} B at the start, ${out.heap} B now`);
  expect(pageErrors.map(String)).toEqual([]);
  expect(out.ok).toBe(true);
  expect(Math.abs(out.heap - heapAtStart)).toBeLessThan(64 * KiB);
  // Every case ran in this page (a failed case restarts the worker, with a new page).
  expect(casesRun, 'the cases that ran in this page').toHaveLength(13);
});
