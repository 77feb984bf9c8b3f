/*
 * segwriter.c — writes one segment: the calls of the indexer (or of a merge) in, the
 * seven files of the segment out.
 *
 * A segment is the files <seg>.tdx .pst .pos .fln .doc .ids .num (one format each, at
 * the top of termdict.c, postings.c, fieldlen.c, docstore.c, numeric.c). Documents are
 * streamed into the doc store as they come and terms into the postings and the
 * dictionary; what must be sorted or summed first (ids, numeric entries, field lengths)
 * is kept in memory and written by tc_segw_finish. Errors are sticky (STYLE.md §2.5):
 * the first one is kept and returned by every later call.
 */
#include "storage_int.h"

#include <errno.h>
#include <pthread.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/mem.h"

static const char *const seg_exts[] = {"tdx", "pst", "pos", "fln", "doc", "ids", "num"};
#define NEXTS (sizeof seg_exts / sizeof *seg_exts)

struct tc_segw {
	char dir[TC_PATH_MAX];
	uint64_t id;
	unsigned nfields;
	int rc;                      /* sticky error */
	tc_error err;
	int terms_started;           /* no more docs once the first term began */
	uint32_t ndocs;
	uint32_t *lens;              /* lens[doc * nfields + field] */
	size_t lens_cap;
	tc_buf idheap;               /* external ids back to back */
	uint32_t *idoffs;            /* doc d's id = idheap[idoffs[d] .. idoffs[d+1]) */
	size_t idoffs_cap;
	uint32_t num_max_doc;        /* largest doc of a numeric entry, + 1 */
	tc__dsw ds;
	tc__pw pw;
	tc__dw dw;
	tc__numw num;
	/* the current term */
	int in_term;
	unsigned char key[TC_MAX_KEY];
	size_t key_len;
	int has_prev;                /* key holds the previous key between terms */
	uint8_t field;
	int has_pos;
	size_t plain_len;            /* key[0..plain_len) is the last key that is not an exact
	                                form's (0: none): the only base an exact form may have */
	uint32_t term_docs, last_doc;
	uint64_t nterms;
	/* the ids, field lengths and numeric index, written by a thread of their own once
	   the caller has said that no doc and no number will come (tc_segw_numbers_done) */
	int numbers_done;
	int side_running;
	pthread_t side;
	int side_rc;
	tc_error side_err;
};

/* Records the first error (sticky) and returns it through err too. */
static int segw_fail(tc_segw *w, tc_error *err, int code, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 4, 5)))
#endif
	;

static int segw_fail(tc_segw *w, tc_error *err, int code, const char *fmt, ...)
{
	if (w->rc == TC_OK) {
		char msg[TC_ERROR_MSG_MAX];
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(msg, sizeof msg, fmt, ap);
		va_end(ap);
		w->rc = code;
		tc_error_set(&w->err, code, "segment %016" PRIx64 ": %s", w->id, msg);
	}
	return tc_error_set(err, w->rc, "%s", w->err.msg);
}

static int segw_failed(const tc_segw *w, tc_error *err)
{
	return tc_error_set(err, w->rc, "%s", w->err.msg);
}

static void remove_files(const char *dir, uint64_t id)
{
	for (size_t i = 0; i < NEXTS; i++) {
		char name[TC_NAME_MAX], path[TC_PATH_MAX];
		tc__seg_file_name(name, id, seg_exts[i]);
		if (tc__path(path, dir, name, NULL) == TC_OK)
			unlink(path);
	}
}

/* Waits for the side files' thread, if any; its result. */
static int side_join(tc_segw *w, tc_error *err)
{
	if (!w->side_running)
		return TC_OK;
	pthread_join(w->side, NULL);
	w->side_running = 0;
	return w->side_rc == TC_OK ? TC_OK
	                           : tc_error_set(err, w->side_rc, "%s", w->side_err.msg);
}

/* The files that depend only on the docs and the numbers: ids, field lengths, numeric. */
static int write_side_files(tc_segw *w, tc_error *err)
{
	int rc = tc__ids_write(w->dir, w->id, &w->idheap, w->idoffs, w->ndocs, err);
	if (rc == TC_OK)
		rc = tc__fln_write(w->dir, w->id, w->lens, w->ndocs, w->nfields, err);
	if (rc == TC_OK)
		rc = tc__numw_write(&w->num, w->dir, w->id, err);
	return rc;
}

