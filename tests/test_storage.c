/*
 * test_storage.c — segments against an in-memory reference: random documents, terms,
 * postings and numeric entries (fixed seeds) are written with the segment writer, read
 * back through a snapshot and compared with the reference: term lookups and prefix
 * ranges, every posting with freqs and positions, seek and block-max skip data, stored
 * fields and ids, field lengths, numeric ranges against brute force, units. Then the
 * manifest, deletes, garbage collection and merges.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/file.h"
#include "common/hash.h"
#include "common/mem.h"
#include "storage/storage.h"
#include "storage/storage_int.h"  /* the codec and file names, for hand-made damage */
#define TU_FULL_DISK  /* write() runs out of space when a test says so */
#include "testutil.h"

/* ---- a deterministic generator ---- */

static uint64_t rng_state;

static void rng_seed(uint64_t s)
{
	rng_state = s * 0x9E3779B97F4A7C15ull + 1;
}

static uint64_t rng(void)
{
	uint64_t x = rng_state;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

static uint32_t rnd(uint32_t n)
{
	return n ? (uint32_t)(rng() % n) : 0;
}

/* ---- the reference model of a segment ---- */

#define NF 3

typedef struct rterm {
	unsigned char key[32];
	size_t len;
	long base;                /* an exact form's: the index of its folded form, else -1 */
	uint32_t n;
	uint32_t *docs, *freqs;
	uint32_t **pos;
} rterm;

typedef struct rdoc {
	char id[32];
	char *title, *body;
	uint32_t lens[NF];
} rdoc;

typedef struct rnum {
	char unit[16];
	double v;
	uint32_t doc, pos;
	uint8_t field;
} rnum;

typedef struct model {
	uint32_t ndocs;
	rdoc *docs;
	rterm *terms;
	size_t nterms;
	rnum *nums;
	size_t nnums;
} model;

static int key_cmp(const void *a, const void *b)
{
	const rterm *x = a, *y = b;
	int c = memcmp(x->key, y->key, x->len < y->len ? x->len : y->len);
	return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* n bytes of text: ASCII letters, and characters the doc store codes in one byte or
   escapes (a Vietnamese letter, a capital outside its table, a four-byte character) */
static char *rand_text(size_t n)
{
	static const char *const other[] = {"ệ", "đ", "Ư", "“", "Ẵ", "😀"};
	char *s = tc_malloc(n + 1);
	size_t i = 0;
	while (i < n) {
		const char *o = other[rnd(sizeof other / sizeof *other)];
		size_t len = strlen(o);
		if (i % 7 == 6) {
			s[i++] = ' ';
		} else if (rnd(5) == 0 && i + len <= n) {
			memcpy(s + i, o, len);
			i += len;
		} else {
			s[i++] = (char)('a' + rnd(26));
		}
	}
	s[n] = '\0';
	return s;
}

/* df of the i-th term: block boundaries and a spread of sizes */
static uint32_t pick_df(size_t i, uint32_t ndocs)
{
	static const uint32_t fixed[] = {1, 2, 127, 128, 129, 255, 256, 257, 384};
	uint32_t df = i < sizeof fixed / sizeof *fixed ? fixed[i] : 1 + rnd(i % 5 ? 20 : ndocs);
	return df > ndocs ? ndocs : df;
}

/* Sets the terms' base: for an exact form the index of the last term before it that is
   not one (its folded form, in key order), -1 for the others. */
static void model_bases(model *m)
{
	long last = -1;
	for (size_t i = 0; i < m->nterms; i++) {
		if (tc_key_is_exact(m->terms[i].key, m->terms[i].len)) {
			m->terms[i].base = last;
		} else {
			m->terms[i].base = -1;
			last = (long)i;
		}
	}
}

/*
 * Exact forms under about half of the folded terms (storage.h: key = folded key, 0, exact
 * form), each with some of its base's docs and at most their freqs, as a word written
 * several ways has: all of them alike (written only that way: no list of its own), all
 * docs less often, a dense or a sparse subset. Keeps the terms in key order.
 */
static void add_exact_forms(model *m)
{
	size_t nbase = m->nterms;
	for (size_t i = 0; i < nbase; i++) {
		const rterm *b = &m->terms[i];
		if (b->key[0] != 'f' || rnd(2) || b->len + 8 > sizeof b->key)
			continue;
		size_t nforms = 1 + rnd(3);
		for (size_t v = 0; v < nforms; v++) {
			rterm *t = &m->terms[m->nterms++];
			memcpy(t->key, b->key, b->len);
			t->key[b->len] = 0;
			t->key[b->len + 1] = (unsigned char)('a' + v);  /* distinct forms */
			size_t xl = rnd(5);
			for (size_t k = 0; k < xl; k++)
				t->key[b->len + 2 + k] = (unsigned char)("ab\xc3\xa1\xe1\xbb\x8d"[rnd(7)]);
			t->len = b->len + 2 + xl;
			t->base = (long)i;
			int how = rnd(4);  /* 0 all alike, 1 all less often, 2 dense, 3 sparse */
			t->docs = tc_malloc((b->n ? b->n : 1) * sizeof *t->docs);
			t->freqs = tc_malloc((b->n ? b->n : 1) * sizeof *t->freqs);
			t->pos = tc_calloc(b->n ? b->n : 1, sizeof *t->pos);
			uint32_t n = 0;
			for (uint32_t j = 0; j < b->n; j++) {
				if ((how == 2 && rnd(8) == 0) || (how == 3 && rnd(8) != 0))
					continue;
				t->docs[n] = b->docs[j];
				t->freqs[n++] = how == 0 ? b->freqs[j] : 1 + rnd(b->freqs[j]);
			}
			if (n == 0) {  /* at least one doc */
				t->docs[n] = b->docs[0];
				t->freqs[n++] = b->freqs[0];
			}
			t->n = n;
		}
	}
	/* an exact form sorts right after its base and its siblings */
	qsort(m->terms, m->nterms, sizeof *m->terms, key_cmp);
	model_bases(m);
}

static void model_build(model *m, uint64_t seed, uint32_t ndocs, size_t nterms, size_t nnums,
                        const char *id_prefix)
{
	rng_seed(seed);
	memset(m, 0, sizeof *m);
	m->ndocs = ndocs;
	m->docs = tc_calloc(ndocs, sizeof *m->docs);
	for (uint32_t d = 0; d < ndocs; d++) {
		rdoc *r = &m->docs[d];
		snprintf(r->id, sizeof r->id, "%s-%05u-%u", id_prefix, (unsigned)rnd(100000), d);
		r->title = rand_text(5 + rnd(30));
		r->body = rand_text(rnd(9) == 0 ? 70000 + rnd(5000) : 20 + rnd(400));
		r->lens[0] = rnd(20);
		r->lens[1] = rnd(7) == 0 ? 70000 + rnd(1000) : rnd(500);
		r->lens[2] = 0;
	}
	/* room for an exact form or three under every other term */
	m->terms = tc_calloc(nterms + 3 * (nterms / 2 + 1), sizeof *m->terms);
	static const char kinds[] = "fs";
	for (size_t i = 0; i < nterms; i++) {
		rterm *t = &m->terms[i];
		t->key[0] = (unsigned char)kinds[rnd(3) == 0];
		t->key[1] = (unsigned char)rnd(2);
		size_t tl = 1 + rnd(8);
		for (size_t k = 0; k < tl; k++)
			t->key[2 + k] = (unsigned char)("abcd\xc3\xa1z"[rnd(7)]);
		t->len = 2 + tl;
	}
	qsort(m->terms, nterms, sizeof *m->terms, key_cmp);
	size_t u = 0;  /* drop duplicate keys */
	for (size_t i = 0; i < nterms; i++)
		if (u == 0 || key_cmp(&m->terms[u - 1], &m->terms[i]) != 0)
			m->terms[u++] = m->terms[i];
	m->nterms = u;
	for (size_t i = 0; i < m->nterms; i++) {
		rterm *t = &m->terms[i];
		/* one term in six repeats the docs and freqs of the one before (and its positions
		   when both have them), as an exact form does its folded form's: the writer
		   shares such lists */
		const rterm *same = i > 0 && rnd(6) == 0 ? &m->terms[i - 1] : NULL;
		uint32_t df = same ? same->n : pick_df(i, ndocs);
		t->docs = tc_malloc(df * sizeof *t->docs);
		t->freqs = tc_malloc(df * sizeof *t->freqs);
		t->pos = tc_calloc(df, sizeof *t->pos);
		/* choose df distinct docs, ascending: a walk with random strides */
		uint32_t n = 0;
		if (same)
			memcpy(t->docs, same->docs, (n = df) * sizeof *t->docs);
		for (uint32_t d = 0; !same && d < ndocs && n < df; d++)
			if (rnd(ndocs - d) < df - n)
				t->docs[n++] = d;
		t->n = n;
		int has_pos = 1;
		for (uint32_t j = 0; j < n; j++) {
			uint32_t f = same ? same->freqs[j] : rnd(10) == 0 ? 1 + rnd(300) : 1 + rnd(3);
			t->freqs[j] = f;
			if (!has_pos)
				continue;
			t->pos[j] = tc_malloc(f * sizeof **t->pos);
			if (same && same->pos[j]) {
				memcpy(t->pos[j], same->pos[j], f * sizeof **t->pos);
				continue;
			}
			uint32_t p = rnd(5) == 0 ? 3000000000u + rnd(1000) : rnd(100);
			for (uint32_t k = 0; k < f; k++) {
				t->pos[j][k] = p;
				p += rnd(4) == 0 ? 0 : rnd(50);
				if (p > 4000000000u)
					p = 4000000000u;
			}
		}
	}
	add_exact_forms(m);
	m->nums = tc_calloc(nnums ? nnums : 1, sizeof *m->nums);
	m->nnums = nnums;
	static const char *units[] = {"giao dich", "ty", "%", "\001date", "ho so", "a"};
	for (size_t i = 0; i < nnums; i++) {
		rnum *r = &m->nums[i];
		snprintf(r->unit, sizeof r->unit, "%s", units[rnd(6)]);
		r->v = rnd(4) == 0 ? (double)rnd(10) : (double)rnd(1000000) / 7.0 - 5000;
		if (rnd(50) == 0)
			r->v = -0.0;
		r->doc = rnd(ndocs);
		r->pos = rnd(1000);
		r->field = (uint8_t)rnd(2);
	}
}

static void model_free(model *m)
{
	for (uint32_t d = 0; d < m->ndocs; d++) {
		free(m->docs[d].title);
		free(m->docs[d].body);
	}
	free(m->docs);
	for (size_t i = 0; i < m->nterms; i++) {
		for (uint32_t j = 0; j < m->terms[i].n; j++)
			free(m->terms[i].pos[j]);
		free(m->terms[i].pos);
		free(m->terms[i].docs);
		free(m->terms[i].freqs);
	}
	free(m->terms);
	free(m->nums);
	memset(m, 0, sizeof *m);
}

/* ---- a scratch index directory per test ---- */

static char tmpdir[256];

static int dir_setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/tc_storage_XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int dir_teardown(void **state)
{
	(void)state;
	DIR *d = opendir(tmpdir);
	struct dirent *e;
	while (d && (e = readdir(d)) != NULL) {
		char p[512];
		snprintf(p, sizeof p, "%s/%s", tmpdir, e->d_name);
		if (e->d_name[0] != '.')
			unlink(p);
	}
	if (d)
		closedir(d);
	rmdir(tmpdir);
	return 0;
}

#define OK(expr)                                                              \
	do {                                                                      \
		tc_error e_ = {0};                                                    \
		int rc_ = (expr);                                                     \
		if (rc_ != TC_OK)                                                     \
			fail_msg("%s -> %d %s", #expr, rc_, e_.msg);                      \
	} while (0)
#define E (&e_)

/* Adds m's documents to w. */
static void add_docs(tc_segw *w, const model *m)
{
	for (uint32_t d = 0; d < m->ndocs; d++) {
		const rdoc *r = &m->docs[d];
		tc_field_value fv[2] = {
			{0, r->title, (uint32_t)strlen(r->title)},
			{1, r->body, (uint32_t)strlen(r->body)},
		};
		OK(tc_segw_add_doc(w, r->id, strlen(r->id), fv, 2, r->lens, E));
	}
}

/* Codes term t's positions block by block, as a caller with a thread to spare does. */
static void code_positions(const rterm *t, tc_buf *bytes, uint32_t *lens, uint32_t *nblk)
{
	tc_buf scratch = {0}, pos = {0};
	*nblk = 0;
	for (uint32_t j = 0; j < t->n; j += TC_POSTINGS_BLOCK) {
		uint32_t k = t->n - j < TC_POSTINGS_BLOCK ? t->n - j : TC_POSTINGS_BLOCK;
		pos.len = 0;
		for (uint32_t i = j; i < j + k; i++)
			tc_buf_append(&pos, t->pos[i], t->freqs[i] * sizeof *t->pos[i]);
		size_t before = bytes->len;
		tc_segw_code_positions(bytes, (const uint32_t *)(void *)pos.data, t->freqs + j, k,
		                       &scratch);
		lens[(*nblk)++] = (uint32_t)(bytes->len - before);
	}
	tc_buf_free(&scratch);
	tc_buf_free(&pos);
}

/*
 * Writes m as segment seg_id; background: the doc store compressed on its own thread;
 * coded: positions coded by the caller and the side files written on their own thread
 * (as the indexer does with two threads).
 */
static void write_model_with(const model *m, uint64_t seg_id, tc_seg_info *info,
                             int background, int coded)
{
	tc_segw *w;
	OK(tc_segw_open(tmpdir, seg_id, NF, &w, E));
	if (background)
		tc_segw_background(w);
	add_docs(w, m);
	for (size_t i = 0; i < m->nnums; i++)
		OK(tc_segw_add_num(w, m->nums[i].unit, strlen(m->nums[i].unit), m->nums[i].v,
		                   m->nums[i].doc, m->nums[i].field, m->nums[i].pos, E));
	if (coded)
		tc_segw_numbers_done(w);
	tc_buf bytes = {0};
	uint32_t *lens = tc_malloc((m->ndocs / TC_POSTINGS_BLOCK + 2) * sizeof *lens);
	for (size_t i = 0; i < m->nterms; i++) {
		const rterm *t = &m->terms[i];
		OK(tc_segw_term_begin(w, t->key, t->len, E));
		int give = coded && t->n && t->pos[0];
		if (give) {
			uint32_t nblk;
			bytes.len = 0;
			code_positions(t, &bytes, lens, &nblk);
			OK(tc_segw_term_coded_positions(w, (const unsigned char *)bytes.data, lens, nblk,
			                                E));
		}
		for (uint32_t j = 0; j < t->n; j++)
			OK(tc_segw_term_doc(w, t->docs[j], t->freqs[j], give ? NULL : t->pos[j], E));
		OK(tc_segw_term_end(w, E));
	}
	free(lens);
	tc_buf_free(&bytes);
	OK(tc_segw_finish(w, info, E));
}

static void write_model(const model *m, uint64_t seg_id, tc_seg_info *info)
{
	write_model_with(m, seg_id, info, 0, 0);
}

static void commit_one(const tc_seg_info *info, tc_manifest *man)
{
	memset(man, 0, sizeof *man);
	tc_error e = {0};
	assert_int_equal(tc_manifest_field_add(man, "title", &e), 0);
	assert_int_equal(tc_manifest_field_add(man, "body", &e), 1);
	assert_int_equal(tc_manifest_field_add(man, "extra", &e), 2);
	man->next_seg_id = info->id + 1;
	tc_manifest_add_seg(man, info->id, info->ndocs);
	OK(tc_manifest_commit(tmpdir, man, E));
}

/* Finishes the writer's segment and commits it as the index's only one. */
static void finish_and_commit(tc_segw *w)
{
	tc_seg_info info;
	OK(tc_segw_finish(w, &info, E));
	tc_manifest man;
	commit_one(&info, &man);
	tc_manifest_free(&man);
}

/* ---- comparing a segment with the reference ---- */

/*
 * tc_postings_fill_bits of an unstarted list: exactly the n values v (docs or ranks,
 * below limit) set, the list still unstarted after.
 */
static void check_bits(tc_postings *p, uint32_t limit, const uint32_t *v, uint32_t n)
{
	size_t words = ((size_t)limit + 63) / 64;
	uint64_t *bits = tc_calloc(words + 1, sizeof *bits);
	OK(tc_postings_fill_bits(p, bits, E));
	size_t set = 0;
	for (size_t k = 0; k < words + 1; k++)
		set += (size_t)__builtin_popcountll(bits[k]);
	assert_int_equal(set, n);
	for (uint32_t j = 0; j < n; j++)
		assert_true(bits[v[j] / 64] >> (v[j] % 64) & 1);
	free(bits);
}

/*
 * An exact form's list by ranks in its base b: the ranks of its docs among b's, by walk
 * and by seeks (with shallow moves); none to open when it has every doc and freq of b.
 */
static void check_exact_ranks(const tc_segment *seg, const rterm *t, const rterm *b,
                              const tc_term_info *ti)
{
	assert_true(ti->exact);
	assert_int_equal(ti->base.df, b->n);
	uint64_t bttf = 0;
	for (uint32_t j = 0; j < b->n; j++)
		bttf += b->freqs[j];
	assert_int_equal(ti->base.ttf, bttf);
	int all = t->n == b->n && ti->ttf == bttf;
	assert_int_equal(tc_term_exact_everywhere(ti), all);
	tc_postings *p;
	tc_error e = {0};
	if (all) {
		assert_int_equal(tc_postings_open_ranks(seg, ti, &p, &e), TC_EINVAL);
		return;
	}
	uint32_t *rank = tc_malloc(t->n * sizeof *rank);
	for (uint32_t j = 0, r = 0; j < t->n; j++) {
		while (b->docs[r] != t->docs[j])
			r++;
		rank[j] = r;
	}
	OK(tc_postings_open_ranks(seg, ti, &p, E));
	if (rnd(2))
		check_bits(p, b->n, rank, t->n);
	uint32_t j = 0;
	for (uint32_t r = tc_postings_next(p); r != TC_DOC_END; r = tc_postings_next(p), j++) {
		assert_true(j < t->n);
		assert_int_equal(r, rank[j]);
		assert_int_equal(tc_postings_rank(p), j);
	}
	assert_int_equal(j, t->n);
	OK(tc_postings_error(p, E));
	tc_postings_free(p);
	OK(tc_postings_open_ranks(seg, ti, &p, E));
	for (uint32_t target = 0, at = 0; target < b->n; target += 1 + rnd(b->n / 4 + 1)) {
		while (at < t->n && rank[at] < target)
			at++;
		if (rnd(2)) {
			uint32_t last = tc_postings_shallow(p, target);
			assert_true(at == t->n ? last == TC_DOC_END : last >= rank[at]);
		}
		assert_int_equal(tc_postings_seek(p, target), at < t->n ? rank[at] : TC_DOC_END);
	}
	OK(tc_postings_error(p, E));
	tc_postings_free(p);
	free(rank);
}

static void check_postings(const tc_segment *seg, const model *m, const rterm *t)
{
	tc_term_info ti;
	OK(tc_seg_term_lookup(seg, t->key, t->len, &ti, E));
	assert_int_equal(ti.df, t->n);
	assert_int_equal(ti.exact, t->base >= 0);
	if (t->base >= 0)
		check_exact_ranks(seg, t, &m->terms[t->base], &ti);
	uint64_t ttf = 0;
	uint32_t maxtf = 0, minlen = UINT32_MAX;
	for (uint32_t j = 0; j < t->n; j++)
		ttf += t->freqs[j], maxtf = t->freqs[j] > maxtf ? t->freqs[j] : maxtf;
	assert_int_equal(ti.ttf, ttf);
	assert_int_equal(ti.max_tf, maxtf);
	for (uint32_t j = 0; j < t->n; j++) {
		uint32_t l = tc_seg_field_len(seg, t->docs[j], t->key[1]);
		minlen = l < minlen ? l : minlen;
	}
	assert_int_equal(ti.min_len, minlen);

	/* full walk: docs, freqs, positions, block impacts */
	tc_postings *p;
	OK(tc_postings_open(seg, &ti, &p, E));
	assert_int_equal(tc_postings_count(p), t->n);
	uint32_t j = 0;
	for (uint32_t d = tc_postings_next(p); d != TC_DOC_END; d = tc_postings_next(p), j++) {
		assert_true(j < t->n);
		assert_int_equal(d, t->docs[j]);
		assert_int_equal(tc_postings_freq(p), t->freqs[j]);
		assert_true(tc_postings_block_last(p) >= d);
		assert_true(tc_postings_block_max_tf(p) >= t->freqs[j]);
		assert_true(tc_postings_block_min_len(p) <= tc_seg_field_len(seg, d, t->key[1]));
		if (j % 128 == 127 || j + 1 == t->n)
			assert_int_equal(tc_postings_block_last(p), d);
		const uint32_t *pos;
		uint32_t n;
		tc_error e = {0};
		if (tc_key_is_exact(t->key, t->len)) {
			assert_int_equal(tc_postings_positions(p, &pos, &n, &e), TC_EINVAL);
		} else if (rnd(3) != 0) {
			OK(tc_postings_positions(p, &pos, &n, E));
			assert_int_equal(n, t->freqs[j]);
			assert_memory_equal(pos, t->pos[j], n * sizeof *pos);
		}
	}
	assert_int_equal(j, t->n);
	assert_int_equal(tc_postings_next(p), TC_DOC_END);
	assert_int_equal(tc_postings_seek(p, 5), TC_DOC_END);
	assert_int_equal(tc_postings_block_last(p), TC_DOC_END);
	OK(tc_postings_error(p, E));
	tc_postings_free(p);

	/* the whole list as bits, then walked from its start; walked part way and rewound */
	OK(tc_postings_open(seg, &ti, &p, E));
	uint32_t mid = t->docs[t->n / 2];
	if (rnd(2))
		tc_postings_shallow(p, mid);
	check_bits(p, tc_seg_ndocs(seg), t->docs, t->n);
	for (j = 0; j < t->n; j++) {
		assert_int_equal(tc_postings_next(p), t->docs[j]);
		assert_int_equal(tc_postings_freq(p), t->freqs[j]);
	}
	assert_int_equal(tc_postings_next(p), TC_DOC_END);
	tc_postings_rewind(p);
	assert_int_equal(tc_postings_seek(p, mid), mid);
	tc_postings_shallow(p, TC_DOC_END - 1);
	tc_postings_rewind(p);
	assert_true(tc_postings_block_last(p) >= t->docs[0]);
	assert_true(tc_postings_block_max_tf(p) >= t->freqs[0]);
	assert_int_equal(tc_postings_next(p), t->docs[0]);
	assert_int_equal(tc_postings_freq(p), t->freqs[0]);
	if (!tc_key_is_exact(t->key, t->len)) {
		const uint32_t *pos;
		uint32_t n;
		OK(tc_postings_positions(p, &pos, &n, E));
		assert_memory_equal(pos, t->pos[0], n * sizeof *pos);
	}
	uint64_t one = 0;
	tc_error e2 = {0};
	assert_int_equal(tc_postings_fill_bits(p, &one, &e2), TC_EINVAL);
	OK(tc_postings_error(p, E));
	tc_postings_free(p);

	/* seeks to random targets, with shallow moves in between */
	OK(tc_postings_open(seg, &ti, &p, E));
	uint32_t target = 0, cur = 0;
	for (int k = 0; k < 20; k++) {
		target += rnd(tc_seg_ndocs(seg) / 8 + 2);
		if (rnd(2)) {
			uint32_t bl = tc_postings_shallow(p, target);
			uint32_t jj = 0;
			while (jj < t->n && t->docs[jj] < target)
				jj++;
			if (jj == t->n)
				assert_int_equal(bl, TC_DOC_END);
			else
				assert_true(bl >= t->docs[jj] && tc_postings_block_max_tf(p) >= t->freqs[jj]);
		}
		uint32_t d = tc_postings_seek(p, target);
		uint32_t want = TC_DOC_END;
		for (uint32_t jj = 0; jj < t->n; jj++) {
			if (t->docs[jj] >= target && t->docs[jj] >= cur) {
				want = t->docs[jj];
				if (!tc_key_is_exact(t->key, t->len)) {
					const uint32_t *pos;
					uint32_t n;
					OK(tc_postings_positions(p, &pos, &n, E));
					assert_memory_equal(pos, t->pos[jj], n * sizeof *pos);
				}
				break;
			}
		}
		assert_int_equal(d, want);
		if (d == TC_DOC_END)
			break;
		cur = d;
		if (target < d)
			target = d;
	}
	tc_postings_free(p);
}

static int has_prefix(const rterm *t, const unsigned char *pre, size_t n)
{
	return t->len >= n && memcmp(t->key, pre, n) == 0;
}

static void check_prefix(const tc_segment *seg, const model *m, const unsigned char *pre,
                         size_t n)
{
	tc_termit *it;
	OK(tc_termit_open(seg, pre, n, &it, E));
	size_t i = 0;
	while (i < m->nterms && !has_prefix(&m->terms[i], pre, n))
		i++;
	const unsigned char *k;
	size_t len;
	tc_term_info ti;
	int rc;
	tc_error e = {0};
	while ((rc = tc_termit_next(it, &k, &len, &ti, &e)) == 1) {
		assert_true(i < m->nterms && has_prefix(&m->terms[i], pre, n));
		assert_int_equal(len, m->terms[i].len);
		assert_memory_equal(k, m->terms[i].key, len);
		assert_int_equal(ti.df, m->terms[i].n);
		i++;
	}
	assert_int_equal(rc, 0);
	assert_true(i == m->nterms || !has_prefix(&m->terms[i], pre, n));
	assert_int_equal(tc_termit_next(it, &k, &len, &ti, &e), 0);
	tc_termit_free(it);
}

static int num_cmp(const void *a, const void *b)
{
	const tc_num_entry *x = a, *y = b;
	if (x->value != y->value)
		return x->value < y->value ? -1 : 1;
	if (x->doc != y->doc)
		return x->doc < y->doc ? -1 : 1;
	if (x->field != y->field)
		return x->field < y->field ? -1 : 1;
	return (x->pos > y->pos) - (x->pos < y->pos);
}

static int in_range(double v, const tc_num_range *r)
{
	return (r->lo_incl ? v >= r->lo : v > r->lo) && (r->hi_incl ? v <= r->hi : v < r->hi);
}

/* tc_seg_num_range(unit u, r) against a scan of the reference; returns the hits. */
static size_t check_range(const tc_segment *seg, const model *m, const char *u,
                          const tc_num_range *r)
{
	tc_num_hits h = {0};
	OK(tc_seg_num_range(seg, u, strlen(u), r, &h, E));
	tc_num_entry *want = tc_malloc((m->nnums + 1) * sizeof *want);
	size_t n = 0;
	for (size_t i = 0; i < m->nnums; i++)
		if (strcmp(m->nums[i].unit, u) == 0 && in_range(m->nums[i].v, r))
			want[n++] = (tc_num_entry){m->nums[i].v == 0 ? 0.0 : m->nums[i].v, m->nums[i].doc,
			                           m->nums[i].pos, m->nums[i].field};
	qsort(want, n, sizeof *want, num_cmp);
	if (h.n != n)
		fail_msg("unit '%s' [%g, %g] (%d %d): %zu hits, want %zu", u, r->lo, r->hi, r->lo_incl,
		         r->hi_incl, h.n, n);
	for (size_t i = 0; i < n; i++) {
		/* the same bits: -0 comes back as +0, and nothing else changes */
		assert_memory_equal(&h.e[i].value, &want[i].value, sizeof(double));
		assert_int_equal(h.e[i].doc, want[i].doc);
		assert_int_equal(h.e[i].pos, want[i].pos);
		assert_int_equal(h.e[i].field, want[i].field);
	}
	/* the docs alone, as a count of mentions per doc reads them: the same, in order */
	tc_num_docs d = {0};
	OK(tc_seg_num_range_docs(seg, u, strlen(u), r, &d, E));
	assert_int_equal(d.n, n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(d.doc[i], want[i].doc);
	tc_num_docs_free(&d);
	free(want);
	tc_num_hits_free(&h);
	return n;
}

static void check_numeric(const tc_segment *seg, const model *m)
{
	static const char *units[] = {"giao dich", "ty", "%", "\001date", "ho so", "a", "zz"};
	for (int k = 0; k < 60; k++) {
		const char *u = units[rnd(7)];
		tc_num_range r = {(double)rnd(200000) / 7.0 - 6000, 0, (int)rnd(2), (int)rnd(2)};
		r.hi = r.lo + rnd(3) * (double)rnd(100000) / 3.0;
		if (k % 7 == 0)
			r.lo = -INFINITY;
		if (k % 5 == 0)
			r.hi = INFINITY;
		if (k % 11 == 0)
			r.lo = r.hi = (double)rnd(10);  /* a point, hits the exact values */
		check_range(seg, m, u, &r);
	}
	/* unit vocabulary: sorted keys with counts */
	size_t total = 0;
	for (size_t i = 0; i < tc_seg_nunits(seg); i++) {
		const char *k;
		size_t len;
		uint64_t c, want = 0;
		tc_seg_unit(seg, i, &k, &len, &c);
		for (size_t j = 0; j < m->nnums; j++)
			want += strlen(m->nums[j].unit) == len && memcmp(m->nums[j].unit, k, len) == 0;
		assert_int_equal(c, want);
		total += c;
		if (i > 0) {
			const char *pk;
			size_t plen;
			tc_seg_unit(seg, i - 1, &pk, &plen, &c);
			int cmp = memcmp(pk, k, plen < len ? plen : len);
			assert_true(cmp < 0 || (cmp == 0 && plen < len));
		}
	}
	assert_int_equal(total, m->nnums);
}

/* Compares every part of seg with m. */
static void check_segment(const tc_segment *seg, const model *m)
{
	assert_int_equal(tc_seg_ndocs(seg), m->ndocs);
	/* field lengths and totals */
	uint64_t tot[NF] = {0};
	for (uint32_t d = 0; d < m->ndocs; d++)
		for (unsigned f = 0; f < NF; f++) {
			assert_int_equal(tc_seg_field_len(seg, d, f), m->docs[d].lens[f]);
			tot[f] += m->docs[d].lens[f];
		}
	for (unsigned f = 0; f < NF; f++)
		assert_int_equal(tc_seg_field_total(seg, f), tot[f]);
	assert_int_equal(tc_seg_field_len(seg, 0, NF + 4), 0);
	assert_int_equal(tc_seg_field_len(seg, m->ndocs, 0), 0);

	/* stored fields and ids, in a scrambled order to exercise the block cache */
	tc_doc doc = {0};
	for (uint32_t k = 0; k < m->ndocs; k++) {
		uint32_t d = (k * 7919u) % m->ndocs;
		OK(tc_seg_doc_get(seg, d, &doc, E));
		assert_string_equal(doc.id, m->docs[d].id);
		assert_int_equal(doc.nfields, 2);
		uint32_t len;
		assert_string_equal(tc_doc_field(&doc, 0, &len), m->docs[d].title);
		assert_int_equal(len, strlen(m->docs[d].title));
		assert_string_equal(tc_doc_field(&doc, 1, NULL), m->docs[d].body);
		assert_null(tc_doc_field(&doc, 2, &len));
		uint32_t got;
		OK(tc_seg_id_lookup(seg, m->docs[d].id, strlen(m->docs[d].id), &got, E));
		assert_int_equal(got, d);
		const char *id;
		uint32_t id_len;
		OK(tc_seg_doc_id(seg, d, &id, &id_len));
		assert_int_equal(id_len, strlen(m->docs[d].id));
		assert_memory_equal(id, m->docs[d].id, id_len);
	}
	tc_error e = {0};
	uint32_t got;
	const char *id;
	uint32_t id_len;
	assert_int_equal(tc_seg_doc_id(seg, m->ndocs, &id, &id_len), TC_ENOENT);
	assert_int_equal(tc_seg_id_lookup(seg, "nope", 4, &got, &e), TC_ENOENT);
	assert_int_equal(tc_seg_doc_get(seg, m->ndocs, &doc, &e), TC_EINVAL);
	tc_doc_free(&doc);

	/* every term, and keys that are not there */
	for (size_t i = 0; i < m->nterms; i++)
		check_postings(seg, m, &m->terms[i]);
	for (int k = 0; k < 200; k++) {
		unsigned char key[12] = {"fse"[rnd(3)], (unsigned char)rnd(3)};
		size_t len = 3 + rnd(8);
		for (size_t j = 2; j < len; j++)
			key[j] = (unsigned char)("abcdqz"[rnd(6)]);
		rterm probe;
		memcpy(probe.key, key, len);
		probe.len = len;
		int present = bsearch(&probe, m->terms, m->nterms, sizeof *m->terms, key_cmp) != NULL;
		tc_term_info ti;
		assert_int_equal(tc_seg_term_lookup(seg, key, len, &ti, &e), present ? TC_OK : TC_ENOENT);
	}
	/* neighbours of present keys: one byte shorter, longer, or changed in its last byte */
	for (size_t i = 0; i < m->nterms; i += 1 + m->nterms / 50) {
		const rterm *t = &m->terms[i];
		for (int v = 0; v < 4; v++) {
			rterm probe = *t;
			if (v == 0 && probe.len > 1)
				probe.len--;
			else if (v == 1 && probe.len < sizeof probe.key)
				probe.key[probe.len++] = (unsigned char)"a\x00\xff"[rnd(3)];
			else
				probe.key[probe.len - 1] += v == 2 ? 1 : 0xff;
			int present = bsearch(&probe, m->terms, m->nterms, sizeof *m->terms, key_cmp) != NULL;
			tc_term_info ti;
			assert_int_equal(tc_seg_term_lookup(seg, probe.key, probe.len, &ti, &e),
			                 present ? TC_OK : TC_ENOENT);
		}
	}
	assert_int_equal(tc_seg_term_lookup(seg, "", 0, &(tc_term_info){0}, &e), TC_ENOENT);
	assert_int_equal(tc_seg_term_lookup(seg, "\xff\xff\xff", 3, &(tc_term_info){0}, &e),
	                 TC_ENOENT);

	/* prefix ranges: empty, kind, kind+field, longer, and ones matching nothing */
	check_prefix(seg, m, (const unsigned char *)"", 0);
	for (size_t i = 0; i < 40 && m->nterms; i++) {
		const rterm *t = &m->terms[rnd((uint32_t)m->nterms)];
		check_prefix(seg, m, t->key, 1 + rnd((uint32_t)t->len));
	}
	check_prefix(seg, m, (const unsigned char *)"f\x00zzzz", 6);
	check_prefix(seg, m, (const unsigned char *)"\x01", 1);
	check_prefix(seg, m, (const unsigned char *)"\xff", 1);

	check_numeric(seg, m);
}

static void test_roundtrip(void **state)
{
	(void)state;
	static const struct {
		uint64_t seed;
		uint32_t ndocs;
		size_t nterms, nnums;
	} cases[] = {
		{1, 1, 3, 0},
		{2, 7, 40, 5},
		{3, 600, 700, 2000},
		{4, 1300, 300, 100},
	};
	for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
		model m;
		model_build(&m, cases[c].seed, cases[c].ndocs, cases[c].nterms, cases[c].nnums, "d");
		tc_seg_info info;
		/* positions coded by the caller and side files on their own thread: the same
		   bytes as the writer alone makes */
		write_model_with(&m, c + 100, &info, 0, 1);
		write_model(&m, c + 1, &info);
		for (size_t x = 0; x < 5; x++) {
			static const char *const exts[] = {"pst", "pos", "num", "ids", "fln"};
			char a[512], b[512];
			snprintf(a, sizeof a, "%s/%016llx.%s", tmpdir, (unsigned long long)(c + 1), exts[x]);
			snprintf(b, sizeof b, "%s/%016llx.%s", tmpdir, (unsigned long long)(c + 100),
			         exts[x]);
			size_t la = 0, lb = 0;
			char *fa = tu_read_file(a, &la), *fb = tu_read_file(b, &lb);
			if (fa == NULL || fb == NULL || la != lb || memcmp(fa, fb, la) != 0)
				fail_msg("%s: coded positions make other bytes", exts[x]);
			free(fa);
			free(fb);
		}
		assert_int_equal(info.ndocs, m.ndocs);
		assert_int_equal(info.nterms, m.nterms);
		tc_manifest man;
		commit_one(&info, &man);
		tc_snapshot *snap;
		OK(tc_snapshot_open(tmpdir, c % 2 ? TC_SNAP_VERIFY : 0, &snap, E));
		assert_int_equal(tc_snapshot_nsegments(snap), 1);
		assert_int_equal(tc_snapshot_ndocs(snap), m.ndocs);
		assert_int_equal(tc_snapshot_nlive(snap), m.ndocs);
		assert_string_equal(tc_snapshot_field_name(snap, 1), "body");
		assert_int_equal(tc_snapshot_field_id(snap, "extra"), 2);
		const tc_segment *seg = tc_snapshot_segment(snap, 0);
		check_segment(seg, &m);
		/* the repeated lists of the model are written once, of one block or several
		   (shared[2]: several, exact forms written everywhere aside: they point to their
		   base's list) */
		size_t shared[4] = {0};
		tc_termit *it;
		OK(tc_termit_open(seg, "", 0, &it, E));
		const unsigned char *k;
		size_t klen;
		tc_term_info ti;
		tc_error ie = {0};
		while (tc_termit_next(it, &k, &klen, &ti, &ie) == 1) {
			shared[0] += (ti.shared & TC_SHARED_DOCS) != 0;
			shared[1] += (ti.shared & TC_SHARED_POS) != 0;
			shared[2] += ti.shared && ti.df > 128 && !tc_term_exact_everywhere(&ti);
			shared[3] += tc_term_exact_everywhere(&ti);
		}
		tc_termit_free(it);
		if (m.nterms >= 300)
			assert_true(shared[0] > 0 && shared[1] > 0 && shared[2] > 0 && shared[3] > 0);
		tc_buf report = {0};
		tc_error e = {0};
		int rc = tc_index_check(tmpdir, &report, &e);
		if (rc != TC_OK)
			fail_msg("check: %s", report.data);
		tc_buf_free(&report);
		tc_snapshot_release(snap);
		tc_manifest_free(&man);
		model_free(&m);
	}
}

static int file_exists(const char *name)
{
	char p[512];
	snprintf(p, sizeof p, "%s/%s", tmpdir, name);
	return access(p, F_OK) == 0;
}

static void test_manifest(void **state)
{
	(void)state;
	tc_manifest m = {0}, r;
	tc_error e = {0};
	assert_int_equal(tc_manifest_read(tmpdir, &r, &e), TC_ENOENT);
	assert_int_equal(tc_manifest_field_add(&m, "title", &e), 0);
	assert_int_equal(tc_manifest_field_add(&m, "body", &e), 1);
	assert_int_equal(tc_manifest_field_add(&m, "title", &e), 0);
	assert_int_equal(tc_manifest_field_add(&m, "", &e), TC_EINVAL);
	uint64_t a = tc_manifest_new_seg_id(&m), b = tc_manifest_new_seg_id(&m);
	tc_manifest_add_seg(&m, a, 10);
	tc_manifest_add_seg(&m, b, 20);
	m.segs[1].del_gen = tc_manifest_new_del_gen(&m);
	m.segs[1].ndeleted = 3;
	OK(tc_manifest_commit(tmpdir, &m, E));
	assert_int_equal(m.generation, 1);
	OK(tc_manifest_read(tmpdir, &r, E));
	assert_int_equal(r.generation, 1);
	assert_int_equal(r.nsegs, 2);
	assert_int_equal(r.segs[1].ndocs, 20);
	assert_int_equal(r.segs[1].ndeleted, 3);
	assert_int_equal(r.segs[1].del_gen, 1);
	assert_string_equal(r.fields[1], "body");
	assert_int_equal(tc_manifest_find_seg(&r, b), 1);
	tc_manifest_free(&r);

	/* invalid manifests are refused and leave the commit point alone */
	static const struct {
		int field;                    /* what to break */
	} bad[] = {{0}, {1}, {2}, {3}};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		tc_manifest c;
		tc_manifest_copy(&c, &m);
		switch (bad[i].field) {
		case 0: c.segs[1].id = c.segs[0].id; break;              /* duplicate segment */
		case 1: c.segs[0].ndeleted = 11; break;                  /* more deleted than docs */
		case 2: c.segs[0].id = c.next_seg_id; break;             /* id not allocated */
		case 3: free(c.fields[1]); c.fields[1] = tc_strdup("title"); break;  /* dup field */
		}
		assert_int_equal(tc_manifest_commit(tmpdir, &c, &e), TC_EINVAL);
		tc_error_clear(&e);
		tc_manifest_free(&c);
	}
	OK(tc_manifest_read(tmpdir, &r, E));
	assert_int_equal(r.generation, 1);
	tc_manifest_free(&r);

	/* a crash mid-write leaves MANIFEST.tmp behind: ignored, then collected */
	char p[512];
	snprintf(p, sizeof p, "%s/MANIFEST.tmp", tmpdir);
	FILE *t = fopen(p, "w");
	fputs("half a manifest", t);
	fclose(t);
	OK(tc_manifest_read(tmpdir, &r, E));
	assert_int_equal(r.generation, 1);
	tc_manifest_free(&r);
	tc_manifest_remove_seg(&m, 0);
	OK(tc_manifest_commit(tmpdir, &m, E));
	OK(tc_manifest_read(tmpdir, &r, E));
	assert_int_equal(r.generation, 2);
	assert_int_equal(r.nsegs, 1);
	assert_int_equal(r.segs[0].id, b);
	tc_manifest_free(&r);
	size_t removed;
	OK(tc_index_gc(tmpdir, &m, NULL, 0, &removed, E));
	assert_false(file_exists("MANIFEST.tmp"));
	tc_manifest_free(&m);

	/* the lock is exclusive */
	int fd, fd2;
	OK(tc_index_lock(tmpdir, &fd, E));
	assert_int_equal(tc_index_lock(tmpdir, &fd2, &e), TC_ELOCKED);
	tc_index_unlock(fd);
	OK(tc_index_lock(tmpdir, &fd2, E));
	tc_index_unlock(fd2);
}

/* A writer killed at random instants never leaves a manifest that does not read. */
static void test_manifest_crash(void **state)
{
	(void)state;
	tc_manifest m = {0};
	tc_error e = {0};
	tc_manifest_field_add(&m, "title", &e);
	OK(tc_manifest_commit(tmpdir, &m, E));
	rng_seed(77);
	for (int round = 0; round < 12; round++) {
		uint64_t gen0 = m.generation;
		pid_t pid = fork();
		if (pid == 0) {
			for (;;) {  /* commit as fast as possible, growing the manifest */
				tc_manifest_add_seg(&m, tc_manifest_new_seg_id(&m), 1);
				if (tc_manifest_commit(tmpdir, &m, NULL) != TC_OK)
					_exit(1);
			}
		}
		/* let the child commit at least once, then kill it at a random instant */
		tc_manifest r;
		for (int spin = 0; spin < 5000; spin++) {
			OK(tc_manifest_read(tmpdir, &r, E));
			uint64_t g = r.generation;
			tc_manifest_free(&r);
			if (g > gen0)
				break;
			usleep(1000);
		}
		usleep(rnd(4000));
		kill(pid, SIGKILL);
		int st;
		waitpid(pid, &st, 0);
		OK(tc_manifest_read(tmpdir, &r, E));
		/* commit k of the child adds segment id k-1 as the k-th segment, generation k+1 */
		assert_true(r.generation > gen0);
		assert_int_equal(r.nsegs, r.generation - 1);
		for (size_t i = 0; i < r.nsegs; i++)
			assert_int_equal(r.segs[i].id, i);
		tc_manifest_free(&m);
		m = r;  /* the next child goes on from the last commit */
	}
	tc_manifest_free(&m);
}

/* The reference of merging ms[] with deletes del[i] (bitsets): live docs renumbered. */
static void model_merge(model *out, const model *ms, size_t n, uint8_t *const *del)
{
	memset(out, 0, sizeof *out);
	uint32_t **map = tc_calloc(n, sizeof *map);
	for (size_t i = 0; i < n; i++) {
		map[i] = tc_malloc((ms[i].ndocs + 1) * sizeof **map);
		for (uint32_t d = 0; d < ms[i].ndocs; d++)
			map[i][d] = del[i][d >> 3] >> (d & 7) & 1 ? UINT32_MAX : out->ndocs++;
	}
	out->docs = tc_calloc(out->ndocs + 1, sizeof *out->docs);
	size_t maxterms = 0, maxnums = 0;
	for (size_t i = 0; i < n; i++) {
		for (uint32_t d = 0; d < ms[i].ndocs; d++) {
			if (map[i][d] == UINT32_MAX)
				continue;
			rdoc *r = &out->docs[map[i][d]];
			*r = ms[i].docs[d];
			r->title = tc_strdup(r->title);
			r->body = tc_strdup(r->body);
		}
		maxterms += ms[i].nterms;
		maxnums += ms[i].nnums;
	}
	out->nums = tc_calloc(maxnums + 1, sizeof *out->nums);
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < ms[i].nnums; j++)
			if (map[i][ms[i].nums[j].doc] != UINT32_MAX) {
				out->nums[out->nnums] = ms[i].nums[j];
				out->nums[out->nnums++].doc = map[i][ms[i].nums[j].doc];
			}
	/* all keys, sorted and unique; each key's postings from every input in order */
	out->terms = tc_calloc(maxterms + 1, sizeof *out->terms);
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < ms[i].nterms; j++) {
			rterm *t = &out->terms[out->nterms++];
			memcpy(t->key, ms[i].terms[j].key, ms[i].terms[j].len);
			t->len = ms[i].terms[j].len;
		}
	qsort(out->terms, out->nterms, sizeof *out->terms, key_cmp);
	size_t u = 0;
	for (size_t j = 0; j < out->nterms; j++)
		if (u == 0 || key_cmp(&out->terms[u - 1], &out->terms[j]) != 0)
			out->terms[u++] = out->terms[j];
	out->nterms = u;
	u = 0;
	for (size_t j = 0; j < out->nterms; j++) {
		rterm t = out->terms[j];
		t.docs = tc_malloc((out->ndocs + 1) * sizeof *t.docs);
		t.freqs = tc_malloc((out->ndocs + 1) * sizeof *t.freqs);
		t.pos = tc_calloc(out->ndocs + 1, sizeof *t.pos);
		t.n = 0;
		for (size_t i = 0; i < n; i++) {
			const rterm *s = bsearch(&t, ms[i].terms, ms[i].nterms, sizeof t, key_cmp);
			for (uint32_t k = 0; s && k < s->n; k++) {
				if (map[i][s->docs[k]] == UINT32_MAX)
					continue;
				t.docs[t.n] = map[i][s->docs[k]];
				t.freqs[t.n] = s->freqs[k];
				if (s->pos[k]) {
					t.pos[t.n] = tc_malloc(s->freqs[k] * sizeof **t.pos);
					memcpy(t.pos[t.n], s->pos[k], s->freqs[k] * sizeof **t.pos);
				}
				t.n++;
			}
		}
		if (t.n == 0) {  /* every doc of the key deleted: the key goes */
			free(t.docs);
			free(t.freqs);
			free(t.pos);
			continue;
		}
		out->terms[u++] = t;
	}
	out->nterms = u;
	model_bases(out);
	for (size_t i = 0; i < n; i++)
		free(map[i]);
	free(map);
}

