/* test_indexer_membuf.c — the in-memory inverted index: random posting lists read back
 * exactly and in key order, lists that cross every slice size, large positions and doc
 * ids, terms of an analysed document, memory accounting and reset. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/mem.h"
#include "indexer/membuf.h"
#include "storage/storage.h"

/* xorshift64*, fixed seed: the same lists every run */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 2685821657736338717ull) >> 33) % n;
}

typedef struct ref_post {
	uint32_t doc, freq;
	uint32_t *pos;
} ref_post;

typedef struct ref_term {
	unsigned char key[40];
	size_t len;
	ref_post *p;
	size_t n, cap;
} ref_term;

static int ref_cmp(const void *pa, const void *pb)
{
	const ref_term *a = pa, *b = pb;
	size_t n = a->len < b->len ? a->len : b->len;
	int c = memcmp(a->key, b->key, n);
	return c ? c : (a->len > b->len) - (a->len < b->len);
}

/* Reads every list of m back and compares with ref (sorted here). */
static void compare(tc_ix_membuf *m, ref_term *ref, size_t nref)
{
	qsort(ref, nref, sizeof *ref, ref_cmp);
	tc_ix_membuf_sort(m);
	assert_int_equal(tc_ix_membuf_nterms(m), nref);
	tc_ix_plist r = {0};
	for (size_t i = 0; i < nref; i++) {
		size_t len;
		const unsigned char *key = tc_ix_membuf_key(m, i, &len);
		assert_int_equal(len, ref[i].len);
		assert_memory_equal(key, ref[i].key, len);
		assert_int_equal(tc_ix_membuf_df(m, i), ref[i].n);
		tc_ix_plist_open(&r, m, i);
		uint32_t doc, freq;
		const uint32_t *pos;
		for (size_t k = 0; k < ref[i].n; k++) {
			assert_int_equal(tc_ix_plist_next(&r, &doc, &freq, &pos), 1);
			assert_int_equal(doc, ref[i].p[k].doc);
			assert_int_equal(freq, ref[i].p[k].freq);
			if (tc_key_is_exact(ref[i].key, ref[i].len))
				assert_null(pos);
			else
				assert_memory_equal(pos, ref[i].p[k].pos, freq * sizeof *pos);
		}
		assert_int_equal(tc_ix_plist_next(&r, &doc, &freq, &pos), 0);
	}
	tc_ix_plist_free(&r);
}

static void free_ref(ref_term *ref, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < ref[i].n; k++)
			free(ref[i].p[k].pos);
		free(ref[i].p);
	}
	free(ref);
}

/* Random keys, docs, freqs and positions, including huge doc gaps and positions. */
static void test_random_lists(void **state)
{
	const size_t nterms = 3000;
	const uint32_t ndocs = 2000;
	ref_term *ref = tc_calloc(nterms, sizeof *ref);
	static const char kinds[] = {'f', 's', 'e'};
	for (size_t i = 0; i < nterms; i++) {
		ref_term *t = &ref[i];
		char kind = kinds[rnd(3)];
		t->key[0] = (unsigned char)(kind == 'e' ? 'f' : kind);
		t->key[1] = (unsigned char)rnd(4);
		t->len = 2 + 1 + rnd(20);
		for (size_t k = 2; k < t->len; k++)
			t->key[k] = (unsigned char)("abcxyz\x01\xff"[rnd(8)]);
		if (kind == 'e') {  /* an exact form's key: folded form, 0, exact form */
			t->key[t->len++] = 0;
			t->key[t->len++] = (unsigned char)("abcxyz\x01\xff"[rnd(8)]);
		}
		/* make the key unique by its index, in bytes that are not 0 */
		t->key[t->len++] = (unsigned char)(i / 255 + 1);
		t->key[t->len++] = (unsigned char)(i % 255 + 1);
	}
	tc_ix_membuf *m = tc_ix_membuf_new();
	size_t last_mem = 0;
	for (uint32_t d = 0; d < ndocs; d++) {
		/* the last docs jump near 2^31 */
		uint32_t doc = d < ndocs - 3 ? d : 0x7ffffff0u + d;
		for (int j = 0; j < 30; j++) {
			/* skewed: a few terms get most postings */
			size_t ti = rnd(4) ? rnd(50) : rnd((uint32_t)nterms);
			ref_term *t = &ref[ti];
			if (t->n && t->p[t->n - 1].doc == doc)
				continue;
			t->p = tc_grow(t->p, &t->cap, t->n + 1, sizeof *t->p);
			ref_post *p = &t->p[t->n++];
			p->doc = doc;
			p->freq = 1 + (rnd(10) ? rnd(3) : rnd(300));
			p->pos = tc_malloc(p->freq * sizeof *p->pos);
			uint32_t at = rnd(5) ? rnd(100) : 0x7fffff00u;
			for (uint32_t k = 0; k < p->freq; k++)
				p->pos[k] = at += rnd(4) ? rnd(3) : rnd(100000);
			tc_ix_membuf_add(m, t->key, t->len, doc, p->freq,
			                 tc_key_is_exact(t->key, t->len) ? NULL : p->pos);
		}
		size_t mem = tc_ix_membuf_mem(m);
		assert_true(mem >= last_mem);
		last_mem = mem;
	}
	/* terms never added are not in the membuf */
	size_t n = 0;
	for (size_t i = 0; i < nterms; i++)
		if (ref[i].n)
			ref[n++] = ref[i];
		else
			free(ref[i].p);
	assert_true(n > 500);
	compare(m, ref, n);
	assert_true(tc_ix_membuf_posting_bytes(m) > 0);
	tc_ix_membuf_reset(m);
	assert_int_equal(tc_ix_membuf_mem(m), 0);
	assert_int_equal(tc_ix_membuf_nterms(m), 0);
	tc_ix_membuf_free(m);
	free_ref(ref, n);
}

