/*
 * NAME
 *	test-engine - dispatch, blocking rules, limits and nested reports
 * SUMMARY
 *	In-process engine runs: unknown types and dangerous names/content are
 *	blocked with the right error; container children nest in the report;
 *	every limit blocks and names itself; blocked never carries output.
 */
#include <string.h>

#include "actions.h"
#include "cdr.h"
#include "test-handlers.h"

static struct cdr_report *
run_with(const struct cdr_policy *p, const char *bytes, gsize len, const char *name,
	 GByteArray **out)
{
	g_autoptr(GError) error = NULL;
	struct cdr_engine *e = cdr_engine_new(p, test_handlers, &error);
	g_assert_no_error(error);
	struct cdr_report *r = cdr_engine_run(e, (const guint8 *)bytes, len, name, out);
	cdr_engine_free(e);
	if (r->verdict == CDR_BLOCKED) {
		g_assert_null(*out);
		g_assert_nonnull(r->reason);
	} else {
		g_assert_nonnull(*out);
	}
	return r;
}

static struct cdr_report *
run(const char *bytes, const char *name, GByteArray **out)
{
	g_autoptr(cdr_policy) p = cdr_policy_new_default();
	return run_with(p, bytes, strlen(bytes), name, out);
}

/* A run under the policy `conf` (mugaika.conf text). */
static struct cdr_report *
run_conf(const char *conf, const char *bytes, const char *name, GByteArray **out)
{
	g_autoptr(cdr_policy) p = cdr_policy_load_data(conf, strlen(conf), "test", NULL);
	return run_with(p, bytes, strlen(bytes), name, out);
}

static void
assert_blocked(const char *bytes, gsize len, const char *name, enum cdr_error error)
{
	g_autoptr(cdr_policy) p = cdr_policy_new_default();
	GByteArray *out = NULL;
	g_autoptr(cdr_report) r = run_with(p, bytes, len, name, &out);
	g_test_message("%s: %s", name, r->reason);
	g_assert_cmpint(r->verdict, ==, CDR_BLOCKED);
	g_assert_cmpstr(cdr_error_name(r->error), ==, cdr_error_name(error));
}

#define S(x) x, sizeof(x) - 1

static void
test_blocks(void)
{
	assert_blocked(S("MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff"), "invoice.pdf", CDR_E_DANGEROUS);
	assert_blocked(S("\x7f" "ELF\x02\x01\x01"), "photo.jpg", CDR_E_DANGEROUS);
	assert_blocked(S("#!/bin/sh\nrm -rf ~\n"), "notes.txt", CDR_E_DANGEROUS);
	assert_blocked(S("@echo off\r\npowershell -enc AAAA\r\n"), "run.bat", CDR_E_NAME);
	assert_blocked(S("hello\n"), "invoice\u202Efdp.exe", CDR_E_NAME);
	assert_blocked(S("hello\n"), "a.txt:b.exe", CDR_E_NAME);
	assert_blocked(S("L\0\0\0\x01\x14\x02\0\0\0\0\0\xc0\0\0\0\0\0\0\x46"), "doc.txt",
		       CDR_E_DANGEROUS);
	/* a PDF header with no document behind it */
	assert_blocked(S("%PDF-1.7\n% nothing else\n"), "a.pdf", CDR_E_PARSE);
	assert_blocked(S("\0\x01\x02\x03\x04 binary"), "data.bin", CDR_E_NAME);
	assert_blocked(S("\0\x01\x02\x03\x04 binary"), "data.dat", CDR_E_UNSUPPORTED);
	assert_blocked(S("<html><script>alert(1)</script></html>"), "page.html",
		       CDR_E_UNSUPPORTED);
}

static void
test_text_passes(void)
{
	GByteArray *out = NULL;
	g_autoptr(cdr_report) r = run("議事録\n", "議事録.txt", &out);
	g_assert_cmpint(r->verdict, ==, CDR_CLEAN);
	g_assert_cmpstr(r->handler, ==, "text");
	g_assert_cmpstr(r->out_name, ==, "議事録.txt");
	g_assert_cmpstr(r->out_type, ==, "text/plain; charset=utf-8");
	g_assert_cmpmem(out->data, out->len, "議事録\n", strlen("議事録\n"));
	g_byte_array_unref(out);
}

static void
test_rename_is_reported(void)
{
	GByteArray *out = NULL;
	g_autoptr(cdr_report) r = run("plain words\n", "notes", &out);
	g_assert_cmpstr(r->out_name, ==, "notes.txt");
	g_assert_cmpint(r->verdict, ==, CDR_SANITIZED);
	const struct cdr_action *a = r->actions->pdata[0];
	g_assert_cmpstr(a->what, ==, CDR_ACT_RENAMED);
	g_byte_array_unref(out);
}

