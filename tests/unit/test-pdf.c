/*
 * NAME
 *	test-pdf - the pdf handler's policy keys and limits, in-process
 * DESCRIPTION
 *	What the fixtures cannot show with the default policy: [pdf]
 *	neutralize_links, and each limit blocking with its own reason. The
 *	input is the benign two-page report of fixtures/pdf (outline, a URI
 *	link and a GoTo link).
 */
#include <string.h>

#include "actions.h"
#include "cdr.h"

static GBytes *report_pdf;

static struct cdr_report *
run_with_config(const char *conf, GByteArray **out)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(cdr_policy) p = cdr_policy_load_data(conf, strlen(conf), "test", &error);
	g_assert_no_error(error);
	struct cdr_engine *e = cdr_engine_new(p, NULL, &error);
	g_assert_no_error(error);
	gsize len;
	const guint8 *data = g_bytes_get_data(report_pdf, &len);
	struct cdr_report *r = cdr_engine_run(e, data, len, "report.pdf", out);
	cdr_engine_free(e);
	return r;
}

static const struct cdr_action *
find_action(const struct cdr_report *r, const char *what)
{
	for (guint i = 0; i < r->actions->len; i++) {
		const struct cdr_action *a = r->actions->pdata[i];
		if (strcmp(a->what, what) == 0)
			return a;
	}
	return NULL;
}

static void
test_links_kept_by_default(void)
{
	GByteArray *out = NULL;
	g_autoptr(cdr_report) r = run_with_config("", &out);
	g_assert_cmpint(r->verdict, ==, CDR_CLEAN);
	g_assert_cmpstr(r->handler, ==, "pdf");
	g_assert_nonnull(out);
	g_assert_true(out->len > 8 && memcmp(out->data, "%PDF-", 5) == 0);
	g_byte_array_unref(out);
}

static void
test_neutralize_links(void)
{
	GByteArray *out = NULL;
	g_autoptr(cdr_report) r = run_with_config("[pdf]\nneutralize_links = true\n", &out);
	g_assert_cmpint(r->verdict, ==, CDR_SANITIZED);
	const struct cdr_action *a = find_action(r, CDR_ACT_EXTERNAL_LINK);
	g_assert_nonnull(a);
	g_assert_cmpstr(a->where, ==, "URI");
	g_assert_cmpuint(a->count, ==, 1); /* the GoTo link is not external */
	g_byte_array_unref(out);
}

static void
assert_limit(const char *conf, const char *reason_part)
{
	GByteArray *out = NULL;
	g_autoptr(cdr_report) r = run_with_config(conf, &out);
	g_assert_cmpint(r->verdict, ==, CDR_BLOCKED);
	g_assert_cmpint(r->error, ==, CDR_E_LIMIT);
	g_assert_nonnull(strstr(r->reason, reason_part));
	g_assert_null(out);
}

static void
test_limits(void)
{
	assert_limit("[pdf]\nmax_pages = 1\n", "max_pages");
	assert_limit("[pdf]\nmax_objects = 3\n", "max_objects");
	assert_limit("[pdf]\nmax_stream_bytes = 10\n", "max_stream_bytes");
	assert_limit("[limits]\nmax_expanded_bytes = 10\n", "max_expanded_bytes");
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_autofree char *path =
		g_build_filename(SOURCE_ROOT, "fixtures", "pdf", "benign", "report.pdf", NULL);
	g_autoptr(GMappedFile) f = g_mapped_file_new(path, FALSE, NULL);
	g_assert_nonnull(f);
	report_pdf = g_mapped_file_get_bytes(f);
	g_test_add_func("/pdf/links-kept", test_links_kept_by_default);
	g_test_add_func("/pdf/neutralize-links", test_neutralize_links);
	g_test_add_func("/pdf/limits", test_limits);
	int rc = g_test_run();
	g_bytes_unref(report_pdf);
	return rc;
}
