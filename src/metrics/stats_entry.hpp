// One getStats() entry as the shim hands it over: the raw fields the core may read, copied
// mechanically from every entry of the report (bindings/stats_flatten.js). What they mean, which entries
// count and where each counter lives in which browser is decided by summarizeStats
// (stats_summary.hpp). A number the browser did not give is NaN; a string it did not give is "".
#pragma once

#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace wre {

inline constexpr double kStatsMissing = std::numeric_limits<double>::quiet_NaN();

// Strings first, then numbers: the generated fixtures (tests/fixtures/stats_reports.hpp) build
// entries with designated initializers, which must follow this order.
struct StatsEntry {
  std::string type, id;
  std::string selectedCandidatePairId;              // transport
  std::string localCandidateId, remoteCandidateId;  // candidate-pair
  std::string candidateType;                        // local-/remote-candidate
  double bytesSent = kStatsMissing, bytesReceived = kStatsMissing;
  double packetsSent = kStatsMissing, packetsReceived = kStatsMissing;
  double currentRoundTripTime = kStatsMissing;  // seconds
  double requestsSent = kStatsMissing, responsesReceived = kStatsMissing;
  double availableOutgoingBitrate = kStatsMissing;
  double selected = kStatsMissing;  // Firefox's non-standard candidate-pair flag; true reads 1
  double messagesSent = kStatsMissing, messagesReceived = kStatsMissing;  // data-channel
};

// The fields the shim copies, in column order, each from the entry types named (space-separated):
// reading a field an entry lacks costs as much as one it has, and a Chromium sweep's budget is
// tens of microseconds. `type` and `id` are copied from every entry. The single list both
// languages use: the bindings hand it to the shim, the fixture generator reads it from this file.
struct StatsStringField {
  std::string_view name;
  std::string StatsEntry::*member;
  std::string_view types;
};
struct StatsNumberField {
  std::string_view name;
  double StatsEntry::*member;
  std::string_view types;
};

inline const StatsStringField kStatsStringFields[] = {
    {"type", &StatsEntry::type, "*"},
    {"id", &StatsEntry::id, "*"},
    {"selectedCandidatePairId", &StatsEntry::selectedCandidatePairId, "transport"},
    {"localCandidateId", &StatsEntry::localCandidateId, "candidate-pair"},
    {"remoteCandidateId", &StatsEntry::remoteCandidateId, "candidate-pair"},
    {"candidateType", &StatsEntry::candidateType, "local-candidate remote-candidate"},
};
inline const StatsNumberField kStatsNumberFields[] = {
    {"bytesSent", &StatsEntry::bytesSent, "transport candidate-pair"},
    {"bytesReceived", &StatsEntry::bytesReceived, "transport candidate-pair"},
    {"packetsSent", &StatsEntry::packetsSent, "transport candidate-pair"},
    {"packetsReceived", &StatsEntry::packetsReceived, "transport candidate-pair"},
    {"currentRoundTripTime", &StatsEntry::currentRoundTripTime, "candidate-pair"},
    {"requestsSent", &StatsEntry::requestsSent, "candidate-pair"},
    {"responsesReceived", &StatsEntry::responsesReceived, "candidate-pair"},
    {"availableOutgoingBitrate", &StatsEntry::availableOutgoingBitrate, "candidate-pair"},
    {"selected", &StatsEntry::selected, "candidate-pair"},
    {"messagesSent", &StatsEntry::messagesSent, "data-channel"},
    {"messagesReceived", &StatsEntry::messagesReceived, "data-channel"},
};

// Separates the strings in the shim's one joined string (a control character no id, type or
// candidate type contains).
inline constexpr char kStatsStringSeparator = '\x1f';

// Rebuilds the entries from the shim's columns: `numbers` holds std::size(kStatsNumberFields)
// values per entry, `strings` the std::size(kStatsStringFields) strings per entry, each followed
// by kStatsStringSeparator. Columns that disagree on the entry count give no entries (a report
// with nothing in it) rather than fields read from the wrong entry.
std::vector<StatsEntry> statsEntriesFromColumns(const std::vector<double>& numbers, std::string_view strings);

}  // namespace wre
