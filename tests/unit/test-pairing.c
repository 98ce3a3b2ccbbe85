/*
 * NAME
 *	test-pairing - PPAP pairing's rules, without a milter
 * SUMMARY
 *	pairing_run() (milter/pairing-run.c) on a temporary store, with a
 *	fake rebuild (the "zip" opens when the passwords hold the word after
 *	PASSWORD= in the original) and a fake relay: which waiting message a
 *	password mail opens (same envelope sender AND From address, its
 *	recipients a superset, within the window, the nearest earlier one,
 *	never a later one or its own), wrong passwords counted up to
 *	max_tries, only a hash of them stored, the follow-up's Message-ID
 *	recorded before it is submitted, a deferred follow-up waiting again,
 *	one that reached some recipients only, or whose answer was lost,
 *	failed and never sent again, and the pairing mark cleared.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pairing-run.h"
#include "test-dir.h"
#include "test-memfd.h"

#define SENDER "taro@example.jp"
#define A "soumu@city.lg.jp"
#define B "kikaku@city.lg.jp"

/* What the fakes saw and do. */
struct fake {
	struct mg_store *store;
	GPtrArray *built;     /* char*: "ID MODE" per rebuild */
	GPtrArray *submitted; /* char*: "MESSAGE-ID TO,TO" per submission */
	GArray *answers;      /* enum submit_status per submission; SENT when run out */
	gboolean uncertain;   /* a TEMPFAIL answer is "uncertain" (no reply after the data) */
	const char *refuse;   /* a recipient the relay refuses (550) while it takes the others */
	guint answered;
};

struct fixture {
	char *dir;
	struct mg_store *store;
	struct cdr_policy *policy;
	struct fake fake;
	struct pairing_ops ops;
};

static char *
read_all(int fd)
{
	GString *s = g_string_new(NULL);
	char buf[4096];
	ssize_t n;
	while ((n = pread(fd, buf, sizeof(buf), (off_t)s->len)) > 0)
		g_string_append_len(s, buf, n);
	return g_string_free(s, FALSE);
}

/* A report: `locked` password-protected zips left. */
static struct cdr_report *
report_with(guint locked)
{
	GString *json = g_string_new("{\"verdict\":\"sanitized\",\"handler\":\"mime\","
				     "\"children\":[");
	for (guint i = 0; i < locked; i++)
		g_string_append_printf(json, "%s{\"name\":\"z%u.zip\",\"verdict\":\"blocked\","
					     "\"error\":\"encrypted\",\"handler\":\"archive\"}",
				       i ? "," : "", i);
	g_string_append(json, "]}");
	g_autoptr(GError) error = NULL;
	struct cdr_report *r = cdr_report_from_json_string(json->str, json->len, &error);
	g_assert_no_error(error);
	g_string_free(json, TRUE);
	return r;
}

/* The rebuild: opened when a line of the passwords is the original's
 * word after "PASSWORD=". */
static struct cdr_report *
fake_build(gpointer data, const char *id, const struct cdr_run_params *params, int *out_fd,
	   GError **error)
{
	struct fake *f = data;
	g_ptr_array_add(f->built, g_strdup_printf("%s %s", id, params->mail_mode));
	g_assert_cmpstr(params->mail_build, ==, "followup");
	int fd = store_get_original(f->store, id, error);
	if (fd < 0)
		return NULL;
	g_autofree char *original = read_all(fd);
	close(fd);
	const char *word = strstr(original, "PASSWORD=");
	g_auto(GStrv) lines = g_strsplit(params->passwords, "\n", -1);
	gboolean opens = word && g_strv_contains((const char *const *)lines, word + 9);
	g_autofree char *out = g_strdup_printf("Subject: follow-up\r\n"
					       "Message-ID: <fu.%s.%s@gw.test>\r\n\r\nbody\r\n",
					       id, params->mail_mode);
	*out_fd = test_memfd(out, -1);
	return report_with(opens ? 0 : 1);
}

