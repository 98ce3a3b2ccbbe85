/*
 * NAME
 *	csv-read.c - CSV bytes read as characters in one encoding
 * SUMMARY
 *	See csv-read.h. What matters for a cell is where characters start and
 *	which of them are ASCII structure (separators, quotes, line ends) or
 *	formula signs, also in their fullwidth forms (＝＋－＠, U+3000): those
 *	are told apart exactly; every other character is only "other".
 * DESCRIPTION
 *	Invalid bytes are read as one character each, the way a lenient
 *	decoder (Windows' MultiByteToWideChar, the WHATWG decoders) goes on
 *	after them. For CP932 a second reading takes a lead byte and whatever
 *	follows as one character, because decoders differ there and a quote
 *	or separator hidden behind a lead byte changes every cell after it.
 */
#include "csv-read.h"

enum {
	CODE_CP932_PAIR = 0x1000000,
	CODE_BYTE = 0x2000000,
	CODE_EUC = 0x3000000,
	CODE_JIS = 0x4000000,
	CODE_JIS_KANA = 0x5000000,
	CODE_HIDDEN = 0x6000000,
};

/* The row 1 and row 3 characters of JIS X 0208 that a cell judge must know. */
static unsigned
norm_jis(unsigned jis)
{
	if (jis >= 0x2330 && jis <= 0x2339)
		return '0' + (jis - 0x2330);
	switch (jis) {
	case 0x2121: return ' ';
	case 0x2124: return ',';
	case 0x2125: return '.';
	case 0x2127: return ':';
	case 0x213f: return '/';
	case 0x215c: return '+';
	case 0x215d: return '-';
	case 0x2161: return '=';
	case 0x2173: return '%';
	case 0x2177: return '@';
	case 0x2345: return 'E';
	case 0x2365: return 'e';
	}
	return CSV_NORM_OTHER;
}

static unsigned
norm_unicode(gunichar c)
{
	if (c < 0x80)
		return c;
	if (c >= 0xff01 && c <= 0xff5e) /* fullwidth ASCII */
		return c - 0xfee0;
	/* spaces a reader may trim or show as nothing: ideographic, no-break,
	 * the typographic ones, zero-width, word joiner, BOM inside text */
	if (c == 0x3000 || c == 0xa0 || (c >= 0x2000 && c <= 0x200d) || c == 0x202f ||
	    c == 0x205f || c == 0x2060 || c == 0xfeff)
		return ' ';
	if (c == 0x2212) /* minus sign: what EUC-JP decoders make of － */
		return '-';
	return CSV_NORM_OTHER;
}

/* JIS code of a CP932 pair in rows 1 to 4 (lead 0x81, 0x82), else 0. */
static unsigned
cp932_row1to4_jis(guint8 lead, guint8 trail)
{
	if (lead != 0x81 && lead != 0x82)
		return 0;
	if (trail >= 0x9f)
		return (unsigned)((lead == 0x81 ? 0x22 : 0x24) << 8 | (trail - 0x7e));
	return (unsigned)((lead == 0x81 ? 0x21 : 0x23) << 8 | (trail < 0x80 ? trail - 0x1f : trail - 0x20));
}

static gboolean
is_cp932_lead(guint8 b)
{
	return (b >= 0x81 && b <= 0x9f) || (b >= 0xe0 && b <= 0xfc);
}

static gboolean
is_cp932_trail(guint8 b)
{
	return (b >= 0x40 && b <= 0x7e) || (b >= 0x80 && b <= 0xfc);
}

void
csv_reader_init(struct csv_reader *r, const guint8 *data, gsize len, gsize start,
		enum csv_encoding enc)
{
	*r = (struct csv_reader){ .p = data, .len = len, .pos = MIN(start, len), .enc = enc };
}

static void
set(struct csv_char *c, guint32 code, unsigned norm, gsize at, unsigned len)
{
	*c = (struct csv_char){ .code = code, .norm = norm, .at = at, .len = len };
}

static void
read_utf8(struct csv_reader *r, struct csv_char *c)
{
	const guint8 *p = r->p + r->pos;
	gunichar u = g_utf8_get_char_validated((const char *)p, (gssize)MIN(r->len - r->pos, 6));
	if (u == (gunichar)-1 || u == (gunichar)-2)
		set(c, CODE_BYTE | p[0], CSV_NORM_OTHER, r->pos, 1);
	else
		set(c, u, norm_unicode(u), r->pos, (unsigned)g_utf8_skip[p[0]]);
}

static void
read_cp932(struct csv_reader *r, struct csv_char *c, gboolean greedy)
{
	guint8 b = r->p[r->pos];
	gboolean next = r->pos + 1 < r->len;
	if (is_cp932_lead(b) && next && (greedy || is_cp932_trail(r->p[r->pos + 1]))) {
		guint8 t = r->p[r->pos + 1];
		unsigned jis = is_cp932_trail(t) ? cp932_row1to4_jis(b, t) : 0;
		set(c, CODE_CP932_PAIR | (guint32)b << 8 | t, jis ? norm_jis(jis) : CSV_NORM_OTHER,
		    r->pos, 2);
	} else {
		set(c, CODE_BYTE | b, CSV_NORM_OTHER, r->pos, 1);
	}
}

static gboolean
in_range(const struct csv_reader *r, gsize at, guint8 lo, guint8 hi)
{
	return at < r->len && r->p[at] >= lo && r->p[at] <= hi;
}

