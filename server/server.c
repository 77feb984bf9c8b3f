/* server.c — the listeners, connections and limits of `tracuu serve` (see server.h). */
#include "server.h"

#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "common/buf.h"
#include "common/mem.h"
#include "server/proto.h"

typedef struct conn conn;
typedef struct job job;

struct tc_server {
	uv_loop_t loop;
	uv_tcp_t lsock, lhttp;    /* listeners */
	int has_http;
	uv_async_t wake;          /* tc_server_stop from any thread */
	uv_signal_t sigterm, sigint;
	int signals;
	int stopping;
	unsigned idle_ms;
	size_t max_held;          /* bytes all connections may hold (see over_budget) */
	size_t nstarved;          /* connections waiting for the others to hold less */
	void (*on_log)(void *ctx, const char *line);
	void *log_ctx;
	uv_timer_t refresh;       /* looks for commits made by others */
	uv_work_t refresh_work;
	int refreshing;           /* a look is under way on the pool */
	tc_proto *proto;
	conn *conns;              /* open connections, a list */
	size_t nconns;
	char rbuf[64 << 10];      /* every read lands here, handled before the next */
	int port, http_port;
};

/*
 * A request of a connection, answered in the order read: a socket line or an HTTP
 * request head to answer on the pool, or an answer made already (a refusal).
 */
struct job {
	uv_work_t work;
	conn *c;
	job *next;
	int ready;                /* out holds the answer already */
	int keep;                 /* HTTP: the connection may carry another request */
	const char *code;         /* socket: the answer's error code, NULL when ok */
	uint64_t ns;              /* time taken on the pool */
	char *req;
	size_t len;
	tc_buf out;
};

struct conn {
	uv_tcp_t tcp;
	uv_timer_t idle;
	tc_server *srv;
	int http;
	tc_buf in;                /* bytes read and not yet made into jobs */
	int eof;                  /* the client has sent all it will */
	int discarding;           /* the rest of an overlong line is being skipped */
	job *head, *tail;         /* requests not answered yet, oldest first */
	size_t queued, queued_bytes;
	int busy;                 /* the head is being answered on the pool */
	size_t pending;           /* bytes handed to uv_write and not yet written */
	int reading;
	int close_when_written;   /* no more requests: close once the answers are out */
	int starved;              /* neither read nor answered: the server holds too much */
	int closing;
	int open_handles;
	int orphan;               /* closed while busy: freed when its job comes back */
	conn *prev, *next;
};

typedef struct wreq {
	uv_write_t req;
	conn *c;
	size_t len;
	char data[];
} wreq;

/* ---- connections ---------------------------------------------------------------------- */

static void pump(conn *c);
static void resume_starved(tc_server *s);

static void job_free(job *j)
{
	free(j->req);
	tc_buf_free(&j->out);
	free(j);
}

static void conn_free(conn *c)
{
	for (job *j = c->head, *next; j; j = next) {
		next = j->next;
		job_free(j);
	}
	tc_buf_free(&c->in);
	free(c);
}

static void on_handle_closed(uv_handle_t *h)
{
	conn *c = h->data;
	if (--c->open_handles > 0)
		return;
	tc_server *s = c->srv;
	if (c->prev)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	s->nconns--;
	if (c->starved)
		s->nstarved--;
	if (c->busy)
		c->orphan = 1;  /* its job still runs on the pool and points at it */
	else
		conn_free(c);
	resume_starved(s);
}

static void conn_close(conn *c)
{
	if (c->closing)
		return;
	c->closing = 1;
	uv_read_stop((uv_stream_t *)&c->tcp);
	uv_timer_stop(&c->idle);
	uv_close((uv_handle_t *)&c->tcp, on_handle_closed);
	uv_close((uv_handle_t *)&c->idle, on_handle_closed);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	tc_server *s = ((conn *)h->data)->srv;
	*buf = uv_buf_init(s->rbuf, sizeof s->rbuf);
}

static void on_read(uv_stream_t *st, ssize_t nread, const uv_buf_t *buf);

