/*
 * gen_queries.c — writes the benchmark's query file from a corpus, with a fixed seed.
 *
 *   gen_queries [-s SEED] [-n PER_CLASS] [-o OUT.tsv] CORPUS...
 *
 * CORPUS files are read as bench/lib/corpus.h reads them (.jsonl.zst, .jsonl, .txt).
 * The output is TSV, "class<TAB>query", grouped by class, with '#' comment lines first
 * that record the seed, the corpus and the bands used. Each class with a diacritics-free
 * twin ("_nd") holds the same queries as the twin, folded by tracuu's analyser.
 *
 *   term_low, term_mid, term_high   one syllable whose folded form is in that many
 *                                   documents: low [max(3,N/10000), max(5,N/300)],
 *                                   mid [N/200, N/20], high >= N/10 (N = documents);
 *                                   written in its most common spelling
 *   and                             2-3 distinct syllables of one document, not all
 *                                   of them high-frequency (AND query)
 *   phrase                          2-4 adjacent syllables of one document, separated
 *                                   by spaces only, quoted, as written in the text
 *   prefix                          a mid-frequency syllable of 3+ letters, whole or
 *                                   without its last letter, then '*'
 *   qty                             "> 1,35 tỷ đồng", "< 50%": an operator, a number (with
 *                                   its scale words) seen in the corpus before one of
 *                                   the most common units, and that unit
 *   code                            a legal code seen in the corpus, "67/2014/NĐ-CP"
 *
 * Selection is reproducible: the same seed and corpus give the same file, byte for
 * byte. Candidate lists are sorted before they are shuffled, and documents are sampled
 * with reservoirs fed in corpus order.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analyzer.h"
#include "bench/lib/corpus.h"
#include "common/buf.h"
#include "common/mem.h"

#define MAX_CLASS_WORDS 4
#define N_OPS 4
#define N_UNITS 8          /* quantity queries spread over this many most common units */

/* ---- a reproducible random stream (splitmix64) ---------------------------------- */

static uint64_t rng_state;

static uint64_t rng_next(void)
{
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/* Uniform in [0, n), n > 0. */
static size_t rng_below(size_t n)
{
	return (size_t)(rng_next() % n);
}

static void shuffle(uint32_t *a, size_t n)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = rng_below(i);
		uint32_t t = a[i - 1];
		a[i - 1] = a[j];
		a[j] = t;
	}
}

/* ---- string table: key -> entry, entries numbered in insertion order ------------- */

typedef struct entry {
	char *key;
	uint32_t len;
	uint32_t df;         /* documents containing it (or mentions, for units and codes) */
	uint32_t last_doc;   /* 1-based number of the last document counted */
	uint32_t link;       /* exact -> its folded entry; folded -> best exact entry + 1 */
} entry;

typedef struct table {
	entry *e;
	size_t n, cap;
	uint32_t *slot;      /* open addressing: entry index + 1, 0 = empty */
	size_t nslot;        /* power of two */
} table;

static uint32_t hash_str(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static void table_rehash(table *t)
{
	size_t ns = t->nslot ? t->nslot * 2 : 1024;
	free(t->slot);
	t->slot = tc_calloc(ns, sizeof *t->slot);
	t->nslot = ns;
	for (size_t i = 0; i < t->n; i++) {
		size_t s = hash_str(t->e[i].key, t->e[i].len) & (ns - 1);
		while (t->slot[s])
			s = (s + 1) & (ns - 1);
		t->slot[s] = (uint32_t)i + 1;
	}
}

/* The entry for key, created (zeroed) when absent. Its index is stable. */
static uint32_t table_get(table *t, const char *key, size_t len)
{
	if ((t->n + 1) * 2 > t->nslot)
		table_rehash(t);
	size_t s = hash_str(key, len) & (t->nslot - 1);
	for (; t->slot[s]; s = (s + 1) & (t->nslot - 1)) {
		entry *e = &t->e[t->slot[s] - 1];
		if (e->len == len && memcmp(e->key, key, len) == 0)
			return t->slot[s] - 1;
	}
	t->e = tc_grow(t->e, &t->cap, t->n + 1, sizeof *t->e);
	t->e[t->n] = (entry){.key = tc_strndup(key, len), .len = (uint32_t)len};
	t->slot[s] = (uint32_t)t->n + 1;
	return (uint32_t)t->n++;
}

/* Adds 1 to the entry's df, once per document. */
static uint32_t table_count_doc(table *t, const char *key, size_t len, uint32_t doc)
{
	uint32_t i = table_get(t, key, len);
	if (t->e[i].last_doc != doc) {
		t->e[i].last_doc = doc;
		t->e[i].df++;
	}
	return i;
}

static void table_free(table *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->e[i].key);
	free(t->e);
	free(t->slot);
	memset(t, 0, sizeof *t);
}

