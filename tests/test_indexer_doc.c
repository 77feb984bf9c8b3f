/* test_indexer_doc.c — records to analysed documents: the table of malformed records and
 * their messages, notes on kept documents, stored and indexed fields, term grouping
 * against the analyser itself, quantities and dates. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analyzer.h"
#include "analysis/quantity.h"
#include "indexer/doc.h"
#include "storage/storage.h"
#include "testutil.h"

static tc_ix_worker *wk;
static tc_ix_doc doc;

static int setup(void **state)
{
	return tc_ix_worker_new(NULL, &wk, NULL);
}

static int teardown(void **state)
{
	tc_ix_doc_free(&doc);
	tc_ix_worker_free(wk);
	return 0;
}

static int parse(const char *json, tc_error *err)
{
	tc_error_clear(err);
	return tc_ix_doc_from_json(wk, "in.jsonl", 7, json, strlen(json), &doc, err);
}

static const tc_ix_field *field(const char *name)
{
	for (size_t i = 0; i < doc.nfields; i++)
		if (strcmp(tc_ix_doc_str(&doc, doc.fields[i].name), name) == 0)
			return &doc.fields[i];
	return NULL;
}

/* Every way a record is rejected, with the message it gets. */
static void test_rejections(void **state)
{
	static const struct { const char *json, *msg; } cases[] = {
		{"{\"id\":\"a\",\"body\":\"x\"", "in.jsonl:7: invalid JSON at column"},
		{"not json", "in.jsonl:7: invalid JSON"},
		{"{\"id\":\"a\",\"body\":\"x\"} trailing", "in.jsonl:7: invalid JSON"},
		{"[1,2]", "in.jsonl:7: not a JSON object (an array)"},
		{"{\"body\":\"x\"}", "in.jsonl:7: missing \"id\""},
		{"{\"id\":null,\"body\":\"x\"}", "in.jsonl:7: missing \"id\""},
		{"{\"id\":\"a\"}", "in.jsonl:7: missing \"body\""},
		{"{\"id\":\"a\",\"title\":\"t\",\"body\":null}", "in.jsonl:7: missing \"body\""},
		{"{\"id\":5,\"body\":\"x\"}", "in.jsonl:7: \"id\" is a number, not a string"},
		{"{\"id\":\"a\",\"body\":[\"x\"]}", "in.jsonl:7: \"body\" is an array, not a string"},
		{"{\"id\":\"a\",\"body\":\"x\",\"title\":{}}", "in.jsonl:7: \"title\" is an object"},
		{"{\"id\":\"a\",\"body\":\"x\",\"date\":20230101}", "in.jsonl:7: \"date\" is a number"},
		{"{\"id\":\"a\",\"body\":\"x\",\"lang\":true}", "in.jsonl:7: \"lang\" is a boolean"},
		{"{\"id\":\"\",\"body\":\"x\"}", "in.jsonl:7: empty \"id\""},
		{"{\"id\":\"a\\u0000b\",\"body\":\"x\"}", "in.jsonl:7: invalid JSON"},
		{"{\"id\":\"a\",\"body\":\"\\ud800\"}", "in.jsonl:7: invalid JSON"},
	};
	tc_error err;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int rc = parse(cases[i].json, &err);
		if (rc != TC_EPARSE || strncmp(err.msg, cases[i].msg, strlen(cases[i].msg)) != 0)
			fail_msg("case %zu %s: rc %d, message '%s', want '%s'", i, cases[i].json, rc,
			         err.msg, cases[i].msg);
	}
	/* an id longer than storage allows */
	tc_buf b = {0};
	tc_buf_puts(&b, "{\"id\":\"");
	for (int i = 0; i <= TC_MAX_ID; i++)
		tc_buf_putc(&b, 'x');
	tc_buf_puts(&b, "\",\"body\":\"x\"}");
	assert_int_equal(parse(b.data, &err), TC_EPARSE);
	assert_non_null(strstr(err.msg, "longer than 1024 bytes"));
	tc_buf_free(&b);
}