static uint8_t *random_deletes(uint32_t ndocs, unsigned percent)
{
	uint8_t *bits = tc_calloc(ndocs / 8 + 1, 1);
	for (uint32_t d = 0; d < ndocs; d++)
		if (rnd(100) < percent)
			bits[d >> 3] |= (uint8_t)(1u << (d & 7));
	return bits;
}

static void test_deletes_merge_gc(void **state)
{
	(void)state;
	enum { N = 3 };
	model ms[N];
	model_build(&ms[0], 10, 300, 400, 500, "a");
	model_build(&ms[1], 11, 5, 20, 10, "b");
	model_build(&ms[2], 12, 400, 500, 300, "c");
	static const unsigned percent[N] = {30, 100, 10};
	tc_manifest man = {0};
	tc_error e = {0};
	tc_manifest_field_add(&man, "title", &e);
	tc_manifest_field_add(&man, "body", &e);
	tc_manifest_field_add(&man, "extra", &e);
	uint8_t *del[N];
	rng_seed(99);
	for (size_t i = 0; i < N; i++) {
		tc_seg_info info;
		uint64_t id = tc_manifest_new_seg_id(&man);
		write_model(&ms[i], id, &info);
		tc_manifest_add_seg(&man, id, info.ndocs);
		del[i] = random_deletes(ms[i].ndocs, percent[i]);
		uint64_t gen = tc_manifest_new_del_gen(&man);
		/* an older generation first: gc must remove it once replaced */
		OK(tc_del_write(tmpdir, id, gen, (const uint8_t *)"\0\0\0\0", 1, NULL, E));
		gen = tc_manifest_new_del_gen(&man);
		OK(tc_del_write(tmpdir, id, gen, del[i], ms[i].ndocs, &man.segs[i].ndeleted, E));
		man.segs[i].del_gen = gen;
		uint8_t *back;
		OK(tc_del_read(tmpdir, id, gen, ms[i].ndocs, &back, E));
		assert_memory_equal(back, del[i], ms[i].ndocs / 8);
		free(back);
	}
	assert_int_equal(man.segs[1].ndeleted, 5);
	OK(tc_manifest_commit(tmpdir, &man, E));
	size_t removed;
	OK(tc_index_gc(tmpdir, &man, NULL, 0, &removed, E));
	assert_int_equal(removed, 3);  /* the three older delete generations */

	tc_snapshot *snap;
	OK(tc_snapshot_open(tmpdir, 0, &snap, E));
	uint64_t live = 0;
	for (size_t i = 0; i < N; i++) {
		const tc_segment *seg = tc_snapshot_segment(snap, i);
		for (uint32_t d = 0; d < ms[i].ndocs; d++) {
			int dd = del[i][d >> 3] >> (d & 7) & 1;
			assert_int_equal(tc_seg_is_deleted(seg, d), dd);
			live += !dd;
		}
		assert_int_equal(tc_seg_is_deleted(seg, ms[i].ndocs), 1);
	}
	assert_int_equal(tc_snapshot_nlive(snap), live);
	assert_int_equal(tc_snapshot_ndocs(snap), 705);
	/* the snapshot's unit vocabulary sums the segments' */
	uint64_t total = 0;
	for (size_t i = 0; i < tc_snapshot_nunits(snap); i++) {
		const char *k;
		size_t len;
		uint64_t c;
		tc_snapshot_unit(snap, i, &k, &len, &c);
		assert_int_equal(tc_snapshot_unit_count(snap, k, len), c);
		total += c;
	}
	assert_int_equal(total, 810);
	assert_int_equal(tc_snapshot_unit_count(snap, "nope", 4), 0);

	/* merge in small steps */
	const tc_segment *in[N];
	for (size_t i = 0; i < N; i++)
		in[i] = tc_snapshot_segment(snap, i);
	uint64_t mid = tc_manifest_new_seg_id(&man);
	tc_merge *mg;
	OK(tc_merge_begin(tmpdir, mid, snap, in, N, 3, &mg, E));
	int rc;
	size_t steps = 0;
	while ((rc = tc_merge_step(mg, 7, &e)) == 1)
		steps++;
	assert_int_equal(rc, 0);
	assert_true(steps > 100);
	uint32_t next = 0;
	for (size_t i = 0; i < N; i++)
		for (uint32_t d = 0; d < ms[i].ndocs; d++)
			assert_int_equal(tc_merge_map(mg, i, d),
			                 del[i][d >> 3] >> (d & 7) & 1 ? TC_DOC_END : next++);
	tc_seg_info info;
	OK(tc_merge_finish(mg, &info, E));
	assert_int_equal(info.ndocs, live);

	/* an unfinished segment being written (id 50) must survive gc while in flight */
	tc_segw *w;
	OK(tc_segw_open(tmpdir, 50, 3, &w, E));
	tc_manifest old;
	tc_manifest_copy(&old, &man);
	for (size_t i = 0; i < N; i++)
		tc_manifest_remove_seg(&man, 0);
	tc_manifest_add_seg(&man, info.id, info.ndocs);
	man.next_seg_id = 60;
	OK(tc_manifest_commit(tmpdir, &man, E));
	uint64_t keep = 50;
	OK(tc_index_gc(tmpdir, &man, &keep, 1, &removed, E));
	assert_int_equal(removed, 3 * 7 + 3);  /* three segments and their .del files */
	assert_true(file_exists("0000000000000032.pst"));
	tc_segw_abort(w);
	assert_false(file_exists("0000000000000032.pst"));

	/* the old snapshot still reads its (now unlinked) files */
	tc_doc doc = {0};
	OK(tc_seg_doc_get(in[2], 399, &doc, E));
	assert_string_equal(doc.id, ms[2].docs[399].id);
	tc_doc_free(&doc);
	tc_snapshot_release(snap);

	model want;
	model_merge(&want, ms, N, del);
	OK(tc_snapshot_open(tmpdir, 0, &snap, E));
	assert_int_equal(tc_snapshot_nsegments(snap), 1);
	check_segment(tc_snapshot_segment(snap, 0), &want);
	tc_snapshot_release(snap);
	tc_buf report = {0};
	if (tc_index_check(tmpdir, &report, &e) != TC_OK)
		fail_msg("check: %s", report.data);
	tc_buf_free(&report);

	model_free(&want);
	for (size_t i = 0; i < N; i++) {
		model_free(&ms[i]);
		free(del[i]);
	}
	tc_manifest_free(&old);
	tc_manifest_free(&man);
}

