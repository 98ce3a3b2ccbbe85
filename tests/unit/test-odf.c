/*
 * NAME
 *	test-odf - the odf handler's policy keys, limits and formula judge,
 *	in-process
 * DESCRIPTION
 *	What the fixtures cannot show with the default policy: [office]
 *	neutralize_links and max_xml_part_bytes, [links] schemes; and the
 *	formula judge on the shapes of formulas attackers write. The
 *	document is written here with the handler's own zip writer, so the
 *	test does not depend on the fixture generator.
 */
#include <string.h>

#include <libxml/parser.h>

#include "actions.h"
#include "cdr.h"
#include "odf.h"

#define NS                                                                                  \
	"xmlns:office=\"" ODF_NS_OFFICE "\" xmlns:text=\"" ODF_NS_TEXT "\" xmlns:table=\""  \
	ODF_NS_TABLE "\" xmlns:xlink=\"" ODF_NS_XLINK "\" xmlns:of=\"" ODF_NS_OF "\" "      \
	"xmlns:ooow=\"" ODF_NS_OOOW "\" xmlns:msoxl=\"" ODF_NS_MSOXL "\" xmlns:x=\"urn:x\""
#define BODY                                                                                \
	"<office:body><office:text><text:p><text:a xlink:href=\"https://www.city.example.lg.jp/\">" \
	"web</text:a> <text:a xlink:href=\"mailto:soumu@city.example.lg.jp\">mail</text:a> "    \
	"<text:a xlink:href=\"#top\">top</text:a></text:p></office:text></office:body>"

static void
add(struct zip_writer *w, const char *name, const char *text)
{
	zip_writer_begin(w, name, FALSE);
	zip_writer_write(w, text, strlen(text));
	g_assert_true(zip_writer_end(w));
}

static GByteArray *
odt(void)
{
	static const char mime[] = "application/vnd.oasis.opendocument.text";
	GByteArray *b = g_byte_array_new();
	struct zip_writer *w = zip_writer_new(b);
	zip_writer_begin_stored(w, "mimetype");
	zip_writer_write(w, mime, strlen(mime));
	g_assert_true(zip_writer_end(w));
	add(w, "content.xml", "<office:document-content " NS ">" BODY "</office:document-content>");
	add(w, "META-INF/manifest.xml",
	    "<manifest:manifest xmlns:manifest=\"" ODF_NS_MANIFEST "\"><manifest:file-entry "
	    "manifest:full-path=\"/\" manifest:media-type=\"application/vnd.oasis.opendocument.text"
	    "\"/></manifest:manifest>");
	g_assert_true(zip_writer_finish(w));
	return b;
}

static GByteArray *
fodt(void)
{
	static const char text[] = "<?xml version=\"1.0\"?>\n<office:document " NS
				   " office:mimetype=\"application/vnd.oasis.opendocument.text\">" BODY
				   "</office:document>";
	GByteArray *b = g_byte_array_new();
	g_byte_array_append(b, (const guint8 *)text, sizeof text - 1);
	return b;
}

static struct cdr_report *
run(const char *conf, GByteArray *doc, const char *name, GByteArray **out)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(cdr_policy) p = cdr_policy_load_data(conf, strlen(conf), "test", &error);
	g_assert_no_error(error);
	struct cdr_engine *e = cdr_engine_new(p, NULL, &error);
	g_assert_no_error(error);
	struct cdr_report *r = cdr_engine_run(e, doc->data, doc->len, name, out);
	g_byte_array_unref(doc);
	cdr_engine_free(e);
	return r;
}

/* The output's content: content.xml of a package, or the flat document. */
static char *
content_of(const GByteArray *b)
{
	if (b->len < 2 || memcmp(b->data, "PK", 2) != 0)
		return g_strndup((const char *)b->data, b->len);
	const char *why = NULL;
	struct cdr_failure fail = { 0 };
	g_autoptr(GArray) entries = g_array_new(FALSE, FALSE, sizeof(struct zip_entry));
	g_assert_cmpint(zip_check_entries(b->data, b->len, &why, entries), ==, ZIP_OK);
	for (guint i = 0; i < entries->len; i++) {
		const struct zip_entry *e = &g_array_index(entries, struct zip_entry, i);
		if (e->name_len != 11 || memcmp(e->name, "content.xml", 11) != 0)
			continue;
		GByteArray *m = zip_read_whole(b->data, e, G_MAXUINT32, &fail);
		g_assert_nonnull(m);
		char *s = g_strndup((const char *)m->data, m->len);
		g_byte_array_free(m, TRUE);
		return s;
	}
	g_assert_not_reached();
}

static void
check_links(const char *conf, const char *want_action, gboolean web, gboolean mail)
{
	struct {
		GByteArray *doc;
		const char *name;
	} docs[] = { { odt(), "letter.odt" }, { fodt(), "letter.fodt" } };
	for (gsize i = 0; i < G_N_ELEMENTS(docs); i++) {
		GByteArray *out = NULL;
		g_autoptr(cdr_report) r = run(conf, docs[i].doc, docs[i].name, &out);
		g_assert_nonnull(out);
		g_assert_cmpstr(r->handler, ==, "odf");
		g_assert_cmpstr(r->out_name, ==, docs[i].name);
		if (!want_action) {
			g_assert_cmpint(r->verdict, ==, CDR_CLEAN);
		} else {
			g_assert_cmpint(r->verdict, ==, CDR_SANITIZED);
			g_assert_cmpstr(((const struct cdr_action *)r->actions->pdata[0])->what, ==,
					want_action);
		}
		g_autofree char *content = content_of(out);
		g_assert_true((strstr(content, "https://www.city.example.lg.jp/") != NULL) == web);
		g_assert_true((strstr(content, "mailto:") != NULL) == mail);
		g_assert_nonnull(strstr(content, "\"#top\""));
		g_assert_nonnull(strstr(content, ">web"));
		g_byte_array_unref(out);
	}
}

