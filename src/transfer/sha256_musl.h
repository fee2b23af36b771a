/* SHA-256 from musl libc (public domain, FIPS 180-3), as Debian's emscripten package ships it in
 * system/lib/libc/musl/src/crypt/crypt_sha256.c: sha256_musl.c compiles that file and exposes its
 * three static functions under these names. A well-kept implementation, not our own. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The layout of musl's `struct sha256` (checked in sha256_musl.c). */
typedef struct {
  uint64_t len;
  uint32_t h[8];
  uint8_t buf[64];
} wre_sha256_state;

void wre_sha256_init(wre_sha256_state* state);
void wre_sha256_update(wre_sha256_state* state, const void* bytes, size_t length);
void wre_sha256_final(wre_sha256_state* state, uint8_t digest[32]);

#ifdef __cplusplus
}
#endif
