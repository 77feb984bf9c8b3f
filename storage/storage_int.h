/*
 * storage_int.h — interfaces between the files of storage/ (not for other modules,
 * except tests and benchmarks of the codec). Sections, one per .c file, as in FTS5's
 * fts5Int.h.
 */
#ifndef TC_STORAGE_INT_H
#define TC_STORAGE_INT_H

#include <stddef.h>
#include <stdint.h>

#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/file.h"
#include "common/hash.h"
#include "storage/storage.h"

/* ---- Little-endian fixed-width access (unaligned-safe) ---- */

static inline uint32_t tc__get_u32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}
static inline uint64_t tc__get_u64(const unsigned char *p)
{
	return (uint64_t)tc__get_u32(p) | (uint64_t)tc__get_u32(p + 4) << 32;
}
static inline uint16_t tc__get_u16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}
static inline double tc__get_f64(const unsigned char *p)
{
	uint64_t u = tc__get_u64(p);
	double d;
	memcpy(&d, &u, 8);
	return d;
}
static inline void tc__put_u32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}
static inline void tc__put_u64(unsigned char *p, uint64_t v)
{
	tc__put_u32(p, (uint32_t)v);
	tc__put_u32(p + 4, (uint32_t)(v >> 32));
}

/* ---- Interface to fileio.c: file frame (header, footer), names, writers, readers ---- */

#define TC_FORMAT_VERSION 1
#define TC_FILE_HEADER 8    /* magic[4] version:u32 */
#define TC_FILE_FOOTER 16   /* length:u64 xxh64:u64 */
#define TC_NAME_MAX 64      /* longest file name inside an index directory, plus NUL */
#define TC_PATH_MAX 4096

#define TC_MAGIC_MANIFEST "TCMF"
#define TC_MAGIC_DICT "TCTD"
#define TC_MAGIC_POSTINGS "TCPS"
#define TC_MAGIC_POSITIONS "TCPO"
#define TC_MAGIC_FIELDLEN "TCFL"
#define TC_MAGIC_DOCSTORE "TCDS"
#define TC_MAGIC_IDS "TCID"
#define TC_MAGIC_NUMERIC "TCNM"
#define TC_MAGIC_DELETES "TCDL"

/* "<16 hex digits of seg_id>.<ext>" and "<seg>.<gen>.del" (gen: 16 hex digits). */
void tc__seg_file_name(char out[TC_NAME_MAX], uint64_t seg_id, const char *ext);
void tc__del_file_name(char out[TC_NAME_MAX], uint64_t seg_id, uint64_t gen);
/* out = dir/name; TC_EINVAL when too long. */
int tc__path(char out[TC_PATH_MAX], const char *dir, const char *name, tc_error *err);

/* A file being written: buffered, hashed, with a sticky error (checked at close). */
typedef struct tc__wfile {
	int fd;                    /* -1 when closed */
	char path[TC_PATH_MAX];
	tc_buf buf;                /* bytes not yet written */
	uint64_t off;              /* bytes put so far (= offset of the next byte) */
	tc_hash64_state hash;      /* over every byte put */
	int rc;                    /* first error, or TC_OK */
	char msg[TC_ERROR_MSG_MAX];/* its message */
} tc__wfile;

/* Creates dir/name (truncating) and writes the header. */
int tc__wfile_open(tc__wfile *f, const char *dir, const char *name, const char *magic,
                   tc_error *err);
void tc__wfile_put(tc__wfile *f, const void *p, size_t n);
void tc__wfile_u8(tc__wfile *f, unsigned v);
void tc__wfile_u32(tc__wfile *f, uint32_t v);
void tc__wfile_u64(tc__wfile *f, uint64_t v);
void tc__wfile_f64(tc__wfile *f, double v);
void tc__wfile_varint(tc__wfile *f, uint64_t v);
/*
 * Writes the footer, flushes, fsyncs and closes. Returns the sticky error if any (the
 * file is then removed). The directory entry is made durable by the caller
 * (tc_fsync_dir once for all files of a segment).
 */
int tc__wfile_close(tc__wfile *f, tc_error *err);
/* Closes and removes the file (no-op when already closed). */
void tc__wfile_abort(tc__wfile *f);

/* A file being read: mapped whole, header and footer checked. */
typedef struct tc__rfile {
	tc_map map;
	char name[TC_NAME_MAX];      /* for messages */
	const unsigned char *p;      /* content: after the header ... */
	const unsigned char *end;    /* ... up to the footer */
} tc__rfile;

/*
 * Maps dir/name, checks magic, version and footer length (TC_ECORRUPT, TC_EVERSION,
 * TC_ENOENT) and, when verify, the checksum. On failure nothing stays mapped.
 */
int tc__rfile_open(tc__rfile *f, const char *dir, const char *name, const char *magic,
                   int verify, tc_error *err);
/* Checks the checksum of the whole file. */
int tc__rfile_verify(const tc__rfile *f, tc_error *err);
void tc__rfile_close(tc__rfile *f);
/* Sets TC_ECORRUPT with "<name>: offset <at - file start>: <message>"; returns it. */
int tc__corrupt(tc_error *err, const tc__rfile *f, const void *at, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 4, 5)))
#endif
	;

/* ---- End of interface to fileio.c ---- */

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

/* ---- Interface to manifest.c ---- */

/*
 * Checks the content of a mapped .del file against the segment and manifest entry;
 * *bits points into the mapping.
 */
int tc__del_parse(const tc__rfile *f, uint64_t seg_id, uint64_t gen, uint32_t ndocs,
                  const uint8_t **bits, uint32_t *ndeleted, tc_error *err);

/* ---- End of interface to manifest.c ---- */

#endif
