// The few figures the metrics need from one getStats() report, as summarizeStats
// (stats_summary.hpp) reads them. Counters are cumulative as the browser reports them (0 where it
// counts nothing); -1 marks an RTT or bitrate the browser did not give.
#pragma once

#include <string>

namespace wre {

struct StatsRecord {
  double timestampMs = 0;
  // Bytes and packets: the connection's totals (its transports' counters, or, where the browser
  // keeps none there, every candidate pair's summed, retired pairs included: stats_summary.cpp);
  // the rest from the selected candidate pair.
  double bytesSent = 0, bytesReceived = 0;
  double packetsSent = 0, packetsReceived = 0;
  double currentRoundTripTime = -1;  // seconds, from STUN consent checks
  double requestsSent = 0, responsesReceived = 0;
  double availableOutgoingBitrate = -1;                 // bits/s
  std::string localCandidateType, remoteCandidateType;  // host / srflx / prflx / relay
  // Data channels, summed over the peer's channels.
  double messagesSent = 0, messagesReceived = 0;
};

}  // namespace wre
