// Idle cost: connected pairs that carry nothing, for bench/run.js's `idle` scenario, which reads
// the page's main-thread task time from the DevTools performance counters while they sit idle.
//   raw             plain RTCPeerConnections with the same four negotiated channels as ours
//   ours            WebRTCPeerEnhanced, default config
//   ours-nometrics  WebRTCPeerEnhanced, metricsEnabled: false
//   ours-listening  WebRTCPeerEnhanced, default config, and the app listens for `metrics`
//   pool            WebRTCConnectionPool peers, default config (one pool per side)
import { WebRTCPeerEnhanced, WebRTCConnectionPool } from '/dist/index.js';

const LABELS = ['control', 'reliable', 'unreliable', 'file'];
const INITS = [{}, {}, { ordered: false, maxRetransmits: 0 }, {}];
const pairs = [];
let lastRaw = [];

function rawPeer() {
  const pc = new RTCPeerConnection();
  const channels = LABELS.map((label, id) => pc.createDataChannel(label, { negotiated: true, id, ...INITS[id] }));
  // A listener on every channel, as an app would have.
  for (const dc of channels) dc.onmessage = () => {};
  const open = Promise.all(channels.map((dc) => new Promise((r) => { dc.onopen = r; })));
  return { pc, channels, open, close: () => pc.close() };
}

async function rawPair() {
  const a = rawPeer();
  const b = rawPeer();
  a.pc.onicecandidate = (e) => e.candidate && b.pc.addIceCandidate(e.candidate);
  b.pc.onicecandidate = (e) => e.candidate && a.pc.addIceCandidate(e.candidate);
  await a.pc.setLocalDescription();
  await b.pc.setRemoteDescription(a.pc.localDescription);
  await b.pc.setLocalDescription();
  await a.pc.setRemoteDescription(b.pc.localDescription);
  await Promise.all([a.open, b.open]);
  lastRaw = [a, b];
  return () => { a.close(); b.close(); };
}

function channelsOpen(peer) {
  let open = 0;
  return new Promise((resolve) => peer.on('channel-open', () => { if (++open === LABELS.length) resolve(); }));
}

async function connect(a, b) {
  a.on('ice-candidate', ({ candidate }) => b.addIceCandidate(candidate));
  b.on('ice-candidate', ({ candidate }) => a.addIceCandidate(candidate));
  for (const p of [a, b]) p.on('message', () => {});
  const open = Promise.all([channelsOpen(a), channelsOpen(b)]);
  const answer = await b.createAnswer(await a.createOffer());
  await a.setRemoteAnswer(answer);
  await open;
}

async function oursPair(config, i, { listen = false } = {}) {
  const a = new WebRTCPeerEnhanced({ peerId: `idle-a${i}`, ...config });
  const b = new WebRTCPeerEnhanced({ peerId: `idle-b${i}`, ...config });
  if (listen) for (const p of [a, b]) p.on('metrics', () => {});
  await connect(a, b);
  return () => { a.close(); b.close(); };
}

let pools = null;
async function poolPair(i) {
  pools ??= [new WebRTCConnectionPool({}), new WebRTCConnectionPool({})];
  await connect(pools[0].createPeer(`idle-a${i}`), pools[1].createPeer(`idle-b${i}`));
  return () => { pools[0].removePeer(`idle-a${i}`); pools[1].removePeer(`idle-b${i}`); };
}

// Diagnostics: a raw pair plus what the library does on its own, in plain JS.
async function rawBusyPair({ everyMs = 0, statsMs = 0 }) {
  const close = await rawPair();
  const stop = [];
  for (const peer of lastRaw) {
    const dc = peer.channels[2];
    const msg = new Uint8Array(29);
    if (everyMs) { const t = setInterval(() => dc.readyState === 'open' && dc.send(msg), everyMs); stop.push(() => clearInterval(t)); }
    if (statsMs) { const t = setInterval(() => peer.pc.getStats(), statsMs); stop.push(() => clearInterval(t)); }
  }
  return () => { stop.forEach((f) => f()); close(); };
}

// One page-wide timer sends every pair's heartbeat.
const batch = new Set();
let batchTimer = null;
async function rawBatchedPair(everyMs, statsEvery = 0) {
  const close = await rawPair();
  const peers = lastRaw;
  const msg = new Uint8Array(29);
  let n = 0;
  const beat = () => { n++; for (const p of peers) { p.channels[2].send(msg); if (statsEvery && n % statsEvery === 0) p.pc.getStats(); } };
  batch.add(beat);
  batchTimer ??= setInterval(() => batch.forEach((f) => f()), everyMs);
  return () => { batch.delete(beat); if (!batch.size) { clearInterval(batchTimer); batchTimer = null; } close(); };
}

const makers = {
  'raw-batched1s': () => rawBatchedPair(1000),
  'raw-batched512': () => rawBatchedPair(512),
  'raw-batched1s-stats5s': () => rawBatchedPair(1000, 5),
  raw: () => rawPair(),
  'raw-msg1s': () => rawBusyPair({ everyMs: 1000 }),
  'raw-msg50ms': () => rawBusyPair({ everyMs: 50 }),
  'raw-stats5s': () => rawBusyPair({ statsMs: 5000 }),
  ours: (i) => oursPair({}, i),
  'ours-nometrics': (i) => oursPair({ metricsEnabled: false }, i),
  'ours-listening': (i) => oursPair({}, i, { listen: true }),
  // Diagnostics: probes without stats sweeps; sparse probes at a 1024 ms heartbeat pace.
  'ours-nostats': (i) => oursPair({ metricsInterval: 86400000 }, i),
  'ours-hb6000': (i) => oursPair({ heartbeatTimeout: 6000 }, i),
  pool: (i) => poolPair(i),
};

// Connects n pairs of `variant`, a few at a time (all at once would time out ICE on 2 cores).
export async function idleStart(variant, n) {
  const make = makers[variant];
  if (!make) throw new Error(`idle: unknown variant ${variant}`);
  for (let i = 0; i < n; i += 5) {
    const batch = [];
    for (let j = i; j < Math.min(n, i + 5); j++) batch.push(make(j));
    pairs.push(...(await Promise.all(batch)));
  }
  return pairs.length;
}

export function idleStop() {
  for (const close of pairs.splice(0)) close();
  pools?.forEach((p) => p.closeAll());
  pools = null;
}
