/*
 * doc.c — records to analysed documents (see doc.h for the rules).
 */
#include "doc.h"

#include <json-c/json.h>
#include <limits.h>
#include <math.h>
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
	struct json_tokener *tok; /* strict; reset for every record */
	group *groups;       /* distinct terms of the field being grouped */
	size_t ngroups, cap_groups;
	uint32_t *table;     /* open addressing: group index + 1, 0 = empty; all empty
	                        between fields */
	size_t cap_table;    /* allocated slots */
	size_t mask;         /* slots in use for this field, minus one */
	uint32_t *occ_group; /* group of each occurrence, in token order */
	size_t cap_occ;
};

static struct json_tokener *strict_tokener(void)
{
	struct json_tokener *tok = json_tokener_new();
	if (!tok)
		tc_oom(sizeof *tok);
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	return tok;
}

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
	w->tok = strict_tokener();
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
	if (w->tok)
		json_tokener_free(w->tok);
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

static const char *json_kind(const json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_object: return "an object";
	case json_type_array: return "an array";
	case json_type_string: return "a string";
	case json_type_int:
	case json_type_double: return "a number";
	case json_type_boolean: return "a boolean";
	default: return "null";
	}
}

/* A field's value: *v = NULL for an absent field as for null (json-c keeps null as NULL). */
static json_object *member(json_object *root, const char *key)
{
	json_object *v = NULL;
	json_object_object_get_ex(root, key, &v);
	return v;
}

