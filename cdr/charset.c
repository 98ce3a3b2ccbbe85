/*
 * NAME
 *	charset.c - text detection for UTF-8/16, CP932, EUC-JP, ISO-2022-JP
 * SUMMARY
 *	See charset.h. EUC-JP and CP932 overlap; when bytes are valid in both,
 *	the decoding with more kana wins (Japanese prose is mostly kana; the
 *	wrong decoding turns it into rare kanji and half-width katakana).
 */
#include "charset.h"

#include <errno.h>
#include <gio/gio.h>
#include <iconv.h>
#include <string.h>

/*
 * Every converter the engine may need, opened before the sandbox (iconv
 * loads gconv modules from disk). Mail labels map onto these; Japanese
 * labels onto the Microsoft supersets that Japanese mailers really use.
 */
enum {
	CD_CP932, CD_EUCJP, CD_UTF16LE, CD_UTF16BE,
	CD_CP1252, CD_LATIN2, CD_CP1250, CD_LATIN5, CD_LATIN7, CD_LATIN9, CD_KOI8R,
	CD_CP1251, CD_GB18030, CD_BIG5, CD_CP949, CD_UTF16, CD_UTF32, CD_UTF7,
	CD_COUNT
};

static const char *const cd_sources[CD_COUNT] = {
	"CP932", "EUC-JP-MS", "UTF-16LE", "UTF-16BE",
	"CP1252", "ISO-8859-2", "CP1250", "ISO-8859-9", "ISO-8859-13",
	"ISO-8859-15", "KOI8-R", "CP1251", "GB18030", "BIG5-HKSCS", "CP949", "UTF-16", "UTF-32",
	"UTF-7",
};

/* Mail charset labels (lower case) and what decodes them. */
#define CD_UTF8 (-1)
#define CD_JIS (-2)
static const struct {
	const char *label;
	int cd;
} labels[] = {
	{ "utf-8", CD_UTF8 }, { "utf8", CD_UTF8 }, { "us-ascii", CD_UTF8 }, { "ascii", CD_UTF8 },
	{ "iso-2022-jp", CD_JIS }, { "iso-2022-jp-1", CD_JIS }, { "iso-2022-jp-2", CD_JIS },
	{ "iso-2022-jp-3", CD_JIS }, { "iso-2022-jp-2004", CD_JIS }, { "csiso2022jp", CD_JIS }, { "iso-2022-jp-ms", CD_JIS },
	{ "cp50220", CD_JIS }, { "cp50221", CD_JIS }, { "cp50222", CD_JIS },
	{ "shift_jis", CD_CP932 }, { "shift-jis", CD_CP932 }, { "sjis", CD_CP932 },
	{ "x-sjis", CD_CP932 }, { "ms_kanji", CD_CP932 }, { "cp932", CD_CP932 },
	{ "windows-31j", CD_CP932 }, { "csshiftjis", CD_CP932 }, { "shift_jis-2004", CD_CP932 },
	{ "euc-jp", CD_EUCJP }, { "x-euc-jp", CD_EUCJP }, { "eucjp", CD_EUCJP },
	{ "euc-jp-ms", CD_EUCJP }, { "cseucpkdfmtjapanese", CD_EUCJP },
	{ "iso-8859-1", CD_CP1252 }, { "latin1", CD_CP1252 }, { "windows-1252", CD_CP1252 },
	{ "cp1252", CD_CP1252 }, { "iso-8859-2", CD_LATIN2 }, { "windows-1250", CD_CP1250 },
	{ "iso-8859-9", CD_LATIN5 }, { "iso-8859-13", CD_LATIN7 }, { "iso-8859-15", CD_LATIN9 },
	{ "koi8-r", CD_KOI8R }, { "windows-1251", CD_CP1251 }, { "gb2312", CD_GB18030 },
	{ "gbk", CD_GB18030 }, { "gb18030", CD_GB18030 }, { "x-gbk", CD_GB18030 },
	{ "big5", CD_BIG5 }, { "big5-hkscs", CD_BIG5 }, { "ks_c_5601-1987", CD_CP949 },
	{ "euc-kr", CD_CP949 }, { "cp949", CD_CP949 }, { "utf-16", CD_UTF16 },
	{ "utf-16le", CD_UTF16LE }, { "utf-16be", CD_UTF16BE }, { "utf-32", CD_UTF32 },
	{ "utf-7", CD_UTF7 },
};

/*
 * Not used by us, but held open so that glibc keeps their gconv modules
 * loaded: GMime opens converters by these names while parsing (RFC 2231
 * parameters), and inside the sandbox loading a module (open, mmap of a
 * file) would kill the worker.
 */
