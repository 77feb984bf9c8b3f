/* hash.c — xxHash64 wrappers (see hash.h). */
#define XXH_STATIC_LINKING_ONLY
#include "hash.h"

#include <xxhash.h>

_Static_assert(sizeof(XXH64_state_t) <= sizeof(((tc_hash64_state *)0)->opaque),
               "tc_hash64_state too small for XXH64_state_t");

uint64_t tc_hash64(const void *p, size_t n)
{
	return XXH64(p, n, 0);
}

void tc_hash64_init(tc_hash64_state *st)
{
	XXH64_reset((XXH64_state_t *)(void *)st->opaque, 0);
}

void tc_hash64_update(tc_hash64_state *st, const void *p, size_t n)
{
	XXH64_update((XXH64_state_t *)(void *)st->opaque, p, n);
}

uint64_t tc_hash64_digest(const tc_hash64_state *st)
{
	return XXH64_digest((const XXH64_state_t *)(const void *)st->opaque);
}
