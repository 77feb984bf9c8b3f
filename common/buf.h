/*
 * buf.h — a growable byte buffer (like FTS5's Fts5Buffer or Redis' sds, simpler).
 *
 * A tc_buf owns its bytes. data is always NUL-terminated (the NUL is not counted in len),
 * so text can go straight to printf; the contents may hold NUL bytes too. Zero-initialise
 * (tc_buf b = {0};) and release with tc_buf_free(). Appends never fail (see mem.h).
 */
#ifndef TC_BUF_H
#define TC_BUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct tc_buf {
	char *data;   /* bytes, NUL-terminated; NULL until the first append */
	size_t len;   /* bytes used, not counting the terminating NUL */
	size_t cap;   /* bytes allocated */
} tc_buf;

/* Makes room for extra more bytes (and the NUL); capacity doubles from 64. */
void tc_buf_reserve(tc_buf *b, size_t extra);

/*
 * Appends are inline: the analysers append a few bytes at a time, millions of times,
 * and a call per append cost more than the copy. Growth goes through tc_buf_reserve,
 * so capacities are the same as if every append called it.
 */
static inline void tc_buf_append(tc_buf *b, const void *p, size_t n)
{
	if (b->len + n + 1 > b->cap)
		tc_buf_reserve(b, n);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static inline void tc_buf_putc(tc_buf *b, char c)
{
	if (b->len + 2 > b->cap)
		tc_buf_reserve(b, 1);
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}

void tc_buf_puts(tc_buf *b, const char *s);
void tc_buf_printf(tc_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;
/* Appends s as the body of a JSON string (escaped, without the quotes). */
void tc_buf_json_escape(tc_buf *b, const char *s, size_t n);
/* Writes v as an unsigned LEB128 varint at out (room for 10 bytes); the bytes written. */
static inline size_t tc_varint_put(unsigned char *out, uint64_t v)
{
	size_t n = 0;
	for (; v >= 0x80; v >>= 7)
		out[n++] = (unsigned char)(v | 0x80);
	out[n++] = (unsigned char)v;
	return n;
}

/* The bytes of v as a varint. */
static inline size_t tc_varint_len(uint64_t v)
{
	size_t n = 1;
	for (; v >= 0x80; v >>= 7)
		n++;
	return n;
}

/* A signed difference (two's complement in a uint64_t) as a small unsigned number for a
   varint: 0, -1, 1, -2, 2, ... become 0, 1, 2, 3, 4, ... */
static inline uint64_t tc_zigzag(uint64_t d)
{
	return d >> 63 ? ~(d << 1) : d << 1;
}

static inline uint64_t tc_unzigzag(uint64_t z)
{
	return z & 1 ? ~(z >> 1) : z >> 1;
}

/* Appends an unsigned LEB128 varint. */
void tc_buf_put_varint(tc_buf *b, uint64_t v);
void tc_buf_put_u32le(tc_buf *b, uint32_t v);
void tc_buf_put_u64le(tc_buf *b, uint64_t v);
void tc_buf_clear(tc_buf *b);
void tc_buf_free(tc_buf *b);

/*
 * Reads a varint from [*p, end). Returns 0 and advances *p, or -1 when the varint is
 * truncated or longer than 10 bytes (the caller reports corruption with context).
 * Inline for the one-byte case, which most varints of the index are.
 */
int tc_varint_get_slow(const unsigned char **p, const unsigned char *end, uint64_t *out);
static inline int tc_varint_get(const unsigned char **p, const unsigned char *end,
                                uint64_t *out)
{
	if (*p < end && **p < 0x80) {
		*out = *(*p)++;
		return 0;
	}
	return tc_varint_get_slow(p, end, out);
}

static inline uint32_t tc_get_u32le(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline uint64_t tc_get_u64le(const unsigned char *p)
{
	return (uint64_t)tc_get_u32le(p) | (uint64_t)tc_get_u32le(p + 4) << 32;
}

#endif
