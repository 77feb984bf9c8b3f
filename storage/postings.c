/*
 * postings.c — the postings of a segment: doc ids, freqs and skip/impact data in
 * <seg>.pst, positions in <seg>.pos; the writer the segment writer feeds term by term,
 * and the iterator the query engine reads them with.
 *
 * Both files use the frame of fileio.c ("TCPS" version TC_POSTINGS_VERSION = 4, "TCPO"
 * TC_POSITIONS_VERSION = 4: the chunks of codec.c's format version 2; .pst version 3
 * since exact forms are by rank, 4 since their blocks choose how to store freqs; .pos
 * version 4 since positions are Rice codes);
 * the content is the terms' postings one after the other, in key order, each written
 * once: a term whose one-block list would repeat an earlier term's bytes points to them
 * (see "Sharing" below and termdict.c's doc_ref). The dictionary entry of a term gives
 * df, ttf, max_tf, min_len and where its postings start (doc_off in .pst, pos_off in
 * .pos, both offsets from the start of the file). The docs of a term are cut into
 * blocks of 128; nblocks = ceil(df / 128); block b holds k_b = min(128, df - 128 b) docs.
 *
 * .pst, at doc_off:
 *
 *   term      := skip? block{nblocks}                       skip only when nblocks > 1
 *   skip      := skip_len:varint  entry{nblocks}            skip_len = bytes of the entries
 *   entry     := last_delta:varint   last doc of the block minus last doc of the
 *                                    previous block (the first block: its last doc)
 *                doc_bytes:varint    size of the block in .pst
 *                pos_bytes:varint    size of the block's positions in .pos (only for
 *                                    terms with positions)
 *                max_tf:varint       largest freq in the block (>= 1)
 *                min_len:varint      smallest field length (of the term's field) among
 *                                    the block's docs: BM25 upper bound of the block =
 *                                    score(max_tf, min_len)
 *   block     := gaps:chunk(k_b) freqs:chunk(k_b)           chunk: see codec.c
 *                gap i = doc i - doc i-1 - 1; for i = 0, doc 0 - (last doc of the
 *                previous block + 1), or doc 0 itself in the first block
 *                freq i stored as freq - 1
 *
 * An exact form's list (its key is its base's, the folded form's, then 0 and the exact
 * form: storage.h) holds the same blocks over the *ranks* of its docs in its base's
 * list (rank r = the base's doc number r, counting from 0) instead of doc ids, since
 * its docs are some of its base's; where most of them are, the gaps are mostly 0:
 *
 *   entry     := last_delta:varint   last doc of the block, as above (so a reader by
 *                                    doc skips as it does elsewhere)
 *                rank_delta:varint   last rank of the block minus the previous block's
 *                                    (the first block: its last rank); > 0 after the
 *                                    first
 *                doc_bytes:varint max_tf:varint min_len:varint     as above
 *   block     := layout:u8 gaps:chunk(k_b) freqs
 *                layout: bit 0 (EXACT_FREQ_MINUS_1) how freqs are stored; the other
 *                bits 0
 *                gap i = rank i - rank i-1 - 1, the first from the previous block's last
 *                rank + 1 (or 0)
 *   freqs     := fdelta:chunk(k_b)                          bit 0 clear: fdelta i = the
 *                                                           base's freq in that doc - the
 *                                                           exact form's (>= 0)
 *              | fm1:chunk(k_b)                             bit 0 set: the exact form's
 *                                                           freq - 1 (at most the base's)
 * The writer takes the smaller: a word mostly written another way in the docs it shares
 * with its base stores its own small freqs rather than large differences.
 *
 * An exact form with every doc and freq of its base (df and ttf equal) has no list at
 * all; its dictionary entry points to its base's (shared).
 *
 * .pos, at pos_off (terms with positions only; exact forms have none):
 *
 *   term      := pblock{nblocks}
 *   pblock    := beta:u8 (0..33) low_bytes:varint low:byte[low_bytes] high
 *                the values of the block: each doc's positions in doc order, its first
 *                as is, the others as the difference to the one before (>= 0); a doc
 *                of freq f cuts its values at width w = beta - (bit length of f + 1), 0
 *                when that is not positive (codec.c's positions code)
 *   low       := the low w bits of every value, doc after doc, packed from bit 0 of
 *                byte 0 (bit j of the stream = bit j % 8 of byte j / 8), then 0 bits to
 *                the byte; low_bytes = ceil(sum over docs of f * w / 8)
 *   high      := for every value in the same order, (value >> w) 0 bits and a 1 bit,
 *                packed the same way, then 0 bits to the byte; it ends the block
 *
 * Reading is bounds-safe: every length is checked against the mapping, doc ids must be
 * ascending and below the segment's doc count, and a block's last doc must match its
 * skip entry. Anything else is TC_ECORRUPT, sticky in the iterator.
 */
#include "storage_int.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/mem.h"

/* ---------------------------------------------------------------------------------- */
/* Writer                                                                             */
/* ---------------------------------------------------------------------------------- */

int tc__pw_open(tc__pw *w, const char *dir, uint64_t seg_id, tc_error *err)
{
	memset(w, 0, sizeof *w);
	w->pst.fd = w->pos.fd = -1;
	char name[TC_NAME_MAX];
	tc__seg_file_name(name, seg_id, "pst");
	TC_FORWARD(tc__wfile_open(&w->pst, dir, name, TC_MAGIC_POSTINGS, err));
	tc__seg_file_name(name, seg_id, "pos");
	return tc__wfile_open(&w->pos, dir, name, TC_MAGIC_POSITIONS, err);
}

