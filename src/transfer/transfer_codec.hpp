// Transfer messages on `wre` (README, "Transfers"; CONTRACT "Transfers"). Each starts with 'F' and a
// kind byte; older copies of this library ignore them (unknown `wre` messages are dropped).
// Little-endian; every u64 <= 2^53 - 1 (exact as a JS number); transfer numbers >= 1.
//   'F' 'T' version:u8          I take transfers, and announce my `file` messages when asked
//   'F' 'K' from:u64            (receiver) announce your `file` messages from index `from` on
//   'F' 'R' start:u64 count:u32 transfer:u32
//                               (sender) `file` messages start..start+count-1 of this session
//                               are chunks of `transfer` in order, or the app's own (transfer 0)
//   'F' 'Y' first:u64           (sender) the first `file` message on this connection has index
//                               `first` (the receiver's count of arrivals restarts with each one)
//   'F' 'O' transfer:u32 size:f64 (-1: unknown) nameLen:u16 typeLen:u16 metaLen:u32 name type meta
//                               (sender) an offer; meta is the app's JSON
//   'F' 'A' transfer:u32        (receiver) accepted: send the chunks
//   'F' 'E' transfer:u32 bytes:u64 sha256[32]
//                               (sender) the content ends after `bytes`; its digest
//   'F' 'D' transfer:u32        (receiver) received whole and verified
//   'F' 'X' transfer:u32 reason:u8 messageLen:u16 message
//                               either side: the transfer failed or was cancelled (TransferFailure)
// Decoding checks shapes and limits only; what a message may mean is the Transfers' to decide.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "transfer/sha256.hpp"

namespace wre {

// Why a transfer ended without completing: the JS event's `reason`.
enum class TransferFailure : uint8_t { Cancelled, Rejected, Integrity, Closed, Sink };
std::string_view toString(TransferFailure reason);

namespace wire {
inline constexpr uint8_t kTransferVersion = 1;
inline constexpr size_t kMaxName = 1024;
inline constexpr size_t kMaxType = 256;
inline constexpr size_t kMaxMeta = 8 * 1024;
inline constexpr size_t kMaxMessage = 512;  // a failure's text
// The largest transfer message (an offer at its limits).
inline constexpr size_t kMaxTransferMessage = 16 + kMaxName + kMaxType + kMaxMeta + 32;

struct Capable {
  uint8_t version;
};
struct ClassifyFrom {
  uint64_t index;
};
struct Run {
  uint64_t start;
  uint32_t count;
  uint32_t transfer;
};
struct Sync {
  uint64_t first;
};
struct Offer {
  uint32_t transfer;
  std::optional<uint64_t> size;
  std::string name, type, meta;
};
struct Accept {
  uint32_t transfer;
};
struct End {
  uint32_t transfer;
  uint64_t bytes;
  Digest sha256;
};
struct Done {
  uint32_t transfer;
};
struct Cancel {
  uint32_t transfer;
  TransferFailure reason;
  std::string message;
};
using TransferMessage = std::variant<Capable, ClassifyFrom, Run, Sync, Offer, Accept, End, Done, Cancel>;

// Fields over their limits are cut (names, texts) by the caller before encoding.
std::string encode(const TransferMessage& message);
// nullopt: not a transfer message, or malformed.
std::optional<TransferMessage> decodeTransfer(std::string_view bytes);
}  // namespace wire

}  // namespace wre
