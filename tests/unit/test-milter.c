/*
 * NAME
 *	test-milter - the milter's decisions and stores, without a mail server
 * SUMMARY
 *	Recipient domains pick the mode (text wins), bypass lists, the
 *	quarantine store (ids, layout, durability of what is listed, purge,
 *	ids that would escape the store) and the notice-only message.
 */
#include <string.h>
#include <unistd.h>

#include "envelope.h"
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
	g_assert_cmpstr(envelope_mail_mode(p, &env), ==, "sanitize");
	g_ptr_array_add(env.recipients, g_strdup("y@soumu.city.lg.jp"));
	g_assert_cmpstr(envelope_mail_mode(p, &env), ==, "text"); /* the stricter wins */
	envelope_clear(&env);

	g_autoptr(cdr_policy) q = policy_from("[mail]\nmode = text\n"
					      "sanitize_domains = kikaku.city.lg.jp\n");
	envelope_with(&env, "192.0.2.1", "a@example.jp", "x@kikaku.city.lg.jp", NULL);
	g_assert_cmpstr(envelope_mail_mode(q, &env), ==, "sanitize");
	g_ptr_array_add(env.recipients, g_strdup("y@other.lg.jp"));
	g_assert_cmpstr(envelope_mail_mode(q, &env), ==, "text");
	envelope_clear(&env);
}

static void
test_bypass(void)
{
	g_autoptr(cdr_policy) p = policy_from("[milter]\nbypass_clients = 10.1.0.0/16, 2001:db8::1\n"
					      "bypass_senders = city.lg.jp\n"
					      "bypass_recipients = partner.example\n");
	struct envelope env;
	envelope_with(&env, "10.1.2.3", "a@example.jp", "b@city.lg.jp", NULL);
	g_assert_cmpstr(envelope_bypass(p, &env), ==, "bypass_clients");
	envelope_clear(&env);
	envelope_with(&env, "2001:db8::1", "a@example.jp", "b@city.lg.jp", NULL);
	g_assert_cmpstr(envelope_bypass(p, &env), ==, "bypass_clients");
	envelope_clear(&env);
	envelope_with(&env, "192.0.2.1", "staff@soumu.city.lg.jp", "x@y.example", NULL);
	g_assert_cmpstr(envelope_bypass(p, &env), ==, "bypass_senders");
	envelope_clear(&env);
	/* recipients bypass only when every one of them is listed */
	envelope_with(&env, "192.0.2.1", "a@example.jp", "p@partner.example", NULL);
	g_assert_cmpstr(envelope_bypass(p, &env), ==, "bypass_recipients");
	g_ptr_array_add(env.recipients, g_strdup("staff@city.lg.jp"));
	g_assert_null(envelope_bypass(p, &env));
	envelope_clear(&env);
	envelope_with(&env, NULL, "", "b@city.lg.jp", NULL);
	g_assert_null(envelope_bypass(p, &env));
	envelope_clear(&env);
}

static void
test_bad_lists_are_config_errors(void)
{
	static const char *const bad[] = {
		"[milter]\nbypass_clients = 10.0.0.0/33\n",
		"[milter]\nbypass_clients = example.com\n",
		"[milter]\nbypass_senders = evil/domain\n",
		"[mail]\ntext_domains = a@b\n",
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

static void
test_quarantine_store(void)
{
	g_autofree char *dir = g_dir_make_tmp("mugaika-q-XXXXXX", NULL);
	static const char msg[] = "From: a@example.jp\r\nSubject: x\r\n\r\nbody\r\n";
	int fd = cdr_memfd_from_bytes("msg", msg, sizeof(msg) - 1);
	g_autoptr(GError) error = NULL;
	g_autofree char *id = quarantine_store(dir, fd, &error);
	close(fd);
	g_assert_no_error(error);
	g_assert_true(quarantine_id_valid(id));
	g_assert_true(quarantine_store_meta(dir, id, "{\"action\":\"delivered\"}", &error));

	g_autofree char *path = quarantine_path(dir, id, "eml");
	g_autofree char *stored = NULL;
	gsize len = 0;
	g_assert_true(g_file_get_contents(path, &stored, &len, NULL));
	g_assert_cmpmem(stored, len, msg, sizeof(msg) - 1);
	g_autoptr(GPtrArray) ids = quarantine_list(dir, &error);
	g_assert_cmpuint(ids->len, ==, 1);
	g_assert_cmpstr(ids->pdata[0], ==, id);

	/* a day younger than the cutoff stays; --days 0 removes everything */
	g_assert_cmpint(quarantine_purge(dir, 1, &error), ==, 0);
	g_assert_cmpint(quarantine_purge(dir, 0, &error), ==, 1);
	g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
	g_autoptr(GPtrArray) none = quarantine_list(dir, &error);
	g_assert_cmpuint(none->len, ==, 0);
	rmdir(dir);
}

static void
test_quarantine_ids(void)
{
	g_assert_true(quarantine_id_valid("20261122T073000-0123456789ab"));
	static const char *const bad[] = {
		"", "../../etc/passwd", "20261122T073000-0123456789AB",
		"20261122T073000-0123456789a", "20261122T073000-0123456789abc",
		"20261122X073000-0123456789ab", "2026112/T073000-0123456789ab",
		"20261122T073000_0123456789ab",
	};
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++)
		g_assert_false(quarantine_id_valid(bad[i]));
}

static void
test_quarantine_unwritable(void)
{
	g_autoptr(GError) error = NULL;
	int fd = cdr_memfd_from_bytes("msg", "x", 1);
	/* a regular file where the store's directory should be */
	g_autofree char *file = NULL;
	int tmp = g_file_open_tmp("mugaika-q-XXXXXX", &file, NULL);
	close(tmp);
	g_autofree char *id = quarantine_store(file, fd, &error);
	close(fd);
	g_assert_null(id);
	g_assert_nonnull(error);
	unlink(file);
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

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/milter/domains", test_domains);
	g_test_add_func("/milter/mode-per-recipient", test_mode_per_recipient);
	g_test_add_func("/milter/bypass", test_bypass);
	g_test_add_func("/milter/bad-lists", test_bad_lists_are_config_errors);
	g_test_add_func("/milter/quarantine-store", test_quarantine_store);
	g_test_add_func("/milter/quarantine-ids", test_quarantine_ids);
	g_test_add_func("/milter/quarantine-unwritable", test_quarantine_unwritable);
	g_test_add_func("/milter/withheld", test_withheld_message);
	return g_test_run();
}
