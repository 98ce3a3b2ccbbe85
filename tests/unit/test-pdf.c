/*
 * NAME
 *	test-pdf - the pdf handler's policy keys and limits, in-process
 * DESCRIPTION
 *	What the fixtures cannot show with the default policy: [pdf]
 *	neutralize_links, [links] schemes, and each limit blocking with its
 *	own reason (the input: the benign two-page report of fixtures/pdf,
 *	with an outline, a URI link and a GoTo link). And the handler's parts
 *	that an output file alone does not show: the read-back check refusing
 *	damaged bytes, the rebuild from pages keeping a link's target page,
 *	names with '#' reading back unchanged, the trailer scan.
 */
#include <string.h>

#include "actions.h"
#include "cdr.h"
#include "pdf.h"

static GBytes *report_pdf;

static GBytes *
fixture(const char *rel)
{
	g_autofree char *path = g_build_filename(SOURCE_ROOT, "fixtures", "pdf", rel, NULL);
	g_autoptr(GError) error = NULL;
	char *data = NULL;
	gsize len = 0;
	g_assert_true(g_file_get_contents(path, &data, &len, &error));
	g_assert_no_error(error);
	return g_bytes_new_take(data, len);
}

static struct cdr_report *
run_bytes(const char *conf, GBytes *input, GByteArray **out)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(cdr_policy) p = cdr_policy_load_data(conf, strlen(conf), "test", &error);
	g_assert_no_error(error);
	struct cdr_engine *e = cdr_engine_new(p, NULL, &error);
	g_assert_no_error(error);
	gsize len;
	const guint8 *data = g_bytes_get_data(input, &len);
	struct cdr_report *r = cdr_engine_run(e, data, len, "in.pdf", out);
	cdr_engine_free(e);
	return r;
}

static struct cdr_report *
run_with_config(const char *conf, GByteArray **out)
{
	return run_bytes(conf, report_pdf, out);
}

