/*
 * codec_bench.c — measures the integer codecs for postings on real posting lists.
 *
 *   build/bench/codec_bench [FILE.jsonl.zst [MAX_MB]]
 *
 * Reads documents (default: $TRACUU_SRC/../shared/corpus/small.jsonl.zst), analyses
 * title and body with the Vietnamese analyser and builds the posting list of every
 * folded term (doc ids, freqs, positions) and every exact form (doc ids, freqs). Each
 * list is then cut into blocks of 128 docs the way storage/ writes them, and three
 * streams are encoded with each codec:
 *
 *   gaps    doc id gaps minus one, per full block (the partial last block is varints
 *           for every codec, as in the index)
 *   freqs   freq - 1, per full block
 *   pos     position deltas within each doc, all docs of a block concatenated,
 *           in runs of 128
 *
 * Codecs: varint (LEB128, the baseline), bitpack (one width per 128 ints), pfor/chunk
 * (storage/codec.c: PFor with packed exceptions, or varints when smaller) and Stream
 * VByte (libstreamvbyte; its 0-1-2-4 variant for freqs, its fused delta decoder for
 * gaps). Then the candidate layouts of PFor's exceptions on the same chunks, full and
 * partial (the codec's format version 1 among them), and positions with the first
 * position of each doc apart from the later deltas. Decode speed includes the prefix
 * sum that turns gaps into doc ids, and is the fastest of repeated passes (the machine
 * is shared). Prints bytes and ints per second for each; the numbers go into
 * storage/FORMAT.md.
 *
 *   build/bench/codec_bench FILE.jsonl.zst MAX_MB DIR
 *
 * also writes the lists as one real segment (title field 0, body field 1; folded forms,
 * stems and exact forms; stored id, title, body) into the empty directory DIR with the segment
 * writer, and prints the size of each part against the input, the writer's time, and
 * what the reader does with it: lookups, postings and positions decoded per second
 * through the iterator, and the cost of fetching a document.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <streamvbyte.h>
#include <streamvbytedelta.h>
#include <string.h>
#include <time.h>
#include <zstd.h>

#include "analysis/analyzer.h"
#include "common/mem.h"
#include "storage/storage.h"
#include "storage/storage_int.h"

/* ---- reading JSON lines from a .zst file ---- */

typedef void (*doc_fn)(void *ctx, const char *title, size_t tlen, const char *body,
                       size_t blen);

static size_t read_corpus(const char *path, size_t max_bytes, doc_fn fn, void *ctx)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return 0;
	ZSTD_DStream *ds = ZSTD_createDStream();
	ZSTD_initDStream(ds);
	size_t inCap = ZSTD_DStreamInSize(), outCap = ZSTD_DStreamOutSize();
	char *inbuf = tc_malloc(inCap), *outbuf = tc_malloc(outCap);
	tc_buf line = {0};
	struct json_tokener *tok = json_tokener_new();
	size_t total = 0, ndocs = 0;
	size_t got;
	while (total < max_bytes && (got = fread(inbuf, 1, inCap, f)) > 0) {
		ZSTD_inBuffer in = {inbuf, got, 0};
		while (in.pos < in.size && total < max_bytes) {
			ZSTD_outBuffer out = {outbuf, outCap, 0};
			if (ZSTD_isError(ZSTD_decompressStream(ds, &out, &in)))
				goto done;
			for (size_t i = 0; i < out.pos; i++) {
				if (outbuf[i] != '\n') {
					tc_buf_putc(&line, outbuf[i]);
					continue;
				}
				total += line.len + 1;
				json_tokener_reset(tok);
				json_object *j = json_tokener_parse_ex(tok, line.data, (int)line.len);
				line.len = 0;
				json_object *t = json_object_object_get(j, "title");
				json_object *b = json_object_object_get(j, "body");
				if (json_object_is_type(t, json_type_string) &&
				    json_object_is_type(b, json_type_string)) {
					fn(ctx, json_object_get_string(t), (size_t)json_object_get_string_len(t),
					   json_object_get_string(b), (size_t)json_object_get_string_len(b));
					ndocs++;
				}
				json_object_put(j);
				if (total >= max_bytes)
					break;
			}
		}
	}
done:
	json_tokener_free(tok);
	tc_buf_free(&line);
	free(inbuf);
	free(outbuf);
	ZSTD_freeDStream(ds);
	fclose(f);
	fprintf(stderr, "read %zu docs, %.1f MB of JSON\n", ndocs, total / 1e6);
	return ndocs ? total : 0;
}

/* ---- posting lists in memory ---- */

typedef struct vec {
	uint32_t *a;
	size_t n, cap;
} vec;

static void vec_push(vec *v, uint32_t x)
{
	v->a = tc_grow(v->a, &v->cap, v->n + 1, sizeof *v->a);
	v->a[v->n++] = x;
}

typedef struct plist {
	char *key;             /* kind, 'T' or 'B' for the field, the term: a C string */
	vec docs, freqs, pos;  /* pos: absolute positions of all docs, concatenated */
	int with_pos;
} plist;

