/*
 * NAME
 *	test-ooxml - the ooxml handler's policy keys, limits and field rules,
 *	in-process
 * DESCRIPTION
 *	What the fixtures cannot show with the default policy: [office]
 *	neutralize_links and max_xml_part_bytes; and the Word field rules on
 *	instructions built the ways attackers build them. The document is
 *	written here with the handler's own zip writer, so the test does not
 *	depend on the fixture generator.
 */
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <libxml/parser.h>

#include "actions.h"
#include "cdr.h"
#include "office-fields.h"
#include "ooxml.h"

#define W_NS "xmlns:w=\"" NS_W "\" xmlns:r=\"" NS_R "\""

static void
write_text(struct zip_writer *w, const char *text)
{
	zip_writer_write(w, text, strlen(text));
}

static void
add(struct zip_writer *w, const char *name, const char *text)
{
	zip_writer_begin(w, name, FALSE);
	zip_writer_write(w, text, strlen(text));
	g_assert_true(zip_writer_end(w));
}

/* A one-paragraph docx with a web link and a styles part; `extra_rels`
 * are added to the body's relationships. */
static GByteArray *
docx_with(const char *extra_rels)
{
	GByteArray *b = g_byte_array_new();
	struct zip_writer *w = zip_writer_new(b);
	add(w, "[Content_Types].xml",
	    "<Types xmlns=\"" NS_CT "\"><Default Extension=\"rels\" ContentType=\"application/"
	    "vnd.openxmlformats-package.relationships+xml\"/><Override PartName=\"/word/"
	    "document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument."
	    "wordprocessingml.document.main+xml\"/><Override PartName=\"/word/styles.xml\" "
	    "ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml."
	    "styles+xml\"/></Types>");
	add(w, "_rels/.rels",
	    "<Relationships xmlns=\"" NS_REL "\"><Relationship Id=\"rId1\" Type=\"http://schemas."
	    "openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/"
	    "document.xml\"/></Relationships>");
	add(w, "word/document.xml",
	    "<w:document " W_NS "><w:body><w:p><w:hyperlink r:id=\"rIdL\"><w:r><w:t>LINKTEXT"
	    "</w:t></w:r></w:hyperlink></w:p></w:body></w:document>");
	zip_writer_begin(w, "word/_rels/document.xml.rels", FALSE);
	write_text(w,
	    "<Relationships xmlns=\"" NS_REL "\"><Relationship Id=\"rIdL\" Type=\"http://schemas."
	    "openxmlformats.org/officeDocument/2006/relationships/hyperlink\" Target=\"https://"
	    "www.city.example.lg.jp/\" TargetMode=\"External\"/><Relationship Id=\"rIdS\" "
	    "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" "
	    "Target=\"styles.xml\"/>");
	write_text(w, extra_rels);
	write_text(w, "</Relationships>");
	g_assert_true(zip_writer_end(w));
	add(w, "word/styles.xml", "<w:styles " W_NS "/>");
	g_assert_true(zip_writer_finish(w));
	return b;
}

static struct cdr_report *
run_with(const char *conf, const char *extra_rels, GByteArray **out)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(cdr_policy) p = cdr_policy_load_data(conf, strlen(conf), "test", &error);
	g_assert_no_error(error);
	struct cdr_engine *e = cdr_engine_new(p, NULL, &error);
	g_assert_no_error(error);
	GByteArray *doc = docx_with(extra_rels);
	struct cdr_report *r = cdr_engine_run(e, doc->data, doc->len, "letter.docx", out);
	g_byte_array_unref(doc);
	cdr_engine_free(e);
	return r;
}

/* Does any member of the zip `b`, inflated, contain `s`? */
static struct cdr_report *
run_with_config(const char *conf, GByteArray **out)
{
	return run_with(conf, "", out);
}

static gboolean
has_bytes(const GByteArray *b, const char *s)
{
	const char *why = NULL;
	struct cdr_failure fail = { 0 };
	g_autoptr(GArray) entries = g_array_new(FALSE, FALSE, sizeof(struct zip_entry));
	g_assert_cmpint(zip_check_entries(b->data, b->len, &why, entries), ==, ZIP_OK);
	gboolean found = FALSE;
	for (guint i = 0; i < entries->len && !found; i++) {
		GByteArray *m = zip_read_whole(b->data, &g_array_index(entries, struct zip_entry, i),
					       G_MAXUINT32, &fail);
		g_assert_nonnull(m);
		found = memmem(m->data, m->len, s, strlen(s)) != NULL;
		g_byte_array_free(m, TRUE);
	}
	return found;
}

