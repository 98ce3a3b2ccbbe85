/*
 * NAME
 *	withheld.h - the notice that replaces a message blocked as a whole
 * SUMMARY
 *	Built from the envelope, the engine's reason and the quarantine id
 *	only: the front end never parses the original (it may be the very
 *	thing that could not be parsed safely).
 */
#pragma once

#include "envelope.h"

/* A complete message (CRLF lines): Japanese then English text saying who
 * sent it, why it was withheld and where the original is kept. */
GByteArray *withheld_message(const struct envelope *env, const char *reason,
			     const char *error_name, const char *quarantine_id,
			     const char *contact, const char *hostname);
