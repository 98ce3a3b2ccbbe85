/*
 * NAME
 *	mime-forwarded.c - a forwarded message as text mode shows it inline
 * SUMMARY
 *	Under "──── 転送されたメール / Forwarded message ────": the From, Date
 *	and Subject of the forwarded message, decoded (RFC 2047, raw 8-bit
 *	Japanese) and made one visible line each, then its text, then the
 *	messages forwarded inside it, each under its own separator.
 */
#include <string.h>

#include "mime-words.h"
#include "mime.h"

#define FORWARDED_HEADING "──── 転送されたメール / Forwarded message ────"

/* One header of `msg` as one line of visible text ("" when absent). */
static char *
header_line(struct cdr_charsets *cs, enum cdr_carrier carrier, GMimeMessage *msg,
	    const char *field)
{
	GMimeHeaderList *list = g_mime_object_get_header_list(GMIME_OBJECT(msg));
	GMimeHeader *h = list ? g_mime_header_list_get_header(list, field) : NULL;
	const char *raw = h ? g_mime_header_get_raw_value(h) : NULL;
	if (!raw)
		return g_strdup("");
	g_autofree char *decoded = mime_decode_header_from(cs, carrier, raw, strlen(raw), NULL);
	GString *flat = g_string_new(NULL);
	for (const char *p = decoded; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		if (c == '\r' || c == '\n' || c == '\t')
			c = ' ';
		else if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0))
			continue;
		g_string_append_unichar(flat, c);
	}
	g_autofree char *line = g_strstrip(g_string_free(flat, FALSE));
	return mime_visible_text(line);
}

char *
mime_forwarded_block(struct cdr_charsets *cs, enum cdr_carrier carrier, GMimeMessage *msg,
		     const char *text, const char *nested)
{
	static const char *const fields[] = { "From", "Date", "Subject" };
	GString *s = g_string_new(FORWARDED_HEADING "\n");
	for (gsize i = 0; i < G_N_ELEMENTS(fields); i++) {
		g_autofree char *value = header_line(cs, carrier, msg, fields[i]);
		g_string_append_printf(s, "%s: %s\n", fields[i], value);
	}
	g_string_append_c(s, '\n');
	g_string_append(s, text);
	if (s->str[s->len - 1] != '\n')
		g_string_append_c(s, '\n');
	if (nested && *nested) {
		g_string_append_c(s, '\n');
		g_string_append(s, nested);
	}
	return g_string_free(s, FALSE);
}
