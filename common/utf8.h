/*
 * utf8.h — strict UTF-8 decoding and encoding, and replacement of invalid bytes.
 *
 * Strict means RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF.
 * Each byte that cannot start or continue a valid sequence counts as one invalid
 * sequence and becomes one U+FFFD; this keeps counts and offsets easy to explain.
 */
#ifndef TC_UTF8_H
#define TC_UTF8_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/*
 * How many of the 8 bytes in x (as memcpy read them from memory) come before the first
 * one that is not ASCII: 8 when all are. For loops that cross runs of ASCII a word at a
 * time.
 */
static inline size_t tc_utf8_ascii_prefix8(uint64_t x)
{
	uint64_t high = x & 0x8080808080808080u;
	if (high == 0)
		return 8;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return (size_t)__builtin_clzll(high) / 8;
#else
	return (size_t)__builtin_ctzll(high) / 8;
#endif
}

/*
 * Decodes one code point from s[0..n) (n > 0). Returns the number of bytes used (1–4),
 * or 0 (and *cp = U+FFFD) when s does not start with a valid sequence. Inline: the
 * analysers decode every character of the text with it.
 */
static inline size_t tc_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char c = s[0];
	*cp = 0xFFFD;
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	size_t len;
	uint32_t v, min;
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2; v = c & 0x1F; min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3; v = c & 0x0F; min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4; v = c & 0x07; min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3F);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return len;
}

/* Encodes cp (a valid scalar value) into out, returns the byte count (1–4). */
size_t tc_utf8_encode(uint32_t cp, char out[4]);

/* Number of invalid sequences in s[0..n): 0 means s is valid UTF-8. */
size_t tc_utf8_count_invalid(const char *s, size_t n);

/*
 * Appends s[0..n) to out with every invalid byte replaced by U+FFFD. Returns the number
 * of replacements.
 */
size_t tc_utf8_sanitize(const char *s, size_t n, tc_buf *out);

#endif
