/*
 * NAME
 *	test-mime-passwords - PPAP passwords in a message's text, and masking
 * SUMMARY
 *	mime_text_passwords() on the shapes real Japanese and English password
 *	mails take (labels in every width, quotes, "下記パスワード" with the
 *	password lines below, several candidates), and on texts that must
 *	give none (dates, telephone numbers, URLs, addresses, prose after a
 *	label, "パスワードは別途お送りします"). mime_mask_passwords() on plain
 *	and full-width occurrences, and where it must leave text alone.
 */
#include <string.h>

#include "mime.h"

struct want {
	const char *text, *want;
};

static void
check_cases(const struct want *cases, gsize n)
{
	for (gsize i = 0; i < n; i++) {
		g_autofree char *got = mime_text_passwords(cases[i].text);
		if (g_strcmp0(got, cases[i].want) != 0)
			g_error("\"%s\": got \"%s\", want \"%s\"", cases[i].text, got,
				cases[i].want);
	}
}

/* Labels, separators and widths as Japanese mailers write them. */
static void
test_japanese(void)
{
	static const struct want cases[] = {
		{ "資料を送ります。\nパスワード：himitsu\n", "himitsu" },
		{ "ﾊﾟｽﾜｰﾄﾞ:Abc123", "Abc123" },            /* half-width katakana */
		{ "ＰＷ：ａｂｃ１２３", "abc123" },          /* full-width label and password */
		{ "パスワード　ｈｉｍｉｔｓｕ１２", "himitsu12" }, /* ideographic space */
		{ "【パスワード】abc123", "abc123" },
		{ "【パスワード】\nKp7#xQ2m\n", "Kp7#xQ2m" },
		{ "解凍パスワードは「Ab3$x」です。", "Ab3$x" },
		{ "パスワードは『s3cret』となります。", "s3cret" },
		{ "パスワードはabc123です。", "abc123" },
		{ "パスワードは abc123 です", "abc123" },
		{ "パスワード：abc123（半角英数字）", "abc123" },
		{ "パスワード（半角英数字）：xY9kq2", "xY9kq2" },
		{ "暗証番号『0000』", "0000" },
		{ "解凍キー＝q1w2e3", "q1w2e3" },
		{ "パスコード:778899", "778899" },
		{ "PINコード：4321", "4321" },
		{ "パス：tokyo2024", "tokyo2024" },
		{ "■パスワード：Zx8!mn", "Zx8!mn" },
		{ "ワンタイムパスワード：otp551", "otp551" },
		{ "下記パスワードにて解凍してください。\n\nabc123\n\nよろしくお願いします。",
		  "abc123" },
		{ "パスワードは以下の通りです。\n\n  「Qw3rty」\n", "Qw3rty" },
		{ "先ほどのメールの添付ファイルのパスワードをお知らせします。\n"
		  "件名：見積書送付の件\nファイル名：見積書.zip\nパスワード：Xy7#kP2q\n",
		  "Xy7#kP2q" },
		{ "パスワード付きファイルのパスワード：abc999", "abc999" },
		{ "パスワード | tbl123", "tbl123" }, /* an HTML table row as text */
		{ "パスワードは abc、よろしく", "abc" },
		{ "パスワード：Aa1\nパスワード(予備)：Bb2\n", "Aa1\nBb2" }, /* several */
		/* separators and quotes careless senders type */
		{ "パスワードは、abc123です。", "abc123" },
		{ "パスワードは，「abc123」です。", "abc123" },
		{ "パスワード…abc123", "abc123" },
		{ "パスワード：〔abc123〕", "abc123" },
		{ "パスワード：〈abc123〉", "abc123" },
		{ "パスワード：≪abc123≫", "abc123" },
		{ "パスワード：〝abc123〟", "abc123" },
		/* labels: the long vowel typed as a dash, numbered, with 番号 */
		{ "パスワ－ド：abc123", "abc123" },
		{ "パスワ―ド：abc123", "abc123" },
		{ "ぱすわーど：abc123", "abc123" },
		{ "パスワード番号：abc123", "abc123" },
		{ "パスワード1：Aa11\nパスワード２：Bb22", "Aa11\nBb22" },
		/* endings */
		{ "パスワードはabc123だよ", "abc123" },
		{ "abc123で解凍できます。パスワードはabc123で解凍できます。", "abc123" },
		{ "パスワードはabc123を入力してください", "abc123" },
		/* Japanese between は and the password */
		{ "パスワードは半角英数字で「abc123」です", "abc123" },
		{ "パスワードは半角で abc123 です", "abc123" },
		/* announced, then on a line below, past a rule */
		{ "パスワードをお知らせします。\n\nabc123\n", "abc123" },
		{ "パスワードのお知らせ\nabc123\n", "abc123" },
		{ "パスワードは下記となります。\n――――――\nabc123\n――――――", "abc123" },
		/* invisible characters inside (HTML &shy;, a zero-width space) */
		{ "パスワード：abc\u00ad123", "abc123" },
		{ "パスワード：abc\u200b123", "abc123" },
		/* the label inside brackets: the closing one is not the password's */
		{ "見積書（パスワード：abc123）", "abc123" },
		{ "見積書(PW-Kt7mQ2x)", "Kt7mQ2x" },
		{ "[PW: xy(z)9]", "xy(z)9" },
		/* a table: the password under its header (HTML cells as text, tabs) */
		{ "ファイル名 | パスワード | 備考\n見積書.zip | abc123 | なし\n図面.zip | def456\n",
		  "abc123\ndef456" },
		{ "ファイル名\tパスワード\n見積書.zip\tabc123\n", "abc123" },
		/* more labels, from Japanese senders and from partners abroad */
		{ "解凍用キー：k1abc", "k1abc" },
		{ "復号キー：k2abc", "k2abc" },
		{ "暗証コード：4321", "4321" },
		{ "合言葉：k3abc", "k3abc" },
		{ "密码：k4abc\n密碼：k5abc\n비밀번호: k6abc\nPasswort: k7abc", "k4abc\nk5abc\nk6abc\nk7abc" },
		/* lines ended by CR alone, NEL, LINE SEPARATOR */
		{ "資料です。\rパスワード：\rab12cd\r", "ab12cd" },
		{ "パスワード：\u2028ef34gh\u2029", "ef34gh" },
		/* the yen sign: 0x5C as Japanese fonts show it */
		{ "パスワード：ab¥12x", "ab\\12x" },
		{ "パスワード：ab￥12", "ab\\12" },
		/* a Japanese remark ends the label's line: the password below */
		{ "パスワード（大文字小文字区別あり）\nAbc123", "Abc123" },
		/* a particle between the label and a password set off by spaces */
		{ "パスワードには abc123 を入力してください", "abc123" },
		{ "パスワード欄に「abc123」と入力", "abc123" },
		/* a file's name before its password, on the line below */
		{ "パスワードは以下の通りです。\n\n見積書.zip : abc123\n", "abc123" },
		{ "パスワードは以下の通りです。\n・見積書.zip　abc123\n・図面.zip　def456\n\nghi789\n",
		  "abc123\ndef456" },
	};
	check_cases(cases, G_N_ELEMENTS(cases));
}

