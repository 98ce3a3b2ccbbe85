/*
 * NAME
 *	charset.h - Japanese-aware text detection and decoding
 * SUMMARY
 *	Detects whether bytes are text, and in which of the charsets Japanese
 *	offices use. Converters are opened once (before the sandbox: glibc
 *	loads gconv modules from disk) and reused.
 */
#pragma once

#include <glib.h>

#include "carrier.h"

enum cdr_charset {
	CDR_CS_UNKNOWN, /* not text in any supported charset */
	CDR_CS_ASCII,
	CDR_CS_UTF8,
	CDR_CS_UTF16LE, /* with BOM */
	CDR_CS_UTF16BE, /* with BOM */
	CDR_CS_CP932,   /* Shift_JIS as Windows writes it */
	CDR_CS_EUCJP,
	CDR_CS_ISO2022JP,
};

struct cdr_charsets;

struct cdr_charsets *cdr_charsets_new(GError **error);
void cdr_charsets_free(struct cdr_charsets *cs);

const char *cdr_charset_name(enum cdr_charset cs);

/*
 * The charset the bytes are valid text in, or CDR_CS_UNKNOWN. Text means:
 * decodes without error and contains no control characters except tab,
 * line feed, carriage return, form feed and a trailing Ctrl-Z. Streams
 * through a fixed buffer; never holds a decoded copy.
 */
enum cdr_charset cdr_charset_detect_text(struct cdr_charsets *cs, const guint8 *data, gsize len);

/*
 * ISO-2022-JP to CP932 bytes, the way Japanese mailers mean it: JIS X 0208
 * including the NEC and IBM extension rows (which glibc's ISO-2022-JP
 * rejects), JIS X 0201 roman and half-width katakana (ESC ( I and SO/SI).
 * FALSE on an unknown escape sequence or a broken double-byte pair.
 */
gboolean cdr_charset_iso2022jp_to_cp932(const guint8 *data, gsize len, GByteArray *out);

enum cdr_decode_quality {
	CDR_DECODE_EXACT,   /* valid in the charset it was labelled with */
	CDR_DECODE_GUESSED, /* label missing, unknown or wrong: detected */
	CDR_DECODE_LOSSY,   /* some characters could not be decoded: each became 〓 */
};

/*
 * Decode text labelled with a MIME charset (NULL when none) to UTF-8.
 * Never fails. Japanese labels decode as mailers mean them (Shift_JIS as
 * CP932, ISO-2022-JP with the CP932 extension rows, EUC-JP with the
 * Microsoft extensions); ISO-8859-1 as Windows-1252. 7-bit text with JIS
 * escape sequences is ISO-2022-JP whatever an ASCII-compatible label
 * says. A label that does not fit the bytes, or no label, falls back to
 * detection, then to the reading with the fewest undecodable characters;
 * *quality says which happened. Decoding goes character by character: a
 * character that does not decode becomes 〓 (U+3013, the geta mark
 * Japanese uses for it) and the rest stays readable. NUL characters are
 * dropped, so the result is a C string holding all of the text.
 */
char *cdr_charset_decode(struct cdr_charsets *cs, const char *label, const guint8 *data, gsize len,
			 enum cdr_decode_quality *quality);

/*
 * The same for text from a sender on a Japanese mobile carrier: its emoji
 * (Shift_JIS user-defined rows, au's ISO-2022-JP rows 0x75-0x7C, the
 * private-use code points of UTF-8) become Unicode emoji; those Unicode
 * has none for become 〓 (and make the decoding LOSSY).
 */
char *cdr_charset_decode_from(struct cdr_charsets *cs, enum cdr_carrier carrier,
			      const char *label, const guint8 *data, gsize len,
			      enum cdr_decode_quality *quality);

/* The carrier's private-use emoji in UTF-8 text to Unicode emoji; each one
 * Unicode has none for becomes 〓 and is counted in *undecodable. */
void cdr_charset_map_carrier_emoji(enum cdr_carrier carrier, GString *text, guint *undecodable);

/*
 * UTF-8 to ISO-2022-JP as Japanese mailers write it (JIS X 0208 with the
 * NEC rows: ① ㈱; each ASCII run, and the end, in ASCII mode, so a line
 * break always follows ESC ( B). FALSE, with `out` partly written, when a
 * character does not fit: not in CP932, half-width katakana, or the IBM
 * and user-defined rows beyond JIS X 0208 — the caller then uses UTF-8.
 */
gboolean cdr_charset_utf8_to_iso2022jp(struct cdr_charsets *cs, const char *utf8, gsize len,
				       GString *out);
