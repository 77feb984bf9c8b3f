/* proto.c — requests of the socket protocol and the HTTP API (see proto.h). */
#include "proto.h"

#include <json.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/mem.h"
#include "indexer/indexer.h"
#include "query/search.h"
#include "server/portal.h"

/*
 * What one request reads with: a searcher over the snapshot of generation gen, and the
 * buffers it reuses. Requests on several threads each take their own from the pool.
 */
typedef struct reader {
	tc_searcher *s;
	uint64_t gen;
	double time_limit_ms;     /* the server's, for every search this reader runs */
	tc_search_result res;
	tc_doc doc;
	tc_buf tmp;
	struct reader *next;
} reader;

struct tc_proto {
	char *dir;
	char *token;              /* NULL: read-only */
	pthread_mutex_t mu;       /* guards snap, gen, idle */
	tc_snapshot *snap;        /* the last commit seen */
	uint64_t gen;             /* bumped when snap changes */
	reader *idle;             /* readers of generation gen, free to take */
	pthread_mutex_t wmu;      /* one write at a time */
	tc_indexer *ix;           /* the index's one writer, with a token */
	double time_limit_ms;     /* of every search; 0: none */
};

static void reader_free(reader *r)
{
	while (r) {
		reader *next = r->next;
		tc_searcher_free(r->s);
		tc_search_result_free(&r->res);
		tc_doc_free(&r->doc);
		tc_buf_free(&r->tmp);
		free(r);
		r = next;
	}
}

/* A reader over the current snapshot: an idle one, or a new one; NULL with err. */
static reader *reader_take(tc_proto *p, tc_error *err)
{
	pthread_mutex_lock(&p->mu);
	reader *r = p->idle;
	if (r) {
		p->idle = r->next;
		pthread_mutex_unlock(&p->mu);
		r->next = NULL;  /* alone now: reader_free(r) frees it only */
		return r;
	}
	tc_snapshot *snap = tc_snapshot_retain(p->snap);
	uint64_t gen = p->gen;
	pthread_mutex_unlock(&p->mu);
	r = tc_calloc(1, sizeof *r);
	r->gen = gen;
	r->time_limit_ms = p->time_limit_ms;
	int rc = tc_searcher_from_snapshot(snap, &r->s, err);
	tc_snapshot_release(snap);
	if (rc != TC_OK) {
		free(r);
		return NULL;
	}
	return r;
}

/* Back to the pool, or freed when a commit has come since it was made. */
static void reader_give(tc_proto *p, reader *r)
{
	pthread_mutex_lock(&p->mu);
	int current = r->gen == p->gen;
	if (current) {
		r->next = p->idle;
		p->idle = r;
	}
	pthread_mutex_unlock(&p->mu);
	if (!current)
		reader_free(r);
}

int tc_proto_open(const tc_proto_opts *o, tc_proto **out, tc_error *err)
{
	*out = NULL;
	tc_proto *p = tc_calloc(1, sizeof *p);
	pthread_mutex_init(&p->mu, NULL);
	pthread_mutex_init(&p->wmu, NULL);
	/* every checksum, as tc_searcher_open: no answer from damaged data */
	int rc = tc_snapshot_open(o->dir, TC_SNAP_VERIFY, &p->snap, err);
	if (rc == TC_OK && o->token) {
		tc_indexer_opts io = {0};
		io.must_exist = 1;
		rc = tc_indexer_open(o->dir, &io, &p->ix, err);
	}
	p->dir = tc_strdup(o->dir);
	p->token = o->token ? tc_strdup(o->token) : NULL;
	p->time_limit_ms = o->time_limit_ms;
	if (rc == TC_OK) {  /* one reader now: a broken analyser shows at start, not later */
		reader *r = reader_take(p, err);
		if (r)
			reader_give(p, r);
		else
			rc = err->code;
	}
	if (rc != TC_OK) {
		tc_proto_free(p);
		return rc;
	}
	*out = p;
	return TC_OK;
}

