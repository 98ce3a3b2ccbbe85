/*
 * NAME
 *	test-office-fields - the shared Word field rules, on field codes
 *	built the ways attackers build them, and the cost of deep nesting
 * DESCRIPTION
 *	office_field_judge() on codes as the handlers hand them over (UTF-8):
 *	case, every kind of space and quote before the keyword, full-width
 *	letters, characters Word may drop or break on inside the keyword,
 *	keywords computed by nested fields, codes too long to read; HYPERLINK
 *	targets through the shared link rule and [office] neutralize_links;
 *	the table itself. Then 20,000 and 100,000 nested field begins in a
 *	Word part, which must be disarmed in linear time.
 */
#include <string.h>

#include <libxml/parser.h>

#include "cdr.h"
#include "office-fields.h"
#include "ooxml.h"
#include "policy.h"

static enum office_field_verdict
judge_with(const struct cdr_policy *p, const char *code, gboolean nested_first, char *keyword)
{
	struct office_field_code c = { 0 };
	if (nested_first)
		office_field_code_nested(&c);
	office_field_code_append(&c, code, strlen(code));
	struct office_field_judgement j = { 0 };
	office_field_judge(p, &c, &j);
	if (keyword)
		g_strlcpy(keyword, j.keyword, 32);
	office_field_code_clear(&c);
	return j.verdict;
}

static enum office_field_verdict
judge(const char *code)
{
	g_autoptr(cdr_policy) p = cdr_policy_new_default();
	return judge_with(p, code, FALSE, NULL);
}

static void
test_keywords(void)
{
	static const char *const removed[] = {
		" DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe \"/k calc\"",
		"dDe cmd x", "DDE", "\"INCLUDEPICTURE\" \"http://x/y.png\"",
		"\tlink Excel.Sheet.12 x", " DATABASE \\c \"DSN=x\"", " rd \"\\\\\\\\h\\\\s\\\\a.doc\"",
		" INCLUDE a", " IMPORT a", " INCLUDETEXT a", " PRINT \"%!PS\"", " DATA x.csv",
		" SUBSCRIBER x",
		/* spaces and quotes of every kind before the keyword */
		"\xc2\xa0" "DDEAUTO x",         /* no-break space */
		"\xe3\x80\x80" "DDEAUTO x",  /* ideographic space */
		"\xe2\x80\x8b" "DDEAUTO x",  /* zero-width space */
		"\xef\xbb\xbf" "DDEAUTO x",  /* BOM */
		"\xe2\x80\x9c" "DDEAUTO\xe2\x80\x9d x", /* typographic quotes */
		"\r\n\vDDEAUTO x", "'DDE' x", "\"\"DDE x",
		/* full-width letters */
		"\xef\xbc\xa4\xef\xbc\xa4\xef\xbc\xa5 x",
		"\xef\xbd\x84" "de x",
		/* dropped or a break: both readings */
		"DD\xc2\xad" "EAUTO x",      /* soft hyphen inside */
		"DDE\xc2\xa0X",              /* no-break space after DDE, then more letters */
		"DD\nEAUTO x", "DDE\nX", "INCLUDE\xe2\x80\x8bPICTURE x", "L\x01INK x",
		/* keyword followed directly by a switch or a quote */
		"INCLUDEPICTURE\\d \"x\"", "DDEAUTO\"cmd\"",
		/* a leading non-ASCII character */
		"\xe6\x97\xa5" "DDEAUTO x",
		"MACROBUTTON AutoOpen Click", "MACROBUTTON", " macrobutton FileOpen \"x\"",
	};
	for (gsize i = 0; i < G_N_ELEMENTS(removed); i++)
		if (judge(removed[i]) != OFFICE_FIELD_REMOVED)
			g_error("kept: %s", removed[i]);
	static const char *const kept[] = {
		" PAGE ", " DDEX ", " LINKS ", "DATE \\@ \"yyyy\"", " = 1 + DDE ", "\\DDE",
		" MERGEFIELD Name", " IF 1 = 1 \"DDEAUTO\" \"x\"", " QUOTE \"INCLUDETEXT x\"",
		"PRINTDATE", "ADDIN ZOTERO_ITEM CSL_CITATION {\"x\":1}", " EMBED Excel.Sheet.8 ",
		" AUTOTEXT Signature", " FILLIN \"name?\"", " ASK x \"y\"", " GOTOBUTTON top Top",
		" MACROBUTTON NoMacro [Click here]", " macrobutton nomacro x", "",
		"   ", " DOCPROPERTY Title", " HYPERLINK", "BookmarkName",
		"DDEAUTOXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
		" TOC \\o \"1-3\" \\h", "INCLUDEPICTUREX",
	};
	for (gsize i = 0; i < G_N_ELEMENTS(kept); i++)
		if (judge(kept[i]) != OFFICE_FIELD_KEPT)
			g_error("removed: %s", kept[i]);
	g_autoptr(cdr_policy) p = cdr_policy_new_default();
	char keyword[32];
	judge_with(p, " ddeAuto x", FALSE, keyword);
	g_assert_cmpstr(keyword, ==, "DDEAUTO");
}

