// Decides, message by message, whether the caller's buffer goes to the browser now or waits in
// our queue, and drains the queues by priority. Rules (documented in the README):
// - A message goes straight to its channel when the channel is open, nothing of that channel is
//   queued, and the channel's browser buffer has room (`highWater`); otherwise it is queued, and the
//   first such message (channel not open yet, or buffer full) fires Backpressure; ChannelReady
//   follows when that queue has drained.
// - Bulk channels (`unreliable`, `file`) keep at most kBulkHighWater in the browser, so small
//   messages on `control`/`reliable` never wait behind megabytes of bulk data.
// - Between two peers of this library, `file` also keeps at most CreditWindow::kWindow bytes
//   unacknowledged by the far end's app (receiver-paced flow control, credit_window.hpp); a message
//   the window holds back is queued exactly like one a full browser buffer holds back.
// - Queues drain by deficit round robin in priority order control > reliable > unreliable > file:
//   higher priority gets a larger quantum, but every channel with room gets a turn (no starvation).
// - `unreliable` drops stale data (queued longer than kUnreliableMaxAgeMs) and, past
//   kUnreliableQueueLimit bytes, its oldest queued messages, announcing each with MessageDropped.
//   Ordered channels never drop: a full queue refuses the send.
// - Between two peers of this library that count deliveries, what goes to the browser on
//   `control`, `reliable` and `file` is kept (ReplayStore) until the far side confirms it, up to
//   `maxQueuedBytes` (at least one message) beside the queues' own `maxQueuedBytes`: past that,
//   messages wait in the queue (backpressure, like a full browser buffer) instead of going to the
//   browser. Not shared with the queues: the browser buffer (which the store mirrors) would then
//   eat the queue's room, and a send be refused sooner than without resume.
#pragma once

#include <array>
#include <limits>

#include "peer/config.hpp"
#include "peer/driver.hpp"
#include "peer/peer_events.hpp"
#include "queue/credit_window.hpp"
#include "queue/replay_store.hpp"
#include "queue/send_queue.hpp"

namespace wre {

// Told of every `file` message handed to the browser, with its index in this session (what the far
// side counts) and whether it was handed before (a replay after a rebuilt connection), and when a
// batch of them ends: the transfers announce runs (src/transfer/).
class FileObserver {
 public:
  virtual ~FileObserver() = default;
  virtual void onFileHanded(uint64_t index, const Payload& payload, bool replay) = 0;
  virtual void onFileBatchEnd() = 0;
};

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
  // at least a 256 KiB message below the limit, so a drain is announced for any message that size;
  // a larger one (the far end allows it) goes whenever the buffer is at or below the threshold.
  double highWater(int channel) const;
  double lowThreshold(int channel) const;

  Result<void> send(int channel, Payload payload);
  // A transfer's chunk (payload.transfer() set) onto `file`, behind what is queued there; no
  // message-queued / message-sent reports (the transfer reports progress).
  void sendChunk(Payload payload);
  // A cancelled transfer's chunks still queued are not sent.
  void dropTransfer(uint32_t transfer) { queue_.removeTransfer(transfer); }
  void setFileObserver(FileObserver* observer) { fileObserver_ = observer; }
  // `file` messages handed to the browser in this session: the far side's index of the next one.
  uint64_t fileIndex() const { return fileIndex_; }
  void onOpen(int channel);
  void onClose(int channel);
  // The connection was rebuilt (its channels closed): the `file` window restarts (CreditWindow::restart).
  void onConnectionReplaced();
  void drain();
  // Empties every queue and resets the `file` window (the peer closes); returns {messages, bytes}
  // discarded.
  std::pair<size_t, size_t> discard();

  // The largest message the connection carries (infinity: no limit); the peer sets it from both
  // descriptions' a=max-message-size.
  void setMaxMessageSize(double bytes) { maxMessageSize_ = bytes; }
  double maxMessageSize() const { return maxMessageSize_; }
  // Per-message events cost a JS object each: sent only while someone listens.
  void setReportSent(bool on) { reportSent_ = on; }
  void setReportQueued(bool on) { reportQueued_ = on; }