void tc_proto_free(tc_proto *p)
{
	if (p == NULL)
		return;
	reader_free(p->idle);
	tc_snapshot_release(p->snap);
	tc_indexer_free(p->ix);
	pthread_mutex_destroy(&p->mu);
	pthread_mutex_destroy(&p->wmu);
	free(p->dir);
	free(p->token);
	free(p);
}

/* ---- answers -------------------------------------------------------------------------- */

/* A failed request's answer, the codes as proto.h lists them. */
typedef struct failure {
	const char *code;
	char message[TC_ERROR_MSG_MAX];
	long long offset;         /* -1: none */
} failure;

static void fail_with(failure *f, const char *code, const char *message)
{
	f->code = code;
	snprintf(f->message, sizeof f->message, "%s", message);
	f->offset = -1;
}

/* From a library error; a query's parse error ends in " at N", its byte. */
static void fail_from(failure *f, const tc_error *err)
{
	fail_with(f, tc_errname(err->code), err->msg);
	const char *at = strrchr(err->msg, ' ');
	if (err->code == TC_EPARSE && at && at - err->msg >= 3 && memcmp(at - 3, " at", 3) == 0)
		f->offset = strtoll(at + 1, NULL, 10);
}

static void truncate_to(tc_buf *b, size_t n)
{
	b->len = n;
	if (b->data)
		b->data[n] = '\0';
}

static void put_json(tc_buf *out, json_object *o)
{
	tc_buf_puts(out, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	                                                       JSON_C_TO_STRING_NOSLASHESCAPE));
}

/* {"id":..,"ok":false,"error":{..}} (with_id), or the HTTP body {"error":{..}}. */
static void put_error(tc_buf *out, json_object *id, int with_id, const failure *f)
{
	json_object *o = json_object_new_object(), *e = json_object_new_object();
	if (with_id) {
		json_object_object_add(o, "id", json_object_get(id));
		json_object_object_add(o, "ok", json_object_new_boolean(0));
	}
	json_object_object_add(e, "code", json_object_new_string(f->code));
	json_object_object_add(e, "message", json_object_new_string(f->message));
	if (f->offset >= 0)
		json_object_object_add(e, "offset", json_object_new_int64(f->offset));
	json_object_object_add(o, "error", e);
	put_json(out, o);
	json_object_put(o);
}

/* Starts a successful answer: {"id":..,"ok":true  (members follow with a comma). */
static void put_ok(tc_buf *out, json_object *id)
{
	tc_buf_puts(out, "{\"id\":");
	put_json(out, id);
	tc_buf_puts(out, ",\"ok\":true");
}

void tc_proto_refusal(const char *code, const char *message, int line, tc_buf *out)
{
	failure f;
	fail_with(&f, code, message);
	put_error(out, NULL, line, &f);
	if (line)
		tc_buf_putc(out, '\n');
}

/* ---- requests ------------------------------------------------------------------------- */

/* What a request asks, from JSON or from a query string. */
typedef struct request {
	const char *q;
	size_t qlen;
	int64_t k, offset, snippet;
	int strict;
} request;

/* Runs a search; the answer's members onto out (after a comma when comma), or 0 and f. */
static int do_search(reader *r, const request *rq, failure *f, tc_buf *out)
{
	if (rq->k < 1 || rq->k > TC_PROTO_MAX_K || rq->offset < 0 ||
	    rq->offset > TC_PROTO_MAX_OFFSET || rq->snippet < 0 || rq->snippet > TC_PROTO_MAX_SNIPPET) {
		char m[160];
		snprintf(m, sizeof m, "k must be 1..%d, offset 0..%d, snippet 0..%d", TC_PROTO_MAX_K,
		         TC_PROTO_MAX_OFFSET, TC_PROTO_MAX_SNIPPET);
		fail_with(f, "EREQUEST", m);
		return 0;
	}
	tc_search_opts o;
	tc_search_opts_init(&o);
	o.k = (size_t)rq->k;
	o.offset = (size_t)rq->offset;
	o.strict = rq->strict;
	o.time_limit_ms = r->time_limit_ms;
	tc_error err = {0};
	if (tc_searcher_search(r->s, rq->q, rq->qlen, &o, (size_t)rq->snippet, &r->res, &err) !=
	    TC_OK) {
		fail_from(f, &err);
		return 0;
	}
	tc_buf_clear(&r->tmp);
	tc_search_result_json(&r->res, &r->tmp);
	tc_buf_append(out, r->tmp.data + 1, r->tmp.len - 1);  /* its members and its '}' */
	return 1;
}

