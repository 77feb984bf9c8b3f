/*
 * qty_fixture.h — the hand-checked quantity fixture (tests/data/quantities.tsv): loading
 * it, fetching the texts it points into, and scoring the extractor against it. Shared
 * by tests/test_quantity.c (which asserts the targets) and bench/qty_accuracy.c (which
 * prints the report). Header-only: every function is static.
 *
 * The fixture holds no news or Wikipedia text, only references: a passage is a byte
 * range of one document (a seed file, or the body of one corpus document found by id),
 * with an FNV-1a hash of its bytes so that a changed corpus is noticed instead of
 * scored. Every mention written in a passage is listed after it, so precision and recall
 * can both be measured:
 *
 *   P <TAB> file <TAB> doc id <TAB> start <TAB> length <TAB> fnv1a32 <TAB> note
 *   M <TAB> kind <TAB> value <TAB> unit <TAB> note
 *
 * file is relative to ../shared ("seeds/000_x.txt", "corpus/small.jsonl.zst"); doc id is
 * "-" for a seed. kind is number, percent or date; value is a number, or for dates the
 * ISO day. unit is the unit key the mention must carry ("giao dich": one of its keys;
 * "%" for percentages), "-": no unit (a number followed by nothing, or a date), or "*":
 * any (the unit is implied, and the word after the number is not it: "700 tỷ xây ...").
 * A passage without M lines says that nothing in it is a quantity (codes, phones).
 *
 * The whole document is extracted (so a date without a year finds its year as it would
 * in the index, from the document's "date" field or its other dates); the mentions that
 * start inside the passage are compared with the expected ones, one to one.
 */
#ifndef TC_QTY_FIXTURE_H
#define TC_QTY_FIXTURE_H

#include <errno.h>
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "analysis/analyzer.h"
#include "analysis/quantity.h"
#include "common/buf.h"
#include "common/mem.h"

typedef struct qf_mention {
	int kind;
	double value;
	char iso[11];
	char unit[96];
	int line;
} qf_mention;

typedef struct qf_passage {
	char file[160];
	char doc[200];
	size_t start, len;
	uint32_t hash;
	int line;
	qf_mention *m;
	size_t nm;
	int doc_index;          /* into qf_fixture.docs, -1 until fetched */
} qf_passage;

typedef struct qf_doc {
	char file[160];
	char doc[200];
	tc_buf text;            /* the seed file, or the corpus document's body */
	char date[16];          /* the corpus document's "date", or "" */
	int found;
} qf_doc;

typedef struct qf_fixture {
	qf_passage *p;
	size_t np, cap;
	qf_doc *docs;
	size_t ndocs, dcap;
} qf_fixture;

typedef struct qf_score {
	size_t passages, skipped;       /* scored, and left out (text absent or changed) */
	size_t expected, extracted, correct;
	size_t by_kind_expected[3], by_kind_correct[3], by_kind_extracted[3];
} qf_score;

static uint32_t qf_fnv1a(const char *p, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 16777619u;
	}
	return h;
}

static int qf_kind(const char *s)
{
	return strcmp(s, "number") == 0 ? TC_QTY_NUMBER
	       : strcmp(s, "percent") == 0 ? TC_QTY_PERCENT
	       : strcmp(s, "date") == 0    ? TC_QTY_DATE
	                                   : -1;
}

static const char *qf_kind_name(int k)
{
	static const char *N[] = {"number", "percent", "date"};
	return k >= 0 && k < 3 ? N[k] : "?";
}

/* Splits line at tabs into f[0..max); returns the field count. */
static int qf_fields(char *line, char **f, int max)
{
	int n = 0;
	f[n++] = line;
	for (char *p = line; *p && n < max; p++) {
		if (*p == '\t') {
			*p = '\0';
			f[n++] = p + 1;
		}
	}
	return n;
}

static void qf_free(qf_fixture *f)
{
	for (size_t i = 0; i < f->np; i++)
		free(f->p[i].m);
	for (size_t i = 0; i < f->ndocs; i++)
		tc_buf_free(&f->docs[i].text);
	free(f->p);
	free(f->docs);
	memset(f, 0, sizeof *f);
}

