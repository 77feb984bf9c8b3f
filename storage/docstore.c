/*
 * docstore.c — the stored fields of a segment's documents (<seg>.doc, zstd-compressed
 * blocks) and the map from external id to local doc id (<seg>.ids, sorted).
 *
 * <seg>.doc grammar (file frame of fileio.c, magic "TCDS", version 3; little-endian):
 *
 *   content   := dict zblock{nblocks} index tail
 *   dict      := byte[dict_len]        a zstd dictionary (ZDICT format) trained on the
 *                segment's first records; dict_len = 0 when the segment has too little
 *                text for one to pay (the frames are then plain zstd frames)
 *   zblock    := a zstd frame (content size and content checksum present; compressed
 *                with dict when there is one) whose content is record{docs of the block};
 *                a block closes once its content reaches DOC_BLOCK_RAW (16 KiB), so
 *                one record never spans two blocks (readers take blocks of any size)
 *   record    := id_len:varint id:byte[id_len]  nfields:varint
 *                (field:u8 len:varint value:byte[len]){nfields}
 *                value = the field's bytes in the one-byte code of vncode.c (Vietnamese
 *                letters one byte each), len its coded length; the id is kept as is
 *   index     := (block_off:u64 first_doc:u32){nblocks}
 *                block_off = offset of the zblock in the file (the first at 8 + dict_len);
 *                the block runs to the next block_off (the last to the index); first_doc
 *                = doc id of its first record (0 for the first block, strictly ascending)
 *   tail      := ndocs:u32 nblocks:u32 index_off:u64 raw_bytes:u64 dict_len:u32
 *
 * <seg>.ids grammar (magic "TCID", version 2; version 1 kept every id whole, with a u32
 * offset and a u32 doc each, and is refused):
 *
 *   content   := n:u32 (= ndocs)  per_block:u32 (1..256)  block_off:u32{nblocks}
 *                block{nblocks}
 *                the n entries (id, doc), strictly ascending by id (memcmp order, shorter
 *                first on a tie), every doc once, cut into nblocks = ceil(n / per_block)
 *                blocks of per_block entries (the last holds the rest); block_off =
 *                offset of the block from the first block (0 for the first, ascending);
 *                a block runs to the next (the last to the end of the content)
 *   block     := doc0:varint run:varint (1..k) entry{k}
 *                the first run entries are docs doc0, doc0 + 1, ..., doc0 + run - 1
 *   entry     := token:u8 shared_more:varint? suffix_more:varint? suffix:byte[suffix_len]
 *                doc_delta:varint?
 *                token = min(shared, 15) << 4 | min(suffix_len, 15); a nibble of 15 is
 *                followed by a varint of the rest (shared_more before suffix_more);
 *                id = the previous id of the block [0 .. shared) + suffix (shared = 0 in
 *                a block's first entry, which is stored whole); 1 <= length <= TC_MAX_ID
 *                doc_delta: only past the run, zigzag(doc - (previous entry's doc + 1))
 *
 * Fetching a document = binary search of the index, one zstd decompression (whose
 * checksum catches a damaged block), a walk over the records before it.
 *
 * Why a dictionary: a 16 KiB block compresses alone, so each block re-learns the
 * language. A dictionary trained on the segment's first 4 MiB of records gives every
 * block the common words and markup from its first byte: on news, 34.3% of the input
 * becomes 31.0% at the same level (see FORMAT.md §8). The writer holds the first blocks
 * back until it has trained, compresses them both ways and keeps the dictionary only
 * when it pays for itself, so small segments stay plain.
 *
 * Why the id map is front-coded: the ids of a segment are mostly one prefix and a number
 * ("baomoi-21395276"); sorted, neighbours share most of their bytes, and docs added in id
 * order (a corpus sorted by id, auto-increment keys) make one run per block. On news the
 * map went from 765,057 bytes (version 1) to 115,642. Opening a segment decodes it
 * whole, once (which is also where every block is checked): each id goes to a heap the
 * segment owns, found by doc through an offset and a length, so tc_seg_doc_id, on every
 * hit of every query, stays two loads and hands out pointers as before. That costs
 * ~0.24 ms at open on news (33,262 ids) and the ids' bytes in memory (about what the
 * old map kept mapped); decoding one block per call instead costs 60-110 ns a call and
 * showed in the fastest queries (FORMAT.md §8). id -> doc reads the file: a binary
 * search of the blocks' first ids (stored whole) and a walk of one block.
 */
#include "storage_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#define ZDICT_STATIC_LINKING_ONLY  /* the fast trainer with fixed parameters */
#include <zdict.h>
#define ZSTD_STATIC_LINKING_ONLY  /* ZSTD_c_forceAttachDict, ZSTD_createDDict_byReference */
#include <zstd.h>

#include "common/mem.h"

/* Level 5 with a dictionary of 224 KiB trained on 4 MiB: on news the doc store takes
   31.53 MB instead of 33.86 at level 4 with 112 KiB trained on 2 MiB, for ~10% more
   indexing CPU; level 6 takes 31.05 MB for ~15%, which the index's size allowed until
   the numeric index shrank and left room for the cheaper build. See FORMAT.md.
   16 KiB blocks: a results page fetches each hit from a block of its own, and a fetch
   costs about one inflated block. On news (one segment, -j 2, FORMAT.md §8): 64 KiB
   blocks make a .doc of 33.30 MB at ~87 us a random fetch, 32 KiB 33.53 MB at ~54 us,
   16 KiB 33.86 MB at ~34 us, 8 KiB 34.31 MB at ~22 us, 4 KiB 34.59 MB at ~15 us; the
   build time does not move. With the dictionary, small blocks lose little. */
