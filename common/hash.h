/*
 * hash.h — xxHash64, the checksum of every index file (and a fast hash for tables).
 *
 * A thin wrapper so callers do not include xxhash.h and all use the same seed. The
 * streaming form hashes a file while it is written; its state is a plain struct the
 * caller embeds (no allocation).
 */
#ifndef TC_HASH_H
#define TC_HASH_H

#include <stddef.h>
#include <stdint.h>

/* xxHash64 of p[0..n) with seed 0. */
uint64_t tc_hash64(const void *p, size_t n);

/* Streaming xxHash64 (seed 0); the result equals tc_hash64 over the concatenation. */
typedef struct tc_hash64_state {
	_Alignas(8) unsigned char opaque[96];  /* an XXH64_state_t (88 bytes) */
} tc_hash64_state;

void tc_hash64_init(tc_hash64_state *st);
void tc_hash64_update(tc_hash64_state *st, const void *p, size_t n);
uint64_t tc_hash64_digest(const tc_hash64_state *st);

#endif
