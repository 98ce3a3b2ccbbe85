/*
 * NAME
 *	test-charset - text detection and ISO-2022-JP with CP932 extensions
 */
#include <string.h>

#include "charset.h"

static struct cdr_charsets *cs;

static enum cdr_charset
detect(const char *bytes, gsize len)
{
	return cdr_charset_detect_text(cs, (const guint8 *)bytes, len);
}

static enum cdr_charset
detect_converted(const char *utf8, const char *charset)
{
	gsize len = 0;
	g_autofree char *bytes = g_convert(utf8, -1, charset, "UTF-8", NULL, &len, NULL);
	g_assert_nonnull(bytes);
	return detect(bytes, len);
}

#define S(x) x, sizeof(x) - 1

static void
test_detect(void)
{
	g_assert_cmpint(detect(S("hello\r\n\tworld\f\n")), ==, CDR_CS_ASCII);
	g_assert_cmpint(detect(S("")), ==, CDR_CS_ASCII);
	g_assert_cmpint(detect(S("dos text\r\n\x1a")), ==, CDR_CS_ASCII);
	g_assert_cmpint(detect(S("日本語のテキスト\n")), ==, CDR_CS_UTF8);
	g_assert_cmpint(detect(S("\xef\xbb\xbf日本語\n")), ==, CDR_CS_UTF8);
	g_assert_cmpint(detect(S("\xff\xfe\xe5\x65\x2c\x67")), ==, CDR_CS_UTF16LE);
	g_assert_cmpint(detect(S("\xfe\xff\x65\xe5\x67\x2c")), ==, CDR_CS_UTF16BE);
	g_assert_cmpint(detect_converted("こんにちは、世界。表ソ能①㈱髙～\r\n", "CP932"), ==,
			CDR_CS_CP932);
	g_assert_cmpint(detect_converted("こんにちは、世界。お知らせです。\n", "EUC-JP"), ==,
			CDR_CS_EUCJP);
	g_assert_cmpint(detect(S("\x1b$B$3$s$K$A$O\x1b(B\n")), ==, CDR_CS_ISO2022JP);
	/* well-formed JIS with codes outside the tables (row 0x2F, au's 0x75) */
	g_assert_cmpint(detect(S("\x1b$B$3/!uA$s\x1b(B\n")), ==, CDR_CS_ISO2022JP);
}

static void
test_not_text(void)
{
	g_assert_cmpint(detect(S("PK\x03\x04\0\0binary")), ==, CDR_CS_UNKNOWN);
	g_assert_cmpint(detect(S("evil \x1b[2J\x1b]0;owned\x07 terminal\n")), ==, CDR_CS_UNKNOWN);
	g_assert_cmpint(detect(S("\x80\x81\x82\xff\xfe garbage")), ==, CDR_CS_UNKNOWN);
	g_assert_cmpint(detect(S("utf-8 with C1 \xc2\x9b control")), ==, CDR_CS_UNKNOWN);
	g_assert_cmpint(detect(S("\x1b$Zunknown escape")), ==, CDR_CS_UNKNOWN);
	g_assert_cmpint(detect(S("\xff\xfe\x41")), ==, CDR_CS_UNKNOWN); /* odd UTF-16 */
	g_assert_cmpint(detect(S("ctrl-z \x1a in the middle")), ==, CDR_CS_UNKNOWN);
}

static char *
iso2022jp_to_utf8(const char *bytes, gsize len)
{
	g_autoptr(GByteArray) sjis = g_byte_array_new();
	if (!cdr_charset_iso2022jp_to_cp932((const guint8 *)bytes, len, sjis))
		return NULL;
	return g_convert((const char *)sjis->data, sjis->len, "UTF-8", "CP932", NULL, NULL, NULL);
}

static void
test_iso2022jp_cp932_extensions(void)
{
	/* ① ㈱ (NEC row 13) and 髙 (NEC-selected IBM extension): rejected by
	 * glibc's ISO-2022-JP, written by Japanese Windows mailers. */
	g_autofree char *ext = iso2022jp_to_utf8(S("\x1b$B-!-j|b\x1b(B"));
	g_assert_cmpstr(ext, ==, "①㈱髙");
	g_autofree char *kana = iso2022jp_to_utf8(S("\x1b(I1\x1b(B and \x0e\x32\x0f"));
	g_assert_cmpstr(kana, ==, "ｱ and ｲ");
	g_autofree char *mixed = iso2022jp_to_utf8(S("A\x1b$B$\"\x1b(BZ\r\n"));
	g_assert_cmpstr(mixed, ==, "AあZ\r\n");
	/* A line end returns to ASCII even if the writer forgot ESC ( B. */
	g_autofree char *forgot = iso2022jp_to_utf8(S("\x1b$B$\"\nabc"));
	g_assert_cmpstr(forgot, ==, "あ\nabc");
	g_assert_null(iso2022jp_to_utf8(S("\x1b$B$")));        /* half a pair */
	g_assert_null(iso2022jp_to_utf8(S("\x1b$B\xa4\xa2"))); /* 8-bit inside */
}