/* Loads the fixture. Returns 0, or -1 with a message in err. */
static int qf_load(const char *path, qf_fixture *f, char *err, size_t errlen)
{
	memset(f, 0, sizeof *f);
	FILE *in = fopen(path, "r");
	if (in == NULL) {
		snprintf(err, errlen, "%.300s: %s", path, strerror(errno));
		return -1;
	}
	char line[2048];
	int ln = 0;
	while (fgets(line, sizeof line, in)) {
		ln++;
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		char *fl[8];
		int n = qf_fields(line, fl, 8);
		if (strcmp(fl[0], "P") == 0 && n >= 6) {
			f->p = tc_grow(f->p, &f->cap, f->np + 1, sizeof *f->p);
			qf_passage *p = &f->p[f->np++];
			memset(p, 0, sizeof *p);
			snprintf(p->file, sizeof p->file, "%.159s", fl[1]);
			snprintf(p->doc, sizeof p->doc, "%.199s", fl[2]);
			p->start = strtoul(fl[3], NULL, 10);
			p->len = strtoul(fl[4], NULL, 10);
			p->hash = (uint32_t)strtoul(fl[5], NULL, 16);
			p->line = ln;
			p->doc_index = -1;
		} else if (strcmp(fl[0], "M") == 0 && n >= 4 && f->np > 0 && qf_kind(fl[1]) >= 0) {
			qf_passage *p = &f->p[f->np - 1];
			p->m = tc_realloc(p->m, (p->nm + 1) * sizeof *p->m);
			qf_mention *m = &p->m[p->nm++];
			memset(m, 0, sizeof *m);
			m->kind = qf_kind(fl[1]);
			m->line = ln;
			if (m->kind == TC_QTY_DATE)
				snprintf(m->iso, sizeof m->iso, "%.10s", fl[2]);
			else
				m->value = strtod(fl[2], NULL);
			snprintf(m->unit, sizeof m->unit, "%.95s", strcmp(fl[3], "-") ? fl[3] : "");
		} else {
			snprintf(err, errlen, "%.300s:%d: malformed line", path, ln);
			fclose(in);
			qf_free(f);
			return -1;
		}
	}
	fclose(in);
	return 0;
}

static int qf_doc_slot(qf_fixture *f, const char *file, const char *doc)
{
	for (size_t i = 0; i < f->ndocs; i++)
		if (strcmp(f->docs[i].file, file) == 0 && strcmp(f->docs[i].doc, doc) == 0)
			return (int)i;
	f->docs = tc_grow(f->docs, &f->dcap, f->ndocs + 1, sizeof *f->docs);
	qf_doc *d = &f->docs[f->ndocs];
	memset(d, 0, sizeof *d);
	snprintf(d->file, sizeof d->file, "%.159s", file);
	snprintf(d->doc, sizeof d->doc, "%.199s", doc);
	return (int)f->ndocs++;
}

/* One JSON line of a corpus file: keeps it if its id is wanted. Returns docs still missing. */
static size_t qf_take_line(qf_fixture *f, const char *file, const char *line, size_t n,
                           size_t missing)
{
	/* the id comes first on every line: skip the JSON parse for unwanted documents */
	const char *q = memchr(line, '"', n > 16 ? 16 : n);
	if (q == NULL)
		return missing;
	for (size_t i = 0; i < f->ndocs && missing; i++) {
		qf_doc *d = &f->docs[i];
		size_t il = strlen(d->doc);
		if (d->found || strcmp(d->file, file) != 0 || line + n < q + 8 + il ||
		    memcmp(q + 7, d->doc, il) != 0 || q[7 + il] != '"')
			continue;
		struct json_tokener *tok = json_tokener_new();
		json_object *o = json_tokener_parse_ex(tok, line, (int)n);
		json_tokener_free(tok);
		const char *body = json_object_get_string(json_object_object_get(o, "body"));
		const char *date = json_object_get_string(json_object_object_get(o, "date"));
		if (body) {
			tc_buf_append(&d->text, body,
			              json_object_get_string_len(json_object_object_get(o, "body")));
			snprintf(d->date, sizeof d->date, "%.15s", date ? date : "");
			d->found = 1;
			missing--;
		}
		json_object_put(o);
	}
	return missing;
}

