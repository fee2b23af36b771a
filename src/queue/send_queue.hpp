// Per-channel FIFO queues of the caller's buffers, bounded in bytes across all channels of a
// peer: a push that would pass the bound is refused (never a silent drop).
#pragma once

#include <array>
#include <cstddef>
#include <deque>

#include "peer/channel_spec.hpp"
#include "queue/payload.hpp"
#include "util/error.hpp"

namespace wre {

struct QueuedMessage {
  Payload payload;
  double queuedAtMs;    // for the unreliable channel's staleness rule
  bool replay = false;  // sent before, on a connection since rebuilt: no second `message-sent`
};

class SendQueue {
 public:
  explicit SendQueue(size_t maxBytes) : maxBytes_(maxBytes) {}

  Result<void> push(int channel, Payload payload, double nowMs);
  // A transfer's chunk: not bounded by maxBytes (the transfer's read-ahead bounds its chunks).
  void pushChunk(Payload payload);
  // Removes the queued chunks of `transfer` (cancelled); returns how many.
  size_t removeTransfer(uint32_t transfer);
  bool empty(int channel) const { return queues_[channel].empty(); }
  const QueuedMessage& front(int channel) const { return queues_[channel].front(); }
  // The i-th queued message on `channel` (0 = the front), for tests that follow replays.
  const QueuedMessage& at(int channel, size_t i) const { return queues_[channel][i]; }
  void pop(int channel);
  // Puts messages being replayed (oldest first) before everything queued on `channel`. Not
  // bounded by maxBytes: send() accepted them once already.
  void pushReplayed(int channel, std::deque<Payload> oldestFirst);
  // Pops the front message and hands its payload over (to the replay store).
  Payload take(int channel);
  void clear();

  size_t messages() const { return messages_; }
  size_t messages(int channel) const { return queues_[channel].size(); }
  size_t bytes() const { return bytes_; }
  size_t bytes(int channel) const { return channelBytes_[channel]; }
  size_t maxBytes() const { return maxBytes_; }

 private:
  std::array<std::deque<QueuedMessage>, kChannelCount> queues_;
  std::array<size_t, kChannelCount> channelBytes_{};
  size_t maxBytes_;
  size_t bytes_ = 0;
  size_t messages_ = 0;
};

}  // namespace wre
