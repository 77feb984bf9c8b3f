/*
 * test_storage_codec.c — the postings codec on its edges: chunks of every length with
 * extreme values, truncated and random input (bounds-safety, run under ASan); every
 * chunk form at every width, with exceptions at the first, the last and every value,
 * written from the grammar independently of the encoder; chunks that break the grammar
 * (widths, counts, exception positions, values past 2^32-1); files of the previous
 * format versions refused; and whole posting lists with doc ids and positions near 2^32
 * (gaps of 2^31, 128/129/256 docs) written by the postings writer and read back by the
 * iterator.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/mem.h"
#include "storage/storage_int.h"

static uint64_t rng_state = 88172645463325252ull;

static uint32_t rnd32(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 11);
}

/* Fills v[0..n) with a pattern. */
static void pattern(uint32_t *v, size_t n, int kind)
{
	for (size_t i = 0; i < n; i++) {
		switch (kind) {
		case 0: v[i] = 0; break;
		case 1: v[i] = UINT32_MAX; break;
		case 2: v[i] = (uint32_t)i; break;
		case 3: v[i] = 1u << (i % 32); break;
		case 4: v[i] = i % 17 == 3 ? 0x80000000u : rnd32() % 4; break;  /* exceptions */
		case 5: v[i] = rnd32(); break;
		case 6: v[i] = rnd32() >> (rnd32() % 32); break;
		case 7: v[i] = i == n - 1 ? UINT32_MAX : 1; break;              /* one outlier */
		default: v[i] = 0x7fffffffu; break;
		}
	}
}

static void test_chunk_roundtrip(void **state)
{
	(void)state;
	static const size_t lens[] = {1, 2, 3, 7, 8, 31, 64, 100, 127, 128};
	for (size_t li = 0; li < sizeof lens / sizeof *lens; li++) {
		for (int kind = 0; kind <= 8; kind++) {
			for (int rep = 0; rep < 4; rep++) {
				size_t n = lens[li];
				uint32_t in[128], out[128];
				unsigned char enc[TC_CHUNK_MAX];
				pattern(in, n, kind);
				size_t len = tc__chunk_pack(in, n, enc);
				assert_true(len >= 1 && len <= TC_CHUNK_MAX);
				/* exact-size copy: an overread is an ASan error */
				unsigned char *buf = tc_malloc(len);
				memcpy(buf, enc, len);
				const unsigned char *p = buf;
				assert_int_equal(tc__chunk_unpack(&p, buf + len, out, n), 0);
				assert_ptr_equal(p, buf + len);
				assert_memory_equal(in, out, n * sizeof *in);
				/* skipping the chunk lands where decoding it does */
				p = buf;
				assert_int_equal(tc__chunk_skip(&p, buf + len, n), 0);
				assert_ptr_equal(p, buf + len);
				/* every truncation fails cleanly, decoded or skipped */
				for (size_t cut = 0; cut < len; cut++) {
					p = buf;
					assert_int_equal(tc__chunk_unpack(&p, buf + cut, out, n), -1);
					p = buf;
					assert_int_equal(tc__chunk_skip(&p, buf + cut, n), -1);
				}
				free(buf);
			}
		}
	}
}

static void test_ints_roundtrip(void **state)
{
	(void)state;
	static const size_t lens[] = {0, 1, 127, 128, 129, 255, 256, 257, 1000, 4099};
	for (size_t li = 0; li < sizeof lens / sizeof *lens; li++) {
		size_t n = lens[li];
		uint32_t *in = tc_malloc((n + 1) * sizeof *in), *out = tc_malloc((n + 1) * sizeof *out);
		pattern(in, n, 6);
		tc_buf b = {0};
		tc__put_ints(&b, in, n);
		unsigned char *buf = tc_malloc(b.len + 1);
		memcpy(buf, b.data ? b.data : "", b.len);
		const unsigned char *p = buf;
		assert_int_equal(tc__get_ints(&p, buf + b.len, out, n), 0);
		assert_ptr_equal(p, buf + b.len);
		assert_memory_equal(in, out, n * sizeof *in);
		if (b.len > 0) {
			p = buf;
			assert_int_equal(tc__get_ints(&p, buf + b.len - 1, out, n), -1);
		}
		free(buf);
		tc_buf_free(&b);
		free(in);
		free(out);
	}
}