/* Streams one .jsonl.zst file until every document wanted from it is found. */
static void qf_scan_corpus(qf_fixture *f, const char *shared, const char *file, FILE *log)
{
	size_t missing = 0;
	for (size_t i = 0; i < f->ndocs; i++)
		missing += !f->docs[i].found && strcmp(f->docs[i].file, file) == 0;
	if (missing == 0)
		return;
	char path[1024];
	snprintf(path, sizeof path, "%.600s/%.300s", shared, file);
	FILE *in = fopen(path, "rb");
	if (in == NULL) {
		if (log)
			fprintf(log, "skipping passages in %s: %s\n", path, strerror(errno));
		return;
	}
	ZSTD_DCtx *z = ZSTD_createDCtx();
	size_t incap = ZSTD_DStreamInSize(), outcap = ZSTD_DStreamOutSize();
	char *ibuf = tc_malloc(incap), *obuf = tc_malloc(outcap);
	tc_buf line = {0};
	size_t got;
	while (missing && (got = fread(ibuf, 1, incap, in)) > 0) {
		ZSTD_inBuffer zi = {ibuf, got, 0};
		while (missing && zi.pos < zi.size) {
			ZSTD_outBuffer zo = {obuf, outcap, 0};
			size_t r = ZSTD_decompressStream(z, &zo, &zi);
			if (ZSTD_isError(r)) {
				if (log)
					fprintf(log, "%s: %s\n", path, ZSTD_getErrorName(r));
				missing = 0;
				break;
			}
			for (size_t k = 0; k < zo.pos && missing;) {
				const char *nl = memchr(obuf + k, '\n', zo.pos - k);
				size_t end = nl ? (size_t)(nl - obuf) : zo.pos;
				tc_buf_append(&line, obuf + k, end - k);
				k = end;
				if (nl == NULL)
					break;
				k++;
				missing = qf_take_line(f, file, line.data ? line.data : "", line.len, missing);
				tc_buf_clear(&line);
			}
		}
	}
	tc_buf_free(&line);
	free(ibuf);
	free(obuf);
	ZSTD_freeDCtx(z);
	fclose(in);
}

/*
 * Reads the texts the passages point into from shared (the ../shared directory).
 * Passages whose text is absent or changed stay unfetched (doc_index -1), with a line in
 * log. Returns the number of passages that can be scored.
 */
static size_t qf_fetch(qf_fixture *f, const char *shared, FILE *log)
{
	for (size_t i = 0; i < f->np; i++)
		f->p[i].doc_index = qf_doc_slot(f, f->p[i].file, f->p[i].doc);
	for (size_t i = 0; i < f->ndocs; i++) {
		qf_doc *d = &f->docs[i];
		if (strcmp(d->doc, "-") != 0 || d->found)
			continue;
		char path[1024];
		snprintf(path, sizeof path, "%.600s/%.300s", shared, d->file);
		FILE *in = fopen(path, "rb");
		if (in == NULL) {
			if (log)
				fprintf(log, "skipping passages in %s: %s\n", path, strerror(errno));
			continue;
		}
		char buf[65536];
		size_t k;
		while ((k = fread(buf, 1, sizeof buf, in)) > 0)
			tc_buf_append(&d->text, buf, k);
		fclose(in);
		d->found = 1;
	}
	for (size_t i = 0; i < f->ndocs; i++)
		if (!f->docs[i].found && strcmp(f->docs[i].doc, "-") != 0)
			qf_scan_corpus(f, shared, f->docs[i].file, log);
	size_t ok = 0;
	for (size_t i = 0; i < f->np; i++) {
		qf_passage *p = &f->p[i];
		qf_doc *d = &f->docs[p->doc_index];
		if (!d->found) {
			if (log && d->file[0] && strstr(d->file, ".jsonl") && strcmp(d->doc, "-"))
				fprintf(log, "line %d: %s not found in %s\n", p->line, d->doc, d->file);
			p->doc_index = -1;
		} else if (p->start + p->len > d->text.len ||
		           qf_fnv1a(d->text.data + p->start, p->len) != p->hash) {
			if (log)
				fprintf(log, "line %d: the text of %s %s changed; passage skipped\n",
				        p->line, d->file, d->doc);
			p->doc_index = -1;
		} else {
			ok++;
		}
	}
	return ok;
}

