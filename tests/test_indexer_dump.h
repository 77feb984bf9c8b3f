/*
 * test_indexer_dump.h — a whole index as sorted text lines, for the indexer tests (header-only).
 *
 * Every live document and every posting of a live document becomes one line, with
 * documents named by their external id, so two indexes (or an index and a reference
 * built straight from the analyser) compare with one strcmp whatever their segments:
 *
 *   P <kind><field>:<term> <id> <freq> <pos,pos,...>      postings ('e': no positions)
 *   D <id> <field>=<value>                                one line per stored field
 *   L <id> <field> <length>                               field lengths that are not 0
 *   N <unit> <id> <field> <pos> <value>                   numeric entries
 *
 * Keys' field byte is written as a number, and bytes below 0x20 in text as \xNN.
 */
#ifndef TC_TEST_INDEXER_DUMP_H
#define TC_TEST_INDEXER_DUMP_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/mem.h"
#include "storage/storage.h"

typedef struct ixd_lines {
	char **v;
	size_t n, cap;
} ixd_lines;

static inline void ixd_add(ixd_lines *l, const tc_buf *b)
{
	l->v = tc_grow(l->v, &l->cap, l->n + 1, sizeof *l->v);
	l->v[l->n++] = tc_strndup(b->data ? b->data : "", b->len);
}

static inline void ixd_text(tc_buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == '\\')
			tc_buf_printf(b, "\\x%02x", c);
		else
			tc_buf_putc(b, (char)c);
	}
}

/* "P f1:giao" style key prefix */
static inline void ixd_key(tc_buf *b, const unsigned char *key, size_t len)
{
	tc_buf_printf(b, "P %c%u:", key[0], key[1]);
	ixd_text(b, (const char *)key + 2, len - 2);
}

static int ixd_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts the lines and joins them with '\n' into one string (caller frees); frees l. */
static inline char *ixd_join(ixd_lines *l)
{
	qsort(l->v, l->n, sizeof *l->v, ixd_cmp);
	tc_buf out = {0};
	for (size_t i = 0; i < l->n; i++) {
		tc_buf_puts(&out, l->v[i]);
		tc_buf_putc(&out, '\n');
		free(l->v[i]);
	}
	free(l->v);
	memset(l, 0, sizeof *l);
	if (!out.data)
		tc_buf_puts(&out, "");
	return out.data;
}

/* The external ids of a segment's docs, by local id (caller frees each and the array). */
static inline char **ixd_ids(const tc_segment *seg, const tc_snapshot *s, ixd_lines *l,
                             int with_fields)
{
	uint32_t n = tc_seg_ndocs(seg);
	char **ids = tc_calloc(n ? n : 1, sizeof *ids);
	tc_doc d = {0};
	tc_buf b = {0};
	for (uint32_t i = 0; i < n; i++) {
		if (tc_seg_doc_get(seg, i, &d, NULL) != 0) {
			ids[i] = tc_strdup("?");
			continue;
		}
		ids[i] = tc_strndup(d.id, d.id_len);
		if (!with_fields || tc_seg_is_deleted(seg, i))
			continue;
		for (size_t f = 0; f < d.nfields; f++) {
			tc_buf_clear(&b);
			tc_buf_printf(&b, "D %s %s=", ids[i],
			              tc_snapshot_field_name(s, d.fields[f].field));
			ixd_text(&b, d.fields[f].data, d.fields[f].len);
			ixd_add(l, &b);
		}
		for (unsigned f = 0; f < tc_seg_nfields(seg); f++) {
			uint32_t len = tc_seg_field_len(seg, i, f);
			if (!len)
				continue;
			tc_buf_clear(&b);
			tc_buf_printf(&b, "L %s %s %u", ids[i], tc_snapshot_field_name(s, f), len);
			ixd_add(l, &b);
		}
	}
	tc_doc_free(&d);
	tc_buf_free(&b);
	return ids;
}

/*
 * Dumps the live content of the index in dir. what: 'P' postings, 'D' stored fields and
 * lengths, 'N' numbers, any combination ("PDN"). Returns NULL if it cannot be opened.
 */
static inline char *ixd_dump(const char *dir, const char *what)
{
	tc_snapshot *s;
	if (tc_snapshot_open(dir, 0, &s, NULL) != 0)
		return NULL;
	ixd_lines l = {0};
	tc_buf b = {0};
	for (size_t si = 0; si < tc_snapshot_nsegments(s); si++) {
		const tc_segment *seg = tc_snapshot_segment(s, si);
		char **ids = ixd_ids(seg, s, &l, strchr(what, 'D') != NULL);
		if (strchr(what, 'P')) {
			tc_termit *it;
			const unsigned char *key;
			size_t klen;
			tc_term_info ti;
			int rc = tc_termit_open(seg, "", 0, &it, NULL);
			while (rc == 0) {
				rc = tc_termit_next(it, &key, &klen, &ti, NULL);
				if (rc != 1)
					break;
				rc = 0;
				tc_postings *p;
				if (tc_postings_open(seg, &ti, &p, NULL) != 0) {
					rc = -1;
					break;
				}
				for (uint32_t d = tc_postings_next(p); d != TC_DOC_END;
				     d = tc_postings_next(p)) {
					if (tc_seg_is_deleted(seg, d))
						continue;
					tc_buf_clear(&b);
					ixd_key(&b, key, klen);
					tc_buf_printf(&b, " %s %u ", ids[d], tc_postings_freq(p));
					const uint32_t *pos;
					uint32_t np;
					if (ti.has_pos && tc_postings_positions(p, &pos, &np, NULL) == 0)
						for (uint32_t k = 0; k < np; k++)
							tc_buf_printf(&b, "%s%u", k ? "," : "", pos[k]);
					ixd_add(&l, &b);
				}
				if (tc_postings_error(p, NULL) != 0) {
					tc_buf_clear(&b);
					tc_buf_puts(&b, "ERROR postings");
					ixd_add(&l, &b);
				}
				tc_postings_free(p);
			}
			if (rc < 0) {
				tc_buf_clear(&b);
				tc_buf_puts(&b, "ERROR terms");
				ixd_add(&l, &b);
			}
			tc_termit_free(it);
		}
		if (strchr(what, 'N')) {
			tc_num_range all = {-INFINITY, INFINITY, 0, 0};
			for (size_t u = 0; u < tc_seg_nunits(seg); u++) {
				const char *unit;
				size_t ulen;
				uint64_t count;
				tc_seg_unit(seg, u, &unit, &ulen, &count);
				tc_num_hits h = {0};
				tc_seg_num_range(seg, unit, ulen, &all, &h, NULL);
				for (size_t k = 0; k < h.n; k++) {
					if (tc_seg_is_deleted(seg, h.e[k].doc))
						continue;
					tc_buf_clear(&b);
					tc_buf_puts(&b, "N ");
					ixd_text(&b, unit, ulen);
					tc_buf_printf(&b, " %s %s %u %.17g", ids[h.e[k].doc],
					              tc_snapshot_field_name(s, h.e[k].field), h.e[k].pos,
					              h.e[k].value);
					ixd_add(&l, &b);
				}
				tc_num_hits_free(&h);
			}
		}
		for (uint32_t i = 0; i < tc_seg_ndocs(seg); i++)
			free(ids[i]);
		free(ids);
	}
	tc_buf_free(&b);
	tc_snapshot_release(s);
	return ixd_join(&l);
}

#endif
