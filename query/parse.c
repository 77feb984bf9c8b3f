/*
 * parse.c — query string to tree (see parse.h for the grammar).
 *
 * Comparisons are found first, over the whole query, by tc_qcmp_parse(): it knows the
 * Vietnamese operator words and number formats. Their units are resolved against the
 * index, which fixes the byte span each comparison takes. The recursive-descent parser
 * then reads the query left to right and turns each such span into one QTY node; words
 * elsewhere go through the analyser.
 */
#include "parse.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/abbrev.h"
#include "analysis/quantity.h"
#include "common/mem.h"

#define MAX_DEPTH 64
#define MAX_NODES 4096

struct tc_query {
	void **allocs;       /* everything the tree holds, freed together */
	size_t nallocs, cap;
	tc_qnode *root;
};

/* A comparison with its unit resolved: the bytes it covers and its unit key. */
typedef struct cmp_span {
	tc_qcmp c;
	uint32_t start, end; /* operator, number and unit syllables (before or after) */
	char unit[3 * (TC_TOKEN_MAX_BYTES + 1)];
} cmp_span;

typedef struct parser {
	tc_query *q;
	tc_analyzer *a;
	const tc_query_env *env;
	const char *s;
	size_t len, pos;
	tc_error *err;
	int rc;              /* sticky: the first error wins */
	int depth;
	size_t nnodes;
	cmp_span cmp[TC_QCMP_MAX];
	size_t ncmp;
	tc_toklist tl;
} parser;

static void *qalloc(tc_query *q, size_t n)
{
	void *p = tc_calloc(1, n);
	q->allocs = tc_grow(q->allocs, &q->cap, q->nallocs + 1, sizeof *q->allocs);
	q->allocs[q->nallocs++] = p;
	return p;
}

static const char *qstrdup(tc_query *q, const char *s, size_t n)
{
	char *d = qalloc(q, n + 1);
	memcpy(d, s, n);
	return d;
}

void tc_query_free(tc_query *q)
{
	if (q == NULL)
		return;
	for (size_t i = 0; i < q->nallocs; i++)
		free(q->allocs[i]);
	free(q->allocs);
	free(q);
}

const tc_qnode *tc_query_root(const tc_query *q)
{
	return q->root;
}

static int fail(parser *p, size_t at, const char *fmt, const char *what)
{
	if (p->rc == TC_OK) {
		char msg[256];
		snprintf(msg, sizeof msg, fmt, what);
		p->rc = tc_error_set(p->err, TC_EPARSE, "%s at %zu", msg, at);
	}
	return p->rc;
}

static tc_qnode *new_node(parser *p, int type, size_t start)
{
	if (++p->nnodes > MAX_NODES) {
		fail(p, start, "%s", "query too long");
		return NULL;
	}
	tc_qnode *n = qalloc(p->q, sizeof *n);
	n->type = type;
	n->field = -1;
	n->start = n->end = (uint32_t)start;
	return n;
}

static void add_kid(parser *p, tc_qnode *parent, tc_qnode *kid)
{
	tc_qnode **k = qalloc(p->q, (parent->nkids + 1) * sizeof *k);
	if (parent->nkids)
		memcpy(k, parent->kids, parent->nkids * sizeof *k);
	k[parent->nkids++] = kid;
	parent->kids = k;
	if (kid->end > parent->end)
		parent->end = kid->end;
}

/* ---- comparisons ---------------------------------------------------------------- */

static int unit_known(parser *p, const char *key, size_t n)
{
	return p->env && p->env->unit_known && p->env->unit_known(p->env->ctx, key, n);
}

/* A unit key of the index, or a name of a unit written more than one way (whose other
   keys the index may hold: "đô la" in an index that has only "usd"). */
static int unit_named(parser *p, const char *key, size_t n)
{
	const char *same[TC_QTY_MAX_ALIASES];
	return unit_known(p, key, n) || tc_qty_unit_keys(key, n, same) > 0;
}

