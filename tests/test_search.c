/* test_search.c — the query engine end to end: golden queries over the seeds, a
 * randomized comparison with a brute-force scan, the ranking rules, and the CLI. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/analyzer.h"
#include "common/mem.h"
#include "indexer/indexer.h"
#include "query/search.h"
#include "testutil.h"

static char seeds_dir[256];   /* index of the .txt files of sample/seeds */

static int is_number(const json_object *v)
{
	return json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double);
}

static void make_tmp(char *out, size_t n, const char *name)
{
	snprintf(out, n, "/tmp/tracuu-test-%s-%d-XXXXXX", name, (int)getpid());
	if (mkdtemp(out) == NULL)
		fail_msg("mkdtemp %s failed", out);
}

static void rm_rf(const char *dir)
{
	char cmd[512];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		print_message("could not remove %s\n", dir);
}

/* Indexes the given JSON lines into a new index in dir. */
static void index_json(const char *dir, const char *const *docs, size_t n)
{
	tc_error err = {0};
	tc_indexer *ix;
	assert_int_equal(tc_indexer_open(dir, NULL, &ix, &err), TC_OK);
	for (size_t i = 0; i < n; i++)
		if (tc_indexer_add_json(ix, "test", docs[i], strlen(docs[i]), &err) != TC_OK)
			fail_msg("indexing %s: %s", docs[i], err.msg);
	assert_int_equal(tc_indexer_commit(ix, &err), TC_OK);
	tc_indexer_free(ix);
}

static int setup(void **state)
{
	make_tmp(seeds_dir, sizeof seeds_dir, "seeds");
	char dirpath[512];
	snprintf(dirpath, sizeof dirpath, "%s/sample/seeds", tu_src_dir());
	DIR *d = opendir(dirpath);
	if (d == NULL)
		return -1;
	char *paths[16];
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL && n < 16) {
		if (strstr(e->d_name, ".txt") == NULL)
			continue;
		paths[n] = tc_malloc(strlen(dirpath) + strlen(e->d_name) + 2);
		sprintf(paths[n++], "%s/%s", dirpath, e->d_name);
	}
	closedir(d);
	tc_error err = {0};
	tc_indexer *ix;
	int rc = tc_indexer_open(seeds_dir, NULL, &ix, &err);
	if (rc == TC_OK)
		rc = tc_indexer_add_files(ix, (const char *const *)paths, n, &err);
	if (rc == TC_OK)
		rc = tc_indexer_commit(ix, &err);
	tc_indexer_free(ix);
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	if (rc != TC_OK)
		print_message("indexing the seeds: %s\n", err.msg);
	return rc;
}

static int teardown(void **state)
{
	rm_rf(seeds_dir);
	return 0;
}

/* Runs q on dir; returns the ids of all hits ("a b c", in rank order) and the total. */
static const char *search_ids(const char *dir, const char *q, const tc_search_opts *opts,
                              uint64_t *total)
{
	static char out[8192];
	tc_search_opts o;
	if (opts)
		o = *opts;
	else {
		tc_search_opts_init(&o);
		o.k = 1000;
	}
	tc_error err = {0};
	tc_searcher *s;
	assert_int_equal(tc_searcher_open(dir, &s, &err), TC_OK);
	tc_search_result r = {0};
	int rc = tc_searcher_search(s, q, strlen(q), &o, 200, &r, &err);
	if (rc != TC_OK)
		fail_msg("search %s: %s", q, err.msg);
	out[0] = '\0';
	for (size_t i = 0; i < r.n; i++) {
		size_t len = strlen(out);
		snprintf(out + len, sizeof out - len, "%s%s", i ? " " : "", r.hits[i].id);
	}
	if (total)
		*total = r.total;
	tc_search_result_free(&r);
	tc_searcher_free(s);
	return out;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The ids of a space-separated list, sorted, as one string. */
static void sorted_ids(const char *ids, char *out, size_t cap)
{
	char buf[8192], *v[512];
	size_t n = 0;
	snprintf(buf, sizeof buf, "%s", ids);
	for (char *t = strtok(buf, " "); t && n < 512; t = strtok(NULL, " "))
		v[n++] = t;
	qsort(v, n, sizeof v[0], cmp_str);
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(out);
		snprintf(out + len, cap - len, "%s%s", i ? " " : "", v[i]);
	}
}

#define S0 "000_1f3fc7111ad9de8e"
#define S1 "001_0648c4109ae45892"
#define S2 "002_0ed5269b530bbd12"
#define S3 "003_5fe8606b40df9909"
#define S4 "004_64537e625f1f676f"

/* Golden queries over the seeds: the exact set of documents each must return. */
/* A query and the ids it must find, sorted and space-separated. */
typedef struct id_case {
	const char *q, *ids;
} id_case;

static void check_id_sets(const char *dir, const id_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char got[8192];
		sorted_ids(search_ids(dir, cases[i].q, NULL, NULL), got, sizeof got);
		if (strcmp(got, cases[i].ids) != 0)
			fail_msg("search(%s) = {%s}, want {%s}", cases[i].q, got, cases[i].ids);
	}
}

static void test_golden(void **state)
{
	static const id_case cases[] = {
		/* more than 1e9 NDXP transactions: 1,35 tỷ (000, 001) and 1,2 tỷ (004);
		 * 002 only reports 276.938.860 */
		{"NDXP > 1 tỷ giao dịch", S0 " " S1 " " S4},
		{"ndxp > 1 ty giao dich", S0 " " S1 " " S4},
		{"NDXP trên 1 tỷ giao dịch", S0 " " S1 " " S4},
		{"NDXP hơn 1.000.000.000 giao dịch", S0 " " S1 " " S4},
		{"NDXP >= 276.938.860 giao dịch", S0 " " S1 " " S2 " " S4},
		{"NDXP < 1 tỷ giao dịch", S0 " " S1 " " S2 " " S4},
		{"NDXP", S0 " " S1 " " S2 " " S4},
		/* 001 has the four syllables, but never side by side */
		{"\"cải cách hành chính\"", S0 " " S2 " " S3 " " S4},
		{"\"cai cach hanh chinh\"", S0 " " S2 " " S3 " " S4},
		{"cải cách hành chính", S0 " " S1 " " S2 " " S3 " " S4},
		{"13/2023/NĐ-CP", S1 " " S2 " " S4},
		{"13/2023/nd-cp", S1 " " S2 " " S4},
		{"Covid-19", S3},
		{"COVID-19", S3},
		{"eCabinet", S0 " " S1},
		{"ndxp -ecabinet", S2 " " S4},
		{"covid OR ecabinet", S0 " " S1 " " S3},
		{"title:ndxp", ""},
	};
	check_id_sets(seeds_dir, cases, sizeof cases / sizeof cases[0]);
}