#define DOC_BLOCK_RAW (16u << 10)
#define DOC_ZSTD_LEVEL 5
#define DOC_TAIL 28
#define DOC_IENTRY 12
#define DOC_MAX_BLOCK_RAW (1u << 30)  /* refuse to inflate a block beyond this */
/* Training: 4 MiB of records train in ~0.3 s; the dictionary is at most 224 KiB and at
   most 1/16 of the text it learns from (a bigger dictionary pays more with small
   blocks); below 256 KiB of text there is nothing worth learning. */
#define DOC_TRAIN_RAW (4u << 20)
#define DOC_TRAIN_MIN (256u << 10)
#define DOC_DICT_MAX (224u << 10)
#define DOC_DICT_MAX_LEN (16u << 20)  /* a dict_len beyond this is damage */
/* Ids per block of the id map: a lookup decodes half a block on average. */
#define IDS_PER_BLOCK 32
#define IDS_MAX_PER_BLOCK 256  /* a reader's bound on the work of one lookup */

/* ---------------------------------------------------------------------------------- */
/* Doc store writer                                                                   */
/* ---------------------------------------------------------------------------------- */

int tc__dsw_open(tc__dsw *w, const char *dir, uint64_t seg_id, tc_error *err)
{
	memset(w, 0, sizeof *w);
	w->f.fd = -1;
	char name[TC_NAME_MAX];
	tc__seg_file_name(name, seg_id, "doc");
	TC_FORWARD(tc__wfile_open(&w->f, dir, name, TC_MAGIC_DOCSTORE, err));
	w->cctx = ZSTD_createCCtx();
	ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_compressionLevel, DOC_ZSTD_LEVEL);
	ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_checksumFlag, 1);
	ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_contentSizeFlag, 1);
	return TC_OK;
}

static void dsw_fail(tc__dsw *w, const char *what, size_t zrc)
{
	if (w->f.rc == TC_OK) {
		w->f.rc = TC_EIO;
		snprintf(w->f.msg, sizeof w->f.msg, "zstd %s: %s", what, ZSTD_getErrorName(zrc));
	}
}

/* Appends one frame of src (with the dictionary referenced by the cctx, if any) to out;
   its size, or 0 after an error. */
static size_t compress_block(tc__dsw *w, const void *src, size_t len, tc_buf *out)
{
	size_t cap = ZSTD_compressBound(len);
	tc_buf_reserve(out, cap);
	size_t n = ZSTD_compress2(w->cctx, out->data + out->len, cap, src, len);
	if (ZSTD_isError(n)) {
		dsw_fail(w, "compress", n);
		return 0;
	}
	out->len += n;
	return n;
}

/* Writes one compressed block of raw_len bytes whose first record is doc first. */
static void put_block(tc__dsw *w, const void *frame, size_t n, size_t raw_len, uint32_t first)
{
	tc_buf_put_u64le(&w->index, w->f.off);
	tc_buf_put_u32le(&w->index, first);
	tc__wfile_put(&w->f, frame, n);
	w->raw_bytes += raw_len;
	w->nblocks++;
}

/* Compresses every held block into out (frame sizes into sizes); total bytes. */
static size_t compress_held(tc__dsw *w, tc_buf *out, size_t *sizes)
{
	size_t total = 0, at = 0;
	for (size_t i = 0; i < w->nheld; i++) {
		sizes[i] = compress_block(w, w->held.data + at, w->held_len[i], out);
		total += sizes[i];
		at += w->held_len[i];
	}
	return total;
}

/* A dictionary trained on the held records, its length in *len; NULL when training fails
   or there is too little text (the segment is then written without one). */
static void *train_dict(const tc__dsw *w, size_t *len)
{
	if (w->held.len < DOC_TRAIN_MIN)
		return NULL;
	size_t cap = w->held.len / 16 < DOC_DICT_MAX ? w->held.len / 16 : DOC_DICT_MAX;
	void *dict = tc_malloc(cap);
	ZDICT_fastCover_params_t p;
	memset(&p, 0, sizeof p);
	p.k = 200;  /* fixed parameters: the optimising trainer is 5x slower for 0.1 point */
	p.d = 8;
	p.f = 20;
	p.accel = 1;
	p.zParams.compressionLevel = DOC_ZSTD_LEVEL;
	size_t n = ZDICT_trainFromBuffer_fastCover(dict, cap, w->held.data, w->rec_len,
	                                           (unsigned)w->nrec, p);
	if (ZDICT_isError(n) || n == 0) {
		free(dict);
		return NULL;
	}
	*len = n;
	return dict;
}

static void free_held(tc__dsw *w)
{
	tc_buf_free(&w->held);
	free(w->held_len);
	free(w->held_first);
	free(w->rec_len);
	w->held_len = NULL;
	w->held_first = NULL;
	w->rec_len = NULL;
	w->nheld = w->nrec = w->cap_held = w->cap_rec = 0;
}

/*
 * Decides on the dictionary and writes the held blocks, compressed with a freshly trained
 * dictionary or plain, whichever is smaller. At the end of the segment (final) the
 * dictionary's own bytes count against it; when the held text reached DOC_TRAIN_RAW more
 * text follows, over which the dictionary pays for itself (on news it saves 15% of the
 * compressed blocks: a 112 KiB dictionary is repaid after ~4 MiB of text). From then on
 * blocks go straight to the file.
 */
