// CorePeer's transfer calls (README, "Transfers"): the app's sendFile/accept/reject/cancel, and
// the wrapper's answers to the core's TransferIo requests (a source read, a sink write...).
#include <emscripten/val.h>

#include "core_peer.hpp"
#include "js_values.hpp"
#include "transfer/transfer_codec.hpp"

using emscripten::val;

namespace wre::bind {
namespace {

// A string the app gave, copied in only when its length can be within `limit` UTF-8 bytes (each
// UTF-16 unit is at least one byte): the core checks the bytes.
Result<std::string> boundedString(const val& s, size_t limit, const char* what) {
  if (s.isUndefined() || s.isNull()) return std::string();
  if (!s.isString()) return makeError(ErrorKind::Send, std::string("sendFile(): ") + what + " must be a string");
  if (s["length"].as<double>() > static_cast<double>(limit))
    return makeError(ErrorKind::Send,
                     std::string("sendFile(): ") + what + " is over the limit of " + std::to_string(limit) + " bytes");
  return s.as<std::string>();
}

}  // namespace

val CorePeer::sendFile(double size, const val& name, const val& type, const val& meta) {
  auto n = boundedString(name, wire::kMaxName, "the name");
  auto t = boundedString(type, wire::kMaxType, "the type");
  auto m = boundedString(meta, wire::kMaxMeta, "meta as JSON");
  for (const auto* bad : {&n, &t, &m})
    if (!*bad) return failureVal(peer_->refuse(bad->error().kind, bad->error().message));
  std::optional<uint64_t> bytes;
  if (size >= 0) bytes = static_cast<uint64_t>(size);
  auto started = peer_->sendFile(bytes, std::move(n).value(), std::move(t).value(), std::move(m).value());
  if (!started) return failureVal(started.error());
  val out = val::object();
  out.set("transfer", started.value().transfer);
  out.set("id", started.value().id);
  return out;
}

val CorePeer::acceptTransfer(int transfer) { return answerVal(peer_->acceptTransfer(static_cast<uint32_t>(transfer))); }

val CorePeer::rejectTransfer(int transfer, const std::string& reason) {
  return answerVal(peer_->rejectTransfer(static_cast<uint32_t>(transfer), reason));
}

val CorePeer::cancelTransfer(int transfer, const std::string& reason) {
  return answerVal(peer_->cancelTransfer(static_cast<uint32_t>(transfer), reason));
}

void CorePeer::onSourceRead(int transfer, const val& data, bool end) {
  if (!peer_) return;
  auto size = static_cast<size_t>(data["byteLength"].as<double>());
  peer_->onSourceRead(static_cast<uint32_t>(transfer), Payload(std::make_unique<JsBuffer>(data), size), end);
}

void CorePeer::onSourceFailed(int transfer, const std::string& message) {
  if (peer_) peer_->onSourceFailed(static_cast<uint32_t>(transfer), message);
}

void CorePeer::onSinkWritten(int transfer) {
  if (peer_) peer_->onSinkWritten(static_cast<uint32_t>(transfer));
}

void CorePeer::onSinkFailed(int transfer, const std::string& message) {
  if (peer_) peer_->onSinkFailed(static_cast<uint32_t>(transfer), message);
}

void CorePeer::onSinkFinished(int transfer) {
  if (peer_) peer_->onSinkFinished(static_cast<uint32_t>(transfer));
}

void CorePeer::keepFileMessage(emscripten::EM_VAL buffer, double size) {
  if (!peer_) return emscripten::internal::_emval_decref(buffer);
  peer_->keepFileMessage(Payload(JsBuffer::adopt(buffer), static_cast<size_t>(size)));
}

}  // namespace wre::bind
