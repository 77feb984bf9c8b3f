/*
 * termdict.c — the term dictionary of a segment (<seg>.tdx): sorted keys in
 * prefix-compressed blocks, each with its own checksum, and a block index of fixed-size
 * entries that is binary-searched straight from the mmap. Nothing is loaded at open
 * beyond the fixed tail.
 *
 * Grammar (file frame of fileio.c, magic "TCTD"; integers little-endian):
 *
 *   content   := block{nblocks} index keys tail
 *   block     := check:u32 body                    check = low 32 bits of xxHash64(body)
 *   body      := nentries:varint (1..32) entry{nentries}
 *   entry     := shared:varint         bytes shared with the previous key of the block
 *                                      (all they share: lookups rely on it)
 *                                      (0 for the first entry of a block)
 *                suffix_len:varint  suffix:byte[suffix_len]
 *                                      key = previous key[0..shared) + suffix,
 *                                      3..512 bytes, strictly ascending (memcmp order)
 *                                      key := kind:u8 field:u8 term: kind 'f' or 's';
 *                                      an exact form's key is its folded form's key, a
 *                                      0 byte and the exact form (storage.h), right
 *                                      after that key (its base) and its siblings
 *                df:varint  ttf_minus_df:varint  max_tf:varint  min_len:varint
 *                                      (an exact form with the df and ttf of its base:
 *                                      df 0 and nothing more, neither refs; the rest
 *                                      is its base's)
 *                doc_ref:varint        where the term's postings start in .pst:
 *                                      even: its own, written here; offset = base +
 *                                      doc_ref / 2, and base becomes the offset
 *                                      odd: shared, the same bytes as an earlier term's
 *                                      (postings.c); offset = base +
 *                                      unzigzag(doc_ref >> 1), base unchanged
 *                                      base: the offset of the block's last entry with
 *                                      its own postings, 0 before the first
 *                pos_ref:varint        likewise in .pos, with a base of its own (only
 *                                      for keys with positions: all but exact forms)
 *   index     := ientry{nblocks}       ientry := block_off:u64 key_off:u32 key_len:u32
 *                                      block_off: offset of the block in the file;
 *                                      key_off/key_len: its first key within keys
 *   keys      := byte[keys_len]        the first key of every block, concatenated
 *   tail      := nterms:u64 nblocks:u64 index_off:u64 keys_off:u64 keys_len:u64
 *                terms_by_kind:u64[3] pst_bytes_by_kind:u64[3] pos_bytes_by_kind:u64[3]
 *                                      kinds in the order 'f', 's', 'e'; statistics
 *
 * A block ends at the next block (or at the index). Lookup: binary search of the index
 * for the last block whose first key is <= the key, then a scan of at most 32 entries.
 * An exact form's entry comes with its base's statistics and offsets (tc_term_info.base):
 * the scan passes the base when it is in the same block, else it is looked up too.
 */
#include "storage_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/mem.h"

#define DICT_BLOCK_TERMS 32
#define DICT_TAIL (14 * 8)
#define IENTRY 16

int tc__kind_index(unsigned char kind)
{
	return kind == TC_KIND_FOLDED ? 0 : kind == TC_KIND_STEM ? 1 : kind == TC_KIND_EXACT ? 2 : -1;
}

int tc__key_kind_index(const unsigned char *key, size_t len)
{
	return tc_key_is_exact(key, len) ? 2 : tc__kind_index(key[0]);
}

/* ---------------------------------------------------------------------------------- */
/* Writer                                                                             */
/* ---------------------------------------------------------------------------------- */

int tc__dw_open(tc__dw *w, const char *dir, uint64_t seg_id, tc_error *err)
{
	memset(w, 0, sizeof *w);
	w->f.fd = -1;
	char name[TC_NAME_MAX];
	tc__seg_file_name(name, seg_id, "tdx");
	return tc__wfile_open(&w->f, dir, name, TC_MAGIC_DICT, err);
}