/* Joins syl[from..to) with single spaces into out. */
static size_t join_syl(const tc_qcmp_syl *syl, size_t from, size_t to, char *out)
{
	size_t n = 0;
	for (size_t i = from; i < to; i++) {
		if (i > from)
			out[n++] = ' ';
		size_t k = strlen(syl[i].folded);
		memcpy(out + n, syl[i].folded, k);
		n += k;
	}
	out[n] = '\0';
	return n;
}

/* No parenthesis between bytes from and to of the query: a unit before an operator is
   one of its group. */
static int same_group(const parser *p, size_t from, size_t to)
{
	for (size_t i = from; i < to && i < p->len; i++)
		if (p->s[i] == '(' || p->s[i] == ')')
			return 0;
	return 1;
}

/*
 * The unit of a number comparison: "usd" for "$5", else the longest run of syllables
 * after the number that is a unit key, else the longest run before the operator, else
 * the first syllable after (a unit the index does not have, which then matches
 * nothing), else TC_QTY_KEY_NONE (numbers written with no unit).
 */
static void resolve_unit(parser *p, cmp_span *cs)
{
	const tc_qcmp *c = &cs->c;
	cs->start = c->start;
	cs->end = c->end;
	if (c->kind == TC_QTY_PERCENT) {
		strcpy(cs->unit, TC_QTY_KEY_PERCENT);
		return;
	}
	if (c->kind == TC_QTY_DATE) {
		strcpy(cs->unit, TC_QTY_KEY_DATE);
		return;
	}
	if (c->dollar) {
		strcpy(cs->unit, "usd");  /* "> $5": the syllables after are search words */
		return;
	}
	for (size_t k = c->n_after; k > 0; k--) {
		size_t n = join_syl(c->after, 0, k, cs->unit);
		if (unit_named(p, cs->unit, n)) {
			cs->end = c->after[k - 1].end;
			return;
		}
	}
	for (size_t k = c->n_before; k > 0; k--) {
		if (!same_group(p, c->before[c->n_before - k].start, c->start))
			continue;  /* "giá (> 5)": a parenthesis keeps the word out */
		size_t n = join_syl(c->before, c->n_before - k, c->n_before, cs->unit);
		if (unit_named(p, cs->unit, n)) {
			cs->start = c->before[c->n_before - k].start;
			return;
		}
	}
	if (c->n_after > 0) {
		join_syl(c->after, 0, 1, cs->unit);
		cs->end = c->after[0].end;
		return;
	}
	strcpy(cs->unit, TC_QTY_KEY_NONE);
}

/* Byte ranges inside "..." (comparisons there are words of the phrase). */
static int inside_quotes(const char *s, size_t len, size_t at)
{
	int in = 0;
	for (size_t i = 0; i < at && i < len; i++)
		if (s[i] == '"')
			in = !in;
	return in;
}

static int find_comparisons(parser *p)
{
	tc_qcmp found[TC_QCMP_MAX];
	size_t n = TC_QCMP_MAX;
	int rc = tc_qcmp_parse(p->a, p->s, p->len, found, &n, p->err);
	if (rc != TC_OK) {
		p->rc = rc;
		return rc;
	}
	for (size_t i = 0; i < n; i++) {
		if (inside_quotes(p->s, p->len, found[i].start))
			continue;
		cmp_span *cs = &p->cmp[p->ncmp++];
		cs->c = found[i];
		resolve_unit(p, cs);
	}
	return TC_OK;
}

static cmp_span *cmp_at(parser *p, size_t pos)
{
	for (size_t i = 0; i < p->ncmp; i++)
		if (p->cmp[i].start == pos)
			return &p->cmp[i];
	return NULL;
}

/* A comparison starting in (pos, limit): words must stop there. */
static size_t next_cmp_start(parser *p, size_t pos)
{
	size_t best = p->len;
	for (size_t i = 0; i < p->ncmp; i++)
		if (p->cmp[i].start > pos && p->cmp[i].start < best)
			best = p->cmp[i].start;
	return best;
}

