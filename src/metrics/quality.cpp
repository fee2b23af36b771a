#include "metrics/quality.hpp"

#include <cmath>

namespace wre {

std::string_view toString(QualityGrade grade) {
  switch (grade) {
    case QualityGrade::Excellent:
      return "excellent";
    case QualityGrade::Good:
      return "good";
    case QualityGrade::Fair:
      return "fair";
    case QualityGrade::Poor:
      return "poor";
    case QualityGrade::Unknown:
      return "unknown";
  }
  return "unknown";
}

QualityGrade gradeQuality(double rttMs, double lossRate, const QualityThresholds& t) {
  const auto usable = [](double v) { return std::isfinite(v) && v >= 0.0; };
  if (!usable(rttMs) || !usable(lossRate)) return QualityGrade::Unknown;
  if (rttMs < t.excellentRttMs && lossRate < t.excellentLoss) return QualityGrade::Excellent;
  if (rttMs < t.goodRttMs && lossRate < t.goodLoss) return QualityGrade::Good;
  if (rttMs < t.fairRttMs && lossRate < t.fairLoss) return QualityGrade::Fair;
  return QualityGrade::Poor;
}

}  // namespace wre