static int qf_match(const qf_mention *m, const tc_qlist *l, const tc_qty *q)
{
	if (q->kind != m->kind)
		return 0;
	if (m->kind == TC_QTY_DATE)
		return strcmp(q->iso, m->iso) == 0;
	if (!(fabs(q->value - m->value) <= 1e-9 * fabs(m->value)))
		return 0;
	if (strcmp(m->unit, "*") == 0)
		return 1;
	if (m->unit[0] == '\0')
		return q->n_units == 0;
	for (unsigned k = 0; k < q->n_units; k++)
		if (strcmp(tc_qty_unit(l, q, k), m->unit) == 0)
			return 1;
	return 0;
}

static void qf_print_qty(FILE *out, const char *tag, const qf_passage *p, const char *text,
                         const tc_qlist *l, const tc_qty *q)
{
	fprintf(out, "  %s line %d (%s %s @%u): %s ", tag, p->line, p->file, p->doc, q->start,
	        qf_kind_name(q->kind));
	if (q->kind == TC_QTY_DATE)
		fprintf(out, "%s", q->iso);
	else
		fprintf(out, "%.15g", q->value);
	for (unsigned k = 0; k < q->n_units; k++)
		fprintf(out, "%s%s", k ? "|" : " [", tc_qty_unit(l, q, k));
	fprintf(out, "%s  \"%.*s\"\n", q->n_units ? "]" : "", (int)(q->end - q->start),
	        text + q->start);
}

/*
 * Scores the extractor on every fetched passage. Mistakes (false positives, misses) go
 * to log, one line each, when log is not NULL.
 */
static int qf_run(qf_fixture *f, tc_analyzer *a, qf_score *s, FILE *log)
{
	memset(s, 0, sizeof *s);
	tc_toklist tl = {0};
	tc_qlist ql = {0};
	tc_error err = {0};
	int last_doc = -1, rc = 0;
	for (size_t i = 0; i < f->np && rc == 0; i++) {
		qf_passage *p = &f->p[i];
		if (p->doc_index < 0) {
			s->skipped++;
			continue;
		}
		qf_doc *d = &f->docs[p->doc_index];
		const char *text = d->text.data ? d->text.data : "";
		if (p->doc_index != last_doc) {
			tc_qctx ctx = {.doc_date = d->date[0] ? d->date : NULL};
			rc = tc_analyze(a, text, d->text.len, NULL, &tl, &err);
			if (rc == 0)
				rc = tc_quantity_extract(text, d->text.len, &tl, &ctx, &ql, &err);
			if (rc) {
				if (log)
					fprintf(log, "%s %s: %s\n", d->file, d->doc, err.msg);
				break;
			}
			last_doc = p->doc_index;
		}
		s->passages++;
		char *used = calloc(p->nm + 1, 1);
		for (size_t k = 0; k < ql.n; k++) {
			const tc_qty *q = &ql.q[k];
			if (q->start < p->start || q->start >= p->start + p->len)
				continue;
			s->extracted++;
			s->by_kind_extracted[q->kind]++;
			size_t j = 0;
			while (j < p->nm && (used[j] || !qf_match(&p->m[j], &ql, q)))
				j++;
			if (j < p->nm) {
				used[j] = 1;
				s->correct++;
				s->by_kind_correct[q->kind]++;
			} else if (log) {
				qf_print_qty(log, "extra", p, text, &ql, q);
			}
		}
		for (size_t j = 0; j < p->nm; j++) {
			s->expected++;
			s->by_kind_expected[p->m[j].kind]++;
			if (!used[j] && log) {
				const qf_mention *m = &p->m[j];
				fprintf(log, "  missed line %d (%s %s): %s ", m->line, p->file, p->doc,
				        qf_kind_name(m->kind));
				if (m->kind == TC_QTY_DATE)
					fprintf(log, "%s\n", m->iso);
				else
					fprintf(log, "%.15g [%s]\n", m->value, m->unit);
			}
		}
		free(used);
	}
	tc_qlist_free(&ql);
	tc_toklist_free(&tl);
	return rc;
}

#endif
