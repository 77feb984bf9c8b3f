/*
 * membuf.c — term hash and slice pool of the segment being built (see membuf.h).
 *
 * Pool addresses are 32-bit byte offsets (block number * BLOCK + offset), so a membuf
 * holds at most 4 GB; the indexer flushes long before. The pool holds the term keys and
 * the posting lists; the term records sit in fixed chunks. Nothing grows by doubling but
 * the hash table, so memory rises in small steps and the flush point is not overshot.
 * A slice never spans two blocks. Layout of one posting list in memory:
 *
 *   slice 0 (8 bytes):  4 data bytes | 4-byte address of slice 1 (once it exists)
 *   slice 1 (16 bytes): 12 data bytes | address of slice 2
 *   ...                 sizes double up to SLICE_MAX, then stay there
 *
 *   data = per doc: varint doc delta (the first doc: the doc id itself)
 *                   varint freq
 *                   keys with positions: freq varints, position deltas (the first:
 *                   the position itself)
 */
#include "membuf.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/mem.h"
#include "storage/storage.h"

#define BLOCK ((uint32_t)256 << 10)
#define MAX_BLOCKS ((size_t)UINT32_MAX / BLOCK)
#define LINK 4
#define NLEVELS 10
#define PREFETCH_AHEAD 8
#define TERMS_PER_CHUNK 8192   /* terms live in fixed chunks: growth never copies or doubles */

static const uint32_t slice_size[NLEVELS] = {8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096};

typedef struct mterm {
	uint32_t key;        /* pool address of the key bytes */
	uint32_t hash;       /* of the key, to skip most memcmps */
	uint32_t head;       /* pool address of the first slice */
	uint32_t wr;         /* pool address of the next byte to write */
	uint32_t df;         /* docs in the list */
	uint32_t last_doc;   /* the last doc added */
	uint16_t key_len;
	uint16_t left;       /* data bytes left in the current slice */
	uint8_t level;       /* size class of the current slice */
	uint8_t has_pos;     /* postings carry positions */
} mterm;

struct tc_ix_membuf {
	unsigned char **blocks;   /* the pool */
	size_t nblocks, cap_blocks;
	uint32_t blk_used;        /* bytes used in the last block */
	mterm **chunks;           /* terms in order of first appearance, TERMS_PER_CHUNK each */
	size_t nterms, nchunks, cap_chunks;
	uint32_t *table;          /* open addressing: term index + 1, 0 = empty */
	size_t table_cap;         /* power of two, at least twice nterms */
	uint32_t *order;          /* term indices in key order, after sort */
	size_t cap_order;
	uint64_t posting_bytes;
};

tc_ix_membuf *tc_ix_membuf_new(void)
{
	return tc_calloc(1, sizeof(tc_ix_membuf));
}

void tc_ix_membuf_reset(tc_ix_membuf *m)
{
	for (size_t i = 0; i < m->nblocks; i++)
		free(m->blocks[i]);
	free(m->blocks);
	for (size_t i = 0; i < m->nchunks; i++)
		free(m->chunks[i]);
	free(m->chunks);
	free(m->table);
	free(m->order);
	memset(m, 0, sizeof *m);
}

void tc_ix_membuf_free(tc_ix_membuf *m)
{
	if (!m)
		return;
	tc_ix_membuf_reset(m);
	free(m);
}

size_t tc_ix_membuf_mem(const tc_ix_membuf *m)
{
	return m->nblocks * (size_t)BLOCK + m->cap_blocks * sizeof *m->blocks +
	       m->nchunks * TERMS_PER_CHUNK * sizeof(mterm) + m->cap_chunks * sizeof *m->chunks +
	       m->table_cap * sizeof *m->table + m->cap_order * sizeof *m->order;
}

size_t tc_ix_membuf_nterms(const tc_ix_membuf *m)
{
	return m->nterms;
}

uint64_t tc_ix_membuf_posting_bytes(const tc_ix_membuf *m)
{
	return m->posting_bytes;
}

static inline mterm *term_at(const tc_ix_membuf *m, size_t i)
{
	return &m->chunks[i / TERMS_PER_CHUNK][i % TERMS_PER_CHUNK];
}

