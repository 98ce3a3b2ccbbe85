/*
 * NAME
 *	html-text.h - HTML to readable plain text (mail bodies, .html files)
 */
#pragma once

#include <glib.h>

#include "cdr.h"

struct html_text_stats {
	unsigned scripts;     /* script/style/object/iframe elements dropped */
	unsigned hidden;      /* elements hidden by CSS or the hidden attribute */
	unsigned bad_links;   /* javascript:, data:, vbscript: targets dropped */
	unsigned links_shown; /* links written as "text <url>" */
};

/*
 * Convert UTF-8 HTML into UTF-8 text: paragraphs and line breaks, list
 * markers, one line per table row (cells joined by " | "), <pre> kept,
 * entities decoded, scripts, styles and hidden content dropped, a link
 * shown as "text <url>" when the text is not the URL itself, images as
 * "[image: alt]". NULL with *fail set (a limit: more than 2 GiB, elements
 * nested deeper than max_depth), which the caller records unchanged; `fail`
 * may be NULL. Never touches the network or files.
 */
char *html_to_text(const char *html, gsize len, unsigned max_depth, struct html_text_stats *stats,
		   struct cdr_failure *fail);
