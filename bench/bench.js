// Benchmark scenarios, driven by bench/run.js (or by hand from the console of bench/bench.html).
// Every run connects a fresh pair over loopback, measures, closes, and returns plain JSON.
// Figures, not pass/fail: run.js interleaves the variants, repeats them and takes medians.
//
// Layouts: both peers in one page (throughput(), chat()), or sender and receiver in two pages of
// the same browser (send() / receive(), signaling over a BroadcastChannel) - two renderer
// processes, as two machines would have.
//
// Variants:
//   raw          plain RTCPeerConnections with negotiated RTCDataChannels
//   ours         WebRTCPeerEnhanced: `reliable` for throughput; `file` + `reliable` for chat
//   simple-peer  simple-peer 9 (its one data channel), loaded as a UMD script by bench.html
//
// Fair backpressure: every sender keeps at most HIGH bytes in the browser's buffer and resumes
// at LOW. raw and simple-peer check bufferedAmount before each send and await
// `bufferedamountlow` (threshold LOW); ours is configured with maxBufferedAmount HIGH and
// lowWaterMark LOW and follows the README's pattern: send until `backpressure`, then await
// `channel-ready`.
import { HIGH, LOW, byteCounter, connectedPromise, mark, once, pumpRaw, rawPair, sleep, withTimeout } from './page-helpers.js';

export { HIGH, LOW };

// The package as shipped (dist/, one bundled module); with `?modules`, the same sources as readable
// modules (build/modules/), for profile(), which patches the library's own shims.
const LIB = location.search.includes('modules') ? '/build/modules/' : '/dist/';
const { WebRTCPeerEnhanced, heapUsed } = await import(`${LIB}index.js`);

// [f64 send time][u32 seq][u32 file bytes handed to send() before it]: smaller than any bulk message
const CHAT_BYTES = 16;

// Where the current run is, for run.js to show if a run times out.
export const state = { phase: 'idle' };
const phase = (p) => { state.phase = p; state.at = performance.now(); };

// run.js exposes benchMark(label) (mark): it records the CPU time the browser's renderer threads have
// used so far (Linux schedstat), so a run's CPU cost is known however busy the machine is.

// ---------------------------------------------------------------------------------------------
// Pairs: { tx, rx, close } with tx/rx objects specific to the variant.

async function connectOurs(a, b) {
  a.on('ice-candidate', ({ candidate }) => b.addIceCandidate(candidate));
  b.on('ice-candidate', ({ candidate }) => a.addIceCandidate(candidate));
  const up = Promise.all([connectedPromise(a), connectedPromise(b)]);
  const offer = await a.createOffer();
  const answer = await b.createAnswer(offer);
  await a.setRemoteAnswer(answer);
  await withTimeout(up, 15000, 'our peers to connect');
}

// `connected` is the transport: a channel may open a moment later, and until then our sends are
// queued without `backpressure` (a pump would fill the whole queue). One byte each way through
// every channel the run uses proves they are open; the far side resolves when it has them all.
function warmedUp(peer, types) {
  const missing = new Set(types);
  return new Promise((resolve) => {
    const listener = (m) => {
      if (m.data.byteLength !== 1 || !missing.delete(m.type) || missing.size) return;
      peer.off('message', listener);
      resolve();
    };
    peer.on('message', listener);
  });
}
const WARM_TYPES = ['reliable', 'file'];

async function oursPair(config = {}) {
  const a = new WebRTCPeerEnhanced({ peerId: 'bench-a', maxBufferedAmount: HIGH, lowWaterMark: LOW, ...config });
  const b = new WebRTCPeerEnhanced({ peerId: 'bench-b', maxBufferedAmount: HIGH, lowWaterMark: LOW, ...config });
  const warm = warmedUp(b, WARM_TYPES);
  await connectOurs(a, b);
  for (const t of WARM_TYPES) a.send(new Uint8Array(1), t);
  await withTimeout(warm, 15000, 'our channels to open');
  return { tx: a, rx: b, close: () => { a.close(); b.close(); } };
}

// ---------------------------------------------------------------------------------------------
// Senders that respect the same HIGH/LOW bounds; each returns once the last send was accepted.

// `progress.bytes` counts the bytes handed to send() so far (the chat scenario reads it); pumpRaw
// is in page-helpers.js.
async function pumpSimplePeer(sp, msg, count, progress = { bytes: 0 }) {
  const size = msg.byteLength;
  for (let i = 0; i < count; i++) {
    if (sp.bufferSize + size > HIGH) await once(sp._channel, 'bufferedamountlow');
    sp.send(msg);
    progress.bytes += size;
  }
}

