// Transfers, receiving side: offers to the app, the `file` inbox classified by the sender's runs,
// chunks hashed and written to the sink one at a time (each counted delivered once written: the
// sender is paced by the sink), the digest compared at the end.

#include "transfer/transfers.hpp"
#include "util/text.hpp"

namespace wre {
namespace {

// Bytes held unclassified or behind a sink write: a sender of this library keeps at most its
// `file` window in flight (512 KiB); past this the far side is not one, or is broken.
constexpr size_t kMaxInboxBytes = 4 * 1024 * 1024;

}  // namespace

void Transfers::onOffer(const wire::Offer& offer) {
  // Said again on a new `wre`, or about a transfer that is over: nothing new.
  if (incoming_.count(offer.transfer) || offer.transfer <= lastOffered_) return;
  lastOffered_ = offer.transfer;
  if (incoming_.size() >= kMaxOffered) {
    wire::Cancel refused{offer.transfer, TransferFailure::Rejected,
                         format("{} transfers are waiting already", kMaxOffered)};
    say(refused);
    remember(refused);
    return;
  }
  Incoming in;
  in.id = idOf(farSession_.value_or(0), offer.transfer);
  in.size = offer.size;
  auto size = offer.size ? std::optional<double>(static_cast<double>(*offer.size)) : std::nullopt;
  events_.onEvent(event::TransferOffered{in.id, offer.transfer, offer.name, offer.type, offer.meta, size});
  incoming_.emplace(offer.transfer, std::move(in));
}

Result<void> Transfers::accept(uint32_t number) {
  auto it = incoming_.find(number);
  if (it == incoming_.end() || it->second.stage != Incoming::Stage::Offered)
    return makeError(ErrorKind::MessageHandling, "accept(): the transfer was accepted, rejected or ended already");
  it->second.stage = Incoming::Stage::Accepted;
  it->second.startedMs = driver_.nowMs();
  say(wire::Accept{number});
  return ok();
}

Result<void> Transfers::reject(uint32_t number, const std::string& reason) {
  auto it = incoming_.find(number);
  if (it == incoming_.end() || it->second.stage != Incoming::Stage::Offered)
    return makeError(ErrorKind::MessageHandling, "reject(): the transfer was accepted, rejected or ended already");
  failIncoming(number, TransferFailure::Rejected,
               reason.empty() ? std::string("rejected by the receiver") : "rejected by the receiver: " + reason, true);
  return ok();
}

void Transfers::onEnd(const wire::End& end) {
  auto it = incoming_.find(end.transfer);
  if (it == incoming_.end() || it->second.end) return;
  auto& in = it->second;
  if (in.size && end.bytes != *in.size)
    return failIncoming(end.transfer, TransferFailure::Integrity,
                        format("the sender ended after {} bytes, not the {} it offered", end.bytes, *in.size), true);
  in.end = end;
  finishIfWhole(end.transfer, in);
}

void Transfers::finishIfWhole(uint32_t number, Incoming& in) {
  if (in.stage != Incoming::Stage::Accepted || !in.end || writing_) return;
  if (in.written > in.end->bytes)
    return failIncoming(number, TransferFailure::Integrity,
                        format("{} bytes arrived where the sender said {}", in.written, in.end->bytes), true);
  if (in.written < in.end->bytes) return;
  in.digest = in.sha.finish();
  if (in.digest != in.end->sha256)
    return failIncoming(number, TransferFailure::Integrity,
                        format("SHA-256 of the {} bytes received is {}, the sender's is {}", in.written,
                               toHex(in.digest), toHex(in.end->sha256)),
                        true);
  in.stage = Incoming::Stage::Finishing;
  events_.onEvent(event::TransferIo{event::TransferIo::Op::Finish, number, 0, 0, nullptr, {}});
}

void Transfers::onSinkFinished(uint32_t number) {
  auto it = incoming_.find(number);
  if (it == incoming_.end() || it->second.stage != Incoming::Stage::Finishing) return;
  const auto& in = it->second;
  wire::Done done{number};
  say(done);
  remember(done);
  events_.onEvent(event::TransferComplete{in.id, number, false, static_cast<double>(in.written), toHex(in.digest),
                                          (driver_.nowMs() - in.startedMs) / 1000});
  incoming_.erase(it);
}

void Transfers::onSinkWritten(uint32_t number) {
  if (!writing_ || writing_->transfer != number) return;
  size_t size = writing_->size;
  writing_.reset();
  delivered_(size);
  if (auto it = incoming_.find(number); it != incoming_.end()) {
    auto& in = it->second;
    in.written += size;
    events_.onEvent(
        event::TransferProgress{in.id, false, static_cast<double>(in.written),
                                in.size ? std::optional<double>(static_cast<double>(*in.size)) : std::nullopt});
    finishIfWhole(number, in);
  }
  pump();
}

void Transfers::onSinkFailed(uint32_t number, const std::string& message) {
  if (writing_ && writing_->transfer == number) {
    size_t size = writing_->size;
    writing_.reset();
    delivered_(size);  // processed: the sender must not wait on it
  }
  if (incoming_.count(number))
    failIncoming(number, TransferFailure::Sink, format("the sink failed: {}", message), true);
  pump();
}

void Transfers::failIncoming(uint32_t number, TransferFailure reason, const std::string& message, bool tellFar) {
  auto it = incoming_.find(number);
  if (it == incoming_.end()) return;
  auto in = std::move(it->second);
  incoming_.erase(it);
  if (tellFar) {
    wire::Cancel cancel{number, reason, message.substr(0, wire::kMaxMessage)};
    say(cancel);
    remember(cancel);
  }
  if (in.stage != Incoming::Stage::Offered)
    events_.onEvent(event::TransferIo{event::TransferIo::Op::Abort, number, 0, 0, nullptr, message});
  events_.onEvent(event::TransferFailed{in.id, number, false, reason, message});
}

void Transfers::onRun(const wire::Run& run) {
  if (!classifying_) return;
  if (!runs_.add(run.start, run.count, run.transfer))
    return stopClassifying("the far side announced its file messages wrongly (a gap, or too many runs ahead)");
  pump();
}

void Transfers::stopClassifying(const std::string& why) {
  // This far side does not announce as it should: what it sends on `file` goes to the app as its
  // own messages from now on, held ones first, in order, like any peer's `file` messages.
  classifying_ = false;
  while (!incoming_.empty()) failIncoming(incoming_.begin()->first, TransferFailure::Closed, why, true);
  for (auto& held : inbox_) {
    size_t size = held.data.size();
    events_.onEvent(event::FileMessage{std::make_shared<const Payload>(std::move(held.data))});
    delivered_(size);
  }
  inbox_.clear();
  inboxBytes_ = 0;
}

Transfers::Arrival Transfers::onFileArrival(size_t size) {
  ++arrivedOnConnection_;
  uint64_t index = nextArrival_;
  bool known = !syncPending_ && inbox_.empty() && !writing_ && index >= fileDelivered_();
  if (!classifying_ || (known && runs_.classify(index) == 0u)) {
    ++nextArrival_;
    delivered_(size);
    return Arrival::Deliver;
  }
  --arrivedOnConnection_;  // counted again by keep()
  return Arrival::Keep;
}

void Transfers::keep(Payload data) {
  ++arrivedOnConnection_;
  uint64_t index = syncPending_ ? kUnknown : nextArrival_++;
  // Below what is processed: the far side replays from our counts while a chunk was being written.
  if (index != kUnknown && index < fileDelivered_() + (writing_ ? 1 : 0)) return;
  inboxBytes_ += data.size();
  inbox_.push_back({index, std::move(data)});
  if (inboxBytes_ > kMaxInboxBytes)
    return stopClassifying(
        format("the far side sent {} bytes on file that it did not announce or that "
               "wait behind a sink write, over the {} a sender of this library keeps in flight",
               inboxBytes_, kMaxInboxBytes));
  pump();
}

void Transfers::onSync(uint64_t first) {
  // Every arrival on this connection has its index now: `first` and on, in order.
  nextArrival_ = first + arrivedOnConnection_;
  if (!syncPending_) return;
  syncPending_ = false;
  uint64_t index = nextArrival_;
  for (auto it = inbox_.rbegin(); it != inbox_.rend() && it->index == kUnknown; ++it) it->index = --index;
  // Replays of what was processed already (a chunk whose write was running when our counts went).
  uint64_t processed = fileDelivered_() + (writing_ ? 1 : 0);
  while (!inbox_.empty() && inbox_.front().index < processed) {
    inboxBytes_ -= inbox_.front().data.size();
    inbox_.pop_front();
  }
  pump();
}

void Transfers::pump() {
  while (!writing_ && !inbox_.empty()) {
    auto& front = inbox_.front();
    if (front.index == kUnknown) return;
    auto number = runs_.classify(front.index);
    if (!number) return;
    uint64_t index = front.index;
    size_t size = front.data.size();
    Payload data = std::move(front.data);
    inbox_.pop_front();
    inboxBytes_ -= size;
    runs_.dropBefore(index);
    if (*number == 0) {
      events_.onEvent(event::FileMessage{std::make_shared<const Payload>(std::move(data))});
      delivered_(size);
      continue;
    }
    auto it = incoming_.find(*number);
    if (it == incoming_.end() || it->second.stage != Incoming::Stage::Accepted) {
      delivered_(size);  // a cancelled or failed transfer's chunk: processed, not written
      continue;
    }
    hash(it->second.sha, data);
    writing_ = Writing{*number, size};
    events_.onEvent(event::TransferIo{event::TransferIo::Op::Write,
                                      *number,
                                      static_cast<double>(it->second.written),
                                      static_cast<double>(size),
                                      std::make_shared<const Payload>(std::move(data)),
                                      {}});
  }
}

}  // namespace wre
