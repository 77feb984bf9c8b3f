/*
 * fuzz_analyze.c — the analyser and the quantity extractor on arbitrary bytes.
 *
 * Documents are untrusted text: whatever the bytes, tc_analyze() succeeds and its tokens
 * are in text order, each a non-empty valid UTF-8 span of the input, at consecutive
 * positions, with non-empty valid UTF-8 forms; tc_quantity_extract() over those tokens
 * succeeds and every mention lies inside the input with a finite value. The extractor
 * runs twice, without and with a context (a document date and a year hint), because
 * dates written without a year take different paths in the two.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analyzer.h"
#include "analysis/quantity.h"
#include "common/utf8.h"
#include "tests/fuzz/fuzz.h"

static tc_analyzer *an;

static int analyze_init(void)
{
	return tc_analyzer_new(&an, NULL);
}

static void analyze_fini(void)
{
	tc_analyzer_free(an);
	an = NULL;
}

/* A form of a token: inside the list's text, NUL-terminated, non-empty, valid UTF-8. */
static void check_form(const tc_toklist *l, uint32_t off, uint16_t len)
{
	TC_FUZZ_ASSERT(len > 0);
	TC_FUZZ_ASSERT((size_t)off + len < l->text.len + 1);
	TC_FUZZ_ASSERT(l->text.data[off + len] == '\0');
	TC_FUZZ_ASSERT(memchr(l->text.data + off, '\0', len) == NULL);
	TC_FUZZ_ASSERT(tc_utf8_count_invalid(l->text.data + off, len) == 0);
}

static void check_tokens(const char *text, size_t len, const tc_toklist *l)
{
	uint32_t prev_end = 0;
	for (size_t i = 0; i < l->n; i++) {
		const tc_token *t = &l->tok[i];
		TC_FUZZ_ASSERT(t->start < t->end && t->end <= len);
		TC_FUZZ_ASSERT(t->start >= prev_end);
		TC_FUZZ_ASSERT(t->pos == i);
		TC_FUZZ_ASSERT(tc_utf8_count_invalid(text + t->start, t->end - t->start) == 0);
		check_form(l, t->folded, t->folded_len);
		TC_FUZZ_ASSERT(t->folded_len <= TC_TOKEN_MAX_BYTES);
		check_form(l, t->exact, t->exact_len);
		if (t->stem_len > 0)
			check_form(l, t->stem, t->stem_len);
		prev_end = t->end;
	}
	TC_FUZZ_ASSERT((l->invalid_utf8 == 0) == (tc_utf8_count_invalid(text, len) == 0));
}

static void check_quantities(size_t len, const tc_qlist *ql)
{
	uint32_t prev_start = 0;
	for (size_t i = 0; i < ql->n; i++) {
		const tc_qty *q = &ql->q[i];
		TC_FUZZ_ASSERT(q->start < q->end && q->end <= len);
		TC_FUZZ_ASSERT(q->start >= prev_start);
		TC_FUZZ_ASSERT(q->qual_start <= q->qual_end && q->qual_end <= len);
		TC_FUZZ_ASSERT(isfinite(q->value));
		TC_FUZZ_ASSERT(q->kind <= TC_QTY_DATE && q->precision <= TC_QTY_YEAR);
		TC_FUZZ_ASSERT(q->n_units <= TC_QTY_MAX_UNITS);
		for (unsigned u = 0; u < q->n_units; u++) {
			const char *key = tc_qty_unit(ql, q, u);
			TC_FUZZ_ASSERT(q->unit_len[u] > 0 && strlen(key) == q->unit_len[u]);
			TC_FUZZ_ASSERT(tc_utf8_count_invalid(key, q->unit_len[u]) == 0);
		}
		TC_FUZZ_ASSERT(strlen(tc_qty_qual(ql, q)) == q->qual_len);
		TC_FUZZ_ASSERT(strlen(tc_qty_qual_exact(ql, q)) == q->qual_exact_len);
		if (q->kind == TC_QTY_DATE)
			TC_FUZZ_ASSERT(q->n_units == 0 && strlen(q->iso) == 10);
		else
			TC_FUZZ_ASSERT(q->iso[0] == '\0');
		prev_start = q->start;
	}
}

static void analyze_one(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	tc_toklist tl = {0};
	tc_qlist ql = {0};
	tc_error err = {0};
	TC_FUZZ_ASSERT(tc_analyze(an, text, size, NULL, &tl, &err) == TC_OK);
	check_tokens(text, size, &tl);

	TC_FUZZ_ASSERT(tc_quantity_extract(text, size, &tl, NULL, &ql, &err) == TC_OK);
	check_quantities(size, &ql);
	const tc_qctx ctx = {"2023-06-20", 2021};
	TC_FUZZ_ASSERT(tc_quantity_extract(text, size, &tl, &ctx, &ql, &err) == TC_OK);
	check_quantities(size, &ql);

	tc_qlist_free(&ql);
	tc_toklist_free(&tl);
}

const tc_fuzz_target tc_fuzz_analyze = {"analyze", analyze_init, analyze_one, analyze_fini};
