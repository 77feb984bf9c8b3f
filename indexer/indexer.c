/*
 * indexer.c — the writer: segments, ids, deletes, commits, merges, and the pipeline that
 * feeds it (see indexer.h).
 *
 * State kept between calls:
 *   m        the working manifest: the last commit plus what this writer changed
 *   snap     a snapshot of the last commit, for id lookups and merges
 *   dels     tombstones made since the last commit, per segment (full bitsets)
 *   w, mb    the open segment: its writer (docs, stored fields, numbers already on
 *            disk or held by storage) and its postings in memory
 */
#include "indexer.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/hash.h"
#include "common/mem.h"
#include "doc.h"
#include "membuf.h"
#include "source.h"
#include "storage/storage.h"

#define DEFAULT_MEM ((size_t)256 << 20)
#define MIN_MEM ((size_t)8 << 20)
#define FIXED_RESERVE ((size_t)30 << 20)
#define MIN_FLUSH ((size_t)4 << 20)     /* the smallest segment budget */
#define MEMBUF_MAX ((size_t)3 << 30)    /* the membuf's 32-bit pool addresses */
#define DEFAULT_MERGE_FACTOR 10
#define TIER_FLOOR ((double)(2 << 20))  /* live bytes below this: the lowest tier */
#define BATCH_BYTES ((size_t)64 << 10)
#define BATCH_RECS 64
#define MERGE_WORK 4096
/*
 * What the segment writer keeps until it finishes, in arrays that double: per doc an id
 * offset and a length per field, the ids' bytes, and 24 bytes per numeric entry.
 */
#define SEGW_DOC_BYTES 4
#define SEGW_NUM_BYTES 24

/* Tombstones of one segment made since the last commit. */
typedef struct segdel {
	uint64_t id;
	uint32_t ndocs;
	uint8_t *bits;      /* (ndocs+7)/8 bytes: the committed deletes plus the new ones */
} segdel;

/* The ids of the open segment: open addressing over offsets into a byte arena. */
typedef struct idset {
	tc_buf bytes;       /* id bytes, each preceded by its length (u16) */
	uint32_t *slot;     /* offset + 1; 0 = empty */
	size_t cap, n;
} idset;

/* One batch of records between the reader, the workers and the writer. */
typedef struct brec {
	size_t off, len;    /* record bytes in batch.data */
	uint64_t line;
	uint32_t src;       /* index into the run's paths */
	int rc;             /* < 0: rejected (message at msg in batch.msgs) */
	size_t msg;
	int kind;           /* enum tc_ix_source_kind */
} brec;

enum { B_FREE, B_FILLED, B_BUSY, B_DONE };

typedef struct batch {
	tc_buf data;
	brec *recs;
	size_t nrecs, cap_recs;
	tc_buf msgs;
	tc_ix_doc *docs;    /* docs[i] is the analysis of recs[i] */
	size_t cap_docs;
	int state;
} batch;

struct tc_indexer {
	char *dir;
	int lock_fd;
	tc_indexer_opts o;
	char *lang;                /* default stemming language (o.lang is the caller's) */
	size_t flush_at;           /* accounted bytes that trigger a flush */
	size_t max_record;
	tc_manifest m;
	tc_snapshot *snap;
	int have_commit;           /* dir has a MANIFEST */
	int dirty;                 /* m has changes not committed */
	segdel *dels;
	size_t ndels, cap_dels;
	/* the open segment */
	tc_segw *w;
	uint64_t w_id;
	unsigned w_nfields;
	uint32_t w_ndocs;
	uint64_t w_nums;
	uint64_t w_idbytes;
	tc_ix_membuf *mb;
	idset ids;
	/* scratch of the writer */
	uint32_t *flens;
	size_t cap_flens;
	tc_field_value *fv;
	size_t cap_fv;
	int *fid;
	size_t cap_fid;
	/* analysis */
	tc_ix_worker **wk;         /* wk[0] serves the caller's thread */
	size_t nwk;
	tc_ix_doc doc1;            /* for tc_indexer_add_json */
	/* progress of the current run */
	uint64_t in_read_done, in_total;
	tc_indexer_stats st;
	int failed;                /* sticky write error */
	tc_error fail_err;
};

/* ---- small helpers ---------------------------------------------------------------- */

static void message(tc_indexer *ix, int kind, const char *msg)
{
	if (kind == TC_IX_NOTE)
		ix->st.notes++;
	if (ix->o.on_message)
		ix->o.on_message(ix->o.ctx, kind, msg);
}

/* Records a write error: the run stops and every later call returns it. */
static int fail(tc_indexer *ix, int rc, const tc_error *e)
{
	if (!ix->failed) {
		ix->failed = rc;
		ix->fail_err = *e;
	}
	return rc;
}

static int failed(const tc_indexer *ix, tc_error *err)
{
	if (err && ix->failed)
		*err = ix->fail_err;
	return ix->failed;
}

static uint16_t get_u16(const char *p)
{
	return (uint16_t)((unsigned char)p[0] | (unsigned char)p[1] << 8);
}

static int idset_find(const idset *s, const char *id, size_t len, size_t *slot)
{
	if (s->cap == 0)
		return 0;
	size_t mask = s->cap - 1;
	size_t i = tc_hash64(id, len) & mask;
	for (; s->slot[i]; i = (i + 1) & mask) {
		const char *p = s->bytes.data + s->slot[i] - 1;
		if (get_u16(p) == len && memcmp(p + 2, id, len) == 0)
			return 1;
	}
	*slot = i;
	return 0;
}

static void idset_grow(idset *s)
{
	size_t old_cap = s->cap;
	uint32_t *old = s->slot;
	s->cap = s->cap ? s->cap * 2 : 1024;
	s->slot = tc_calloc(s->cap, sizeof *s->slot);
	for (size_t i = 0; i < old_cap; i++) {
		if (!old[i])
			continue;
		const char *p = s->bytes.data + old[i] - 1;
		size_t j = tc_hash64(p + 2, get_u16(p)) & (s->cap - 1);
		while (s->slot[j])
			j = (j + 1) & (s->cap - 1);
		s->slot[j] = old[i];
	}
	free(old);
}

