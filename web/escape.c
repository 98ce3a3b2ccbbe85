/*
 * NAME
 *	escape.c - HTML escaping of every value the console shows
 * SUMMARY
 *	See escape.h. Walks UTF-8 with GLib; never passes a byte it did not
 *	look at.
 */
#include "escape.h"

#include <string.h>

static gboolean
is_bidi_control(gunichar c)
{
	return (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c == 0x200e ||
	       c == 0x200f || c == 0x061c;
}

void
web_escape(GString *out, const char *text)
{
	if (!text)
		return;
	const char *p = text;
	while (*p) {
		gunichar c = g_utf8_get_char_validated(p, -1);
		if (c == (gunichar)-1 || c == (gunichar)-2) {
			g_string_append(out, "\xEF\xBF\xBD"); /* U+FFFD, one per bad byte */
			p++;
			continue;
		}
		const char *next = g_utf8_next_char(p);
		switch (c) {
		case '&': g_string_append(out, "&amp;"); break;
		case '<': g_string_append(out, "&lt;"); break;
		case '>': g_string_append(out, "&gt;"); break;
		case '"': g_string_append(out, "&quot;"); break;
		case '\'': g_string_append(out, "&#39;"); break;
		case '\t':
		case '\n': g_string_append_c(out, (char)c); break;
		default:
			if (c < 0x20 || (c >= 0x7f && c < 0xa0) || c == 0xfeff)
				g_string_append(out, "\xEF\xBF\xBD");
			else if (is_bidi_control(c))
				g_string_append_printf(out, "[U+%04X]", c);
			else
				g_string_append_len(out, p, next - p);
		}
		p = next;
	}
}

char *
web_escape_text(const char *text)
{
	GString *s = g_string_new(NULL);
	web_escape(s, text);
	return g_string_free(s, FALSE);
}

char *
web_bidi_controls(const char *text)
{
	if (!text || !g_utf8_validate(text, -1, NULL))
		return NULL;
	GString *s = g_string_new(NULL);
	for (const char *p = text; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		if (!is_bidi_control(c))
			continue;
		g_autofree char *name = g_strdup_printf("U+%04X", c);
		if (!strstr(s->str, name))
			g_string_append_printf(s, "%s%s", s->len ? " " : "", name);
	}
	return s->len ? g_string_free(s, FALSE) : (g_string_free(s, TRUE), NULL);
}

char *
web_escape_log(const char *text)
{
	GString *out = g_string_new(NULL);
	const char *p = text ? text : "";
	while (*p) {
		gunichar c = g_utf8_get_char_validated(p, -1);
		gboolean valid = c != (gunichar)-1 && c != (gunichar)-2;
		const char *next = valid ? g_utf8_next_char(p) : p + 1;
		if (valid && g_unichar_isprint(c) && c != ' ' && c != '\\') {
			g_string_append_len(out, p, next - p);
		} else {
			for (const char *b = p; b < next; b++)
				g_string_append_printf(out, "\\x%02x", (guint8)*b);
		}
		p = next;
	}
	return g_string_free(out, FALSE);
}
