#include "core_peer.hpp"

#include <emscripten/val.h>
#include <type_traits>
#include <vector>

#include "js_values.hpp"
#include "value_from_js.hpp"

using emscripten::val;

namespace wre::bind {

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

bool CorePeer::send(int channel, emscripten::EM_VAL buffer, double size) {
  auto sent = peer_->send(channel, Payload(JsBuffer::adopt(buffer), static_cast<size_t>(size)));
  if (!sent) lastError_ = sent.error();
  return static_cast<bool>(sent);
}

val CorePeer::lastError() const { return lastError_ ? errorVal(*lastError_) : val::undefined(); }

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

bool CorePeer::onUserMessage(int channel, double size) { return peer_->onUserMessage(channel, static_cast<size_t>(size)); }

void CorePeer::onLibraryMessage(int channel, const val& data) {
  // Library traffic is small: copied in to be read.
  std::vector<uint8_t> bytes = emscripten::convertJSArrayToNumberVector<uint8_t>(data);
  peer_->onLibraryMessage(channel, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
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
          if (e.description) p.set("description", descriptionVal(*e.description));
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
          p.set("offer", descriptionVal(e.offer));
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
