/*
 * report.c — turns one benchmark run into results.json, a Markdown report and the data
 * of the latency plot. bench/run.sh calls it after the engines have run.
 *
 *   report -d RUN_DIR -q QUERIES -c CORPUS_NAMES -j OUT.json -m OUT.md -p OUT.dat
 *          [-i PLOT.png] [-l LOAD_AVERAGES]
 *
 * RUN_DIR holds, per engine E (tracuu, tracuu-j2, fts5, xapian), whichever of these the
 * run produced; an engine with none of them is "not yet measured":
 *   E.build.json      the driver's build summary (tracuu: `tracuu stats --json`), with
 *                     {"bytes":{"total":N, part: N, ...}}
 *   E.build.time      /usr/bin/time -v output of the build
 *   E.optimize.json   E.optimize.time   the same for the peers' optimize step
 *   E.query.json      the harness summary (bench/lib/harness.h)
 *   E.queries.tsv     one line per query (bench/lib/harness.h)
 * and xapian-exact.queries.tsv: Xapian's top 10 asked for exact totals, as tracuu always
 * counts them (reported in a table of its own, not as a peer); tracuu-page.queries.tsv
 * and tracuu-page.query.json: tracuu's results pages (top 10 with titles and snippets,
 * `tracuu_driver page`), reported on their own: the peers build no snippets.
 * Ratios are always tracuu / peer: below 1 is better for times, sizes and latencies,
 * above 1 is better for MB/s and queries/s.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <json-c/json.h>

#include "common/buf.h"
#include "common/mem.h"

#define NOT_MEASURED "not yet measured"
#define MAX_LIST 40          /* hit-count differences listed in the Markdown */

enum { E_TRACUU, E_TRACUU_J2, E_FTS5, E_XAPIAN, N_ENGINES };
static const char *const ekey[N_ENGINES] = {"tracuu", "tracuu-j2", "fts5", "xapian"};
static const char *const elabel[N_ENGINES] = {"tracuu", "tracuu -j 2", "FTS5", "Xapian"};
/* Engines with a query side, and the peers, in table order. */
static const int qengines[] = {E_TRACUU, E_FTS5, E_XAPIAN};
static const int peers[] = {E_FTS5, E_XAPIAN};
#define N_Q (sizeof qengines / sizeof qengines[0])
#define N_PEERS (sizeof peers / sizeof peers[0])

typedef struct timing {
	int ok;                  /* the file was there and parsed */
	double wall_s, cpu_s;
	long rss_kb;
} timing;

typedef struct qrow {
	char *cls, *query;
	int status;              /* 0 ok, 1 unsupported, 2 error */
	unsigned long long hits, ns;
} qrow;

typedef struct cstat {       /* one class, one engine */
	size_t n, ok, unsupported, errors;
	double p50, p95, p99, mean;   /* ms */
} cstat;

typedef struct engine {
	json_object *build, *optimize, *query;
	timing build_t, optimize_t;
	qrow *q;
	size_t nq;
} engine;

typedef struct report {
	const char *dir, *queries, *corpus, *png, *load;
	engine e[N_ENGINES];
	char **cls;              /* classes in query-file order */
	size_t ncls;
	cstat (*cs)[N_Q];        /* cs[class][qengine] */
	engine xexact;           /* Xapian with exact totals (queries only) */
	cstat *xcs;              /* xcs[class] */
	engine page;             /* tracuu's results pages (queries only) */
	cstat *pcs;              /* pcs[class] */
	unsigned long long docs, raw_bytes, text_bytes;
} report;

/* ---- reading -------------------------------------------------------------------- */

static char *run_path(const report *r, const char *eng, const char *suffix)
{
	tc_buf b = {0};
	tc_buf_printf(&b, "%s/%s.%s", r->dir, eng, suffix);
	return b.data;
}

static json_object *load_json(const report *r, const char *eng, const char *suffix)
{
	char *p = run_path(r, eng, suffix);
	json_object *j = access(p, R_OK) == 0 ? json_object_from_file(p) : NULL;
	if (j == NULL && access(p, R_OK) == 0)
		fprintf(stderr, "report: %s: %s\n", p, json_util_get_last_err());
	free(p);
	return j;
}

/* Reads the figures of `/usr/bin/time -v` output. */
static timing load_time(const report *r, const char *eng, const char *suffix)
{
	timing t = {0};
	char *p = run_path(r, eng, suffix);
	FILE *f = fopen(p, "r");
	free(p);
	if (f == NULL)
		return t;
	char line[512];
	double user = 0, sys = 0;
	while (fgets(line, sizeof line, f)) {
		const char *s = line;
		while (*s == ' ' || *s == '\t')
			s++;
		if (strncmp(s, "User time (seconds):", 20) == 0)
			user = atof(s + 20);
		else if (strncmp(s, "System time (seconds):", 22) == 0)
			sys = atof(s + 22);
		else if (strncmp(s, "Maximum resident set size (kbytes):", 35) == 0)
			t.rss_kb = atol(s + 35);
		else if (strncmp(s, "Elapsed (wall clock) time", 25) == 0 && strstr(s, "): ")) {
			/* "...(h:mm:ss or m:ss): 1:02:03.45" or "0:04.52" */
			const char *v = strstr(s, "): ") + 3;
			int h, m;
			double sec;
			if (sscanf(v, "%d:%d:%lf", &h, &m, &sec) == 3)
				t.wall_s = h * 3600.0 + m * 60.0 + sec;
			else if (sscanf(v, "%d:%lf", &m, &sec) == 2)
				t.wall_s = m * 60.0 + sec;
			t.ok = 1;
		}
	}
	fclose(f);
	t.cpu_s = user + sys;
	return t;
}

