// Session messages on `wre` (README, Wire contract). Little-endian:
//   hello    'W' 'R' 'E' version:u8 [anything]  — we send exactly 'W' 'R' 'E' 1; a later version
//            may append fields, so any version >= 1 and up to kMaxHelloSize bytes is a hello.
//   session  'S' id:u64                          — 9 bytes, right after our hello: which session
//            (peer object) this is. Apart from the hello because released peers compare the
//            hello byte for byte: a longer hello would make them take us for a plain peer.
//   counts   'C' control:u64 reliable:u64 file:u64 — 25 bytes: messages this side has delivered
//            to its app per channel, cumulative over the far side's session. Each <= 2^53 - 1.
//            The answer to every session message, then every Peer::kCountStep messages or
//            kCountStepBytes bytes, and at the probe tick when changed.
// Decoding checks only the shape; what a count may mean is the ReplayStore's to decide.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "peer/channel_spec.hpp"

namespace wre {

inline constexpr size_t kMaxHelloSize = 64;
// The channels whose messages are counted and kept for replay, in DeliveredCounts order.
inline constexpr std::array<int, 3> kCountedChannels = {kControl, kReliable, kFile};
using DeliveredCounts = std::array<uint64_t, 3>;

// nullopt: not a hello. The version byte otherwise (>= 1).
std::optional<uint8_t> decodeHello(std::string_view bytes);

std::string encodeSession(uint64_t id);
std::optional<uint64_t> decodeSession(std::string_view bytes);

std::string encodeCounts(const DeliveredCounts& counts);
// nullopt for anything that is not exactly a counts message with every count <= 2^53 - 1.
std::optional<DeliveredCounts> decodeCounts(std::string_view bytes);

// Index into DeliveredCounts of a user channel; -1 for `unreliable` (no promise, nothing kept).
int countedIndex(int channel);

}  // namespace wre
