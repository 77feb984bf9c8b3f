/* analyze.c — `tracuu analyze`: the tokens of a text, for people and for scripts. */
#include <errno.h>
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analyzer.h"
#include "analysis/quantity.h"
#include "cli.h"
#include "common/buf.h"
#include "common/mem.h"

static int usage(FILE *f)
{
	fprintf(f,
	        "usage: tracuu analyze [--json] [--lang LANG] [--date YYYY-MM-DD] TEXT...\n"
	        "       tracuu analyze [--json] [--lang LANG] [--date YYYY-MM-DD] -\n"
	        "                      (\"-\" reads the text from stdin)\n"
	        "\n"
	        "Shows the tokens of TEXT: position, byte span, exact form (lower case,\n"
	        "canonical tone placement), folded form (no diacritics, đ -> d) and, for\n"
	        "words that are not Vietnamese syllables, the Snowball stem; then the\n"
	        "quantities written in it (numbers, percentages, dates) with their units.\n"
	        "  --json       one JSON object: {\"tokens\":[{\"pos\":0,\"exact\":...}],\n"
	        "               \"quantities\":[{\"kind\":\"number\",\"value\":...}]}\n"
	        "  --lang LANG  stemmer for non-Vietnamese words (default english)\n"
	        "  --date D     the document's date: the year of dates written without one\n");
	return f == stdout ? 0 : 2;
}

static void flags_text(unsigned f, char *out, size_t cap)
{
	static const char *names[] = {"number", "syllable", "joined", "accented", "upper", "latin"};
	out[0] = '\0';
	for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (!(f & (1u << i)))
			continue;
		if (out[0])
			strncat(out, ",", cap - strlen(out) - 1);
		strncat(out, names[i], cap - strlen(out) - 1);
	}
}

static const char *const KIND_NAMES[] = {"number", "percent", "date"};
static const char *const PREC_NAMES[] = {"exact", "day", "month", "year"};

/*
 * A real as the output always had it: the shortest "%.17g" spelling, ".0" when it would
 * read as an integer, the exponent without '+' or leading zeros ("1e20", "1e-5"), where
 * json-c's own would write "1e+20" and "1e-05".
 */
static json_object *json_real(double v)
{
	char buf[40];
	snprintf(buf, sizeof buf, "%.17g", v);
	char *e = strchr(buf, 'e');
	if (e) {
		char *d = e + 1;  /* the sign or the first digit */
		if (*d == '+')
			memmove(d, d + 1, strlen(d));
		else if (*d == '-')
			d++;
		char *p = d;
		while (*p == '0' && p[1])
			p++;
		memmove(d, p, strlen(p) + 1);
	} else if (strspn(buf, "0123456789-") == strlen(buf)) {
		strcat(buf, ".0");
	}
	return json_object_new_double_s(v, buf);
}

static json_object *quantities_json(const char *text, const tc_qlist *ql)
{
	json_object *arr = json_object_new_array();
	for (size_t i = 0; i < ql->n; i++) {
		const tc_qty *q = &ql->q[i];
		json_object *o = json_object_new_object();
		json_object_object_add(o, "kind", json_object_new_string(KIND_NAMES[q->kind]));
		if (q->kind == TC_QTY_DATE) {
			json_object_object_add(o, "value", json_object_new_string(q->iso));
			json_object_object_add(o, "precision",
			                       json_object_new_string(PREC_NAMES[q->precision]));
		} else if (q->value == floor(q->value) && fabs(q->value) < 9e15) {
			tc_cli_json_int(o, "value", (int64_t)q->value);
		} else {
			json_object_object_add(o, "value", json_real(q->value));
		}
		json_object *units = json_object_new_array();
		for (unsigned k = 0; k < q->n_units; k++)
			json_object_array_add(units, json_object_new_string_len(tc_qty_unit(ql, q, k),
			                                                        q->unit_len[k]));
		json_object_object_add(o, "units", units);
		tc_cli_json_str(o, "text", text + q->start, q->end - q->start);
		tc_cli_json_int(o, "start", q->start);
		tc_cli_json_int(o, "end", q->end);
		tc_cli_json_int(o, "pos", q->pos);
		if (q->qual_len) {
			tc_cli_json_str(o, "qualifier", text + q->qual_start, q->qual_end - q->qual_start);
			json_object_object_add(o, "qualifier_folded",
			                       json_object_new_string(tc_qty_qual(ql, q)));
		}
		json_object_array_add(arr, o);
	}
	return arr;
}

static void print_json(const tc_toklist *tl, const char *text, const tc_qlist *ql)
{
	json_object *root = json_object_new_object();
	json_object *toks = json_object_new_array();
	for (size_t i = 0; i < tl->n; i++) {
		const tc_token *t = &tl->tok[i];
		json_object *o = json_object_new_object();
		tc_cli_json_int(o, "pos", t->pos);
		tc_cli_json_str(o, "exact", tc_tok_exact(tl, t), t->exact_len);
		tc_cli_json_str(o, "folded", tc_tok_folded(tl, t), t->folded_len);
		if (t->stem_len)
			tc_cli_json_str(o, "stem", tc_tok_stem(tl, t), t->stem_len);
		tc_cli_json_int(o, "start", t->start);
		tc_cli_json_int(o, "end", t->end);
		if (t->flags & TC_TOK_JOINED)
			json_object_object_add(o, "joined", json_object_new_boolean(1));
		json_object_array_add(toks, o);
	}
	json_object_object_add(root, "tokens", toks);
	json_object_object_add(root, "quantities", quantities_json(text, ql));
	if (tl->invalid_utf8)
		tc_cli_json_int(root, "invalid_utf8", (int64_t)tl->invalid_utf8);
	tc_cli_json_print(root);
}

