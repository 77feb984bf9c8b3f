/*
 * codec.c — the integer codec of postings and positions.
 *
 * Integers go in chunks of up to 128. A chunk is patched frame of reference (PFor):
 * every value's low b bits packed at one width b, plus the few values that do not fit
 * ("exceptions") patched from a list; or, when that is smaller (short chunks, tiny
 * values), plain varints. Chosen by measurement against Stream VByte, plain bit-packing
 * and varints on posting lists of the news corpus: see storage/FORMAT.md, "Integer
 * codec", and bench/codec_bench.c.
 *
 * Grammar (all integers unsigned, little-endian):
 *
 *   ints(n)   := chunk(128){n / 128}  chunk(n % 128)?      the last chunk only if n%128>0
 *   chunk(k)  := pfor(k) | vchunk(k)                        told apart by the first byte
 *   pfor(k)   := b:u8 (0..32)  nexc:u8  bits:byte[(k*b + 7) / 8]
 *                exception{nexc}
 *                value i = (bits i*b .. i*b+b-1 of bits, bit j of the stream being bit j%8
 *                of byte j/8) | (high << b) if i has an exception
 *   exception := index:u8 (< k, strictly ascending)  high:varint (>= 1)
 *   vchunk(k) := 0xFF  varint{k}
 *   varint    := LEB128: 7 bits per byte, low group first, high bit set = more follows
 *
 * Decoding is bounds-safe: a chunk that runs past its buffer, a width above 32, an
 * exception out of range or a value above 2^32-1 is an error, never an overread.
 */
#include "storage_int.h"

#include <string.h>

#define VCHUNK_TAG 0xFF

unsigned tc__bitwidth(const uint32_t *in, size_t n)
{
	uint32_t acc = 0;
	for (size_t i = 0; i < n; i++)
		acc |= in[i];
	return acc ? 32u - (unsigned)__builtin_clz(acc) : 0u;
}

static unsigned varint_len(uint32_t v)
{
	unsigned n = 1;
	while (v >= 0x80)
		v >>= 7, n++;
	return n;
}

static unsigned char *put_varint(unsigned char *o, uint32_t v)
{
	for (; v >= 0x80; v >>= 7)
		*o++ = (unsigned char)(v | 0x80);
	*o++ = (unsigned char)v;
	return o;
}

/* Packs the low b bits of in[0..n) into o: (n*b + 7) / 8 bytes. */
static size_t pack_bits(const uint32_t *in, size_t n, unsigned b, unsigned char *o)
{
	size_t bytes = (n * b + 7) / 8;
	memset(o, 0, bytes);
	uint64_t acc = 0, mask = (1ull << b) - 1;
	unsigned have = 0;
	for (size_t i = 0; b && i < n; i++) {
		acc |= (uint64_t)(in[i] & mask) << have;
		for (have += b; have >= 8; have -= 8) {
			*o++ = (unsigned char)acc;
			acc >>= 8;
		}
	}
	if (have)
		*o = (unsigned char)acc;
	return bytes;
}

/*
 * Unpacks 128 values of b bits. Each value is read with one unaligned 64-bit load at its
 * byte offset: with the width a compile-time constant the loop has no branches and
 * vectorises. The loads reach up to 8 bytes past the packed bits, so the caller passes
 * a buffer with 16*b + 8 readable bytes.
 */
#define UNPACK_CASE(B)                                                        \
	case B:                                                                   \
		for (size_t i = 0; i < 128; i++) {                                    \
			uint64_t w;                                                       \
			memcpy(&w, in + ((i * B) >> 3), 8);                               \
			out[i] = (uint32_t)((w >> ((i * B) & 7)) & ((1ull << B) - 1));    \
		}                                                                     \
		break;

static void unpack_fast(const unsigned char *in, unsigned b, uint32_t *out)
{
	switch (b) {
	case 0:
		memset(out, 0, 128 * sizeof *out);
		break;
	UNPACK_CASE(1) UNPACK_CASE(2) UNPACK_CASE(3) UNPACK_CASE(4) UNPACK_CASE(5)
	UNPACK_CASE(6) UNPACK_CASE(7) UNPACK_CASE(8) UNPACK_CASE(9) UNPACK_CASE(10)
	UNPACK_CASE(11) UNPACK_CASE(12) UNPACK_CASE(13) UNPACK_CASE(14) UNPACK_CASE(15)
	UNPACK_CASE(16) UNPACK_CASE(17) UNPACK_CASE(18) UNPACK_CASE(19) UNPACK_CASE(20)
	UNPACK_CASE(21) UNPACK_CASE(22) UNPACK_CASE(23) UNPACK_CASE(24) UNPACK_CASE(25)
	UNPACK_CASE(26) UNPACK_CASE(27) UNPACK_CASE(28) UNPACK_CASE(29) UNPACK_CASE(30)
	UNPACK_CASE(31) UNPACK_CASE(32)
	}
}

/*
 * Unpacks n <= 128 values of b bits from [q, end) (the caller checked that the packed
 * bytes are there). Copies to a padded buffer when the fast loads could leave it.
 */
