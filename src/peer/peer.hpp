// One WebRTC peer: the connection state machine, signaling bookkeeping (roles, held remote
// candidates), the connection timeout and the send queues (peer.cpp); the rest of its work is one
// file each: reconnection, liveness (probes, heartbeat), metrics, flow control, session resume,
// transfers, and what the far side says on the library's channels (peer_wre.cpp). Its decisions
// live in pure parts with their own tests (backoffDelayMs, Heartbeat, ProbePlan, SendScheduler and
// CreditWindow, ReplayStore, Transfers, MetricsCollector); Peer holds their state together. Talks only to a Driver and
// reports everything through an EventSink, by way of an Outbox: every public method is an entry point, and its events
// reach the sink only once the outermost entry point returns.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "metrics/metrics_collector.hpp"
#include "metrics/pair_counters.hpp"
#include "metrics/probe_plan.hpp"
#include "metrics/stats_entry.hpp"
#include "peer/config.hpp"
#include "peer/driver.hpp"
#include "peer/heartbeat.hpp"
#include "peer/outbox.hpp"
#include "peer/peer_events.hpp"
#include "peer/peer_state.hpp"
#include "queue/send_scheduler.hpp"
#include "session/session_codec.hpp"
#include "transfer/transfers.hpp"

namespace wre {

class Peer {
 public:
  // A `disconnected` link often recovers by itself: wait this long before restarting ICE.
  static constexpr double kDisconnectGraceMs = 1500;

  // `shared`: the outbox of a pool whose peers' events keep one order; null: the peer's own.
  Peer(Config config, Driver& driver, EventSink& sink, Outbox* shared = nullptr);
  ~Peer();
  Peer(const Peer&) = delete;
  Peer& operator=(const Peer&) = delete;

  // Makes the connection and the six channels; emits `initialized` and `channel-created`.
  Result<void> start();

  // Public API. Async ones return the request id whose RequestDone/RequestFailed settles them.
  Result<RequestId> createOffer();
  Result<RequestId> createAnswer(const SessionDescription& offer);
  Result<RequestId> setRemoteAnswer(const SessionDescription& answer);
  // nullopt: held until the remote description is set (nothing to wait for).
  Result<std::optional<RequestId>> addIceCandidate(const CandidateInit& candidate);
  Result<void> send(int channel, Payload payload);
  // Tells a far side of this library `bye` (best effort), then closes (reason local).
  void close();
  // Refuses an app call before it reaches the core (an input over InputLimits): emits `error`.
  Error refuse(ErrorKind kind, std::string message);

  PeerState state() const { return state_; }
  const Config& config() const { return config_; }
  size_t queuedMessages() const { return scheduler_.queue().messages(); }
  size_t queuedBytes() const { return scheduler_.queue().bytes(); }
  SendScheduler& scheduler() { return scheduler_; }
  size_t heldCandidates() const { return heldCandidates_.size(); }