/* Random bytes decode or fail, never overread (ASan) and never loop. */
static void test_chunk_garbage(void **state)
{
	(void)state;
	for (int rep = 0; rep < 20000; rep++) {
		size_t len = 1 + rnd32() % 80;
		unsigned char *buf = tc_malloc(len);
		for (size_t i = 0; i < len; i++)
			buf[i] = (unsigned char)rnd32();
		if (rep % 3 == 0)
			buf[0] = (unsigned char)(rnd32() % 40);  /* plausible widths */
		uint32_t out[128];
		const unsigned char *p = buf;
		size_t n = 1 + rnd32() % 128;
		if (tc__chunk_unpack(&p, buf + len, out, n) == 0)
			assert_true(p > buf && p <= buf + len);
		free(buf);
	}
}

/* ---- the chunk forms against the grammar, written here independently of the encoder ---- */

typedef struct bitw {
	unsigned char *o;
	size_t bit;
} bitw;

static void put_bits(bitw *w, uint32_t v, unsigned width)
{
	for (unsigned i = 0; i < width; i++, w->bit++)
		if (v >> i & 1)
			w->o[w->bit / 8] |= (unsigned char)(1u << (w->bit % 8));
}

static unsigned ceil_log2(size_t k)
{
	unsigned w = 0;
	while (((size_t)1 << w) < k)
		w++;
	return w;
}

/*
 * xpfor(k) by the grammar of codec.c: the values of v wider than b are exceptions, the
 * positions packed or mapped as the grammar says (or as force_map says: 1 map, 0
 * packed; only for hostile cases). Returns the size.
 */
static size_t ref_xpfor(const uint32_t *v, size_t k, unsigned b, int force_map,
                        unsigned char *o)
{
	memset(o, 0, TC_CHUNK_MAX + 1024);
	o[0] = (unsigned char)(0x40 | b);
	bitw w = {o + 1, 0};
	uint32_t maxhi = 0;
	size_t nexc = 0;
	for (size_t i = 0; i < k; i++) {
		put_bits(&w, v[i], b);
		if (v[i] >> b) {
			nexc++;
			maxhi |= v[i] >> b;
		}
	}
	size_t at = 1 + (w.bit + 7) / 8;
	unsigned hb = ceil_log2((size_t)maxhi + 1), iw = ceil_log2(k);
	o[at++] = (unsigned char)nexc;
	o[at++] = (unsigned char)hb;
	int map = force_map >= 0 ? force_map : nexc * iw >= k;
	w = (bitw){o + at, 0};
	for (size_t i = 0; i < k; i++) {
		if (!(v[i] >> b))
			continue;
		if (map)
			w.o[i / 8] |= (unsigned char)(1u << (i % 8));
		else
			put_bits(&w, (uint32_t)i, iw);
	}
	at += map ? (k + 7) / 8 : (w.bit + 7) / 8;
	w = (bitw){o + at, 0};
	for (size_t i = 0; i < k; i++)
		if (v[i] >> b)
			put_bits(&w, v[i] >> b, hb);
	return at + (w.bit + 7) / 8;
}

/* Decodes buf[0..len) as chunk(k) from an exact-size copy (an overread is an ASan error). */
static int decode_exact(const unsigned char *buf, size_t len, uint32_t *out, size_t k,
                        size_t *used)
{
	unsigned char *copy = tc_malloc(len ? len : 1);
	memcpy(copy, buf, len);
	const unsigned char *p = copy;
	int rc = tc__chunk_unpack(&p, copy + len, out, k);
	*used = (size_t)(p - copy);
	if (rc == 0) {  /* a chunk that decodes is skipped to the same end */
		const unsigned char *s = copy;
		assert_int_equal(tc__chunk_skip(&s, copy + len, k), 0);
		assert_ptr_equal(s, p);
	}
	free(copy);
	return rc;
}