/* Reads everything a snapshot offers; returns the first error (TC_ECORRUPT expected). */
static int read_everything(const tc_snapshot *snap)
{
	tc_error e = {0};
	int rc = TC_OK;
	for (size_t i = 0; i < tc_snapshot_nsegments(snap); i++) {
		const tc_segment *seg = tc_snapshot_segment(snap, i);
		tc_termit *it;
		if ((rc = tc_termit_open(seg, "", 0, &it, &e)) != TC_OK)
			return rc;
		const unsigned char *k;
		size_t len;
		tc_term_info ti;
		while ((rc = tc_termit_next(it, &k, &len, &ti, &e)) == 1) {
			/* a key the walk meets and the lookup misses: damage noticed (in the block
			   index's first keys, which only lookups read) */
			tc_term_info ti2;
			if ((rc = tc_seg_term_lookup(seg, k, len, &ti2, &e)) != TC_OK) {
				rc = rc == TC_ENOENT ? TC_ECORRUPT : rc;
				break;
			}
			tc_postings *p;
			if ((rc = tc_postings_open(seg, &ti, &p, &e)) != TC_OK)
				break;
			/* whole, as bits (bounds-checked like any read: ASan watches the bitmap) */
			uint64_t *bits = tc_calloc((tc_seg_ndocs(seg) + 63) / 64 + 1, sizeof *bits);
			rc = tc_postings_fill_bits(p, bits, &e);
			free(bits);
			if (rc != TC_OK) {
				tc_postings_free(p);
				break;
			}
			tc_postings_shallow(p, 1000);
			for (uint32_t d = tc_postings_next(p); d != TC_DOC_END; d = tc_postings_next(p)) {
				const uint32_t *pos;
				uint32_t n;
				if (ti.has_pos && tc_postings_positions(p, &pos, &n, &e) != TC_OK)
					break;
			}
			rc = tc_postings_error(p, &e);
			tc_postings_free(p);
			if (rc != TC_OK)
				break;
		}
		tc_termit_free(it);
		if (rc < 0)
			return rc;
		tc_doc doc = {0};
		for (uint32_t d = 0; d < tc_seg_ndocs(seg) && rc == TC_OK; d++) {
			rc = tc_seg_doc_get(seg, d, &doc, &e);
			uint32_t got;
			if (rc == TC_OK && tc_seg_id_lookup(seg, doc.id, doc.id_len, &got, &e) == TC_OK &&
			    got != d)
				rc = TC_ECORRUPT;
		}
		tc_doc_free(&doc);
		if (rc != TC_OK)
			return rc;
		tc_num_hits h = {0};
		tc_num_docs docs = {0};
		tc_num_range all = {-INFINITY, INFINITY, 1, 1};
		for (size_t u = 0; u < tc_seg_nunits(seg) && rc == TC_OK; u++) {
			const char *key;
			size_t n;
			uint64_t c;
			tc_seg_unit(seg, u, &key, &n, &c);
			rc = tc_seg_num_range(seg, key, n, &all, &h, &e);
			if (rc == TC_OK)  /* the docs alone step over positions and fields */
				rc = tc_seg_num_range_docs(seg, key, n, &all, &docs, &e);
		}
		tc_num_hits_free(&h);
		tc_num_docs_free(&docs);
		if (rc != TC_OK)
			return rc;
	}
	return TC_OK;
}