/* ---- the pool ---------------------------------------------------------------------- */

static inline unsigned char *at(const tc_ix_membuf *m, uint32_t addr)
{
	return m->blocks[addr / BLOCK] + addr % BLOCK;
}

static uint32_t alloc_slice(tc_ix_membuf *m, uint32_t size)
{
	if (m->nblocks == 0 || m->blk_used + size > BLOCK) {
		if (m->nblocks == MAX_BLOCKS) {
			/* the indexer flushes far below this; reaching it is a bug */
			fprintf(stderr, "tracuu: in-memory index above 4 GB\n");
			abort();
		}
		m->blocks = tc_grow(m->blocks, &m->cap_blocks, m->nblocks + 1, sizeof *m->blocks);
		m->blocks[m->nblocks++] = tc_malloc(BLOCK);
		m->blk_used = 0;
	}
	uint32_t addr = (uint32_t)(m->nblocks - 1) * BLOCK + m->blk_used;
	m->blk_used += size;
	return addr;
}

static void write_bytes(tc_ix_membuf *m, mterm *t, const unsigned char *p, size_t n)
{
	m->posting_bytes += n;
	while (n > 0) {
		if (t->left == 0) {
			uint8_t level = t->level + 1 < NLEVELS ? t->level + 1 : NLEVELS - 1;
			uint32_t next = alloc_slice(m, slice_size[level]);
			unsigned char *link = at(m, t->wr);
			link[0] = (unsigned char)next;
			link[1] = (unsigned char)(next >> 8);
			link[2] = (unsigned char)(next >> 16);
			link[3] = (unsigned char)(next >> 24);
			t->wr = next;
			t->level = level;
			t->left = (uint16_t)(slice_size[level] - LINK);
		}
		size_t k = n < t->left ? n : t->left;
		memcpy(at(m, t->wr), p, k);
		t->wr += (uint32_t)k;
		t->left = (uint16_t)(t->left - k);
		p += k;
		n -= k;
	}
}

/* ---- the term table ------------------------------------------------------------------ */

static void table_insert(tc_ix_membuf *m, uint32_t ti)
{
	size_t mask = m->table_cap - 1;
	size_t i = term_at(m, ti)->hash & mask;
	while (m->table[i])
		i = (i + 1) & mask;
	m->table[i] = ti + 1;
}

static void table_grow(tc_ix_membuf *m)
{
	free(m->table);
	m->table_cap = m->table_cap ? m->table_cap * 2 : 1024;
	m->table = tc_calloc(m->table_cap, sizeof *m->table);
	for (size_t i = 0; i < m->nterms; i++)
		table_insert(m, (uint32_t)i);
}

/* The hash of a key from its term's hash (doc.h) and its field byte. */
static inline uint32_t key_hash(uint32_t term_hash, unsigned char field)
{
	return term_hash ^ (field * 0x9e3779b1u);
}

/* The term of key (hash h), created when new. */
static mterm *term_get(tc_ix_membuf *m, const unsigned char *key, size_t len, uint32_t h)
{
	if (m->table_cap) {
		size_t mask = m->table_cap - 1;
		for (size_t i = h & mask; m->table[i]; i = (i + 1) & mask) {
			mterm *t = term_at(m, m->table[i] - 1);
			if (t->hash == h && t->key_len == len && memcmp(at(m, t->key), key, len) == 0)
				return t;
		}
	}
	if ((m->nterms + 1) * 2 > m->table_cap)
		table_grow(m);
	if (m->nterms == m->nchunks * TERMS_PER_CHUNK) {
		m->chunks = tc_grow(m->chunks, &m->cap_chunks, m->nchunks + 1, sizeof *m->chunks);
		m->chunks[m->nchunks++] = tc_malloc(TERMS_PER_CHUNK * sizeof(mterm));
	}
	mterm *t = term_at(m, m->nterms);
	memset(t, 0, sizeof *t);
	t->key = alloc_slice(m, (uint32_t)len);
	memcpy(at(m, t->key), key, len);
	t->key_len = (uint16_t)len;
	t->hash = h;
	t->has_pos = (uint8_t)tc_key_has_positions(key, len);
	t->head = t->wr = alloc_slice(m, slice_size[0]);
	t->left = (uint16_t)(slice_size[0] - LINK);
	table_insert(m, (uint32_t)m->nterms);
	m->nterms++;
	return t;
}