void tc__pw_begin(tc__pw *w, int has_pos, int exact)
{
	w->has_pos = has_pos;
	w->exact = exact;
	if (exact) {
		w->base_at = 0;
	} else {
		w->base_n = 0;
		w->base_ttf = 0;
	}
	w->prev_last_rank = 0;
	w->df = 0;
	w->ttf = 0;
	w->max_tf = 0;
	w->min_len = UINT32_MAX;
	w->nblocks = 0;
	w->prev_last = 0;
	w->bn = 0;
	w->bpos_n = 0;
	w->skip.len = 0;
	w->blocks.len = 0;
	w->pos_held.len = 0;
	w->doc_off = w->pst.off;
	w->pos_off = has_pos ? w->pos.off : 0;
	w->pre = NULL;
}

void tc__pw_coded(tc__pw *w, const unsigned char *bytes, const uint32_t *block_len,
                  uint32_t nblocks)
{
	w->pre = bytes;
	w->pre_len = block_len;
	w->pre_n = nblocks;
	w->pre_next = 0;
	w->pre_at = 0;
}

/*
 * Sharing. A term whose list has the same bytes (and the same doc or position count,
 * which decoding depends on) as a list already written points to that list instead of
 * repeating it: a Latin word's stem often has its word's postings and positions, two
 * rare words of the same document the same postings. The bytes are what the term's own
 * list would be, so every reader reads them as its own, whatever the kind of the term
 * that wrote them. Lists shorter than LIST_SHARE_MIN are not worth the longer
 * dictionary entry that points back. Matches of the hash are confirmed byte for byte
 * against the file.
 */
#define LIST_SHARE_MIN 8
/* Lists remembered per file: beyond this many the set stops growing (at most 24 MiB)
   and only the lists it holds are shared. */
#define LIST_SHARE_CAP ((size_t)1 << 19)

static uint64_t list_hash(const void *p, size_t n, uint64_t count)
{
	uint64_t h = tc_hash64(p, n) ^ (count * 0x9e3779b97f4a7c15u) ^ ((uint64_t)n << 40);
	return h ? h : 1;  /* 0 marks an empty slot */
}

static void listset_grow(tc__listset *s)
{
	size_t cap = s->cap ? 2 * s->cap : 1024;
	tc__listent *e = tc_calloc(cap, sizeof *e);
	for (size_t i = 0; i < s->cap; i++) {
		if (s->e[i].hash == 0)
			continue;
		size_t j = s->e[i].hash & (cap - 1);
		while (e[j].hash)
			j = (j + 1) & (cap - 1);
		e[j] = s->e[i];
	}
	free(s->e);
	s->e = e;
	s->cap = cap;
}

/* Whether the n bytes written to f at off are p[0..n). */
static int same_as_written(const tc__wfile *f, uint64_t off, const unsigned char *p, size_t n)
{
	unsigned char back[4096];
	for (size_t at = 0; at < n; at += sizeof back) {
		size_t k = n - at < sizeof back ? n - at : sizeof back;
		if (tc__wfile_read(f, off + at, back, k) != 0 || memcmp(back, p + at, k) != 0)
			return 0;
	}
	return 1;
}

/*
 * Where an earlier list of f with the n bytes at p and this count starts, or 0 when there
 * is none; then the list is remembered as about to be written at f's end.
 */
static uint64_t list_shared(tc__wfile *f, tc__listset *s, const unsigned char *p, size_t n,
                            uint64_t count)
{
	if (n < LIST_SHARE_MIN || n > UINT32_MAX)
		return 0;
	uint64_t h = list_hash(p, n, count);
	if (2 * (s->n + 1) > s->cap && s->n < LIST_SHARE_CAP)
		listset_grow(s);
	size_t mask = s->cap - 1, j = h & mask;
	for (; s->e[j].hash; j = (j + 1) & mask) {
		const tc__listent *e = &s->e[j];
		if (e->hash == h && e->len == n && same_as_written(f, e->off, p, n))
			return e->off;
	}
	if (s->n < LIST_SHARE_CAP) {
		s->e[j] = (tc__listent){h, f->off, (uint32_t)n};
		s->n++;
	}
	return 0;
}

static void listset_free(tc__listset *s)
{
	free(s->e);
	memset(s, 0, sizeof *s);
}

/* gaps[i] = ids[i] - ids[i - 1] - 1, from a first smallest possible id of next. */
static void id_gaps(const uint32_t *ids, uint32_t n, uint32_t next, uint32_t *gaps)
{
	for (uint32_t i = 0; i < n; i++) {
		gaps[i] = ids[i] - next;
		next = ids[i] + 1;
	}
}

/* How an exact form's block is laid out (its first byte): bits of */
#define EXACT_FREQ_MINUS_1 1  /* freqs as freq - 1 (else what they lack of the base's) */
#define EXACT_LAYOUTS 2

/*
 * An exact form's block: a layout byte, its ranks, and its freqs as what they lack of
 * the base's or as freq - 1, whichever is smaller (the second: a word mostly written
 * another way in the docs it shares with its base).
 */
static void put_exact_block(tc__pw *w, const uint32_t *gaps, const uint32_t *fm1)
{
	unsigned char freqs[2][TC_CHUNK_MAX];
	size_t nf[2] = {tc__chunk_pack(w->bfdelta, w->bn, freqs[0]),
	                tc__chunk_pack(fm1, w->bn, freqs[1])};
	int minus_1 = nf[1] < nf[0];
	tc_buf_putc(&w->blocks, minus_1 ? EXACT_FREQ_MINUS_1 : 0);
	tc_buf_reserve(&w->blocks, TC_CHUNK_MAX);
	w->blocks.len += tc__chunk_pack(gaps, w->bn, (unsigned char *)w->blocks.data +
	                                             w->blocks.len);
	tc_buf_append(&w->blocks, (const char *)freqs[minus_1], nf[minus_1]);
}