static void dw_flush_block(tc__dw *w)
{
	if (w->nentries == 0)
		return;
	w->tmp.len = 0;
	tc_buf_put_varint(&w->tmp, w->nentries);
	tc_buf_append(&w->tmp, w->block.data, w->block.len);
	tc_buf_put_u64le(&w->index, w->f.off);
	tc_buf_put_u32le(&w->index, (uint32_t)w->keys.len);
	tc_buf_put_u32le(&w->index, (uint32_t)w->first_key.len);
	tc_buf_append(&w->keys, w->first_key.data, w->first_key.len);
	tc__wfile_u32(&w->f, (uint32_t)tc_hash64(w->tmp.data, w->tmp.len));
	tc__wfile_put(&w->f, w->tmp.data, w->tmp.len);
	w->nblocks++;
	w->nentries = 0;
	w->block.len = 0;
}

/* Appends the reference to a list at off (shared: written for an earlier term). */
static void put_ref(tc_buf *b, uint64_t off, int shared, uint64_t *base)
{
	if (!shared) {
		tc_buf_put_varint(b, (off - *base) << 1);
		*base = off;
	} else {  /* off - base is negative when the list lies before the base */
		tc_buf_put_varint(b, tc_zigzag(off - *base) << 1 | 1);
	}
}

/* An entry's statistics after df, and its references. */
static void put_stats(tc_buf *b, tc__dw *w, const tc_term_info *ti)
{
	tc_buf_put_varint(b, ti->ttf - ti->df);
	tc_buf_put_varint(b, ti->max_tf);
	tc_buf_put_varint(b, ti->min_len);
	put_ref(b, ti->doc_off, ti->shared & TC_SHARED_DOCS, &w->prev_doc_off);
	if (ti->has_pos)
		put_ref(b, ti->pos_off, ti->shared & TC_SHARED_POS, &w->prev_pos_off);
}

void tc__dw_add(tc__dw *w, const void *key, size_t len, const tc_term_info *ti,
                uint64_t pst_bytes, uint64_t pos_bytes)
{
	const unsigned char *k = key;
	size_t shared = 0;
	if (w->nentries == 0) {
		w->first_key.len = 0;
		tc_buf_append(&w->first_key, k, len);
		w->prev_doc_off = 0;
		w->prev_pos_off = 0;
	} else {
		size_t m = len < w->prev_key.len ? len : w->prev_key.len;
		while (shared < m && (unsigned char)w->prev_key.data[shared] == k[shared])
			shared++;
	}
	tc_buf *b = &w->block;
	tc_buf_put_varint(b, shared);
	tc_buf_put_varint(b, len - shared);
	tc_buf_append(b, k + shared, len - shared);
	if (tc_term_exact_everywhere(ti)) {
		tc_buf_put_varint(b, 0);  /* the rest is its base's */
	} else {
		tc_buf_put_varint(b, ti->df);
		put_stats(b, w, ti);
	}
	w->prev_key.len = 0;
	tc_buf_append(&w->prev_key, k, len);
	w->nterms++;
	int kind = tc__key_kind_index(k, len);
	if (kind >= 0) {
		w->kind_terms[kind]++;
		w->kind_pst[kind] += pst_bytes;
		w->kind_pos[kind] += pos_bytes;
	}
	if (++w->nentries == DICT_BLOCK_TERMS)
		dw_flush_block(w);
}

int tc__dw_close(tc__dw *w, tc_error *err)
{
	dw_flush_block(w);
	uint64_t index_off = w->f.off;
	tc__wfile_put(&w->f, w->index.data, w->index.len);
	uint64_t keys_off = w->f.off;
	tc__wfile_put(&w->f, w->keys.data, w->keys.len);
	uint64_t tail[14] = {w->nterms, w->nblocks, index_off, keys_off, w->keys.len};
	for (int i = 0; i < 3; i++) {
		tail[5 + i] = w->kind_terms[i];
		tail[8 + i] = w->kind_pst[i];
		tail[11 + i] = w->kind_pos[i];
	}
	for (int i = 0; i < 14; i++)
		tc__wfile_u64(&w->f, tail[i]);
	int rc = tc__wfile_close(&w->f, err);
	tc__dw_free(w);
	return rc;
}

void tc__dw_free(tc__dw *w)
{
	tc__wfile_abort(&w->f);
	tc_buf_free(&w->block);
	tc_buf_free(&w->tmp);
	tc_buf_free(&w->prev_key);
	tc_buf_free(&w->first_key);
	tc_buf_free(&w->index);
	tc_buf_free(&w->keys);
}

