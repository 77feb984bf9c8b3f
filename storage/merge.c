/*
 * merge.c — merges segments of a snapshot into one new segment, dropping deleted docs,
 * in bounded steps.
 *
 * The merged segment is written with the ordinary segment writer, so it has the same
 * format and checks as a fresh one. New doc ids: the live docs of in[0] in order, then
 * those of in[1], ... (a map per input, old id -> new id or TC_DOC_END). The work goes in
 * three phases, each resumable after any step:
 *   1. documents: stored fields and field lengths, one doc per unit of work;
 *   2. numeric entries, one entry per unit;
 *   3. terms: a k-way merge of the inputs' dictionaries in key order; the postings of
 *      one key are the inputs' postings one after the other (their new ids ascend in
 *      input order), deleted docs skipped, one posting per unit. A key whose docs are
 *      all deleted disappears.
 * Memory: the doc maps (4 bytes per input doc) and what the writer keeps (ids, field
 * lengths, numeric entries of the new segment); postings stream through.
 */
#include "storage_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/mem.h"

enum { PH_DOCS, PH_NUMS, PH_TERMS, PH_DONE };

typedef struct msrc {
	const tc_segment *seg;
	uint32_t *map;                 /* old doc -> new doc, TC_DOC_END if dropped */
	tc_termit *it;
	int has;                       /* it holds a current term */
	unsigned char key[TC_MAX_KEY];
	size_t key_len;
	tc_term_info ti;
	uint64_t pst_released, pos_released;  /* postings behind these left the resident set */
} msrc;

/*
 * The inputs are read once: each one's documents, then its numeric entries, then its
 * postings in key order. What lies behind is let go of (tc_map_release), in steps of
 * RELEASE_STEP for the postings, so that a merge's resident set stays near its own
 * memory instead of growing by every input file it maps. A shared list that points back
 * is simply read again from the page cache.
 */
#define RELEASE_STEP ((uint64_t)4 << 20)

/* Lets go of m's bytes from *released to upto (UINT64_MAX: to the end) once that is a
   step's worth or the end. */
static void release_behind(const tc_map *m, uint64_t *released, uint64_t upto)
{
	if (upto < *released + RELEASE_STEP && upto != UINT64_MAX)
		return;
	tc_map_release(m, (size_t)*released, upto > SIZE_MAX ? SIZE_MAX : (size_t)upto);
	*released = upto;
}

static void release_postings(msrc *s, uint64_t pst_upto, uint64_t pos_upto)
{
	release_behind(&s->seg->f_pst.map, &s->pst_released, pst_upto);
	release_behind(&s->seg->f_pos.map, &s->pos_released, pos_upto);
}

struct tc_merge {
	tc_snapshot *snap;             /* retained: keeps the inputs mapped */
	msrc *src;
	size_t nin;
	unsigned nfields;
	tc_segw *w;
	int phase;
	/* docs and numeric phases: input and position within it */
	size_t ci;
	uint64_t cpos;
	size_t cunit;
	tc_doc doc;
	uint32_t *lens;
	/* terms phase: the key being merged */
	int active;
	unsigned char key[TC_MAX_KEY];
	size_t key_len;
	size_t tsrc;                   /* input being drained */
	tc_postings *p;
	int begun;                     /* term_begin was called for this key */
	int rc;
	tc_error err;
};

static int merge_fail(tc_merge *m, tc_error *err, int rc, const tc_error *e)
{
	if (m->rc == TC_OK) {
		m->rc = rc;
		tc_error_set(&m->err, rc, "merge: %s", e ? e->msg : tc_strerror(rc));
	}
	return tc_error_set(err, m->rc, "%s", m->err.msg);
}

static void merge_free(tc_merge *m)
{
	for (size_t i = 0; i < m->nin; i++) {
		free(m->src[i].map);
		tc_termit_free(m->src[i].it);
	}
	free(m->src);
	tc_postings_free(m->p);
	tc_doc_free(&m->doc);
	free(m->lens);
	tc_snapshot_release(m->snap);
	free(m);
}

