/* test_snippet.c — snippets on a table of texts and queries: the lines and pieces a
 * snippet leaves unanalysed must not change a byte of it (line feeds, phrases across
 * them, long texts cut into pieces, capitals, decomposed marks, soft hyphens, invalid
 * bytes, prefixes, strict mode, stems), and a language the analyser does not know is
 * still refused. The expected snippets are those the analysis of the whole text gives; on
 * random texts and queries, the whole text is analysed for the comparison. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analyzer.h"
#include "common/mem.h"
#include "query/parse.h"
#include "query/snippet.h"

/* 52 bytes without any of the queries' words; FILL8 is 416 bytes, more than a piece */
#define FILL "Hôm nay trời đẹp, mọi người đi dạo ở công viên. "
#define FILL8 FILL FILL FILL FILL FILL FILL FILL FILL
/* 140 letters: one word, too long to be a token */
#define LONG10 "aaaaaaaaaa"
#define LONG LONG10 LONG10 LONG10 LONG10 LONG10 LONG10 LONG10 LONG10 LONG10 LONG10 LONG10 \
	LONG10 LONG10 LONG10

typedef struct scase {
	const char *text, *query;
	int strict;
	size_t max;
	const char *want;   /* tc_snippet_ansi without colour: marks as [..] */
} scase;

static const scase cases[] = {
	{"Chính phủ họp.\nThủ tướng Chính phủ chỉ đạo.", "chính phủ", 0, 200,
	 "[Chính phủ] họp. Thủ tướng [Chính phủ] chỉ đạo."},
	{"Hôm nay nói về chính\nphủ và dân.", "\"chính phủ\"", 0, 200,
	 "Hôm nay nói về [chính phủ] và dân."},
	{FILL8 "Giá vàng tăng mạnh. " FILL8, "giá vàng", 0, 120,
	 "… đi dạo ở công viên. [Giá vàng] tăng mạnh. Hôm nay trời đẹp, mọi người đi dạo ở công …"},
	{FILL8 "Giá\nvàng tăng mạnh. " FILL8, "\"gia vang\"", 0, 120,
	 "… đi dạo ở công viên. [Giá vàng] tăng mạnh. Hôm nay trời đẹp, mọi người đi dạo ở công …"},
	{"giá " FILL8 FILL8 "vàng " FILL8 "giá vàng", "gia vang", 0, 100,
	 "… đi dạo ở công viên. [giá vàng]"},
	{"CHÍNH PHỦ VIỆT NAM", "chinh phu", 0, 200, "[CHÍNH PHỦ] VIỆT NAM"},
	{"Bộ Tài chi\xC2\xADnh công bố", "tài chính", 0, 200,
	 "Bộ [Tài chi\xC2\xADnh] công bố"},
	{"Thủ tướng Chi\xCC\x81nh phủ nói", "chính phủ", 0, 200,
	 "Thủ tướng [Chi\xCC\x81nh phủ] nói"},
	{FILL8 "Người tiêu dùng tiết kiệm tiền. " FILL, "tiet*", 0, 80,
	 "… Người tiêu dùng [tiết] kiệm tiền. Hôm nay trời đẹp, mọi …"},
	{"Chính phủ và chinh phục", "chính", 1, 200, "[Chính] phủ và chinh phục"},
	{"Chính phủ và chinh phục", "chinh", 0, 200, "[Chính] phủ và [chinh] phục"},
	{"The transactions were processed. " FILL8, "transaction", 0, 60,
	 "The [transactions] were processed. Hôm nay trời …"},
	{"Một hai ba", "xyz", 0, 200, "Một hai ba"},
	{"chính phủ", "phủ -chính", 0, 200, "chính [phủ]"},
	{"Dòng một\r\nChính phủ\r\n", "chính phủ", 0, 200, "Dòng một  [Chính phủ]  "},
	{"Ngày 6/2/2017 kết quả " FILL8 "năm 2017", "2017", 0, 60,
	 "Ngày 6/2/[2017] kết quả Hôm nay trời đẹp, …"},
	{"chính\xff phủ và chính phủ", "chính phủ", 0, 200,
	 "[chính]\xff [phủ] và [chính phủ]"},
	{"中文 chính phủ 中文", "chính", 0, 200, "中文 [chính] phủ 中文"},
	{"", "chính", 0, 200, ""},
	/* phrases over pieces that hold no token (an overlong word, a line of dashes) run
	   on; over one that holds a word they do not */
	{FILL8 "Chính " LONG " phủ " FILL8, "\"chính phủ\"", 0, 200,
	 "… công viên. [Chính " LONG " phủ] Hôm nay trời đẹp, mọi …"},
	{FILL8 "Chính\n— — —\nphủ " FILL8, "\"chính phủ\"", 0, 60,
	 "… viên. [Chính — — — phủ] Hôm nay trời đẹp, …"},
	{FILL8 "chính trị và phủ định " FILL8, "\"chính phủ\"", 0, 40,
	 "Hôm nay trời đẹp, mọi người …"},
	{FILL8 "chính trị và phủ định " FILL8, "chính phủ", 0, 40,
	 "… [chính] trị và [phủ] định …"},
	/* comparisons: the pieces around their unit, the number and all of a unit of two
	   syllables that another piece holds */
	{FILL8 "Nền tảng NDXP đạt hơn 1,35 tỷ giao dịch trong năm. " FILL8, "> 1 tỷ giao dịch",
	 0, 80, "… NDXP đạt hơn [1,35 tỷ giao dịch] trong năm. Hôm nay trời đẹp, …"},
	{FILL8 "Tổng kinh phí khoảng hai mươi lăm nghìn tỷ đồng. " FILL8, "> 1 tỷ đồng", 0, 80,
	 "… phí khoảng [hai mươi lăm nghìn tỷ đồng]. Hôm nay trời đẹp, …"},
	{FILL8 "Lãi suất dưới 5 phần trăm, giá tăng 32,05%. " FILL8, "< 10%", 0, 60,
	 "… dưới [5 phần trăm], giá tăng 32,05%. Hôm nay …"},
	{FILL8 "Quãng đường dài, chạy 12km mỗi ngày. " FILL8, "> 5 km", 0, 60,
	 "… dài, chạy [12km] mỗi ngày. Hôm nay trời đẹp, …"},
	{FILL8 "Năm 2017, 25 người đến; năm 2018 thì không. " FILL8, "ndxp > 20 người", 0, 60,
	 "… Năm 2017, [25 người] đến; năm 2018 thì không. …"},
};

