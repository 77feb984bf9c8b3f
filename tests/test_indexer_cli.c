/* test_indexer_cli.c — `tracuu index/delete/stats/check` as a user runs them: bad lines
 * reported with file:line and exit 2, good lines kept; missing and damaged inputs; stdin;
 * -j 1 and -j 2 giving the same stats; a write error (file size limit) that exits 1 at
 * the last commit; check catching a flipped byte; errors on a missing index. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/buf.h"
#include "testutil.h"

static char tmp[64];

static int setup(void **state)
{
	strcpy(tmp, "/tmp/tc_ixcli_XXXXXX");
	if (!mkdtemp(tmp))
		return -1;
	if (access(tu_bin(), X_OK) != 0) {
		fprintf(stderr, "no %s: build it first (make)\n", tu_bin());
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *path(const char *name)
{
	static char p[16][256];
	static int k;
	k = (k + 1) % 16;
	snprintf(p[k], sizeof p[k], "%s/%s", tmp, name);
	return p[k];
}

static void write_file(const char *name, const char *s, size_t n)
{
	FILE *f = fopen(path(name), "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(s, 1, n, f), n);
	fclose(f);
}

/* Runs `tracuu ARGS` with stderr into the output; returns it (caller frees). */
static char *tracuu(int *status, const char *fmt, ...)
{
	char args[4096], cmd[8192];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(args, sizeof args, fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof cmd, "%s %s 2>&1", tu_bin(), args);
	return tu_run(cmd, status);
}

/* The value of key in the `stats --json` of dir. */
static long long stat_of(const char *dir, const char *key)
{
	int st;
	char *out = tracuu(&st, "stats --json -i '%s'", dir);
	assert_int_equal(st, 0);
	json_object *o = json_tokener_parse(out);
	if (!o)
		fail_msg("stats --json is not JSON: %s", out);
	json_object *v = json_object_object_get(o, key);
	assert_non_null(v);
	long long n = json_object_get_int64(v);
	json_object_put(o);
	free(out);
	return n;
}

static void expect(const char *out, const char *needle)
{
	if (!strstr(out, needle))
		fail_msg("'%s' not in:\n%s", needle, out);
}

/* Each bad line is named with its line number and reason; the good ones are indexed. */
static void test_bad_lines(void **state)
{
	static const struct { const char *line, *msg; } cases[] = {
		{"{\"id\":\"g1\",\"body\":\"tốt\"}", NULL},
		{"{\"id\":\"b1\",\"body\":\"x\"", "bad.jsonl:2: invalid JSON"},
		{"{\"id\":\"g2\",\"title\":\"t\",\"body\":\"hai\"}", NULL},
		{"{\"title\":\"no id\",\"body\":\"x\"}", "bad.jsonl:4: missing \"id\""},
		{"{\"id\":\"b3\",\"title\":\"no body\"}", "bad.jsonl:5: missing \"body\""},
		{"", NULL},
		{"{\"id\":7,\"body\":\"x\"}", "bad.jsonl:7: \"id\" is a number, not a string"},
		{"{\"id\":\"b5\",\"body\":{\"a\":1}}", "bad.jsonl:8: \"body\" is an object"},
		{"[\"id\",\"body\"]", "bad.jsonl:9: not a JSON object"},
		{"{\"id\":\"g3\",\"body\":\"ch\xff\xfe lỗi\"}", "bad.jsonl:10: 2 invalid UTF-8"},
		{"{\"id\":\"g4\",\"body\":\"x\",\"date\":\"hôm qua\"}", "bad.jsonl:11: date"},
		{"{\"id\":\"b6\",\"body\":\"x\",\"title\":false}", "bad.jsonl:12: \"title\" is a boolean"},
		{"null", "bad.jsonl:13: invalid JSON"},
	};
	tc_buf f = {0};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		tc_buf_puts(&f, cases[i].line);
		tc_buf_putc(&f, '\n');
	}
	write_file("bad.jsonl", f.data, f.len);
	int st;
	char *out = tracuu(&st, "index -q -j 1 -i '%s' '%s'", path("bad"), path("bad.jsonl"));
	assert_int_equal(st, 2);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		if (cases[i].msg)
			expect(out, cases[i].msg);
	expect(out, "indexed 4 docs (4 new, 0 replaced), 8 rejected");
	expect(out, "1 segment\n");
	expect(out, "warning: ");
	expect(out, "8 records rejected");
	free(out);
	assert_int_equal(stat_of(path("bad"), "docs"), 4);
	out = tracuu(&st, "check -i '%s'", path("bad"));
	assert_int_equal(st, 0);
	free(out);
	tc_buf_free(&f);
}

