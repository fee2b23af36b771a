// NatDetector against a scripted browser: which connections it makes (one per server, one shared),
// when it stops, the self-reach test that tells `open` from a port-preserving NAT, time limits,
// and hostile candidate strings. The candidate strings are the shapes Chromium and Firefox
// produced in the e2e lab (mDNS host candidates, srflx with raddr 0.0.0.0, each connection on its
// own socket, one srflx on the shared socket behind an endpoint-independent NAT).
#include "nat/nat_detector.hpp"
#include "manual_clock.hpp"

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

using namespace wre;

namespace {

using Urls = std::vector<std::string>;

class FakeNatDriver : public NatProbeDriver {
 public:
  double now = 0;
  std::map<ConnectionId, Urls> gathered;
  std::vector<std::pair<ConnectionId, std::string>> reachProbes;
  std::map<TimerId, double> timers;  // id -> due time
  std::optional<ConnectionId> refuse;
  int closes = 0;

  Result<void> gather(ConnectionId connection, const Urls& urls) override {
    if (refuse == connection) return makeError(ErrorKind::Initialization, "SyntaxError: bad URL");
    gathered[connection] = urls;
    return ok();
  }
  void probeReach(ConnectionId connection, const std::string& candidate) override {
    reachProbes.emplace_back(connection, candidate);
  }
  void setTimer(TimerId id, double delayMs) override { timers[id] = now + delayMs; }
  void cancelTimer(TimerId id) override { timers.erase(id); }
  double nowMs() override { return now; }
  void close() override {
    ++closes;
    timers.clear();
  }

  // Moves the clock, firing due timers in order.
  void advance(NatDetector& d, double ms) {
    test::runTimersUntil(timers, now, now + ms, [&](TimerId id) { d.onTimer(id); });
  }
};

struct Run {
  FakeNatDriver driver;
  std::optional<NatReport> report;
  int reports = 0;
  NatDetector detector{driver, [this](const NatReport& r) {
                         report = r;
                         ++reports;
                       }};
};

const char* kA = "stun:10.98.0.2:3478";
const char* kB = "stun:10.98.0.3:3478";
// With two servers: connection 0 asks A, 1 asks B, 2 (shared) asks both.
constexpr NatDetector::ConnectionId kShared = 2;

std::string host(int port) {
  return "candidate:1830765558 1 udp 2113937151 81aba77e-8515-4ae7-b3fc-6add19fc8b5e.local " + std::to_string(port) +
         " typ host generation 0 ufrag ZUNF network-cost 999";
}

std::string srflx(const std::string& address, int port) {
  return "candidate:2871038856 1 udp 1677729535 " + address + " " + std::to_string(port) +
         " typ srflx raddr 0.0.0.0 rport 0 generation 0 ufrag ZUNF network-cost 999";
}

// Connection `c` shows its socket (`port`) and the mapping a server gave it.
void mapped(NatDetector& d, NatDetector::ConnectionId c, int port, const std::string& address, int mappedPort) {
  d.onCandidate(c, host(port));
  d.onCandidate(c, srflx(address, mappedPort));
}

void completeAll(NatDetector& d) {
  for (NatDetector::ConnectionId c = 0; c <= kShared; ++c) d.onGatheringComplete(c);
}

bool mentions(const NatReport& r, std::string_view text) { return r.verdict.reason.find(text) != std::string::npos; }

}  // namespace

