// WebRTCConnectionPool: many peers over one C++ CorePool. A pool of 100 in one page against 100
// far peers in another; the guide's API and its errors; a slow peer in a broadcast.
import { test, expect } from '@playwright/test';
import { garbageCollector, openHarness } from './support/harness-page.js';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function openPoolPage(context) {
  const page = await context.newPage();
  const errors = await openHarness(page);
  await page.evaluate(async () => {
    window.ph = await import('/e2e/pages/pool-harness.js');
  });
  return { page, errors };
}

// Carries candidates both ways in batches until both sides count `n` connected peers.
async function pumpUntilConnected(pageA, pageB, n, timeoutMs) {
  const start = Date.now();
  for (;;) {
    const fromA = await pageA.evaluate(() => window.ph.drain(window.side));
    if (fromA.length) await pageB.evaluate((c) => window.ph.deliver(window.side, c), fromA);
    const fromB = await pageB.evaluate(() => window.ph.drain(window.side));
    if (fromB.length) await pageA.evaluate((c) => window.ph.deliver(window.side, c), fromB);
    const [a, b] = await Promise.all([pageA, pageB].map((p) => p.evaluate(() => window.side.pool.getStats().connectedPeers)));
    if (a === n && b === n) return Date.now() - start;
    if (Date.now() - start > timeoutMs) throw new Error(`connected after ${timeoutMs} ms: ${a}/${n} here, ${b}/${n} far`);
    await sleep(25);
  }
}

