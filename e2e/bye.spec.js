// `bye` on close (CONTRACT, Liveness): close() on one library peer tells the far side on `wre`, and
// the far side goes to `closed` with `closed {reason: 'remote-closed'}` within 1 s on loopback —
// in one page, across two pages, for a pool's peer, and between Chromium and Firefox. The far side
// is then in exactly the state a close() leaves: methods refused, browser connection closed.
import { test, expect } from '@playwright/test';
import { launchOtherBrowser } from './support/cross-browser.js';
import { openHarness } from './support/harness-page.js';
import { startTurn } from './support/turn.js';

const WITHIN_MS = 1000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The events a peer closed by the far side emits, and how it answers afterwards.
const REMOTE_CLOSE = [['state-change', 'connected->closed', 'closed'], ['closed', 'remote-closed', 'closed']];
const LOCAL_CLOSE = [['state-change', 'connected->closed', 'closed'], ['closed', 'local', 'closed']];

test('close() on one peer: the far peer in the same page is closed (remote-closed) within 1 s', async ({ page }) => {
  const errors = await openHarness(page);
  const r = await page.evaluate(async () => {
    const { connectPair, helloHeard, watchClose, wallMs, countOpenConnections, closeInside, within } = window.harness;
    const openConnections = countOpenConnections();
    const { a, b } = await connectPair();
    await helloHeard(a, b);
    const atA = watchClose(a);
    const atB = watchClose(b);
    // The app closes the far peer again from inside its own remote-close events: nothing changes.
    const inStateChange = closeInside(b, 'state-change', b, (e) => e.newState === 'closed');
    const inClosed = closeInside(b, 'closed', b);
    const t0 = wallMs();
    a.close();
    await within(atB.done, 5000, "the far side's closed");
    await new Promise((resolve) => setTimeout(resolve, 0));  // the cores are freed on a microtask
    return {
      a: atA.report(), b: atB.report(), tookMs: atB.closedAtMs - t0, open: openConnections(),
      threw: [inStateChange.threw, inClosed.threw], fired: [inStateChange.fired, inClosed.fired],
    };
  });
  console.log(`far side closed ${r.tookMs.toFixed(1)} ms after close() (one page)`);
  expect(r.a.events).toEqual(LOCAL_CLOSE);
  expect(r.b.events).toEqual(REMOTE_CLOSE);
  expect(r.b.state).toBe('closed');
  expect(r.b.sendError).toContain('send() called after close()');
  expect(r.fired).toEqual([true, true]);
  expect(r.threw).toEqual([null, null]);
  expect(r.open).toBe(0);
  expect(r.tookMs).toBeLessThan(WITHIN_MS);
  expect(errors).toEqual([]);
});

// ---- one library peer per page, signaling carried by the test (any two pages, any browsers) ----

async function openSide(page, baseURL) {
  await page.goto(new URL('/e2e/pages/harness.html', baseURL).href);
  await page.waitForFunction(() => window.harnessReady === true, null, { timeout: 30000 });
}

// A peer in the page whose ice-candidates wait in window.outbox for the test to carry.
function makePeer(page, peerId, config = {}) {
  return page.evaluate(([id, extra]) => {
    window.openConnections = window.harness.countOpenConnections();
    window.outbox = [];
    window.heardHi = false;
    window.peer = new window.wre.WebRTCPeerEnhanced({ peerId: id, ...extra });
    window.peer.on('ice-candidate', ({ candidate }) => window.outbox.push(candidate));
    window.peer.on('message', () => { window.heardHi = true; });
    window.opened = []; window.errs = [];
    window.peer.on('channel-open', (e) => window.opened.push(e.type));
    window.peer.on('error', (e) => window.errs.push(e.error.message));
  }, [peerId, config]);
}

async function carryCandidates(from, to) {
  const candidates = await from.evaluate(() => window.outbox.splice(0));
  if (candidates.length) await to.evaluate((list) => list.forEach((c) => window.peer.addIceCandidate(c).catch(() => {})), candidates);
}

