/*
 * mem.h — allocation that never returns NULL.
 *
 * tracuu follows Redis here, on purpose: running out of memory while indexing or
 * answering a query is not a condition the code can usefully recover from, and checking
 * every small allocation would double the error paths. tc_malloc and friends abort with a
 * message on failure. Sizes that come from untrusted input (a length read from a file, a
 * request size) must be bounded by the caller before they get here, and are reported as
 * TC_ECORRUPT or TC_ELIMIT, not as an abort.
 */
#ifndef TC_MEM_H
#define TC_MEM_H

#include <stddef.h>

/* Reports that n bytes could not be allocated and aborts: for memory another library
   failed to get (one that returns NULL). */
_Noreturn void tc_oom(size_t n);

void *tc_malloc(size_t n);
void *tc_calloc(size_t count, size_t size);
void *tc_realloc(void *p, size_t n);
char *tc_strndup(const char *s, size_t n);
char *tc_strdup(const char *s);

/*
 * Grows *pcap (an element count) so that at least need elements fit, doubling, and
 * reallocates *pp. Returns the (possibly moved) array.
 */
void *tc_grow(void *p, size_t *pcap, size_t need, size_t elem_size);

#endif
