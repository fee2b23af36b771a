// Browser-side helpers for e2e/pool.spec.js and bench/pool-bench.js: one side of a pool-to-pool
// setup (signaling carried by the test process in batches), a model of the pool's states kept
// from its events to check getStats() against, and a census of the page's RTCPeerConnections.
import { WebRTCConnectionPool } from '/dist/index.js';

const STATES = ['new', 'connecting', 'connected', 'disconnected', 'failed', 'closed'];

// Wraps RTCPeerConnection so the test can count what was made and what is still open.
export function trackConnections() {
  if (globalThis.__trackedConnections) return globalThis.__trackedConnections;
  const made = [];
  const Original = globalThis.RTCPeerConnection;
  globalThis.RTCPeerConnection = class extends Original {
    constructor(...args) {
      super(...args);
      made.push(new WeakRef(this));
    }
  };
  const census = {
    made: () => made.length,
    open: () => made.filter((r) => {
      const pc = r.deref();
      return pc && pc.signalingState !== 'closed';
    }).length,
  };
  globalThis.__trackedConnections = census;
  return census;
}

// One side: a pool with `ids`, candidates collected into an outbox (drained by the test), every
// state-change checked against getStats(), messages counted per peer and channel.
export function makeSide(ids, defaults = {}) {
  const pool = new WebRTCConnectionPool(defaults);
  const side = {
    pool,
    outbox: [],
    model: new Map(),  // id → state, from the pool's own state-change events
    mismatches: [],
    checks: 0,
    received: new Map(),  // `${peerId}/${type}` → [Uint8Array]
    errors: [],
  };
  pool.on('ice-candidate', ({ peerId, candidate }) => side.outbox.push([peerId, candidate]));
  pool.on('state-change', ({ peerId, oldState, newState }) => {
    if ((side.model.get(peerId) ?? 'new') !== oldState) side.mismatches.push(`${peerId}: event from ${oldState}, model had ${side.model.get(peerId)}`);
    side.model.set(peerId, newState);
    if (newState !== 'closed') checkStats(side, `state-change ${peerId} -> ${newState}`);
  });
  pool.on('closed', ({ peerId }) => side.model.delete(peerId));
  pool.on('message', ({ peerId, type, data }) => {
    const key = `${peerId}/${type}`;
    const list = side.received.get(key);
    if (list) list.push(data);
    else side.received.set(key, [data]);
  });
  pool.on('error', ({ peerId, type, error }) => side.errors.push({ peerId, type, message: error.message }));
  for (const id of ids) {
    pool.createPeer(id);
    side.model.set(id, 'new');
  }
  checkStats(side, 'created');
  return side;
}

// getStats() against the model: totals and every state's count.
export function checkStats(side, when) {
  side.checks++;
  const stats = side.pool.getStats();
  const expected = Object.fromEntries(STATES.map((s) => [s, 0]));
  for (const state of side.model.values()) expected[state]++;
  const ok = stats.totalPeers === side.model.size && stats.connectedPeers === expected.connected &&
    STATES.every((s) => stats.states[s] === expected[s]);
  if (!ok) side.mismatches.push(`${when}: getStats ${JSON.stringify(stats)} vs model ${JSON.stringify(expected)}`);
  return ok;
}

export const drain = (side) => side.outbox.splice(0);

export function deliver(side, candidates) {
  for (const [peerId, candidate] of candidates) side.pool.getPeer(peerId)?.addIceCandidate(candidate).catch(() => {});
}

export const offers = (side) =>
  Promise.all([...side.model.keys()].map(async (id) => [id, await side.pool.getPeer(id).createOffer()]));

export const answers = (side, list) =>
  Promise.all(list.map(async ([id, offer]) => [id, await side.pool.getPeer(id).createAnswer(offer)]));

export const applyAnswers = (side, list) =>
  Promise.all(list.map(([id, answer]) => side.pool.getPeer(id).setRemoteAnswer(answer)));

// Resolves when every id has received `count` messages on `type`; returns how many arrived.
export function receivedOn(side, ids, type, count, timeoutMs = 30000) {
  const done = () => ids.every((id) => (side.received.get(`${id}/${type}`)?.length ?? 0) >= count);
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const poll = () => {
      if (done()) return resolve(performance.now() - start);
      if (performance.now() - start > timeoutMs) {
        const short = ids.filter((id) => (side.received.get(`${id}/${type}`)?.length ?? 0) < count);
        return reject(new Error(`${short.length} peers still short of ${count} messages on ${type}: ${short.slice(0, 5)}`));
      }
      setTimeout(poll, 5);
    };
    poll();
  });
}

export const bytes = (n, seed) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

export function sameBytes(x, y) {
  if (x.byteLength !== y.byteLength) return false;
  for (let i = 0; i < x.byteLength; i++) if (x[i] !== y[i]) return false;
  return true;
}
