/*
 * NAME
 *	test-milter - the milter's decisions and stores, without a mail server
 * SUMMARY
 *	Recipient domains pick the mode (text wins) after the queue, the
 *	strictest mode before it, roles from {daemon_name}, bypass lists, the
 *	milter's handle on the quarantine store (tests/unit/test-store.c has
 *	the store itself) and the notice-only message.
 */
#include <string.h>
#include <unistd.h>

#include "envelope.h"
#include "postfix-check.h"
#include "quarantine.h"
#include "wire.h"
#include "withheld.h"

static struct cdr_policy *
policy_from(const char *text)
{
	g_autoptr(GError) error = NULL;
	struct cdr_policy *p = cdr_policy_load_data(text, strlen(text), "test", &error);
	g_assert_no_error(error);
	g_assert_true(envelope_check_policy(p, &error));
	g_assert_no_error(error);
	return p;
}

static void
envelope_with(struct envelope *env, const char *client, const char *sender, ...)
{
	va_list ap;
	envelope_init(env);
	env->client_addr = g_strdup(client);
	env->sender = g_strdup(sender);
	va_start(ap, sender);
	for (const char *r; (r = va_arg(ap, const char *));)
		g_ptr_array_add(env->recipients, g_strdup(r));
	va_end(ap);
}

static void
test_domains(void)
{
	g_autofree char *d = envelope_domain("<User@City.Example.LG.JP>");
	g_assert_cmpstr(d, ==, "city.example.lg.jp");
	g_assert_null(envelope_domain("postmaster"));
	char *list[] = { "lg.jp", ".example.com", NULL };
	g_assert_true(envelope_domain_listed("city.lg.jp", list));
	g_assert_true(envelope_domain_listed("LG.JP", list));
	g_assert_true(envelope_domain_listed("a.example.com", list));
	g_assert_false(envelope_domain_listed("evil-lg.jp", list));
	g_assert_false(envelope_domain_listed("lg.jp.evil.com", list));
}

static void
test_mode_per_recipient(void)
{
	g_autoptr(cdr_policy) p = policy_from("[mail]\nmode = sanitize\n"
					      "text_domains = soumu.city.lg.jp\n");
	struct envelope env;
	envelope_with(&env, "192.0.2.1", "a@example.jp", "x@kikaku.city.lg.jp", NULL);
	g_assert_cmpstr(envelope_mail_mode(p, &env, ROLE_AFTER_QUEUE), ==, "sanitize");
	g_ptr_array_add(env.recipients, g_strdup("y@soumu.city.lg.jp"));
	g_assert_cmpstr(envelope_mail_mode(p, &env, ROLE_AFTER_QUEUE), ==, "text"); /* stricter */
	envelope_clear(&env);

	g_autoptr(cdr_policy) q = policy_from("[mail]\nmode = text\n"
					      "sanitize_domains = kikaku.city.lg.jp\n");
	envelope_with(&env, "192.0.2.1", "a@example.jp", "x@kikaku.city.lg.jp", NULL);
	g_assert_cmpstr(envelope_mail_mode(q, &env, ROLE_AFTER_QUEUE), ==, "sanitize");
	g_ptr_array_add(env.recipients, g_strdup("y@other.lg.jp"));
	g_assert_cmpstr(envelope_mail_mode(q, &env, ROLE_AFTER_QUEUE), ==, "text");
	envelope_clear(&env);

	/* each recipient's own mode (the quarantine keeps it for follow-ups
	 * and releases), and before the queue the strictest for everyone */
	g_assert_cmpstr(envelope_recipient_mode(p, "x@kikaku.city.lg.jp", ROLE_AFTER_QUEUE), ==,
			"sanitize");
	g_assert_cmpstr(envelope_recipient_mode(p, "y@Soumu.City.LG.JP", ROLE_AFTER_QUEUE), ==,
			"text");
	g_assert_cmpstr(envelope_recipient_mode(q, "x@kikaku.city.lg.jp", ROLE_AFTER_QUEUE), ==,
			"sanitize");
	g_assert_cmpstr(envelope_recipient_mode(q, "postmaster", ROLE_AFTER_QUEUE), ==, "text");
	g_assert_cmpstr(envelope_recipient_mode(p, "x@kikaku.city.lg.jp", ROLE_BEFORE_QUEUE), ==,
			"text");
}

