/*
 * corpus.h — reads benchmark documents, one after the other, from the files the corpus
 * is made of, so that every engine in the benchmark is fed the very same documents.
 *
 * Accepted inputs:
 *   NAME.jsonl.zst   JSON Lines compressed with zstd (the shared corpus format: one object
 *                    per line with "id", "title" and "body" strings), read in streaming
 *   NAME.jsonl       the same, uncompressed
 *   NAME.txt         one document: the first non-empty line is the title, the rest the
 *                    body, the id is NAME (this is how the seed documents are stored)
 *
 * A document's strings belong to the reader and stay valid until the next call to
 * tc_bench_corpus_next() or tc_bench_corpus_close(). The reader is not thread-safe.
 * Usable from C++ (the Xapian driver).
 */
#ifndef TC_BENCH_CORPUS_H
#define TC_BENCH_CORPUS_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tc_bench_doc {
	const char *id, *title, *body;      /* UTF-8, NUL-terminated (may hold \u0000 escapes) */
	size_t id_len, title_len, body_len; /* bytes */
	size_t raw_bytes;                   /* bytes of the source line (or file), newline included */
} tc_bench_doc;

typedef struct tc_bench_corpus tc_bench_corpus;

/* Opens one input file. *out is NULL on failure. */
int tc_bench_corpus_open(const char *path, tc_bench_corpus **out, tc_error *err);

/*
 * Reads the next document into *doc. Returns 1 when there is one, 0 at the end, or a
 * negative TC_E* code (a line that is not a JSON object with string id/title/body is
 * TC_EPARSE, with the file and line in err).
 */
int tc_bench_corpus_next(tc_bench_corpus *c, tc_bench_doc *doc, tc_error *err);

/* Accepts NULL. */
void tc_bench_corpus_close(tc_bench_corpus *c);

/*
 * Counters over a whole set of files, for reports: documents, raw bytes (uncompressed
 * JSONL, the figure MB/s and size ratios are computed against) and text bytes (title +
 * body as decoded).
 */
typedef struct tc_bench_totals {
	uint64_t docs, raw_bytes, text_bytes;
} tc_bench_totals;

/*
 * Calls fn once per document of every file in paths[0..n), in order, adding to *tot
 * (which the caller zeroes). Stops at the first error, or when fn returns non-zero
 * (that value is returned).
 */
int tc_bench_corpus_each(char *const *paths, size_t n,
                         int (*fn)(void *ctx, const tc_bench_doc *doc), void *ctx,
                         tc_bench_totals *tot, tc_error *err);

#ifdef __cplusplus
}
#endif

#endif
