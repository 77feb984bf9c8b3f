/* test_indexer.c — the indexer end to end through the storage reader: the seeds read back
 * posting by posting against a reference built straight from the analyser, replace and
 * delete by id, merges that keep every live document and drop tombstones, identical
 * indexes with one and two threads, a failed write that leaves the last commit, and a
 * writer killed at random points. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "analysis/analyzer.h"
#include "indexer/doc.h"
#include "indexer/indexer.h"
#include "storage/storage.h"
#include "test_indexer_dump.h"
#define TU_FULL_DISK  /* write() runs out of space when a test says so */
#include "testutil.h"

/* ---- helpers ------------------------------------------------------------------------------ */

static char tmproot[64];

static int setup(void **state)
{
	strcpy(tmproot, "/tmp/tc_indexer_XXXXXX");
	return mkdtemp(tmproot) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmproot);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *dir_of(const char *name)
{
	static char p[4][128];
	static int k;
	k = (k + 1) % 4;
	snprintf(p[k], sizeof p[k], "%s/%s", tmproot, name);
	return p[k];
}

typedef struct msgs {
	tc_buf text;
	int notes, rejects;
} msgs;

static void on_message(void *ctx, int kind, const char *msg)
{
	msgs *m = ctx;
	if (kind == TC_IX_NOTE)
		m->notes++;
	else
		m->rejects++;
	tc_buf_printf(&m->text, "%c %s\n", kind == TC_IX_NOTE ? 'N' : 'R', msg);
}

static tc_indexer *open_ix(const char *dir, unsigned threads, uint32_t segment_docs,
                           msgs *m)
{
	tc_indexer_opts o = {0};
	o.threads = threads;
	o.segment_docs = segment_docs;
	o.on_message = on_message;
	o.ctx = m;
	tc_indexer *ix;
	tc_error err = {0};
	int rc = tc_indexer_open(dir, &o, &ix, &err);
	if (rc != 0)
		fail_msg("open %s: %s", dir, err.msg);
	return ix;
}

static void add_json(tc_indexer *ix, const char *json)
{
	tc_error err = {0};
	int rc = tc_indexer_add_json(ix, "t", json, strlen(json), &err);
	if (rc != 0)
		fail_msg("add %s: %s", json, err.msg);
}

static void commit(tc_indexer *ix)
{
	tc_error err = {0};
	if (tc_indexer_commit(ix, &err) != 0)
		fail_msg("commit: %s", err.msg);
}

static void assert_check_clean(const char *dir)
{
	tc_buf report = {0};
	tc_error err = {0};
	int rc = tc_index_check(dir, &report, &err);
	if (rc != 0)
		fail_msg("check %s: %s\n%s", dir, err.msg, report.data ? report.data : "");
	tc_buf_free(&report);
}

static void snap_counts(const char *dir, uint64_t *live, uint64_t *all, size_t *nseg)
{
	tc_snapshot *s;
	tc_error err = {0};
	if (tc_snapshot_open(dir, 0, &s, &err) != 0)
		fail_msg("snapshot %s: %s", dir, err.msg);
	*live = tc_snapshot_nlive(s);
	*all = tc_snapshot_ndocs(s);
	*nseg = tc_snapshot_nsegments(s);
	tc_snapshot_release(s);
}

/* The seed files, sorted; NULL when ../shared is not there. */
static char **seed_paths(size_t *n)
{
	static char base[4200];
	snprintf(base, sizeof base, "%s", tu_shared("seeds"));
	DIR *d = opendir(base);
	if (!d)
		return NULL;
	char **v = NULL;
	size_t cap = 0;
	*n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (len < 5 || strcmp(e->d_name + len - 4, ".txt") != 0)
			continue;
		v = tc_grow(v, &cap, *n + 1, sizeof *v);
		char p[4500];
		snprintf(p, sizeof p, "%s/%s", base, e->d_name);
		v[(*n)++] = tc_strdup(p);
	}
	closedir(d);
	for (size_t i = 0; i < *n; i++)
		for (size_t j = i + 1; j < *n; j++)
			if (strcmp(v[i], v[j]) > 0) {
				char *t = v[i];
				v[i] = v[j];
				v[j] = t;
			}
	return v;
}

