/*
 * NAME
 *	test-ppap - the worker side of PPAP: passwords on zips, follow-ups,
 *	listings, masks, the password build
 * SUMMARY
 *	In-process runs of the engine on messages built here around the
 *	fixtures' password zips (fixtures/archive/hostile/ppap-zipcrypto.zip
 *	and zip-aes.zip, password "himitsu"; password.7z): passwords tried one
 *	at a time and counted, [ppap] max_tries across two zips of one
 *	message, the password that opened the first zip tried first on the
 *	second, 7z refused as undecryptable; the follow-up's headers (subject
 *	template, new Message-ID, In-Reply-To, References after the
 *	original's, Sender, X-Mugaika-Followup, no [mail] subject_tag), a
 *	release in sanitize mode whatever the mode, the text mode listing;
 *	the masks of run params and of opened passwords; the password build on
 *	HTML-only, ISO-2022-JP and Shift_JIS messages, and on one with none.
 *	A forged X-Mugaika-Followup from outside changes nothing. Nothing of a
 *	password ever reaches a report.
 */
#include <string.h>

#include "actions.h"
#include "cdr.h"
#include "mime.h"

static char *zipcrypto, *aes, *sevenz; /* base64 of the fixtures */

static char *
fixture_b64(const char *rel)
{
	g_autofree char *path = g_build_filename(SOURCE_ROOT, "fixtures", rel, NULL);
	g_autofree char *data = NULL;
	gsize len = 0;
	g_assert_true(g_file_get_contents(path, &data, &len, NULL));
	return g_base64_encode((const guchar *)data, len);
}

struct run {
	struct cdr_report *report;
	char *message;
	char *json;
};

static void
run_clear(struct run *r)
{
	cdr_report_free(r->report);
	g_free(r->message);
	g_free(r->json);
}

/* No password of the run, nor the fixtures' own, is in the report. */
static void
assert_no_password(const char *json, const struct cdr_run_params *params)
{
	g_assert_null(strstr(json, "himitsu"));
	const char *lists[] = { params ? params->passwords : NULL, params ? params->mask : NULL };
	for (gsize i = 0; i < G_N_ELEMENTS(lists); i++) {
		g_auto(GStrv) lines = g_strsplit(lists[i] ? lists[i] : "", "\n", -1);
		for (char **l = lines; *l; l++)
			if (strlen(*l) >= 4 && strstr(json, *l))
				g_error("the report holds the password %s: %s", *l, json);
	}
}

static struct run
run(const char *conf, const char *msg, const struct cdr_run_params *params)
{
	g_autoptr(cdr_policy) p = cdr_policy_load_data(conf, strlen(conf), "test", NULL);
	g_assert_nonnull(p);
	struct cdr_engine *e = cdr_engine_new(p, NULL, NULL);
	struct run r = { 0 };
	GByteArray *out = NULL;
	r.report = cdr_engine_run_with(e, (const guint8 *)msg, strlen(msg), "mail.eml", params, &out);
	if (out) { /* an empty array has no data: "" */
		r.message = out->len ? g_strndup((const char *)out->data, out->len) : g_strdup("");
		g_byte_array_unref(out);
	}
	r.json = cdr_report_to_json_string(r.report);
	assert_no_password(r.json, params);
	cdr_engine_free(e);
	return r;
}

/* The message's text part, decoded (base64 UTF-8). */
static char *
text_of(const char *msg)
{
	const char *h = strstr(msg, "Content-Type: text/plain; charset=utf-8\r\n"
				    "Content-Transfer-Encoding: base64\r\n\r\n");
	g_assert_nonnull(h);
	const char *start = strstr(h, "\r\n\r\n") + 4;
	const char *end = strstr(start, "\r\n--");
	g_autofree char *b64 = end ? g_strndup(start, (gsize)(end - start)) : g_strdup(start);
	gsize len;
	g_autofree guchar *raw = g_base64_decode(b64, &len);
	return g_strndup((const char *)raw, len);
}

