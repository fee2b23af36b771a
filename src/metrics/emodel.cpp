#include "metrics/emodel.hpp"

#include <algorithm>

namespace wre {

namespace {
constexpr double kBaseR = 93.2;         // R0 - Is with every G.107 default
constexpr double kDelayKneeMs = 177.3;  // beyond this, delay hurts conversation much more
}  // namespace

double EModel::oneWayDelayMs(double rttMs, double jitterMs) {
  // Half the round trip, plus a jitter buffer sized at twice the jitter.
  return std::max(rttMs, 0.0) / 2.0 + 2.0 * std::max(jitterMs, 0.0);
}

double EModel::delayImpairment(double d) {
  const double excess = d > kDelayKneeMs ? d - kDelayKneeMs : 0.0;
  return 0.024 * d + 0.11 * excess;
}

double EModel::lossImpairment(double lossRate) const {
  const double ppl = 100.0 * std::clamp(lossRate, 0.0, 1.0);
  if (ppl == 0.0) return params_.ie;  // also avoids 0/0 when bpl is 0
  return params_.ie + (95.0 - params_.ie) * ppl / (ppl / params_.burstR + params_.bpl);
}

double EModel::mosFromRFactor(double r) {
  if (r < 0.0) return 1.0;
  if (r > 100.0) return 4.5;
  // The cubic dips slightly below 1 for R under ~6.5, hence the clamp inside the range too.
  const double mos = 1.0 + 0.035 * r + r * (r - 60.0) * (100.0 - r) * 7e-6;
  return std::clamp(mos, 1.0, 4.5);
}

EModelScore EModel::score(double rttMs, double jitterMs, double lossRate) const {
  EModelScore s;
  s.oneWayDelayMs = oneWayDelayMs(rttMs, jitterMs);
  s.delayImpairment = delayImpairment(s.oneWayDelayMs);
  s.lossImpairment = lossImpairment(lossRate);
  s.rFactor = kBaseR - s.delayImpairment - s.lossImpairment;
  s.mos = mosFromRFactor(s.rFactor);
  return s;
}

}  // namespace wre