static void flip(const char *path, long off, unsigned char x)
{
	FILE *f = fopen(path, "r+b");
	assert_non_null(f);
	fseek(f, off, SEEK_SET);
	int c = fgetc(f);
	fseek(f, off, SEEK_SET);
	fputc(c ^ x, f);
	fclose(f);
}

static long file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static void test_corruption(void **state)
{
	(void)state;
	model m;
	model_build(&m, 5, 400, 300, 300, "x");
	tc_seg_info info;
	write_model(&m, 7, &info);
	tc_manifest man;
	commit_one(&info, &man);
	uint8_t *del = random_deletes(m.ndocs, 20);
	man.segs[0].del_gen = tc_manifest_new_del_gen(&man);
	OK(tc_del_write(tmpdir, 7, man.segs[0].del_gen, del, m.ndocs, &man.segs[0].ndeleted, E));
	OK(tc_manifest_commit(tmpdir, &man, E));
	free(del);
	tc_buf report = {0};
	tc_error e = {0};
	assert_int_equal(tc_index_check(tmpdir, &report, &e), TC_OK);

	static const struct {
		const char *name;
		int small;  /* checksum verified at every open */
	} files[] = {
		{"MANIFEST", 1},
		{"0000000000000007.0000000000000001.del", 1},
		{"0000000000000007.fln", 1},
		{"0000000000000007.ids", 1},
		{"0000000000000007.num", 1},
		{"0000000000000007.tdx", 0},
		{"0000000000000007.pst", 0},
		{"0000000000000007.pos", 0},
		{"0000000000000007.doc", 0},
	};
	rng_seed(4242);
	size_t silent = 0, flips = 0;
	for (size_t fi = 0; fi < sizeof files / sizeof *files; fi++) {
		char path[512];
		snprintf(path, sizeof path, "%s/%s", tmpdir, files[fi].name);
		long size = file_size(path);
		assert_true(size > 24);
		long offs[24] = {0, 3, 4, 7, 8, 9, size - 16, size - 9, size - 8, size - 1,
		                 size / 2, size - 17, size - 30};
		for (size_t k = 13; k < 24; k++)
			offs[k] = (long)rnd((uint32_t)size);
		for (size_t k = 0; k < 24; k++) {
			unsigned char x = (unsigned char)(1u << rnd(8));
			flip(path, offs[k], x);
			flips++;
			report.len = 0;
			tc_error_clear(&e);
			int rc = tc_index_check(tmpdir, &report, &e);
			if (rc != TC_ECORRUPT)
				fail_msg("%s: flip at %ld not caught by check (%d)", files[fi].name, offs[k], rc);
			if (strstr(e.msg, strchr(files[fi].name, '.') ? strrchr(files[fi].name, '.')
			                                              : files[fi].name) == NULL)
				fail_msg("%s: flip at %ld: message names another file: %s", files[fi].name,
				         offs[k], e.msg);
			tc_snapshot *snap;
			tc_error_clear(&e);
			assert_int_equal(tc_snapshot_open(tmpdir, TC_SNAP_VERIFY, &snap, &e), TC_ECORRUPT);
			tc_error_clear(&e);
			rc = tc_snapshot_open(tmpdir, 0, &snap, &e);
			if (files[fi].small) {
				assert_int_equal(rc, TC_ECORRUPT);
			} else if (rc == TC_OK) {
				rc = read_everything(snap);  /* must not crash; may not notice */
				assert_true(rc == TC_OK || rc == TC_ECORRUPT);
				silent += rc == TC_OK;
				tc_snapshot_release(snap);
			} else {
				assert_int_equal(rc, TC_ECORRUPT);
			}
			flip(path, offs[k], x);
		}
		/* a truncated file, then one whose tail was zeroed */
		size_t len = 0;
		char *saved = tu_read_file(path, &len);
		assert_non_null(saved);
		assert_int_equal(truncate(path, size - 5), 0);
		tc_snapshot *snap;
		assert_int_equal(tc_snapshot_open(tmpdir, 0, &snap, &e), TC_ECORRUPT);
		assert_int_equal(tc_index_check(tmpdir, NULL, &e), TC_ECORRUPT);
		assert_int_equal(truncate(path, size), 0);
		assert_int_equal(tc_index_check(tmpdir, NULL, &e), TC_ECORRUPT);
		FILE *f = fopen(path, "wb");
		fwrite(saved, 1, len, f);
		fclose(f);
		free(saved);
		tc_error_clear(&e);
		assert_int_equal(tc_index_check(tmpdir, NULL, &e), TC_OK);
	}
	print_message("%zu flips; %zu read without an error by a reader that skips the checksums "
	              "of big files (check caught all)\n", flips, silent);
	tc_buf_free(&report);
	tc_manifest_free(&man);
	model_free(&m);
}

