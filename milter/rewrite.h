/*
 * NAME
 *	rewrite.h - make Postfix's copy of the message the rebuilt one
 * SUMMARY
 *	Every header of the original is deleted except the Received trace
 *	fields (RFC 5321 4.4: a relay must not remove them) and those the
 *	rebuilt message has unchanged; the rebuilt message's other headers
 *	are added, and its body replaces the original body. A Received field
 *	with characters other than printable ASCII is written again with them
 *	shown as [U+XXXX], like every other delivered header.
 */
#pragma once

#include <glib.h>
#include <libmilter/mfapi.h>

/*
 * `old_names`, `old_values`: the original's headers in order (as the
 * milter saw them). `msg`: the rebuilt message (CRLF lines, as our writer makes it).
 * Its headers are checked first: printable ASCII, "Name: value" with
 * folded continuations only; anything else is refused (FALSE) before a
 * single change is made.
 */
gboolean rewrite_message(SMFICTX *ctx, GPtrArray *old_names, GPtrArray *old_values,
			 const guint8 *msg, gsize len, GError **error);