static void *side_main(void *arg)
{
	tc_segw *w = arg;
	w->side_rc = write_side_files(w, &w->side_err);
	return NULL;
}

void tc_segw_numbers_done(tc_segw *w)
{
	if (w->rc != TC_OK || w->numbers_done || w->num_max_doc > w->ndocs)
		return;  /* finish reports what is wrong, and writes them itself */
	w->numbers_done = 1;
	/* reading what no call changes from now on: the docs' ids and lengths, the numbers */
	if (pthread_create(&w->side, NULL, side_main, w) == 0)
		w->side_running = 1;
}

static void segw_free(tc_segw *w)
{
	side_join(w, NULL);
	tc__dsw_free(&w->ds);
	tc__pw_free(&w->pw);
	tc__dw_free(&w->dw);
	tc__numw_free(&w->num);
	free(w->lens);
	free(w->idoffs);
	tc_buf_free(&w->idheap);
	free(w);
}

int tc_segw_open(const char *dir, uint64_t seg_id, unsigned nfields, tc_segw **out,
                 tc_error *err)
{
	*out = NULL;
	TC_RETURN_IF(nfields == 0 || nfields > TC_MAX_FIELDS, err, TC_EINVAL,
	             "segment writer: %u fields (1..%d)", nfields, TC_MAX_FIELDS);
	TC_RETURN_IF(strlen(dir) >= TC_PATH_MAX - TC_NAME_MAX, err, TC_EINVAL,
	             "directory name too long");
	tc_segw *w = tc_calloc(1, sizeof *w);
	snprintf(w->dir, sizeof w->dir, "%s", dir);
	w->id = seg_id;
	w->nfields = nfields;
	w->ds.f.fd = w->pw.pst.fd = w->pw.pos.fd = w->dw.f.fd = -1;
	w->idoffs = tc_grow(NULL, &w->idoffs_cap, 1, sizeof *w->idoffs);
	w->idoffs[0] = 0;
	int rc = tc__dsw_open(&w->ds, dir, seg_id, err);
	if (rc == TC_OK)
		rc = tc__pw_open(&w->pw, dir, seg_id, err);
	if (rc == TC_OK)
		rc = tc__dw_open(&w->dw, dir, seg_id, err);
	if (rc != TC_OK) {
		segw_free(w);
		remove_files(dir, seg_id);
		return rc;
	}
	*out = w;
	return TC_OK;
}

void tc_segw_background(tc_segw *w)
{
	tc__dsw_background(&w->ds);
}

int tc_segw_add_doc(tc_segw *w, const char *id, size_t id_len, const tc_field_value *fields,
                    size_t nfields, const uint32_t *field_lens, tc_error *err)
{
	if (w->rc != TC_OK)
		return segw_failed(w, err);
	if (w->terms_started || w->numbers_done)
		return segw_fail(w, err, TC_EINVAL, "document added after the first term or the "
		                 "numbers were done");
	if (w->ndocs >= TC_MAX_SEG_DOCS)
		return segw_fail(w, err, TC_ELIMIT, "more than %u documents", TC_MAX_SEG_DOCS);
	if (id_len == 0 || id_len > TC_MAX_ID)
		return segw_fail(w, err, TC_EINVAL, "doc %" PRIu32 ": id of %zu bytes (1..%d)",
		                 w->ndocs, id_len, TC_MAX_ID);
	if (nfields > UINT32_MAX / 2)
		return segw_fail(w, err, TC_EINVAL, "doc %" PRIu32 ": %zu fields", w->ndocs, nfields);
	for (size_t i = 0; i < nfields; i++)
		if (fields[i].field >= w->nfields)
			return segw_fail(w, err, TC_EINVAL, "doc %" PRIu32 ": field id %u >= %u",
			                 w->ndocs, fields[i].field, w->nfields);
	if (w->idheap.len + id_len > UINT32_MAX)
		return segw_fail(w, err, TC_ELIMIT, "ids exceed 4 GiB");
	size_t base = (size_t)w->ndocs * w->nfields;
	w->lens = tc_grow(w->lens, &w->lens_cap, base + w->nfields, sizeof *w->lens);
	for (unsigned f = 0; f < w->nfields; f++)
		w->lens[base + f] = field_lens ? field_lens[f] : 0;
	tc_buf_append(&w->idheap, id, id_len);
	w->idoffs = tc_grow(w->idoffs, &w->idoffs_cap, (size_t)w->ndocs + 2, sizeof *w->idoffs);
	w->idoffs[w->ndocs + 1] = (uint32_t)w->idheap.len;
	tc__dsw_add(&w->ds, id, id_len, fields, nfields);
	w->ndocs++;
	return TC_OK;
}

