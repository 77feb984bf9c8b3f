/*
 * manifest.c — the commit point of an index, the writer lock, delete bitsets and the
 * garbage collection of files no commit names any more.
 *
 * MANIFEST grammar (file frame of fileio.c, magic "TCMF"; integers little-endian):
 *
 *   content   := generation:u64 next_seg_id:u64 next_del_gen:u64
 *                nfields:varint  field{nfields}
 *                nsegs:varint    seg{nsegs}
 *   field     := len:varint (1..255) name:byte[len]         field id = its index
 *   seg       := id:u64 ndocs:u32 ndeleted:u32 del_gen:u64   del_gen 0 = no .del file
 *
 * <seg>.<gen>.del grammar (magic "TCDL"):
 *
 *   content   := seg_id:u64 gen:u64 ndocs:u32 ndeleted:u32 bits:byte[(ndocs + 7) / 8]
 *                bit d = bits[d / 8] >> (d % 8) & 1; set = doc d deleted; the bits
 *                past ndocs are 0 and ndeleted is the number of set bits
 *
 * A commit writes MANIFEST.tmp, fsyncs it, renames it over MANIFEST and fsyncs the
 * directory (tc_write_atomic), so a crash leaves the old or the new commit, whole.
 */
#include "storage_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "common/mem.h"

#define MANIFEST_NAME "MANIFEST"
#define LOCK_NAME "LOCK"
#define MAX_FIELD_NAME 255

/* ---- the manifest as a value ---- */

void tc_manifest_free(tc_manifest *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->nfields; i++)
		free(m->fields[i]);
	free(m->fields);
	free(m->segs);
	memset(m, 0, sizeof *m);
}

void tc_manifest_copy(tc_manifest *dst, const tc_manifest *src)
{
	*dst = *src;
	dst->fields = tc_malloc((src->nfields ? src->nfields : 1) * sizeof *dst->fields);
	for (size_t i = 0; i < src->nfields; i++)
		dst->fields[i] = tc_strdup(src->fields[i]);
	dst->segs_cap = src->nsegs;
	dst->segs = tc_malloc((src->nsegs ? src->nsegs : 1) * sizeof *dst->segs);
	if (src->nsegs)
		memcpy(dst->segs, src->segs, src->nsegs * sizeof *dst->segs);
}

uint64_t tc_manifest_new_seg_id(tc_manifest *m)
{
	return m->next_seg_id++;
}

uint64_t tc_manifest_new_del_gen(tc_manifest *m)
{
	if (m->next_del_gen == 0)
		m->next_del_gen = 1;
	return m->next_del_gen++;
}

void tc_manifest_add_seg(tc_manifest *m, uint64_t id, uint32_t ndocs)
{
	m->segs = tc_grow(m->segs, &m->segs_cap, m->nsegs + 1, sizeof *m->segs);
	m->segs[m->nsegs++] = (tc_manifest_seg){.id = id, .ndocs = ndocs};
}

long tc_manifest_find_seg(const tc_manifest *m, uint64_t id)
{
	for (size_t i = 0; i < m->nsegs; i++)
		if (m->segs[i].id == id)
			return (long)i;
	return -1;
}

void tc_manifest_remove_seg(tc_manifest *m, size_t i)
{
	if (i >= m->nsegs)
		return;
	memmove(m->segs + i, m->segs + i + 1, (m->nsegs - i - 1) * sizeof *m->segs);
	m->nsegs--;
}

int tc_manifest_field_id(const tc_manifest *m, const char *name)
{
	for (size_t i = 0; i < m->nfields; i++)
		if (strcmp(m->fields[i], name) == 0)
			return (int)i;
	return -1;
}

