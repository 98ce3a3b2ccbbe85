/*
 * NAME
 *	excerpt-text.c - the text of a plain text or CSV file
 * SUMMARY
 *	The beginning of the file (at most 256 KiB, cut at a line end) decoded
 *	from the charset detection finds (UTF-8, UTF-16 with its BOM,
 *	Shift_JIS/CP932, EUC-JP, ISO-2022-JP); bytes that are not text in any
 *	of them give no excerpt. Text with stray control characters (terminal
 *	escapes, which the text handler refuses) is read without them: the
 *	excerpt drops controls anyway.
 */
#include "excerpt.h"

#include <string.h>

#include "charset.h"

#define TEXT_EXCERPT_BYTES (256u << 10)

gboolean
text_excerpt(struct cdr_excerpt *x, const struct cdr_input *in, char **reason)
{
	struct cdr_charsets *cs = cdr_engine_charsets(cdr_job_engine(cdr_excerpt_job(x)));
	gsize len = in->len;
	if (len > TEXT_EXCERPT_BYTES) {
		len = TEXT_EXCERPT_BYTES;
		const guint8 *nl = memrchr(in->data, '\n', len);
		if (nl && (gsize)(nl - in->data) > len / 2)
			len = (gsize)(nl - in->data) + 1;
	}
	g_autoptr(GByteArray) bytes = g_byte_array_sized_new((guint)len);
	g_byte_array_append(bytes, in->data, (guint)len);
	if (cdr_charset_detect_text(cs, bytes->data, bytes->len) == CDR_CS_UNKNOWN) {
		guint kept = 0;
		for (guint i = 0; i < bytes->len; i++) {
			guint8 c = bytes->data[i];
			if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r')
				bytes->data[kept++] = c;
		}
		g_byte_array_set_size(bytes, kept);
	}
	if (cdr_charset_detect_text(cs, bytes->data, bytes->len) == CDR_CS_UNKNOWN) {
		*reason = g_strdup("（文字として読めないデータです / not text）");
		return FALSE;
	}
	enum cdr_decode_quality q;
	g_autofree char *text = cdr_charset_decode(cs, NULL, bytes->data, bytes->len, &q);
	cdr_excerpt_add(x, text, -1);
	return TRUE;
}
