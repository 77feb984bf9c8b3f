/*
 * fts5_driver.c — SQLite FTS5 as a peer in `make bench`.
 *
 *   fts5_driver build DB CORPUS...        create DB from the corpus files
 *   fts5_driver optimize DB               merge the index into one b-tree ('optimize')
 *   fts5_driver query DB QUERIES -o OUT.tsv [-t 1,2]   see bench/lib/harness.h
 *
 * The table is the one a developer would write for these documents:
 *   CREATE VIRTUAL TABLE d USING fts5(id UNINDEXED, title, body,
 *                                     tokenize='unicode61 remove_diacritics 2');
 * with the text stored (FTS5's default), so the file holds what tracuu's index plus its
 * doc store hold. Every document is inserted in one transaction with SQLite's default
 * settings. Queries run on a read-only connection with the file memory-mapped (the way a
 * read-heavy SQLite deployment is set up; tracuu's readers mmap too), one connection
 * per thread (and no allocation statistics, whose global mutex would serialise the
 * threads), through one prepared statement per connection:
 *   top-10:  SELECT id FROM d WHERE d MATCH ?1 ORDER BY rank LIMIT 10   (rank = bm25)
 *   count:   SELECT count(*) FROM d WHERE d MATCH ?1                    (never timed)
 * Translation: each word becomes a quoted FTS5 string ("cải" AND "cách"), which FTS5's
 * tokeniser splits as it split the text, so a code such as "13/2023/NĐ-CP" is matched
 * as the phrase of its parts; "w1 w2" stays a phrase; w* becomes "w"*. FTS5 has no
 * numeric ranges: quantity queries are reported as unsupported. unicode61 removes the
 * diacritics of Vietnamese letters but keeps đ as a letter of its own, so "dong" does not
 * match "đồng" here while it does in tracuu: the report's cross-check allows for that.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sqlite3.h>

#include "bench/lib/corpus.h"
#include "bench/lib/harness.h"
#include "common/buf.h"
#include "common/mem.h"

static int sql_error(sqlite3 *db, const char *what, tc_error *err)
{
	return tc_error_set(err, TC_EIO, "sqlite: %s: %s", what, sqlite3_errmsg(db));
}

static int exec(sqlite3 *db, const char *sql, tc_error *err)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		tc_error_set(err, TC_EIO, "sqlite: %s: %s", sql, msg ? msg : "?");
		sqlite3_free(msg);
		return TC_EIO;
	}
	return TC_OK;
}

/* ---- build ---------------------------------------------------------------------- */

typedef struct builder {
	sqlite3 *db;
	sqlite3_stmt *ins;
	tc_error *err;
} builder;

static int insert_doc(void *ctx, const tc_bench_doc *d)
{
	builder *b = ctx;
	sqlite3_bind_text(b->ins, 1, d->id, (int)d->id_len, SQLITE_STATIC);
	sqlite3_bind_text(b->ins, 2, d->title, (int)d->title_len, SQLITE_STATIC);
	sqlite3_bind_text(b->ins, 3, d->body, (int)d->body_len, SQLITE_STATIC);
	int rc = sqlite3_step(b->ins);
	sqlite3_reset(b->ins);
	if (rc != SQLITE_DONE)
		return sql_error(b->db, "insert", b->err);
	return 0;
}

/* Prints ,"bytes":{"total":N,"<table>":N,...} from the dbstat virtual table. */
static void print_sizes(sqlite3 *db, const char *path)
{
	struct stat st;
	long long total = stat(path, &st) == 0 ? (long long)st.st_size : -1;
	printf(",\"bytes\":{\"total\":%lld", total);
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(db, "SELECT name, SUM(pgsize) FROM dbstat GROUP BY name "
	                       "ORDER BY 2 DESC", -1, &s, NULL) == SQLITE_OK) {
		while (sqlite3_step(s) == SQLITE_ROW)
			printf(",\"%s\":%lld", (const char *)sqlite3_column_text(s, 0),
			       (long long)sqlite3_column_int64(s, 1));
		sqlite3_finalize(s);
	}
	printf("}");
}