/* Kept with a note: invalid UTF-8, an unknown lang, a bad date, non-string extras. */
static void test_notes(void **state)
{
	static const struct { const char *json, *note; } cases[] = {
		{"{\"id\":\"a\",\"body\":\"ch\xffu\"}", "in.jsonl:7: 1 invalid UTF-8 byte replaced"},
		{"{\"id\":\"a\",\"body\":\"x\",\"lang\":\"klingon\"}",
		 "in.jsonl:7: unknown lang \"klingon\"; default stemming used"},
		{"{\"id\":\"a\",\"body\":\"x\",\"date\":\"20/6/2023\"}",
		 "in.jsonl:7: date \"20/6/2023\" is not YYYY-MM-DD"},
		{"{\"id\":\"a\",\"body\":\"x\",\"date\":\"2023-02-29\"}", "in.jsonl:7: date \"2023-02-29\""},
		{"{\"id\":\"a\",\"body\":\"x\",\"views\":12}",
		 "in.jsonl:7: field \"views\" is a number, not a string; ignored"},
		{"{\"id\":\"a\",\"body\":\"x\",\"\":\"y\"}", "in.jsonl:7: field name \"\" is empty"},
	};
	tc_error err;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_int_equal(parse(cases[i].json, &err), 0);
		assert_int_equal(doc.nnotes, 1);
		if (strncmp(doc.notes.data, cases[i].note, strlen(cases[i].note)) != 0)
			fail_msg("case %zu: note '%s', want '%s'", i, doc.notes.data, cases[i].note);
	}
	/* the replaced byte is U+FFFD in the stored body, and counted */
	assert_int_equal(parse("{\"id\":\"a\",\"body\":\"ch\xff\xfeu\"}", &err), 0);
	assert_int_equal(doc.invalid_utf8, 2);
	assert_string_equal(tc_ix_doc_str(&doc, field("body")->value),
	                    "ch\xef\xbf\xbd\xef\xbf\xbdu");
	/* a null optional field is simply absent */
	assert_int_equal(parse("{\"id\":\"a\",\"body\":\"x\",\"title\":null}", &err), 0);
	assert_null(field("title"));
	assert_int_equal(doc.nnotes, 0);
}

/* Fields stored in input order; id/date/lang stored, not indexed; others indexed. */
static void test_fields(void **state)
{
	tc_error err;
	assert_int_equal(parse("{\"source\":\"VnExpress\",\"id\":\"d1\",\"title\":\"Cải cách\","
	                       "\"body\":\"Hành chính công\",\"date\":\"2023-06\","
	                       "\"lang\":\"vi\",\"url\":\"http://x.vn/a\"}",
	                       &err),
	                 0);
	static const struct { const char *name, *value; int indexed; uint32_t ntokens; } want[] = {
		{"source", "VnExpress", 1, 1}, {"id", "d1", 0, 0},       {"title", "Cải cách", 1, 2},
		{"body", "Hành chính công", 1, 3}, {"date", "2023-06", 0, 0}, {"lang", "vi", 0, 0},
		{"url", "http://x.vn/a", 1, 0},
	};
	assert_int_equal(doc.nfields, 7);
	for (size_t i = 0; i < 7; i++) {
		const tc_ix_field *f = &doc.fields[i];
		assert_string_equal(tc_ix_doc_str(&doc, f->name), want[i].name);
		assert_string_equal(tc_ix_doc_str(&doc, f->value), want[i].value);
		assert_int_equal(f->indexed, want[i].indexed);
		if (strcmp(want[i].name, "url") != 0)
			assert_int_equal(f->ntokens, want[i].ntokens);
		else
			assert_true(f->ntokens >= 3);
	}
	size_t idlen;
	assert_string_equal(tc_ix_doc_id(&doc, &idlen), "d1");
	assert_int_equal(idlen, 2);
	/* the document date is one numeric entry: 2023-06-01 = day 19509 */
	int found = 0;
	for (size_t i = 0; i < doc.nnums; i++)
		if (strcmp(tc_ix_doc_str(&doc, doc.nums[i].unit), TC_IX_KEY_DOCDATE) == 0) {
			assert_true(doc.nums[i].value == 19509.0);
			assert_string_equal(tc_ix_doc_str(&doc, doc.fields[doc.nums[i].field].name),
			                    "date");
			found++;
		}
	assert_int_equal(found, 1);
}

