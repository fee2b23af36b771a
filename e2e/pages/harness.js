// Browser-side helpers for the e2e specs: wiring peers together in one page, waiting for events,
// and carrying signaling in and out of the page for cross-page tests.

// The package as shipped (dist/, one bundled module); with `?modules` in the page's address, the
// same sources as readable modules (build/modules/), for the tests that reach into the core's
// internals (`/build/modules/core.js`) and must share its one instance.
export const libraryEntry = location.search.includes('modules') ? '/build/modules/index.js' : '/dist/index.js';
const { WebRTCPeerEnhanced, heapUsed } = await import(libraryEntry);

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
  await connectPeers(a, b);
  return { a, b };
}

// Connects two existing peers (standalone or pooled): `a` offers, `b` answers, candidates trickled
// directly; resolves when both are connected.
export async function connectPeers(a, b) {
  a.on('ice-candidate', ({ candidate }) => b.addIceCandidate(candidate));
  b.on('ice-candidate', ({ candidate }) => a.addIceCandidate(candidate));
  const offer = await a.createOffer();
  const answer = await b.createAnswer(offer);
  await a.setRemoteAnswer(answer);
  await Promise.all([connected(a), connected(b)]);
}

// Every event `peer` emits, whether or not anyone listens, in the order the library emits them
// (it wraps the peer's own emit): names, `error` events as 'type: message', and what came after
// the peer's `closed`. Per-message events (message-sent, message-queued) are only built while
// someone listens to them.
export function watchEmits(peer) {
  const w = { names: [], errors: [], closed: 0, toClosed: 0, afterClosed: [] };
  const emit = peer.emit;
  peer.emit = function (name, payload) {
    const what = name === 'error' ? `error ${payload?.type}: ${payload?.error?.message}` : name;
    if (w.closed > 0) w.afterClosed.push(what);
    w.names.push(name);
    if (name === 'error') w.errors.push(`${payload?.type}: ${payload?.error?.message}`);
    if (name === 'state-change' && payload?.newState === 'closed') w.toClosed++;
    if (name === 'closed') w.closed++;
    return emit.call(this, name, payload);
  };
  // A JSON-serialisable summary for the test, with the peer's state now.
  w.report = () => ({ closed: w.closed, toClosed: w.toClosed, afterClosed: w.afterClosed, errors: w.errors,
    state: peer.getState(), events: w.names.length });
  return w;
}

// Closes `target` from inside a listener of `emitter`'s `name` event, the first time
// `when(payload, n)` holds (n counts the events from 1). `fired` resolves when it has; `threw`
// says whether close() threw.
export function closeInside(emitter, name, target, when = () => true) {
  const r = { count: 0, fired: false, threw: null, payload: null };
  let done;
  r.firedPromise = new Promise((resolve) => { done = resolve; });
  emitter.on(name, (payload) => {
    r.count++;
    if (r.fired || !when(payload, r.count)) return;
    r.fired = true;
    r.payload = { ...payload, data: undefined, metrics: undefined };
    try {
      target.close();
    } catch (error) {
      r.threw = String(error?.message ?? error);
    }
    done();
  });
  return r;
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// `promise`, or a rejection naming `what` after `ms`.
export const within = (promise, ms, what) =>
  Promise.race([promise, new Promise((_, reject) => setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms))]);

