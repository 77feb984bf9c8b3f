/* utf8.c — strict UTF-8 (see utf8.h). */
#include "utf8.h"

#include <string.h>

size_t tc_utf8_encode(uint32_t cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* The offset of the first byte at or after i that is not ASCII (n if none): 8 bytes at a
 * time, since JSON keys, markup and numbers come in ASCII runs. */
static inline size_t skip_ascii(const unsigned char *p, size_t i, size_t n)
{
	while (n - i >= 8) {
		uint64_t x;
		memcpy(&x, p + i, 8);
		size_t ascii = tc_utf8_ascii_prefix8(x);
		i += ascii;
		if (ascii < 8)
			return i;
	}
	while (i < n && p[i] < 0x80)
		i++;
	return i;
}

size_t tc_utf8_count_invalid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t bad = 0;
	for (size_t i = 0; i < n;) {
		if (p[i] < 0x80) {
			i = skip_ascii(p, i, n);
			continue;
		}
		uint32_t cp;
		size_t k = tc_utf8_decode(p + i, n - i, &cp);
		if (k == 0) {
			bad++;
			k = 1;
		}
		i += k;
	}
	return bad;
}

size_t tc_utf8_sanitize(const char *s, size_t n, tc_buf *out)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t bad = 0, run = 0;
	tc_buf_reserve(out, n);
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k = p[i] < 0x80 ? 1 : tc_utf8_decode(p + i, n - i, &cp);
		if (k == 0) {
			tc_buf_append(out, s + run, i - run);
			tc_buf_append(out, "\xEF\xBF\xBD", 3);
			bad++;
			i++;
			run = i;
			continue;
		}
		i += k;
	}
	tc_buf_append(out, s + run, n - run);
	return bad;
}