/* Bytes c holds: read and not yet cut into requests, requests waiting, answers unsent. */
static size_t conn_held(const conn *c)
{
	return c->in.len + c->queued_bytes + c->pending;
}

static size_t server_held(const tc_server *s)
{
	size_t total = 0;
	for (const conn *k = s->conns; k; k = k->next)
		total += conn_held(k);
	return total;
}

/* Whether c holds its share of the server's budget (the budget over the connections). */
static int holds_share(const conn *c)
{
	const tc_server *s = c->srv;
	return conn_held(c) >= s->max_held / (s->nconns ? s->nconns : 1);
}

/*
 * Whether c must wait for the others: all connections together hold the server's
 * budget or more, and c its share of it or more. So a client that holds little is read
 * and answered however much the others pile up, and the server holds about twice its
 * budget at most (plus the last read or answer of each connection).
 */
static int over_budget(const conn *c)
{
	return holds_share(c) && server_held(c->srv) >= c->srv->max_held;
}

/* Marks c as waiting for the others (resume_starved reads and answers it again). */
static int starve(conn *c)
{
	if (!c->starved) {
		c->starved = 1;
		c->srv->nstarved++;
	}
	return 1;
}

/* Too much unsent to c, or the server holds too much and c its share: c is neither read
   nor answered until that changes (on_written, resume_starved). */
static int held_back(conn *c)
{
	return c->pending >= TC_SERVER_MAX_PENDING || (over_budget(c) && starve(c));
}

/* Enough requests wait: no more are read or cut from what was read. */
static int queue_full(const conn *c)
{
	return c->queued >= TC_SERVER_MAX_QUEUED || c->queued_bytes >= TC_SERVER_MAX_QUEUED_BYTES;
}

/* Reads on while the client is owed little: few requests queued, few bytes unsent. */
static void read_more(conn *c)
{
	if (c->reading || c->closing || c->close_when_written || c->eof || c->srv->stopping ||
	    queue_full(c) || held_back(c))
		return;
	if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) == 0)
		c->reading = 1;
	else
		conn_close(c);
}

static void read_less(conn *c)
{
	if (c->reading)
		uv_read_stop((uv_stream_t *)&c->tcp);
	c->reading = 0;
}

/* Closes c once nothing is left to answer or to write, after finish(). */
static void maybe_close(conn *c)
{
	if (c->close_when_written && !c->busy && c->head == NULL && c->pending == 0)
		conn_close(c);
}

/* No more requests from c: what it asked already is answered, then it is closed. */
static void finish(conn *c)
{
	read_less(c);
	c->close_when_written = 1;
	maybe_close(c);
}

/* The connections that waited for the others, read and answered again where they may. */
static void resume_starved(tc_server *s)
{
	if (s->nstarved == 0)
		return;
	size_t total = server_held(s);
	for (conn *k = s->conns; k && s->nstarved; k = k->next) {
		if (!k->starved || (holds_share(k) && total >= s->max_held))
			continue;
		k->starved = 0;
		s->nstarved--;
		if (!k->closing)
			pump(k);
	}
}

static void on_written(uv_write_t *req, int status)
{
	wreq *w = (wreq *)req;
	conn *c = w->c;
	c->pending -= w->len;
	free(w);
	if (c->closing)
		return;
	if (status < 0) {  /* the client went away */
		conn_close(c);
		return;
	}
	uv_timer_again(&c->idle);  /* a client reading its answers, however slowly, is not idle */
	maybe_close(c);
	pump(c);  /* the next answers, held back while too many were unread, and reading */
	resume_starved(c->srv);
}

static void send_bytes(conn *c, const char *data, size_t len)
{
	if (len == 0 || c->closing)
		return;
	wreq *w = tc_malloc(sizeof *w + len);
	memcpy(w->data, data, len);
	w->c = c;
	w->len = len;
	uv_buf_t b = uv_buf_init(w->data, (unsigned)len);
	if (uv_write(&w->req, (uv_stream_t *)&c->tcp, &b, 1, on_written) != 0) {
		free(w);
		conn_close(c);
		return;
	}
	c->pending += len;
	if (c->pending >= TC_SERVER_MAX_PENDING)
		read_less(c);  /* a client that does not read its answers is not read either */
}

