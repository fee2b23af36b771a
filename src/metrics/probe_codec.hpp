// The link probes (CONTRACT: channel `wre-probe`, id 5). Little-endian:
//   probe: 'P' seq:u32 sentMs:f64 echoSentMs:f64 echoHoldMs:f64  — 29 bytes
//   query: 'Q' and the same fields: a probe that asks for one back at once (the sender has heard
//          nothing for half its heartbeatTimeout; Peer liveness)
// Each side probes on its own timer and carries, in its next probe, the echo of the last probe it
// received: that probe's sentMs, copied bit for bit (the sender recognises its own probes by it),
// and how long it held it (RTT = arrival - echoSentMs - echoHoldMs).
// echoHoldMs < 0: nothing to echo. One message per probe instead of a probe and an echo: probes
// are small but each costs both browsers a packet, a thread wake-up and an event.
// Decoding checks only the shape: which figures are plausible is MetricsCollector's to decide.
// (The other messages of the library: peer/wre_messages.hpp, session/, transfer/.)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace wre {

struct LinkProbe {
  uint32_t seq = 0;
  double sentMs = 0;
  double echoSentMs = 0;
  double echoHoldMs = -1;  // < 0: no echo in this probe
  bool query = false;      // 'Q': answer with a probe now
};

std::string encodeProbe(const LinkProbe& probe);
// nullopt for anything that is not exactly a probe.
std::optional<LinkProbe> decodeProbe(std::string_view bytes);

}  // namespace wre
