/* test_indexer_json.c — which JSON records the indexer accepts: a table of hostile lines
 * with the verdict RFC 8259 (and doc.h's rules) gives each, then a few thousand records
 * generated from a seed, each mutated in one way whose verdict is known by construction,
 * and the decoded strings of the accepted ones checked against what was encoded. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "indexer/doc.h"

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

/* Verdicts: kept, kept with a note on invalid UTF-8, invalid JSON, rejected otherwise. */
enum { OK = 'Y', UTF8 = 'U', BAD = 'N', OTHER = 'O' };

static int verdict(const char *s, size_t n, tc_error *err)
{
	tc_error_clear(err);
	int rc = tc_ix_doc_from_json(wk, "t.jsonl", 1, s, n, &doc, err);
	if (rc == 0)
		return doc.invalid_utf8 ? UTF8 : OK;
	return strstr(err->msg, ": invalid JSON at column ") ? BAD : OTHER;
}

static void check(const char *what, const char *s, size_t n, int want)
{
	tc_error err;
	int got = verdict(s, n, &err);
	if (got != want)
		fail_msg("%s: got %c want %c for '%.*s' (%s)", what, got, want, (int)(n > 200 ? 200 : n),
		         s, got == OK || got == UTF8 ? "kept" : err.msg);
}

/* Whole lines. */
static const struct { const char *line; int want; } lines[] = {
	{"{\"id\":\"a\",\"body\":\"x\"}", OK},
	{" \t{\"id\":\"a\",\"body\":\"x\"} \t\r", OK},
	{"{\"id\":\"a\",\"body\":\"x\"}\n", OK},
	{"{ \"id\" : \"a\" , \"body\" : \"x\" }", OK},
	{"{\"id\":\"a\",\"body\":\"x\"} x", BAD},       /* trailing text */
	{"{\"id\":\"a\",\"body\":\"x\"}{}", BAD},
	{"{\"id\":\"a\",\"body\":\"x\"}}", BAD},
	{"{\"id\":\"a\",\"body\":\"x\"},", BAD},
	{"{\"id\":\"a\",\"body\":\"x\"}\f", BAD},      /* not JSON whitespace */
	{"{\"id\":\"a\",\"body\":\"x\"}\v", BAD},
	{"{\"id\":\"a\",\"body\":\"x\"", BAD},          /* truncations */
	{"{\"id\":\"a\",\"body\":\"x", BAD},
	{"{\"id\":\"a\",\"body\":", BAD},
	{"{\"id\":\"a\",\"body\"", BAD},
	{"{\"id\":\"a\",", BAD},
	{"{", BAD},
	{"", BAD},
	{"   ", BAD},
	{"null", BAD},                                     /* top level: an object or array */
	{"true", BAD},
	{"42", BAD},
	{"\"s\"", BAD},
	{"[]", OTHER},
	{"[1,2]", OTHER},
	{"{}", OTHER},
	{"\xef\xbb\xbf{\"id\":\"a\",\"body\":\"x\"}", BAD},  /* a BOM */
	{"/*c*/{\"id\":\"a\",\"body\":\"x\"}", BAD},          /* comments */
	{"{\"id\":\"a\",\"body\":\"x\"}//c", BAD},
	{"{\"id\":\"a\",/*c*/\"body\":\"x\"}", BAD},
	{"# c\n{\"id\":\"a\",\"body\":\"x\"}", BAD},
	{"{'id':'a','body':'x'}", BAD},                       /* single quotes */
	{"{'id':\"a\",\"body\":\"x\"}", BAD},
	{"{\"id\":\"a\",\"body\":'x'}", BAD},
	{"{id:\"a\",\"body\":\"x\"}", BAD},                   /* bare key */
	{"{\"id\":\"a\",\"body\":\"x\",}", BAD},               /* trailing comma */
	{"{,\"id\":\"a\",\"body\":\"x\"}", BAD},
	{"{\"id\":\"a\" \"body\":\"x\"}", BAD},                /* missing separators */
	{"{\"id\" \"a\",\"body\":\"x\"}", BAD},
	{"{\"id\":\"a\",\"body\":\"x\"]", BAD},                /* mismatched brackets */
	{"{\"id\":\"a\",\"body\":\"x\",\"v\":[1}", BAD},
	{"{\"id\":\"a\",\"body\":\"x\xff\"}", UTF8},            /* invalid UTF-8, repaired */
	{"{\"id\":\"a\",\"body\":\"x\"}\xff", BAD},               /* ... outside a string */
	{"\xff{\"id\":\"a\",\"body\":\"x\"}", BAD},
	{"{\"id\":\"a\",\"body\":\"x\",\"\xc0\xaf\":\"y\"}", UTF8}, /* overlong */
	{"{\"id\":\"a\",\"body\":\"\xe0\x80\xaf\"}", UTF8},
	{"{\"id\":\"a\",\"body\":\"\xed\xa0\x80\"}", UTF8},       /* a surrogate in UTF-8 */
	{"{\"id\":\"a\",\"body\":\"\xf4\x90\x80\x80\"}", UTF8},   /* beyond U+10FFFF */
	{"{\"id\":\"a\",\"body\":\"x\"\xa0}", BAD},               /* repaired, still not JSON */
	{"{\"id\":\"a\",\"body\":\"\xc3\xa9\xe1\xbb\x87\xf0\x9f\x98\x80\"}", OK},
	{"{\"id\":\"a\",\"id\":\"b\",\"body\":\"x\"}", OK},       /* a repeated key */
	{"{\"id\":\"a\",\"body\":\"x\",\"a\\u0000\":\"y\"}", BAD}, /* NUL in a key */
};