static void
assert_decode(const char *label, const char *bytes, gsize len, const char *expected,
	      enum cdr_decode_quality expected_quality)
{
	enum cdr_decode_quality q;
	g_autofree char *text = cdr_charset_decode(cs, label, (const guint8 *)bytes, len, &q);
	if (strcmp(text, expected) != 0 || q != expected_quality)
		g_error("label %s: got \"%s\" (quality %d), want \"%s\" (%d)", label, text, q,
			expected, expected_quality);
}

static void
assert_decode_converted(const char *label, const char *utf8, const char *as,
			enum cdr_decode_quality expected_quality)
{
	gsize len = 0;
	g_autofree char *bytes = g_convert(utf8, -1, as, "UTF-8", NULL, &len, NULL);
	g_assert_nonnull(bytes);
	assert_decode(label, bytes, len, utf8, expected_quality);
}

static void
test_decode_labelled(void)
{
	/* what Japanese mailers send */
	assert_decode("ISO-2022-JP", S("\x1b$B$*CN$i$;-!-j|b\x1b(B"), "お知らせ①㈱髙", CDR_DECODE_EXACT);
	assert_decode_converted("Shift_JIS", "表ソ能①㈱髙～", "CP932", CDR_DECODE_EXACT);
	assert_decode_converted("x-sjis", "表ソ能", "CP932", CDR_DECODE_EXACT);
	assert_decode_converted("EUC-JP", "お知らせ①", "EUC-JP-MS", CDR_DECODE_EXACT);
	assert_decode("utf-8", S("日本語"), "日本語", CDR_DECODE_EXACT);
	/* other scripts */
	assert_decode("iso-8859-1", S("caf\xe9 \x93quoted\x94"), "café “quoted”", CDR_DECODE_EXACT);
	assert_decode_converted("gb2312", "简体中文", "GB18030", CDR_DECODE_EXACT);
	assert_decode_converted("ks_c_5601-1987", "한국어", "CP949", CDR_DECODE_EXACT);
	assert_decode_converted("big5", "繁體中文", "BIG5", CDR_DECODE_EXACT);
	assert_decode_converted("koi8-r", "Привет", "KOI8-R", CDR_DECODE_EXACT);
}

static void
test_decode_mislabelled(void)
{
	/* Shift_JIS bytes labelled ISO-2022-JP, or not labelled at all */
	assert_decode_converted("iso-2022-jp", "お知らせです。", "CP932", CDR_DECODE_GUESSED);
	assert_decode_converted(NULL, "お知らせです。", "CP932", CDR_DECODE_GUESSED);
	assert_decode_converted("us-ascii", "お知らせです。", "EUC-JP", CDR_DECODE_GUESSED);
	assert_decode_converted("x-unknown", "お知らせです。", "UTF-8", CDR_DECODE_GUESSED);
	assert_decode(NULL, S("\x1b$B$*CN$i$;\x1b(B"), "お知らせ", CDR_DECODE_GUESSED);
	/* nothing fits: keep what decodes, mark the rest */
	assert_decode("utf-8", S("ok \xff\xfe end"), "ok 〓〓 end", CDR_DECODE_LOSSY);
	assert_decode("iso-2022-jp", S("a\x1b$Zb\x1b$B$\"\x1b(B\xff"), "a〓〓あ〓",
		      CDR_DECODE_LOSSY);
}

static void
assert_carrier_decode(enum cdr_carrier carrier, const char *label, const char *bytes, gsize len,
		      const char *expected, enum cdr_decode_quality expected_quality)
{
	enum cdr_decode_quality q;
	g_autofree char *text =
		cdr_charset_decode_from(cs, carrier, label, (const guint8 *)bytes, len, &q);
	if (strcmp(text, expected) != 0 || q != expected_quality)
		g_error("%s, label %s: got \"%s\" (quality %d), want \"%s\" (%d)",
			cdr_carrier_name(carrier), label, text, q, expected, expected_quality);
}

