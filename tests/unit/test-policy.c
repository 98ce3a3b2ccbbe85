/*
 * NAME
 *	test-policy - mugaika.conf parsing, defaults and error messages
 */
#include <string.h>

#include "policy.h"

static struct cdr_policy *
load(const char *text, GError **error)
{
	return cdr_policy_load_data(text, strlen(text), "/etc/mugaika/mugaika.conf", error);
}

static void
test_defaults(void)
{
	g_autoptr(cdr_policy) p = cdr_policy_new_default();
	g_assert_cmpuint(p->max_input_bytes, ==, 100u << 20);
	g_assert_cmpuint(p->max_depth, ==, 8);
	g_assert_true(p->csv_neutralize_formulas);
	g_assert_nonnull(p->blocked_extensions);
	g_assert_null(p->blocked_extensions[0]);
	g_assert_cmpuint(cdr_policy_worker_count(p), >=, 1);
}

static void
test_missing_default_file_means_defaults(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(cdr_policy) p = cdr_policy_load(NULL, &error);
	g_assert_no_error(error);
	g_assert_nonnull(p);
}

static void
test_values(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(cdr_policy) p = load("# comment\n[limits]\nmax_input_bytes = 20M\nmax_depth=3\n"
				       "[csv]\nneutralize_formulas = no\n"
				       "[names]\nblocked_extensions = .ZIP, rar;7z\n",
				       &error);
	g_assert_no_error(error);
	g_assert_cmpuint(p->max_input_bytes, ==, 20u << 20);
	g_assert_cmpuint(p->max_depth, ==, 3);
	g_assert_false(p->csv_neutralize_formulas);
	g_assert_cmpstr(p->blocked_extensions[0], ==, "zip");
	g_assert_cmpstr(p->blocked_extensions[1], ==, "rar");
	g_assert_cmpstr(p->blocked_extensions[2], ==, "7z");
	g_assert_null(p->blocked_extensions[3]);
}

static void
assert_error(const char *text, const char *expected)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(cdr_policy) p = load(text, &error);
	g_assert_null(p);
	g_assert_nonnull(error);
	g_test_message("%s", error->message);
	g_assert_cmpstr(error->message, ==, expected);
}

static void
test_unknown_key_names_file_line_and_key(void)
{
	assert_error("[limits]\nmax_depth = 3\n\nmax_dept = 4\n",
		     "/etc/mugaika/mugaika.conf:4: [limits] max_dept: unknown key");
}

static void
test_unknown_section(void)
{
	assert_error("\n[limit]\nmax_depth = 3\n",
		     "/etc/mugaika/mugaika.conf:2: [limit]: unknown section");
}

static void
test_bad_values(void)
{
	assert_error("[limits]\nmax_depth = lots\n",
		     "/etc/mugaika/mugaika.conf:2: [limits] max_depth: 'lots' is not a whole number");
	assert_error("[limits]\nmax_depth = 100\n",
		     "/etc/mugaika/mugaika.conf:2: [limits] max_depth: 100 is out of range (0 to 64)");
	assert_error("[limits]\nmax_input_bytes = 5X\n",
		     "/etc/mugaika/mugaika.conf:2: [limits] max_input_bytes: '5X' is not a size "
		     "(a number, optionally K, M or G)");
	assert_error("[limits]\nmax_depth = -1\n",
		     "/etc/mugaika/mugaika.conf:2: [limits] max_depth: '-1' is not a whole number");
	assert_error("[csv]\nneutralize_formulas = maybe\n",
		     "/etc/mugaika/mugaika.conf:2: [csv] neutralize_formulas: 'maybe' is not true "
		     "or false");
	assert_error("[limits]\nmax_input_bytes = 99999999999999999999G\n",
		     "/etc/mugaika/mugaika.conf:2: [limits] max_input_bytes: "
		     "'99999999999999999999G' is not a size (a number, optionally K, M or G)");
}

