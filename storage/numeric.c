/*
 * numeric.c — the numeric index of a segment (<seg>.num): every quantity mention as
 * (unit key, value, doc, field, position), grouped by unit key and sorted by value, so
 * a range is two binary searches; and the unit vocabulary with entry counts.
 *
 * Grammar (file frame of fileio.c, magic "TCNM"; little-endian):
 *
 *   content   := n:u64 nunits:u32 heap_len:u32
 *                unit{nunits} heap:byte[heap_len]
 *                value:f64[n] doc:u32[n] pos:u32[n] field:u8[n]     (columns)
 *   unit      := key_off:u32 key_len:u32 first:u64 count:u64
 *                its key is heap[key_off .. key_off + key_len) (1..255 bytes); units are
 *                strictly ascending by key (memcmp order, shorter first on a tie); its
 *                entries are [first, first + count), count >= 1, the units' ranges
 *                following each other from 0 to n
 *   entries   := within a unit ascending by (value, doc, field, pos); values finite,
 *                -0 stored as +0; doc < the segment's doc count
 *
 * Fixed-width columns cost 17 bytes an entry but let a range be found straight from the
 * mmap; mentions are a small part of an index (see FORMAT.md for sizes).
 */
#include "storage_int.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/mem.h"

#define NUM_HEAD 16
#define NUM_UNIT 24
#define NUM_ENTRY 17

/* ---------------------------------------------------------------------------------- */
/* Writer: entries collected in memory, sorted and written at the end                 */
/* ---------------------------------------------------------------------------------- */

static uint64_t hash_bytes(const void *p, size_t n)
{
	return tc_hash64(p, n);
}

static const unsigned char *unit_key(const tc__numw *w, uint32_t u, uint32_t *len)
{
	*len = w->unit_off[u + 1] - w->unit_off[u];
	return (const unsigned char *)w->heap.data + w->unit_off[u];
}

/* Unit id of key, added when new. */
static uint32_t intern(tc__numw *w, const char *key, size_t len)
{
	if (2 * (w->nunits + 1) > w->nslots) {
		size_t ns = w->nslots ? w->nslots * 2 : 64;
		uint32_t *slots = tc_malloc(ns * sizeof *slots);
		memset(slots, 0xff, ns * sizeof *slots);
		for (uint32_t u = 0; u < w->nunits; u++) {
			uint32_t n;
			const unsigned char *k = unit_key(w, u, &n);
			size_t h = hash_bytes(k, n) & (ns - 1);
			while (slots[h] != UINT32_MAX)
				h = (h + 1) & (ns - 1);
			slots[h] = u;
		}
		free(w->slots);
		w->slots = slots;
		w->nslots = ns;
	}
	size_t h = hash_bytes(key, len) & (w->nslots - 1);
	for (; w->slots[h] != UINT32_MAX; h = (h + 1) & (w->nslots - 1)) {
		uint32_t n;
		const unsigned char *k = unit_key(w, w->slots[h], &n);
		if (n == len && memcmp(k, key, len) == 0)
			return w->slots[h];
	}
	uint32_t u = w->nunits++;
	w->slots[h] = u;
	tc_buf_append(&w->heap, key, len);
	w->unit_off = tc_grow(w->unit_off, &w->unit_off_cap, w->nunits + 1, sizeof *w->unit_off);
	w->unit_off[0] = 0;
	w->unit_off[u + 1] = (uint32_t)w->heap.len;
	return u;
}

void tc__numw_add(tc__numw *w, const char *unit, size_t len, double value, uint32_t doc,
                  uint8_t field, uint32_t pos)
{
	uint32_t u = intern(w, unit, len);
	w->e = tc_grow(w->e, &w->cap, w->n + 1, sizeof *w->e);
	w->e[w->n++] = (tc__numw_entry){value == 0 ? 0.0 : value, doc, pos, u, field};
}

static int keycmp(const unsigned char *a, size_t na, const unsigned char *b, size_t nb)
{
	int c = memcmp(a, b, na < nb ? na : nb);
	return c ? c : (na > nb) - (na < nb);
}

/* qsort has no context argument: the writer being sorted, one thread at a time each. */
static _Thread_local const tc__numw *sorting;

static int unit_cmp(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y, na, nb;
	const unsigned char *ka = unit_key(sorting, a, &na), *kb = unit_key(sorting, b, &nb);
	return keycmp(ka, na, kb, nb);
}