static void
read_eucjp(struct csv_reader *r, struct csv_char *c)
{
	gsize at = r->pos;
	guint8 b = r->p[at];
	if (b == 0x8e && in_range(r, at + 1, 0xa1, 0xdf))
		set(c, CODE_EUC | (guint32)b << 8 | r->p[at + 1], CSV_NORM_OTHER, at, 2);
	else if (b == 0x8f && in_range(r, at + 1, 0xa1, 0xfe) && in_range(r, at + 2, 0xa1, 0xfe))
		set(c, CODE_EUC | (guint32)b << 16 | (guint32)r->p[at + 1] << 8 | r->p[at + 2],
		    CSV_NORM_OTHER, at, 3);
	else if (b >= 0xa1 && b <= 0xfe && in_range(r, at + 1, 0xa1, 0xfe))
		set(c, CODE_EUC | (guint32)b << 8 | r->p[at + 1],
		    norm_jis((unsigned)((b - 0x80) << 8 | (r->p[at + 1] - 0x80))), at, 2);
	else
		set(c, CODE_BYTE | b, CSV_NORM_OTHER, at, 1);
}

/* An escape sequence at r->pos: its length, changing the mode. */
static unsigned
jis_escape(struct csv_reader *r)
{
	gsize at = r->pos;
	guint8 a = at + 1 < r->len ? r->p[at + 1] : 0, b = at + 2 < r->len ? r->p[at + 2] : 0;
	if (a == '(' && b) {
		r->jis = b == 'I' ? JIS_KANA : JIS_ASCII;
		return 3;
	}
	if (a == '$' && (b == '@' || b == 'B' || b == 'A')) {
		r->jis = JIS_KANJI;
		return 3;
	}
	if (a == '$' && b == '(' && at + 3 < r->len) {
		r->jis = JIS_KANJI;
		return 4;
	}
	if (a == '&' && b == '@')
		return 3;
	return 1;
}

static void
read_iso2022jp(struct csv_reader *r, struct csv_char *c)
{
	gsize at = r->pos;
	guint8 b = r->p[at];
	if (b == 0x1b) {
		unsigned n = jis_escape(r);
		set(c, CODE_HIDDEN, CSV_NORM_OTHER, at, n);
		c->hidden = TRUE;
		return;
	}
	if (b == 0x0e || b == 0x0f) {
		r->shifted = b == 0x0e;
		set(c, CODE_HIDDEN, CSV_NORM_OTHER, at, 1);
		c->hidden = TRUE;
		return;
	}
	if (b == '\n' || b == '\r') { /* mailers end every line in ASCII */
		r->jis = JIS_ASCII;
		r->shifted = FALSE;
	}
	gboolean graphic = b >= 0x21 && b <= 0x7e;
	if (graphic && (r->shifted || r->jis == JIS_KANA))
		set(c, CODE_JIS_KANA | b, CSV_NORM_OTHER, at, 1);
	else if (graphic && r->jis == JIS_KANJI && in_range(r, at + 1, 0x21, 0x7e))
		set(c, CODE_JIS | (guint32)b << 8 | r->p[at + 1],
		    norm_jis((unsigned)(b << 8 | r->p[at + 1])), at, 2);
	else if (b < 0x80 && !(graphic && r->jis == JIS_KANJI))
		set(c, b, b, at, 1);
	else
		set(c, CODE_BYTE | b, CSV_NORM_OTHER, at, 1);
}

static void
read_utf16(struct csv_reader *r, struct csv_char *c, gboolean be)
{
	gsize at = r->pos;
	if (at + 2 > r->len) {
		set(c, CODE_BYTE | r->p[at], CSV_NORM_OTHER, at, 1);
		return;
	}
#define UNIT(i) (be ? (gunichar)(r->p[(i)] << 8 | r->p[(i) + 1]) : (gunichar)(r->p[(i) + 1] << 8 | r->p[(i)]))
	gunichar u = UNIT(at);
	if (u >= 0xd800 && u <= 0xdbff && at + 4 <= r->len) {
		gunichar lo = UNIT(at + 2);
		if (lo >= 0xdc00 && lo <= 0xdfff) {
			set(c, 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00), CSV_NORM_OTHER, at, 4);
			return;
		}
	}
#undef UNIT
	set(c, u, norm_unicode(u), at, 2);
}

gboolean
csv_reader_next_other(struct csv_reader *r, struct csv_char *c)
{
	if (r->pos >= r->len)
		return FALSE;
	switch (r->enc) {
	case CSV_UTF8: read_utf8(r, c); break;
	case CSV_CP932: read_cp932(r, c, FALSE); break;
	case CSV_CP932_GREEDY: read_cp932(r, c, TRUE); break;
	case CSV_EUCJP: read_eucjp(r, c); break;
	case CSV_ISO2022JP: read_iso2022jp(r, c); break;
	case CSV_UTF16LE: read_utf16(r, c, FALSE); break;
	case CSV_UTF16BE: read_utf16(r, c, TRUE); break;
	}
	r->pos += c->len;
	return TRUE;
}

gboolean
csv_reader_in_ascii(const struct csv_reader *r)
{
	return r->enc != CSV_ISO2022JP || (r->jis == JIS_ASCII && !r->shifted);
}

const char *
csv_encoding_name(enum csv_encoding enc)
{
	switch (enc) {
	case CSV_UTF8: return "UTF-8";
	case CSV_CP932: return "CP932";
	case CSV_CP932_GREEDY: return "CP932 (lead bytes taking any next byte)";
	case CSV_EUCJP: return "EUC-JP";
	case CSV_ISO2022JP: return "ISO-2022-JP";
	case CSV_UTF16LE: return "UTF-16LE";
	case CSV_UTF16BE: return "UTF-16BE";
	}
	return "?";
}