static void pw_flush_block(tc__pw *w)
{
	uint32_t gaps[TC_POSTINGS_BLOCK], fm1[TC_POSTINGS_BLOCK];
	/* an exact form's block: its ranks in the base and how much less often it is
	   written than the base; others: doc ids and freqs */
	const uint32_t *ids = w->exact ? w->branks : w->bdocs;
	uint32_t prev = w->exact ? w->prev_last_rank : w->prev_last;
	id_gaps(ids, w->bn, w->nblocks ? prev + 1 : 0, gaps);
	for (uint32_t i = 0; i < w->bn; i++)
		fm1[i] = w->bfreqs[i] - 1;
	size_t start = w->blocks.len;
	if (w->exact) {
		put_exact_block(w, gaps, fm1);
	} else {
		tc_buf_reserve(&w->blocks, 2 * TC_CHUNK_MAX);
		unsigned char *o = (unsigned char *)w->blocks.data + w->blocks.len;
		w->blocks.len += tc__chunk_pack(gaps, w->bn, o);
		o = (unsigned char *)w->blocks.data + w->blocks.len;
		w->blocks.len += tc__chunk_pack(fm1, w->bn, o);
	}

	uint32_t last = w->bdocs[w->bn - 1];
	tc_buf_put_varint(&w->skip, last - (w->nblocks ? w->prev_last : 0));
	if (w->exact) {
		uint32_t last_rank = w->branks[w->bn - 1];
		tc_buf_put_varint(&w->skip, last_rank - (w->nblocks ? w->prev_last_rank : 0));
		w->prev_last_rank = last_rank;
	}
	tc_buf_put_varint(&w->skip, w->blocks.len - start);
	if (w->has_pos) {
		/* held to the term's end: the whole list may be shared */
		size_t before = w->pos_held.len;
		if (w->pre && w->pre_next < w->pre_n) {
			uint32_t n = w->pre_len[w->pre_next++];
			tc_buf_append(&w->pos_held, w->pre + w->pre_at, n);
			w->pre_at += n;
		} else if (w->pre) {
			w->bad_pre = 1;
		} else {
			tc__pos_pack(&w->pos_held, w->bpos, w->bfreqs, w->bn, &w->pos_scratch);
		}
		tc_buf_put_varint(&w->skip, w->pos_held.len - before);
	}
	tc_buf_put_varint(&w->skip, w->bmax_tf);
	tc_buf_put_varint(&w->skip, w->bmin_len);
	w->prev_last = last;
	w->nblocks++;
	w->bn = 0;
	w->bpos_n = 0;
}

void tc__pw_doc(tc__pw *w, uint32_t doc, uint32_t freq, const uint32_t *pos, uint32_t len)
{
	if (w->bn == 0) {
		w->bmax_tf = 0;
		w->bmin_len = UINT32_MAX;
	}
	if (w->exact) {
		size_t j = w->base_at;
		while (j < w->base_n && w->base_docs[j] < doc)
			j++;
		w->base_at = j;
		if (j == w->base_n || w->base_docs[j] != doc || w->base_freqs[j] < freq) {
			w->bad_exact = 1;
			return;
		}
		w->branks[w->bn] = (uint32_t)j;
		w->bfdelta[w->bn] = w->base_freqs[j] - freq;
	} else {
		if (w->base_n == w->base_cap) {
			w->base_docs = tc_grow(w->base_docs, &w->base_cap, w->base_n + 1,
			                       sizeof *w->base_docs);
			w->base_freqs = tc_realloc(w->base_freqs, w->base_cap * sizeof *w->base_freqs);
		}
		w->base_docs[w->base_n] = doc;
		w->base_freqs[w->base_n++] = freq;
		w->base_ttf += freq;
	}
	w->bdocs[w->bn] = doc;
	w->bfreqs[w->bn] = freq;
	w->bn++;
	if (freq > w->bmax_tf)
		w->bmax_tf = freq;
	if (len < w->bmin_len)
		w->bmin_len = len;
	if (freq > w->max_tf)
		w->max_tf = freq;
	if (len < w->min_len)
		w->min_len = len;
	w->df++;
	w->ttf += freq;
	if (w->has_pos && w->pre == NULL) {
		w->bpos = tc_grow(w->bpos, &w->bpos_cap, w->bpos_n + freq, sizeof *w->bpos);
		memcpy(w->bpos + w->bpos_n, pos, freq * sizeof *pos);
		w->bpos_n += freq;
	}
	if (w->bn == TC_POSTINGS_BLOCK)
		pw_flush_block(w);
}

/* Writes the list b to f, or finds it written: then *off becomes where, and returns 1. */
static int share_or_put(tc__wfile *f, tc__listset *s, const tc_buf *b, uint64_t count,
                        uint64_t *off)
{
	uint64_t at = list_shared(f, s, (const unsigned char *)b->data, b->len, count);
	if (at) {
		*off = at;
		return 1;
	}
	tc__wfile_put(f, b->data, b->len);
	return 0;
}

