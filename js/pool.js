// WebRTCConnectionPool: many peers with shared defaults, over one C++ CorePool that owns their
// core objects. Bookkeeping, state counts, broadcast fan-out and the peers' timers (one shared
// deadline list, one setTimeout for the whole pool) are the core's; this file checks arguments,
// merges configs, and re-emits every peer event on the pool with the peer's id.
import { Core, refuseIfTrapped } from './core.js';
import { Emitter } from './emitter.js';
import { WebRTCEnhancedError, failureOf, fromCore, listenerThrew, show } from './errors.js';
import { REPORTED_EVENTS, WANTS_EVENT, WebRTCPeerEnhanced, outgoing } from './peer.js';


// Peer → function that forwards its events to its pool (a WeakMap, not a field: nothing to
// initialise before the peer's own constructor has run, and nothing left once it leaves the pool).
const links = new WeakMap();

// A pool the app forgot (without closeAll) is closed and its core freed. The held value is the
// pool's `shared` record, which never references the pool or its peers (see makeShared).
const poolRegistry = new FinalizationRegistry((shared) => {
  if (shared.closed) return;
  shared.closed = true;
  for (const host of [...shared.hosts.values()]) host.release();
  destroy(shared);
});

// A pool's peer: a real WebRTCPeerEnhanced whose every event also goes to the pool.
class PooledPeer extends WebRTCPeerEnhanced {
  emit(name, payload) {
    const heard = super.emit(name, payload);
    const link = links.get(this);
    if (link) link.forward(this.peerId, name, payload);
    return heard;
  }

  // The pool wants what its listeners listen for: per-message events (message-sent,
  // message-queued) are then built by the core even when the peer itself has no listener.
  [WANTS_EVENT](name) {
    return super[WANTS_EVENT](name) || !!links.get(this)?.wants(name);
  }
}

export class WebRTCConnectionPool extends Emitter {
  #shared;
  #peers = new Map();  // id → PooledPeer, creation order
  #closed = false;
  #reporting = new Set();  // per-message events the pool's listeners want
  #current = [];  // ids of the peers whose events are being re-emitted (for onListenerError)

