/*
 * NAME
 *	test-mime - the mail handler: text conversion, attachments, hostile mail
 * SUMMARY
 *	In-process runs of whole messages. The text part is decoded here and
 *	searched; tests/data re-parses the fixture corpus with python's email.
 */
#include <string.h>

#include "actions.h"
#include "cdr.h"
#include "test-util.h"
#include "mime-params.h"
#include "mime-words.h"
#include "mime.h"

static struct cdr_engine *text_engine, *sanitize_engine, *jis_engine;
static struct cdr_policy *text_policy, *sanitize_policy, *jis_policy;

struct result {
	struct cdr_report *report;
	char *message;  /* whole output */
	char *text;     /* decoded text part */
	char *subject;  /* decoded Subject */
};

static void
result_clear(struct result *r)
{
	cdr_report_free(r->report);
	g_free(r->message);
	g_free(r->text);
	g_free(r->subject);
}

/* The first base64 text/plain part, decoded. */
static char *
text_part(const char *msg)
{
	const char *h = strstr(msg, "Content-Type: text/plain; charset=utf-8\r\n"
				    "Content-Transfer-Encoding: base64\r\n\r\n");
	if (!h)
		return NULL;
	const char *start = strstr(h, "\r\n\r\n") + 4;
	const char *end = strstr(start, "\r\n--");
	g_autofree char *b64 = end ? g_strndup(start, (gsize)(end - start)) : g_strdup(start);
	gsize len;
	guchar *raw = g_base64_decode(b64, &len);
	char *text = g_strndup((const char *)raw, len);
	g_free(raw);
	return text;
}

static char *
subject_of(struct cdr_engine *e, const char *msg)
{
	const char *s = strstr(msg, "\r\nSubject:");
	if (!s && g_str_has_prefix(msg, "Subject:"))
		s = msg - 2;
	if (!s)
		return NULL;
	s += 10;
	const char *end = s;
	while ((end = strstr(end, "\r\n")) && (end[2] == ' ' || end[2] == '\t'))
		end += 2;
	char *value = mime_decode_header(cdr_engine_charsets(e), s, (gsize)(end - s), NULL);
	return g_strstrip(value);
}

static struct result
run(struct cdr_engine *e, const char *msg)
{
	struct result r = { 0 };
	GByteArray *out = NULL;
	r.report = cdr_engine_run(e, (const guint8 *)msg, strlen(msg), "mail.eml", &out);
	if (out) {
		r.message = g_strndup((const char *)out->data, out->len);
		r.text = text_part(r.message);
		r.subject = subject_of(e, r.message);
		g_byte_array_unref(out);
	}
	return r;
}

#define HEAD "From: a@example.jp\r\nTo: b@example.lg.jp\r\nMIME-Version: 1.0\r\n"

static void
test_japanese_text_mode(void)
{
	struct result r = run(text_engine,
			      "Received: from evil by gw\r\n" HEAD
			      "Subject: =?ISO-2022-JP?B?GyRCJCpDTiRpJDstIS1qfGIbKEI=?=\r\n"
			      "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
			      "--b\r\nContent-Type: text/plain; charset=ISO-2022-JP\r\n\r\n"
			      "\x1b$B$3$s$K$A$O-!\x1b(B\r\n"
			      "--b\r\nContent-Type: application/vnd.ms-excel.sheet.macroEnabled.12\r\n"
			      "Content-Disposition: attachment; filename=\"invoice.xlsm\"\r\n"
			      "Content-Transfer-Encoding: base64\r\n\r\nU0VDUkVUUEFZTE9BRA==\r\n"
			      "--b--\r\n");
	g_assert_cmpint(r.report->verdict, ==, CDR_SANITIZED);
	g_assert_cmpstr(r.report->handler, ==, "mime");
	g_assert_cmpstr(r.subject, ==, "お知らせ①㈱髙");
	g_assert_nonnull(strstr(r.text, "こんにちは①"));
	g_assert_nonnull(strstr(r.text, "【無害化のお知らせ】"));
	g_assert_nonnull(strstr(r.text, "invoice.xlsm"));
	g_assert_null(strstr(r.message, "U0VDUkVUUEFZTE9BRA"));
	g_assert_null(strstr(r.message, "Received:"));
	g_assert_true(report_has_action(r.report, CDR_ACT_ATTACHMENT));
	g_assert_true(report_has_action(r.report, CDR_ACT_HEADER));
	result_clear(&r);
}

static void
test_html_alternative(void)
{
	struct result r = run(text_engine,
			      HEAD "Subject: news\r\n"
			      "Content-Type: multipart/alternative; boundary=\"a\"\r\n\r\n"
			      "--a\r\nContent-Type: text/plain\r\n\r\n  \r\n"
			      "--a\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
			      "<p>口座を<a href=\"https://evil.example/\">https://bank.example.jp/</a>"
			      "で確認</p><script>steal()</script><div hidden>secret</div>\r\n"
			      "--a\r\nContent-Type: application/octet-stream; name=\"hidden.exe\"\r\n\r\n"
			      "MZ\r\n--a--\r\n");
	g_assert_nonnull(strstr(r.text, "https://bank.example.jp/ <https://evil.example/>"));
	g_assert_null(strstr(r.text, "steal"));
	g_assert_null(strstr(r.text, "secret"));
	g_assert_nonnull(strstr(r.text, "hidden.exe")); /* listed as removed */
	g_assert_true(report_has_action(r.report, CDR_ACT_HTML));
	g_assert_true(report_has_action(r.report, CDR_ACT_ATTACHMENT));
	result_clear(&r);
}

static void
test_plain_preferred_in_alternative(void)
{
	struct result r = run(text_engine,
			      HEAD "Subject: x\r\nContent-Type: multipart/alternative; boundary=\"a\"\r\n\r\n"
			      "--a\r\nContent-Type: text/plain\r\n\r\nplain version\r\n"
			      "--a\r\nContent-Type: text/html\r\n\r\n<p>html version</p>\r\n--a--\r\n");
	g_assert_nonnull(strstr(r.text, "plain version"));
	g_assert_null(strstr(r.text, "html version"));
	g_assert_false(report_has_action(r.report, CDR_ACT_HTML));
	result_clear(&r);
}

static void
test_header_injection(void)
{
	struct result r = run(text_engine, HEAD "Subject: =?utf-8?Q?hi=0D=0ABcc:_victim@example.jp?=\r\n"
					       "Content-Type: text/plain\r\n\r\nbody\r\n");
	g_assert_null(strstr(r.message, "\r\nBcc:"));
	g_assert_cmpstr(r.subject, ==, "hi Bcc: victim@example.jp");
	result_clear(&r);
}

/* The report names the sender for the quarantine's index: the From
 * header decoded, and the address of its one mailbox (PPAP pairing
 * compares it): none when From is missing or given twice, or holds a
 * group, several mailboxes or no address; a display name that looks
 * like an address does not count. */
