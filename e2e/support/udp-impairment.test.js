// node --test e2e/support/ : the UDP impairment proxy measured against a UDP echo server on
// 127.0.0.1. The echo server runs in this process, so one clock stamps the send, the arrival at
// the server and the echo's arrival: each direction's one-way delay is measured on its own.
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { after, before, test } from 'node:test';
import { mulberry32, startImpairment } from './udp-impairment.js';

const HOST = '127.0.0.1';
// This thread runs the echo server and the sender, the proxy its own thread, on a machine that
// may be busy. A run during which this event loop was often late (its 95th percentile delay
// above this) measures the scheduler, not the proxy: timing bounds are only checked on quiet runs.
const QUIET_LOOP_P95_MS = 6;
// ...and the proxy thread must have released its held packets on time (mean lateness).
const QUIET_PROXY_LATE_MS = 1.5;
const SOCKET = { type: 'udp4', recvBufferSize: 2 << 20 };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Echo server: records when each packet (4-byte id + 4-byte run tag) arrived and where from.
let echo;
before(async () => {
  const sock = dgram.createSocket(SOCKET);
  const seen = new Map();
  const perRun = new Map(); // run tag → packets received
  const sources = new Set();
  sock.on('message', (msg, rinfo) => {
    seen.set(msg.toString('hex'), performance.now());
    if (msg.length === 8) perRun.set(msg.readUInt32BE(4), (perRun.get(msg.readUInt32BE(4)) ?? 0) + 1);
    sources.add(`${rinfo.address}:${rinfo.port}`);
    sock.send(msg, rinfo.port, rinfo.address);
  });
  await new Promise((r) => sock.bind({ port: 0, address: HOST }, r));
  echo = { sock, port: sock.address().port, seen, perRun, sources };
});
after(() => echo.sock.close());

const proxies = [];
after(async () => {
  for (const p of proxies) await p.close();
});
async function proxy(options = {}) {
  const p = await startImpairment({ targetPort: echo.port, ...options });
  proxies.push(p);
  return p;
}

let runTag = 0;
/**
 * Sends `count` numbered packets through the proxy from one client socket, `perTick` every
 * `tickMs`, waits `settleMs` after the last one. Returns, per packet, the one-way delay to the
 * server (up) and back (down), or null where it did not make it; plus the arrival order.
 */
async function run(p, { count, perTick = 1, tickMs = 2, settleMs = 300, client } = {}) {
  const sock = client ?? dgram.createSocket(SOCKET);
  if (!client) await new Promise((r) => sock.bind({ port: 0, address: HOST }, r));
  const tag = ++runTag;
  const sent = new Array(count).fill(null);
  const back = new Array(count).fill(null);
  const order = [];
  const onMessage = (msg) => {
    if (msg.length !== 8 || msg.readUInt32BE(4) !== tag) return;
    const id = msg.readUInt32BE(0);
    if (back[id] === null) back[id] = performance.now();
    order.push(id);
  };
  sock.on('message', onMessage);
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const late0 = lateness(p);
  const c0 = p.counters();
  for (let i = 0; i < count; i++) {
    const msg = Buffer.alloc(8);
    msg.writeUInt32BE(i, 0);
    msg.writeUInt32BE(tag, 4);
    sent[i] = performance.now();
    sock.send(msg, p.port, HOST);
    if ((i + 1) % perTick === 0) await sleep(tickMs);
  }
  await sleep(settleMs);
  // A descheduled proxy thread may still be working through the burst: wait (bounded) until it
  // has handled every packet both ways and holds none, so a late packet is not taken for lost.
  const handled = (c, d) => c[d].forwarded + c[d].dropped + c[d].overflow - (c0[d].forwarded + c0[d].dropped + c0[d].overflow);
  for (const deadline = performance.now() + 5000; performance.now() < deadline; await sleep(20)) {
    const c = p.counters();
    if (handled(c, 'toTarget') >= count && handled(c, 'toClient') >= (echo.perRun.get(tag) ?? 0) && c.queued === 0) break;
  }
  await sleep(20);
  loop.disable();
  const stallMs = loop.percentile(95) / 1e6;
  const maxStallMs = loop.max / 1e6;
  const late1 = lateness(p);
  const proxyLateMs = late1.n > late0.n ? (late1.sum - late0.sum) / (late1.n - late0.n) : 0;
  sock.off('message', onMessage);
  if (!client) sock.close();
  const key = (i) => {
    const msg = Buffer.alloc(8);
    msg.writeUInt32BE(i, 0);
    msg.writeUInt32BE(tag, 4);
    return msg.toString('hex');
  };
  const up = sent.map((t, i) => (echo.seen.has(key(i)) ? echo.seen.get(key(i)) - t : null));
  const down = back.map((t, i) => (t !== null && echo.seen.has(key(i)) ? t - echo.seen.get(key(i)) : null));
  return { up, down, order, stallMs, maxStallMs, proxyLateMs, quiet: stallMs < QUIET_LOOP_P95_MS && proxyLateMs < QUIET_PROXY_LATE_MS, reachedServer: up.filter((v) => v !== null).length, returned: back.filter((v) => v !== null).length };
}

