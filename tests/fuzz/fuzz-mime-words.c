/*
 * NAME
 *	fuzz-mime-words - libFuzzer target: RFC 2047 header decoding
 * SUMMARY
 *	Any header bytes decode to UTF-8 without control characters, so a
 *	decoded value can never inject a header line; the same for the
 *	re-encoded form of address headers (printable ASCII) and for RFC 2231
 *	parameters. Made visible (mime_visible_text) a decoded value holds no
 *	control, format or separator character but a ZERO WIDTH JOINER between
 *	pictographs, and showing it again changes nothing. The input's length
 *	picks the sender's mobile carrier.
 */
#include <string.h>

#include "fuzz-common.h"
#include "mime-params.h"
#include "mime-words.h"

static void
assert_clean(const char *text)
{
	g_assert(g_utf8_validate(text, -1, NULL));
	for (const char *p = text; *p; p++)
		g_assert((guchar)*p >= 0x20 && *p != 0x7f);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cdr_charsets *cs;
	if (!cs)
		cs = cdr_charsets_new(NULL);
	enum cdr_carrier carrier = (enum cdr_carrier)(size % 4);
	g_autofree char *text = mime_decode_header_from(cs, carrier, (const char *)data, size, NULL);
	assert_clean(text);

	g_autofree char *shown = mime_visible_text(text);
	g_assert(g_utf8_validate(shown, -1, NULL));
	for (const char *p = shown; *p; p = g_utf8_next_char(p)) {
		GUnicodeType t = g_unichar_type(g_utf8_get_char(p));
		g_assert(g_utf8_get_char(p) == 0x200d ||
			 (t != G_UNICODE_CONTROL && t != G_UNICODE_FORMAT &&
			  t != G_UNICODE_LINE_SEPARATOR && t != G_UNICODE_PARAGRAPH_SEPARATOR));
	}
	g_autofree char *again = mime_visible_text(shown);
	g_assert(strcmp(again, shown) == 0);

	g_autofree char *addresses =
		mime_reencode_header_from(cs, carrier, (const char *)data, size, NULL);
	for (const char *p = addresses; *p; p++)
		g_assert((guchar)*p >= 0x20 && (guchar)*p < 0x7f);
	g_autofree char *raw = g_strndup((const char *)data, size); /* stops at a NUL */
	g_autofree char *param = mime_param_decode_from(cs, carrier, raw, "filename", NULL);
	g_assert(!param || g_utf8_validate(param, -1, NULL));
	return 0;
}
