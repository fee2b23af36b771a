// Transfer benchmarks (issue #18), driven by bench/transfer-run.js or by hand from the console of
// bench/transfer-bench.html. Every run connects a fresh pair in this page over loopback, measures,
// closes, and returns plain JSON. Figures, not pass/fail: the driver interleaves and repeats.
//
//   speed(variant, { total, chunk })   `total` bytes from A to B
//     sendFile   peer.sendFile(blob); B accepts into a WritableStream that discards (SHA-256 on
//                both sides, verified): the time until both sides resolved
//     loop       the same library pair, send(chunk, 'file') in a loop of `chunk`-byte messages,
//                awaiting `channel-ready` after `backpressure` (the README's pattern); B counts
//     raw        one raw RTCDataChannel, `chunk`-byte messages, at most HIGH in its buffer,
//                resuming at LOW (`bufferedamountlow`): context only
//     loop-blob  diagnostic: the loop, its chunks read from the same kind of Blob in 1 MiB
//                slices, one read ahead (what reading the source costs, without hashing)
//     sendFile-buffer  diagnostic: sendFile of a Uint8Array in memory (no Blob reads)
//   chat(variant, { each, transfers, chunk, intervalMs })   16-byte chat every `intervalMs` on a
//                second channel while `transfers` transfers of `each` bytes run; one clock
//     sendFile   `transfers` concurrent sendFile()s (discarding sinks), chat on `reliable`
//     loop       `transfers` concurrent send(chunk, 'file') loops, chat on `reliable`
//     raw        the same bytes on one raw channel, chat on a second raw channel
//   memory({ total })   sendFile of a `total`-byte Blob into an OPFS file, sampling the JS heap
//                (performance.memory, both peers: they share this page) and the WASM heap
//                (heapUsed(): bytes in use in the core's memory) every 500 ms; the file is
//                checked and deleted afterwards
//
// The source Blob repeats one 1 MiB chunk, so the page never holds the whole content itself.
import { WebRTCPeerEnhanced, heapUsed } from '/dist/index.js';
import { HIGH, LOW, byteCounter, connectedPromise, mark, pumpRaw, rawPair, sleep, withTimeout as timeout } from './page-helpers.js';

export { HIGH, LOW };

const MiB = 1 << 20;
const CHAT_BYTES = 16;

export const state = { phase: 'idle' };
const phase = (p) => { state.phase = p; state.at = performance.now(); };
// transfer-run.js exposes benchMark(label) (mark): renderer CPU time so far (Linux schedstat).
const withTimeout = (promise, ms, what) => timeout(promise, ms, what, 'transfer bench');
export const hasSendFile = () => typeof WebRTCPeerEnhanced.prototype.sendFile === 'function';

// ---------------------------------------------------------------------------------------------
// Sources and sinks

let chunkMiB = null;
function sourceBlob(bytes) {
  if (!chunkMiB) {
    chunkMiB = new Uint8Array(MiB);
    let x = 0x9e3779b9;
    for (let i = 0; i < MiB; i++) {
      x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
      chunkMiB[i] = x & 0xff;
    }
  }
  const parts = Array(Math.floor(bytes / MiB)).fill(chunkMiB);
  if (bytes % MiB) parts.push(chunkMiB.subarray(0, bytes % MiB));
  return new Blob(parts, { type: 'application/octet-stream' });
}

// A sink that counts and drops what it is given.
function discardSink(counter = { bytes: 0 }) {
  return new WritableStream({ write(chunk) { counter.bytes += chunk.byteLength; } });
}

// ---------------------------------------------------------------------------------------------
// Pairs

