/*
 * NAME
 *	fuzz-ooxml - libFuzzer target: the ooxml handler through the whole engine
 * DESCRIPTION
 *	A zip (input starting with "PK") goes in as it is. Anything else is
 *	the XML of a part: it is wrapped, with valid CRCs, as the body of a
 *	Word document and as the workbook, worksheet and shared strings of an
 *	Excel one, so the fuzzer reaches the XML rules (fields, formulas,
 *	defined names, the streamed rewrite, Strict namespaces) instead of
 *	stopping at a CRC. The body and the sheet have a kept web link (rId3,
 *	rId1) and the body a styles part (rId4), for the rules that judge
 *	each use of a relationship.
 */
#include <string.h>

#include "fuzz-common.h"
#include "ooxml.h"

#define CT_HEAD "<Types xmlns=\"" NS_CT "\"><Default Extension=\"rels\" ContentType=\"application/" \
		"vnd.openxmlformats-package.relationships+xml\"/>"
#define OXML "application/vnd.openxmlformats-officedocument."
#define RELS_HEAD "<Relationships xmlns=\"" NS_REL "\">"
/* A web link kept for hyperlinks: the rules judge every other use of it. */
#define HYPERLINK(id) "<Relationship Id=\"" id "\" Type=\"http://schemas.openxmlformats.org/" \
		      "officeDocument/2006/relationships/hyperlink\" Target=\"https://x.example/\" " \
		      "TargetMode=\"External\"/>"
#define REL(id, type, target) "<Relationship Id=\"" id "\" Type=\"http://schemas.openxmlformats." \
			      "org/officeDocument/2006/relationships/" type "\" Target=\"" target "\"/>"

static void
add(struct zip_writer *w, const char *name, const void *data, gsize len)
{
	zip_writer_begin(w, name, FALSE);
	zip_writer_write(w, data, len);
	zip_writer_end(w);
}

static void
add_text(struct zip_writer *w, const char *name, const char *text)
{
	add(w, name, text, strlen(text));
}

static void
run_word(const uint8_t *xml, size_t size)
{
	GByteArray *doc = g_byte_array_new();
	struct zip_writer *w = zip_writer_new(doc);
	add_text(w, "[Content_Types].xml",
		 CT_HEAD "<Override PartName=\"/word/document.xml\" ContentType=\"" OXML
			 "wordprocessingml.document.main+xml\"/><Override PartName=\"/word/s.xml\" "
			 "ContentType=\"" OXML "wordprocessingml.styles+xml\"/></Types>");
	add_text(w, "_rels/.rels", RELS_HEAD REL("rId1", "officeDocument", "word/document.xml")
					   "</Relationships>");
	add(w, "word/document.xml", xml, size);
	add_text(w, "word/_rels/document.xml.rels",
		 RELS_HEAD "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/"
			   "officeDocument/2006/relationships/oleObject\" Target=\"mhtml:http://x/!y\" "
			   "TargetMode=\"External\"/>" HYPERLINK("rId3") REL("rId4", "styles", "s.xml")
			   "</Relationships>");
	add_text(w, "word/s.xml", "<w:styles xmlns:w=\"" NS_W "\"/>");
	if (zip_writer_finish(w))
		fuzz_engine_run(doc->data, doc->len, "fuzz.docx");
	g_byte_array_free(doc, TRUE);
}

static void
run_excel(const uint8_t *xml, size_t size)
{
	GByteArray *doc = g_byte_array_new();
	struct zip_writer *w = zip_writer_new(doc);
	add_text(w, "[Content_Types].xml",
		 CT_HEAD "<Override PartName=\"/xl/workbook.xml\" ContentType=\"" OXML
			 "spreadsheetml.sheet.main+xml\"/><Override PartName=\"/xl/s.xml\" "
			 "ContentType=\"" OXML "spreadsheetml.worksheet+xml\"/><Override PartName=\"/xl/"
			 "t.xml\" ContentType=\"" OXML "spreadsheetml.sharedStrings+xml\"/><Override "
			 "PartName=\"/xl/m.xml\" ContentType=\"application/vnd.ms-excel.macrosheet+xml\"/>"
			 "</Types>");
	add_text(w, "_rels/.rels", RELS_HEAD REL("rId1", "officeDocument", "xl/workbook.xml")
					   "</Relationships>");
	add(w, "xl/workbook.xml", xml, size);
	add_text(w, "xl/_rels/workbook.xml.rels",
		 RELS_HEAD REL("rId1", "worksheet", "s.xml") REL("rId2", "sharedStrings", "t.xml")
			 "<Relationship Id=\"rId3\" Type=\"http://schemas.microsoft.com/office/2006/"
			 "relationships/xlMacrosheet\" Target=\"m.xml\"/></Relationships>");
	add(w, "xl/s.xml", xml, size);
	add_text(w, "xl/_rels/s.xml.rels", RELS_HEAD HYPERLINK("rId1") "</Relationships>");
	add(w, "xl/t.xml", xml, size);
	add(w, "xl/m.xml", xml, size);
	if (zip_writer_finish(w))
		fuzz_engine_run(doc->data, doc->len, "fuzz.xlsx");
	g_byte_array_free(doc, TRUE);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size >= 2 && memcmp(data, "PK", 2) == 0) {
		fuzz_engine_run(data, size, "fuzz.docx");
		return 0;
	}
	run_word(data, size);
	run_excel(data, size);
	return 0;
}
