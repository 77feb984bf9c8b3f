/*
 * err.h — error codes and error messages shared by every tracuu module.
 *
 * Library functions return an int: 0 (TC_OK) on success, a negative TC_E* code on
 * failure. Where a caller needs to know what and where, the function also takes a
 * tc_error*, which it fills with the code and a message ("corpus.jsonl:12: missing
 * \"body\""). The message lives inside the struct, so nothing is allocated on the error
 * path and the caller owns it. A NULL tc_error* is allowed: the code alone comes back.
 *
 * The numbers are part of the socket protocol (they appear in JSON errors): once a
 * code is released its number never changes. Add new codes at the end.
 */
#ifndef TC_ERR_H
#define TC_ERR_H

#include <stddef.h>

#define TC_ERR_MAP(XX)                                                        \
	XX(OK, 0, "success")                                                      \
	XX(EINVAL, -1, "invalid argument")                                        \
	XX(ENOMEM, -2, "out of memory")                                           \
	XX(EIO, -3, "input/output error")                                         \
	XX(ENOENT, -4, "not found")                                               \
	XX(ECORRUPT, -5, "corrupt data")                                          \
	XX(EPARSE, -6, "parse error")                                             \
	XX(EUTF8, -7, "invalid UTF-8")                                            \
	XX(EICU, -8, "ICU error")                                                 \
	XX(EVERSION, -9, "unsupported format version")                            \
	XX(ENOSPC, -10, "no space left on device")                                \
	XX(ELOCKED, -11, "index is locked by another writer")                     \
	XX(ELIMIT, -12, "limit exceeded")

enum tc_err {
#define TC_ERR_ENUM(name, num, text) TC_##name = (num),
	TC_ERR_MAP(TC_ERR_ENUM)
#undef TC_ERR_ENUM
};

#define TC_ERROR_MSG_MAX 512

typedef struct tc_error {
	int code;                    /* TC_OK or a TC_E* code */
	char msg[TC_ERROR_MSG_MAX];  /* what and where; "" when code is TC_OK */
} tc_error;

/* Short description of a code ("corrupt data"); never NULL. */
const char *tc_strerror(int code);

/* Symbolic name of a code ("ECORRUPT"); never NULL. */
const char *tc_errname(int code);

/*
 * Records an error and returns its code, so error paths read
 *   return tc_error_set(err, TC_EPARSE, "unclosed quote at %zu", off);
 * The first error wins: a second call on an already failed tc_error keeps the first
 * message (the root cause) and returns the new code. err may be NULL.
 */
int tc_error_set(tc_error *err, int code, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

/* Resets err to TC_OK with an empty message. err may be NULL. */
void tc_error_clear(tc_error *err);

/* Early-return helpers: the error path is one line. */
#define TC_RETURN_IF(cond, err, code, ...)                                    \
	do {                                                                      \
		if (cond)                                                             \
			return tc_error_set((err), (code), __VA_ARGS__);                  \
	} while (0)

#define TC_FORWARD(expr)                                                      \
	do {                                                                      \
		int tc_rc_ = (expr);                                                  \
		if (tc_rc_ < 0)                                                       \
			return tc_rc_;                                                    \
	} while (0)

#endif