static const struct cdr_action *
find_action_where(const struct cdr_report *r, const char *what, const char *where)
{
	for (guint i = 0; i < r->actions->len; i++) {
		const struct cdr_action *a = r->actions->pdata[i];
		if (strcmp(a->what, what) == 0 && g_strcmp0(a->where, where) == 0)
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
	const struct cdr_action *a = find_action_where(r, CDR_ACT_EXTERNAL_LINK, "URI");
	g_assert_nonnull(a);
	g_assert_cmpuint(a->count, ==, 1); /* the GoTo link is not external */
	g_byte_array_unref(out);
}

/* The links that stay are those of [links] schemes: with only mailto
 * listed, the report's https link goes; with only https listed, the
 * mailto link of uri-schemes.pdf goes, and everything else that goes with
 * the default list goes all the same. */
static void
test_link_schemes(void)
{
	GByteArray *out = NULL;
	g_autoptr(cdr_report) r = run_with_config("[links]\nschemes = mailto\n", &out);
	g_assert_cmpint(r->verdict, ==, CDR_SANITIZED);
	const struct cdr_action *a = find_action_where(r, CDR_ACT_EXTERNAL_LINK, "https");
	g_assert_nonnull(a);
	g_assert_cmpuint(a->count, ==, 1);
	g_byte_array_unref(out);

	g_autoptr(GBytes) links = fixture("hostile/uri-schemes.pdf");
	g_autoptr(cdr_report) narrow = run_bytes("[links]\nschemes = https\n", links, &out);
	g_assert_cmpint(narrow->verdict, ==, CDR_SANITIZED);
	a = find_action_where(narrow, CDR_ACT_EXTERNAL_LINK, "mailto");
	g_assert_nonnull(a);
	g_assert_cmpuint(a->count, ==, 1);
	g_assert_null(find_action_where(narrow, CDR_ACT_EXTERNAL_LINK, "https"));
	g_assert_nonnull(find_action_where(narrow, CDR_ACT_EXTERNAL_LINK, "file"));
	g_assert_nonnull(find_action_where(narrow, CDR_ACT_EXTERNAL_LINK, "URI base"));
	g_byte_array_unref(out);
}

/* The read-back check: an output passes; the same bytes cut short, with
 * /Size gone, or counted against another page count do not. */
static void
test_output_opens(void)
{
	GByteArray *out = NULL;
	g_autoptr(cdr_report) r = run_with_config("", &out);
	g_assert_cmpint(r->verdict, ==, CDR_CLEAN);
	char *why = NULL;
	g_assert_true(pdf_output_opens(out->data, out->len, 2, &why));
	g_assert_null(why);
	g_assert_false(pdf_output_opens(out->data, out->len, 3, &why));
	g_assert_nonnull(strstr(why, "pages"));
	g_clear_pointer(&why, g_free);
	g_assert_false(pdf_output_opens(out->data, out->len - 40, 2, &why));
	g_assert_nonnull(why);
	g_clear_pointer(&why, g_free);
	guint8 *size = memmem(out->data, out->len, "/Size", 5);
	g_assert_nonnull(size);
	memcpy(size, "/Sixe", 5);
	g_assert_false(pdf_output_opens(out->data, out->len, 2, &why));
	g_assert_nonnull(why);
	g_free(why);
	g_byte_array_unref(out);
}

/* The page of `q` that `page` (a handle of q) is, or -1. */
static int
page_index(qpdf_data q, qpdf_oh page)
{
	int n = qpdf_get_num_pages(q);
	for (int i = 0; i < n; i++) {
		qpdf_oh p = qpdf_get_page_n(q, (size_t)i);
		gboolean same = qpdf_oh_get_object_id(q, p) == qpdf_oh_get_object_id(q, page);
		qpdf_oh_release(q, p);
		if (same)
			return i;
	}
	return -1;
}

/* fixtures/pdf/garbage/rebuilt-from-pages.pdf fails the read-back check
 * (a key qpdf cannot write back) and is rebuilt from its pages: three
 * pages, the link on the first still leads to the third, no outline;
 * cleaning the output again changes nothing. */
static void
test_rebuild_from_pages(void)
{
	g_autoptr(GBytes) in = fixture("garbage/rebuilt-from-pages.pdf");
	GByteArray *out = NULL;
	g_autoptr(cdr_report) r = run_bytes("", in, &out);
	g_assert_cmpint(r->verdict, ==, CDR_SANITIZED);
	g_assert_nonnull(find_action_where(r, CDR_ACT_REPAIRED, "rebuilt from pages, without outline"));

	qpdf_data q = qpdf_init();
	qpdf_silence_errors(q);
	g_assert_false(qpdf_read_memory(q, "out", (const char *)out->data, out->len, "") &
		       QPDF_ERRORS);
	g_assert_cmpint(qpdf_get_num_pages(q), ==, 3);
	qpdf_oh root = qpdf_get_root(q);
	g_assert_false(qpdf_oh_has_key(q, root, "/Outlines"));
	qpdf_oh first = qpdf_get_page_n(q, 0);
	qpdf_oh annots = qpdf_oh_get_key(q, first, "/Annots");
	qpdf_oh annot = qpdf_oh_get_array_item(q, annots, 0);
	qpdf_oh action = qpdf_oh_get_key(q, annot, "/A");
	qpdf_oh dest = qpdf_oh_get_key(q, action, "/D");
	qpdf_oh target = qpdf_oh_get_array_item(q, dest, 0);
	g_assert_cmpint(page_index(q, target), ==, 2);
	g_assert_false(qpdf_more_warnings(q));
	qpdf_cleanup(&q);

	g_autoptr(GBytes) again_in = g_bytes_new(out->data, out->len);
	GByteArray *again = NULL;
	g_autoptr(cdr_report) r2 = run_bytes("", again_in, &again);
	g_assert_cmpint(r2->verdict, ==, CDR_CLEAN);
	g_assert_cmpmem(again->data, again->len, out->data, out->len);
	g_byte_array_unref(again);
	g_byte_array_unref(out);
}

/* qpdf 11.3 writes the '#' of a name bare; the handler respells such
 * names so they read back as they were: the font F#1 and the key K# of
 * fixtures/pdf/garbage/name-escapes.pdf. Fails when a qpdf that escapes
 * '#' itself arrives (then the respelling must go). */
static void
test_names_read_back(void)
{
	g_autoptr(GBytes) in = fixture("garbage/name-escapes.pdf");
	GByteArray *out = NULL;
	g_autoptr(cdr_report) r = run_bytes("", in, &out);
	g_assert_cmpint(r->verdict, ==, CDR_CLEAN);
	qpdf_data q = qpdf_init();
	qpdf_silence_errors(q);
	g_assert_false(qpdf_read_memory(q, "out", (const char *)out->data, out->len, "") &
		       QPDF_ERRORS);
	qpdf_oh page = qpdf_get_page_n(q, 0);
	qpdf_oh res = qpdf_oh_get_key(q, page, "/Resources");
	qpdf_oh fonts = qpdf_oh_get_key(q, res, "/Font");
	g_assert_true(qpdf_oh_has_key(q, fonts, "/F#1"));
	qpdf_oh root = qpdf_get_root(q);
	qpdf_oh info = qpdf_oh_get_key(q, root, "/PieceInfo");
	qpdf_oh names = qpdf_oh_get_key(q, info, "/Names");
	g_assert_true(qpdf_oh_has_key(q, names, "/K#"));
	qpdf_oh v = qpdf_oh_get_key(q, names, "/K#");
	g_assert_cmpstr(qpdf_oh_get_name(q, v), ==, "/V#");
	g_assert_true(qpdf_oh_has_key(q, names, "/K "));
	g_assert_false(qpdf_more_warnings(q));
	qpdf_cleanup(&q);
	g_byte_array_unref(out);
}

struct seen {
	GArray *roots;
};

static gboolean
collect(const struct pdf_trailer_refs *refs, gpointer user)
{
	struct seen *s = user;
	int num = refs->has_root ? refs->root.num : -1;
	g_array_append_val(s->roots, num);
	return FALSE;
}

/* The trailer scan: last first, only at the start of a line, escaped
 * names decoded, strings, comments and nested values stepped over. */
static void
test_scan_trailers(void)
{
	static const char text[] =
		"%PDF-1.4\n"
		"trailer << /Size 3 /Root 1 0 R >>\n"
		"x trailer << /Root 2 0 R >>\n"                              /* not a line start */
		"  trailer\r<< /ID [<00> <01>] /Info 9 0 R /R#6F#6Ft 3 0 R >>\n"
		"trailer << /Title (a >> trailer << /Root 8 0 R) % >>\n /Root 4 0 R >>\n"
		"trailer << /Foo << /Root 7 0 R >> /Root 5 1 R >>\n"
		"trailer << /Root 6 0 R\n"                                  /* never closed */
		"trailers << /Root 7 0 R >>\n";
	struct seen s = { g_array_new(FALSE, FALSE, sizeof(int)) };
	g_assert_false(pdf_scan_trailers((const guint8 *)text, sizeof text - 1, collect, &s));
	static const int want[] = { 5, 4, 3, 1 };
	g_assert_cmpmem(s.roots->data, s.roots->len * sizeof(int), want, sizeof want);
	g_array_free(s.roots, TRUE);
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
	g_test_add_func("/pdf/link-schemes", test_link_schemes);
	g_test_add_func("/pdf/output-opens", test_output_opens);
	g_test_add_func("/pdf/rebuild-from-pages", test_rebuild_from_pages);
	g_test_add_func("/pdf/names-read-back", test_names_read_back);
	g_test_add_func("/pdf/scan-trailers", test_scan_trailers);
	int rc = g_test_run();
	g_bytes_unref(report_pdf);
	return rc;
}