/* The first line of header `name` (unfolded only as far as needed here). */
static char *
header_of(const char *msg, const char *name)
{
	g_autofree char *key = g_strdup_printf("\r\n%s: ", name);
	const char *h = strstr(msg, key);
	if (!h && g_str_has_prefix(msg, key + 2))
		h = msg - 2;
	if (!h)
		return NULL;
	h += strlen(key);
	return g_strndup(h, strcspn(h, "\r"));
}

/* A run whose output must carry X-Mugaika-Followup: `marker`. */
static struct run
run_marked(const char *conf, const char *msg, const struct cdr_run_params *params,
	   const char *marker)
{
	struct run r = run(conf, msg, params);
	g_autofree char *got = header_of(r.message, "X-Mugaika-Followup");
	g_assert_cmpstr(got, ==, marker);
	return r;
}

static const struct cdr_action *
action_of(const struct cdr_report *r, const char *what)
{
	for (guint i = 0; i < r->actions->len; i++) {
		const struct cdr_action *a = r->actions->pdata[i];
		if (strcmp(a->what, what) == 0)
			return a;
	}
	return NULL;
}

#define HEAD                                                                                       \
	"From: sender@example.co.jp\r\nTo: soumu@city.example.lg.jp\r\n"                           \
	"Subject: =?UTF-8?B?6KaL56mN5pu4?=\r\nMessage-ID: <orig@example.co.jp>\r\n"               \
	"References: <earlier@example.co.jp>\r\nMIME-Version: 1.0\r\n"

static char *
ppap_message(const char *text, const char *b64a, const char *b64b)
{
	GString *m = g_string_new(HEAD "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
				       "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n");
	g_string_append_printf(m, "%s\r\n", text);
	const char *zips[] = { b64a, b64b };
	for (int i = 0; i < 2; i++)
		if (zips[i])
			g_string_append_printf(m, "--b\r\nContent-Type: application/zip\r\n"
						  "Content-Disposition: attachment; filename=\"z%d.zip\"\r\n"
						  "Content-Transfer-Encoding: base64\r\n\r\n%s\r\n",
					       i, zips[i]);
	g_string_append(m, "--b--\r\n");
	return g_string_free(m, FALSE);
}

static const char sanitize_conf[] = "[mail]\nmode = sanitize\n";

/* Each password is tried alone; the wrong ones are counted, not named. */
static void
test_tries_counted(void)
{
	g_autofree char *msg = ppap_message("見積書です。", zipcrypto, NULL);
	const struct cdr_run_params params = { .passwords = "nope-1\nnope-2\nhimitsu" };
	struct run r = run(sanitize_conf, msg, &params);
	g_assert_cmpint(r.report->verdict, ==, CDR_SANITIZED);
	const struct cdr_report *zip = r.report->children->pdata[0];
	g_assert_cmpint(zip->verdict, ==, CDR_SANITIZED);
	const struct cdr_action *wrong = action_of(zip, CDR_ACT_WRONG_PASSWORD);
	g_assert_nonnull(wrong);
	g_assert_cmpuint(wrong->count, ==, 2);
	g_assert_null(wrong->where);
	g_assert_null(strstr(r.json, "nope-1"));
	g_assert_null(strstr(r.json, "himitsu"));
	run_clear(&r);

	/* WinZip AES */
	g_autofree char *aes_msg = ppap_message("x", aes, NULL);
	const struct cdr_run_params aes_params = { .passwords = "himitsu" };
	struct run a = run(sanitize_conf, aes_msg, &aes_params);
	g_assert_cmpint(((const struct cdr_report *)a.report->children->pdata[0])->verdict, ==,
			CDR_SANITIZED);
	run_clear(&a);

	/* 60 wrong passwords: ZipCrypto's check byte lets about one in 256
	 * through, so each is read to the end before it counts as opening */
	GString *many = g_string_new(NULL);
	for (int i = 0; i < 60; i++)
		g_string_append_printf(many, "wrong-%03d\n", i);
	g_string_append(many, "himitsu");
	const struct cdr_run_params many_params = { .passwords = many->str };
	struct run m = run("[mail]\nmode = sanitize\n[ppap]\nmax_tries = 61\n", msg, &many_params);
	const struct cdr_report *mz = m.report->children->pdata[0];
	g_assert_cmpint(mz->verdict, ==, CDR_SANITIZED);
	g_assert_cmpuint(action_of(mz, CDR_ACT_WRONG_PASSWORD)->count, ==, 60);
	run_clear(&m);
	g_string_free(many, TRUE);
}

