/*
 * NAME
 *	test-archive - archive member names made safe, in-process
 * DESCRIPTION
 *	The name rules one case at a time (the fixtures show them through
 *	whole archives): CP932 whose second byte is 0x5C, traversal, drive
 *	letters, bidi and control characters, Windows device names and
 *	trailing dots, folders named like junctions or devices, and
 *	case-insensitive duplicates.
 */
#include <string.h>

#include "archive-parts.h"

static struct cdr_charsets *charsets;

static void
assert_safe(const char *raw, const char *want, gboolean want_changed)
{
	struct archive_names *n = archive_names_new(charsets);
	gboolean changed = !want_changed;
	g_autofree char *got = archive_names_make_safe(n, raw, &changed);
	g_assert_cmpstr(got, ==, want);
	g_assert_cmpint(changed, ==, want_changed);
	archive_names_free(n);
}

static void
test_cp932_names(void)
{
	/* 表示.txt and ソフト/a.txt in CP932: 0x5C second bytes stay in the name */
	assert_safe("\x95\x5c\x8e\xa6.txt", "表示.txt", FALSE);
	assert_safe("\x83\x5c\x83\x74\x83\x67\\a.txt", "ソフト/a.txt", FALSE);
	assert_safe("日本語.txt", "日本語.txt", FALSE); /* UTF-8 stays UTF-8 */
	assert_safe("bad\xff\xfe.txt", "bad__.txt", TRUE);
}

static void
test_paths_that_escape(void)
{
	assert_safe("../../etc/passwd", "etc/passwd", TRUE);
	assert_safe("/etc/passwd", "etc/passwd", TRUE);
	assert_safe("C:\\Windows\\system32\\x.dll", "Windows/system32/x.dll", TRUE);
	assert_safe("a/./b/../c.txt", "a/b/c.txt", TRUE);
	assert_safe("dir/", "dir", FALSE);
	assert_safe("..", "unnamed", TRUE);
	assert_safe("", "unnamed", TRUE);
}

static void
test_characters_windows_minds(void)
{
	assert_safe("invoice\xe2\x80\xaegpj.exe", "invoicegpj.exe", TRUE); /* U+202E */
	assert_safe("a\tb\x01.txt", "ab.txt", TRUE);
	assert_safe("what?.txt", "what_.txt", TRUE);
	assert_safe("CON.txt", "_CON.txt", TRUE);
	assert_safe("dir/lpt1", "dir/_lpt1", TRUE);
	assert_safe("report.exe. . ", "report.exe", TRUE);
	assert_safe("com10.txt", "com10.txt", FALSE);
	assert_safe("CON .txt", "_CON .txt", TRUE);
	assert_safe("COM\xc2\xb9.txt", "_COM\xc2\xb9.txt", TRUE);
	assert_safe("..\xc2\xa5..\xc2\xa5g.txt", ".._.._g.txt", TRUE); /* yen: CP932's backslash */
	assert_safe("C:foo.txt", "foo.txt", TRUE);
}

/* Folders: the rules cdr-file applies to the folders of a tree (cdr/names.c). */
static void
test_folder_components(void)
{
	assert_safe("x.{20D04FE0-3AEA-1069-A2D8-08002B30309D}/a.txt",
		    "x.{20D04FE0-3AEA-1069-A2D8-08002B30309D}_/a.txt", TRUE);
	assert_safe("tool.exe\\readme.txt", "tool.exe_/readme.txt", TRUE);
	assert_safe("\x95\x5c\x83\x5c/\x94\x5c.txt", "表ソ/能.txt", FALSE);
	assert_safe("tool.exe", "tool.exe", FALSE); /* a file: the engine judges it */
}

static void
test_duplicates(void)
{
	struct archive_names *n = archive_names_new(charsets);
	gboolean renamed;
	g_autofree char *a = archive_names_claim(n, "dir/Report.txt", &renamed);
	g_assert_cmpstr(a, ==, "dir/Report.txt");
	g_assert_false(renamed);
	g_autofree char *b = archive_names_claim(n, "DIR/report.TXT", &renamed);
	g_assert_cmpstr(b, ==, "DIR/report (2).TXT");
	g_assert_true(renamed);
	g_autofree char *c = archive_names_claim(n, "dir/report.txt", &renamed);
	g_assert_cmpstr(c, ==, "dir/report (3).txt");
	g_autofree char *d = archive_names_claim(n, "noext", &renamed);
	g_autofree char *e = archive_names_claim(n, "NOEXT", &renamed);
	g_assert_cmpstr(e, ==, "NOEXT (2)");
	archive_names_free(n);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_autoptr(GError) error = NULL;
	charsets = cdr_charsets_new(&error);
	g_assert_no_error(error);
	g_test_add_func("/archive/cp932-names", test_cp932_names);
	g_test_add_func("/archive/escaping-paths", test_paths_that_escape);
	g_test_add_func("/archive/windows-characters", test_characters_windows_minds);
	g_test_add_func("/archive/folders", test_folder_components);
	g_test_add_func("/archive/duplicates", test_duplicates);
	int rc = g_test_run();
	cdr_charsets_free(charsets);
	return rc;
}