static tc_qnode *qty_node(parser *p, cmp_span *cs)
{
	tc_qnode *n = new_node(p, TC_QN_QTY, cs->start);
	if (n == NULL)
		return NULL;
	n->end = cs->end;
	n->units[0] = qstrdup(p->q, cs->unit, strlen(cs->unit));
	n->nunits = 1;
	if (cs->c.kind == TC_QTY_DATE) {
		n->units[n->nunits++] = "@docdate";  /* indexer/doc.h: the document's date field */
	} else if (cs->c.kind == TC_QTY_NUMBER) {
		const char *same[TC_QTY_MAX_ALIASES];
		size_t k = tc_qty_unit_keys(cs->unit, strlen(cs->unit), same);
		for (size_t i = 0; i < k; i++)
			n->units[i] = same[i];
		n->nunits = k ? k : 1;
	}
	n->lo = cs->c.low;
	n->hi = cs->c.high;
	n->lo_incl = cs->c.low_incl;
	n->hi_incl = cs->c.high_incl;
	n->qkind = cs->c.kind;
	p->pos = cs->end;
	return n;
}

/* ---- words ------------------------------------------------------------------------ */

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static void skip_space(parser *p)
{
	while (p->pos < p->len) {
		if (is_space(p->s[p->pos])) {
			p->pos++;
		} else if ((unsigned char)p->s[p->pos] == 0xC2 && p->pos + 1 < p->len &&
		           (unsigned char)p->s[p->pos + 1] == 0xA0) {
			p->pos += 2; /* no-break space */
		} else {
			break;
		}
	}
}

/* “ and ” (U+201C, U+201D) quote like '"': Vietnamese keyboards type them. */
static size_t quote_len(const char *s, size_t len, size_t at)
{
	if (at < len && s[at] == '"')
		return 1;
	if (at + 2 < len && (unsigned char)s[at] == 0xE2 && (unsigned char)s[at + 1] == 0x80 &&
	    ((unsigned char)s[at + 2] == 0x9C || (unsigned char)s[at + 2] == 0x9D))
		return 3;
	return 0;
}

static int word_char(parser *p, size_t i)
{
	char c = p->s[i];
	return !is_space(c) && c != '(' && c != ')' && quote_len(p->s, p->len, i) == 0;
}

/* Word w from token t of p->tl: its key (the stem, or the folded form), lower-case,
   folded and exact forms. */
static void set_word(parser *p, tc_qword *w, const tc_token *t)
{
	if (t->stem_len) {
		w->kind = 's';
		w->key = qstrdup(p->q, tc_tok_stem(&p->tl, t), t->stem_len);
	} else {
		w->kind = 'f';
		w->key = qstrdup(p->q, tc_tok_folded(&p->tl, t), t->folded_len);
	}
	w->lower = qstrdup(p->q, tc_tok_exact(&p->tl, t), t->exact_len);
	w->folded = t->stem_len ? qstrdup(p->q, tc_tok_folded(&p->tl, t), t->folded_len) : w->key;
	w->exact = (t->flags & TC_TOK_ACCENTED) ? w->lower : NULL;
}

/* The query words of s[start..end) (relative offsets are made absolute). */
static tc_qword *analyse_words(parser *p, size_t start, size_t end, size_t *nout,
                               int *all_joined)
{
	*nout = 0;
	*all_joined = 1;
	if (tc_analyze(p->a, p->s + start, end - start, NULL, &p->tl, p->err) != TC_OK) {
		p->rc = TC_EPARSE;
		return NULL;
	}
	if (p->tl.n == 0)
		return NULL;
	tc_qword *w = qalloc(p->q, p->tl.n * sizeof *w);
	for (size_t i = 0; i < p->tl.n; i++) {
		const tc_token *t = &p->tl.tok[i];
		if (i > 0 && !(t->flags & TC_TOK_JOINED))
			*all_joined = 0;
		set_word(p, &w[i], t);
		w[i].start = (uint32_t)(start + t->start);
		w[i].end = (uint32_t)(start + t->end);
	}
	*nout = p->tl.n;
	return w;
}

/*
 * A TERM or PHRASE node of text, which is not the query's (an abbreviation's other
 * form): its words stand for the query's bytes [start, end), where the form they
 * replace was typed.
 */
