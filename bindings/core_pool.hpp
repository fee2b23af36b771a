// The object the JS WebRTCConnectionPool holds: owns the pool's CorePeers (through the core Pool),
// gives each one's driver the pool's shared deadline list for its timers, and runs broadcasts,
// state counts and removals in one call each. `alarm` is the wrapper's one timer: { arm(delayMs), disarm() }.
// Fallible calls answer like every binding call: a value, or { error: { type, message, ... } }.
#pragma once

#include <emscripten/val.h>
#include <string>

#include "core_peer.hpp"
#include "js_driver.hpp"
#include "pool/pool.hpp"

namespace wre::bind {

class CorePool : public TimerService, public Alarm {
 public:
  explicit CorePool(emscripten::val alarm);
  ~CorePool() override;

  // undefined, or a failure naming the bad field of the pool's defaults (kept when valid).
  emscripten::val setDefaults(const emscripten::val& defaults);

  // Makes a CorePeer (not started; its start() takes the overrides of the pool's defaults) for
  // `peerHost` and registers it under `id`. Returns the CorePeer (owned here: JS must never
  // delete() it) or a failure (duplicate id, closed pool).
  emscripten::val add(const std::string& id, emscripten::val peerHost);
  // Closes and unregisters; the CorePeer is freed by collect(). undefined or a failure.
  emscripten::val remove(const std::string& id);
  void closeAll();
  // Frees removed CorePeers. Call it when no pool or peer call is on the stack (a microtask).
  void collect();

  // Number of recipients, or a failure (nothing sent), or, when some peers refused, a failure
  // whose error is {type: 'send', message, recipients, accepted, failures: [{peerId, type, message}]}.
  emscripten::val broadcast(int channel, const emscripten::val& data, double size, const emscripten::val& excludeId);
  // {totalPeers, connectedPeers, states: {new, connecting, connected, disconnected, failed, closed}}
  emscripten::val stats() const;
  // Ids in creation order; only connected ones if asked.
  emscripten::val ids(bool connectedOnly) const;
  // {peers, parked, timers, armed}: what the pool still holds (tests prove closeAll leaves nothing).
  emscripten::val diagnostics() const;

  // The alarm's timer went off.
  void onAlarm();

  // TimerService (the peers' drivers) and Alarm (the core pool).
  void setTimer(uint32_t owner, TimerId id, double delayMs) override;
  void cancelTimer(uint32_t owner, TimerId id) override;
  void set(double dueMs) override;
  void clear() override;

 private:
  emscripten::val alarm_;
  Pool pool_;  // after alarm_: destroyed first, while the alarm is still there
};

}  // namespace wre::bind
