/*
 * search.h — a query string in, ranked hits with id, title and snippet out: what the
 * CLI, the socket protocol and the web page all call.
 *
 * A tc_searcher pairs a snapshot (shared, read-only) with the per-thread state a search
 * needs (an analyser). Open one per thread over the same snapshot, or open from a
 * directory. It sees the index as of its snapshot: reopen to see later commits.
 *
 * Memory: tc_search_result owns its hits and their strings; zero-initialise,
 * tc_search_result_free() at the end (it may be reused: contents are replaced).
 */
#ifndef TC_QUERY_SEARCH_H
#define TC_QUERY_SEARCH_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/err.h"
#include "query/exec.h"
#include "query/snippet.h"
#include "storage/storage.h"

typedef struct tc_searcher tc_searcher;

/*
 * Opens the last commit of dir, verifying the checksum of every file: TC_ECORRUPT (naming
 * the file) when one does not match. TC_ENOENT when dir holds no index.
 */
int tc_searcher_open(const char *dir, tc_searcher **out, tc_error *err);
/* Over an existing snapshot (retained; released by tc_searcher_free). */
int tc_searcher_from_snapshot(tc_snapshot *snap, tc_searcher **out, tc_error *err);
void tc_searcher_free(tc_searcher *s);
tc_snapshot *tc_searcher_snapshot(const tc_searcher *s);

typedef struct tc_search_hit {
	char *id;                 /* external id */
	char *title;              /* stored title, "" when none (or with ids_only) */
	double score;
	tc_snippet snippet;       /* passage of the body with the matches marked */
	uint32_t seg, doc;        /* where it lives in the snapshot */
} tc_search_hit;

typedef struct tc_search_result {
	uint64_t total;           /* matching live documents */
	double took_ms;           /* parse + execute + snippets */
	tc_search_hit *hits;
	size_t n, cap;
	uint64_t scored;          /* documents fully scored (the rest were pruned) */
} tc_search_result;

/*
 * Parses and runs q[0..len). Parse errors are TC_EPARSE with the byte offset and reason
 * in err. snippet_bytes = size of each snippet (0: no snippets).
 */
int tc_searcher_search(tc_searcher *s, const char *q, size_t len, const tc_search_opts *o,
                       size_t snippet_bytes, tc_search_result *out, tc_error *err);
void tc_search_result_free(tc_search_result *r);

/*
 * Appends the result as one JSON object: {"total":N,"took_ms":x,"hits":[{"id":..,
 * "score":..,"title":..,"snippet":"<mark>..</mark>"}]} (snippet HTML-escaped).
 */
void tc_search_result_json(const tc_search_result *r, tc_buf *out);

/* The parsed form of q (for --explain and tests): "AND(ndxp QTY[giao dich (1e9,inf)])". */
int tc_searcher_explain(tc_searcher *s, const char *q, size_t len, tc_buf *out,
                        tc_error *err);

#endif