TEST_CASE("detector: fewer than two STUN servers answers at once, without gathering") {
  SECTION("none") {
    Run run;
    REQUIRE(run.detector.start({}, std::nullopt));
    REQUIRE(run.report);
    CHECK(run.report->verdict.type == NatType::Unknown);
    CHECK(mentions(*run.report, "No STUN servers are configured"));
    CHECK(run.driver.gathered.empty());
    CHECK(run.report->elapsedMs == 0);
  }
  SECTION("one, plus a TURN server that is not used") {
    Run run;
    REQUIRE(run.detector.start({kA, "turn:10.98.0.9:3478?transport=udp"}, std::nullopt));
    REQUIRE(run.report);
    CHECK(run.report->verdict.type == NatType::Unknown);
    CHECK_FALSE(run.report->verdict.requiresRelay);
    CHECK(mentions(*run.report, "Only one STUN server is configured (stun:10.98.0.2:3478)"));
    CHECK(mentions(*run.report, "TURN servers are not used"));
    CHECK(run.driver.gathered.empty());
    REQUIRE(run.report->evidence.size() == 1);
    CHECK(run.report->evidence[0].server == kA);
    CHECK(run.report->evidence[0].problem == "not contacted");
  }
  SECTION("the same server spelled twice is one") {
    Run run;
    REQUIRE(run.detector.start({"stun:10.98.0.2", "STUN:10.98.0.2:3478"}, std::nullopt));
    REQUIRE(run.report);
    CHECK(mentions(*run.report, "Only one STUN server"));
  }
}

TEST_CASE("detector: bad timeouts are refused, nothing starts") {
  for (double bad : {0.0, -5.0, 50.0, 60001.0, std::nan(""), std::numeric_limits<double>::infinity()}) {
    Run run;
    auto r = run.detector.start({kA, kB}, bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == ErrorKind::Config);
    CHECK(r.error().message.find("timeout must be between 100 and 60000 ms") != std::string::npos);
    CHECK(run.driver.gathered.empty());
    CHECK_FALSE(run.report);
  }
  Run run;
  REQUIRE(run.detector.start({kA, kB}, 100.0));
  CHECK(run.driver.timers.at(1) == 100);
  CHECK_FALSE(run.detector.start({kA, kB}, std::nullopt));  // one detection per object
}

TEST_CASE("detector: one connection per STUN server and one asking them all") {
  Run run;
  REQUIRE(run.detector.start({"turn:10.98.0.9:3478", kA, kB, "stun:10.98.0.2:3478"}, std::nullopt));
  CHECK(run.driver.gathered == std::map<NatDetector::ConnectionId, Urls>{{0, {kA}}, {1, {kB}}, {kShared, {kA, kB}}});
  CHECK(run.driver.timers.at(1) == kNatDefaultTimeoutMs);
  CHECK_FALSE(run.report);
}

TEST_CASE("detector: at most kNatMaxServers servers are asked") {
  std::vector<std::string> urls;
  for (int i = 1; i <= 12; ++i) urls.push_back("stun:10.98.0." + std::to_string(i));
  Run run;
  REQUIRE(run.detector.start(urls, std::nullopt));
  CHECK(run.driver.gathered.size() == kNatMaxServers + 1);
  CHECK(run.driver.gathered.at(kNatMaxServers).size() == kNatMaxServers);
}

TEST_CASE("detector: symmetric NAT is reported as soon as both servers have answered") {
  Run run;
  REQUIRE(run.detector.start({kA, kB}, std::nullopt));
  run.driver.advance(run.detector, 9);
  mapped(run.detector, 1, 50386, "10.98.0.1", 20387);
  mapped(run.detector, kShared, 53349, "10.98.0.1", 28559);
  run.detector.onCandidate(kShared, srflx("10.98.0.1", 42079));  // a second mapping, same socket
  CHECK_FALSE(run.report);                                       // A has not answered on its own connection yet
  run.driver.advance(run.detector, 2);
  mapped(run.detector, 0, 44878, "10.98.0.1", 28444);
  REQUIRE(run.report);
  const NatReport& r = *run.report;
  CHECK(r.verdict.type == NatType::Symmetric);
  CHECK(r.verdict.mapping == MappingBehavior::Dependent);
  CHECK(r.verdict.requiresRelay);
  CHECK_FALSE(r.verdict.supportsDirectConnection);
  CHECK(mentions(r,
                 "One local socket asked stun:10.98.0.2:3478 and stun:10.98.0.3:3478 and got "
                 "two mappings, 10.98.0.1:28559 and 10.98.0.1:42079"));
  CHECK(r.elapsedMs == 11);
  CHECK(run.driver.reachProbes.empty());
  CHECK(run.driver.closes == 1);
  CHECK(run.driver.timers.empty());
  REQUIRE(r.evidence.size() == 2);
  CHECK(r.evidence[0].server == kA);
  CHECK(r.evidence[0].port == 28444);
  CHECK(r.evidence[1].server == kB);
  CHECK(r.evidence[1].port == 20387);
  // Late browser events change nothing.
  completeAll(run.detector);
  run.detector.onCandidate(0, srflx("10.98.0.1", 1));
  run.detector.onTimer(1);
  CHECK(run.reports == 1);
}

