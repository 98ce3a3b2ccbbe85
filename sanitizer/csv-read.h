/*
 * NAME
 *	csv-read.h - CSV bytes read as characters, the way each reader decodes them
 * SUMMARY
 *	A spreadsheet decides where cells start after decoding: Japanese
 *	Excel reads a .csv without a byte-order mark as CP932, LibreOffice as
 *	UTF-8 unless told otherwise, mail-era files are EUC-JP or ISO-2022-JP.
 *	The same bytes give other characters, so other cell starts, in each.
 *	A csv_reader walks the bytes as one of these encodings, one character
 *	at a time, and says where each character lies.
 */
#pragma once

#include <glib.h>

enum csv_encoding { /* up to CSV_EUCJP, an ASCII byte is always that character */
	CSV_UTF8,         /* UTF-8 (and ASCII); an invalid byte is one character */
	CSV_CP932,        /* a lead byte takes the next byte only when it is a trail byte */
	CSV_CP932_GREEDY, /* a lead byte always takes the next byte */
	CSV_EUCJP,
	CSV_ISO2022JP, /* escape sequences followed; they are invisible */
	CSV_UTF16LE,
	CSV_UTF16BE,
};

/* norm: what a character counts as when a cell is judged */
#define CSV_NORM_OTHER 0x100u /* not ASCII and not a fullwidth form of ASCII */

struct csv_char {
	guint32 code;    /* < 0x80: that ASCII character; else an id unique within the encoding */
	unsigned norm;   /* ASCII for ASCII and for fullwidth forms (＝ is '=', U+3000 ' '), else CSV_NORM_OTHER */
	gsize at;        /* byte offset */
	unsigned len;    /* bytes */
	gboolean hidden; /* ISO-2022-JP escape sequence, SO, SI: shows nothing */
};

struct csv_reader {
	const guint8 *p;
	gsize len, pos;
	enum csv_encoding enc;
	enum { JIS_ASCII, JIS_KANJI, JIS_KANA } jis; /* ISO-2022-JP mode */
	gboolean shifted;                             /* ISO-2022-JP: SO seen */
};

void csv_reader_init(struct csv_reader *r, const guint8 *data, gsize len, gsize start,
		     enum csv_encoding enc);

gboolean csv_reader_next_other(struct csv_reader *r, struct csv_char *c);

/* The next character, or FALSE at the end. ASCII in the encodings where
 * an ASCII byte is always that character is read here, the rest by
 * csv_reader_next_other(). */
static inline gboolean
csv_reader_next(struct csv_reader *r, struct csv_char *c)
{
	if (r->pos >= r->len)
		return FALSE;
	guint8 b = r->p[r->pos];
	if (b >= 0x80 || r->enc > CSV_EUCJP)
		return csv_reader_next_other(r, c);
	*c = (struct csv_char){ .code = b, .norm = b, .at = r->pos, .len = 1 };
	r->pos++;
	return TRUE;
}

/* Is the reader (ISO-2022-JP) in a mode where an ASCII byte is that character? */
gboolean csv_reader_in_ascii(const struct csv_reader *r);

/* "CP932", "UTF-8", ...: for reasons. */
const char *csv_encoding_name(enum csv_encoding enc);
