/* Compiles musl's SHA-256 (see sha256_musl.h). WRE_MUSL_SHA256_C is the path CMake found. */
#define _GNU_SOURCE
/* The file's crypt(3) entry point is not ours: renamed so it never stands in for libc's. */
#define __crypt_sha256 wre_unused_crypt_sha256
#include WRE_MUSL_SHA256_C
#undef __crypt_sha256

#include "transfer/sha256_musl.h"

_Static_assert(sizeof(struct sha256) == sizeof(wre_sha256_state), "musl's struct sha256 changed");

void wre_sha256_init(wre_sha256_state* state) { sha256_init((struct sha256*)state); }

void wre_sha256_update(wre_sha256_state* state, const void* bytes, size_t length) {
  sha256_update((struct sha256*)state, bytes, length);
}

void wre_sha256_final(wre_sha256_state* state, uint8_t digest[32]) { sha256_sum((struct sha256*)state, digest); }
