#include "metrics/loss_counter.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <set>
#include <vector>

using wre::intervalLossRate;
using wre::LossCounter;
using wre::LossSnapshot;

TEST_CASE("loss: empty counter", "[loss]") {
  LossCounter c;
  CHECK(c.expected() == 0);
  CHECK(c.received() == 0);
  CHECK(c.lost() == 0);
  CHECK(c.lossRate() == 0);
}

TEST_CASE("loss: in-order probes lose nothing", "[loss]") {
  LossCounter c;
  for (std::uint32_t s = 100; s < 200; ++s) CHECK(c.record(s));
  CHECK(c.expected() == 100);
  CHECK(c.received() == 100);
  CHECK(c.lost() == 0);
}

TEST_CASE("loss: gaps count as lost", "[loss]") {
  LossCounter c;
  for (std::uint32_t s : {0u, 1u, 2u, 4u, 5u, 6u, 8u, 9u}) c.record(s);  // 3 and 7 missing
  CHECK(c.expected() == 10);
  CHECK(c.received() == 8);
  CHECK(c.lost() == 2);
  CHECK(c.lossRate() == Approx(0.2));
}

TEST_CASE("loss: reordering is tolerated and a late probe fills its gap", "[loss]") {
  LossCounter c;
  c.record(0);
  c.record(2);
  CHECK(c.lost() == 1);
  CHECK(c.record(1));
  CHECK(c.lost() == 0);
  CHECK(c.expected() == 3);
}

TEST_CASE("loss: duplicates are ignored", "[loss]") {
  LossCounter c;
  c.record(5);
  c.record(6);
  CHECK_FALSE(c.record(6));
  CHECK_FALSE(c.record(5));
  CHECK(c.received() == 2);
  CHECK(c.duplicates() == 2);
  CHECK(c.lost() == 0);
}

TEST_CASE("loss: a probe older than the first one seen widens the range", "[loss]") {
  LossCounter c;
  c.record(10);
  c.record(7);  // 8 and 9 still missing
  CHECK(c.expected() == 4);
  CHECK(c.received() == 2);
  CHECK(c.lost() == 2);
}

TEST_CASE("loss: sequence numbers wrap around 2^32", "[loss]") {
  LossCounter c;
  for (std::uint32_t s = 0xFFFFFFF0u; s != 0x10u; ++s) {
    if (s != 0xFFFFFFFFu && s != 0x3u) c.record(s);  // drop one on each side of the wrap
  }
  CHECK(c.expected() == 32);
  CHECK(c.lost() == 2);
  CHECK(c.record(0xFFFFFFFFu));  // late, across the wrap
  CHECK(c.lost() == 1);
  CHECK_FALSE(c.record(0x0u));  // duplicate just after the wrap
}

TEST_CASE("loss: first probe just after the wrap, then one from before it", "[loss]") {
  LossCounter c;
  c.record(0);
  c.record(0xFFFFFFFEu);
  CHECK(c.expected() == 3);
  CHECK(c.lost() == 1);
}

TEST_CASE("loss: window bounds memory; probes older than it are ignored", "[loss]") {
  STATIC_REQUIRE(sizeof(LossCounter) <= 256);
  const auto window = static_cast<std::uint32_t>(LossCounter::kWindow);

  SECTION("a duplicate at the window's far edge is still recognised") {
    LossCounter c;
    for (std::uint32_t s = 0; s < window; ++s) c.record(s);
    CHECK_FALSE(c.record(0));
    CHECK(c.duplicates() == 1);
  }
  SECTION("one step further it is too old to tell, so it is not counted") {
    LossCounter c;
    for (std::uint32_t s = 0; s <= window; ++s) c.record(s);
    CHECK_FALSE(c.record(0));
    CHECK(c.tooOld() == 1);
    CHECK(c.received() == window + 1);
    CHECK(c.lost() == 0);
  }
  SECTION("a jump past the window clears it; late probes inside still fill gaps") {
    LossCounter c;
    c.record(0);
    c.record(2000);
    CHECK(c.lost() == 1999);
    CHECK_FALSE(c.record(1));  // 1999 behind: too old, stays lost
    CHECK(c.record(1500));     // 500 behind: counted
    CHECK(c.lost() == 1998);
    CHECK_FALSE(c.record(2000));  // duplicate of the highest
  }
}

TEST_CASE("loss: matches a set-based model under drops, duplicates and reordering", "[loss]") {
  // Deterministic LCG; reordering moves a probe at most 39 slots, well inside the window.
  std::uint64_t state = 12345;
  const auto next = [&state](std::uint32_t bound) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<std::uint32_t>((state >> 33) % bound);
  };
  for (std::uint32_t start : {0u, 0xFFFFF000u}) {  // second run crosses the wrap
    std::vector<std::uint32_t> arrivals;
    for (std::uint32_t i = 0; i < 5000; ++i) {
      if (next(100) < 7) continue;  // 7% dropped
      arrivals.push_back(start + i);
      if (next(100) < 3) arrivals.push_back(start + i);  // 3% duplicated
    }
    // Shuffle within blocks of 40 (Fisher-Yates), so nothing moves further than 39 slots.
    for (std::size_t block = 0; block < arrivals.size(); block += 40) {
      const std::size_t end = std::min(arrivals.size(), block + 40);
      for (std::size_t i = end - 1; i > block; --i) {
        std::swap(arrivals[i], arrivals[block + next(static_cast<std::uint32_t>(i - block + 1))]);
      }
    }
    LossCounter c;
    std::set<std::int64_t> model;  // unwrapped sequence numbers
    for (std::uint32_t s : arrivals) {
      c.record(s);
      model.insert(static_cast<std::int64_t>(s - start));
    }
    const auto expected = static_cast<std::uint64_t>(*model.rbegin() - *model.begin() + 1);
    CAPTURE(start);
    CHECK(c.received() == model.size());
    CHECK(c.expected() == expected);
    CHECK(c.lost() == expected - model.size());
    CHECK(c.tooOld() == 0);
    CHECK(c.duplicates() == arrivals.size() - model.size());
  }
}

TEST_CASE("loss: interval loss rate between snapshots", "[loss]") {
  LossCounter c;
  for (std::uint32_t s = 0; s < 100; ++s) c.record(s);
  const LossSnapshot a = c.snapshot();
  for (std::uint32_t s = 100; s < 200; ++s) {
    if (s % 10 != 0) c.record(s);  // 10 of 100 lost
  }
  const LossSnapshot b = c.snapshot();
  CHECK(intervalLossRate(a, b) == Approx(0.10));
  CHECK(c.lossRate() == Approx(0.05));

  SECTION("no new probes expected: rate 0") { CHECK(intervalLossRate(b, b) == 0); }
  SECTION("late probes filling old gaps never give a negative rate") {
    for (std::uint32_t s = 100; s < 200; s += 10) c.record(s);  // the 10 lost ones turn up
    c.record(200);
    CHECK(intervalLossRate(b, c.snapshot()) == 0);
  }
  SECTION("swapped snapshots are treated as no data") { CHECK(intervalLossRate(b, a) == 0); }
}
