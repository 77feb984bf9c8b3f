/*
 * storage.h — the on-disk index: segments, manifest, deletes, snapshots, merges.
 *
 * storage knows bytes, not Vietnamese. An index is a directory:
 *
 *   MANIFEST               the commit point: live segments, their delete generations,
 *                          the field table and the commit generation (replaced atomically)
 *   LOCK                   flock()ed by the one writer (tc_index_lock)
 *   <seg>.tdx              term dictionary         <seg> = segment id, 16 hex digits
 *   <seg>.pst              postings: doc ids, freqs, skip/impact data
 *   <seg>.pos              positions
 *   <seg>.fln              field lengths per doc and field, per-field totals
 *   <seg>.doc              doc store (zstd blocks)
 *   <seg>.ids              external id -> local doc id, sorted
 *   <seg>.num              numeric index and unit vocabulary
 *   <seg>.<gen>.del        tombstones of <seg> as of delete generation <gen> (a bitset)
 *
 * Every file starts with a header (magic, format version) and ends with a footer holding
 * an xxHash64 of everything before it. Byte-level formats: storage/FORMAT.md.
 *
 * Who uses what:
 *   indexer/  tc_index_lock, tc_manifest_*, tc_segw_* (write a segment), tc_del_write,
 *             tc_merge_* (merge segments), tc_index_gc, and the reader API to find ids.
 *   query/    tc_snapshot_* and tc_seg_* (read-only), tc_postings_*, tc_termit_*.
 *   cli/      tc_index_check, tc_seg_stats.
 *
 * Conventions (common/err.h): functions return 0 (TC_OK) or a negative TC_E* code and
 * fill the optional tc_error with what and where. Damaged data is TC_ECORRUPT with the
 * file name and byte offset in the message. Constructors set *out = NULL on failure;
 * every free/release function accepts NULL.
 *
 * Threads: a tc_snapshot and its segments are immutable and may be shared by any number
 * of threads (retain/release are atomic). Iterators (tc_postings, tc_termit) and tc_doc
 * belong to one thread at a time. A tc_segw / tc_merge is used by one thread; several may
 * run in parallel on different segments.
 */
#ifndef TC_STORAGE_H
#define TC_STORAGE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"

/* ---------------------------------------------------------------------------------- */
/* Constants                                                                          */
/* ---------------------------------------------------------------------------------- */

#define TC_DOC_END UINT32_MAX        /* iterator sentinel: past the last doc */
#define TC_MAX_FIELDS 255            /* field ids are one byte in term keys */
#define TC_MAX_KEY 512               /* longest term key in bytes (kind+field+term) */
#define TC_MAX_UNIT 255              /* longest numeric unit key in bytes */
#define TC_MAX_ID 1024               /* longest external id in bytes */
#define TC_MAX_SEG_DOCS 0x7fffffffu  /* docs per segment; local ids 0..n-1 */
#define TC_POSTINGS_BLOCK 128        /* docs per postings block */

/*
 * First byte of a term key: what the key indexes. An exact form is not a kind of its
 * own in the key: it is filed under its folded form, as that key followed by a 0 byte
 * and the exact form ('f' field "hop" 0 "họp"), so it sorts right after its folded key
 * (its *base*) and its postings can be stored as ranks within the base's (postings.c).
 * TC_KIND_EXACT names that kind of key in statistics and in the indexer.
 */
#define TC_KIND_FOLDED 'f'  /* folded syllable; postings with positions */
#define TC_KIND_STEM 's'    /* Snowball stem; postings with positions */
#define TC_KIND_EXACT 'e'   /* exact form (see above); doc ids and freqs only */

/* Fixed field ids (the rest are assigned by the indexer in order of appearance). */
#define TC_FIELD_TITLE 0
#define TC_FIELD_BODY 1

/*
 * Unit keys are opaque bytes to storage. The indexer files dates under the keys of
 * analysis/quantity.h ("@date" for dates in the text) and indexer/doc.h ("@docdate" for
 * the document's date field), with value = days since 1970-01-01 (may be negative).
 */

/* The length of the base of an exact form's key ('f' field base 0 exact: the key up to
   its 0 byte), or 0 when key is not an exact form's. The exact form starts after it + 1. */
static inline size_t tc_key_base_len(const void *key, size_t len)
{
	const unsigned char *k = key, *nul;
	if (len <= 3 || k[0] != TC_KIND_FOLDED || (nul = memchr(k + 2, 0, len - 2)) == NULL)
		return 0;
	return (size_t)(nul - k);
}

/* Whether key is an exact form's. */
static inline int tc_key_is_exact(const void *key, size_t len)
{
	return tc_key_base_len(key, len) != 0;
}

/* Whether postings of key carry positions (every key but an exact form's). */
static inline int tc_key_has_positions(const void *key, size_t len)
{
	return len > 0 && !tc_key_is_exact(key, len);
}

