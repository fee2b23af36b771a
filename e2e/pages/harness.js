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

export function sameBytes(x, y) {
  if (x.byteLength !== y.byteLength) return false;
  for (let i = 0; i < x.byteLength; i++) if (x[i] !== y[i]) return false;
  return true;
}