int tc_manifest_field_add(tc_manifest *m, const char *name, tc_error *err)
{
	int id = tc_manifest_field_id(m, name);
	if (id >= 0)
		return id;
	size_t len = strlen(name);
	TC_RETURN_IF(len == 0 || len > MAX_FIELD_NAME, err, TC_EINVAL,
	             "field name must have 1..%d bytes", MAX_FIELD_NAME);
	TC_RETURN_IF(m->nfields >= TC_MAX_FIELDS, err, TC_ELIMIT,
	             "more than %d fields (adding '%s')", TC_MAX_FIELDS, name);
	m->fields = tc_realloc(m->fields, (m->nfields + 1) * sizeof *m->fields);
	m->fields[m->nfields] = tc_strdup(name);
	return (int)m->nfields++;
}

/* ---- serialisation ---- */

static int manifest_check(const tc_manifest *m, tc_error *err)
{
	TC_RETURN_IF(m->nfields > TC_MAX_FIELDS, err, TC_EINVAL, "manifest: %zu fields",
	             m->nfields);
	for (size_t i = 0; i < m->nfields; i++) {
		size_t len = m->fields[i] ? strlen(m->fields[i]) : 0;
		TC_RETURN_IF(len == 0 || len > MAX_FIELD_NAME, err, TC_EINVAL,
		             "manifest: field %zu has a bad name", i);
		for (size_t j = 0; j < i; j++)
			TC_RETURN_IF(strcmp(m->fields[i], m->fields[j]) == 0, err, TC_EINVAL,
			             "manifest: field '%s' twice", m->fields[i]);
	}
	for (size_t i = 0; i < m->nsegs; i++) {
		const tc_manifest_seg *s = &m->segs[i];
		TC_RETURN_IF(s->id >= m->next_seg_id, err, TC_EINVAL,
		             "manifest: segment %016" PRIx64 " not below next_seg_id %" PRIu64,
		             s->id, m->next_seg_id);
		TC_RETURN_IF(s->ndeleted > s->ndocs || (s->del_gen == 0 && s->ndeleted != 0), err,
		             TC_EINVAL, "manifest: segment %016" PRIx64 ": %" PRIu32
		             " deleted of %" PRIu32 " docs, delete generation %" PRIu64,
		             s->id, s->ndeleted, s->ndocs, s->del_gen);
		TC_RETURN_IF(s->del_gen != 0 && s->del_gen >= m->next_del_gen, err, TC_EINVAL,
		             "manifest: segment %016" PRIx64 ": delete generation %" PRIu64
		             " not below next_del_gen %" PRIu64, s->id, s->del_gen, m->next_del_gen);
		for (size_t j = 0; j < i; j++)
			TC_RETURN_IF(m->segs[j].id == s->id, err, TC_EINVAL,
			             "manifest: segment %016" PRIx64 " twice", s->id);
	}
	return TC_OK;
}

static void put_u64(tc_buf *b, uint64_t v)
{
	tc_buf_put_u64le(b, v);
}

static void manifest_encode(const tc_manifest *m, uint64_t generation, tc_buf *b)
{
	tc_buf_append(b, TC_MAGIC_MANIFEST, 4);
	tc_buf_put_u32le(b, TC_FORMAT_VERSION);
	put_u64(b, generation);
	put_u64(b, m->next_seg_id);
	put_u64(b, m->next_del_gen);
	tc_buf_put_varint(b, m->nfields);
	for (size_t i = 0; i < m->nfields; i++) {
		size_t len = strlen(m->fields[i]);
		tc_buf_put_varint(b, len);
		tc_buf_append(b, m->fields[i], len);
	}
	tc_buf_put_varint(b, m->nsegs);
	for (size_t i = 0; i < m->nsegs; i++) {
		put_u64(b, m->segs[i].id);
		tc_buf_put_u32le(b, m->segs[i].ndocs);
		tc_buf_put_u32le(b, m->segs[i].ndeleted);
		put_u64(b, m->segs[i].del_gen);
	}
	put_u64(b, b->len);
	put_u64(b, tc_hash64(b->data, b->len));
}