/*
 * Writes the key of the exact form exact[0..elen) of the folded form folded[0..flen) in
 * field into out (room for TC_MAX_KEY bytes); returns its length, 0 when it would not
 * fit.
 */
static inline size_t tc_key_exact(unsigned char *out, unsigned field, const char *folded,
                                  size_t flen, const char *exact, size_t elen)
{
	if (flen == 0 || elen == 0 || flen + elen + 3 > TC_MAX_KEY)
		return 0;
	out[0] = TC_KIND_FOLDED;
	out[1] = (unsigned char)field;
	memcpy(out + 2, folded, flen);
	out[2 + flen] = 0;
	memcpy(out + 3 + flen, exact, elen);
	return flen + elen + 3;
}

/* ---------------------------------------------------------------------------------- */
/* Manifest, lock, deletes, garbage collection (manifest.c)                            */
/* ---------------------------------------------------------------------------------- */

/* One live segment as named by the manifest. */
typedef struct tc_manifest_seg {
	uint64_t id;        /* segment id: files are <16 hex digits of id>.<ext> */
	uint32_t ndocs;     /* docs in the segment, deleted ones included */
	uint32_t ndeleted;  /* docs marked in the delete file (0 when del_gen == 0) */
	uint64_t del_gen;   /* generation of its .del file; 0 = no deletes */
} tc_manifest_seg;

/*
 * The commit point of an index. A plain value: the caller owns it, may edit it (add or
 * drop segments, bump del_gen, append fields) and commits it with tc_manifest_commit().
 * Free with tc_manifest_free(). Zero-initialised = an empty index.
 */
typedef struct tc_manifest {
	uint64_t generation;   /* commit generation; tc_manifest_commit() increments it */
	uint64_t next_seg_id;  /* next unused segment id (see tc_manifest_new_seg_id) */
	uint64_t next_del_gen; /* next unused delete generation (see tc_manifest_new_del_gen) */
	size_t nfields;        /* field table: name of field id i is fields[i] */
	char **fields;         /* owned, NUL-terminated; [0]="title", [1]="body" by convention */
	size_t nsegs;
	size_t segs_cap;
	tc_manifest_seg *segs; /* owned, in the order segments were added */
} tc_manifest;

/*
 * Reads dir/MANIFEST into *m (which is overwritten; free it with tc_manifest_free).
 * TC_ENOENT when dir has no MANIFEST (not an index yet: start from a zeroed manifest),
 * TC_ECORRUPT / TC_EVERSION when the file cannot be trusted.
 */
int tc_manifest_read(const char *dir, tc_manifest *m, tc_error *err);

/*
 * Makes m the new commit point of dir: increments m->generation, writes MANIFEST.tmp,
 * fsyncs it, renames it over MANIFEST and fsyncs dir. Every file m names must already be
 * durable (tc_segw_finish, tc_merge_finish and tc_del_write fsync theirs). Checks m first
 * (field names unique and non-empty, segment ids unique and < next_seg_id, ndeleted <=
 * ndocs, del_gen < next_del_gen): TC_EINVAL if not. On failure the old MANIFEST stays
 * the commit point and m->generation is unchanged. Does not collect garbage: call
 * tc_index_gc() afterwards.
 */
int tc_manifest_commit(const char *dir, tc_manifest *m, tc_error *err);

/* Deep copy of src into *dst (which is overwritten). */
void tc_manifest_copy(tc_manifest *dst, const tc_manifest *src);
void tc_manifest_free(tc_manifest *m);

/* Returns m->next_seg_id and increments it: the id for a new segment. */
uint64_t tc_manifest_new_seg_id(tc_manifest *m);
/* Returns m->next_del_gen (at least 1) and increments it: the generation of a new .del. */
uint64_t tc_manifest_new_del_gen(tc_manifest *m);
/* Appends a segment entry (del_gen 0, ndeleted 0). */
void tc_manifest_add_seg(tc_manifest *m, uint64_t id, uint32_t ndocs);
/* Index of segment id in m->segs, or -1. */
long tc_manifest_find_seg(const tc_manifest *m, uint64_t id);
/* Removes m->segs[i], keeping the order of the others. */
void tc_manifest_remove_seg(tc_manifest *m, size_t i);
/* Field id of name, or -1. */
int tc_manifest_field_id(const tc_manifest *m, const char *name);
/* Field id of name, appending it when new. TC_ELIMIT past TC_MAX_FIELDS. */
int tc_manifest_field_add(tc_manifest *m, const char *name, tc_error *err);

/*
 * The writer lock: creates dir (mode 0777 & ~umask) if missing, then takes an exclusive
 * flock() on dir/LOCK. TC_ELOCKED when another process (or another lock in this one)
 * holds it. *fd_out is the lock; tc_index_unlock(fd) releases it.
 */