void tc__pw_end(tc__pw *w, tc_term_info *ti)
{
	uint64_t pst_start = w->pst.off, pos_start = w->pos_off;  /* before any sharing */
	ti->shared = 0;
	if (w->exact && w->df == w->base_n && w->ttf == w->base_ttf) {
		/* written only this way: every doc and freq of the base, nothing to store; the
		   entry points to the base's list (readers go there by the base anyway) */
		w->bn = 0;
		w->nblocks = 0;
		w->doc_off = w->base_doc_off;
		ti->shared |= TC_SHARED_DOCS;
	}
	if (w->bn)
		pw_flush_block(w);
	if (w->nblocks > 0) {
		const tc_buf *list = &w->blocks;
		if (w->nblocks > 1) {  /* skip data first (one block: none) */
			w->whole.len = 0;
			tc_buf_put_varint(&w->whole, w->skip.len);
			tc_buf_append(&w->whole, w->skip.data, w->skip.len);
			tc_buf_append(&w->whole, w->blocks.data, w->blocks.len);
			list = &w->whole;
		}
		if (share_or_put(&w->pst, &w->pst_seen, list, w->df, &w->doc_off))
			ti->shared |= TC_SHARED_DOCS;
		if (w->has_pos && share_or_put(&w->pos, &w->pos_seen, &w->pos_held, w->ttf,
		                               &w->pos_off))
			ti->shared |= TC_SHARED_POS;
	}
	w->pos_held.len = 0;
	w->pst_bytes = w->pst.off - pst_start;
	w->pos_bytes = w->has_pos ? w->pos.off - pos_start : 0;
	ti->df = w->df;
	ti->ttf = w->ttf;
	ti->max_tf = w->max_tf;
	ti->min_len = w->min_len;
	ti->doc_off = w->doc_off;
	ti->pos_off = w->pos_off;
	ti->has_pos = (uint8_t)w->has_pos;
	ti->exact = (uint8_t)w->exact;
	if (w->exact) {
		ti->base.df = (uint32_t)w->base_n;
		ti->base.ttf = w->base_ttf;
	} else {
		w->base_doc_off = w->doc_off;
	}
}

int tc__pw_close(tc__pw *w, tc_error *err)
{
	int rc = tc__wfile_close(&w->pst, err);
	int rc2 = tc__wfile_close(&w->pos, err);
	tc__pw_free(w);
	return rc != TC_OK ? rc : rc2;
}

void tc__pw_free(tc__pw *w)
{
	tc__wfile_abort(&w->pst);
	tc__wfile_abort(&w->pos);
	listset_free(&w->pst_seen);
	listset_free(&w->pos_seen);
	tc_buf_free(&w->pos_held);
	tc_buf_free(&w->pos_scratch);
	tc_buf_free(&w->skip);
	tc_buf_free(&w->blocks);
	tc_buf_free(&w->whole);
	free(w->bpos);
	w->bpos = NULL;
	w->bpos_cap = 0;
	free(w->base_docs);
	free(w->base_freqs);
	w->base_docs = w->base_freqs = NULL;
	w->base_n = w->base_cap = 0;
}

/* ---------------------------------------------------------------------------------- */
/* Iterator                                                                           */
/* ---------------------------------------------------------------------------------- */

enum { LIST_DOCS, LIST_EXACT_DOCS, LIST_EXACT_RANKS };

struct tc_postings {
	const tc_segment *seg;
	tc_term_info ti;
	int mode;                      /* LIST_*: what the blocks hold and what docs[] gets */
	uint32_t limit;                /* ids in docs[] are below it: ndocs, or base df */
	tc_postings *base;             /* LIST_EXACT_DOCS: the base list, to map ranks */
	uint32_t *last_rank;           /* LIST_EXACT_DOCS with blocks > 1: skip's ranks */
	uint32_t nblocks;
	/* skip data, one entry per block; doff/poff have nblocks + 1 entries (the ends) */
	uint32_t *last, *maxtf, *minlen;
	const unsigned char **doff, **poff;
	uint32_t one_last, one_maxtf, one_minlen;         /* storage when nblocks == 1 */
	const unsigned char *one_doff[2], *one_poff[2];
	/* the decoded block */
	uint32_t blk;                  /* its number; UINT32_MAX before the first */
	uint32_t shallow;              /* block cursor of tc_postings_shallow */
	uint32_t n, i;                 /* docs in it, index of the current doc */
	uint32_t doc;                  /* current doc */
	int started;
	const unsigned char *fsrc;     /* the block's freqs chunk, decoded on first use */
	unsigned xlayout;              /* an exact form's block: its layout byte */
	int freq_ready;                /* fm1 holds block blk's freqs */
	/* positions of the decoded block, decoded doc by doc as they are asked for */
	int pos_blk_ready;             /* pb reads block blk */
	tc__posblk pb;
	uint32_t pdoc;                 /* the doc of the block pb is at */
	uint32_t *posv;                /* the current doc's positions, ... */
	size_t posv_cap;
	int cur_ready;                 /* ... once decoded */
	int rc;
	/* from here on written before read: not cleared when opening (a list is opened for
	   every field of every query word) */
	uint32_t docs[TC_POSTINGS_BLOCK];
	uint32_t fm1[TC_POSTINGS_BLOCK]; /* freq - 1 per doc, as stored (freqs are checked
	                                    for overflow where they are used) */
	tc_error err;                  /* set with rc (only its code is cleared) */
};

static uint32_t fail(tc_postings *p, const tc__rfile *f, const void *at, const char *what)
{
	if (p->rc == TC_OK) {
		p->rc = tc__corrupt(&p->err, f, at, "postings of a term at %" PRIu64 ": %s",
		                    p->ti.doc_off, what);
	}
	p->doc = TC_DOC_END;
	return TC_DOC_END;
}

/*
 * Turns the k >= 1 gaps of a block into doc ids from base (the smallest id the block
 * may hold) and returns the last id, exact: the ids ascend, so the last one alone
 * decides whether all are in range. Sums in 32 bits are exact while every gap is below
 * 2^24 (base < 2^31, and 128 such gaps add less than 2^31): one add per id, the
 * usual case. Wider gaps (a huge segment, or damage) are summed again in 64 bits, the
 * gaps recovered from the wrapped ids (differences modulo 2^32 are exact).
 */
static uint64_t gaps_to_ids(uint32_t *v, uint32_t k, uint32_t base)
{
	uint32_t wide = 0, id = base - 1;
	_Pragma("GCC unroll 4")
	for (uint32_t j = 0; j < k; j++) {
		wide |= v[j];
		id += v[j] + 1;
		v[j] = id;
	}
	if (wide < (1u << 24))
		return id;
	uint64_t next = base;
	uint32_t prev = base - 1;
	for (uint32_t j = 0; j < k; j++) {
		next += v[j] - prev - 1;
		prev = v[j];
		v[j] = (uint32_t)next++;
	}
	return next - 1;
}

