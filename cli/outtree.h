/*
 * NAME
 *	outtree.h - write clean files into cdr-file's output directory
 */
#pragma once

#include <glib.h>

struct outtree;

/* Create OUTDIR if needed. Refuses an OUTDIR that is, or is inside, one of
 * `inputs` (the input must never change). */
struct outtree *outtree_new(const char *outdir, char **inputs, gboolean force, GError **error);
void outtree_free(struct outtree *t);

/*
 * Copy the bytes of `fd` to OUTDIR/dirs.../name. Directory names (raw
 * bytes from the medium) are decoded like file names and cleaned by the
 * folder rules of cdr_name_clean_component(); when one had to change,
 * *renamed_dirs (caller frees) is the cleaned relative directory path,
 * else NULL. Links in OUTDIR are not followed. An existing file is an
 * error unless `force`; two inputs that clean to the same name in this
 * run get "name (2).ext". Returns the path written (caller frees) or NULL
 * with error. Thread-safe.
 */
char *outtree_write(struct outtree *t, char *const *dirs, const char *name, int fd,
		    char **renamed_dirs, GError **error);