/* ---------------------------------------------------------------------------------- */
/* Reader                                                                             */
/* ---------------------------------------------------------------------------------- */

int tc__dict_open(tc_segment *seg, tc_error *err)
{
	const tc__rfile *f = &seg->f_tdx;
	tc__dict_r *d = &seg->dict;
	size_t clen = (size_t)(f->end - f->p);
	if (clen < DICT_TAIL)
		return tc__corrupt(err, f, f->p, "no room for the tail");
	const unsigned char *t = f->end - DICT_TAIL;
	uint64_t v[14];
	for (int i = 0; i < 14; i++)
		v[i] = tc__get_u64(t + 8 * i);
	uint64_t tail_off = (uint64_t)(t - f->map.data);
	d->nterms = v[0];
	d->nblocks = v[1];
	uint64_t index_off = v[2], keys_off = v[3], keys_len = v[4];
	if (index_off < TC_FILE_HEADER || index_off > tail_off ||
	    d->nblocks > (tail_off - index_off) / IENTRY ||
	    keys_off != index_off + d->nblocks * IENTRY || keys_len != tail_off - keys_off ||
	    d->nterms < d->nblocks || d->nterms > d->nblocks * DICT_BLOCK_TERMS)
		return tc__corrupt(err, f, t, "inconsistent tail (terms %" PRIu64 ", blocks %" PRIu64
		                   ", index at %" PRIu64 ")", d->nterms, d->nblocks, index_off);
	d->index = f->map.data + index_off;
	d->keys = f->map.data + keys_off;
	d->keys_len = keys_len;
	for (int i = 0; i < 3; i++) {
		d->kind_terms[i] = v[5 + i];
		d->kind_pst[i] = v[8 + i];
		d->kind_pos[i] = v[11 + i];
	}
	return TC_OK;
}

/* First key of block i; -1 when the index entry points outside the keys. */
static int block_first_key(const tc_segment *seg, uint64_t i, const unsigned char **k,
                           size_t *len, tc_error *err)
{
	const tc__dict_r *d = &seg->dict;
	const unsigned char *e = d->index + i * IENTRY;
	uint32_t off = tc__get_u32(e + 8), n = tc__get_u32(e + 12);
	if (off > d->keys_len || n > d->keys_len - off || n == 0 || n > TC_MAX_KEY)
		return tc__corrupt(err, &seg->f_tdx, e, "block %" PRIu64 ": first key out of range", i);
	*k = d->keys + off;
	*len = n;
	return TC_OK;
}

static int keycmp(const unsigned char *a, size_t na, const unsigned char *b, size_t nb)
{
	int c = memcmp(a, b, na < nb ? na : nb);
	return c ? c : (na > nb) - (na < nb);
}

/* A position inside a block. */
typedef struct dcursor {
	const tc_segment *seg;
	uint64_t blk;                  /* block number */
	const unsigned char *p, *end;  /* unread entries of the block */
	uint64_t left;                 /* entries not yet read */
	uint64_t doc_off, pos_off;     /* bases of the deltas */
	unsigned char key[TC_MAX_KEY];
	size_t key_len;
	/* the last entry that is not an exact form's, for the exact forms after it */
	unsigned char plain_key[TC_MAX_KEY];
	size_t plain_len;              /* 0: none seen */
	struct tc_term_base plain;
} dcursor;

/* Opens block b: checks its bounds, and its checksum unless the whole file's held at open. */
static int cursor_block(dcursor *c, const tc_segment *seg, uint64_t b, tc_error *err)
{
	const tc__rfile *f = &seg->f_tdx;
	const tc__dict_r *d = &seg->dict;
	uint64_t index_off = (uint64_t)(d->index - f->map.data);
	uint64_t off = tc__get_u64(d->index + b * IENTRY);
	uint64_t end = b + 1 < d->nblocks ? tc__get_u64(d->index + (b + 1) * IENTRY) : index_off;
	if (off < TC_FILE_HEADER || end > index_off || off + 5 > end)
		return tc__corrupt(err, f, d->index + b * IENTRY,
		                   "block %" PRIu64 " has bad bounds %" PRIu64 "..%" PRIu64, b, off, end);
	const unsigned char *s = f->map.data + off, *e = f->map.data + end;
	if (!f->verified && (uint32_t)tc_hash64(s + 4, (size_t)(e - s - 4)) != tc__get_u32(s))
		return tc__corrupt(err, f, s, "block %" PRIu64 ": checksum mismatch", b);
	c->seg = seg;
	c->blk = b;
	c->p = s + 4;
	c->end = e;
	if (tc_varint_get(&c->p, e, &c->left) != 0 || c->left == 0 || c->left > DICT_BLOCK_TERMS)
		return tc__corrupt(err, f, s, "block %" PRIu64 ": bad entry count", b);
	c->doc_off = c->pos_off = 0;
	c->key_len = 0;
	return TC_OK;
}

