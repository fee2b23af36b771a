// What `metrics` / getMetrics() report: the guide's seven numbers (always finite) plus where
// each figure came from and the extras a data-only link can honestly give.
#pragma once

#include <string>

namespace wre {

struct ConnectionMetrics {
  double bytesReceived = 0, bytesSent = 0;
  double packetsReceived = 0, packetsSent = 0;
  // Estimated: lossRate × packetsReceived, so packetsLost / packetsReceived is the measured loss.
  double packetsLost = 0;
  double roundTripTime = 0;  // seconds
  double jitter = 0;         // seconds
  double lossRate = 0;       // 0..1
  // Sources: "probe" (our own probes, between two peers of this library), "stun" (consent-check
  // round trips), "consent-checks" (unanswered checks), "stun-rtt-variation", or "none".
  std::string rttSource = "none", jitterSource = "none", lossSource = "none";
  std::string localCandidateType, remoteCandidateType;
  double bytesPerSecondSent = 0, bytesPerSecondReceived = 0;
  double messagesPerSecondSent = 0, messagesPerSecondReceived = 0;
  double availableBandwidth = 0;  // bits/s; 0 when unknown
  std::string bandwidthSource = "none";
  double mos = 0;  // 1..4.5 from the E-model; 0 before the first sample
  double timestampMs = 0;
};

}  // namespace wre
