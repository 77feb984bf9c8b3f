/*
 * fuzz_segment.c — the segment readers on damaged index files.
 *
 * An index directory is data a reader cannot trust: a torn copy, a bad disk, a file
 * edited by hand. init builds one small index (two commits: 140 generated documents with
 * quantities and dates, then a few more, a replacement and a delete, so there are two
 * segments and a .del file; some terms span two postings blocks) and keeps the bytes of
 * every file. Each input damages one file, then opens the snapshot without and with
 * TC_SNAP_VERIFY, runs searches of every kind (term, phrase, prefix, field, quantity,
 * date), walks every term's postings and positions, and runs tc_index_check. Any return
 * code is fine; a crash, a leak or a sanitizer report is not. Two things must hold
 * besides: an undamaged index opens, searches and checks clean; a damaged file is
 * refused by TC_SNAP_VERIFY and reported by tc_index_check (every file has a checksum).
 * The file is restored after each input.
 *
 * Input: byte 0 picks the file (modulo the number of files), byte 1 the mode, then
 * records of 4 bytes: a 24-bit little-endian offset (modulo the file size) and a byte.
 *   mode & 1   the byte is XORed in rather than written
 *   mode & 2   the file is then cut at the offset of the first record
 * At most 64 records are applied.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/mem.h"
#include "indexer/indexer.h"
#include "query/search.h"
#include "storage/storage.h"
#include "tests/fuzz/fuzz.h"

#define NDOCS 140
#define MAX_RECORDS 64

typedef struct ixfile {
	char *name;
	unsigned char *data;
	size_t len;
} ixfile;

static char dir[256];
static ixfile *files;
static size_t nfiles;

static const char *const queries[] = {
	"ndxp",
	"giao dịch",
	"\"dịch vụ công trực tuyến\"",
	"cải*",
	"> 1 tỷ giao dịch",
	"ndxp > 1 tỷ giao dịch",
	"date >= 2023-06-10",
	"title:báo cáo -ndxp",
	"hồ sơ OR tài khoản",
	"< 50%",
};

static int add_doc(tc_indexer *ix, const char *json)
{
	tc_error err = {0};
	return tc_indexer_add_json(ix, "fuzz", json, strlen(json), &err);
}

static int build_index(void)
{
	tc_error err = {0};
	tc_indexer *ix;
	char json[1024];
	int rc = tc_indexer_open(dir, NULL, &ix, &err);
	for (int i = 0; rc == TC_OK && i < NDOCS; i++) {
		snprintf(json, sizeof json,
		         "{\"id\":\"d%03d\",\"title\":\"Báo cáo số %d\",\"date\":\"2023-06-%02d\","
		         "\"body\":\"Nền tảng NDXP đạt hơn %d,%d tỷ giao dịch ngày %d/6/2023, "
		         "tăng %d,%02d%% so với năm 2022. Cải cách hành chính và dịch vụ công "
		         "trực tuyến: %d hồ sơ, %d.%03d tài khoản.\"}",
		         i, i, i % 28 + 1, i % 5, i % 10, i % 28 + 1, i % 60, i, i * 7, i + 1, i);
		rc = add_doc(ix, json);
	}
	if (rc == TC_OK)
		rc = tc_indexer_commit(ix, &err);
	static const char *const more[] = {
		"{\"id\":\"d010\",\"title\":\"Thông báo\",\"body\":\"Cải tạo trụ sở, kinh phí "
		"khoảng 2,39 nghìn tỷ đồng, hoàn thành tháng 6/2023.\"}",
		"{\"id\":\"x1\",\"title\":\"Covid-19\",\"source\":\"vnexpress\","
		"\"body\":\"Nghị định 13/2023/NĐ-CP về bảo vệ dữ liệu cá nhân, "
		"hiệu lực từ 1/7/2023.\"}",
		"{\"id\":\"x2\",\"title\":\"eCabinet\",\"body\":\"Hệ thống eCabinet phục vụ 63 địa "
		"phương, dưới 50% giấy tờ.\",\"lang\":\"en\"}",
	};
	for (size_t i = 0; rc == TC_OK && i < sizeof more / sizeof *more; i++)
		rc = add_doc(ix, more[i]);
	if (rc == TC_OK)
		rc = tc_indexer_delete(ix, "d007", 4, &err);
	if (rc == TC_OK)
		rc = tc_indexer_commit(ix, &err);
	tc_indexer_free(ix);
	if (rc != TC_OK)
		fprintf(stderr, "fuzz_segment: cannot build the index: %s\n", err.msg);
	return rc;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const ixfile *)a)->name, ((const ixfile *)b)->name);
}

static char *file_path(const char *name)
{
	char *p = tc_malloc(strlen(dir) + strlen(name) + 2);
	sprintf(p, "%s/%s", dir, name);
	return p;
}

static int write_file(const char *name, const unsigned char *data, size_t len)
{
	char *path = file_path(name);
	int fd = open(path, O_WRONLY | O_TRUNC | O_CREAT, 0644);
	free(path);
	if (fd < 0)
		return -1;
	size_t off = 0;
	while (off < len) {
		ssize_t k = write(fd, data + off, len - off);
		if (k <= 0)
			break;
		off += (size_t)k;
	}
	return close(fd) == 0 && off == len ? 0 : -1;
}

static unsigned char *read_all(const char *name, size_t *len)
{
	char *path = file_path(name);
	FILE *f = fopen(path, "rb");
	free(path);
	if (f == NULL)
		return NULL;
	tc_buf b = {0};
	char chunk[4096];
	size_t k;
	while ((k = fread(chunk, 1, sizeof chunk, f)) > 0)
		tc_buf_append(&b, chunk, k);
	fclose(f);
	*len = b.len;
	return (unsigned char *)b.data;
}

/* Every file of the index but the lock, sorted by name so byte 0 picks the same one. */
static int load_files(void)
{
	DIR *d = opendir(dir);
	if (d == NULL)
		return -1;
	size_t cap = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || strcmp(e->d_name, "LOCK") == 0)
			continue;
		files = tc_grow(files, &cap, nfiles + 1, sizeof *files);
		ixfile *f = &files[nfiles++];
		f->name = tc_strdup(e->d_name);
		f->data = read_all(f->name, &f->len);
		if (f->data == NULL) {
			closedir(d);
			return -1;
		}
	}
	closedir(d);
	qsort(files, nfiles, sizeof *files, by_name);
	return nfiles > 0 ? 0 : -1;
}

