/*
 * exec.c — document-at-a-time execution and ranking (see exec.h).
 *
 * Each query node becomes an iterator with three operations: seek (the first matching
 * doc >= target), score (of the current doc) and bound (an upper bound of score for the
 * current doc from block-level data only: for terms, BM25 of the block's largest tf and
 * smallest field length). The collector counts every match and scores a doc only when
 * its bound beats the k-th best score so far.
 */
#include "exec.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis/quantity.h"
#include "common/bits.h"
#include "common/mem.h"

#define EXACT_BONUS 100.0     /* per query word found in its exact form: a tier above */
#define PROX_WEIGHT 1.0       /* per adjacent pair, times the pair's mean idf */
#define QTY_SCORE 1.0         /* a satisfied comparison */
#define QTY_NEAR_WEIGHT 3.0   /* a mention next to the query's words */
#define QTY_NEAR 30           /* ... fading to nothing at this many positions away */
#define MAX_PREFIX_TERMS 20000
#define MAX_FIELDS_SEARCHED 2

/* What every iterator of one run shares. */
typedef struct run {
	const tc_snapshot *snap;
	const tc_search_opts *o;
	const tc_segment *seg;
	size_t segi;              /* seg is segment segi of snap */
	double N;                 /* docs in the snapshot: BM25's N */
	int rc;                   /* sticky error */
	tc_error *err;
	uint64_t deadline;        /* CLOCK_MONOTONIC ns the search must end by; 0: none */
	unsigned steps;           /* since the clock was last read */
	/* document frequencies over the whole snapshot, found once per query rather than
	   once per segment (which would look every key up nsegments^2 times) */
	struct df_entry {
		const void *term;     /* a string of the query tree: its address is its name */
		unsigned field;
		char kind;
		double df;
		tc_term_info *info;   /* per segment, as looked up for df (df 0: absent), so
		                         opening the postings needs no second lookup; or NULL */
	} dfc[64];
	size_t ndfc;
} run;

typedef struct it it;
typedef struct it_ops {
	uint32_t (*seek)(it *self, uint32_t target);
	/* score of the current doc; when it cannot reach need, any value below need will
	 * do (the caller wants only scores that reach it: -INFINITY for every score) */
	double (*score)(it *self, double need);
	/* upper bound of score for the current doc and every later doc up to *until
	 * (which it lowers; the caller starts it at TC_DOC_END) */
	double (*bound)(it *self, uint32_t *until);
	void (*free)(it *self);
} it_ops;

struct it {
	const it_ops *ops;
	const tc_qnode *q;
	run *r;
	uint32_t doc;             /* current doc; TC_DOC_END at the end */
	int started;
	double cost;              /* about how many docs it matches */
};

static uint32_t it_seek(it *i, uint32_t target)
{
	if (i->started && i->doc >= target)
		return i->doc; /* TC_DOC_END is above every target */
	i->doc = i->ops->seek(i, target);
	i->started = 1;
	return i->doc;
}

/* ---- the time limit --------------------------------------------------------------- */

static uint64_t now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* Sets the time limit's error when the deadline has passed; whether the run must stop. */
static int past_deadline(run *r)
{
	if (r->rc != TC_OK)
		return 1;
	if (r->deadline == 0 || now_ns() < r->deadline)
		return 0;
	r->rc = tc_error_set(r->err, TC_ELIMIT, "search: over its time limit of %g ms; a narrower "
	                     "query (longer prefixes, fewer common words) is faster",
	                     r->o->time_limit_ms);
	return 1;
}

/* past_deadline, with the clock read every TIME_STEPS calls only: the loops over docs,
   lists and terms call it at every step. */
#define TIME_STEPS 1024
static inline int out_of_time(run *r)
{
	if (r->deadline == 0 || (++r->steps % TIME_STEPS) != 0)
		return r->rc != TC_OK;
	return past_deadline(r);
}

/* ---- BM25 ------------------------------------------------------------------------- */

static double idf(double N, double df)
{
	if (df > N)
		df = N;
	return log(1.0 + (N - df + 0.5) / (df + 0.5));
}

static double bm25(const run *r, double tf, double len, double avgdl, double w_idf)
{
	double k1 = r->o->k1, b = r->o->b;
	double norm = k1 * (1.0 - b + b * (avgdl > 0 ? len / avgdl : 1.0));
	return w_idf * tf * (k1 + 1.0) / (tf + norm);
}

/* BM25 of tf occurrences in field of the segment's doc (its length read from the index). */
static double bm25_doc(const run *r, uint32_t doc, unsigned field, double tf, double avgdl,
                       double w_idf)
{
	return bm25(r, tf, tc_seg_field_len(r->seg, doc, field), avgdl, w_idf);
}

static double field_weight(const run *r, unsigned field)
{
	return field == TC_FIELD_TITLE ? r->o->title_weight : 1.0;
}

static double avgdl(const run *r, unsigned field)
{
	return r->N > 0 ? (double)tc_snapshot_field_total(r->snap, field) / r->N : 0.0;
}

/* The fields a node searches: its own, or title and body. */
static size_t node_fields(const run *r, const tc_qnode *q, unsigned *out)
{
	size_t nf = tc_snapshot_nfields(r->snap), n = 0;
	if (q->field >= 0) {
		if ((size_t)q->field < nf)
			out[n++] = (unsigned)q->field;
		return n;
	}
	if (nf > TC_FIELD_TITLE)
		out[n++] = TC_FIELD_TITLE;
	if (nf > TC_FIELD_BODY)
		out[n++] = TC_FIELD_BODY;
	return n;
}

static size_t make_key(char kind, unsigned field, const char *term, char *key)
{
	size_t n = strlen(term);
	if (n + 2 > TC_MAX_KEY)
		n = TC_MAX_KEY - 2;
	key[0] = kind;
	key[1] = (char)field;
	memcpy(key + 2, term, n);
	return n + 2;
}

/* What stands for a word's key of kind in the df cache: its exact form for 'e', else its
   key (each a string of its own). */
static const char *word_term(const tc_qword *w, char kind)
{
	return kind == TC_KIND_EXACT ? w->lower : w->key;
}

/* The key of a word of kind ('e': its exact form's, filed under its folded form). */
static size_t word_key(char kind, unsigned field, const tc_qword *w, char *key)
{
	if (kind == TC_KIND_EXACT)
		return tc_key_exact((unsigned char *)key, field, w->folded, strlen(w->folded),
		                    w->lower, strlen(w->lower));
	return make_key(kind, field, w->key, key);
}

static struct df_entry *df_find(run *r, char kind, unsigned field, const void *term)
{
	for (size_t i = 0; i < r->ndfc; i++)
		if (r->dfc[i].term == term && r->dfc[i].field == field && r->dfc[i].kind == kind)
			return &r->dfc[i];
	return NULL;
}

/* Keeps df (and info, which it then owns) for the rest of the query, if there is room. */
static void df_keep(run *r, char kind, unsigned field, const void *term, double df,
                    tc_term_info *info)
{
	if (r->ndfc == sizeof r->dfc / sizeof r->dfc[0]) {
		free(info);
		return;
	}
	struct df_entry *e = &r->dfc[r->ndfc++];
	e->term = term;
	e->field = field;
	e->kind = kind;
	e->df = df;
	e->info = info;
}

/* Documents holding the word's key of kind, over every segment of the snapshot. */
static double key_df(run *r, char kind, unsigned field, const tc_qword *w)
{
	const char *term = word_term(w, kind);
	struct df_entry *e = df_find(r, kind, field, term);
	if (e)
		return e->df;
	char key[TC_MAX_KEY];
	size_t n = word_key(kind, field, w, key), nsegs = tc_snapshot_nsegments(r->snap);
	double df = 0;
	tc_term_info *info = tc_calloc(nsegs ? nsegs : 1, sizeof *info);
	int damaged = 0;
	for (size_t s = 0; s < nsegs; s++) {
		int rc = tc_seg_term_lookup(tc_snapshot_segment(r->snap, s), key, n, &info[s], NULL);
		if (rc != TC_OK)
			info[s].df = 0;
		damaged |= rc != TC_OK && rc != TC_ENOENT;
		df += info[s].df;
	}
	if (damaged) { /* not kept: opening the postings looks again and reports it */
		free(info);
		info = NULL;
	}
	df_keep(r, kind, field, term, df, info);
	return df;
}

/* The word's key of kind in the current segment: TC_OK and *ti, TC_ENOENT, or damage. */
static int word_lookup(run *r, char kind, unsigned field, const tc_qword *w, tc_term_info *ti)
{
	struct df_entry *e = df_find(r, kind, field, word_term(w, kind));
	if (e && e->info) {
		*ti = e->info[r->segi];
		return ti->df ? TC_OK : TC_ENOENT;
	}
	char key[TC_MAX_KEY];
	size_t n = word_key(kind, field, w, key);
	return tc_seg_term_lookup(r->seg, key, n, ti, r->err);
}

static tc_postings *open_postings(run *r, char kind, unsigned field, const tc_qword *w)
{
	tc_term_info ti;
	int rc = word_lookup(r, kind, field, w, &ti);
	if (rc == TC_ENOENT)
		return NULL;
	tc_postings *p = NULL;
	if (rc == TC_OK)
		rc = tc_postings_open(r->seg, &ti, &p, r->err);
	if (rc != TC_OK && r->rc == TC_OK)
		r->rc = rc;
	return p;
}

/* ---- one word in some fields ------------------------------------------------------- */