static void
test_sender_facts(void)
{
	struct result r = run(text_engine,
			      "From: =?ISO-2022-JP?B?GyRCOzNFRBsoQg==?= <Taro@Example.JP>\r\n"
			      "Subject: s\r\nContent-Type: text/plain\r\n\r\nbody\r\n");
	g_assert_cmpstr(r.report->from, ==, "山田 <Taro@Example.JP>");
	g_assert_cmpstr(r.report->from_address, ==, "Taro@Example.JP");
	result_clear(&r);
	r = run(text_engine, "From: \"boss@example.jp\" <x@evil.example>\r\n"
			     "Subject: s\r\nContent-Type: text/plain\r\n\r\nbody\r\n");
	g_assert_cmpstr(r.report->from_address, ==, "x@evil.example");
	result_clear(&r);
	r = run(text_engine, "From: Taro <taro@example.jp> (the (nested) comment)\r\n"
			     "Subject: s\r\nContent-Type: text/plain\r\n\r\nbody\r\n");
	g_assert_cmpstr(r.report->from_address, ==, "taro@example.jp");
	result_clear(&r);
	static const char *const unsure[] = {
		"From: undisclosed:;\r\n",
		"From: team: taro@example.jp;\r\n",
		"From: taro@example.jp, y@evil.example\r\n",
		"From: y@evil.example, taro@example.jp\r\n",
		"From: <taro@example.jp> y@evil.example\r\n",
		"From: taro@example.jp\r\nFrom: y@evil.example\r\n",
		"From: taro@example.jp\r\nfrom: taro@example.jp\r\n",
		"From: =?utf-8?q?taro=40example.jp?=\r\n",
		"From: Taro\r\n",
		"",
	};
	for (guint i = 0; i < G_N_ELEMENTS(unsure); i++) {
		g_autofree char *mail = g_strconcat(unsure[i], "Subject: s\r\n"
					"Content-Type: text/plain\r\n\r\nbody\r\n", NULL);
		r = run(text_engine, mail);
		g_assert_null(r.report->from_address);
		result_clear(&r);
	}
}

static void
test_signed_and_encrypted(void)
{
	struct result r = run(text_engine,
			      HEAD "Subject: s\r\nContent-Type: multipart/signed; "
				   "protocol=\"application/pkcs7-signature\"; micalg=sha-256; boundary=\"s\"\r\n\r\n"
				   "--s\r\nContent-Type: text/plain\r\n\r\nsigned words\r\n"
				   "--s\r\nContent-Type: application/pkcs7-signature; name=smime.p7s\r\n\r\n"
				   "AAAA\r\n--s--\r\n");
	g_assert_nonnull(strstr(r.text, "signed words"));
	g_assert_true(report_has_action(r.report, CDR_ACT_SIGNATURE));
	g_assert_false(report_has_action(r.report, CDR_ACT_ATTACHMENT));
	result_clear(&r);

	r = run(text_engine, HEAD "Subject: e\r\nContent-Type: multipart/encrypted; "
				  "protocol=\"application/pgp-encrypted\"; boundary=\"e\"\r\n\r\n"
				  "--e\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n"
				  "--e\r\nContent-Type: application/octet-stream\r\n\r\n-----BEGIN PGP "
				  "MESSAGE-----\r\n--e--\r\n");
	g_assert_true(report_has_action(r.report, CDR_ACT_ENCRYPTED));
	g_assert_null(strstr(r.message, "BEGIN PGP"));
	result_clear(&r);
}

static void
test_sanitize_mode_keeps_clean_attachments(void)
{
	struct result r = run(sanitize_engine,
			      HEAD "Subject: files\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
			      "--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
			      "--b\r\nContent-Type: text/plain\r\n"
			      "Content-Disposition: attachment; filename*=UTF-8''%E8%AD%B0%E4%BA%8B.txt\r\n\r\n"
			      "minutes\r\n"
			      "--b\r\nContent-Type: application/octet-stream\r\n"
			      "Content-Disposition: attachment; filename=\"setup.exe\"\r\n\r\nMZ\x90\r\n"
			      "--b--\r\n");
	g_assert_cmpint(r.report->verdict, ==, CDR_SANITIZED);
	g_assert_nonnull(strstr(r.message, "multipart/mixed"));
	g_assert_nonnull(strstr(r.message, "filename*=UTF-8''%E8%AD%B0%E4%BA%8B.txt"));
	g_assert_null(strstr(r.message, "setup.exe\r\n"));
	g_assert_nonnull(strstr(r.text, "setup.exe"));
	g_assert_nonnull(strstr(r.text, "dangerous file name"));
	g_assert_nonnull(strstr(r.text, "お問い合わせ / Contact: 情報政策課 (内線 1234)"));
	g_assert_cmpuint(r.report->children->len, ==, 2);
	result_clear(&r);
}

/* One attachment over its own limit (a pixel bomb) is removed; the message
 * goes on. Only whole-message budgets end the message. */
static void
test_attachment_limit_removes_only_it(void)
{
	g_autofree char *path = g_build_filename(SOURCE_ROOT, "fixtures", "png", "hostile",
						 "giant-dimensions.png", NULL);
	g_autofree char *png = NULL;
	gsize len = 0;
	g_assert_true(g_file_get_contents(path, &png, &len, NULL));
	g_autofree char *b64 = g_base64_encode((const guchar *)png, len);
	g_autofree char *mail = g_strdup_printf(
		HEAD "Subject: bomb\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
		     "--b\r\nContent-Type: text/plain\r\n\r\nphoto attached\r\n"
		     "--b\r\nContent-Type: image/png; name=\"photo.png\"\r\n"
		     "Content-Transfer-Encoding: base64\r\n\r\n%s\r\n--b--\r\n", b64);
	struct result r = run(sanitize_engine, mail);
	g_assert_cmpint(r.report->verdict, ==, CDR_SANITIZED);
	g_assert_nonnull(strstr(r.text, "photo attached"));
	g_assert_nonnull(strstr(r.text, "max_image_pixels"));
	result_clear(&r);
}

/* A forwarded message is mail too: rebuilt by the same handler, attached as
 * message/rfc822 (7bit, never base64); its own attachment is judged. */
static void
test_forwarded_message_sanitize_mode(void)
{
	struct result r = run(sanitize_engine,
			      HEAD "Subject: fwd\r\nContent-Type: multipart/mixed; boundary=\"o\"\r\n\r\n"
			      "--o\r\nContent-Type: text/plain\r\n\r\nforwarding\r\n"
			      "--o\r\nContent-Type: message/rfc822\r\n"
			      "Content-Disposition: attachment; filename=\"orig.eml\"\r\n\r\n"
			      "From: c@example.jp\r\nSubject: inner\r\nContent-Type: multipart/mixed; "
			      "boundary=\"i\"\r\n\r\n--i\r\nContent-Type: text/plain\r\n\r\ninner text\r\n"
			      "--i\r\nContent-Type: application/octet-stream; name=\"run.exe\"\r\n\r\nMZ\r\n"
			      "--i--\r\n--o--\r\n");
	g_assert_cmpint(r.report->verdict, ==, CDR_SANITIZED);
	g_assert_nonnull(strstr(r.message, "Content-Type: message/rfc822"));
	g_assert_nonnull(strstr(r.message, "Content-Transfer-Encoding: 7bit"));
	g_assert_nonnull(strstr(r.message, "Subject: inner"));
	g_assert_null(strstr(r.message, "\r\n\r\nMZ"));
	const struct cdr_report *inner = r.report->children->pdata[0];
	g_assert_cmpstr(inner->handler, ==, "mime");
	g_assert_true(report_has_action(inner, CDR_ACT_ATTACHMENT));
	result_clear(&r);
}

