/*
 * NAME
 *	test-text - the text and CSV handlers through the engine
 * SUMMARY
 *	Text bytes pass unchanged with their charset reported; CSV formula
 *	cells are neutralized in every charset, numbers are not, and a second
 *	pass changes nothing (idempotence).
 */
#include <string.h>

#include "actions.h"
#include "cdr.h"

static struct cdr_policy *policy;
static struct cdr_engine *engine;

static struct cdr_report *
run(const char *bytes, gsize len, const char *name, GByteArray **out)
{
	return cdr_engine_run(engine, (const guint8 *)bytes, len, name, out);
}

static void
assert_csv(const char *in, gsize in_len, const char *expected, gsize exp_len, unsigned formulas,
	   const char *name)
{
	GByteArray *out = NULL, *again = NULL;
	g_autoptr(cdr_report) r = run(in, in_len, name, &out);
	g_assert_cmpstr(r->handler, ==, "csv");
	g_assert_nonnull(out);
	g_assert_cmpmem(out->data, out->len, expected, exp_len);
	g_assert_cmpint(r->verdict, ==, formulas ? CDR_SANITIZED : CDR_CLEAN);
	if (formulas) {
		const struct cdr_action *a = r->actions->pdata[0];
		g_assert_cmpstr(a->what, ==, CDR_ACT_CSV_FORMULA);
		g_assert_cmpuint(a->count, ==, formulas);
	}
	g_autoptr(cdr_report) r2 = run((const char *)out->data, out->len, name, &again);
	g_assert_cmpint(r2->verdict, ==, CDR_CLEAN);
	g_assert_cmpmem(again->data, again->len, out->data, out->len);
	g_byte_array_unref(out);
	g_byte_array_unref(again);
}

#define S(x) x, sizeof(x) - 1

static void
test_csv_formulas(void)
{
	assert_csv(S("a,b\n=cmd|' /C calc'!A0,-5\n"), S("a,b\n'=cmd|' /C calc'!A0,-5\n"), 1,
		   "x.csv");
	assert_csv(S("=HYPERLINK(\"http://evil/\",\"click\"),@SUM(1+1)*cmd|' /C calc'!A0\r\n"),
		   S("'=HYPERLINK(\"http://evil/\",\"click\"),'@SUM(1+1)*cmd|' /C calc'!A0\r\n"), 2,
		   "x.csv");
	assert_csv(S("\"=WEBSERVICE(\"\"http://x/\"\")\",  =1+1,\t=2\n"),
		   S("\"'=WEBSERVICE(\"\"http://x/\"\")\",  '=1+1,\t'=2\n"), 3, "x.csv");
	assert_csv(S("+cmd|' /C calc'!A0,-2+3+cmd|' /C calc'!A0\n"),
		   S("'+cmd|' /C calc'!A0,'-2+3+cmd|' /C calc'!A0\n"), 2, "x.csv");
	/* numbers, dates, phone numbers, percentages stay as they are */
	assert_csv(S("-5,+81-3-1234-5678,1e5,-0.5%,\"-1,234\",2026/11/22,-\n"),
		   S("-5,+81-3-1234-5678,1e5,-0.5%,\"-1,234\",2026/11/22,-\n"), 0, "x.csv");
	/* a quoted cell may hold delimiters and newlines */
	assert_csv(S("\"a,=b\nc\",=d\n"), S("\"a,=b\nc\",'=d\n"), 1, "x.csv");
	/* tab-separated; a comma reader (Excel opening it as CSV) sees =c too */
	assert_csv(S("a\t=1+2\tb,=c\n"), S("a\t'=1+2\tb,'=c\n"), 2, "x.tsv");
	/* every separator is a reading: ';' (European Excel), tab, and sep=X */
	assert_csv(S("a;=1+1\n"), S("a;'=1+1\n"), 1, "x.csv");
	assert_csv(S("sep=|\r\na|=1+1\r\n"), S("sep=|\r\na|'=1+1\r\n"), 1, "x.csv");
	assert_csv(S("SEP==\na=+x\n"), S("SEP==\na='+x\n"), 1, "x.csv");
	/* blanks and quotes before the sign */
	assert_csv(S("a,\"\t=1\",\"\"=2,\"\r-x\"\n"), S("a,\"\t'=1\",\"\"'=2,\"\r'-x\"\n"), 3,
		   "x.csv");
	/* already neutralized: clean */
	assert_csv(S("'=cmd|' /C calc'!A0\n"), S("'=cmd|' /C calc'!A0\n"), 0, "x.csv");
}