static void
fake_submit(gpointer data, const char *const *to, int fd, struct submit_result *res)
{
	struct fake *f = data;
	g_autofree char *message = read_all(fd);
	const char *mid = strstr(message, "Message-ID: ");
	g_assert_nonnull(mid);
	g_autofree char *id = g_strndup(mid + 12, strcspn(mid + 12, "\r\n"));
	/* recorded before it is submitted */
	g_autoptr(GError) error = NULL;
	g_autofree char *quarantine_id = g_strndup(id + 4, 28);
	g_autoptr(store_ppap) p = store_ppap_get(f->store, quarantine_id, &error);
	g_assert_no_error(error);
	g_assert_nonnull(p->submitting);
	g_assert_nonnull(strstr(p->submitting, id));
	g_autofree char *list = g_strjoinv(",", (char **)to);
	g_ptr_array_add(f->submitted, g_strdup_printf("%s %s", id, list));
	*res = (struct submit_result){ .recipients = g_ptr_array_new_with_free_func(g_free) };
	for (guint i = 0; to[i]; i++) {
		struct submit_recipient *rc = g_new0(struct submit_recipient, 1);
		gboolean refused = f->refuse && g_ascii_strcasecmp(to[i], f->refuse) == 0;
		rc->address = (char *)to[i];
		rc->status = refused ? SUBMIT_REFUSED : SUBMIT_SENT;
		rc->reply = refused ? (char *)"550 5.1.1 user unknown" : NULL;
		g_ptr_array_add(res->recipients, rc);
	}
	res->status = f->answered < f->answers->len
			      ? g_array_index(f->answers, enum submit_status, f->answered)
			      : SUBMIT_SENT;
	f->answered++;
	res->reply = g_strdup(res->status == SUBMIT_SENT ? "250 ok" : "451 later");
	res->uncertain = res->status == SUBMIT_TEMPFAIL && f->uncertain;
	if (res->status == SUBMIT_SENT)
		res->queue_id = g_strdup("4ABCD");
}

static const char *
fake_links(gpointer data, const char *const *to)
{
	(void)data;
	g_assert_nonnull(to[0]);
	return "keep";
}

static struct fixture *
fixture_new(guint window, guint max_tries)
{
	struct fixture *x = g_new0(struct fixture, 1);
	g_autoptr(GError) error = NULL;
	x->dir = g_dir_make_tmp("test-pairing-XXXXXX", &error);
	g_assert_no_error(error);
	x->store = store_open(x->dir, STORE_CREATE, &error);
	g_assert_no_error(error);
	x->policy = cdr_policy_new_default();
	x->policy->ppap_pair_window = window;
	x->policy->ppap_max_tries = max_tries;
	x->fake.store = x->store;
	x->fake.built = g_ptr_array_new_with_free_func(g_free);
	x->fake.submitted = g_ptr_array_new_with_free_func(g_free);
	x->fake.answers = g_array_new(FALSE, FALSE, sizeof(enum submit_status));
	x->ops = (struct pairing_ops){ .build = fake_build,
				       .submit = fake_submit,
				       .links = fake_links,
				       .data = &x->fake,
				       .submit_tries = 2,
				       .submit_pause = 0,
				       .claim_stale = 600 };
	return x;
}

static void
fixture_free(struct fixture *x)
{
	store_close(x->store);
	g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", x->dir);
	g_assert_true(g_spawn_command_line_sync(cmd, NULL, NULL, NULL, NULL));
	g_free(x->dir);
	cdr_policy_free(x->policy);
	g_ptr_array_unref(x->fake.built);
	g_ptr_array_unref(x->fake.submitted);
	g_array_unref(x->fake.answers);
	g_free(x);
}

/* The record of a delivered message from `sender` (From: `from`) to
 * `to` (comma-separated), with an encrypted zip when `zip`. */
static struct store_message *
message(const char *sender, const char *from, const char *to, gboolean zip)
{
	g_auto(GStrv) rcpts = g_strsplit(to, ",", -1);
	g_autofree char *list = g_strjoinv("\",\"", rcpts);
	g_autofree char *json = g_strdup_printf(
		"{\"sender\":\"%s\",\"recipients\":[\"%s\"],\"action\":\"delivered\","
		"\"mode\":\"sanitize\",\"subject\":\"s\",\"report\":{\"verdict\":\"sanitized\","
		"\"handler\":\"mime\",\"from\":\"%s\",\"from_address\":\"%s\",\"children\":[%s]}}",
		sender, list, from, from,
		zip ? "{\"name\":\"z.zip\",\"verdict\":\"blocked\",\"error\":\"encrypted\","
		      "\"handler\":\"archive\"}"
		    : "");
	g_autoptr(GError) error = NULL;
	struct store_message *m = store_message_from_record(json, strlen(json), &error);
	g_assert_no_error(error);
	return m;
}

