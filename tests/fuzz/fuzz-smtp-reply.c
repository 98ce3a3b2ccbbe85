/*
 * NAME
 *	fuzz-smtp-reply - libFuzzer target: an SMTP server's replies
 * SUMMARY
 *	The replies come from a socket: any bytes, parsed one reply after
 *	another as the submission client does. A reply is never longer than
 *	what is left; its code is 200 to 599; its text is printable ASCII;
 *	an incomplete reply asks for more only while no line is over the
 *	limit; a queue id taken from the text is 1 to 64 letters and digits.
 */
#include <string.h>

#include <glib.h>

#include "fuzz-common.h"
#include "smtp-reply.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	gsize pos = 0;
	for (;;) {
		gsize used = 0;
		guint code = 0;
		char *text = NULL;
		enum smtp_reply_state st = smtp_reply_parse(buf + pos, size - pos, &used, &code, &text);
		if (st == SMTP_REPLY_MORE) {
			g_assert(!text);
			g_assert(size - pos <= (gsize)(SMTP_REPLY_MAX_LINES + 1) * (SMTP_REPLY_MAX_LINE + 2));
			break;
		}
		g_assert(text);
		if (st == SMTP_REPLY_BAD) {
			g_free(text);
			break;
		}
		g_assert(used >= 4 && used <= size - pos);
		g_assert(code >= 200 && code <= 599);
		for (const char *c = text; *c; c++)
			g_assert(*c >= 0x20 && *c < 0x7f);
		char *id = smtp_reply_queue_id(text);
		if (id) {
			gsize n = strlen(id);
			g_assert(n >= 1 && n <= 64);
			for (gsize i = 0; i < n; i++)
				g_assert(g_ascii_isalnum(id[i]));
			g_assert(strstr(text, id));
		}
		g_free(id);
		g_free(text);
		pos += used;
	}
	return 0;
}
