// A caller's buffer as the core queues it (Payload::Holder), without a copy.
#pragma once

#include <emscripten/val.h>
#include <memory>

#include "queue/payload.hpp"

namespace wre::bind {

// A caller's buffer (Uint8Array/ArrayBuffer view) held as-is: queued and sent without a copy.
// A raw handle, not an emscripten::val: a val releases its handle even when moved from (0), and
// each release is a call out of WASM; this one is released once.
class JsBuffer : public Payload::Holder {
 public:
  static std::unique_ptr<JsBuffer> adopt(emscripten::EM_VAL owned) {
    return std::unique_ptr<JsBuffer>(new JsBuffer(owned));
  }
  explicit JsBuffer(const emscripten::val& b) : handle_(b.as_handle()) { emscripten::internal::_emval_incref(handle_); }
  ~JsBuffer() override { emscripten::internal::_emval_decref(handle_); }
  JsBuffer(const JsBuffer&) = delete;
  JsBuffer& operator=(const JsBuffer&) = delete;
  emscripten::EM_VAL handle() const { return handle_; }
  // The buffer as a JS value (a new reference).
  emscripten::val value() const {
    emscripten::internal::_emval_incref(handle_);
    return emscripten::val::take_ownership(handle_);
  }

 private:
  explicit JsBuffer(emscripten::EM_VAL owned) : handle_(owned) {}
  emscripten::EM_VAL handle_;
};

}  // namespace wre::bind
