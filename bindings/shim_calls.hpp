// The per-message shim calls (send, library bytes) as direct WASM imports with number
// arguments. An emscripten::val method call costs several crossings (method name decoded, each
// argument's handle counted up and down, a handle made for the result); these cost one.
#pragma once

#include <emscripten/val.h>
#include <cstdint>
#include <string>

namespace wre::bind::shim {

// 0: sent; otherwise the browser refused, and refusal() says why.
int send(int conn, int channel, emscripten::EM_VAL buffer);
// Sends a copy of WASM memory [bytes, bytes + size).
int sendBytes(int conn, int channel, const uint8_t* bytes, size_t size);
// The browser's reason for the last refused send.
std::string refusal();

}  // namespace wre::bind::shim