static int cmd_build(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: fts5_driver build DB CORPUS...\n");
		return 2;
	}
	const char *path = argv[1];
	unlink(path);
	tc_error err = {0};
	builder b = {.err = &err};
	if (sqlite3_open(path, &b.db) != SQLITE_OK) {
		fprintf(stderr, "fts5: %s: %s\n", path, sqlite3_errmsg(b.db));
		sqlite3_close(b.db);
		return 1;
	}
	tc_bench_totals tot = {0};
	uint64_t t0 = tc_bench_now_ns();
	int rc = exec(b.db, "CREATE VIRTUAL TABLE d USING fts5(id UNINDEXED, title, body, "
	              "tokenize='unicode61 remove_diacritics 2'); BEGIN", &err);
	if (rc == 0 && sqlite3_prepare_v2(b.db, "INSERT INTO d(id, title, body) VALUES(?,?,?)",
	                                  -1, &b.ins, NULL) != SQLITE_OK)
		rc = sql_error(b.db, "prepare", &err);
	if (rc == 0)
		rc = tc_bench_corpus_each(argv + 2, (size_t)(argc - 2), insert_doc, &b, &tot, &err);
	sqlite3_finalize(b.ins);
	if (rc == 0)
		rc = exec(b.db, "COMMIT", &err);
	uint64_t t1 = tc_bench_now_ns();
	if (rc == 0) {
		printf("{\"engine\":\"fts5\",\"version\":\"SQLite %s\",\"docs\":%llu,"
		       "\"raw_bytes\":%llu,\"text_bytes\":%llu,\"build_s\":%.3f", sqlite3_libversion(),
		       (unsigned long long)tot.docs,
		       (unsigned long long)tot.raw_bytes, (unsigned long long)tot.text_bytes,
		       (double)(t1 - t0) / 1e9);
		print_sizes(b.db, path);
		printf("}\n");
	} else {
		fprintf(stderr, "fts5: %s\n", err.msg);
	}
	sqlite3_close(b.db);
	return rc == 0 ? 0 : 1;
}

static int cmd_optimize(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: fts5_driver optimize DB\n");
		return 2;
	}
	sqlite3 *db;
	tc_error err = {0};
	if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		fprintf(stderr, "fts5: %s: %s\n", argv[1], sqlite3_errmsg(db));
		sqlite3_close(db);
		return 1;
	}
	uint64_t t0 = tc_bench_now_ns();
	int rc = exec(db, "INSERT INTO d(d) VALUES('optimize'); VACUUM", &err);
	uint64_t t1 = tc_bench_now_ns();
	if (rc == 0) {
		printf("{\"engine\":\"fts5\",\"optimize_s\":%.3f", (double)(t1 - t0) / 1e9);
		print_sizes(db, argv[1]);
		printf("}\n");
	} else {
		fprintf(stderr, "fts5: %s\n", err.msg);
	}
	sqlite3_close(db);
	return rc == 0 ? 0 : 1;
}

/* ---- query ---------------------------------------------------------------------- */

typedef struct handle {
	sqlite3 *db;
	sqlite3_stmt *top, *count;
	tc_buf expr;                  /* the FTS5 expression being built */
} handle;

static void close_handle(void *p)
{
	handle *h = p;
	if (h == NULL)
		return;
	sqlite3_finalize(h->top);
	sqlite3_finalize(h->count);
	sqlite3_close(h->db);
	tc_buf_free(&h->expr);
	free(h);
}

static int open_handle(const char *index, void **out, tc_error *err)
{
	*out = NULL;
	handle *h = tc_calloc(1, sizeof *h);
	int rc = TC_OK;
	if (sqlite3_open_v2(index, &h->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK)
		rc = sql_error(h->db, index, err);
	if (rc == 0)
		rc = exec(h->db, "PRAGMA mmap_size=4294967296", err);
	if (rc == 0 &&
	    (sqlite3_prepare_v2(h->db, "SELECT id FROM d WHERE d MATCH ?1 ORDER BY rank LIMIT 10",
	                        -1, &h->top, NULL) != SQLITE_OK ||
	     sqlite3_prepare_v2(h->db, "SELECT count(*) FROM d WHERE d MATCH ?1", -1, &h->count,
	                        NULL) != SQLITE_OK))
		rc = sql_error(h->db, "prepare", err);
	if (rc < 0) {
		close_handle(h);
		return rc;
	}
	*out = h;
	return TC_OK;
}

/* Appends s as the inside of an FTS5 string: a double quote is doubled. */
static void put_fts5_string(tc_buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '"')
			tc_buf_putc(b, '"');
		tc_buf_putc(b, *s);
	}
}

