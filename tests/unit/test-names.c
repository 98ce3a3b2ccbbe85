/*
 * NAME
 *	test-names - name cleaning and dangerous-extension checks
 * SUMMARY
 *	The threat catalogue's name tricks: RLO, double extensions, trailing
 *	dots and spaces, NTFS streams, CLSID junctions, reserved devices,
 *	255+ byte names, percent-escapes, path components; folders named
 *	like junctions or devices, cleaned by the rule shared with archives.
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
	assert_clean("bad\xff\xfe.txt", "bad__.txt");
	assert_clean("nul .txt", "_nul .txt");
	assert_clean("COM\u00b9.txt", "_COM\u00b9.txt");
	assert_clean("lpt0", "_lpt0");
	assert_clean("clock$", "_clock$");
	assert_clean("com10.txt", "com10.txt");
	assert_clean("price\u00a51000.txt", "price_1000.txt");   /* yen: CP932's backslash */
	assert_clean("a\uff0fb\uff3cc.txt", "a_b_c.txt");       /* fullwidth solidi */
	assert_clean("a\u2215b\u2044c\u20a9.txt", "a_b_c_.txt"); /* division, fraction, won */
	assert_clean("line\u2028sep\u00adhy.txt", "linesephy.txt");
	assert_clean("tag\U000E0041.txt", "tag.txt");
	assert_clean(".exe", ".exe");
	assert_clean("   ", "unnamed");
	assert_clean(". .", "unnamed");
}

static void
assert_component(const char *in, enum cdr_name_kind kind, const char *expected,
		 gboolean want_changed)
{
	gboolean changed = FALSE;
	g_autofree char *out = cdr_name_clean_component(in, kind, &changed);
	g_assert_cmpstr(out, ==, expected);
	g_assert_cmpint(changed, ==, want_changed);
	/* a clean component is its own cleaning */
	changed = FALSE;
	g_autofree char *again = cdr_name_clean_component(out, kind, &changed);
	g_assert_cmpstr(again, ==, out);
	g_assert_false(changed);
}

