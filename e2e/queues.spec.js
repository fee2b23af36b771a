// Send queues and backpressure in the real browser: a bulk transfer far larger than the browser
// buffer arrives whole and in order, a full queue refuses clearly and loses nothing it accepted,
// chat stays fast while a file saturates the link, and queued bytes never enter WASM memory.
import { test, expect } from '@playwright/test';
import { openHarness } from './support/harness-page.js';

const KiB = 1024;
const MiB = 1024 * KiB;

test('64 MiB through `file` with maxBufferedAmount 1 MiB arrives whole and in order', async ({ page }) => {
  test.setTimeout(180_000);
  await openHarness(page);
  const result = await page.evaluate(async ({ total, chunk, maxBuffered }) => {
    const { connectPair, numberedChunks, backpressurePump } = window.harness;
    // Watch the browser's buffer of every `file` channel: it must never pass maxBufferedAmount.
    let maxFileBuffered = 0;
    const send = RTCDataChannel.prototype.send;
    RTCDataChannel.prototype.send = function (data) {
      send.call(this, data);
      if (this.label === 'file') maxFileBuffered = Math.max(maxFileBuffered, this.bufferedAmount);
    };
    try {
      const config = { maxBufferedAmount: maxBuffered, lowWaterMark: 256 * 1024 };
      const { a, b } = await connectPair(config, config);
      await window.harness.channelsOpen(a, b, ['file']);
      // The receiver checks every byte.
      const chunks = numberedChunks(chunk, 7);
      const makeChunk = chunks.make;
      const count = total / chunk;
      let received = 0;
      let receivedBytes = 0;
      let firstBad = null;
      const done = new Promise((resolve) => {
        b.on('message', ({ type, data }) => {
          if (type !== 'file') return;
          const i = received++;
          receivedBytes += data.byteLength;
          if (firstBad === null) firstBad = chunks.check(i, data);
          if (received === count) resolve();
        });
      });
      const pump = backpressurePump(a, 'file', () => `${received}/${count} chunks arrived`);
      const t0 = performance.now();
      await pump.run(count, makeChunk, 150_000);
      await pump.limit(done, 30_000, 'not all chunks arrived');
      const ms = performance.now() - t0;
      const queueAfter = a.getQueueSize();
      a.close();
      b.close();
      return {
        count, received, receivedBytes, firstBad, maxFileBuffered, queueAfter, ms, ...pump.summary(),
      };
    } finally {
      RTCDataChannel.prototype.send = send;
    }
  }, { total: 64 * MiB, chunk: 64 * KiB, maxBuffered: 1 * MiB });
  console.log(`64 MiB through 'file' in ${(result.ms / 1000).toFixed(1)} s (${(64 * MiB / 1e6 / (result.ms / 1000)).toFixed(1)} MB/s); ` +
    `browser buffer peaked at ${result.maxFileBuffered} B; ${result.pressure} backpressure / ${result.readies} channel-ready events`);
  expect(result.firstBad).toBeNull();
  expect(result.received).toBe(result.count);
  expect(result.receivedBytes).toBe(64 * MiB);
  // maxBufferedAmount is honoured in the browser's own buffer...
  expect(result.maxFileBuffered).toBeGreaterThan(0);
  expect(result.maxFileBuffered).toBeLessThanOrEqual(1 * MiB);
  // ...and the sender was told to wait, and told when to go on.
  expect(result.pressure).toBeGreaterThan(0);
  expect(result.pressureTypes).toEqual(['file']);
  expect(result.pressureMaxBuffered).toBeLessThanOrEqual(1 * MiB);
  expect(result.readies).toBe(result.pressure);
  // Following the pattern, our own queue never held more than a message or two.
  expect(result.maxQueued).toBeLessThanOrEqual(2 * 64 * KiB);
  expect(result.queueAfter).toBe(0);
});

// Between two peers of this library the receiver acknowledges the `file` bytes its app has been
// given, and the sender keeps at most 512 KiB unacknowledged (README, "Send queues"). Observable
// without any hook into the library: every byte the sender's `file` channel was handed, minus every
// byte the receiving app got. An ack leaves the receiver in the task that delivers the bytes it
// counts, so at any send the library's own figure (sent - acked) is at least this one.
const FILE_WINDOW = 512 * KiB;

