/*
 * membuf.h — the in-memory inverted index of the segment being built.
 *
 * Term keys (kind byte, field byte, term bytes: the key format of storage.h) map to
 * posting lists that grow as documents arrive. Memory is the point of this module: a
 * segment holds hundreds of thousands of terms, most with one or two postings, so lists
 * are not separate allocations but chains of slices in a pool of large blocks (as
 * Lucene's ByteBlockPool): a list starts in an 8-byte slice, and each full slice links
 * to one twice its size, up to 4 KB. Postings are varints: doc delta, freq and, for keys
 * with positions, the position deltas. tc_ix_membuf_mem() counts every byte allocated,
 * so the indexer can flush at a fixed budget, and the count depends only on what was
 * added (the same documents give the same flush points whatever the thread count).
 *
 * Writing out: tc_ix_membuf_sort() orders the terms by key; then for i in 0..nterms,
 * tc_ix_membuf_key(i) and a tc_ix_plist reader give the term's docs, freqs and positions.
 *
 * Memory: the membuf owns everything; keys and positions handed out are valid until the
 * next add, sort or reset. One thread.
 */
#ifndef TC_IX_MEMBUF_H
#define TC_IX_MEMBUF_H

#include <stddef.h>
#include <stdint.h>

#include "doc.h"

typedef struct tc_ix_membuf tc_ix_membuf;

tc_ix_membuf *tc_ix_membuf_new(void);
/* Accepts NULL. */
void tc_ix_membuf_free(tc_ix_membuf *m);

/*
 * Adds the terms of field f of d, as field id fid of local doc `doc`. Docs must come in
 * ascending order (one doc may add several fields; each (key, doc) at most once, which
 * holds since a field id appears once per doc).
 */
void tc_ix_membuf_add_field(tc_ix_membuf *m, uint32_t doc, uint8_t fid, const tc_ix_doc *d,
                            const tc_ix_field *f);

/*
 * Adds one posting of key directly (doc ascending for this key; pos[0..freq) ascending,
 * NULL for keys without positions; key is at least 2 bytes: kind, field, term). For tests
 * and for callers that build keys themselves.
 */
void tc_ix_membuf_add(tc_ix_membuf *m, const void *key, size_t len, uint32_t doc,
                      uint32_t freq, const uint32_t *pos);

/* Heap bytes held (pool, term table, hash, keys). */
size_t tc_ix_membuf_mem(const tc_ix_membuf *m);
size_t tc_ix_membuf_nterms(const tc_ix_membuf *m);
/* Bytes of encoded postings (for statistics). */
uint64_t tc_ix_membuf_posting_bytes(const tc_ix_membuf *m);

/* Orders the terms by key (memcmp, shorter first on a tie). Adds after this are allowed
 * but undo the order. */
void tc_ix_membuf_sort(tc_ix_membuf *m);

/* Key of the i-th term in sorted order (after tc_ix_membuf_sort). */
const unsigned char *tc_ix_membuf_key(const tc_ix_membuf *m, size_t i, size_t *len);
/* Number of docs in the i-th term's list. */
uint32_t tc_ix_membuf_df(const tc_ix_membuf *m, size_t i);

/* Reader of one posting list. Zero-initialise; tc_ix_plist_free() at the end. */
typedef struct tc_ix_plist {
	const tc_ix_membuf *m;   /* private below */
	const unsigned char *p;  /* next byte to read */
	uint32_t left;           /* data bytes left in its slice */
	uint8_t level, has_pos;
	uint32_t remaining, doc;
	uint32_t *pos;
	size_t cap_pos;
} tc_ix_plist;

/* Starts reading the i-th term (sorted order). */
void tc_ix_plist_open(tc_ix_plist *r, const tc_ix_membuf *m, size_t i);
/*
 * Next posting: returns 1 with doc, freq and (for keys with positions) pos[0..freq),
 * owned by r and valid until the next call; 0 after the last one.
 */
int tc_ix_plist_next(tc_ix_plist *r, uint32_t *doc, uint32_t *freq, const uint32_t **pos);
void tc_ix_plist_free(tc_ix_plist *r);

/* Forgets every term and returns the memory (the next segment starts from nothing). */
void tc_ix_membuf_reset(tc_ix_membuf *m);

#endif
