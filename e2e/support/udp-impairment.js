// A small UDP impairment proxy on loopback: delay, jitter and loss, set per direction.
//
//   const proxy = await startImpairment({ targetPort: turn.port });         // 127.0.0.1:proxy.port
//   await proxy.set({ toClient: { delayMs: 100, jitterMs: 20, loss: 0.05 } }); // target → client only
//   proxy.counters();    // { toTarget: { forwarded, dropped, overflow, held, lateMeanMs, lateMaxMs }, toClient, queued, clients }
//   await proxy.clear(); // no impairment (packets already in flight still arrive when due)
//   await proxy.close();
//
// Point a client at 127.0.0.1:proxy.port instead of the target (e.g. a TURN URL
// `turn:127.0.0.1:${proxy.port}?transport=udp` with the real server's credentials). Each client
// address gets its own upstream socket, so the target sees one distinct 5-tuple per client, and
// answers on that socket go back to that client.
//
// Impairment model, per packet and per direction (toTarget: client → target, toClient: target →
// client):
//   - loss: dropped with probability `loss` (Bernoulli), drawn from a seeded PRNG (mulberry32; one
//     stream per direction, seeded from `seed`), so the same packet sequence gives the same drops;
//   - delay: held for delayMs + U[0, jitterMs) ms, the uniform part drawn independently per packet.
// Packet order: by default each packet's delay is independent, so packets closer together than
// the jitter can overtake each other, as on a real path whose delay varies per packet. This is
// also what the usual jitter arithmetic assumes (i.i.d. delays; e.g. RFC 3550's J tends to
// E|X1 - X2| = jitterMs / 3 for uniform X). `keepOrder: true` instead releases each packet no
// earlier than the one before it in the same flow (one FIFO queue per client and direction):
// nothing is reordered, but a packet behind a slower one waits, so the delays are no longer
// independent and their mean rises above delayMs + jitterMs / 2.
//
// The proxy runs in its own worker thread, so a busy caller (a Playwright worker drives the
// browser over CDP on its event loop) cannot hold packets back; set() and clear() resolve once
// the proxy thread applies them, counters() reads shared memory synchronously.
//
// Bounds: at most `maxQueued` packets held at once (beyond that a packet is dropped and counted
// as `overflow`); at most `maxClients` client addresses (the least recently active one is evicted
// first); a client silent for `idleMs` is forgotten and its upstream socket closed. One timer
// serves the whole delay queue (for its earliest packet; see arm()) and one interval sweeps idle
// clients; close() clears both and ends the thread. Only loopback is used: the proxy binds
// 127.0.0.1 (IPv4) and refuses a target outside 127.0.0.0/8.
import dgram from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const LISTEN_HOST = '127.0.0.1';
const MAX_DELAY_MS = 60_000;
const DIRECTIONS = ['toTarget', 'toClient'];
const NO_IMPAIRMENT = Object.freeze({ delayMs: 0, jitterMs: 0, loss: 0 });
// Room for bursts while the proxy thread is descheduled (the kernel caps it at net.core.rmem_max).
const SOCKET = { type: 'udp4', recvBufferSize: 2 << 20, sendBufferSize: 2 << 20 };

