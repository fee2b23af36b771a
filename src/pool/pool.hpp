// The connection pool's bookkeeping: owns its members (each the owner of one core Peer), keyed by
// id in creation order; counts states; fans a broadcast out over Peer::send; and keeps the one
// deadline list (TimerQueue) that the members' timers share, behind a single host Alarm.
//
// Re-entrancy: the pool's peers share the pool's Outbox, and every pool call is an entry point, so
// no listener runs while a pool call changes state; listeners run as the call returns, and may
// call the pool back (remove a peer, close all, add a peer). A removed member is closed,
// unregistered and parked; collect() destroys parked members, and must be called when no pool or
// peer code is on the stack (the bindings call it from a microtask).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "peer/peer.hpp"
#include "pool/shared_timers.hpp"
#include "util/value.hpp"

namespace wre {

// What the pool holds per peer: whoever owns the core Peer and its driver (in the browser the
// embind CorePeer, in the tests a fake driver + event log + Peer).
class PoolMember {
 public:
  virtual ~PoolMember() = default;
  // The member's peer; null before it was started.
  virtual Peer* peer() = 0;
  // One of the member's timers fell due in the shared deadline list.
  virtual void onTimer(TimerId id) = 0;
};

struct PoolStats {
  size_t total = 0;
  size_t connected = 0;
  std::array<size_t, kPeerStateCount> states{};  // indexed by PeerState
};

struct BroadcastFailure {
  std::string peerId;
  Error error;
};

struct BroadcastReport {
  size_t recipients = 0;  // connected peers (minus the excluded one) the message was offered to
  size_t accepted = 0;    // of those, the ones that sent or queued it
  std::vector<BroadcastFailure> failures;
  // One sentence naming the peers that refused (empty when none did).
  std::string summary() const;
};

class Pool {
 public:
  using MemberKey = TimerQueue::Owner;

  explicit Pool(Alarm* alarm = nullptr);
  // The outbox every member's Peer must post to (Peer's `shared` constructor argument).
  Outbox& outbox() { return outbox_; }
  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  // Checks and keeps the pool's default config: every field valid, no `peerId` (each peer's id
  // comes from createPeer). Errors name the field, like the peer's own config errors.
  Result<void> setDefaults(const Value& defaults);
  // Member `id`'s config: the defaults with `overrides` on top, field by field (an undefined
  // override keeps the default), and `peerId: id`. An override of peerId must be `id` itself.
  Result<Value> configFor(std::string_view id, const Value& overrides) const;

  // Registers `member` under `id`. Fails on a duplicate id or after closeAll().
  Result<MemberKey> add(std::string id, std::unique_ptr<PoolMember> member);
  PoolMember* find(std::string_view id) const;
  // Closes the member's peer, unregisters it and cancels its timers; its close events reach the
  // listeners as the call returns. Unknown id: an error.
  Result<void> remove(std::string_view id);
  // Closes and removes every member, in creation order; the pool refuses add/broadcast after it.
  void closeAll();
  bool closed() const { return closed_; }
  // Destroys removed members. Does nothing while a pool call or a delivery is on the stack.
  void collect();
  size_t parked() const;

  size_t size() const { return byId_.size(); }
  PoolStats stats() const;
  // Ids in creation order; only those in `state` if given.
  std::vector<std::string> ids(std::optional<PeerState> state = std::nullopt) const;

  // Hands one message to every connected peer except `excludeId`, through each peer's own
  // Peer::send (its queue, backpressure and byte bound apply). `make` gives each recipient its
  // own handle on the caller's buffer. A peer that refuses (its queue is full) has already
  // emitted its own `error`; it is listed in the report and does not stop the others.
  // Errors (nothing sent): pool closed, channel not a user channel, `excludeId` not in the pool.
  Result<BroadcastReport> broadcast(int channel, std::optional<std::string_view> excludeId,
                                    const std::function<Payload()>& make);

  // ---- shared timers: the members' drivers route Driver::setTimer/cancelTimer here ----
  void setTimer(MemberKey member, TimerId id, double nowMs, double delayMs);
  void cancelTimer(MemberKey member, TimerId id);
  // The host's alarm went off: runs every timer due at `nowMs` in one pass; returns how many.
  size_t onAlarm(double nowMs);
  const TimerQueue& timers() const { return timers_.queue(); }
  std::optional<double> armedFor() const { return timers_.armedFor(); }

 private:
  struct Entry {
    std::string id;
    MemberKey key;
    std::unique_ptr<PoolMember> member;
    bool live = true;  // registered (in byId_)
  };
  Entry* entry(std::string_view id) const;
  void closeAndUnregister(Entry& e);

  Outbox outbox_;  // first: outlives the members, whose peers post to it
  SharedTimers timers_;
  std::vector<std::unique_ptr<Entry>> entries_;  // creation order; removed ones until collect()
  std::unordered_map<std::string, Entry*> byId_;
  Value defaults_ = Value::object();
  std::unordered_map<MemberKey, Entry*> byKey_;
  MemberKey nextKey_ = 1;
  bool closed_ = false;
};

}  // namespace wre
