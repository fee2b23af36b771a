// webrtc-enhanced: production-grade WebRTC data connections, with the logic in a WASM core.
export { ready } from './core.js';
export { WebRTCPeerEnhanced } from './peer.js';
export { WebRTCConnectionPool } from './pool.js';
export { WebRTCEnhancedError } from './errors.js';

// Diagnostics: bytes in use on the WASM core's heap.
export { heapUsed } from './core.js';