int tc_index_lock(const char *dir, int *fd_out, tc_error *err);
void tc_index_unlock(int fd);

/*
 * Writes the delete bitset of segment seg_id, generation gen: dir/<seg>.<gen>.del.
 * bits has (ndocs + 7) / 8 bytes; bit d (bits[d >> 3] >> (d & 7) & 1) set = doc d is
 * deleted. The file is written to a temporary name, fsynced and renamed, so it is either
 * whole or absent. *ndeleted_out (if not NULL) gets the number of set bits, for the
 * manifest entry. The caller then sets del_gen/ndeleted in the manifest and commits.
 */
int tc_del_write(const char *dir, uint64_t seg_id, uint64_t gen, const uint8_t *bits,
                 uint32_t ndocs, uint32_t *ndeleted_out, tc_error *err);

/*
 * Reads a delete bitset: *bits_out gets a tc_malloc'ed array of (ndocs + 7) / 8 bytes
 * (caller frees) and the file's checksum and doc count are verified.
 */
int tc_del_read(const char *dir, uint64_t seg_id, uint64_t gen, uint32_t ndocs,
                uint8_t **bits_out, tc_error *err);

/*
 * Removes the files of dir that belong to no segment of m: files of other segment ids,
 * delete files of other generations, stray temporary files. keep[0..nkeep) are segment
 * ids being written right now (not committed yet) whose files must stay. Readers that
 * still have removed files mmapped keep working (unlink of a mapped file is safe). Only
 * names storage creates are touched; anything else in dir is left alone. *removed (if
 * not NULL) gets the number of files removed. Call it only while holding the lock, with
 * the manifest just committed.
 */
int tc_index_gc(const char *dir, const tc_manifest *m, const uint64_t *keep, size_t nkeep,
                size_t *removed, tc_error *err);

/* ---------------------------------------------------------------------------------- */
/* Segment writer (segwriter.c)                                                        */
/* ---------------------------------------------------------------------------------- */

/* A stored field of a document: field id and value bytes (any bytes, usually UTF-8). */
typedef struct tc_field_value {
	uint8_t field;      /* field id, < nfields of the writer */
	const char *data;   /* borrowed for the duration of the call */
	uint32_t len;
} tc_field_value;

/* What a finished segment holds; the indexer copies id and ndocs into the manifest. */
typedef struct tc_seg_info {
	uint64_t id;
	uint32_t ndocs;
	uint64_t nterms;
	uint64_t bytes;  /* all files of the segment together */
} tc_seg_info;

typedef struct tc_segw tc_segw;

/*
 * Starts segment seg_id in dir. nfields = size of the field table this segment uses
 * (field ids < nfields; field lengths are kept for each of them). The calls that follow
 * must come in this order:
 *
 *   tc_segw_add_doc      once per document, doc ids 0, 1, 2, ... in call order
 *   tc_segw_term_begin / tc_segw_term_doc ... / tc_segw_term_end
 *                        once per term, keys in strictly ascending memcmp order
 *   tc_segw_add_num      any time before finish, any order (the writer sorts), unless
 *                        tc_segw_numbers_done was called
 *   tc_segw_finish       or tc_segw_abort
 *
 * Docs come first because each postings block records the smallest field length of its
 * docs (the block-max WAND bound). Postings, positions and the doc store are streamed
 * to disk as they come; held in memory are the field lengths (4 bytes per doc and
 * field), the id map (the ids' bytes), the numeric entries (~24 bytes each), and one
 * term's current block. Errors are sticky: after a failed call every later call returns
 * the same code, and only tc_segw_abort() remains useful.
 */
int tc_segw_open(const char *dir, uint64_t seg_id, unsigned nfields, tc_segw **out,
                 tc_error *err);

/*
 * Optional, after the last tc_segw_add_doc and tc_segw_add_num: neither may come again
 * (TC_EINVAL), and the files that depend only on them (ids, field lengths, the numeric
 * index with its sort) are written by a thread of their own while the terms are
 * written; tc_segw_finish waits for it and reports its error.
 */
void tc_segw_numbers_done(tc_segw *w);

/*
 * Compresses the doc store on a thread of its own from here on (the files are the same
 * byte for byte): for a caller that keeps other cores busy while it adds documents, such
 * as the indexer with several analysis threads, so that compression leaves its thread.
 */
void tc_segw_background(tc_segw *w);

/*
 * Adds the next document (its local id is the number of docs added before it).
 * id = external id, 1..TC_MAX_ID bytes, unique within the segment (TC_EINVAL on a
 * duplicate, detected at finish). fields = its stored fields in any order (a field may
 * repeat; all are stored and returned in this order). field_lens[nfields] = token count
 * of each field (the BM25 length); NULL = all zero.
 */