static void on_idle(uv_timer_t *t)
{
	conn *c = t->data;
	if (!c->busy && c->head == NULL)  /* silent, and not waiting for an answer */
		conn_close(c);
}

/* ---- requests in order ---------------------------------------------------------------- */

/* On the pool: the answer to the head request of a connection. */
static void on_work(uv_work_t *w)
{
	job *j = w->data;
	tc_proto *p = j->c->srv->proto;
	uint64_t t0 = uv_hrtime();
	if (j->c->http)
		j->keep = tc_proto_http_request(p, j->req, j->len, &j->out);
	else
		j->code = tc_proto_line(p, j->req, j->len, &j->out);
	j->ns = uv_hrtime() - t0;
}

/* One line of the request log for job j, answered (see tc_server_opts.on_log). */
static void log_job(conn *c, const job *j)
{
	tc_server *s = c->srv;
	if (s->on_log == NULL)
		return;
	char when[32] = "-", line[512];
	if (!j->ready)
		snprintf(when, sizeof when, "%.2f ms", (double)j->ns / 1e6);
	if (!c->http) {
		const char *code = j->code;
		if (j->ready) {  /* a refusal made here: its code from its answer */
			const char *at = strstr(j->out.data, "\"code\":\"");
			code = at ? at + 8 : "?";
		}
		snprintf(line, sizeof line, "socket %.*s %s", (int)strcspn(code ? code : "ok", "\""),
		         code ? code : "ok", when);
	} else {
		/* the status from the response, the request line as sent (up to 300 bytes) */
		int status = j->out.len > 12 ? atoi(j->out.data + 9) : 0;
		size_t n = j->req ? strcspn(j->req, "\r\n") : 0;
		char req[301];
		snprintf(req, sizeof req, "%.*s", (int)(n < 300 ? n : 300), j->req ? j->req : "");
		for (char *q = req; *q; q++)
			if ((unsigned char)*q < 0x20)
				*q = ' ';
		snprintf(line, sizeof line, "http %d %s %s", status, when, req);
	}
	s->on_log(s->log_ctx, line);
}

static void parse_input(conn *c);

/* Sends the head job's answer and drops it. */
static void answer_head(conn *c)
{
	job *j = c->head;
	c->head = j->next;
	if (c->head == NULL)
		c->tail = NULL;
	c->queued--;
	c->queued_bytes -= j->len;
	log_job(c, j);
	send_bytes(c, j->out.data, j->out.len);
	int keep = !c->http || j->keep;
	job_free(j);
	if (!keep) {  /* HTTP without keep-alive: whatever follows is not answered */
		for (job *k = c->head, *next; k; k = next) {
			next = k->next;
			job_free(k);
		}
		c->head = c->tail = NULL;
		c->queued = c->queued_bytes = 0;
		finish(c);
	}
}

static void on_work_done(uv_work_t *w, int status)
{
	job *j = w->data;
	conn *c = j->c;
	c->busy = 0;
	if (c->orphan) {
		conn_free(c);
		return;
	}
	if (c->closing)
		return;
	answer_head(c);
	pump(c);
}

/* Answers the queued requests in order, one on the pool at a time. */
static void pump(conn *c)
{
	while (!c->closing && !c->busy) {
		if (c->head == NULL) {
			/* what was held back while the queue was full */
			if (c->in.len == 0 || c->close_when_written)
				break;
			parse_input(c);
			if (c->head == NULL)
				break;
		}
		/* answers the client has not taken stop the next ones being made, not only the
		   reading of more requests: else every request waiting adds its answer */
		if (held_back(c))
			break;
		job *j = c->head;
		if (j->ready) {
			answer_head(c);
			continue;
		}
		j->work.data = j;
		if (uv_queue_work(&c->srv->loop, &j->work, on_work, on_work_done) != 0) {
			conn_close(c);
			return;
		}
		c->busy = 1;
	}
	if (!c->closing) {
		maybe_close(c);
		read_more(c);
	}
}

