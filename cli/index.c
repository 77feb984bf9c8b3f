/* index.c — `tracuu index`: JSON Lines, .jsonl.zst and text files into an index. */
#include <errno.h>
#if defined(__GLIBC__) || defined(__linux__)
#include <malloc.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "indexer/indexer.h"

/* Messages shown per kind before the rest are only counted. */
#define MAX_SHOWN 1000

static int usage(FILE *f)
{
	fprintf(f,
	        "usage: tracuu index -i DIR [--mem MB] [-j N] [--lang LANG] [-q] FILE...\n"
	        "\n"
	        "Adds documents to the index in DIR (created when missing) and commits.\n"
	        "FILE is .jsonl (one JSON object per line: \"id\" and \"body\" required,\n"
	        "\"title\", \"date\" (YYYY-MM-DD), \"lang\" and any other string fields\n"
	        "optional), .jsonl.zst, - for JSON Lines on stdin, or .txt (one document:\n"
	        "id = file name, title = first line). A document whose id is already in\n"
	        "the index replaces it.\n"
	        "  -i DIR       the index directory\n"
	        "  --mem MB     memory budget (default 256)\n"
	        "  -j N         analysis threads (default: the number of CPUs)\n"
	        "  --lang LANG  stemming language for documents without \"lang\" (default\n"
	        "               english)\n"
	        "  -q           no progress line\n"
	        "Bad lines are reported as FILE:LINE: why and skipped; the exit status is\n"
	        "then 2. A write error (e.g. a full disk) stops at the last commit: 1.\n");
	return f == stdout ? 0 : 2;
}

typedef struct ui {
	int tty;              /* stderr is a terminal: show progress */
	int line_shown;       /* a progress line is on screen */
	double t0, last;
	unsigned shown[3];    /* messages printed, by kind */
} ui;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void clear_line(ui *u)
{
	if (u->line_shown) {
		fputs("\r\033[K", stderr);
		u->line_shown = 0;
	}
}

static void on_message(void *ctx, int kind, const char *msg)
{
	ui *u = ctx;
	unsigned *n = &u->shown[kind == TC_IX_REJECT ? 2 : 1];
	if (++*n > MAX_SHOWN)
		return;
	clear_line(u);
	if (*n == MAX_SHOWN)
		fprintf(stderr, "%s%s\n(further %s not shown)\n",
		        kind == TC_IX_NOTE ? "warning: " : "", msg,
		        kind == TC_IX_NOTE ? "warnings" : "rejections");
	else
		fprintf(stderr, "%s%s\n", kind == TC_IX_NOTE ? "warning: " : "", msg);
}

static void on_progress(void *ctx, const tc_indexer_progress *p)
{
	ui *u = ctx;
	double t = now();
	if (!u->tty || t - u->last < 0.25)
		return;
	u->last = t;
	double secs = t - u->t0, mb = p->bytes / 1e6;
	char eta[32] = "";
	if (p->in_total && p->in_read > 0 && p->in_read <= p->in_total) {
		double left = secs * (double)(p->in_total - p->in_read) / (double)p->in_read;
		snprintf(eta, sizeof eta, "  ETA %d:%02d", (int)left / 60, (int)left % 60);
	}
	fprintf(stderr, "\r\033[K%llu docs  %.1f MB  %.1f MB/s  %u segment%s%s",
	        (unsigned long long)p->docs, mb, secs > 0 ? mb / secs : 0.0, p->segments,
	        p->segments == 1 ? "" : "s", eta);
	u->line_shown = 1;
}

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || *s == '\0' || *end != '\0' || *s == '-' || v == 0 || v > max)
		return -1;
	*out = v;
	return 0;
}

