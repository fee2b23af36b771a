// The object the JS wrapper holds per peer: owns the core Peer and its JsDriver, turns core
// events into the guide's JS events, and takes the browser callbacks from the shims.
#pragma once

#include <emscripten/val.h>
#include <cstdint>
#include <memory>
#include <optional>

#include "js_driver.hpp"
#include "peer/peer.hpp"

namespace wre::bind {

class CorePeer : public EventSink {
 public:
  explicit CorePeer(emscripten::val host);

  // Validates the config and makes the browser objects. Returns undefined or {type, message}.
  emscripten::val start(const emscripten::val& config);

  // Public API; failures return {type, message} (the `error` event has already been emitted).
  emscripten::val createOffer();
  emscripten::val createAnswer(const std::string& type, const std::string& sdp);
  emscripten::val setRemoteAnswer(const std::string& type, const std::string& sdp);
  emscripten::val addIceCandidate(const emscripten::val& candidate);
  // The hot path (a raw export, bindings/hot_exports.cpp): takes the buffer's handle; true when
  // accepted (sent or queued), otherwise lastError() says why.
  bool send(int channel, emscripten::EM_VAL buffer, double size);
  emscripten::val lastError() const;
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
  // True: the shim hands the message to the app.
  bool onUserMessage(int channel, double size);
  void onLibraryMessage(int channel, const emscripten::val& data);
  void onTimer(int id);
  void onStats(int id, const emscripten::val& record);
  emscripten::val metrics() const;
  std::string quality() const;
  void onNetworkChange();

  void onEvent(const PeerEvent& event) override;

  // For a pool that owns this object (bindings/core_pool.hpp): its driver and its core peer.
  JsDriver& driver() { return driver_; }
  Peer* peer() { return peer_ ? &*peer_ : nullptr; }

 private:
  void emit(const char* name, const emscripten::val& payload);

  emscripten::val host_;
  JsDriver driver_;
  std::optional<Peer> peer_;
  std::optional<Error> lastError_;
};

}  // namespace wre::bind