/* Values of v[0..k) of exactly `low` bits, except those at the exception indexes. */
static void fill_exc(uint32_t *v, size_t k, unsigned low, unsigned wide, int where)
{
	for (size_t i = 0; i < k; i++) {
		uint32_t r = rnd32();
		v[i] = low ? (r & (uint32_t)((1ull << low) - 1)) | 1u << (low - 1) : 0;
		int exc;
		switch (where) {
		case 0: exc = i == 0; break;
		case 1: exc = i == k - 1; break;
		case 2: exc = 1; break;                  /* all of them */
		case 3: exc = i % 3 == 1; break;
		default: exc = i == 0 || i == k - 1; break;
		}
		if (exc)
			v[i] = (uint32_t)(((uint64_t)1 << (wide - 1)) | (r & (uint32_t)((1ull << (wide - 1)) - 1)));
	}
}

static void test_chunk_forms(void **state)
{
	(void)state;
	static const size_t lens[] = {2, 3, 7, 8, 9, 17, 63, 64, 65, 100, 127, 128};
	unsigned char enc[TC_CHUNK_MAX + 1024];
	uint32_t v[128], out[128];
	size_t used;
	/* every width, no exceptions: the encoder writes pfor(k) with b = the width */
	for (size_t li = 0; li < sizeof lens / sizeof *lens; li++) {
		size_t k = lens[li];
		for (unsigned b = 0; b <= 32; b++) {
			for (size_t i = 0; i < k; i++)
				v[i] = b ? (uint32_t)(((uint64_t)1 << (b - 1)) | (rnd32() & (uint32_t)((1ull << (b - 1)) - 1))) : 0;
			size_t len = tc__chunk_pack(v, k, enc);
			assert_true(len <= TC_CHUNK_MAX);
			assert_true(enc[0] == b || enc[0] == 0xFF);  /* varints when smaller */
			assert_int_equal(decode_exact(enc, len, out, k, &used), 0);
			assert_int_equal(used, len);
			assert_memory_equal(v, out, k * sizeof *v);
		}
	}
	/* every low width with exceptions at 0, at k-1, at both ends, every third, at every
	   value: written by the grammar and read back, in both layouts of the positions */
	size_t nx = 0, nmap = 0;
	for (size_t li = 0; li < sizeof lens / sizeof *lens; li++) {
		size_t k = lens[li];
		for (unsigned b = 0; b <= 31; b++) {
			for (int where = 0; where <= 4; where++) {
				unsigned wide = b + 1 + rnd32() % (32 - b);
				fill_exc(v, k, b, wide, where);
				size_t len = ref_xpfor(v, k, b, -1, enc);
				assert_int_equal(decode_exact(enc, len, out, k, &used), 0);
				assert_int_equal(used, len);
				assert_memory_equal(v, out, k * sizeof *v);
				nx++;
				nmap += enc[1 + (k * b + 7) / 8] * ceil_log2(k) >= k;
				/* every truncation fails cleanly */
				for (size_t cut = 0; cut < len; cut++)
					assert_int_equal(decode_exact(enc, cut, out, k, &used), -1);
				/* what the encoder writes for the same values reads back, and is no
				   bigger, but for the bit it adds to each exception when it chooses */
				size_t nexc = enc[1 + (k * b + 7) / 8];
				size_t len2 = tc__chunk_pack(v, k, enc);
				assert_true(8 * len2 <= 8 * len + nexc);
				assert_int_equal(decode_exact(enc, len2, out, k, &used), 0);
				assert_int_equal(used, len2);
				assert_memory_equal(v, out, k * sizeof *v);
			}
		}
	}
	assert_true(nmap > 0 && nmap < nx);  /* both layouts of the positions were read */
	/* the encoder uses exceptions where they pay: 120 small values and 8 wide ones */
	for (size_t i = 0; i < 128; i++)
		v[i] = i % 16 == 5 ? 0xABCDEFu + (uint32_t)i : (uint32_t)i % 4;
	size_t len = tc__chunk_pack(v, 128, enc);
	assert_int_equal(enc[0], 0x40 | 2);
	assert_int_equal(decode_exact(enc, len, out, 128, &used), 0);
	assert_memory_equal(v, out, sizeof v);
	/* a chunk of one value is a bare varint */
	static const uint32_t ones[] = {0, 1, 127, 128, 16383, 16384, UINT32_MAX};
	for (size_t i = 0; i < sizeof ones / sizeof *ones; i++) {
		len = tc__chunk_pack(&ones[i], 1, enc);
		unsigned char want[8];
		tc_buf b = {0};
		tc_buf_put_varint(&b, ones[i]);
		assert_int_equal(len, b.len);
		memcpy(want, b.data, b.len);
		assert_memory_equal(enc, want, len);
		tc_buf_free(&b);
		assert_int_equal(decode_exact(enc, len, out, 1, &used), 0);
		assert_int_equal(out[0], ones[i]);
	}
}