/* ---- the numeric index: edge values and block boundaries ---- */

static void add_num(model *m, size_t *cap, const char *unit, double v)
{
	if (m->nnums == *cap) {
		*cap = *cap ? 2 * *cap : 256;
		m->nums = tc_realloc(m->nums, *cap * sizeof *m->nums);
	}
	rnum *r = &m->nums[m->nnums++];
	snprintf(r->unit, sizeof r->unit, "%s", unit);
	r->v = v;
	r->doc = rnd(m->ndocs);
	r->pos = rnd(8) == 0 ? 3000000000u + rnd(5) : rnd(300);
	r->field = (uint8_t)(rnd(10) == 0 ? 200 + rnd(50) : rnd(2));
}

/* Every kind of range over unit u: open ends, each value as a point and as either
   bound, and bounds between values. */
static void check_unit_ranges(const tc_segment *seg, const model *m, const char *u)
{
	double *vals = tc_malloc((m->nnums + 2) * sizeof *vals);
	size_t nv = 0, total = 0;
	for (size_t i = 0; i < m->nnums; i++)
		if (strcmp(m->nums[i].unit, u) == 0)
			vals[nv++] = m->nums[i].v, total++;
	vals[nv++] = -0.0;
	vals[nv++] = 0.5;
	static const double inf = INFINITY;
	tc_num_range all = {-inf, inf, 1, 1};
	assert_int_equal(check_range(seg, m, u, &all), total);
	for (size_t k = 0; k < 40 && nv; k++) {
		double x = vals[rnd((uint32_t)nv)], y = vals[rnd((uint32_t)nv)];
		int a = (int)rnd(2), b = (int)rnd(2);
		tc_num_range rs[] = {
			{x, x, 1, 1}, {x, inf, a, 1}, {-inf, x, 1, b}, {x < y ? x : y, x < y ? y : x, a, b},
			{nextafter(x, -inf), nextafter(x, inf), 0, 0}, {y, x, 1, 1},
		};
		for (size_t j = 0; j < sizeof rs / sizeof *rs; j++)
			check_range(seg, m, u, &rs[j]);
	}
	free(vals);
}

static void test_numeric_edges(void **state)
{
	(void)state;
	static const double special[] = {
		0.0, -0.0, 1, -1, 0.1, -0.1, 0.07, 0.071, 2.5, 1e-5, 3.141592653589793, 1.0 / 3,
		DBL_MAX, -DBL_MAX, DBL_MIN, -DBL_MIN, 4.9e-324, -4.9e-324, 1e308, -1e308, 1e-300,
		9007199254740992.0, 9007199254740994.0, 9007199254740991.0, -9007199254740991.0,
		4503599627370495.5, 1e20, -1e20, 123456789.123, 90071992547409.9, 1.0000000000000002,
		-2.5, 99.99, -99.99, 1e15 + 0.25, 18446744073709551616.0,
	};
	model m;
	model_build(&m, 11, 300, 5, 0, "n");
	size_t cap = 0;
	/* units sort a, b, c, ...: their entries follow each other in the blocks of 128 */
	for (int i = 0; i < 128; i++)
		add_num(&m, &cap, "a", (double)rnd(1000) / 3.0 - 100);  /* fills block 0 exactly */
	add_num(&m, &cap, "b", 5);                                    /* one entry: block 1 */
	for (int i = 0; i < 127; i++)
		add_num(&m, &cap, "c", (double)rnd(50) / 10.0);           /* ends at block 2 */
	add_num(&m, &cap, "d", -7);                                   /* alone on block 2 */
	for (int i = 0; i < 3000; i++)                                /* many blocks, repeats */
		add_num(&m, &cap, "e", rnd(3) == 0 ? (double)rnd(20) - 10 : 2024);
	for (size_t i = 0; i < sizeof special / sizeof *special; i++)
		for (uint32_t k = 1 + rnd(3); k > 0; k--)
			add_num(&m, &cap, "f", special[i]);
	for (int i = 0; i < 300; i++)                                 /* one run over 3 blocks */
		add_num(&m, &cap, "g", 7);
	add_num(&m, &cap, "h", 7);            /* the same value across unit boundaries */
	add_num(&m, &cap, "i", 7);
	add_num(&m, &cap, "j", -DBL_MAX);
	add_num(&m, &cap, "k", DBL_MAX);
	tc_seg_info info;
	write_model(&m, 1, &info);
	tc_manifest man;
	commit_one(&info, &man);
	tc_snapshot *snap;
	OK(tc_snapshot_open(tmpdir, 0, &snap, E));
	const tc_segment *seg = tc_snapshot_segment(snap, 0);
	static const char *units[] = {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"};
	for (size_t u = 0; u < sizeof units / sizeof *units; u++)
		check_unit_ranges(seg, &m, units[u]);
	tc_num_range all = {-INFINITY, INFINITY, 1, 1};
	assert_int_equal(check_range(seg, &m, "", &all), 0);
	assert_int_equal(check_range(seg, &m, "ff", &all), 0);
	tc_error e = {0};
	tc_num_hits h = {0};
	tc_num_range nan = {NAN, 1, 1, 1};
	assert_int_equal(tc_seg_num_range(seg, "a", 1, &nan, &h, &e), TC_EINVAL);
	assert_int_equal(tc_seg_nunits(seg), sizeof units / sizeof *units);
	tc_buf report = {0};
	if (tc_index_check(tmpdir, &report, &e) != TC_OK)
		fail_msg("check: %s", report.data);
	tc_buf_free(&report);
	/* more than 5 bytes an entry would mean the compact layout is not in use */
	char path[512];
	snprintf(path, sizeof path, "%s/0000000000000001.num", tmpdir);
	assert_true(file_size(path) < 40 + 16 * (long)m.nnums);
	tc_snapshot_release(snap);
	tc_manifest_free(&man);
	model_free(&m);
}

/* Rewrites the checksum of a file after its content was changed on purpose. */
static void reseal(const char *path)
{
	size_t len = 0;
	unsigned char *d = (unsigned char *)tu_read_file(path, &len);
	assert_non_null(d);
	uint64_t h = tc_hash64(d, len - 8);
	for (int i = 0; i < 8; i++)
		d[len - 8 + i] = (unsigned char)(h >> (8 * i));
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(d, 1, len, f), len);
	fclose(f);
	free(d);
}

