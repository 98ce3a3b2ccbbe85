/*
 * NAME
 *	password-file.c - a list of passwords as people write it in a file
 * SUMMARY
 *	See password-file.h: line ends of any system, byte order marks,
 *	UTF-16 from Windows, empty lines; the newline-separated list out.
 * DESCRIPTION
 *	A password made of the bytes a CR LF file leaves ("secret\r") or
 *	with a byte order mark in front opens nothing, and the person who
 *	typed the file sees only "wrong password". Spaces inside and around
 *	a password are kept: they may be part of it.
 */
#include "password-file.h"

#include <string.h>

#include "cdr.h"

static const char utf8_bom[] = "\xEF\xBB\xBF";

/* UTF-16 with its byte order mark to UTF-8; NULL when it is not. */
static char *
from_utf16(const char *text, gsize len, gsize *out_len)
{
	if (len < 2)
		return NULL;
	const char *charset = NULL;
	if (memcmp(text, "\xFF\xFE", 2) == 0)
		charset = "UTF-16LE";
	else if (memcmp(text, "\xFE\xFF", 2) == 0)
		charset = "UTF-16BE";
	if (!charset)
		return NULL;
	return g_convert(text + 2, (gssize)(len - 2), "UTF-8", charset, NULL, out_len, NULL);
}

char *
cdr_password_list_parse(const char *text, gsize len, GError **error)
{
	g_autofree char *converted = NULL;
	gsize converted_len = 0;
	if (len >= 2 && (converted = from_utf16(text, len, &converted_len))) {
		text = converted;
		len = converted_len;
	} else if (len >= 3 && memcmp(text, utf8_bom, 3) == 0) {
		text += 3;
		len -= 3;
	}
	if (len > CDR_MAX_PASSWORDS || memchr(text, '\0', len)) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
			    "not a list of passwords (NUL bytes, or over %d bytes of text)",
			    CDR_MAX_PASSWORDS);
		return NULL;
	}
	GString *list = g_string_new(NULL);
	for (gsize at = 0; at < len;) {
		gsize n = 0;
		while (at + n < len && text[at + n] != '\n' && text[at + n] != '\r')
			n++;
		if (n)
			g_string_append_printf(list, "%s%.*s", list->len ? "\n" : "", (int)n,
					       text + at);
		at += n + 1; /* CR LF: the LF is an empty line, skipped */
	}
	return g_string_free(list, FALSE);
}

char *
cdr_password_list_read(const char *path, GError **error)
{
	g_autofree char *text = NULL;
	gsize len = 0;
	if (!g_file_get_contents(path, &text, &len, error))
		return NULL;
	GError *local = NULL;
	char *list = cdr_password_list_parse(text, len, &local);
	if (!list) {
		g_set_error(error, local->domain, local->code, "%s: %s", path, local->message);
		g_error_free(local);
	}
	explicit_bzero(text, len);
	return list;
}
