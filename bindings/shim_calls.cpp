#include "shim_calls.hpp"

#include <emscripten/em_js.h>
#include <emscripten/emscripten.h>
#include <string>

// `Module.shims` is bindings/hot_calls.js's `hot` table, handed to the module at load (js/core.js);
// connections are found by the integer id the shim gave them.
EM_JS(int, wre_shim_send, (int conn, int channel, int buffer),
      { return Module.shims.send(conn, channel, Emval.toValue(buffer)); });
EM_JS(int, wre_shim_send_bytes, (int conn, int channel, const uint8_t* bytes, int size),
      { return Module.shims.send(conn, channel, HEAPU8.slice(bytes, bytes + size)); });

namespace wre::bind::shim {

int send(int conn, int channel, emscripten::EM_VAL buffer) {
  return wre_shim_send(conn, channel, static_cast<int>(reinterpret_cast<intptr_t>(buffer)));
}
int sendBytes(int conn, int channel, const uint8_t* bytes, size_t size) {
  return wre_shim_send_bytes(conn, channel, bytes, static_cast<int>(size));
}
std::string refusal() { return emscripten::val::module_property("shims").call<std::string>("refusal"); }

}  // namespace wre::bind::shim
