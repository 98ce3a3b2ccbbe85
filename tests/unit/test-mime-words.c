/*
 * NAME
 *	test-mime-words - RFC 2047 header decoding as Japanese mail needs it
 */
#include <string.h>

#include "mime-params.h"
#include "mime-words.h"

static struct cdr_charsets *cs;

static void
assert_header(const char *raw, const char *expected, unsigned expected_flags)
{
	unsigned flags = 0;
	g_autofree char *got = mime_decode_header(cs, raw, strlen(raw), &flags);
	if (strcmp(got, expected) != 0 || flags != expected_flags)
		g_error("%s\n got [%s] flags %u\nwant [%s] flags %u", raw, got, flags, expected,
			expected_flags);
}

static void
test_encoded_words(void)
{
	/* ISO-2022-JP with NEC row 13 and an IBM extension: glibc cannot */
	assert_header("=?ISO-2022-JP?B?GyRCJCpDTiRpJDstIS1qfGIbKEI=?=", "お知らせ①㈱髙", 0);
	assert_header("=?utf-8?q?caf=C3=A9_au_lait?=", "café au lait", 0);
	assert_header("=?Shift_JIS?B?g26DQ4Nm?= report", "ハイデ report", 0);
	assert_header("Re: =?utf-8?B?5pel5pys6Kqe?= and more", "Re: 日本語 and more", 0);
	assert_header("=?iso-2022-jp*ja?B?GyRCJCIbKEI=?=", "あ", 0); /* RFC 2231 language */
	assert_header("=?utf-16?B?/v8wQjBE?=", "あい", 0);
}

static void
test_adjacent_words_and_folding(void)
{
	/* white space between encoded words vanishes; folds unfold */
	assert_header("=?utf-8?B?5pel?=\r\n =?utf-8?B?5pys?=", "日本", 0);
	/* a UTF-8 character split across two words is joined before decoding */
	assert_header("=?utf-8?B?5g==?= =?utf-8?B?l6U=?=", "日", 0);
	/* a Shift_JIS character split across words, as some mailers do */
	assert_header("=?shift_jis?Q?=82?= =?shift_jis?Q?=A0?=", "あ", 0);
	/* charsets change: each run decoded on its own */
	assert_header("=?utf-8?B?5pel?= =?iso-8859-1?Q?caf=E9?=", "日café", 0);
	/* space between a word and plain text stays */
	assert_header("=?utf-8?B?5pel?= plain", "日 plain", 0);
	assert_header("a\r\n\tb", "a b", 0); /* tabs become spaces */
}

static void
test_broken_and_hostile(void)
{
	/* not encoded words: kept literally */
	assert_header("=?utf-8?X?abc?=", "=?utf-8?X?abc?=", 0);
	assert_header("=?utf-8?B?no end", "=?utf-8?B?no end", 0);
	assert_header("=??B?YQ==?=", "=??B?YQ==?=", 0);
	/* raw 8-bit header text (Shift_JIS) is detected */
	assert_header("\x82\xa8\x92\x6d\x82\xe7\x82\xb9", "お知らせ", MIME_WORDS_GUESSED);
	/* encoded CR LF cannot start a new header line */
	assert_header("=?utf-8?Q?hi=0D=0ABcc:_victim@example.jp?=", "hi Bcc: victim@example.jp",
		      MIME_WORDS_CONTROLS);
	assert_header("a\nBcc: x", "a Bcc: x", MIME_WORDS_CONTROLS);
	/* bytes valid in no charset */
	assert_header("=?utf-8?B?/w==?=", "〓", MIME_WORDS_LOSSY);
}

/* Raw ISO-2022-JP in a header (no encoded word, old Japanese mailers),
 * characters outside the tables, and a sender's carrier emoji. */
