/*
 * NAME
 *	test-release - the release core's rules, without a worker or relay
 * SUMMARY
 *	release_request() and release_deliver_outcome() (milter/release.c)
 *	on a temporary store, with a fake rebuild and a fake relay
 *	(release_set_ops): refused when the message is not releasable
 *	(malware; blocked whole as dangerous, a record built directly in the
 *	store), for an address neither an original recipient nor in
 *	[release] allowed_recipients, and after an earlier delivered or
 *	sending release to the same recipients; two releases at once: one
 *	delivers (the store's claim, the later stands down); a deferred
 *	release fails and can be delivered again; an uncertain one (the
 *	answer lost) is never claimed again and a new one needs force; the
 *	removed malware's signatures in the summary, the outcome and the
 *	event; the link style of the original's milter role; the events
 *	(who, when, from where, what went out) and no password in the store;
 *	a release whose process died while sending (release_recover()).
 */
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "password-file.h"
#include "release.h"
#include "test-dir.h"
#include "test-memfd.h"
#include "test-store-util.h"

#define A "soumu@city.lg.jp"
#define B "kikaku@city.lg.jp"
#define OTHER "audit@other.lg.jp"
#define PASSWORD "Kq7-secret-9Zp"

/* What the fakes saw and do. */
struct fake {
	GPtrArray *built;     /* char*: the link style of each rebuild */
	GPtrArray *submitted; /* char*: "TO,TO" per submission */
	enum submit_status answer;
	gboolean uncertain;   /* a TEMPFAIL answer is "uncertain" (lost after the data) */
	gboolean eicar;       /* the rebuild removed an infected zip member */
	const char *refuse;   /* a recipient the relay refuses (550) while it takes the others */
	gboolean locked;      /* the rebuild left the zip locked (no or a wrong password) */
	guint rebuilds;
};

struct fixture {
	char *dir;
	struct mg_store *store;
	struct cdr_policy *policy;
	struct fake fake;
	struct release_ops ops;
};

static struct cdr_report *
fake_build(gpointer data, const char *id, const struct cdr_run_params *params, int *out_fd,
	   GError **error)
{
	struct fake *f = data;
	g_assert_cmpstr(params->mail_build, ==, "release");
	g_assert_cmpstr(params->mail_mode, ==, "sanitize");
	g_ptr_array_add(f->built, g_strdup(params->mail_links));
	f->rebuilds++;
	const char *json =
		f->locked ? "{\"verdict\":\"sanitized\",\"handler\":\"mime\",\"children\":[{"
			    "\"name\":\"z.zip\",\"verdict\":\"blocked\",\"error\":\"encrypted\","
			    "\"handler\":\"archive\"}]}"
		: f->eicar ? "{\"verdict\":\"sanitized\",\"handler\":\"mime\",\"message_id\":"
			   "\"<original@example.jp>\",\"children\":[{\"name\":\"a.zip\",\"verdict\":"
			   "\"sanitized\",\"handler\":\"archive\",\"actions\":[{\"what\":"
			   "\"member-removed\",\"where\":\"eicar.com\",\"count\":1}],\"children\":"
			   "[{\"name\":\"eicar.com\",\"verdict\":\"blocked\",\"error\":\"malware\","
			   "\"malware\":\"Eicar-Test-Signature\"}]}]}"
			 : "{\"verdict\":\"sanitized\",\"handler\":\"mime\",\"message_id\":"
			   "\"<original@example.jp>\"}";
	/* the report names the original's Message-ID, the message its own */
	*out_fd = test_memfd("Message-ID: <rel.1@gw.test>\r\n\r\nbody\r\n", -1);
	(void)id;
	return cdr_report_from_json_string(json, strlen(json), error);
}

static void
fake_submit(gpointer data, const char *const *to, int fd, struct submit_result *res)
{
	struct fake *f = data;
	g_ptr_array_add(f->submitted, g_strjoinv(",", (char **)to));
	*res = (struct submit_result){ .recipients = g_ptr_array_new_with_free_func(g_free) };
	for (guint i = 0; to[i]; i++) {
		struct submit_recipient *rc = g_new0(struct submit_recipient, 1);
		gboolean refused = f->refuse && g_ascii_strcasecmp(to[i], f->refuse) == 0;
		rc->address = (char *)to[i];
		rc->status = refused ? SUBMIT_REFUSED : f->answer;
		rc->reply = refused ? (char *)"550 5.1.1 user unknown" : NULL;
		g_ptr_array_add(res->recipients, rc);
	}
	res->status = f->answer;
	res->reply = g_strdup(f->answer == SUBMIT_SENT ? "250 ok" : "451 later");
	res->uncertain = f->answer == SUBMIT_TEMPFAIL && f->uncertain;
	if (f->answer == SUBMIT_SENT)
		res->queue_id = g_strdup("4QID");
}

