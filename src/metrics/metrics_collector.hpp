// Turns getStats() samples and probe results into ConnectionMetrics and a quality grade.
// Probe figures win where there are any (a data-only link has no RTP loss or jitter counters);
// otherwise it falls back to what getStats gives and says so in the *Source fields.
#pragma once

#include <deque>
#include <optional>

#include "metrics/connection_metrics.hpp"
#include "metrics/emodel.hpp"
#include "metrics/jitter_estimator.hpp"
#include "metrics/loss_counter.hpp"
#include "metrics/quality.hpp"
#include "metrics/quality_tracker.hpp"
#include "metrics/rtt_estimator.hpp"
#include "metrics/sent_probe_ring.hpp"
#include "metrics/stats_record.hpp"

namespace wre {

class MetricsCollector {
 public:
  // Loss is measured over the probes of roughly this long a stretch (enough probes to mean something).
  static constexpr double kLossWindowMs = 10000;

  explicit MetricsCollector(QualityThresholds thresholds = {}) : thresholds_(thresholds) {}

  // The far side holds our probe until its next probe tick (50 ms), or longer while its probes
  // pause for the app's data (Peer::kProbeQuietHoldMs, 2 s); a hold claimed longer than this is
  // no RTT sample (untrusted input; a stalled timer).
  static constexpr double kMaxEchoHoldMs = 5000;
  // The far side stamps probes with its performance.now() (ms since its page loaded): never
  // negative, and nowhere near 2^53 (the last integer a JS number holds exactly, 285 000 years).
  static constexpr double kMaxTimestampMs = 9007199254740992.0;

  // We sent a probe stamped `sentMs` (our clock): only its echo can be a round-trip sample.
  void onProbeSent(double sentMs);
  // A probe from the far side arrived (sender clock `sentMs`, our clock `nowMs`). An arrival for
  // loss when the loss counter accepts its sequence number (not a replay, not an implausible jump);
  // a jitter sample only if its timestamp is plausible too; true then, and only then is it worth
  // echoing. (A packet that arrived was not lost, whatever it says about its time.)
  bool onProbe(uint32_t seq, double sentMs, double nowMs);
  // The far side echoed our probe stamped `echoSentMs` after holding it `echoHoldMs` (< 0: no
  // echo). A round-trip sample only if that probe is one of ours not echoed before, the hold is
  // plausible and the round trip within RttEstimator's bounds.
  void onEcho(double echoSentMs, double echoHoldMs, double nowMs);
  // A getStats() sample: counters, rates, STUN RTT; then the figures and the grade move on.
  // `sendBufferBusy`: the send buffer was draining under load since the last one (for bandwidth).
  void onStats(const StatsRecord& record, bool sendBufferBusy);
  // The connection was rebuilt (session resume): the new one's counters start at zero; the peer's
  // byte and packet totals go on from where they were, and no rate spans the two connections.
  void onConnectionReplaced();
  // A metrics tick without a sample (no one wants the counters): the probes' figures and the
  // grade move on, the counters hold.
  void onTick(double nowMs);

  const ConnectionMetrics& metrics() const { return metrics_; }
  QualityGrade quality() const { return tracker_.grade(); }
  struct QualityChange {
    QualityGrade previous, current;
  };
  // Set by onStats when the (hysteresis-filtered) grade changed; cleared by the reader.
  std::optional<QualityChange> takeQualityChange();
  // The link showed something worth measuring closely since the last call (ProbePlan): a probe
  // lost, figures that grade below excellent, or an RTT sample more than kRttJumpMs and more than
  // the smoothed RTT itself away from it. (Not smaller swings: a busy page's own stalls show as
  // those, and dense probes would only make the page busier.) Cleared by the reader.
  bool takeTrouble();
  static constexpr double kRttJumpMs = 50;

 private:
  void computeLoss(double nowMs);
  void updateFigures(double nowMs);

  QualityThresholds thresholds_;
  RttEstimator probeRtt_;
  RttEstimator stunRtt_;
  SentProbeRing sentProbes_;
  JitterEstimator jitter_;
  LossCounter loss_;
  std::deque<std::pair<double, LossSnapshot>> lossHistory_;  // (time, snapshot) per stats sample
  std::optional<StatsRecord> previous_;
  // Totals of the connections this peer had before the current one.
  struct Carried {
    double bytesSent = 0, bytesReceived = 0, packetsSent = 0, packetsReceived = 0;
  } carried_;
  std::optional<double> consentLoss_;  // unanswered consent checks between the last two samples
  EModel emodel_;
  QualityTracker tracker_;
  std::optional<QualityChange> changed_;
  uint64_t lostSeen_ = 0;  // loss_.lost() when last looked at
  bool trouble_ = false;
  ConnectionMetrics metrics_;
};

}  // namespace wre
