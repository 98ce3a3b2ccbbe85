/*
 * NAME
 *	smtp-reply.h - read an SMTP server's replies (RFC 5321 4.2)
 * SUMMARY
 *	"250-first\r\n250 last\r\n": one reply of one or more lines, each a
 *	three-digit code (2xx to 5xx), '-' on every line but the last, then
 *	text. Strict: a line with another code, a code out of range, a line
 *	longer than SMTP_REPLY_MAX_LINE, more than SMTP_REPLY_MAX_LINES lines,
 *	or a NUL is a malformed reply. A bare LF ends a line as CRLF does.
 */
#pragma once

#include <glib.h>

#define SMTP_REPLY_MAX_LINE 2048 /* RFC 5321: 512; servers write longer ones */
#define SMTP_REPLY_MAX_LINES 100

enum smtp_reply_state {
	SMTP_REPLY_DONE, /* a whole reply: *used, *code, *text set */
	SMTP_REPLY_MORE, /* not all of it has arrived yet */
	SMTP_REPLY_BAD,  /* malformed: *text says how */
};

/*
 * The reply at the start of buf (the `len` bytes read so far). DONE:
 * *used = its bytes, *code, *text (g_malloc'd) its lines' texts joined by
 * spaces, every byte outside printable ASCII shown as '?'. BAD: *text the
 * problem. MORE: nothing set.
 */
enum smtp_reply_state smtp_reply_parse(const char *buf, gsize len, gsize *used, guint *code,
				       char **text);

/* Postfix's queue id in the text of a reply to the end of DATA
 * ("2.0.0 Ok: queued as 4XyZ1b2c3d"), or NULL. */
char *smtp_reply_queue_id(const char *text);