TEST_CASE("detector: endpoint-independent NAT keeping the port: the self-reach test decides") {
  Run run;
  REQUIRE(run.detector.start({kA, kB}, std::nullopt));
  // Each connection has its own socket, so each server saw a different port: not a comparison.
  mapped(run.detector, 0, 35581, "10.98.0.1", 35581);
  mapped(run.detector, 1, 50386, "10.98.0.1", 50386);
  mapped(run.detector, kShared, 58726, "10.98.0.1", 58726);
  CHECK_FALSE(run.report);  // the shared socket may still get a second mapping
  CHECK(run.driver.reachProbes.empty());
  run.driver.advance(run.detector, 150);
  run.detector.onGatheringComplete(kShared);
  REQUIRE(run.driver.reachProbes.size() == 1);
  CHECK(run.driver.reachProbes[0].first == kShared);  // the socket whose mapping is tested
  CHECK(run.driver.reachProbes[0].second == srflx("10.98.0.1", 58726));
  CHECK(run.driver.timers.at(2) == 150 + kNatReachBudgetMs);
  CHECK_FALSE(run.report);

  SECTION("checks did not come back: a NAT, port-restricted") {
    run.driver.advance(run.detector, kNatReachBudgetMs);
    REQUIRE(run.report);
    const NatReport& r = *run.report;
    CHECK(r.verdict.type == NatType::PortRestricted);
    CHECK(r.verdict.mapping == MappingBehavior::EndpointIndependent);
    CHECK(r.verdict.filtering == FilteringBehavior::Unknown);
    CHECK(r.verdict.supportsDirectConnection);
    CHECK_FALSE(r.verdict.requiresRelay);
    CHECK(mentions(r, "got one mapping, 10.98.0.1:58726"));
    CHECK(mentions(r, "did not come back to it (no answer within 1000 ms)"));
    CHECK(r.elapsedMs == 1150);
    REQUIRE(r.evidence.size() == 2);
    CHECK(r.evidence[0].server == kA);
    CHECK(r.evidence[0].port == 35581);
    CHECK(r.evidence[1].server == kB);
    CHECK(r.evidence[1].address == "10.98.0.1");
    CHECK(r.evidence[1].port == 50386);
  }
  SECTION("the probe connection fails first") {
    run.driver.advance(run.detector, 20);
    run.detector.onReachState(false, "failed");  // the gathering side's failure says nothing
    CHECK_FALSE(run.report);
    run.detector.onReachState(true, "checking");
    CHECK_FALSE(run.report);
    run.detector.onReachState(true, "failed");
    REQUIRE(run.report);
    CHECK(run.report->verdict.type == NatType::PortRestricted);
    CHECK(mentions(*run.report, "the connection attempt failed"));
  }
  SECTION("checks reached this browser: no NAT, open") {
    run.driver.advance(run.detector, 6);
    run.detector.onReachState(false, "completed");  // either side connected: reached
    REQUIRE(run.report);
    const NatReport& r = *run.report;
    CHECK(r.verdict.type == NatType::Open);
    CHECK(r.verdict.mapping == MappingBehavior::EndpointIndependent);
    CHECK(r.verdict.filtering == FilteringBehavior::Unknown);
    CHECK(r.verdict.supportsDirectConnection);
    CHECK_FALSE(r.verdict.requiresRelay);
    CHECK(mentions(r, "no NAT on this path"));
    CHECK(mentions(r, "asked stun:10.98.0.2:3478 and stun:10.98.0.3:3478 got 10.98.0.1:58726"));
    CHECK(r.elapsedMs == 156);
    CHECK(r.evidence.size() == 2);
  }
  CHECK(run.reports == 1);
  CHECK(run.driver.closes == 1);
  run.detector.onReachState(true, "connected");  // too late: one report only
  CHECK(run.reports == 1);
}

