#include "pool/timer_queue.hpp"

#include <algorithm>
#include <cmath>

namespace wre {

double TimerQueue::gridFor(double delayMs) {
  if (!(delayMs >= 16)) return 0;  // also NaN
  double grid = 1;
  while (grid * 2 <= delayMs / 16 && grid * 2 <= kMaxGridMs) grid *= 2;
  return grid;
}

double TimerQueue::deadline(double nowMs, double delayMs) {
  if (!(delayMs > 0)) delayMs = 0;
  double due = nowMs + delayMs;
  double grid = gridFor(delayMs);
  // A deadline up to kAlignSlackMs past a grid point is that point: Peer::startTick aligns ticks on
  // the grid with its own reading of the clock, and the delay reaches here microseconds later.
  return grid > 0 ? std::ceil((due - std::min(kAlignSlackMs, grid / 4)) / grid) * grid : due;
}

void TimerQueue::schedule(Owner owner, TimerId id, double dueMs) {
  cancel(owner, id);
  DueKey key{dueMs, sequence_};
  byDue_.emplace(key, Entry{owner, id, dueMs, sequence_});
  byTimer_.emplace(timerKey(owner, id), key);
  ++sequence_;
}

bool TimerQueue::cancel(Owner owner, TimerId id) {
  auto it = byTimer_.find(timerKey(owner, id));
  if (it == byTimer_.end()) return false;
  byDue_.erase(it->second);
  byTimer_.erase(it);
  return true;
}

size_t TimerQueue::cancelAll(Owner owner) {
  auto first = byTimer_.lower_bound(timerKey(owner, 0));
  auto last = byTimer_.lower_bound(timerKey(owner + 1, 0));
  if (owner == UINT32_MAX) last = byTimer_.end();
  size_t n = 0;
  for (auto it = first; it != last; ++it, ++n) byDue_.erase(it->second);
  byTimer_.erase(first, last);
  return n;
}

std::optional<double> TimerQueue::nextDue() const {
  if (byDue_.empty()) return std::nullopt;
  return byDue_.begin()->first.first;
}

std::optional<TimerQueue::Entry> TimerQueue::popDue(double nowMs, Sequence before) {
  // Due entries are a prefix of byDue_; the first one scheduled before the pass started wins.
  for (auto it = byDue_.begin(); it != byDue_.end() && it->first.first <= nowMs; ++it) {
    if (it->second.sequence >= before) continue;
    Entry e = it->second;
    byTimer_.erase(timerKey(e.owner, e.id));
    byDue_.erase(it);
    return e;
  }
  return std::nullopt;
}

}  // namespace wre
