/*
 * parse.h — the query language (README "Query language"; DESIGN.md §5) to a tree.
 *
 * One grammar serves the CLI, the socket and the web box:
 *
 *   query   := or
 *   or      := and ( "OR" and )*
 *   and     := unary+                          implicit AND
 *   unary   := "-" primary | primary           "-" excludes
 *   primary := "(" or ")" | FIELD ":" primary | "\"" words "\"" [ "~" N ] | WORD ["*"]
 *            | COMPARISON
 *
 * Words go through the same analyser as documents: a word that analyses to several
 * joined parts ("13/2023/NĐ-CP") becomes a phrase of its parts; a Latin word that is not
 * a Vietnamese syllable matches by its Snowball stem; everything else by its folded
 * form, and its exact form (when the query word has diacritics) is kept for ranking and
 * strict mode. Comparisons ("> 1 tỷ giao dịch", "từ 1 triệu đến 5 triệu hồ sơ",
 * "date >= 2023-06-01") are found by analysis/quantity.h; their unit is the longest run
 * of the syllables after the number (or, failing that, before the operator) that the
 * index knows as a unit key, and the rest of the syllables stay ordinary words.
 *
 * Errors are TC_EPARSE with the byte offset and the reason ("unclosed quote at 14"),
 * never an empty tree.
 *
 * Memory: the tree is one allocation arena owned by the tc_query; free with
 * tc_query_free(). Nodes and strings are read-only for callers.
 */
#ifndef TC_QUERY_PARSE_H
#define TC_QUERY_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/analyzer.h"
#include "analysis/quantity.h"
#include "common/err.h"

enum tc_qnode_type {
	TC_QN_TERM,    /* one word */
	TC_QN_PHRASE,  /* words at consecutive positions (slop allowed) */
	TC_QN_PREFIX,  /* folded prefix of words: "cải*" */
	TC_QN_QTY,     /* a quantity or date comparison */
	TC_QN_AND,
	TC_QN_OR,
	TC_QN_NOT      /* one child; only meaningful inside an AND (or at top: nothing) */
};

/* Term key kinds, as in storage: 'f' folded (with positions), 's' stem. */
typedef struct tc_qword {
	const char *key;     /* folded form, or stem when kind == 's' */
	const char *exact;   /* exact form when the query wrote diacritics, else NULL */
	const char *lower;   /* exact form, always: what strict mode looks up */
	const char *folded;  /* folded form, always: the exact form's key is filed under
	                        it (storage.h) */
	char kind;           /* 'f' or 's' */
	uint32_t start, end; /* bytes of the word in the query */
} tc_qword;

#define TC_QN_MAX_UNITS TC_QTY_MAX_ALIASES

typedef struct tc_qnode {
	int type;                /* enum tc_qnode_type */
	int field;               /* field id, or -1 for the default fields (title, body) */
	uint32_t start, end;     /* bytes of the query this node came from */
	/* TERM, PHRASE, PREFIX */
	tc_qword *words;
	size_t nwords;
	int slop;                /* PHRASE: allowed extra distance, 0 = exact phrase */
	/* QTY */
	/* unit keys searched: folded syllables, "%" or date keys. units[0] is the unit the
	   query names; a unit written more ways adds the others (tc_qty_unit_keys: "vnd"
	   and "d" after "dong"), a date the document's date key */
	const char *units[TC_QN_MAX_UNITS];
	size_t nunits;
	double lo, hi;           /* -INFINITY / INFINITY when open */
	int lo_incl, hi_incl;
	int qkind;               /* enum tc_qty_kind */
	/* AND, OR, NOT */
	struct tc_qnode **kids;
	size_t nkids;
	int adjacent;            /* AND of words typed side by side: proximity counts */
} tc_qnode;

/* What the parser needs to know about the index. Any callback may be NULL. */
typedef struct tc_query_env {
	/* field id of name, or -1 when the index has no such field */
	int (*field_id)(void *ctx, const char *name);
	/* 1 when key (folded syllables joined by one space) is a unit key of the index */
	int (*unit_known)(void *ctx, const char *key, size_t len);
	void *ctx;
} tc_query_env;

typedef struct tc_query tc_query;

/*
 * Parses q[0..len) into *out (NULL on failure). The analyser is used for words and
 * comparisons (one per thread, see analyzer.h).
 */
int tc_query_parse(tc_analyzer *a, const char *q, size_t len, const tc_query_env *env,
                   tc_query **out, tc_error *err);
void tc_query_free(tc_query *q);
const tc_qnode *tc_query_root(const tc_query *q);

/* Appends a readable form of the tree to out ("AND(ndxp QTY[giao dich > 1e+09])"),
 * used by tests and `tracuu search --explain`. */
void tc_query_dump(const tc_qnode *n, tc_buf *out);

#endif
