#include "queue/send_queue.hpp"

#include "util/text.hpp"

namespace wre {

Result<void> SendQueue::push(int channel, Payload payload, double nowMs) {
  if (bytes_ + payload.size() > maxBytes_)
    return makeError(ErrorKind::Send, format("send queue is full: {} bytes queued + {} would pass "
                                             "maxQueuedBytes ({}); wait for 'channel-ready'",
                                             bytes_, payload.size(), maxBytes_));
  bytes_ += payload.size();
  channelBytes_[channel] += payload.size();
  ++messages_;
  queues_[channel].push_back({std::move(payload), nowMs});
  return ok();
}

void SendQueue::pushChunk(Payload payload) {
  bytes_ += payload.size();
  channelBytes_[kFile] += payload.size();
  ++messages_;
  queues_[kFile].push_back({std::move(payload), 0});
}

size_t SendQueue::removeTransfer(uint32_t transfer) {
  auto& q = queues_[kFile];
  size_t removed = 0;
  for (auto it = q.begin(); it != q.end();) {
    if (it->payload.transfer() != transfer) {
      ++it;
      continue;
    }
    bytes_ -= it->payload.size();
    channelBytes_[kFile] -= it->payload.size();
    --messages_;
    ++removed;
    it = q.erase(it);
  }
  return removed;
}

void SendQueue::pop(int channel) {
  size_t size = queues_[channel].front().payload.size();
  bytes_ -= size;
  channelBytes_[channel] -= size;
  --messages_;
  queues_[channel].pop_front();
}

void SendQueue::pushReplayed(int channel, std::deque<Payload> oldestFirst) {
  while (!oldestFirst.empty()) {
    size_t size = oldestFirst.back().size();
    bytes_ += size;
    channelBytes_[channel] += size;
    ++messages_;
    queues_[channel].push_front({std::move(oldestFirst.back()), 0, true});
    oldestFirst.pop_back();
  }
}

Payload SendQueue::take(int channel) {
  Payload payload = std::move(queues_[channel].front().payload);
  size_t size = payload.size();
  bytes_ -= size;
  channelBytes_[channel] -= size;
  --messages_;
  queues_[channel].pop_front();
  return payload;
}

void SendQueue::clear() {
  for (auto& q : queues_) q.clear();
  channelBytes_.fill(0);
  bytes_ = messages_ = 0;
}

}  // namespace wre
