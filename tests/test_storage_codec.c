/*
 * test_storage_codec.c — the postings codec on its edges: chunks of every length with
 * extreme values, truncated and random input (bounds-safety, run under ASan), and whole
 * posting lists with doc ids and positions near 2^32 (gaps of 2^31, 128/129/256 docs)
 * written by the postings writer and read back by the iterator.
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
				/* every truncation fails cleanly */
				for (size_t cut = 0; cut < len; cut++) {
					p = buf;
					assert_int_equal(tc__chunk_unpack(&p, buf + cut, out, n), -1);
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
		tc__pw_begin(&w, has_pos);
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
		cmocka_unit_test(test_postings_extremes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