static struct fixture *
fixture_new(void)
{
	struct fixture *x = g_new0(struct fixture, 1);
	g_autoptr(GError) error = NULL;
	x->dir = g_dir_make_tmp("test-release-XXXXXX", &error);
	g_assert_no_error(error);
	x->store = store_open(x->dir, STORE_CREATE, &error);
	g_assert_no_error(error);
	x->policy = cdr_policy_new_default();
	g_free(x->policy->release_relay);
	x->policy->release_relay = g_strdup("inet:127.0.0.1:10026");
	x->fake.built = g_ptr_array_new_with_free_func(g_free);
	x->fake.submitted = g_ptr_array_new_with_free_func(g_free);
	x->fake.answer = SUBMIT_SENT;
	x->ops = (struct release_ops){ .build = fake_build, .submit = fake_submit,
				       .data = &x->fake };
	release_set_ops(&x->ops);
	return x;
}

static void
fixture_free(struct fixture *x)
{
	release_set_ops(NULL);
	store_close(x->store);
	g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", x->dir);
	g_assert_true(g_spawn_command_line_sync(cmd, NULL, NULL, NULL, NULL));
	g_free(x->dir);
	cdr_policy_free(x->policy);
	g_ptr_array_unref(x->fake.built);
	g_ptr_array_unref(x->fake.submitted);
	g_free(x);
}

/* A stored message to A and B with `report` (a JSON object's text) and
 * `extra` members of the record ("" or ",\"k\":v"); its id. */
static char *
put(struct fixture *x, const char *report, const char *extra)
{
	g_autoptr(GError) error = NULL;
	int fd = test_memfd("the original", -1);
	char *id = store_put_original(x->store, fd, NULL, &error);
	close(fd);
	g_assert_no_error(error);
	g_autofree char *json = g_strdup_printf(
		"{\"sender\":\"taro@example.jp\",\"recipients\":[\"" A "\",\"" B "\"],"
		"\"action\":\"delivered\",\"mode\":\"sanitize\",\"subject\":\"s\",\"report\":%s%s}",
		report, extra);
	g_autoptr(store_message) m = store_message_from_record(json, strlen(json), &error);
	g_assert_no_error(error);
	g_assert_true(store_put_record(x->store, id, m, &error));
	g_assert_no_error(error);
	return id;
}

static char *
put_plain(struct fixture *x, const char *extra)
{
	return put(x, "{\"verdict\":\"sanitized\",\"handler\":\"mime\"}", extra);
}

/* Request (approved) and deliver; the number, 0 when refused at the
 * request (error set), negative when the delivery failed. */
static gint64
release(struct fixture *x, const char *id, const char *const *to, gboolean force,
	const char *passwords, struct release_outcome *out, GError **error)
{
	gint64 n = release_request_force(x->store, x->policy, id, to, "alice", "test on pts/0",
					 TRUE, force, error);
	if (!n)
		return 0;
	struct release_outcome local = { 0 };
	gboolean ok = release_deliver_outcome(x->store, x->policy, id, n, passwords, force,
					      out ? out : &local, error);
	release_outcome_clear(&local);
	return ok ? n : -n;
}

/* A release refused at its request, the refusal naming `names`. */
static void
assert_refused(struct fixture *x, const char *id, const char *const *to, gboolean force,
	       const char *names)
{
	g_autoptr(GError) error = NULL;
	g_assert_cmpint(release(x, id, to, force, NULL, NULL, &error), ==, 0);
	g_assert_error(error, RELEASE_ERROR, RELEASE_ERROR_REFUSED);
	g_assert_nonnull(strstr(error->message, names));
}

static struct store_release *
release_of(struct fixture *x, const char *id, gint64 number)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) all = store_releases(x->store, id, -1, &error);
	g_assert_no_error(error);
	for (guint i = 0; i < all->len; i++)
		if (((struct store_release *)all->pdata[i])->number == number)
			return g_ptr_array_steal_index(all, i);
	g_assert_not_reached();
}

