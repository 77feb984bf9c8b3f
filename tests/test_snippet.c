/* test_snippet.c — snippets on a table of texts and queries: the lines and pieces a
 * snippet leaves unanalysed must not change a byte of it (line feeds, phrases across
 * them, long texts cut into pieces, capitals, decomposed marks, soft hyphens, invalid
 * bytes, prefixes, strict mode, stems), and a language the analyser does not know is
 * still refused. The expected snippets are those the analysis of the whole text gives. */
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
};

static void test_table(void **state)
{
	(void)state;
	tc_analyzer *a;
	tc_error err = {0};
	assert_int_equal(tc_analyzer_new(&a, &err), TC_OK);
	tc_query_env env = {0};
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

/* The language check stays when no part of the text is analysed. */
static void test_unknown_lang(void **state)
{
	(void)state;
	tc_analyzer *a;
	tc_error err = {0};
	assert_int_equal(tc_analyzer_new(&a, &err), TC_OK);
	tc_query_env env = {0};
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
		cmocka_unit_test(test_unknown_lang),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
