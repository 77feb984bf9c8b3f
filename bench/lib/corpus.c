/* corpus.c — streaming reader of benchmark documents (see corpus.h). */
#include "bench/lib/corpus.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include <limits.h>
#include <zstd.h>

#include "common/buf.h"
#include "common/mem.h"

enum kind { K_ZST, K_JSONL, K_TXT };

struct tc_bench_corpus {
	FILE *f;
	char *path;                /* for messages */
	enum kind kind;
	ZSTD_DCtx *z;              /* K_ZST only */
	unsigned char *in;         /* compressed input chunk */
	size_t in_cap;
	ZSTD_inBuffer zin;
	size_t frame_left;         /* last ZSTD_decompressStream hint: 0 = between frames */
	tc_buf pend;               /* decompressed bytes, lines not yet handed out */
	size_t pend_off;           /* first byte of pend not yet consumed */
	int eof;                   /* no more input bytes to decode */
	size_t line_no;
	struct json_tokener *tok;  /* strict, reset per line; made on the first line */
	json_object *cur;          /* the document handed out last (owns its strings) */
	tc_buf txt;                /* K_TXT: the whole file */
	char *txt_id;
	int txt_done;
};

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && strcmp(s + n - k, suffix) == 0;
}

int tc_bench_corpus_open(const char *path, tc_bench_corpus **out, tc_error *err)
{
	*out = NULL;
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return tc_error_set(err, errno == ENOENT ? TC_ENOENT : TC_EIO, "%s: %s", path,
		                    strerror(errno));
	tc_bench_corpus *c = tc_calloc(1, sizeof *c);
	c->f = f;
	c->path = tc_strdup(path);
	if (ends_with(path, ".zst")) {
		c->kind = K_ZST;
		c->z = ZSTD_createDCtx();
		c->in_cap = ZSTD_DStreamInSize();
		c->in = tc_malloc(c->in_cap);
	} else if (ends_with(path, ".txt")) {
		c->kind = K_TXT;
	} else {
		c->kind = K_JSONL;
	}
	*out = c;
	return TC_OK;
}

void tc_bench_corpus_close(tc_bench_corpus *c)
{
	if (c == NULL)
		return;
	if (c->f)
		fclose(c->f);
	json_object_put(c->cur);
	if (c->tok)
		json_tokener_free(c->tok);
	ZSTD_freeDCtx(c->z);
	free(c->in);
	free(c->path);
	free(c->txt_id);
	tc_buf_free(&c->pend);
	tc_buf_free(&c->txt);
	free(c);
}

/* Appends more decoded bytes to pend. Returns 1 if some came, 0 at the end, or an error. */
static int fill(tc_bench_corpus *c, tc_error *err)
{
	const size_t chunk = 1 << 17;
	for (;;) {
		tc_buf_reserve(&c->pend, chunk);
		if (c->kind == K_JSONL) {
			size_t k = fread(c->pend.data + c->pend.len, 1, chunk, c->f);
			if (k == 0)
				return ferror(c->f) ? tc_error_set(err, TC_EIO, "%s: read error", c->path)
				                    : 0;
			c->pend.len += k;
			return 1;
		}
		if (c->zin.pos == c->zin.size) {
			size_t k = fread(c->in, 1, c->in_cap, c->f);
			if (k == 0) {
				if (ferror(c->f))
					return tc_error_set(err, TC_EIO, "%s: read error", c->path);
				if (c->frame_left != 0)
					return tc_error_set(err, TC_ECORRUPT, "%s: truncated zstd frame",
					                    c->path);
				return 0;
			}
			c->zin = (ZSTD_inBuffer){c->in, k, 0};
		}
		ZSTD_outBuffer zout = {c->pend.data + c->pend.len, chunk, 0};
		size_t r = ZSTD_decompressStream(c->z, &zout, &c->zin);
		if (ZSTD_isError(r))
			return tc_error_set(err, TC_ECORRUPT, "%s: zstd: %s", c->path,
			                    ZSTD_getErrorName(r));
		c->frame_left = r;
		c->pend.len += zout.pos;
		c->pend.data[c->pend.len] = '\0';
		if (zout.pos > 0)
			return 1;
	}
}

/* Hands out the next line (without its newline), NUL-terminated in place. 1, 0 or error. */
static int next_line(tc_bench_corpus *c, char **line, size_t *len, tc_error *err)
{
	size_t scan = c->pend_off;
	for (;;) {
		char *nl = scan < c->pend.len ? memchr(c->pend.data + scan, '\n',
		                                       c->pend.len - scan) : NULL;
		if (nl) {
			*line = c->pend.data + c->pend_off;
			*len = (size_t)(nl - *line);
			*nl = '\0';
			c->pend_off += *len + 1;
			return 1;
		}
		if (c->pend_off > 0) { /* keep the partial line, drop what was consumed */
			size_t keep = c->pend.len - c->pend_off;
			memmove(c->pend.data, c->pend.data + c->pend_off, keep);
			c->pend.len = keep;
			c->pend_off = 0;
		}
		scan = c->pend.len;
		int rc = c->eof ? 0 : fill(c, err);
		if (rc < 0)
			return rc;
		if (rc == 0) {
			c->eof = 1;
			if (c->pend.len == c->pend_off)
				return 0;
			*line = c->pend.data + c->pend_off; /* last line without a newline */
			*len = c->pend.len - c->pend_off;
			c->pend_off = c->pend.len;
			return 1;
		}
	}
}