/* ---- what the corpus pass collects ---------------------------------------------- */

/* A sampled multi-word candidate: a phrase (as written) or an AND (exact forms). */
typedef struct cand {
	char *text;
	uint32_t folded[MAX_CLASS_WORDS];  /* the words' entries in the folded table */
	int n;
} cand;

typedef struct reservoir {
	cand *c;
	size_t n, cap;       /* cap: the reservoir's size */
	size_t seen;         /* documents offered */
} reservoir;

typedef struct mention {
	char *value;         /* the number and its scale words, as written: "1,35 tỷ" */
	uint32_t unit[2];    /* entries in the unit table: 1 and 2 syllables (+1, 0 = none) */
} mention;

typedef struct gen {
	tc_analyzer *an;
	tc_toklist tl;
	uint32_t doc;        /* 1-based number of the current document */
	table folded, exact; /* syllables */
	table units, unit_exact, codes;
	mention *m;
	size_t nm, mcap;
	reservoir phrase, and_;
	tc_buf tmp;
	tc_error err;
} gen;

static int is_syllable(const tc_token *t)
{
	return (t->flags & (TC_TOK_SYLLABLE | TC_TOK_JOINED)) == TC_TOK_SYLLABLE;
}

/* True when text[a, b) is one or more spaces and nothing else. */
static int spaces_only(const char *text, size_t a, size_t b)
{
	if (b <= a)
		return 0;
	for (size_t i = a; i < b; i++)
		if (text[i] != ' ')
			return 0;
	return 1;
}

static void count_syllables(gen *g)
{
	for (size_t i = 0; i < g->tl.n; i++) {
		const tc_token *t = &g->tl.tok[i];
		if (!is_syllable(t))
			continue;
		uint32_t f = table_count_doc(&g->folded, tc_tok_folded(&g->tl, t), t->folded_len,
		                             g->doc);
		uint32_t x = table_count_doc(&g->exact, tc_tok_exact(&g->tl, t), t->exact_len,
		                             g->doc);
		g->exact.e[x].link = f;
	}
}

/* Folded scale words: a number followed by these is multiplied ("1,35 tỷ"). */
static int is_scale(const char *folded)
{
	static const char *const scale[] = {"nghin", "ngan", "trieu", "ty", "ti"};
	for (size_t i = 0; i < sizeof scale / sizeof scale[0]; i++)
		if (strcmp(folded, scale[i]) == 0)
			return 1;
	return 0;
}

/* Folded words that follow numbers without being their unit ("từ 2 đến 5"). */
static int is_not_unit(const char *folded)
{
	static const char *const words[] = {"va", "la", "cua", "den", "toi", "trong", "voi",
	                                    "co", "da", "duoc", "hoac", "hay", "thi", "ma"};
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strcmp(folded, words[i]) == 0)
			return 1;
	return 0;
}

/* Counts one mention of unit key u (spelled x) and returns its entry. */
static uint32_t count_unit(gen *g, const tc_buf *u, const tc_buf *x)
{
	uint32_t k = table_get(&g->units, u->data, u->len);
	g->units.e[k].df++;
	uint32_t e = table_get(&g->unit_exact, x->data, x->len);
	g->unit_exact.e[e].df++;
	g->unit_exact.e[e].link = k;
	return k;
}

