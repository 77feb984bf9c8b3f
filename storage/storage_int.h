/*
 * storage_int.h — interfaces between the files of storage/ (not for other modules,
 * except tests and benchmarks of the codec). Sections, one per .c file, as in FTS5's
 * fts5Int.h.
 */
#ifndef TC_STORAGE_INT_H
#define TC_STORAGE_INT_H

#include <pthread.h>
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

#define TC_FORMAT_VERSION 1    /* files not versioned on their own (fileio.c) */
#define TC_POSTINGS_VERSION 4  /* .pst: 2 since the codec's exceptions are packed, 3 since
                                  exact forms' lists are ranks in their base's, 4 since
                                  their blocks choose how to store freqs */
#define TC_POSITIONS_VERSION 4 /* .pos: 2 since the codec's exceptions are packed (3 came
                                  with .pst's), 4 since positions are Rice codes */
#define TC_DICT_VERSION 3      /* .tdx: 2 since an entry may point to shared postings, 3
                                  since exact forms are filed under their folded forms */
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
/* Reads back n bytes put at off (from the buffer or the file); -1 after an error. */
int tc__wfile_read(const tc__wfile *f, uint64_t off, void *dst, size_t n);
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
	int verified;                /* the whole-file checksum held at open */
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
/* Moves *p past a chunk of n values without decoding it (its size comes from its header);
   0, or -1 when the header is bad or the chunk runs past end. Its values are not
   checked: a chunk skipped is one nobody reads. */
int tc__chunk_skip(const unsigned char **p, const unsigned char *end, size_t n);
/* Appends ints(n): full chunks of 128, then the rest. */
void tc__put_ints(tc_buf *b, const uint32_t *in, size_t n);
/* Reads ints(n) from [*p, end) into out[n]; -1 when truncated or bad. */
int tc__get_ints(const unsigned char **p, const unsigned char *end, uint32_t *out, size_t n);

/* Packs the low b <= 32 bits of in[0..n) into o: (n*b + 7) / 8 bytes, the same layout. */
size_t tc__pack_bits(const uint32_t *in, size_t n, unsigned b, unsigned char *o);
/* Unpacks n <= 128 values of b <= 32 bits from q, whose (n*b + 7) / 8 bytes are before end. */
void tc__unpack_bits(const unsigned char *q, const unsigned char *end, unsigned b,
                     uint32_t *out, size_t n);
/* Plain bit-packing of 128 ints (width byte + 16*width bytes), kept for the codec bench. */
size_t tc__pack128(const uint32_t *in, unsigned char *out);
int tc__unpack128(const unsigned char **p, const unsigned char *end, uint32_t *out);

/*
 * Positions code of one block of docs (.pos format 4; postings.c has the grammar). The
 * low parts of a doc's values are this many bits wide: the block's parameter beta
 * (<= TC_POS_BETA_MAX) less the bit length of the doc's freq + 1, or 0.
 */
#define TC_POS_BETA_MAX 33
#define TC_POS_WIDTHS 16
static inline unsigned tc__pos_width(uint32_t freq, unsigned beta)
{
	unsigned fb = 64 - (unsigned)__builtin_clzll((uint64_t)freq + 1);
	return beta > fb ? beta - fb : 0;
}
/* Appends the block of k docs: doc j has freq[j] ascending positions, one doc after the
   other in pos; scratch is the caller's, for the values. */
void tc__pos_pack(tc_buf *out, const uint32_t *pos, const uint32_t *freq, uint32_t k,
                  tc_buf *scratch);
/* A reader of one block, doc by doc in order. */
typedef struct tc__posblk {
	const unsigned char *lo, *hi, *end;  /* low parts, high parts, end of the block */
	uint64_t lbit, hbit;                 /* where the next doc's bits start in each */
	unsigned beta;
	uint8_t width[TC_POS_WIDTHS];        /* the width of freq m + 1, for small m */
} tc__posblk;
/* Starts reading the block at [p, end) (the 8 bytes after end must be readable: the file
   footer follows the last block); -1 when its header is bad. */
int tc__pos_open(tc__posblk *b, const unsigned char *p, const unsigned char *end);
/* Steps over the next n docs, whose freqs - 1 are fm1[0..n); -1 when the block runs
   out. */
