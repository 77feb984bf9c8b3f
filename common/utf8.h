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
 * Decodes one code point from s[0..n) (n > 0). Returns the number of bytes used (1–4),
 * or 0 when s does not start with a valid sequence.
 */
size_t tc_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

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
