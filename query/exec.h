/*
 * exec.h — runs a parsed query over one snapshot: matching, exact hit counts, BM25
 * ranking with the exact-form, proximity and quantity bonuses, top-k.
 *
 * Matching is document-at-a-time over iterators, one tree per segment: terms (the union
 * of their postings in the searched fields), phrases (conjunctions verified on
 * positions), prefixes (the dictionary range), quantity and date ranges (the numeric
 * index), AND / OR / NOT. Every matching document is counted, so totals are exact, but
 * only documents whose upper bound — from the per-block maximum tf and minimum field
 * length in the postings skip data — can still enter the top k are scored. Two shapes
 * are run without iterators: a comparison alone (a bitmap of the docs its mentions
 * name) and an AND of words whose lists are of a size (bitmaps of the whole lists,
 * counted; each doc bounded, the highest bounds scored first).
 *
 * Scores (README "Ranking"):
 *   BM25 per field (k1, b settable), title weighted above body, summed over query words;
 *   + EXACT_BONUS for each query word written with diacritics whose exact form the
 *     document holds ("họp" above "hợp"); strict mode matches exact forms only;
 *   + a proximity bonus for query words typed side by side that stand side by side, in
 *     order, in the document;
 *   + a bonus for a quantity mention that satisfies a comparison close to the query's
 *     words (within a sentence's reach, in positions).
 *
 * Memory: tc_results owns its hits; zero-initialise, tc_results_free() at the end.
 */
#ifndef TC_QUERY_EXEC_H
#define TC_QUERY_EXEC_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "query/parse.h"
#include "storage/storage.h"

typedef struct tc_search_opts {
	size_t k;              /* hits wanted (default 10) */
	size_t offset;         /* hits skipped first (paging) */
	int strict;            /* match exact forms only */
	double k1, b;          /* BM25 (defaults 1.2, 0.75) */
	double title_weight;   /* weight of the title field (default 2.0; body is 1.0) */
	int ids_only;          /* searcher: hits carry their id only, no title or snippet,
	                          so the doc store is not read (the fastest form) */
	double time_limit_ms;  /* 0: none; a search still running after this long stops
	                          with TC_ELIMIT (looked at every few thousand steps) */
} tc_search_opts;

/* Fills o with the defaults above. */
void tc_search_opts_init(tc_search_opts *o);

typedef struct tc_hit {
	uint32_t seg;          /* index of the segment in the snapshot */
	uint32_t doc;          /* local doc id in that segment */
	double score;
} tc_hit;

typedef struct tc_results {
	uint64_t total;        /* every matching live document */
	tc_hit *hits;          /* best first, after offset; at most k */
	size_t n, cap;
	uint64_t scored;       /* documents whose full score was computed */
} tc_results;

void tc_results_free(tc_results *r);

/*
 * Runs q over snap. Replaces out's contents. Errors: TC_ECORRUPT from damaged postings
 * (with the segment and what), TC_EINVAL for bad options.
 */
int tc_exec(const tc_snapshot *snap, const tc_qnode *q, const tc_search_opts *o,
            tc_results *out, tc_error *err);

/*
 * A query environment (fields and units) answered from snap, for tc_query_parse().
 * Strict mode has no effect on parsing.
 */
void tc_exec_env(const tc_snapshot *snap, tc_query_env *env);

#endif