static void
test_decode_unmappable(void)
{
	/* JIS row 0x2F (outside JIS X 0208 and the CP932 rows): one 〓, the
	 * rest readable, never raw JIS */
	assert_decode("iso-2022-jp", S("\x1b$B$*CN$i$;/!$G$9\x1b(B"), "お知らせ〓です",
		      CDR_DECODE_LOSSY);
	/* the same labelled us-ascii or not at all: still JIS */
	assert_decode("us-ascii", S("\x1b$B$*CN$i$;/!\x1b(B ok"), "お知らせ〓 ok", CDR_DECODE_LOSSY);
	assert_decode(NULL, S("\x1b$B$*CN$i$;/!\x1b(B"), "お知らせ〓", CDR_DECODE_LOSSY);
	assert_decode("utf-8", S("\x1b$B$3$s\x1b(B"), "こん", CDR_DECODE_GUESSED);
	/* rows 0x75-0x78 (leads CP932 leaves unmapped), 0x7D-0x7E, JIS X 0212,
	 * half a pair, an escape nobody knows */
	assert_decode("iso-2022-jp", S("\x1b$B$\"uA$$\x1b(B"), "あ〓い", CDR_DECODE_LOSSY);
	assert_decode("iso-2022-jp", S("\x1b$B$\"~~\x1b(B"), "あ〓", CDR_DECODE_LOSSY);
	assert_decode("iso-2022-jp", S("\x1b$(D0!\x1b(Bx"), "〓x", CDR_DECODE_LOSSY);
	assert_decode("iso-2022-jp", S("\x1b$B$\"$\x1b(Bx"), "あ〓x", CDR_DECODE_LOSSY);
	assert_decode("iso-2022-jp", S("\x1b$B$\"\x1b(Zx"), "あ〓x", CDR_DECODE_LOSSY);
	/* JIS X 0213 plane 1 reads like JIS X 0208 where they agree */
	assert_decode("iso-2022-jp-2004", S("\x1b$(Q$\"\x1b(B"), "あ", CDR_DECODE_EXACT);
	/* Shift_JIS and EUC-JP: character by character too */
	assert_decode("shift_jis", S("\x82\xa0\x85\x40\x82\xa2"), "あ〓い", CDR_DECODE_LOSSY);
	assert_decode("shift_jis", S("\x82\xa0\xeb\x60\x82\xa2\xff"), "あ〓い〓", CDR_DECODE_LOSSY);
	assert_decode("euc-jp", S("\xa4\xa2\xa9\xa1\xa4\xa4"), "あ〓い", CDR_DECODE_LOSSY);
}

static void
test_carrier_emoji(void)
{
	/* au in ISO-2022-JP: row 0x75 (sun, handset F660) and row 0x7A
	 * (⁉, F3F0) are emoji only when the sender is on au; row 0x7A is
	 * an IBM kanji otherwise, and ⅰ (0x7C71) stays ⅰ for everyone */
	assert_carrier_decode(CDR_CARRIER_KDDI, "iso-2022-jp", S("\x1b$B$\"uAzr|q\x1b(B"),
			      "あ\u2600\u2049ⅰ", CDR_DECODE_EXACT);
	assert_carrier_decode(CDR_CARRIER_NONE, "iso-2022-jp", S("\x1b$B$\"uAzr|q\x1b(B"),
			      "あ〓瀇ⅰ", CDR_DECODE_LOSSY);
	assert_carrier_decode(CDR_CARRIER_DOCOMO, "iso-2022-jp", S("\x1b$B-!|q\x1b(B"), "①ⅰ",
			      CDR_DECODE_EXACT);
	/* Shift_JIS: each carrier's own rows */
	assert_carrier_decode(CDR_CARRIER_DOCOMO, "shift_jis", S("\x82\xa0\xf8\x9f"), "あ\u2600",
			      CDR_DECODE_EXACT);
	assert_carrier_decode(CDR_CARRIER_KDDI, "shift_jis", S("\xf6\x60\xf3\xf0"), "\u2600\u2049",
			      CDR_DECODE_EXACT);
	assert_carrier_decode(CDR_CARRIER_SOFTBANK, "shift_jis", S("\xf9\x8b\xfb\x41\xfb\xfc"),
			      "\u2600\U0001F625髙", CDR_DECODE_EXACT);
	assert_carrier_decode(CDR_CARRIER_NONE, "shift_jis", S("\xf8\x9f\xfb\x41"), "\uE63E涬",
			      CDR_DECODE_EXACT);
	/* a phone's user-defined code that is no emoji of its carrier */
	assert_carrier_decode(CDR_CARRIER_DOCOMO, "shift_jis", S("\xf0\x40"), "〓", CDR_DECODE_LOSSY);
	/* UTF-8 private-use forms */
	assert_carrier_decode(CDR_CARRIER_DOCOMO, "utf-8", S("\xee\x98\xbe!"), "\u2600!",
			      CDR_DECODE_EXACT);
	assert_carrier_decode(CDR_CARRIER_KDDI, "utf-8", S("\xee\x92\x88\xee\xae\x88"),
			      "\u2600\U0001F64E", CDR_DECODE_EXACT);
	assert_carrier_decode(CDR_CARRIER_SOFTBANK, "utf-8", S("\xee\x81\x8a"), "\u2600",
			      CDR_DECODE_EXACT);
	assert_carrier_decode(CDR_CARRIER_NONE, "utf-8", S("\xee\x81\x8a"), "\uE04A", CDR_DECODE_EXACT);
	/* keycaps are sequences */
	assert_carrier_decode(CDR_CARRIER_DOCOMO, "shift_jis", S("\xf9\x87"), "1\u20E3",
			      CDR_DECODE_EXACT);
}