/* The terms of each field are exactly the analyser's tokens, grouped. */
static void check_terms_against_analyser(const char *fname)
{
	const tc_ix_field *f = field(fname);
	assert_non_null(f);
	tc_analyzer *an;
	tc_toklist tl = {0};
	assert_int_equal(tc_analyzer_new(&an, NULL), 0);
	const char *text = tc_ix_doc_str(&doc, f->value);
	assert_int_equal(tc_analyze(an, text, f->value_len, NULL, &tl, NULL), 0);
	assert_int_equal(f->ntokens, tl.n);
	/* every token occurrence is found in its term, and the counts add up */
	uint64_t sum[3] = {0};
	for (uint32_t i = f->term0; i < f->term0 + f->nterms; i++) {
		const tc_ix_term *t = &doc.terms[i];
		sum[t->kind == 'f' ? 0 : t->kind == 's' ? 1 : 2] += t->freq;
		/* distinct, and hashed as the writer expects */
		for (uint32_t k = f->term0; k < i; k++)
			assert_false(doc.terms[k].kind == t->kind && doc.terms[k].len == t->len &&
			             memcmp(tc_ix_doc_str(&doc, doc.terms[k].term),
			                    tc_ix_doc_str(&doc, t->term), t->len) == 0);
		const char *hs = tc_ix_doc_str(&doc, t->term);
		size_t hn = t->len;
		if (t->kind == 'e') {  /* an exact form's hash covers the exact form alone */
			size_t at = strlen(hs) + 1;
			hs += at;
			hn -= at;
		}
		assert_int_equal(t->hash, tc_ix_term_hash(t->kind, hs, hn));
		if (t->kind != 'e')
			for (uint32_t k = 1; k < t->freq; k++)
				assert_true(doc.pos[t->pos + k - 1] < doc.pos[t->pos + k]);
	}
	uint64_t stems = 0;
	for (size_t k = 0; k < tl.n; k++) {
		const tc_token *tok = &tl.tok[k];
		stems += tok->stem_len > 0;
		/* an exact form's term is its folded form, a 0 byte and the exact form */
		char exact[3 * TC_TOKEN_MAX_BYTES + 2];
		size_t xn = (size_t)tok->folded_len + 1 + tok->exact_len;
		assert_true(xn <= sizeof exact);
		memcpy(exact, tc_tok_folded(&tl, tok), tok->folded_len);
		exact[tok->folded_len] = '\0';
		memcpy(exact + tok->folded_len + 1, tc_tok_exact(&tl, tok), tok->exact_len);
		const char *forms[3] = {tc_tok_folded(&tl, tok), tc_tok_stem(&tl, tok), exact};
		const size_t lens[3] = {tok->folded_len, tok->stem_len, xn};
		static const char kinds[3] = {'f', 's', 'e'};
		for (int j = 0; j < 3; j++) {
			if (!forms[j])
				continue;
			int ok = 0;
			for (uint32_t i = f->term0; i < f->term0 + f->nterms && !ok; i++) {
				const tc_ix_term *t = &doc.terms[i];
				if (t->kind != kinds[j] || t->len != lens[j] ||
				    memcmp(tc_ix_doc_str(&doc, t->term), forms[j], lens[j]))
					continue;
				if (t->kind == 'e')
					ok = 1;
				for (uint32_t q = 0; q < t->freq && !ok; q++)
					ok = doc.pos[t->pos + q] == tok->pos;
			}
			if (!ok)
				fail_msg("%s: token %zu '%s' kind %c not found", fname, k,
				         j == 2 ? tc_tok_exact(&tl, tok) : forms[j], kinds[j]);
		}
	}
	assert_int_equal(sum[0], tl.n);
	assert_int_equal(sum[1], stems);
	assert_int_equal(sum[2], tl.n);
	tc_toklist_free(&tl);
	tc_analyzer_free(an);
}

static void test_terms_of_seeds(void **state)
{
	static const char *seeds[] = {"seeds/000_1f3fc7111ad9de8e.txt",
	                              "seeds/004_64537e625f1f676f.txt"};
	for (size_t s = 0; s < 2; s++) {
		size_t len;
		char *text = tu_read_file(tu_shared(seeds[s]), &len);
		if (!text) {
			printf("skipped: %s not found (set TRACUU_SRC)\n", tu_shared(seeds[s]));
			return;
		}
		tc_error err = {0};
		assert_int_equal(tc_ix_doc_from_text(wk, seeds[s], text, len, &doc, &err), 0);
		char id[64];
		snprintf(id, sizeof id, "%.20s", strchr(seeds[s], '/') + 1);
		assert_string_equal(tc_ix_doc_str(&doc, field("id")->value), id);
		check_terms_against_analyser("body");
		check_terms_against_analyser("title");
		/* the title is the first line, the body all of it */
		assert_int_equal(field("body")->value_len, len);
		assert_true(doc.nnums > 0);
		free(text);
	}
}