static int load_tsv(const report *r, const char *eng, engine *e)
{
	char *p = run_path(r, eng, "queries.tsv");
	FILE *f = fopen(p, "r");
	free(p);
	if (f == NULL)
		return 0;
	char *line = NULL;
	size_t cap = 0, qcap = 0;
	ssize_t len;
	while ((len = getline(&line, &cap, f)) >= 0) {
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		char *col[7];
		int n = 0;
		char *save = NULL;
		for (char *t = strtok_r(line, "\t", &save); t && n < 7; t = strtok_r(NULL, "\t", &save))
			col[n++] = t;
		if (n < 7)
			continue;
		e->q = tc_grow(e->q, &qcap, e->nq + 1, sizeof *e->q);
		qrow *q = &e->q[e->nq++];
		q->cls = tc_strdup(col[1]);
		q->query = tc_strdup(col[6]);
		q->status = strcmp(col[2], "ok") == 0 ? 0 : strcmp(col[2], "unsupported") == 0 ? 1 : 2;
		q->hits = strtoull(col[3], NULL, 10);
		q->ns = strtoull(col[5], NULL, 10);
	}
	free(line);
	fclose(f);
	return 1;
}

static void load(report *r)
{
	load_tsv(r, "xapian-exact", &r->xexact);
	load_tsv(r, "tracuu-page", &r->page);
	r->page.query = load_json(r, "tracuu-page", "query.json");
	for (int i = 0; i < N_ENGINES; i++) {
		engine *e = &r->e[i];
		e->build = load_json(r, ekey[i], "build.json");
		e->optimize = load_json(r, ekey[i], "optimize.json");
		e->query = load_json(r, ekey[i], "query.json");
		e->build_t = load_time(r, ekey[i], "build.time");
		e->optimize_t = load_time(r, ekey[i], "optimize.time");
		load_tsv(r, ekey[i], e);
		json_object *b = e->build;
		if (b && json_object_get_int64(json_object_object_get(b, "raw_bytes")) > 0 && r->docs == 0) {
			r->docs = (unsigned long long)json_object_get_int64(json_object_object_get(b, "docs"));
			r->raw_bytes = (unsigned long long)json_object_get_int64(json_object_object_get(b, "raw_bytes"));
			r->text_bytes =
				(unsigned long long)json_object_get_int64(json_object_object_get(b, "text_bytes"));
		}
	}
}

/* ---- figures -------------------------------------------------------------------- */

static int by_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of sorted v[0..n). */
static double pct(const double *v, size_t n, double p)
{
	size_t k = (size_t)ceil(p / 100.0 * (double)n);
	return v[k ? k - 1 : 0];
}

static int class_index(const report *r, const char *cls)
{
	for (size_t i = 0; i < r->ncls; i++)
		if (strcmp(r->cls[i], cls) == 0)
			return (int)i;
	return -1;
}

/* Latency percentiles of e's queries of class cls; v is scratch. */
static void engine_stat(const engine *e, const char *cls, cstat *s, double **v, size_t *vcap)
{
	size_t nv = 0;
	double sum = 0;
	for (size_t i = 0; i < e->nq; i++) {
		if (strcmp(e->q[i].cls, cls) != 0)
			continue;
		s->n++;
		s->unsupported += e->q[i].status == 1;
		s->errors += e->q[i].status == 2;
		if (e->q[i].status != 0)
			continue;
		*v = tc_grow(*v, vcap, nv + 1, sizeof **v);
		(*v)[nv++] = (double)e->q[i].ns / 1e6;
		sum += (double)e->q[i].ns / 1e6;
	}
	s->ok = nv;
	if (nv == 0)
		return;
	qsort(*v, nv, sizeof **v, by_double);
	s->p50 = pct(*v, nv, 50);
	s->p95 = pct(*v, nv, 95);
	s->p99 = pct(*v, nv, 99);
	s->mean = sum / (double)nv;
}

static void class_stats(report *r)
{
	size_t cap = 0;
	for (size_t k = 0; k < N_Q; k++) {
		const engine *e = &r->e[qengines[k]];
		for (size_t i = 0; i < e->nq; i++)
			if (class_index(r, e->q[i].cls) < 0) {
				r->cls = tc_grow(r->cls, &cap, r->ncls + 1, sizeof *r->cls);
				r->cls[r->ncls++] = e->q[i].cls;
			}
	}
	r->cs = tc_calloc(r->ncls ? r->ncls : 1, sizeof *r->cs);
	r->xcs = tc_calloc(r->ncls ? r->ncls : 1, sizeof *r->xcs);
	r->pcs = tc_calloc(r->ncls ? r->ncls : 1, sizeof *r->pcs);
	double *v = NULL;
	size_t vcap = 0;
	for (size_t c = 0; c < r->ncls; c++) {
		for (size_t k = 0; k < N_Q; k++)
			engine_stat(&r->e[qengines[k]], r->cls[c], &r->cs[c][k], &v, &vcap);
		engine_stat(&r->xexact, r->cls[c], &r->xcs[c], &v, &vcap);
		engine_stat(&r->page, r->cls[c], &r->pcs[c], &v, &vcap);
	}
	free(v);
}

static int measured_index(const engine *e)
{
	return e->build_t.ok;
}

static double mb_s(const report *r, const engine *e)
{
	return e->build_t.wall_s > 0 ? (double)r->raw_bytes / 1e6 / e->build_t.wall_s : 0;
}

static double total_bytes(const json_object *j)
{
	return j ? (double)json_object_get_int64(json_object_object_get(json_object_object_get(j, "bytes"), "total"))
	         : 0;
}

/* The size of the index the queries ran on: after optimize where there was one. */
static double final_bytes(const engine *e)
{
	return e->optimize ? total_bytes(e->optimize) : total_bytes(e->build);
}

