// The heartbeat and the probe plan: silence from a peer of this library for heartbeatTimeout is a
// lost link (the reconnection schedule starts as for the browser's `disconnected`), hearing it
// again ends that; probes are sparse on a clean idle link and dense after trouble; periodic ticks
// of peers started at different times fall due at the same instants.
#include <catch2/catch.hpp>

#include "connect_peer.hpp"
#include "fake_driver.hpp"
#include "metrics/metrics_collector.hpp"
#include "metrics/probe_codec.hpp"
#include "peer/peer.hpp"
#include "peer/wre_messages.hpp"

using namespace wre;
using namespace wre::test;

namespace {

struct LivePeer {
  FakeDriver driver;
  EventLog log;
  Peer peer;
  explicit LivePeer(Config c = config(), double startMs = 0) : peer(std::move(c), driver, log) {
    driver.now = startMs;
    REQUIRE(peer.start());
    connectAsOfferer(peer);
    peer.onLibraryMessage(kWre, kHello);
  }
  static Config config() {
    Config c;
    c.peerId = "live";
    return c;
  }
  void advance(double ms) {
    driver.advance(driver.now + ms, [&](TimerId id) { peer.onTimer(id); });
  }
  // The far side's probes, every `every` ms for `ms` ms, numbered on from `seq`.
  void hear(double ms, double every, uint32_t& seq) {
    for (double t = 0; t < ms; t += every) {
      peer.onLibraryMessage(kWreProbe, encodeProbe({seq++, driver.now}));
      advance(every);
    }
  }
  size_t probesSent() const {
    size_t n = 0;
    for (const auto& [c, _] : driver.sent) n += c == kWreProbe;
    return n;
  }
  std::vector<PeerState> states() const {
    std::vector<PeerState> out;
    for (const auto& e : log.all<event::StateChange>()) out.push_back(e.to);
    return out;
  }
};

}  // namespace

TEST_CASE("heartbeat: silence for heartbeatTimeout is a lost link, on time; the schedule starts as for the browser's") {
  LivePeer p;
  uint32_t seq = 1;
  p.hear(5000, 500, seq);
  CHECK(p.peer.state() == PeerState::Connected);
  const double lastHeard = p.driver.now - 500;
  // Nothing more from the far side, while the browser still says `connected` (Firefox does).
  while (p.peer.state() == PeerState::Connected && p.driver.now < lastHeard + 10000) p.advance(10);
  CHECK(p.peer.state() == PeerState::Disconnected);
  CHECK(p.driver.now - lastHeard >= p.peer.config().heartbeatTimeout);
  CHECK(p.driver.now - lastHeard <= p.peer.config().heartbeatTimeout + 100);
  // The grace period, then the reconnection schedule, exactly as after a `disconnected`.
  p.advance(Peer::kDisconnectGraceMs + 10);
  CHECK(p.log.count<event::ReconnectScheduled>() == 1);
  CHECK(p.peer.reconnecting());
  // Heartbeat probes go on through the outage, so the far side can hear us come back.
  size_t before = p.probesSent();
  p.advance(3000);
  CHECK(p.probesSent() > before);
}

TEST_CASE("heartbeat: hearing the far side again ends the outage the heartbeat saw") {
  LivePeer p;
  uint32_t seq = 1;
  p.hear(1000, 500, seq);
  p.advance(p.peer.config().heartbeatTimeout + 200);
  REQUIRE(p.peer.state() == PeerState::Disconnected);
  p.hear(100, 50, seq);
  CHECK(p.peer.state() == PeerState::Connected);
  CHECK_FALSE(p.peer.reconnecting());
  CHECK(p.states() == std::vector<PeerState>{PeerState::Connecting, PeerState::Connected, PeerState::Disconnected,
                                             PeerState::Connected});
}

TEST_CASE("heartbeat: an outage the browser reported ends when the browser says connected, not before") {
  LivePeer p;
  uint32_t seq = 1;
  p.hear(1000, 500, seq);
  p.peer.onConnectionState("disconnected");
  p.advance(p.peer.config().heartbeatTimeout + 200);
  p.hear(100, 50, seq);  // (probes of a path the browser does not trust yet)
  CHECK(p.peer.state() != PeerState::Connected);
  p.peer.onConnectionState("connected");
  CHECK(p.peer.state() == PeerState::Connected);
}

TEST_CASE("heartbeat: any message counts as alive; heartbeatTimeout 0 leaves it to the browser") {
  LivePeer p;
  for (int i = 0; i < 100; ++i) {
    p.peer.onUserMessage(kReliable, 10);
    p.advance(100);
  }
  CHECK(p.peer.state() == PeerState::Connected);
  Config c = LivePeer::config();
  c.heartbeatTimeout = 0;
  LivePeer off(c);
  off.advance(60000);
  CHECK(off.peer.state() == PeerState::Connected);
  CHECK(off.log.count<event::ReconnectScheduled>() == 0);
  // It still probes, sparsely: the far side's heartbeat may be on.
  CHECK(off.probesSent() >= 60000 / ProbePlan::kMaxSparseMs - 1);
}

TEST_CASE("heartbeat: a plain far end (no hello) is never judged by it") {
  FakeDriver driver;
  EventLog log;
  Config c = LivePeer::config();
  Peer peer(c, driver, log);
  REQUIRE(peer.start());
  connectAsOfferer(peer);
  driver.advance(60000, [&](TimerId id) { peer.onTimer(id); });
  CHECK(peer.state() == PeerState::Connected);
}

