/*
 * NAME
 *	ratelimit.h - how often a login or a password may be tried
 * SUMMARY
 *	Counts per key ("login 192.0.2.1", "login alice", "password
 *	20261206T...") in fixed windows: web_limit_allow() says whether one
 *	more try is allowed and counts it. Used from the server's thread.
 */
#pragma once

#include <glib.h>

#define WEB_LOGIN_TRIES 10        /* failed logins per address, and per user name */
#define WEB_PASSWORD_TRIES 10     /* passwords per address, and per message */
#define WEB_LIMIT_WINDOW (15 * 60) /* seconds */

struct web_limits;

struct web_limits *web_limits_new(void);
void web_limits_free(struct web_limits *l);

/* TRUE when `key` had fewer than `max` tries in the current window (and
 * counts this one); FALSE when it is over the limit. */
gboolean web_limit_allow(struct web_limits *l, const char *key, guint max, gint64 now);

/* Tries of `key` in the current window, without counting. */
guint web_limit_count(struct web_limits *l, const char *key, gint64 now);

/* Forget `key` (a successful login). */
void web_limit_reset(struct web_limits *l, const char *key);