int tc_merge_begin(const char *dir, uint64_t new_id, tc_snapshot *snap,
                   const tc_segment *const *in, size_t nin, unsigned nfields, tc_merge **out,
                   tc_error *err)
{
	*out = NULL;
	TC_RETURN_IF(nin == 0, err, TC_EINVAL, "merge of no segments");
	for (size_t i = 0; i < nin; i++)
		TC_RETURN_IF(in[i] == NULL || tc_seg_nfields(in[i]) > nfields, err, TC_EINVAL,
		             "merge input %zu: missing or with more fields than %u", i, nfields);
	uint64_t total = 0;
	for (size_t i = 0; i < nin; i++)
		total += tc_seg_ndocs(in[i]) - tc_seg_ndeleted(in[i]);
	TC_RETURN_IF(total > TC_MAX_SEG_DOCS, err, TC_ELIMIT, "merged segment would have %" PRIu64
	             " docs", total);
	tc_merge *m = tc_calloc(1, sizeof *m);
	m->snap = tc_snapshot_retain(snap);
	m->nin = nin;
	m->nfields = nfields;
	m->src = tc_calloc(nin, sizeof *m->src);
	m->lens = tc_calloc(nfields, sizeof *m->lens);
	uint32_t next = 0;
	for (size_t i = 0; i < nin; i++) {
		msrc *s = &m->src[i];
		s->seg = in[i];
		uint32_t n = tc_seg_ndocs(in[i]);
		s->map = tc_malloc((n ? n : 1) * sizeof *s->map);
		for (uint32_t d = 0; d < n; d++)
			s->map[d] = tc_seg_is_deleted(in[i], d) ? TC_DOC_END : next++;
	}
	int rc = tc_segw_open(dir, new_id, nfields, &m->w, err);
	if (rc != TC_OK) {
		merge_free(m);
		return rc;
	}
	*out = m;
	return TC_OK;
}

uint32_t tc_merge_map(const tc_merge *m, size_t i, uint32_t doc)
{
	if (i >= m->nin || doc >= tc_seg_ndocs(m->src[i].seg))
		return TC_DOC_END;
	return m->src[i].map[doc];
}

/* Copies one document (or skips a deleted one). */
static int step_doc(tc_merge *m, tc_error *e)
{
	msrc *s = &m->src[m->ci];
	uint32_t d = (uint32_t)m->cpos++;
	if (s->map[d] == TC_DOC_END)
		return TC_OK;
	TC_FORWARD(tc_seg_doc_get(s->seg, d, &m->doc, e));
	for (unsigned f = 0; f < m->nfields; f++)
		m->lens[f] = tc_seg_field_len(s->seg, d, f);
	return tc_segw_add_doc(m->w, m->doc.id, m->doc.id_len, m->doc.fields, m->doc.nfields,
	                       m->lens, e);
}

/* Copies the next numeric entry of the current input (unit cunit, entry cpos). */
static int step_num(tc_merge *m, tc_error *e)
{
	msrc *s = &m->src[m->ci];
	const char *key;
	size_t len;
	uint64_t count, first;
	tc_seg_unit(s->seg, m->cunit, &key, &len, &count);
	tc__num_unit_find(s->seg, key, len, &first, &count);
	tc_num_entry ne;
	tc__num_entry(s->seg, first + m->cpos, &ne);
	if (++m->cpos == count) {
		m->cpos = 0;
		m->cunit++;
	}
	if (ne.doc >= tc_seg_ndocs(s->seg))
		return tc__corrupt(e, &s->seg->f_num, NULL, "entry doc %" PRIu32 " out of range",
		                   ne.doc);
	if (s->map[ne.doc] == TC_DOC_END)
		return TC_OK;
	return tc_segw_add_num(m->w, key, len, ne.value, s->map[ne.doc], ne.field, ne.pos, e);
}

/* Moves input s to its next term. */
static int advance_term(msrc *s, tc_error *e)
{
	const unsigned char *k;
	size_t n;
	int rc = tc_termit_next(s->it, &k, &n, &s->ti, e);
	if (rc < 0)
		return rc;
	s->has = rc == 1;
	if (s->has) {
		memcpy(s->key, k, n);
		s->key_len = n;
		/* a term's own lists start where the ones before it ended */
		release_postings(s, s->ti.shared & TC_SHARED_DOCS ? 0 : s->ti.doc_off,
		                 s->ti.has_pos && !(s->ti.shared & TC_SHARED_POS) ? s->ti.pos_off : 0);
	} else {
		release_postings(s, UINT64_MAX, UINT64_MAX);
	}
	return TC_OK;
}

static int keycmp(const unsigned char *a, size_t na, const unsigned char *b, size_t nb)
{
	int c = memcmp(a, b, na < nb ? na : nb);
	return c ? c : (na > nb) - (na < nb);
}

/* Picks the smallest key among the inputs as the active term; 0 when none is left. */
static int pick_term(tc_merge *m)
{
	const msrc *best = NULL;
	for (size_t i = 0; i < m->nin; i++) {
		const msrc *s = &m->src[i];
		if (s->has && (best == NULL || keycmp(s->key, s->key_len, best->key, best->key_len) < 0))
			best = s;
	}
	if (best == NULL)
		return 0;
	memcpy(m->key, best->key, best->key_len);
	m->key_len = best->key_len;
	m->active = 1;
	m->tsrc = 0;
	m->begun = 0;
	return 1;
}