static void idset_add(idset *s, const char *id, size_t len)
{
	size_t slot;
	if ((s->n + 1) * 2 > s->cap)
		idset_grow(s);
	if (idset_find(s, id, len, &slot))
		return;
	s->slot[slot] = (uint32_t)s->bytes.len + 1;
	char l[2] = {(char)(len & 0xff), (char)(len >> 8)};
	tc_buf_append(&s->bytes, l, 2);
	tc_buf_append(&s->bytes, id, len);
	s->n++;
}

static void idset_clear(idset *s)
{
	tc_buf_free(&s->bytes);
	free(s->slot);
	memset(s, 0, sizeof *s);
}

static size_t idset_mem(const idset *s)
{
	return s->bytes.cap + s->cap * sizeof *s->slot;
}

/* ---- deletes ------------------------------------------------------------------------ */

static segdel *segdel_get(tc_indexer *ix, const tc_segment *seg)
{
	uint64_t id = tc_seg_id(seg);
	for (size_t i = 0; i < ix->ndels; i++)
		if (ix->dels[i].id == id)
			return &ix->dels[i];
	ix->dels = tc_grow(ix->dels, &ix->cap_dels, ix->ndels + 1, sizeof *ix->dels);
	segdel *d = &ix->dels[ix->ndels++];
	d->id = id;
	d->ndocs = tc_seg_ndocs(seg);
	size_t n = ((size_t)d->ndocs + 7) / 8;
	d->bits = tc_calloc(n ? n : 1, 1);
	const uint8_t *old = tc_seg_deleted_bits(seg);
	if (old)
		memcpy(d->bits, old, n);
	return d;
}

static const segdel *segdel_find(const tc_indexer *ix, uint64_t id)
{
	for (size_t i = 0; i < ix->ndels; i++)
		if (ix->dels[i].id == id)
			return &ix->dels[i];
	return NULL;
}

static void dels_clear(tc_indexer *ix)
{
	for (size_t i = 0; i < ix->ndels; i++)
		free(ix->dels[i].bits);
	ix->ndels = 0;
}

static int is_deleted(const tc_indexer *ix, const tc_segment *seg, uint32_t doc)
{
	const segdel *d = segdel_find(ix, tc_seg_id(seg));
	return d ? d->bits[doc >> 3] >> (doc & 7) & 1 : tc_seg_is_deleted(seg, doc);
}

/*
 * Tombstones the live document with this id in the committed segments. Returns 1 if
 * one was found, 0 if none, or an error (a damaged id map).
 */
static int tombstone(tc_indexer *ix, const char *id, size_t len, tc_error *err)
{
	if (!ix->snap)
		return 0;
	int found = 0;
	for (size_t i = 0; i < tc_snapshot_nsegments(ix->snap); i++) {
		const tc_segment *seg = tc_snapshot_segment(ix->snap, i);
		uint32_t doc;
		int rc = tc_seg_id_lookup(seg, id, len, &doc, err);
		if (rc == TC_ENOENT) {
			tc_error_clear(err);
			continue;
		}
		if (rc < 0)
			return rc;
		if (is_deleted(ix, seg, doc))
			continue;
		segdel *d = segdel_get(ix, seg);
		d->bits[doc >> 3] |= (uint8_t)(1u << (doc & 7));
		ix->dirty = 1;
		found = 1;
	}
	return found;
}

/* Writes the tombstones made since the last commit and notes them in m. */
static int write_dels(tc_indexer *ix, tc_error *err)
{
	for (size_t i = 0; i < ix->ndels; i++) {
		segdel *d = &ix->dels[i];
		long si = tc_manifest_find_seg(&ix->m, d->id);
		if (si < 0)
			continue;
		uint64_t gen = tc_manifest_new_del_gen(&ix->m);
		uint32_t nd;
		TC_FORWARD(tc_del_write(ix->dir, d->id, gen, d->bits, d->ndocs, &nd, err));
		ix->m.segs[si].del_gen = gen;
		ix->m.segs[si].ndeleted = nd;
	}
	dels_clear(ix);
	return 0;
}

/* ---- the open segment ---------------------------------------------------------------- */

/* The capacity a doubling array has for n elements. */
static size_t doubled(uint64_t n)
{
	size_t cap = 8;
	while (cap < n)
		cap *= 2;
	return cap;
}

static size_t accounted(const tc_indexer *ix)
{
	return tc_ix_membuf_mem(ix->mb) + idset_mem(&ix->ids) +
	       doubled(ix->w_ndocs) * (SEGW_DOC_BYTES + 4 * (size_t)ix->w_nfields) +
	       doubled(ix->w_idbytes) + doubled(ix->w_nums) * SEGW_NUM_BYTES;
}

static int open_segment(tc_indexer *ix, tc_error *err)
{
	ix->w_id = tc_manifest_new_seg_id(&ix->m);
	ix->w_nfields = (unsigned)ix->m.nfields;
	ix->w_ndocs = 0;
	ix->w_nums = 0;
	ix->w_idbytes = 0;
	TC_FORWARD(tc_segw_open(ix->dir, ix->w_id, ix->w_nfields, &ix->w, err));
	/* with analysis threads this thread is the pipeline's narrowest point: it adds every
	   document to the in-memory index and the doc store in order */
	if (ix->o.threads >= 2)
		tc_segw_background(ix->w);
	return TC_OK;
}

/* Writes the postings of the membuf to the open segment, on the caller's thread. */
static int write_terms_serial(tc_indexer *ix, tc_error *err)
{
	tc_ix_membuf *mb = ix->mb;
	tc_ix_plist r = {0};
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < tc_ix_membuf_nterms(mb); i++) {
		size_t len;
		const unsigned char *key = tc_ix_membuf_key(mb, i, &len);
		rc = tc_segw_term_begin(ix->w, key, len, err);
		tc_ix_plist_open(&r, mb, i);
		uint32_t doc, freq;
		const uint32_t *pos;
		while (rc == 0 && tc_ix_plist_next(&r, &doc, &freq, &pos))
			rc = tc_segw_term_doc(ix->w, doc, freq, pos, err);
		if (rc == 0)
			rc = tc_segw_term_end(ix->w, err);
	}
	tc_ix_plist_free(&r);
	return rc;
}