/* Put a zip message whose password is `password`; returns its id. */
static char *
put_zip(struct fixture *x, const char *sender, const char *from, const char *to,
	const char *password)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *text = g_strdup_printf("zip PASSWORD=%s", password);
	int fd = test_memfd(text, -1);
	char *id = store_put_original(x->store, fd, NULL, &error);
	close(fd);
	g_assert_no_error(error);
	g_autoptr(store_message) m = message(sender, from, to, TRUE);
	g_assert_true(m->ppap_wait);
	g_assert_true(store_put_record(x->store, id, m, &error));
	return id;
}

/* Import a zip message under an id `offset` seconds from now. */
static char *
import_zip(struct fixture *x, gint64 offset, const char *password)
{
	g_autoptr(GDateTime) t = g_date_time_new_from_unix_utc(g_get_real_time() / G_USEC_PER_SEC +
							       offset);
	g_autofree char *stamp = g_date_time_format(t, "%Y%m%dT%H%M%S");
	char *id = g_strdup_printf("%s-0000000000%02x", stamp, (guint)(offset & 0xff));
	g_autofree char *text = g_strdup_printf("zip PASSWORD=%s", password);
	int fd = test_memfd(text, -1);
	g_autoptr(store_message) m = message(SENDER, SENDER, A, TRUE);
	g_autoptr(GError) error = NULL;
	g_assert_true(store_import(x->store, id, fd, m, &error));
	g_assert_no_error(error);
	close(fd);
	return id;
}

/* A password mail, stored with its pairing mark, paired with
 * `passwords`; returns the id it opened (or NULL). */
static char *
pair(struct fixture *x, const char *sender, const char *from, const char *to,
     const char *passwords, char **mail_id)
{
	g_autoptr(GError) error = NULL;
	int fd = test_memfd("the password mail", -1);
	char *id = store_put_original(x->store, fd, NULL, &error);
	close(fd);
	g_autoptr(store_message) m = message(sender, from, to, FALSE);
	m->ppap_pair = TRUE;
	g_assert_true(store_put_record(x->store, id, m, &error));
	g_auto(GStrv) rcpts = g_strsplit(to, ",", -1);
	struct pairing_mail mail = {
		.id = id,
		.time = g_get_real_time() / G_USEC_PER_SEC,
		.sender = sender,
		.from_address = from,
		.recipients = (const char *const *)rcpts,
		.passwords = passwords,
	};
	char *opened = pairing_run(x->policy, x->store, &x->ops, &mail);
	/* the mark is gone: a recovery would not run it again */
	struct store_ppap_recovered r;
	g_assert_true(store_ppap_recover(x->store, 0, 600, "test", &r, &error));
	g_assert_cmpuint(r.pairings->len, ==, 0);
	store_ppap_recovered_clear(&r);
	if (mail_id)
		*mail_id = id;
	else
		g_free(id);
	return opened;
}

static enum store_ppap_state
state_of(struct fixture *x, const char *id, guint *tries)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(store_ppap) p = store_ppap_get(x->store, id, &error);
	g_assert_no_error(error);
	if (tries)
		*tries = p->tries;
	return p->state;
}

static void
test_nearest_earlier(void)
{
	struct fixture *x = fixture_new(120, 3);
	g_autofree char *older = import_zip(x, -30, "alpha");
	g_autofree char *nearer = put_zip(x, SENDER, SENDER, A, "alpha");
	g_autofree char *later = import_zip(x, 30, "alpha"); /* after the password mail */
	g_autofree char *mail = NULL;
	g_autofree char *opened = pair(x, SENDER, SENDER, A, "other\nalpha", &mail);
	g_assert_cmpstr(opened, ==, nearer);
	g_assert_cmpint(state_of(x, nearer, NULL), ==, STORE_PPAP_OPENED);
	g_assert_cmpint(state_of(x, older, NULL), ==, STORE_PPAP_WAITING);
	g_assert_cmpint(state_of(x, later, NULL), ==, STORE_PPAP_WAITING);
	g_assert_cmpuint(x->fake.submitted->len, ==, 1);
	g_autofree char *want = g_strdup_printf("<fu.%s.sanitize@gw.test> " A, nearer);
	g_assert_cmpstr(x->fake.submitted->pdata[0], ==, want);
	/* the event names the password mail and the queue id */
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) events = store_events(x->store, nearer, 0, &error);
	gboolean found = FALSE;
	for (guint i = 0; i < events->len; i++) {
		const struct store_event *e = events->pdata[i];
		if (strcmp(e->what, "ppap-followup") == 0)
			found = strstr(e->detail, mail) && strstr(e->detail, "4ABCD");
	}
	g_assert_true(found);
	/* the same password mail again finds the older one next */
	g_autofree char *again = pair(x, SENDER, SENDER, A, "alpha", NULL);
	g_assert_cmpstr(again, ==, older);
	fixture_free(x);
}