test('`file` between two library peers: 24 MiB arrives whole and in order, never more than the 512 KiB window unacknowledged', async ({ page }) => {
  test.setTimeout(120_000);
  await openHarness(page);
  const result = await page.evaluate(async ({ total, chunk }) => {
    const { connectPair, numberedChunks, backpressurePump } = window.harness;
    let handed = 0;
    let delivered = 0;
    let maxUnacked = 0;
    // The acknowledgements on the wire (`wre`, stream 4), as the first peer's connection receives them.
    const acks = [];
    const others = [];
    const pcs = [];
    const createDataChannel = RTCPeerConnection.prototype.createDataChannel;
    RTCPeerConnection.prototype.createDataChannel = function (label, init) {
      const dc = createDataChannel.call(this, label, init);
      if (!pcs.includes(this)) pcs.push(this);
      if (label === 'wre' && pcs.indexOf(this) === 0) {
        dc.addEventListener('message', ({ data }) => {
          const bytes = new Uint8Array(data);
          if (bytes.length === 9 && bytes[0] === 0x41) acks.push(Number(new DataView(data).getBigUint64(1, true)));
          else others.push(bytes[0] === 0x46 ? 'F' : bytes.length);  // 'F': transfer messages
        });
      }
      return dc;
    };
    const send = RTCDataChannel.prototype.send;
    RTCDataChannel.prototype.send = function (data) {
      send.call(this, data);
      if (this.label !== 'file') return;
      handed += data.byteLength;
      maxUnacked = Math.max(maxUnacked, handed - delivered);
    };
    try {
      // maxBufferedAmount 16 MiB (the default): without the window, the browser buffer would hold
      // up to 1 MiB of `file` data (the bulk bound) and the network and the receiver more.
      const { a, b } = await connectPair();
      await window.harness.channelsOpen(a, b, ['file']);
      handed = 0;  // channelsOpen's byte has been delivered: count from here on both sides
      // b said it acknowledges (the ack that follows its hello): a's window is on from here.
      for (let i = 0; i < 500 && acks.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      const acksBefore = acks.length;
      const chunks = numberedChunks(chunk, 5);
      const makeChunk = chunks.make;
      const count = total / chunk;
      let received = 0;
      let firstBad = null;
      const done = new Promise((resolve) => {
        b.on('message', ({ type, data }) => {
          if (type !== 'file') return;
          delivered += data.byteLength;
          const i = received++;
          if (firstBad === null) firstBad = chunks.check(i, data, 97);
          if (received === count) resolve();
        });
      });
      const pump = backpressurePump(a, 'file', () => `${received}/${count} arrived`);
      const t0 = performance.now();
      await pump.run(count, makeChunk);
      await pump.limit(done, 30_000, 'not all chunks arrived');
      const ms = performance.now() - t0;
      const queueAfter = a.getQueueSize();
      // The last acks may still be on their way to a.
      for (let i = 0; i < 500 && acks.at(-1) !== total + 1; i++) await new Promise((r) => setTimeout(r, 10));
      a.close();
      b.close();
      return {
        acksBefore, acks, others,
        count, received, delivered, firstBad, maxUnacked, queueAfter, ms, ...pump.summary(),
      };
    } finally {
      RTCDataChannel.prototype.send = send;
      RTCPeerConnection.prototype.createDataChannel = createDataChannel;
    }
  }, { total: 24 * MiB, chunk: 16 * KiB });
  console.log(`24 MiB through 'file' between library peers in ${(result.ms / 1000).toFixed(1)} s ` +
    `(${(24 * MiB / 1e6 / (result.ms / 1000)).toFixed(1)} MB/s); at most ${(result.maxUnacked / KiB).toFixed(0)} KiB ` +
    `handed to the browser and not yet delivered; ${result.pressure} backpressure / ${result.readies} channel-ready`);
  expect(result.firstBad).toBeNull();
  expect(result.received).toBe(result.count);
  expect(result.delivered).toBe(24 * MiB);
  // On the wire: b's first ack came before the transfer; then one every 64 KiB delivered (every
  // fourth 16 KiB message), cumulative, never going back, the last one counting everything
  // (24 MiB + channelsOpen's byte).
  expect(result.acksBefore).toBeGreaterThan(0);
  expect(result.acks.length).toBeGreaterThanOrEqual((24 * MiB) / (64 * KiB));
  expect(result.acks.every((n, i) => i === 0 || n >= result.acks[i - 1])).toBe(true);
  expect(result.acks.at(-1)).toBe(24 * MiB + 1);
  // And nothing else on `wre` but the hello, the session id, delivered counts (session resume) and
  // the transfer messages that classify `file` messages (runs: README, "Transfers").
  expect(result.others.slice(0, 2)).toEqual([4, 9]);
  expect(result.others.slice(2).every((n) => n === 25 || n === 'F')).toBe(true);
  // The window holds: never more than 512 KiB between the sender's hand-off and the receiving app...
  expect(result.maxUnacked).toBeLessThanOrEqual(FILE_WINDOW);
  // ...and it was what held the sender back (the browser's own bound is 1 MiB here).
  expect(result.maxUnacked).toBeGreaterThan(FILE_WINDOW / 2);
  expect(result.pressure).toBeGreaterThan(0);
  expect(result.pressureTypes).toEqual(['file']);
  // `backpressure` reports the unacknowledged bytes when the window is what holds a message back.
  expect(result.pressureMaxBuffered).toBeLessThanOrEqual(FILE_WINDOW);
  expect(result.readies).toBe(result.pressure);
  expect(result.maxQueued).toBeLessThanOrEqual(2 * 16 * KiB);
  expect(result.queueAfter).toBe(0);
});

test('a full queue refuses the send clearly, and everything it accepted arrives in order', async ({ page }) => {
  await openHarness(page);
  const result = await page.evaluate(async () => {
    const { WebRTCPeerEnhanced } = window.wre;
    const { connectPair, waitFor, bytes, sameBytes } = window.harness;

    // 1. Before the channel opens: 16 × 64 KiB fill maxQueuedBytes (1 MiB) exactly; one more byte is refused.
    const a = new WebRTCPeerEnhanced({ peerId: 'full-a', maxQueuedBytes: 1024 * 1024 });
    const b = new WebRTCPeerEnhanced({ peerId: 'full-b' });
    const errors = [];
    a.on('error', (e) => errors.push({ type: e.type, message: e.error?.message, isError: e.error instanceof Error }));
    const sent = Array.from({ length: 16 }, (_, i) => bytes(64 * 1024, i));
    for (const m of sent) a.send(m, 'reliable');
    const queuedBefore = { messages: a.getQueueSize(), bytes: a.getQueuedBytes() };
    let thrown = null;
    try {
      a.send(new Uint8Array(1), 'reliable');
    } catch (e) {
      thrown = { message: e.message, isError: e instanceof Error };
    }
    const queuedAfter = { messages: a.getQueueSize(), bytes: a.getQueuedBytes() };
    // Connect: the 16 accepted messages arrive, byte for byte, in order; the refused byte never does.
    const got = [];
    b.on('message', (m) => got.push(m));
    a.on('ice-candidate', ({ candidate }) => b.addIceCandidate(candidate));
    b.on('ice-candidate', ({ candidate }) => a.addIceCandidate(candidate));
    await a.setRemoteAnswer(await b.createAnswer(await a.createOffer()));
    const deadline = performance.now() + 20000;
    while (got.length < 16 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 200));  // anything extra would show up now
    const received = got.length;
    const inOrder = received === 16 && got.every((m, i) => m.type === 'reliable' && sameBytes(m.data, sent[i]));
    // Once drained, the queue accepts again.
    const again = waitFor(b, 'message', (m) => m.data.byteLength === 3);
    a.send(new Uint8Array([1, 2, 3]), 'reliable');
    await again;
    a.close();
    b.close();

    // 2. While connected: a sender that ignores backpressure fills the browser buffer and then
    //    our queue, and is refused; every message it got in arrives, in order.
    const pair = await connectPair({ maxBufferedAmount: 256 * 1024, lowWaterMark: 64 * 1024, maxQueuedBytes: 512 * 1024 });
    const pErrors = [];
    pair.a.on('error', (e) => pErrors.push({ type: e.type, message: e.error?.message }));
    let accepted = 0;
    let refusal = null;
    for (let i = 0; i < 10000 && !refusal; i++) {
      const m = new Uint8Array(16 * 1024);
      new DataView(m.buffer).setUint32(0, i, true);
      try {
        pair.a.send(m, 'file');
        accepted++;
      } catch (e) {
        refusal = e.message;
      }
    }
    const arrived = [];
    pair.b.on('message', (m) => { if (m.type === 'file') arrived.push(new DataView(m.data.buffer, m.data.byteOffset, 4).getUint32(0, true)); });
    const end = performance.now() + 20000;
    while (arrived.length < accepted && performance.now() < end) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 200));
    pair.a.close();
    pair.b.close();
    return {
      queuedBefore, thrown, queuedAfter, errors, received, inOrder,
      accepted, refusal, pErrors, arrivedCount: arrived.length, arrivedInOrder: arrived.every((s, i) => s === i),
    };
  });
  expect(result.queuedBefore).toEqual({ messages: 16, bytes: 1024 * 1024 });
  expect(result.thrown?.isError).toBe(true);
  expect(result.thrown.message).toMatch(/queue is full/);
  expect(result.thrown.message).toMatch(/maxQueuedBytes \(1048576\)/);
  expect(result.errors).toEqual([{ type: 'send', message: result.thrown.message, isError: true }]);
  expect(result.queuedAfter).toEqual(result.queuedBefore);  // the refused send left the queue as it was
  expect(result.received).toBe(16);
  expect(result.inOrder).toBe(true);

  // Connected: refused only after the browser buffer (256 KiB) and our queue (512 KiB) were full.
  expect(result.refusal).toMatch(/queue is full/);
  expect(result.accepted * 16 * 1024).toBeGreaterThanOrEqual(512 * 1024);
  expect(result.pErrors.map((e) => e.type)).toEqual(['send']);
  expect(result.arrivedCount).toBe(result.accepted);
  expect(result.arrivedInOrder).toBe(true);
});