static void
test_raw_jis_and_carriers(void)
{
	assert_header("\x1b$B2q5D\x1b(B 10:00", "会議 10:00", MIME_WORDS_GUESSED);
	assert_header("=?ISO-2022-JP?B?GyRCJCIvISQkGyhC?=", "あ〓い", MIME_WORDS_LOSSY);
	/* an address header: the decoded raw JIS becomes an encoded word, so
	 * it never stands as bare text beside the address */
	g_autofree char *from = mime_reencode_header(cs, "\x1b$B;3ED\x1b(B <a@example.jp>",
						     strlen("\x1b$B;3ED\x1b(B <a@example.jp>"), NULL);
	g_assert_cmpstr(from, ==, "=?UTF-8?B?5bGx55Sw?= <a@example.jp>");
	unsigned flags = 0;
	g_autofree char *au = mime_decode_header_from(cs, CDR_CARRIER_KDDI,
						      "=?ISO-2022-JP?B?GyRCQDJ1QRsoQg==?=", 34, &flags);
	g_assert_cmpstr(au, ==, "晴\u2600");
	g_assert_cmpuint(flags, ==, 0);
	g_autofree char *docomo = mime_decode_header_from(cs, CDR_CARRIER_DOCOMO, "sun \xee\x98\xbe",
							  7, &flags);
	g_assert_cmpstr(docomo, ==, "sun \u2600");
	gboolean lossy = TRUE;
	g_autofree char *name = mime_param_decode_from(
		cs, CDR_CARRIER_SOFTBANK, "attachment; filename*=shift_jis''%F9%8B.txt", "filename",
		&lossy);
	g_assert_cmpstr(name, ==, "\u2600.txt");
	g_assert_false(lossy);
}

static void
assert_param(const char *raw, const char *name, const char *expected)
{
	g_autofree char *got = mime_param_decode(cs, raw, name);
	if (g_strcmp0(got, expected) != 0)
		g_error("%s [%s]: got %s, want %s", raw, name, got ? got : "(none)",
			expected ? expected : "(none)");
}

static void
test_params(void)
{
	/* RFC 2231 ISO-2022-JP continuations with ① and 髙 (GMime garbles these) */
	assert_param("attachment; filename*0*=iso-2022-jp''%1B%24B8%2B%40Q%3Dq%2D%21%21J%2Dj%7Cb66%40;"
		     " filename*1*=%5F7W%21K%1B%28B%2Exlsx",
		     "filename", "見積書①（㈱髙橋設計）.xlsx");
	assert_param("attachment; filename*=UTF-8''%E8%AD%B0%E4%BA%8B.txt", "filename", "議事.txt");
	/* a UTF-8 character split across continuations */
	assert_param("attachment; filename*0*=UTF-8''%E8%AD; filename*1*=%B0.txt", "filename",
		     "議.txt");
	/* continuations out of order are put in order; a gap ends the value */
	assert_param("x; name*1=b; name*0=a; name*3=d", "name", "ab");
	/* an encoded word inside a quoted value (Outlook, Becky!) */
	assert_param("attachment; filename=\"=?ISO-2022-JP?B?GyRCNUQ7dk8/LSEbKEI=?=.doc\"", "filename",
		     "議事録①.doc");
	assert_param("text/plain; charset=\"utf-8\"; name=\"a;b.txt\"", "name", "a;b.txt");
	assert_param("text/plain; charset=utf-8", "name", NULL);
	/* the RFC 2231 form wins over the plain one */
	assert_param("attachment; filename=\"old.txt\"; filename*=UTF-8''new.txt", "filename", "new.txt");
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	cs = cdr_charsets_new(NULL);
	g_test_add_func("/mime-words/encoded", test_encoded_words);
	g_test_add_func("/mime-words/adjacent", test_adjacent_words_and_folding);
	g_test_add_func("/mime-words/hostile", test_broken_and_hostile);
	g_test_add_func("/mime-params/decode", test_params);
	g_test_add_func("/mime-words/raw-jis-and-carriers", test_raw_jis_and_carriers);
	int rc = g_test_run();
	cdr_charsets_free(cs);
	return rc;
}