static void
test_english(void)
{
	static const struct want cases[] = {
		{ "PW: abc123", "abc123" },
		{ "Password:\n\n  s3cret\n", "s3cret" },
		{ "The password is Kq82xv.", "Kq82xv" },
		{ "The password for the attached file is X7k2p9", "X7k2p9" },
		{ "password is: p@ss-2024", "p@ss-2024" },
		{ "PASS=one1\npasswd: two2\nPW: one1", "one1\ntwo2" }, /* no repeats */
		{ "pwd \"quoted9\"", "quoted9" },
		{ "Passcode: 246810", "246810" },
		{ "PIN 5522", "5522" },
		{ "PW (Qa12zx)", "Qa12zx" },
		{ "Zip password - Hk2mq", "Hk2mq" },
		{ "P/W: abc123", "abc123" },
		{ "Ｐ／Ｗ：ａｂｃ１２３", "abc123" },
		{ "Pass Word: abc123", "abc123" },
		{ "PW1: one111\nPW2: two222", "one111\ntwo222" },
		{ "Password 2: two222", "two222" },
		{ "Password: see below\n\nabc123", "abc123" },
		/* a qualifier between the label and its colon */
		{ "Password for attachment(s): Xk82pQ", "Xk82pQ" },
		{ "Password for 見積書.zip: abc123", "abc123" },
		{ "Password to open: abc123", "abc123" },
	};
	check_cases(cases, G_N_ELEMENTS(cases));
}

