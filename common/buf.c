/* buf.c — growable byte buffer and varints (see buf.h). */
#include "buf.h"
#include "mem.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tc_buf_reserve(tc_buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	b->data = tc_realloc(b->data, cap);
	b->cap = cap;
}

void tc_buf_puts(tc_buf *b, const char *s)
{
	tc_buf_append(b, s, strlen(s));
}

void tc_buf_printf(tc_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n <= 0)
		return;
	tc_buf_reserve(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void tc_buf_json_escape(tc_buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '"': tc_buf_puts(b, "\\\""); break;
		case '\\': tc_buf_puts(b, "\\\\"); break;
		case '\n': tc_buf_puts(b, "\\n"); break;
		case '\r': tc_buf_puts(b, "\\r"); break;
		case '\t': tc_buf_puts(b, "\\t"); break;
		default:
			if (c < 0x20)
				tc_buf_printf(b, "\\u%04x", c);
			else
				tc_buf_putc(b, (char)c);
		}
	}
}

void tc_buf_put_varint(tc_buf *b, uint64_t v)
{
	unsigned char tmp[10];
	tc_buf_append(b, tmp, tc_varint_put(tmp, v));
}

void tc_buf_put_u32le(tc_buf *b, uint32_t v)
{
	unsigned char t[4] = {(unsigned char)v, (unsigned char)(v >> 8),
	                      (unsigned char)(v >> 16), (unsigned char)(v >> 24)};
	tc_buf_append(b, t, 4);
}

void tc_buf_put_u64le(tc_buf *b, uint64_t v)
{
	tc_buf_put_u32le(b, (uint32_t)v);
	tc_buf_put_u32le(b, (uint32_t)(v >> 32));
}

void tc_buf_clear(tc_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void tc_buf_free(tc_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

int tc_varint_get_slow(const unsigned char **p, const unsigned char *end, uint64_t *out)
{
	const unsigned char *q = *p;
	uint64_t v = 0;
	for (int shift = 0; shift < 70; shift += 7) {
		if (q >= end)
			return -1;
		unsigned char c = *q++;
		v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			*out = v;
			*p = q;
			return 0;
		}
	}
	return -1;
}