// The README's pattern: send until `backpressure` (our queue started holding messages), then
// await `channel-ready` (that queue drained).
async function pumpOurs(peer, type, msg, count, progress = { bytes: 0 }) {
  let ready = null;
  let release = null;
  let sent = 0;
  const onBackpressure = (e) => {
    if (e.type === type && !ready) ready = new Promise((resolve) => { release = resolve; });
  };
  const onReady = (e) => {
    if (e.type === type && release) release();
  };
  state.ours = () => ({ sent, waiting: !!ready, queued: peer.getQueueSize(), queuedBytes: peer.getQueuedBytes(), state: peer.getState() });
  peer.on('backpressure', onBackpressure);
  peer.on('channel-ready', onReady);
  try {
    for (let i = 0; i < count; i++) {
      peer.send(msg, type);
      sent++;
      progress.bytes += msg.byteLength;
      if (ready) {
        await ready;
        ready = release = null;
      }
    }
  } finally {
    peer.off('backpressure', onBackpressure);
    peer.off('channel-ready', onReady);
  }
}

// Counts received bytes; `done` resolves with the time of the receipt that completes `total`.

// ---------------------------------------------------------------------------------------------
// Chat latency under a saturating bulk transfer. A transfer of `fileBytes` in 16 KiB messages
// runs at full speed (same HIGH/LOW backpressure as above); every `intervalMs` a 16-byte chat
// message carrying the send time is sent, from `warmupMs` after the transfer started until it
// ends. One-way latency = receipt time - send time.
//
//   ours         file on `file`, chat on `reliable` (what the library is for)
//   ours-single  file and chat both on `reliable`: one shared channel through our queue
//   raw-single   one raw channel carrying both: chat goes behind the buffered file data
//   raw-split    two raw channels (file, chat): the browser's own per-stream scheduling
//   simple-peer  simple-peer's one channel carrying both
//
// Two layouts: both peers in this page (`chat`, one clock: performance.now()), or sender and
// receiver in two pages (`chatSend` / `chatReceive`, signaling over a BroadcastChannel, clocks
// related by a ping exchange). In one page a single main thread runs both the sender and the
// receiver, so every message delivered to it waits its turn there, whatever its channel; two
// pages (two renderer processes) are what two real machines look like.

export const CHAT_VARIANTS = ['ours', 'raw-single', 'ours-single', 'simple-peer', 'raw-split'];

// Signaling links: { post(kind, body), next(kind), onSignal(fn), close() }. `ping` is answered
// at once with this side's absolute clock (performance.timeOrigin + performance.now()), `hello`
// with `welcome`.
const absNow = () => performance.timeOrigin + performance.now();

function makeLink(postRaw, role) {
  const waiting = new Map();
  const queued = new Map();
  let onSignal = null;
  const pendingSignals = [];
  const list = (m, k) => m.get(k) ?? m.set(k, []).get(k);
  const link = {
    role,
    post: (kind, body) => postRaw({ from: role, kind, body }),
    next: (kind) => (queued.get(kind)?.length ? Promise.resolve(queued.get(kind).shift()) : new Promise((r) => list(waiting, kind).push(r))),
    onSignal(fn) {
      onSignal = fn;
      for (const sig of pendingSignals.splice(0)) fn(sig);
    },
    receive(msg) {
      if (msg.from === role) return;
      if (msg.kind === 'ping') return link.post('pong', { t1: msg.body, t: absNow() });
      if (msg.kind === 'hello') return link.post('welcome', null);
      if (msg.kind === 'signal') return onSignal ? onSignal(msg.body) : pendingSignals.push(msg.body);
      const w = waiting.get(msg.kind);
      if (w?.length) w.shift()(msg.body);
      else list(queued, msg.kind).push(msg.body);
    },
    close() {},
  };
  return link;
}

function localLinks() {
  const a = makeLink((m) => queueMicrotask(() => b.receive(structuredClone(m))), 'A');
  const b = makeLink((m) => queueMicrotask(() => a.receive(structuredClone(m))), 'B');
  return [a, b];
}

function broadcastLink(runId, role) {
  const bc = new BroadcastChannel(`wre-bench-${runId}`);
  const link = makeLink((m) => bc.postMessage(m), role);
  bc.onmessage = (e) => link.receive(e.data);
  link.close = () => bc.close();
  return link;
}

// Signals are handled strictly in order (a candidate may not overtake the description).
function serially(fn) {
  let chain = Promise.resolve();
  return (x) => { chain = chain.then(() => fn(x)).catch((e) => console.error('bench signaling:', e)); };
}

