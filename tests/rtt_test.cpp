#include "metrics/rtt_estimator.hpp"

#include <catch2/catch.hpp>

#include <cmath>

using wre::RttEstimator;

TEST_CASE("rtt: empty estimator", "[rtt]") {
  RttEstimator r;
  CHECK_FALSE(r.hasSamples());
  CHECK(r.sampleCount() == 0);
  CHECK(r.smoothedMs() == 0);
  CHECK(r.minMs() == 0);
  CHECK(r.latestMs() == 0);
}

TEST_CASE("rtt: first sample initialises SRTT = R and RTTVAR = R/2", "[rtt]") {
  RttEstimator r;
  r.addSample(100);
  CHECK(r.hasSamples());
  CHECK(r.smoothedMs() == 100);
  CHECK(r.variationMs() == 50);
  CHECK(r.minMs() == 100);
  CHECK(r.latestMs() == 100);
}

TEST_CASE("rtt: RFC 6298 updates by hand", "[rtt]") {
  RttEstimator r;
  r.addSample(100);  // SRTT 100, RTTVAR 50
  r.addSample(200);  // RTTVAR = 3/4*50 + 1/4*|100-200| = 62.5; SRTT = 7/8*100 + 1/8*200 = 112.5
  CHECK(r.variationMs() == Approx(62.5));
  CHECK(r.smoothedMs() == Approx(112.5));
  r.addSample(40);  // RTTVAR = 3/4*62.5 + 1/4*72.5 = 65; SRTT = 7/8*112.5 + 1/8*40 = 103.4375
  CHECK(r.variationMs() == Approx(65.0));
  CHECK(r.smoothedMs() == Approx(103.4375));
  CHECK(r.minMs() == 40);
  CHECK(r.latestMs() == 40);
  CHECK(r.sampleCount() == 3);
}

TEST_CASE("rtt: steady samples converge and the variation decays", "[rtt]") {
  RttEstimator r;
  r.addSample(300);
  for (int i = 0; i < 200; ++i) r.addSample(50);
  CHECK(r.smoothedMs() == Approx(50).margin(1e-6));
  CHECK(r.variationMs() == Approx(0).margin(1e-6));
  CHECK(r.minMs() == 50);
}

TEST_CASE("rtt: one outlier moves SRTT by only 1/8 of the jump", "[rtt]") {
  RttEstimator r;
  for (int i = 0; i < 50; ++i) r.addSample(80);
  r.addSample(880);
  CHECK(r.smoothedMs() == Approx(180).margin(1e-6));
  CHECK(r.latestMs() == 880);
  CHECK(r.minMs() == 80);
}

TEST_CASE("rtt: invalid samples are ignored; zero is valid", "[rtt]") {
  RttEstimator r;
  r.addSample(-1);
  r.addSample(NAN);
  r.addSample(INFINITY);
  CHECK_FALSE(r.hasSamples());
  r.addSample(0);
  CHECK(r.sampleCount() == 1);
  CHECK(r.minMs() == 0);
  r.reset();
  CHECK_FALSE(r.hasSamples());
}