int tc_segw_term_begin(tc_segw *w, const void *key, size_t len, tc_error *err)
{
	if (w->rc != TC_OK)
		return segw_failed(w, err);
	if (w->in_term)
		return segw_fail(w, err, TC_EINVAL, "term begun inside a term");
	if (w->ndocs == 0)
		return segw_fail(w, err, TC_EINVAL, "term before any document");
	if (len < 3 || len > TC_MAX_KEY)
		return segw_fail(w, err, TC_EINVAL, "key of %zu bytes (3..%d)", len, TC_MAX_KEY);
	const unsigned char *k = key;
	if (k[1] >= w->nfields)
		return segw_fail(w, err, TC_EINVAL, "key field %u >= %u", k[1], w->nfields);
	if (w->has_prev) {
		int c = memcmp(w->key, k, w->key_len < len ? w->key_len : len);
		if (c > 0 || (c == 0 && w->key_len >= len))
			return segw_fail(w, err, TC_EINVAL, "keys not strictly ascending (term %" PRIu64
			                 ")", w->nterms);
	}
	size_t base_len = tc_key_base_len(k, len);
	int exact = base_len != 0;
	if (exact) {
		if (base_len + 1 == len || base_len != w->plain_len ||
		    memcmp(w->key, k, base_len) != 0 || !w->has_prev)
			return segw_fail(w, err, TC_EINVAL, "term %" PRIu64 ": an exact form's key "
			                 "must follow its folded key's terms", w->nterms);
	} else {
		w->plain_len = len;
	}
	/* an exact form's key starts with its base's, which stays in key[0..plain_len) */
	memcpy(w->key, k, len);
	w->key_len = len;
	w->field = k[1];
	w->has_pos = !exact;
	w->in_term = 1;
	w->terms_started = 1;
	w->term_docs = 0;
	tc__pw_begin(&w->pw, w->has_pos, exact);
	return TC_OK;
}

void tc_segw_code_positions(tc_buf *out, const uint32_t *pos, const uint32_t *freq, uint32_t k,
                            tc_buf *scratch)
{
	tc__pos_pack(out, pos, freq, k, scratch);
}

int tc_segw_term_coded_positions(tc_segw *w, const unsigned char *bytes,
                                 const uint32_t *block_len, uint32_t nblocks, tc_error *err)
{
	if (w->rc != TC_OK)
		return segw_failed(w, err);
	if (!w->in_term || w->term_docs || !w->has_pos)
		return segw_fail(w, err, TC_EINVAL, "term %" PRIu64 ": coded positions %s",
		                 w->nterms, !w->in_term ? "outside a term" : w->term_docs
		                                                             ? "after its docs"
		                                                             : "for a kind without");
	tc__pw_coded(&w->pw, bytes, block_len, nblocks);
	return TC_OK;
}

int tc_segw_term_doc(tc_segw *w, uint32_t doc, uint32_t freq, const uint32_t *pos,
                     tc_error *err)
{
	if (w->rc != TC_OK)
		return segw_failed(w, err);
	if (!w->in_term)
		return segw_fail(w, err, TC_EINVAL, "posting outside a term");
	if (doc >= w->ndocs || (w->term_docs && doc <= w->last_doc))
		return segw_fail(w, err, TC_EINVAL, "term %" PRIu64 ": doc %" PRIu32
		                 " out of order or range", w->nterms, doc);
	if (freq == 0)
		return segw_fail(w, err, TC_EINVAL, "term %" PRIu64 ": freq 0", w->nterms);
	if ((pos != NULL) != (w->has_pos && w->pw.pre == NULL))
		return segw_fail(w, err, TC_EINVAL, "term %" PRIu64 ": positions %s", w->nterms,
		                 w->has_pos ? "missing" : "given for a kind without positions");
	for (uint32_t i = 1; pos && i < freq; i++)
		if (pos[i] < pos[i - 1])
			return segw_fail(w, err, TC_EINVAL, "term %" PRIu64 ", doc %" PRIu32
			                 ": positions not ascending", w->nterms, doc);
	tc__pw_doc(&w->pw, doc, freq, pos, w->lens[(size_t)doc * w->nfields + w->field]);
	if (w->pw.bad_exact)
		return segw_fail(w, err, TC_EINVAL, "term %" PRIu64 ", doc %" PRIu32 ": an exact "
		                 "form where its folded form is not, or more often", w->nterms, doc);
	w->term_docs++;
	w->last_doc = doc;
	return TC_OK;
}

