/* test_vncode.c — the doc store's one-byte code for Vietnamese letters: coded lengths of
 * fixed cases, exact round trips of any bytes (invalid UTF-8 included, random strings),
 * the table's 127 characters each one byte and distinct, and coded input the decoder
 * must refuse. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "storage/storage_int.h"

/* Codes s (n bytes), checks the coded length when want >= 0, decodes and compares. */
static void round_trip(const char *s, size_t n, long want)
{
	tc_buf c = {0};
	tc__vncode_encode(&c, s, n);
	if (want >= 0 && (long)c.len != want)
		fail_msg("\"%.*s\": %zu coded bytes, want %ld", (int)n, s, c.len, want);
	assert_true(c.len <= 2 * n);
	char *d = malloc(tc__vncode_decoded_max(c.len) + 1);
	size_t len = 0;
	assert_int_equal(tc__vncode_decode(d, c.data, c.len, &len), 0);
	assert_true(len <= tc__vncode_decoded_max(c.len));
	assert_int_equal(len, n);
	assert_memory_equal(d, s, n);
	free(d);
	tc_buf_free(&c);
}

static void test_cases(void **state)
{
	static const struct {
		const char *s;
		long coded;  /* bytes after coding */
	} cases[] = {
		{"", 0},
		{"Nghị định 13/2023/NĐ-CP", 23},     /* ị, đ, Đ one byte each */
		{"Việt Nam", 8},
		{"cải cách hành chính", 19},
		{"“Ưu tiên” – số 1…", 17},          /* quotes, capital Ư, dash, ellipsis */
		{"Vie\xcc\xa3\xcc\x82t", 9},        /* decomposed: the tone mark coded, the
		                                        circumflex (never seen apart) escaped */
		{"ẴẲ", 12},                          /* capitals not in the table: escaped bytes */
		{"😀", 8},                           /* four-byte characters are escaped */
		{"\xc3", 2},                         /* a truncated sequence */
		{"\xc3(", 3},
		{"\xe1\xbb", 4},
		{"\x80\xbf", 4},                     /* stray continuation bytes */
		{"\xc0\x80", 4},                     /* overlong NUL */
		{"\xe0\x83\xa0", 6},                 /* overlong form of U+00E0 (à): not coded */
		{"\xc1\xa0", 4},
		{"\xed\xa0\x80", 6},                 /* a surrogate */
		{"\xff\xfe\xff", 6},
		{"a\xff" "b", 4},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		round_trip(cases[i].s, strlen(cases[i].s), cases[i].coded);
	round_trip("a\0b", 3, 3);
}

/* UTF-8 of code point cp into u; its length. */
static size_t utf8(uint32_t cp, char *u)
{
	if (cp < 0x80) {
		u[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		u[0] = (char)(0xC0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	u[0] = (char)(0xE0 | cp >> 12);
	u[1] = (char)(0x80 | (cp >> 6 & 0x3F));
	u[2] = (char)(0x80 | (cp & 0x3F));
	return 3;
}

/* Every character of the Basic Multilingual Plane round-trips; exactly 127 take one
   byte, each a different one, and among them every Vietnamese lowercase letter. */
static void test_table(void **state)
{
	int seen[256] = {0};
	size_t one_byte = 0;
	tc_buf c = {0};
	for (uint32_t cp = 0x80; cp < 0x10000; cp++) {
		if (cp >= 0xD800 && cp < 0xE000)
			continue;
		char u[4];
		size_t n = utf8(cp, u);
		c.len = 0;
		tc__vncode_encode(&c, u, n);
		if (c.len == 1) {
			unsigned b = (unsigned char)c.data[0];
			assert_true(b >= 0x80 && b < 0xFF);
			assert_int_equal(seen[b], 0);
			seen[b] = 1;
			one_byte++;
		} else {
			assert_int_equal(c.len, 2 * n);
		}
		round_trip(u, n, (long)c.len);
	}
	assert_int_equal(one_byte, 127);
	const char *lower = "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợ"
	                    "ùúủũụưừứửữựỳýỷỹỵđ";
	size_t n = strlen(lower);
	c.len = 0;
	tc__vncode_encode(&c, lower, n);
	assert_int_equal(c.len, 67);
	tc_buf_free(&c);
}

static void test_random(void **state)
{
	/* bytes drawn mostly from the lead and continuation bytes of the coded letters, so
	   that valid, truncated and overlong sequences all occur */
	static const unsigned char pool[] = {'a', ' ', 0x80, 0x81, 0xA3, 0xBB, 0xBF, 0xC0,
	                                     0xC3, 0xC4, 0xC6, 0xCC, 0xE0, 0xE1, 0xE2, 0xED,
	                                     0xF0, 0xFF, 0x00, 0x7F};
	srand(12345);
	char s[64];
	for (int t = 0; t < 20000; t++) {
		size_t n = (size_t)(rand() % (int)sizeof s);
		for (size_t i = 0; i < n; i++)
			s[i] = (char)(rand() % 4 ? pool[rand() % (int)sizeof pool] : rand() % 256);
		round_trip(s, n, -1);
	}
}

static void test_refused(void **state)
{
	static const struct {
		const char *coded;
		size_t n;
	} bad[] = {
		{"\xff", 1},        /* an escape with nothing after it */
		{"ab\xff", 3},
		{"\xff" "a", 2},    /* the coder never escapes an ASCII byte */
		{"\xff\x00", 2},
	};
	char out[16];
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		size_t len;
		if (tc__vncode_decode(out, bad[i].coded, bad[i].n, &len) != -1)
			fail_msg("case %zu decoded", i);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