// Chat every 20 ms while a file saturates the link: on its own `reliable` channel beside `file`,
// vs sharing `reliable` with the file data (one channel). Each chat message carries how many file
// bytes had been handed to send() before it, so the receiver sees how many of those it overtook,
// and the receiver counts the file bytes its app was given while the chat was on its way (both
// peers are in this page: one clock). Sharing a channel, a chat overtakes nothing (it waits behind
// every buffered and queued byte). On its own channel, between two peers of this library, at most
// the 512 KiB window of file data is ever between the sender and the receiving app, so no chat
// waits behind more than that: asserted, since it does not depend on how busy the machine is. The
// latency itself is measured and printed, and asserted only with a generous margin.
test('chat during a saturating file transfer: on its own channel it waits behind at most the file window, and is far faster', async ({ page, browserName }) => {
  test.setTimeout(120_000);
  await openHarness(page);
  const result = await page.evaluate(async ({ fileBytes, chunk }) => {
    const { connectPair, backpressurePump } = window.harness;
    const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
    const quantile = (xs, q) => {
      const s = [...xs].sort((x, y) => x - y);
      return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
    };
    async function run(fileType) {
      const config = { maxBufferedAmount: 1024 * 1024, lowWaterMark: 256 * 1024 };
      const { a, b } = await connectPair(config, config);
      await window.harness.channelsOpen(a, b, ['file', 'reliable']);
      const latencies = [];
      const overtaken = [];
      const order = [];
      const fileGotAtSend = [];
      const fileDuring = [];  // file bytes the app got while each chat was on its way
      let fileGot = 0;
      b.on('message', ({ type, data }) => {
        if (data.byteLength === 16) {  // chat: [f64 sent at][u32 seq][u32 file bytes submitted before it]
          const v = new DataView(data.buffer, data.byteOffset, 16);
          latencies.push(performance.now() - v.getFloat64(0, true));
          order.push(v.getUint32(8, true));
          fileDuring.push(fileGot - fileGotAtSend[v.getUint32(8, true)]);
          overtaken.push(Math.max(0, v.getUint32(12, true) - fileGot));
        } else if (type === fileType) {
          fileGot += data.byteLength;
        }
      });
      const chunkBytes = new Uint8Array(chunk).fill(9);
      let submitted = 0;
      let fileSent = false;
      const t0 = performance.now();
      const pump = backpressurePump(a, fileType, () => `file ${fileGot}/${fileBytes} B arrived`)
        .run(fileBytes / chunk, () => {
          submitted += chunk;  // counted as handed over: no chat is sent between this and the send
          return chunkBytes;
        })
        .then(() => { fileSent = true; });
      await sleep(100);
      let seq = 0;
      while (!fileSent) {
        const m = new Uint8Array(16);
        const v = new DataView(m.buffer);
        v.setUint32(8, seq++, true);
        v.setUint32(12, submitted, true);
        v.setFloat64(0, performance.now(), true);
        fileGotAtSend.push(fileGot);
        a.send(m, 'reliable');
        await sleep(20);
      }
      await pump;
      const deadline = performance.now() + 30000;
      while ((fileGot < fileBytes || order.length < seq) && performance.now() < deadline) await sleep(10);
      const ms = performance.now() - t0;
      a.close();
      b.close();
      return {
        sent: seq, received: order.length, inOrder: order.every((s, i) => s === i), fileGot,
        p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), fileMBps: fileBytes / 1e6 / (ms / 1000),
        overtakenP50: quantile(overtaken, 0.5), overtakenMax: Math.max(...overtaken),
        duringP50: quantile(fileDuring, 0.5), duringMax: Math.max(...fileDuring),
      };
    }
    return { split: await run('file'), single: await run('reliable') };
  }, { fileBytes: 16 * MiB, chunk: 16 * KiB });
  const ms = (x) => (Number.isFinite(x) ? x.toFixed(1) : String(x));
  const show = (r) => `p50 ${ms(r.p50)} ms, p99 ${ms(r.p99)} ms over ${r.received}/${r.sent} chats; ` +
    `overtook ${ms(r.overtakenP50 / KiB)} KiB of file data (median), ${ms(r.overtakenMax / KiB)} KiB at most; ` +
    `waited behind ${ms(r.duringP50 / KiB)} KiB (median), ${ms(r.duringMax / KiB)} KiB at most; file ${ms(r.fileMBps)} MB/s`;
  console.log(`chat on 'reliable' beside 'file': ${show(result.split)}\nchat sharing 'reliable' with the file: ${show(result.single)}`);
  test.info().annotations.push(
    { type: 'chat latency, own channel', description: show(result.split) },
    { type: 'chat latency, shared channel', description: show(result.single) },
  );
  for (const r of [result.split, result.single]) {
    expect(r.fileGot).toBe(16 * MiB);
    expect(r.sent).toBeGreaterThanOrEqual(10);  // the transfer really ran under the chat
    expect(r.received).toBe(r.sent);
    expect(r.inOrder).toBe(true);
  }
  // One channel is FIFO: a chat never passes file data handed over before it.
  expect(result.single.overtakenMax).toBe(0);
  // Its own channel: nothing ahead of a chat but the window's worth of file data (plus, at most,
  // a file message or two the browser's stream scheduler sends in the same round as the chat).
  expect(result.split.duringMax).toBeLessThanOrEqual(FILE_WINDOW + 2 * 16 * KiB);
  // Measured here in Chromium about 10-20x apart at p99 (40-70 ms vs 0.6-1 s on a busy 2-core
  // machine). Firefox drains the shared channel's 1 MiB buffer far faster (p99 ~125-380 ms shared),
  // and its split p99 (20-55 ms) is the busy main thread's, so the p99 ratio swings between 2 and 8
  // over ~40 chats; the medians stay 8-10x apart (3-9 ms vs 28-75 ms), so Firefox is held to those.
  // Asserted with a wide margin so a loaded machine does not make it flaky.
  const figure = browserName === 'firefox' ? 'p50' : 'p99';
  expect(result.split[figure] * 3, figure).toBeLessThan(result.single[figure]);
});

