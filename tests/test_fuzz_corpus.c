/* test_fuzz_corpus.c — replays the saved fuzz corpora (tests/fuzz/corpus/<target>/) through
 * the fuzz targets of tests/fuzz/ without libFuzzer: every input the fuzzers kept or
 * crashed on once stays a regression test, normal and under the sanitizers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz.h"
#include "testutil.h"

static const char *current;  /* the input being replayed, for the failure message */

void tc_fuzz_fail(const char *file, int line, const char *what)
{
	fail_msg("%s:%d: invariant broken on %s: %s", file, line, current, what);
	abort();
}

static int keep_file(const struct dirent *e)
{
	return e->d_name[0] != '.';
}

static void replay(const tc_fuzz_target *t)
{
	char dir[4096];
	snprintf(dir, sizeof dir, "%.3000s/tests/fuzz/corpus/%s", tu_src_dir(), t->name);
	struct dirent **names;
	int n = scandir(dir, &names, keep_file, alphasort);
	if (n < 0) {
		print_message("no corpus in %s: skipped\n", dir);
		skip();
	}
	if (t->init != NULL)
		assert_int_equal(t->init(), 0);
	size_t bytes = 0;
	for (int i = 0; i < n; i++) {
		char path[8192];
		snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
		size_t len = 0;
		char *data = tu_read_file(path, &len);
		if (data == NULL)
			fail_msg("cannot read %s", path);
		current = path;
		t->one((const uint8_t *)data, len);
		bytes += len;
		free(data);
		free(names[i]);
	}
	free(names);
	if (t->fini != NULL)
		t->fini();
	print_message("%s: %d inputs, %zu bytes replayed\n", t->name, n, bytes);
	assert_true(n > 0);
}

static void test_analyze(void **state)
{
	replay(&tc_fuzz_analyze);
}

static void test_query(void **state)
{
	replay(&tc_fuzz_query);
}

static void test_segment(void **state)
{
	replay(&tc_fuzz_segment);
}

static void test_proto(void **state)
{
	replay(&tc_fuzz_proto);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_analyze),
		cmocka_unit_test(test_query),
		cmocka_unit_test(test_segment),
		cmocka_unit_test(test_proto),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
