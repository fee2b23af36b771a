// Transfers: what both directions share (the wire, the peer's life). Sending: transfers_send.cpp;
// receiving: transfers_receive.cpp.
#include "transfer/transfers.hpp"
#include "util/text.hpp"

namespace wre {

Transfers::Transfers(Driver& driver, EventSink& events, SendScheduler& scheduler, std::function<void(size_t)> delivered,
                     std::function<uint64_t()> fileDelivered)
    : driver_(driver),
      events_(events),
      scheduler_(scheduler),
      delivered_(std::move(delivered)),
      fileDelivered_(std::move(fileDelivered)) {}

std::string Transfers::idOf(uint64_t session, uint32_t number) const {
  // "<sender's session, 16 hex digits>-<number>": the same on both sides, unique per sender.
  Digest bytes{};
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<uint8_t>(session >> (56 - 8 * i));
  return toHex(bytes).substr(0, 16) + "-" + std::to_string(number);
}

bool Transfers::say(const wire::TransferMessage& message) {
  // Not sent (`wre` closing): what matters is said again on the next `wre` (sayHello).
  return driver_.sendBytes(kWre, wire::encode(message)).has_value();
}

void Transfers::remember(const wire::TransferMessage& final) {
  finals_.push_back(final);
  if (finals_.size() > kRecentFinals) finals_.pop_front();
}

void Transfers::hash(Sha256& sha, const Payload& data) {
  scratch_.resize(data.size());
  if (!scratch_.empty()) driver_.copyBytes(data, scratch_.data());
  sha.update(scratch_.data(), scratch_.size());
}

void Transfers::sayHello() {
  say(wire::Capable{wire::kTransferVersion});
  // The messages a lost `wre` may have swallowed, each harmless if it did arrive.
  if (classifying_) say(wire::ClassifyFrom{classifyFrom_});
  if (syncUnsaid_ && say(wire::Sync{*syncUnsaid_})) syncUnsaid_.reset();
  while (!syncUnsaid_ && !unsaidRuns_.empty() && say(unsaidRuns_.front())) unsaidRuns_.pop_front();
  for (const auto& [number, out] : outgoing_) {
    if (out.stage == Outgoing::Stage::Offered) offer(number, out);
    if (out.stage == Outgoing::Stage::Ended) say(wire::End{number, out.read, out.digest});
  }
  for (const auto& [number, in] : incoming_)
    if (in.stage != Incoming::Stage::Offered) say(wire::Accept{number});
  for (const auto& final : finals_) say(final);
}

void Transfers::onMessage(const wire::TransferMessage& message) {
  std::visit(
      [&](const auto& m) {
        using M = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<M, wire::Capable>) {
          // The far side announces its `file` messages when asked: from what we have seen on.
          if (classifying_) return;
          classifying_ = true;
          classifyFrom_ = nextArrival_;
          runs_.reset(classifyFrom_);
          say(wire::ClassifyFrom{classifyFrom_});
        } else if constexpr (std::is_same_v<M, wire::ClassifyFrom>) {
          onClassifyFrom(m.index);
        } else if constexpr (std::is_same_v<M, wire::Run>) {
          onRun(m);
        } else if constexpr (std::is_same_v<M, wire::Sync>) {
          onSync(m.first);
        } else if constexpr (std::is_same_v<M, wire::Offer>) {
          onOffer(m);
        } else if constexpr (std::is_same_v<M, wire::Accept>) {
          onAccept(m.transfer);
        } else if constexpr (std::is_same_v<M, wire::End>) {
          onEnd(m);
        } else if constexpr (std::is_same_v<M, wire::Done>) {
          onDone(m.transfer);
        } else if constexpr (std::is_same_v<M, wire::Cancel>) {
          onCancel(m);
        }
      },
      message);
}

void Transfers::onCancel(const wire::Cancel& cancel) {
  // From the receiver about our transfer (rejected, integrity, sink), or from the sender about
  // one we receive (cancelled). A number both sides use is told apart by the reason.
  auto reason = cancel.reason;
  std::string why = cancel.message.empty() ? std::string(toString(reason)) : cancel.message;
  bool fromReceiver =
      reason == TransferFailure::Rejected || reason == TransferFailure::Integrity || reason == TransferFailure::Sink;
  if (fromReceiver) {
    if (outgoing_.count(cancel.transfer)) failOutgoing(cancel.transfer, reason, format("the far side: {}", why), false);
  } else if (incoming_.count(cancel.transfer)) {
    failIncoming(cancel.transfer, reason, format("the far side: {}", why), false);
  }
}

void Transfers::endAll(TransferFailure reason, const std::string& message) {
  while (!outgoing_.empty()) failOutgoing(outgoing_.begin()->first, reason, message, false);
  while (!incoming_.empty()) failIncoming(incoming_.begin()->first, reason, message, false);
  inbox_.clear();
  inboxBytes_ = 0;
  writing_.reset();
  pendingRun_.reset();
  unsaidRuns_.clear();
  announceFrom_.reset();
  classifying_ = false;
  finals_.clear();
}

void Transfers::onConnectionReplaced() {
  inbox_.clear();
  inboxBytes_ = 0;
  pendingRun_.reset();
  unsaidRuns_.clear();  // their messages are replayed (and announced again) or lost
  syncPending_ = true;
  arrivedOnConnection_ = 0;
  firstOnConnection_ = true;
  syncUnsaid_.reset();
}

}  // namespace wre
