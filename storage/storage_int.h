/*
 * storage_int.h — interfaces between the files of storage/ (not for other modules,
 * except tests and benchmarks of the codec). Sections, one per .c file, as in FTS5's
 * fts5Int.h.
 */
#ifndef TC_STORAGE_INT_H
#define TC_STORAGE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/err.h"
#include "storage/storage.h"

/* ---- Interface to codec.c: chunks of up to 128 ints, PFor or varints ---- */

/* Largest encoded chunk (the varint form of 128 five-byte values, plus its tag). */
#define TC_CHUNK_MAX (1 + 128 * 5)

/* Bits needed for the largest of in[0..n) (0 when all are 0). */
unsigned tc__bitwidth(const uint32_t *in, size_t n);
/* Encodes chunk(n), 1 <= n <= 128, into out (room for TC_CHUNK_MAX); returns its size. */
size_t tc__chunk_pack(const uint32_t *in, size_t n, unsigned char *out);
/* Decodes chunk(n) from [*p, end) into out[n], advancing *p; -1 when it is bad. */
int tc__chunk_unpack(const unsigned char **p, const unsigned char *end, uint32_t *out,
                     size_t n);
/* Appends ints(n): full chunks of 128, then the rest. */
void tc__put_ints(tc_buf *b, const uint32_t *in, size_t n);
/* Reads ints(n) from [*p, end) into out[n]; -1 when truncated or bad. */
int tc__get_ints(const unsigned char **p, const unsigned char *end, uint32_t *out, size_t n);

/* Plain bit-packing of 128 ints (width byte + 16*width bytes), kept for the codec bench. */
size_t tc__pack128(const uint32_t *in, unsigned char *out);
int tc__unpack128(const unsigned char **p, const unsigned char *end, uint32_t *out);

/* ---- End of interface to codec.c ---- */

#endif
