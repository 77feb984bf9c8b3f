/*
 * wordbreak.c — ICU's word segments without ICU, for the common case (see wordbreak.h).
 *
 * ICU 72's root word rules (RuleBasedBreakIterator::getRules() of the word instance)
 * differ from UAX #29 in two ways that matter here: '@' is added to ALetter, and ':'
 * (with U+FE55, U+FF1A) is taken out of MidLetter. Segments that ICU tags with a word
 * status are exactly those that start with a letter (ALetterPlus) or a digit (Numeric):
 * every other segment is a lone character, a run of spaces or CR LF, all status 0.
 * Within the covered classes the rules are pairwise, with one character of context on
 * each side:
 *
 *   WB3   CR x LF               WB3a/b  break after and before CR, LF, Newline
 *   WB3d  WSegSpace x WSegSpace
 *   WB5   AL x AL               WB8-10  (AL | NU) x (AL | NU)
 *   WB6   AL x (ML | MNLQ) AL   WB7     AL (ML | MNLQ) x AL
 *   WB11  NU (MN | MNLQ) x NU   WB12    NU x (MN | MNLQ) NU
 *   WB999 break everywhere else
 *
 * where MNLQ is MidNumLet or Single_Quote. Characters that bring the other rules into
 * play (Extend, Format, ZWJ, Katakana, Hebrew letters, ExtendNumLet, regional
 * indicators, the dictionary scripts and ideographs) and everything from U+3000 on are
 * not covered: tc_wb_words() declines text that holds one.
 */
#include "wordbreak.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/uscript.h>

#include "analyzer.h"
#include "common/mem.h"
#include "common/utf8.h"

enum { C_OTHER, C_AL, C_NU, C_ML, C_MN, C_MNLQ, C_WS, C_CR, C_LF, C_NL, C_NO };

#define TABLE_END 0x3000

static uint8_t cls_tab[TABLE_END];
static bool enabled;

static uint8_t class_of(UChar32 c)
{
	if (c == '@')
		return C_AL;
	if (c == ':')
		return C_OTHER;
	UErrorCode st = U_ZERO_ERROR;
	UScriptCode sc = uscript_getScript(c, &st);
	if (U_FAILURE(st) || sc == USCRIPT_HAN || sc == USCRIPT_HIRAGANA ||
	    sc == USCRIPT_KATAKANA || sc == USCRIPT_HANGUL ||
	    u_hasBinaryProperty(c, UCHAR_IDEOGRAPHIC) ||
	    u_getIntPropertyValue(c, UCHAR_LINE_BREAK) == U_LB_COMPLEX_CONTEXT)
		return C_NO;
	switch (u_getIntPropertyValue(c, UCHAR_WORD_BREAK)) {
	case U_WB_OTHER:
	case U_WB_DOUBLE_QUOTE:   /* only the Hebrew rules use it */
		return C_OTHER;
	case U_WB_ALETTER: return C_AL;
	case U_WB_NUMERIC: return C_NU;
	case U_WB_MIDLETTER: return C_ML;
	case U_WB_MIDNUM: return C_MN;
	case U_WB_MIDNUMLET:
	case U_WB_SINGLE_QUOTE: return C_MNLQ;
	case U_WB_WSEGSPACE: return C_WS;
	case U_WB_CR: return C_CR;
	case U_WB_LF: return C_LF;
	case U_WB_NEWLINE: return C_NL;
	default: return C_NO;
	}
}

/* The class of the code point at p[0..n) (n > 0), its length in *k; C_NO when the text
 * is not valid UTF-8 there or the character is not covered. */
static inline uint8_t class_at(const unsigned char *p, size_t n, size_t *k)
{
	if (p[0] < 0x80) {
		*k = 1;
		return cls_tab[p[0]];
	}
	uint32_t cp;
	*k = tc_utf8_decode(p, n, &cp);
	return *k && cp < TABLE_END ? cls_tab[cp] : C_NO;
}

static inline bool is_word(uint8_t c)
{
	return c == C_AL || c == C_NU;
}

/* WB6/WB7, WB11/WB12: does a middle character of class m join prev and next? */
static inline bool mid_joins(uint8_t prev, uint8_t m, uint8_t next)
{
	if (prev == C_AL && next == C_AL)
		return m == C_ML || m == C_MNLQ;
	if (prev == C_NU && next == C_NU)
		return m == C_MN || m == C_MNLQ;
	return false;
}

/*
 * Words are runs of letters and digits (WB5, WB8-WB10), continued across a middle
 * character when the characters on both sides allow it; nothing else joins a letter or
 * digit, so a word starts at any letter or digit the previous word did not take, and
 * the rules among the other characters (WB3, WB3d) do not matter here.
 */
