/*
 * NAME
 *	escape.h - the one HTML escape every value on a page goes through
 * SUMMARY
 *	web_escape() appends text to HTML (element content or a quoted
 *	attribute value alike): & < > " ' as character references, text
 *	that is not UTF-8 and control characters as U+FFFD, and the
 *	direction controls (U+202A-202E, U+2066-2069, U+200E, U+200F,
 *	U+061C) written out as the text "[U+202E]", as the notice, the
 *	excerpts and the dashboard's charts do. A control kept as the
 *	character would still reorder the value it sits in on screen
 *	("invoice<U+202E>fdp.exe" looks like "invoiceexe.pdf" even inside a
 *	<bdi>), which is the deception; written out, the name is shown
 *	literally. The templates also put every mail-derived value in a
 *	<bdi>, so that nothing in it can reorder the text around it.
 *	web_bidi_controls() names them for a warning beside the value.
 */
#pragma once

#include <glib.h>

void web_escape(GString *out, const char *text);

/* web_escape() into a new string. NULL gives "". */
char *web_escape_text(const char *text);

/* "U+202E U+2066" for the direction controls in `text`, each once;
 * NULL when it has none. */
char *web_bidi_controls(const char *text);

/* `text` for one field of a log line: printable characters as they are,
 * every other byte (controls, newlines, DEL, spaces, direction and
 * other format characters, bytes that are not UTF-8) and the backslash
 * itself as \xNN, so that a request can neither end the line, nor add
 * a field, nor hide what follows. NULL gives "". */
char *web_escape_log(const char *text);
