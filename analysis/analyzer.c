/*
 * analyzer.c — normalise, segment, fold and stem Vietnamese text (see analyzer.h).
 *
 * The hot path avoids ICU per token: the words are those of ICU's word break iterator
 * (found by wordbreak.c's shortcut when the text allows, else by ICU itself), and each
 * word's letters are looked up in viet.c's table (lower case, base letter, quality and
 * tone mark). Only words with combining marks or letters outside the Latin blocks go
 * through ICU's NFC normaliser and case mapping.
 */
#include "analyzer.h"

#include <stdlib.h>
#include <string.h>
#include <libstemmer.h>
#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utext.h>

#include "common/mem.h"
#include "common/utf8.h"
#include "viet.h"
#include "wordbreak.h"

#define MAX_WORD_CPS 96       /* longer words are skipped: see TC_TOKEN_MAX_BYTES */
#define MAX_STEMMERS 8
#define INVALID_BYTE 0x1A     /* stands in for an invalid byte: a control char, a break */

#define CACHE_SLOTS 16384         /* power of two */
#define CACHE_KV 50               /* key and value bytes in one 64-byte slot */
#define CACHE_LINE 64
#define PREFETCH_WORDS 4          /* words ahead whose cache slot is fetched early */

/*
 * One word in the cache, one cache line: the cache is far bigger than the CPU's
 * caches and each token hits it at random, so a slot must cost one miss, not three.
 * Words whose key and value do not fit (long or unusual ones) are not cached.
 */
typedef struct cache_slot {
	const struct sb_stemmer *sb;  /* the stemmer the result was made with */
	uint8_t klen;                 /* 0: empty slot */
	uint8_t exact_len, folded_len, stem_len;
	uint16_t flags;
	char kv[CACHE_KV];            /* the word's bytes as written, then
	                                 "exact\0folded\0[stem\0]" */
} cache_slot;
_Static_assert(sizeof(cache_slot) == CACHE_LINE, "a cache slot is one cache line");

typedef struct stemmer_slot {
	char lang[24];
	struct sb_stemmer *sb;
} stemmer_slot;

struct tc_analyzer {
	UBreakIterator *brk;          /* word break iterator, reused */
	UText *ut;                    /* UTF-8 text over scratch, reused */
	const UNormalizer2 *nfc, *nfd;
	tc_buf scratch;               /* the input with invalid bytes replaced, same length */
	UChar *u16;                   /* slow path: one word in UTF-16 */
	size_t u16_cap;
	UChar *text16;                /* the scratch text in UTF-16, for the break iterator */
	size_t text16_cap;
	tc_wb wb;                     /* word segments found without ICU */
	stemmer_slot stem[MAX_STEMMERS];
	size_t n_stem;
	cache_slot *cache;            /* CACHE_SLOTS entries, allocated on first use */
	void *cache_mem;              /* what was allocated for them (cache is aligned) */
};

/* One word being analysed: its letters and what we learn while reading them. */
typedef struct word {
	tc_vletter l[MAX_WORD_CPS];
	size_t n;
	int n_upper, n_lower;
	size_t n_digit, n_numpunct, n_other;
	bool latin;                   /* every code point is a letter with a Latin base */
} word;

int tc_analyzer_new(tc_analyzer **out, tc_error *err)
{
	*out = NULL;
	tc_viet_init();
	tc_analyzer *a = tc_calloc(1, sizeof *a);
	UErrorCode st = U_ZERO_ERROR;
	a->nfc = unorm2_getNFCInstance(&st);
	a->nfd = unorm2_getNFDInstance(&st);
	a->brk = ubrk_open(UBRK_WORD, "", NULL, 0, &st);
	if (U_FAILURE(st)) {
		tc_analyzer_free(a);
		return tc_error_set(err, TC_EICU, "analyzer: cannot open ICU word breaker: %s",
		                    u_errorName(st));
	}
	*out = a;
	return TC_OK;
}

