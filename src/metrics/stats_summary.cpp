#include "metrics/stats_summary.hpp"

#include <cmath>

namespace wre {
namespace {

bool present(double v) { return std::isfinite(v); }
double orZero(double v) { return present(v) ? v : 0; }

const StatsEntry* byId(const std::vector<StatsEntry>& entries, const std::string& id) {
  if (id.empty()) return nullptr;
  for (const auto& e : entries)
    if (e.id == id) return &e;
  return nullptr;
}

// The standard way (transport.selectedCandidatePairId, both browsers today), else the pair that
// calls itself selected (Firefox's older, non-standard flag). Nothing else: with several pairs
// nominated and succeeded (Chromium after a switch) a guess would often pick the idle one.
const StatsEntry* selectedPair(const std::vector<StatsEntry>& entries) {
  for (const auto& e : entries)
    if (e.type == "transport")
      if (const StatsEntry* pair = byId(entries, e.selectedCandidatePairId); pair && pair->type == "candidate-pair")
        return pair;
  for (const auto& e : entries)
    if (e.type == "candidate-pair" && e.selected == 1) return &e;
  return nullptr;
}

// A counter from the transports where the browser keeps it there (Chromium), else summed over
// all candidate pairs (Firefox has none on its transport), those an ICE restart retired included
// (`retired`, PairCounters). Never the selected pair alone: each pair counts only its own traffic,
// so after a switch the total would fall back. NaN where the browser counts it nowhere (Firefox
// 153 has no packet counters at all).
double counter(const std::vector<StatsEntry>& entries, double StatsEntry::*field, double retired) {
  double onTransports = 0, onPairs = retired;
  bool transportHasIt = false, pairHasIt = retired > 0;
  for (const auto& e : entries) {
    if (!present(e.*field)) continue;
    if (e.type == "transport") {
      transportHasIt = true;
      onTransports += e.*field;
    } else if (e.type == "candidate-pair") {
      pairHasIt = true;
      onPairs += e.*field;
    }
  }
  return transportHasIt ? onTransports : pairHasIt ? onPairs : std::nan("");
}

// Seconds, or -1 when there is no sample. Chromium leaves the field out until it has one.
// Firefox reports whole milliseconds, so on loopback its 0 is a real sub-millisecond round trip
// (its totalRoundTripTime agrees, and responsesReceived counts the answer it timed); a 0 with no
// response counted yet is no measurement.
double roundTripTime(const StatsEntry& pair) {
  double rtt = pair.currentRoundTripTime;
  if (!present(rtt) || rtt < 0) return -1;
  if (rtt == 0 && !(pair.responsesReceived > 0)) return -1;
  return rtt;
}

std::string candidateType(const std::vector<StatsEntry>& entries, const std::string& id) {
  const StatsEntry* c = byId(entries, id);
  return c ? c->candidateType : std::string();
}

}  // namespace

StatsRecord summarizeStats(const std::vector<StatsEntry>& entries, double nowMs, PairCounters* pairs) {
  if (pairs) pairs->observe(entries);
  auto total = [&](double StatsEntry::*field) { return counter(entries, field, pairs ? pairs->retired(field) : 0); };
  StatsRecord r;
  r.timestampMs = nowMs;
  r.bytesSent = orZero(total(&StatsEntry::bytesSent));
  r.bytesReceived = orZero(total(&StatsEntry::bytesReceived));
  for (const auto& e : entries) {
    if (e.type == "candidate-pair") {
      // Consent checks over every pair: a switch must not reset the loss baseline.
      r.requestsSent += orZero(e.requestsSent);
      r.responsesReceived += orZero(e.responsesReceived);
    } else if (e.type == "data-channel") {
      r.messagesSent += orZero(e.messagesSent);
      r.messagesReceived += orZero(e.messagesReceived);
    }
  }
  // Where the browser counts no packets (Firefox), data-channel messages stand in: each is at
  // least one packet, so they are a lower bound, and packetsLost / packetsReceived stays the
  // measured loss rate rather than 0 / 0.
  r.packetsSent = total(&StatsEntry::packetsSent);
  r.packetsReceived = total(&StatsEntry::packetsReceived);
  if (!present(r.packetsSent)) r.packetsSent = r.messagesSent;
  if (!present(r.packetsReceived)) r.packetsReceived = r.messagesReceived;
  const StatsEntry* pair = selectedPair(entries);
  if (!pair) return r;
  r.currentRoundTripTime = roundTripTime(*pair);
  r.availableOutgoingBitrate = present(pair->availableOutgoingBitrate) ? pair->availableOutgoingBitrate : -1;
  r.localCandidateType = candidateType(entries, pair->localCandidateId);
  r.remoteCandidateType = candidateType(entries, pair->remoteCandidateId);
  return r;
}

}  // namespace wre
