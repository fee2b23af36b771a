#include "metrics/jitter_estimator.hpp"

#include <cmath>

namespace wre {

void JitterEstimator::addSample(double sentS, double arrivedS) {
  const double transit = arrivedS - sentS;
  if (!std::isfinite(transit)) return;  // also catches finite inputs whose difference overflows
  if (samples_ > 0) {
    // D(i,j) = (Rj - Ri) - (Sj - Si) = transit_j - transit_i
    const double d = std::fabs(transit - lastTransit_);
    if (d > kMaxTransitDeltaS) {
      ++dropped_;
      const bool stepped = outlier_ && std::fabs(transit - *outlier_) <= kMaxTransitDeltaS;
      outlier_ = transit;
      if (stepped) {  // re-anchor on the new clock; J only moves on the next difference
        lastTransit_ = transit;
        outlier_.reset();
      }
      return;
    }
    jitter_ += (d - jitter_) / 16.0;
  }
  outlier_.reset();
  lastTransit_ = transit;
  ++samples_;
}

}  // namespace wre