void tc_analyzer_free(tc_analyzer *a)
{
	if (a == NULL)
		return;
	if (a->brk)
		ubrk_close(a->brk);
	if (a->ut)
		utext_close(a->ut);
	for (size_t i = 0; i < a->n_stem; i++)
		sb_stemmer_delete(a->stem[i].sb);
	tc_buf_free(&a->scratch);
	free(a->u16);
	free(a->text16);
	tc_wb_free(&a->wb);
	free(a->cache_mem);
	free(a);
}

void tc_toklist_free(tc_toklist *l)
{
	free(l->tok);
	tc_buf_free(&l->text);
	memset(l, 0, sizeof *l);
}

/* The Snowball stemmer for lang, opened once and kept. NULL: unknown language. */
static struct sb_stemmer *stemmer_for(tc_analyzer *a, const char *lang)
{
	if (lang == NULL || lang[0] == '\0' || strcmp(lang, "vi") == 0 ||
	    strcmp(lang, "vie") == 0 || strcmp(lang, "vietnamese") == 0)
		lang = "english";
	for (size_t i = 0; i < a->n_stem; i++)
		if (strcmp(a->stem[i].lang, lang) == 0)
			return a->stem[i].sb;
	if (strlen(lang) >= sizeof a->stem[0].lang)
		return NULL;
	struct sb_stemmer *sb = sb_stemmer_new(lang, "UTF_8");
	if (sb == NULL)
		return NULL;
	if (a->n_stem == MAX_STEMMERS) { /* a document set with many languages: recycle */
		sb_stemmer_delete(a->stem[0].sb);
		if (a->cache) /* a new stemmer may reuse the address the cache keys on */
			memset(a->cache, 0, CACHE_SLOTS * sizeof *a->cache);
		memmove(a->stem, a->stem + 1, sizeof a->stem[0] * (MAX_STEMMERS - 1));
		a->n_stem--;
	}
	stemmer_slot *s = &a->stem[a->n_stem++];
	strcpy(s->lang, lang);
	s->sb = sb;
	return sb;
}

/*
 * Invisible format characters that ICU keeps inside a word: the soft hyphen (law texts
 * carry it inside syllables, "tr\u00ADưởng"), zero-width (non-)joiners, word joiner,
 * BOM. They are dropped from both forms, so "trưởng" finds the word however it was
 * typeset.
 */
static bool is_invisible(UChar32 c)
{
	return c == 0x00AD || c == 0x200C || c == 0x200D || c == 0x2060 || c == 0xFEFF;
}

static bool is_mark(uint32_t cp)
{
	if (cp >= 0x300 && cp < 0x370)
		return true;
	if (cp < 0x370)
		return false;
	int8_t t = u_charType((UChar32)cp);
	return t == U_NON_SPACING_MARK || t == U_ENCLOSING_MARK || t == U_COMBINING_SPACING_MARK;
}

/* Appends the folded form of one code point: lower case, no marks. */
static void fold_cp(tc_analyzer *a, uint32_t cp, tc_buf *out)
{
	char u8[4];
	tc_vletter l;
	if (tc_viet_letter(cp, &l)) {
		if (l.base)
			tc_buf_putc(out, l.base);
		else
			tc_buf_append(out, u8, tc_utf8_encode(l.cp, u8));
		return;
	}
	if (is_mark(cp))
		return;
	uint32_t lower = (uint32_t)u_tolower((UChar32)cp);
	UChar d[16];
	UErrorCode st = U_ZERO_ERROR;
	int32_t n = unorm2_getDecomposition(a->nfd, (UChar32)lower, d, 16, &st);
	if (U_FAILURE(st) || n <= 0) {
		tc_buf_append(out, u8, tc_utf8_encode(lower, u8));
		return;
	}
	for (int32_t i = 0; i < n;) {
		UChar32 c;
		U16_NEXT(d, i, n, c);
		if (!is_mark((uint32_t)c))
			tc_buf_append(out, u8, tc_utf8_encode((uint32_t)c, u8));
	}
}

