/*
 * NAME
 *	archive-parts.h - the archive handler's parts: member names, RAR5 encryption
 */
#pragma once

#include <glib.h>

#include "charset.h"

/* ---- archive-names.c ----------------------------------------------------- */

struct archive_names;

struct archive_names *archive_names_new(struct cdr_charsets *charsets);
void archive_names_free(struct archive_names *names);

/*
 * A safe relative path for a member's stored name (raw bytes: UTF-8, else
 * CP932 when valid, else with '_' for what cannot be decoded), every
 * component judged by cdr_name_clean_path() (cdr/names.h), the rules
 * cdr-file applies to a tree: '/' separators, no empty, "." or ".." parts,
 * no drive letter, no control, bidi or Windows-forbidden characters, no
 * trailing dots or spaces, no reserved device names, folders with a
 * CLSID or dangerous extension get '_' appended. *changed is set when the
 * name had to change.
 */
char *archive_names_make_safe(struct archive_names *names, const char *raw, gboolean *changed);

/* `path`, or `path` with " (2)", " (3)", ... before its extension when a
 * member already has that name (compared as Windows does, ignoring case).
 * *renamed is set in the second case. */
char *archive_names_claim(struct archive_names *names, const char *path, gboolean *renamed);

/* ---- archive-rar5.c ------------------------------------------------------ */

/* TRUE when a RAR5 archive's headers, or any member, are encrypted
 * (libarchive 3.6 does not tell, and returns ciphertext as data). */
gboolean rar5_is_encrypted(const guint8 *data, gsize len);
