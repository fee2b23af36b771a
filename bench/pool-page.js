// Browser side of bench/pool-bench.js. Two pages of one browser, roles A (the measured side)
// and B (the far peers), signal each other over a BroadcastChannel, so no test-process round
// trip sits inside the figures. Variants, identical flow:
//   raw   N RTCPeerConnections, each with the wire contract's four negotiated channels
//   pool  one WebRTCConnectionPool with N peers (the far side: a pool too)
//   peers N stand-alone WebRTCPeerEnhanced (the far side: the same)
//   pool-quiet  a pool with metricsEnabled: false on both sides (no stats sweep, no probes)
import { WebRTCConnectionPool, WebRTCPeerEnhanced, heapUsed } from '/dist/index.js';

const role = new URLSearchParams(location.search).get('role') ?? 'A';
const other = role === 'A' ? 'B' : 'A';
const bus = new BroadcastChannel('wre-pool-bench');
const post = (msg) => bus.postMessage({ ...msg, to: other });
const clock = () => performance.timeOrigin + performance.now();  // comparable across the two pages
const CHANNELS = [
  ['control', 0, {}], ['reliable', 1, {}], ['unreliable', 2, { ordered: false, maxRetransmits: 0 }], ['file', 3, {}],
];

// ---- one side of a variant: N connections keyed by id ----

class RawSide {
  constructor(onCandidate, onMessage) {
    this.pcs = new Map();
    this.channels = new Map();  // id → reliable channel
    this.onCandidate = onCandidate;
    this.onMessage = onMessage;
    this.connected = 0;
    this.onConnected = null;
  }

  create(id) {
    const pc = new RTCPeerConnection();
    for (const [label, channelId, init] of CHANNELS) {
      const dc = pc.createDataChannel(label, { negotiated: true, id: channelId, ...init });
      dc.binaryType = 'arraybuffer';
      dc.onmessage = (e) => this.onMessage(id, label, e.data);
      if (label === 'reliable') this.channels.set(id, dc);
    }
    pc.onicecandidate = (e) => e.candidate && this.onCandidate(id, e.candidate.toJSON());
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === 'connected') {
        this.connected++;
        this.onConnected?.();
      }
    };
    this.pcs.set(id, pc);
  }

  async offer(id) {
    const pc = this.pcs.get(id);
    await pc.setLocalDescription(await pc.createOffer());
    return { type: 'offer', sdp: pc.localDescription.sdp };
  }

  async answer(id, offer) {
    const pc = this.pcs.get(id);
    await pc.setRemoteDescription(offer);
    await pc.setLocalDescription(await pc.createAnswer());
    return { type: 'answer', sdp: pc.localDescription.sdp };
  }

  applyAnswer(id, answer) {
    return this.pcs.get(id).setRemoteDescription(answer);
  }

  candidate(id, candidate) {
    this.pcs.get(id)?.addIceCandidate(candidate).catch(() => {});
  }

  broadcast(data) {
    for (const dc of this.channels.values()) dc.send(data);
  }

  close() {
    for (const pc of this.pcs.values()) pc.close();
    this.pcs.clear();
    this.channels.clear();
  }
}

class LibrarySide {
  constructor(pooled, onCandidate, onMessage, defaults = {}) {
    this.defaults = defaults;
    this.pool = pooled ? new WebRTCConnectionPool(defaults) : null;
    this.peers = new Map();
    this.onCandidate = onCandidate;
    this.onMessage = onMessage;
    this.connected = 0;
    this.onConnected = null;
    const hook = (target, id) => {
      target.on('ice-candidate', ({ peerId, candidate }) => this.onCandidate(peerId ?? id, candidate));
      target.on('message', ({ peerId, type, data }) => this.onMessage(peerId, type, data));
      target.on('state-change', ({ newState }) => {
        if (newState === 'connected') {
          this.connected++;
          this.onConnected?.();
        }
      });
    };
    if (this.pool) hook(this.pool);
    this.hook = pooled ? () => {} : hook;
  }

  create(id) {
    const peer = this.pool ? this.pool.createPeer(id) : new WebRTCPeerEnhanced({ ...this.defaults, peerId: id });
    this.hook(peer, id);
    this.peers.set(id, peer);
  }

  offer(id) {
    return this.peers.get(id).createOffer();
  }

  answer(id, offer) {
    return this.peers.get(id).createAnswer(offer);
  }

  applyAnswer(id, answer) {
    return this.peers.get(id).setRemoteAnswer(answer);
  }

  candidate(id, candidate) {
    this.peers.get(id)?.addIceCandidate(candidate).catch(() => {});
  }

