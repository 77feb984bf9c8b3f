/*
 * server.h — `tracuu serve`: the socket protocol and the HTTP API of proto.h, and the
 * portal page, on a libuv loop.
 *
 * Two listeners: one speaks newline-delimited JSON (proto.h), the other HTTP/1.1 (GET
 * and HEAD; `/` is the portal page, `/api/...` the API). Both bind 127.0.0.1 unless told
 * otherwise. The loop's thread reads, cuts requests and writes answers; the requests
 * themselves run on libuv's thread pool (UV_THREADPOOL_SIZE, 4 by default), so clients
 * are answered side by side and a slow query holds up only its own connection. Each
 * connection's requests run one after the other, in the order they came, so its
 * answers come in that order and a search sent after a commit sees it.
 *
 * Limits, each a constant below, so that no client can take the server down:
 *   a request line over TC_SERVER_MAX_LINE bytes gets an ETOOLARGE answer and the rest of
 *   the line is discarded (the connection stays usable); an HTTP request head over
 *   TC_SERVER_MAX_HEAD gets 431 and the connection is closed; more than
 *   TC_SERVER_MAX_CONNS connections: the new one gets an EBUSY line (HTTP: 503) and is
 *   closed; a client with TC_SERVER_MAX_QUEUED requests (or TC_SERVER_MAX_QUEUED_BYTES
 *   of them) waiting, or whose unread answers pass TC_SERVER_MAX_PENDING bytes, is not
 *   read from until they drain, and past TC_SERVER_MAX_PENDING its waiting requests are
 *   not answered either (what a client does not take is not made); one that for
 *   TC_SERVER_IDLE_MS neither sends nor takes any answer (with nothing of its own under
 *   way) is closed. All connections together: when they hold TC_SERVER_MAX_HELD bytes
 *   (requests read, waiting, answers unsent) or more, one that holds its share of it
 *   (over the connections open) or more is neither read nor answered until they hold
 *   less; one that holds little goes on.
 *
 * Commits made by another process (`tracuu index` into the directory of a read-only
 * server) are looked for every TC_SERVER_REFRESH_MS on the pool: requests after that
 * read them (tc_proto_refresh).
 *
 * Stopping (tc_server_stop, or SIGTERM/SIGINT with handle_signals): the listeners
 * close, no more requests are read, answers already made are written, then every
 * connection closes and tc_server_run returns. Writes not committed are dropped.
 *
 * Memory: tc_server owns its loop, its handles and the tc_proto.
 */
#ifndef TC_SERVER_SERVER_H
#define TC_SERVER_SERVER_H

#include "common/err.h"

#define TC_SERVER_MAX_LINE (1u << 20)
#define TC_SERVER_MAX_HEAD (8u << 10)
#define TC_SERVER_MAX_CONNS 256
#define TC_SERVER_MAX_PENDING (8u << 20)
#define TC_SERVER_MAX_QUEUED 64
#define TC_SERVER_MAX_QUEUED_BYTES (4u << 20)
#define TC_SERVER_MAX_HELD ((size_t)256 << 20)
#define TC_SERVER_IDLE_MS 60000
#define TC_SERVER_REFRESH_MS 1000

typedef struct tc_server tc_server;

typedef struct tc_server_opts {
	const char *dir;          /* the index */
	const char *host;         /* NULL: 127.0.0.1 */
	int port;                 /* socket protocol; 0: any free port */
	int http_port;            /* HTTP; 0: any free port, -1: none */
	const char *token;        /* write token; NULL: read-only */
	int handle_signals;       /* SIGTERM and SIGINT stop the server */
	unsigned idle_ms;         /* 0: TC_SERVER_IDLE_MS */
	unsigned refresh_ms;      /* 0: TC_SERVER_REFRESH_MS */
	double time_limit_ms;     /* of every search: over it, an ELIMIT answer (and the pool
	                             thread free again); 0: none */
	size_t max_held;          /* 0: TC_SERVER_MAX_HELD */
	/* NULL, or called on the loop's thread with one line (no newline) per request
	   answered: "socket ok 0.21 ms", "socket EPARSE 0.04 ms", "http 200 0.30 ms GET
	   /api/search?q=...", refusals with "-" for the time */
	void (*on_log)(void *ctx, const char *line);
	void *log_ctx;
} tc_server_opts;

/* Opens the index and binds both ports (TC_EIO naming the address when one is taken). */
int tc_server_open(const tc_server_opts *o, tc_server **out, tc_error *err);
/* The port a listener is bound to (http: the HTTP one; -1 when there is none). */
int tc_server_port(const tc_server *s, int http);
/* Serves until stopped; 0, or the error that stopped the loop. */
int tc_server_run(tc_server *s, tc_error *err);
/* Asks a running server to stop (any thread, once or more, before tc_server_free). */
void tc_server_stop(tc_server *s);
/* After tc_server_run has returned (or without it). Accepts NULL. */
void tc_server_free(tc_server *s);

#endif
