// The core's Driver, implemented with emscripten::val calls into bindings/shims.js.
#pragma once

#include <emscripten/val.h>
#include <memory>
#include <vector>

#include "peer/driver.hpp"

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

// Where a peer's timers go instead of a setTimeout each: one shared deadline list, the pool's
// (bindings/core_pool.hpp) or the page's (bindings/page_timers.hpp). `owner` tells the service whose timer it is.
class TimerService {
 public:
  virtual ~TimerService() = default;
  virtual void setTimer(uint32_t owner, TimerId id, double delayMs) = 0;
  virtual void cancelTimer(uint32_t owner, TimerId id) = 0;
};

class JsDriver : public Driver {
 public:
  // `host` is the wrapper's bridge object: { shims, core, emit, deliver }.
  explicit JsDriver(emscripten::val host);

  Result<void> createPeerConnection(const Config& config) override;
  void createChannel(const ChannelSpec& spec, double lowThreshold) override;
  void createOffer(RequestId id, bool iceRestart) override;
  void createAnswer(RequestId id) override;
  void setRemoteDescription(RequestId id, const SessionDescription& description) override;
  void addIceCandidate(RequestId id, const CandidateInit& candidate) override;
  double bufferedAmount(int channel) override;
  void getStats(RequestId id) override;
  Result<void> send(int channel, const Payload& payload) override;
  Result<void> sendBytes(int channel, std::string_view bytes) override;
  void copyBytes(const Payload& payload, uint8_t* to) override;
  void setTimer(TimerId id, double delayMs) override;
  void cancelTimer(TimerId id) override;
  double nowMs() override;
  double random01() override;
  void close() override;
  // Routes this driver's timers to `service` (a pool's shared deadline list) under `owner`.
  void useTimerService(TimerService* service, uint32_t owner) {
    timerService_ = service;
    timerOwner_ = owner;
  }
  bool hasTimerService() const { return timerService_ != nullptr; }

 private:
  // A shim's result code as a Result (the refusal's text fetched only on failure).
  static Result<void> refused(int code);

  emscripten::val host_;
  emscripten::val shims_;
  emscripten::val conn_ = emscripten::val::undefined();
  int connId_ = -1;                        // the shim's id for conn_ (per-message calls use it)
  std::vector<emscripten::val> channels_;  // by channel id; val has no default constructor
  TimerService* timerService_ = nullptr;
  uint32_t timerOwner_ = 0;
};

// RTCConfiguration for the browser from the validated config.
emscripten::val rtcConfiguration(const Config& config);

}  // namespace wre::bind
