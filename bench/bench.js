// Benchmark scenarios, run in one page by bench/run.js (or by hand from the console of
// bench/bench.html). Every scenario connects a fresh pair of peers in this page over loopback,
// measures, closes, and returns plain JSON. Figures, not pass/fail: run.js interleaves the
// variants, repeats them and takes medians.
//
// Variants:
//   raw          a plain RTCPeerConnection pair with negotiated RTCDataChannels
//   ours         WebRTCPeerEnhanced (the `reliable` channel; `file` for bulk in the chat scenario)
//   simple-peer  simple-peer 9 (its one data channel), loaded as a UMD script by bench.html
//
// Fair backpressure: every sender keeps at most HIGH bytes in the browser's buffer and resumes
// at LOW. raw and simple-peer check bufferedAmount before each send and await
// `bufferedamountlow` (threshold LOW); ours is configured with maxBufferedAmount HIGH and
// lowWaterMark LOW and follows the README's pattern: send until `backpressure`, then await
// `channel-ready`.
import { WebRTCPeerEnhanced, heapUsed } from '/dist/index.js';

export const HIGH = 1024 * 1024;
export const LOW = 256 * 1024;
const CHAT_BYTES = 16;  // [f64 send time][u32 seq][u32 0]: smaller than any bulk message

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const once = (target, name) => new Promise((resolve) => target.addEventListener(name, resolve, { once: true }));

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`bench: timed out after ${ms} ms: ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

// ---------------------------------------------------------------------------------------------
// Pairs: { tx, rx, close } with tx/rx objects specific to the variant.

async function rawPair(labels) {
  const a = new RTCPeerConnection();
  const b = new RTCPeerConnection();
  a.onicecandidate = (e) => e.candidate && b.addIceCandidate(e.candidate);
  b.onicecandidate = (e) => e.candidate && a.addIceCandidate(e.candidate);
  const make = (pc) => labels.map((label, id) => {
    const dc = pc.createDataChannel(label, { negotiated: true, id });
    dc.binaryType = 'arraybuffer';
    dc.bufferedAmountLowThreshold = LOW;
    return dc;
  });
  const tx = make(a);
  const rx = make(b);
  const opened = [...tx, ...rx].map((dc) => (dc.readyState === 'open' ? null : once(dc, 'open')));
  await a.setLocalDescription();
  await b.setRemoteDescription(a.localDescription);
  await b.setLocalDescription();
  await a.setRemoteDescription(b.localDescription);
  await withTimeout(Promise.all(opened), 15000, 'raw channels to open');
  return { tx, rx, close: () => { a.close(); b.close(); } };
}

function connectedPromise(peer) {
  if (peer.getState() === 'connected') return Promise.resolve();
  return new Promise((resolve) => {
    const listener = (e) => {
      if (e.newState !== 'connected') return;
      peer.off('state-change', listener);
      resolve();
    };
    peer.on('state-change', listener);
  });
}

async function connectOurs(a, b) {
  a.on('ice-candidate', ({ candidate }) => b.addIceCandidate(candidate));
  b.on('ice-candidate', ({ candidate }) => a.addIceCandidate(candidate));
  const up = Promise.all([connectedPromise(a), connectedPromise(b)]);
  const offer = await a.createOffer();
  const answer = await b.createAnswer(offer);
  await a.setRemoteAnswer(answer);
  await withTimeout(up, 15000, 'our peers to connect');
  // `connected` is the transport; wait for the user channels too (a send before then queues).
  await sleep(50);
}

async function oursPair(config = {}) {
  const a = new WebRTCPeerEnhanced({ peerId: 'bench-a', maxBufferedAmount: HIGH, lowWaterMark: LOW, ...config });
  const b = new WebRTCPeerEnhanced({ peerId: 'bench-b', maxBufferedAmount: HIGH, lowWaterMark: LOW, ...config });
  await connectOurs(a, b);
  return { tx: a, rx: b, close: () => { a.close(); b.close(); } };
}

async function simplePeerPair() {
  const SimplePeer = globalThis.SimplePeer;
  if (!SimplePeer) throw new Error('bench: simple-peer did not load (node_modules/simple-peer/simplepeer.min.js)');
  const opts = { trickle: true, config: { iceServers: [] } };
  const a = new SimplePeer({ ...opts, initiator: true });
  const b = new SimplePeer(opts);
  a.on('signal', (s) => b.signal(s));
  b.on('signal', (s) => a.signal(s));
  await withTimeout(Promise.all([new Promise((r) => a.once('connect', r)), new Promise((r) => b.once('connect', r))]),
    15000, 'simple-peer to connect');
  // simple-peer sets its channel's threshold to 64 KiB for its stream path; use the same LOW.
  a._channel.bufferedAmountLowThreshold = LOW;
  return { tx: a, rx: b, close: () => { a.destroy(); b.destroy(); } };
}

// ---------------------------------------------------------------------------------------------
// Senders that respect the same HIGH/LOW bounds; each returns once the last send was accepted.

// `shouldStop()` ends the pump early (chat scenario); `count` bounds it.
async function pumpRaw(dc, msg, count, shouldStop = () => false) {
  const size = msg.byteLength;
  for (let i = 0; i < count && !shouldStop(); i++) {
    if (dc.bufferedAmount + size > HIGH) await once(dc, 'bufferedamountlow');
    dc.send(msg);
  }
}

async function pumpSimplePeer(sp, msg, count, shouldStop = () => false) {
  const size = msg.byteLength;
  for (let i = 0; i < count && !shouldStop(); i++) {
    if (sp.bufferSize + size > HIGH) await once(sp._channel, 'bufferedamountlow');
    sp.send(msg);
  }
}

// The README's pattern: send until `backpressure` (our queue started holding messages), then
// await `channel-ready` (that queue drained).
async function pumpOurs(peer, type, msg, count, shouldStop = () => false) {
  let ready = null;
  let release = null;
  const onBackpressure = (e) => {
    if (e.type === type && !ready) ready = new Promise((resolve) => { release = resolve; });
  };
  const onReady = (e) => {
    if (e.type === type && release) release();
  };
  peer.on('backpressure', onBackpressure);
  peer.on('channel-ready', onReady);
  try {
    for (let i = 0; i < count && !shouldStop(); i++) {
      peer.send(msg, type);
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
function byteCounter(total) {
  let got = 0;
  let finish;
  const done = new Promise((resolve) => { finish = resolve; });
  return {
    add(n) {
      got += n;
      if (got >= total && finish) {
        finish(performance.now());
        finish = null;
      }
    },
    get bytes() { return got; },
    done,
  };
}

// ---------------------------------------------------------------------------------------------
// Throughput: `total` bytes in `size`-byte messages on one ordered, reliable channel. Time runs
// from the first send to the receipt of the last byte; the receivers do the same small work
// (take a Uint8Array view, count its bytes).

export async function throughput(variant, { size, total }) {
  const count = Math.ceil(total / size);
  const bytes = count * size;
  const msg = new Uint8Array(size).fill(7);
  const counter = byteCounter(bytes);
  let pair;
  let pump;
  if (variant === 'raw') {
    pair = await rawPair(['reliable']);
    pair.rx[0].onmessage = (e) => counter.add(new Uint8Array(e.data).byteLength);
    pump = () => pumpRaw(pair.tx[0], msg, count);
  } else if (variant === 'ours') {
    pair = await oursPair();
    pair.rx.on('message', (m) => counter.add(m.data.byteLength));
    pump = () => pumpOurs(pair.tx, 'reliable', msg, count);
  } else if (variant === 'simple-peer') {
    pair = await simplePeerPair();
    pair.rx.on('data', (d) => counter.add(d.byteLength));
    pump = () => pumpSimplePeer(pair.tx, msg, count);
  } else {
    throw new Error(`bench: unknown variant ${variant}`);
  }
  try {
    const t0 = performance.now();
    await pump();
    const sentMs = performance.now() - t0;
    const t1 = await withTimeout(counter.done, 60000, `${variant}: ${bytes} bytes to arrive (got ${counter.bytes})`);
    const ms = t1 - t0;
    return { variant, size, messages: count, bytes, ms, sentMs, mbPerS: bytes / 1e6 / (ms / 1000), msgPerS: count / (ms / 1000) };
  } finally {
    pair.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Chat latency under a saturating bulk transfer. A `file` transfer of `fileBytes` in 16 KiB
// messages runs at full speed (same HIGH/LOW backpressure as above); every `intervalMs` a
// 16-byte chat message carrying performance.now() is sent, from `warmupMs` after the transfer
// started until it ends. One-way latency = receipt time - send time (same page, same clock).
//
//   ours         file on `file`, chat on `reliable` (what the library is for)
//   ours-single  file and chat both on `reliable`: one shared channel through our queue
//   raw-single   one raw channel carrying both: chat goes behind the buffered file data
//   raw-split    two raw channels (file, chat): the browser's own per-stream scheduling
//   simple-peer  simple-peer's one channel carrying both

export async function chat(variant, { fileBytes = 32 << 20, fileChunk = 16384, intervalMs = 20, warmupMs = 100 } = {}) {
  const count = Math.ceil(fileBytes / fileChunk);
  const fileMsg = new Uint8Array(fileChunk).fill(1);
  const latencies = [];
  const sentAt = new Map();
  let fileGot = 0;
  const onChat = (u8) => {
    const t = performance.now();
    const view = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
    latencies.push(t - view.getFloat64(0, true));
    sentAt.delete(view.getUint32(8, true));
  };
  const onAny = (u8) => (u8.byteLength === CHAT_BYTES ? onChat(u8) : (fileGot += u8.byteLength));
  let pair;
  let pumpFile;
  let sendChat;
  if (variant === 'raw-single' || variant === 'raw-split') {
    const split = variant === 'raw-split';
    pair = await rawPair(split ? ['file', 'chat'] : ['file']);
    for (const dc of pair.rx) dc.onmessage = (e) => onAny(new Uint8Array(e.data));
    const chatDc = pair.tx[split ? 1 : 0];
    pumpFile = () => pumpRaw(pair.tx[0], fileMsg, count);
    sendChat = (m) => chatDc.send(m);
  } else if (variant === 'ours' || variant === 'ours-single') {
    pair = await oursPair();
    pair.rx.on('message', (m) => onAny(m.data));
    const fileType = variant === 'ours' ? 'file' : 'reliable';
    pumpFile = () => pumpOurs(pair.tx, fileType, fileMsg, count);
    sendChat = (m) => pair.tx.send(m, 'reliable');
  } else if (variant === 'simple-peer') {
    pair = await simplePeerPair();
    pair.rx.on('data', (d) => onAny(d));
    pumpFile = () => pumpSimplePeer(pair.tx, fileMsg, count);
    sendChat = (m) => pair.tx.send(m);
  } else {
    throw new Error(`bench: unknown variant ${variant}`);
  }
  try {
    const t0 = performance.now();
    let fileSent = false;
    const pumping = pumpFile().then(() => { fileSent = true; });
    await sleep(warmupMs);
    let seq = 0;
    while (!fileSent) {
      const m = new Uint8Array(CHAT_BYTES);
      const view = new DataView(m.buffer);
      view.setUint32(8, seq, true);
      sentAt.set(seq++, true);
      view.setFloat64(0, performance.now(), true);
      sendChat(m);
      await sleep(intervalMs);
    }
    await pumping;
    await withTimeout((async () => {
      while (fileGot < count * fileChunk || sentAt.size > 0) await sleep(5);
    })(), 60000, `${variant}: file and chat to arrive (file ${fileGot}/${count * fileChunk}, chats missing ${sentAt.size})`);
    const ms = performance.now() - t0;
    return { variant, chats: seq, latencies, fileBytes: count * fileChunk, ms, fileMbPerS: (count * fileChunk) / 1e6 / (ms / 1000) };
  } finally {
    pair.close();
  }
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

export async function profile({ sends = 50000, size = 256 } = {}) {
  const { Core } = await import('/dist/core.js');
  const { shims } = await import('/dist/shims.js');
  const msg = new Uint8Array(size).fill(3);
  const out = {};

  // 1. Per-send cost with nothing of the network in the way: a loop of synchronous sends on an
  //    open channel with room (maxBufferedAmount 16 MiB; sends * size stays below it).
  {
    const pair = await rawPair(['reliable']);
    const dc = pair.tx[0];
    let t = performance.now();
    for (let i = 0; i < sends; i++) {
      if (dc.bufferedAmount + size > 16 << 20) throw new Error('raw buffer full');
      dc.send(msg);
    }
    out.rawSendUs = ((performance.now() - t) * 1000) / sends;
    pair.close();
  }
  {
    const pair = await oursPair({ maxBufferedAmount: 16 << 20, lowWaterMark: LOW });
    const t = performance.now();
    for (let i = 0; i < sends; i++) pair.tx.send(msg, 'reliable');
    out.oursSendUs = ((performance.now() - t) * 1000) / sends;
    out.oursSendQueuedAtEnd = pair.tx.getQueueSize();
    pair.close();
  }
  // 2. Our send when the channel is not open: wrapper + one JS->WASM call + queue push, no browser.
  {
    const a = new WebRTCPeerEnhanced({ peerId: 'prof-q', maxQueuedBytes: sends * size + 1 });
    const t = performance.now();
    for (let i = 0; i < sends; i++) a.send(msg, 'reliable');
    out.oursQueuedSendUs = ((performance.now() - t) * 1000) / sends;
    a.close();
  }
  // 3. The cheapest JS->WASM round trip the public API has.
  {
    const a = new WebRTCPeerEnhanced({ peerId: 'prof-call' });
    const t = performance.now();
    let n = 0;
    for (let i = 0; i < sends; i++) n += a.getQueueSize();
    out.emptyCallUs = ((performance.now() - t) * 1000) / sends + n * 0;
    a.close();
  }

  // 4. Crossings per message: count JS->WASM calls (CorePeer methods) and WASM->JS calls (shims,
  //    host, bufferedAmount reads) while a pair sends and receives `n` messages.
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
    const proto = Core.CorePeer.prototype;
    for (const key of Object.getOwnPropertyNames(proto)) {
      if (key !== 'constructor' && typeof proto[key] === 'function' && !['delete', 'isDeleted', 'clone', 'isAliasOf', 'deleteLater'].includes(key)) wrap(proto, key, `js->wasm ${key}`);
    }
    for (const key of Object.keys(shims)) wrap(shims, key, `wasm->js shims.${key}`);
    const desc = Object.getOwnPropertyDescriptor(RTCDataChannel.prototype, 'bufferedAmount');
    Object.defineProperty(RTCDataChannel.prototype, 'bufferedAmount', {
      configurable: true, get() { bump('bufferedAmount read'); return desc.get.call(this); },
    });
    restore.push(() => Object.defineProperty(RTCDataChannel.prototype, 'bufferedAmount', desc));
    const n = 2000;
    let pair;
    try {
      pair = await oursPair();
      // host.emit / host.deliver are per-peer closures: count them through the listeners.
      let delivered = 0;
      const counter = byteCounter(n * size);
      pair.rx.on('message', (m) => { delivered++; counter.add(m.data.byteLength); });
      for (const k of Object.keys(counts)) delete counts[k];
      for (let i = 0; i < n; i++) pair.tx.send(msg, 'reliable');
      await withTimeout(counter.done, 15000, 'profile messages');
      out.crossings = { messages: n, delivered, perMessage: Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, v / n])) };
    } finally {
      pair?.close();
      for (const r of restore.reverse()) r();
    }
  }

  // 5. Receive path: the shim's onmessage handler called directly with a synthetic event, vs a
  //    raw handler doing the same visible work (a Uint8Array view, counted).
  {
    const captured = [];
    const orig = RTCPeerConnection.prototype.createDataChannel;
    RTCPeerConnection.prototype.createDataChannel = function (...args) {
      const dc = orig.apply(this, args);
      captured.push(dc);
      return dc;
    };
    let pair;
    try {
      pair = await oursPair();
    } finally {
      RTCPeerConnection.prototype.createDataChannel = orig;
    }
    const rxDc = captured.find((dc) => dc.label === 'reliable' && captured.indexOf(dc) >= captured.length / 2);
    let got = 0;
    pair.rx.on('message', (m) => { got += m.data.byteLength; });
    const ev = { data: new ArrayBuffer(size) };
    let t = performance.now();
    for (let i = 0; i < sends; i++) rxDc.onmessage(ev);
    out.oursReceiveUs = ((performance.now() - t) * 1000) / sends;
    out.oursReceiveDelivered = got / size;
    let raw = 0;
    const rawHandler = (e) => { raw += new Uint8Array(e.data).byteLength; };
    t = performance.now();
    for (let i = 0; i < sends; i++) rawHandler(ev);
    out.rawReceiveUs = ((performance.now() - t) * 1000) / sends + raw * 0;
    pair.close();
  }
  return out;
}
