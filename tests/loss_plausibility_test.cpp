// LossCounter against sequence numbers a hostile or broken far end can send: jumps, replays and
// random numbers are never turned into losses, and a genuine stream counts as it always did.
#include "metrics/loss_counter.hpp"

#include <catch2/catch.hpp>

#include <cstdint>

#include "plausibility.hpp"

using namespace wre;
using wre::test::Lcg;

TEST_CASE("loss, timed: a genuine stream counts as it does untimed", "[loss][plausibility]") {
  // Every 20th probe lost, neighbours swapped now and then: 50 ms apart on the wire.
  LossCounter timed, untimed;
  for (std::uint32_t i = 0; i < 2000; ++i) {
    std::uint32_t s = (i % 50 == 10) ? i + 1 : (i % 50 == 11) ? i - 1 : i;
    if (s % 20 == 7) continue;
    CHECK(timed.record(s, i * 50.0 + 30) == untimed.record(s));
  }
  CHECK(timed.expected() == untimed.expected());
  CHECK(timed.received() == untimed.received());
  CHECK(timed.lossRate() == Approx(0.05));
  CHECK(timed.jumps() == 0);
  CHECK(timed.restarts() == 0);
}

TEST_CASE("loss, timed: a jump the elapsed time allows is loss (a real outage)", "[loss][plausibility]") {
  LossCounter c;
  c.record(0, 0);
  // 10 s silent, the far side kept probing every 50 ms: 199 probes lost.
  CHECK(c.record(200, 10000));
  CHECK(c.lost() == 199);
  // A delay spike: the probe before arrived late, so the next one follows almost at once.
  CHECK(c.record(260, 10001));
  CHECK(c.lost() == 258);
  CHECK(c.jumps() == 0);
}

TEST_CASE("loss, timed: a jump beyond the elapsed time is no loss; a run after it is a restart",
          "[loss][plausibility]") {
  LossCounter c;
  for (std::uint32_t s = 0; s < 10; ++s) c.record(s, s * 50.0);
  CHECK_FALSE(c.record(5000, 500));  // 4991 ahead 50 ms later: not thousands of losses
  CHECK(c.jumps() == 1);
  CHECK(c.lost() == 0);
  CHECK(c.expected() == 10);
  CHECK(c.record(5001, 550));  // continues from it: the sender restarted its numbering
  CHECK(c.restarts() == 1);
  CHECK(c.lost() == 0);
  CHECK(c.expected() == 11);
  CHECK(c.record(5003, 650));  // and gaps in the new run are loss again
  CHECK(c.lost() == 1);
  CHECK(c.lossRate() == Approx(1.0 / 13));
}

TEST_CASE("loss, timed: random sequence numbers are never loss", "[loss][plausibility]") {
  LossCounter c;
  Lcg rng{7};
  for (int i = 0; i < 20000; ++i) c.record(rng.next(), i * 50.0);
  CHECK(c.lost() == 0);
  CHECK(c.lossRate() == 0);
  CHECK(c.received() <= 2);  // the first one starts a run; the rest cannot follow it
  CHECK(c.jumps() + c.tooOld() >= 19998);
}

TEST_CASE("loss, timed: random numbers between genuine probes change nothing", "[loss][plausibility]") {
  LossCounter clean, hostile;
  Lcg rng{99};
  for (std::uint32_t s = 0; s < 3000; ++s) {
    const double t = s * 50.0;
    if (s % 20 == 7) continue;  // 5 % genuinely lost
    clean.record(s, t);
    hostile.record(s, t);
    hostile.record(rng.next(), t + 1);
    if (s % 100 == 0) hostile.record(s + 100000, t + 2);  // a single jump ahead
  }
  CHECK(hostile.expected() == clean.expected());
  CHECK(hostile.received() == clean.received());
  CHECK(hostile.lossRate() == Approx(0.05).margin(0.001));
}

TEST_CASE("loss, timed: replays are neither loss nor arrival", "[loss][plausibility]") {
  LossCounter c;
  for (std::uint32_t s = 0; s < 2000; ++s) c.record(s, s * 50.0);
  const LossSnapshot before = c.snapshot();
  SECTION("within the window: duplicates") {
    for (std::uint32_t s = 1990; s < 2000; ++s) CHECK_FALSE(c.record(s, 100000));
    CHECK(c.duplicates() == 10);
  }
  SECTION("older than the window, one at a time: too old") {
    for (std::uint32_t s = 0; s < 500; s += 7) CHECK_FALSE(c.record(s, 100000));
    CHECK(c.tooOld() == 72);
  }
  CHECK(c.expected() == before.expected);
  CHECK(c.received() == before.received);
  CHECK(c.lost() == 0);
}

TEST_CASE("loss, timed: a replayed run is taken as a restart, still without loss", "[loss][plausibility]") {
  LossCounter c;
  for (std::uint32_t s = 0; s < 2000; ++s) c.record(s, s * 50.0);
  double t = 100000;
  for (std::uint32_t s = 0; s < 50; ++s) c.record(s, t += 50);       // old probes, in order
  for (std::uint32_t s = 2000; s < 2100; ++s) c.record(s, t += 50);  // the genuine stream again
  CHECK(c.restarts() == 2);
  CHECK(c.lost() == 0);
  CHECK(c.lossRate() == 0);
}

TEST_CASE("loss: a probe from long before the run began is a replay, not a late one", "[loss][plausibility]") {
  LossCounter c;
  c.record(1000, 0);
  CHECK_FALSE(c.record(1000 - LossCounter::kMaxMisorder - 1, 50));
  CHECK(c.tooOld() == 1);
  CHECK(c.expected() == 1);
  CHECK(c.record(995, 100));  // a few overtaken on the way: still widen the range
  CHECK(c.lost() == 4);
  CHECK(c.record(1000 - LossCounter::kMaxMisorder, 150));  // down to the bound, no further
  CHECK(c.expected() == LossCounter::kMaxMisorder + 1);
}

TEST_CASE("loss: snapshots stay ordered across restarts", "[loss][plausibility]") {
  LossCounter c;
  for (std::uint32_t s = 0; s < 100; s += 2) c.record(s, s * 50.0);  // 50 % lost
  const LossSnapshot a = c.snapshot();
  c.record(0xF0000000u, 6000);
  c.record(0xF0000001u, 6050);  // restart
  for (std::uint32_t s = 2; s < 100; ++s) c.record(0xF0000000u + s, 6000 + s * 50.0);
  const LossSnapshot b = c.snapshot();
  CHECK(b.expected >= a.expected);
  CHECK(b.received >= a.received);
  CHECK(intervalLossRate(a, b) == 0);  // the new run lost nothing
}