static void free_paths(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* ---- the reference: seeds analysed directly ----------------------------------------------- */

typedef struct occ {
	char *key;   /* "P f1:term" */
	uint32_t pos;
} occ;

static int occ_cmp(const void *pa, const void *pb)
{
	const occ *a = pa, *b = pb;
	int c = strcmp(a->key, b->key);
	return c ? c : (a->pos > b->pos) - (a->pos < b->pos);
}

/* P, D and L lines of one field of one document. */
static void ref_field(tc_analyzer *an, ixd_lines *l, const char *id, unsigned fid,
                      const char *fname, const char *text, size_t len)
{
	tc_buf b = {0};
	tc_buf_printf(&b, "D %s %s=", id, fname);
	ixd_text(&b, text, len);
	ixd_add(l, &b);
	tc_toklist tl = {0};
	assert_int_equal(tc_analyze(an, text, len, NULL, &tl, NULL), 0);
	if (tl.n) {
		tc_buf_clear(&b);
		tc_buf_printf(&b, "L %s %s %zu", id, fname, tl.n);
		ixd_add(l, &b);
	}
	occ *o = tc_calloc(3 * tl.n + 1, sizeof *o);
	size_t n = 0;
	for (size_t i = 0; i < tl.n; i++) {
		const tc_token *t = &tl.tok[i];
		const char *forms[3] = {tc_tok_folded(&tl, t), tc_tok_stem(&tl, t),
		                        tc_tok_exact(&tl, t)};
		for (int k = 0; k < 3; k++) {
			if (!forms[k])
				continue;
			tc_buf_clear(&b);
			/* an exact form is filed under its folded form (storage.h) */
			unsigned char key[TC_MAX_KEY] = {(unsigned char)"fse"[k], (unsigned char)fid};
			size_t klen = 2 + strlen(forms[k]);
			memcpy(key + 2, forms[k], klen - 2);
			if (k == 2)
				klen = tc_key_exact(key, fid, forms[0], strlen(forms[0]), forms[2],
				                    strlen(forms[2]));
			ixd_key(&b, key, klen);
			o[n].key = tc_strdup(b.data);
			o[n++].pos = t->pos;
		}
	}
	qsort(o, n, sizeof *o, occ_cmp);
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && strcmp(o[j].key, o[i].key) == 0)
			j++;
		tc_buf_clear(&b);
		tc_buf_printf(&b, "%s %s %zu ", o[i].key, id, j - i);
		if (strstr(o[i].key, "\\x00") == NULL)  /* exact forms have no positions */
			for (size_t k = i; k < j; k++)
				tc_buf_printf(&b, "%s%u", k > i ? "," : "", o[k].pos);
		ixd_add(l, &b);
		i = j;
	}
	for (size_t i = 0; i < n; i++)
		free(o[i].key);
	free(o);
	tc_toklist_free(&tl);
	tc_buf_free(&b);
}

/* N lines of a document, from the document analysis (quantity.c has its own tests). */
static void ref_numbers(ixd_lines *l, const char *path, const char *text, size_t len)
{
	tc_ix_worker *w;
	tc_ix_doc d = {0};
	assert_int_equal(tc_ix_worker_new(NULL, &w, NULL), 0);
	assert_int_equal(tc_ix_doc_from_text(w, path, text, len, &d, NULL), 0);
	size_t idlen;
	const char *id = tc_ix_doc_id(&d, &idlen);
	tc_buf b = {0};
	for (size_t i = 0; i < d.nnums; i++) {
		const tc_ix_num *e = &d.nums[i];
		tc_buf_clear(&b);
		tc_buf_puts(&b, "N ");
		ixd_text(&b, tc_ix_doc_str(&d, e->unit), e->unit_len);
		tc_buf_printf(&b, " %s %s %u %.17g", id, tc_ix_doc_str(&d, d.fields[e->field].name),
		              e->pos, e->value);
		ixd_add(l, &b);
	}
	tc_buf_free(&b);
	tc_ix_doc_free(&d);
	tc_ix_worker_free(w);
}

