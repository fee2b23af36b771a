#include "queue/replay_store.hpp"

#include <algorithm>

namespace wre {

void ReplayStore::onHanded(int index, Payload payload) {
  ++handed_[index];
  if (!active_) {
    base_[index] = handed_[index];  // nothing kept: the next kept message has the next index
    return;
  }
  bytes_ += payload.size();
  ++messages_;
  kept_[index].push_back(std::move(payload));
}

bool ReplayStore::onCounts(const DeliveredCounts& counts) {
  if (abandoned_) return false;  // this far side lost our trust
  active_ = true;
  bool released = false;
  for (size_t i = 0; i < counts.size(); ++i) {
    uint64_t n = std::min(counts[i], handed_[i]);  // cannot have delivered more than we sent
    if (n <= acked_[i]) continue;                  // backwards or repeated: nothing new
    acked_[i] = n;
    auto& q = kept_[i];
    while (!q.empty() && base_[i] < n) {
      bytes_ -= q.front().size();
      --messages_;
      q.pop_front();
      ++base_[i];
      released = true;
    }
    base_[i] = std::max(base_[i], n);
  }
  return released;
}

ReplayStore::Unacked ReplayStore::takeUnacked() {
  Unacked out;
  for (size_t i = 0; i < kept_.size(); ++i) {
    out.lost[i] = base_[i] - acked_[i];  // base_ >= acked_ always: onCounts moves base_ to acked_ at least
    out.messages[i].swap(kept_[i]);
    handed_[i] = acked_[i];
    base_[i] = acked_[i];
  }
  messages_ = bytes_ = 0;
  return out;
}

std::pair<size_t, size_t> ReplayStore::abandon() {
  auto gone = reset();
  abandoned_ = true;
  return gone;
}

std::pair<size_t, size_t> ReplayStore::reset() {
  std::pair<size_t, size_t> gone{messages_, bytes_};
  *this = ReplayStore{};
  return gone;
}

}  // namespace wre
