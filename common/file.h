/*
 * file.h — the file-system primitives the index needs: read-only mmap, writing every
 * byte, fsync of files and directories, and the atomic replace of a small file
 * (write a temporary, fsync it, rename it over the old one, fsync the directory).
 *
 * Errors are TC_EIO (TC_ENOENT for a missing file, TC_ENOSPC for a full disk) with the
 * path and strerror in the message.
 */
#ifndef TC_FILE_H
#define TC_FILE_H

#include <stddef.h>

#include "err.h"

/* A read-only mapping of a whole file. Zero-initialised = nothing mapped. */
typedef struct tc_map {
	const unsigned char *data;  /* NULL for an empty file */
	size_t len;
} tc_map;

/* Maps path read-only (MAP_SHARED). TC_ENOENT when it does not exist. */
int tc_map_file(const char *path, tc_map *m, tc_error *err);
/* Unmaps; accepts an unmapped (zeroed) map and zeroes it. */
void tc_map_free(tc_map *m);
/*
 * Lets the pages of m's bytes [from, to) leave this process's resident set (the mapping
 * is shared and read-only: the next touch reads them again from the page cache or the
 * file, so readers see the same bytes). For a pass that reads a file once, such as a
 * merge, whose mapped inputs would otherwise all count as resident.
 */
void tc_map_release(const tc_map *m, size_t from, size_t to);

/* Writes all n bytes to fd (retrying short writes and EINTR). path is for the message. */
int tc_write_all(int fd, const void *p, size_t n, const char *path, tc_error *err);

/* fsync(fd); path is for the message. */
int tc_fsync_fd(int fd, const char *path, tc_error *err);

/* Opens dir and fsyncs it, so that renames and creations in it are durable. */
int tc_fsync_dir(const char *dir, tc_error *err);

/*
 * Replaces dir/name with data[0..n) atomically: writes dir/name.tmp, fsyncs it, renames
 * it to dir/name and fsyncs dir. A crash leaves either the old or the new file.
 */
int tc_write_atomic(const char *dir, const char *name, const void *data, size_t n,
                    tc_error *err);

/* Creates dir (and missing parents) with mode 0777 & ~umask; existing is fine. */
int tc_mkdir_p(const char *dir, tc_error *err);

#endif
