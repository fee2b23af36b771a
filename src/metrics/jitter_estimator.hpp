// Interarrival jitter of probe messages, as RFC 3550 section 6.4.1 defines it for RTP:
//   D(i,j) = (Rj - Ri) - (Sj - Si),   J += (|D| - J) / 16
// S is the sender's timestamp, R the local arrival time. Only differences of each clock are used,
// so the two clocks need not agree (a constant offset cancels out).
// S comes from the far end and is untrusted: a |D| no live link shows is no sample (see
// kMaxTransitDeltaS), so garbage times can cost samples but never move J.
#pragma once

#include <cstdint>
#include <optional>

namespace wre {

class JitterEstimator {
 public:
  // A transit time that changed by more than this between two consecutive probes would have been
  // a silence of that long on a link carrying a probe every 50 ms, which the library's heartbeat
  // (default heartbeatTimeout 3 s) reports as a lost link rather than as jitter.
  static constexpr double kMaxTransitDeltaS = 3.0;

  // One received probe: the sender's timestamp and our arrival time, both in seconds.
  // Feed probes in arrival order (as RFC 3550 does), not sequence order. The first sample only
  // sets the reference. Non-finite values are ignored so one bad probe cannot poison J, and so is
  // a sample whose |D| exceeds kMaxTransitDeltaS. Two such samples in a row that agree with each
  // other (the far side's clock stepped) become the new reference, still without moving J.
  void addSample(double sentS, double arrivedS);

  double jitterS() const { return jitter_; }
  double jitterMs() const { return jitter_ * 1000.0; }
  // Samples taken (the reference included); dropped ones are not counted.
  std::uint64_t sampleCount() const { return samples_; }
  std::uint64_t dropped() const { return dropped_; }
  void reset() { *this = JitterEstimator(); }

 private:
  double jitter_ = 0.0;
  double lastTransit_ = 0.0;       // R - S of the previous sample (includes the clock offset)
  std::optional<double> outlier_;  // transit of the last dropped sample, if the one just before
  std::uint64_t samples_ = 0;
  std::uint64_t dropped_ = 0;
};

}  // namespace wre