// Held packets released so far and their total lateness, from the proxy's counters.
function lateness(p) {
  const { toTarget: a, toClient: b } = p.counters();
  return { n: a.held + b.held, sum: a.lateMeanMs * a.held + b.lateMeanMs * b.held };
}

const values = (xs) => xs.filter((v) => v !== null);
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const fraction = (xs, pred) => xs.filter(pred).length / xs.length;

// Runs `measure` up to `tries` times until a run is quiet; returns that run or the least stalled.
// When none was quiet, the test is reported as skipped (its timing was not verified) after the
// checks that hold whatever the load (never early, counts, order).
async function quietRun(t, measure, tries = 4) {
  let best = null;
  for (let i = 0; i < tries; i++) {
    const r = await measure();
    if (!best || r.stallMs < best.stallMs) best = r;
    if (r.quiet) break;
    await sleep(200);
  }
  if (!best.quiet) {
    t.skip(`busy machine: event loop delay p95 ${best.stallMs.toFixed(1)} ms (max ${best.maxStallMs.toFixed(1)}), proxy releases ` +
      `${best.proxyLateMs.toFixed(1)} ms late on average, in the best of ${tries} runs; timing bounds not checked`);
  }
  return best;
}

test('forwards both ways unchanged, one upstream 5-tuple per client, counts packets', async () => {
  const p = await proxy();
  assert.equal(p.host, HOST);
  assert.ok(p.port > 0 && p.port !== echo.port);
  echo.sources.clear();
  const [x, y] = await Promise.all([run(p, { count: 50 }), run(p, { count: 50 })]);
  for (const r of [x, y]) {
    assert.equal(r.reachedServer, 50);
    assert.equal(r.returned, 50);
  }
  // Two clients → two distinct source addresses at the server, both on loopback.
  assert.equal(echo.sources.size, 2);
  for (const s of echo.sources) assert.match(s, /^127\.0\.0\.1:\d+$/);
  const c = p.counters();
  const counts = ({ forwarded, dropped, overflow }) => ({ forwarded, dropped, overflow });
  assert.deepEqual(counts(c.toTarget), { forwarded: 100, dropped: 0, overflow: 0 });
  assert.deepEqual(counts(c.toClient), { forwarded: 100, dropped: 0, overflow: 0 });
  assert.equal(c.toTarget.lateMaxMs, 0, 'nothing was held');
  assert.equal(c.queued, 0);
  assert.equal(c.clients, 2);
  // Unimpaired, the proxy adds well under a millisecond on loopback; on a busy machine its thread
  // may wait for a core, so only the fastest packet is held to that (it shows nothing is added).
  const up = values(x.up);
  console.log(`pass-through one-way median ${quantile(up, 0.5).toFixed(3)} ms, min ${Math.min(...up).toFixed(3)}, p95 ${quantile(up, 0.95).toFixed(3)} ms`);
  assert.ok(Math.min(...up) < 2, `fastest one-way ${Math.min(...up)} ms`);
});

