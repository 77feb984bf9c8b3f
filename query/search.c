/* search.c — parse, execute, fetch, snippet (see search.h). */
#include "search.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis/analyzer.h"
#include "common/mem.h"

struct tc_searcher {
	tc_snapshot *snap;        /* one reference held */
	tc_analyzer *an;
	tc_doc doc;               /* reused fetch buffer */
};

int tc_searcher_from_snapshot(tc_snapshot *snap, tc_searcher **out, tc_error *err)
{
	*out = NULL;
	tc_searcher *s = tc_calloc(1, sizeof *s);
	int rc = tc_analyzer_new(&s->an, err);
	if (rc != TC_OK) {
		free(s);
		return rc;
	}
	s->snap = tc_snapshot_retain(snap);
	*out = s;
	return TC_OK;
}

int tc_searcher_open(const char *dir, tc_searcher **out, tc_error *err)
{
	*out = NULL;
	tc_snapshot *snap;
	/* every checksum, big files too: a search never answers from damaged data (about
	   10 ms per 100 MB of index, once per open) */
	int rc = tc_snapshot_open(dir, TC_SNAP_VERIFY, &snap, err);
	if (rc != TC_OK)
		return rc;
	rc = tc_searcher_from_snapshot(snap, out, err);
	tc_snapshot_release(snap);
	return rc;
}

void tc_searcher_free(tc_searcher *s)
{
	if (s == NULL)
		return;
	tc_doc_free(&s->doc);
	tc_analyzer_free(s->an);
	tc_snapshot_release(s->snap);
	free(s);
}

tc_snapshot *tc_searcher_snapshot(const tc_searcher *s)
{
	return s->snap;
}

void tc_search_result_free(tc_search_result *r)
{
	for (size_t i = 0; i < r->cap; i++) {
		free(r->hits[i].id);
		free(r->hits[i].title);
		tc_snippet_free(&r->hits[i].snippet);
	}
	free(r->hits);
	memset(r, 0, sizeof *r);
}

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static char *field_dup(const tc_doc *d, unsigned field, uint32_t *len)
{
	const char *v = tc_doc_field(d, field, len);
	return tc_strndup(v ? v : "", v ? *len : 0);
}

static int fill_hit(tc_searcher *s, const tc_qnode *root, const tc_search_opts *o,
                    const tc_hit *h, size_t snippet_bytes, tc_search_hit *out, tc_error *err)
{
	const tc_segment *seg = tc_snapshot_segment(s->snap, h->seg);
	free(out->id);
	free(out->title);
	out->id = out->title = NULL;
	out->score = h->score;
	out->seg = h->seg;
	out->doc = h->doc;
	tc_buf_clear(&out->snippet.text);
	out->snippet.nmarks = 0;
	if (o->ids_only) {
		const char *id;
		uint32_t n;
		int rc = tc_seg_doc_id(seg, h->doc, &id, &n);
		out->id = tc_strndup(rc == TC_OK ? id : "", rc == TC_OK ? n : 0);
		out->title = tc_strdup("");
		return TC_OK;
	}
	int rc = tc_seg_doc_get(seg, h->doc, &s->doc, err);
	if (rc != TC_OK)
		return rc;
	uint32_t n;
	out->id = tc_strndup(s->doc.id, s->doc.id_len);
	out->title = field_dup(&s->doc, TC_FIELD_TITLE, &n);
	if (snippet_bytes == 0)
		return TC_OK;
	int lang_id = tc_snapshot_field_id(s->snap, "lang");
	uint32_t ll = 0;
	const char *lang = lang_id >= 0 ? tc_doc_field(&s->doc, (unsigned)lang_id, &ll) : NULL;
	char lbuf[32] = "";
	if (lang && ll < sizeof lbuf)
		memcpy(lbuf, lang, ll);
	uint32_t blen;
	const char *body = tc_doc_field(&s->doc, TC_FIELD_BODY, &blen);
	rc = tc_snippet_make(s->an, root, o->strict, body ? body : "", body ? blen : 0,
	                     lbuf[0] ? lbuf : NULL, snippet_bytes, &out->snippet, err);
	if (rc == TC_EINVAL) /* a stored lang the stemmer does not know: default language */
		rc = tc_snippet_make(s->an, root, o->strict, body ? body : "", body ? blen : 0, NULL,
		                     snippet_bytes, &out->snippet, err);
	return rc;
}

static int parse(tc_searcher *s, const char *q, size_t len, tc_query **out, tc_error *err)
{
	tc_query_env env;
	tc_exec_env(s->snap, &env);
	return tc_query_parse(s->an, q, len, &env, out, err);
}

int tc_searcher_search(tc_searcher *s, const char *q, size_t len, const tc_search_opts *o,
                       size_t snippet_bytes, tc_search_result *out, tc_error *err)
{
	double t0 = now_ms();
	out->n = 0;
	out->total = 0;
	tc_query *query;
	int rc = parse(s, q, len, &query, err);
	if (rc != TC_OK)
		return rc;
	tc_results res = {0};
	rc = tc_exec(s->snap, tc_query_root(query), o, &res, err);
	if (rc == TC_OK && res.n > out->cap) {
		out->hits = tc_realloc(out->hits, res.n * sizeof *out->hits);
		memset(out->hits + out->cap, 0, (res.n - out->cap) * sizeof *out->hits);
		out->cap = res.n;
	}
	for (size_t i = 0; rc == TC_OK && i < res.n; i++) {
		rc = fill_hit(s, tc_query_root(query), o, &res.hits[i], snippet_bytes, &out->hits[i],
		              err);
		if (rc == TC_OK)
			out->n++;
	}
	out->total = res.total;
	out->scored = res.scored;
	tc_results_free(&res);
	tc_query_free(query);
	out->took_ms = now_ms() - t0;
	if (rc != TC_OK)
		out->n = 0;
	return rc;
}

void tc_search_result_json(const tc_search_result *r, tc_buf *out)
{
	tc_buf_printf(out, "{\"total\":%llu,\"took_ms\":%.3f,\"hits\":[",
	              (unsigned long long)r->total, r->took_ms);
	tc_buf html = {0};
	for (size_t i = 0; i < r->n; i++) {
		const tc_search_hit *h = &r->hits[i];
		tc_buf_puts(out, i ? ",{\"id\":\"" : "{\"id\":\"");
		tc_buf_json_escape(out, h->id, strlen(h->id));
		tc_buf_printf(out, "\",\"score\":%.4f,\"title\":\"", h->score);
		tc_buf_json_escape(out, h->title, strlen(h->title));
		tc_buf_puts(out, "\",\"snippet\":\"");
		tc_buf_clear(&html);
		tc_snippet_html(&h->snippet, &html);
		tc_buf_json_escape(out, html.data ? html.data : "", html.len);
		tc_buf_puts(out, "\"}");
	}
	tc_buf_free(&html);
	tc_buf_puts(out, "]}");
}

int tc_searcher_explain(tc_searcher *s, const char *q, size_t len, tc_buf *out, tc_error *err)
{
	tc_query *query;
	int rc = parse(s, q, len, &query, err);
	if (rc != TC_OK)
		return rc;
	tc_query_dump(tc_query_root(query), out);
	tc_query_free(query);
	return TC_OK;
}
