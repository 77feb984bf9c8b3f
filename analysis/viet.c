/*
 * viet.c — Vietnamese letters, syllable structure and tone placement (see viet.h).
 *
 * A syllable is onset + rhyme. The onsets and rhymes below are the ones Vietnamese
 * spelling allows (written without tone). A word is a syllable when some split of it
 * into a listed onset (possibly empty) and a listed rhyme exists; "gi" and "qu" are tried
 * as onsets before "g" and "q" so that "giữa" is gi+ưa and "gìn" is g+in.
 */
#include "viet.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>

#include "common/utf8.h"

#define LATIN_END 0x250
#define EXT_START 0x1E00
#define EXT_END 0x1F00

/* Per code point: the lower-case letter it stands for. base==0: not in the table. */
static tc_vletter latin_tab[LATIN_END];
static tc_vletter ext_tab[EXT_END - EXT_START];
/* compose_tab[base-'a'][qual][tone] -> precomposed lower-case code point */
static uint32_t compose_tab[26][TC_Q_OTHER][6];

static const char *const rhymes_src[] = {
	"a", "ac", "ach", "ai", "am", "an", "ang", "anh", "ao", "ap", "at", "au", "ay",
	"ăc", "ăm", "ăn", "ăng", "ăp", "ăt",
	"âc", "âm", "ân", "âng", "âp", "ât", "âu", "ây",
	"e", "ec", "em", "en", "eng", "eo", "ep", "et",
	"ê", "êch", "êm", "ên", "ênh", "êp", "êt", "êu",
	"i", "ia", "ich", "im", "in", "inh", "ip", "it", "iu",
	"iêc", "iêm", "iên", "iêng", "iêp", "iêt", "iêu",
	"o", "oa", "oac", "oach", "oai", "oam", "oan", "oang", "oanh", "oao", "oap",
	"oat", "oay", "oăc", "oăm", "oăn", "oăng", "oăp", "oăt", "oc", "oe", "oen",
	"oeo", "oet", "oi", "om", "on", "ong", "ooc", "oong", "op", "ot",
	"ô", "ôc", "ôi", "ôm", "ôn", "ông", "ôp", "ôt",
	"ơ", "ơi", "ơm", "ơn", "ơp", "ơt",
	"u", "ua", "uân", "uâng", "uât", "uây", "uc", "uê", "uêch", "uênh", "ui", "um",
	"un", "ung", "uơ", "uôc", "uôi", "uôm", "uôn", "uông", "uôp", "uôt", "up", "ut",
	"uy", "uya", "uych", "uyên", "uyêt", "uynh", "uyp", "uyt", "uyu",
	"ư", "ưa", "ưc", "ưi", "ưm", "ưn", "ưng", "ưt", "ưu", "ươc", "ươi", "ươm",
	"ươn", "ương", "ươp", "ươt", "ươu",
	"y", "yêm", "yên", "yêng", "yêt", "yêu",
};
#define N_RHYMES (sizeof rhymes_src / sizeof rhymes_src[0])
static const char *rhymes[N_RHYMES];
/* The rhymes without their quality marks ("iên" -> "ien"), sorted, unique: a word typed
   with no diacritics at all is a syllable when some marking of it would be one. */
static char rhymes_bare_buf[N_RHYMES][8];
static const char *rhymes_bare[N_RHYMES];
static size_t n_rhymes_bare;

