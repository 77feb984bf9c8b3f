/* harness.c — query file parsing and the shared timing method (see harness.h). */
#include "bench/lib/harness.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/buf.h"
#include "common/mem.h"

uint64_t tc_bench_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void tc_bench_query_free(tc_bench_query *q)
{
	free(q->words);
	free(q->mem_);
	memset(q, 0, sizeof *q);
}

/* Words that make a query something other than a plain AND, phrase or prefix. */
static int is_operator_word(const char *w)
{
	return strcmp(w, "OR") == 0 || strcmp(w, "AND") == 0 || strcmp(w, "NOT") == 0 ||
	       w[0] == '-' || w[0] == '(' || w[0] == ')' || strchr(w, ':') != NULL ||
	       strchr(w, '"') != NULL || strcmp(w, "*") == 0;
}

/* Splits s (modified in place) on spaces into q->words. Returns -1 on an operator word. */
static int split_words(char *s, tc_bench_query *q)
{
	size_t cap = 0;
	char *save = NULL;
	for (char *tok = strtok_r(s, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		if (is_operator_word(tok))
			return -1;
		q->words = tc_grow(q->words, &cap, q->nwords + 1, sizeof *q->words);
		tc_bench_word *w = &q->words[q->nwords++];
		size_t n = strlen(tok);
		w->prefix = tok[n - 1] == '*';
		if (w->prefix)
			tok[n - 1] = '\0';
		w->text = tok;
	}
	return q->nwords ? 0 : -1;
}

int tc_bench_query_parse(const char *cls, const char *text, tc_bench_query *q)
{
	memset(q, 0, sizeof *q);
	size_t nc = strlen(cls), nt = strlen(text);
	/* mem_: cls \0 text \0 scratch-copy-of-text \0 */
	q->mem_ = tc_malloc(nc + 2 * nt + 3);
	char *m = q->mem_;
	memcpy(m, cls, nc + 1);
	memcpy(m + nc + 1, text, nt + 1);
	char *s = m + nc + 1 + nt + 1;
	memcpy(s, text, nt + 1);
	q->cls = m;
	q->text = m + nc + 1;

	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	if (n == 0) {
		tc_bench_query_free(q);
		return TC_EPARSE;
	}
	if (strpbrk(s, "<>=") != NULL || strstr(s, "..") != NULL) {
		q->kind = TC_BQ_QUANTITY;
		return TC_OK;
	}
	if (s[0] == '"') {
		if (n < 3 || s[n - 1] != '"' || memchr(s + 1, '"', n - 2) != NULL) {
			q->kind = TC_BQ_OTHER;
			return TC_OK;
		}
		s[n - 1] = '\0';
		q->kind = TC_BQ_PHRASE;
		if (split_words(s + 1, q) < 0 || q->nwords < 1)
			goto other;
		for (size_t i = 0; i < q->nwords; i++)
			if (q->words[i].prefix)
				goto other;
		return TC_OK;
	}
	q->kind = TC_BQ_AND;
	if (split_words(s, q) == 0)
		return TC_OK;
other:
	free(q->words);
	q->words = NULL;
	q->nwords = 0;
	q->kind = TC_BQ_OTHER;
	return TC_OK;
}

void tc_bench_queries_free(tc_bench_query *q, size_t n)
{
	for (size_t i = 0; i < n; i++)
		tc_bench_query_free(&q[i]);
	free(q);
}

int tc_bench_queries_load(const char *path, tc_bench_query **out, size_t *n, tc_error *err)
{
	*out = NULL;
	*n = 0;
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return tc_error_set(err, TC_EIO, "%s: %s", path, strerror(errno));
	tc_bench_query *qs = NULL;
	size_t cap = 0, count = 0, lineno = 0;
	char *line = NULL;
	size_t lcap = 0;
	ssize_t len;
	int rc = TC_OK;
	while ((len = getline(&line, &lcap, f)) >= 0) {
		lineno++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		char *tab = strchr(line, '\t');
		if (tab == NULL) {
			rc = tc_error_set(err, TC_EPARSE, "%s:%zu: expected class<TAB>query", path,
			                  lineno);
			break;
		}
		*tab = '\0';
		qs = tc_grow(qs, &cap, count + 1, sizeof *qs);
		if (tc_bench_query_parse(line, tab + 1, &qs[count]) < 0) {
			rc = tc_error_set(err, TC_EPARSE, "%s:%zu: empty query", path, lineno);
			break;
		}
		count++;
	}
	free(line);
	fclose(f);
	if (rc < 0) {
		tc_bench_queries_free(qs, count);
		return rc;
	}
	*out = qs;
	*n = count;
	return TC_OK;
}

enum { ST_OK, ST_UNSUPPORTED, ST_ERROR };
static const char *const status_name[] = {"ok", "unsupported", "error"};

typedef struct result {
	int status;
	int top;          /* results the timed top-10 fetched */
	uint64_t hits;    /* exact count, from the warm pass */
	uint64_t ns;      /* latency of the timed top-10 */
	int in_throughput; /* ok, and of a kind every engine has (not a quantity) */
} result;

typedef struct run {
	const tc_bench_engine *e;
	const char *index;
	const tc_bench_query *q;
	result *r;
	size_t n;
	atomic_size_t next;  /* throughput passes: the next query to take */
} run;

static void report_error(const run *R, size_t i, const char *what, const tc_error *err)
{
	fprintf(stderr, "%s: query %zu (%s) %s: %s\n", R->e->name, i + 1, R->q[i].text, what,
	        err->msg[0] ? err->msg : tc_strerror(err->code));
}

/* Warm pass: every query once, untimed, with its exact count. */
static void warm_pass(run *R, void *h)
{
	for (size_t i = 0; i < R->n; i++) {
		tc_error err = {0};
		int nres = 0;
		int rc = R->e->top10(h, &R->q[i], &nres, &err);
		if (rc == TC_BENCH_UNSUPPORTED) {
			R->r[i].status = ST_UNSUPPORTED;
			continue;
		}
		if (rc == 0)
			rc = R->e->count(h, &R->q[i], &R->r[i].hits, &err);
		if (rc < 0) {
			report_error(R, i, "failed", &err);
			R->r[i].status = ST_ERROR;
		}
	}
}

static void timed_pass(run *R, void *h)
{
	for (size_t i = 0; i < R->n; i++) {
		if (R->r[i].status != ST_OK)
			continue;
		tc_error err = {0};
		uint64_t t0 = tc_bench_now_ns();
		int rc = R->e->top10(h, &R->q[i], &R->r[i].top, &err);
		R->r[i].ns = tc_bench_now_ns() - t0;
		if (rc != 0) {
			report_error(R, i, "failed in the timed pass", &err);
			R->r[i].status = ST_ERROR;
		}
	}
}

typedef struct worker {
	run *R;
	void *h;
} worker;

static void *throughput_worker(void *arg)
{
	worker *w = arg;
	run *R = w->R;
	for (;;) {
		size_t i = atomic_fetch_add(&R->next, 1);
		if (i >= R->n)
			break;
		if (!R->r[i].in_throughput)
			continue;
		tc_error err = {0};
		int nres;
		R->e->top10(w->h, &R->q[i], &nres, &err);
	}
	return NULL;
}

/* One throughput pass on nt threads; returns queries/s, or -1 if a handle did not open. */
static double throughput_pass(run *R, int nt, size_t supported)
{
	worker *w = tc_calloc((size_t)nt, sizeof *w);
	pthread_t *tid = tc_calloc((size_t)nt, sizeof *tid);
	double qps = -1;
	int opened = 0;
	for (; opened < nt; opened++) {
		tc_error err = {0};
		w[opened].R = R;
		if (R->e->open(R->index, &w[opened].h, &err) < 0) {
			fprintf(stderr, "%s: %s\n", R->e->name, err.msg);
			goto out;
		}
	}
	atomic_store(&R->next, 0);
	uint64_t t0 = tc_bench_now_ns();
	int started = 0;
	for (; started < nt; started++)
		if (pthread_create(&tid[started], NULL, throughput_worker, &w[started]) != 0)
			break;
	for (int i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	uint64_t dt = tc_bench_now_ns() - t0;
	if (started == nt && dt > 0)
		qps = (double)supported * 1e9 / (double)dt;
out:
	for (int i = 0; i < opened; i++)
		R->e->close(w[i].h);
	free(w);
	free(tid);
	return qps;
}

static int write_tsv(const run *R, const char *path)
{
	FILE *f = fopen(path, "w");
	if (f == NULL) {
		fprintf(stderr, "%s: %s: %s\n", R->e->name, path, strerror(errno));
		return -1;
	}
	fprintf(f, "#n\tclass\tstatus\thits\ttop\tlatency_ns\tquery\n");
	for (size_t i = 0; i < R->n; i++) {
		const result *r = &R->r[i];
		fprintf(f, "%zu\t%s\t%s\t%llu\t%d\t%llu\t%s\n", i + 1, R->q[i].cls,
		        status_name[r->status], (unsigned long long)r->hits, r->top,
		        (unsigned long long)r->ns, R->q[i].text);
	}
	if (fclose(f) != 0) {
		fprintf(stderr, "%s: %s: write error\n", R->e->name, path);
		return -1;
	}
	return 0;
}

static int usage(const tc_bench_engine *e)
{
	fprintf(stderr, "usage: %s_driver query INDEX QUERIES -o OUT.tsv [-t 1,2]\n", e->name);
	return 2;
}

int tc_bench_query_main(const tc_bench_engine *e, int argc, char **argv)
{
	const char *pos[2] = {0}, *out = NULL, *threads = "1";
	int npos = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
			out = argv[++i];
		else if (strcmp(argv[i], "-t") == 0 && i + 1 < argc)
			threads = argv[++i];
		else if (argv[i][0] != '-' && npos < 2)
			pos[npos++] = argv[i];
		else
			return usage(e);
	}
	if (npos != 2 || out == NULL)
		return usage(e);

	tc_error err = {0};
	run R = {.e = e, .index = pos[0]};
	tc_bench_query *qs;
	if (tc_bench_queries_load(pos[1], &qs, &R.n, &err) < 0) {
		fprintf(stderr, "%s: %s\n", e->name, err.msg);
		return 1;
	}
	R.q = qs;
	R.r = tc_calloc(R.n ? R.n : 1, sizeof *R.r);
	void *h;
	if (e->open(R.index, &h, &err) < 0) {
		fprintf(stderr, "%s: %s\n", e->name, err.msg);
		tc_bench_queries_free(qs, R.n);
		free(R.r);
		return 1;
	}
	warm_pass(&R, h);
	timed_pass(&R, h);
	e->close(h);

	size_t supported = 0, errors = 0, tput = 0;
	for (size_t i = 0; i < R.n; i++) {
		supported += R.r[i].status == ST_OK;
		errors += R.r[i].status == ST_ERROR;
		R.r[i].in_throughput = R.r[i].status == ST_OK && R.q[i].kind != TC_BQ_QUANTITY &&
		                       R.q[i].kind != TC_BQ_OTHER;
		tput += R.r[i].in_throughput;
	}
	tc_buf js = {0};
	tc_buf_printf(&js, "{\"engine\":\"%s\",\"queries\":%zu,\"supported\":%zu,\"errors\":%zu,"
	              "\"qps_queries\":%zu,\"qps\":{", e->name, R.n, supported, errors, tput);
	const char *t = threads;
	int first = 1;
	while (*t) {
		char *end;
		long nt = strtol(t, &end, 10);
		if (end == t || nt < 1 || nt > 64)
			break;
		double qps = tput ? throughput_pass(&R, (int)nt, tput) : 0;
		tc_buf_printf(&js, "%s\"%ld\":%.1f", first ? "" : ",", nt, qps);
		first = 0;
		t = *end == ',' ? end + 1 : end;
	}
	tc_buf_puts(&js, "}}");
	int rc = write_tsv(&R, out);
	if (rc == 0)
		printf("%s\n", js.data);
	tc_buf_free(&js);
	tc_bench_queries_free(qs, R.n);
	free(R.r);
	return rc == 0 ? 0 : 1; /* failed queries are in the TSV and the summary */
}