// One side of a connection: A sends (file + chat), B receives. Resolves once A's channels are
// open (A) or once B is connected (B). A: { pumpFile(count, msg, progress), sendChat(m), close };
// B: { onData(fn), close }; onData gets every user message as a Uint8Array.
async function chatSide(variant, link) {
  const isA = link.role === 'A';
  phase(`${variant} ${link.role}: connecting`);
  if (variant.startsWith('raw-single') || variant.startsWith('raw-split')) {
    const labels = variant.startsWith('raw-split') ? ['file', 'chat'] : ['file'];
    // raw-single-probed: plus an unordered, unretransmitted channel carrying 20 small messages a
    // second each way (what our probes do), to tell the browser's behaviour from ours
    const probed = variant === 'raw-single-probed' || variant === 'raw-single-chatty';
    const probeInit = variant === 'raw-single-chatty' ? {} : { ordered: false, maxRetransmits: 0 };
    const prio = variant === 'raw-split-prio' ? ['very-low', 'medium'] : [undefined, undefined];
    const pc = new RTCPeerConnection();
    pc.onicecandidate = (e) => e.candidate && link.post('signal', { candidate: e.candidate.toJSON() });
    const dcs = labels.map((label, id) => {
      const dc = pc.createDataChannel(label, { negotiated: true, id, ...(prio[id] ? { priority: prio[id] } : {}) });
      dc.binaryType = 'arraybuffer';
      dc.bufferedAmountLowThreshold = LOW;
      return dc;
    });
    const opened = Promise.all(dcs.map((dc) => (dc.readyState === 'open' ? null : once(dc, 'open'))));
    // A candidate can be posted before the description it belongs to (its event may fire before
    // setLocalDescription resolves): hold it until the remote description is set.
    const held = [];
    link.onSignal(serially(async (sig) => {
      if (sig.candidate) return pc.remoteDescription ? pc.addIceCandidate(sig.candidate) : held.push(sig.candidate);
      await pc.setRemoteDescription(sig.description);
      for (const c of held.splice(0)) await pc.addIceCandidate(c);
      if (sig.description.type === 'offer') {
        await pc.setLocalDescription();
        link.post('signal', { description: pc.localDescription.toJSON() });
      }
    }));
    if (isA) {
      await pc.setLocalDescription();
      link.post('signal', { description: pc.localDescription.toJSON() });
    }
    await withTimeout(opened, 15000, `${variant} channels to open`);
    let probeTimer = null;
    if (probed) {
      const pdc = pc.createDataChannel('probe', { negotiated: true, id: 5, ...probeInit });
      pdc.binaryType = 'arraybuffer';
      pdc.onmessage = () => {};
      probeTimer = setInterval(() => pdc.readyState === 'open' && pdc.send(new Uint8Array(29)), 50);
    }
    const close = () => { clearInterval(probeTimer); pc.close(); };
    if (!isA) return { onData: (fn) => { for (const dc of dcs) dc.onmessage = (e) => fn(new Uint8Array(e.data)); }, close };
    const chatDc = dcs[dcs.length - 1];
    return { pumpFile: (count, msg, progress) => pumpRaw(dcs[0], msg, count, progress), sendChat: (m) => chatDc.send(m), close };
  }
  if (variant.startsWith('ours')) {
    const extra = variant.endsWith('-nometrics') ? { metricsEnabled: false } : variant.endsWith('-nostats') ? { metricsInterval: 86400000 } : {};
    const peer = new WebRTCPeerEnhanced({ peerId: `bench-${link.role}`, maxBufferedAmount: HIGH, lowWaterMark: LOW, ...extra });
    const up = connectedPromise(peer);
    const warm = isA ? null : warmedUp(peer, WARM_TYPES);
    peer.on('ice-candidate', ({ candidate }) => link.post('signal', { candidate }));
    link.onSignal(serially(async (sig) => {
      if (sig.candidate) return peer.addIceCandidate(sig.candidate);
      if (sig.description.type === 'offer') return link.post('signal', { description: await peer.createAnswer(sig.description) });
      return peer.setRemoteAnswer(sig.description);
    }));
    if (isA) link.post('signal', { description: await peer.createOffer() });
    await withTimeout(up, 15000, 'our peers to connect');
    // A's warm-up bytes reach B once A's channels are open; A pumps only after B's `go`.
    if (isA) for (const t of WARM_TYPES) peer.send(new Uint8Array(1), t);
    else await withTimeout(warm, 15000, 'our channels to open');
    const close = () => peer.close();
    if (!isA) return { onData: (fn) => peer.on('message', (m) => fn(m.data)), close };
    const fileType = variant.startsWith('ours-single') ? 'reliable' : 'file';
    return { pumpFile: (count, msg, progress) => pumpOurs(peer, fileType, msg, count, progress), sendChat: (m) => peer.send(m, 'reliable'), close };
  }
  if (variant === 'simple-peer') {
    const SimplePeer = globalThis.SimplePeer;
    const sp = new SimplePeer({ initiator: isA, trickle: true, config: { iceServers: [] } });
    sp.on('signal', (s) => link.post('signal', { sp: s }));
    link.onSignal((sig) => sp.signal(sig.sp));
    await withTimeout(new Promise((r) => sp.once('connect', r)), 15000, 'simple-peer to connect');
    sp._channel.bufferedAmountLowThreshold = LOW;
    const close = () => sp.destroy();
    if (!isA) return { onData: (fn) => sp.on('data', (d) => fn(d)), close };
    return { pumpFile: (count, msg, progress) => pumpSimplePeer(sp, msg, count, progress), sendChat: (m) => sp.send(m), close };
  }
  throw new Error(`bench: unknown variant ${variant}`);
}