/* The live document with this id, fetched into r->doc; 0 when there is none. */
static int find_doc(reader *r, const char *id, size_t len, failure *f)
{
	tc_snapshot *snap = tc_searcher_snapshot(r->s);
	for (size_t i = 0; i < tc_snapshot_nsegments(snap); i++) {
		const tc_segment *seg = tc_snapshot_segment(snap, i);
		uint32_t d;
		tc_error err = {0};
		if (tc_seg_id_lookup(seg, id, len, &d, &err) != TC_OK || tc_seg_is_deleted(seg, d))
			continue;
		if (tc_seg_doc_get(seg, d, &r->doc, &err) != TC_OK) {
			fail_from(f, &err);
			return 0;
		}
		return 1;
	}
	fail_with(f, "ENOENT", "no document has this id");
	return 0;
}

/* "doc":{"id":..,"<field>":"<value>",..} */
static void put_doc(reader *r, tc_buf *out)
{
	tc_snapshot *snap = tc_searcher_snapshot(r->s);
	json_object *o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_string_len(r->doc.id, (int)r->doc.id_len));
	for (size_t i = 0; i < r->doc.nfields; i++) {
		const tc_field_value *v = &r->doc.fields[i];
		const char *name = tc_snapshot_field_name(snap, v->field);
		if (name && strcmp(name, "id") != 0)
			json_object_object_add(o, name, json_object_new_string_len(v->data, (int)v->len));
	}
	tc_buf_puts(out, "\"doc\":");
	put_json(out, o);
	json_object_put(o);
}

static void put_stats(const tc_snapshot *snap, tc_buf *out)
{
	uint64_t live = tc_snapshot_nlive(snap);
	tc_buf_printf(out, "\"docs\":%llu,\"deleted\":%llu,\"segments\":%zu,\"generation\":%llu",
	              (unsigned long long)live,
	              (unsigned long long)(tc_snapshot_ndocs(snap) - live),
	              tc_snapshot_nsegments(snap), (unsigned long long)tc_snapshot_generation(snap));
}

/* Makes snap the one new requests read (those under way finish on theirs). */
static void swap_snapshot(tc_proto *p, tc_snapshot *snap)
{
	pthread_mutex_lock(&p->mu);
	tc_snapshot *old = p->snap;
	reader *stale = p->idle;
	p->snap = snap;
	p->gen++;
	p->idle = NULL;
	pthread_mutex_unlock(&p->mu);
	reader_free(stale);
	tc_snapshot_release(old);
}

/* After a commit: requests from now on see it. */
static int reopen(tc_proto *p, failure *f)
{
	tc_snapshot *snap;
	tc_error err = {0};
	if (tc_snapshot_open(p->dir, TC_SNAP_VERIFY, &snap, &err) != TC_OK) {
		fail_from(f, &err);
		return 0;
	}
	swap_snapshot(p, snap);
	return 1;
}

int tc_proto_refresh(tc_proto *p, tc_error *err)
{
	tc_manifest m;
	int rc = tc_manifest_read(p->dir, &m, err);
	if (rc != TC_OK)
		return rc;
	uint64_t gen = m.generation;
	tc_manifest_free(&m);
	pthread_mutex_lock(&p->mu);
	int same = gen == tc_snapshot_generation(p->snap);
	pthread_mutex_unlock(&p->mu);
	if (same)
		return 0;
	pthread_mutex_lock(&p->wmu);  /* not while this server's own writer commits */
	tc_snapshot *snap;
	rc = tc_snapshot_open(p->dir, TC_SNAP_VERIFY, &snap, err);
	if (rc == TC_OK)
		swap_snapshot(p, snap);
	pthread_mutex_unlock(&p->wmu);
	return rc == TC_OK ? 1 : rc;
}