/* ---- randomized: the engine against a brute-force scan ---------------------------- */

static const char *vocab[] = {"giao", "dịch", "địch", "công", "cộng", "dân", "hồ", "sơ",
                              "NDXP", "tỷ", "cải", "cách", "hành", "chính", "số", "người",
                              "nghiên", "thương", "khuyến", "transactions"};
#define NV (sizeof vocab / sizeof vocab[0])
#define NDOCS 600

typedef struct rdoc {
	int deleted;
	char *folded[2][40];      /* title, body: the keys the words match by (stem or folded) */
	char *plain[2][40];       /* the folded forms, which prefixes match */
	size_t n[2];
} rdoc;

/* Does a folded word of d start with prefix? */
static int has_prefix(const rdoc *d, const char *prefix)
{
	for (int f = 0; f < 2; f++)
		for (size_t p = 0; p < d->n[f]; p++)
			if (strncmp(d->plain[f][p], prefix, strlen(prefix)) == 0)
				return 1;
	return 0;
}

static uint32_t rnd(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return *s >> 8;
}

/* Does field f of d hold the folded words w[0..n) at consecutive positions? */
static int has_run(const rdoc *d, int f, char **w, size_t n)
{
	for (size_t p = 0; p + n <= d->n[f]; p++) {
		size_t k = 0;
		while (k < n && strcmp(d->folded[f][p + k], w[k]) == 0)
			k++;
		if (k == n)
			return 1;
	}
	return 0;
}

static int brute(const rdoc *d, int kind, char **w, size_t n)
{
	int in[2] = {has_run(d, 0, w, 1) || has_run(d, 1, w, 1), 0};
	switch (kind) {
	case 0: /* term */
		return in[0];
	case 1: /* AND */
	case 6:
		for (size_t i = 0; i < n; i++)
			if (!(has_run(d, 0, &w[i], 1) || has_run(d, 1, &w[i], 1)))
				return 0;
		return 1;
	case 2: /* OR */
		for (size_t i = 0; i < n; i++)
			if (has_run(d, 0, &w[i], 1) || has_run(d, 1, &w[i], 1))
				return 1;
		return 0;
	case 3: /* phrase */
	case 7:
		return has_run(d, 0, w, n) || has_run(d, 1, w, n);
	case 5: /* prefix */
		return has_prefix(d, w[0]);
	default: /* a AND NOT b */
		return (has_run(d, 0, &w[0], 1) || has_run(d, 1, &w[0], 1)) &&
		       !(has_run(d, 0, &w[1], 1) || has_run(d, 1, &w[1], 1));
	}
}

/*
 * The best 3 of a search that prunes (k = 3) are the first 3 of the full ranking (k =
 * 1000 scores every match): pruning may skip only docs that cannot enter the top k.
 * In strict mode too, whose matches are the exact forms' and whose freqs the folded.
 */
static void expect_top_k(const char *dir, const char *q, int strict)
{
	tc_search_opts o;
	tc_search_opts_init(&o);
	o.strict = strict;
	o.k = 1000;
	uint64_t count, total;
	char ranked[8192];
	snprintf(ranked, sizeof ranked, "%s", search_ids(dir, q, &o, &count));
	o.k = 3;
	const char *top = search_ids(dir, q, &o, &total);
	size_t n = 0, len = 0;
	for (; ranked[len] && n < 3; len++)
		if (ranked[len] == ' ' && ++n == 3)
			break;
	if (total != count || strlen(top) != len || strncmp(top, ranked, len) != 0)
		fail_msg("query %s (strict %d): top 3 {%s} (total %llu), full ranking {%s} (%llu)",
		         q, strict, top, (unsigned long long)total, ranked,
		         (unsigned long long)count);
}

/* Occurrences of the folded words w[0..n) at consecutive positions in field f of d. */
static uint32_t count_run(const rdoc *d, int f, char **w, size_t n)
{
	uint32_t count = 0;
	for (size_t p = 0; p + n <= d->n[f]; p++) {
		size_t k = 0;
		while (k < n && strcmp(d->folded[f][p + k], w[k]) == 0)
			k++;
		count += k == n;
	}
	return count;
}

/*
 * Every hit of the phrase w[0..n) scores what BM25 makes of its brute-force counts
 * (exec.h; README "Ranking"): per field, the field weight times the words' summed idf,
 * with N, df and the average length over all docs, deleted ones included. This checks
 * the phrase counts, which the hit sets alone do not.
 */
static void expect_phrase_scores(const char *dir, const char *q, const rdoc *docs, char **w,
                                 size_t n)
{
	const double k1 = 1.2, b = 0.75, weight[2] = {2.0, 1.0}, N = NDOCS;
	double idf_sum[2] = {0, 0}, avgdl[2] = {0, 0};
	for (int f = 0; f < 2; f++) {
		for (int i = 0; i < NDOCS; i++)
			avgdl[f] += (double)docs[i].n[f] / N;
		for (size_t k = 0; k < n; k++) {
			double df = 0;
			for (int i = 0; i < NDOCS; i++)
				df += count_run(&docs[i], f, &w[k], 1) > 0;
			idf_sum[f] += log(1.0 + (N - df + 0.5) / (df + 0.5));
		}
	}
	tc_search_opts o;
	tc_search_opts_init(&o);
	o.k = 1000;
	o.ids_only = 1;
	tc_error err = {0};
	tc_searcher *s;
	assert_int_equal(tc_searcher_open(dir, &s, &err), TC_OK);
	tc_search_result r = {0};
	assert_int_equal(tc_searcher_search(s, q, strlen(q), &o, 0, &r, &err), TC_OK);
	for (size_t h = 0; h < r.n; h++) {
		const rdoc *d = &docs[atoi(r.hits[h].id + 1)];
		double want = 0;
		for (int f = 0; f < 2; f++) {
			double tf = count_run(d, f, w, n);
			if (tf > 0)
				want += weight[f] * idf_sum[f] * tf * (k1 + 1.0) /
				        (tf + k1 * (1.0 - b + b * (double)d->n[f] / avgdl[f]));
		}
		if (fabs(r.hits[h].score - want) > 1e-9 * want)
			fail_msg("query %s: %s scores %.12g, its counts make %.12g", q, r.hits[h].id,
			         r.hits[h].score, want);
	}
	tc_search_result_free(&r);
	tc_searcher_free(s);
}