static int load_block(tc_postings *p, uint32_t b);
static int load_freqs(tc_postings *p);

/*
 * An exact form's block by doc: docs[] holds ranks in the base; each becomes the base's
 * doc of that rank and its freq the base's minus the stored difference. Ranks ascend,
 * so the base's blocks are visited in order, each decoded once, and those no rank falls
 * in are skipped.
 */
static int exact_docs(tc_postings *p)
{
	const tc__rfile *f = &p->seg->f_pst;
	uint32_t delta[TC_POSTINGS_BLOCK];
	const unsigned char *s = p->fsrc, *end = p->doff[p->blk + 1];
	int minus_1 = (p->xlayout & EXACT_FREQ_MINUS_1) != 0;
	if (tc__chunk_unpack(&s, end, delta, p->n) != 0)
		return fail(p, f, p->doff[p->blk], "bad block"), -1;
	if (p->nblocks > 1 && s != end)
		return fail(p, f, s, "block shorter than its skip entry says"), -1;
	tc_postings *b = p->base;
	for (uint32_t j = 0; j < p->n; j++) {
		uint32_t r = p->docs[j], rb = r / TC_POSTINGS_BLOCK;
		if ((b->blk != rb && load_block(b, rb) != 0) || load_freqs(b) != 0)
			return fail(p, f, p->doff[p->blk], b->err.msg), -1;
		uint32_t fm1 = b->fm1[r % TC_POSTINGS_BLOCK];
		if (delta[j] > fm1)
			return fail(p, f, p->doff[p->blk], "an exact form more often than its base"), -1;
		p->docs[j] = b->docs[r % TC_POSTINGS_BLOCK];
		p->fm1[j] = minus_1 ? delta[j] : fm1 - delta[j];
	}
	p->freq_ready = 1;
	return 0;
}

/*
 * Decodes block b's doc ids. Its freqs wait until someone asks (load_freqs): counting
 * and skipping over a block need only the ids.
 */
static int load_block(tc_postings *p, uint32_t b)
{
	const tc__rfile *f = &p->seg->f_pst;
	const unsigned char *s = p->doff[b], *end = p->doff[b + 1];
	uint32_t k = b + 1 < p->nblocks ? TC_POSTINGS_BLOCK
	                                : p->ti.df - (p->nblocks - 1) * TC_POSTINGS_BLOCK;
	const uint32_t *prev = p->mode == LIST_EXACT_DOCS ? p->last_rank : p->last;
	uint32_t next = b ? prev[b - 1] + 1 : 0;
	uint64_t last;
	p->xlayout = 0;
	if (p->mode != LIST_DOCS) {
		if (s >= end || *s >= EXACT_LAYOUTS)
			return fail(p, f, s, "unknown layout of an exact form's block"), -1;
		p->xlayout = *s++;
	}
	if (tc__chunk_unpack(&s, end, p->docs, k) != 0)
		return fail(p, f, p->doff[b], "bad block"), -1;
	last = gaps_to_ids(p->docs, k, next);
	p->fsrc = s;
	p->freq_ready = 0;
	if (last >= p->limit)
		return fail(p, f, p->doff[b], p->mode == LIST_DOCS ? "doc id beyond the segment"
		                                                   : "rank beyond the base"), -1;
	p->blk = b;
	p->n = k;
	if (p->mode == LIST_EXACT_DOCS && exact_docs(p) != 0)
		return -1;
	if (p->nblocks > 1 && p->docs[k - 1] != p->last[b])
		return fail(p, f, p->doff[b], "last doc differs from the skip entry"), -1;
	p->i = 0;
	p->pos_blk_ready = 0;
	p->cur_ready = 0;
	return 0;
}

/* Decodes the freqs (minus one, as stored) of the loaded block. */
static int load_freqs(tc_postings *p)
{
	if (p->freq_ready)
		return 0;
	const tc__rfile *f = &p->seg->f_pst;
	const unsigned char *s = p->fsrc, *end = p->doff[p->blk + 1];
	if (tc__chunk_unpack(&s, end, p->fm1, p->n) != 0)
		return fail(p, f, p->doff[p->blk], "bad block"), -1;
	if (p->nblocks > 1 && s != end)
		return fail(p, f, s, "block shorter than its skip entry says"), -1;
	p->freq_ready = 1;
	return 0;
}

/*
 * A value of a skip entry. They take one or two bytes, in no predictable alternation:
 * those are read without a branch on which; longer ones by the general reader.
 */
static inline int skip_value(const unsigned char **s, const unsigned char *end, uint64_t *v)
{
	const unsigned char *q = *s;
	if (end - q >= 2 && (q[0] & q[1]) < 0x80) {
		uint32_t two = q[0] >> 7;
		*v = (q[0] & 0x7fu) | ((uint32_t)q[1] << 7 & (0u - two));
		*s = q + 1 + two;
		return 0;
	}
	return tc_varint_get(s, end, v);
}

