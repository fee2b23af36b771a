// The timers of every standalone peer on the page on one deadline list behind one host
// `setTimeout` (a pool's peers use the pool's list instead). Periodic work that peers align on the
// same instants (probe ticks, stats sweeps: Peer::startTick) then costs one wake-up for all of
// them rather than one per peer: on an idle page those wake-ups were most of the library's cost.
#pragma once

#include <cstdint>
#include <unordered_map>

#include "js_driver.hpp"
#include "pool/shared_timers.hpp"

namespace wre::bind {

class CorePeer;

class PageTimers : public TimerService, public Alarm {
 public:
  static PageTimers& instance();

  // Registers a peer's timers; the key its driver names them by.
  uint32_t add(CorePeer* core);
  // Cancels the peer's timers and forgets it (its destructor).
  void remove(uint32_t owner);

  void setTimer(uint32_t owner, TimerId id, double delayMs) override;
  void cancelTimer(uint32_t owner, TimerId id) override;
  // The host's timeout went off (hot_calls.js `hot.armPage`).
  void onAlarm();

  // Alarm.
  void set(double dueMs) override;
  void clear() override;

 private:
  SharedTimers timers_{this};
  std::unordered_map<uint32_t, CorePeer*> owners_;
  uint32_t nextOwner_ = 1;
};

}  // namespace wre::bind
