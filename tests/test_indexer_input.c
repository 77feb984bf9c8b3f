/* test_indexer_input.c — reading the indexer's input: JSON Lines plain and zstd-compressed
 * (whole, truncated, corrupt), line numbers, blank lines, CRLF, over-long lines, .txt
 * files, missing files and unknown kinds. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "common/buf.h"
#include "indexer/source.h"
#include "testutil.h"

static char tmpdir[64];

static int setup(void **state)
{
	strcpy(tmpdir, "/tmp/tc_input_XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *path_of(const char *name)
{
	static char p[256];
	snprintf(p, sizeof p, "%s/%s", tmpdir, name);
	return p;
}

static void write_file(const char *name, const void *data, size_t n)
{
	FILE *f = fopen(path_of(name), "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	fclose(f);
}

/* zstd-compresses s into a new buffer (caller frees), with a content checksum as the
 * zstd program writes by default */
static char *zstd_of(const char *s, size_t n, size_t *zn)
{
	size_t cap = ZSTD_compressBound(n);
	char *z = malloc(cap);
	ZSTD_CCtx *c = ZSTD_createCCtx();
	ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1);
	*zn = ZSTD_compress2(c, z, cap, s, n);
	ZSTD_freeCCtx(c);
	assert_false(ZSTD_isError(*zn));
	return z;
}

/* Reads every record of path: "line:text|line:text|..." and errors as "line!code|". */
static const char *read_all(const char *path, size_t max, char *errmsg, size_t errcap)
{
	static tc_buf out;
	tc_buf_clear(&out);
	tc_ix_source *s;
	tc_error err = {0};
	errmsg[0] = '\0';
	int rc = tc_ix_source_open(path, &s, &err);
	if (rc < 0) {
		snprintf(errmsg, errcap, "%s", err.msg);
		tc_buf_printf(&out, "open!%s", tc_errname(rc));
		return out.data;
	}
	if (max)
		tc_ix_source_set_max_record(s, max);
	tc_ix_record rec;
	for (;;) {
		tc_error_clear(&err);
		rc = tc_ix_source_next(s, &rec, &err);
		if (rc == 0)
			break;
		if (rc < 0) {
			tc_buf_printf(&out, "!%s|", tc_errname(rc));
			snprintf(errmsg, errcap, "%s", err.msg);
			continue;
		}
		assert_int_equal(strlen(rec.data), rec.len);
		tc_buf_printf(&out, "%llu:%s|", (unsigned long long)rec.line, rec.data);
	}
	tc_ix_source_free(s);
	return out.data ? out.data : "";
}

static const struct {
	const char *name, *content, *expect;
} line_cases[] = {
	{"a.jsonl", "{\"a\":1}\n{\"b\":2}\n", "1:{\"a\":1}|2:{\"b\":2}|"},
	{"nonl.jsonl", "x\ny", "1:x|2:y|"},
	{"crlf.jsonl", "x\r\ny\r\n", "1:x|2:y|"},
	{"blank.jsonl", "\n  \nx\n\t\r\n\ny\n\n", "3:x|6:y|"},
	{"empty.jsonl", "", ""},
	{"only-blank.ndjson", "\n\n\n", ""},
	{"doc.txt", "Title\n\nbody\n", "1:Title\n\nbody\n|"},
	{"empty.txt", "", "1:|"},
	{"j.json", "{}", "1:{}|"},
};

static void test_lines(void **state)
{
	char msg[TC_ERROR_MSG_MAX];
	for (size_t i = 0; i < sizeof line_cases / sizeof line_cases[0]; i++) {
		write_file(line_cases[i].name, line_cases[i].content, strlen(line_cases[i].content));
		const char *got = read_all(path_of(line_cases[i].name), 0, msg, sizeof msg);
		if (strcmp(got, line_cases[i].expect) != 0)
			fail_msg("%s: got '%s', want '%s'", line_cases[i].name, got, line_cases[i].expect);
	}
}