typedef struct term_field {
	unsigned field;
	tc_postings *fp;          /* folded or stem postings, with positions; may be NULL */
	tc_postings *ep;          /* the exact form's postings; NULL when not needed or
	                             absent. Strict mode: by doc, and ep decides matching;
	                             otherwise: by rank in fp (storage.h), asked about the
	                             doc fp stands on */
	int exact_all;            /* not strict: every doc of fp has the exact form */
	int exact_by_doc;         /* not strict, a stem word: ep is by doc all the same */
	tc_postings *match;       /* what decides matching: fp, or ep in strict mode */
	double w_idf;             /* field weight x idf */
	double avgdl;
	uint32_t doc;             /* where match stands */
	uint32_t bound_last;      /* last doc of the block block_bound is for */
	double block_bound;       /* BM25 of that block's max tf and min length */
	uint32_t exact_last;      /* not strict: last rank (doc, exact_by_doc) of ep's block
	                             under its block cursor (0: not looked at yet;
	                             TC_DOC_END: ep has nothing further) */
} term_field;

typedef struct term_it {
	it base;
	const tc_qword *w;
	size_t nf;
	term_field f[MAX_FIELDS_SEARCHED];
	double idf;               /* of the body (or only) field: proximity weight */
} term_it;

static uint32_t term_seek(it *self, uint32_t target)
{
	term_it *t = (term_it *)self;
	uint32_t best = TC_DOC_END;
	for (size_t i = 0; i < t->nf; i++) {
		term_field *f = &t->f[i];
		if (!self->started || (f->doc != TC_DOC_END && f->doc < target))
			f->doc = f->match ? tc_postings_seek(f->match, target) : TC_DOC_END;
		if (f->doc < best)
			best = f->doc;
	}
	return best;
}

/* The folded postings of field slot i, standing on the current doc, or NULL. */
static tc_postings *term_fp_at(term_it *t, size_t i)
{
	term_field *f = &t->f[i];
	if (f->doc != t->base.doc || f->fp == NULL)
		return NULL;
	if (f->fp != f->match && tc_postings_seek(f->fp, f->doc) != f->doc)
		return NULL;
	return f->fp;
}

/*
 * About the doc f's match list stands on: 1 or 0 when its exact form is known to be there
 * or not without asking ep (strict mode, where ep is the match list; a word written one
 * way; no exact list), else -1 and *at, where to ask ep: the doc, or its rank in fp.
 */
static int exact_known(const term_field *f, uint32_t *at)
{
	if (f->match == f->ep || f->exact_all)
		return f->match != NULL;
	if (f->ep == NULL)
		return 0;
	*at = f->exact_by_doc ? f->doc : tc_postings_rank(f->fp);
	return -1;
}

/* Whether the doc f's match list stands on has the word in its exact form there. */
static int field_exact_here(term_field *f)
{
	uint32_t r;
	int known = exact_known(f, &r);
	return known >= 0 ? known : tc_postings_seek(f->ep, r) == r;
}

/* The exact-form bonus of the current doc: the word typed with diacritics and its exact
   form in a field that holds the doc. */
static double term_exact_bonus(term_it *t)
{
	if (!t->w->exact)
		return 0.0;
	for (size_t i = 0; i < t->nf; i++) {
		term_field *f = &t->f[i];
		if (f->doc == t->base.doc && field_exact_here(f))
			return EXACT_BONUS;
	}
	return 0.0;
}

static double term_score(it *self, double need)
{
	term_it *t = (term_it *)self;
	run *r = self->r;
	double s = 0;
	for (size_t i = 0; i < t->nf; i++) {
		term_field *f = &t->f[i];
		if (f->doc != self->doc)
			continue;
		tc_postings *fp = term_fp_at(t, i);
		uint32_t tf = fp ? tc_postings_freq(fp) : tc_postings_freq(f->match);
		s += bm25_doc(r, self->doc, f->field, tf, f->avgdl, f->w_idf);
	}
	return s + term_exact_bonus(t);
}

/* May the exact form stand in docs at or after the one f's match list stands on? Block
   data only, looked at once per block of ep: every doc of the conjunction is bounded,
   and most stay in the block of the one before. */
static int exact_ahead(term_field *f)
{
	uint32_t r;
	int known = exact_known(f, &r);
	if (known >= 0)
		return known;
	if (f->exact_last < r || f->exact_last == 0)
		f->exact_last = tc_postings_shallow(f->ep, r);
	return f->exact_last != TC_DOC_END;
}

/*
 * Strict mode: the freq term_score takes is the folded list's, which the exact list's
 * block data does not bound; the folded list's block of the doc (a shallow move) bounds
 * it, and ends the range the bound holds for (*until) too. Not cached: strict queries
 * are the rare ones.
 */
static double strict_block_bound(const run *r, term_field *f, uint32_t *until)
{
	uint32_t last = tc_postings_shallow(f->fp, f->doc);
	uint32_t tf = tc_postings_block_max_tf(f->match), ftf = tc_postings_block_max_tf(f->fp);
	if (until && last < *until)
		*until = last;
	return bm25(r, ftf > tf ? ftf : tf, tc_postings_block_min_len(f->match), f->avgdl,
	            f->w_idf);
}

/* The BM25 bound of the block under f's cursor, computed once per block (strict mode
   may lower *until, when not NULL, to where it holds). */
static double field_block_bound(const run *r, term_field *f, uint32_t *until)
{
	if (f->fp && f->fp != f->match)
		return strict_block_bound(r, f, until);
	/* the cursor is f->doc's block (no shallow move here passes the doc), so the bound
	   holds while the doc stays at or before the block's last */
	if (f->bound_last != 0 && f->doc <= f->bound_last)
		return f->block_bound;
	uint32_t last = tc_postings_block_last(f->match);
	if (last != f->bound_last || f->bound_last == 0) {
		f->bound_last = last;
		f->block_bound = bm25(r, tc_postings_block_max_tf(f->match),
		                      tc_postings_block_min_len(f->match), f->avgdl, f->w_idf);
	}
	return f->block_bound;
}

static uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

/* The fields holding the current doc: their current blocks' BM25 bounds (computed once
   per block). */
static double term_blocks_bound(term_it *t)
{
	double s = 0;
	for (size_t i = 0; i < t->nf; i++)
		if (t->f[i].doc == t->base.doc)
			s += field_block_bound(t->base.r, &t->f[i], NULL);
	return s;
}

/*
 * Fields that do not hold the current doc would loosen the bound, so the bound is claimed
 * for the current doc only. The exact bonus counts while an exact list has blocks left:
 * block data only.
 */
static double term_bound(it *self, uint32_t *until)
{
	term_it *t = (term_it *)self;
	int exact = 0;
	*until = min_u32(*until, self->doc);
	for (size_t i = 0; i < t->nf && t->w->exact; i++) {
		term_field *f = &t->f[i];
		if (f->doc == self->doc && exact_ahead(f))
			exact = 1;
	}
	return term_blocks_bound(t) + (exact ? EXACT_BONUS : 0.0);
}

/* A tighter bound for the current doc, with its own exact bonus: that outweighs
   everything else, and finding it costs doc ids only. */
static double term_doc_bound(term_it *t)
{
	return term_blocks_bound(t) + term_exact_bonus(t);
}

static void term_free(it *self)
{
	term_it *t = (term_it *)self;
	for (size_t i = 0; i < t->nf; i++) {
		tc_postings_free(t->f[i].fp);
		tc_postings_free(t->f[i].ep);
	}
	free(t);
}

static const it_ops term_ops = {term_seek, term_score, term_bound, term_free};

/* Positions of the word in field slot i at the current doc (NULL: none there). */
static const uint32_t *term_positions(term_it *t, size_t i, uint32_t *n)
{
	tc_postings *fp = term_fp_at(t, i);
	const uint32_t *pos;
	if (fp == NULL || tc_postings_positions(fp, &pos, n, NULL) != TC_OK)
		return NULL;
	return pos;
}

/*
 * The exact form's list by ranks in the folded list f->fp, or f->exact_all when the word
 * is written no other way in the field. A word of kind 's' matches on its stem, which is
 * not the exact form's base: it asks by doc instead.
 */
static void open_exact_ranks(run *r, unsigned field, const tc_qword *w, term_field *f)
{
	tc_term_info ti;
	int rc = word_lookup(r, TC_KIND_EXACT, field, w, &ti);
	f->exact_by_doc = w->kind != TC_KIND_FOLDED;
	if (rc == TC_OK && f->exact_by_doc)
		rc = tc_postings_open(r->seg, &ti, &f->ep, r->err);
	else if (rc == TC_OK && tc_term_exact_everywhere(&ti))
		f->exact_all = 1;
	else if (rc == TC_OK)
		rc = tc_postings_open_ranks(r->seg, &ti, &f->ep, r->err);
	if (rc != TC_OK && rc != TC_ENOENT && r->rc == TC_OK)
		r->rc = rc;
}

static it *term_new(run *r, const tc_qnode *q, const tc_qword *w, const double *idfs)
{
	term_it *t = tc_calloc(1, sizeof *t);
	t->base.ops = &term_ops;
	t->base.q = q;
	t->base.r = r;
	t->w = w;
	unsigned fields[MAX_FIELDS_SEARCHED];
	size_t nf = node_fields(r, q, fields);
	for (size_t i = 0; i < nf; i++) {
		term_field *f = &t->f[t->nf++];
		f->field = fields[i];
		f->fp = open_postings(r, w->kind, fields[i], w);
		if (r->o->strict)
			f->ep = open_postings(r, TC_KIND_EXACT, fields[i], w);
		else if (w->exact && f->fp)
			open_exact_ranks(r, fields[i], w, f);
		f->match = r->o->strict ? f->ep : f->fp;
		f->w_idf = field_weight(r, fields[i]) * idfs[i];
		f->avgdl = avgdl(r, fields[i]);
		if (f->match)
			t->base.cost += tc_postings_count(f->match);
		t->idf = idfs[i];
	}
	return &t->base;
}

/* idf of a word in each searched field, over the whole snapshot. */
static void word_idfs(run *r, const tc_qnode *q, const tc_qword *w, double *out)
{
	unsigned fields[MAX_FIELDS_SEARCHED];
	size_t nf = node_fields(r, q, fields);
	for (size_t i = 0; i < nf; i++) {
		double df = key_df(r, r->o->strict ? TC_KIND_EXACT : w->kind, fields[i], w);
		out[i] = idf(r->N, df);
	}
}

