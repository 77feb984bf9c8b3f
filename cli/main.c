/* main.c — `tracuu`: dispatches to the subcommands in cli/. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "common/mem.h"

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *help;
} commands[] = {
	{"analyze", tc_cmd_analyze, "show how text is split, normalised and folded"},
	{"search", tc_cmd_search, "search an index: ranked hits with snippets"},
	{"index", tc_cmd_index, "add JSON Lines, .jsonl.zst or text files to an index"},
	{"delete", tc_cmd_delete, "delete documents from an index by id"},
	{"stats", tc_cmd_stats, "documents, terms and bytes of an index"},
	{"check", tc_cmd_check, "verify every checksum and invariant of an index"},
	{"serve", tc_cmd_serve, "answer searches over a socket, an HTTP API and a web page"},
};

static int usage(FILE *f)
{
	fprintf(f, "usage: tracuu COMMAND [ARGS]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\n'tracuu COMMAND --help' tells more.\n");
	return f == stdout ? 0 : 2;
}

int tc_cli_parse_num(const char *s, double lo, double hi, double *out)
{
	char *end;
	double v = strtod(s, &end);
	if (end == s || *end != '\0' || !(v >= lo && v <= hi))
		return -1;
	*out = v;
	return 0;
}

int tc_cli_read_stdin(char **out, size_t *len)
{
	size_t cap = 1 << 16, n = 0;
	char *buf = tc_malloc(cap);
	for (;;) {
		if (n == cap)
			buf = tc_realloc(buf, cap *= 2);
		size_t k = fread(buf + n, 1, cap - n, stdin);
		n += k;
		if (k == 0) {
			if (ferror(stdin)) {
				free(buf);
				return -1;
			}
			break;
		}
	}
	*out = buf;
	*len = n;
	return 0;
}

void tc_cli_json_int(struct json_object *o, const char *key, int64_t v)
{
	json_object_object_add(o, key, json_object_new_int64(v));
}

void tc_cli_json_str(struct json_object *o, const char *key, const char *s, size_t n)
{
	json_object_object_add(o, key, json_object_new_string_len(s, (int)n));
}

void tc_cli_json_print(struct json_object *o)
{
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	                                          JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage(stderr);
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0)
		return usage(stdout);
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "tracuu: unknown command '%s'\n\n", argv[1]);
	return usage(stderr);
}