static void
test_notice_at_the_bottom(void)
{
	static const char conf[] = "[mail]\nnotice = bottom\nsubject_tag = [無害化]\n";
	g_autoptr(cdr_policy) p = cdr_policy_load_data(conf, strlen(conf), "t", NULL);
	struct cdr_engine *e = cdr_engine_new(p, NULL, NULL);
	struct result r = run(e, HEAD "Subject: hello\r\nContent-Type: text/html\r\n\r\n<p>first</p>\r\n");
	g_assert_true(g_str_has_prefix(r.text, "first"));
	g_assert_nonnull(strstr(r.text, "【無害化のお知らせ】"));
	g_assert_cmpstr(r.subject, ==, "[無害化] hello");
	result_clear(&r);
	cdr_engine_free(e);
}

/* The notice comes from [mail] notice_template: placeholders filled in,
 * a line whose placeholder is empty left out, unknown words kept. */
static void
test_notice_template(void)
{
	static const char conf[] =
		"[mail]\nnotice_template = ◆ 総務課からのお知らせ ◆\\n{html_ja}\\n"
		"{attachments_ja}\\n問い合わせ先: {contact}\\n{unknown} stays\\n◆◆◆\n";
	g_autoptr(GError) error = NULL;
	g_autoptr(cdr_policy) p = cdr_policy_load_data(conf, strlen(conf), "t", &error);
	g_assert_no_error(error);
	struct cdr_engine *e = cdr_engine_new(p, NULL, NULL);
	struct result r = run(e, HEAD "Subject: hello\r\nContent-Type: text/html\r\n\r\n<p>first</p>\r\n");
	g_assert_true(g_str_has_prefix(r.text, "◆ 総務課からのお知らせ ◆\r\n"
					       "HTML形式の本文をテキストに変換しました。\r\n"
					       "{unknown} stays\r\n◆◆◆\r\n"));
	g_assert_null(strstr(r.text, "問い合わせ先")); /* no contact configured */
	g_assert_null(strstr(r.text, "[mugaika notice]"));
	result_clear(&r);
	cdr_engine_free(e);
}

/* [web] base_url set: the notice carries the console's link (the
 * release_url run parameter); without it the line is left out. */
static void
test_notice_release_url(void)
{
	static const char msg[] = HEAD "Subject: hello\r\nContent-Type: text/html\r\n\r\n<p>first</p>\r\n";
	const char url[] = "https://mugaika.example.lg.jp/r/MjAy.c2ln";
	const struct cdr_run_params with = { .quarantine_id = "20261206T000000-000000000001",
					     .release_url = url };
	const struct cdr_run_params without = { .quarantine_id = "20261206T000000-000000000001" };
	for (int i = 0; i < 2; i++) {
		GByteArray *out = NULL;
		g_autoptr(cdr_report) rep = cdr_engine_run_with(text_engine, (const guint8 *)msg,
								strlen(msg), "mail.eml",
								i ? &without : &with, &out);
		g_assert_nonnull(out);
		g_autofree char *message = g_strndup((const char *)out->data, out->len);
		g_byte_array_unref(out);
		g_autofree char *text = text_part(message);
		g_assert_nonnull(strstr(text, "20261206T000000-000000000001"));
		if (i == 0)
			g_assert_nonnull(strstr(text, "無害化したファイルの受け取り / Get the files "
						      "disarmed: https://mugaika.example.lg.jp/r/MjAy.c2ln\r\n"));
		else
			g_assert_null(strstr(text, "無害化したファイルの受け取り"));
	}
}

/* A right-to-left override in a file name must not make the notice say
 * "exe.pdf" for "fdp.exe". */
static void
test_notice_shows_bidi_controls(void)
{
	struct result r = run(text_engine,
			      HEAD "Subject: invoice\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
			      "--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
			      "--b\r\nContent-Type: application/octet-stream\r\n"
			      "Content-Disposition: attachment; filename*=UTF-8''%E8%AB%8B%E6%B1%82%E6%9B%B8%E2%80%AEfdp.exe\r\n\r\n"
			      "MZ\r\n--b--\r\n");
	g_assert_nonnull(strstr(r.text, "請求書[U+202E]fdp.exe"));
	g_assert_null(strstr(r.text, "\u202e"));
	result_clear(&r);
}

/* A long Japanese file name goes out as RFC 2231 continuations (no line
 * over 78 columns) and reads back whole. */
static void
test_long_attachment_name(void)
{
	const char *name = "令和8年度_第3回_定例会議_議事録(案)_総務部総務課_情報政策係_修正版_最終.txt";
	g_autofree char *pct = g_uri_escape_string(name, NULL, FALSE);
	g_autofree char *mail = g_strdup_printf(
		HEAD "Subject: long\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
		     "--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
		     "--b\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; "
		     "filename*=UTF-8''%s\r\n\r\nminutes\r\n--b--\r\n", pct);
	struct result r = run(sanitize_engine, mail);
	const char *cd = strstr(r.message, "Content-Disposition: attachment;");
	g_assert_nonnull(cd);
	g_assert_nonnull(strstr(cd, "filename*1*="));
	const char *end = strstr(cd, "\r\nContent-Transfer-Encoding");
	g_autofree char *value = g_strndup(cd + 20, (gsize)(end - cd - 20));
	g_autofree char *back = mime_param_decode(cdr_engine_charsets(sanitize_engine), value, "filename");
	g_assert_cmpstr(back, ==, name);
	for (const char *l = r.message; (l = strstr(l, "\r\n")); l += 2) {
		const char *next = strstr(l + 2, "\r\n");
		if (next && !g_str_has_prefix(l + 2, "--"))
			g_assert_cmpint(next - (l + 2), <=, 78);
	}
	result_clear(&r);
}

static void
test_format_flowed(void)
{
	struct result r = run(text_engine,
			      HEAD "Subject: flowed\r\n"
			      "Content-Type: text/plain; charset=utf-8; format=flowed; delsp=yes\r\n\r\n"
			      "資料を添付いたしますので、 \r\nご確認ください。\r\n"
			      " From the minutes:\r\n"
			      "> quoted and \r\n> flowed\r\n-- \r\nsig\r\n");
	g_assert_nonnull(strstr(r.text, "資料を添付いたしますので、ご確認ください。\r\n"));
	g_assert_nonnull(strstr(r.text, "\r\nFrom the minutes:\r\n"));
	g_assert_nonnull(strstr(r.text, "> quoted andflowed\r\n")); /* delsp=yes */
	g_assert_nonnull(strstr(r.text, "-- \r\nsig"));
	result_clear(&r);
}

