/*
 * doc.h — one input record in, one analysed document out.
 *
 * This is the part of indexing that needs no shared state, so it runs in worker threads:
 * parse the JSON line (json-c) or take the .txt file, check the fields, replace invalid
 * UTF-8, run the analyser over every indexed field, group its tokens into distinct terms
 * with their positions, and extract the quantity mentions. What comes out (tc_ix_doc) is
 * everything the in-memory index (membuf.h) needs, with nothing left to look up.
 *
 * Fields. Every string field of the input is stored as given (after UTF-8 repair), in
 * input order. All of them except `id`, `date` and `lang` are also indexed: `title`,
 * `body` and any other ("source", "url", ...). Per indexed field, the terms are
 *   'f'  the folded form of each token, with positions
 *   's'  the Snowball stem, with positions, for tokens that have one
 *   'e'  the exact form, frequency only: its term is the folded form, a 0 byte and the
 *        exact form, what storage files it under (storage.h; membuf.c writes the key
 *        with the kind 'f')
 * in order of first occurrence, each with its hash (tc_ix_term_hash), so the writer's
 * term table needs no hashing of its own. The field length is the token count.
 *
 * Quantities. Every mention the extractor (analysis/quantity.h) finds becomes one numeric
 * entry per unit key: "%" for percentages, TC_QTY_KEY_DATE ("@date") for dates in the
 * text; a number that no unit follows has no key and is not filed. A valid `date` field
 * ("YYYY-MM-DD", "YYYY-MM", "YYYY") becomes one entry under TC_IX_KEY_DOCDATE
 * ("@docdate") with position 0; a malformed one is kept as a stored field, noted, and
 * not indexed as a date. (storage.h suggests other date keys; these are the ones the
 * quantity extractor and the query parser use.) Quantities in the body are extracted first,
 * and its first dated year is the year hint for the other fields.
 *
 * Rejections (the record gives no document; the tc_error says "file:line: why"):
 * not JSON ("invalid JSON at column C: reason", C counting characters from 1: RFC 8259
 * strictly, top level an object or array, no trailing text, no "\u0000", no lone
 * surrogate escape, integers within int64, reals within a double, nesting at most 32
 * deep), not an object, `id` or `body` missing, `id`/`title`/`body`/`date`/`lang`
 * not a string (null counts as missing for the optional ones), an empty id or one longer
 * than TC_MAX_ID. Notes (the document is kept, the note says "file:line: why"): invalid
 * UTF-8 replaced (repaired before parsing), unknown `lang`, malformed `date`, a non-string
 * field other than those. A repeated key: the last value, at the first one's place.
 *
 * Memory: a tc_ix_doc owns all it holds; zero-initialise, reuse across records (each
 * call replaces its contents), tc_ix_doc_free() at the end. A tc_ix_worker holds an
 * analyser and scratch space; one per thread.
 */
#ifndef TC_IX_DOC_H
#define TC_IX_DOC_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/err.h"

/* Field names: at most this many bytes; a record with more fields keeps the first ones. */
#define TC_IX_FIELD_NAME_MAX 64
#define TC_IX_FIELDS_MAX 64

/* Numeric key of the document's own `date` field (value: days since 1970-01-01). */
#define TC_IX_KEY_DOCDATE "@docdate"

/*
 * The hash of a term of a kind (FNV-1a over the kind byte and the term bytes, then
 * mixed): computed once by the worker that analyses the document, used by the writer.
 * An exact form's ('e') covers the exact form alone, the part after the 0 byte: it
 * decides the folded form before it, and the worker groups exact forms by it.
 */
static inline uint32_t tc_ix_term_hash(char kind, const void *s, size_t n)
{
	const unsigned char *p = s;
	uint32_t h = (2166136261u ^ (unsigned char)kind) * 16777619u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	return h ^ (h >> 16);
}