/* ---- phrases -------------------------------------------------------------------------- */

typedef struct phrase_field {
	unsigned field;
	tc_postings **fp;         /* one per word; NULL array when a word is absent */
	tc_postings **ep;         /* strict mode: exact postings per word */
	uint32_t *order;          /* word numbers, shortest folded list first */
	tc_postings **lead;       /* the lists that decide matching (fp, or ep in strict
	                             mode) in that order: the order they are sought in */
	uint32_t doc;             /* next verified doc in this field */
	uint32_t freq;            /* matches of the phrase in that doc */
	double w_idf, avgdl;
} phrase_field;

typedef struct phrase_it {
	it base;
	size_t nw, nf;
	phrase_field f[MAX_FIELDS_SEARCHED];
	double max;
	uint32_t *scratch;        /* candidate starts of the phrase in a doc */
	size_t scratch_cap;
} phrase_it;

/* Smallest position in pos greater than after, or UINT32_MAX. */
static uint32_t next_pos(const uint32_t *pos, uint32_t n, uint32_t after)
{
	uint32_t lo = 0, hi = n;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (pos[mid] <= after)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n ? pos[lo] : UINT32_MAX;
}

/*
 * Counts the phrase's occurrences in the current doc with a slop: from each position of
 * word 0, each next word at the nearest later position, the whole no more than slop
 * positions longer than the phrase.
 */
static uint32_t phrase_count_slop(phrase_it *p, phrase_field *f)
{
	const uint32_t *pos[64];
	uint32_t npos[64];
	size_t nw = p->nw < 64 ? p->nw : 64;
	for (size_t i = 0; i < nw; i++)
		if (tc_postings_positions(f->fp[i], &pos[i], &npos[i], NULL) != TC_OK)
			return 0;
	uint32_t slop = (uint32_t)p->base.q->slop, count = 0;
	for (uint32_t k = 0; k < npos[0]; k++) {
		uint32_t start = pos[0][k], cur = start;
		size_t i = 1;
		for (; i < nw; i++) {
			cur = next_pos(pos[i], npos[i], cur);
			if (cur == UINT32_MAX || cur - start - (uint32_t)i > slop)
				break;
		}
		if (i == nw)
			count++;
	}
	return count;
}

/*
 * The merges below step without branching on the values: which list moves next is
 * unpredictable, and a mispredicted branch costs more than the work of a step.
 */

/* Keeps the starts s of set[0..n) (ascending) where word i stands at s + i; the new n. */
static uint32_t keep_starts(uint32_t *set, uint32_t n, const uint32_t *pos, uint32_t npos,
                            uint32_t i)
{
	uint32_t out = 0;
	for (uint32_t k = 0, m = 0; k < n && m < npos;) {
		uint64_t want = (uint64_t)set[k] + i, have = pos[m];
		set[out] = set[k];
		out += have == want;
		k += have >= want;
		m += have <= want; /* a repeated position cannot serve the next, larger start */
	}
	return out;
}

/* Occurrences in pos[0..npos) (which may repeat a value: each one counts) of the values
   of set[0..n) (ascending, distinct). */
static uint32_t count_in(const uint32_t *pos, uint32_t npos, const uint32_t *set, uint32_t n)
{
	uint32_t count = 0;
	for (uint32_t k = 0, m = 0; k < npos && m < n;) {
		uint32_t a = pos[k], b = set[m];
		count += a == b;
		k += a <= b;
		m += a > b;
	}
	return count;
}

/*
 * Counts the phrase's occurrences in the current doc: the positions of word 0 from which
 * every word i stands at +i. The candidate starts come from the rarest word and are
 * narrowed word by word, rarest first, so a doc where two words never meet is rejected
 * before the other words' freqs and positions are decoded.
 */
static uint32_t phrase_count(phrase_it *p, phrase_field *f)
{
	if (p->base.q->slop > 0)
		return phrase_count_slop(p, f);
	size_t nw = p->nw;
	const uint32_t *order = f->order;
	const uint32_t *pos;
	uint32_t npos, n = 0, first = order[0], k = 0;
	if (tc_postings_positions(f->fp[first], &pos, &npos, NULL) != TC_OK)
		return 0;
	p->scratch = tc_grow(p->scratch, &p->scratch_cap, npos, sizeof *p->scratch);
	while (k < npos && pos[k] < first)
		k++;
	for (; k < npos; k++) { /* the starts, once each: a word may repeat a position */
		p->scratch[n] = pos[k] - first;
		n += n == 0 || p->scratch[n - 1] != pos[k] - first;
	}
	for (size_t j = 1; j < nw && n > 0; j++) {
		if (order[j] == 0)
			continue; /* word 0 counts the occurrences, below */
		if (tc_postings_positions(f->fp[order[j]], &pos, &npos, NULL) != TC_OK)
			return 0;
		n = keep_starts(p->scratch, n, pos, npos, order[j]);
	}
	if (n == 0 || tc_postings_positions(f->fp[0], &pos, &npos, NULL) != TC_OK)
		return 0;
	return count_in(pos, npos, p->scratch, n);
}

/* The next doc >= target where the phrase stands in field f, its count in f->freq. */
static uint32_t phrase_field_seek(phrase_it *p, phrase_field *f, uint32_t target)
{
	if (f->fp == NULL)
		return TC_DOC_END;
	for (uint32_t d = tc_postings_seek_all(f->lead, p->nw, target); d != TC_DOC_END;
	     d = tc_postings_seek_all(f->lead, p->nw, d + 1)) {
		if (out_of_time(p->base.r))
			return TC_DOC_END;
		if (f->ep && tc_postings_seek_all(f->fp, p->nw, d) != d)
			continue;
		if ((f->freq = phrase_count(p, f)) > 0)
			return d;
	}
	return TC_DOC_END;
}

static uint32_t phrase_seek(it *self, uint32_t target)
{
	phrase_it *p = (phrase_it *)self;
	uint32_t best = TC_DOC_END;
	for (size_t i = 0; i < p->nf; i++) {
		phrase_field *f = &p->f[i];
		if (!self->started || (f->doc != TC_DOC_END && f->doc < target))
			f->doc = phrase_field_seek(p, f, target);
		if (f->doc < best)
			best = f->doc;
	}
	return best;
}

static double phrase_score(it *self, double need)
{
	phrase_it *p = (phrase_it *)self;
	double s = 0;
	for (size_t i = 0; i < p->nf; i++) {
		phrase_field *f = &p->f[i];
		if (f->doc == self->doc)
			s += bm25_doc(self->r, self->doc, f->field, f->freq, f->avgdl, f->w_idf);
	}
	return s;
}

static double phrase_bound(it *self, uint32_t *until)
{
	return ((phrase_it *)self)->max;
}

static void free_plist(tc_postings **p, size_t n)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		tc_postings_free(p[i]);
	free(p);
}

static void phrase_free(it *self)
{
	phrase_it *p = (phrase_it *)self;
	for (size_t i = 0; i < p->nf; i++) {
		free_plist(p->f[i].fp, p->nw);
		free_plist(p->f[i].ep, p->nw);
		free(p->f[i].lead);
		free(p->f[i].order);
	}
	free(p->scratch);
	free(p);
}

static const it_ops phrase_ops = {phrase_seek, phrase_score, phrase_bound, phrase_free};

/* Opens one postings list per word; NULL (all freed) when any word is absent. */
static tc_postings **open_words(run *r, const tc_qnode *q, unsigned field, int exact)
{
	tc_postings **p = tc_calloc(q->nwords, sizeof *p);
	for (size_t i = 0; i < q->nwords; i++) {
		const tc_qword *w = &q->words[i];
		p[i] = open_postings(r, exact ? TC_KIND_EXACT : w->kind, field, w);
		if (p[i] == NULL) {
			free_plist(p, q->nwords);
			return NULL;
		}
	}
	return p;
}

/* The numbers 0..n-1 of the lists p[], shortest list first. */
static uint32_t *by_count(tc_postings **p, size_t n)
{
	uint32_t *o = tc_malloc(n * sizeof *o);
	for (size_t i = 0; i < n; i++) {
		size_t j = i;
		for (; j > 0 && tc_postings_count(p[o[j - 1]]) > tc_postings_count(p[i]); j--)
			o[j] = o[j - 1];
		o[j] = (uint32_t)i;
	}
	return o;
}

static it *phrase_new(run *r, const tc_qnode *q)
{
	phrase_it *p = tc_calloc(1, sizeof *p);
	p->base.ops = &phrase_ops;
	p->base.q = q;
	p->base.r = r;
	p->nw = q->nwords;
	unsigned fields[MAX_FIELDS_SEARCHED];
	size_t nf = node_fields(r, q, fields);
	p->base.cost = 0;
	for (size_t i = 0; i < nf; i++) {
		phrase_field *f = &p->f[p->nf++];
		f->field = fields[i];
		double idf_sum = 0;
		for (size_t k = 0; k < q->nwords; k++) {
			const tc_qword *w = &q->words[k];
			idf_sum += idf(r->N, key_df(r, r->o->strict ? TC_KIND_EXACT : w->kind, fields[i],
			                            w));
		}
		f->w_idf = field_weight(r, fields[i]) * idf_sum;
		f->avgdl = avgdl(r, fields[i]);
		f->fp = open_words(r, q, fields[i], 0);
		if (f->fp && r->o->strict) {
			f->ep = open_words(r, q, fields[i], 1);
			if (f->ep == NULL) {
				free_plist(f->fp, p->nw);
				f->fp = NULL;
			}
		}
		if (f->fp) {
			f->order = by_count(f->fp, p->nw);
			f->lead = tc_malloc(p->nw * sizeof *f->lead);
			for (size_t k = 0; k < p->nw; k++)
				f->lead[k] = (f->ep ? f->ep : f->fp)[f->order[k]];
		}
		double m = f->w_idf * (r->o->k1 + 1.0);
		if (m > p->max)
			p->max = m;
		if (f->fp) {
			double c = tc_postings_count(f->fp[0]);
			for (size_t k = 1; k < p->nw; k++)
				if (tc_postings_count(f->fp[k]) < c)
					c = tc_postings_count(f->fp[k]);
			p->base.cost += c;
		}
	}
	return &p->base;
}