const CHAT_DEFAULTS = { fileBytes: 32 << 20, fileChunk: 16384, intervalMs: 20, warmupMs: 100 };

// Sender: waits for `go`, runs the transfer with chat, posts `done` {chats, fileBytes}.
async function runSender(side, link, opts) {
  const { fileBytes, fileChunk, intervalMs, warmupMs } = { ...CHAT_DEFAULTS, ...opts };
  const count = Math.ceil(fileBytes / fileChunk);
  const fileMsg = new Uint8Array(fileChunk).fill(1);
  phase('sender: waiting for go');
  await link.next('go');
  phase('sender: sending');
  let fileSent = false;
  const progress = { bytes: 0 };
  const pumping = side.pumpFile(count, fileMsg, progress).then(() => { fileSent = true; });
  if (intervalMs > 0) await sleep(warmupMs);
  let seq = 0;
  while (!fileSent && intervalMs > 0) {
    const m = new Uint8Array(CHAT_BYTES);
    const view = new DataView(m.buffer);
    view.setUint32(8, seq++, true);
    view.setUint32(12, progress.bytes, true);
    view.setFloat64(0, absNow(), true);
    side.sendChat(m);
    await sleep(intervalMs);
  }
  phase('sender: chat done, pumping');
  await pumping;
  phase('sender: done');
  link.post('done', { chats: seq, fileBytes: count * fileChunk });
  await link.next('finished');
  phase('sender: finished');
}

// Receiver: relates the clocks (the sample with the shortest round trip), says `go`, records
// chat latencies until the sender is done and everything arrived.
async function runReceiver(side, link, variant) {
  const latencies = [];
  const overtaken = [];
  let chats = 0;
  let fileGot = 0;
  let offset = 0;  // sender clock - receiver clock
  let lastFileAt = 0;
  side.onData((u8) => {
    if (u8.byteLength !== CHAT_BYTES) {
      fileGot += u8.byteLength;
      lastFileAt = performance.now();
      return;
    }
    const t = absNow();
    const view = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
    latencies.push(t - (view.getFloat64(0, true) - offset));
    // File bytes handed over before this chat that it arrived ahead of (0 on one shared channel).
    overtaken.push(Math.max(0, view.getUint32(12, true) - fileGot));
    chats++;
  });
  let best = Infinity;
  for (let i = 0; i < 15; i++) {
    link.post('ping', absNow());
    const { t1, t } = await link.next('pong');
    const t3 = absNow();
    if (t3 - t1 < best) {
      best = t3 - t1;
      offset = t - (t1 + t3) / 2;
    }
  }
  await mark('start');
  const t0 = performance.now();
  phase('receiver: go');
  link.post('go');
  const done = await link.next('done');
  phase('receiver: sender done');
  await withTimeout((async () => {
    while (fileGot < done.fileBytes || chats < done.chats) await sleep(5);
  })(), 60000, `${variant}: file and chat to arrive (file ${fileGot}/${done.fileBytes}, chats ${chats}/${done.chats})`);
  const ms = lastFileAt - t0;
  await mark('end');
  link.post('finished');
  return {
    variant, chats, latencies, overtaken, fileBytes: done.fileBytes, ms, fileMbPerS: done.fileBytes / 1e6 / (ms / 1000),
    clockOffsetMs: offset, clockRttMs: best,
  };
}

// Both peers in this page.
async function inPage(variant, opts) {
  const [la, lb] = localLinks();
  const [a, b] = await Promise.all([chatSide(variant, la), chatSide(variant, lb)]);
  try {
    const [, result] = await Promise.all([runSender(a, la, opts), runReceiver(b, lb, variant)]);
    return result;
  } finally {
    a.close();
    b.close();
  }
}

