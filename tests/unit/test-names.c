/*
 * NAME
 *	test-names - name cleaning and dangerous-extension checks
 * SUMMARY
 *	The threat catalogue's name tricks: RLO, double extensions, trailing
 *	dots and spaces, NTFS streams, CLSID junctions, reserved devices,
 *	255+ byte names, percent-escapes, path components.
 */
#include <string.h>

#include "names.h"

static void
assert_clean(const char *in, const char *expected)
{
	g_autofree char *out = cdr_name_sanitize(in);
	g_assert_cmpstr(out, ==, expected);
}

static void
test_sanitize(void)
{
	assert_clean("report.txt", "report.txt");
	assert_clean("invoice\u202Efdp.exe", "invoicefdp.exe");
	assert_clean("a\u200Bb\u2066c.txt", "abc.txt");
	assert_clean("../../etc/passwd", "passwd");
	assert_clean("..\\..\\boot.ini", "boot.ini");
	assert_clean("..", "unnamed");
	assert_clean(".", "unnamed");
	assert_clean("", "unnamed");
	assert_clean(NULL, "unnamed");
	assert_clean("a.txt. . .", "a.txt");
	assert_clean("  spaced.txt", "spaced.txt");
	assert_clean("con", "_con");
	assert_clean("CON.txt", "_CON.txt");
	assert_clean("lpt1.csv", "_lpt1.csv");
	assert_clean("console.txt", "console.txt");
	assert_clean("a:b*c?.txt", "a_b_c_.txt");
	assert_clean("tab\there.txt", "tabhere.txt");
	assert_clean("表ソ能.txt", "表ソ能.txt");
	assert_clean("bad\xff\xfe.txt", "bad\uFFFD\uFFFD.txt");
}

static void
test_long_names_keep_their_extension(void)
{
	g_autoptr(GString) in = g_string_new(NULL);
	for (int i = 0; i < 120; i++)
		g_string_append(in, "あ"); /* 360 bytes */
	g_string_append(in, ".jpg");
	g_autofree char *out = cdr_name_sanitize(in->str);
	g_assert_cmpuint(strlen(out), <=, 200);
	g_assert_true(g_str_has_suffix(out, ".jpg"));
	g_assert_true(g_utf8_validate(out, -1, NULL));
}

static void
assert_dangerous(const char *name, gboolean expected)
{
	g_autofree char *why = NULL;
	gboolean got = cdr_name_is_dangerous(name, NULL, &why);
	if (got != expected)
		g_error("%s: expected %s", name, expected ? "dangerous" : "harmless");
}

static void
test_dangerous(void)
{
	assert_dangerous("setup.exe", TRUE);
	assert_dangerous("SETUP.EXE", TRUE);
	assert_dangerous("photo.jpg.exe", TRUE);
	assert_dangerous("a.exe.", TRUE);
	assert_dangerous("a.exe . .", TRUE);
	assert_dangerous("invoice\u202Efdp.exe", TRUE);
	assert_dangerous("report.txt:evil.exe", TRUE);
	assert_dangerous("folder.{20D04FE0-3AEA-1069-A2D8-08002B30309D}", TRUE);
	assert_dangerous("attached%2E%62at", TRUE);
	assert_dangerous("run.ps1", TRUE);
	assert_dangerous("x.hta", TRUE);
	assert_dangerous("x.lnk", TRUE);
	assert_dangerous("x.url", TRUE);
	assert_dangerous("x.scf", TRUE);
	assert_dangerous("x.chm", TRUE);
	assert_dangerous("x.iso", TRUE);
	assert_dangerous("x.vhdx", TRUE);
	assert_dangerous("x.one", TRUE);
	assert_dangerous("x.xll", TRUE);
	assert_dangerous("x.jar", TRUE);
	assert_dangerous("x.msi", TRUE);
	assert_dangerous("photo.exe.jpg", FALSE);
	assert_dangerous("a.ex()e", FALSE);
	assert_dangerous("notes.txt", FALSE);
	assert_dangerous("data.csv", FALSE);
	assert_dangerous("README", FALSE);
	assert_dangerous(NULL, FALSE);

	char *extra[] = { (char *)"zip", NULL };
	g_autofree char *why = NULL;
	g_assert_true(cdr_name_is_dangerous("a.ZIP", extra, &why));
	g_assert_cmpstr(why, ==, "extension .zip");
}

static void
test_output_names(void)
{
	g_autoptr(GHashTable) known = g_hash_table_new(g_str_hash, g_str_equal);
	g_hash_table_add(known, (gpointer) "png");
	g_hash_table_add(known, (gpointer) "jpg");
	const char *jpeg[] = { "jpg", "jpeg", "jpe", NULL };
	struct {
		const char *in, *out;
	} cases[] = {
		{ "photo.jpg", "photo.jpg" },
		{ "photo.JPEG", "photo.JPEG" },
		{ "photo.png", "photo.jpg" },    /* known but wrong: replaced */
		{ "photo.v2", "photo.v2.jpg" },  /* unknown: appended */
		{ "photo", "photo.jpg" },
		{ NULL, "unnamed.jpg" },
		{ "dir/sub/pic.jpg", "pic.jpg" },
	};
	for (unsigned i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *out = cdr_name_for_output(cases[i].in, jpeg, known);
		g_assert_cmpstr(out, ==, cases[i].out);
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/names/sanitize", test_sanitize);
	g_test_add_func("/names/long", test_long_names_keep_their_extension);
	g_test_add_func("/names/dangerous", test_dangerous);
	g_test_add_func("/names/output", test_output_names);
	return g_test_run();
}
