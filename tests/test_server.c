/* test_server.c — `tracuu serve`: the requests of the socket protocol and the HTTP API
 * (table-driven, without sockets), then the server over real sockets: order, limits,
 * bad input, dropped clients, idle clients, stopping. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/mem.h"
#include "indexer/indexer.h"
#include "server/proto.h"
#include "server/server.h"
#define TU_FULL_DISK
#include "testutil.h"

static char dir[256];

static const char *const docs[] = {
	"{\"id\":\"hop1\",\"title\":\"tin\",\"body\":\"hợp đồng hợp tác hợp lý\"}",
	"{\"id\":\"hop2\",\"title\":\"Phiên họp\",\"body\":\"phiên họp sáng nay về kế hoạch\"}",
	"{\"id\":\"ndxp\",\"title\":\"báo cáo\",\"body\":\"NDXP đạt hơn 1,35 tỷ giao dịch.\"}",
};

static int setup(void **state)
{
	snprintf(dir, sizeof dir, "/tmp/tracuu-test-server-%d-XXXXXX", (int)getpid());
	if (mkdtemp(dir) == NULL)
		return -1;
	tc_error err = {0};
	tc_indexer *ix;
	int rc = tc_indexer_open(dir, NULL, &ix, &err);
	for (size_t i = 0; rc == TC_OK && i < sizeof docs / sizeof *docs; i++)
		rc = tc_indexer_add_json(ix, "test", docs[i], strlen(docs[i]), &err);
	if (rc == TC_OK)
		rc = tc_indexer_commit(ix, &err);
	tc_indexer_free(ix);
	signal(SIGPIPE, SIG_IGN);
	return rc;
}

static int teardown(void **state)
{
	char cmd[512];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* ---- requests without sockets ------------------------------------------------------- */

typedef struct exchange {
	const char *request;
	const char *want[3];      /* substrings of the answer, in this order */
} exchange;

static void expect_answer(tc_proto *p, const exchange *x)
{
	tc_buf out = {0};
	tc_proto_line(p, x->request, strlen(x->request), &out);
	if (out.len == 0 || out.data[out.len - 1] != '\n' || memchr(out.data, '\n', out.len - 1))
		fail_msg("%s: not one line: %s", x->request, out.data ? out.data : "");
	const char *at = out.data;
	for (size_t i = 0; i < 3 && x->want[i]; i++) {
		const char *f = strstr(at, x->want[i]);
		if (f == NULL)
			fail_msg("%s: answer %s lacks %s", x->request, out.data, x->want[i]);
		at = f + strlen(x->want[i]);
	}
	tc_buf_free(&out);
}