/*
 * With more than one thread, the last segment of a run is written while every other
 * thread is idle, so the work is split in two: a helper thread reads the posting lists
 * back from the membuf into chunks, the caller's thread writes them into the segment.
 * Coding positions is the dearest part of writing a term, so the helper codes them
 * (tc_segw_code_positions, block by block) in two chunks of three and the writer in the
 * third, which keeps both threads about equally busy. A chunk holds whole terms, each as
 *   df, then per doc: doc, freq, and for keys with positions in an uncoded chunk freq
 *   positions
 * in v; a coded chunk has its blocks' lengths in blk and their bytes in pos. Chunks go
 * through a small ring; the membuf is only read meanwhile.
 */
#define FEED_RING 4
#define FEED_CHUNK ((size_t)64 << 10)   /* uint32s after which a chunk takes no new term */

typedef struct feed_chunk {
	uint32_t *v;
	size_t n, cap;
	uint32_t *blk;          /* byte lengths of the coded blocks of positions */
	size_t nblk, blk_cap;
	tc_buf pos;             /* the coded blocks, back to back */
	int coded;              /* positions coded by the helper */
	size_t first, end;      /* its terms, in sorted order */
	int full;               /* filled and not yet written */
} feed_chunk;

typedef struct feed {
	const tc_ix_membuf *mb;
	feed_chunk ring[FEED_RING];
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int quit;               /* the writer stopped (an error): stop reading */
	/* the block of positions being gathered, and the coder's scratch */
	uint32_t *bpos, bfreq[TC_POSTINGS_BLOCK];
	size_t bpos_n, bpos_cap;
	uint32_t bn;
	tc_buf scratch;
} feed;

static void feed_put(feed_chunk *c, uint32_t v)
{
	c->v = tc_grow(c->v, &c->cap, c->n + 1, sizeof *c->v);
	c->v[c->n++] = v;
}

/* Codes the gathered block of positions into chunk c. */
static void feed_code_block(feed *f, feed_chunk *c)
{
	size_t before = c->pos.len;
	tc_segw_code_positions(&c->pos, f->bpos, f->bfreq, f->bn, &f->scratch);
	c->blk = tc_grow(c->blk, &c->blk_cap, c->nblk + 1, sizeof *c->blk);
	c->blk[c->nblk++] = (uint32_t)(c->pos.len - before);
	f->bn = 0;
	f->bpos_n = 0;
}

/* Term i into chunk c: its docs and freqs, and its positions coded. */
static void feed_term(feed *f, feed_chunk *c, tc_ix_plist *r, size_t i)
{
	feed_put(c, tc_ix_membuf_df(f->mb, i));
	tc_ix_plist_open(r, f->mb, i);
	uint32_t doc, freq;
	const uint32_t *pos;
	while (tc_ix_plist_next(r, &doc, &freq, &pos)) {
		int raw = pos && !c->coded;
		c->v = tc_grow(c->v, &c->cap, c->n + 2 + (raw ? freq : 0), sizeof *c->v);
		c->v[c->n++] = doc;
		c->v[c->n++] = freq;
		if (raw) {
			memcpy(c->v + c->n, pos, freq * sizeof *pos);
			c->n += freq;
		}
		if (pos == NULL || raw)
			continue;
		f->bpos = tc_grow(f->bpos, &f->bpos_cap, f->bpos_n + freq, sizeof *f->bpos);
		memcpy(f->bpos + f->bpos_n, pos, freq * sizeof *pos);
		f->bpos_n += freq;
		f->bfreq[f->bn++] = freq;
		if (f->bn == TC_POSTINGS_BLOCK)
			feed_code_block(f, c);
	}
	if (f->bn)
		feed_code_block(f, c);
}

static void *feed_main(void *arg)
{
	feed *f = arg;
	size_t nterms = tc_ix_membuf_nterms(f->mb);
	tc_ix_plist r = {0};
	for (size_t i = 0, k = 0; i < nterms; k++) {
		feed_chunk *c = &f->ring[k % FEED_RING];
		pthread_mutex_lock(&f->mu);
		while (c->full && !f->quit)
			pthread_cond_wait(&f->cv, &f->mu);
		int quit = f->quit;
		pthread_mutex_unlock(&f->mu);
		if (quit)
			break;
		c->n = 0;
		c->nblk = 0;
		c->pos.len = 0;
		c->coded = k % 3 != 2;
		c->first = i;
		for (; i < nterms && c->n < FEED_CHUNK; i++)
			feed_term(f, c, &r, i);
		c->end = i;
		pthread_mutex_lock(&f->mu);
		c->full = 1;
		pthread_cond_broadcast(&f->cv);
		pthread_mutex_unlock(&f->mu);
	}
	tc_ix_plist_free(&r);
	return NULL;
}

/* Writes the terms of chunk c to the segment. */
static int write_chunk(tc_indexer *ix, const feed_chunk *c, tc_error *err)
{
	const uint32_t *v = c->v;
	const uint32_t *blk = c->blk;
	const unsigned char *pos = (const unsigned char *)c->pos.data;
	int rc = 0;
	for (size_t i = c->first; rc == 0 && i < c->end; i++) {
		size_t len;
		const unsigned char *key = tc_ix_membuf_key(ix->mb, i, &len);
		rc = tc_segw_term_begin(ix->w, key, len, err);
		uint32_t df = *v++;
		int has_pos = tc_key_has_positions(key, len), raw = has_pos && !c->coded;
		if (rc == 0 && has_pos && c->coded) {
			uint32_t nblk = (df + TC_POSTINGS_BLOCK - 1) / TC_POSTINGS_BLOCK;
			rc = tc_segw_term_coded_positions(ix->w, pos, blk, nblk, err);
			for (uint32_t b = 0; b < nblk; b++)
				pos += *blk++;
		}
		for (uint32_t d = 0; rc == 0 && d < df; d++) {
			uint32_t doc = v[0], freq = v[1];
			rc = tc_segw_term_doc(ix->w, doc, freq, raw ? v + 2 : NULL, err);
			v += 2 + (raw ? freq : 0);
		}
		if (rc == 0)
			rc = tc_segw_term_end(ix->w, err);
	}
	return rc;
}

