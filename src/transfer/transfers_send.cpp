// Transfers, sending side: offer, read ahead of the browser, hash, queue chunks on `file`, announce
// their runs, end with the digest; complete when the receiver says it verified.
#include <algorithm>

#include "transfer/transfers.hpp"
#include "util/text.hpp"

namespace wre {

Transfers::Started Transfers::send(std::optional<uint64_t> size, std::string name, std::string type, std::string meta) {
  uint32_t number = nextNumber_++;
  Outgoing out;
  out.id = idOf(session_, number);
  out.size = size;
  out.name = std::move(name);
  out.type = std::move(type);
  out.meta = std::move(meta);
  out.startedMs = driver_.nowMs();
  auto& added = outgoing_.emplace(number, std::move(out)).first->second;
  if (farTakesTransfers()) offer(number, added);
  return {number, added.id};
}

void Transfers::offer(uint32_t number, const Outgoing& out) {
  outgoing_.at(number).stage = Outgoing::Stage::Offered;
  say(wire::Offer{number, out.size, out.name, out.type, out.meta});
}

bool Transfers::waiting() const {
  return std::any_of(outgoing_.begin(), outgoing_.end(),
                     [](const auto& o) { return o.second.stage == Outgoing::Stage::Waiting; });
}

void Transfers::failWaiting(const std::string& message) {
  std::vector<uint32_t> numbers;
  for (const auto& [number, out] : outgoing_)
    if (out.stage == Outgoing::Stage::Waiting) numbers.push_back(number);
  for (uint32_t number : numbers) failOutgoing(number, TransferFailure::Rejected, message, false);
}

void Transfers::onClassifyFrom(uint64_t index) {
  if (announceFrom_) return;  // said again on a new `wre`: we announce already
  announceFrom_ = index;
  // Everything handed since `index` was the app's: no transfer is offered before this message.
  uint64_t handed = scheduler_.fileIndex();
  if (handed > index) {
    for (uint64_t start = index; start < handed;) {
      auto count = static_cast<uint32_t>(std::min<uint64_t>(handed - start, UINT32_MAX));
      say(wire::Run{start, count, 0});
      start += count;
    }
  }
  for (auto& [number, out] : outgoing_)
    if (out.stage == Outgoing::Stage::Waiting) offer(number, out);
}

void Transfers::onFileHanded(uint64_t index, const Payload& payload, bool replay) {
  if (firstOnConnection_) {
    // Where this connection's `file` messages start in the session (a rebuilt one resumes at the
    // far side's count, or further on if nothing was kept): the far side indexes its arrivals by it.
    firstOnConnection_ = false;
    if (!say(wire::Sync{index})) syncUnsaid_ = index;
  }
  uint32_t number = payload.transfer();
  if (number != 0 && !replay) {  // a replayed chunk was counted when it first went
    if (auto it = outgoing_.find(number); it != outgoing_.end()) {
      auto& out = it->second;
      out.handed += payload.size();
      --out.ahead;
      events_.onEvent(
          event::TransferProgress{out.id, true, static_cast<double>(out.handed),
                                  out.size ? std::optional<double>(static_cast<double>(*out.size)) : std::nullopt});
      readAhead(number, out);
    }
  }
  if (!announceFrom_ || index < *announceFrom_) return;
  if (pendingRun_ && pendingRun_->transfer == number && pendingRun_->start + pendingRun_->count == index &&
      pendingRun_->count < UINT32_MAX) {
    ++pendingRun_->count;
    return;
  }
  onFileBatchEnd();
  pendingRun_ = wire::Run{index, 1, number};
}

void Transfers::onFileBatchEnd() {
  if (!pendingRun_) return;
  // The far side holds these messages until it knows their run: one that cannot go now goes as
  // soon as `wre` opens (sayHello), in order.
  if (!unsaidRuns_.empty() || !say(*pendingRun_)) unsaidRuns_.push_back(*pendingRun_);
  pendingRun_.reset();
}

void Transfers::readAhead(uint32_t number, Outgoing& out) {
  if (out.stage != Outgoing::Stage::Sending || out.reading || out.sourceDone || out.ahead >= kReadAhead) return;
  double chunk = std::min(static_cast<double>(kChunk), scheduler_.maxMessageSize());
  out.reading = true;
  ++out.ahead;
  events_.onEvent(
      event::TransferIo{event::TransferIo::Op::Read, number, static_cast<double>(out.read), chunk, nullptr, {}});
}

void Transfers::onSourceRead(uint32_t number, Payload data, bool end) {
  auto it = outgoing_.find(number);
  if (it == outgoing_.end() || !it->second.reading) return;  // cancelled meanwhile
  auto& out = it->second;
  out.reading = false;
  out.sourceDone = end;  // before the chunk goes: handing it reads ahead again
  if (data.size() == 0) {
    --out.ahead;
  } else {
    hash(out.sha, data);
    out.read += data.size();
    data.setTransfer(number);
    scheduler_.sendChunk(std::move(data));  // may hand it at once (onFileHanded: progress)
  }
  if (!end) return readAhead(number, out);
  events_.onEvent(event::TransferIo{event::TransferIo::Op::Release, number, 0, 0, nullptr, {}});
  if (out.size && out.read != *out.size)
    return failOutgoing(number, TransferFailure::Cancelled,
                        format("the source ended after {} bytes, not the {} it was said to hold", out.read, *out.size),
                        true);
  out.stage = Outgoing::Stage::Ended;
  out.digest = out.sha.finish();
  say(wire::End{number, out.read, out.digest});
}

void Transfers::onSourceFailed(uint32_t number, const std::string& message) {
  if (!outgoing_.count(number)) return;
  failOutgoing(number, TransferFailure::Cancelled, format("reading the source failed: {}", message), true);
}

void Transfers::onAccept(uint32_t number) {
  auto it = outgoing_.find(number);
  if (it == outgoing_.end() || it->second.stage != Outgoing::Stage::Offered) return;  // repeated
  it->second.stage = Outgoing::Stage::Sending;
  it->second.startedMs = driver_.nowMs();
  readAhead(number, it->second);
}

void Transfers::onDone(uint32_t number) {
  auto it = outgoing_.find(number);
  if (it == outgoing_.end() || it->second.stage != Outgoing::Stage::Ended) return;
  const auto& out = it->second;
  events_.onEvent(event::TransferComplete{out.id, number, true, static_cast<double>(out.read), toHex(out.digest),
                                          (driver_.nowMs() - out.startedMs) / 1000});
  outgoing_.erase(it);
}

Result<void> Transfers::cancel(uint32_t number, const std::string& reason) {
  if (!outgoing_.count(number)) return makeError(ErrorKind::Send, "cancel(): the transfer is over already");
  // Who cancelled, then the app's reason if it gave one.
  failOutgoing(number, TransferFailure::Cancelled,
               reason.empty() ? std::string("cancelled by the sender") : "cancelled by the sender: " + reason, true);
  return ok();
}

void Transfers::failOutgoing(uint32_t number, TransferFailure reason, const std::string& message, bool tellFar) {
  auto it = outgoing_.find(number);
  if (it == outgoing_.end()) return;
  auto out = std::move(it->second);
  outgoing_.erase(it);
  scheduler_.dropTransfer(number);
  bool offered = out.stage != Outgoing::Stage::Waiting;
  if (tellFar && offered) {
    wire::Cancel cancel{number, reason, message.substr(0, wire::kMaxMessage)};
    say(cancel);
    remember(cancel);
  }
  if (!out.sourceDone) events_.onEvent(event::TransferIo{event::TransferIo::Op::Release, number, 0, 0, nullptr, {}});
  events_.onEvent(event::TransferFailed{out.id, number, true, reason, message});
}

}  // namespace wre