/* Before the queue the recipients are as typed (an alias may lead
 * anywhere): the strictest mode any recipient could have, whatever they
 * are. */
static void
test_mode_before_queue_is_strictest(void)
{
	g_autoptr(cdr_policy) p = policy_from("[mail]\nmode = sanitize\n"
					      "text_domains = soumu.city.lg.jp\n");
	g_autoptr(cdr_policy) q = policy_from("[mail]\nmode = text\n"
					      "sanitize_domains = kikaku.city.lg.jp\n");
	g_autoptr(cdr_policy) r = policy_from("[mail]\nmode = sanitize\n"
					      "sanitize_domains = kikaku.city.lg.jp\n");
	struct envelope env;
	envelope_with(&env, "192.0.2.1", "a@example.jp", "x@kikaku.city.lg.jp", NULL);
	g_assert_cmpstr(envelope_mail_mode(p, &env, ROLE_BEFORE_QUEUE), ==, "text");
	g_assert_cmpstr(envelope_mail_mode(q, &env, ROLE_BEFORE_QUEUE), ==, "text");
	g_assert_cmpstr(envelope_mail_mode(r, &env, ROLE_BEFORE_QUEUE), ==, "sanitize");
	envelope_clear(&env);
	g_assert_true(envelope_depends_on_recipients(p));
	g_assert_true(envelope_depends_on_recipients(q));
	g_assert_false(envelope_depends_on_recipients(r)); /* sanitize for everyone anyway */
}

/* [mail] links per recipient domain, like the mode: the strictest style
 * of the final recipients after the queue, the strictest configured before */
static void
test_link_style_by_recipient(void)
{
	g_autoptr(cdr_policy) p = policy_from("[mail]\nlinks_defang_domains = kikaku.city.lg.jp\n"
					      "links_remove_domains = soumu.city.lg.jp\n");
	struct envelope env;
	envelope_with(&env, "192.0.2.1", "a@example.jp", "x@other.lg.jp", NULL);
	g_assert_cmpstr(envelope_mail_links(p, &env, ROLE_AFTER_QUEUE), ==, "text");
	g_ptr_array_add(env.recipients, g_strdup("y@kikaku.city.lg.jp"));
	g_assert_cmpstr(envelope_mail_links(p, &env, ROLE_AFTER_QUEUE), ==, "defang");
	g_ptr_array_add(env.recipients, g_strdup("z@SOUMU.city.lg.jp"));
	g_assert_cmpstr(envelope_mail_links(p, &env, ROLE_AFTER_QUEUE), ==, "remove");
	g_assert_cmpstr(envelope_mail_links(p, &env, ROLE_BEFORE_QUEUE), ==, "remove");
	envelope_clear(&env);
	g_assert_true(envelope_depends_on_recipients(p));

	g_autoptr(cdr_policy) q = policy_from("[mail]\nlinks = defang\n"
					      "links_remove_domains = soumu.city.lg.jp\n");
	envelope_with(&env, "192.0.2.1", "a@example.jp", "x@other.lg.jp", NULL);
	g_assert_cmpstr(envelope_mail_links(q, &env, ROLE_AFTER_QUEUE), ==, "defang");
	g_assert_cmpstr(envelope_mail_links(q, &env, ROLE_SCREEN), ==, "remove");
	envelope_clear(&env);
	static const char bad[] = "[mail]\nlinks_defang_domains = bad/domain\n";
	g_autoptr(cdr_policy) r = cdr_policy_load_data(bad, strlen(bad), "t", NULL);
	g_autoptr(GError) error = NULL;
	g_assert_false(envelope_check_policy(r, &error));
	g_assert_nonnull(strstr(error->message, "links_defang_domains"));
}

