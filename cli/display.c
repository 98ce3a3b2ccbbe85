/*
 * NAME
 *	display.c - names that are safe to print, store and pass on
 * SUMMARY
 *	USB media bring names in any encoding and with any characters; the
 *	JSON report needs UTF-8, the terminal needs no escape sequences and
 *	no right-to-left overrides.
 */
#include "display.h"

#include <string.h>

char *
display_utf8_name(const char *raw)
{
	if (!raw || g_utf8_validate(raw, -1, NULL))
		return g_strdup(raw);
	char *sjis = g_convert(raw, -1, "UTF-8", "CP932", NULL, NULL, NULL);
	return sjis ? sjis : g_utf8_make_valid(raw, -1);
}

static gboolean
is_invisible(gunichar c)
{
	return c < 0x20 || (c >= 0x7f && c < 0xa0) || (c >= 0x200b && c <= 0x200f) ||
	       (c >= 0x202a && c <= 0x202e) || (c >= 0x2060 && c <= 0x2069) || c == 0xfeff ||
	       c == 0x061c;
}

static char *
escape(const char *raw, gboolean terminal)
{
	GString *s = g_string_new(NULL);
	const char *p = raw ? raw : "";
	const char *end = p + strlen(p);
	while (p < end) {
		gunichar c = g_utf8_get_char_validated(p, end - p);
		if (c == (gunichar)-1 || c == (gunichar)-2) {
			g_string_append_printf(s, "\\x%02x", (guint8)*p);
			p++;
			continue;
		}
		if (terminal && is_invisible(c)) {
			if (c < 0x80)
				g_string_append_printf(s, "\\x%02x", c);
			else
				g_string_append_printf(s, "<U+%04X>", c);
		} else {
			g_string_append_unichar(s, c);
		}
		p = g_utf8_next_char(p);
	}
	return g_string_free(s, FALSE);
}

char *
display_json_path(const char *raw)
{
	return escape(raw, FALSE);
}

char *
display_terminal(const char *text)
{
	return escape(text, TRUE);
}