static void
test_sender_and_from(void)
{
	struct fixture *x = fixture_new(120, 3);
	g_autofree char *zip = put_zip(x, SENDER, SENDER, A, "alpha");
	/* the envelope sender alone, or the From alone, is not enough */
	g_assert_null(pair(x, SENDER, "jiro@example.jp", A, "alpha", NULL));
	g_assert_null(pair(x, "jiro@example.jp", SENDER, A, "alpha", NULL));
	g_assert_cmpuint(x->fake.built->len, ==, 0);
	g_assert_cmpint(state_of(x, zip, NULL), ==, STORE_PPAP_WAITING);
	/* both, in another case */
	g_autofree char *opened = pair(x, "Taro@Example.JP", "TARO@example.jp", A, "alpha", NULL);
	g_assert_cmpstr(opened, ==, zip);
	fixture_free(x);
}

static void
test_recipients_superset(void)
{
	struct fixture *x = fixture_new(120, 3);
	g_autofree char *zip = put_zip(x, SENDER, SENDER, A "," B, "alpha");
	g_assert_null(pair(x, SENDER, SENDER, A, "alpha", NULL)); /* B would not get it */
	g_assert_cmpuint(x->fake.built->len, ==, 0);
	g_autofree char *opened = pair(x, SENDER, SENDER, "x@city.lg.jp," B "," A, "alpha", NULL);
	g_assert_cmpstr(opened, ==, zip);
	/* the follow-up goes to the zip's recipients, not the password mail's */
	g_autofree char *want = g_strdup_printf("<fu.%s.sanitize@gw.test> " A "," B, zip);
	g_assert_cmpstr(x->fake.submitted->pdata[0], ==, want);
	/* an envelope that named a recipient twice, in two cases: one copy */
	g_autofree char *twice = put_zip(x, SENDER, SENDER, A ",SOUMU@City.LG.JP," B, "beta");
	g_autofree char *opened2 = pair(x, SENDER, SENDER, B "," A, "beta", NULL);
	g_assert_cmpstr(opened2, ==, twice);
	g_autofree char *want2 = g_strdup_printf("<fu.%s.sanitize@gw.test> " A "," B, twice);
	g_assert_cmpstr(x->fake.submitted->pdata[1], ==, want2);
	fixture_free(x);
}

static void
test_window(void)
{
	struct fixture *x = fixture_new(120, 3);
	g_autofree char *old = import_zip(x, -200, "alpha");
	g_assert_null(pair(x, SENDER, SENDER, A, "alpha", NULL));
	g_assert_cmpuint(x->fake.built->len, ==, 0);
	x->policy->ppap_pair_window = 300;
	g_autofree char *opened = pair(x, SENDER, SENDER, A, "alpha", NULL);
	g_assert_cmpstr(opened, ==, old);
	fixture_free(x);
}

