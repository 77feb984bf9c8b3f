/*
 * tracuu_driver.c — tracuu's side of `make bench` for queries.
 *
 *   tracuu_driver query INDEX_DIR QUERIES -o OUT.tsv [-t 1,2]   see bench/lib/harness.h
 *   tracuu_driver page INDEX_DIR QUERIES -o OUT.tsv [-t 1]      the same, timing pages
 *
 * The index is built by the CLI (`tracuu index`, timed by bench/run.sh); this program
 * runs the query file through the query API in-process, with the same harness (warm
 * pass, timed top-10 pass, throughput passes) as the peers' drivers. Queries go to
 * tc_searcher_search() as written in the file: tracuu parses its own syntax, quantity
 * comparisons included, so nothing is translated and nothing is unsupported.
 *
 *   top-10: tc_searcher_search() with k = 10 and no snippets; it fetches each hit's id
 *           (and title) from the doc store, as the peers fetch their ids
 *   count:  the total of the same call, which counts every matching live document
 *           (never timed)
 * Each thread opens its own searcher on the index directory, as each peer thread opens
 * its own connection or database.
 *
 * `page` times what a user of `tracuu search` waits for instead: the top 10 with ids,
 * titles and snippets of PAGE_SNIPPET bytes (one doc store fetch and one snippet per
 * hit), through the same harness, so its TSV has the same columns. The peers store no
 * text to cut snippets from, so this has nothing to be compared with.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/lib/harness.h"
#include "common/mem.h"
#include "query/search.h"

#define PAGE_SNIPPET 200     /* bytes of each snippet on a results page */

typedef struct handle {
	tc_searcher *s;
	tc_search_result res;     /* reused between queries */
} handle;

static int open_handle(const char *index, void **out, tc_error *err)
{
	*out = NULL;
	handle *h = tc_calloc(1, sizeof *h);
	int rc = tc_searcher_open(index, &h->s, err);
	if (rc < 0) {
		free(h);
		return rc;
	}
	*out = h;
	return TC_OK;
}

static void close_handle(void *p)
{
	handle *h = p;
	if (h == NULL)
		return;
	tc_search_result_free(&h->res);
	tc_searcher_free(h->s);
	free(h);
}

/* A top k: ids only (page = 0: the peers return ids too, no doc store read), or a
   results page (page = 1: stored titles and snippets). */
static int search(handle *h, const tc_bench_query *q, size_t k, int page, tc_error *err)
{
	tc_search_opts o;
	tc_search_opts_init(&o);
	o.k = k;
	o.ids_only = !page;
	return tc_searcher_search(h->s, q->text, strlen(q->text), &o, page ? PAGE_SNIPPET : 0,
	                          &h->res, err);
}

static int top10_of(void *p, const tc_bench_query *q, int page, int *nres, tc_error *err)
{
	handle *h = p;
	*nres = 0;
	int rc = search(h, q, 10, page, err);
	if (rc < 0)
		return rc;
	*nres = (int)h->res.n;
	return 0;
}

static int top10(void *p, const tc_bench_query *q, int *nres, tc_error *err)
{
	return top10_of(p, q, 0, nres, err);
}

static int page10(void *p, const tc_bench_query *q, int *nres, tc_error *err)
{
	return top10_of(p, q, 1, nres, err);
}

static int count(void *p, const tc_bench_query *q, uint64_t *n, tc_error *err)
{
	handle *h = p;
	*n = 0;
	int rc = search(h, q, 1, 0, err);
	if (rc < 0)
		return rc;
	*n = h->res.total;
	return 0;
}

static const tc_bench_engine tracuu_engine = {
	.name = "tracuu",
	.open = open_handle,
	.close = close_handle,
	.top10 = top10,
	.count = count,
};

static const tc_bench_engine page_engine = {
	.name = "tracuu-page",
	.open = open_handle,
	.close = close_handle,
	.top10 = page10,
	.count = count,
};

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "query") == 0)
		return tc_bench_query_main(&tracuu_engine, argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "page") == 0)
		return tc_bench_query_main(&page_engine, argc - 1, argv + 1);
	fprintf(stderr, "usage: tracuu_driver query|page INDEX_DIR QUERIES -o OUT.tsv "
	        "[-t 1,2]\n");
	return 2;
}