/* Reads the skip entries of a term with several blocks. */
static int read_skip(tc_postings *p, const unsigned char *s, const unsigned char *fend)
{
	const tc__rfile *f = &p->seg->f_pst;
	uint64_t len;
	const unsigned char *at = s;
	if (tc_varint_get(&s, fend, &len) != 0 || len > (uint64_t)(fend - s))
		return fail(p, f, at, "bad skip length"), -1;
	const unsigned char *end = s + len, *blocks = end;
	const unsigned char *pos = p->ti.has_pos ? p->seg->f_pos.map.data + p->ti.pos_off : NULL;
	const unsigned char *pos_end = p->seg->f_pos.end;
	int exact = p->mode != LIST_DOCS;
	uint64_t last = 0, rank = 0;
	for (uint32_t b = 0; b < p->nblocks; b++) {
		uint64_t dlt, rdlt = 0, dbytes, pbytes = 0, mtf, mlen;
		if (skip_value(&s, end, &dlt) != 0 || (exact && skip_value(&s, end, &rdlt) != 0) ||
		    skip_value(&s, end, &dbytes) != 0 ||
		    (pos && skip_value(&s, end, &pbytes) != 0) || skip_value(&s, end, &mtf) != 0 ||
		    skip_value(&s, end, &mlen) != 0)
			return fail(p, f, s, "truncated skip entry"), -1;
		last += dlt;
		rank += rdlt;
		if ((b > 0 && (dlt == 0 || (exact && rdlt == 0))) || last >= p->seg->ndocs ||
		    (exact && rank >= p->limit) || dbytes > (uint64_t)(fend - blocks) ||
		    (pos && pbytes > (uint64_t)(pos_end - pos)) || mtf == 0 || mtf > UINT32_MAX ||
		    mlen > UINT32_MAX)
			return fail(p, f, s, "skip entry out of range"), -1;
		p->last[b] = (uint32_t)(p->mode == LIST_EXACT_RANKS ? rank : last);
		if (p->mode == LIST_EXACT_DOCS)
			p->last_rank[b] = (uint32_t)rank;
		p->maxtf[b] = (uint32_t)mtf;
		p->minlen[b] = (uint32_t)mlen;
		p->doff[b] = blocks;
		p->poff[b] = pos;
		blocks += dbytes;
		if (pos)
			pos += pbytes;
	}
	if (s != end)
		return fail(p, f, s, "skip entries shorter than their length"), -1;
	p->doff[p->nblocks] = blocks;
	p->poff[p->nblocks] = pos;
	return 0;
}

/* The base of an exact form as a list of its own. */
static tc_term_info base_info(const tc_term_info *info)
{
	const struct tc_term_base *b = &info->base;
	return (tc_term_info){.df = b->df, .ttf = b->ttf, .max_tf = b->max_tf,
	                      .min_len = b->min_len, .doc_off = b->doc_off, .pos_off = b->pos_off,
	                      .has_pos = 1, .shared = b->shared};
}

static int open_list(const tc_segment *seg, const tc_term_info *info, int mode,
                     tc_postings **out, tc_error *err)
{
	*out = NULL;
	const tc__rfile *f = &seg->f_pst;
	const unsigned char *s = f->map.data + info->doc_off;
	if (info->df == 0 || info->df > seg->ndocs || info->doc_off < TC_FILE_HEADER ||
	    info->doc_off >= (uint64_t)(f->end - f->map.data) ||
	    (info->has_pos && (info->pos_off < TC_FILE_HEADER ||
	                       info->pos_off > (uint64_t)(seg->f_pos.end - seg->f_pos.map.data))))
		return tc__corrupt(err, f, NULL, "term info out of range (df %" PRIu32
		                   ", doc_off %" PRIu64 ", pos_off %" PRIu64 ")",
		                   info->df, info->doc_off, info->pos_off);
	if (mode != LIST_DOCS && (info->df > info->base.df || info->base.df > seg->ndocs))
		return tc__corrupt(err, f, NULL, "exact form of %" PRIu32 " docs in a base of %"
		                   PRIu32, info->df, info->base.df);
	tc_postings *base = NULL;
	if (mode == LIST_EXACT_DOCS) {
		tc_term_info bi = base_info(info);
		TC_FORWARD(open_list(seg, &bi, LIST_DOCS, &base, err));
	}
	tc_postings *p = tc_malloc(sizeof *p);
	memset(p, 0, offsetof(tc_postings, docs));
	tc_error_clear(&p->err);
	p->seg = seg;
	p->ti = *info;
	p->mode = mode;
	p->base = base;
	p->limit = mode == LIST_DOCS ? seg->ndocs : info->base.df;
	p->nblocks = (info->df + TC_POSTINGS_BLOCK - 1) / TC_POSTINGS_BLOCK;
	p->blk = UINT32_MAX;
	int rc;
	if (p->nblocks == 1) {
		p->last = &p->one_last;
		p->maxtf = &p->one_maxtf;
		p->minlen = &p->one_minlen;
		p->doff = p->one_doff;
		p->poff = p->one_poff;
		p->one_doff[0] = s;
		p->one_doff[1] = f->end;
		p->one_poff[0] = info->has_pos ? seg->f_pos.map.data + info->pos_off : NULL;
		p->one_poff[1] = info->has_pos ? seg->f_pos.end : NULL;
		p->one_maxtf = info->max_tf;
		p->one_minlen = info->min_len;
		rc = load_block(p, 0);
		if (rc == 0)
			p->one_last = p->docs[p->n - 1];
	} else {
		size_t nb = p->nblocks;
		p->last = tc_malloc(nb * 4 * sizeof *p->last);
		p->maxtf = p->last + nb;
		p->minlen = p->last + 2 * nb;
		p->last_rank = p->last + 3 * nb;
		p->doff = tc_malloc((nb + 1) * 2 * sizeof *p->doff);
		p->poff = p->doff + nb + 1;
		rc = read_skip(p, s, f->end);
	}
	if (rc != 0) {
		rc = tc_error_set(err, p->rc, "%s", p->err.msg);
		tc_postings_free(p);
		return rc;
	}
	*out = p;
	return TC_OK;
}

int tc_postings_open(const tc_segment *seg, const tc_term_info *info, tc_postings **out,
                     tc_error *err)
{
	if (!info->exact)
		return open_list(seg, info, LIST_DOCS, out, err);
	if (!tc_term_exact_everywhere(info))
		return open_list(seg, info, LIST_EXACT_DOCS, out, err);
	/* the base's list read as the exact form's: no positions */
	tc_term_info base = base_info(info);
	TC_FORWARD(open_list(seg, &base, LIST_DOCS, out, err));
	(*out)->ti = *info;
	return TC_OK;
}