int tc__pos_skip(tc__posblk *b, const uint32_t *fm1, uint32_t n);
/* Decodes the next doc's freq positions into out; -1 when the block runs out or a
   position passes 2^32 - 1. */
int tc__pos_decode(tc__posblk *b, uint32_t freq, uint32_t *out);
/* How many more values the block can hold at most (each takes at least a bit of its
   high parts): a bound on a doc's freq before room is made for its positions. */
uint64_t tc__pos_room(const tc__posblk *b);
/* Where the block's bytes read so far end (its end once every doc is read). */
const unsigned char *tc__pos_block_end(const tc__posblk *b);

/* ---- End of interface to codec.c ---- */

/* ---- Interface to manifest.c ---- */

/*
 * Checks the content of a mapped .del file against the segment and manifest entry;
 * *bits points into the mapping.
 */
int tc__del_parse(const tc__rfile *f, uint64_t seg_id, uint64_t gen, uint32_t ndocs,
                  const uint8_t **bits, uint32_t *ndeleted, tc_error *err);

/* ---- End of interface to manifest.c ---- */

/* ---- Readers' parsed sections of a segment (filled by the *_open functions) ---- */

typedef struct tc__dict_r {
	uint64_t nterms, nblocks;
	const unsigned char *index;   /* nblocks entries of 16 bytes */
	const unsigned char *keys;    /* first keys of the blocks */
	uint64_t keys_len;
	uint64_t kind_terms[3], kind_pst[3], kind_pos[3];  /* statistics, 'f' 's' 'e' */
} tc__dict_r;

typedef struct tc__fln_r {
	unsigned nfields;
	uint8_t width[TC_MAX_FIELDS];
	uint64_t total[TC_MAX_FIELDS];
	const unsigned char *col[TC_MAX_FIELDS];
} tc__fln_r;

typedef struct tc__doc_r {
	uint32_t nblocks;
	const unsigned char *index;   /* nblocks entries of 12 bytes */
	uint64_t raw_bytes;
	uint32_t dict_len;
	void *ddict;                  /* ZSTD_DDict over the mapped dictionary; NULL without */
} tc__doc_r;

typedef struct tc__ids_r {
	uint32_t n;
	uint32_t per_block;           /* entries per block (the last may hold fewer) */
	uint32_t nblocks;
	const unsigned char *index;   /* nblocks block offsets (u32), from blocks */
	const unsigned char *blocks;  /* the front-coded blocks, blocks_len bytes */
	uint64_t blocks_len;
	/* every id decoded at open (owned; freed by tc__ids_close): doc d's id is
	   heap.data[doc_off[d] .. doc_off[d] + doc_len[d]) */
	tc_buf heap;
	uint32_t *doc_off;
	uint16_t *doc_len;            /* 1..TC_MAX_ID; 0 while the walk at open has not met d */
} tc__ids_r;

typedef struct tc__num_r {
	uint64_t n, nblocks, data_len;
	uint32_t nunits;
	const unsigned char *bidx;    /* nblocks entries of 16 bytes */
	const unsigned char *data;    /* the blocks */
	/* the unit directory, decoded at open (owned; freed by tc__num_close) */
	char *keys;                   /* unit u = keys[key_off[u] .. key_off[u+1]) */
	uint32_t *key_off;            /* nunits + 1 */
	uint64_t *first;              /* unit u = entries [first[u], first[u+1]); nunits + 1 */
} tc__num_r;

/* A live segment of a snapshot: every file mapped, sections parsed. */
struct tc_segment {
	uint64_t id;
	uint64_t serial;          /* unique per open, keys tc_doc's block cache */
	uint32_t ndocs, ndeleted;
	uint64_t del_gen;
	const uint8_t *del;       /* delete bitset inside f_del, or NULL */
	tc__rfile f_tdx, f_pst, f_pos, f_fln, f_doc, f_ids, f_num, f_del;
	tc__dict_r dict;
	tc__fln_r fln;
	tc__doc_r doc;
	tc__ids_r ids;
	tc__num_r num;
};

/* ---- Interface to segment.c ---- */

/*
 * Opens segment ms of dir into seg (zeroed by the caller): maps its files, checks their
 * frames, verifies checksums of the small ones (all when verify_all) and parses them.
 */
int tc__seg_open(tc_segment *seg, const char *dir, const tc_manifest_seg *ms, int verify_all,
                 tc_error *err);
