/* delete.c — `tracuu delete`: tombstone documents by id and commit. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "indexer/indexer.h"

static int usage(FILE *f)
{
	fprintf(f, "usage: tracuu delete -i DIR ID...\n"
	           "\n"
	           "Deletes the documents with these ids from the index in DIR and commits.\n"
	           "Ids that match no document are reported; the exit status is then 2.\n");
	return f == stdout ? 0 : 2;
}

int tc_cmd_delete(int argc, char **argv)
{
	const char *dir = NULL;
	int i = 1;
	for (; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return usage(stdout);
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if ((strcmp(argv[i], "-i") == 0 || strcmp(argv[i], "--index") == 0) && i + 1 < argc) {
			dir = argv[++i];
			continue;
		}
		fprintf(stderr, "tracuu delete: unknown option '%s'\n", argv[i]);
		return usage(stderr);
	}
	if (!dir || i >= argc) {
		fprintf(stderr, "tracuu delete: %s\n", dir ? "no ids given" : "no index (-i DIR)");
		return usage(stderr);
	}
	tc_error err = {0};
	tc_indexer *ix;
	tc_indexer_opts o = {0};
	o.must_exist = 1;
	if (tc_indexer_open(dir, &o, &ix, &err) < 0) {
		fprintf(stderr, "tracuu delete: %s\n", err.msg);
		return 1;
	}
	unsigned long deleted = 0, unknown = 0;
	int rc = 0;
	for (; i < argc; i++) {
		tc_error_clear(&err);
		rc = tc_indexer_delete(ix, argv[i], strlen(argv[i]), &err);
		if (rc == TC_ENOENT) {
			fprintf(stderr, "tracuu delete: %s\n", err.msg);
			unknown++;
			rc = 0;
		} else if (rc < 0) {
			break;
		} else {
			deleted++;
		}
	}
	if (rc == 0)
		rc = tc_indexer_commit(ix, &err);
	tc_indexer_free(ix);
	if (rc < 0) {
		fprintf(stderr, "tracuu delete: %s\ntracuu delete: nothing deleted; the index is at "
		                "its last commit\n",
		        err.msg);
		return 1;
	}
	fprintf(stderr, "deleted %lu document%s, %lu unknown id%s\n", deleted,
	        deleted == 1 ? "" : "s", unknown, unknown == 1 ? "" : "s");
	return unknown ? 2 : 0;
}
