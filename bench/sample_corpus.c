/*
 * sample_corpus.c — makes a small benchmark corpus: JSON Lines on stdout.
 *
 *   sample_corpus [-n DOCS] [-s SEED] INPUT...
 *
 * Every .txt input (a seed document) is written whole. Of the documents in the other
 * inputs (.jsonl.zst, .jsonl), DOCS are kept, drawn uniformly with a fixed seed
 * (reservoir sampling) and written in their corpus order; without -n all are kept.
 * Lines are {"id":..,"title":..,"body":..}, UTF-8 as is, like the shared corpus files.
 * `make bench QUICK=1` uses it for the seeds plus 1,000 documents of the largest corpus.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "bench/lib/corpus.h"
#include "common/mem.h"

#define SAMPLED (1ull << 40) /* orders of sampled documents start here, after seeds */

typedef struct kept {
	uint64_t order;      /* position in the input, to write in corpus order */
	char *line;          /* the JSON line */
} kept;

typedef struct sampler {
	int is_txt;          /* the file being read is a seed: keep it, no sampling */
	size_t want;         /* 0: keep everything */
	uint64_t seen;       /* documents of sampled inputs offered so far */
	size_t seeds;        /* .txt documents kept: k[0, seeds) */
	uint64_t rng;
	kept *k;
	size_t n, cap;
} sampler;

static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static char *to_json(const tc_bench_doc *d)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_string_len(d->id, (int)d->id_len));
	json_object_object_add(o, "title", json_object_new_string_len(d->title, (int)d->title_len));
	json_object_object_add(o, "body", json_object_new_string_len(d->body, (int)d->body_len));
	char *s = tc_strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	                                                      JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return s;
}

static int on_doc(void *ctx, const tc_bench_doc *d)
{
	sampler *s = ctx;
	size_t slot;
	uint64_t order;
	if (s->is_txt) {
		order = s->seeds++; /* seeds come first, in argument order */
	} else {
		order = SAMPLED + s->seen++;
	}
	if (s->is_txt || s->want == 0 || s->n < s->seeds + s->want) {
		s->k = tc_grow(s->k, &s->cap, s->n + 1, sizeof *s->k);
		slot = s->n++;
	} else {
		uint64_t j = rng_next(&s->rng) % (order - SAMPLED + 1);
		if (j >= s->want)
			return 0;
		slot = s->seeds + (size_t)j;
		free(s->k[slot].line);
	}
	s->k[slot].order = order;
	s->k[slot].line = to_json(d);
	return s->k[slot].line ? 0 : TC_ENOMEM;
}

static int by_order(const void *a, const void *b)
{
	const kept *x = a, *y = b;
	return x->order < y->order ? -1 : x->order > y->order;
}

int main(int argc, char **argv)
{
	sampler s = {.rng = 7};
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
			s.want = strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "-s") == 0 && i + 1 < argc)
			s.rng = strtoull(argv[++i], NULL, 10);
		else
			break;
	}
	if (i == argc) {
		fprintf(stderr, "usage: sample_corpus [-n DOCS] [-s SEED] INPUT...\n");
		return 2;
	}
	tc_error err = {0};
	int rc = 0;
	/* the seeds are read first whatever the argument order: k[0, seeds) holds them and
	 * the reservoir is k[seeds, seeds + want) */
	for (int pass = 0; pass < 2 && rc == 0; pass++)
		for (int k = i; k < argc && rc == 0; k++) {
			size_t len = strlen(argv[k]);
			s.is_txt = len >= 4 && strcmp(argv[k] + len - 4, ".txt") == 0;
			if (s.is_txt != (pass == 0))
				continue;
			tc_bench_totals tot = {0};
			rc = tc_bench_corpus_each(&argv[k], 1, on_doc, &s, &tot, &err);
		}
	if (rc == 0) {
		qsort(s.k, s.n, sizeof *s.k, by_order);
		for (size_t k = 0; k < s.n; k++)
			printf("%s\n", s.k[k].line);
		if (fflush(stdout) != 0)
			rc = TC_EIO, snprintf(err.msg, sizeof err.msg, "write error");
	}
	for (size_t k = 0; k < s.n; k++)
		free(s.k[k].line);
	free(s.k);
	if (rc != 0) {
		fprintf(stderr, "sample_corpus: %s\n", err.msg);
		return 1;
	}
	return 0;
}