TEST_CASE("sdpWithoutCandidates: drops candidate lines, keeps every other line and the final CRLF") {
  CHECK(sdpWithoutCandidates("v=0\r\na=candidate:1 1 udp 1 10.0.0.1 5000 typ host\r\na=mid:0\r\n"
                             "a=end-of-candidates\r\n") == "v=0\r\na=mid:0\r\n");
  CHECK(sdpWithoutCandidates("v=0\r\na=mid:0") == "v=0\r\na=mid:0");
  CHECK(sdpWithoutCandidates("a=candidate:x") == "");
  CHECK(sdpWithoutCandidates("") == "");
}

TEST_CASE("detector: a NAT that changes the port is not tested for self-reach") {
  Run run;
  REQUIRE(run.detector.start({kA, kB}, std::nullopt));
  mapped(run.detector, 0, 35581, "10.98.0.1", 1001);
  mapped(run.detector, 1, 50386, "10.98.0.1", 1002);
  mapped(run.detector, kShared, 58726, "10.98.0.1", 4583);
  run.detector.onGatheringComplete(kShared);
  REQUIRE(run.report);
  CHECK(run.report->verdict.type == NatType::PortRestricted);
  CHECK(run.driver.reachProbes.empty());
}

TEST_CASE("detector: no time left for the self-reach test") {
  Run run;
  REQUIRE(run.detector.start({kA, kB}, 1000.0));
  mapped(run.detector, 0, 35581, "10.98.0.1", 35581);
  mapped(run.detector, 1, 50386, "10.98.0.1", 50386);
  mapped(run.detector, kShared, 58726, "10.98.0.1", 58726);
  run.driver.advance(run.detector, 900);
  run.detector.onGatheringComplete(kShared);
  REQUIRE(run.report);
  CHECK(run.report->verdict.type == NatType::PortRestricted);
  CHECK(mentions(*run.report, "No time was left to test whether 10.98.0.1:58726"));
  CHECK(run.driver.reachProbes.empty());
}

TEST_CASE("detector: the self-reach test never outlasts the time limit") {
  Run run;
  REQUIRE(run.detector.start({kA, kB}, 700.0));
  mapped(run.detector, 0, 35581, "10.98.0.1", 35581);
  mapped(run.detector, 1, 50386, "10.98.0.1", 50386);
  mapped(run.detector, kShared, 58726, "10.98.0.1", 58726);
  run.driver.advance(run.detector, 300);
  run.detector.onGatheringComplete(kShared);
  REQUIRE(run.driver.reachProbes.size() == 1);
  run.driver.advance(run.detector, 1000);
  REQUIRE(run.report);
  CHECK(run.report->elapsedMs == 700);
  CHECK(mentions(*run.report, "no answer within 400 ms"));
}

TEST_CASE("detector: one server answers, the other fails with an error") {
  Run run;
  REQUIRE(run.detector.start({kA, kB}, std::nullopt));
  mapped(run.detector, 0, 35581, "10.99.0.2", 60901);
  run.driver.advance(run.detector, 3000);
  run.detector.onCandidateError(1, kB, 701, "STUN binding request timed out.");
  CHECK_FALSE(run.report);  // not decisive yet: wait for the end of gathering
  completeAll(run.detector);
  REQUIRE(run.report);
  const NatReport& r = *run.report;
  CHECK(r.verdict.type == NatType::Unknown);
  CHECK_FALSE(r.verdict.requiresRelay);
  CHECK(mentions(r, "stun:10.98.0.3:3478 reported error 701"));
  REQUIRE(r.evidence.size() == 2);
  CHECK(r.evidence[1].server == kB);
  CHECK(r.evidence[1].address.empty());
  CHECK(r.evidence[1].problem == "error 701: STUN binding request timed out.");
}