  constructor(defaults = {}) {
    super();
    if (defaults === null || defaults === undefined) defaults = {};
    if (typeof defaults !== 'object' || Array.isArray(defaults)) {
      throw new TypeError(`WebRTCConnectionPool: defaults must be an object, got ${show(defaults)}`);
    }
    refuseIfTrapped();
    this.#shared = makeShared();
    const failure = failureOf(this.#shared.corePool.setDefaults(defaults));  // the core keeps a copy
    if (failure) {
      destroy(this.#shared);
      throw fromCore(failure);
    }
    poolRegistry.register(this, this.#shared, this);
  }

  /**
   * Creates a peer from the pool's defaults with `overrides` on top (field by field; an
   * override of `undefined` keeps the default) and `peerId: id`, and adds it to the pool
   * (the merge is the core's: Pool::configFor).
   */
  createPeer(id, overrides = undefined) {
    this.#refuseIfClosed(`createPeer(${show(id)})`);
    if (typeof id !== 'string') throw new TypeError(`createPeer(): id must be a string, got ${show(id)}`);
    const shared = this.#shared;
    const peer = new PooledPeer(overrides, WebRTCConnectionPool.#owner(new WeakRef(this), shared, id));
    this.#peers.set(id, peer);
    links.set(peer, { forward: this.#forward, wants: this.#wants });
    const core = shared.hosts.get(id)?.core;
    for (const name of this.#reporting) core?.reportEvent(name, true);
    return peer;
  }

  /** The peer with this id, or undefined. */
  getPeer(id) {
    return this.#peers.get(id);
  }

  /** Closes the peer (its `state-change` → closed and `closed` reach the pool's listeners) and removes it. */
  removePeer(id) {
    if (typeof id !== 'string') throw new TypeError(`removePeer(): id must be a string, got ${show(id)}`);
    const peer = this.#peers.get(id);
    if (!peer) {
      const why = this.#closed ? 'the pool was closed by closeAll()' : 'no peer with this id in the pool';
      throw new WebRTCEnhancedError('invalid-state', `removePeer('${id}'): ${why}`);
    }
    peer.close();  // → owner.release → #forget + the core pool's remove
  }

  /** Peers in state `connected`, in creation order. */
  getConnectedPeers() {
    if (this.#shared.deleted) return [];
    const out = [];
    for (const id of this.#shared.corePool.ids(true)) {
      const peer = this.#peers.get(id);
      if (peer) out.push(peer);
    }
    return out;
  }

  /**
   * Sends `data` to every connected peer except `excludeId`, in one call into the core, each
   * through its own queue (a slow peer queues, and refuses only past its own maxQueuedBytes).
   * Throws, after everyone else got the message, if some peers refused it: a
   * WebRTCEnhancedError type `send` whose `failures` lists { peerId, error } (each of those peers
   * has also emitted its own `error`, re-emitted here with its peerId).
   */
  broadcast(data, type = 'reliable', excludeId = undefined) {
    this.#refuseIfClosed('broadcast()');
    const { channel, bytes, refused } = outgoing('broadcast()', data, type);
    if (refused) throw new TypeError(refused);
    if (excludeId !== undefined && excludeId !== null && typeof excludeId !== 'string') {
      throw new TypeError(`broadcast(): excludeId must be a peer id (string), got ${show(excludeId)}`);
    }
    const failure = failureOf(this.#shared.corePool.broadcast(channel, bytes, bytes.byteLength, excludeId ?? null));
    if (!failure) return;
    const error = fromCore(failure);
    if (failure.failures) {
      error.failures = failure.failures.map((f) => ({ peerId: f.peerId, error: fromCore(f) }));
      error.recipients = failure.recipients;
      error.accepted = failure.accepted;
    }
    throw error;
  }

  /** `{ totalPeers, connectedPeers, states: { [state]: count } }`. */
  getStats() {
    if (this.#shared.deleted) return structuredClone(this.#shared.emptyStats);
    return this.#shared.corePool.stats();
  }

  /**
   * Closes every peer (in creation order; their events reach the pool's listeners) and frees the
   * pool. Idempotent. Afterwards createPeer, removePeer and broadcast throw; the queries answer
   * for an empty pool.
   */
  closeAll() {
    if (this.#closed) return;
    this.#closed = true;
    const shared = this.#shared;
    // Closed first: the peers leaving during closeAll() leave the core pool to destroy().
    shared.closed = true;
    shared.corePool.closeAll();  // one call: the core closes them all, cancels every timer
    for (const peer of [...this.#peers.values()]) peer.close();  // the wrappers (no events left to fire)
    this.#peers.clear();
    poolRegistry.unregister(this);
    scheduleCollect(shared);  // frees the core objects once nothing of ours is on the stack
  }

  onListenerError(name, error) {
    if (name === 'error') {
      console.error('a pool error listener threw', error);
      return;
    }
    this.emit('error', { peerId: this.#current.at(-1), type: 'message-handling', error: listenerThrew(name, error, 'pool ') });
  }

  // What the pool holds in its core: { peers, parked, timers, armed } (for tests and benchmarks).
  _diagnostics() {
    return this.#shared.deleted ? { peers: 0, parked: 0, timers: 0, armed: false } : this.#shared.corePool.diagnostics();
  }

  // Re-emits a peer's event on the pool with its peerId; costs nothing without a pool listener.
  #forward = (peerId, name, payload) => {
    if (super.listenerCount(name) === 0) return;
    const out = payload && payload.peerId === peerId ? payload : { ...payload, peerId };
    this.#current.push(peerId);
    try {
      this.emit(name, out);
    } finally {
      this.#current.pop();
    }
  };

  #wants = (name) => this.#reporting.has(name);

  listenersChanged(name) {
    if (!REPORTED_EVENTS.includes(name) || this.#closed) return;
    const want = super.listenerCount(name) > 0;
    if (want === this.#reporting.has(name)) return;
    if (want) this.#reporting.add(name);
    else this.#reporting.delete(name);
    for (const [id, peer] of this.#peers) this.#shared.hosts.get(id)?.core?.reportEvent(name, peer[WANTS_EVENT](name));
  }

  #refuseIfClosed(what) {
    if (this.#closed) throw new WebRTCEnhancedError('invalid-state', `${what}: the pool was closed by closeAll()`);
  }

  // A peer left (removePeer, its own close(), or a failed start): no more forwarding.
  #forget(id) {
    const peer = this.#peers.get(id);
    if (!peer) return;
    this.#peers.delete(id);
    links.delete(peer);
  }

  // How a pool peer gets its core (made and owned by the CorePool) and gives it back. Holds the
  // pool weakly: the host that keeps it is reachable from the WASM side.
  static #owner(poolRef, shared, id) {
    return {
      create(host) {
        const core = shared.corePool.add(id, host);
        const failure = failureOf(core);
        if (failure) throw fromCore(failure);  // duplicate id
        shared.hosts.set(id, host);
        return core;
      },
      release() {
        if (shared.hosts.get(id)) shared.hosts.delete(id);
        poolRef.deref()?.#forget(id);
        if (shared.deleted || shared.closed) return;  // destroy() frees what is left
        shared.corePool.remove(id);  // already closed; unregistered now, freed at the next collect
        scheduleCollect(shared);
      },
    };
  }
}

// What the pool's core side needs, and nothing that keeps the pool or its peers alive: the
// CorePool, the peers' host bridges, the one timer.
function makeShared() {
  const shared = {
    corePool: null,
    hosts: new Map(),
    timer: 0,
    closed: false,
    deleted: false,
    collectQueued: false,
    emptyStats: null,
  };
  const fire = () => {
    shared.timer = 0;
    if (!shared.deleted) shared.corePool._onAlarm();
  };
  shared.corePool = new Core.CorePool({
    arm(delayMs) {
      clearTimeout(shared.timer);
      shared.timer = setTimeout(fire, Math.ceil(delayMs));
    },
    disarm() {
      clearTimeout(shared.timer);
      shared.timer = 0;
    },
  });
  shared.emptyStats = shared.corePool.stats();  // what a pool with no peers answers (the states are the core's)
  return shared;
}

// Removed core peers are freed on a microtask: never while a call into them is on the stack.
function scheduleCollect(shared) {
  if (shared.collectQueued || shared.deleted) return;
  shared.collectQueued = true;
  queueMicrotask(() => {
    shared.collectQueued = false;
    if (shared.deleted) return;
    if (shared.closed) destroy(shared);
    else shared.corePool.collect();
  });
}

function destroy(shared) {
  if (shared.deleted) return;
  shared.corePool.closeAll();
  shared.corePool.collect();
  clearTimeout(shared.timer);
  shared.timer = 0;
  shared.corePool.delete();
  shared.deleted = true;
}
