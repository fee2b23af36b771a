#include "metrics/sent_probe_ring.hpp"

#include <cmath>
#include <limits>

namespace wre {

void SentProbeRing::add(double sentMs) {
  sent_[next_] = sentMs;
  next_ = (next_ + 1) % kCapacity;
  if (size_ < kCapacity) ++size_;
}

bool SentProbeRing::take(double echoSentMs) {
  if (!std::isfinite(echoSentMs)) return false;
  // Newest first: an echo is usually of one of our last few probes.
  for (std::size_t i = 1; i <= size_; ++i) {
    double& slot = sent_[(next_ + kCapacity - i) % kCapacity];
    if (slot == echoSentMs) {
      slot = std::numeric_limits<double>::quiet_NaN();  // equal to nothing: taken
      return true;
    }
  }
  return false;
}

}  // namespace wre
