/* test_wordbreak.c — the word segments found without ICU are ICU's: fixed cases, text
 * it must decline, random strings of the covered classes, and the seed documents. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>
#include <unicode/utext.h>

#include "analysis/wordbreak.h"
#include "common/utf8.h"
#include "testutil.h"

static UBreakIterator *bi;
static tc_wb wb;

static int setup(void **state)
{
	UErrorCode st = U_ZERO_ERROR;
	bi = ubrk_open(UBRK_WORD, "", NULL, 0, &st);
	return U_FAILURE(st) ? -1 : 0;
}

static int teardown(void **state)
{
	ubrk_close(bi);
	tc_wb_free(&wb);
	return 0;
}

/* "start-end start-end ..." of ICU's word segments of s. */
static void icu_words(const char *s, size_t len, char *out, size_t cap)
{
	UErrorCode st = U_ZERO_ERROR;
	UText *ut = utext_openUTF8(NULL, s, (int64_t)len, &st);
	ubrk_setUText(bi, ut, &st);
	assert_false(U_FAILURE(st));
	out[0] = '\0';
	int32_t prev = ubrk_first(bi);
	for (int32_t next = ubrk_next(bi); next != UBRK_DONE; prev = next, next = ubrk_next(bi)) {
		if (ubrk_getRuleStatus(bi) < UBRK_WORD_NONE_LIMIT)
			continue;
		size_t n = strlen(out);
		snprintf(out + n, cap - n, "%s%d-%d", n ? " " : "", (int)prev, (int)next);
	}
	utext_close(ut);
}

/* The same from tc_wb_words(); false when it declines the text. */
static bool fast_words(const char *s, size_t len, char *out, size_t cap)
{
	out[0] = '\0';
	if (!tc_wb_words(&wb, s, len))
		return false;
	for (size_t k = 0; k < wb.nseg; k++) {
		const uint32_t *g = &wb.seg[3 * k];
		size_t n = strlen(out);
		snprintf(out + n, cap - n, "%s%u-%u", n ? " " : "", g[0], g[1]);
		/* plain: nothing but letters and digits inside, and neither '@' nor U+02BC
		   (letters to ICU, which the analyser cuts at) */
		bool plain = true;
		for (int32_t i = (int32_t)g[0]; i < (int32_t)g[1];) {
			UChar32 c;
			U8_NEXT(s, i, (int32_t)g[1], c);
			if (!u_isalnum(c) || c == '@' || c == 0x2BC)
				plain = false;
		}
		if (plain != ((g[2] & TC_WB_PLAIN) != 0))
			fail_msg("\"%.200s\": word %u-%u is %splain", s, g[0], g[1],
			         g[2] & TC_WB_PLAIN ? "" : "not ");
	}
	return true;
}

static void check_same(const char *s, size_t len, bool must_take)
{
	static char a[1 << 16], b[1 << 16];
	bool taken = fast_words(s, len, a, sizeof a);
	if (must_take && !taken)
		fail_msg("declined: \"%.200s\"", s);
	if (!taken)
		return;
	icu_words(s, len, b, sizeof b);
	if (strcmp(a, b) != 0)
		fail_msg("\"%.200s\": fast [%.300s], ICU [%.300s]", s, a, b);
}

/* Text of the covered classes: the segments and the words between them are ICU's. */
static void test_cases(void **state)
{
	static const char *const cases[] = {
		"Cải cách hành chính", "276.938.860 giao dịch", "1,35 tỷ", "32,05%",
		"13/2023/NĐ-CP", "Covid-19", "TP.HCM", "U.S.A.", "10:30", "a:b", "e-mail",
		"user@example.com", "don't", "rock'n'roll", "l’homme", "1'000", "3.5.", "..a..",
		"a\r\nb\n\nc\rd", "x  \t y", "“trích dẫn”", "giá 1.000đ/kg", "ngày 20/6/2023",
		"(15)", "A.1.b.2", "1a.b", "a1.5", "a.1", "1.a", "5,", ",5", "'a'", "@@", "a@1",
		"v.v…", "–", "٣٤٥ and ٣.٤", "×2", "₫100", "a\u00A0b", "ĐƯỜNG", "2 000 000",
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		check_same(cases[i], strlen(cases[i]), true);
}

/* Characters that bring other rules into play: declined, so ICU decides. */
static void test_declines(void **state)
{
	static const char *const cases[] = {
		"e\u0301", "日本語", "ภาษาไทย", "a\u200Db", "snake_case", "a\u00ADb", "\U0001F600",
		"שלום", "カタカナ", "1\u202F000", "\U0001F1FB\U0001F1F3",
	};
	char out[256];
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		if (fast_words(cases[i], strlen(cases[i]), out, sizeof out))
			fail_msg("taken: \"%s\" -> [%s]", cases[i], out);
	/* not valid UTF-8, or a NUL: the analyser repairs the text first */
	static const char *const broken[] = {"a\xFF", "\xC3", "x\xE1\x80", "\xED\xA0\x80",
	                                     "\xC0\x80", "\xF4\x90\x80\x80", "ab\x80"};
	for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++)
		assert_false(fast_words(broken[i], strlen(broken[i]), out, sizeof out));
	assert_false(fast_words("a\0b", 3, out, sizeof out));
}

/* Random strings over the covered classes, each character in every neighbourhood. */
static void test_random(void **state)
{
	static const char *const alpha[] = {
		"a", "b", "Z", "0", "1", "9", " ", " ", ".", ",", ":", ";", "'", "\"", "-", "/",
		"@", "%", "(", "!", "?", "\r", "\n", "\t", "đ", "ệ", "Ư", "’", "‘", "“", "…",
		"–", "·", "\xC2\xA0", "×", "₫", "\xE2\x80\x89", "٣", "™", "\xCD\xBE", "\xE2\x81\x84",
	};
	size_t na = sizeof alpha / sizeof alpha[0];
	uint64_t x = 0x9E3779B97F4A7C15u;
	char s[256];
	for (int i = 0; i < 20000; i++) {
		size_t n = 0;
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		size_t len = 1 + x % 24;
		for (size_t k = 0; k < len; k++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			const char *c = alpha[x % na];
			memcpy(s + n, c, strlen(c));
			n += strlen(c);
		}
		s[n] = '\0';
		check_same(s, n, true);
	}
}

/* Real documents: whatever is not declined agrees with ICU. */
static void test_seeds(void **state)
{
	DIR *d = opendir(tu_shared("seeds"));
	if (d == NULL) {
		print_message("skipped: ../shared/seeds not found\n");
		return;
	}
	struct dirent *e;
	size_t files = 0;
	while ((e = readdir(d)) != NULL) {
		if (strstr(e->d_name, ".txt") == NULL)
			continue;
		char rel[512];
		snprintf(rel, sizeof rel, "seeds/%.400s", e->d_name);
		size_t len = 0;
		char *text = tu_read_file(tu_shared(rel), &len);
		assert_non_null(text);
		if (tc_utf8_count_invalid(text, len) != 0 || strlen(text) != len) {
			free(text); /* the analyser repairs such text before it gets here */
			continue;
		}
		/* line by line, as the analyser sees short fields, then the whole file */
		for (char *p = text, *nl; *p; p = nl + 1) {
			nl = strchr(p, '\n');
			if (nl == NULL)
				nl = p + strlen(p) - 1;
			check_same(p, (size_t)(nl - p) + 1, false);
		}
		check_same(text, len, false);
		free(text);
		files++;
	}
	closedir(d);
	assert_true(files > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_declines),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_seeds),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
