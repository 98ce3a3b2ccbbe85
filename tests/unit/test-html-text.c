/*
 * NAME
 *	test-html-text - HTML bodies rendered as readable text
 * SUMMARY
 *	What a reader sees is kept (paragraphs, lists, table rows, <pre>,
 *	entities, Japanese); what a reader would not see is dropped (script,
 *	style, hidden text); a link whose text hides its target shows it.
 */
#include <string.h>

#include "html-text.h"

static void
assert_text(const char *html, const char *expected)
{
	struct cdr_failure fail = { 0 };
	struct html_text_stats st = { 0 };
	g_autofree char *text = html_to_text(html, strlen(html), 256, &st, &fail);
	g_assert_cmpint(fail.kind, ==, CDR_E_NONE);
	if (strcmp(text, expected) != 0)
		g_error("HTML:\n%s\nwant:\n%s\ngot:\n%s", html, expected, text);
}

static void
test_blocks(void)
{
	assert_text("<p>一段落目。</p><p>二段落目<br>改行</p>", "一段落目。\n\n二段落目\n改行\n");
	assert_text("<div>a</div><div>b</div>text", "a\nb\ntext\n");
	assert_text("<h1>お知らせ</h1>本文", "お知らせ\n\n本文\n");
	assert_text("  lots   of\n\n  space\t here ", "lots of space here\n");
	assert_text("<pre>  keep\n    this</pre>after", "  keep\n    this\n\nafter\n");
	assert_text("a<hr>b", "a\n\n----------------------------------------\nb\n");
	assert_text("", "");
}

static void
test_entities_and_japanese(void)
{
	assert_text("<p>&lt;tag&gt; &amp; &quot;q&quot; &#x3042;&#12354; &copy;&nbsp;2026</p>",
		    "<tag> & \"q\" ああ © 2026\n");
	assert_text("<p>㈱髙島屋　①②</p>", "㈱髙島屋　①②\n");
}

static void
test_lists_and_tables(void)
{
	assert_text("<ul><li>one</li><li>two<ul><li>inner</li></ul></li></ul>",
		    "- one\n- two\n  - inner\n");
	assert_text("<ol><li>first</li><li>second</li></ol>", "1. first\n2. second\n");
	assert_text("<table><tr><th>品名</th><th>数量</th></tr><tr><td>りんご</td><td>3</td></tr>"
		    "<tr><td></td><td>x</td></tr></table>",
		    "品名 | 数量\nりんご | 3\nx\n");
}

static void
test_links(void)
{
	assert_text("<a href=\"https://evil.example/login\">https://bank.example.jp/</a>",
		    "https://bank.example.jp/ <https://evil.example/login>\n");
	assert_text("<a href=\"https://example.jp/\">https://example.jp/</a>", "https://example.jp/\n");
	assert_text("<a href=\"https://example.jp/\">example.jp</a>", "example.jp\n");
	assert_text("<a href=\"mailto:info@example.jp\">info@example.jp</a>", "info@example.jp\n");
	assert_text("<a href=\"https://example.jp/a\">詳しくはこちら</a>。",
		    "詳しくはこちら <https://example.jp/a>。\n");
	assert_text("<a href=\"javascript:alert(1)\">click</a>", "click\n");
	assert_text("<a href=\"#top\">top</a>", "top\n");
	assert_text("<img src=\"x.png\" alt=\"ロゴ\"><img src=\"pixel.gif\">", "[image: ロゴ]\n");
}

static void
test_dropped(void)
{
	struct cdr_failure fail = { 0 };
	struct html_text_stats st = { 0 };
	const char *html = "<html><head><title>t</title><style>p{}</style></head><body>"
			   "<style>b{}</style><script>alert('x')</script>"
			   "<p style=\"DISPLAY : none\">hidden1</p><span hidden>hidden2</span>"
			   "<div style=\"visibility:hidden\">hidden3</div>"
			   "<iframe src=\"https://evil/\">f</iframe>visible"
			   "<a href=\"javascript:evil()\">x</a></body></html>";
	g_autofree char *text = html_to_text(html, strlen(html), 256, &st, &fail);
	g_assert_cmpstr(text, ==, "visiblex\n");
	g_assert_cmpuint(st.scripts, ==, 3);
	g_assert_cmpuint(st.hidden, ==, 3);
	g_assert_cmpuint(st.bad_links, ==, 1);
}

static void
test_too_deep(void)
{
	g_autoptr(GString) html = g_string_new(NULL);
	for (int i = 0; i < 5000; i++)
		g_string_append(html, "<div>");
	g_string_append(html, "deep");
	struct cdr_failure fail = { 0 };
	g_autofree char *text = html_to_text(html->str, html->len, 256, NULL, &fail);
	g_assert_null(text);
	g_assert_cmpint(fail.kind, ==, CDR_E_LIMIT);
	g_assert_nonnull(strstr(fail.why, "nested deeper"));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/html-text/blocks", test_blocks);
	g_test_add_func("/html-text/entities", test_entities_and_japanese);
	g_test_add_func("/html-text/lists-tables", test_lists_and_tables);
	g_test_add_func("/html-text/links", test_links);
	g_test_add_func("/html-text/dropped", test_dropped);
	g_test_add_func("/html-text/too-deep", test_too_deep);
	return g_test_run();
}