static const char *const kept_loaded[] = {
	"ISO-2022-JP", "ISO-2022-JP-2", "ISO-2022-JP-3", "SHIFT_JIS", "EUC-JP", "ISO-8859-1",
	"ISO-8859-3", "ISO-8859-4", "ISO-8859-5", "ISO-8859-6", "ISO-8859-7", "ISO-8859-8",
	"ISO-8859-10", "ISO-8859-11", "ISO-8859-14", "ISO-8859-16", "CP1253", "CP1254",
	"CP1255", "CP1256", "CP1257", "CP1258", "KOI8-U", "GBK", "GB2312", "BIG5", "EUC-KR",
	"EUC-TW", "ISO-2022-KR", "ISO-2022-CN", "TIS-620", "CP874", "VISCII", "UTF-7",
};

struct cdr_charsets {
	iconv_t cd[CD_COUNT];
	iconv_t kept[G_N_ELEMENTS(kept_loaded)];
	iconv_t to_cp932; /* UTF-8 -> CP932, for ISO-2022-JP output */
	GHashTable *jis_code; /* code point -> CP932 code inside JIS X 0208 rows */
};

struct cdr_charsets *
cdr_charsets_new(GError **error)
{
	struct cdr_charsets *cs = g_new0(struct cdr_charsets, 1);
	for (unsigned i = 0; i < CD_COUNT; i++) {
		cs->cd[i] = iconv_open("UTF-8", cd_sources[i]);
		if (cs->cd[i] == (iconv_t)-1) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
				    "iconv cannot convert from %s: %s", cd_sources[i],
				    g_strerror(errno));
			cdr_charsets_free(cs);
			return NULL;
		}
	}
	for (unsigned i = 0; i < G_N_ELEMENTS(kept_loaded); i++)
		cs->kept[i] = iconv_open("UTF-8", kept_loaded[i]); /* -1 if absent: fine */
	cs->to_cp932 = iconv_open("CP932", "UTF-8");
	if (cs->to_cp932 == (iconv_t)-1) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
			    "iconv cannot convert to CP932: %s", g_strerror(errno));
		cdr_charsets_free(cs);
		return NULL;
	}
	return cs;
}

void
cdr_charsets_free(struct cdr_charsets *cs)
{
	if (!cs)
		return;
	for (unsigned i = 0; i < CD_COUNT; i++)
		if (cs->cd[i] && cs->cd[i] != (iconv_t)-1)
			iconv_close(cs->cd[i]);
	for (unsigned i = 0; i < G_N_ELEMENTS(kept_loaded); i++)
		if (cs->kept[i] && cs->kept[i] != (iconv_t)-1)
			iconv_close(cs->kept[i]);
	if (cs->to_cp932 && cs->to_cp932 != (iconv_t)-1)
		iconv_close(cs->to_cp932);
	if (cs->jis_code)
		g_hash_table_unref(cs->jis_code);
	g_free(cs);
}

const char *
cdr_charset_name(enum cdr_charset cs)
{
	switch (cs) {
	case CDR_CS_ASCII: return "us-ascii";
	case CDR_CS_UTF8: return "utf-8";
	case CDR_CS_UTF16LE: return "utf-16le";
	case CDR_CS_UTF16BE: return "utf-16be";
	case CDR_CS_CP932: return "shift_jis";
	case CDR_CS_EUCJP: return "euc-jp";
	case CDR_CS_ISO2022JP: return "iso-2022-jp";
	case CDR_CS_UNKNOWN: break;
	}
	return "unknown";
}

struct text_stats {
	guint64 kana;
	gboolean ok;
};

/* Check decoded UTF-8 for control characters; count kana. `at_end`: last chunk. */
static void
scan_utf8(const char *s, gsize len, gboolean at_end, struct text_stats *st)
{
	const char *end = s + len;
	for (const char *p = s; p < end; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') {
			/* DOS text may end in Ctrl-Z. */
			if (!(c == 0x1a && at_end && p + 1 == end)) {
				st->ok = FALSE;
				return;
			}
		}
		if (c == 0x7f || (c >= 0x80 && c < 0xa0)) {
			st->ok = FALSE;
			return;
		}
		if (c >= 0x3041 && c <= 0x30ff)
			st->kana++;
	}
}

/* Stream `data` through `cd` into a fixed buffer, scanning the result. */
static struct text_stats
decode_and_scan(iconv_t cd, const guint8 *data, gsize len)
{
	struct text_stats st = { 0, TRUE };
	char buf[16384];
	char *in = (char *)data;
	size_t inleft = len;

	iconv(cd, NULL, NULL, NULL, NULL);
	while (st.ok) {
		char *outp = buf;
		size_t outleft = sizeof(buf);
		size_t rc = iconv(cd, inleft ? &in : NULL, &inleft, &outp, &outleft);
		int err = rc == (size_t)-1 ? errno : 0;
		scan_utf8(buf, sizeof(buf) - outleft, inleft == 0 && err == 0, &st);
		if (err == E2BIG)
			continue;
		if (err != 0 || inleft != 0)
			st.ok = FALSE; /* EILSEQ, or EINVAL: truncated sequence */
		break;
	}
	return st;
}