/*
 * The decoder reads in place while its loads stay before the end it is given, and from
 * a copy of the last bytes when they would not: every chunk form decodes the same
 * with 0 to 40 bytes of garbage after it (the next chunk, in a file), for every length
 * (partial groups of 8), width and layout of the exceptions (map or packed, with the
 * map's last word reaching into the high parts, or past the end).
 */
static void test_chunk_slack(void **state)
{
	(void)state;
	static const size_t lens[] = {2, 5, 8, 9, 15, 31, 63, 64, 65, 100, 120, 127, 128};
	unsigned char enc[TC_CHUNK_MAX + 1024];
	uint32_t v[128], out[128];
	size_t nx = 0, nmap = 0;
	for (size_t li = 0; li < sizeof lens / sizeof *lens; li++) {
		size_t k = lens[li];
		for (unsigned b = 0; b <= 31; b += 1 + b / 8) {
			for (int where = 0; where <= 5; where++) {
				size_t len;
				if (where == 5) {  /* no exceptions: pfor(k) or varints */
					fill_exc(v, k, b, b ? b : 1, 0);
					len = tc__chunk_pack(v, k, enc);
				} else {
					fill_exc(v, k, b, b + 1 + rnd32() % (32 - b), where);
					len = ref_xpfor(v, k, b, -1, enc);
					nx++;
					nmap += enc[1 + (k * b + 7) / 8] * ceil_log2(k) >= k;
				}
				for (size_t slack = 0; slack <= 40; slack += 1 + slack / 8) {
					unsigned char *buf = tc_malloc(len + slack);
					memcpy(buf, enc, len);
					for (size_t i = 0; i < slack; i++)
						buf[len + i] = (unsigned char)rnd32();
					const unsigned char *p = buf;
					memset(out, 0xAB, sizeof out);
					assert_int_equal(tc__chunk_unpack(&p, buf + len + slack, out, k), 0);
					assert_ptr_equal(p, buf + len);
					assert_memory_equal(v, out, k * sizeof *v);
					if (k < 128)  /* nothing written past the k values */
						assert_int_equal(out[k], 0xABABABABu);
					free(buf);
				}
			}
		}
	}
	assert_true(nmap > 0 && nmap < nx);
}