static double qps(const engine *e, const char *threads)
{
	json_object *q = json_object_object_get(json_object_object_get(e->query, "qps"), threads);
	return q ? json_object_get_double(q) : 0;
}

/* Folding explains a count difference with FTS5 when the query has a d or đ in it:
 * FTS5 keeps đ apart from d, the others fold it to d. */
static int has_d(const char *q)
{
	for (const unsigned char *s = (const unsigned char *)q; *s; s++)
		if (*s == 'd' || *s == 'D' || (s[0] == 0xC4 && (s[1] == 0x90 || s[1] == 0x91)))
			return 1;
	return 0;
}

/* ---- writing: results.json ------------------------------------------------------ */

static int is_string(const json_object *v)
{
	return json_object_is_type(v, json_type_string);
}

static int is_number(const json_object *v)
{
	return json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double);
}

static int is_object(const json_object *v)
{
	return json_object_is_type(v, json_type_object);
}

static json_object *jnum_or_null(double v, int ok)
{
	return ok ? json_object_new_double(v) : NULL;
}

static json_object *timing_json(const timing *t)
{
	if (!t->ok)
		return NULL;
	json_object *o = json_object_new_object();
	json_object_object_add(o, "wall_s", json_object_new_double(t->wall_s));
	json_object_object_add(o, "cpu_s", json_object_new_double(t->cpu_s));
	json_object_object_add(o, "peak_rss_kb", json_object_new_int64((int64_t)t->rss_kb));
	return o;
}

static json_object *cstat_json(const cstat *s)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "queries", json_object_new_int64((int64_t)s->n));
	json_object_object_add(o, "ok", json_object_new_int64((int64_t)s->ok));
	json_object_object_add(o, "unsupported", json_object_new_int64((int64_t)s->unsupported));
	json_object_object_add(o, "errors", json_object_new_int64((int64_t)s->errors));
	json_object_object_add(o, "p50_ms", jnum_or_null(s->p50, s->ok > 0));
	json_object_object_add(o, "p95_ms", jnum_or_null(s->p95, s->ok > 0));
	json_object_object_add(o, "p99_ms", jnum_or_null(s->p99, s->ok > 0));
	json_object_object_add(o, "mean_ms", jnum_or_null(s->mean, s->ok > 0));
	return o;
}

/* One object of per-class statistics cs[0..ncls). */
static json_object *classes_json(const report *r, const cstat *cs)
{
	json_object *cls = json_object_new_object();
	for (size_t c = 0; c < r->ncls; c++)
		json_object_object_add(cls, r->cls[c], cstat_json(&cs[c]));
	return cls;
}

/* Xapian with exact totals, by class; null when it did not run. */
static json_object *xexact_json(const report *r)
{
	return r->xexact.nq == 0 ? NULL : classes_json(r, r->xcs);
}

/* tracuu's results pages, by class; null when they were not timed. */
static json_object *page_json(const report *r)
{
	if (r->page.nq == 0)
		return NULL;
	json_object *cls = classes_json(r, r->pcs);
	json_object *o = json_object_new_object();
	json_object_object_add(o, "what",
	                       json_object_new_string("top 10 with ids, titles and 200-byte snippets"));
	json_object_object_add(o, "summary", json_object_get(r->page.query));
	json_object_object_add(o, "classes", cls);
	return o;
}

static json_object *engine_json(const report *r, int i)
{
	const engine *e = &r->e[i];
	json_object *o = json_object_new_object();
	json_object_object_add(o, "measured", json_object_new_boolean(measured_index(e) || e->query));
	if (measured_index(e)) {
		json_object *ix = json_object_new_object();
		json_object_object_add(ix, "build", timing_json(&e->build_t));
		json_object_object_add(ix, "mb_s", json_object_new_double(mb_s(r, e)));
		json_object_object_add(ix, "bytes", json_object_get(json_object_object_get(e->build, "bytes")));
		if (e->optimize) {
			json_object_object_add(ix, "optimize", timing_json(&e->optimize_t));
			json_object_object_add(ix, "optimized_bytes",
			                    json_object_get(json_object_object_get(e->optimize, "bytes")));
		}
		json_object_object_add(ix, "size_to_raw",
		                    jnum_or_null(final_bytes(e) / (double)r->raw_bytes,
		                                 r->raw_bytes > 0 && final_bytes(e) > 0));
		json_object_object_add(o, "index", ix);
	} else {
		json_object_object_add(o, "index", NULL);
	}
	int k = -1;
	for (size_t j = 0; j < N_Q; j++)
		if (qengines[j] == i)
			k = (int)j;
	if (k < 0)
		return o;
	if (e->query == NULL) {
		json_object_object_add(o, "query", NULL);
		return o;
	}
	json_object *q = json_object_new_object();
	json_object_object_add(q, "summary", json_object_get(e->query));
	json_object *cls = json_object_new_object();
	for (size_t c = 0; c < r->ncls; c++)
		json_object_object_add(cls, r->cls[c], cstat_json(&r->cs[c][k]));
	json_object_object_add(q, "classes", cls);
	json_object_object_add(o, "query", q);
	return o;
}

/*
 * Hit-count cross-check over every query two or more engines answered. A difference
 * falls in the first of these that fits:
 *   X_FOLD   only FTS5 differs and the query has a d or đ: FTS5 keeps đ apart from d,
 *            the others fold it (explained);
 *   X_TOKEN  only FTS5 differs, no d in the query: its unicode61 tokeniser cut the text
 *            differently from tracuu's analyser (which Xapian's folded text went
 *            through);
 *   X_CORE   tracuu and Xapian differ: both see text folded by tracuu's analyser and
 *            the same quantities, but cut words their own way; small differences come
 *            from that, large ones are worth a look.
 */