static void
test_not_releasable(void)
{
	struct fixture *x = fixture_new();
	const char *const reports[] = {
		/* malware in a part */
		"{\"verdict\":\"sanitized\",\"handler\":\"mime\",\"children\":[{\"name\":\"x.exe\","
		"\"verdict\":\"blocked\",\"error\":\"malware\",\"malware\":\"Win.Test\"}]}",
		/* blocked whole as dangerous (the mail path removes parts instead:
		 * built directly) */
		"{\"verdict\":\"blocked\",\"handler\":\"mime\",\"error\":\"dangerous-content\","
		"\"reason\":\"an executable\"}",
		"{\"verdict\":\"blocked\",\"handler\":\"mime\",\"error\":\"dangerous-name\","
		"\"reason\":\"x.exe\"}",
		/* a record of the old directory quarantine, edited: any case */
		"{\"verdict\":\"Blocked\",\"handler\":\"mime\",\"error\":\"DANGEROUS-content\"}",
		"{\"verdict\":\"sanitized\",\"handler\":\"mime\",\"children\":[{\"name\":\"x\","
		"\"verdict\":\"blocked\",\"error\":\"Malware\",\"malware\":\"Win.Test\"}]}",
	};
	for (guint i = 0; i < G_N_ELEMENTS(reports); i++) {
		g_autofree char *id = put(x, reports[i], "");
		assert_refused(x, id, NULL, TRUE, "cannot be released");
		g_autoptr(GPtrArray) none = store_releases(x->store, id, -1, NULL);
		g_assert_cmpuint(none->len, ==, 0);
	}
	/* a release approved before the store said "not releasable" (an
	 * older store, an edited one): its delivery refuses all the same */
	g_autofree char *later = put_plain(x, "");
	g_autoptr(GError) error = NULL;
	gint64 n = release_request(x->store, x->policy, later, NULL, "bob", "web 127.0.0.1", TRUE,
				   &error);
	g_assert_no_error(error);
	g_autofree char *sql = g_strdup_printf("UPDATE messages SET releasable = 0, not_releasable = "
					       "'malware: Win.Test' WHERE id = '%s'", later);
	raw_exec(x->dir, sql);
	g_autofree char *what = NULL;
	g_assert_false(release_deliver(x->store, x->policy, later, n, NULL, &what, &error));
	g_assert_nonnull(strstr(error->message, "cannot be released"));
	g_autoptr(store_release) r = release_of(x, later, n);
	g_assert_cmpint(r->state, ==, STORE_RELEASE_FAILED);
	/* the record's own malware list */
	g_autofree char *id = put_plain(x, ",\"malware\":[\"Eicar-Test-Signature\"]");
	assert_refused(x, id, NULL, FALSE, "malware: Eicar-Test-Signature");
	g_assert_cmpuint(x->fake.rebuilds, ==, 0);
	g_assert_cmpuint(x->fake.submitted->len, ==, 0);
	fixture_free(x);
}

static void
test_recipients_allowed(void)
{
	struct fixture *x = fixture_new();
	g_autofree char *id = put_plain(x, "");
	g_autoptr(GError) error = NULL;
	const char *const other[] = { A, OTHER, NULL };
	assert_refused(x, id, other, FALSE, OTHER);
	/* case does not make another address */
	const char *const upper[] = { "SOUMU@City.LG.jp", NULL };
	g_assert_cmpint(release(x, id, upper, FALSE, NULL, NULL, &error), >, 0);
	g_assert_no_error(error);
	/* allowed_recipients lets OTHER in */
	g_strfreev(x->policy->release_allowed_recipients);
	x->policy->release_allowed_recipients = g_strsplit(OTHER, ",", -1);
	const char *const only_other[] = { OTHER, NULL };
	g_assert_cmpint(release(x, id, only_other, FALSE, NULL, NULL, &error), >, 0);
	g_assert_no_error(error);
	g_assert_cmpuint(x->fake.submitted->len, ==, 2);
	g_assert_cmpstr(x->fake.submitted->pdata[0], ==, A); /* the spelling delivered to */
	g_assert_cmpstr(x->fake.submitted->pdata[1], ==, OTHER);
	fixture_free(x);
}

/* --to as people type it: one address, in any case, with white space or
 * angle brackets around it, given twice; anything else is refused
 * before a release is recorded, and each address gets one copy in the
 * spelling the original was delivered to. */
static void
test_recipients_spelling(void)
{
	struct fixture *x = fixture_new();
	g_strfreev(x->policy->release_allowed_recipients);
	x->policy->release_allowed_recipients = g_strsplit(OTHER, ",", -1);
	static const struct {
		const char *to[4];
		const char *submitted;
	} accepted[] = {
		{ { " <SOUMU@City.LG.jp> ", NULL }, A },
		{ { A, "Soumu@city.lg.jp", "<" A ">", NULL }, A },
		{ { B, "KIKAKU@CITY.LG.JP", A, NULL }, B "," A },
		{ { "Audit@Other.LG.jp", OTHER, NULL }, OTHER },
	};
	for (guint i = 0; i < G_N_ELEMENTS(accepted); i++) {
		g_autofree char *id = put_plain(x, "");
		g_autoptr(GError) error = NULL;
		g_assert_cmpint(release(x, id, accepted[i].to, FALSE, NULL, NULL, &error), >, 0);
		g_assert_no_error(error);
		g_assert_cmpstr(x->fake.submitted->pdata[x->fake.submitted->len - 1], ==,
				accepted[i].submitted);
	}
	/* the original's recipients, one of them twice in another case */
	g_autoptr(GError) error = NULL;
	int fd = test_memfd("the original", -1);
	g_autofree char *twice = store_put_original(x->store, fd, NULL, &error);
	close(fd);
	const char *json = "{\"sender\":\"taro@example.jp\",\"recipients\":[\"" A "\",\"SOUMU@"
			   "city.lg.jp\",\"" B "\"],\"action\":\"delivered\",\"mode\":\"sanitize\","
			   "\"report\":{\"verdict\":\"sanitized\",\"handler\":\"mime\"}}";
	g_autoptr(store_message) m = store_message_from_record(json, strlen(json), &error);
	g_assert_true(store_put_record(x->store, twice, m, &error));
	g_assert_cmpint(release(x, twice, NULL, FALSE, NULL, NULL, &error), >, 0);
	g_assert_no_error(error);
	g_assert_cmpstr(x->fake.submitted->pdata[x->fake.submitted->len - 1], ==, A "," B);
	guint sent = x->fake.submitted->len;
	static const char *const refused[] = {
		A "," OTHER, A " " OTHER, A ";" OTHER, "soumu@city.lg.jp.", "soumu+x@city.lg.jp",
		"Soumu <" A ">", A "\r\nRCPT TO:<evil@example.com>", "\"soumu\"@city.lg.jp",
		"<<" A ">>", "", "-" A,
	};
	for (guint i = 0; i < G_N_ELEMENTS(refused); i++) {
		g_autofree char *id = put_plain(x, "");
		const char *const to[] = { refused[i], NULL };
		g_autoptr(GError) e = NULL;
		g_assert_cmpint(release(x, id, to, FALSE, NULL, NULL, &e), ==, 0);
		g_assert_error(e, RELEASE_ERROR, RELEASE_ERROR_REFUSED);
		g_assert_null(strchr(e->message, '\n'));
		g_autoptr(GPtrArray) none = store_releases(x->store, id, -1, NULL);
		g_assert_cmpuint(none->len, ==, 0);
	}
	g_assert_cmpuint(x->fake.submitted->len, ==, sent);
	fixture_free(x);
}