void tc__seg_close(tc_segment *seg);

/* ---- Interface to postings.c: the postings writer ---- */

/* Single-block lists already written to one file, to be shared by a term whose list is
   the same bytes: open addressing over a hash of (bytes, count). */
typedef struct tc__listent {
	uint64_t hash;                /* 0: empty slot */
	uint64_t off;                 /* where the list starts */
	uint32_t len;
} tc__listent;

typedef struct tc__listset {
	tc__listent *e;
	size_t cap, n;                /* cap: a power of two, at least twice n */
} tc__listset;

typedef struct tc__pw {
	tc__wfile pst, pos;
	tc__listset pst_seen, pos_seen;
	tc_buf pos_held;              /* the term's positions, held until its end: the
	                                 whole list may be shared */
	int has_pos, exact;           /* the current term's kind */
	/* the docs and freqs of the last term that is not an exact form's: the base of the
	   exact forms that follow it */
	uint32_t *base_docs, *base_freqs;
	size_t base_n, base_cap, base_at;
	uint64_t base_ttf, base_doc_off;
	int bad_exact;                /* an exact form's doc missing from its base, or with
	                                 a greater freq: the caller's error, sticky */
	/* the current term */
	uint32_t df, max_tf, min_len;
	uint64_t ttf;
	uint32_t nblocks, prev_last;  /* blocks done, last doc of the previous block */
	uint32_t prev_last_rank;      /* exact forms: last rank of the previous block */
	uint64_t doc_off, pos_off;    /* where the term starts in .pst and .pos */
	uint64_t pst_bytes, pos_bytes;/* what the last term added to each file (0: shared) */
	tc_buf skip, blocks;          /* the term's skip entries and doc blocks */
	/* the current block */
	uint32_t bdocs[TC_POSTINGS_BLOCK], bfreqs[TC_POSTINGS_BLOCK], bn;
	uint32_t branks[TC_POSTINGS_BLOCK];  /* exact forms: ranks in the base, and ... */
	uint32_t bfdelta[TC_POSTINGS_BLOCK]; /* ... base freq - freq */
	uint32_t bmax_tf, bmin_len;
	uint32_t *bpos;               /* positions of the block, doc after doc */
	/* the term's positions coded already by the caller (tc__pw_coded), block by block */
	const unsigned char *pre;
	const uint32_t *pre_len;
	uint32_t pre_n, pre_next;
	size_t pre_at;
	int bad_pre;                  /* more blocks than coded ones: the caller's error */
	tc_buf pos_scratch;           /* for the positions code */
	size_t bpos_n, bpos_cap;
	tc_buf whole;                 /* a term's .pst list of several blocks, put together */
} tc__pw;

int tc__pw_open(tc__pw *w, const char *dir, uint64_t seg_id, tc_error *err);
/* Starts a term; exact: an exact form's, whose base is the last term that was not. */
void tc__pw_begin(tc__pw *w, int has_pos, int exact);
/* Adds a doc (ascending) with its freq, positions (freq of them, if has_pos) and the
   length of the term's field in that doc. An exact form's doc must be its base's, with
   at most the base's freq (else bad_exact). */
void tc__pw_doc(tc__pw *w, uint32_t doc, uint32_t freq, const uint32_t *pos, uint32_t len);
/* The term's positions coded already (tc_segw_code_positions per block of
   TC_POSTINGS_BLOCK docs): its docs then come without positions. */
void tc__pw_coded(tc__pw *w, const unsigned char *bytes, const uint32_t *block_len,
                  uint32_t nblocks);
/* Writes the term's postings (or finds them written: sharing, postings.c) and fills *ti
   (shared set when they were found); pst_bytes/pos_bytes tell what was written. */
void tc__pw_end(tc__pw *w, tc_term_info *ti);
int tc__pw_close(tc__pw *w, tc_error *err);
void tc__pw_free(tc__pw *w);

/* ---- Interface to termdict.c ---- */

typedef struct tc__dw {
	tc__wfile f;
	tc_buf block, tmp;            /* entries of the current block; scratch */
	uint32_t nentries;
	tc_buf prev_key, first_key;
	uint64_t prev_doc_off, prev_pos_off;
	tc_buf index, keys;           /* block index and first keys, written at the end */
	uint64_t nterms, nblocks;
	uint64_t kind_terms[3], kind_pst[3], kind_pos[3];
} tc__dw;