/* Values of a field "v" in {"id":"a","body":"x","v":VALUE}. */
static const struct { const char *value; int want; } values[] = {
	{"0", OK}, {"-0", OK}, {"1", OK}, {"-1", OK}, {"10", OK}, {"1.5", OK}, {"-1.5e-3", OK},
	{"1E5", OK}, {"1e+5", OK}, {"0.0", OK}, {"1e-400", OK},
	{"9223372036854775807", OK}, {"-9223372036854775808", OK}, {"1.7976931348623157e308", OK},
	{"01", BAD}, {"00", BAD}, {"-01", BAD}, {"+1", BAD}, {"1.", BAD}, {".5", BAD}, {"-", BAD},
	{"1e", BAD}, {"1e+", BAD}, {"1.e5", BAD}, {"--1", BAD}, {"0x10", BAD}, {"1_000", BAD},
	{"NaN", BAD}, {"nan", BAD}, {"Infinity", BAD}, {"-Infinity", BAD}, {"infinity", BAD},
	{"1e400", BAD}, {"-1e400", BAD}, {"9223372036854775808", BAD},
	{"-9223372036854775809", BAD}, {"123456789012345678901234567890", BAD},
	{"true", OK}, {"false", OK}, {"null", OK}, {"TRUE", BAD}, {"True", BAD}, {"tru", BAD},
	{"nul", BAD}, {"truex", BAD}, {"nullx", BAD}, {"undefined", BAD},
	{"[]", OK}, {"{}", OK}, {"[1,[2,{\"a\":[]}]]", OK}, {"[1,]", BAD}, {"[,1]", BAD},
	{"{\"a\":1,}", BAD}, {"{\"a\"}", BAD}, {"{\"a\" 1}", BAD}, {"[1 2]", BAD},
	{"\"\"", OK}, {"\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", OK}, {"\"\\u00e9\\u1EA1\"", OK},
	{"\"\\ud83d\\ude00\"", OK}, {"\"\\uDBFF\\uDFFF\"", OK}, {"\"\\u0001\\u001f\"", OK},
	{"\"\x7f\"", OK},
	{"\"\\x41\"", BAD}, {"\"\\a\"", BAD}, {"\"\\'\"", BAD}, {"\"\\u12\"", BAD},
	{"\"\\u12G4\"", BAD}, {"\"\\U0041\"", BAD}, {"\"\\\"", BAD},
	{"\"\\u0000\"", BAD}, {"\"a\\u0000b\"", BAD}, {"\"\\\\u0000\"", OK},
	{"\"\\ud800\"", BAD}, {"\"\\udc00\"", BAD}, {"\"\\ud800x\"", BAD},
	{"\"\\ud800\\u0041\"", BAD}, {"\"\\ud800\\ud800\"", BAD}, {"\"\\udc00\\ud800\"", BAD},
	{"\"\\\\ud800\"", OK},
	{"\"\t\"", BAD}, {"\"\n\"", BAD}, {"\"\r\"", BAD}, {"\"\x01\"", BAD}, {"\"\x1f\"", BAD},
	{"'x'", BAD}, {"x", BAD}, {"", BAD},
};