/* A password file as cdr-quarantine release hands it over, saved by a
 * Windows editor (byte order mark, CR LF), the password typed in full
 * width or with spaces around: each opens the zip set with "himitsu". */
static void
test_password_forms(void)
{
	g_autofree char *msg = ppap_message("見積書です。", zipcrypto, NULL);
	static const char *const given[] = { "\xef\xbb\xbfnope\r\nhimitsu\r\n", "ｈｉｍｉｔｓｕ",
					     " himitsu\t", "\xe3\x80\x80himitsu" };
	for (gsize i = 0; i < G_N_ELEMENTS(given); i++) {
		const struct cdr_run_params params = { .passwords = given[i] };
		struct run r = run(sanitize_conf, msg, &params);
		const struct cdr_report *zip = r.report->children->pdata[0];
		if (zip->verdict != CDR_SANITIZED)
			g_error("passwords %s: the zip did not open (%s)", given[i], zip->reason);
		run_clear(&r);
	}
}

/* [ppap] max_tries is per message: the second zip gets what is left, and
 * the password that opened the first goes first. */
static void
test_max_tries_per_message(void)
{
	g_autofree char *msg = ppap_message("x", zipcrypto, zipcrypto);
	const struct cdr_run_params params = { .passwords = "a-1\nb-2\nhimitsu" };
	struct run r = run("[mail]\nmode = sanitize\n[ppap]\nmax_tries = 4\n", msg, &params);
	const struct cdr_report *first = r.report->children->pdata[0];
	const struct cdr_report *second = r.report->children->pdata[1];
	g_assert_cmpint(first->verdict, ==, CDR_SANITIZED);
	g_assert_cmpint(second->verdict, ==, CDR_SANITIZED); /* 3 + 1 tries */
	g_assert_null(action_of(second, CDR_ACT_WRONG_PASSWORD));
	run_clear(&r);

	struct run s = run("[mail]\nmode = sanitize\n[ppap]\nmax_tries = 2\n", msg, &params);
	first = s.report->children->pdata[0];
	second = s.report->children->pdata[1];
	g_assert_cmpint(first->verdict, ==, CDR_BLOCKED);
	g_assert_cmpint(first->error, ==, CDR_E_ENCRYPTED);
	g_assert_nonnull(strstr(first->reason, "none of the 2 passwords tried opens it ([ppap] "
					       "max_tries reached)"));
	g_assert_cmpint(second->verdict, ==, CDR_BLOCKED);
	g_assert_nonnull(strstr(second->reason, "max_tries passwords were tried"));
	g_autofree char *text = text_of(s.message);
	g_assert_nonnull(strstr(text, "試したパスワードでは開けない"));
	run_clear(&s);
}

static void
test_7z_cannot_be_decrypted(void)
{
	g_autofree char *msg = g_strdup_printf(
		HEAD "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n"
		     "Content-Type: text/plain\r\n\r\nx\r\n--b\r\nContent-Type: application/x-7z-compressed\r\n"
		     "Content-Disposition: attachment; filename=\"a.7z\"\r\n"
		     "Content-Transfer-Encoding: base64\r\n\r\n%s\r\n--b--\r\n",
		sevenz);
	const struct cdr_run_params params = { .passwords = "himitsu" };
	struct run r = run(sanitize_conf, msg, &params);
	const struct cdr_report *z = r.report->children->pdata[0];
	g_assert_cmpint(z->error, ==, CDR_E_ENCRYPTED);
	g_assert_nonnull(strstr(z->reason, "cannot be opened here"));
	g_assert_null(action_of(z, CDR_ACT_WRONG_PASSWORD)); /* nothing was tried */
	g_autofree char *text = text_of(r.message);
	g_assert_nonnull(strstr(text, "このゲートウェイでは開けない形式"));
	run_clear(&r);
}