// The WASM heap in use once deferred frees (a microtask after close(), a pool's collection) have run.
export async function settledHeap() {
  for (let i = 0; i < 3; i++) await new Promise((r) => setTimeout(r, 0));
  return heapUsed();
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

// A plain RTCPeerConnection on the wire contract (CONTRACT.md), connected to the library `peer`:
// the four user channels (ids 0-3, labels = types) and, with `library: true`, the library's own
// (4 `wre` ordered and reliable, 5 `wre-probe` unordered with maxRetransmits 0), all negotiated.
// The plain side offers; candidates trickle directly. Resolves { pc, channels } once `peer` is
// connected and every channel is open.
export async function plainPeer(peer, { library = false } = {}) {
  const pc = new RTCPeerConnection();
  const specs = [['control', 0, {}], ['reliable', 1, {}], ['unreliable', 2, { ordered: false, maxRetransmits: 0 }], ['file', 3, {}]];
  if (library) specs.push(['wre', 4, {}], ['wre-probe', 5, { ordered: false, maxRetransmits: 0 }]);
  const channels = {};
  for (const [label, id, extra] of specs) {
    const dc = pc.createDataChannel(label, { negotiated: true, id, ...extra });
    dc.binaryType = 'arraybuffer';
    channels[label] = dc;
  }
  pc.onicecandidate = (e) => e.candidate && peer.addIceCandidate(e.candidate.toJSON()).catch(() => {});
  peer.on('ice-candidate', ({ candidate }) => pc.addIceCandidate(candidate).catch(() => {}));
  await pc.setLocalDescription(await pc.createOffer());
  await pc.setRemoteDescription(await peer.createAnswer({ type: 'offer', sdp: pc.localDescription.sdp }));
  await connected(peer);
  await Promise.all(Object.values(channels).map((dc) =>
    dc.readyState === 'open' ? null : new Promise((resolve) => dc.addEventListener('open', resolve, { once: true }))));
  return { pc, channels };
}

// The library's own messages (src/metrics/probe_codec.hpp), for a plain peer that speaks them.
// Little-endian. hello: 'WRE' 1; ack: 'A' delivered:u64 (a Number or BigInt);
// probe: 'P' seq:u32 sentMs:f64 echoSentMs:f64 echoHoldMs:f64 (echoHoldMs < 0: no echo).
export const wire = {
  hello: () => Uint8Array.of(0x57, 0x52, 0x45, 1).buffer,
  ack(delivered) {
    const b = new ArrayBuffer(9);
    const v = new DataView(b);
    v.setUint8(0, 0x41);
    v.setBigUint64(1, BigInt(delivered), true);
    return b;
  },
  probe(seq, sentMs, echoSentMs = 0, echoHoldMs = -1) {
    const b = new ArrayBuffer(29);
    const v = new DataView(b);
    v.setUint8(0, 0x50);
    v.setUint32(1, seq >>> 0, true);
    v.setFloat64(5, sentMs, true);
    v.setFloat64(13, echoSentMs, true);
    v.setFloat64(21, echoHoldMs, true);
    return b;
  },
  // A received probe as { seq, sentMs, echoSentMs, echoHoldMs }, or null.
  readProbe(data) {
    if (!(data instanceof ArrayBuffer) || data.byteLength !== 29) return null;
    const v = new DataView(data);
    if (v.getUint8(0) !== 0x50) return null;
    return { seq: v.getUint32(1, true), sentMs: v.getFloat64(5, true), echoSentMs: v.getFloat64(13, true), echoHoldMs: v.getFloat64(21, true) };
  },
};

// Milliseconds on a clock shared by every page and browser on this machine (cross-page timings).
export const wallMs = () => performance.timeOrigin + performance.now();

// How `peer` closes: its `state-change` → closed and `closed` events in order, each with the
// wallMs() it arrived at, and what the peer answers once closed. `done` resolves at `closed`.
export function watchClose(peer) {
  const w = { events: [], closedAtMs: null, after: null };
  w.done = new Promise((resolve) => {
    peer.on('state-change', (e) => {
      if (e.newState === 'closed') w.events.push(['state-change', `${e.oldState}->${e.newState}`, peer.getState()]);
    });
    peer.on('closed', (e) => {
      w.closedAtMs = wallMs();
      w.events.push(['closed', e.reason, peer.getState()]);
      resolve();
    });
  });
  // JSON-serialisable, for the test.
  w.report = () => {
    let sendError = null;
    try {
      peer.send('after close');
    } catch (error) {
      sendError = error.message;
    }
    return { events: w.events, closedAtMs: w.closedAtMs, state: peer.getState(), sendError };
  };
  return w;
}

// Counts the RTCPeerConnections made from now on that are not closed yet.
export function countOpenConnections() {
  if (globalThis.__openConnections) return globalThis.__openConnections;
  const made = [];
  const Original = globalThis.RTCPeerConnection;
  globalThis.RTCPeerConnection = class extends Original {
    constructor(...args) {
      super(...args);
      made.push(this);
    }
  };
  globalThis.__openConnections = () => made.filter((pc) => pc.signalingState !== 'closed').length;
  return globalThis.__openConnections;
}

// Both peers have heard each other's hello on `wre` (a bye goes only to a far side that did): a
// round trip on `reliable`, which opens with `wre`, then a moment for `wre`'s own hello.
export async function helloHeard(a, b) {
  await channelsOpen(a, b, ['reliable']);
  await channelsOpen(b, a, ['reliable']);
  await sleep(100);
}

// Numbered 4-byte messages on `type` from `peer`, one every `everyMs`; stop() ends the sending
// and returns how many were sent, sent() says so far. Each message is a 4-byte view into the
// middle of its own larger buffer: the library sends (and keeps for replay) the view, no copy.
export function numberedSender(peer, everyMs, type = 'reliable') {
  let seq = 0;
  const timer = setInterval(() => {
    const view = new Uint8Array(12).subarray(4, 8);
    new DataView(view.buffer, view.byteOffset).setUint32(0, seq++);
    peer.send(view, type);
  }, everyMs);
  return { stop: () => { clearInterval(timer); return seq; }, sent: () => seq };
}

// The numbers of numberedSender's messages on `type` that `peer` receives, in arrival order (a
// live array); -1 for a message that is not 4 bytes.
export function numberedReceiver(peer, type = 'reliable') {
  const got = [];
  peer.on('message', (m) => m.type === type &&
    got.push(m.data.byteLength === 4 ? new DataView(m.data.buffer, m.data.byteOffset).getUint32(0) : -1));
  return got;
}

// numberedSender from `from` to `to` in one page. stop() ends the sending and resolves, once all
// sent have arrived (or 10 s later), to { sent, got }: the numbers in arrival order.
export function numberedStream(from, to, everyMs, type = 'reliable') {
  const got = numberedReceiver(to, type);
  const sender = numberedSender(from, everyMs, type);
  return {
    async stop() {
      const sent = sender.stop();
      const deadline = performance.now() + 10000;
      while (got.length < sent && performance.now() < deadline) await sleep(50);
      return { sent, got };
    },
  };
}

// A library peer paired through the demo's signaling room server (web/room-signaling.js): whoever
// joined the room first offers; candidates and renegotiation (ICE restarts) travel the same way.
// Returns { peer, signaling, failures }: failures lists any signaling step that failed.
export async function joinRoom(roomUrl, config) {
  const { RoomSignaling } = await import('/web/room-signaling.js');
  const signaling = new RoomSignaling(roomUrl);
  const peer = new WebRTCPeerEnhanced(config);
  const failures = [];
  const send = (kind, step) => step.then((payload) => signaling.signal(kind, payload), (e) => failures.push(`${kind}: ${e.message}`));
  peer.on('ice-candidate', ({ candidate }) => signaling.signal('candidate', { candidate }));
  peer.on('renegotiation-needed', ({ offer }) => signaling.signal('offer', { offer }));
  signaling.on('paired', ({ offerer }) => offerer && send('offer', peer.createOffer().then((offer) => ({ offer }))));
  signaling.on('signal', (msg) => {
    if (msg.kind === 'offer') send('answer', peer.createAnswer(msg.offer).then((answer) => ({ answer })));
    else if (msg.kind === 'answer') peer.setRemoteAnswer(msg.answer).catch((e) => failures.push(`answer: ${e.message}`));
    else if (msg.kind === 'candidate') peer.addIceCandidate(msg.candidate).catch((e) => failures.push(`candidate: ${e.message}`));
  });
  signaling.on('error', ({ message }) => failures.push(`signaling: ${message}`));
  signaling.start();
  return { peer, signaling, failures };
}

// Receives `count` numbered chunks (numberedChunks(chunk, seed)) on `type`; resolves to
// { received, bytes, bad, ms } once all arrived (ms: from the first to the last).
export function bulkReceiver(peer, type, count, chunk, seed, timeoutMs = 60_000) {
  const chunks = numberedChunks(chunk, seed);
  const r = { received: 0, bytes: 0, bad: null, ms: 0 };
  let t0 = 0;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`bulk on ${type}: ${r.received}/${count} chunks in ${timeoutMs} ms`)), timeoutMs);
    peer.on('message', (m) => {
      if (m.type !== type) return;
      t0 ||= performance.now();
      r.bad ??= chunks.check(r.received, m.data, 61);
      r.bytes += m.data.byteLength;
      if (++r.received < count) return;
      clearTimeout(timer);
      resolve({ ...r, ms: performance.now() - t0 });
    });
  });
}

