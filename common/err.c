/* err.c — the error code tables and tc_error helpers (see err.h). */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>

const char *tc_strerror(int code)
{
	switch (code) {
#define TC_ERR_TEXT(name, num, text) case num: return text;
	TC_ERR_MAP(TC_ERR_TEXT)
#undef TC_ERR_TEXT
	}
	return "unknown error";
}

const char *tc_errname(int code)
{
	switch (code) {
#define TC_ERR_NAME(name, num, text) case num: return #name;
	TC_ERR_MAP(TC_ERR_NAME)
#undef TC_ERR_NAME
	}
	return "EUNKNOWN";
}

int tc_error_set(tc_error *err, int code, const char *fmt, ...)
{
	if (err == NULL || err->code != TC_OK)
		return code;
	err->code = code;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	return code;
}

void tc_error_clear(tc_error *err)
{
	if (err == NULL)
		return;
	err->code = TC_OK;
	err->msg[0] = '\0';
}
