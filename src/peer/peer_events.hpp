// What the core tells the outside world. The bindings turn each into the guide's JS event.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "metrics/connection_metrics.hpp"
#include "metrics/quality.hpp"
#include "peer/driver.hpp"
#include "peer/peer_state.hpp"
#include "transfer/transfer_codec.hpp"
#include "util/error.hpp"

namespace wre {

// Why a peer closed: this side closed it (the app, its pool, the garbage collector), or the far
// side said `bye` on `wre` (src/metrics/probe_codec.hpp).
enum class CloseReason { Local, RemoteClosed };

inline std::string_view toString(CloseReason reason) {
  return reason == CloseReason::Local ? "local" : "remote-closed";
}

namespace event {
struct Initialized {};
struct StateChange {
  PeerState from, to;
};
struct IceCandidate {
  CandidateInit candidate;
};
struct IceGatheringState {
  std::string state;
};
struct IceConnectionState {
  std::string state;
};
struct ChannelCreated {
  int channel;
};
struct ChannelOpen {
  int channel;
};
struct ChannelClose {
  int channel;
};
struct ChannelError {
  int channel;
  std::string message;
};
struct ErrorRaised {
  Error error;
};
struct Closed {
  CloseReason reason = CloseReason::Local;
};
// Outcome of an async public call (createOffer, ...): the wrapper settles its Promise with it.
struct RequestDone {
  RequestId id;
  std::optional<SessionDescription> description;
};
struct RequestFailed {
  RequestId id;
  Error error;
};
struct MessageQueued {
  int channel;
  size_t size;
};
struct MessageSent {
  int channel;
  size_t size;
};
struct Backpressure {
  int channel;
  double bufferedAmount;
};
struct ChannelReady {
  int channel;
};
struct MessageDropped {
  int channel;
  size_t size;
  const char* reason;
};
struct ReconnectScheduled {
  double delayMs;
  int attempt;
};
struct ReconnectAttempt {
  int attempt;
};
struct ReconnectFailed {
  int attempts;
};
// An ICE-restart offer the app must carry to the far side like the first one.
struct RenegotiationNeeded {
  SessionDescription offer;
};
struct Metrics {
  ConnectionMetrics metrics;
};
struct QualityChange {
  QualityGrade previous, current;
};
// Transfers (src/transfer/transfers.hpp). `id` is the public id; `transfer` the number both sides
// use on the wire and the wrapper uses to find the source or sink. `send`: our transfer (direction
// 'send'), else one we receive.
struct TransferOffered {
  std::string id;
  uint32_t transfer;
  std::string name, type, meta;
  std::optional<double> size;
};
struct TransferProgress {
  std::string id;
  bool send;
  double bytes;
  std::optional<double> total;
};
struct TransferComplete {
  std::string id;
  uint32_t transfer;
  bool send;
  double bytes;
  std::string sha256;
  double seconds;
};
struct TransferFailed {
  std::string id;
  uint32_t transfer;
  bool send;
  TransferFailure reason;
  std::string message;
};
// What the wrapper must do with a transfer's source or sink (its JS objects): read `length` bytes
// at `offset` (Peer::onSourceRead answers), write `data` (Peer::onSinkWritten / onSinkFailed),
// close the sink (Peer::onSinkFinished), abort it, or let the source go. Posted like every event, so
// no app code (a stream's pull or write) runs while the core is changing its state.
struct TransferIo {
  enum class Op { Read, Write, Finish, Abort, Release } op;
  uint32_t transfer;
  double offset = 0, length = 0;
  std::shared_ptr<const Payload> data;
  std::string reason;
};
// An app message on `file` that waited for its classification (FileRuns): the app gets it now.
struct FileMessage {
  std::shared_ptr<const Payload> data;
};
}  // namespace event

using PeerEvent = std::variant<
    event::Initialized, event::StateChange, event::IceCandidate, event::IceGatheringState, event::IceConnectionState,
    event::ChannelCreated, event::ChannelOpen, event::ChannelClose, event::ChannelError, event::ErrorRaised,
    event::Closed, event::RequestDone, event::RequestFailed, event::MessageQueued, event::MessageSent,
    event::Backpressure, event::ChannelReady, event::MessageDropped, event::ReconnectScheduled, event::ReconnectAttempt,
    event::ReconnectFailed, event::RenegotiationNeeded, event::Metrics, event::QualityChange, event::TransferOffered,
    event::TransferProgress, event::TransferComplete, event::TransferFailed, event::TransferIo, event::FileMessage>;

class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void onEvent(const PeerEvent& event) = 0;
};

}  // namespace wre