static void word_add(word *w, uint32_t cp)
{
	if (is_mark(cp))
		return; /* a mark NFC could not compose: stray, dropped */
	if (w->n == MAX_WORD_CPS) {
		w->n++; /* too long: remembered as overflow, the word is skipped */
		return;
	}
	if (w->n > MAX_WORD_CPS)
		return;
	tc_vletter *l = &w->l[w->n++];
	if (tc_viet_letter(cp, l) && l->base) {
		if (l->cp != cp)
			w->n_upper++;
		else
			w->n_lower++;
		return;
	}
	memset(l, 0, sizeof *l);
	w->latin = false;
	if (cp >= '0' && cp <= '9') {
		l->cp = cp;
		w->n_digit++;
	} else if (cp == '.' || cp == ',') {
		l->cp = cp;
		w->n_numpunct++;
	} else {
		l->cp = (uint32_t)u_tolower((UChar32)cp);
		if (u_isupper((UChar32)cp))
			w->n_upper++;
		else if (u_islower((UChar32)cp))
			w->n_lower++;
		w->n_other++;
	}
}

/* Reads src[0..n) into w; NFC-normalises through ICU only when it has to. */
static void word_read(tc_analyzer *a, const char *src, size_t n, word *w)
{
	memset(w, 0, sizeof *w);
	w->latin = true;
	bool simple = true;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k = tc_utf8_decode((const unsigned char *)src + i, n - i, &cp);
		if (k == 0)
			k = 1, cp = 0xFFFD;
		if (is_mark(cp) || (cp >= 0x80 && !tc_viet_letter(cp, &(tc_vletter){0}))) {
			simple = false;
			break;
		}
		i += k;
	}
	if (simple) {
		for (size_t i = 0; i < n;) {
			uint32_t cp;
			i += tc_utf8_decode((const unsigned char *)src + i, n - i, &cp);
			word_add(w, cp);
		}
		return;
	}
	/* Slow path: NFC through ICU, then the same per-letter reading. */
	UErrorCode st = U_ZERO_ERROR;
	int32_t len16 = 0;
	u_strFromUTF8Lenient(NULL, 0, &len16, src, (int32_t)n, &st);
	size_t need = (size_t)len16 * 2 + 8;
	if (need > a->u16_cap) {
		a->u16 = tc_realloc(a->u16, need * sizeof(UChar));
		a->u16_cap = need;
	}
	st = U_ZERO_ERROR;
	/* the preflight may overestimate: take the length of the real conversion */
	u_strFromUTF8Lenient(a->u16, len16 + 1, &len16, src, (int32_t)n, &st);
	UChar *nfc = a->u16 + len16 + 1;
	int32_t cap = (int32_t)(a->u16_cap - (size_t)len16 - 1);
	st = U_ZERO_ERROR;
	int32_t m = unorm2_normalize(a->nfc, a->u16, len16, nfc, cap, &st);
	if (U_FAILURE(st)) { /* cannot grow past 2x for NFC of one word; use as is */
		nfc = a->u16;
		m = len16;
	}
	for (int32_t i = 0; i < m;) {
		UChar32 c;
		U16_NEXT(nfc, i, m, c);
		if (!is_invisible(c))
			word_add(w, (uint32_t)c);
	}
}

static void put_cp(tc_buf *b, uint32_t cp)
{
	char u8[4];
	tc_buf_append(b, u8, tc_utf8_encode(cp, u8));
}

/* Is the gap between two words one or two connectors ("/", "-", "'", "’", "@", ...)? */
static bool is_connector(const char *gap, size_t n)
{
	size_t count = 0;
	for (size_t i = 0; i < n; count++) {
		size_t k = tc_analyzer_cut_len(gap + i, n - i);
		if (k == 0) {
			switch (gap[i]) {
			case '/': case '-': case '.': case '_': case '&': case '+': case ':':
				k = 1;
				break;
			default:
				return false;
			}
		}
		i += k;
	}
	return count <= 2;
}

/* What a word analyses to; the strings sit in the token list's text buffer. */
typedef struct word_result {
	size_t exact, folded, stem;   /* offsets into tc_toklist.text */
	size_t exact_len, folded_len, stem_len;
	uint16_t flags;
} word_result;