static int entry_cmp(const void *x, const void *y)
{
	const tc__numw_entry *a = x, *b = y;
	/* unit holds the unit's rank by the time entries are sorted */
	if (a->unit != b->unit)
		return a->unit < b->unit ? -1 : 1;
	if (a->value != b->value)
		return a->value < b->value ? -1 : 1;
	if (a->doc != b->doc)
		return a->doc < b->doc ? -1 : 1;
	if (a->field != b->field)
		return a->field < b->field ? -1 : 1;
	return (a->pos > b->pos) - (a->pos < b->pos);
}

int tc__numw_write(tc__numw *w, const char *dir, uint64_t seg_id, tc_error *err)
{
	uint32_t *order = tc_malloc((w->nunits ? w->nunits : 1) * sizeof *order);
	uint32_t *rank = tc_malloc((w->nunits ? w->nunits : 1) * sizeof *rank);
	for (uint32_t u = 0; u < w->nunits; u++)
		order[u] = u;
	sorting = w;
	qsort(order, w->nunits, sizeof *order, unit_cmp);
	sorting = NULL;
	for (uint32_t r = 0; r < w->nunits; r++)
		rank[order[r]] = r;
	for (size_t i = 0; i < w->n; i++)
		w->e[i].unit = rank[w->e[i].unit];
	if (w->n)
		qsort(w->e, w->n, sizeof *w->e, entry_cmp);

	tc__wfile f;
	char name[TC_NAME_MAX];
	tc__seg_file_name(name, seg_id, "num");
	int rc = tc__wfile_open(&f, dir, name, TC_MAGIC_NUMERIC, err);
	if (rc == TC_OK) {
		tc__wfile_u64(&f, w->n);
		tc__wfile_u32(&f, w->nunits);
		tc__wfile_u32(&f, (uint32_t)w->heap.len);
		uint32_t key_off = 0;
		size_t first = 0;
		for (uint32_t r = 0; r < w->nunits; r++) {
			uint32_t len;
			unit_key(w, order[r], &len);
			size_t end = first;
			while (end < w->n && w->e[end].unit == r)
				end++;
			tc__wfile_u32(&f, key_off);
			tc__wfile_u32(&f, len);
			tc__wfile_u64(&f, first);
			tc__wfile_u64(&f, end - first);
			key_off += len;
			first = end;
		}
		for (uint32_t r = 0; r < w->nunits; r++) {
			uint32_t len;
			const unsigned char *k = unit_key(w, order[r], &len);
			tc__wfile_put(&f, k, len);
		}
		for (size_t i = 0; i < w->n; i++)
			tc__wfile_f64(&f, w->e[i].value);
		for (size_t i = 0; i < w->n; i++)
			tc__wfile_u32(&f, w->e[i].doc);
		for (size_t i = 0; i < w->n; i++)
			tc__wfile_u32(&f, w->e[i].pos);
		for (size_t i = 0; i < w->n; i++)
			tc__wfile_u8(&f, w->e[i].field);
		rc = tc__wfile_close(&f, err);
	}
	free(order);
	free(rank);
	return rc;
}

void tc__numw_free(tc__numw *w)
{
	free(w->e);
	free(w->slots);
	free(w->unit_off);
	tc_buf_free(&w->heap);
	memset(w, 0, sizeof *w);
}

/* ---------------------------------------------------------------------------------- */
/* Reader                                                                             */
/* ---------------------------------------------------------------------------------- */

