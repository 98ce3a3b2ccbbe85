/*
 * NAME
 *	names.h - file names: cleaning, dangerous extensions, output names
 * SUMMARY
 *	Windows opens by extension, so a name is judged the way Windows would
 *	read it: bidi and control characters gone, trailing dots and spaces
 *	stripped, stream suffixes (a.txt:b.exe) and percent-escapes seen through.
 */
#pragma once

#include <glib.h>

/*
 * One safe path component: the last component of `name` (either slash),
 * valid UTF-8, without control/bidi/zero-width characters or Windows-
 * forbidden ones, not a reserved device name, no trailing dots/spaces,
 * never empty, "." or "..", at most 200 bytes (extension kept).
 */
char *cdr_name_sanitize(const char *name);

/* Lower-case extension of a sanitized name, or NULL. */
char *cdr_name_extension(const char *clean_name);

/*
 * Is the name one Windows would run or mount? Checks the built-in list and
 * `extra` (policy, lower case, no dot), CLSID junction suffixes, and the
 * percent-decoded form. On TRUE, *why (caller frees) names the extension.
 */
gboolean cdr_name_is_dangerous(const char *name, char *const *extra, char **why);

/*
 * Output name for a rebuilt object: the sanitized name, ending in one of
 * `type_exts` ([0] is canonical). A different extension that is in
 * `known_exts` is replaced; an unknown one gets the canonical one appended.
 */
char *cdr_name_for_output(const char *name, const char *const *type_exts, GHashTable *known_exts);

/* The built-in dangerous extensions, NULL-terminated (for docs and tests). */
extern const char *const cdr_dangerous_extensions[];