static tc_qnode *text_node(parser *p, const char *text, uint32_t start, uint32_t end)
{
	if (tc_analyze(p->a, text, strlen(text), NULL, &p->tl, p->err) != TC_OK) {
		p->rc = TC_EPARSE;
		return NULL;
	}
	if (p->tl.n == 0)
		return NULL;
	tc_qword *w = qalloc(p->q, p->tl.n * sizeof *w);
	for (size_t i = 0; i < p->tl.n; i++) {
		set_word(p, &w[i], &p->tl.tok[i]);
		w[i].start = start;
		w[i].end = end;
	}
	tc_qnode *n = new_node(p, p->tl.n == 1 ? TC_QN_TERM : TC_QN_PHRASE, start);
	if (n) {
		n->words = w;
		n->nwords = p->tl.n;
		n->end = end;
	}
	return n;
}

#define ABBR_FULL_MAX 256     /* bytes of the longest form looked up */
#define ABBR_WORDS_MAX 6      /* words of the longest full form */

/* The folded forms of w[0..n) joined by sep (' ', or 0 for none) into out (ABBR_FULL_MAX
   bytes); its length, 0 when it does not fit. */
static size_t join_folded(const tc_qword *w, size_t n, char sep, char *out)
{
	size_t len = 0;
	for (size_t i = 0; i < n; i++) {
		size_t k = strlen(w[i].folded);
		if (len + k + 2 > ABBR_FULL_MAX)
			return 0;
		if (i && sep)
			out[len++] = sep;
		memcpy(out + len, w[i].folded, k);
		len += k;
	}
	out[len] = '\0';
	return len;
}

/*
 * The ways an abbreviation's entry is written: the full form, the abbreviation as written
 * ("TP.HCM": two tokens) and, for one of several tokens, run together ("TPHCM").
 */
enum { FORM_FULL, FORM_ABBR, FORM_JOINED };

static int abbr_parts(const tc_abbrev *a)
{
	return a->abbr[strcspn(a->abbr, ". ")] != '\0';
}

/*
 * The entry words w[0..n) spell, and which form (*form): the full form, or the
 * abbreviation (one word, or words that are no syllables run together: "TP HCM",
 * "TP.HCM").
 */
static const tc_abbrev *abbr_of(const tc_qword *w, size_t n, int *form)
{
	char s[ABBR_FULL_MAX];
	size_t len = n > 1 ? join_folded(w, n, ' ', s) : 0;
	const tc_abbrev *a = len ? tc_abbrev_by_full(s, len) : NULL;
	if (a) {
		*form = FORM_FULL;
		return a;
	}
	for (size_t i = 0; i < n; i++)
		if (n > 1 && w[i].kind != 's')
			return NULL;
	len = join_folded(w, n, 0, s);
	a = len ? tc_abbrev_by_abbr(s, len) : NULL;
	if (a)
		*form = n > 1 || !abbr_parts(a) ? FORM_ABBR : FORM_JOINED;
	return a;
}

static void set_field(tc_qnode *n, int field);

/* OR(n, every other way a's entry is written), all standing for n's bytes; n itself
   when the forms cannot be made. */
static tc_qnode *or_forms(parser *p, tc_qnode *n, const tc_abbrev *a, int form)
{
	tc_qnode *or = new_node(p, TC_QN_OR, n->start);
	if (or == NULL)
		return NULL;
	or->end = n->end;
	add_kid(p, or, n);
	const char *other[3] = {a->full, a->abbr, abbr_parts(a) ? a->abbr_folded : NULL};
	for (int f = FORM_FULL; f <= FORM_JOINED; f++) {
		if (f == form || other[f] == NULL)
			continue;
		tc_qnode *k = text_node(p, other[f], n->start, n->end);
		if (k == NULL)
			return p->rc == TC_OK ? n : NULL;
		set_field(k, n->field);
		add_kid(p, or, k);
	}
	return or;
}

/*
 * A word that is an abbreviation (abbrev.h), or an exact phrase that is one or what one
 * stands for, as OR of every way of writing it: "TTHC" finds "thủ tục hành chính",
 * "\"thủ tục hành chính\"" finds "TTHC", "TP.HCM" finds "TPHCM" and "thành phố Hồ Chí
 * Minh". Anything else is n itself.
 */