/* Ids and scores of q's hits ("id:score ...") and its total. */
static void ranking(const char *dir, const char *q, const tc_search_opts *o, char *out,
                    size_t cap, uint64_t *total)
{
	tc_error err = {0};
	tc_searcher *s;
	assert_int_equal(tc_searcher_open(dir, &s, &err), TC_OK);
	tc_search_result r = {0};
	if (tc_searcher_search(s, q, strlen(q), o, 0, &r, &err) != TC_OK)
		fail_msg("search %s: %s", q, err.msg);
	size_t len = 0;
	out[0] = '\0';
	for (size_t i = 0; i < r.n && len < cap; i++)
		len += (size_t)snprintf(out + len, cap - len, "%s%s:%.17g", i ? " " : "",
		                        r.hits[i].id, r.hits[i].score);
	*total = r.total;
	tc_search_result_free(&r);
	tc_searcher_free(s);
}

/*
 * An AND of words is counted and ranked over bitmaps of whole lists (exec.c); with a
 * NOT it is left to the iterators, and a NOT of an absent word changes no hit and no
 * score: so both ways must give the same hits, scores and totals, strict or not, whole
 * rankings and pruned pages alike.
 */
static void expect_same_as_iterators(const char *dir, const char *q)
{
	static const size_t pages[][2] = {{1000, 0}, {3, 0}, {2, 3}};
	char other[160], a[16384], b[16384];
	snprintf(other, sizeof other, "%s -zqxjw", q);
	for (int strict = 0; strict < 2; strict++)
		for (size_t p = 0; p < sizeof pages / sizeof pages[0]; p++) {
			tc_search_opts o;
			tc_search_opts_init(&o);
			o.ids_only = 1;
			o.strict = strict;
			o.k = pages[p][0];
			o.offset = pages[p][1];
			uint64_t ta, tb;
			ranking(dir, q, &o, a, sizeof a, &ta);
			ranking(dir, other, &o, b, sizeof b, &tb);
			if (strcmp(a, b) != 0 || ta != tb)
				fail_msg("query %s (strict %d, k %zu, offset %zu): {%s} (total %llu), "
				         "with the iterators {%s} (%llu)", q, strict, o.k, o.offset, a,
				         (unsigned long long)ta, b, (unsigned long long)tb);
		}
}

static void test_randomized(void **state)
{
	char dir[256];
	make_tmp(dir, sizeof dir, "rand");
	tc_analyzer *an;
	tc_error err = {0};
	assert_int_equal(tc_analyzer_new(&an, &err), TC_OK);
	tc_toklist tl = {0};
	uint32_t seed = 20261123;
	static rdoc docs[NDOCS];
	char **json = tc_calloc(NDOCS, sizeof *json);
	for (int i = 0; i < NDOCS; i++) {
		char text[2][512];
		for (int f = 0; f < 2; f++) {
			size_t len = 0, words = f == 0 ? 1 + rnd(&seed) % 4 : 3 + rnd(&seed) % 30;
			text[f][0] = '\0';
			for (size_t k = 0; k < words; k++)
				len += (size_t)snprintf(text[f] + len, sizeof text[f] - len, "%s%s",
				                        k ? " " : "", vocab[rnd(&seed) % NV]);
			assert_int_equal(tc_analyze(an, text[f], len, NULL, &tl, &err), TC_OK);
			docs[i].n[f] = tl.n;
			for (size_t k = 0; k < tl.n; k++) {
				const tc_token *t = &tl.tok[k];
				docs[i].folded[f][k] = tc_strdup(t->stem_len ? tc_tok_stem(&tl, t)
				                                              : tc_tok_folded(&tl, t));
				docs[i].plain[f][k] = tc_strdup(tc_tok_folded(&tl, t));
			}
		}
		json[i] = tc_malloc(1200);
		snprintf(json[i], 1200, "{\"id\":\"d%03d\",\"title\":\"%s\",\"body\":\"%s\"}", i,
		         text[0], text[1]);
	}
	/* several segments (no merging), with blocks of 128 in each, and some deletes */
	tc_indexer_opts io = {0};
	io.segment_docs = 250;
	io.merge_factor = 1000;
	tc_indexer *ix;
	assert_int_equal(tc_indexer_open(dir, &io, &ix, &err), TC_OK);
	for (int i = 0; i < NDOCS; i++)
		assert_int_equal(tc_indexer_add_json(ix, "test", json[i], strlen(json[i]), &err), TC_OK);
	for (int i = 0; i < NDOCS; i += 7) {
		char id[16];
		snprintf(id, sizeof id, "d%03d", i);
		assert_int_equal(tc_indexer_delete(ix, id, strlen(id), &err), TC_OK);
		docs[i].deleted = 1;
	}
	assert_int_equal(tc_indexer_commit(ix, &err), TC_OK);
	tc_indexer_free(ix);
	tc_snapshot *snap;
	assert_int_equal(tc_snapshot_open(dir, 0, &snap, &err), TC_OK);
	assert_true(tc_snapshot_nsegments(snap) >= 3);
	tc_snapshot_release(snap);

	static const char *ops[] = {"%s",      "%s %s",    "%s OR %s",       "\"%s %s\"",
	                            "%s -%s",  "%s*",      "%s %s %s",       "\"%s %s %s\""};
	for (int round = 0; round < 320; round++) {
		int kind = (int)(rnd(&seed) % 8);
		size_t n = kind == 0 || kind == 5 ? 1 : kind >= 6 ? 3 : 2;
		const char *qw[3];
		char *fw[3];
		char folded[3][64];
		for (size_t k = 0; k < n; k++) {
			qw[k] = vocab[rnd(&seed) % NV];
			if (rnd(&seed) & 1) { /* typed without diacritics half the time */
				tc_buf b = {0};
				tc_analyzer_fold_text(an, qw[k], strlen(qw[k]), &b);
				snprintf(folded[k], sizeof folded[k], "%s", b.data);
				tc_buf_free(&b);
				qw[k] = folded[k];
			}
			assert_int_equal(tc_analyze(an, qw[k], strlen(qw[k]), NULL, &tl, &err), TC_OK);
			fw[k] = tc_strdup(tl.tok[0].stem_len ? tc_tok_stem(&tl, &tl.tok[0])
			                                      : tc_tok_folded(&tl, &tl.tok[0]));
			if (kind == 5) { /* the first two letters, folded */
				snprintf(folded[k], sizeof folded[k], "%.2s", tc_tok_folded(&tl, &tl.tok[0]));
				free(fw[k]);
				fw[k] = tc_strdup(folded[k]);
				qw[k] = folded[k];
			}
		}
		char q[128];
		snprintf(q, sizeof q, ops[kind], qw[0], n > 1 ? qw[1] : "", n > 2 ? qw[2] : "");
		if (kind == 4 && strcmp(fw[0], fw[1]) == 0) { /* "a -a" excludes everything */
			for (size_t k = 0; k < n; k++)
				free(fw[k]);
			continue;
		}
		char want[8192] = "", got[8192];
		size_t wl = 0, count = 0;
		for (int i = 0; i < NDOCS; i++)
			if (!docs[i].deleted && brute(&docs[i], kind, fw, n)) {
				wl += (size_t)snprintf(want + wl, sizeof want - wl, "%sd%03d", wl ? " " : "", i);
				count++;
			}
		uint64_t total;
		char ranked[8192];
		snprintf(ranked, sizeof ranked, "%s", search_ids(dir, q, NULL, &total));
		sorted_ids(ranked, got, sizeof got);
		if (strcmp(got, want) != 0 || total != count)
			fail_msg("query %s: engine {%s} (total %llu), brute force {%s} (%zu)", q, got,
			         (unsigned long long)total, want, count);
		expect_top_k(dir, q, 0);
		expect_top_k(dir, q, 1);
		if (kind == 3 || kind == 7)
			expect_phrase_scores(dir, q, docs, fw, n);
		if (kind == 1 || kind == 6)
			expect_same_as_iterators(dir, q);
		for (size_t k = 0; k < n; k++)
			free(fw[k]);
	}
	for (int i = 0; i < NDOCS; i++) {
		free(json[i]);
		for (int f = 0; f < 2; f++)
			for (size_t k = 0; k < docs[i].n[f]; k++) {
				free(docs[i].folded[f][k]);
				free(docs[i].plain[f][k]);
			}
	}
	free(json);
	tc_toklist_free(&tl);
	tc_analyzer_free(an);
	rm_rf(dir);
}

