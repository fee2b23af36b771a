// How often a peer probes. Each probe costs both browsers a packet, a wake-up and an event, and
// on an idle page of many peers those were nearly all the library's main-thread time (README,
// Benchmarks). So probes are dense (every kDenseMs) only while the figures are being measured:
// the first seconds of a link, and one loss window after the link last showed trouble (a probe
// lost, a grade below excellent: MetricsCollector::takeTrouble). Otherwise they are
// sparse: the heartbeat's pace, which still carries RTT, jitter and loss samples.
#pragma once

#include <algorithm>
#include <cmath>

namespace wre {

class ProbePlan {
 public:
  static constexpr double kDenseMs = 50;
  // Sparse periods are powers of two: peers align them on the page clock (Peer::startTick). Never
  // sparser than kMaxSparseMs, whatever our own timeout: the far side's heartbeat (default 3 s)
  // judges by ours too.
  static constexpr double kMaxSparseMs = 1024;
  static constexpr double kMinSparseMs = 64;
  // Dense after the link comes up: a first RTT, jitter and loss figure from ~40 probes.
  static constexpr double kSettleMs = 2000;
  // Dense after trouble: one loss window (MetricsCollector::kLossWindowMs) of ~200 probes.
  static constexpr double kAttentionMs = 10000;

  // The sparse period for a heartbeat of `heartbeatTimeoutMs` (0: ours is off, the far side's may
  // not be): the largest power of two that puts more than two probes in a timeout. A lost one or
  // two do not make a dead link: after half the timeout of silence the heartbeat asks the far side
  // for a probe at once (a query, twice), so only a silence that outlasts those is one.
  static double sparsePeriod(double heartbeatTimeoutMs) {
    if (!(heartbeatTimeoutMs > 0)) return kMaxSparseMs;
    double period = kMaxSparseMs;
    while (period > kMinSparseMs && period * 2.5 > heartbeatTimeoutMs) period /= 2;
    return period;
  }

  void onLinkUp(double nowMs) { denseUntilMs_ = std::max(denseUntilMs_, nowMs + kSettleMs); }
  void onTrouble(double nowMs) { denseUntilMs_ = std::max(denseUntilMs_, nowMs + kAttentionMs); }
  bool dense(double nowMs) const { return nowMs < denseUntilMs_; }

 private:
  double denseUntilMs_ = 0;
};

}  // namespace wre
