// One sorted deadline list for the timers of many owners (the peers of a pool), so N peers cost
// one real host timer instead of N × k `setTimeout`s. Entries are ordered by deadline, then by
// the order they were scheduled (FIFO among equal deadlines); cancelling is O(log n).
//
// Deadlines are coalesced: a timer of `delay` ms may fire up to gridFor(delay) ms late (at most
// 1/16 of the delay, at most 256 ms, 0 below 16 ms), and up to kAlignSlackMs early. The grids are powers of two,
// so they nest, and timers of peers created close together land on the same tick: one wake-up
// runs all of them in a single pass (the pool's shared sweep).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <utility>

#include "peer/driver.hpp"

namespace wre {

class TimerQueue {
 public:
  using Owner = uint32_t;
  using Sequence = uint64_t;
  static constexpr double kMaxGridMs = 256;
  // How early a timer may fire (at most a quarter of its grid): see deadline().
  static constexpr double kAlignSlackMs = 1;

  struct Entry {
    Owner owner;
    TimerId id;
    double dueMs;
    Sequence sequence;  // order of scheduling
  };

  // Lateness a timer of `delayMs` accepts (a power of two in [1, kMaxGridMs], or 0).
  static double gridFor(double delayMs);
  // The deadline a timer asked for `delayMs` from `nowMs` gets: now + delay rounded up to its grid.
  static double deadline(double nowMs, double delayMs);

  // Schedules timer `id` of `owner` at `dueMs` (an existing one with the same owner and id moves).
  void schedule(Owner owner, TimerId id, double dueMs);
  bool cancel(Owner owner, TimerId id);
  // Cancels every timer of `owner`; returns how many.
  size_t cancelAll(Owner owner);

  std::optional<double> nextDue() const;
  // Removes and returns the earliest entry due at `nowMs` that was scheduled before `before`
  // (so a timer re-armed with no delay while a pass runs waits for the next pass).
  std::optional<Entry> popDue(double nowMs, Sequence before);
  // The sequence number the next schedule() will get: the `before` of a pass starting now.
  Sequence nextSequence() const { return sequence_; }

  size_t size() const { return byDue_.size(); }
  bool empty() const { return byDue_.empty(); }

 private:
  using DueKey = std::pair<double, Sequence>;
  static uint64_t timerKey(Owner owner, TimerId id) { return (static_cast<uint64_t>(owner) << 32) | id; }

  std::map<DueKey, Entry> byDue_;
  std::map<uint64_t, DueKey> byTimer_;  // ordered by owner first: cancelAll is one range
  Sequence sequence_ = 0;
};

}  // namespace wre