static void
test_links_kept_by_default(void)
{
	GByteArray *out = NULL;
	g_autoptr(cdr_report) r = run_with_config("", &out);
	g_assert_cmpint(r->verdict, ==, CDR_CLEAN);
	g_assert_cmpstr(r->handler, ==, "ooxml");
	g_assert_cmpstr(r->out_name, ==, "letter.docx");
	g_assert_true(has_bytes(out, "city.example.lg.jp"));
	g_byte_array_unref(out);
}

static void
test_neutralize_links(void)
{
	GByteArray *out = NULL;
	g_autoptr(cdr_report) r = run_with_config("[office]\nneutralize_links = true\n", &out);
	g_assert_cmpint(r->verdict, ==, CDR_SANITIZED);
	g_assert_cmpuint(r->actions->len, ==, 1);
	const struct cdr_action *a = r->actions->pdata[0];
	g_assert_cmpstr(a->what, ==, CDR_ACT_EXTERNAL_LINK);
	g_assert_cmpstr(a->where, ==, "word/document.xml");
	g_assert_false(has_bytes(out, "city.example.lg.jp"));
	g_byte_array_unref(out);
}

static void
test_part_limit(void)
{
	GByteArray *out = NULL;
	g_autoptr(cdr_report) r = run_with_config("[office]\nmax_xml_part_bytes = 1K\n"
						  "[limits]\nmax_expanded_bytes = 300\n", &out);
	g_assert_cmpint(r->verdict, ==, CDR_BLOCKED);
	g_assert_cmpint(r->error, ==, CDR_E_LIMIT);
	g_assert_null(out);
}

/* A second relationship to a kept part, of a type that would never have
 * kept it, goes: the styles part stays, no vbaProject relationship. */
static void
test_second_way_to_a_part(void)
{
	GByteArray *out = NULL;
	g_autoptr(cdr_report) r = run_with(
		"", "<Relationship Id=\"rIdV\" Type=\"http://schemas.microsoft.com/office/2006/"
		    "relationships/vbaProject\" Target=\"styles.xml\"/>", &out);
	g_assert_cmpint(r->verdict, ==, CDR_SANITIZED);
	g_assert_nonnull(out);
	g_assert_true(has_bytes(out, "rIdS"));
	g_assert_false(has_bytes(out, "vbaProject"));
	g_assert_false(has_bytes(out, "rIdV"));
	g_assert_cmpstr(((const struct cdr_action *)r->actions->pdata[0])->what, ==, CDR_ACT_MACRO);
	g_byte_array_unref(out);
}

/* Fields in a body, disarmed; returns the body text left. */
static char *
disarm(const char *body, unsigned *count)
{
	g_autofree char *xml = g_strdup_printf("<w:document " W_NS "><w:body>%s</w:body>"
					       "</w:document>", body);
	const char *why = NULL;
	xmlDoc *doc = ooxml_xml_parse((const guint8 *)xml, strlen(xml), &why);
	g_assert_nonnull(doc);
	g_autoptr(cdr_policy) p = cdr_policy_new_default();
	struct ooxml_field_counts counts;
	ooxml_fields_disarm(p, xmlDocGetRootElement(doc), &counts);
	*count = counts.n[OFFICE_FIELD_REMOVED];
	GByteArray *b = g_byte_array_new();
	ooxml_xml_write(doc, b);
	xmlFreeDoc(doc);
	g_byte_array_append(b, (const guint8 *)"", 1);
	return (char *)g_byte_array_free(b, FALSE);
}

#define BEGIN "<w:r><w:fldChar w:fldCharType=\"begin\"/></w:r>"
#define SEP "<w:r><w:fldChar w:fldCharType=\"separate\"/></w:r>"
#define END "<w:r><w:fldChar w:fldCharType=\"end\"/></w:r>"
#define INSTR(t) "<w:r><w:instrText>" t "</w:instrText></w:r>"
#define TEXT(t) "<w:r><w:t>" t "</w:t></w:r>"

