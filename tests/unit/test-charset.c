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

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	cs = cdr_charsets_new(NULL);
	g_assert_nonnull(cs);
	g_test_add_func("/charset/detect", test_detect);
	g_test_add_func("/charset/not-text", test_not_text);
	g_test_add_func("/charset/iso-2022-jp", test_iso2022jp_cp932_extensions);
	int rc = g_test_run();
	cdr_charsets_free(cs);
	return rc;
}