typedef struct builder {
	tc_analyzer *an;
	tc_toklist toks;
	plist *lists;
	size_t nlists, cap;
	size_t *slots;         /* open addressing: index + 1, 0 = empty */
	size_t nslots;
	uint32_t doc;
	int keep_docs;         /* keep stored fields for the segment */
	tc_buf stored;         /* id, title, body of each doc, NUL-separated */
	uint32_t *lens;        /* token counts: title, body per doc */
	size_t lens_cap;
} builder;

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return h;
}

static plist *lookup(builder *b, const char *key, int with_pos)
{
	if (b->nlists * 2 >= b->nslots) {
		size_t ns = b->nslots ? b->nslots * 2 : 1 << 16;
		size_t *slots = tc_calloc(ns, sizeof *slots);
		for (size_t i = 0; i < b->nlists; i++) {
			size_t h = hash_str(b->lists[i].key) & (ns - 1);
			while (slots[h])
				h = (h + 1) & (ns - 1);
			slots[h] = i + 1;
		}
		free(b->slots);
		b->slots = slots;
		b->nslots = ns;
	}
	size_t h = hash_str(key) & (b->nslots - 1);
	while (b->slots[h]) {
		plist *l = &b->lists[b->slots[h] - 1];
		if (strcmp(l->key, key) == 0)
			return l;
		h = (h + 1) & (b->nslots - 1);
	}
	b->lists = tc_grow(b->lists, &b->cap, b->nlists + 1, sizeof *b->lists);
	plist *l = &b->lists[b->nlists];
	memset(l, 0, sizeof *l);
	l->key = tc_strdup(key);
	l->with_pos = with_pos;
	b->slots[h] = ++b->nlists;
	return l;
}

static void add_token(builder *b, const char *key, int with_pos, uint32_t pos)
{
	plist *l = lookup(b, key, with_pos);
	if (l->docs.n == 0 || l->docs.a[l->docs.n - 1] != b->doc) {
		vec_push(&l->docs, b->doc);
		vec_push(&l->freqs, 0);
	}
	l->freqs.a[l->freqs.n - 1]++;
	if (with_pos)
		vec_push(&l->pos, pos);
}

/* Adds the tokens of one field (positions restart at 0 in each field). */
static uint32_t add_text(builder *b, char field, const char *s, size_t n)
{
	if (tc_analyze(b->an, s, n, NULL, &b->toks, NULL) != TC_OK)
		return 0;
	char key[TC_TOKEN_MAX_BYTES * 4 + 4];
	for (size_t i = 0; i < b->toks.n; i++) {
		const tc_token *t = &b->toks.tok[i];
		snprintf(key, sizeof key, "f%c%s", field, tc_tok_folded(&b->toks, t));
		add_token(b, key, 1, t->pos);
		/* the exact form with its folded form, \x01 for the 0 byte of its key (storage.h):
		   keys are C strings here */
		snprintf(key, sizeof key, "e%c%s\x01%s", field, tc_tok_folded(&b->toks, t),
		         tc_tok_exact(&b->toks, t));
		add_token(b, key, 0, 0);
		if (t->stem_len) {
			snprintf(key, sizeof key, "s%c%s", field, tc_tok_stem(&b->toks, t));
			add_token(b, key, 1, t->pos);
		}
	}
	return b->toks.n ? b->toks.tok[b->toks.n - 1].pos + 1 : 0;
}

static void on_doc(void *ctx, const char *title, size_t tlen, const char *body, size_t blen)
{
	builder *b = ctx;
	uint32_t tl = add_text(b, 'T', title, tlen);
	uint32_t bl = add_text(b, 'B', body, blen);
	if (b->keep_docs) {
		tc_buf_printf(&b->stored, "doc-%u", b->doc);
		tc_buf_putc(&b->stored, '\0');
		tc_buf_append(&b->stored, title, tlen);
		tc_buf_putc(&b->stored, '\0');
		tc_buf_append(&b->stored, body, blen);
		tc_buf_putc(&b->stored, '\0');
		b->lens = tc_grow(b->lens, &b->lens_cap, 2 * (size_t)b->doc + 2, sizeof *b->lens);
		b->lens[2 * b->doc] = tl;
		b->lens[2 * b->doc + 1] = bl;
	}
	b->doc++;
}

/* ---- the three streams, cut into blocks as the index cuts them ---- */

typedef struct stream {
	vec full;    /* values of full 128-blocks, concatenated */
	vec tail;    /* values that go to varints in every codec */
	vec first;   /* for gaps: the doc before each full block (prefix-sum start) */
	vec tail_len;/* lengths of the partial blocks in tail */
} stream;

