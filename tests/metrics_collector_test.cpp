#include <catch2/catch.hpp>
#include <cmath>

#include "connect_peer.hpp"
#include "fake_driver.hpp"
#include "fixtures/chromium_stats.hpp"
#include "fixtures/stats_reports.hpp"
#include "metrics/metrics_collector.hpp"
#include "metrics/probe_codec.hpp"
#include "peer/peer.hpp"
#include "peer/wre_messages.hpp"

using namespace wre;
using namespace wre::test;
using fixtures::kChromiumStats;

TEST_CASE("totals and rates from getStats records recorded in Chromium") {
  MetricsCollector c;
  c.onStats(kChromiumStats[0], false);
  c.onStats(kChromiumStats[1], false);
  const auto& m = c.metrics();
  const auto &a = kChromiumStats[0], &b = kChromiumStats[1];
  double dt = (b.timestampMs - a.timestampMs) / 1000.0;
  CHECK(m.bytesSent == b.bytesSent);
  CHECK(m.packetsReceived == b.packetsReceived);
  CHECK(m.bytesPerSecondSent == Approx((b.bytesSent - a.bytesSent) / dt));
  CHECK(m.bytesPerSecondSent > 1e6);  // 64 x 16 KiB in about a second
  CHECK(m.messagesPerSecondSent == Approx(64 / dt));
  CHECK(m.localCandidateType == "host");
  // No probes: the round trip comes from STUN consent checks, loss from unanswered checks.
  CHECK(m.rttSource == MetricSource::Stun);
  CHECK(m.lossSource == MetricSource::ConsentChecks);
  CHECK(m.lossRate == 0);
  CHECK(m.roundTripTime > 0);
  CHECK(m.roundTripTime < 0.01);
  CHECK(m.jitterSource == MetricSource::StunRttVariation);
  CHECK(m.mos > 4.3);
}

TEST_CASE("a rebuilt connection's counters start at zero: the totals go on, no rate spans the two") {
  MetricsCollector c;
  const auto &a = kChromiumStats[0], &b = kChromiumStats[1];
  c.onStats(a, false);
  c.onStats(b, false);
  double rate = c.metrics().bytesPerSecondSent;
  REQUIRE(rate > 1e6);
  c.onConnectionReplaced();
  StatsRecord fresh = a;  // the new connection's first sweep: small counters, a later time
  fresh.timestampMs = b.timestampMs + 1000;
  fresh.bytesSent = 100;
  fresh.packetsReceived = 3;
  c.onStats(fresh, false);
  const auto& m = c.metrics();
  CHECK(m.bytesSent == b.bytesSent + 100);
  CHECK(m.packetsReceived == b.packetsReceived + 3);
  CHECK(m.bytesPerSecondSent == rate);  // not (100 - b.bytesSent) / 1 s: no delta across the connections
  StatsRecord next = fresh;
  next.timestampMs += 1000;
  next.bytesSent += 5000;
  c.onStats(next, false);
  CHECK(c.metrics().bytesSent == b.bytesSent + 5100);
  CHECK(c.metrics().bytesPerSecondSent == Approx(5000));
}

TEST_CASE("probes give RTT, RFC 3550 jitter and one-way loss") {
  MetricsCollector c;
  // The far side probes every 50 ms; its clock is 1e6 ms ahead of ours (it cancels out).
  // One-way delay alternates 100 / 110 ms; every 20th probe is lost (5 %).
  double now = 0;
  for (uint32_t seq = 0; seq < 400; ++seq) {
    double sent = 1e6 + seq * 50.0;
    if (seq % 20 != 7) c.onProbe(seq, sent, seq * 50.0 + (seq % 2 ? 110 : 100));
    c.onProbeSent(now);
    c.onEcho(now, 0, now + 200);  // our own probes come back after 200 ms (no hold)
    now += 50;
  }
  StatsRecord r = kChromiumStats[2];
  r.timestampMs = now;
  c.onStats(r, false);
  const auto& m = c.metrics();
  CHECK(m.rttSource == MetricSource::Probe);
  CHECK(m.roundTripTime == Approx(0.2));
  CHECK(m.jitterSource == MetricSource::Probe);
  CHECK(m.jitter == Approx(0.010).epsilon(0.05));  // |D| = 10 ms every time: J converges to 10 ms
  CHECK(m.lossSource == MetricSource::Probe);
  CHECK(m.lossRate == Approx(0.05).margin(0.003));
  CHECK(m.packetsLost == Approx(std::round(m.lossRate * r.packetsReceived)));
}