static const char *const cmps[] = {
	"> 1 tỷ đồng", "> 10 năm", "< 50%", ">= 1 giao dịch", ">= 2 người", "> 5 km",
	"< 3 tuổi", "> 1 triệu usd", ">= 100 phần trăm", "> 2 dong", "< 1000 đ", "> 1 ngày",
};

static int unit_known(void *ctx, const char *key, size_t len)
{
	static const char *const units[] = {"dong", "nam", "giao dich", "giao", "nguoi", "km",
	                                    "tuoi", "usd", "d", "ngay"};
	(void)ctx;
	for (size_t i = 0; i < sizeof units / sizeof *units; i++)
		if (strlen(units[i]) == len && memcmp(key, units[i], len) == 0)
			return 1;
	return 0;
}

static void test_table(void **state)
{
	(void)state;
	tc_analyzer *a;
	tc_error err = {0};
	assert_int_equal(tc_analyzer_new(&a, &err), TC_OK);
	tc_query_env env = {.unit_known = unit_known};
	tc_snippet sn = {0};
	tc_buf out = {0};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const scase *c = &cases[i];
		tc_query *q;
		assert_int_equal(tc_query_parse(a, c->query, strlen(c->query), &env, &q, &err), TC_OK);
		if (tc_snippet_make(a, tc_query_root(q), c->strict, c->text, strlen(c->text), NULL,
		                    c->max, &sn, &err) != TC_OK)
			fail_msg("case %zu: %s", i, err.msg);
		tc_buf_clear(&out);
		tc_snippet_ansi(&sn, 0, &out);
		if (strcmp(out.data ? out.data : "", c->want) != 0)
			fail_msg("case %zu (%s): got \"%s\", want \"%s\"", i, c->query,
			         out.data ? out.data : "", c->want);
		tc_query_free(q);
	}
	tc_buf_free(&out);
	tc_snippet_free(&sn);
	tc_analyzer_free(a);
}

/*
 * Random texts and queries: the snippet equals the one of the whole text. The reference
 * puts a date comparison no text satisfies ("(ngày >= 1/1/2999)") before the same query:
 * a date spells no key, so such a comparison is never filtered and the whole text is
 * analysed, and the marks of the words are the same (a mark's query part only counts as
 * distinct or not). A fifth of the queries are comparisons with units, which are
 * filtered: the pieces that spell the unit and those around it.
 */
static const char *const vocab[] = {
	"chính", "phủ", "CHÍNH", "Phủ", "chi\xCC\x81nh", "chi\xC2\xADnh", "giá", "vàng",
	"Giá", "VÀNG", "tăng", "mạnh", "và", "của", "là", "có", "co", "va", "vì", "về",
	"người", "Việt", "Nam", "năm", "đồng", "Đồng", "dong", "tỷ", "hoà", "hòa", "thuỷ",
	"thủy", "tr\xC2\xADưởng", "trưởng", "quốc", "hội", "gia", "chinh", "phu", "vang",
	"phủ,", "(giá", "vàng.", "13/2023/NĐ-CP", "TP.HCM", "H'Mông", "abc@gmail.com",
	"transactions", "transaction", "1,35", "2017", "6/2/2017", "中文", "😀", "\xff",
	"100", "2,5", "triệu", "giao", "dịch", "Giao dịch", "%", "32,05%", "phần", "trăm",
	"hai", "mươi", "lăm", "nghìn", "hơn", "USD", "km", "100km", "1.000.000đ", "Điều",
	"ngày", "tuổi", "một", "rưỡi",
	"\xE1\xBB", "ñandú", "Ärger", "_x", "@", "—", "•", "...", (LONG), ("a" LONG10),
};
static const char *const seps[] = {
	" ", " ", " ", " ", "  ", "\n", " \n", "\r\n", ". ", ", ", " — ", "\t", "\n\n",
	"\n— — —\n", "",
};
static const char *const qwords[] = {
	"chính", "chinh", "phủ", "phu", "giá", "gia", "vàng", "vang", "và", "va", "có",
	"người", "nguoi", "Việt", "nam", "đồng", "dong", "tỷ", "hòa", "hoa", "thủy",
	"trưởng", "quốc", "hội", "2017", "1,35", "transaction", "mông", "gmail", "ñandú",
};