static void
test_nested_reports(void)
{
	GByteArray *out = NULL;
	g_autoptr(cdr_report) r =
		run(TEST_PREFIX "BOX:a.box:" TEST_PREFIX "BOX:evil.exe:hi\n", "outer.box", &out);
	g_assert_cmpint(r->verdict, ==, CDR_SANITIZED); /* a grandchild was removed */
	g_assert_cmpuint(r->children->len, ==, 1);
	const struct cdr_report *mid = r->children->pdata[0];
	g_assert_cmpstr(mid->name, ==, "a.box");
	g_assert_cmpint(mid->verdict, ==, CDR_SANITIZED);
	const struct cdr_report *leaf = mid->children->pdata[0];
	g_assert_cmpint(leaf->verdict, ==, CDR_BLOCKED);
	g_assert_cmpint(leaf->error, ==, CDR_E_NAME);
	g_assert_cmpuint(out->len, ==, 0);
	g_byte_array_unref(out);
}

static void
assert_limit(const char *conf, const char *bytes, const char *name, const char *limit_name)
{
	g_autoptr(cdr_policy) p = cdr_policy_load_data(conf, strlen(conf), "test", NULL);
	GByteArray *out = NULL;
	g_autoptr(cdr_report) r = run_with(p, bytes, strlen(bytes), name, &out);
	g_test_message("%s", r->reason);
	g_assert_cmpint(r->verdict, ==, CDR_BLOCKED);
	g_assert_cmpint(r->error, ==, CDR_E_LIMIT);
	g_assert_nonnull(strstr(r->reason, limit_name));
}

static void
test_limits(void)
{
	assert_limit("[limits]\nmax_input_bytes = 4\n", "hello\n", "a.txt", "max_input_bytes");
	assert_limit("[limits]\nmax_depth = 1\n",
		     TEST_PREFIX "BOX:a.box:" TEST_PREFIX "BOX:b.txt:hi", "o.box", "max_depth");
	assert_limit("[limits]\nmax_children = 10\n", TEST_PREFIX "MANY:11", "o.box",
		     "max_children");
	assert_limit("[limits]\nmax_expanded_bytes = 100\n", TEST_PREFIX "MANY:51", "o.box",
		     "max_expanded_bytes");
	/* 5000 children of 2 bytes from a 1024-byte floor: ratio ~10 */
	assert_limit("[limits]\nmax_ratio = 5\n", TEST_PREFIX "MANY:5000", "o.box", "max_ratio");
}

static void
test_limits_leave_room(void)
{
	GByteArray *out = NULL;
	g_autoptr(cdr_report) r = run_conf("[limits]\nmax_children = 11\nmax_depth = 2\n",
					   TEST_PREFIX "MANY:11", "o.box", &out);
	g_assert_cmpint(r->verdict, ==, CDR_CLEAN);
	g_assert_cmpuint(r->children->len, ==, 11);
	g_byte_array_unref(out);
}

/* The first problem found stands; an empty failure is a bug (internal). */
static void
test_failure_first_stands(void)
{
	struct cdr_failure f = { 0 };
	g_assert_false(cdr_failure_set(&f, CDR_E_UNSUPPORTED, "a method no reader has"));
	g_assert_false(cdr_failure_set(&f, CDR_E_PARSE, "and then the XML was malformed"));
	g_assert_cmpint(f.kind, ==, CDR_E_UNSUPPORTED);
	g_assert_cmpstr(f.why, ==, "a method no reader has");
}

/* A container ended by a child carries the child's kind: a box whose
 * child is nested too deep is blocked as a limit, with its reason. */
static void
test_container_takes_child_kind(void)
{
	GByteArray *out = NULL;
	g_autoptr(cdr_report) r = run_conf("[limits]\nmax_depth = 1\n",
					   TEST_PREFIX "BOX:a.box:" TEST_PREFIX "BOX:b.txt:hi",
					   "o.box", &out);
	g_assert_cmpint(r->verdict, ==, CDR_BLOCKED);
	const struct cdr_report *mid = r->children->pdata[0];
	g_assert_cmpint(r->error, ==, mid->error);
	g_assert_cmpstr(r->reason, ==, mid->reason);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/engine/blocks", test_blocks);
	g_test_add_func("/engine/text", test_text_passes);
	g_test_add_func("/engine/rename", test_rename_is_reported);
	g_test_add_func("/engine/nested", test_nested_reports);
	g_test_add_func("/engine/limits", test_limits);
	g_test_add_func("/engine/limits-room", test_limits_leave_room);
	g_test_add_func("/engine/failure-first-stands", test_failure_first_stands);
	g_test_add_func("/engine/container-child-kind", test_container_takes_child_kind);
	return g_test_run();
}