static void
test_computed(void)
{
	g_autoptr(cdr_policy) p = cdr_policy_new_default();
	/* a nested field before anything: { {QUOTE "DDEAUTO"} cmd } */
	g_assert_cmpint(judge_with(p, " cmd", TRUE, NULL), ==, OFFICE_FIELD_REMOVED);
	/* before the keyword ends: D{...}EAUTO */
	struct office_field_code c = { 0 };
	office_field_code_append(&c, " \"D", 3);
	office_field_code_nested(&c);
	office_field_code_append(&c, "EAUTO x", 7);
	g_assert_true(c.computed);
	struct office_field_judgement j = { 0 };
	g_assert_cmpint(office_field_judge(p, &c, &j), ==, OFFICE_FIELD_REMOVED);
	office_field_code_clear(&c);
	/* after a complete keyword: IF {MERGEFIELD x} = 1 stays */
	office_field_code_append(&c, " IF ", 4);
	office_field_code_nested(&c);
	office_field_code_nested(&c);
	office_field_code_append(&c, " = 1 \"a\" \"b\"", 12);
	g_assert_false(c.computed);
	memset(&j, 0, sizeof j);
	g_assert_cmpint(office_field_judge(p, &c, &j), ==, OFFICE_FIELD_KEPT);
	office_field_code_clear(&c);
	/* a hyperlink whose target a nested field computes */
	office_field_code_append(&c, "HYPERLINK \"", 11);
	office_field_code_nested(&c);
	office_field_code_append(&c, "\"", 1);
	memset(&j, 0, sizeof j);
	g_assert_cmpint(office_field_judge(p, &c, &j), ==, OFFICE_FIELD_LINK_REMOVED);
	office_field_code_clear(&c);
	/* a keyword beyond the bytes kept */
	GString *pad = g_string_new(NULL);
	for (unsigned i = 0; i < OFFICE_FIELD_CODE_MAX + 10; i++)
		g_string_append_c(pad, ' ');
	g_string_append(pad, "DDEAUTO cmd");
	office_field_code_append(&c, pad->str, pad->len);
	g_assert_true(c.overflow);
	memset(&j, 0, sizeof j);
	g_assert_cmpint(office_field_judge(p, &c, &j), ==, OFFICE_FIELD_REMOVED);
	office_field_code_clear(&c);
	/* a long harmless code is judged on its keyword */
	g_string_assign(pad, "ADDIN CSL_CITATION ");
	for (unsigned i = 0; i < OFFICE_FIELD_CODE_MAX; i++)
		g_string_append_c(pad, 'x');
	office_field_code_append(&c, pad->str, pad->len);
	memset(&j, 0, sizeof j);
	g_assert_cmpint(office_field_judge(p, &c, &j), ==, OFFICE_FIELD_KEPT);
	office_field_code_clear(&c);
	g_string_free(pad, TRUE);
}