/*
 * Analyses the word src[0..n) and appends "exact\0folded\0[stem\0]" to t. Returns false
 * (and appends nothing) when the word leaves nothing searchable or is too long.
 */
static bool analyse_word(tc_analyzer *a, struct sb_stemmer *sb, const char *src, size_t n,
                         tc_buf *t, word_result *r)
{
	word w;
	word_read(a, src, n, &w);
	if (w.n == 0 || w.n > MAX_WORD_CPS)
		return false;
	uint16_t flags = 0;
	if (w.n_digit && w.n_digit + w.n_numpunct == w.n && w.l[0].cp >= '0' && w.l[0].cp <= '9')
		flags |= TC_TOK_NUMBER;
	if (w.latin) {
		flags |= TC_TOK_LATIN;
		if (tc_viet_canonicalize(w.l, w.n))
			flags |= TC_TOK_SYLLABLE;
	}
	if (w.n_upper >= 2 && w.n_lower == 0)
		flags |= TC_TOK_UPPER;

	size_t exact = t->len;
	for (size_t i = 0; i < w.n; i++)
		put_cp(t, w.l[i].cp);
	size_t exact_len = t->len - exact;
	tc_buf_putc(t, '\0');
	size_t folded = t->len;
	for (size_t i = 0; i < w.n; i++) {
		if (w.l[i].base)
			tc_buf_putc(t, w.l[i].base);
		else
			fold_cp(a, w.l[i].cp, t);
	}
	size_t folded_len = t->len - folded;
	tc_buf_putc(t, '\0');
	if (folded_len == 0 || folded_len > TC_TOKEN_MAX_BYTES) {
		t->len = exact; /* nothing searchable (only marks) or not a word: drop it */
		t->data[t->len] = '\0';
		return false;
	}
	if (exact_len != folded_len || memcmp(t->data + exact, t->data + folded, exact_len))
		flags |= TC_TOK_ACCENTED;

	r->stem = r->stem_len = 0;
	if ((flags & (TC_TOK_LATIN | TC_TOK_SYLLABLE)) == TC_TOK_LATIN && sb) {
		const sb_symbol *s = sb_stemmer_stem(sb, (const sb_symbol *)t->data + folded,
		                                     (int)folded_len);
		int sl = sb_stemmer_length(sb);
		if (s && sl > 0) {
			r->stem = t->len;
			tc_buf_append(t, s, (size_t)sl);
			r->stem_len = (size_t)sl;
			tc_buf_putc(t, '\0');
		}
	}
	r->exact = exact;
	r->exact_len = exact_len;
	r->folded = folded;
	r->folded_len = folded_len;
	r->flags = flags;
	return true;
}