// Sender and receiver in two pages of the same browser: run.js calls receive() in one page and
// send() in the other with the same runId and a chat variant (throughput: raw-single, ours-single,
// simple-peer with intervalMs 0).
// A BroadcastChannel only reaches the pages listening when a message is posted, and the two
// sides start in either order: the sender says hello until the receiver is there to answer.
async function farSideListening(link) {
  const welcome = link.next('welcome');
  let timer;
  const hello = () => { link.post('hello', null); timer = setTimeout(hello, 50); };
  hello();
  await withTimeout(welcome, 15000, 'the receiving page to listen').finally(() => clearTimeout(timer));
}

export async function send(runId, variant, opts = {}) {
  const link = broadcastLink(runId, 'A');
  await farSideListening(link);
  const side = await chatSide(variant, link);
  try {
    await runSender(side, link, opts);
  } finally {
    side.close();
    link.close();
  }
}

export async function receive(runId, variant) {
  const link = broadcastLink(runId, 'B');
  const side = await chatSide(variant, link);
  try {
    return await runReceiver(side, link, variant);
  } finally {
    side.close();
    link.close();
  }
}

export const chat = (variant, opts = {}) => inPage(variant, opts);

// ---------------------------------------------------------------------------------------------
// Throughput: `total` bytes in `size`-byte messages on one ordered, reliable channel (ours: its
// `reliable` channel), with the backpressure above. Time runs from the start signal to the
// receipt of the last byte; every receiver does the same small work (a Uint8Array view, counted).

export const THROUGHPUT_VARIANTS = ['raw', 'ours', 'simple-peer'];
// throughput runs one channel: raw's one channel, our `reliable` (diagnostic variants included)
export const THROUGHPUT_SIDE = {
  raw: 'raw-single', ours: 'ours-single', 'ours-nometrics': 'ours-single-nometrics', 'ours-nostats': 'ours-single-nostats',
  'raw-probed': 'raw-single-probed', 'raw-chatty': 'raw-single-chatty',
};

function summarize(r, size) {
  return size ? { ...r, size, messages: r.fileBytes / size, msgPerS: r.fileBytes / size / (r.ms / 1000) } : r;
}

export async function throughput(variant, { size, total }) {
  const r = await inPage(THROUGHPUT_SIDE[variant] ?? variant, { fileBytes: total, fileChunk: size, intervalMs: 0 });
  return summarize({ ...r, variant }, size);
}

// ---------------------------------------------------------------------------------------------
// Queued user data stays in JS: queue `total` bytes in `size`-byte messages before the channel
// opens and read the WASM heap (bytes in use) before and after, then connect and check that
// everything arrives and the heap returns.