static void
test_fields(void)
{
	unsigned n;
	/* split over runs and paragraphs */
	g_autofree char *a = disarm("<w:p>" BEGIN INSTR(" D") "</w:p><w:p>" INSTR("DEAUTO cmd MARK")
				    SEP TEXT("SHOWN") END "</w:p>", &n);
	g_assert_cmpuint(n, ==, 1);
	g_assert_null(strstr(a, "MARK"));
	g_assert_null(strstr(a, "fldChar"));
	g_assert_nonnull(strstr(a, "SHOWN"));
	/* the keyword made by a nested field */
	g_autofree char *b = disarm("<w:p>" BEGIN BEGIN INSTR("QUOTE \"DDEAUTO\"") SEP TEXT("DDEAUTO")
				    END INSTR(" cmd NESTMARK") SEP TEXT("SHOWN2") END "</w:p>", &n);
	g_assert_cmpuint(n, ==, 1);
	g_assert_null(strstr(b, "NESTMARK"));
	g_assert_null(strstr(b, "QUOTE"));
	g_assert_nonnull(strstr(b, "SHOWN2"));
	/* a harmless field inside a harmless one stays whole */
	g_autofree char *c = disarm("<w:p>" BEGIN INSTR(" IF ") BEGIN INSTR(" MERGEFIELD x ") SEP
				    TEXT("v") END INSTR(" = 1 \"y\" ") SEP TEXT("KEPT") END "</w:p>",
				    &n);
	g_assert_cmpuint(n, ==, 0);
	g_assert_nonnull(strstr(c, "MERGEFIELD"));
	/* fldSimple, and a field never closed */
	g_autofree char *d = disarm("<w:p><w:fldSimple w:instr=\" IMPORT http://x/y \">" TEXT("SIMPLE")
				    "</w:fldSimple>" BEGIN INSTR(" INCLUDETEXT \\\\\\\\host\\\\s OPEN")
				    "</w:p>", &n);
	g_assert_cmpuint(n, ==, 2);
	g_assert_null(strstr(d, "fldSimple"));
	g_assert_null(strstr(d, "OPEN"));
	g_assert_nonnull(strstr(d, "SIMPLE"));
}

static void
test_dtd_refused(void)
{
	const char *bomb = "<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY a \"aaaa\"><!ENTITY b "
			   "\"&a;&a;&a;&a;\">]><d>&b;</d>";
	const char *why = NULL;
	g_assert_null(ooxml_xml_parse((const guint8 *)bomb, strlen(bomb), &why));
	g_assert_nonnull(strstr(why, "document type declaration"));
}

/* An xlsx whose worksheet deflates to well over the reader's 4 MB release
 * step (pseudo-random numbers do not compress much). */
static GByteArray *
big_xlsx(void)
{
	GByteArray *b = g_byte_array_new();
	struct zip_writer *w = zip_writer_new(b);
	add(w, "[Content_Types].xml",
	    "<Types xmlns=\"" NS_CT "\"><Default Extension=\"rels\" ContentType=\"application/"
	    "vnd.openxmlformats-package.relationships+xml\"/><Override PartName=\"/xl/workbook.xml\" "
	    "ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+"
	    "xml\"/><Override PartName=\"/xl/s.xml\" ContentType=\"application/vnd."
	    "openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/></Types>");
	add(w, "_rels/.rels",
	    "<Relationships xmlns=\"" NS_REL "\"><Relationship Id=\"rId1\" Type=\"http://schemas."
	    "openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/"
	    "workbook.xml\"/></Relationships>");
	add(w, "xl/workbook.xml",
	    "<workbook xmlns=\"" NS_S "\" xmlns:r=\"" NS_R "\"><sheets><sheet name=\"a\" "
	    "sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>");
	add(w, "xl/_rels/workbook.xml.rels",
	    "<Relationships xmlns=\"" NS_REL "\"><Relationship Id=\"rId1\" Type=\"http://schemas."
	    "openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"s.xml\"/>"
	    "</Relationships>");
	zip_writer_begin(w, "xl/s.xml", FALSE);
	write_text(w, "<worksheet xmlns=\"" NS_S "\"><sheetData>");
	GRand *rand = g_rand_new_with_seed(7);
	for (unsigned row = 1; row <= 260000; row++) {
		char line[256];
		g_snprintf(line, sizeof line, "<row r=\"%u\"><c r=\"A%u\"><v>%u</v></c><c r=\"B%u\">"
			   "<v>%u.%u</v></c><c r=\"C%u\"><v>%u</v></c></row>", row, row,
			   g_rand_int(rand), row, g_rand_int(rand), g_rand_int(rand), row,
			   g_rand_int(rand));
		write_text(w, line);
	}
	g_rand_free(rand);
	write_text(w, "</sheetData></worksheet>");
	g_assert_true(zip_writer_end(w));
	g_assert_true(zip_writer_finish(w));
	return b;
}