static int write_terms(tc_indexer *ix, tc_error *err)
{
	tc_ix_membuf_sort(ix->mb);
	size_t nterms = tc_ix_membuf_nterms(ix->mb);
	if (ix->o.threads < 2 || nterms == 0)
		return write_terms_serial(ix, err);
	feed f = {0};
	f.mb = ix->mb;
	pthread_mutex_init(&f.mu, NULL);
	pthread_cond_init(&f.cv, NULL);
	pthread_t th;
	if (pthread_create(&th, NULL, feed_main, &f) != 0) {
		pthread_mutex_destroy(&f.mu);
		pthread_cond_destroy(&f.cv);
		return write_terms_serial(ix, err);
	}
	int rc = 0;
	for (size_t done = 0, k = 0; rc == 0 && done < nterms; k++) {
		feed_chunk *c = &f.ring[k % FEED_RING];
		pthread_mutex_lock(&f.mu);
		while (!c->full)
			pthread_cond_wait(&f.cv, &f.mu);
		pthread_mutex_unlock(&f.mu);
		rc = write_chunk(ix, c, err);
		done = c->end;
		pthread_mutex_lock(&f.mu);
		c->full = 0;
		f.quit = rc < 0;
		pthread_cond_broadcast(&f.cv);
		pthread_mutex_unlock(&f.mu);
	}
	pthread_join(th, NULL);
	for (size_t k = 0; k < FEED_RING; k++) {
		free(f.ring[k].v);
		free(f.ring[k].blk);
		tc_buf_free(&f.ring[k].pos);
	}
	free(f.bpos);
	tc_buf_free(&f.scratch);
	pthread_mutex_destroy(&f.mu);
	pthread_cond_destroy(&f.cv);
	return rc;
}

/* Finishes the open segment (if any) and adds it to the working manifest. */
static int flush_segment(tc_indexer *ix, tc_error *err)
{
	if (!ix->w)
		return 0;
	size_t mem = accounted(ix);
	if (mem > ix->st.peak_mem)
		ix->st.peak_mem = mem;
	tc_segw_numbers_done(ix->w);  /* docs and numbers are all in */
	int rc = write_terms(ix, err);
	tc_seg_info info;
	if (rc == 0) {
		rc = tc_segw_finish(ix->w, &info, err);
	} else {
		tc_segw_abort(ix->w);
	}
	ix->w = NULL;
	tc_ix_membuf_reset(ix->mb);
	idset_clear(&ix->ids);
	if (rc < 0)
		return rc;
	tc_manifest_add_seg(&ix->m, info.id, info.ndocs);
	ix->dirty = 1;
	ix->st.flushes++;
	return 0;
}

/* ---- commits and merges ----------------------------------------------------------------- */

static int reopen_snapshot(tc_indexer *ix, tc_error *err)
{
	tc_snapshot_release(ix->snap);
	ix->snap = NULL;
	return tc_snapshot_open(ix->dir, 0, &ix->snap, err);
}

static int commit_manifest(tc_indexer *ix, tc_error *err)
{
	TC_FORWARD(tc_manifest_commit(ix->dir, &ix->m, err));
	ix->have_commit = 1;
	ix->dirty = 0;
	ix->st.commits++;
	ix->st.segments = (uint32_t)ix->m.nsegs;
	tc_error gcerr = {0};
	if (tc_index_gc(ix->dir, &ix->m, NULL, 0, NULL, &gcerr) < 0) {
		char msg[TC_ERROR_MSG_MAX + 64];
		snprintf(msg, sizeof msg, "%s: old files not removed: %s", ix->dir, gcerr.msg);
		message(ix, TC_IX_NOTE, msg);
	}
	return reopen_snapshot(ix, err);
}

/* Size of a segment for the merge policy: its bytes scaled by the live fraction. */
static double live_bytes(const tc_segment *seg)
{
	tc_seg_stats s;
	tc_seg_stats_get(seg, &s);
	uint32_t n = tc_seg_ndocs(seg);
	return n ? (double)s.file_bytes * (n - tc_seg_ndeleted(seg)) / n : 0;
}

static int tier_of(double bytes, unsigned factor)
{
	if (bytes <= TIER_FLOOR)
		return 0;
	return (int)floor(log(bytes / TIER_FLOOR) / log((double)factor)) + 1;
}

/*
 * Picks the segments of the next merge, in manifest order: the first tier (smallest
 * first) holding `factor` segments, else one segment more than half deleted. Returns
 * how many were put into in[].
 */
static size_t pick_merge(const tc_indexer *ix, const tc_segment **in)
{
	size_t nseg = tc_snapshot_nsegments(ix->snap);
	unsigned factor = ix->o.merge_factor;
	if (nseg == 0)
		return 0;
	int *tier = tc_malloc((nseg ? nseg : 1) * sizeof *tier);
	int top = 0;
	for (size_t i = 0; i < nseg; i++) {
		tier[i] = tier_of(live_bytes(tc_snapshot_segment(ix->snap, i)), factor);
		if (tier[i] > top)
			top = tier[i];
	}
	size_t n = 0;
	for (int t = 0; t <= top && n == 0; t++) {
		size_t count = 0;
		uint64_t docs = 0;
		for (size_t i = 0; i < nseg; i++)
			if (tier[i] == t)
				count++;
		if (count < factor)
			continue;
		for (size_t i = 0; i < nseg && n < factor; i++) {
			const tc_segment *seg = tc_snapshot_segment(ix->snap, i);
			if (tier[i] != t)
				continue;
			docs += tc_seg_ndocs(seg) - tc_seg_ndeleted(seg);
			if (docs > TC_MAX_SEG_DOCS)
				break;
			in[n++] = seg;
		}
		if (n < 2)
			n = 0;
	}
	for (size_t i = 0; i < nseg && n == 0; i++) {
		const tc_segment *seg = tc_snapshot_segment(ix->snap, i);
		if (2 * (uint64_t)tc_seg_ndeleted(seg) > tc_seg_ndocs(seg))
			in[n++] = seg;
	}
	free(tier);
	return n;
}