/* ---- prefixes ------------------------------------------------------------------------- */

typedef struct prefix_field {
	unsigned field;
	uint32_t *tf;             /* summed freq of the expansions per doc (0: no match) */
	double w_idf, avgdl;
} prefix_field;

typedef struct prefix_it {
	it base;
	size_t nf;
	uint32_t ndocs;
	prefix_field f[MAX_FIELDS_SEARCHED];
	double max;
} prefix_it;

static uint32_t prefix_seek(it *self, uint32_t target)
{
	prefix_it *p = (prefix_it *)self;
	for (uint32_t d = target; d < p->ndocs; d++)
		for (size_t i = 0; i < p->nf; i++)
			if (p->f[i].tf && p->f[i].tf[d])
				return d;
	return TC_DOC_END;
}

static double prefix_score(it *self, double need)
{
	prefix_it *p = (prefix_it *)self;
	double s = 0;
	for (size_t i = 0; i < p->nf; i++) {
		prefix_field *f = &p->f[i];
		if (f->tf && f->tf[self->doc])
			s += bm25_doc(self->r, self->doc, f->field, f->tf[self->doc], f->avgdl, f->w_idf);
	}
	return s;
}

static double prefix_bound(it *self, uint32_t *until)
{
	return ((prefix_it *)self)->max;
}

static void prefix_free(it *self)
{
	prefix_it *p = (prefix_it *)self;
	for (size_t i = 0; i < p->nf; i++)
		free(p->f[i].tf);
	free(p);
}

static const it_ops prefix_ops = {prefix_seek, prefix_score, prefix_bound, prefix_free};

/* The keys a prefix expands to start with this: its folded form's (exact forms are
   filed under their folded forms, which start with the prefix folded). */
static size_t prefix_key(const tc_qnode *q, unsigned field, char *key)
{
	const tc_qword *w = &q->words[0];
	return make_key(TC_KIND_FOLDED, field, w->key, key);
}

/* Whether a key the prefix's key starts is an expansion: a folded form's, or in strict
   mode an exact form's starting with the prefix as written. */
static int prefix_takes(const run *r, const tc_qnode *q, const unsigned char *k, size_t n,
                        const tc_term_info *info)
{
	if (!r->o->strict)
		return !info->exact;
	if (!info->exact)
		return 0;
	size_t base = tc_key_base_len(k, n), pn = strlen(q->words[0].lower);
	return n - base - 1 >= pn && memcmp(k + base + 1, q->words[0].lower, pn) == 0;
}

/*
 * Walks the expansions of the prefix in seg. With tf == NULL it only sums their doc
 * freqs into *df (for the idf); otherwise it adds every posting's freq into tf[doc].
 */
static int prefix_walk(run *r, const tc_qnode *q, const tc_segment *seg, const char *key,
                       size_t klen, uint32_t *tf, double *df)
{
	tc_termit *ti;
	const unsigned char *k;
	size_t n, terms = 0;
	tc_term_info info;
	int rc = tc_termit_open(seg, key, klen, &ti, r->err);
	while (rc == TC_OK && !out_of_time(r)) {
		rc = tc_termit_next(ti, &k, &n, &info, r->err);
		if (rc != 1)
			break; /* 0: no more terms; negative: damage */
		rc = TC_OK;
		if (!prefix_takes(r, q, k, n, &info))
			continue;
		if (++terms > MAX_PREFIX_TERMS) {
			rc = tc_error_set(r->err, TC_ELIMIT,
			                  "prefix \"%.*s*\" matches more than %d terms: make it longer",
			                  (int)(klen - 2), key + 2, MAX_PREFIX_TERMS);
			break;
		}
		if (tf == NULL) {
			*df += info.df;
			continue;
		}
		tc_postings *p;
		rc = tc_postings_open(seg, &info, &p, r->err);
		if (rc != TC_OK)
			break;
		for (uint32_t d = tc_postings_next(p); d != TC_DOC_END; d = tc_postings_next(p))
			tf[d] += tc_postings_freq(p);
		rc = tc_postings_error(p, r->err);
		tc_postings_free(p);
	}
	tc_termit_free(ti);
	if (rc < 0 && r->rc == TC_OK)
		r->rc = rc;
	return rc < 0 ? rc : TC_OK;
}

static it *prefix_new(run *r, const tc_qnode *q)
{
	prefix_it *p = tc_calloc(1, sizeof *p);
	p->base.ops = &prefix_ops;
	p->base.q = q;
	p->base.r = r;
	p->ndocs = tc_seg_ndocs(r->seg);
	unsigned fields[MAX_FIELDS_SEARCHED];
	size_t nf = node_fields(r, q, fields);
	for (size_t i = 0; i < nf && r->rc == TC_OK; i++) {
		prefix_field *f = &p->f[p->nf++];
		char key[TC_MAX_KEY];
		size_t klen = prefix_key(q, fields[i], key);
		double df = 0;
		struct df_entry *e = df_find(r, 'P', fields[i], q);
		if (e) {
			df = e->df;
		} else {
			for (size_t s = 0; s < tc_snapshot_nsegments(r->snap) && r->rc == TC_OK; s++)
				prefix_walk(r, q, tc_snapshot_segment(r->snap, s), key, klen, NULL, &df);
			df_keep(r, 'P', fields[i], q, df, NULL);
		}
		f->field = fields[i];
		f->w_idf = field_weight(r, fields[i]) * idf(r->N, df);
		f->avgdl = avgdl(r, fields[i]);
		f->tf = tc_calloc(p->ndocs ? p->ndocs : 1, sizeof *f->tf);
		prefix_walk(r, q, r->seg, key, klen, f->tf, NULL);
		if (f->w_idf * (r->o->k1 + 1.0) > p->max)
			p->max = f->w_idf * (r->o->k1 + 1.0);
		p->base.cost += df;
	}
	return &p->base;
}

/* ---- quantities ----------------------------------------------------------------------- */

typedef struct qty_it {
	it base;
	tc_num_hits hits;         /* grouped by doc, ascending (group_by_doc) */
	size_t at, end;           /* the current doc's entries: hits.e[at..end) */
	double max;               /* the score of the doc with the most entries */
} qty_it;

/* The doc of items[i], an item of size bytes holding a uint32_t doc at byte doc_at. */
static inline uint32_t item_doc(const unsigned char *items, size_t i, size_t size,
                                size_t doc_at)
{
	uint32_t d;
	memcpy(&d, items + i * size + doc_at, sizeof d);
	return d;
}

/*
 * Sorts n items by doc, keeping the order of equal docs: a radix sort a byte per pass
 * (two passes below 65,536 docs), whose cost follows the items, not the segment's doc
 * count. Returns the sorted array: items, or a new one of n items (items is then
 * freed). Inlined, so that each caller's item size is a constant.
 */
static inline __attribute__((always_inline)) void *sort_by_doc(void *items, size_t n,
                                                               size_t size, size_t doc_at,
                                                               uint32_t ndocs)
{
	if (n < 2)
		return items;
	unsigned bits = ndocs > 1 ? 32u - (unsigned)__builtin_clz(ndocs - 1) : 1u;
	unsigned char *from = items, *tmp = tc_malloc(n * size);
	for (unsigned shift = 0; shift < bits; shift += 8) {
		size_t at[257] = {0};
		for (size_t i = 0; i < n; i++)
			at[((item_doc(from, i, size, doc_at) >> shift) & 255) + 1]++;
		if (at[((item_doc(from, 0, size, doc_at) >> shift) & 255) + 1] == n)
			continue;  /* one digit value: already in order */
		for (size_t d = 1; d < 257; d++)
			at[d] += at[d - 1];
		for (size_t i = 0; i < n; i++)
			memcpy(tmp + size * at[(item_doc(from, i, size, doc_at) >> shift) & 255]++,
			       from + size * i, size);
		unsigned char *t = from;
		from = tmp;
		tmp = t;
	}
	free(tmp);
	return from;
}

/* The entries of a comparison in the segment: the range of each of its unit keys in the
   numeric index (no mention is under two of them), into hits, or only their docs into
   docs. */
static void qty_gather(run *r, const tc_qnode *n, tc_num_hits *hits, tc_num_docs *docs)
{
	tc_num_range range = {n->lo, n->hi, n->lo_incl, n->hi_incl};
	for (size_t u = 0; u < n->nunits; u++) {
		size_t len = strlen(n->units[u]);
		int rc = docs ? tc_seg_num_range_docs(r->seg, n->units[u], len, &range, docs, r->err)
		              : tc_seg_num_range(r->seg, n->units[u], len, &range, hits, r->err);
		if (rc != TC_OK && r->rc == TC_OK)
			r->rc = rc;
	}
}

/*
 * Groups a range's entries (which come by value) by doc, ascending; within a doc they
 * keep their order by value, which is all the scoring needs (the nearness bonus looks
 * at every mention of the doc). Returns the most entries any doc has.
 */
static size_t group_by_doc(tc_num_hits *h, uint32_t ndocs)
{
	if (h->n == 0)
		return 0;
	tc_num_entry *e = sort_by_doc(h->e, h->n, sizeof *h->e, offsetof(tc_num_entry, doc), ndocs);
	if (e != h->e) {
		h->e = e;
		h->cap = h->n;
	}
	size_t most = 1;
	for (size_t i = 1, run_len = 1; i < h->n; i++) {
		run_len = e[i].doc == e[i - 1].doc ? run_len + 1 : 1;
		if (run_len > most)
			most = run_len;
	}
	return most;
}

