/*
 * NAME
 *	ratelimit.c - fixed-window counters of tries
 * SUMMARY
 *	A hash table of windows; windows that ended are dropped when the
 *	table grows past a bound, so an attacker's many addresses cost
 *	memory only for one window.
 */
#include "ratelimit.h"

#define LIMITS_MAX_KEYS 100000

struct window {
	gint64 start;
	guint count;
};

struct web_limits {
	GHashTable *windows; /* key -> struct window* */
};

struct web_limits *
web_limits_new(void)
{
	struct web_limits *l = g_new0(struct web_limits, 1);
	l->windows = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	return l;
}

void
web_limits_free(struct web_limits *l)
{
	if (!l)
		return;
	g_hash_table_unref(l->windows);
	g_free(l);
}

static gboolean
ended(gpointer key, gpointer value, gpointer now)
{
	return *(gint64 *)now - ((struct window *)value)->start >= WEB_LIMIT_WINDOW;
}

static struct window *
window_of(struct web_limits *l, const char *key, gint64 now)
{
	struct window *w = g_hash_table_lookup(l->windows, key);
	if (w && now - w->start >= WEB_LIMIT_WINDOW) {
		w->start = now;
		w->count = 0;
	}
	return w;
}

gboolean
web_limit_allow(struct web_limits *l, const char *key, guint max, gint64 now)
{
	struct window *w = window_of(l, key, now);
	if (!w) {
		if (g_hash_table_size(l->windows) >= LIMITS_MAX_KEYS)
			g_hash_table_foreach_remove(l->windows, ended, &now);
		if (g_hash_table_size(l->windows) >= LIMITS_MAX_KEYS)
			return FALSE; /* full of live windows: refuse rather than forget */
		w = g_new0(struct window, 1);
		w->start = now;
		g_hash_table_insert(l->windows, g_strdup(key), w);
	}
	if (w->count >= max)
		return FALSE;
	w->count++;
	return TRUE;
}

guint
web_limit_count(struct web_limits *l, const char *key, gint64 now)
{
	struct window *w = window_of(l, key, now);
	return w ? w->count : 0;
}

void
web_limit_reset(struct web_limits *l, const char *key)
{
	g_hash_table_remove(l->windows, key);
}