/* 0 'f', 1 's', 2 'e', -1 for any other kind byte. */
int tc__kind_index(unsigned char kind);
/* The same for a whole key: 2 for an exact form's (tc_key_is_exact). */
int tc__key_kind_index(const unsigned char *key, size_t len);
int tc__dw_open(tc__dw *w, const char *dir, uint64_t seg_id, tc_error *err);
/* Appends a term (keys ascending); pst/pos_bytes are its postings sizes, for stats. */
void tc__dw_add(tc__dw *w, const void *key, size_t len, const tc_term_info *ti,
                uint64_t pst_bytes, uint64_t pos_bytes);
int tc__dw_close(tc__dw *w, tc_error *err);
void tc__dw_free(tc__dw *w);
int tc__dict_open(tc_segment *seg, tc_error *err);

/* ---- Interface to vncode.c: the doc store's one-byte code for Vietnamese letters ---- */

/* Appends the code of src[0..n) to out (at most 2n bytes; any bytes, valid UTF-8 or not). */
void tc__vncode_encode(tc_buf *out, const char *src, size_t n);
/* Room decoding coded_len bytes may need (it writes up to 3 bytes per coded byte). */
size_t tc__vncode_decoded_max(size_t coded_len);
/* Decodes src[0..n) into dst (tc__vncode_decoded_max(n) bytes of room), its length in
   *out_len; -1 when src is not a code the encoder writes (a dangling escape). */
int tc__vncode_decode(char *dst, const char *src, size_t n, size_t *out_len);

/* ---- Interface to docstore.c ---- */

#define TC__DSW_QUEUE 16          /* blocks waiting for the background compressor:
                                     256 KiB of 16 KiB blocks, so that the bursts of
                                     the indexer do not wait on it */

/* A closed block on its way to the background compressor. */
typedef struct tc__dsw_slot {
	tc_buf raw;
	uint32_t first;               /* its first doc */
} tc__dsw_slot;

typedef struct tc__dsw {
	tc__wfile f;
	tc_buf raw, z, index;
	tc_buf coded;                 /* a value in vncode, before it joins its record */
	uint32_t ndocs, nblocks, block_first;
	uint64_t raw_bytes;
	void *cctx;                   /* ZSTD_CCtx */
	void *cdict;                  /* ZSTD_CDict of the dictionary, NULL without one */
	uint32_t dict_len;
	int decided;                  /* dictionary decided; blocks go straight to the file */
	tc_buf held;                  /* until then: the closed blocks' records, back to back */
	size_t *held_len;             /* raw length of each held block */
	uint32_t *held_first;         /* first doc of each held block */
	size_t nheld, cap_held;
	size_t *rec_len;              /* length of each held record: the training samples */
	size_t nrec, cap_rec;
	/* background compression (tc__dsw_background): once the dictionary is decided, closed
	   blocks queue here and a thread of their own compresses and writes them in order;
	   from then on only that thread touches f, z, index, cctx, raw_bytes and nblocks */
	int bg;                       /* asked for: the lock and the queue are set up */
	int bg_running, bg_quit;
	pthread_t bg_thread;
	pthread_mutex_t bg_mu;
	pthread_cond_t bg_cv;         /* a block queued or done, or quit */
	tc__dsw_slot bg_slot[TC__DSW_QUEUE];
	size_t bg_head, bg_count;     /* the queue: slots head .. head + count - 1 */
} tc__dsw;

int tc__dsw_open(tc__dsw *w, const char *dir, uint64_t seg_id, tc_error *err);
/* Compresses on a thread of its own from now on (the file is the same byte for byte). */
void tc__dsw_background(tc__dsw *w);
void tc__dsw_add(tc__dsw *w, const char *id, size_t id_len, const tc_field_value *fields,
                 size_t nfields);
int tc__dsw_close(tc__dsw *w, tc_error *err);
void tc__dsw_free(tc__dsw *w);
/* Writes <seg>.ids from the ids of docs 0..ndocs-1 (doc d = heap[offs[d]..offs[d+1])). */
int tc__ids_write(const char *dir, uint64_t seg_id, const tc_buf *heap, const uint32_t *offs,
                  uint32_t ndocs, tc_error *err);
