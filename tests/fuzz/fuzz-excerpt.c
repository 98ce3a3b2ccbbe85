/*
 * NAME
 *	fuzz-excerpt - libFuzzer target: attachment text excerpts of mail
 *	text mode, through the mail handler and the engine
 * DESCRIPTION
 *	The first byte chooses what the rest is: 'p' a PDF, 'z' a docx/xlsx/
 *	pptx package as it is, 'w' the XML of word/document.xml, 's' the XML
 *	of both the shared strings and the worksheet of an xlsx, 'd' the XML
 *	of a pptx slide, 'r' an RTF document, 'm' an Outlook item (.msg),
 *	anything else a text file. The file goes into a message as a base64
 *	attachment, and the message through the engine with the default
 *	policy (text mode, attachment_text = excerpt), so the excerpt readers
 *	(poppler, the OOXML streams, the .msg reader, the text decoder) and
 *	the excerpt section of the mail are what gets exercised.
 */
#include <string.h>

#include "fuzz-common.h"
#include "ooxml.h"

static void
add(struct zip_writer *w, const char *name, const void *data, gsize len)
{
	zip_writer_begin(w, name, FALSE);
	zip_writer_write(w, data, len);
	zip_writer_end(w);
}

/* A package whose parts named in `parts` all hold `xml`. */
static GByteArray *
package(const char *const *parts, const uint8_t *xml, size_t size)
{
	GByteArray *doc = g_byte_array_new();
	struct zip_writer *w = zip_writer_new(doc);
	static const char ct[] = "<Types xmlns=\"" NS_CT "\"/>";
	add(w, "[Content_Types].xml", ct, strlen(ct));
	for (; *parts; parts++) {
		gboolean marker = strchr(*parts, '!') != NULL; /* the part that says the kind */
		if (marker)
			add(w, *parts + 1, "<x/>", 4);
		else
			add(w, *parts, xml, size);
	}
	zip_writer_finish(w);
	return doc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const word[] = { "word/document.xml", NULL };
	static const char *const sheet[] = { "!xl/workbook.xml", "xl/sharedStrings.xml",
					     "xl/worksheets/sheet1.xml", NULL };
	static const char *const slides[] = { "!ppt/presentation.xml", "ppt/slides/slide1.xml",
					      NULL };
	if (size < 1)
		return 0;
	char kind = (char)data[0];
	data++, size--;
	GByteArray *file = NULL;
	const char *name = "fuzz.txt";
	if (kind == 'w' || kind == 's' || kind == 'd') {
		file = package(kind == 'w' ? word : kind == 's' ? sheet : slides, data, size);
		name = kind == 'w' ? "fuzz.docx" : kind == 's' ? "fuzz.xlsx" : "fuzz.pptx";
	} else {
		file = g_byte_array_new();
		g_byte_array_append(file, data, (guint)size);
		name = kind == 'p'   ? "fuzz.pdf"
		       : kind == 'z' ? "fuzz.docx"
		       : kind == 'r' ? "fuzz.rtf"
		       : kind == 'm' ? "fuzz.msg"
				     : "fuzz.txt";
	}
	g_autofree char *b64 = g_base64_encode(file->data, file->len);
	g_byte_array_unref(file);
	GString *mail = g_string_new("From: a@example.jp\r\nTo: b@example.lg.jp\r\nSubject: x\r\n"
				     "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; "
				     "boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n"
				     "body\r\n--b\r\nContent-Type: application/octet-stream\r\n"
				     "Content-Transfer-Encoding: base64\r\nContent-Disposition: "
				     "attachment; filename=\"");
	g_string_append_printf(mail, "%s\"\r\n\r\n", name);
	for (const char *p = b64; *p; p += MIN(strlen(p), 76)) {
		g_string_append_len(mail, p, (gssize)MIN(strlen(p), 76));
		g_string_append(mail, "\r\n");
	}
	g_string_append(mail, "--b--\r\n");
	fuzz_engine_run((const uint8_t *)mail->str, mail->len, "fuzz.eml");
	g_string_free(mail, TRUE);
	return 0;
}
