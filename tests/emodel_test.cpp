#include "metrics/emodel.hpp"

#include <catch2/catch.hpp>

#include <cmath>

using wre::EModel;
using wre::EModelParams;

// Worked values, by hand from the formulas in emodel.hpp (defaults Ie = 0, Bpl = 4.3, BurstR = 1).
// MOS(R) = 1 + 0.035 R + R (R - 60)(100 - R) 7e-6.

TEST_CASE("emodel: no delay, no loss", "[emodel]") {
  // d = 0, Id = 0, Ie_eff = 0 -> R = 93.2
  // MOS = 1 + 3.262 + 93.2 * 33.2 * 6.8 * 7e-6 = 4.262 + 0.147286 = 4.409286
  const auto s = EModel().score(0, 0, 0);
  CHECK(s.oneWayDelayMs == 0);
  CHECK(s.delayImpairment == 0);
  CHECK(s.lossImpairment == 0);
  CHECK(s.rFactor == Approx(93.2));
  CHECK(s.mos == Approx(4.409286).margin(1e-6));
}

TEST_CASE("emodel: delay below the 177.3 ms knee", "[emodel]") {
  // rtt 200, jitter 10 -> d = 100 + 20 = 120; Id = 0.024 * 120 = 2.88 -> R = 90.32
  // MOS = 1 + 3.1612 + 90.32 * 30.32 * 9.68 * 7e-6 = 4.1612 + 0.185561 = 4.346761
  const auto s = EModel().score(200, 10, 0);
  CHECK(s.oneWayDelayMs == Approx(120));
  CHECK(s.delayImpairment == Approx(2.88));
  CHECK(s.rFactor == Approx(90.32));
  CHECK(s.mos == Approx(4.346761).margin(1e-6));
}

TEST_CASE("emodel: the knee term starts exactly at d = 177.3 ms", "[emodel]") {
  // Below and at the knee only the linear term counts: Id = 0.024 d.
  CHECK(EModel::delayImpairment(175) == Approx(4.2));
  CHECK(EModel::delayImpairment(177.3) == Approx(4.2552));
  // 10 ms past it: 0.024 * 187.3 + 0.11 * 10 = 4.4952 + 1.1 = 5.5952
  CHECK(EModel::delayImpairment(187.3) == Approx(5.5952));
}

TEST_CASE("emodel: delay past the knee", "[emodel]") {
  // rtt 400, jitter 20 -> d = 200 + 40 = 240
  // Id = 0.024 * 240 + 0.11 * (240 - 177.3) = 5.76 + 6.897 = 12.657 -> R = 80.543
  // MOS = 1 + 2.819005 + 80.543 * 20.543 * 19.457 * 7e-6 = 3.819005 + 0.225354 = 4.044359
  const auto s = EModel().score(400, 20, 0);
  CHECK(s.delayImpairment == Approx(12.657));
  CHECK(s.rFactor == Approx(80.543));
  CHECK(s.mos == Approx(4.044359).margin(1e-6));
}

TEST_CASE("emodel: 1% random loss", "[emodel]") {
  // Ppl = 1: Ie_eff = 0 + 95 * 1 / (1/1 + 4.3) = 95 / 5.3 = 17.924528 -> R = 75.275472
  // MOS = 1 + 2.634641 + 75.275472 * 15.275472 * 24.724528 * 7e-6 = 3.634641 + 0.199010 = 3.833651
  const auto s = EModel().score(0, 0, 0.01);
  CHECK(s.lossImpairment == Approx(17.924528).margin(1e-6));
  CHECK(s.rFactor == Approx(75.275472).margin(1e-6));
  CHECK(s.mos == Approx(3.833651).margin(1e-6));
}

TEST_CASE("emodel: delay and loss together", "[emodel]") {
  // rtt 100, jitter 5 -> d = 60, Id = 1.44; Ppl = 2: Ie_eff = 95 * 2 / 6.3 = 30.158730
  // R = 93.2 - 1.44 - 30.158730 = 61.601270
  // MOS = 1 + 2.156044 + 61.601270 * 1.601270 * 38.398730 * 7e-6 = 3.156044 + 0.026514 = 3.182558
  const auto s = EModel().score(100, 5, 0.02);
  CHECK(s.rFactor == Approx(61.601270).margin(1e-6));
  CHECK(s.mos == Approx(3.182558).margin(1e-6));
}

TEST_CASE("emodel: bursty loss and a codec impairment", "[emodel]") {
  // BurstR = 2, Ppl = 1: Ie_eff = 95 * 1 / (0.5 + 4.3) = 19.791667 (bursts hurt more)
  CHECK(EModel({0, 4.3, 2}).lossImpairment(0.01) == Approx(19.791667).margin(1e-6));
  // Ie = 10, Bpl = 25.1 (a robust codec), Ppl = 3: Ie_eff = 10 + 85 * 3 / 28.1 = 19.074733
  // with rtt 150, jitter 10: d = 95, Id = 2.28 -> R = 93.2 - 2.28 - 19.074733 = 71.845267
  const auto s = EModel({10, 25.1, 1}).score(150, 10, 0.03);
  CHECK(s.lossImpairment == Approx(19.074733).margin(1e-6));
  CHECK(s.rFactor == Approx(71.845267).margin(1e-6));
  // No loss leaves just the codec's own impairment, even with Bpl 0 (no 0/0).
  CHECK(EModel({10, 0, 1}).lossImpairment(0) == 10);
}

TEST_CASE("emodel: terrible links floor at MOS 1", "[emodel]") {
  // rtt 800, jitter 50 -> d = 500, Id = 12 + 0.11 * 322.7 = 47.497
  // Ppl = 20: Ie_eff = 95 * 20 / 24.3 = 78.189300 -> R = -32.486300 -> MOS 1
  const auto s = EModel().score(800, 50, 0.2);
  CHECK(s.rFactor == Approx(-32.486300).margin(1e-6));
  CHECK(s.mos == 1);
}

TEST_CASE("emodel: MOS mapping clamps and never decreases with R", "[emodel]") {
  CHECK(EModel::mosFromRFactor(-5) == 1);
  CHECK(EModel::mosFromRFactor(0) == 1);
  CHECK(EModel::mosFromRFactor(5) == 1);  // the raw cubic gives 0.992 here
  CHECK(EModel::mosFromRFactor(100) == Approx(4.5));
  CHECK(EModel::mosFromRFactor(120) == 4.5);
  double previous = 1;
  for (double r = -10; r <= 110; r += 0.25) {
    const double mos = EModel::mosFromRFactor(r);
    CAPTURE(r);
    REQUIRE(mos >= previous);
    REQUIRE(mos >= 1);
    REQUIRE(mos <= 4.5);
    previous = mos;
  }
}

TEST_CASE("emodel: inputs out of range are clamped; NaN propagates", "[emodel]") {
  const EModel m;
  CHECK(m.score(-10, -5, -0.1).rFactor == Approx(93.2));
  CHECK(m.score(0, 0, 2.0).lossImpairment == Approx(m.score(0, 0, 1.0).lossImpairment));
  CHECK(std::isnan(m.score(NAN, 0, 0).mos));
  CHECK(std::isnan(m.score(0, 0, NAN).mos));
}