/* Texts that mention passwords but give none, and look-alikes. */
static void
test_not_passwords(void)
{
	static const char *const texts[] = {
		"パスワードは別途お送りします。",
		"パスワードは別メールでお送りします。\n\nabc123",
		"パスワードは後ほどお知らせします。",
		"パスワードはSMSでお送りします。",
		"パスワード付きZIPファイルを送付します。",
		"パスワードを入力してください。",
		"パスワードの有効期限：2024/12/31",
		"パスワード：2024/12/31",
		"パスワード：2024-01-15",
		"パスワード：10:30",
		"パスワード：03-1234-5678",
		"パスワード：090-1234-5678",
		"パスワード：09012345678",
		"パスワード：https://example.jp/pw",
		"パスワード：www.example.jp",
		"パスワード：tanaka@example.jp",
		"パスワード：見積書.zip\n",
		"パスワード：mitsumori.zip",
		"パスワード：********",
		"パスワード：xxxxxx",
		"パスワード：----",
		"パスワード:",
		"パスワード：\n\nよろしくお願いします。",
		"Please use password reset if you forgot it.",
		"This file is password protected.",
		"The password will be sent separately.",
		"The password is sent in a separate mail.",
		"Your passport number",
		"We will pass the document to you.",
		"bypass: yes",
		"コンパス：abc123",
		/* ranges of dates and times */
		"パスワード：10:30-11:00",
		"パスワード：13:00～15:00",
		"パスワード：2024/4/1-4/5",
		/* telephone numbers in every shape */
		"パスワード：03(1234)5678",
		"パスワード：03.1234.5678",
		"パスワード：+81 3 1234 5678",
		"パスワード：+819012345678",
		"パスワード：+81(0)3-1234-5678",
		"パスワード：TEL03-1234-5678",
		"パスワード：100-0001",
		/* host names, file names, versions */
		"パスワード：example.co.jp",
		"パスワード：example.com/abc",
		"PW: ftp.example.jp",
		"パスワード：//example.com/x",
		"パスワード：report.xlsb",
		"パスワード：setup.exe",
		"パスワード：v1.2.3",
		"パスワード：Ver.2.0",
		/* placeholders and patterns */
		"パスワード：xxxx-xxxx",
		"パスワード：XXX-XXXX",
		"パスワード：****1234",
		"パスワード：yyyymmdd",
		"パスワード：YYYYMMDD（送信日）",
		"パスワード：TBD",
		"Password: TBA",
		/* promises and prose */
		"Password: see next mail",
		"Password policy: minimum 8 characters",
		"Password protected: yes",
		"Password for the file: (sent separately)",
		"パスワードには有効期限があります",
		"パスワードを 2024/4/1 に変更しました",
		"password: two words\n",
		"Password: will follow\n\nYamada",
		"パスワードは次のメールでお送りします。\n\nyamada01",
		"パスワードは別にお送りします。\n\nabc123",
		"パスワードは後日お知らせします。\n\nabc123",
		"パスワードは電話でお伝えします。\n\nabc123",
		"パスワード：別途送付します。\n\nabc123",
		"パスワードは「abc 123」です",
		/* a signature after an empty label */
		"パスワード：\n\n--\nyamada01",
		"pw",
		"no keyword here: abc",
		"",
	};
	for (gsize i = 0; i < G_N_ELEMENTS(texts); i++) {
		g_autofree char *got = mime_text_passwords(texts[i]);
		if (got)
			g_error("\"%s\": got \"%s\", want none", texts[i], got);
	}
}

static void
test_limits(void)
{
	GString *many = g_string_new(NULL);
	for (int i = 0; i < 40; i++)
		g_string_append_printf(many, "PW: p%03d\n", i);
	g_autofree char *got = mime_text_passwords(many->str);
	g_auto(GStrv) list = g_strsplit(got, "\n", -1);
	g_assert_cmpuint(g_strv_length(list), ==, MIME_MAX_TEXT_PASSWORDS);
	g_assert_cmpstr(list[0], ==, "p000");
	g_string_free(many, TRUE);

	g_autofree char *long_pw = g_strnfill(65, 'a');
	g_autofree char *text = g_strdup_printf("PW: %s1", long_pw);
	g_autofree char *none = mime_text_passwords(text);
	g_assert_null(none);
	g_autofree char *longest = g_strdup_printf("PW: %.63s1", long_pw);
	g_autofree char *one = mime_text_passwords(longest);
	g_assert_cmpuint(strlen(one), ==, 64);
}

/* A text of many labels, or of characters that combine, costs time in
 * proportion to its length (GLib's normalizer and a per-label reading of
 * the line took time squared: 600 KB of "パスワード" lines, 8 s): four
 * times the text, not sixteen times the time (the best of three runs,
 * so that a loaded machine or a sanitizer build does not decide). */
static gint64
best_time(const char *unit, int times)
{
	GString *big = g_string_new("below ");
	for (int n = 0; n < times; n++)
		g_string_append(big, unit);
	gint64 best = G_MAXINT64;
	for (int run = 0; run < 3; run++) {
		gint64 start = g_get_monotonic_time();
		g_autofree char *got = mime_text_passwords(big->str);
		best = MIN(best, g_get_monotonic_time() - start);
	}
	g_string_free(big, TRUE);
	return MAX(best, 1);
}

