// The library's small messages on `wre` (CONTRACT: channel id 4). Little-endian:
//   hello: 'W' 'R' 'E' 1          — "I am webrtc-enhanced, protocol 1"
//   ack:   'A' delivered:u64      — 9 bytes: the cumulative bytes of `file` messages this side has
//          delivered to its app since the channel opened. Sent right after our hello (a peer that
//          acknowledges says so at once), then, once the far side has said hello, whenever another
//          CreditWindow::kAckStep bytes have been delivered. The far side's first ack turns its
//          window on. A count above 2^53 - 1 (no real transfer) or any other length is refused.
//   bye:   'B' 'Y' 'E'            — 3 bytes: "I am closing". Sent by close(), best effort, only to a
//          far side that said hello; the far side closes too (reason remote-closed). Only exactly
//          these 3 bytes, after a hello, count.
// (Session counts: session/session_codec.hpp; transfers: transfer/transfer_codec.hpp.)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace wre {

inline constexpr std::string_view kHello = "WRE\x01";
inline constexpr std::string_view kBye = "BYE";

std::string encodeAck(uint64_t delivered);
// nullopt for anything that is not exactly an ack (untrusted input from the far end).
std::optional<uint64_t> decodeAck(std::string_view bytes);

}  // namespace wre