static void
test_roles(void)
{
	g_autoptr(cdr_policy) p = policy_from("");
	g_assert_cmpint(envelope_role(p, NULL), ==, ROLE_BEFORE_QUEUE);
	g_assert_cmpint(envelope_role(p, ""), ==, ROLE_BEFORE_QUEUE);
	g_assert_cmpint(envelope_role(p, "gateway.city.lg.jp"), ==, ROLE_BEFORE_QUEUE);
	g_assert_cmpint(envelope_role(p, "mugaika-screen"), ==, ROLE_SCREEN);
	g_assert_cmpint(envelope_role(p, "mugaika-after-queue"), ==, ROLE_AFTER_QUEUE);
	g_assert_cmpint(envelope_role(p, "Mugaika-After-Queue"), ==, ROLE_BEFORE_QUEUE);
	g_autoptr(cdr_policy) q = policy_from("[milter]\nscreen_daemon_name = in\n"
					      "after_queue_daemon_name = filtered\n");
	g_assert_cmpint(envelope_role(q, "in"), ==, ROLE_SCREEN);
	g_assert_cmpint(envelope_role(q, "filtered"), ==, ROLE_AFTER_QUEUE);
	g_assert_cmpint(envelope_role(q, "mugaika-screen"), ==, ROLE_BEFORE_QUEUE);
	g_assert_cmpstr(envelope_role_name(ROLE_AFTER_QUEUE), ==, "after-queue");
}

static void
test_bypass(void)
{
	g_autoptr(cdr_policy) p = policy_from("[milter]\nbypass_clients = 10.1.0.0/16, 2001:db8::1\n"
					      "bypass_recipients = partner.example\n");
	struct envelope env;
	envelope_with(&env, "10.1.2.3", "a@example.jp", "b@city.lg.jp", NULL);
	g_assert_cmpstr(envelope_bypass(p, &env, ROLE_BEFORE_QUEUE), ==, "bypass_clients");
	/* after the queue the client is the content filter, never a bypass */
	g_assert_null(envelope_bypass(p, &env, ROLE_AFTER_QUEUE));
	g_assert_null(envelope_bypass(p, &env, ROLE_SCREEN));
	envelope_clear(&env);
	envelope_with(&env, "2001:db8::1", "a@example.jp", "b@city.lg.jp", NULL);
	g_assert_cmpstr(envelope_bypass(p, &env, ROLE_BEFORE_QUEUE), ==, "bypass_clients");
	envelope_clear(&env);
	/* a sender in an LGWAN domain is just what the client wrote */
	envelope_with(&env, "192.0.2.1", "staff@soumu.city.lg.jp", "x@city.lg.jp", NULL);
	g_assert_null(envelope_bypass(p, &env, ROLE_BEFORE_QUEUE));
	g_assert_null(envelope_bypass(p, &env, ROLE_AFTER_QUEUE));
	envelope_clear(&env);
	/* recipients bypass only after the queue (final recipients), and only
	 * when every one of them is listed */
	envelope_with(&env, "127.0.0.1", "a@example.jp", "p@partner.example", NULL);
	g_assert_cmpstr(envelope_bypass(p, &env, ROLE_AFTER_QUEUE), ==, "bypass_recipients");
	g_assert_null(envelope_bypass(p, &env, ROLE_BEFORE_QUEUE));
	g_ptr_array_add(env.recipients, g_strdup("staff@city.lg.jp"));
	g_assert_null(envelope_bypass(p, &env, ROLE_AFTER_QUEUE));
	envelope_clear(&env);
	envelope_with(&env, NULL, "", "b@city.lg.jp", NULL);
	g_assert_null(envelope_bypass(p, &env, ROLE_BEFORE_QUEUE));
	envelope_clear(&env);
}

/* An old configuration keeping the removed sender bypass is refused with
 * what to use instead. */
static void
test_bypass_senders_retired(void)
{
	static const char conf[] = "[milter]\nbypass_clients = 10.0.0.0/8\n"
				   "bypass_senders = city.lg.jp\n";
	g_autoptr(GError) error = NULL;
	g_autoptr(cdr_policy) p = cdr_policy_load_data(conf, sizeof(conf) - 1, "old.conf", &error);
	g_assert_null(p);
	g_assert_nonnull(error);
	g_test_message("%s", error->message);
	g_assert_nonnull(strstr(error->message, "old.conf:3: [milter] bypass_senders: removed"));
	g_assert_nonnull(strstr(error->message, "bypass_clients"));
}

