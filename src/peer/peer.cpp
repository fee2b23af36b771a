#include "peer/peer.hpp"

#include <limits>

#include "metrics/probe_codec.hpp"
#include "nat/ice_candidate.hpp"
#include "peer/input_limits.hpp"
#include "peer/sdp_facts.hpp"
#include "peer/wre_messages.hpp"
#include "util/text.hpp"

namespace wre {
namespace {

Result<void> checkDescription(const SessionDescription& d, std::string_view expected, ErrorKind kind,
                              std::string_view method) {
  if (d.type != expected)
    return makeError(kind, format("{}() needs a description of type '{}', got type '{}'", method, expected, d.type));
  if (d.sdp.rfind("v=0", 0) != 0)
    return makeError(kind, format("{}() got an {} whose SDP does not start with 'v=0' "
                                  "(is it a session description?)",
                                  method, expected));
  return ok();
}

}  // namespace

Peer::Peer(Config config, Driver& driver, EventSink& sink, Outbox* shared)
    : config_(std::move(config)),
      driver_(driver),
      sink_(sink),
      ownOutbox_(shared ? nullptr : std::make_unique<Outbox>()),
      outbox_(shared ? *shared : *ownOutbox_),
      events_(outbox_, sink_),
      scheduler_(config_, driver_, events_),
      heartbeat_(config_.heartbeatTimeout),
      transfers_(
          driver_, events_, scheduler_, [this](size_t size) { fileMessageDelivered(size); },
          [this] { return delivered_[countedIndex(kFile)]; }) {
  scheduler_.setFileObserver(&transfers_);
  // Two draws of 32 bits: a reloaded page must not come back with the same id.
  auto draw = [&] { return static_cast<uint64_t>(driver_.random01() * 4294967296.0) & 0xffffffffu; };
  sessionId_ = draw() << 32;
  sessionId_ |= draw();
  transfers_.setSessions(sessionId_, std::nullopt);
}

Peer::~Peer() { outbox_.forget(sink_); }

Result<void> Peer::start() {
  Outbox::Scope scope(outbox_);
  auto made = driver_.createPeerConnection(config_);
  if (!made) return failCall(ErrorKind::Initialization, made.error().message);
  for (const auto& spec : kChannels) driver_.createChannel(spec, scheduler_.lowThreshold(spec.id));
  events_.onEvent(event::Initialized{});
  for (const auto& spec : kChannels)
    if (spec.user) events_.onEvent(event::ChannelCreated{spec.id});
  return ok();
}

// ---- signaling ----

Result<RequestId> Peer::createOffer() {
  Outbox::Scope scope(outbox_);
  if (closed()) return failCall(ErrorKind::OfferCreation, "createOffer() called after close()");
  if (role_ == Role::Answerer)
    return failCall(ErrorKind::OfferCreation,
                    "createOffer() called on a peer that answered an offer; "
                    "only the side that made the first offer makes offers");
  if (signaling_ != Signaling::Stable || role_ == Role::Offerer)
    return failCall(ErrorKind::OfferCreation, "createOffer() called twice; this peer already made its offer");
  beginConnecting();
  role_ = Role::Offerer;  // claimed now, so a second call while the first is in flight is refused
  RequestId id = startRequest(Op::Offer);
  driver_.createOffer(id, false);
  return id;
}

Result<RequestId> Peer::createAnswer(const SessionDescription& offer) {
  Outbox::Scope scope(outbox_);
  if (closed()) return failCall(ErrorKind::AnswerCreation, "createAnswer() called after close()");
  if (auto valid = checkDescription(offer, "offer", ErrorKind::AnswerCreation, "createAnswer"); !valid)
    return failCall(valid.error().kind, valid.error().message);
  if (role_ == Role::Offerer)
    return failCall(ErrorKind::AnswerCreation,
                    "createAnswer() called on a peer that made the offer; "
                    "pass the far side's answer to setRemoteAnswer()");
  if (signaling_ != Signaling::Stable)
    return failCall(ErrorKind::AnswerCreation, "createAnswer() called while another answer is being made");
  beginConnecting();
  offeredSessionTag_ = std::string(sessionIdOf(offer.sdp));
  if (!remoteSessionTag_.empty() && offeredSessionTag_ != remoteSessionTag_) {
    // The far side made a new RTCPeerConnection (its rebuild, or its page reloaded): ours cannot
    // take that offer, a new one can.
    if (auto rebuilt = rebuildConnection(); !rebuilt) return failCall(rebuilt.error().kind, rebuilt.error().message);
    setState(PeerState::Connecting);
  }
  // A renegotiation (the far side restarting ICE) while our link is down: we are reconnecting.
  if (state_ == PeerState::Disconnected || state_ == PeerState::Failed) setState(PeerState::Connecting);
  signaling_ = Signaling::HaveRemoteOffer;
  offeredMaxMessageSize_ = maxMessageSizeOf(offer.sdp);
  RequestId id = startRequest(Op::RemoteOffer);
  driver_.setRemoteDescription(id, offer);
  return id;
}

Result<RequestId> Peer::setRemoteAnswer(const SessionDescription& answer) {
  Outbox::Scope scope(outbox_);
  if (closed()) return failCall(ErrorKind::AnswerSet, "setRemoteAnswer() called after close()");
  if (auto valid = checkDescription(answer, "answer", ErrorKind::AnswerSet, "setRemoteAnswer"); !valid)
    return failCall(valid.error().kind, valid.error().message);
  if (signaling_ != Signaling::HaveLocalOffer)
    return failCall(ErrorKind::AnswerSet, role_ == Role::None
                                              ? "setRemoteAnswer() called before createOffer()"
                                              : "setRemoteAnswer() called with no offer of ours waiting for an answer");
  offeredMaxMessageSize_ = maxMessageSizeOf(answer.sdp);
  RequestId id = startRequest(Op::RemoteAnswer);
  driver_.setRemoteDescription(id, answer);
  return id;
}

Result<std::optional<RequestId>> Peer::addIceCandidate(const CandidateInit& candidate) {
  Outbox::Scope scope(outbox_);
  if (closed()) return failCall(ErrorKind::IceCandidate, "addIceCandidate() called after close()");
  // Candidates come from the far side through the app's signaling: untrusted until parsed.
  if (!candidate.candidate.empty())
    if (auto parsed = parseIceCandidate(candidate.candidate); !parsed)
      return failCall(ErrorKind::IceCandidate, "addIceCandidate(): " + parsed.error().message);
  if (!candidate.sdpMid && !candidate.sdpMLineIndex)
    return failCall(ErrorKind::IceCandidate, "addIceCandidate() needs sdpMid or sdpMLineIndex in the candidate");
  if (!remoteDescriptionSet_) {
    size_t bytes = candidate.candidate.size() + candidate.sdpMid.value_or("").size() +
                   candidate.usernameFragment.value_or("").size();
    if (heldCandidates_.size() >= InputLimits::kHeldCandidates || heldBytes_ + bytes > InputLimits::kHeldCandidateBytes)
      return failCall(
          ErrorKind::IceCandidate,
          format("addIceCandidate(): {} candidates ({} characters) already held waiting "
                 "for the remote description, the limit is {} candidates or {} characters; "
                 "is the offer/answer being delivered?",
                 heldCandidates_.size(), heldBytes_, InputLimits::kHeldCandidates, InputLimits::kHeldCandidateBytes));
    heldBytes_ += bytes;
    heldCandidates_.push_back(candidate);
    return std::optional<RequestId>{};
  }
  RequestId id = startRequest(Op::Candidate);
  driver_.addIceCandidate(id, candidate);
  return std::optional<RequestId>{id};
}

void Peer::applyHeldCandidates() {
  std::vector<CandidateInit> held;
  held.swap(heldCandidates_);
  heldBytes_ = 0;
  for (const auto& c : held) driver_.addIceCandidate(startRequest(Op::Candidate), c);
}

void Peer::updateMaxMessageSize() {
  if (remoteDescriptionSet_) scheduler_.setMaxMessageSize(std::min(remoteMaxMessageSize_, ownMaxMessageSize_));
}

void Peer::onDescription(RequestId id, const SessionDescription& description) {
  Outbox::Scope scope(outbox_);
  auto it = pending_.find(id);
  if (it == pending_.end() || closed()) return;
  Op op = it->second;
  pending_.erase(it);
  ownMaxMessageSize_ = ownMaxMessageSizeOf(description.sdp);
  updateMaxMessageSize();
  if (op == Op::RestartOffer) {
    signaling_ = Signaling::HaveLocalOffer;
    events_.onEvent(event::RenegotiationNeeded{description});
    return;
  }
  if (op == Op::Offer) {
    role_ = Role::Offerer;
    signaling_ = Signaling::HaveLocalOffer;
  } else if (op == Op::Answer) {
    role_ = Role::Answerer;
    signaling_ = Signaling::Stable;
  }
  events_.onEvent(event::RequestDone{id, description});
}

void Peer::onRequestDone(RequestId id) {
  Outbox::Scope scope(outbox_);
  auto it = pending_.find(id);
  if (it == pending_.end() || closed()) return;
  Op op = it->second;
  pending_.erase(it);
  switch (op) {
    case Op::RemoteOffer: {
      remoteDescriptionSet_ = true;
      remoteSessionTag_ = offeredSessionTag_;
      remoteMaxMessageSize_ = offeredMaxMessageSize_;
      updateMaxMessageSize();
      applyHeldCandidates();
      // Same request id carries on: the caller's Promise settles when the answer exists.
      pending_[id] = Op::Answer;
      driver_.createAnswer(id);
      return;
    }
    case Op::RemoteAnswer:
      signaling_ = Signaling::Stable;
      remoteDescriptionSet_ = true;
      remoteMaxMessageSize_ = offeredMaxMessageSize_;
      updateMaxMessageSize();
      applyHeldCandidates();
      break;
    default:
      break;
  }
  events_.onEvent(event::RequestDone{id, std::nullopt});
}

void Peer::onRequestFailed(RequestId id, const std::string& message) {
  Outbox::Scope scope(outbox_);
  auto it = pending_.find(id);
  if (it == pending_.end() || closed()) return;
  Op op = it->second;
  pending_.erase(it);
  ErrorKind kind = ErrorKind::IceCandidate;
  std::string what;
  switch (op) {
    case Op::Offer:
      kind = ErrorKind::OfferCreation;
      what = "createOffer() failed";
      if (!remoteDescriptionSet_) role_ = Role::None;  // nothing was sent: the app may try again
      break;
    case Op::RemoteOffer:
      kind = ErrorKind::AnswerCreation;
      what = "createAnswer() could not apply the offer";
      signaling_ = Signaling::Stable;
      break;
    case Op::Answer:
      kind = ErrorKind::AnswerCreation;
      what = "createAnswer() failed";
      break;
    case Op::RemoteAnswer:
      kind = ErrorKind::AnswerSet;
      what = "setRemoteAnswer() could not apply the answer";
      break;
    case Op::Candidate:
      kind = ErrorKind::IceCandidate;
      what = "addIceCandidate() failed";
      break;
    case Op::Stats:
      statsInFlight_ = false;  // the next tick asks again
      return;
    case Op::RestartOffer:
      // No caller waits on it: an error event, and the schedule carries on.
      emitError(ErrorKind::IceRestart, format("ICE restart offer failed: {}", message));
      return;
  }
  Error error = makeError(kind, format("{}: {}", what, message));
  events_.onEvent(event::ErrorRaised{error});
  events_.onEvent(event::RequestFailed{id, error});
}

// ---- connection state ----

void Peer::beginConnecting() {
  if (state_ != PeerState::New) return;
  setState(PeerState::Connecting);
  startTimer(TimerKind::ConnectionTimeout, config_.connectionTimeout);
}

void Peer::onIceCandidate(const CandidateInit& candidate) {
  Outbox::Scope scope(outbox_);
  // End-of-candidates is not the app's to signal: `ice-gathering-state` → complete says it, and
  // the far side's browser needs no empty candidate to finish its checks.
  if (!closed() && !candidate.candidate.empty()) events_.onEvent(event::IceCandidate{candidate});
}

void Peer::onIceGatheringState(const std::string& state) {
  Outbox::Scope scope(outbox_);
  if (!closed()) events_.onEvent(event::IceGatheringState{state});
}

void Peer::onIceConnectionState(const std::string& state) {
  Outbox::Scope scope(outbox_);
  if (!closed()) events_.onEvent(event::IceConnectionState{state});
}

void Peer::onConnectionState(const std::string& state) {
  Outbox::Scope scope(outbox_);
  if (closed()) return;
  if (state == "connecting" && state_ != PeerState::New) setState(PeerState::Connecting);
  browserConnected_ = state == "connected";
  if (state == "connected" && channelsLost_) {
    // ICE is back (Firefox after an ICE restart) but the browser closed the channels with the
    // failure: no data can flow on this connection. The offerer rebuilds now, not at the next slot.
    if (role_ == Role::Offerer && reconnecting_) {
      cancelTimers(TimerKind::ReconnectAttempt);
      runAttempt();
    }
  } else if (state == "connected") {
    onLinkBack();
  } else if (state == "disconnected") {
    onLinkLost(false);
  } else if (state == "failed") {
    onLinkLost(true);
  }
}

void Peer::setState(PeerState next) {
  if (next == state_ || closed()) return;
  PeerState from = state_;
  state_ = next;
  if (next == PeerState::Connected) {
    connectedAtMs_ = driver_.nowMs();
    watchTransferWait();
  }
  events_.onEvent(event::StateChange{from, next});
}

// ---- channels and sending ----

void Peer::onChannelOpen(int channel) {
  Outbox::Scope scope(outbox_);
  if (closed() || channel < 0 || channel >= kChannelCount) return;
  if (kChannels[channel].user) events_.onEvent(event::ChannelOpen{channel});
  scheduler_.onOpen(channel);
  watchReplayAcks();  // what now waits may wait on the far side's counts
  // Announce ourselves, and that we acknowledge `file` data (an ack of what we have delivered so
  // far, usually 0): the far end's window can start with its first byte. A plain peer has no
  // channel on this stream, so it never sees either.
  if (channel == kWre) {
    sayHello();
    sendFileAck();
  }
}

void Peer::onChannelClose(int channel) {
  Outbox::Scope scope(outbox_);
  if (closed() || channel < 0 || channel >= kChannelCount) return;
  scheduler_.onClose(channel);
  watchReplayAcks();  // without `wre` no counts come: the watch decides how long to wait
  if (kChannels[channel].user) events_.onEvent(event::ChannelClose{channel});
  // The browser closed it (ours close only with the connection): the association is gone (the far
  // page went away, or Firefox gave up on ICE). Only a rebuilt connection carries data again.
  channelsLost_ = true;
  if (state_ == PeerState::Connected) onLinkLost(true);
}

void Peer::onChannelError(int channel, const std::string& message) {
  Outbox::Scope scope(outbox_);
  if (closed() || channel < 0 || channel >= kChannelCount) return;
  if (kChannels[channel].user) events_.onEvent(event::ChannelError{channel, message});
}

void Peer::onBufferedAmountLow(int channel) {
  Outbox::Scope scope(outbox_);
  if (closed() || channel < 0 || channel >= kChannelCount) return;
  scheduler_.drain();
  watchDrain();
}

Peer::Arrival Peer::onUserMessage(int channel, size_t size) {
  Outbox::Scope scope(outbox_);
  if (closed() || channel < 0 || channel >= kUserChannels) return Arrival::Drop;
  onHeard();
  userBytesSinceProbe_ += size;
  if (channel == kFile)
    return transfers_.onFileArrival(size) == Transfers::Arrival::Deliver ? Arrival::Deliver : Arrival::Keep;
  countDelivered(channel, size);
  return Arrival::Deliver;
}

Result<void> Peer::send(int channel, Payload payload) {
  Outbox::Scope scope(outbox_);
  if (closed()) return failCall(ErrorKind::Send, "send() called after close()");
  if (channel < 0 || channel >= kUserChannels)
    return failCall(ErrorKind::Send, format("send(): unknown channel id {}", channel));
  size_t size = payload.size();
  if (auto sent = scheduler_.send(channel, std::move(payload)); !sent)
    return failCall(sent.error().kind, sent.error().message);
  userBytesSinceProbe_ += size;
  if (scheduler_.queue().bytes() > 0) {
    watchDrain();
    if (channel == kFile) watchFileAcks();
    watchReplayAcks();
  }
  return ok();
}

// ---- timers, errors, close ----

RequestId Peer::startRequest(Op op) {
  RequestId id = nextRequest_++;
  pending_[id] = op;
  return id;
}

TimerId Peer::startTimer(TimerKind kind, double delayMs) {
  TimerId id = nextTimer_++;
  timers_[id] = kind;
  driver_.setTimer(id, delayMs);
  return id;
}

void Peer::cancelTimers() {
  for (const auto& [id, _] : timers_) driver_.cancelTimer(id);
  timers_.clear();
}

void Peer::cancelTimers(TimerKind kind) {
  for (auto it = timers_.begin(); it != timers_.end();) {
    if (it->second == kind) {
      driver_.cancelTimer(it->first);
      it = timers_.erase(it);
    } else {
      ++it;
    }
  }
}

bool Peer::hasTimer(TimerKind kind) const {
  for (const auto& [_, k] : timers_)
    if (k == kind) return true;
  return false;
}

void Peer::onTimer(TimerId id) {
  Outbox::Scope scope(outbox_);
  auto it = timers_.find(id);
  if (it == timers_.end() || closed()) return;
  TimerKind kind = it->second;
  timers_.erase(it);
  switch (kind) {
    case TimerKind::ConnectionTimeout:
      if (state_ != PeerState::Connected) {
        emitError(ErrorKind::ConnectionTimeout,
                  format("not connected within connectionTimeout ({} ms)", config_.connectionTimeout));
        setState(PeerState::Failed);
      }
      break;
    case TimerKind::DisconnectGrace:
      if (state_ == PeerState::Disconnected) beginReconnect();
      break;
    case TimerKind::ReconnectAttempt:
      runAttempt();
      break;
    case TimerKind::ReconnectGiveUp:
      giveUp();
      break;
    case TimerKind::MetricsTick:
      onMetricsTick();
      break;
    case TimerKind::Probe:
      onProbeTick();
      break;
    case TimerKind::HeartbeatCheck:
      checkHeartbeat(driver_.nowMs(), std::numeric_limits<double>::infinity());
      break;
    case TimerKind::FileAckStall:
      onFileAckStall();
      break;
    case TimerKind::ReplayAckStall:
      onReplayAckStall();
      break;
    case TimerKind::TransferWait:
      onTransferWait();
      break;
    case TimerKind::DrainWatch:
      scheduler_.drain();  // asks the browser for its buffer when the estimate says full
      watchDrain();
      break;
  }
}

void Peer::emitError(ErrorKind kind, std::string message) {
  events_.onEvent(event::ErrorRaised{makeError(kind, std::move(message))});
}

Error Peer::refuse(ErrorKind kind, std::string message) {
  Outbox::Scope scope(outbox_);
  return failCall(kind, std::move(message));
}

Error Peer::failCall(ErrorKind kind, std::string message) {
  Error error = makeError(kind, std::move(message));
  events_.onEvent(event::ErrorRaised{error});
  return error;
}

void Peer::close() {
  Outbox::Scope scope(outbox_);
  if (closed()) return;
  sayBye();
  shutDown(CloseReason::Local);
}

void Peer::sayBye() {
  if (farSideIsLibrary_ && scheduler_.isOpen(kWre)) (void)driver_.sendBytes(kWre, kBye);
}

void Peer::shutDown(CloseReason reason) {
  // Nothing the peer had still to say reaches the app after the close, except its requests' fates.
  outbox_.seal(sink_);
  cancelTimers();
  driver_.close();
  bool local = reason == CloseReason::Local;
  const char* who = local ? "close()" : "the far side's close";
  auto [dropped, bytes] = scheduler_.discard();
  transfers_.endAll(TransferFailure::Closed, local ? "the peer was closed" : "the far side closed the peer");
  // What the replay store held went to the browser but was not confirmed delivered. On a working
  // link that is only the far side's last counts not yet here (reporting it would cry wolf on every
  // close); with the link down it is what a rebuild would have replayed: reported.
  auto [unconfirmed, unconfirmedBytes] = scheduler_.releaseReplay();
  if (state_ == PeerState::Connected) unconfirmed = 0;
  std::string sentPart =
      format("{} sent messages ({} bytes) the far side had not confirmed delivering", unconfirmed, unconfirmedBytes);
  if (dropped > 0)
    emitError(ErrorKind::Send,
              format("{} discarded {} queued messages ({} bytes) that were never sent{}{}", who, dropped, bytes,
                     unconfirmed > 0 ? ", and " : "", unconfirmed > 0 ? sentPart : std::string()));
  else if (unconfirmed > 0)
    emitError(ErrorKind::Send, format("{} discarded {}", who, sentPart));
  heldCandidates_.clear();
  heldBytes_ = 0;
  fileDelivered_ = fileAckSent_ = 0;
  delivered_ = countsSent_ = DeliveredCounts{};
  farSession_.reset();
  for (const auto& [id, _] : pending_)
    events_.onEvent(event::RequestFailed{
        id, makeError(ErrorKind::InvalidState, local ? "the peer was closed" : "the far side closed the peer")});
  pending_.clear();
  PeerState from = state_;
  state_ = PeerState::Closed;
  events_.onEvent(event::StateChange{from, PeerState::Closed});
  events_.onEvent(event::Closed{reason});
}

}  // namespace wre