static void segment_fini(void)
{
	for (size_t i = 0; i < nfiles; i++) {
		free(files[i].name);
		free(files[i].data);
	}
	free(files);
	files = NULL;
	nfiles = 0;
	if (dir[0] == '\0')
		return;
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d != NULL && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		char *p = file_path(e->d_name);
		unlink(p);
		free(p);
	}
	if (d != NULL)
		closedir(d);
	rmdir(dir);
	dir[0] = '\0';
}

static int segment_init(void)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, sizeof dir, "%.200s/tracuu-fuzz-segment-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		dir[0] = '\0';
		return -1;
	}
	if (build_index() != TC_OK || load_files() != 0) {
		segment_fini();
		return -1;
	}
	return 0;
}

/* Every term of every segment: its postings, freqs and positions, to the end. */
static void walk_postings(const tc_snapshot *snap)
{
	for (size_t i = 0; i < tc_snapshot_nsegments(snap); i++) {
		const tc_segment *seg = tc_snapshot_segment(snap, i);
		tc_termit *it;
		const unsigned char *key;
		size_t klen;
		tc_term_info ti;
		if (tc_termit_open(seg, "", 0, &it, NULL) != TC_OK)
			continue;
		while (tc_termit_next(it, &key, &klen, &ti, NULL) == 1) {
			tc_postings *p;
			if (tc_postings_open(seg, &ti, &p, NULL) != TC_OK)
				continue;
			for (uint32_t d = tc_postings_next(p); d != TC_DOC_END;
			     d = tc_postings_next(p)) {
				const uint32_t *pos;
				uint32_t n;
				TC_FUZZ_ASSERT(tc_postings_freq(p) >= 1);
				if (ti.has_pos && tc_postings_positions(p, &pos, &n, NULL) == TC_OK)
					TC_FUZZ_ASSERT(n == tc_postings_freq(p));
			}
			tc_postings_free(p);
		}
		tc_termit_free(it);
	}
}