static tc_qnode *with_abbrev(parser *p, tc_qnode *n)
{
	if (n == NULL || (n->type != TC_QN_TERM && n->type != TC_QN_PHRASE) || n->slop)
		return n;
	int form;
	const tc_abbrev *a = abbr_of(n->words, n->nwords, &form);
	return a ? or_forms(p, n, a, form) : n;
}

static tc_qnode *abbrevs(parser *p, tc_qnode *n);

/*
 * Runs of two or more TERM kids of and (one word each, in one field) that spell an entry
 * become OR(AND(the words), the other forms): "thủ tục hành chính tỉnh" is
 * AND(OR(AND(thủ tục hành chính), TTHC), tỉnh), the words apart still matching; "TP HCM"
 * is OR(AND(tp hcm), TPHCM, thành phố Hồ Chí Minh). The longest run from each kid wins.
 */
static void join_forms(parser *p, tc_qnode *and)
{
	tc_qword w[ABBR_WORDS_MAX];
	for (size_t i = 0; i < and->nkids && p->rc == TC_OK; i++) {
		size_t run = 0;
		while (run < ABBR_WORDS_MAX && i + run < and->nkids) {
			const tc_qnode *k = and->kids[i + run];
			if (k->type != TC_QN_TERM || k->field != and->kids[i]->field)
				break;
			w[run++] = k->words[0];
		}
		const tc_abbrev *a = NULL;
		int form = FORM_FULL;
		for (; run >= 2; run--)
			if ((a = abbr_of(w, run, &form)) != NULL)
				break;
		if (a == NULL) {
			and->kids[i] = abbrevs(p, and->kids[i]);
			continue;
		}
		tc_qnode *words = new_node(p, TC_QN_AND, and->kids[i]->start);
		if (words == NULL)
			return;
		words->adjacent = 1;
		words->field = and->kids[i]->field;
		words->end = and->kids[i + run - 1]->end;
		for (size_t k = 0; k < run; k++)
			add_kid(p, words, and->kids[i + k]);
		tc_qnode *or = or_forms(p, words, a, form);
		if (or == NULL)
			return;
		and->kids[i] = or;
		memmove(&and->kids[i + 1], &and->kids[i + run], (and->nkids - i - run) * sizeof *and->kids);
		and->nkids -= run - 1;
	}
}

/*
 * The tree with every way of writing its abbreviations (abbrev.h): words, phrases and
 * codes that are an entry's form become OR of all its forms; the ORs made are not gone
 * through again. Runs of words spelling a form go first: "TP HCM" is the city before
 * "TP" is "thành phố".
 */
static tc_qnode *abbrevs(parser *p, tc_qnode *n)
{
	if (n == NULL || p->rc != TC_OK)
		return n;
	switch (n->type) {
	case TC_QN_TERM:
	case TC_QN_PHRASE:
		return with_abbrev(p, n);
	case TC_QN_AND:
		join_forms(p, n);
		return n->nkids == 1 ? n->kids[0] : n;
	case TC_QN_OR:
	case TC_QN_NOT:
		for (size_t i = 0; i < n->nkids; i++)
			n->kids[i] = abbrevs(p, n->kids[i]);
		return n;
	default:
		return n;
	}
}

/* A TERM per word, grouped: one word alone, a code as a phrase, else an AND. */
static tc_qnode *words_node(parser *p, size_t start, size_t end, int force_phrase)
{
	size_t n;
	int joined;
	tc_qword *w = analyse_words(p, start, end, &n, &joined);
	if (w == NULL)
		return NULL;
	if (n == 1 || joined || force_phrase) {
		tc_qnode *t = new_node(p, n == 1 ? TC_QN_TERM : TC_QN_PHRASE, start);
		if (t) {
			t->words = w;
			t->nwords = n;
			t->end = (uint32_t)end;
		}
		return t;
	}
	tc_qnode *and = new_node(p, TC_QN_AND, start);
	for (size_t i = 0; and && i < n; i++) {
		tc_qnode *t = new_node(p, TC_QN_TERM, w[i].start);
		if (t == NULL)
			return NULL;
		t->words = &w[i];
		t->nwords = 1;
		t->end = w[i].end;
		add_kid(p, and, t);
	}
	if (and)
		and->adjacent = 1;
	return and;
}