static void
test_deep_nesting_is_a_limit(void)
{
	GString *msg = g_string_new(HEAD "Subject: deep\r\n");
	for (int i = 0; i < 30; i++)
		g_string_append_printf(msg, "Content-Type: multipart/mixed; boundary=\"b%d\"\r\n\r\n"
					    "--b%d\r\n", i, i);
	g_string_append(msg, "Content-Type: text/plain\r\n\r\ndeep\r\n");
	struct result r = run(text_engine, msg->str);
	g_assert_cmpint(r.report->verdict, ==, CDR_BLOCKED);
	g_assert_cmpint(r.report->error, ==, CDR_E_LIMIT);
	result_clear(&r);
	g_string_free(msg, TRUE);
}

static void
test_calendar_summary(void)
{
	struct result r = run(text_engine,
			      HEAD "Subject: invite\r\nContent-Type: multipart/alternative; boundary=\"a\"\r\n\r\n"
			      "--a\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n会議のご案内\r\n"
			      "--a\r\nContent-Type: text/calendar; method=REQUEST; charset=utf-8\r\n\r\n"
			      "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n"
			      "SUMMARY:定例会議\\, 第3回\r\nDTSTART;TZID=Asia/Tokyo:20261125T100000\r\n"
			      "DTEND:20261125T020000Z\r\nLOCATION:本庁舎 3階\r\n"
			      "ORGANIZER;CN=山田:mailto:yamada@example.lg.jp\r\n"
			      "DESCRIPTION:資料は当日配布します。\\n以上\r\n"
			      "BEGIN:VALARM\r\nTRIGGER:-PT15M\r\nEND:VALARM\r\n"
			      "END:VEVENT\r\nEND:VCALENDAR\r\n--a--\r\n");
	g_test_message("%s", r.text);
	g_assert_nonnull(strstr(r.text, "会議のご案内"));
	g_assert_nonnull(strstr(r.text, "件名 / Summary: 定例会議, 第3回"));
	g_assert_nonnull(strstr(r.text, "開始 / Start: 2026-11-25 10:00 (Asia/Tokyo)"));
	g_assert_nonnull(strstr(r.text, "終了 / End: 2026-11-25 02:00 UTC"));
	g_assert_nonnull(strstr(r.text, "主催 / Organizer: 山田 <yamada@example.lg.jp>"));
	g_assert_nonnull(strstr(r.text, "資料は当日配布します。\r\n以上")); /* CRLF text */
	g_assert_null(strstr(r.text, "VALARM"));
	g_assert_true(report_has_action(r.report, CDR_ACT_CALENDAR));
	g_assert_false(report_has_action(r.report, CDR_ACT_ATTACHMENT));
	result_clear(&r);
}

static void
test_iso2022jp_output(void)
{
	struct result r = run(jis_engine, HEAD "Subject: =?utf-8?B?44GK55+l44KJ44Gb4pGg44ix6auZ?=\r\n"
					      "Content-Type: text/plain; charset=utf-8\r\n\r\n"
					      "①㈱髙～の件\r\n");
	g_assert_nonnull(strstr(r.message, "Subject: =?ISO-2022-JP?B?"));
	g_assert_cmpstr(r.subject, ==, "お知らせ①㈱髙");
	const char *body = strstr(r.message, "Content-Type: text/plain; charset=iso-2022-jp\r\n"
					     "Content-Transfer-Encoding: 7bit\r\n\r\n");
	g_assert_nonnull(body);
	body = strstr(body, "\r\n\r\n") + 4;
	enum cdr_decode_quality q;
	g_autofree char *text = cdr_charset_decode(cdr_engine_charsets(jis_engine), "iso-2022-jp",
						   (const guint8 *)body, strlen(body), &q);
	g_assert_cmpint(q, ==, CDR_DECODE_EXACT);
	g_assert_nonnull(strstr(text, "①㈱髙～の件"));
	result_clear(&r);

	/* half-width katakana does not fit: that text stays UTF-8 */
	r = run(jis_engine, HEAD "Subject: ok\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
				 "ｶﾀｶﾅ\r\n");
	g_assert_nonnull(strstr(r.text, "ｶﾀｶﾅ"));
	result_clear(&r);
}

/* One TNEF attribute: level, id, length, data, checksum (sum of the bytes). */
static void
tnef_attr(GByteArray *b, guint8 level, guint32 id, const void *data, guint32 len)
{
	guint8 head[9] = { level, (guint8)id, (guint8)(id >> 8), (guint8)(id >> 16),
			   (guint8)(id >> 24), (guint8)len, (guint8)(len >> 8), (guint8)(len >> 16),
			   (guint8)(len >> 24) };
	guint16 sum = 0;
	for (guint32 i = 0; i < len; i++)
		sum = (guint16)(sum + ((const guint8 *)data)[i]);
	guint8 check[2] = { (guint8)sum, (guint8)(sum >> 8) };
	g_byte_array_append(b, head, 9);
	g_byte_array_append(b, data, len);
	g_byte_array_append(b, check, 2);
}

/* A mail carrying winmail.dat with SETUP.EXE and a Shift_JIS-named 表.txt. */
static char *
tnef_mail(void)
{
	static const guint8 signature[6] = { 0x78, 0x9f, 0x3e, 0x22, 0x01, 0x00 };
	static const guint8 render[14] = { 1 }; /* attachment of type file */
	guint32 version = 0x00010000;
	g_autoptr(GByteArray) t = g_byte_array_new();
	g_byte_array_append(t, signature, 6);
	tnef_attr(t, 1, 0x00089006, &version, 4);        /* attTnefVersion */
	tnef_attr(t, 2, 0x00069002, render, 14);          /* attAttachRendData */
	tnef_attr(t, 2, 0x00018010, "SETUP.EXE", 10);     /* attAttachTitle */
	tnef_attr(t, 2, 0x0006800F, "MZ\x90\0payload", 11); /* attAttachData */
	tnef_attr(t, 2, 0x00069002, render, 14);
	tnef_attr(t, 2, 0x00018010, "\x95\x5c.txt", 7);
	tnef_attr(t, 2, 0x0006800F, "minutes\n", 8);
	g_autofree char *b64 = g_base64_encode(t->data, t->len);
	return g_strdup_printf(HEAD "Subject: tnef\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
				    "--b\r\nContent-Type: text/plain\r\n\r\nsee winmail.dat\r\n"
				    "--b\r\nContent-Type: application/ms-tnef; name=\"winmail.dat\"\r\n"
				    "Content-Transfer-Encoding: base64\r\n\r\n%s\r\n--b--\r\n",
			       b64);
}

