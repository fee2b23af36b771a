// File transfer over a WebRTCPeerEnhanced, with a tiny protocol of our own:
//
//   control  {"t":"file-meta","id","name","size","mime","chunks","sha256"}   sender -> receiver
//   file     the raw bytes, in chunks of CHUNK_SIZE, in order                sender -> receiver
//   control  {"t":"file-ack","id","bytes"}  every ACK_EVERY bytes and at the end  receiver -> sender
//
// 'control' and 'file' are separate SCTP streams, so a metadata message and the first chunks may
// arrive in either order: the receiver holds chunks that come before their metadata. Chunks on
// 'file' are ordered, and transfers are sent one at a time, so the chunks of one file never mix
// with another's. The sender's progress bar shows bytes the receiver has confirmed, not bytes
// handed to the library (those only sit in buffers).
//
// Backpressure: before each chunk the sender waits while the library's queue is long, and when the
// library refuses a send because its queue is full it waits and retries the same chunk.

export const CHUNK_SIZE = 16 * 1024;
const ACK_EVERY = 256 * 1024;
const QUEUE_HIGH = 32;       // messages waiting in the library: stop handing it chunks...
const QUEUE_LOW = 8;         // ...until the queue is back down to this
const RETRY_DELAY_MS = 50;   // poll interval while waiting (events may not fire)

const hex = (bytes) => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');

/** SHA-256 as hex. crypto.subtle only exists in secure contexts (https, localhost, 127.0.0.1). */
export async function sha256Hex(buffer) {
  if (!globalThis.crypto?.subtle) throw new Error('SHA-256 needs a secure context (https or localhost)');
  return hex(new Uint8Array(await crypto.subtle.digest('SHA-256', buffer)));
}

/** A random hex id (crypto.getRandomValues works in insecure contexts too, unlike randomUUID). */
export const randomId = (bytes = 8) => hex(crypto.getRandomValues(new Uint8Array(bytes)));

const isQueueFull = (error) => /queue is full/i.test(String(error?.message ?? error));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends files one at a time. Callbacks: onStart(job), onProgress(job), onDone(job), onError(job, error), onSent(bytes). */
export class FileSender {
  #peer;
  #callbacks;
  #jobs = [];
  #current = null;
  #busy = false;

  constructor(peer, callbacks) {
    this.#peer = peer;
    this.#callbacks = callbacks;
  }

  /** Queues a File (or Blob with a name) for sending. */
  enqueue(file) {
    this.#jobs.push(file);
    if (!this.#busy) this.#pump();
  }

  /** A control message from the far side (acks). */
  handleControl(msg) {
    const job = this.#current;
    if (msg.t !== 'file-ack' || !job || msg.id !== job.id) return;
    job.acked = Math.max(job.acked, Number(msg.bytes) || 0);
    this.#callbacks.onProgress?.(job);
    if (job.acked >= job.size) job.confirmed();
  }

  /** Stops waiting on anything (the peer went away). */
  abort(reason = 'connection closed') {
    this.#jobs = [];
    this.#current?.fail(new Error(reason));
  }

  async #pump() {
    this.#busy = true;
    while (this.#jobs.length) {
      const file = this.#jobs.shift();
      const job = newJob(file);
      this.#current = job;
      try {
        await this.#send(job);
        this.#callbacks.onDone?.(job);
      } catch (error) {
        job.error = error;
        this.#callbacks.onError?.(job, error);
      }
      this.#current = null;
    }
    this.#busy = false;
  }

  async #send(job) {
    const bytes = new Uint8Array(await job.file.arrayBuffer());
    job.sha256 = await sha256Hex(bytes);
    job.chunks = Math.ceil(job.size / CHUNK_SIZE);
    this.#callbacks.onStart?.(job);
    const meta = { t: 'file-meta', id: job.id, name: job.name, size: job.size, mime: job.mime, chunks: job.chunks, sha256: job.sha256 };
    await this.#sendWithRetry(JSON.stringify(meta), 'control', job);
    for (let offset = 0; offset < job.size; offset += CHUNK_SIZE) {
      await this.#room(job);
      await this.#sendWithRetry(bytes.subarray(offset, offset + CHUNK_SIZE), 'file', job);
      job.handed = Math.min(job.size, offset + CHUNK_SIZE);
      this.#callbacks.onProgress?.(job);
    }
    if (job.size === 0) job.confirmed();
    await job.done; // the receiver's last ack
  }

  // Waits while the library holds more than QUEUE_HIGH messages, until it is down to QUEUE_LOW.
  async #room(job) {
    if (this.#peer.getQueueSize() < QUEUE_HIGH) return;
    job.waits++;
    while (this.#peer.getQueueSize() > QUEUE_LOW) await this.#drained(job);
  }

  // Resolves on the next sign of progress from the library, or after RETRY_DELAY_MS.
  #drained(job) {
    return new Promise((resolve, reject) => {
      const peer = this.#peer;
      const finish = () => {
        clearTimeout(timer);
        peer.off('channel-ready', finish);
        peer.off('message-sent', finish);
        job.onFail = null;
        resolve();
      };
      const timer = setTimeout(finish, RETRY_DELAY_MS);
      peer.on('channel-ready', finish);
      peer.on('message-sent', finish);
      job.onFail = (error) => {
        finish();
        reject(error);
      };
    });
  }

  async #sendWithRetry(data, type, job) {
    for (;;) {
      if (job.error) throw job.error;
      try {
        this.#peer.send(data, type);
        this.#callbacks.onSent?.(typeof data === 'string' ? data.length : data.byteLength);
        return;
      } catch (error) {
        if (!isQueueFull(error)) throw error;
        job.retries++;
        await this.#drained(job);
      }
    }
  }
}