/* Quantities: one entry per unit key, percentages under "%", dates under their key. */
static void test_quantities(void **state)
{
	tc_error err;
	assert_int_equal(parse("{\"id\":\"q\",\"title\":\"ngày 19/7\",\"body\":\"Hơn 6,8 triệu "
	                       "giao dịch thanh toán, tăng 32,05%. Ngày 20/6/2023 họp.\"}",
	                       &err),
	                 0);
	int giao = 0, giao_dich = 0, pct = 0, dates = 0, title_date = 0;
	for (size_t i = 0; i < doc.nnums; i++) {
		const tc_ix_num *e = &doc.nums[i];
		const char *u = tc_ix_doc_str(&doc, e->unit);
		const char *fname = tc_ix_doc_str(&doc, doc.fields[e->field].name);
		if (strcmp(u, "giao") == 0 && e->value == 6.8e6)
			giao++;
		if (strcmp(u, "giao dich") == 0 && e->value == 6.8e6 && e->pos == 1)
			giao_dich++;
		if (strcmp(u, "%") == 0 && e->value == 32.05)
			pct++;
		if (strcmp(u, TC_QTY_KEY_DATE) == 0 && strcmp(fname, "body") == 0 && e->value == 19528)
			dates++;
		/* the title's "19/7" takes its year from the body */
		if (strcmp(u, TC_QTY_KEY_DATE) == 0 && strcmp(fname, "title") == 0 && e->value == 19557)
			title_date++;
	}
	assert_int_equal(giao, 1);
	assert_int_equal(giao_dich, 1);
	assert_int_equal(pct, 1);
	assert_int_equal(dates, 1);
	assert_int_equal(title_date, 1);
}

static void test_dates(void **state)
{
	static const struct { const char *s; double days; } ok[] = {
		{"1970-01-01", 0},  {"2023-06-20", 19528}, {"2023-06", 19509}, {"2023", 19358},
		{"2000-02-29", 11016}, {"1969-12-31", -1}, {"0001-01-01", -719162},
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		double d;
		assert_int_equal(tc_ix_parse_date(ok[i].s, strlen(ok[i].s), &d), 0);
		assert_true(d == ok[i].days);
	}
	static const char *bad[] = {"", "23", "2023-6-1", "2023-13", "2023-00-10", "2023-02-30",
	                            "1900-02-29", "2023/06/01", "2023-06-20T10:00", "0000",
	                            "2023-06-", "abcd"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		double d;
		if (tc_ix_parse_date(bad[i], strlen(bad[i]), &d) == 0)
			fail_msg("'%s' accepted", bad[i]);
	}
}

/* .txt: id from the name, title = first non-blank line, trimmed. */
static void test_text(void **state)
{
	tc_error err = {0};
	const char *t = "\n  \n  Báo cáo tháng 6  \r\nNội dung.\n";
	assert_int_equal(tc_ix_doc_from_text(wk, "dir/bc-06.txt", t, strlen(t), &doc, &err), 0);
	assert_string_equal(tc_ix_doc_str(&doc, field("id")->value), "bc-06");
	assert_string_equal(tc_ix_doc_str(&doc, field("title")->value), "Báo cáo tháng 6");
	assert_string_equal(tc_ix_doc_str(&doc, field("body")->value), t);
	/* blank file: no title, empty body */
	assert_int_equal(tc_ix_doc_from_text(wk, "e.txt", "\n\n", 2, &doc, &err), 0);
	assert_null(field("title"));
	assert_int_equal(field("body")->ntokens, 0);
	/* a file name that gives no id */
	assert_int_equal(tc_ix_doc_from_text(wk, "dir/.txt", "x", 1, &doc, &err), 0);
	assert_int_equal(tc_ix_doc_from_text(wk, "dir/\xff.txt", "x", 1, &doc, &err), TC_EPARSE);
	assert_non_null(strstr(err.msg, "dir/\xff.txt:1: the file name gives no usable id"));
}

/* English stems; a document's lang picks another stemmer. */
static void test_stems_and_lang(void **state)
{
	tc_error err;
	assert_int_equal(parse("{\"id\":\"s\",\"body\":\"transactions\"}", &err), 0);
	const tc_ix_field *f = field("body");
	int stem = 0;
	for (uint32_t i = f->term0; i < f->term0 + f->nterms; i++)
		if (doc.terms[i].kind == 's')
			stem = strcmp(tc_ix_doc_str(&doc, doc.terms[i].term), "transact") == 0;
	assert_true(stem);
	assert_int_equal(parse("{\"id\":\"s\",\"body\":\"nationales\",\"lang\":\"fr\"}", &err), 0);
	f = field("body");
	for (uint32_t i = f->term0; i < f->term0 + f->nterms; i++)
		if (doc.terms[i].kind == 's')
			assert_string_equal(tc_ix_doc_str(&doc, doc.terms[i].term), "national");
	assert_int_equal(doc.nnotes, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rejections),
		cmocka_unit_test(test_notes),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_terms_of_seeds),
		cmocka_unit_test(test_quantities),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_stems_and_lang),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