static void
test_carrier_tables(void)
{
	g_assert_cmpint(cdr_carrier_of_domain("docomo.ne.jp"), ==, CDR_CARRIER_DOCOMO);
	g_assert_cmpint(cdr_carrier_of_domain("EZweb.ne.jp"), ==, CDR_CARRIER_KDDI);
	g_assert_cmpint(cdr_carrier_of_domain("biz.ezweb.ne.jp"), ==, CDR_CARRIER_KDDI);
	g_assert_cmpint(cdr_carrier_of_domain("au.com"), ==, CDR_CARRIER_KDDI);
	g_assert_cmpint(cdr_carrier_of_domain("t.vodafone.ne.jp"), ==, CDR_CARRIER_SOFTBANK);
	g_assert_cmpint(cdr_carrier_of_domain("i.softbank.jp"), ==, CDR_CARRIER_SOFTBANK);
	g_assert_cmpint(cdr_carrier_of_domain("softbank.jp"), ==, CDR_CARRIER_NONE);
	g_assert_cmpint(cdr_carrier_of_domain("notdocomo.ne.jp"), ==, CDR_CARRIER_NONE);
	g_assert_cmpint(cdr_carrier_of_domain("docomo.ne.jp.evil.example"), ==, CDR_CARRIER_NONE);
	/* every table code is in its carrier's rows, and the private-use
	 * form goes there and back */
	const struct {
		enum cdr_carrier carrier;
		const struct cdr_carrier_emoji *table;
		gsize n;
	} tables[] = {
		{ CDR_CARRIER_DOCOMO, cdr_carrier_emoji_docomo, cdr_carrier_emoji_docomo_count },
		{ CDR_CARRIER_KDDI, cdr_carrier_emoji_kddi, cdr_carrier_emoji_kddi_count },
		{ CDR_CARRIER_SOFTBANK, cdr_carrier_emoji_softbank, cdr_carrier_emoji_softbank_count },
	};
	for (unsigned t = 0; t < G_N_ELEMENTS(tables); t++) {
		for (gsize i = 0; i < tables[t].n; i++) {
			guint16 sjis = tables[t].table[i].sjis, code = 0;
			g_assert_true(cdr_carrier_sjis_code(tables[t].carrier, sjis >> 8, sjis & 0xff,
							    &code));
			g_assert_cmpuint(code, ==, sjis);
			g_assert_cmpstr(cdr_carrier_emoji(tables[t].carrier, sjis), ==,
					tables[t].table[i].utf8);
		}
	}
	/* the carriers' own private-use numbering, as their phones write it */
	static const struct {
		enum cdr_carrier carrier;
		gunichar pua;
		guint16 sjis;
	} pua[] = {
		{ CDR_CARRIER_DOCOMO, 0xE63E, 0xF89F }, { CDR_CARRIER_DOCOMO, 0xE757, 0xF9FC },
		{ CDR_CARRIER_KDDI, 0xE468, 0xF640 },   { CDR_CARRIER_KDDI, 0xE488, 0xF660 },
		{ CDR_CARRIER_KDDI, 0xE52C, 0xF748 },   { CDR_CARRIER_KDDI, 0xE594, 0xF7B1 },
		{ CDR_CARRIER_KDDI, 0xE5CC, 0xF7FC },   { CDR_CARRIER_KDDI, 0xE5CD, 0xF340 },
		{ CDR_CARRIER_KDDI, 0xEA80, 0xF353 },   { CDR_CARRIER_KDDI, 0xEAAB, 0xF37E },
		{ CDR_CARRIER_KDDI, 0xEAAC, 0xF380 },   { CDR_CARRIER_KDDI, 0xEAFB, 0xF7D2 },
		{ CDR_CARRIER_KDDI, 0xEB0E, 0xF3CF },   { CDR_CARRIER_KDDI, 0xEB2F, 0xF3F0 },
		{ CDR_CARRIER_KDDI, 0xEB3C, 0xF440 },   { CDR_CARRIER_KDDI, 0xEB88, 0xF48D },
		{ CDR_CARRIER_SOFTBANK, 0xE04A, 0xF98B }, { CDR_CARRIER_SOFTBANK, 0xE24E, 0xF7EE },
		{ CDR_CARRIER_SOFTBANK, 0xE537, 0xFBD7 }, { CDR_CARRIER_SOFTBANK, 0xE101, 0xF741 },
	};
	for (unsigned i = 0; i < G_N_ELEMENTS(pua); i++) {
		guint16 code = 0;
		g_assert_true(cdr_carrier_pua_code(pua[i].carrier, pua[i].pua, &code));
		g_assert_cmphex(code, ==, pua[i].sjis);
	}
	guint16 code;
	g_assert_false(cdr_carrier_pua_code(CDR_CARRIER_KDDI, 0xE5E0, &code));
	g_assert_false(cdr_carrier_pua_code(CDR_CARRIER_KDDI, 0xEB89, &code));
	g_assert_false(cdr_carrier_pua_code(CDR_CARRIER_NONE, 0xE63E, &code));
}