static uint32_t hash_bytes(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

/*
 * Words repeat (a few thousand syllables make up most of any Vietnamese text), so the
 * result for a word's exact bytes is kept in a direct-mapped cache: a hit skips decoding,
 * syllable parsing and stemming. Stems depend on the language, so the stemmer is part
 * of the key.
 */
static inline cache_slot *cache_slot_of(tc_analyzer *a, uint32_t h)
{
	return &a->cache[h & (CACHE_SLOTS - 1)];
}

static size_t cache_vlen(size_t exact_len, size_t folded_len, size_t stem_len)
{
	return exact_len + folded_len + 2 + (stem_len ? stem_len + 1 : 0);
}

/* h: hash_bytes(src, n) */
static bool cache_lookup(tc_analyzer *a, struct sb_stemmer *sb, const char *src, size_t n,
                         uint32_t h, tc_buf *t, word_result *r)
{
	if (a->cache == NULL || n >= CACHE_KV)
		return false;
	const cache_slot *c = cache_slot_of(a, h);
	if (c->klen != n || c->sb != sb)
		return false;
	for (size_t i = 0; i < n; i++) /* a few bytes: a loop beats a call to memcmp */
		if (c->kv[i] != src[i])
			return false;
	size_t base = t->len;
	tc_buf_append(t, c->kv + n, cache_vlen(c->exact_len, c->folded_len, c->stem_len));
	r->exact = base;
	r->exact_len = c->exact_len;
	r->folded = base + c->exact_len + 1;
	r->folded_len = c->folded_len;
	r->stem = c->stem_len ? r->folded + c->folded_len + 1 : 0;
	r->stem_len = c->stem_len;
	r->flags = c->flags;
	return true;
}

static void cache_store(tc_analyzer *a, struct sb_stemmer *sb, const char *src, size_t n,
                        uint32_t h, const tc_buf *t, const word_result *r)
{
	size_t vlen = cache_vlen(r->exact_len, r->folded_len, r->stem_len);
	if (n == 0 || n + vlen > CACHE_KV)
		return;
	if (a->cache == NULL) {
		size_t bytes = CACHE_SLOTS * sizeof(cache_slot);
		a->cache_mem = tc_calloc(1, bytes + CACHE_LINE);
		uintptr_t p = (uintptr_t)a->cache_mem;
		a->cache = (cache_slot *)((p + CACHE_LINE - 1) & ~(uintptr_t)(CACHE_LINE - 1));
	}
	cache_slot *c = cache_slot_of(a, h);
	c->sb = sb;
	c->klen = (uint8_t)n;
	memcpy(c->kv, src, n);
	memcpy(c->kv + n, t->data + r->exact, vlen);
	c->exact_len = (uint8_t)r->exact_len;
	c->folded_len = (uint8_t)r->folded_len;
	c->stem_len = (uint8_t)r->stem_len;
	c->flags = r->flags;
}

/*
 * Analyses one word [start, end) of the scratch text (h: hash_bytes of it) and appends
 * its token.
 */
static void emit_word(tc_analyzer *a, struct sb_stemmer *sb, size_t start, size_t end,
                      uint32_t h, bool joined, tc_toklist *out)
{
	const char *src = a->scratch.data + start;
	size_t n = end - start;
	word_result r;
	if (!cache_lookup(a, sb, src, n, h, &out->text, &r)) {
		if (!analyse_word(a, sb, src, n, &out->text, &r))
			return;
		cache_store(a, sb, src, n, h, &out->text, &r);
	}
	if (out->n == out->cap)
		out->tok = tc_grow(out->tok, &out->cap, out->n + 1, sizeof *out->tok);
	tc_token *k = &out->tok[out->n];
	k->pos = (uint32_t)out->n;
	k->start = (uint32_t)start;
	k->end = (uint32_t)end;
	k->exact = (uint32_t)r.exact;
	k->exact_len = (uint16_t)r.exact_len;
	k->folded = (uint32_t)r.folded;
	k->folded_len = (uint16_t)r.folded_len;
	k->stem = (uint32_t)r.stem;
	k->stem_len = (uint16_t)r.stem_len;
	k->flags = (uint16_t)(r.flags | (joined ? TC_TOK_JOINED : 0));
	out->n++;
}

/* Emits [part, end) as a word, joined to the last token if only a connector is between. */
static void emit_part(tc_analyzer *a, struct sb_stemmer *sb, size_t part, size_t end,
                      uint32_t h, size_t *last_end, tc_toklist *out)
{
	const char *txt = a->scratch.data;
	bool joined = out->n > 0 && *last_end <= part &&
	              is_connector(txt + *last_end, part - *last_end);
	size_t before = out->n;
	emit_word(a, sb, part, end, h, joined, out);
	if (out->n > before)
		*last_end = end;
}

static bool is_digit_at(const char *s, size_t i, size_t lo, size_t hi)
{
	return i >= lo && i < hi && s[i] >= '0' && s[i] <= '9';
}

/*
 * Bytes of the character at txt[i] (inside the word [s, e)) where the word splits into
 * joined parts, else 0. ICU keeps "TP.HCM", "U.S" and "10:30" together; we split at '.'
 * and ':' unless both neighbours are digits ("276.938.860", "1.200" stay whole). ICU also
 * keeps words across apostrophes ("H'Mông", "Vietnam’s", "O’Neil") and '@'
 * ("abc@gmail.com"); we split there, so that the straight and the curly apostrophe find
 * the same documents and "Mông" or "Vietnam" find those words.
 */
static size_t cut_at(const char *txt, size_t i, size_t s, size_t e)
{
	if (txt[i] == '.')
		return is_digit_at(txt, i - 1, s, e) && is_digit_at(txt, i + 1, s, e) ? 0 : 1;
	if (txt[i] == ':')
		return 1;
	return tc_analyzer_cut_len(txt + i, e - i);
}

static void emit_segment(tc_analyzer *a, struct sb_stemmer *sb, size_t s, size_t e,
                         size_t *last_end, tc_toklist *out)
{
	const char *txt = a->scratch.data;
	size_t part = s;
	for (size_t i = s; i <= e;) {
		size_t cut = i == e ? 1 : cut_at(txt, i, s, e);
		if (cut == 0) {
			i++;
			continue;
		}
		if (i > part)
			emit_part(a, sb, part, i, hash_bytes(txt + part, i - part), last_end, out);
		i += cut;
		part = i;
	}
}

static int find_words(tc_analyzer *a, struct sb_stemmer *sb, size_t len, tc_toklist *out,
                      tc_error *err);

/*
 * Emits the words of the segments the shortcut found. A segment of letters and digits
 * only has no '.' or ':' to cut at: it is one word. Each word's cache slot is fetched
 * PREFETCH_WORDS segments ahead, with the hash that its lookup then uses.
 */
static void emit_segments(tc_analyzer *a, struct sb_stemmer *sb, tc_toklist *out)
{
	const uint32_t *seg = a->wb.seg;
	size_t nseg = a->wb.nseg;
	uint32_t hash[2 * PREFETCH_WORDS];  /* of segment f at f % (2 * PREFETCH_WORDS) */
	for (size_t f = 0; f < PREFETCH_WORDS && f < nseg; f++)
		hash[f] = hash_bytes(a->scratch.data + seg[3 * f], seg[3 * f + 1] - seg[3 * f]);
	size_t last_end = 0;
	for (size_t k = 0; k < nseg; k++) {
		size_t f = k + PREFETCH_WORDS;
		if (f < nseg) {
			uint32_t h = hash_bytes(a->scratch.data + seg[3 * f], seg[3 * f + 1] - seg[3 * f]);
			hash[f % (2 * PREFETCH_WORDS)] = h;
#if defined(__GNUC__)
			if (a->cache)
				__builtin_prefetch(cache_slot_of(a, h));
#endif
		}
		if (seg[3 * k + 2] & TC_WB_PLAIN)
			emit_part(a, sb, seg[3 * k], seg[3 * k + 1], hash[k % (2 * PREFETCH_WORDS)],
			          &last_end, out);
		else
			emit_segment(a, sb, seg[3 * k], seg[3 * k + 1], &last_end, out);
	}
}

/*
 * Makes the scratch text fit for the word breakers: NUL becomes a space, and each invalid
 * byte a control character (counted in out), so the offsets stay those of the input.
 * Returns true.
 */
static bool repair(tc_analyzer *a, size_t len, tc_toklist *out)
{
	unsigned char *p = (unsigned char *)a->scratch.data;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t k = p[i] < 0x80 ? 1 : tc_utf8_decode(p + i, len - i, &cp);
		if (p[i] == 0)
			p[i] = ' ';
		if (k == 0) {
			p[i] = INVALID_BYTE;
			out->invalid_utf8++;
			k = 1;
		}
		i += k;
	}
	return true;
}