/* Chunks that break the grammar are refused, each for its own reason. */
static void test_chunk_hostile(void **state)
{
	(void)state;
	unsigned char enc[TC_CHUNK_MAX + 1024];
	uint32_t v[128], out[128];
	size_t used;
	/* a valid xpfor(128), b = 3, exceptions at 10 and 100 (packed: 2 * 7 bits < 128) */
	for (size_t i = 0; i < 128; i++)
		v[i] = (uint32_t)i % 8;
	v[10] = 1000;
	v[100] = 77;
	size_t len = ref_xpfor(v, 128, 3, -1, enc);  /* nexc at 49, hb 50, positions 51 */
	assert_int_equal(decode_exact(enc, len, out, 128, &used), 0);
	assert_int_equal(out[10], 1000);
	unsigned char bad[TC_CHUNK_MAX + 1024];
	static const struct {
		const char *why;
		size_t off;
		unsigned char byte;
	} cases[] = {
		{"width 33", 0, 33},
		{"width 63 (an unused tag)", 0, 63},
		{"exceptions at width 32", 0, 0x40 | 32},
		{"a tag above the forms", 0, 0x80},
		{"no exceptions", 49, 0},
		{"more exceptions than values", 49, 129},
		{"high part of 0 bits", 50, 0},
		{"high part past 32 bits", 50, 30},
		{"first index 127, second 100: out of order", 51, 0x7f},
	};
	for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
		memcpy(bad, enc, len);
		bad[cases[c].off] = cases[c].byte;
		if (decode_exact(bad, len, out, 128, &used) != -1)
			fail_msg("accepted: %s", cases[c].why);
	}
	/* an index at k or beyond: exceptions at 10 and 99 of 100, the second made 127 */
	v[99] = 77;
	len = ref_xpfor(v, 100, 3, -1, enc);
	size_t pos = 1 + 38 + 2;
	assert_int_equal(decode_exact(enc, len, out, 100, &used), 0);
	memcpy(bad, enc, len);
	bad[pos] |= 0x80;
	bad[pos + 1] |= 0x3F;
	assert_int_equal(decode_exact(bad, len, out, 100, &used), -1);
	/* the positions as a map where the grammar says packed: the reader takes the map's
	   first bytes for the packed indexes (0 and 8 here) and stops short of the end */
	len = ref_xpfor(v, 100, 3, 1, enc);
	assert_int_equal(decode_exact(enc, len, out, 100, &used), 0);
	assert_true(used < len);
	/* the map layout: a bit past k, a count that differs from the bits */
	for (size_t i = 0; i < 128; i++)
		v[i] = i % 2 ? 9 : 1;  /* every other value an exception at b = 1 */
	len = ref_xpfor(v, 100, 1, -1, enc);
	size_t map = 1 + 13 + 2;
	assert_int_equal(enc[1 + 13], 50);
	assert_int_equal(decode_exact(enc, len, out, 100, &used), 0);
	memcpy(bad, enc, len);
	bad[map + 12] |= 0x10;  /* bit 100 */
	assert_int_equal(decode_exact(bad, len, out, 100, &used), -1);
	memcpy(bad, enc, len);
	bad[1 + 13] = 49;
	assert_int_equal(decode_exact(bad, len, out, 100, &used), -1);
	memcpy(bad, enc, len);
	bad[1 + 13] = 51;
	assert_int_equal(decode_exact(bad, len, out, 100, &used), -1);
	/* values above 2^32-1: in a varint chunk and as a bare varint */
	static const unsigned char big_v[] = {0xFF, 0x80, 0x80, 0x80, 0x80, 0x10, 0x00};
	assert_int_equal(decode_exact(big_v, sizeof big_v, out, 2, &used), -1);
	assert_int_equal(decode_exact(big_v + 1, 5, out, 1, &used), -1);
	static const unsigned char max_v[] = {0xFF, 0xFF, 0xFF, 0xFF, 0x0F};
	assert_int_equal(decode_exact(max_v, sizeof max_v, out, 1, &used), 0);
	assert_int_equal(out[0], UINT32_MAX);
}