/*
 * Comparisons alone, against a count of each document's satisfying mentions: every
 * live document with one matches, more mentions rank higher, ties in index order;
 * over several segments with deletes, with paging.
 */
#define NQDOCS 300

static void test_quantity_alone(void **state)
{
	char dir[256];
	make_tmp(dir, sizeof dir, "qty");
	uint32_t seed = 20261124;
	static int val[NQDOCS][6], nval[NQDOCS], deleted[NQDOCS];
	tc_error err = {0};
	tc_indexer_opts io = {0};
	io.segment_docs = 60;
	io.merge_factor = 1000;
	tc_indexer *ix;
	assert_int_equal(tc_indexer_open(dir, &io, &ix, &err), TC_OK);
	for (int i = 0; i < NQDOCS; i++) {
		char body[1024];
		size_t len = (size_t)snprintf(body, sizeof body, "Báo cáo của tỉnh.");
		nval[i] = (int)(rnd(&seed) % 7) - 1;  /* -1..5: most have a few */
		for (int k = 0; k < nval[i]; k++) {
			/* -10..20: a loss written "-5" or "âm 5" */
			val[i][k] = (int)(rnd(&seed) % 31) - 10;
			int v = val[i][k];
			len += (size_t)snprintf(body + len, sizeof body - len,
			                        " Khoản thu thứ hai đạt %s%d tỷ đồng.",
			                        v >= 0 ? "" : k % 2 ? "âm " : "-", v >= 0 ? v : -v);
		}
		char json[1200];
		int n = snprintf(json, sizeof json, "{\"id\":\"q%03d\",\"title\":\"báo cáo\","
		                 "\"body\":\"%s\"}", i, body);
		assert_int_equal(tc_indexer_add_json(ix, "test", json, (size_t)n, &err), TC_OK);
	}
	for (int i = 4; i < NQDOCS; i += 9) {
		char id[16];
		snprintf(id, sizeof id, "q%03d", i);
		assert_int_equal(tc_indexer_delete(ix, id, strlen(id), &err), TC_OK);
		deleted[i] = 1;
	}
	assert_int_equal(tc_indexer_commit(ix, &err), TC_OK);
	tc_indexer_free(ix);

	static const char *ops[] = {">", ">=", "<", "<=", "từ"};
	for (int round = 0; round < 60; round++) {
		int op = round % 5, t = (int)(rnd(&seed) % 31) - 10, t2 = t + (int)(rnd(&seed) % 8);
		char q[64], tv[16];
		/* a threshold below zero typed "-3" or "âm 3" */
		snprintf(tv, sizeof tv, "%s%d", t >= 0 ? "" : round % 2 ? "âm " : "-", t >= 0 ? t : -t);
		if (op == 4)
			snprintf(q, sizeof q, "từ %s đến %d tỷ đồng", tv, t2);
		else
			snprintf(q, sizeof q, "%s %s tỷ đồng", ops[op], tv);
		/* by count, most first, then index order: a stable pass per count */
		char want[8192] = "";
		size_t wl = 0, count = 0;
		for (int c = 6; c >= 1; c--)
			for (int i = 0; i < NQDOCS; i++) {
				int n = 0;
				for (int k = 0; k < nval[i]; k++) {
					int v = val[i][k];
					n += op == 0 ? v > t : op == 1 ? v >= t : op == 2 ? v < t : op == 3 ? v <= t
					                                                               : v >= t && v <= t2;
				}
				if (n == c && !deleted[i]) {
					wl += (size_t)snprintf(want + wl, sizeof want - wl, "%sq%03d", wl ? " " : "", i);
					count++;
				}
			}
		uint64_t total;
		const char *got = search_ids(dir, q, NULL, &total);
		if (strcmp(got, want) != 0 || total != count)
			fail_msg("query %s: engine {%s} (total %llu), counted {%s} (%zu)", q, got,
			         (unsigned long long)total, want, count);
		expect_top_k(dir, q, 0);
		/* a page further on is the same slice of the ranking */
		tc_search_opts o;
		tc_search_opts_init(&o);
		o.k = 4;
		o.offset = 6;
		char slice[8192] = "";
		const char *w = want;
		for (int skip = 0; skip < 6 && *w; skip++)
			w = strchr(w, ' ') ? strchr(w, ' ') + 1 : w + strlen(w);
		snprintf(slice, sizeof slice, "%s", w);
		char *cut = slice;
		for (int keep = 0; keep < 4 && cut; keep++)
			cut = strchr(cut + (keep ? 1 : 0), ' ');
		if (cut)
			*cut = '\0';
		assert_string_equal(search_ids(dir, q, &o, &total), slice);
	}
	rm_rf(dir);
}

/* ---- ranking ------------------------------------------------------------------------- */