static void build_streams(const builder *b, stream *gaps, stream *freqs, stream *pos)
{
	for (size_t i = 0; i < b->nlists; i++) {
		const plist *l = &b->lists[i];
		size_t n = l->docs.n, pi = 0;
		uint32_t prev = UINT32_MAX;
		vec pblock = {0};
		for (size_t s = 0; s < n; s += 128) {
			size_t e = s + 128 <= n ? s + 128 : n;
			int full = e - s == 128;
			if (full)
				vec_push(&gaps->first, prev);
			pblock.n = 0;
			if (!full) {
				vec_push(&gaps->tail_len, (uint32_t)(e - s));
				vec_push(&freqs->tail_len, (uint32_t)(e - s));
			}
			for (size_t k = s; k < e; k++) {
				vec_push(full ? &gaps->full : &gaps->tail, l->docs.a[k] - prev - 1);
				prev = l->docs.a[k];
				vec_push(full ? &freqs->full : &freqs->tail, l->freqs.a[k] - 1);
				if (l->with_pos) {
					uint32_t last = 0;
					for (uint32_t f = 0; f < l->freqs.a[k]; f++, pi++) {
						vec_push(&pblock, l->pos.a[pi] - last);
						last = l->pos.a[pi];
					}
				}
			}
			size_t pf = pblock.n / 128 * 128;
			for (size_t k = 0; k < pblock.n; k++)
				vec_push(k < pf ? &pos->full : &pos->tail, pblock.a[k]);
			if (pblock.n > pf)
				vec_push(&pos->tail_len, (uint32_t)(pblock.n - pf));
		}
		free(pblock.a);
	}
}

/* ---- codecs over the full blocks of a stream ---- */

enum codec { C_VARINT, C_BITPACK, C_PFOR, C_SVB, C_SVB_DELTA };
static const char *codec_name[] = {"varint", "bitpack", "pfor/chunk", "streamvbyte", "svb-delta"};

static size_t encode(enum codec c, const stream *s, int which, tc_buf *out)
{
	out->len = 0;
	size_t nb = s->full.n / 128;
	tc_buf_reserve(out, nb * (1 + 16 * 32) + 16);
	for (size_t i = 0; i < nb; i++) {
		const uint32_t *in = s->full.a + 128 * i;
		unsigned char *o = (unsigned char *)out->data + out->len;
		if (c == C_VARINT) {
			for (size_t k = 0; k < 128; k++)
				tc_buf_put_varint(out, in[k]);
		} else if (c == C_BITPACK) {
			out->len += tc__pack128(in, o);
		} else if (c == C_PFOR) {
			out->len += tc__chunk_pack(in, 128, o);
		} else if (which == 1) {
			out->len += streamvbyte_encode_0124(in, 128, o);
		} else if (c == C_SVB_DELTA) {
			/* the fused decoder adds plain deltas: give it doc ids, not gaps - 1 */
			uint32_t docs[128], prev = s->first.a[i];
			for (size_t k = 0; k < 128; k++)
				docs[k] = prev = prev + in[k] + 1;
			out->len += streamvbyte_delta_encode(docs, 128, o, s->first.a[i]);
		} else {
			out->len += streamvbyte_encode(in, 128, o);
		}
		tc_buf_reserve(out, 1 + 16 * 32 + 16);
	}
	return out->len;
}

static inline const unsigned char *varint128(const unsigned char *p, uint32_t *o)
{
	for (size_t k = 0; k < 128; k++) {
		uint32_t v = *p & 0x7f;
		unsigned sh = 7;
		while (*p++ & 0x80)
			v |= (uint32_t)(*p & 0x7f) << sh, sh += 7;
		o[k] = v;
	}
	return p;
}