/* A member of the request object of the given type, or NULL (with f) when it is not. */
static json_object *member(json_object *req, const char *name, json_type type, int required,
                           failure *f)
{
	json_object *v;
	if (!json_object_object_get_ex(req, name, &v) || v == NULL) {
		if (required) {
			char m[96];
			snprintf(m, sizeof m, "missing \"%s\"", name);
			fail_with(f, "EREQUEST", m);
		}
		return NULL;
	}
	if (!json_object_is_type(v, type)) {
		char m[96];
		snprintf(m, sizeof m, "\"%s\" must be %s", name,
		         type == json_type_int ? "a whole number" : type == json_type_boolean
		                                                    ? "true or false"
		                                                    : type == json_type_object
		                                                          ? "an object"
		                                                          : "a string");
		fail_with(f, "EREQUEST", m);
		return NULL;
	}
	return v;
}

static int int_member(json_object *req, const char *name, int64_t dflt, int64_t *out, failure *f)
{
	f->code = NULL;
	json_object *v = member(req, name, json_type_int, 0, f);
	*out = v ? json_object_get_int64(v) : dflt;
	return f->code == NULL;
}

/* A write's token, and the writer: 0 with f when the request may not write. */
static int may_write(tc_proto *p, json_object *req, failure *f)
{
	if (p->ix == NULL) {
		fail_with(f, "EREADONLY", "this server is read-only (started without a token)");
		return 0;
	}
	json_object *t;
	const char *given = json_object_object_get_ex(req, "token", &t) && json_object_is_type(
	                        t, json_type_string) ? json_object_get_string(t) : NULL;
	/* the whole token compared, whatever the first difference */
	size_t n = strlen(p->token), m = given ? strlen(given) : 0;
	unsigned char diff = n != m || given == NULL;
	for (size_t i = 0; given && i < n && i < m; i++)
		diff |= (unsigned char)(p->token[i] ^ given[i]);
	if (diff) {
		fail_with(f, "ETOKEN", "a write needs the server's token");
		return 0;
	}
	return 1;
}

/* The stats of the last commit (after a commit: the new one). */
static void put_current_stats(tc_proto *p, tc_buf *out)
{
	pthread_mutex_lock(&p->mu);
	tc_snapshot *snap = tc_snapshot_retain(p->snap);
	pthread_mutex_unlock(&p->mu);
	put_stats(snap, out);
	tc_snapshot_release(snap);
}