  // Driver callbacks.
  void onDescription(RequestId id, const SessionDescription& description);
  void onRequestDone(RequestId id);
  void onRequestFailed(RequestId id, const std::string& message);
  void onIceCandidate(const CandidateInit& candidate);
  void onIceGatheringState(const std::string& state);
  void onIceConnectionState(const std::string& state);
  void onConnectionState(const std::string& state);
  void onChannelOpen(int channel);
  void onChannelClose(int channel);
  void onChannelError(int channel, const std::string& message);
  void onBufferedAmountLow(int channel);
  // A message on a user channel: accounts for it (and, on `file` from a peer of this library,
  // acknowledges every CreditWindow::kAckStep bytes on `wre`). Deliver: the app sees it now;
  // Keep: a `file` message the transfers classify first, handed over at once with keepFileMessage.
  enum class Arrival { Drop = 0, Deliver = 1, Keep = 2 };  // (the shims' codes)
  Arrival onUserMessage(int channel, size_t size);
  void keepFileMessage(Payload data);
  // Transfers (peer_transfer.cpp; README, "Transfers"). sendFile fails only on bad input or a
  // closed peer; against a far side that turns out not to take transfers the transfer fails
  // (TransferFailed, rejected) once that is known.
  Result<Transfers::Started> sendFile(std::optional<uint64_t> size, std::string name, std::string type,
                                      std::string meta);
  Result<void> acceptTransfer(uint32_t transfer);
  Result<void> rejectTransfer(uint32_t transfer, const std::string& reason);
  Result<void> cancelTransfer(uint32_t transfer, const std::string& reason);
  void onSourceRead(uint32_t transfer, Payload data, bool end);
  void onSourceFailed(uint32_t transfer, const std::string& message);
  void onSinkWritten(uint32_t transfer);
  void onSinkFailed(uint32_t transfer, const std::string& message);
  void onSinkFinished(uint32_t transfer);
  const Transfers& transfers() const { return transfers_; }
  // Connected this long without the far side saying it takes transfers: it does not (a plain
  // peer or an older copy): waiting transfers fail.
  static constexpr double kTransferWaitMs = 5000;
  // A message on the library's own channels (`wre`, `wre-probe`): never shown to the app.
  void onLibraryMessage(int channel, std::string_view bytes);
  // The getStats() report, every entry as the browser gave it (summarizeStats reads it).
  void onStats(RequestId id, const std::vector<StatsEntry>& report);
  // Whether the app listens for `metrics` (a pool's listeners count): getStats() sweeps, the
  // costliest part of an idle peer, run only while someone wants their counters.
  void setMetricsWanted(bool wanted);
  // The app read getMetrics(): without a listener, a sweep now (at most every kAskedSweepMs) keeps
  // the counters it reads current.
  void onMetricsAsked();
  static constexpr double kAskedSweepMs = 1000;

  const ConnectionMetrics& metrics() const { return metrics_.metrics(); }
  QualityGrade quality() const { return metrics_.quality(); }
  // True once the far side said hello on `wre`: it is this library, probes may flow.
  bool farSideIsLibrary() const { return farSideIsLibrary_; }
  // Probes: 29 bytes each way on `wre-probe`, between two peers of this library, each carrying
  // the echo of the last one received (src/metrics/probe_codec.hpp). Every kProbeIntervalMs while
  // the figures are being measured, at the heartbeat's sparse pace otherwise (ProbePlan).
  static constexpr double kProbeIntervalMs = ProbePlan::kDenseMs;
  // Dense probes pause while the app's data flows: this many bytes sent or received since the last
  // probe tick (≈ 650 KB/s), or anything in our queue. Chromium's SCTP loses most of a bulk
  // transfer's throughput, now and then, when small messages on another stream are mixed in:
  // measured with two raw channels (README, Benchmarks). RTT and loss then come from the last
  // probes and STUN checks; the heartbeat's sparse probes go on.
  static constexpr size_t kProbeQuietBytes = 32 * 1024;
  // ... and stay paused this long after: a transfer's own short stalls must not let them back in.
  static constexpr double kProbeQuietHoldMs = 2000;
  // `file` data held back by the credit window with no acknowledgement from the far end for this
  // long, while connected: the far end is not pacing us (a broken or hostile peer), so the window
  // is abandoned and the browser's buffer bounds `file` alone, with an `error` that says so.
  static constexpr double kFileAckStallMs = 10000;
  // While messages wait in our queue on an open channel, the queue is drained at least this
  // often: a lost or coalesced bufferedamountlow must not stall it for good (found by the stress
  // test). Costs nothing while nothing is queued.
  static constexpr double kDrainWatchMs = 1000;
  // Session resume (peer_session.cpp). This peer object's session id, random, sent in the hello
  // exchange; the far side's, once it said it (nullopt: a plain peer or an older copy).
  uint64_t sessionId() const { return sessionId_; }
  std::optional<uint64_t> farSession() const { return farSession_; }
  // Messages delivered to our app per counted channel (control, reliable, file), this far session.
  const DeliveredCounts& delivered() const { return delivered_; }
  // Counts go to the far side whenever this many messages or bytes more were delivered, and at
  // the next probe tick otherwise (so what the far side keeps for replay is soon released).
  static constexpr uint64_t kCountStep = 64;
  static constexpr size_t kCountStepBytes = 64 * 1024;
  // The replay store holding sends back with no counts from the far side for this long, neither
  // reconnecting nor in the grace before it: the far side is not confirming (broken, hostile, or
  // the peer gave up); keeping is abandoned.
  static constexpr double kReplayAckStallMs = kFileAckStallMs;
  void onTimer(TimerId id);
  // The browser came back online or changed network: restart now rather than at the next slot.
  void onNetworkChange();
  bool reconnecting() const { return reconnecting_; }
  int reconnectAttempt() const { return attempt_; }