static char *reference(char **paths, size_t n)
{
	tc_analyzer *an;
	assert_int_equal(tc_analyzer_new(&an, NULL), 0);
	ixd_lines l = {0};
	for (size_t i = 0; i < n; i++) {
		size_t len = 0;
		char *text = tu_read_file(paths[i], &len);
		assert_non_null(text);
		const char *base = strrchr(paths[i], '/') + 1;
		char id[256];
		snprintf(id, sizeof id, "%.*s", (int)(strlen(base) - 4), base);
		/* title: the first non-blank line, trimmed */
		const char *p = text, *end = text + len;
		const char *ts = NULL, *te = NULL;
		while (p < end && !ts) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			const char *le = nl ? nl : end;
			const char *a = p, *b = le;
			while (a < b && (*a == ' ' || *a == '\t' || *a == '\r'))
				a++;
			while (b > a && (b[-1] == ' ' || b[-1] == '\t' || b[-1] == '\r'))
				b--;
			if (b > a) {
				ts = a;
				te = b;
			}
			p = le + 1;
		}
		if (ts)
			ref_field(an, &l, id, 0, "title", ts, (size_t)(te - ts));
		ref_field(an, &l, id, 1, "body", text, len);
		ref_numbers(&l, paths[i], text, len);
		free(text);
	}
	tc_analyzer_free(an);
	return ixd_join(&l);
}

/* Where two dumps first differ, for the failure message. */
static void assert_same_dump(const char *got, const char *want, const char *what)
{
	if (strcmp(got, want) == 0)
		return;
	if (getenv("TC_DUMP_DIR")) {
		char p[512];
		snprintf(p, sizeof p, "%s/got.txt", getenv("TC_DUMP_DIR"));
		FILE *f = fopen(p, "w");
		fputs(got, f);
		fclose(f);
		snprintf(p, sizeof p, "%s/want.txt", getenv("TC_DUMP_DIR"));
		f = fopen(p, "w");
		fputs(want, f);
		fclose(f);
	}
	size_t i = 0;
	while (got[i] && got[i] == want[i])
		i++;
	size_t from = i;
	while (from > 0 && got[from - 1] != '\n')
		from--;
	fail_msg("%s differs at byte %zu:\n got: %.200s\nwant: %.200s", what, i, got + from,
	         want + from);
}

/* ---- tests ---------------------------------------------------------------------------------- */

/* Every posting, position, stored field, length and number of the seeds reads back. */
static void test_roundtrip_seeds(void **state)
{
	size_t n;
	char **paths = seed_paths(&n);
	if (!paths) {
		printf("skipped: no seeds under %s (set TRACUU_SRC)\n", tu_shared("seeds"));
		return;
	}
	const char *dir = dir_of("seeds");
	msgs m = {0};
	/* two docs per segment: the reader must put segments together */
	tc_indexer *ix = open_ix(dir, 1, 2, &m);
	tc_error err = {0};
	assert_int_equal(tc_indexer_add_files(ix, (const char *const *)paths, n, &err), 0);
	commit(ix);
	tc_indexer_stats st;
	tc_indexer_get_stats(ix, &st);
	tc_indexer_free(ix);
	assert_int_equal(st.added, n);
	assert_int_equal(st.rejected, 0);
	assert_int_equal(m.rejects, 0);
	uint64_t live, all;
	size_t nseg;
	snap_counts(dir, &live, &all, &nseg);
	assert_int_equal(live, n);
	assert_int_equal(nseg, (n + 1) / 2);
	assert_check_clean(dir);

	char *want = reference(paths, n);
	char *got = ixd_dump(dir, "PDN");
	assert_non_null(got);
	assert_true(strlen(want) > 100000);
	assert_same_dump(got, want, "index vs reference");
	free(got);
	free(want);
	tc_buf_free(&m.text);
	free_paths(paths, n);
}