enum { X_EQUAL, X_FOLD, X_TOKEN, X_CORE, N_X };
static const char *const xname[N_X] = {"equal", "explained_by_folding", "fts5_tokeniser",
                                       "tracuu_vs_xapian"};

typedef struct xcheck {
	size_t n[N_X];           /* queries per category */
	size_t (*by_class)[N_X]; /* the same, per class */
	json_object *diff[N_X];       /* arrays of {n, class, query, hits:{engine: count}} */
} xcheck;

/* The category of query i, or -1 when fewer than two engines answered it. */
static int classify(const report *r, size_t i)
{
	const qrow *t = NULL, *f = NULL, *x = NULL;
	const engine *et = &r->e[E_TRACUU], *ef = &r->e[E_FTS5], *ex = &r->e[E_XAPIAN];
	if (i < et->nq && et->q[i].status == 0)
		t = &et->q[i];
	if (i < ef->nq && ef->q[i].status == 0)
		f = &ef->q[i];
	if (i < ex->nq && ex->q[i].status == 0)
		x = &ex->q[i];
	if ((t != NULL) + (f != NULL) + (x != NULL) < 2)
		return -1;
	if (t && x && t->hits != x->hits)
		return X_CORE;
	const qrow *other = t ? t : x; /* tracuu and Xapian agree, or only one answered */
	if (f == NULL || other == NULL || f->hits == other->hits)
		return X_EQUAL;
	return has_d(f->query) ? X_FOLD : X_TOKEN;
}

static xcheck crosscheck(const report *r)
{
	xcheck x = {.by_class = tc_calloc(r->ncls ? r->ncls : 1, sizeof *x.by_class)};
	for (int k = 0; k < N_X; k++)
		x.diff[k] = json_object_new_array();
	size_t n = 0;
	for (size_t k = 0; k < N_Q; k++) {
		const engine *e = &r->e[qengines[k]];
		if (e->nq == 0)
			continue;
		if (n == 0)
			n = e->nq;
		else if (n != e->nq)
			return x; /* not the same query file: nothing to compare */
	}
	for (size_t i = 0; i < n; i++) {
		int c = classify(r, i);
		if (c < 0)
			continue;
		const qrow *q = NULL;
		json_object *hits = json_object_new_object();
		for (size_t k = 0; k < N_Q; k++) {
			const engine *e = &r->e[qengines[k]];
			if (e->nq == 0 || e->q[i].status != 0)
				continue;
			q = &e->q[i];
			json_object_object_add(hits, ekey[qengines[k]], json_object_new_int64((int64_t)q->hits));
		}
		x.n[c]++;
		x.by_class[class_index(r, q->cls)][c]++;
		if (c == X_EQUAL) {
			json_object_put(hits);
			continue;
		}
		json_object *d = json_object_new_object();
		json_object_object_add(d, "n", json_object_new_int64((int64_t)i + 1));
		json_object_object_add(d, "class", json_object_new_string(q->cls));
		json_object_object_add(d, "query", json_object_new_string(q->query));
		json_object_object_add(d, "hits", hits);
		json_object_array_add(x.diff[c], d);
	}
	return x;
}

static void xcheck_free(xcheck *x)
{
	for (int k = 0; k < N_X; k++)
		json_object_put(x->diff[k]);
	free(x->by_class);
}

static json_object *xcheck_json(const xcheck *x)
{
	json_object *o = json_object_new_object();
	for (int k = 0; k < N_X; k++)
		json_object_object_add(o, xname[k], json_object_new_int64((int64_t)x->n[k]));
	for (int k = X_FOLD; k < N_X; k++) {
		char key[64];
		snprintf(key, sizeof key, "%s_queries", xname[k]);
		json_object_object_add(o, key, json_object_get(x->diff[k]));
	}
	return o;
}

static void cpu_model(char *out, size_t n)
{
	snprintf(out, n, "unknown CPU");
	FILE *f = fopen("/proc/cpuinfo", "r");
	if (f == NULL)
		return;
	char line[512];
	while (fgets(line, sizeof line, f))
		if (strncmp(line, "model name", 10) == 0) {
			char *v = strchr(line, ':');
			if (v) {
				v += 1 + (v[1] == ' ');
				v[strcspn(v, "\n")] = '\0';
				snprintf(out, n, "%s", v);
			}
			break;
		}
	fclose(f);
}

/* ---- writing: Markdown ---------------------------------------------------------- */

static void cell_num(FILE *f, int ok, const char *fmt, double v)
{
	fputs(" | ", f);
	if (ok)
		fprintf(f, fmt, v);
	else
		fputs(NOT_MEASURED, f);
}

static void cell_ratio(FILE *f, double num, double den, int ok)
{
	fputs(" | ", f);
	if (ok && num > 0 && den > 0)
		fprintf(f, "%.2f", num / den);
	else
		fputs("—", f);
}

/* One row of the indexing table: a figure for every engine, then tracuu/peer. */
static void index_row(FILE *f, const report *r, const char *label, const char *fmt,
                      double (*get)(const report *, const engine *, int *ok))
{
	fprintf(f, "| %s", label);
	double v[N_ENGINES];
	int ok[N_ENGINES];
	for (int i = 0; i < N_ENGINES; i++) {
		ok[i] = 0;
		v[i] = measured_index(&r->e[i]) ? get(r, &r->e[i], &ok[i]) : 0;
		if (ok[i])
			fputs(" | ", f), fprintf(f, fmt, v[i]);
		else
			fputs(measured_index(&r->e[i]) ? " | —" : " | " NOT_MEASURED, f);
	}
	for (size_t p = 0; p < N_PEERS; p++)
		cell_ratio(f, v[E_TRACUU], v[peers[p]], ok[E_TRACUU] && ok[peers[p]]);
	fputs(" |\n", f);
}