TEST_CASE("detector: a dead server is cut off by the time limit") {
  Run run;
  REQUIRE(run.detector.start({kA, kB}, 2000.0));
  mapped(run.detector, 0, 35581, "10.99.0.2", 60901);
  mapped(run.detector, kShared, 58726, "10.99.0.2", 60902);
  run.detector.onGatheringComplete(0);
  run.driver.advance(run.detector, 1999);
  CHECK_FALSE(run.report);
  run.driver.advance(run.detector, 1);
  REQUIRE(run.report);
  const NatReport& r = *run.report;
  CHECK(r.timedOut);
  CHECK(r.elapsedMs == 2000);
  CHECK(r.verdict.type == NatType::Unknown);
  CHECK_FALSE(r.verdict.requiresRelay);  // one server did answer
  CHECK(mentions(r, "Only stun:10.98.0.2:3478 answered (mapped to 10.99.0.2:60901)"));
  CHECK(mentions(r, "stun:10.98.0.3:3478 did not answer before the time limit"));
  CHECK(run.driver.reachProbes.empty());
  REQUIRE(r.evidence.size() == 2);
  CHECK(r.evidence[0].server == kA);
  CHECK(r.evidence[1].problem == "no answer before the time limit");
}

TEST_CASE("detector: every server dead: unknown, relay needed, within the time limit") {
  Run run;
  REQUIRE(run.detector.start({kA, kB}, std::nullopt));
  run.detector.onCandidate(0, host(35581));
  run.driver.advance(run.detector, kNatDefaultTimeoutMs);
  REQUIRE(run.report);
  CHECK(run.report->verdict.type == NatType::Unknown);
  CHECK(run.report->verdict.requiresRelay);
  CHECK(run.report->elapsedMs == kNatDefaultTimeoutMs);
  CHECK(mentions(*run.report, "No STUN server produced a reflexive candidate"));
}

TEST_CASE("detector: every server failed with an error: no need to wait") {
  Run run;
  REQUIRE(run.detector.start({kA, kB}, std::nullopt));
  run.detector.onCandidateError(0, kA, 701, "STUN host lookup received error.");
  CHECK_FALSE(run.report);
  run.detector.onCandidateError(1, "", 701, "STUN host lookup received error.");
  REQUIRE(run.report);  // the connection says whose error it is, with or without a URL
  CHECK(run.report->verdict.requiresRelay);
  CHECK(run.report->elapsedMs == 0);
  CHECK(run.report->evidence[1].problem == "error 701: STUN host lookup received error.");
}

TEST_CASE("detector: the browser refuses or fails to gather") {
  SECTION("refused synchronously: every connection made so far is closed") {
    Run run;
    run.driver.refuse = 1;
    REQUIRE(run.detector.start({kA, kB}, std::nullopt));
    REQUIRE(run.report);
    CHECK(run.report->verdict.type == NatType::Unknown);
    CHECK_FALSE(run.report->verdict.requiresRelay);
    CHECK(mentions(*run.report,
                   "refused to gather candidates with stun:10.98.0.3:3478 "
                   "(SyntaxError: bad URL)"));
    CHECK(run.report->evidence[0].problem == "not contacted");
    CHECK(run.driver.gathered.size() == 1);  // the shared connection was never asked for
    CHECK(run.driver.closes == 1);
    CHECK(run.driver.timers.empty());
  }
  SECTION("the shared connection refused") {
    Run run;
    run.driver.refuse = kShared;
    REQUIRE(run.detector.start({kA, kB}, std::nullopt));
    REQUIRE(run.report);
    CHECK(mentions(*run.report, "with stun:10.98.0.2:3478 and stun:10.98.0.3:3478 (SyntaxError"));
  }
  SECTION("createOffer failed") {
    Run run;
    REQUIRE(run.detector.start({kA, kB}, std::nullopt));
    run.detector.onGatherFailed(7, "from a connection never made");  // ignored
    CHECK_FALSE(run.report);
    run.detector.onGatherFailed(kShared, "InvalidStateError: closed");
    REQUIRE(run.report);
    CHECK(mentions(*run.report, "could not start gathering candidates (InvalidStateError"));
    CHECK(run.driver.timers.empty());
  }
}

