// Shared by the tests that feed the metrics what a hostile or broken far end can send.
#pragma once

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <limits>

#include "metrics/connection_metrics.hpp"
#include "metrics/jitter_estimator.hpp"
#include "metrics/rtt_estimator.hpp"

namespace wre::test {

inline constexpr double kInf = std::numeric_limits<double>::infinity();
inline const double kNaN = std::nan("");

// Deterministic 32-bit draws (the LCG of loss_test.cpp): the same garbage on every run.
struct Lcg {
  std::uint64_t state;
  std::uint32_t next() {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<std::uint32_t>(state >> 32);
  }
};

// What the contract promises of every metrics report, whatever the far end sent.
inline void checkPlausible(const ConnectionMetrics& m) {
  for (double v : {m.bytesReceived, m.bytesSent, m.packetsReceived, m.packetsSent, m.packetsLost, m.roundTripTime,
                   m.jitter, m.lossRate, m.mos}) {
    REQUIRE(std::isfinite(v));
    REQUIRE(v >= 0);
  }
  REQUIRE(m.roundTripTime <= RttEstimator::kMaxRttMs / 1000);
  REQUIRE(m.jitter <= JitterEstimator::kMaxTransitDeltaS);
  REQUIRE(m.lossRate <= 1);
  REQUIRE(m.packetsLost <= m.packetsReceived);
}

}  // namespace wre::test
