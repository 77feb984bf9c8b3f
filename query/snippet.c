/* snippet.c — passages with the matches marked (see snippet.h). */
#include "snippet.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/quantity.h"
#include "common/mem.h"

/* What in a text counts as a match of the query. */
typedef struct matcher {
	const tc_qword **words;   /* positive words of terms: folded/stem keys */
	size_t nwords, wcap;
	const tc_qnode **phrases; /* marked where the whole phrase stands */
	size_t nphrases, phcap;
	const tc_qnode **prefixes;
	size_t nprefixes, pcap;
	const tc_qnode **qty;
	size_t nqty, qcap;
} matcher;

static void add_words(matcher *m, const tc_qnode *n)
{
	for (size_t i = 0; i < n->nwords; i++) {
		m->words = tc_grow(m->words, &m->wcap, m->nwords + 1, sizeof *m->words);
		m->words[m->nwords++] = &n->words[i];
	}
}

static void collect(matcher *m, const tc_qnode *n)
{
	switch (n->type) {
	case TC_QN_NOT:
		return; /* excluded words are not highlighted */
	case TC_QN_PHRASE:
		if (n->slop == 0) {
			m->phrases = tc_grow(m->phrases, &m->phcap, m->nphrases + 1, sizeof *m->phrases);
			m->phrases[m->nphrases++] = n;
			return;
		}
		add_words(m, n); /* a sloppy phrase marks its words one by one */
		return;
	case TC_QN_TERM:
		add_words(m, n);
		return;
	case TC_QN_PREFIX:
		m->prefixes = tc_grow(m->prefixes, &m->pcap, m->nprefixes + 1, sizeof *m->prefixes);
		m->prefixes[m->nprefixes++] = n;
		return;
	case TC_QN_QTY:
		m->qty = tc_grow(m->qty, &m->qcap, m->nqty + 1, sizeof *m->qty);
		m->qty[m->nqty++] = n;
		return;
	default:
		for (size_t i = 0; i < n->nkids; i++)
			collect(m, n->kids[i]);
	}
}

static int word_matches(const tc_qword *w, const tc_toklist *tl, const tc_token *t, int strict)
{
	const char *form = strict ? tc_tok_exact(tl, t)
	                          : w->kind == 's' ? tc_tok_stem(tl, t) : tc_tok_folded(tl, t);
	return form && strcmp(form, strict ? w->lower : w->key) == 0;
}

/* Tokens the phrase p covers when it starts at token i, 0 when it does not. */
static size_t phrase_at(const tc_qnode *p, const tc_toklist *tl, size_t i, int strict)
{
	if (i + p->nwords > tl->n)
		return 0;
	for (size_t k = 0; k < p->nwords; k++)
		if (!word_matches(&p->words[k], tl, &tl->tok[i + k], strict))
			return 0;
	return p->nwords;
}

/* Index+1 of the query word the token matches, 0 when none. */
static size_t token_match(const matcher *m, const tc_toklist *tl, const tc_token *t, int strict)
{
	for (size_t i = 0; i < m->nwords; i++)
		if (word_matches(m->words[i], tl, t, strict))
			return i + 1;
	for (size_t i = 0; i < m->nprefixes; i++) {
		const tc_qword *w = &m->prefixes[i]->words[0];
		const char *form = strict ? tc_tok_exact(tl, t) : tc_tok_folded(tl, t);
		const char *want = strict ? w->lower : w->key;
		if (strncmp(form, want, strlen(want)) == 0)
			return m->nwords + i + 1;
	}
	return 0;
}

static int in_range(const tc_qnode *n, double v)
{
	if (n->lo_incl ? v < n->lo : v <= n->lo)
		return 0;
	return n->hi_incl ? v <= n->hi : v < n->hi;
}

/*
 * Does mention q satisfy comparison n? Returns the byte where the mark should end (the
 * mention stops at its longest unit; the mark at the unit the query asked for), or 0.
 */
