/*
 * harness.h — the one query-timing method every engine in the benchmark goes through.
 *
 * A driver (bench/peers/fts5_driver.c, bench/peers/xapian_driver.cc, and tracuu's own
 * bench/tracuu_driver.c once the query API exists) fills a tc_bench_engine with four
 * callbacks and hands its command line to tc_bench_query_main(). The harness then, for
 * every engine alike, in-process:
 *
 *   1. reads the query file (TSV: class <tab> query, '#' starts a comment line) and
 *      parses each query into the small structure below;
 *   2. warm pass, untimed: top-10 and the exact match count of every query (the count
 *      is never part of a latency figure);
 *   3. timed pass, one thread: each query's top-10 alone, timed with CLOCK_MONOTONIC;
 *   4. throughput passes: for each thread count asked for, every thread with its own
 *      handle takes the next query from a shared counter; queries/s = queries run /
 *      wall time of the pass. Quantity queries are left out of these passes, so that
 *      every engine's figure is over the same queries (the peers cannot run them).
 *
 * Output: one TSV line per query (see tc_bench_query_main) and a JSON summary on stdout.
 *
 * Queries are understood in the subset of tracuu's syntax the generated query files use:
 *   w1 w2 ...        every word (AND)
 *   "w1 w2 ..."      phrase
 *   w*               prefix (any word of an AND may end in *)
 *   > 1 tỷ đồng      quantity comparison (TC_BQ_QUANTITY): an engine without numeric
 *                    fields answers TC_BENCH_UNSUPPORTED; the others parse q->text
 * Anything with other operators (OR, -, parentheses, field:) is TC_BQ_OTHER. A word keeps
 * its connectors ("13/2023/NĐ-CP"): each engine's tokeniser splits it as it would split
 * the text, and the parts are then matched as a phrase.
 */
#ifndef TC_BENCH_HARNESS_H
#define TC_BENCH_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

#ifdef __cplusplus
extern "C" {
#endif

enum tc_bench_qkind {
	TC_BQ_AND,       /* all words */
	TC_BQ_PHRASE,    /* the words, adjacent and in order */
	TC_BQ_QUANTITY,  /* a numeric comparison, in q->text (no words split out) */
	TC_BQ_OTHER      /* syntax the harness does not translate */
};

typedef struct tc_bench_word {
	const char *text;  /* NUL-terminated, without the trailing '*' */
	int prefix;        /* written with a trailing '*' */
} tc_bench_word;

typedef struct tc_bench_query {
	const char *cls;      /* the class column, e.g. "phrase_nd" */
	const char *text;     /* the query as written in the file */
	int kind;             /* enum tc_bench_qkind */
	tc_bench_word *words; /* TC_BQ_AND and TC_BQ_PHRASE */
	size_t nwords;
	char *mem_;           /* owns cls, text and the words' strings */
} tc_bench_query;

/* What a top10 or count callback returns for a query its engine cannot express. */
#define TC_BENCH_UNSUPPORTED 1

typedef struct tc_bench_engine {
	const char *name;
	/* Opens a handle on the index; called once per thread, never shared. */
	int (*open)(const char *index, void **h, tc_error *err);
	void (*close)(void *h);
	/* Runs q, ranked, and fetches the ids of the best 10 (*nres of them). */
	int (*top10)(void *h, const tc_bench_query *q, int *nres, tc_error *err);
	/* Counts every document q matches. */
	int (*count)(void *h, const tc_bench_query *q, uint64_t *n, tc_error *err);
} tc_bench_engine;

/* Parses one query (text is copied). Returns 0, or TC_EPARSE for an empty query. */
int tc_bench_query_parse(const char *cls, const char *text, tc_bench_query *q);
void tc_bench_query_free(tc_bench_query *q);

/*
 * Reads a query file into a new array of *n queries. Free with tc_bench_queries_free().
 */
int tc_bench_queries_load(const char *path, tc_bench_query **out, size_t *n, tc_error *err);
void tc_bench_queries_free(tc_bench_query *q, size_t n);

/*
 * The `query` sub-command of a driver:
 *   DRIVER query INDEX QUERIES -o OUT.tsv [-t 1,2]
 * argv[0] is "query". Writes OUT.tsv with the header
 *   #n  class  status  hits  top  latency_ns  query
 * (status: ok, unsupported or error; hits: the exact count; top: results fetched by the
 * timed top-10, at most 10), prints {"engine":..,"queries":..,"supported":..,
 * "errors":..,"qps_queries":..,"qps":{"1":..,"2":..}} on stdout (qps_queries: how many
 * queries the throughput passes ran), and returns the process exit status: 0 when the
 * TSV was written, even if some queries failed (they are counted in "errors").
 */
int tc_bench_query_main(const tc_bench_engine *e, int argc, char **argv);

/* Monotonic clock in nanoseconds. */
uint64_t tc_bench_now_ns(void);

#ifdef __cplusplus
}
#endif

#endif