static bool words(tc_wb *w, const char *s, size_t len)
{
	if (len >= UINT32_MAX)
		return false;
	const unsigned char *p = (const unsigned char *)s;
	w->nseg = 0;
	size_t i = 0, k;
	while (i < len) {
		uint8_t c = class_at(p + i, len - i, &k);
		if (c == C_NO)
			return false;
		if (!is_word(c)) {
			i += k;
			continue;
		}
		size_t start = i;
		/* letters and digits only, none of them one the analyser cuts at ('@', U+02BC) */
		bool plain = tc_analyzer_cut_len(s + i, k) == 0;
		uint8_t prev = c;
		for (i += k; i < len;) {
			size_t k2, k3;
			uint8_t c2 = class_at(p + i, len - i, &k2);
			if (is_word(c2)) {
				plain = plain && tc_analyzer_cut_len(s + i, k2) == 0;
				prev = c2;
				i += k2;
				continue;
			}
			if (c2 == C_NO)
				return false;
			if ((c2 != C_ML && c2 != C_MN && c2 != C_MNLQ) || i + k2 >= len)
				break;
			uint8_t c3 = class_at(p + i + k2, len - i - k2, &k3);
			if (c3 == C_NO)
				return false;
			if (!mid_joins(prev, c2, c3))
				break;
			prev = c3;
			plain = false;
			i += k2 + k3;
		}
		if (3 * w->nseg + 3 > w->cap_seg)
			w->seg = tc_grow(w->seg, &w->cap_seg, 3 * w->nseg + 3, sizeof *w->seg);
		uint32_t *g = &w->seg[3 * w->nseg++];
		g[0] = (uint32_t)start;
		g[1] = (uint32_t)i;
		g[2] = plain ? TC_WB_PLAIN : 0;
	}
	return true;
}

/* ---- the self-check ------------------------------------------------------------------- */

/* Do ICU and words() find the same word segments in s? (Text words() declines: yes.) */
static bool agrees(UBreakIterator *bi, tc_wb *w, const char *s)
{
	size_t len = strlen(s);
	if (!words(w, s, len))
		return true;
	UErrorCode st = U_ZERO_ERROR;
	UText *ut = utext_openUTF8(NULL, s, (int64_t)len, &st);
	ubrk_setUText(bi, ut, &st);
	size_t k = 0;
	bool same = U_SUCCESS(st);
	int32_t prev = ubrk_first(bi);
	for (int32_t next = ubrk_next(bi); same && next != UBRK_DONE;
	     prev = next, next = ubrk_next(bi)) {
		if (ubrk_getRuleStatus(bi) < UBRK_WORD_NONE_LIMIT)
			continue;
		same = k < w->nseg && w->seg[3 * k] == (uint32_t)prev &&
		       w->seg[3 * k + 1] == (uint32_t)next;
		k++;
	}
	utext_close(ut);
	return same && k == w->nseg;
}

/* Every ASCII character and the common non-ASCII punctuation, between letters, digits,
 * spaces and itself. */
static bool self_check(void)
{
	static const char *const extra[] = {
		"\xC2\xA0", "\xC2\xB7", "\xE2\x80\x99", "\xE2\x80\x98", "\xE2\x80\x9C",
		"\xE2\x80\x9D", "\xE2\x80\x93", "\xE2\x80\x94", "\xE2\x80\xA6", "\xC3\x97",
		"\xC4\x91", "\xE1\xBB\x87", "\xE2\x82\xAB", "\xE2\x80\xA2", "\xC2\xAB"};
	static const char *const ctx[][2] = {
		{"a", "b"}, {"1", "2"}, {"a", "2"}, {"1", "b"}, {"", ""}, {" ", " "},
		{"ab", "cd"}, {"x", ""}, {"", "y"}, {"12", ""}, {"", "34"}, {"\r", "\n"}};
	UErrorCode st = U_ZERO_ERROR;
	UBreakIterator *bi = ubrk_open(UBRK_WORD, "", NULL, 0, &st);
	if (U_FAILURE(st))
		return false;
	tc_wb w = {0};
	bool ok = true;
	size_t nextra = sizeof extra / sizeof extra[0];
	for (size_t c = 1; ok && c < 0x80 + nextra; c++) {
		char ch[8];
		if (c < 0x80) {
			ch[0] = (char)c;
			ch[1] = '\0';
		} else {
			strcpy(ch, extra[c - 0x80]);
		}
		for (size_t k = 0; ok && k < sizeof ctx / sizeof ctx[0]; k++) {
			char s[64];
			strcpy(s, ctx[k][0]);
			strcat(s, ch);
			strcat(s, ctx[k][1]);
			ok = agrees(bi, &w, s);
			strcpy(s, ctx[k][0]);
			strcat(s, ch);
			strcat(s, ch);
			strcat(s, ctx[k][1]);
			ok = ok && agrees(bi, &w, s);
		}
	}
	ubrk_close(bi);
	tc_wb_free(&w);
	return ok;
}

static void build(void)
{
	for (UChar32 c = 0; c < TABLE_END; c++)
		cls_tab[c] = c >= 0xD800 && c <= 0xDFFF ? C_NO : class_of(c);
	cls_tab[0] = C_NO; /* the analyser turns NUL into a space first */
	enabled = true;
	enabled = self_check();
}

bool tc_wb_words(tc_wb *w, const char *s, size_t len)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, build);
	return enabled && words(w, s, len);
}

void tc_wb_free(tc_wb *w)
{
	free(w->seg);
	memset(w, 0, sizeof *w);
}
