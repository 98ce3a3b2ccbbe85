/*
 * NAME
 *	test-images2 - the BMP, TIFF, WebP, HEIF, SVG and no-library handlers in-process
 * SUMMARY
 *	Every benign fixture is rebuilt and its output rebuilds to the same
 *	bytes with the verdict clean (through the handler of the output type:
 *	a BMP's PNG through the png handler, a HEIC's JPEG through the jpeg
 *	handler); pages and frames count against max_image_frames and pixels
 *	against max_image_pixels before decoding; the no-library formats are
 *	blocked as unsupported with their Japanese reason; an SVG's embedded
 *	picture is a child object. (tests/data checks pixels with PIL,
 *	heif-convert and rsvg-convert.)
 */
#include "config.h"

#include <string.h>

#include "actions.h"
#include "cdr.h"
#include "test-util.h"

static struct cdr_policy *policy;
static struct cdr_engine *engine;

static struct cdr_report *
run_with(struct cdr_engine *e, GBytes *in, const char *name, GByteArray **out)
{
	gsize len;
	const guint8 *data = g_bytes_get_data(in, &len);
	return cdr_engine_run(e, data, len, name, out);
}

static void
assert_idempotent_dir(const char *dir_rel)
{
	g_autofree char *dir_path = g_build_filename(SOURCE_ROOT, "fixtures", dir_rel, NULL);
	g_autoptr(GDir) dir = g_dir_open(dir_path, 0, NULL);
	const char *name;
	unsigned seen = 0;

	g_assert_nonnull(dir);
	while ((name = g_dir_read_name(dir))) {
		g_autofree char *rel = g_build_filename(dir_rel, name, NULL);
		g_autoptr(GBytes) in = test_fixture(rel);
		GByteArray *out = NULL, *again = NULL;
		g_autoptr(cdr_report) r = run_with(engine, in, name, &out);
		if (r->verdict == CDR_BLOCKED)
			g_error("%s blocked: %s", rel, r->reason);
		g_autoptr(GBytes) first = g_byte_array_free_to_bytes(out);
		g_autoptr(cdr_report) r2 = run_with(engine, first, r->out_name, &again);
		if (r2->verdict != CDR_CLEAN)
			g_error("%s: second pass (%s) %s", rel, r->out_name,
				r2->reason ? r2->reason : "not clean");
		g_assert_cmpmem(again->data, again->len, g_bytes_get_data(first, NULL),
				g_bytes_get_size(first));
		g_byte_array_unref(again);
		seen++;
	}
	g_assert_cmpuint(seen, >=, 3);
}

static void
test_benign_idempotent(void)
{
	assert_idempotent_dir("bmp/benign");
#if HAVE_TIFF
	assert_idempotent_dir("tiff/benign");
#endif
#if HAVE_WEBP
	assert_idempotent_dir("webp/benign");
#endif
#if HAVE_HEIF
	assert_idempotent_dir("heif/benign");
#endif
#if HAVE_SVG
	assert_idempotent_dir("svg/benign");
#endif
}

static struct cdr_engine *
engine_with(const char *conf, struct cdr_policy **keep)
{
	g_autoptr(GError) error = NULL;
	*keep = cdr_policy_load_data(conf, strlen(conf), "test", &error);
	g_assert_no_error(error);
	struct cdr_engine *e = cdr_engine_new(*keep, NULL, &error);
	g_assert_no_error(error);
	return e;
}

/* Over a small policy the multi-page, animated and larger fixtures are
 * blocked as limits. */
static void
assert_limit(struct cdr_engine *small, const char *rel, const char *reason_part)
{
	g_autoptr(GBytes) in = test_fixture(rel);
	GByteArray *out = NULL;
	g_autoptr(cdr_report) r = run_with(small, in, strrchr(rel, '/') + 1, &out);
	g_test_message("%s: %s", rel, r->reason);
	g_assert_cmpint(r->verdict, ==, CDR_BLOCKED);
	g_assert_null(out);
	g_assert_cmpstr(cdr_error_name(r->error), ==, cdr_error_name(CDR_E_LIMIT));
	g_assert_nonnull(strstr(r->reason, reason_part));
}

