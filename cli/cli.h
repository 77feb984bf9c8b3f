/*
 * cli.h — the subcommands of the `tracuu` program. Each takes the arguments after its
 * name and returns the process exit status: 0 success, 1 failure (the index is damaged,
 * a check failed), 2 bad usage or rejected input. Only cli/ prints or exits.
 */
#ifndef TC_CLI_H
#define TC_CLI_H

#include <stddef.h>
#include <stdint.h>

int tc_cmd_analyze(int argc, char **argv);
int tc_cmd_search(int argc, char **argv);
int tc_cmd_index(int argc, char **argv);
int tc_cmd_delete(int argc, char **argv);
int tc_cmd_stats(int argc, char **argv);
int tc_cmd_check(int argc, char **argv);
int tc_cmd_serve(int argc, char **argv);

/* A number option's value: all of s a number in [lo, hi] into *out; else -1. */
int tc_cli_parse_num(const char *s, double lo, double hi, double *out);

/* Reads all of stdin (for TEXT "-"). Returns 0 or -1 with errno set. */
int tc_cli_read_stdin(char **out, size_t *len);

/* --json output (json-c): members of an object, and the object printed on one line, as
   compact as json-c writes it, then freed. */
struct json_object;
void tc_cli_json_int(struct json_object *o, const char *key, int64_t v);
void tc_cli_json_str(struct json_object *o, const char *key, const char *s, size_t n);
void tc_cli_json_print(struct json_object *o);

#endif