/*
 * Records a mention text[start, end) of the unit that begins at token j: "%" when j is
 * the end of the token list, else the syllable at j and, when the next one follows
 * after spaces only, the two of them ("giao dịch"): which one reads as the unit is
 * decided over the whole corpus (see choose_units).
 */
static void add_mention(gen *g, const char *text, size_t start, size_t end, size_t j)
{
	const tc_toklist *l = &g->tl;
	tc_buf u = {0}, x = {0};
	mention m = {tc_strndup(text + start, end - start), {0, 0}};
	if (j == l->n) {
		tc_buf_putc(&u, '%');
		tc_buf_putc(&x, '%');
		m.unit[0] = count_unit(g, &u, &x) + 1;
	} else {
		const tc_token *t = &l->tok[j];
		tc_buf_append(&u, tc_tok_folded(l, t), t->folded_len);
		tc_buf_append(&x, tc_tok_exact(l, t), t->exact_len);
		m.unit[0] = count_unit(g, &u, &x) + 1;
		if (j + 1 < l->n && is_syllable(&t[1]) && spaces_only(text, t->end, t[1].start)) {
			tc_buf_putc(&u, ' ');
			tc_buf_append(&u, tc_tok_folded(l, &t[1]), t[1].folded_len);
			tc_buf_putc(&x, ' ');
			tc_buf_append(&x, tc_tok_exact(l, &t[1]), t[1].exact_len);
			m.unit[1] = count_unit(g, &u, &x) + 1;
			g->units.e[m.unit[1] - 1].link = m.unit[0];
		}
	}
	tc_buf_free(&u);
	tc_buf_free(&x);
	g->m = tc_grow(g->m, &g->mcap, g->nm + 1, sizeof *g->m);
	g->m[g->nm++] = m;
}

/*
 * Quantity mentions: a number that is not part of a code or date, its scale words, and
 * either '%' right after it or the next syllable as its unit.
 */
static void scan_quantities(gen *g, const char *text)
{
	const tc_toklist *l = &g->tl;
	for (size_t i = 0; i < l->n; i++) {
		const tc_token *t = &l->tok[i];
		if (!(t->flags & TC_TOK_NUMBER) || (t->flags & TC_TOK_JOINED))
			continue;
		if (i + 1 < l->n && (l->tok[i + 1].flags & TC_TOK_JOINED))
			continue;
		if (text[t->end] == '%') {
			add_mention(g, text, t->start, t->end, l->n);
			continue;
		}
		size_t j = i + 1, end = t->end;
		while (j < l->n && is_scale(tc_tok_folded(l, &l->tok[j])) &&
		       spaces_only(text, end, l->tok[j].start)) {
			end = l->tok[j].end;
			j++;
		}
		if (j >= l->n)
			continue;
		const tc_token *u = &l->tok[j];
		if (!(u->flags & TC_TOK_LATIN) || (u->flags & (TC_TOK_JOINED | TC_TOK_NUMBER)) ||
		    !spaces_only(text, end, u->start) || is_not_unit(tc_tok_folded(l, u)))
			continue;
		if (j + 1 < l->n && (l->tok[j + 1].flags & TC_TOK_JOINED))
			continue; /* "5 USD/tấn" and the like: not a plain unit */
		add_mention(g, text, t->start, end, j);
	}
}

/* Legal codes: 1-4 digits, an optional letter, '/', a 4-digit year, '/', a capital. */
static int is_code(const char *s, size_t n)
{
	size_t i = 0, d = 0;
	while (i < n && isdigit((unsigned char)s[i]))
		i++, d++;
	if (d < 1 || d > 4)
		return 0;
	if (i < n && islower((unsigned char)s[i]))
		i++;
	if (i >= n || s[i++] != '/')
		return 0;
	for (d = 0; i < n && isdigit((unsigned char)s[i]); i++)
		d++;
	if (d != 4 || i >= n || s[i++] != '/')
		return 0;
	if (i < n && s[i] >= 'A' && s[i] <= 'Z')
		return 1;
	return i + 1 < n && (unsigned char)s[i] == 0xC4 && (unsigned char)s[i + 1] == 0x90;
}

