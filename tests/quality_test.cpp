#include "metrics/quality.hpp"
#include "metrics/quality_tracker.hpp"

#include <catch2/catch.hpp>

#include <cmath>

using wre::gradeQuality;
using wre::QualityGrade;
using wre::QualityThresholds;
using wre::QualityTracker;
using G = QualityGrade;

TEST_CASE("quality: grade names match the guide", "[quality]") {
  CHECK(wre::toString(G::Excellent) == "excellent");
  CHECK(wre::toString(G::Good) == "good");
  CHECK(wre::toString(G::Fair) == "fair");
  CHECK(wre::toString(G::Poor) == "poor");
  CHECK(wre::toString(G::Unknown) == "unknown");
}

TEST_CASE("quality: the guide's table, including each strict boundary", "[quality]") {
  struct Row {
    double rtt, loss;
    G grade;
  };
  const Row rows[] = {
      {0, 0, G::Excellent},  {99.9, 0.0099, G::Excellent}, {100, 0, G::Good},
      {50, 0.01, G::Good},   {199.9, 0.0499, G::Good},     {200, 0, G::Fair},
      {50, 0.05, G::Fair},   {399.9, 0.0999, G::Fair},     {400, 0, G::Poor},
      {50, 0.10, G::Poor},   {5000, 1.0, G::Poor},         {20, 0.3, G::Poor},
      {350, 0.001, G::Fair},
  };
  for (const auto& r : rows) {
    CAPTURE(r.rtt, r.loss);
    CHECK(gradeQuality(r.rtt, r.loss) == r.grade);
  }
}

TEST_CASE("quality: missing or invalid measurements grade Unknown", "[quality]") {
  CHECK(gradeQuality(NAN, 0) == G::Unknown);
  CHECK(gradeQuality(50, NAN) == G::Unknown);
  CHECK(gradeQuality(INFINITY, 0) == G::Unknown);
  CHECK(gradeQuality(-1, 0) == G::Unknown);
  CHECK(gradeQuality(50, -0.1) == G::Unknown);
}

TEST_CASE("quality: custom thresholds", "[quality]") {
  QualityThresholds strict;
  strict.excellentRttMs = 30;
  strict.goodRttMs = 60;
  strict.fairRttMs = 120;
  CHECK(gradeQuality(50, 0, strict) == G::Good);
  CHECK(gradeQuality(150, 0, strict) == G::Poor);
  CHECK(gradeQuality(150, 0) == G::Good);
}

TEST_CASE("quality tracker: leaves Unknown on the first measurement", "[quality]") {
  QualityTracker t;
  CHECK(t.grade() == G::Unknown);
  CHECK(t.update(G::Good));
  CHECK(t.grade() == G::Good);
}

TEST_CASE("quality tracker: a one-step change needs two consecutive sightings", "[quality]") {
  QualityTracker t;
  t.update(G::Good);
  CHECK_FALSE(t.update(G::Fair));
  CHECK(t.grade() == G::Good);
  CHECK(t.update(G::Fair));
  CHECK(t.grade() == G::Fair);
  CHECK_FALSE(t.update(G::Fair));  // staying put is not a change
}

TEST_CASE("quality tracker: flapping across a threshold does not change the grade", "[quality]") {
  QualityTracker t;
  t.update(G::Excellent);
  for (int i = 0; i < 20; ++i) {
    CHECK_FALSE(t.update(i % 2 ? G::Excellent : G::Good));
    CHECK(t.grade() == G::Excellent);
  }
}

TEST_CASE("quality tracker: a streak toward another grade restarts when it changes", "[quality]") {
  QualityTracker t(3);
  t.update(G::Good);
  CHECK_FALSE(t.update(G::Fair));
  CHECK_FALSE(t.update(G::Excellent));  // different candidate: count restarts at 1
  CHECK_FALSE(t.update(G::Fair));
  CHECK_FALSE(t.update(G::Fair));
  CHECK(t.update(G::Fair));  // third consecutive Fair
  CHECK(t.grade() == G::Fair);
}

TEST_CASE("quality tracker: two or more grades away switches at once", "[quality]") {
  QualityTracker t;
  t.update(G::Excellent);
  CHECK(t.update(G::Fair));
  CHECK(t.grade() == G::Fair);
  CHECK_FALSE(t.update(G::Poor));  // one step: waits
  CHECK(t.update(G::Excellent));   // recovery by two steps: at once
  CHECK(t.update(G::Poor));        // collapse by three steps: at once
}

TEST_CASE("quality tracker: entering Unknown needs confirmation", "[quality]") {
  QualityTracker t;
  t.update(G::Good);
  CHECK_FALSE(t.update(G::Unknown));  // one missed report keeps the last grade
  CHECK(t.grade() == G::Good);
  CHECK_FALSE(t.update(G::Good));
  CHECK_FALSE(t.update(G::Unknown));
  CHECK(t.update(G::Unknown));
  CHECK(t.grade() == G::Unknown);
  CHECK(t.update(G::Poor));  // and leaving it again is immediate
}

TEST_CASE("quality tracker: confirmations of 1 or less disable hysteresis", "[quality]") {
  for (int k : {1, 0, -3}) {
    QualityTracker t(k);
    t.update(G::Good);
    CHECK(t.update(G::Fair));
    CHECK(t.update(G::Good));
  }
}

TEST_CASE("quality tracker: reset keeps the configured confirmations", "[quality]") {
  QualityTracker t(3);
  t.update(G::Good);
  t.reset();
  CHECK(t.grade() == G::Unknown);
  t.update(G::Good);
  CHECK_FALSE(t.update(G::Fair));
  CHECK_FALSE(t.update(G::Fair));
  CHECK(t.update(G::Fair));
}
