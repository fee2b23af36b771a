// A far end that said hello and then sends garbage on `wre-probe` (issue 14, point 4): through
// the Peer, every metric stays finite and plausible, quality is not driven down by garbage alone,
// nothing implausible is echoed back, and a genuine far side's samples count exactly as without it.
#include <catch2/catch.hpp>

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "fake_driver.hpp"
#include "fixtures/stats_reports.hpp"
#include "metrics/metrics_collector.hpp"
#include "metrics/probe_codec.hpp"
#include "peer/peer.hpp"
#include "peer/wre_messages.hpp"
#include "plausibility.hpp"

using namespace wre;
using namespace wre::test;

namespace {

constexpr double kFarClockMs = 1e6;  // the far side's clock runs this far ahead of ours

// One connected peer whose far side said hello, run on 5 ms steps against a simulated far side:
// when `genuine`, a peer of this library probing every 50 ms (at +20 ms), echoing our last probe;
// ours reach it in 40 ms, its reach us in 40 or 50 ms alternately (10 ms of jitter), and every
// 20th of its probes is lost (5 %): RTT 80-90 ms. `garbage`, if set, is called at +35 ms of every
// 50 from `garbageFromMs` on and delivers whatever it likes. getStats is answered at once.
struct Link {
  FakeDriver driver;
  EventLog log;
  Peer peer;
  bool genuine = true;
  std::function<void(Link&)> garbage;
  double garbageFromMs = 0;

  // The simulated far side.
  std::uint32_t farSeq = 0;
  std::deque<std::pair<double, double>> toFar;       // (arrival, our sentMs) in flight
  std::deque<std::pair<double, std::string>> toUs;   // (arrival, bytes) in flight
  std::optional<std::pair<double, double>> farEcho;  // (our sentMs, its arrival)
  std::string lastGenuine;                           // bytes of the last probe it delivered
  double ourLastSentMs = 0;
  std::vector<LinkProbe> ours;  // every probe we sent
  size_t sentSeen = 0, statsAnswered = 0;

  Link() : peer(config(), driver, log) {
    REQUIRE(peer.start());
    peer.onDescription(peer.createOffer().value(), {"offer", "v=0\r\n"});
    peer.onRequestDone(peer.setRemoteAnswer({"answer", "v=0\r\n"}).value());
    for (int c = 0; c < kChannelCount; ++c) peer.onChannelOpen(c);
    peer.onConnectionState("connected");
    peer.setMetricsWanted(true);  // the app listens for `metrics`
    peer.onLibraryMessage(kWre, kHello);
  }
  static Config config() {
    Config c;
    c.peerId = "hostile";
    c.metricsInterval = 1000;
    return c;
  }
  void deliver(const std::string& bytes) { peer.onLibraryMessage(kWreProbe, bytes); }

  void run(double untilMs) {
    while (driver.now < untilMs) {
      driver.advance(driver.now + 5, [&](TimerId id) { peer.onTimer(id); });
      const double now = driver.now;
      for (; sentSeen < driver.sent.size(); ++sentSeen) {
        if (driver.sent[sentSeen].first != kWreProbe) continue;
        auto p = decodeProbe(driver.sent[sentSeen].second);
        REQUIRE(p);
        ours.push_back(*p);
        ourLastSentMs = p->sentMs;
        toFar.emplace_back(p->sentMs + 40, p->sentMs);
      }
      while (!toFar.empty() && toFar.front().first <= now) {
        farEcho = std::pair{toFar.front().second, toFar.front().first};
        toFar.pop_front();
      }
      const auto phase = static_cast<long long>(now) % 50;
      if (genuine && phase == 20) farProbe(now);
      if (garbage && phase == 35 && now >= garbageFromMs) garbage(*this);
      while (!toUs.empty() && toUs.front().first <= now) {
        lastGenuine = toUs.front().second;
        deliver(lastGenuine);
        toUs.pop_front();
      }
      for (; statsAnswered < driver.calls.size(); ++statsAnswered) {
        const auto& call = driver.calls[statsAnswered];
        if (call.what != "getStats") continue;
        peer.onStats(call.id, fixtures::kChromiumHostA);
      }
    }
  }
  void farProbe(double now) {
    LinkProbe p{farSeq, kFarClockMs + now};
    if (farEcho) {
      p.echoSentMs = farEcho->first;
      p.echoHoldMs = now - farEcho->second;
      farEcho.reset();
    }
    if (farSeq % 20 != 7) toUs.emplace_back(now + (farSeq % 2 ? 50 : 40), encodeProbe(p));
    ++farSeq;
  }
};

// Each kind of garbage the issue names, in turn; none of it uses a stamp we really sent.
std::function<void(Link&)> everyKindOfGarbage(std::uint64_t seed) {
  return [rng = Lcg{seed}, kind = 0](Link& l) mutable {
    const double now = l.driver.now, ours = l.ourLastSentMs;
    switch (kind++ % 11) {
      case 0:
        l.deliver(encodeProbe({rng.next(), kNaN, kNaN, kNaN}));
        break;
      case 1:
        l.deliver(encodeProbe({rng.next(), kInf, ours + 0.25, kInf}));
        break;
      case 2:
        l.deliver(encodeProbe({rng.next(), -kInf, -kInf, 0}));
        break;
      case 3:
        l.deliver(encodeProbe({rng.next(), -1, ours - 1, -2}));
        break;
      case 4:
        l.deliver(encodeProbe({rng.next(), 1e300, 1e300, 1e300}));
        break;
      case 5:
        l.deliver(encodeProbe({rng.next(), -1e300, ours + 1e-9, -1e300}));
        break;
      // Plausible times, random sequence numbers, echoes of probes we never sent.
      case 6:
        l.deliver(encodeProbe({rng.next(), kFarClockMs + now, ours + 0.5, 0}));
        break;
      case 7:
        l.deliver(encodeProbe({rng.next(), kFarClockMs + now - 3, ours - 25, 3}));
        break;
      // A replay of the far side's last probe, echo included.
      case 8:
        if (!l.lastGenuine.empty()) l.deliver(l.lastGenuine);
        break;
      // One jump far ahead of the far side's numbering.
      case 9:
        l.deliver(encodeProbe({l.farSeq + 100000, kFarClockMs + now, ours + 7, 1}));
        break;
      // Huge but finite times that overflow when subtracted.
      default:
        l.deliver(encodeProbe({rng.next(), 1.7e308, -1.7e308, 1.7e308}));
        break;
    }
  };
}

}  // namespace