int tc_cmd_index(int argc, char **argv)
{
	const char *dir = NULL;
	tc_indexer_opts o = {0};
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	o.threads = ncpu > 0 ? (unsigned)(ncpu < 8 ? ncpu : 8) : 1;
	int quiet = 0;
	int i = 1;
	for (; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
		const char *a = argv[i];
		unsigned long v;
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
			return usage(stdout);
		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
			quiet = 1;
			continue;
		}
		if (i + 1 >= argc) {
			fprintf(stderr, "tracuu index: %s needs a value\n", a);
			return usage(stderr);
		}
		const char *val = argv[++i];
		if (strcmp(a, "-i") == 0 || strcmp(a, "--index") == 0) {
			dir = val;
		} else if (strcmp(a, "--mem") == 0) {
			if (parse_uint(val, 1ul << 20, &v) < 0) {
				fprintf(stderr, "tracuu index: --mem wants megabytes (1..1048576), not '%s'\n",
				        val);
				return 2;
			}
			o.mem = (size_t)v << 20;
		} else if (strcmp(a, "-j") == 0) {
			if (parse_uint(val, 256, &v) < 0) {
				fprintf(stderr, "tracuu index: -j wants a thread count (1..256), not '%s'\n",
				        val);
				return 2;
			}
			o.threads = (unsigned)v;
		} else if (strcmp(a, "--lang") == 0) {
			o.lang = val;
		} else {
			fprintf(stderr, "tracuu index: unknown option '%s'\n", a);
			return usage(stderr);
		}
	}
	if (!dir) {
		fprintf(stderr, "tracuu index: no index directory (-i DIR)\n");
		return usage(stderr);
	}
	if (i >= argc) {
		fprintf(stderr, "tracuu index: no input files\n");
		return usage(stderr);
	}
	int nstdin = 0;
	for (int k = i; k < argc; k++)
		nstdin += strcmp(argv[k], "-") == 0;
	if (nstdin > 1) {
		fprintf(stderr, "tracuu index: stdin (-) can be read only once\n");
		return 2;
	}

#if defined(M_MMAP_THRESHOLD)
	/*
	 * glibc raises its mmap threshold when big blocks are freed, after which the
	 * in-memory index's 256 KB blocks come from the heap, and the heap keeps what a
	 * finished segment freed. A fixed threshold gives every block back at once.
	 */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
#endif
	ui u = {0};
	u.tty = !quiet && isatty(2);
	u.t0 = now();
	o.on_message = on_message;
	o.on_progress = on_progress;
	o.ctx = &u;
	tc_error err = {0};
	tc_indexer *ix;
	int rc = tc_indexer_open(dir, &o, &ix, &err);
	if (rc < 0) {
		fprintf(stderr, "tracuu index: %s\n", err.msg);
		return rc == TC_EINVAL ? 2 : 1;
	}
	rc = tc_indexer_add_files(ix, (const char *const *)argv + i, (size_t)(argc - i), &err);
	if (rc == 0)
		rc = tc_indexer_commit(ix, &err);
	tc_indexer_stats st;
	tc_indexer_get_stats(ix, &st);
	tc_indexer_free(ix);
	clear_line(&u);
	double secs = now() - u.t0;
	if (rc < 0)
		fprintf(stderr, "tracuu index: %s\ntracuu index: stopped; the index is at its last "
		                "commit\n",
		        err.msg);
	fprintf(stderr,
	        "indexed %llu docs (%llu new, %llu replaced), %llu rejected, %.1f MB in %.1f s "
	        "(%.1f MB/s), %u segment%s\n",
	        (unsigned long long)(st.added + st.replaced), (unsigned long long)st.added,
	        (unsigned long long)st.replaced, (unsigned long long)st.rejected, st.bytes / 1e6,
	        secs, secs > 0 ? st.bytes / 1e6 / secs : 0.0, st.segments,
	        st.segments == 1 ? "" : "s");
	if (rc < 0)
		return 1;
	if (st.rejected) {
		fprintf(stderr, "tracuu index: %llu record%s rejected (see above)\n",
		        (unsigned long long)st.rejected, st.rejected == 1 ? "" : "s");
		return 2;
	}
	return 0;
}
