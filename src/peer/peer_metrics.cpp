// Metrics: a getStats() sweep every metricsInterval while connected, and what the far side's
// probes tell (peer_liveness.cpp sends ours). The `wre` channel also carries the
// acknowledgements of receiver-paced flow control on `file`, and the far side's `bye` when it
// closes.
#include <fmt/compile.h>
#include <fmt/format.h>

#include "metrics/probe_codec.hpp"
#include "metrics/stats_summary.hpp"
#include "peer/peer.hpp"
#include "peer/wre_messages.hpp"
#include "session/session_codec.hpp"

namespace wre {

void Peer::watchFileAcks() {
  if (!scheduler_.fileHeldByWindow() || hasTimer(TimerKind::FileAckStall)) return;
  ackedAtWatch_ = scheduler_.fileWindow().acked();
  startTimer(TimerKind::FileAckStall, kFileAckStallMs);
}

void Peer::onFileAckStall() {
  if (!scheduler_.fileHeldByWindow()) return;
  // Reconnecting (no acks can come), or acks still arriving: keep watching. A far side that takes
  // transfers acknowledges what its sinks wrote: a slow sink (a save dialog left open) is no stall.
  if (state_ != PeerState::Connected || scheduler_.fileWindow().acked() != ackedAtWatch_ ||
      transfers_.farTakesTransfers())
    return watchFileAcks();
  emitError(ErrorKind::Send,
            fmt::format(FMT_COMPILE("the far end acknowledged no 'file' data for {} ms with {} bytes in flight; "
                                    "'file' goes on without its receiver-paced window, bounded by the browser's "
                                    "buffer alone (is the far end a modified or stalled copy of this library?)"),
                        kFileAckStallMs, scheduler_.fileWindow().inFlight()));
  scheduler_.abandonFileWindow();
}

void Peer::onLibraryMessage(int channel, std::string_view bytes) {
  Outbox::Scope scope(outbox_);
  if (closed()) return;
  onHeard();
  if (channel == kWre) {
    if (decodeHello(bytes)) {  // any version: a later one may say more than we read
      if (farSideIsLibrary_) return;
      farSideIsLibrary_ = true;
      // File data delivered before we knew: acknowledged now rather than at the next step.
      if (fileDelivered_ != fileAckSent_) sendFileAck();
      if (state_ == PeerState::Connected) startTicking();
    } else if (bytes == kBye) {
      if (farSideIsLibrary_) shutDown(CloseReason::RemoteClosed);  // before a hello: not ours, ignored
    } else if (auto session = decodeSession(bytes)) {
      if (farSideIsLibrary_) onFarSession(*session);
    } else if (auto counts = decodeCounts(bytes)) {
      // Counts mean something only once we know whose session they count (sent after our 'S').
      if (farSideIsLibrary_ && farSession_) {
        auto lost = scheduler_.onDeliveredCounts(*counts);
        if (uint64_t n = lost[0] + lost[1] + lost[2]; n > 0)
          emitError(ErrorKind::Send,
                    fmt::format(FMT_COMPILE("the connection was rebuilt and {} messages sent before the far "
                                            "side first confirmed deliveries (control {}, reliable {}, file {}) "
                                            "were not delivered; they were not kept for replay"),
                                n, lost[0], lost[1], lost[2]));
        watchReplayAcks();
      }
    } else if (auto delivered = decodeAck(bytes); delivered && farSideIsLibrary_) {
      scheduler_.onFileAck(*delivered);
      watchFileAcks();
    } else if (auto transfer = wire::decodeTransfer(bytes); transfer && farSideIsLibrary_ && farSession_) {
      transfers_.onMessage(*transfer);
    }
    return;
  }
  if (channel != kWreProbe || !farSideIsLibrary_) return;
  auto probe = decodeProbe(bytes);
  if (!probe) return;  // not ours: ignore rather than trust
  double now = driver_.nowMs();
  // Untrusted: the collector keeps what is plausible (metrics_collector.hpp). Only a probe it
  // counted is echoed back: a replay or a garbage timestamp is not ours to return.
  if (metrics_.onProbe(probe->seq, probe->sentMs, now)) toEcho_ = EchoDue{probe->sentMs, now};
  metrics_.onEcho(probe->echoSentMs, probe->echoHoldMs, now);
  if (probe->query) answerQuery(now);
}

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