int tc_segw_add_doc(tc_segw *w, const char *id, size_t id_len, const tc_field_value *fields,
                    size_t nfields, const uint32_t *field_lens, tc_error *err);

/*
 * Starts the postings of key (kind byte, field byte, term bytes; 3..TC_MAX_KEY bytes).
 * TC_EINVAL if key is not greater than the previous key, if the field byte is not below
 * nfields, or if no doc was added.
 */
int tc_segw_term_begin(tc_segw *w, const void *key, size_t len, tc_error *err);

/*
 * Coding positions is most of the cost of writing a term, and the same bytes whoever
 * codes them: a caller with a core to spare codes a term's positions on it, block by
 * block, and hands them over right after tc_segw_term_begin.
 *
 * tc_segw_code_positions appends the code of one block, k <= TC_POSTINGS_BLOCK docs with
 * freq[j] positions each (pos doc after doc), to out; scratch is a buffer it reuses.
 * Thread-safe. tc_segw_term_coded_positions gives the current term's blocks: every
 * TC_POSTINGS_BLOCK docs of its list in order, the last with the rest, block b being
 * block_len[b] bytes after the blocks before it in bytes. The term's docs then come with
 * pos NULL; bytes and block_len must stay valid until tc_segw_term_end, which fails
 * (TC_EINVAL) when the number of blocks does not match the docs.
 */
void tc_segw_code_positions(tc_buf *out, const uint32_t *pos, const uint32_t *freq, uint32_t k,
                            tc_buf *scratch);
int tc_segw_term_coded_positions(tc_segw *w, const unsigned char *bytes,
                                 const uint32_t *block_len, uint32_t nblocks, tc_error *err);

/*
 * Adds one doc to the current term: doc ids strictly ascending and < number of docs
 * added, freq >= 1. For keys with positions (tc_key_has_positions), pos[0..freq) are
 * the doc's positions in this field, ascending (equal positions allowed), unless they
 * were given coded (above); otherwise pos must be NULL.
 */
int tc_segw_term_doc(tc_segw *w, uint32_t doc, uint32_t freq, const uint32_t *pos,
                     tc_error *err);

/* Ends the current term. A term with no docs is TC_EINVAL. */
int tc_segw_term_end(tc_segw *w, tc_error *err);

/*
 * Adds a numeric entry: unit key (1..TC_MAX_UNIT bytes), value (finite; NaN is
 * TC_EINVAL), doc (< docs added by finish), field, position.
 */
int tc_segw_add_num(tc_segw *w, const char *unit, size_t unit_len, double value,
                    uint32_t doc, uint8_t field, uint32_t pos, tc_error *err);

/*
 * Writes what remains, fsyncs every file of the segment and frees w (also on failure,
 * when the partial files are removed). *info (if not NULL) describes the segment. The
 * segment is not live until a manifest naming it is committed.
 */
int tc_segw_finish(tc_segw *w, tc_seg_info *info, tc_error *err);

/* Frees w and removes the files it wrote. Accepts NULL. */
void tc_segw_abort(tc_segw *w);

/* ---------------------------------------------------------------------------------- */
/* Snapshot and segment readers (segment.c)                                            */
/* ---------------------------------------------------------------------------------- */

typedef struct tc_snapshot tc_snapshot;
typedef struct tc_segment tc_segment;

enum tc_snapshot_flag {
	TC_SNAP_VERIFY = 1 << 0  /* verify the checksum of every file (big ones too) at open */
};

/*
 * Opens the last commit of dir: reads MANIFEST, mmaps every live segment and reads its
 * delete bitset. Small files (manifest, .del, .fln, .num, .ids) are checksum-verified;
 * big files (.tdx, .pst, .pos, .doc) get their header and footer checked, and their
 * content is decoded bounds-safe (damage is TC_ECORRUPT, never a crash), unless flags
 * has TC_SNAP_VERIFY. A commit racing with the open (its garbage collection removing
 * files of the older commit) is retried. TC_ENOENT when dir holds no index. The snapshot
 * starts with one reference; it never changes, whatever later commits do.
 */
int tc_snapshot_open(const char *dir, unsigned flags, tc_snapshot **out, tc_error *err);

/* Adds a reference. Returns s. */
tc_snapshot *tc_snapshot_retain(tc_snapshot *s);
/* Drops a reference; the last one unmaps everything. Accepts NULL. */
void tc_snapshot_release(tc_snapshot *s);

/* The manifest this snapshot was opened from (read-only, lives as long as s). */
const tc_manifest *tc_snapshot_manifest(const tc_snapshot *s);
uint64_t tc_snapshot_generation(const tc_snapshot *s);
size_t tc_snapshot_nsegments(const tc_snapshot *s);
/* Segment i (0 <= i < nsegments), in manifest order; borrowed, lives as long as s. */
const tc_segment *tc_snapshot_segment(const tc_snapshot *s, size_t i);