static void base_of(struct tc_term_base *b, const tc_term_info *ti)
{
	*b = (struct tc_term_base){ti->df, ti->max_tf, ti->min_len, ti->ttf, ti->doc_off,
	                           ti->pos_off, ti->shared};
}

/* Reads the key part of the next entry (c->left > 0): *shared bytes of the previous key,
   then *suffix_len bytes at *suffix. */
static int entry_key(dcursor *c, uint64_t *shared, const unsigned char **suffix,
                     uint64_t *suffix_len, tc_error *err)
{
	const unsigned char *at = c->p;
	if (tc_varint_get(&c->p, c->end, shared) != 0 ||
	    tc_varint_get(&c->p, c->end, suffix_len) != 0 || *shared > c->key_len ||
	    *suffix_len > TC_MAX_KEY - *shared || *suffix_len > (uint64_t)(c->end - c->p) ||
	    *shared + *suffix_len < 1)
		return tc__corrupt(err, &c->seg->f_tdx, at, "bad key in block %" PRIu64, c->blk);
	*suffix = c->p;
	c->p += *suffix_len;
	return TC_OK;
}

/* Resolves a doc_ref/pos_ref against *base (see the grammar); 0 when it leaves the
   range of offsets (damage). */
static int get_ref(uint64_t ref, uint64_t *base, uint64_t *off)
{
	/* base is at most 2^63 - 1: an offset before 0 wraps above 2^63, and so does one
	   past it */
	*off = *base + (ref & 1 ? tc_unzigzag(ref >> 1) : ref >> 1);
	if (*off > UINT64_MAX / 2)
		return 0;
	if (!(ref & 1))
		*base = *off;
	return 1;
}

/* Reads the statistics that follow an entry's key (an exact form's: no positions). */
static int entry_stats(dcursor *c, int exact, tc_term_info *ti, tc_error *err)
{
	const tc__rfile *f = &c->seg->f_tdx;
	const unsigned char *at = c->p;
	uint64_t v[6];
	int has_pos = !exact;
	int nv = has_pos ? 6 : 5;
	if (exact && c->p < c->end && *c->p == 0) {
		/* written everywhere its base is: df 0 alone, the rest is the base's (set_base) */
		c->p++;
		*ti = (tc_term_info){.exact = 1, .shared = TC_SHARED_DOCS};
		c->left--;
		if (c->left == 0 && c->p != c->end)
			return tc__corrupt(err, f, c->p, "stray bytes after block %" PRIu64, c->blk);
		return TC_OK;
	}
	for (int i = 0; i < nv; i++)
		if (tc_varint_get(&c->p, c->end, &v[i]) != 0)
			return tc__corrupt(err, f, at, "truncated entry in block %" PRIu64, c->blk);
	uint64_t df = v[0], ttf = v[0] + v[1];
	ti->shared = 0;
	int ok = get_ref(v[4], &c->doc_off, &ti->doc_off);
	if (v[4] & 1)
		ti->shared |= TC_SHARED_DOCS;
	ti->pos_off = 0;
	if (has_pos) {
		ok &= get_ref(v[5], &c->pos_off, &ti->pos_off);
		if (v[5] & 1)
			ti->shared |= TC_SHARED_POS;
	}
	if (df == 0 || df > c->seg->ndocs || ttf < v[1] || v[2] == 0 || v[2] > UINT32_MAX ||
	    v[3] > UINT32_MAX || !ok)
		return tc__corrupt(err, f, at, "bad term statistics in block %" PRIu64, c->blk);
	ti->df = (uint32_t)df;
	ti->ttf = ttf;
	ti->max_tf = (uint32_t)v[2];
	ti->min_len = (uint32_t)v[3];
	ti->has_pos = (uint8_t)has_pos;
	ti->exact = (uint8_t)exact;
	c->left--;
	if (c->left == 0 && c->p != c->end)
		return tc__corrupt(err, f, c->p, "stray bytes after block %" PRIu64, c->blk);
	return TC_OK;
}

