/*
 * NAME
 *	smtp-reply.c - parse one SMTP reply, find Postfix's queue id in it
 * SUMMARY
 *	See smtp-reply.h. The parser never reads past `len` and never needs
 *	a NUL: it is fed whatever recv() gave so far.
 */
#include "smtp-reply.h"

#include <string.h>

/* A line's code: three digits, the first 2 to 5; 0 when it has none. */
static guint
line_code(const char *line, gsize n)
{
	if (n < 3 || line[0] < '2' || line[0] > '5' || !g_ascii_isdigit(line[1]) ||
	    !g_ascii_isdigit(line[2]))
		return 0;
	return (guint)(line[0] - '0') * 100 + (guint)(line[1] - '0') * 10 + (guint)(line[2] - '0');
}

static void
append_printable(GString *out, const char *text, gsize n)
{
	if (out->len)
		g_string_append_c(out, ' ');
	for (gsize i = 0; i < n; i++)
		g_string_append_c(out, (guchar)text[i] >= 0x20 && (guchar)text[i] < 0x7f ? text[i]
											: '?');
}

enum smtp_reply_state
smtp_reply_parse(const char *buf, gsize len, gsize *used, guint *code, char **text)
{
	g_autoptr(GString) joined = g_string_new(NULL);
	guint first = 0;
	gsize pos = 0;
	for (guint lines = 0;; lines++) {
		const char *line = buf + pos;
		gsize left = len - pos;
		const char *nl = memchr(line, '\n', MIN(left, (gsize)SMTP_REPLY_MAX_LINE + 2));
		if (!nl) {
			if (left > SMTP_REPLY_MAX_LINE + 1) {
				*text = g_strdup("a reply line longer than the limit");
				return SMTP_REPLY_BAD;
			}
			return SMTP_REPLY_MORE;
		}
		gsize n = (gsize)(nl - line);
		if (n && line[n - 1] == '\r')
			n--;
		if (memchr(line, '\0', n)) {
			*text = g_strdup("a NUL byte in a reply");
			return SMTP_REPLY_BAD;
		}
		guint c = line_code(line, n);
		if (!c || (n > 3 && line[3] != '-' && line[3] != ' ')) {
			*text = g_strdup("a reply line that does not start with a code");
			return SMTP_REPLY_BAD;
		}
		if (lines && c != first) {
			*text = g_strdup("a reply whose lines have different codes");
			return SMTP_REPLY_BAD;
		}
		if (lines >= SMTP_REPLY_MAX_LINES) {
			*text = g_strdup("a reply of too many lines");
			return SMTP_REPLY_BAD;
		}
		first = c;
		if (n > 4)
			append_printable(joined, line + 4, n - 4);
		pos = (gsize)(nl - buf) + 1;
		if (n == 3 || line[3] == ' ') {
			*used = pos;
			*code = first;
			*text = g_strdup(joined->str);
			return SMTP_REPLY_DONE;
		}
	}
}

char *
smtp_reply_queue_id(const char *text)
{
	const char *at = strstr(text, "queued as ");
	if (!at)
		return NULL;
	at += strlen("queued as ");
	gsize n = 0;
	while (g_ascii_isalnum(at[n]) && n < 64)
		n++;
	return n ? g_strndup(at, n) : NULL;
}