static void test_ranking(void **state)
{
	char dir[256];
	make_tmp(dir, sizeof dir, "rank");
	static const char *docs[] = {
		/* accents: "họp" (meeting) against "hợp" (contract/fit) */
		"{\"id\":\"hop1\",\"title\":\"tin\",\"body\":\"hợp đồng hợp tác hợp lý hợp nhất\"}",
		"{\"id\":\"hop2\",\"title\":\"tin\",\"body\":\"phiên họp sáng nay về kế hoạch năm mới\"}",
		/* a Latin word, matched by its stem, typed with and without its accent (cafe0
		   has the stem only: the stem's docs are not its folded form's) */
		"{\"id\":\"cafe0\",\"title\":\"phố\",\"body\":\"cafes\"}",
		"{\"id\":\"cafe1\",\"title\":\"phố\",\"body\":\"cafe sáng, cafe chiều, cafes\"}",
		"{\"id\":\"cafe2\",\"title\":\"phố\",\"body\":\"một quán café nhỏ\"}",
		/* proximity: the words side by side, against the same words scattered */
		"{\"id\":\"prox1\",\"title\":\"văn bản\",\"body\":\"dân số nông thôn, dịch vụ công và "
		"nhiều việc khác cũng được nêu trong báo cáo\"}",
		"{\"id\":\"prox2\",\"title\":\"văn bản\",\"body\":\"dịch bệnh ở nông thôn, việc công "
		"khai và dân vụ được nêu trong báo cáo\"}",
		/* a quantity next to the word, against one far away in a shorter document
		 * (which BM25 alone would put first) */
		"{\"id\":\"qty1\",\"title\":\"báo cáo\",\"body\":\"Nền tảng NDXP đạt hơn 2 tỷ lượt "
		"truy cập. Nền tảng vận hành ổn định trong năm qua theo số liệu thống kê mới nhất của bộ và của các tỉnh thành trong cả nước cùng với các cơ quan ngang bộ thuộc chính phủ. Ngoài ra, các địa phương vận hành ổn định trong năm qua theo số liệu thống kê mới nhất của bộ và của các tỉnh thành trong cả nước cùng với các cơ quan ngang bộ thuộc chính phủ\"}",
		/* a number with no unit after it */
		"{\"id\":\"bare\",\"title\":\"kết quả\",\"body\":\"Tổng cộng là 1500.\"}",
		"{\"id\":\"qty2\",\"title\":\"báo cáo\",\"body\":\"Nền tảng NDXP vận hành ổn định trong năm qua theo số liệu thống kê mới nhất của bộ và của các tỉnh thành trong cả nước cùng với các cơ quan ngang bộ thuộc chính phủ. Ngoài ra, "
		"tổng số đạt 2 tỷ lượt truy cập\"}",
	};
	index_json(dir, docs, sizeof docs / sizeof docs[0]);
	uint64_t total;
	/* both match folded; the exact form ranks first */
	assert_string_equal(search_ids(dir, "họp", NULL, &total), "hop2 hop1");
	assert_string_equal(search_ids(dir, "hợp", NULL, &total), "hop1 hop2");
	/* without diacritics there is no exact form to prefer: the frequency decides */
	assert_string_equal(search_ids(dir, "hop", NULL, &total), "hop1 hop2");
	/* a word written one way only has its exact form in every doc of its folded form */
	assert_string_equal(search_ids(dir, "phiên", NULL, &total), "hop2");
	assert_string_equal(search_ids(dir, "phiên họp", NULL, &total), "hop2");
	/* a stem word: the exact form first all the same, the commoner doc without it */
	assert_string_equal(search_ids(dir, "café", NULL, &total), "cafe2 cafe1 cafe0");
	/* strict mode: exact forms only */
	tc_search_opts o;
	tc_search_opts_init(&o);
	o.strict = 1;
	assert_string_equal(search_ids(dir, "họp", &o, &total), "hop2");
	assert_string_equal(search_ids(dir, "hop", &o, &total), "");
	assert_string_equal(search_ids(dir, "\"phiên họp\"", &o, &total), "hop2");
	assert_string_equal(search_ids(dir, "\"phien hop\"", &o, &total), "");
	assert_string_equal(search_ids(dir, "họ*", &o, &total), "hop2");
	assert_string_equal(search_ids(dir, "hợ*", &o, &total), "hop1");
	assert_string_equal(search_ids(dir, "café", &o, &total), "cafe2");
	assert_string_equal(search_ids(dir, "caf*", &o, &total), "cafe1 cafe0 cafe2");
	assert_string_equal(search_ids(dir, "café*", &o, &total), "cafe2");
	/* adjacent in order above scattered */
	assert_string_equal(search_ids(dir, "dịch vụ công", NULL, &total), "prox1 prox2");
	/* a quantity near the query word above a far one */
	assert_string_equal(search_ids(dir, "NDXP > 1 tỷ lượt", NULL, &total), "qty1 qty2");
	/* no unit in the query: the numbers written with none */
	assert_string_equal(search_ids(dir, "> 1000", NULL, &total), "bare");
	rm_rf(dir);
}

/* Apostrophes of either kind and '@' split words into joined parts, in documents and
 * queries alike: the straight and the curly apostrophe find the same documents, and a
 * part alone finds the word. A soft hyphen inside a word (law texts have them inside
 * syllables) is invisible to search. */
/*
 * Strict mode matches on the exact form's list but scores the folded freq ("dịch" once,
 * "địch" seven times: freq 8), which the exact list's block data does not bound. Built
 * so that a bound from the exact list alone (its second block: freq 1, length 8) falls
 * below the best doc of the first block ("dịch dịch dịch", length 3), while the doc's
 * score is above it: the top 1 must still be that doc, on every way a search runs.
 */
static void test_strict_bounds(void **state)
{
	char dir[256];
	make_tmp(dir, sizeof dir, "strict");
	enum { N = 256, X = 200 };
	char **json = tc_calloc(N, sizeof *json);
	for (int i = 0; i < N; i++) {
		const char *body = i < 128 ? (i == 0 ? "dịch dịch dịch" : "dịch")
		                 : i == X  ? "dịch địch địch địch địch địch địch địch"
		                           : "dịch nhà cửa xe cộ cây cối hoa";
		json[i] = tc_malloc(200);
		snprintf(json[i], 200, "{\"id\":\"s%03d\",\"title\":\"tin\",\"body\":\"%s\"}", i, body);
	}
	index_json(dir, (const char *const *)json, N);
	static const char *const queries[] = {"dịch", "dịch -zqxjw", "dịch tin", "dịch tin -zqxjw"};
	for (size_t q = 0; q < sizeof queries / sizeof *queries; q++) {
		tc_search_opts o;
		tc_search_opts_init(&o);
		o.strict = 1;
		o.k = 1;
		uint64_t total;
		char top[64];
		snprintf(top, sizeof top, "%s", search_ids(dir, queries[q], &o, &total));
		assert_int_equal(total, N);
		o.k = 1000;
		const char *all = search_ids(dir, queries[q], &o, &total);
		if (strncmp(all, "s200 ", 5) != 0 || strcmp(top, "s200") != 0)
			fail_msg("strict %s: top 1 {%s}, full ranking starts {%.40s}", queries[q], top, all);
	}
	for (int i = 0; i < N; i++)
		free(json[i]);
	free(json);
	rm_rf(dir);
}