static gboolean
looks_like_iso2022jp(const guint8 *data, gsize len)
{
	for (gsize i = 0; i + 2 < len; i++)
		if (data[i] == 0x1b && (data[i + 1] == '$' || data[i + 1] == '('))
			return TRUE;
	return FALSE;
}

static gboolean
is_ascii(const guint8 *data, gsize len)
{
	for (gsize i = 0; i < len; i++)
		if (data[i] >= 0x80)
			return FALSE;
	return TRUE;
}

static void convert_lossy(iconv_t cd, const guint8 *data, gsize len, GString *out, guint *bad,
			  gsize (*char_length)(const guint8 *p, gsize left));
static gsize sjis_char_length(const guint8 *p, gsize left);

/* CP932 bytes made from well-formed JIS: text when they hold no control
 * characters, whether or not every code has a character. */
static gboolean
jis_is_text(struct cdr_charsets *cs, const GByteArray *sjis)
{
	g_autoptr(GString) utf8 = g_string_new(NULL);
	guint bad = 0;
	convert_lossy(cs->cd[CD_CP932], sjis->len ? sjis->data : (const guint8 *)"", sjis->len, utf8,
		      &bad, sjis_char_length);
	struct text_stats st = { 0, TRUE };
	scan_utf8(utf8->str, utf8->len, TRUE, &st);
	return st.ok;
}

enum cdr_charset
cdr_charset_detect_text(struct cdr_charsets *cs, const guint8 *data, gsize len)
{
	if (!data)
		data = (const guint8 *)"";
	if (len >= 2 && ((data[0] == 0xff && data[1] == 0xfe) || (data[0] == 0xfe && data[1] == 0xff))) {
		gboolean le = data[0] == 0xff;
		if (len % 2)
			return CDR_CS_UNKNOWN;
		return decode_and_scan(cs->cd[le ? CD_UTF16LE : CD_UTF16BE], data + 2, len - 2).ok
			       ? (le ? CDR_CS_UTF16LE : CDR_CS_UTF16BE)
			       : CDR_CS_UNKNOWN;
	}
	if (is_ascii(data, len)) {
		if (looks_like_iso2022jp(data, len)) {
			g_autoptr(GByteArray) sjis = g_byte_array_sized_new((guint)MIN(len, G_MAXUINT));
			if (!cdr_charset_iso2022jp_to_cp932(data, len, sjis))
				return CDR_CS_UNKNOWN;
			/* well-formed JIS is text even where a code is outside
			 * the tables (an emoji row, row 0x2F): 7-bit codes, no
			 * controls among them */
			return jis_is_text(cs, sjis) ? CDR_CS_ISO2022JP : CDR_CS_UNKNOWN;
		}
		struct text_stats st = { 0, TRUE };
		scan_utf8((const char *)data, len, TRUE, &st);
		return st.ok ? CDR_CS_ASCII : CDR_CS_UNKNOWN;
	}
	if (g_utf8_validate_len((const char *)data, len, NULL)) {
		gsize skip = len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
		struct text_stats st = { 0, TRUE };
		scan_utf8((const char *)data + skip, len - skip, TRUE, &st);
		return st.ok ? CDR_CS_UTF8 : CDR_CS_UNKNOWN;
	}
	struct text_stats sj = decode_and_scan(cs->cd[CD_CP932], data, len);
	struct text_stats euc = decode_and_scan(cs->cd[CD_EUCJP], data, len);
	if (sj.ok && euc.ok)
		return euc.kana > sj.kana ? CDR_CS_EUCJP : CDR_CS_CP932;
	if (sj.ok)
		return CDR_CS_CP932;
	if (euc.ok)
		return CDR_CS_EUCJP;
	return CDR_CS_UNKNOWN;
}

/* JIS X 0208 row/cell bytes (0x21-0x7e each) to Shift_JIS (CP932) bytes. */
static void
jis_to_sjis(guint8 j1, guint8 j2, guint8 out[2])
{
	guint8 s1 = (guint8)(((j1 - 0x21) >> 1) + 0x81);
	if (s1 > 0x9f)
		s1 += 0x40;
	guint8 s2;
	if (j1 & 1) {
		s2 = (guint8)(j2 + 0x1f);
		if (s2 >= 0x7f)
			s2++;
	} else {
		s2 = (guint8)(j2 + 0x7e);
	}
	out[0] = s1;
	out[1] = s2;
}

#define GETA "\xe3\x80\x93" /* U+3013, where a character could not be decoded */
static const guint8 geta_sjis[2] = { 0x81, 0xac };

/* Half-width katakana as CP932 bytes. */
static void
append_katakana(GByteArray *out, guint8 c)
{
	guint8 k = (guint8)(c + 0x80);
	g_byte_array_append(out, &k, 1);
}

