/*
 * NAME
 *	test-archive - archive member names made safe, and the zip module's
 *	writer and reader, in-process
 * DESCRIPTION
 *	The name rules one case at a time (the fixtures show them through
 *	whole archives): CP932 whose second byte is 0x5C, traversal, drive
 *	letters, bidi and control characters, Windows device names and
 *	trailing dots, folders named like junctions or devices, and
 *	case-insensitive duplicates. The zip writer past 65534 members and
 *	with members' own dates; the reader's failures with their kinds.
 */
#include <string.h>

#include "archive-parts.h"
#include "zip.h"

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

/* The members of a zip that passes the structure check. */
static GArray *
checked_entries(const GByteArray *zip)
{
	GArray *entries = g_array_new(FALSE, FALSE, sizeof(struct zip_entry));
	const char *why = NULL;
	g_assert_cmpint(zip_check_entries(zip->data, zip->len, &why, entries), ==, ZIP_OK);
	return entries;
}

/* The zip writer past the classic end record's 16-bit count: a zip64 end
 * record our own check accepts, every member there; a member's date is
 * kept (as local time, TZ=UTC here). */
static void
test_zip_many_members_dated(void)
{
	g_setenv("TZ", "UTC", TRUE);
	tzset();
	GByteArray *b = g_byte_array_new();
	struct zip_writer *w = zip_writer_new(b);
	const guint n = 70000;
	for (guint i = 0; i < n; i++) {
		g_autofree char *name = g_strdup_printf("d/%u.txt", i);
		zip_writer_begin_dated(w, name, 1711962000); /* 2024-04-01 09:00:00 UTC */
		zip_writer_write(w, "x", 1);
		g_assert_true(zip_writer_end(w));
	}
	g_assert_true(zip_writer_finish(w));
	g_autoptr(GArray) entries = checked_entries(b);
	g_assert_cmpuint(entries->len, ==, n);
	const struct zip_entry *last = &g_array_index(entries, struct zip_entry, n - 1);
	struct cdr_failure fail = { 0 };
	GByteArray *m = zip_read_whole(b->data, last, 16, &fail);
	g_assert_nonnull(m);
	g_assert_cmpmem(m->data, m->len, "x", 1);
	g_byte_array_free(m, TRUE);
	/* the local header's time and date: 09:00:00, 2024-04-01 */
	const guint8 *local = b->data + last->local_offset;
	g_assert_cmpuint(local[10] | local[11] << 8, ==, 9 << 11);
	g_assert_cmpuint(local[12] | local[13] << 8, ==, (44 << 9) | (4 << 5) | 1);
	g_byte_array_unref(b);
}

/* What the zip reader finds wrong carries its kind. */
static void
test_zip_reader_kinds(void)
{
	GByteArray *b = g_byte_array_new();
	struct zip_writer *w = zip_writer_new(b);
	zip_writer_begin(w, "a.txt", FALSE);
	zip_writer_write(w, "hello hello hello", 17);
	g_assert_true(zip_writer_end(w));
	g_assert_true(zip_writer_finish(w));
	g_autoptr(GArray) entries = checked_entries(b);
	struct zip_entry e = g_array_index(entries, struct zip_entry, 0);
	struct cdr_failure fail = { 0 };
	g_assert_null(zip_read_whole(b->data, &e, 4, &fail));
	g_assert_cmpint(fail.kind, ==, CDR_E_LIMIT);
	fail = (struct cdr_failure){ 0 };
	e.crc ^= 1;
	g_assert_null(zip_read_whole(b->data, &e, 64, &fail));
	g_assert_cmpint(fail.kind, ==, CDR_E_PARSE);
	fail = (struct cdr_failure){ 0 };
	e.method = 12; /* bzip2 */
	g_assert_null(zip_read_whole(b->data, &e, 64, &fail));
	g_assert_cmpint(fail.kind, ==, CDR_E_UNSUPPORTED);
	g_byte_array_unref(b);
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
	g_test_add_func("/archive/zip-many-members-dated", test_zip_many_members_dated);
	g_test_add_func("/archive/zip-reader-kinds", test_zip_reader_kinds);
	int rc = g_test_run();
	cdr_charsets_free(charsets);
	return rc;
}
