/*
 * NAME
 *	sizes.h - how Postfix's size limits must relate to max_message_bytes
 * SUMMARY
 *	Postfix keeps a message in one queue file, and the milter's edits are
 *	added to that file: the rebuilt body overwrites the original body as
 *	far as it goes and the rest, with the new headers, is appended; the
 *	deleted headers stay as skipped records. So the file holds at most the
 *	original plus the rebuilt message, and Postfix's cleanup(8) refuses
 *	("message file too big") as soon as it passes message_size_limit.
 * DESCRIPTION
 *	The milter takes originals up to max_message_bytes (M) and keeps the
 *	original and the rebuilt message together within 5/2 M (a text body
 *	grows by a third as base64; what does not fit is withheld). The
 *	cleanup behind the milter's smtpd then needs 5/2 M, plus 1/64 for the
 *	record headers Postfix writes per line, plus 1 MiB for the envelope
 *	and trace headers. The internet-facing smtpd of the after-queue
 *	arrangement must take less than M: the content filter hands the
 *	message on with Postfix's Received: header added and lines over 998
 *	bytes folded (at most 3 bytes per 998), so 1/128 and 64 KiB less.
 */
#pragma once

#include <glib.h>

/* Original plus rebuilt message, at most. */
static inline guint64
milter_rebuild_budget(guint64 max_message_bytes)
{
	return max_message_bytes / 2 * 5;
}

/* The least message_size_limit of the cleanup behind the milter's smtpd. */
static inline guint64
milter_queue_file_limit(guint64 max_message_bytes)
{
	guint64 budget = milter_rebuild_budget(max_message_bytes);
	return budget + budget / 64 + 1024 * 1024;
}

/* The largest message_size_limit of the smtpd that screens before the
 * queue, so that what it accepts is never over the cap after it. */
static inline guint64
milter_screen_size_limit(guint64 max_message_bytes)
{
	guint64 margin = max_message_bytes / 128 + 64 * 1024;
	return max_message_bytes > 2 * margin ? max_message_bytes - margin : max_message_bytes / 2;
}
