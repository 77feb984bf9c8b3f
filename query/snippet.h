/*
 * snippet.h — a passage of a document's original text around the best matches of a
 * query, with the matches marked: the words (folded, stem or prefix matches, or exact
 * ones in strict mode) and the quantity mentions that satisfy a comparison.
 *
 * The text is re-analysed (analysis is cheap next to a disk read, and the index keeps no
 * offsets), so the marks fall on the bytes the author wrote, diacritics and all. Only the
 * pieces of the text whose bytes can spell a query word are analysed (see snippet.c):
 * the snippet is the one the analysis of the whole text gives, for less.
 *
 * Memory: tc_snippet owns its text and spans; zero-initialise, tc_snippet_free() at the
 * end; tc_snippet_make() may be called on it again (contents replaced).
 */
#ifndef TC_QUERY_SNIPPET_H
#define TC_QUERY_SNIPPET_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/analyzer.h"
#include "common/buf.h"
#include "query/parse.h"

typedef struct tc_span {
	uint32_t start, end;      /* bytes of tc_snippet.text */
} tc_span;

typedef struct tc_snippet {
	tc_buf text;              /* the passage, valid UTF-8, "…" where text was cut */
	tc_span *marks;           /* marked ranges, ascending, not overlapping */
	size_t nmarks, cap;
	size_t matches;           /* marked ranges in the passage */
} tc_snippet;

/*
 * Makes the snippet of text[0..len) for query q: a window of about max_bytes around the
 * densest cluster of matches (the start of the text when nothing matches).
 */
int tc_snippet_make(tc_analyzer *a, const tc_qnode *q, int strict, const char *text,
                    size_t len, const char *lang, size_t max_bytes, tc_snippet *out,
                    tc_error *err);
void tc_snippet_free(tc_snippet *s);

/* Appends the snippet as HTML: text escaped, marks as <mark>…</mark>. */
void tc_snippet_html(const tc_snippet *s, tc_buf *out);
/* Appends the snippet for a terminal: marks in bold yellow when colour, else [..]. */
void tc_snippet_ansi(const tc_snippet *s, int colour, tc_buf *out);

#endif