static void test_table(void **state)
{
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
		check("line", lines[i].line, strlen(lines[i].line), lines[i].want);
	/* raw NUL bytes: the length goes past them */
	static const char nul[] = "{\"id\":\"a\",\"body\":\"x\"}\0junk";
	check("nul", nul, sizeof nul - 1, BAD);
	static const char nul_in[] = "{\"id\":\"a\",\"body\":\"x\0y\"}";
	check("nul in a string", nul_in, sizeof nul_in - 1, BAD);
	tc_buf b = {0};
	for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
		tc_buf_clear(&b);
		tc_buf_printf(&b, "{\"id\":\"a\",\"body\":\"x\",\"v\":%s}", values[i].value);
		check("value", b.data, b.len, values[i].want);
		/* the same inside an array, and as the value of id (a string or rejected) */
		tc_buf_clear(&b);
		tc_buf_printf(&b, "{\"id\":\"a\",\"body\":\"x\",\"v\":[%s]}", values[i].value);
		int want = values[i].want;
		if (values[i].value[0] == '\0')
			want = OK;  /* [] */
		check("in an array", b.data, b.len, want);
	}
	tc_buf_free(&b);
}

/* A control byte or an escape at each offset of a long string (strings are scanned 8
 * bytes at a time). */
static void test_offsets(void **state)
{
	static const struct { const char *ins; int want; } cases[] = {
		{"\x01", BAD}, {"\t", BAD}, {"\x1f", BAD}, {"\x7f", OK}, {"\\u0000", BAD},
		{"\\ud800", BAD}, {"\\n", OK}, {"\\\"", OK}, {"\\ud83d\\ude00", OK}, {" ", OK},
	};
	tc_buf b = {0};
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
		for (int at = 0; at < 24; at++) {
			tc_buf_clear(&b);
			tc_buf_puts(&b, "{\"id\":\"a\",\"body\":\"");
			for (int i = 0; i < 24; i++) {
				if (i == at)
					tc_buf_puts(&b, cases[k].ins);
				tc_buf_putc(&b, 'a');
			}
			tc_buf_puts(&b, "\"}");
			check("offset", b.data, b.len, cases[k].want);
		}
	tc_buf_free(&b);
}

/* A repeated key: the last value wins, at the place of the first. */
static void test_repeated_key(void **state)
{
	tc_error err;
	static const char s[] = "{\"title\":\"t1\",\"id\":\"a\",\"body\":\"x\",\"title\":\"t2\"}";
	assert_int_equal(verdict(s, sizeof s - 1, &err), OK);
	assert_int_equal(doc.nfields, 3);
	assert_string_equal(tc_ix_doc_str(&doc, doc.fields[0].name), "title");
	assert_string_equal(tc_ix_doc_str(&doc, doc.fields[0].value), "t2");
	assert_string_equal(tc_ix_doc_str(&doc, doc.fields[2].name), "body");
	/* a repeated id: the last one is the document's */
	static const char s2[] = "{\"id\":\"a\",\"body\":\"x\",\"id\":\"b\"}";
	assert_int_equal(verdict(s2, sizeof s2 - 1, &err), OK);
	size_t n;
	assert_string_equal(tc_ix_doc_id(&doc, &n), "b");
}

/* A record cut short inside a surrogate pair leaves nothing behind for the next one. */
static void test_cut_surrogate(void **state)
{
	static const char *const cut[] = {
		"{\"id\":\"a\",\"body\":\"\\ud83d", "{\"id\":\"a\",\"body\":\"\\ud83d\\",
		"{\"id\":\"a\",\"body\":\"\\ud83d\\ude", "{\"id\":\"a\",\"body\":\"\\ud83d\\ude00",
	};
	static const char ok[] = "{\"id\":\"a\",\"body\":\"\\ud83d\\ude00\"}";
	tc_error err;
	for (size_t i = 0; i < sizeof cut / sizeof cut[0]; i++) {
		check("cut", cut[i], strlen(cut[i]), BAD);
		assert_int_equal(verdict(ok, sizeof ok - 1, &err), OK);
		assert_string_equal(tc_ix_doc_str(&doc, doc.fields[1].value), "\xf0\x9f\x98\x80");
	}
}

/* Nesting: 32 levels (the object itself counts) are read, deeper is invalid JSON. */
static void test_depth(void **state)
{
	tc_buf b = {0};
	for (int depth = 2; depth <= 40; depth++) {
		tc_buf_clear(&b);
		tc_buf_puts(&b, "{\"id\":\"a\",\"body\":\"x\",\"v\":");
		for (int i = 1; i < depth; i++)
			tc_buf_putc(&b, '[');
		for (int i = 1; i < depth; i++)
			tc_buf_putc(&b, ']');
		tc_buf_putc(&b, '}');
		check("depth", b.data, b.len, depth <= 32 ? OK : BAD);
	}
	tc_error err;
	assert_int_equal(verdict(b.data, b.len, &err), BAD);
	assert_non_null(strstr(err.msg, "nesting too deep"));
	/* very deep: still an error, not a crash */
	tc_buf_clear(&b);
	tc_buf_puts(&b, "{\"id\":\"a\",\"body\":\"x\",\"v\":");
	for (int i = 0; i < 100000; i++)
		tc_buf_putc(&b, '[');
	check("depth 100000", b.data, b.len, BAD);
	tc_buf_free(&b);
}