export async function heap({ size = 16384, total = 8 << 20 } = {}) {
  const count = Math.ceil(total / size);
  const messages = Array.from({ length: count }, (_, i) => new Uint8Array(size).fill(i & 0xff));
  const a = new WebRTCPeerEnhanced({ peerId: 'heap-a' });
  const b = new WebRTCPeerEnhanced({ peerId: 'heap-b' });
  try {
    await sleep(0);
    const before = heapUsed();
    for (const m of messages) a.send(m, 'reliable');
    const queued = heapUsed();
    const queuedBytes = a.getQueuedBytes();
    const queuedMessages = a.getQueueSize();
    const counter = byteCounter(count * size);
    b.on('message', (m) => counter.add(m.data.byteLength));
    await connectOurs(a, b);
    await withTimeout(counter.done, 30000, `heap: ${count * size} queued bytes to arrive (got ${counter.bytes})`);
    const drained = heapUsed();
    return {
      size, messages: count, bytes: count * size, queuedBytes, queuedMessages,
      heapBefore: before, heapGrowth: queued - before, perMessage: (queued - before) / count,
      heapAfterDrain: drained - before, received: counter.bytes,
    };
  } finally {
    a.close();
    b.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Where the time goes (only to explain a ratio; it patches the library's objects, so run.js runs
// it last, in a page of its own).

export async function profile({ sends = 5000, rounds = 7, size = 256 } = {}) {
  if (LIB !== '/build/modules/') throw new Error('profile() needs bench.html?modules: it patches the shims');
  const { shims } = await import('/build/modules/shims.js');
  const { hot } = await import('/build/modules/hot_calls.js');
  const msg = new Uint8Array(size).fill(3);
  const out = { sends, rounds, size };
  // Wall time per call; run.js also reads the renderer's main-thread CPU time around each block.
  let block = 0;
  const perCall = async (fn) => {
    const label = `block-${block++}`;
    await mark(`${label}:start`);
    const t = performance.now();
    fn();
    const us = ((performance.now() - t) * 1000) / sends;
    await mark(`${label}:end`);
    return { us, label };
  };
  const drained = async (dc) => {
    while (dc.bufferedAmount > 0) await sleep(5);
  };

  // Capture the connection records the core hands the shims (for the receive-path pieces).
  const conns = [];
  const createChannel = shims.createChannel;
  shims.createChannel = function (conn, ...rest) {
    if (!conns.includes(conn)) conns.push(conn);
    return createChannel.call(this, conn, ...rest);
  };
  const raw = await rawPair(['reliable']);
  let ours;
  try {
    ours = await oursPair({ maxBufferedAmount: 16 << 20, lowWaterMark: LOW });
  } finally {
    shims.createChannel = createChannel;
  }
  const [txConn, rxConn] = conns;
  const dc = raw.tx[0];
  const oursDc = txConn.channels[1];
  const rxDc = rxConn.channels[1];
  let got = 0;
  ours.rx.on('message', (m) => { got += m.data.byteLength; });
  const rawHandler = (e) => { got += new Uint8Array(e.data).byteLength; };
  const ev = { data: new ArrayBuffer(size) };
  const u8 = new Uint8Array(size);

  // Send-side pieces, each a block of `sends` synchronous calls, interleaved round by round.
  const pieces = {
    // raw: what a careful app does per message: check the buffer, send
    rawSend: () => perCall(() => { for (let i = 0; i < sends; i++) { if (dc.bufferedAmount + size > 16 << 20) throw new Error('full'); dc.send(msg); } }),
    // ours, channel open with room: the whole send path
    oursSend: () => perCall(() => { for (let i = 0; i < sends; i++) ours.tx.send(msg, 'reliable'); }),
    // raw, send then read bufferedAmount (what a shim that tracked the buffer would pay)
    rawSendThenRead: () => perCall(() => { for (let i = 0; i < sends; i++) { dc.send(msg); got += dc.bufferedAmount * 0; } }),
    // the shim ours ends in (`hot.send`: find the channel by connection id, dc.send), called from JS
    shimSend: () => perCall(() => { for (let i = 0; i < sends; i++) hot.send(txConn.id, 1, msg); }),
    // ours' whole send path with the browser call stubbed out: the library's own cost per send
    oursSendNoBrowser: async () => {
      // the real shim over a channel whose send() does nothing
      txConn.channels[1] = { send() {}, bufferedAmount: 0 };
      try {
        return await perCall(() => { for (let i = 0; i < sends; i++) ours.tx.send(msg, 'reliable'); });
      } finally {
        txConn.channels[1] = oursDc;
      }
    },
    // ours with the channel not open: argument checks + one JS->WASM call + queue push, no browser
    oursQueue: async () => {
      const p = new WebRTCPeerEnhanced({ peerId: 'prof-queue', maxQueuedBytes: sends * size });
      const r = await perCall(() => { for (let i = 0; i < sends; i++) p.send(msg, 'reliable'); });
      p.close();
      return r;
    },
    // the cheapest JS->WASM round trip of the public API
    emptyCall: () => perCall(() => { for (let i = 0; i < sends; i++) got += ours.tx.getQueueSize(); }),
    // receive: the browser's message event into a raw handler
    rawReceive: () => perCall(() => { for (let i = 0; i < sends; i++) rawHandler(ev); }),
    // receive: our shim's onmessage (Uint8Array, host.accept, host.deliver, emit, app listener)
    oursReceive: () => perCall(() => { for (let i = 0; i < sends; i++) rxDc.onmessage(ev); }),
    // receive without the shim: host.accept (WASM accounting) + host.deliver (JS dispatch)
    coreOnMessage: () => perCall(() => { for (let i = 0; i < sends; i++) if (rxConn.host.accept(1, size)) rxConn.host.deliver(1, u8); }),
    // receive, JS part only: host.deliver -> peer -> emit -> listener
    hostDeliver: () => perCall(() => { for (let i = 0; i < sends; i++) rxConn.host.deliver(1, u8); }),
  };
  const samples = Object.fromEntries(Object.keys(pieces).map((k) => [k, []]));
  for (let r = 0; r < rounds; r++) {
    for (const [k, fn] of Object.entries(pieces)) {
      samples[k].push(await fn());
      if (k === 'rawSend' || k === 'rawSendThenRead' || k === 'shimSend') await drained(k === 'shimSend' ? oursDc : dc);
      if (k === 'oursSend') await drained(oursDc);
      await sleep(0);
    }
  }
  const median = (xs) => [...xs].sort((x, y) => x - y)[xs.length >> 1];
  out.us = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v.map((x) => x.us))]));
  out.blocks = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, v.map((x) => x.label)]));
  out.oursQueuedAtEnd = ours.tx.getQueueSize();

  // Crossings per message while a pair sends and receives 2000 messages: JS->WASM calls
  // (CorePeer methods), WASM->JS calls into the shims and the host, bufferedAmount reads.
  {
    const counts = {};
    const bump = (k) => { counts[k] = (counts[k] ?? 0) + 1; };
    const restore = [];
    const wrap = (obj, key, label) => {
      const orig = obj[key];
      if (typeof orig !== 'function') return;
      obj[key] = function (...args) { bump(label); return orig.apply(this, args); };
      restore.push(() => { obj[key] = orig; });
    };
    const proto = Object.getPrototypeOf(txConn.host.core);
    for (const key of Object.getOwnPropertyNames(proto)) {
      if (key !== 'constructor' && typeof proto[key] === 'function' && !['delete', 'isDeleted', 'clone', 'isAliasOf', 'deleteLater'].includes(key)) wrap(proto, key, `js->wasm core.${key}`);
    }
    for (const key of Object.keys(shims)) wrap(shims, key, `wasm->js shims.${key}`);
    for (const key of Object.keys(hot)) wrap(hot, key, `wasm->js hot.${key}`);
    for (const conn of [txConn, rxConn]) for (const key of ['emit', 'deliver']) wrap(conn.host, key, `wasm->js host.${key}`);
    const desc = Object.getOwnPropertyDescriptor(RTCDataChannel.prototype, 'bufferedAmount');
    Object.defineProperty(RTCDataChannel.prototype, 'bufferedAmount', {
      configurable: true, get() { bump('bufferedAmount read'); return desc.get.call(this); },
    });
    restore.push(() => Object.defineProperty(RTCDataChannel.prototype, 'bufferedAmount', desc));
    const n = 2000;
    try {
      const before = got;
      for (let i = 0; i < n; i++) ours.tx.send(msg, 'reliable');
      await withTimeout((async () => { while (got < before + n * size) await sleep(5); })(), 15000, 'profile messages');
      out.crossingsPerMessage = Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, v / n]));
    } finally {
      for (const r of restore.reverse()) r();
    }
  }
  raw.close();
  ours.close();

  // 6. What a connected pair costs with nothing to send (timers, probes, getStats): run.js reads
  //    the renderer's CPU time over `idleMs` for each.
  const idle = async (label, make) => {
    const pair = await make();
    await sleep(500);
    await mark(`idle-${label}:start`);
    await sleep(idleMs);
    await mark(`idle-${label}:end`);
    pair.close();
  };
  const idleMs = 3000;
  out.idleMs = idleMs;
  out.idleLabels = ['raw', 'ours', 'ours-no-metrics', 'ours-no-getStats'];
  await idle('raw', () => rawPair(['control', 'reliable', 'unreliable', 'file']));
  await idle('ours', () => oursPair());
  await idle('ours-no-metrics', () => oursPair({ metricsEnabled: false }));
  // probes on, getStats (metricsInterval) pushed out to a day
  await idle('ours-no-getStats', () => oursPair({ metricsInterval: 86400000 }));
  return out;
}