static void
test_csv_japanese(void)
{
	/* Shift_JIS: 表 is 0x95 0x5C, ソ 0x83 0x5C - not delimiters or quotes */
	gsize len = 0;
	g_autofree char *sjis = g_convert("名前,表ソ能\n=1+1,①㈱\n", -1, "CP932", "UTF-8", NULL,
					  &len, NULL);
	g_autofree char *sjis_expected = g_convert("名前,表ソ能\n'=1+1,①㈱\n", -1, "CP932",
						   "UTF-8", NULL, NULL, NULL);
	assert_csv(sjis, len, sjis_expected, strlen(sjis_expected), 1, "名簿.csv");

	/* UTF-16LE with BOM, as Excel writes "Unicode text" */
	gsize ulen = 0, elen = 0;
	g_autofree char *u16 = g_convert("\uFEFFa\t=1+1\n", -1, "UTF-16LE", "UTF-8", NULL, &ulen,
					 NULL);
	g_autofree char *u16_expected = g_convert("\uFEFFa\t'=1+1\n", -1, "UTF-16LE", "UTF-8",
						  NULL, &elen, NULL);
	assert_csv(u16, ulen, u16_expected, elen, 1, "x.tsv");

	/* ISO-2022-JP: inside kanji mode "=," is a kanji, but CP932 (Japanese
	 * Excel) sees a comma and a cell "=,": an invisible ESC $ B before it */
	assert_csv(S("\x1b$B=,=,\x1b(B,=1\n"), S("\x1b$B=,\x1b$B=,\x1b(B,'=1\n"), 2, "x.csv");

	/* fullwidth signs, in UTF-8 and CP932; fullwidth numbers stay */
	assert_csv(S("a,＝1+1,－５,＋８１\n"), S("a,'＝1+1,－５,＋８１\n"), 1, "x.csv");
	g_autofree char *fw = g_convert("a,＠SUM(1)\n", -1, "CP932", "UTF-8", NULL, &len, NULL);
	g_autofree char *fw_expected = g_convert("a,'＠SUM(1)\n", -1, "CP932", "UTF-8", NULL, NULL,
						 NULL);
	assert_csv(fw, len, fw_expected, strlen(fw_expected), 1, "x.csv");
}

/* A sign that only another reading sees, inside a character of the file's
 * own charset: no apostrophe can go there without garbling, so blocked. */
static void
test_csv_unfixable(void)
{
	g_autoptr(cdr_policy) p = cdr_policy_load_data("", 0, "test", NULL);
	struct cdr_engine *e = cdr_engine_new(p, NULL, NULL);
	static const char jis[] = "a;b\n\x1b$B;=SUM(1)\x1b(B\n";
	GByteArray *out = NULL;
	g_autoptr(cdr_report) r = cdr_engine_run(e, (const guint8 *)jis, strlen(jis), "a.csv", &out);
	g_assert_cmpint(r->verdict, ==, CDR_BLOCKED);
	g_assert_cmpint(r->error, ==, CDR_E_DANGEROUS);
	g_assert_null(out);
	cdr_engine_free(e);
}

static void
test_csv_policy_off(void)
{
	static const char conf[] = "[csv]\nneutralize_formulas = false\n";
	g_autoptr(cdr_policy) p = cdr_policy_load_data(conf, strlen(conf), "test", NULL);
	struct cdr_engine *e = cdr_engine_new(p, NULL, NULL);
	GByteArray *out = NULL;
	g_autoptr(cdr_report) r = cdr_engine_run(e, (const guint8 *)"=1+1\n", 5, "a.csv", &out);
	g_assert_cmpint(r->verdict, ==, CDR_CLEAN);
	g_assert_cmpmem(out->data, out->len, "=1+1\n", 5);
	g_byte_array_unref(out);
	cdr_engine_free(e);
}

static void
assert_text(const char *in, gsize len, const char *name, const char *type)
{
	GByteArray *out = NULL;
	g_autoptr(cdr_report) r = run(in, len, name, &out);
	g_test_message("%s: %s %s", name, r->detected, r->reason ? r->reason : "");
	g_assert_cmpint(r->verdict, ==, CDR_CLEAN);
	g_assert_cmpstr(r->handler, ==, "text");
	g_assert_cmpstr(r->out_type, ==, type);
	g_assert_cmpmem(out->data, out->len, in, len);
	g_byte_array_unref(out);
}

static void
test_text_charsets(void)
{
	gsize len = 0;
	assert_text(S("plain\n"), "a.txt", "text/plain; charset=us-ascii");
	assert_text(S(""), "empty.txt", "text/plain; charset=us-ascii");
	assert_text(S("日本語\n"), "a.txt", "text/plain; charset=utf-8");
	g_autofree char *sjis = g_convert("お知らせ：表ソ能①㈱髙～\r\n", -1, "CP932", "UTF-8",
					  NULL, &len, NULL);
	assert_text(sjis, len, "a.txt", "text/plain; charset=shift_jis");
	g_autofree char *euc = g_convert("お知らせです。よろしくお願いします。\n", -1, "EUC-JP",
					 "UTF-8", NULL, &len, NULL);
	assert_text(euc, len, "a.txt", "text/plain; charset=euc-jp");
	assert_text(S("\x1b$B$*CN$i$;\x1b(B\n"), "a.txt", "text/plain; charset=iso-2022-jp");
}

static void
test_text_rejects_binary(void)
{
	GByteArray *out = NULL;
	g_autoptr(cdr_report) r = run(S("hello\0world\x01\x02\x03"), "a.txt", &out);
	g_assert_cmpint(r->verdict, ==, CDR_BLOCKED);
	g_assert_null(out);
	g_autoptr(cdr_report) r2 = run(S("clear \x1b[2J\x1b[31mred\n"), "a.txt", &out);
	g_assert_cmpint(r2->verdict, ==, CDR_BLOCKED);
	g_assert_cmpint(r2->error, ==, CDR_E_PARSE);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	policy = cdr_policy_new_default();
	engine = cdr_engine_new(policy, NULL, NULL);
	g_assert_nonnull(engine);
	g_test_add_func("/csv/formulas", test_csv_formulas);
	g_test_add_func("/csv/japanese", test_csv_japanese);
	g_test_add_func("/csv/policy-off", test_csv_policy_off);
	g_test_add_func("/csv/unfixable", test_csv_unfixable);
	g_test_add_func("/text/charsets", test_text_charsets);
	g_test_add_func("/text/binary", test_text_rejects_binary);
	int rc = g_test_run();
	cdr_engine_free(engine);
	cdr_policy_free(policy);
	return rc;
}