static void
test_folder_components(void)
{
	const char *clsid = "{20D04FE0-3AEA-1069-A2D8-08002B30309D}";
	g_autofree char *junction = g_strconcat("x.", clsid, NULL);
	g_autofree char *defused = g_strconcat("x.", clsid, "_", NULL);
	assert_component(junction, CDR_NAME_FOLDER, defused, TRUE);
	g_autofree char *lower = g_ascii_strdown(junction, -1);
	g_autofree char *lower_defused = g_strconcat(lower, "_", NULL);
	assert_component(lower, CDR_NAME_FOLDER, lower_defused, TRUE);
	g_autofree char *trailing = g_strconcat(junction, ". ", NULL);
	assert_component(trailing, CDR_NAME_FOLDER, defused, TRUE);
	g_autofree char *bare = g_strconcat(".", clsid, NULL);
	g_autofree char *bare_defused = g_strconcat(".", clsid, "_", NULL);
	assert_component(bare, CDR_NAME_FOLDER, bare_defused, TRUE);
	assert_component("tool.exe", CDR_NAME_FOLDER, "tool.exe_", TRUE);
	assert_component("tool.exe", CDR_NAME_FILE, "tool.exe", FALSE);
	assert_component("con", CDR_NAME_FOLDER, "_con", TRUE);
	assert_component("AUX .d", CDR_NAME_FOLDER, "_AUX .d", TRUE);
	assert_component("LPT\u00b2", CDR_NAME_FOLDER, "_LPT\u00b2", TRUE);
	assert_component("dir. . .", CDR_NAME_FOLDER, "dir", TRUE);
	assert_component("   ", CDR_NAME_FOLDER, "", TRUE);
	assert_component("..", CDR_NAME_FOLDER, "", TRUE);
	assert_component(".", CDR_NAME_FOLDER, "", TRUE);
	assert_component("a:b", CDR_NAME_FOLDER, "a_b", TRUE);           /* NTFS stream */
	assert_component("x.{CLSID}::$DATA", CDR_NAME_FOLDER, "x.{CLSID}__$DATA", TRUE);
	assert_component("rep\u202Eorts", CDR_NAME_FOLDER, "reports", TRUE);
	assert_component("\uff0e\uff0e", CDR_NAME_FOLDER, "\uff0e\uff0e", FALSE); /* not dots */
	assert_component("表ソ能", CDR_NAME_FOLDER, "表ソ能", FALSE);
	assert_component("PROGRA~1", CDR_NAME_FOLDER, "PROGRA~1", FALSE);
	assert_component("a/b", CDR_NAME_FOLDER, "a_b", TRUE);

	g_autoptr(GString) longname = g_string_new(NULL);
	for (int i = 0; i < 100; i++)
		g_string_append(longname, "フォルダ"); /* 1200 bytes */
	g_string_append(longname, ".exe");
	gboolean changed = FALSE;
	g_autofree char *cut = cdr_name_clean_component(longname->str, CDR_NAME_FOLDER, &changed);
	g_assert_true(changed);
	g_assert_cmpuint(strlen(cut), <=, CDR_NAME_MAX_BYTES);
	g_assert_true(g_str_has_suffix(cut, ".exe_"));
	g_assert_true(g_utf8_validate(cut, -1, NULL));

	/* cut to 200 bytes it ends in ".{...}": the '_' must not push it over
	 * again (fuzz-names found the rules going round) */
	g_autoptr(GString) clsid_cut = g_string_new(NULL);
	for (int i = 0; i < 180; i++)
		g_string_append_c(clsid_cut, 'a');
	g_string_append(clsid_cut, ".{bbbbbbbbbbbbbbbbb}zzz");
	g_autofree char *fixed = cdr_name_clean_component(clsid_cut->str, CDR_NAME_FOLDER, NULL);
	g_assert_cmpuint(strlen(fixed), ==, CDR_NAME_MAX_BYTES);
	g_assert_true(g_str_has_suffix(fixed, "}_") || g_str_has_suffix(fixed, "b_"));
	g_autofree char *again = cdr_name_clean_component(fixed, CDR_NAME_FOLDER, NULL);
	g_assert_cmpstr(again, ==, fixed);
}

static void
assert_path(const char *in, const char *expected, gboolean want_changed)
{
	gboolean changed = FALSE;
	g_autofree char *out = cdr_name_clean_path(in, &changed);
	g_assert_cmpstr(out, ==, expected);
	g_assert_cmpint(changed, ==, want_changed);
}

static void
test_paths(void)
{
	assert_path("資料/議事録.txt", "資料/議事録.txt", FALSE);
	/* traversal and drive letters: tests/unit/test-archive.c */
	assert_path("x.{20D04FE0-3AEA-1069-A2D8-08002B30309D}/a.txt",
		    "x.{20D04FE0-3AEA-1069-A2D8-08002B30309D}_/a.txt", TRUE);
	assert_path("con/aux.txt", "_con/_aux.txt", TRUE);
	assert_path("tool.exe/readme.txt", "tool.exe_/readme.txt", TRUE);
	assert_path("dir./ /x.txt", "dir/x.txt", TRUE);
	assert_path("a\u202E/b.txt", "a/b.txt", TRUE);
	assert_path("a\uff0f..\uff0fb.txt", "a_.._b.txt", TRUE);
	assert_path("..", "unnamed", TRUE);
	assert_path("", "unnamed", TRUE);
	assert_path("bad\xff/x.txt", "bad_/x.txt", TRUE);
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
	assert_dangerous(".{20D04FE0-3AEA-1069-A2D8-08002B30309D}", TRUE);
	assert_dangerous(".exe", TRUE);
	assert_dangerous(".lnk", TRUE);
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
	g_test_add_func("/names/folders", test_folder_components);
	g_test_add_func("/names/paths", test_paths);
	g_test_add_func("/names/dangerous", test_dangerous);
	g_test_add_func("/names/output", test_output_names);
	return g_test_run();
}