static void
append_geta(GByteArray *out, guint *bad)
{
	g_byte_array_append(out, geta_sjis, 2);
	(*bad)++;
}

/*
 * The escape sequence at data[0] (ESC, intermediates 0x20-0x2F, a final
 * 0x30-0x7E): its length, 0 when cut off. *set is the designation:
 * intermediates and final, e.g. "$B", "(I", "$(D".
 */
static gsize
escape_at(const guint8 *data, gsize len, char set[8])
{
	gsize i = 1;
	while (i < len && data[i] >= 0x20 && data[i] <= 0x2f)
		i++;
	if (i >= len || data[i] < 0x30 || data[i] > 0x7e || i > 6)
		return 0;
	memcpy(set, data + 1, i);
	set[i] = '\0';
	return i + 1;
}

enum jis_mode {
	JIS_ROMAN,
	JIS_KANJI,     /* JIS X 0208 (and 0213 plane 1, a superset read the same) */
	JIS_KATAKANA,  /* JIS X 0201 half-width katakana */
	JIS_OTHER,     /* a 94x94 set we cannot read (JIS X 0212, GB 2312, KS C 5601) */
};

/* What a designation switches to; FALSE for one we do not know. */
static gboolean
jis_designation(const char *set, gboolean lenient, enum jis_mode *mode)
{
	static const struct {
		const char *set;
		enum jis_mode mode;
		gboolean strict; /* plain ISO-2022-JP (RFC 1468) and JIS X 0201 katakana */
	} sets[] = {
		{ "(B", JIS_ROMAN, TRUE },  { "(J", JIS_ROMAN, TRUE },   { "(H", JIS_ROMAN, TRUE },
		{ "(I", JIS_KATAKANA, TRUE }, { "$B", JIS_KANJI, TRUE }, { "$@", JIS_KANJI, TRUE },
		{ "$(B", JIS_KANJI, FALSE }, { "$(O", JIS_KANJI, FALSE }, { "$(Q", JIS_KANJI, FALSE },
		{ "$(D", JIS_OTHER, FALSE }, { "$A", JIS_OTHER, FALSE },  { "$(C", JIS_OTHER, FALSE },
	};
	for (unsigned i = 0; i < G_N_ELEMENTS(sets); i++)
		if (strcmp(set, sets[i].set) == 0 && (lenient || sets[i].strict)) {
			*mode = sets[i].mode;
			return TRUE;
		}
	return FALSE;
}

/*
 * ISO-2022-JP to CP932 bytes. Strict (bad == NULL): FALSE on an unknown
 * escape, a broken double-byte pair or an 8-bit byte. Lenient: those
 * become 〓 (counted in *bad), 8-bit bytes are passed on for the CP932
 * reading, and so are the codes of rows CP932 does not have (its decoder
 * then counts them).
 */
static gboolean
iso2022jp_to_cp932(const guint8 *data, gsize len, GByteArray *out, guint *bad)
{
	enum jis_mode mode = JIS_ROMAN;
	gboolean shifted = FALSE; /* SO: half-width katakana until SI */
	gboolean lenient = bad != NULL;

	for (gsize i = 0; i < len; i++) {
		guint8 c = data[i];
		if (c == 0x1b) {
			char set[8];
			gsize n = escape_at(data + i, len - i, set);
			if (n && strcmp(set, "&@") == 0) {
				i += n - 1; /* JIS X 0208-1990 announcer: ESC $ B follows */
				continue;
			}
			if (n && jis_designation(set, lenient, &mode)) {
				i += n - 1;
				continue;
			}
			if (!lenient)
				return FALSE;
			append_geta(out, bad); /* an escape we cannot read */
			if (!n)
				break;
			/* what follows is in a set we cannot read: double-byte
			 * codes become 〓, single bytes are read as ASCII */
			mode = set[0] == '$' ? JIS_OTHER : JIS_ROMAN;
			i += n - 1;
			continue;
		}
		if (c == 0x0e || c == 0x0f) {
			shifted = c == 0x0e;
			continue;
		}
		if (c >= 0x80 && !lenient)
			return FALSE;
		if (c == '\r' || c == '\n') {
			/* RFC 1468: every line ends in ASCII; a writer that forgot
			 * must not turn the next line into kanji. */
			mode = JIS_ROMAN;
			shifted = FALSE;
			g_byte_array_append(out, &c, 1);
			continue;
		}
		if ((mode == JIS_KATAKANA || shifted) && c >= 0x21 && c <= 0x5f) {
			append_katakana(out, c);
		} else if ((mode == JIS_KANJI || mode == JIS_OTHER) && c >= 0x21 && c <= 0x7e) {
			if (i + 1 >= len || data[i + 1] < 0x21 || data[i + 1] > 0x7e) {
				if (!lenient)
					return FALSE;
				append_geta(out, bad); /* half a pair */
				continue;
			}
			guint8 s[2];
			jis_to_sjis(c, data[i + 1], s);
			if (mode == JIS_OTHER)
				append_geta(out, bad);
			else
				g_byte_array_append(out, s, 2);
			i++;
		} else {
			g_byte_array_append(out, &c, 1);
		}
	}
	return TRUE;
}

