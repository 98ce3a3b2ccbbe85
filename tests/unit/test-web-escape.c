/*
 * NAME
 *	test-web-escape - the console's one HTML escape, its templates, CSRF
 * SUMMARY
 *	<script>, quotes and & escaped; U+202E and the other direction
 *	controls kept as the very character (a numeric reference: the DOM
 *	holds what the sender wrote) and named for the visible warning;
 *	bytes that are not UTF-8 and control characters replaced. Templates:
 *	every text value escaped, even in {{{ }}}; unknown names refused.
 *	CSRF tokens compared exactly.
 */
#include <glib/gstdio.h>
#include <string.h>

#include "escape.h"
#include "sessions.h"
#include "template.h"

static void
check(const char *in, const char *want)
{
	g_autofree char *out = web_escape_text(in);
	g_assert_cmpstr(out, ==, want);
}

static void
test_escape(void)
{
	check("<script>alert(\"x\")</script>",
	      "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
	check("a & b", "a &amp; b");
	check("it's", "it&#39;s");
	check("\" onmouseover=\"x", "&quot; onmouseover=&quot;x");
	check("&amp;", "&amp;amp;");
	check("見積書.zip", "見積書.zip");
	/* RLO: "invoice<U+202E>fdp.exe" written out, so it cannot pass for "invoiceexe.pdf" */
	check("invoice\xE2\x80\xAE" "fdp.exe", "invoice[U+202E]fdp.exe");
	check("\xE2\x81\xA6x\xE2\x81\xA9", "[U+2066]x[U+2069]");
	check("\xE2\x80\x8F", "[U+200F]");
	/* not UTF-8, controls, a BOM: U+FFFD */
	check("a\xff" "b", "a\xEF\xBF\xBD" "b");
	check("a\x01" "b\x7f", "a\xEF\xBF\xBD" "b\xEF\xBF\xBD");
	check("\xC2\x85", "\xEF\xBF\xBD");
	check("\xE2\x80", "\xEF\xBF\xBD\xEF\xBF\xBD");
	check("tab\tline\n", "tab\tline\n");
	check(NULL, "");
	g_autofree char *controls = web_bidi_controls("a\xE2\x80\xAE" "b\xE2\x80\xAE\xE2\x81\xA6");
	g_assert_cmpstr(controls, ==, "U+202E U+2066");
	g_assert_null(web_bidi_controls("plain 名前"));
	/* a very long name is kept whole */
	g_autofree char *longname = g_strnfill(5000, 'a');
	g_autofree char *escaped = web_escape_text(longname);
	g_assert_cmpuint(strlen(escaped), ==, 5000);
}

static void
write_template(const char *dir, const char *name, const char *text)
{
	g_autofree char *sub = g_build_filename(dir, "templates", NULL);
	g_mkdir_with_parents(sub, 0700);
	g_autofree char *file = g_strconcat(name, ".html", NULL);
	g_autofree char *path = g_build_filename(sub, file, NULL);
	g_assert_true(g_file_set_contents(path, text, -1, NULL));
}

static void
test_templates(void)
{
	g_autofree char *dir = g_dir_make_tmp("test-web-escape-XXXXXX", NULL);
	g_setenv("MUGAIKA_WEB_DIR", dir, TRUE);
	write_template(dir, "t1", "<p title=\"{{v}}\">{{v}}|{{{v}}}|{{{h}}}</p>"
				  "{{#rows}}<i>{{n}}{{outer}}</i>{{/rows}}{{^rows}}none{{/rows}}"
				  "{{#on}}ON{{/on}}{{^off}}OFF{{/off}}");
	write_template(dir, "bad", "{{missing}}");
	write_template(dir, "unclosed", "{{#rows}}x");
	g_autoptr(web_vars) v = web_vars_new();
	web_vars_text(v, "v", "<b>\"&'</b>");
	web_vars_html(v, "h", g_strdup("<em>made by web_render</em>"));
	web_vars_text(v, "outer", "!");
	web_vars_flag(v, "on", TRUE);
	web_vars_flag(v, "off", FALSE);
	web_vars_text(web_vars_row(v, "rows"), "n", "1<");
	web_vars_text(web_vars_row(v, "rows"), "n", "2");
	g_autoptr(GError) error = NULL;
	g_autofree char *out = web_render("t1", v, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(out, ==,
			"<p title=\"&lt;b&gt;&quot;&amp;&#39;&lt;/b&gt;\">"
			"&lt;b&gt;&quot;&amp;&#39;&lt;/b&gt;|&lt;b&gt;&quot;&amp;&#39;&lt;/b&gt;|"
			"<em>made by web_render</em></p><i>1&lt;!</i><i>2!</i>ONOFF");
	g_autoptr(web_vars) empty = web_vars_new();
	web_vars_list(empty, "rows");
	web_vars_text(empty, "v", "");
	web_vars_text(empty, "h", "");
	web_vars_flag(empty, "on", FALSE);
	web_vars_flag(empty, "off", TRUE);
	g_autofree char *none = web_render("t1", empty, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(none, ==, "<p title=\"\">||</p>none");
	g_assert_null(web_render("bad", v, &error));
	g_assert_nonnull(strstr(error->message, "missing"));
	g_clear_error(&error);
	g_assert_null(web_render("unclosed", v, &error));
	g_clear_error(&error);
	g_assert_null(web_render("no-such-template", v, &error));
	g_unsetenv("MUGAIKA_WEB_DIR");
}

/* The real templates render with what their pages give (no unknown name). */
static void
test_real_layout(void)
{
	g_autofree char *web = g_build_filename(SOURCE_ROOT, "web", NULL);
	g_setenv("MUGAIKA_WEB_DIR", web, TRUE);
	g_autoptr(web_vars) v = web_vars_new();
	web_vars_text(v, "lang", "ja");
	web_vars_flag(v, "ja", TRUE);
	web_vars_text(v, "csrf", "c");
	web_vars_text(v, "user", "");
	web_vars_text(v, "lang_query", "");
	web_vars_text(v, "lang_switch", "/x?lang=en");
	web_vars_text(v, "title", "<t>");
	web_vars_flag(v, "error_page", TRUE);
	web_vars_text(v, "flash", "");
	web_vars_flag(v, "flash_ok", FALSE);
	web_vars_html(v, "body", g_strdup("<p>b</p>"));
	g_autoptr(GError) error = NULL;
	g_autofree char *page = web_render("layout", v, &error);
	g_assert_no_error(error);
	g_assert_nonnull(strstr(page, "<html lang=\"ja\">"));
	g_assert_nonnull(strstr(page, "<h1 id=\"error\">&lt;t&gt;</h1>"));
	g_assert_nonnull(strstr(page, "id=\"lang-switch\" href=\"/x?lang=en\""));
	g_assert_null(strstr(page, "<script"));
	g_unsetenv("MUGAIKA_WEB_DIR");
}

static void
test_csrf(void)
{
	struct web_sessions *ss = web_sessions_new();
	struct web_session *s = web_session_new(ss, 1000);
	g_assert_cmpuint(strlen(s->csrf), ==, 64);
	g_assert_true(web_csrf_valid(s, s->csrf));
	g_autofree char *copy = g_strdup(s->csrf);
	copy[63] = copy[63] == '0' ? '1' : '0';
	g_assert_false(web_csrf_valid(s, copy));
	copy[63] = '\0';
	g_assert_false(web_csrf_valid(s, copy));
	g_autofree char *longer = g_strconcat(s->csrf, "0", NULL);
	g_assert_false(web_csrf_valid(s, longer));
	g_assert_false(web_csrf_valid(s, ""));
	g_assert_false(web_csrf_valid(s, NULL));
	g_assert_false(web_csrf_valid(NULL, s->csrf));
	/* another session's token is not this one's */
	struct web_session *other = web_session_new(ss, 1000);
	g_assert_false(web_csrf_valid(s, other->csrf));
	/* a login gives a new id and a new token */
	char old_id[65], old_csrf[65];
	memcpy(old_id, s->id, sizeof(old_id));
	memcpy(old_csrf, s->csrf, sizeof(old_csrf));
	struct web_session *admin = web_session_login(ss, s, "admin", 1001);
	g_assert_cmpstr(admin->id, !=, old_id);
	g_assert_false(web_csrf_valid(admin, old_csrf));
	g_assert_null(web_session_find(ss, old_id, 1002));
	g_assert_true(web_session_find(ss, admin->id, 1002) == admin);
	/* idle too long: gone */
	g_assert_null(web_session_find(ss, admin->id, 1002 + WEB_SESSION_IDLE + 1));
	web_sessions_free(ss);
}

/* A log line's field: nothing a client sends can end the line, add a
 * field or hide text; printable text, Japanese included, as it is. */
static void
test_log(void)
{
	static const char *const cases[][2] = {
		{ "/admin/search", "/admin/search" },
		{ "/x<script>", "/x<script>" },
		{ "/a\nGET /forged 200 1 ms", "/a\\x0aGET\\x20/forged\\x20200\\x201\\x20ms" },
		{ "/\r\t\x1b[31m\x7f", "/\\x0d\\x09\\x1b[31m\\x7f" },
		{ "/会議/資料", "/会議/資料" },
		{ "/\xe2\x80\xae" "exe.pdf", "/\\xe2\\x80\\xaeexe.pdf" },
		{ "/\xc2\x85next", "/\\xc2\\x85next" },
		{ "/bad\xff\xc3", "/bad\\xff\\xc3" },
		{ "/back\\x0a", "/back\\x5cx0a" },
		{ "", "" },
	};
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *got = web_escape_log(cases[i][0]);
		g_assert_cmpstr(got, ==, cases[i][1]);
	}
	g_autofree char *none = web_escape_log(NULL);
	g_assert_cmpstr(none, ==, "");
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/web-escape/escape", test_escape);
	g_test_add_func("/web-escape/templates", test_templates);
	g_test_add_func("/web-escape/real-layout", test_real_layout);
	g_test_add_func("/web-escape/csrf", test_csrf);
	g_test_add_func("/web-escape/log", test_log);
	return g_test_run();
}