/* add, delete, commit: one at a time, through the one writer; 0 with f on failure. */
static int write_op(tc_proto *p, const char *name, json_object *req, failure *f, tc_buf *out)
{
	json_object *arg = NULL;
	if (strcmp(name, "commit") != 0 &&
	    (arg = member(req, "doc", strcmp(name, "add") == 0 ? json_type_object : json_type_string,
	                  1, f)) == NULL)
		return 0;
	if (!may_write(p, req, f))
		return 0;
	tc_error err = {0};
	int rc;
	pthread_mutex_lock(&p->wmu);
	if (strcmp(name, "add") == 0) {
		size_t len;
		const char *json = json_object_to_json_string_length(
		    arg, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
		rc = tc_indexer_add_json(p->ix, "request", json, len, &err);
	} else if (strcmp(name, "delete") == 0) {
		rc = tc_indexer_delete(p->ix, json_object_get_string(arg),
		                       (size_t)json_object_get_string_len(arg), &err);
	} else {
		rc = tc_indexer_commit(p->ix, &err);
	}
	int ok = rc == TC_OK && (arg != NULL || reopen(p, f));
	pthread_mutex_unlock(&p->wmu);
	if (rc != TC_OK)
		fail_from(f, &err);
	if (!ok)
		return 0;
	if (arg == NULL) {  /* a commit answers with what the index now holds */
		tc_buf_putc(out, ',');
		put_current_stats(p, out);
	}
	tc_buf_putc(out, '}');
	return 1;
}

/* One parsed request; its answer's members onto out, or 0 and f. */
static int dispatch(tc_proto *p, reader *r, json_object *req, failure *f, tc_buf *out)
{
	json_object *op = member(req, "op", json_type_string, 1, f);
	if (op == NULL)
		return 0;
	const char *name = json_object_get_string(op);
	if (strcmp(name, "search") == 0) {
		json_object *q = member(req, "q", json_type_string, 1, f), *st;
		if (q == NULL)
			return 0;
		request rq = {0};
		rq.q = json_object_get_string(q);
		rq.qlen = (size_t)json_object_get_string_len(q);
		if (!int_member(req, "k", 10, &rq.k, f) || !int_member(req, "offset", 0, &rq.offset, f) ||
		    !int_member(req, "snippet", TC_PROTO_SNIPPET, &rq.snippet, f))
			return 0;
		f->code = NULL;
		if ((st = member(req, "strict", json_type_boolean, 0, f)) == NULL && f->code)
			return 0;
		rq.strict = st && json_object_get_boolean(st);
		tc_buf_putc(out, ',');
		return do_search(r, &rq, f, out);
	}
	if (strcmp(name, "get") == 0) {
		json_object *id = member(req, "doc", json_type_string, 1, f);
		if (id == NULL || !find_doc(r, json_object_get_string(id),
		                            (size_t)json_object_get_string_len(id), f))
			return 0;
		tc_buf_putc(out, ',');
		put_doc(r, out);
		tc_buf_putc(out, '}');
		return 1;
	}
	if (strcmp(name, "stats") == 0) {
		tc_buf_putc(out, ',');
		put_stats(tc_searcher_snapshot(r->s), out);
		tc_buf_putc(out, '}');
		return 1;
	}
	if (strcmp(name, "add") == 0 || strcmp(name, "delete") == 0 || strcmp(name, "commit") == 0)
		return write_op(p, name, req, f, out);
	char m[TC_ERROR_MSG_MAX];
	snprintf(m, sizeof m, "no op \"%.100s\" (search, get, stats, add, delete, commit)", name);
	fail_with(f, "EOP", m);
	return 0;
}

const char *tc_proto_line(tc_proto *p, const char *line, size_t len, tc_buf *out)
{
	failure f;
	fail_with(&f, "EREQUEST", "");
	json_tokener *tok = json_tokener_new();
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	json_object *req = len <= INT32_MAX ? json_tokener_parse_ex(tok, line, (int)len) : NULL;
	enum json_tokener_error jerr = json_tokener_get_error(tok);
	if (req && (size_t)json_tokener_get_parse_end(tok) < len)
		jerr = json_tokener_error_parse_unexpected;  /* something after the object */
	json_tokener_free(tok);
	json_object *id = NULL;
	size_t mark = out->len;
	if (req == NULL || jerr != json_tokener_success) {
		snprintf(f.message, sizeof f.message, "not a JSON object: %s",
		         req ? "text after the object" : json_tokener_error_desc(jerr));
	} else if (!json_object_is_type(req, json_type_object)) {
		snprintf(f.message, sizeof f.message, "a request is a JSON object");
	} else {
		json_object_object_get_ex(req, "id", &id);
		put_ok(out, id);
		tc_error err = {0};
		reader *r = reader_take(p, &err);
		int ok = r && dispatch(p, r, req, &f, out);
		if (r)
			reader_give(p, r);
		else
			fail_from(&f, &err);
		if (ok) {
			tc_buf_putc(out, '\n');
			json_object_put(req);
			return NULL;
		}
		truncate_to(out, mark);
	}
	put_error(out, id, 1, &f);
	tc_buf_putc(out, '\n');
	json_object_put(req);
	return f.code;
}

/* ---- HTTP ----------------------------------------------------------------------------- */

static int hex(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
	                                      : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/*
 * The value of parameter name in query s[0..n) ("a=1&b=x+y"), percent-decoded ('+' is a
 * space) into out; 1 found, 0 absent, -1 a bad escape.
 */
static int query_param(const char *s, size_t n, const char *name, tc_buf *out)
{
	size_t nl = strlen(name);
	for (size_t i = 0; i < n;) {
		size_t end = i;
		while (end < n && s[end] != '&')
			end++;
		if (end - i > nl && memcmp(s + i, name, nl) == 0 && s[i + nl] == '=') {
			tc_buf_clear(out);
			for (size_t j = i + nl + 1; j < end; j++) {
				if (s[j] == '%') {
					int h = j + 2 < end ? hex(s[j + 1]) : -1, l = h >= 0 ? hex(s[j + 2]) : -1;
					if (l < 0)
						return -1;
					tc_buf_putc(out, (char)(h * 16 + l));
					j += 2;
				} else {
					tc_buf_putc(out, s[j] == '+' ? ' ' : s[j]);
				}
			}
			tc_buf_reserve(out, 1);
			out->data[out->len] = '\0';
			return 1;
		}
		i = end + 1;
	}
	return 0;
}

/* An integer parameter: 1 (or absent: dflt), 0 with f when it is not a number. */
static int int_param(const char *qs, size_t n, const char *name, int64_t dflt, int64_t *out,
                     tc_buf *tmp, failure *f)
{
	int r = query_param(qs, n, name, tmp);
	*out = dflt;
	if (r == 0)
		return 1;
	char *end = NULL;
	long long v = r > 0 && tmp->len ? strtoll(tmp->data, &end, 10) : 0;
	if (r < 0 || end == NULL || *end != '\0') {
		char m[96];
		snprintf(m, sizeof m, "parameter %s must be a whole number", name);
		fail_with(f, "EREQUEST", m);
		return 0;
	}
	*out = v;
	return 1;
}

/* The GET of target with reader rd; its status, the body onto out (errors: with f). */
static int http_get(reader *rd, const char *target, size_t len, failure *f, tc_buf *out)
{
	const char *qm = memchr(target, '?', len);
	size_t plen = qm ? (size_t)(qm - target) : len;
	const char *qs = qm ? qm + 1 : "";
	size_t qn = qm ? len - plen - 1 : 0;
	tc_buf v = {0};
	int status = 400;
	if (plen == 11 && memcmp(target, "/api/search", 11) == 0) {
		request rq = {0};
		int found = query_param(qs, qn, "q", &v);
		if (found <= 0) {
			fail_with(f, "EREQUEST", found < 0 ? "bad percent escape in q" : "missing q");
		} else {
			char *q = tc_strndup(v.data, v.len);
			rq.q = q;
			rq.qlen = v.len;
			int sr = query_param(qs, qn, "strict", &v);
			rq.strict = sr > 0 && (strcmp(v.data, "true") == 0 || strcmp(v.data, "1") == 0);
			if (int_param(qs, qn, "k", 10, &rq.k, &v, f) &&
			    int_param(qs, qn, "offset", 0, &rq.offset, &v, f) &&
			    int_param(qs, qn, "snippet", TC_PROTO_SNIPPET, &rq.snippet, &v, f)) {
				tc_buf_putc(out, '{');
				size_t mark = out->len;
				if (do_search(rd, &rq, f, out))
					status = 200;
				else
					truncate_to(out, mark - 1);
			}
			free(q);
		}
	} else if (plen == 8 && memcmp(target, "/api/doc", 8) == 0) {
		int found = query_param(qs, qn, "id", &v);
		if (found <= 0)
			fail_with(f, "EREQUEST", found < 0 ? "bad percent escape in id" : "missing id");
		else if (find_doc(rd, v.data, v.len, f)) {
			tc_buf_putc(out, '{');
			put_doc(rd, out);
			tc_buf_putc(out, '}');
			status = 200;
		} else if (strcmp(f->code, "ENOENT") == 0) {
			status = 404;
		}
	} else if (plen == 10 && memcmp(target, "/api/stats", 10) == 0) {
		tc_buf_putc(out, '{');
		put_stats(tc_searcher_snapshot(rd->s), out);
		tc_buf_putc(out, '}');
		status = 200;
	} else {
		fail_with(f, "ENOENT", "no such path (/, /api/search, /api/doc, /api/stats)");
		status = 404;
	}
	tc_buf_free(&v);
	return status;
}

int tc_proto_http(tc_proto *p, const char *target, size_t len, tc_buf *out)
{
	failure f;
	fail_with(&f, "EREQUEST", "");
	tc_error err = {0};
	reader *rd = reader_take(p, &err);
	int status = 500;
	if (rd) {
		status = http_get(rd, target, len, &f, out);
		reader_give(p, rd);
	} else {
		fail_from(&f, &err);
	}
	if (status != 200)
		put_error(out, NULL, 0, &f);
	return status;
}

/* ---- HTTP requests -------------------------------------------------------------------- */

static const char *status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 431: return "Request Header Fields Too Large";
	case 503: return "Service Unavailable";
	default: return "Internal Server Error";
	}
}