static void dsw_decide(tc__dsw *w, int final)
{
	size_t *plain = tc_malloc((w->nheld ? w->nheld : 1) * sizeof *plain);
	size_t *with = tc_malloc((w->nheld ? w->nheld : 1) * sizeof *with);
	tc_buf zp = {0}, zd = {0};
	size_t dict_len = 0;
	void *dict = train_dict(w, &dict_len);
	size_t plain_total = compress_held(w, &zp, plain);
	int use_dict = 0;
	if (dict) {
		w->cdict = ZSTD_createCDict(dict, dict_len, DOC_ZSTD_LEVEL);
		/* attached, not copied into the context for every block: 10% faster */
		ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_forceAttachDict, ZSTD_dictForceAttach);
		if (w->cdict && !ZSTD_isError(ZSTD_CCtx_refCDict(w->cctx, w->cdict)))
			use_dict = compress_held(w, &zd, with) + (final ? dict_len : 0) < plain_total;
		if (!use_dict) {
			ZSTD_CCtx_refCDict(w->cctx, NULL);
			ZSTD_freeCDict(w->cdict);
			w->cdict = NULL;
		}
	}
	if (use_dict) {
		tc__wfile_put(&w->f, dict, dict_len);
		w->dict_len = (uint32_t)dict_len;
	}
	const tc_buf *z = use_dict ? &zd : &zp;
	const size_t *sizes = use_dict ? with : plain;
	size_t at = 0;
	for (size_t i = 0; w->f.rc == TC_OK && i < w->nheld; i++) {
		put_block(w, z->data + at, sizes[i], w->held_len[i], w->held_first[i]);
		at += sizes[i];
	}
	free(dict);
	free(plain);
	free(with);
	tc_buf_free(&zp);
	tc_buf_free(&zd);
	free_held(w);
	w->decided = 1;
}

/* Compresses and writes one closed block whose first record is doc first. */
static void write_block(tc__dsw *w, const tc_buf *raw, uint32_t first)
{
	w->z.len = 0;
	size_t n = compress_block(w, raw->data, raw->len, &w->z);
	if (n)
		put_block(w, w->z.data, n, raw->len, first);
}

/* The background compressor: takes the queued blocks in order until told to quit. */
static void *dsw_bg_main(void *arg)
{
	tc__dsw *w = arg;
	pthread_mutex_lock(&w->bg_mu);
	for (;;) {
		while (w->bg_count == 0 && !w->bg_quit)
			pthread_cond_wait(&w->bg_cv, &w->bg_mu);
		if (w->bg_count == 0)
			break;
		tc__dsw_slot *slot = &w->bg_slot[w->bg_head];
		pthread_mutex_unlock(&w->bg_mu);
		write_block(w, &slot->raw, slot->first);
		pthread_mutex_lock(&w->bg_mu);
		slot->raw.len = 0;
		w->bg_head = (w->bg_head + 1) % TC__DSW_QUEUE;
		w->bg_count--;
		pthread_cond_broadcast(&w->bg_cv);
	}
	pthread_mutex_unlock(&w->bg_mu);
	return NULL;
}

void tc__dsw_background(tc__dsw *w)
{
	if (w->bg)
		return;
	pthread_mutex_init(&w->bg_mu, NULL);
	pthread_cond_init(&w->bg_cv, NULL);
	w->bg = 1;
}

/* Hands the block being filled to the compressor thread (started on the first block),
   swapping buffers with a free slot; waits while the queue is full. 0, or -1 when no
   thread could be started (the caller then compresses the block itself). */
static int dsw_queue(tc__dsw *w)
{
	if (!w->bg_running) {
		if (pthread_create(&w->bg_thread, NULL, dsw_bg_main, w) != 0)
			return -1;
		w->bg_running = 1;
	}
	pthread_mutex_lock(&w->bg_mu);
	while (w->bg_count == TC__DSW_QUEUE)
		pthread_cond_wait(&w->bg_cv, &w->bg_mu);
	tc__dsw_slot *slot = &w->bg_slot[(w->bg_head + w->bg_count) % TC__DSW_QUEUE];
	tc_buf t = slot->raw;
	slot->raw = w->raw;
	w->raw = t;
	slot->first = w->block_first;
	w->bg_count++;
	pthread_cond_broadcast(&w->bg_cv);
	pthread_mutex_unlock(&w->bg_mu);
	return 0;
}

/* Lets the compressor thread finish the queue, and stops it. */
static void dsw_bg_stop(tc__dsw *w)
{
	if (!w->bg_running)
		return;
	pthread_mutex_lock(&w->bg_mu);
	w->bg_quit = 1;
	pthread_cond_broadcast(&w->bg_cv);
	pthread_mutex_unlock(&w->bg_mu);
	pthread_join(w->bg_thread, NULL);
	w->bg_running = 0;
}

/* Closes the block being filled: held back until the dictionary is decided, then written
   (by the compressor thread when there is one). */
static void dsw_flush(tc__dsw *w)
{
	if (w->raw.len == 0)
		return;
	if (w->decided) {
		if (!w->bg || dsw_queue(w) != 0)
			write_block(w, &w->raw, w->block_first);
	} else {
		w->held_len = tc_grow(w->held_len, &w->cap_held, w->nheld + 1, sizeof *w->held_len);
		w->held_first = tc_realloc(w->held_first, w->cap_held * sizeof *w->held_first);
		w->held_len[w->nheld] = w->raw.len;
		w->held_first[w->nheld++] = w->block_first;
		tc_buf_append(&w->held, w->raw.data, w->raw.len);
		if (w->held.len >= DOC_TRAIN_RAW)
			dsw_decide(w, 0);
	}
	w->raw.len = 0;
	w->block_first = w->ndocs;
}