static void
test_bad_lists_are_config_errors(void)
{
	static const char *const bad[] = {
		"[milter]\nbypass_clients = 10.0.0.0/33\n",
		"[milter]\nbypass_clients = example.com\n",
		"[milter]\nbypass_recipients = evil/domain\n",
		"[mail]\ntext_domains = a@b\n",
		"[milter]\nscreen_daemon_name = x\nafter_queue_daemon_name = x\n",
	};
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(cdr_policy) p = cdr_policy_load_data(bad[i], strlen(bad[i]), "t", &error);
		g_assert_nonnull(p);
		g_assert_false(envelope_check_policy(p, &error));
		g_assert_nonnull(error);
		g_test_message("%s", error->message);
	}
}

/* The milter's handle on the store: opened once per directory and
 * shared; a directory that cannot be used now is tried again by the
 * next message; a reload to another directory keeps the old store for
 * the messages still using it. */
static void
test_quarantine_handle(void)
{
	g_autofree char *dir = g_dir_make_tmp("mugaika-q-XXXXXX", NULL);
	g_autofree char *first = g_build_filename(dir, "first", NULL);
	g_autofree char *second = g_build_filename(dir, "second", NULL);
	g_autoptr(GError) error = NULL;
	struct mg_store *a = quarantine_acquire(first, &error);
	g_assert_no_error(error);
	struct mg_store *b = quarantine_acquire(first, &error);
	g_assert_true(a == b);
	struct mg_store *c = quarantine_acquire(second, &error);
	g_assert_true(c != a);
	int fd = cdr_memfd_from_bytes("msg", "x", 1);
	g_autofree char *id = store_put_original(a, fd, NULL, &error); /* still usable */
	g_assert_no_error(error);
	g_assert_true(store_remove(a, id, &error));
	quarantine_release(a);
	quarantine_release(b);
	quarantine_release(c);

	/* a file where the directory should be: no store, no cached failure */
	g_autofree char *blocked = g_build_filename(dir, "blocked", NULL);
	g_assert_true(g_file_set_contents(blocked, "", 0, NULL));
	g_assert_null(quarantine_acquire(blocked, &error));
	g_assert_nonnull(strstr(error->message, "quarantine"));
	g_clear_error(&error);
	unlink(blocked);
	struct mg_store *d = quarantine_acquire(blocked, &error);
	g_assert_no_error(error);
	quarantine_release(d);
	close(fd);
	g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", dir);
	g_assert_true(g_spawn_command_line_sync(cmd, NULL, NULL, NULL, NULL));
}

static void
test_withheld_message(void)
{
	struct envelope env;
	envelope_with(&env, "192.0.2.1", "sender@example.jp", "staff@city.lg.jp",
		      "evil\r\nBcc: x@y", NULL);
	GByteArray *m = withheld_message(&env, "headers of 300000 bytes are over max_header_bytes",
					 "limit", "20261122T073000-0123456789ab", "情報政策課",
					 "gw.city.lg.jp\r\nX: y");
	g_autofree char *text = g_strndup((const char *)m->data, m->len);
	g_byte_array_unref(m);
	g_assert_true(g_str_has_prefix(text, "From: <sender@example.jp>\r\n"));
	g_assert_nonnull(strstr(text, "To: <staff@city.lg.jp>\r\n"));
	g_assert_null(strstr(text, "Bcc:")); /* an address with CRLF never becomes a header */
	g_assert_nonnull(strstr(text, "Message-ID: <20261122T073000-0123456789ab.withheld@localhost>"));
	g_assert_nonnull(
		strstr(text, "X-Mugaika: verdict=blocked; id=20261122T073000-0123456789ab; error=limit"));
	for (const char *c = text; *c; c++)
		g_assert_true((guchar)*c < 0x80); /* 7-bit headers and base64 body */
	const char *body = strstr(text, "\r\n\r\n") + 4;
	gsize len = 0;
	g_autofree guchar *decoded = g_base64_decode(body, &len);
	g_autofree char *notice = g_strndup((const char *)decoded, len);
	g_assert_nonnull(strstr(notice, "原本の保管番号: 20261122T073000-0123456789ab"));
	g_assert_nonnull(strstr(notice, "over max_header_bytes"));
	g_assert_nonnull(strstr(notice, "情報政策課"));
	envelope_clear(&env);
}

