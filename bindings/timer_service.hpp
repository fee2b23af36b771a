// The shared timer lists a JsDriver hands its timers to.
#pragma once

#include <cstdint>

#include "peer/driver.hpp"

namespace wre::bind {

// Where a peer's timers go instead of a setTimeout each: one shared deadline list, the pool's
// (bindings/core_pool.hpp) or the page's (bindings/page_timers.hpp). `owner` tells the service whose timer it is.
class TimerService {
 public:
  virtual ~TimerService() = default;
  virtual void setTimer(uint32_t owner, TimerId id, double delayMs) = 0;
  virtual void cancelTimer(uint32_t owner, TimerId id) = 0;
};

}  // namespace wre::bind
