/*
 * NAME
 *	excerpt-ole2.h - the text readers of legacy Office files
 * SUMMARY
 *	excerpt-ole2.c opens the compound file and reads the main streams;
 *	excerpt-doc.c (Word's piece table), excerpt-xls.c (BIFF8 cells) and
 *	excerpt-ppt.c (slide text atoms) turn them into text. Each reader
 *	returns FALSE with *why (a static string) when it cannot read.
 */
#pragma once

#include "excerpt.h"
#include "ole2.h"

/* Text gathered as UTF-16 units, handed to the excerpt in chunks. */
struct ole2_text {
	struct cdr_excerpt *x;
	GString *buf;
	gunichar2 high; /* a high surrogate waiting for its pair */
	gboolean more;  /* FALSE once the excerpt is full or out of time */
};

void ole2_text_init(struct ole2_text *t, struct cdr_excerpt *x);
/* One UTF-16 unit (a lone surrogate becomes U+FFFD). */
void ole2_text_unit(struct ole2_text *t, guint16 unit);
void ole2_text_ascii(struct ole2_text *t, const char *s);
/* Hands over what is gathered; the last call frees the buffer. */
gboolean ole2_text_finish(struct ole2_text *t);

gboolean doc_excerpt_text(struct cdr_excerpt *x, struct ole2_bytes word, struct ole2_bytes table0,
			  struct ole2_bytes table1, const char **why);
gboolean xls_excerpt_text(struct cdr_excerpt *x, struct ole2_bytes book, const char **why);
gboolean ppt_excerpt_text(struct cdr_excerpt *x, struct ole2_bytes doc, struct ole2_bytes user,
			  const char **why);