// Sends `count` numbered chunks on `type` at the pace backpressure allows (the README's pattern).
export async function bulkSend(peer, type, count, chunk, seed) {
  const chunks = numberedChunks(chunk, seed);
  const pump = backpressurePump(peer, type);
  await pump.run(count, (i) => chunks.make(i));
  return pump.summary();
}

// ---------------------------------------------------------------------------------------------
// Transfers (peer.sendFile, CONTRACT.md "Transfers"): e2e/transfer.spec.js

// `n` deterministic pseudo-random bytes (xorshift32 from `seed`): nothing on the way can compress
// them, and a shifted or repeated chunk changes the digest.
export function randomBytes(n, seed = 1) {
  const out = new Uint8Array(n);
  const words = new Uint32Array(out.buffer, 0, n >>> 2);
  let x = seed >>> 0 || 1;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
  for (let i = 0; i < words.length; i++) words[i] = next();
  for (let i = words.length * 4; i < n; i++) out[i] = next() & 0xff;
  return out;
}

const hex = (buf) => Array.from(new Uint8Array(buf), (v) => v.toString(16).padStart(2, '0')).join('');

// SHA-256 (lowercase hex) of a BufferSource or Blob, by Web Crypto in one go: the test's own
// digest, independent of the library's incremental one.
export async function sha256Hex(data) {
  const buf = data instanceof Blob ? await data.arrayBuffer() : data;
  return hex(await crypto.subtle.digest('SHA-256', buf));
}