static void
test_linear_time(void)
{
	static const char *const units[] = { "パスワード\n", "パスワード ", "pw=", "pw ", "pw「",
					     "ガ", " | パスワード", "\tpw" };
	for (gsize i = 0; i < G_N_ELEMENTS(units); i++) {
		gint64 small = best_time(units[i], 10000), large = best_time(units[i], 40000);
		if (large > 10 * small && large > 50000) /* 50 ms: too short to judge */
			g_error("\"%s\": 10000 times %" G_GINT64_FORMAT " us, 40000 times %" G_GINT64_FORMAT
				" us", units[i], small, large);
	}
}

static char *
masked(const char *text, const char *passwords, guint *n)
{
	GString *s = g_string_new(text);
	*n = mime_mask_passwords(s, passwords);
	return g_string_free(s, FALSE);
}

static void
test_mask(void)
{
	static const struct {
		const char *text, *passwords, *want;
		guint count;
	} cases[] = {
		{ "パスワード：abc123\n", "abc123", "パスワード：********\n", 1 },
		{ "ＰＷ：ａｂｃ１２３です。", "abc123", "ＰＷ：********です。", 1 },
		{ "PW:abc123 / 再送 abc123.", "abc123", "PW:******** / 再送 ********.", 2 },
		{ "「Ab3$x」", "Ab3$x", "「********」", 1 },
		{ "xabc123 abc1234 03-abc123-9", "abc123", "xabc123 abc1234 03-********-9", 1 },
		{ "電話 03-1234-5678 PIN 1234", "1234", "電話 03-1234-5678 PIN ********", 1 },
		/* where the extractor reads a password, and where it stands out */
		{ "PW-Abc123 [PW]Abc123 PW>Abc123", "Abc123", "PW-******** [PW]******** PW>********",
		  3 },
		{ "https://x.jp/dl/Abc123/f?k=Abc123&x=1 Abc123!", "Abc123",
		  "https://x.jp/dl/********/f?k=********&x=1 ********!", 3 },
		{ "PW-1234 [PIN]1234 2024/1234 1234.5", "1234", "PW-******** [PIN]******** 2024/1234 1234.5",
		  2 },
		{ "two: aa11 bb22", "aa11\nbb22", "two: ******** ********", 2 },
		{ "PIN：①②③④", "1234", "PIN：********", 1 },
		{ "PW: Abc\u00ad12\u200b3.", "Abc123", "PW: ********.", 1 }, /* invisible inside */
		{ "PW: ab¥12 ab￥12", "ab\\12", "PW: ******** ********", 2 }, /* ¥ for backslash */
		{ "nothing", "", "nothing", 0 },
	};
	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		guint n = 0;
		g_autofree char *got = masked(cases[i].text, cases[i].passwords, &n);
		if (g_strcmp0(got, cases[i].want) != 0 || n != cases[i].count)
			g_error("mask \"%s\": got \"%s\" (%u), want \"%s\" (%u)", cases[i].text,
				got, n, cases[i].want, cases[i].count);
	}
	/* for the audit: inside other words too, in every width */
	GString *audit = g_string_new("xabc123 ａｂｃ１２３4 03-abc123-9 nothing");
	g_assert_cmpuint(mime_mask_passwords_anywhere(audit, "abc123"), ==, 3);
	g_assert_cmpstr(audit->str, ==, "x******** ********4 03-********-9 nothing");
	g_string_free(audit, TRUE);
	/* what the extractor found is what the mask hides, in every width */
	static const char *const texts[] = {
		"ＰＷ：ａｂｃ１２３", "【パスワード】\nKp7#xQ2m\n", "解凍パスワードは「Ab3$x」です。",
		"The password is Kq82xv.",
	};
	for (gsize i = 0; i < G_N_ELEMENTS(texts); i++) {
		g_autofree char *found = mime_text_passwords(texts[i]);
		guint n = 0;
		g_autofree char *got = masked(texts[i], found, &n);
		g_assert_cmpuint(n, >=, 1);
		g_autofree char *again = mime_text_passwords(got);
		g_assert_null(again); /* the mask is no password */
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/mime-passwords/japanese", test_japanese);
	g_test_add_func("/mime-passwords/english", test_english);
	g_test_add_func("/mime-passwords/not-passwords", test_not_passwords);
	g_test_add_func("/mime-passwords/limits", test_limits);
	g_test_add_func("/mime-passwords/linear-time", test_linear_time);
	g_test_add_func("/mime-passwords/mask", test_mask);
	return g_test_run();
}
