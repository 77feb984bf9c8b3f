/* snippet.c — passages with the matches marked (see snippet.h). */
#include "snippet.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/quantity.h"
#include "analysis/viet.h"
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
	char *syllables;          /* the first syllables of the comparisons' units */
	size_t nsyll;
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
	if (strcmp(n->units[0], TC_QTY_KEY_NONE) == 0)
		return q->n_units == 0 ? q->end : 0;
	for (unsigned u = 0; u < q->n_units; u++) {
		size_t k = 0;
		while (k < n->nunits && strcmp(tc_qty_unit(ql, q, u), n->units[k]) != 0)
			k++;
		if (k == n->nunits)
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

/*
 * Only the pieces of the text that can hold a match are analysed.
 *
 * The analyser is most of a snippet's cost, and the matches sit in a few places of a
 * long body. A word always ends before a line feed and before an ASCII letter or digit
 * that follows a space: no rule of ICU's word breaks (UAX #29 WB3a/b, WB5-WB13; followed
 * by wordbreak.c) joins a line feed, or a space, to what comes after it. Cut there, a
 * piece of the text has exactly the tokens the whole text has in it, at the same offsets
 * from the piece's start. The text is cut into pieces of about PIECE bytes, and a piece
 * is analysed only when, for some query key, its bytes can spell a token whose folded
 * form starts with that key. That test never misses a match: folding turns each ASCII
 * byte of a word into itself in lower case, each letter of the Latin blocks into its
 * base letter (tc_viet_letter(): "Ế" into "e", "đ" into "d"; NFC composes a letter and
 * its marks into one with the same base) and each other character into at most one
 * character or into nothing (a mark, a soft hyphen). So a key of ASCII characters is
 * spelt by ASCII bytes and Latin letters whose base letters are its characters, among
 * which other characters may stand, each for one character of the key or for none. A
 * shift-and automaton over the keys' characters (bit i of a key: its first i are spelt)
 * reads the text once for all keys that fit in 64 bits.
 *
 * A phrase may run from one piece kept into the next, but not across a token that is no
 * word of it: with exact phrases, two pieces kept are analysed apart only when a piece
 * between them surely holds a token, i.e. starts at a cut with a non-space run of at
 * most SURE_WORD bytes (a word, too short to be skipped as overlong); else together
 * with what lies between. Stems and keys beyond ASCII (or longer than KEY_MAX) are not
 * filtered: the whole text is analysed.
 *
 * A mention that satisfies a comparison with a unit has the unit's syllables right after
 * its number (or glued to it, "12km"), so the pieces that spell the unit's first syllable
 * are kept with QTY_BEFORE pieces before them (the number, its scale words and what the
 * extractor looks at before a number) and QTY_AFTER after (the unit's other syllables);
 * a percentage spells "%" or "phần trăm". Each part is then extracted on its own (its
 * tokens are the whole text's there). Dates and numbers with no unit spell nothing to
 * look for: with those the whole text is analysed.
 */
#define KEY_MAX 62
/* On news (bodies of ~3 KB), pieces of 256 bytes took a snippet from 50 to 35 us, of 16
   bytes to 25 us; 8 or fewer cost more in calls of the analyser than they save. */
#define PIECE 16
#define SURE_WORD 32
/* Pieces analysed around one that spells a unit: before it, for its number, scale words
   and qualifier ("hơn 2,39 nghìn tỷ", "hai mươi lăm nghìn": pieces are 16 bytes or more);
   after it, for the rest of a unit of up to three syllables. On news, 8, 4 and 3 pieces
   before gave the snippets of the whole text for the bench's 300 comparisons; with 3 a
   results page of them takes 0.81 ms instead of 1.16. */
#define QTY_BEFORE 3
#define QTY_AFTER 2

typedef struct span8 {
	size_t start, end;       /* bytes of the text */
} span8;

/* Appends key[0..len) to keys; 0 when it cannot be filtered (not ASCII lower case). */
static int add_key(const char *key, size_t len, const char ***keys, size_t *n, size_t *cap)
{
	if (len == 0 || len > KEY_MAX)
		return 0;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)key[i] >= 0x80 || (key[i] >= 'A' && key[i] <= 'Z'))
			return 0;
	*keys = tc_grow(*keys, cap, *n + 1, sizeof **keys);
	(*keys)[(*n)++] = key;
	return 1;
}

static int add_word_key(const tc_qword *w, const char ***keys, size_t *n, size_t *cap)
{
	return w->kind == 'f' && add_key(w->key, strlen(w->key), keys, n, cap);
}