static void
test_tnef(void)
{
	g_autofree char *mail = tnef_mail();
	struct result r = run(text_engine, mail);
	g_assert_nonnull(strstr(r.text, "SETUP.EXE"));
	g_assert_nonnull(strstr(r.text, "表.txt"));
	g_assert_nonnull(strstr(r.text, "winmail.dat"));
	result_clear(&r);

	r = run(sanitize_engine, mail);
	g_assert_nonnull(strstr(r.message, "filename*=UTF-8''%E8%A1%A8.txt")); /* kept */
	g_assert_nonnull(strstr(r.text, "dangerous file name")); /* SETUP.EXE removed */
	g_assert_null(strstr(r.message, "payload"));
	result_clear(&r);

	/* not TNEF at all: the part is removed, the message goes on */
	r = run(text_engine, HEAD "Subject: bad\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
				  "--b\r\nContent-Type: text/plain\r\n\r\nbody\r\n--b\r\n"
				  "Content-Type: application/ms-tnef\r\n\r\ngarbage\r\n--b--\r\n");
	g_assert_cmpint(r.report->verdict, ==, CDR_SANITIZED);
	g_assert_nonnull(strstr(r.text, "unreadable Outlook TNEF"));
	result_clear(&r);
}

/* Sanitize mode: a uuencoded attachment (x-uue, unknown to GMime) is
 * decoded and judged by its content and its begin-line name: the text
 * file is kept decoded, the executable removed; an unknown encoding is
 * removed without being judged. */
static void
test_uuencoded_sanitize_mode(void)
{
	struct result r = run(sanitize_engine,
			      HEAD "Subject: uu\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
			      "--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
			      "--b\r\nContent-Type: application/octet-stream\r\n"
			      "Content-Transfer-Encoding: x-uue\r\n\r\n"
			      "begin 644 memo.txt\r\n0;6EN=71E<R!O:R!H97)E\"@``\r\n`\r\nend\r\n"
			      "--b\r\nContent-Type: text/plain; name=\"a.txt\"\r\n"
			      "Content-Transfer-Encoding: uue\r\n\r\n"
			      "begin 644 a.exe\r\n$35J0\"@``\r\n`\r\nend\r\n"
			      "--b\r\nContent-Type: text/plain; name=\"p.txt\"\r\n"
			      "Content-Transfer-Encoding: x-gzip64\r\n\r\nH4sI\r\n"
			      "--b--\r\n");
	g_assert_cmpint(r.report->verdict, ==, CDR_SANITIZED);
	g_assert_nonnull(strstr(r.message, "filename*=UTF-8''memo.txt"));
	g_assert_nonnull(strstr(r.message, "bWludXRlcyBvayBoZXJl")); /* "minutes ok here" */
	g_assert_null(strstr(r.message, "0;6EN=71E"));
	g_assert_nonnull(strstr(r.text, "a.exe"));
	g_assert_nonnull(strstr(r.text, "dangerous file name"));
	g_assert_nonnull(strstr(r.text, "unknown transfer encoding x-gzip64"));
	g_assert_null(strstr(r.message, "H4sI"));
	result_clear(&r);
}

static void
test_ambiguity_by_mode(void)
{
	const char *cases[] = {
		HEAD "Subject: two types\r\nContent-Type: text/plain\r\nContent-Type: text/html\r\n\r\nx\r\n",
		HEAD "Subject: two boundaries\r\nContent-Type: multipart/mixed; boundary=\"a\"; "
		     "boundary*=b\r\n\r\n--a\r\n\r\nx\r\n--a--\r\n",
		HEAD "Subject: two encodings\r\nContent-Type: text/plain\r\n"
		     "Content-Transfer-Encoding: base64\r\nContent-Transfer-Encoding: 7bit\r\n\r\nx\r\n",
	};
	for (unsigned i = 0; i < G_N_ELEMENTS(cases); i++) {
		/* sanitize mode: an attachment could be judged by the wrong reading */
		struct result r = run(sanitize_engine, cases[i]);
		g_assert_cmpint(r.report->verdict, ==, CDR_BLOCKED);
		g_assert_nonnull(strstr(r.report->reason, "ambiguous MIME"));
		result_clear(&r);
		/* text mode: the text of every reading, and a note */
		r = run(text_engine, cases[i]);
		g_assert_cmpint(r.report->verdict, ==, CDR_SANITIZED);
		g_assert_true(report_has_action(r.report, CDR_ACT_AMBIGUOUS_MIME));
		g_assert_nonnull(strstr(r.text, "x\r\n"));
		g_assert_nonnull(strstr(r.text, "structure of the message is ambiguous"));
		result_clear(&r);
	}
	/* a declared boundary that never occurs: blocked in sanitize mode,
	 * the body as text in text mode */
	const char *no_parts = HEAD "Subject: no parts\r\nContent-Type: multipart/mixed; "
				    "boundary=\"never\"\r\n\r\nplain words\r\n";
	struct result r = run(sanitize_engine, no_parts);
	g_assert_cmpint(r.report->verdict, ==, CDR_BLOCKED);
	result_clear(&r);
	r = run(text_engine, no_parts);
	g_assert_cmpint(r.report->verdict, ==, CDR_SANITIZED);
	g_assert_nonnull(strstr(r.text, "plain words"));
	result_clear(&r);
}

static void
test_size_limits(void)
{
	GString *msg = g_string_new("From: a@example.jp\r\nSubject: long\r\n\r\n");
	for (int i = 0; i < (1 << 20) + 10; i++)
		g_string_append_c(msg, 'x');
	struct result r = run(text_engine, msg->str);
	g_assert_cmpint(r.report->error, ==, CDR_E_LIMIT);
	g_assert_nonnull(strstr(r.report->reason, "max_line_bytes"));
	result_clear(&r);
	g_string_assign(msg, "From: a@example.jp\r\n");
	for (int i = 0; i < 300; i++)
		g_string_append_printf(msg, "X-Filler-%d: %01000d\r\n", i, i);
	g_string_append(msg, "\r\nbody\r\n");
	r = run(text_engine, msg->str);
	g_assert_cmpint(r.report->error, ==, CDR_E_LIMIT);
	g_assert_nonnull(strstr(r.report->reason, "max_header_bytes"));
	result_clear(&r);
	/* [mail] max_headers (500) counts fields, not continuation lines */
	for (int fields = 500; fields <= 501; fields++) {
		g_string_assign(msg, "From: a@example.jp\r\nSubject: folded\r\n\tover two lines\r\n");
		for (int i = 2; i < fields; i++)
			g_string_append_printf(msg, "X-%d: f\r\n", i);
		g_string_append(msg, "\r\nbody\r\n");
		r = run(text_engine, msg->str);
		if (fields == 500) {
			g_assert_cmpint(r.report->verdict, !=, CDR_BLOCKED);
		} else {
			g_assert_cmpint(r.report->error, ==, CDR_E_LIMIT);
			g_assert_nonnull(strstr(r.report->reason, "501 header fields are over max_headers"));
		}
		result_clear(&r);
	}
	g_string_free(msg, TRUE);
}