/* The column of an error counts characters from 1. */
static void test_columns(void **state)
{
	static const struct { const char *line, *col; } cases[] = {
		{"{\"id\":\"a\",\"body\":\"x\"} x", "column 23: "},
		{"{\"id\":\"a\",\"body\":01}", "column 20: "},  /* json-c stops at the '}' */
		{"{\"id\":\"ạ\",\"body\":01}", "column 20: "},
		{"{\"id\":\"a\",\"body\":\"\\u0000\"}", "column 19: "},
		{"null", "column 1: '[' or '{' expected"},
		{"{\"id\":\"a\",\"body\":\"x\"", "unexpected end of input"},
	};
	tc_error err;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_int_equal(verdict(cases[i].line, strlen(cases[i].line), &err), BAD);
		if (!strstr(err.msg, cases[i].col))
			fail_msg("case %zu: '%s', want '%s'", i, err.msg, cases[i].col);
	}
}

/* ---- generated records ----------------------------------------------------------------- */

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)((rng >> 11) % n);
}

static void ws(tc_buf *b)
{
	static const char *const sp[] = {"", "", "", " ", "\t", "  ", "\r\n", " \n "};
	tc_buf_puts(b, sp[rnd(8)]);
}

/* A string: its JSON spelling into b, its decoded bytes into dec (if not NULL). */
static void gen_string(tc_buf *b, tc_buf *dec)
{
	static const struct { const char *json, *dec; } pieces[] = {
		{"a", "a"}, {"Hà Nội", "Hà Nội"}, {" ", " "}, {"\\n", "\n"}, {"\\\"", "\""},
		{"\\\\", "\\"}, {"\\/", "/"}, {"\\t", "\t"}, {"\\u00e9", "é"}, {"\\u1EA1", "ạ"},
		{"\\ud83d\\ude00", "\xf0\x9f\x98\x80"}, {"đường", "đường"}, {"0", "0"},
		{"\\u0041", "A"}, {"\\\\u0000", "\\u0000"}, {"\x7f", "\x7f"}, {"'", "'"},
	};
	tc_buf_putc(b, '"');
	int n = (int)rnd(6);
	for (int i = 0; i < n; i++) {
		size_t k = rnd(sizeof pieces / sizeof pieces[0]);
		tc_buf_puts(b, pieces[k].json);
		if (dec)
			tc_buf_puts(dec, pieces[k].dec);
	}
	tc_buf_putc(b, '"');
}

/* Values that no record may hold (each rejected as invalid JSON wherever it stands). */
static const char *const hostile[] = {
	"01", "-01", "00", "+1", "1.", ".5", "NaN", "Infinity", "-Infinity", "1e400",
	"99999999999999999999", "tru", "nul", "'x'", "\"\\u0000\"", "\"\\ud800\"",
	"\"\\udc00x\"", "\"a\x01\"", "\"\t\"", "\"\\x\"", "[1,]", "{\"a\":1,}", "/**/1", "x",
};

static int nvalues;  /* values generated so far in this record */
static int placed;   /* whether the hostile value went in */

static void gen_value(tc_buf *b, int depth, int bad_at)
{
	int me = nvalues++;
	if (me == bad_at) {
		placed = 1;
		tc_buf_puts(b, hostile[rnd(sizeof hostile / sizeof hostile[0])]);
		return;
	}
	static const char *const scalars[] = {
		"0", "-0", "7", "-12", "3.25", "-1.5e-3", "1E5", "2e+10", "true", "false", "null",
		"9223372036854775807", "-9223372036854775808",
	};
	switch (depth < 4 ? rnd(5) : rnd(2)) {
	case 0:
		tc_buf_puts(b, scalars[rnd(sizeof scalars / sizeof scalars[0])]);
		break;
	case 1:
		gen_string(b, NULL);
		break;
	case 2:
	case 3: {
		tc_buf_putc(b, '[');
		int n = (int)rnd(4);
		for (int i = 0; i < n; i++) {
			if (i)
				tc_buf_putc(b, ',');
			ws(b);
			gen_value(b, depth + 1, bad_at);
			ws(b);
		}
		tc_buf_putc(b, ']');
		break;
	}
	default: {
		tc_buf_putc(b, '{');
		int n = (int)rnd(3);
		for (int i = 0; i < n; i++) {
			if (i)
				tc_buf_putc(b, ',');
			ws(b);
			gen_string(b, NULL);
			ws(b);
			tc_buf_putc(b, ':');
			ws(b);
			gen_value(b, depth + 1, bad_at);
			ws(b);
		}
		tc_buf_putc(b, '}');
	}
	}
}

