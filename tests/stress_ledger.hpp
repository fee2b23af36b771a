// The stress test's record of every message the apps tried to send: what became of it (refused,
// queued, handed to the browser, delivered, or reported as dropped/discarded), checked at every
// transition. A message accepted by send() that leaves our queue without being handed or reported,
// arrives twice, arrives out of order or arrives as another message is a violation.
//
// The core never reads or copies the app's bytes (a Payload is an opaque handle the driver sends);
// what it can get wrong is which handle goes where, and when. So a message here is its id and its
// length: the driver sends the handle's own id and length, and the far app checks both.
//
// Session resume: a message on a counted channel (control, reliable, file) lost in the browser may
// be handed again on a rebuilt connection (the replay store), even put back in the queue first;
// it must then arrive exactly once and in order. A later message on its stream may arrive past it
// only if the core reported it (`error` type send after the rebuild: LostReported), or if the
// rebuild of the connection it went out on kept nothing for replay (no counts from the far side
// yet, or the store was given up: an `error` says so), as the README documents.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "peer/channel_spec.hpp"
#include "queue/payload.hpp"

namespace wre::stress {

// SplitMix64: the same sequence natively and in WASM (the std distributions differ between
// standard libraries, and a seed must reproduce everywhere).
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t next() {
    uint64_t z = (s_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  uint64_t below(uint64_t n) { return n == 0 ? 0 : next() % n; }
  uint64_t between(uint64_t lo, uint64_t hi) { return lo + below(hi - lo + 1); }  // inclusive
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  bool chance(double p) { return uniform() < p; }

 private:
  uint64_t s_;
};

enum class Fate : uint8_t {
  Attempted,          // send() is still on the stack (or broadcast() has not returned)
  Refused,            // send() said no: the app knows
  Queued,             // accepted, in the peer's queue
  Handed,             // given to the browser
  Delivered,          // reached the far app
  DroppedOversize,    // reported: larger than the far end's max message size
  DroppedUnreliable,  // reported (MessageDropped): stale or overflow on `unreliable`
  Discarded,          // reported by close(): "discarded N queued messages"
  LostBrowser,        // in the browser when its channel or connection closed (not the core's to know)
  LostNetwork,        // `unreliable` only: lost on the way
  LostReported,       // lost with a rebuilt connection; the core's `error` counted it (not replayable)
};
inline constexpr size_t kFates = 11;

inline const char* name(Fate f) {
  static const char* names[] = {
      "attempted",          "refused",   "queued",       "handed",       "delivered",    "dropped-oversize",
      "dropped-unreliable", "discarded", "lost-browser", "lost-network", "lost-reported"};
  return names[static_cast<int>(f)];
}

// The caller's buffer, as far as anyone below the app can tell: which one it is, and its length.
struct StressBytes : Payload::Holder {
  uint64_t id = 0;
  size_t size = 0;
};

class Ledger {
 public:
  struct Msg {
    int from;
    int channel;
    uint32_t index;  // position in its stream (send order on that peer and channel)
    size_t size;
    Fate fate;
    int gen = 0;  // the sender's connection it was last handed on
  };
  // The messages one peer sent on one channel, in send order, and the model of its queue.
  struct Stream {
    std::vector<uint64_t> ids;
    size_t queuedBytes = 0, queued = 0;
    int64_t lastDelivered = -1;
    size_t firstOpen = 0;  // no Attempted/Queued entry before this
  };

  // The first violation found (empty: none).
  const std::string& violation() const { return violation_; }
  void fail(const std::string& what) {
    if (violation_.empty()) violation_ = fmt::format("step {}: {}", step, what);
  }
  size_t step = 0;  // the world's step, for the report

  int addEndpoint() {
    streams_.emplace_back();
    unkept_.emplace_back();
    return static_cast<int>(streams_.size() - 1);
  }
  const Msg& msg(uint64_t id) const { return msgs_[id]; }
  size_t messages() const { return msgs_.size(); }
  const Stream& stream(int from, int channel) const { return streams_[from][channel]; }

  // A send() is about to be made: its payload.
  Payload attempt(int from, int channel, size_t size) {
    uint64_t id = msgs_.size();
    auto& s = streams_[from][channel];
    msgs_.push_back({from, channel, static_cast<uint32_t>(s.ids.size()), size, Fate::Attempted});
    s.ids.push_back(id);
    auto holder = std::make_unique<StressBytes>();
    holder->id = id;
    holder->size = size;
    return Payload(std::move(holder), size);
  }

  // The send() that made `id` returned.
  void resolve(uint64_t id, bool accepted) {
    Msg& m = msgs_[id];
    // Handed during the call (and maybe lost since, a listener having closed the peer).
    if (m.fate != Fate::Attempted) {
      if (!accepted) fail(fmt::format("message {} was handed to the browser but send() refused it", id));
      return;
    }
    if (!accepted) {
      m.fate = Fate::Refused;
      return;
    }
    m.fate = Fate::Queued;
    auto& s = streams_[m.from][m.channel];
    s.queuedBytes += m.size;
    ++s.queued;
  }

  // The browser of connection `gen` took the message from peer `from` on `channel`.
  void handed(uint64_t id, int from, int channel, int gen) {
    if (id >= msgs_.size()) return fail(fmt::format("the browser got unknown message {}", id));
    Msg& m = msgs_[id];
    if (m.from != from || m.channel != channel)
      return fail(
          fmt::format("message {} of peer {} on {} handed by peer {} on {}", id, m.from, m.channel, from, channel));
    int before = m.gen;
    m.gen = gen;
    if (m.fate == Fate::Queued) {
      if (before != 0 && gen <= before)
        return fail(fmt::format("message {} replayed on the connection it was lost on ({})", id, gen));
      return leaveQueue(m, Fate::Handed);
    }
    if (m.fate == Fate::LostBrowser && counted(channel)) {
      // Replayed straight from the store to the rebuilt connection's browser.
      if (gen <= before) return fail(fmt::format("message {} handed twice on connection {}", id, gen));
      ++replays_;
      m.fate = Fate::Handed;
      return;
    }
    if (m.fate != Fate::Attempted)
      return fail(fmt::format("message {} handed to the browser while {}", id, name(m.fate)));
    m.fate = Fate::Handed;
  }

  // The core put message `id` back in its queue to replay it (seen there, marked as a replay).
  void requeued(uint64_t id) {
    Msg& m = msgs_[id];
    if (m.fate == Fate::Queued) return;  // seen before
    if (m.fate != Fate::LostBrowser || !counted(m.channel))
      return fail(fmt::format("message {} (peer {}, {}) queued for replay while {}", id, m.from,
                              kChannels[m.channel].label, name(m.fate)));
    ++replays_;
    m.fate = Fate::Queued;
    auto& s = streams_[m.from][m.channel];
    s.queuedBytes += m.size;
    ++s.queued;
    s.firstOpen = std::min<size_t>(s.firstOpen, m.index);
  }

  // Peer `from` rebuilt its connection `oldGen`; `kept`: its replay store holds what the far side
  // has not confirmed (it waits for the far side's counts to replay it).
  void rebuilt(int from, int oldGen, bool kept) {
    if (!kept) unkept_[from].insert(oldGen);
  }
  // An `error` said the store was let go (ack stall, or a new far session): what went out on any
  // connection so far may be gone for good.
  void unkeptThrough(int from, int gen) {
    for (int g = 1; g <= gen; ++g) unkept_[from].insert(g);
  }

  // After a rebuild the core reported `n` messages on `channel` from `from` not delivered and not
  // kept: the first ones the far side has not delivered (its counts say how many it did), lost in
  // the browser.
  void reportedLost(int from, int channel, uint64_t n) {
    auto& s = streams_[from][channel];
    for (size_t i = static_cast<size_t>(s.lastDelivered + 1); i < s.ids.size() && n > 0; ++i) {
      Msg& m = msgs_[s.ids[i]];
      if (m.fate == Fate::Refused || m.fate == Fate::DroppedOversize || m.fate == Fate::LostReported) continue;
      if (m.fate != Fate::LostBrowser)
        return fail(
            fmt::format("peer {} reported {} more messages on {} lost with the rebuilt connection; #{} after "
                        "the last delivered (#{}) is {}",
                        from, n, kChannels[channel].label, i, s.lastDelivered, name(m.fate)));
      m.fate = Fate::LostReported;
      --n;
    }
    if (n > 0)
      fail(fmt::format("peer {} reported {} more messages on {} lost with the rebuilt connection than it lost", from, n,
                       kChannels[channel].label));
  }

  // The far app got message `id` of `size` bytes on `channel` from peer `from`.
  void delivered(int from, int channel, uint64_t id, size_t size) {
    if (id >= msgs_.size()) return fail(fmt::format("unknown message {} arrived", id));
    Msg& m = msgs_[id];
    if (m.from != from || m.channel != channel)
      return fail(fmt::format("message {} (peer {} channel {}) arrived from peer {} on channel {}", id, m.from,
                              m.channel, from, channel));
    if (size != m.size) return fail(fmt::format("message {} arrived with {} bytes, sent {}", id, size, m.size));
    if (m.fate != Fate::Handed)
      return fail(fmt::format("message {} arrived while {} (twice, or never handed)", id, name(m.fate)));
    auto& s = streams_[m.from][m.channel];
    if (kChannels[channel].ordered) {
      if (static_cast<int64_t>(m.index) <= s.lastDelivered)
        return fail(fmt::format("message {} (#{} on {} from peer {}) arrived after #{}", id, m.index,
                                kChannels[channel].label, from, s.lastDelivered));
      for (int64_t i = s.lastDelivered + 1; i < m.index; ++i) {
        const Msg& gap = msgs_[s.ids[i]];
        bool unkept = gap.fate == Fate::LostBrowser && unkept_[from].count(gap.gen);
        if (gap.fate != Fate::Refused && gap.fate != Fate::DroppedOversize && gap.fate != Fate::LostReported && !unkept)
          return fail(fmt::format("message #{} on {} from peer {} ({}, id {}) was skipped: #{} arrived", i,
                                  kChannels[channel].label, from, name(gap.fate), s.ids[i], m.index));
      }
      s.lastDelivered = m.index;
    }
    m.fate = Fate::Delivered;
  }

  // The browser lost a message it had been handed (its channel or connection closed; or the
  // network, on `unreliable`).
  void lost(uint64_t id, Fate why) {
    Msg& m = msgs_[id];
    if (m.fate != Fate::Handed) return fail(fmt::format("message {} lost while {}", id, name(m.fate)));
    if (why == Fate::LostNetwork && kChannels[m.channel].ordered)
      return fail("the harness lost a message on an ordered channel");
    m.fate = why;
  }

  // The peer reported dropping the front of its `channel` queue (a `size`-byte message).
  void droppedFront(int from, int channel, size_t size, Fate why) {
    auto& s = streams_[from][channel];
    for (size_t i = s.firstOpen; i < s.ids.size(); ++i) {
      Msg& m = msgs_[s.ids[i]];
      if (m.fate != Fate::Queued) continue;
      if (m.size != size)
        return fail(
            fmt::format("peer {} reported dropping a {}-byte message on {}; the front of its queue is {} "
                        "bytes (id {})",
                        from, size, kChannels[channel].label, m.size, s.ids[i]));
      return leaveQueue(m, why);
    }
    fail(fmt::format("peer {} reported dropping a {}-byte message on {} with nothing queued there", from, size,
                     kChannels[channel].label));
  }

  // close() reported `n` messages (`bytes` bytes) discarded: exactly what the model has queued.
  void discarded(int from, size_t n, size_t bytes) {
    size_t count = 0, total = 0;
    for (int c = 0; c < kUserChannels; ++c) {
      count += streams_[from][c].queued;
      total += streams_[from][c].queuedBytes;
    }
    if (count != n || total != bytes)
      return fail(
          fmt::format("peer {}: close() reported {} messages ({} bytes) discarded; {} ({} bytes) were "
                      "queued",
                      from, n, bytes, count, total));
    for (int c = 0; c < kUserChannels; ++c)
      for (uint64_t id : streams_[from][c].ids)
        if (msgs_[id].fate == Fate::Queued) leaveQueue(msgs_[id], Fate::Discarded);
  }

  // After a close: anything still queued was silently lost.
  void closedWithNothingQueued(int from) {
    for (int c = 0; c < kUserChannels; ++c)
      if (streams_[from][c].queued > 0)
        return fail(fmt::format("peer {} closed with {} messages on {} queued and no report of them", from,
                                streams_[from][c].queued, kChannels[c].label));
  }

  // At the very end: every message has a final fate.
  void checkAllSettled() {
    for (uint64_t id = 0; id < msgs_.size(); ++id) {
      Fate f = msgs_[id].fate;
      if (f == Fate::Attempted || f == Fate::Queued || f == Fate::Handed)
        return fail(fmt::format("message {} (peer {}, {}, #{}) still {} after every peer closed", id, msgs_[id].from,
                                kChannels[msgs_[id].channel].label, msgs_[id].index, name(f)));
    }
  }

  size_t replays() const { return replays_; }

  // Handed but not yet delivered on (from, channel).
  size_t inFlight(int from, int channel) const {
    size_t n = 0;
    for (uint64_t id : streams_[from][channel].ids) n += msgs_[id].fate == Fate::Handed;
    return n;
  }

 private:
  void leaveQueue(Msg& m, Fate to) {
    m.fate = to;
    auto& s = streams_[m.from][m.channel];
    s.queuedBytes -= m.size;
    --s.queued;
    while (s.firstOpen < s.ids.size()) {
      Fate f = msgs_[s.ids[s.firstOpen]].fate;
      if (f == Fate::Attempted || f == Fate::Queued) break;
      ++s.firstOpen;
    }
  }

  static bool counted(int channel) { return channel == kControl || channel == kReliable || channel == kFile; }

  std::vector<Msg> msgs_;
  std::vector<std::array<Stream, kUserChannels>> streams_;
  std::vector<std::set<int>> unkept_;  // per peer: connections whose rebuild kept nothing for replay
  size_t replays_ = 0;
  std::string violation_;
};

}  // namespace wre::stress