/* Missing files, unknown kinds, a truncated .zst: reported, the rest indexed. */
static void test_bad_files(void **state)
{
	const char *good = "{\"id\":\"x1\",\"body\":\"một\"}\n{\"id\":\"x2\",\"body\":\"hai\"}\n";
	write_file("good.jsonl", good, strlen(good));
	write_file("doc.csv", "a,b\n", 4);
	/* a .zst cut short: its first lines were read before the damage */
	tc_buf big = {0};
	for (int i = 0; i < 3000; i++)
		tc_buf_printf(&big, "{\"id\":\"z%d\",\"body\":\"dòng %d, %d giao dịch\"}\n", i, i,
		              i * 7919);
	write_file("big.jsonl", big.data, big.len);
	char cmd[8192];
	snprintf(cmd, sizeof cmd,
	         "zstd -q -c '%s' > '%s' && head -c $(( $(stat -c %%s '%s') - 30 )) '%s' > '%s'",
	         path("big.jsonl"), path("full.jsonl.zst"), path("full.jsonl.zst"),
	         path("full.jsonl.zst"), path("cut.jsonl.zst"));
	assert_int_equal(system(cmd), 0);
	int st;
	char *out = tracuu(&st, "index -q -i '%s' '%s' '%s' '%s' '%s'", path("files"),
	                   path("missing.jsonl"), path("doc.csv"), path("cut.jsonl.zst"),
	                   path("good.jsonl"));
	assert_int_equal(st, 2);
	expect(out, "missing.jsonl: No such file or directory");
	expect(out, "doc.csv: unknown input type");
	expect(out, "cut.jsonl.zst:");
	expect(out, "truncated");
	expect(out, "3 records rejected");
	free(out);
	long long docs = stat_of(path("files"), "docs");
	assert_true(docs > 2000 && docs < 3002);
	/* stdin, compressed or not */
	snprintf(cmd, sizeof cmd, "zstd -q -c '%s' | %s index -q -i '%s' - 2>&1", path("good.jsonl"),
	         tu_bin(), path("stdin"));
	out = tu_run(cmd, &st);
	assert_int_equal(st, 0);
	free(out);
	snprintf(cmd, sizeof cmd, "%s index -q -i '%s' - < '%s' 2>&1", tu_bin(), path("stdin"),
	         path("big.jsonl"));
	out = tu_run(cmd, &st);
	assert_int_equal(st, 0);
	expect(out, "indexed 3000 docs (3000 new, 0 replaced)");
	free(out);
	assert_int_equal(stat_of(path("stdin"), "docs"), 3002);
	tc_buf_free(&big);
}

/* -j 1 and -j 2 build the same index. */
static void test_threads_same_stats(void **state)
{
	const char *small = tu_shared("corpus/small.jsonl.zst");
	if (access(small, R_OK) != 0) {
		printf("skipped: %s not found\n", small);
		return;
	}
	char *stats[2];
	for (int j = 1; j <= 2; j++) {
		int st;
		char name[16];
		snprintf(name, sizeof name, "j%d", j);
		char *out = tracuu(&st, "index -q --mem 8 -j %d -i '%s' '%s'", j, path(name), small);
		if (st != 0)
			fail_msg("-j %d: %s", j, out);
		free(out);
		stats[j - 1] = tracuu(&st, "stats --json -i '%s'", path(name));
		assert_int_equal(st, 0);
	}
	assert_string_equal(stats[0], stats[1]);
	expect(stats[0], "\"docs\":900,");
	free(stats[0]);
	free(stats[1]);
}

