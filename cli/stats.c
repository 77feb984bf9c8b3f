/* stats.c — `tracuu stats`: what an index holds and where its bytes go. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "analysis/quantity.h"
#include "indexer/doc.h"
#include "storage/storage.h"

#define TOP_UNITS 20

static int usage(FILE *f)
{
	fprintf(f, "usage: tracuu stats -i DIR [--json]\n"
	           "\n"
	           "Documents (live, deleted), segments, terms, bytes by kind (postings,\n"
	           "positions, term dictionary, doc store, numeric index, field lengths),\n"
	           "quantity mentions and the %d most frequent unit keys.\n",
	        TOP_UNITS);
	return f == stdout ? 0 : 2;
}

static const char *const kind_names[3] = {"folded", "stem", "exact"};

typedef struct totals {
	uint64_t terms, postings, positions;
	uint64_t nterms[3], post_kind[3], pos_kind[3];
	uint64_t dict, docstore, docdict, numeric, norms, files, nnum;
} totals;

typedef struct unit {
	const char *key;
	size_t len;
	uint64_t count;
} unit;

static int unit_cmp(const void *pa, const void *pb)
{
	const unit *a = pa, *b = pb;
	if (a->count != b->count)
		return a->count < b->count ? 1 : -1;
	size_t n = a->len < b->len ? a->len : b->len;
	int c = memcmp(a->key, b->key, n);
	return c ? c : (a->len > b->len) - (a->len < b->len);
}

static void sum_segments(const tc_snapshot *s, totals *t)
{
	memset(t, 0, sizeof *t);
	for (size_t i = 0; i < tc_snapshot_nsegments(s); i++) {
		tc_seg_stats st;
		tc_seg_stats_get(tc_snapshot_segment(s, i), &st);
		for (int k = 0; k < 3; k++) {
			t->nterms[k] += st.nterms[k];
			t->post_kind[k] += st.postings_bytes[k];
			t->pos_kind[k] += st.positions_bytes[k];
			t->terms += st.nterms[k];
			t->postings += st.postings_bytes[k];
			t->positions += st.positions_bytes[k];
		}
		t->dict += st.dict_bytes;
		t->docstore += st.docstore_bytes;
		t->docdict += st.docdict_bytes;
		t->numeric += st.numeric_bytes;
		t->norms += st.fieldlen_bytes;
		t->files += st.file_bytes;
		t->nnum += st.nnum;
	}
}

/* Unit keys by count, the date keys left out (they are counted apart). */
static unit *top_units(const tc_snapshot *s, size_t *n, uint64_t *dates, uint64_t *docdates)
{
	size_t nu = tc_snapshot_nunits(s);
	unit *u = malloc((nu ? nu : 1) * sizeof *u);
	*n = 0;
	*dates = tc_snapshot_unit_count(s, TC_QTY_KEY_DATE, strlen(TC_QTY_KEY_DATE));
	*docdates = tc_snapshot_unit_count(s, TC_IX_KEY_DOCDATE, strlen(TC_IX_KEY_DOCDATE));
	for (size_t i = 0; i < nu; i++) {
		unit x;
		tc_snapshot_unit(s, i, &x.key, &x.len, &x.count);
		if ((x.len == strlen(TC_QTY_KEY_DATE) && memcmp(x.key, TC_QTY_KEY_DATE, x.len) == 0) ||
		    (x.len == strlen(TC_IX_KEY_DOCDATE) &&
		     memcmp(x.key, TC_IX_KEY_DOCDATE, x.len) == 0))
			continue;
		u[(*n)++] = x;
	}
	qsort(u, *n, sizeof *u, unit_cmp);
	if (*n > TOP_UNITS)
		*n = TOP_UNITS;
	return u;
}

static uint64_t file_size(const char *dir, const char *name)
{
	char path[4096];
	struct stat st;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	return stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
}