int tc_postings_open_ranks(const tc_segment *seg, const tc_term_info *info,
                           tc_postings **out, tc_error *err)
{
	*out = NULL;
	TC_RETURN_IF(!info->exact || tc_term_exact_everywhere(info), err, TC_EINVAL,
	             "not an exact form with a list of its own");
	return open_list(seg, info, LIST_EXACT_RANKS, out, err);
}

void tc_postings_free(tc_postings *p)
{
	if (p == NULL)
		return;
	if (p->nblocks > 1) {
		free(p->last);
		free(p->doff);
	}
	tc_postings_free(p->base);
	free(p->posv);
	free(p);
}

uint32_t tc_postings_next(tc_postings *p)
{
	if (p->rc != TC_OK || (p->started && p->doc == TC_DOC_END))
		return TC_DOC_END;
	if (!p->started) {
		p->started = 1;
		if (p->blk != 0 && load_block(p, 0) != 0)
			return TC_DOC_END;
		p->i = 0;
	} else if (++p->i >= p->n) {
		if (p->blk + 1 >= p->nblocks)
			return p->doc = TC_DOC_END;
		if (load_block(p, p->blk + 1) != 0)
			return TC_DOC_END;
	}
	p->cur_ready = 0;
	return p->doc = p->docs[p->i];
}

