#include "metrics/quality_tracker.hpp"

#include <algorithm>
#include <cstdlib>

namespace wre {

namespace {
// Grades two or more steps apart skip the hysteresis.
bool farApart(QualityGrade a, QualityGrade b) {
  if (a == QualityGrade::Unknown || b == QualityGrade::Unknown) return false;
  return std::abs(static_cast<int>(a) - static_cast<int>(b)) >= 2;
}
}  // namespace

QualityTracker::QualityTracker(int confirmations) : confirmations_(std::max(confirmations, 1)) {}

bool QualityTracker::update(QualityGrade observed) {
  if (observed == current_) {
    pendingCount_ = 0;  // the streak toward another grade is broken
    return false;
  }
  if (observed == pending_ && pendingCount_ > 0) {
    ++pendingCount_;
  } else {
    pending_ = observed;
    pendingCount_ = 1;
  }
  const bool adopt =
      current_ == QualityGrade::Unknown || farApart(current_, observed) || pendingCount_ >= confirmations_;
  if (!adopt) return false;
  current_ = observed;
  pendingCount_ = 0;
  return true;
}

}  // namespace wre
