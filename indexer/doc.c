/*
 * doc.c — records to analysed documents (see doc.h for the rules).
 */
#include "doc.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analyzer.h"
#include "analysis/quantity.h"
#include "common/mem.h"
#include "common/utf8.h"
#include "storage/storage.h"
#include "source.h"

/*
 * Grouping: every token gives up to three occurrences (folded, stem, exact); a hash
 * table maps each distinct (kind, bytes) to a group, in order of first occurrence.
 * Positions then go into their group's slot, in token order, hence ascending.
 */
typedef struct group {
	const char *s;       /* term bytes, in the worker's token list */
	const char *folded;  /* an exact form's folded form: its term is folded, 0, s */
	uint32_t hash;       /* tc_ix_term_hash (of s alone for an exact form: doc.h) */
	uint16_t len, folded_len;
	char kind;
	uint32_t count;      /* occurrences */
	uint32_t slot;       /* its slot in the table, cleared after the field */
} group;

struct tc_ix_worker {
	tc_analyzer *an;
	char *lang;          /* default stemming language, NULL = analyser default */
	tc_toklist tl;       /* tokens of the field being analysed */
	tc_qlist ql;         /* its quantity mentions */
	tc_buf clean;        /* the record with invalid UTF-8 replaced */
	group *groups;       /* distinct terms of the field being grouped */
	size_t ngroups, cap_groups;
	uint32_t *table;     /* open addressing: group index + 1, 0 = empty; all empty
	                        between fields */
	size_t cap_table;    /* allocated slots */
	size_t mask;         /* slots in use for this field, minus one */
	uint32_t *occ_group; /* group of each occurrence, in token order */
	size_t cap_occ;
};

int tc_ix_worker_new(const char *lang, tc_ix_worker **out, tc_error *err)
{
	*out = NULL;
	tc_ix_worker *w = tc_calloc(1, sizeof *w);
	int rc = tc_analyzer_new(&w->an, err);
	if (rc == 0 && lang)
		rc = tc_analyze(w->an, "", 0, lang, &w->tl, err);
	if (rc < 0) {
		tc_ix_worker_free(w);
		return rc;
	}
	w->lang = lang ? tc_strdup(lang) : NULL;
	*out = w;
	return 0;
}

void tc_ix_worker_free(tc_ix_worker *w)
{
	if (!w)
		return;
	tc_analyzer_free(w->an);
	tc_toklist_free(&w->tl);
	tc_qlist_free(&w->ql);
	tc_buf_free(&w->clean);
	free(w->groups);
	free(w->table);
	free(w->occ_group);
	free(w->lang);
	free(w);
}

/* ---- the document -------------------------------------------------------------- */

static void doc_reset(tc_ix_doc *d)
{
	tc_buf_clear(&d->arena);
	tc_buf_clear(&d->notes);
	d->nfields = d->nterms = d->npos = d->nnums = d->nnotes = 0;
	d->id_field = 0;
	d->invalid_utf8 = 0;
	d->in_bytes = 0;
}

size_t tc_ix_doc_mem(const tc_ix_doc *d)
{
	return d->arena.cap + d->notes.cap + d->cap_fields * sizeof *d->fields +
	       d->cap_terms * sizeof *d->terms + d->cap_pos * sizeof *d->pos +
	       d->cap_nums * sizeof *d->nums;
}

void tc_ix_doc_free(tc_ix_doc *d)
{
	if (!d)
		return;
	tc_buf_free(&d->arena);
	tc_buf_free(&d->notes);
	free(d->fields);
	free(d->terms);
	free(d->pos);
	free(d->nums);
	memset(d, 0, sizeof *d);
}