void tc__dsw_add(tc__dsw *w, const char *id, size_t id_len, const tc_field_value *fields,
                 size_t nfields)
{
	tc_buf *b = &w->raw;
	size_t start = b->len;
	tc_buf_put_varint(b, id_len);
	tc_buf_append(b, id, id_len);
	tc_buf_put_varint(b, nfields);
	for (size_t i = 0; i < nfields; i++) {
		w->coded.len = 0;
		tc__vncode_encode(&w->coded, fields[i].data, fields[i].len);
		tc_buf_putc(b, (char)fields[i].field);
		tc_buf_put_varint(b, w->coded.len);
		tc_buf_append(b, w->coded.data, w->coded.len);
	}
	if (!w->decided) {  /* each record is one training sample */
		w->rec_len = tc_grow(w->rec_len, &w->cap_rec, w->nrec + 1, sizeof *w->rec_len);
		w->rec_len[w->nrec++] = b->len - start;
	}
	w->ndocs++;
	if (b->len >= DOC_BLOCK_RAW)
		dsw_flush(w);
}

int tc__dsw_close(tc__dsw *w, tc_error *err)
{
	dsw_flush(w);
	if (!w->decided)
		dsw_decide(w, 1);
	dsw_bg_stop(w);
	uint64_t index_off = w->f.off;
	tc__wfile_put(&w->f, w->index.data, w->index.len);
	tc__wfile_u32(&w->f, w->ndocs);
	tc__wfile_u32(&w->f, w->nblocks);
	tc__wfile_u64(&w->f, index_off);
	tc__wfile_u64(&w->f, w->raw_bytes);
	tc__wfile_u32(&w->f, w->dict_len);
	int rc = tc__wfile_close(&w->f, err);
	tc__dsw_free(w);
	return rc;
}

void tc__dsw_free(tc__dsw *w)
{
	dsw_bg_stop(w);
	if (w->bg) {
		for (size_t i = 0; i < TC__DSW_QUEUE; i++)
			tc_buf_free(&w->bg_slot[i].raw);
		pthread_mutex_destroy(&w->bg_mu);
		pthread_cond_destroy(&w->bg_cv);
		w->bg = 0;
	}
	tc__wfile_abort(&w->f);
	tc_buf_free(&w->raw);
	tc_buf_free(&w->coded);
	tc_buf_free(&w->z);
	tc_buf_free(&w->index);
	free_held(w);
	ZSTD_freeCCtx(w->cctx);
	ZSTD_freeCDict(w->cdict);
	w->cctx = NULL;
	w->cdict = NULL;
}

/* ---------------------------------------------------------------------------------- */
/* Id map writer                                                                      */
/* ---------------------------------------------------------------------------------- */

typedef struct idref {
	const unsigned char *p;
	uint32_t len, doc;
} idref;

static int idcmp(const unsigned char *a, size_t na, const unsigned char *b, size_t nb)
{
	int c = memcmp(a, b, na < nb ? na : nb);
	return c ? c : (na > nb) - (na < nb);
}

static int idref_cmp(const void *x, const void *y)
{
	const idref *a = x, *b = y;
	return idcmp(a->p, a->len, b->p, b->len);
}

/* A token nibble: v itself below 15, else 15 and the rest in a varint after the token. */
static void put_token(tc_buf *b, uint32_t shared, uint32_t suffix)
{
	tc_buf_putc(b, (char)((shared < 15 ? shared : 15) << 4 | (suffix < 15 ? suffix : 15)));
	if (shared >= 15)
		tc_buf_put_varint(b, shared - 15);
	if (suffix >= 15)
		tc_buf_put_varint(b, suffix - 15);
}

/* Appends the block of the k sorted entries r[0..k) to b. */
static void put_ids_block(tc_buf *b, const idref *r, uint32_t k)
{
	uint32_t run = 1;
	while (run < k && r[run].doc == r[0].doc + run)
		run++;
	tc_buf_put_varint(b, r[0].doc);
	tc_buf_put_varint(b, run);
	for (uint32_t j = 0; j < k; j++) {
		uint32_t shared = 0;
		if (j > 0) {
			uint32_t most = r[j].len < r[j - 1].len ? r[j].len : r[j - 1].len;
			while (shared < most && r[j].p[shared] == r[j - 1].p[shared])
				shared++;
		}
		put_token(b, shared, r[j].len - shared);
		tc_buf_append(b, r[j].p + shared, r[j].len - shared);
		if (j >= run)
			tc_buf_put_varint(b, tc_zigzag((uint64_t)r[j].doc - r[j - 1].doc - 1));
	}
}

int tc__ids_write(const char *dir, uint64_t seg_id, const tc_buf *heap, const uint32_t *offs,
                  uint32_t ndocs, tc_error *err)
{
	idref *r = tc_malloc((ndocs ? ndocs : 1) * sizeof *r);
	for (uint32_t d = 0; d < ndocs; d++)
		r[d] = (idref){(const unsigned char *)heap->data + offs[d], offs[d + 1] - offs[d], d};
	qsort(r, ndocs, sizeof *r, idref_cmp);
	for (uint32_t i = 1; i < ndocs; i++) {
		if (idref_cmp(&r[i - 1], &r[i]) == 0) {
			int rc = tc_error_set(err, TC_EINVAL, "duplicate id '%.*s' (docs %" PRIu32
			                      " and %" PRIu32 ")", (int)(r[i].len > 200 ? 200 : r[i].len),
			                      (const char *)r[i].p, r[i - 1].doc, r[i].doc);
			free(r);
			return rc;
		}
	}
	tc_buf index = {0}, blocks = {0};
	for (uint32_t i = 0; i < ndocs; i += IDS_PER_BLOCK) {
		tc_buf_put_u32le(&index, (uint32_t)blocks.len);
		put_ids_block(&blocks, r + i, ndocs - i < IDS_PER_BLOCK ? ndocs - i : IDS_PER_BLOCK);
		if (blocks.len > UINT32_MAX)
			break;
	}
	free(r);
	int rc = TC_OK;
	if (blocks.len > UINT32_MAX)
		rc = tc_error_set(err, TC_ELIMIT, "the id map exceeds 4 GiB");
	tc__wfile f;
	char name[TC_NAME_MAX];
	tc__seg_file_name(name, seg_id, "ids");
	if (rc == TC_OK)
		rc = tc__wfile_open(&f, dir, name, TC_MAGIC_IDS, err);
	if (rc == TC_OK) {
		tc__wfile_u32(&f, ndocs);
		tc__wfile_u32(&f, IDS_PER_BLOCK);
		tc__wfile_put(&f, index.data, index.len);
		tc__wfile_put(&f, blocks.data, blocks.len);
		rc = tc__wfile_close(&f, err);
	}
	tc_buf_free(&index);
	tc_buf_free(&blocks);
	return rc;
}