/* Files whose content the codec changed are refused from an older build, as a version. */
static void test_old_versions(void **state)
{
	(void)state;
	static const struct {
		const char *name, *magic;
		uint32_t old;
	} cases[] = {
		{"0000000000000001.pst", TC_MAGIC_POSTINGS, 1},
		{"0000000000000001.pos", TC_MAGIC_POSITIONS, 1},
		{"0000000000000001.pos", TC_MAGIC_POSITIONS, 3},  /* positions as PFor chunks */
		{"0000000000000001.pst", TC_MAGIC_POSTINGS, 3},   /* exact freqs as differences */
		{"0000000000000001.num", TC_MAGIC_NUMERIC, 2},
	};
	char dir[64];
	snprintf(dir, sizeof dir, "/tmp/tc_codec_XXXXXX");
	assert_non_null(mkdtemp(dir));
	for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
		tc__wfile w;
		tc_error e = {0};
		assert_int_equal(tc__wfile_open(&w, dir, cases[c].name, cases[c].magic, &e), TC_OK);
		tc__wfile_u32(&w, 12345);
		assert_int_equal(tc__wfile_close(&w, &e), TC_OK);
		tc__rfile f;
		assert_int_equal(tc__rfile_open(&f, dir, cases[c].name, cases[c].magic, 1, &e), TC_OK);
		tc__rfile_close(&f);
		/* the same bytes with the older version and a checksum that holds */
		char path[128];
		snprintf(path, sizeof path, "%s/%s", dir, cases[c].name);
		FILE *fp = fopen(path, "r+b");
		assert_non_null(fp);
		unsigned char d[64];
		size_t len = fread(d, 1, sizeof d, fp);
		assert_int_equal(len, 8 + 4 + 16);
		tc__put_u32(d + 4, cases[c].old);
		tc__put_u64(d + len - 8, tc_hash64(d, len - 8));
		rewind(fp);
		assert_int_equal(fwrite(d, 1, len, fp), len);
		fclose(fp);
		assert_int_equal(tc__rfile_open(&f, dir, cases[c].name, cases[c].magic, 0, &e),
		                 TC_EVERSION);
		assert_non_null(strstr(e.msg, cases[c].name));
		assert_non_null(strstr(e.msg, "rebuild"));
		unlink(path);
	}
	rmdir(dir);
}

/* ---- the positions code of one block ---- */

/* A block of k docs: freqs and ascending positions (equal ones allowed) of a shape. */
static uint32_t pos_block(int shape, uint32_t k, uint32_t *freq, uint32_t *pos)
{
	uint32_t n = 0;
	for (uint32_t j = 0; j < k; j++) {
		uint32_t f = shape == 0 ? 1 : shape == 3 && j == k / 2 ? 3000 : 1 + rnd32() % 9;
		uint32_t p = 0, len = shape == 1 ? 1 + rnd32() % 40 : 1 + rnd32() % 5000;
		freq[j] = f;
		for (uint32_t i = 0; i < f; i++) {
			switch (shape) {
			case 2: p = i ? p + (rnd32() % 4 == 0 ? 0 : 1) : rnd32() % 3; break;  /* runs */
			case 4: p = i ? (uint32_t)(UINT32_MAX - (f - 1 - i)) : rnd32(); break;  /* huge */
			default: p += rnd32() % (len / f + 1); break;
			}
			pos[n++] = p;
		}
	}
	return n;
}

/*
 * Blocks of every shape read back doc by doc, stepping over random runs of docs; a block
 * cut short anywhere, or with a parameter out of range, fails cleanly (never reads past
 * what it was given, plus the 8 readable bytes the reader may look at).
 */