gboolean
cdr_charset_iso2022jp_to_cp932(const guint8 *data, gsize len, GByteArray *out)
{
	return iso2022jp_to_cp932(data, len, out, NULL);
}

/* ---- decoding labelled text (mail) ------------------------------------- */

static int
cd_for_label(const char *label)
{
	if (!label)
		return CD_COUNT;
	for (unsigned i = 0; i < G_N_ELEMENTS(labels); i++)
		if (g_ascii_strcasecmp(label, labels[i].label) == 0)
			return labels[i].cd;
	return CD_COUNT; /* unknown */
}

/* How many bytes the character at p takes, for skipping one that does not
 * decode. */
typedef gsize (*char_length_fn)(const guint8 *p, gsize left);

static gsize
one_byte(const guint8 *p, gsize left)
{
	(void)p;
	(void)left;
	return 1;
}

static gboolean
sjis_lead(guint8 c)
{
	return (c >= 0x81 && c <= 0x9f) || (c >= 0xe0 && c <= 0xfc);
}

static gboolean
sjis_trail(guint8 c)
{
	return c >= 0x40 && c <= 0xfc && c != 0x7f;
}

static gsize
sjis_char_length(const guint8 *p, gsize left)
{
	return left >= 2 && sjis_lead(p[0]) && sjis_trail(p[1]) ? 2 : 1;
}

static gsize
eucjp_char_length(const guint8 *p, gsize left)
{
	gsize n = p[0] == 0x8f ? 3 : p[0] == 0x8e || (p[0] >= 0xa1 && p[0] < 0xff) ? 2 : 1;
	for (gsize i = 1; i < n; i++)
		if (i >= left || p[i] < 0xa1 || p[i] == 0xff)
			return i; /* a broken sequence: skip what belongs to it */
	return n;
}

/*
 * Convert all of data with cd. Lossy (bad set): each character that does
 * not decode becomes 〓, counted in *bad, and TRUE. Strict (bad NULL):
 * FALSE at the first character that does not decode.
 */
static gboolean
convert_with(iconv_t cd, const guint8 *data, gsize len, GString *out, guint *bad,
	     char_length_fn char_length)
{
	char buf[8192];
	char *in = (char *)data;
	size_t inleft = len;

	iconv(cd, NULL, NULL, NULL, NULL);
	for (;;) {
		char *outp = buf;
		size_t outleft = sizeof(buf);
		size_t rc = iconv(cd, inleft ? &in : NULL, &inleft, &outp, &outleft);
		int err = rc == (size_t)-1 ? errno : 0;
		g_string_append_len(out, buf, (gssize)(sizeof(buf) - outleft));
		if (err == E2BIG)
			continue;
		if (inleft == 0 && err == 0)
			return TRUE;
		if (!bad)
			return FALSE;
		if (inleft == 0)
			return TRUE;
		g_string_append(out, GETA);
		(*bad)++;
		gsize skip = MIN(char_length((const guint8 *)in, inleft), inleft);
		in += skip;
		inleft -= skip;
		iconv(cd, NULL, NULL, NULL, NULL);
	}
}

static void
convert_lossy(iconv_t cd, const guint8 *data, gsize len, GString *out, guint *bad,
	      char_length_fn char_length)
{
	convert_with(cd, data, len, out, bad, char_length);
}

static gboolean
convert(iconv_t cd, const guint8 *data, gsize len, GString *out)
{
	return convert_with(cd, data, len, out, NULL, one_byte);
}

/*
 * Shift_JIS as CP932, one character at a time where needed: the sender's
 * carrier emoji become Unicode emoji; a code CP932 does not have, a byte
 * that starts no character, and (from a phone) a user-defined code that
 * is no emoji become 〓, counted in *bad.
 */
static void
decode_sjis(struct cdr_charsets *cs, enum cdr_carrier carrier, const guint8 *data, gsize len,
	    GString *out, guint *bad)
{
	gsize run = 0; /* start of the bytes CP932 reads as they are */
	for (gsize i = 0; i < len;) {
		guint8 c = data[i];
		if (c < 0x80 || (c >= 0xa1 && c <= 0xdf)) {
			i++;
			continue;
		}
		gboolean pair = i + 1 < len && sjis_lead(c) && sjis_trail(data[i + 1]);
		guint16 code = 0;
		gboolean emoji_row = pair && carrier != CDR_CARRIER_NONE &&
				     (cdr_carrier_sjis_code(carrier, c, data[i + 1], &code) ||
				      (c >= 0xf0 && c <= 0xf9));
		if (pair && !emoji_row) {
			i += 2;
			continue;
		}
		convert_lossy(cs->cd[CD_CP932], data + run, i - run, out, bad, sjis_char_length);
		const char *emoji = code ? cdr_carrier_emoji(carrier, code) : NULL;
		if (emoji) {
			g_string_append(out, emoji);
		} else {
			g_string_append(out, GETA);
			(*bad)++;
		}
		i += pair ? 2 : 1;
		run = i;
	}
	convert_lossy(cs->cd[CD_CP932], data + run, len - run, out, bad, sjis_char_length);
}

