/*
 * NAME
 *	archive-parts.h - the archive handler's parts: zip structure check, member names
 */
#pragma once

#include <glib.h>

#include "charset.h"

/* ---- zip-check.c ---------------------------------------------------------- */

enum zip_check {
	ZIP_OK,
	ZIP_ENCRYPTED, /* well-formed, but a member is encrypted */
	ZIP_AMBIGUOUS, /* readers could disagree: *reason says how */
};

/*
 * Check a zip the way its central directory describes it: one end record
 * at the very end, the directory where it says, every local header
 * agreeing with its central entry, no two entries overlapping, no bytes
 * before the first entry, no duplicate names. *reason is static text.
 */
enum zip_check zip_check_structure(const guint8 *data, gsize len, const char **reason);

/* One member as its central entry describes it, checked against its local header. */
struct zip_entry {
	guint64 local_offset;
	guint64 csize, usize;
	guint32 crc;
	guint16 flags, method;
	const guint8 *name; /* into the zip's bytes, not NUL-terminated */
	guint16 name_len;
	guint64 data_start; /* its (compressed) data */
	guint64 end;        /* end of its data */
};

/* The same check; on ZIP_OK or ZIP_ENCRYPTED `entries` (a GArray of
 * struct zip_entry, may be NULL) receives the members in file order. */
enum zip_check zip_check_entries(const guint8 *data, gsize len, const char **reason,
				 GArray *entries);

/* TRUE when the zip's central directory lists a member called `name`
 * (ignoring case), or when the zip is ambiguous and `name` occurs in it:
 * a document package, not an archive of files that happen to contain one
 * (a docx stored uncompressed inside a zip shows its member names too). */
gboolean zip_lists_member(const guint8 *data, gsize len, const char *name);

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

/* ---- archive-zipout.c ---------------------------------------------------- */

/* The rebuilt archive: a zip (deflate, UTF-8 names with the UTF-8 flag)
 * written with libarchive into `dest`. */
struct zip_out;

struct zip_out *zip_out_new(GByteArray *dest);
gboolean zip_out_add(struct zip_out *z, const char *path, const guint8 *data, gsize len,
		     gint64 mtime);
/* Write the central directory; FALSE on error. Frees `z`. */
gboolean zip_out_finish(struct zip_out *z);
/* Discard (on an error path); accepts NULL. */
void zip_out_free(struct zip_out *z);