/* Replaces the inputs of a merge by its output, which takes the place of the first. */
static void replace_merged(tc_manifest *m, const tc_segment **in, size_t nin,
                           const tc_seg_info *info)
{
	long first = tc_manifest_find_seg(m, tc_seg_id(in[0]));
	for (size_t i = 0; i < nin; i++) {
		long at = tc_manifest_find_seg(m, tc_seg_id(in[i]));
		if (at >= 0)
			tc_manifest_remove_seg(m, (size_t)at);
	}
	if (info->ndocs == 0)
		return; /* every input doc was deleted: the empty result stays out */
	tc_manifest_add_seg(m, info->id, info->ndocs);
	if (first < 0 || (size_t)first >= m->nsegs - 1)
		return;
	tc_manifest_seg s = m->segs[m->nsegs - 1];
	memmove(&m->segs[first + 1], &m->segs[first],
	        (m->nsegs - 1 - (size_t)first) * sizeof *m->segs);
	m->segs[first] = s;
}

static int merge_once(tc_indexer *ix, const tc_segment **in, size_t nin, tc_error *err)
{
	tc_merge *mg;
	uint64_t id = tc_manifest_new_seg_id(&ix->m);
	int rc = tc_merge_begin(ix->dir, id, ix->snap, in, nin, (unsigned)ix->m.nfields, &mg,
	                        err);
	if (rc < 0)
		return rc;
	while ((rc = tc_merge_step(mg, MERGE_WORK, err)) == 1)
		;
	if (rc < 0) {
		tc_merge_abort(mg);
		return rc;
	}
	tc_seg_info info;
	TC_FORWARD(tc_merge_finish(mg, &info, err));
	replace_merged(&ix->m, in, nin, &info);
	ix->st.merges++;
	return commit_manifest(ix, err);
}

static int maybe_merge(tc_indexer *ix, tc_error *err)
{
	for (;;) {
		size_t nseg = tc_snapshot_nsegments(ix->snap);
		const tc_segment **in = tc_malloc((nseg ? nseg : 1) * sizeof *in);
		size_t n = pick_merge(ix, in);
		int rc = n ? merge_once(ix, in, n, err) : 0;
		free(in);
		if (rc < 0 || n == 0)
			return rc;
	}
}

/* Drops segments whose every document is deleted: nothing in them to merge. */
static void drop_dead_segments(tc_indexer *ix)
{
	for (size_t i = ix->m.nsegs; i-- > 0;) {
		if (ix->m.segs[i].ndocs > 0 && ix->m.segs[i].ndeleted == ix->m.segs[i].ndocs) {
			tc_manifest_remove_seg(&ix->m, i);
			ix->dirty = 1;
		}
	}
}

static int commit(tc_indexer *ix, tc_error *err)
{
	int rc = flush_segment(ix, err);
	if (rc == 0)
		rc = write_dels(ix, err);
	if (rc < 0)
		return fail(ix, rc, err);
	drop_dead_segments(ix);
	if (!ix->dirty && ix->have_commit)
		return 0;
	rc = commit_manifest(ix, err);
	if (rc == 0)
		rc = maybe_merge(ix, err);
	return rc < 0 ? fail(ix, rc, err) : 0;
}

int tc_indexer_commit(tc_indexer *ix, tc_error *err)
{
	if (ix->failed)
		return failed(ix, err);
	return commit(ix, err);
}

/* ---- writing one analysed document ---------------------------------------------------- */

/* Field ids of d's fields (-1 = not kept); may grow the field table. */
static void resolve_fields(tc_indexer *ix, const tc_ix_doc *d, int *need_flush)
{
	ix->fid = tc_grow(ix->fid, &ix->cap_fid, d->nfields, sizeof *ix->fid);
	for (size_t i = 0; i < d->nfields; i++) {
		const char *name = tc_ix_doc_str(d, d->fields[i].name);
		ix->fid[i] = -1;
		if (i == d->id_field)
			continue;
		int id = tc_manifest_field_id(&ix->m, name);
		if (id < 0) {
			tc_error e = {0};
			id = tc_manifest_field_add(&ix->m, name, &e);
			if (id < 0) {
				message(ix, TC_IX_NOTE, e.msg);
				continue;
			}
			ix->dirty = 1;
		}
		ix->fid[i] = id;
		if (ix->w && (unsigned)id >= ix->w_nfields)
			*need_flush = 1;
	}
}

static int write_doc(tc_indexer *ix, const tc_ix_doc *d, tc_error *err)
{
	size_t idlen;
	const char *id = tc_ix_doc_id(d, &idlen);
	int need_flush = 0;
	size_t slot;
	resolve_fields(ix, d, &need_flush);
	if (idset_find(&ix->ids, id, idlen, &slot) || ix->w_ndocs == TC_MAX_SEG_DOCS)
		need_flush = 1;
	if (need_flush)
		TC_FORWARD(commit(ix, err));
	int found = tombstone(ix, id, idlen, err);
	if (found < 0)
		return fail(ix, found, err);
	if (!ix->w) {
		int rc = open_segment(ix, err);
		if (rc < 0)
			return fail(ix, rc, err);
	}
	uint32_t doc = ix->w_ndocs;
	ix->flens = tc_grow(ix->flens, &ix->cap_flens, ix->w_nfields, sizeof *ix->flens);
	memset(ix->flens, 0, ix->w_nfields * sizeof *ix->flens);
	ix->fv = tc_grow(ix->fv, &ix->cap_fv, d->nfields, sizeof *ix->fv);
	size_t nfv = 0;
	for (size_t i = 0; i < d->nfields; i++) {
		const tc_ix_field *f = &d->fields[i];
		if (ix->fid[i] < 0)
			continue;
		ix->fv[nfv++] = (tc_field_value){(uint8_t)ix->fid[i], tc_ix_doc_str(d, f->value),
		                                 f->value_len};
		if (f->indexed) {
			ix->flens[ix->fid[i]] = f->ntokens;
			tc_ix_membuf_add_field(ix->mb, doc, (uint8_t)ix->fid[i], d, f);
		}
	}
	int rc = tc_segw_add_doc(ix->w, id, idlen, ix->fv, nfv, ix->flens, err);
	for (size_t i = 0; rc == 0 && i < d->nnums; i++) {
		const tc_ix_num *e = &d->nums[i];
		if (ix->fid[e->field] < 0)
			continue;
		rc = tc_segw_add_num(ix->w, tc_ix_doc_str(d, e->unit), e->unit_len, e->value, doc,
		                     (uint8_t)ix->fid[e->field], e->pos, err);
		ix->w_nums++;
	}
	if (rc < 0)
		return fail(ix, rc, err);
	idset_add(&ix->ids, id, idlen);
	ix->w_ndocs++;
	ix->w_idbytes += idlen;
	if (found)
		ix->st.replaced++;
	else
		ix->st.added++;
	if (accounted(ix) >= ix->flush_at ||
	    (ix->o.segment_docs && ix->w_ndocs >= ix->o.segment_docs))
		return commit(ix, err);
	return 0;
}

