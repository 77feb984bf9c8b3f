/* serve.c — `tracuu serve`: the socket protocol, the HTTP API and the portal page. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "server/server.h"

#define TOKEN_MAX 256
/* No query of the bench takes 0.1 s on a corpus of 40,000 documents: one that takes 2 s
   is pathological, and holds a pool thread (of 4) while it runs */
#define SERVE_TIME_LIMIT_MS 2000

static int usage(FILE *f)
{
	fprintf(f,
	        "usage: tracuu serve -i DIR [--host ADDR] [--port N] [--http-port N]\n"
	        "                    [--token-file FILE] [--time-limit MS] [--client-memory MB]\n"
	        "                    [--log]\n"
	        "\n"
	        "Serves the index in DIR until SIGTERM or Ctrl-C (answers already asked for are\n"
	        "sent first). Both listeners bind 127.0.0.1 unless --host says otherwise.\n"
	        "  --port N        newline-delimited JSON requests (default 7700; 0: any free)\n"
	        "  --http-port N   HTTP: the portal page at /, the API at /api/search,\n"
	        "                  /api/doc, /api/stats (default 7701; 0: any free; -1: none)\n"
	        "  --token-file F  the write token (the file's first line): add, delete and\n"
	        "                  commit need it. Without one the server is read-only.\n"
	        "  --time-limit MS a search still running after MS milliseconds stops with an\n"
	        "                  ELIMIT answer (default 2000; 0: none)\n"
	        "  --client-memory MB  what all clients together may have the server hold (their\n"
	        "                  requests waiting, answers unsent; default 256): past it, a\n"
	        "                  client holding its share waits, the others go on\n"
	        "  --log           one line per request on stderr: time, listener, status or\n"
	        "                  error code, milliseconds (HTTP: the request line too)\n"
	        "The protocol is in the README (\"Server\").\n");
	return f == stdout ? 0 : 2;
}

static int parse_port(const char *s, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (end == s || *end != '\0' || v < -1 || v > 65535)
		return -1;
	*out = (int)v;
	return 0;
}

/* The token: the first line of path, without its newline; NULL with a message. */
static char *read_token(const char *path)
{
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		fprintf(stderr, "tracuu serve: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	char buf[TOKEN_MAX + 2];
	char *line = fgets(buf, sizeof buf, f);
	fclose(f);
	size_t n = line ? strcspn(buf, "\r\n") : 0;
	if (n == 0 || n > TOKEN_MAX) {
		fprintf(stderr, "tracuu serve: %s: the token is its first line, 1 to %d bytes\n", path,
		        TOKEN_MAX);
		return NULL;
	}
	buf[n] = '\0';
	return strdup(buf);
}

/* A line of the request log, with the time (UTC) in front. */
static void log_line(void *ctx, const char *line)
{
	char when[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(stderr, "%s %s\n", when, line);
}

int tc_cmd_serve(int argc, char **argv)
{
	tc_server_opts o = {0};
	o.port = 7700;
	o.http_port = 7701;
	o.handle_signals = 1;
	o.time_limit_ms = SERVE_TIME_LIMIT_MS;
	const char *token_file = NULL;
	double mb;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int more = i + 1 < argc;
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
			return usage(stdout);
		if ((strcmp(a, "-i") == 0 || strcmp(a, "--index") == 0) && more)
			o.dir = argv[++i];
		else if (strcmp(a, "--host") == 0 && more)
			o.host = argv[++i];
		else if (strcmp(a, "--port") == 0 && more && parse_port(argv[i + 1], &o.port) == 0 &&
		         o.port >= 0)
			i++;
		else if (strcmp(a, "--http-port") == 0 && more && parse_port(argv[i + 1], &o.http_port) == 0)
			i++;
		else if (strcmp(a, "--token-file") == 0 && more)
			token_file = argv[++i];
		else if (strcmp(a, "--time-limit") == 0 && more &&
		         tc_cli_parse_num(argv[i + 1], 0, 1e9, &o.time_limit_ms) == 0)
			i++;
		else if (strcmp(a, "--client-memory") == 0 && more &&
		         tc_cli_parse_num(argv[i + 1], 1, 1 << 20, &mb) == 0) {
			o.max_held = (size_t)(mb * (1 << 20));
			i++;
		} else if (strcmp(a, "--log") == 0)
			o.on_log = log_line;
		else {
			fprintf(stderr, "tracuu serve: bad option or value '%s'\n", a);
			return usage(stderr);
		}
	}
	if (o.dir == NULL) {
		fprintf(stderr, "tracuu serve: no index (-i DIR)\n");
		return usage(stderr);
	}
	char *token = NULL;
	if (token_file && (token = read_token(token_file)) == NULL)
		return 2;
	o.token = token;
	/* a client gone mid-answer is an error on that connection, not a reason to die */
	signal(SIGPIPE, SIG_IGN);
	tc_error err = {0};
	tc_server *s;
	if (tc_server_open(&o, &s, &err) != TC_OK) {
		fprintf(stderr, "tracuu serve: %s\n", err.msg);
		free(token);
		return 1;
	}
	const char *host = o.host ? o.host : "127.0.0.1";
	printf("tracuu serve: %s, %s\n", o.dir, token ? "writes with the token" : "read-only");
	printf("  socket (JSON lines)  %s:%d\n", host, tc_server_port(s, 0));
	if (tc_server_port(s, 1) >= 0)
		printf("  portal               http://%s:%d/\n", host, tc_server_port(s, 1));
	printf("Stop with Ctrl-C.\n");
	fflush(stdout);
	int rc = tc_server_run(s, &err);
	if (rc != TC_OK)
		fprintf(stderr, "tracuu serve: %s\n", err.msg);
	tc_server_free(s);
	free(token);
	fprintf(stderr, "tracuu serve: stopped\n");
	return rc == TC_OK ? 0 : 1;
}
