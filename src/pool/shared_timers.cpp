#include "pool/shared_timers.hpp"

namespace wre {

void SharedTimers::set(Owner owner, TimerId id, double nowMs, double delayMs) {
  queue_.schedule(owner, id, TimerQueue::deadline(nowMs, delayMs));
  rearm();
}

void SharedTimers::cancel(Owner owner, TimerId id) {
  if (queue_.cancel(owner, id) && queue_.empty()) rearm();
}

void SharedTimers::cancelAll(Owner owner) {
  if (queue_.cancelAll(owner) > 0) rearm();
}

void SharedTimers::rearm() {
  if (!alarm_ || ringing_) return;
  auto next = queue_.nextDue();
  if (!next) {
    if (armedFor_) {
      armedFor_.reset();
      alarm_->clear();
    }
    return;
  }
  // An alarm set for a later deadline is moved earlier; one set earlier than needed (its timer was
  // cancelled) is left: it wakes the owner, which finds nothing due and re-arms for the next one.
  if (!armedFor_ || *next < *armedFor_) {
    armedFor_ = next;
    alarm_->set(*next);
  }
}

}  // namespace wre
