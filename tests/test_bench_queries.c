/* test_bench_queries.c — bench/gen_queries on the seed documents: the same seed gives
 * the same file, another seed another one, the classes are there and well formed, and
 * every "_nd" class is its twin folded. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <libgen.h>

#include "testutil.h"

#define PER_CLASS 20

static char gen[4096];       /* the generator, beside the tracuu binary being tested */
static char seeds[4096];     /* the shared seeds directory */

static int setup(void **state)
{
	char bin[4096];
	snprintf(bin, sizeof bin, "%s", tu_bin());
	snprintf(gen, sizeof gen, "%s/bench/gen_queries", dirname(bin));
	snprintf(seeds, sizeof seeds, "%s", tu_shared("seeds"));
	return 0;
}

/* Runs the generator on the seeds; the caller frees the output. */
static char *generate(unsigned seed, int *status)
{
	char cmd[8192 + 64];
	snprintf(cmd, sizeof cmd, "'%s' -s %u -n %d '%s'/*.txt 2>/dev/null", gen, seed, PER_CLASS,
	         seeds);
	return tu_run(cmd, status);
}

static int have_seeds(void)
{
	char probe[4200];
	snprintf(probe, sizeof probe, "%s/000_1f3fc7111ad9de8e.txt", seeds);
	FILE *f = fopen(probe, "r");
	if (f)
		fclose(f);
	return f != NULL;
}

#define SKIP_WITHOUT_SEEDS()                                                  \
	do {                                                                      \
		if (!have_seeds()) {                                                  \
			print_message("skipped: ../shared/seeds not found\n");            \
			skip();                                                           \
		}                                                                     \
	} while (0)

static void test_same_seed_same_file(void **state)
{
	SKIP_WITHOUT_SEEDS();
	int st1, st2, st3;
	char *a = generate(7, &st1), *b = generate(7, &st2), *c = generate(8, &st3);
	assert_int_equal(st1, 0);
	assert_int_equal(st2, 0);
	assert_int_equal(st3, 0);
	assert_true(strlen(a) > 1000);
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
	free(a);
	free(b);
	free(c);
}

/* The queries of class cls in the output, one per line, in order. */
static size_t class_lines(const char *out, const char *cls, char lines[][256], size_t max)
{
	size_t n = 0, cl = strlen(cls);
	for (const char *s = out; *s;) {
		const char *eol = strchr(s, '\n');
		size_t len = eol ? (size_t)(eol - s) : strlen(s);
		if (len > cl && strncmp(s, cls, cl) == 0 && s[cl] == '\t' && n < max) {
			size_t ql = len - cl - 1 < 255 ? len - cl - 1 : 255;
			memcpy(lines[n], s + cl + 1, ql);
			lines[n++][ql] = '\0';
		}
		s += len + (eol != NULL);
	}
	return n;
}

static int is_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return 0;
	return 1;
}

/* Each class the seeds can fill is present, and its _nd twin has as many queries, in
 * ASCII (Vietnamese folds to ASCII), and the same shape (quotes, stars). */
static void test_classes(void **state)
{
	SKIP_WITHOUT_SEEDS();
	static const struct {
		const char *cls;
		int twin;
		char first;  /* what every query starts with, 0: a letter */
	} classes[] = {
		{"term_low", 1, 0}, {"and", 1, 0}, {"phrase", 1, '"'}, {"qty", 0, 0}, {"code", 1, 0},
	};
	int st;
	char *out = generate(7, &st);
	assert_int_equal(st, 0);
	static char q[PER_CLASS + 1][256], nd[PER_CLASS + 1][256];
	for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++) {
		size_t n = class_lines(out, classes[i].cls, q, PER_CLASS + 1);
		print_message("%s: %zu\n", classes[i].cls, n);
		assert_true(n > 0);
		assert_true(n <= PER_CLASS);
		for (size_t k = 0; k < n; k++) {
			if (classes[i].first)
				assert_int_equal(q[k][0], classes[i].first);
			if (strcmp(classes[i].cls, "qty") == 0)
				assert_true(q[k][0] == '<' || q[k][0] == '>');
		}
		if (!classes[i].twin)
			continue;
		char twin[64];
		snprintf(twin, sizeof twin, "%s_nd", classes[i].cls);
		assert_int_equal(class_lines(out, twin, nd, PER_CLASS + 1), n);
		for (size_t k = 0; k < n; k++) {
			assert_true(is_ascii(nd[k]));
			assert_int_equal(strlen(nd[k]) <= strlen(q[k]), 1);
			assert_int_equal(nd[k][0] == '"', q[k][0] == '"');
		}
	}
	/* the seeds quote Nghị định 13/2023/NĐ-CP; codes are found as written */
	assert_non_null(strstr(out, "code\t13/2023/NĐ-CP\n"));
	assert_non_null(strstr(out, "code_nd\t13/2023/nd-cp\n"));
	free(out);
}

static void test_bad_input(void **state)
{
	int st;
	char cmd[8192];
	snprintf(cmd, sizeof cmd, "'%s' /nonexistent/corpus.jsonl.zst 2>&1", gen);
	char *out = tu_run(cmd, &st);
	assert_int_not_equal(st, 0);
	assert_non_null(strstr(out, "/nonexistent/corpus.jsonl.zst"));
	free(out);
	snprintf(cmd, sizeof cmd, "printf '{\"id\":\"a\"}\\n' > /tmp/tc_bench_bad_$$.jsonl && "
	         "'%s' /tmp/tc_bench_bad_$$.jsonl 2>&1; rc=$?; rm -f /tmp/tc_bench_bad_$$.jsonl; "
	         "exit $rc", gen);
	out = tu_run(cmd, &st);
	assert_int_not_equal(st, 0);
	assert_non_null(strstr(out, ":1: not an object with string id, title and body"));
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_seed_same_file),
		cmocka_unit_test(test_classes),
		cmocka_unit_test(test_bad_input),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