TEST_CASE("hostile far end: garbage alone leaves the metrics finite, plausible and unharmed",
          "[metrics][plausibility]") {
  Link l;
  l.genuine = false;
  l.garbage = everyKindOfGarbage(1);
  l.run(20000);
  const auto metrics = l.log.all<event::Metrics>();
  REQUIRE(metrics.size() >= 19);
  for (const auto& e : metrics) {
    checkPlausible(e.metrics);
    CHECK(e.metrics.rttSource == MetricSource::Stun);  // no echo was of a probe we sent
    CHECK(e.metrics.lossRate == 0);                    // no phantom losses
  }
  CHECK(l.peer.quality() == QualityGrade::Excellent);  // as the STUN round trips say
  CHECK(l.log.count<event::QualityChange>() == 1);     // unknown -> excellent, and no flapping
  // What we echo back is never garbage: a plausible stamp, or nothing.
  REQUIRE(l.ours.size() > 30);  // sparse: garbage is no trouble worth dense probes
  for (const auto& p : l.ours) {
    if (p.echoHoldMs < 0) continue;
    CHECK(p.echoSentMs >= 0);
    CHECK(p.echoSentMs <= MetricsCollector::kMaxTimestampMs);
  }
}

TEST_CASE("hostile far end: genuine probes between the garbage count exactly as without it",
          "[metrics][plausibility]") {
  Link clean, hostile;
  hostile.garbage = everyKindOfGarbage(2);
  hostile.garbageFromMs = 500;  // after the first genuine probes (see the next test for before)
  clean.run(20000);
  hostile.run(20000);
  const ConnectionMetrics &c = clean.peer.metrics(), &h = hostile.peer.metrics();
  checkPlausible(h);
  CHECK(h.rttSource == MetricSource::Probe);
  CHECK(h.jitterSource == MetricSource::Probe);
  CHECK(h.lossSource == MetricSource::Probe);
  CHECK(h.roundTripTime == c.roundTripTime);
  CHECK(h.jitter == c.jitter);
  CHECK(h.lossRate == c.lossRate);
  CHECK(h.packetsLost == c.packetsLost);
  CHECK(h.mos == c.mos);
  CHECK(hostile.peer.quality() == clean.peer.quality());
  // And they are the link's figures.
  CHECK(h.roundTripTime == Approx(0.085).margin(0.006));
  CHECK(h.jitter == Approx(0.010).epsilon(0.05));
  CHECK(h.lossRate == Approx(0.05).margin(0.01));
  // We echoed the same far-side probes as the clean peer: no garbage, no replay.
  REQUIRE(hostile.ours.size() == clean.ours.size());
  for (size_t i = 0; i < clean.ours.size(); ++i) {
    CHECK(encodeProbe(hostile.ours[i]) == encodeProbe(clean.ours[i]));
  }
  for (const auto& e : hostile.log.all<event::Metrics>()) checkPlausible(e.metrics);
}

TEST_CASE("hostile far end: garbage before the first genuine probe only delays the figures",
          "[metrics][plausibility]") {
  Link clean, hostile;
  hostile.garbage = everyKindOfGarbage(3);  // from the start: a random number comes first
  clean.run(20000);
  hostile.run(20000);
  const ConnectionMetrics &c = clean.peer.metrics(), &h = hostile.peer.metrics();
  checkPlausible(h);
  CHECK(h.rttSource == MetricSource::Probe);
  CHECK(h.roundTripTime == c.roundTripTime);
  CHECK(h.lossRate == c.lossRate);  // the loss window has long left the first second
  CHECK(h.jitter == Approx(c.jitter).epsilon(0.01));
  CHECK(hostile.peer.quality() == clean.peer.quality());
}

TEST_CASE("hostile far end: a replayed echo of a real probe is one sample, not many", "[metrics][plausibility]") {
  Link l;
  l.genuine = false;
  l.run(1000);
  REQUIRE(!l.ours.empty());
  const double stamp = l.ourLastSentMs;
  l.deliver(encodeProbe({1, 5000, stamp, 0}));  // a round trip of (now - stamp)
  const double rtt = l.driver.now - stamp;
  for (std::uint32_t s = 2; s < 200; ++s) l.deliver(encodeProbe({s, 5000.0 + s, stamp, 0}));
  l.run(2100);
  const auto& m = l.peer.metrics();
  CHECK(m.rttSource == MetricSource::Probe);
  CHECK(m.roundTripTime == Approx(rtt / 1000));
}
