/*
 * numeric.c — the numeric index of a segment (<seg>.num): every quantity mention as
 * (unit key, value, doc, field, position), grouped by unit key and sorted by value, so
 * a range is a binary search over blocks and a scan; and the unit vocabulary with
 * entry counts.
 *
 * Grammar (file frame of fileio.c, magic "TCNM", version TC_NUMERIC_VERSION = 3, whose
 * chunks are those of codec.c's format version 2; little-endian; varint = LEB128 as in
 * codec.c):
 *
 *   content  := n:u64 nunits:u32 dir_len:u32 data_len:u64
 *               bindex{nblocks} dir:byte[dir_len] data:byte[data_len]
 *               nblocks = ceil(n / 128)
 *   bindex   := first:f64 off:u64
 *               block b holds entries [128 b, min(128 b + 128, n)) of the entry sequence
 *               (blocks run across unit boundaries); its bytes are data[off_b ..
 *               off_b+1) (the last one up to data_len); off_0 = 0, strictly ascending;
 *               first is the value of its first entry
 *   dir      := unit{nunits}
 *   unit     := shared:u8 suffix_len:u8 suffix:byte[suffix_len] count:varint
 *               key = the previous unit's key[0 .. shared) + suffix, 1..255 bytes;
 *               keys strictly ascending (memcmp, shorter first on a tie); the units'
 *               entries follow each other from 0 to n, count >= 1 each
 *   block(m) := runs:byte[(m + 7) / 8] vcode{runs set among entries 1..m-1}
 *               docs:chunk(m) pos:chunk(m) fields:chunk(m)          (chunk: codec.c)
 *               bit i of runs (bit i % 8 of byte i / 8) is set when entry i starts a
 *               run: its value or unit differs from entry i - 1's; entry 0 always does
 *   vcode    := c:varint, or c:varint z:varint when c % 4 = 3: the value of a run
 *               start from p, the previous entry's value:
 *               c % 4 = s < 3: (double)M / 10^s, M = round(p * 10^s) + unzigzag(c >> 2)
 *                  (wrapping; |p * 10^s| < 2^53 or the block is bad)
 *               c % 4 = 3: K^-1(K(p) + (unzigzag(z) << (c >> 2))), c >> 2 <= 63,
 *                  finite; K(v) = v's bits with the sign bit flipped for v >= 0, all
 *                  bits flipped for v < 0, so that keys order as values do
 *               unzigzag(z) = z even ? z / 2 : -(z / 2) - 1
 *   docs     := doc at a run start, else doc - the previous entry's doc
 *   pos      := pos - the previous entry's pos when in the same run, doc and field,
 *               else pos
 *   entries  := within a unit ascending by (value, doc, field, pos); values finite,
 *               -0 stored as +0; doc < the segment's doc count; field < 256
 *
 * Values repeat (a year, "100 %"), so a run costs one bit and its entries only small
 * doc differences; a changed value is mostly a whole number a small step above the last
 * (one byte), and decimals like 3.5 or 0.07 are whole numbers of tenths or hundredths.
 * The block index keeps a range a binary search: find the block where the range
 * starts, decode it, scan on. ~5 bytes an entry on the news corpus, against 17 for
 * fixed-width columns (see FORMAT.md, section 9).
 */
#include "storage_int.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/mem.h"

#define NUM_HEAD 24
#define NUM_BINDEX 16

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

/* Key of v whose unsigned order is the order of the values (v not NaN, not -0). */
static uint64_t vkey(double v)
{
	uint64_t u;
	memcpy(&u, &v, 8);
	return u >> 63 ? ~u : u | 1ull << 63;
}

static double vval(uint64_t k)
{
	uint64_t u = k >> 63 ? k & ~(1ull << 63) : ~k;
	double v;
	memcpy(&v, &u, 8);
	return v;
}

static const double scales[3] = {1, 10, 100};

/*
 * The value m / 10^s where m = round(prev * 10^s) + delta (mod 2^64), or -1 when prev
 * is too large for that. The writer runs this too, to check that a step decodes to
 * exactly the value it stands for.
 */