static void
test_wrong_password_counted(void)
{
	struct fixture *x = fixture_new(120, 2);
	g_autofree char *zip = put_zip(x, SENDER, SENDER, A, "alpha");
	guint tries = 0;
	g_assert_null(pair(x, SENDER, SENDER, A, "Wrong-Secret-1", NULL));
	g_assert_cmpint(state_of(x, zip, &tries), ==, STORE_PPAP_WAITING);
	g_assert_cmpuint(tries, ==, 1);
	g_assert_cmpuint(x->fake.submitted->len, ==, 0);
	g_assert_null(pair(x, SENDER, SENDER, A, "Wrong-Secret-2", NULL));
	g_assert_cmpint(state_of(x, zip, &tries), ==, STORE_PPAP_EXHAUSTED);
	g_assert_cmpuint(tries, ==, 2);
	/* max_tries reached: not even tried with the right one */
	guint built = x->fake.built->len;
	g_assert_null(pair(x, SENDER, SENDER, A, "alpha", NULL));
	g_assert_cmpuint(x->fake.built->len, ==, built);
	/* the events hold a hash prefix, the store no password */
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) events = store_events(x->store, zip, 0, &error);
	g_autofree char *hash = pairing_password_hash("Wrong-Secret-1");
	g_assert_cmpuint(strlen(hash), ==, 12);
	const struct store_event *e = events->pdata[0];
	g_assert_cmpstr(e->what, ==, "ppap-tried");
	g_assert_nonnull(strstr(e->detail, hash));
	store_close(x->store); /* the WAL checkpointed into the file */
	g_assert_false(dir_files_contain(x->dir, "Wrong-Secret"));
	x->store = store_open(x->dir, 0, &error);
	fixture_free(x);
}

static void
test_deferred_waits_again(void)
{
	struct fixture *x = fixture_new(120, 3);
	g_autofree char *zip = put_zip(x, SENDER, SENDER, A, "alpha");
	enum submit_status later[] = { SUBMIT_TEMPFAIL, SUBMIT_TEMPFAIL };
	g_array_append_vals(x->fake.answers, later, G_N_ELEMENTS(later));
	g_assert_null(pair(x, SENDER, SENDER, A, "alpha", NULL));
	g_assert_cmpuint(x->fake.submitted->len, ==, 2); /* submit_tries */
	guint tries = 9;
	g_assert_cmpint(state_of(x, zip, &tries), ==, STORE_PPAP_WAITING);
	g_assert_cmpuint(tries, ==, 0); /* not the password's fault */
	g_autoptr(GError) error = NULL;
	g_autoptr(store_ppap) p = store_ppap_get(x->store, zip, &error);
	g_assert_null(p->submitting); /* nothing went out */
	g_autofree char *opened = pair(x, SENDER, SENDER, A, "alpha", NULL);
	g_assert_cmpstr(opened, ==, zip);
	g_assert_cmpuint(x->fake.submitted->len, ==, 3);
	fixture_free(x);
}

static void
test_partial_fails(void)
{
	struct fixture *x = fixture_new(120, 3);
	g_autoptr(GError) error = NULL;
	int fd = test_memfd("zip PASSWORD=alpha", -1);
	g_autofree char *zip = store_put_original(x->store, fd, NULL, &error);
	close(fd);
	g_autoptr(store_message) m = message(SENDER, SENDER, A "," B, TRUE);
	struct store_recipient *rb = m->recipients->pdata[1];
	g_free(rb->mode);
	rb->mode = g_strdup("text");
	g_assert_true(store_put_record(x->store, zip, m, &error));
	enum submit_status answers[] = { SUBMIT_SENT, SUBMIT_REFUSED };
	g_array_append_vals(x->fake.answers, answers, G_N_ELEMENTS(answers));
	g_autofree char *opened = pair(x, SENDER, SENDER, A "," B, "alpha", NULL);
	g_assert_cmpstr(opened, ==, zip);
	g_assert_cmpuint(x->fake.submitted->len, ==, 2);
	g_autofree char *sanitize = g_strdup_printf("<fu.%s.sanitize@gw.test> " A, zip);
	g_autofree char *text = g_strdup_printf("<fu.%s.text@gw.test> " B, zip);
	g_assert_cmpstr(x->fake.submitted->pdata[0], ==, sanitize);
	g_assert_cmpstr(x->fake.submitted->pdata[1], ==, text);
	g_autoptr(store_ppap) p = store_ppap_get(x->store, zip, &error);
	g_assert_cmpint(p->state, ==, STORE_PPAP_FAILED);
	g_assert_nonnull(strstr(p->reason, "some recipients only"));
	/* never again by itself: the next password mail finds nothing */
	g_assert_null(pair(x, SENDER, SENDER, A "," B, "alpha", NULL));
	g_assert_cmpuint(x->fake.submitted->len, ==, 2);
	/* the relay takes the follow-up for A and refuses B at RCPT TO:
	 * failed, naming B (cdr-quarantine release --to reaches B) */
	g_autofree char *zip2 = put_zip(x, SENDER, SENDER, A "," B, "beta");
	x->fake.refuse = B;
	g_autofree char *opened2 = pair(x, SENDER, SENDER, A "," B, "beta", NULL);
	g_assert_cmpstr(opened2, ==, zip2);
	g_autoptr(store_ppap) p2 = store_ppap_get(x->store, zip2, &error);
	g_assert_cmpint(p2->state, ==, STORE_PPAP_FAILED);
	g_assert_nonnull(strstr(p2->reason, "not delivered to " B " (550 5.1.1 user unknown)"));
	fixture_free(x);
}

