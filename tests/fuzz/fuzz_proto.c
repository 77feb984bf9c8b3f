/*
 * fuzz_proto.c — the requests of `tracuu serve` on arbitrary bytes.
 *
 * The socket and the HTTP listener take bytes from anyone who can connect. The first
 * byte of an input chooses the listener: even, the rest is one request line of the socket
 * protocol; odd, the rest is an HTTP request, framed as the server frames it (up to its
 * first blank line, one added at the end when there is none). Whatever the bytes:
 *   a line gets exactly one answer line, a JSON object with "id" and a boolean "ok", and
 *   when not ok an "error" with a string "code" and "message";
 *   an HTTP request gets one response: "HTTP/1.1 NNN ", a known status, a
 *   Content-Length equal to the body that follows (none after HEAD).
 * The index is small and read-only (no token): writes are refused, never made.
 */
#include <json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/buf.h"
#include "indexer/indexer.h"
#include "server/proto.h"
#include "tests/fuzz/fuzz.h"

static char dir[64];
static tc_proto *proto;

static const char *const docs[] = {
	"{\"id\":\"hop1\",\"title\":\"tin\",\"body\":\"hợp đồng hợp tác hợp lý\"}",
	"{\"id\":\"hop2\",\"title\":\"Phiên họp\",\"body\":\"phiên họp sáng nay, 5 tỷ đồng\"}",
	"{\"id\":\"ndxp\",\"title\":\"báo cáo\",\"body\":\"NDXP đạt 1,35 tỷ giao dịch, 13/2023/NĐ-CP\"}",
};

static int proto_init(void)
{
	snprintf(dir, sizeof dir, "/tmp/tracuu-fuzz-proto-%d-XXXXXX", (int)getpid());
	if (mkdtemp(dir) == NULL)
		return -1;
	tc_indexer *ix;
	int rc = tc_indexer_open(dir, NULL, &ix, NULL);
	for (size_t i = 0; rc == TC_OK && i < sizeof docs / sizeof *docs; i++)
		rc = tc_indexer_add_json(ix, "fuzz", docs[i], strlen(docs[i]), NULL);
	if (rc == TC_OK)
		rc = tc_indexer_commit(ix, NULL);
	tc_indexer_free(ix);
	tc_proto_opts o = {.dir = dir, .token = NULL};
	return rc == TC_OK ? tc_proto_open(&o, &proto, NULL) : rc;
}

static void proto_fini(void)
{
	tc_proto_free(proto);
	proto = NULL;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

static void check_line(const char *req, size_t len)
{
	tc_buf out = {0};
	tc_proto_line(proto, req, len, &out);
	TC_FUZZ_ASSERT(out.len > 1 && out.data[out.len - 1] == '\n');
	TC_FUZZ_ASSERT(memchr(out.data, '\n', out.len - 1) == NULL);
	json_object *a = json_tokener_parse(out.data);
	TC_FUZZ_ASSERT(a != NULL && json_object_is_type(a, json_type_object));
	json_object *ok, *id, *err, *code, *msg;
	TC_FUZZ_ASSERT(json_object_object_get_ex(a, "id", &id));
	TC_FUZZ_ASSERT(json_object_object_get_ex(a, "ok", &ok) &&
	               json_object_is_type(ok, json_type_boolean));
	if (!json_object_get_boolean(ok)) {
		TC_FUZZ_ASSERT(json_object_object_get_ex(a, "error", &err));
		TC_FUZZ_ASSERT(json_object_object_get_ex(err, "code", &code) &&
		               json_object_is_type(code, json_type_string));
		TC_FUZZ_ASSERT(json_object_object_get_ex(err, "message", &msg) &&
		               json_object_is_type(msg, json_type_string));
	}
	json_object_put(a);
	tc_buf_free(&out);
}

/* Where a request head ends (after its blank line), as server.c finds it; 0: none. */
static size_t head_end(const char *s, size_t n)
{
	for (size_t i = 0; i + 1 < n; i++)
		if (s[i] == '\n' && (s[i + 1] == '\n' || (s[i + 1] == '\r' && i + 2 < n && s[i + 2] == '\n')))
			return i + (s[i + 1] == '\n' ? 2 : 3);
	return 0;
}

static void check_http(const char *req, size_t len)
{
	tc_buf in = {0};
	tc_buf_append(&in, req, len);
	size_t head = head_end(in.data, in.len);
	if (head == 0) {
		tc_buf_puts(&in, "\r\n\r\n");
		head = head_end(in.data, in.len);
	}
	TC_FUZZ_ASSERT(head > 0);
	tc_buf out = {0};
	tc_proto_http_request(proto, in.data, head, &out);
	TC_FUZZ_ASSERT(out.len > 12 && memcmp(out.data, "HTTP/1.1 ", 9) == 0);
	int status = atoi(out.data + 9);
	TC_FUZZ_ASSERT(status == 200 || status == 400 || status == 404 || status == 405 ||
	               status == 500);
	const char *cl = strstr(out.data, "\r\nContent-Length: ");
	const char *body = strstr(out.data, "\r\n\r\n");
	TC_FUZZ_ASSERT(cl != NULL && body != NULL && cl < body);
	size_t want = (size_t)strtoull(cl + 18, NULL, 10), got = out.len - (size_t)(body + 4 - out.data);
	int head_only = head >= 5 && memcmp(in.data, "HEAD ", 5) == 0 && status != 400;
	TC_FUZZ_ASSERT(got == (head_only ? 0 : want));
	tc_buf_free(&out);
	tc_buf_free(&in);
}

static void proto_one(const uint8_t *data, size_t size)
{
	if (size == 0)
		return;
	if (data[0] & 1)
		check_http((const char *)data + 1, size - 1);
	else
		check_line((const char *)data + 1, size - 1);
}

const tc_fuzz_target tc_fuzz_proto = {"proto", proto_init, proto_one, proto_fini};
