#include "metrics/jitter_estimator.hpp"

#include <catch2/catch.hpp>

#include <cmath>

using wre::JitterEstimator;

TEST_CASE("jitter: starts at zero and the first sample only sets the reference", "[jitter]") {
  JitterEstimator j;
  CHECK(j.jitterS() == 0);
  CHECK(j.sampleCount() == 0);
  j.addSample(10.0, 10.5);  // 500 ms transit (clock offset included): no D yet
  CHECK(j.jitterS() == 0);
  CHECK(j.sampleCount() == 1);
}

TEST_CASE("jitter: constant transit time means zero jitter", "[jitter]") {
  JitterEstimator j;
  for (int i = 0; i < 100; ++i) j.addSample(i * 0.02, i * 0.02 + 0.035);
  CHECK(j.jitterS() == Approx(0).margin(1e-12));
}

TEST_CASE("jitter: RFC 3550 update by hand", "[jitter]") {
  JitterEstimator j;
  j.addSample(0.000, 0.100);  // transit 100 ms
  j.addSample(0.020, 0.136);  // transit 116 ms: |D| = 16 ms, J = 0 + (16 - 0)/16 = 1 ms
  CHECK(j.jitterMs() == Approx(1.0));
  j.addSample(0.040, 0.156);  // transit 116 ms: |D| = 0,  J = 1 + (0 - 1)/16 = 0.9375 ms
  CHECK(j.jitterMs() == Approx(0.9375));
  // transit 100 ms: |D| = 16, J = 0.9375 + (16 - 0.9375)/16 = 1.87890625 ms
  j.addSample(0.060, 0.160);
  CHECK(j.jitterMs() == Approx(1.87890625));
  CHECK(j.jitterS() == Approx(0.00187890625));
  CHECK(j.sampleCount() == 4);
}

TEST_CASE("jitter: converges geometrically toward a steady |D|", "[jitter]") {
  // Transit alternates 0 / 10 ms, so |D| = 10 ms every sample after the first and
  // J_n = 10 ms * (1 - (15/16)^n) after n differences.
  JitterEstimator j;
  j.addSample(0.0, 0.0);
  for (int n = 1; n <= 200; ++n) {
    const double transit = (n % 2) ? 0.010 : 0.0;
    j.addSample(n * 0.02, n * 0.02 + transit);
    REQUIRE(j.jitterMs() == Approx(10.0 * (1.0 - std::pow(15.0 / 16.0, n))));
  }
  CHECK(j.jitterMs() == Approx(10.0).epsilon(1e-4));
}

TEST_CASE("jitter: a constant clock offset between sender and receiver cancels out", "[jitter]") {
  const double transits[] = {0.030, 0.045, 0.031, 0.060, 0.029, 0.030, 0.052};
  JitterEstimator same, skewed;
  for (int i = 0; i < 7; ++i) {
    same.addSample(i * 0.05, i * 0.05 + transits[i]);
    skewed.addSample(1e6 + i * 0.05, -3600.0 + i * 0.05 + transits[i]);
  }
  CHECK(skewed.jitterS() == Approx(same.jitterS()).epsilon(1e-6));
  CHECK(same.jitterS() > 0);
}

TEST_CASE("jitter: only arrival order matters, so reordered probes still count", "[jitter]") {
  // Probe 2 (sent at 40 ms) arrives before probe 1 (sent at 20 ms): transits 10, 20, 50 ms.
  JitterEstimator j;
  j.addSample(0.000, 0.010);
  j.addSample(0.040, 0.060);  // |D| = 10 ms -> J = 0.625 ms
  j.addSample(0.020, 0.070);  // |D| = 30 ms -> J = 0.625 + (30 - 0.625)/16 = 2.4609375 ms
  CHECK(j.jitterMs() == Approx(2.4609375));
}

TEST_CASE("jitter: non-finite samples are ignored and reset clears state", "[jitter]") {
  JitterEstimator j;
  j.addSample(0.0, 0.1);
  j.addSample(NAN, 0.2);
  j.addSample(0.02, INFINITY);
  CHECK(j.sampleCount() == 1);
  j.addSample(0.02, 0.136);
  CHECK(j.jitterMs() == Approx(1.0));
  j.reset();
  CHECK(j.sampleCount() == 0);
  CHECK(j.jitterS() == 0);
}