int tc_manifest_commit(const char *dir, tc_manifest *m, tc_error *err)
{
	TC_FORWARD(manifest_check(m, err));
	tc_buf b = {0};
	manifest_encode(m, m->generation + 1, &b);
	int rc = tc_write_atomic(dir, MANIFEST_NAME, b.data, b.len, err);
	tc_buf_free(&b);
	if (rc == TC_OK)
		m->generation++;
	return rc;
}

/* Reads a varint that must fit below limit; sets TC_ECORRUPT otherwise. */
static int get_varint(const tc__rfile *f, const unsigned char **p, uint64_t limit,
                      uint64_t *out, const char *what, tc_error *err)
{
	const unsigned char *at = *p;
	if (tc_varint_get(p, f->end, out) != 0)
		return tc__corrupt(err, f, at, "truncated %s", what);
	if (*out > limit)
		return tc__corrupt(err, f, at, "%s %" PRIu64 " out of range (max %" PRIu64 ")",
		                   what, *out, limit);
	return TC_OK;
}

static int manifest_decode(const tc__rfile *f, tc_manifest *m, tc_error *err)
{
	const unsigned char *p = f->p;
	if (f->end - p < 24)
		return tc__corrupt(err, f, p, "truncated manifest header");
	m->generation = tc__get_u64(p);
	m->next_seg_id = tc__get_u64(p + 8);
	m->next_del_gen = tc__get_u64(p + 16);
	p += 24;
	uint64_t n, len;
	TC_FORWARD(get_varint(f, &p, TC_MAX_FIELDS, &n, "field count", err));
	m->fields = tc_calloc(n ? n : 1, sizeof *m->fields);
	for (; m->nfields < n; m->nfields++) {
		TC_FORWARD(get_varint(f, &p, MAX_FIELD_NAME, &len, "field name length", err));
		if (len == 0 || (size_t)(f->end - p) < len)
			return tc__corrupt(err, f, p, "bad field name of %" PRIu64 " bytes", len);
		m->fields[m->nfields] = tc_strndup((const char *)p, len);
		p += len;
	}
	TC_FORWARD(get_varint(f, &p, UINT32_MAX, &n, "segment count", err));
	if (n > (uint64_t)(f->end - p) / 24)
		return tc__corrupt(err, f, p, "%" PRIu64 " segments do not fit in the file", n);
	m->segs = tc_calloc(n ? n : 1, sizeof *m->segs);
	m->segs_cap = n;
	for (; m->nsegs < n; m->nsegs++, p += 24) {
		tc_manifest_seg *s = &m->segs[m->nsegs];
		s->id = tc__get_u64(p);
		s->ndocs = tc__get_u32(p + 8);
		s->ndeleted = tc__get_u32(p + 12);
		s->del_gen = tc__get_u64(p + 16);
	}
	if (p != f->end)
		return tc__corrupt(err, f, p, "%zu stray bytes after the segments",
		                   (size_t)(f->end - p));
	tc_error e = {0};
	if (manifest_check(m, &e) != TC_OK)
		return tc__corrupt(err, f, f->p, "inconsistent: %s", e.msg);
	return TC_OK;
}

int tc_manifest_read(const char *dir, tc_manifest *m, tc_error *err)
{
	memset(m, 0, sizeof *m);
	tc__rfile f;
	TC_FORWARD(tc__rfile_open(&f, dir, MANIFEST_NAME, TC_MAGIC_MANIFEST, 1, err));
	int rc = manifest_decode(&f, m, err);
	tc__rfile_close(&f);
	if (rc != TC_OK)
		tc_manifest_free(m);
	return rc;
}

/* ---- lock ---- */