/*
 * A search over its time limit stops with TC_ELIMIT, whatever the query's shape (each
 * way a search runs reads the clock); a limit it keeps to changes nothing.
 */
static void test_time_limit(void **state)
{
	static const char *const queries[] = {
		"ndxp", "cải cách hành chính", "\"cải cách hành chính\"", "cải*", "hồ sơ OR thủ tục",
		"NDXP > 1 tỷ giao dịch", "> 1 tỷ giao dịch", "cải cách -ruộng", "title:ndxp",
	};
	tc_error err = {0};
	tc_searcher *s;
	assert_int_equal(tc_searcher_open(seeds_dir, &s, &err), TC_OK);
	for (size_t i = 0; i < sizeof queries / sizeof *queries; i++) {
		const char *q = queries[i];
		tc_search_opts o;
		tc_search_opts_init(&o);
		tc_search_result free_run = {0}, limited = {0}, over = {0};
		assert_int_equal(tc_searcher_search(s, q, strlen(q), &o, 0, &free_run, &err), TC_OK);
		o.time_limit_ms = 60000;
		assert_int_equal(tc_searcher_search(s, q, strlen(q), &o, 0, &limited, &err), TC_OK);
		assert_int_equal(limited.total, free_run.total);
		assert_int_equal(limited.n, free_run.n);
		for (size_t h = 0; h < free_run.n; h++)
			assert_string_equal(limited.hits[h].id, free_run.hits[h].id);
		o.time_limit_ms = 1e-6;
		assert_int_equal(tc_searcher_search(s, q, strlen(q), &o, 0, &over, &err), TC_ELIMIT);
		assert_non_null(strstr(err.msg, "over its time limit"));
		tc_search_result_free(&free_run);
		tc_search_result_free(&limited);
		tc_search_result_free(&over);
	}
	tc_search_opts o;
	tc_search_opts_init(&o);
	o.time_limit_ms = -1;
	tc_search_result r = {0};
	assert_int_equal(tc_searcher_search(s, "ndxp", 4, &o, 0, &r, &err), TC_EINVAL);
	tc_search_result_free(&r);
	tc_searcher_free(s);

	/* stopped on the way: 3,000 docs that all match, a limit of 1 us, which a loop
	   reading the clock every 1,024 steps has passed by its first reading */
	char dir[256];
	make_tmp(dir, sizeof dir, "limit");
	enum { N = 3000 };
	char **json = tc_calloc(N, sizeof *json);
	for (int i = 0; i < N; i++) {
		json[i] = tc_malloc(160);
		snprintf(json[i], 160, "{\"id\":\"t%04d\",\"title\":\"tin %d\",\"body\":\"cải cách "
		         "hành chính và dịch vụ công, lần %d\"}", i, i % 7, i % 11);
	}
	index_json(dir, (const char *const *)json, N);
	static const char *const slow[] = {"cải", "cải cách", "\"cải cách hành\"", "cải OR dịch",
	                                   "cải*", "cải -zqxjw", "cải cách -zqxjw"};
	assert_int_equal(tc_searcher_open(dir, &s, &err), TC_OK);
	for (size_t i = 0; i < sizeof slow / sizeof *slow; i++) {
		tc_search_opts_init(&o);
		o.time_limit_ms = 1e-3;
		o.ids_only = 1;
		if (tc_searcher_search(s, slow[i], strlen(slow[i]), &o, 0, &r, &err) != TC_ELIMIT)
			fail_msg("%s: not stopped by its time limit", slow[i]);
		tc_search_result_free(&r);
		o.time_limit_ms = 0;
		assert_int_equal(tc_searcher_search(s, slow[i], strlen(slow[i]), &o, 0, &r, &err),
		                 TC_OK);
		assert_int_equal(r.total, N);
		tc_search_result_free(&r);
	}
	tc_searcher_free(s);
	for (int i = 0; i < N; i++)
		free(json[i]);
	free(json);
	rm_rf(dir);
}

static void test_apostrophes(void **state)
{
	(void)state;
	char dir[256];
	make_tmp(dir, sizeof dir, "apos");
	static const char *docs[] = {
		"{\"id\":\"curly\",\"title\":\"tin\",\"body\":\"người H\u2019Mông ở Hà Giang\"}",
		"{\"id\":\"straight\",\"title\":\"tin\",\"body\":\"người H'Mông và người Dao\"}",
		"{\"id\":\"plain\",\"title\":\"tin\",\"body\":\"đồng bào Mông ở Hà Giang\"}",
		"{\"id\":\"mail\",\"title\":\"tin\",\"body\":\"liên hệ banbientap@i-com.vn\"}",
		"{\"id\":\"shy\",\"title\":\"tin\",\"body\":\"Hiệu tr\u00adưởng các tr\u00adường\"}",
	};
	index_json(dir, docs, sizeof docs / sizeof docs[0]);
	static const id_case cases[] = {
		{"H'Mông", "curly straight"},
		{"H\u2019Mông", "curly straight"},
		{"h'mong", "curly straight"},
		{"\"người H'Mông\"", "curly straight"},
		{"Mông", "curly plain straight"},
		{"banbientap", "mail"},
		{"banbientap@i-com.vn", "mail"},
		{"i-com", "mail"},
		{"\"hiệu trưởng\"", "shy"},
		{"trường", "shy"},
	};
	check_id_sets(dir, cases, sizeof cases / sizeof cases[0]);
	rm_rf(dir);
}

/* "i" and "y" after h, k, l, m, s, t, qu spell one syllable: either finds both, in
 * words, phrases and strict mode; other syllables keep their own spelling. */