TEST_CASE("detector: events from a connection it never made are ignored") {
  Run run;
  REQUIRE(run.detector.start({kA, kB}, std::nullopt));
  for (NatDetector::ConnectionId c : {3u, 8u, 4294967295u}) {
    run.detector.onCandidate(c, srflx("10.98.0.1", 40000));
    run.detector.onCandidateError(c, kA, 701, "x");
    run.detector.onGatheringComplete(c);
  }
  mapped(run.detector, 0, 35581, "10.99.0.2", 60901);
  run.detector.onCandidateError(1, kB, 701, "y");
  completeAll(run.detector);
  REQUIRE(run.report);
  CHECK(mentions(*run.report, "Only stun:10.98.0.2:3478 answered"));
  CHECK(run.report->evidence.size() == 2);
}

TEST_CASE("detector: malformed candidate strings are ignored and counted") {
  Run run;
  REQUIRE(run.detector.start({kA, kB}, std::nullopt));
  run.detector.onCandidate(0, "");
  run.detector.onCandidate(0, "candidate:1 1 udp 1 10.98.0.1 99999 typ srflx");  // bad port
  run.detector.onCandidate(0, "candidate:1 1 udp 1 10.98.0.1 5000 typ bogus");
  run.detector.onCandidate(kShared, std::string(5000, 'x'));
  run.detector.onCandidate(1, "candidate:1 1 udp 1 10.98.0.1 5000 typ srflx raddr");
  CHECK_FALSE(run.report);
  mapped(run.detector, 0, 35581, "10.98.0.1", 40000);
  mapped(run.detector, 1, 50386, "10.98.0.1", 40001);
  mapped(run.detector, kShared, 58726, "10.98.0.1", 40002);
  run.detector.onCandidate(kShared, srflx("10.98.0.1", 40003));
  REQUIRE(run.report);
  CHECK(run.report->verdict.type == NatType::Symmetric);
  CHECK(run.report->malformedCandidates == 5);
  CHECK(mentions(*run.report, "5 malformed candidates from the browser were ignored (first:"));
}

TEST_CASE("detector: relay, TCP and RTCP candidates are not mapping evidence") {
  Run run;
  REQUIRE(run.detector.start({kA, kB}, std::nullopt));
  run.detector.onCandidate(0,
                           "candidate:2 1 tcp 1518280447 10.98.0.1 9 typ srflx raddr 0.0.0.0 rport 0 tcptype active");
  run.detector.onCandidate(1, "candidate:3 1 udp 41885439 10.98.0.7 50000 typ relay raddr 10.98.0.1 rport 1");
  run.detector.onCandidate(kShared, "candidate:4 2 udp 1677729534 10.98.0.1 40001 typ srflx raddr 0.0.0.0 rport 0");
  run.driver.advance(run.detector, 200);
  completeAll(run.detector);
  REQUIRE(run.report);
  CHECK(run.report->verdict.type == NatType::Unknown);
  CHECK(run.report->verdict.requiresRelay);
  CHECK(run.report->malformedCandidates == 0);
}

TEST_CASE("detector: a flood of browser events is bounded") {
  Run run;
  REQUIRE(run.detector.start({kA, kB}, std::nullopt));
  for (int i = 0; i < 10000; ++i) run.detector.onCandidate(0, host(35581));
  mapped(run.detector, 1, 50386, "10.98.0.1", 40000);  // past the bound: dropped
  completeAll(run.detector);
  REQUIRE(run.report);
  CHECK(run.report->verdict.type == NatType::Unknown);
  CHECK(run.report->verdict.requiresRelay);
}

