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
 * Codecs: varint (LEB128, the baseline), bitpack (storage/codec.c: one width per 128
 * ints) and Stream VByte (libstreamvbyte; its 0-1-2-4 variant for freqs, its fused
 * delta decoder for gaps). Decode speed includes the prefix sum that turns gaps into
 * doc ids. Prints bytes and ints per second for each; the numbers go into
 * storage/FORMAT.md.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <streamvbyte.h>
#include <streamvbytedelta.h>
#include <string.h>
#include <time.h>
#include <zstd.h>

#include "analysis/analyzer.h"
#include "common/mem.h"
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
				json_t *j = json_loadb(line.data, line.len, 0, NULL);
				line.len = 0;
				json_t *t = json_object_get(j, "title"), *b = json_object_get(j, "body");
				if (json_is_string(t) && json_is_string(b)) {
					fn(ctx, json_string_value(t), json_string_length(t),
					   json_string_value(b), json_string_length(b));
					ndocs++;
				}
				json_decref(j);
				if (total >= max_bytes)
					break;
			}
		}
	}
done:
	tc_buf_free(&line);
	free(inbuf);
	free(outbuf);
	ZSTD_freeDStream(ds);
	fclose(f);
	fprintf(stderr, "read %zu docs, %.1f MB of JSON\n", ndocs, total / 1e6);
	return ndocs;
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
	char *key;
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
	uint32_t base;         /* position of the body: title positions come first */
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

static void add_text(builder *b, const char *s, size_t n)
{
	if (tc_analyze(b->an, s, n, NULL, &b->toks, NULL) != TC_OK)
		return;
	char key[TC_TOKEN_MAX_BYTES * 2 + 4];
	uint32_t last = 0;
	for (size_t i = 0; i < b->toks.n; i++) {
		const tc_token *t = &b->toks.tok[i];
		snprintf(key, sizeof key, "f%s", tc_tok_folded(&b->toks, t));
		add_token(b, key, 1, b->base + t->pos);
		snprintf(key, sizeof key, "e%s", tc_tok_exact(&b->toks, t));
		add_token(b, key, 0, 0);
		last = t->pos;
	}
	b->base += last + 2;
}

static void on_doc(void *ctx, const char *title, size_t tlen, const char *body, size_t blen)
{
	builder *b = ctx;
	b->base = 0;
	add_text(b, title, tlen);
	add_text(b, body, blen);
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
		uint64_t check = 0;
		int reps = 0;
		double t0 = now(), t;
		do {
			check += decode((enum codec)c, s, which, &enc);
			reps++;
		} while ((t = now() - t0) < 0.4);
		printf("       %-12s %11zu bytes %6.3f bytes/int %8.0f M ints/s  (check %llu)\n",
		       codec_name[c], bytes, (double)bytes / n, n * (double)reps / t / 1e6,
		       (unsigned long long)(check / (uint64_t)reps));
	}
	tc_buf_free(&enc);
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
	tc_error err = {0};
	if (tc_analyzer_new(&b.an, &err) != TC_OK) {
		fprintf(stderr, "analyzer: %s\n", err.msg);
		return 1;
	}
	if (read_corpus(path, max_mb << 20, on_doc, &b) == 0) {
		fprintf(stderr, "codec_bench: cannot read documents from %s\n", path);
		return 1;
	}
	stream gaps = {0}, freqs = {0}, pos = {0};
	build_streams(&b, &gaps, &freqs, &pos);
	printf("%zu docs, %zu posting lists\n", (size_t)b.doc, b.nlists);
	measure("gaps", &gaps, 0);
	measure("freqs", &freqs, 1);
	measure("pos", &pos, 2);

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
	tc_toklist_free(&b.toks);
	tc_analyzer_free(b.an);
	return 0;
}