static int get_string(json_object *o, const char *key, const char **s, size_t *n)
{
	json_object *v = json_object_object_get(o, key);
	if (!json_object_is_type(v, json_type_string))
		return -1;
	*s = json_object_get_string(v);
	*n = (size_t)json_object_get_string_len(v);
	return 0;
}

static int next_json(tc_bench_corpus *c, tc_bench_doc *doc, tc_error *err)
{
	char *line;
	size_t len;
	int rc;
	do {
		rc = next_line(c, &line, &len, err);
		if (rc <= 0)
			return rc;
		c->line_no++;
	} while (len == 0);
	if (!c->tok) {
		c->tok = json_tokener_new();
		json_tokener_set_flags(c->tok, JSON_TOKENER_STRICT);
	}
	json_tokener_reset(c->tok);
	json_object *o = len <= INT_MAX ? json_tokener_parse_ex(c->tok, line, (int)len) : NULL;
	if (o == NULL)
		return tc_error_set(err, TC_EPARSE, "%s:%zu: %s", c->path, c->line_no,
		                    json_tokener_error_desc(json_tokener_get_error(c->tok)));
	if (!json_object_is_type(o, json_type_object) || get_string(o, "id", &doc->id, &doc->id_len) ||
	    get_string(o, "title", &doc->title, &doc->title_len) ||
	    get_string(o, "body", &doc->body, &doc->body_len)) {
		json_object_put(o);
		return tc_error_set(err, TC_EPARSE, "%s:%zu: not an object with string id, title "
		                    "and body", c->path, c->line_no);
	}
	c->cur = o;
	doc->raw_bytes = len + 1;
	return 1;
}

static int next_txt(tc_bench_corpus *c, tc_bench_doc *doc, tc_error *err)
{
	if (c->txt_done)
		return 0;
	c->txt_done = 1;
	char chunk[1 << 16];
	size_t k;
	while ((k = fread(chunk, 1, sizeof chunk, c->f)) > 0)
		tc_buf_append(&c->txt, chunk, k);
	if (ferror(c->f))
		return tc_error_set(err, TC_EIO, "%s: read error", c->path);
	tc_buf_putc(&c->txt, '\0');
	c->txt.len--; /* data is never NULL now, even for an empty file */
	char *s = c->txt.data, *end = s + c->txt.len;
	while (s < end && (*s == '\n' || *s == '\r'))
		s++;
	char *nl = memchr(s, '\n', (size_t)(end - s));
	char *body = nl ? nl + 1 : end;
	if (nl)
		*nl = '\0';
	while (body < end && (*body == '\n' || *body == '\r'))
		body++;
	const char *base = strrchr(c->path, '/');
	base = base ? base + 1 : c->path;
	c->txt_id = tc_strndup(base, strlen(base) - 4); /* without ".txt" */
	doc->id = c->txt_id;
	doc->id_len = strlen(c->txt_id);
	doc->title = s;
	doc->title_len = strlen(s);
	doc->body = body;
	doc->body_len = (size_t)(end - body);
	doc->raw_bytes = c->txt.len;
	return 1;
}

int tc_bench_corpus_next(tc_bench_corpus *c, tc_bench_doc *doc, tc_error *err)
{
	json_object_put(c->cur);
	c->cur = NULL;
	memset(doc, 0, sizeof *doc);
	return c->kind == K_TXT ? next_txt(c, doc, err) : next_json(c, doc, err);
}

int tc_bench_corpus_each(char *const *paths, size_t n,
                         int (*fn)(void *ctx, const tc_bench_doc *doc), void *ctx,
                         tc_bench_totals *tot, tc_error *err)
{
	for (size_t i = 0; i < n; i++) {
		tc_bench_corpus *c;
		TC_FORWARD(tc_bench_corpus_open(paths[i], &c, err));
		tc_bench_doc d;
		int rc;
		while ((rc = tc_bench_corpus_next(c, &d, err)) == 1) {
			tot->docs++;
			tot->raw_bytes += d.raw_bytes;
			tot->text_bytes += d.title_len + d.body_len;
			if ((rc = fn(ctx, &d)) != 0)
				break;
		}
		tc_bench_corpus_close(c);
		if (rc != 0)
			return rc;
	}
	return 0;
}