/* postconf -x, -M and -Px of the after-queue arrangement cdr-milter(8)
 * describes, as on Debian (smtpd chrooted in /var/spool/postfix) */
static const char pf_main[] =
	"queue_directory = /var/spool/postfix\n"
	"smtpd_milters = unix:/mugaika/cdr-milter.sock\n"
	"milter_macro_daemon_name = gw.city.example.lg.jp\n"
	"milter_default_action = tempfail\n"
	"milter_connect_macros = j {daemon_name} {daemon_addr} v _\n"
	"content_filter = mugaika:[127.0.0.1]:10025\n"
	"message_size_limit = 50000000\n"
	"cleanup_service_name = cleanup\n"
	"receive_override_options =\n"
	"mydestination =\n"
	"mynetworks = 127.0.0.0/8\n";
static const char pf_services[] =
	"smtp       inet  n       -       y       -       -       smtpd "
	"-o milter_macro_daemon_name=mugaika-screen\n"
	"cleanup    unix  n       -       y       -       0       cleanup\n"
	"mugaika    unix  -       -       n       -       10      smtp "
	"-o smtp_send_xforward_command=yes\n"
	"127.0.0.1:10025 inet n   -       y       -       -       smtpd -o content_filter=\n"
	"mugaika-cleanup unix n   -       y       -       0       cleanup\n"
	"10.20.0.1:25 inet n      -       y       -       -       smtpd -o smtpd_milters=\n"
	"127.0.0.1:10026 inet n   -       y       -       -       smtpd -o smtpd_milters=\n"
	"pickup     unix  n       -       y       60      1       pickup\n";
static const char pf_overrides[] =
	"smtp/inet/milter_macro_daemon_name = mugaika-screen\n"
	"mugaika/unix/smtp_send_xforward_command = yes\n"
	"127.0.0.1:10025/inet/milter_macro_daemon_name = mugaika-after-queue\n"
	"127.0.0.1:10025/inet/content_filter =\n"
	"127.0.0.1:10025/inet/receive_override_options = no_address_mappings\n"
	"127.0.0.1:10025/inet/cleanup_service_name = mugaika-cleanup\n"
	"127.0.0.1:10025/inet/message_size_limit = 135000000\n"
	"mugaika-cleanup/unix/message_size_limit = 135000000\n"
	"10.20.0.1:25/inet/content_filter =\n"
	"10.20.0.1:25/inet/smtpd_milters =\n"
	"10.20.0.1:25/inet/mynetworks = 10.20.0.0/16\n"
	"127.0.0.1:10026/inet/content_filter =\n"
	"127.0.0.1:10026/inet/smtpd_milters =\n";

/* Check the arrangement with one main.cf line replaced (NULL: none) and
 * the override list extended; returns "errors/warnings" as counts and
 * the messages joined, for asserting on. */