static const char *doc_json(char *buf, size_t cap, const char *id, const char *body)
{
	snprintf(buf, cap, "{\"id\":\"%s\",\"title\":\"T %s\",\"body\":\"%s\"}", id, id, body);
	return buf;
}

/* Same id again replaces; delete tombstones; unknown ids are ENOENT. */
static void test_replace_delete(void **state)
{
	const char *dir = dir_of("replace");
	msgs m = {0};
	char j[256];
	tc_indexer *ix = open_ix(dir, 1, 0, &m);
	add_json(ix, doc_json(j, sizeof j, "a", "cải cách hành chính"));
	add_json(ix, doc_json(j, sizeof j, "b", "giao dịch trực tuyến"));
	add_json(ix, doc_json(j, sizeof j, "c", "dịch vụ công"));
	/* b again in the same open segment: a new segment, b's first version tombstoned */
	add_json(ix, doc_json(j, sizeof j, "b", "thanh toán điện tử"));
	commit(ix);
	tc_indexer_stats st;
	tc_indexer_get_stats(ix, &st);
	assert_int_equal(st.added, 3);
	assert_int_equal(st.replaced, 1);
	tc_indexer_free(ix);
	uint64_t live, all;
	size_t nseg;
	snap_counts(dir, &live, &all, &nseg);
	assert_int_equal(live, 3);
	assert_int_equal(all, 4);
	char *d = ixd_dump(dir, "PD");
	assert_non_null(strstr(d, "P f1:thanh b 1 0\n"));
	assert_null(strstr(d, "P f1:giao b"));
	assert_non_null(strstr(d, "D b body=thanh toán điện tử\n"));
	assert_null(strstr(d, "D b body=giao"));
	free(d);

	/* a later run replaces a committed doc, deletes another, and misses an unknown id */
	ix = open_ix(dir, 1, 0, &m);
	add_json(ix, doc_json(j, sizeof j, "a", "hồ sơ một cửa"));
	tc_error err = {0};
	assert_int_equal(tc_indexer_delete(ix, "c", 1, &err), 0);
	assert_int_equal(tc_indexer_delete(ix, "c", 1, &err), TC_ENOENT);
	tc_error_clear(&err);
	assert_int_equal(tc_indexer_delete(ix, "zz", 2, &err), TC_ENOENT);
	assert_non_null(strstr(err.msg, "zz"));
	/* a delete of a doc in the open segment */
	add_json(ix, doc_json(j, sizeof j, "d", "mới"));
	assert_int_equal(tc_indexer_delete(ix, "d", 1, &err), 0);
	commit(ix);
	tc_indexer_free(ix);
	snap_counts(dir, &live, &all, &nseg);
	assert_int_equal(live, 2);
	d = ixd_dump(dir, "PD");
	assert_non_null(strstr(d, "D a body=hồ sơ một cửa\n"));
	assert_null(strstr(d, "D c "));
	assert_null(strstr(d, "D d "));
	assert_null(strstr(d, "P f1:cai a"));
	assert_non_null(strstr(d, "P f1:ho a 1 0\n"));
	free(d);
	assert_check_clean(dir);
	tc_buf_free(&m.text);
}