test('delay per direction: added one-way delay within ±5 ms of the setting; clear() restores', async (t) => {
  const p = await proxy();
  await p.set({ toTarget: { delayMs: 40 }, toClient: { delayMs: 75 } });
  const r = await quietRun(t, () => run(p, { count: 200, settleMs: 400 }));
  assert.equal(r.returned, 200);
  for (const [name, xs, want] of [['up', values(r.up), 40], ['down', values(r.down), 75]]) {
    console.log(`${name}: set ${want} ms, median ${quantile(xs, 0.5).toFixed(2)} ms, mean ${mean(xs).toFixed(2)}, ` +
      `min ${Math.min(...xs).toFixed(2)}, p95 ${quantile(xs, 0.95).toFixed(2)}, ${(100 * fraction(xs, (v) => Math.abs(v - want) <= 5)).toFixed(0)} % within ±5 ms (event loop delay p95 ${r.stallMs.toFixed(1)} ms, max ${r.maxStallMs.toFixed(1)}; proxy ${r.proxyLateMs.toFixed(2)} ms late)`);
    assert.ok(Math.min(...xs) >= want - 1, `${name} min ${Math.min(...xs)}: released early`);
    if (r.quiet) {
      assert.ok(Math.abs(quantile(xs, 0.5) - want) <= 3, `${name} median ${quantile(xs, 0.5)} vs ${want}`);
      assert.ok(Math.abs(mean(xs) - want) <= 5, `${name} mean ${mean(xs)} vs ${want}`);
      // The tail is the scheduler's (a release and a receipt, each one loop turn late).
      assert.ok(fraction(xs, (v) => Math.abs(v - want) <= 5) >= 0.8, `${name}: fewer than 80% within ±5 ms`);
    }
  }
  assert.deepEqual(p.impairment.toTarget, { delayMs: 40, jitterMs: 0, loss: 0 });

  await p.clear();
  await sleep(100);
  const q = await run(p, { count: 100 });
  assert.equal(q.returned, 100);
  const rtt = q.up.map((u, i) => u + q.down[i]);
  // 115 ms of round trip before; nothing is held now (a loose bound: the machine may be busy).
  assert.ok(quantile(rtt, 0.5) < 20, `after clear(): median round trip ${quantile(rtt, 0.5)} ms`);
  assert.ok(Math.min(...rtt) < 5, `after clear(): fastest round trip ${Math.min(...rtt)} ms`);
  assert.deepEqual(p.impairment, { toTarget: { delayMs: 0, jitterMs: 0, loss: 0 }, toClient: { delayMs: 0, jitterMs: 0, loss: 0 } });
});