/* One distinct term of one field of the document. */
typedef struct tc_ix_term {
	uint32_t hash;         /* tc_ix_term_hash(kind, bytes) */
	uint32_t term;         /* offset of the term bytes in tc_ix_doc.arena */
	uint16_t len;          /* bytes */
	char kind;             /* 'f', 's' or 'e' */
	uint32_t freq;         /* occurrences in the field (>= 1) */
	uint32_t pos;          /* 'f'/'s': index of the first of freq ascending positions
	                          in tc_ix_doc.pos; 'e': 0 */
} tc_ix_term;

typedef struct tc_ix_field {
	uint32_t name, name_len;    /* field name, offset in arena */
	uint32_t value, value_len;  /* stored value, valid UTF-8, offset in arena */
	uint8_t indexed;            /* 0 for id, date, lang */
	uint32_t ntokens;           /* field length (tokens); 0 when not indexed */
	uint32_t term0, nterms;     /* its terms: tc_ix_doc.terms[term0 .. term0+nterms) */
} tc_ix_field;

/* One numeric entry: a quantity under one of its unit keys. */
typedef struct tc_ix_num {
	double value;          /* number, percent, or days since 1970-01-01 */
	uint32_t unit;         /* unit key, offset in arena, NUL-terminated there */
	uint32_t unit_len;
	uint32_t field;        /* index into tc_ix_doc.fields */
	uint32_t pos;          /* token position of the number in that field */
} tc_ix_num;

typedef struct tc_ix_doc {
	tc_buf arena;          /* every string above, each NUL-terminated */
	tc_ix_field *fields;   /* in input order */
	size_t nfields, cap_fields;
	tc_ix_term *terms;     /* per field, in order of first occurrence */
	size_t nterms, cap_terms;
	uint32_t *pos;         /* positions of 'f' and 's' terms */
	size_t npos, cap_pos;
	tc_ix_num *nums;       /* in field order, then text order */
	size_t nnums, cap_nums;
	uint32_t id_field;     /* index of the `id` field */
	size_t invalid_utf8;   /* invalid sequences replaced in the record */
	tc_buf notes;          /* notes on the kept document, one per line */
	size_t nnotes;
	size_t in_bytes;       /* size of the record as read */
} tc_ix_doc;

static inline const char *tc_ix_doc_str(const tc_ix_doc *d, uint32_t off)
{
	return d->arena.data + off;
}

/* The document's id (NUL-terminated) and its length. */
static inline const char *tc_ix_doc_id(const tc_ix_doc *d, size_t *len)
{
	*len = d->fields[d->id_field].value_len;
	return d->arena.data + d->fields[d->id_field].value;
}

/* Bytes of heap the document holds (for memory accounting). */
size_t tc_ix_doc_mem(const tc_ix_doc *d);
void tc_ix_doc_free(tc_ix_doc *d);

typedef struct tc_ix_worker tc_ix_worker;

/*
 * Creates a worker. lang is the stemming language for documents that carry no `lang`
 * (NULL = the analyser's default); an unknown one is TC_EINVAL. *out is NULL on failure.
 */
int tc_ix_worker_new(const char *lang, tc_ix_worker **out, tc_error *err);
void tc_ix_worker_free(tc_ix_worker *w);

/*
 * Analyses one JSON Lines record (src and line are for messages). Returns 0 with *d
 * filled (notes possibly), or a negative code: the record is rejected and err says why.
 */
int tc_ix_doc_from_json(tc_ix_worker *w, const char *src, uint64_t line, const char *json,
                        size_t len, tc_ix_doc *d, tc_error *err);

/*
 * Analyses a plain text file as one document: id = the file's base name without its
 * extension, title = its first non-blank line (trimmed), body = the whole text.
 */
int tc_ix_doc_from_text(tc_ix_worker *w, const char *path, const char *text, size_t len,
                        tc_ix_doc *d, tc_error *err);

/*
 * Parses a `date` value: "YYYY-MM-DD", "YYYY-MM" or "YYYY" (year 1..9999, a real day),
 * into days since 1970-01-01 (of the first day for the short forms). Returns 0 or -1.
 */
int tc_ix_parse_date(const char *s, size_t n, double *days);

#endif