static void
assert_jis_round_trip(const char *utf8)
{
	g_autoptr(GString) jis = g_string_new(NULL);
	g_assert_true(cdr_charset_utf8_to_iso2022jp(cs, utf8, strlen(utf8), jis));
	for (gsize i = 0; i < jis->len; i++)
		g_assert_cmpint((guchar)jis->str[i], <, 0x80);
	enum cdr_decode_quality q;
	g_autofree char *back = cdr_charset_decode(cs, "iso-2022-jp", (const guint8 *)jis->str,
						   jis->len, &q);
	g_assert_cmpstr(back, ==, utf8);
	g_assert_cmpint(q, ==, CDR_DECODE_EXACT);
}

static void
test_iso2022jp_output(void)
{
	assert_jis_round_trip("お知らせ①㈱髙～ABC\r\n二行目\r\n");
	assert_jis_round_trip("plain ascii\n");
	g_autoptr(GString) jis = g_string_new(NULL);
	g_assert_true(cdr_charset_utf8_to_iso2022jp(cs, "あ\nb", 5, jis));
	g_assert_cmpmem(jis->str, jis->len, "\x1b$B$\"\x1b(B\nb", 10); /* ASCII before the break */
	/* does not fit: emoji, simplified Chinese, half-width katakana */
	const char *misfits[] = { "絵文字😀", "简体", "ｱｲｳ" };
	for (unsigned i = 0; i < G_N_ELEMENTS(misfits); i++) {
		g_string_truncate(jis, 0);
		g_assert_false(cdr_charset_utf8_to_iso2022jp(cs, misfits[i], strlen(misfits[i]), jis));
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	cs = cdr_charsets_new(NULL);
	g_assert_nonnull(cs);
	g_test_add_func("/charset/detect", test_detect);
	g_test_add_func("/charset/not-text", test_not_text);
	g_test_add_func("/charset/iso-2022-jp", test_iso2022jp_cp932_extensions);
	g_test_add_func("/charset/decode-labelled", test_decode_labelled);
	g_test_add_func("/charset/decode-mislabelled", test_decode_mislabelled);
	g_test_add_func("/charset/iso-2022-jp-output", test_iso2022jp_output);
	g_test_add_func("/charset/decode-unmappable", test_decode_unmappable);
	g_test_add_func("/charset/carrier-emoji", test_carrier_emoji);
	g_test_add_func("/charset/carrier-tables", test_carrier_tables);
	int rc = g_test_run();
	cdr_charsets_free(cs);
	return rc;
}