/* ---- open / free ------------------------------------------------------------------------ */

int tc_indexer_open(const char *dir, const tc_indexer_opts *opts, tc_indexer **out,
                    tc_error *err)
{
	*out = NULL;
	tc_indexer *ix = tc_calloc(1, sizeof *ix);
	ix->lock_fd = -1;
	if (opts)
		ix->o = *opts;
	if (ix->o.mem == 0)
		ix->o.mem = DEFAULT_MEM;
	if (ix->o.mem < MIN_MEM)
		ix->o.mem = MIN_MEM;
	if (ix->o.threads == 0)
		ix->o.threads = 1;
	if (ix->o.merge_factor < 2)
		ix->o.merge_factor = DEFAULT_MERGE_FACTOR;
	/*
	 * What the budget must also pay for, besides the open segment: the program and ICU's
	 * data (~7 MB), the segment writer's file buffers and zstd context (~7 MB), the
	 * input's zstd window (8 MB for most files) and two analysers with their caches; then
	 * an eighth for the batches in flight, scratch space and allocator slack. Measured
	 * peak RSS (README) stays within the budget for -j 1 and -j 2. It does not depend on
	 * the thread count, or -j N would move the flush points.
	 */
	size_t reserve = FIXED_RESERVE + ix->o.mem / 8;
	ix->flush_at = ix->o.mem > reserve + MIN_FLUSH ? ix->o.mem - reserve : MIN_FLUSH;
	if (ix->flush_at > MEMBUF_MAX)
		ix->flush_at = MEMBUF_MAX;
	ix->max_record = ix->o.mem / 16 < TC_IX_LINE_MAX ? ix->o.mem / 16 : TC_IX_LINE_MAX;
	ix->dir = tc_strdup(dir);
	ix->mb = tc_ix_membuf_new();
	ix->wk = tc_calloc(ix->o.threads, sizeof *ix->wk);
	ix->lang = ix->o.lang ? tc_strdup(ix->o.lang) : NULL;
	ix->o.lang = NULL;
	int rc = 0;
	if (ix->o.must_exist) {
		/* before the lock, which would create dir */
		rc = tc_manifest_read(dir, &ix->m, err);
		if (rc == TC_ENOENT) {
			tc_error_clear(err);
			rc = tc_error_set(err, TC_ENOENT, "%s: not an index (no MANIFEST)", dir);
		}
		tc_manifest_free(&ix->m);
	}
	if (rc == 0)
		rc = tc_ix_worker_new(ix->lang, &ix->wk[0], err);
	if (rc == 0) {
		ix->nwk = 1;
		rc = tc_index_lock(dir, &ix->lock_fd, err);
	}
	if (rc == 0) {
		rc = tc_manifest_read(dir, &ix->m, err);
		if (rc == TC_ENOENT) {
			tc_error_clear(err);
			memset(&ix->m, 0, sizeof ix->m);
			rc = tc_manifest_field_add(&ix->m, "title", err);
			if (rc >= 0)
				rc = tc_manifest_field_add(&ix->m, "body", err);
			rc = rc < 0 ? rc : 0;
		} else if (rc == 0) {
			ix->have_commit = 1;
			rc = reopen_snapshot(ix, err);
		}
	}
	if (rc < 0) {
		tc_indexer_free(ix);
		return rc;
	}
	ix->st.segments = (uint32_t)ix->m.nsegs;
	*out = ix;
	return 0;
}

void tc_indexer_free(tc_indexer *ix)
{
	if (!ix)
		return;
	tc_segw_abort(ix->w);
	tc_ix_membuf_free(ix->mb);
	idset_clear(&ix->ids);
	dels_clear(ix);
	free(ix->dels);
	tc_snapshot_release(ix->snap);
	tc_manifest_free(&ix->m);
	if (ix->lock_fd >= 0)
		tc_index_unlock(ix->lock_fd);
	for (size_t i = 0; i < ix->nwk; i++)
		tc_ix_worker_free(ix->wk[i]);
	free(ix->wk);
	tc_ix_doc_free(&ix->doc1);
	free(ix->flens);
	free(ix->fv);
	free(ix->fid);
	free(ix->lang);
	free(ix->dir);
	free(ix);
}

void tc_indexer_get_stats(const tc_indexer *ix, tc_indexer_stats *out)
{
	*out = ix->st;
	size_t mem = accounted(ix);
	if (mem > out->peak_mem)
		out->peak_mem = mem;
}

static void report_notes(tc_indexer *ix, const tc_ix_doc *d)
{
	const char *p = d->notes.data;
	for (size_t k = 0; k < d->nnotes && p && *p; k++) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char msg[TC_ERROR_MSG_MAX + 128];
		snprintf(msg, sizeof msg, "%.*s", (int)n, p);
		message(ix, TC_IX_NOTE, msg);
		p += n + (nl != NULL);
	}
}

/* ---- single documents and deletes ------------------------------------------------------- */

int tc_indexer_add_json(tc_indexer *ix, const char *src, const char *json, size_t len,
                        tc_error *err)
{
	if (ix->failed)
		return failed(ix, err);
	tc_ix_doc *d = &ix->doc1;
	int rc = tc_ix_doc_from_json(ix->wk[0], src ? src : "input", 1, json, len, d, err);
	ix->st.bytes += len;
	if (rc < 0) {
		ix->st.rejected++;
		return rc;
	}
	ix->st.invalid_utf8 += d->invalid_utf8;
	report_notes(ix, d);
	return write_doc(ix, d, err);
}