static void
test_released_before(void)
{
	struct fixture *x = fixture_new();
	g_autofree char *id = put_plain(x, "");
	g_autoptr(GError) error = NULL;
	g_assert_cmpint(release(x, id, NULL, FALSE, NULL, NULL, &error), >, 0);
	g_assert_no_error(error);
	/* delivered to A and B: again to B is refused, force or not */
	const char *const b[] = { B, NULL };
	assert_refused(x, id, b, TRUE, "released to " B " already");
	/* one being sent (claimed, not finished) refuses too */
	g_autofree char *id2 = put_plain(x, "");
	gint64 n = release_request(x->store, x->policy, id2, NULL, "bob", "t", TRUE, &error);
	g_assert_no_error(error);
	g_assert_true(store_release_claim(x->store, n, &error));
	assert_refused(x, id2, b, FALSE, "sending");
	g_assert_cmpuint(x->fake.submitted->len, ==, 1);
	fixture_free(x);
}

static void
test_two_at_once(void)
{
	struct fixture *x = fixture_new();
	g_autofree char *id = put_plain(x, "");
	g_autoptr(GError) error = NULL;
	/* both passed the request's check before either was stored */
	gint64 first = release_request(x->store, x->policy, id, NULL, "alice", "t", TRUE, &error);
	const char *const to[] = { A, B, NULL };
	gint64 second = store_release_request(x->store, id, to, "bob", "t", TRUE, &error);
	g_assert_no_error(error);
	g_assert_cmpint(first, <, second);
	/* the later one stands down, whoever runs first */
	struct release_outcome out = { 0 };
	g_assert_false(release_deliver_outcome(x->store, x->policy, id, second, NULL, FALSE, &out,
						&error));
	g_assert_error(error, RELEASE_ERROR, RELEASE_ERROR_FAILED);
	g_clear_error(&error);
	g_assert_true(release_deliver_outcome(x->store, x->policy, id, first, NULL, FALSE, &out, &error));
	g_assert_no_error(error);
	release_outcome_clear(&out);
	/* a delivered one is never claimed again */
	g_assert_false(release_deliver_outcome(x->store, x->policy, id, first, NULL, FALSE, &out, &error));
	g_assert_error(error, RELEASE_ERROR, RELEASE_ERROR_REFUSED);
	g_assert_cmpuint(x->fake.submitted->len, ==, 1);
	g_autoptr(store_release) r1 = release_of(x, id, first);
	g_autoptr(store_release) r2 = release_of(x, id, second);
	g_assert_cmpint(r1->state, ==, STORE_RELEASE_DELIVERED);
	g_assert_cmpint(r2->state, ==, STORE_RELEASE_FAILED);
	g_assert_false(store_release_uncertain(r2));
	fixture_free(x);
}

static void
test_deferred_retryable(void)
{
	struct fixture *x = fixture_new();
	g_autofree char *id = put_plain(x, "");
	g_autoptr(GError) error = NULL;
	x->fake.answer = SUBMIT_TEMPFAIL;
	gint64 n = release(x, id, NULL, FALSE, NULL, NULL, &error);
	g_assert_cmpint(n, <, 0);
	g_assert_error(error, RELEASE_ERROR, RELEASE_ERROR_FAILED);
	g_clear_error(&error);
	g_autoptr(store_release) r = release_of(x, id, -n);
	g_assert_cmpint(r->state, ==, STORE_RELEASE_FAILED);
	g_assert_true(g_str_has_prefix(r->reason, "tempfail: "));
	g_assert_false(store_release_uncertain(r));
	/* the same release again, and a new one, both allowed */
	x->fake.answer = SUBMIT_SENT;
	struct release_outcome out = { 0 };
	g_assert_true(release_deliver_outcome(x->store, x->policy, id, -n, NULL, FALSE, &out, &error));
	g_assert_no_error(error);
	release_outcome_clear(&out);
	g_assert_cmpuint(x->fake.submitted->len, ==, 2);
	fixture_free(x);
}