static void test_requests(void **state)
{
	tc_proto_opts o = {.dir = dir, .token = "s3cret"};
	tc_proto *p;
	tc_error err = {0};
	assert_int_equal(tc_proto_open(&o, &p, &err), TC_OK);
	static const exchange table[] = {
		{"{\"id\":1,\"op\":\"search\",\"q\":\"họp\"}",
		 {"{\"id\":1,\"ok\":true,\"total\":2,", "\"id\":\"hop2\"", "\"id\":\"hop1\""}},
		{"{\"id\":\"a\",\"op\":\"search\",\"q\":\"họp\",\"strict\":true}",
		 {"{\"id\":\"a\",\"ok\":true,\"total\":1,", "\"id\":\"hop2\"", "<mark>họp</mark>"}},
		{"{\"id\":[1,2],\"op\":\"search\",\"q\":\"NDXP > 1 tỷ giao dịch\",\"k\":1,\"snippet\":60}",
		 {"{\"id\":[1,2],\"ok\":true,\"total\":1", "<mark>1,35 tỷ giao dịch</mark>"}},
		{"{\"id\":2,\"op\":\"search\",\"q\":\"hợp \\\"đồng\"}",
		 {"{\"id\":2,\"ok\":false", "\"code\":\"EPARSE\"", "\"offset\":6}"}},
		{"{\"id\":3,\"op\":\"search\",\"q\":\"họp\",\"k\":0}", {"\"ok\":false", "EREQUEST", "k must"}},
		{"{\"id\":3,\"op\":\"search\",\"q\":\"họp\",\"k\":\"5\"}",
		 {"\"ok\":false", "\\\"k\\\" must be a whole number"}},
		{"{\"id\":3,\"op\":\"search\",\"q\":\"họp\",\"strict\":1}", {"\"ok\":false", "strict"}},
		{"{\"id\":4,\"op\":\"search\"}", {"{\"id\":4,\"ok\":false", "missing \\\"q\\\""}},
		{"{\"id\":5}", {"{\"id\":5,\"ok\":false", "missing \\\"op\\\""}},
		{"{\"id\":6,\"op\":\"fly\"}", {"{\"id\":6,\"ok\":false", "\"code\":\"EOP\""}},
		{"[1,2]", {"{\"id\":null,\"ok\":false", "a request is a JSON object"}},
		{"{\"id\":7,", {"{\"id\":null,\"ok\":false", "EREQUEST", "not a JSON object"}},
		{"{\"id\":7} x", {"{\"id\":null,\"ok\":false", "EREQUEST"}},
		{"\xff\xfe", {"{\"id\":null,\"ok\":false", "EREQUEST"}},
		{"{\"id\":8,\"op\":\"get\",\"doc\":\"hop2\"}",
		 {"{\"id\":8,\"ok\":true,\"doc\":{\"id\":\"hop2\"", "\"title\":\"Phiên họp\""}},
		{"{\"id\":9,\"op\":\"get\",\"doc\":\"zz\"}", {"{\"id\":9,\"ok\":false", "ENOENT"}},
		{"{\"id\":10,\"op\":\"stats\"}", {"{\"id\":10,\"ok\":true,\"docs\":3,\"deleted\":0"}},
		/* writes: the token, then what a commit shows */
		{"{\"id\":11,\"op\":\"add\",\"doc\":{\"id\":\"hop3\",\"body\":\"cuộc họp\"}}",
		 {"{\"id\":11,\"ok\":false", "ETOKEN"}},
		{"{\"id\":12,\"op\":\"add\",\"token\":\"s3cre\",\"doc\":{\"id\":\"hop3\",\"body\":\"x\"}}",
		 {"{\"id\":12,\"ok\":false", "ETOKEN"}},
		{"{\"id\":13,\"op\":\"add\",\"token\":\"s3cret\",\"doc\":{\"id\":\"hop3\",\"body\":\"cuộc "
		 "họp chiều\"}}",
		 {"{\"id\":13,\"ok\":true}"}},
		{"{\"id\":14,\"op\":\"add\",\"token\":\"s3cret\",\"doc\":{\"body\":\"no id\"}}",
		 {"{\"id\":14,\"ok\":false", "EPARSE"}},
		{"{\"id\":15,\"op\":\"search\",\"q\":\"họp\",\"strict\":true}", {"\"total\":1,"}},
		{"{\"id\":16,\"op\":\"commit\",\"token\":\"s3cret\"}",
		 {"{\"id\":16,\"ok\":true,\"docs\":4,"}},
		{"{\"id\":17,\"op\":\"search\",\"q\":\"họp\",\"strict\":true}", {"\"total\":2,", "hop3"}},
		{"{\"id\":18,\"op\":\"delete\",\"token\":\"s3cret\",\"doc\":\"hop3\"}",
		 {"{\"id\":18,\"ok\":true}"}},
		{"{\"id\":19,\"op\":\"delete\",\"token\":\"s3cret\",\"doc\":\"never\"}",
		 {"{\"id\":19,\"ok\":false", "ENOENT"}},
		{"{\"id\":20,\"op\":\"commit\",\"token\":\"s3cret\"}",
		 {"{\"id\":20,\"ok\":true,\"docs\":3,"}},
		{"{\"id\":21,\"op\":\"get\",\"doc\":\"hop3\"}", {"{\"id\":21,\"ok\":false", "ENOENT"}},
	};
	for (size_t i = 0; i < sizeof table / sizeof *table; i++)
		expect_answer(p, &table[i]);
	tc_proto_free(p);

	/* without a token: read-only, and the index may be written by someone else */
	tc_proto_opts ro = {.dir = dir, .token = NULL};
	assert_int_equal(tc_proto_open(&ro, &p, &err), TC_OK);
	tc_proto *writer;
	tc_proto_opts rw = {.dir = dir, .token = "t"};
	assert_int_equal(tc_proto_open(&rw, &writer, &err), TC_OK);
	tc_proto *second;
	assert_int_equal(tc_proto_open(&rw, &second, &err), TC_ELOCKED);  /* one writer */
	tc_proto_free(writer);
	static const exchange ro_table[] = {
		{"{\"id\":1,\"op\":\"commit\",\"token\":\"t\"}", {"{\"id\":1,\"ok\":false", "EREADONLY"}},
		{"{\"id\":2,\"op\":\"search\",\"q\":\"hop\"}", {"{\"id\":2,\"ok\":true,\"total\":2"}},
	};
	for (size_t i = 0; i < sizeof ro_table / sizeof *ro_table; i++)
		expect_answer(p, &ro_table[i]);
	tc_proto_free(p);

	/* the server's time limit: a search over it is answered ELIMIT, socket and HTTP */
	tc_proto_opts limited = {.dir = dir, .time_limit_ms = 1e-6};
	assert_int_equal(tc_proto_open(&limited, &p, &err), TC_OK);
	static const exchange over = {"{\"id\":3,\"op\":\"search\",\"q\":\"hop\"}",
	                              {"{\"id\":3,\"ok\":false", "\"code\":\"ELIMIT\"",
	                               "over its time limit"}};
	expect_answer(p, &over);
	tc_buf out = {0};
	assert_int_equal(tc_proto_http(p, "/api/search?q=hop", 17, &out), 400);
	assert_non_null(strstr(out.data, "\"code\":\"ELIMIT\""));
	tc_buf_free(&out);
	tc_proto_free(p);
	tc_proto_opts none = {.dir = "/nonexistent/tracuu", .token = NULL};
	assert_int_equal(tc_proto_open(&none, &p, &err), TC_ENOENT);
}