int tc_analyze(tc_analyzer *a, const char *text, size_t len, const char *lang,
               tc_toklist *out, tc_error *err)
{
	out->n = 0;
	out->invalid_utf8 = 0;
	tc_buf_clear(&out->text);
	tc_buf_reserve(&out->text, 0);
	struct sb_stemmer *sb = stemmer_for(a, lang);
	TC_RETURN_IF(sb == NULL, err, TC_EINVAL, "analyze: unknown language \"%s\"", lang);
	TC_RETURN_IF(len > UINT32_MAX - 1, err, TC_ELIMIT,
	             "analyze: text of %zu bytes is over the 4 GiB limit", len);
	if (len == 0)
		return TC_OK;

	tc_buf_clear(&a->scratch);
	tc_buf_append(&a->scratch, text, len);
	/* the shortcut also checks the text: if it declines, repair it and ask again */
	if (tc_wb_words(&a->wb, a->scratch.data, len) ||
	    (repair(a, len, out) && tc_wb_words(&a->wb, a->scratch.data, len))) {
		emit_segments(a, sb, out);
		return TC_OK;
	}
	return find_words(a, sb, len, out, err);
}

/*
 * Byte offset in the scratch text of UTF-16 offset u16, walking forward from the
 * position *at16 / *at8 (break positions only grow). The text is well-formed UTF-8:
 * four-byte sequences are the ones that take two UTF-16 units.
 */
