/*
 * source.c — records out of input files (see source.h).
 *
 * Bytes flow file -> raw buffer -> (zstd streaming decoder) -> decoded window -> line.
 * Only a window of each is held, so a .jsonl.zst of any size is read in constant memory
 * plus the longest line.
 */
#include "source.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "common/buf.h"
#include "common/mem.h"

#define RAW_CAP ((size_t)128 << 10)

struct tc_ix_source {
	char *name;            /* path as given */
	int kind;              /* enum tc_ix_source_kind */
	int fd;
	int own_fd;            /* close fd at the end (not stdin) */
	ZSTD_DCtx *dctx;       /* non-NULL when the input is zstd */
	size_t zret;           /* last ZSTD_decompressStream() hint: 0 = at a frame end */
	int last_full;         /* the decoder filled the window: it may hold more output */
	int raw_eof;           /* read() said end of file */
	int done;              /* no more records (end reached or a fatal error) */
	int skipping;          /* dropping an over-long line up to its newline */
	size_t max;            /* longest record accepted */
	unsigned char *raw;    /* bytes as read from the file */
	size_t raw_len, raw_pos;
	unsigned char *dec;    /* decoded bytes: == raw for plain input */
	size_t dec_cap, dec_len, dec_pos;
	tc_buf line;           /* the record being assembled */
	uint64_t lineno;       /* lines completed so far */
	uint64_t in_bytes, size, out_bytes;
};

static const unsigned char zstd_magic[4] = {0x28, 0xb5, 0x2f, 0xfd};

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Kind and compression from the file name; -1 when the name says neither. */
static int kind_of(const char *path, int *zst)
{
	static const char *jsonl[] = {".jsonl", ".ndjson", ".json"};
	*zst = 0;
	if (strcmp(path, "-") == 0)
		return TC_IX_JSONL;
	if (ends_with(path, ".txt"))
		return TC_IX_TEXT;
	for (size_t i = 0; i < sizeof jsonl / sizeof jsonl[0]; i++) {
		char zname[16];
		snprintf(zname, sizeof zname, "%s.zst", jsonl[i]);
		if (ends_with(path, zname)) {
			*zst = 1;
			return TC_IX_JSONL;
		}
		if (ends_with(path, jsonl[i]))
			return TC_IX_JSONL;
	}
	return -1;
}

static int use_zstd(tc_ix_source *s, tc_error *err)
{
	s->dctx = ZSTD_createDCtx();
	TC_RETURN_IF(!s->dctx, err, TC_ENOMEM, "%s: cannot create a zstd decoder", s->name);
	s->dec_cap = ZSTD_DStreamOutSize();
	s->dec = tc_malloc(s->dec_cap);
	return 0;
}

int tc_ix_source_open(const char *path, tc_ix_source **out, tc_error *err)
{
	*out = NULL;
	int zst;
	int kind = kind_of(path, &zst);
	TC_RETURN_IF(kind < 0, err, TC_EINVAL,
	             "%s: unknown input type (expected .jsonl, .jsonl.zst, .txt or - for stdin)",
	             path);
	int fd = 0, own = 0;
	if (strcmp(path, "-") != 0) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		TC_RETURN_IF(fd < 0, err, errno == ENOENT ? TC_ENOENT : TC_EIO, "%s: %s", path,
		             strerror(errno));
		own = 1;
	}
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		if (own)
			close(fd);
		return tc_error_set(err, TC_EINVAL, "%s: is a directory", path);
	}
	tc_ix_source *s = tc_calloc(1, sizeof *s);
	s->name = tc_strdup(path);
	s->kind = kind;
	s->max = TC_IX_LINE_MAX;
	s->fd = fd;
	s->own_fd = own;
	s->size = S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
	s->raw = tc_malloc(RAW_CAP);
	if (!own) {
		/* stdin may be compressed: look at its first bytes */
		ssize_t n;
		do
			n = read(fd, s->raw, RAW_CAP);
		while (n < 0 && errno == EINTR);
		if (n < 0) {
			int e = errno;
			tc_ix_source_free(s);
			return tc_error_set(err, TC_EIO, "%s: %s", path, strerror(e));
		}
		s->raw_len = (size_t)n;
		s->in_bytes = (uint64_t)n;
		s->raw_eof = n == 0;
		zst = n >= 4 && memcmp(s->raw, zstd_magic, 4) == 0;
	}
	if (zst) {
		int rc = use_zstd(s, err);
		if (rc < 0) {
			tc_ix_source_free(s);
			return rc;
		}
	}
	*out = s;
	return 0;
}

