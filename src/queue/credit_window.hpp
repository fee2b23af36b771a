// Receiver-paced flow control of the `file` channel, sender side. Between two peers of this
// library the receiver acknowledges, on `wre`, the cumulative bytes of `file` messages it has
// delivered to its app (every kAckStep bytes); the sender keeps what it has handed to the browser
// but not yet seen acknowledged (in flight: browser buffer + network + the far end's undelivered
// messages) within kWindow. The browser gives a receiving page no backpressure of its own: without
// this, megabytes of file data can sit between the two apps, and everything sent later on any
// channel arrives behind them.
//
// Inactive (no limit) until the first acknowledgement: a plain far end never sends one, and a peer
// of this library sends one (usually 0 bytes) right after its hello. Acknowledgements are
// untrusted input: one that goes backwards is ignored, one beyond what was sent is clamped, and a
// far end that stops acknowledging loses the window (abandon): the browser's buffer bounds alone.
#pragma once

#include <cstddef>
#include <cstdint>

namespace wre {

class CreditWindow {
 public:
  // Bytes in flight the sender allows (chosen by measurement: README, "Send queues").
  static constexpr uint64_t kWindow = 512 * 1024;
  // The receiver acknowledges whenever this much more has been delivered.
  static constexpr uint64_t kAckStep = 64 * 1024;

  bool active() const { return active_; }
  uint64_t sent() const { return sent_; }
  uint64_t acked() const { return acked_; }
  uint64_t inFlight() const { return sent_ - acked_; }

  // May a `size`-byte message go to the browser now? Below kAckStep in flight, always: the far end
  // acknowledges once kAckStep is outstanding, so even a message larger than the window cannot
  // deadlock.
  bool allows(size_t size) const {
    return !active_ || inFlight() + size <= kWindow || inFlight() < kAckStep;
  }
  // Counted whether or not the window is active: acknowledgements are cumulative from the start.
  void onSent(size_t size) { sent_ += size; }
  // The far end's cumulative delivered count. Returns true if it opened the window further (or
  // activated it): the caller should drain its queue.
  bool onAck(uint64_t delivered);
  // Back to inactive and zero: the peer or the channels carrying the data or the acks closed.
  void reset() { *this = CreditWindow{}; }
  // The far end stopped acknowledging (SendScheduler::abandonFileWindow): no limit and no further
  // acknowledgement trusted until the next reset.
  void abandon() {
    active_ = false;
    abandoned_ = true;
  }
  bool abandoned() const { return abandoned_; }

 private:
  bool active_ = false;
  bool abandoned_ = false;
  uint64_t sent_ = 0;
  uint64_t acked_ = 0;
};

}  // namespace wre