int tc__num_open(tc_segment *seg, tc_error *err)
{
	const tc__rfile *f = &seg->f_num;
	tc__num_r *r = &seg->num;
	size_t clen = (size_t)(f->end - f->p);
	if (clen < NUM_HEAD)
		return tc__corrupt(err, f, f->p, "too short");
	r->n = tc__get_u64(f->p);
	r->nunits = tc__get_u32(f->p + 8);
	r->heap_len = tc__get_u32(f->p + 12);
	if (r->n > clen / NUM_ENTRY || (uint64_t)r->nunits > clen / NUM_UNIT ||
	    NUM_HEAD + (uint64_t)r->nunits * NUM_UNIT + r->heap_len + r->n * NUM_ENTRY != clen)
		return tc__corrupt(err, f, f->p, "sizes do not add up (%" PRIu64 " entries, %" PRIu32
		                   " units, %" PRIu32 " key bytes)", r->n, r->nunits, r->heap_len);
	r->units = f->p + NUM_HEAD;
	r->heap = r->units + (size_t)r->nunits * NUM_UNIT;
	r->values = r->heap + r->heap_len;
	r->docs = r->values + 8 * r->n;
	r->pos = r->docs + 4 * r->n;
	r->fields = r->pos + 4 * r->n;
	uint64_t next = 0;
	for (uint32_t u = 0; u < r->nunits; u++) {
		const unsigned char *e = r->units + (size_t)u * NUM_UNIT;
		uint32_t off = tc__get_u32(e), len = tc__get_u32(e + 4);
		uint64_t first = tc__get_u64(e + 8), count = tc__get_u64(e + 16);
		if (off > r->heap_len || len > r->heap_len - off || len == 0 || len > TC_MAX_UNIT ||
		    first != next || count == 0 || count > r->n - first)
			return tc__corrupt(err, f, e, "unit %" PRIu32 " out of range", u);
		next = first + count;
	}
	if (next != r->n)
		return tc__corrupt(err, f, r->units, "units cover %" PRIu64 " of %" PRIu64 " entries",
		                   next, r->n);
	return TC_OK;
}

size_t tc_seg_nunits(const tc_segment *seg)
{
	return seg->num.nunits;
}

void tc_seg_unit(const tc_segment *seg, size_t i, const char **key, size_t *len,
                 uint64_t *count)
{
	const unsigned char *e = seg->num.units + i * NUM_UNIT;
	*key = (const char *)seg->num.heap + tc__get_u32(e);
	*len = tc__get_u32(e + 4);
	*count = tc__get_u64(e + 16);
}

void tc__num_entry(const tc_segment *seg, uint64_t i, tc_num_entry *e)
{
	const tc__num_r *r = &seg->num;
	e->value = tc__get_f64(r->values + 8 * i);
	e->doc = tc__get_u32(r->docs + 4 * i);
	e->pos = tc__get_u32(r->pos + 4 * i);
	e->field = r->fields[i];
}

/* Entries [*first, *first + *count) of unit key, or *count = 0. */
int tc__num_unit_find(const tc_segment *seg, const char *key, size_t len, uint64_t *first,
                      uint64_t *count)
{
	size_t lo = 0, hi = seg->num.nunits;
	*first = *count = 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2, n;
		const char *k;
		uint64_t c;
		tc_seg_unit(seg, mid, &k, &n, &c);
		int cmp = keycmp((const unsigned char *)k, n, (const unsigned char *)key, len);
		if (cmp == 0) {
			*first = tc__get_u64(seg->num.units + mid * NUM_UNIT + 8);
			*count = c;
			return 1;
		}
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* First index in [lo, hi) whose value is above v (strict) or at least v (!strict). */
static uint64_t bound(const tc__num_r *r, uint64_t lo, uint64_t hi, double v, int strict)
{
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		double x = tc__get_f64(r->values + 8 * mid);
		if (strict ? x <= v : x < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int tc_seg_num_range(const tc_segment *seg, const char *unit, size_t unit_len,
                     const tc_num_range *rg, tc_num_hits *out, tc_error *err)
{
	TC_RETURN_IF(isnan(rg->lo) || isnan(rg->hi), err, TC_EINVAL, "NaN bound in a numeric range");
	uint64_t first, count;
	if (!tc__num_unit_find(seg, unit, unit_len, &first, &count))
		return TC_OK;
	const tc__num_r *r = &seg->num;
	uint64_t a = bound(r, first, first + count, rg->lo, !rg->lo_incl);
	uint64_t b = bound(r, a, first + count, rg->hi, rg->hi_incl);
	if (b <= a)
		return TC_OK;
	out->e = tc_grow(out->e, &out->cap, out->n + (size_t)(b - a), sizeof *out->e);
	for (uint64_t i = a; i < b; i++) {
		tc_num_entry *e = &out->e[out->n];
		tc__num_entry(seg, i, e);
		if (e->doc >= seg->ndocs)
			return tc__corrupt(err, &seg->f_num, r->docs + 4 * i,
			                   "entry %" PRIu64 ": doc %" PRIu32 " out of range", i, e->doc);
		out->n++;
	}
	return TC_OK;
}

void tc_num_hits_free(tc_num_hits *h)
{
	if (h == NULL)
		return;
	free(h->e);
	memset(h, 0, sizeof *h);
}
