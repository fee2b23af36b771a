#include "core_peer.hpp"

#include <emscripten/val.h>
#include <vector>

#include "event_values.hpp"
#include "js_values.hpp"
#include "page_timers.hpp"
#include "peer/input_limits.hpp"
#include "value_from_js.hpp"

using emscripten::val;

namespace wre::bind {

CorePeer::CorePeer(val host) : host_(host), driver_(host) {}

CorePeer::~CorePeer() {
  if (pageTimersOwner_) PageTimers::instance().remove(pageTimersOwner_);
}

val CorePeer::start(const val& config) {
  Value given = valueFromJs(config);
  auto merged = configFor_ ? configFor_(given) : Result<Value>(std::move(given));
  if (!merged) return failureVal(merged.error());
  auto parsed = parseConfig(merged.value());
  if (!parsed) return failureVal(parsed.error());
  if (!driver_.hasTimerService()) {  // standalone: the page's shared list (a pool has set its own)
    pageTimersOwner_ = PageTimers::instance().add(this);
    driver_.useTimerService(&PageTimers::instance(), pageTimersOwner_);
  }
  peer_.emplace(std::move(parsed).value(), driver_, *this, outbox_);
  return answerVal(peer_->start());
}

val CorePeer::iceServers() const { return rtcConfigurationVal(peer_->config())["iceServers"]; }

val CorePeer::createOffer() { return answerVal(peer_->createOffer()); }

val CorePeer::createAnswer(const val& offer) {
  auto d = descriptionFromJs(offer, ErrorKind::AnswerCreation, "createAnswer");
  if (!d) return failureVal(peer_->refuse(d.error().kind, d.error().message));
  return answerVal(peer_->createAnswer(d.value()));
}

val CorePeer::setRemoteAnswer(const val& answer) {
  auto d = descriptionFromJs(answer, ErrorKind::AnswerSet, "setRemoteAnswer");
  if (!d) return failureVal(peer_->refuse(d.error().kind, d.error().message));
  return answerVal(peer_->setRemoteAnswer(d.value()));
}

val CorePeer::addIceCandidate(const val& candidate) {
  auto init = candidateFromJs(candidate);
  if (!init) return failureVal(peer_->refuse(init.error().kind, "addIceCandidate(): " + init.error().message));
  auto r = peer_->addIceCandidate(init.value());
  if (!r) return failureVal(r.error());
  return r.value() ? val(*r.value()) : val::null();
}

emscripten::EM_VAL CorePeer::send(int channel, emscripten::EM_VAL buffer, double size) {
  auto sent = peer_->send(channel, Payload(JsBuffer::adopt(buffer), static_cast<size_t>(size)));
  if (sent) return nullptr;
  val failure = failureVal(sent.error());
  emscripten::internal::_emval_incref(failure.as_handle());  // the reference JS takes (takeValue)
  return failure.as_handle();
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
  if (name == "metrics") peer_->setMetricsWanted(on);
}

double CorePeer::queuedBytes() const { return peer_ ? static_cast<double>(peer_->queuedBytes()) : 0; }

void CorePeer::onDescription(int id, const std::string& type, const std::string& sdp) {
  peer_->onDescription(static_cast<RequestId>(id), {type, sdp});
}
void CorePeer::onRequestDone(int id) { peer_->onRequestDone(static_cast<RequestId>(id)); }
void CorePeer::onRequestFailed(int id, const std::string& message) {
  peer_->onRequestFailed(static_cast<RequestId>(id), message);
}
void CorePeer::onIceCandidate(const val& candidate) {
  // Our own browser's candidate: bounded like the far end's, and dropped if it is not.
  if (auto init = candidateFromJs(candidate)) peer_->onIceCandidate(init.value());
}
void CorePeer::onIceGatheringState(const std::string& state) { peer_->onIceGatheringState(state); }
void CorePeer::onIceConnectionState(const std::string& state) { peer_->onIceConnectionState(state); }
void CorePeer::onConnectionState(const std::string& state) { peer_->onConnectionState(state); }
void CorePeer::onChannelOpen(int channel) { peer_->onChannelOpen(channel); }
void CorePeer::onChannelClose(int channel) { peer_->onChannelClose(channel); }
void CorePeer::onChannelError(int channel, const std::string& message) { peer_->onChannelError(channel, message); }
void CorePeer::onBufferedAmountLow(int channel) { peer_->onBufferedAmountLow(channel); }
void CorePeer::onTimer(int id) { peer_->onTimer(static_cast<TimerId>(id)); }
void CorePeer::onNetworkChange() { peer_->onNetworkChange(); }
void CorePeer::onStats(int id, const val& numbers, const val& strings) {
  peer_->onStats(static_cast<RequestId>(id), statsReportFromJs(numbers, strings));
}
val CorePeer::metrics() {
  if (!peer_) return metricsVal({});
  peer_->onMetricsAsked();
  return metricsVal(peer_->metrics());
}
std::string CorePeer::quality() const {
  return std::string(toString(peer_ ? peer_->quality() : QualityGrade::Unknown));
}

int CorePeer::onUserMessage(int channel, double size) {
  return static_cast<int>(peer_->onUserMessage(channel, static_cast<size_t>(size)));
}

void CorePeer::onLibraryMessage(int channel, std::string_view bytes) {
  if (peer_) peer_->onLibraryMessage(channel, bytes);
}

void CorePeer::onEvent(const PeerEvent& event) {
  JsEvent e = toJs(event, peer_->config().peerId);
  host_.call<void>(e.forWrapper ? "handle" : "emit", std::string(e.name), e.payload);
}

}  // namespace wre::bind