/** mulberry32: a tiny seeded PRNG with uniform output in [0, 1). */
export function mulberry32(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function isLoopback(host) {
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function checkProfile(dir, profile) {
  if (profile === null || typeof profile !== 'object') throw new TypeError(`${dir}: expected an object`);
  for (const key of Object.keys(profile)) {
    if (!(key in NO_IMPAIRMENT)) throw new TypeError(`${dir}.${key}: unknown field (delayMs, jitterMs, loss)`);
  }
  const out = { ...NO_IMPAIRMENT, ...profile };
  for (const key of ['delayMs', 'jitterMs']) {
    const v = out[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > MAX_DELAY_MS) {
      throw new RangeError(`${dir}.${key} must be a number in [0, ${MAX_DELAY_MS}], got ${v}`);
    }
  }
  if (out.delayMs + out.jitterMs > MAX_DELAY_MS) throw new RangeError(`${dir}: delayMs + jitterMs > ${MAX_DELAY_MS}`);
  if (typeof out.loss !== 'number' || !(out.loss >= 0 && out.loss <= 1)) {
    throw new RangeError(`${dir}.loss must be a probability in [0, 1], got ${out.loss}`);
  }
  return Object.freeze(out);
}

// Binary min-heap of scheduled packets, by due time then insertion order.
class DueHeap {
  #items = [];
  get size() {
    return this.#items.length;
  }
  peek() {
    return this.#items[0];
  }
  static #less(a, b) {
    return a.due < b.due || (a.due === b.due && a.n < b.n);
  }
  push(item) {
    const h = this.#items;
    h.push(item);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!DueHeap.#less(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }
  pop() {
    const h = this.#items;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && DueHeap.#less(h[l], h[m])) m = l;
        if (r < h.length && DueHeap.#less(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
  clear() {
    this.#items = [];
  }
}

// Shared counters (Float64Array slots): per direction forwarded, dropped, overflow, late count,
// late sum, late max; then packets held and clients.
const SLOT = { forwarded: 0, dropped: 1, overflow: 2, lateN: 3, lateSum: 4, lateMax: 5 };
const PER_DIR = 6;
const DIR_BASE = { toTarget: 0, toClient: PER_DIR };
const QUEUED = 2 * PER_DIR;
const CLIENTS = QUEUED + 1;
const SLOTS = CLIENTS + 1;

// The proxy itself, in the worker thread: options checked by the caller; counters written to `c`.
async function runProxy({ targetPort, host, seed, keepOrder, maxQueued, maxClients, idleMs }, c) {
  const profiles = { toTarget: NO_IMPAIRMENT, toClient: NO_IMPAIRMENT };
  const random = { toTarget: mulberry32(seed), toClient: mulberry32((seed ^ 0x9e3779b9) >>> 0) };
  const count = (dir, slot, by = 1) => (c[DIR_BASE[dir] + slot] += by);
  const clients = new Map(); // "address:port" → { address, port, upstream, lastActive, lastDue, gone }
  const heap = new DueHeap();
  let seq = 0;
  let timer = null;
  let timerDue = Infinity;
  let closed = false;

  const listener = dgram.createSocket(SOCKET);
  listener.on('error', () => {}); // e.g. ICMP port unreachable from a client that went away
  await new Promise((resolve, reject) => {
    listener.once('error', reject);
    listener.bind({ port: 0, address: LISTEN_HOST, exclusive: true }, () => {
      listener.off('error', reject);
      resolve();
    });
  });

  function forget(key) {
    const client = clients.get(key);
    if (!client) return;
    clients.delete(key);
    c[CLIENTS] = clients.size;
    client.gone = true;
    try {
      client.upstream.close();
    } catch {
      // already closed
    }
  }

  function clientFor(rinfo) {
    const key = `${rinfo.address}:${rinfo.port}`;
    let client = clients.get(key);
    if (client) {
      // Keep the Map in least-recently-active order (eviction takes the first entry).
      clients.delete(key);
      clients.set(key, client);
      return client;
    }
    if (clients.size >= maxClients) forget(clients.keys().next().value);
    const upstream = dgram.createSocket(SOCKET);
    client = { address: rinfo.address, port: rinfo.port, upstream, lastActive: 0, lastDue: { toTarget: 0, toClient: 0 }, gone: false };
    const self = client;
    upstream.on('error', () => {});
    upstream.on('message', (msg) => {
      if (closed || self.gone) return;
      self.lastActive = performance.now();
      impair('toClient', self, msg);
    });
    upstream.bind({ port: 0, address: LISTEN_HOST });
    clients.set(key, client);
    c[CLIENTS] = clients.size;
    return client;
  }

  function deliver(item, now) {
    const { dir, client, msg } = item;
    if (closed || client.gone) return;
    count(dir, SLOT.forwarded);
    if (now !== undefined) {
      // How late a held packet leaves: timer slack, or this thread descheduled.
      const by = Math.max(0, now - item.due);
      count(dir, SLOT.lateN);
      count(dir, SLOT.lateSum, by);
      const max = DIR_BASE[dir] + SLOT.lateMax;
      c[max] = Math.max(c[max], by);
    }
    if (dir === 'toTarget') client.upstream.send(msg, targetPort, host);
    else listener.send(msg, client.port, client.address);
  }

  // One timer for the earliest held packet. libuv timers count whole milliseconds from a loop
  // time that may be stale, so they fire up to ~1 ms off either way: the timer is set to wake
  // just before the packet is due and the last fraction of a millisecond is waited out with
  // setImmediate (a few loop turns, at most ~1 ms), which keeps releases within ~0.3 ms.
  function arm() {
    if (closed || heap.size === 0) return;
    const due = heap.peek().due;
    if (timer && due >= timerDue) return;
    cancel();
    timerDue = due;
    const wait = due - performance.now();
    if (wait < 1.5) timer = { immediate: setImmediate(flush) };
    else timer = { timeout: setTimeout(flush, Math.floor(wait - 1)) };
  }

  function cancel() {
    if (timer?.timeout) clearTimeout(timer.timeout);
    if (timer?.immediate) clearImmediate(timer.immediate);
    timer = null;
    timerDue = Infinity;
  }

  function flush() {
    timer = null;
    timerDue = Infinity;
    const now = performance.now();
    while (heap.size > 0 && heap.peek().due <= now + 0.05) deliver(heap.pop(), now);
    c[QUEUED] = heap.size;
    arm();
  }

  function impair(dir, client, msg) {
    const p = profiles[dir];
    if (p.loss > 0 && random[dir]() < p.loss) {
      count(dir, SLOT.dropped);
      return;
    }
    // Same stream as the loss draws: for a given profile and packet sequence, the same drops.
    const extra = p.delayMs + (p.jitterMs > 0 ? random[dir]() * p.jitterMs : 0);
    if (extra === 0 && (!keepOrder || client.lastDue[dir] <= performance.now())) {
      deliver({ dir, client, msg });
      return;
    }
    if (heap.size >= maxQueued) {
      count(dir, SLOT.overflow);
      return;
    }
    let due = performance.now() + extra;
    if (keepOrder) due = Math.max(due, client.lastDue[dir]);
    client.lastDue[dir] = due;
    heap.push({ due, n: seq++, dir, client, msg });
    c[QUEUED] = heap.size;
    arm();
  }

  listener.on('message', (msg, rinfo) => {
    if (closed) return;
    const client = clientFor(rinfo);
    client.lastActive = performance.now();
    impair('toTarget', client, msg);
  });

  const sweeper = setInterval(() => {
    const cutoff = performance.now() - idleMs;
    for (const [key, client] of clients) if (client.lastActive < cutoff) forget(key);
  }, Math.max(50, Math.min(idleMs / 2, 10_000)));

  return {
    port: listener.address().port,
    set(next) {
      Object.assign(profiles, next);
    },
    async close() {
      if (closed) return;
      closed = true;
      cancel();
      clearInterval(sweeper);
      heap.clear();
      c[QUEUED] = 0;
      for (const key of [...clients.keys()]) forget(key);
      await new Promise((resolve) => listener.close(resolve));
    },
  };
}

// Worker entry: one proxy per thread, driven by messages { id, op: 'set' | 'close', profiles }.
if (!isMainThread && workerData?.udpImpairment) {
  const { options, shared } = workerData.udpImpairment;
  const proxy = await runProxy(options, new Float64Array(shared));
  parentPort.on('message', async ({ id, op, profiles }) => {
    if (op === 'set') proxy.set(profiles);
    if (op === 'close') {
      await proxy.close();
      parentPort.postMessage({ id });
      parentPort.close(); // nothing left: the thread exits
      return;
    }
    parentPort.postMessage({ id });
  });
  parentPort.postMessage({ ready: true, port: proxy.port });
}

/**
 * Starts the proxy on a free 127.0.0.1 UDP port, forwarding to host:targetPort, in its own thread.
 * @param {{ targetPort: number, host?: string, seed?: number, keepOrder?: boolean,
 *           maxQueued?: number, maxClients?: number, idleMs?: number }} options
 */
export async function startImpairment({
  targetPort,
  host = '127.0.0.1',
  seed = 1,
  keepOrder = false,
  maxQueued = 10_000,
  maxClients = 64,
  idleMs = 30_000,
} = {}) {
  if (!Number.isInteger(targetPort) || targetPort < 1 || targetPort > 65535) {
    throw new RangeError(`targetPort must be a UDP port, got ${targetPort}`);
  }
  if (!isLoopback(host)) throw new Error(`udp-impairment: target host must be loopback, got ${host}`);
  for (const [name, v] of Object.entries({ maxQueued, maxClients, idleMs })) {
    if (!Number.isFinite(v) || v < 1) throw new RangeError(`${name} must be a positive number, got ${v}`);
  }

  const shared = new SharedArrayBuffer(SLOTS * Float64Array.BYTES_PER_ELEMENT);
  const c = new Float64Array(shared);
  const options = { targetPort, host, seed: Number(seed) >>> 0, keepOrder: !!keepOrder, maxQueued, maxClients, idleMs };
  const worker = new Worker(new URL(import.meta.url), { workerData: { udpImpairment: { options, shared } } });
  const exited = new Promise((resolve) => worker.once('exit', resolve));
  const waiting = new Map();
  let nextId = 1;
  let failure = null;
  let closing = null;
  let current = { toTarget: NO_IMPAIRMENT, toClient: NO_IMPAIRMENT };
  const { port } = await new Promise((resolve, reject) => {
    const onError = (err) => reject(err);
    const onExit = (code) => reject(new Error(`udp-impairment: proxy thread exited (${code}) during start`));
    worker.once('error', onError);
    worker.once('exit', onExit);
    worker.once('message', (m) => {
      worker.off('error', onError);
      worker.off('exit', onExit);
      if (m.ready) resolve(m);
      else reject(new Error('udp-impairment: unexpected start message'));
    });
  });
  worker.on('error', (err) => {
    failure = err;
    for (const done of waiting.values()) done(err);
    waiting.clear();
  });
  worker.on('message', ({ id }) => {
    const done = waiting.get(id);
    waiting.delete(id);
    done?.();
  });
  const ask = (op, profiles) => {
    if (failure) return Promise.reject(failure);
    if (closing) return Promise.reject(new Error('udp-impairment: proxy closed'));
    const id = nextId++;
    return new Promise((resolve, reject) => {
      waiting.set(id, (err) => (err ? reject(err) : resolve()));
      worker.postMessage({ id, op, profiles });
    });
  };

  return {
    host: LISTEN_HOST,
    port,
    target: { host, port: targetPort },
    /**
     * Sets the impairment of the directions given (each replaced as a whole; fields left out are
     * 0); directions not mentioned are unchanged. Throws at once on a bad spec; resolves when the
     * proxy thread applies it.
     * @param {{ toTarget?: {delayMs?: number, jitterMs?: number, loss?: number},
     *           toClient?: {delayMs?: number, jitterMs?: number, loss?: number} }} spec
     */
    set(spec) {
      if (spec === null || typeof spec !== 'object') throw new TypeError('set(): expected { toTarget?, toClient? }');
      for (const key of Object.keys(spec)) {
        if (!DIRECTIONS.includes(key)) throw new TypeError(`set(): unknown direction ${key} (toTarget, toClient)`);
      }
      const next = {};
      for (const dir of DIRECTIONS) if (spec[dir] !== undefined) next[dir] = checkProfile(dir, spec[dir]);
      current = { ...current, ...next };
      return ask('set', next);
    },
    /** No impairment in either direction (packets already held are still delivered when due). */
    clear() {
      current = { toTarget: NO_IMPAIRMENT, toClient: NO_IMPAIRMENT };
      return ask('set', current);
    },
    /** The impairment last set, per direction. */
    get impairment() {
      return { ...current };
    },
    /**
     * Per direction: packets forwarded, dropped (loss) and overflow (queue full); of the forwarded,
     * how many were held (delayed) and how late they left (lateMeanMs, lateMaxMs: timer slack, or
     * the proxy thread descheduled). Then packets held now (queued) and clients.
     */
    counters() {
      const dir = (d) => {
        const at = (slot) => c[DIR_BASE[d] + slot];
        return {
          forwarded: at(SLOT.forwarded),
          dropped: at(SLOT.dropped),
          overflow: at(SLOT.overflow),
          held: at(SLOT.lateN),
          lateMeanMs: at(SLOT.lateN) ? at(SLOT.lateSum) / at(SLOT.lateN) : 0,
          lateMaxMs: at(SLOT.lateMax),
        };
      };
      return { toTarget: dir('toTarget'), toClient: dir('toClient'), queued: c[QUEUED], clients: c[CLIENTS] };
    },
    /** Stops forwarding, drops held packets, closes every socket, ends the thread. Safe to call twice. */
    close() {
      if (!closing) {
        closing = (async () => {
          if (!failure) {
            const id = nextId++;
            await new Promise((resolve) => {
              waiting.set(id, resolve);
              worker.postMessage({ id, op: 'close' });
            });
          }
          // The thread exits by itself once its sockets and timers are gone; make sure of it.
          const timer = setTimeout(() => worker.terminate(), 2000);
          await exited;
          clearTimeout(timer);
        })();
      }
      return closing;
    },
  };
}
