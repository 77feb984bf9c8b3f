/*
 * proto.h — the requests of the socket protocol and of the HTTP API, answered over one
 * index: what `tracuu serve` does with a line of JSON or a GET, without the sockets.
 *
 * Socket protocol: newline-delimited JSON, one request object a line, one answer line
 * for each, in order. Every request may carry an "id" (any JSON value), echoed in its
 * answer ("id":null when absent or when the line was not JSON):
 *
 *   {"id":1,"op":"search","q":"NDXP > 1 tỷ giao dịch","k":10,"offset":0,"strict":false,
 *    "snippet":200}
 *     -> {"id":1,"ok":true,"total":3,"took_ms":0.21,"hits":[{"id":..,"score":..,
 *        "title":..,"snippet":"..<mark>..</mark>.."}]}        (as `tracuu search --json`)
 *   {"id":2,"op":"get","doc":"ID"}     -> {"id":2,"ok":true,"doc":{"id":"ID","title":..,..}}
 *   {"id":3,"op":"stats"}              -> {"id":3,"ok":true,"docs":N,"deleted":N,
 *                                          "segments":N,"generation":N}
 *   {"id":4,"op":"add","token":"..","doc":{"id":"..","title":"..","body":".."}}
 *   {"id":5,"op":"delete","token":"..","doc":"ID"}
 *   {"id":6,"op":"commit","token":".."}  -> {"id":6,"ok":true,"docs":N,...}
 *
 * Writes (add, delete, commit) go to one indexer the server holds, and searches see them
 * after a commit (which opens the new snapshot). They need the write token; a server
 * started without one is read-only and refuses them. What was added but not committed
 * is lost when the server stops, as with `tracuu index` interrupted.
 *
 * A failed request: {"id":..,"ok":false,"error":{"code":"EPARSE","message":"unclosed
 * quote at 14","offset":14}}: code is the name of a TC_E* code (common/err.h), or one
 * of the protocol's own: "EREQUEST" (not JSON, not an object, a member missing or of the
 * wrong type), "EOP" (no such op), "ETOKEN" (a write without the right token),
 * "EREADONLY" (a write to a read-only server), "ETOOLARGE" (a line over the limit),
 * "EBUSY" (too many connections). "offset" is given for query parse errors (the byte in
 * q). A search over the server's time limit fails with "ELIMIT", as does a prefix that
 * matches too many words.
 *
 * HTTP API (GET): /api/search?q=..&k=..&offset=..&strict=true&snippet=.. -> the search
 * answer without "id" and "ok"; /api/doc?id=.. ; /api/stats. Errors: 400 with
 * {"error":{..}} as above, 404 for no such document.
 *
 * Threads: tc_proto_line and tc_proto_http may run on several threads at once: each
 * request takes a searcher of its own from a pool over the last commit, and writes go
 * through the writer one at a time. A caller that wants a client's requests to act in
 * order (a search after a commit seeing it) runs them one after the other.
 * Memory: tc_proto owns its snapshot, searchers and indexer; answers are appended to the
 * caller's tc_buf.
 */
#ifndef TC_SERVER_PROTO_H
#define TC_SERVER_PROTO_H

#include <stddef.h>

#include "common/buf.h"
#include "common/err.h"

typedef struct tc_proto tc_proto;

typedef struct tc_proto_opts {
	const char *dir;          /* the index */
	const char *token;        /* the write token; NULL: read-only (no indexer is opened) */
	double time_limit_ms;     /* of every search (tc_search_opts); 0: none */
} tc_proto_opts;

#define TC_PROTO_MAX_K 1000
#define TC_PROTO_MAX_OFFSET 100000
#define TC_PROTO_MAX_SNIPPET 2000
#define TC_PROTO_SNIPPET 200  /* default snippet bytes */

/*
 * Opens the index (TC_ENOENT when dir holds none) and, with a token, its writer
 * (TC_ELOCKED when another process writes to it).
 */
int tc_proto_open(const tc_proto_opts *o, tc_proto **out, tc_error *err);
void tc_proto_free(tc_proto *p);

/*
 * Looks at the index's commit point: when it is newer than the snapshot requests read
 * (another process committed, e.g. `tracuu index`), opens it (checksums verified) for
 * the requests from now on. 1 when it did, 0 when there was nothing new, or the error
 * (the old snapshot stays). Thread-safe.
 */
int tc_proto_refresh(tc_proto *p, tc_error *err);

/*
 * Answers one request line (without its newline): one JSON object and '\n' onto out.
 * Returns NULL when the answer is ok, else its error code (a static string).
 */
const char *tc_proto_line(tc_proto *p, const char *line, size_t len, tc_buf *out);

/*
 * A refusal the server makes itself (a line over the limit, a connection too many) onto
 * out: as an answer line ({"id":null,"ok":false,"error":{..}} and '\n') when line, else
 * as an HTTP body ({"error":{..}}).
 */
void tc_proto_refusal(const char *code, const char *message, int line, tc_buf *out);

/*
 * Answers GET path?query (the request target, percent-encoded) of the HTTP API: the
 * JSON body onto out; returns the HTTP status (200, 400, 404).
 */
int tc_proto_http(tc_proto *p, const char *target, size_t len, tc_buf *out);

/*
 * Answers one HTTP/1.x request whose head is in[0..head), ending with its blank line (a
 * caller that frames requests guarantees it): `/` is the portal page, `/api/...` the API
 * above; GET and HEAD only (405), no request bodies (400). The whole response onto out.
 * Returns 1 when the connection may carry another request (HTTP/1.1 without
 * "Connection: close", and no error).
 */
int tc_proto_http_request(tc_proto *p, const char *in, size_t head, tc_buf *out);

/* A whole HTTP error response with a JSON body; the connection closes after it. Returns 0. */
int tc_proto_http_error(int status, const char *code, const char *message, tc_buf *out);

#endif