static char *
postfix_findings_for(const char *policy_text, const char *main_line, const char *more_overrides,
		     guint *errors, guint *warnings)
{
	GString *main_values = g_string_new(pf_main);
	if (main_line) {
		g_autofree char *name = g_strndup(main_line, strcspn(main_line, " ="));
		g_auto(GStrv) lines = g_strsplit(main_values->str, "\n", -1);
		g_string_truncate(main_values, 0);
		for (char **l = lines; *l; l++)
			if (**l && !(g_str_has_prefix(*l, name) && (*l)[strlen(name)] == ' '))
				g_string_append_printf(main_values, "%s\n", *l);
		g_string_append_printf(main_values, "%s\n", main_line);
	}
	g_autofree char *overrides = g_strconcat(pf_overrides, more_overrides, NULL);
	g_autoptr(postfix_conf) pf = postfix_conf_parse(main_values->str, pf_services, overrides);
	g_string_free(main_values, TRUE);
	g_autoptr(cdr_policy) p = policy_from(policy_text);
	struct postfix_findings f;
	postfix_findings_init(&f);
	postfix_check(pf, p, &f);
	*errors = f.errors->len;
	*warnings = f.warnings->len;
	GString *all = g_string_new(NULL);
	for (guint i = 0; i < f.errors->len; i++)
		g_string_append_printf(all, "error: %s\n", (char *)f.errors->pdata[i]);
	for (guint i = 0; i < f.warnings->len; i++)
		g_string_append_printf(all, "warning: %s\n", (char *)f.warnings->pdata[i]);
	postfix_findings_clear(&f);
	g_test_message("%s", all->str);
	return g_string_free(all, FALSE);
}

static void
test_postfix_check_after_queue(void)
{
	guint e, w;
	g_autofree char *good = postfix_findings_for("[mail]\ntext_domains = soumu.lg.jp\n", NULL,
						    "", &e, &w);
	g_assert_cmpuint(e, ==, 0); /* chroot-relative unix socket recognised */
	g_assert_cmpuint(w, ==, 0);

	g_autofree char *nofilter = postfix_findings_for("", "content_filter =", "", &e, &w);
	g_assert_cmpuint(e, ==, 1);
	g_assert_nonnull(strstr(nofilter, "no content_filter"));

	g_autofree char *big = postfix_findings_for("", "message_size_limit = 52428800", "", &e, &w);
	g_assert_cmpuint(e, ==, 1);
	g_assert_nonnull(strstr(big, "at most 51953664"));

	g_autofree char *small = postfix_findings_for(
		"", NULL, "mugaika-cleanup/unix/message_size_limit = 134168575\n", &e, &w);
	g_assert_cmpuint(e, ==, 1);
	g_assert_nonnull(strstr(small, "at least 134168576"));

	g_autofree char *mapping = postfix_findings_for(
		"", NULL, "127.0.0.1:10025/inet/receive_override_options = no_header_body_checks\n",
		&e, &w);
	g_assert_cmpuint(e, ==, 1);
	g_assert_nonnull(strstr(mapping, "no_address_mappings"));

	g_autofree char *accept = postfix_findings_for("", "milter_default_action = accept", "", &e,
						      &w);
	g_assert_cmpuint(e, ==, 2); /* on both smtpd services */

	g_autofree char *macros = postfix_findings_for("", "milter_connect_macros = j v", "", &e, &w);
	g_assert_cmpuint(e, ==, 2);
	g_assert_nonnull(strstr(macros, "{daemon_name}"));

	g_autofree char *clients = postfix_findings_for("[milter]\nbypass_clients = 10.20.0.0/16\n"
							"blocked_action = reject\n",
							NULL, "", &e, &w);
	g_assert_cmpuint(e, ==, 0);
	g_assert_cmpuint(w, ==, 2);
	g_assert_nonnull(strstr(clients, "bypass_clients has no effect"));
	g_assert_nonnull(strstr(clients, "bounce"));

	g_autofree char *local = postfix_findings_for(
		"[mail]\ntext_domains = soumu.lg.jp\n", "mydestination = gw.city.example.lg.jp",
		"", &e, &w);
	g_assert_cmpuint(w, ==, 0); /* no alias_maps, no forward_path in pf_main */
}

