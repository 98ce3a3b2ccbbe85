/*
 * NAME
 *	mime-words.h - header values with RFC 2047 encoded words, to UTF-8
 */
#pragma once

#include <glib.h>

#include "charset.h"

enum mime_words_flags {
	MIME_WORDS_LOSSY = 1 << 0,    /* some characters decoded in no charset (〓) */
	MIME_WORDS_GUESSED = 1 << 1,  /* a charset label was missing or wrong */
	MIME_WORDS_CONTROLS = 1 << 2, /* control characters (CR, LF, NUL...) removed */
};

/*
 * Decode a raw header value: unfold, decode encoded words (B and Q; the
 * bytes of adjacent words in one charset are joined before decoding, as
 * Japanese mailers split characters across words; white space between
 * encoded words is dropped), decode raw 8-bit text by detection, and
 * replace control characters with spaces so a decoded value can never
 * add a header line. Returns UTF-8; *flags (may be NULL) says what was
 * repaired.
 */
char *mime_decode_header(struct cdr_charsets *cs, const char *raw, gsize len, unsigned *flags);

/*
 * For structured headers (addresses): the same decoding, but every
 * encoded word and every 8-bit run is written back as UTF-8 encoded words
 * (controls removed first), so decoded text can never become structure
 * (a comma or "<" inside an encoded word stays inside one). ASCII text
 * outside encoded words is kept as it is, minus controls.
 */
char *mime_reencode_header(struct cdr_charsets *cs, const char *raw, gsize len, unsigned *flags);

/* The same for a sender on a Japanese mobile carrier: its emoji become
 * Unicode emoji (see cdr_charset_decode_from). */
char *mime_decode_header_from(struct cdr_charsets *cs, enum cdr_carrier carrier, const char *raw,
			      gsize len, unsigned *flags);
char *mime_reencode_header_from(struct cdr_charsets *cs, enum cdr_carrier carrier, const char *raw,
				gsize len, unsigned *flags);

/*
 * Text as a reader must see it (mime-visible.c): every control, format and
 * line/paragraph separator character written as "[U+202E]" (a ZERO WIDTH
 * JOINER inside an emoji sequence excepted). For header values after
 * decoding and for file names in the notice. Returns valid UTF-8.
 */
char *mime_visible_text(const char *text);
