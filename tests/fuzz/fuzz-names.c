/*
 * NAME
 *	fuzz-names - libFuzzer target: name cleaning and extension checks
 * SUMMARY
 *	Names come from media, archives and mail headers: any bytes. The
 *	cleaned name must always be valid UTF-8, non-empty, without path
 *	separators and not "." or "..", and cleaning it again changes nothing.
 */
#include <string.h>

#include "fuzz-common.h"
#include "names.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autofree char *name = g_strndup((const char *)data, size);
	g_autofree char *clean = cdr_name_sanitize(name);
	g_autofree char *why = NULL;
	g_assert(g_utf8_validate(clean, -1, NULL));
	g_assert(*clean && !strchr(clean, '/') && !strchr(clean, '\\'));
	g_assert(strcmp(clean, ".") != 0 && strcmp(clean, "..") != 0);
	g_assert(strlen(clean) <= 200);
	g_autofree char *again = cdr_name_sanitize(clean);
	g_assert(strcmp(again, clean) == 0); /* the pool relies on this */
	(void)cdr_name_is_dangerous(name, NULL, &why);
	const char *exts[] = { "txt", NULL };
	g_autofree char *out = cdr_name_for_output(name, exts, NULL);
	g_autofree char *lower = g_ascii_strdown(out, -1); /* "a.TXT" keeps its case */
	g_assert(g_str_has_suffix(lower, ".txt"));
	return 0;
}
