#include "nat/nat_detector.hpp"

#include <algorithm>
#include <utility>

#include "nat/ice_candidate.hpp"
#include "util/text.hpp"

namespace wre {
namespace {

constexpr std::size_t kMaxUrlLength = 512;
constexpr std::size_t kMaxErrorText = 200;

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower(c);
  return out;
}

bool hasScheme(std::string_view url, std::string_view scheme) {
  if (url.size() <= scheme.size() || url[scheme.size()] != ':') return false;
  return lowercase(url.substr(0, scheme.size())) == scheme;
}

// The classifier's notion of "one server" (stun:h and stun:h:3478 are the same).
bool sameServer(std::string_view a, std::string_view b) {
  if (a.empty() || b.empty()) return false;
  return distinctStunServers({std::string(a), std::string(b)}) == 1;
}

std::string show(std::string_view address, std::uint16_t port) {
  if (address.find(':') != std::string_view::npos) return format("[{}]:{}", address, port);
  return format("{}:{}", address, port);
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += i + 1 == items.size() ? " and " : ", ";
    out += items[i];
  }
  return out;
}

}  // namespace

NatDetector::NatDetector(NatProbeDriver& driver, Done onDone) : driver_(driver), onDone_(std::move(onDone)) {}

Result<void> NatDetector::start(const std::vector<std::string>& iceServerUrls, std::optional<double> timeoutMs) {
  if (phase_ != Phase::Idle)
    return makeError(ErrorKind::InvalidState, "detectNATType(): this detection has already started");
  double timeout = timeoutMs.value_or(kNatDefaultTimeoutMs);
  if (!(timeout >= kNatMinTimeoutMs && timeout <= kNatMaxTimeoutMs))  // also refuses NaN
    return makeError(ErrorKind::Config, format("detectNATType(): timeout must be between {} and {} "
                                               "ms, got {}",
                                               kNatMinTimeoutMs, kNatMaxTimeoutMs, timeout));

  for (const auto& url : iceServerUrls) {
    if (!hasScheme(url, "stun")) {
      ignoredUrls_.push_back(url);
      continue;
    }
    bool known = std::any_of(evidence_.stunServers.begin(), evidence_.stunServers.end(),
                             [&](const std::string& s) { return sameServer(s, url); });
    if (!known && evidence_.stunServers.size() < kNatMaxServers) evidence_.stunServers.push_back(url);
  }

  phase_ = Phase::Gathering;
  startedAt_ = driver_.nowMs();
  deadline_ = startedAt_ + timeout;
  if (evidence_.stunServers.size() < 2) {
    NatVerdict v = classifyNat(evidence_);
    auto isTurn = [](const std::string& u) { return hasScheme(u, "turn") || hasScheme(u, "turns"); };
    if (std::any_of(ignoredUrls_.begin(), ignoredUrls_.end(), isTurn))
      v.reason += " TURN servers are not used for NAT detection.";
    conclude(std::move(v));
    return ok();
  }

  gatherStarted_ = true;
  const auto& servers = evidence_.stunServers;
  evidence_.perServer.resize(servers.size());
  for (std::size_t i = 0; i < servers.size(); ++i)
    if (!startGathering(static_cast<ConnectionId>(i), {servers[i]})) return ok();
  if (!startGathering(sharedConnection(), servers)) return ok();
  driver_.setTimer(kDeadlineTimer, timeout);
  return ok();
}

// False when the detection has ended: the browser refused, or answered (and settled it)
// re-entrantly.
bool NatDetector::startGathering(ConnectionId connection, const std::vector<std::string>& urls) {
  auto started = driver_.gather(connection, urls);
  if (phase_ == Phase::Done) return false;
  if (started) return true;
  gatherStarted_ = false;
  NatVerdict v = classifyNat(NatEvidence{});
  v.reason = format(
      "The browser refused to gather candidates with {} ({}), so "
      "the NAT type is unknown.",
      joined(urls), started.error().message);
  conclude(std::move(v));
  return false;
}

NatDetector::ConnectionId NatDetector::sharedConnection() const {
  return static_cast<ConnectionId>(evidence_.stunServers.size());
}

GatherEvidence* NatDetector::connection(ConnectionId id) {
  if (id < evidence_.perServer.size()) return &evidence_.perServer[id];
  return id == sharedConnection() && gatherStarted_ ? &evidence_.shared : nullptr;
}

