// Loads the WASM core once per page (top-level await), so constructors can be synchronous, and
// contains a trap: should the core ever raise a WebAssembly.RuntimeError, its one linear memory
// (shared by every peer on the page) can no longer be trusted, so nothing calls into it again.
import createCore from './core-wasm.js';
import { hot } from './hot_calls.js';
import { shims } from './shims.js';
import { WebRTCEnhancedError } from './errors.js';
import { wasmResponse, wasmUrl } from './wasm_fetch.js';

// The glue rejects its promise only when instantiateWasm throws at once: a later failure of the
// fetch or the compilation rejects `ready` through this one.
let loadFailed;
const failure = new Promise((_resolve, reject) => {
  loadFailed = reject;
});

// `shims`: the per-message shim calls the core imports directly (bindings/shim_calls.cpp).
export const ready = Promise.race([
  createCore({
    shims: hot,
    locateFile: (path) => (path.endsWith('.wasm') ? wasmUrl : path),
    // Compiled as it streams in, from the fetch wasm_fetch.js started early. A failed stream (a
    // network change aborting the request, a server's wrong MIME type) is tried once more from
    // bytes, as the glue's own loader does.
    instantiateWasm(imports, done) {
      const fromBytes = () =>
        fetch(wasmUrl).then((r) => r.arrayBuffer()).then((bytes) => WebAssembly.instantiate(bytes, imports));
      WebAssembly.instantiateStreaming(wasmResponse, imports)
        .catch(fromBytes)
        .then((r) => done(r.instance, r.module), loadFailed);
      return {};
    },
  }),
  failure,
]);

export const Core = await ready;

// ---- containment ----
let trap = null;  // the RuntimeError that stopped the core
const onTrap = new Set();  // hosts of live peers: each is told once

export function fatalError() {
  return new WebRTCEnhancedError('fatal', `the WASM core trapped (${trap.message}); every peer on this page was ` +
    'stopped and set to failed. Reload the page to use webrtc-enhanced again.');
}

// Throws the fatal error once the core has trapped (before any call into it).
export function refuseIfTrapped() {
  if (trap) throw fatalError();
}

export const watchTrap = (host) => onTrap.add(host);
export const unwatchTrap = (host) => onTrap.delete(host);

function contain(error) {
  if (trap) return;
  trap = error;
  shims.closeAll();  // the browser objects, in JS alone
  const hosts = [...onTrap];
  onTrap.clear();
  const fatal = fatalError();
  for (const host of hosts) host.fatal(fatal);
}

// Every embind method goes through this: after a trap, app calls throw the fatal error and the
// shims' callbacks (`_`-prefixed) return quietly, so the browser's event loop sees nothing thrown.
function guarded(name, call) {
  const quiet = name.startsWith('_');
  return function (...args) {
    if (trap) {
      if (quiet) return undefined;
      throw fatalError();
    }
    try {
      return call.apply(this, args);
    } catch (error) {
      if (!(error instanceof WebAssembly.RuntimeError)) throw error;
      contain(error);
      if (quiet) return undefined;
      throw fatalError();
    }
  };
}

for (const cls of [Core.CorePeer, Core.CorePool, Core.CoreNatDetector]) {
  const proto = cls.prototype;
  for (const name of Object.getOwnPropertyNames(proto)) {
    const d = Object.getOwnPropertyDescriptor(proto, name);
    if (name !== 'constructor' && typeof d.value === 'function') proto[name] = guarded(name, d.value);
  }
}
for (const name of ['heapUsed', 'checkPoolDefaults', '_onPageAlarm']) Core[name] = guarded(name, Core[name]);
hot.pageAlarm = Core._onPageAlarm;

// The per-message raw exports get wrappers of their own, with fixed arity (no rest array per call).
// send() is the app's call (it throws); accepting a message is the browser's callback (quiet).
// Emscripten's export stub replaces `Core._x` with the real export on its first call: the property
// is pinned to the wrapper, and the stub's assignment hands the wrapper that real export instead.
let rawSend = Core._wre_send;
let rawAccept = Core._wre_accept_message;
let rawLibrary = Core._wre_library_message;
let rawKeep = Core._wre_keep_file;
function pin(name, wrapper, setRaw) {
  Object.defineProperty(Core, name, { get: () => wrapper, set: setRaw, configurable: true });
}
pin('_wre_send', (address, channel, handle, size) => {
  if (trap) throw fatalError();
  try {
    return rawSend(address, channel, handle, size);
  } catch (error) {
    if (!(error instanceof WebAssembly.RuntimeError)) throw error;
    contain(error);
    throw fatalError();
  }
}, (real) => { rawSend = real; });
pin('_wre_accept_message', (address, channel, size) => {
  if (trap) return 0;
  try {
    return rawAccept(address, channel, size);
  } catch (error) {
    if (!(error instanceof WebAssembly.RuntimeError)) throw error;
    contain(error);
    return 0;
  }
}, (real) => { rawAccept = real; });
pin('_wre_keep_file', (address, handle, size) => {
  if (trap) return;
  try {
    rawKeep(address, handle, size);
  } catch (error) {
    if (!(error instanceof WebAssembly.RuntimeError)) throw error;
    contain(error);
  }
}, (real) => { rawKeep = real; });
pin('_wre_library_message', (address, channel, size) => {
  if (trap) return;
  try {
    rawLibrary(address, channel, size);
  } catch (error) {
    if (!(error instanceof WebAssembly.RuntimeError)) throw error;
    contain(error);
  }
}, (real) => { rawLibrary = real; });

export const heapUsed = () => Core.heapUsed();

// The per-message calls, as raw exports (bindings/hot_exports.cpp); `address` is core.address().
// send: undefined when accepted, otherwise the failure's error ({ type, message }).
// accept: 1 when the app gets the message now, 2 when it goes to keepFile (a `file` message the
// transfers classify first), 0 when nobody gets it.
export const sendThrough = (address, channel, bytes) => {
  const failure = Core._wre_send(address, channel, Core.toHandle(bytes), bytes.byteLength);
  return failure === 0 ? undefined : Core.takeValue(failure).error;
};
export const acceptMessage = (address, channel, size) => Core._wre_accept_message(address, channel, size);
export const keepFile = (address, bytes) => Core._wre_keep_file(address, Core.toHandle(bytes), bytes.byteLength);

// The far end's bytes on the library's own channels: an ArrayBuffer that fits the core's buffer
// is copied into it (bindings/hot_exports.cpp); anything else is not ours and stays out.
const libraryScratch = Core._wre_library_scratch();
const libraryScratchSize = Core._wre_library_scratch_size();
export function libraryMessage(address, channel, data) {
  if (!(data instanceof ArrayBuffer) || data.byteLength > libraryScratchSize) return;
  Core.HEAPU8.set(new Uint8Array(data), libraryScratch);
  Core._wre_library_message(address, channel, data.byteLength);
}
