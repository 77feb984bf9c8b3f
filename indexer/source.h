/*
 * source.h — reading the indexer's input: records out of JSON Lines, zstd-compressed JSON
 * Lines and plain text files.
 *
 * A source yields records. For JSON Lines (`.jsonl`, `.ndjson`, `.jsonl.zst`, `-` for
 * stdin) a record is one line, without its line end ("\n" or "\r\n"); lines that are
 * empty or only white space are skipped but counted, so line numbers match what an
 * editor shows. `.zst` input is decompressed with zstd's streaming API, a window at a
 * time, never whole; stdin is sniffed for the zstd magic number, so `zstdcat`-less
 * pipelines work too. For `.txt` the whole file is one record (one document).
 *
 * Errors come with "file:line: why" in the tc_error and are of two kinds:
 *   - the record is lost but the source goes on (a line longer than the limit,
 *     TC_IX_LINE_MAX unless set: TC_ELIMIT);
 *   - the source cannot go on (unreadable file, corrupt or truncated zstd stream:
 *     TC_EIO / TC_ECORRUPT); the next call returns 0.
 * Either way the caller reports the message, counts one rejection and calls again.
 *
 * Memory: a source owns its buffers; a record's bytes stay valid until the next call to
 * tc_ix_source_next() or tc_ix_source_free(). Not thread-safe (one reader).
 */
#ifndef TC_IX_SOURCE_H
#define TC_IX_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

/* The longest record accepted by default; longer lines are skipped (TC_ELIMIT). */
#define TC_IX_LINE_MAX ((size_t)64 << 20)

enum tc_ix_source_kind {
	TC_IX_JSONL = 1,  /* one JSON object per line */
	TC_IX_TEXT = 2    /* the file is one document */
};

typedef struct tc_ix_record {
	const char *data;   /* the bytes of the record, NUL-terminated (not counted in len) */
	size_t len;
	uint64_t line;      /* 1-based line number of the record in its file (1 for .txt) */
} tc_ix_record;

typedef struct tc_ix_source tc_ix_source;

/*
 * Opens path ("-" = stdin). The kind follows the name: .txt is TC_IX_TEXT; .jsonl,
 * .ndjson, .json and their .zst forms, and "-", are TC_IX_JSONL; anything else is
 * TC_EINVAL. A missing or unreadable file is TC_ENOENT / TC_EIO. *out is NULL on failure.
 */
int tc_ix_source_open(const char *path, tc_ix_source **out, tc_error *err);

/*
 * Reads the next record into *rec. Returns 1 when there is one, 0 at the end, or a
 * negative code with err set (see above); call again after an error.
 */
int tc_ix_source_next(tc_ix_source *s, tc_ix_record *rec, tc_error *err);

/* Sets the longest record accepted (default TC_IX_LINE_MAX), e.g. to spare memory. */
void tc_ix_source_set_max_record(tc_ix_source *s, size_t max);

/* The path as given ("-" for stdin), for messages. */
const char *tc_ix_source_name(const tc_ix_source *s);
int tc_ix_source_kind(const tc_ix_source *s);

/*
 * Progress: bytes of the file read so far (compressed bytes for .zst) and its size
 * (0 when not known, as for a pipe); decoded bytes handed out in records so far.
 */
uint64_t tc_ix_source_in_bytes(const tc_ix_source *s);
uint64_t tc_ix_source_size(const tc_ix_source *s);
uint64_t tc_ix_source_out_bytes(const tc_ix_source *s);

/* Closes the file (not stdin) and frees everything. Accepts NULL. */
void tc_ix_source_free(tc_ix_source *s);

/*
 * The document id a .txt file gets: its base name without the extension
 * ("dir/004_ab.txt" -> "004_ab"). Appends to out (a tc_buf *).
 */
struct tc_buf;
void tc_ix_source_text_id(const char *path, struct tc_buf *out);

#endif
