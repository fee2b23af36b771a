#include "metrics/pair_counters.hpp"

#include <cmath>

namespace wre {

void PairCounters::observe(const std::vector<StatsEntry>& entries) {
  std::map<std::string, Counts> now;
  for (const auto& e : entries) {
    if (e.type != "candidate-pair") continue;
    Counts& counts = now[e.id];
    for (size_t i = 0; i < kFields.size(); ++i) counts[i] = std::isfinite(e.*kFields[i]) ? e.*kFields[i] : 0;
  }
  for (const auto& [id, counts] : last_)
    if (!now.contains(id))
      for (size_t i = 0; i < kFields.size(); ++i) retired_[i] += counts[i];
  last_ = std::move(now);
}

double PairCounters::retired(double StatsEntry::*field) const {
  for (size_t i = 0; i < kFields.size(); ++i)
    if (kFields[i] == field) return retired_[i];
  return 0;
}

}  // namespace wre
