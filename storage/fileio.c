/*
 * fileio.c — the frame every index file shares, and the names of the files.
 *
 * Grammar (little-endian):
 *
 *   file    := header content footer
 *   header  := magic:byte[4] version:u32          magic names the file kind ("TCTD", ...)
 *   footer  := length:u64 checksum:u64            length = bytes before the footer
 *                                                 checksum = xxHash64 (seed 0) of every
 *                                                 byte before the checksum field
 *
 * Writers stream through a tc__wfile: a buffer, a running xxHash64 and a sticky error
 * (the first failure is kept; later writes do nothing), so a writer checks once, at
 * close. Readers map the whole file and check header and footer before anything else;
 * the checksum over the content is verified when asked (always for small files).
 */
#include "storage_int.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/mem.h"

#define WFILE_FLUSH (256u << 10)

void tc__seg_file_name(char out[TC_NAME_MAX], uint64_t seg_id, const char *ext)
{
	snprintf(out, TC_NAME_MAX, "%016" PRIx64 ".%s", seg_id, ext);
}

void tc__del_file_name(char out[TC_NAME_MAX], uint64_t seg_id, uint64_t gen)
{
	snprintf(out, TC_NAME_MAX, "%016" PRIx64 ".%016" PRIx64 ".del", seg_id, gen);
}

int tc__path(char out[TC_PATH_MAX], const char *dir, const char *name, tc_error *err)
{
	if ((size_t)snprintf(out, TC_PATH_MAX, "%s/%s", dir, name) >= TC_PATH_MAX)
		return tc_error_set(err, TC_EINVAL, "path too long: %s/%s", dir, name);
	return TC_OK;
}

/* ---- writing ---- */

static void wfile_fail(tc__wfile *f, int code, const char *what)
{
	if (f->rc == TC_OK) {
		f->rc = code;
		snprintf(f->msg, sizeof f->msg, "%s %.400s: %s", what, f->path, strerror(errno));
	}
}

/*
 * Each kind of file is versioned on its own: a change of one layout leaves the others
 * readable. Kinds not listed are at the common version.
 */
static uint32_t version_of(const char *magic)
{
	static const struct {
		const char *magic;
		uint32_t version;
	} kinds[] = {
		{TC_MAGIC_POSTINGS, TC_POSTINGS_VERSION},
		{TC_MAGIC_POSITIONS, TC_POSITIONS_VERSION},
		{TC_MAGIC_NUMERIC, TC_NUMERIC_VERSION},
		{TC_MAGIC_DOCSTORE, TC_DOCSTORE_VERSION},
		{TC_MAGIC_IDS, TC_IDS_VERSION},
		{TC_MAGIC_DICT, TC_DICT_VERSION},
	};
	for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
		if (memcmp(magic, kinds[i].magic, 4) == 0)
			return kinds[i].version;
	return TC_FORMAT_VERSION;
}

