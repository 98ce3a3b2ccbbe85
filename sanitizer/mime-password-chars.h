/*
 * NAME
 *	mime-password-chars.h - the characters the password extractor and
 *	the masking read alike
 * SUMMARY
 *	Both must agree on what a password is made of and what a reader does
 *	not see, or a password found would be left unmasked.
 */
#ifndef MUGAIKA_MIME_PASSWORD_CHARS_H
#define MUGAIKA_MIME_PASSWORD_CHARS_H

#include <glib.h>

/* How many bytes of s are of the ASCII class `type` (G_ASCII_ALNUM, ...). */
static inline gsize
count_class(const char *s, GAsciiType type)
{
	gsize n = 0;
	for (; *s; s++)
		n += (g_ascii_table[(guchar)*s] & type) != 0;
	return n;
}

/* A byte a password written in ASCII may hold: printable, not a space. */
static inline gboolean
is_token_byte(char c)
{
	return (guchar)c > 0x20 && (guchar)c < 0x7f;
}

/* Characters a reader does not see: a soft hyphen or a zero-width space
 * inside a password ("abc&shy;123") is not part of it. */
static inline gboolean
is_invisible(gunichar c)
{
	return c == 0x00ad || (c >= 0x200b && c <= 0x200f) || (c >= 0x2060 && c <= 0x2064) ||
	       c == 0xfeff || c == 0x180e;
}

/* The ASCII a Japanese reader means by c, after NFKC: the yen sign is
 * what CP932 shows for 0x5C ("abc¥123" typed on a Mac is "abc\123" in a
 * zip made on Windows); 0: none. */
static inline char
ascii_meant(gunichar c)
{
	return c == 0x00a5 ? '\\' : 0;
}

#endif
