#include "peer/heartbeat.hpp"

#include <catch2/catch.hpp>

using wre::Heartbeat;

TEST_CASE("heartbeat: quiet before half the timeout, queries at half and three quarters, lost at the timeout") {
  Heartbeat h(3000);
  h.heard(1000);
  // Early on, with the next probe tick soon: nothing at all.
  auto v = h.check(1500, 1000);
  CHECK_FALSE(v.lost);
  CHECK_FALSE(v.query);
  CHECK_FALSE(v.checkInMs);
  // Early on, but the next tick would come after three quarters: a check at half.
  v = h.check(1500, 2000);
  REQUIRE(v.checkInMs);
  CHECK(*v.checkInMs == Approx(1000));  // 1000 + 1500 - 1500
  // Half the timeout silent: a query now, and a check at three quarters if the tick is later.
  v = h.check(2600, 2000);
  CHECK(v.query);
  CHECK_FALSE(v.lost);
  REQUIRE(v.checkInMs);
  CHECK(*v.checkInMs == Approx(650));  // 1000 + 2250 - 2600
  // Not a second query at (nearly) the same moment.
  CHECK_FALSE(h.check(2700, 2000).query);
  // Three quarters: the second query, then a check at the timeout.
  v = h.check(3300, 2000);
  CHECK(v.query);
  REQUIRE(v.checkInMs);
  CHECK(*v.checkInMs == Approx(700));  // 1000 + 3000 - 3300
  // The whole timeout silent: lost.
  CHECK(h.check(4000, 2000).lost);
}

TEST_CASE("heartbeat: hearing the far side resets the silence") {
  Heartbeat h(3000);
  h.heard(0);
  CHECK(h.check(2000, 100).query);
  h.heard(2900);
  auto v = h.check(3500, 100);
  CHECK_FALSE(v.lost);
  CHECK_FALSE(v.query);
  CHECK(h.check(5900, 100).lost);
}