/*
 * The keys a mention satisfying comparison q spells after its number: the first
 * syllable of each of its unit keys ("giao" of "giao dich"; glued units such as "100km"
 * spell it too), or for a percentage "%" and "phan" ("phần trăm"). 0 when the mention
 * need not spell one: dates, numbers with no unit.
 */
static int add_qty_keys(matcher *m, const tc_qnode *q, const char ***keys, size_t *n,
                        size_t *cap)
{
	if (q->qkind == TC_QTY_PERCENT)
		return add_key("%", 1, keys, n, cap) && add_key("phan", 4, keys, n, cap);
	if (q->qkind != TC_QTY_NUMBER || q->units[0][0] == '@')
		return 0;
	for (size_t u = 0; u < q->nunits; u++) {
		size_t len = strcspn(q->units[u], " ");
		if (len > KEY_MAX)
			return 0;
		char *first = m->syllables + m->nsyll;  /* with its NUL */
		memcpy(first, q->units[u], len);
		first[len] = '\0';
		m->nsyll += len + 1;
		if (!add_key(first, len, keys, n, cap))
			return 0;
	}
	return 1;
}

/*
 * The keys every match starts with (words, prefixes, the words of phrases) in *keys, and
 * those of the comparisons' units in *qkeys; 0 when some match cannot be told from the
 * bytes.
 */
static int filter_keys(matcher *m, const char ***keys, size_t *n, const char ***qkeys,
                       size_t *nq)
{
	size_t cap = 0, qcap = 0;
	*n = *nq = 0;
	if (m->nqty)
		m->syllables = tc_malloc(m->nqty * TC_QN_MAX_UNITS * (KEY_MAX + 1));
	for (size_t i = 0; i < m->nqty; i++)
		if (!add_qty_keys(m, m->qty[i], qkeys, nq, &qcap))
			return 0;
	for (size_t i = 0; i < m->nwords; i++)
		if (!add_word_key(m->words[i], keys, n, &cap))
			return 0;
	for (size_t i = 0; i < m->nprefixes; i++)
		if (!add_word_key(&m->prefixes[i]->words[0], keys, n, &cap))
			return 0;
	for (size_t i = 0; i < m->nphrases; i++)
		for (size_t k = 0; k < m->phrases[i]->nwords; k++)
			if (!add_word_key(&m->phrases[i]->words[k], keys, n, &cap))
				return 0;
	return 1;
}