/* ---------------------------------------------------------------------------------- */
/* Readers                                                                            */
/* ---------------------------------------------------------------------------------- */

int tc__docstore_open(tc_segment *seg, tc_error *err)
{
	const tc__rfile *f = &seg->f_doc;
	tc__doc_r *d = &seg->doc;
	if (f->end - f->p < DOC_TAIL)
		return tc__corrupt(err, f, f->p, "no room for the tail");
	const unsigned char *t = f->end - DOC_TAIL;
	d->nblocks = tc__get_u32(t + 4);
	uint64_t index_off = tc__get_u64(t + 8);
	d->raw_bytes = tc__get_u64(t + 16);
	d->dict_len = tc__get_u32(t + 24);
	uint64_t tail_off = (uint64_t)(t - f->map.data);
	if (tc__get_u32(t) != seg->ndocs)
		return tc__corrupt(err, f, t, "%" PRIu32 " docs, the manifest says %" PRIu32,
		                   tc__get_u32(t), seg->ndocs);
	uint64_t first_block = TC_FILE_HEADER + (uint64_t)d->dict_len;
	if (index_off < first_block || index_off > tail_off ||
	    (tail_off - index_off) != (uint64_t)d->nblocks * DOC_IENTRY ||
	    (seg->ndocs > 0) != (d->nblocks > 0) || d->nblocks > seg->ndocs ||
	    d->dict_len > DOC_DICT_MAX_LEN ||
	    (d->nblocks > 0 && tc__get_u64(f->map.data + index_off) != first_block))
		return tc__corrupt(err, f, t, "inconsistent tail (%" PRIu32 " blocks, index at %"
		                   PRIu64 ", dictionary of %" PRIu32 " bytes)", d->nblocks,
		                   index_off, d->dict_len);
	d->index = f->map.data + index_off;
	d->ddict = NULL;
	if (d->dict_len > 0) {
		/* by reference: the dictionary stays mapped as long as the segment is open */
		d->ddict = ZSTD_createDDict_byReference(f->map.data + TC_FILE_HEADER, d->dict_len);
		if (d->ddict == NULL)
			return tc__corrupt(err, f, f->map.data + TC_FILE_HEADER,
			                   "unreadable zstd dictionary");
	}
	return TC_OK;
}

void tc__docstore_close(tc_segment *seg)
{
	ZSTD_freeDDict(seg->doc.ddict);
	seg->doc.ddict = NULL;
}

/* Bounds and first doc of block b, checked. */
static int doc_block(const tc_segment *seg, uint32_t b, const unsigned char **s,
                     const unsigned char **e, uint32_t *first, uint32_t *next_first,
                     tc_error *err)
{
	const tc__rfile *f = &seg->f_doc;
	const tc__doc_r *d = &seg->doc;
	const unsigned char *ie = d->index + (size_t)b * DOC_IENTRY;
	uint64_t off = tc__get_u64(ie);
	uint64_t end = b + 1 < d->nblocks ? tc__get_u64(ie + DOC_IENTRY)
	                                  : (uint64_t)(d->index - f->map.data);
	*first = tc__get_u32(ie + 8);
	*next_first = b + 1 < d->nblocks ? tc__get_u32(ie + DOC_IENTRY + 8) : seg->ndocs;
	if (off < TC_FILE_HEADER || off >= end || end > (uint64_t)(d->index - f->map.data) ||
	    *first >= *next_first || (b == 0 && *first != 0) || *next_first > seg->ndocs)
		return tc__corrupt(err, f, ie, "index entry of block %" PRIu32 " out of range", b);
	*s = f->map.data + off;
	*e = f->map.data + end;
	return TC_OK;
}

/* Parses one record at *p (within end) into d's field list; pointers into the block. */
static int parse_record(const tc_segment *seg, const unsigned char **p,
                        const unsigned char *end, tc_doc *d, int keep, uint32_t b,
                        tc_error *err)
{
	const tc__rfile *f = &seg->f_doc;
	uint64_t n, nf;
	if (tc_varint_get(p, end, &n) != 0 || n > (uint64_t)(end - *p))
		return tc__corrupt(err, f, NULL, "block %" PRIu32 ": bad id length", b);
	const unsigned char *id = *p;
	*p += n;
	if (keep) {
		d->id = (const char *)id;
		d->id_len = (uint32_t)n;
		d->nfields = 0;
	}
	if (tc_varint_get(p, end, &nf) != 0 || nf > (uint64_t)(end - *p))
		return tc__corrupt(err, f, NULL, "block %" PRIu32 ": bad field count", b);
	for (uint64_t i = 0; i < nf; i++) {
		if (*p >= end)
			return tc__corrupt(err, f, NULL, "block %" PRIu32 ": truncated record", b);
		uint8_t field = **p;
		(*p)++;
		if (tc_varint_get(p, end, &n) != 0 || n > (uint64_t)(end - *p))
			return tc__corrupt(err, f, NULL, "block %" PRIu32 ": bad value length", b);
		if (keep) {
			d->fields = tc_grow(d->fields, &d->fields_cap, d->nfields + 1, sizeof *d->fields);
			d->fields[d->nfields++] =
				(tc_field_value){.field = field, .data = (const char *)*p, .len = (uint32_t)n};
		}
		*p += n;
	}
	return TC_OK;
}

