// Packet loss of probe messages on an unordered, unreliable data channel, counted the way
// RFC 3550 (A.3) counts RTP loss: expected = highest - base + 1, lost = expected - received.
// Sequence numbers are uint32 and may wrap; reordering and duplicates are tolerated.
// Memory is bounded: duplicates are recognised within the last kWindow sequence numbers, and a
// probe arriving further behind than that is ignored (it stays counted as lost).
// The numbers come from the far end and are untrusted. As RFC 3550 A.1 does for RTP, a number that
// cannot follow the current run (further ahead than the time since the highest allows, or further
// behind than the window) is neither loss nor arrival; only when the very next probe continues
// from it is it taken as the sender restarting its numbering: a new run starts there, and the
// counts of the old one are kept, never turned into losses.
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
  // A peer of this library probes at most every 50 ms (Peer::kProbeIntervalMs). Half that leaves
  // room for a sender whose timers bunch up (a throttled tab catching up, a pool waking many).
  static constexpr double kMinGapMs = 25;
  // How much longer the previous highest probe may have been on its way than the one arriving
  // now: probes sent meanwhile may all have been lost. A link silent longer than the default
  // heartbeatTimeout (3 s) counts as lost, and then the elapsed time covers the gap anyway.
  static constexpr double kDelaySlackMs = 3000;
  // How far below the first number of a run a late probe may still widen it (sent before that
  // first one, overtaken on the way): as many as kDelaySlackMs allows at the fastest rate.
  static constexpr std::int64_t kMaxMisorder = static_cast<std::int64_t>(kDelaySlackMs / kMinGapMs);

  // Records one received sequence number; true if it was counted (new), false if it was a
  // duplicate, too far behind, or an implausible jump. Without an arrival time any jump of up to
  // 2^31 ahead counts as new (and everything skipped as lost). With our arrival time `nowMs`, a
  // jump beyond (elapsed since the highest arrived + kDelaySlackMs) / kMinGapMs is implausible.
  // Use one form or the other for the life of a counter.
  bool record(std::uint32_t seq);
  bool record(std::uint32_t seq, double nowMs);

  std::uint64_t expected() const;
  std::uint64_t received() const { return received_; }
  std::uint64_t lost() const { return expected() - received_; }
  std::uint64_t duplicates() const { return duplicates_; }
  std::uint64_t tooOld() const { return tooOld_; }
  // Probes ignored for jumping further ahead than elapsed time allows.
  std::uint64_t jumps() const { return jumps_; }
  // Times the sender was taken to have restarted its numbering.
  std::uint64_t restarts() const { return restarts_; }
  // Cumulative lost / expected, in [0, 1]; 0 before any probe arrived.
  double lossRate() const;
  LossSnapshot snapshot() const { return {expected(), received_}; }
  void reset() { *this = LossCounter(); }

 private:
  bool record(std::uint32_t seq, bool timed, double nowMs);
  // Starts a run at seq; what the previous runs expected stays expected.
  void startRun(std::uint32_t seq, double nowMs);
  // seq cannot follow the current run: ignored, unless it continues the last such probe.
  bool implausible(std::uint32_t seq, bool continuesSuspect, double nowMs);

  std::bitset<kWindow> seen_;        // bit i: sequence (highest_ - i) was received
  std::int64_t base_ = 0;            // lowest extended sequence counted in this run
  std::int64_t first_ = 0;           // the run's first sequence: base_ stays within kMaxMisorder of it
  std::int64_t highest_ = 0;         // highest extended sequence seen (unwrapped past 2^32)
  double highestAtMs_ = 0;           // when it arrived (timed use)
  std::uint64_t priorExpected_ = 0;  // expected by the runs before this one
  std::uint64_t received_ = 0;
  std::uint64_t duplicates_ = 0;
  std::uint64_t tooOld_ = 0;
  std::uint64_t jumps_ = 0;
  std::uint64_t restarts_ = 0;
  std::uint32_t suspect_ = 0;  // the number that would confirm a restart (last implausible + 1)
  bool hasSuspect_ = false;    // only the very next probe can confirm
};

}  // namespace wre