/* The score of a doc with n mentions satisfying a comparison: more rank higher, with
   diminishing returns. */
static double qty_score_n(size_t n)
{
	return n == 1 ? QTY_SCORE : QTY_SCORE * (1.0 + log((double)n));  /* one: most docs */
}

static uint32_t qty_seek(it *self, uint32_t target)
{
	qty_it *q = (qty_it *)self;
	size_t i = self->started ? q->at : 0;
	while (i < q->hits.n && q->hits.e[i].doc < target)
		i++;
	q->at = i;
	if (i == q->hits.n)
		return TC_DOC_END;
	q->end = i;
	while (q->end < q->hits.n && q->hits.e[q->end].doc == q->hits.e[i].doc)
		q->end++;
	return q->hits.e[i].doc;
}

static double qty_score(it *self, double need)
{
	qty_it *q = (qty_it *)self;
	return qty_score_n(q->end - q->at);
}

static void qty_free(it *self)
{
	qty_it *q = (qty_it *)self;
	tc_num_hits_free(&q->hits);
	free(q);
}

static double qty_bound(it *self, uint32_t *until)
{
	return ((qty_it *)self)->max;
}

static const it_ops qty_ops = {qty_seek, qty_score, qty_bound, qty_free};

static it *qty_new(run *r, const tc_qnode *n)
{
	qty_it *q = tc_calloc(1, sizeof *q);
	q->base.ops = &qty_ops;
	q->base.q = n;
	q->base.r = r;
	qty_gather(r, n, &q->hits, NULL);
	size_t most = group_by_doc(&q->hits, tc_seg_ndocs(r->seg));
	q->base.cost = (double)q->hits.n;
	q->max = qty_score_n(most ? most : 1);
	return &q->base;
}

/* ---- AND, OR -------------------------------------------------------------------------- */

typedef struct bool_it {
	it base;
	it **kids;                /* AND: positive kids, cheapest first; OR: all */
	size_t nkids;
	it **nots;                /* AND only: excluded */
	size_t nnots;
	it **order;               /* AND: kids in query order, for proximity */
	double *bonus_rest;       /* AND: the most the bonuses can add from the pair
	                             order[i], order[i+1] on (the last: quantities only) */
	double *rest;             /* AND: nkids + 1 partial bounds (and_score) */
} bool_it;

static uint32_t and_seek(it *self, uint32_t target)
{
	bool_it *b = (bool_it *)self;
	uint32_t d = it_seek(b->kids[0], target);
	while (d != TC_DOC_END && !out_of_time(self->r)) {
		size_t i = 1;
		for (; i < b->nkids; i++) {
			uint32_t di = it_seek(b->kids[i], d);
			if (di != d) {
				d = di == TC_DOC_END ? TC_DOC_END : it_seek(b->kids[0], di);
				break;
			}
		}
		if (d == TC_DOC_END)
			break;
		if (i < b->nkids)
			continue;
		size_t k = 0;
		while (k < b->nnots && it_seek(b->nots[k], d) != d)
			k++;
		if (k == b->nnots)
			return d;
		d = it_seek(b->kids[0], d + 1);
	}
	return TC_DOC_END;
}

static uint32_t or_seek(it *self, uint32_t target)
{
	bool_it *b = (bool_it *)self;
	uint32_t best = TC_DOC_END;
	for (size_t i = 0; i < b->nkids; i++) {
		uint32_t d = it_seek(b->kids[i], target);
		if (d < best)
			best = d;
	}
	return best;
}

static double or_score(it *self, double need)
{
	bool_it *b = (bool_it *)self;
	double s = 0;
	for (size_t i = 0; i < b->nkids; i++)
		if (b->kids[i]->doc == self->doc)
			s += b->kids[i]->ops->score(b->kids[i], -INFINITY);
	return s;
}

/* Kids not on the current doc add nothing to it; the bound is for this doc only. */
static double or_bound(it *self, uint32_t *until)
{
	bool_it *b = (bool_it *)self;
	double s = 0;
	*until = min_u32(*until, self->doc);
	for (size_t i = 0; i < b->nkids; i++)
		if (b->kids[i]->doc == self->doc)
			s += b->kids[i]->ops->bound(b->kids[i], until);
	return s;
}

/* Do the two words stand side by side, in order, in a field both are searched in? */
static int adjacent_in_doc(term_it *a, term_it *b)
{
	for (size_t i = 0; i < a->nf; i++) {
		for (size_t j = 0; j < b->nf; j++) {
			if (a->f[i].field != b->f[j].field)
				continue;
			uint32_t na, nb;
			const uint32_t *pa = term_positions(a, i, &na), *pb;
			if (pa == NULL || (pb = term_positions(b, j, &nb)) == NULL)
				continue;
			for (uint32_t k = 0, m = 0; k < na && m < nb;) {
				if (pa[k] + 1 == pb[m])
					return 1;
				if (pa[k] + 1 < pb[m])
					k++;
				else
					m++;
			}
		}
	}
	return 0;
}

/* Closeness (1 next to it .. 0 far or elsewhere) of a mention to any query word. */
static double qty_nearness(qty_it *q, it **order, size_t n)
{
	uint32_t best = UINT32_MAX;
	for (size_t k = 0; k < n; k++) {
		if (order[k]->ops != &term_ops || order[k]->doc != q->base.doc)
			continue;
		term_it *t = (term_it *)order[k];
		for (size_t i = 0; i < t->nf; i++) {
			uint32_t np;
			const uint32_t *pos = term_positions(t, i, &np);
			for (size_t e = q->at; pos && e < q->end; e++) {
				if (q->hits.e[e].field != t->f[i].field)
					continue;
				uint32_t m = q->hits.e[e].pos;
				uint32_t after = next_pos(pos, np, m);
				if (after != UINT32_MAX && after - m < best)
					best = after - m;
				if (np && pos[0] <= m) {
					uint32_t lo = 0, hi = np;
					while (lo + 1 < hi) {
						uint32_t mid = (lo + hi) / 2;
						if (pos[mid] <= m)
							lo = mid;
						else
							hi = mid;
					}
					if (m - pos[lo] < best)
						best = m - pos[lo];
				}
			}
		}
	}
	return best >= QTY_NEAR ? 0.0 : 1.0 - (double)best / QTY_NEAR;
}

/*
 * Scores the kids one by one and gives up (returning a score below the threshold) as
 * soon as the scores so far, the bounds of the kids left and the largest bonus together
 * fall below the k-th best: the freqs, field lengths and positions of the rest are
 * then never read.
 */
/* The proximity bonus of the query words order[i], order[i + 1]; 0 unless both are words. */
static double pair_weight(const bool_it *b, size_t i)
{
	const it *x = b->order[i], *y = b->order[i + 1];
	if (x->ops != &term_ops || y->ops != &term_ops)
		return 0.0;
	return PROX_WEIGHT * (((const term_it *)x)->idf + ((const term_it *)y)->idf) / 2.0;
}

static double and_score(it *self, double need)
{
	bool_it *b = (bool_it *)self;
	double s = 0;
	double *rest = b->rest; /* rest[i]: bounds of kids i.. plus the largest bonus */
	int prune = need > -INFINITY;
	if (prune) {
		rest[b->nkids] = b->bonus_rest[0];
		for (size_t i = b->nkids; i-- > 0;) {
			it *k = b->kids[i];
			uint32_t until = TC_DOC_END;
			rest[i] = rest[i + 1] + (k->ops == &term_ops ? term_doc_bound((term_it *)k)
			                                             : k->ops->bound(k, &until));
		}
	}
	for (size_t i = 0; i < b->nkids; i++) {
		if (prune && s + rest[i] < need)
			return s;
		s += b->kids[i]->ops->score(b->kids[i], prune ? need - s - rest[i + 1] : -INFINITY);
	}
	/* positions cost more than everything above: each pair is looked at only while
	   the bonuses left could still lift this doc into the top k */
	for (size_t i = 0; i + 1 < b->nkids; i++) {
		if (s + b->bonus_rest[i] < need)
			return s;
		double w = pair_weight(b, i);
		if (w > 0 && adjacent_in_doc((term_it *)b->order[i], (term_it *)b->order[i + 1]))
			s += w;
	}
	if (s + b->bonus_rest[b->nkids ? b->nkids - 1 : 0] < need)
		return s;
	for (size_t i = 0; i < b->nkids; i++)
		if (b->order[i]->ops == &qty_ops)
			s += QTY_NEAR_WEIGHT * qty_nearness((qty_it *)b->order[i], b->order, b->nkids);
	return s;
}

static double and_bound(it *self, uint32_t *until)
{
	bool_it *b = (bool_it *)self;
	double s = b->bonus_rest[0];
	for (size_t i = 0; i < b->nkids; i++)
		s += b->kids[i]->ops->bound(b->kids[i], until);
	return s;
}

static void bool_free(it *self)
{
	bool_it *b = (bool_it *)self;
	for (size_t i = 0; i < b->nkids; i++)
		b->kids[i]->ops->free(b->kids[i]);
	for (size_t i = 0; i < b->nnots; i++)
		b->nots[i]->ops->free(b->nots[i]);
	free(b->kids);
	free(b->nots);
	free(b->order);
	free(b->rest);
	free(b->bonus_rest);
	free(b);
}

static const it_ops and_ops = {and_seek, and_score, and_bound, bool_free};
static const it_ops or_ops = {or_seek, or_score, or_bound, bool_free};

static it *build(run *r, const tc_qnode *q);

static int by_cost(const void *a, const void *b)
{
	const it *x = *(it *const *)a, *y = *(it *const *)b;
	return x->cost < y->cost ? -1 : x->cost > y->cost;
}

