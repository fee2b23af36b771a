// Many owners' timers on one deadline list (TimerQueue) behind one host Alarm: a pool's members,
// or every standalone peer of a page (bindings/page_timers.hpp). The alarm is set for the
// earliest deadline; one wake-up runs every timer due then, in one pass.
#pragma once

#include <optional>

#include "pool/timer_queue.hpp"

namespace wre {

// The host's single real timer (one `setTimeout` for all the owners).
class Alarm {
 public:
  virtual ~Alarm() = default;
  // Wake the owner of the list at `dueMs`; replaces an earlier setting.
  virtual void set(double dueMs) = 0;
  virtual void clear() = 0;
};

class SharedTimers {
 public:
  using Owner = TimerQueue::Owner;

  explicit SharedTimers(Alarm* alarm) : alarm_(alarm) {}

  void set(Owner owner, TimerId id, double nowMs, double delayMs);
  void cancel(Owner owner, TimerId id);
  void cancelAll(Owner owner);

  // The alarm went off: runs `run(owner, id)` for every timer due at `nowMs` that was scheduled
  // before the pass began (one re-armed with no delay by a handler waits for the next pass), then
  // re-arms once. Returns how many ran.
  template <typename Run>
  size_t ring(double nowMs, Run&& run) {
    armedFor_.reset();
    ringing_ = true;
    size_t ran = 0;
    TimerQueue::Sequence before = queue_.nextSequence();
    while (auto due = queue_.popDue(nowMs, before)) ran += run(due->owner, due->id) ? 1 : 0;
    ringing_ = false;
    rearm();
    return ran;
  }

  const TimerQueue& queue() const { return queue_; }
  std::optional<double> armedFor() const { return armedFor_; }

 private:
  void rearm();

  Alarm* alarm_;
  TimerQueue queue_;
  std::optional<double> armedFor_;
  bool ringing_ = false;  // inside ring(): re-armed once at its end
};

}  // namespace wre
