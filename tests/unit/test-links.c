/*
 * NAME
 *	test-links - the one judge of hyperlink targets ([links] schemes)
 */
#include <string.h>

#include "links.h"
#include "policy.h"

static void
test_default_schemes(void)
{
	g_autoptr(cdr_policy) p = cdr_policy_new_default();
	static const char *const kept[] = {
		"http://example.jp/",    "https://example.jp/a?b=c", "HTTPS://EXAMPLE.JP",
		"mailto:somu@city.example.lg.jp", "  http://example.jp/", "\x01http://x",
		"MailTo:a@b",
	};
	static const char *const removed[] = {
		"file:///C:/Windows/System32/calc.exe",
		"file://host/share/x.exe",
		"smb://host/share",
		"\\\\host\\share\\x.exe",
		"//host/share/x.exe",
		"javascript:alert(1)",
		"JavaScript:app.alert(1)",
		"java\tscript:alert(1)",
		"data:text/html;base64,PHNjcmlwdD4=",
		"vbscript:msgbox",
		"ms-msdt:/id PCWDiagnostic",
		"search-ms:query=x",
		"http:\\\\host\\share",
		"http:evil.exe",
		"http:/evil.exe",
		"http:///evil.exe",
		"https://example.jp/\\x",
		"https://example.jp/\nx",
		"evil.exe",
		"../secret.docx",
		"C:\\Windows\\calc.exe",
		"c:/windows/calc.exe",
		"ftp://example.jp/x",
		"tel:0123456789",
		"#bookmark",
		"",
		":http://x",
		"1http://x",
		"ｈｔｔｐ://example.jp",
		"http\xef\xbc\x9a//example.jp",
	};
	for (unsigned i = 0; i < G_N_ELEMENTS(kept); i++)
		if (!cdr_link_allowed_str(p, kept[i]))
			g_error("'%s' should be kept", kept[i]);
	for (unsigned i = 0; i < G_N_ELEMENTS(removed); i++)
		if (cdr_link_allowed_str(p, removed[i]))
			g_error("'%s' should be removed", removed[i]);
	/* length-bounded: the NUL-free prefix alone is judged */
	g_assert_true(cdr_link_allowed(p, "http://x.jp\\evil", 11));
	g_assert_false(cdr_link_allowed(p, "http://x.jp\\evil", 12));
}

static void
test_configured_schemes(void)
{
	g_autoptr(GError) error = NULL;
	const char *text = "[links]\nschemes = https, ftp\n";
	g_autoptr(cdr_policy) p = cdr_policy_load_data(text, strlen(text), "t", &error);
	g_assert_no_error(error);
	g_assert_true(cdr_link_allowed_str(p, "https://example.jp/"));
	g_assert_true(cdr_link_allowed_str(p, "ftp://example.jp/"));
	g_assert_false(cdr_link_allowed_str(p, "http://example.jp/"));
	g_assert_false(cdr_link_allowed_str(p, "mailto:a@b"));
}

static void
test_refused_schemes(void)
{
	static const char *const refused[] = { "file", "smb", "javascript", "data", "ms-msdt",
					       "MS-WORD", "search-ms", "vbscript", "1x", "a_b" };
	for (unsigned i = 0; i < G_N_ELEMENTS(refused); i++) {
		g_autoptr(GError) error = NULL;
		g_autofree char *text = g_strdup_printf("[links]\nschemes = http %s\n", refused[i]);
		g_autoptr(cdr_policy) p = cdr_policy_load_data(text, strlen(text), "t", &error);
		g_assert_null(p);
		g_assert_nonnull(error);
		g_test_message("%s", error->message);
		g_assert_true(g_str_has_prefix(error->message, "t:2: [links] schemes: '"));
	}
	g_assert_null(cdr_link_scheme_refusal("https"));
	g_assert_null(cdr_link_scheme_refusal("tel"));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/links/default", test_default_schemes);
	g_test_add_func("/links/configured", test_configured_schemes);
	g_test_add_func("/links/refused", test_refused_schemes);
	return g_test_run();
}
