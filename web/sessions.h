/*
 * NAME
 *	sessions.h - visitors' sessions and their CSRF tokens
 * SUMMARY
 *	Every visitor gets a session (cookie mugaika_session: 32 random
 *	bytes in hex), anonymous until an administrator logs in, each with
 *	its own CSRF token (32 random bytes in hex) that every POST form
 *	carries in input[name=csrf]. Kept in memory: a restart logs
 *	everybody out. Used from the server's main thread only.
 */
#pragma once

#include <glib.h>

#define WEB_SESSION_IDLE (60 * 60)     /* seconds without a request */
#define WEB_SESSION_MAX_AGE (8 * 3600) /* seconds after it was made */
#define WEB_SESSIONS_MAX 20000         /* beyond: the oldest anonymous go first */

struct web_session {
	char id[65];
	char csrf[65];
	char *user; /* the administrator, NULL when anonymous */
	gint64 created, used;
};

struct web_sessions;

struct web_sessions *web_sessions_new(void);
void web_sessions_free(struct web_sessions *ss);

/* The live session with cookie value `id`, its use time updated; NULL
 * when none (unknown, idle too long, too old). */
struct web_session *web_session_find(struct web_sessions *ss, const char *id, gint64 now);

/* A new anonymous session. */
struct web_session *web_session_new(struct web_sessions *ss, gint64 now);

/* A login: `s` is replaced by a new session (new id and CSRF token)
 * for `user`, which is returned; `s` is gone. */
struct web_session *web_session_login(struct web_sessions *ss, struct web_session *s,
				      const char *user, gint64 now);

/* A logout: the session is forgotten. */
void web_session_end(struct web_sessions *ss, struct web_session *s);

/* TRUE when `token` is the session's CSRF token (constant time). */
gboolean web_csrf_valid(const struct web_session *s, const char *token);

/* Constant-time comparison of two NUL-terminated strings. */
gboolean web_equal_secret(const char *a, const char *b);