/* The same lines through zstd read the same, also when a line spans decoder windows. */
static void test_zstd(void **state)
{
	tc_buf text = {0}, want = {0};
	for (int i = 1; i <= 3000; i++) {
		tc_buf_printf(&text, "{\"id\":\"%d\",\"body\":\"", i);
		for (int k = 0; k < (i * 37) % 500; k++)
			tc_buf_puts(&text, "chữ ");
		tc_buf_puts(&text, "\"}\n");
	}
	/* a line longer than the decoder's window (128 KB) */
	tc_buf_puts(&text, "{\"id\":\"long\",\"body\":\"");
	for (int k = 0; k < 60000; k++)
		tc_buf_puts(&text, "dài ");
	tc_buf_puts(&text, "\"}\n");
	write_file("plain.jsonl", text.data, text.len);
	size_t zn;
	char *z = zstd_of(text.data, text.len, &zn);
	write_file("c.jsonl.zst", z, zn);
	char msg[TC_ERROR_MSG_MAX];
	tc_buf_puts(&want, read_all(path_of("plain.jsonl"), 0, msg, sizeof msg));
	const char *got = read_all(path_of("c.jsonl.zst"), 0, msg, sizeof msg);
	assert_string_equal(msg, "");
	assert_true(want.len > text.len);
	assert_string_equal(got, want.data);

	/* two frames back to back are one stream */
	size_t half = 0;
	for (size_t i = text.len / 2; text.data[i - 1] != '\n'; i++)
		half = i + 1;
	size_t z1n, z2n;
	char *z1 = zstd_of(text.data, half, &z1n);
	char *z2 = zstd_of(text.data + half, text.len - half, &z2n);
	tc_buf two = {0};
	tc_buf_append(&two, z1, z1n);
	tc_buf_append(&two, z2, z2n);
	write_file("two.jsonl.zst", two.data, two.len);
	got = read_all(path_of("two.jsonl.zst"), 0, msg, sizeof msg);
	assert_string_equal(got, want.data);

	free(z);
	free(z1);
	free(z2);
	tc_buf_free(&two);
	tc_buf_free(&text);
	tc_buf_free(&want);
}

/* A truncated or damaged .zst keeps what was read, reports where, and stops. */
static void test_zstd_damaged(void **state)
{
	tc_buf text = {0};
	for (int i = 1; i <= 20000; i++)
		tc_buf_printf(&text, "{\"id\":\"%d\",\"body\":\"số %d, dòng %d\"}\n", i, i * 7919, i);
	size_t zn;
	char *z = zstd_of(text.data, text.len, &zn);
	char msg[TC_ERROR_MSG_MAX];

	write_file("trunc.jsonl.zst", z, zn - 20);
	const char *got = read_all(path_of("trunc.jsonl.zst"), 0, msg, sizeof msg);
	assert_non_null(strstr(got, "1:{\"id\":\"1\""));
	assert_non_null(strstr(got, "|!ECORRUPT|"));
	assert_non_null(strstr(msg, "trunc.jsonl.zst:"));
	assert_non_null(strstr(msg, "truncated"));
	/* the line number of the message is the line that was lost */
	unsigned long lost = strtoul(strchr(msg, ':') + 1, NULL, 10);
	assert_true(lost > 1000 && lost <= 20000);

	for (size_t off = zn / 3; off < zn; off += zn / 3) {
		char *bad = malloc(zn);
		memcpy(bad, z, zn);
		bad[off] ^= 0x5a;
		write_file("bad.jsonl.zst", bad, zn);
		got = read_all(path_of("bad.jsonl.zst"), 0, msg, sizeof msg);
		assert_non_null(strstr(got, "!ECORRUPT|"));
		assert_non_null(strstr(msg, "bad.jsonl.zst:"));
		free(bad);
	}

	/* not zstd at all */
	write_file("plain.jsonl.zst", "{\"id\":1}\n", 9);
	got = read_all(path_of("plain.jsonl.zst"), 0, msg, sizeof msg);
	assert_string_equal(got, "!ECORRUPT|");
	assert_non_null(strstr(msg, "plain.jsonl.zst:1: corrupt zstd data"));
	free(z);
	tc_buf_free(&text);
}