/* Gives an exact form's ti its base, and an exact form written everywhere its base is
   (df 0 in its entry) the base's statistics and postings. */
static void set_base(tc_term_info *ti, const struct tc_term_base *b)
{
	ti->base = *b;
	if (ti->df == 0) {
		ti->df = b->df;
		ti->ttf = b->ttf;
		ti->max_tf = b->max_tf;
		ti->min_len = b->min_len;
		ti->doc_off = b->doc_off;
	}
}

/* Fills ti->base from the lookup of the base key[0..len) of an exact form. */
static int term_base(const tc_segment *seg, const unsigned char *key, size_t len,
                     tc_term_info *ti, tc_error *err)
{
	tc_term_info b;
	int rc = tc_seg_term_lookup(seg, key, len, &b, err);
	if (rc == TC_ENOENT || (rc == TC_OK && b.exact))
		return tc__corrupt(err, &seg->f_tdx, NULL, "an exact form's key without its base");
	TC_FORWARD(rc);
	struct tc_term_base base;
	base_of(&base, &b);
	set_base(ti, &base);
	return TC_OK;
}

/* Reads the next entry of the block (c->left > 0), its key into c->key. */
static int cursor_entry(dcursor *c, tc_term_info *ti, tc_error *err)
{
	uint64_t shared, slen;
	const unsigned char *suffix;
	TC_FORWARD(entry_key(c, &shared, &suffix, &slen, err));
	/* shared is the longest common prefix (lookups rely on it) */
	if (shared < c->key_len && slen > 0 && suffix[0] == c->key[shared])
		return tc__corrupt(err, &c->seg->f_tdx, suffix, "key in block %" PRIu64
		                   " shares more than it says", c->blk);
	memcpy(c->key + shared, suffix, slen);
	c->key_len = shared + slen;
	size_t base_len = tc_key_base_len(c->key, c->key_len);
	TC_FORWARD(entry_stats(c, base_len != 0, ti, err));
	if (base_len == 0) {
		memcpy(c->plain_key, c->key, c->key_len);
		c->plain_len = c->key_len;
		base_of(&c->plain, ti);
		return TC_OK;
	}
	if (c->plain_len == base_len && memcmp(c->plain_key, c->key, base_len) == 0) {
		set_base(ti, &c->plain);
		return TC_OK;
	}
	return term_base(c->seg, c->key, base_len, ti, err);
}

/* *out = last block whose first key <= key, or -1 when key sorts before every block. */
static int find_block(const tc_segment *seg, const unsigned char *key, size_t len,
                      int64_t *out, tc_error *err)
{
	int64_t lo = 0, hi = (int64_t)seg->dict.nblocks - 1;
	*out = -1;
	while (lo <= hi) {
		int64_t mid = lo + (hi - lo) / 2;
		const unsigned char *k = NULL;
		size_t n = 0;
		TC_FORWARD(block_first_key(seg, (uint64_t)mid, &k, &n, err));
		if (keycmp(k, n, key, len) <= 0) {
			*out = mid;
			lo = mid + 1;
		} else {
			hi = mid - 1;
		}
	}
	return TC_OK;
}

