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
//
// Bursts: however far an acknowledgement opens the window, at most kBurst goes to the browser
// before the next one. A window opening all at once (the first acknowledgement, or a backlog of
// them after an outage) would otherwise hand the transport half a megabyte in one go; Firefox's
// SCTP sends that at once and, on a busy machine, the receiving socket's buffer overflows: lost
// packets sent again (measured in e2e/transfer.spec.js: ~1,000 packets dropped at the reconnection).
// After a rebuilt connection (restart) a far end that acknowledged before will again: until its
// first acknowledgement only kBurst goes, rather than everything up to the browser buffer's limit.
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
  // What may go to the browser between two acknowledgements (two steps: a steady flow never waits).
  static constexpr uint64_t kBurst = 2 * kAckStep;

  bool active() const { return active_; }
  uint64_t sent() const { return sent_; }
  uint64_t acked() const { return acked_; }
  uint64_t inFlight() const { return sent_ - acked_; }

  // May a `size`-byte message go to the browser now? Below kAckStep in flight, always: the far end
  // acknowledges once kAckStep is outstanding, so even a message larger than the window or the
  // burst cannot deadlock. The first message after an acknowledgement goes whatever its size.
  bool allows(size_t size) const {
    if (!active_) return !expectsAcks_ || withinBurst(size);
    if (inFlight() < kAckStep) return true;
    return inFlight() + size <= kWindow && withinBurst(size);
  }
  // True while it limits what goes (active, or awaiting a rebuilt connection's first acknowledgement).
  bool limits() const { return active_ || expectsAcks_; }
  // Counted whether or not the window is active: acknowledgements are cumulative from the start.
  void onSent(size_t size) {
    sent_ += size;
    sinceAck_ += size;
  }
  // The far end's cumulative delivered count. Returns true if it opened the window further (or
  // activated it): the caller should drain its queue.
  bool onAck(uint64_t delivered);
  // Back to inactive and zero: the peer closed, or the channels carrying the data or the acks did.
  // Whether the far end ever acknowledged is kept, for restart().
  void reset() {
    bool seen = acksSeen_;
    *this = CreditWindow{};
    acksSeen_ = seen;
  }
  // The connection was replaced: counts start again from zero on both sides. A far end that
  // acknowledged will again, so until it does only kBurst goes.
  void restart() {
    reset();
    expectsAcks_ = acksSeen_;
  }
  // The far end stopped acknowledging (SendScheduler::abandonFileWindow): no limit and no further
  // acknowledgement trusted until the next reset.
  void abandon() {
    active_ = false;
    expectsAcks_ = acksSeen_ = false;
    abandoned_ = true;
  }
  bool abandoned() const { return abandoned_; }

 private:
  // The first message since the last acknowledgement, or still within kBurst of it.
  bool withinBurst(size_t size) const { return sinceAck_ == 0 || sinceAck_ + size <= kBurst; }

  bool active_ = false;
  bool abandoned_ = false;
  bool acksSeen_ = false;     // the far end acknowledged at least once (this session)
  bool expectsAcks_ = false;  // restarted, and its first acknowledgement on the new connection is due
  uint64_t sent_ = 0;
  uint64_t acked_ = 0;
  uint64_t sinceAck_ = 0;  // handed since the last acknowledgement that opened the window
};

}  // namespace wre