// Offer from `pageA`, answer from `pageB`, candidates both ways until both are connected and each
// has received a message from the other (so each has heard the other's hello).
async function connectPages(pageA, pageB, timeoutMs = 30000) {
  const offer = await pageA.evaluate(() => window.peer.createOffer());
  const answer = await pageB.evaluate((o) => window.peer.createAnswer(o), offer);
  await pageA.evaluate((a) => window.peer.setRemoteAnswer(a), answer);
  const start = Date.now();
  // Connected and heard from the other side; says hi (queued until `reliable` opens) until both have.
  const ready = (p) => p.evaluate(() => {
    if (window.peer.getState() !== 'connected') return false;
    window.peer.send('hi', 'reliable');
    return window.heardHi;
  });
  for (;;) {
    await carryCandidates(pageA, pageB);
    await carryCandidates(pageB, pageA);
    const both = await Promise.all([ready(pageA), ready(pageB)]);
    if (both.every(Boolean)) break;
    if (Date.now() - start > timeoutMs) {
      const states = await Promise.all([pageA, pageB].map((p) => p.evaluate(() => `${window.peer.getState()} heard ${window.heardHi} queued ${window.peer.getQueueSize()} opened ${window.opened} errs ${window.errs}`)));
      throw new Error(`not connected and heard within ${timeoutMs} ms: ${states.join(' / ')}`);
    }
    await sleep(50);
  }
  await sleep(100);  // `wre`'s hello, sent as it opened
}

// Closes the peer in `closer`; returns what the far peer in `far` saw and how long it took.
async function closeAcross(closer, far) {
  await far.evaluate(() => { window.atFar = window.harness.watchClose(window.peer); });
  await closer.evaluate(() => { window.atHere = window.harness.watchClose(window.peer); });
  const t0 = await closer.evaluate(() => {
    const t = window.harness.wallMs();
    window.peer.close();
    return t;
  });
  const far_ = await far.evaluate(async () => {
    await window.harness.within(window.atFar.done, 10000, "the far side's closed");
    await new Promise((resolve) => setTimeout(resolve, 0));
    return { ...window.atFar.report(), open: window.openConnections() };
  });
  const here = await closer.evaluate(() => ({ ...window.atHere.report(), open: window.openConnections() }));
  return { here, far: far_, tookMs: far_.closedAtMs - t0 };
}

function expectRemoteClose(r) {
  expect(r.here.events).toEqual(LOCAL_CLOSE);
  expect(r.far.events).toEqual(REMOTE_CLOSE);
  expect(r.far.sendError).toContain('send() called after close()');
  expect(r.far.open).toBe(0);
  expect(r.tookMs).toBeLessThan(WITHIN_MS);
}

test('close() in one page: the peer in another page is closed (remote-closed) within 1 s', async ({ context }) => {
  const pageA = await context.newPage();
  const pageB = await context.newPage();
  const errorsA = await openHarness(pageA);
  const errorsB = await openHarness(pageB);
  await makePeer(pageA, 'page-a');
  await makePeer(pageB, 'page-b');
  await connectPages(pageA, pageB);
  const r = await closeAcross(pageA, pageB);
  console.log(`far side closed ${r.tookMs.toFixed(1)} ms after close() (two pages)`);
  expectRemoteClose(r);
  expect(r.here.open).toBe(0);
  expect(errorsA).toEqual([]);
  expect(errorsB).toEqual([]);
});

test('Chromium and Firefox: close() on either side closes the other (remote-closed) within 1 s', async ({ page, browserName }, testInfo) => {
  test.setTimeout(120_000);
  const { baseURL } = testInfo.project.use;
  const browser = await launchOtherBrowser(browserName);
  // Through a local coturn: host candidates are mDNS names that may not resolve across browsers.
  const turn = await startTurn();
  const relay = { iceServers: [turn.iceServer], iceTransportPolicy: 'relay' };
  try {
    const far = await (await browser.newContext()).newPage();
    const farName = browserName === 'chromium' ? 'firefox' : 'chromium';
    await openSide(page, baseURL);
    await openSide(far, baseURL);
    const timings = {};
    for (const [closerName, closer, other] of [[browserName, page, far], [farName, far, page]]) {
      await makePeer(page, browserName, relay);
      await makePeer(far, farName, relay);
      await connectPages(page, far);
      const r = await closeAcross(closer, other);
      timings[closerName] = r.tookMs;
      console.log(`${closerName} closed: the other side closed ${r.tookMs.toFixed(1)} ms later`);
      expectRemoteClose(r);
    }
    expect(Object.keys(timings).sort()).toEqual(['chromium', 'firefox']);
  } finally {
    await browser.close();
    await turn.stop();
  }
});