static void test_http_api(void **state)
{
	tc_proto_opts o = {.dir = dir, .token = NULL};
	tc_proto *p;
	tc_error err = {0};
	assert_int_equal(tc_proto_open(&o, &p, &err), TC_OK);
	static const struct {
		const char *target;
		int status;
		const char *want;
	} table[] = {
		{"/api/search?q=h%E1%BB%8Dp&k=1", 200, "{\"total\":2,"},
		{"/api/search?q=h%E1%BB%8Dp&strict=true", 200, "{\"total\":1,"},
		{"/api/search?q=phi%C3%AAn+h%E1%BB%8Dp", 200, "<mark>phiên họp</mark>"},
		{"/api/search?q=hop&offset=1&k=1", 200, "{\"total\":2,"},
		{"/api/search?q=%22abc", 400, "{\"error\":{\"code\":\"EPARSE\""},
		{"/api/search?q=%zz", 400, "bad percent escape"},
		{"/api/search?q=x&k=ten", 400, "whole number"},
		{"/api/search?k=1", 400, "missing q"},
		{"/api/doc?id=ndxp", 200, "{\"doc\":{\"id\":\"ndxp\""},
		{"/api/doc?id=none", 404, "ENOENT"},
		{"/api/stats", 200, "{\"docs\":3,"},
		{"/api/nothing", 404, "no such path"},
	};
	for (size_t i = 0; i < sizeof table / sizeof *table; i++) {
		tc_buf out = {0};
		int status = tc_proto_http(p, table[i].target, strlen(table[i].target), &out);
		if (status != table[i].status || out.data == NULL || strstr(out.data, table[i].want) == NULL)
			fail_msg("%s: %d %s, want %d with %s", table[i].target, status,
			         out.data ? out.data : "", table[i].status, table[i].want);
		tc_buf_free(&out);
	}
	tc_proto_free(p);
}

/* ---- over sockets -------------------------------------------------------------------- */

static void *serve_thread(void *arg)
{
	tc_error err = {0};
	assert_int_equal(tc_server_run(arg, &err), TC_OK);
	return NULL;
}

static int connect_to(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {0};
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
	return fd;
}

static void send_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t k = send(fd, s, n, 0);
		assert_true(k > 0);
		s += k;
		n -= (size_t)k;
	}
}

static void send_str(int fd, const char *s)
{
	send_all(fd, s, strlen(s));
}

/* Reads until want newlines (or want bytes when lines is 0), EOF or 5 s of silence. */
static char *read_until(int fd, size_t lines, size_t bytes, size_t *got)
{
	tc_buf b = {0};
	size_t nl = 0;
	while ((lines == 0 || nl < lines) && (bytes == 0 || b.len < bytes)) {
		struct pollfd pf = {fd, POLLIN, 0};
		if (poll(&pf, 1, 5000) <= 0)
			break;
		char tmp[65536];
		ssize_t k = read(fd, tmp, sizeof tmp);
		if (k <= 0)
			break;
		tc_buf_append(&b, tmp, (size_t)k);
		for (ssize_t i = 0; i < k; i++)
			nl += tmp[i] == '\n';
	}
	*got = b.len;
	if (b.data == NULL)
		tc_buf_putc(&b, '\0');
	return b.data;
}

/* Does the peer close fd within ms? */
static int closed_within(int fd, int ms)
{
	struct pollfd pf = {fd, POLLIN, 0};
	char c;
	return poll(&pf, 1, ms) > 0 && recv(fd, &c, 1, 0) == 0;
}

/* fd with a small receive window, so that what it does not read stays in the server. */
static int small_window(int fd)
{
	int size = 64 << 10;
	assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size), 0);
	return fd;
}

/* Sends n requests for a document of 200 KB on fd without reading any answer. */
struct flood {
	int fd, n;
};

static void *flood_thread(void *arg)
{
	struct flood *f = arg;
	tc_buf b = {0};
	for (int i = 0; i < f->n; i++)
		tc_buf_printf(&b, "{\"id\":%d,\"op\":\"get\",\"doc\":\"big\"}\n", i);
	send_all(f->fd, b.data, b.len);
	tc_buf_free(&b);
	return NULL;
}

/* The flood's answers, read to the last: each of them, in order. */
static void expect_flood_answers(const struct flood *f)
{
	size_t n;
	char *got = read_until(f->fd, (size_t)f->n, 0, &n), *at = got;
	for (int i = 0; i < f->n; i++) {
		char want[32];
		snprintf(want, sizeof want, "{\"id\":%d,\"ok\":true", i);
		if (strstr(at, want) != at)
			fail_msg("answer %d out of order or missing", i);
		at = strchr(at, '\n') + 1;
	}
	free(got);
}

