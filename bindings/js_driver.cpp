#include "js_driver.hpp"

#include <emscripten/emscripten.h>
#include <emscripten/val.h>
#include <string>

#include "js_values.hpp"
#include "no_webrtc.hpp"
#include "shim_calls.hpp"

using emscripten::val;

namespace wre::bind {

JsDriver::JsDriver(val host)
    : host_(std::move(host)), shims_(host_["shims"]), channels_(kChannelCount, val::undefined()) {}

Result<void> JsDriver::createPeerConnection(const Config& config) {
  val conn = shims_.call<val>("createPeerConnection", host_, rtcConfigurationVal(config));
  if (conn.isNull()) return makeError(ErrorKind::Initialization, std::string(kNoWebRtc));
  if (conn.isString())
    return makeError(ErrorKind::Initialization, "the browser refused the configuration: " + conn.as<std::string>());
  conn_ = conn;
  connId_ = conn["id"].as<int>();
  return ok();
}

void JsDriver::createChannel(const ChannelSpec& spec, double lowThreshold) {
  channels_[spec.id] = shims_.call<val>("createChannel", conn_, spec.id, std::string(spec.label), spec.ordered,
                                        spec.maxRetransmits, std::string(spec.priority), lowThreshold, spec.user);
}

void JsDriver::createOffer(RequestId id, bool iceRestart) { shims_.call<void>("createOffer", conn_, id, iceRestart); }

void JsDriver::createAnswer(RequestId id) { shims_.call<void>("createAnswer", conn_, id); }

void JsDriver::setRemoteDescription(RequestId id, const SessionDescription& d) {
  shims_.call<void>("setRemoteDescription", conn_, id, d.type, d.sdp);
}

void JsDriver::addIceCandidate(RequestId id, const CandidateInit& c) {
  val init = val::object();
  init.set("candidate", c.candidate);
  if (c.sdpMid) init.set("sdpMid", *c.sdpMid);
  if (c.sdpMLineIndex) init.set("sdpMLineIndex", *c.sdpMLineIndex);
  if (c.usernameFragment) init.set("usernameFragment", *c.usernameFragment);
  shims_.call<void>("addIceCandidate", conn_, id, init);
}

void JsDriver::getStats(RequestId id) { shims_.call<void>("getStats", conn_, id, statsFieldNames()); }

double JsDriver::bufferedAmount(int channel) {
  return connId_ < 0 ? 0 : channels_[channel]["bufferedAmount"].as<double>();
}

Result<void> JsDriver::refused(int code) {
  if (code == 0) return ok();
  return makeError(ErrorKind::Send, shim::refusal());
}

Result<void> JsDriver::send(int channel, const Payload& payload) {
  if (connId_ < 0) return makeError(ErrorKind::Send, "the connection is closed");
  return refused(shim::send(connId_, channel, static_cast<const JsBuffer&>(payload.holder()).handle()));
}

Result<void> JsDriver::sendBytes(int channel, std::string_view bytes) {
  if (connId_ < 0) return makeError(ErrorKind::Send, "the connection is closed");
  return refused(shim::sendBytes(connId_, channel, reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
}

void JsDriver::copyBytes(const Payload& payload, uint8_t* to) {
  // One crossing: the buffer's bytes set into a view of WASM memory (a Uint8Array: the shims and
  // the wrapper hand the core only those for transfers).
  val view(emscripten::typed_memory_view(payload.size(), to));
  view.call<void>("set", static_cast<const JsBuffer&>(payload.holder()).value());
}

void JsDriver::setTimer(TimerId id, double delayMs) {
  if (timerService_) timerService_->setTimer(timerOwner_, id, delayMs);
}

void JsDriver::cancelTimer(TimerId id) {
  if (timerService_) timerService_->cancelTimer(timerOwner_, id);
}

double JsDriver::nowMs() { return emscripten_get_now(); }

double JsDriver::random01() { return val::global("Math").call<double>("random"); }

void JsDriver::close() {
  if (conn_.isUndefined()) return;
  shims_.call<void>("close", conn_);
  conn_ = val::undefined();
  connId_ = -1;
  for (auto& c : channels_) c = val::undefined();
}

}  // namespace wre::bind
