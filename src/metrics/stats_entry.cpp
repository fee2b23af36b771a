#include "metrics/stats_entry.hpp"

#include <iterator>

namespace wre {

std::vector<StatsEntry> statsEntriesFromColumns(const std::vector<double>& numbers, std::string_view strings) {
  constexpr size_t kNumbers = std::size(kStatsNumberFields), kStrings = std::size(kStatsStringFields);
  if (numbers.size() % kNumbers != 0) return {};
  const size_t count = numbers.size() / kNumbers;
  size_t separators = 0;
  for (char c : strings) separators += c == kStatsStringSeparator;
  if (separators != count * kStrings) return {};

  std::vector<StatsEntry> entries(count);
  size_t n = 0, at = 0;
  for (StatsEntry& e : entries) {
    for (const auto& f : kStatsStringFields) {
      size_t end = strings.find(kStatsStringSeparator, at);
      e.*f.member = std::string(strings.substr(at, end - at));
      at = end + 1;
    }
    for (const auto& f : kStatsNumberFields) e.*f.member = numbers[n++];
  }
  return entries;
}

}  // namespace wre
