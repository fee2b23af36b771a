// Metrics: a getStats() sweep every metricsInterval while connected, and what the far side's
// probes tell (peer_liveness.cpp sends ours, peer_wre.cpp hands theirs over).

#include "metrics/probe_codec.hpp"
#include "metrics/stats_summary.hpp"
#include "peer/peer.hpp"
#include "peer/wre_messages.hpp"
#include "session/session_codec.hpp"

namespace wre {

void Peer::onStats(RequestId id, const std::vector<StatsEntry>& report) {
  Outbox::Scope scope(outbox_);
  if (pending_.erase(id) == 0 || closed()) return;
  statsInFlight_ = false;
  bool busy = scheduler_.queue().bytes() > 0;
  metrics_.onStats(summarizeStats(report, driver_.nowMs(), &pairCounters_), busy);
  events_.onEvent(event::Metrics{metrics_.metrics()});
  reportQualityChange();
}

void Peer::onMetricsTick() {
  // A sweep when someone wants the counters; a plain far side's figures come from it alone.
  if (metricsWanted_ || !farSideIsLibrary_) {
    requestStats();
  } else {
    metrics_.onTick(driver_.nowMs());
    reportQualityChange();
  }
  startTick(TimerKind::MetricsTick, config_.metricsInterval);
}

void Peer::requestStats() {
  if (statsInFlight_) return;
  statsInFlight_ = true;
  lastSweepMs_ = driver_.nowMs();
  driver_.getStats(startRequest(Op::Stats));
}

void Peer::reportQualityChange() {
  if (auto change = metrics_.takeQualityChange())
    events_.onEvent(event::QualityChange{change->previous, change->current});
}

void Peer::setMetricsWanted(bool wanted) { metricsWanted_ = wanted; }

// No scope: it reports nothing, and the wrapper reads the metrics while it delivers events (a
// scope closing then would deliver the next ones out of order).
void Peer::onMetricsAsked() {
  if (closed() || !config_.metricsEnabled || state_ != PeerState::Connected) return;
  if (driver_.nowMs() - lastSweepMs_ >= kAskedSweepMs) requestStats();
}

}  // namespace wre