static void
test_uncertain_needs_force(void)
{
	struct fixture *x = fixture_new();
	g_autofree char *id = put_plain(x, "");
	g_autoptr(GError) error = NULL;
	x->fake.answer = SUBMIT_TEMPFAIL;
	x->fake.uncertain = TRUE;
	gint64 n = release(x, id, NULL, FALSE, NULL, NULL, &error);
	g_assert_cmpint(n, <, 0);
	g_assert_error(error, RELEASE_ERROR, RELEASE_ERROR_FAILED);
	g_assert_nonnull(strstr(error->message, "may have been delivered"));
	g_clear_error(&error);
	g_autoptr(store_release) r = release_of(x, id, -n);
	g_assert_cmpint(r->state, ==, STORE_RELEASE_FAILED);
	g_assert_true(store_release_uncertain(r));
	g_assert_nonnull(strstr(r->reason, "check the LGWAN mail server's log for Message-ID "
					   "<rel.1@gw.test> before releasing again"));
	g_assert_cmpstr(r->delivered_id, ==, "<rel.1@gw.test>"); /* the release's, not the original's */
	g_assert_null(strstr(r->reason, "original@example.jp"));
	/* the list says so */
	g_autoptr(store_message) m = store_get(x->store, id, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(m->release, ==, "uncertain");
	x->fake.answer = SUBMIT_SENT;
	/* never claimed again */
	struct release_outcome out = { 0 };
	g_assert_false(release_deliver_outcome(x->store, x->policy, id, -n, NULL, FALSE, &out, &error));
	g_assert_error(error, RELEASE_ERROR, RELEASE_ERROR_REFUSED);
	g_clear_error(&error);
	/* a new release to one of its recipients: refused, naming the Message-ID */
	const char *const b[] = { B, NULL };
	assert_refused(x, id, b, FALSE, "<rel.1@gw.test>");
	g_assert_cmpuint(x->fake.submitted->len, ==, 1);
	/* the administrator checked the log: --force */
	g_assert_cmpint(release(x, id, b, TRUE, NULL, NULL, &error), >, 0);
	g_assert_no_error(error);
	g_assert_cmpuint(x->fake.submitted->len, ==, 2);
	fixture_free(x);
}

static void
test_events_and_malware(void)
{
	struct fixture *x = fixture_new();
	g_autofree char *id = put_plain(x, "");
	g_autoptr(GError) error = NULL;
	x->fake.eicar = TRUE;
	struct release_outcome out = { 0 };
	gint64 before = g_get_real_time() / G_USEC_PER_SEC;
	gint64 n = release(x, id, NULL, FALSE, PASSWORD "\n", &out, &error);
	g_assert_no_error(error);
	g_assert_cmpint(n, >, 0);
	g_assert_nonnull(strstr(out.what, "1 member-removed"));
	g_assert_nonnull(strstr(out.what, "malware removed: Eicar-Test-Signature"));
	g_assert_nonnull(strstr(out.what, "queued as 4QID"));
	g_assert_cmpstr(out.malware->pdata[0], ==, "Eicar-Test-Signature");
	g_assert_null(out.malware->pdata[1]);
	release_outcome_clear(&out);
	g_autoptr(store_release) r = release_of(x, id, n);
	g_assert_cmpstr(r->requested_by, ==, "alice");
	g_assert_cmpstr(r->origin, ==, "test on pts/0");
	g_assert_cmpint(r->requested_at, >=, before);
	g_assert_cmpint(r->finished_at, >=, r->requested_at);
	g_assert_nonnull(strstr(r->delivered, "Eicar-Test-Signature"));
	g_autoptr(GPtrArray) events = store_events(x->store, id, 0, &error);
	g_assert_no_error(error);
	/* the Message-ID is recorded before the submission starts */
	const char *const want[] = { "release-requested", "release-sending", "release-submitting",
				     "release-delivered" };
	g_assert_cmpuint(events->len, ==, G_N_ELEMENTS(want));
	for (guint i = 0; i < events->len; i++) {
		const struct store_event *e = events->pdata[i];
		g_assert_cmpstr(e->what, ==, want[i]);
		g_assert_cmpint(e->time, >=, before);
	}
	const struct store_event *req = events->pdata[0], *done = events->pdata[3];
	g_assert_nonnull(strstr(((struct store_event *)events->pdata[2])->detail, "<rel.1@gw.test>"));
	g_assert_cmpstr(req->by, ==, "alice");
	g_assert_cmpstr(req->origin, ==, "test on pts/0");
	g_assert_nonnull(strstr(done->detail, "Eicar-Test-Signature"));
	g_assert_nonnull(strstr(done->detail, "<rel.1@gw.test>"));
	g_assert_false(dir_files_contain(x->dir, PASSWORD));
	fixture_free(x);
}

static void
test_link_style_of_role(void)
{
	struct fixture *x = fixture_new();
	g_free(x->policy->mail_links);
	x->policy->mail_links = g_strdup("text");
	g_strfreev(x->policy->mail_links_remove_domains);
	x->policy->mail_links_remove_domains = g_strsplit("other.lg.jp", ",", -1);
	g_autofree char *old = put_plain(x, "");
	g_autofree char *before = put_plain(x, ",\"stage\":\"before-queue\"");
	g_autofree char *after = put_plain(x, ",\"stage\":\"after-queue\"");
	g_autoptr(GError) error = NULL;
	g_assert_cmpint(release(x, old, NULL, FALSE, NULL, NULL, &error), >, 0);
	g_assert_cmpint(release(x, before, NULL, FALSE, NULL, NULL, &error), >, 0);
	g_assert_cmpint(release(x, after, NULL, FALSE, NULL, NULL, &error), >, 0);
	g_assert_no_error(error);
	g_assert_cmpuint(x->fake.built->len, ==, 3);
	g_assert_cmpstr(x->fake.built->pdata[0], ==, "remove"); /* no stage: the strictest */
	g_assert_cmpstr(x->fake.built->pdata[1], ==, "remove");
	g_assert_cmpstr(x->fake.built->pdata[2], ==, "text"); /* A and B: [mail] links */
	fixture_free(x);
}

static const char *self;

/* The process that dies (--claim-die DIR N [MESSAGE-ID]): claims
 * release N, records the Message-ID of its submission when given, and
 * exits without closing the store (as SIGKILL would). */
static int
claim_die(const char *dir, const char *number, const char *message_id)
{
	g_autoptr(GError) error = NULL;
	struct mg_store *s = store_open(dir, 0, &error);
	g_assert_no_error(error);
	gint64 n = g_ascii_strtoll(number, NULL, 10);
	g_assert_true(store_release_claim(s, n, &error));
	if (message_id)
		g_assert_true(store_release_submitting(s, n, message_id, &error));
	g_assert_no_error(error);
	_exit(0);
}

/* Release `n` of a new process that claims it and dies. */
static void
claimed_by_the_dead(struct fixture *x, gint64 n, const char *message_id)
{
	g_autofree char *number = g_strdup_printf("%" G_GINT64_FORMAT, n);
	const char *argv[] = { self, "--claim-die", x->dir, number, message_id, NULL };
	g_autoptr(GError) error = NULL;
	int status = 0;
	g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL,
				   NULL, &status, &error));
	g_assert_true(g_spawn_check_wait_status(status, NULL));
}