static void add_big_doc(void)
{
	tc_buf b = {0};
	tc_buf_puts(&b, "{\"id\":\"big\",\"title\":\"dài\",\"body\":\"");
	while (b.len < 200000)
		tc_buf_puts(&b, "một văn bản rất dài. ");
	tc_buf_puts(&b, "\"}");
	tc_error err = {0};
	tc_indexer *ix;
	assert_int_equal(tc_indexer_open(dir, NULL, &ix, &err), TC_OK);
	assert_int_equal(tc_indexer_add_json(ix, "test", b.data, b.len, &err), TC_OK);
	assert_int_equal(tc_indexer_commit(ix, &err), TC_OK);
	tc_indexer_free(ix);
	tc_buf_free(&b);
}

/* The request log of the server under test (written on its loop's thread). */
static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static tc_buf log_lines;

static void collect_log(void *ctx, const char *line)
{
	pthread_mutex_lock(&log_mu);
	tc_buf_puts(&log_lines, line);
	tc_buf_putc(&log_lines, '\n');
	pthread_mutex_unlock(&log_mu);
}

/* One request on a connection of its own: its answer must start with want. */
static void ask(int port, const char *req, const char *want)
{
	int fd = connect_to(port);
	send_str(fd, req);
	size_t n;
	char *got = read_until(fd, 1, 0, &n);
	if (strstr(got, want) != got)
		fail_msg("%s: answered %s, want %s...", req, got, want);
	free(got);
	close(fd);
}

/* A server on its own thread, and stopping it. */
static tc_server *start_server(const tc_server_opts *o, pthread_t *th)
{
	tc_server *s;
	tc_error err = {0};
	assert_int_equal(tc_server_open(o, &s, &err), TC_OK);
	assert_int_equal(pthread_create(th, NULL, serve_thread, s), 0);
	return s;
}

static void stop_server(tc_server *s, pthread_t th)
{
	tc_server_stop(s);
	assert_int_equal(pthread_join(th, NULL), 0);
	tc_server_free(s);
}

static size_t log_mark(void)
{
	pthread_mutex_lock(&log_mu);
	size_t at = log_lines.len;
	pthread_mutex_unlock(&log_mu);
	return at;
}

/* Socket requests answered since log_mark() gave at. */
static size_t answered_since(size_t at)
{
	size_t made = 0;
	pthread_mutex_lock(&log_mu);
	for (const char *l = log_lines.data + at; (l = strstr(l, "socket ok")) != NULL; l++)
		made++;
	pthread_mutex_unlock(&log_mu);
	return made;
}