int tc_seg_term_lookup(const tc_segment *seg, const void *key, size_t len,
                       tc_term_info *info, tc_error *err)
{
	if (len == 0 || len > TC_MAX_KEY)
		return TC_ENOENT;
	int64_t b;
	TC_FORWARD(find_block(seg, key, len, &b, err));
	if (b < 0)
		return TC_ENOENT;
	dcursor c;
	TC_FORWARD(cursor_block(&c, seg, (uint64_t)b, err));
	/*
	 * The keys ascend, each sharing `shared` bytes with the one before; `match` is how
	 * many bytes the previous key shares with the one sought (which is greater). A key
	 * sharing less than `match` with its predecessor is greater than the one sought (its
	 * next byte exceeds the predecessor's, which equals the sought key's): not there. A
	 * key sharing more is still smaller. Only when the two are equal are bytes compared,
	 * and keys are never assembled.
	 */
	const unsigned char *k = key;
	unsigned char kind = 0;
	uint64_t match = 0;
	int64_t nul = -1;           /* where the entry's key has its first 0 past the field */
	c.plain_len = 0;            /* the last non-exact entry of the block, in c.plain */
	while (c.left > 0) {
		uint64_t shared, slen;
		const unsigned char *suffix;
		TC_FORWARD(entry_key(&c, &shared, &suffix, &slen, err));
		c.key_len = shared + slen;
		if (shared == 0)
			kind = suffix[0];
		if (nul < 0 || (uint64_t)nul >= shared) {
			nul = -1;
			for (uint64_t j = shared < 2 ? 2 - shared : 0; j < slen; j++)
				if (suffix[j] == 0) {
					nul = (int64_t)(shared + j);
					break;
				}
		}
		int exact = kind == TC_KIND_FOLDED && nul >= 0;
		tc_term_info ti;
		TC_FORWARD(entry_stats(&c, exact, &ti, err));
		if (!exact) {
			base_of(&c.plain, &ti);
			c.plain_len = c.key_len;
		}
		if (shared < match)
			return TC_ENOENT;
		if (shared > match)
			continue;
		uint64_t n = 0;
		while (n < slen && match + n < len && suffix[n] == k[match + n])
			n++;
		match += n;
		if (n == slen && match == len) {
			*info = ti;
			/* the entries between an exact form and its base are its base's other
			   exact forms: the last plain one is its base, when in this block */
			if (exact && c.plain_len == (size_t)nul)
				set_base(info, &c.plain);
			else if (exact)
				return term_base(seg, k, (size_t)nul, info, err);
			return TC_OK;
		}
		if (match == len || (n < slen && suffix[n] > k[match]))
			return TC_ENOENT;  /* the sought key is a prefix of this one, or smaller */
	}
	return TC_ENOENT;
}

struct tc_termit {
	dcursor c;
	unsigned char prefix[TC_MAX_KEY];
	size_t prefix_len;
	int done;
};

int tc_termit_open(const tc_segment *seg, const void *prefix, size_t len, tc_termit **out,
                   tc_error *err)
{
	*out = NULL;
	TC_RETURN_IF(len > TC_MAX_KEY, err, TC_EINVAL, "prefix longer than %d bytes", TC_MAX_KEY);
	tc_termit *it = tc_calloc(1, sizeof *it);
	memcpy(it->prefix, prefix, len);
	it->prefix_len = len;
	int64_t b = 0;
	int rc = len ? find_block(seg, prefix, len, &b, err) : TC_OK;
	if (rc != TC_OK) {
		free(it);
		return rc;
	}
	if (b < 0)
		b = 0;
	if (seg->dict.nblocks == 0) {
		it->done = 1;
	} else {
		rc = cursor_block(&it->c, seg, (uint64_t)b, err);
		if (rc != TC_OK) {
			free(it);
			return rc;
		}
	}
	*out = it;
	return TC_OK;
}

int tc_termit_next(tc_termit *it, const unsigned char **key, size_t *len, tc_term_info *info,
                   tc_error *err)
{
	while (!it->done) {
		if (it->c.left == 0) {
			if (it->c.blk + 1 >= it->c.seg->dict.nblocks) {
				it->done = 1;
				break;
			}
			int rc = cursor_block(&it->c, it->c.seg, it->c.blk + 1, err);
			if (rc != TC_OK) {
				it->done = 1;
				return rc;
			}
		}
		int rc = cursor_entry(&it->c, info, err);
		if (rc != TC_OK) {
			it->done = 1;
			return rc;
		}
		/* compare the key's first prefix_len bytes: a shorter key that is a prefix of
		   the prefix compares below it, as it sorts */
		size_t n = it->c.key_len < it->prefix_len ? it->c.key_len : it->prefix_len;
		int cmp = keycmp(it->c.key, n, it->prefix, it->prefix_len);
		if (cmp < 0)
			continue;  /* before the prefix, in its first block */
		if (cmp > 0) {
			it->done = 1;
			break;
		}
		*key = it->c.key;
		*len = it->c.key_len;
		return 1;
	}
	return 0;
}

void tc_termit_free(tc_termit *it)
{
	free(it);
}
