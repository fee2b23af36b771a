#include "page_timers.hpp"

#include <emscripten/em_js.h>
#include <emscripten/emscripten.h>

#include "core_peer.hpp"

EM_JS(void, wre_shim_arm_page, (double delayMs), { Module.shims.armPage(delayMs); });
EM_JS(void, wre_shim_disarm_page, (), { Module.shims.disarmPage(); });

namespace wre::bind {

PageTimers& PageTimers::instance() {
  static PageTimers timers;
  return timers;
}

uint32_t PageTimers::add(CorePeer* core) {
  uint32_t owner = nextOwner_++;
  owners_.emplace(owner, core);
  return owner;
}

void PageTimers::remove(uint32_t owner) {
  timers_.cancelAll(owner);
  owners_.erase(owner);
}

void PageTimers::setTimer(uint32_t owner, TimerId id, double delayMs) {
  timers_.set(owner, id, emscripten_get_now(), delayMs);
}

void PageTimers::cancelTimer(uint32_t owner, TimerId id) { timers_.cancel(owner, id); }

void PageTimers::onAlarm() {
  // A peer closed by a listener during the pass has cancelled its timers; a freed one (a
  // microtask later, never inside the pass) has left owners_.
  timers_.ring(emscripten_get_now(), [this](uint32_t owner, TimerId id) {
    auto it = owners_.find(owner);
    if (it == owners_.end()) return false;
    it->second->onTimer(static_cast<int>(id));
    return true;
  });
}

void PageTimers::set(double dueMs) {
  double delay = dueMs - emscripten_get_now();
  wre_shim_arm_page(delay > 0 ? delay : 0.0);
}

void PageTimers::clear() { wre_shim_disarm_page(); }

}  // namespace wre::bind