/*
 * A .num damaged with its checksum made to match (hostile or buggy writer): opening,
 * every range and check must fail cleanly with TC_ECORRUPT naming the file, or read
 * some other well-formed index; never crash or read outside the file (ASan).
 */
static void test_numeric_hostile(void **state)
{
	(void)state;
	model m;
	model_build(&m, 12, 200, 5, 700, "h");
	tc_seg_info info;
	write_model(&m, 3, &info);
	tc_manifest man;
	commit_one(&info, &man);
	char path[512];
	snprintf(path, sizeof path, "%s/0000000000000003.num", tmpdir);
	size_t len = 0;
	char *saved = tu_read_file(path, &len);
	assert_non_null(saved);
	rng_seed(77);
	size_t caught = 0, tries = 400;
	for (size_t k = 0; k < tries; k++) {
		/* content only: the frame has its own tests */
		long off = 8 + (long)rnd((uint32_t)(len - 24));
		flip(path, off, (unsigned char)(1u << rnd(8)));
		if (k % 3 == 0)
			flip(path, 8 + (long)rnd((uint32_t)(len - 24)), (unsigned char)(1u << rnd(8)));
		reseal(path);
		tc_snapshot *snap;
		tc_error e = {0};
		int rc = tc_snapshot_open(tmpdir, 0, &snap, &e);
		if (rc == TC_OK) {
			rc = read_everything(snap);
			tc_snapshot_release(snap);
		}
		assert_true(rc == TC_OK || rc == TC_ECORRUPT);
		tc_error_clear(&e);
		int crc = tc_index_check(tmpdir, NULL, &e);
		assert_true(crc == TC_OK || crc == TC_ECORRUPT);
		if (rc == TC_ECORRUPT || crc == TC_ECORRUPT) {
			assert_non_null(strstr(e.msg, ".num"));
			caught++;
		}
		FILE *f = fopen(path, "wb");
		fwrite(saved, 1, len, f);
		fclose(f);
	}
	/* damage to positions, fields, docs and key bytes often leaves another valid index
	   (about 30 % is caught with this seed); a reader that checks nothing catches none */
	print_message("%zu of %zu resealed damages caught\n", caught, tries);
	assert_true(caught > tries / 5);

	/* an older layout is refused as a version, not as damage */
	FILE *f = fopen(path, "r+b");
	fseek(f, 4, SEEK_SET);
	fputc(1, f);
	fclose(f);
	reseal(path);
	tc_snapshot *snap;
	tc_error e = {0};
	assert_int_equal(tc_snapshot_open(tmpdir, 0, &snap, &e), TC_EVERSION);
	tc_error_clear(&e);
	assert_int_equal(tc_index_check(tmpdir, NULL, &e), TC_EVERSION);  /* not "damaged" */
	assert_non_null(strstr(e.msg, "format version"));
	f = fopen(path, "wb");
	fwrite(saved, 1, len, f);
	fclose(f);
	assert_int_equal(tc_index_check(tmpdir, NULL, &e), TC_OK);
	free(saved);
	tc_manifest_free(&man);
	model_free(&m);
}

/* ---- the id map: every kind of id through writer, reader, check and merge ---- */

/* Appends a random UTF-8 run of n letters, Vietnamese ones among them. */
static void rand_letters(tc_buf *b, size_t n)
{
	static const char *const letters[] = {"a", "đ", "ệ", "ữ", "Ấ", "z", "-", "0", "9", "ơ"};
	for (size_t i = 0; i < n; i++) {
		const char *l = letters[rnd(10)];
		tc_buf_append(b, l, strlen(l));
	}
}

/*
 * A new id for doc d, not equal to any of ids[0..d): news-like numbers, non-ASCII words,
 * ids of up to TC_MAX_ID bytes sharing long prefixes (past a token nibble), extensions
 * of an earlier id (which is then a prefix of it), raw bytes 0x00 and 0xff.
 */
static char *new_id(char **ids, uint32_t *lens, uint32_t d, uint32_t *len)
{
	for (;;) {
		tc_buf b = {0};
		switch (rnd(6)) {
		case 0:
			tc_buf_printf(&b, "baomoi-%08u", (unsigned)(21000000 + rnd(900000)));
			break;
		case 1:
			tc_buf_append(&b, "tài-liệu/", strlen("tài-liệu/"));
			rand_letters(&b, 1 + rnd(12));
			break;
		case 2:
			tc_buf_append(&b, "long:", 5);
			while (b.len < TC_MAX_ID - 40 - rnd(300))
				tc_buf_putc(&b, (char)('a' + b.len % 3));
			rand_letters(&b, rnd(10));
			break;
		case 3:
			if (d > 0) {
				uint32_t o = (uint32_t)rnd(d);
				tc_buf_append(&b, ids[o], lens[o]);
			}
			rand_letters(&b, 1 + rnd(2));
			break;
		case 4:
			tc_buf_putc(&b, (char)(rnd(2) ? 0x00 : 0xff));
			for (size_t k = rnd(4); k > 0; k--)
				tc_buf_putc(&b, (char)rnd(256));
			break;
		default:
			tc_buf_printf(&b, "%u", (unsigned)rnd(1000));
			break;
		}
		if (b.len > TC_MAX_ID)
			b.len = TC_MAX_ID;
		int dup = 0;
		for (uint32_t o = 0; o < d && !dup; o++)
			dup = lens[o] == b.len && memcmp(ids[o], b.data, b.len) == 0;
		if (!dup && b.len > 0) {
			*len = (uint32_t)b.len;
			return b.data;
		}
		tc_buf_free(&b);
	}
}

static int mem_cmp(const char *a, uint32_t na, const char *b, uint32_t nb)
{
	int c = memcmp(a, b, na < nb ? na : nb);
	return c ? c : (na > nb) - (na < nb);
}

/* Sorts ids (and lens alongside) in id order: a corpus added in id order. */
static void sort_ids(char **ids, uint32_t *lens, uint32_t n)
{
	for (uint32_t i = 1; i < n; i++)
		for (uint32_t j = i; j > 0 && mem_cmp(ids[j - 1], lens[j - 1], ids[j], lens[j]) > 0;
		     j--) {
			char *t = ids[j];
			ids[j] = ids[j - 1];
			ids[j - 1] = t;
			uint32_t l = lens[j];
			lens[j] = lens[j - 1];
			lens[j - 1] = l;
		}
}

/* Writes docs [from, to) of ids as segment seg_id (no fields, no terms). */
static void write_ids(uint64_t seg_id, char **ids, const uint32_t *lens, uint32_t from,
                      uint32_t to, tc_seg_info *info)
{
	tc_segw *w;
	OK(tc_segw_open(tmpdir, seg_id, NF, &w, E));
	for (uint32_t d = from; d < to; d++)
		OK(tc_segw_add_doc(w, ids[d], lens[d], NULL, 0, NULL, E));
	OK(tc_segw_finish(w, info, E));
}

/* Every doc of seg has its id (ids[first + d]) both ways; ids that are not there are
   not found. */
static void check_ids(const tc_segment *seg, char **ids, const uint32_t *lens, uint32_t first)
{
	uint32_t n = tc_seg_ndocs(seg);
	for (uint32_t d = 0; d < n; d++) {
		const char *id;
		uint32_t len, got;
		OK(tc_seg_doc_id(seg, d, &id, &len));
		assert_int_equal(len, lens[first + d]);
		assert_memory_equal(id, ids[first + d], len);
		OK(tc_seg_id_lookup(seg, ids[first + d], lens[first + d], &got, E));
		assert_int_equal(got, d);
		/* a neighbour that is not an id: one byte more, or one byte less */
		char probe[TC_MAX_ID + 1];
		memcpy(probe, ids[first + d], len);
		probe[len] = '\x01';
		for (uint32_t plen = len - 1; plen <= len + 1; plen += 2) {
			int known = 0;
			for (uint32_t o = 0; o < n && !known; o++)
				known = mem_cmp(ids[first + o], lens[first + o], probe, plen) == 0;
			tc_error e = {0};
			if (!known && plen > 0)
				assert_int_equal(tc_seg_id_lookup(seg, probe, plen, &got, &e), TC_ENOENT);
		}
	}
	tc_error e = {0};
	uint32_t got;
	assert_int_equal(tc_seg_id_lookup(seg, "\xff\xff\xff\xff\xff", 5, &got, &e), TC_ENOENT);
	assert_int_equal(tc_seg_id_lookup(seg, "", 0, &got, &e), TC_ENOENT);
	const char *id;
	uint32_t len;
	assert_int_equal(tc_seg_doc_id(seg, n, &id, &len), TC_ENOENT);
}

static void test_ids_roundtrip(void **state)
{
	(void)state;
	static const struct {
		uint32_t ndocs;
		int order;  /* 0: random; 1: added in id order; 2: in id order but for a few */
	} cases[] = {
		{1, 0}, {2, 0}, {31, 1}, {32, 1}, {33, 2}, {64, 0}, {65, 1}, {700, 0}, {700, 1},
		{700, 2},
	};
	rng_seed(2024);
	for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
		uint32_t n = cases[c].ndocs;
		char **ids = tc_malloc(n * sizeof *ids);
		uint32_t *lens = tc_malloc(n * sizeof *lens);
		for (uint32_t d = 0; d < n; d++)
			ids[d] = new_id(ids, lens, d, &lens[d]);
		if (cases[c].order)
			sort_ids(ids, lens, n);
		for (uint32_t k = 0; cases[c].order == 2 && k < n / 10; k++) {
			uint32_t a = (uint32_t)rnd(n), b = (uint32_t)rnd(n);
			char *t = ids[a];
			ids[a] = ids[b];
			ids[b] = t;
			uint32_t l = lens[a];
			lens[a] = lens[b];
			lens[b] = l;
		}
		/* two segments (the second empty for one doc), then their merge */
		tc_seg_info a, b;
		write_ids(1, ids, lens, 0, (n + 1) / 2, &a);
		write_ids(2, ids, lens, (n + 1) / 2, n, &b);
		tc_manifest man;
		commit_one(&a, &man);
		tc_manifest_add_seg(&man, b.id, b.ndocs);
		man.next_seg_id = 4;
		OK(tc_manifest_commit(tmpdir, &man, E));
		tc_error e = {0};
		assert_int_equal(tc_index_check(tmpdir, NULL, &e), TC_OK);
		tc_snapshot *snap;
		OK(tc_snapshot_open(tmpdir, 0, &snap, E));
		check_ids(tc_snapshot_segment(snap, 0), ids, lens, 0);
		check_ids(tc_snapshot_segment(snap, 1), ids, lens, (n + 1) / 2);
		const tc_segment *in[2] = {tc_snapshot_segment(snap, 0), tc_snapshot_segment(snap, 1)};
		tc_merge *mg;
		OK(tc_merge_begin(tmpdir, 3, snap, in, 2, NF, &mg, E));
		int rc;
		while ((rc = tc_merge_step(mg, 50, &e)) == 1)
			;
		assert_int_equal(rc, 0);
		tc_seg_info m;
		OK(tc_merge_finish(mg, &m, E));
		tc_snapshot_release(snap);
		tc_manifest_remove_seg(&man, 0);
		tc_manifest_remove_seg(&man, 0);
		tc_manifest_add_seg(&man, m.id, m.ndocs);
		OK(tc_manifest_commit(tmpdir, &man, E));
		assert_int_equal(tc_index_check(tmpdir, NULL, &e), TC_OK);
		OK(tc_snapshot_open(tmpdir, 0, &snap, E));
		check_ids(tc_snapshot_segment(snap, 0), ids, lens, 0);
		tc_snapshot_release(snap);
		size_t removed;
		OK(tc_index_gc(tmpdir, &man, NULL, 0, &removed, E));
		tc_manifest_free(&man);
		for (uint32_t d = 0; d < n; d++)
			free(ids[d]);
		free(ids);
		free(lens);
	}
}

/* Writes len bytes of content as path's .ids file, in a frame of the given version. */
static void write_ids_file(const char *path, const unsigned char *content, size_t len,
                           uint32_t version)
{
	tc_buf b = {0};
	tc_buf_append(&b, TC_MAGIC_IDS, 4);
	tc_buf_put_u32le(&b, version);
	tc_buf_append(&b, content, len);
	tc_buf_put_u64le(&b, b.len);
	tc_buf_put_u64le(&b, tc_hash64(b.data, b.len));
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(b.data, 1, b.len, f), b.len);
	fclose(f);
	tc_buf_free(&b);
}

/*
 * A .ids damaged with its checksum made to match (a hostile or buggy writer): each kind
 * of fault is refused at open as TC_ECORRUPT naming the file and the fault; random
 * damage is refused or reads some other well-formed map, never crashes; truncation at
 * every length is refused; the older layout is TC_EVERSION.
 */
