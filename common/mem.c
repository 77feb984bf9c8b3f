/* mem.c — allocation that aborts on failure (see mem.h for why). */
#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Noreturn void tc_oom(size_t n)
{
	fprintf(stderr, "tracuu: out of memory allocating %zu bytes\n", n);
	abort();
}

void *tc_malloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (p == NULL)
		tc_oom(n);
	return p;
}

void *tc_calloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);
	if (p == NULL)
		tc_oom(count * size);
	return p;
}

void *tc_realloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (q == NULL)
		tc_oom(n);
	return q;
}

char *tc_strndup(const char *s, size_t n)
{
	char *d = tc_malloc(n + 1);
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *tc_strdup(const char *s)
{
	return tc_strndup(s, strlen(s));
}

void *tc_grow(void *p, size_t *pcap, size_t need, size_t elem_size)
{
	if (need <= *pcap)
		return p;
	size_t cap = *pcap ? *pcap : 8;
	while (cap < need)
		cap *= 2;
	*pcap = cap;
	return tc_realloc(p, cap * elem_size);
}
