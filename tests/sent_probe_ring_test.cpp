#include "metrics/sent_probe_ring.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

using wre::SentProbeRing;

TEST_CASE("sent probes: an echo matches only a stamp we sent, and only once", "[rtt][plausibility]") {
  SentProbeRing ring;
  CHECK_FALSE(ring.take(0));  // nothing sent yet
  ring.add(1000);
  ring.add(1050);
  CHECK_FALSE(ring.take(1025));          // never sent
  CHECK_FALSE(ring.take(1000.0000001));  // the far side must copy the stamp bit for bit
  CHECK(ring.take(1050));
  CHECK_FALSE(ring.take(1050));  // a replayed echo
  CHECK(ring.take(1000));        // echoes may come back out of order
}

TEST_CASE("sent probes: non-finite stamps never match", "[rtt][plausibility]") {
  SentProbeRing ring;
  ring.add(0);
  const double inf = std::numeric_limits<double>::infinity();
  for (double bad : {std::nan(""), inf, -inf}) CHECK_FALSE(ring.take(bad));
  CHECK(ring.take(0));
  CHECK_FALSE(ring.take(0));  // a taken slot matches nothing, not even NaN-equal garbage
}

TEST_CASE("sent probes: memory is bounded; the oldest falls out", "[rtt][plausibility]") {
  STATIC_REQUIRE(sizeof(SentProbeRing) <= 8 * SentProbeRing::kCapacity + 32);
  SentProbeRing ring;
  const auto n = static_cast<int>(SentProbeRing::kCapacity);
  for (int i = 0; i < n + 10; ++i) ring.add(i * 50.0);
  CHECK(ring.size() == SentProbeRing::kCapacity);
  CHECK_FALSE(ring.take(0));         // overwritten
  CHECK_FALSE(ring.take(9 * 50.0));  // the tenth too
  CHECK(ring.take(10 * 50.0));       // the oldest one still held
  CHECK(ring.take((n + 9) * 50.0));  // the newest
}
