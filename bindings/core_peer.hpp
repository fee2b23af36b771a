// The object the JS wrapper holds per peer: owns the core Peer and its JsDriver, turns core
// events into the guide's JS events, and takes the browser callbacks from the shims. Every method
// is an entry point into the core: the Peer delivers its events as the call returns, never in the
// middle of it. Fallible methods answer in one shape: a value, or { error: { type, message } }.
#pragma once

#include <emscripten/val.h>
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

#include "js_driver.hpp"
#include "peer/peer.hpp"
#include "util/value.hpp"

namespace wre::bind {

class CorePeer : public EventSink {
 public:
  explicit CorePeer(emscripten::val host);
  ~CorePeer();
  CorePeer(const CorePeer&) = delete;
  CorePeer& operator=(const CorePeer&) = delete;

  // A pool's peers share its outbox, and their config is the pool's defaults under the one they
  // are given (Pool::configFor); both set before start().
  void useOutbox(Outbox* outbox) { outbox_ = outbox; }
  void useConfigFor(std::function<Result<Value>(const Value&)> configFor) { configFor_ = std::move(configFor); }
  // Validates the config and makes the browser objects.
  emscripten::val start(const emscripten::val& config);
  // The config's ICE servers as RTCIceServer objects (what detectNATType() is given).
  emscripten::val iceServers() const;

  // Public API: request ids, or failures (the `error` event has been emitted too). Descriptions
  // and candidates arrive as JS values: their sizes are checked before anything is copied in.
  emscripten::val createOffer();
  emscripten::val createAnswer(const emscripten::val& offer);
  emscripten::val setRemoteAnswer(const emscripten::val& answer);
  emscripten::val addIceCandidate(const emscripten::val& candidate);
  // The hot path (a raw export, bindings/hot_exports.cpp): takes the buffer's handle. Null when
  // accepted (sent or queued), otherwise the handle of a failure.
  emscripten::EM_VAL send(int channel, emscripten::EM_VAL buffer, double size);
  void close();
  std::string state() const;
  std::string peerId() const;
  double queuedMessages() const;
  double queuedBytes() const;
  // Per-message events are only built while the app listens for them.
  void reportEvent(const std::string& name, bool on);

  // What JS passes to the raw exports to name this object.
  double address() const { return static_cast<double>(reinterpret_cast<uintptr_t>(this)); }

  // Shim callbacks.
  void onDescription(int id, const std::string& type, const std::string& sdp);
  void onRequestDone(int id);
  void onRequestFailed(int id, const std::string& message);
  void onIceCandidate(const emscripten::val& candidate);
  void onIceGatheringState(const std::string& state);
  void onIceConnectionState(const std::string& state);
  void onConnectionState(const std::string& state);
  void onChannelOpen(int channel);
  void onChannelClose(int channel);
  void onChannelError(int channel, const std::string& message);
  void onBufferedAmountLow(int channel);
  // 1: the shim hands the message to the app; 2: it hands it to keepFileMessage (the transfers
  // classify it first); 0: nobody gets it (the peer closed).
  int onUserMessage(int channel, double size);
  // Transfers (core_transfers.cpp). sendFile: { transfer, id } or a failure; size -1: unknown.
  emscripten::val sendFile(double size, const emscripten::val& name, const emscripten::val& type,
                           const emscripten::val& meta);
  emscripten::val acceptTransfer(int transfer);
  emscripten::val rejectTransfer(int transfer, const std::string& reason);
  emscripten::val cancelTransfer(int transfer, const std::string& reason);
  void onSourceRead(int transfer, const emscripten::val& data, bool end);
  void onSourceFailed(int transfer, const std::string& message);
  void onSinkWritten(int transfer);
  void onSinkFailed(int transfer, const std::string& message);
  void onSinkFinished(int transfer);
  // Takes the buffer's handle (a raw export: bindings/hot_exports.cpp).
  void keepFileMessage(emscripten::EM_VAL buffer, double size);
  // The far end's bytes on `wre`/`wre-probe`, copied in by JS through wre_library_message
  // (bindings/hot_exports.cpp) only when they are an ArrayBuffer within InputLimits::kLibraryMessage.
  void onLibraryMessage(int channel, std::string_view bytes);
  void onTimer(int id);
  // A getStats() report in the shim's columns (js_values.hpp: statsReportFromJs).
  void onStats(int id, const emscripten::val& numbers, const emscripten::val& strings);
  // The latest figures; asks the core for a fresh sweep when no `metrics` listener keeps them current.
  emscripten::val metrics();
  std::string quality() const;
  void onNetworkChange();

  void onEvent(const PeerEvent& event) override;

  // For a pool that owns this object (bindings/core_pool.hpp): its driver and its core peer.
  JsDriver& driver() { return driver_; }
  Peer* peer() { return peer_ ? &*peer_ : nullptr; }

 private:
  emscripten::val host_;
  JsDriver driver_;
  Outbox* outbox_ = nullptr;
  std::function<Result<Value>(const Value&)> configFor_;
  uint32_t pageTimersOwner_ = 0;  // nonzero: the timers are on the page's list (a standalone peer)
  std::optional<Peer> peer_;
};

}  // namespace wre::bind
