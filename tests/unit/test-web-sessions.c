/*
 * NAME
 *	test-web-sessions - cdr-web's sessions: renewal at login, logout,
 *	and a flood of anonymous visitors
 * SUMMARY
 *	A login gets a new id and CSRF token and the old id is gone; a
 *	logout forgets the session. Every request without a cookie makes an
 *	anonymous session, so a client sending WEB_SESSIONS_MAX cookieless
 *	requests fills the table: it must push out anonymous sessions only,
 *	never an administrator's (who would otherwise be logged out by
 *	anyone who can reach the port).
 */
#include <string.h>

#include "sessions.h"

static void
test_login_renews(void)
{
	struct web_sessions *ss = web_sessions_new();
	struct web_session *anon = web_session_new(ss, 1000);
	char old_id[65], old_csrf[65];
	g_strlcpy(old_id, anon->id, sizeof(old_id));
	g_strlcpy(old_csrf, anon->csrf, sizeof(old_csrf));
	g_assert_nonnull(web_session_find(ss, old_id, 1001));
	struct web_session *s = web_session_login(ss, anon, "admin", 1002);
	g_assert_cmpstr(s->user, ==, "admin");
	g_assert_cmpstr(s->id, !=, old_id);
	g_assert_cmpstr(s->csrf, !=, old_csrf);
	g_assert_null(web_session_find(ss, old_id, 1003));
	char id[65];
	g_strlcpy(id, s->id, sizeof(id));
	g_assert_true(web_session_find(ss, id, 1003) == s);
	web_session_end(ss, s);
	g_assert_null(web_session_find(ss, id, 1004));
	web_sessions_free(ss);
}

static void
test_flood_keeps_admin(void)
{
	struct web_sessions *ss = web_sessions_new();
	gint64 now = 5000;
	struct web_session *s = web_session_login(ss, web_session_new(ss, now), "admin", now);
	char id[65];
	g_strlcpy(id, s->id, sizeof(id));
	/* an attacker's cookieless requests, all newer than the admin's last one */
	for (guint i = 0; i < WEB_SESSIONS_MAX + 100; i++)
		web_session_new(ss, now + 1 + i / 1000);
	struct web_session *found = web_session_find(ss, id, now + 60);
	g_assert_nonnull(found);
	g_assert_cmpstr(found->user, ==, "admin");
	web_sessions_free(ss);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/web-sessions/login-renews", test_login_renews);
	g_test_add_func("/web-sessions/flood-keeps-admin", test_flood_keeps_admin);
	return g_test_run();
}