TEST_CASE("quality changes with hysteresis: one bad sample does not flap the grade") {
  MetricsCollector c;
  StatsRecord r = kChromiumStats[1];
  auto sample = [&](double rttS) {
    r.timestampMs += 1000;
    r.currentRoundTripTime = rttS;
    c.onStats(r, false);
    return c.takeQualityChange();
  };
  auto first = sample(0.010);  // leaving `unknown` is immediate: any measurement beats none
  REQUIRE(first);
  CHECK(first->previous == QualityGrade::Unknown);
  CHECK(first->current == QualityGrade::Excellent);
  CHECK_FALSE(sample(0.150));  // smoothed RTT moves slowly, and one sighting is not enough
  for (int i = 0; i < 40 && c.quality() == QualityGrade::Excellent; ++i) sample(0.300);
  CHECK(c.quality() != QualityGrade::Excellent);
}

TEST_CASE("probe messages round-trip and anything else is rejected") {
  auto bytes = encodeProbe({0xdeadbeef, 1234.5, 99.25, 12.5});
  CHECK(bytes.size() == 29);
  auto p = decodeProbe(bytes);
  REQUIRE(p);
  CHECK(p->seq == 0xdeadbeef);
  CHECK(p->sentMs == 1234.5);
  CHECK(p->echoSentMs == 99.25);
  CHECK(p->echoHoldMs == 12.5);
  CHECK(decodeProbe(encodeProbe({1, 2}))->echoHoldMs < 0);  // nothing to echo
  CHECK_FALSE(decodeProbe(""));
  CHECK_FALSE(decodeProbe(bytes.substr(0, 28)));
  CHECK_FALSE(decodeProbe(bytes + "x"));
  CHECK_FALSE(decodeProbe("E" + bytes.substr(1)));
}

namespace {

struct MeasuredPeer {
  FakeDriver driver;
  EventLog log;
  Peer peer;
  MeasuredPeer() : peer(config(), driver, log) {
    REQUIRE(peer.start());
    auto id = peer.createOffer();
    peer.onDescription(id.value(), {"offer", "v=0\r\n"});
    peer.onRequestDone(peer.setRemoteAnswer({"answer", "v=0\r\n"}).value());
    for (int c = 0; c < kChannelCount; ++c) peer.onChannelOpen(c);
    peer.onConnectionState("connected");
    peer.setMetricsWanted(true);  // the app listens for `metrics`
  }
  static Config config() {
    Config c;
    c.peerId = "m";
    c.metricsInterval = 1000;
    return c;
  }
  void advance(double ms) {
    driver.advance(driver.now + ms, [&](TimerId id) { peer.onTimer(id); });
  }
  size_t sentOn(int channel) const {
    size_t n = 0;
    for (const auto& [c, _] : driver.sent) n += c == channel;
    return n;
  }
};

}  // namespace

TEST_CASE("hello on wre; probes only once the far side has said hello") {
  MeasuredPeer p;
  REQUIRE(p.sentOn(kWre) == 4);  // the hello, our session id, that we take transfers, the first flow-control ack
  CHECK(p.driver.sent[0].second == std::string(kHello));
  CHECK(p.driver.sent[3].second == encodeAck(0));
  p.advance(1000);
  CHECK(p.sentOn(kWreProbe) == 0);         // a plain peer: no probes, ever
  CHECK(p.driver.count("getStats") == 1);  // but getStats still runs
  p.peer.onLibraryMessage(kWre, kHello);
  CHECK(p.peer.farSideIsLibrary());
  p.advance(1000);
  CHECK(p.sentOn(kWreProbe) == 20);  // 20 probes a second
}

TEST_CASE("dense probes pause while the app's data flows either way; the heartbeat's sparse ones go on") {
  MeasuredPeer p;
  p.peer.onLibraryMessage(kWre, kHello);
  auto probesDuring = [&](auto traffic) {
    size_t before = p.sentOn(kWreProbe);
    for (int tick = 0; tick < 20; ++tick) {
      traffic();
      p.advance(Peer::kProbeIntervalMs);
    }
    return p.sentOn(kWreProbe) - before;
  };
  // Dense: the link just came up (ProbePlan::kSettleMs), 20 a second.
  CHECK(probesDuring([] {}) == 20);
  const std::string bulk(Peer::kProbeQuietBytes, 'x');
  const double sparse = ProbePlan::sparsePeriod(p.peer.config().heartbeatTimeout);
  // (+ 1: the heartbeat's query, for the far side here says nothing after its hello)
  const size_t heartbeats = static_cast<size_t>(std::ceil(1000 / sparse)) + 1;
  // Sending, receiving, and kProbeQuietHoldMs after: the heartbeat's probes only.
  CHECK(probesDuring([&] { REQUIRE(p.peer.send(kFile, bytesPayload(bulk))); }) <= heartbeats);
  CHECK(probesDuring([&] { p.peer.onUserMessage(kFile, bulk.size()); }) <= heartbeats);
  CHECK(probesDuring([] {}) <= heartbeats);
  CHECK(probesDuring([] {}) >= 1);
}