static void
decode_jis(struct cdr_charsets *cs, enum cdr_carrier carrier, const guint8 *data, gsize len,
	   GString *out, guint *bad)
{
	g_autoptr(GByteArray) sjis = g_byte_array_sized_new((guint)MIN(len, G_MAXUINT / 2));
	iso2022jp_to_cp932(data, len, sjis, bad);
	decode_sjis(cs, carrier, sjis->len ? sjis->data : (const guint8 *)"", sjis->len, out, bad);
}

/* UTF-8 as it is; each byte of an invalid sequence becomes 〓. */
static void
decode_utf8(const guint8 *data, gsize len, GString *out, guint *bad)
{
	const char *p = (const char *)data, *end = p + len;
	while (p < end) {
		const char *valid_end;
		g_utf8_validate_len(p, (gsize)(end - p), &valid_end);
		g_string_append_len(out, p, valid_end - p);
		if (valid_end == end)
			break;
		g_string_append(out, GETA);
		(*bad)++;
		p = valid_end + 1;
	}
}

/* Carrier emoji in their private-use form to Unicode emoji (〓, counted,
 * when Unicode has none). */
void
cdr_charset_map_carrier_emoji(enum cdr_carrier carrier, GString *text, guint *bad)
{
	if (carrier == CDR_CARRIER_NONE)
		return;
	gboolean any = FALSE;
	for (const char *p = text->str; *p && !any; p = g_utf8_next_char(p)) {
		guint16 code;
		any = cdr_carrier_pua_code(carrier, g_utf8_get_char(p), &code);
	}
	if (!any)
		return;
	g_autoptr(GString) mapped = g_string_sized_new(text->len);
	for (const char *p = text->str; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		guint16 code;
		const char *emoji = NULL;
		if (!cdr_carrier_pua_code(carrier, c, &code)) {
			g_string_append_unichar(mapped, c);
		} else if ((emoji = cdr_carrier_emoji(carrier, code))) {
			g_string_append(mapped, emoji);
		} else {
			g_string_append(mapped, GETA);
			(*bad)++;
		}
	}
	g_string_assign(text, mapped->str);
}

/* Decode with one converter; the number of characters that became 〓. */
static guint
decode_with(struct cdr_charsets *cs, enum cdr_carrier carrier, int cd, const guint8 *data,
	    gsize len, GString *out)
{
	guint bad = 0;
	switch (cd) {
	case CD_JIS:
		decode_jis(cs, carrier, data, len, out, &bad);
		break;
	case CD_CP932:
		decode_sjis(cs, carrier, data, len, out, &bad);
		break;
	case CD_EUCJP:
		convert_lossy(cs->cd[cd], data, len, out, &bad, eucjp_char_length);
		break;
	case CD_UTF8:
		decode_utf8(data, len, out, &bad);
		cdr_charset_map_carrier_emoji(carrier, out, &bad);
		break;
	default:
		convert_lossy(cs->cd[cd], data, len, out, &bad, one_byte);
		cdr_charset_map_carrier_emoji(carrier, out, &bad);
		break;
	}
	return bad;
}

/*
 * How Japanese a reading looks: kana count for it, half-width katakana
 * against it. Prose is mostly kana; reading EUC-JP as Shift_JIS (or the
 * reverse) gives rare kanji and runs of half-width katakana instead.
 */
static gint64
japanese_score(const GString *s)
{
	gint64 n = 0;
	for (const char *p = s->str; p < s->str + s->len; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		n += c >= 0x3041 && c <= 0x30ff;
		n -= c >= 0xff61 && c <= 0xff9f;
	}
	return n;
}

/* 7-bit bytes that designate JIS X 0208: ISO-2022-JP whatever the label. */
static gboolean
has_jis_kanji_escape(const guint8 *data, gsize len)
{
	for (gsize i = 0; i + 2 < len; i++)
		if (data[i] == 0x1b && data[i + 1] == '$' && (data[i + 2] == 'B' || data[i + 2] == '@'))
			return TRUE;
	return FALSE;
}

/* Labels whose 7-bit bytes are ASCII, so JIS escapes in them mean JIS. */
static gboolean
ascii_compatible(int cd)
{
	return cd != CD_UTF16 && cd != CD_UTF16LE && cd != CD_UTF16BE && cd != CD_UTF32 &&
	       cd != CD_UTF7;
}