void NatDetector::onCandidate(ConnectionId id, std::string_view candidate) {
  if (phase_ != Phase::Gathering || ++events_ > kNatMaxEvents) return;
  GatherEvidence* g = connection(id);
  if (!g) return;
  auto parsed = parseIceCandidate(candidate);
  if (!parsed) {
    if (malformed_++ == 0) firstMalformed_ = parsed.error().message;
    return;
  }
  const IceCandidate& c = parsed.value();
  if (c.transport != CandidateTransport::Udp || c.component != 1) return;
  bool shared = g == &evidence_.shared;
  if (c.type == CandidateType::Host) {
    g->hostAddresses.push_back(c.address);
    if (shared) sharedHostPorts_.push_back(c.port);
  } else if (c.type == CandidateType::Srflx) {
    AddressFamily family = addressFamilyOf(c.address);
    // A name or port 0 is no mapping (and must not count as this server's answer).
    if ((family != AddressFamily::Ipv4 && family != AddressFamily::Ipv6) || c.port == 0) return;
    g->srflx.push_back({c.address, c.port, c.relatedAddress.value_or("")});
    if (shared) sharedSrflx_.push_back({std::string(candidate), lowercase(c.address), c.port});
  } else {
    return;  // relay / prflx: not evidence of a mapping to a STUN server
  }
  evaluate();
}

void NatDetector::onCandidateError(ConnectionId id, std::string_view url, int errorCode, std::string_view errorText) {
  if (phase_ != Phase::Gathering || ++events_ > kNatMaxEvents) return;
  GatherEvidence* g = connection(id);
  if (!g) return;
  std::string server = url.size() <= kMaxUrlLength ? std::string(url) : std::string();
  g->errors.push_back({std::move(server), errorCode, std::string(errorText.substr(0, kMaxErrorText))});
  evaluate();
}

void NatDetector::onGatheringComplete(ConnectionId id) {
  if (phase_ != Phase::Gathering) return;
  GatherEvidence* g = connection(id);
  if (!g) return;
  g->completed = true;
  evaluate();
}

void NatDetector::onGatherFailed(ConnectionId id, std::string_view message) {
  if (phase_ != Phase::Gathering || !connection(id)) return;
  NatVerdict v = classifyNat(NatEvidence{});
  v.reason = format(
      "The browser could not start gathering candidates ({}), so "
      "the NAT type is unknown.",
      message.substr(0, kMaxErrorText));
  conclude(std::move(v));
}

void NatDetector::onReachState(bool probe, std::string_view iceState) {
  if (iceState == "connected" || iceState == "completed")
    onReachResult(true);
  else if (probe && iceState == "failed")
    onReachResult(false);
}

void NatDetector::onReachResult(bool reached) {
  if (phase_ != Phase::Reaching) return;
  concludeReach(reached, "the connection attempt failed");
}

void NatDetector::onTimer(TimerId id) {
  if (phase_ == Phase::Gathering && id == kDeadlineTimer) {
    evidence_.timedOut = true;
    finishGathering(classifyNat(evidence_));
  } else if (phase_ == Phase::Reaching && (id == kReachTimer || id == kDeadlineTimer)) {
    concludeReach(false, format("no answer within {} ms", reachWaitMs_));
  }
}

bool NatDetector::everyServerAccountedFor() const {
  return std::all_of(evidence_.perServer.begin(), evidence_.perServer.end(),
                     [](const GatherEvidence& g) { return !g.srflx.empty() || !g.errors.empty() || g.completed; });
}

bool NatDetector::everyConnectionCompleted() const {
  return evidence_.shared.completed && std::all_of(evidence_.perServer.begin(), evidence_.perServer.end(),
                                                   [](const GatherEvidence& g) { return g.completed; });
}

// Stop when every connection is done, or early when every server has spoken on its own
// connection and what the evidence says settles it (a verdict, or all failed). An undecided
// verdict (e.g. the shared connection still gathering) waits for more.
void NatDetector::evaluate() {
  bool done = everyConnectionCompleted();
  if (!done && !everyServerAccountedFor()) return;
  NatVerdict v = classifyNat(evidence_);
  if (done || v.type != NatType::Unknown || v.requiresRelay) finishGathering(std::move(v));
}

// The shared socket's reflexive candidate whose port is one of that connection's local ports
// (else it cannot be this machine's own address). Only an endpoint-independent verdict has one
// mapping per socket to test.
std::optional<NatDetector::Reflexive> NatDetector::reachCandidate(const NatVerdict& v) const {
  if (v.type != NatType::PortRestricted) return std::nullopt;
  for (const auto& p : sharedSrflx_)
    if (std::find(sharedHostPorts_.begin(), sharedHostPorts_.end(), p.port) != sharedHostPorts_.end()) return p;
  return std::nullopt;
}

