/* test_query.c — the query language: parsing into trees, and parse errors. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "query/parse.h"

static tc_analyzer *an;

static int setup(void **state)
{
	tc_error err = {0};
	return tc_analyzer_new(&an, &err);
}

static int teardown(void **state)
{
	tc_analyzer_free(an);
	return 0;
}

/* A small index vocabulary: fields and unit keys. */
static int fake_field(void *ctx, const char *name)
{
	static const char *fields[] = {"title", "body", "source"};
	for (int i = 0; i < 3; i++)
		if (strcmp(fields[i], name) == 0)
			return i;
	return -1;
}

static int fake_unit(void *ctx, const char *key, size_t len)
{
	static const char *units[] = {"giao", "giao dich", "ho so", "dia phuong", "dong",
	                              "ty dong", "con", "dong va", "con cua", "tam", "tam ve",
	                              "nguoi", "nguoi bi thuong"};
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
		if (strlen(units[i]) == len && memcmp(units[i], key, len) == 0)
			return 1;
	return 0;
}

static const tc_query_env env = {fake_field, fake_unit, NULL};

static const char *parse(const char *q, int *rc)
{
	static char out[2048];
	tc_error err = {0};
	tc_query *query;
	*rc = tc_query_parse(an, q, strlen(q), &env, &query, &err);
	if (*rc != TC_OK) {
		snprintf(out, sizeof out, "error: %s", err.msg);
		return out;
	}
	tc_buf b = {0};
	tc_query_dump(tc_query_root(query), &b);
	snprintf(out, sizeof out, "%s", b.data);
	tc_buf_free(&b);
	tc_query_free(query);
	return out;
}