static double get_wall(const report *r, const engine *e, int *ok)
{
	(void)r;
	*ok = e->build_t.ok;
	return e->build_t.wall_s;
}
static double get_mbs(const report *r, const engine *e, int *ok)
{
	*ok = e->build_t.ok && r->raw_bytes > 0;
	return mb_s(r, e);
}
static double get_cpu(const report *r, const engine *e, int *ok)
{
	(void)r;
	*ok = e->build_t.ok;
	return e->build_t.cpu_s;
}
static double get_rss(const report *r, const engine *e, int *ok)
{
	(void)r;
	*ok = e->build_t.ok && e->build_t.rss_kb > 0;
	return (double)e->build_t.rss_kb / 1024.0;
}
static double get_size_built(const report *r, const engine *e, int *ok)
{
	(void)r;
	*ok = total_bytes(e->build) > 0;
	return total_bytes(e->build) / 1e6;
}
static double get_qty_s(const report *r, const engine *e, int *ok)
{
	(void)r;
	json_object *v = json_object_object_get(e->build, "quantity_s");
	*ok = is_number(v);
	return json_object_get_double(v);
}
static double get_opt_wall(const report *r, const engine *e, int *ok)
{
	(void)r;
	*ok = e->optimize_t.ok;
	return e->optimize_t.wall_s;
}
static double get_size_final(const report *r, const engine *e, int *ok)
{
	(void)r;
	*ok = final_bytes(e) > 0;
	return final_bytes(e) / 1e6;
}
static double get_size_ratio(const report *r, const engine *e, int *ok)
{
	*ok = final_bytes(e) > 0 && r->raw_bytes > 0;
	return final_bytes(e) / (double)r->raw_bytes;
}

static void write_parts(FILE *f, const report *r)
{
	fprintf(f, "\nIndex size by part (MB, the index the queries ran on):\n\n");
	for (int i = 0; i < N_ENGINES; i++) {
		const engine *e = &r->e[i];
		json_object *bytes = json_object_object_get(e->optimize ? e->optimize : e->build, "bytes");
		fprintf(f, "- %s:", elabel[i]);
		if (!is_object(bytes)) {
			fprintf(f, " %s\n", NOT_MEASURED);
			continue;
		}
		int first = 1;
		json_object_object_foreach(bytes, key, v) {
			if (strcmp(key, "total") == 0 || json_object_get_int64(v) <= 0)
				continue;
			fprintf(f, "%s %s %.2f", first ? "" : ",", key, (double)json_object_get_int64(v) / 1e6);
			first = 0;
		}
		fputs(first ? " total only, no parts reported\n" : "\n", f);
	}
}

/* " | p50 / p95 / p99" of one class and engine, or why there is none. */
static void latency_cell(FILE *f, const cstat *s)
{
	if (s->ok)
		fprintf(f, " | %.3f / %.3f / %.3f", s->p50, s->p95, s->p99);
	else if (s->n && s->unsupported == s->n)
		fprintf(f, " | unsupported");
	else if (s->n)
		fprintf(f, " | errors");
	else
		fprintf(f, " | %s", NOT_MEASURED);
	if (s->errors)
		fprintf(f, " (%zu errors)", s->errors);
}

/* tracuu's results pages, when they were timed: no peer column, the peers build none. */
static void write_page(FILE *f, const report *r)
{
	if (r->page.nq == 0)
		return;
	fprintf(f, "\n## Results page, tracuu only (ms: p50 / p95 / p99)\n\n"
	        "What a user of `tracuu search` waits for: the same queries, each answered "
	        "with its top 10 and, for every hit, its id, its stored title and a 200-byte "
	        "snippet of its body with the matches marked (one doc store fetch and one "
	        "snippet per hit); the peers store no text to cut snippets from, so there is "
	        "no ratio.\n\n| class | queries | tracuu, results page |\n|---|---:|---:|\n");
	for (size_t c = 0; c < r->ncls; c++) {
		fprintf(f, "| %s | %zu", r->cls[c], r->pcs[c].n);
		latency_cell(f, &r->pcs[c]);
		fprintf(f, " |\n");
	}
	json_object *q = json_object_object_get(json_object_object_get(r->page.query, "qps"), "1");
	if (q)
		fprintf(f, "\nResults pages per second, one thread, quantity comparisons left "
		        "out: %.0f.\n", json_object_get_double(q));
}

/* The table of Xapian with exact totals, when that run exists: the like-for-like view of
   tracuu's work, kept apart from the peers' table the targets are read on. */
static void write_xexact(FILE *f, const report *r)
{
	if (r->xexact.nq == 0)
		return;
	fprintf(f, "\n### Xapian asked for exact totals\n\n"
	        "Xapian's top 10 above is its default, whose total is an estimate: its matcher "
	        "may skip documents that cannot enter the top 10 (a value-range filter stops "
	        "after 10 matches). tracuu always counts every match. Here Xapian is asked for "
	        "exact totals too (`get_mset(0, 10, doccount)`), the same work on both sides; "
	        "the targets are read on the table above.\n\n"
	        "| class | Xapian, exact totals | p50 tracuu/Xapian exact |\n|---|---:|---:|\n");
	for (size_t c = 0; c < r->ncls; c++) {
		fprintf(f, "| %s", r->cls[c]);
		latency_cell(f, &r->xcs[c]);
		cell_ratio(f, r->cs[c][0].p50, r->xcs[c].p50, r->cs[c][0].ok && r->xcs[c].ok);
		fprintf(f, " |\n");
	}
}

/* The rest of a table's head after its first columns (lead columns in all, the first
   left-aligned): a column per query engine, then one "RATIO/peer" per peer. */