static int same_key(const tc_merge *m, const msrc *s)
{
	return s->has && keycmp(s->key, s->key_len, m->key, m->key_len) == 0;
}

/* One posting of the active term (or the move to the next input / next term). */
static int step_term(tc_merge *m, tc_error *e)
{
	if (!m->active && !pick_term(m)) {
		m->phase = PH_DONE;
		return TC_OK;
	}
	while (m->tsrc < m->nin && !same_key(m, &m->src[m->tsrc]))
		m->tsrc++;
	if (m->tsrc == m->nin) {  /* every input's postings of this key are copied */
		if (m->begun)
			TC_FORWARD(tc_segw_term_end(m->w, e));
		for (size_t i = 0; i < m->nin; i++)
			if (same_key(m, &m->src[i]))
				TC_FORWARD(advance_term(&m->src[i], e));
		m->active = 0;
		return TC_OK;
	}
	msrc *s = &m->src[m->tsrc];
	if (m->p == NULL)
		TC_FORWARD(tc_postings_open(s->seg, &s->ti, &m->p, e));
	uint32_t d = tc_postings_next(m->p);
	if (d == TC_DOC_END) {
		int rc = tc_postings_error(m->p, e);
		tc_postings_free(m->p);
		m->p = NULL;
		m->tsrc++;
		return rc;
	}
	if (s->map[d] == TC_DOC_END)
		return TC_OK;
	const uint32_t *pos = NULL;
	uint32_t n = tc_postings_freq(m->p);
	if (s->ti.has_pos)
		TC_FORWARD(tc_postings_positions(m->p, &pos, &n, e));
	if (!m->begun) {
		TC_FORWARD(tc_segw_term_begin(m->w, m->key, m->key_len, e));
		m->begun = 1;
	}
	return tc_segw_term_doc(m->w, s->map[d], n, pos, e);
}

static int step_one(tc_merge *m, tc_error *e)
{
	switch (m->phase) {
	case PH_DOCS:
		if (m->ci < m->nin && m->cpos < tc_seg_ndocs(m->src[m->ci].seg))
			return step_doc(m, e);
		if (m->ci < m->nin)
			tc_map_release(&m->src[m->ci].seg->f_doc.map, 0, SIZE_MAX);
		if (++m->ci >= m->nin) {
			m->phase = PH_NUMS;
			m->ci = 0;
			m->cunit = 0;
		}
		m->cpos = 0;
		return TC_OK;
	case PH_NUMS:
		if (m->ci < m->nin && m->cunit < tc_seg_nunits(m->src[m->ci].seg))
			return step_num(m, e);
		if (m->ci < m->nin)
			tc_map_release(&m->src[m->ci].seg->f_num.map, 0, SIZE_MAX);
		m->cunit = 0;
		m->cpos = 0;
		if (++m->ci >= m->nin) {
			m->phase = PH_TERMS;
			for (size_t i = 0; i < m->nin; i++) {
				TC_FORWARD(tc_termit_open(m->src[i].seg, "", 0, &m->src[i].it, e));
				TC_FORWARD(advance_term(&m->src[i], e));
			}
		}
		return TC_OK;
	case PH_TERMS:
		return step_term(m, e);
	default:
		return TC_OK;
	}
}

int tc_merge_step(tc_merge *m, size_t work, tc_error *err)
{
	if (m->rc != TC_OK)
		return tc_error_set(err, m->rc, "%s", m->err.msg);
	for (size_t i = 0; i < work && m->phase != PH_DONE; i++) {
		tc_error e = {0};
		int rc = step_one(m, &e);
		if (rc != TC_OK)
			return merge_fail(m, err, rc, &e);
	}
	return m->phase != PH_DONE;
}

int tc_merge_finish(tc_merge *m, tc_seg_info *info, tc_error *err)
{
	int rc = m->rc;
	if (rc != TC_OK) {
		tc_error_set(err, rc, "%s", m->err.msg);
		tc_segw_abort(m->w);
	} else if (m->phase != PH_DONE) {
		rc = tc_error_set(err, TC_EINVAL, "merge finished before its last step");
		tc_segw_abort(m->w);
	} else {
		rc = tc_segw_finish(m->w, info, err);
	}
	m->w = NULL;
	merge_free(m);
	return rc;
}

void tc_merge_abort(tc_merge *m)
{
	if (m == NULL)
		return;
	tc_segw_abort(m->w);
	merge_free(m);
}