static void test_i_or_y(void **state)
{
	(void)state;
	char dir[256];
	make_tmp(dir, sizeof dir, "iy");
	static const char *docs[] = {
		"{\"id\":\"ky\",\"title\":\"tin\",\"body\":\"nâng cao kỹ thuật\"}",
		"{\"id\":\"ki\",\"title\":\"tin\",\"body\":\"nâng cao kĩ thuật\"}",
		"{\"id\":\"si\",\"title\":\"tin\",\"body\":\"bác sĩ trực\"}",
		"{\"id\":\"sy\",\"title\":\"tin\",\"body\":\"BÁC SỸ TRỰC\"}",
		"{\"id\":\"khi\",\"title\":\"tin\",\"body\":\"khi đó\"}",
	};
	index_json(dir, docs, sizeof docs / sizeof docs[0]);
	static const id_case cases[] = {
		{"kỹ thuật", "ki ky"},
		{"\"kĩ thuật\"", "ki ky"},
		{"ki thuat", "ki ky"},
		{"bác sĩ", "si sy"},
		{"\"bac sy\"", "si sy"},
		{"khi", "khi"},
		{"khy", ""},
	};
	check_id_sets(dir, cases, sizeof cases / sizeof cases[0]);
	tc_search_opts o;
	tc_search_opts_init(&o);
	o.strict = 1;
	assert_string_equal(search_ids(dir, "kĩ", &o, NULL), "ky ki");
	assert_string_equal(search_ids(dir, "kỹ", &o, NULL), "ky ki");
	rm_rf(dir);
}

/* A unit written more than one way is searched every way: "USD" finds "đô la" and
 * "VNĐ" finds "đồng" and "500.000đ", whichever the query names; a unit written one way
 * ("độ") finds only itself; negative values compare as numbers. */
static void test_unit_spellings(void **state)
{
	(void)state;
	char dir[256];
	make_tmp(dir, sizeof dir, "units");
	static const char *docs[] = {
		"{\"id\":\"usd\",\"title\":\"tin\",\"body\":\"thu về 5 triệu USD\"}",
		"{\"id\":\"dola\",\"title\":\"tin\",\"body\":\"thu về 3 triệu đô la Mỹ\"}",
		"{\"id\":\"dola-few\",\"title\":\"tin\",\"body\":\"chỉ 300 đô la\"}",
		"{\"id\":\"vnd\",\"title\":\"tin\",\"body\":\"lệ phí 2.000.000 VNĐ\"}",
		"{\"id\":\"dong\",\"title\":\"tin\",\"body\":\"lệ phí 1,5 triệu đồng\"}",
		"{\"id\":\"d\",\"title\":\"tin\",\"body\":\"giá 900.000đ một bộ\"}",
		"{\"id\":\"loss\",\"title\":\"tin\",\"body\":\"lợi nhuận âm 2 triệu đồng\"}",
		"{\"id\":\"cold\",\"title\":\"tin\",\"body\":\"nhiệt độ -5 độ C\"}",
		"{\"id\":\"warm\",\"title\":\"tin\",\"body\":\"nhiệt độ 25 độ C\"}",
	};
	index_json(dir, docs, sizeof docs / sizeof docs[0]);
	static const id_case cases[] = {
		{"> 1 triệu USD", "dola usd"},
		{"> 1 triệu đô la", "dola usd"},
		{"> 1 triệu đô la Mỹ", "dola usd"},
		{"> 100 usd", "dola dola-few usd"},
		{"> 1 triệu VNĐ", "dong vnd"},
		{"> 1 triệu đồng", "dong vnd"},
		{">= 900.000 đồng", "d dong vnd"},
		{"< 0 đồng", "loss"},
		{"dưới âm 1 triệu đồng", "loss"},
		{"< 0 độ", "cold"},
		{"> -10 độ C", "cold warm"},
	};
	check_id_sets(dir, cases, sizeof cases / sizeof cases[0]);
	rm_rf(dir);
}

/* An abbreviation finds what it stands for and the exact phrase finds the abbreviation;
 * the words apart are not the phrase, and an abbreviation inside a code is the code's. */
static void test_abbreviations(void **state)
{
	(void)state;
	char dir[256];
	make_tmp(dir, sizeof dir, "abbr");
	static const char *docs[] = {
		"{\"id\":\"short\",\"title\":\"tin\",\"body\":\"giải quyết TTHC đúng hạn\"}",
		"{\"id\":\"long\",\"title\":\"tin\",\"body\":\"giải quyết thủ tục hành chính\"}",
		"{\"id\":\"apart\",\"title\":\"tin\",\"body\":\"thủ tục mới, hành chính cũ\"}",
		"{\"id\":\"ubnd\",\"title\":\"UBND tỉnh\",\"body\":\"thông báo\"}",
		"{\"id\":\"uyban\",\"title\":\"Ủy ban nhân dân tỉnh\",\"body\":\"thông báo\"}",
		"{\"id\":\"code\",\"title\":\"tin\",\"body\":\"mẫu số TTHC-2023 đính kèm\"}",
		"{\"id\":\"hcm1\",\"title\":\"tin\",\"body\":\"tại TP.HCM hôm qua\"}",
		"{\"id\":\"hcm2\",\"title\":\"tin\",\"body\":\"tại TPHCM hôm qua\"}",
		"{\"id\":\"hcm3\",\"title\":\"tin\",\"body\":\"tại thành phố Hồ Chí Minh\"}",
		"{\"id\":\"hcm4\",\"title\":\"tin\",\"body\":\"tại TP HCM hôm qua\"}",
	};
	index_json(dir, docs, sizeof docs / sizeof docs[0]);
	static const id_case cases[] = {
		{"TTHC", "code long short"},
		{"tthc", "code long short"},
		{"\"thủ tục hành chính\"", "code long short"},
		{"thủ tục hành chính", "apart code long short"},
		{"giải quyết thủ tục hành chính", "long short"},
		{"\"thủ tục hành chính\"~3", "apart long"},
		{"title:UBND", "ubnd uyban"},
		{"\"ủy ban nhân dân\" thông báo", "ubnd uyban"},
		{"TTHC-2023", "code"},
		{"giải quyết -TTHC", ""},
		{"TP.HCM", "hcm1 hcm2 hcm3 hcm4"},
		{"tphcm", "hcm1 hcm2 hcm3 hcm4"},
		{"TP HCM hôm qua", "hcm1 hcm2 hcm4"},
		{"\"thành phố Hồ Chí Minh\"", "hcm1 hcm2 hcm3 hcm4"},
	};
	check_id_sets(dir, cases, sizeof cases / sizeof cases[0]);
	rm_rf(dir);
}

/* Paging: pages of 2 put together are the first 6 of one search; ids-only hits (no doc
 * store read) name the same documents. */
static void test_paging(void **state)
{
	tc_search_opts o;
	tc_search_opts_init(&o);
	o.k = 6;
	char all[8192], paged[8192] = "";
	snprintf(all, sizeof all, "%s", search_ids(seeds_dir, "dịch vụ", &o, NULL));
	for (size_t off = 0; off < 6; off += 2) {
		o.k = 2;
		o.offset = off;
		const char *page = search_ids(seeds_dir, "dịch vụ", &o, NULL);
		size_t len = strlen(paged);
		snprintf(paged + len, sizeof paged - len, "%s%s", len && page[0] ? " " : "", page);
	}
	assert_string_equal(paged, all);
	o.k = 6;
	o.offset = 0;
	o.ids_only = 1;
	assert_string_equal(search_ids(seeds_dir, "dịch vụ", &o, NULL), all);
}