/* Docs in all segments, deleted ones included (the N of BM25, like Lucene's maxDoc). */
uint64_t tc_snapshot_ndocs(const tc_snapshot *s);
/* Docs not deleted. */
uint64_t tc_snapshot_nlive(const tc_snapshot *s);
/* Field table: number of fields, name of an id (NULL if out of range), id of a name. */
size_t tc_snapshot_nfields(const tc_snapshot *s);
const char *tc_snapshot_field_name(const tc_snapshot *s, unsigned field);
int tc_snapshot_field_id(const tc_snapshot *s, const char *name);
/*
 * Sum of the lengths of field over all docs of all segments, deleted ones included; the
 * average field length of BM25 is this / tc_snapshot_ndocs().
 */
uint64_t tc_snapshot_field_total(const tc_snapshot *s, unsigned field);

/*
 * Unit vocabulary of the whole snapshot, sorted by key (memcmp): every unit key with its
 * number of entries summed over segments (deleted docs' entries included).
 * tc_snapshot_unit(s, i, ...) for 0 <= i < tc_snapshot_nunits(s); key points into memory
 * owned by s. tc_snapshot_unit_count() looks one key up: 0 when absent.
 */
size_t tc_snapshot_nunits(const tc_snapshot *s);
void tc_snapshot_unit(const tc_snapshot *s, size_t i, const char **key, size_t *len,
                      uint64_t *count);
uint64_t tc_snapshot_unit_count(const tc_snapshot *s, const char *key, size_t len);

/* --- one segment; every pointer handed out lives as long as the snapshot --- */

uint64_t tc_seg_id(const tc_segment *seg);
/* Local doc ids are 0..tc_seg_ndocs()-1, deleted ones included. */
uint32_t tc_seg_ndocs(const tc_segment *seg);
uint32_t tc_seg_ndeleted(const tc_segment *seg);
/* 1 if doc is deleted in this snapshot (or out of range), else 0. */
int tc_seg_is_deleted(const tc_segment *seg, uint32_t doc);
/* The delete bitset ((ndocs+7)/8 bytes, bit set = deleted), or NULL when none is. */
const uint8_t *tc_seg_deleted_bits(const tc_segment *seg);

/* Number of fields this segment keeps lengths for (its writer's nfields). */
unsigned tc_seg_nfields(const tc_segment *seg);
/* Token count of field in doc; 0 when field >= tc_seg_nfields or doc out of range. */
uint32_t tc_seg_field_len(const tc_segment *seg, uint32_t doc, unsigned field);
/* Sum of tc_seg_field_len over every doc of the segment (deleted ones included). */
uint64_t tc_seg_field_total(const tc_segment *seg, unsigned field);

/* What the dictionary says about one term of a segment. */
typedef struct tc_term_info {
	uint32_t df;        /* docs containing the term (deleted ones included) */
	uint64_t ttf;       /* total occurrences over those docs */
	uint32_t max_tf;    /* largest freq in any doc, and ... */
	uint32_t min_len;   /* ... smallest field length of any doc: BM25 bound of the term */
	uint64_t doc_off;   /* where its postings start in .pst (for tc_postings_open) */
	uint64_t pos_off;   /* where its positions start in .pos (0, unused, when none) */
	uint8_t has_pos;    /* 1 when positions are stored */
	uint8_t shared;     /* TC_SHARED_DOCS | TC_SHARED_POS: the postings (positions) it
	                       points to are an earlier term's, the same bytes */
	uint8_t exact;      /* an exact form's key: its postings are ranks within base's */
	struct tc_term_base {
		uint32_t df, max_tf, min_len;
		uint64_t ttf, doc_off, pos_off;
		uint8_t shared;
	} base;             /* exact only: the folded key's, whose docs hold the exact form */
} tc_term_info;

/* Whether an exact form's docs and freqs are all of its base's: the word is written
   only that way in the field (its postings take no bytes then). */
static inline int tc_term_exact_everywhere(const tc_term_info *ti)
{
	return ti->exact && ti->df == ti->base.df && ti->ttf == ti->base.ttf;
}

#define TC_SHARED_DOCS 1
#define TC_SHARED_POS 2

/* Exact lookup of key in seg: 0 and *info, TC_ENOENT when absent, or TC_ECORRUPT. */
int tc_seg_term_lookup(const tc_segment *seg, const void *key, size_t len,
                       tc_term_info *info, tc_error *err);

/*
 * Iteration over the terms of a segment whose key starts with prefix (len 0 = every
 * term), in key order, straight from the mmap:
 *
 *   tc_termit *it; const unsigned char *k; size_t n; tc_term_info ti;
 *   rc = tc_termit_open(seg, "fb" "cai", 5, &it, err);
 *   if (rc == 0)
 *       while ((rc = tc_termit_next(it, &k, &n, &ti, err)) == 1) { ... }
 *   tc_termit_free(it);
 *
 * next returns 1 with the next term, 0 at the end, or a negative error. The key is
 * reassembled in the iterator's buffer: valid until the next call.
 */