/* stats (both forms), check, delete, and their errors. */
static void test_stats_check_delete(void **state)
{
	const char *docs = "{\"id\":\"a\",\"title\":\"NDXP\",\"body\":\"hơn 1,35 tỷ giao dịch, "
	                   "tăng 32,05%\",\"source\":\"portal\"}\n"
	                   "{\"id\":\"b\",\"body\":\"2.390 tỷ đồng ngày 20/6/2023\"}\n"
	                   "{\"id\":\"c\",\"body\":\"276.938.860 giao dịch\",\"date\":\"2023-06\"}\n";
	write_file("s.jsonl", docs, strlen(docs));
	int st;
	char *out = tracuu(&st, "index -q -i '%s' '%s'", path("s"), path("s.jsonl"));
	assert_int_equal(st, 0);
	free(out);
	out = tracuu(&st, "stats --json -i '%s'", path("s"));
	assert_int_equal(st, 0);
	json_object *o = json_tokener_parse(out);
	assert_non_null(o);
	assert_int_equal(json_object_get_int64(json_object_object_get(o, "docs")), 3);
	assert_int_equal(json_object_get_int64(json_object_object_get(o, "deleted")), 0);
	assert_int_equal(json_object_get_int64(json_object_object_get(o, "segments")), 1);
	assert_true(json_object_get_int64(json_object_object_get(o, "terms")) > 10);
	assert_true(json_object_get_int64(json_object_object_get(o, "quantities")) >= 6);
	json_object *b = json_object_object_get(o, "bytes");
	static const char *parts[] = {"total", "postings", "positions", "terms",
	                              "docstore", "numeric", "norms"};
	long long sum = 0;
	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
		json_object *v = json_object_object_get(b, parts[i]);
		if (!v)
			fail_msg("bytes.%s missing", parts[i]);
		if (i)
			sum += json_object_get_int64(v);
	}
	assert_true(sum > 0 && sum <= json_object_get_int64(json_object_object_get(b, "total")));
	/* units: "giao dich" twice (a and c), as [key, count] pairs, most frequent first */
	json_object *units = json_object_object_get(o, "units");
	assert_true(json_object_array_length(units) >= 3);
	int seen = 0;
	for (size_t i = 0; i < json_object_array_length(units); i++) {
		json_object *pair = json_object_array_get_idx(units, i);
		if (strcmp(json_object_get_string(json_object_array_get_idx(pair, 0)), "giao dich") == 0) {
			assert_int_equal(json_object_get_int64(json_object_array_get_idx(pair, 1)), 2);
			seen = 1;
		}
	}
	assert_true(seen);
	json_object_put(o);
	free(out);
	out = tracuu(&st, "stats -i '%s'", path("s"));
	assert_int_equal(st, 0);
	expect(out, "documents   3 live, 0 deleted");
	expect(out, "giao dich");
	free(out);

	out = tracuu(&st, "delete -i '%s' b nope", path("s"));
	assert_int_equal(st, 2);
	expect(out, "no document with id \"nope\"");
	expect(out, "deleted 1 document, 1 unknown id");
	free(out);
	assert_int_equal(stat_of(path("s"), "docs"), 2);
	assert_int_equal(stat_of(path("s"), "deleted"), 1);
	out = tracuu(&st, "delete -i '%s' a", path("s"));
	assert_int_equal(st, 0);
	free(out);

	out = tracuu(&st, "check -i '%s'", path("s"));
	assert_int_equal(st, 0);
	expect(out, ": ok");
	free(out);

	/* a missing or empty directory is not an index: exit 1, no directory created */
	static const char *cmds[] = {"stats -i '%s'", "check -i '%s'", "delete -i '%s' a"};
	for (size_t i = 0; i < 3; i++) {
		out = tracuu(&st, cmds[i], path("nothing"));
		assert_int_equal(st, 1);
		expect(out, "not an index");
		free(out);
	}
	assert_int_not_equal(access(path("nothing"), F_OK), 0);
	/* usage errors */
	out = tracuu(&st, "index -i '%s'", path("s"));
	assert_int_equal(st, 2);
	free(out);
	out = tracuu(&st, "index '%s'", path("s.jsonl"));
	assert_int_equal(st, 2);
	free(out);
	out = tracuu(&st, "index -j zero -i '%s' '%s'", path("s"), path("s.jsonl"));
	assert_int_equal(st, 2);
	free(out);
}

