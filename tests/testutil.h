/*
 * testutil.h — small helpers shared by the test programs (header-only, static).
 *
 * Tests find the sources through $TRACUU_SRC (set by scripts/run-tests.sh; default ".")
 * and the shared data beside them in $TRACUU_SRC/../shared. The built program is
 * $TRACUU_BIN (default build/tracuu).
 */
#ifndef TC_TESTUTIL_H
#define TC_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline const char *tu_src_dir(void)
{
	const char *s = getenv("TRACUU_SRC");
	return s && *s ? s : ".";
}

static inline const char *tu_bin(void)
{
	const char *s = getenv("TRACUU_BIN");
	return s && *s ? s : "build/tracuu";
}

/* Path of a file under ../shared (e.g. "seeds/000_x.txt"), in a static buffer. */
static inline const char *tu_shared(const char *rel)
{
	static char path[4096];
	snprintf(path, sizeof path, "%.2000s/../shared/%.1000s", tu_src_dir(), rel);
	return path;
}

/* Reads a whole file; NULL if it cannot be read. Caller frees. */
static inline char *tu_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	for (;;) {
		if (n + 1 >= cap)
			buf = realloc(buf, cap *= 2);
		size_t k = fread(buf + n, 1, cap - n - 1, f);
		if (k == 0)
			break;
		n += k;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* Runs a shell command, captures stdout (caller frees) and the exit status. */
static inline char *tu_run(const char *cmd, int *status)
{
	FILE *p = popen(cmd, "r");
	if (p == NULL) {
		*status = -1;
		return NULL;
	}
	size_t cap = 1 << 12, n = 0;
	char *buf = malloc(cap);
	size_t k;
	while ((k = fread(buf + n, 1, cap - n - 1, p)) > 0) {
		n += k;
		if (n + 1 >= cap)
			buf = realloc(buf, cap *= 2);
	}
	buf[n] = '\0';
	int st = pclose(p);
	*status = (st >= 0 && (st & 0x7f) == 0) ? (st >> 8) & 0xff : -1;
	return buf;
}

#ifdef TU_FULL_DISK
/*
 * A disk that fills: a test that defines TU_FULL_DISK before including this replaces
 * write() for its whole program. Files (fd > 2) may still receive tu_write_budget bytes
 * (< 0: no limit), then a write fails with ENOSPC; tu_written counts what they got.
 * Atomic: the doc store may write from a thread of its own.
 */
#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

static _Atomic long tu_write_budget = -1;
static _Atomic long tu_written;

ssize_t write(int fd, const void *buf, size_t n)
{
	if (fd > 2)
		tu_written += (long)n;
	if (tu_write_budget >= 0 && fd > 2) {
		if ((long)n > tu_write_budget) {
			errno = ENOSPC;
			return -1;
		}
		tu_write_budget -= (long)n;
	}
	return syscall(SYS_write, fd, buf, n);
}
#endif

#endif
