// What the core tells the outside world. The bindings turn each into the guide's JS event.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "metrics/connection_metrics.hpp"
#include "metrics/quality.hpp"
#include "peer/driver.hpp"
#include "peer/peer_state.hpp"
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
struct StateChange { PeerState from, to; };
struct IceCandidate { CandidateInit candidate; };
struct IceGatheringState { std::string state; };
struct IceConnectionState { std::string state; };
struct ChannelCreated { int channel; };
struct ChannelOpen { int channel; };
struct ChannelClose { int channel; };
struct ChannelError { int channel; std::string message; };
struct ErrorRaised { Error error; };
struct Closed { CloseReason reason = CloseReason::Local; };
// Outcome of an async public call (createOffer, ...): the wrapper settles its Promise with it.
struct RequestDone { RequestId id; std::optional<SessionDescription> description; };
struct RequestFailed { RequestId id; Error error; };
struct MessageQueued { int channel; size_t size; };
struct MessageSent { int channel; size_t size; };
struct Backpressure { int channel; double bufferedAmount; };
struct ChannelReady { int channel; };
struct MessageDropped { int channel; size_t size; const char* reason; };
struct ReconnectScheduled { double delayMs; int attempt; };
struct ReconnectAttempt { int attempt; };
struct ReconnectFailed { int attempts; };
// An ICE-restart offer the app must carry to the far side like the first one.
struct RenegotiationNeeded { SessionDescription offer; };
struct Metrics { ConnectionMetrics metrics; };
struct QualityChange { QualityGrade previous, current; };
}  // namespace event

using PeerEvent = std::variant<event::Initialized, event::StateChange, event::IceCandidate,
                               event::IceGatheringState, event::IceConnectionState,
                               event::ChannelCreated, event::ChannelOpen, event::ChannelClose,
                               event::ChannelError, event::ErrorRaised, event::Closed,
                               event::RequestDone, event::RequestFailed, event::MessageQueued,
                               event::MessageSent, event::Backpressure, event::ChannelReady,
                               event::MessageDropped, event::ReconnectScheduled, event::ReconnectAttempt,
                               event::ReconnectFailed, event::RenegotiationNeeded, event::Metrics,
                               event::QualityChange>;

class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void onEvent(const PeerEvent& event) = 0;
};

}  // namespace wre
