#include "metrics/jitter_estimator.hpp"

#include <cmath>

namespace wre {

void JitterEstimator::addSample(double sentS, double arrivedS) {
  if (!std::isfinite(sentS) || !std::isfinite(arrivedS)) return;
  const double transit = arrivedS - sentS;
  if (samples_ > 0) {
    // D(i,j) = (Rj - Ri) - (Sj - Si) = transit_j - transit_i
    const double d = std::fabs(transit - lastTransit_);
    jitter_ += (d - jitter_) / 16.0;
  }
  lastTransit_ = transit;
  ++samples_;
}

}  // namespace wre
