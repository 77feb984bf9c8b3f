/*
 * codec.c — the integer codec of postings and the numeric index, and the positions code
 * (at the end of the file).
 *
 * Integers go in chunks of up to 128. A chunk is patched frame of reference (PFor):
 * every value's low b bits packed at one width b, plus the few values that do not fit
 * ("exceptions") patched from a list whose positions and high parts are bit-packed too
 * (the layout of NewPFD/OptPFD); or, when that is smaller (short chunks of small
 * values), plain varints. A chunk of one value is a bare varint. The writer picks b by
 * the exact size of the chunk, exceptions included (each one a bit dearer, for decode
 * speed). Chosen by measurement against the
 * previous layout (exceptions as a byte index and a varint high part), Stream VByte,
 * plain bit-packing and varints on the posting lists of the news corpus: see
 * storage/FORMAT.md, "Integer codec", and bench/codec_bench.c.
 *
 * Grammar (all integers unsigned, little-endian; format version 2 of .pst and .pos,
 * 3 of .num):
 *
 *   ints(n)    := chunk(128){n / 128}  chunk(n % 128)?    the last chunk only if n%128>0
 *   chunk(1)   := varint                                  one value: no tag
 *   chunk(k)   := pfor(k) | xpfor(k) | vchunk(k)          k >= 2; told apart by the
 *                                                         first byte
 *   pfor(k)    := b:u8 (0..32)  bits(k, b)                no exceptions
 *   xpfor(k)   := t:u8 (0x40 | b, b 0..31)  bits(k, b)  nexc:u8 (1..k)  hb:u8 (1..32-b)
 *                 where  highs:bits(nexc, hb)
 *                 value i = low i | (high j << b) when i is the j-th exception, else low i
 *   where      := bits(nexc, w) when nexc * w < k: the exceptions' indexes, strictly
 *                 ascending, each < k; w = ceil(log2 k) bits
 *               | byte[(k + 7) / 8] otherwise: a map, bit i set when value i is an
 *                 exception; exactly nexc bits set, none at k or beyond
 *   vchunk(k)  := 0xFF varint{k}
 *   bits(n, w) := byte[(n * w + 7) / 8]: n values of w bits, value i in bits
 *                 i*w .. i*w+w-1 of the stream, bit j of the stream being bit j%8 of
 *                 byte j/8; bits past the last value are 0
 *   varint     := LEB128: 7 bits per byte, low group first, high bit set = more follows
 *
 * Decoding is bounds-safe: a chunk that runs past its buffer, a width above 32, an
 * exception index out of range or out of order, a wrong count or a value above
 * 2^32-1 is an error, never an overread.
 */
#include "storage_int.h"

#include <string.h>

#include "common/bits.h"

#define VCHUNK_TAG 0xFF
#define XPFOR_TAG 0x40u    /* | b: a PFor chunk with exceptions */

unsigned tc__bitwidth(const uint32_t *in, size_t n)
{
	uint32_t acc = 0;
	for (size_t i = 0; i < n; i++)
		acc |= in[i];
	return acc ? 32u - (unsigned)__builtin_clz(acc) : 0u;
}

size_t tc__pack_bits(const uint32_t *in, size_t n, unsigned b, unsigned char *o)
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
 * Unpacks ng groups of 8 values of b bits (8 * ng values). Each value is read with one
 * unaligned 64-bit load at its byte offset. Eight values of b bits fill exactly b
 * bytes, so each group's loads sit at constant offsets and shifts from the group's
 * start: with the inner loop unrolled a value costs a load, a shift, a mask and a
 * store (twice as fast as one loop over the values, whose offsets and shifts are
 * computed per value). The loads reach up to 8 bytes past the packed bits: in must
 * have ng * b + 8 readable bytes. (Loading once for all the values within 64 bits
 * saves no instruction on x86-64: a register copy replaces each load.)
 */