/* {"id":"rN", "body":STRING, "fK":VALUE...}: kept, its body decoding to *body. */
static void gen_record(tc_buf *b, tc_buf *body, int n, int bad_at)
{
	tc_buf_clear(b);
	tc_buf_clear(body);
	nvalues = placed = 0;
	tc_buf_putc(b, '{');
	ws(b);
	tc_buf_printf(b, "\"id\":\"r%d\",", n);
	ws(b);
	tc_buf_puts(b, "\"body\"");
	ws(b);
	tc_buf_putc(b, ':');
	ws(b);
	gen_string(b, body);
	int nf = (int)rnd(5);
	for (int i = 0; i < nf; i++) {
		tc_buf_putc(b, ',');
		ws(b);
		tc_buf_printf(b, "\"f%d\":", i);
		ws(b);
		gen_value(b, 1, bad_at);
		ws(b);
	}
	tc_buf_putc(b, '}');
}

static const tc_ix_field *field(const char *name)
{
	for (size_t i = 0; i < doc.nfields; i++)
		if (strcmp(tc_ix_doc_str(&doc, doc.fields[i].name), name) == 0)
			return &doc.fields[i];
	return NULL;
}

static void test_generated(void **state)
{
	tc_buf b = {0}, body = {0}, m = {0};
	char what[64];
	int bad_records = 0;
	for (int n = 0; n < 3000; n++) {
		gen_record(&b, &body, n, -1);
		snprintf(what, sizeof what, "record %d", n);
		check(what, b.data, b.len, OK);
		const tc_ix_field *f = field("body");
		assert_non_null(f);
		if (f->value_len != body.len || memcmp(tc_ix_doc_str(&doc, f->value), body.data, body.len))
			fail_msg("%s: body '%s', want '%s'", what, tc_ix_doc_str(&doc, f->value), body.data);
		size_t len = b.len;
		int total = nvalues;
		tc_buf_clear(&m);
		placed = 0;
		switch (n % 6) {
		case 0:  /* cut anywhere before the end */
			check(what, b.data, rnd((uint32_t)len), BAD);
			break;
		case 1: {  /* text after the object */
			static const char *const tails[] = {"x", "{}", "1", ",", "]", "\"\"", "/", "\f"};
			tc_buf_append(&m, b.data, len);
			tc_buf_puts(&m, tails[rnd(8)]);
			check(what, m.data, m.len, BAD);
			break;
		}
		case 2:  /* one hostile value among those of a record like it */
			for (int t = 0; t < 8 && !placed; t++)
				gen_record(&m, &body, n, (int)rnd((uint32_t)(total + 2)));
			if (placed) {
				check(what, m.data, m.len, BAD);
				bad_records++;
			}
			break;
		case 3: {  /* an invalid byte inside the body string: repaired */
			const char *q = strstr(b.data, "\"body\"");
			q = strchr(q + 6, '"');
			size_t at = (size_t)(q - b.data) + 1;
			tc_buf_append(&m, b.data, at);
			tc_buf_putc(&m, (char)(0x80 + rnd(0x80)));
			tc_buf_append(&m, b.data + at, len - at);
			check(what, m.data, m.len, UTF8);
			break;
		}
		case 4: {  /* a structural byte dropped: a ',' or ':' outside strings */
			const char *q = strstr(b.data, "\"id\"");
			size_t at = (size_t)(strchr(q, ':') - b.data);
			if (rnd(2))
				at = (size_t)(strstr(b.data, "\",") - b.data) + 1;
			tc_buf_append(&m, b.data, at);
			tc_buf_append(&m, b.data + at + 1, len - at - 1);
			check(what, m.data, m.len, BAD);
			break;
		}
		default: {  /* whitespace around the record, and a repeated body that wins */
			tc_buf_puts(&m, " \t");
			tc_buf_append(&m, b.data, len - 1);
			tc_buf_puts(&m, ",\"body\":\"last\"}\r\n");
			check(what, m.data, m.len, OK);
			assert_string_equal(tc_ix_doc_str(&doc, field("body")->value), "last");
		}
		}
	}
	assert_true(bad_records > 400);
	tc_buf_free(&b);
	tc_buf_free(&body);
	tc_buf_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_offsets),
		cmocka_unit_test(test_repeated_key),
		cmocka_unit_test(test_cut_surrogate),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_columns),
		cmocka_unit_test(test_generated),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