/* Snippets: original text, marks on the words and on the satisfying quantity. */
static void test_snippets(void **state)
{
	tc_error err = {0};
	tc_searcher *s;
	assert_int_equal(tc_searcher_open(seeds_dir, &s, &err), TC_OK);
	tc_search_opts o;
	tc_search_opts_init(&o);
	tc_search_result r = {0};
	const char *q = "NDXP > 1 tỷ giao dịch";
	assert_int_equal(tc_searcher_search(s, q, strlen(q), &o, 240, &r, &err), TC_OK);
	assert_int_equal(r.total, 3);
	tc_buf json = {0};
	tc_search_result_json(&r, &json);
	json_object *root = json_tokener_parse(json.data);
	assert_non_null(root);
	assert_int_equal(json_object_get_int64(json_object_object_get(root, "total")), 3);
	json_object *hits = json_object_object_get(root, "hits");
	int found = 0;
	for (size_t i = 0; i < json_object_array_length(hits); i++) {
		const char *snip = json_object_get_string(json_object_object_get(json_object_array_get_idx(hits, i), "snippet"));
		assert_non_null(strstr(snip, "<mark>NDXP</mark>"));
		if (strstr(snip, "<mark>1,35 tỷ giao dịch</mark>") ||
		    strstr(snip, "<mark>1,2 tỷ giao dịch</mark>"))
			found++;
	}
	assert_int_equal(found, 3);
	json_object_put(root);
	tc_buf_free(&json);
	/* the snippet text is HTML-escaped */
	tc_snippet sn = {0};
	tc_query *query;
	tc_query_env env = {0};
	tc_analyzer *an;
	assert_int_equal(tc_analyzer_new(&an, &err), TC_OK);
	assert_int_equal(tc_query_parse(an, "thuế", 6, &env, &query, &err), TC_OK);
	const char *text = "A <b> & \"thuế\" 'x'";
	assert_int_equal(tc_snippet_make(an, tc_query_root(query), 0, text, strlen(text), NULL, 200,
	                                 &sn, &err), TC_OK);
	tc_buf html = {0};
	tc_snippet_html(&sn, &html);
	assert_string_equal(html.data, "A &lt;b&gt; &amp; &quot;<mark>thuế</mark>&quot; &#39;x&#39;");
	tc_buf_free(&html);
	tc_snippet_free(&sn);
	tc_query_free(query);
	tc_analyzer_free(an);
	tc_search_result_free(&r);
	tc_searcher_free(s);
}

/* `tracuu search`: JSON, exit codes. */
static void test_cli(void **state)
{
	char cmd[1024];
	int st;
	snprintf(cmd, sizeof cmd, "%s search -i %s --json 'NDXP > 1 tỷ giao dịch'", tu_bin(),
	         seeds_dir);
	char *out = tu_run(cmd, &st);
	assert_int_equal(st, 0);
	json_object *root = json_tokener_parse(out);
	if (root == NULL)
		fail_msg("not JSON: %s", out);
	assert_int_equal(json_object_get_int64(json_object_object_get(root, "total")), 3);
	assert_true(is_number(json_object_object_get(root, "took_ms")));
	json_object *h0 = json_object_array_get_idx(json_object_object_get(root, "hits"), 0);
	assert_true(json_object_is_type(json_object_object_get(h0, "id"), json_type_string));
	assert_true(json_object_is_type(json_object_object_get(h0, "title"), json_type_string));
	assert_true(is_number(json_object_object_get(h0, "score")));
	json_object_put(root);
	free(out);

	/* exit statuses and messages: args after "search" (%s: the seeds' index) */
	static const struct {
		const char *args;
		int status;
		const char *want;     /* on stderr, or NULL */
	} runs[] = {
		{"-i %s khongcotu", 0, NULL},
		{"-i %s '\"cải cách'", 2, "unclosed quote at 0"},
		{"-i %s/nonexistent x", 1, "no index"},
		{"x", 2, "no index (-i DIR)"},
		/* a time limit already passed when the search starts */
		{"-i %s --time-limit 0.000001 ndxp", 2, "over its time limit of 1e-06 ms"},
		{"-i %s --time-limit -1 ndxp", 2, "bad option or value"},
	};
	for (size_t i = 0; i < sizeof runs / sizeof *runs; i++) {
		char args[256];
		snprintf(args, sizeof args, runs[i].args, seeds_dir);
		snprintf(cmd, sizeof cmd, "%s search %s 2>&1 >/dev/null", tu_bin(), args);
		out = tu_run(cmd, &st);
		if (st != runs[i].status || (runs[i].want && strstr(out, runs[i].want) == NULL))
			fail_msg("search %s: exit %d, \"%s\"; want %d, \"%s\"", args, st, out,
			         runs[i].status, runs[i].want ? runs[i].want : "");
		free(out);
	}

	/* a flipped byte in the middle of the postings: refused, not searched */
	char dir[256];
	make_tmp(dir, sizeof dir, "flip");
	snprintf(cmd, sizeof cmd, "cp -r %s/. %s/ && ls %s/*.pst | head -1", seeds_dir, dir, dir);
	char *pst = tu_run(cmd, &st);
	assert_int_equal(st, 0);
	pst[strcspn(pst, "\n")] = '\0';
	FILE *f = fopen(pst, "r+b");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	long mid = ftell(f) / 2;
	fseek(f, mid, SEEK_SET);
	int c = fgetc(f);
	fseek(f, mid, SEEK_SET);
	fputc(~c & 0xff, f);
	fclose(f);
	free(pst);
	snprintf(cmd, sizeof cmd, "%s search -i %s ndxp 2>&1 >/dev/null", tu_bin(), dir);
	out = tu_run(cmd, &st);
	assert_int_equal(st, 1);
	assert_non_null(strstr(out, ".pst"));
	free(out);
	rm_rf(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden),
		cmocka_unit_test(test_apostrophes),
		cmocka_unit_test(test_i_or_y),
		cmocka_unit_test(test_unit_spellings),
		cmocka_unit_test(test_abbreviations),
		cmocka_unit_test(test_randomized),
		cmocka_unit_test(test_quantity_alone),
		cmocka_unit_test(test_ranking),
		cmocka_unit_test(test_strict_bounds),
		cmocka_unit_test(test_time_limit),
		cmocka_unit_test(test_paging),
		cmocka_unit_test(test_snippets),
		cmocka_unit_test(test_cli),
	};
	return cmocka_run_group_tests_name("search", tests, setup, teardown);
}