// A ReadableStream<Uint8Array> of `data` in `chunk`-byte pieces, made on demand (pull): a source
// whose size the library cannot know in advance.
export function pullStream(data, chunk = 64 * 1024) {
  let off = 0;
  return new ReadableStream({
    pull(controller) {
      if (off >= data.byteLength) {
        controller.close();
        return;
      }
      controller.enqueue(data.slice(off, off + chunk));
      off += chunk;
    },
  });
}

// A WritableStream for accept(sink): each write takes minMs..maxMs (a slow disk; its backpressure
// is what must pace the sender), or that per `perBytes` written when given (the same pace whatever
// the library's chunk size), and a copy of every chunk is kept, so digest() hashes exactly what
// the app was given. `closed` / `aborted` say how the library ended the stream (a locked stream
// can only be ended by its writer); `notUint8` counts chunks that were not Uint8Arrays.
export function recordingSink({ minMs = 0, maxMs = 0, perBytes = 0 } = {}) {
  const chunks = [];
  const s = { writes: 0, bytes: 0, closed: false, aborted: null, notUint8: 0 };
  s.stream = new WritableStream({
    async write(chunk) {
      if (!(chunk instanceof Uint8Array)) s.notUint8++;
      const view = ArrayBuffer.isView(chunk) ? new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength) : new Uint8Array(chunk);
      chunks.push(view.slice());
      s.writes++;
      s.bytes += view.byteLength;
      const scale = perBytes > 0 ? Math.max(1, view.byteLength / perBytes) : 1;
      if (maxMs > 0) await sleep(scale * (minMs + Math.random() * (maxMs - minMs)));
    },
    close() {
      s.closed = true;
    },
    abort(reason) {
      s.aborted = String(reason?.message ?? reason ?? 'aborted');
    },
  });
  s.digest = () => sha256Hex(concatBytes(chunks));
  s.report = () => ({ writes: s.writes, bytes: s.bytes, closed: s.closed, aborted: s.aborted, notUint8: s.notUint8 });
  return s;
}

export function concatBytes(chunks) {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.byteLength;
  }
  return out;
}

// The transfer events of `peer` (all transfers, both directions), each stamped with the time.
export function transferLog(peer) {
  const log = { progress: [], complete: [], failed: [], incoming: [] };
  const now = () => performance.now();
  peer.on('transfer', (t) => log.incoming.push({ t: now(), id: t.id, name: t.name, type: t.type, size: t.size, meta: t.meta }));
  peer.on('transfer-progress', (e) => log.progress.push({ t: now(), id: e.id, direction: e.direction, bytes: e.bytes, total: e.total }));
  peer.on('transfer-complete', (e) => log.complete.push({ t: now(), id: e.id, direction: e.direction, bytes: e.bytes, sha256: e.sha256 }));
  peer.on('transfer-failed', (e) => log.failed.push({
    t: now(), id: e.id, direction: e.direction, reason: e.reason, message: e.error?.message ?? null,
  }));
  return log;
}

// One transfer's progress events in one direction, summarised for the test: how many, the first
// and last byte counts, the last `total`, where (if anywhere) the count went backwards or past a
// known `total` (and the most it reached), and times.
export function progressOf(log, id, direction) {
  const ev = log.progress.filter((e) => e.id === id && e.direction === direction);
  return {
    count: ev.length,
    first: ev[0]?.bytes ?? null,
    last: ev.at(-1)?.bytes ?? null,
    total: ev.at(-1)?.total ?? null,
    backwards: ev.findIndex((e, i) => i > 0 && e.bytes < ev[i - 1].bytes),
    over: ev.findIndex((e) => typeof e.total === 'number' && e.bytes > e.total),
    max: ev.reduce((m, e) => Math.max(m, e.bytes), 0),
    firstT: ev[0]?.t ?? null,
    lastT: ev.at(-1)?.t ?? null,
    // Bytes reached by time `t` (0 before the first event).
    at: (t) => ev.filter((e) => e.t <= t).at(-1)?.bytes ?? 0,
  };
}

