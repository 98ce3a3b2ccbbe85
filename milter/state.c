/*
 * NAME
 *	state.c - reference-counted policy + pool, replaced atomically
 */
#include "state.h"

#include "envelope.h"
#include "release-token.h"

static GMutex lock;
static struct milter_state *current;

/* unix:/PATH, local:/PATH, inet:PORT@HOST or inet6:PORT@HOST. HOST is
 * required: without it libmilter listens on every address. */
static gboolean
socket_valid(const char *s)
{
	if (g_str_has_prefix(s, "unix:/") || g_str_has_prefix(s, "local:/"))
		return TRUE;
	const char *port = g_str_has_prefix(s, "inet:")	   ? s + 5
			   : g_str_has_prefix(s, "inet6:") ? s + 6
							   : NULL;
	if (!port || !g_ascii_isdigit(*port))
		return FALSE;
	char *end = NULL;
	guint64 n = g_ascii_strtoull(port, &end, 10);
	return n > 0 && n < 65536 && *end == '@' && end[1]; /* no host: every address */
}

struct cdr_policy *
state_check_config(const char *config, GError **error)
{
	struct cdr_policy *p = cdr_policy_load(config, error);
	if (!p)
		return NULL;
	if (!envelope_check_policy(p, error) || !av_check_policy(p, error)) {
		cdr_policy_free(p);
		return NULL;
	}
	const char *mode = p->milter_socket_mode;
	char *end = NULL;
	guint64 m = g_ascii_strtoull(mode, &end, 8);
	if (!*mode || *end || m > 0777) {
		g_set_error(error, CDR_POLICY_ERROR, 0,
			    "[milter] socket_mode: \"%s\" is not an octal mode", mode);
		cdr_policy_free(p);
		return NULL;
	}
	if (*p->web_base_url) { /* notices sign their links: the key must be there */
		GBytes *key = release_token_load_key(p->web_secret_file, error);
		if (!key) {
			g_prefix_error(error, "[web] secret_file (base_url is set): ");
			cdr_policy_free(p);
			return NULL;
		}
		g_bytes_unref(key);
	}
	if (!socket_valid(p->milter_socket)) {
		g_set_error(error, CDR_POLICY_ERROR, 0,
			    "[milter] socket: \"%s\" is not unix:/PATH or inet:PORT@HOST "
			    "(libmilter's spelling, not Postfix's inet:HOST:PORT)",
			    p->milter_socket);
		cdr_policy_free(p);
		return NULL;
	}
	return p;
}

gboolean
state_load(const char *config, GError **error)
{
	struct cdr_policy *p = state_check_config(config, error);
	if (!p)
		return FALSE;
	struct cdr_pool *pool = cdr_pool_new(p, NULL, cdr_policy_worker_count(p), error);
	if (!pool) {
		cdr_policy_free(p);
		return FALSE;
	}
	struct milter_state *s = g_new0(struct milter_state, 1);
	s->refs = 1;
	s->policy = p;
	s->pool = pool;
	s->av = av_scanner_new(p, NULL); /* checked above */
	if (*p->web_base_url) {
		s->web_key = release_token_load_key(p->web_secret_file, error);
		if (!s->web_key) {
			g_prefix_error(error, "[web] secret_file (base_url is set): ");
			state_unref(s);
			return FALSE;
		}
	}
	if (s->av) /* what the workers reveal (decrypted members) is scanned too */
		cdr_pool_set_scanner(pool, av_pool_scan, s->av);
	g_mutex_lock(&lock);
	struct milter_state *old = current;
	current = s;
	g_mutex_unlock(&lock);
	if (old)
		state_unref(old);
	return TRUE;
}

struct milter_state *
state_get(void)
{
	g_mutex_lock(&lock);
	struct milter_state *s = current;
	if (s)
		g_atomic_int_inc(&s->refs);
	g_mutex_unlock(&lock);
	return s;
}

void
state_unref(struct milter_state *s)
{
	if (s && g_atomic_int_dec_and_test(&s->refs)) {
		cdr_pool_free(s->pool);
		av_scanner_free(s->av);
		if (s->web_key)
			g_bytes_unref(s->web_key);
		cdr_policy_free(s->policy);
		g_free(s);
	}
}