TEST_CASE("our next probe echoes the far side's last one; an echo becomes an RTT sample; stats emit metrics") {
  MeasuredPeer p;
  p.peer.onLibraryMessage(kWre, kHello);
  p.driver.sent.clear();
  const double arrived = p.driver.now;
  p.peer.onLibraryMessage(kWreProbe, encodeProbe({7, 42.0}));
  CHECK(p.driver.sent.empty());  // no message of its own: the echo rides on our next probe
  p.advance(Peer::kProbeIntervalMs);
  REQUIRE(p.driver.sent.size() == 1);
  auto ours = decodeProbe(p.driver.sent[0].second);
  REQUIRE(ours);
  CHECK(ours->echoSentMs == 42.0);
  CHECK(ours->echoHoldMs == Approx(ours->sentMs - arrived));
  p.advance(Peer::kProbeIntervalMs);  // echoed once only
  CHECK(decodeProbe(p.driver.sent[1].second)->echoHoldMs < 0);
  // The far side's answer arrives now; it says it held our probe all but 30 ms of that: RTT 30 ms.
  const double held = p.driver.now - ours->sentMs - 30;
  p.peer.onLibraryMessage(kWreProbe, encodeProbe({8, 90.0, ours->sentMs, held}));
  p.peer.onLibraryMessage(kWreProbe, encodeProbe({9, 95.0, ours->sentMs, 1e9}));  // absurd hold: no sample
  p.peer.onLibraryMessage(kWreProbe, "garbage");                                  // ignored, not trusted
  p.advance(1000);
  auto stats = p.driver.last("getStats");
  REQUIRE(stats);
  p.peer.onStats(stats->id, fixtures::kChromiumHostA);
  auto metrics = p.log.all<event::Metrics>();
  REQUIRE(metrics.size() == 1);
  CHECK(metrics[0].metrics.rttSource == MetricSource::Probe);
  CHECK(metrics[0].metrics.roundTripTime == Approx(0.030));
}

TEST_CASE("metrics and heartbeat off: no stats sweeps; sparse probes only, for the far side's heartbeat") {
  FakeDriver driver;
  EventLog log;
  Config c;
  c.peerId = "quiet";
  c.metricsEnabled = false;
  c.heartbeatTimeout = 0;
  Peer peer(c, driver, log);
  REQUIRE(peer.start());
  connectAsOfferer(peer);
  peer.onLibraryMessage(kWre, kHello);
  REQUIRE(driver.timers.size() == 1);  // the probe tick
  REQUIRE(driver.sent.size() == 4);
  CHECK(driver.sent[0] == std::pair<int, std::string>{kWre, std::string(kHello)});
  // Flow control on `file` is not a metric: `wre` carries its first ack either way.
  CHECK(driver.sent[3] == std::pair<int, std::string>{kWre, encodeAck(0)});
  driver.advance(10000, [&](TimerId id) { peer.onTimer(id); });
  CHECK(driver.count("getStats") == 0);
  size_t probes = 0;
  for (const auto& [ch, _] : driver.sent) probes += ch == kWreProbe;
  CHECK(probes >= 10000 / ProbePlan::kMaxSparseMs - 1);
  CHECK(probes <= 10000 / ProbePlan::kMaxSparseMs + 1);
}

TEST_CASE(
    "no metrics listener: no getStats sweeps with a library far side; the grade still moves; getMetrics asks for one") {
  MeasuredPeer p;
  p.peer.setMetricsWanted(false);
  p.peer.onLibraryMessage(kWre, kHello);
  size_t sweeps = p.driver.count("getStats");
  // The far side's probes: every 20th lost (5 %), so the grade leaves excellent without any sweep.
  // Each carries the echo of our latest probe (held 0 ms): RTT samples too.
  uint32_t seq = 1;
  for (int i = 0; i < 400; ++i) {
    LinkProbe far{seq++, p.driver.now};
    for (auto it = p.driver.sent.rbegin(); it != p.driver.sent.rend(); ++it) {
      if (it->first != kWreProbe) continue;
      far.echoSentMs = decodeProbe(it->second)->sentMs;
      far.echoHoldMs = 0;
      break;
    }
    if (i % 20 != 7) p.peer.onLibraryMessage(kWreProbe, encodeProbe(far));
    p.advance(Peer::kProbeIntervalMs);
  }
  CHECK(p.driver.count("getStats") == sweeps);
  CHECK(p.log.count<event::Metrics>() == 0);
  CHECK(p.peer.metrics().lossRate > 0.02);
  CHECK(p.peer.quality() != QualityGrade::Excellent);
  CHECK(p.log.count<event::QualityChange>() >= 1);
  // The app reads getMetrics(): one sweep now, then at most one per kAskedSweepMs.
  p.peer.onMetricsAsked();
  p.peer.onMetricsAsked();
  CHECK(p.driver.count("getStats") == sweeps + 1);
  p.peer.onStats(p.driver.last("getStats")->id, fixtures::kChromiumHostA);
  CHECK(p.log.count<event::Metrics>() == 1);
  // A listener again: every tick sweeps.
  p.peer.setMetricsWanted(true);
  p.advance(3000);
  CHECK(p.driver.count("getStats") >= sweeps + 2);
}