static void scan_codes(gen *g, const char *text)
{
	const tc_toklist *l = &g->tl;
	for (size_t i = 0; i < l->n; i++) {
		const tc_token *t = &l->tok[i];
		if (!(t->flags & TC_TOK_NUMBER) || (t->flags & TC_TOK_JOINED))
			continue;
		size_t j = i + 1;
		while (j < l->n && (l->tok[j].flags & TC_TOK_JOINED))
			j++;
		if (j - i < 3)
			continue;
		size_t end = l->tok[j - 1].end;
		if (is_code(text + t->start, end - t->start)) {
			uint32_t c = table_get(&g->codes, text + t->start, end - t->start);
			g->codes.e[c].df++;
		}
		i = j - 1;
	}
}

/*
 * Reservoir sampling over documents: returns the slot the current document's candidate
 * goes to, or -1 when this document is not sampled.
 */
static long reservoir_slot(reservoir *r)
{
	size_t k = r->seen++;
	if (k < r->cap)
		return (long)k;
	size_t j = rng_below(k + 1);
	return j < r->cap ? (long)j : -1;
}

static void reservoir_put(reservoir *r, long slot, cand *c)
{
	if ((size_t)slot >= r->n) {
		slot = (long)r->n++; /* while filling up, candidates are appended */
	} else {
		free(r->c[slot].text);
	}
	r->c[slot] = *c;
}

/* Tries a few random places for 2-4 adjacent syllables separated by spaces only. */
static int pick_phrase(gen *g, const char *text, cand *c)
{
	const tc_toklist *l = &g->tl;
	for (int attempt = 0; attempt < 8; attempt++) {
		int len = 2 + (int)rng_below(3);
		if (l->n < (size_t)len)
			return 0;
		size_t s = rng_below(l->n - (size_t)len + 1);
		int ok = 1;
		for (int k = 0; k < len && ok; k++) {
			const tc_token *t = &l->tok[s + (size_t)k];
			ok = is_syllable(t) && (k == 0 || spaces_only(text, t[-1].end, t->start));
		}
		if (!ok)
			continue;
		c->n = len;
		for (int k = 0; k < len; k++) {
			const tc_token *t = &l->tok[s + (size_t)k];
			c->folded[k] = table_get(&g->folded, tc_tok_folded(l, t), t->folded_len);
		}
		size_t a = l->tok[s].start, b = l->tok[s + (size_t)len - 1].end;
		tc_buf_clear(&g->tmp);
		tc_buf_putc(&g->tmp, '"');
		tc_buf_append(&g->tmp, text + a, b - a);
		tc_buf_putc(&g->tmp, '"');
		c->text = tc_strdup(g->tmp.data);
		return 1;
	}
	return 0;
}

/* 2-3 distinct syllables of the document, in their exact forms. */
static int pick_and(gen *g, cand *c)
{
	const tc_toklist *l = &g->tl;
	int want = 2 + (int)rng_below(2);
	c->n = 0;
	tc_buf_clear(&g->tmp);
	for (int attempt = 0; attempt < 32 && c->n < want && l->n > 0; attempt++) {
		const tc_token *t = &l->tok[rng_below(l->n)];
		if (!is_syllable(t))
			continue;
		uint32_t f = table_get(&g->folded, tc_tok_folded(l, t), t->folded_len);
		int dup = 0;
		for (int k = 0; k < c->n; k++)
			dup |= c->folded[k] == f;
		if (dup)
			continue;
		c->folded[c->n++] = f;
		if (g->tmp.len)
			tc_buf_putc(&g->tmp, ' ');
		tc_buf_append(&g->tmp, tc_tok_exact(l, t), t->exact_len);
	}
	if (c->n < want)
		return 0;
	c->text = tc_strdup(g->tmp.data);
	return 1;
}