static uint32_t qty_match_end(const tc_qnode *n, const tc_qlist *ql, const tc_qty *q,
                              const tc_toklist *tl)
{
	if (!in_range(n, q->value))
		return 0;
	if (n->qkind == TC_QTY_DATE || n->qkind == TC_QTY_PERCENT)
		return q->kind == n->qkind ? q->end : 0;
	if (q->kind != TC_QTY_NUMBER)
		return 0;
	if (strcmp(n->unit, TC_QTY_KEY_NONE) == 0)
		return q->n_units == 0 ? q->end : 0;
	for (unsigned u = 0; u < q->n_units; u++) {
		if (strcmp(tc_qty_unit(ql, q, u), n->unit) != 0)
			continue;
		/* unit key u has u + 1 syllables, the mention's last token ends the longest */
		size_t last = 0, hi = tl->n; /* first token ending at or after the mention */
		while (last < hi) {
			size_t mid = last + (hi - last) / 2;
			if (tl->tok[mid].end < q->end)
				last = mid + 1;
			else
				hi = mid;
		}
		size_t drop = q->n_units - 1 - u;
		if (last < tl->n && tl->tok[last].end == q->end && last >= drop &&
		    tl->tok[last - drop].end > q->start)
			return tl->tok[last - drop].end;
		return q->end;
	}
	return 0;
}

/* A mark on the input: bytes and which query element it is (for "distinct" counting). */
typedef struct hit {
	uint32_t start, end;
	size_t what;
} hit;

static int by_start(const void *a, const void *b)
{
	const hit *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

static void add_hit(hit **h, size_t *n, size_t *cap, uint32_t s, uint32_t e, size_t what)
{
	*h = tc_grow(*h, cap, *n + 1, sizeof **h);
	(*h)[*n].start = s;
	(*h)[*n].end = e;
	(*h)[*n].what = what;
	(*n)++;
}

/* Is text[from..to) empty or only spaces (so two marks around it read as one)? */
static int only_spaces(const char *text, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		if (text[i] != ' ')
			return 0;
	return 1;
}

/* Moves i back to the start of a UTF-8 character. */
static size_t char_start(const char *s, size_t i)
{
	while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80)
		i--;
	return i;
}

/* The best window [*ws, *we) of at most max bytes: most distinct query parts, then most marks. */
static void best_window(const hit *h, size_t n, size_t max, size_t *ws, size_t *we)
{
	size_t best_i = 0, best_j = 0;
	double best = -1;
	for (size_t i = 0; i < n; i++) {
		size_t j = i;
		while (j < n && h[j].end - h[i].start <= max)
			j++;
		/* distinct parts in h[i..j) */
		double distinct = 0;
		for (size_t a = i; a < j; a++) {
			size_t b = i;
			while (b < a && h[b].what != h[a].what)
				b++;
			distinct += b == a;
		}
		double score = distinct * 10 + (double)(j - i);
		if (score > best) {
			best = score;
			best_i = i;
			best_j = j;
		}
	}
	*ws = h[best_i].start;
	*we = h[best_j - 1].end;
}