typedef struct tc_termit tc_termit;
int tc_termit_open(const tc_segment *seg, const void *prefix, size_t len, tc_termit **out,
                   tc_error *err);
int tc_termit_next(tc_termit *it, const unsigned char **key, size_t *len,
                   tc_term_info *info, tc_error *err);
void tc_termit_free(tc_termit *it);

/*
 * Postings iterator of one term of one segment (STYLE.md §2.8). It starts before the
 * first doc:
 *
 *   for (d = tc_postings_next(p); d != TC_DOC_END; d = tc_postings_next(p)) { ... }
 *
 * next/seek return the new current doc or TC_DOC_END, and may be called again after the
 * end (they keep returning TC_DOC_END). seek(target) moves to the first doc >= target;
 * target must be >= the current doc (a smaller target leaves it where it is). Deleted
 * docs are NOT skipped (check tc_seg_is_deleted). On damaged data next/seek return
 * TC_DOC_END and tc_postings_error() returns TC_ECORRUPT (sticky) with the message.
 *
 * Block-level access for block-max WAND: docs are in blocks of TC_POSTINGS_BLOCK, and
 * each block's skip entry holds its last doc, its largest freq and the smallest field
 * length among its docs. tc_postings_shallow(p, target) moves the *block cursor* to the
 * block that would contain target (the first block whose last doc >= target) without
 * decoding any block and without moving the current doc; it returns that block's last
 * doc or TC_DOC_END. The block_* getters describe the block under the block cursor,
 * which next/seek move along with the current doc (the cursor is the later of the two).
 * Before anything was called the block cursor is on the first block.
 */
typedef struct tc_postings tc_postings;

/*
 * Opens the postings of info (from lookup or a term iterator of the same segment).
 * Positions are decoded lazily, only for docs whose positions are asked for.
 */
int tc_postings_open(const tc_segment *seg, const tc_term_info *info, tc_postings **out,
                     tc_error *err);
void tc_postings_free(tc_postings *p);
uint32_t tc_postings_next(tc_postings *p);
uint32_t tc_postings_seek(tc_postings *p, uint32_t target);
/*
 * The first doc >= target that all of p[0..n) hold (n >= 1, lists of one segment), or
 * TC_DOC_END: each list is sought in turn, the first again whenever another overshoots,
 * so put the shortest list first. On a doc, every list stands on it; at the end, the
 * lists stand anywhere at or past target.
 */
uint32_t tc_postings_seek_all(tc_postings *const *p, size_t n, uint32_t target);
/* Current doc; TC_DOC_END at the end; unspecified before the first next/seek. */
uint32_t tc_postings_doc(const tc_postings *p);
/* Freq of the current doc (>= 1). */
uint32_t tc_postings_freq(const tc_postings *p);
/*
 * Positions of the current doc, ascending: *pos gets freq values in memory owned by p,
 * valid until p moves. TC_EINVAL when the term has no positions.
 */
int tc_postings_positions(tc_postings *p, const uint32_t **pos, uint32_t *n,
                          tc_error *err);
uint32_t tc_postings_shallow(tc_postings *p, uint32_t target);
uint32_t tc_postings_block_last(const tc_postings *p);     /* TC_DOC_END past the end */
uint32_t tc_postings_block_max_tf(const tc_postings *p);   /* 0 past the end */
uint32_t tc_postings_block_min_len(const tc_postings *p);  /* UINT32_MAX past the end */
/* Docs in the list (= df). */
uint32_t tc_postings_count(const tc_postings *p);
/* Index of the current doc in the list (0 for the first doc): its rank. Only while the
   list stands on a doc (after a next or seek that did not return TC_DOC_END). */
uint32_t tc_postings_rank(const tc_postings *p);

/*
 * An exact form's list by ranks (info->exact): the same iterator, over the ranks of its
 * base list instead of doc ids (rank r = the base's doc number r, tc_postings_rank of
 * a base cursor standing on it). A query that walks the base anyway asks "is this doc
 * of the base also written this way" as tc_postings_seek(exact, rank) == rank, and
 * decodes nothing of the base twice. Freqs are not available this way (what
 * tc_postings_freq returns means nothing); tc_postings_open gives the exact form's docs
 * and freqs by doc id.
 * TC_EINVAL when info is not an exact form's or is written everywhere
 * (tc_term_exact_everywhere: every rank, no list to open).
 */
int tc_postings_open_ranks(const tc_segment *seg, const tc_term_info *info,
                           tc_postings **out, tc_error *err);
