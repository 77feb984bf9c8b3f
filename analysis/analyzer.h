/*
 * analyzer.h — turns Vietnamese (and mixed) text into searchable tokens.
 *
 * The same analyser runs on documents (indexer) and on queries (query parser), so a word
 * is folded the same way on both sides. For each token it gives:
 *
 *   exact   lower case, NFC, canonical tone placement ("Hoà" -> "hòa", "THUỶ" -> "thủy")
 *   folded  lower case, every diacritic removed, đ -> d ("Đề" -> "de")
 *   stem    for Latin-script words that are not Vietnamese syllables: the Snowball stem of
 *           the folded form ("transactions" -> "transact"); absent otherwise
 *   pos     syllable position (0, 1, 2, ...), so multi-syllable words are phrases
 *   start,end  byte offsets of the token in the input exactly as given (not normalised)
 *
 * The rules (written up in README.md, "How text is analysed"):
 *  - Word boundaries come from ICU's word break iterator. A word joined to the previous
 *    one by a connector and no space ("13/2023/NĐ-CP", "Covid-19", "e-mail", "TP.HCM",
 *    "H'Mông", "H’Mông", "abc@gmail.com": apostrophes of any kind and '@' included) is
 *    split into its parts, which get consecutive positions and the TC_TOK_JOINED flag:
 *    a search for the code runs as a phrase of its parts and finds it however it is cased
 *    or accented.
 *  - Numbers stay whole ("276.938.860", "1,35"); "%" is not a token (the quantity
 *    extractor reads it from the text).
 *  - Invalid UTF-8 bytes are separators: each is counted in tc_toklist.invalid_utf8 and
 *    never ends up inside a token.
 *  - Combining marks that NFC cannot compose onto their letter (stray or doubled tone
 *    marks), soft hyphens and zero-width joiners are dropped from both forms and do not
 *    split the token.
 *  - Tokens longer than TC_TOKEN_MAX_BYTES (folded) are skipped; they are not words.
 *
 * A tc_analyzer holds ICU and Snowball state and is not thread-safe: use one per thread.
 */
#ifndef TC_ANALYZER_H
#define TC_ANALYZER_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/err.h"

#define TC_TOKEN_MAX_BYTES 128

enum tc_token_flag {
	TC_TOK_NUMBER = 1 << 0,    /* digits with optional . , separators: "2.390", "1,35" */
	TC_TOK_SYLLABLE = 1 << 1,  /* a well-formed Vietnamese syllable */
	TC_TOK_JOINED = 1 << 2,    /* glued to the previous token by a connector, no space */
	TC_TOK_ACCENTED = 1 << 3,  /* the exact form has diacritics (exact != folded) */
	TC_TOK_UPPER = 1 << 4,     /* written in capitals, 2+ letters: "TTHC", "NDXP" */
	TC_TOK_LATIN = 1 << 5      /* letters only, all of the Latin script */
};

typedef struct tc_token {
	uint32_t pos;         /* syllable position, 0-based */
	uint32_t start, end;  /* byte span [start, end) in the input as given */
	uint32_t exact;       /* offset of the exact form in tc_toklist.text */
	uint32_t folded;      /* offset of the folded form in tc_toklist.text */
	uint32_t stem;        /* offset of the stem, valid when stem_len > 0 */
	uint16_t exact_len, folded_len, stem_len;
	uint16_t flags;       /* enum tc_token_flag */
} tc_token;

/*
 * The result of one analysis. Zero-initialise it, pass it to tc_analyze() as often as you
 * like (each call replaces the contents, reusing memory) and tc_toklist_free() it at the
 * end. Read-only for callers; the strings are NUL-terminated.
 */
typedef struct tc_toklist {
	tc_token *tok;        /* tokens in text order */
	size_t n, cap;
	tc_buf text;          /* the exact, folded and stem strings, NUL-terminated */
	size_t invalid_utf8;  /* invalid sequences met in the input */
} tc_toklist;

static inline const char *tc_tok_exact(const tc_toklist *l, const tc_token *t)
{
	return l->text.data + t->exact;
}
static inline const char *tc_tok_folded(const tc_toklist *l, const tc_token *t)
{
	return l->text.data + t->folded;
}
static inline const char *tc_tok_stem(const tc_toklist *l, const tc_token *t)
{
	return t->stem_len ? l->text.data + t->stem : NULL;
}

typedef struct tc_analyzer tc_analyzer;

/* Creates an analyser. *out is NULL on failure. */
int tc_analyzer_new(tc_analyzer **out, tc_error *err);
/* Accepts NULL. */
void tc_analyzer_free(tc_analyzer *a);

/*
 * Analyses text[0..len) into out. lang picks the Snowball stemmer for non-Vietnamese
 * words ("en", "fr", "english", ...; NULL or "vi" mean English). An unknown lang is
 * TC_EINVAL and out is left empty. Invalid UTF-8 is not an error (see above).
 */
int tc_analyze(tc_analyzer *a, const char *text, size_t len, const char *lang,
               tc_toklist *out, tc_error *err);

void tc_toklist_free(tc_toklist *l);

/*
 * Folds one piece of text to its folded form the way tokens are folded (lower case, no
 * diacritics, đ -> d), keeping everything else, spaces included. Appends to out. Used for
 * unit keys and field values.
 */
void tc_analyzer_fold_text(tc_analyzer *a, const char *text, size_t len, tc_buf *out);

/*
 * Bytes of the character at s[0..n) at which a word is always cut into joined parts,
 * wherever ICU puts the word's bounds: an apostrophe (' U+2019 U+2018 U+02BC) or '@';
 * 0 for any other character. (Also '.' and ':' cut, by rules that look at neighbours.)
 */
static inline size_t tc_analyzer_cut_len(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	if (n >= 1 && (u[0] == '\'' || u[0] == '@'))
		return 1;
	if (n >= 3 && u[0] == 0xE2 && u[1] == 0x80 && (u[2] == 0x98 || u[2] == 0x99))
		return 3;
	if (n >= 2 && u[0] == 0xCA && u[1] == 0xBC)
		return 2;
	return 0;
}

#endif