int tc_snippet_make(tc_analyzer *a, const tc_qnode *q, int strict, const char *text,
                    size_t len, const char *lang, size_t max_bytes, tc_snippet *out,
                    tc_error *err)
{
	tc_buf_clear(&out->text);
	tc_buf_reserve(&out->text, 0);
	out->nmarks = 0;
	out->matches = 0;
	matcher m = {0};
	collect(&m, q);
	tc_toklist tl = {0};
	tc_qlist ql = {0};
	hit *h = NULL;
	size_t nh = 0, hcap = 0;
	int rc = tc_analyze(a, text, len, lang, &tl, err);
	if (rc == TC_OK) {
		for (size_t i = 0; i < tl.n; i++) {
			size_t what = token_match(&m, &tl, &tl.tok[i], strict);
			if (what)
				add_hit(&h, &nh, &hcap, tl.tok[i].start, tl.tok[i].end, what);
			for (size_t k = 0; k < m.nphrases; k++) {
				size_t n = phrase_at(m.phrases[k], &tl, i, strict);
				if (n)
					add_hit(&h, &nh, &hcap, tl.tok[i].start, tl.tok[i + n - 1].end,
					        m.nwords + m.nprefixes + m.nqty + k + 1);
			}
		}
	}
	if (rc == TC_OK && m.nqty) {
		rc = tc_quantity_extract(text, len, &tl, NULL, &ql, err);
		for (size_t i = 0; rc == TC_OK && i < ql.n; i++)
			for (size_t k = 0; k < m.nqty; k++) {
				uint32_t end = qty_match_end(m.qty[k], &ql, &ql.q[i], &tl);
				if (end)
					add_hit(&h, &nh, &hcap, ql.q[i].start, end, m.nwords + m.nprefixes + k + 1);
			}
	}
	if (rc == TC_OK) {
		if (nh > 1)
			qsort(h, nh, sizeof *h, by_start);
		size_t ws = 0, we = 0;
		if (nh) {
			best_window(h, nh, max_bytes, &ws, &we);
			/* centre the matches: give the remaining room to both sides */
			size_t room = max_bytes > we - ws ? max_bytes - (we - ws) : 0;
			size_t before = room / 3;
			ws = ws > before ? ws - before : 0;
			we = we + (room - before) < len ? we + (room - before) : len;
		} else {
			we = max_bytes < len ? max_bytes : len;
		}
		ws = char_start(text, ws);
		we = we < len ? char_start(text, we) : len;
		/* do not cut words: move to the nearest space inward */
		if (ws > 0) {
			size_t s = ws;
			while (s < we && text[s] != ' ' && text[s] != '\n')
				s++;
			if (s < we && (nh == 0 || s <= h[0].start || s < ws + 20))
				ws = s + 1;
		}
		if (we < len) {
			size_t e = we;
			while (e > ws && text[e] != ' ' && text[e] != '\n')
				e--;
			if (e > ws)
				we = e;
		}
		if (ws > 0)
			tc_buf_puts(&out->text, "… ");
		size_t base = out->text.len;
		for (size_t i = ws; i < we; i++) /* newlines read better as spaces here */
			tc_buf_putc(&out->text, text[i] == '\n' || text[i] == '\r' || text[i] == '\t'
			                            ? ' ' : text[i]);
		if (we < len)
			tc_buf_puts(&out->text, " …");
		for (size_t i = 0; i < nh; i++) {
			if (h[i].start < ws || h[i].end > we)
				continue;
			uint32_t s = (uint32_t)(base + h[i].start - ws), e = (uint32_t)(base + h[i].end - ws);
			if (out->nmarks && only_spaces(out->text.data, out->marks[out->nmarks - 1].end, s)) {
				if (e > out->marks[out->nmarks - 1].end)
					out->marks[out->nmarks - 1].end = e;
				continue;
			}
			out->marks = tc_grow(out->marks, &out->cap, out->nmarks + 1, sizeof *out->marks);
			out->marks[out->nmarks].start = s;
			out->marks[out->nmarks].end = e;
			out->nmarks++;
		}
		out->matches = out->nmarks;
	}
	free(h);
	free(m.words);
	free(m.phrases);
	free(m.prefixes);
	free(m.qty);
	tc_toklist_free(&tl);
	tc_qlist_free(&ql);
	return rc;
}

void tc_snippet_free(tc_snippet *s)
{
	tc_buf_free(&s->text);
	free(s->marks);
	memset(s, 0, sizeof *s);
}

static void html_escape(tc_buf *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		switch (s[i]) {
		case '&': tc_buf_puts(out, "&amp;"); break;
		case '<': tc_buf_puts(out, "&lt;"); break;
		case '>': tc_buf_puts(out, "&gt;"); break;
		case '"': tc_buf_puts(out, "&quot;"); break;
		case '\'': tc_buf_puts(out, "&#39;"); break;
		default: tc_buf_putc(out, s[i]);
		}
	}
}

/* Appends the snippet with each mark wrapped in open/close, text passed through esc. */
static void render(const tc_snippet *s, const char *open, const char *close, int escape,
                   tc_buf *out)
{
	size_t at = 0;
	for (size_t i = 0; i <= s->nmarks; i++) {
		size_t upto = i < s->nmarks ? s->marks[i].start : s->text.len;
		if (escape)
			html_escape(out, s->text.data + at, upto - at);
		else
			tc_buf_append(out, s->text.data + at, upto - at);
		if (i == s->nmarks)
			break;
		tc_buf_puts(out, open);
		if (escape)
			html_escape(out, s->text.data + s->marks[i].start,
			            s->marks[i].end - s->marks[i].start);
		else
			tc_buf_append(out, s->text.data + s->marks[i].start,
			              s->marks[i].end - s->marks[i].start);
		tc_buf_puts(out, close);
		at = s->marks[i].end;
	}
	tc_buf_reserve(out, 0);
}

void tc_snippet_html(const tc_snippet *s, tc_buf *out)
{
	render(s, "<mark>", "</mark>", 1, out);
}

void tc_snippet_ansi(const tc_snippet *s, int colour, tc_buf *out)
{
	render(s, colour ? "\033[1;33m" : "[", colour ? "\033[0m" : "]", 0, out);
}