/* Merges keep every live document, in order, and drop the tombstoned ones. */
static void test_merge(void **state)
{
	const char *dir = dir_of("merge");
	const char *ref = dir_of("merge-ref");
	msgs m = {0};
	char j[512], id[32], body[128];
	/* 2 docs per segment: the tenth segment triggers a merge of all ten */
	tc_indexer *ix = open_ix(dir, 1, 2, &m);
	tc_indexer *rx = open_ix(ref, 1, 0, &m);
	for (int i = 0; i < 19; i++) {
		snprintf(id, sizeof id, "m%02d", i);
		snprintf(body, sizeof body, "văn bản số %d về giao dịch %d lần", i, i * 7);
		add_json(ix, doc_json(j, sizeof j, id, body));
		if (i % 4 != 1)
			add_json(rx, doc_json(j, sizeof j, id, body));
	}
	/* delete some before the merge */
	for (int i = 1; i < 19; i += 4) {
		snprintf(id, sizeof id, "m%02d", i);
		assert_int_equal(tc_indexer_delete(ix, id, 3, NULL), 0);
	}
	snprintf(id, sizeof id, "m19");
	add_json(ix, doc_json(j, sizeof j, id, "cuối cùng"));
	add_json(rx, doc_json(j, sizeof j, id, "cuối cùng"));
	commit(ix);
	commit(rx);
	tc_indexer_stats st;
	tc_indexer_get_stats(ix, &st);
	assert_true(st.merges >= 1);
	tc_indexer_free(ix);
	tc_indexer_free(rx);
	uint64_t live, all;
	size_t nseg;
	snap_counts(dir, &live, &all, &nseg);
	assert_int_equal(live, 15);
	assert_int_equal(all, 15);   /* the merge dropped the five tombstones */
	assert_int_equal(nseg, 1);
	char *got = ixd_dump(dir, "PDN"), *want = ixd_dump(ref, "PDN");
	assert_same_dump(got, want, "merged vs single segment");
	free(got);
	free(want);
	assert_check_clean(dir);
	tc_buf_free(&m.text);
}

/* One thread or two: the same files, byte for byte. */
static void test_threads_identical(void **state)
{
	const char *small = tu_shared("corpus/small.jsonl.zst");
	if (access(small, R_OK) != 0) {
		printf("skipped: %s not found\n", small);
		return;
	}
	const char *dirs[2] = {dir_of("j1"), dir_of("j2")};
	for (int k = 0; k < 2; k++) {
		msgs m = {0};
		tc_indexer *ix = open_ix(dirs[k], k ? 2 : 1, 150, &m);
		tc_error err = {0};
		assert_int_equal(tc_indexer_add_files(ix, &small, 1, &err), 0);
		commit(ix);
		tc_indexer_free(ix);
		tc_buf_free(&m.text);
	}
	char cmd[512];
	snprintf(cmd, sizeof cmd, "cd '%s' && for f in *; do [ \"$f\" = LOCK ] || cmp -s \"$f\" "
	                          "'%s'/\"$f\" || echo \"$f\"; done; ls | wc -l",
	         dirs[0], dirs[1]);
	int status;
	char *out = tu_run(cmd, &status);
	assert_int_equal(status, 0);
	/* nothing differs, and there are files */
	assert_true(atoi(out) > 5);
	assert_non_null(strchr(out, '\n'));
	assert_int_equal(strchr(out, '\n')[1], '\0');
	free(out);
	char *a = ixd_dump(dirs[0], "PDN"), *b = ixd_dump(dirs[1], "PDN");
	assert_same_dump(b, a, "-j 2 vs -j 1");
	free(a);
	free(b);
}

