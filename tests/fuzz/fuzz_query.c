/*
 * fuzz_query.c — the query parser on arbitrary bytes.
 *
 * Queries come from the web box and the socket. Whatever the bytes, tc_query_parse()
 * either gives a tree (TC_OK) that tc_query_dump() can print and whose nodes are well
 * formed, or refuses with TC_EPARSE / TC_ELIMIT and a message that says where: " at N"
 * with N within the query. The parser sees a small fake index: three fields and a few
 * unit keys, so field scopes and unit matching are exercised too.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analyzer.h"
#include "common/buf.h"
#include "query/parse.h"
#include "tests/fuzz/fuzz.h"

static tc_analyzer *an;

static const char *const fields[] = {"title", "body", "source"};
static const char *const units[] = {"giao", "giao dich", "giao dich thuc", "ho so", "dong",
                                    "tai khoan", "nguoi", "%", "@date", "@docdate", "@none"};

static int env_field_id(void *ctx, const char *name)
{
	for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
		if (strcmp(name, fields[i]) == 0)
			return (int)i;
	return -1;
}

static int env_unit_known(void *ctx, const char *key, size_t len)
{
	for (size_t i = 0; i < sizeof units / sizeof *units; i++)
		if (strlen(units[i]) == len && memcmp(units[i], key, len) == 0)
			return 1;
	return 0;
}

static int query_init(void)
{
	return tc_analyzer_new(&an, NULL);
}

static void query_fini(void)
{
	tc_analyzer_free(an);
	an = NULL;
}

static void check_words(const tc_qnode *n, size_t len)
{
	TC_FUZZ_ASSERT(n->nwords > 0 && n->words != NULL);
	for (size_t i = 0; i < n->nwords; i++) {
		const tc_qword *w = &n->words[i];
		TC_FUZZ_ASSERT(w->key != NULL && w->key[0] != '\0' && w->lower != NULL);
		TC_FUZZ_ASSERT(w->kind == 'f' || w->kind == 's');
		TC_FUZZ_ASSERT(w->start < w->end && w->end <= len);
	}
}

static void check_node(const tc_qnode *n, size_t len, unsigned depth)
{
	TC_FUZZ_ASSERT(n != NULL && depth < 10000);
	TC_FUZZ_ASSERT(n->start <= n->end && n->end <= len);
	TC_FUZZ_ASSERT(n->field >= -1 && n->field < (int)(sizeof fields / sizeof *fields));
	switch (n->type) {
	case TC_QN_TERM:
	case TC_QN_PREFIX:
		check_words(n, len);
		break;
	case TC_QN_PHRASE:
		check_words(n, len);
		TC_FUZZ_ASSERT(n->slop >= 0);
		break;
	case TC_QN_QTY:
		TC_FUZZ_ASSERT(n->nunits >= 1 && n->nunits <= TC_QN_MAX_UNITS);
		for (size_t i = 0; i < n->nunits; i++)
			TC_FUZZ_ASSERT(n->units[i] != NULL && n->units[i][0] != '\0');
		TC_FUZZ_ASSERT(!isnan(n->lo) && !isnan(n->hi) && n->lo <= n->hi);
		break;
	case TC_QN_NOT:
		TC_FUZZ_ASSERT(n->nkids == 1);
		/* fall through */
	case TC_QN_AND:
	case TC_QN_OR:
		TC_FUZZ_ASSERT(n->nkids >= 1 && n->kids != NULL);
		for (size_t i = 0; i < n->nkids; i++)
			check_node(n->kids[i], len, depth + 1);
		break;
	default:
		TC_FUZZ_ASSERT(!"unknown node type");
	}
}

/* A refusal says where: the message ends in " at N", N <= len. */
static void check_refusal(const tc_error *err, size_t len)
{
	const char *at = NULL;
	for (const char *p = strstr(err->msg, " at "); p != NULL; p = strstr(p + 1, " at "))
		at = p;
	TC_FUZZ_ASSERT(at != NULL);
	char *end;
	unsigned long long off = strtoull(at + 4, &end, 10);
	TC_FUZZ_ASSERT(end != at + 4 && off <= len);
}

static void query_one(const uint8_t *data, size_t size)
{
	const tc_query_env env = {env_field_id, env_unit_known, NULL};
	tc_query *q = NULL;
	tc_error err = {0};
	int rc = tc_query_parse(an, (const char *)data, size, &env, &q, &err);
	if (rc == TC_OK) {
		TC_FUZZ_ASSERT(q != NULL && tc_query_root(q) != NULL);
		check_node(tc_query_root(q), size, 0);
		tc_buf dump = {0};
		tc_query_dump(tc_query_root(q), &dump);
		TC_FUZZ_ASSERT(dump.len > 0 && strlen(dump.data) == dump.len);
		tc_buf_free(&dump);
		tc_query_free(q);
	} else {
		TC_FUZZ_ASSERT(rc == TC_EPARSE || rc == TC_ELIMIT);
		TC_FUZZ_ASSERT(q == NULL && err.code == rc);
		check_refusal(&err, size);
	}
}

const tc_fuzz_target tc_fuzz_query = {"query", query_init, query_one, query_fini};
