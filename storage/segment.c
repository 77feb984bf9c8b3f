/*
 * segment.c — snapshots: the last commit of an index opened for reading, with every
 * live segment mapped, its delete bitset and the index-wide statistics (doc counts,
 * field totals, unit vocabulary). A snapshot never changes; it is shared by reference
 * count and unmapped by its last release, so commits, merges and garbage collection
 * can go on underneath (unlinking a mapped file is safe).
 */
#include "storage_int.h"

#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/mem.h"

#define OPEN_RETRIES 8

static atomic_uint_fast64_t next_serial = 1;

typedef struct unit_ref {
	const char *key;
	size_t len;
	uint64_t count;
} unit_ref;

struct tc_snapshot {
	atomic_long refs;
	char *dir;
	tc_manifest man;
	tc_segment *segs;
	size_t nsegs;
	uint64_t ndocs, nlive;
	uint64_t field_total[TC_MAX_FIELDS];
	unit_ref *units;
	size_t nunits;
};

/* ---- one segment ---- */

void tc__seg_close(tc_segment *seg)
{
	tc__rfile *files[] = {&seg->f_tdx, &seg->f_pst, &seg->f_pos, &seg->f_fln,
	                      &seg->f_doc, &seg->f_ids, &seg->f_num, &seg->f_del};
	for (size_t i = 0; i < sizeof files / sizeof *files; i++)
		tc__rfile_close(files[i]);
	tc__ids_close(seg);
	tc__num_close(seg);
	tc__docstore_close(seg);
}

int tc__seg_open(tc_segment *seg, const char *dir, const tc_manifest_seg *ms, int verify_all,
                 tc_error *err)
{
	seg->id = ms->id;
	seg->serial = atomic_fetch_add(&next_serial, 1);
	seg->ndocs = ms->ndocs;
	seg->del_gen = ms->del_gen;
	static const struct {
		const char *ext, *magic;
		size_t off;      /* of the tc__rfile in tc_segment */
		int small;       /* checksum verified at every open */
	} files[] = {
		{"fln", TC_MAGIC_FIELDLEN, offsetof(tc_segment, f_fln), 1},
		{"ids", TC_MAGIC_IDS, offsetof(tc_segment, f_ids), 1},
		{"num", TC_MAGIC_NUMERIC, offsetof(tc_segment, f_num), 1},
		{"tdx", TC_MAGIC_DICT, offsetof(tc_segment, f_tdx), 0},
		{"pst", TC_MAGIC_POSTINGS, offsetof(tc_segment, f_pst), 0},
		{"pos", TC_MAGIC_POSITIONS, offsetof(tc_segment, f_pos), 0},
		{"doc", TC_MAGIC_DOCSTORE, offsetof(tc_segment, f_doc), 0},
	};
	int rc = TC_OK;
	for (size_t i = 0; rc == TC_OK && i < sizeof files / sizeof *files; i++) {
		char name[TC_NAME_MAX];
		tc__seg_file_name(name, seg->id, files[i].ext);
		rc = tc__rfile_open((tc__rfile *)((char *)seg + files[i].off), dir, name,
		                    files[i].magic, files[i].small || verify_all, err);
	}
	if (rc == TC_OK && ms->del_gen) {
		char name[TC_NAME_MAX];
		tc__del_file_name(name, seg->id, ms->del_gen);
		rc = tc__rfile_open(&seg->f_del, dir, name, TC_MAGIC_DELETES, 1, err);
		if (rc == TC_OK)
			rc = tc__del_parse(&seg->f_del, seg->id, ms->del_gen, seg->ndocs, &seg->del,
			                   &seg->ndeleted, err);
		if (rc == TC_OK && seg->ndeleted != ms->ndeleted)
			rc = tc__corrupt(err, &seg->f_del, seg->f_del.p, "%" PRIu32 " deleted docs, the "
			                 "manifest says %" PRIu32, seg->ndeleted, ms->ndeleted);
	}
	if (rc == TC_OK)
		rc = tc__fln_open(seg, err);
	if (rc == TC_OK)
		rc = tc__ids_open(seg, err);
	if (rc == TC_OK)
		rc = tc__num_open(seg, err);
	if (rc == TC_OK)
		rc = tc__dict_open(seg, err);
	if (rc == TC_OK)
		rc = tc__docstore_open(seg, err);
	if (rc != TC_OK)
		tc__seg_close(seg);
	return rc;
}

