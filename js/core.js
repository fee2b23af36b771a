// Loads the WASM core once per page (top-level await), so constructors can be synchronous.
import createCore from './core-wasm.js';

// A literal `new URL('…', import.meta.url)`: Vite and webpack see it and ship the .wasm.
const wasmUrl = new URL('./core-wasm.wasm', import.meta.url).href;

export const ready = createCore({ locateFile: (path) => (path.endsWith('.wasm') ? wasmUrl : path) });

export const Core = await ready;

export const heapUsed = () => Core.heapUsed();