/* Decompresses block b into d->block unless it is there already. */
static int inflate_block(const tc_segment *seg, uint32_t b, const unsigned char *s,
                         const unsigned char *e, tc_doc *d, tc_error *err)
{
	if (d->seg == seg && d->seg_serial == seg->serial && d->block_no == b)
		return TC_OK;
	d->seg = NULL;
	const tc__rfile *f = &seg->f_doc;
	unsigned long long n = ZSTD_getFrameContentSize(s, (size_t)(e - s));
	/* a damaged frame header must not make us allocate much: no block inflates beyond
	   the total the tail records */
	if (n == ZSTD_CONTENTSIZE_UNKNOWN || n == ZSTD_CONTENTSIZE_ERROR || n > DOC_MAX_BLOCK_RAW ||
	    n == 0 || n > seg->doc.raw_bytes)
		return tc__corrupt(err, f, s, "block %" PRIu32 ": bad zstd frame header", b);
	if (d->dctx == NULL)
		d->dctx = ZSTD_createDCtx();
	d->block.len = 0;
	tc_buf_reserve(&d->block, (size_t)n);
	size_t got = seg->doc.ddict
	             ? ZSTD_decompress_usingDDict(d->dctx, d->block.data, (size_t)n, s,
	                                          (size_t)(e - s), seg->doc.ddict)
	             : ZSTD_decompressDCtx(d->dctx, d->block.data, (size_t)n, s, (size_t)(e - s));
	if (ZSTD_isError(got) || got != n)
		return tc__corrupt(err, f, s, "block %" PRIu32 ": %s", b,
		                   ZSTD_isError(got) ? ZSTD_getErrorName(got) : "short block");
	d->block.len = (size_t)n;
	d->seg = seg;
	d->seg_serial = seg->serial;
	d->block_no = b;
	d->next_doc = UINT32_MAX;  /* no record parsed yet */
	d->next_off = 0;
	return TC_OK;
}

int tc_seg_doc_get(const tc_segment *seg, uint32_t doc, tc_doc *out, tc_error *err)
{
	TC_RETURN_IF(doc >= seg->ndocs, err, TC_EINVAL, "doc %" PRIu32 " out of range (%" PRIu32
	             " docs)", doc, seg->ndocs);
	const tc__doc_r *d = &seg->doc;
	uint32_t lo = 0, hi = d->nblocks;
	while (hi - lo > 1) {  /* last block whose first doc <= doc */
		uint32_t mid = lo + (hi - lo) / 2;
		if (tc__get_u32(d->index + (size_t)mid * DOC_IENTRY + 8) <= doc)
			lo = mid;
		else
			hi = mid;
	}
	const unsigned char *s, *e;
	uint32_t first, next_first;
	TC_FORWARD(doc_block(seg, lo, &s, &e, &first, &next_first, err));
	if (doc < first || doc >= next_first)
		return tc__corrupt(err, &seg->f_doc, d->index, "doc %" PRIu32 " in no block", doc);
	TC_FORWARD(inflate_block(seg, lo, s, e, out, err));
	const unsigned char *p = (const unsigned char *)out->block.data;
	const unsigned char *end = p + out->block.len;
	uint32_t j = first;
	if (out->next_doc != UINT32_MAX && out->next_doc <= doc && out->next_off <= out->block.len) {
		j = out->next_doc;  /* go on from the last fetch instead of the block's start */
		p += out->next_off;
	}
	out->next_doc = UINT32_MAX;
	for (; j <= doc; j++)
		TC_FORWARD(parse_record(seg, &p, end, out, j == doc, lo, err));
	out->next_doc = doc + 1;
	out->next_off = (size_t)(p - (const unsigned char *)out->block.data);
	/* hand out NUL-terminated, decoded copies: the values sit back to back in the block */
	out->vals.len = 0;
	size_t need = out->id_len + 1;
	for (size_t i = 0; i < out->nfields; i++)
		need += tc__vncode_decoded_max(out->fields[i].len) + 1;
	tc_buf_reserve(&out->vals, need);
	char *v = out->vals.data;
	memcpy(v, out->id, out->id_len);
	v[out->id_len] = '\0';
	out->id = v;
	v += out->id_len + 1;
	for (size_t i = 0; i < out->nfields; i++) {
		size_t len;
		if (tc__vncode_decode(v, out->fields[i].data, out->fields[i].len, &len) != 0)
			return tc__corrupt(err, &seg->f_doc, NULL, "block %" PRIu32 ", doc %" PRIu32
			                   ": field %u is not in the doc store's code", lo, doc,
			                   (unsigned)out->fields[i].field);
		v[len] = '\0';
		out->fields[i].data = v;
		out->fields[i].len = (uint32_t)len;
		v += len + 1;
	}
	out->vals.len = (size_t)(v - out->vals.data);
	return TC_OK;
}

