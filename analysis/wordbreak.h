/*
 * wordbreak.h — the words ICU's word break iterator would find, found without it when
 * the text allows.
 *
 * The analyser needs only the segments ICU's root word rules (UAX #29 as ICU 72 tailors
 * it) give a word status (>= UBRK_WORD_NONE_LIMIT: letters or numbers). Running ICU's
 * rule machine costs over a hundred instructions per byte; most of our text is Latin
 * letters, digits, spaces and common punctuation, for which the rules reduce to a few
 * pairwise tests (WB3-WB12 without the Extend/Format, Hebrew, Katakana, ExtendNumLet and
 * emoji cases). tc_wb_words() applies them when every character of the text is of a
 * class they cover, and otherwise declines, so the caller runs ICU: the result is
 * always ICU's.
 *
 * Classes come from ICU's own Word_Break property, plus the two tailorings of ICU's
 * rules ('@' is a letter, ':' is not MidLetter). A self-check against ICU on probes of
 * every ASCII character in several contexts runs once before the first use; if the ICU
 * in use disagrees anywhere, the shortcut stays off for the process.
 *
 * Thread-safe: the tables are built once (pthread_once) and only read after that.
 */
#ifndef TC_WORDBREAK_H
#define TC_WORDBREAK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Scratch space of one caller (one per analyser); zero-initialise, tc_wb_free() it. */
typedef struct tc_wb {
	uint32_t *seg;        /* the words found: start, end, flags (TC_WB_*), start, ... */
	size_t nseg, cap_seg;
} tc_wb;

/* A word of letters and digits only: no '.', '\'', ',' ... inside, nor '@' or U+02BC
   (letters to ICU, which the analyser cuts at). */
#define TC_WB_PLAIN 1

/*
 * Finds the word segments of the text s[0..len): on success returns true with
 * w->seg[0 .. 3*w->nseg) holding their byte spans and flags in order. Returns false when the text
 * is not valid UTF-8, holds a NUL or a character outside the covered classes, or the
 * shortcut is off; ask ICU then.
 */
bool tc_wb_words(tc_wb *w, const char *s, size_t len);

void tc_wb_free(tc_wb *w);

#endif
