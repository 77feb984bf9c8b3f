/*
 * check.c — tc_index_check: verifies an index the slow, thorough way, for `tracuu
 * check`, for tests and after a crash. Every checksum of every file, then every
 * invariant the readers rely on or the formats promise (FORMAT.md), reading everything
 * once. Problems are collected as lines of a report rather than stopping at the first,
 * up to a limit per segment so a wrecked segment does not drown the others.
 */
#include "storage_int.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/mem.h"

#define MAX_PROBLEMS_PER_SEG 50

typedef struct chk {
	tc_buf *report;
	tc_error *err;
	size_t nproblems;
	size_t nversions;         /* segments written by another version: not checked */
	size_t seg_problems;
	char where[TC_NAME_MAX];  /* prefix of the lines: the segment */
} chk;

static void problem(chk *c, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

static void problem(chk *c, const char *fmt, ...)
{
	char msg[TC_ERROR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	c->nproblems++;
	if (++c->seg_problems > MAX_PROBLEMS_PER_SEG)
		return;
	if (c->report) {
		if (c->seg_problems == MAX_PROBLEMS_PER_SEG)
			tc_buf_printf(c->report, "%s: too many problems, the rest not listed\n", c->where);
		else
			tc_buf_printf(c->report, "%s%s%s\n", c->where, c->where[0] ? ": " : "", msg);
	}
	tc_error_set(c->err, TC_ECORRUPT, "%s%s%s", c->where, c->where[0] ? ": " : "", msg);
}

/* Records a failed call's message as a problem. */
static void problem_err(chk *c, const tc_error *e)
{
	problem(c, "%s", e->msg);
}

static int keycmp(const unsigned char *a, size_t na, const unsigned char *b, size_t nb)
{
	int cmp = memcmp(a, b, na < nb ? na : nb);
	return cmp ? cmp : (na > nb) - (na < nb);
}

/* ---- postings of one term ---- */

static void check_postings(chk *c, const tc_segment *seg, const unsigned char *key,
                           size_t len, const tc_term_info *ti)
{
	tc_error e = {0};
	tc_postings *p;
	if (tc_postings_open(seg, ti, &p, &e) != TC_OK) {
		problem_err(c, &e);
		return;
	}
	unsigned field = key[1];
	uint64_t n = 0, ttf = 0;
	uint32_t max_tf = 0, min_len = UINT32_MAX, bmax = 0, bmin = UINT32_MAX;
	for (uint32_t d = tc_postings_next(p); d != TC_DOC_END; d = tc_postings_next(p)) {
		uint32_t f = tc_postings_freq(p), l = tc_seg_field_len(seg, d, field);
		n++;
		ttf += f;
		max_tf = f > max_tf ? f : max_tf;
		min_len = l < min_len ? l : min_len;
		bmax = f > bmax ? f : bmax;
		bmin = l < bmin ? l : bmin;
		if (ti->has_pos) {
			const uint32_t *pos;
			uint32_t np;
			if (tc_postings_positions(p, &pos, &np, &e) != TC_OK)
				break;
		}
		if (tc_postings_block_last(p) == d) {  /* end of a block: its impact data */
			if (tc_postings_block_max_tf(p) != bmax || tc_postings_block_min_len(p) != bmin)
				problem(c, "term '%.*s': block ending at doc %" PRIu32 " says max tf %" PRIu32
				        " min len %" PRIu32 ", its docs have %" PRIu32 " and %" PRIu32,
				        (int)len, key, d, tc_postings_block_max_tf(p),
				        tc_postings_block_min_len(p), bmax, bmin);
			bmax = 0;
			bmin = UINT32_MAX;
		} else if (tc_postings_block_last(p) < d) {
			problem(c, "term '%.*s': doc %" PRIu32 " after its block's last doc", (int)len,
			        key, d);
		}
	}
	if (tc_postings_error(p, &e) != TC_OK)
		problem_err(c, &e);
	else if (n != ti->df || ttf != ti->ttf || max_tf != ti->max_tf || min_len != ti->min_len)
		problem(c, "term '%.*s': dictionary says df %" PRIu32 " ttf %" PRIu64 " max tf %"
		        PRIu32 " min len %" PRIu32 ", postings have %" PRIu64 " %" PRIu64 " %" PRIu32
		        " %" PRIu32, (int)len, key, ti->df, ti->ttf, ti->max_tf, ti->min_len, n, ttf,
		        max_tf, min_len);
	tc_postings_free(p);
}

/* ---- dictionary and postings ---- */

/*
 * Postings are laid out in key order, back to back, from the end of the header to the
 * footer: a term's own postings run to where the next term's own begin. A term that
 * shares an earlier term's postings must point to where that one's start. The layout
 * tracks the last term with its own (of any kind for .pst, with positions for .pos) so
 * each size can be added to its kind and compared with the dictionary's statistics.
 */
typedef struct layout {
	int kind;            /* kind of the term that started at start, -1 none, -2 no term */
	uint64_t start;      /* where that term started */
	uint64_t bytes[3];   /* sizes by kind */
	uint64_t *starts;    /* where every term with its own postings starts, ascending */
	size_t nstarts, cap;
} layout;

static void layout_shared(chk *c, const layout *l, uint64_t off, const unsigned char *k,
                          size_t len, const char *file)
{
	size_t lo = 0, hi = l->nstarts;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (l->starts[mid] < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == l->nstarts || l->starts[lo] != off)
		problem(c, "term '%.*s': shares %s at %" PRIu64 ", where no earlier term's start",
		        (int)len, k, file, off);
}

static void layout_add(chk *c, layout *l, uint64_t off, int shared, int kind,
                       const unsigned char *k, size_t len, const char *file)
{
	if (shared) {
		layout_shared(c, l, off, k, len, file);
		return;
	}
	l->starts = tc_grow(l->starts, &l->cap, l->nstarts + 1, sizeof *l->starts);
	l->starts[l->nstarts++] = off;
	if (l->kind == -2) {  /* first term */
		if (off != TC_FILE_HEADER)
			problem(c, "%s: first postings at %" PRIu64, file, off);
	} else if (off <= l->start) {
		problem(c, "term '%.*s': %s offset %" PRIu64 " not after the previous term's", (int)len,
		        k, file, off);
		return;
	} else if (l->kind >= 0) {
		l->bytes[l->kind] += off - l->start;
	}
	l->kind = kind;
	l->start = off;
}

static void layout_end(chk *c, layout *l, const tc__rfile *f, const uint64_t want[3],
                       const char *file)
{
	uint64_t end = (uint64_t)(f->end - f->map.data);
	if (l->kind == -2) {
		if (end != TC_FILE_HEADER)
			problem(c, "%s: %" PRIu64 " bytes of postings no term points to", file,
			        end - TC_FILE_HEADER);
		return;
	}
	if (end < l->start)
		return;  /* reported already */
	if (l->kind >= 0)
		l->bytes[l->kind] += end - l->start;
	for (int i = 0; i < 3; i++)
		if (l->bytes[i] != want[i])
			problem(c, "%s: %" PRIu64 " bytes for kind '%c', the dictionary says %" PRIu64, file,
			        l->bytes[i], "fse"[i], want[i]);
}

static void check_terms(chk *c, const tc_segment *seg)
{
	tc_error e = {0};
	tc_termit *it;
	if (tc_termit_open(seg, "", 0, &it, &e) != TC_OK) {
		problem_err(c, &e);
		return;
	}
	unsigned char prev[TC_MAX_KEY];
	size_t prev_len = 0;
	uint64_t nterms = 0, kind_terms[3] = {0};
	layout pst = {.kind = -2}, pos = {.kind = -2};
	const unsigned char *k;
	size_t len;
	tc_term_info ti;
	int rc;
	while ((rc = tc_termit_next(it, &k, &len, &ti, &e)) == 1) {
		if (nterms > 0 && keycmp(prev, prev_len, k, len) >= 0)
			problem(c, "term %" PRIu64 " '%.*s' not above the previous key", nterms, (int)len, k);
		if (len < 3 || k[1] >= tc_seg_nfields(seg))
			problem(c, "term '%.*s': bad key (field %u of %u)", (int)len, k,
			        len > 1 ? k[1] : 0, tc_seg_nfields(seg));
		int kind = tc__key_kind_index(k, len);
		if (kind >= 0)
			kind_terms[kind]++;
		layout_add(c, &pst, ti.doc_off, ti.shared & TC_SHARED_DOCS, kind, k, len, ".pst");
		if (ti.has_pos)
			layout_add(c, &pos, ti.pos_off, ti.shared & TC_SHARED_POS, kind, k, len, ".pos");
		check_postings(c, seg, k, len, &ti);
		memcpy(prev, k, len);
		prev_len = len;
		nterms++;
		if (c->seg_problems > MAX_PROBLEMS_PER_SEG)
			break;
	}
	if (rc < 0)
		problem_err(c, &e);
	tc_termit_free(it);
	free(pst.starts);
	free(pos.starts);
	if (rc != 0)
		return;
	if (nterms != seg->dict.nterms)
		problem(c, ".tdx: %" PRIu64 " terms, the tail says %" PRIu64, nterms, seg->dict.nterms);
	for (int i = 0; i < 3; i++)
		if (kind_terms[i] != seg->dict.kind_terms[i])
			problem(c, ".tdx: %" PRIu64 " terms of kind '%c', the tail says %" PRIu64,
			        kind_terms[i], "fse"[i], seg->dict.kind_terms[i]);
	layout_end(c, &pst, &seg->f_pst, seg->dict.kind_pst, ".pst");
	layout_end(c, &pos, &seg->f_pos, seg->dict.kind_pos, ".pos");
}

/* ---- field lengths ---- */

static void check_fieldlen(chk *c, const tc_segment *seg)
{
	for (unsigned f = 0; f < seg->fln.nfields; f++) {
		uint64_t sum = 0;
		for (uint32_t d = 0; d < seg->ndocs; d++)
			sum += tc_seg_field_len(seg, d, f);
		if (sum != seg->fln.total[f])
			problem(c, ".fln: field %u sums to %" PRIu64 ", its total says %" PRIu64, f, sum,
			        seg->fln.total[f]);
	}
}

/* ---- doc store and id map ---- */

static void check_docs(chk *c, const tc_segment *seg)
{
	tc_error e = {0};
	tc_doc doc = {0};
	uint32_t expect = 0;
	uint64_t raw_total = 0;
	for (uint32_t b = 0; b < seg->doc.nblocks; b++) {
		uint32_t first, next;
		size_t raw = 0;
		if (tc__docstore_check_block(seg, b, &doc, &first, &next, &raw, &e) != TC_OK) {
			problem_err(c, &e);
			tc_error_clear(&e);
			continue;
		}
		if (first != expect)
			problem(c, ".doc: block %" PRIu32 " starts at doc %" PRIu32 ", expected %" PRIu32, b,
			        first, expect);
		expect = next;
		raw_total += raw;
	}
	if (expect != seg->ndocs && c->seg_problems == 0)
		problem(c, ".doc: blocks cover %" PRIu32 " of %" PRIu32 " docs", expect, seg->ndocs);
	if (raw_total != seg->doc.raw_bytes && c->seg_problems == 0)
		problem(c, ".doc: blocks hold %" PRIu64 " bytes, the tail says %" PRIu64, raw_total,
		        seg->doc.raw_bytes);

	/* the id map: sorted, every doc once, and agreeing with the stored ids (its blocks'
	   bounds were checked as the segment opened) */
	uint8_t *seen = tc_calloc((size_t)seg->ndocs / 8 + 1, 1);
	char id[TC_MAX_ID], pid[TC_MAX_ID];  /* this entry's id and the one before */
	uint32_t plen = 0;
	tc__ids_cur cur = {0};
	for (uint32_t i = 0; i < seg->ids.n && c->seg_problems <= MAX_PROBLEMS_PER_SEG; i++) {
		int rc = tc__ids_next(seg, &cur, id, &e);
		if (rc == TC_ENOENT)
			problem(c, ".ids: %" PRIu32 " entries for %" PRIu32 " docs", i, seg->ids.n);
		if (rc != TC_OK) {
			if (rc != TC_ENOENT)
				problem_err(c, &e);
			tc_error_clear(&e);
			break;
		}
		uint32_t len = cur.len, d = cur.doc;
		if (i > 0 && keycmp((const unsigned char *)pid, plen, (const unsigned char *)id, len) >= 0)
			problem(c, ".ids: entry %" PRIu32 " not above the previous id", i);
		memcpy(pid, id, len);
		plen = len;
		if (d >= seg->ndocs || (seen[d >> 3] >> (d & 7) & 1)) {
			problem(c, ".ids: entry %" PRIu32 ": doc %" PRIu32 " out of range or twice", i, d);
			continue;
		}
		seen[d >> 3] |= (uint8_t)(1u << (d & 7));
		if (tc_seg_doc_get(seg, d, &doc, &e) != TC_OK) {
			problem_err(c, &e);
			tc_error_clear(&e);
		} else if (doc.id_len != len || memcmp(doc.id, id, len) != 0) {
			problem(c, ".ids: entry %" PRIu32 " maps '%.*s' to doc %" PRIu32 ", whose id is '%s'",
			        i, (int)(len > 100 ? 100 : len), id, d, doc.id);
		}
	}
	free(seen);
	tc_doc_free(&doc);
}

/* ---- numeric index ---- */

/* 1 when entry b may not follow entry a of the same unit. */
static int num_out_of_order(const tc_num_entry *a, const tc_num_entry *b)
{
	if (a->value != b->value)
		return b->value < a->value;
	if (a->doc != b->doc)
		return b->doc < a->doc;
	if (a->field != b->field)
		return b->field < a->field;
	return b->pos < a->pos;
}

/*
 * Units ascending; every block decodes to exactly its bytes; within a unit entries
 * ascending by (value, doc, field, pos) (so the block index's first values, which are
 * the blocks' first entries, ascend too and the binary search holds); values finite and
 * not -0; docs below the doc count. The unit counts adding up to the entries, and the
 * block offsets, were checked when the segment opened.
 */
static void check_numeric(chk *c, const tc_segment *seg)
{
	const tc__num_r *r = &seg->num;
	for (uint32_t u = 1; u < r->nunits; u++) {
		const char *key, *pkey;
		size_t len, plen;
		uint64_t count;
		tc_seg_unit(seg, u, &key, &len, &count);
		tc_seg_unit(seg, u - 1, &pkey, &plen, &count);
		if (keycmp((const unsigned char *)pkey, plen, (const unsigned char *)key, len) >= 0)
			problem(c, ".num: unit %" PRIu32 " not above the previous unit", u);
	}
	tc__num_blk *blk = tc_malloc(sizeof *blk);
	tc_num_entry prev = {0};
	uint32_t u = 0;
	int fresh = 1;  /* no previous entry to compare with */
	for (uint64_t b = 0; b < r->nblocks && c->seg_problems <= MAX_PROBLEMS_PER_SEG; b++) {
		tc_error e = {0};
		if (tc__num_block(seg, b, 0, blk, &e) != TC_OK) {
			problem_err(c, &e);
			fresh = 1;
			continue;
		}
		for (size_t j = 0; j < blk->n; j++) {
			uint64_t i = blk->first + j;
			tc_num_entry cur = {blk->value[j], blk->doc[j], blk->pos[j], blk->field[j]};
			for (; i >= r->first[u + 1]; u++)  /* stops: first[nunits] = n */
				fresh = 1;
			if (!isfinite(cur.value) || (cur.value == 0 && signbit(cur.value)))
				problem(c, ".num: entry %" PRIu64 ": value not finite or -0", i);
			if (cur.doc >= seg->ndocs)
				problem(c, ".num: entry %" PRIu64 ": doc %" PRIu32 " out of range", i, cur.doc);
			if (!fresh && num_out_of_order(&prev, &cur))
				problem(c, ".num: entry %" PRIu64 " out of order", i);
			prev = cur;
			fresh = 0;
		}
	}
	free(blk);
}

/* ---- the index ---- */

int tc_index_check(const char *dir, tc_buf *report, tc_error *err)
{
	chk c = {.report = report, .err = err};
	tc_manifest m;
	tc_error e = {0};
	int rc = tc_manifest_read(dir, &m, &e);
	if (rc == TC_ENOENT)
		return tc_error_set(err, rc, "%s: no index (no MANIFEST)", dir);
	if (rc != TC_OK) {
		problem_err(&c, &e);
		return rc;
	}
	for (size_t i = 0; i < m.nsegs; i++) {
		const tc_manifest_seg *ms = &m.segs[i];
		snprintf(c.where, sizeof c.where, "segment %016" PRIx64, ms->id);
		c.seg_problems = 0;
		tc_segment seg;
		memset(&seg, 0, sizeof seg);
		tc_error_clear(&e);
		int orc = tc__seg_open(&seg, dir, ms, 1, &e);
		if (orc == TC_EVERSION) {  /* another layout, not damage: this build cannot tell */
			c.nversions++;
			if (report)
				tc_buf_printf(report, "%s: %s\n", c.where, e.msg);
			if (c.nproblems == 0)
				tc_error_set(err, TC_EVERSION, "%s: %s", c.where, e.msg);
			continue;
		}
		if (orc != TC_OK) {
			problem_err(&c, &e);
			continue;
		}
		if (seg.fln.nfields > m.nfields)
			problem(&c, "uses %u fields, the manifest has %zu", seg.fln.nfields, m.nfields);
		check_fieldlen(&c, &seg);
		check_terms(&c, &seg);
		check_docs(&c, &seg);
		check_numeric(&c, &seg);
		tc__seg_close(&seg);
	}
	tc_manifest_free(&m);
	return c.nproblems ? TC_ECORRUPT : c.nversions ? TC_EVERSION : TC_OK;
}
