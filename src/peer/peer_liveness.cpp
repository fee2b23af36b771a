// Probes and the heartbeat. Once the far side has said hello on `wre`, each side probes on the
// unordered `wre-probe` channel: densely while the figures are being measured, sparsely otherwise
// (ProbePlan). Every probe is also a heartbeat: a peer of this library that has heard nothing at
// all from the far side for heartbeatTimeout takes the link for lost, exactly as if the browser
// had said `disconnected`, and hearing it again (while the browser still says `connected`) ends
// that (the verdict is Heartbeat's). Periodic ticks sit on the page clock's grid so that one
// wake-up serves every peer.
#include <cmath>

#include "metrics/probe_codec.hpp"
#include "peer/peer.hpp"

namespace wre {

TimerId Peer::startTick(TimerKind kind, double periodMs) {
  // Powers of two up to 1024 ms align on their own multiples; longer periods (a metricsInterval)
  // on multiples of 1024 ms, among the sparse probes' instants. Due at least half a grid step on.
  constexpr double kLongGridMs = 1024;
  double grid = periodMs <= kLongGridMs ? periodMs : kLongGridMs;
  if (grid < ProbePlan::kMinSparseMs || std::exp2(std::round(std::log2(grid))) != grid)
    return startTimer(kind, periodMs);
  double now = driver_.nowMs();
  double due = std::ceil((now + periodMs - grid / 2) / grid) * grid;
  return startTimer(kind, due - now);
}

// A far side of this library may judge the link by our probes (its heartbeat): they always flow,
// sparse at least, whatever our own config.
bool Peer::probing() const { return farSideIsLibrary_; }

void Peer::startTicking() {
  if (config_.metricsEnabled && !hasTimer(TimerKind::MetricsTick))
    startTick(TimerKind::MetricsTick, config_.metricsInterval);
  if (probing() && !hasTimer(TimerKind::Probe)) armProbeTick(driver_.nowMs());
}

void Peer::armProbeTick(double nowMs) {
  if (config_.metricsEnabled && plan_.dense(nowMs))
    startTimer(TimerKind::Probe, ProbePlan::kDenseMs);
  else
    startTick(TimerKind::Probe, ProbePlan::sparsePeriod(config_.heartbeatTimeout));
}

void Peer::onProbeTick() {
  double now = driver_.nowMs();
  if (metrics_.takeTrouble()) plan_.onTrouble(now);
  // The app's data is flowing: dense probes wait (kProbeQuietBytes), the heartbeat's do not.
  if (userBytesSinceProbe_ >= kProbeQuietBytes || scheduler_.queue().bytes() > 0)
    quietUntilMs_ = now + kProbeQuietHoldMs;
  userBytesSinceProbe_ = 0;
  double sparse = ProbePlan::sparsePeriod(config_.heartbeatTimeout);
  bool heartbeatDue = now - lastProbeMs_ >= sparse - ProbePlan::kDenseMs / 2;
  if (now >= quietUntilMs_ || heartbeatDue) sendProbe(now);
  // Counts not yet sent because fewer than a step were delivered: now (nothing when unchanged).
  if (countsDue()) sendCounts();
  armProbeTick(now);
  checkHeartbeat(now, plan_.dense(now) ? ProbePlan::kDenseMs : sparse);
}

void Peer::sendProbe(double nowMs, bool query) {
  if (!scheduler_.isOpen(kWreProbe)) return;
  // Through an outage too: the heartbeat must hear the link come back.
  if (state_ == PeerState::New || (state_ == PeerState::Failed && !reconnecting_)) return;
  LinkProbe probe{probeSeq_++, nowMs};
  probe.query = query;
  if (toEcho_) {
    probe.echoSentMs = toEcho_->sentMs;
    probe.echoHoldMs = nowMs - toEcho_->arrivedMs;
    toEcho_.reset();
  }
  lastProbeMs_ = nowMs;
  metrics_.onProbeSent(nowMs);  // only an echo of a probe we sent is a round trip
  // Best effort by design: a refused probe is a lost probe.
  (void)driver_.sendBytes(kWreProbe, encodeProbe(probe));
}

void Peer::onHeard() {
  heartbeat_.heard(driver_.nowMs());
  // Our heartbeat took the link for lost while the browser never did: hearing it ends that.
  if (heartbeatLost_ && browserConnected_) onLinkBack();
}

void Peer::checkHeartbeat(double nowMs, double nextTickMs) {
  if (config_.heartbeatTimeout <= 0 || !farSideIsLibrary_ || heartbeatLost_ || state_ != PeerState::Connected) return;
  Heartbeat::Verdict verdict = heartbeat_.check(nowMs, nextTickMs);
  if (verdict.lost) {
    heartbeatLost_ = true;
    onLinkLost(false);
    return;
  }
  if (verdict.query) sendProbe(nowMs, true);
  if (verdict.checkInMs && !hasTimer(TimerKind::HeartbeatCheck))
    startTimer(TimerKind::HeartbeatCheck, *verdict.checkInMs);
}

void Peer::answerQuery(double nowMs) {
  // At most one answer per dense probe interval, however often a (hostile) far side asks.
  if (nowMs - lastProbeMs_ >= ProbePlan::kDenseMs) sendProbe(nowMs);
}

}  // namespace wre