/* One line of release_recover() (which must give exactly one). */
static char *
recovered_line(struct fixture *x)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) lines = release_recover(x->store, "test", &error);
	g_assert_no_error(error);
	g_assert_cmpuint(lines->len, ==, 1);
	return g_strdup(lines->pdata[0]);
}

/* A release whose process died while "sending": before its submission,
 * approved again and delivered once by the same release asked again;
 * after it started, uncertain (the Message-ID named), then --force. */
static void
test_sender_died(void)
{
	struct fixture *x = fixture_new();
	g_autofree char *id = put_plain(x, "");
	g_autoptr(GError) error = NULL;
	gint64 n = release_request(x->store, x->policy, id, NULL, "alice", "test", TRUE, &error);
	g_assert_cmpint(n, >, 0);
	claimed_by_the_dead(x, n, NULL);
	/* stuck: a new release is refused */
	assert_refused(x, id, NULL, TRUE, "sending");
	g_autofree char *line = recovered_line(x);
	g_assert_nonnull(strstr(line, "approved again"));
	g_assert_nonnull(strstr(line, id));
	/* the same release asked again: that one goes out, once */
	g_assert_cmpint(release(x, id, NULL, FALSE, NULL, NULL, &error), ==, n);
	g_assert_no_error(error);
	g_assert_cmpuint(x->fake.submitted->len, ==, 1);
	g_autoptr(GPtrArray) all = store_releases(x->store, id, -1, &error);
	g_assert_cmpuint(all->len, ==, 1);
	g_assert_cmpint(((struct store_release *)all->pdata[0])->state, ==, STORE_RELEASE_DELIVERED);

	g_autofree char *id2 = put_plain(x, "");
	gint64 n2 = release_request(x->store, x->policy, id2, NULL, "alice", "test", TRUE, &error);
	claimed_by_the_dead(x, n2, "<rel.dead@gw.test>");
	assert_refused(x, id2, NULL, TRUE, "sending"); /* even with force */
	g_autofree char *line2 = recovered_line(x);
	g_assert_nonnull(strstr(line2, "may have been delivered"));
	g_assert_nonnull(strstr(line2, "<rel.dead@gw.test>"));
	g_autoptr(store_release) r = release_of(x, id2, n2);
	g_assert_true(store_release_uncertain(r));
	assert_refused(x, id2, NULL, FALSE, "<rel.dead@gw.test>");
	g_assert_cmpuint(x->fake.submitted->len, ==, 1);
	/* the administrator checked the log: --force */
	g_assert_cmpint(release(x, id2, NULL, TRUE, NULL, NULL, &error), >, 0);
	g_assert_no_error(error);
	g_assert_cmpuint(x->fake.submitted->len, ==, 2);
	/* a claim of a live session is never taken up */
	g_autofree char *id3 = put_plain(x, "");
	gint64 n3 = release_request(x->store, x->policy, id3, NULL, "alice", "test", TRUE, &error);
	g_assert_true(store_release_claim(x->store, n3, &error));
	g_autoptr(GPtrArray) none = release_recover(x->store, "test", &error);
	g_assert_cmpuint(none->len, ==, 0);
	g_autoptr(store_release) r3 = release_of(x, id3, n3);
	g_assert_cmpint(r3->state, ==, STORE_RELEASE_SENDING);
	fixture_free(x);
}

