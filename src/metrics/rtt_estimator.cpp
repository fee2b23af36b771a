#include "metrics/rtt_estimator.hpp"

#include <algorithm>
#include <cmath>

namespace wre {

namespace {
constexpr double kAlpha = 1.0 / 8.0;  // RFC 6298 gain for SRTT
constexpr double kBeta = 1.0 / 4.0;   // RFC 6298 gain for RTTVAR
}  // namespace

void RttEstimator::addSample(double rttMs) {
  if (!(rttMs >= 0.0 && rttMs <= kMaxRttMs)) return;  // also false for NaN
  if (samples_ == 0) {
    srtt_ = rttMs;
    rttvar_ = rttMs / 2.0;
    min_ = rttMs;
  } else {
    // RTTVAR first: it must use the SRTT from before this sample (RFC 6298 2.3).
    rttvar_ = (1.0 - kBeta) * rttvar_ + kBeta * std::fabs(srtt_ - rttMs);
    srtt_ = (1.0 - kAlpha) * srtt_ + kAlpha * rttMs;
    min_ = std::min(min_, rttMs);
  }
  latest_ = rttMs;
  ++samples_;
}

}  // namespace wre