static void
test_followup_headers(void)
{
	g_autofree char *msg = ppap_message("見積書です。", zipcrypto, NULL);
	const struct cdr_run_params params = { .passwords = "himitsu", .mail_build = "followup",
					       .quarantine_id = "Q123" };
	static const char conf[] = "[mail]\nmode = sanitize\nsubject_tag = [外部]\n"
				   "[ppap]\nfollowup_from = gw@city.example.lg.jp\n"
				   "followup_subject = [済] {subject} ({subject})\n";
	struct run r = run_marked(conf, msg, &params, "followup; id=Q123");
	g_assert_cmpint(r.report->verdict, ==, CDR_SANITIZED);
	g_autofree char *id = header_of(r.message, "Message-ID");
	g_assert_true(g_str_has_prefix(id, "<mugaika.followup."));
	g_assert_true(g_str_has_suffix(id, "@city.example.lg.jp>"));
	g_autofree char *irt = header_of(r.message, "In-Reply-To");
	g_assert_cmpstr(irt, ==, "<orig@example.co.jp>");
	g_autofree char *refs = header_of(r.message, "References");
	g_assert_cmpstr(refs, ==, "<earlier@example.co.jp> <orig@example.co.jp>");
	g_autofree char *sender = header_of(r.message, "Sender");
	g_assert_cmpstr(sender, ==, "gw@city.example.lg.jp");
	g_assert_null(strstr(r.message, "[外部]")); /* no subject tag on a follow-up */
	g_assert_null(strstr(r.message, "=?UTF-8?B?W+W+l10g")); /* plain ASCII start */
	g_autofree char *text = text_of(r.message);
	g_assert_true(g_str_has_prefix(text, "【パスワード付きファイルのお届け】"));
	g_assert_nonnull(strstr(r.message, "Content-Disposition: attachment"));

	/* the same original again: the same Message-ID (a mailbox keeps one) */
	struct run again = run(conf, msg, &params);
	g_autofree char *id2 = header_of(again.message, "Message-ID");
	g_assert_cmpstr(id, ==, id2);
	run_clear(&again);
	run_clear(&r);

	/* a release is disarmed in sanitize mode even for a text mode message */
	const struct cdr_run_params release = { .passwords = "himitsu", .mail_build = "release",
						.mail_mode = "text" };
	struct run rel = run_marked("[mail]\nmode = text\n", msg, &release, "release");
	g_assert_nonnull(strstr(rel.message, "Content-Disposition: attachment"));
	g_autofree char *rel_id = header_of(rel.message, "Message-ID");
	g_assert_true(g_str_has_suffix(rel_id, "@mugaika.invalid>"));
	run_clear(&rel);

	/* a text mode follow-up lists the zip, attaches nothing */
	const struct cdr_run_params listing = { .passwords = "himitsu", .mail_build = "followup",
						.mail_mode = "text" };
	struct run l = run_marked(sanitize_conf, msg, &listing, "listing");
	g_assert_null(strstr(l.message, "Content-Disposition: attachment"));
	g_autofree char *l_text = text_of(l.message);
	g_assert_nonnull(strstr(l_text, "見積書.txt"));
	g_assert_nonnull(strstr(l_text, "そのままお届けできます"));
	run_clear(&l);
}

/* A forged marker from the internet changes nothing: the message is
 * converted in its mode as any other, and the marker is not copied (only
 * a follow-up the gateway builds carries one). */
