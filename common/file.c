/* file.c — mmap, full writes, fsync and atomic replace (see file.h). */
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static int io_error(tc_error *err, int e, const char *what, const char *path)
{
	int code = e == ENOENT ? TC_ENOENT : e == ENOSPC || e == EDQUOT ? TC_ENOSPC : TC_EIO;
	return tc_error_set(err, code, "%s %s: %s", what, path, strerror(e));
}

int tc_map_file(const char *path, tc_map *m, tc_error *err)
{
	m->data = NULL;
	m->len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return io_error(err, errno, "open", path);
	struct stat st;
	if (fstat(fd, &st) != 0) {
		int e = errno;
		close(fd);
		return io_error(err, e, "stat", path);
	}
	if (st.st_size > 0) {
		void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED) {
			int e = errno;
			close(fd);
			return io_error(err, e, "mmap", path);
		}
		m->data = p;
		m->len = (size_t)st.st_size;
	}
	close(fd);  /* the mapping keeps the file alive */
	return TC_OK;
}

void tc_map_free(tc_map *m)
{
	if (m->data != NULL)
		munmap((void *)m->data, m->len);
	m->data = NULL;
	m->len = 0;
}

void tc_map_release(const tc_map *m, size_t from, size_t to)
{
	long page = sysconf(_SC_PAGESIZE);
	if (m->data == NULL || page <= 0)
		return;
	if (to > m->len)
		to = m->len;
	from &= ~((size_t)page - 1);  /* the mapping starts on a page */
	if (to > from)
		(void)madvise((void *)(m->data + from), to - from, MADV_DONTNEED);
}

int tc_write_all(int fd, const void *p, size_t n, const char *path, tc_error *err)
{
	const char *s = p;
	while (n > 0) {
		ssize_t k = write(fd, s, n > (1u << 30) ? (1u << 30) : n);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return io_error(err, errno, "write", path);
		}
		s += k;
		n -= (size_t)k;
	}
	return TC_OK;
}

int tc_fsync_fd(int fd, const char *path, tc_error *err)
{
	while (fsync(fd) != 0) {
		if (errno != EINTR)
			return io_error(err, errno, "fsync", path);
	}
	return TC_OK;
}

int tc_fsync_dir(const char *dir, tc_error *err)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return io_error(err, errno, "open directory", dir);
	int rc = tc_fsync_fd(fd, dir, err);
	close(fd);
	return rc;
}

int tc_write_atomic(const char *dir, const char *name, const void *data, size_t n,
                    tc_error *err)
{
	char tmp[PATH_MAX], dst[PATH_MAX];
	if ((size_t)snprintf(dst, sizeof dst, "%s/%s", dir, name) >= sizeof dst ||
	    (size_t)snprintf(tmp, sizeof tmp, "%s/%s.tmp", dir, name) >= sizeof tmp)
		return tc_error_set(err, TC_EINVAL, "path too long: %s/%s", dir, name);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0)
		return io_error(err, errno, "create", tmp);
	int rc = tc_write_all(fd, data, n, tmp, err);
	if (rc == TC_OK)
		rc = tc_fsync_fd(fd, tmp, err);
	if (close(fd) != 0 && rc == TC_OK)
		rc = io_error(err, errno, "close", tmp);
	if (rc == TC_OK && rename(tmp, dst) != 0)
		rc = io_error(err, errno, "rename to", dst);
	if (rc != TC_OK) {
		unlink(tmp);
		return rc;
	}
	return tc_fsync_dir(dir, err);
}

int tc_mkdir_p(const char *dir, tc_error *err)
{
	char path[PATH_MAX];
	size_t n = strlen(dir);
	if (n == 0 || n >= sizeof path)
		return tc_error_set(err, TC_EINVAL, "bad directory name '%s'", dir);
	memcpy(path, dir, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		char c = path[i];
		path[i] = '\0';
		if (mkdir(path, 0777) != 0 && errno != EEXIST)
			return io_error(err, errno, "mkdir", path);
		path[i] = c;
	}
	struct stat st;
	if (stat(dir, &st) != 0)
		return io_error(err, errno, "stat", dir);
	if (!S_ISDIR(st.st_mode))
		return tc_error_set(err, TC_EINVAL, "%s is not a directory", dir);
	return TC_OK;
}