static void engines_head(FILE *f, const char *ratio, size_t lead)
{
	for (size_t k = 0; k < N_Q; k++)
		fprintf(f, " | %s", elabel[qengines[k]]);
	for (size_t p = 0; p < N_PEERS; p++)
		fprintf(f, " | %s/%s", ratio, elabel[peers[p]]);
	fprintf(f, " |\n|---");
	for (size_t k = 1; k < lead + N_Q + N_PEERS; k++)
		fprintf(f, "|---:");
	fprintf(f, "|\n");
}

static void write_latency(FILE *f, const report *r)
{
	fprintf(f, "\n## Query latency, top 10 (ms: p50 / p95 / p99)\n\n| class | queries");
	engines_head(f, "p50 tracuu", 2);
	for (size_t c = 0; c < r->ncls; c++) {
		size_t n = 0;
		for (size_t k = 0; k < N_Q; k++)
			if (r->cs[c][k].n > n)
				n = r->cs[c][k].n;
		fprintf(f, "| %s | %zu", r->cls[c], n);
		for (size_t k = 0; k < N_Q; k++)
			latency_cell(f, &r->cs[c][k]);
		for (size_t p = 0; p < N_PEERS; p++) {
			const cstat *t = &r->cs[c][0], *s = &r->cs[c][p + 1];
			cell_ratio(f, t->p50, s->p50, t->ok && s->ok);
		}
		fprintf(f, " |\n");
	}
}

static void write_throughput(FILE *f, const report *r)
{
	size_t nq = 0;
	for (size_t k = 0; k < N_Q; k++) {
		json_object *v = json_object_object_get(r->e[qengines[k]].query, "qps_queries");
		if (v)
			nq = (size_t)json_object_get_int64(v);
	}
	fprintf(f, "\n## Throughput (queries/s, top 10, over the %zu queries other than quantity "
	        "comparisons)\n\n| threads", nq);
	engines_head(f, "tracuu", 1);
	static const char *const threads[] = {"1", "2"};
	for (size_t t = 0; t < 2; t++) {
		fprintf(f, "| %s", threads[t]);
		for (size_t k = 0; k < N_Q; k++) {
			const engine *e = &r->e[qengines[k]];
			cell_num(f, e->query && qps(e, threads[t]) > 0, "%.0f", qps(e, threads[t]));
		}
		for (size_t p = 0; p < N_PEERS; p++)
			cell_ratio(f, qps(&r->e[E_TRACUU], threads[t]), qps(&r->e[peers[p]], threads[t]),
			           r->e[E_TRACUU].query && r->e[peers[p]].query);
		fprintf(f, " |\n");
	}
}

/* Lists up to max of the queries in arr. */
static void write_diff_list(FILE *f, json_object *arr, size_t max)
{
	size_t nu = json_object_array_length(arr);
	if (nu == 0)
		return;
	fprintf(f, "\n| # | class | query | hits |\n|---:|---|---|---|\n");
	for (size_t i = 0; i < nu && i < max; i++) {
		json_object *u = json_object_array_get_idx(arr, i);
		const char *cls = json_object_get_string(json_object_object_get(u, "class"));
		/* phrases are quotes of the corpus, which RESULTS.md (committed) does not carry */
		int quote = strncmp(cls, "phrase", 6) == 0;
		fprintf(f, "| %lld | %s | %s%s%s |", (long long)json_object_get_int64(json_object_object_get(u, "n")),
		        cls, quote ? "" : "`",
		        quote ? "(in results.json)" : json_object_get_string(json_object_object_get(u, "query")),
		        quote ? "" : "`");
		int first = 1;
		json_object *hits = json_object_object_get(u, "hits");
		json_object_object_foreach(hits, key, v) {
			fprintf(f, "%s %s %lld", first ? "" : ",", key, (long long)json_object_get_int64(v));
			first = 0;
		}
		fprintf(f, " |\n");
	}
	if (nu > max)
		fprintf(f, "\n%zu more in results.json.\n", nu - max);
}

static void write_crosscheck(FILE *f, const report *r, const xcheck *x)
{
	size_t all = 0;
	for (int k = 0; k < N_X; k++)
		all += x->n[k];
	fprintf(f, "\n## Hit counts\n\nEvery query answered by two or more engines (%zu), by "
	        "how the engines' counts compare:\n\n"
	        "- same: the same count everywhere;\n"
	        "- đ folding: only FTS5 differs and the query has a d or đ (FTS5 keeps đ apart "
	        "from d; explained);\n"
	        "- FTS5 tokens: only FTS5 differs, no d in the query (its unicode61 tokeniser "
	        "cuts some text differently from tracuu's analyser, whose folded text Xapian "
	        "indexes);\n"
	        "- tracuu ≠ Xapian: both index text folded by tracuu's analyser and the same "
	        "quantities, but each cuts the text into words its own way (ICU word breaks "
	        "and connectors in tracuu, TermGenerator in Xapian): a difference of a few "
	        "documents is that; more is worth a look.\n\n"
	        "| class | same | đ folding | FTS5 tokens | tracuu ≠ Xapian |\n"
	        "|---|---:|---:|---:|---:|\n", all);
	for (size_t c = 0; c < r->ncls; c++)
		fprintf(f, "| %s | %zu | %zu | %zu | %zu |\n", r->cls[c], x->by_class[c][X_EQUAL],
		        x->by_class[c][X_FOLD], x->by_class[c][X_TOKEN], x->by_class[c][X_CORE]);
	fprintf(f, "| **all** | %zu | %zu | %zu | %zu |\n", x->n[X_EQUAL], x->n[X_FOLD],
	        x->n[X_TOKEN], x->n[X_CORE]);
	if (x->n[X_CORE]) {
		fprintf(f, "\ntracuu ≠ Xapian (the first %d):\n", MAX_LIST);
		write_diff_list(f, x->diff[X_CORE], MAX_LIST);
	}
	if (x->n[X_TOKEN]) {
		fprintf(f, "\nFTS5 tokens (the first %d):\n", MAX_LIST / 2);
		write_diff_list(f, x->diff[X_TOKEN], MAX_LIST / 2);
	}
}

