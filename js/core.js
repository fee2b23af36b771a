// Loads the WASM core once per page (top-level await), so constructors can be synchronous.
import createCore from './core-wasm.js';
import { hot } from './shims.js';

// A literal `new URL('…', import.meta.url)`: Vite and webpack see it and ship the .wasm.
const wasmUrl = new URL('./core-wasm.wasm', import.meta.url).href;

// `shims`: the per-message shim calls the core imports directly (bindings/shim_calls.cpp).
export const ready = createCore({ shims: hot, locateFile: (path) => (path.endsWith('.wasm') ? wasmUrl : path) });

export const Core = await ready;

export const heapUsed = () => Core.heapUsed();

// The per-message calls, as raw exports (bindings/hot_exports.cpp); `address` is core.address().
// send: true when accepted, otherwise core.lastError() says why. accept: true when the app gets it.
export const sendThrough = (address, channel, bytes) => Core._wre_send(address, channel, Core.toHandle(bytes), bytes.byteLength);
export const acceptMessage = (address, channel, size) => Core._wre_accept_message(address, channel, size);
