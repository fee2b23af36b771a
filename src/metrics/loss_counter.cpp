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

bool LossCounter::record(std::uint32_t seq) { return record(seq, false, 0); }

bool LossCounter::record(std::uint32_t seq, double nowMs) { return record(seq, true, nowMs); }

void LossCounter::startRun(std::uint32_t seq, double nowMs) {
  priorExpected_ = expected();
  base_ = first_ = highest_ = seq;
  highestAtMs_ = nowMs;
  seen_.reset();
  seen_.set(0);
  ++received_;
}

bool LossCounter::implausible(std::uint32_t seq, bool continuesSuspect, double nowMs) {
  if (continuesSuspect) {  // two in a row that follow each other: the sender restarted
    startRun(seq, nowMs);
    ++restarts_;
    return true;
  }
  suspect_ = seq + 1;
  hasSuspect_ = true;
  return false;
}

bool LossCounter::record(std::uint32_t seq, bool timed, double nowMs) {
  const bool continuesSuspect = hasSuspect_ && seq == suspect_;
  hasSuspect_ = false;
  if (received_ == 0) {  // first probe: it defines base and highest
    startRun(seq, nowMs);
    return true;
  }
  // Unwrap: the nearest extended sequence to highest_ with these low 32 bits (C++20 defines the
  // modular conversion to int32_t).
  const auto delta = static_cast<std::int32_t>(seq - static_cast<std::uint32_t>(highest_));
  const std::int64_t ext = highest_ + delta;
  if (delta > 0) {
    if (timed) {
      const double elapsed = nowMs - highestAtMs_;
      // NaN or negative elapsed (no usable clock) allows only the slack.
      const double allowed = ((elapsed > 0 ? elapsed : 0) + kDelaySlackMs) / kMinGapMs + 1;
      if (static_cast<double>(delta) > allowed) {
        if (!continuesSuspect) ++jumps_;
        return implausible(seq, continuesSuspect, nowMs);
      }
    }
    if (delta >= kWindow) {
      seen_.reset();
    } else {
      seen_ <<= static_cast<std::size_t>(delta);
    }
    seen_.set(0);
    highest_ = ext;
    highestAtMs_ = nowMs;
    ++received_;
    return true;
  }
  const std::int64_t behind = -static_cast<std::int64_t>(delta);
  if (behind >= kWindow) {
    // Cannot tell a late original from a duplicate any more, nor from a restart yet.
    if (!continuesSuspect) ++tooOld_;
    return implausible(seq, continuesSuspect, nowMs);
  }
  const auto bit = static_cast<std::size_t>(behind);
  if (seen_.test(bit)) {
    ++duplicates_;
    return false;
  }
  if (ext < first_ - kMaxMisorder) {  // sent long before the run began: a replay, not a late one
    ++tooOld_;
    return false;
  }
  seen_.set(bit);
  if (ext < base_) base_ = ext;  // arrived before the first one we saw: widen the range
  ++received_;
  return true;
}

std::uint64_t LossCounter::expected() const {
  return received_ == 0 ? 0 : priorExpected_ + static_cast<std::uint64_t>(highest_ - base_ + 1);
}

double LossCounter::lossRate() const {
  const std::uint64_t exp = expected();
  return exp == 0 ? 0.0 : static_cast<double>(exp - received_) / static_cast<double>(exp);
}

}  // namespace wre
