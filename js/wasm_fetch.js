// The core's .wasm, requested as soon as the package's first module body runs (index.js imports
// this module before any other), so the download overlaps the evaluation of the rest (#17).
// A literal `new URL('…', import.meta.url)`: Vite and webpack see it and ship the .wasm.
export const wasmUrl = new URL('./core-wasm.wasm', import.meta.url).href;
export const wasmResponse = fetch(wasmUrl);