/* Opens the index with flags and runs everything; returns the open's code. */
static int exercise(unsigned flags, int intact)
{
	tc_snapshot *snap;
	tc_error err = {0};
	int rc = tc_snapshot_open(dir, flags, &snap, &err);
	TC_FUZZ_ASSERT(!intact || rc == TC_OK);
	if (rc != TC_OK)
		return rc;
	tc_searcher *s;
	TC_FUZZ_ASSERT(tc_searcher_from_snapshot(snap, &s, &err) == TC_OK);
	tc_search_opts o;
	tc_search_opts_init(&o);
	o.k = 5;
	tc_search_result res = {0};
	for (size_t i = 0; i < sizeof queries / sizeof *queries; i++) {
		o.strict = i == 1;
		tc_error_clear(&err);
		size_t qlen = strlen(queries[i]);
		int qrc = tc_searcher_search(s, queries[i], qlen, &o, 120, &res, &err);
		TC_FUZZ_ASSERT(!intact || (qrc == TC_OK && (i > 0 || res.total > 0)));
		if (qrc == TC_OK)
			TC_FUZZ_ASSERT(res.n <= o.k && res.n <= res.total);
	}
	tc_search_result_free(&res);
	walk_postings(snap);
	tc_searcher_free(s);
	tc_snapshot_release(snap);
	return rc;
}

/* Applies the input's damage to a copy of f; returns the new length. */
static size_t damage(const ixfile *f, const uint8_t *data, size_t size, unsigned char *out)
{
	unsigned mode = size > 1 ? data[1] : 0;
	size_t len = f->len, cut = f->len;
	memcpy(out, f->data, f->len);
	size_t nrec = size > 2 ? (size - 2) / 4 : 0;
	if (nrec > MAX_RECORDS)
		nrec = MAX_RECORDS;
	for (size_t r = 0; r < nrec && len > 0; r++) {
		const uint8_t *p = data + 2 + 4 * r;
		size_t off = ((size_t)p[0] | (size_t)p[1] << 8 | (size_t)p[2] << 16) % len;
		out[off] = (mode & 1) ? out[off] ^ p[3] : p[3];
		if (r == 0)
			cut = off;
	}
	return (mode & 2) ? cut : len;
}

static void segment_one(const uint8_t *data, size_t size)
{
	if (nfiles == 0)
		return;
	const ixfile *f = &files[size > 0 ? data[0] % nfiles : 0];
	unsigned char *bad = tc_malloc(f->len + 1);
	size_t len = damage(f, data, size, bad);
	int intact = len == f->len && memcmp(bad, f->data, len) == 0;
	TC_FUZZ_ASSERT(write_file(f->name, bad, len) == 0);

	exercise(0, intact);
	int vrc = exercise(TC_SNAP_VERIFY, intact);
	TC_FUZZ_ASSERT(intact || vrc != TC_OK);
	tc_buf report = {0};
	tc_error err = {0};
	int crc = tc_index_check(dir, &report, &err);
	TC_FUZZ_ASSERT(intact ? crc == TC_OK : crc != TC_OK);
	tc_buf_free(&report);

	TC_FUZZ_ASSERT(write_file(f->name, f->data, f->len) == 0);
	free(bad);
}

const tc_fuzz_target tc_fuzz_segment = {"segment", segment_init, segment_one, segment_fini};
