// The manual clock the fakes share: pending timers as id → due time, fired in due order.
#pragma once

#include <map>

namespace wre::test {

// Fires every timer of `timers` due by `until`, earliest first, moving `now` to each one's due time
// (a fired timer may set more), then leaves `now` at `until`.
template <class Id, class Fire>
void runTimersUntil(std::map<Id, double>& timers, double& now, double until, Fire fire) {
  for (;;) {
    auto due = timers.end();
    for (auto it = timers.begin(); it != timers.end(); ++it)
      if (it->second <= until && (due == timers.end() || it->second < due->second)) due = it;
    if (due == timers.end()) break;
    now = due->second;
    Id id = due->first;
    timers.erase(due);
    fire(id);
  }
  now = until;
}

}  // namespace wre::test
