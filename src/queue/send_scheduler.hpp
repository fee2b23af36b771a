// Decides, message by message, whether the caller's buffer goes to the browser now or waits in
// our queue, and drains the queues by priority. Rules (documented in the README):
// - A message goes straight to its channel when the channel is open, nothing of that channel is
//   queued, and the channel's browser buffer has room (`highWater`); otherwise it is queued, and the
//   first such message (channel not open yet, or buffer full) fires Backpressure; ChannelReady
//   follows when that queue has drained.
// - Bulk channels (`unreliable`, `file`) keep at most kBulkHighWater in the browser, so small
//   messages on `control`/`reliable` never wait behind megabytes of bulk data.
// - Queues drain by deficit round robin in priority order control > reliable > unreliable > file:
//   higher priority gets a larger quantum, but every channel with room gets a turn (no starvation).
// - `unreliable` drops stale data (queued longer than kUnreliableMaxAgeMs) and, past
//   kUnreliableQueueLimit bytes, its oldest queued messages, announcing each with MessageDropped.
//   Ordered channels never drop: a full queue refuses the send.
#pragma once

#include <array>
#include <limits>

#include "peer/config.hpp"
#include "peer/driver.hpp"
#include "peer/peer_events.hpp"
#include "queue/send_queue.hpp"

namespace wre {

class SendScheduler {
 public:
  static constexpr double kBulkHighWater = 1024.0 * 1024;
  static constexpr size_t kUnreliableQueueLimit = 256 * 1024;
  static constexpr double kUnreliableMaxAgeMs = 500;
  // Chromium's own limit, assumed until the far end's SDP says otherwise.
  static constexpr double kDefaultMaxMessageSize = 256.0 * 1024;
  static constexpr std::array<int, kUserChannels> kPriorityOrder = {kControl, kReliable, kUnreliable, kFile};

  SendScheduler(const Config& config, Driver& driver, EventSink& sink);

  // Browser-side buffer limit of a channel, and its bufferedAmountLowThreshold. The threshold is
  // at least a maximum-size message below the limit, so a drain is always announced.
  double highWater(int channel) const;
  double lowThreshold(int channel) const;

  Result<void> send(int channel, Payload payload);
  void onOpen(int channel);
  void onClose(int channel) { open_[channel] = false; }
  void drain();
  // Empties every queue; returns {messages, bytes} discarded.
  std::pair<size_t, size_t> discard();

  // The far end's a=max-message-size (infinity: no limit).
  void setMaxMessageSize(double bytes) { maxMessageSize_ = bytes; }
  double maxMessageSize() const { return maxMessageSize_; }
  // Per-message events cost a JS object each: sent only while someone listens.
  void setReportSent(bool on) { reportSent_ = on; }
  void setReportQueued(bool on) { reportQueued_ = on; }

  const SendQueue& queue() const { return queue_; }
  bool isOpen(int channel) const { return open_[channel]; }

 private:
  bool hasRoom(int channel, size_t size);
  Result<void> hand(int channel, const Payload& payload);
  bool sendFront(int channel);
  void dropOldestUnreliable(size_t incoming);
  void dropped(size_t size, const char* reason);

  const Config& config_;
  Driver& driver_;
  EventSink& sink_;
  SendQueue queue_;
  std::array<bool, kChannelCount> open_{};
  std::array<bool, kChannelCount> congested_{};
  std::array<double, kChannelCount> buffered_{};  // last known bufferedAmount (only grows between reads)
  std::array<double, kUserChannels> deficit_{};
  double maxMessageSize_ = kDefaultMaxMessageSize;
  bool reportSent_ = true;
  bool reportQueued_ = true;
};

}  // namespace wre