static void write_md(FILE *f, const report *r, const char *date, const char *cpu, long cores,
                     const xcheck *x)
{
	fprintf(f, "# Benchmark: tracuu, SQLite FTS5 and Xapian\n\n");
	fprintf(f, "Run of %s on %s (%ld cores). Corpus: %s, %llu documents, %.1f MB of raw "
	        "JSONL (%.1f MB of title and body text). Queries: %s.\n", date, cpu, cores,
	        r->corpus, r->docs, (double)r->raw_bytes / 1e6, (double)r->text_bytes / 1e6,
	        r->queries);
	if (r->load)
		fprintf(f, "\nLoad average of the machine (1, 5, 15 min): %s the run.\n", r->load);
	fprintf(f, "\nPeers:");
	for (size_t p = 0; p < N_PEERS; p++) {
		json_object *v = json_object_object_get(r->e[peers[p]].build, "version");
		fprintf(f, "%s %s (%s)", p ? "," : "", elabel[peers[p]],
		        is_string(v) ? json_object_get_string(v) : "(version unknown)");
	}
	fprintf(f, ".\n");
	if (!measured_index(&r->e[E_TRACUU]) && r->e[E_TRACUU].query == NULL)
		fprintf(f, "\ntracuu is **%s**: `tracuu index` does not exist yet, so there was no "
		        "index to time or to query. The run measures the peers; tracuu's columns and "
		        "the ratios fill in once it exists (bench/README.md, \"Where tracuu plugs "
		        "in\").\n", NOT_MEASURED);
	fprintf(f, "\nRatios are tracuu / peer: below 1 is better for times, sizes and latency; "
	        "above 1 is better for MB/s and queries/s.\n");

	fprintf(f, "\n## Indexing\n\n| | ");
	for (int i = 0; i < N_ENGINES; i++)
		fprintf(f, "%s | ", elabel[i]);
	for (size_t p = 0; p < N_PEERS; p++)
		fprintf(f, "tracuu/%s | ", elabel[peers[p]]);
	fprintf(f, "\n|---");
	for (size_t i = 0; i < N_ENGINES + N_PEERS; i++)
		fprintf(f, "|---:");
	fprintf(f, "|\n");
	index_row(f, r, "build wall time (s)", "%.2f", get_wall);
	index_row(f, r, "build MB/s (raw JSONL)", "%.1f", get_mbs);
	index_row(f, r, "build CPU time (s)", "%.2f", get_cpu);
	index_row(f, r, "of which quantity extraction (s)", "%.2f", get_qty_s);
	index_row(f, r, "build peak RSS (MB)", "%.0f", get_rss);
	index_row(f, r, "index size after build (MB)", "%.1f", get_size_built);
	index_row(f, r, "optimize wall time (s)", "%.2f", get_opt_wall);
	index_row(f, r, "index size queried (MB)", "%.1f", get_size_final);
	index_row(f, r, "index size / raw JSONL", "%.2f", get_size_ratio);
	write_parts(f, r);
	write_latency(f, r);
	write_xexact(f, r);
	write_page(f, r);
	if (r->png)
		fprintf(f, "\n![p50 latency per class and engine](%s)\n", r->png);
	write_throughput(f, r);
	write_crosscheck(f, r, x);

	fprintf(f, "\n## How it was measured\n\n"
	        "- `make bench` (bench/run.sh) runs every engine one after the other on the same "
	        "corpus files and the same query file (bench/gen_queries.c, fixed seed), on the "
	        "same machine in the same run.\n"
	        "- Build: wall time, CPU time and peak RSS from `/usr/bin/time -v` around the "
	        "whole build command (reading and decompressing the corpus included); each build "
	        "is run three times from nothing and the run with the median wall time is the "
	        "one reported (`BUILD_RUNS`). MB/s = raw "
	        "JSONL bytes / build wall time. The peers' optimize step (FTS5 `optimize` + "
	        "`VACUUM`, Xapian `compact`) is timed apart; queries run on the optimized "
	        "index, whose size is the one compared.\n"
	        "- FTS5: `fts5(id UNINDEXED, title, body, tokenize='unicode61 remove_diacritics "
	        "2')`, text stored, one transaction, default settings; read-only connections "
	        "with mmap; top 10 by `rank` (bm25).\n"
	        "- Xapian: text folded by tracuu's analyser (lower case, no diacritics, đ -> d), "
	        "TermGenerator with positions, no stemming, the id as document data, no text "
	        "stored; QueryParser with AND as default operator, phrases, wildcards; BM25. "
	        "Numbers: tracuu's analyser and quantity extractor run during the build (their "
	        "time is part of Xapian's, and also on its own row) and each unit key gets two "
	        "value slots, the largest and the smallest "
	        "value a document mentions with it; `> x` / `< x` are value-range queries on "
	        "them (an OR over the keys of a unit written several ways, `usd`/`do la`/`dola`, "
	        "as tracuu searches it).\n"
	        "- Queries: in-process, one untimed warm pass (which also takes every exact "
	        "count, never timed), then one timed pass of each query's top 10 with the ids "
	        "fetched; p50/p95/p99 are nearest-rank over the class. FTS5 has no numeric "
	        "fields: quantity comparisons are unsupported there. Throughput: a pass over "
	        "the queries with 1, then 2 threads, one handle per thread, leaving out the "
	        "quantity comparisons so that every engine runs the same queries.\n"
	        "- The machine is shared (2 cores): compare ratios from the same run, not "
	        "absolute figures across runs.\n");
}

