/*
 * NAME
 *	test-web-release - the administrators' decision (web_release_decide)
 * SUMMARY
 *	A request waiting for an administrator: denied with a reason; or
 *	approved, and then delivered by cdr-web's release thread through the
 *	release core (here to a relay that refuses the connection: the
 *	release ends "failed", claimed once, never left "sending"). A second
 *	decision, and one on a release that does not exist, are refused.
 *	The sweep retries a deferred release, never an uncertain one.
 */
#include <glib/gstdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "releases.h"
#include "release.h"
#include "server.h"

static const char mail[] = "From: a@example.jp\r\nTo: soumu@city.example.lg.jp\r\n"
			   "Subject: test\r\nMessage-ID: <t@example.jp>\r\n\r\nbody\r\n";

static char *
put_message(struct mg_store *store)
{
	int fd = memfd_create("mail", MFD_CLOEXEC);
	g_assert_cmpint(write(fd, mail, strlen(mail)), ==, (gssize)strlen(mail));
	g_autoptr(GError) error = NULL;
	g_autofree char *sha = NULL;
	char *id = store_put_original(store, fd, &sha, &error);
	g_assert_no_error(error);
	close(fd);
	g_autofree char *record = g_strdup_printf(
		"{\"sender\":\"a@example.jp\",\"recipients\":[\"soumu@city.example.lg.jp\"],"
		"\"action\":\"delivered\",\"mode\":\"text\",\"subject\":\"test\",\"sha256\":\"%s\","
		"\"report\":{\"verdict\":\"sanitized\",\"actions\":[],\"children\":[]}}",
		sha);
	g_autoptr(store_message) m = store_message_from_record(record, strlen(record), &error);
	g_assert_no_error(error);
	g_assert_true(store_put_record(store, id, m, &error));
	return id;
}

static enum store_release_state
state_of(struct mg_store *store, const char *id, gint64 number)
{
	g_autoptr(GPtrArray) all = store_releases(store, id, -1, NULL);
	for (guint i = 0; all && i < all->len; i++)
		if (((struct store_release *)all->pdata[i])->number == number)
			return ((struct store_release *)all->pdata[i])->state;
	g_assert_not_reached();
}

static void
test_decide(void)
{
	g_autofree char *dir = g_dir_make_tmp("test-web-release-XXXXXX", NULL);
	g_autoptr(GError) error = NULL;
	struct web_app app = { 0 };
	app.policy = cdr_policy_new_default();
	g_free(app.policy->release_relay);
	app.policy->release_relay = g_strdup("inet:127.0.0.1:9"); /* refused */
	app.store = store_open(dir, STORE_CREATE, &error);
	g_assert_no_error(error);
	app.releaser = web_releaser_start(&app);
	g_autofree char *id = put_message(app.store);
	const char *to[] = { "soumu@city.example.lg.jp", NULL };

	/* denied, with its reason and who */
	gint64 n1 = release_request(app.store, app.policy, id, to, "soumu@city.example.lg.jp",
				    "web 192.0.2.1", FALSE, &error);
	g_assert_no_error(error);
	g_assert_cmpint(state_of(app.store, id, n1), ==, STORE_RELEASE_REQUESTED);
	g_assert_true(web_release_decide(&app, n1, FALSE, "admin", "web 192.0.2.9",
					 "not for this address", &error));
	g_assert_no_error(error);
	g_assert_cmpint(state_of(app.store, id, n1), ==, STORE_RELEASE_DENIED);
	/* decided already: refused */
	g_assert_false(web_release_decide(&app, n1, TRUE, "admin", "web 192.0.2.9", NULL, &error));
	g_assert_nonnull(error);
	g_clear_error(&error);
	g_assert_false(web_release_decide(&app, 9999, TRUE, "admin", "web 192.0.2.9", NULL, &error));
	g_assert_true(g_error_matches(error, STORE_ERROR, STORE_ERROR_NOT_FOUND));
	g_clear_error(&error);

	/* approved: delivered in the background (the relay refuses: failed) */
	gint64 n2 = release_request(app.store, app.policy, id, to, "soumu@city.example.lg.jp",
				    "web 192.0.2.1", FALSE, &error);
	g_assert_no_error(error);
	g_assert_true(web_release_decide(&app, n2, TRUE, "admin", "web 192.0.2.9", NULL, &error));
	g_assert_no_error(error);
	enum store_release_state st = STORE_RELEASE_APPROVED;
	for (int i = 0; i < 600; i++) {
		st = state_of(app.store, id, n2);
		if (st != STORE_RELEASE_APPROVED && st != STORE_RELEASE_SENDING)
			break;
		g_usleep(50000);
	}
	g_assert_cmpint(st, ==, STORE_RELEASE_FAILED);

	/* the events say who decided, from where */
	g_autoptr(GPtrArray) events = store_events(app.store, id, 0, NULL);
	gboolean denied = FALSE, approved = FALSE;
	for (guint i = 0; i < events->len; i++) {
		const struct store_event *e = events->pdata[i];
		if (strcmp(e->what, "release-denied") == 0)
			denied = !g_strcmp0(e->by, "admin") && !g_strcmp0(e->origin, "web 192.0.2.9");
		if (strcmp(e->what, "release-approved") == 0)
			approved = !g_strcmp0(e->by, "admin") && !g_strcmp0(e->origin, "web 192.0.2.9");
	}
	g_assert_true(denied);
	g_assert_true(approved);

	web_releaser_stop(app.releaser);
	store_close(app.store);
	cdr_policy_free(app.policy);
	g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", dir);
	g_assert_cmpint(system(cmd), ==, 0);
}

/* The sweep retries a deferred console release, never an uncertain one
 * (the relay may have taken it), nor one of cdr-quarantine. */
static void
test_sweep_due(void)
{
	gint64 now = 1800000000;
	struct store_release r = { .state = STORE_RELEASE_FAILED,
				   .origin = (char *)"web 192.0.2.1",
				   .requested_at = now - 1000,
				   .finished_at = now - 600,
				   .reason = (char *)"tempfail: 451 later" };
	g_assert_true(web_release_due(&r, now, FALSE));
	/* approved just now: the next sweep, unless this one is at start */
	struct store_release approved = { .state = STORE_RELEASE_APPROVED,
					  .origin = (char *)"web 192.0.2.1",
					  .requested_at = now - 5,
					  .decided_at = now - 5 };
	g_assert_false(web_release_due(&approved, now, FALSE));
	g_assert_true(web_release_due(&approved, now, TRUE));
	g_assert_true(web_release_due(&approved, now + 61, FALSE));
	approved.origin = (char *)"cdr-quarantine pid 1 on pts/0";
	g_assert_false(web_release_due(&approved, now, TRUE));
	r.reason = (char *)STORE_RELEASE_UNCERTAIN "may have been delivered: check the LGWAN "
					   "mail server's log for Message-ID <x@gw> before "
					   "releasing again (no answer)";
	g_assert_true(store_release_uncertain(&r));
	g_assert_false(web_release_due(&r, now, FALSE));
	g_assert_false(web_release_due(&r, now + 3600, FALSE));
	r.reason = (char *)"tempfail: 451 later";
	r.origin = (char *)"cdr-quarantine pid 1 on pts/0";
	g_assert_false(web_release_due(&r, now, FALSE));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/web-release/decide", test_decide);
	g_test_add_func("/web-release/sweep-due", test_sweep_due);
	return g_test_run();
}
