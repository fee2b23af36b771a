// What `metrics` / getMetrics() report: the guide's seven numbers (always finite) plus where
// each figure came from and the extras a data-only link can honestly give.
#pragma once

#include <string>

namespace wre {

// Sources: our own probes (between two peers of this library), STUN consent-check round trips,
// unanswered consent checks, the variation of STUN round trips, our send buffer's drain rate.
enum class MetricSource { None, Probe, Stun, ConsentChecks, StunRttVariation, BufferDrain };

// As the app sees it: "none", "probe", "stun", "consent-checks", "stun-rtt-variation", "buffer-drain".
constexpr const char* toString(MetricSource s) {
  switch (s) {
    case MetricSource::Probe:
      return "probe";
    case MetricSource::Stun:
      return "stun";
    case MetricSource::ConsentChecks:
      return "consent-checks";
    case MetricSource::StunRttVariation:
      return "stun-rtt-variation";
    case MetricSource::BufferDrain:
      return "buffer-drain";
    case MetricSource::None:
      break;
  }
  return "none";
}

struct ConnectionMetrics {
  double bytesReceived = 0, bytesSent = 0;
  double packetsReceived = 0, packetsSent = 0;
  // Estimated: lossRate × packetsReceived, so packetsLost / packetsReceived is the measured loss.
  double packetsLost = 0;
  double roundTripTime = 0;  // seconds
  double jitter = 0;         // seconds
  double lossRate = 0;       // 0..1
  // Where each figure came from (metrics.sources in the guide).
  MetricSource rttSource = MetricSource::None, jitterSource = MetricSource::None, lossSource = MetricSource::None;
  std::string localCandidateType, remoteCandidateType;
  double bytesPerSecondSent = 0, bytesPerSecondReceived = 0;
  double messagesPerSecondSent = 0, messagesPerSecondReceived = 0;
  double availableBandwidth = 0;  // bits/s; 0 when unknown
  MetricSource bandwidthSource = MetricSource::None;
  double mos = 0;  // 1..4.5 from the E-model; 0 before the first sample
  double timestampMs = 0;
};

}  // namespace wre
