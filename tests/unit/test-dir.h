/*
 * NAME
 *	test-dir.h - does any file of a directory hold a text (unit tests)
 * SUMMARY
 *	dir_files_contain(dir, text): what the PPAP and release tests ask of
 *	the store's directory to show a password was never written to disk.
 */
#pragma once

#include <glib.h>
#include <string.h>

static inline gboolean
dir_files_contain(const char *dir, const char *text)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	g_assert_nonnull(d); /* an unreadable directory must not pass as "not there" */
	const char *name;
	while ((name = g_dir_read_name(d))) {
		g_autofree char *path = g_build_filename(dir, name, NULL);
		g_autofree char *data = NULL;
		gsize len = 0;
		if (g_file_get_contents(path, &data, &len, NULL) &&
		    memmem(data, len, text, strlen(text)))
			return TRUE;
	}
	return FALSE;
}