function newJob(file) {
  const job = {
    id: randomId(),
    file,
    name: file.name || 'unnamed',
    size: file.size,
    mime: file.type || 'application/octet-stream',
    chunks: 0,
    sha256: '',
    handed: 0,   // bytes accepted by peer.send()
    acked: 0,    // bytes the receiver confirmed
    waits: 0,    // times we paused because the library's queue was long
    retries: 0,  // sends the library refused with "queue is full"
    error: null,
    onFail: null,
    started: performance.now(),
  };
  job.done = new Promise((resolve, reject) => {
    job.confirmed = resolve;
    job.fail = (error) => {
      job.error = error;
      job.onFail?.(error);
      reject(error);
    };
  });
  job.done.catch(() => {}); // observed in #send; avoid an unhandled rejection before that
  return job;
}

/** Receives files. Callbacks: onStart(rx), onProgress(rx), onDone(rx) with rx.blob, rx.sha256, rx.verified; onSent(bytes). */
export class FileReceiver {
  #peer;
  #callbacks;
  #transfers = []; // metadata received, in order; the head one is being filled
  #early = [];     // chunks that arrived before any metadata

  constructor(peer, callbacks) {
    this.#peer = peer;
    this.#callbacks = callbacks;
  }

  handleControl(msg) {
    if (msg.t !== 'file-meta') return;
    const size = Number(msg.size);
    if (!Number.isSafeInteger(size) || size < 0 || typeof msg.id !== 'string') return;
    const rx = {
      id: msg.id,
      name: String(msg.name ?? 'unnamed').slice(0, 200),
      mime: String(msg.mime ?? 'application/octet-stream'),
      size,
      expectedSha256: String(msg.sha256 ?? ''),
      parts: [],
      received: 0,
      lastAck: 0,
      started: performance.now(),
    };
    this.#transfers.push(rx);
    if (this.#transfers.length === 1) this.#callbacks.onStart?.(rx);
    const early = this.#early;
    this.#early = [];
    for (const chunk of early) this.handleChunk(chunk);
    if (rx.size === 0 && this.#transfers[0] === rx) this.#finish(rx);
  }

  handleChunk(data) {
    const rx = this.#transfers[0];
    if (!rx) {
      this.#early.push(data);
      return;
    }
    const take = Math.min(data.byteLength, rx.size - rx.received);
    rx.parts.push(take === data.byteLength ? data : data.subarray(0, take));
    rx.received += take;
    if (rx.received - rx.lastAck >= ACK_EVERY || rx.received === rx.size) this.#ack(rx);
    this.#callbacks.onProgress?.(rx);
    if (rx.received === rx.size) this.#finish(rx);
    if (take < data.byteLength) this.handleChunk(data.subarray(take)); // belongs to the next file
  }

  #ack(rx) {
    rx.lastAck = rx.received;
    try {
      const ack = JSON.stringify({ t: 'file-ack', id: rx.id, bytes: rx.received });
      this.#peer.send(ack, 'control');
      this.#callbacks.onSent?.(ack.length);
    } catch {
      // The sender only loses a progress update; the library reported the error as an event.
    }
  }

  async #finish(rx) {
    this.#transfers.shift();
    rx.elapsedMs = performance.now() - rx.started;
    rx.blob = new Blob(rx.parts, { type: rx.mime });
    rx.parts = null;
    const next = this.#transfers[0];
    if (next) this.#callbacks.onStart?.(next);
    if (next && next.size === 0) this.#finish(next);
    rx.sha256 = await sha256Hex(await rx.blob.arrayBuffer());
    rx.verified = rx.expectedSha256 ? rx.sha256 === rx.expectedSha256 : null;
    this.#callbacks.onDone?.(rx);
  }
}
