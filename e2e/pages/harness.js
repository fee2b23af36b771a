// Browser-side helpers for the e2e specs: wiring peers together in one page, waiting for events,
// and carrying signaling in and out of the page for cross-page tests.
import { WebRTCPeerEnhanced } from '/dist/index.js';

export function waitFor(emitter, name, predicate = () => true, timeoutMs = 15000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off(name, listener);
      reject(new Error(`timed out after ${timeoutMs} ms waiting for '${name}'`));
    }, timeoutMs);
    const listener = (payload) => {
      if (!predicate(payload)) return;
      clearTimeout(timer);
      emitter.off(name, listener);
      resolve(payload);
    };
    emitter.on(name, listener);
  });
}

export const connected = (peer, timeoutMs) =>
  peer.getState() === 'connected'
    ? Promise.resolve()
    : waitFor(peer, 'state-change', (e) => e.newState === 'connected', timeoutMs);

// Every event a peer emits, in order, as [name, payload].
export function record(peer, names) {
  const log = [];
  for (const name of names) peer.on(name, (payload) => log.push([name, payload]));
  return log;
}

export const ALL_EVENTS = [
  'initialized', 'state-change', 'ice-candidate', 'ice-gathering-state', 'ice-connection-state',
  'channel-created', 'channel-open', 'channel-close', 'channel-error', 'message', 'error', 'closed',
  'message-queued', 'message-sent', 'backpressure', 'channel-ready',
];

// Two library peers in this page, candidates trickled directly; resolves when both are connected.
export async function connectPair(configA = {}, configB = {}) {
  const a = new WebRTCPeerEnhanced({ peerId: 'a', ...configA });
  const b = new WebRTCPeerEnhanced({ peerId: 'b', ...configB });
  a.on('ice-candidate', ({ candidate }) => b.addIceCandidate(candidate));
  b.on('ice-candidate', ({ candidate }) => a.addIceCandidate(candidate));
  const offer = await a.createOffer();
  const answer = await b.createAnswer(offer);
  await a.setRemoteAnswer(answer);
  await Promise.all([connected(a), connected(b)]);
  return { a, b };
}

// `connected` is the transport; a channel may open a moment later, and until it does sends are
// queued without `backpressure` (a pump following the README's pattern would fill the whole
// queue). Resolves once one byte sent by `a` on each type reached `b`.
export function channelsOpen(a, b, types) {
  return new Promise((resolve, reject) => {
    const missing = new Set(types);
    const timer = setTimeout(() => reject(new Error(`channels not open: ${[...missing]}`)), 15000);
    const listener = (m) => {
      if (m.data.byteLength !== 1 || !missing.delete(m.type) || missing.size) return;
      b.off('message', listener);
      clearTimeout(timer);
      resolve();
    };
    b.on('message', listener);
    for (const t of types) a.send(new Uint8Array(1), t);
  });
}

// Resolves when `peer` has received `count` messages on `type`; returns them.
export function receive(peer, type, count, timeoutMs = 15000) {
  return new Promise((resolve, reject) => {
    const got = [];
    const timer = setTimeout(() => reject(new Error(`got ${got.length}/${count} messages on ${type}`)), timeoutMs);
    peer.on('message', (m) => {
      if (m.type !== type) return;
      got.push(m.data);
      if (got.length === count) {
        clearTimeout(timer);
        resolve(got);
      }
    });
  });
}

export const bytes = (n, seed) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

// The README's sending pattern: send until `backpressure`, then await `channel-ready`. Listens from
// creation on (so a channel-ready after the last send counts too). `limit` bounds a wait, so a stall
// fails with the state it stalled in; `describe()` adds the caller's part of that state.
export function backpressurePump(peer, type, describe = () => '') {
  const pump = { pressure: [], readies: 0, maxQueued: 0 };
  let ready = null;
  let release = null;
  const t0 = performance.now();
  peer.on('backpressure', (e) => {
    pump.pressure.push(e);
    if (e.type === type && !ready) ready = new Promise((resolve) => { release = resolve; });
  });
  peer.on('channel-ready', (e) => {
    if (e.type !== type) return;
    pump.readies++;
    release?.();
  });
  const stalled = (what) => new Error(`${what} after ${((performance.now() - t0) / 1000).toFixed(0)} s: ` +
    `${describe()}; waiting for channel-ready: ${!!ready}; ${peer.getQueueSize()} queued ` +
    `(${peer.getQueuedBytes()} B); ${pump.pressure.length} backpressure, ${pump.readies} channel-ready`);
  pump.limit = (promise, ms, what) => Promise.race([promise, new Promise((_, reject) => setTimeout(() => reject(stalled(what)), ms))]);
  // Sends make(0) … make(count - 1) on `type`; throws if it takes longer than maxMs in all.
  pump.run = async (count, make, maxMs = Infinity) => {
    for (let i = 0; i < count; i++) {
      peer.send(make(i), type);
      pump.maxQueued = Math.max(pump.maxQueued, peer.getQueuedBytes());
      if (ready) {
        await pump.limit(ready, 30_000, `no channel-ready within 30 s of backpressure at message ${i}`);
        ready = release = null;
      }
      if (performance.now() - t0 > maxMs) throw stalled('too slow');
    }
  };
  // What the pump saw, for a test's assertions.
  pump.summary = () => ({
    maxQueued: pump.maxQueued,
    readies: pump.readies,
    pressure: pump.pressure.length,
    pressureTypes: [...new Set(pump.pressure.map((e) => e.type))],
    pressureMaxBuffered: Math.max(...pump.pressure.map((e) => e.bufferedAmount)),
  });
  return pump;
}

// Chunks for long ordered transfers: chunk i is [u32 i][a pattern starting at i % 251], so the
// receiver can tell a lost, repeated, reordered or damaged chunk. check(i, data, stride) compares
// every stride-th pattern byte and returns null or what went wrong.
export function numberedChunks(chunk, seed) {
  const pattern = bytes(chunk + 256, seed);
  return {
    make(i) {
      const c = pattern.slice(i % 251, (i % 251) + chunk);
      new DataView(c.buffer).setUint32(0, i, true);
      return c;
    },
    check(i, data, stride = 1) {
      const seq = data.byteLength >= 4 ? new DataView(data.buffer, data.byteOffset, 4).getUint32(0, true) : -1;
      let ok = data.byteLength === chunk && seq === i;
      for (let k = 4; ok && k < chunk; k += stride) ok = data[k] === pattern[(i % 251) + k];
      return ok ? null : { index: i, seq, length: data.byteLength };
    },
  };
}

export function sameBytes(x, y) {
  if (x.byteLength !== y.byteLength) return false;
  for (let i = 0; i < x.byteLength; i++) if (x[i] !== y[i]) return false;
  return true;
}