static void test_sockets(void **state)
{
	add_big_doc();
	tc_server_opts o = {0};
	o.on_log = collect_log;
	o.dir = dir;
	o.idle_ms = 1500;
	o.refresh_ms = 100;
	tc_server *s;
	tc_error err = {0};
	assert_int_equal(tc_server_open(&o, &s, &err), TC_OK);
	int port = tc_server_port(s, 0), http = tc_server_port(s, 1);
	assert_true(port > 0 && http > 0 && port != http);
	/* a port taken: a clear error naming it */
	tc_server_opts taken = o;
	taken.port = port;
	tc_server *s2;
	assert_int_equal(tc_server_open(&taken, &s2, &err), TC_EIO);
	assert_non_null(strstr(err.msg, "cannot listen on 127.0.0.1 port"));
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, serve_thread, s), 0);

	/* pipelined, answered in order; bad lines answered and the connection kept */
	int fd = connect_to(port);
	tc_buf req = {0};
	for (int i = 0; i < 50; i++)
		tc_buf_printf(&req, "{\"id\":%d,\"op\":\"search\",\"q\":\"%s\"}\n", i,
		              i % 3 ? "họp" : "hợp");
	tc_buf_puts(&req, "garbage\r\n\n   \n{\"id\":\"last\",\"op\":\"stats\"}\r\n");
	send_all(fd, req.data, req.len);
	size_t n;
	char *got = read_until(fd, 52, 0, &n);
	const char *at = got;
	for (int i = 0; i < 50; i++) {
		char want[32];
		snprintf(want, sizeof want, "{\"id\":%d,\"ok\":true", i);
		assert_ptr_equal(strstr(at, want), at);
		at = strchr(at, '\n') + 1;
	}
	assert_ptr_equal(strstr(at, "{\"id\":null,\"ok\":false"), at);
	at = strchr(at, '\n') + 1;
	assert_ptr_equal(strstr(at, "{\"id\":\"last\",\"ok\":true"), at);
	assert_int_equal(strchr(at, '\n')[1], '\0');  /* blank lines get no answer */
	free(got);

	/* a line over the limit: refused, the rest skipped, the connection still usable */
	tc_buf_clear(&req);
	tc_buf_puts(&req, "{\"id\":1,\"op\":\"search\",\"q\":\"");
	while (req.len <= TC_SERVER_MAX_LINE + 100)
		tc_buf_puts(&req, "họp họp họp ");
	tc_buf_puts(&req, "\"}\n{\"id\":2,\"op\":\"stats\"}\n");
	send_all(fd, req.data, req.len);
	got = read_until(fd, 2, 0, &n);
	assert_non_null(strstr(got, "\"code\":\"ETOOLARGE\""));
	assert_non_null(strstr(got, "{\"id\":2,\"ok\":true"));
	assert_null(strstr(strchr(got, '\n') + 1, "ETOOLARGE"));
	free(got);
	close(fd);

	/* long lines one after the other: more bytes than may wait at once, all answered */
	fd = connect_to(port);
	tc_buf_clear(&req);
	for (int i = 0; i < 12; i++) {
		tc_buf_printf(&req, "{\"id\":%d,\"op\":\"search\",\"q\":\"", i);
		for (size_t start = req.len; req.len - start < 900000;)
			tc_buf_puts(&req, "giao dịch ");
		tc_buf_puts(&req, "\"}\n");
	}
	send_all(fd, req.data, req.len);
	got = read_until(fd, 12, 0, &n);
	at = got;
	for (int i = 0; i < 12; i++) {
		char want[32];
		snprintf(want, sizeof want, "{\"id\":%d,\"ok\":false", i);  /* over 4096 bytes */
		if (strstr(at, want) != at)
			fail_msg("long line %d: %.200s", i, at);
		at = strchr(at, '\n') + 1;
	}
	free(got);
	close(fd);

	/* a client gone with a search in flight, and one gone mid-line */
	for (int i = 0; i < 20; i++) {
		fd = connect_to(port);
		send_str(fd, i % 2 ? "{\"id\":1,\"op\":\"search\",\"q\":\"h" : "{\"op\":\"stats\"}\n");
		close(fd);
	}
	/* an answer to the last line even without its newline, then the server closes */
	fd = connect_to(port);
	send_str(fd, "{\"id\":9,\"op\":\"stats\"}");
	shutdown(fd, SHUT_WR);
	got = read_until(fd, 1, 0, &n);
	assert_non_null(strstr(got, "{\"id\":9,\"ok\":true"));
	free(got);
	assert_true(closed_within(fd, 2000));
	close(fd);

	/* an idle client is closed */
	fd = connect_to(port);
	assert_true(closed_within(fd, 6000));
	close(fd);

	/* a client that does not read: its answers pile up past the limit, it is not read
	   from meanwhile, others are served, and in the end it gets every answer in order */
	struct flood f = {small_window(connect_to(port)), 100};
	pthread_t sender;
	assert_int_equal(pthread_create(&sender, NULL, flood_thread, &f), 0);
	usleep(300000);
	ask(port, "{\"id\":\"other\",\"op\":\"stats\"}\n", "{\"id\":\"other\",\"ok\":true");
	expect_flood_answers(&f);
	assert_int_equal(pthread_join(sender, NULL), 0);
	close(f.fd);

	/* what a client does not take is not made either: of 200 requests for 200 KB
	   answers, those past the unread limit (plus what the sockets' buffers hold) wait
	   in the queue, not as answers in memory; then every answer comes, in order */
	size_t log_at = log_mark();
	f = (struct flood){small_window(connect_to(port)), 200};
	assert_int_equal(pthread_create(&sender, NULL, flood_thread, &f), 0);
	usleep(1000000);
	/* 8 MiB unread is about 40 answers, and the kernel's buffers hold some 4 MiB more:
	   made at once, as before, it was all 200 */
	size_t made = answered_since(log_at);
	if (made > 100)
		fail_msg("%zu answers made for a client that read none", made);
	expect_flood_answers(&f);
	assert_int_equal(pthread_join(sender, NULL), 0);
	close(f.fd);

	/* a client that reads its answers slowly, for longer than the idle time, keeps its
	   connection: taking answers is not being idle */
	fd = small_window(connect_to(port));
	tc_buf_clear(&req);
	for (int i = 0; i < 80; i++)
		tc_buf_printf(&req, "{\"id\":%d,\"op\":\"get\",\"doc\":\"big\"}\n", i);
	send_all(fd, req.data, req.len);
	size_t slow = 0;
	for (;;) {
		char buf[128 << 10];
		struct pollfd pf = {fd, POLLIN, 0};
		if (poll(&pf, 1, 5000) <= 0)
			break;
		ssize_t k = read(fd, buf, sizeof buf);
		if (k <= 0)
			break;
		slow += (size_t)k;
		if (slow >= 80 * 200000)
			break;
		usleep(25000);  /* ~5 MB/s: 16 MB take about two idle times, more than the
		                   kernel's buffers hold */
	}
	assert_true(slow >= 80 * 200000);
	close(fd);

	/* more connections than the limit: the next one is told so and closed */
	int fds[TC_SERVER_MAX_CONNS];
	for (int i = 0; i < TC_SERVER_MAX_CONNS; i++) {
		fds[i] = connect_to(port);
		send_str(fds[i], "{\"op\":\"stats\"}\n");
		free(read_until(fds[i], 1, 0, &n));
		assert_true(n > 0);
	}
	fd = connect_to(port);
	got = read_until(fd, 1, 0, &n);
	assert_non_null(strstr(got, "\"code\":\"EBUSY\""));
	free(got);
	assert_true(closed_within(fd, 2000));
	close(fd);
	for (int i = 0; i < TC_SERVER_MAX_CONNS; i++)
		close(fds[i]);
	/* the server sees them go in its own time: until it has, newcomers are refused */
	for (int tries = 0;; tries++) {
		assert_true(tries < 500);
		fd = connect_to(port);
		send_str(fd, "{\"op\":\"stats\"}\n");
		got = read_until(fd, 1, 0, &n);
		close(fd);
		int busy = strstr(got, "EBUSY") != NULL;
		free(got);
		if (!busy)
			break;
		usleep(10000);
	}

	/* HTTP: the API, keep-alive, the page, errors */
	fd = connect_to(http);
	const char *two = "GET /api/search?q=h%E1%BB%8Dp&strict=true HTTP/1.1\r\nHost: x\r\n\r\n"
	                  "GET /api/stats HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
	send_all(fd, two, strlen(two));
	got = read_until(fd, 0, 0, &n);
	at = strstr(got, "HTTP/1.1 200 OK\r\n");
	assert_ptr_equal(at, got);
	assert_non_null(strstr(got, "{\"total\":1,"));
	assert_non_null(strstr(strstr(got, "{\"total\":1,"), "HTTP/1.1 200 OK\r\n"));
	assert_non_null(strstr(got, "{\"docs\":4,"));
	free(got);
	close(fd);
	static const struct {
		const char *req;
		const char *want[2];
	} http_table[] = {
		{"GET / HTTP/1.1\r\nConnection: close\r\n\r\n", {"HTTP/1.1 200 OK\r\nContent-Type: text/html", "Tra cứu"}},
		{"GET /?q=x HTTP/1.0\r\n\r\n", {"HTTP/1.1 200 OK", "Connection: close"}},
		{"HEAD /api/stats HTTP/1.1\r\nConnection: close\r\n\r\n", {"HTTP/1.1 200 OK", "\r\n\r\n"}},
		{"GET /api/search?q=%22x HTTP/1.1\r\nConnection: close\r\n\r\n",
		 {"HTTP/1.1 400 Bad Request", "\"offset\":0"}},
		{"GET /nope HTTP/1.1\r\nConnection: close\r\n\r\n", {"HTTP/1.1 404 Not Found", "ENOENT"}},
		{"POST /api/search HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}", {"HTTP/1.1 400", "no body"}},
		{"DELETE /api/search HTTP/1.1\r\n\r\n", {"HTTP/1.1 405 Method Not Allowed", "GET"}},
		{"hello\r\n\r\n", {"HTTP/1.1 400 Bad Request", "request line"}},
	};
	for (size_t i = 0; i < sizeof http_table / sizeof *http_table; i++) {
		fd = connect_to(http);
		send_all(fd, http_table[i].req, strlen(http_table[i].req));
		got = read_until(fd, 0, 0, &n);
		const char *w0 = strstr(got, http_table[i].want[0]);
		if (w0 != got || strstr(got, http_table[i].want[1]) == NULL)
			fail_msg("%s: got %s", http_table[i].req, got);
		free(got);
		close(fd);
	}
	/* a head over the limit, and one cut short */
	fd = connect_to(http);
	tc_buf_clear(&req);
	tc_buf_puts(&req, "GET /api/stats HTTP/1.1\r\n");
	while (req.len <= TC_SERVER_MAX_HEAD)
		tc_buf_puts(&req, "X-Filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n");
	send_all(fd, req.data, req.len);
	got = read_until(fd, 0, 0, &n);
	assert_ptr_equal(strstr(got, "HTTP/1.1 431"), got);
	free(got);
	close(fd);
	fd = connect_to(http);
	send_str(fd, "GET /api/st");
	shutdown(fd, SHUT_WR);
	assert_true(closed_within(fd, 2000));
	close(fd);

	/* a commit by another process (the server is read-only): seen without a restart */
	tc_indexer *ix;
	assert_int_equal(tc_indexer_open(dir, NULL, &ix, &err), TC_OK);
	const char *late = "{\"id\":\"late\",\"body\":\"biên bản giao ban\"}";
	assert_int_equal(tc_indexer_add_json(ix, "test", late, strlen(late), &err), TC_OK);
	assert_int_equal(tc_indexer_commit(ix, &err), TC_OK);
	tc_indexer_free(ix);
	fd = connect_to(port);
	int seen = 0;
	for (int tries = 0; tries < 100 && !seen; tries++) {
		send_str(fd, "{\"id\":\"r\",\"op\":\"search\",\"q\":\"giao ban\"}\n");
		got = read_until(fd, 1, 0, &n);
		seen = strstr(got, "\"id\":\"late\"") != NULL;
		free(got);
		if (!seen)
			usleep(50000);
	}
	assert_true(seen);
	close(fd);

	/* stopping: a request already sent is answered, then the connection closes */
	fd = connect_to(port);
	send_str(fd, "{\"id\":\"bye\",\"op\":\"stats\"}\n");
	got = read_until(fd, 1, 0, &n);
	assert_non_null(strstr(got, "{\"id\":\"bye\",\"ok\":true"));
	free(got);
	tc_server_stop(s);
	assert_true(closed_within(fd, 3000));
	close(fd);
	assert_int_equal(pthread_join(th, NULL), 0);
	tc_server_free(s);
	tc_buf_free(&req);
	/* a line per request, refusals too */
	static const char *const logged[] = {"socket ok ", "socket EREQUEST ", "socket ETOOLARGE -",
	                                     "socket EBUSY -", "http 200 ", "GET /api/stats HTTP/1.1",
	                                     "http 431 -", "http 405 "};
	for (size_t i = 0; i < sizeof logged / sizeof *logged; i++)
		if (strstr(log_lines.data, logged[i]) == NULL)
			fail_msg("the request log has no \"%s\"", logged[i]);
	tc_buf_free(&log_lines);
}

