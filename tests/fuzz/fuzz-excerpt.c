/*
 * NAME
 *	fuzz-excerpt - libFuzzer target: attachment text excerpts of mail
 *	text mode, through the mail handler and the engine
 * DESCRIPTION
 *	The first byte chooses what the rest is: 'p' a PDF, 'z' a docx/xlsx/
 *	pptx package as it is, 'w' the XML of word/document.xml, 's' the XML
 *	of both the shared strings and the worksheet of an xlsx, 'd' the XML
 *	of a pptx slide, 'r' an RTF document, 'm' an Outlook item (.msg),
 *	'o' a legacy .doc/.xls/.ppt compound file, 'X' an .xls's Workbook stream, 'P' a .ppt's
 *	"PowerPoint Document" stream after the 4-byte offset of the current
 *	edit (the Current User stream is made from it), 'W' a .doc's
 *	WordDocument stream after its 4-byte length, the table stream (both
 *	0Table and 1Table) after it; the streams are written into a compound
 *	file with libgsf, so the readers behind the container check are
 *	reached. Anything else is a text file. The file goes into a
 *	message as a base64 attachment, and the message through the engine
 *	with the default policy (text mode, attachment_text = excerpt), so the
 *	excerpt readers (poppler, the OOXML streams, the legacy and .msg
 *	readers, the text decoder) and the excerpt section of the mail are
 *	what gets exercised.
 */
#include <string.h>

#include <gsf/gsf-outfile-msole.h>
#include <gsf/gsf-outfile.h>
#include <gsf/gsf-output-memory.h>

#include "fuzz-common.h"
#include "ole2.h"
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

struct stream {
	const char *name;
	const guint8 *data;
	gsize len;
};

/* A compound file holding `streams` (n of them). */
static GByteArray *
compound(const struct stream *streams, unsigned n)
{
	GByteArray *out = g_byte_array_new();
	GsfOutput *mem = gsf_output_memory_new();
	GsfOutfile *ole = gsf_outfile_msole_new(mem);
	for (unsigned i = 0; i < n; i++) {
		GsfOutput *child = gsf_outfile_new_child(ole, streams[i].name, FALSE);
		gsf_output_write(child, streams[i].len, streams[i].data);
		gsf_output_close(child);
		g_object_unref(child);
	}
	gsf_output_close(GSF_OUTPUT(ole));
	g_object_unref(ole);
	if (!gsf_output_is_closed(mem))
		gsf_output_close(mem);
	const guint8 *b = gsf_output_memory_get_bytes(GSF_OUTPUT_MEMORY(mem));
	if (b)
		g_byte_array_append(out, b, (guint)gsf_output_size(mem));
	g_object_unref(mem);
	return out;
}

/* 'X', 'P', 'W': see the top. */
static GByteArray *
legacy(char kind, const uint8_t *data, size_t size)
{
	guint8 user[28] = { 0 };
	if (kind == 'X') {
		struct stream s[] = { { "Workbook", data, size } };
		return compound(s, 1);
	}
	if (size < 4)
		return NULL;
	guint32 first = ole2_u32(data);
	data += 4, size -= 4;
	if (kind == 'P') {
		/* CurrentUserAtom: header, size 0x14, token, offsetToCurrentEdit */
		static const guint8 head[] = { 0, 0, 0xF6, 0x0F, 20, 0, 0, 0, 20, 0, 0, 0,
					       0x5F, 0xC0, 0x91, 0xE3 };
		memcpy(user, head, sizeof head);
		memcpy(user + 16, &first, 4); /* little-endian hosts only: a fuzzer */
		struct stream s[] = { { "PowerPoint Document", data, size },
				      { "Current User", user, sizeof user } };
		return compound(s, 2);
	}
	gsize split = MIN((gsize)first, size);
	struct stream s[] = { { "WordDocument", data, split },
			      { "0Table", data + split, size - split },
			      { "1Table", data + split, size - split } };
	return compound(s, 3);
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
	if (kind == 'X' || kind == 'P' || kind == 'W') {
		file = legacy(kind, data, size);
		if (!file)
			return 0;
		name = kind == 'X' ? "fuzz.xls" : kind == 'P' ? "fuzz.ppt" : "fuzz.doc";
	} else if (kind == 'w' || kind == 's' || kind == 'd') {
		file = package(kind == 'w' ? word : kind == 's' ? sheet : slides, data, size);
		name = kind == 'w' ? "fuzz.docx" : kind == 's' ? "fuzz.xlsx" : "fuzz.pptx";
	} else {
		file = g_byte_array_new();
		g_byte_array_append(file, data, (guint)size);
		name = kind == 'p'   ? "fuzz.pdf"
		       : kind == 'z' ? "fuzz.docx"
		       : kind == 'r' ? "fuzz.rtf"
		       : kind == 'o' ? "fuzz.doc"
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