int tc_indexer_delete(tc_indexer *ix, const char *id, size_t len, tc_error *err)
{
	if (ix->failed)
		return failed(ix, err);
	size_t slot;
	if (idset_find(&ix->ids, id, len, &slot))
		TC_FORWARD(commit(ix, err));
	int found = tombstone(ix, id, len, err);
	if (found < 0)
		return fail(ix, found, err);
	if (!found)
		return tc_error_set(err, TC_ENOENT, "no document with id \"%.*s\"",
		                    (int)(len > 200 ? 200 : len), id);
	ix->st.deleted++;
	return 0;
}

/* ---- the pipeline ------------------------------------------------------------------------ */

typedef struct run {
	tc_indexer *ix;
	const char *const *paths;
	size_t npaths;
	size_t next_path;         /* next path to open */
	tc_ix_source *src;        /* the source being read, or NULL */
	uint32_t src_index;
	int input_done;
	batch *ring;
	size_t nring;
	/* threads */
	pthread_mutex_t mu;
	pthread_cond_t work_cv, done_cv;
	size_t take;              /* next batch a worker takes */
	int quit;
} run;

static void batch_reset(batch *b)
{
	tc_buf_clear(&b->data);
	tc_buf_clear(&b->msgs);
	b->nrecs = 0;
}

static void batch_free(batch *b)
{
	tc_buf_free(&b->data);
	tc_buf_free(&b->msgs);
	free(b->recs);
	for (size_t i = 0; i < b->cap_docs; i++)
		tc_ix_doc_free(&b->docs[i]);
	free(b->docs);
}

static brec *batch_add(batch *b, uint32_t src, uint64_t line)
{
	b->recs = tc_grow(b->recs, &b->cap_recs, b->nrecs + 1, sizeof *b->recs);
	brec *r = &b->recs[b->nrecs++];
	memset(r, 0, sizeof *r);
	r->src = src;
	r->line = line;
	return r;
}

static void batch_reject(batch *b, brec *r, int rc, const char *msg)
{
	r->rc = rc;
	r->msg = b->msgs.len;
	tc_buf_puts(&b->msgs, msg);
	tc_buf_putc(&b->msgs, '\0');
}

/* Reads records into b until it is full or the input ends. */
static void fill_batch(run *R, batch *b)
{
	batch_reset(b);
	while (b->data.len < BATCH_BYTES && b->nrecs < BATCH_RECS) {
		tc_error e = {0};
		if (!R->src) {
			if (R->next_path == R->npaths) {
				R->input_done = 1;
				break;
			}
			R->src_index = (uint32_t)R->next_path++;
			int rc = tc_ix_source_open(R->paths[R->src_index], &R->src, &e);
			if (rc < 0) {
				batch_reject(b, batch_add(b, R->src_index, 0), rc, e.msg);
				continue;
			}
			tc_ix_source_set_max_record(R->src, R->ix->max_record);
		}
		tc_ix_record rec;
		int rc = tc_ix_source_next(R->src, &rec, &e);
		if (rc == 0) {
			R->ix->in_read_done += tc_ix_source_in_bytes(R->src);
			tc_ix_source_free(R->src);
			R->src = NULL;
			continue;
		}
		brec *r = batch_add(b, R->src_index, rc > 0 ? rec.line : 0);
		if (rc < 0) {
			batch_reject(b, r, rc, e.msg);
			continue;
		}
		r->off = b->data.len;
		r->len = rec.len;
		r->kind = tc_ix_source_kind(R->src);
		tc_buf_append(&b->data, rec.data, rec.len);
		tc_buf_putc(&b->data, '\0');
	}
}

static void analyse_batch(run *R, tc_ix_worker *w, batch *b)
{
	size_t old = b->cap_docs;
	b->docs = tc_grow(b->docs, &b->cap_docs, b->nrecs, sizeof *b->docs);
	memset(b->docs + old, 0, (b->cap_docs - old) * sizeof *b->docs);
	for (size_t i = 0; i < b->nrecs; i++) {
		brec *r = &b->recs[i];
		if (r->rc < 0)
			continue;
		const char *path = R->paths[r->src];
		const char *data = b->data.data + r->off;
		tc_ix_doc *d = &b->docs[i];
		tc_error e = {0};
		int rc;
		if (r->kind == TC_IX_TEXT)
			rc = tc_ix_doc_from_text(w, path, data, r->len, d, &e);
		else
			rc = tc_ix_doc_from_json(w, path, r->line, data, r->len, d, &e);
		if (rc < 0)
			batch_reject(b, r, rc, e.msg);
	}
}

/* Big documents leave big buffers behind; give them back rather than keep them. */
static void trim_docs(batch *b)
{
	for (size_t i = 0; i < b->nrecs && i < b->cap_docs; i++)
		if (tc_ix_doc_mem(&b->docs[i]) > ((size_t)32 << 10))
			tc_ix_doc_free(&b->docs[i]);
}

static void progress(run *R)
{
	tc_indexer *ix = R->ix;
	if (!ix->o.on_progress)
		return;
	tc_indexer_progress p = {0};
	p.docs = ix->st.added + ix->st.replaced;
	p.rejected = ix->st.rejected;
	p.bytes = ix->st.bytes;
	p.in_read = ix->in_read_done + (R->src ? tc_ix_source_in_bytes(R->src) : 0);
	p.in_total = ix->in_total;
	p.segments = (uint32_t)ix->m.nsegs + (ix->w != NULL);
	ix->o.on_progress(ix->o.ctx, &p);
}

/*
 * Adds the new field names of a whole batch to the field table before its first doc is
 * written, so a field first seen in the middle of a batch does not cut the open segment
 * short; only a batch that brings new fields while a segment is open finishes it.
 */
static int register_fields(tc_indexer *ix, const batch *b, tc_error *err)
{
	for (size_t i = 0; i < b->nrecs; i++) {
		if (b->recs[i].rc < 0)
			continue;
		const tc_ix_doc *d = &b->docs[i];
		for (size_t f = 0; f < d->nfields; f++) {
			const char *name = tc_ix_doc_str(d, d->fields[f].name);
			if (f == d->id_field || tc_manifest_field_id(&ix->m, name) >= 0)
				continue;
			/* a full table is reported per document, when its fields are resolved */
			if (tc_manifest_field_add(&ix->m, name, NULL) >= 0)
				ix->dirty = 1;
		}
	}
	if (ix->w && ix->m.nfields > ix->w_nfields)
		return commit(ix, err);
	return 0;
}