static void http_respond(tc_buf *o, int status, const char *type, const char *body, size_t len,
                         int head_only, int close)
{
	tc_buf_printf(o,
	              "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
	              "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n%s\r\n",
	              status, status_text(status), type, len,
	              close ? "Connection: close\r\n" : "");
	if (!head_only)
		tc_buf_append(o, body, len);
}

int tc_proto_http_error(int status, const char *code, const char *message, tc_buf *out)
{
	tc_buf body = {0};
	tc_proto_refusal(code, message, 0, &body);
	http_respond(out, status, "application/json", body.data, body.len, 0, 1);
	tc_buf_free(&body);
	return 0;
}

/* Does header line h[0..n) have this name? Its value in *v. */
static int header_is(const char *h, size_t n, const char *name, const char **v, size_t *vn)
{
	size_t k = strlen(name);
	if (n <= k || h[k] != ':' || strncasecmp(h, name, k) != 0)
		return 0;
	size_t i = k + 1;
	while (i < n && (h[i] == ' ' || h[i] == '\t'))
		i++;
	*v = h + i;
	*vn = n - i;
	return 1;
}

static int value_has(const char *v, size_t n, const char *word)
{
	size_t k = strlen(word);
	for (size_t i = 0; i + k <= n; i++)
		if (strncasecmp(v + i, word, k) == 0)
			return 1;
	return 0;
}