 private:
  enum class Op { Offer, RemoteOffer, Answer, RemoteAnswer, Candidate, RestartOffer, Stats };
  enum class Signaling { Stable, HaveLocalOffer, HaveRemoteOffer };
  enum class Role { None, Offerer, Answerer };
  enum class TimerKind {
    ConnectionTimeout,
    DisconnectGrace,
    ReconnectAttempt,
    ReconnectGiveUp,
    MetricsTick,
    Probe,
    FileAckStall,
    DrainWatch,
    HeartbeatCheck,
    ReplayAckStall,
    TransferWait
  };

  RequestId startRequest(Op op);
  TimerId startTimer(TimerKind kind, double delayMs);
  // A periodic timer on the page clock's grid (peer_liveness.cpp): every peer's tick of the same
  // period falls due at the same instant, one wake-up for all of them (bindings/page_timers.hpp).
  TimerId startTick(TimerKind kind, double periodMs);
  void cancelTimers();
  void cancelTimers(TimerKind kind);
  bool hasTimer(TimerKind kind) const;
  void setState(PeerState next);
  // An `error` event (something went wrong on its own: a timeout, the far end).
  void emitError(ErrorKind kind, std::string message);
  // An app call that cannot be done: the `error` event, and the Error the call returns.
  Error failCall(ErrorKind kind, std::string message);
  void beginConnecting();
  void applyHeldCandidates();
  void updateMaxMessageSize();
  // Reconnection (peer_reconnect.cpp).
  void onLinkLost(bool failedOutright);
  void onLinkBack();
  void beginReconnect();
  void scheduleNextAttempt();
  void runAttempt();
  void giveUp();
  void restartIce();
  // An ICE restart cannot help: the browser closed the channels, or iceRestartAttempts restarts
  // failed, or this outage already needed a rebuild.
  bool needsRebuild() const {
    return channelsLost_ || rebuiltSinceUp_ || restartsSinceUp_ >= config_.iceRestartAttempts;
  }
  // A new RTCPeerConnection with the same channels in place of the old one (session resume); the
  // peer, its queues and the replay store stay. The caller offers (offerer) or applies the far
  // side's offer (answerer).
  Result<void> rebuildConnection();
  // Our last rebuild's offer is less than reconnectBaseDelay old and not answered yet.
  bool rebuildOfferPending() const {
    return rebuiltSinceUp_ && !remoteDescriptionSet_ && driver_.nowMs() - rebuiltAtMs_ < config_.reconnectBaseDelay;
  }
  // Metrics (peer_metrics.cpp) and liveness (peer_liveness.cpp).
  void startTicking();
  void onMetricsTick();
  void requestStats();
  void reportQualityChange();
  void armProbeTick(double nowMs);
  void onProbeTick();
  void sendProbe(double nowMs, bool query = false);
  // The far side asked for a probe at once (its heartbeat heard nothing for a while).
  void answerQuery(double nowMs);
  // Something came from the far side: the link is alive.
  void onHeard();
  // Silence from a peer of this library for heartbeatTimeout: the link is lost, as if the browser
  // had said `disconnected` (Chrome says it ≈ 5 s after packets stop, Firefox maybe never).
  void checkHeartbeat(double nowMs, double nextTickMs);
  bool probing() const;
  // Flow control (peer_flow.cpp). Receiver-paced `file`: tells the far end how many `file`
  // bytes reached our app.
  void sendFileAck();
  // Starts the stall watch of kFileAckStallMs if `file` data waits on the far end's acks.
  void watchFileAcks();
  // Starts the drain watch of kDrainWatchMs if messages wait on an open channel.
  void watchDrain();
  void onFileAckStall();
  // A `file` message reached the app or a sink: counts and acks.
  void fileMessageDelivered(size_t size);
  // Transfers (peer_transfer.cpp).
  void watchTransferWait();
  void onTransferWait();
  // Session resume (peer_session.cpp).
  void sayHello();
  void onFarSession(uint64_t id);
  void countDelivered(int channel, size_t size);
  void sendCounts();
  bool countsDue() const { return farSession_ && delivered_ != countsSent_; }
  void watchReplayAcks();
  void onReplayAckStall();
  uint64_t replayAckedTotal() const;
  bool closed() const { return state_ == PeerState::Closed; }
  // Best effort: a far side of this library learns of our close at once, not from a dead link.
  void sayBye();
  // Everything a close does, whoever asked for it: the app (close()) or the far side (`bye`).
  void shutDown(CloseReason reason);