static void add_posting(tc_ix_membuf *m, mterm *t, uint32_t doc, uint32_t freq,
                        const uint32_t *pos)
{
	assert(t->df == 0 || doc > t->last_doc);
	unsigned char buf[256];
	size_t n = tc_varint_put(buf, t->df ? doc - t->last_doc : doc);
	n += tc_varint_put(buf + n, freq);
	if (t->has_pos) {
		uint32_t prev = 0;
		for (uint32_t i = 0; i < freq; i++) {
			if (n > sizeof buf - 5) {
				write_bytes(m, t, buf, n);
				n = 0;
			}
			n += tc_varint_put(buf + n, pos[i] - prev);
			prev = pos[i];
		}
	}
	write_bytes(m, t, buf, n);
	t->df++;
	t->last_doc = doc;
}

void tc_ix_membuf_add(tc_ix_membuf *m, const void *key, size_t len, uint32_t doc,
                      uint32_t freq, const uint32_t *pos)
{
	const unsigned char *k = key;
	/* the term hash the worker gives (doc.h): an exact form's over the exact form alone */
	size_t base = tc_key_base_len(k, len);
	uint32_t th = base ? tc_ix_term_hash(TC_KIND_EXACT, k + base + 1, len - base - 1)
	                   : tc_ix_term_hash((char)k[0], k + 2, len - 2);
	uint32_t h = key_hash(th, k[1]);
	add_posting(m, term_get(m, key, len, h), doc, freq, pos);
}

void tc_ix_membuf_add_field(tc_ix_membuf *m, uint32_t doc, uint8_t fid, const tc_ix_doc *d,
                            const tc_ix_field *f)
{
	unsigned char key[TC_MAX_KEY];
	key[1] = fid;
	uint32_t end = f->term0 + f->nterms;
	for (uint32_t i = f->term0; i < end; i++) {
		const tc_ix_term *t = &d->terms[i];
#if defined(__GNUC__)
		/*
		 * The table is far bigger than the caches and terms hit it at random: ask for
		 * the slot of a term a few places ahead while this one is looked up.
		 */
		if (i + PREFETCH_AHEAD < end && m->table_cap)
			__builtin_prefetch(&m->table[key_hash(d->terms[i + PREFETCH_AHEAD].hash, fid) &
			                             (m->table_cap - 1)]);
#endif
		if ((size_t)t->len + 2 > sizeof key)
			continue; /* cannot happen: tokens are at most TC_TOKEN_MAX_BYTES */
		/* exact forms are filed under their folded form (storage.h) */
		key[0] = (unsigned char)(t->kind == TC_KIND_EXACT ? TC_KIND_FOLDED : t->kind);
		memcpy(key + 2, d->arena.data + t->term, t->len);
		const uint32_t *pos = t->kind == TC_KIND_EXACT ? NULL : d->pos + t->pos;
		add_posting(m, term_get(m, key, (size_t)t->len + 2, key_hash(t->hash, fid)), doc,
		            t->freq, pos);
	}
}

/* ---- sorted output -------------------------------------------------------------------- */

/*
 * Sorting compares keys that sit at random in the pool. Each term's first 8 key bytes
 * (big-endian, zero-padded) are gathered once into one array: two different prefixes
 * order their keys as memcmp-then-length does (a zero pad byte only differs from a real
 * byte that is not zero, and then the shorter key is first either way), so only equal
 * prefixes need the keys themselves. qsort has no context argument; one sort at a time
 * runs per thread.
 */
static _Thread_local const tc_ix_membuf *sorting;
static _Thread_local const uint64_t *sort_prefix;

static int key_cmp(const void *pa, const void *pb)
{
	uint32_t ia = *(const uint32_t *)pa, ib = *(const uint32_t *)pb;
	uint64_t xa = sort_prefix[ia], xb = sort_prefix[ib];
	if (xa != xb)
		return xa < xb ? -1 : 1;
	const mterm *a = term_at(sorting, ia);
	const mterm *b = term_at(sorting, ib);
	size_t n = a->key_len < b->key_len ? a->key_len : b->key_len;
	int c = memcmp(at(sorting, a->key), at(sorting, b->key), n);
	if (c)
		return c;
	return (a->key_len > b->key_len) - (a->key_len < b->key_len);
}