/* No answer after the whole follow-up: perhaps delivered. Never sent
 * again, not even by the retries: failed. */
static void
test_uncertain_not_resent(void)
{
	struct fixture *x = fixture_new(120, 3);
	g_autofree char *zip = put_zip(x, SENDER, SENDER, A, "alpha");
	enum submit_status lost[] = { SUBMIT_TEMPFAIL };
	g_array_append_vals(x->fake.answers, lost, G_N_ELEMENTS(lost));
	x->fake.uncertain = TRUE;
	g_autofree char *opened = pair(x, SENDER, SENDER, A, "alpha", NULL);
	g_assert_cmpstr(opened, ==, zip);
	g_assert_cmpuint(x->fake.submitted->len, ==, 1); /* submit_tries 2: not retried */
	g_autoptr(GError) error = NULL;
	g_autoptr(store_ppap) p = store_ppap_get(x->store, zip, &error);
	g_assert_cmpint(p->state, ==, STORE_PPAP_FAILED);
	g_assert_nonnull(strstr(p->reason, "may have been delivered"));
	g_assert_nonnull(strstr(p->submitting, "<fu."));
	g_assert_null(pair(x, SENDER, SENDER, A, "alpha", NULL));
	g_assert_cmpuint(x->fake.submitted->len, ==, 1);
	fixture_free(x);
}

/* The stored message `id` paired as a password mail from SENDER to A
 * with "alpha": it opens nothing and `zip` waits on, untouched. */
static void
assert_opens_nothing(struct fixture *x, const char *id, const char *zip)
{
	struct pairing_mail mail = { .id = id,
				     .time = g_get_real_time() / G_USEC_PER_SEC,
				     .sender = SENDER,
				     .from_address = SENDER,
				     .recipients = (const char *const[]){ A, NULL },
				     .passwords = "alpha" };
	g_assert_null(pairing_run(x->policy, x->store, &x->ops, &mail));
	g_assert_cmpuint(x->fake.built->len, ==, 0);
	g_assert_cmpint(state_of(x, zip, NULL), ==, STORE_PPAP_WAITING);
}

static void
test_own_zip_skipped(void)
{
	struct fixture *x = fixture_new(120, 3);
	/* a password mail that itself holds a zip waiting for a password */
	g_autofree char *own = put_zip(x, SENDER, SENDER, A, "alpha");
	assert_opens_nothing(x, own, own);
	fixture_free(x);
}

/* [ppap] max_tries counts passwords, not password mails: a mail with
 * many candidates spends as many tries, and a message is never given
 * more passwords than it has tries left (the right one after them is
 * not tried). */
/* A password mail to `to` with `passwords` opens nothing; `zip` is then
 * in `state` with `tries`. */
static void
pair_fails(struct fixture *x, const char *zip, const char *to, const char *passwords,
	   enum store_ppap_state state, guint tries)
{
	guint now = 0;
	g_assert_null(pair(x, SENDER, SENDER, to, passwords, NULL));
	g_assert_cmpint(state_of(x, zip, &now), ==, state);
	g_assert_cmpuint(now, ==, tries);
	g_assert_cmpuint(x->fake.submitted->len, ==, 0);
}