int tc_proto_http_request(tc_proto *p, const char *in, size_t head, tc_buf *o)
{
	const char *eol = memchr(in, '\n', head);
	size_t rl = (size_t)(eol - in);
	if (rl && in[rl - 1] == '\r')
		rl--;
	const char *sp1 = memchr(in, ' ', rl);
	const char *sp2 = sp1 ? memchr(sp1 + 1, ' ', rl - (size_t)(sp1 + 1 - in)) : NULL;
	if (sp1 == NULL || sp2 == NULL || rl - (size_t)(sp2 + 1 - in) != 8 ||
	    memcmp(sp2 + 1, "HTTP/1.", 7) != 0)
		return tc_proto_http_error(400, "EREQUEST", "not an HTTP/1.x request line", o);
	int head_only = sp1 - in == 4 && memcmp(in, "HEAD", 4) == 0;
	int keep = sp2[8] == '1';  /* HTTP/1.1; 1.0 closes */
	const char *target = sp1 + 1;
	size_t tlen = (size_t)(sp2 - target);
	for (const char *h = eol + 1; h < in + head;) {
		const char *e = memchr(h, '\n', (size_t)(in + head - h));
		size_t n = (size_t)(e - h);
		if (n && h[n - 1] == '\r')
			n--;
		const char *v;
		size_t vn;
		if (header_is(h, n, "connection", &v, &vn) && value_has(v, vn, "close"))
			keep = 0;
		if ((header_is(h, n, "content-length", &v, &vn) && !(vn == 1 && v[0] == '0')) ||
		    header_is(h, n, "transfer-encoding", &v, &vn))
			return tc_proto_http_error(400, "EREQUEST",
			                           "requests have no body here: GET and HEAD only", o);
		h = e + 1;
	}
	if (!head_only && !(sp1 - in == 3 && memcmp(in, "GET", 3) == 0))
		return tc_proto_http_error(405, "EREQUEST", "GET and HEAD only", o);
	if ((tlen == 1 && target[0] == '/') || (tlen > 1 && target[0] == '/' && target[1] == '?')) {
		http_respond(o, 200, "text/html; charset=utf-8", tc_portal_html, tc_portal_html_len,
		             head_only, !keep);
		return keep;
	}
	tc_buf body = {0};
	int status = tc_proto_http(p, target, tlen, &body);
	http_respond(o, status, "application/json", body.data, body.len, head_only, !keep);
	tc_buf_free(&body);
	return keep;
}
