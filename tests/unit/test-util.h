/*
 * NAME
 *	test-util.h - small helpers the unit tests share
 */
#pragma once

#include <string.h>

#include "report.h"

/* Does the report (not its children) list an action of this name? */
static inline gboolean
report_has_action(const struct cdr_report *r, const char *what)
{
	for (guint i = 0; i < r->actions->len; i++)
		if (strcmp(((const struct cdr_action *)r->actions->pdata[i])->what, what) == 0)
			return TRUE;
	return FALSE;
}

#ifdef SOURCE_ROOT
/* A committed fixture, fixtures/<rel> (the test fails when it is missing). */
static inline GBytes *
test_fixture(const char *rel)
{
	g_autofree char *path = g_build_filename(SOURCE_ROOT, "fixtures", rel, NULL);
	g_autoptr(GError) error = NULL;
	char *data;
	gsize len;
	g_assert_true(g_file_get_contents(path, &data, &len, &error));
	return g_bytes_new_take(data, len);
}
#endif
