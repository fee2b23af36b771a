// One getStats() entry as the shim hands it over: the raw fields the core may read, copied
// mechanically from every entry of the report (bindings/shims.js). What they mean, which entries
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
  std::string selectedCandidatePairId;             // transport
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

// The field names the shim copies, in column order. The single list both languages use: the
// bindings hand these names to the shim, and the fixture generator reads them from this file.
struct StatsStringField {
  std::string_view name;
  std::string StatsEntry::*member;
};
struct StatsNumberField {
  std::string_view name;
  double StatsEntry::*member;
};

inline const StatsStringField kStatsStringFields[] = {
    {"type", &StatsEntry::type},
    {"id", &StatsEntry::id},
    {"selectedCandidatePairId", &StatsEntry::selectedCandidatePairId},
    {"localCandidateId", &StatsEntry::localCandidateId},
    {"remoteCandidateId", &StatsEntry::remoteCandidateId},
    {"candidateType", &StatsEntry::candidateType},
};
inline const StatsNumberField kStatsNumberFields[] = {
    {"bytesSent", &StatsEntry::bytesSent},
    {"bytesReceived", &StatsEntry::bytesReceived},
    {"packetsSent", &StatsEntry::packetsSent},
    {"packetsReceived", &StatsEntry::packetsReceived},
    {"currentRoundTripTime", &StatsEntry::currentRoundTripTime},
    {"requestsSent", &StatsEntry::requestsSent},
    {"responsesReceived", &StatsEntry::responsesReceived},
    {"availableOutgoingBitrate", &StatsEntry::availableOutgoingBitrate},
    {"selected", &StatsEntry::selected},
    {"messagesSent", &StatsEntry::messagesSent},
    {"messagesReceived", &StatsEntry::messagesReceived},
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