void tc_doc_free(tc_doc *d)
{
	if (d == NULL)
		return;
	free(d->fields);
	tc_buf_free(&d->block);
	tc_buf_free(&d->vals);
	ZSTD_freeDCtx(d->dctx);
	memset(d, 0, sizeof *d);
}

const char *tc_doc_field(const tc_doc *d, unsigned field, uint32_t *len)
{
	for (size_t i = 0; i < d->nfields; i++) {
		if (d->fields[i].field == field) {
			if (len)
				*len = d->fields[i].len;
			return d->fields[i].data;
		}
	}
	if (len)
		*len = 0;
	return NULL;
}

int tc__docstore_check_block(const tc_segment *seg, uint32_t b, tc_doc *scratch,
                             uint32_t *first, uint32_t *next_first, size_t *raw, tc_error *err)
{
	const unsigned char *s, *e;
	TC_FORWARD(doc_block(seg, b, &s, &e, first, next_first, err));
	TC_FORWARD(inflate_block(seg, b, s, e, scratch, err));
	const unsigned char *p = (const unsigned char *)scratch->block.data;
	const unsigned char *end = p + scratch->block.len;
	for (uint32_t j = *first; j < *next_first; j++)
		TC_FORWARD(parse_record(seg, &p, end, scratch, 0, b, err));
	if (p != end)
		return tc__corrupt(err, &seg->f_doc, s, "block %" PRIu32 ": %zu stray bytes", b,
		                   (size_t)(end - p));
	*raw = scratch->block.len;
	return TC_OK;
}

/* Starts a walk over block b (its bounds were checked at open); NULL or the fault. */
static const char *ids_block(const tc__ids_r *r, uint32_t b, tc__ids_cur *c)
{
	uint32_t off = tc__get_u32(r->index + 4 * (size_t)b);
	uint64_t end = b + 1 < r->nblocks ? tc__get_u32(r->index + 4 * ((size_t)b + 1))
	                                  : r->blocks_len;
	c->p = c->end = r->blocks;
	if (off > end || end > r->blocks_len)
		return "block outside the map";
	c->p = r->blocks + off;
	c->end = r->blocks + end;
	c->j = 0;
	c->k = b + 1 < r->nblocks ? r->per_block : r->n - b * r->per_block;
	c->len = 0;
	uint64_t doc0, run;
	if (tc_varint_get(&c->p, c->end, &doc0) != 0 || tc_varint_get(&c->p, c->end, &run) != 0)
		return "truncated block head";
	if (run == 0 || run > c->k || doc0 >= r->n || run > r->n - doc0)
		return "first docs out of range";
	c->doc0 = (uint32_t)doc0;
	c->run = (uint32_t)run;
	return NULL;
}

/* One nibble of a token and its varint; -1 past the block or beyond TC_MAX_ID. */
static int token_part(tc__ids_cur *c, unsigned nib, uint32_t *v)
{
	uint64_t x = 0;
	if (nib == 15 && tc_varint_get(&c->p, c->end, &x) != 0)
		return -1;
	if (x > TC_MAX_ID)
		return -1;
	*v = nib + (uint32_t)x;
	return 0;
}

/* Reads the next entry of the walk into buf (TC_MAX_ID bytes holding the previous id);
   NULL or the fault. */
static const char *ids_next(const tc__ids_r *r, tc__ids_cur *c, char *buf)
{
	if (c->j >= c->k || c->p >= c->end)
		return "fewer entries than the block holds";
	unsigned tok = *c->p++;
	uint32_t shared, suffix;
	if (token_part(c, tok >> 4, &shared) != 0 || token_part(c, tok & 15, &suffix) != 0)
		return "bad entry length";
	if (shared > c->len)
		return "shares more than the previous id has";
	if (shared + suffix == 0 || shared + suffix > TC_MAX_ID)
		return "id empty or longer than the limit";
	if (suffix > (size_t)(c->end - c->p))
		return "id runs past its block";
	memcpy(buf + shared, c->p, suffix);
	c->p += suffix;
	c->len = shared + suffix;
	if (c->j < c->run) {
		c->doc = c->doc0 + c->j;
	} else {
		uint64_t z;
		if (tc_varint_get(&c->p, c->end, &z) != 0 || z > 2 * (uint64_t)r->n)
			return "bad doc delta";
		int64_t doc = (int64_t)c->doc + 1 + (int64_t)tc_unzigzag(z);
		if (doc < 0 || doc >= (int64_t)r->n)
			return "doc out of range";
		c->doc = (uint32_t)doc;
	}
	c->j++;
	return NULL;
}

/* Checks header and index: the block bounds the walks trust. */
static int ids_frame(const tc__rfile *f, tc__ids_r *r, uint32_t ndocs, tc_error *err)
{
	size_t clen = (size_t)(f->end - f->p);
	if (clen < 8)
		return tc__corrupt(err, f, f->p, "too short");
	r->n = tc__get_u32(f->p);
	r->per_block = tc__get_u32(f->p + 4);
	if (r->n != ndocs)
		return tc__corrupt(err, f, f->p, "%" PRIu32 " ids for %" PRIu32 " docs", r->n, ndocs);
	if (r->per_block == 0 || r->per_block > IDS_MAX_PER_BLOCK)
		return tc__corrupt(err, f, f->p + 4, "%" PRIu32 " ids per block", r->per_block);
	r->nblocks = r->n / r->per_block + (r->n % r->per_block != 0);
	if (clen - 8 < 4 * (size_t)r->nblocks)
		return tc__corrupt(err, f, f->p, "no room for the index of %" PRIu32 " blocks",
		                   r->nblocks);
	r->index = f->p + 8;
	r->blocks = r->index + 4 * (size_t)r->nblocks;
	r->blocks_len = (uint64_t)(f->end - r->blocks);
	uint32_t prev = 0;
	for (uint32_t b = 0; b < r->nblocks; b++) {
		uint32_t o = tc__get_u32(r->index + 4 * (size_t)b);
		if ((b == 0 && o != 0) || o < prev || o >= r->blocks_len)
			return tc__corrupt(err, f, r->index + 4 * (size_t)b, "block %" PRIu32
			                   " at %" PRIu32 ": out of order or outside the map", b, o);
		prev = o;
	}
	if (r->nblocks == 0 && r->blocks_len != 0)
		return tc__corrupt(err, f, r->blocks, "%" PRIu64 " stray bytes", r->blocks_len);
	return TC_OK;
}

