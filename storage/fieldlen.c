/*
 * fieldlen.c — field lengths (<seg>.fln): the token count of every field of every doc,
 * exact, for BM25 and the block-max bounds, and the per-field totals for avgdl.
 *
 * Exact lengths, not quantised to a byte as Lucene's norms are: a column per field
 * whose width (0, 1, 2 or 4 bytes) is the smallest that holds the field's longest
 * value in this segment, so titles cost a byte a doc, bodies two, and a field without
 * tokens nothing, while scores and block bounds need no decoding table.
 *
 * Grammar (file frame of fileio.c, magic "TCFL"; little-endian):
 *
 *   content   := ndocs:u32 nfields:u32 (width:u8 total:u64){nfields} column{...}
 *   column    := len:uint<width>[ndocs]     one per field with width > 0, in field order
 *                width in {0, 1, 2, 4}; width 0 = the field is empty in every doc;
 *                total = sum of the column
 */
#include "storage_int.h"

#include <inttypes.h>
#include <stdio.h>

int tc__fln_write(const char *dir, uint64_t seg_id, const uint32_t *lens, uint32_t ndocs,
                  unsigned nfields, tc_error *err)
{
	unsigned char width[TC_MAX_FIELDS];
	uint64_t total[TC_MAX_FIELDS];
	for (unsigned fi = 0; fi < nfields; fi++) {
		uint32_t mx = 0;
		total[fi] = 0;
		for (uint32_t d = 0; d < ndocs; d++) {
			uint32_t v = lens[(size_t)d * nfields + fi];
			total[fi] += v;
			if (v > mx)
				mx = v;
		}
		width[fi] = mx == 0 ? 0 : mx <= 0xff ? 1 : mx <= 0xffff ? 2 : 4;
	}
	tc__wfile f;
	char name[TC_NAME_MAX];
	tc__seg_file_name(name, seg_id, "fln");
	TC_FORWARD(tc__wfile_open(&f, dir, name, TC_MAGIC_FIELDLEN, err));
	tc__wfile_u32(&f, ndocs);
	tc__wfile_u32(&f, nfields);
	for (unsigned fi = 0; fi < nfields; fi++) {
		tc__wfile_u8(&f, width[fi]);
		tc__wfile_u64(&f, total[fi]);
	}
	unsigned char b[4];
	for (unsigned fi = 0; fi < nfields; fi++) {
		for (uint32_t d = 0; d < ndocs && width[fi]; d++) {
			tc__put_u32(b, lens[(size_t)d * nfields + fi]);
			tc__wfile_put(&f, b, width[fi]);
		}
	}
	return tc__wfile_close(&f, err);
}

int tc__fln_open(tc_segment *seg, tc_error *err)
{
	const tc__rfile *f = &seg->f_fln;
	tc__fln_r *r = &seg->fln;
	size_t clen = (size_t)(f->end - f->p);
	if (clen < 8)
		return tc__corrupt(err, f, f->p, "too short");
	uint32_t ndocs = tc__get_u32(f->p);
	r->nfields = tc__get_u32(f->p + 4);
	if (ndocs != seg->ndocs)
		return tc__corrupt(err, f, f->p, "%" PRIu32 " docs, the manifest says %" PRIu32,
		                   ndocs, seg->ndocs);
	if (r->nfields > TC_MAX_FIELDS || clen < 8 + 9 * (size_t)r->nfields)
		return tc__corrupt(err, f, f->p + 4, "%u fields", r->nfields);
	const unsigned char *p = f->p + 8, *col = p + 9 * (size_t)r->nfields;
	for (unsigned fi = 0; fi < r->nfields; fi++, p += 9) {
		unsigned w = p[0];
		if (w != 0 && w != 1 && w != 2 && w != 4)
			return tc__corrupt(err, f, p, "field %u: width %u", fi, w);
		if ((size_t)(f->end - col) < (size_t)w * ndocs)
			return tc__corrupt(err, f, col, "field %u: column truncated", fi);
		r->width[fi] = (uint8_t)w;
		r->total[fi] = tc__get_u64(p + 1);
		r->col[fi] = col;
		col += (size_t)w * ndocs;
	}
	if (col != f->end)
		return tc__corrupt(err, f, col, "%zu stray bytes", (size_t)(f->end - col));
	return TC_OK;
}

unsigned tc_seg_nfields(const tc_segment *seg)
{
	return seg->fln.nfields;
}

uint32_t tc_seg_field_len(const tc_segment *seg, uint32_t doc, unsigned field)
{
	const tc__fln_r *r = &seg->fln;
	if (field >= r->nfields || doc >= seg->ndocs)
		return 0;
	const unsigned char *c = r->col[field];
	switch (r->width[field]) {
	case 1:
		return c[doc];
	case 2:
		return tc__get_u16(c + 2 * (size_t)doc);
	case 4:
		return tc__get_u32(c + 4 * (size_t)doc);
	default:
		return 0;
	}
}

uint64_t tc_seg_field_total(const tc_segment *seg, unsigned field)
{
	return field < seg->fln.nfields ? seg->fln.total[field] : 0;
}
