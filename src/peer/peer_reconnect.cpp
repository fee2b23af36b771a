// Reconnection: when the link is lost the peer waits a short grace period (`disconnected`) or
// not at all (`failed`), then makes up to reconnectMaxAttempts attempts on the backoff
// schedule: ICE restarts, or rebuilds of the connection once a restart cannot help (needsRebuild).
// Only the side that made the first offer restarts (it sends `renegotiation-needed`); the answering
// side rebuilds when an offer comes from a new RTCPeerConnection, and keeps the same schedule as
// a deadline, so a far side that is gone ends in `reconnect-failed` rather than a hang. Glare
// cannot happen: the answerer never offers.

#include "peer/peer.hpp"
#include "reconnect/backoff.hpp"

namespace wre {
namespace {

BackoffPolicy policyOf(const Config& c) {
  return {c.reconnectBaseDelay, c.reconnectMaxDelay, c.reconnectJitter, c.reconnectMaxAttempts};
}

}  // namespace

void Peer::onLinkLost(bool failedOutright) {
  setState(failedOutright ? PeerState::Failed : PeerState::Disconnected);
  if (!everConnected_ || reconnecting_) return;  // the initial attempt is bounded by connectionTimeout
  if (failedOutright) {
    cancelTimers(TimerKind::DisconnectGrace);
    beginReconnect();
  } else if (!hasTimer(TimerKind::DisconnectGrace)) {
    startTimer(TimerKind::DisconnectGrace, kDisconnectGraceMs);
  }
}

void Peer::onLinkBack() {
  // Connection timeout, grace, attempts, give-up: all moot now.
  for (auto kind : {TimerKind::ConnectionTimeout, TimerKind::DisconnectGrace, TimerKind::ReconnectAttempt,
                    TimerKind::ReconnectGiveUp})
    cancelTimers(kind);
  everConnected_ = true;
  reconnecting_ = false;
  rebuiltSinceUp_ = false;
  restartsSinceUp_ = 0;
  heartbeatLost_ = false;
  attempt_ = 0;
  heartbeat_.heard(driver_.nowMs());  // the heartbeat's silence counts from now
  plan_.onLinkUp(driver_.nowMs());
  setState(PeerState::Connected);
  scheduler_.drain();
  startTicking();
  watchFileAcks();
  watchDrain();
}

void Peer::beginReconnect() {
  if (config_.reconnectMaxAttempts == 0) {
    events_.onEvent(event::ReconnectFailed{0});
    setState(PeerState::Failed);
    return;
  }
  reconnecting_ = true;
  attempt_ = 0;
  scheduleNextAttempt();
}

void Peer::scheduleNextAttempt() {
  BackoffPolicy policy = policyOf(config_);
  if (attempt_ >= policy.maxAttempts) {
    // The last attempt gets the window the next one would have had (without jitter).
    startTimer(TimerKind::ReconnectGiveUp, backoffDelayMs(policy, attempt_ + 1, 0));
    return;
  }
  double delay = backoffDelayMs(policy, attempt_ + 1, driver_.random01());
  events_.onEvent(event::ReconnectScheduled{delay, attempt_ + 1});
  startTimer(TimerKind::ReconnectAttempt, delay);
}

void Peer::runAttempt() {
  ++attempt_;
  events_.onEvent(event::ReconnectAttempt{attempt_});
  if (role_ == Role::Offerer) {
    setState(PeerState::Connecting);
    if (!needsRebuild()) {
      ++restartsSinceUp_;
      restartIce();
    } else if (rebuildOfferPending()) {
      // The last rebuild's offer went out a moment ago and waits for its answer (timers that fired
      // late, in a burst): a new connection now would throw that answer away. This attempt waits.
    } else if (auto rebuilt = rebuildConnection(); rebuilt) {
      // Offered like an ICE restart: the same `renegotiation-needed` path the app carries.
      driver_.createOffer(startRequest(Op::RestartOffer), false);
      rebuiltAtMs_ = driver_.nowMs();
    } else {
      emitError(ErrorKind::IceRestart, "rebuilding the connection failed: " + rebuilt.error().message);
    }
  }
  scheduleNextAttempt();
}

Result<void> Peer::rebuildConnection() {
  driver_.close();  // no callback of the old connection arrives after this
  // Its requests never settle now. A held-up candidate belonged to it: done, nothing to add. The
  // app's offer/answer calls fail (their descriptions are of the old connection).
  for (const auto& [id, op] : pending_) {
    if (op == Op::Candidate) {
      events_.onEvent(event::RequestDone{id, std::nullopt});
    } else if (op != Op::Stats && op != Op::RestartOffer) {
      Error error = makeError(ErrorKind::InvalidState, "the connection was rebuilt before this call completed");
      events_.onEvent(event::RequestFailed{id, error});
    }
  }
  pending_.clear();
  statsInFlight_ = false;
  for (const auto& spec : kChannels) {
    if (!scheduler_.isOpen(spec.id)) continue;
    scheduler_.onClose(spec.id);
    if (spec.user) events_.onEvent(event::ChannelClose{spec.id});
  }
  scheduler_.onConnectionReplaced();
  // Counted channels wait for the far side's counts on the new one (kept: replayed; handed
  // before keeping began: reported), also when its first counts have not come yet but will.
  scheduler_.holdForResume(farSideIsLibrary_ && farSession_.has_value());
  transfers_.onConnectionReplaced();
  channelsLost_ = false;
  rebuiltSinceUp_ = true;
  browserConnected_ = false;
  signaling_ = Signaling::Stable;
  remoteDescriptionSet_ = false;
  heldCandidates_.clear();
  heldBytes_ = 0;
  remoteSessionTag_.clear();
  // `file` acknowledgements count per connection: the far side's window restarts with the channel.
  fileDelivered_ = fileAckSent_ = 0;
  toEcho_.reset();
  metrics_.onConnectionReplaced();
  pairCounters_ = {};
  WRE_TRY(driver_.createPeerConnection(config_));
  for (const auto& spec : kChannels) driver_.createChannel(spec, scheduler_.lowThreshold(spec.id));
  return ok();
}

void Peer::giveUp() {
  reconnecting_ = false;
  events_.onEvent(event::ReconnectFailed{attempt_});
  setState(PeerState::Failed);
}

void Peer::restartIce() {
  // The far side's new candidates carry a new ufrag the browser only knows once the answer is
  // set: hold them until then.
  remoteDescriptionSet_ = false;
  driver_.createOffer(startRequest(Op::RestartOffer), true);
}

void Peer::onNetworkChange() {
  Outbox::Scope scope(outbox_);
  if (closed()) return;
  if (hasTimer(TimerKind::DisconnectGrace)) {
    cancelTimers(TimerKind::DisconnectGrace);
    beginReconnect();
  }
  if (reconnecting_ && hasTimer(TimerKind::ReconnectAttempt)) {
    cancelTimers(TimerKind::ReconnectAttempt);
    runAttempt();
  }
}

}  // namespace wre
