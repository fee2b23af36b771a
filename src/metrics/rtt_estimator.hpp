// Smoothed round-trip time from probe echoes, using RFC 6298's estimator (section 2):
//   first sample R:  SRTT = R, RTTVAR = R/2
//   later samples:   RTTVAR = 3/4 RTTVAR + 1/4 |SRTT - R|,  SRTT = 7/8 SRTT + 1/8 R
// SRTT damps single outliers for display and quality grading; min and latest are kept too.
#pragma once

#include <cstdint>

namespace wre {

class RttEstimator {
 public:
  // Longer than any live path shows (bufferbloat on a congested cellular link reaches a few
  // seconds): a larger figure says something is broken or lying, not how far the far end is.
  static constexpr double kMaxRttMs = 10000;

  // One measured round trip in milliseconds. Negative, non-finite or over kMaxRttMs samples are
  // ignored (a clock step between send and echo, or a far end's garbage, must not corrupt SRTT).
  void addSample(double rttMs);

  bool hasSamples() const { return samples_ > 0; }
  std::uint64_t sampleCount() const { return samples_; }
  // All accessors return 0 until the first sample; check hasSamples().
  double smoothedMs() const { return srtt_; }
  double variationMs() const { return rttvar_; }
  double minMs() const { return min_; }
  double latestMs() const { return latest_; }
  void reset() { *this = RttEstimator(); }

 private:
  double srtt_ = 0.0;
  double rttvar_ = 0.0;
  double min_ = 0.0;
  double latest_ = 0.0;
  std::uint64_t samples_ = 0;
};

}  // namespace wre
