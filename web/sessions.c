/*
 * NAME
 *	sessions.c - in-memory sessions with CSRF tokens
 * SUMMARY
 *	A hash table of sessions by id; ids and tokens from getrandom(2).
 *	When full, anonymous sessions make room before an administrator's.
 */
#include "sessions.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

struct web_sessions {
	GHashTable *by_id; /* id -> struct web_session* */
};

static void
session_free(gpointer data)
{
	struct web_session *s = data;
	g_free(s->user);
	g_free(s);
}

struct web_sessions *
web_sessions_new(void)
{
	struct web_sessions *ss = g_new0(struct web_sessions, 1);
	ss->by_id = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, session_free);
	return ss;
}

void
web_sessions_free(struct web_sessions *ss)
{
	if (!ss)
		return;
	g_hash_table_unref(ss->by_id);
	g_free(ss);
}

/* 32 random bytes as 64 hex digits. */
static void
random_hex(char out[65])
{
	guint8 b[32];
	gsize got = 0;
	while (got < sizeof(b)) {
		ssize_t n = getrandom(b + got, sizeof(b) - got, 0);
		if (n < 0)
			g_error("getrandom: %s", g_strerror(errno));
		got += (gsize)n;
	}
	for (gsize i = 0; i < sizeof(b); i++)
		g_snprintf(out + 2 * i, 3, "%02x", b[i]);
}

static gboolean
expired(const struct web_session *s, gint64 now)
{
	return now - s->used > WEB_SESSION_IDLE || now - s->created > WEB_SESSION_MAX_AGE;
}

static gboolean
remove_expired(gpointer key, gpointer value, gpointer now)
{
	return expired(value, *(gint64 *)now);
}

struct web_session *
web_session_find(struct web_sessions *ss, const char *id, gint64 now)
{
	if (!id || strlen(id) != 64)
		return NULL;
	struct web_session *s = g_hash_table_lookup(ss->by_id, id);
	if (!s)
		return NULL;
	if (expired(s, now)) {
		g_hash_table_remove(ss->by_id, s->id);
		return NULL;
	}
	s->used = now;
	return s;
}

struct web_session *
web_session_new(struct web_sessions *ss, gint64 now)
{
	if (g_hash_table_size(ss->by_id) >= WEB_SESSIONS_MAX)
		g_hash_table_foreach_remove(ss->by_id, remove_expired, &now);
	while (g_hash_table_size(ss->by_id) >= WEB_SESSIONS_MAX) {
		/* still full: the anonymous one used longest ago goes; an
		 * administrator's only when none is anonymous (anyone can make
		 * anonymous sessions, a request without a cookie each, and must
		 * not log the administrators out by it) */
		GHashTableIter it;
		gpointer key, value;
		struct web_session *oldest = NULL;
		g_hash_table_iter_init(&it, ss->by_id);
		while (g_hash_table_iter_next(&it, &key, &value)) {
			struct web_session *s = value;
			if (!oldest || (oldest->user && !s->user) ||
			    (!oldest->user == !s->user && s->used < oldest->used))
				oldest = s;
		}
		g_hash_table_remove(ss->by_id, oldest->id);
	}
	struct web_session *s = g_new0(struct web_session, 1);
	random_hex(s->id);
	random_hex(s->csrf);
	s->created = s->used = now;
	g_hash_table_insert(ss->by_id, s->id, s);
	return s;
}

struct web_session *
web_session_login(struct web_sessions *ss, struct web_session *s, const char *user, gint64 now)
{
	web_session_end(ss, s);
	struct web_session *fresh = web_session_new(ss, now);
	fresh->user = g_strdup(user);
	return fresh;
}

void
web_session_end(struct web_sessions *ss, struct web_session *s)
{
	if (s)
		g_hash_table_remove(ss->by_id, s->id);
}

gboolean
web_equal_secret(const char *a, const char *b)
{
	if (!a || !b)
		return FALSE;
	gsize na = strlen(a), nb = strlen(b);
	guint8 diff = na != nb;
	for (gsize i = 0; i < na; i++)
		diff |= (guint8)(a[i] ^ b[i % (nb ? nb : 1)]);
	return diff == 0;
}

gboolean
web_csrf_valid(const struct web_session *s, const char *token)
{
	return s && token && *token && web_equal_secret(s->csrf, token);
}