/* The front end's scanner: "VIRUS-BYTES" is infected, "SCAN-FAILS"
 * cannot be scanned. */
static enum cdr_scan_result
test_scanner(const guint8 *data, gsize len, const char *name, char **detail, gpointer unused)
{
	if (memmem(data, len, "SCAN-FAILS", 10)) {
		*detail = g_strdup("clamd went away");
		return CDR_SCAN_FAILED;
	}
	if (memmem(data, len, "VIRUS-BYTES", 11)) {
		*detail = g_strdup("Test.Part.Sig");
		return CDR_SCAN_INFECTED;
	}
	return CDR_SCAN_CLEAN;
}

/* A message the front end found infected with Whole.Sig. */
static struct result
run_infected(struct cdr_engine *e, const char *msg)
{
	struct result r = { 0 };
	GByteArray *out = NULL;
	const struct cdr_run_params params = { .infected = "Whole.Sig" };
	r.report = cdr_engine_run_with(e, (const guint8 *)msg, strlen(msg), "mail.eml", &params,
				       &out);
	if (out) {
		r.message = g_strndup((const char *)out->data, out->len);
		r.text = text_part(r.message);
		g_byte_array_unref(out);
	}
	return r;
}

#define TWO_ATTACHMENTS(body, second)                                                         \
	HEAD "Subject: files\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"            \
	     "--b\r\nContent-Type: text/plain\r\n\r\n" body "\r\n"                                \
	     "--b\r\nContent-Type: text/plain\r\n"                                                \
	     "Content-Disposition: attachment; filename=\"ok.txt\"\r\n\r\nminutes\r\n"            \
	     "--b\r\nContent-Type: application/octet-stream\r\n"                                  \
	     "Content-Disposition: attachment; filename=\"請求書.txt\"\r\n"                         \
	     "Content-Transfer-Encoding: base64\r\n\r\n" second "\r\n--b--\r\n"

/* VIRUS-BYTES, base64: the whole-message scan could not name the part */
#define INFECTED_B64 "VklSVVMtQllURVMK"

/* The front end found the message infected: each part is scanned, the
 * infected one is removed and named in the notice (Japanese wording of
 * the issue), in both modes; the rest is converted as usual. */
static void
test_infected_message_parts(void)
{
	struct cdr_engine *engines[] = { text_engine, sanitize_engine };
	for (gsize i = 0; i < G_N_ELEMENTS(engines); i++) {
		struct result r = run_infected(engines[i], TWO_ATTACHMENTS("see attached", INFECTED_B64));
		g_assert_cmpint(r.report->verdict, ==, CDR_SANITIZED);
		g_assert_nonnull(r.text);
		g_assert_nonnull(strstr(r.text, "請求書.txt (application/octet-stream, 12 B): "
						"ウイルスを検出したため削除しました (Test.Part.Sig)"));
		g_assert_nonnull(strstr(r.text, "removed: virus found (Test.Part.Sig)"));
		g_assert_nonnull(strstr(r.text, "see attached"));
		const struct cdr_report *bad = cdr_report_find_malware(r.report);
		g_assert_nonnull(bad);
		g_assert_cmpstr(bad->name, ==, "請求書.txt");
		g_assert_cmpstr(bad->malware, ==, "Test.Part.Sig");
		g_assert_null(strstr(r.message, INFECTED_B64));
		if (engines[i] == sanitize_engine)
			g_assert_nonnull(strstr(r.message, "filename*=UTF-8''ok.txt"));
		result_clear(&r);
	}
}

/* No part is infected (the text itself is): the message is blocked as a
 * whole, never delivered as if clean; a failed scan fails it. */
static void
test_infected_message_without_infected_part(void)
{
	struct result r = run_infected(sanitize_engine, TWO_ATTACHMENTS("VIRUS-BYTES", "b2sK"));
	g_assert_cmpint(r.report->verdict, ==, CDR_BLOCKED);
	g_assert_cmpint(r.report->error, ==, CDR_E_MALWARE);
	g_assert_cmpstr(r.report->malware, ==, "Whole.Sig");
	g_assert_null(r.message);
	result_clear(&r);

	struct result r2 = run_infected(text_engine, TWO_ATTACHMENTS("hi", "U0NBTi1GQUlMUwo="));
	g_assert_cmpint(r2.report->verdict, ==, CDR_BLOCKED);
	g_assert_cmpint(r2.report->error, ==, CDR_E_SCAN);
	g_assert_cmpstr(r2.report->reason, ==, "virus scan unavailable: clamd went away");
	g_assert_null(r2.message);
	result_clear(&r2);

	/* without the front end's verdict nothing is scanned */
	struct result r3 = run(text_engine, TWO_ATTACHMENTS("hi", "U0NBTi1GQUlMUwo="));
	g_assert_cmpint(r3.report->verdict, ==, CDR_SANITIZED);
	result_clear(&r3);
}

/* [mail] passwords_in_text (on by default): a PPAP zip with its password
 * in the same message is opened in sanitize mode; with the key off it is
 * removed. */
static void
test_ppap_password_in_text(void)
{
	g_autofree char *path = g_build_filename(SOURCE_ROOT, "fixtures", "archive", "hostile",
						 "ppap-zipcrypto.zip", NULL);
	g_autofree char *zip = NULL;
	gsize len = 0;
	g_assert_true(g_file_get_contents(path, &zip, &len, NULL));
	g_autofree char *b64 = g_base64_encode((const guchar *)zip, len);
	g_autofree char *msg = g_strdup_printf(
		HEAD "Subject: ppap\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
		     "--b\r\nContent-Type: application/zip\r\n"
		     "Content-Disposition: attachment; filename=\"mitsumori.zip\"\r\n"
		     "Content-Transfer-Encoding: base64\r\n\r\n%s\r\n"
		     "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
		     "見積書を送ります。\r\nパスワード：himitsu\r\n--b--\r\n",
		b64);
	static const char conf[] = "[mail]\nmode = sanitize\npasswords_in_text = true\n";
	g_autoptr(cdr_policy) p = cdr_policy_load_data(conf, strlen(conf), "t", NULL);
	struct cdr_engine *e = cdr_engine_new(p, NULL, NULL);
	struct result r = run(e, msg);
	g_assert_cmpint(r.report->verdict, ==, CDR_SANITIZED);
	g_assert_nonnull(strstr(r.text, "無害化して添付 → mitsumori.zip"));
	g_assert_null(strstr(r.message, "himitsu"));
	g_autofree char *json = cdr_report_to_json_string(r.report);
	g_assert_null(strstr(json, "himitsu"));
	result_clear(&r);
	cdr_engine_free(e);

	static const char off[] = "[mail]\nmode = sanitize\npasswords_in_text = false\n";
	g_autoptr(cdr_policy) p_off = cdr_policy_load_data(off, strlen(off), "t", NULL);
	struct cdr_engine *e_off = cdr_engine_new(p_off, NULL, NULL);
	struct result r2 = run(e_off, msg);
	g_assert_nonnull(strstr(r2.text, "password-protected archive"));
	result_clear(&r2);
	cdr_engine_free(e_off);
}