/*
 * Sets in bits the bit of every value of a list not yet walked (no next or seek so
 * far): doc ids, or ranks for a list opened by ranks (bit v of bits[v / 64]). bits must
 * be all zero where the list's values fall, and have room for the segment's docs (the
 * base's df for ranks). The list stays unstarted, to be walked or sought after. For a
 * query that wants whole lists at once, as bitmaps. TC_EINVAL on a started list, or
 * the list's damage.
 */
int tc_postings_fill_bits(tc_postings *p, uint64_t *bits, tc_error *err);
/* The skip data of every block, for a query that walks them itself: their number, and
   block b's (b below it) last doc (rank, by ranks) and largest freq. */
uint32_t tc_postings_blocks(const tc_postings *p);
void tc_postings_block_at(const tc_postings *p, uint32_t b, uint32_t *last, uint32_t *max_tf);
/* Puts the list back before its first doc, block cursor included, as if just opened
   (a damaged list stays damaged). */
void tc_postings_rewind(tc_postings *p);
/* TC_OK, or the sticky error (and its message into err). */
int tc_postings_error(const tc_postings *p, tc_error *err);

/*
 * A fetched document. Zero-initialise, pass to tc_seg_doc_get as often as you like (it
 * keeps the last decompressed block, so fetching docs of the same block again is cheap)
 * and tc_doc_free() it at the end. The strings point into memory owned by the tc_doc,
 * valid until its next use; they are NUL-terminated.
 */
typedef struct tc_doc {
	const char *id;             /* external id */
	uint32_t id_len;
	size_t nfields;             /* stored fields, in the order they were added */
	tc_field_value *fields;
	/* private */
	size_t fields_cap;
	tc_buf block;               /* decompressed block */
	tc_buf vals;                /* NUL-terminated copies of id and values */
	void *dctx;                 /* zstd decompression context, reused */
	const tc_segment *seg;      /* block cache key: segment, its serial, block number */
	uint64_t block_no;
	uint64_t seg_serial;
	uint32_t next_doc;          /* the record after the last one fetched from the block, */
	size_t next_off;            /* and its offset: fetching in doc order is linear */
} tc_doc;

/* Fetches doc (deleted or not) of seg into *out; decompresses at most one block. */
int tc_seg_doc_get(const tc_segment *seg, uint32_t doc, tc_doc *out, tc_error *err);
void tc_doc_free(tc_doc *d);
/* The first stored value of field in d, or NULL (then *len is 0). */
const char *tc_doc_field(const tc_doc *d, unsigned field, uint32_t *len);

/*
 * External id of doc (deleted or not) without touching the doc store: *id points into
 * the segment's memory (not NUL-terminated; the id map is decoded at open), valid as
 * long as the snapshot. TC_ENOENT out of range.
 */
int tc_seg_doc_id(const tc_segment *seg, uint32_t doc, const char **id, uint32_t *len);

/* Local doc id of external id: 0, or TC_ENOENT. Deleted docs are found too. */
int tc_seg_id_lookup(const tc_segment *seg, const char *id, size_t len, uint32_t *doc,
                     tc_error *err);

/* A numeric entry: value of a mention at position pos of field in doc. */
typedef struct tc_num_entry {
	double value;
	uint32_t doc;
	uint32_t pos;
	uint8_t field;
} tc_num_entry;

/* Bounds of a numeric range; use -INFINITY / INFINITY for an open end. */
typedef struct tc_num_range {
	double lo, hi;
	int lo_incl, hi_incl;  /* 1 = bound included */
} tc_num_range;

/* A growable list of entries; zero-initialise, tc_num_hits_free() at the end. */
typedef struct tc_num_hits {
	tc_num_entry *e;
	size_t n, cap;
} tc_num_hits;

/*
 * Appends to out every entry of unit key in seg whose value lies in r, ordered by value
 * then doc (a search for the unit, a binary search over its blocks' first values, then
 * a scan from the one block that holds the low end). Deleted docs are not
 * filtered. An unknown unit adds nothing and returns 0.
 */
int tc_seg_num_range(const tc_segment *seg, const char *unit, size_t unit_len,
                     const tc_num_range *r, tc_num_hits *out, tc_error *err);
void tc_num_hits_free(tc_num_hits *h);

/* The docs of a range's entries, in the same order (a doc once per entry). */
typedef struct tc_num_docs {
	uint32_t *doc;
	size_t n, cap;
} tc_num_docs;

/*
 * The docs of the entries tc_seg_num_range would append, appended to out: for callers
 * that only count mentions per doc, which are spared decoding positions and fields.
 */
int tc_seg_num_range_docs(const tc_segment *seg, const char *unit, size_t unit_len,
                          const tc_num_range *r, tc_num_docs *out, tc_error *err);
void tc_num_docs_free(tc_num_docs *d);

