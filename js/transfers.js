// The JS half of sendFile() transfers (README, "Transfers"): reads a transfer's source and writes
// its sink when the core asks (`transfer-io`), and settles the Promises the API returns. What to
// read, when, how much, what to hash and compare, and when a transfer is over: the core's.
import { WebRTCEnhancedError, failureOf, fromCore } from './errors.js';

export class Transfers {
  #host;  // the peer's bridge (js/peer.js makeHost): host.core is null once the core is gone
  #emit;  // (name, payload) => the peer's dispatch
  #sending = new Map();  // transfer number → { t, source, settle }
  #receiving = new Map();  // transfer number → { offer, sink, settle }

  constructor(host, emit) {
    this.#host = host;
    this.#emit = emit;
  }

  // The public sendFile(); throws a TypeError for a source or option it cannot use.
  send(source, options = {}) {
    const reader = sourceReader(source);
    const { name = source?.name ?? '', type = source?.type ?? '', meta } = options ?? {};
    let metaJson = '';
    if (meta !== undefined) {
      metaJson = JSON.stringify(meta);
      if (metaJson === undefined) throw new TypeError('sendFile(): meta must be JSON-serialisable');
    }
    const answer = this.#host.core.sendFile(reader.size ?? -1, String(name), String(type), metaJson);
    const failure = failureOf(answer);
    if (failure) throw fromCore(failure);
    const settle = {};
    const done = new Promise((resolve, reject) => Object.assign(settle, { resolve, reject }));
    done.catch(() => {});  // an app that never awaits `done` still has transfer-failed
    const number = answer.transfer;
    const t = {
      id: answer.id,
      name: String(name),
      size: reader.size,
      bytesSent: 0,
      done,
      cancel: (reason = '') => {
        if (this.#host.core && this.#sending.has(number)) this.#host.core.cancelTransfer(number, String(reason));
      },
    };
    this.#sending.set(number, { t, reader, settle });
    return t;
  }

  // The core's transfer work (bindings/event_values.cpp); false: not a transfer's.
  onCoreWork(name, payload) {
    switch (name) {
      case 'transfer-offered': this.#offered(payload); return true;
      case 'transfer-io': this.#io(payload); return true;
      case 'transfer-complete': this.#complete(payload); return true;
      case 'transfer-failed': this.#failed(payload); return true;
      default: return false;
    }
  }

  // A `transfer-progress` on its way to the app: a send's handle counts its bytes.
  onProgress({ id, direction, bytes }) {
    const sending = direction === 'send' && [...this.#sending.values()].find((s) => s.t.id === id);
    if (sending) sending.t.bytesSent = bytes;
  }

  #offered({ id, transfer, name, type, meta, size }) {
    const settle = {};
    let decided = false;
    const decide = (call) => {
      if (decided) throw new WebRTCEnhancedError('message-handling', 'this transfer was accepted or rejected already');
      decided = true;
      if (!this.#host.core) throw new WebRTCEnhancedError('invalid-state', 'the peer is closed');
      const failure = failureOf(call());
      if (failure) throw fromCore(failure);
    };
    const incoming = {
      id,
      name,
      type,
      size,
      meta: parseMeta(meta),
      accept: (sink) => {
        const writer = sinkWriter(sink, type);
        const result = new Promise((resolve, reject) => Object.assign(settle, { resolve, reject }));
        result.catch(() => {});
        this.#receiving.set(transfer, { writer, settle });
        try {
          decide(() => this.#host.core.acceptTransfer(transfer));
        } catch (error) {
          this.#receiving.delete(transfer);
          writer.abort(error.message);
          return Promise.reject(error);
        }
        return result;
      },
      reject: (reason = '') => decide(() => this.#host.core.rejectTransfer(transfer, String(reason))),
    };
    this.#emit('transfer', incoming);
  }

  // What the core asks of a source or sink. Each answer is a later call into the core (never from
  // inside this one: a stream's pull or write is app code).
  #io({ op, transfer, offset, length, data, reason }) {
    const core = () => this.#host.core;
    const sending = this.#sending.get(transfer);
    const receiving = this.#receiving.get(transfer);
    switch (op) {
      case 'read':
        sending?.reader.read(offset, length).then(
          ({ bytes, end }) => core()?._onSourceRead(transfer, bytes, end),
          (error) => core()?._onSourceFailed(transfer, messageOf(error)));
        return;
      case 'release':
        sending?.reader.release();
        return;
      case 'write':
        receiving?.writer.write(data).then(
          () => core()?._onSinkWritten(transfer),
          (error) => core()?._onSinkFailed(transfer, messageOf(error)));
        return;
      case 'finish':
        receiving?.writer.close().then(
          (blob) => {
            receiving.blob = blob;
            core()?._onSinkFinished(transfer);
          },
          (error) => core()?._onSinkFailed(transfer, messageOf(error)));
        return;
      case 'abort':
        receiving?.writer.abort(reason);
        return;
      default:
    }
  }

  #complete({ id, transfer, direction, bytes, sha256, seconds }) {
    const result = { id, bytes, sha256, seconds };
    if (direction === 'send') {
      const s = this.#sending.get(transfer);
      this.#sending.delete(transfer);
      if (s) s.t.bytesSent = bytes;
      s?.settle.resolve(result);
    } else {
      const r = this.#receiving.get(transfer);
      this.#receiving.delete(transfer);
      r?.settle.resolve(r.blob ? { ...result, blob: r.blob } : result);
    }
    this.#emit('transfer-complete', { id, direction, bytes, sha256 });
  }

  #failed({ id, transfer, direction, reason, message }) {
    const error = new WebRTCEnhancedError(direction === 'send' ? 'send' : 'message-handling', message);
    error.reason = reason;
    const map = direction === 'send' ? this.#sending : this.#receiving;
    const entry = map.get(transfer);
    map.delete(transfer);
    entry?.settle.reject(error);
    this.#emit('transfer-failed', { id, direction, reason, error });
  }
}

function messageOf(error) {
  return String(error && error.message ? error.message : error);
}

function parseMeta(json) {
  if (json === '') return undefined;
  try {
    return JSON.parse(json);
  } catch {
    return json;  // not JSON (a far side's own): as it came
  }
}

// ---- sources: read(offset, length) → Promise<{ bytes: Uint8Array, end }> ----

function sourceReader(source) {
  if (typeof Blob !== 'undefined' && source instanceof Blob) return blobReader(source);
  if (source instanceof ArrayBuffer) return bufferReader(new Uint8Array(source));
  if (ArrayBuffer.isView(source)) return bufferReader(new Uint8Array(source.buffer, source.byteOffset, source.byteLength));
  if (typeof ReadableStream !== 'undefined' && source instanceof ReadableStream) return streamReader(source);
  throw new TypeError('sendFile(): the source must be a Blob, File, ArrayBuffer, ArrayBufferView or ReadableStream');
}

// Reads 1 MiB slices and serves the core's 64 KiB reads from them: each Blob read costs a
// round trip through the browser's blob machinery, about as much per read as per byte.
const BLOB_SLICE = 1024 * 1024;

function blobReader(blob) {
  let slice = null;  // { start, bytes } of the last slice read
  return {
    size: blob.size,
    read: async (offset, length) => {
      if (!slice || offset < slice.start || offset >= slice.start + slice.bytes.byteLength) {
        const end = Math.min(blob.size, offset + Math.max(length, BLOB_SLICE));
        slice = { start: offset, bytes: new Uint8Array(await blob.slice(offset, end).arrayBuffer()) };
      }
      const from = offset - slice.start;
      const bytes = slice.bytes.subarray(from, from + length);
      return { bytes, end: offset + bytes.byteLength >= blob.size };
    },
    release() {
      slice = null;
    },
  };
}

// The caller's bytes, not copied: like send(), the app must not change them until `done`.
function bufferReader(bytes) {
  return {
    size: bytes.byteLength,
    read: async (offset, length) => {
      const end = Math.min(bytes.byteLength, offset + length);
      return { bytes: bytes.subarray(offset, end), end: end >= bytes.byteLength };
    },
    release() {},
  };
}

// A stream of unknown size: its chunks, split to at most `length` bytes; it ends with an empty read.
function streamReader(stream) {
  const reader = stream.getReader();
  let rest = null;
  return {
    size: null,
    read: async (_offset, length) => {
      while (!rest || rest.byteLength === 0) {
        const { value, done } = await reader.read();
        if (done) return { bytes: new Uint8Array(0), end: true };
        if (!ArrayBuffer.isView(value) && !(value instanceof ArrayBuffer)) {
          throw new TypeError(`the stream gave a ${value?.constructor?.name ?? typeof value}, not bytes`);
        }
        rest = value instanceof ArrayBuffer ? new Uint8Array(value) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
      }
      const bytes = rest.subarray(0, length);
      rest = rest.subarray(bytes.byteLength);
      return { bytes, end: false };
    },
    release() {
      reader.cancel().catch(() => {});
    },
  };
}

// ---- sinks: write(bytes), close() → Promise<Blob | undefined>, abort(reason) ----

function sinkWriter(sink, type) {
  if (sink === undefined || sink === null) return blobWriter(type);
  if (typeof WritableStream !== 'undefined' && sink instanceof WritableStream) return streamWriter(sink);
  throw new TypeError('accept(): the sink must be a WritableStream, or nothing (the transfer resolves with a Blob)');
}

function blobWriter(type) {
  let parts = [];
  return {
    write: async (bytes) => {
      parts.push(bytes);
    },
    close: async () => new Blob(parts, { type }),
    abort() {
      parts = [];
    },
  };
}

function streamWriter(stream) {
  const writer = stream.getWriter();
  return {
    write: (bytes) => writer.write(bytes),
    close: () => writer.close().then(() => undefined),
    abort(reason) {
      writer.abort(reason).catch(() => {});
    },
  };
}
