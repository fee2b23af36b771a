// Reads a getStats() report (every entry, as the browser gave it) into the few figures the
// metrics need. All the choices live here, for every browser: which candidate pair is selected,
// where the byte and packet counters are, when an RTT is a sample.
#pragma once

#include <vector>

#include "metrics/pair_counters.hpp"
#include "metrics/stats_entry.hpp"
#include "metrics/stats_record.hpp"

namespace wre {

// `nowMs`: when the report arrived, on the core's clock (the record's timestampMs). `pairs`: the
// connection's pair history (observes this report), whose retired pairs still count where the
// counters are summed over pairs; without it, only the pairs in this report count.
StatsRecord summarizeStats(const std::vector<StatsEntry>& entries, double nowMs, PairCounters* pairs = nullptr);

}  // namespace wre
