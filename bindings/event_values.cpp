#include "event_values.hpp"

#include "js_driver.hpp"
#include "js_values.hpp"

using emscripten::val;

namespace wre::bind {
namespace {

// A payload built from key/value pairs.
template <class... KV>
val object(KV&&... kv) {
  val out = val::object();
  auto set = [&](const char* key, const auto& value) { out.set(key, value); };
  auto pairs = [&](auto&& self, const char* key, const auto& value, auto&&... rest) -> void {
    set(key, value);
    if constexpr (sizeof...(rest) > 0) self(self, rest...);
  };
  if constexpr (sizeof...(kv) > 0) pairs(pairs, kv...);
  return out;
}

JsEvent work(const char* name, val payload) { return {name, std::move(payload), true}; }

std::string label(int channel) { return std::string(kChannels[channel].label); }
std::string name(PeerState s) { return std::string(toString(s)); }

JsEvent js(const event::Initialized&, const std::string& id) { return {"initialized", object("peerId", id)}; }
JsEvent js(const event::StateChange& e, const std::string& id) {
  return {"state-change", object("peerId", id, "oldState", name(e.from), "newState", name(e.to))};
}
JsEvent js(const event::IceCandidate& e, const std::string&) {
  return {"ice-candidate", object("candidate", candidateVal(e.candidate))};
}
JsEvent js(const event::IceGatheringState& e, const std::string&) {
  return {"ice-gathering-state", object("state", e.state)};
}
JsEvent js(const event::IceConnectionState& e, const std::string&) {
  return {"ice-connection-state", object("state", e.state)};
}
JsEvent js(const event::ChannelCreated& e, const std::string&) { return {"channel-created", channelVal(e.channel)}; }
JsEvent js(const event::ChannelOpen& e, const std::string&) { return {"channel-open", channelVal(e.channel)}; }
JsEvent js(const event::ChannelClose& e, const std::string&) { return {"channel-close", channelVal(e.channel)}; }
JsEvent js(const event::ChannelError& e, const std::string&) {
  val p = channelVal(e.channel);
  p.set("error", e.message);
  return {"channel-error", p};
}
JsEvent js(const event::ErrorRaised& e, const std::string&) { return work("error", errorVal(e.error)); }
JsEvent js(const event::Closed& e, const std::string&) {
  return {"closed", object("reason", std::string(toString(e.reason)))};
}
JsEvent js(const event::RequestDone& e, const std::string&) {
  val p = object("id", e.id);
  if (e.description) p.set("description", descriptionVal(*e.description));
  return work("request-done", p);
}
JsEvent js(const event::RequestFailed& e, const std::string&) {
  return work("request-failed", object("id", e.id, "error", errorVal(e.error)));
}
JsEvent js(const event::MessageQueued& e, const std::string&) {
  return {"message-queued", object("type", label(e.channel), "size", e.size)};
}
JsEvent js(const event::MessageSent& e, const std::string&) {
  return {"message-sent", object("type", label(e.channel), "size", e.size)};
}
JsEvent js(const event::Backpressure& e, const std::string&) {
  return {"backpressure", object("type", label(e.channel), "bufferedAmount", e.bufferedAmount)};
}
JsEvent js(const event::ChannelReady& e, const std::string&) {
  return {"channel-ready", object("type", label(e.channel))};
}
JsEvent js(const event::MessageDropped& e, const std::string&) {
  return {"message-dropped", object("type", label(e.channel), "size", e.size, "reason", std::string(e.reason))};
}
JsEvent js(const event::ReconnectScheduled& e, const std::string&) {
  return {"reconnect-scheduled", object("delay", e.delayMs, "attempt", e.attempt)};
}
JsEvent js(const event::ReconnectAttempt& e, const std::string&) {
  return {"reconnect-attempt", object("attempt", e.attempt)};
}
JsEvent js(const event::ReconnectFailed& e, const std::string&) {
  return {"reconnect-failed", object("attempts", e.attempts)};
}
JsEvent js(const event::RenegotiationNeeded& e, const std::string&) {
  return {"renegotiation-needed", object("offer", descriptionVal(e.offer))};
}
JsEvent js(const event::Metrics& e, const std::string&) {
  return {"metrics", object("metrics", metricsVal(e.metrics))};
}
JsEvent js(const event::QualityChange& e, const std::string&) {
  return {"quality-change",
          object("quality", std::string(toString(e.current)), "previous", std::string(toString(e.previous)))};
}

val payloadVal(const std::shared_ptr<const Payload>& p) {
  return p ? static_cast<const JsBuffer&>(p->holder()).value() : val::undefined();
}
val orNull(const std::optional<double>& v) { return v ? val(*v) : val::null(); }
std::string direction(bool send) { return send ? "send" : "receive"; }

// Transfers: the wrapper's work (its Promises, the source and sink I/O), which it re-emits as the
// guide's events; progress goes to the app as it is.
JsEvent js(const event::TransferOffered& e, const std::string&) {
  return work("transfer-offered", object("id", e.id, "transfer", e.transfer, "name", e.name, "type", e.type, "meta",
                                         e.meta, "size", orNull(e.size)));
}
JsEvent js(const event::TransferProgress& e, const std::string&) {
  return {"transfer-progress",
          object("id", e.id, "direction", direction(e.send), "bytes", e.bytes, "total", orNull(e.total))};
}
JsEvent js(const event::TransferComplete& e, const std::string&) {
  return work("transfer-complete", object("id", e.id, "transfer", e.transfer, "direction", direction(e.send), "bytes",
                                          e.bytes, "sha256", e.sha256, "seconds", e.seconds));
}
JsEvent js(const event::TransferFailed& e, const std::string&) {
  return work("transfer-failed", object("id", e.id, "transfer", e.transfer, "direction", direction(e.send), "reason",
                                        std::string(toString(e.reason)), "message", e.message));
}
JsEvent js(const event::TransferIo& e, const std::string&) {
  static const char* const kOps[] = {"read", "write", "finish", "abort", "release"};
  return work("transfer-io", object("op", std::string(kOps[static_cast<int>(e.op)]), "transfer", e.transfer, "offset",
                                    e.offset, "length", e.length, "data", payloadVal(e.data), "reason", e.reason));
}
JsEvent js(const event::FileMessage& e, const std::string&) {
  return work("file-message", object("data", payloadVal(e.data)));
}

}  // namespace

JsEvent toJs(const PeerEvent& event, const std::string& peerId) {
  return std::visit([&](const auto& e) { return js(e, peerId); }, event);
}

}  // namespace wre::bind
