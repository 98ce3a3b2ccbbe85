/*
 * NAME
 *	mime-visible.c - invisible characters made visible in what readers see
 * SUMMARY
 *	One escaping rule for every text a mail reader shows as a line of its
 *	own: header values (Subject, display names) and the file names the
 *	notice lists. A control, format or line/paragraph separator character
 *	becomes "[U+XXXX]", so U+202E RIGHT-TO-LEFT OVERRIDE cannot turn
 *	"fdp.exe" into what looks like "exe.pdf", nor reverse a Subject in a
 *	mail list.
 * DESCRIPTION
 *	Covered: Unicode general categories Cc (C0, DEL, C1) and Cf (the
 *	embeddings, overrides and isolates U+202A-U+202E and U+2066-U+2069,
 *	the marks U+200E, U+200F and U+061C, U+200B-U+200D, U+2060-U+2064,
 *	U+FEFF, soft hyphen, tags) and U+2028, U+2029. One exception keeps
 *	emoji intact: U+200D ZERO WIDTH JOINER between two pictographs (a
 *	family or profession emoji is such a sequence). Invalid UTF-8 is
 *	repaired first, so the result is always valid UTF-8.
 */
#include <string.h>

#include "mime-words.h"

/* Emoji and the symbol blocks pictographic sequences are built from. */
static gboolean
is_pictograph(gunichar c)
{
	return c >= 0x1f000 || (c >= 0x2600 && c <= 0x27bf) || (c >= 0x2b00 && c <= 0x2bff);
}

static gboolean
must_show(gunichar prev, gunichar c, gunichar next)
{
	GUnicodeType t = g_unichar_type(c);
	if (c == 0x200d && is_pictograph(prev) && is_pictograph(next))
		return FALSE;
	return t == G_UNICODE_CONTROL || t == G_UNICODE_FORMAT || t == G_UNICODE_LINE_SEPARATOR ||
	       t == G_UNICODE_PARAGRAPH_SEPARATOR;
}

char *
mime_visible_text(const char *text)
{
	g_autofree char *valid = g_utf8_make_valid(text, -1);
	GString *s = g_string_sized_new(strlen(valid));
	gunichar prev = 0;
	for (const char *p = valid; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		const char *n = g_utf8_next_char(p);
		gunichar next = *n ? g_utf8_get_char(n) : 0;
		if (must_show(prev, c, next))
			g_string_append_printf(s, "[U+%04X]", c);
		else
			g_string_append_unichar(s, c);
		prev = c;
	}
	return g_string_free(s, FALSE);
}