static void
test_frames_and_pixels_are_limits(void)
{
	g_autoptr(cdr_policy) few_frames = NULL, few_pixels = NULL;
	struct cdr_engine *frames = engine_with("[limits]\nmax_image_frames = 2\n", &few_frames);
	struct cdr_engine *pixels = engine_with("[limits]\nmax_image_pixels = 5000\n", &few_pixels);

	assert_limit(pixels, "bmp/benign/rgb24.bmp", "max_image_pixels");
#if HAVE_TIFF
	assert_limit(frames, "tiff/benign/fax-g4-3pages.tif", "max_image_frames");
	assert_limit(pixels, "tiff/benign/rgb-lzw.tif", "max_image_pixels");
#endif
#if HAVE_WEBP
	assert_limit(frames, "webp/benign/animation.webp", "max_image_frames");
	assert_limit(pixels, "webp/benign/lossy.webp", "max_image_pixels");
#endif
#if HAVE_HEIF
	assert_limit(pixels, "heif/benign/photo.heic", "max_image_pixels");
	assert_limit(pixels, "heif/benign/grid-2x3.heic", "max_image_pixels");
#endif
	cdr_engine_free(frames);
	cdr_engine_free(pixels);
}

static void
test_no_library_formats(void)
{
	static const struct {
		const char *rel, *name, *reason;
	} cases[] = {
		{ "nolib/benign/ichitaro.jtd", "議事録.jtd", "一太郎文書は無害化に対応していません" },
		{ "nolib/hostile/ichitaro-as-doc.doc", "a.doc", "一太郎文書" },
		{ "nolib/benign/jww.jww", "x.dat", "Jw_cad図面" },
		{ "nolib/benign/hwp5.hwp", "report.dat", "HWP" },
		{ "nolib/benign/docuworks.xdw", "申請書.xdw", "DocuWorks文書" },
	};
	for (unsigned i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GBytes) in = test_fixture(cases[i].rel);
		GByteArray *out = NULL;
		g_autoptr(cdr_report) r = run_with(engine, in, cases[i].name, &out);
		g_assert_cmpint(r->verdict, ==, CDR_BLOCKED);
		g_assert_cmpstr(cdr_error_name(r->error), ==, cdr_error_name(CDR_E_UNSUPPORTED));
		g_assert_nonnull(strstr(r->reason, cases[i].reason));
	}
}

#if HAVE_SVG
/* The embedded PNG polyglot is a child whose zip is gone. */
static void
test_svg_picture_is_a_child(void)
{
	g_autoptr(GBytes) in = test_fixture("svg/hostile/data-png-polyglot.svg");
	GByteArray *out = NULL;
	g_autoptr(cdr_report) r = run_with(engine, in, "x.svg", &out);
	g_assert_cmpint(r->verdict, ==, CDR_SANITIZED);
	g_assert_cmpuint(r->children->len, ==, 1);
	const struct cdr_report *child = r->children->pdata[0];
	g_assert_cmpstr(child->handler, ==, "png");
	g_assert_cmpint(child->verdict, ==, CDR_SANITIZED);
	g_assert_null(g_strstr_len((const char *)out->data, out->len, "<script"));
	g_byte_array_unref(out);
}
#endif

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	policy = cdr_policy_new_default();
	engine = cdr_engine_new(policy, NULL, NULL);
	g_assert_nonnull(engine);
	g_test_add_func("/images2/benign-idempotent", test_benign_idempotent);
	g_test_add_func("/images2/limits", test_frames_and_pixels_are_limits);
	g_test_add_func("/images2/no-library", test_no_library_formats);
#if HAVE_SVG
	g_test_add_func("/images2/svg-picture-child", test_svg_picture_is_a_child);
#endif
	int rc = g_test_run();
	cdr_engine_free(engine);
	cdr_policy_free(policy);
	return rc;
}