static unsigned long long prng = 0x9E3779B97F4A7C15ull;
static unsigned rnd(unsigned n)
{
	prng ^= prng << 13;
	prng ^= prng >> 7;
	prng ^= prng << 17;
	return (unsigned)(prng % n);
}
#define PICK(a) (a[rnd(sizeof a / sizeof a[0])])

static void snippet_of(tc_analyzer *a, const char *query, const char *text, int strict,
                       size_t max, tc_snippet *sn, tc_buf *out)
{
	tc_query_env env = {.unit_known = unit_known};
	tc_error err = {0};
	tc_query *q;
	if (tc_query_parse(a, query, strlen(query), &env, &q, &err) != TC_OK)
		fail_msg("%s: %s", query, err.msg);
	if (tc_snippet_make(a, tc_query_root(q), strict, text, strlen(text), NULL, max, sn,
	                    &err) != TC_OK)
		fail_msg("%s: %s", query, err.msg);
	tc_buf_clear(out);
	tc_snippet_ansi(sn, 0, out);
	tc_query_free(q);
}

static void test_random(void **state)
{
	(void)state;
	tc_analyzer *a;
	tc_error err = {0};
	assert_int_equal(tc_analyzer_new(&a, &err), TC_OK);
	tc_snippet sn = {0};
	tc_buf text = {0}, query = {0}, ref = {0}, got = {0}, with = {0};
	for (int it = 0; it < 1500; it++) {
		tc_buf_clear(&text);
		for (unsigned n = rnd(4) == 0 ? rnd(400) : rnd(60); n > 0; n--) {
			tc_buf_puts(&text, PICK(vocab));
			tc_buf_puts(&text, PICK(seps));
		}
		tc_buf_reserve(&text, 0);
		tc_buf_clear(&query);
		unsigned form = rnd(5), nw = form == 4 ? rnd(2) : 1 + rnd(3);
		if (form == 1)
			tc_buf_putc(&query, '"');
		for (unsigned i = 0; i < nw; i++) {
			if (i)
				tc_buf_putc(&query, ' ');
			const char *w = PICK(qwords);
			if (form == 2 && i == 0) {  /* a prefix: one or two letters of a word */
				size_t k = 0;
				for (unsigned c = 1 + rnd(2); c > 0 && w[k]; c--)
					for (k++; ((unsigned char)w[k] & 0xC0) == 0x80; k++)
						;
				tc_buf_append(&query, w, k);
				tc_buf_putc(&query, '*');
			} else {
				tc_buf_puts(&query, w);
			}
		}
		if (form == 1)
			tc_buf_putc(&query, '"');
		if (form == 3)
			tc_buf_puts(&query, " -xyz");
		if (form == 4)
			tc_buf_printf(&query, "%s%s", nw ? " " : "", PICK(cmps));
		int strict = rnd(4) == 0;
		size_t max = 20 + rnd(300);
		tc_buf_clear(&with);
		tc_buf_printf(&with, "(ngày >= 1/1/2999) %s", query.data);
		snippet_of(a, query.data, text.data, strict, max, &sn, &got);
		snippet_of(a, with.data, text.data, strict, max, &sn, &ref);
		if (got.len != ref.len || memcmp(got.data, ref.data, got.len) != 0)
			fail_msg("query %s (strict %d, %zu bytes) on \"%s\": got \"%s\", whole text "
			         "\"%s\"", query.data, strict, max, text.data, got.data, ref.data);
	}
	tc_buf_free(&text);
	tc_buf_free(&query);
	tc_buf_free(&ref);
	tc_buf_free(&got);
	tc_buf_free(&with);
	tc_snippet_free(&sn);
	tc_analyzer_free(a);
}

/* The language check stays when no part of the text is analysed. */
static void test_unknown_lang(void **state)
{
	(void)state;
	tc_analyzer *a;
	tc_error err = {0};
	assert_int_equal(tc_analyzer_new(&a, &err), TC_OK);
	tc_query_env env = {.unit_known = unit_known};
	tc_snippet sn = {0};
	static const char *const texts[] = {"", "không có gì", "chính phủ"};
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		tc_query *q;
		assert_int_equal(tc_query_parse(a, "chính", strlen("chính"), &env, &q, &err), TC_OK);
		assert_int_equal(tc_snippet_make(a, tc_query_root(q), 0, texts[i], strlen(texts[i]),
		                                 "klingon", 200, &sn, &err), TC_EINVAL);
		tc_query_free(q);
	}
	tc_snippet_free(&sn);
	tc_analyzer_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_unknown_lang),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
