/*
 * NAME
 *	mime-params.h - one parameter of a raw Content-Type/Disposition value
 */
#pragma once

#include "charset.h"

/* Parameter `name` (lower case, e.g. "filename") of a raw header value,
 * decoded to UTF-8 (RFC 2231 with continuations, or RFC 2047 words in a
 * plain value); NULL when the parameter is absent. */
char *mime_param_decode(struct cdr_charsets *cs, const char *raw, const char *name);

/* The same for a sender on a Japanese mobile carrier (its emoji become
 * Unicode emoji); *lossy (may be NULL) says a character became 〓. */
char *mime_param_decode_from(struct cdr_charsets *cs, enum cdr_carrier carrier, const char *raw,
			     const char *name, gboolean *lossy);