/* --password-file as people save it: the list the release is given. */
static void
test_password_file(void)
{
	static const struct {
		const char *text;
		gsize len;
		const char *list;
	} cases[] = {
		{ "\xEF\xBB\xBF" PASSWORD "\r\n", 0, PASSWORD },
		{ "wrong\r\n\r\n" PASSWORD "\r\n", 0, "wrong\n" PASSWORD },
		{ "wrong\r" PASSWORD "\r", 0, "wrong\n" PASSWORD },
		{ " spaced pass \n", 0, " spaced pass " },
		{ "\xFF\xFEK\0q\0" "7\0\r\0\n\0", 10, "Kq7" },
		{ "\xFE\xFF\0K\0q\0" "7", 8, "Kq7" },
		{ "\n\r\n", 0, "" },
	};
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) error = NULL;
		gsize len = cases[i].len ? cases[i].len : strlen(cases[i].text);
		g_autofree char *list = cdr_password_list_parse(cases[i].text, len, &error);
		g_assert_no_error(error);
		g_assert_cmpstr(list, ==, cases[i].list);
	}
	/* NUL bytes without a UTF-16 mark: refused, the content not quoted */
	g_autoptr(GError) error = NULL;
	g_assert_null(cdr_password_list_parse(PASSWORD "\0x\n", sizeof(PASSWORD) + 2, &error));
	g_assert_nonnull(error);
	g_assert_null(strstr(error->message, PASSWORD));
	g_clear_error(&error);
	g_assert_null(cdr_password_list_read("/nonexistent/missing.txt", &error));
	g_assert_nonnull(strstr(error->message, "missing.txt"));
}

/* The relay takes the release for A and refuses B at RCPT TO: the
 * release says so (what, not_reached) and stands for A only, so that a
 * release to B later is not refused as "released already". */
static void
test_one_recipient_refused(void)
{
	struct fixture *x = fixture_new();
	g_autofree char *id = put_plain(x, "");
	x->fake.refuse = B;
	struct release_outcome out = { 0 };
	g_autoptr(GError) error = NULL;
	gint64 n = release(x, id, NULL, FALSE, NULL, &out, &error);
	g_assert_no_error(error);
	g_assert_cmpint(n, >, 0);
	g_assert_nonnull(out.not_reached);
	g_assert_cmpstr(out.not_reached->pdata[0], ==, B);
	g_assert_null(out.not_reached->pdata[1]);
	g_assert_nonnull(strstr(out.what, "not delivered to " B " (550 5.1.1 user unknown)"));
	release_outcome_clear(&out);
	g_autoptr(store_release) r = release_of(x, id, n);
	g_assert_cmpint(r->state, ==, STORE_RELEASE_DELIVERED);
	g_assert_cmpuint(r->recipients->len, ==, 1);
	g_assert_cmpstr(r->recipients->pdata[0], ==, A);
	/* A again: refused; B, the cause fixed: delivered */
	const char *const a[] = { A, NULL }, *const b[] = { B, NULL };
	assert_refused(x, id, a, FALSE, "released to " A " already");
	x->fake.refuse = NULL;
	g_assert_cmpint(release(x, id, b, FALSE, NULL, NULL, &error), >, 0);
	g_assert_no_error(error);
	g_assert_cmpstr(x->fake.submitted->pdata[x->fake.submitted->len - 1], ==, B);
	fixture_free(x);
}

/* A report with a password-protected zip left locked. */
#define ZIP_REPORT \
	"{\"verdict\":\"sanitized\",\"handler\":\"mime\",\"children\":[{\"name\":\"z.zip\"," \
	"\"verdict\":\"blocked\",\"error\":\"encrypted\",\"handler\":\"archive\"}]}"

/* A release whose password opened the zip a PPAP entry waits for, to
 * every original recipient: the entry is finished, and a password mail
 * coming later sends no second copy. A release that left the zip locked,
 * or reached some recipients only, leaves it waiting. */