// A readable name for one of the module's imports, minified or not (embind's emval glue).
function importName(f, key) {
  if (f.name && f.name.startsWith('__')) return f.name.replace(/^_+/, '');
  const src = String(f);
  const known = [
    [/refcount\s*\+=\s*1/, 'emval_incref'],
    [/--\w+\[\w+\]\.refcount|refcount\s*-=|0===--/, 'emval_decref'],
    [/emval::as/, 'emval_as'],
    [/"number"\s*==\s*typeof|typeof \w+\s*==\s*"number"/, 'emval_is_number'],
    [/"string"\s*==\s*typeof|typeof \w+\s*==\s*"string"/, 'emval_is_string'],
    [/toHandle\(\w+\[\w+\]\)/, 'emval_get_property'],
    [/,null,\w+\)\}?$/, 'emval_call_void_method'],
    [/return\s*\(\w+=\w+\[\w+\]\)\(/, 'emval_call_method'],
    [/^function\s*\w*\(\w+\)\{\w+\(\w+\.toValue\(\w+\)\),\w+\(\w+\)\}$/, 'emval_run_destructors'],
    [/^function\s*\w*\(\w+\)\{return \w+\.toHandle\(\w+\(\w+\)\)\}$/, 'emval_new_cstring'],
    [/parameter /, 'emval_get_method_caller'],
    [/shims\.send\(\w+,\w+,\w+\.toValue/, 'shim send (direct import)'],
    [/shims\.send\(\w+,\w+,\w+\.slice/, 'shim send bytes (direct import)'],
    [/shims\.setTimer/, 'shim setTimer (direct import)'],
    [/shims\.cancelTimer/, 'shim cancelTimer (direct import)'],
  ];
  for (const [re, name] of known) if (re.test(src)) return name;
  return `import ${key}`;
}

// Counts the WASM module's imports (JS functions the C++ calls: embind's _emval_* glue, the
// shims, the host) per send and per received message, on a second instance of the core whose
// imports are wrapped, driven with fake browser objects (no network: the library's own cost).
export async function crossings({ n = 20000, size = 256 } = {}) {
  const { default: createCore } = await import('/build/modules/core-wasm.js');
  const wasmUrl = new URL('/build/modules/core-wasm.wasm', location.href).href;
  const counts = {};
  let counting = false;
  const js = {};
  const bump = (k) => { if (counting) js[k] = (js[k] ?? 0) + 1; };
  const fakeDc = { send() {}, bufferedAmount: 0 };
  const impl = {
    createPeerConnection: () => ({ id: 0 }),
    createChannel: () => fakeDc,
  };
  // the per-message calls (bindings/shim_calls.cpp), over a channel whose send() does nothing
  const hot = {
    send: (connId, channel, data) => { bump('hot.send'); fakeDc.send(data); return 0; },
    refusal: () => '',
    setTimer: () => bump('hot.setTimer'),
    cancelTimer: () => bump('hot.cancelTimer'),
  };
  const Core2 = await createCore({
    shims: hot,
    locateFile: (p) => (p.endsWith('.wasm') ? wasmUrl : p),
    instantiateWasm(info, receiveInstance) {
      for (const table of Object.values(info)) {
        for (const [k, f] of Object.entries(table)) {
          if (typeof f !== 'function') continue;
          const name = importName(f, k);
          table[k] = function (...args) {
            if (counting) counts[name] = (counts[name] ?? 0) + 1;
            return f.apply(this, args);
          };
        }
      }
      fetch(wasmUrl).then((r) => r.arrayBuffer()).then((b) => WebAssembly.instantiate(b, info)).then((r) => receiveInstance(r.instance));
      return {};
    },
  });
  const shims = new Proxy({}, { get: (_, k) => impl[k] ?? (() => undefined) });
  let delivered = 0;
  const host = {
    shims,
    core: null,
    emit: () => bump('host.emit'),
    handle: () => bump('host.handle'),
    deliver: () => { bump('host.deliver'); delivered++; },
    release() {},
  };
  const core = new Core2.CorePeer(host);
  host.core = core;
  const failure = core.start({ peerId: 'crossings', maxBufferedAmount: 16 << 20, lowWaterMark: 1 << 18, maxQueuedBytes: 1 << 30 });
  if (failure) throw new Error(`crossings: start failed: ${JSON.stringify(failure)}`);
  for (const e of ['message-sent', 'message-queued']) core.reportEvent(e, false);
  const msg = new Uint8Array(size);
  const measure = (label, fn) => {
    for (const k of Object.keys(counts)) delete counts[k];
    for (const k of Object.keys(js)) delete js[k];
    counting = true;
    const t = performance.now();
    for (let i = 0; i < n; i++) fn();
    const us = ((performance.now() - t) * 1000) / n;
    counting = false;
    const per = (o) => Object.fromEntries(Object.entries(o).sort((x, y) => y[1] - x[1]).map(([k, v]) => [k, +(v / n).toFixed(3)]));
    return { label, us, imports: per(counts), importsPerCall: Object.values(counts).reduce((x, y) => x + y, 0) / n, js: per(js) };
  };
  const out = {};
  const send = (c) => Core2._wre_send(c.address(), 1, Core2.toHandle(msg), size);
  out.queued = measure('send, channel not open (queued)', () => send(core));
  core.close();
  core.delete();
  const core2 = new Core2.CorePeer(host);
  host.core = core2;
  core2.start({ peerId: 'crossings2', maxBufferedAmount: 16 << 20, lowWaterMark: 1 << 18 });
  for (const e of ['message-sent', 'message-queued']) core2.reportEvent(e, false);
  core2._onChannelOpen(1);
  out.send = measure('send, channel open with room', () => send(core2));
  const address = core2.address();
  out.receive = measure('receive (the core accepts it, then host.deliver as the shim does)', () => Core2._wre_accept_message(address, 1, size) && host.deliver(1, msg));
  out.delivered = delivered;
  core2.close();
  core2.delete();
  return out;
}
