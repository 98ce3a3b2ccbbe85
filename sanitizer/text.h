/*
 * NAME
 *	text.h - what the text and CSV handlers share
 */
#pragma once

#include "cdr.h"
#include "charset.h"

/* Does libmagic call these bytes ordinary text (or empty)? */
gboolean text_magic_is_plain(const char *magic_type);

/* Worth validating as text: plain by libmagic, no early NUL. */
gboolean text_may_be_text(const struct cdr_input *in);

/* "text/plain; charset=..." (static string) */
const char *text_mime_type(const char *base, enum cdr_charset cs);

/* The charset of in->data, or block the job: returns CDR_CS_UNKNOWN then. */
enum cdr_charset text_validate(struct cdr_job *job, const struct cdr_input *in);