int tc_index_lock(const char *dir, int *fd_out, tc_error *err)
{
	*fd_out = -1;
	TC_FORWARD(tc_mkdir_p(dir, err));
	char path[TC_PATH_MAX];
	TC_FORWARD(tc__path(path, dir, LOCK_NAME, err));
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0)
		return tc_error_set(err, TC_EIO, "open %s: %s", path, strerror(errno));
	while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno == EINTR)
			continue;
		int e = errno;
		close(fd);
		if (e == EWOULDBLOCK)
			return tc_error_set(err, TC_ELOCKED, "%s is locked by another writer", dir);
		return tc_error_set(err, TC_EIO, "lock %s: %s", path, strerror(e));
	}
	*fd_out = fd;
	return TC_OK;
}

void tc_index_unlock(int fd)
{
	if (fd >= 0)
		close(fd);  /* closing the only descriptor releases the flock */
}

/* ---- delete bitsets ---- */

static uint32_t count_bits(const uint8_t *bits, uint32_t ndocs)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < ndocs / 8; i++)
		n += (uint32_t)__builtin_popcount(bits[i]);
	for (uint32_t d = ndocs / 8 * 8; d < ndocs; d++)
		n += bits[d >> 3] >> (d & 7) & 1;
	return n;
}

int tc_del_write(const char *dir, uint64_t seg_id, uint64_t gen, const uint8_t *bits,
                 uint32_t ndocs, uint32_t *ndeleted_out, tc_error *err)
{
	TC_RETURN_IF(gen == 0, err, TC_EINVAL, "delete generation 0 is reserved");
	size_t nbytes = ((size_t)ndocs + 7) / 8;
	uint32_t ndel = count_bits(bits, ndocs);
	tc_buf b = {0};
	tc_buf_append(&b, TC_MAGIC_DELETES, 4);
	tc_buf_put_u32le(&b, TC_FORMAT_VERSION);
	tc_buf_put_u64le(&b, seg_id);
	tc_buf_put_u64le(&b, gen);
	tc_buf_put_u32le(&b, ndocs);
	tc_buf_put_u32le(&b, ndel);
	tc_buf_append(&b, bits, nbytes);
	if (ndocs % 8)
		b.data[b.len - 1] &= (char)((1u << (ndocs % 8)) - 1);  /* bits past ndocs are 0 */
	tc_buf_put_u64le(&b, b.len);
	tc_buf_put_u64le(&b, tc_hash64(b.data, b.len));
	char name[TC_NAME_MAX];
	tc__del_file_name(name, seg_id, gen);
	int rc = tc_write_atomic(dir, name, b.data, b.len, err);
	tc_buf_free(&b);
	if (rc == TC_OK && ndeleted_out)
		*ndeleted_out = ndel;
	return rc;
}

int tc__del_parse(const tc__rfile *f, uint64_t seg_id, uint64_t gen, uint32_t ndocs,
                  const uint8_t **bits, uint32_t *ndeleted, tc_error *err)
{
	const unsigned char *p = f->p;
	size_t nbytes = ((size_t)ndocs + 7) / 8;
	if ((size_t)(f->end - p) != 24 + nbytes)
		return tc__corrupt(err, f, p, "%zu bytes of content, expected %zu for %" PRIu32
		                   " docs", (size_t)(f->end - p), 24 + nbytes, ndocs);
	if (tc__get_u64(p) != seg_id || tc__get_u64(p + 8) != gen)
		return tc__corrupt(err, f, p, "names segment %016" PRIx64 " generation %" PRIu64,
		                   tc__get_u64(p), tc__get_u64(p + 8));
	if (tc__get_u32(p + 16) != ndocs)
		return tc__corrupt(err, f, p + 16, "%" PRIu32 " docs, the segment has %" PRIu32,
		                   tc__get_u32(p + 16), ndocs);
	*bits = p + 24;
	uint32_t n = count_bits(*bits, ndocs);
	if (n != tc__get_u32(p + 20) || (ndocs % 8 && (*bits)[nbytes - 1] >> (ndocs % 8)))
		return tc__corrupt(err, f, p + 20, "deleted count %" PRIu32 " does not match the bits",
		                   tc__get_u32(p + 20));
	*ndeleted = n;
	return TC_OK;
}

