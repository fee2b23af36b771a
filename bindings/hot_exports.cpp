// The calls JS makes once per message, as raw WASM exports: embind's generic invoker (it may
// not generate code under -sDYNAMIC_EXECUTION=0) costs more than the work it wraps. js/core.js
// wraps them; `core` is CorePeer::address().
#include <emscripten/em_js.h>
#include <emscripten/emscripten.h>

#include "core_peer.hpp"
#include "peer/input_limits.hpp"

using wre::bind::CorePeer;

// JS needs a handle for the buffer it passes to wre_send; Emval lives inside the glue.
// wre_send answers with a handle to its failure (0: none); JS takes the value and releases it.
EM_JS(void, wre_expose_to_handle, (), {
  Module.toHandle = Emval.toHandle;
  Module.takeValue = function(handle) {
    var value = Emval.toValue(handle);
    __emval_decref(handle);
    return value;
  };
});
[[maybe_unused]] static const bool toHandleExposed = (wre_expose_to_handle(), true);

extern "C" {

// Takes ownership of `buffer`. 0 when accepted (sent or queued), otherwise a handle to
// { error: { type, message } } (Module.takeValue).
EMSCRIPTEN_KEEPALIVE emscripten::EM_VAL wre_send(CorePeer* core, int channel, emscripten::EM_VAL buffer, double size) {
  return core->send(channel, buffer, size);
}

// A message arrived on an app channel: 1 when the app gets it now, 2 when JS must hand it to
// wre_keep_file (a `file` message the transfers classify first), 0 when nobody gets it.
EMSCRIPTEN_KEEPALIVE int wre_accept_message(CorePeer* core, int channel, double size) {
  return core->onUserMessage(channel, size);
}

// Takes ownership of `buffer` (Module.toHandle).
EMSCRIPTEN_KEEPALIVE void wre_keep_file(CorePeer* core, emscripten::EM_VAL buffer, double size) {
  core->keepFileMessage(buffer, size);
}

// The far end's bytes on `wre`/`wre-probe` go through this buffer: JS copies a message that fits
// into it and calls wre_library_message; anything larger is not ours and never comes in (one
// crossing per probe instead of the ~40 of reading an ArrayBuffer through emscripten::val).
static uint8_t libraryScratch[wre::InputLimits::kLibraryMessage];
EMSCRIPTEN_KEEPALIVE uint8_t* wre_library_scratch() { return libraryScratch; }
EMSCRIPTEN_KEEPALIVE int wre_library_scratch_size() { return sizeof libraryScratch; }
EMSCRIPTEN_KEEPALIVE void wre_library_message(CorePeer* core, int channel, int size) {
  if (size < 0 || size > static_cast<int>(sizeof libraryScratch)) return;
  core->onLibraryMessage(channel, std::string_view(reinterpret_cast<const char*>(libraryScratch), size));
}
}