TEST_CASE("detector: several local sockets behind mDNS: answers alone do not stop it early") {
  Run run;
  REQUIRE(run.detector.start({kA, kB}, std::nullopt));
  mapped(run.detector, 0, 35581, "203.0.113.5", 35581);
  mapped(run.detector, 1, 50386, "203.0.113.5", 50386);
  run.detector.onCandidate(kShared, host(40000));
  run.detector.onCandidate(kShared,
                           "candidate:9 1 udp 2113937151 0b4e6d7c-1111-4c1a-9f1e-2b7d0e6a4f11.local 40001 typ host");
  run.detector.onCandidate(kShared, srflx("203.0.113.5", 40000));
  run.detector.onCandidate(kShared, srflx("203.0.113.5", 40001));
  CHECK_FALSE(run.report);  // maybe one mapping per socket: wait for the rest
  run.detector.onCandidate(kShared, srflx("203.0.113.5", 40002));
  REQUIRE(run.report);  // three mappings from two sockets: one socket got two
  CHECK(run.report->verdict.type == NatType::Symmetric);
}

TEST_CASE("detector: a srflx candidate without an IP address is not a server's answer") {
  Run run;
  REQUIRE(run.detector.start({kA, kB}, std::nullopt));
  run.detector.onCandidate(1, srflx("stun-mapped.example", 40000));  // well-formed, no mapping
  mapped(run.detector, 0, 35581, "10.98.0.1", 40000);
  CHECK_FALSE(run.report);  // B has not answered
  run.driver.advance(run.detector, kNatDefaultTimeoutMs);
  REQUIRE(run.report);
  CHECK(run.report->verdict.type == NatType::Unknown);
  CHECK(run.report->malformedCandidates == 0);
}

TEST_CASE("detector: Firefox on loopback: the reflexive address is a host address, open") {
  Run run;
  REQUIRE(run.detector.start({"stun:127.0.0.1:24304", "stun:127.0.0.1:25019"}, std::nullopt));
  run.detector.onCandidate(0, "candidate:0 1 UDP 2122252543 192.0.2.2 38733 typ host");
  run.detector.onCandidate(0,
                           "candidate:1 1 UDP 1686052863 192.0.2.2 38733 typ srflx raddr "
                           "192.0.2.2 rport 38733");
  run.detector.onCandidate(1, "candidate:0 1 UDP 2122252543 192.0.2.2 38734 typ host");
  run.detector.onCandidate(1,
                           "candidate:1 1 UDP 1686052863 192.0.2.2 38734 typ srflx raddr "
                           "192.0.2.2 rport 38734");
  REQUIRE(run.report);  // both servers answered, and what they said settles it
  CHECK(run.report->verdict.type == NatType::Open);
  CHECK(mentions(*run.report, "192.0.2.2 is also a local address"));
  CHECK(run.driver.reachProbes.empty());
}

TEST_CASE("detector: a browser that answers re-entrantly during gather() is handled") {
  struct Eager : FakeNatDriver {
    NatDetector* detector = nullptr;
    Result<void> gather(ConnectionId c, const Urls& urls) override {
      (void)FakeNatDriver::gather(c, urls);
      detector->onCandidateError(c, urls[0], 701, c == 0 ? "x" : "y");
      return ok();
    }
  };
  Eager driver;
  std::optional<NatReport> report;
  NatDetector detector(driver, [&](const NatReport& r) { report = r; });
  driver.detector = &detector;
  REQUIRE(detector.start({kA, kB}, std::nullopt));
  REQUIRE(report);
  CHECK(report->verdict.requiresRelay);
  CHECK(driver.timers.empty());        // no deadline left behind
  CHECK(driver.gathered.size() == 2);  // settled before the shared connection was needed
  CHECK(report->evidence[0].problem == "error 701: x");
}