/* Several clients at once, one of them writing and committing: every answer comes, in
   each connection's order, and a search after the last commit sees every added doc. */
struct client {
	int port, writer, n, ok;
};

static void *client_thread(void *arg)
{
	struct client *cl = arg;
	int fd = connect_to(cl->port);
	tc_buf b = {0};
	for (int i = 0; i < cl->n; i++) {
		if (cl->writer && i % 5 == 4)
			tc_buf_printf(&b, "{\"id\":%d,\"op\":\"commit\",\"token\":\"w\"}\n", i);
		else if (cl->writer)
			tc_buf_printf(&b, "{\"id\":%d,\"op\":\"add\",\"token\":\"w\",\"doc\":{\"id\":"
			              "\"c%d\",\"body\":\"tờ trình số %d\"}}\n", i, i, i);
		else
			tc_buf_printf(&b, "{\"id\":%d,\"op\":\"search\",\"q\":\"%s\"}\n", i,
			              i % 2 ? "tờ trình" : "họp");
	}
	send_all(fd, b.data, b.len);
	size_t n;
	char *got = read_until(fd, (size_t)cl->n, 0, &n);
	const char *at = got;
	cl->ok = 1;
	for (int i = 0; i < cl->n && cl->ok; i++) {
		char want[40];
		snprintf(want, sizeof want, "{\"id\":%d,\"ok\":true", i);
		cl->ok = strstr(at, want) == at && strchr(at, '\n');
		at = cl->ok ? strchr(at, '\n') + 1 : at;
	}
	free(got);
	tc_buf_free(&b);
	close(fd);
	return NULL;
}

