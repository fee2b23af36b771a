// webrtc-enhanced: production-grade WebRTC data connections, with the logic in a WASM core.

// Every module of the package, named here so that a browser loading it unbundled finds them all
// in this file and fetches them at once, not level by level down the import tree (#17: the
// waterfall was most of the start-up). Listed leaves first; ES module evaluation order is still
// each module's own imports first, so the .wasm's fetch (wasm_fetch.js) starts before anything else.
import './wasm_fetch.js';
import './errors.js';
import './emitter.js';
import './records.js';
import './stats_flatten.js';
import './hot_calls.js';
import './shims.js';
import './nat_shims.js';
import './core-wasm.js';
import './transfers.js';
import './nat.js';

export { ready } from './core.js';
export { WebRTCPeerEnhanced } from './peer.js';
export { WebRTCConnectionPool } from './pool.js';
export { WebRTCEnhancedError } from './errors.js';

// Diagnostics: bytes in use on the WASM core's heap.
export { heapUsed } from './core.js';