static tc_qnode *parse_or(parser *p);

static tc_qnode *parse_phrase(parser *p)
{
	size_t open = p->pos;
	p->pos += quote_len(p->s, p->len, p->pos);
	size_t start = p->pos;
	while (p->pos < p->len && quote_len(p->s, p->len, p->pos) == 0)
		p->pos++;
	if (p->pos >= p->len) {
		fail(p, open, "%s", "unclosed quote");
		return NULL;
	}
	size_t end = p->pos;
	p->pos += quote_len(p->s, p->len, p->pos);
	int slop = 0;
	if (p->pos < p->len && p->s[p->pos] == '~') {
		size_t at = p->pos++;
		if (p->pos >= p->len || p->s[p->pos] < '0' || p->s[p->pos] > '9') {
			fail(p, at, "%s", "number expected after '~'");
			return NULL;
		}
		while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9') {
			slop = slop * 10 + (p->s[p->pos++] - '0');
			if (slop > 1000) {
				fail(p, at, "%s", "slop above 1000");
				return NULL;
			}
		}
	}
	tc_qnode *n = words_node(p, start, end, 1);
	if (n == NULL) {
		if (p->rc == TC_OK)
			fail(p, open, "%s", "empty phrase");
		return NULL;
	}
	n->slop = slop;
	n->start = (uint32_t)open;
	n->end = (uint32_t)p->pos;
	return n;
}

/* A field name: ASCII letters, digits and '_' right before ':' and something after. */
static size_t field_name_len(parser *p)
{
	size_t i = p->pos;
	while (i < p->len && ((p->s[i] >= 'a' && p->s[i] <= 'z') ||
	                      (p->s[i] >= 'A' && p->s[i] <= 'Z') || p->s[i] == '_' ||
	                      (i > p->pos && p->s[i] >= '0' && p->s[i] <= '9')))
		i++;
	if (i == p->pos || i + 1 >= p->len || p->s[i] != ':' || is_space(p->s[i + 1]))
		return 0;
	return i - p->pos;
}

static void set_field(tc_qnode *n, int field)
{
	if (n == NULL)
		return;
	n->field = field;
	for (size_t i = 0; i < n->nkids; i++)
		set_field(n->kids[i], field);
}

static tc_qnode *parse_unary(parser *p);

static tc_qnode *parse_word(parser *p)
{
	size_t start = p->pos, stop = next_cmp_start(p, p->pos);
	while (p->pos < p->len && p->pos < stop && word_char(p, p->pos))
		p->pos++;
	size_t end = p->pos;
	if (end > start + 1 && p->s[end - 1] == '*') {
		size_t n;
		int joined;
		tc_qword *w = analyse_words(p, start, end - 1, &n, &joined);
		if (n != 1) {
			fail(p, start, "%s", n ? "a prefix must be one word" : "empty prefix");
			return NULL;
		}
		w[0].kind = 'f';
		w[0].key = qstrdup(p->q, tc_tok_folded(&p->tl, &p->tl.tok[0]),
		                   p->tl.tok[0].folded_len);
		tc_qnode *t = new_node(p, TC_QN_PREFIX, start);
		if (t) {
			t->words = w;
			t->nwords = 1;
			t->end = (uint32_t)end;
		}
		return t;
	}
	return words_node(p, start, end, 0);
}