/* An over-long line is skipped with its line number; the next line is read. */
static void test_long_line(void **state)
{
	char msg[TC_ERROR_MSG_MAX];
	const char *s = "short\n0123456789012345678901234567890123456789\nok\nxxxxxxxxxxxxxxxxxxxxx";
	write_file("long.jsonl", s, strlen(s));
	const char *got = read_all(path_of("long.jsonl"), 20, msg, sizeof msg);
	assert_string_equal(got, "1:short|!ELIMIT|3:ok|!ELIMIT|");
	assert_non_null(strstr(msg, "long.jsonl:4: line longer than 20 bytes"));
	/* exactly at the limit is fine */
	write_file("edge.jsonl", "12345\n123456\n", 13);
	got = read_all(path_of("edge.jsonl"), 5, msg, sizeof msg);
	assert_string_equal(got, "1:12345|!ELIMIT|");
	write_file("big.txt", "0123456789", 10);
	got = read_all(path_of("big.txt"), 5, msg, sizeof msg);
	assert_string_equal(got, "!ELIMIT|");
}

static void test_open_errors(void **state)
{
	char msg[TC_ERROR_MSG_MAX];
	assert_string_equal(read_all(path_of("missing.jsonl"), 0, msg, sizeof msg), "open!ENOENT");
	assert_non_null(strstr(msg, "missing.jsonl: No such file"));
	write_file("x.csv", "a,b\n", 4);
	assert_string_equal(read_all(path_of("x.csv"), 0, msg, sizeof msg), "open!EINVAL");
	assert_non_null(strstr(msg, "unknown input type"));
	mkdir(path_of("dir.jsonl"), 0755);
	assert_string_equal(read_all(path_of("dir.jsonl"), 0, msg, sizeof msg), "open!EINVAL");
	if (geteuid() != 0) {
		write_file("locked.jsonl", "x\n", 2);
		chmod(path_of("locked.jsonl"), 0);
		assert_string_equal(read_all(path_of("locked.jsonl"), 0, msg, sizeof msg),
		                    "open!EIO");
	}
}

static void test_progress_counts(void **state)
{
	const char *s = "{\"a\":1}\n\n{\"b\":2}\n";
	write_file("p.jsonl", s, strlen(s));
	tc_ix_source *src;
	assert_int_equal(tc_ix_source_open(path_of("p.jsonl"), &src, NULL), 0);
	assert_int_equal(tc_ix_source_size(src), strlen(s));
	assert_int_equal(tc_ix_source_kind(src), TC_IX_JSONL);
	tc_ix_record rec;
	while (tc_ix_source_next(src, &rec, NULL) == 1)
		;
	assert_int_equal(tc_ix_source_in_bytes(src), strlen(s));
	assert_int_equal(tc_ix_source_out_bytes(src), 16);
	tc_ix_source_free(src);
}

static void test_text_id(void **state)
{
	static const struct { const char *path, *id; } cases[] = {
		{"a/b/004_ab12.txt", "004_ab12"},
		{"doc.txt", "doc"},
		{"x/v1.2.txt", "v1.2"},
		{"x/noext", "noext"},
		{"x/.hidden", ".hidden"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		tc_buf b = {0};
		tc_ix_source_text_id(cases[i].path, &b);
		assert_string_equal(b.data, cases[i].id);
		tc_buf_free(&b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_zstd),
		cmocka_unit_test(test_zstd_damaged),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_progress_counts),
		cmocka_unit_test(test_text_id),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