static it *bool_new(run *r, const tc_qnode *q)
{
	bool_it *b = tc_calloc(1, sizeof *b);
	b->base.ops = q->type == TC_QN_AND ? &and_ops : &or_ops;
	b->base.q = q;
	b->base.r = r;
	b->kids = tc_calloc(q->nkids, sizeof *b->kids);
	b->nots = tc_calloc(q->nkids, sizeof *b->nots);
	b->order = tc_calloc(q->nkids, sizeof *b->order);
	b->rest = tc_calloc(q->nkids + 1, sizeof *b->rest);
	b->bonus_rest = tc_calloc(q->nkids + 1, sizeof *b->bonus_rest);
	for (size_t i = 0; i < q->nkids; i++) {
		const tc_qnode *k = q->kids[i];
		if (k->type == TC_QN_NOT) {
			b->nots[b->nnots++] = build(r, k->kids[0]);
			continue;
		}
		it *kid = build(r, k);
		b->kids[b->nkids] = kid;
		b->order[b->nkids++] = kid;
		b->base.cost = q->type == TC_QN_AND
		                   ? (b->nkids == 1 || kid->cost < b->base.cost ? kid->cost : b->base.cost)
		                   : b->base.cost + kid->cost;
	}
	if (q->type == TC_QN_AND) {
		size_t last = b->nkids ? b->nkids - 1 : 0;
		for (size_t i = 0; i < b->nkids; i++)
			if (b->order[i]->ops == &qty_ops)
				b->bonus_rest[last] = QTY_NEAR_WEIGHT;
		for (size_t i = last; i-- > 0;)
			b->bonus_rest[i] = b->bonus_rest[i + 1] + pair_weight(b, i);
		qsort(b->kids, b->nkids, sizeof *b->kids, by_cost);
	}
	return &b->base;
}

static it *single_term(run *r, const tc_qnode *q, const tc_qword *w)
{
	double idfs[MAX_FIELDS_SEARCHED] = {0};
	word_idfs(r, q, w, idfs);
	return term_new(r, q, w, idfs);
}

static it *build(run *r, const tc_qnode *q)
{
	switch (q->type) {
	case TC_QN_TERM:
		return single_term(r, q, &q->words[0]);
	case TC_QN_PHRASE:
		return phrase_new(r, q);
	case TC_QN_PREFIX:
		return prefix_new(r, q);
	case TC_QN_QTY:
		return qty_new(r, q);
	default:
		return bool_new(r, q);
	}
}

/* ---- collecting the top k ---------------------------------------------------------------- */

/* Worse = lower score, then later in the index (so ties keep index order). */
static int worse(const tc_hit *a, const tc_hit *b)
{
	if (a->score != b->score)
		return a->score < b->score;
	if (a->seg != b->seg)
		return a->seg > b->seg;
	return a->doc > b->doc;
}

/* A min-heap on "worse": the root is the hit to drop next. */
static void heap_push(tc_results *r, size_t cap, tc_hit h)
{
	if (r->n == cap) {
		if (!worse(&r->hits[0], &h))
			return;
		r->hits[0] = h;
	} else {
		r->hits[r->n++] = h;
		for (size_t i = r->n - 1; i > 0;) {
			size_t up = (i - 1) / 2;
			if (!worse(&r->hits[i], &r->hits[up]))
				break;
			tc_hit t = r->hits[i];
			r->hits[i] = r->hits[up];
			r->hits[up] = t;
			i = up;
		}
		return;
	}
	for (size_t i = 0;;) {
		size_t l = 2 * i + 1, m = i;
		if (l < r->n && worse(&r->hits[l], &r->hits[m]))
			m = l;
		if (l + 1 < r->n && worse(&r->hits[l + 1], &r->hits[m]))
			m = l + 1;
		if (m == i)
			break;
		tc_hit t = r->hits[i];
		r->hits[i] = r->hits[m];
		r->hits[m] = t;
		i = m;
	}
}

static int best_first(const void *a, const void *b)
{
	const tc_hit *x = a, *y = b;
	return worse(x, y) ? 1 : worse(y, x) ? -1 : 0;
}

void tc_search_opts_init(tc_search_opts *o)
{
	memset(o, 0, sizeof *o);
	o->k = 10;
	o->k1 = 1.2;
	o->b = 0.75;
	o->title_weight = 2.0;
}

void tc_results_free(tc_results *r)
{
	free(r->hits);
	memset(r, 0, sizeof *r);
}

/* A second cursor over the list that decides matching in field slot i (for counting). */
static tc_postings *reopen_match(run *r, const term_it *t, size_t i)
{
	const tc_qword *w = t->w;
	return open_postings(r, r->o->strict ? TC_KIND_EXACT : w->kind, t->f[i].field, w);
}

/*
 * Docs holding the word in any of its fields, without walking the longest list:
 * |A u B| = |A| + |B| - |A n B|, the intersection found by seeking from the shorter.
 */
static uint64_t term_count(run *r, const term_it *t)
{
	uint64_t n = 0;
	size_t live = 0, idx[MAX_FIELDS_SEARCHED];
	for (size_t i = 0; i < t->nf; i++) {
		if (t->f[i].match == NULL)
			continue;
		n += tc_postings_count(t->f[i].match);
		idx[live++] = i;
	}
	if (live < 2)
		return n;
	tc_postings *a = reopen_match(r, t, idx[0]), *b = reopen_match(r, t, idx[1]);
	if (a && b) {
		if (tc_postings_count(a) > tc_postings_count(b)) {
			tc_postings *x = a;
			a = b;
			b = x;
		}
		for (uint32_t d = tc_postings_next(a); d != TC_DOC_END; d = tc_postings_next(a))
			if (tc_postings_seek(b, d) == d)
				n--;
	}
	tc_postings_free(a);
	tc_postings_free(b);
	return n;
}

/*
 * Upper bound of the word's score for every doc from d (the current doc) to *until. A
 * field list standing on d adds its block's bound and holds it to that block's end (its
 * docs in the range all lie in the block); a list standing later adds nothing but ends
 * the range before its doc. The exact bonus counts while the exact list has blocks left.
 */
static double term_range_bound(term_it *t, uint32_t d, uint32_t *until)
{
	double s = 0;
	int exact = 0;
	for (size_t i = 0; i < t->nf; i++) {
		term_field *f = &t->f[i];
		if (f->match == NULL || f->doc == TC_DOC_END)
			continue;
		if (f->doc > d) {
			*until = min_u32(*until, f->doc - 1);
			continue;
		}
		s += field_block_bound(t->base.r, f, until);
		*until = min_u32(*until, tc_postings_block_last(f->match));
		if (t->w->exact && exact_ahead(f))
			exact = 1;
	}
	return s + (exact ? EXACT_BONUS : 0.0);
}

/*
 * One word, the commonest query, in a segment without deletes: counted as above and
 * ranked by block-max WAND over its field lists, so a run of docs whose blocks cannot
 * reach the k-th best score is passed over without decoding those blocks.
 */
static void run_term_segment(run *r, const tc_qnode *q, uint32_t segi, size_t cap,
                             tc_results *out)
{
	term_it *t = (term_it *)build(r, q);
	out->total += term_count(r, t);
	for (uint32_t d = r->rc == TC_OK ? it_seek(&t->base, 0) : TC_DOC_END; d != TC_DOC_END;) {
		if (out_of_time(r))
			break;
		if (out->n == cap) {
			uint32_t until = TC_DOC_END;
			if (term_range_bound(t, d, &until) < out->hits[0].score) {
				if (until == TC_DOC_END)
					break;
				d = it_seek(&t->base, until + 1);
				continue;
			}
		}
		out->scored++;
		tc_hit h = {segi, d, term_score(&t->base, -INFINITY)};
		heap_push(out, cap, h);
		d = it_seek(&t->base, d + 1);
	}
	term_free(&t->base);
}

/* ---- bitmaps of a segment's docs -------------------------------------------------- */

/* Clears the bits of the segment's deleted docs (bit d of bits[d / 64]). */
static void drop_deleted(const tc_segment *seg, uint64_t *bits, size_t words)
{
	if (tc_seg_ndeleted(seg) == 0)
		return;
	for (size_t k = 0; k < words; k++)
		for (uint64_t m = bits[k]; m; m &= m - 1)
			if (tc_seg_is_deleted(seg, (uint32_t)(64 * k + (size_t)__builtin_ctzll(m))))
				bits[k] &= ~(m & -m);
}

static size_t bits_count(const uint64_t *bits, size_t words)
{
	size_t n = 0;
	for (size_t k = 0; k < words; k++)
		n += tc_popcount64(bits[k]);
	return n;
}

/*
 * A comparison alone, the portal's "> 1 tỷ đồng": a doc's score follows only from how
 * many of its mentions satisfy it, and most docs have one. So the entries' docs go
 * into a bitmap (a doc met again is marked "more" and listed), the total is a count of
 * bits, the docs met again are sorted to count their mentions and offered to the top
 * k, and the docs of one mention are offered in doc order only while the top k has room
 * for them: they all score the same, so the first one refused ends it. No iterator, no
 * grouping of whole entries; the same hits, scores and total as the iterator's.
 */
