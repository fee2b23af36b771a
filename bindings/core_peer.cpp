#include "core_peer.hpp"

#include <emscripten/val.h>
#include <type_traits>
#include <vector>

#include "value_from_js.hpp"

using emscripten::val;

namespace wre::bind {
namespace {

val errorVal(const Error& e) {
  val out = val::object();
  out.set("type", std::string(toString(e.kind)));
  out.set("message", e.message);
  return out;
}

template <class T>
val resultVal(const Result<T>& r) {
  return r ? val::undefined() : errorVal(r.error());
}

val channelVal(int channel) {
  val out = val::object();
  out.set("type", std::string(kChannels[channel].label));
  out.set("label", std::string(kChannels[channel].label));
  return out;
}

CandidateInit candidateFromJs(const val& c) {
  CandidateInit init;
  val text = c["candidate"];
  init.candidate = text.isString() ? text.as<std::string>() : "";
  if (c["sdpMid"].isString()) init.sdpMid = c["sdpMid"].as<std::string>();
  if (c["sdpMLineIndex"].typeOf().as<std::string>() == "number") init.sdpMLineIndex = c["sdpMLineIndex"].as<int>();
  if (c["usernameFragment"].isString()) init.usernameFragment = c["usernameFragment"].as<std::string>();
  return init;
}

val metricsVal(const ConnectionMetrics& m) {
  val out = val::object();
  out.set("bytesReceived", m.bytesReceived);
  out.set("bytesSent", m.bytesSent);
  out.set("packetsReceived", m.packetsReceived);
  out.set("packetsSent", m.packetsSent);
  out.set("packetsLost", m.packetsLost);
  out.set("roundTripTime", m.roundTripTime);
  out.set("jitter", m.jitter);
  out.set("lossRate", m.lossRate);
  val sources = val::object();
  sources.set("roundTripTime", m.rttSource);
  sources.set("jitter", m.jitterSource);
  sources.set("packetsLost", m.lossSource);
  sources.set("availableBandwidth", m.bandwidthSource);
  out.set("sources", sources);
  val types = val::object();
  types.set("local", m.localCandidateType);
  types.set("remote", m.remoteCandidateType);
  out.set("candidateTypes", types);
  out.set("bytesPerSecondSent", m.bytesPerSecondSent);
  out.set("bytesPerSecondReceived", m.bytesPerSecondReceived);
  out.set("messagesPerSecondSent", m.messagesPerSecondSent);
  out.set("messagesPerSecondReceived", m.messagesPerSecondReceived);
  out.set("availableBandwidth", m.availableBandwidth);
  out.set("mos", m.mos);
  out.set("timestamp", m.timestampMs);
  return out;
}

double numberOr(const val& v, const char* key, double fallback) {
  val x = v[key];
  return x.isNumber() ? x.as<double>() : fallback;
}

StatsRecord statsFromJs(const val& v) {
  StatsRecord r;
  r.timestampMs = numberOr(v, "timestampMs", 0);
  r.hasSelectedPair = v["hasSelectedPair"].as<bool>();
  r.bytesSent = numberOr(v, "bytesSent", 0);
  r.bytesReceived = numberOr(v, "bytesReceived", 0);
  r.packetsSent = numberOr(v, "packetsSent", 0);
  r.packetsReceived = numberOr(v, "packetsReceived", 0);
  r.currentRoundTripTime = numberOr(v, "currentRoundTripTime", -1);
  r.requestsSent = numberOr(v, "requestsSent", 0);
  r.responsesReceived = numberOr(v, "responsesReceived", 0);
  r.availableOutgoingBitrate = numberOr(v, "availableOutgoingBitrate", -1);
  r.localCandidateType = v["localCandidateType"].as<std::string>();
  r.remoteCandidateType = v["remoteCandidateType"].as<std::string>();
  r.messagesSent = numberOr(v, "messagesSent", 0);
  r.messagesReceived = numberOr(v, "messagesReceived", 0);
  return r;
}

val candidateVal(const CandidateInit& c) {
  val out = val::object();
  out.set("candidate", c.candidate);
  out.set("sdpMid", c.sdpMid ? val(*c.sdpMid) : val::null());
  out.set("sdpMLineIndex", c.sdpMLineIndex ? val(*c.sdpMLineIndex) : val::null());
  if (c.usernameFragment) out.set("usernameFragment", *c.usernameFragment);
  return out;
}

}  // namespace

CorePeer::CorePeer(val host) : host_(host), driver_(host) {}

val CorePeer::start(const val& config) {
  auto parsed = parseConfig(valueFromJs(config));
  if (!parsed) return errorVal(parsed.error());
  peer_.emplace(std::move(parsed).value(), driver_, *this);
  return resultVal(peer_->start());
}

val CorePeer::createOffer() {
  auto r = peer_->createOffer();
  return r ? val(r.value()) : errorVal(r.error());
}

val CorePeer::createAnswer(const std::string& type, const std::string& sdp) {
  auto r = peer_->createAnswer({type, sdp});
  return r ? val(r.value()) : errorVal(r.error());
}

val CorePeer::setRemoteAnswer(const std::string& type, const std::string& sdp) {
  auto r = peer_->setRemoteAnswer({type, sdp});
  return r ? val(r.value()) : errorVal(r.error());
}

val CorePeer::addIceCandidate(const val& candidate) {
  auto r = peer_->addIceCandidate(candidateFromJs(candidate));
  if (!r) return errorVal(r.error());
  return r.value() ? val(*r.value()) : val::null();
}

val CorePeer::send(int channel, const val& data, double size) {
  return resultVal(peer_->send(channel, Payload(std::make_unique<JsBuffer>(data), static_cast<size_t>(size))));
}

void CorePeer::close() {
  if (peer_) peer_->close();
}

std::string CorePeer::state() const { return peer_ ? std::string(toString(peer_->state())) : "new"; }
std::string CorePeer::peerId() const { return peer_ ? peer_->config().peerId : ""; }
double CorePeer::queuedMessages() const { return peer_ ? static_cast<double>(peer_->queuedMessages()) : 0; }
void CorePeer::reportEvent(const std::string& name, bool on) {
  if (!peer_) return;
  if (name == "message-sent") peer_->scheduler().setReportSent(on);
  if (name == "message-queued") peer_->scheduler().setReportQueued(on);
}

double CorePeer::queuedBytes() const { return peer_ ? static_cast<double>(peer_->queuedBytes()) : 0; }

void CorePeer::onDescription(int id, const std::string& type, const std::string& sdp) {
  peer_->onDescription(static_cast<RequestId>(id), {type, sdp});
}
void CorePeer::onRequestDone(int id) { peer_->onRequestDone(static_cast<RequestId>(id)); }
void CorePeer::onRequestFailed(int id, const std::string& message) {
  peer_->onRequestFailed(static_cast<RequestId>(id), message);
}
void CorePeer::onIceCandidate(const val& candidate) { peer_->onIceCandidate(candidateFromJs(candidate)); }
void CorePeer::onIceGatheringState(const std::string& state) { peer_->onIceGatheringState(state); }
void CorePeer::onIceConnectionState(const std::string& state) { peer_->onIceConnectionState(state); }
void CorePeer::onConnectionState(const std::string& state) { peer_->onConnectionState(state); }
void CorePeer::onChannelOpen(int channel) { peer_->onChannelOpen(channel); }
void CorePeer::onChannelClose(int channel) { peer_->onChannelClose(channel); }
void CorePeer::onChannelError(int channel, const std::string& message) { peer_->onChannelError(channel, message); }
void CorePeer::onBufferedAmountLow(int channel) { peer_->onBufferedAmountLow(channel); }
void CorePeer::onTimer(int id) { peer_->onTimer(static_cast<TimerId>(id)); }
void CorePeer::onNetworkChange() { peer_->onNetworkChange(); }
void CorePeer::onStats(int id, const val& record) { peer_->onStats(static_cast<RequestId>(id), statsFromJs(record)); }
val CorePeer::metrics() const { return peer_ ? metricsVal(peer_->metrics()) : metricsVal({}); }
std::string CorePeer::quality() const { return std::string(toString(peer_ ? peer_->quality() : QualityGrade::Unknown)); }

void CorePeer::onMessage(int channel, const val& data) {
  if (channel >= kUserChannels) {  // library traffic: small, copied in to be read
    std::vector<uint8_t> bytes = emscripten::convertJSArrayToNumberVector<uint8_t>(data);
    peer_->onLibraryMessage(channel, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
    return;
  }
  if (peer_->onUserMessage(channel, data["byteLength"].as<size_t>())) host_.call<void>("deliver", channel, data);
}

void CorePeer::emit(const char* name, const val& payload) { host_.call<void>("emit", std::string(name), payload); }

void CorePeer::onEvent(const PeerEvent& event) {
  std::visit(
      [&](const auto& e) {
        using E = std::decay_t<decltype(e)>;
        val p = val::object();
        if constexpr (std::is_same_v<E, event::Initialized>) {
          p.set("peerId", peer_->config().peerId);
          emit("initialized", p);
        } else if constexpr (std::is_same_v<E, event::StateChange>) {
          p.set("peerId", peer_->config().peerId);
          p.set("oldState", std::string(toString(e.from)));
          p.set("newState", std::string(toString(e.to)));
          emit("state-change", p);
        } else if constexpr (std::is_same_v<E, event::IceCandidate>) {
          p.set("candidate", candidateVal(e.candidate));
          emit("ice-candidate", p);
        } else if constexpr (std::is_same_v<E, event::IceGatheringState>) {
          p.set("state", e.state);
          emit("ice-gathering-state", p);
        } else if constexpr (std::is_same_v<E, event::IceConnectionState>) {
          p.set("state", e.state);
          emit("ice-connection-state", p);
        } else if constexpr (std::is_same_v<E, event::ChannelCreated>) {
          emit("channel-created", channelVal(e.channel));
        } else if constexpr (std::is_same_v<E, event::ChannelOpen>) {
          emit("channel-open", channelVal(e.channel));
        } else if constexpr (std::is_same_v<E, event::ChannelClose>) {
          emit("channel-close", channelVal(e.channel));
        } else if constexpr (std::is_same_v<E, event::ChannelError>) {
          p = channelVal(e.channel);
          p.set("error", e.message);
          emit("channel-error", p);
        } else if constexpr (std::is_same_v<E, event::ErrorRaised>) {
          emit("_error", errorVal(e.error));
        } else if constexpr (std::is_same_v<E, event::Closed>) {
          emit("closed", p);
        } else if constexpr (std::is_same_v<E, event::RequestDone>) {
          p.set("id", e.id);
          if (e.description) {
            val d = val::object();
            d.set("type", e.description->type);
            d.set("sdp", e.description->sdp);
            p.set("description", d);
          }
          emit("_done", p);
        } else if constexpr (std::is_same_v<E, event::RequestFailed>) {
          p.set("id", e.id);
          p.set("error", errorVal(e.error));
          emit("_failed", p);
        } else if constexpr (std::is_same_v<E, event::MessageQueued>) {
          p.set("type", std::string(kChannels[e.channel].label));
          p.set("size", e.size);
          emit("message-queued", p);
        } else if constexpr (std::is_same_v<E, event::MessageSent>) {
          p.set("type", std::string(kChannels[e.channel].label));
          p.set("size", e.size);
          emit("message-sent", p);
        } else if constexpr (std::is_same_v<E, event::Backpressure>) {
          p.set("type", std::string(kChannels[e.channel].label));
          p.set("bufferedAmount", e.bufferedAmount);
          emit("backpressure", p);
        } else if constexpr (std::is_same_v<E, event::ChannelReady>) {
          p.set("type", std::string(kChannels[e.channel].label));
          emit("channel-ready", p);
        } else if constexpr (std::is_same_v<E, event::ReconnectScheduled>) {
          p.set("delay", e.delayMs);
          p.set("attempt", e.attempt);
          emit("reconnect-scheduled", p);
        } else if constexpr (std::is_same_v<E, event::ReconnectAttempt>) {
          p.set("attempt", e.attempt);
          emit("reconnect-attempt", p);
        } else if constexpr (std::is_same_v<E, event::ReconnectFailed>) {
          p.set("attempts", e.attempts);
          emit("reconnect-failed", p);
        } else if constexpr (std::is_same_v<E, event::RenegotiationNeeded>) {
          val d = val::object();
          d.set("type", e.offer.type);
          d.set("sdp", e.offer.sdp);
          p.set("offer", d);
          emit("renegotiation-needed", p);
        } else if constexpr (std::is_same_v<E, event::Metrics>) {
          p.set("metrics", metricsVal(e.metrics));
          emit("metrics", p);
        } else if constexpr (std::is_same_v<E, event::QualityChange>) {
          p.set("quality", std::string(toString(e.current)));
          p.set("previous", std::string(toString(e.previous)));
          emit("quality-change", p);
        } else if constexpr (std::is_same_v<E, event::MessageDropped>) {
          p.set("type", std::string(kChannels[e.channel].label));
          p.set("size", e.size);
          p.set("reason", std::string(e.reason));
          emit("message-dropped", p);
        }
      },
      event);
}

}  // namespace wre::bind