static void enqueue(conn *c, const char *req, size_t len, int ready)
{
	job *j = tc_calloc(1, sizeof *j);
	j->c = c;
	j->ready = ready;
	if (ready)
		tc_buf_append(&j->out, req, len);
	else
		j->req = tc_strndup(req, len);
	j->len = len;
	if (c->tail)
		c->tail->next = j;
	else
		c->head = j;
	c->tail = j;
	c->queued++;
	c->queued_bytes += len;
	if (queue_full(c))
		read_less(c);
}

/* A refusal made here, answered in its turn. */
static void enqueue_refusal(conn *c, const char *code, const char *message)
{
	tc_buf b = {0};
	tc_proto_refusal(code, message, 1, &b);
	enqueue(c, b.data, b.len, 1);
	tc_buf_free(&b);
}

/* ---- the socket protocol -------------------------------------------------------------- */

static void consume(tc_buf *b, size_t n)
{
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
	b->data[b->len] = '\0';
}

/* One line without its newline: queued unless blank (a trailing CR is no part of it). */
static void line_request(conn *c, const char *line, size_t len)
{
	while (len && (line[len - 1] == '\r' || line[len - 1] == ' ' || line[len - 1] == '\t'))
		len--;
	size_t i = 0;
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (i < len)
		enqueue(c, line + i, len - i, 0);
}

static void too_large(conn *c)
{
	char m[96];
	snprintf(m, sizeof m, "a request line is at most %u bytes", TC_SERVER_MAX_LINE);
	enqueue_refusal(c, "ETOOLARGE", m);
}

/* Queues the whole lines of c->in (at the end of input, the last needs no newline). */
static void serve_lines(conn *c)
{
	tc_buf *in = &c->in;
	size_t at = 0;
	while (at < in->len && !queue_full(c)) {
		char *nl = memchr(in->data + at, '\n', in->len - at);
		if (nl == NULL && !c->eof)
			break;
		size_t end = nl ? (size_t)(nl - in->data) : in->len;
		if (c->discarding)
			c->discarding = 0;  /* the tail of a line already refused */
		else if (end - at > TC_SERVER_MAX_LINE)
			too_large(c);
		else
			line_request(c, in->data + at, end - at);
		at = nl ? end + 1 : end;
	}
	consume(in, at);
	if (in->len > TC_SERVER_MAX_LINE && memchr(in->data, '\n', in->len) == NULL) {
		/* no end in sight: refuse it now */
		if (!c->discarding)
			too_large(c);
		c->discarding = 1;
		consume(in, in->len);
	}
	if (c->eof && in->len == 0)
		finish(c);
}

/* Queues the whole request heads of c->in. */
static void serve_http(conn *c)
{
	tc_buf *in = &c->in;
	while (in->len && !c->close_when_written && !queue_full(c)) {
		size_t head = 0;
		for (size_t i = 0; i + 1 < in->len && head == 0; i++)
			if (in->data[i] == '\n' &&
			    (in->data[i + 1] == '\n' || (in->data[i + 1] == '\r' && i + 2 < in->len &&
			                                 in->data[i + 2] == '\n')))
				head = i + (in->data[i + 1] == '\n' ? 2 : 3);
		if (head == 0 && in->len <= TC_SERVER_MAX_HEAD)
			break;  /* more to come, or a request cut short at the end */
		if (head == 0 || head > TC_SERVER_MAX_HEAD) {
			tc_buf r = {0};
			tc_proto_http_error(431, "ETOOLARGE", "the request head is over 8 KiB", &r);
			enqueue(c, r.data, r.len, 1);
			tc_buf_free(&r);
			c->tail->keep = 0;
			consume(in, in->len);
			break;
		}
		enqueue(c, in->data, head, 0);
		consume(in, head);
	}
	if (c->eof && !queue_full(c))
		finish(c);
}