static void
test_forged_marker(void)
{
	g_autofree char *body = ppap_message("見積書です。", zipcrypto, NULL);
	g_autofree char *msg = g_strconcat("X-Mugaika-Followup: release; id=Q1\r\n"
					   "X-Mugaika: verdict=clean\r\n",
					   body, NULL);
	static const char *const modes[] = { "[mail]\nmode = text\n", sanitize_conf };
	for (gsize i = 0; i < G_N_ELEMENTS(modes); i++) {
		struct run r = run(modes[i], msg, NULL);
		g_assert_cmpint(r.report->verdict, ==, CDR_SANITIZED);
		const struct cdr_report *zip = r.report->children->pdata[0];
		g_assert_cmpint(zip->verdict, ==, CDR_BLOCKED);
		g_assert_cmpint(zip->error, ==, CDR_E_ENCRYPTED);
		g_assert_null(strstr(r.message, "X-Mugaika-Followup"));
		g_assert_null(strstr(r.message, "verdict=clean"));
		g_assert_null(strstr(r.message, "Content-Disposition: attachment"));
		run_clear(&r);
	}
}

/* A message without Subject still gets the template's. */
static void
test_followup_without_subject(void)
{
	static const char msg[] = "From: a@example.jp\r\nTo: b@example.lg.jp\r\n\r\nhello\r\n";
	const struct cdr_run_params params = { .mail_build = "followup" };
	struct run r = run(sanitize_conf, msg, &params);
	g_assert_nonnull(r.message);
	g_assert_nonnull(strstr(r.message, "\r\nSubject: =?UTF-8?B?"));
	g_assert_null(strstr(r.message, "In-Reply-To")); /* the original had no id */
	run_clear(&r);
}

static void
test_masks(void)
{
	static const char pw_mail[] =
		"From: a@example.jp\r\nTo: b@example.lg.jp\r\n"
		"Subject: =?UTF-8?B?44OR44K544Ov44O844OJIGFiYzEyMzQ=?=\r\n" /* パスワード abc1234 */
		"Content-Type: text/plain; charset=utf-8\r\n\r\n"
		"パスワード：ａｂｃ１２３４\r\n電話 03-1234-5678\r\n";
	const struct cdr_run_params params = { .mask = "abc1234\n1234" };
	struct run on = run("[ppap]\nmask_password = true\n", pw_mail, &params);
	g_autofree char *text = text_of(on.message);
	g_assert_nonnull(strstr(text, "パスワード：********"));
	g_assert_nonnull(strstr(text, "03-1234-5678")); /* not a word of its own */
	/* "=?UTF-8?B?(パスワード)?= ********": ASCII words stay outside the encoded word */
	g_autofree char *subject = header_of(on.message, "Subject");
	g_assert_true(g_str_has_suffix(subject, "?= ********"));
	run_clear(&on);

	/* the audit's subject never shows a password, whatever mask_password
	 * says: the run's, or one the subject itself gives */
	static const char *const confs[] = { "[ppap]\nmask_password = true\n", "" };
	for (gsize i = 0; i < G_N_ELEMENTS(confs); i++) {
		struct run audit = run(confs[i], pw_mail, i ? NULL : &params);
		g_assert_cmpstr(audit.report->subject, ==, "パスワード ********");
		run_clear(&audit);
	}
	/* a given password inside a word of the subject: masked there too */
	static const char glued[] = "From: a@example.jp\r\nSubject: Nesthimitsu) x\r\n\r\nx\r\n";
	const struct cdr_run_params given = { .passwords = "himitsu" };
	struct run g = run("", glued, &given);
	g_assert_cmpstr(g.report->subject, ==, "Nest********) x");
	run_clear(&g);

	/* without [ppap] mask_password the run's strings change nothing */
	struct run off = run("", pw_mail, &params);
	g_autofree char *off_text = text_of(off.message);
	g_assert_nonnull(strstr(off_text, "ａｂｃ１２３４"));
	run_clear(&off);

	/* same mail: the password that opened the zip is masked, not the others */
	g_autofree char *same = ppap_message("パスワード：himitsu\r\nPW2: other99", zipcrypto, NULL);
	struct run s = run("[mail]\nmode = sanitize\npasswords_in_text = true\n"
			   "[ppap]\nmask_password = true\n",
			   same, NULL);
	g_autofree char *s_text = text_of(s.message);
	g_assert_null(strstr(s_text, "himitsu"));
	g_assert_nonnull(strstr(s_text, "other99"));
	g_assert_nonnull(strstr(s.message, "Content-Disposition: attachment"));
	run_clear(&s);
}

