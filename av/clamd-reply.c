/*
 * NAME
 *	clamd-reply.c - read clamd's answer to zINSTREAM, strictly
 * SUMMARY
 *	Two answers mean something: "stream: OK" (clean) and "stream: NAME
 *	FOUND" (infected). "INSTREAM size limit exceeded. ERROR" says the
 *	stream was over clamd's StreamMaxLength. Everything else - another
 *	ERROR, an answer without its NUL, bytes after it, a name with spaces
 *	or control characters, an empty answer - is an error, so that the
 *	front end fails closed instead of guessing.
 * DESCRIPTION
 *	The details returned are printable ASCII (other bytes shown as '?')
 *	and short: they end up in reports, logs and SMTP replies.
 */
#include "clamd.h"

#include <string.h>

#define STREAM_PREFIX "stream: "
#define FOUND_SUFFIX " FOUND"
#define ERROR_SUFFIX " ERROR"
#define SIZE_LIMIT "INSTREAM size limit exceeded. ERROR"
#define MAX_DETAIL 200

/* The answer made printable and short, for messages. */
static char *
printable(const char *s, gsize len)
{
	GString *out = g_string_sized_new(MIN(len, MAX_DETAIL) + 3);
	for (gsize i = 0; i < len && out->len < MAX_DETAIL; i++)
		g_string_append_c(out, s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?');
	if (len > MAX_DETAIL)
		g_string_append(out, "...");
	return g_string_free(out, FALSE);
}

static enum clamd_verdict
unexpected(const char *s, gsize len, char **detail)
{
	g_autofree char *shown = printable(s, len);
	*detail = g_strdup_printf("unexpected answer from clamd: \"%s\"", shown);
	return CLAMD_ERROR;
}

/* "(" 32 hex digits ":" digits ")" at the end of name[0..len): clamd's
 * ExtendedDetectionInfo. Returns the length without it. */
static gsize
without_hash_suffix(const char *name, gsize len)
{
	if (len < 36 || name[len - 1] != ')')
		return len;
	gsize i = len - 2;
	while (i > 0 && g_ascii_isdigit(name[i]))
		i--;
	if (i == len - 2 || name[i] != ':' || i < 33)
		return len;
	gsize open = i - 33;
	if (name[open] != '(')
		return len;
	for (gsize j = open + 1; j < i; j++)
		if (!g_ascii_isxdigit(name[j]))
			return len;
	return open;
}

static gboolean
signature_char(char c)
{
	return c > 0x20 && c < 0x7f;
}

enum clamd_verdict
clamd_parse_reply(const char *reply, gsize len, char **detail)
{
	const char *nul = len ? memchr(reply, '\0', len) : NULL;
	if (!nul) {
		if (!len) {
			*detail = g_strdup("clamd closed the connection without an answer");
			return CLAMD_ERROR;
		}
		return unexpected(reply, len, detail);
	}
	gsize n = (gsize)(nul - reply);
	if (n + 1 != len) /* bytes after the answer */
		return unexpected(reply, len, detail);
	if (n == strlen(SIZE_LIMIT) && memcmp(reply, SIZE_LIMIT, n) == 0) {
		*detail = g_strdup("clamd: " SIZE_LIMIT);
		return CLAMD_TOO_BIG;
	}
	gsize prefix = strlen(STREAM_PREFIX);
	if (n == prefix + 2 && memcmp(reply, STREAM_PREFIX "OK", n) == 0) {
		*detail = g_strdup("");
		return CLAMD_CLEAN;
	}
	gsize found = strlen(FOUND_SUFFIX);
	if (n > prefix + found && memcmp(reply, STREAM_PREFIX, prefix) == 0 &&
	    memcmp(reply + n - found, FOUND_SUFFIX, found) == 0) {
		const char *name = reply + prefix;
		gsize name_len = without_hash_suffix(name, n - prefix - found);
		if (name_len == 0 || name_len > CLAMD_MAX_SIGNATURE)
			return unexpected(reply, n, detail);
		for (gsize i = 0; i < name_len; i++)
			if (!signature_char(name[i]))
				return unexpected(reply, n, detail);
		*detail = g_strndup(name, name_len);
		return CLAMD_INFECTED;
	}
	gsize error = strlen(ERROR_SUFFIX);
	if (n > error && memcmp(reply + n - error, ERROR_SUFFIX, error) == 0) {
		g_autofree char *shown = printable(reply, n);
		*detail = g_strdup_printf("clamd: %s", shown);
		return CLAMD_ERROR;
	}
	return unexpected(reply, n, detail);
}