static tc_qnode *parse_primary(parser *p)
{
	skip_space(p);
	if (p->pos >= p->len) {
		fail(p, p->pos, "%s", "term expected");
		return NULL;
	}
	cmp_span *cs = cmp_at(p, p->pos);
	if (cs)
		return qty_node(p, cs);
	char c = p->s[p->pos];
	if (c == '(') {
		size_t open = p->pos++;
		if (++p->depth > MAX_DEPTH) {
			fail(p, open, "%s", "parentheses nested too deep");
			return NULL;
		}
		tc_qnode *n = parse_or(p);
		p->depth--;
		if (n == NULL)
			return NULL;
		skip_space(p);
		if (p->pos >= p->len || p->s[p->pos] != ')') {
			fail(p, open, "%s", "unclosed '('");
			return NULL;
		}
		p->pos++;
		return n;
	}
	if (c == ')') {
		fail(p, p->pos, "%s", "unexpected ')'");
		return NULL;
	}
	if (quote_len(p->s, p->len, p->pos))
		return parse_phrase(p);
	size_t fl = field_name_len(p);
	if (fl) {
		char name[64];
		size_t at = p->pos;
		snprintf(name, sizeof name, "%.*s", (int)(fl < 63 ? fl : 63), p->s + at);
		int id = p->env && p->env->field_id ? p->env->field_id(p->env->ctx, name) : -1;
		if (id < 0) {
			fail(p, at, "unknown field '%s'", name);
			return NULL;
		}
		p->pos += fl + 1;
		tc_qnode *n = parse_primary(p);
		if (n && n->type == TC_QN_QTY) {
			fail(p, at, "%s", "a comparison cannot be field-scoped");
			return NULL;
		}
		set_field(n, id);
		if (n)
			n->start = (uint32_t)at;
		return n;
	}
	return parse_word(p);
}

static tc_qnode *parse_unary(parser *p)
{
	skip_space(p);
	/* a '-' glued to what is before ("2017-13" after a comparison took "2017") is no
	   exclusion */
	int starts = p->pos == 0 || is_space(p->s[p->pos - 1]) || p->s[p->pos - 1] == '(';
	if (starts && p->pos + 1 < p->len && p->s[p->pos] == '-' && !is_space(p->s[p->pos + 1]) &&
	    !cmp_at(p, p->pos)) {
		size_t at = p->pos++;
		tc_qnode *kid = parse_primary(p);
		if (kid == NULL)
			return NULL;
		tc_qnode *n = new_node(p, TC_QN_NOT, at);
		if (n)
			add_kid(p, n, kid);
		return n;
	}
	return parse_primary(p);
}

static int at_or(parser *p)
{
	return p->pos + 2 <= p->len && p->s[p->pos] == 'O' && p->s[p->pos + 1] == 'R' &&
	       (p->pos + 2 == p->len || !word_char(p, p->pos + 2) || p->s[p->pos + 2] == '(') &&
	       !cmp_at(p, p->pos);
}

/* Plain words of one AND become kids of it, not nested ANDs: "a b c" is AND(a b c). */
static void add_flat(parser *p, tc_qnode *and, tc_qnode *kid)
{
	if (kid->type == TC_QN_AND && kid->adjacent && kid->field == and->field) {
		for (size_t i = 0; i < kid->nkids; i++)
			add_kid(p, and, kid->kids[i]);
		return;
	}
	add_kid(p, and, kid);
}

static tc_qnode *parse_and(parser *p)
{
	skip_space(p);
	size_t start = p->pos;
	tc_qnode *and = new_node(p, TC_QN_AND, start);
	if (and == NULL)
		return NULL;
	and->adjacent = 1;
	for (;;) {
		skip_space(p);
		if (p->pos >= p->len || p->s[p->pos] == ')' || at_or(p))
			break;
		size_t before = p->pos;
		tc_qnode *kid = parse_unary(p);
		if (p->rc != TC_OK)
			return NULL;
		if (kid)
			add_flat(p, and, kid);
		if (p->pos == before) /* nothing consumed: never loop */
			p->pos++;
	}
	if (and->nkids == 0) {
		fail(p, start, "%s", "term expected");
		return NULL;
	}
	size_t positive = 0;
	for (size_t i = 0; i < and->nkids; i++)
		positive += and->kids[i]->type != TC_QN_NOT;
	if (positive == 0) {
		fail(p, start, "%s", "nothing to search for, only exclusions");
		return NULL;
	}
	return and->nkids == 1 ? and->kids[0] : and;
}