test('jitter: delay + U[0, jitterMs) drawn per packet from the seeded PRNG, reordering by default, FIFO with keepOrder', async (t) => {
  // The PRNG itself: uniform on [0, 1) (100 000 draws, 10 bins, each within 5 % of 10 000).
  const rnd = mulberry32(123);
  const bins = new Array(10).fill(0);
  for (let i = 0; i < 100_000; i++) bins[Math.floor(rnd() * 10)]++;
  for (const b of bins) assert.ok(Math.abs(b - 10_000) < 500, `bins ${bins}`);

  // Packets 1 ms apart with 30 ms of jitter: without keepOrder many overtake each other. With no
  // loss set, packet i takes draw i, so each packet's expected delay is known exactly.
  const p = await proxy({ seed: 7 });
  await p.set({ toTarget: { delayMs: 20, jitterMs: 30 } });
  let draws = 0;
  const r = await quietRun(t, async () => {
    // Each attempt continues the PRNG stream: attempt k uses draws 300k .. 300k + 299.
    const out = await run(p, { count: 300, tickMs: 1, settleMs: 300 });
    out.first = draws;
    draws += 300;
    return out;
  });
  const up = values(r.up);
  assert.equal(up.length, 300);
  const draw = mulberry32(7);
  for (let i = 0; i < r.first; i++) draw();
  const expected = r.up.map(() => 20 + 30 * draw());
  const error = r.up.map((v, i) => v - expected[i]);
  console.log(`jitter 20 + U[0,30): mean ${mean(up).toFixed(2)} ms (these draws: ${mean(expected).toFixed(2)}), ` +
    `per-packet error median ${quantile(error, 0.5).toFixed(2)} ms, min ${Math.min(...error).toFixed(2)}, p95 ${quantile(error, 0.95).toFixed(2)}, ${(100 * fraction(error, (e) => Math.abs(e) <= 5)).toFixed(0)} % within ±5 ms ` +
    `(event loop delay p95 ${r.stallMs.toFixed(1)} ms, max ${r.maxStallMs.toFixed(1)}; proxy ${r.proxyLateMs.toFixed(2)} ms late)`);
  assert.ok(Math.min(...expected) >= 20 && Math.max(...expected) < 50);
  assert.ok(Math.min(...error) >= -1, 'released early');
  if (r.quiet) {
    assert.ok(Math.abs(quantile(error, 0.5)) <= 3, `median error ${quantile(error, 0.5)}`);
    assert.ok(fraction(error, (e) => Math.abs(e) <= 5) >= 0.8, 'fewer than 80% within ±5 ms of their draw');
  }
  const inversions = (order) => order.filter((id, i) => i > 0 && id < order[i - 1]).length;
  assert.ok(inversions(r.order) > 20, `reordered: ${inversions(r.order)} inversions`);

  const fifo = await proxy({ seed: 7, keepOrder: true });
  await fifo.set({ toTarget: { delayMs: 20, jitterMs: 30 } });
  const f = await run(fifo, { count: 300, tickMs: 1, settleMs: 300 });
  assert.equal(f.returned, 300);
  assert.equal(inversions(f.order), 0);
  // A packet waits behind a slower predecessor: never earlier than its own draw, and the mean
  // rises above delay + jitter / 2 (by how much depends on the spacing; here ~1 ms).
  const fifoDraw = mulberry32(7);
  const own = f.up.map(() => 20 + 30 * fifoDraw());
  assert.ok(f.up.every((v, i) => v >= own[i] - 1), 'keepOrder released a packet before its own delay');
  console.log(`keepOrder: mean ${mean(values(f.up)).toFixed(2)} ms vs ${mean(own).toFixed(2)} ms of the draws alone`);
});

test('loss: Bernoulli per packet and direction, reproducible from the seed', async () => {
  // 2000 packets at 5 %: the number dropped is Binomial(2000, 0.05), mean 100, sd 9.7;
  // ±35 packets (±1.75 pp) is 3.6 sd. The PRNG is seeded, so this is the same on every run.
  const N = 2000;
  const p = await proxy({ seed: 42 });
  await p.set({ toTarget: { loss: 0.05 } });
  const r = await run(p, { count: N, perTick: 10, tickMs: 2, settleMs: 300 });
  const c = p.counters();
  const lost = N - r.reachedServer;
  console.log(`loss toTarget 5 %: ${lost}/${N} dropped (${((100 * lost) / N).toFixed(2)} %)`);
  assert.equal(c.toTarget.dropped, lost, 'every missing packet is one the proxy dropped');
  assert.equal(c.toTarget.forwarded, r.reachedServer);
  assert.ok(Math.abs(lost - 0.05 * N) <= 35, `${lost} of ${N}`);
  assert.equal(r.returned, r.reachedServer, 'the other direction is untouched');

  // Same seed, same packet sequence → the very same packets dropped.
  const again = await proxy({ seed: 42 });
  await again.set({ toTarget: { loss: 0.05 } });
  const r2 = await run(again, { count: N, perTick: 10, tickMs: 2, settleMs: 300 });
  const missing = (x) => x.up.map((v, i) => (v === null ? i : -1)).filter((i) => i >= 0);
  assert.deepEqual(missing(r2), missing(r));
  // ...and it is what the PRNG says: packet i is dropped iff draw i < 0.05.
  const draw = mulberry32(42);
  const predicted = Array.from({ length: N }, (_, i) => (draw() < 0.05 ? i : -1)).filter((i) => i >= 0);
  assert.deepEqual(missing(r), predicted);

  // The other direction, at 20 %: Binomial(2000, 0.2), sd 17.9; ±60 is 3.4 sd.
  const down = await proxy({ seed: 3 });
  await down.set({ toClient: { loss: 0.2 } });
  const d = await run(down, { count: N, perTick: 10, tickMs: 2, settleMs: 300 });
  assert.equal(d.reachedServer, N);
  const lostDown = N - d.returned;
  console.log(`loss toClient 20 %: ${lostDown}/${N} dropped (${((100 * lostDown) / N).toFixed(2)} %)`);
  assert.equal(down.counters().toClient.dropped, lostDown);
  assert.ok(Math.abs(lostDown - 0.2 * N) <= 60, `${lostDown} of ${N}`);

  await down.clear();
  const clean = await run(down, { count: 500, perTick: 10, tickMs: 2, settleMs: 300 });
  assert.equal(clean.returned, 500, 'clear() stops the loss');
});

