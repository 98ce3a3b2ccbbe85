/*
 * NAME
 *	fuzz-mime-words - libFuzzer target: RFC 2047 header decoding
 * SUMMARY
 *	Any header bytes decode to UTF-8 without control characters, so a
 *	decoded value can never inject a header line.
 */
#include "fuzz-common.h"
#include "mime-words.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cdr_charsets *cs;
	if (!cs)
		cs = cdr_charsets_new(NULL);
	g_autofree char *text = mime_decode_header(cs, (const char *)data, size, NULL);
	g_assert(g_utf8_validate(text, -1, NULL));
	for (const char *p = text; *p; p++)
		g_assert((guchar)*p >= 0x20 && *p != 0x7f);
	return 0;
}
