/*
 * NAME
 *	escape.h - the one HTML escape every value on a page goes through
 * SUMMARY
 *	web_escape() appends text to HTML (element content or a quoted
 *	attribute value alike): & < > " ' as character references, text
 *	that is not UTF-8 and control characters as U+FFFD, and the
 *	direction controls (U+202A-202E, U+2066-2069, U+200E, U+200F,
 *	U+061C) as numeric character references: the page holds the very
 *	character the sender wrote (a file name "invoice<U+202E>fdp.exe" is
 *	shown literally, not cleaned), the source shows it visibly, and the
 *	templates put every mail-derived value in a <bdi> so that it cannot
 *	reorder the text around it. web_bidi_controls() names them for a
 *	visible warning beside the value.
 */
#pragma once

#include <glib.h>

void web_escape(GString *out, const char *text);

/* web_escape() into a new string. NULL gives "". */
char *web_escape_text(const char *text);

/* "U+202E U+2066" for the direction controls in `text`, each once;
 * NULL when it has none. */
char *web_bidi_controls(const char *text);