  // The far end's acknowledgement of `file` bytes delivered (untrusted; see CreditWindow). The
  // first one turns the window on; each one that opens it further drains the queues.
  void onFileAck(uint64_t delivered);
  const CreditWindow& fileWindow() const { return fileWindow_; }
  // True while messages wait in our queue on an open channel (the browser's buffer, or the window).
  bool waitingOnOpenChannel() const;
  // True while `file` data waits in our queue for the far end's acknowledgements alone.
  bool fileHeldByWindow() const;
  // The far end stopped acknowledging: `file` goes on with the browser's buffer as its only bound.
  void abandonFileWindow();

  // Session resume: the far side's delivered counts (untrusted; ReplayStore). Releasing what they
  // cover drains the queues. The first counts after holdForResume() also put what they do not
  // cover back at the front of the queues (sent again, oldest first, before anything newer) and
  // end the hold; returns the messages per counted index that could not be replayed (sent
  // before the far side's first counts, never kept).
  std::array<uint64_t, 3> onDeliveredCounts(const DeliveredCounts& counts);
  // The connection is being rebuilt: if the store keeps for this far side, or `farCounts` (the far
  // side said it counts, so it answers the new connection's hello with counts), nothing more goes
  // out on counted channels until its first counts on the new connection say where to resume. A
  // far side not known to count may still start later; its counts could then not tell what the old
  // connection lost from what the new one delivered, and a later replay would resend delivered
  // messages: the store keeps nothing for it any more (no resume in this session).
  // What was queued on counted channels at that moment was meant for this session too: see
  // endSession().
  void holdForResume(bool farCounts);
  bool awaitingResume() const { return awaitingResume_; }
  const ReplayStore& replay() const { return replay_; }
  // Would a `size`-byte message on `channel` wait for the far side's counts (the store is full)?
  bool replayFull(int channel, size_t size) const;
  // True while a counted channel's queue waits on the replay store's bound alone.
  bool heldByReplay() const;
  // The far side stopped confirming: keep nothing more, send on. Returns {messages, bytes} let go.
  std::pair<size_t, size_t> abandonReplay();
  // The peer closes: returns {messages, bytes} the store held.
  std::pair<size_t, size_t> releaseReplay() {
    awaitingResume_ = false;
    return replay_.reset();
  }
  // The far side came back as a new session: the old one's messages go nowhere. What the store
  // held, and what send() accepted before the connection was rebuilt (still queued), are let go;
  // what the app sent since goes to the new session.
  struct SessionEnd {
    size_t unconfirmed = 0, unconfirmedBytes = 0;  // went to the browser, not confirmed delivered
    size_t queued = 0, queuedBytes = 0;            // never sent
  };
  SessionEnd endSession();
  // What the store may hold before messages wait in the queue instead (at least one message).
  size_t replayLimit() const { return queue_.maxBytes(); }

  const SendQueue& queue() const { return queue_; }
  bool isOpen(int channel) const { return open_[channel]; }

 private:
  bool hasRoom(int channel, size_t size);
  // What `backpressure` reports: the browser's buffer, or the bytes in flight when the window holds.
  double pressure(int channel) const;
  Result<void> handToBrowser(int channel, const Payload& payload, bool report = true);
  bool sendFront(int channel);
  void keep(int channel, Payload payload);
  void dropOldestUnreliable(size_t incoming);
  void reportDropped(size_t size, const char* reason);

  const Config& config_;
  Driver& driver_;
  EventSink& sink_;
  SendQueue queue_;
  std::array<bool, kChannelCount> open_{};
  std::array<bool, kChannelCount> congested_{};
  std::array<double, kChannelCount> buffered_{};  // last known bufferedAmount (only grows between reads)
  std::array<double, kUserChannels> deficit_{};
  CreditWindow fileWindow_;
  ReplayStore replay_;
  double maxMessageSize_ = kDefaultMaxMessageSize;
  // message-sent / message-queued cost an event per message: off until the app listens (the JS
  // wrapper turns each on with its first listener, CorePeer::reportEvent).
  bool reportSent_ = false;
  bool reportQueued_ = false;
  bool awaitingResume_ = false;  // holdForResume() until the far side's first counts
  FileObserver* fileObserver_ = nullptr;
  uint64_t fileIndex_ = 0;
  // Messages queued per counted channel when the last rebuild began: the old session's (endSession).
  std::array<size_t, 3> queuedAtRebuild_{};
};

}  // namespace wre