/* Appends s[0..n) and a NUL to the arena; returns its offset. */
static uint32_t put_str(tc_ix_doc *d, const char *s, size_t n)
{
	uint32_t off = (uint32_t)d->arena.len;
	tc_buf_append(&d->arena, s, n);
	tc_buf_putc(&d->arena, '\0');
	return off;
}

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static void
note(tc_ix_doc *d, const char *src, uint64_t line, const char *fmt, ...)
{
	tc_buf_printf(&d->notes, "%s:%llu: ", src, (unsigned long long)line);
	char msg[TC_ERROR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	tc_buf_puts(&d->notes, msg);
	tc_buf_putc(&d->notes, '\n');
	d->nnotes++;
}

static void add_field(tc_ix_doc *d, const char *name, const char *value, size_t len,
                      int indexed)
{
	d->fields = tc_grow(d->fields, &d->cap_fields, d->nfields + 1, sizeof *d->fields);
	tc_ix_field *f = &d->fields[d->nfields++];
	memset(f, 0, sizeof *f);
	f->name_len = (uint32_t)strlen(name);
	f->name = put_str(d, name, f->name_len);
	f->value_len = (uint32_t)len;
	f->value = put_str(d, value, len);
	f->indexed = (uint8_t)indexed;
}

static int find_field(const tc_ix_doc *d, const char *name)
{
	for (size_t i = 0; i < d->nfields; i++)
		if (strcmp(d->arena.data + d->fields[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* ---- dates ------------------------------------------------------------------------ */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
static long days_from_civil(long y, unsigned m, unsigned d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long)doe - 719468;
}

static int digits(const char *s, size_t n, unsigned *v)
{
	*v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (unsigned)(s[i] - '0');
	}
	return 0;
}

int tc_ix_parse_date(const char *s, size_t n, double *days)
{
	static const unsigned mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	unsigned y, m = 1, d = 1;
	if ((n != 4 && n != 7 && n != 10) || digits(s, 4, &y) < 0 || y == 0)
		return -1;
	if (n >= 7 && (s[4] != '-' || digits(s + 5, 2, &m) < 0 || m < 1 || m > 12))
		return -1;
	if (n == 10 && (s[7] != '-' || digits(s + 8, 2, &d) < 0 || d < 1 || d > mdays[m - 1]))
		return -1;
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (m == 2 && d == 29 && !leap)
		return -1;
	*days = (double)days_from_civil((long)y, m, d);
	return 0;
}

/* ---- analysis of one field ---------------------------------------------------------- */

/* Are a[0..n) and b[0..n) equal? Terms are a few bytes: a loop beats a call to memcmp. */
static inline bool same_bytes(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

/*
 * Counts one occurrence of (kind, s[0..len)) in its group, created when new. This runs
 * for every token two or three times: inline, and the group array grows only when full.
 */
static inline void push_occ(tc_ix_worker *w, size_t *n, char kind, const char *s,
                            uint16_t len, const char *folded, uint16_t folded_len)
{
	uint32_t h = tc_ix_term_hash(kind, s, len);
	size_t mask = w->mask;
	size_t i = h & mask;
	for (; w->table[i]; i = (i + 1) & mask) {
		group *g = &w->groups[w->table[i] - 1];
		if (g->hash == h && g->kind == kind && g->len == len && same_bytes(g->s, s, len)) {
			g->count++;
			w->occ_group[(*n)++] = w->table[i] - 1;
			return;
		}
	}
	if (w->ngroups == w->cap_groups)
		w->groups = tc_grow(w->groups, &w->cap_groups, w->ngroups + 1, sizeof *w->groups);
	w->groups[w->ngroups] = (group){s, folded, h, len, folded_len, kind, 1, (uint32_t)i};
	w->table[i] = (uint32_t)++w->ngroups;
	w->occ_group[(*n)++] = (uint32_t)w->ngroups - 1;
}

/* Groups the tokens of w->tl into the distinct terms of field f. */
static void group_terms(tc_ix_worker *w, tc_ix_doc *d, tc_ix_field *f)
{
	const tc_toklist *tl = &w->tl;
	/* at most three occurrences per token; the table stays under half full */
	size_t need = 3 * tl->n;
	w->occ_group = tc_grow(w->occ_group, &w->cap_occ, need, sizeof *w->occ_group);
	size_t cap = 64;
	while (cap < 2 * need)
		cap *= 2;
	if (cap > w->cap_table) {
		free(w->table);
		w->table = tc_calloc(cap, sizeof *w->table);
		w->cap_table = cap;
	}
	w->mask = cap - 1;
	w->ngroups = 0;
	size_t n = 0;
	for (size_t i = 0; i < tl->n; i++) {
		const tc_token *t = &tl->tok[i];
		/* folded, stem (when there is one), exact: one call site, so it inlines; an
		   exact form is grouped by itself (its folded form follows from it) */
		const char *form[3] = {tc_tok_folded(tl, t), tc_tok_stem(tl, t), tc_tok_exact(tl, t)};
		const uint16_t len[3] = {t->folded_len, t->stem_len, t->exact_len};
		static const char kind[3] = {TC_KIND_FOLDED, TC_KIND_STEM, TC_KIND_EXACT};
		for (size_t k = 0; k < 3; k++)
			if (k != 1 || len[1])
				push_occ(w, &n, kind[k], form[k], len[k], form[0], len[0]);
	}
	/* empty the table for the next field: the slots used, not the whole table */
	for (size_t k = 0; k < w->ngroups; k++)
		w->table[w->groups[k].slot] = 0;
	/* the terms, each with room for its positions */
	f->term0 = (uint32_t)d->nterms;
	d->terms = tc_grow(d->terms, &d->cap_terms, d->nterms + w->ngroups, sizeof *d->terms);
	size_t npos = d->npos;
	for (size_t k = 0; k < w->ngroups; k++) {
		const group *g = &w->groups[k];
		tc_ix_term *t = &d->terms[d->nterms++];
		t->hash = g->hash;
		t->kind = g->kind;
		t->len = g->len;
		if (g->kind == TC_KIND_EXACT) {
			/* filed under its folded form (storage.h): folded form, 0, exact form */
			t->term = put_str(d, g->folded, g->folded_len);  /* with its 0 */
			tc_buf_append(&d->arena, g->s, g->len);
			tc_buf_putc(&d->arena, '\0');
			t->len = (uint16_t)(g->folded_len + 1 + g->len);
		} else {
			t->term = put_str(d, g->s, g->len);
		}
		t->pos = 0;
		t->freq = g->kind == TC_KIND_EXACT ? g->count : 0;
		if (g->kind != TC_KIND_EXACT) {
			t->pos = (uint32_t)npos;
			npos += g->count;
		}
	}
	f->nterms = (uint32_t)(d->nterms - f->term0);
	d->pos = tc_grow(d->pos, &d->cap_pos, npos, sizeof *d->pos);
	/* positions, in token order; a repeated position (not expected) is kept once */
	n = 0;
	for (size_t i = 0; i < tl->n; i++) {
		const tc_token *tok = &tl->tok[i];
		size_t kinds = tok->stem_len ? 3 : 2;
		for (size_t k = 0; k < kinds; k++) {
			tc_ix_term *t = &d->terms[f->term0 + w->occ_group[n++]];
			if (t->kind == TC_KIND_EXACT)
				continue;
			if (t->freq && d->pos[t->pos + t->freq - 1] == tok->pos)
				continue;
			d->pos[t->pos + t->freq++] = tok->pos;
		}
	}
	d->npos = npos;
}

static void add_num(tc_ix_doc *d, uint32_t field, uint32_t pos, double value, const char *key,
                    size_t key_len)
{
	d->nums = tc_grow(d->nums, &d->cap_nums, d->nnums + 1, sizeof *d->nums);
	tc_ix_num *e = &d->nums[d->nnums++];
	e->value = value;
	e->unit_len = (uint32_t)key_len;
	e->unit = put_str(d, key, key_len);
	e->field = field;
	e->pos = pos;
}

/* One numeric entry per unit key of every mention in w->ql. */
static void add_quantities(tc_ix_worker *w, tc_ix_doc *d, uint32_t fi)
{
	const tc_qlist *ql = &w->ql;
	for (size_t i = 0; i < ql->n; i++) {
		const tc_qty *q = &ql->q[i];
		if (q->kind == TC_QTY_DATE) {
			add_num(d, fi, q->pos, q->value, TC_QTY_KEY_DATE, strlen(TC_QTY_KEY_DATE));
			continue;
		}
		if (q->n_units == 0) /* "> 5" with no unit looks here */
			add_num(d, fi, q->pos, q->value, TC_QTY_KEY_NONE, strlen(TC_QTY_KEY_NONE));
		for (unsigned u = 0; u < q->n_units; u++)
			if (q->unit_len[u] > 0 && q->unit_len[u] <= TC_MAX_UNIT)
				add_num(d, fi, q->pos, q->value, tc_qty_unit(ql, q, u), q->unit_len[u]);
	}
}

/*
 * Analyses field fi of d in lang. The field's text lives in the arena, which grows while
 * terms are added, so everything that reads the text runs before that.
 */
static int analyze_field(tc_ix_worker *w, tc_ix_doc *d, uint32_t fi, const char *lang,
                         const tc_qctx *qctx, tc_error *err)
{
	tc_ix_field *f = &d->fields[fi];
	const char *text = d->arena.data + f->value;
	TC_FORWARD(tc_analyze(w->an, text, f->value_len, lang, &w->tl, err));
	TC_FORWARD(tc_quantity_extract(text, f->value_len, &w->tl, qctx, &w->ql, err));
	f->ntokens = (uint32_t)w->tl.n;
	group_terms(w, d, f);
	add_quantities(w, d, fi);
	return 0;
}

/* Stemming language of d: its `lang` when the analyser knows it, else the default. */
static const char *doc_lang(tc_ix_worker *w, tc_ix_doc *d, const char *src, uint64_t line)
{
	int li = find_field(d, "lang");
	if (li < 0)
		return w->lang;
	const char *lang = d->arena.data + d->fields[li].value;
	if (tc_analyze(w->an, "", 0, lang, &w->tl, NULL) == 0)
		return lang;
	note(d, src, line, "unknown lang \"%s\"; default stemming used", lang);
	return w->lang;
}

static int analyze_fields(tc_ix_worker *w, tc_ix_doc *d, const char *lang, tc_qctx *qctx,
                          tc_error *err)
{
	int body = find_field(d, "body");
	if (body >= 0) {
		TC_FORWARD(analyze_field(w, d, (uint32_t)body, lang, qctx, err));
		qctx->year_hint = tc_qlist_year_hint(&w->ql);
	}
	for (size_t i = 0; i < d->nfields; i++)
		if (d->fields[i].indexed && (int)i != body)
			TC_FORWARD(analyze_field(w, d, (uint32_t)i, lang, qctx, err));
	return 0;
}

/* Everything after the fields are in place: dates, analysis, quantities. */
static int analyze_doc(tc_ix_worker *w, tc_ix_doc *d, const char *src, uint64_t line,
                       tc_error *err)
{
	tc_qctx qctx = {NULL, 0};
	char date[11];
	int di = find_field(d, "date");
	if (di >= 0) {
		const tc_ix_field *f = &d->fields[di];
		double days;
		if (tc_ix_parse_date(d->arena.data + f->value, f->value_len, &days) == 0) {
			/* by value: the arena moves as it grows */
			memcpy(date, d->arena.data + f->value, f->value_len);
			date[f->value_len] = '\0';
			qctx.doc_date = date;
			add_num(d, (uint32_t)di, 0, days, TC_IX_KEY_DOCDATE, strlen(TC_IX_KEY_DOCDATE));
		} else {
			note(d, src, line, "date \"%.40s\" is not YYYY-MM-DD, YYYY-MM or YYYY; ignored",
			     d->arena.data + f->value);
		}
	}
	const char *l = doc_lang(w, d, src, line);
	char *lang = l ? tc_strdup(l) : NULL;
	int rc = analyze_fields(w, d, lang, &qctx, err);
	free(lang);
	return rc;
}

/* ---- JSON records --------------------------------------------------------------------- */

static int is_special(const char *name)
{
	return strcmp(name, "id") == 0 || strcmp(name, "date") == 0 || strcmp(name, "lang") == 0;
}

/* Fields that must be strings when present (a record with anything else is rejected). */
static int must_be_string(const char *name)
{
	return is_special(name) || strcmp(name, "title") == 0 || strcmp(name, "body") == 0;
}

static const char *json_kind(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER:
	case JSON_REAL: return "a number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	default: return "null";
	}
}

/* Checks the record's shape; on success the fields are in d. */
static int take_fields(json_t *root, tc_ix_doc *d, const char *src, uint64_t line,
                       tc_error *err)
{
	TC_RETURN_IF(!json_is_object(root), err, TC_EPARSE, "%s:%llu: not a JSON object (%s)",
	             src, (unsigned long long)line, json_kind(root));
	json_t *id = json_object_get(root, "id");
	TC_RETURN_IF(!id || json_is_null(id), err, TC_EPARSE, "%s:%llu: missing \"id\"", src,
	             (unsigned long long)line);
	json_t *body = json_object_get(root, "body");
	TC_RETURN_IF(!body || json_is_null(body), err, TC_EPARSE, "%s:%llu: missing \"body\"",
	             src, (unsigned long long)line);
	const char *key;
	json_t *v;
	json_object_foreach(root, key, v) {
		if (must_be_string(key) && !json_is_string(v) && !json_is_null(v))
			return tc_error_set(err, TC_EPARSE, "%s:%llu: \"%s\" is %s, not a string", src,
			                    (unsigned long long)line, key, json_kind(v));
	}
	TC_RETURN_IF(json_string_length(id) == 0, err, TC_EPARSE, "%s:%llu: empty \"id\"", src,
	             (unsigned long long)line);
	TC_RETURN_IF(json_string_length(id) > TC_MAX_ID, err, TC_EPARSE,
	             "%s:%llu: \"id\" longer than %d bytes", src, (unsigned long long)line,
	             TC_MAX_ID);
	json_object_foreach(root, key, v) {
		if (json_is_null(v))
			continue;
		if (!json_is_string(v)) {
			note(d, src, line, "field \"%.64s\" is %s, not a string; ignored", key,
			     json_kind(v));
			continue;
		}
		if (key[0] == '\0' || strlen(key) > TC_IX_FIELD_NAME_MAX) {
			note(d, src, line, "field name \"%.64s\" is empty or too long; ignored", key);
			continue;
		}
		if (d->nfields == TC_IX_FIELDS_MAX) {
			note(d, src, line, "more than %d fields; \"%.64s\" and later ones ignored",
			     TC_IX_FIELDS_MAX, key);
			break;
		}
		if (strcmp(key, "id") == 0)
			d->id_field = (uint32_t)d->nfields;
		add_field(d, key, json_string_value(v), json_string_length(v), !is_special(key));
	}
	return 0;
}

int tc_ix_doc_from_json(tc_ix_worker *w, const char *src, uint64_t line, const char *json,
                        size_t len, tc_ix_doc *d, tc_error *err)
{
	doc_reset(d);
	d->in_bytes = len;
	/*
	 * jansson refuses invalid UTF-8 outright (its test is as strict as ours), so a
	 * record it parses is valid; only one it refuses is checked, and if bytes were to
	 * blame, repaired as any text is and parsed again.
	 */
	json_error_t je;
	json_t *root = json_loadb(json, len, 0, &je);
	size_t bad = root ? 0 : tc_utf8_count_invalid(json, len);
	if (bad) {
		tc_buf_clear(&w->clean);
		tc_utf8_sanitize(json, len, &w->clean);
		json = w->clean.data;
		len = w->clean.len;
		d->invalid_utf8 = bad;
		note(d, src, line, "%zu invalid UTF-8 byte%s replaced by U+FFFD", bad,
		     bad == 1 ? "" : "s");
		root = json_loadb(json, len, 0, &je);
	}
	TC_RETURN_IF(!root, err, TC_EPARSE, "%s:%llu: invalid JSON at column %d: %s", src,
	             (unsigned long long)line, je.column, je.text);
	int rc = take_fields(root, d, src, line, err);
	json_decref(root);
	if (rc == 0)
		rc = analyze_doc(w, d, src, line, err);
	return rc;
}

/* ---- plain text files ----------------------------------------------------------------- */

static void first_line(const char *s, size_t n, size_t *start, size_t *len)
{
	size_t i = 0;
	while (i < n) {
		size_t e = i;
		while (e < n && s[e] != '\n')
			e++;
		size_t a = i, b = e;
		while (a < b && (s[a] == ' ' || s[a] == '\t' || s[a] == '\r'))
			a++;
		while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t' || s[b - 1] == '\r'))
			b--;
		if (b > a) {
			*start = a;
			*len = b - a;
			return;
		}
		i = e + 1;
	}
	*start = *len = 0;
}

int tc_ix_doc_from_text(tc_ix_worker *w, const char *path, const char *text, size_t len,
                        tc_ix_doc *d, tc_error *err)
{
	doc_reset(d);
	d->in_bytes = len;
	size_t bad = tc_utf8_count_invalid(text, len);
	if (bad) {
		tc_buf_clear(&w->clean);
		tc_utf8_sanitize(text, len, &w->clean);
		text = w->clean.data;
		len = w->clean.len;
		d->invalid_utf8 = bad;
		note(d, path, 1, "%zu invalid UTF-8 byte%s replaced by U+FFFD", bad,
		     bad == 1 ? "" : "s");
	}
	tc_buf id = {0};
	tc_ix_source_text_id(path, &id);
	int bad_id = id.len == 0 || id.len > TC_MAX_ID ||
	             tc_utf8_count_invalid(id.data, id.len) != 0;
	if (bad_id) {
		tc_buf_free(&id);
		return tc_error_set(err, TC_EPARSE,
		                    "%s:1: the file name gives no usable id (empty, too long or "
		                    "not UTF-8)",
		                    path);
	}
	add_field(d, "id", id.data, id.len, 0);
	tc_buf_free(&id);
	size_t ts, tl;
	first_line(text, len, &ts, &tl);
	if (tl)
		add_field(d, "title", text + ts, tl, 1);
	add_field(d, "body", text, len, 1);
	return analyze_doc(w, d, path, 1, err);
}