static void test_parse(void **state)
{
	static const struct { const char *q, *tree; } cases[] = {
		{"cải cách hành chính", "OR(AND(cai(cải) cach(cách) hanh(hành) chinh(chính)) ~cchc)"},
		{"cai cach hanh chinh", "OR(AND(cai cach hanh chinh) ~cchc)"},
		{"cải cách hành", "AND(cai(cải) cach(cách) hanh(hành))"},
		{"\"dịch vụ công\"", "OR(\"dich(dịch) vu(vụ) cong(công)\" ~dvc)"},
		{"“dịch vụ công”", "OR(\"dich(dịch) vu(vụ) cong(công)\" ~dvc)"},
		{"\"cải cách hành chính\"~3", "\"cai(cải) cach(cách) hanh(hành) chinh(chính)\"~3"},
		{"thuế OR phí", "OR(thue(thuế) phi(phí))"},
		{"giao dịch OR thanh toán", "OR(AND(giao dich(dịch)) AND(thanh toan(toán)))"},
		{"thuế -phí", "AND(thue(thuế) NOT(phi(phí)))"},
		{"(thu OR chi) ngan", "AND(OR(thu chi) ngan)"},
		{"((ban))", "ban"},
		{"title:ndxp", "#0:~ndxp"},
		{"source:vnexpress cải", "AND(#2:~vnexpress cai(cải))"},
		{"title:\"cải cách\"", "#0:\"cai(cải) cach(cách)\""},
		{"cải*", "cai(cải)*"},
		{"hanh*", "hanh*"},
		{"13/2023/NĐ-CP", "\"13 2023 ~nd(nđ) ~cp\""},
		{"13/2023/nd-cp", "\"13 2023 ~nd ~cp\""},
		{"Covid-19", "\"~covid 19\""},
		{"transactions", "~transact"},
		{"NDXP > 1 tỷ giao dịch", "AND(~ndxp QTY[giao dich (1000000000,inf)])"},
		{"ndxp > 1 ty giao dich", "AND(~ndxp QTY[giao dich (1000000000,inf)])"},
		{"NDXP>1 tỷ giao dịch", "AND(~ndxp QTY[giao dich (1000000000,inf)])"},
		{"giao dịch > 1 tỷ", "QTY[giao dich (1000000000,inf)]"},
		/* a parenthesis keeps a word before it out of a comparison's unit */
		{"giao dịch (> 1 tỷ)", "AND(giao dich(dịch) QTY[@none (1000000000,inf)])"},
		{"đồng -(> 5)", "AND(dong(đồng) NOT(QTY[@none (5,inf)]))"},
		{"(giao dịch) > 1 tỷ", "AND(giao dich(dịch) QTY[@none (1000000000,inf)])"},
		{"ndxp giao dịch >= 1.000.000", "AND(~ndxp QTY[giao dich [1000000,inf)])"},
		{"trên 1 tỷ giao dịch", "QTY[giao dich (1000000000,inf)]"},
		{"< 50%", "QTY[% (-inf,50)]"},
		{"từ 1 triệu đến 5 triệu hồ sơ", "QTY[ho so [1000000,5000000]]"},
		{"= 63 địa phương", "QTY[dia phuong [63,63]]"},
		{"date >= 2023-06-01", "QTY[@date|@docdate [19509,inf)]"},
		/* ISO's year and month, as "6/2023"; a '-' glued to a number is no exclusion */
		{"date >= 2023-06", "QTY[@date|@docdate [19509,inf)]"},
		{"date >= 6/2023", "QTY[@date|@docdate [19509,inf)]"},
		{"ngày 2023-06..2023-07", "QTY[@date|@docdate [19509,19569]]"},
		{"> 2023-13 người", "AND(QTY[@none (2023,inf)] 13 nguoi(người))"},
		/* a unit does not run on into words of grammar, though the index knows "đồng
		   và" as it knows every run of syllables after a number; with marks they must be
		   those words ("vé" is no "về"), without, only the plain ones */
		{"> 5 tỷ đồng và < 10 tỷ đồng",
		 "AND(QTY[dong|vnd|d (5000000000,inf)] va(và) QTY[dong|vnd|d (-inf,1e+10)])"},
		{"> 5 ty dong va < 10 ty dong",
		 "AND(QTY[dong|vnd|d (5000000000,inf)] va QTY[dong|vnd|d (-inf,1e+10)])"},
		{"> 5 tấm vé", "QTY[tam ve (5,inf)]"},
		/* a unit written more than one way: every way, the typed one first; an alias
		   the index lacks still names it ("đô la" where the index has none) */
		{"> 1 tỷ VNĐ", "QTY[vnd|dong|d (1000000000,inf)]"},
		{"> 1 triệu USD", "QTY[usd|do la|dola (1000000,inf)]"},
		{"> 1 triệu đô la Mỹ", "QTY[usd|do la|dola (1000000,inf)]"},
		{"duoi 5 do la", "QTY[do la|usd|dola (-inf,5)]"},
		{"> 5 ki lô mét", "QTY[ky lo met|km|kilomet|cay so (5,inf)]"},
		{"> 5 độ", "QTY[do (5,inf)]"},
		/* abbreviations: either form finds the other; not inside codes or sloppy phrases */
		{"TTHC", "OR(~tthc \"thu(thủ) tuc(tục) hanh(hành) chinh(chính)\")"},
		{"tthc tỉnh", "AND(OR(~tthc \"thu(thủ) tuc(tục) hanh(hành) chinh(chính)\") tinh(tỉnh))"},
		{"\"thủ tục hành chính\"", "OR(\"thu(thủ) tuc(tục) hanh(hành) chinh(chính)\" ~tthc)"},
		{"\"thu tuc hanh chinh\"~2", "\"thu tuc hanh chinh\"~2"},
		{"title:ĐBQH", "OR(#0:~dbqh(đbqh) #0:\"dai(đại) bieu(biểu) quoc(quốc) hoi(hội)\")"},
		{"tỉnh -UBND", "AND(tinh(tỉnh) NOT(OR(~ubnd \"uy(ủy) ban nhan(nhân) dan(dân)\")))"},
		{"thủ tục hành chính", "OR(AND(thu(thủ) tuc(tục) hanh(hành) chinh(chính)) ~tthc)"},
		{"cải cách thủ tục hành chính tỉnh", "AND(cai(cải) cach(cách) OR(AND(thu(thủ) tuc(tục) "
		 "hanh(hành) chinh(chính)) ~tthc) tinh(tỉnh))"},
		{"TTHC-2023", "\"~tthc 2023\""},
		/* an abbreviation in two parts, written every way; the run before its parts */
		{"TP.HCM", "OR(\"~tp ~hcm\" \"thanh(thành) pho(phố) ho(hồ) chi(chí) minh\" ~tphcm)"},
		{"TP HCM", "OR(AND(~tp ~hcm) \"thanh(thành) pho(phố) ho(hồ) chi(chí) minh\" ~tphcm)"},
		{"TPHCM", "OR(~tphcm \"thanh(thành) pho(phố) ho(hồ) chi(chí) minh\" \"~tp ~hcm\")"},
		{"TP Hà Nội", "AND(OR(~tp \"thanh(thành) pho(phố)\") ha(hà) noi(nội))"},
		{"(TTHC OR x) -UBND", "AND(OR(OR(~tthc \"thu(thủ) tuc(tục) hanh(hành) chinh(chính)\") ~x) "
		 "NOT(OR(~ubnd \"uy(ủy) ban nhan(nhân) dan(dân)\")))"},
		{"> 5 tấm về", "AND(QTY[tam (5,inf)] ve(về))"},
		{"> 100 người bị thương", "QTY[nguoi bi thuong (100,inf)]"},
		{"> 5 con của", "AND(QTY[con (5,inf)] cua(của))"},
		{"> 5 con cua", "AND(QTY[con (5,inf)] cua)"},
		{"từ 1 triệu đến 5 triệu ho so", "QTY[ho so [1000000,5000000]]"},
		{"> 5 con mèo", "AND(QTY[con (5,inf)] meo(mèo))"},
		{"> 5 mèo", "QTY[meo (5,inf)]"},
		{"tổng > 1000", "AND(tong(tổng) QTY[@none (1000,inf)])"},
		{"\"trên 5 người\"", "\"tren(trên) 5 nguoi(người)\""},
		{"Covid-19 năm 2022", "AND(\"~covid 19\" nam(năm) 2022)"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int rc;
		const char *got = parse(cases[i].q, &rc);
		if (rc != TC_OK || strcmp(got, cases[i].tree) != 0)
			fail_msg("parse(%s) = %s, want %s", cases[i].q, got, cases[i].tree);
	}
}

static void test_errors(void **state)
{
	static const struct { const char *q, *msg; } cases[] = {
		{"\"abc", "unclosed quote at 0"},
		{"cải \"cách", "unclosed quote at 6"},
		{"(a b", "unclosed '(' at 0"},
		{"a)", "unexpected ')' at 1"},
		{"", "empty query at 0"},
		{"   ", "empty query at 0"},
		{"-a", "nothing to search for, only exclusions at 0"},
		{"a OR", "'OR' needs a term after it at 2"},
		{"OR a", "'OR' needs a term before it at 0"},
		{"a OR OR b", "'OR' needs a term after it at 2"},
		{"foo:bar", "unknown field 'foo' at 0"},
		{"\"a b\"~x", "number expected after '~' at 5"},
		{"\"\"", "empty phrase at 0"},
		{"13/2023/NĐ*", "a prefix must be one word at 0"},
		{"> giao dịch", "number expected"},
		{"từ 5 đến", "number expected"},
		{"date >= 2023-13", "no month 13 in a date at 13"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int rc;
		const char *got = parse(cases[i].q, &rc);
		if (rc != TC_EPARSE || strstr(got, cases[i].msg) == NULL)
			fail_msg("parse(%s) = %s (rc %d), want error \"%s\"", cases[i].q, got, rc,
			         cases[i].msg);
	}
	/* deep nesting is an error, not a stack overflow */
	char deep[400];
	memset(deep, '(', 200);
	deep[200] = 'a';
	memset(deep + 201, ')', 198);
	deep[399] = '\0';
	int rc;
	const char *got = parse(deep, &rc);
	assert_int_equal(rc, TC_EPARSE);
	assert_non_null(strstr(got, "nested too deep"));
}

/* Random bytes and shuffled query pieces never crash and always parse or error. */
static void test_hostile(void **state)
{
	static const char *pieces[] = {"\"", "(", ")", "OR", "-", "*", ":", "title:", "~2",
	                               ">", ">=", "1", "1,35", "tỷ", "giao", "dịch", "từ",
	                               "đến", "..", "%", " ", "ngày", "20/6/2023", "\xff", "“"};
	uint32_t seed = 12345;
	char q[256];
	for (int round = 0; round < 3000; round++) {
		size_t n = 0;
		int parts = 1 + round % 9;
		for (int k = 0; k < parts; k++) {
			seed = seed * 1103515245u + 12345u;
			const char *p = pieces[(seed >> 16) % (sizeof pieces / sizeof pieces[0])];
			size_t l = strlen(p);
			if (n + l + 1 >= sizeof q)
				break;
			memcpy(q + n, p, l);
			n += l;
			if ((seed >> 8) & 1)
				q[n++] = ' ';
		}
		q[n] = '\0';
		int rc;
		parse(q, &rc);
		if (rc != TC_OK && rc != TC_EPARSE && rc != TC_ELIMIT)
			fail_msg("parse(%s) returned %d", q, rc);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_hostile),
	};
	return cmocka_run_group_tests_name("query", tests, setup, teardown);
}