  Config config_;
  Driver& driver_;
  EventSink& sink_;
  std::unique_ptr<Outbox> ownOutbox_;
  Outbox& outbox_;
  Outbox::Poster events_;  // what the peer and its scheduler report goes through the outbox
  PeerState state_ = PeerState::New;
  Signaling signaling_ = Signaling::Stable;
  Role role_ = Role::None;
  bool remoteDescriptionSet_ = false;
  bool everConnected_ = false;
  bool channelsLost_ = false;    // the browser closed our channels (not we): only a rebuild brings them back
  bool rebuiltSinceUp_ = false;  // this outage already rebuilt the connection
  int restartsSinceUp_ = 0;      // ICE restarts since the link was last up
  double rebuiltAtMs_ = -1e300;  // when the last rebuild made its offer
  // The o= sess-id of the far side's last offer we applied (answerer): a different one is a new
  // RTCPeerConnection over there, so ours is rebuilt to take it. `offeredSessionTag_`: the one
  // being applied.
  std::string remoteSessionTag_;
  std::string offeredSessionTag_;
  bool reconnecting_ = false;
  int attempt_ = 0;
  std::vector<CandidateInit> heldCandidates_;
  size_t heldBytes_ = 0;  // characters held in heldCandidates_
  // The far end's a=max-message-size from the description being applied: it counts only once
  // the browser has accepted that description (then remoteMaxMessageSize_). A message must fit
  // both that and our own description's figure (sdp_facts.hpp).
  double offeredMaxMessageSize_ = 0;
  double remoteMaxMessageSize_ = 0;
  double ownMaxMessageSize_ = std::numeric_limits<double>::infinity();
  std::unordered_map<RequestId, Op> pending_;
  std::unordered_map<TimerId, TimerKind> timers_;
  RequestId nextRequest_ = 1;
  TimerId nextTimer_ = 1;
  SendScheduler scheduler_;
  MetricsCollector metrics_;
  PairCounters pairCounters_;  // this connection's candidate pairs, for its byte and packet totals
  bool farSideIsLibrary_ = false;
  bool statsInFlight_ = false;
  bool metricsWanted_ = false;
  double lastSweepMs_ = -1e300;
  uint32_t probeSeq_ = 0;
  ProbePlan plan_;
  double lastProbeMs_ = -1e300;  // when our last probe went out
  Heartbeat heartbeat_;
  bool browserConnected_ = false;   // the browser's last connection state was `connected`
  bool heartbeatLost_ = false;      // our heartbeat, not the browser, took the link for lost
  size_t userBytesSinceProbe_ = 0;  // sent and received by the app since the last probe tick
  double quietUntilMs_ = 0;         // no probes before this
  // The last probe from the far side, echoed in our next probe.
  struct EchoDue {
    double sentMs;     // its timestamp (far side's clock)
    double arrivedMs;  // ours
  };
  std::optional<EchoDue> toEcho_;
  uint64_t fileDelivered_ = 0;  // bytes of `file` messages handed to the app
  uint64_t fileAckSent_ = 0;    // the count in our last acknowledgement
  uint64_t ackedAtWatch_ = 0;   // the far end's acknowledged count when the stall watch began
  uint64_t sessionId_ = 0;
  std::optional<uint64_t> farSession_;
  DeliveredCounts delivered_{};
  DeliveredCounts countsSent_{};     // the counts in our last counts message
  size_t bytesSinceCounts_ = 0;      // delivered on counted channels since then
  uint64_t replayAckedAtWatch_ = 0;  // the far side's counts (summed) when the replay watch began
  double connectedAtMs_ = 0;         // when the peer last became connected
  Transfers transfers_;
};

}  // namespace wre
