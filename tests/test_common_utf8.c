/* test_common_utf8.c — tc_utf8_count_invalid, which skips ASCII 8 bytes at a time, against
 * a byte-by-byte count with tc_utf8_decode: every invalid sequence at every offset of
 * ASCII runs around the 8-byte boundaries, a table of known counts, and random strings
 * drawn from a fixed seed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "common/utf8.h"

static size_t reference(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t bad = 0;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k = tc_utf8_decode(p + i, n - i, &cp);
		bad += k == 0;
		i += k ? k : 1;
	}
	return bad;
}

static void test_table(void **state)
{
	static const struct { const char *s; size_t n; } cases[] = {
		{"", 0}, {"plain ascii text, longer than eight bytes", 0},
		{"Hà Nội, đường Giải Phóng", 0}, {"\xf0\x9f\x98\x80", 0}, {"\xff", 1},
		{"abcdefgh\xff", 1}, {"abcdefg\xff", 1}, {"\xc3", 1}, {"abcdefg\xc3", 1},
		{"\xc0\xaf", 2}, {"\xe0\x80\xaf", 3}, {"\xed\xa0\x80", 3}, {"\xf4\x90\x80\x80", 4},
		{"\xe1\xbb", 2}, {"\xe1\xbbx", 2}, {"\x80\x80\x80\x80\x80\x80\x80\x80\x80", 9},
		{"ch\xff\xfeu", 2},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t got = tc_utf8_count_invalid(cases[i].s, strlen(cases[i].s));
		if (got != cases[i].n)
			fail_msg("case %zu: %zu invalid, want %zu", i, got, cases[i].n);
	}
}

/* Each sequence at each offset of a 40-byte ASCII run, the string cut at each length. */
static void test_offsets(void **state)
{
	static const char *const seqs[] = {
		"\xff", "\x80", "\xc3\xa9", "\xc3", "\xe1\xbb\x87", "\xe1\xbb", "\xf0\x9f\x98\x80",
		"\xed\xa0\x80", "\xc0\xaf",
	};
	char buf[64];
	for (size_t k = 0; k < sizeof seqs / sizeof seqs[0]; k++) {
		size_t sl = strlen(seqs[k]);
		for (size_t at = 0; at + sl <= 40; at++) {
			memset(buf, 'a', 40);
			memcpy(buf + at, seqs[k], sl);
			for (size_t n = 0; n <= 40; n++)
				if (tc_utf8_count_invalid(buf, n) != reference(buf, n))
					fail_msg("seq %zu at %zu, length %zu", k, at, n);
		}
	}
}

static void test_random(void **state)
{
	uint64_t x = 0x2545F4914F6CDD1Dull;
	char buf[256];
	for (int r = 0; r < 20000; r++) {
		size_t n = 0, len = 1 + (size_t)(r % 255);
		while (n < len) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			/* mostly ASCII, with runs of valid and invalid multi-byte bytes */
			unsigned c = (unsigned)(x >> 24) & 0xFF;
			buf[n++] = (char)((x & 0xF) < 10 ? 'a' + (c % 26) : c);
		}
		size_t off = (size_t)(x >> 40) % 8;
		if (off < n && tc_utf8_count_invalid(buf + off, n - off) != reference(buf + off, n - off))
			fail_msg("random string %d", r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_offsets),
		cmocka_unit_test(test_random),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
