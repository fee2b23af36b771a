// The peer's side of transfers (README, "Transfers"): the app's calls and the wrapper's I/O
// answers enter here, each an entry point; the policy is the Transfers' (src/transfer/).

#include "peer/peer.hpp"
#include "util/text.hpp"

namespace wre {
namespace {

std::optional<Error> overField(const char* what, const std::string& value, size_t limit) {
  if (value.size() <= limit) return std::nullopt;
  return makeError(ErrorKind::Send,
                   format("sendFile(): {} is {} bytes long (UTF-8), over the limit of {}", what, value.size(), limit));
}

}  // namespace

Result<Transfers::Started> Peer::sendFile(std::optional<uint64_t> size, std::string name, std::string type,
                                          std::string meta) {
  Outbox::Scope scope(outbox_);
  if (closed()) return failCall(ErrorKind::Send, "sendFile() called after close()");
  for (auto bad : {overField("the name", name, wire::kMaxName), overField("the type", type, wire::kMaxType),
                   overField("meta as JSON", meta, wire::kMaxMeta)})
    if (bad) return failCall(bad->kind, bad->message);
  auto started = transfers_.send(size, std::move(name), std::move(type), std::move(meta));
  watchTransferWait();
  return started;
}

void Peer::watchTransferWait() {
  if (state_ != PeerState::Connected || !transfers_.waiting() || hasTimer(TimerKind::TransferWait)) return;
  double waited = driver_.nowMs() - connectedAtMs_;
  startTimer(TimerKind::TransferWait, std::max(0.0, kTransferWaitMs - waited));
}

void Peer::onTransferWait() {
  // Not connected all along: the far side may not have been able to say it yet; wait again once up.
  if (state_ != PeerState::Connected || transfers_.farTakesTransfers()) return;
  transfers_.failWaiting(
      format("the far side is not a webrtc-enhanced peer that takes transfers ({}): sendFile() needs this library "
             "on both ends; send(data, 'file') works with any peer",
             farSideIsLibrary_ ? "an older copy of this library" : "a plain RTCPeerConnection, or another library"));
}

Result<void> Peer::acceptTransfer(uint32_t transfer) {
  Outbox::Scope scope(outbox_);
  if (closed()) return failCall(ErrorKind::InvalidState, "accept() called after the peer closed");
  auto accepted = transfers_.accept(transfer);
  if (!accepted) return failCall(accepted.error().kind, accepted.error().message);
  return ok();
}

Result<void> Peer::rejectTransfer(uint32_t transfer, const std::string& reason) {
  Outbox::Scope scope(outbox_);
  if (closed()) return failCall(ErrorKind::InvalidState, "reject() called after the peer closed");
  auto rejected = transfers_.reject(transfer, reason.substr(0, wire::kMaxMessage / 2));
  if (!rejected) return failCall(rejected.error().kind, rejected.error().message);
  return ok();
}

Result<void> Peer::cancelTransfer(uint32_t transfer, const std::string& reason) {
  Outbox::Scope scope(outbox_);
  if (closed()) return ok();  // over already: its failure (closed) was reported
  return transfers_.cancel(transfer, reason.substr(0, wire::kMaxMessage / 2));
}

void Peer::keepFileMessage(Payload data) {
  Outbox::Scope scope(outbox_);
  if (!closed()) transfers_.keep(std::move(data));
}

void Peer::onSourceRead(uint32_t transfer, Payload data, bool end) {
  Outbox::Scope scope(outbox_);
  if (!closed()) transfers_.onSourceRead(transfer, std::move(data), end);
}

void Peer::onSourceFailed(uint32_t transfer, const std::string& message) {
  Outbox::Scope scope(outbox_);
  if (!closed()) transfers_.onSourceFailed(transfer, message);
}

void Peer::onSinkWritten(uint32_t transfer) {
  Outbox::Scope scope(outbox_);
  if (!closed()) transfers_.onSinkWritten(transfer);
}

void Peer::onSinkFailed(uint32_t transfer, const std::string& message) {
  Outbox::Scope scope(outbox_);
  if (!closed()) transfers_.onSinkFailed(transfer, message);
}

void Peer::onSinkFinished(uint32_t transfer) {
  Outbox::Scope scope(outbox_);
  if (!closed()) transfers_.onSinkFinished(transfer);
}

}  // namespace wre
