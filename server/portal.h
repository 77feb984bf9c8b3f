/*
 * portal.h — the portal's search page, served at `/` by server.c: server/portal.html,
 * made into a C string at build time (scripts/embed.sh, mk/server.mk), so that the
 * binary needs no files beside it.
 */
#ifndef TC_SERVER_PORTAL_H
#define TC_SERVER_PORTAL_H

#include <stddef.h>

extern const char tc_portal_html[];
extern const size_t tc_portal_html_len;

#endif