/* A write that fails (full disk) stops the run and leaves the last commit. */
static void test_write_error(void **state)
{
	size_t n;
	char **paths = seed_paths(&n);
	if (!paths) {
		printf("skipped: no seeds\n");
		return;
	}
	const char *dir = dir_of("enospc");
	msgs m = {0};
	char j[256];
	/* how many bytes a successful run writes */
	tc_indexer *ix = open_ix(dir_of("enospc-probe"), 1, 0, &m);
	tc_error perr = {0};
	tu_written = 0;
	assert_int_equal(tc_indexer_add_files(ix, (const char *const *)paths, n, &perr), 0);
	commit(ix);
	tc_indexer_free(ix);
	long total = tu_written;
	assert_true(total > 10000);

	ix = open_ix(dir, 1, 0, &m);
	add_json(ix, doc_json(j, sizeof j, "kept", "đã lưu trước"));
	commit(ix);
	char *before = ixd_dump(dir, "PDN");
	/* budgets that stop in different files of the next commit, the last near its end */
	static const double frac[] = {0, 0.001, 0.05, 0.3, 0.6, 0.9, 0.98};
	for (size_t fi = 0; fi < sizeof frac / sizeof frac[0]; fi++) {
		long budget = (long)(frac[fi] * (double)total);
		tu_write_budget = budget;
		tc_error err = {0};
		int rc = tc_indexer_add_files(ix, (const char *const *)paths, n, &err);
		if (rc == 0)
			rc = tc_indexer_commit(ix, &err);
		tu_write_budget = -1;
		if (rc == 0)
			fail_msg("budget %ld of %ld: the commit succeeded", budget, total);
		assert_int_equal(rc, TC_ENOSPC);
		assert_non_null(strstr(err.msg, "No space left"));
		/* the writer is done for: every call repeats the error */
		tc_error err2 = {0};
		assert_int_equal(tc_indexer_commit(ix, &err2), TC_ENOSPC);
		tc_indexer_free(ix);
		char *after = ixd_dump(dir, "PDN");
		assert_same_dump(after, before, "after a failed commit");
		free(after);
		assert_check_clean(dir);
		ix = open_ix(dir, 1, 0, &m);
	}
	/* and with room again, the same files index */
	tc_error err = {0};
	assert_int_equal(tc_indexer_add_files(ix, (const char *const *)paths, n, &err), 0);
	commit(ix);
	tc_indexer_free(ix);
	uint64_t live, all;
	size_t nseg;
	snap_counts(dir, &live, &all, &nseg);
	assert_int_equal(live, n + 1);
	assert_check_clean(dir);
	free(before);
	tc_buf_free(&m.text);
	free_paths(paths, n);
}

/* ---- crash test ---------------------------------------------------------------------------- */

/* The child: adds batches of 5 docs and commits, forever, reporting each commit. */
static void crash_child(const char *dir, int round, int fd)
{
	tc_indexer_opts o = {0};
	o.merge_factor = 3;  /* merges come often, so kills land in them too */
	tc_indexer *ix;
	if (tc_indexer_open(dir, &o, &ix, NULL) != 0)
		_exit(3);
	char j[512], id[48], body[160];
	for (int b = 0; b < 100000; b++) {
		for (int k = 0; k < 5; k++) {
			snprintf(id, sizeof id, "r%d-%d-%d", round, b, k);
			snprintf(body, sizeof body, "lần %d, lô %d: %d giao dịch, %d%% hồ sơ", round, b,
			         k * 1000 + b, k);
			doc_json(j, sizeof j, id, body);
			if (tc_indexer_add_json(ix, "crash", j, strlen(j), NULL) != 0)
				_exit(4);
		}
		if (tc_indexer_commit(ix, NULL) != 0)
			_exit(5);
		tc_indexer_stats st;
		tc_indexer_get_stats(ix, &st);
		uint64_t done = st.added;
		if (syscall(SYS_write, fd, &done, sizeof done) != sizeof done)
			_exit(6);
	}
	_exit(0);
}

static void test_crash(void **state)
{
	const char *dir = dir_of("crash");
	uint64_t committed = 0;   /* docs the index is known to hold */
	srand(12345);
	for (int round = 0; round < 8; round++) {
		int p[2];
		assert_int_equal(pipe(p), 0);
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			close(p[0]);
			crash_child(dir, round, p[1]);
		}
		close(p[1]);
		/* let it run 30..330 ms, then kill it wherever it is */
		struct timespec ts = {0, (30 + rand() % 300) * 1000000L};
		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
		int status;
		waitpid(pid, &status, 0);
		uint64_t done, last = 0;
		while (read(p[0], &done, sizeof done) == sizeof done)
			last = done;
		close(p[0]);
		if (WIFEXITED(status))
			fail_msg("round %d: the child exited with %d", round, WEXITSTATUS(status));
		uint64_t live, all;
		size_t nseg;
		snap_counts(dir, &live, &all, &nseg);
		/* whole batches only, and at least what the child saw committed */
		assert_int_equal(live % 5, 0);
		assert_true(live >= committed + last);
		committed = live;
		assert_check_clean(dir);
	}
	assert_true(committed > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_seeds),
		cmocka_unit_test(test_replace_delete),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_threads_identical),
		cmocka_unit_test(test_write_error),
		cmocka_unit_test(test_crash),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
