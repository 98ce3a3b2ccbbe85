/*
 * NAME
 *	fuzz-names - libFuzzer target: name cleaning and extension checks
 * SUMMARY
 *	Names come from media, archives and mail headers: any bytes. The
 *	cleaned name must always be valid UTF-8, non-empty, without path
 *	separators and not "." or "..", and cleaning it again changes nothing.
 *	The same for a folder component and for a whole member path: every
 *	component non-empty, never "." or "..", no trailing dot or space, and
 *	a clean path is its own cleaning.
 */
#include <string.h>

#include "fuzz-common.h"
#include "names.h"

static void
check_component(const char *name, enum cdr_name_kind kind)
{
	gboolean changed = FALSE;
	g_autofree char *c = cdr_name_clean_component(name, kind, &changed);
	g_assert(g_utf8_validate(c, -1, NULL));
	g_assert(!strchr(c, '/') && !strchr(c, '\\') && !strchr(c, ':'));
	g_assert(strlen(c) <= CDR_NAME_MAX_BYTES);
	gsize n = strlen(c);
	g_assert(n == 0 || (c[n - 1] != '.' && c[n - 1] != ' ' && c[0] != ' '));
	g_assert(changed || strcmp(c, name) == 0);
	changed = FALSE;
	g_autofree char *again = cdr_name_clean_component(c, kind, &changed);
	g_assert(strcmp(again, c) == 0 && !changed);
	g_autofree char *why = NULL;
	if (kind == CDR_NAME_FOLDER && *c)
		g_assert(!cdr_name_is_dangerous(c, NULL, &why) || strchr(c, '%'));
}

static void
check_path(const char *name)
{
	gboolean changed = FALSE;
	g_autofree char *p = cdr_name_clean_path(name, &changed);
	g_assert(g_utf8_validate(p, -1, NULL) && *p && p[0] != '/');
	g_auto(GStrv) parts = g_strsplit(p, "/", -1);
	for (char **c = parts; *c; c++) {
		gsize n = strlen(*c);
		g_assert(n > 0 && n <= CDR_NAME_MAX_BYTES && strcmp(*c, "..") != 0);
		g_assert((*c)[n - 1] != '.' && (*c)[n - 1] != ' ');
	}
	changed = FALSE;
	g_autofree char *again = cdr_name_clean_path(p, &changed);
	g_assert(strcmp(again, p) == 0 && !changed);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autofree char *name = g_strndup((const char *)data, size);
	g_autofree char *clean = cdr_name_sanitize(name);
	g_autofree char *why = NULL;
	g_assert(g_utf8_validate(clean, -1, NULL));
	g_assert(*clean && !strchr(clean, '/') && !strchr(clean, '\\'));
	g_assert(strcmp(clean, ".") != 0 && strcmp(clean, "..") != 0);
	g_assert(strlen(clean) <= CDR_NAME_MAX_BYTES);
	g_autofree char *again = cdr_name_sanitize(clean);
	g_assert(strcmp(again, clean) == 0); /* the pool relies on this */
	(void)cdr_name_is_dangerous(name, NULL, &why);
	const char *exts[] = { "txt", NULL };
	g_autofree char *out = cdr_name_for_output(name, exts, NULL);
	g_autofree char *lower = g_ascii_strdown(out, -1); /* "a.TXT" keeps its case */
	g_assert(g_str_has_suffix(lower, ".txt"));
	check_component(name, CDR_NAME_FILE);
	check_component(name, CDR_NAME_FOLDER);
	check_path(name);
	return 0;
}