static tc_qnode *parse_or(parser *p)
{
	skip_space(p);
	size_t start = p->pos;
	if (at_or(p)) {
		fail(p, start, "%s", "'OR' needs a term before it");
		return NULL;
	}
	tc_qnode *first = parse_and(p);
	if (first == NULL)
		return NULL;
	skip_space(p);
	if (!at_or(p))
		return first;
	tc_qnode *or = new_node(p, TC_QN_OR, start);
	if (or == NULL)
		return NULL;
	add_kid(p, or, first);
	while (at_or(p)) {
		size_t at = p->pos;
		p->pos += 2;
		skip_space(p);
		if (p->pos >= p->len || p->s[p->pos] == ')' || at_or(p)) {
			fail(p, at, "%s", "'OR' needs a term after it");
			return NULL;
		}
		tc_qnode *kid = parse_and(p);
		if (kid == NULL)
			return NULL;
		add_kid(p, or, kid);
		skip_space(p);
	}
	return or;
}

int tc_query_parse(tc_analyzer *a, const char *q, size_t len, const tc_query_env *env,
                   tc_query **out, tc_error *err)
{
	*out = NULL;
	TC_RETURN_IF(len > 4096, err, TC_ELIMIT, "query of %zu bytes is over the 4096 limit at 4096",
	             len);
	parser p = {0};
	p.q = tc_calloc(1, sizeof *p.q);
	p.a = a;
	p.env = env;
	p.s = q;
	p.len = len;
	p.err = err;
	if (find_comparisons(&p) == TC_OK) {
		skip_space(&p);
		if (p.pos >= p.len)
			fail(&p, 0, "%s", "empty query");
		else
			p.q->root = abbrevs(&p, parse_or(&p));
		skip_space(&p);
		if (p.rc == TC_OK && p.pos < p.len)
			fail(&p, p.pos, "%s", p.s[p.pos] == ')' ? "unexpected ')'" : "unexpected input");
	}
	tc_toklist_free(&p.tl);
	if (p.rc != TC_OK || p.q->root == NULL) {
		tc_query_free(p.q);
		return p.rc != TC_OK ? p.rc : tc_error_set(err, TC_EPARSE, "empty query at 0");
	}
	*out = p.q;
	return TC_OK;
}

/* ---- dump ------------------------------------------------------------------------- */

static void dump_word(const tc_qword *w, tc_buf *out)
{
	if (w->kind == 's')
		tc_buf_puts(out, "~");
	tc_buf_puts(out, w->key);
	if (w->exact)
		tc_buf_printf(out, "(%s)", w->exact);
}

static void dump_bound(double v, tc_buf *out)
{
	if (isinf(v))
		tc_buf_puts(out, v < 0 ? "-inf" : "inf");
	else
		tc_buf_printf(out, "%.10g", v);
}

void tc_query_dump(const tc_qnode *n, tc_buf *out)
{
	static const char *names[] = {"TERM", "PHRASE", "PREFIX", "QTY", "AND", "OR", "NOT"};
	if (n->field >= 0 && n->type != TC_QN_AND && n->type != TC_QN_OR && n->type != TC_QN_NOT)
		tc_buf_printf(out, "#%d:", n->field);
	switch (n->type) {
	case TC_QN_TERM:
		dump_word(&n->words[0], out);
		break;
	case TC_QN_PHRASE:
		tc_buf_putc(out, '"');
		for (size_t i = 0; i < n->nwords; i++) {
			if (i)
				tc_buf_putc(out, ' ');
			dump_word(&n->words[i], out);
		}
		tc_buf_putc(out, '"');
		if (n->slop)
			tc_buf_printf(out, "~%d", n->slop);
		break;
	case TC_QN_PREFIX:
		dump_word(&n->words[0], out);
		tc_buf_putc(out, '*');
		break;
	case TC_QN_QTY:
		tc_buf_puts(out, "QTY[");
		for (size_t i = 0; i < n->nunits; i++)
			tc_buf_printf(out, "%s%s", i ? "|" : "", n->units[i]);
		tc_buf_printf(out, " %c", n->lo_incl ? '[' : '(');
		dump_bound(n->lo, out);
		tc_buf_putc(out, ',');
		dump_bound(n->hi, out);
		tc_buf_printf(out, "%c]", n->hi_incl ? ']' : ')');
		break;
	default:
		tc_buf_printf(out, "%s(", names[n->type]);
		for (size_t i = 0; i < n->nkids; i++) {
			if (i)
				tc_buf_putc(out, ' ');
			tc_query_dump(n->kids[i], out);
		}
		tc_buf_putc(out, ')');
	}
}