// How a promise ended, JSON-serialisable: { ok, value } or { ok: false, name, message, reason }.
export function settle(promise) {
  return Promise.resolve(promise).then(
    (value) => ({ ok: true, value }),
    (error) => ({ ok: false, name: error?.name ?? null, message: String(error?.message ?? error ?? ''), reason: error?.reason ?? null }),
  );
}

// A chat of 16-byte messages [u32 seq][f64 sent at] from `from` to `to`, one every `everyMs`.
// stop() ends it and resolves, once everything sent arrived (or 10 s later), to { sent, seqs,
// latencies }: the sequence numbers in arrival order and each message's one-way time in ms.
export function chat(from, to, everyMs = 20, type = 'reliable') {
  const seqs = [];
  const latencies = [];
  to.on('message', (m) => {
    if (m.type !== type || m.data.byteLength !== 16) return;
    const v = new DataView(m.data.buffer, m.data.byteOffset, 16);
    seqs.push(v.getUint32(0, true));
    latencies.push(performance.now() - v.getFloat64(4, true));
  });
  let seq = 0;
  const timer = setInterval(() => {
    const b = new ArrayBuffer(16);
    const v = new DataView(b);
    v.setUint32(0, seq++, true);
    v.setFloat64(4, performance.now(), true);
    from.send(b, type);
  }, everyMs);
  return {
    async stop() {
      clearInterval(timer);
      const deadline = performance.now() + 10_000;
      while (seqs.length < seq && performance.now() < deadline) await sleep(20);
      return { sent: seq, seqs, latencies };
    },
  };
}

// What the page hands to its data channels, by label (a wrapper around RTCDataChannel's send,
// installed once): the library's own re-sends, apart from what the browser's transport adds.
export function handedBytes() {
  if (!RTCDataChannel.prototype.send.counting) {
    const send = RTCDataChannel.prototype.send;
    const counting = function (data) {
      counting.byLabel[this.label] = (counting.byLabel[this.label] ?? 0) + (data.byteLength ?? data.size ?? data.length);
      return send.call(this, data);
    };
    counting.counting = true;
    counting.byLabel = {};
    RTCDataChannel.prototype.send = counting;
  }
  const byLabel = RTCDataChannel.prototype.send.byLabel;
  for (const k of Object.keys(byLabel)) delete byLabel[k];
  return byLabel;
}

// The sender's wire bytes from its `metrics` events (listening keeps the getStats() sweeps
// running): sum of the increases of `bytesSent` between samples. The library keeps that counter
// from falling back (retired candidate pairs, rebuilt connections); a sample where it still did is
// counted in `drops` (and skipped), for a test to assert on. `trace`: every [time, bytesSent].
// mark() starts a count; read(afterSamples) resolves to it once `afterSamples` more samples came in.
export function wireMeter(peer) {
  let last = null;
  let sum = 0;
  let samples = 0;
  let drops = 0;
  const waiting = [];
  const trace = [];
  peer.on('metrics', ({ metrics }) => {
    const v = metrics.bytesSent;
    trace.push([Math.round(performance.now()), v]);
    if (last !== null) {
      if (v >= last) sum += v - last;
      else drops++;
    }
    last = v;
    samples++;
    for (const w of waiting.splice(0)) w();
  });
  const nextSample = () => new Promise((resolve) => waiting.push(resolve));
  return {
    // Resolves once a sample has been taken, then counts from it.
    async mark() {
      await nextSample();
      sum = 0;
      drops = 0;
    },
    async read(afterSamples = 2) {
      for (let i = 0; i < afterSamples; i++) await nextSample();
      return { bytes: sum, drops, samples, trace };
    },
  };
}

// The receiver's side of transfers as a queue: next() resolves with the next `transfer` event's
// offer (one already waiting, or the next to come), so a test can accept or reject it afterwards,
// as an app that asks its user first would.
export function incomingQueue(peer) {
  const arrived = [];
  const waiters = [];
  peer.on('transfer', (incoming) => {
    const waiter = waiters.shift();
    if (waiter) waiter(incoming);
    else arrived.push(incoming);
  });
  return {
    next: (timeoutMs = 15_000) => (arrived.length
      ? Promise.resolve(arrived.shift())
      : within(new Promise((resolve) => waiters.push(resolve)), timeoutMs, "a 'transfer' event")),
  };
}

// Two library peers in this page, connected and past their hellos (so each knows the other takes
// transfers), with both sides' transfer events logged and B's offers queued.
export async function transferPair(configA, configB) {
  const { a, b } = await connectPair(configA, configB);
  await helloHeard(a, b);
  return { a, b, logA: transferLog(a), logB: transferLog(b), incoming: incomingQueue(b) };
}
