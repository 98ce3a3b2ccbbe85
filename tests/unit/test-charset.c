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
	assert_decode("utf-8", S("ok \xff\xfe end"), "ok \uFFFD\uFFFD end", CDR_DECODE_LOSSY);
	assert_decode("iso-2022-jp", S("a\x1b$Zb\x1b$B$\"\x1b(B\xff"), "abあ\uFFFD",
		      CDR_DECODE_LOSSY);
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
	int rc = g_test_run();
	cdr_charsets_free(cs);
	return rc;
}