/* First block at or after from whose last doc is >= target, or nblocks. */
static uint32_t find_block(const tc_postings *p, uint32_t from, uint32_t target)
{
	/* most calls move within the block or to the next one: look there before bisecting */
	if (from < p->nblocks && p->last[from] >= target)
		return from;
	if (from + 1 < p->nblocks && p->last[from + 1] >= target)
		return from + 1;
	uint32_t lo = from, hi = p->nblocks;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (p->last[mid] < target)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Index of the first of docs[lo..hi] that is >= target, given docs[hi] >= target.
 * Seeks mostly move a few docs ahead: look at the next ones, then gallop, then count.
 */
static inline uint32_t first_at_least(const uint32_t *docs, uint32_t lo, uint32_t hi,
                                      uint32_t target)
{
	/* the next four, counted: which of them the seek lands on is unpredictable, so
	   no branch on each (docs ascend: those below target come first) */
	uint32_t end = lo + 4 < hi ? lo + 4 : hi, at = lo;
	_Pragma("GCC unroll 4")
	for (uint32_t j = lo; j < end; j++)
		at += docs[j] < target;
	if (at < end)
		return at;
	lo = end;
	uint32_t step = 4;
	while (lo + step < hi && docs[lo + step] < target) {
		lo += step;
		step *= 2;
	}
	if (lo + step < hi)
		hi = lo + step;
	/* the answer is lo plus the docs below target in lo..hi-1, counted likewise: a
	   bisection's steps mispredict, or wait on each other's loads */
	at = lo;
	for (; lo < hi; lo++)
		at += docs[lo] < target;
	return at;
}

/* tc_postings_seek, inlined into the loop of tc_postings_seek_all */
static inline __attribute__((always_inline)) uint32_t seek(tc_postings *p, uint32_t target)
{
	/* TC_DOC_END, where a damaged list stands too, is above every target */
	if (p->started && p->doc >= target)
		return p->doc;
	if (p->rc != TC_OK)
		return TC_DOC_END;
	/* most seeks stay in the loaded block: its last id says so without the skip data */
	uint32_t i = p->started ? p->i + 1 : 0;
	if (p->blk == UINT32_MAX || p->docs[p->n - 1] < target) {
		uint32_t b = find_block(p, p->blk == UINT32_MAX ? 0 : p->blk + 1, target);
		if (b >= p->nblocks) {
			p->started = 1;
			p->blk = p->blk == UINT32_MAX ? 0 : p->blk;
			return p->doc = TC_DOC_END;
		}
		if (load_block(p, b) != 0)
			return TC_DOC_END;
		i = 0;
	}
	p->started = 1;
	p->i = first_at_least(p->docs, i, p->n - 1, target);
	p->cur_ready = 0;
	return p->doc = p->docs[p->i];
}

uint32_t tc_postings_seek(tc_postings *p, uint32_t target)
{
	return seek(p, target);
}

uint32_t tc_postings_seek_all(tc_postings *const *p, size_t n, uint32_t target)
{
	uint32_t d = seek(p[0], target);
	for (size_t i = 1; i < n && d != TC_DOC_END;) {
		uint32_t di = seek(p[i], d);
		if (di == d) {
			i++;
			continue;
		}
		d = di == TC_DOC_END ? TC_DOC_END : seek(p[0], di);
		i = 1;
	}
	return d;
}

/*
 * Writes every word of bits that holds a doc of the list with that word's docs: a run
 * of docs in one word is gathered in a register and stored as it grows, never loaded
 * back, so dense lists do not wait on their own stores (hence bits all zero first).
 * Block by block through load_block, which checks them; then the cursor is put back
 * where opening left it (block 0 decoded when it is the only one, none otherwise).
 */
int tc_postings_fill_bits(tc_postings *p, uint64_t *bits, tc_error *err)
{
	TC_RETURN_IF(p->started, err, TC_EINVAL, "fill_bits: the list was already walked");
	if (p->rc != TC_OK)
		return tc_postings_error(p, err);
	uint32_t cur = 0;
	uint64_t acc = 0;
	for (uint32_t b = 0; b < p->nblocks; b++) {
		if (p->blk != b && load_block(p, b) != 0)
			return tc_postings_error(p, err);
		for (uint32_t j = 0; j < p->n; j++) {
			uint32_t w = p->docs[j] / 64;
			acc = (w == cur ? acc : 0) | (uint64_t)1 << (p->docs[j] % 64);
			bits[w] = acc;
			cur = w;
		}
	}
	tc_postings_rewind(p);
	return TC_OK;
}

uint32_t tc_postings_blocks(const tc_postings *p)
{
	return p->nblocks;
}

void tc_postings_block_at(const tc_postings *p, uint32_t b, uint32_t *last, uint32_t *max_tf)
{
	*last = p->last[b];
	*max_tf = p->maxtf[b];
}

void tc_postings_rewind(tc_postings *p)
{
	if (p->rc != TC_OK)
		return;
	p->started = 0;
	p->shallow = 0;
	if (p->nblocks > 1)
		p->blk = UINT32_MAX;
	p->i = 0;
	p->pos_blk_ready = 0;
	p->cur_ready = 0;
}

uint32_t tc_postings_doc(const tc_postings *p)
{
	return p->doc;
}

uint32_t tc_postings_freq(const tc_postings *p)
{
	if (!p->started || p->doc == TC_DOC_END)
		return 0;
	/* logically const: the freqs are a cache of the mapped block */
	tc_postings *m = (tc_postings *)p;
	if (load_freqs(m) != 0)
		return 1;
	if (m->fm1[m->i] == UINT32_MAX)
		return fail(m, &m->seg->f_pst, m->doff[m->blk], "freq overflow"), 1;
	return m->fm1[m->i] + 1;
}

uint32_t tc_postings_count(const tc_postings *p)
{
	return p->ti.df;
}

uint32_t tc_postings_rank(const tc_postings *p)
{
	return p->blk * TC_POSTINGS_BLOCK + p->i;
}

int tc_postings_error(const tc_postings *p, tc_error *err)
{
	if (p->rc != TC_OK)
		return tc_error_set(err, p->rc, "%s", p->err.msg);
	return TC_OK;
}

/*
 * Prepares the current block's positions: where its low and high parts start, from its
 * parameter and the freqs. A doc's positions are decoded when asked for
 * (pos_decode_doc); the docs before it are stepped over.
 */
static int pos_begin_block(tc_postings *p)
{
	if (load_freqs(p) != 0)
		return -1;
	if (tc__pos_open(&p->pb, p->poff[p->blk], p->poff[p->blk + 1]) != 0)
		return fail(p, &p->seg->f_pos, p->poff[p->blk], "bad positions block"), -1;
	p->pdoc = 0;
	p->pos_blk_ready = 1;
	return 0;
}

/* Decodes the positions of doc i of the block (at or after the next one not read). */
static int pos_decode_doc(tc_postings *p, uint32_t i)
{
	const tc__rfile *f = &p->seg->f_pos;
	/* a damaged freq must not make us allocate more than the block's bytes can hold */
	uint64_t fr = (uint64_t)p->fm1[i] + 1;
	if (tc__pos_skip(&p->pb, p->fm1 + p->pdoc, i - p->pdoc) != 0 ||
	    fr > tc__pos_room(&p->pb))
		return fail(p, f, p->poff[p->blk], "bad positions block"), -1;
	p->posv = tc_grow(p->posv, &p->posv_cap, (size_t)fr, sizeof *p->posv);
	if (tc__pos_decode(&p->pb, (uint32_t)fr, p->posv) != 0)
		return fail(p, f, p->poff[p->blk], "bad positions block"), -1;
	p->pdoc = i + 1;
	if (p->pdoc == p->n && p->nblocks > 1 && tc__pos_block_end(&p->pb) != p->poff[p->blk + 1])
		return fail(p, f, p->poff[p->blk], "positions block of another size than its "
		            "skip entry says"), -1;
	return 0;
}

int tc_postings_positions(tc_postings *p, const uint32_t **pos, uint32_t *n, tc_error *err)
{
	*pos = NULL;
	*n = 0;
	if (!p->ti.has_pos)
		return tc_error_set(err, TC_EINVAL, "this term has no positions");
	if (p->rc != TC_OK)
		return tc_postings_error(p, err);
	if (!p->started || p->doc == TC_DOC_END)
		return tc_error_set(err, TC_EINVAL, "no current doc");
	if (!p->pos_blk_ready && pos_begin_block(p) != 0)
		return tc_postings_error(p, err);
	if (!p->cur_ready) {
		if (pos_decode_doc(p, p->i) != 0)
			return tc_postings_error(p, err);
		p->cur_ready = 1;
	}
	*pos = p->posv;
	*n = p->fm1[p->i] + 1;
	return TC_OK;
}

uint32_t tc_postings_shallow(tc_postings *p, uint32_t target)
{
	uint32_t from = p->shallow;
	if (p->blk != UINT32_MAX && p->started && p->blk > from)
		from = p->blk;
	if (from >= p->nblocks)
		return TC_DOC_END;
	p->shallow = find_block(p, from, target);
	return p->shallow < p->nblocks ? p->last[p->shallow] : TC_DOC_END;
}

/* The block under the block cursor: the later of the shallow cursor and the doc's. */
static uint32_t cursor_block(const tc_postings *p)
{
	uint32_t b = p->shallow;
	if (p->started && p->blk != UINT32_MAX && p->blk > b)
		b = p->blk;
	if (p->started && p->doc == TC_DOC_END)
		return p->nblocks;
	return b;
}

uint32_t tc_postings_block_last(const tc_postings *p)
{
	uint32_t b = cursor_block(p);
	return b < p->nblocks ? p->last[b] : TC_DOC_END;
}

uint32_t tc_postings_block_max_tf(const tc_postings *p)
{
	uint32_t b = cursor_block(p);
	return b < p->nblocks ? p->maxtf[b] : 0;
}

uint32_t tc_postings_block_min_len(const tc_postings *p)
{
	uint32_t b = cursor_block(p);
	return b < p->nblocks ? p->minlen[b] : UINT32_MAX;
}