static void test_positions_code(void **state)
{
	(void)state;
	enum { MAXN = 128 * 3000 };
	uint32_t freq[128], *pos = tc_malloc(MAXN * sizeof *pos), *out = tc_malloc(4096 * 4);
	tc_buf b = {0}, scratch = {0};
	for (int shape = 0; shape <= 4; shape++) {
		for (int rep = 0; rep < 20; rep++) {
			uint32_t k = rep == 0 ? 1 : 1 + rnd32() % 128;
			pos_block(shape, k, freq, pos);
			b.len = 0;
			tc__pos_pack(&b, pos, freq, k, &scratch);
			tc_buf_reserve(&b, 8);  /* the readable bytes after the end */
			uint32_t fm1[128];
			for (uint32_t j = 0; j < k; j++)
				fm1[j] = freq[j] - 1;
			const unsigned char *start = (const unsigned char *)b.data;
			tc__posblk pb;
			assert_int_equal(tc__pos_open(&pb, start, start + b.len), 0);
			uint64_t total = 0;
			for (uint32_t j = 0; j < k; j++)
				total += freq[j];
			assert_true(tc__pos_room(&pb) >= total);  /* and bounded by the bytes: */
			assert_true(tc__pos_room(&pb) <= 8 * (uint64_t)b.len);
			uint32_t at = 0, next = 0;
			for (uint32_t j = 0; j < k; at += freq[j], j++) {
				if (rnd32() % 3 == 0)
					continue;  /* stepped over, below */
				assert_int_equal(tc__pos_skip(&pb, fm1 + next, j - next), 0);
				assert_int_equal(tc__pos_decode(&pb, freq[j], out), 0);
				assert_memory_equal(out, pos + at, freq[j] * sizeof *out);
				next = j + 1;
			}
			if (next == k)
				assert_ptr_equal(tc__pos_block_end(&pb), start + b.len);
			/* cut short: whatever is read of it fails or reads what was written */
			for (size_t cut = 0; cut < b.len; cut += 1 + b.len / 50) {
				unsigned char *c = tc_malloc(cut + 8);
				memcpy(c, start, cut);
				memset(c + cut, 0xff, 8);
				int ok = tc__pos_open(&pb, c, c + cut) == 0;
				for (uint32_t j = 0, a = 0; ok && j < k; a += freq[j], j++) {
					if (tc__pos_decode(&pb, freq[j], out) != 0)
						break;
					assert_memory_equal(out, pos + a, freq[j] * sizeof *out);
				}
				free(c);
			}
		}
	}
	/* a parameter beyond the widest values, and a low parts' length beyond the block */
	static const unsigned char bad[][4] = {{34, 0, 0, 0}, {255, 0, 0, 0}, {5, 9, 0, 0}};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		unsigned char c[4 + 8] = {0};
		memcpy(c, bad[i], 4);
		tc__posblk pb;
		assert_int_equal(tc__pos_open(&pb, c, c + 4), -1);
	}
	tc_buf_free(&b);
	tc_buf_free(&scratch);
	free(pos);
	free(out);
}

/* ---- whole posting lists with extreme doc ids, through writer and iterator ---- */

typedef struct plist {
	uint32_t n;
	uint32_t *docs, *freqs;
	uint32_t **pos;
} plist;

static char tmpdir[64];

static void plist_make(plist *l, int kind)
{
	memset(l, 0, sizeof *l);
	uint32_t n;
	switch (kind) {
	case 0: n = 1; break;
	case 1: n = 1; break;
	case 2: n = 3; break;
	case 3: n = 128; break;
	case 4: n = 129; break;
	case 5: n = 256; break;
	case 6: n = 257; break;
	default: n = 1000; break;
	}
	l->n = n;
	l->docs = tc_malloc(n * sizeof *l->docs);
	l->freqs = tc_malloc(n * sizeof *l->freqs);
	l->pos = tc_calloc(n, sizeof *l->pos);
	for (uint32_t i = 0; i < n; i++) {
		switch (kind) {
		case 0: l->docs[i] = 0; break;
		case 1: l->docs[i] = UINT32_MAX - 2; break;                    /* the largest id */
		case 2: l->docs[i] = i * 0x80000000u - (i == 2 ? 3 : 0); break; /* gaps of 2^31 */
		case 5: l->docs[i] = i * (1u << 24); break;                    /* 24-bit gaps */
		case 6: l->docs[i] = i == 256 ? UINT32_MAX - 2 : i; break;     /* a huge last gap */
		default: l->docs[i] = i * 3 + (i > 500 ? 1000000 : 0); break;
		}
		uint32_t f = kind == 7 && i == 5 ? 3000 : 1 + rnd32() % 4;
		l->freqs[i] = f;
		l->pos[i] = tc_malloc(f * sizeof **l->pos);
		for (uint32_t k = 0; k < f; k++) {
			/* positions up to 2^32-1, and repeated ones */
			l->pos[i][k] = kind == 2 ? (k ? UINT32_MAX - (f - 1 - k) : 0x80000000u)
			                         : k * 1000 + (k % 3 == 2 ? 0 : 1);
			if (k > 0 && l->pos[i][k] < l->pos[i][k - 1])
				l->pos[i][k] = l->pos[i][k - 1];
		}
	}
}

static void plist_free(plist *l)
{
	for (uint32_t i = 0; i < l->n; i++)
		free(l->pos[i]);
	free(l->pos);
	free(l->docs);
	free(l->freqs);
}

