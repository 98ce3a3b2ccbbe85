/*
 * NAME
 *	package.h - what the document package handlers (ooxml, odf) share:
 *	the package judged and read through the zip module (zip.h), part names
 *	and parts judged, pictures rebuilt through the image handlers (package.c)
 */
#pragma once

#include <glib.h>

#include "cdr.h"
#include "zip.h"

/* ---- package.c: the package judged, read, named -------------------------- */

/* zip_check_entries() as a verdict: an ambiguous zip is a parse error, an
 * encrypted member a password-protected document. */
enum cdr_verdict package_check_zip(struct cdr_job *job, const guint8 *data, gsize len,
				   GArray *entries);
/* A part name a package may have: relative, no backslash or control
 * character, no empty (but a folder's trailing one), "." or ".." segment;
 * printable ASCII only with `ascii`, else UTF-8. A copy, or NULL. */
char *package_part_name(const guint8 *raw, gsize len, gboolean ascii);
/* Blocked (max_children) when a package has more than that many parts. */
enum cdr_verdict package_count_parts(struct cdr_job *job, guint64 n);
/* Report a removal once per (action, place): `noted` holds the pairs
 * already reported (a set of g_malloc'd strings). */
void package_note(struct cdr_job *job, GHashTable *noted, const char *what, const char *where);
/* `path` as a part name: relative to `folder` (a part's name; what follows
 * its last '/' does not count), or to the package's root when it starts
 * with '/'; "." and empty segments dropped, ".." resolved. NULL when it
 * leaves the package. */
char *package_resolve(const char *folder, const char *path);
/* The whole part `name`, at most `max` bytes, charged to the job's
 * expansion budget; NULL with the job's error set. */
GByteArray *package_read_part(struct cdr_job *job, const guint8 *zip, const struct zip_entry *e,
			      const char *name, guint64 max);
/* `name` with the extension `ext` in place of one of `exts` (the input's
 * name with the extension of what was written: report.docm -> report.docx). */
char *package_output_name(const char *name, const char *const *exts, const char *ext);

/* ---- package.c: pictures through the image handlers ---------------------- */

struct package_picture {
	GByteArray *data;  /* the picture written into the package */
	const char *type;  /* its MIME type (an interned string) */
	gboolean replaced; /* not kept: the empty PNG stands in (media-replaced) */
};

/* Rebuild the picture `data` of the part `part`: PNG, JPEG and GIF (by
 * their signatures) go through their handlers as children of the job; any
 * other format, or a picture its handler blocks, becomes a 1x1 transparent
 * PNG, exactly as the png handler writes it (so a second pass leaves it
 * alone). FALSE, with the job's error set, when a budget of the whole
 * object ran out: the document must then be blocked. */
gboolean package_picture_rebuild(struct cdr_job *job, const char *part, const guint8 *data,
				 gsize len, struct package_picture *out);
/* That 1x1 transparent PNG. */
extern const guint8 package_empty_png[];
extern const gsize package_empty_png_len;