/* One term in 100000 docs walks through every slice size and many pool blocks. */
static void test_long_list(void **state)
{
	tc_ix_membuf *m = tc_ix_membuf_new();
	ref_term *ref = tc_calloc(1, sizeof *ref);
	memcpy(ref->key, "f\001giao", 6);
	ref->len = 6;
	for (uint32_t d = 0; d < 100000; d++) {
		uint32_t pos[3] = {d, d + 1, d + 1};
		ref->p = tc_grow(ref->p, &ref->cap, ref->n + 1, sizeof *ref->p);
		ref_post *p = &ref->p[ref->n++];
		p->doc = d * 3;
		p->freq = 1 + d % 3;
		p->pos = tc_malloc(sizeof pos);
		memcpy(p->pos, pos, sizeof pos);
		tc_ix_membuf_add(m, ref->key, ref->len, p->doc, p->freq, pos);
	}
	assert_true(tc_ix_membuf_mem(m) > 256 * 1024);
	compare(m, ref, 1);
	tc_ix_membuf_free(m);
	free_ref(ref, 1);
}

/* The terms of a document go in under their field id, positions for 'f'/'s' only; an
   exact form under its folded form. */
static void test_add_field(void **state)
{
	tc_ix_doc d = {0};
	tc_buf_append(&d.arena, "giao\0dich\0giao\0giao\0", 20);
	static uint32_t pos[] = {0, 4, 1};
	d.pos = pos;
	tc_ix_term terms[] = {
		{tc_ix_term_hash('f', "giao", 4), 0, 4, 'f', 2, 0},  /* "giao" at 0 and 4 */
		{tc_ix_term_hash('f', "dich", 4), 5, 4, 'f', 1, 2},  /* "dich" at 1 */
		{tc_ix_term_hash('e', "giao", 4), 10, 9, 'e', 2, 0}, /* exact "giao" twice */
	};
	d.terms = terms;
	d.nterms = 3;
	tc_ix_field f = {0};
	f.term0 = 0;
	f.nterms = 3;
	tc_ix_membuf *m = tc_ix_membuf_new();
	tc_ix_membuf_add_field(m, 7, 1, &d, &f);
	tc_ix_membuf_add_field(m, 9, 0, &d, &f);
	/* the direct path finds the same terms */
	uint32_t p10 = 10;
	tc_ix_membuf_add(m, "f\001giao", 6, 11, 1, &p10);
	tc_ix_membuf_add(m, "f\001giao\0giao", 11, 11, 1, NULL);
	tc_ix_membuf_sort(m);
	static const struct {
		const char *key;
		size_t len;
	} want[] = {{"f\000dich", 6}, {"f\000giao", 6}, {"f\000giao\0giao", 11},
	            {"f\001dich", 6}, {"f\001giao", 6}, {"f\001giao\0giao", 11}};
	assert_int_equal(tc_ix_membuf_nterms(m), 6);
	tc_ix_plist r = {0};
	for (size_t i = 0; i < 6; i++) {
		size_t len;
		const unsigned char *key = tc_ix_membuf_key(m, i, &len);
		assert_int_equal(len, want[i].len);
		assert_memory_equal(key, want[i].key, len);
		tc_ix_plist_open(&r, m, i);
		uint32_t doc, freq;
		const uint32_t *p;
		assert_int_equal(tc_ix_plist_next(&r, &doc, &freq, &p), 1);
		assert_int_equal(doc, want[i].key[1] == 1 ? 7 : 9);
		if (want[i].len == 11) {
			assert_int_equal(freq, 2);
			assert_null(p);
		} else if (want[i].key[2] == 'g') {
			assert_int_equal(freq, 2);
			assert_int_equal(p[0], 0);
			assert_int_equal(p[1], 4);
		} else {
			assert_int_equal(freq, 1);
			assert_int_equal(p[0], 1);
		}
		if (want[i].key[1] == 1 && want[i].key[2] == 'g') {
			assert_int_equal(tc_ix_plist_next(&r, &doc, &freq, &p), 1);
			assert_int_equal(doc, 11);
			if (want[i].len == 6)
				assert_int_equal(p[0], 10);
		}
		assert_int_equal(tc_ix_plist_next(&r, &doc, &freq, &p), 0);
	}
	tc_ix_plist_free(&r);
	tc_ix_membuf_free(m);
	tc_buf_free(&d.arena);
}

/* The memory count is a function of what was added, so two runs flush alike. */
static void test_mem_deterministic(void **state)
{
	size_t mem[2];
	for (int run = 0; run < 2; run++) {
		rng_state = 42;
		tc_ix_membuf *m = tc_ix_membuf_new();
		for (uint32_t d = 0; d < 5000; d++) {
			char key[16];
			int n = snprintf(key, sizeof key, "f%cx%c%u", 1, 0, rnd(20000));
			tc_ix_membuf_add(m, key, (size_t)n, d, 1, NULL);
		}
		mem[run] = tc_ix_membuf_mem(m);
		tc_ix_membuf_free(m);
	}
	assert_int_equal(mem[0], mem[1]);
	/* an empty membuf holds nothing */
	tc_ix_membuf *m = tc_ix_membuf_new();
	assert_int_equal(tc_ix_membuf_mem(m), 0);
	tc_ix_membuf_sort(m);
	assert_int_equal(tc_ix_membuf_nterms(m), 0);
	tc_ix_membuf_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_lists),
		cmocka_unit_test(test_long_list),
		cmocka_unit_test(test_add_field),
		cmocka_unit_test(test_mem_deterministic),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