static int scaled(double prev, unsigned s, uint64_t delta, double *out)
{
	double x = prev * scales[s];
	if (!(fabs(x) < 0x1p53))
		return -1;
	/* most values are whole numbers: skip the rounding call and the division */
	int64_t r = (int64_t)x;
	if ((double)r != x)
		r = llround(x);
	int64_t m = (int64_t)((uint64_t)r + delta);
	*out = s == 0 ? (double)m : (double)m / scales[s];
	return 0;
}

/* Appends the vcode of the step from value a to value b (a != b or a new unit). */
static void put_step(tc_buf *o, double a, double b)
{
	for (unsigned s = 0; s < 3; s++) {
		double x = b * scales[s], got;
		if (!(fabs(x) < 0x1p53) || !(fabs(a * scales[s]) < 0x1p53))
			continue;
		uint64_t delta = (uint64_t)llround(x) - (uint64_t)llround(a * scales[s]);
		if (scaled(a, s, delta, &got) == 0 && memcmp(&got, &b, 8) == 0) {
			tc_buf_put_varint(o, tc_zigzag(delta) << 2 | s);
			return;
		}
	}
	uint64_t d = vkey(b) - vkey(a);
	unsigned tz = d ? (unsigned)__builtin_ctzll(d) : 0;
	/* d >> tz is odd: the signed step, shifted arithmetically, keeps the low set bit */
	uint64_t q = d >> 63 ? ~(~d >> tz) : d >> tz;
	tc_buf_put_varint(o, (uint64_t)tz << 2 | 3);
	tc_buf_put_varint(o, tc_zigzag(q));
}

static int starts_run(const tc__numw_entry *e, size_t i)
{
	return i == 0 || e[i].unit != e[i - 1].unit || e[i].value != e[i - 1].value;
}

/* Appends block(m) of entries e[0..m). */
static void put_block(tc_buf *o, const tc__numw_entry *e, size_t m)
{
	uint32_t docs[TC_NUM_BLOCK], pos[TC_NUM_BLOCK], fields[TC_NUM_BLOCK];
	unsigned char runs[TC_NUM_BLOCK / 8] = {0};
	for (size_t i = 0; i < m; i++) {
		int run = starts_run(e, i);
		runs[i / 8] |= (unsigned char)(run << (i % 8));
		docs[i] = run ? e[i].doc : e[i].doc - e[i - 1].doc;
		int same = !run && e[i].doc == e[i - 1].doc && e[i].field == e[i - 1].field;
		pos[i] = same ? e[i].pos - e[i - 1].pos : e[i].pos;
		fields[i] = e[i].field;
	}
	tc_buf_append(o, runs, (m + 7) / 8);
	for (size_t i = 1; i < m; i++)
		if (starts_run(e, i))
			put_step(o, e[i - 1].value, e[i].value);
	tc__put_ints(o, docs, m);
	tc__put_ints(o, pos, m);
	tc__put_ints(o, fields, m);
}