test("a pool's peer: closed by the far side like removePeer() (it leaves the pool), and removePeer/closeAll say bye", async ({ page }) => {
  const errors = await openHarness(page);
  const r = await page.evaluate(async () => {
    const { WebRTCConnectionPool, WebRTCPeerEnhanced } = window.wre;
    const { connectPeers, helloHeard, watchClose, wallMs, within, countOpenConnections } = window.harness;
    const openConnections = countOpenConnections();
    const pool = new WebRTCConnectionPool();
    const poolEvents = [];
    let statsInClosed = null;
    pool.on('state-change', (e) => e.newState === 'closed' && poolEvents.push(`${e.peerId} state-change ->closed`));
    pool.on('closed', (e) => {
      poolEvents.push(`${e.peerId} closed ${e.reason}`);
      statsInClosed ??= pool.getStats();
    });
    const far = {};
    for (const id of ['x', 'y', 'z', 'w']) {
      far[id] = new WebRTCPeerEnhanced({ peerId: `far-${id}` });
      await connectPeers(pool.createPeer(id), far[id]);
      await helloHeard(pool.getPeer(id), far[id]);
    }
    const x = pool.getPeer('x');

    // 1. The far side closes: x goes to closed, leaves the pool.
    const atX = watchClose(x);
    const t0 = wallMs();
    far.x.close();
    await within(atX.done, 5000, "the pool peer's closed");
    const tookMs = atX.closedAtMs - t0;
    await new Promise((resolve) => setTimeout(resolve, 0));
    const afterRemote = {
      x: atX.report(), get: pool.getPeer('x') === undefined, stats: pool.getStats(),
      connected: pool.getConnectedPeers().map((p) => p.peerId),
    };

    // 2. removePeer('y') and 3. closeAll() (z, w) tell their far sides.
    const watched = Object.fromEntries(['y', 'z', 'w'].map((id) => [id, watchClose(far[id])]));
    pool.removePeer('y');
    await within(watched.y.done, 5000, 'far-y closed');
    pool.closeAll();
    await within(Promise.all([watched.z.done, watched.w.done]), 5000, 'far-z and far-w closed');
    await new Promise((resolve) => setTimeout(resolve, 0));
    return {
      tookMs, afterRemote, statsInClosed, poolEvents, diag: pool._diagnostics(), open: openConnections(),
      farEvents: Object.fromEntries(Object.entries(watched).map(([id, w]) => [id, w.report().events])),
    };
  });
  console.log(`pool peer closed ${r.tookMs.toFixed(1)} ms after the far side's close()`);
  expect(r.tookMs).toBeLessThan(WITHIN_MS);
  expect(r.afterRemote.x.events).toEqual(REMOTE_CLOSE);
  expect(r.afterRemote.x.sendError).toContain('send() called after close()');
  // While its `closed` is delivered the peer is still counted, as closed (as during removePeer());
  // after it, it has left the pool.
  expect(r.statsInClosed).toEqual({ totalPeers: 4, connectedPeers: 3,
    states: { new: 0, connecting: 0, connected: 3, disconnected: 0, failed: 0, closed: 1 } });
  expect(r.afterRemote.get).toBe(true);
  expect(r.afterRemote.stats).toEqual({ totalPeers: 3, connectedPeers: 3,
    states: { new: 0, connecting: 0, connected: 3, disconnected: 0, failed: 0, closed: 0 } });
  expect(r.afterRemote.connected).toEqual(['y', 'z', 'w']);
  expect(r.poolEvents).toEqual([
    'x state-change ->closed', 'x closed remote-closed',
    'y state-change ->closed', 'y closed local',
    'z state-change ->closed', 'z closed local',
    'w state-change ->closed', 'w closed local',
  ]);
  for (const id of ['y', 'z', 'w']) expect(r.farEvents[id], id).toEqual(REMOTE_CLOSE);
  expect(r.diag).toEqual({ peers: 0, parked: 0, timers: 0, armed: false });
  expect(r.open).toBe(0);
  expect(errors).toEqual([]);
});
