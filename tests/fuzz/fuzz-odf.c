/*
 * NAME
 *	fuzz-odf - libFuzzer target: the odf handler through the whole engine
 * DESCRIPTION
 *	A zip (input starting with "PK") goes in as it is, as an .odt. Anything
 *	else is XML: it goes in as a flat document (.fodt), and wrapped, with
 *	valid CRCs, as the content.xml of a text document that also holds a
 *	picture (Pictures/p.png) and an embedded chart (Object 1/), so the
 *	fuzzer reaches the XML rules, the references to pictures and objects
 *	and the chart's own part instead of stopping at a CRC.
 */
#include <string.h>

#include "fuzz-common.h"
#include "package.h"

#define OFFICE_NS "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
#define CHART_DOC                                                                               \
	"<office:document-content xmlns:office=\"" OFFICE_NS "\" xmlns:chart=\"urn:oasis:names:"  \
	"tc:opendocument:xmlns:chart:1.0\" xmlns:xlink=\"http://www.w3.org/1999/xlink\">"         \
	"<office:body><office:chart><chart:chart xlink:href=\"..\"/></office:chart></office:body>" \
	"</office:document-content>"
#define MANIFEST                                                                                 \
	"<manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\">" \
	"<manifest:file-entry manifest:full-path=\"/\" manifest:media-type=\"application/vnd."      \
	"oasis.opendocument.text\"/><manifest:file-entry manifest:full-path=\"Object 1/\" "         \
	"manifest:media-type=\"application/vnd.oasis.opendocument.chart\"/></manifest:manifest>"

static void
add(struct zip_writer *w, const char *name, const void *data, gsize len)
{
	zip_writer_begin(w, name, FALSE);
	zip_writer_write(w, data, len);
	zip_writer_end(w);
}

static void
run_package(const uint8_t *xml, size_t size)
{
	static const char mimetype[] = "application/vnd.oasis.opendocument.text";
	GByteArray *doc = g_byte_array_new();
	struct zip_writer *w = zip_writer_new(doc);
	zip_writer_begin_stored(w, "mimetype");
	zip_writer_write(w, mimetype, strlen(mimetype));
	zip_writer_end(w);
	add(w, "content.xml", xml, size);
	add(w, "Object 1/content.xml", CHART_DOC, strlen(CHART_DOC));
	add(w, "Pictures/p.png", package_empty_png, package_empty_png_len);
	add(w, "META-INF/manifest.xml", MANIFEST, strlen(MANIFEST));
	if (zip_writer_finish(w))
		fuzz_engine_run(doc->data, doc->len, "fuzz.odt");
	g_byte_array_free(doc, TRUE);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size >= 2 && memcmp(data, "PK", 2) == 0) {
		fuzz_engine_run(data, size, "fuzz.odt");
		return 0;
	}
	fuzz_engine_run(data, size, "fuzz.fodt");
	run_package(data, size);
	return 0;
}
