/* analyze.c — `tracuu analyze`: the tokens of a text, for people and for scripts. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analyzer.h"
#include "cli.h"
#include "common/buf.h"
#include "common/mem.h"

static int usage(FILE *f)
{
	fprintf(f,
	        "usage: tracuu analyze [--json] [--lang LANG] TEXT...\n"
	        "       tracuu analyze [--json] [--lang LANG] -      (reads the text from stdin)\n"
	        "\n"
	        "Shows the tokens of TEXT: position, byte span, exact form (lower case,\n"
	        "canonical tone placement), folded form (no diacritics, đ -> d) and, for\n"
	        "words that are not Vietnamese syllables, the Snowball stem.\n"
	        "  --json       one JSON object: {\"tokens\":[{\"pos\":0,\"exact\":...}]}\n"
	        "  --lang LANG  stemmer for non-Vietnamese words (default english)\n");
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

static void print_json(const tc_toklist *tl)
{
	json_t *root = json_object();
	json_t *toks = json_array();
	for (size_t i = 0; i < tl->n; i++) {
		const tc_token *t = &tl->tok[i];
		json_t *o = json_object();
		json_object_set_new(o, "pos", json_integer(t->pos));
		json_object_set_new(o, "exact", json_stringn(tc_tok_exact(tl, t), t->exact_len));
		json_object_set_new(o, "folded", json_stringn(tc_tok_folded(tl, t), t->folded_len));
		if (t->stem_len)
			json_object_set_new(o, "stem", json_stringn(tc_tok_stem(tl, t), t->stem_len));
		json_object_set_new(o, "start", json_integer(t->start));
		json_object_set_new(o, "end", json_integer(t->end));
		if (t->flags & TC_TOK_JOINED)
			json_object_set_new(o, "joined", json_true());
		json_array_append_new(toks, o);
	}
	json_object_set_new(root, "tokens", toks);
	if (tl->invalid_utf8)
		json_object_set_new(root, "invalid_utf8", json_integer((json_int_t)tl->invalid_utf8));
	char *s = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
	puts(s);
	free(s);
	json_decref(root);
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
	const char *lang = NULL;
	int i = 1;
	for (; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			json = 1;
		} else if (strcmp(argv[i], "--lang") == 0 && i + 1 < argc) {
			lang = argv[++i];
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
	int rc = tc_analyzer_new(&a, &err);
	if (rc == TC_OK)
		rc = tc_analyze(a, text.data ? text.data : "", text.len, lang, &tl, &err);
	if (rc != TC_OK) {
		fprintf(stderr, "tracuu analyze: %s\n", err.msg);
	} else if (json) {
		print_json(&tl);
	} else {
		print_human(&tl);
	}
	tc_toklist_free(&tl);
	tc_analyzer_free(a);
	tc_buf_free(&text);
	return rc == TC_OK ? 0 : (rc == TC_EINVAL ? 2 : 1);
}
