// The library's own messages (CONTRACT: channels `wre` id 4 and `wre-probe` id 5). Little-endian:
//   hello  (wre):       'W' 'R' 'E' 1                     — "I am webrtc-enhanced, protocol 1"
//   probe  (wre-probe): 'P' seq:u32 sentMs:f64            — 13 bytes, answered by an echo
//   echo   (wre-probe): 'E' seq:u32 sentMs:f64            — the probe sent back unchanged
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace wre {

inline constexpr std::string_view kHello = "WRE\x01";

struct Probe {
  bool echo = false;
  uint32_t seq = 0;
  double sentMs = 0;
};

std::string encodeProbe(const Probe& probe);
// nullopt for anything that is not exactly a probe or an echo.
std::optional<Probe> decodeProbe(std::string_view bytes);

}  // namespace wre