test('a pool of 100 peers connects to 100 far peers in another page, broadcasts both ways, and closeAll leaves nothing behind', async ({ context }) => {
  test.setTimeout(300_000);
  const N = 100;
  const A = await openPoolPage(context);
  const B = await openPoolPage(context);
  const ids = Array.from({ length: N }, (_, i) => `peer-${i}`);

  // Warm up (embind type tables, allocator pools), then take the heap baseline.
  const baseline = await A.page.evaluate(async () => {
    window.census = window.ph.trackConnections();
    const warm = window.ph.makeSide(['w1', 'w2']);
    warm.pool.closeAll();
    await new Promise((r) => setTimeout(r, 0));
    return window.wre.heapUsed();
  });

  await A.page.evaluate((list) => {
    window.side = window.ph.makeSide(list);
    // getStats() is also checked on a clock, between events.
    window.statsTimer = setInterval(() => window.ph.checkStats(window.side, 'interval'), 20);
  }, ids);
  await B.page.evaluate((list) => { window.side = window.ph.makeSide(list); }, ids);

  const t0 = Date.now();
  const offers = await A.page.evaluate(() => window.ph.offers(window.side));
  expect(offers).toHaveLength(N);
  const answers = await B.page.evaluate((o) => window.ph.answers(window.side, o), offers);
  await A.page.evaluate((a) => window.ph.applyAnswers(window.side, a), answers);
  await pumpUntilConnected(A.page, B.page, N, 180_000);
  console.log(`pool of ${N}: all connected ${Date.now() - t0} ms after the first offer`);

  const connected = await A.page.evaluate(() => {
    const peers = window.side.pool.getConnectedPeers();
    return { count: peers.length, real: peers.every((p) => p instanceof window.wre.WebRTCPeerEnhanced),
      ids: peers.map((p) => p.peerId), stats: window.side.pool.getStats(), diag: window.side.pool._diagnostics() };
  });
  expect(connected.count).toBe(N);
  expect(connected.real).toBe(true);
  expect(connected.ids).toEqual(ids);  // creation order
  expect(connected.stats).toEqual({ totalPeers: N, connectedPeers: N,
    states: { new: 0, connecting: 0, connected: N, disconnected: 0, failed: 0, closed: 0 } });
  // One shared deadline list: every peer's timers (metrics tick, probes) in it, one host timer.
  expect(connected.diag.peers).toBe(N);
  expect(connected.diag.timers).toBeGreaterThanOrEqual(N);

  // A → all of B on 'reliable': one call, every far peer gets the same bytes once.
  const sentA = await A.page.evaluate(() => {
    const data = window.ph.bytes(1000, 7);
    const t = performance.now();
    window.side.pool.broadcast(data, 'reliable');
    return performance.now() - t;
  });
  console.log(`broadcast of 1000 B to ${N} peers: ${sentA.toFixed(2)} ms in the call`);
  await B.page.evaluate((list) => window.ph.receivedOn(window.side, list, 'reliable', 1), ids);
  const checkB = await B.page.evaluate((list) => {
    const want = window.ph.bytes(1000, 7);
    return list.filter((id) => {
      const got = window.side.received.get(`${id}/reliable`);
      return got.length === 1 && window.ph.sameBytes(got[0], want);
    }).length;
  }, ids);
  expect(checkB).toBe(N);

  // Excluding one peer, on 'control'.
  await A.page.evaluate(() => window.side.pool.broadcast('all but peer-3', 'control', 'peer-3'));
  const others = ids.filter((id) => id !== 'peer-3');
  await B.page.evaluate((list) => window.ph.receivedOn(window.side, list, 'control', 1), others);
  await sleep(300);
  expect(await B.page.evaluate(() => window.side.received.get('peer-3/control'))).toBeUndefined();

  // B → all of A on 'file' (the answering side broadcasts too).
  await B.page.evaluate(() => window.side.pool.broadcast('from the far side', 'file'));
  await A.page.evaluate((list) => window.ph.receivedOn(window.side, list, 'file', 1), ids);
  const fileTexts = await A.page.evaluate((list) =>
    [...new Set(list.map((id) => new TextDecoder().decode(window.side.received.get(`${id}/file`)[0])))], ids);
  expect(fileTexts).toEqual(['from the far side']);

  // getStats() was right at every state change and every 20 ms tick, on both sides.
  const mismatchesA = await A.page.evaluate(() => {
    clearInterval(window.statsTimer);
    return { mismatches: window.side.mismatches, checks: window.side.checks };
  });
  expect(mismatchesA.mismatches).toEqual([]);
  expect(mismatchesA.checks).toBeGreaterThan(2 * N);
  expect(await B.page.evaluate(() => window.side.mismatches)).toEqual([]);

  // closeAll(): every peer closes (events on the pool), nothing is left in the core, the
  // browser or the WASM heap, and the pool refuses further work.
  const closed = await A.page.evaluate(async () => {
    const { pool } = window.side;
    const peers = pool.getConnectedPeers();
    let closedEvents = 0;
    let toClosed = 0;
    pool.on('closed', () => closedEvents++);
    pool.on('state-change', (e) => { if (e.newState === 'closed') toClosed++; });
    pool.closeAll();
    const right = { stats: pool.getStats(), connected: pool.getConnectedPeers().length, get: pool.getPeer('peer-0') };
    await new Promise((r) => setTimeout(r, 0));  // the core frees its peers on a microtask
    const refusals = [];
    for (const f of [() => pool.createPeer('again'), () => pool.removePeer('peer-1'), () => pool.broadcast('x')]) {
      try { f(); refusals.push('no error'); } catch (e) { refusals.push(`${e.type}: ${e.message}`); }
    }
    pool.closeAll();  // idempotent
    return {
      closedEvents, toClosed, right, refusals, freedStats: pool.getStats(),
      diag: pool._diagnostics(),
      states: [...new Set(peers.map((p) => p.getState()))],
      open: window.census.open(),
      made: window.census.made(),
      heap: window.wre.heapUsed(),
    };
  });
  expect(closed.closedEvents).toBe(N);
  expect(closed.toClosed).toBe(N);
  expect(closed.right.stats.totalPeers).toBe(0);
  // Once the core pool is freed, the stats still come in the core's shape, all zero.
  expect(closed.freedStats).toEqual({ totalPeers: 0, connectedPeers: 0,
    states: { new: 0, connecting: 0, connected: 0, disconnected: 0, failed: 0, closed: 0 } });
  expect(closed.right.connected).toBe(0);
  expect(closed.right.get).toBeUndefined();
  expect(closed.states).toEqual(['closed']);
  expect(closed.diag).toEqual({ peers: 0, parked: 0, timers: 0, armed: false });
  expect(closed.made).toBe(N + 2);
  expect(closed.open).toBe(0);
  expect(closed.refusals).toEqual([
    "invalid-state: createPeer('again'): the pool was closed by closeAll()",
    "invalid-state: removePeer('peer-1'): the pool was closed by closeAll()",
    'invalid-state: broadcast(): the pool was closed by closeAll()',
  ]);
  console.log(`WASM heap: ${baseline} B before the pool, ${closed.heap} B after closeAll()`);
  expect(closed.heap - baseline).toBeLessThan(8192);

  // The far side notices (consent freshness), then closes too.
  await B.page.evaluate(() => window.side.pool.closeAll());
  expect(A.errors).toEqual([]);
  expect(B.errors).toEqual([]);
});

