/*
 * NAME
 *	excerpt.h - the handlers' text excerpt entry points (cdr.h: excerpt)
 * SUMMARY
 *	One file each: excerpt-pdf.c (poppler), excerpt-ooxml.c (docx, xlsx,
 *	pptx), excerpt-ole2.c (doc, xls, ppt; Outlook items go on to
 *	excerpt-msg.c), excerpt-rtf.c, excerpt-text.c (plain text and CSV).
 *	Each adds text to the excerpt with cdr_excerpt_add() and stops when
 *	it is full.
 */
#pragma once

#include "config.h"
#include "cdr.h"

#if HAVE_PDF_TEXT
/* poppler's global state and its Japanese data files, before the sandbox */
gboolean pdf_excerpt_init(GError **error);
gboolean pdf_excerpt(struct cdr_excerpt *x, const struct cdr_input *in, char **reason);
#define PDF_EXCERPT pdf_excerpt
#define PDF_EXCERPT_INIT pdf_excerpt_init
#else
#define PDF_EXCERPT NULL
#define PDF_EXCERPT_INIT NULL
#endif

gboolean rtf_excerpt(struct cdr_excerpt *x, const struct cdr_input *in, char **reason);
gboolean ooxml_excerpt(struct cdr_excerpt *x, const struct cdr_input *in, char **reason);
gboolean ole2_excerpt(struct cdr_excerpt *x, const struct cdr_input *in, char **reason);
/* An Outlook item (.msg); other compound files give no excerpt. */
gboolean msg_excerpt(struct cdr_excerpt *x, const struct cdr_input *in, char **reason);
gboolean text_excerpt(struct cdr_excerpt *x, const struct cdr_input *in, char **reason);

/* The reason a scanned PDF gives (its pages hold no text). */
#define EXCERPT_IMAGES_ONLY "（画像のみのため本文なし）"