TEST_CASE("probe plan: dense while settling and after trouble, sparse on a clean idle link") {
  LivePeer p;
  uint32_t seq = 1;
  const double sparse = ProbePlan::sparsePeriod(p.peer.config().heartbeatTimeout);
  CHECK(sparse == 1024);  // more than two in the default 3 s timeout
  auto sentDuring = [&](double ms, double every) {
    size_t before = p.probesSent();
    p.hear(ms, every, seq);
    return p.probesSent() - before;
  };
  CHECK(sentDuring(1000, 500) >= 19);  // settling: every 50 ms
  p.hear(2000, 500, seq);
  CHECK(sentDuring(10000, 500) <= 10000 / sparse + 1);  // clean and idle: sparse
  seq += 3;                                             // three of the far side's probes lost: trouble
  p.hear(500, 500, seq);
  CHECK(sentDuring(5000, 500) >= 95);  // dense for a loss window
  p.hear(6000, 500, seq);
  CHECK(sentDuring(5000, 500) <= 5000 / sparse + 1);  // and sparse again after a clean one
}

TEST_CASE("probe plan: the sparse period puts more than two probes in a timeout, within [64, 1024] ms") {
  CHECK(ProbePlan::sparsePeriod(0) == 1024);
  CHECK(ProbePlan::sparsePeriod(3000) == 1024);
  CHECK(ProbePlan::sparsePeriod(10000) == 1024);  // a default far side judges by ours too
  CHECK(ProbePlan::sparsePeriod(1000) == 256);
  CHECK(ProbePlan::sparsePeriod(300) == 64);
}

TEST_CASE("ticks of peers started at different times fall due at the same instants") {
  std::vector<double> due;
  for (double start : {0.0, 130.0, 777.0, 1500.5}) {
    Config c = LivePeer::config();
    c.heartbeatTimeout = 0;  // (its one-shot checks are not ticks)
    LivePeer p(c, start);
    p.advance(ProbePlan::kSettleMs + 100);  // past the dense start
    // The next probe tick and metrics tick, on the page clock.
    std::vector<double> deadlines;
    for (const auto& [_, at] : p.driver.timers) deadlines.push_back(at);
    std::sort(deadlines.begin(), deadlines.end());
    REQUIRE(!deadlines.empty());
    for (double d : deadlines) CHECK(std::fmod(d, 1024) == 0);
    due.push_back(deadlines.back());
  }
}

namespace {
// The far side's probes in `driver.sent` since index `from`, decoded.
std::vector<LinkProbe> probesSince(const FakeDriver& d, size_t from) {
  std::vector<LinkProbe> out;
  for (size_t i = from; i < d.sent.size(); ++i)
    if (d.sent[i].first == kWreProbe) out.push_back(*decodeProbe(d.sent[i].second));
  return out;
}
}  // namespace

TEST_CASE("heartbeat: half the timeout of silence sends a query, again at three quarters; an answer keeps the link") {
  LivePeer p;
  uint32_t seq = 1;
  p.hear(ProbePlan::kSettleMs + 2000, 1024, seq);  // sparse by now
  const double timeout = p.peer.config().heartbeatTimeout;
  size_t from = p.driver.sent.size();
  const double lastHeard = p.driver.now - 1024;  // hear() waits after each probe
  // The first probe tick past half the timeout asks (a tick comes before three quarters).
  std::vector<LinkProbe> queries;
  while (queries.empty() && p.driver.now < lastHeard + timeout) {
    p.advance(10);
    for (const auto& probe : probesSince(p.driver, from))
      if (probe.query) queries.push_back(probe);
  }
  REQUIRE(queries.size() == 1);
  CHECK(queries[0].sentMs >= lastHeard + timeout / 2);
  CHECK(queries[0].sentMs <= lastHeard + timeout * 3 / 4);
  // The far side answers: heard, no verdict; silence again later still ends in one.
  p.peer.onLibraryMessage(kWreProbe, encodeProbe({seq++, p.driver.now}));
  from = p.driver.sent.size();
  p.advance(timeout / 2 - 1);
  CHECK(p.peer.state() == PeerState::Connected);
  p.advance(timeout);
  size_t asked = 0;
  for (const auto& probe : probesSince(p.driver, from)) asked += probe.query;
  CHECK(asked == 2);
  CHECK(p.peer.state() == PeerState::Disconnected);
}

TEST_CASE("a query from the far side is answered with a probe at once, at most one per dense interval") {
  LivePeer p;
  uint32_t seq = 1;
  p.hear(ProbePlan::kSettleMs + 2000, 1024, seq);
  p.advance(100);  // (not right on our own probe tick)
  size_t from = p.driver.sent.size();
  LinkProbe q{seq++, p.driver.now};
  q.query = true;
  p.peer.onLibraryMessage(kWreProbe, encodeProbe(q));
  auto sent = probesSince(p.driver, from);
  REQUIRE(sent.size() == 1);
  CHECK_FALSE(sent[0].query);
  CHECK(sent[0].echoSentMs == q.sentMs);  // it carries the echo of the query
  for (int i = 0; i < 10; ++i) {
    q.seq = seq++;
    p.peer.onLibraryMessage(kWreProbe, encodeProbe(q));  // a flood: no more answers yet
  }
  CHECK(probesSince(p.driver, from).size() == 1);
}

TEST_CASE("probe plan: a round trip far off the smoothed one is trouble (dense), a small swing is not") {
  MetricsCollector c;
  double now = 0;
  auto roundTrip = [&](double rttMs) {
    c.onProbeSent(now);
    c.onEcho(now, 0, now + rttMs);
    now += 1000;
  };
  for (int i = 0; i < 10; ++i) roundTrip(5);
  c.takeTrouble();
  roundTrip(30);  // +25 ms: a busy page
  CHECK_FALSE(c.takeTrouble());
  roundTrip(120);  // +115 ms: the path changed
  CHECK(c.takeTrouble());
}