/*
 * Of the candidate decoders, the one with the fewest undecodable
 * characters (then the one that looks most Japanese, then the earlier
 * candidate) into `out`; *score is its japanese_score.
 */
static guint
decode_best(struct cdr_charsets *cs, enum cdr_carrier carrier, const int *cds, unsigned n,
	    const guint8 *data, gsize len, GString *out, gint64 *score)
{
	guint best_bad = G_MAXUINT;
	gint64 best_score = 0;
	for (unsigned i = 0; i < n; i++) {
		g_autoptr(GString) s = g_string_new(NULL);
		guint bad = decode_with(cs, carrier, cds[i], data, len, s);
		gint64 js = japanese_score(s);
		if (bad < best_bad || (bad == best_bad && js > best_score)) {
			best_bad = bad;
			best_score = js;
			g_string_truncate(out, 0);
			g_string_append_len(out, s->str, (gssize)s->len); /* may hold NULs */
		}
	}
	*score = best_score;
	return best_bad;
}

/* U+0000 is a 0 byte in UTF-8 and nothing else is: drop them, so no
 * reader stops at one and misses what follows. */
static char *
without_nul(GString *s)
{
	gsize kept = 0;
	for (gsize i = 0; i < s->len; i++)
		if (s->str[i])
			s->str[kept++] = s->str[i];
	g_string_truncate(s, kept);
	return g_string_free(s, FALSE);
}

char *
cdr_charset_decode_from(struct cdr_charsets *cs, enum cdr_carrier carrier, const char *label,
			const guint8 *data, gsize len, enum cdr_decode_quality *quality)
{
	GString *out = g_string_sized_new(len + 16);
	int cd = cd_for_label(label);
	if (!data) /* an empty buffer may come without one */
		data = (const guint8 *)"";
	gboolean seven_bit = is_ascii(data, len);

	/* 7-bit JIS: read it character by character, never as ASCII with
	 * escape sequences in it (ASCII is valid in every other reading) */
	if (seven_bit && (cd == CD_JIS || (ascii_compatible(cd) && has_jis_kanji_escape(data, len)))) {
		guint bad = decode_with(cs, carrier, CD_JIS, data, len, out);
		*quality = bad ? CDR_DECODE_LOSSY : cd == CD_JIS ? CDR_DECODE_EXACT : CDR_DECODE_GUESSED;
		return without_nul(out);
	}
	/* the label, if it reads every character */
	gboolean labelled = cd != CD_COUNT && cd != CD_JIS;
	guint label_bad = 0;
	gint64 label_score = 0;
	*quality = CDR_DECODE_EXACT;
	if (labelled) {
		label_bad = decode_with(cs, carrier, cd, data, len, out);
		if (!label_bad)
			return without_nul(out);
		label_score = japanese_score(out);
	}
	/* a reading that decodes everything, unless the label's reading of
	 * all but a few characters looks more Japanese than it (one
	 * character EUC-JP lacks must not turn the text into half-width
	 * katakana) */
	static const int guesses[] = { CD_CP932, CD_EUCJP };
	g_autoptr(GString) guess = g_string_new(NULL);
	gint64 guess_score = 0;
	/* valid UTF-8 is UTF-8 (Japanese legacy text almost never is) */
	gboolean guessed = decode_with(cs, carrier, CD_UTF8, data, len, guess) == 0;
	if (guessed)
		guess_score = japanese_score(guess);
	else
		guessed = decode_best(cs, carrier, guesses, G_N_ELEMENTS(guesses), data, len, guess,
				      &guess_score) == 0;
	if (guessed && (!labelled || guess_score >= label_score)) {
		*quality = CDR_DECODE_GUESSED;
		g_string_assign(out, "");
		g_string_append_len(out, guess->str, (gssize)guess->len);
		return without_nul(out);
	}
	*quality = CDR_DECODE_LOSSY;
	if (cd == CD_JIS || (ascii_compatible(cd) && has_jis_kanji_escape(data, len))) {
		g_string_truncate(out, 0);
		decode_with(cs, carrier, CD_JIS, data, len, out); /* JIS with stray 8-bit bytes */
		return without_nul(out);
	}
	if (labelled)
		return without_nul(out); /* the label's reading, 〓 where it fails */
	g_string_truncate(out, 0);
	static const int readings[] = { CD_UTF8, CD_CP932, CD_EUCJP };
	gint64 ignored;
	decode_best(cs, carrier, readings, G_N_ELEMENTS(readings), data, len, out, &ignored);
	return without_nul(out);
}

char *
cdr_charset_decode(struct cdr_charsets *cs, const char *label, const guint8 *data, gsize len,
		   enum cdr_decode_quality *quality)
{
	return cdr_charset_decode_from(cs, CDR_CARRIER_NONE, label, data, len, quality);
}