/* Walks every entry once, checking every block and copying each id to the end of the
   heap, where its doc finds it; a doc named twice is damage too. */
static int ids_walk(const tc__rfile *f, tc__ids_r *r, tc_error *err)
{
	char buf[TC_MAX_ID];
	for (uint32_t b = 0; b < r->nblocks; b++) {
		tc__ids_cur c;
		const char *bad = ids_block(r, b, &c);
		while (bad == NULL && c.j < c.k) {
			bad = ids_next(r, &c, buf);
			if (bad == NULL && r->doc_len[c.doc] != 0)
				bad = "doc named twice";
			if (bad == NULL && r->heap.len + c.len > UINT32_MAX)
				bad = "more than 4 GiB of ids";
			if (bad == NULL) {
				r->doc_off[c.doc] = (uint32_t)r->heap.len;
				r->doc_len[c.doc] = (uint16_t)c.len;
				tc_buf_append(&r->heap, buf, c.len);
			}
		}
		if (bad == NULL && c.p != c.end)
			bad = "stray bytes at the end";
		if (bad)
			return tc__corrupt(err, f, c.p, "block %" PRIu32 ", entry %" PRIu32 ": %s", b,
			                   c.j, bad);
	}
	return TC_OK;
}

int tc__ids_open(tc_segment *seg, tc_error *err)
{
	const tc__rfile *f = &seg->f_ids;
	tc__ids_r *r = &seg->ids;
	TC_FORWARD(ids_frame(f, r, seg->ndocs, err));
	r->doc_off = tc_malloc((r->n ? r->n : 1) * sizeof *r->doc_off);
	r->doc_len = tc_calloc(r->n ? r->n : 1, sizeof *r->doc_len);
	/* front coding saves 3 to 5 times on ids like news': room for that at once */
	tc_buf_reserve(&r->heap, (size_t)r->blocks_len * 4);
	int rc = ids_walk(f, r, err);
	if (rc != TC_OK)
		tc__ids_close(seg);
	return rc;
}

void tc__ids_close(tc_segment *seg)
{
	free(seg->ids.doc_off);
	free(seg->ids.doc_len);
	tc_buf_free(&seg->ids.heap);
	seg->ids.doc_off = NULL;
	seg->ids.doc_len = NULL;
}

int tc_seg_doc_id(const tc_segment *seg, uint32_t doc, const char **id, uint32_t *len)
{
	const tc__ids_r *r = &seg->ids;
	if (doc >= r->n || r->doc_len == NULL)
		return TC_ENOENT;
	*id = r->heap.data + r->doc_off[doc];
	*len = r->doc_len[doc];
	return TC_OK;
}

int tc__ids_next(const tc_segment *seg, tc__ids_cur *c, char *buf, tc_error *err)
{
	const tc__ids_r *r = &seg->ids;
	const char *bad = NULL;
	if (c->j == c->k) {  /* its block done, or none begun */
		uint32_t b = c->k ? c->b + 1 : 0;
		if (b >= r->nblocks)
			return TC_ENOENT;
		c->b = b;
		bad = ids_block(r, b, c);
	}
	if (bad == NULL)
		bad = ids_next(r, c, buf);
	if (bad)
		return tc__corrupt(err, &seg->f_ids, c->p, "block %" PRIu32 ", entry %" PRIu32
		                   ": %s", c->b, c->j, bad);
	return TC_OK;
}

int tc_seg_id_lookup(const tc_segment *seg, const char *id, size_t len, uint32_t *doc,
                     tc_error *err)
{
	const tc__ids_r *r = &seg->ids;
	const unsigned char *want = (const unsigned char *)id;
	char buf[TC_MAX_ID];
	tc__ids_cur c;
	const char *bad = NULL;
	uint32_t lo = 0, hi = r->nblocks;
	while (hi - lo > 1 && bad == NULL) {  /* last block whose first id <= id */
		uint32_t mid = lo + (hi - lo) / 2;
		bad = ids_block(r, mid, &c);
		if (bad == NULL)
			bad = ids_next(r, &c, buf);
		if (bad == NULL && idcmp((const unsigned char *)buf, c.len, want, len) <= 0)
			lo = mid;
		else
			hi = mid;
	}
	if (bad == NULL && r->nblocks > 0)
		bad = ids_block(r, lo, &c);
	while (bad == NULL && r->nblocks > 0 && c.j < c.k) {
		bad = ids_next(r, &c, buf);
		int cmp = bad ? 1 : idcmp((const unsigned char *)buf, c.len, want, len);
		if (cmp == 0) {
			*doc = c.doc;
			return TC_OK;
		}
		if (cmp > 0)
			break;
	}
	if (bad)
		return tc__corrupt(err, &seg->f_ids, c.p, "looking up an id: %s", bad);
	return TC_ENOENT;
}
