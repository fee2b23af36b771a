// Loads the WASM core once per page (top-level await), so constructors can be synchronous.
import createCore from './core-wasm.js';
import { hot } from './shims.js';

// A literal `new URL('…', import.meta.url)`: Vite and webpack see it and ship the .wasm.
const wasmUrl = new URL('./core-wasm.wasm', import.meta.url).href;

// `shims`: the per-message shim calls the core imports directly (bindings/shim_calls.cpp).
export const ready = createCore({ shims: hot, locateFile: (path) => (path.endsWith('.wasm') ? wasmUrl : path) });

export const Core = await ready;

export const heapUsed = () => Core.heapUsed();