/*
 * Unit vocabulary of one segment, sorted by key: unit i (0 <= i < tc_seg_nunits) with
 * its entry count. key points into the mmap.
 */
size_t tc_seg_nunits(const tc_segment *seg);
void tc_seg_unit(const tc_segment *seg, size_t i, const char **key, size_t *len,
                 uint64_t *count);

/* Sizes and counts of one segment, for `tracuu stats`. */
typedef struct tc_seg_stats {
	uint64_t nterms[3];        /* by kind: [0] 'f', [1] 's', [2] 'e' */
	uint64_t postings_bytes[3];/* .pst bytes (doc ids, freqs, skip data) by kind */
	uint64_t positions_bytes[3];/* .pos bytes by kind (0 for 'e') */
	uint64_t dict_bytes;       /* .tdx */
	uint64_t docstore_bytes;   /* .doc + .ids */
	uint64_t docdict_bytes;    /* of which the doc store's zstd dictionary (0: none) */
	uint64_t fieldlen_bytes;   /* .fln */
	uint64_t numeric_bytes;    /* .num */
	uint64_t nnum;             /* numeric entries */
	uint64_t file_bytes;       /* every file of the segment, .del included */
} tc_seg_stats;
void tc_seg_stats_get(const tc_segment *seg, tc_seg_stats *out);

/* ---------------------------------------------------------------------------------- */
/* Merge (merge.c)                                                                     */
/* ---------------------------------------------------------------------------------- */

/*
 * Merges segments of a snapshot into a new segment, dropping the docs deleted in that
 * snapshot. New doc ids follow the inputs' live docs in input order (all live docs of
 * in[0], then of in[1], ...), so the order of documents is kept. The work is done in
 * bounded steps so a caller can interleave it with other work:
 *
 *   tc_merge *m;
 *   rc = tc_merge_begin(dir, new_id, snap, in, nin, nfields, &m, err);
 *   while (rc == 0 && (rc = tc_merge_step(m, 1000, err)) == 1) { ... }
 *   if (rc == 0) rc = tc_merge_finish(m, &info, err); else tc_merge_abort(m);
 *
 * in[] are segments of snap (which the merge retains until finish/abort), nfields >= the
 * nfields of every input (the current field table size). Memory: 4 bytes per input doc
 * (the doc maps) plus what a segment writer keeps for the merged segment (its ids,
 * field lengths and numeric entries); postings and stored fields stream through. If
 * every doc of the inputs is deleted the result is a valid segment of 0 docs, which the
 * caller may simply leave out of the manifest.
 */
typedef struct tc_merge tc_merge;
int tc_merge_begin(const char *dir, uint64_t new_id, tc_snapshot *snap,
                   const tc_segment *const *in, size_t nin, unsigned nfields,
                   tc_merge **out, tc_error *err);
/*
 * Does about `work` units (a document copied, or a term with up to 128 postings merged)
 * and returns 1 while work remains, 0 when everything is written, or an error.
 */
int tc_merge_step(tc_merge *m, size_t work, tc_error *err);
/*
 * Maps a doc of input segment i to its id in the merged segment: TC_DOC_END if it was
 * deleted (dropped). Valid until finish/abort; use it to carry deletes that were made
 * to the inputs while the merge ran over to the merged segment.
 */
uint32_t tc_merge_map(const tc_merge *m, size_t i, uint32_t doc);
/*
 * After tc_merge_step returned 0: finishes the new segment like tc_segw_finish (files
 * fsynced, *info filled) and frees m. The caller commits a manifest that replaces the
 * inputs by info->id. On failure m is freed and the partial files removed.
 */
int tc_merge_finish(tc_merge *m, tc_seg_info *info, tc_error *err);
/* Frees m and removes the files it wrote. Accepts NULL. */
void tc_merge_abort(tc_merge *m);

/* ---------------------------------------------------------------------------------- */
/* Verification (check.c)                                                              */
/* ---------------------------------------------------------------------------------- */

/*
 * Verifies the index in dir: the manifest, then for every live segment every checksum
 * and invariant (keys strictly sorted, term stats consistent with the postings, doc ids
 * ascending and in range, skip data matching the blocks, positions ascending, field
 * totals, doc store and id map complete and consistent, numeric entries sorted and in
 * range, unit counts, delete bitsets matching the manifest). Each problem found is
 * appended to report as one line ("0000000000000003.pst: offset 4096: ..."). Returns 0
 * when the index is sound, TC_ECORRUPT when anything is wrong (err names the first
 * problem), TC_EVERSION when nothing is wrong but a segment was written in a layout this
 * build does not read (it is listed, and not checked), or another error when dir cannot
 * be read at all (TC_ENOENT: no index). report may be NULL.
 */
int tc_index_check(const char *dir, tc_buf *report, tc_error *err);

#endif
