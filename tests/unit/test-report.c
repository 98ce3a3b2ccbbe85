/*
 * NAME
 *	test-report - the report model and its JSON form
 */
#include <string.h>

#include "report.h"

static void
test_round_trip(void)
{
	g_autoptr(cdr_report) r = cdr_report_new("outer.7z");
	r->detected = g_strdup("application/x-7z-compressed");
	r->handler = g_strdup("archive");
	r->handler_type = g_strdup("application/zip");
	r->out_name = g_strdup("outer.zip");
	r->size_in = 1234;
	cdr_report_add_action(r, "metadata", "APP1", 1);
	cdr_report_add_action(r, "metadata", "APP1", 2);
	cdr_report_add_action(r, "comment", NULL, 1);
	struct cdr_report *child = cdr_report_new("日本語.exe");
	cdr_report_block(child, CDR_E_NAME, "dangerous file name (extension .exe)");
	g_ptr_array_add(r->children, child);
	r->verdict = CDR_SANITIZED;

	g_autofree char *json = cdr_report_to_json_string(r);
	g_autoptr(GError) error = NULL;
	g_autoptr(cdr_report) back = cdr_report_from_json_string(json, strlen(json), &error);
	g_assert_no_error(error);
	g_assert_cmpint(back->verdict, ==, CDR_SANITIZED);
	g_assert_cmpstr(back->name, ==, "outer.7z");
	g_assert_cmpstr(back->detected, ==, "application/x-7z-compressed");
	g_assert_cmpstr(back->handler, ==, "archive");
	g_assert_cmpstr(back->handler_type, ==, "application/zip");
	g_assert_cmpuint(back->size_in, ==, 1234);
	g_assert_cmpuint(back->actions->len, ==, 2);
	const struct cdr_action *a = back->actions->pdata[0];
	g_assert_cmpstr(a->what, ==, "metadata");
	g_assert_cmpuint(a->count, ==, 3);
	g_assert_cmpuint(back->children->len, ==, 1);
	const struct cdr_report *c = back->children->pdata[0];
	g_assert_cmpint(c->verdict, ==, CDR_BLOCKED);
	g_assert_cmpint(c->error, ==, CDR_E_NAME);
	g_assert_cmpstr(c->name, ==, "日本語.exe");

	g_autofree char *summary = cdr_report_action_summary(r);
	g_assert_cmpstr(summary, ==, "3 metadata, 1 comment");
}

static void
test_first_reason_wins(void)
{
	g_autoptr(cdr_report) r = cdr_report_new("x");
	cdr_report_block(r, CDR_E_LIMIT, "first");
	cdr_report_block(r, CDR_E_PARSE, "second");
	g_assert_cmpint(r->error, ==, CDR_E_LIMIT);
	g_assert_cmpstr(r->reason, ==, "first");
}

static void
assert_rejected(const char *json)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(cdr_report) r = cdr_report_from_json_string(json, strlen(json), &error);
	g_assert_null(r);
	g_assert_nonnull(error);
}

static void
test_rejects_nonsense(void)
{
	assert_rejected("[]");
	assert_rejected("{\"verdict\":\"fine\"}");
	assert_rejected("{\"verdict\":\"blocked\",\"error\":\"oops\"}");
	assert_rejected("{\"verdict\":\"clean\",\"actions\":[{\"count\":1}]}");
	assert_rejected("{\"verdict\":\"clean\",\"children\":[{}]}");
	assert_rejected("not json");
}

static void
test_invalid_utf8_stays_valid_json(void)
{
	g_autoptr(cdr_report) r = cdr_report_new("bad\xc1\xc2.txt");
	cdr_report_add_action(r, "attachment", "x\xff.exe", 1);
	g_autofree char *json = cdr_report_to_json_string(r);
	g_assert_true(g_utf8_validate(json, -1, NULL));
	g_autoptr(GError) error = NULL;
	g_autoptr(cdr_report) back = cdr_report_from_json_string(json, strlen(json), &error);
	g_assert_no_error(error);
	g_assert_cmpstr(back->name, ==, "bad\uFFFD\uFFFD.txt");
}

static void
test_names_round_trip(void)
{
	for (int v = CDR_CLEAN; v <= CDR_BLOCKED; v++) {
		enum cdr_verdict back;
		g_assert_true(cdr_verdict_from_name(cdr_verdict_name(v), &back));
		g_assert_cmpint(back, ==, v);
	}
	for (int e = 0; e < CDR_E_COUNT; e++) {
		enum cdr_error back;
		g_assert_true(cdr_error_from_name(cdr_error_name(e), &back));
		g_assert_cmpint(back, ==, e);
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/report/round-trip", test_round_trip);
	g_test_add_func("/report/first-reason", test_first_reason_wins);
	g_test_add_func("/report/rejects", test_rejects_nonsense);
	g_test_add_func("/report/names", test_names_round_trip);
	g_test_add_func("/report/invalid-utf8", test_invalid_utf8_stays_valid_json);
	return g_test_run();
}
