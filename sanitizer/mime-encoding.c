/*
 * NAME
 *	mime-encoding.c - Content-Transfer-Encoding as readers take it
 * SUMMARY
 *	GMime knows the RFC 2045 names and x-uuencode; mailers also write
 *	uue, x-uue, x-base64, "base64" in quotes, 8-bit, and comments. A
 *	reader that knows a spelling GMime does not would decode what GMime
 *	shows as text, so every spelling that some reader decodes is decoded
 *	here too, and a name that no reader decodes leaves the part opaque
 *	(an attachment that cannot be judged, removed).
 */
#include <string.h>

#include "mime.h"

static const struct {
	const char *name; /* lower case, without quotes, comments and spaces */
	GMimeContentEncoding encoding;
} spellings[] = {
	{ "7bit", GMIME_CONTENT_ENCODING_7BIT },
	{ "7-bit", GMIME_CONTENT_ENCODING_7BIT },
	{ "7bits", GMIME_CONTENT_ENCODING_7BIT },
	{ "8bit", GMIME_CONTENT_ENCODING_8BIT },
	{ "8-bit", GMIME_CONTENT_ENCODING_8BIT },
	{ "8bits", GMIME_CONTENT_ENCODING_8BIT },
	{ "binary", GMIME_CONTENT_ENCODING_BINARY },
	{ "base64", GMIME_CONTENT_ENCODING_BASE64 },
	{ "x-base64", GMIME_CONTENT_ENCODING_BASE64 },
	{ "base-64", GMIME_CONTENT_ENCODING_BASE64 },
	{ "quoted-printable", GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE },
	{ "x-quoted-printable", GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE },
	{ "uuencode", GMIME_CONTENT_ENCODING_UUENCODE },
	{ "x-uuencode", GMIME_CONTENT_ENCODING_UUENCODE },
	{ "uue", GMIME_CONTENT_ENCODING_UUENCODE },
	{ "x-uue", GMIME_CONTENT_ENCODING_UUENCODE },
	{ "uu", GMIME_CONTENT_ENCODING_UUENCODE },
	{ "x-uu", GMIME_CONTENT_ENCODING_UUENCODE },
};

/* "Base64 (sent by X)", "\"base64\"", " 8bit; " -> "base64", "8bit" */
static char *
normalized(const char *raw)
{
	GString *s = g_string_new(NULL);
	unsigned comment = 0;
	for (const char *p = raw; *p; p++) {
		if (*p == '(')
			comment++;
		else if (*p == ')' && comment)
			comment--;
		else if (!comment && *p != '"' && *p != ';' && !g_ascii_isspace(*p))
			g_string_append_c(s, g_ascii_tolower(*p));
	}
	return g_string_free(s, FALSE);
}

gboolean
mime_transfer_encoding(GMimeObject *obj, GMimeContentEncoding *encoding, char **unknown)
{
	*encoding = GMIME_CONTENT_ENCODING_DEFAULT;
	GMimeHeaderList *list = g_mime_object_get_header_list(obj);
	GMimeHeader *h = list ? g_mime_header_list_get_header(list, "Content-Transfer-Encoding") : NULL;
	const char *raw = h ? g_mime_header_get_raw_value(h) : NULL;
	if (!raw)
		return TRUE;
	g_autofree char *name = normalized(raw);
	if (!*name)
		return TRUE;
	for (unsigned i = 0; i < G_N_ELEMENTS(spellings); i++)
		if (strcmp(name, spellings[i].name) == 0) {
			*encoding = spellings[i].encoding;
			return TRUE;
		}
	if (unknown)
		*unknown = g_utf8_make_valid(name, -1);
	return FALSE;
}

char *
mime_uuencoded_name(GMimePart *part)
{
	GMimeDataWrapper *content = g_mime_part_get_content(part);
	GMimeStream *stream = content ? g_mime_data_wrapper_get_stream(content) : NULL;
	if (!stream)
		return NULL;
	char head[4096];
	g_mime_stream_reset(stream);
	gssize n = g_mime_stream_read(stream, head, sizeof(head) - 1);
	g_mime_stream_reset(stream);
	if (n <= 0)
		return NULL;
	head[n] = '\0';
	/* "begin 644 name" on a line of its own, before the data */
	for (char *line = head; line && *line;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (g_str_has_prefix(line, "begin ") && g_ascii_isdigit(line[6])) {
			const char *name = strchr(line + 6, ' ');
			return name ? g_strstrip(g_utf8_make_valid(name + 1, -1)) : NULL;
		}
		line = nl ? nl + 1 : NULL;
	}
	return NULL;
}