/* ---- writing: plot data --------------------------------------------------------- */

static void write_plot_data(FILE *f, const report *r)
{
	/* the first line is the column heads gnuplot's legend uses */
	fprintf(f, "class");
	for (size_t k = 0; k < N_Q; k++) {
		size_t ok = 0;
		for (size_t c = 0; c < r->ncls; c++)
			ok += r->cs[c][k].ok;
		fprintf(f, "\t%s%s", elabel[qengines[k]], ok ? "" : " (" NOT_MEASURED ")");
	}
	fprintf(f, "\n");
	for (size_t c = 0; c < r->ncls; c++) {
		fprintf(f, "%s", r->cls[c]);
		for (size_t k = 0; k < N_Q; k++) {
			if (r->cs[c][k].ok)
				fprintf(f, "\t%.4f", r->cs[c][k].p50);
			else
				fprintf(f, "\t?");
		}
		fprintf(f, "\n");
	}
}

static int usage(void)
{
	fprintf(stderr, "usage: report -d RUN_DIR -q QUERIES -c CORPUS -j OUT.json -m OUT.md "
	        "-p OUT.dat [-i PLOT.png] [-l LOAD]\n");
	return 2;
}

static void engine_free(engine *e)
{
	json_object_put(e->build);
	json_object_put(e->optimize);
	json_object_put(e->query);
	for (size_t k = 0; k < e->nq; k++) {
		free(e->q[k].cls);
		free(e->q[k].query);
	}
	free(e->q);
}

int main(int argc, char **argv)
{
	report r = {0};
	const char *json_out = NULL, *md_out = NULL, *dat_out = NULL;
	for (int i = 1; i + 1 < argc; i += 2) {
		const char *o = argv[i], *v = argv[i + 1];
		if (strcmp(o, "-d") == 0)
			r.dir = v;
		else if (strcmp(o, "-q") == 0)
			r.queries = v;
		else if (strcmp(o, "-c") == 0)
			r.corpus = v;
		else if (strcmp(o, "-j") == 0)
			json_out = v;
		else if (strcmp(o, "-m") == 0)
			md_out = v;
		else if (strcmp(o, "-p") == 0)
			dat_out = v;
		else if (strcmp(o, "-i") == 0)
			r.png = v;
		else if (strcmp(o, "-l") == 0)
			r.load = v;
		else
			return usage();
	}
	if (argc % 2 == 0 || !r.dir || !r.queries || !r.corpus || !json_out || !md_out || !dat_out)
		return usage();
	load(&r);
	class_stats(&r);
	xcheck x = crosscheck(&r);

	char date[64], cpu[256];
	time_t now = time(NULL);
	strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", gmtime(&now));
	cpu_model(cpu, sizeof cpu);
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	struct utsname u;
	uname(&u);

	json_object *engines = json_object_new_object();
	for (int i = 0; i < N_ENGINES; i++)
		json_object_object_add(engines, ekey[i], engine_json(&r, i));
	json_object *cls = json_object_new_array();
	for (size_t c = 0; c < r.ncls; c++)
		json_object_array_add(cls, json_object_new_string(r.cls[c]));
	json_object *machine = json_object_new_object();
	json_object_object_add(machine, "cpu", json_object_new_string(cpu));
	json_object_object_add(machine, "cores", json_object_new_int64((int64_t)cores));
	json_object_object_add(machine, "kernel", json_object_new_string(u.release));
	json_object_object_add(machine, "load", json_object_new_string(r.load ? r.load : "unknown"));
	json_object *corpus = json_object_new_object();
	json_object_object_add(corpus, "files", json_object_new_string(r.corpus));
	json_object_object_add(corpus, "docs", json_object_new_int64((int64_t)r.docs));
	json_object_object_add(corpus, "raw_bytes", json_object_new_int64((int64_t)r.raw_bytes));
	json_object_object_add(corpus, "text_bytes", json_object_new_int64((int64_t)r.text_bytes));
	json_object *queries = json_object_new_object();
	json_object_object_add(queries, "file", json_object_new_string(r.queries));
	json_object_object_add(queries, "classes", cls);
	json_object *root = json_object_new_object();
	json_object_object_add(root, "date", json_object_new_string(date));
	json_object_object_add(root, "machine", machine);
	json_object_object_add(root, "corpus", corpus);
	json_object_object_add(root, "queries", queries);
	json_object_object_add(root, "engines", engines);
	json_object_object_add(root, "xapian_exact_totals", xexact_json(&r));
	json_object_object_add(root, "tracuu_page", page_json(&r));
	json_object_object_add(root, "hit_counts", xcheck_json(&x));
	int rc = 0;
	if (json_object_to_file_ext(json_out, root,
	                            JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
	                                JSON_C_TO_STRING_NOSLASHESCAPE) != 0) {
		fprintf(stderr, "report: cannot write %s\n", json_out);
		rc = 1;
	}
	json_object_put(root);

	FILE *md = fopen(md_out, "w"), *dat = fopen(dat_out, "w");
	if (md && dat) {
		write_md(md, &r, date, cpu, cores, &x);
		write_plot_data(dat, &r);
	}
	if (!md || !dat || ferror(md) || ferror(dat)) {
		fprintf(stderr, "report: cannot write %s or %s\n", md_out, dat_out);
		rc = 1;
	}
	if (md)
		fclose(md);
	if (dat)
		fclose(dat);

	for (int i = 0; i < N_ENGINES; i++)
		engine_free(&r.e[i]);
	engine_free(&r.xexact);
	engine_free(&r.page);
	xcheck_free(&x);
	free(r.cls);
	free(r.cs);
	free(r.xcs);
	free(r.pcs);
	return rc;
}