test('bounds: idle clients are forgotten, at most maxClients, at most maxQueued held', async (t) => {
  const p = await proxy({ idleMs: 1500, maxClients: 2 });
  const socks = [];
  t.after(() => socks.forEach((s) => s.close()));
  for (let i = 0; i < 3; i++) {
    const s = dgram.createSocket(SOCKET);
    await new Promise((r) => s.bind({ port: 0, address: HOST }, r));
    socks.push(s);
    await run(p, { count: 3, client: s, settleMs: 20 });
  }
  assert.equal(p.counters().clients, 2, 'the least recently active client was evicted');
  // Forgotten after idleMs, found by a sweep every idleMs / 2.
  const deadline = performance.now() + 1500 + 750 + 3000;
  while (p.counters().clients > 0 && performance.now() < deadline) await sleep(100);
  assert.equal(p.counters().clients, 0, 'idle clients forgotten');

  // 30 packets at once, held 500 ms, room for 10: 20 overflow.
  const small = await proxy({ maxQueued: 10 });
  await small.set({ toTarget: { delayMs: 500 } });
  const r = await run(small, { count: 30, perTick: 30, settleMs: 800 });
  const c = small.counters();
  assert.equal(r.reachedServer, 10);
  assert.equal(c.toTarget.overflow, 20);
  assert.equal(c.queued, 0);
});

test('validation, loopback only, close() is final and idempotent', async (t) => {
  await assert.rejects(startImpairment({ targetPort: echo.port, host: '10.0.0.1' }), /loopback/);
  await assert.rejects(startImpairment({ targetPort: 0 }), RangeError);
  const p = await proxy();
  assert.throws(() => p.set({ toTarget: { loss: 1.5 } }), RangeError);
  assert.throws(() => p.set({ toTarget: { delayMs: -1 } }), RangeError);
  assert.throws(() => p.set({ toTarget: { delay: 5 } }), TypeError);
  assert.throws(() => p.set({ upstream: {} }), TypeError);
  await p.set({ toClient: { delayMs: 200 } });
  const sock = dgram.createSocket(SOCKET);
  t.after(() => sock.close());
  await new Promise((r) => sock.bind({ port: 0, address: HOST }, r));
  let got = 0;
  sock.on('message', () => got++);
  sock.send(Buffer.from('x'), p.port, HOST);
  await sleep(50);
  assert.equal(p.counters().queued, 1, 'the echo is held for 200 ms');
  await p.close();
  await p.close();
  await assert.rejects(p.set({ toClient: {} }), /closed/);
  assert.equal(p.counters().queued, 0);
  await sleep(250);
  assert.equal(got, 0, 'held packets are dropped by close()');
});