static void unpack_bits(const unsigned char *q, const unsigned char *end, unsigned b,
                        uint32_t *out, size_t n)
{
	uint32_t tmp[128];
	uint32_t *dst = n == 128 ? out : tmp;
	if ((size_t)(end - q) >= 16 * (size_t)b + 8) {
		unpack_fast(q, b, dst);
	} else {
		unsigned char pad[16 * 32 + 8] = {0};
		memcpy(pad, q, (n * b + 7) / 8);
		unpack_fast(pad, b, dst);
	}
	if (dst != out)
		memcpy(out, tmp, n * sizeof *out);
}

/* The width that makes pfor(n) smallest, and its size in bytes. */
static unsigned pfor_width(const uint32_t *in, size_t n, size_t *size)
{
	size_t hist[33] = {0};
	uint32_t all = 0;
	for (size_t i = 0; i < n; i++) {
		hist[in[i] ? 32 - __builtin_clz(in[i]) : 0]++;
		all |= in[i];
	}
	/* no width beyond the widest value can be cheaper than that one: stop there */
	unsigned maxw = all ? 32 - (unsigned)__builtin_clz(all) : 0;
	unsigned best = 32;
	size_t best_cost = (n * 32 + 7) / 8;
	for (unsigned b = 0; b < 32 && b <= maxw; b++) {
		size_t cost = (n * b + 7) / 8, nexc = 0;
		for (unsigned w = b + 1; w <= maxw; w++) {
			nexc += hist[w];
			cost += hist[w] * (1 + (w - b + 6) / 7);
		}
		if (nexc <= 255 && cost < best_cost)
			best = b, best_cost = cost;
	}
	*size = 2 + best_cost;
	return best;
}

size_t tc__chunk_pack(const uint32_t *in, size_t n, unsigned char *out)
{
	size_t pfor_size, vsize = 1;
	unsigned b = pfor_width(in, n, &pfor_size);
	for (size_t i = 0; i < n; i++)
		vsize += varint_len(in[i]);
	unsigned char *o = out;
	if (vsize < pfor_size) {
		*o++ = VCHUNK_TAG;
		for (size_t i = 0; i < n; i++)
			o = put_varint(o, in[i]);
		return (size_t)(o - out);
	}
	o += 2;
	o += pack_bits(in, n, b, o);
	unsigned nexc = 0;
	for (size_t i = 0; i < n && b < 32; i++) {
		if (in[i] >> b) {
			*o++ = (unsigned char)i;
			o = put_varint(o, in[i] >> b);
			nexc++;
		}
	}
	out[0] = (unsigned char)b;
	out[1] = (unsigned char)nexc;
	return (size_t)(o - out);
}

static int get_vchunk(const unsigned char **p, const unsigned char *end, uint32_t *out,
                      size_t n)
{
	const unsigned char *q = *p;
	for (size_t i = 0; i < n; i++) {
		uint64_t v;
		if (tc_varint_get(&q, end, &v) != 0 || v > UINT32_MAX)
			return -1;
		out[i] = (uint32_t)v;
	}
	*p = q;
	return 0;
}

int tc__chunk_unpack(const unsigned char **p, const unsigned char *end, uint32_t *out,
                     size_t n)
{
	const unsigned char *q = *p;
	if (q >= end || n == 0 || n > 128)
		return -1;
	if (*q == VCHUNK_TAG) {
		*p = q + 1;
		return get_vchunk(p, end, out, n);
	}
	if (end - q < 2 || q[0] > 32)
		return -1;
	unsigned b = q[0], nexc = q[1];
	q += 2;
	size_t bytes = (n * b + 7) / 8;
	if ((size_t)(end - q) < bytes)
		return -1;
	unpack_bits(q, end, b, out, n);
	q += bytes;
	int last = -1;
	for (unsigned k = 0; k < nexc; k++) {
		uint64_t hi;
		if (q >= end || *q >= n || (int)*q <= last)
			return -1;
		last = *q++;
		if (tc_varint_get(&q, end, &hi) != 0 || b == 32 || hi == 0 ||
		    hi > (UINT32_MAX >> b))
			return -1;
		out[last] |= (uint32_t)(hi << b);
	}
	*p = q;
	return 0;
}

size_t tc__pack128(const uint32_t *in, unsigned char *out)
{
	unsigned b = tc__bitwidth(in, 128);
	out[0] = (unsigned char)b;
	return 1 + pack_bits(in, 128, b, out + 1);
}

int tc__unpack128(const unsigned char **p, const unsigned char *end, uint32_t *out)
{
	const unsigned char *q = *p;
	if (q >= end || *q > 32 || (size_t)(end - q - 1) < 16 * (size_t)*q)
		return -1;
	unpack_bits(q + 1, end, *q, out, 128);
	*p = q + 1 + 16 * (size_t)*q;
	return 0;
}

void tc__put_ints(tc_buf *b, const uint32_t *in, size_t n)
{
	for (size_t i = 0; i < n; i += 128) {
		size_t k = n - i < 128 ? n - i : 128;
		tc_buf_reserve(b, TC_CHUNK_MAX);
		b->len += tc__chunk_pack(in + i, k, (unsigned char *)b->data + b->len);
	}
	if (b->data)
		b->data[b->len] = '\0';
}

int tc__get_ints(const unsigned char **p, const unsigned char *end, uint32_t *out, size_t n)
{
	for (size_t i = 0; i < n; i += 128) {
		size_t k = n - i < 128 ? n - i : 128;
		if (tc__chunk_unpack(p, end, out + i, k) != 0)
			return -1;
	}
	return 0;
}