static void parse_input(conn *c)
{
	if (c->http)
		serve_http(c);
	else
		serve_lines(c);
}

/* ---- reading -------------------------------------------------------------------------- */

static void on_read(uv_stream_t *st, ssize_t nread, const uv_buf_t *buf)
{
	conn *c = st->data;
	if (nread == 0)
		return;
	if (nread < 0 && nread != UV_EOF) {  /* reset, or worse: nobody to answer */
		conn_close(c);
		return;
	}
	if (nread > 0) {
		uv_timer_again(&c->idle);
		tc_buf_append(&c->in, buf->base, (size_t)nread);
	} else {
		c->eof = 1;
		read_less(c);
	}
	parse_input(c);
	pump(c);
	if (c->reading && over_budget(c) && starve(c))
		read_less(c);
}

static void on_connection(uv_stream_t *l, int status)
{
	tc_server *s = l->data;
	if (status < 0 || s->stopping)
		return;
	conn *c = tc_calloc(1, sizeof *c);
	c->srv = s;
	c->http = l == (uv_stream_t *)&s->lhttp;
	uv_tcp_init(&s->loop, &c->tcp);
	uv_timer_init(&s->loop, &c->idle);
	c->tcp.data = c->idle.data = c;
	c->open_handles = 2;
	c->next = s->conns;
	if (s->conns)
		s->conns->prev = c;
	s->conns = c;
	s->nconns++;
	if (uv_accept(l, (uv_stream_t *)&c->tcp) != 0) {
		conn_close(c);
		return;
	}
	uv_tcp_nodelay(&c->tcp, 1);
	if (s->nconns > TC_SERVER_MAX_CONNS) {
		char m[96];
		snprintf(m, sizeof m, "more than %d connections: try again later", TC_SERVER_MAX_CONNS);
		if (c->http) {
			tc_buf r = {0};
			tc_proto_http_error(503, "EBUSY", m, &r);
			enqueue(c, r.data, r.len, 1);
			tc_buf_free(&r);
		} else {
			enqueue_refusal(c, "EBUSY", m);
		}
		finish(c);
		pump(c);
		return;
	}
	uv_timer_start(&c->idle, on_idle, s->idle_ms, s->idle_ms);
	read_more(c);
}

/* ---- the server ----------------------------------------------------------------------- */

static void on_refresh_work(uv_work_t *w)
{
	tc_server *s = w->data;
	/* an index being rewritten is read again at the next look: nothing to report */
	tc_proto_refresh(s->proto, NULL);
}

static void on_refresh_done(uv_work_t *w, int status)
{
	((tc_server *)w->data)->refreshing = 0;
}

static void on_refresh(uv_timer_t *t)
{
	tc_server *s = t->data;
	if (s->refreshing || s->stopping)
		return;
	s->refresh_work.data = s;
	if (uv_queue_work(&s->loop, &s->refresh_work, on_refresh_work, on_refresh_done) == 0)
		s->refreshing = 1;
}

static void begin_stop(tc_server *s)
{
	if (s->stopping)
		return;
	s->stopping = 1;
	uv_close((uv_handle_t *)&s->refresh, NULL);
	uv_close((uv_handle_t *)&s->lsock, NULL);
	if (s->has_http)
		uv_close((uv_handle_t *)&s->lhttp, NULL);
	uv_close((uv_handle_t *)&s->wake, NULL);
	if (s->signals) {
		uv_close((uv_handle_t *)&s->sigterm, NULL);
		uv_close((uv_handle_t *)&s->sigint, NULL);
	}
	for (conn *c = s->conns; c; c = c->next)
		finish(c);
}

static void on_wake(uv_async_t *a)
{
	begin_stop(a->data);
}

static void on_signal(uv_signal_t *h, int signum)
{
	begin_stop(h->data);
}

