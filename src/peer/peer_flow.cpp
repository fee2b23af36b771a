// Flow control around the SendScheduler: the acknowledgements this side sends as the app gets
// `file` data (receiver-paced `file`, README "Send queues"), the watch on the far end's
// acknowledgements (given up on after kFileAckStallMs of silence with data in flight), and the
// watch on a queue that waits for a channel to open.

#include "peer/peer.hpp"
#include "peer/wre_messages.hpp"
#include "util/text.hpp"

namespace wre {

void Peer::fileMessageDelivered(size_t size) {
  countDelivered(kFile, size);
  fileDelivered_ += size;
  if (farSideIsLibrary_ && fileDelivered_ - fileAckSent_ >= CreditWindow::kAckStep) sendFileAck();
}

void Peer::sendFileAck() {
  // Not sent (the channel closing): the next delivery tries again.
  if (driver_.sendBytes(kWre, encodeAck(fileDelivered_))) fileAckSent_ = fileDelivered_;
}

void Peer::watchDrain() {
  if (scheduler_.waitingOnOpenChannel() && !hasTimer(TimerKind::DrainWatch))
    startTimer(TimerKind::DrainWatch, kDrainWatchMs);
  watchReplayAcks();  // what waits may wait on the far side's counts
}

void Peer::watchFileAcks() {
  if (!scheduler_.fileHeldByWindow() || hasTimer(TimerKind::FileAckStall)) return;
  ackedAtWatch_ = scheduler_.fileWindow().acked();
  startTimer(TimerKind::FileAckStall, kFileAckStallMs);
}

void Peer::onFileAckStall() {
  if (!scheduler_.fileHeldByWindow()) return;
  // Reconnecting (no acks can come), or acks still arriving: keep watching. A far side that takes
  // transfers acknowledges what its sinks wrote: a slow sink (a save dialog left open) is no stall.
  if (state_ != PeerState::Connected || scheduler_.fileWindow().acked() != ackedAtWatch_ ||
      transfers_.farTakesTransfers())
    return watchFileAcks();
  emitError(ErrorKind::Send, format("the far end acknowledged no 'file' data for {} ms with {} bytes in flight; "
                                    "'file' goes on without its receiver-paced window, bounded by the browser's "
                                    "buffer alone (is the far end a modified or stalled copy of this library?)",
                                    kFileAckStallMs, scheduler_.fileWindow().inFlight()));
  scheduler_.abandonFileWindow();
}

}  // namespace wre