static void run_qty_segment(run *r, const tc_qnode *q, uint32_t segi, size_t cap,
                            tc_results *out)
{
	tc_num_docs h = {0};
	qty_gather(r, q, NULL, &h);
	if (r->rc != TC_OK) {
		tc_num_docs_free(&h);
		return;
	}
	uint32_t ndocs = tc_seg_ndocs(r->seg);
	size_t words = ((size_t)ndocs + 63) / 64;
	uint64_t *seen = tc_calloc(words ? 2 * words : 1, sizeof *seen), *more = seen + words;
	uint32_t *again = tc_malloc((h.n ? h.n : 1) * sizeof *again);  /* docs met again */
	size_t nagain = 0;
	for (size_t i = 0; i < h.n; i++) {
		/* without a branch: whether a doc was met before is a coin toss */
		uint32_t d = h.doc[i];
		uint64_t bit = (uint64_t)1 << (d % 64), was = seen[d / 64] & bit;
		more[d / 64] |= was;
		seen[d / 64] |= bit;
		again[nagain] = d;
		nagain += was != 0;
	}
	tc_num_docs_free(&h);
	drop_deleted(r->seg, seen, words);
	out->total += bits_count(seen, words);
	again = sort_by_doc(again, nagain, sizeof *again, 0, ndocs);
	double few[16] = {0};  /* scores of 2..15 mentions, once each: log is dear here */
	for (size_t i = 0, j; i < nagain; i = j) {
		uint32_t d = again[i];
		for (j = i + 1; j < nagain && again[j] == d; j++)
			;
		if (seen[d / 64] >> (d % 64) & 1) {
			size_t n = j - i + 1;
			double sc = n < 16 ? (few[n] ? few[n] : (few[n] = qty_score_n(n))) : qty_score_n(n);
			out->scored++;
			heap_push(out, cap, (tc_hit){segi, d, sc});
		}
	}
	for (size_t w = 0; w < words; w++)
		for (uint64_t m = seen[w] & ~more[w]; m; m &= m - 1) {
			tc_hit one = {segi, (uint32_t)(64 * w + (size_t)__builtin_ctzll(m)),
			              qty_score_n(1)};
			if (out->n == cap && !worse(&out->hits[0], &one))
				goto done;
			out->scored++;
			heap_push(out, cap, one);
		}
done:
	free(again);
	free(seen);
}

/* ---- an AND of words, counted and ranked over bitmaps ---------------------------- */

/*
 * Each word's lists go whole into bitmaps over the segment's docs, one per field slot,
 * and the docs of all the words are the AND of their unions: the total is a count of
 * bits, with no seek per doc. Each of those docs is then bounded from the bitmaps
 * (which fields hold it, whether its exact form is there) and its blocks' skip data,
 * and the lists are sought only for the docs whose bound reaches the k-th best score.
 * Decoding whole lists costs every doc of every list: worth it while the lists are of
 * a size (all of them together at most AND_BITS_RATIO times the shortest per word);
 * a rare word with a common one is left to the seeks of the iterators.
 */
#define AND_BITS_RATIO 24
#define AND_FIRST_PASS 2      /* the first pass scores this many times k docs */

/* A list's skip data, block by block, and the block of the doc bounded last. */
typedef struct block_walk {
	uint32_t *last, *max_tf;
	uint32_t nblocks, blk;
} block_walk;

/*
 * A word's docs as bitmaps: the docs of each field slot's match list, and where its
 * exact form is: in the same bitmap (strict mode; a word written one way), in one over
 * the ranks of the folded list (the usual way: rank of d = the set bits before d, from
 * a count per 64-bit word), or one over docs (a stem word asks by doc).
 */
typedef struct field_bits {
	uint64_t *docs;           /* NULL: the slot has no list */
	uint32_t *before;         /* exact by rank: docs in the words before each word */
	uint64_t *exact;          /* by rank or by doc, as exact_by_doc; NULL: none, or in
	                             docs (exact_in_docs) */
	int exact_in_docs;
	/* where the freq term_score takes comes from: the folded list (strict mode too),
	   and the match list when it is another (strict mode) */
	block_walk walk[2];
	size_t nwalks;
} field_bits;

typedef struct word_bits {
	term_it *t;
	field_bits f[MAX_FIELDS_SEARCHED];
} word_bits;

typedef struct and_bits {
	size_t words;             /* 64-bit words per bitmap over the docs */
	void **mem;               /* every allocation, freed together */
	size_t nmem, memcap;
	word_bits *w;
	size_t nw;
} and_bits;

static int bit_at(const uint64_t *bits, uint32_t d)
{
	return (int)(bits[d / 64] >> (d % 64) & 1);
}

static void *and_bits_alloc(and_bits *a, size_t n, size_t size)
{
	a->mem = tc_grow(a->mem, &a->memcap, a->nmem + 1, sizeof *a->mem);
	a->mem[a->nmem] = tc_calloc(n ? n : 1, size);
	return a->mem[a->nmem++];
}

/* The exact form's docs of slot fb, whose docs bitmap is filled. */
static int exact_bits(run *r, and_bits *a, term_field *f, field_bits *fb)
{
	if (f->exact_all || f->match == f->ep) {
		fb->exact_in_docs = 1;
		return TC_OK;
	}
	if (f->ep == NULL)
		return TC_OK;
	if (f->exact_by_doc) {
		fb->exact = and_bits_alloc(a, a->words, sizeof *fb->exact);
		return tc_postings_fill_bits(f->ep, fb->exact, r->err);
	}
	uint32_t nfp = tc_postings_count(f->fp);
	fb->exact = and_bits_alloc(a, ((size_t)nfp + 63) / 64, sizeof *fb->exact);
	fb->before = and_bits_alloc(a, a->words, sizeof *fb->before);
	for (size_t k = 0, n = 0; k < a->words; k++) {
		fb->before[k] = (uint32_t)n;
		n += (size_t)tc_popcount64(fb->docs[k]);
	}
	return tc_postings_fill_bits(f->ep, fb->exact, r->err);
}

/* Whether doc d, held by slot fb, has the word there in its exact form. */
static int exact_at(const field_bits *fb, uint32_t d)
{
	if (fb->exact_in_docs)
		return 1;
	if (fb->exact == NULL)
		return 0;
	if (fb->before == NULL)
		return bit_at(fb->exact, d);
	uint64_t below = fb->docs[d / 64] & (((uint64_t)1 << (d % 64)) - 1);
	return bit_at(fb->exact, fb->before[d / 64] + (uint32_t)tc_popcount64(below));
}

static void block_walk_init(and_bits *a, block_walk *w, const tc_postings *p)
{
	w->nblocks = tc_postings_blocks(p);
	w->last = and_bits_alloc(a, 2 * (size_t)w->nblocks, sizeof *w->last);
	w->max_tf = w->last + w->nblocks;
	for (uint32_t b = 0; b < w->nblocks; b++)
		tc_postings_block_at(p, b, &w->last[b], &w->max_tf[b]);
}

/* The largest freq of the block that would hold d (docs asked in ascending order). */
static uint32_t block_walk_max_tf(block_walk *w, uint32_t d)
{
	while (w->blk < w->nblocks && w->last[w->blk] < d)
		w->blk++;
	return w->blk < w->nblocks ? w->max_tf[w->blk] : 0;
}

static int word_bits_fill(run *r, and_bits *a, word_bits *wb)
{
	term_it *t = wb->t;
	for (size_t i = 0; i < t->nf; i++) {
		term_field *f = &t->f[i];
		if (f->match == NULL)
			continue;
		field_bits *fb = &wb->f[i];
		fb->docs = and_bits_alloc(a, a->words, sizeof *fb->docs);
		TC_FORWARD(tc_postings_fill_bits(f->match, fb->docs, r->err));
		if (f->fp)
			block_walk_init(a, &fb->walk[fb->nwalks++], f->fp);
		if (f->match != f->fp)
			block_walk_init(a, &fb->walk[fb->nwalks++], f->match);
		if (t->w->exact)
			TC_FORWARD(exact_bits(r, a, f, fb));
	}
	return TC_OK;
}

/* Whether every kid of root is a word and the lists are alike enough in size. */
static int and_by_bits(const it *root)
{
	if (root->ops != &and_ops)
		return 0;
	const bool_it *b = (const bool_it *)root;
	if (b->nkids < 2 || b->nnots > 0)
		return 0;
	double sum = 0;
	for (size_t i = 0; i < b->nkids; i++) {
		if (b->kids[i]->ops != &term_ops)
			return 0;
		sum += b->kids[i]->cost;
	}
	/* kids are by cost: kids[0] is the shortest */
	return sum <= AND_BITS_RATIO * (double)b->nkids * b->kids[0]->cost;
}

static void and_bits_free(and_bits *a)
{
	for (size_t i = 0; i < a->nmem; i++)
		free(a->mem[i]);
	free(a->mem);
	free(a->w);
}

/* The docs holding every word, into all (deleted ones left out). */
static int and_bits_fill(run *r, bool_it *b, and_bits *a, uint64_t *all)
{
	uint32_t ndocs = tc_seg_ndocs(r->seg);
	a->words = ((size_t)ndocs + 63) / 64;
	a->nw = b->nkids;
	a->w = tc_calloc(a->nw, sizeof *a->w);
	for (size_t i = 0; i < a->nw; i++) {
		a->w[i].t = (term_it *)b->kids[i];
		TC_FORWARD(word_bits_fill(r, a, &a->w[i]));
	}
	for (size_t k = 0; k < a->words; k++) {
		uint64_t m = ~(uint64_t)0;
		for (size_t i = 0; i < a->nw; i++) {
			uint64_t any = 0;
			for (size_t j = 0; j < MAX_FIELDS_SEARCHED; j++)
				if (a->w[i].f[j].docs)
					any |= a->w[i].f[j].docs[k];
			m &= any;
		}
		all[k] = m;
	}
	drop_deleted(r->seg, all, a->words);
	return TC_OK;
}

/*
 * An upper bound of the doc's score from the bitmaps, the largest freq of the doc's
 * block and its own field lengths: the score with each freq raised to its block's
 * largest (the field's bound of block-max WAND would take the block's shortest length
 * too, and be looser by far). Docs come in ascending order.
 */