static void test_postings_extremes(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/tc_codec_XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	enum { NL = 8 };
	plist l[NL];
	tc_term_info ti[NL * 2];
	tc__pw w;
	tc_error e = {0};
	assert_int_equal(tc__pw_open(&w, tmpdir, 1, &e), TC_OK);
	for (int k = 0; k < NL * 2; k++) {  /* each list with positions, then without */
		int has_pos = k < NL;
		if (has_pos)
			plist_make(&l[k], k);
		const plist *p = &l[k % NL];
		tc__pw_begin(&w, has_pos, 0);
		for (uint32_t i = 0; i < p->n; i++)
			tc__pw_doc(&w, p->docs[i], p->freqs[i], has_pos ? p->pos[i] : NULL,
			           p->docs[i] % 1000);
		tc__pw_end(&w, &ti[k]);
	}
	assert_int_equal(tc__pw_close(&w, &e), TC_OK);

	/* a segment as big as doc ids allow, holding just the two postings files */
	tc_segment seg;
	memset(&seg, 0, sizeof seg);
	seg.ndocs = UINT32_MAX - 1;
	assert_int_equal(tc__rfile_open(&seg.f_pst, tmpdir, "0000000000000001.pst",
	                                TC_MAGIC_POSTINGS, 1, &e), TC_OK);
	assert_int_equal(tc__rfile_open(&seg.f_pos, tmpdir, "0000000000000001.pos",
	                                TC_MAGIC_POSITIONS, 1, &e), TC_OK);
	for (int k = 0; k < NL * 2; k++) {
		const plist *p = &l[k % NL];
		tc_postings *it;
		assert_int_equal(tc_postings_open(&seg, &ti[k], &it, &e), TC_OK);
		uint32_t i = 0;
		for (uint32_t d = tc_postings_next(it); d != TC_DOC_END; d = tc_postings_next(it), i++) {
			assert_int_equal(d, p->docs[i]);
			assert_int_equal(tc_postings_freq(it), p->freqs[i]);
			const uint32_t *pos;
			uint32_t n;
			if (k < NL) {
				assert_int_equal(tc_postings_positions(it, &pos, &n, &e), TC_OK);
				assert_int_equal(n, p->freqs[i]);
				assert_memory_equal(pos, p->pos[i], n * sizeof *pos);
			}
		}
		assert_int_equal(i, p->n);
		assert_int_equal(tc_postings_error(it, &e), TC_OK);
		tc_postings_free(it);

		/* seek to each doc, and just past it, from a fresh iterator each time */
		for (uint32_t j = 0; j < p->n; j += 1 + p->n / 10) {
			assert_int_equal(tc_postings_open(&seg, &ti[k], &it, &e), TC_OK);
			uint32_t bl = tc_postings_shallow(it, p->docs[j]);
			assert_int_equal(bl, tc_postings_block_last(it));
			assert_true(tc_postings_block_last(it) >= p->docs[j]);
			assert_int_equal(tc_postings_seek(it, p->docs[j]), p->docs[j]);
			uint32_t want = j + 1 < p->n ? p->docs[j + 1] : TC_DOC_END;
			assert_int_equal(tc_postings_seek(it, p->docs[j] + 1), want);
			tc_postings_free(it);
		}
	}
	tc__rfile_close(&seg.f_pst);
	tc__rfile_close(&seg.f_pos);
	for (int k = 0; k < NL; k++)
		plist_free(&l[k]);
	char path[128];
	snprintf(path, sizeof path, "%s/0000000000000001.pst", tmpdir);
	unlink(path);
	snprintf(path, sizeof path, "%s/0000000000000001.pos", tmpdir);
	unlink(path);
	rmdir(tmpdir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chunk_roundtrip),
		cmocka_unit_test(test_ints_roundtrip),
		cmocka_unit_test(test_chunk_garbage),
		cmocka_unit_test(test_chunk_forms),
		cmocka_unit_test(test_chunk_slack),
		cmocka_unit_test(test_chunk_hostile),
		cmocka_unit_test(test_old_versions),
		cmocka_unit_test(test_positions_code),
		cmocka_unit_test(test_postings_extremes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