/* Builds the FTS5 expression for q in h->expr; TC_BENCH_UNSUPPORTED if there is none. */
static int translate(handle *h, const tc_bench_query *q)
{
	tc_buf *b = &h->expr;
	tc_buf_clear(b);
	tc_buf_putc(b, '\0'); /* data is never NULL, even for an empty expression */
	tc_buf_clear(b);
	if (q->kind == TC_BQ_PHRASE) {
		tc_buf_putc(b, '"');
		for (size_t i = 0; i < q->nwords; i++) {
			if (i)
				tc_buf_putc(b, ' ');
			put_fts5_string(b, q->words[i].text);
		}
		tc_buf_putc(b, '"');
		return 0;
	}
	if (q->kind != TC_BQ_AND)
		return TC_BENCH_UNSUPPORTED;
	for (size_t i = 0; i < q->nwords; i++) {
		if (i)
			tc_buf_puts(b, " AND ");
		tc_buf_putc(b, '"');
		put_fts5_string(b, q->words[i].text);
		tc_buf_puts(b, q->words[i].prefix ? "\"*" : "\"");
	}
	return 0;
}

static int top10(void *p, const tc_bench_query *q, int *nres, tc_error *err)
{
	handle *h = p;
	*nres = 0;
	if (translate(h, q) != 0)
		return TC_BENCH_UNSUPPORTED;
	sqlite3_bind_text(h->top, 1, h->expr.data, (int)h->expr.len, SQLITE_STATIC);
	int rc;
	while ((rc = sqlite3_step(h->top)) == SQLITE_ROW) {
		(void)sqlite3_column_text(h->top, 0); /* the id, as a caller would read it */
		(*nres)++;
	}
	sqlite3_reset(h->top);
	if (rc != SQLITE_DONE)
		return tc_error_set(err, TC_EIO, "sqlite: MATCH '%s': %s", h->expr.data,
		                    sqlite3_errmsg(h->db));
	return 0;
}

static int count(void *p, const tc_bench_query *q, uint64_t *n, tc_error *err)
{
	handle *h = p;
	*n = 0;
	if (translate(h, q) != 0)
		return TC_BENCH_UNSUPPORTED;
	sqlite3_bind_text(h->count, 1, h->expr.data, (int)h->expr.len, SQLITE_STATIC);
	int rc = sqlite3_step(h->count);
	if (rc == SQLITE_ROW)
		*n = (uint64_t)sqlite3_column_int64(h->count, 0);
	sqlite3_reset(h->count);
	if (rc != SQLITE_ROW)
		return tc_error_set(err, TC_EIO, "sqlite: count '%s': %s", h->expr.data,
		                    sqlite3_errmsg(h->db));
	return 0;
}

static const tc_bench_engine fts5_engine = {
	.name = "fts5",
	.open = open_handle,
	.close = close_handle,
	.top10 = top10,
	.count = count,
};

int main(int argc, char **argv)
{
	/* SQLite's allocation statistics take a global mutex on every malloc, which
	 * serialises the query threads; nothing here reads them. */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	if (argc >= 2 && strcmp(argv[1], "build") == 0)
		return cmd_build(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "optimize") == 0)
		return cmd_optimize(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "query") == 0)
		return tc_bench_query_main(&fts5_engine, argc - 1, argv + 1);
	fprintf(stderr, "usage: fts5_driver build DB CORPUS... | optimize DB | "
	        "query DB QUERIES -o OUT.tsv [-t 1,2]\n");
	return 2;
}