  broadcast(data) {
    if (this.pool) this.pool.broadcast(data, 'reliable');
    else for (const peer of this.peers.values()) peer.send(data, 'reliable');
  }

  close() {
    if (this.pool) this.pool.closeAll();
    else for (const peer of this.peers.values()) peer.close();
    this.peers.clear();
  }
}

let side = null;
let received = 0;
let expected = Infinity;
let receivedBytes = 0;

function makeSide(variant) {
  const onCandidate = (id, candidate) => post({ kind: 'candidate', id, candidate });
  const onMessage = (id, type, data) => {
    received++;
    receivedBytes += data.byteLength;
    if (received === expected) post({ kind: 'received', at: clock(), bytes: receivedBytes });
  };
  if (variant === 'raw') return new RawSide(onCandidate, onMessage);
  // 'pool-quiet': metrics off (no getStats sweep, no probes), to show what the probes cost.
  const defaults = variant === 'pool-quiet' ? { metricsEnabled: false } : {};
  return new LibrarySide(variant.startsWith('pool'), onCandidate, onMessage, defaults);
}

// Replies from the other page, by kind: a request `x` is answered by `x-done`.
const waiting = new Map();
const reply = (kind) => new Promise((resolve) => waiting.set(kind, resolve));
function request(kind, msg = {}) {
  const done = reply(`${kind}-done`);
  post({ kind, ...msg });
  return done;
}

bus.onmessage = async ({ data: msg }) => {
  if (msg.to !== role) return;
  switch (msg.kind) {
    // B: set up a variant, answer offers, expect a count of messages, tear down.
    case 'setup':
      side?.close();
      side = makeSide(msg.variant);
      post({ kind: 'setup-done' });
      return;
    case 'offer': {
      side.create(msg.id);
      const answer = await side.answer(msg.id, msg.offer);
      post({ kind: 'answer', id: msg.id, answer });
      return;
    }
    case 'expect':
      received = 0;
      receivedBytes = 0;
      expected = msg.count;
      post({ kind: 'expect-done' });
      return;
    case 'teardown':
      side?.close();
      side = null;
      post({ kind: 'teardown-done' });
      return;
    // Both: trickle.
    case 'candidate':
      side?.candidate(msg.id, msg.candidate);
      return;
    // A: answers and replies.
    case 'answer':
      side.applyAnswer(msg.id, msg.answer);
      return;
    default:
      waiting.get(msg.kind)?.(msg);
      waiting.delete(msg.kind);
  }
};

// ---- A's measurements (called by bench/pool-bench.js) ----

const ids = (n) => Array.from({ length: n }, (_, i) => `p${i}`);

// From nothing to N connected: creating the objects, offers, answers, trickle. Returns ms.
export async function connect(variant, n, timeoutMs = 120000) {
  await request('teardown');
  await request('setup', { variant });
  side = makeSide(variant);
  const t0 = performance.now();
  const all = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${variant}: ${side.connected}/${n} connected after ${timeoutMs} ms`)), timeoutMs);
    side.onConnected = () => {
      if (side.connected === n) {
        clearTimeout(timer);
        resolve();
      }
    };
  });
  for (const id of ids(n)) side.create(id);
  await Promise.all(ids(n).map(async (id) => post({ kind: 'offer', id, offer: await side.offer(id) })));
  await all;
  return performance.now() - t0;
}

// `count` messages of `size` bytes to all N on 'reliable'. Returns the time spent in the send
// calls and until the far page had all of them.
export async function broadcast(count, size) {
  const n = side instanceof RawSide ? side.channels.size : side.peers.size;
  await request('expect', { count: count * n });
  const data = new Uint8Array(size).fill(7);
  const done = reply('received');
  const t0 = clock();
  for (let i = 0; i < count; i++) side.broadcast(data);
  const callMs = clock() - t0;
  const { at, bytes } = await done;
  return { callMs, deliveryMs: at - t0, bytes };
}

export async function teardown() {
  side?.close();
  side = null;
  await request('teardown');
}

export const wasmHeap = () => heapUsed();

// setTimeout calls per second in this page over `ms` (with the current side connected).
export async function timerRate(ms = 3000) {
  const original = globalThis.setTimeout;
  let calls = 0;
  globalThis.setTimeout = function counted(...args) {
    calls++;
    return original.apply(this, args);
  };
  await new Promise((r) => original(r, ms));
  globalThis.setTimeout = original;
  return (calls * 1000) / ms;
}

export const diagnostics = () => side?.pool?._diagnostics();

window.benchReady = true;