/* ---- snapshot ---- */

static void snapshot_free(tc_snapshot *s)
{
	for (size_t i = 0; i < s->nsegs; i++)
		tc__seg_close(&s->segs[i]);
	free(s->segs);
	free(s->units);
	free(s->dir);
	tc_manifest_free(&s->man);
	free(s);
}

static int unit_ref_cmp(const void *x, const void *y)
{
	const unit_ref *a = x, *b = y;
	int c = memcmp(a->key, b->key, a->len < b->len ? a->len : b->len);
	return c ? c : (a->len > b->len) - (a->len < b->len);
}

/* The union of the segments' unit vocabularies, counts summed. */
static void build_units(tc_snapshot *s)
{
	size_t n = 0;
	for (size_t i = 0; i < s->nsegs; i++)
		n += tc_seg_nunits(&s->segs[i]);
	s->units = tc_malloc((n ? n : 1) * sizeof *s->units);
	n = 0;
	for (size_t i = 0; i < s->nsegs; i++) {
		for (size_t u = 0; u < tc_seg_nunits(&s->segs[i]); u++, n++) {
			unit_ref *r = &s->units[n];
			tc_seg_unit(&s->segs[i], u, &r->key, &r->len, &r->count);
		}
	}
	qsort(s->units, n, sizeof *s->units, unit_ref_cmp);
	size_t out = 0;
	for (size_t i = 0; i < n; i++) {
		if (out > 0 && unit_ref_cmp(&s->units[out - 1], &s->units[i]) == 0)
			s->units[out - 1].count += s->units[i].count;
		else
			s->units[out++] = s->units[i];
	}
	s->nunits = out;
}

/*
 * One attempt at opening the commit. *gen gets the generation of the manifest read
 * (0 when there was none) and *missing is set when a file it names is absent.
 */
static int snapshot_try(const char *dir, unsigned flags, tc_snapshot **out, uint64_t *gen,
                        int *missing, tc_error *err)
{
	*gen = 0;
	*missing = 0;
	tc_snapshot *s = tc_calloc(1, sizeof *s);
	atomic_init(&s->refs, 1);
	s->dir = tc_strdup(dir);
	int rc = tc_manifest_read(dir, &s->man, err);
	if (rc != TC_OK) {
		snapshot_free(s);
		return rc;
	}
	*gen = s->man.generation;
	s->segs = tc_calloc(s->man.nsegs ? s->man.nsegs : 1, sizeof *s->segs);
	for (size_t i = 0; i < s->man.nsegs; i++) {
		rc = tc__seg_open(&s->segs[i], dir, &s->man.segs[i], flags & TC_SNAP_VERIFY, err);
		if (rc != TC_OK) {
			*missing = rc == TC_ENOENT;
			snapshot_free(s);
			return rc;
		}
		s->nsegs++;
		const tc_segment *seg = &s->segs[i];
		s->ndocs += seg->ndocs;
		s->nlive += seg->ndocs - seg->ndeleted;
		for (unsigned f = 0; f < seg->fln.nfields; f++)
			s->field_total[f] += seg->fln.total[f];
	}
	build_units(s);
	*out = s;
	return TC_OK;
}

int tc_snapshot_open(const char *dir, unsigned flags, tc_snapshot **out, tc_error *err)
{
	*out = NULL;
	for (int attempt = 0;; attempt++) {
		tc_error e = {0};
		uint64_t gen;
		int missing;
		int rc = snapshot_try(dir, flags, out, &gen, &missing, &e);
		if (rc == TC_OK || !missing)
			return rc == TC_OK ? rc : tc_error_set(err, rc, "%s", e.msg);
		/* A commit may have replaced the manifest and collected the files of the one
		   we read: then read it again. If it is still the same, a file is lost. */
		tc_manifest m;
		uint64_t now = tc_manifest_read(dir, &m, NULL) == TC_OK ? m.generation : 0;
		tc_manifest_free(&m);
		if (now == gen || attempt + 1 == OPEN_RETRIES)
			return tc_error_set(err, TC_ECORRUPT, "a file of the commit is missing: %s",
			                    e.msg);
	}
}

