// Interarrival jitter of probe messages, as RFC 3550 section 6.4.1 defines it for RTP:
//   D(i,j) = (Rj - Ri) - (Sj - Si),   J += (|D| - J) / 16
// S is the sender's timestamp, R the local arrival time. Only differences of each clock are used,
// so the two clocks need not agree (a constant offset cancels out).
#pragma once

#include <cstdint>

namespace wre {

class JitterEstimator {
 public:
  // One received probe: the sender's timestamp and our arrival time, both in seconds.
  // Feed probes in arrival order (as RFC 3550 does), not sequence order. The first sample only
  // sets the reference. Non-finite values are ignored so one bad probe cannot poison J.
  void addSample(double sentS, double arrivedS);

  double jitterS() const { return jitter_; }
  double jitterMs() const { return jitter_ * 1000.0; }
  std::uint64_t sampleCount() const { return samples_; }
  void reset() { *this = JitterEstimator(); }

 private:
  double jitter_ = 0.0;
  double lastTransit_ = 0.0;  // R - S of the previous sample (includes the clock offset)
  std::uint64_t samples_ = 0;
};

}  // namespace wre
