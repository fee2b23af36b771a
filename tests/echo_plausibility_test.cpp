// Round trips from echoes, and the collector's intake of far-side probes: an echo counts only for
// a probe we sent, once, with a plausible hold; a probe only with a plausible time and number.
#include <catch2/catch.hpp>

#include "fixtures/chromium_stats.hpp"
#include "metrics/metrics_collector.hpp"
#include "metrics/rtt_estimator.hpp"
#include "plausibility.hpp"

using namespace wre;
using namespace wre::test;

TEST_CASE("rtt: a round trip longer than any live path shows is no sample", "[rtt][plausibility]") {
  RttEstimator r;
  r.addSample(1e300);
  r.addSample(RttEstimator::kMaxRttMs + 1);
  CHECK_FALSE(r.hasSamples());
  r.addSample(RttEstimator::kMaxRttMs);  // slow, but a link can show it
  CHECK(r.sampleCount() == 1);
}

namespace {

StatsRecord statsAt(double ms) {
  StatsRecord r = fixtures::kChromiumStats[1];
  r.timestampMs = ms;
  return r;
}

}  // namespace

TEST_CASE("collector: an echo counts only for a probe we sent, once, with a plausible hold",
          "[metrics][plausibility]") {
  MetricsCollector c;
  c.onProbeSent(1000);
  c.onEcho(1000, -1, 1100);  // hold < 0: the probe carries no echo
  c.onEcho(999, 0, 1100);    // never sent
  c.onEcho(kNaN, 0, 1100);
  c.onEcho(kInf, 0, 1100);
  c.onStats(statsAt(1200), false);
  CHECK(c.metrics().rttSource == MetricSource::Stun);
  SECTION("hold NaN, infinite or longer than kMaxEchoHoldMs: no sample (and the probe is spent)") {
    for (double hold : {kNaN, kInf, MetricsCollector::kMaxEchoHoldMs, 1e300}) {
      c.onProbeSent(2000);
      c.onEcho(2000, hold, 2100);
    }
    c.onEcho(2000, 20, 2100);
    c.onStats(statsAt(2200), false);
    CHECK(c.metrics().rttSource == MetricSource::Stun);
  }
  SECTION("a hold longer than the probe's age (negative round trip): no sample") {
    c.onEcho(1000, 200, 1100);
    c.onEcho(1000, 20, 1100);  // spent by the one before
    c.onStats(statsAt(1300), false);
    CHECK(c.metrics().rttSource == MetricSource::Stun);
  }
  SECTION("a round trip over RttEstimator::kMaxRttMs: no sample") {
    c.onEcho(1000, 10, 1000 + RttEstimator::kMaxRttMs + 20);
    c.onStats(statsAt(20000), false);
    CHECK(c.metrics().rttSource == MetricSource::Stun);
  }
  SECTION("the genuine echo: one sample; its replay: none") {
    c.onEcho(1000, 20, 1100);
    c.onEcho(1000, 0, 1100);  // replayed with another hold
    c.onStats(statsAt(1300), false);
    CHECK(c.metrics().rttSource == MetricSource::Probe);
    CHECK(c.metrics().roundTripTime == Approx(0.080));
  }
}

TEST_CASE("collector: a probe with a garbage time arrived (no loss) but is no jitter sample, nor echoed",
          "[metrics][plausibility]") {
  MetricsCollector c;
  uint32_t seq = 1;
  for (double sent : {kNaN, kInf, -kInf, -1.0, -1e300, 1e300, MetricsCollector::kMaxTimestampMs * 2}) {
    CHECK_FALSE(c.onProbe(seq, sent, 100.0 + seq));
    ++seq;
  }
  CHECK(c.onProbe(seq, 5000, 300));
  CHECK_FALSE(c.onProbe(seq, 5000, 350));  // its replay
  c.onStats(statsAt(400), false);
  CHECK(c.metrics().lossSource == MetricSource::Probe);
  CHECK(c.metrics().lossRate == 0);  // every sequence number arrived
  CHECK(c.metrics().jitter == 0);    // one plausible time: no jitter sample pair yet
}

TEST_CASE("collector: a barrage of garbage keeps every figure finite and plausible, quality unharmed",
          "[metrics][plausibility]") {
  MetricsCollector c;
  Lcg rng{2024};
  const double garbage[] = {kNaN, kInf, -kInf, -1.0, -1e300, 1e300, 1e15, 0.0, 123.456};
  double now = 0;
  for (int tick = 0; tick < 600; ++tick) {  // 30 s of probes every 50 ms
    now += 50;
    c.onProbeSent(now);
    const double g = garbage[rng.next() % 9];
    c.onProbe(rng.next(), rng.next() % 2 ? g : rng.next() * 1.0, now);
    c.onEcho(rng.next() % 2 ? g : now - 50 + 1e-6, garbage[rng.next() % 9], now);
    if (tick % 20 == 19) {
      c.onStats(statsAt(now), false);
      checkPlausible(c.metrics());
      CHECK(c.quality() != QualityGrade::Poor);
    }
  }
  CHECK(c.metrics().rttSource == MetricSource::Stun);  // no echo was of a probe we sent
  CHECK(c.quality() == QualityGrade::Excellent);
}
