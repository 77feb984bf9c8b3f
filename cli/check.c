/* check.c — `tracuu check`: verify every checksum and invariant of an index. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "common/buf.h"
#include "storage/storage.h"

static int usage(FILE *f)
{
	fprintf(f, "usage: tracuu check -i DIR\n"
	           "\n"
	           "Reads every file of the index in DIR, verifies its checksum and the\n"
	           "invariants (sorted terms, postings, doc store, numeric index, deletes).\n"
	           "Exit status 0 when sound, 1 with one line per problem otherwise.\n");
	return f == stdout ? 0 : 2;
}

int tc_cmd_check(int argc, char **argv)
{
	const char *dir = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return usage(stdout);
		if ((strcmp(argv[i], "-i") == 0 || strcmp(argv[i], "--index") == 0) && i + 1 < argc) {
			dir = argv[++i];
		} else {
			fprintf(stderr, "tracuu check: unknown argument '%s'\n", argv[i]);
			return usage(stderr);
		}
	}
	if (!dir) {
		fprintf(stderr, "tracuu check: no index directory (-i DIR)\n");
		return usage(stderr);
	}
	tc_buf report = {0};
	tc_error err = {0};
	int rc = tc_index_check(dir, &report, &err);
	if (rc == 0) {
		tc_snapshot *s;
		if (tc_snapshot_open(dir, 0, &s, NULL) == 0) {
			printf("%s: ok (%zu segments, %llu documents, commit %llu)\n", dir,
			       tc_snapshot_nsegments(s), (unsigned long long)tc_snapshot_nlive(s),
			       (unsigned long long)tc_snapshot_generation(s));
			tc_snapshot_release(s);
		} else {
			printf("%s: ok\n", dir);
		}
	} else if (rc == TC_ECORRUPT) {
		if (report.len)
			fputs(report.data, stdout);
		if (report.len && report.data[report.len - 1] != '\n')
			putchar('\n');
		fprintf(stderr, "tracuu check: %s: damaged: %s\n", dir, err.msg);
	} else if (rc == TC_EVERSION) {
		fprintf(stderr, "tracuu check: %s: cannot be checked by this build: %s\n", dir,
		        err.msg);
	} else if (rc == TC_ENOENT) {
		fprintf(stderr, "tracuu check: %s: not an index (%s)\n", dir, err.msg);
	} else {
		fprintf(stderr, "tracuu check: %s\n", err.msg);
	}
	tc_buf_free(&report);
	return rc == 0 ? 0 : 1;
}