static void
test_hyperlinks(void)
{
	static const char *const kept[] = {
		" HYPERLINK \"https://www.example.jp/a?b=1\"",
		"HYPERLINK http://example.jp/",
		" HYPERLINK \"mailto:soumu@example.jp\" \\o \"file:///tip only\"",
		" HYPERLINK \\l \"_Toc1234\"",
		" HYPERLINK \\l \"\\\\\\\\host\\\\bookmark-name-only\" \\h",
		" HYPERLINK \"https://example.jp/\" \\t \"_blank\" \\* MERGEFORMAT",
		" hyperlink \"https://example.jp/\" \\l \"sec\"",
	};
	for (gsize i = 0; i < G_N_ELEMENTS(kept); i++)
		if (judge(kept[i]) != OFFICE_FIELD_KEPT)
			g_error("removed: %s", kept[i]);
	static const char *const refused[] = {
		" HYPERLINK \"\\\\\\\\evil.example\\\\share\\\\x.exe\"",
		" HYPERLINK \"file:///C:/Windows/System32/calc.exe\"",
		" HYPERLINK \"FILE://evil.example/s\"",
		" HYPERLINK \\\\evil.example\\s",
		" HYPERLINK \"ms-msdt:/id PCWDiagnostic\"",
		" HYPERLINK \"search-ms:query=x&crumb=location:\\\\\\\\evil\"",
		" HYPERLINK \"javascript:alert(1)\"",
		" HYPERLINK \"evil.exe\"",
		" HYPERLINK \"http:evil.exe\"",
		" HYPERLINK \"https://ok.example/\" \"file://second.example/\"",
		" HYPERLINK \\o \"tip\" \"smb://evil.example/s\"",
		"\xe3\x80\x80HYPERLINK \"file://x/\"",
		" HYPER\xc2\xadLINK \"file://x/\"",
		" HYPERLINK \xe2\x80\x9c" "file://x/\xe2\x80\x9d",
		" HYPERLINK \xe2\x80\x9chttps://x.example/\xe2\x80\x9d",
	};
	for (gsize i = 0; i < G_N_ELEMENTS(refused); i++)
		if (judge(refused[i]) != OFFICE_FIELD_LINK_REMOVED)
			g_error("not refused: %s", refused[i]);
	/* neutralize_links: web targets go too, bookmarks stay */
	g_autoptr(GError) error = NULL;
	const char *conf = "[office]\nneutralize_links = true\n";
	g_autoptr(cdr_policy) p = cdr_policy_load_data(conf, strlen(conf), "test", &error);
	g_assert_no_error(error);
	g_assert_cmpint(judge_with(p, " HYPERLINK \"https://www.example.jp/\"", FALSE, NULL), ==,
			OFFICE_FIELD_NEUTRALIZED);
	g_assert_cmpint(judge_with(p, " HYPERLINK \\l \"top\"", FALSE, NULL), ==,
			OFFICE_FIELD_KEPT);
	g_assert_cmpint(judge_with(p, " HYPERLINK \"file://x/\"", FALSE, NULL), ==,
			OFFICE_FIELD_LINK_REMOVED);
	/* the reason is the link's, not the table row's */
	struct office_field_code c = { 0 };
	office_field_code_append(&c, " HYPERLINK \"file://x/\"", 23);
	struct office_field_judgement j = { 0 };
	office_field_judge(p, &c, &j);
	g_assert_cmpstr(j.keyword, ==, "HYPERLINK");
	g_assert_nonnull(strstr(j.why, "link rule refuses"));
	office_field_code_clear(&c);
	g_assert_cmpstr(office_field_action(OFFICE_FIELD_NEUTRALIZED), ==, "external-link");
	g_assert_cmpstr(office_field_action(OFFICE_FIELD_LINK_REMOVED), ==, "external-reference");
	g_assert_cmpstr(office_field_action(OFFICE_FIELD_REMOVED), ==, "field");
	g_assert_null(office_field_action(OFFICE_FIELD_KEPT));
}

/* Sorted, upper case, each with a reason. */
static void
test_table(void)
{
	gsize n;
	const struct office_field_row *rows = office_field_rows(&n);
	g_assert_cmpuint(n, >, 80);
	for (gsize i = 0; i < n; i++) {
		for (const char *k = rows[i].keyword; *k; k++)
			g_assert_true(g_ascii_isupper(*k));
		g_assert_cmpuint(strlen(rows[i].why), >, 5);
		if (i)
			g_assert_cmpint(strcmp(rows[i - 1].keyword, rows[i].keyword), <, 0);
	}
}

/* A document body of `n` nested IF fields around a DDEAUTO field: begins
 * with their codes, then n + 1 separators, results and ends. */
static GString *
nested_body(unsigned n)
{
	GString *x = g_string_new("<w:document xmlns:w=\"" NS_W "\"><w:body><w:p>");
	for (unsigned i = 0; i < n; i++)
		g_string_append(x, "<w:r><w:fldChar w:fldCharType=\"begin\"/>"
				   "<w:instrText> IF </w:instrText></w:r>");
	g_string_append(x, "<w:r><w:fldChar w:fldCharType=\"begin\"/>"
			   "<w:instrText>DDEAUTO cmd</w:instrText></w:r>");
	for (unsigned i = 0; i <= n; i++)
		g_string_append(x, "<w:r><w:fldChar w:fldCharType=\"separate\"/></w:r>"
				   "<w:r><w:t>R</w:t></w:r>"
				   "<w:r><w:fldChar w:fldCharType=\"end\"/></w:r>");
	g_string_append(x, "</w:p></w:body></w:document>");
	return x;
}

/* Quadratic work would take minutes here (and gigabytes: the old code
 * kept every node in the list of every field around it). */
