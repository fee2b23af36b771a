// The few getStats() fields the core needs, flattened by the shim (bindings/shims.js). Counters
// are cumulative as the browser reports them; -1 marks a field the browser did not give.
#pragma once

#include <string>

namespace wre {

struct StatsRecord {
  double timestampMs = 0;
  bool hasSelectedPair = false;
  // Selected candidate pair (falls back to the transport's counters where absent).
  double bytesSent = 0, bytesReceived = 0;
  double packetsSent = 0, packetsReceived = 0;
  double currentRoundTripTime = -1;  // seconds, from STUN consent checks
  double requestsSent = 0, responsesReceived = 0;
  double availableOutgoingBitrate = -1;  // bits/s
  std::string localCandidateType, remoteCandidateType;  // host / srflx / prflx / relay
  // Data channels, summed over the peer's channels.
  double messagesSent = 0, messagesReceived = 0;
};

}  // namespace wre