static void sample(gen *g, reservoir *r, const char *text, int phrase)
{
	long slot = reservoir_slot(r);
	if (slot < 0)
		return;
	cand c = {0};
	if (phrase ? pick_phrase(g, text, &c) : pick_and(g, &c))
		reservoir_put(r, slot, &c);
}

static int analyse(gen *g, const char *text, size_t len)
{
	return tc_analyze(g->an, text, len, NULL, &g->tl, &g->err);
}

static int on_doc(void *ctx, const tc_bench_doc *d)
{
	gen *g = ctx;
	g->doc++;
	TC_FORWARD(analyse(g, d->title, d->title_len));
	count_syllables(g);
	scan_quantities(g, d->title);
	scan_codes(g, d->title);
	TC_FORWARD(analyse(g, d->body, d->body_len));
	count_syllables(g);
	scan_quantities(g, d->body);
	scan_codes(g, d->body);
	sample(g, &g->phrase, d->body, 1);
	sample(g, &g->and_, d->body, 0);
	return 0;
}

/* ---- choosing and writing ------------------------------------------------------- */

typedef struct out {
	FILE *f;
	gen *g;
	table seen;          /* folded queries already written in the current class */
	tc_buf fold;
} out;

static const table *sort_table; /* qsort has no context argument */

static int by_key(const void *a, const void *b)
{
	const entry *x = &sort_table->e[*(const uint32_t *)a];
	const entry *y = &sort_table->e[*(const uint32_t *)b];
	return strcmp(x->key, y->key);
}

/* Entries of t with lo <= df <= hi (and key of at least min_len bytes), sorted, shuffled. */
static uint32_t *band(const table *t, uint32_t lo, uint32_t hi, size_t min_len, size_t *n)
{
	uint32_t *a = tc_malloc((t->n ? t->n : 1) * sizeof *a);
	size_t k = 0;
	for (size_t i = 0; i < t->n; i++)
		if (t->e[i].df >= lo && t->e[i].df <= hi && t->e[i].len >= min_len)
			a[k++] = (uint32_t)i;
	sort_table = t;
	qsort(a, k, sizeof *a, by_key);
	shuffle(a, k);
	*n = k;
	return a;
}

static const char *fold(out *o, const char *s)
{
	tc_buf_clear(&o->fold);
	tc_analyzer_fold_text(o->g->an, s, strlen(s), &o->fold);
	tc_buf_putc(&o->fold, '\0');
	return o->fold.data;
}

/* Writes one class and, when twin is set, its folded twin; skips folded duplicates. */
static size_t write_class(out *o, const char *cls, char **q, size_t n, size_t want, int twin)
{
	table_free(&o->seen);
	size_t k = 0;
	char **kept = tc_malloc((n ? n : 1) * sizeof *kept);
	for (size_t i = 0; i < n && k < want; i++) {
		const char *f = fold(o, q[i]);
		size_t before = o->seen.n;
		table_get(&o->seen, f, strlen(f));
		if (o->seen.n == before)
			continue;
		kept[k++] = q[i];
		fprintf(o->f, "%s\t%s\n", cls, q[i]);
	}
	for (size_t i = 0; twin && i < k; i++)
		fprintf(o->f, "%s_nd\t%s\n", cls, fold(o, kept[i]));
	free(kept);
	return k;
}

/* The most common spelling of each folded syllable: folded.link = exact index + 1. */
static void best_spellings(gen *g)
{
	for (size_t i = 0; i < g->exact.n; i++) {
		entry *x = &g->exact.e[i];
		entry *f = &g->folded.e[x->link];
		if (f->link == 0 || g->exact.e[f->link - 1].df < x->df ||
		    (g->exact.e[f->link - 1].df == x->df &&
		     strcmp(g->exact.e[f->link - 1].key, x->key) > 0))
			f->link = (uint32_t)i + 1;
	}
}

static const char *spelling(const gen *g, uint32_t folded)
{
	const entry *f = &g->folded.e[folded];
	return f->link ? g->exact.e[f->link - 1].key : f->key;
}