static void
test_links_kept_by_default(void)
{
	check_links("", NULL, TRUE, TRUE);
}

static void
test_neutralize_links(void)
{
	check_links("[office]\nneutralize_links = true\n", CDR_ACT_EXTERNAL_LINK, FALSE, FALSE);
}

static void
test_link_schemes(void)
{
	check_links("[links]\nschemes = https\n", CDR_ACT_EXTERNAL_REFERENCE, TRUE, FALSE);
}

static void
test_part_limit(void)
{
	GByteArray *out = NULL;
	g_autoptr(cdr_report) r = run("[office]\nmax_xml_part_bytes = 1K\n[limits]\n"
				      "max_expanded_bytes = 300\n", odt(), "letter.odt", &out);
	g_assert_cmpint(r->verdict, ==, CDR_BLOCKED);
	g_assert_cmpint(r->error, ==, CDR_E_LIMIT);
	g_assert_null(out);
	GByteArray *big = fodt();
	g_byte_array_set_size(big, big->len + 2000);
	memset(big->data + big->len - 2000, ' ', 2000);
	g_autoptr(cdr_report) f = run("[office]\nmax_xml_part_bytes = 1K\n", big, "letter.fodt",
				      &out);
	g_assert_cmpint(f->verdict, ==, CDR_BLOCKED);
	g_assert_cmpint(f->error, ==, CDR_E_LIMIT);
	g_assert_null(out);
}

/* Each formula as a cell's table:formula, in a document declaring the
 * usual prefixes (and x: bound to an unknown grammar). */
static void
test_formulas(void)
{
	static const struct {
		const char *formula;
		enum ooxml_formula_risk risk;
	} cases[] = {
		{ "of:=SUM([.B2:.C2])", FORMULA_SAFE },
		{ "of:=[$'Sheet 1'.A1]*2", FORMULA_SAFE },
		{ "of:=IF([.A1]=\"|\";1;2)", FORMULA_SAFE },
		{ "of:=\"'file:///x'#$A\"", FORMULA_SAFE },
		{ "of:=#N/A", FORMULA_SAFE },
		{ "of:=HYPERLINK(\"https://www.example.jp/\";\"x\")", FORMULA_SAFE },
		{ "of:=HYPERLINK(\"#Sheet2.A1\")", FORMULA_SAFE },
		{ "ooow:<A1>|<A2>", FORMULA_SAFE },
		{ "2", FORMULA_SAFE },
		{ "of:=['file:///C:/x.ods'#$Sheet1.A1]", FORMULA_EXTERNAL },
		{ "of:=[$'x.ods' # $Sheet1.A1]", FORMULA_EXTERNAL },
		{ "of:=SUM([file:///C:/x.ods#$Sheet1.A1:.B2])", FORMULA_EXTERNAL },
		{ "of:=['\\\\host\\share\\x.ods'#$S.A1]", FORMULA_EXTERNAL },
		{ "of:=DDE(\"cmd\";\"/c calc\";\"A0\")", FORMULA_DDE },
		{ "of:=ORG.OPENOFFICE.dde (\"a\";\"b\";\"c\")", FORMULA_DDE },
		{ "of:=cmd|'/c calc'!A0", FORMULA_DDE },
		{ "=cmd|'/c calc'!A0", FORMULA_DDE },
		{ "of:=COM.MICROSOFT.WEBSERVICE(\"http://x/\")", FORMULA_FETCH },
		{ "of:=webservice(\"http://x/\")", FORMULA_FETCH },
		{ "of:=HYPERLINK(\"file:///C:/x.exe\")", FORMULA_LINK },
		{ "of:=HYPERLINK([.A1])", FORMULA_LINK },
		{ "of:=CALL(\"kernel32\";\"WinExec\")", FORMULA_CODE },
		{ "msoxl:=cmd|'/c calc'!A0", FORMULA_DDE },
		{ "msoxl:=[1]Sheet1!A1", FORMULA_EXTERNAL },
		{ "x:=1", FORMULA_UNREADABLE },
		{ "of:=\"open", FORMULA_UNREADABLE },
		{ "of:='open", FORMULA_UNREADABLE },
	};
	g_autoptr(cdr_policy) policy = cdr_policy_new_default();
	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *xml = g_markup_printf_escaped(
			"<table:table-cell " NS " table:formula=\"%s\"/>", cases[i].formula);
		const char *why = NULL;
		xmlDoc *doc = ooxml_xml_parse((const guint8 *)xml, strlen(xml), &why);
		g_assert_nonnull(doc);
		xmlNode *cell = xmlDocGetRootElement(doc);
		g_autofree char *formula = odf_attr(cell, ODF_NS_TABLE, "formula");
		enum ooxml_formula_risk got = odf_formula_judge(policy, cell, formula);
		if (got != cases[i].risk)
			g_error("%s: risk %d, want %d", cases[i].formula, got, cases[i].risk);
		xmlFreeDoc(doc);
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	xmlInitParser();
	g_test_add_func("/odf/links-kept-by-default", test_links_kept_by_default);
	g_test_add_func("/odf/neutralize-links", test_neutralize_links);
	g_test_add_func("/odf/link-schemes", test_link_schemes);
	g_test_add_func("/odf/part-limit", test_part_limit);
	g_test_add_func("/odf/formulas", test_formulas);
	return g_test_run();
}