/* Refills raw[]. Returns bytes read, 0 at end of file, or a negative code. */
static int read_raw(tc_ix_source *s, tc_error *err)
{
	ssize_t n;
	do
		n = read(s->fd, s->raw, RAW_CAP);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return tc_error_set(err, TC_EIO, "%s:%llu: read error: %s", s->name,
		                    (unsigned long long)s->lineno + 1, strerror(errno));
	s->raw_len = (size_t)n;
	s->raw_pos = 0;
	s->in_bytes += (uint64_t)n;
	if (n == 0)
		s->raw_eof = 1;
	return (int)n;
}

/* Makes decoded bytes available in dec[dec_pos..dec_len). Returns 1, 0 at the end, or <0. */
static int fill_zstd(tc_ix_source *s, tc_error *err)
{
	for (;;) {
		if (s->raw_pos == s->raw_len && !s->last_full) {
			if (s->raw_eof) {
				TC_RETURN_IF(s->zret != 0, err, TC_ECORRUPT,
				             "%s:%llu: zstd stream is truncated; the rest of the file is lost",
				             s->name, (unsigned long long)s->lineno + 1);
				return 0;
			}
			int r = read_raw(s, err);
			if (r < 0)
				return r;
			continue;
		}
		ZSTD_inBuffer ib = {s->raw, s->raw_len, s->raw_pos};
		ZSTD_outBuffer ob = {s->dec, s->dec_cap, 0};
		size_t z = ZSTD_decompressStream(s->dctx, &ob, &ib);
		s->raw_pos = ib.pos;
		TC_RETURN_IF(ZSTD_isError(z), err, TC_ECORRUPT,
		             "%s:%llu: corrupt zstd data (%s); the rest of the file is lost", s->name,
		             (unsigned long long)s->lineno + 1, ZSTD_getErrorName(z));
		s->zret = z;
		s->last_full = ob.pos == ob.size;
		if (ob.pos > 0) {
			s->dec_len = ob.pos;
			s->dec_pos = 0;
			return 1;
		}
	}
}

static int fill(tc_ix_source *s, tc_error *err)
{
	if (s->dctx)
		return fill_zstd(s, err);
	if (s->raw_pos == s->raw_len) {
		if (s->raw_eof)
			return 0;
		int r = read_raw(s, err);
		if (r <= 0)
			return r;
	}
	/* plain input: the decoded window is the raw buffer itself */
	s->dec = s->raw;
	s->dec_len = s->raw_len;
	s->dec_pos = s->raw_pos;
	s->raw_pos = s->raw_len;
	return 1;
}

static int is_blank(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
			return 0;
	return 1;
}

static void take(tc_ix_source *s, const unsigned char *p, size_t n)
{
	if (s->skipping)
		return;
	if (s->line.len + n > s->max) {
		s->skipping = 1;
		tc_buf_clear(&s->line);
		return;
	}
	tc_buf_append(&s->line, p, n);
}

static int fail(tc_ix_source *s, int rc)
{
	s->done = 1;
	tc_buf_clear(&s->line);
	return rc;
}

