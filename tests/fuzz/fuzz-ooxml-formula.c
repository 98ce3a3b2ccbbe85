/*
 * NAME
 *	fuzz-ooxml-formula - libFuzzer target: the spreadsheet formula judge
 * DESCRIPTION
 *	The input is one formula. It is judged on its own (any bytes, NULs
 *	included), then written, escaped, into every place a workbook holds
 *	formulas - a cell, a shared-formula master and its follower, a
 *	conditional format, a data validation, a defined name and a chart
 *	series - and the workbook goes through the whole engine, so the
 *	removals (rule, validation, name, chart literals) run on what the
 *	judge refuses.
 */
#include <string.h>

#include "fuzz-common.h"
#include "ooxml.h"
#include "policy.h"

#define OXML "application/vnd.openxmlformats-officedocument."
#define RELS_HEAD "<Relationships xmlns=\"" NS_REL "\">"
#define REL(id, type, target) "<Relationship Id=\"" id "\" Type=\"http://schemas.openxmlformats." \
			      "org/officeDocument/2006/relationships/" type "\" Target=\"" target "\"/>"

static void
add(struct zip_writer *w, const char *name, const char *text)
{
	zip_writer_begin(w, name, FALSE);
	zip_writer_write(w, text, strlen(text));
	zip_writer_end(w);
}

static char *
fill(const char *pattern, const char *f)
{
	g_auto(GStrv) pieces = g_strsplit(pattern, "@F@", -1);
	return g_strjoinv(f, pieces);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cdr_policy *policy;
	if (!policy)
		policy = cdr_policy_new_default();
	(void)ooxml_formula_judge(policy, (const char *)data, size);
	if (!g_utf8_validate((const char *)data, (gssize)size, NULL) || memchr(data, 0, size))
		return 0;
	g_autofree char *raw = g_strndup((const char *)data, size);
	GString *esc = g_string_new(NULL);
	ooxml_xml_escape(esc, (const xmlChar *)raw, FALSE);
	g_autofree char *f = g_string_free(esc, FALSE);
	g_autofree char *sheet = fill(
		"<worksheet xmlns=\"" NS_S "\" xmlns:r=\"" NS_R "\"><sheetData><row r=\"1\"><c r=\"A1\">"
		"<f>@F@</f><v>1</v></c><c r=\"B1\"><f t=\"shared\" ref=\"B1:B2\" si=\"0\">@F@</f><v>2</v>"
		"</c></row><row r=\"2\"><c r=\"B2\"><f t=\"shared\" si=\"0\"/><v>3</v></c></row>"
		"</sheetData><conditionalFormatting sqref=\"A1\"><cfRule type=\"expression\" "
		"priority=\"1\"><formula>@F@</formula></cfRule></conditionalFormatting><dataValidations "
		"count=\"1\"><dataValidation type=\"list\" sqref=\"C1\"><formula1>@F@</formula1>"
		"</dataValidation></dataValidations><drawing r:id=\"rId1\"/></worksheet>", f);
	g_autofree char *book = fill(
		"<workbook xmlns=\"" NS_S "\" xmlns:r=\"" NS_R "\"><sheets><sheet name=\"S\" sheetId=\"1\" "
		"r:id=\"rId1\"/></sheets><definedNames><definedName name=\"N\">@F@</definedName>"
		"</definedNames></workbook>", f);
	g_autofree char *chart = fill(
		"<c:chartSpace xmlns:c=\"" NS_C "\"><c:chart><c:title><c:tx><c:strRef><c:f>@F@</c:f>"
		"</c:strRef></c:tx></c:title><c:plotArea><c:barChart><c:ser><c:tx><c:strRef><c:f>@F@"
		"</c:f></c:strRef></c:tx><c:cat><c:multiLvlStrRef><c:f>@F@</c:f></c:multiLvlStrRef>"
		"</c:cat><c:val><c:numRef><c:f>@F@</c:f><c:numCache><c:ptCount val=\"1\"/><c:pt idx=\"0\">"
		"<c:v>1</c:v></c:pt></c:numCache><c:extLst/></c:numRef></c:val></c:ser></c:barChart>"
		"</c:plotArea></c:chart></c:chartSpace>", f);
	GByteArray *doc = g_byte_array_new();
	struct zip_writer *w = zip_writer_new(doc);
	add(w, "[Content_Types].xml",
	    "<Types xmlns=\"" NS_CT "\"><Default Extension=\"rels\" ContentType=\"application/"
	    "vnd.openxmlformats-package.relationships+xml\"/><Override PartName=\"/xl/workbook.xml\" "
	    "ContentType=\"" OXML "spreadsheetml.sheet.main+xml\"/><Override PartName=\"/xl/s.xml\" "
	    "ContentType=\"" OXML "spreadsheetml.worksheet+xml\"/><Override PartName=\"/xl/d.xml\" "
	    "ContentType=\"" OXML "drawing+xml\"/><Override PartName=\"/xl/c.xml\" ContentType=\"" OXML
	    "drawingml.chart+xml\"/></Types>");
	add(w, "_rels/.rels", RELS_HEAD REL("rId1", "officeDocument", "xl/workbook.xml")
				      "</Relationships>");
	add(w, "xl/workbook.xml", book);
	add(w, "xl/_rels/workbook.xml.rels", RELS_HEAD REL("rId1", "worksheet", "s.xml")
						     "</Relationships>");
	add(w, "xl/s.xml", sheet);
	add(w, "xl/_rels/s.xml.rels", RELS_HEAD REL("rId1", "drawing", "d.xml") "</Relationships>");
	add(w, "xl/d.xml",
	    "<xdr:wsDr xmlns:xdr=\"http://schemas.openxmlformats.org/drawingml/2006/"
	    "spreadsheetDrawing\" xmlns:c=\"" NS_C "\" xmlns:r=\"" NS_R "\"><c:chart r:id=\"rId1\"/>"
	    "</xdr:wsDr>");
	add(w, "xl/_rels/d.xml.rels", RELS_HEAD REL("rId1", "chart", "c.xml") "</Relationships>");
	add(w, "xl/c.xml", chart);
	if (zip_writer_finish(w))
		fuzz_engine_run(doc->data, doc->len, "fuzz.xlsx");
	g_byte_array_free(doc, TRUE);
	return 0;
}
