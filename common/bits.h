/*
 * bits.h — bit counting for bitmaps of docs and packed codes, header only.
 *
 * __builtin_popcountll is a library call on plain x86-64 (no POPCNT before x86-64-v2,
 * which Debian does not assume); this is a dozen inlined instructions instead.
 */
#ifndef TC_BITS_H
#define TC_BITS_H

#include <stdint.h>

/* Set bits of x. */
static inline unsigned tc_popcount64(uint64_t x)
{
	x -= (x >> 1) & 0x5555555555555555ull;
	x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
	return (unsigned)((x * 0x0101010101010101ull) >> 56);
}

#endif
