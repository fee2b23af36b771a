#include "metrics/metrics_collector.hpp"

#include <algorithm>
#include <cmath>

namespace wre {

void MetricsCollector::onProbeSent(double sentMs) { sentProbes_.add(sentMs); }

bool MetricsCollector::onProbe(uint32_t seq, double sentMs, double nowMs) {
  // A replay or a jump is no arrival; its timestamp would only pair with the wrong predecessor.
  if (!loss_.record(seq, nowMs)) return false;
  if (loss_.lost() > lostSeen_) trouble_ = true;
  lostSeen_ = loss_.lost();
  // It did arrive (no network loss), but a garbage timestamp is no jitter sample.
  if (!(sentMs >= 0 && sentMs <= kMaxTimestampMs)) return false;  // also false for NaN
  jitter_.addSample(sentMs / 1000.0, nowMs / 1000.0);
  return true;
}

void MetricsCollector::onEcho(double echoSentMs, double echoHoldMs, double nowMs) {
  if (echoHoldMs < 0) return;                  // nothing echoed
  if (!sentProbes_.take(echoSentMs)) return;   // not ours, or echoed before
  if (!(echoHoldMs < kMaxEchoHoldMs)) return;  // also NaN; the probe is spent either way
  double rtt = nowMs - echoSentMs - echoHoldMs;
  // A round trip far off the smoothed one: the path changed, measure it closely (sparse probes
  // would take many seconds to move the smoothed RTT). Smaller swings are a busy page's own noise.
  if (probeRtt_.hasSamples() && std::abs(rtt - probeRtt_.smoothedMs()) > std::max(kRttJumpMs, probeRtt_.smoothedMs()))
    trouble_ = true;
  probeRtt_.addSample(rtt);  // drops < 0 and > RttEstimator::kMaxRttMs
}

void MetricsCollector::computeLoss(double nowMs) {
  ConnectionMetrics& m = metrics_;
  if (loss_.expected() > 0) {
    lossHistory_.emplace_back(nowMs, loss_.snapshot());
    while (lossHistory_.size() > 2 && nowMs - lossHistory_[1].first >= kLossWindowMs) lossHistory_.pop_front();
    const LossSnapshot& from = lossHistory_.size() > 1 ? lossHistory_.front().second : LossSnapshot{};
    m.lossRate = intervalLossRate(from, loss_.snapshot());
    m.lossSource = MetricSource::Probe;
    return;
  }
  if (consentLoss_) {
    m.lossRate = *consentLoss_;
    m.lossSource = MetricSource::ConsentChecks;
  }
}

void MetricsCollector::onStats(const StatsRecord& r, bool sendBufferBusy) {
  ConnectionMetrics& m = metrics_;
  m.timestampMs = r.timestampMs;
  m.bytesSent = carried_.bytesSent + r.bytesSent;
  m.bytesReceived = carried_.bytesReceived + r.bytesReceived;
  m.packetsSent = carried_.packetsSent + r.packetsSent;
  m.packetsReceived = carried_.packetsReceived + r.packetsReceived;
  m.localCandidateType = r.localCandidateType;
  m.remoteCandidateType = r.remoteCandidateType;
  if (r.currentRoundTripTime >= 0) stunRtt_.addSample(r.currentRoundTripTime * 1000.0);
  // Consent checks the far side never answered, between the last two samples (no probes: a plain peer).
  if (previous_ && r.requestsSent > previous_->requestsSent) {
    double asked = r.requestsSent - previous_->requestsSent;
    double answered = r.responsesReceived - previous_->responsesReceived;
    consentLoss_ = std::clamp(1.0 - answered / asked, 0.0, 1.0);
  }
  if (previous_ && r.timestampMs > previous_->timestampMs) {
    double dt = (r.timestampMs - previous_->timestampMs) / 1000.0;
    m.bytesPerSecondSent = std::max(0.0, r.bytesSent - previous_->bytesSent) / dt;
    m.bytesPerSecondReceived = std::max(0.0, r.bytesReceived - previous_->bytesReceived) / dt;
    m.messagesPerSecondSent = std::max(0.0, r.messagesSent - previous_->messagesSent) / dt;
    m.messagesPerSecondReceived = std::max(0.0, r.messagesReceived - previous_->messagesReceived) / dt;
    // While our send buffer never ran dry, what left it is what the path could carry.
    if (sendBufferBusy) {
      m.availableBandwidth = m.bytesPerSecondSent * 8;
      m.bandwidthSource = MetricSource::BufferDrain;
    }
  }
  if (m.bandwidthSource != MetricSource::BufferDrain && r.availableOutgoingBitrate > 0) {
    m.availableBandwidth = r.availableOutgoingBitrate;
    m.bandwidthSource = MetricSource::Stun;
  }
  previous_ = r;
  updateFigures(r.timestampMs);
}

void MetricsCollector::onConnectionReplaced() {
  const ConnectionMetrics& m = metrics_;
  carried_ = {m.bytesSent, m.bytesReceived, m.packetsSent, m.packetsReceived};
  previous_.reset();
}

void MetricsCollector::onTick(double nowMs) { updateFigures(nowMs); }

void MetricsCollector::updateFigures(double nowMs) {
  ConnectionMetrics& m = metrics_;
  if (probeRtt_.hasSamples()) {
    m.roundTripTime = probeRtt_.smoothedMs() / 1000.0;
    m.rttSource = MetricSource::Probe;
  } else if (stunRtt_.hasSamples()) {
    m.roundTripTime = stunRtt_.smoothedMs() / 1000.0;
    m.rttSource = MetricSource::Stun;
  }
  if (jitter_.sampleCount() > 1) {
    m.jitter = jitter_.jitterS();
    m.jitterSource = MetricSource::Probe;
  } else if (stunRtt_.sampleCount() > 1) {
    m.jitter = stunRtt_.variationMs() / 2000.0;  // one-way share of the round-trip variation
    m.jitterSource = MetricSource::StunRttVariation;
  }
  computeLoss(nowMs);
  m.packetsLost = std::round(m.lossRate * m.packetsReceived);

  bool measured = m.rttSource != MetricSource::None;
  QualityGrade observed =
      measured ? gradeQuality(m.roundTripTime * 1000.0, m.lossRate, thresholds_) : QualityGrade::Unknown;
  if (measured) m.mos = emodel_.score(m.roundTripTime * 1000.0, m.jitter * 1000.0, m.lossRate).mos;
  if (observed != QualityGrade::Excellent && observed != QualityGrade::Unknown) trouble_ = true;
  QualityGrade before = tracker_.grade();
  if (tracker_.update(observed)) changed_ = QualityChange{before, tracker_.grade()};
}

bool MetricsCollector::takeTrouble() {
  bool seen = trouble_;
  trouble_ = false;
  return seen;
}

std::optional<MetricsCollector::QualityChange> MetricsCollector::takeQualityChange() {
  auto out = changed_;
  changed_.reset();
  return out;
}

}  // namespace wre
