// Where the core's events wait while it changes state. An event leaves the core only when the
// outermost entry point (an API call, a browser callback, a timer, a pool call) returns, so a
// listener that re-enters the core (close, send, removePeer, closeAll) always finds it consistent.
// One Outbox serves a standalone peer, or every peer of a pool (their events keep their order).
#pragma once

#include <cstddef>
#include <deque>

#include "peer/peer_events.hpp"

namespace wre {

class Outbox {
 public:
  // Held by every entry point while it runs; the outermost one delivers on its way out.
  class Scope {
   public:
    explicit Scope(Outbox& box) : box_(box) { ++box_.depth_; }
    ~Scope() {
      if (--box_.depth_ == 0) box_.deliver();
    }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    Outbox& box_;
  };

  // What the core gives its peers as their EventSink: posts to `box` for delivery to `to`.
  class Poster : public EventSink {
   public:
    Poster(Outbox& box, EventSink& to) : box_(box), to_(to) {}
    void onEvent(const PeerEvent& event) override { box_.post(to_, event); }

   private:
    Outbox& box_;
    EventSink& to_;
  };

  Outbox() = default;
  Outbox(const Outbox&) = delete;
  Outbox& operator=(const Outbox&) = delete;

  // Queues `event` for `to`. Outside any scope (a path that forgot one) it is delivered at once,
  // and counted: the stress test asserts that never happens.
  void post(EventSink& to, PeerEvent event);
  // `to` was closed: drops what it had queued except the settlements of its requests (a Promise
  // waits on each) and the reports of accepted messages that will never be sent (errors of kind
  // send, MessageDropped). What the close itself reports is posted after this, as usual.
  void seal(const EventSink& to);
  // `to` is being destroyed: drops everything it had queued.
  void forget(const EventSink& to);

  size_t pending() const { return queue_.size(); }
  bool open() const { return depth_ > 0; }
  bool delivering() const { return delivering_ > 0; }
  size_t unscopedPosts() const { return unscopedPosts_; }

 private:
  struct Entry {
    EventSink* to;
    PeerEvent event;
  };
  // Delivers in order until empty. Re-entrant: a listener's call opens and closes a scope of its
  // own, whose delivery carries on with the same queue.
  void deliver();

  std::deque<Entry> queue_;
  int depth_ = 0;
  int delivering_ = 0;  // nested deliveries on the stack
  size_t unscopedPosts_ = 0;
};

}  // namespace wre
