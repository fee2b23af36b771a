// The library's own messages (CONTRACT: channels `wre` id 4 and `wre-probe` id 5). Little-endian:
//   hello  (wre):       'W' 'R' 'E' 1                     — "I am webrtc-enhanced, protocol 1"
//   probe  (wre-probe): 'P' seq:u32 sentMs:f64 echoSentMs:f64 echoHoldMs:f64  — 29 bytes
//   query  (wre-probe): 'Q' and the same fields: a probe that asks for one back at once (the
//                       sender has heard nothing for half its heartbeatTimeout; Peer liveness)
//   ack    (wre):       'A' delivered:u64                 — 9 bytes: the cumulative bytes of `file`
//                       messages this side has delivered to its app since the channel opened. Sent
//                       right after our hello (a peer that acknowledges says so at once), then,
//                       once the far side has said hello, whenever another CreditWindow::kAckStep
//                       bytes have been delivered. The far side's first ack turns its window on.
//                       A count above 2^53 - 1 (no real transfer) or any other length is refused.
//   bye    (wre):       'B' 'Y' 'E'                       — 3 bytes: "I am closing". Sent by close(),
//                       best effort, only to a far side that said hello; the far side closes too
//                       (reason remote-closed). Only exactly these 3 bytes, after a hello, count.
// Each side probes on its own timer and carries, in its next probe, the echo of the last probe it
// received: that probe's sentMs, copied bit for bit (the sender recognises its own probes by it),
// and how long it held it (RTT = arrival - echoSentMs - echoHoldMs).
// echoHoldMs < 0: nothing to echo. One message per probe instead of a probe and an echo: probes
// are small but each costs both browsers a packet, a thread wake-up and an event.
// Decoding checks only the shape: which figures are plausible is MetricsCollector's to decide.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace wre {

inline constexpr std::string_view kHello = "WRE\x01";
inline constexpr std::string_view kBye = "BYE";

struct Probe {
  uint32_t seq = 0;
  double sentMs = 0;
  double echoSentMs = 0;
  double echoHoldMs = -1;  // < 0: no echo in this probe
  bool query = false;      // 'Q': answer with a probe now
};

std::string encodeProbe(const Probe& probe);
// nullopt for anything that is not exactly a probe.
std::optional<Probe> decodeProbe(std::string_view bytes);

std::string encodeAck(uint64_t delivered);
// nullopt for anything that is not exactly an ack (untrusted input from the far end).
std::optional<uint64_t> decodeAck(std::string_view bytes);

}  // namespace wre