/*
 * The server's budget over all connections (1 MiB here): a client that reads none of
 * its answers stops being answered once it holds its share, well before its own 8 MiB;
 * another client, holding nothing, is still answered; then the first gets everything.
 */
static void test_budget(void **state)
{
	add_big_doc();
	tc_server_opts o = {0};
	o.dir = dir;
	o.http_port = -1;
	o.max_held = 1 << 20;
	o.on_log = collect_log;
	pthread_t th, sender;
	tc_server *s = start_server(&o, &th);
	int port = tc_server_port(s, 0);
	size_t log_at = log_mark();
	struct flood f = {small_window(connect_to(port)), 200};
	assert_int_equal(pthread_create(&sender, NULL, flood_thread, &f), 0);
	usleep(1000000);
	/* 1 MiB is 5 answers, the kernel's buffers some 20 more; its own limit alone lets
	   some 60 be made */
	size_t made = answered_since(log_at);
	if (made > 40)
		fail_msg("%zu answers made over a budget of 1 MiB", made);
	ask(port, "{\"id\":\"other\",\"op\":\"stats\"}\n", "{\"id\":\"other\",\"ok\":true");
	expect_flood_answers(&f);
	assert_int_equal(pthread_join(sender, NULL), 0);
	close(f.fd);
	stop_server(s, th);
}

static void test_concurrent(void **state)
{
	tc_server_opts o = {0};
	o.dir = dir;
	o.http_port = -1;
	o.token = "w";
	pthread_t th, cl_th[6];
	tc_server *s = start_server(&o, &th);
	struct client cl[6];
	for (int i = 0; i < 6; i++) {
		cl[i] = (struct client){tc_server_port(s, 0), i == 0, 200, 0};
		assert_int_equal(pthread_create(&cl_th[i], NULL, client_thread, &cl[i]), 0);
	}
	for (int i = 0; i < 6; i++) {
		assert_int_equal(pthread_join(cl_th[i], NULL), 0);
		if (!cl[i].ok)
			fail_msg("client %d: an answer missing or out of order", i);
	}
	ask(tc_server_port(s, 0),
	    "{\"id\":\"end\",\"op\":\"search\",\"q\":\"\\\"tờ trình\\\"\",\"k\":1}\n",
	    "{\"id\":\"end\",\"ok\":true,\"total\":160,");
	stop_server(s, th);
}

/* A disk that fills during a commit: a structured error, the searches still answered
   from the last commit, which stays whole on disk. */
