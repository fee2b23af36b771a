// WebRTCPeerEnhanced: the guide's peer API over the C++ core. It checks JS argument types,
// turns core events into listener calls and core request outcomes into Promises; every
// decision (state, queues, timeouts, candidate holding) is the core's.
import { Core, sendThrough, acceptMessage, keepFile, libraryMessage, refuseIfTrapped, watchTrap, unwatchTrap } from './core.js';
import { Emitter } from './emitter.js';
import { WebRTCEnhancedError, failureOf, fromCore, listenerThrew, show } from './errors.js';
import { shims } from './shims.js';
import { detectNATType } from './nat.js';
import { Transfers } from './transfers.js';

export const CHANNEL_TYPES = ['control', 'reliable', 'unreliable', 'file'];
const CHANNEL_IDS = { control: 0, reliable: 1, unreliable: 2, file: 3 };

const encoder = new TextEncoder();

// What send() and broadcast() take: { channel, bytes }, or { refused } saying which argument is wrong.
export function outgoing(method, data, type) {
  const channel = CHANNEL_IDS[type];
  if (channel === undefined) {
    return { refused: `${method}: unknown channel type ${show(type)}; use 'control', 'reliable', 'unreliable' or 'file'` };
  }
  const bytes = typeof data === 'string' ? encoder.encode(data) : data;
  if (!(bytes instanceof ArrayBuffer || ArrayBuffer.isView(bytes))) {
    return { refused: `${method}: data must be a Uint8Array, ArrayBuffer, ArrayBufferView or string, got ${show(data)}` };
  }
  return { channel, bytes };
}

// Events the core builds only while someone listens (per-message events; `metrics`, whose
// getStats() sweeps are most of an idle peer's cost).
export const REPORTED_EVENTS = ['message-sent', 'message-queued', 'metrics'];
// Whether anyone wants a reported event built: the peer's own listeners, and for a pool's peer the
// pool's (js/pool.js overrides it). Not listenerCount, which stays the app's own count.
export const WANTS_EVENT = Symbol('wantsEvent');

// A peer the app forgot is closed and its core memory freed.
const registry = new FinalizationRegistry((host) => host.release());

export class WebRTCPeerEnhanced extends Emitter {
  #core;
  #host;
  #peerId;
  #pending = new Map();
  #backlog = [];  // events emitted before the constructor returned, delivered on the next microtask
  #closed = false;
  #releaseDue = false;  // the core closed by itself: hand it back once its `closed` is delivered
  #fatal = null;  // the core trapped (js/core.js): this peer is failed for good
  #state = 'new';  // as last reported (what a trapped core can no longer say)
  #lastMetrics = null;
  #iceServers;  // the config's ICE servers as the core read them, for detectNATType()
  #transfers;  // sendFile() sources and sinks (js/transfers.js)

