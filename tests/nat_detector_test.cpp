// NatDetector against a scripted browser: which servers it uses, when it stops, the self-reach
// test that tells `open` from a port-preserving NAT, time limits, and hostile candidate strings.
// The candidate strings are the shapes Chromium produced in the e2e lab (mDNS host candidates,
// srflx with raddr 0.0.0.0, one srflx when two servers see the same mapping).
#include "manual_clock.hpp"
#include "nat/nat_detector.hpp"

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

using namespace wre;

namespace {

class FakeNatDriver : public NatProbeDriver {
 public:
  double now = 0;
  std::optional<std::vector<std::string>> gathered;
  std::vector<std::string> reachProbes;
  std::map<TimerId, double> timers;  // id -> due time
  bool refuse = false;
  int closes = 0;

  Result<void> gather(const std::vector<std::string>& urls) override {
    if (refuse) return makeError(ErrorKind::Initialization, "SyntaxError: bad URL");
    gathered = urls;
    return ok();
  }
  void probeReach(const std::string& candidate) override { reachProbes.push_back(candidate); }
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
const char* kHost =
    "candidate:1830765558 1 udp 2113937151 81aba77e-8515-4ae7-b3fc-6add19fc8b5e.local 58726 typ "
    "host generation 0 ufrag ZUNF network-cost 999";

std::string srflx(const std::string& address, int port) {
  return "candidate:2871038856 1 udp 1677729535 " + address + " " + std::to_string(port) +
         " typ srflx raddr 0.0.0.0 rport 0 generation 0 ufrag ZUNF network-cost 999";
}

bool mentions(const NatReport& r, std::string_view text) {
  return r.verdict.reason.find(text) != std::string::npos;
}

}  // namespace

TEST_CASE("detector: fewer than two STUN servers answers at once, without gathering") {
  SECTION("none") {
    Run run;
    REQUIRE(run.detector.start({}, std::nullopt));
    REQUIRE(run.report);
    CHECK(run.report->verdict.type == NatType::Unknown);
    CHECK(mentions(*run.report, "No STUN servers are configured"));
    CHECK_FALSE(run.driver.gathered);
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
    CHECK_FALSE(run.driver.gathered);
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
  for (double bad : {0.0, -5.0, 50.0, 60001.0, std::nan(""),
                     std::numeric_limits<double>::infinity()}) {
    Run run;
    auto r = run.detector.start({kA, kB}, bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == ErrorKind::Config);
    CHECK(r.error().message.find("timeout must be between 100 and 60000 ms") != std::string::npos);
    CHECK_FALSE(run.driver.gathered);
    CHECK_FALSE(run.report);
  }
  Run run;
  REQUIRE(run.detector.start({kA, kB}, 100.0));
  CHECK(run.driver.timers.at(1) == 100);
  CHECK_FALSE(run.detector.start({kA, kB}, std::nullopt));  // one detection per object
}

TEST_CASE("detector: gathers with the STUN URLs only, bounded by the default time limit") {
  Run run;
  REQUIRE(run.detector.start({"turn:10.98.0.9:3478", kA, kB, "stun:10.98.0.2:3478"}, std::nullopt));
  REQUIRE(run.driver.gathered);
  CHECK(*run.driver.gathered == std::vector<std::string>{kA, kB});
  CHECK(run.driver.timers.at(1) == kNatDefaultTimeoutMs);
  CHECK_FALSE(run.report);
}

TEST_CASE("detector: at most kNatMaxServers servers are asked") {
  std::vector<std::string> urls;
  for (int i = 1; i <= 12; ++i) urls.push_back("stun:10.98.0." + std::to_string(i));
  Run run;
  REQUIRE(run.detector.start(urls, std::nullopt));
  CHECK(run.driver.gathered->size() == kNatMaxServers);
}

TEST_CASE("detector: symmetric NAT is reported as soon as both servers have answered") {
  Run run;
  REQUIRE(run.detector.start({kA, kB}, std::nullopt));
  run.driver.advance(run.detector, 9);
  run.detector.onCandidate(kHost, "");
  run.detector.onCandidate(srflx("10.98.0.1", 32576), kB);
  CHECK_FALSE(run.report);
  run.driver.advance(run.detector, 2);
  run.detector.onCandidate(srflx("10.98.0.1", 23828), kA);
  REQUIRE(run.report);
  const NatReport& r = *run.report;
  CHECK(r.verdict.type == NatType::Symmetric);
  CHECK(r.verdict.mapping == MappingBehavior::Dependent);
  CHECK(r.verdict.requiresRelay);
  CHECK_FALSE(r.verdict.supportsDirectConnection);
  CHECK(r.elapsedMs == 11);
  CHECK(run.driver.reachProbes.empty());
  CHECK(run.driver.closes == 1);
  CHECK(run.driver.timers.empty());
  REQUIRE(r.evidence.size() == 2);
  CHECK(r.evidence[0].server == kA);
  CHECK(r.evidence[0].port == 23828);
  CHECK(r.evidence[1].server == kB);
  CHECK(r.evidence[1].port == 32576);
  // Late browser events change nothing.
  run.detector.onGatheringComplete();
  run.detector.onCandidate(srflx("10.98.0.1", 1), kA);
  run.detector.onTimer(1);
  CHECK(run.reports == 1);
}

TEST_CASE("detector: endpoint-independent NAT keeping the port: the self-reach test decides") {
  Run run;
  REQUIRE(run.detector.start({kA, kB}, std::nullopt));
  run.detector.onCandidate(kHost, "");
  run.detector.onCandidate(srflx("10.98.0.1", 58726), kA);  // B's duplicate is dropped
  CHECK_FALSE(run.report);                                   // B may still answer differently
  CHECK(run.driver.reachProbes.empty());
  run.driver.advance(run.detector, 150);
  run.detector.onGatheringComplete();
  REQUIRE(run.driver.reachProbes.size() == 1);
  CHECK(run.driver.reachProbes[0] == srflx("10.98.0.1", 58726));
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
    CHECK(mentions(r, "drops duplicate candidates"));
    CHECK(mentions(r, "did not come back to it (no answer within 1000 ms)"));
    CHECK(r.elapsedMs == 1150);
    REQUIRE(r.evidence.size() == 2);
    CHECK_FALSE(r.evidence[0].inferred);
    CHECK(r.evidence[1].server == kB);
    CHECK(r.evidence[1].inferred);
    CHECK(r.evidence[1].address == "10.98.0.1");
    CHECK(r.evidence[1].port == 58726);
  }
  SECTION("the shim reports failure first") {
    run.driver.advance(run.detector, 20);
    run.detector.onReachResult(false);
    REQUIRE(run.report);
    CHECK(run.report->verdict.type == NatType::PortRestricted);
    CHECK(mentions(*run.report, "the connection attempt failed"));
  }
  SECTION("checks reached this browser: no NAT, open") {
    run.driver.advance(run.detector, 6);
    run.detector.onReachResult(true);
    REQUIRE(run.report);
    const NatReport& r = *run.report;
    CHECK(r.verdict.type == NatType::Open);
    CHECK(r.verdict.mapping == MappingBehavior::EndpointIndependent);
    CHECK(r.verdict.filtering == FilteringBehavior::Unknown);
    CHECK(r.verdict.supportsDirectConnection);
    CHECK_FALSE(r.verdict.requiresRelay);
    CHECK(mentions(r, "no NAT on this path"));
    CHECK(mentions(r, "10.98.0.1:58726"));
    CHECK(r.elapsedMs == 156);
    CHECK(r.evidence.size() == 2);
  }
  CHECK(run.reports == 1);
  CHECK(run.driver.closes == 1);
  run.detector.onReachResult(true);  // too late
  CHECK(run.reports == 1);
}

TEST_CASE("detector: a NAT that changes the port is not tested for self-reach") {
  Run run;
  REQUIRE(run.detector.start({kA, kB}, std::nullopt));
  run.detector.onCandidate(kHost, "");
  run.detector.onCandidate(srflx("10.98.0.1", 4583), kA);
  run.detector.onGatheringComplete();
  REQUIRE(run.report);
  CHECK(run.report->verdict.type == NatType::PortRestricted);
  CHECK(run.driver.reachProbes.empty());
}

TEST_CASE("detector: no time left for the self-reach test") {
  Run run;
  REQUIRE(run.detector.start({kA, kB}, 1000.0));
  run.detector.onCandidate(kHost, "");
  run.detector.onCandidate(srflx("10.98.0.1", 58726), kA);
  run.driver.advance(run.detector, 900);
  run.detector.onGatheringComplete();
  REQUIRE(run.report);
  CHECK(run.report->verdict.type == NatType::PortRestricted);
  CHECK(mentions(*run.report, "No time was left to test whether 10.98.0.1:58726"));
  CHECK(run.driver.reachProbes.empty());
}

TEST_CASE("detector: the self-reach test never outlasts the time limit") {
  Run run;
  REQUIRE(run.detector.start({kA, kB}, 700.0));
  run.detector.onCandidate(kHost, "");
  run.detector.onCandidate(srflx("10.98.0.1", 58726), kA);
  run.driver.advance(run.detector, 300);
  run.detector.onGatheringComplete();
  REQUIRE(run.driver.reachProbes.size() == 1);
  run.driver.advance(run.detector, 1000);
  REQUIRE(run.report);
  CHECK(run.report->elapsedMs == 700);
  CHECK(mentions(*run.report, "no answer within 400 ms"));
}

TEST_CASE("detector: one server answers, the other fails with an error") {
  Run run;
  REQUIRE(run.detector.start({kA, kB}, std::nullopt));
  run.detector.onCandidate(kHost, "");
  run.detector.onCandidate(srflx("10.99.0.2", 60901), kA);
  run.driver.advance(run.detector, 3000);
  run.detector.onCandidateError(kB, 701, "STUN binding request timed out.");
  CHECK_FALSE(run.report);  // not decisive yet: wait for the end of gathering
  run.detector.onGatheringComplete();
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
  run.detector.onCandidate(kHost, "");
  run.detector.onCandidate(srflx("10.99.0.2", 60901), kA);
  run.driver.advance(run.detector, 1999);
  CHECK_FALSE(run.report);
  run.driver.advance(run.detector, 1);
  REQUIRE(run.report);
  const NatReport& r = *run.report;
  CHECK(r.timedOut);
  CHECK(r.elapsedMs == 2000);
  CHECK(r.verdict.type == NatType::Unknown);
  CHECK_FALSE(r.verdict.requiresRelay);  // one server did answer
  CHECK(mentions(r, "did not answer before the time limit"));
  CHECK(run.driver.reachProbes.empty());
  REQUIRE(r.evidence.size() == 2);
  CHECK(r.evidence[1].problem == "no answer before the time limit");
}

TEST_CASE("detector: every server dead: unknown, relay needed, within the time limit") {
  Run run;
  REQUIRE(run.detector.start({kA, kB}, std::nullopt));
  run.detector.onCandidate(kHost, "");
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
  run.detector.onCandidateError(kA, 701, "STUN host lookup received error.");
  CHECK_FALSE(run.report);
  run.detector.onCandidateError(kB, 701, "STUN host lookup received error.");
  REQUIRE(run.report);
  CHECK(run.report->verdict.requiresRelay);
  CHECK(run.report->elapsedMs == 0);
}

TEST_CASE("detector: the browser refuses or fails to gather") {
  SECTION("refused synchronously") {
    Run run;
    run.driver.refuse = true;
    REQUIRE(run.detector.start({kA, kB}, std::nullopt));
    REQUIRE(run.report);
    CHECK(run.report->verdict.type == NatType::Unknown);
    CHECK_FALSE(run.report->verdict.requiresRelay);
    CHECK(mentions(*run.report, "SyntaxError: bad URL"));
    CHECK(run.report->evidence[0].problem == "not contacted");
  }
  SECTION("createOffer failed") {
    Run run;
    REQUIRE(run.detector.start({kA, kB}, std::nullopt));
    run.detector.onGatherFailed("InvalidStateError: closed");
    REQUIRE(run.report);
    CHECK(mentions(*run.report, "could not start gathering candidates (InvalidStateError"));
    CHECK(run.driver.timers.empty());
  }
}

TEST_CASE("detector: malformed candidate strings are ignored and counted") {
  Run run;
  REQUIRE(run.detector.start({kA, kB}, std::nullopt));
  run.detector.onCandidate("", kA);
  run.detector.onCandidate("candidate:1 1 udp 1 10.98.0.1 99999 typ srflx", kA);  // bad port
  run.detector.onCandidate("candidate:1 1 udp 1 10.98.0.1 5000 typ bogus", kA);
  run.detector.onCandidate(std::string(5000, 'x'), kA);
  run.detector.onCandidate("candidate:1 1 udp 1 10.98.0.1 5000 typ srflx raddr", kB);
  CHECK_FALSE(run.report);
  run.detector.onCandidate(kHost, "");
  run.detector.onCandidate(srflx("10.98.0.1", 40000), kA);
  run.detector.onCandidate(srflx("10.98.0.1", 40001), kB);
  REQUIRE(run.report);
  CHECK(run.report->verdict.type == NatType::Symmetric);
  CHECK(run.report->malformedCandidates == 5);
  CHECK(mentions(*run.report, "5 malformed candidates from the browser were ignored (first:"));
}

TEST_CASE("detector: relay, TCP and RTCP candidates are not mapping evidence") {
  Run run;
  REQUIRE(run.detector.start({kA, kB}, std::nullopt));
  run.detector.onCandidate(
      "candidate:2 1 tcp 1518280447 10.98.0.1 9 typ srflx raddr 0.0.0.0 rport 0 tcptype active",
      kA);
  run.detector.onCandidate(
      "candidate:3 1 udp 41885439 10.98.0.7 50000 typ relay raddr 10.98.0.1 rport 1", kB);
  run.detector.onCandidate(
      "candidate:4 2 udp 1677729534 10.98.0.1 40001 typ srflx raddr 0.0.0.0 rport 0", kB);
  run.driver.advance(run.detector, 200);
  run.detector.onGatheringComplete();
  REQUIRE(run.report);
  CHECK(run.report->verdict.type == NatType::Unknown);
  CHECK(run.report->verdict.requiresRelay);
  CHECK(run.report->malformedCandidates == 0);
}

TEST_CASE("detector: a flood of browser events is bounded") {
  Run run;
  REQUIRE(run.detector.start({kA, kB}, std::nullopt));
  for (int i = 0; i < 10000; ++i) run.detector.onCandidate(kHost, "");
  run.detector.onCandidate(srflx("10.98.0.1", 40000), kA);  // past the bound: dropped
  run.detector.onGatheringComplete();
  REQUIRE(run.report);
  CHECK(run.report->verdict.type == NatType::Unknown);
}

TEST_CASE("detector: several local sockets behind mDNS: answers alone do not stop it early") {
  Run run;
  REQUIRE(run.detector.start({kA, kB}, std::nullopt));
  run.detector.onCandidate(kHost, "");
  run.detector.onCandidate(
      "candidate:9 1 udp 2113937151 0b4e6d7c-1111-4c1a-9f1e-2b7d0e6a4f11.local 40001 typ host", "");
  run.detector.onCandidate(srflx("203.0.113.5", 40000), kA);
  run.detector.onCandidate(srflx("203.0.113.5", 40001), kB);
  CHECK_FALSE(run.report);  // maybe one mapping per socket: wait for the rest
  run.detector.onCandidate(srflx("203.0.113.5", 40002), kB);
  REQUIRE(run.report);  // three mappings from two sockets: one socket got two
  CHECK(run.report->verdict.type == NatType::Symmetric);
}

TEST_CASE("detector: a srflx candidate without an IP address is not a server's answer") {
  Run run;
  REQUIRE(run.detector.start({kA, kB}, std::nullopt));
  run.detector.onCandidate(kHost, "");
  run.detector.onCandidate(srflx("stun-mapped.example", 40000), kB);  // well-formed, not a mapping
  run.detector.onCandidate(srflx("10.98.0.1", 40000), kA);
  CHECK_FALSE(run.report);  // B has not answered
  run.driver.advance(run.detector, kNatDefaultTimeoutMs);
  REQUIRE(run.report);
  CHECK(run.report->verdict.type == NatType::Unknown);
  CHECK(run.report->malformedCandidates == 0);
}

TEST_CASE("detector: a browser that answers re-entrantly during gather() is handled") {
  struct Eager : FakeNatDriver {
    NatDetector* detector = nullptr;
    Result<void> gather(const std::vector<std::string>& urls) override {
      (void)FakeNatDriver::gather(urls);
      detector->onCandidateError(urls[0], 701, "x");
      detector->onCandidateError(urls[1], 701, "y");
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
  CHECK(driver.timers.empty());  // no deadline left behind
  CHECK(report->evidence[0].problem == "error 701: x");
}