/* `msg` through an engine with the policy `conf` (mugaika.conf text). */
static struct result
run_with_conf(const char *conf, const char *msg)
{
	g_autoptr(cdr_policy) p = cdr_policy_load_data(conf, strlen(conf), "t", NULL);
	g_assert_nonnull(p);
	struct cdr_engine *e = cdr_engine_new(p, NULL, NULL);
	struct result r = run(e, msg);
	cdr_engine_free(e);
	return r;
}

/* A message with the given text attachments (name, UTF-8 text) */
static char *
mail_with_texts(const char *const *files)
{
	GString *m = g_string_new("From: a@example.jp\r\nTo: b@example.lg.jp\r\nSubject: t\r\n"
				  "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n"
				  "\r\n--b\r\nContent-Type: text/plain\r\n\r\nbody\r\n");
	for (; *files; files += 2) {
		g_autofree char *b64 = g_base64_encode((const guchar *)files[1], strlen(files[1]));
		g_string_append_printf(m, "--b\r\nContent-Type: text/plain; charset=utf-8\r\n"
					  "Content-Disposition: attachment; filename=\"%s\"\r\n"
					  "Content-Transfer-Encoding: base64\r\n\r\n%s\r\n",
				       files[0], b64);
	}
	g_string_append(m, "--b--\r\n");
	return g_string_free(m, FALSE);
}

/* [mail] attachment_text: normalized excerpts below the body, within the
 * per-attachment and per-message limits; off, and sanitize mode, show none */
static void
test_attachment_excerpts(void)
{
	static const char heading[] = "──── 添付ファイルの本文（テキスト化・抜粋） ────";
	const char *const files[] = {
		"note.txt", "か\xe3\x82\x99ぎ\x01\rline\t two  \n\n\n\nend\xe2\x80\xae"
			    "fdp.exe\xe2\x80\xa8next",
		"run.exe", "MZ not shown",
		NULL,
	};
	g_autofree char *msg = mail_with_texts(files);
	struct result r = run(text_engine, msg);
	g_assert_cmpint(r.report->verdict, ==, CDR_SANITIZED);
	g_assert_nonnull(strstr(r.text, heading));
	g_assert_nonnull(strstr(r.text, "■ note.txt\r\nがぎ\r\nline\t two\r\n\r\nend[U+202E]fdp.exe"
					"\r\nnext"));
	g_assert_nonnull(strstr(r.text, "■ run.exe\r\n（実行できる種類のファイルのため抜粋しません"));
	g_assert_null(strstr(r.text, "MZ not shown"));
	g_assert_null(strstr(r.text, "\x01"));
	g_assert_true(strstr(r.text, "body") < strstr(r.text, heading));
	result_clear(&r);

	struct result s = run(sanitize_engine, msg);
	g_assert_null(strstr(s.message, heading));
	result_clear(&s);

	struct result o = run_with_conf("[mail]\nattachment_text = off\n", msg);
	g_assert_null(strstr(o.text, heading));
	g_assert_null(strstr(o.text, "がぎ"));
	result_clear(&o);

	GString *long_text = g_string_new(NULL);
	for (int i = 0; i < 300; i++)
		g_string_append(long_text, "あ");
	const char *const two[] = { "a.txt", long_text->str, "b.txt", long_text->str, NULL };
	g_autofree char *msg2 = mail_with_texts(two);
	struct result t = run_with_conf("[mail]\nattachment_text_chars = 100\n"
					"attachment_text_total_chars = 150\n", msg2);
	g_autofree char *hundred = g_strndup(long_text->str, 100 * 3);
	/* 150 - 101 shown (100 and the ellipsis) */
	g_autofree char *fifty = g_strndup(long_text->str, 49 * 3);
	g_autofree char *first = g_strdup_printf("■ a.txt\r\n%s…\r\n", hundred);
	g_autofree char *second = g_strdup_printf("■ b.txt\r\n%s…\r\n", fifty);
	g_assert_nonnull(strstr(t.text, first));
	g_assert_nonnull(strstr(t.text, second));
	result_clear(&t);
	g_string_free(long_text, TRUE);
}

/* [mail] links = defang | remove, from the policy or the run (the milter,
 * per recipient): plain text, HTML converted and excerpts alike */
static void
test_link_styles(void)
{
	static const char msg[] =
		"From: a@example.jp\r\nTo: b@example.lg.jp\r\nSubject: t\r\nMIME-Version: 1.0\r\n"
		"Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
		"--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
		"\xe8\xa9\xb3\xe7\xb4\xb0 https://www.example.com/a.b?c=d.e \xe3\x81\xb8\r\n"
		"www.city.example.lg.jp/x\r\nmailto:a@b.example.jp\r\n"
		"--b\r\nContent-Type: text/html\r\n\r\n"
		"<a href=\"https://evil.example.net/login\">https://bank.example.jp/</a>"
		"<p><a href=\"https://www.example.org/p\">\xe8\xa6\x8b\xe3\x82\x8b</a></p>\r\n"
		"--b\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; "
		"filename=\"n.txt\"\r\n\r\nftp://files.example.jp/x.zip\r\n--b--\r\n";
	struct result t = run(text_engine, msg);
	g_assert_nonnull(strstr(t.text, "詳細 https://www.example.com/a.b?c=d.e へ"));
	g_assert_nonnull(strstr(t.text, "https://bank.example.jp/ <https://evil.example.net/login>"));
	result_clear(&t);

	static const char defang_conf[] = "[mail]\nlinks = defang\n";
	g_autoptr(cdr_policy) dp = cdr_policy_load_data(defang_conf, strlen(defang_conf), "t", NULL);
	struct cdr_engine *e = cdr_engine_new(dp, NULL, NULL);
	struct result d = run(e, msg);
	g_assert_nonnull(strstr(d.text, "詳細 hxxps://www[.]example[.]com/a.b?c=d.e へ"));
	g_assert_nonnull(strstr(d.text, "www[.]city[.]example[.]lg[.]jp/x"));
	g_assert_nonnull(strstr(d.text, "mailto[:]a@b[.]example[.]jp"));
	g_assert_nonnull(strstr(d.text, "hxxps://bank[.]example[.]jp/ "
					"<hxxps://evil[.]example[.]net/login>"));
	g_assert_nonnull(strstr(d.text, "見る <hxxps://www[.]example[.]org/p>"));
	g_assert_nonnull(strstr(d.text, "fxp://files[.]example[.]jp/x.zip"));
	g_assert_null(strstr(d.text, "https://"));
	g_assert_true(report_has_action(d.report, CDR_ACT_LINK_STYLED));
	/* a second pass changes nothing */
	struct result d2 = run(e, d.message);
	g_assert_cmpstr(strstr(d2.text, "詳細"), ==, strstr(d.text, "詳細"));
	result_clear(&d2);
	result_clear(&d);
	cdr_engine_free(e);

	/* the run's style wins over the policy's (the milter's per recipient) */
	const struct cdr_run_params remove = { .mail_links = "remove" };
	GByteArray *out = NULL;
	struct cdr_report *r = cdr_engine_run_with(text_engine, (const guint8 *)msg, strlen(msg),
						   "mail.eml", &remove, &out);
	g_autofree char *whole = g_strndup((const char *)out->data, out->len);
	g_autofree char *text = text_part(whole);
	g_assert_nonnull(strstr(text, "詳細 （リンク削除） へ"));
	g_assert_nonnull(strstr(text, "\r\n見る\r\n"));
	g_assert_null(strstr(text, "example.org"));
	g_assert_null(strstr(text, "evil"));
	g_assert_null(strstr(text, "ftp:"));
	g_byte_array_unref(out);
	cdr_report_free(r);
	const struct cdr_run_params bad = { .mail_links = "links" };
	r = cdr_engine_run_with(text_engine, (const guint8 *)msg, strlen(msg), "mail.eml", &bad,
				&out);
	g_assert_cmpint(r->verdict, ==, CDR_BLOCKED);
	cdr_report_free(r);
}

