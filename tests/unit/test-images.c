/*
 * NAME
 *	test-images - the JPEG, PNG and GIF handlers in-process
 * SUMMARY
 *	The guarantees in C, on the committed fixtures: every benign image is
 *	rebuilt and rebuilding it again changes nothing; bombs are blocked as
 *	limits without allocating the pixels; broken files are parse errors;
 *	appended archives and metadata never reach the output; a phone
 *	photo's orientation survives. (tests/data checks pixels with PIL.)
 */
#include <string.h>
#include <sys/resource.h>

#include "actions.h"
#include "cdr.h"
#include "test-util.h"

static struct cdr_policy *policy;
static struct cdr_engine *engine;

static struct cdr_report *
run(GBytes *in, const char *name, GByteArray **out)
{
	gsize len;
	const guint8 *data = g_bytes_get_data(in, &len);
	return cdr_engine_run(engine, data, len, name, out);
}

static void
test_benign_rebuild_is_idempotent(void)
{
	static const char *const dirs[] = { "jpeg/benign", "png/benign", "gif/benign" };
	unsigned seen = 0;
	for (unsigned d = 0; d < G_N_ELEMENTS(dirs); d++) {
		g_autofree char *dir_path = g_build_filename(SOURCE_ROOT, "fixtures", dirs[d], NULL);
		g_autoptr(GDir) dir = g_dir_open(dir_path, 0, NULL);
		g_assert_nonnull(dir);
		const char *name;
		while ((name = g_dir_read_name(dir))) {
			g_autofree char *rel = g_build_filename(dirs[d], name, NULL);
			g_autoptr(GBytes) in = test_fixture(rel);
			GByteArray *out = NULL, *again = NULL;
			g_autoptr(cdr_report) r = run(in, name, &out);
			if (r->verdict == CDR_BLOCKED)
				g_error("%s blocked: %s", rel, r->reason);
			g_autoptr(GBytes) first = g_byte_array_free_to_bytes(out);
			g_autoptr(cdr_report) r2 = run(first, name, &again);
			g_assert_cmpint(r2->verdict, ==, CDR_CLEAN);
			g_assert_cmpmem(again->data, again->len, g_bytes_get_data(first, NULL),
					g_bytes_get_size(first));
			g_byte_array_unref(again);
			seen++;
		}
	}
	g_assert_cmpuint(seen, >=, 20);
}

static void
assert_blocked(const char *rel, enum cdr_error error)
{
	g_autoptr(GBytes) in = test_fixture(rel);
	GByteArray *out = NULL;
	g_autoptr(cdr_report) r = run(in, strrchr(rel, '/') + 1, &out);
	g_test_message("%s: %s", rel, r->reason);
	g_assert_cmpint(r->verdict, ==, CDR_BLOCKED);
	g_assert_null(out);
	g_assert_cmpstr(cdr_error_name(r->error), ==, cdr_error_name(error));
}

static void
test_bombs_are_limits(void)
{
	struct rusage before, after;
	getrusage(RUSAGE_SELF, &before);
	assert_blocked("png/hostile/giant-dimensions.png", CDR_E_LIMIT);
	assert_blocked("gif/hostile/giant-dimensions.gif", CDR_E_LIMIT);
	assert_blocked("jpeg/hostile/giant-dimensions.jpg", CDR_E_LIMIT);
	getrusage(RUSAGE_SELF, &after);
	/* blocked before any pixel buffer: peak memory barely moves */
	g_assert_cmpint(after.ru_maxrss - before.ru_maxrss, <, 64 * 1024);
}

static void
test_broken_files_are_parse_errors(void)
{
	assert_blocked("jpeg/hostile/truncated.jpg", CDR_E_PARSE);
	assert_blocked("png/hostile/truncated.png", CDR_E_PARSE);
	assert_blocked("gif/hostile/truncated.gif", CDR_E_PARSE);
	assert_blocked("png/hostile/bad-crc-idat.png", CDR_E_PARSE);
	assert_blocked("jpeg/garbage/random.jpg", CDR_E_UNSUPPORTED);
}

static void
assert_dropped(const char *rel, const char *action, const char *needle, gsize needle_len)
{
	g_autoptr(GBytes) in = test_fixture(rel);
	GByteArray *out = NULL;
	g_autoptr(cdr_report) r = run(in, strrchr(rel, '/') + 1, &out);
	g_assert_cmpint(r->verdict, ==, CDR_SANITIZED);
	g_assert_true(report_has_action(r, action));
	g_assert_null(memmem(out->data, out->len, needle, needle_len));
	g_assert_nonnull(memmem(g_bytes_get_data(in, NULL), g_bytes_get_size(in), needle,
				needle_len));
	g_byte_array_unref(out);
}

static void
test_appended_and_hidden_data_dropped(void)
{
	assert_dropped("jpeg/hostile/polyglot-zip.jpg", CDR_ACT_TRAILING_DATA, "PK\3\4", 4);
	assert_dropped("png/hostile/trailing-zip.png", CDR_ACT_TRAILING_DATA, "PK\3\4", 4);
	assert_dropped("jpeg/hostile/metadata-script.jpg", CDR_ACT_METADATA, "<script", 7);
	assert_dropped("png/hostile/text-chunks.png", CDR_ACT_METADATA, "tEXt", 4);
	assert_dropped("gif/hostile/comment-xmp.gif", CDR_ACT_COMMENT, "XMP DataXMP", 11);
}

static void
test_orientation_survives(void)
{
	g_autoptr(GBytes) in = test_fixture("jpeg/benign/phone-orientation-6.jpg");
	GByteArray *out = NULL;
	g_autoptr(cdr_report) r = run(in, "IMG_0001.JPG", &out);
	g_assert_cmpint(r->verdict, ==, CDR_SANITIZED); /* the camera's EXIF went */
	g_assert_cmpstr(r->out_name, ==, "IMG_0001.JPG");
	/* Exif header, big-endian TIFF, one IFD entry: tag 0x0112 SHORT 1 value 6 */
	static const guint8 entry[] = { 0x01, 0x12, 0x00, 0x03, 0, 0, 0, 1, 0x00, 0x06 };
	g_assert_nonnull(memmem(out->data, out->len, "Exif\0\0MM", 8));
	g_assert_nonnull(memmem(out->data, out->len, entry, sizeof(entry)));
	g_byte_array_unref(out);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	policy = cdr_policy_new_default();
	engine = cdr_engine_new(policy, NULL, NULL);
	g_assert_nonnull(engine);
	g_test_add_func("/images/benign-idempotent", test_benign_rebuild_is_idempotent);
	g_test_add_func("/images/bombs", test_bombs_are_limits);
	g_test_add_func("/images/broken", test_broken_files_are_parse_errors);
	g_test_add_func("/images/dropped", test_appended_and_hidden_data_dropped);
	g_test_add_func("/images/orientation", test_orientation_survives);
	int rc = g_test_run();
	cdr_engine_free(engine);
	cdr_policy_free(policy);
	return rc;
}