static void
test_deep_nesting(void)
{
	g_autoptr(cdr_policy) p = cdr_policy_new_default();
	static const unsigned sizes[] = { 20000, 100000 };
	for (gsize s = 0; s < G_N_ELEMENTS(sizes); s++) {
		GString *x = nested_body(sizes[s]);
		const char *why = NULL;
		xmlDoc *doc = ooxml_xml_parse((const guint8 *)x->str, x->len, &why);
		g_assert_nonnull(doc);
		gint64 t0 = g_get_monotonic_time();
		struct ooxml_field_counts counts;
		ooxml_fields_disarm(p, xmlDocGetRootElement(doc), &counts);
		gint64 us = g_get_monotonic_time() - t0;
		g_test_message("%u nested fields: %.3f s", sizes[s], us / 1e6);
		g_assert_cmpint(us, <, 10 * G_USEC_PER_SEC);
		/* only the innermost DDEAUTO: the fields around it are IFs
		 * whose keyword was complete before it began */
		g_assert_cmpuint(counts.n[OFFICE_FIELD_REMOVED], ==, 1);
		GByteArray *out = g_byte_array_new();
		ooxml_xml_write(doc, out);
		g_assert_null(g_strstr_len((const char *)out->data, out->len, "DDEAUTO"));
		g_byte_array_free(out, TRUE);
		xmlFreeDoc(doc);
		g_string_free(x, TRUE);
	}
}

/* Disarm the fields of a Word part; returns its XML afterwards. */
static char *
disarm_part(const struct cdr_policy *p, const char *xml, struct ooxml_field_counts *counts)
{
	const char *why = NULL;
	xmlDoc *doc = ooxml_xml_parse((const guint8 *)xml, strlen(xml), &why);
	g_assert_nonnull(doc);
	ooxml_fields_disarm(p, xmlDocGetRootElement(doc), counts);
	GByteArray *out = g_byte_array_new();
	ooxml_xml_write(doc, out);
	g_byte_array_append(out, (const guint8 *)"", 1);
	xmlFreeDoc(doc);
	return (char *)g_byte_array_free(out, FALSE);
}

/* [office] neutralize_links in a Word part: the web link's code goes, its
 * text stays; a bookmark link stays whole. */
static void
test_ooxml_neutralize(void)
{
	const char *conf = "[office]\nneutralize_links = true\n";
	g_autoptr(GError) error = NULL;
	g_autoptr(cdr_policy) p = cdr_policy_load_data(conf, strlen(conf), "test", &error);
	g_assert_no_error(error);
	const char *xml =
		"<w:document xmlns:w=\"" NS_W "\"><w:body><w:p>"
		"<w:fldSimple w:instr=\" HYPERLINK &quot;https://www.example.jp/&quot; \">"
		"<w:r><w:t>WEBTEXT</w:t></w:r></w:fldSimple>"
		"<w:r><w:fldChar w:fldCharType=\"begin\"/></w:r>"
		"<w:r><w:instrText> HYPERLINK \\l \"top\" </w:instrText></w:r>"
		"<w:r><w:fldChar w:fldCharType=\"separate\"/></w:r><w:r><w:t>TOPTEXT</w:t></w:r>"
		"<w:r><w:fldChar w:fldCharType=\"end\"/></w:r></w:p></w:body></w:document>";
	struct ooxml_field_counts counts;
	g_autofree char *text = disarm_part(p, xml, &counts);
	g_assert_cmpuint(counts.n[OFFICE_FIELD_NEUTRALIZED], ==, 1);
	g_assert_cmpuint(counts.n[OFFICE_FIELD_REMOVED], ==, 0);
	g_assert_null(strstr(text, "example.jp"));
	g_assert_nonnull(strstr(text, "WEBTEXT"));
	g_assert_nonnull(strstr(text, "HYPERLINK \\l"));
}

/* Strict Open XML names Word's elements in another namespace: the same
 * rules, should such a part reach the field rules. */
static void
test_ooxml_strict(void)
{
	g_autoptr(cdr_policy) p = cdr_policy_new_default();
	const char *xml =
		"<w:document xmlns:w=\"http://purl.oclc.org/ooxml/wordprocessingml/main\">"
		"<w:body><w:p><w:fldSimple w:instr=\" DDEAUTO cmd \"><w:r><w:t>S</w:t></w:r>"
		"</w:fldSimple><w:r><w:fldChar w:fldCharType=\"begin\"/></w:r>"
		"<w:r><w:instrText> INCLUDETEXT x </w:instrText></w:r>"
		"<w:r><w:fldChar w:fldCharType=\"end\"/></w:r></w:p></w:body></w:document>";
	struct ooxml_field_counts counts;
	g_autofree char *text = disarm_part(p, xml, &counts);
	g_assert_cmpuint(counts.n[OFFICE_FIELD_REMOVED], ==, 2);
	g_assert_null(strstr(text, "DDEAUTO"));
	g_assert_null(strstr(text, "INCLUDETEXT"));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/office-fields/keywords", test_keywords);
	g_test_add_func("/office-fields/computed", test_computed);
	g_test_add_func("/office-fields/hyperlinks", test_hyperlinks);
	g_test_add_func("/office-fields/table", test_table);
	g_test_add_func("/office-fields/deep-nesting", test_deep_nesting);
	g_test_add_func("/office-fields/ooxml-neutralize", test_ooxml_neutralize);
	g_test_add_func("/office-fields/ooxml-strict", test_ooxml_strict);
	return g_test_run();
}