/* Decodes every block; for gaps (which == 0) also the prefix sum. Returns a checksum. */
static uint64_t decode(enum codec c, const stream *s, int which, const tc_buf *in)
{
	const unsigned char *p = (const unsigned char *)in->data;
	const unsigned char *end = p + in->len + 16;
	uint32_t out[128];
	uint64_t sum = 0;
	size_t nb = s->full.n / 128;
	for (size_t i = 0; i < nb; i++) {
		uint32_t prev = s->first.n ? s->first.a[i] : 0;
		if (c == C_VARINT) {
			p = varint128(p, out);
		} else if (c == C_BITPACK) {
			tc__unpack128(&p, end, out);
		} else if (c == C_PFOR) {
			tc__chunk_unpack(&p, end, out, 128);
		} else if (which == 1) {
			p += streamvbyte_decode_0124(p, out, 128);
		} else if (c == C_SVB_DELTA) {
			p += streamvbyte_delta_decode(p, out, 128, prev);
			sum += out[127];
			continue;
		} else {
			p += streamvbyte_decode(p, out, 128);
		}
		if (which == 0) {
			for (size_t k = 0; k < 128; k++)
				out[k] = prev = prev + out[k] + 1;
		}
		sum += out[127];
	}
	return sum;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* ---- candidate chunk forms, measured side by side on the same chunks ---- */

/*
 * Every candidate is PFor (k values at one width b, the values wider than b patched
 * as exceptions) or, when smaller, tagged varints; they differ in how the exceptions
 * are laid out, and each picks b by the exact size of its own layout:
 *
 *   v1      b:u8 nexc:u8 bits (index:u8 high:varint){nexc}   (format version 1)
 *   u8/pk   t:u8 bits [nexc:u8 hb:u8 index:u8{nexc} highs packed at hb bits]
 *   pk/pk   t:u8 bits [nexc:u8 hb:u8 indexes highs packed at hb bits], the indexes
 *           packed at ceil(log2 k) bits, or a k-bit map when that is smaller
 *   pk/vb   t:u8 bits [nexc:u8 indexes as in pk/pk, high:varint{nexc}]
 *
 * where t = b without exceptions, 0x40 | b with, 0xFF for varints. "+1" marks the
 * variant where a chunk of one value is a bare varint (no tag: k tells it).
 */
enum xform { X_V1, X_U8_PK, X_PK_PK, X_PK_VB };
static const char *xform_name[] = {"v1", "u8/pk", "pk/pk", "pk/vb"};

typedef struct cand {
	enum xform x;
	int bare1;       /* chunk(1) is a bare varint */
} cand;

static unsigned idx_width(size_t k)
{
	unsigned w = 0;
	while ((1u << w) < k)
		w++;
	return w;
}

/* Bytes of the packed indexes: ceil(log2 k) bits each, or a bitmap of k bits. */
static size_t idx_bytes(size_t k, size_t nexc)
{
	size_t bits = nexc * idx_width(k);
	return ((bits < k ? bits : k) + 7) / 8;
}

/* Reads n values of w bits, exactly (n*w + 7) / 8 bytes. */
static const unsigned char *xunpack(const unsigned char *q, unsigned w, size_t n, uint32_t *out)
{
	uint64_t acc = 0, mask = w == 32 ? UINT32_MAX : (1ull << w) - 1;
	unsigned have = 0;
	for (size_t i = 0; i < n; i++) {
		while (have < w) {
			acc |= (uint64_t)*q++ << have;
			have += 8;
		}
		out[i] = (uint32_t)(acc & mask);
		acc >>= w;
		have -= w;
	}
	return q;
}

/* Size of the chunk at width b; hist[w] = values of exactly w bits. */
static size_t xcost(enum xform x, size_t k, const size_t hist[33], unsigned maxw, unsigned b)
{
	size_t cost = 1 + (k * b + 7) / 8, nexc = 0, vb = 0;
	for (unsigned w = b + 1; w <= maxw; w++) {
		nexc += hist[w];
		vb += hist[w] * (1 + (w - b - 1) / 7);
	}
	unsigned hb = maxw - b;
	switch (x) {
	case X_V1:
		return cost + 1 + nexc + vb;
	case X_U8_PK:
		return nexc ? cost + 2 + nexc + (nexc * hb + 7) / 8 : cost;
	case X_PK_PK:
		return nexc ? cost + 2 + idx_bytes(k, nexc) + (nexc * hb + 7) / 8 : cost;
	default:
		return nexc ? cost + 1 + idx_bytes(k, nexc) + vb : cost;
	}
}

static size_t exc_count;  /* exceptions written by cand_pack, for the report */

static size_t cand_pack(cand c, const uint32_t *in, size_t k, unsigned char *out)
{
	if (k == 1 && c.bare1)
		return tc_varint_put(out, in[0]);
	size_t hist[33] = {0}, vsize = 1;
	unsigned maxw = 0;
	for (size_t i = 0; i < k; i++) {
		unsigned w = in[i] ? 32 - (unsigned)__builtin_clz(in[i]) : 0;
		hist[w]++;
		maxw = w > maxw ? w : maxw;
		vsize += tc_varint_len(in[i]);
	}
	unsigned b = maxw;
	size_t best = xcost(c.x, k, hist, maxw, maxw);
	for (unsigned w = 0; w < maxw; w++) {
		size_t cost = xcost(c.x, k, hist, maxw, w);
		if (cost < best)
			best = cost, b = w;
	}
	unsigned char *o = out;
	if (vsize < best) {
		*o++ = 0xFF;
		for (size_t i = 0; i < k; i++)
			o += tc_varint_put(o, in[i]);
		return (size_t)(o - out);
	}
	uint32_t idx[128], hi[128];
	size_t nexc = 0;
	for (size_t i = 0; i < k && b < 32; i++)
		if (in[i] >> b)
			idx[nexc] = (uint32_t)i, hi[nexc++] = in[i] >> b;
	exc_count += nexc;
	if (c.x == X_V1) {
		*o++ = (unsigned char)b;
		*o++ = (unsigned char)nexc;
	} else {
		*o++ = (unsigned char)(nexc ? 0x40 | b : b);
	}
	o += tc__pack_bits(in, k, b, o);
	if (c.x == X_V1) {
		for (size_t e = 0; e < nexc; e++) {
			*o++ = (unsigned char)idx[e];
			o += tc_varint_put(o, hi[e]);
		}
		return (size_t)(o - out);
	}
	if (nexc == 0)
		return (size_t)(o - out);
	*o++ = (unsigned char)nexc;
	if (c.x != X_PK_VB)
		*o++ = (unsigned char)(maxw - b);
	if (c.x == X_U8_PK) {
		for (size_t e = 0; e < nexc; e++)
			*o++ = (unsigned char)idx[e];
	} else if (nexc * idx_width(k) < k) {
		o += tc__pack_bits(idx, nexc, idx_width(k), o);
	} else {
		size_t bytes = (k + 7) / 8;
		memset(o, 0, bytes);
		for (size_t e = 0; e < nexc; e++)
			o[idx[e] / 8] |= (unsigned char)(1u << (idx[e] % 8));
		o += bytes;
	}
	if (c.x == X_PK_VB) {
		for (size_t e = 0; e < nexc; e++)
			o += tc_varint_put(o, hi[e]);
	} else {
		o += tc__pack_bits(hi, nexc, maxw - b, o);
	}
	return (size_t)(o - out);
}

static const unsigned char *vget(const unsigned char *q, uint32_t *v)
{
	uint32_t x = *q & 0x7f;
	unsigned sh = 7;
	while (*q++ & 0x80)
		x |= (uint32_t)(*q & 0x7f) << sh, sh += 7;
	*v = x;
	return q;
}

/*
 * Decodes a chunk the bench encoded (trusted input: no bounds checks, which the real
 * decoder has; what is measured is the cost of each layout). The bits are unpacked
 * by codec.c's own routine; the buffer has padding past its end.
 */
static const unsigned char *cand_unpack(cand c, const unsigned char *q, uint32_t *out, size_t k)
{
	if (k == 1 && c.bare1)
		return vget(q, out);
	if (*q == 0xFF) {
		q++;
		for (size_t i = 0; i < k; i++)
			q = vget(q, &out[i]);
		return q;
	}
	unsigned b = c.x == X_V1 ? q[0] : q[0] & 0x3f;
	size_t nexc = c.x == X_V1 ? q[1] : (q[0] & 0x40) != 0;
	q += c.x == X_V1 ? 2 : 1;
	tc__unpack_bits(q, q + 16 * 32 + 8, b, out, k);
	q += (k * b + 7) / 8;
	if (c.x == X_V1) {
		for (size_t e = 0; e < nexc; e++) {
			uint32_t i = *q++, h;
			q = vget(q, &h);
			out[i] |= h << b;
		}
		return q;
	}
	if (!nexc)
		return q;
	nexc = *q++;
	unsigned hb = c.x != X_PK_VB ? *q++ : 0;
	uint32_t idx[128], hi[128];
	if (c.x == X_U8_PK) {
		for (size_t e = 0; e < nexc; e++)
			idx[e] = *q++;
	} else if (nexc * idx_width(k) < k) {
		q = xunpack(q, idx_width(k), nexc, idx);
	} else {
		size_t e = 0;
		for (size_t byte = 0; byte < (k + 7) / 8; byte++)
			for (unsigned bits = q[byte]; bits; bits &= bits - 1)
				idx[e++] = (uint32_t)(8 * byte + (unsigned)__builtin_ctz(bits));
		q += (k + 7) / 8;
	}
	if (c.x == X_PK_VB) {
		for (size_t e = 0; e < nexc; e++)
			q = vget(q, &hi[e]);
	} else {
		q = xunpack(q, hb, nexc, hi);
	}
	for (size_t e = 0; e < nexc; e++)
		out[idx[e]] |= hi[e] << b;
	return q;
}

/* One decoding pass over the full blocks of a stream: a codec of the table above, or a
   candidate chunk form. */
typedef struct pass {
	int is_cand;
	enum codec c;
	cand k;
	const stream *s;
	int which;
	const tc_buf *enc;
} pass;

static uint64_t cand_decode(cand c, const stream *s, int which, const tc_buf *in)
{
	const unsigned char *p = (const unsigned char *)in->data;
	uint32_t out[128];
	uint64_t sum = 0;
	for (size_t i = 0; i < s->full.n / 128; i++) {
		p = cand_unpack(c, p, out, 128);
		if (which == 0) {
			uint32_t prev = s->first.a[i];
			for (size_t k = 0; k < 128; k++)
				out[k] = prev = prev + out[k] + 1;
		}
		sum += out[127];
	}
	return sum;
}

/*
 * Seconds of the fastest of repeated passes, over about half a second: the machine is
 * shared, and the fastest pass is the one least disturbed by the others.
 */
static double fastest(const pass *ps, uint64_t *check)
{
	double best = 1e9, t0 = now();
	do {
		double t1 = now();
		*check = ps->is_cand ? cand_decode(ps->k, ps->s, ps->which, ps->enc)
		                     : decode(ps->c, ps->s, ps->which, ps->enc);
		double t = now() - t1;
		best = t < best ? t : best;
	} while (now() - t0 < 0.5);
	return best;
}

static const cand cands[] = {{X_V1, 0}, {X_U8_PK, 0}, {X_PK_PK, 0}, {X_PK_VB, 0}};

/* Bytes of the partial blocks of s, each one chunk. Checks the round trip. */
static size_t cand_partial(cand c, const stream *s)
{
	unsigned char tmp[TC_CHUNK_MAX + 16 * 32 + 8];
	uint32_t out[128];
	size_t bytes = 0, off = 0;
	for (size_t i = 0; i < s->tail_len.n; i++) {
		size_t k = s->tail_len.a[i];
		size_t len = cand_pack(c, s->tail.a + off, k, tmp);
		if (cand_unpack(c, tmp, out, k) != tmp + len ||
		    memcmp(out, s->tail.a + off, k * sizeof *out) != 0) {
			fprintf(stderr, "codec_bench: %s: round trip fails\n", xform_name[c.x]);
			exit(1);
		}
		bytes += len;
		off += k;
	}
	return bytes;
}

static void measure(const char *name, const stream *s, int which)
{
	size_t n = s->full.n;
	size_t tail_bytes = 0;
	for (size_t i = 0; i < s->tail.n; i++) {
		uint32_t v = s->tail.a[i];
		tail_bytes += v < 1u << 7 ? 1 : v < 1u << 14 ? 2 : v < 1u << 21 ? 3 : v < 1u << 28 ? 4 : 5;
	}
	unsigned char tmp[TC_CHUNK_MAX];
	size_t tail_pfor = 0, off = 0;
	for (size_t i = 0; i < s->tail_len.n; i++) {
		size_t len = s->tail_len.a[i];
		size_t pb = tc__chunk_pack(s->tail.a + off, len, tmp);
		tail_pfor += pb;
		off += len;
	}
	printf("%-6s %11zu ints in full blocks; %zu in %zu partial blocks: %zu bytes as bare "
	       "varints, %zu as chunks (pfor or tagged varints)\n",
	       name, n, s->tail.n, s->tail_len.n, tail_bytes, tail_pfor);
	if (n == 0)
		return;
	tc_buf enc = {0};
	for (int c = C_VARINT; c <= (which == 0 ? C_SVB_DELTA : C_SVB); c++) {
		size_t bytes = encode((enum codec)c, s, which, &enc);
		pass ps = {0, (enum codec)c, {X_V1, 0}, s, which, &enc};
		uint64_t check;
		double t = fastest(&ps, &check);
		printf("       %-12s %11zu bytes %6.3f bytes/int %8.0f M ints/s  (check %llu)\n",
		       codec_name[c], bytes, (double)bytes / n, n / t / 1e6,
		       (unsigned long long)check);
	}
	tc_buf_free(&enc);
}

static void measure_cands(const stream *s, int which)
{
	size_t n = s->full.n, nb = n / 128;
	/* the partial blocks by length: how much is in chunks of one value */
	size_t ones = 0, small = 0;
	for (size_t i = 0; i < s->tail_len.n; i++) {
		ones += s->tail_len.a[i] == 1;
		small += s->tail_len.a[i] < 8;
	}
	size_t ideal = 0;
	for (size_t i = 0; i < n; i++)
		ideal += s->full.a[i] ? 32 - (unsigned)__builtin_clz(s->full.a[i]) : 0;
	printf("       candidates (partial blocks: %zu of one value, %zu of < 8; full blocks: "
	       "sum of exact bit lengths %.3f bytes/int)\n",
	       ones, small, n ? ideal / 8.0 / n : 0.0);
	tc_buf enc = {0};
	for (size_t ci = 0; ci < sizeof cands / sizeof *cands; ci++) {
		cand c = cands[ci];
		enc.len = 0;
		exc_count = 0;
		tc_buf_reserve(&enc, nb * TC_CHUNK_MAX + 16 * 32 + 8);
		for (size_t i = 0; i < nb; i++)
			enc.len += cand_pack(c, s->full.a + 128 * i, 128,
			                     (unsigned char *)enc.data + enc.len);
		pass ps = {1, C_PFOR, c, s, which, &enc};
		uint64_t check;
		double t = fastest(&ps, &check);
		size_t nexc = exc_count, part = cand_partial(c, s);
		c.bare1 = 1;
		size_t part1 = cand_partial(c, s);
		printf("       %-6s %11zu bytes %6.3f bytes/int %8.0f M ints/s %5.1f exc/chunk  "
		       "partial %9zu B, bare chunk(1) %9zu B; all %9zu B (check %llu)\n",
		       xform_name[c.x], enc.len, n ? (double)enc.len / n : 0.0,
		       n / t / 1e6, nb ? (double)nexc / nb : 0.0, part, part1, enc.len + part1,
		       (unsigned long long)check);
	}
	tc_buf_free(&enc);
}

/* Positions of each block: one ints() of all deltas, or the first positions apart. */
static void measure_pos_split(const builder *b, cand c)
{
	uint32_t *first = NULL, *rest = NULL;
	size_t fcap = 0, rcap = 0, joint = 0, split = 0;
	unsigned char tmp[TC_CHUNK_MAX];
	for (size_t i = 0; i < b->nlists; i++) {
		const plist *l = &b->lists[i];
		if (!l->with_pos)
			continue;
		size_t pi = 0;
		for (size_t s = 0; s < l->docs.n; s += 128) {
			size_t e = s + 128 <= l->docs.n ? s + 128 : l->docs.n, nf = 0, nr = 0;
			for (size_t k = s; k < e; k++) {
				first = tc_grow(first, &fcap, nf + 1, sizeof *first);
				rest = tc_grow(rest, &rcap, nr + l->freqs.a[k], sizeof *rest);
				first[nf++] = l->pos.a[pi];
				for (uint32_t f = 1; f < l->freqs.a[k]; f++)
					rest[nr++] = l->pos.a[pi + f] - l->pos.a[pi + f - 1];
				pi += l->freqs.a[k];
			}
			/* joint: the deltas in doc order, as the index has them */
			size_t fi = 0, ri = 0, nj = 0;
			uint32_t joint_v[128];
			for (size_t k = s; k < e; k++) {
				uint32_t f = l->freqs.a[k];
				for (uint32_t j = 0; j < f; j++) {
					joint_v[nj++] = j ? rest[ri++] : first[fi++];
					if (nj == 128) {
						joint += cand_pack(c, joint_v, nj, tmp);
						nj = 0;
					}
				}
			}
			if (nj)
				joint += cand_pack(c, joint_v, nj, tmp);
			for (size_t k = 0; k < nf; k += 128)
				split += cand_pack(c, first + k, nf - k < 128 ? nf - k : 128, tmp);
			for (size_t k = 0; k < nr; k += 128)
				split += cand_pack(c, rest + k, nr - k < 128 ? nr - k : 128, tmp);
		}
	}
	printf("pos    with %s%s: in doc order %zu B; first positions apart from the rest %zu B\n",
	       xform_name[c.x], c.bare1 ? " (bare chunk(1))" : "", joint, split);
	free(first);
	free(rest);
}

/* ---- one real segment from the same lists ---- */

typedef struct skey {
	unsigned char k[TC_TOKEN_MAX_BYTES * 4 + 4];
	size_t len;
	size_t list;
} skey;

static int skey_cmp(const void *x, const void *y)
{
	const skey *a = x, *b = y;
	int c = memcmp(a->k, b->k, a->len < b->len ? a->len : b->len);
	return c ? c : (a->len > b->len) - (a->len < b->len);
}

static int die(const tc_error *e)
{
	fprintf(stderr, "codec_bench: %s\n", e->msg);
	exit(1);
}

static void write_segment(builder *b, const char *dir, size_t input_bytes)
{
	tc_error e = {0};
	skey *keys = tc_malloc(b->nlists * sizeof *keys);
	for (size_t i = 0; i < b->nlists; i++) {
		const char *k = b->lists[i].key;
		keys[i].len = strlen(k);
		memcpy(keys[i].k, k, keys[i].len);
		keys[i].k[1] = k[1] == 'T' ? 0 : 1;
		if (k[0] == 'e') {  /* filed under its folded form */
			keys[i].k[0] = TC_KIND_FOLDED;
			*(unsigned char *)memchr(keys[i].k + 2, 1, keys[i].len - 2) = 0;
		}
		keys[i].list = i;
	}
	qsort(keys, b->nlists, sizeof *keys, skey_cmp);
	double t0 = now();
	tc_segw *w;
	if (tc_segw_open(dir, 1, 2, &w, &e) != TC_OK)
		die(&e);
	const char *p = b->stored.data;
	for (uint32_t d = 0; d < b->doc; d++) {
		const char *id = p, *title = id + strlen(id) + 1, *body = title + strlen(title) + 1;
		p = body + strlen(body) + 1;
		tc_field_value fv[2] = {{0, title, (uint32_t)strlen(title)},
		                        {1, body, (uint32_t)strlen(body)}};
		if (tc_segw_add_doc(w, id, strlen(id), fv, 2, b->lens + 2 * (size_t)d, &e) != TC_OK)
			die(&e);
	}
	double t1 = now();
	uint64_t npos = 0, npostings = 0;
	for (size_t i = 0; i < b->nlists; i++) {
		const plist *l = &b->lists[keys[i].list];
		if (tc_segw_term_begin(w, keys[i].k, keys[i].len, &e) != TC_OK)
			die(&e);
		size_t pi = 0;
		for (size_t j = 0; j < l->docs.n; j++) {
			const uint32_t *pos = l->with_pos ? l->pos.a + pi : NULL;
			pi += l->with_pos ? l->freqs.a[j] : 0;
			if (tc_segw_term_doc(w, l->docs.a[j], l->freqs.a[j], pos, &e) != TC_OK)
				die(&e);
		}
		npostings += l->docs.n;
		npos += pi;
		if (tc_segw_term_end(w, &e) != TC_OK)
			die(&e);
	}
	tc_seg_info info;
	if (tc_segw_finish(w, &info, &e) != TC_OK)
		die(&e);
	double t2 = now();
	tc_manifest m = {0};
	tc_manifest_field_add(&m, "title", &e);
	tc_manifest_field_add(&m, "body", &e);
	m.next_seg_id = 2;
	tc_manifest_add_seg(&m, 1, info.ndocs);
	if (tc_manifest_commit(dir, &m, &e) != TC_OK)
		die(&e);
	tc_manifest_free(&m);

	tc_snapshot *snap;
	if (tc_snapshot_open(dir, 0, &snap, &e) != TC_OK)
		die(&e);
	const tc_segment *seg = tc_snapshot_segment(snap, 0);
	tc_seg_stats st;
	tc_seg_stats_get(seg, &st);
	printf("\nsegment: %u docs, %zu terms, %llu postings, %llu positions, from %.1f MB of JSON\n",
	       b->doc, b->nlists, (unsigned long long)npostings, (unsigned long long)npos,
	       input_bytes / 1e6);
	printf("writer: docs %.2f s, terms %.2f s (%.1f MB/s of input for the whole segment)\n",
	       t1 - t0, t2 - t1, input_bytes / 1e6 / (t2 - t0));
	double in = (double)input_bytes / 100;
	static const char kinds[] = "fse";
	for (int k = 0; k < 3; k++)
		printf("  kind '%c': %8llu terms  .pst %10llu B (%5.2f%%)  .pos %10llu B (%5.2f%%)\n",
		       kinds[k], (unsigned long long)st.nterms[k],
		       (unsigned long long)st.postings_bytes[k], st.postings_bytes[k] / in,
		       (unsigned long long)st.positions_bytes[k], st.positions_bytes[k] / in);
	printf("  dictionary .tdx %10llu B (%5.2f%%)\n", (unsigned long long)st.dict_bytes,
	       st.dict_bytes / in);
	printf("  doc store .doc+.ids %10llu B (%5.2f%%)\n", (unsigned long long)st.docstore_bytes,
	       st.docstore_bytes / in);
	printf("  field lengths .fln %10llu B (%5.2f%%)\n", (unsigned long long)st.fieldlen_bytes,
	       st.fieldlen_bytes / in);
	printf("  all files %10llu B (%5.2f%% of the input)\n", (unsigned long long)st.file_bytes,
	       st.file_bytes / in);

	/* reader: lookups of every key in a scrambled order */
	tc_term_info ti;
	double r0 = now();
	for (size_t i = 0; i < b->nlists; i++) {
		const skey *k = &keys[(i * 7919) % b->nlists];
		if (tc_seg_term_lookup(seg, k->k, k->len, &ti, &e) != TC_OK)
			die(&e);
	}
	double r1 = now();
	/* every list decoded through the iterator: docs and freqs, then also positions */
	uint64_t ndocs = 0, npos2 = 0, sum = 0;
	double dec[2];
	for (int with_pos = 0; with_pos < 2; with_pos++) {
		double s0 = now();
		for (size_t i = 0; i < b->nlists; i++) {
			if (tc_seg_term_lookup(seg, keys[i].k, keys[i].len, &ti, &e) != TC_OK)
				die(&e);
			tc_postings *it;
			if (tc_postings_open(seg, &ti, &it, &e) != TC_OK)
				die(&e);
			for (uint32_t d = tc_postings_next(it); d != TC_DOC_END; d = tc_postings_next(it)) {
				sum += tc_postings_freq(it);
				ndocs += !with_pos;
				if (with_pos && ti.has_pos) {
					const uint32_t *pp;
					uint32_t n;
					tc_postings_positions(it, &pp, &n, &e);
					npos2 += n;
					sum += n ? pp[n - 1] : 0;
				}
			}
			tc_postings_free(it);
		}
		dec[with_pos] = now() - s0;
	}
	/* fetching documents at random, each with a cold tc_doc (one block inflated) */
	double f0 = now();
	int nfetch = 3000;
	for (int i = 0; i < nfetch; i++) {
		tc_doc doc = {0};
		if (tc_seg_doc_get(seg, (uint32_t)((i * 104729u) % b->doc), &doc, &e) != TC_OK)
			die(&e);
		sum += doc.id_len;
		tc_doc_free(&doc);
	}
	double f1 = now();
	printf("reader: %.2f M lookups/s; postings %.0f M docs/s (docs+freqs), with positions "
	       "%.0f M positions/s; fetch %.0f us/doc (check %llu)\n",
	       b->nlists / (r1 - r0) / 1e6, ndocs / dec[0] / 1e6, npos2 / dec[1] / 1e6,
	       (f1 - f0) / nfetch * 1e6, (unsigned long long)(sum & 0xff));
	tc_snapshot_release(snap);
	free(keys);
}

int main(int argc, char **argv)
{
	char path[4096];
	if (argc > 1) {
		snprintf(path, sizeof path, "%s", argv[1]);
	} else {
		const char *src = getenv("TRACUU_SRC");
		snprintf(path, sizeof path, "%s/../shared/corpus/small.jsonl.zst", src ? src : ".");
	}
	size_t max_mb = argc > 2 ? (size_t)atol(argv[2]) : 1000;
	builder b = {0};
	b.keep_docs = argc > 3;
	tc_error err = {0};
	if (tc_analyzer_new(&b.an, &err) != TC_OK) {
		fprintf(stderr, "analyzer: %s\n", err.msg);
		return 1;
	}
	size_t input_bytes = read_corpus(path, max_mb << 20, on_doc, &b);
	if (input_bytes == 0) {
		fprintf(stderr, "codec_bench: cannot read documents from %s\n", path);
		return 1;
	}
	stream gaps = {0}, freqs = {0}, pos = {0};
	build_streams(&b, &gaps, &freqs, &pos);
	printf("%zu docs, %zu posting lists\n", (size_t)b.doc, b.nlists);
	measure("gaps", &gaps, 0);
	measure_cands(&gaps, 0);
	measure("freqs", &freqs, 1);
	measure_cands(&freqs, 1);
	measure("pos", &pos, 2);
	measure_cands(&pos, 2);
	measure_pos_split(&b, (cand){X_PK_PK, 1});
	if (argc > 3)
		write_segment(&b, argv[3], input_bytes);

	for (size_t i = 0; i < b.nlists; i++) {
		free(b.lists[i].key);
		free(b.lists[i].docs.a);
		free(b.lists[i].freqs.a);
		free(b.lists[i].pos.a);
	}
	free(b.lists);
	free(b.slots);
	stream *all[] = {&gaps, &freqs, &pos};
	for (size_t i = 0; i < 3; i++) {
		free(all[i]->full.a);
		free(all[i]->tail.a);
		free(all[i]->first.a);
		free(all[i]->tail_len.a);
	}
	tc_buf_free(&b.stored);
	free(b.lens);
	tc_toklist_free(&b.toks);
	tc_analyzer_free(b.an);
	return 0;
}