// One byte through each of `warm` proves those channels open (a `connected` peer may open a
// channel a moment later). sendFile runs warm only `reliable`: the transfer's own negotiation on
// `wre` is part of what is measured, and no app byte goes on `file` before it.
async function oursPair(warm) {
  const config = { maxBufferedAmount: HIGH, lowWaterMark: LOW };
  const a = new WebRTCPeerEnhanced({ peerId: 'tbench-a', ...config });
  const b = new WebRTCPeerEnhanced({ peerId: 'tbench-b', ...config });
  const missing = new Set(warm);
  const warmed = new Promise((resolve) => {
    const listener = (m) => {
      if (m.data.byteLength !== 1 || !missing.delete(m.type) || missing.size) return;
      b.off('message', listener);
      resolve();
    };
    b.on('message', listener);
  });
  a.on('ice-candidate', ({ candidate }) => b.addIceCandidate(candidate));
  b.on('ice-candidate', ({ candidate }) => a.addIceCandidate(candidate));
  const up = Promise.all([connectedPromise(a), connectedPromise(b)]);
  state.ours = () => ({ a: a.getState(), b: b.getState(), step: state.step });
  state.step = 'offer';
  const offer = await withTimeout(a.createOffer(), 15000, 'createOffer');
  state.step = 'answer';
  const answer = await withTimeout(b.createAnswer(offer), 15000, 'createAnswer');
  state.step = 'setRemoteAnswer';
  await withTimeout(a.setRemoteAnswer(answer), 15000, 'setRemoteAnswer');
  state.step = 'connecting';
  await withTimeout(up, 15000, `our peers to connect (${a.getState()}, ${b.getState()})`);
  state.step = 'warming';
  for (const t of warm) a.send(new Uint8Array(1), t);
  await withTimeout(warmed, 15000, `our channels (${warm}) to open`);
  return { tx: a, rx: b, close: () => { a.close(); b.close(); } };
}

// ---------------------------------------------------------------------------------------------
// Senders

// The README's pattern: send until `backpressure`, then await `channel-ready`. Several loops on
// one channel share one gate: `backpressure` fires once per episode, so a loop that missed it
// must still see that the channel is holding back.
function gate(peer, type) {
  let ready = null;
  let release = null;
  const onBackpressure = (e) => {
    if (e.type === type && !ready) ready = new Promise((resolve) => { release = resolve; });
  };
  const onReady = (e) => {
    if (e.type !== type || !release) return;
    release();
    ready = release = null;
  };
  peer.on('backpressure', onBackpressure);
  peer.on('channel-ready', onReady);
  return {
    get ready() { return ready; },
    close() {
      peer.off('backpressure', onBackpressure);
      peer.off('channel-ready', onReady);
    },
  };
}

async function pumpOurs(peer, type, msg, count, progress = { bytes: 0 }, next = () => msg, shared = null) {
  const g = shared ?? gate(peer, type);
  try {
    for (let i = 0; i < count; i++) {
      const m = next();
      peer.send(m, type);
      progress.bytes += m.byteLength;
      while (g.ready) await g.ready;
    }
  } finally {
    if (!shared) g.close();
  }
}

// Resolves with the time `total` bytes have been counted.

// B accepts every offered transfer with makeSink(incoming) and collects the accept() promises.
function acceptAll(peer, makeSink) {
  const accepted = [];
  const offers = [];
  peer.on('transfer', (incoming) => {
    offers.push({ id: incoming.id, name: incoming.name, size: incoming.size });
    accepted.push(incoming.accept(makeSink(incoming)).then((r) => ({ ...r, at: performance.now() })));
  });
  return { accepted, offers };
}

// Resolves once `n` transfers were offered to B (their accept() promises are then all there).
async function offered(list, n, what) {
  await withTimeout((async () => { while (list.accepted.length < n) await sleep(2); })(), 30000, what);
  return list.accepted;
}

// ---------------------------------------------------------------------------------------------
// Speed

const SPEED_TIMEOUT_MS = 600000;

