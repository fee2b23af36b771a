// Connection quality grade from RTT and loss, per the guide's "Connection Quality" table.
#pragma once

#include <string_view>

namespace wre {

// Ordered best to worst; Unknown (no usable measurement) sits outside that order.
enum class QualityGrade { Excellent, Good, Fair, Poor, Unknown };

// The guide's name: "excellent", "good", "fair", "poor", "unknown".
std::string_view toString(QualityGrade grade);

// A grade is met when rtt < its rtt bound AND loss < its loss bound (both strict); otherwise Poor.
struct QualityThresholds {
  double excellentRttMs = 100;
  double excellentLoss = 0.01;
  double goodRttMs = 200;
  double goodLoss = 0.05;
  double fairRttMs = 400;
  double fairLoss = 0.10;
};

// lossRate is a fraction (0.02 = 2%). Unknown when either input is NaN, infinite or negative,
// i.e. when the caller has no measurement yet.
QualityGrade gradeQuality(double rttMs, double lossRate, const QualityThresholds& thresholds = {});

}  // namespace wre