static void test_ids_hostile(void **state)
{
	(void)state;
	enum { N = 70 };  /* three blocks, the last short; ids of 15 bytes */
	char *ids[N];
	uint32_t lens[N];
	for (uint32_t d = 0; d < N; d++) {
		char s[32];
		lens[d] = (uint32_t)snprintf(s, sizeof s, "baomoi-%08u", 21395276u + d * 37);
		ids[d] = tc_strdup(s);
	}
	tc_seg_info info;
	write_ids(5, ids, lens, 0, N, &info);
	tc_manifest man;
	commit_one(&info, &man);
	char path[512];
	snprintf(path, sizeof path, "%s/0000000000000005.ids", tmpdir);
	size_t flen = 0;
	unsigned char *saved = (unsigned char *)tu_read_file(path, &flen);
	assert_non_null(saved);
	const unsigned char *content = saved + 8;
	size_t clen = flen - 24;
	assert_int_equal(tc__get_u32(content), N);
	uint32_t per = tc__get_u32(content + 4), nb = (N + per - 1) / per;
	assert_true(nb >= 2);
	size_t b0 = 8 + 4 * (size_t)nb;  /* the blocks */
	size_t b1 = b0 + tc__get_u32(content + 12), b2 = b0 + tc__get_u32(content + 16);

	const struct {
		const char *what;
		size_t at;      /* offset in the content; clen: a byte appended */
		uint32_t v;     /* written there: one byte, or with four = 1 a u32 */
		int four;
	} faults[] = {
		{"ids for", 0, N + 1, 1},
		{"ids per block", 4, 0, 1},
		{"ids per block", 4, 100000, 1},
		{"outside the map", 8, 7, 1},
		{"outside the map", 12, 0xffffff, 1},
		{"first docs out of range", b0 + 1, 0, 0},   /* a run of 0 */
		{"first docs out of range", b0, N - 1, 0},   /* a run past the last doc */
		{"named twice", b1, 0, 0},                   /* block 1 starts at doc 0 again */
		{"shares more", b1 + 2, 0x50, 0},            /* a block's first id shares bytes */
		{"runs past its block", b2 + 3, 0x7f, 0},    /* the last block's first id: 142
		                                                bytes, more than the block holds */
		{"stray bytes", clen, 0, 0},
	};
	for (size_t k = 0; k < sizeof faults / sizeof *faults; k++) {
		unsigned char c[4096];
		assert_true(clen + 1 < sizeof c);
		memcpy(c, content, clen);
		size_t len = clen, at = faults[k].at;
		if (at == clen)
			c[len++] = 0;
		else if (faults[k].four)
			tc__put_u32(c + at, faults[k].v);
		else
			c[at] = (unsigned char)faults[k].v;
		write_ids_file(path, c, len, TC_IDS_VERSION);
		tc_snapshot *snap;
		tc_error e = {0};
		assert_int_equal(tc_snapshot_open(tmpdir, 0, &snap, &e), TC_ECORRUPT);
		if (strstr(e.msg, ".ids") == NULL || strstr(e.msg, faults[k].what) == NULL)
			fail_msg("fault %zu (%s): %s", k, faults[k].what, e.msg);
		tc_error_clear(&e);
		assert_int_equal(tc_index_check(tmpdir, NULL, &e), TC_ECORRUPT);
		assert_non_null(strstr(e.msg, ".ids"));
	}
	/* a first doc so large that doc0 + run wraps around */
	unsigned char wrap[4096];
	memcpy(wrap, content, b0);
	size_t wlen = b0 + tc_varint_put(wrap + b0, UINT64_MAX);
	memcpy(wrap + wlen, content + b0 + 1, clen - b0 - 1);  /* doc0 was 0: one byte */
	wlen += clen - b0 - 1;
	write_ids_file(path, wrap, wlen, TC_IDS_VERSION);
	tc_snapshot *wsnap;
	tc_error we = {0};
	assert_int_equal(tc_snapshot_open(tmpdir, 0, &wsnap, &we), TC_ECORRUPT);
	assert_non_null(strstr(we.msg, "first docs out of range"));
	/* cut short anywhere: never a map */
	for (size_t len = 0; len < clen; len++) {
		write_ids_file(path, content, len, TC_IDS_VERSION);
		tc_snapshot *snap;
		tc_error e = {0};
		assert_int_equal(tc_snapshot_open(tmpdir, 0, &snap, &e), TC_ECORRUPT);
		assert_non_null(strstr(e.msg, ".ids"));
	}
	/* random damage: refused, or another well-formed map that reads without harm */
	rng_seed(31337);
	size_t caught = 0, tries = 600;
	for (size_t k = 0; k < tries; k++) {
		unsigned char c[4096];
		memcpy(c, content, clen);
		for (size_t j = 0; j <= k % 3; j++)
			c[rnd((uint32_t)clen)] ^= (unsigned char)(1u << rnd(8));
		write_ids_file(path, c, clen, TC_IDS_VERSION);
		tc_snapshot *snap;
		tc_error e = {0};
		int rc = tc_snapshot_open(tmpdir, 0, &snap, &e);
		if (rc == TC_OK) {
			const tc_segment *seg = tc_snapshot_segment(snap, 0);
			for (uint32_t d = 0; d < N; d++) {
				const char *id;
				uint32_t len, got;
				OK(tc_seg_doc_id(seg, d, &id, &len));
				rc = tc_seg_id_lookup(seg, id, len, &got, &e);
				assert_true(rc == TC_OK || rc == TC_ENOENT);  /* out of order: not found */
				tc_error_clear(&e);
			}
			tc_snapshot_release(snap);
			rc = tc_index_check(tmpdir, NULL, &e);  /* ids that differ from the stored */
			assert_true(rc == TC_OK || rc == TC_ECORRUPT);
		}
		if (rc == TC_ECORRUPT) {
			assert_non_null(strstr(e.msg, ".ids"));
			caught++;
		} else {
			assert_int_equal(rc, TC_OK);
		}
	}
	print_message("%zu of %zu resealed .ids damages caught\n", caught, tries);
	assert_true(caught > tries * 9 / 10);
	/* the layout of version 1 is refused as a version, not as damage */
	write_ids_file(path, content, clen, 1);
	tc_snapshot *snap;
	tc_error e = {0};
	assert_int_equal(tc_snapshot_open(tmpdir, 0, &snap, &e), TC_EVERSION);
	tc_error_clear(&e);
	assert_int_equal(tc_index_check(tmpdir, NULL, &e), TC_EVERSION);
	write_ids_file(path, content, clen, TC_IDS_VERSION);
	assert_int_equal(tc_index_check(tmpdir, NULL, &e), TC_OK);
	free(saved);
	for (uint32_t d = 0; d < N; d++)
		free(ids[d]);
	tc_manifest_free(&man);
}

/*
 * Text of n bytes drawn from a pool of 4,000 phrases of 6-30 letters, the frequent ones
 * far more often than the rest: like real text, a 64 KiB block meets many phrases only
 * once, which is what a doc store dictionary learns.
 */
static char *rand_words(size_t n)
{
	static char pool[4000][32];
	if (pool[0][0] == '\0')
		for (size_t i = 0; i < 4000; i++) {
			size_t k = 6 + rnd(25);
			for (size_t j = 0; j < k; j++)
				pool[i][j] = j % 6 == 5 ? ' ' : (char)('a' + rnd(26));
			pool[i][k] = '\0';
		}
	char *s = tc_malloc(n + 1);
	size_t at = 0;
	while (at < n) {
		const char *w = pool[rnd(1 + rnd(4000))];
		size_t k = strlen(w) + 1 <= n - at ? strlen(w) : n - at;
		memcpy(s + at, w, k);
		at += k;
		if (at < n)
			s[at++] = ' ';
	}
	s[n] = '\0';
	return s;
}

/*
 * The doc store's dictionary: used when it pays (a segment decided at its end, one decided
 * once 2 MiB were held and written on after), absent when there is too little text, and
 * damage to it is caught as corruption.
 */
static void test_docstore_dict(void **state)
{
	(void)state;
	static const struct {
		uint32_t ndocs, body;   /* docs and body bytes of each */
		int dict;               /* a dictionary is expected */
	} cases[] = {
		{7, 300, 0},            /* too little text to learn from */
		{3000, 350, 1},         /* ~1 MiB: decided at the end, dictionary bytes counted */
		{9000, 400, 1},         /* ~3.6 MiB: decided at 2 MiB, later blocks written on */
	};
	for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
		model m;
		model_build(&m, 90 + c, cases[c].ndocs, 20, 0, "w");
		for (uint32_t d = 0; d < m.ndocs; d++) {
			free(m.docs[d].body);
			m.docs[d].body = rand_words(cases[c].body - 50 + rnd(100));
		}
		tc_seg_info info;
		write_model(&m, 20 + c, &info);
		tc_manifest man;
		commit_one(&info, &man);
		tc_snapshot *snap;
		OK(tc_snapshot_open(tmpdir, TC_SNAP_VERIFY, &snap, E));
		const tc_segment *seg = tc_snapshot_segment(snap, 0);
		tc_seg_stats st;
		tc_seg_stats_get(seg, &st);
		if (cases[c].dict)
			assert_true(st.docdict_bytes > 1000);
		else
			assert_int_equal(st.docdict_bytes, 0);
		check_segment(seg, &m);
		tc_snapshot_release(snap);
		OK(tc_index_check(tmpdir, NULL, E));

		char path[512];
		snprintf(path, sizeof path, "%s/%016llx.doc", tmpdir, (unsigned long long)(20 + c));
		{
			/* compressed on a thread of its own, the doc store is the same file */
			tc_seg_info info_bg;
			write_model_with(&m, 40 + c, &info_bg, 1, 0);
			char path_bg[512];
			snprintf(path_bg, sizeof path_bg, "%s/%016llx.doc", tmpdir,
			         (unsigned long long)(40 + c));
			size_t len = 0, len_bg = 0;
			char *a = tu_read_file(path, &len), *b = tu_read_file(path_bg, &len_bg);
			assert_int_equal(len, len_bg);
			assert_memory_equal(a, b, len);
			free(a);
			free(b);
			if (cases[c].ndocs > 5000) {
				/* the disk fills while that thread writes: the doc store is all that
				   reaches the disk before the terms; its first ~55% are the blocks held
				   for the dictionary, written when it is decided, the thread writes
				   the next ~30% and the rest goes at finish. The error comes back at
				   finish and nothing is left */
				tc_segw *w;
				OK(tc_segw_open(tmpdir, 60, NF, &w, E));
				tc_segw_background(w);
				tu_write_budget = (long)(0.7 * (double)len);
				add_docs(w, &m);
				tc_error e = {0};
				assert_int_equal(tc_segw_finish(w, NULL, &e), TC_ENOSPC);
				tu_write_budget = -1;
				assert_non_null(strstr(e.msg, "No space left"));
				assert_false(file_exists("000000000000003c.doc"));
			}
		}
		if (cases[c].dict) {
			/* damage inside the dictionary: never a crash or a wrong document */
			size_t caught = 0;
			for (int k = 0; k < 12; k++) {
				long off = 8 + (long)rnd((uint32_t)st.docdict_bytes);
				unsigned char x = (unsigned char)(1u << rnd(8));
				flip(path, off, x);
				tc_error e = {0};
				assert_int_equal(tc_index_check(tmpdir, NULL, &e), TC_ECORRUPT);
				assert_non_null(strstr(e.msg, ".doc"));
				int rc = tc_snapshot_open(tmpdir, 0, &snap, &e);
				if (rc == TC_OK) {
					rc = read_everything(snap);
					tc_snapshot_release(snap);
				}
				assert_true(rc == TC_OK || rc == TC_ECORRUPT);
				caught += rc == TC_ECORRUPT;
				flip(path, off, x);
			}
			print_message("%zu of 12 dictionary damages caught without verification\n", caught);
			assert_true(caught >= 6);
		}
		/* a doc store of version 2 (values as UTF-8) is refused as a version */
		size_t len = 0;
		char *saved = tu_read_file(path, &len);
		flip(path, 4, 0x01);  /* version 3 -> 2 */
		reseal(path);
		tc_error e = {0};
		assert_int_equal(tc_snapshot_open(tmpdir, 0, &snap, &e), TC_EVERSION);
		assert_non_null(strstr(e.msg, ".doc"));
		FILE *f = fopen(path, "wb");
		fwrite(saved, 1, len, f);
		fclose(f);
		free(saved);
		tc_manifest_free(&man);
		model_free(&m);
	}
}

/* Writes bytes at off of the file name of the index. */
static void patch(const char *name, long off, const unsigned char *b, size_t n)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	FILE *f = fopen(path, "r+b");
	assert_non_null(f);
	assert_int_equal(fseek(f, off, SEEK_SET), 0);
	assert_int_equal(fwrite(b, 1, n, f), n);
	fclose(f);
}

/*
 * An exact form's list whose rank lies beyond its base's docs, whose freq exceeds the
 * base's, or whose block layout is unknown, is damage, told as such by both readers (by
 * doc and by rank; the reader by rank reads no freqs) and by check. The base "f\0b" has
 * docs 0, 1, 2 once each; the exact form "f\0b\0x" doc 2 once: one block of three bytes,
 * layout 0, ranks [2] as gaps, freq differences [0]. Each case patches those three bytes.
 */