export async function speed(variant, { total = 256 * MiB, chunk = 65536 } = {}) {
  const count = Math.ceil(total / chunk);
  total = count * chunk;
  const msg = new Uint8Array(chunk).fill(7);
  phase(`speed ${variant}: connecting`);
  if (variant === 'raw') {
    const pair = await rawPair(['file']);
    try {
      const counter = byteCounter(total);
      pair.rx[0].onmessage = (e) => counter.add(e.data.byteLength);
      await mark('start');
      const t0 = performance.now();
      phase('speed raw: sending');
      const progress = { bytes: 0 };
      state.ours = () => ({ sent: progress.bytes, got: counter.bytes, bufferedAmount: pair.tx[0].bufferedAmount });
      await pumpRaw(pair.tx[0], msg, count, progress);
      const end = await withTimeout(counter.done, SPEED_TIMEOUT_MS, `raw: ${total} bytes to arrive (got ${counter.bytes})`);
      await mark('end');
      return { variant, bytes: total, ms: end - t0, mbPerS: total / 1e6 / ((end - t0) / 1000) };
    } finally {
      pair.close();
    }
  }
  if (variant === 'loop' || variant === 'loop-blob') {
    const pair = await oursPair(['reliable', 'file']);
    try {
      const counter = byteCounter(total);
      pair.rx.on('message', (m) => m.type === 'file' && counter.add(m.data.byteLength));
      await mark('start');
      const t0 = performance.now();
      phase(`speed ${variant}: sending`);
      const progress = { bytes: 0 };
      state.ours = () => ({ sent: progress.bytes, got: counter.bytes, queued: pair.tx.getQueueSize(), queuedBytes: pair.tx.getQueuedBytes(), state: pair.tx.getState() });
      if (variant === 'loop') {
        await pumpOurs(pair.tx, 'file', msg, count, progress);
      } else {
        // the next slice is read while the current one is sent
        const blob = sourceBlob(total);
        const read = (off) => (off < total ? blob.slice(off, off + MiB).arrayBuffer() : null);
        let pending = read(0);
        for (let off = 0; off < total; off += MiB) {
          const slice = new Uint8Array(await pending);
          pending = read(off + MiB);
          const views = [];
          for (let i = 0; i < slice.byteLength; i += chunk) views.push(slice.subarray(i, i + chunk));
          let k = 0;
          await pumpOurs(pair.tx, 'file', null, views.length, progress, () => views[k++]);
        }
      }
      const end = await withTimeout(counter.done, SPEED_TIMEOUT_MS, `${variant}: ${total} bytes to arrive (got ${counter.bytes})`);
      await mark('end');
      return { variant, bytes: total, ms: end - t0, mbPerS: total / 1e6 / ((end - t0) / 1000) };
    } finally {
      pair.close();
    }
  }
  if (variant === 'sendFile' || variant === 'sendFile-buffer') {
    if (!hasSendFile()) return { variant, unavailable: 'peer.sendFile is not in this build' };
    const blob = variant === 'sendFile' ? sourceBlob(total) : new Uint8Array(await sourceBlob(total).arrayBuffer());
    const pair = await oursPair(['reliable']);
    try {
      const sink = { bytes: 0 };
      const rx = acceptAll(pair.rx, () => discardSink(sink));
      await mark('start');
      const t0 = performance.now();
      phase('speed sendFile: sending');
      const t = pair.tx.sendFile(blob, { name: 'bench.bin', type: 'application/octet-stream' });
      state.ours = () => ({ bytesSent: t.bytesSent, sunk: sink.bytes });
      const sent = t.done.then((r) => ({ ...r, at: performance.now() }));
      const [received] = await offered(rx, 1, 'sendFile: the transfer to be offered');
      const [s, r] = await withTimeout(Promise.all([sent, received]), SPEED_TIMEOUT_MS, `sendFile of ${total} bytes (sent ${t.bytesSent}, sunk ${sink.bytes})`);
      await mark('end');
      const end = Math.max(s.at, r.at);
      if (s.sha256 !== r.sha256) throw new Error(`sendFile: digests differ: sender ${s.sha256}, receiver ${r.sha256}`);
      if (sink.bytes !== total || r.bytes !== total) throw new Error(`sendFile: sink got ${sink.bytes} bytes, accept() says ${r.bytes}, of ${total}`);
      return {
        variant, bytes: total, ms: end - t0, mbPerS: total / 1e6 / ((end - t0) / 1000),
        senderMs: s.at - t0, receiverMs: r.at - t0, senderSeconds: s.seconds, receiverSeconds: r.seconds, sha256: r.sha256,
      };
    } finally {
      pair.close();
    }
  }
  throw new Error(`transfer bench: unknown speed variant ${variant}`);
}