static GByteArray *
run_engine(const guint8 *data, gsize len, gboolean mapped)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(cdr_policy) p = cdr_policy_new_default();
	struct cdr_engine *e = cdr_engine_new(p, NULL, &error);
	g_assert_no_error(error);
	cdr_engine_set_input_mapped(e, mapped);
	GByteArray *out = NULL;
	g_autoptr(cdr_report) r = cdr_engine_run(e, data, len, "big.xlsx", &out);
	g_assert_cmpint(r->verdict, ==, CDR_CLEAN);
	cdr_engine_free(e);
	return out;
}

/* With the input mapped from a file, the reader lets the worksheet's pages
 * go as it reads; the output must be the same as from a heap buffer. */
static void
test_release_input(void)
{
	GByteArray *doc = big_xlsx();
	g_assert_cmpuint(doc->len, >, 8 * 1024 * 1024);
	g_autofree char *path = NULL;
	int fd = g_file_open_tmp("test-ooxml-XXXXXX.xlsx", &path, NULL);
	g_assert_cmpint(fd, >=, 0);
	g_assert_cmpint(write(fd, doc->data, doc->len), ==, (gssize)doc->len);
	void *map = mmap(NULL, doc->len, PROT_READ, MAP_PRIVATE, fd, 0);
	g_assert_true(map != MAP_FAILED);
	GByteArray *from_heap = run_engine(doc->data, doc->len, FALSE);
	GByteArray *from_map = run_engine(map, doc->len, TRUE);
	g_assert_cmpmem(from_map->data, from_map->len, from_heap->data, from_heap->len);
	/* and the mapping still reads as the file */
	g_assert_cmpmem(map, doc->len, doc->data, doc->len);
	munmap(map, doc->len);
	close(fd);
	g_unlink(path);
	g_byte_array_unref(from_heap);
	g_byte_array_unref(from_map);
	g_byte_array_unref(doc);
}

/* The formula judge on the shapes attackers write and the ones ordinary
 * workbooks hold. */
