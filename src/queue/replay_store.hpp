// Session resume, sender side: every message on `control`, `reliable` and `file` that was handed
// to the browser is kept here (the caller's buffer handle, no copy) until the far side's
// cumulative delivered count for its channel covers it. A rebuilt connection replays what is
// left: the first counts on the new connection say where the far side stands, and takeUnacked()
// hands back everything after that, oldest first, to be sent again. Only between two peers of this library that count:
// inactive (keeps nothing, counts only) until the far side's first counts message, which a plain peer or an older copy
// of this library never sends. Counts are untrusted: one below the last is ignored, one beyond what was handed is
// clamped.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <utility>

#include "queue/payload.hpp"
#include "session/session_codec.hpp"

namespace wre {

class ReplayStore {
 public:
  bool active() const { return active_; }
  bool abandoned() const { return abandoned_; }
  size_t messages() const { return messages_; }
  size_t bytes() const { return bytes_; }
  bool empty() const { return messages_ == 0; }
  uint64_t handed(int index) const { return handed_[index]; }
  uint64_t acked(int index) const { return acked_[index]; }

  // A message went to the browser on counted channel `index` (countedIndex): kept while active.
  void onHanded(int index, Payload payload);
  // The far side's delivered counts. The first one turns keeping on (what was handed before it
  // is not kept). Returns true if anything was released.
  bool onCounts(const DeliveredCounts& counts);
  // The far side stopped acknowledging: release everything, keep nothing until reset(). Returns
  // {messages, bytes} released.
  std::pair<size_t, size_t> abandon();
  // What the far side's counts do not cover, per counted index, oldest first; the store keeps
  // nothing more and counts those messages as not handed (they will be handed again). `lost`:
  // messages per index handed before keeping began (the far side's first counts) that the far
  // side has not delivered either; they cannot be replayed.
  struct Unacked {
    std::array<std::deque<Payload>, 3> messages;
    std::array<uint64_t, 3> lost{};
  };
  Unacked takeUnacked();
  // Back to inactive and zero (the peer closes, or the far side is a new session). Returns
  // {messages, bytes} it still held.
  std::pair<size_t, size_t> reset();

 private:
  std::array<std::deque<Payload>, 3> kept_;
  std::array<uint64_t, 3> handed_{};  // messages handed to the browser, cumulative
  std::array<uint64_t, 3> acked_{};   // the far side's last delivered count (clamped)
  std::array<uint64_t, 3> base_{};    // handed index of kept_[i].front()
  size_t messages_ = 0;
  size_t bytes_ = 0;
  bool active_ = false;
  bool abandoned_ = false;
};

}  // namespace wre
