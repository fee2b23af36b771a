// JitterEstimator against sender times a hostile or broken far end can send: garbage costs
// samples but never moves J, and a genuine far-side clock step is followed.
#include "metrics/jitter_estimator.hpp"

#include <catch2/catch.hpp>

#include <cmath>

#include "plausibility.hpp"

using namespace wre;
using namespace wre::test;

TEST_CASE("jitter: garbage sender times between genuine probes leave J as it was", "[jitter][plausibility]") {
  JitterEstimator clean, hostile;
  const double garbage[] = {kNaN, kInf, -kInf, -1e300, 1e300, 1e12, -5.0, 1e9, 1.7e308};
  for (int i = 0; i < 400; ++i) {
    const double sent = i * 0.05, arrived = sent + 0.1 + (i % 2 ? 0.01 : 0);
    clean.addSample(sent, arrived);
    hostile.addSample(sent, arrived);
    hostile.addSample(garbage[i % 9], arrived + 0.001);
  }
  CHECK(hostile.jitterS() == clean.jitterS());
  CHECK(hostile.jitterMs() == Approx(10).epsilon(0.01));
  CHECK(hostile.sampleCount() == clean.sampleCount());
}

TEST_CASE("jitter: |D| beyond the bound is dropped; within it, counted", "[jitter][plausibility]") {
  JitterEstimator j;
  j.addSample(0.00, 0.1);
  j.addSample(0.05, 0.15 + JitterEstimator::kMaxTransitDeltaS + 0.001);  // one spike too far
  CHECK(j.jitterS() == 0);
  CHECK(j.dropped() == 1);
  j.addSample(0.10, 0.20 + 1.6);  // a 1.6 s delay spike is a real one
  CHECK(j.jitterS() == Approx(0.1));
  j.addSample(1.7e308, -1.7e308);  // the difference overflows to -inf
  CHECK(j.sampleCount() == 2);
}

TEST_CASE("jitter: a far-side clock step is followed after two probes, without moving J", "[jitter][plausibility]") {
  JitterEstimator j;
  for (int i = 0; i < 50; ++i) j.addSample(i * 0.05, i * 0.05 + 0.1 + (i % 2 ? 0.004 : 0));
  const double before = j.jitterS();
  for (int i = 50; i < 100; ++i) j.addSample(3600 + i * 0.05, i * 0.05 + 0.1 + (i % 2 ? 0.004 : 0));
  CHECK(j.dropped() == 2);  // the first two after the step
  CHECK(j.jitterS() == Approx(before).epsilon(0.05));
  CHECK(j.jitterMs() == Approx(4).epsilon(0.05));
}

TEST_CASE("jitter: random sender times never push J past the bound", "[jitter][plausibility]") {
  JitterEstimator j;
  Lcg rng{3};
  for (int i = 0; i < 20000; ++i) {
    const double sent = (i % 2) ? rng.next() * 1e-3 : (rng.next() / 4294967296.0) * 6.0;
    j.addSample(sent, i * 0.05);
    REQUIRE(std::isfinite(j.jitterS()));
    REQUIRE(j.jitterS() <= JitterEstimator::kMaxTransitDeltaS);
  }
}