static char *
passwords_of(const char *msg)
{
	const struct cdr_run_params params = { .mail_build = "passwords" };
	struct run r = run("", msg, &params);
	g_assert_cmpint(r.report->verdict, !=, CDR_BLOCKED);
	g_assert_cmpstr(r.report->out_type, ==, "text/plain");
	char *found = g_strdup(r.message);
	run_clear(&r);
	return found;
}

static void
test_password_build(void)
{
	/* HTML only: a table row, full-width */
	g_autofree char *html = passwords_of(
		"From: a@example.jp\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
		"<table><tr><td>パスワード</td><td>ｈｉｍｉｔｓｕ１</td></tr></table>"
		"<p>期限 2025/12/31</p>\r\n");
	g_assert_cmpstr(html, ==, "himitsu1\n");
	/* ISO-2022-JP: 下記パスワードにて解凍してください。 then the password alone */
	g_autofree char *jis_body = g_convert("下記パスワードにて解凍してください。\r\n\r\nQw3rty\r\n", -1,
					      "ISO-2022-JP", "UTF-8", NULL, NULL, NULL);
	g_autofree char *jis_msg = g_strdup_printf(
		"From: a@example.jp\r\nContent-Type: text/plain; charset=iso-2022-jp\r\n\r\n%s", jis_body);
	g_autofree char *jis = passwords_of(jis_msg);
	g_assert_cmpstr(jis, ==, "Qw3rty\n");
	/* Shift_JIS, two candidates in two parts */
	g_autofree char *sjis_body = g_convert("解凍パスワードは「Ab3$x9」です。", -1, "CP932", "UTF-8",
					       NULL, NULL, NULL);
	g_autofree char *sjis_msg = g_strdup_printf(
		"From: a@example.jp\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n"
		"--b\r\nContent-Type: text/plain; charset=shift_jis\r\n\r\n%s\r\n"
		"--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nPW: second2\r\n--b--\r\n",
		sjis_body);
	g_autofree char *sjis = passwords_of(sjis_msg);
	g_assert_cmpstr(sjis, ==, "Ab3$x9\nsecond2\n");
	/* none: an empty output */
	g_autofree char *none = passwords_of("From: a@example.jp\r\n\r\n"
					     "パスワードは別途お送りします。TEL 03-1234-5678\r\n");
	g_assert_cmpstr(none, ==, "");
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	zipcrypto = fixture_b64("archive/hostile/ppap-zipcrypto.zip");
	aes = fixture_b64("archive/hostile/zip-aes.zip");
	sevenz = fixture_b64("archive/hostile/password.7z");
	g_test_add_func("/ppap/tries-counted", test_tries_counted);
	g_test_add_func("/ppap/max-tries-per-message", test_max_tries_per_message);
	g_test_add_func("/ppap/password-forms", test_password_forms);
	g_test_add_func("/ppap/7z", test_7z_cannot_be_decrypted);
	g_test_add_func("/ppap/followup-headers", test_followup_headers);
	g_test_add_func("/ppap/followup-without-subject", test_followup_without_subject);
	g_test_add_func("/ppap/forged-marker", test_forged_marker);
	g_test_add_func("/ppap/masks", test_masks);
	g_test_add_func("/ppap/password-build", test_password_build);
	int rc = g_test_run();
	g_free(zipcrypto);
	g_free(aes);
	g_free(sevenz);
	return rc;
}
