/* search.c — `tracuu search`: ranked hits for a query, for people and for scripts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "common/buf.h"
#include "query/search.h"

#define SNIPPET_BYTES 240

static int usage(FILE *f)
{
	fprintf(f,
	        "usage: tracuu search -i DIR [-k N] [--offset N] [--json] [--strict] QUERY...\n"
	        "\n"
	        "Searches the index in DIR. QUERY uses the query language of the README:\n"
	        "  cải cách hành chính        all words (adjacent ones rank higher)\n"
	        "  \"dịch vụ công\"~2           phrase, with an optional slop\n"
	        "  a OR b   -a   ( ... )      boolean;  title:ndxp  field-scoped;  cải*  prefix\n"
	        "  NDXP > 1 tỷ giao dịch      quantities;  trên, hơn, dưới, từ .. đến ..\n"
	        "  ngày >= 1/6/2023           dates\n"
	        "  -k N          hits to show (default 10)\n"
	        "  --offset N    skip the first N hits (paging)\n"
	        "  --json        one JSON object: {\"total\":N,\"took_ms\":x,\"hits\":[...]}\n"
	        "  --strict      match the exact forms (diacritics) only\n"
	        "  --explain     print how the query was understood, then search\n"
	        "  --k1 X --b X  BM25 parameters (default 1.2, 0.75)\n"
	        "  --title-weight X   weight of the title against the body (default 2)\n"
	        "  --time-limit MS    stop a search still running after MS milliseconds\n"
	        "                     (exit 2; default: none)\n");
	return f == stdout ? 0 : 2;
}

static void print_human(const tc_search_result *r, size_t offset, int colour)
{
	printf("%llu hit%s (%.2f ms)\n", (unsigned long long)r->total, r->total == 1 ? "" : "s",
	       r->took_ms);
	tc_buf line = {0};
	for (size_t i = 0; i < r->n; i++) {
		const tc_search_hit *h = &r->hits[i];
		printf("\n%s%zu. %s%s  %s  (%.3f)\n", colour ? "\033[1m" : "", offset + i + 1, h->id,
		       colour ? "\033[0m" : "", h->title[0] ? h->title : "(no title)", h->score);
		tc_buf_clear(&line);
		tc_snippet_ansi(&h->snippet, colour, &line);
		if (line.len)
			printf("   %s\n", line.data);
	}
	tc_buf_free(&line);
}

int tc_cmd_search(int argc, char **argv)
{
	const char *dir = NULL;
	int json = 0, explain = 0;
	tc_search_opts o;
	tc_search_opts_init(&o);
	int i = 1;
	for (; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
		const char *a = argv[i];
		double v;
		int has_val = i + 1 < argc;
		if (strcmp(a, "--") == 0) {
			i++;
			break;
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			return usage(stdout);
		} else if (strcmp(a, "--json") == 0) {
			json = 1;
		} else if (strcmp(a, "--strict") == 0) {
			o.strict = 1;
		} else if (strcmp(a, "--explain") == 0) {
			explain = 1;
		} else if ((strcmp(a, "-i") == 0 || strcmp(a, "--index") == 0) && has_val) {
			dir = argv[++i];
		} else if (strcmp(a, "-k") == 0 && has_val && tc_cli_parse_num(argv[i + 1], 1, 10000, &v) == 0) {
			o.k = (size_t)v;
			i++;
		} else if (strcmp(a, "--offset") == 0 && has_val &&
		           tc_cli_parse_num(argv[i + 1], 0, 100000, &v) == 0) {
			o.offset = (size_t)v;
			i++;
		} else if (strcmp(a, "--k1") == 0 && has_val && tc_cli_parse_num(argv[i + 1], 0, 100, &v) == 0) {
			o.k1 = v;
			i++;
		} else if (strcmp(a, "--b") == 0 && has_val && tc_cli_parse_num(argv[i + 1], 0, 1, &v) == 0) {
			o.b = v;
			i++;
		} else if (strcmp(a, "--title-weight") == 0 && has_val &&
		           tc_cli_parse_num(argv[i + 1], 0, 1000, &v) == 0) {
			o.title_weight = v;
			i++;
		} else if (strcmp(a, "--time-limit") == 0 && has_val &&
		           tc_cli_parse_num(argv[i + 1], 0, 1e9, &v) == 0) {
			o.time_limit_ms = v;
			i++;
		} else {
			fprintf(stderr, "tracuu search: bad option or value '%s'\n", a);
			return usage(stderr);
		}
	}
	if (dir == NULL || i >= argc) {
		fprintf(stderr, "tracuu search: %s\n", dir ? "no QUERY given" : "no index (-i DIR)");
		return usage(stderr);
	}
	tc_buf q = {0};
	for (; i < argc; i++) {
		if (q.len)
			tc_buf_putc(&q, ' ');
		tc_buf_puts(&q, argv[i]);
	}
	tc_error err = {0};
	tc_searcher *s;
	int rc = tc_searcher_open(dir, &s, &err);
	if (rc != TC_OK) {
		fprintf(stderr, "tracuu search: %s: %s\n", dir,
		        rc == TC_ENOENT ? "no index here (build one with 'tracuu index')" : err.msg);
		tc_buf_free(&q);
		return 1;
	}
	if (explain) {
		tc_buf e = {0};
		if (tc_searcher_explain(s, q.data, q.len, &e, &err) == TC_OK)
			fprintf(json ? stderr : stdout, "query: %s\n", e.data);
		tc_buf_free(&e);
		tc_error_clear(&err);
	}
	tc_search_result r = {0};
	rc = tc_searcher_search(s, q.data, q.len, &o, SNIPPET_BYTES, &r, &err);
	int status = 0;
	if (rc == TC_EPARSE) {
		fprintf(stderr, "tracuu search: %s\n  %s\n", err.msg, q.data);
		status = 2;
	} else if (rc != TC_OK) {
		fprintf(stderr, "tracuu search: %s\n", err.msg);
		status = rc == TC_EINVAL || rc == TC_ELIMIT ? 2 : 1;
	} else if (json) {
		tc_buf out = {0};
		tc_search_result_json(&r, &out);
		puts(out.data);
		tc_buf_free(&out);
	} else {
		print_human(&r, o.offset, isatty(STDOUT_FILENO));
	}
	tc_search_result_free(&r);
	tc_searcher_free(s);
	tc_buf_free(&q);
	return status;
}