test('the pool API: defaults and overrides, duplicate and unknown ids, every event re-emitted with peerId', async ({ page }) => {
  await openHarness(page);
  const r = await page.evaluate(async () => {
    const { WebRTCConnectionPool, WebRTCPeerEnhanced, WebRTCEnhancedError } = window.wre;
    const { waitFor, connected, receive } = window.harness;
    const caught = (f) => {
      try { f(); return 'no error'; } catch (e) { return `${e.name}/${e.type}: ${e.message}`; }
    };
    const out = {};
    out.badDefaults = [
      caught(() => new WebRTCConnectionPool({ conectionTimeout: 5 })),
      caught(() => new WebRTCConnectionPool({ peerId: 'x' })),
      caught(() => new WebRTCConnectionPool({ connectionTimeout: 'soon' })),
      caught(() => new WebRTCConnectionPool('fast')),
    ];

    const pool = new WebRTCConnectionPool({ connectionTimeout: 60000, reconnectMaxAttempts: 3 });
    const events = [];
    const names = ['initialized', 'state-change', 'ice-candidate', 'ice-gathering-state', 'ice-connection-state',
      'channel-created', 'channel-open', 'message', 'message-sent', 'message-queued', 'error', 'closed', 'metrics'];
    for (const name of names) pool.on(name, (p) => events.push([name, p.peerId]));

    const a = pool.createPeer('a');
    out.isPeer = a instanceof WebRTCPeerEnhanced && pool.getPeer('a') === a && a.peerId === 'a';
    out.duplicate = caught(() => pool.createPeer('a'));
    out.badId = caught(() => pool.createPeer(42));
    out.badOverride = caught(() => pool.createPeer('b', { connectionTimeout: -1 }));
    out.idMismatch = caught(() => pool.createPeer('b', { peerId: 'c' }));
    out.afterBad = pool.getStats().totalPeers;  // the failed creations left nothing
    out.unknown = [caught(() => pool.removePeer('nope')), String(pool.getPeer('nope')),
      caught(() => pool.broadcast('x', 'reliable', 'nope')), caught(() => pool.broadcast('x', 'smoke')),
      caught(() => pool.broadcast(42))];

    // Overrides on top of the defaults: 'quick' times out alone (the shared timer list at work).
    const quick = pool.createPeer('quick', { connectionTimeout: 300, reconnectMaxAttempts: undefined });
    const slowToStart = pool.createPeer('patient');
    quick.createOffer().catch(() => {});
    slowToStart.createOffer().catch(() => {});
    const timeout = await waitFor(pool, 'error', (e) => e.type === 'connection-timeout');
    out.timeout = { peerId: timeout.peerId, quick: quick.getState(), patient: slowToStart.getState() };
    pool.removePeer('quick');
    pool.removePeer('patient');

    // 'a' against a plain peer in this page; every event reaches the pool with peerId 'a'.
    const far = new WebRTCPeerEnhanced({ peerId: 'far' });
    a.on('ice-candidate', ({ candidate }) => far.addIceCandidate(candidate));
    far.on('ice-candidate', ({ candidate }) => a.addIceCandidate(candidate));
    await a.setRemoteAnswer(await far.createAnswer(await a.createOffer()));
    await Promise.all([connected(a), connected(far)]);
    const got = receive(a, 'reliable', 1);
    far.send('to a');
    await got;
    pool.broadcast('to far');  // message-sent is built for the pool's listener
    await receive(far, 'reliable', 1);
    out.stats = pool.getStats();
    // The app's own count: the pool's listener makes the core build message-sent, it is not the peer's.
    out.ownListeners = a.listenerCount('message-sent');

    // A throwing pool listener becomes a pool 'error' of type message-handling, with the peerId.
    const thrower = () => { throw new Error('boom'); };
    pool.on('message', thrower);
    const handled = waitFor(pool, 'error', (e) => e.type === 'message-handling');
    far.send('again');
    const h = await handled;
    out.handled = { peerId: h.peerId, message: h.error.message };
    pool.off('message', thrower);

    // A peer closed by itself leaves the pool; removePeer from its own 'closed' listener is a no-op.
    pool.on('closed', ({ peerId }) => { if (peerId === 'a') out.selfRemove = caught(() => pool.removePeer('a')); });
    a.close();
    out.afterClose = { get: String(pool.getPeer('a')), stats: pool.getStats().totalPeers };
    out.events = {};
    for (const [name, peerId] of events) (out.events[name] ??= new Set()).add(peerId);
    for (const k of Object.keys(out.events)) out.events[k] = [...out.events[k]].sort();
    out.instanceofError = timeout.error instanceof WebRTCEnhancedError;
    far.close();
    pool.closeAll();
    return out;
  });
  expect(r.badDefaults[0]).toBe('WebRTCEnhancedError/initialization: Invalid pool defaults: conectionTimeout is not a known config field');
  expect(r.badDefaults[1]).toBe("WebRTCEnhancedError/initialization: Invalid pool defaults: peerId may not be a default (each peer's id is the id given to createPeer())");
  expect(r.badDefaults[2]).toContain('WebRTCEnhancedError/initialization: Invalid pool defaults: connectionTimeout must be a number');
  expect(r.badDefaults[3]).toBe("TypeError/undefined: WebRTCConnectionPool: defaults must be an object, got 'fast'");
  expect(r.isPeer).toBe(true);
  expect(r.duplicate).toBe("WebRTCEnhancedError/initialization: createPeer('a'): a peer with this id is already in the pool; ids must be unique (removePeer() it first)");
  expect(r.badId).toBe('TypeError/undefined: createPeer(): id must be a string, got number 42');
  expect(r.badOverride).toContain('WebRTCEnhancedError/initialization: Invalid config: connectionTimeout must be at least 1');
  expect(r.idMismatch).toBe("WebRTCEnhancedError/initialization: createPeer('b'): overrides.peerId 'c' differs from the id; leave it out");
  expect(r.afterBad).toBe(1);
  expect(r.unknown).toEqual([
    "WebRTCEnhancedError/invalid-state: removePeer('nope'): no peer with this id in the pool",
    'undefined',
    "WebRTCEnhancedError/send: broadcast(): excludeId 'nope' is not a peer of this pool",
    "TypeError/undefined: broadcast(): unknown channel type 'smoke'; use 'control', 'reliable', 'unreliable' or 'file'",
    'TypeError/undefined: broadcast(): data must be a Uint8Array, ArrayBuffer, ArrayBufferView or string, got number 42',
  ]);
  expect(r.timeout).toEqual({ peerId: 'quick', quick: 'failed', patient: 'connecting' });
  expect(r.instanceofError).toBe(true);
  expect(r.stats).toEqual({ totalPeers: 1, connectedPeers: 1,
    states: { new: 0, connecting: 0, connected: 1, disconnected: 0, failed: 0, closed: 0 } });
  expect(r.ownListeners, 'a pooled peer counts only its own listeners (message-sent)').toBe(0);
  expect(r.handled).toEqual({ peerId: 'a', message: "a pool 'message' listener threw: boom" });
  expect(r.selfRemove).toBe('no error');
  expect(r.afterClose).toEqual({ get: 'undefined', stats: 0 });
  for (const name of ['initialized', 'state-change', 'ice-candidate', 'ice-gathering-state', 'ice-connection-state',
    'channel-created', 'channel-open', 'message', 'message-sent', 'closed']) {
    expect(r.events[name], name).toContain('a');
    expect(r.events[name].every((id) => ['a', 'quick', 'patient'].includes(id)), name).toBe(true);
  }
  expect(r.events.initialized).toEqual(['a', 'patient', 'quick']);
  expect(r.events.message).toEqual(['a']);
  expect(r.events.error).toEqual(['a', 'quick']);
});

