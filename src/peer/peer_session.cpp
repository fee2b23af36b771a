// Session resume, the peer's part (README, "Session resume"): the hello exchange says which
// session each side is, the receiver counts what it delivers per counted channel and tells the
// far side on `wre`, and the sender's replay store (queue/replay_store.hpp) lets go of what the
// counts cover. After a rebuild the far side's first counts say where to resume
// (SendScheduler::onDeliveredCounts), or its new session id ends the old session (endSession).

#include "metrics/probe_codec.hpp"
#include "peer/peer.hpp"
#include "peer/wre_messages.hpp"
#include "util/text.hpp"

namespace wre {

void Peer::sayHello() {
  // The released hello, byte for byte (older copies compare it exactly), then who we are.
  (void)driver_.sendBytes(kWre, kHello);
  (void)driver_.sendBytes(kWre, encodeSession(sessionId_));
  transfers_.sayHello();
}

void Peer::onFarSession(uint64_t id) {
  if (farSession_ && *farSession_ != id) {
    // A new session (the far page reloaded): the old one is over. Its counts mean nothing to the
    // new one, and nothing kept for the old one may reach the new one.
    auto end = scheduler_.endSession();
    if (end.unconfirmed + end.queued > 0)
      emitError(ErrorKind::Send,
                format("the far side came back as a new session: {} sent messages ({} bytes) the old "
                       "session had not confirmed delivering, and {} messages ({} bytes) queued for it "
                       "before the connection was rebuilt, are not delivered to the new one",
                       end.unconfirmed, end.unconfirmedBytes, end.queued, end.queuedBytes));
    delivered_ = countsSent_ = DeliveredCounts{};
    bytesSinceCounts_ = 0;
    transfers_.endAll(TransferFailure::Closed, "the far side came back as a new session (its page reloaded)");
  }
  farSession_ = id;
  transfers_.setSessions(sessionId_, farSession_);
  // Every session message is answered with our counts: the first tells the far side we count (it
  // starts keeping); after a new `wre` (a rebuilt connection) they say where to resume.
  sendCounts();
}

void Peer::countDelivered(int channel, size_t size) {
  int i = countedIndex(channel);
  if (i < 0) return;
  ++delivered_[i];
  bytesSinceCounts_ += size;
  if (!farSession_) return;  // counted all the same: the first counts message carries them
  uint64_t since = 0;
  for (size_t k = 0; k < delivered_.size(); ++k) since += delivered_[k] - countsSent_[k];
  if (since >= kCountStep || bytesSinceCounts_ >= kCountStepBytes) sendCounts();
}

void Peer::sendCounts() {
  // Not sent (the channel closing): the next delivery or probe tick tries again.
  if (!driver_.sendBytes(kWre, encodeCounts(delivered_))) return;
  countsSent_ = delivered_;
  bytesSinceCounts_ = 0;
}

uint64_t Peer::replayAckedTotal() const {
  const auto& store = scheduler_.replay();
  return store.acked(0) + store.acked(1) + store.acked(2);
}

void Peer::watchReplayAcks() {
  if (!scheduler_.heldByReplay() || hasTimer(TimerKind::ReplayAckStall)) return;
  replayAckedAtWatch_ = replayAckedTotal();
  startTimer(TimerKind::ReplayAckStall, kReplayAckStallMs);
}

void Peer::onReplayAckStall() {
  if (!scheduler_.heldByReplay()) return;
  // Reconnecting (no counts can come: all is kept for the rebuild), or counts still arriving: keep
  // watching. A peer that gave up (`failed`) keeps nothing for a rebuild that will not come: its
  // open channels must not stay stuck behind counts that never arrive (found by the stress test).
  // Up again only just now (a flapping link): its counts have not had the time to come.
  bool linkMayReturn = reconnecting_ || state_ == PeerState::Disconnected || state_ == PeerState::Connecting ||
                       (state_ == PeerState::Connected && driver_.nowMs() - connectedAtMs_ < kReplayAckStallMs);
  if (linkMayReturn || replayAckedTotal() != replayAckedAtWatch_) return watchReplayAcks();
  bool resuming = scheduler_.awaitingResume();
  auto [messages, bytes] = scheduler_.abandonReplay();
  if (messages == 0 && resuming) {
    // Nothing was kept, only the queues waited for where to resume: say that, not "0 messages".
    emitError(ErrorKind::Send, format("the far side sent no delivered counts for {} ms after the connection "
                                      "was rebuilt; sending goes on without session resume",
                                      kReplayAckStallMs));
    return;
  }
  emitError(ErrorKind::Send,
            format("the far side confirmed no delivered messages for {} ms while {} sent messages "
                   "({} bytes) waited for it; they are no longer kept for replay and sending goes on "
                   "without session resume (is the far side a modified or stalled copy of this library?)",
                   kReplayAckStallMs, messages, bytes));
}

}  // namespace wre