static void
test_tries_count_passwords(void)
{
	struct fixture *x = fixture_new(120, 3);
	g_autofree char *zip = put_zip(x, SENDER, SENDER, A, "alpha");
	pair_fails(x, zip, A, "w1\nw2", STORE_PPAP_WAITING, 2);
	/* one try left: "w3" is tried, "alpha" after it is not */
	pair_fails(x, zip, A, "w3\nalpha", STORE_PPAP_EXHAUSTED, 3);
	/* sixteen candidates in one mail: three tries, then nothing */
	g_autofree char *zip2 = put_zip(x, SENDER, SENDER, B, "alpha");
	GString *many = g_string_new(NULL);
	for (guint i = 0; i < 15; i++)
		g_string_append_printf(many, "wrong%u\n", i);
	g_string_append(many, "alpha");
	pair_fails(x, zip2, B, many->str, STORE_PPAP_EXHAUSTED, 3);
	g_string_free(many, TRUE);
	/* the two its own text gave (wrong-password in its record) count too */
	g_autoptr(GError) error = NULL;
	int fd = test_memfd("zip PASSWORD=alpha", -1);
	g_autofree char *zip3 = store_put_original(x->store, fd, NULL, &error);
	close(fd);
	const char *json = "{\"sender\":\"" SENDER "\",\"recipients\":[\"x@city.lg.jp\"],"
			   "\"action\":\"delivered\",\"mode\":\"sanitize\",\"report\":{\"verdict\":"
			   "\"sanitized\",\"handler\":\"mime\",\"from_address\":\"" SENDER "\","
			   "\"children\":[{\"name\":\"z.zip\",\"verdict\":\"blocked\",\"error\":"
			   "\"encrypted\",\"handler\":\"archive\",\"actions\":[{\"what\":"
			   "\"wrong-password\",\"count\":2}]}]}}";
	g_autoptr(store_message) m = store_message_from_record(json, strlen(json), &error);
	g_assert_true(store_put_record(x->store, zip3, m, &error));
	guint tries = 0;
	g_assert_cmpint(state_of(x, zip3, &tries), ==, STORE_PPAP_WAITING);
	g_assert_cmpuint(tries, ==, 2);
	pair_fails(x, zip3, "x@city.lg.jp", "w4\nalpha", STORE_PPAP_EXHAUSTED, 3);
	fixture_free(x);
}

/* Many waiting messages from one sender: one password mail rebuilds at
 * most PAIRING_MAX_CANDIDATES of them, nearest first. */
static void
test_candidates_bounded(void)
{
	struct fixture *x = fixture_new(600, 3);
	g_autofree char *oldest = import_zip(x, -100, "alpha");
	for (guint i = 0; i < PAIRING_MAX_CANDIDATES + 4; i++)
		g_free(import_zip(x, -90 + (gint64)i, "other"));
	g_assert_null(pair(x, SENDER, SENDER, A, "alpha", NULL));
	g_assert_cmpuint(x->fake.built->len, ==, PAIRING_MAX_CANDIDATES);
	g_assert_cmpint(state_of(x, oldest, NULL), ==, STORE_PPAP_WAITING);
	fixture_free(x);
}

/* Mail a program sent about other mail (a bounce, a vacation reply, a
 * report, a follow-up come round) quotes the password and the zip: it
 * never pairs. Header fields as the MTA hands them (leading space,
 * folds, parameters). */
static void
test_automatic_mail_refused(void)
{
	static const struct {
		const char *sender, *name, *value;
	} refused[] = {
		{ "", NULL, NULL },
		{ NULL, NULL, NULL },
		{ "MAILER-DAEMON@mx.example.jp", NULL, NULL },
		{ "mailer-daemon", NULL, NULL },
		{ SENDER, "Auto-Submitted", " auto-replied" },
		{ SENDER, "auto-submitted", " Auto-Generated (vacation)" },
		{ SENDER, "X-Autoreply", " yes" },
		{ SENDER, "X-Autorespond", " " },
		{ SENDER, "Precedence", " Auto_Reply" },
		{ SENDER, "Content-Type", " multipart/report;\n\treport-type=delivery-status" },
		{ SENDER, "Content-Type", " Multipart/Report ; report-type=disposition-notification" },
		{ SENDER, "X-Mugaika-Followup", " followup; id=20250101T000000-000000000000" },
		{ SENDER, "x-mugaika-followup", "" },
	};
	for (guint i = 0; i < G_N_ELEMENTS(refused); i++) {
		const char *names[] = { "From", refused[i].name };
		const char *values[] = { " " SENDER, refused[i].value };
		g_assert_nonnull(pairing_refusal(refused[i].sender, names, values,
						 refused[i].name ? 2 : 1));
	}
	static const struct {
		const char *name, *value;
	} kept[] = {
		{ "Auto-Submitted", " no" },
		{ "Auto-Submitted", " No ; comment" },
		{ "Precedence", " bulk" },
		{ "Content-Type", " multipart/mixed; boundary=\"multipart/report\"" },
		{ "Subject", " Auto-Submitted: auto-replied" },
		{ "X-Mugaika", " verdict=clean" },
	};
	for (guint i = 0; i < G_N_ELEMENTS(kept); i++) {
		const char *names[] = { kept[i].name };
		const char *values[] = { kept[i].value };
		g_assert_null(pairing_refusal(SENDER, names, values, 1));
	}
	g_assert_null(pairing_refusal("daemon-mailer@example.jp", NULL, NULL, 0));
}