static int listen_on(tc_server *s, uv_tcp_t *t, const char *host, int port, int *bound,
                     tc_error *err)
{
	struct sockaddr_storage addr;
	if (uv_ip4_addr(host, port, (struct sockaddr_in *)&addr) != 0 &&
	    uv_ip6_addr(host, port, (struct sockaddr_in6 *)&addr) != 0)
		return tc_error_set(err, TC_EINVAL, "serve: '%s' is not an IP address", host);
	int rc = uv_tcp_bind(t, (const struct sockaddr *)&addr, 0);
	if (rc == 0)
		rc = uv_listen((uv_stream_t *)t, 128, on_connection);
	if (rc != 0)
		return tc_error_set(err, TC_EIO, "serve: cannot listen on %s port %d: %s", host, port,
		                    uv_strerror(rc));
	struct sockaddr_storage got;
	int len = sizeof got;
	uv_tcp_getsockname(t, (struct sockaddr *)&got, &len);
	*bound = ntohs(got.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&got)->sin6_port
	                                         : ((struct sockaddr_in *)&got)->sin_port);
	return TC_OK;
}

int tc_server_open(const tc_server_opts *o, tc_server **out, tc_error *err)
{
	*out = NULL;
	tc_server *s = tc_calloc(1, sizeof *s);
	s->idle_ms = o->idle_ms ? o->idle_ms : TC_SERVER_IDLE_MS;
	s->max_held = o->max_held ? o->max_held : TC_SERVER_MAX_HELD;
	s->on_log = o->on_log;
	s->log_ctx = o->log_ctx;
	s->port = s->http_port = -1;
	tc_proto_opts po = {.dir = o->dir, .token = o->token, .time_limit_ms = o->time_limit_ms};
	int rc = tc_proto_open(&po, &s->proto, err);
	if (rc != TC_OK) {
		free(s);
		return rc;
	}
	uv_loop_init(&s->loop);
	uv_async_init(&s->loop, &s->wake, on_wake);
	s->wake.data = s;
	unsigned every = o->refresh_ms ? o->refresh_ms : TC_SERVER_REFRESH_MS;
	uv_timer_init(&s->loop, &s->refresh);
	s->refresh.data = s;
	uv_timer_start(&s->refresh, on_refresh, every, every);
	uv_tcp_init(&s->loop, &s->lsock);
	s->lsock.data = s;
	if (o->http_port >= 0) {
		s->has_http = 1;
		uv_tcp_init(&s->loop, &s->lhttp);
		s->lhttp.data = s;
	}
	const char *host = o->host ? o->host : "127.0.0.1";
	rc = listen_on(s, &s->lsock, host, o->port, &s->port, err);
	if (rc == TC_OK && s->has_http)
		rc = listen_on(s, &s->lhttp, host, o->http_port, &s->http_port, err);
	if (rc == TC_OK && o->handle_signals) {
		s->signals = 1;
		uv_signal_init(&s->loop, &s->sigterm);
		uv_signal_init(&s->loop, &s->sigint);
		s->sigterm.data = s->sigint.data = s;
		uv_signal_start(&s->sigterm, on_signal, SIGTERM);
		uv_signal_start(&s->sigint, on_signal, SIGINT);
	}
	*out = s;
	if (rc != TC_OK) {
		tc_server_free(s);
		*out = NULL;
	}
	return rc;
}

int tc_server_port(const tc_server *s, int http)
{
	return http ? s->http_port : s->port;
}

int tc_server_run(tc_server *s, tc_error *err)
{
	int rc = uv_run(&s->loop, UV_RUN_DEFAULT);
	if (rc != 0 && !s->stopping)
		return tc_error_set(err, TC_EIO, "serve: the event loop stopped with work left");
	return TC_OK;
}

void tc_server_stop(tc_server *s)
{
	uv_async_send(&s->wake);
}

void tc_server_free(tc_server *s)
{
	if (s == NULL)
		return;
	begin_stop(s);
	for (conn *c = s->conns; c; c = c->next)
		conn_close(c);  /* answers still unwritten are dropped */
	uv_run(&s->loop, UV_RUN_DEFAULT);
	uv_loop_close(&s->loop);
	tc_proto_free(s->proto);
	free(s);
}