int tc__docstore_open(tc_segment *seg, tc_error *err);
void tc__docstore_close(tc_segment *seg);
int tc__ids_open(tc_segment *seg, tc_error *err);
void tc__ids_close(tc_segment *seg);
/* A walk over the sorted id map, entry after entry; zero-initialised, it starts at the
   first. The id read last is in the caller's buffer, which the next entry builds on
   (front coding). */
typedef struct tc__ids_cur {
	const unsigned char *p, *end;
	uint32_t b;        /* the block walked */
	uint32_t j, k;     /* entries read, of the block's k (0 of 0: none begun) */
	uint32_t doc0, run;
	uint32_t doc, len; /* of the entry read last */
} tc__ids_cur;
/* The next entry of the walk: its id into buf (TC_MAX_ID bytes holding the previous id,
   not NUL-terminated), c->len bytes, of doc c->doc. TC_ENOENT past the last, TC_ECORRUPT
   naming the fault. */
int tc__ids_next(const tc_segment *seg, tc__ids_cur *c, char *buf, tc_error *err);
/* Decompresses block b and walks all its records (for check); *first..*next_first
   are its docs, *raw its decompressed size. scratch is a tc_doc used for its buffers. */
int tc__docstore_check_block(const tc_segment *seg, uint32_t b, tc_doc *scratch,
                             uint32_t *first, uint32_t *next_first, size_t *raw,
                             tc_error *err);

/* ---- Interface to numeric.c ---- */

typedef struct tc__numw_entry {
	double value;
	uint32_t doc, pos, unit;
	uint8_t field;
} tc__numw_entry;

typedef struct tc__numw {
	tc__numw_entry *e;
	size_t n, cap;
	tc_buf heap;                  /* unit keys, back to back */
	uint32_t *unit_off;           /* unit u = heap[unit_off[u] .. unit_off[u+1]) */
	size_t unit_off_cap;
	uint32_t nunits;
	uint32_t *slots;              /* open addressing over unit ids; UINT32_MAX = empty */
	size_t nslots;
} tc__numw;

void tc__numw_add(tc__numw *w, const char *unit, size_t len, double value, uint32_t doc,
                  uint8_t field, uint32_t pos);
/* Sorts and writes <seg>.num. */
int tc__numw_write(tc__numw *w, const char *dir, uint64_t seg_id, tc_error *err);
void tc__numw_free(tc__numw *w);
#define TC_NUMERIC_VERSION 3     /* .num: 2 since blocks of 128, 3 since the codec's packed
                                    exceptions */
#define TC_DOCSTORE_VERSION 3    /* of .doc files: version 1 had no dictionary, 2 stored
                                    values as UTF-8 (no vncode) */
#define TC_IDS_VERSION 2         /* of .ids files: version 1 kept every id whole */
#define TC_NUM_BLOCK 128         /* entries per block of .num */

/* One decoded block: entries [first, first + n) of the segment. */
typedef struct tc__num_blk {
	uint64_t first;
	size_t n;
	double value[TC_NUM_BLOCK];
	uint32_t doc[TC_NUM_BLOCK], pos[TC_NUM_BLOCK];
	uint8_t field[TC_NUM_BLOCK];
} tc__num_blk;

int tc__num_open(tc_segment *seg, tc_error *err);
void tc__num_close(tc_segment *seg);
/* Decodes block b (< seg->num.nblocks); TC_ECORRUPT naming the offset when it is bad.
   docs_only: values and docs only (positions and fields are stepped over). */
int tc__num_block(const tc_segment *seg, uint64_t b, int docs_only, tc__num_blk *out,
                  tc_error *err);
/* Entry i (< seg->num.n), through a per-thread cache of one decoded block; a bad block
   gives doc UINT32_MAX (above any doc count), which callers check anyway. */
void tc__num_entry(const tc_segment *seg, uint64_t i, tc_num_entry *e);
/* 1 and the entry range of unit key, or 0 when the segment has no such unit. */
int tc__num_unit_find(const tc_segment *seg, const char *key, size_t len, uint64_t *first,
                      uint64_t *count);

/* ---- Interface to fieldlen.c ---- */

/* Writes <seg>.fln from lens[doc * nfields + field]. */
int tc__fln_write(const char *dir, uint64_t seg_id, const uint32_t *lens, uint32_t ndocs,
                  unsigned nfields, tc_error *err);
int tc__fln_open(tc_segment *seg, tc_error *err);

#endif
