#include "metrics/loss_counter.hpp"

#include <cstddef>

namespace wre {

double intervalLossRate(const LossSnapshot& earlier, const LossSnapshot& later) {
  if (later.expected <= earlier.expected) return 0.0;
  const std::uint64_t expected = later.expected - earlier.expected;
  // received may also be smaller in `later` only if the snapshots are swapped: treat as no data.
  if (later.received < earlier.received) return 0.0;
  const std::uint64_t received = later.received - earlier.received;
  if (received >= expected) return 0.0;
  return static_cast<double>(expected - received) / static_cast<double>(expected);
}

bool LossCounter::record(std::uint32_t seq) {
  if (received_ == 0) {  // first probe: it defines base and highest
    base_ = highest_ = seq;
    seen_.set(0);
    received_ = 1;
    return true;
  }
  // Unwrap: the nearest extended sequence to highest_ with these low 32 bits (C++20 defines the
  // modular conversion to int32_t).
  const auto delta = static_cast<std::int32_t>(seq - static_cast<std::uint32_t>(highest_));
  const std::int64_t ext = highest_ + delta;
  if (delta > 0) {
    if (delta >= kWindow) {
      seen_.reset();
    } else {
      seen_ <<= static_cast<std::size_t>(delta);
    }
    seen_.set(0);
    highest_ = ext;
    ++received_;
    return true;
  }
  const std::int64_t behind = -static_cast<std::int64_t>(delta);
  if (behind >= kWindow) {
    ++tooOld_;  // cannot tell a late original from a duplicate any more
    return false;
  }
  const auto bit = static_cast<std::size_t>(behind);
  if (seen_.test(bit)) {
    ++duplicates_;
    return false;
  }
  seen_.set(bit);
  if (ext < base_) base_ = ext;  // arrived before the first one we saw: widen the range
  ++received_;
  return true;
}

std::uint64_t LossCounter::expected() const {
  return received_ == 0 ? 0 : static_cast<std::uint64_t>(highest_ - base_ + 1);
}

double LossCounter::lossRate() const {
  const std::uint64_t exp = expected();
  return exp == 0 ? 0.0 : static_cast<double>(exp - received_) / static_cast<double>(exp);
}

}  // namespace wre
