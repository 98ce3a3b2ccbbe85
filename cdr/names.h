/*
 * NAME
 *	names.h - file and folder names: cleaning, dangerous extensions, output names
 * SUMMARY
 *	Windows opens by extension, so a name is judged the way Windows would
 *	read it: bidi and control characters gone, trailing dots and spaces
 *	stripped, stream suffixes (a.txt:b.exe) and percent-escapes seen through.
 *	One set of rules for every path component, whether it names a file or a
 *	folder, a file on a medium (cdr-file) or a member of an archive.
 */
#pragma once

#include <glib.h>

/* Longest component kept, in bytes (an extension of up to 16 bytes survives the cut). */
#define CDR_NAME_MAX_BYTES 200

enum cdr_name_kind {
	CDR_NAME_FILE,   /* the last component: its extension is judged by the engine */
	CDR_NAME_FOLDER, /* a folder: a dangerous extension ("x.{CLSID}") gets '_' appended */
};

/*
 * One path component (UTF-8; invalid bytes become '_') cleaned by every rule:
 * control, format (bidi, zero-width) and line-separator characters dropped;
 * Windows-forbidden characters, '/' '\' and the characters best-fit
 * conversion turns into a separator (yen, won, fullwidth solidus and reverse
 * solidus, division slash, fraction slash) replaced by '_'; leading spaces,
 * trailing dots and spaces removed; a reserved device name (CON, NUL.txt,
 * "aux .txt", COM1, LPT¹, ...) prefixed with '_'; cut to CDR_NAME_MAX_BYTES;
 * for a folder, a dangerous or CLSID extension gets '_' appended. Returns ""
 * when nothing is left ("", ".", "..", "  "); *changed (may be NULL) is set
 * when the result differs from `part`. Cleaning the result changes nothing.
 */
char *cdr_name_clean_component(const char *part, enum cdr_name_kind kind, gboolean *changed);

/*
 * A relative path from a UTF-8 path that may hold '/' or '\' separators,
 * a leading '/', a drive letter ("C:" or "C:name": only the drive goes),
 * empty, "." and ".." components: those are dropped, every other
 * component is cleaned (folders as folders, the last as a file) and the
 * components joined with '/'. "unnamed" when nothing is left. *changed as
 * above ("a//b" and a trailing '/' do not count as a change).
 */
char *cdr_name_clean_path(const char *path, gboolean *changed);

/*
 * One safe file name: the last component of `name` (either slash), cleaned
 * as a file; "unnamed" when nothing is left.
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
