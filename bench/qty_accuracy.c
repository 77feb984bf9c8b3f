/*
 * qty_accuracy.c — precision and recall of the quantity extractor on the hand-checked
 * fixture (tests/data/quantities.tsv, described in tests/qty_fixture.h).
 *
 *   qty_accuracy [FIXTURE [SHARED_DIR]]
 *
 * FIXTURE defaults to $TRACUU_SRC/tests/data/quantities.tsv, SHARED_DIR to
 * $TRACUU_SRC/../shared ($TRACUU_SRC defaults to "."). Passages whose text is absent are
 * skipped and counted. Prints every mistake, then the figures overall and per kind.
 * Exits 1 when precision < 0.98 or recall < 0.95 (the targets of README "Quantities"),
 * 2 when nothing could be scored.
 */
#include <stdio.h>
#include <stdlib.h>

#include "tests/qty_fixture.h"

static double ratio(size_t a, size_t b)
{
	return b ? (double)a / (double)b : 1.0;
}

int main(int argc, char **argv)
{
	const char *src = getenv("TRACUU_SRC");
	char fixture[1024], shared[1024], msg[512];
	src = src && *src ? src : ".";
	if (argc > 1)
		snprintf(fixture, sizeof fixture, "%.1000s", argv[1]);
	else
		snprintf(fixture, sizeof fixture, "%.900s/tests/data/quantities.tsv", src);
	if (argc > 2)
		snprintf(shared, sizeof shared, "%.1000s", argv[2]);
	else
		snprintf(shared, sizeof shared, "%.900s/../shared", src);
	qf_fixture f;
	if (qf_load(fixture, &f, msg, sizeof msg) != 0) {
		fprintf(stderr, "qty_accuracy: %s\n", msg);
		return 2;
	}
	qf_fetch(&f, shared, stdout);
	tc_analyzer *a = NULL;
	tc_error err = {0};
	qf_score s;
	if (tc_analyzer_new(&a, &err) != 0 || qf_run(&f, a, &s, stdout) != 0) {
		fprintf(stderr, "qty_accuracy: %s\n", err.msg);
		tc_analyzer_free(a);
		qf_free(&f);
		return 2;
	}
	size_t mentions = 0;
	for (size_t i = 0; i < f.np; i++)
		mentions += f.p[i].nm;
	printf("\nfixture: %zu passages, %zu hand-checked mentions; scored %zu passages "
	       "(%zu skipped: text absent)\n",
	       f.np, mentions, s.passages, s.skipped);
	printf("%-8s %9s %9s %8s %10s %8s\n", "kind", "expected", "extracted", "correct",
	       "precision", "recall");
	for (int k = 0; k < 3; k++)
		printf("%-8s %9zu %9zu %8zu %10.3f %8.3f\n", qf_kind_name(k), s.by_kind_expected[k],
		       s.by_kind_extracted[k], s.by_kind_correct[k],
		       ratio(s.by_kind_correct[k], s.by_kind_extracted[k]),
		       ratio(s.by_kind_correct[k], s.by_kind_expected[k]));
	if (s.passages == 0) {
		fprintf(stderr, "qty_accuracy: no passage could be scored (is %s there?)\n", shared);
		tc_analyzer_free(a);
		qf_free(&f);
		return 2;
	}
	double p = ratio(s.correct, s.extracted), r = ratio(s.correct, s.expected);
	printf("%-8s %9zu %9zu %8zu %10.3f %8.3f\n", "all", s.expected, s.extracted, s.correct, p,
	       r);
	tc_analyzer_free(a);
	qf_free(&f);
	return p >= 0.98 && r >= 0.95 ? 0 : 1;
}
