// Caps on what the app's signaling path and the far end hand the core, checked before anything is
// copied into WASM memory (one linear memory for every peer on the page: an unbounded copy is
// everyone's problem). Each is far above anything a real browser produces.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "nat/ice_candidate.hpp"
#include "transfer/transfer_codec.hpp"
#include "util/error.hpp"

namespace wre {

struct InputLimits {
  // A description's type ('offer' / 'answer').
  static constexpr size_t kDescriptionType = 16;
  // A whole SDP: Chromium's and Firefox's offers with every candidate inline are a few KiB.
  static constexpr size_t kSdp = 128 * 1024;
  // An a=candidate line (RFC 8839 grammar; real ones are < 200 characters).
  static constexpr size_t kCandidate = kMaxCandidateLength;
  // sdpMid is an SDP identification tag, usernameFragment an ICE ufrag (at most 256, RFC 8839).
  static constexpr size_t kSdpMid = 64;
  static constexpr size_t kUsernameFragment = 256;
  // Candidates held before the remote description: how many, and their characters in all (more is
  // a misbehaving signaling path).
  static constexpr size_t kHeldCandidates = 256;
  static constexpr size_t kHeldCandidateBytes = 64 * 1024;
  // One message on `wre` / `wre-probe`: the largest valid one is a transfer's offer with its name,
  // type and meta at their limits (src/transfer/transfer_codec.hpp); everything else is <= 45 bytes.
  static constexpr size_t kLibraryMessage = wire::kMaxTransferMessage;
};

// The error for a string of `length` characters where at most `limit` may come: names the field.
inline std::optional<Error> overLimit(ErrorKind kind, std::string_view what, size_t length, size_t limit) {
  if (length <= limit) return std::nullopt;
  return makeError(kind, std::string(what) + " is " + std::to_string(length) + " characters long, over the limit of " +
                             std::to_string(limit));
}

}  // namespace wre