static size_t write_terms(out *o, const char *cls, uint32_t lo, uint32_t hi, size_t want)
{
	gen *g = o->g;
	size_t n;
	uint32_t *a = band(&g->folded, lo, hi, 1, &n);
	char **q = tc_malloc((n ? n : 1) * sizeof *q);
	for (size_t i = 0; i < n; i++)
		q[i] = (char *)spelling(g, a[i]);
	size_t k = write_class(o, cls, q, n, want, 1);
	free(q);
	free(a);
	return k;
}

/* Number of UTF-8 code points in s. */
static size_t cp_count(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

static size_t write_prefixes(out *o, uint32_t lo, uint32_t hi, size_t want)
{
	gen *g = o->g;
	size_t n;
	uint32_t *a = band(&g->folded, lo, hi, 3, &n);
	char **q = tc_malloc((n ? n : 1) * sizeof *q);
	for (size_t i = 0; i < n; i++) {
		const char *w = spelling(g, a[i]);
		size_t cps = cp_count(w), keep = cps - (cps > 3 ? rng_below(2) : 0);
		tc_buf b = {0};
		for (const char *s = w; *s; s++) {
			if (((unsigned char)*s & 0xC0) != 0x80 && keep-- == 0)
				break;
			tc_buf_putc(&b, *s);
		}
		tc_buf_putc(&b, '*');
		q[i] = b.data;
	}
	size_t k = write_class(o, "prefix", q, n, want, 1);
	for (size_t i = 0; i < n; i++)
		free(q[i]);
	free(q);
	free(a);
	return k;
}

/* Candidates whose words are not all in the high band, in reservoir order. */
static size_t write_sampled(out *o, const char *cls, reservoir *r, uint32_t high, size_t want)
{
	char **q = tc_malloc((r->n ? r->n : 1) * sizeof *q);
	size_t n = 0;
	for (size_t i = 0; i < r->n; i++) {
		int all_high = 1;
		for (int k = 0; k < r->c[i].n; k++)
			all_high &= o->g->folded.e[r->c[i].folded[k]].df >= high;
		if (!all_high)
			q[n++] = r->c[i].text;
	}
	size_t k = write_class(o, cls, q, n, want, 1);
	free(q);
	return k;
}

static int by_df_then_key(const void *a, const void *b)
{
	const entry *x = &sort_table->e[*(const uint32_t *)a];
	const entry *y = &sort_table->e[*(const uint32_t *)b];
	if (x->df != y->df)
		return x->df > y->df ? -1 : 1;
	return strcmp(x->key, y->key);
}

/*
 * The units quantity queries use. A one-syllable key stands for itself unless most of
 * its mentions go on with the same syllable ("giao" -> "giao dịch"), in which case the
 * two-syllable key replaces it. Returns the N_UNITS most mentioned, most first.
 */
static size_t choose_units(gen *g, uint32_t *chosen)
{
	table *t = &g->units;
	uint32_t *best2 = tc_calloc(t->n ? t->n : 1, sizeof *best2); /* k1 -> best k2 + 1 */
	for (size_t i = 0; i < t->n; i++) {
		uint32_t k1 = t->e[i].link;
		if (k1 && (best2[k1 - 1] == 0 || t->e[best2[k1 - 1] - 1].df < t->e[i].df))
			best2[k1 - 1] = (uint32_t)i + 1;
	}
	uint32_t *pick = tc_malloc((t->n ? t->n : 1) * sizeof *pick);
	size_t n = 0;
	for (size_t i = 0; i < t->n; i++) {
		if (t->e[i].link)
			continue; /* a two-syllable key: a candidate only through its first syllable */
		uint32_t b = best2[i];
		pick[n++] = b && 2 * (uint64_t)t->e[b - 1].df >= t->e[i].df ? b - 1 : (uint32_t)i;
	}
	sort_table = t;
	qsort(pick, n, sizeof *pick, by_df_then_key);
	if (n > N_UNITS)
		n = N_UNITS;
	memcpy(chosen, pick, n * sizeof *pick);
	free(pick);
	free(best2);
	return n;
}

/*
 * Quantity queries, round-robin over the chosen units: an operator, a value mentioned
 * with that unit somewhere in the corpus, the unit in its most common spelling.
 */
static size_t write_quantities(out *o, size_t want, tc_buf *units_note)
{
	static const char *const ops[N_OPS] = {">", "<", ">=", "<="};
	gen *g = o->g;
	uint32_t u[N_UNITS];
	size_t nu = choose_units(g, u);

	size_t *byunit[N_UNITS] = {0}, nby[N_UNITS] = {0}, capby[N_UNITS] = {0};
	const char *spell[N_UNITS];
	for (size_t i = 0; i < g->nm; i++)
		for (size_t k = 0; k < nu; k++)
			if (g->m[i].unit[0] == u[k] + 1 || g->m[i].unit[1] == u[k] + 1) {
				byunit[k] = tc_grow(byunit[k], &capby[k], nby[k] + 1, sizeof **byunit);
				byunit[k][nby[k]++] = i;
			}
	for (size_t k = 0; k < nu; k++) {
		uint32_t best = 0;
		spell[k] = g->units.e[u[k]].key;
		for (size_t i = 0; i < g->unit_exact.n; i++)
			if (g->unit_exact.e[i].link == u[k] && g->unit_exact.e[i].df > best) {
				best = g->unit_exact.e[i].df;
				spell[k] = g->unit_exact.e[i].key;
			}
		tc_buf_printf(units_note, "%s%s (%u)", k ? ", " : "", spell[k], g->units.e[u[k]].df);
	}
	char **q = tc_malloc((want * 2 + 1) * sizeof *q);
	size_t nq = 0;
	for (size_t r = 0; nu > 0 && r < want * 2; r++) {
		size_t k = r % nu;
		const mention *m = &g->m[byunit[k][rng_below(nby[k])]];
		tc_buf b = {0};
		tc_buf_printf(&b, "%s %s%s%s", ops[rng_below(N_OPS)], m->value,
		              strcmp(spell[k], "%") == 0 ? "" : " ", spell[k]);
		q[nq++] = b.data;
	}
	size_t k = write_class(o, "qty", q, nq, want, 0);
	for (size_t i = 0; i < nq; i++)
		free(q[i]);
	free(q);
	for (size_t i = 0; i < nu; i++)
		free(byunit[i]);
	return k;
}

static size_t write_codes(out *o, size_t want)
{
	size_t n;
	uint32_t *a = band(&o->g->codes, 0, UINT32_MAX, 1, &n);
	char **q = tc_malloc((n ? n : 1) * sizeof *q);
	for (size_t i = 0; i < n; i++)
		q[i] = o->g->codes.e[a[i]].key;
	size_t k = write_class(o, "code", q, n, want, 1);
	free(q);
	free(a);
	return k;
}

static void gen_free(gen *g)
{
	tc_analyzer_free(g->an);
	tc_toklist_free(&g->tl);
	table_free(&g->folded);
	table_free(&g->exact);
	table_free(&g->units);
	table_free(&g->unit_exact);
	table_free(&g->codes);
	for (size_t i = 0; i < g->nm; i++)
		free(g->m[i].value);
	free(g->m);
	reservoir *rs[2] = {&g->phrase, &g->and_};
	for (int k = 0; k < 2; k++) {
		for (size_t i = 0; i < rs[k]->n; i++)
			free(rs[k]->c[i].text);
		free(rs[k]->c);
	}
	tc_buf_free(&g->tmp);
}

static uint32_t max_u32(uint32_t a, uint32_t b)
{
	return a > b ? a : b;
}

static int usage(void)
{
	fprintf(stderr, "usage: gen_queries [-s SEED] [-n PER_CLASS] [-o OUT.tsv] CORPUS...\n");
	return 2;
}

int main(int argc, char **argv)
{
	unsigned long long seed = 7;
	size_t per_class = 300;
	const char *outpath = NULL;
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-s") == 0 && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
			per_class = strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
			outpath = argv[++i];
		else
			return usage();
	}
	if (i == argc || per_class == 0)
		return usage();

	gen g = {0};
	rng_state = seed;
	/* most random picks are all common syllables and get filtered out: sample plenty */
	g.phrase.cap = g.and_.cap = per_class * 12;
	g.phrase.c = tc_calloc(g.phrase.cap, sizeof(cand));
	g.and_.c = tc_calloc(g.and_.cap, sizeof(cand));
	tc_bench_totals tot = {0};
	int rc = tc_analyzer_new(&g.an, &g.err);
	if (rc == 0)
		rc = tc_bench_corpus_each(argv + i, (size_t)(argc - i), on_doc, &g, &tot, &g.err);
	if (rc < 0 || tot.docs == 0) {
		fprintf(stderr, "gen_queries: %s\n", rc < 0 ? g.err.msg : "no documents");
		gen_free(&g);
		return 1;
	}
	best_spellings(&g);

	out o = {.g = &g, .f = outpath ? fopen(outpath, "w") : stdout};
	if (o.f == NULL) {
		fprintf(stderr, "gen_queries: %s: %s\n", outpath, strerror(errno));
		gen_free(&g);
		return 1;
	}
	uint32_t N = (uint32_t)tot.docs;
	uint32_t low_lo = max_u32(3, N / 10000), low_hi = max_u32(5, N / 300);
	uint32_t mid_lo = max_u32(low_hi + 1, N / 200), mid_hi = max_u32(mid_lo, N / 20);
	uint32_t high_lo = max_u32(mid_hi + 1, N / 10);
	fprintf(o.f, "# tracuu bench queries (bench/gen_queries.c): seed %llu, up to %zu per "
	        "class\n# corpus:", seed, per_class);
	for (int k = i; k < argc; k++) {
		const char *base = strrchr(argv[k], '/');
		fprintf(o.f, " %s", base ? base + 1 : argv[k]);
	}
	fprintf(o.f, " (%llu documents)\n# document-frequency bands: low %u-%u, mid %u-%u, "
	        "high >= %u\n", (unsigned long long)tot.docs, low_lo, low_hi, mid_lo, mid_hi,
	        high_lo);

	/* The classes, each written in full before the next; the stream of random numbers
	 * is consumed in this fixed order. */
	tc_buf units_note = {0};
	size_t counts[8];
	counts[0] = write_terms(&o, "term_low", low_lo, low_hi, per_class);
	counts[1] = write_terms(&o, "term_mid", mid_lo, mid_hi, per_class);
	counts[2] = write_terms(&o, "term_high", high_lo, UINT32_MAX, per_class);
	counts[3] = write_sampled(&o, "and", &g.and_, high_lo, per_class);
	counts[4] = write_sampled(&o, "phrase", &g.phrase, high_lo, per_class);
	counts[5] = write_prefixes(&o, mid_lo, mid_hi, per_class);
	counts[6] = write_quantities(&o, per_class, &units_note);
	counts[7] = write_codes(&o, per_class);
	fprintf(o.f, "# units: %s\n", units_note.data ? units_note.data : "none");
	fprintf(stderr, "gen_queries: %llu documents; per class: term_low %zu, term_mid %zu, "
	        "term_high %zu, and %zu, phrase %zu, prefix %zu, qty %zu, code %zu\n",
	        (unsigned long long)tot.docs, counts[0], counts[1], counts[2], counts[3],
	        counts[4], counts[5], counts[6], counts[7]);
	int bad = ferror(o.f);
	if (o.f != stdout)
		bad |= fclose(o.f) != 0;
	else
		bad |= fflush(stdout) != 0;
	table_free(&o.seen);
	tc_buf_free(&o.fold);
	tc_buf_free(&units_note);
	gen_free(&g);
	if (bad) {
		fprintf(stderr, "gen_queries: write error\n");
		return 1;
	}
	return 0;
}
