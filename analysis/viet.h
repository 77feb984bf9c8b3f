/*
 * viet.h — Vietnamese letters and syllables: the rules that are about the language,
 * not about Unicode in general.
 *
 * A Latin letter is seen as (base, quality mark, tone mark): "ế" is base 'e', quality
 * circumflex, tone acute; "đ" is base 'd' with the stroke "quality". Exact forms keep all
 * three; folded forms keep only the base. The tables are built once from ICU's
 * decompositions (tc_viet_init, thread-safe, idempotent) and are read-only after that.
 *
 * Canonical tone placement (the "old style", kiểu cũ): in an open syllable whose vowel
 * nucleus is oa, oe or uy, the tone sits on the first vowel: "hòa", "khỏe", "thủy".
 * It is the style of nearly every text in our corpora ("hòa" 4,888 times against "hoà"
 * 0 in the first 50 MB of the news corpus), and of what users type. Both styles map to
 * it, so the choice only decides how exact forms are spelled inside the index.
 */
#ifndef TC_VIET_H
#define TC_VIET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum tc_viet_qual {
	TC_Q_NONE = 0,
	TC_Q_CIRCUMFLEX,  /* â ê ô */
	TC_Q_BREVE,       /* ă */
	TC_Q_HORN,        /* ơ ư */
	TC_Q_STROKE,      /* đ */
	TC_Q_OTHER        /* a mark Vietnamese does not use: ü ç ñ å ... */
};

enum tc_viet_tone {
	TC_T_NONE = 0,  /* ngang */
	TC_T_GRAVE,     /* huyền  à */
	TC_T_ACUTE,     /* sắc    á */
	TC_T_TILDE,     /* ngã    ã */
	TC_T_HOOK,      /* hỏi    ả */
	TC_T_DOT        /* nặng   ạ */
};

/* One letter of a word, lower case. */
typedef struct tc_vletter {
	uint32_t cp;    /* the lower-case code point as written (NFC) */
	char base;      /* 'a'..'z' for Latin letters, 0 for anything else */
	uint8_t qual;   /* enum tc_viet_qual */
	uint8_t tone;   /* enum tc_viet_tone */
} tc_vletter;

/* Builds the tables; safe to call from many threads, cheap after the first call. */
void tc_viet_init(void);

/*
 * Describes code point cp (any case) as a lower-case letter. Returns false when cp is not
 * a letter of the Latin blocks the table covers (U+0000–U+024F, U+1E00–U+1EFF); then the
 * caller treats it as an opaque character.
 */
bool tc_viet_letter(uint32_t cp, tc_vletter *out);

/* The code point for (base, qual, tone), or 0 when no precomposed letter exists. */
uint32_t tc_viet_compose(char base, int qual, int tone);

/*
 * Checks whether letters[0..n) spell a well-formed Vietnamese syllable (onset, rhyme and,
 * when a tone is written, a tone the rhyme allows: -p -t -c -ch take only sắc or nặng).
 * When it is one, moves the tone mark to its canonical vowel (see above) and returns
 * true; otherwise leaves the letters as they are and returns false.
 */
bool tc_viet_canonicalize(tc_vletter *letters, size_t n);

/* Convenience for callers holding text: is this lower- or upper-case UTF-8 a syllable? */
bool tc_viet_is_syllable(const char *s, size_t len);

#endif
