// Firefox keeps the byte and packet counters only on candidate pairs, and drops a pair from
// getStats() once an ICE restart retires it (every pair, while the restart is still checking): a
// sum over the pairs of one report falls back, to 0 at worst, and a rebuild would then carry 0 on.
// This remembers each pair's last counters and keeps those of the pairs that left, so that a
// connection's totals never fall back. One per connection.
#pragma once

#include <array>
#include <map>
#include <string>
#include <vector>

#include "metrics/stats_entry.hpp"

namespace wre {

class PairCounters {
 public:
  // The counters summed over pairs: bytes and packets, each way.
  static constexpr std::array<double StatsEntry::*, 4> kFields = {
      &StatsEntry::bytesSent, &StatsEntry::bytesReceived, &StatsEntry::packetsSent, &StatsEntry::packetsReceived};

  // A report's candidate pairs; the pairs seen before and missing from it are retired.
  void observe(const std::vector<StatsEntry>& entries);
  // What the retired pairs had counted of `field` (one of kFields; 0 for any other).
  double retired(double StatsEntry::*field) const;

 private:
  using Counts = std::array<double, kFields.size()>;
  std::map<std::string, Counts> last_;  // the pairs of the last report (the browser bounds them)
  Counts retired_{};
};

}  // namespace wre
