// Reported quality with hysteresis, so a link on a threshold does not flap between grades:
// a new grade is adopted after `confirmations` consecutive evaluations agree on it, or at once
// when it is two or more grades away from the current one (a real collapse or recovery).
// Leaving Unknown is immediate (any measurement beats none); entering Unknown needs the
// confirmations, so one missed stats report does not blank the display.
#pragma once

#include "metrics/quality.hpp"

namespace wre {

class QualityTracker {
 public:
  static constexpr int kDefaultConfirmations = 2;

  // confirmations < 1 counts as 1 (no hysteresis).
  explicit QualityTracker(int confirmations = kDefaultConfirmations);

  // Feeds one evaluation; returns true when grade() changed.
  bool update(QualityGrade observed);

  QualityGrade grade() const { return current_; }
  void reset() { *this = QualityTracker(confirmations_); }

 private:
  int confirmations_;
  QualityGrade current_ = QualityGrade::Unknown;
  QualityGrade pending_ = QualityGrade::Unknown;  // candidate differing from current_
  int pendingCount_ = 0;                          // consecutive sightings of pending_
};

}  // namespace wre