static size_t byte_offset(const unsigned char *p, int32_t u16, int32_t *at16, size_t *at8)
{
	while (*at16 < u16) {
		unsigned char c = p[*at8];
		size_t k = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
		*at8 += k;
		*at16 += k == 4 ? 2 : 1;
	}
	return *at8;
}

/*
 * Runs the word break iterator over the scratch text and emits the words. ICU walks
 * UTF-16 much faster than a UTF-8 UText, which maps every chunk of 32 units back and
 * forth; so the text is converted once and the breaks mapped back to byte offsets. Text
 * that ICU would not convert as is (it substitutes what it finds ill-formed) goes
 * through the UTF-8 UText, which sees exactly the bytes given.
 */
static int find_words(tc_analyzer *a, struct sb_stemmer *sb, size_t len, tc_toklist *out,
                      tc_error *err)
{
	UErrorCode st = U_ZERO_ERROR;
	int use16 = 0;
	if (len < (size_t)INT32_MAX / 2) {
		if (len + 1 > a->text16_cap) {
			a->text16_cap = len + 1;
			a->text16 = tc_realloc(a->text16, a->text16_cap * sizeof(UChar));
		}
		int32_t n16 = 0, nsub = 0;
		u_strFromUTF8WithSub(a->text16, (int32_t)a->text16_cap, &n16, a->scratch.data,
		                     (int32_t)len, 0xFFFD, &nsub, &st);
		if (U_SUCCESS(st) && nsub == 0) {
			ubrk_setText(a->brk, a->text16, n16, &st);
			use16 = 1;
		}
		st = U_ZERO_ERROR;
	}
	if (!use16) {
		a->ut = utext_openUTF8(a->ut, a->scratch.data, (int64_t)len, &st);
		ubrk_setUText(a->brk, a->ut, &st);
	}
	TC_RETURN_IF(U_FAILURE(st), err, TC_EICU, "analyze: ICU word breaker failed: %s",
	             u_errorName(st));
	const unsigned char *p = (const unsigned char *)a->scratch.data;
	int32_t at16 = 0;
	size_t at8 = 0;
	size_t last_end = 0;
	size_t prev = (size_t)ubrk_first(a->brk);
	for (int32_t next = ubrk_next(a->brk); next != UBRK_DONE; next = ubrk_next(a->brk)) {
		size_t next8 = use16 ? byte_offset(p, next, &at16, &at8) : (size_t)next;
		if (ubrk_getRuleStatus(a->brk) >= UBRK_WORD_NONE_LIMIT)
			emit_segment(a, sb, prev, next8, &last_end, out);
		prev = next8;
	}
	return TC_OK;
}

void tc_analyzer_fold_text(tc_analyzer *a, const char *text, size_t len, tc_buf *out)
{
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t k = tc_utf8_decode((const unsigned char *)text + i, len - i, &cp);
		if (k == 0) {
			i++;
			continue;
		}
		fold_cp(a, cp, out);
		i += k;
	}
	tc_buf_reserve(out, 0);
}
