#include "queue/send_scheduler.hpp"

#include <algorithm>
#include <tuple>

#include "util/text.hpp"

namespace wre {
namespace {

// Bytes a channel may send per round of the deficit round robin, by priority.
constexpr std::array<double, kUserChannels> kQuantum = {64 * 1024, 32 * 1024, 16 * 1024, 16 * 1024};

bool isBulk(int channel) { return channel == kUnreliable || channel == kFile; }

}  // namespace

SendScheduler::SendScheduler(const Config& config, Driver& driver, EventSink& sink)
    : config_(config), driver_(driver), sink_(sink), queue_(static_cast<size_t>(config.maxQueuedBytes)) {}

double SendScheduler::highWater(int channel) const {
  return isBulk(channel) ? std::min(config_.maxBufferedAmount, kBulkHighWater) : config_.maxBufferedAmount;
}

double SendScheduler::lowThreshold(int channel) const {
  return std::max(0.0, std::min(config_.lowWaterMark, highWater(channel) - kDefaultMaxMessageSize));
}

bool SendScheduler::replayFull(int channel, size_t size) const {
  return replay_.active() && countedIndex(channel) >= 0 && !replay_.empty() && replay_.bytes() + size > replayLimit();
}

void SendScheduler::keep(int channel, Payload payload) {
  if (int i = countedIndex(channel); i >= 0) replay_.onHanded(i, std::move(payload));
}

bool SendScheduler::hasRoom(int channel, size_t size) {
  if (awaitingResume_ && countedIndex(channel) >= 0) return false;
  if (channel == kFile && !fileWindow_.allows(size)) return false;
  if (replayFull(channel, size)) return false;
  // The estimate only overstates (the browser drains it): ask the browser before saying no.
  // Saying no waits for bufferedamountlow, which the browser fires only on the way down through
  // the low threshold: at or below it (an empty buffer included) any message goes, or one larger
  // than highWater - lowThreshold (a far end allowing more than 256 KiB) would wait for good.
  auto fits = [&] {
    return buffered_[channel] <= lowThreshold(channel) || buffered_[channel] + size <= highWater(channel);
  };
  if (fits()) return true;
  buffered_[channel] = driver_.bufferedAmount(channel);
  return fits();
}

Result<void> SendScheduler::handToBrowser(int channel, const Payload& payload, bool report) {
  WRE_TRY(driver_.send(channel, payload));
  buffered_[channel] += static_cast<double>(payload.size());  // an upper bound until asked again
  if (channel == kFile) {
    fileWindow_.onSent(payload.size());
    if (fileObserver_) fileObserver_->onFileHanded(fileIndex_, payload, !report);
    ++fileIndex_;
  }
  if (reportSent_ && report && payload.transfer() == 0) sink_.onEvent(event::MessageSent{channel, payload.size()});
  return ok();
}

void SendScheduler::sendChunk(Payload payload) {
  queue_.pushChunk(std::move(payload));
  drain();
}

Result<void> SendScheduler::send(int channel, Payload payload) {
  size_t size = payload.size();
  if (static_cast<double>(size) > maxMessageSize_)
    return makeError(ErrorKind::Send,
                     format("send(): a {}-byte message is larger than the maximum message size "
                            "of this connection ({} bytes: the smaller of the far end's a=max-message-size and "
                            "this browser's own); "
                            "split it into smaller messages",
                            size, maxMessageSize_));
  if (!open_[channel] && !congested_[channel]) {
    // Not open yet: the same signal as a full buffer, so "send until backpressure, then await
    // channel-ready" is safe from the first message on.
    congested_[channel] = true;
    sink_.onEvent(event::Backpressure{channel, 0});
  }
  if (open_[channel] && queue_.empty(channel)) {
    if (hasRoom(channel, size)) {
      if (auto sent = handToBrowser(channel, payload); !sent)
        return makeError(ErrorKind::Send,
                         format("send() on '{}' failed: {}", kChannels[channel].label, sent.error().message));
      keep(channel, std::move(payload));
      if (channel == kFile && fileObserver_) fileObserver_->onFileBatchEnd();
      return ok();
    }
    if (!congested_[channel]) {
      congested_[channel] = true;
      sink_.onEvent(event::Backpressure{channel, pressure(channel)});
    }
  }
  if (channel == kUnreliable) dropOldestUnreliable(size);
  WRE_TRY(queue_.push(channel, std::move(payload), channel == kUnreliable ? driver_.nowMs() : 0));
  if (reportQueued_) sink_.onEvent(event::MessageQueued{channel, size});
  return ok();
}

double SendScheduler::pressure(int channel) const {
  // Everything in the browser's buffer is unacknowledged too, so in flight is the larger figure.
  if (channel == kFile && fileWindow_.active()) return static_cast<double>(fileWindow_.inFlight());
  return buffered_[channel];
}

void SendScheduler::onFileAck(uint64_t delivered) {
  if (fileWindow_.onAck(delivered)) drain();
}

bool SendScheduler::waitingOnOpenChannel() const {
  for (int c : kPriorityOrder)
    if (open_[c] && !queue_.empty(c)) return true;
  return false;
}

bool SendScheduler::fileHeldByWindow() const {
  return fileWindow_.limits() && open_[kFile] && !queue_.empty(kFile) &&
         !fileWindow_.allows(queue_.front(kFile).payload.size());
}

void SendScheduler::holdForResume(bool farCounts) {
  for (size_t i = 0; i < kCountedChannels.size(); ++i) queuedAtRebuild_[i] = queue_.messages(kCountedChannels[i]);
  if (replay_.abandoned()) return;
  if (replay_.active() || farCounts) {
    awaitingResume_ = true;
    return;
  }
  bool anyHanded = replay_.handed(0) + replay_.handed(1) + replay_.handed(2) > 0;
  if (anyHanded) replay_.abandon();  // (holds nothing: inactive)
}

SendScheduler::SessionEnd SendScheduler::endSession() {
  SessionEnd end;
  std::tie(end.unconfirmed, end.unconfirmedBytes) = releaseReplay();
  fileIndex_ = 0;  // the new session counts from its first message
  for (size_t i = 0; i < kCountedChannels.size(); ++i) {
    for (size_t n = std::min(queuedAtRebuild_[i], queue_.messages(kCountedChannels[i])); n > 0; --n) {
      ++end.queued;
      end.queuedBytes += queue_.front(kCountedChannels[i]).payload.size();
      queue_.pop(kCountedChannels[i]);
    }
    queuedAtRebuild_[i] = 0;
  }
  drain();  // channel-ready for a queue that emptied
  return end;
}

std::array<uint64_t, 3> SendScheduler::onDeliveredCounts(const DeliveredCounts& counts) {
  bool released = replay_.onCounts(counts);
  if (!awaitingResume_) {
    if (released) drain();
    return {};
  }
  awaitingResume_ = false;
  queuedAtRebuild_ = {};
  auto unacked = replay_.takeUnacked();
  fileIndex_ = replay_.handed(countedIndex(kFile));  // replays go out again from the far side's count
  for (size_t i = 0; i < kCountedChannels.size(); ++i)
    queue_.pushReplayed(kCountedChannels[i], std::move(unacked.messages[i]));
  drain();
  return unacked.lost;
}

bool SendScheduler::heldByReplay() const {
  if (awaitingResume_) return true;
  for (int c : kCountedChannels)
    if (open_[c] && !queue_.empty(c) && replayFull(c, queue_.front(c).payload.size())) return true;
  return false;
}

void SendScheduler::onConnectionReplaced() { fileWindow_.restart(); }

std::pair<size_t, size_t> SendScheduler::abandonReplay() {
  awaitingResume_ = false;
  auto gone = replay_.abandon();
  drain();
  return gone;
}

void SendScheduler::abandonFileWindow() {
  fileWindow_.abandon();
  drain();
}

void SendScheduler::onClose(int channel) {
  open_[channel] = false;
  // Without the data channel or the one carrying acknowledgements the counts mean nothing more:
  // back to the browser-buffer bound alone, and let anything the window held go.
  if (channel == kFile || channel == kWre) {
    fileWindow_.reset();
    drain();
  }
}

void SendScheduler::onOpen(int channel) {
  open_[channel] = true;
  buffered_[channel] = 0;
  drain();
}

bool SendScheduler::sendFront(int channel) {
  const QueuedMessage& next = queue_.front(channel);
  size_t size = next.payload.size();
  if (channel == kUnreliable && driver_.nowMs() - next.queuedAtMs > kUnreliableMaxAgeMs) {
    queue_.pop(channel);
    reportDropped(size, "stale");
    return true;
  }
  if (!hasRoom(channel, size)) return false;
  if (static_cast<double>(size) > maxMessageSize_) {
    queue_.pop(channel);
    sink_.onEvent(event::ErrorRaised{
        makeError(ErrorKind::Send, format("a queued {}-byte message on '{}' is larger than the maximum "
                                          "message size of this connection ({} bytes); it was not sent",
                                          size, kChannels[channel].label, maxMessageSize_))});
    return true;
  }
  if (auto sent = handToBrowser(channel, next.payload, !next.replay); !sent) {
    sink_.onEvent(event::ErrorRaised{
        makeError(ErrorKind::Send, format("sending a queued message on '{}' failed: {}; it stays queued",
                                          kChannels[channel].label, sent.error().message))});
    return false;
  }
  keep(channel, queue_.take(channel));
  return true;
}

void SendScheduler::drain() {
  auto ready = [&](int c) { return open_[c] && !queue_.empty(c); };
  bool progress = true;
  while (progress) {
    progress = false;
    for (int c : kPriorityOrder) {
      if (!ready(c)) {
        deficit_[c] = 0;
        continue;
      }
      deficit_[c] += kQuantum[c];
      while (ready(c) && static_cast<double>(queue_.front(c).payload.size()) <= deficit_[c]) {
        double size = static_cast<double>(queue_.front(c).payload.size());
        if (!sendFront(c)) break;
        deficit_[c] -= size;
        progress = true;
      }
      // A message larger than the deficit waits for the next round; that is progress too.
      if (ready(c) && static_cast<double>(queue_.front(c).payload.size()) > deficit_[c] &&
          hasRoom(c, queue_.front(c).payload.size()))
        progress = true;
    }
  }
  if (fileObserver_) fileObserver_->onFileBatchEnd();
  for (int c : kPriorityOrder)
    if (congested_[c] && queue_.empty(c)) {
      congested_[c] = false;
      sink_.onEvent(event::ChannelReady{c});
    }
}

void SendScheduler::dropOldestUnreliable(size_t incoming) {
  while (!queue_.empty(kUnreliable) && queue_.bytes(kUnreliable) + incoming > kUnreliableQueueLimit) {
    size_t size = queue_.front(kUnreliable).payload.size();
    queue_.pop(kUnreliable);
    reportDropped(size, "overflow");
  }
}

void SendScheduler::reportDropped(size_t size, const char* reason) {
  sink_.onEvent(event::MessageDropped{kUnreliable, size, reason});
}

std::pair<size_t, size_t> SendScheduler::discard() {
  std::pair<size_t, size_t> gone{queue_.messages(), queue_.bytes()};
  queue_.clear();
  fileWindow_.reset();
  return gone;
}

}  // namespace wre
