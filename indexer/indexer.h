/*
 * indexer.h — documents in, committed segments out.
 *
 * How a document travels: a source (source.h) reads records; a worker (doc.h) parses and
 * analyses each into terms, positions, stored fields and quantities; the writer, always
 * the caller's thread, gives it a local doc id in the open segment: stored fields and
 * numeric entries go straight to storage's segment writer (tc_segw), postings into the
 * in-memory inverted index (membuf.h). When the accounted memory reaches the budget the
 * segment is finished (terms written in key order) and committed, so no run ever holds
 * more than one segment's postings; at the end the last one is committed too.
 *
 * Threads: with threads > 1, records are cut into batches that worker threads analyse
 * while the caller's thread reads ahead and writes; batches are written strictly in
 * input order, and flush points depend only on the documents, so the index is the same
 * byte for byte whatever the thread count.
 *
 * Commits: every finished segment is committed (manifest replaced atomically, see
 * storage.h), together with the deletes made so far, then unused files are collected
 * and the merge policy runs: when merge_factor segments of one size tier exist (tiers
 * grow by merge_factor, from 2 MB of live data), they are merged into one, and a
 * segment more than half deleted is rewritten alone. A crash at any point leaves the
 * last commit; nothing committed is lost.
 *
 * Ids: the same `id` again (in this run or already in the index) replaces the document:
 * the old one is tombstoned in the same commit that makes the new one live. An id that
 * repeats inside the open segment finishes that segment first (a segment holds each id
 * once), and so does a new field name the open segment has no room for.
 *
 * Bad input is reported through on_message ("file:line: why") and counted; the run goes
 * on. A write error (full disk, I/O) aborts the commit in progress, leaves the last
 * commit as it was, and makes every later call fail with the same error.
 *
 * Memory: the budget covers the in-memory index, what the segment writer holds per
 * document and numeric entry, and a fixed reserve for the rest (program, analysers,
 * writer buffers, the input's zstd window, batches in flight): measured peak RSS on the
 * news corpus stays near it (README). The flush points depend only on the budget and the
 * documents, never on the thread count. Records larger than budget/16 (at most 64 MB) are
 * rejected, because analysing one takes about 16 times its size.
 */
#ifndef TC_INDEXER_H
#define TC_INDEXER_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

enum tc_indexer_msg {
	TC_IX_NOTE = 1,    /* a document was kept, with a remark (invalid UTF-8 replaced, ...) */
	TC_IX_REJECT = 2   /* a record, a file or the rest of a file was not indexed */
};

typedef struct tc_indexer_progress {
	uint64_t docs;       /* documents written (added or replaced) */
	uint64_t rejected;   /* records rejected */
	uint64_t bytes;      /* record bytes written (decoded input) */
	uint64_t in_read;    /* raw input bytes read so far (compressed for .zst) */
	uint64_t in_total;   /* raw size of all inputs, 0 when unknown (stdin) */
	uint32_t segments;   /* live segments */
} tc_indexer_progress;

typedef struct tc_indexer_opts {
	size_t mem;              /* memory budget in bytes; 0 = 256 MB */
	unsigned threads;        /* analysis threads; 0 or 1 = the caller's thread only */
	const char *lang;        /* default stemming language (NULL = English) */
	unsigned merge_factor;   /* segments per tier before merging; 0 = 10 */
	int must_exist;          /* fail with TC_ENOENT rather than create a new index */
	uint32_t segment_docs;   /* also flush after this many docs in a segment; 0 = no limit */
	/* Called on the caller's thread, in input order. msg is "file:line: why". */
	void (*on_message)(void *ctx, int kind, const char *msg);
	/* Called on the caller's thread after each batch of documents. */
	void (*on_progress)(void *ctx, const tc_indexer_progress *p);
	void *ctx;
} tc_indexer_opts;

typedef struct tc_indexer_stats {
	uint64_t added;          /* documents with a new id */
	uint64_t replaced;       /* documents whose id existed (the old one tombstoned) */
	uint64_t deleted;        /* documents deleted by tc_indexer_delete */
	uint64_t rejected;       /* records (or files) not indexed */
	uint64_t notes;          /* remarks on kept documents */
	uint64_t invalid_utf8;   /* invalid UTF-8 sequences replaced */
	uint64_t bytes;          /* record bytes indexed or rejected */
	uint64_t flushes;        /* segments written from memory */
	uint64_t merges;         /* merges done */
	uint64_t commits;
	size_t peak_mem;         /* largest accounted memory */
	uint32_t segments;       /* live segments after the last commit */
} tc_indexer_stats;

typedef struct tc_indexer tc_indexer;

/*
 * Opens (creating if needed, unless opts->must_exist) the index in dir for writing and
 * takes its lock. TC_ENOENT if it must exist and does not; TC_ELOCKED if another writer
 * holds it; TC_ECORRUPT / TC_EVERSION if the index cannot
 * be trusted; TC_EINVAL for an unknown opts->lang. opts may be NULL. *out is NULL on
 * failure.
 */
int tc_indexer_open(const char *dir, const tc_indexer_opts *opts, tc_indexer **out,
                    tc_error *err);

/*
 * Indexes every record of the files (see source.h for the kinds; "-" = stdin), in
 * order. Rejections do not fail the call (they go to on_message and the counts); the
 * return is 0, or the write error that stopped the run.
 */
int tc_indexer_add_files(tc_indexer *ix, const char *const *paths, size_t n, tc_error *err);

/*
 * Indexes one JSON document (as one line of JSON Lines) on the caller's thread. A
 * rejected document is TC_EPARSE with the reason in err ("src: why"); notes go to
 * on_message. src names the origin in messages (NULL = "input").
 */
int tc_indexer_add_json(tc_indexer *ix, const char *src, const char *json, size_t len,
                        tc_error *err);

/* Deletes the document with this id: 0, or TC_ENOENT when no live document has it. */
int tc_indexer_delete(tc_indexer *ix, const char *id, size_t len, tc_error *err);

/* Writes the open segment and the deletes, commits, collects garbage, merges. */
int tc_indexer_commit(tc_indexer *ix, tc_error *err);

void tc_indexer_get_stats(const tc_indexer *ix, tc_indexer_stats *out);

/* Releases the lock and frees ix; what was not committed is dropped. Accepts NULL. */
void tc_indexer_free(tc_indexer *ix);

#endif