static void print_quantities(const char *text, const tc_qlist *ql)
{
	if (ql->n == 0)
		return;
	printf("\n%4s  %-11s  %-8s %-20s %-34s %-12s %s\n", "pos", "bytes", "kind", "value",
	       "units", "qualifier", "text");
	for (size_t i = 0; i < ql->n; i++) {
		const tc_qty *q = &ql->q[i];
		char span[32], value[48];
		tc_buf units = {0};
		snprintf(span, sizeof span, "%u-%u", q->start, q->end);
		if (q->kind == TC_QTY_DATE)
			snprintf(value, sizeof value, "%s (%s)", q->iso, PREC_NAMES[q->precision]);
		else
			snprintf(value, sizeof value, "%.15g", q->value);
		for (unsigned k = 0; k < q->n_units; k++)
			tc_buf_printf(&units, "%s%s", k ? " | " : "", tc_qty_unit(ql, q, k));
		printf("%4u  %-11s  %-8s %-20s %-34s %-12s %.*s\n", q->pos, span, KIND_NAMES[q->kind],
		       value, units.len ? units.data : "-", q->qual_len ? tc_qty_qual_exact(ql, q) : "-",
		       (int)(q->end - q->start), text + q->start);
		tc_buf_free(&units);
	}
}

static void print_human(const tc_toklist *tl)
{
	printf("%4s  %-11s  %-20s %-20s %-14s %s\n", "pos", "bytes", "exact", "folded", "stem",
	       "flags");
	for (size_t i = 0; i < tl->n; i++) {
		const tc_token *t = &tl->tok[i];
		char span[32], fl[96];
		snprintf(span, sizeof span, "%u-%u", t->start, t->end);
		flags_text(t->flags, fl, sizeof fl);
		printf("%4u  %-11s  %-20s %-20s %-14s %s\n", t->pos, span, tc_tok_exact(tl, t),
		       tc_tok_folded(tl, t), t->stem_len ? tc_tok_stem(tl, t) : "-", fl);
	}
	if (tl->invalid_utf8)
		printf("(%zu invalid UTF-8 byte%s replaced)\n", tl->invalid_utf8,
		       tl->invalid_utf8 == 1 ? "" : "s");
}

int tc_cmd_analyze(int argc, char **argv)
{
	int json = 0;
	const char *lang = NULL, *date = NULL;
	int i = 1;
	for (; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			json = 1;
		} else if (strcmp(argv[i], "--lang") == 0 && i + 1 < argc) {
			lang = argv[++i];
		} else if (strcmp(argv[i], "--date") == 0 && i + 1 < argc) {
			date = argv[++i];
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			return usage(stdout);
		} else if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else {
			fprintf(stderr, "tracuu analyze: unknown option '%s'\n", argv[i]);
			return usage(stderr);
		}
	}
	if (i >= argc) {
		fprintf(stderr, "tracuu analyze: no TEXT given\n");
		return usage(stderr);
	}
	tc_buf text = {0};
	if (i == argc - 1 && strcmp(argv[i], "-") == 0) {
		char *s;
		size_t n;
		if (tc_cli_read_stdin(&s, &n) != 0) {
			fprintf(stderr, "tracuu analyze: reading stdin: %s\n", strerror(errno));
			return 1;
		}
		tc_buf_append(&text, s, n);
		free(s);
	} else {
		for (; i < argc; i++) {
			if (text.len)
				tc_buf_putc(&text, ' ');
			tc_buf_puts(&text, argv[i]);
		}
	}
	tc_error err = {0};
	tc_analyzer *a = NULL;
	tc_toklist tl = {0};
	tc_qlist ql = {0};
	const char *s = text.data ? text.data : "";
	tc_qctx qctx = {.doc_date = date};
	int rc = tc_analyzer_new(&a, &err);
	if (rc == TC_OK)
		rc = tc_analyze(a, s, text.len, lang, &tl, &err);
	if (rc == TC_OK)
		rc = tc_quantity_extract(s, text.len, &tl, &qctx, &ql, &err);
	if (rc != TC_OK) {
		fprintf(stderr, "tracuu analyze: %s\n", err.msg);
	} else if (json) {
		print_json(&tl, s, &ql);
	} else {
		print_human(&tl);
		print_quantities(s, &ql);
	}
	tc_qlist_free(&ql);
	tc_toklist_free(&tl);
	tc_analyzer_free(a);
	tc_buf_free(&text);
	return rc == TC_OK ? 0 : (rc == TC_EINVAL ? 2 : 1);
}
