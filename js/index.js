// webrtc-enhanced: production-grade WebRTC data connections, with the logic in a WASM core.

// First, so that in the bundle (and unbundled) the .wasm's fetch starts before any other module
// body runs and overlaps their evaluation (#17).
import './wasm_fetch.js';

export { ready } from './core.js';
export { WebRTCPeerEnhanced } from './peer.js';
export { WebRTCConnectionPool } from './pool.js';
export { WebRTCEnhancedError } from './errors.js';

// Diagnostics: bytes in use on the WASM core's heap.
export { heapUsed } from './core.js';
