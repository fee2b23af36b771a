// One NAT type detection, start to finish (README, "NAT type detection"): picks the STUN servers
// from the configured URLs, has the browser (NatProbeDriver) gather candidates in short-lived
// connections — connection i asks only server i, connection n (shared) asks them all — collects the
// evidence, classifies it with classifyNat() and reports once. It stops when fewer than two
// distinct STUN servers are configured (at once, `unknown`), when the evidence is decisive, when
// every connection completed gathering, or at the time limit (default 5 s).
// Open or not: with mDNS host candidates the browser never shows its own address, and a
// port-preserving NAT maps to the local port; so when the shared socket got one mapping on one of
// its local ports, a second local connection sends ICE checks to that address (the self-reach
// test, within kNatReachBudgetMs): they come back only if the address is this machine's own.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nat/nat_classifier.hpp"
#include "util/error.hpp"

namespace wre {

inline constexpr double kNatDefaultTimeoutMs = 5000;
inline constexpr double kNatMinTimeoutMs = 100;
inline constexpr double kNatMaxTimeoutMs = 60000;
// Longest wait for the self-reach test; checks on one machine answer within a few ms.
inline constexpr double kNatReachBudgetMs = 1000;
// With less time than this left, the self-reach test is not started.
inline constexpr double kNatMinReachMs = 200;
// STUN servers used: more only make gathering slower.
inline constexpr std::size_t kNatMaxServers = 8;
// Candidates and errors kept per detection (browser input is bounded like any untrusted input).
inline constexpr std::size_t kNatMaxEvents = 256;

// The browser side of one detection. Results come back through NatDetector's on* methods; none
// may arrive after close().
class NatProbeDriver {
 public:
  using TimerId = std::uint32_t;
  using ConnectionId = std::uint32_t;  // the detector's number for a gathering connection
  virtual ~NatProbeDriver() = default;

  // Makes RTCPeerConnection `connection` whose only ICE servers are `stunUrls` and starts
  // gathering (a negotiated data channel, createOffer, setLocalDescription); its events come back
  // with that number. Fails synchronously only when the browser refuses the configuration.
  virtual Result<void> gather(ConnectionId connection, const std::vector<std::string>& stunUrls) = 0;
  // Makes one more connection that knows only `candidate` (a reflexive candidate of gathering
  // connection `connection`) and reports through onReachResult whether its ICE checks reached it.
  virtual void probeReach(ConnectionId connection, const std::string& candidate) = 0;
  // (Both sides of that test exchange descriptions through sdpWithoutCandidates, so neither learns a
  // host address and only `candidate` can be reached.)
  virtual void setTimer(TimerId id, double delayMs) = 0;
  virtual void cancelTimer(TimerId id) = 0;
  virtual double nowMs() = 0;
  // Closes every connection and cancels every timer. Called once, before the report.
  virtual void close() = 0;
};

// One line of raw evidence: a mapping a server reported to its own connection, or a server that
// reported none (`address` empty, `problem` says why).
struct NatEvidenceEntry {
  std::string server;
  std::string address;
  std::uint16_t port = 0;
  std::string problem;
};

struct NatReport {
  NatVerdict verdict;
  std::vector<NatEvidenceEntry> evidence;
  double elapsedMs = 0;
  bool timedOut = false;
  std::size_t malformedCandidates = 0;
};

class NatDetector {
 public:
  using TimerId = NatProbeDriver::TimerId;
  using ConnectionId = NatProbeDriver::ConnectionId;
  using Done = std::function<void(const NatReport&)>;

  NatDetector(NatProbeDriver& driver, Done onDone);
  NatDetector(const NatDetector&) = delete;
  NatDetector& operator=(const NatDetector&) = delete;

  // `iceServerUrls`: every URL of the configured ICE servers; only stun: URLs are used.
  // `timeoutMs`: nullopt for the default. Fails (ErrorKind::Config) on a bad timeout or a second
  // start; otherwise `onDone` is called exactly once, possibly before start() returns.
  Result<void> start(const std::vector<std::string>& iceServerUrls, std::optional<double> timeoutMs);

  // Browser callbacks, by the connection they came from; ignored once the detection has finished
  // or when `connection` is not one the detector made. `url`: the browser's name for the server
  // that failed (may be empty).
  void onCandidate(ConnectionId connection, std::string_view candidate);
  void onCandidateError(ConnectionId connection, std::string_view url, int errorCode, std::string_view errorText);
  void onGatheringComplete(ConnectionId connection);
  void onGatherFailed(ConnectionId connection, std::string_view message);
  // The self-reach test's ICE connection states: of gathering connection `connection`
  // (probe false) or of the connection that knows only the candidate (probe true). Reached once
  // either is connected or completed; not reached once the probe failed (the shim reports a probe
  // it could not set up as failed).
  void onReachState(bool probe, std::string_view iceState);
  void onReachResult(bool reached);
  void onTimer(TimerId id);

  bool finished() const { return phase_ == Phase::Done; }

 private:
  enum class Phase { Idle, Gathering, Reaching, Done };
  static constexpr TimerId kDeadlineTimer = 1;
  static constexpr TimerId kReachTimer = 2;

  struct Reflexive {
    std::string candidate;
    std::string address;
    std::uint16_t port = 0;
  };

  bool startGathering(ConnectionId connection, const std::vector<std::string>& urls);
  GatherEvidence* connection(ConnectionId id);
  ConnectionId sharedConnection() const;
  void evaluate();
  void finishGathering(NatVerdict verdict);
  bool everyServerAccountedFor() const;
  bool everyConnectionCompleted() const;
  std::optional<Reflexive> reachCandidate(const NatVerdict& verdict) const;
  void concludeReach(bool reached, std::string_view why);
  void conclude(NatVerdict verdict);
  std::vector<NatEvidenceEntry> evidenceFor(const NatVerdict& verdict) const;

  NatProbeDriver& driver_;
  Done onDone_;
  Phase phase_ = Phase::Idle;
  bool gatherStarted_ = false;
  double startedAt_ = 0;
  double deadline_ = 0;
  NatEvidence evidence_;
  std::vector<std::string> ignoredUrls_;  // TURN and other non-STUN URLs
  // The shared connection's local ports and reflexive candidates (raw), for the self-reach test.
  std::vector<std::uint16_t> sharedHostPorts_;
  std::vector<Reflexive> sharedSrflx_;
  std::size_t events_ = 0;
  std::size_t malformed_ = 0;
  std::string firstMalformed_;
  NatVerdict pending_;  // the verdict while the self-reach test runs
  Reflexive reachTarget_;
  double reachWaitMs_ = 0;
};

// `sdp` without its candidate lines (a=candidate, a=end-of-candidates), for the self-reach test.
std::string sdpWithoutCandidates(std::string_view sdp);

}  // namespace wre