static double and_bits_bound(run *r, bool_it *b, and_bits *a, uint32_t d)
{
	double s = b->bonus_rest[0];
	for (size_t i = 0; i < a->nw; i++) {
		word_bits *wb = &a->w[i];
		term_it *t = wb->t;
		int exact = 0;
		for (size_t j = 0; j < t->nf; j++) {
			field_bits *fb = &wb->f[j];
			if (fb->docs == NULL || !bit_at(fb->docs, d))
				continue;
			term_field *f = &t->f[j];
			uint32_t tf = 0;
			for (size_t k = 0; k < fb->nwalks; k++) {
				uint32_t m = block_walk_max_tf(&fb->walk[k], d);
				tf = m > tf ? m : tf;
			}
			s += bm25_doc(r, d, f->field, tf, f->avgdl, f->w_idf);
			exact |= t->w->exact && exact_at(fb, d);
		}
		s += exact ? EXACT_BONUS : 0.0;
	}
	return s;
}

/* Back before the first doc, to be sought from the start again. */
static void term_rewind(term_it *t)
{
	t->base.started = 0;
	t->base.doc = 0;
	for (size_t i = 0; i < t->nf; i++) {
		term_field *f = &t->f[i];
		if (f->fp)
			tc_postings_rewind(f->fp);
		if (f->ep)
			tc_postings_rewind(f->ep);
		f->doc = 0;
		f->bound_last = 0;
		f->exact_last = 0;
	}
}

/* The k-th largest of v[0..n), 1 <= k <= n: a min-heap of the k largest so far. */
static double kth_largest(const double *v, size_t n, size_t k)
{
	double *h = tc_malloc(k * sizeof *h);
	size_t hn = 0;
	for (size_t i = 0; i < n; i++) {
		size_t at;
		if (hn < k) {
			for (at = hn++; at > 0 && h[(at - 1) / 2] > v[i]; at = (at - 1) / 2)
				h[at] = h[(at - 1) / 2];
			h[at] = v[i];
			continue;
		}
		if (v[i] <= h[0])
			continue;
		for (at = 0;;) {
			size_t c = 2 * at + 1;
			if (c >= hn)
				break;
			if (c + 1 < hn && h[c + 1] < h[c])
				c++;
			if (h[c] >= v[i])
				break;
			h[at] = h[c];
			at = c;
		}
		h[at] = v[i];
	}
	double kth = h[0];
	free(h);
	return kth;
}

/*
 * Scores, in doc order from the lists' start, the docs whose bound reaches from and the
 * k-th best so far; a scored doc's bound becomes -inf, so a later pass passes it over.
 */
static void and_bits_pass(run *r, it *root, uint32_t segi, size_t cap, tc_results *out,
                          const uint32_t *doc, double *bound, size_t n, double from)
{
	bool_it *b = (bool_it *)root;
	for (size_t i = 0; i < b->nkids; i++)
		term_rewind((term_it *)b->kids[i]);
	for (size_t j = 0; j < n && !out_of_time(r); j++) {
		uint32_t d = doc[j];
		if (bound[j] < from || (out->n == cap && bound[j] < out->hits[0].score))
			continue;
		bound[j] = -INFINITY;
		size_t i = 0;
		while (i < b->nkids && it_seek(b->kids[i], d) == d)
			i++;
		if (i < b->nkids) {
			/* the lists gave d to the bitmaps: only damage met since hides it */
			r->rc = tc_error_set(r->err, TC_ECORRUPT, "a word's postings lost doc %" PRIu32
			                     " between two reads", d);
			break;
		}
		root->doc = d;
		out->scored++;
		tc_hit h = {segi, d, and_score(root, out->n == cap ? out->hits[0].score : -INFINITY)};
		heap_push(out, cap, h);
	}
}

/*
 * Counts from the bitmaps, then bounds every doc and scores in two passes over the
 * lists: first the docs of the k highest bounds (the likeliest top k, so the k-th best
 * score starts high), then the others whose bound still reaches it. Docs taken in doc
 * order would score every doc until the k-th best rose: several times as many.
 */
static void run_and_bits(run *r, it *root, uint32_t segi, size_t cap, tc_results *out)
{
	bool_it *b = (bool_it *)root;
	and_bits a;
	memset(&a, 0, sizeof a);
	size_t words = ((size_t)tc_seg_ndocs(r->seg) + 63) / 64;
	uint64_t *all = tc_calloc(words ? words : 1, sizeof *all);
	int rc = and_bits_fill(r, b, &a, all);
	if (rc != TC_OK && r->rc == TC_OK)
		r->rc = rc;
	size_t n = bits_count(all, words);
	uint32_t *doc = tc_malloc((n ? n : 1) * sizeof *doc);
	double *bound = tc_malloc((n ? n : 1) * sizeof *bound);
	n = 0;
	for (size_t k = 0; k < words && r->rc == TC_OK; k++)
		for (uint64_t m = all[k]; m; m &= m - 1) {
			doc[n] = (uint32_t)(64 * k + (size_t)__builtin_ctzll(m));
			bound[n] = and_bits_bound(r, b, &a, doc[n]);
			n++;
		}
	out->total += n;
	/* the top k may be full from the segments before: then one pass */
	size_t want = AND_FIRST_PASS * (cap - out->n);
	if (r->rc == TC_OK && want > 0 && n > want)
		and_bits_pass(r, root, segi, cap, out, doc, bound, n, kth_largest(bound, n, want));
	size_t left = 0;
	for (size_t j = 0; j < n && left == 0; j++)
		left = bound[j] > -INFINITY && (out->n < cap || bound[j] >= out->hits[0].score);
	if (r->rc == TC_OK && left)
		and_bits_pass(r, root, segi, cap, out, doc, bound, n, -INFINITY);
	free(doc);
	free(bound);
	and_bits_free(&a);
	free(all);
}

/* Every matching doc counted, the ones whose bound beats the k-th best scored. */
static void run_iterator(run *r, it *root, uint32_t segi, size_t cap, tc_results *out)
{
	double bound = 0;
	uint32_t bound_until = 0; /* bound holds for docs up to here; 0: not computed */
	for (uint32_t d = r->rc == TC_OK ? it_seek(root, 0) : TC_DOC_END; d != TC_DOC_END;
	     d = it_seek(root, d + 1)) {
		if (out_of_time(r))
			break;
		if (tc_seg_is_deleted(r->seg, d))
			continue;
		out->total++;
		if (out->n == cap) {
			/* the threshold only rises, so a bound below it stays below it */
			if (d > bound_until || bound_until == 0) {
				bound_until = TC_DOC_END;
				bound = root->ops->bound(root, &bound_until);
			}
			if (bound < out->hits[0].score)
				continue;
		}
		out->scored++;
		tc_hit h = {segi, d, root->ops->score(root, out->n == cap ? out->hits[0].score
		                                                          : -INFINITY)};
		heap_push(out, cap, h);
	}
}

static int run_segment(run *r, const tc_qnode *q, uint32_t segi, size_t cap, tc_results *out)
{
	if (q->type == TC_QN_TERM && tc_seg_ndeleted(r->seg) == 0) {
		run_term_segment(r, q, segi, cap, out);
		return r->rc;
	}
	if (q->type == TC_QN_QTY) {
		run_qty_segment(r, q, segi, cap, out);
		return r->rc;
	}
	it *root = build(r, q);
	if (r->rc == TC_OK && and_by_bits(root))
		run_and_bits(r, root, segi, cap, out);
	else
		run_iterator(r, root, segi, cap, out);
	root->ops->free(root);
	return r->rc;
}

int tc_exec(const tc_snapshot *snap, const tc_qnode *q, const tc_search_opts *o,
            tc_results *out, tc_error *err)
{
	out->n = 0;
	out->total = 0;
	out->scored = 0;
	TC_RETURN_IF(o->k == 0 || o->k > 10000 || o->offset > 100000, err, TC_EINVAL,
	             "search: k must be 1..10000 and offset 0..100000 (k %zu, offset %zu)", o->k,
	             o->offset);
	TC_RETURN_IF(!(o->k1 >= 0) || !(o->b >= 0 && o->b <= 1) || !(o->title_weight >= 0), err,
	             TC_EINVAL, "search: need k1 >= 0, 0 <= b <= 1, title weight >= 0");
	TC_RETURN_IF(!(o->time_limit_ms >= 0 && o->time_limit_ms <= 1e9), err, TC_EINVAL,
	             "search: the time limit must be 0 (none) to 1e9 ms");
	size_t cap = o->k + o->offset;
	out->hits = tc_grow(out->hits, &out->cap, cap, sizeof *out->hits);
	run r;
	memset(&r, 0, sizeof r);
	r.snap = snap;
	r.o = o;
	r.N = (double)tc_snapshot_ndocs(snap);
	r.err = err;
	if (o->time_limit_ms > 0)
		r.deadline = now_ns() + (uint64_t)(o->time_limit_ms * 1e6) + 1;
	for (size_t s = 0; s < tc_snapshot_nsegments(snap) && !past_deadline(&r); s++) {
		r.seg = tc_snapshot_segment(snap, s);
		r.segi = s;
		run_segment(&r, q, (uint32_t)s, cap, out);
	}
	for (size_t i = 0; i < r.ndfc; i++)
		free(r.dfc[i].info);
	if (r.rc != TC_OK) {
		out->n = 0;
		return r.rc;
	}
	qsort(out->hits, out->n, sizeof *out->hits, best_first);
	if (o->offset >= out->n) {
		out->n = 0;
	} else {
		memmove(out->hits, out->hits + o->offset, (out->n - o->offset) * sizeof *out->hits);
		out->n -= o->offset;
	}
	return TC_OK;
}

static int env_field(void *ctx, const char *name)
{
	return tc_snapshot_field_id(ctx, name);
}

static int env_unit(void *ctx, const char *key, size_t len)
{
	return tc_snapshot_unit_count(ctx, key, len) > 0;
}

void tc_exec_env(const tc_snapshot *snap, tc_query_env *env)
{
	env->field_id = env_field;
	env->unit_known = env_unit;
	env->ctx = (void *)snap;
}