// ---------------------------------------------------------------------------------------------
// Chat beside transfers

export async function chat(variant, { each = 64 * MiB, transfers = 2, chunk = 65536, intervalMs = 20, warmupMs = 100 } = {}) {
  const count = Math.ceil(each / chunk);
  each = count * chunk;
  const total = each * transfers;
  const msg = new Uint8Array(chunk).fill(5);
  const latencies = [];
  const received = [];
  const onChat = (u8) => {
    const now = performance.now();
    const view = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
    latencies.push(now - view.getFloat64(0, true));
    received.push(view.getUint32(8, true));
  };
  let pair;
  let sendChat;
  let run;  // starts the transfers; resolves with the time the last byte was received / verified
  phase(`chat ${variant}: connecting`);
  if (variant === 'raw') {
    pair = await rawPair(['file', 'chat']);
    const counter = byteCounter(total);
    pair.rx[0].onmessage = (e) => counter.add(e.data.byteLength);
    pair.rx[1].onmessage = (e) => onChat(new Uint8Array(e.data));
    sendChat = (m) => pair.tx[1].send(m);
    run = async () => {
      await pumpRaw(pair.tx[0], msg, count * transfers);
      return withTimeout(counter.done, SPEED_TIMEOUT_MS, `raw: file bytes to arrive (got ${counter.bytes})`);
    };
  } else if (variant === 'loop' || variant === 'sendFile') {
    if (variant === 'sendFile' && !hasSendFile()) return { variant, unavailable: 'peer.sendFile is not in this build' };
    pair = await oursPair(variant === 'loop' ? ['reliable', 'file'] : ['reliable']);
    pair.rx.on('message', (m) => m.type === 'reliable' && m.data.byteLength === CHAT_BYTES && onChat(m.data));
    sendChat = (m) => pair.tx.send(m, 'reliable');
    if (variant === 'loop') {
      const counter = byteCounter(total);
      pair.rx.on('message', (m) => m.type === 'file' && counter.add(m.data.byteLength));
      run = async () => {
        const g = gate(pair.tx, 'file');
        await Promise.all(Array.from({ length: transfers }, () => pumpOurs(pair.tx, 'file', msg, count, undefined, undefined, g)));
        g.close();
        return withTimeout(counter.done, SPEED_TIMEOUT_MS, `loop: file bytes to arrive (got ${counter.bytes})`);
      };
    } else {
      const rx = acceptAll(pair.rx, () => discardSink());
      run = async () => {
        const blobs = Array.from({ length: transfers }, () => sourceBlob(each));
        const ts = blobs.map((b, i) => pair.tx.sendFile(b, { name: `chat-bench-${i}.bin`, type: b.type }));
        state.ours = () => ({ bytesSent: ts.map((t) => t.bytesSent) });
        const sent = ts.map((t) => t.done.then((r) => ({ ...r, at: performance.now() })));
        const got = await offered(rx, transfers, 'sendFile: the transfers to be offered');
        const results = await withTimeout(Promise.all([...sent, ...got]), SPEED_TIMEOUT_MS, 'sendFile transfers');
        const bad = results.filter((r) => r.bytes !== each);
        if (bad.length) throw new Error(`chat sendFile: a transfer moved ${bad[0].bytes} bytes of ${each}`);
        return Math.max(...results.map((r) => r.at));
      };
    }
  } else {
    throw new Error(`transfer bench: unknown chat variant ${variant}`);
  }
  try {
    await mark('start');
    const t0 = performance.now();
    phase(`chat ${variant}: sending`);
    let finished = false;
    const running = run().finally(() => { finished = true; });
    await sleep(warmupMs);
    let seq = 0;
    while (!finished) {
      const m = new Uint8Array(CHAT_BYTES);
      const view = new DataView(m.buffer);
      view.setUint32(8, seq++, true);
      view.setFloat64(0, performance.now(), true);
      sendChat(m);
      await sleep(intervalMs);
    }
    const end = await running;
    await withTimeout((async () => { while (latencies.length < seq) await sleep(5); })(), 30000, `chat: ${seq} chats to arrive (got ${latencies.length})`);
    await mark('end');
    return { variant, bytes: total, transfers, ms: end - t0, mbPerS: total / 1e6 / ((end - t0) / 1000), chats: seq, latencies };
  } finally {
    pair.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Memory: a large transfer into an OPFS file

export async function memory({ total = 1024 * MiB, sampleMs = 500, timeoutMs = 1800000 } = {}) {
  if (!hasSendFile()) return { unavailable: 'peer.sendFile is not in this build' };
  const blob = sourceBlob(total);
  const dir = await navigator.storage.getDirectory();
  const name = `transfer-bench-${Date.now()}.bin`;
  const handle = await dir.getFileHandle(name, { create: true });
  const samples = [];
  const js = () => performance.memory?.usedJSHeapSize ?? NaN;
  const before = { jsHeap: js(), wasmHeap: heapUsed() };
  const pair = await oursPair(['reliable']);
  let timer = null;
  try {
    let sentBytes = () => 0;
    let gotBytes = 0;
    pair.rx.on('transfer-progress', (e) => { if (e.direction === 'receive') gotBytes = e.bytes; });
    // The OPFS writable is opened beforehand, so the offer is accepted within its event.
    const writable = await handle.createWritable();
    const accepted = [];
    pair.rx.on('transfer', (incoming) => {
      accepted.push(incoming.accept(writable).then((r) => ({ ...r, at: performance.now() })));
    });
    const t0 = performance.now();
    const sample = () => samples.push({ t: performance.now() - t0, jsHeap: js(), wasmHeap: heapUsed(), sent: sentBytes(), received: gotBytes });
    sample();
    timer = setInterval(sample, sampleMs);
    await mark('start');
    phase('memory: sending');
    const t = pair.tx.sendFile(blob, { name, type: blob.type });
    sentBytes = () => t.bytesSent;
    state.ours = () => ({ bytesSent: t.bytesSent, received: gotBytes, samples: samples.length });
    const sent = t.done.then((r) => ({ ...r, at: performance.now() }));
    await withTimeout((async () => { while (!accepted.length) await sleep(5); })(), 30000, 'memory: the transfer to be offered');
    const [s, r] = await withTimeout(Promise.all([sent, accepted[0]]), timeoutMs, `memory: ${total} bytes into OPFS (sent ${t.bytesSent}, received ${gotBytes})`);
    await mark('end');
    clearInterval(timer);
    timer = null;
    sample();
    const end = Math.max(s.at, r.at);
    if (s.sha256 !== r.sha256) throw new Error(`memory: digests differ: sender ${s.sha256}, receiver ${r.sha256}`);
    // The sink is closed by the library when the transfer is verified; give OPFS a moment to commit.
    let fileSize = null;
    for (let i = 0; i < 50; i++) {
      fileSize = (await handle.getFile()).size;
      if (fileSize === total) break;
      await sleep(100);
    }
    return {
      bytes: total, ms: end - t0, mbPerS: total / 1e6 / ((end - t0) / 1000), sha256: r.sha256, fileSize,
      before, samples, sampleMs, preciseMemory: !!performance.memory,
    };
  } finally {
    if (timer) clearInterval(timer);
    pair.close();
    await sleep(200);
    await dir.removeEntry(name).catch((e) => console.warn(`transfer bench: could not delete OPFS ${name}: ${e.message}`));
  }
}

// OPFS files this page's origin holds (the driver checks that none is left behind).
export async function opfsList() {
  const dir = await navigator.storage.getDirectory();
  const out = [];
  for await (const [name, h] of dir.entries()) out.push({ name, size: h.kind === 'file' ? (await h.getFile()).size : null });
  return out;
}

// Removes the files a stuck memory() run left behind; resolves with their names.
export async function opfsClean() {
  const dir = await navigator.storage.getDirectory();
  const names = [];
  for await (const name of dir.keys()) if (name.startsWith('transfer-bench-')) names.push(name);
  for (const name of names) await dir.removeEntry(name).catch(() => {});
  return names;
}

export const wasmHeap = () => heapUsed();
