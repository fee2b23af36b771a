// The core's Driver, implemented with emscripten::val calls into bindings/shims.js.
#pragma once

#include <emscripten/val.h>
#include <memory>
#include <vector>

#include "js_buffer.hpp"
#include "peer/driver.hpp"
#include "timer_service.hpp"

namespace wre::bind {

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

}  // namespace wre::bind