/* Longest first, so "ngh" is tried before "ng" and "gi" before "g"; "D" is đ. */
static const char *const onsets[] = {
	"ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr",
	"b", "c", "d", "D", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", "",
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void describe(uint32_t cp, tc_vletter *out)
{
	static const UNormalizer2 *nfd;
	UErrorCode st = U_ZERO_ERROR;
	if (nfd == NULL)
		nfd = unorm2_getNFDInstance(&st);
	memset(out, 0, sizeof *out);
	if (!u_isalpha((UChar32)cp))
		return;
	uint32_t lower = (uint32_t)u_tolower((UChar32)cp);
	out->cp = lower;
	if (lower == 0x111) { /* đ has no decomposition */
		out->base = 'd';
		out->qual = TC_Q_STROKE;
		return;
	}
	UChar d[8];
	st = U_ZERO_ERROR;
	int32_t n = unorm2_getDecomposition(nfd, (UChar32)lower, d, 8, &st);
	if (U_FAILURE(st) || n <= 0) {
		d[0] = (UChar)lower;
		n = 1;
	}
	if (d[0] < 'a' || d[0] > 'z')
		return; /* a letter, but not a Latin one with a base we fold to */
	out->base = (char)d[0];
	for (int32_t i = 1; i < n; i++) {
		int q = 0, t = 0;
		switch (d[i]) {
		case 0x0300: t = TC_T_GRAVE; break;
		case 0x0301: t = TC_T_ACUTE; break;
		case 0x0303: t = TC_T_TILDE; break;
		case 0x0309: t = TC_T_HOOK; break;
		case 0x0323: t = TC_T_DOT; break;
		case 0x0302: q = TC_Q_CIRCUMFLEX; break;
		case 0x0306: q = TC_Q_BREVE; break;
		case 0x031B: q = TC_Q_HORN; break;
		default: q = TC_Q_OTHER; break;
		}
		if (q)
			out->qual = (out->qual && out->qual != q) ? TC_Q_OTHER : (uint8_t)q;
		if (t)
			out->tone = (out->tone && out->tone != t) ? 0 : (uint8_t)t;
		if (t && out->qual == TC_Q_OTHER)
			out->tone = 0;
	}
}

static void build_tables(void)
{
	for (uint32_t cp = 0; cp < LATIN_END; cp++)
		describe(cp, &latin_tab[cp]);
	for (uint32_t cp = EXT_START; cp < EXT_END; cp++)
		describe(cp, &ext_tab[cp - EXT_START]);
	for (int pass = 0; pass < 2; pass++) {
		tc_vletter *tab = pass ? ext_tab : latin_tab;
		uint32_t lo = pass ? EXT_START : 0, hi = pass ? EXT_END : LATIN_END;
		for (uint32_t cp = lo; cp < hi; cp++) {
			tc_vletter *l = &tab[cp - lo];
			if (l->base == 0 || l->qual == TC_Q_OTHER || l->cp != cp)
				continue;
			uint32_t *slot = &compose_tab[l->base - 'a'][l->qual][l->tone];
			if (*slot == 0)
				*slot = cp;
		}
	}
	for (size_t i = 0; i < N_RHYMES; i++)
		rhymes[i] = rhymes_src[i];
	qsort(rhymes, N_RHYMES, sizeof rhymes[0], cmp_str);
	for (size_t i = 0; i < N_RHYMES; i++) {
		char *out = rhymes_bare_buf[i];
		size_t n = 0;
		for (const char *p = rhymes_src[i]; *p;) {
			uint32_t cp;
			size_t k = tc_utf8_decode((const unsigned char *)p, strlen(p), &cp);
			tc_vletter l;
			out[n++] = tc_viet_letter(cp, &l) ? l.base : '?';
			p += k;
		}
		out[n] = '\0';
		rhymes_bare[i] = out;
	}
	qsort(rhymes_bare, N_RHYMES, sizeof rhymes_bare[0], cmp_str);
	for (size_t i = 0; i < N_RHYMES; i++)
		if (n_rhymes_bare == 0 || strcmp(rhymes_bare[n_rhymes_bare - 1], rhymes_bare[i]) != 0)
			rhymes_bare[n_rhymes_bare++] = rhymes_bare[i];
}

void tc_viet_init(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, build_tables);
}

bool tc_viet_letter(uint32_t cp, tc_vletter *out)
{
	const tc_vletter *l;
	if (cp < LATIN_END)
		l = &latin_tab[cp];
	else if (cp >= EXT_START && cp < EXT_END)
		l = &ext_tab[cp - EXT_START];
	else
		return false;
	if (l->cp == 0)
		return false;
	*out = *l;
	return true;
}

uint32_t tc_viet_compose(char base, int qual, int tone)
{
	if (base < 'a' || base > 'z' || qual < 0 || qual >= TC_Q_OTHER || tone < 0 || tone > 5)
		return 0;
	return compose_tab[base - 'a'][qual][tone];
}

static bool is_vowel(const tc_vletter *l)
{
	return l->base && strchr("aeiouy", l->base) != NULL && l->qual != TC_Q_STROKE;
}

/*
 * Does onset o (ASCII, 'D' = đ) spell the first letters of l[0..n)? Returns its length,
 * or -1. Most onsets differ from the word in their first letter, so o is read as it is
 * compared rather than measured first.
 */
static int onset_matches(const char *o, const tc_vletter *l, size_t n)
{
	size_t i = 0;
	for (; o[i]; i++) {
		if (i >= n || l[i].tone)
			return -1;
		if (o[i] == 'D') {
			if (l[i].base != 'd' || l[i].qual != TC_Q_STROKE)
				return -1;
		} else if (l[i].base != o[i] || l[i].qual != TC_Q_NONE) {
			return -1;
		}
	}
	return (int)i;
}