/* Writes the documents of b in order; stops at a write error. */
static int consume(run *R, batch *b, tc_error *err)
{
	tc_indexer *ix = R->ix;
	TC_FORWARD(register_fields(ix, b, err));
	for (size_t i = 0; i < b->nrecs; i++) {
		brec *r = &b->recs[i];
		ix->st.bytes += r->len;
		if (r->rc < 0) {
			ix->st.rejected++;
			message(ix, TC_IX_REJECT, b->msgs.data + r->msg);
			continue;
		}
		tc_ix_doc *d = &b->docs[i];
		ix->st.invalid_utf8 += d->invalid_utf8;
		report_notes(ix, d);
		TC_FORWARD(write_doc(ix, d, err));
	}
	trim_docs(b);
	progress(R);
	return 0;
}

static void *worker_main(void *arg)
{
	void **a = arg;
	run *R = a[0];
	tc_ix_worker *w = a[1];
	pthread_mutex_lock(&R->mu);
	for (;;) {
		batch *b = &R->ring[R->take % R->nring];
		while (!R->quit && b->state != B_FILLED) {
			pthread_cond_wait(&R->work_cv, &R->mu);
			b = &R->ring[R->take % R->nring];
		}
		if (R->quit)
			break;
		b->state = B_BUSY;
		R->take++;
		pthread_mutex_unlock(&R->mu);
		analyse_batch(R, w, b);
		pthread_mutex_lock(&R->mu);
		b->state = B_DONE;
		pthread_cond_broadcast(&R->done_cv);
	}
	pthread_mutex_unlock(&R->mu);
	return NULL;
}

static int run_serial(run *R, tc_error *err)
{
	batch *b = &R->ring[0];
	int rc = 0;
	while (rc == 0) {
		fill_batch(R, b);
		if (b->nrecs == 0 && R->input_done)
			break;
		analyse_batch(R, R->ix->wk[0], b);
		rc = consume(R, b, err);
	}
	return rc;
}

static int run_threads(run *R, tc_error *err)
{
	tc_indexer *ix = R->ix;
	size_t nthreads = ix->o.threads;
	pthread_t *th = tc_calloc(nthreads, sizeof *th);
	void *(*args)[2] = tc_calloc(nthreads, sizeof *args);
	size_t started = 0;
	int rc = 0;
	for (; started < nthreads; started++) {
		args[started][0] = R;
		args[started][1] = ix->wk[started];
		if (pthread_create(&th[started], NULL, worker_main, args[started]) != 0)
			break;
	}
	if (started == 0) {
		free(th);
		free(args);
		return run_serial(R, err);
	}
	size_t fill = 0, cons = 0;
	while (rc == 0) {
		/* read ahead into every free batch */
		while (!R->input_done && R->ring[fill % R->nring].state == B_FREE) {
			batch *b = &R->ring[fill % R->nring];
			fill_batch(R, b);
			if (b->nrecs == 0)
				break;
			pthread_mutex_lock(&R->mu);
			b->state = B_FILLED;
			pthread_cond_signal(&R->work_cv);
			pthread_mutex_unlock(&R->mu);
			fill++;
		}
		if (cons == fill)
			break;
		batch *b = &R->ring[cons % R->nring];
		pthread_mutex_lock(&R->mu);
		while (b->state != B_DONE)
			pthread_cond_wait(&R->done_cv, &R->mu);
		pthread_mutex_unlock(&R->mu);
		rc = consume(R, b, err);
		pthread_mutex_lock(&R->mu);
		b->state = B_FREE;
		pthread_mutex_unlock(&R->mu);
		cons++;
	}
	/* on an error, let the workers finish what they hold, then stop them */
	pthread_mutex_lock(&R->mu);
	for (size_t i = 0; i < R->nring; i++)
		while (R->ring[i].state == B_BUSY)
			pthread_cond_wait(&R->done_cv, &R->mu);
	R->quit = 1;
	pthread_cond_broadcast(&R->work_cv);
	pthread_mutex_unlock(&R->mu);
	for (size_t i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	free(th);
	free(args);
	return rc;
}

static uint64_t total_size(const char *const *paths, size_t n)
{
	uint64_t total = 0;
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		if (strcmp(paths[i], "-") == 0)
			return 0;
		if (stat(paths[i], &st) == 0 && S_ISREG(st.st_mode))
			total += (uint64_t)st.st_size;
	}
	return total;
}

int tc_indexer_add_files(tc_indexer *ix, const char *const *paths, size_t n, tc_error *err)
{
	if (ix->failed)
		return failed(ix, err);
	/* one analyser per thread, kept for later runs */
	size_t want = ix->o.threads > 1 ? ix->o.threads : 1;
	for (; ix->nwk < want; ix->nwk++) {
		tc_ix_worker *w;
		TC_FORWARD(tc_ix_worker_new(ix->lang, &w, err));
		ix->wk[ix->nwk] = w;
	}
	run R = {0};
	R.ix = ix;
	R.paths = paths;
	R.npaths = n;
	R.nring = want > 1 ? 2 * want : 1;
	R.ring = tc_calloc(R.nring, sizeof *R.ring);
	ix->in_read_done = 0;
	ix->in_total = total_size(paths, n);
	int rc;
	if (want > 1) {
		pthread_mutex_init(&R.mu, NULL);
		pthread_cond_init(&R.work_cv, NULL);
		pthread_cond_init(&R.done_cv, NULL);
		rc = run_threads(&R, err);
		pthread_mutex_destroy(&R.mu);
		pthread_cond_destroy(&R.work_cv);
		pthread_cond_destroy(&R.done_cv);
	} else {
		rc = run_serial(&R, err);
	}
	tc_ix_source_free(R.src);
	for (size_t i = 0; i < R.nring; i++)
		batch_free(&R.ring[i]);
	free(R.ring);
	return rc;
}
