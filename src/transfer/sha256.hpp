// Incremental SHA-256 of a transfer's content (musl's implementation: sha256_musl.h). Web Crypto
// cannot hash a stream, and the core sees every byte of a transfer once anyway.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "transfer/sha256_musl.h"

namespace wre {

using Digest = std::array<uint8_t, 32>;

class Sha256 {
 public:
  Sha256() { wre_sha256_init(&state_); }
  void update(const uint8_t* bytes, size_t length) {
    if (length > 0) wre_sha256_update(&state_, bytes, length);  // (musl would memcpy from null)
  }
  // The digest of everything so far; the hasher starts over after it.
  Digest finish() {
    Digest out{};
    wre_sha256_final(&state_, out.data());
    wre_sha256_init(&state_);
    return out;
  }

 private:
  wre_sha256_state state_;
};

// Lower-case hex, as the JS API reports digests.
std::string toHex(const Digest& digest);

}  // namespace wre
