/*
 * NAME
 *	fuzz-mime-passwords - libFuzzer target: passwords in a message's text
 * SUMMARY
 *	Any text (made valid UTF-8, as the mail handler's decoded text is)
 *	gives at most MIME_MAX_TEXT_PASSWORDS candidates, each 3 to 64
 *	printable ASCII characters without spaces, none twice. Masking the
 *	text with them leaves valid UTF-8, with the mask where it counted one;
 *	masking for the audit (anywhere) leaves none of them.
 */
#include <string.h>

#include "fuzz-common.h"
#include "mime.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autofree char *text = g_utf8_make_valid((const char *)data, (gssize)size);
	g_autofree char *found = mime_text_passwords(text);
	if (!found)
		return 0;
	g_auto(GStrv) list = g_strsplit(found, "\n", -1);
	guint n = g_strv_length(list);
	g_assert(n >= 1 && n <= MIME_MAX_TEXT_PASSWORDS);
	for (guint i = 0; i < n; i++) {
		gsize len = strlen(list[i]);
		g_assert(len >= 3 && len <= 64);
		for (gsize j = 0; j < len; j++)
			g_assert(list[i][j] > 0x20 && list[i][j] < 0x7f);
		for (guint k = 0; k < i; k++)
			g_assert(strcmp(list[k], list[i]) != 0);
	}
	GString *masked = g_string_new(text);
	guint masked_count = mime_mask_passwords(masked, found);
	g_assert(g_utf8_validate(masked->str, (gssize)masked->len, NULL));
	g_assert(masked_count == 0 || strstr(masked->str, MIME_PASSWORD_MASK));
	g_string_free(masked, TRUE);
	/* for the audit: no candidate left anywhere (one of '*' may be the mask) */
	GString *audit = g_string_new(text);
	mime_mask_passwords_anywhere(audit, found);
	g_assert(g_utf8_validate(audit->str, (gssize)audit->len, NULL));
	for (guint i = 0; i < n; i++)
		g_assert(strchr(list[i], '*') || !strstr(audit->str, list[i]));
	g_string_free(audit, TRUE);
	return 0;
}