static bool rhyme_listed(const tc_vletter *l, size_t n, bool bare)
{
	char s[40];
	size_t len = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t cp = tc_viet_compose(l[i].base, l[i].qual, 0);
		if (cp == 0 || len + 4 >= sizeof s)
			return false;
		len += tc_utf8_encode(cp, s + len);
	}
	s[len] = '\0';
	const char *key = s;
	if (bare)
		return bsearch(&key, rhymes_bare, n_rhymes_bare, sizeof rhymes_bare[0], cmp_str) != NULL;
	return bsearch(&key, rhymes, N_RHYMES, sizeof rhymes[0], cmp_str) != NULL;
}

/* Index (into the rhyme) of the vowel that carries the tone, old style. */
static size_t tone_target(const tc_vletter *r, size_t n)
{
	size_t v[8], nv = 0, marked = SIZE_MAX;
	for (size_t i = 0; i < n && nv < 8; i++) {
		if (!is_vowel(&r[i]))
			continue;
		if (r[i].qual == TC_Q_CIRCUMFLEX || r[i].qual == TC_Q_BREVE || r[i].qual == TC_Q_HORN)
			marked = i;
		v[nv++] = i;
	}
	if (marked != SIZE_MAX)
		return marked;
	bool closed = v[nv - 1] != n - 1;
	if (closed)
		return v[nv - 1];
	if (nv == 3)
		return v[1];
	return v[0];
}

static bool stop_final(const tc_vletter *r, size_t n)
{
	char last = r[n - 1].base;
	if (last == 'p' || last == 't' || last == 'c')
		return true;
	return n >= 2 && last == 'h' && r[n - 2].base == 'c';
}

/*
 * Onsets after which a rhyme of "i" alone is also written "y", the same syllable either
 * way: "kĩ thuật" and "kỹ thuật", "lí do" and "lý do", "bác sĩ" and "bác sỹ", "qui
 * định" and "quy định", "tỉ" and "tỷ", "hi sinh" and "hy sinh". Both spellings are in
 * use (on the news corpus "kì" stands in 1,406 documents, "kỳ" in 11,928; "sĩ" in 7,624,
 * "sỹ" in 1,523), so the syllable is spelt "y" in the exact and folded forms of both,
 * and either finds the other. Other onsets have one spelling ("khi", "thi", "vi", "gì").
 */
static bool i_or_y(const char *onset)
{
	static const char *const with_y[] = {"h", "k", "l", "m", "s", "t", "qu"};
	for (size_t i = 0; i < sizeof with_y / sizeof with_y[0]; i++)
		if (strcmp(onset, with_y[i]) == 0)
			return true;
	return false;
}

bool tc_viet_canonicalize(tc_vletter *l, size_t n)
{
	if (n == 0 || n > 8)
		return false;
	int tone = 0;
	bool bare = true; /* no diacritic at all: typed without them */
	for (size_t i = 0; i < n; i++) {
		if (l[i].base == 0 || l[i].qual == TC_Q_OTHER)
			return false;
		if (l[i].qual || l[i].tone)
			bare = false;
		if (l[i].tone) {
			if (!is_vowel(&l[i]) || (tone && tone != l[i].tone))
				return false;
			tone = l[i].tone;
		}
	}
	for (size_t o = 0; o < sizeof onsets / sizeof onsets[0]; o++) {
		int km = onset_matches(onsets[o], l, n);
		size_t k = (size_t)km;
		if (km < 0 || k == n || !rhyme_listed(l + k, n - k, bare))
			continue;
		tc_vletter *r = l + k;
		size_t m = n - k;
		if (tone && tone != TC_T_ACUTE && tone != TC_T_DOT && stop_final(r, m))
			return false;
		if (m == 1 && r[0].base == 'i' && i_or_y(onsets[o])) {
			r[0].base = 'y';  /* "kĩ" is "kỹ" */
			r[0].cp = tc_viet_compose('y', r[0].qual, r[0].tone);
		}
		size_t target = tone_target(r, m);
		for (size_t i = 0; i < n; i++) {
			if (l[i].tone) {
				l[i].tone = 0;
				l[i].cp = tc_viet_compose(l[i].base, l[i].qual, 0);
			}
		}
		if (tone) {
			r[target].tone = (uint8_t)tone;
			r[target].cp = tc_viet_compose(r[target].base, r[target].qual, tone);
		}
		return true;
	}
	return false;
}

bool tc_viet_is_syllable(const char *s, size_t len)
{
	tc_vletter l[9];
	size_t n = 0;
	tc_viet_init();
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t k = tc_utf8_decode((const unsigned char *)s + i, len - i, &cp);
		if (k == 0 || n == 9 || !tc_viet_letter(cp, &l[n]))
			return false;
		n++;
		i += k;
	}
	return tc_viet_canonicalize(l, n);
}