int tc_del_read(const char *dir, uint64_t seg_id, uint64_t gen, uint32_t ndocs,
                uint8_t **bits_out, tc_error *err)
{
	*bits_out = NULL;
	char name[TC_NAME_MAX];
	tc__del_file_name(name, seg_id, gen);
	tc__rfile f;
	TC_FORWARD(tc__rfile_open(&f, dir, name, TC_MAGIC_DELETES, 1, err));
	const uint8_t *bits;
	uint32_t ndel;
	int rc = tc__del_parse(&f, seg_id, gen, ndocs, &bits, &ndel, err);
	if (rc == TC_OK) {
		size_t nbytes = ((size_t)ndocs + 7) / 8;
		*bits_out = tc_malloc(nbytes ? nbytes : 1);
		memcpy(*bits_out, bits, nbytes);
	}
	tc__rfile_close(&f);
	return rc;
}

/* ---- garbage collection ---- */

static const char *const seg_exts[] = {"tdx", "pst", "pos", "fln", "doc", "ids", "num"};

/* Parses 16 lower-case hex digits. */
static int parse_hex16(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	for (int i = 0; i < 16; i++) {
		char c = s[i];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
		if (d < 0)
			return -1;
		v = v << 4 | (uint64_t)d;
	}
	*out = v;
	return 0;
}

/*
 * Classifies a directory entry: 1 = a segment file (seg id in *id), 2 = a delete file
 * (id and gen), 3 = a temporary file storage writes, 0 = not ours.
 */
static int classify(const char *name, uint64_t *id, uint64_t *gen)
{
	size_t n = strlen(name);
	if (strcmp(name, MANIFEST_NAME ".tmp") == 0)
		return 3;
	if (n < 17 || name[16] != '.' || parse_hex16(name, id) != 0)
		return 0;
	for (size_t i = 0; i < sizeof seg_exts / sizeof *seg_exts; i++)
		if (strcmp(name + 17, seg_exts[i]) == 0)
			return 1;
	/* <16 hex>.<16 hex>.del (37 bytes), and the same + ".tmp" while being written */
	if ((n == 37 || n == 41) && name[33] == '.' && parse_hex16(name + 17, gen) == 0 &&
	    strncmp(name + 34, "del", 3) == 0) {
		if (n == 37)
			return 2;
		if (strcmp(name + 37, ".tmp") == 0)
			return 3;
	}
	return 0;
}

int tc_index_gc(const char *dir, const tc_manifest *m, const uint64_t *keep, size_t nkeep,
                size_t *removed, tc_error *err)
{
	if (removed)
		*removed = 0;
	DIR *d = opendir(dir);
	if (d == NULL)
		return tc_error_set(err, errno == ENOENT ? TC_ENOENT : TC_EIO, "open directory %s: %s",
		                    dir, strerror(errno));
	int rc = TC_OK;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		uint64_t id = 0, gen = 0;
		int kind = classify(e->d_name, &id, &gen);
		if (kind == 0)
			continue;
		int live = 0;
		for (size_t i = 0; i < nkeep && kind != 3; i++)
			live |= keep[i] == id;
		long si = kind == 3 ? -1 : tc_manifest_find_seg(m, id);
		if (si >= 0)
			live = kind == 1 || m->segs[si].del_gen == gen;
		if (live)
			continue;
		char path[TC_PATH_MAX];
		if (tc__path(path, dir, e->d_name, err) != TC_OK) {
			rc = TC_EINVAL;
			continue;
		}
		if (unlink(path) != 0 && errno != ENOENT) {
			if (rc == TC_OK)
				rc = tc_error_set(err, TC_EIO, "remove %s: %s", path, strerror(errno));
			continue;
		}
		if (removed)
			(*removed)++;
	}
	closedir(d);
	return rc;
}