static void
test_postfix_check_before_queue(void)
{
	guint e, w;
	/* the milter on the only smtpd: the 400000 with 50M */
	g_autofree char *orig = postfix_findings_for(
		"[mail]\nmode = sanitize\ntext_domains = soumu.lg.jp\n", "message_size_limit = 400000",
		"smtp/inet/milter_macro_daemon_name = gw.city.example.lg.jp\n"
		"smtp/inet/content_filter =\n",
		&e, &w);
	g_assert_cmpuint(e, ==, 1);
	g_assert_nonnull(strstr(orig, "the cleanup service behind it has message_size_limit = 400000"));
	g_assert_nonnull(strstr(orig, "message file too big"));
	g_assert_cmpuint(w, ==, 1);
	g_assert_nonnull(strstr(orig, "strictest mode"));

	/* inet socket, Postfix's spelling in a { } group */
	g_autofree char *inet = postfix_findings_for(
		"[milter]\nsocket = inet:10030@127.0.0.1\n",
		"smtpd_milters = { inet:localhost:10030, connect_timeout=10s }", "", &e, &w);
	g_assert_cmpuint(e, ==, 0);
	g_autofree char *none = postfix_findings_for("[milter]\nsocket = inet:10027@127.0.0.1\n",
						    "smtpd_milters = inet:127.0.0.1:10030", "", &e,
						    &w);
	g_assert_cmpuint(w, ==, 1);
	g_assert_nonnull(strstr(none, "no smtpd service has"));
}

/* The findings for a policy and further overrides: so many errors and
 * warnings, `words` (unless NULL) among them. */
static void
expect_findings(const char *policy_text, const char *more_overrides, guint want_errors,
		guint want_warnings, const char *words)
{
	guint e, w;
	g_autofree char *all = postfix_findings_for(policy_text, NULL, more_overrides, &e, &w);
	g_assert_cmpuint(e, ==, want_errors);
	g_assert_cmpuint(w, ==, want_warnings);
	if (words)
		g_assert_nonnull(strstr(all, words));
}

/* [release] relay: the return path must not run cdr-milter or a content
 * filter (a follow-up converted twice, or looping) nor listen beyond
 * loopback (mail handed to it is never converted). */
static void
test_postfix_check_return_path(void)
{
	/* (and, as a service converting before the queue, its cleanup is too small) */
	expect_findings("", "127.0.0.1:10026/inet/smtpd_milters = unix:/mugaika/cdr-milter.sock\n",
			2, 0, "return path 127.0.0.1:10026/inet ([release] relay) runs cdr-milter");
	expect_findings("", "127.0.0.1:10026/inet/content_filter = mugaika:[127.0.0.1]:10025\n", 1,
			0, "go round through cdr-milter again");
	expect_findings("[release]\nrelay = inet:10.20.0.1:25\n", "", 1, 0,
			"listens beyond this host");
	expect_findings("[release]\nrelay = inet:127.0.0.1:10099\n", "", 0, 0, NULL);
	/* sendmail: pickup has main.cf's content_filter unless overridden */
	expect_findings("[release]\nrelay = sendmail:/usr/sbin/sendmail\n", "", 1, 0,
			"goes through pickup");
	expect_findings("[release]\nrelay = sendmail:/usr/sbin/sendmail\n",
			"pickup/unix/content_filter =\n", 0, 0, NULL);
	/* no submission: nothing to check */
	expect_findings("[release]\nrelay =\n", "127.0.0.1:10026/inet/content_filter = x:y:1\n", 0,
			0, NULL);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/milter/domains", test_domains);
	g_test_add_func("/milter/mode-per-recipient", test_mode_per_recipient);
	g_test_add_func("/milter/mode-before-queue", test_mode_before_queue_is_strictest);
	g_test_add_func("/milter/roles", test_roles);
	g_test_add_func("/milter/link-style-by-recipient", test_link_style_by_recipient);
	g_test_add_func("/milter/bypass", test_bypass);
	g_test_add_func("/milter/bypass-senders-retired", test_bypass_senders_retired);
	g_test_add_func("/milter/bad-lists", test_bad_lists_are_config_errors);
	g_test_add_func("/milter/quarantine-handle", test_quarantine_handle);
	g_test_add_func("/milter/withheld", test_withheld_message);
	g_test_add_func("/milter/postfix-check/after-queue", test_postfix_check_after_queue);
	g_test_add_func("/milter/postfix-check/before-queue", test_postfix_check_before_queue);
	g_test_add_func("/milter/postfix-check/return-path", test_postfix_check_return_path);
	return g_test_run();
}