static uint64_t key_prefix(const unsigned char *k, size_t len)
{
	uint64_t v = 0;
	for (size_t i = 0; i < 8; i++)
		v = v << 8 | (i < len ? k[i] : 0);
	return v;
}

void tc_ix_membuf_sort(tc_ix_membuf *m)
{
	if (m->nterms == 0)
		return;
	m->order = tc_grow(m->order, &m->cap_order, m->nterms, sizeof *m->order);
	uint64_t *prefix = tc_malloc(m->nterms * sizeof *prefix);
	for (size_t i = 0; i < m->nterms; i++) {
		const mterm *t = term_at(m, i);
		m->order[i] = (uint32_t)i;
		prefix[i] = key_prefix(at(m, t->key), t->key_len);
	}
	sorting = m;
	sort_prefix = prefix;
	qsort(m->order, m->nterms, sizeof *m->order, key_cmp);
	sorting = NULL;
	sort_prefix = NULL;
	free(prefix);
}

const unsigned char *tc_ix_membuf_key(const tc_ix_membuf *m, size_t i, size_t *len)
{
	const mterm *t = term_at(m, m->order[i]);
	*len = t->key_len;
	return at(m, t->key);
}

uint32_t tc_ix_membuf_df(const tc_ix_membuf *m, size_t i)
{
	return term_at(m, m->order[i])->df;
}

void tc_ix_plist_open(tc_ix_plist *r, const tc_ix_membuf *m, size_t i)
{
	const mterm *t = term_at(m, m->order[i]);
	r->m = m;
	r->p = at(m, t->head);
	r->left = slice_size[0] - LINK;
	r->level = 0;
	r->has_pos = t->has_pos;
	r->remaining = t->df;
	r->doc = 0;
}

/* At the end of a slice's data: r->p is at its link; go on in the next slice. */
static void next_slice(tc_ix_plist *r)
{
	const unsigned char *link = r->p;
	uint32_t addr = (uint32_t)link[0] | (uint32_t)link[1] << 8 | (uint32_t)link[2] << 16 |
	                (uint32_t)link[3] << 24;
	if (r->level + 1 < NLEVELS)
		r->level++;
	r->p = at(r->m, addr);
	r->left = slice_size[r->level] - LINK;
}

static inline uint32_t read_varint(tc_ix_plist *r)
{
	const unsigned char *p = r->p;
	if (r->left >= 5) {
		/* the whole varint (at most 5 bytes) is in this slice: no boundary checks */
		uint32_t v = p[0] & 0x7f;
		uint32_t n = 1;
		while (p[n - 1] & 0x80) {
			v |= (uint32_t)(p[n] & 0x7f) << (7 * n);
			n++;
		}
		r->p = p + n;
		r->left -= n;
		return v;
	}
	uint32_t v = 0;
	for (unsigned shift = 0;; shift += 7) {
		if (r->left == 0)
			next_slice(r);
		r->left--;
		unsigned char b = *r->p++;
		v |= (uint32_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return v;
	}
}

int tc_ix_plist_next(tc_ix_plist *r, uint32_t *doc, uint32_t *freq, const uint32_t **pos)
{
	if (r->remaining == 0)
		return 0;
	r->remaining--;
	/* the first delta is from 0, so one running sum serves every doc */
	r->doc += read_varint(r);
	*doc = r->doc;
	*freq = read_varint(r);
	*pos = NULL;
	if (r->has_pos) {
		r->pos = tc_grow(r->pos, &r->cap_pos, *freq, sizeof *r->pos);
		uint32_t p = 0;
		for (uint32_t i = 0; i < *freq; i++)
			r->pos[i] = p += read_varint(r);
		*pos = r->pos;
	}
	return 1;
}

void tc_ix_plist_free(tc_ix_plist *r)
{
	free(r->pos);
	r->pos = NULL;
	r->cap_pos = 0;
}