void NatDetector::finishGathering(NatVerdict v) {
  if (!evidence_.timedOut) {
    if (auto probe = reachCandidate(v)) {
      double left = deadline_ - driver_.nowMs();
      if (left >= kNatMinReachMs) {
        phase_ = Phase::Reaching;
        pending_ = std::move(v);
        reachTarget_ = *probe;
        reachWaitMs_ = std::min(kNatReachBudgetMs, left);
        driver_.probeReach(sharedConnection(), reachTarget_.candidate);
        driver_.setTimer(kReachTimer, reachWaitMs_);
        return;
      }
      v.reason += format(
          " No time was left to test whether {} is this "
          "machine's own address.",
          show(probe->address, probe->port));
    }
  }
  conclude(std::move(v));
}

void NatDetector::concludeReach(bool reached, std::string_view why) {
  NatVerdict v = std::move(pending_);
  std::string mapped = show(reachTarget_.address, reachTarget_.port);
  if (reached) {
    v.type = NatType::Open;
    v.mapping = MappingBehavior::EndpointIndependent;
    v.supportsDirectConnection = true;
    v.requiresRelay = false;
    v.reason = format(
        "The local socket that asked {} got {}, and ICE checks sent there by a second "
        "connection in this browser reached that socket: it is this machine's address, so "
        "there is no NAT on this path (a NAT that loops inside traffic back, keeps "
        "ports and filters nothing would look the same, and is as easy to reach).",
        joined(evidence_.stunServers), mapped);
  } else {
    v.reason += format(
        " ICE checks this browser sent to {} did not come back "
        "to it ({}), so that is a NAT's address, not this "
        "machine's.",
        mapped, why);
  }
  conclude(std::move(v));
}

void NatDetector::conclude(NatVerdict v) {
  phase_ = Phase::Done;
  driver_.close();
  if (malformed_ > 0)
    v.reason += format(
        " {} malformed candidate{} from the browser {} ignored "
        "(first: {}).",
        malformed_, malformed_ == 1 ? "" : "s", malformed_ == 1 ? "was" : "were", firstMalformed_);
  NatReport report;
  report.evidence = evidenceFor(v);
  report.verdict = std::move(v);
  report.elapsedMs = driver_.nowMs() - startedAt_;
  report.timedOut = evidence_.timedOut;
  report.malformedCandidates = malformed_;
  Done done = std::move(onDone_);  // the callback may destroy this detector
  if (done) done(report);
}

std::vector<NatEvidenceEntry> NatDetector::evidenceFor(const NatVerdict& v) const {
  std::vector<NatEvidenceEntry> out;
  for (const auto& m : v.mappings) out.push_back({m.serverUrl, m.address, m.port, ""});
  const auto& servers = evidence_.stunServers;
  for (std::size_t i = 0; i < servers.size(); ++i) {
    bool mapped = std::any_of(v.mappings.begin(), v.mappings.end(),
                              [&](const ServerMapping& m) { return m.serverUrl == servers[i]; });
    if (mapped) continue;
    NatEvidenceEntry e{servers[i], "", 0, ""};
    const ServerError* error = nullptr;
    if (i < evidence_.perServer.size() && !evidence_.perServer[i].errors.empty())
      error = &evidence_.perServer[i].errors.front();
    if (!gatherStarted_)
      e.problem = "not contacted";
    else if (error)
      e.problem = error->text.empty() ? format("error {}", error->errorCode)
                                      : format("error {}: {}", error->errorCode, error->text);
    else if (evidence_.timedOut)
      e.problem = "no answer before the time limit";
    else
      e.problem = "no reflexive candidate";
    out.push_back(std::move(e));
  }
  return out;
}

std::string sdpWithoutCandidates(std::string_view sdp) {
  // Line by line as split on CRLF, so the result ends with CRLF exactly when `sdp` does.
  std::string out;
  bool first = true;
  for (size_t start = 0;;) {
    size_t end = sdp.find("\r\n", start);
    std::string_view line = sdp.substr(start, end == std::string_view::npos ? end : end - start);
    if (!line.starts_with("a=candidate:") && !line.starts_with("a=end-of-candidates")) {
      if (!first) out += "\r\n";
      out += line;
      first = false;
    }
    if (end == std::string_view::npos) return out;
    start = end + 2;
  }
}

}  // namespace wre
