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
	{ "iso-2022-jp-3", CD_JIS }, { "csiso2022jp", CD_JIS }, { "iso-2022-jp-ms", CD_JIS },
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

enum cdr_charset
cdr_charset_detect_text(struct cdr_charsets *cs, const guint8 *data, gsize len)
{
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
			return decode_and_scan(cs->cd[CD_CP932], sjis->data, sjis->len).ok
				       ? CDR_CS_ISO2022JP
				       : CDR_CS_UNKNOWN;
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

/* Lenient: unknown escapes and broken pairs are skipped, 8-bit bytes
 * passed on (the CP932 decoder then replaces what does not decode). */
static gboolean
iso2022jp_to_cp932(const guint8 *data, gsize len, GByteArray *out, gboolean lenient)
{
	enum { ROMAN, KANJI, KATAKANA } mode = ROMAN;
	gboolean shifted = FALSE; /* SO: half-width katakana until SI */

	for (gsize i = 0; i < len; i++) {
		guint8 c = data[i];
		if (c == 0x1b) {
			if (i + 2 >= len) {
				if (lenient)
					break;
				return FALSE;
			}
			guint8 a = data[i + 1], b = data[i + 2];
			if (a == '(' && (b == 'B' || b == 'J' || b == 'H'))
				mode = ROMAN;
			else if (a == '(' && b == 'I')
				mode = KATAKANA;
			else if (a == '$' && (b == 'B' || b == '@'))
				mode = KANJI;
			else if (a == '&' && b == '@' && i + 5 < len && data[i + 3] == 0x1b &&
				 data[i + 4] == '$' && data[i + 5] == 'B') {
				mode = KANJI; /* JIS X 0208-1990 announcer */
				i += 3;
			} else if (lenient) {
				/* drop the whole ISO 2022 escape: intermediates, final */
				while (i + 1 < len && data[i + 1] >= 0x20 && data[i + 1] <= 0x2f)
					i++;
				if (i + 1 < len && data[i + 1] >= 0x30 && data[i + 1] <= 0x7e)
					i++;
				continue;
			} else
				return FALSE;
			i += 2;
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
			mode = ROMAN;
			shifted = FALSE;
			g_byte_array_append(out, &c, 1);
			continue;
		}
		if ((mode == KATAKANA || shifted) && c >= 0x21 && c <= 0x5f) {
			guint8 k = (guint8)(c + 0x80);
			g_byte_array_append(out, &k, 1);
		} else if (mode == KANJI && c >= 0x21 && c <= 0x7e) {
			if (i + 1 >= len || data[i + 1] < 0x21 || data[i + 1] > 0x7e) {
				if (lenient)
					continue;
				return FALSE;
			}
			guint8 s[2];
			jis_to_sjis(c, data[i + 1], s);
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
	return iso2022jp_to_cp932(data, len, out, FALSE);
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

/* Convert all of data with cd; lossy: undecodable bytes become U+FFFD. */
static gboolean
convert(iconv_t cd, const guint8 *data, gsize len, GString *out, gboolean lossy)
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
		if (err == 0 && inleft == 0)
			return TRUE;
		if (!lossy || inleft == 0)
			return FALSE;
		g_string_append(out, "\xef\xbf\xbd"); /* U+FFFD */
		in++;
		inleft--;
		iconv(cd, NULL, NULL, NULL, NULL);
	}
}

static gboolean
decode_with(struct cdr_charsets *cs, int cd, const guint8 *data, gsize len, GString *out,
	    gboolean lossy)
{
	if (cd == CD_UTF8) {
		if (g_utf8_validate_len((const char *)data, len, NULL)) {
			g_string_append_len(out, (const char *)data, (gssize)len);
			return TRUE;
		}
		if (!lossy)
			return FALSE;
		g_autofree char *valid = g_utf8_make_valid((const char *)data, (gssize)len);
		g_string_append(out, valid);
		return TRUE;
	}
	if (cd == CD_JIS) {
		g_autoptr(GByteArray) sjis = g_byte_array_new();
		if (!iso2022jp_to_cp932(data, len, sjis, lossy))
			return FALSE;
		return convert(cs->cd[CD_CP932], sjis->data, sjis->len, out, lossy);
	}
	return convert(cs->cd[cd], data, len, out, lossy);
}

static guint64
count_kana(const GString *s)
{
	guint64 n = 0;
	for (const char *p = s->str; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		n += c >= 0x3041 && c <= 0x30ff;
	}
	return n;
}

/* What the bytes most likely are, tried strictly: JIS, UTF-8, CP932/EUC-JP. */
static gboolean
decode_guessing(struct cdr_charsets *cs, const guint8 *data, gsize len, GString *out)
{
	if (is_ascii(data, len) && looks_like_iso2022jp(data, len) &&
	    decode_with(cs, CD_JIS, data, len, out, FALSE))
		return TRUE;
	g_string_truncate(out, 0);
	if (decode_with(cs, CD_UTF8, data, len, out, FALSE))
		return TRUE;
	g_autoptr(GString) sj = g_string_new(NULL);
	g_autoptr(GString) euc = g_string_new(NULL);
	gboolean sj_ok = decode_with(cs, CD_CP932, data, len, sj, FALSE);
	gboolean euc_ok = decode_with(cs, CD_EUCJP, data, len, euc, FALSE);
	GString *best = euc_ok && (!sj_ok || count_kana(euc) > count_kana(sj)) ? euc
			: sj_ok                                                   ? sj
										  : NULL;
	if (!best)
		return FALSE;
	g_string_truncate(out, 0);
	g_string_append_len(out, best->str, (gssize)best->len); /* may hold NULs */
	return TRUE;
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
cdr_charset_decode(struct cdr_charsets *cs, const char *label, const guint8 *data, gsize len,
		   enum cdr_decode_quality *quality)
{
	GString *out = g_string_sized_new(len + 16);
	int cd = cd_for_label(label);

	*quality = CDR_DECODE_EXACT;
	if (cd != CD_COUNT && decode_with(cs, cd, data, len, out, FALSE))
		return without_nul(out);
	g_string_truncate(out, 0);
	*quality = CDR_DECODE_GUESSED;
	if (decode_guessing(cs, data, len, out))
		return without_nul(out);
	g_string_truncate(out, 0);
	*quality = CDR_DECODE_LOSSY;
	decode_with(cs, cd != CD_COUNT ? cd : CD_CP932, data, len, out, TRUE);
	return without_nul(out);
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
			    !convert(cs->cd[CD_CP932], pair, 2, u, FALSE) || !u->len)
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
	if (!convert(cs->cd[CD_CP932], pair, 2, u, FALSE) || !u->len)
		return FALSE;
	guint code = GPOINTER_TO_UINT(g_hash_table_lookup(jis_codes(cs),
							  GUINT_TO_POINTER(g_utf8_get_char(u->str))));
	return code && sjis_to_jis((guint8)(code >> 8), (guint8)code, jis);
}

gboolean
cdr_charset_utf8_to_iso2022jp(struct cdr_charsets *cs, const char *utf8, gsize len, GString *out)
{
	g_autoptr(GString) sjis = g_string_new(NULL);
	if (!convert(cs->to_cp932, (const guint8 *)utf8, len, sjis, FALSE))
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