static int next_text(tc_ix_source *s, tc_ix_record *rec, tc_error *err)
{
	for (;;) {
		if (s->dec_pos == s->dec_len) {
			int r = fill(s, err);
			if (r < 0)
				return fail(s, r);
			if (r == 0)
				break;
		}
		take(s, s->dec + s->dec_pos, s->dec_len - s->dec_pos);
		s->dec_pos = s->dec_len;
		if (s->skipping)
			return fail(s, tc_error_set(err, TC_ELIMIT, "%s:1: file is larger than %zu bytes",
			                            s->name, s->max));
	}
	s->done = 1;
	s->lineno = 1;
	rec->data = s->line.data ? s->line.data : "";
	rec->len = s->line.len;
	rec->line = 1;
	s->out_bytes += s->line.len;
	return 1;
}

/* The line in s->line is complete: hand it out unless it is blank or was too long. */
static int finish_line(tc_ix_source *s, tc_ix_record *rec, tc_error *err)
{
	s->lineno++;
	if (s->skipping) {
		s->skipping = 0;
		return tc_error_set(err, TC_ELIMIT, "%s:%llu: line longer than %zu bytes; skipped",
		                    s->name, (unsigned long long)s->lineno, s->max);
	}
	size_t n = s->line.len;
	if (n && s->line.data[n - 1] == '\r')
		n--;
	if (is_blank(s->line.data, n)) {
		tc_buf_clear(&s->line);
		return 0;
	}
	s->line.len = n;
	s->line.data[n] = '\0';
	rec->data = s->line.data;
	rec->len = n;
	rec->line = s->lineno;
	s->out_bytes += n + 1;
	return 1;
}

int tc_ix_source_next(tc_ix_source *s, tc_ix_record *rec, tc_error *err)
{
	if (s->done)
		return 0;
	if (s->kind == TC_IX_TEXT)
		return next_text(s, rec, err);
	tc_buf_clear(&s->line);
	for (;;) {
		if (s->dec_pos == s->dec_len) {
			int r = fill(s, err);
			if (r < 0)
				return fail(s, r);
			if (r == 0) {
				s->done = 1;
				if (s->line.len == 0 && !s->skipping)
					return 0;
				/* a last line without a newline */
				r = finish_line(s, rec, err);
				return r == 0 ? 0 : r;
			}
		}
		const unsigned char *p = s->dec + s->dec_pos;
		size_t avail = s->dec_len - s->dec_pos;
		const unsigned char *nl = memchr(p, '\n', avail);
		if (!nl) {
			take(s, p, avail);
			s->dec_pos = s->dec_len;
			continue;
		}
		take(s, p, (size_t)(nl - p));
		s->dec_pos += (size_t)(nl - p) + 1;
		int r = finish_line(s, rec, err);
		if (r != 0)
			return r;
	}
}

void tc_ix_source_set_max_record(tc_ix_source *s, size_t max)
{
	s->max = max;
}

const char *tc_ix_source_name(const tc_ix_source *s)
{
	return s->name;
}

int tc_ix_source_kind(const tc_ix_source *s)
{
	return s->kind;
}

uint64_t tc_ix_source_in_bytes(const tc_ix_source *s)
{
	return s->in_bytes;
}

uint64_t tc_ix_source_size(const tc_ix_source *s)
{
	return s->size;
}

uint64_t tc_ix_source_out_bytes(const tc_ix_source *s)
{
	return s->out_bytes;
}

void tc_ix_source_free(tc_ix_source *s)
{
	if (!s)
		return;
	if (s->own_fd)
		close(s->fd);
	if (s->dctx) {
		ZSTD_freeDCtx(s->dctx);
		free(s->dec);
	}
	free(s->raw);
	free(s->name);
	tc_buf_free(&s->line);
	free(s);
}

void tc_ix_source_text_id(const char *path, tc_buf *out)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	const char *dot = strrchr(base, '.');
	size_t n = dot && dot != base ? (size_t)(dot - base) : strlen(base);
	tc_buf_append(out, base, n);
}