test('broadcast with a slow peer: it queues to its own bound and then refuses; the others get everything', async ({ page }) => {
  await openHarness(page);
  const r = await page.evaluate(async () => {
    const { WebRTCConnectionPool, WebRTCPeerEnhanced } = window.wre;
    const { connected, receive } = window.harness;
    const pool = new WebRTCConnectionPool({ metricsEnabled: false });
    const ids = ['fast-1', 'slow', 'fast-2', 'fast-3'];
    const fars = {};
    for (const id of ids) {
      // The slow one: a 64 KiB browser buffer and a 64 KiB queue (the pool's defaults are 16 MiB).
      const p = pool.createPeer(id, id === 'slow' ? { maxBufferedAmount: 65536, lowWaterMark: 16384, maxQueuedBytes: 65536 } : {});
      const far = (fars[id] = new WebRTCPeerEnhanced({ peerId: `far-${id}`, metricsEnabled: false }));
      p.on('ice-candidate', ({ candidate }) => far.addIceCandidate(candidate));
      far.on('ice-candidate', ({ candidate }) => p.addIceCandidate(candidate));
      await p.setRemoteAnswer(await far.createAnswer(await p.createOffer()));
      await Promise.all([connected(p), connected(far)]);
    }
    const poolErrors = [];
    pool.on('error', ({ peerId, type }) => poolErrors.push(`${peerId}:${type}`));
    const COUNT = 100;
    const SIZE = 16 * 1024;
    const arriving = Object.fromEntries(ids.map((id) => [id, receive(fars[id], 'reliable', id === 'slow' ? 8 : COUNT, 30000)]));
    const refusals = [];
    const t = performance.now();
    for (let i = 0; i < COUNT; i++) {
      const data = new Uint8Array(SIZE).fill(i & 0xff);
      try {
        pool.broadcast(data);
      } catch (e) {
        refusals.push({ i, ids: e.failures.map((f) => f.peerId), recipients: e.recipients, accepted: e.accepted, message: e.message });
      }
    }
    const loopMs = performance.now() - t;
    const got = {};
    for (const id of ids) {
      const msgs = await arriving[id];
      got[id] = { count: msgs.length, inOrder: msgs.every((m, k) => m.byteLength === SIZE && m[0] === (k & 0xff)) };
    }
    await new Promise((r) => setTimeout(r, 300));
    const slowExtra = (await Promise.race([receive(fars.slow, 'reliable', 1, 200).then(() => 'more', () => 'none'), new Promise((r) => setTimeout(() => r('none'), 250))]));
    const out = { loopMs, refusals: refusals.length, first: refusals[0], got, slowExtra,
      slowErrors: poolErrors.filter((e) => e === 'slow:send').length, otherErrors: poolErrors.filter((e) => !e.startsWith('slow')) };
    pool.closeAll();
    for (const far of Object.values(fars)) far.close();
    return out;
  });
  console.log(`100 broadcasts of 16 KiB to 4 peers (one slow): ${r.loopMs.toFixed(1)} ms`);
  // The slow peer took 4 into its browser buffer and 4 into its queue (64 KiB each), then refused.
  expect(r.first.i).toBe(8);
  expect(r.first.ids).toEqual(['slow']);
  expect(r.first.recipients).toBe(4);
  expect(r.first.accepted).toBe(3);
  expect(r.first.message).toContain("broadcast(): 1 of 4 connected peers refused the message: 'slow'");
  expect(r.refusals).toBe(92);
  expect(r.slowErrors).toBe(92);  // its own error events, re-emitted on the pool with its id
  expect(r.otherErrors).toEqual([]);
  for (const id of ['fast-1', 'fast-2', 'fast-3']) expect(r.got[id]).toEqual({ count: 100, inOrder: true });
  expect(r.got.slow).toEqual({ count: 8, inOrder: true });
  expect(r.slowExtra).toBe('none');
});