int tc_segw_term_end(tc_segw *w, tc_error *err)
{
	if (w->rc != TC_OK)
		return segw_failed(w, err);
	if (!w->in_term || w->term_docs == 0)
		return segw_fail(w, err, TC_EINVAL, "term %" PRIu64 " ended %s", w->nterms,
		                 w->in_term ? "without docs" : "before it began");
	tc_term_info ti = {0};
	tc__pw_end(&w->pw, &ti);
	if (w->pw.bad_pre || (w->pw.pre && w->pw.pre_next != w->pw.pre_n))
		return segw_fail(w, err, TC_EINVAL, "term %" PRIu64 ": %u coded blocks of positions "
		                 "for %" PRIu32 " docs", w->nterms, w->pw.pre_n, w->term_docs);
	tc__dw_add(&w->dw, w->key, w->key_len, &ti, w->pw.pst_bytes, w->pw.pos_bytes);
	w->in_term = 0;
	w->has_prev = 1;
	w->nterms++;
	return TC_OK;
}

int tc_segw_add_num(tc_segw *w, const char *unit, size_t unit_len, double value,
                    uint32_t doc, uint8_t field, uint32_t pos, tc_error *err)
{
	if (w->rc != TC_OK)
		return segw_failed(w, err);
	if (unit_len == 0 || unit_len > TC_MAX_UNIT)
		return segw_fail(w, err, TC_EINVAL, "unit key of %zu bytes (1..%d)", unit_len,
		                 TC_MAX_UNIT);
	if (!isfinite(value))
		return segw_fail(w, err, TC_EINVAL, "numeric value is not finite (doc %" PRIu32 ")",
		                 doc);
	if (doc == UINT32_MAX)
		return segw_fail(w, err, TC_EINVAL, "numeric entry for doc %" PRIu32, doc);
	if (w->numbers_done)
		return segw_fail(w, err, TC_EINVAL, "numeric entry after tc_segw_numbers_done");
	tc__numw_add(&w->num, unit, unit_len, value, doc, field, pos);
	if (doc + 1 > w->num_max_doc)
		w->num_max_doc = doc + 1;
	return TC_OK;
}

static uint64_t file_bytes(const char *dir, const char *name)
{
	char path[TC_PATH_MAX];
	struct stat st;
	if (tc__path(path, dir, name, NULL) != TC_OK || stat(path, &st) != 0)
		return 0;
	return (uint64_t)st.st_size;
}

int tc_segw_finish(tc_segw *w, tc_seg_info *info, tc_error *err)
{
	int rc = w->rc;
	if (rc != TC_OK)
		segw_failed(w, err);
	else if (w->in_term)
		rc = segw_fail(w, err, TC_EINVAL, "finished inside a term");
	else if (w->num_max_doc > w->ndocs)
		rc = segw_fail(w, err, TC_EINVAL, "numeric entry for doc %" PRIu32 " of %" PRIu32,
		               w->num_max_doc - 1, w->ndocs);
	if (rc == TC_OK)
		rc = tc__dsw_close(&w->ds, err);
	int side = side_join(w, rc == TC_OK ? err : NULL);
	if (rc == TC_OK)
		rc = w->numbers_done ? side : write_side_files(w, err);
	if (rc == TC_OK)
		rc = tc__pw_close(&w->pw, err);
	if (rc == TC_OK)
		rc = tc__dw_close(&w->dw, err);
	if (rc == TC_OK)
		rc = tc_fsync_dir(w->dir, err);
	if (rc == TC_OK && info) {
		info->id = w->id;
		info->ndocs = w->ndocs;
		info->nterms = w->nterms;
		info->bytes = 0;
		for (size_t i = 0; i < NEXTS; i++) {
			char name[TC_NAME_MAX];
			tc__seg_file_name(name, w->id, seg_exts[i]);
			info->bytes += file_bytes(w->dir, name);
		}
	}
	if (rc != TC_OK)
		remove_files(w->dir, w->id);
	segw_free(w);
	return rc;
}

void tc_segw_abort(tc_segw *w)
{
	if (w == NULL)
		return;
	char dir[TC_PATH_MAX];
	uint64_t id = w->id;
	snprintf(dir, sizeof dir, "%s", w->dir);
	segw_free(w);
	remove_files(dir, id);
}
