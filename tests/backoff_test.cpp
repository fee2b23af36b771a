#include "reconnect/backoff.hpp"

#include <catch2/catch.hpp>

#include <climits>
#include <cmath>
#include <cstdint>

using wre::backoffDelayMs;
using wre::BackoffPolicy;

namespace {

// SplitMix64: tiny, deterministic, good enough to sweep the jitter range per seed.
class TestRandom {
 public:
  explicit TestRandom(std::uint64_t seed) : state_(seed) {}
  double next01() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return static_cast<double>(z >> 11) * 0x1.0p-53;  // [0, 1)
  }

 private:
  std::uint64_t state_;
};

// Expected jitter-free part for the default policy: 1s, 2s, 4s, 8s, 16s, then the 30s cap.
double expectedFloor(int attempt) {
  const double floors[] = {1000, 2000, 4000, 8000, 16000};
  return attempt <= 5 ? floors[attempt - 1] : 30000;
}

}  // namespace

TEST_CASE("backoff: default policy matches the guide", "[backoff]") {
  const BackoffPolicy p;
  CHECK(p.baseDelayMs == 1000);
  CHECK(p.maxDelayMs == 30000);
  CHECK(p.jitterMs == 1000);
  CHECK(p.maxAttempts == 5);
}

TEST_CASE("backoff: exact endpoints without and with full jitter", "[backoff]") {
  const BackoffPolicy p;
  for (int attempt = 1; attempt <= 10; ++attempt) {
    CAPTURE(attempt);
    CHECK(backoffDelayMs(p, attempt, 0.0) == expectedFloor(attempt));
    CHECK(backoffDelayMs(p, attempt, 1.0) == expectedFloor(attempt) + 1000);
    CHECK(backoffDelayMs(p, attempt, 0.5) == expectedFloor(attempt) + 500);
  }
}

TEST_CASE("backoff: every attempt stays in [floor, floor + jitter) over many seeds", "[backoff]") {
  const BackoffPolicy p;
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    TestRandom rng(seed);
    for (int attempt = 1; attempt <= 12; ++attempt) {
      const double delay = backoffDelayMs(p, attempt, rng.next01());
      const double floor = expectedFloor(attempt);
      CAPTURE(seed, attempt, delay);
      REQUIRE(delay >= floor);
      REQUIRE(delay < floor + p.jitterMs);
    }
  }
}

TEST_CASE("backoff: jitter actually spreads delays across its range", "[backoff]") {
  // With 1000 draws in [0, 1), both the bottom and top tenth of the range must be hit.
  const BackoffPolicy p;
  TestRandom rng(42);
  bool low = false, high = false;
  for (int i = 0; i < 1000; ++i) {
    const double extra = backoffDelayMs(p, 6, rng.next01()) - 30000;
    low = low || extra < 100;
    high = high || extra >= 900;
  }
  CHECK(low);
  CHECK(high);
}

TEST_CASE("backoff: cap applies before jitter", "[backoff]") {
  const BackoffPolicy p;
  // Attempt 6 would be 32s uncapped: it is capped to 30s, then jitter is added on top.
  CHECK(backoffDelayMs(p, 6, 0.0) == 30000);
  CHECK(backoffDelayMs(p, 6, 0.25) == 30250);
  // Attempt 5 (16s) is below the cap and unaffected by it.
  CHECK(backoffDelayMs(p, 5, 0.25) == 16250);
}

TEST_CASE("backoff: lower bounds never decrease with the attempt number", "[backoff]") {
  const BackoffPolicy policies[] = {
      BackoffPolicy{}, BackoffPolicy{500, 4000, 0, 5}, BackoffPolicy{250, 1e9, 100, 50},
      BackoffPolicy{3000, 2000, 10, 3},  // base above the cap: flat at the cap
  };
  for (const auto& p : policies) {
    double previous = 0;
    for (int attempt = 1; attempt <= 200; ++attempt) {
      const double floor = backoffDelayMs(p, attempt, 0.0);
      CAPTURE(p.baseDelayMs, p.maxDelayMs, attempt);
      REQUIRE(floor >= previous);
      REQUIRE(floor <= p.maxDelayMs);
      previous = floor;
    }
  }
}

TEST_CASE("backoff: custom policy gives the exact doubling sequence", "[backoff]") {
  const BackoffPolicy p{500, 4000, 0, 6};
  const double expected[] = {500, 1000, 2000, 4000, 4000, 4000};
  for (int attempt = 1; attempt <= 6; ++attempt) {
    CHECK(backoffDelayMs(p, attempt, 0.7) == expected[attempt - 1]);
  }
}

TEST_CASE("backoff: huge and out-of-range attempts saturate instead of overflowing", "[backoff]") {
  const BackoffPolicy p;
  for (int attempt : {31, 32, 63, 64, 1023, 1024, 1025, 5000, INT_MAX}) {
    CAPTURE(attempt);
    const double delay = backoffDelayMs(p, attempt, 0.5);
    CHECK(std::isfinite(delay));
    CHECK(delay == 30500);
  }
  // Attempts below 1 are treated as the first attempt.
  CHECK(backoffDelayMs(p, 0, 0.0) == 1000);
  CHECK(backoffDelayMs(p, -7, 0.0) == 1000);
  CHECK(backoffDelayMs(p, INT_MIN, 0.0) == 1000);
  // An uncapped policy still doubles exactly far past 2^31.
  const BackoffPolicy uncapped{1, INFINITY, 0, 5};
  CHECK(backoffDelayMs(uncapped, 41, 0.0) == 0x1.0p40);
}

TEST_CASE("backoff: out-of-range random values are clamped", "[backoff]") {
  const BackoffPolicy p;
  CHECK(backoffDelayMs(p, 1, -0.5) == 1000);
  CHECK(backoffDelayMs(p, 1, 3.0) == 2000);
  CHECK(backoffDelayMs(p, 1, NAN) == 1000);
}