static void
test_release_finishes_ppap(void)
{
	struct fixture *x = fixture_new();
	const char *zip = ZIP_REPORT;
	g_autoptr(GError) error = NULL;
	g_autofree char *locked = put(x, zip, "");
	x->fake.locked = TRUE;
	g_assert_cmpint(release(x, locked, NULL, FALSE, NULL, NULL, &error), >, 0);
	g_autoptr(store_ppap) p1 = store_ppap_get(x->store, locked, &error);
	g_assert_cmpint(p1->state, ==, STORE_PPAP_WAITING);
	x->fake.locked = FALSE;
	g_autofree char *some = put(x, zip, "");
	const char *const a[] = { A, NULL };
	g_assert_cmpint(release(x, some, a, FALSE, PASSWORD, NULL, &error), >, 0);
	g_autoptr(store_ppap) p2 = store_ppap_get(x->store, some, &error);
	g_assert_cmpint(p2->state, ==, STORE_PPAP_WAITING);
	g_autofree char *all = put(x, zip, "");
	g_assert_cmpint(release(x, all, NULL, FALSE, PASSWORD, NULL, &error), >, 0);
	g_assert_no_error(error);
	g_autoptr(store_ppap) p3 = store_ppap_get(x->store, all, &error);
	g_assert_cmpint(p3->state, ==, STORE_PPAP_OPENED);
	g_assert_cmpuint(p3->tries, ==, 0);
	/* a pairing that ended "failed" (perhaps sent): a person judges */
	g_autofree char *failed = put(x, zip, "");
	g_assert_true(store_ppap_claim(x->store, failed, 600, &error));
	g_assert_true(store_event_add(x->store, failed, "ppap-followup", "cdr-milter", NULL, "{}",
				      &error));
	g_assert_true(store_ppap_fail(x->store, failed, "cut short", "cdr-milter", &error));
	g_assert_cmpint(release(x, failed, NULL, FALSE, PASSWORD, NULL, &error), >, 0);
	g_assert_no_error(error);
	fixture_free(x);
}

/* The PPAP entry of `id` finished as the milter's pairing does when its
 * follow-up went out: the event, then "opened". */
static void
opened_by_followup(struct fixture *x, const char *id)
{
	g_autoptr(GError) error = NULL;
	g_assert_true(store_ppap_claim(x->store, id, 600, &error));
	g_assert_true(store_event_add(x->store, id, "ppap-followup", "cdr-milter", NULL,
				      "{\"password_message\":\"x\",\"queued_as\":\"4Q\"}", &error));
	g_assert_true(store_ppap_finish(x->store, id, STORE_PPAP_OPENED, 1, NULL, "cdr-milter",
					&error));
}

/* After a PPAP follow-up brought the files to the sanitize-mode
 * recipients, a release to them is refused (it would be a second copy)
 * unless forced; a text-mode recipient got a listing and may ask. */
static void
test_after_followup(void)
{
	struct fixture *x = fixture_new();
	g_autoptr(GError) error = NULL;
	int fd = test_memfd("the original", -1);
	g_autofree char *id = store_put_original(x->store, fd, NULL, &error);
	close(fd);
	g_autofree char *json = g_strdup_printf(
		"{\"sender\":\"taro@example.jp\",\"recipients\":[\"" A "\",\"" B "\"],"
		"\"action\":\"delivered\",\"mode\":\"sanitize\",\"report\":%s}", ZIP_REPORT);
	g_autoptr(store_message) m = store_message_from_record(json, strlen(json), &error);
	struct store_recipient *rb = m->recipients->pdata[1];
	g_free(rb->mode);
	rb->mode = g_strdup("text");
	g_assert_true(store_put_record(x->store, id, m, &error));
	opened_by_followup(x, id);
	const char *const a[] = { "<" A ">", NULL }, *const b[] = { B, NULL };
	assert_refused(x, id, a, FALSE, "PPAP follow-up of");
	assert_refused(x, id, NULL, FALSE, "brought its files to " A);
	g_assert_cmpint(release(x, id, b, FALSE, NULL, NULL, &error), >, 0);
	g_assert_no_error(error);
	x->policy->ppap_text_mode_delivery = TRUE; /* B got the files too, then */
	g_autofree char *id2 = put(x, ZIP_REPORT, "");
	opened_by_followup(x, id2);
	assert_refused(x, id2, b, FALSE, "brought its files to " B);
	g_assert_cmpint(release(x, id2, a, TRUE, NULL, NULL, &error), >, 0);
	g_assert_no_error(error);
	fixture_free(x);
}

int
main(int argc, char **argv)
{
	if (argc >= 4 && strcmp(argv[1], "--claim-die") == 0)
		return claim_die(argv[2], argv[3], argc > 4 ? argv[4] : NULL);
	self = argv[0];
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/release/not-releasable", test_not_releasable);
	g_test_add_func("/release/recipients-allowed", test_recipients_allowed);
	g_test_add_func("/release/recipients-spelling", test_recipients_spelling);
	g_test_add_func("/release/released-before", test_released_before);
	g_test_add_func("/release/two-at-once", test_two_at_once);
	g_test_add_func("/release/deferred-retryable", test_deferred_retryable);
	g_test_add_func("/release/uncertain-needs-force", test_uncertain_needs_force);
	g_test_add_func("/release/events-and-malware", test_events_and_malware);
	g_test_add_func("/release/link-style-of-role", test_link_style_of_role);
	g_test_add_func("/release/sender-died", test_sender_died);
	g_test_add_func("/release/password-file", test_password_file);
	g_test_add_func("/release/one-recipient-refused", test_one_recipient_refused);
	g_test_add_func("/release/release-finishes-ppap", test_release_finishes_ppap);
	g_test_add_func("/release/after-followup", test_after_followup);
	return g_test_run();
}