  // `owner` is internal (js/pool.js): { create(host), release(core) } for a core the pool owns.
  constructor(config, owner = undefined) {
    super();
    refuseIfTrapped();
    // No closure in this constructor may capture `this` (see makeHost).
    const host = makeHost(new WeakRef(this), WebRTCPeerEnhanced.#calls, owner);
    this.#host = host;
    // Held by this peer alone (not by `host`): it may refer back to the peer.
    this.#transfers = new Transfers(host, this.#dispatch.bind(this));
    host.core = this.#core = owner ? owner.create(host) : new Core.CorePeer(host);
    host.address = this.#core.address();
    const failure = failureOf(this.#core.start(config));
    if (failure) {
      host.release();
      throw fromCore(failure);
    }
    watchTrap(host);
    this.#peerId = this.#core.peerId();
    this.#iceServers = this.#core.iceServers();
    registry.register(this, host, this);
    queueMicrotask(this.#flushBacklog.bind(this));
  }

  // What the host calls on its peer (static: no closure over `this`, see makeHost).
  static #calls = {
    event: (peer, name, payload) => peer.#onCoreEvent(name, payload),
    work: (peer, name, payload) => peer.#onCoreWork(name, payload),
    message: (peer, channel, data) => peer.#deliver(channel, data),
    fatal: (peer, error) => peer.#failForGood(error),
  };

  // The core trapped: this peer can do nothing more. One state-change to failed, one error.
  #failForGood(error) {
    if (this.#closed) return;
    const oldState = this.#state;
    this.#fatal = error;
    this.#closed = true;
    registry.unregister(this);
    this.#dispatch('state-change', { peerId: this.#peerId, oldState, newState: 'failed' });
    this.#dispatch('error', { type: 'fatal', error });
  }

  #flushBacklog() {
    const backlog = this.#backlog;
    this.#backlog = null;
    for (const [name, payload] of backlog) this.#dispatch(name, payload);
  }

  get peerId() {
    return this.#peerId;
  }

  // NAT type with this peer's STUN servers (js/nat.js); options: { timeout } in ms.
  detectNATType(options) {
    return detectNATType(this.#iceServers, options);
  }

  getState() {
    if (this.#fatal) return 'failed';
    return this.#closed ? 'closed' : this.#core.state();
  }

  getQueueSize() {
    return this.#closed ? 0 : this.#core.queuedMessages();
  }

  // The latest metrics (the guide's seven numbers, always finite, plus sources and extras).
  getMetrics() {
    return this.#closed ? this.#lastMetrics : this.#core.metrics();
  }

  // 'excellent' | 'good' | 'fair' | 'poor' | 'unknown', with hysteresis.
  getQuality() {
    return this.#closed ? 'unknown' : this.#core.quality();
  }

  getQueuedBytes() {
    return this.#closed ? 0 : this.#core.queuedBytes();
  }

  createOffer() {
    if (this.#fatal) return Promise.reject(this.#fatal);
    if (this.#closed) return this.#refuseAsync('offer-creation', 'createOffer() called after close()');
    return this.#request(this.#core.createOffer());
  }

  createAnswer(offer) {
    if (this.#fatal) return Promise.reject(this.#fatal);
    if (this.#closed) return this.#refuseAsync('answer-creation', 'createAnswer() called after close()');
    return this.#request(this.#core.createAnswer(description(offer)));
  }

  setRemoteAnswer(answer) {
    if (this.#fatal) return Promise.reject(this.#fatal);
    if (this.#closed) return this.#refuseAsync('answer-set', 'setRemoteAnswer() called after close()');
    return this.#request(this.#core.setRemoteAnswer(description(answer))).then(() => undefined);
  }

  addIceCandidate(candidate) {
    if (this.#fatal) return Promise.reject(this.#fatal);
    if (this.#closed) return this.#refuseAsync('ice-candidate', 'addIceCandidate() called after close()');
    if (candidate === null || typeof candidate !== 'object') {
      return this.#refuseAsync('ice-candidate', `addIceCandidate() needs an RTCIceCandidateInit object, got ${show(candidate)}`);
    }
    const answer = this.#core.addIceCandidate(candidate);
    if (answer === null) return Promise.resolve();  // held by the core until the remote description is set
    return this.#request(answer).then(() => undefined);
  }

  send(data, type = 'reliable') {
    if (this.#fatal) throw this.#fatal;
    if (this.#closed) return this.#refuse('send', 'send() called after close()');
    const { channel, bytes, refused } = outgoing('send()', data, type);
    if (refused) return this.#refuse('send', refused, TypeError);
    const failure = sendThrough(this.#host.address, channel, bytes);
    if (failure) throw fromCore(failure);
  }

  // A verified, receiver-paced transfer to a far side of this library (README, "Transfers").
  sendFile(source, options) {
    if (this.#fatal) throw this.#fatal;
    if (this.#closed) return this.#refuse('send', 'sendFile() called after close()');
    return this.#transfers.send(source, options);
  }

  close() {
    if (this.#closed) return;
    this.#markClosed();
    this.#host.release();
  }

  // From now on every method answers as after close(); the core is not called again.
  #markClosed() {
    this.#lastMetrics = this.#core.metrics();
    this.#closed = true;
    registry.unregister(this);
  }

  listenersChanged(name) {
    if (!this.#closed && REPORTED_EVENTS.includes(name)) this.#core.reportEvent(name, this[WANTS_EVENT](name));
  }

  [WANTS_EVENT](name) {
    return this.listenerCount(name) > 0;
  }

  onListenerError(name, error) {
    if (name === 'error') {
      console.error('an error listener threw', error);
      return;
    }
    this.emit('error', { type: 'message-handling', error: listenerThrew(name, error) });
  }

  #request(answer) {
    const failure = failureOf(answer);
    if (failure) return Promise.reject(fromCore(failure));
    return new Promise((resolve, reject) => this.#pending.set(answer, { resolve, reject }));
  }

  #refuse(type, message, ErrorType = WebRTCEnhancedError) {
    const error = ErrorType === WebRTCEnhancedError ? new WebRTCEnhancedError(type, message) : new ErrorType(message);
    error.type = type;
    this.#dispatch('error', { type, error });
    throw error;
  }

  #refuseAsync(type, message) {
    try {
      this.#refuse(type, message);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  // The core's work for this wrapper (bindings/event_values.hpp): settle a request, wrap an
  // error, deliver a `file` message it held back, a transfer's offer, I/O or end.
  #onCoreWork(name, payload) {
    if (this.#transfers.onCoreWork(name, payload)) return;
    switch (name) {
      case 'file-message':
        this.#deliver(3, payload.data);
        return;
      case 'request-done':
      case 'request-failed': {
        const p = this.#pending.get(payload.id);
        this.#pending.delete(payload.id);
        if (name === 'request-done') p?.resolve(payload.description);
        else p?.reject(fromCore(payload.error));
        return;
      }
      case 'error':
        this.#dispatch('error', { type: payload.type, error: fromCore(payload) });
        return;
      default:  // every name above is event_values.cpp's; nothing may throw into the core
    }
  }

  // The guide's events, emitted as they come (after this wrapper's own bookkeeping).
  #onCoreEvent(name, payload) {
    switch (name) {
      case 'transfer-progress':
        this.#transfers.onProgress(payload);
        this.#dispatch(name, payload);
        return;
      case 'state-change':
        this.#state = payload.newState;
        // The core closed without our close(): the far side said bye, or the pool closed it.
        if (payload.newState === 'closed' && !this.#closed) {
          this.#markClosed();
          this.#releaseDue = true;
        }
        this.#dispatch(name, payload);
        return;
      case 'closed':
        this.#dispatch(name, payload);
        // Last of the close's events: the core goes back now (freed later, never while a call
        // into it is on the stack: this one is).
        if (this.#releaseDue) {
          this.#releaseDue = false;
          this.#host.release({ coreClosed: true });
        }
        return;
      case 'channel-error':
        this.#dispatch(name, { ...payload, error: new WebRTCEnhancedError('channel', payload.error) });
        return;
      default:
        this.#dispatch(name, payload);
    }
  }

  #deliver(channel, data) {
    // The core accepted the message, then a listener of the events it emitted meanwhile (the
    // link coming back: state-change) closed the peer: a closed peer delivers nothing.
    if (this.#closed) return;
    this.#dispatch('message', { peerId: this.#peerId, type: CHANNEL_TYPES[channel], data });
  }

  #dispatch(name, payload) {
    if (this.#backlog) {
      this.#backlog.push([name, payload]);
      return;
    }
    // App listeners stay attached after close: a late send() must still reach 'error' (CONTRACT).
    this.emit(name, payload);
  }
}

// The bridge the core and shims talk to: { shims, core, address, emit, handle, accept, keep, library, deliver, fatal, release }.
// Made outside the constructor so its closures cannot capture `this`: it holds the peer only
// weakly, so a peer the app forgets can be collected (and then released by the FinalizationRegistry).
function makeHost(self, calls, owner) {
  const host = {
    shims,
    core: null,
    address: 0,
    accept: (channel, size) => acceptMessage(host.address, channel, size),
    keep: (data) => keepFile(host.address, data),
    library: (channel, data) => libraryMessage(host.address, channel, data),
    emit: (name, payload) => {
      const peer = self.deref();
      if (peer) calls.event(peer, name, payload);
    },
    handle: (name, payload) => {
      const peer = self.deref();
      if (peer) calls.work(peer, name, payload);
    },
    deliver: (channel, data) => {
      const peer = self.deref();
      if (peer) calls.message(peer, channel, data);
    },
    // The core trapped: never call into it again (its memory is not freed either).
    fatal: (error) => {
      host.core = null;
      const peer = self.deref();
      if (peer) calls.fatal(peer, error);
    },
    // `coreClosed`: the core closed by itself and is not called again (a call into it would
    // deliver, from inside this one, the events queued behind its own).
    release({ coreClosed = false } = {}) {
      unwatchTrap(host);
      if (!host.core) return;
      const core = host.core;
      host.core = null;  // first: the close() below emits `closed`, whose handling releases too
      if (!coreClosed) core.close();
      if (owner) owner.release(core);
      // Later, not now: close() may run from a listener while a call into this core is on the stack.
      else queueMicrotask(() => core.delete());
    },
  };
  return host;
}

function description(d) {
  if (d === null || typeof d !== 'object') return { type: String(d), sdp: '' };
  return { type: String(d.type), sdp: typeof d.sdp === 'string' ? d.sdp : '' };
}