/* A zip that came after its password mail, even within the same second
 * (or while the pairing waited in the queue, or a recovery ran it
 * later): never opened by that password mail. */
static void
test_zip_after_password_mail(void)
{
	struct fixture *x = fixture_new(120, 3);
	g_autoptr(GError) error = NULL;
	int fd = test_memfd("the password mail", -1);
	g_autofree char *id = store_put_original(x->store, fd, NULL, &error);
	close(fd);
	g_autoptr(store_message) m = message(SENDER, SENDER, A, FALSE);
	m->ppap_pair = TRUE;
	g_assert_true(store_put_record(x->store, id, m, &error));
	/* stored after it, in the same second */
	g_autofree char *zip = g_strdup_printf("%.15s-0000000000ff", id);
	fd = test_memfd("zip PASSWORD=alpha", -1);
	g_autoptr(store_message) z = message(SENDER, SENDER, A, TRUE);
	g_assert_true(store_import(x->store, zip, fd, z, &error));
	close(fd);
	assert_opens_nothing(x, id, zip);
	fixture_free(x);
}

/* A sender behind a BATV-signing gateway: each mail's envelope sender
 * has a new tag (prvs=KDDDSSSSSS=), the address after it is the same. */
static void
test_batv_sender(void)
{
	struct fixture *x = fixture_new(120, 3);
	g_autofree char *zip = put_zip(x, "prvs=0123abcdef=" SENDER, SENDER, A, "alpha");
	g_autoptr(GError) error = NULL;
	gint64 since = g_get_real_time() / G_USEC_PER_SEC - 60;
	g_assert_true(store_ppap_sender_waits(x->store, "PRVS=1124fedcba=" SENDER, since, &error));
	g_assert_true(store_ppap_sender_waits(x->store, SENDER, since, &error));
	/* not a BATV tag: another address */
	g_assert_false(store_ppap_sender_waits(x->store, "prvs=xyz=" SENDER, since, &error));
	g_assert_false(store_ppap_sender_waits(x->store, "prvs=0123abcdef=jiro@example.jp", since,
					       &error));
	g_assert_no_error(error);
	g_assert_null(pair(x, "prvs=0123abcdef=jiro@example.jp", SENDER, A, "alpha", NULL));
	g_assert_null(pair(x, "prvs=01=" SENDER, SENDER, A, "alpha", NULL));
	g_autofree char *opened = pair(x, "prvs=1124fedcba=" SENDER, SENDER, A, "alpha", NULL);
	g_assert_cmpstr(opened, ==, zip);
	fixture_free(x);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/pairing/nearest-earlier", test_nearest_earlier);
	g_test_add_func("/pairing/sender-and-from", test_sender_and_from);
	g_test_add_func("/pairing/recipients-superset", test_recipients_superset);
	g_test_add_func("/pairing/window", test_window);
	g_test_add_func("/pairing/wrong-password-counted", test_wrong_password_counted);
	g_test_add_func("/pairing/deferred-waits-again", test_deferred_waits_again);
	g_test_add_func("/pairing/partial-fails", test_partial_fails);
	g_test_add_func("/pairing/uncertain-not-resent", test_uncertain_not_resent);
	g_test_add_func("/pairing/own-zip-skipped", test_own_zip_skipped);
	g_test_add_func("/pairing/tries-count-passwords", test_tries_count_passwords);
	g_test_add_func("/pairing/candidates-bounded", test_candidates_bounded);
	g_test_add_func("/pairing/automatic-mail-refused", test_automatic_mail_refused);
	g_test_add_func("/pairing/zip-after-password-mail", test_zip_after_password_mail);
	g_test_add_func("/pairing/batv-sender", test_batv_sender);
	return g_test_run();
}