#define UNPACK_CASE(B)                                                        \
	case B:                                                                   \
		for (size_t g = 0; g < ng; g++) {                                     \
			const unsigned char *gin = in + g * B;                            \
			uint32_t *gout = out + g * 8;                                     \
			_Pragma("GCC unroll 8")                                           \
			for (size_t j = 0; j < 8; j++) {                                  \
				uint64_t w;                                                   \
				memcpy(&w, gin + ((j * B) >> 3), 8);                          \
				gout[j] = (uint32_t)((w >> ((j * B) & 7)) & ((1ull << B) - 1)); \
			}                                                                 \
		}                                                                     \
		break;

static void unpack_groups(const unsigned char *in, unsigned b, uint32_t *out, size_t ng)
{
	switch (b) {
	case 0:
		memset(out, 0, 8 * ng * sizeof *out);
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
 * Unpacks ng groups (8 * ng values) of b bits from q into out, reading only the avail
 * bytes at q; bytes are the packed bytes among them (at most 8 * ng * b / 8). Groups
 * are decoded in place while their loads stay within avail, the rest (at most the last
 * 2 + 8 / b) from a copy of the remaining bytes with zeros after them: nothing is
 * zeroed or copied that is not read.
 */
static void unpack_groups_in(const unsigned char *q, size_t avail, size_t bytes, unsigned b,
                             uint32_t *out, size_t ng)
{
	/* group g reads no further than byte (g + 1) * b + 8 */
	if (avail >= ng * b + 8) {
		unpack_groups(q, b, out, ng);
		return;
	}
	size_t d = avail >= 8 + b ? (avail - 8) / b : 0;
	unpack_groups(q, b, out, d);
	/* avail >= bytes puts d within 1 + 8 / b groups of ng: (ng - d) * b + 8 <= 2 * b + 15
	   bytes hold the rest and the zeros its loads reach */
	unsigned char pad[2 * 32 + 8 + 8];
	size_t have = bytes - d * b, need = (ng - d) * b + 8;
	memcpy(pad, q + d * b, have);
	memset(pad + have, 0, need - have);
	unpack_groups(pad, b, out + 8 * d, ng - d);
}

/* Unpacks n <= 128 values of b bits into out[0..n), the last partial group through a
   buffer; q and avail as for unpack_groups_in. */
static void unpack_n(const unsigned char *q, size_t avail, unsigned b, uint32_t *out,
                     size_t n)
{
	size_t full = n / 8, bytes = (n * b + 7) / 8;
	unpack_groups_in(q, avail, bytes, b, out, full);
	if (n % 8) {
		uint32_t last[8];
		size_t at = full * b;
		unpack_groups_in(q + at, avail - at, bytes - at, b, last, 1);
		memcpy(out + 8 * full, last, n % 8 * sizeof *out);
	}
}

void tc__unpack_bits(const unsigned char *q, const unsigned char *end, unsigned b,
                     uint32_t *out, size_t n)
{
	unpack_n(q, (size_t)(end - q), b, out, n);
}

/* ceil(log2 k): bits of an exception index in a chunk of k values. */
static unsigned index_width(size_t k)
{
	return k > 1 ? 32u - (unsigned)__builtin_clz((unsigned)k - 1) : 0u;
}

/* Bytes of the exception positions: packed indexes, or the k-bit map when smaller. */
static size_t where_bytes(size_t k, size_t nexc)
{
	size_t bits = nexc * index_width(k);
	return ((bits < k ? bits : k) + 7) / 8;
}

/*
 * The width of the PFor form, and its size in bytes. With maxw the widest value's bits
 * and hist[w] the number of values of exactly w bits, width b costs the tag, k*b bits,
 * and for the nexc values wider than b their positions and (maxw - b)-bit high parts.
 * The smallest size wins, each exception counted one bit dearer than it is: patching
 * costs decode time, and at no penalty the widths drop to where a quarter of the values
 * are exceptions, for 1% of size and a third of the speed (FORMAT.md, "Integer codec").
 */
static unsigned pfor_width(const size_t hist[33], unsigned maxw, size_t k, size_t *size)
{
	unsigned best = maxw;
	size_t best_cost = 1 + (k * maxw + 7) / 8, best_score = 8 * best_cost, nexc = 0;
	for (unsigned b = maxw; b-- > 0;) {
		nexc += hist[b + 1];
		size_t cost = 1 + (k * b + 7) / 8 + 2 + where_bytes(k, nexc) +
		              (nexc * (maxw - b) + 7) / 8;
		if (8 * cost + nexc < best_score)
			best = b, best_cost = cost, best_score = 8 * cost + nexc;
	}
	*size = best_cost;
	return best;
}

size_t tc__chunk_pack(const uint32_t *in, size_t n, unsigned char *out)
{
	if (n == 1)
		return tc_varint_put(out, in[0]);
	size_t hist[33] = {0}, vsize = 1, pfor_size;
	uint32_t all = 0;
	for (size_t i = 0; i < n; i++) {
		hist[in[i] ? 32 - __builtin_clz(in[i]) : 0]++;
		all |= in[i];
		vsize += tc_varint_len(in[i]);
	}
	unsigned maxw = all ? 32 - (unsigned)__builtin_clz(all) : 0;
	unsigned b = pfor_width(hist, maxw, n, &pfor_size);
	unsigned char *o = out;
	if (vsize < pfor_size) {
		*o++ = VCHUNK_TAG;
		for (size_t i = 0; i < n; i++)
			o += tc_varint_put(o, in[i]);
		return (size_t)(o - out);
	}
	*o++ = (unsigned char)(b < maxw ? XPFOR_TAG | b : b);
	o += tc__pack_bits(in, n, b, o);
	if (b == maxw)
		return (size_t)(o - out);
	uint32_t idx[128], high[128];
	size_t nexc = 0;
	for (size_t i = 0; i < n; i++) {
		if (in[i] >> b) {
			idx[nexc] = (uint32_t)i;
			high[nexc++] = in[i] >> b;
		}
	}
	*o++ = (unsigned char)nexc;
	*o++ = (unsigned char)(maxw - b);
	unsigned w = index_width(n);
	if (nexc * w < n) {
		o += tc__pack_bits(idx, nexc, w, o);
	} else {
		size_t bytes = (n + 7) / 8;
		memset(o, 0, bytes);
		for (size_t e = 0; e < nexc; e++)
			o[idx[e] / 8] |= (unsigned char)(1u << (idx[e] % 8));
		o += bytes;
	}
	o += tc__pack_bits(high, nexc, maxw - b, o);
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

/* Value i of the w-bit values packed at q, with 8 bytes readable past the value. */
static inline uint32_t get_bits(const unsigned char *q, size_t i, unsigned w)
{
	uint64_t x;
	memcpy(&x, q + ((i * w) >> 3), 8);
	return (uint32_t)((x >> ((i * w) & 7)) & ((1ull << w) - 1));
}

/*
 * Patches the exceptions of an xpfor chunk of n values at width b into out; q is just
 * after the low bits. Returns the end of the chunk, or NULL when it is bad. Packed
 * indexes must ascend strictly from 0 to below n, each checked before it is used; a
 * map must hold exactly nexc bits below n, checked once for the chunk (then no
 * exception reads a high part past the nexc there are).
 */
static inline const unsigned char *patch_n(const unsigned char *q, const unsigned char *end,
                                           unsigned b, uint32_t *out, size_t n)
{
	if (end - q < 2)
		return NULL;
	size_t nexc = q[0];
	unsigned hb = q[1], w = index_width(n);
	q += 2;
	if (nexc == 0 || nexc > n || hb == 0 || hb > 32 - b)
		return NULL;
	size_t wbytes = where_bytes(n, nexc), bytes = wbytes + (nexc * hb + 7) / 8;
	if ((size_t)(end - q) < bytes)
		return NULL;
	/* the 64-bit loads of get_bits read up to 8 bytes past the data; the map is read
	   as two words, 16 bytes from its start */
	unsigned char pad[16 + 16 * 32 + 8];
	const unsigned char *src = q;
	if ((size_t)(end - q) < bytes + 8 || (size_t)(end - q) < 16) {
		memcpy(pad, q, bytes);
		memset(pad + bytes, 0, bytes < 8 ? 16 - bytes : 8);
		src = pad;
	}
	const unsigned char *highs = src + wbytes;
	if (nexc * w < n) {
		size_t next = 0;  /* the least index allowed */
		for (size_t e = 0; e < nexc; e++) {
			size_t i = get_bits(src, e, w);
			if (i < next || i >= n)
				return NULL;
			next = i + 1;
			out[i] |= get_bits(highs, e, hb) << b;
		}
		return q + bytes;
	}
	/* the map, cut at n after checking that no bit is set at n or beyond in its last
	   byte (the words reach into the high parts) */
	if (n % 8 && src[wbytes - 1] >> (n % 8))
		return NULL;
	uint64_t m[2];
	memcpy(&m[0], src, 8);
	memcpy(&m[1], src + 8, 8);
	if (n < 128) {
		m[n / 64] &= (1ull << (n % 64)) - 1;
		if (n < 64)
			m[1] = 0;
	}
	if (tc_popcount64(m[0]) + tc_popcount64(m[1]) != nexc)
		return NULL;
	size_t e = 0;
	for (size_t word = 0; word < 2; word++)
		for (uint64_t x = m[word]; x; x &= x - 1)
			out[64 * word + (size_t)__builtin_ctzll(x)] |= get_bits(highs, e++, hb) << b;
	return q + bytes;
}

/* The common chunk of 128 apart, so that its index checks and widths are constants. */
static const unsigned char *patch(const unsigned char *q, const unsigned char *end,
                                  unsigned b, uint32_t *out, size_t n)
{
	return n == 128 ? patch_n(q, end, b, out, 128) : patch_n(q, end, b, out, n);
}

/* The width b of a PFor chunk whose first byte is t: 0, or -1 when t is no PFor tag. */
static int pfor_tag(unsigned t, unsigned *b)
{
	*b = t & ~XPFOR_TAG;
	if (t > 32 && (t & XPFOR_TAG) == 0)
		return -1;
	return *b > (t == *b ? 32u : 31u) ? -1 : 0;
}

/* Moves *p past n varints of [*p, end); -1 when they run past end. */
static int skip_varints(const unsigned char **p, const unsigned char *end, size_t n)
{
	const unsigned char *q = *p;
	for (size_t i = 0; i < n; i++) {
		const unsigned char *start = q;
		while (q < end && *q & 0x80 && q - start < 4)
			q++;
		if (q >= end || *q & 0x80)
			return -1;
		q++;
	}
	*p = q;
	return 0;
}

int tc__chunk_skip(const unsigned char **p, const unsigned char *end, size_t n)
{
	const unsigned char *q = *p;
	if (q >= end || n == 0 || n > 128)
		return -1;
	if (n == 1)
		return skip_varints(p, end, 1);
	if (*q == VCHUNK_TAG) {
		*p = q + 1;
		return skip_varints(p, end, n);
	}
	unsigned t = *q++, b;
	if (pfor_tag(t, &b) != 0)
		return -1;
	size_t bytes = (n * b + 7) / 8;
	if (t != b) {  /* the exception list's size, from its two header bytes */
		if ((size_t)(end - q) < bytes + 2)
			return -1;
		size_t nexc = q[bytes];
		unsigned hb = q[bytes + 1];
		if (nexc == 0 || nexc > n || hb == 0 || hb > 32 - b)
			return -1;
		bytes += 2 + where_bytes(n, nexc) + (nexc * hb + 7) / 8;
	}
	if ((size_t)(end - q) < bytes)
		return -1;
	*p = q + bytes;
	return 0;
}

int tc__chunk_unpack(const unsigned char **p, const unsigned char *end, uint32_t *out,
                     size_t n)
{
	const unsigned char *q = *p;
	if (q >= end || n == 0 || n > 128)
		return -1;
	if (n == 1)
		return get_vchunk(p, end, out, 1);
	if (*q == VCHUNK_TAG) {
		*p = q + 1;
		return get_vchunk(p, end, out, n);
	}
	unsigned t = *q++, b;
	if (pfor_tag(t, &b) != 0)
		return -1;
	size_t bytes = (n * b + 7) / 8;
	if ((size_t)(end - q) < bytes)
		return -1;
	unpack_n(q, (size_t)(end - q), b, out, n);
	q += bytes;
	if (t != b && (q = patch(q, end, b, out, n)) == NULL)
		return -1;
	*p = q;
	return 0;
}

size_t tc__pack128(const uint32_t *in, unsigned char *out)
{
	unsigned b = tc__bitwidth(in, 128);
	out[0] = (unsigned char)b;
	return 1 + tc__pack_bits(in, 128, b, out + 1);
}

int tc__unpack128(const unsigned char **p, const unsigned char *end, uint32_t *out)
{
	const unsigned char *q = *p;
	if (q >= end || *q > 32 || (size_t)(end - q - 1) < 16 * (size_t)*q)
		return -1;
	tc__unpack_bits(q + 1, end, *q, out, 128);
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

/* ---- Positions code ----------------------------------------------------------------- */

/*
 * The positions of a block of docs (.pos format 4; postings.c has the grammar): Rice
 * codes. A doc's values (its first position, then the differences) are cut at a width
 * taken from one parameter of the block, beta, and the doc's freq: a word met f times in
 * a field is about len / (f + 1) tokens from the previous meeting, so the width falls by
 * a bit each time f + 1 doubles. The low bits of every value of the block come first,
 * the rest of each value (value >> width) after, in unary. The reader knows every
 * width from the freqs alone, so it steps over the docs it does not want with a sum
 * over their freqs and a count of ones, without decoding them; where one PFor width per
 * 128 values paid for the largest of them (first positions and rare far gaps), each
 * value here costs about log2 of its doc's typical gap plus 1.5 bits.
 */

/* 8 bytes at q, little-endian, those at or after end read as 0. */
static inline uint64_t load_le64(const unsigned char *q, const unsigned char *end)
{
	uint64_t v = 0;
	if (end - q >= 8)
		return tc__get_u64(q);
	for (unsigned i = 0; q + i < end; i++)
		v |= (uint64_t)q[i] << (8 * i);
	return v;
}

/* Bits of the area [a, end) from bit t on (at least 57 of them, fewer at its end), and
   how many of those are the area's. */
static inline uint64_t bit_window(const unsigned char *a, const unsigned char *end,
                                  uint64_t t, unsigned *avail)
{
	const unsigned char *q = a + (t >> 3);
	size_t left = (size_t)(end - q);
	*avail = (left >= 8 ? 64 : 8 * (unsigned)left) - (unsigned)(t & 7);
	return load_le64(q, end) >> (t & 7);
}

/*
 * A bit writer into room reserved beforehand: bits gather in a 64-bit word and go out
 * four bytes at a time (little-endian, the first bit in bit 0 of the first byte).
 */
typedef struct bitw {
	unsigned char *o;
	uint64_t acc;
	unsigned n;  /* bits in acc, below 32 between calls */
} bitw;

static inline void bw_put(bitw *w, uint64_t v, unsigned bits)  /* bits <= 32 */
{
	w->acc |= v << w->n;
	w->n += bits;
	if (w->n >= 32) {
		tc__put_u32(w->o, (uint32_t)w->acc);
		w->o += 4;
		w->acc >>= 32;
		w->n -= 32;
	}
}

static void bw_unary(bitw *w, uint64_t q)  /* q zeros, then a one */
{
	for (; q >= 32; q -= 32)
		bw_put(w, 0, 32);
	bw_put(w, 1ull << q, (unsigned)q + 1);
}

static void bw_flush(bitw *w)  /* the bits left, to the byte */
{
	for (; w->n > 0; w->n = w->n > 8 ? w->n - 8 : 0) {
		*w->o++ = (unsigned char)w->acc;
		w->acc >>= 8;
	}
	w->acc = 0;
}

/* Bits of the block's values vals (doc after doc, freq[j] each) at parameters beta - 1,
   beta and beta + 1 (cost[0..2]), in one pass. */
static void block_bits3(const uint32_t *vals, const uint32_t *freq, uint32_t k,
                        unsigned beta, uint64_t cost[3])
{
	cost[0] = cost[1] = cost[2] = 0;
	for (uint32_t j = 0; j < k; vals += freq[j], j++) {
		unsigned w[3];
		for (int d = 0; d < 3; d++)
			w[d] = tc__pos_width(freq[j], beta + (unsigned)d - 1);
		for (int d = 0; d < 3; d++)
			cost[d] += (uint64_t)freq[j] * (1 + w[d]);
		for (uint32_t i = 0; i < freq[j]; i++) {
			cost[0] += vals[i] >> w[0];
			cost[1] += vals[i] >> w[1];
			cost[2] += vals[i] >> w[2];
		}
	}
}

/* The parameter that makes the block smallest: from an estimate by the mean value, on
   to a neighbour while it is smaller (the size falls, then rises, as beta grows). */
static unsigned choose_beta(const uint32_t *vals, const uint32_t *freq, uint32_t k,
                            uint64_t n, uint64_t sum)
{
	unsigned beta = 64 - (unsigned)__builtin_clzll(sum / n | 1) + 1;  /* >= 2 */
	if (beta > TC_POS_BETA_MAX - 1)
		beta = TC_POS_BETA_MAX - 1;
	for (int last = 0;;) {
		uint64_t c[3];
		block_bits3(vals, freq, k, beta, c);
		int step = c[0] < c[1] && last <= 0 && beta > 1 ? -1
		         : c[2] < c[1] && last >= 0 && beta < TC_POS_BETA_MAX - 1 ? 1 : 0;
		if (step == 0)
			return c[0] < c[1] && beta == 1 ? 0 : c[2] < c[1] ? beta + 1 : beta;
		beta = (unsigned)((int)beta + step);
		last = step;
	}
}

void tc__pos_pack(tc_buf *out, const uint32_t *pos, const uint32_t *freq, uint32_t k,
                  tc_buf *scratch)
{
	uint64_t n = 0, sum = 0;
	for (uint32_t j = 0; j < k; j++)
		n += freq[j];
	scratch->len = 0;
	tc_buf_reserve(scratch, n * sizeof(uint32_t));
	uint32_t *vals = (uint32_t *)(void *)scratch->data;
	const uint32_t *p = pos;
	uint64_t at = 0;
	for (uint32_t j = 0; j < k; p += freq[j], j++)
		for (uint32_t i = 0; i < freq[j]; i++) {
			vals[at] = i ? p[i] - p[i - 1] : p[0];
			sum += vals[at++];
		}
	unsigned beta = choose_beta(vals, freq, k, n, sum);
	/* the low parts' bits, and the high parts': a 1 and value >> width 0s each */
	uint64_t low = 0, high = n;
	const uint32_t *v = vals;
	for (uint32_t j = 0; j < k; v += freq[j], j++) {
		unsigned b = tc__pos_width(freq[j], beta);
		low += (uint64_t)freq[j] * b;
		for (uint32_t i = 0; i < freq[j]; i++)
			high += v[i] >> b;
	}
	tc_buf_putc(out, (char)beta);
	tc_buf_put_varint(out, (low + 7) / 8);
	/* room for both parts and the writer's last four-byte store */
	tc_buf_reserve(out, (low + 7) / 8 + (high + 7) / 8 + 8);
	bitw w = {(unsigned char *)out->data + out->len, 0, 0};
	v = vals;
	for (uint32_t j = 0; j < k; v += freq[j], j++) {
		unsigned b = tc__pos_width(freq[j], beta);
		for (uint32_t i = 0; i < freq[j]; i++)
			bw_put(&w, v[i] & (uint32_t)((1ull << b) - 1), b);
	}
	bw_flush(&w);
	v = vals;
	for (uint32_t j = 0; j < k; v += freq[j], j++) {
		unsigned b = tc__pos_width(freq[j], beta);
		for (uint32_t i = 0; i < freq[j]; i++)
			bw_unary(&w, v[i] >> b);
	}
	bw_flush(&w);
	out->len = (size_t)(w.o - (unsigned char *)out->data);
}

/* Moves *t past n ones of the area [a, end); -1 when it holds fewer. */
static int skip_ones(const unsigned char *a, const unsigned char *end, uint64_t *t,
                     uint64_t n)
{
	uint64_t bit = *t;
	while (n > 0) {
		if ((bit >> 3) >= (uint64_t)(end - a))
			return -1;
		unsigned avail;
		uint64_t x = bit_window(a, end, bit, &avail);
		unsigned ones = tc_popcount64(x);
		if (ones < n) {
			n -= ones;
			bit += avail;
			continue;
		}
		for (; n > 1; n--)
			x &= x - 1;
		bit += (unsigned)__builtin_ctzll(x) + 1;
		n = 0;
	}
	*t = bit;
	return 0;
}

int tc__pos_open(tc__posblk *b, const unsigned char *p, const unsigned char *end)
{
	uint64_t lb;
	if (p >= end || *p > TC_POS_BETA_MAX)
		return -1;
	b->beta = *p++;
	if (tc_varint_get(&p, end, &lb) != 0 || lb > (uint64_t)(end - p))
		return -1;
	for (uint32_t m = 0; m < TC_POS_WIDTHS; m++)
		b->width[m] = (uint8_t)tc__pos_width(m + 1, b->beta);
	b->lo = p;
	b->hi = p + lb;
	b->end = end;
	b->lbit = b->hbit = 0;
	return 0;
}

int tc__pos_skip(tc__posblk *b, const uint32_t *fm1, uint32_t n)
{
	/* the usual freqs' widths come from the block's table */
	uint64_t bits = 0, count = 0;
	for (uint32_t j = 0; j < n; j++) {
		uint32_t m = fm1[j];
		unsigned w = m < TC_POS_WIDTHS ? b->width[m]
		                               : tc__pos_width(m == UINT32_MAX ? m : m + 1, b->beta);
		bits += ((uint64_t)m + 1) * w;
		count += (uint64_t)m + 1;
	}
	if (skip_ones(b->hi, b->end, &b->hbit, count) != 0)
		return -1;
	b->lbit += bits;
	return 0;
}

int tc__pos_decode(tc__posblk *b, uint32_t freq, uint32_t *out)
{
	unsigned w = tc__pos_width(freq, b->beta);
	uint64_t mask = (1ull << w) - 1, p = 0;
	if (b->lbit + (uint64_t)freq * w > 8 * (uint64_t)(b->hi - b->lo))
		return -1;
	/* the high parts through a window of the bits not yet read: havail of them are in
	   hw, those above are not (hw reads 0 there), so an empty hw is refilled */
	uint64_t hbit = b->hbit, hbytes = (uint64_t)(b->end - b->hi);
	if ((hbit >> 3) >= hbytes)
		return -1;
	unsigned havail;
	uint64_t hw = bit_window(b->hi, b->end, hbit, &havail);
	for (uint32_t i = 0; i < freq; i++) {
		/* within the low parts (checked above), and the 8 bytes from there readable */
		uint64_t v = tc__get_u64(b->lo + (b->lbit >> 3)) >> (b->lbit & 7) & mask, q = 0;
		b->lbit += w;
		while (hw == 0) {
			q += havail;
			hbit += havail;
			if ((hbit >> 3) >= hbytes || q >> 32)
				return -1;
			hw = bit_window(b->hi, b->end, hbit, &havail);
		}
		unsigned z = (unsigned)__builtin_ctzll(hw);
		q += z;
		hbit += z + 1;
		havail -= z + 1;
		hw = z < 63 ? hw >> (z + 1) : 0;
		p += v | q << w;
		if (q >> 32 || p > UINT32_MAX)
			return -1;
		out[i] = (uint32_t)p;
	}
	b->hbit = hbit;
	return 0;
}

uint64_t tc__pos_room(const tc__posblk *b)
{
	uint64_t bits = 8 * (uint64_t)(b->end - b->hi);
	return bits > b->hbit ? bits - b->hbit : 0;
}

const unsigned char *tc__pos_block_end(const tc__posblk *b)
{
	return b->hi + (b->hbit + 7) / 8;
}
