// Packet loss of probe messages on an unordered, unreliable data channel, counted the way
// RFC 3550 (A.3) counts RTP loss: expected = highest - base + 1, lost = expected - received.
// Sequence numbers are uint32 and may wrap; reordering and duplicates are tolerated.
// Memory is bounded: duplicates are recognised within the last kWindow sequence numbers, and a
// probe arriving further behind than that is ignored (it stays counted as lost).
#pragma once

#include <bitset>
#include <cstdint>

namespace wre {

// Cumulative counts at one moment; two of them give the loss over the interval between.
struct LossSnapshot {
  std::uint64_t expected = 0;
  std::uint64_t received = 0;
};

// Fraction of probes lost between two snapshots of the same counter, in [0, 1]. 0 when nothing
// was expected, or when late arrivals filled more gaps than new ones opened (as RFC 3550 A.3).
double intervalLossRate(const LossSnapshot& earlier, const LossSnapshot& later);

class LossCounter {
 public:
  static constexpr std::int64_t kWindow = 1024;

  // Records one received sequence number; true if it was counted (new), false if it was a
  // duplicate or more than kWindow behind the highest seen. A jump of up to 2^31 ahead counts
  // as new (and everything skipped as lost): reset() when the sender restarts its numbering.
  bool record(std::uint32_t seq);

  std::uint64_t expected() const;
  std::uint64_t received() const { return received_; }
  std::uint64_t lost() const { return expected() - received_; }
  std::uint64_t duplicates() const { return duplicates_; }
  std::uint64_t tooOld() const { return tooOld_; }
  // Cumulative lost / expected, in [0, 1]; 0 before any probe arrived.
  double lossRate() const;
  LossSnapshot snapshot() const { return {expected(), received_}; }
  void reset() { *this = LossCounter(); }

 private:
  std::bitset<kWindow> seen_;  // bit i: sequence (highest_ - i) was received
  std::int64_t base_ = 0;      // lowest extended sequence counted
  std::int64_t highest_ = 0;   // highest extended sequence seen (unwrapped past 2^32)
  std::uint64_t received_ = 0;
  std::uint64_t duplicates_ = 0;
  std::uint64_t tooOld_ = 0;
};

}  // namespace wre