static void test_exact_hostile(void **state)
{
	(void)state;
	tc_segw *w;
	OK(tc_segw_open(tmpdir, 1, NF, &w, E));
	uint32_t lens[NF] = {1, 1, 0};
	for (int d = 0; d < 3; d++) {
		char id[16];
		snprintf(id, sizeof id, "d%d", d);
		tc_field_value fv = {1, "b", 1};
		OK(tc_segw_add_doc(w, id, strlen(id), &fv, 1, lens, E));
	}
	uint32_t pos = 0;
	OK(tc_segw_term_begin(w, "f\0b", 3, E));
	for (uint32_t d = 0; d < 3; d++)
		OK(tc_segw_term_doc(w, d, 1, &pos, E));
	OK(tc_segw_term_end(w, E));
	OK(tc_segw_term_begin(w, "f\0b\0x", 5, E));
	OK(tc_segw_term_doc(w, 2, 1, NULL, E));
	OK(tc_segw_term_end(w, E));
	finish_and_commit(w);

	tc_snapshot *snap;
	OK(tc_snapshot_open(tmpdir, 0, &snap, E));
	tc_term_info ti;
	OK(tc_seg_term_lookup(tc_snapshot_segment(snap, 0), "f\0b\0x", 5, &ti, E));
	tc_snapshot_release(snap);
	assert_true(ti.exact && !tc_term_exact_everywhere(&ti) && ti.base.df == 3);
	static const unsigned char good[3] = {0, 2, 0};
	char name[TC_NAME_MAX];
	tc__seg_file_name(name, 1, "pst");
	static const struct {
		unsigned char bytes[3];
		const char *by_doc;
		const char *by_rank;  /* NULL: the reader by rank reads it as a list of rank 2 */
	} cases[] = {
		{{0, 9, 0}, "rank beyond the base", "rank beyond the base"},
		{{0, 2, 3}, "more often than its base", NULL},
		{{1, 2, 1}, "more often than its base", NULL},   /* freq - 1 of 1 above the base's 0 */
		{{2, 2, 0}, "unknown layout", "unknown layout"},
	};
	for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
		patch(name, (long)ti.doc_off, cases[c].bytes, sizeof cases[c].bytes);
		OK(tc_snapshot_open(tmpdir, 0, &snap, E));
		const tc_segment *seg = tc_snapshot_segment(snap, 0);
		tc_postings *p = NULL;
		tc_error e = {0};
		int rc = tc_postings_open(seg, &ti, &p, &e);
		if (rc == TC_OK) {  /* found while reading, if not at open */
			while (tc_postings_next(p) != TC_DOC_END)
				;
			rc = tc_postings_error(p, &e);
			tc_postings_free(p);
		}
		assert_int_equal(rc, TC_ECORRUPT);
		assert_non_null(strstr(e.msg, cases[c].by_doc));
		tc_error_clear(&e);
		rc = tc_postings_open_ranks(seg, &ti, &p, &e);
		if (cases[c].by_rank) {
			assert_int_equal(rc, TC_ECORRUPT);
			assert_non_null(strstr(e.msg, cases[c].by_rank));
		} else {
			assert_int_equal(rc, TC_OK);
			assert_int_equal(tc_postings_next(p), 2);
			tc_postings_free(p);
		}
		tc_snapshot_release(snap);
		tc_buf report = {0};
		tc_error_clear(&e);
		assert_int_equal(tc_index_check(tmpdir, &report, &e), TC_ECORRUPT);
		tc_buf_free(&report);
		patch(name, (long)ti.doc_off, good, sizeof good);
	}
	tc_buf report = {0};
	OK(tc_index_check(tmpdir, &report, E));  /* mended */
	tc_buf_free(&report);
}

/*
 * Each exact form's block stores its freqs the smaller way: as what they lack of the
 * base's for a form written as often as its base, as freq - 1 for one far rarer than its
 * base in the docs they share. Both read back by doc and by rank as written.
 */
static void test_exact_layouts(void **state)
{
	(void)state;
	enum { N = 300 };
	tc_segw *w;
	OK(tc_segw_open(tmpdir, 1, NF, &w, E));
	uint32_t lens[NF] = {1, 64, 0};
	for (int d = 0; d < N; d++) {
		char id[16];
		snprintf(id, sizeof id, "d%d", d);
		tc_field_value fv = {1, "b", 1};
		OK(tc_segw_add_doc(w, id, strlen(id), &fv, 1, lens, E));
	}
	uint32_t pos[50];
	for (uint32_t i = 0; i < 50; i++)
		pos[i] = i;
	/* the base "f\1b": every doc, 40 times; "f\1b\0x" all but every 37th doc, 40 times
	   (freq differences, all 0); "f\1b\0y" every 37th doc, once (freq - 1) */
	OK(tc_segw_term_begin(w, "f\1b", 3, E));
	for (uint32_t d = 0; d < N; d++)
		OK(tc_segw_term_doc(w, d, 40, pos, E));
	OK(tc_segw_term_end(w, E));
	OK(tc_segw_term_begin(w, "f\1b\0x", 5, E));
	for (uint32_t d = 0; d < N; d++)
		if (d % 37 != 0)
			OK(tc_segw_term_doc(w, d, 40, NULL, E));
	OK(tc_segw_term_end(w, E));
	OK(tc_segw_term_begin(w, "f\1b\0y", 5, E));
	for (uint32_t d = 0; d < N; d += 37)
		OK(tc_segw_term_doc(w, d, 1, NULL, E));
	OK(tc_segw_term_end(w, E));
	finish_and_commit(w);

	tc_snapshot *snap;
	OK(tc_snapshot_open(tmpdir, 0, &snap, E));
	const tc_segment *seg = tc_snapshot_segment(snap, 0);
	static const struct {
		const char *key;
		unsigned layout;   /* of its first block */
	} forms[] = {{"f\1b\0x", 0}, {"f\1b\0y", 1}};
	for (size_t k = 0; k < 2; k++) {
		tc_term_info ti;
		OK(tc_seg_term_lookup(seg, forms[k].key, 5, &ti, E));
		assert_true(ti.exact && !tc_term_exact_everywhere(&ti));
		/* the first block follows the skip data when the list has several blocks */
		const unsigned char *at = seg->f_pst.map.data + ti.doc_off;
		if (ti.df > TC_POSTINGS_BLOCK) {
			uint64_t skip;
			assert_int_equal(tc_varint_get(&at, seg->f_pst.end, &skip), 0);
			at += skip;
		}
		assert_int_equal(*at, forms[k].layout);
		int lacks = k == 0;
		tc_postings *p, *r;
		OK(tc_postings_open(seg, &ti, &p, E));
		OK(tc_postings_open_ranks(seg, &ti, &r, E));
		uint32_t n = 0;
		for (uint32_t d = 0; d < N; d++) {
			if ((d % 37 != 0) != lacks)
				continue;
			assert_int_equal(tc_postings_next(p), d);
			assert_int_equal(tc_postings_freq(p), lacks ? 40 : 1);
			assert_int_equal(tc_postings_next(r), d);  /* the base holds every doc */
			n++;
		}
		assert_int_equal(tc_postings_next(p), TC_DOC_END);
		assert_int_equal(tc_postings_next(r), TC_DOC_END);
		assert_int_equal(n, ti.df);
		OK(tc_postings_error(p, E));
		OK(tc_postings_error(r, E));
		tc_postings_free(p);
		tc_postings_free(r);
	}
	tc_snapshot_release(snap);
	tc_buf report = {0};
	OK(tc_index_check(tmpdir, &report, E));
	tc_buf_free(&report);
}

/* Writes the term "f\0b" with doc 0, freq 1. */
static void add_base(tc_segw *w, const uint32_t *pos)
{
	OK(tc_segw_term_begin(w, "f\0b", 3, E));
	OK(tc_segw_term_doc(w, 0, 1, pos, E));
	OK(tc_segw_term_end(w, E));
}

/* Writer misuse is refused with TC_EINVAL and the error sticks. */
static void test_writer_errors(void **state)
{
	(void)state;
	tc_segw *w;
	tc_error e = {0};
	uint32_t pos[2] = {5, 3};
	tc_field_value fv = {0, "t", 1};
	static const struct {
		int step;       /* which call goes wrong */
	} cases[] = {{0}, {1}, {2}, {3}, {4}, {5}, {6}, {7}, {8}, {9}, {10}, {11}, {12}, {13},
	             {14}, {15}, {16}, {17}};
	for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
		OK(tc_segw_open(tmpdir, 1, 2, &w, E));
		int rc = TC_OK;
		tc_error_clear(&e);
		switch (cases[c].step) {
		case 0: rc = tc_segw_term_begin(w, "f\0a", 3, &e); break;           /* no docs */
		case 1: rc = tc_segw_add_doc(w, "", 0, &fv, 1, NULL, &e); break;    /* empty id */
		case 2: fv.field = 5; rc = tc_segw_add_doc(w, "a", 1, &fv, 1, NULL, &e); fv.field = 0;
			break;                                                      /* field id */
		default:
			OK(tc_segw_add_doc(w, "a", 1, &fv, 1, NULL, E));
			OK(tc_segw_add_doc(w, "b", 1, &fv, 1, NULL, E));
			break;
		}
		switch (cases[c].step) {
		case 3: rc = tc_segw_term_begin(w, "f\x07" "a", 3, &e); break;      /* field of key */
		case 4:
			OK(tc_segw_term_begin(w, "f\0b", 3, E));
			OK(tc_segw_term_doc(w, 0, 1, pos, E));
			OK(tc_segw_term_end(w, E));
			rc = tc_segw_term_begin(w, "f\0a", 3, &e);                      /* order */
			break;
		case 5:
			OK(tc_segw_term_begin(w, "f\0b", 3, E));
			rc = tc_segw_term_doc(w, 0, 2, pos, &e);                        /* positions */
			break;
		case 6:
			add_base(w, pos);
			OK(tc_segw_term_begin(w, "f\0b\0x", 5, E));
			rc = tc_segw_term_doc(w, 0, 1, pos, &e);                  /* exact has none */
			break;
		case 7:
			OK(tc_segw_term_begin(w, "f\0b", 3, E));
			rc = tc_segw_term_end(w, &e);                                   /* no docs */
			break;
		case 8: rc = tc_segw_add_num(w, "u", 1, NAN, 0, 0, 0, &e); break;   /* NaN */
		case 10: rc = tc_segw_term_begin(w, "f\0b\0x", 5, &e); break;    /* no base */
		case 11:
			add_base(w, pos);
			rc = tc_segw_term_begin(w, "f\0c\0x", 5, &e);
			break;                                                   /* not its base */
		case 12:
			add_base(w, pos);
			OK(tc_segw_term_begin(w, "f\0b\0x", 5, E));
			rc = tc_segw_term_doc(w, 1, 1, NULL, &e);              /* doc not in base */
			break;
		case 13:
			add_base(w, pos);
			OK(tc_segw_term_begin(w, "f\0b\0x", 5, E));
			rc = tc_segw_term_doc(w, 0, 2, NULL, &e);             /* more than base */
			break;
		case 14: {
			unsigned char code[2] = {0, 0};
			uint32_t lens[2] = {1, 1};
			OK(tc_segw_term_begin(w, "f\0b", 3, E));
			OK(tc_segw_term_coded_positions(w, code, lens, 2, E));
			OK(tc_segw_term_doc(w, 0, 1, NULL, E));
			rc = tc_segw_term_end(w, &e);                   /* two blocks for one doc */
			break;
		}
		case 15:
			add_base(w, pos);
			OK(tc_segw_term_begin(w, "f\0b\0x", 5, E));
			rc = tc_segw_term_coded_positions(w, (const unsigned char *)"", pos, 0, &e);
			break;                                          /* an exact form has none */
		case 16:
			tc_segw_numbers_done(w);
			rc = tc_segw_add_num(w, "u", 1, 1.0, 0, 0, 0, &e);   /* numbers were done */
			break;
		case 17:
			tc_segw_numbers_done(w);
			rc = tc_segw_add_doc(w, "c", 1, &fv, 1, NULL, &e);      /* docs were done */
			break;
		case 9:
			OK(tc_segw_add_doc(w, "a", 1, &fv, 1, NULL, E));                /* duplicate id */
			rc = tc_segw_finish(w, NULL, &e);
			assert_int_equal(rc, TC_EINVAL);
			assert_non_null(strstr(e.msg, "duplicate id"));
			assert_false(file_exists("0000000000000001.pst"));
			continue;
		}
		assert_int_equal(rc, TC_EINVAL);
		tc_error e2 = {0};
		assert_int_equal(tc_segw_add_doc(w, "z", 1, &fv, 1, NULL, &e2), TC_EINVAL);
		assert_string_equal(e2.msg, e.msg);  /* sticky: the first error again */
		assert_int_equal(tc_segw_finish(w, NULL, &e2), TC_EINVAL);
		assert_false(file_exists("0000000000000001.tdx"));
	}
	/* abort removes everything */
	OK(tc_segw_open(tmpdir, 2, 2, &w, E));
	OK(tc_segw_add_doc(w, "a", 1, &fv, 1, NULL, E));
	tc_segw_abort(w);
	assert_false(file_exists("0000000000000002.doc"));
	tc_segw_abort(NULL);
}

/*
 * Releasing a mapping's pages (what a merge does behind its inputs) changes nothing a
 * reader sees: ranges at the start, inside a page, across pages, beyond the end, and
 * the whole file read back the same bytes.
 */
static void test_map_release(void **state)
{
	(void)state;
	char path[512];
	snprintf(path, sizeof path, "%s/mapped", tmpdir);
	size_t len = 3 * 4096 + 123;
	unsigned char *want = tc_malloc(len);
	for (size_t i = 0; i < len; i++)
		want[i] = (unsigned char)(i * 131 + 7);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(want, 1, len, f), len);
	fclose(f);
	tc_map m;
	OK(tc_map_file(path, &m, E));
	static const struct {
		size_t from, to;
	} cases[] = {{0, 100}, {10, 20}, {4000, 9000}, {4096, 8192}, {12000, SIZE_MAX},
	             {0, SIZE_MAX}, {5000, 5000}, {9000, 100}};
	for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
		assert_memory_equal(m.data, want, len);  /* touch every page */
		tc_map_release(&m, cases[c].from, cases[c].to);
		assert_memory_equal(m.data, want, len);
	}
	tc_map_free(&m);
	free(want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_roundtrip, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_manifest, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_manifest_crash, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_deletes_merge_gc, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_corruption, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_numeric_edges, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_numeric_hostile, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_docstore_dict, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_writer_errors, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_exact_hostile, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_exact_layouts, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_map_release, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_ids_roundtrip, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_ids_hostile, dir_setup, dir_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