/* A flipped byte in any file of a segment makes check fail with exit 1. */
static void test_check_flipped_byte(void **state)
{
	const char *docs = "{\"id\":\"a\",\"title\":\"Một\",\"body\":\"hơn 1,35 tỷ giao dịch\"}\n"
	                   "{\"id\":\"b\",\"body\":\"cải cách hành chính 2023\"}\n";
	write_file("f.jsonl", docs, strlen(docs));
	int st;
	char *out = tracuu(&st, "index -q -i '%s' '%s'", path("flip"), path("f.jsonl"));
	assert_int_equal(st, 0);
	free(out);
	out = tracuu(&st, "delete -i '%s' b", path("flip"));
	assert_int_equal(st, 0);
	free(out);
	DIR *d = opendir(path("flip"));
	assert_non_null(d);
	struct dirent *e;
	int files = 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || strcmp(e->d_name, "LOCK") == 0)
			continue;
		char f[512], copy[600];
		snprintf(f, sizeof f, "%s/%s", path("flip"), e->d_name);
		snprintf(copy, sizeof copy, "%s.orig", f);
		size_t len = 0;
		char *data = tu_read_file(f, &len);
		assert_non_null(data);
		assert_true(len > 0);
		rename(f, copy);
		data[len / 2] ^= 0x10;
		FILE *w = fopen(f, "wb");
		fwrite(data, 1, len, w);
		fclose(w);
		out = tracuu(&st, "check -i '%s'", path("flip"));
		if (st != 1)
			fail_msg("flipped byte in %s: check exit %d\n%s", e->d_name, st, out);
		free(out);
		rename(copy, f);
		free(data);
		files++;
	}
	closedir(d);
	assert_true(files >= 8);
	out = tracuu(&st, "check -i '%s'", path("flip"));
	assert_int_equal(st, 0);
	free(out);
}

/* A write error (here the file size limit) exits 1 and keeps the last commit. */
static void test_write_error_exit(void **state)
{
	const char *small = tu_shared("corpus/small.jsonl.zst");
	if (access(small, R_OK) != 0) {
		printf("skipped: %s not found\n", small);
		return;
	}
	const char *docs = "{\"id\":\"keep\",\"body\":\"đã có từ trước\"}\n";
	write_file("k.jsonl", docs, strlen(docs));
	int st;
	char *out = tracuu(&st, "index -q -i '%s' '%s'", path("limit"), path("k.jsonl"));
	assert_int_equal(st, 0);
	free(out);
	char cmd[8192];
	/* 64 blocks: big enough for the small files, too small for a segment of small.jsonl */
	snprintf(cmd, sizeof cmd,
	         "trap '' XFSZ; ulimit -f 64; exec %s index -q --mem 64 -i '%s' '%s' 2>&1", tu_bin(),
	         path("limit"), small);
	out = tu_run(cmd, &st);
	assert_int_equal(st, 1);
	expect(out, "stopped; the index is at its last commit");
	free(out);
	assert_int_equal(stat_of(path("limit"), "docs"), 1);
	out = tracuu(&st, "check -i '%s'", path("limit"));
	assert_int_equal(st, 0);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_threads_same_stats),
		cmocka_unit_test(test_stats_check_delete),
		cmocka_unit_test(test_check_flipped_byte),
		cmocka_unit_test(test_write_error_exit),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
