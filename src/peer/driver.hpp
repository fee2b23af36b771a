// The core's only window on the browser: the bindings implement it over RTCPeerConnection via
// the JS shims, the unit tests with a fake. Asynchronous browser calls are requests with an id;
// their outcome comes back through Peer::onDescription / onRequestDone / onRequestFailed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "metrics/stats_record.hpp"
#include "peer/channel_spec.hpp"
#include "peer/config.hpp"
#include "queue/payload.hpp"
#include "util/error.hpp"

namespace wre {

using RequestId = uint32_t;
using TimerId = uint32_t;

struct SessionDescription {
  std::string type;  // "offer" or "answer"
  std::string sdp;
};

// RTCIceCandidateInit; an empty `candidate` means end-of-candidates.
struct CandidateInit {
  std::string candidate;
  std::optional<std::string> sdpMid;
  std::optional<int> sdpMLineIndex;
  std::optional<std::string> usernameFragment;
};

class Driver {
 public:
  virtual ~Driver() = default;

  // Synchronous: makes the RTCPeerConnection; fails if the browser refuses the configuration.
  virtual Result<void> createPeerConnection(const Config& config) = 0;
  virtual void createChannel(const ChannelSpec& spec, double lowThreshold) = 0;

  // createOffer/createAnswer also apply the result as the local description.
  virtual void createOffer(RequestId id, bool iceRestart) = 0;
  virtual void createAnswer(RequestId id) = 0;
  virtual void setRemoteDescription(RequestId id, const SessionDescription& description) = 0;
  virtual void addIceCandidate(RequestId id, const CandidateInit& candidate) = 0;

  virtual double bufferedAmount(int channel) = 0;
  // getStats(); the report (every entry, raw fields) comes back through Peer::onStats.
  virtual void getStats(RequestId id) = 0;
  // Hands the caller's bytes to the channel; fails if the browser throws. (The scheduler keeps
  // its own upper bound of bufferedAmount: reading it after every send costs as much as the send.)
  virtual Result<void> send(int channel, const Payload& payload) = 0;
  // Library traffic (hello, acks, probes): bytes made by the core.
  virtual Result<void> sendBytes(int channel, std::string_view bytes) = 0;
  // Copies a payload's bytes into core memory (`to` has room for payload.size()): a transfer's
  // chunks are hashed where the core can read them.
  virtual void copyBytes(const Payload& payload, uint8_t* to) = 0;

  virtual void setTimer(TimerId id, double delayMs) = 0;
  virtual void cancelTimer(TimerId id) = 0;
  virtual double nowMs() = 0;
  // Uniform in [0, 1): the reconnection jitter. Injected so schedules are testable.
  virtual double random01() = 0;

  // Closes the channels and the connection; no callback arrives after it.
  virtual void close() = 0;
};

}  // namespace wre