int tc__wfile_open(tc__wfile *f, const char *dir, const char *name, const char *magic,
                   tc_error *err)
{
	memset(f, 0, sizeof *f);
	f->fd = -1;
	TC_FORWARD(tc__path(f->path, dir, name, err));
	/* read and write: the postings writer reads lists back to share them (postings.c) */
	f->fd = open(f->path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (f->fd < 0)
		return tc_error_set(err, errno == ENOSPC ? TC_ENOSPC : TC_EIO, "create %s: %s",
		                    f->path, strerror(errno));
	tc_hash64_init(&f->hash);
	tc__wfile_put(f, magic, 4);
	tc__wfile_u32(f, version_of(magic));
	return TC_OK;
}

static void wfile_flush(tc__wfile *f)
{
	if (f->buf.len == 0 || f->rc != TC_OK)
		return;
	tc_error e = {0};
	int rc = tc_write_all(f->fd, f->buf.data, f->buf.len, f->path, &e);
	if (rc != TC_OK) {
		f->rc = rc;
		snprintf(f->msg, sizeof f->msg, "%s", e.msg);
	}
	f->buf.len = 0;
}

void tc__wfile_put(tc__wfile *f, const void *p, size_t n)
{
	if (f->rc != TC_OK || n == 0)
		return;
	tc_hash64_update(&f->hash, p, n);
	f->off += n;
	if (n >= WFILE_FLUSH) {
		wfile_flush(f);
		tc_error e = {0};
		int rc = tc_write_all(f->fd, p, n, f->path, &e);
		if (rc != TC_OK && f->rc == TC_OK) {
			f->rc = rc;
			snprintf(f->msg, sizeof f->msg, "%s", e.msg);
		}
		return;
	}
	tc_buf_append(&f->buf, p, n);
	if (f->buf.len >= WFILE_FLUSH)
		wfile_flush(f);
}

int tc__wfile_read(const tc__wfile *f, uint64_t off, void *dst, size_t n)
{
	if (f->rc != TC_OK || off > f->off || n > f->off - off)
		return -1;
	uint64_t on_disk = f->off - f->buf.len;  /* the buffer holds the bytes after these */
	unsigned char *d = dst;
	while (n > 0 && off < on_disk) {
		size_t want = on_disk - off < n ? (size_t)(on_disk - off) : n;
		ssize_t got = pread(f->fd, d, want, (off_t)off);
		if (got <= 0)
			return -1;
		d += got;
		off += (uint64_t)got;
		n -= (size_t)got;
	}
	if (n > 0)
		memcpy(d, f->buf.data + (off - on_disk), n);
	return 0;
}

void tc__wfile_u8(tc__wfile *f, unsigned v)
{
	unsigned char c = (unsigned char)v;
	tc__wfile_put(f, &c, 1);
}

void tc__wfile_u32(tc__wfile *f, uint32_t v)
{
	unsigned char b[4];
	tc__put_u32(b, v);
	tc__wfile_put(f, b, 4);
}

void tc__wfile_u64(tc__wfile *f, uint64_t v)
{
	unsigned char b[8];
	tc__put_u64(b, v);
	tc__wfile_put(f, b, 8);
}

void tc__wfile_f64(tc__wfile *f, double v)
{
	uint64_t u;
	memcpy(&u, &v, 8);
	tc__wfile_u64(f, u);
}

void tc__wfile_varint(tc__wfile *f, uint64_t v)
{
	unsigned char b[10];
	tc__wfile_put(f, b, tc_varint_put(b, v));
}

int tc__wfile_close(tc__wfile *f, tc_error *err)
{
	if (f->fd < 0)
		return tc_error_set(err, TC_EINVAL, "file already closed");
	uint64_t len = f->off;
	tc__wfile_u64(f, len);
	unsigned char sum[8];
	tc__put_u64(sum, tc_hash64_digest(&f->hash));
	if (f->rc == TC_OK) {
		tc_buf_append(&f->buf, sum, 8);
		f->off += 8;
	}
	wfile_flush(f);
	if (f->rc == TC_OK) {
		tc_error e = {0};
		if (tc_fsync_fd(f->fd, f->path, &e) != TC_OK) {
			f->rc = e.code;
			snprintf(f->msg, sizeof f->msg, "%s", e.msg);
		}
	}
	if (close(f->fd) != 0)
		wfile_fail(f, TC_EIO, "close");
	f->fd = -1;
	tc_buf_free(&f->buf);
	if (f->rc != TC_OK) {
		unlink(f->path);
		return tc_error_set(err, f->rc, "%s", f->msg);
	}
	return TC_OK;
}

void tc__wfile_abort(tc__wfile *f)
{
	if (f->fd >= 0) {
		close(f->fd);
		unlink(f->path);
	}
	f->fd = -1;
	tc_buf_free(&f->buf);
}

/* ---- reading ---- */

int tc__corrupt(tc_error *err, const tc__rfile *f, const void *at, const char *fmt, ...)
{
	char what[TC_ERROR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	size_t off = at && f->map.data ? (size_t)((const unsigned char *)at - f->map.data) : 0;
	return tc_error_set(err, TC_ECORRUPT, "%s: offset %zu: %s", f->name, off, what);
}

int tc__rfile_open(tc__rfile *f, const char *dir, const char *name, const char *magic,
                   int verify, tc_error *err)
{
	memset(f, 0, sizeof *f);
	snprintf(f->name, sizeof f->name, "%s", name);
	char path[TC_PATH_MAX];
	TC_FORWARD(tc__path(path, dir, name, err));
	TC_FORWARD(tc_map_file(path, &f->map, err));
	const unsigned char *d = f->map.data;
	size_t n = f->map.len;
	int rc = TC_OK;
	if (n < TC_FILE_HEADER + TC_FILE_FOOTER) {
		rc = tc__corrupt(err, f, d, "file too short (%zu bytes)", n);
	} else if (memcmp(d, magic, 4) != 0) {
		rc = tc__corrupt(err, f, d, "bad magic (not a %.4s file)", magic);
	} else if (tc__get_u32(d + 4) != version_of(magic)) {
		/* a damaged version field is damage, not a newer format */
		f->p = d + TC_FILE_HEADER;
		if (tc__get_u64(d + n - TC_FILE_FOOTER) != n - TC_FILE_FOOTER ||
		    tc__rfile_verify(f, NULL) != TC_OK)
			rc = tc__corrupt(err, f, d + 4, "bad format version %" PRIu32 " (checksum fails)",
			                 tc__get_u32(d + 4));
		else
			rc = tc_error_set(err, TC_EVERSION, "%s: format version %" PRIu32
			                  ", this build reads %" PRIu32 " (the index was written by "
			                  "another version of tracuu: rebuild it)", name,
			                  tc__get_u32(d + 4), version_of(magic));
	} else if (tc__get_u64(d + n - TC_FILE_FOOTER) != n - TC_FILE_FOOTER) {
		rc = tc__corrupt(err, f, d + n - TC_FILE_FOOTER,
		                 "footer says %" PRIu64 " bytes of content, file has %zu (truncated?)",
		                 tc__get_u64(d + n - TC_FILE_FOOTER), n - TC_FILE_FOOTER);
	}
	if (rc == TC_OK) {
		f->p = d + TC_FILE_HEADER;
		f->end = d + n - TC_FILE_FOOTER;
		if (verify)
			rc = tc__rfile_verify(f, err);
		f->verified = verify && rc == TC_OK;
	}
	if (rc != TC_OK)
		tc_map_free(&f->map);
	return rc;
}

int tc__rfile_verify(const tc__rfile *f, tc_error *err)
{
	size_t n = f->map.len;
	uint64_t want = tc__get_u64(f->map.data + n - 8);
	uint64_t got = tc_hash64(f->map.data, n - 8);
	if (want != got)
		return tc__corrupt(err, f, f->map.data + n - 8,
		                   "checksum mismatch (stored %016" PRIx64 ", computed %016" PRIx64 ")",
		                   want, got);
	return TC_OK;
}

void tc__rfile_close(tc__rfile *f)
{
	tc_map_free(&f->map);
	f->p = f->end = NULL;
}