static void print_json(const tc_snapshot *s, const totals *t, uint64_t total,
                       const unit *u, size_t nu, uint64_t dates, uint64_t docdates)
{
	json_object *o = json_object_new_object();
	uint64_t ndocs = tc_snapshot_ndocs(s), live = tc_snapshot_nlive(s);
	tc_cli_json_int(o, "docs", (int64_t)live);
	tc_cli_json_int(o, "deleted", (int64_t)(ndocs - live));
	tc_cli_json_int(o, "segments", (int64_t)tc_snapshot_nsegments(s));
	tc_cli_json_int(o, "generation", (int64_t)tc_snapshot_generation(s));
	tc_cli_json_int(o, "terms", (int64_t)t->terms);
	json_object *tk = json_object_new_object();
	for (int k = 0; k < 3; k++)
		tc_cli_json_int(tk, kind_names[k], (int64_t)t->nterms[k]);
	json_object_object_add(o, "terms_by_kind", tk);
	json_object *b = json_object_new_object();
	tc_cli_json_int(b, "total", (int64_t)total);
	tc_cli_json_int(b, "postings", (int64_t)t->postings);
	tc_cli_json_int(b, "positions", (int64_t)t->positions);
	tc_cli_json_int(b, "terms", (int64_t)t->dict);
	tc_cli_json_int(b, "docstore", (int64_t)t->docstore);
	tc_cli_json_int(b, "docstore_dictionary", (int64_t)t->docdict);
	tc_cli_json_int(b, "numeric", (int64_t)t->numeric);
	tc_cli_json_int(b, "norms", (int64_t)t->norms);
	json_object *pk = json_object_new_object(), *ppk = json_object_new_object();
	for (int k = 0; k < 3; k++) {
		tc_cli_json_int(pk, kind_names[k], (int64_t)t->post_kind[k]);
		tc_cli_json_int(ppk, kind_names[k], (int64_t)t->pos_kind[k]);
	}
	json_object_object_add(b, "postings_by_kind", pk);
	json_object_object_add(b, "positions_by_kind", ppk);
	json_object_object_add(o, "bytes", b);
	tc_cli_json_int(o, "quantities", (int64_t)t->nnum);
	tc_cli_json_int(o, "dates", (int64_t)dates);
	tc_cli_json_int(o, "docdates", (int64_t)docdates);
	json_object *ua = json_object_new_array();
	for (size_t i = 0; i < nu; i++) {
		json_object *pair = json_object_new_array();
		json_object_array_add(pair, json_object_new_string_len(u[i].key, (int)u[i].len));
		json_object_array_add(pair, json_object_new_int64((int64_t)u[i].count));
		json_object_array_add(ua, pair);
	}
	json_object_object_add(o, "units", ua);
	json_object *fa = json_object_new_array();
	for (size_t i = 0; i < tc_snapshot_nfields(s); i++)
		json_object_array_add(fa, json_object_new_string(tc_snapshot_field_name(s, (unsigned)i)));
	json_object_object_add(o, "fields", fa);
	tc_cli_json_print(o);
}

static void line(const char *what, uint64_t bytes, uint64_t total)
{
	printf("  %-16s %12llu  %5.1f%%\n", what, (unsigned long long)bytes,
	       total ? 100.0 * (double)bytes / (double)total : 0.0);
}

static void print_human(const tc_snapshot *s, const totals *t, uint64_t total,
                        const unit *u, size_t nu, uint64_t dates, uint64_t docdates)
{
	uint64_t ndocs = tc_snapshot_ndocs(s), live = tc_snapshot_nlive(s);
	printf("documents   %llu live, %llu deleted\n", (unsigned long long)live,
	       (unsigned long long)(ndocs - live));
	printf("segments    %zu (commit %llu)\n", tc_snapshot_nsegments(s),
	       (unsigned long long)tc_snapshot_generation(s));
	printf("terms       %llu (folded %llu, stem %llu, exact %llu; summed over segments)\n",
	       (unsigned long long)t->terms, (unsigned long long)t->nterms[0],
	       (unsigned long long)t->nterms[1], (unsigned long long)t->nterms[2]);
	printf("fields     ");
	for (size_t i = 0; i < tc_snapshot_nfields(s); i++)
		printf(" %s", tc_snapshot_field_name(s, (unsigned)i));
	printf("\nbytes       %llu\n", (unsigned long long)total);
	line("postings", t->postings, total);
	for (int k = 0; k < 3; k++) {
		char what[32];
		snprintf(what, sizeof what, "  %s", kind_names[k]);
		line(what, t->post_kind[k], total);
	}
	line("positions", t->positions, total);
	line("term dictionary", t->dict, total);
	line("doc store", t->docstore, total);
	line("  dictionary", t->docdict, total);
	line("numeric", t->numeric, total);
	line("field lengths", t->norms, total);
	printf("quantities  %llu entries (%llu dates in text, %llu document dates)\n",
	       (unsigned long long)t->nnum, (unsigned long long)dates,
	       (unsigned long long)docdates);
	if (nu)
		printf("top units\n");
	for (size_t i = 0; i < nu; i++)
		printf("  %-24.*s %llu\n", (int)u[i].len, u[i].key, (unsigned long long)u[i].count);
}

int tc_cmd_stats(int argc, char **argv)
{
	const char *dir = NULL;
	int json = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return usage(stdout);
		if (strcmp(argv[i], "--json") == 0) {
			json = 1;
		} else if ((strcmp(argv[i], "-i") == 0 || strcmp(argv[i], "--index") == 0) &&
		           i + 1 < argc) {
			dir = argv[++i];
		} else {
			fprintf(stderr, "tracuu stats: unknown argument '%s'\n", argv[i]);
			return usage(stderr);
		}
	}
	if (!dir) {
		fprintf(stderr, "tracuu stats: no index directory (-i DIR)\n");
		return usage(stderr);
	}
	tc_error err = {0};
	tc_snapshot *s;
	int rc = tc_snapshot_open(dir, 0, &s, &err);
	if (rc < 0) {
		if (rc == TC_ENOENT)
			fprintf(stderr, "tracuu stats: %s: not an index (%s)\n", dir, err.msg);
		else
			fprintf(stderr, "tracuu stats: %s\n", err.msg);
		return 1;
	}
	totals t;
	sum_segments(s, &t);
	uint64_t total = t.files + file_size(dir, "MANIFEST");
	size_t nu;
	uint64_t dates, docdates;
	unit *u = top_units(s, &nu, &dates, &docdates);
	if (json)
		print_json(s, &t, total, u, nu, dates, docdates);
	else
		print_human(s, &t, total, u, nu, dates, docdates);
	free(u);
	tc_snapshot_release(s);
	return 0;
}
