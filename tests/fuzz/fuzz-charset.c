/*
 * NAME
 *	fuzz-charset - libFuzzer target: text detection and labelled decoding
 * SUMMARY
 *	The first byte picks a charset label (mail headers carry any label)
 *	and the sender's mobile carrier, the rest is the text. Decoding never
 *	fails and always gives UTF-8.
 */
#include "charset.h"
#include "fuzz-common.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const labels[] = { NULL, "iso-2022-jp", "shift_jis", "euc-jp",
					      "utf-8", "us-ascii", "iso-8859-1", "gb2312",
					      "utf-16", "utf-7", "x-bogus" };
	static const enum cdr_carrier carriers[] = { CDR_CARRIER_NONE, CDR_CARRIER_DOCOMO,
						     CDR_CARRIER_KDDI, CDR_CARRIER_SOFTBANK };
	static struct cdr_charsets *cs;
	if (!cs)
		cs = cdr_charsets_new(NULL);
	if (size == 0)
		return 0;
	const char *label = labels[data[0] % G_N_ELEMENTS(labels)];
	enum cdr_decode_quality q;
	enum cdr_carrier carrier = carriers[data[0] / G_N_ELEMENTS(labels) % G_N_ELEMENTS(carriers)];
	g_autofree char *text = cdr_charset_decode_from(cs, carrier, label, data + 1, size - 1, &q);
	g_assert(g_utf8_validate(text, -1, NULL));
	(void)cdr_charset_detect_text(cs, data + 1, size - 1);
	return 0;
}