/* Text mode: forwarded messages shown after the text, nested, their
 * headers decoded and on one line each; max_depth still ends it */
static void
test_forwarded_inline(void)
{
	static const char msg[] =
		"From: a@example.jp\r\nTo: b@example.lg.jp\r\nSubject: outer\r\nMIME-Version: 1.0\r\n"
		"Content-Type: multipart/mixed; boundary=\"o\"\r\n\r\n"
		"--o\r\nContent-Type: text/plain\r\n\r\nouter text\r\n"
		"--o\r\nContent-Type: message/rfc822\r\n\r\n"
		"From: =?ISO-2022-JP?B?GyRCOjRGIxsoQg==?= <s@example.jp>\r\n"
		"Subject: inner\x1b\r\n\tfolded\r\nDate: Tue, 1 Apr 2025 10:00:00 +0900\r\n"
		"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"i\"\r\n\r\n"
		"--i\r\nContent-Type: text/html\r\n\r\n<p>inner <b>html</b></p>\r\n"
		"--i\r\nContent-Type: message/rfc822\r\n\r\n"
		"From: x@example.jp\r\nSubject: innermost\r\n\r\ndeepest text\r\n"
		"--i--\r\n--o--\r\n";
	struct result r = run(text_engine, msg);
	g_assert_cmpint(r.report->verdict, ==, CDR_SANITIZED);
	const char *outer = strstr(r.text, "outer text");
	const char *first = strstr(r.text, "From: 佐藤 <s@example.jp>\r\nDate: Tue, 1 Apr 2025 "
					   "10:00:00 +0900\r\nSubject: inner");
	g_assert_nonnull(strstr(r.text, "folded\r\n\r\ninner html"));
	g_assert_null(strstr(r.text, "\x1b"));
	const char *second = strstr(r.text, "From: x@example.jp\r\nDate: \r\nSubject: "
					    "innermost\r\n\r\ndeepest text");
	g_assert_true(outer && first && second && outer < first && first < second);
	g_assert_null(strstr(r.text, "<b>"));
	result_clear(&r);

	struct result d = run_with_conf("[limits]\nmax_depth = 3\n", msg);
	g_assert_cmpint(d.report->verdict, ==, CDR_BLOCKED);
	g_assert_cmpint(d.report->error, ==, CDR_E_LIMIT);
	result_clear(&d);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	static const char sanitize_conf[] = "[mail]\nmode = sanitize\n"
					    "notice_contact = 情報政策課 (内線 1234)\n";
	text_policy = cdr_policy_new_default();
	sanitize_policy = cdr_policy_load_data(sanitize_conf, strlen(sanitize_conf), "t", NULL);
	text_engine = cdr_engine_new(text_policy, NULL, NULL);
	sanitize_engine = cdr_engine_new(sanitize_policy, NULL, NULL);
	static const char jis_conf[] = "[mail]\ncharset = iso-2022-jp\n";
	jis_policy = cdr_policy_load_data(jis_conf, strlen(jis_conf), "t", NULL);
	jis_engine = cdr_engine_new(jis_policy, NULL, NULL);
	cdr_engine_set_scanner(text_engine, test_scanner, NULL);
	cdr_engine_set_scanner(sanitize_engine, test_scanner, NULL);
	g_test_add_func("/mime/japanese-text-mode", test_japanese_text_mode);
	g_test_add_func("/mime/html-alternative", test_html_alternative);
	g_test_add_func("/mime/plain-preferred", test_plain_preferred_in_alternative);
	g_test_add_func("/mime/header-injection", test_header_injection);
	g_test_add_func("/mime/sender-facts", test_sender_facts);
	g_test_add_func("/mime/signed-encrypted", test_signed_and_encrypted);
	g_test_add_func("/mime/sanitize-mode", test_sanitize_mode_keeps_clean_attachments);
	g_test_add_func("/mime/uuencoded-sanitize-mode", test_uuencoded_sanitize_mode);
	g_test_add_func("/mime/deep-nesting", test_deep_nesting_is_a_limit);
	g_test_add_func("/mime/attachment-limit", test_attachment_limit_removes_only_it);
	g_test_add_func("/mime/forwarded-sanitize", test_forwarded_message_sanitize_mode);
	g_test_add_func("/mime/notice-bottom", test_notice_at_the_bottom);
	g_test_add_func("/mime/notice-template", test_notice_template);
	g_test_add_func("/mime/notice-release-url", test_notice_release_url);
	g_test_add_func("/mime/notice-bidi", test_notice_shows_bidi_controls);
	g_test_add_func("/mime/format-flowed", test_format_flowed);
	g_test_add_func("/mime/long-attachment-name", test_long_attachment_name);
	g_test_add_func("/mime/ambiguity", test_ambiguity_by_mode);
	g_test_add_func("/mime/calendar", test_calendar_summary);
	g_test_add_func("/mime/iso-2022-jp-output", test_iso2022jp_output);
	g_test_add_func("/mime/tnef", test_tnef);
	g_test_add_func("/mime/size-limits", test_size_limits);
	g_test_add_func("/mime/infected-parts", test_infected_message_parts);
	g_test_add_func("/mime/ppap-password-in-text", test_ppap_password_in_text);
	g_test_add_func("/mime/infected-no-part", test_infected_message_without_infected_part);
	g_test_add_func("/mime/attachment-excerpts", test_attachment_excerpts);
	g_test_add_func("/mime/link-styles", test_link_styles);
	g_test_add_func("/mime/forwarded-inline", test_forwarded_inline);
	int rc = g_test_run();
	cdr_engine_free(text_engine);
	cdr_engine_free(sanitize_engine);
	cdr_engine_free(jis_engine);
	cdr_policy_free(jis_policy);
	cdr_policy_free(text_policy);
	cdr_policy_free(sanitize_policy);
	return rc;
}