static void
test_formula_judge(void)
{
	static const struct {
		const char *formula;
		enum ooxml_formula_risk risk;
	} cases[] = {
		{ "SUM(B2:B3)", FORMULA_SAFE },
		{ "IF(A1>0,\"a|b\",\"[1]x\")", FORMULA_SAFE },
		{ "\"say \"\"|\"\" twice\"", FORMULA_SAFE },
		{ "'Sheet 1'!A1+'it''s'!B2", FORMULA_SAFE },
		{ "'a|b'!A1", FORMULA_SAFE },
		{ "Table1[[#This Row],[Col]]*2", FORMULA_SAFE },
		{ "Table1[Col'[x']]", FORMULA_SAFE },
		{ "[@Qty]*[@Price]", FORMULA_SAFE },
		{ "SUM(Table1[Amount])", FORMULA_SAFE },
		{ "{1,2;\"|\",4}", FORMULA_SAFE },
		{ "#REF!+#N/A", FORMULA_SAFE },
		{ "_xlfn.FILTERXML(\"<a>1</a>\",\"//a\")", FORMULA_SAFE },
		{ "HYPERLINK(\"https://www.example.jp/\",\"x\")", FORMULA_SAFE },
		{ "HYPERLINK( \"mailto:a@example.jp\" )", FORMULA_SAFE },
		{ "HYPERLINK(\"#Sheet2!A1\",\"jump\")", FORMULA_SAFE },
		{ "予算!A1*2", FORMULA_SAFE },
		{ "Sheet1:Sheet3!A1", FORMULA_SAFE },
		{ "HYPERLINKS(1)", FORMULA_SAFE },
		{ "cmd|' /c calc'!A0", FORMULA_DDE },
		{ "=cmd|' /c calc'!A0", FORMULA_DDE },
		{ "'cmd'|'x'!A0", FORMULA_DDE },
		{ "cmd  |'x'!A0", FORMULA_DDE },
		{ "SUM(1)+MSEXCEL|'x'!''", FORMULA_DDE },
		{ "a|b", FORMULA_DDE },
		{ "[1]Sheet1!A1", FORMULA_EXTERNAL },
		{ "SUM([1]Sheet1!A1:A3)", FORMULA_EXTERNAL },
		{ "[1]!Name", FORMULA_EXTERNAL },
		{ "[book.xlsx]Sheet1!A1", FORMULA_EXTERNAL },
		{ "'[book.xlsx]Sheet1'!A1", FORMULA_EXTERNAL },
		{ "'C:\\dir\\[book.xlsx]Sheet1'!A1", FORMULA_EXTERNAL },
		{ "'\\\\host\\share\\[x.xls]S'!A1", FORMULA_EXTERNAL },
		{ "\\\\host\\share\\x", FORMULA_EXTERNAL },
		{ "'http://h/[b.xlsx]S'!A1", FORMULA_EXTERNAL },
		{ "[book.xlsx]Table1[Col]", FORMULA_EXTERNAL },
		{ "WEBSERVICE(\"http://x\")", FORMULA_FETCH },
		{ "_xlfn.WEBSERVICE(\"http://x\")", FORMULA_FETCH },
		{ "_xlfn._xlws.webservice (A1)", FORMULA_FETCH },
		{ "@WEBSERVICE(A1)", FORMULA_FETCH },
		{ "_xlfn.IMAGE(\"https://x/p.png\")", FORMULA_FETCH },
		{ "RTD(\"srv\",,\"t\")", FORMULA_FETCH },
		{ "FILTERXML(WEBSERVICE(A1),\"//a\")", FORMULA_FETCH },
		{ "_xlfn.TRANSLATE(A1,\"ja\",\"en\")", FORMULA_FETCH },
		{ "_xlfn.DETECTLANGUAGE(A1)", FORMULA_FETCH },
		{ "_xlfn.COPILOT(\"x\",A1:A3)", FORMULA_FETCH },
		{ "SQL.REQUEST(\"DSN=x\",,2,\"q\")", FORMULA_FETCH },
		{ "_xlfn._xlws.PY(\"import os\",0)", FORMULA_CODE },
		{ "CALL(\"urlmon\",\"URLDownloadToFileA\",\"JJCCJJ\",0,A1,A2,0,0)", FORMULA_CODE },
		{ "REGISTER(\"kernel32\",\"WinExec\",\"JCJ\")", FORMULA_CODE },
		{ "register.id(\"k\",\"f\")", FORMULA_CODE },
		{ "EXEC(\"calc\")", FORMULA_CODE },
		{ "_xludf.CALL(1)", FORMULA_CODE },
		{ "HYPERLINK(\"file:///C:/x.exe\")", FORMULA_LINK },
		{ "HYPERLINK(A1)", FORMULA_LINK },
		{ "HYPERLINK(\"http://\"&A1)", FORMULA_LINK },
		{ "HYPERLINK(\"\\\\host\\s\")", FORMULA_LINK },
		{ "HYPERLINK(\"#'[x.xlsx]S'!A1\")", FORMULA_LINK },
		{ "HYPERLINK(\"javascript:x\")", FORMULA_LINK },
		{ "\"open", FORMULA_UNREADABLE },
		{ "'open!A1", FORMULA_UNREADABLE },
		{ "Table1[Col", FORMULA_UNREADABLE },
		{ "A1]", FORMULA_UNREADABLE },
	};
	g_autoptr(cdr_policy) policy = cdr_policy_new_default();
	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		const char *f = cases[i].formula;
		enum ooxml_formula_risk got = ooxml_formula_judge(policy, f, strlen(f));
		if (got != cases[i].risk)
			g_error("%s: judged %d, want %d", f, got, cases[i].risk);
	}
	/* the link rule is the policy's: [links] schemes, [office] neutralize_links */
	static const char mailto[] = "HYPERLINK(\"mailto:a@example.jp\")";
	static const char web[] = "HYPERLINK(\"https://www.example.jp/\")";
	static const char only_https[] = "[links]\nschemes = https\n";
	static const char neutral[] = "[office]\nneutralize_links = true\n";
	g_autoptr(GError) error = NULL;
	g_autoptr(cdr_policy) https = cdr_policy_load_data(only_https, strlen(only_https), "t", &error);
	g_assert_no_error(error);
	g_assert_cmpint(ooxml_formula_judge(https, mailto, strlen(mailto)), ==, FORMULA_LINK);
	g_assert_cmpint(ooxml_formula_judge(https, web, strlen(web)), ==, FORMULA_SAFE);
	g_autoptr(cdr_policy) none = cdr_policy_load_data(neutral, strlen(neutral), "t", &error);
	g_assert_no_error(error);
	g_assert_cmpint(ooxml_formula_judge(none, web, strlen(web)), ==, FORMULA_LINK);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ooxml/links-kept", test_links_kept_by_default);
	g_test_add_func("/ooxml/neutralize-links", test_neutralize_links);
	g_test_add_func("/ooxml/part-limit", test_part_limit);
	g_test_add_func("/ooxml/second-way-to-a-part", test_second_way_to_a_part);
	g_test_add_func("/ooxml/fields", test_fields);
	g_test_add_func("/ooxml/dtd-refused", test_dtd_refused);
	g_test_add_func("/ooxml/release-input", test_release_input);
	g_test_add_func("/ooxml/formula-judge", test_formula_judge);
	return g_test_run();
}