/* [ppap] and [release]: durations, subject templates, relays, addresses. */
static void
test_ppap_and_release(void)
{
	g_autoptr(cdr_policy) d = cdr_policy_new_default();
	g_assert_cmpuint(d->ppap_pair_window, ==, 30 * 60);
	g_assert_cmpuint(d->ppap_max_tries, ==, 10);
	g_assert_cmpstr(d->ppap_followup_subject, ==, "【添付ファイル無害化済】{subject}");
	g_assert_cmpstr(d->release_relay, ==, "inet:127.0.0.1:10026");
	g_assert_cmpstr(d->release_sender, ==, "");
	static const struct {
		const char *value;
		guint64 seconds;
	} windows[] = { { "0", 0 }, { "90", 90 }, { "90s", 90 }, { "45m", 2700 }, { "2h", 7200 },
			{ "1d", 86400 } };
	for (gsize i = 0; i < G_N_ELEMENTS(windows); i++) {
		g_autofree char *text = g_strdup_printf("[ppap]\npair_window = %s\n", windows[i].value);
		g_autoptr(GError) error = NULL;
		g_autoptr(cdr_policy) p = load(text, &error);
		g_assert_no_error(error);
		g_assert_cmpuint(p->ppap_pair_window, ==, windows[i].seconds);
	}
	g_autoptr(GError) error = NULL;
	g_autoptr(cdr_policy) p = load("[ppap]\nfollowup_subject = [済] {subject}\n"
				       "followup_from = mugaika@gw.example.lg.jp\n"
				       "[release]\nrelay = sendmail:/usr/sbin/sendmail\n"
				       "allowed_recipients = a@x.lg.jp, b@x.lg.jp\n",
				       &error);
	g_assert_no_error(error);
	g_assert_cmpstr(p->ppap_followup_subject, ==, "[済] {subject}");
	g_assert_cmpstr(p->release_allowed_recipients[1], ==, "b@x.lg.jp");
	assert_error("[ppap]\npair_window = 30M\n",
		     "/etc/mugaika/mugaika.conf:2: [ppap] pair_window: '30M' is not a duration "
		     "(seconds, or a number with s, m, h or d)");
	assert_error("[ppap]\npair_window = 8d\n",
		     "/etc/mugaika/mugaika.conf:2: [ppap] pair_window: 8d is out of range (0 to "
		     "604800)");
	assert_error("[ppap]\nfollowup_subject = 無害化済\n",
		     "/etc/mugaika/mugaika.conf:2: [ppap] followup_subject: '無害化済': a subject "
		     "template must contain {subject}");
	assert_error("[ppap]\nfollowup_from = Mugaika <m@x>\n",
		     "/etc/mugaika/mugaika.conf:2: [ppap] followup_from: 'Mugaika <m@x>': an "
		     "address is printable ASCII without spaces or <>(),;\\\"[]");
	assert_error("[release]\nrelay = 127.0.0.1:10026\n",
		     "/etc/mugaika/mugaika.conf:2: [release] relay: '127.0.0.1:10026': not "
		     "inet:HOST:PORT or sendmail:/PATH");
	assert_error("[release]\nallowed_recipients = ok@x, -bad@x\n",
		     "/etc/mugaika/mugaika.conf:2: [release] allowed_recipients: '-bad@x': an "
		     "address does not start with '-'");
}

static void
test_syntax_error_has_a_line(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(cdr_policy) p = load("[limits]\nmax_depth = 3\nthis is not a key\n", &error);
	g_assert_null(p);
	g_assert_true(g_str_has_prefix(error->message, "/etc/mugaika/mugaika.conf:3: "));
}

static void
test_round_trip_for_workers(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(cdr_policy) p = load("[limits]\nmax_depth = 5\n[names]\nblocked_extensions = zip\n",
				       &error);
	gsize len;
	g_autofree char *data = cdr_policy_to_data(p, &len);
	g_autoptr(cdr_policy) q = cdr_policy_load_data(data, len, "wire", &error);
	g_assert_no_error(error);
	g_assert_cmpuint(q->max_depth, ==, 5);
	g_assert_cmpstr(q->blocked_extensions[0], ==, "zip");
	g_assert_cmpuint(q->max_input_bytes, ==, p->max_input_bytes);
}

/* etc/mugaika.conf ships as the example: it must load, name every key and
 * state the defaults. */
static void
test_example_file(void)
{
	g_autofree char *path = g_build_filename(SOURCE_ROOT, "etc", "mugaika.conf", NULL);
	g_autofree char *text = NULL;
	g_autoptr(GError) error = NULL;
	g_assert_true(g_file_get_contents(path, &text, NULL, &error));
	g_autoptr(cdr_policy) p = cdr_policy_load(path, &error);
	g_assert_no_error(error);
	g_autoptr(cdr_policy) d = cdr_policy_new_default();
	gsize a_len, b_len;
	g_autofree char *a = cdr_policy_to_data(p, &a_len);
	g_autofree char *b = cdr_policy_to_data(d, &b_len);
	g_assert_cmpstr(a, ==, b);
	for (const struct cdr_policy_key *k = cdr_policy_keys; k->key; k++) {
		g_autofree char *line = g_strdup_printf("\n%s =", k->key);
		if (!strstr(text, line))
			g_error("etc/mugaika.conf does not show %s", k->key);
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/policy/defaults", test_defaults);
	g_test_add_func("/policy/no-file", test_missing_default_file_means_defaults);
	g_test_add_func("/policy/values", test_values);
	g_test_add_func("/policy/unknown-key", test_unknown_key_names_file_line_and_key);
	g_test_add_func("/policy/unknown-section", test_unknown_section);
	g_test_add_func("/policy/bad-values", test_bad_values);
	g_test_add_func("/policy/syntax-error", test_syntax_error_has_a_line);
	g_test_add_func("/policy/round-trip", test_round_trip_for_workers);
	g_test_add_func("/policy/example-file", test_example_file);
	g_test_add_func("/policy/ppap-release", test_ppap_and_release);
	return g_test_run();
}