test('a pool the app forgets (without closeAll) is closed and its core freed by the garbage collector', async ({ page, browserName }) => {
  await openHarness(page);
  const heapBefore = await page.evaluate(async () => {
    // Warm-up: embind type tables and allocator pools for the pool's classes.
    new window.wre.WebRTCConnectionPool().closeAll();
    await new Promise((r) => setTimeout(r, 0));
    return window.wre.heapUsed();
  });
  await page.evaluate(() => {
    const Original = globalThis.RTCPeerConnection;
    window.forgotten = [];
    globalThis.RTCPeerConnection = class extends Original {
      constructor(...args) { super(...args); window.forgotten.push(new WeakRef(this)); }
    };
    const pool = new window.wre.WebRTCConnectionPool({ connectionTimeout: 60000 });
    pool.on('state-change', () => {});
    for (let i = 0; i < 20; i++) pool.createPeer(`forgotten-${i}`).createOffer().catch(() => {});  // timers pending
    globalThis.RTCPeerConnection = Original;
  });
  expect(await page.evaluate(() => window.wre.heapUsed())).toBeGreaterThan(heapBefore);
  const collect = await garbageCollector(page, browserName);
  await expect.poll(async () => {
    await collect();
    return page.evaluate(() => window.wre.heapUsed());
  }, { timeout: 20000 }).toBeLessThanOrEqual(heapBefore + 256);
  const states = await page.evaluate(() => window.forgotten.map((r) => r.deref()?.signalingState ?? 'collected'));
  expect(states).toHaveLength(20);
  expect(states.every((s) => s === 'closed' || s === 'collected')).toBe(true);
});