/* ---- ISO-2022-JP output ----------------------------------------------------- */

/* Shift_JIS (CP932) double byte to JIS X 0208 row/cell; FALSE outside JIS. */
static gboolean
sjis_to_jis(guint8 s1, guint8 s2, guint8 out[2])
{
	if (s2 < 0x40 || s2 == 0x7f || s2 > 0xfc)
		return FALSE;
	if (s1 >= 0xe0)
		s1 -= 0x40;
	guint8 j1 = (guint8)((s1 - 0x81) * 2 + 0x21);
	guint8 j2;
	if (s2 >= 0x9f) {
		j1++;
		j2 = (guint8)(s2 - 0x7e);
	} else {
		j2 = (guint8)(s2 - 0x1f - (s2 >= 0x80));
	}
	if (j1 < 0x21 || j1 > 0x7e || j2 < 0x21 || j2 > 0x7e)
		return FALSE;
	out[0] = j1;
	out[1] = j2;
	return TRUE;
}

/*
 * CP932 has some characters twice: in the IBM extension rows (0xfa-0xfc,
 * beyond JIS X 0208) and in the NEC rows (row 13, NEC-selected IBM rows
 * 89-92, inside it). iconv picks the IBM code for 髙; ISO-2022-JP needs the
 * other. The map from code point to the code inside JIS X 0208 is built
 * once, from CP932 itself, on first use.
 */
static GHashTable *
jis_codes(struct cdr_charsets *cs)
{
	if (cs->jis_code)
		return cs->jis_code;
	cs->jis_code = g_hash_table_new(NULL, NULL);
	for (unsigned lead = 0x81; lead <= 0xef; lead++) {
		if (lead > 0x9f && lead < 0xe0)
			continue;
		for (unsigned trail = 0x40; trail <= 0xfc; trail++) {
			guint8 pair[2] = { (guint8)lead, (guint8)trail }, jis[2];
			g_autoptr(GString) u = g_string_new(NULL);
			if (trail == 0x7f || !sjis_to_jis(pair[0], pair[1], jis) ||
			    !convert(cs->cd[CD_CP932], pair, 2, u) || !u->len)
				continue;
			gpointer key = GUINT_TO_POINTER(g_utf8_get_char(u->str));
			if (!g_hash_table_contains(cs->jis_code, key))
				g_hash_table_insert(cs->jis_code, key, GUINT_TO_POINTER(lead << 8 | trail));
		}
	}
	return cs->jis_code;
}

/* The JIS X 0208 code of an IBM-row CP932 character, if it has one. */
static gboolean
ibm_to_jis(struct cdr_charsets *cs, guint8 s1, guint8 s2, guint8 jis[2])
{
	guint8 pair[2] = { s1, s2 };
	g_autoptr(GString) u = g_string_new(NULL);
	if (!convert(cs->cd[CD_CP932], pair, 2, u) || !u->len)
		return FALSE;
	guint code = GPOINTER_TO_UINT(g_hash_table_lookup(jis_codes(cs),
							  GUINT_TO_POINTER(g_utf8_get_char(u->str))));
	return code && sjis_to_jis((guint8)(code >> 8), (guint8)code, jis);
}

gboolean
cdr_charset_utf8_to_iso2022jp(struct cdr_charsets *cs, const char *utf8, gsize len, GString *out)
{
	g_autoptr(GString) sjis = g_string_new(NULL);
	if (!convert(cs->to_cp932, (const guint8 *)utf8, len, sjis))
		return FALSE; /* a character CP932 does not have */
	gboolean kanji = FALSE;
	for (gsize i = 0; i < sjis->len; i++) {
		guint8 c = (guint8)sjis->str[i];
		if (c < 0x80) {
			if (kanji)
				g_string_append(out, "\x1b(B");
			kanji = FALSE;
			if (c == 0x1b || c == 0x0e || c == 0x0f)
				return FALSE; /* would be read as a shift */
			g_string_append_c(out, (char)c);
			continue;
		}
		guint8 jis[2];
		/* half-width katakana (0xa1-0xdf) is not allowed in ISO-2022-JP;
		 * 0xf0-0xf9 is user-defined; 0xfa-0xfc (IBM) maps when NEC has it */
		if (c < 0x81 || (c > 0x9f && c < 0xe0) || i + 1 >= sjis->len)
			return FALSE;
		guint8 c2 = (guint8)sjis->str[i + 1];
		gboolean ok = c >= 0xfa ? ibm_to_jis(cs, c, c2, jis)
			      : c <= 0xef ? sjis_to_jis(c, c2, jis)
					  : FALSE;
		if (!ok)
			return FALSE;
		if (!kanji)
			g_string_append(out, "\x1b$B");
		kanji = TRUE;
		g_string_append_len(out, (const char *)jis, 2);
		i++;
	}
	if (kanji)
		g_string_append(out, "\x1b(B");
	return TRUE;
}