static int is_alnum_ascii(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Cuts text[0..len) into pieces (see above); their number. Line feeds lie between them. */
static size_t cut_pieces(const char *text, size_t len, span8 **out)
{
	size_t n = 0, cap = 0;
	*out = NULL;
	for (size_t s = 0; s <= len;) {
		const char *nl = memchr(text + s, '\n', len - s);
		size_t lend = nl ? (size_t)(nl - text) : len;
		size_t ps = s;
		for (size_t j = ps + PIECE; j < lend;) {  /* a cut at j needs a space at j - 1 */
			const char *sp = memchr(text + j - 1, ' ', lend - (j - 1));
			if (sp == NULL)
				break;
			j = (size_t)(sp - text) + 1;
			if (j < lend && is_alnum_ascii(text[j])) {
				*out = tc_grow(*out, &cap, n + 1, sizeof **out);
				(*out)[n++] = (span8){ps, j};
				ps = j;
				j = ps + PIECE;
			} else {
				j++;
			}
		}
		*out = tc_grow(*out, &cap, n + 1, sizeof **out);
		(*out)[n++] = (span8){ps, lend};
		s = lend + 1;
	}
	return n;
}

/* Base letters of the Latin blocks tc_viet_letter() covers, 0 for other characters. */
#define LATIN_END 0x250u
#define EXT_START 0x1E00u
#define EXT_END 0x1F00u
static char latin_base[LATIN_END + (EXT_END - EXT_START)];
static pthread_once_t latin_once = PTHREAD_ONCE_INIT;

static void latin_build(void)
{
	tc_viet_init();
	for (uint32_t i = 0; i < sizeof latin_base; i++) {
		uint32_t cp = i < LATIN_END ? i : EXT_START + (i - LATIN_END);
		tc_vletter l;
		latin_base[i] = tc_viet_letter(cp, &l) ? l.base : 0;
	}
}

/*
 * The base letter of the character at s[0..n) when it is a Latin letter (two bytes below
 * U+0250 or three from U+1E00 to U+1EFF, where the Vietnamese letters are), else 0; *k
 * gets the character's bytes (a lead byte and the continuation bytes after it).
 */
static inline char latin_at(const unsigned char *s, size_t n, size_t *k)
{
	unsigned char c = s[0];
	if (c >= 0xC2 && c <= 0xDF && n >= 2 && (s[1] & 0xC0) == 0x80) {
		uint32_t cp = (uint32_t)(c & 0x1F) << 6 | (s[1] & 0x3F);
		*k = 2;
		return cp < LATIN_END ? latin_base[cp] : 0;
	}
	if (c == 0xE1 && n >= 3 && s[1] >= 0xB8 && s[1] <= 0xBB && (s[2] & 0xC0) == 0x80) {
		*k = 3;  /* U+1E00 .. U+1EFF */
		return latin_base[LATIN_END + ((uint32_t)(s[1] - 0xB8) << 6 | (s[2] & 0x3F))];
	}
	size_t i = 1;
	while (i < n && i < 4 && (s[i] & 0xC0) == 0x80)
		i++;
	*k = i;
	return 0;
}

/*
 * The automaton of some keys side by side in one word: key k takes bits off_k ..
 * off_k + len_k, the last its "spelt" bit. Shifting the spelt bit of one key moves it
 * onto the start bit of the next, which is always set anyway.
 */
typedef struct keyset {
	uint64_t mask[128];      /* bits of the key characters equal to a byte, either case */
	uint64_t start, done;    /* the first and the last bit of every key */
} keyset;

/* Adds key to ks when it fits (at bit *used); 0 when it does not. */
static int keyset_add(keyset *ks, unsigned *used, const char *key)
{
	size_t klen = strlen(key);
	if (*used + klen + 1 > 64)
		return 0;
	for (size_t i = 0; i < klen; i++) {
		unsigned char c = (unsigned char)key[i];
		uint64_t bit = (uint64_t)1 << (*used + i);
		ks->mask[c] |= bit;
		if (c >= 'a' && c <= 'z')
			ks->mask[c - 'a' + 'A'] |= bit;
	}
	ks->start |= (uint64_t)1 << *used;
	ks->done |= (uint64_t)1 << (*used + klen);
	*used += (unsigned)klen + 1;
	return 1;
}

/* Does piece p surely hold a token (see above)? */
static int sure_token(const char *text, span8 p)
{
	if (p.start == 0 || text[p.start - 1] != ' ' || !is_alnum_ascii(text[p.start]))
		return 0;
	size_t j = p.start;
	while (j < p.end && text[j] != ' ' && j - p.start <= SURE_WORD)
		j++;
	return j - p.start <= SURE_WORD;
}

/* Sets keep[i] for each piece i of text whose bytes can spell a key of ks (see above). */
static void mark_pieces(const keyset *ks, const char *text, const span8 *piece,
                        size_t npieces, unsigned char *keep)
{
	const unsigned char *s = (const unsigned char *)text;
	for (size_t p = 0; p < npieces; p++) {
		if (keep[p])
			continue;
		uint64_t st = 0;
		size_t end = piece[p].end;
		for (size_t j = piece[p].start; j < end && !(st & ks->done);) {
			uint64_t t = st | ks->start;  /* a token may start here */
			unsigned char c = s[j];
			if (c < 0x80) {
				st = (t & ks->mask[c]) << 1;
				j++;
				continue;
			}
			size_t k;
			char base = latin_at(s + j, end - j, &k);
			if (base)
				st = (t & ks->mask[(unsigned char)base]) << 1;
			else  /* any other character (or a stray byte): a key char or none */
				st = t | t << 1;
			j += k;
		}
		if (st & ks->done)
			keep[p] = 1;
	}
}

/* Sets keep[i] for each piece i whose bytes can spell one of keys[0..nkeys). */
static void mark_keys(const char **keys, size_t nkeys, const char *text, const span8 *piece,
                      size_t npieces, unsigned char *keep)
{
	for (size_t k = 0; k < nkeys;) {  /* as many keys a pass as fit in 64 bits */
		keyset ks = {0};
		unsigned used = 0;
		while (k < nkeys && keyset_add(&ks, &used, keys[k]))
			k++;
		mark_pieces(&ks, text, piece, npieces, keep);
	}
}

/*
 * The parts of text[0..len) to analyse, ascending, in *out: the pieces that can hold a
 * match, neighbours merged (with exact phrases, also over pieces between that may hold
 * no token). The whole text when it cannot be filtered; nothing when nothing can match.
 */
static size_t parts_to_analyse(matcher *m, const char *text, size_t len, span8 **out)
{
	const char **keys = NULL, **qkeys = NULL;
	size_t nkeys, nqkeys;
	int filtered = filter_keys(m, &keys, &nkeys, &qkeys, &nqkeys);
	if (!filtered) {
		free(keys);
		free(qkeys);
		*out = tc_malloc(sizeof **out);
		(*out)[0] = (span8){0, len};
		return 1;
	}
	*out = NULL;
	if (nkeys + nqkeys == 0) {  /* nothing to mark (only exclusions) */
		free(keys);
		free(qkeys);
		return 0;
	}
	pthread_once(&latin_once, latin_build);
	span8 *piece;
	size_t npieces = cut_pieces(text, len, &piece);
	unsigned char *keep = tc_calloc(2 * npieces, 1), *unit = keep + npieces;
	mark_keys(keys, nkeys, text, piece, npieces, keep);
	mark_keys(qkeys, nqkeys, text, piece, npieces, unit);
	free(keys);
	free(qkeys);
	for (size_t p = 0; p < npieces; p++) {  /* a unit's number, and its other syllables */
		if (!unit[p])
			continue;
		size_t from = p > QTY_BEFORE ? p - QTY_BEFORE : 0;
		for (size_t q = from; q <= p + QTY_AFTER && q < npieces; q++)
			keep[q] = 1;
	}
	size_t n = 0, last = 0;
	for (size_t p = 0; p < npieces; p++) {
		if (!keep[p])
			continue;
		int apart = n == 0;
		if (!apart && (*out)[n - 1].end + 1 < piece[p].start) {  /* pieces lie between */
			apart = !m->nphrases;  /* a phrase runs on unless one of them holds a token */
			for (size_t g = last + 1; !apart && g < p; g++)
				apart = sure_token(text, piece[g]);
		}
		if (!apart)
			(*out)[n - 1].end = piece[p].end;
		else {  /* at most one part per piece */
			if (n == 0)
				*out = tc_malloc(npieces * sizeof **out);
			(*out)[n++] = piece[p];
		}
		last = p;
	}
	free(keep);
	free(piece);
	return n;
}

/* Adds the marks of the tokens of tl, which start at byte base of the text. */
static void token_hits(const matcher *m, const tc_toklist *tl, size_t base, int strict,
                       hit **h, size_t *nh, size_t *hcap)
{
	for (size_t i = 0; i < tl->n; i++) {
		uint32_t s = (uint32_t)(base + tl->tok[i].start);
		size_t what = token_match(m, tl, &tl->tok[i], strict);
		if (what)
			add_hit(h, nh, hcap, s, (uint32_t)(base + tl->tok[i].end), what);
		for (size_t k = 0; k < m->nphrases; k++) {
			size_t n = phrase_at(m->phrases[k], tl, i, strict);
			if (n)
				add_hit(h, nh, hcap, s, (uint32_t)(base + tl->tok[i + n - 1].end),
				        m->nwords + m->nprefixes + m->nqty + k + 1);
		}
	}
}

/* Marks the mentions of part[0..len), at byte base of the text, that satisfy a
   comparison; tl holds the part's tokens. */
static int qty_hits(const matcher *m, const char *part, size_t len, size_t base,
                    const tc_toklist *tl, tc_qlist *ql, hit **h, size_t *nh, size_t *hcap,
                    tc_error *err)
{
	TC_FORWARD(tc_quantity_extract(part, len, tl, NULL, ql, err));
	for (size_t i = 0; i < ql->n; i++)
		for (size_t k = 0; k < m->nqty; k++) {
			uint32_t end = qty_match_end(m->qty[k], ql, &ql->q[i], tl);
			if (end)
				add_hit(h, nh, hcap, (uint32_t)(base + ql->q[i].start),
				        (uint32_t)(base + end), m->nwords + m->nprefixes + k + 1);
		}
	return TC_OK;
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
	span8 *parts;
	size_t nparts = parts_to_analyse(&m, text, len, &parts);
	/* with nothing to analyse, still refuse a language the analyser does not know */
	int rc = nparts ? TC_OK : tc_analyze(a, text, 0, lang, &tl, err);
	for (size_t i = 0; rc == TC_OK && i < nparts; i++) {
		const char *part = text + parts[i].start;
		size_t plen = parts[i].end - parts[i].start;
		rc = tc_analyze(a, part, plen, lang, &tl, err);
		if (rc == TC_OK)
			token_hits(&m, &tl, parts[i].start, strict, &h, &nh, &hcap);
		if (rc == TC_OK && m.nqty)
			rc = qty_hits(&m, part, plen, parts[i].start, &tl, &ql, &h, &nh, &hcap, err);
	}
	free(parts);
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
	free(m.syllables);
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
