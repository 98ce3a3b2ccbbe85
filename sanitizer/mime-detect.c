/*
 * NAME
 *	mime-detect.c - is it a message: header blocks and mbox postmarks
 * SUMMARY
 *	Decides, from the bytes and the name, whether the mail handler bids
 *	for an object, and where the message of an mbox-saved file starts.
 *	A header block is header fields and their continuation lines up to
 *	an empty line; the mbox postmark is a "From " line (no colon) before
 *	it.
 */
#include <string.h>

#include "mime.h"

/* A header field name at the start of a line, e.g. "Received:". */
static gsize
field_name_length(const guint8 *p, const guint8 *end)
{
	const guint8 *q = p;
	while (q < end && *q > 32 && *q < 127 && *q != ':')
		q++;
	return q < end && *q == ':' && q > p ? (gsize)(q - p) : 0;
}

/* The end of the line at p (after its LF, or `end`). */
static const guint8 *
next_line(const guint8 *p, const guint8 *end)
{
	const guint8 *nl = memchr(p, '\n', (gsize)(end - p));
	return nl ? nl + 1 : end;
}

/* An mbox postmark ("From sender date", no colon) that starts a message
 * in a mailbox file: the length of its line, or 0. */
static gsize
mbox_postmark_length(const guint8 *p, const guint8 *end)
{
	if ((gsize)(end - p) < 5 || memcmp(p, "From ", 5) != 0)
		return 0;
	return (gsize)(next_line(p, end) - p);
}

#define MAIL_HEADER_SCAN_BYTES (256 * 1024)

/*
 * The header fields at p, up to an empty line: *known counts the
 * well-known field names among them; TRUE when every line is a header
 * field or the continuation of one and the block ends (an empty line, or
 * the end of the bytes) within MAIL_HEADER_SCAN_BYTES.
 */
static gboolean
scan_header_block(const guint8 *p, const guint8 *end, unsigned *known)
{
	static const char *const names[] = { "from", "to", "subject", "date", "received",
					     "return-path", "message-id", "mime-version",
					     "content-type", "delivered-to", "reply-to", "cc" };
	gboolean limited = (gsize)(end - p) > MAIL_HEADER_SCAN_BYTES;
	end = MIN(end, p + MAIL_HEADER_SCAN_BYTES);
	gboolean fields_only = field_name_length(p, end) > 0;
	*known = 0;
	if (!fields_only)
		return FALSE;
	while (p < end && *p != '\r' && *p != '\n') {
		gsize n = field_name_length(p, end);
		if (!n && *p != ' ' && *p != '\t')
			fields_only = FALSE; /* neither a field nor a continuation */
		for (unsigned i = 0; n && i < G_N_ELEMENTS(names); i++)
			*known += n == strlen(names[i]) &&
				  g_ascii_strncasecmp((const char *)p, names[i], n) == 0;
		p = next_line(p, end);
	}
	return fields_only && !(p == end && limited);
}

static gboolean
named_eml(const char *name)
{
	const char *base = name;
	for (const char *c = name; c && *c; c++)
		if (*c == '/' || *c == '\\')
			base = c + 1;
	const char *dot = base ? strrchr(base, '.') : NULL;
	return dot && g_ascii_strcasecmp(dot, ".eml") == 0;
}

/*
 * Mail, by its own looks: after an optional mbox "From " line, a first
 * line that is a header field and at least two well-known fields before
 * the first empty line (libmagic misses many real messages: it wants
 * certain first headers; a broken line among them does not make a message
 * text); or, for a file named .eml, any block of nothing but header fields
 * (a message of a few headers, e.g. only Content-Type, is still a message).
 */
gboolean
mime_looks_like_mail(const guint8 *data, gsize len, const char *name)
{
	const guint8 *end = data + len;
	const guint8 *p = data + mbox_postmark_length(data, end);
	unsigned known = 0;
	gboolean fields_only = scan_header_block(p, end, &known);
	return known >= 2 || (fields_only && named_eml(name));
}

/*
 * A mailbox file (mbox) holds messages one after another, each after a
 * "From " line: one message is read without its postmark; several are
 * not split here (the file is blocked: one object in, one message out).
 * Returns where the message starts, or -1 when another follows it.
 */
gssize
mime_mbox_message_start(const guint8 *data, gsize len)
{
	const guint8 *end = data + len;
	gsize start = mbox_postmark_length(data, end);
	if (!start)
		return 0;
	gboolean blank = FALSE;
	unsigned known;
	for (const guint8 *p = data + start; p < end; p = next_line(p, end)) {
		gsize postmark = blank ? mbox_postmark_length(p, end) : 0;
		if (postmark && scan_header_block(p + postmark, end, &known))
			return -1;
		blank = *p == '\n' || (*p == '\r' && p + 1 < end && p[1] == '\n');
	}
	return (gssize)start;
}