static void test_full_disk(void **state)
{
	tc_proto_opts o = {.dir = dir, .token = "t"};
	tc_proto *p;
	tc_error err = {0};
	assert_int_equal(tc_proto_open(&o, &p, &err), TC_OK);
	static const exchange before[] = {
		{"{\"id\":1,\"op\":\"add\",\"token\":\"t\",\"doc\":{\"id\":\"late\",\"body\":\"họp muộn\"}}",
		 {"{\"id\":1,\"ok\":true}"}},
	};
	expect_answer(p, &before[0]);
	tu_write_budget = 100;
	static const exchange during[] = {
		{"{\"id\":2,\"op\":\"commit\",\"token\":\"t\"}", {"{\"id\":2,\"ok\":false", "\"code\":\"ENOSPC\""}},
		{"{\"id\":3,\"op\":\"search\",\"q\":\"họp\",\"strict\":true}", {"{\"id\":3,\"ok\":true,\"total\":1,"}},
	};
	for (size_t i = 0; i < 2; i++)
		expect_answer(p, &during[i]);
	tu_write_budget = -1;
	tc_proto_free(p);
	/* what was committed before is all there */
	tc_proto_opts ro = {.dir = dir, .token = NULL};
	assert_int_equal(tc_proto_open(&ro, &p, &err), TC_OK);
	static const exchange after = {"{\"id\":4,\"op\":\"stats\"}", {"{\"id\":4,\"ok\":true,\"docs\":5,"}};
	expect_answer(p, &after);
	tc_proto_free(p);
}

/* ---- the command ----------------------------------------------------------------------- */

static void test_cli(void **state)
{
	char cmd[1024];
	int st;
	snprintf(cmd, sizeof cmd, "%s serve 2>&1", tu_bin());
	char *out = tu_run(cmd, &st);
	assert_int_equal(st, 2);
	assert_non_null(strstr(out, "no index (-i DIR)"));
	free(out);
	snprintf(cmd, sizeof cmd, "%s serve -i %s/none --port 0 --http-port 0 2>&1", tu_bin(), dir);
	out = tu_run(cmd, &st);
	assert_int_equal(st, 1);
	assert_non_null(strstr(out, "tracuu serve: "));
	free(out);
	snprintf(cmd, sizeof cmd, "%s serve -i %s --token-file %s/none 2>&1", tu_bin(), dir, dir);
	out = tu_run(cmd, &st);
	assert_int_equal(st, 2);
	assert_non_null(strstr(out, "No such file"));
	free(out);
	snprintf(cmd, sizeof cmd, "%s serve -i %s --port 70000 2>&1", tu_bin(), dir);
	free(tu_run(cmd, &st));
	assert_int_equal(st, 2);
	snprintf(cmd, sizeof cmd, "%s serve -i %s --time-limit soon 2>&1", tu_bin(), dir);
	free(tu_run(cmd, &st));
	assert_int_equal(st, 2);
	snprintf(cmd, sizeof cmd, "%s serve -i %s --client-memory 0 2>&1", tu_bin(), dir);
	free(tu_run(cmd, &st));
	assert_int_equal(st, 2);

	/* serving, then SIGTERM: a clean exit, the client's connection closed */
	int pipefd[2];
	assert_int_equal(pipe(pipefd), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		close(pipefd[0]);
		execl(tu_bin(), "tracuu", "serve", "-i", dir, "--port", "0", "--http-port", "-1",
		      "--log", (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	size_t n;
	char *banner = read_until(pipefd[0], 3, 0, &n);
	const char *at = strstr(banner, "127.0.0.1:");
	if (at == NULL || strstr(banner, "read-only") == NULL)
		fail_msg("no address in: %s", banner);
	int port = atoi(at + 10);
	free(banner);
	int fd = connect_to(port);
	send_str(fd, "{\"id\":1,\"op\":\"search\",\"q\":\"họp\"}\n");
	char *got = read_until(fd, 1, 0, &n);
	assert_non_null(strstr(got, "{\"id\":1,\"ok\":true,\"total\":2"));
	free(got);
	send_str(fd, "{\"id\":2,\"op\":\"search\",\"q\":\"(\"}\n");
	free(read_until(fd, 1, 0, &n));
	assert_int_equal(kill(pid, SIGTERM), 0);
	assert_true(closed_within(fd, 5000));
	close(fd);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	char *rest = read_until(pipefd[0], 0, 0, &n);
	assert_non_null(strstr(rest, "tracuu serve: stopped"));
	/* the request log: one line each, the time first */
	const char *ok = strstr(rest, "Z socket ok "), *bad = strstr(rest, "Z socket EPARSE ");
	if (ok == NULL || bad == NULL || bad < ok)
		fail_msg("request log: %s", rest);
	free(rest);
	close(pipefd[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_requests),
		cmocka_unit_test(test_http_api),
		cmocka_unit_test(test_sockets),
		cmocka_unit_test(test_cli),
		cmocka_unit_test(test_full_disk),
		cmocka_unit_test(test_budget),
		cmocka_unit_test(test_concurrent),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