/* Checks the record's shape; on success the fields are in d. */
static int take_fields(json_object *root, tc_ix_doc *d, const char *src, uint64_t line,
                       tc_error *err)
{
	TC_RETURN_IF(!json_object_is_type(root, json_type_object), err, TC_EPARSE,
	             "%s:%llu: not a JSON object (%s)", src, (unsigned long long)line,
	             json_kind(root));
	json_object *id = member(root, "id");
	TC_RETURN_IF(!id, err, TC_EPARSE, "%s:%llu: missing \"id\"", src,
	             (unsigned long long)line);
	TC_RETURN_IF(!member(root, "body"), err, TC_EPARSE, "%s:%llu: missing \"body\"", src,
	             (unsigned long long)line);
	struct json_object_iterator it, end = json_object_iter_end(root);
	for (it = json_object_iter_begin(root); !json_object_iter_equal(&it, &end);
	     json_object_iter_next(&it)) {
		const char *key = json_object_iter_peek_name(&it);
		json_object *v = json_object_iter_peek_value(&it);
		if (v && must_be_string(key) && !json_object_is_type(v, json_type_string))
			return tc_error_set(err, TC_EPARSE, "%s:%llu: \"%s\" is %s, not a string", src,
			                    (unsigned long long)line, key, json_kind(v));
	}
	int id_len = json_object_get_string_len(id);
	TC_RETURN_IF(id_len == 0, err, TC_EPARSE, "%s:%llu: empty \"id\"", src,
	             (unsigned long long)line);
	TC_RETURN_IF(id_len > TC_MAX_ID, err, TC_EPARSE, "%s:%llu: \"id\" longer than %d bytes",
	             src, (unsigned long long)line, TC_MAX_ID);
	for (it = json_object_iter_begin(root); !json_object_iter_equal(&it, &end);
	     json_object_iter_next(&it)) {
		const char *key = json_object_iter_peek_name(&it);
		json_object *v = json_object_iter_peek_value(&it);
		if (!v)
			continue;
		if (!json_object_is_type(v, json_type_string)) {
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
		add_field(d, key, json_object_get_string(v), (size_t)json_object_get_string_len(v),
		          !is_special(key));
	}
	return 0;
}

/* The value of the 4 hex digits at s (checked by json-c). */
static int hex4(const char *s)
{
	int v = 0;
	for (int i = 0; i < 4; i++) {
		int c = (unsigned char)s[i];
		v = v * 16 + (c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
	}
	return v;
}

/* Whether any byte of x is below n (n <= 128). */
static inline uint64_t any_below(uint64_t x, unsigned n)
{
	return (x - 0x0101010101010101u * n) & ~x & 0x8080808080808080u;
}

/* The offset of the first '"', '\\' or control byte at or after i (n if none), 8 bytes
 * at a time: string bodies are most of a record. */
static size_t plain_run(const char *s, size_t i, size_t n)
{
	while (n - i >= 8) {
		uint64_t x;
		memcpy(&x, s + i, 8);
		if (any_below(x, 0x20) | any_below(x ^ 0x2222222222222222u, 1) |
		    any_below(x ^ 0x5C5C5C5C5C5C5C5Cu, 1))
			break;
		i += 8;
	}
	while (i < n && (unsigned char)s[i] >= 0x20 && s[i] != '"' && s[i] != '\\')
		i++;
	return i;
}

/* The string body from s[i] (after the opening quote); returns the offset past the
 * closing quote, or (size_t)-1 with *at and *why set. */
static size_t lx_string(const char *s, size_t n, size_t i, size_t *at, const char **why)
{
	for (;;) {
		i = plain_run(s, i, n);
		if (i >= n)
			return n; /* json-c saw the string closed: cannot happen */
		unsigned char c = (unsigned char)s[i];
		if (c == '"')
			return i + 1;
		if (c < 0x20) {
			*at = i;
			*why = "control character in a string";
			return (size_t)-1;
		}
		/* a backslash: json-c checked that a valid escape follows */
		if (s[i + 1] != 'u') {
			i += 2;
			continue;
		}
		int u = hex4(s + i + 2);
		*at = i;
		if (u == 0) {
			*why = "\\u0000 is not allowed";
			return (size_t)-1;
		}
		if (u >= 0xDC00 && u <= 0xDFFF) {
			*why = "lone surrogate escape";
			return (size_t)-1;
		}
		if (u >= 0xD800 && u <= 0xDBFF) {
			int lo = i + 12 <= n && s[i + 6] == '\\' && s[i + 7] == 'u' ? hex4(s + i + 8) : 0;
			if (lo < 0xDC00 || lo > 0xDFFF) {
				*why = "lone surrogate escape";
				return (size_t)-1;
			}
			i += 6;
		}
		i += 6;
	}
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* A number token s[0..n): RFC 8259's grammar, an integer within int64, a real that does
 * not overflow a double (a record with anything else was always rejected). */
static bool lx_number_ok(const char *s, size_t n)
{
	size_t i = s[0] == '-';
	if (i == n || !is_digit(s[i]))
		return false;
	size_t int0 = i;
	if (s[i] == '0')
		i++;
	else
		while (i < n && is_digit(s[i]))
			i++;
	size_t ndig = i - int0;
	bool real = false;
	if (i < n && s[i] == '.') {
		real = true;
		if (++i == n || !is_digit(s[i]))
			return false;
		while (i < n && is_digit(s[i]))
			i++;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		real = true;
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i == n || !is_digit(s[i]))
			return false;
		while (i < n && is_digit(s[i]))
			i++;
	}
	if (i != n)
		return false;
	if (real)
		return isfinite(strtod(s, NULL)); /* a ']' or '}' follows: strtod stops */
	const char *max = s[0] == '-' ? "9223372036854775808" : "9223372036854775807";
	return ndig < 19 || (ndig == 19 && memcmp(s + int0, max, 19) <= 0);
}

static bool lx_word(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '-' ||
	       c == '+' || c == '.' || c == '_';
}

/*
 * What json-c's strict mode lets through and RFC 8259 does not. json-c checks the
 * structure (brackets, commas, colons, escapes spelled right, trailing text); this pass,
 * run only over a record json-c accepted, checks the tokens it is lenient about: raw
 * control characters in strings, \u0000 (a NUL json-c would keep, or cut a key at), lone
 * surrogate escapes (json-c makes them U+FFFD), numbers such as 00, -01, 1., NaN,
 * Infinity, or out of the int64/double range, single-quoted strings. It reads tokens,
 * never structure, so it is no second parser. *at is the offending byte's offset.
 */
static int json_tokens_ok(const char *s, size_t n, size_t *at, const char **why)
{
	for (size_t i = 0; i < n;) {
		char c = s[i];
		if (c == '"') {
			i = lx_string(s, n, i + 1, at, why);
			if (i == (size_t)-1)
				return -1;
			continue;
		}
		if (is_space(c) || c == '{' || c == '}' || c == '[' || c == ']' || c == ':' ||
		    c == ',') {
			i++;
			continue;
		}
		size_t j = i;
		while (j < n && lx_word(s[j]))
			j++;
		size_t len = j - i;
		bool ok = (len == 4 && memcmp(s + i, "true", 4) == 0) ||
		          (len == 5 && memcmp(s + i, "false", 5) == 0) ||
		          (len == 4 && memcmp(s + i, "null", 4) == 0) ||
		          (len > 0 && (c == '-' || is_digit(c)) && lx_number_ok(s + i, len));
		if (!ok) {
			*at = i;
			*why = len ? "invalid token" : "unexpected character";
			return -1;
		}
		i = j;
	}
	return 0;
}

/* The column of offset off: characters (not bytes) before it, plus one. */
static size_t column_of(const char *s, size_t off)
{
	size_t col = 1;
	for (size_t i = 0; i < off; i++)
		col += ((unsigned char)s[i] & 0xC0) != 0x80;
	return col;
}

/* Parses a record; *root is its value (an object or an array), or NULL with err set. */
static int parse_json(tc_ix_worker *w, const char *s, size_t n, const char *src,
                      uint64_t line, json_object **root, tc_error *err)
{
	*root = NULL;
	size_t at = 0;
	const char *why;
	while (at < n && is_space(s[at]))
		at++;
	if (at == n || (s[at] != '{' && s[at] != '[')) {
		why = "'[' or '{' expected";
		goto bad;
	}
	if (n > INT_MAX) {
		why = "record too long";
		goto bad;
	}
	json_tokener_reset(w->tok);
	json_object *v = json_tokener_parse_ex(w->tok, s, (int)n);
	enum json_tokener_error e = json_tokener_get_error(w->tok);
	at = json_tokener_get_parse_end(w->tok);
	if (!v) {
		why = e == json_tokener_continue ? "unexpected end of input"
		                                 : json_tokener_error_desc(e);
		/* json-c 0.16's reset leaves a pending high surrogate of a record cut short
		 * in the tokener, to spoil the next record's first \u escape: start afresh */
		json_tokener_free(w->tok);
		w->tok = strict_tokener();
		goto bad;
	}
	if (at != n) {
		why = "end of input expected";
	} else if (json_tokens_ok(s, n, &at, &why) == 0) {
		*root = v;
		return 0;
	}
	json_object_put(v);
bad:
	return tc_error_set(err, TC_EPARSE, "%s:%llu: invalid JSON at column %zu: %s", src,
	                    (unsigned long long)line, column_of(s, at), why);
}

int tc_ix_doc_from_json(tc_ix_worker *w, const char *src, uint64_t line, const char *json,
                        size_t len, tc_ix_doc *d, tc_error *err)
{
	doc_reset(d);
	d->in_bytes = len;
	/* json-c's strict mode does not check UTF-8 (its checking mode is five times
	 * slower than ours), so every record is checked here, and repaired as any text is. */
	size_t bad = tc_utf8_count_invalid(json, len);
	if (bad) {
		tc_buf_clear(&w->clean);
		tc_utf8_sanitize(json, len, &w->clean);
		json = w->clean.data;
		len = w->clean.len;
		d->invalid_utf8 = bad;
		note(d, src, line, "%zu invalid UTF-8 byte%s replaced by U+FFFD", bad,
		     bad == 1 ? "" : "s");
	}
	json_object *root;
	int rc = parse_json(w, json, len, src, line, &root, err);
	if (rc == 0) {
		rc = take_fields(root, d, src, line, err);
		json_object_put(root);
	}
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