tc_snapshot *tc_snapshot_retain(tc_snapshot *s)
{
	atomic_fetch_add(&s->refs, 1);
	return s;
}

void tc_snapshot_release(tc_snapshot *s)
{
	if (s != NULL && atomic_fetch_sub(&s->refs, 1) == 1)
		snapshot_free(s);
}

const tc_manifest *tc_snapshot_manifest(const tc_snapshot *s)
{
	return &s->man;
}

uint64_t tc_snapshot_generation(const tc_snapshot *s)
{
	return s->man.generation;
}

size_t tc_snapshot_nsegments(const tc_snapshot *s)
{
	return s->nsegs;
}

const tc_segment *tc_snapshot_segment(const tc_snapshot *s, size_t i)
{
	return i < s->nsegs ? &s->segs[i] : NULL;
}

uint64_t tc_snapshot_ndocs(const tc_snapshot *s)
{
	return s->ndocs;
}

uint64_t tc_snapshot_nlive(const tc_snapshot *s)
{
	return s->nlive;
}

size_t tc_snapshot_nfields(const tc_snapshot *s)
{
	return s->man.nfields;
}

const char *tc_snapshot_field_name(const tc_snapshot *s, unsigned field)
{
	return field < s->man.nfields ? s->man.fields[field] : NULL;
}

int tc_snapshot_field_id(const tc_snapshot *s, const char *name)
{
	return tc_manifest_field_id(&s->man, name);
}

uint64_t tc_snapshot_field_total(const tc_snapshot *s, unsigned field)
{
	return field < TC_MAX_FIELDS ? s->field_total[field] : 0;
}

size_t tc_snapshot_nunits(const tc_snapshot *s)
{
	return s->nunits;
}

void tc_snapshot_unit(const tc_snapshot *s, size_t i, const char **key, size_t *len,
                      uint64_t *count)
{
	*key = s->units[i].key;
	*len = s->units[i].len;
	*count = s->units[i].count;
}

uint64_t tc_snapshot_unit_count(const tc_snapshot *s, const char *key, size_t len)
{
	unit_ref want = {key, len, 0};
	const unit_ref *r = bsearch(&want, s->units, s->nunits, sizeof *s->units, unit_ref_cmp);
	return r ? r->count : 0;
}

/* ---- segment getters ---- */

uint64_t tc_seg_id(const tc_segment *seg)
{
	return seg->id;
}

uint32_t tc_seg_ndocs(const tc_segment *seg)
{
	return seg->ndocs;
}

uint32_t tc_seg_ndeleted(const tc_segment *seg)
{
	return seg->ndeleted;
}

int tc_seg_is_deleted(const tc_segment *seg, uint32_t doc)
{
	if (doc >= seg->ndocs)
		return 1;
	return seg->del ? seg->del[doc >> 3] >> (doc & 7) & 1 : 0;
}

const uint8_t *tc_seg_deleted_bits(const tc_segment *seg)
{
	return seg->del;
}

void tc_seg_stats_get(const tc_segment *seg, tc_seg_stats *out)
{
	memset(out, 0, sizeof *out);
	for (int i = 0; i < 3; i++) {
		out->nterms[i] = seg->dict.kind_terms[i];
		out->postings_bytes[i] = seg->dict.kind_pst[i];
		out->positions_bytes[i] = seg->dict.kind_pos[i];
	}
	out->dict_bytes = seg->f_tdx.map.len;
	out->docstore_bytes = seg->f_doc.map.len + seg->f_ids.map.len;
	out->docdict_bytes = seg->doc.dict_len;
	out->fieldlen_bytes = seg->f_fln.map.len;
	out->numeric_bytes = seg->f_num.map.len;
	out->nnum = seg->num.n;
	out->file_bytes = seg->f_tdx.map.len + seg->f_pst.map.len + seg->f_pos.map.len +
	                  seg->f_fln.map.len + seg->f_doc.map.len + seg->f_ids.map.len +
	                  seg->f_num.map.len + seg->f_del.map.len;
}