test('queued user data stays out of WASM memory: 8 MiB queued grows the heap by per-message overhead only', async ({ page }) => {
  await openHarness(page);
  const result = await page.evaluate(async () => {
    const { WebRTCPeerEnhanced, heapUsed } = window.wre;
    const { waitFor } = window.harness;
    const out = [];
    for (const size of [64 * 1024, 16 * 1024]) {
      const count = (8 * 1024 * 1024) / size;
      const messages = Array.from({ length: count }, (_, i) => new Uint8Array(size).fill(i & 0xff));
      const a = new WebRTCPeerEnhanced({ peerId: 'heap-a' });
      const b = new WebRTCPeerEnhanced({ peerId: 'heap-b' });
      const before = heapUsed();
      for (const m of messages) a.send(m, 'file');  // not open yet: every message is queued
      const queued = heapUsed();
      const queuedBytes = a.getQueuedBytes();
      let got = 0;
      let ok = true;
      b.on('message', ({ type, data }) => {
        if (type === 'file') ok &&= data.byteLength === size && data[0] === (got & 0xff) && data[size - 1] === (got & 0xff);
        if (type === 'file') got++;
      });
      const all = waitFor(b, 'message', () => got === count, 30000);
      a.on('ice-candidate', ({ candidate }) => b.addIceCandidate(candidate));
      b.on('ice-candidate', ({ candidate }) => a.addIceCandidate(candidate));
      await a.setRemoteAnswer(await b.createAnswer(await a.createOffer()));
      await all;
      const queueAfter = a.getQueueSize();
      const drained = heapUsed();
      a.close();
      b.close();
      out.push({ size, count, queuedBytes, growth: queued - before, perMessage: (queued - before) / count, got, ok, queueAfter, drained: drained - before });
    }
    return out;
  });
  for (const r of result) {
    console.log(`8 MiB queued as ${r.count} × ${r.size / 1024} KiB: WASM heap +${r.growth} B (${r.perMessage.toFixed(1)} B per message)`);
    expect(r.queuedBytes).toBe(8 * MiB);
    // Far less than the 8 MiB queued: bookkeeping per message, never the bytes themselves.
    expect(r.growth).toBeLessThan(64 * KiB);
    expect(r.perMessage).toBeLessThan(128);
    expect(r.got).toBe(r.count);
    expect(r.ok).toBe(true);
    expect(r.queueAfter).toBe(0);
  }
});