/* Appends the unit directory: keys front-coded against the previous one. */
static void put_dir(tc_buf *o, const tc__numw *w, const uint32_t *order, const tc__numw_entry *e,
                    size_t n)
{
	const unsigned char *prev = NULL;
	uint32_t prev_len = 0;
	size_t first = 0;
	for (uint32_t r = 0; r < w->nunits; r++) {
		uint32_t len, shared = 0;
		const unsigned char *k = unit_key(w, order[r], &len);
		while (shared < len && shared < prev_len && k[shared] == prev[shared])
			shared++;
		size_t end = first;
		while (end < n && e[end].unit == r)
			end++;
		unsigned char h[2] = {(unsigned char)shared, (unsigned char)(len - shared)};
		tc_buf_append(o, h, 2);
		tc_buf_append(o, k + shared, len - shared);
		tc_buf_put_varint(o, end - first);
		prev = k;
		prev_len = len;
		first = end;
	}
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

	tc_buf units = {0}, bindex = {0}, data = {0};
	put_dir(&units, w, order, w->e, w->n);
	for (size_t i = 0; i < w->n; i += TC_NUM_BLOCK) {
		size_t m = w->n - i < TC_NUM_BLOCK ? w->n - i : TC_NUM_BLOCK;
		uint64_t bits;
		memcpy(&bits, &w->e[i].value, 8);
		tc_buf_put_u64le(&bindex, bits);
		tc_buf_put_u64le(&bindex, data.len);
		put_block(&data, w->e + i, m);
	}

	tc__wfile f;
	char name[TC_NAME_MAX];
	tc__seg_file_name(name, seg_id, "num");
	int rc = tc__wfile_open(&f, dir, name, TC_MAGIC_NUMERIC, err);
	if (rc == TC_OK) {
		tc__wfile_u64(&f, w->n);
		tc__wfile_u32(&f, w->nunits);
		tc__wfile_u32(&f, (uint32_t)units.len);
		tc__wfile_u64(&f, data.len);
		tc__wfile_put(&f, bindex.data, bindex.len);
		tc__wfile_put(&f, units.data, units.len);
		tc__wfile_put(&f, data.data, data.len);
		rc = tc__wfile_close(&f, err);
	}
	tc_buf_free(&units);
	tc_buf_free(&bindex);
	tc_buf_free(&data);
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

void tc__num_close(tc_segment *seg)
{
	tc__num_r *r = &seg->num;
	free(r->keys);
	free(r->key_off);
	free(r->first);
	r->keys = NULL;
	r->key_off = NULL;
	r->first = NULL;
}

/* Decodes the unit directory [p, end) into r's owned tables. */
static int open_dir(const tc__rfile *f, tc__num_r *r, const unsigned char *p,
                    const unsigned char *end, tc_error *err)
{
	if (r->nunits > (size_t)(end - p) / 3)
		return tc__corrupt(err, f, p, "%" PRIu32 " units in a %zu-byte directory", r->nunits,
		                   (size_t)(end - p));
	tc_buf keys = {0};
	r->key_off = tc_malloc(((size_t)r->nunits + 1) * sizeof *r->key_off);
	r->first = tc_malloc(((size_t)r->nunits + 1) * sizeof *r->first);
	r->key_off[0] = 0;
	r->first[0] = 0;
	uint32_t prev_len = 0;
	for (uint32_t u = 0; u < r->nunits; u++) {
		const unsigned char *at = p;
		uint64_t count;
		if (end - p < 2 || p[0] > prev_len || p[0] + p[1] == 0 || p[0] + p[1] > TC_MAX_UNIT ||
		    p[1] > end - p - 2)
			goto bad;
		unsigned shared = p[0], suffix = p[1];
		size_t prev_off = keys.len - prev_len;
		if (keys.len + shared + suffix > UINT32_MAX)
			goto bad;
		unsigned char key[TC_MAX_UNIT];
		if (shared)
			memcpy(key, keys.data + prev_off, shared);
		memcpy(key + shared, p + 2, suffix);
		tc_buf_append(&keys, key, shared + suffix);
		p += 2 + suffix;
		if (tc_varint_get(&p, end, &count) != 0 || count == 0 || count > r->n - r->first[u])
			goto bad;
		const unsigned char *k = (const unsigned char *)keys.data + prev_off + prev_len;
		if (u > 0 && keycmp((const unsigned char *)keys.data + prev_off, prev_len, k,
		                    shared + suffix) >= 0)
			goto bad;
		prev_len = shared + suffix;
		r->key_off[u + 1] = (uint32_t)keys.len;
		r->first[u + 1] = r->first[u] + count;
		continue;
	bad:
		tc_buf_free(&keys);
		return tc__corrupt(err, f, at, "unit %" PRIu32 " bad", u);
	}
	r->keys = keys.data;
	if (p != end)
		return tc__corrupt(err, f, p, "%zu bytes after the last unit", (size_t)(end - p));
	if (r->first[r->nunits] != r->n)
		return tc__corrupt(err, f, end, "units cover %" PRIu64 " of %" PRIu64 " entries",
		                   r->first[r->nunits], r->n);
	return TC_OK;
}

static uint64_t block_off(const tc__num_r *r, uint64_t b)
{
	return b < r->nblocks ? tc__get_u64(r->bidx + b * NUM_BINDEX + 8) : r->data_len;
}

int tc__num_open(tc_segment *seg, tc_error *err)
{
	const tc__rfile *f = &seg->f_num;
	tc__num_r *r = &seg->num;
	size_t clen = (size_t)(f->end - f->p);
	if (clen < NUM_HEAD)
		return tc__corrupt(err, f, f->p, "too short");
	r->n = tc__get_u64(f->p);
	r->nunits = tc__get_u32(f->p + 8);
	uint32_t dir_len = tc__get_u32(f->p + 12);
	r->data_len = tc__get_u64(f->p + 16);
	size_t room = clen - NUM_HEAD;
	r->nblocks = r->n / TC_NUM_BLOCK + (r->n % TC_NUM_BLOCK != 0);
	if (r->nblocks > room / NUM_BINDEX || dir_len > room - r->nblocks * NUM_BINDEX ||
	    r->data_len != room - r->nblocks * NUM_BINDEX - dir_len)
		return tc__corrupt(err, f, f->p, "sizes do not add up (%" PRIu64 " entries, %" PRIu32
		                   " units, %" PRIu32 " directory bytes, %" PRIu64 " data bytes)",
		                   r->n, r->nunits, dir_len, r->data_len);
	r->bidx = f->p + NUM_HEAD;
	const unsigned char *dir = r->bidx + r->nblocks * NUM_BINDEX;
	r->data = dir + dir_len;
	for (uint64_t b = 0; b < r->nblocks; b++) {
		const unsigned char *e = r->bidx + b * NUM_BINDEX;
		uint64_t off = tc__get_u64(e + 8);
		if (b == 0 ? off != 0 : off <= block_off(r, b - 1) || off >= r->data_len)
			return tc__corrupt(err, f, e + 8, "block %" PRIu64 " at bad offset %" PRIu64, b,
			                   off);
		if (!isfinite(tc__get_f64(e)))
			return tc__corrupt(err, f, e, "block %" PRIu64 ": first value not finite", b);
	}
	if (r->nblocks == 0 && r->data_len != 0)
		return tc__corrupt(err, f, r->data, "data without entries");
	return open_dir(f, r, dir, r->data, err);
}

size_t tc_seg_nunits(const tc_segment *seg)
{
	return seg->num.nunits;
}

void tc_seg_unit(const tc_segment *seg, size_t i, const char **key, size_t *len,
                 uint64_t *count)
{
	const tc__num_r *r = &seg->num;
	*key = r->keys + r->key_off[i];
	*len = r->key_off[i + 1] - r->key_off[i];
	*count = r->first[i + 1] - r->first[i];
}

/* Reads the vcode at *p: the value after prev. */
static int get_step(const unsigned char **p, const unsigned char *end, double prev,
                    double *v)
{
	uint64_t c, z;
	if (*p < end && **p < 0x80)
		c = *(*p)++;  /* the usual one-byte step, without the call */
	else if (tc_varint_get(p, end, &c) != 0)
		return -1;
	if ((c & 3) != 3)
		return scaled(prev, (unsigned)(c & 3), tc_unzigzag(c >> 2), v);
	if (c >> 2 > 63 || tc_varint_get(p, end, &z) != 0)
		return -1;
	*v = vval(vkey(prev) + (tc_unzigzag(z) << (c >> 2)));
	return isfinite(*v) ? 0 : -1;  /* the scaled steps cannot leave the finite values */
}

/* Skips the n integers of a chunk sequence (tc__get_ints) without decoding them. */
static int skip_ints(const unsigned char **p, const unsigned char *end, size_t n)
{
	for (size_t i = 0; i < n; i += 128)
		if (tc__chunk_skip(p, end, n - i < 128 ? n - i : 128) != 0)
			return -1;
	return 0;
}

int tc__num_block(const tc_segment *seg, uint64_t b, int docs_only, tc__num_blk *out,
                  tc_error *err)
{
	const tc__num_r *r = &seg->num;
	const tc__rfile *f = &seg->f_num;
	const unsigned char *p = r->data + block_off(r, b), *end = r->data + block_off(r, b + 1);
	const unsigned char *runs = p;
	size_t m = r->n - b * TC_NUM_BLOCK < TC_NUM_BLOCK ? (size_t)(r->n - b * TC_NUM_BLOCK)
	                                                 : TC_NUM_BLOCK;
	uint32_t fields[TC_NUM_BLOCK];
	out->first = b * TC_NUM_BLOCK;
	out->n = m;
	if ((size_t)(end - p) < (m + 7) / 8)
		return tc__corrupt(err, f, p, "block %" PRIu64 " truncated", b);
	p += (m + 7) / 8;
	/* values: visit the run starts only; the entries between repeat the last value */
	double v = tc__get_f64(r->bidx + b * NUM_BINDEX);  /* finite: checked at open */
	size_t done = 0;
	for (size_t w = 0; w < (m + 7) / 8; w++) {
		unsigned bits = runs[w] & (w ? 0xffu : 0xfeu);
		if (8 * w + 8 > m)
			bits &= (1u << (m - 8 * w)) - 1;  /* bits past the last entry mean nothing */
		for (; bits; bits &= bits - 1) {
			size_t i = 8 * w + (size_t)__builtin_ctz(bits);
			const unsigned char *at = p;
			while (done < i)
				out->value[done++] = v;
			if (get_step(&p, end, v, &v) != 0)
				return tc__corrupt(err, f, at, "block %" PRIu64 ": bad value step", b);
		}
	}
	while (done < m)
		out->value[done++] = v;
	const unsigned char *at = p;
	if (tc__get_ints(&p, end, out->doc, m) != 0 ||
	    (docs_only ? skip_ints(&p, end, m) != 0 || skip_ints(&p, end, m) != 0
	               : tc__get_ints(&p, end, out->pos, m) != 0 ||
	                     tc__get_ints(&p, end, fields, m) != 0))
		return tc__corrupt(err, f, at, "block %" PRIu64 ": bad doc, position or field chunk",
		                   b);
	if (p != end)
		return tc__corrupt(err, f, p, "block %" PRIu64 ": %zu bytes left over", b,
		                   (size_t)(end - p));
	if (docs_only) {
		uint32_t doc = out->doc[0];
		for (size_t i = 1; i < m; i++) {
			doc = out->doc[i] + (doc & ((uint32_t)(runs[i / 8] >> (i % 8) & 1) - 1));
			out->doc[i] = doc;
		}
		return TC_OK;
	}
	if (tc__bitwidth(fields, m) > 8)
		return tc__corrupt(err, f, at, "block %" PRIu64 ": field above 255", b);
	out->field[0] = (uint8_t)fields[0];
	uint32_t doc = out->doc[0], pos = out->pos[0];
	for (size_t i = 1; i < m; i++) {
		/* masks rather than branches: run starts fall at random */
		uint32_t in_run = (uint32_t)(runs[i / 8] >> (i % 8) & 1) - 1;
		uint32_t same = in_run & -(uint32_t)(out->doc[i] == 0 && fields[i] == fields[i - 1]);
		out->field[i] = (uint8_t)fields[i];
		pos = out->pos[i] + (pos & same);
		doc = out->doc[i] + (doc & in_run);
		out->pos[i] = pos;
		out->doc[i] = doc;
	}
	return TC_OK;
}

void tc__num_entry(const tc_segment *seg, uint64_t i, tc_num_entry *e)
{
	static _Thread_local struct {
		uint64_t serial, b;
		tc__num_blk blk;
	} cache;
	uint64_t b = i / TC_NUM_BLOCK;
	if (cache.serial != seg->serial || cache.b != b) {
		cache.serial = 0;
		if (tc__num_block(seg, b, 0, &cache.blk, NULL) != TC_OK) {
			*e = (tc_num_entry){0, UINT32_MAX, 0, 0};
			return;
		}
		cache.serial = seg->serial;
		cache.b = b;
	}
	size_t j = (size_t)(i - cache.blk.first);
	*e = (tc_num_entry){cache.blk.value[j], cache.blk.doc[j], cache.blk.pos[j],
	                    cache.blk.field[j]};
}

/* Entries [*first, *first + *count) of unit key, or *count = 0. */
int tc__num_unit_find(const tc_segment *seg, const char *key, size_t len, uint64_t *first,
                      uint64_t *count)
{
	const tc__num_r *r = &seg->num;
	size_t lo = 0, hi = r->nunits;
	*first = *count = 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int cmp = keycmp((const unsigned char *)r->keys + r->key_off[mid],
		                 r->key_off[mid + 1] - r->key_off[mid], (const unsigned char *)key, len);
		if (cmp == 0) {
			*first = r->first[mid];
			*count = r->first[mid + 1] - r->first[mid];
			return 1;
		}
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

static int below(double x, const tc_num_range *rg)
{
	return rg->lo_incl ? x < rg->lo : x <= rg->lo;
}

static int above(double x, const tc_num_range *rg)
{
	return rg->hi_incl ? x > rg->hi : x >= rg->hi;
}

/*
 * The block where entries of [first, end) stop being below the range: the last block
 * starting inside the unit whose first value is below it, else the unit's first block.
 */
static uint64_t start_block(const tc__num_r *r, uint64_t first, uint64_t end,
                            const tc_num_range *rg)
{
	uint64_t lo = first / TC_NUM_BLOCK + 1, hi = (end - 1) / TC_NUM_BLOCK + 1;
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (below(tc__get_f64(r->bidx + mid * NUM_BINDEX), rg))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo - 1;
}

/* The entries of unit key in rg, by value, appended to hits, or (docs_only) their docs
   to docs. */
static int num_range(const tc_segment *seg, const char *unit, size_t unit_len,
                     const tc_num_range *rg, tc_num_hits *hits, tc_num_docs *docs,
                     tc_error *err)
{
	TC_RETURN_IF(isnan(rg->lo) || isnan(rg->hi), err, TC_EINVAL, "NaN bound in a numeric range");
	uint64_t first, count;
	if (!tc__num_unit_find(seg, unit, unit_len, &first, &count))
		return TC_OK;
	const tc__num_r *r = &seg->num;
	uint64_t end = first + count;
	tc__num_blk blk_, *blk = &blk_;
	for (uint64_t b = start_block(r, first, end, rg); b * TC_NUM_BLOCK < end; b++) {
		TC_FORWARD(tc__num_block(seg, b, docs != NULL, blk, err));
		size_t i = first > blk->first ? (size_t)(first - blk->first) : 0;
		size_t stop = end - blk->first < blk->n ? (size_t)(end - blk->first) : blk->n;
		while (i < stop && below(blk->value[i], rg))
			i++;
		if (docs)
			docs->doc = tc_grow(docs->doc, &docs->cap, docs->n + (stop - i), sizeof *docs->doc);
		else
			hits->e = tc_grow(hits->e, &hits->cap, hits->n + (stop - i), sizeof *hits->e);
		for (; i < stop && !above(blk->value[i], rg); i++) {
			if (blk->doc[i] >= seg->ndocs)
				return tc__corrupt(err, &seg->f_num, r->data + block_off(r, b),
				                   "entry %" PRIu64 ": doc %" PRIu32 " out of range",
				                   blk->first + i, blk->doc[i]);
			if (docs)
				docs->doc[docs->n++] = blk->doc[i];
			else
				hits->e[hits->n++] = (tc_num_entry){blk->value[i], blk->doc[i], blk->pos[i],
				                                    blk->field[i]};
		}
		if (i < stop)
			break;
	}
	return TC_OK;
}

int tc_seg_num_range(const tc_segment *seg, const char *unit, size_t unit_len,
                     const tc_num_range *rg, tc_num_hits *out, tc_error *err)
{
	return num_range(seg, unit, unit_len, rg, out, NULL, err);
}

int tc_seg_num_range_docs(const tc_segment *seg, const char *unit, size_t unit_len,
                          const tc_num_range *rg, tc_num_docs *out, tc_error *err)
{
	return num_range(seg, unit, unit_len, rg, NULL, out, err);
}

void tc_num_docs_free(tc_num_docs *d)
{
	if (d == NULL)
		return;
	free(d->doc);
	memset(d, 0, sizeof *d);
}

void tc_num_hits_free(tc_num_hits *h)
{
	if (h == NULL)
		return;
	free(h->e);
	memset(h, 0, sizeof *h);
}
