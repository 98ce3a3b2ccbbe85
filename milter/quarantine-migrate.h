/*
 * NAME
 *	quarantine-migrate.h - importing an old directory quarantine
 * SUMMARY
 *	Before the store, cdr-milter kept DIR/YYYYMMDD/ID.eml (the original)
 *	and DIR/YYYYMMDD/ID.json (its audit record). quarantine_migrate()
 *	imports every pair into the store under its own id, and says what it
 *	could not import and why. Running it again imports nothing twice.
 */
#pragma once

#include "store.h"

struct migrate_result {
	guint imported;   /* new in the store */
	guint already;    /* in the store before (an earlier run) */
	guint failed;     /* not imported: each told to `problem` */
	guint removed;    /* pairs deleted from DIR (with `remove`) */
};

/* Told once per file or id that was not imported. */
typedef void (*migrate_problem_fn)(const char *what, const char *why, gpointer data);

/*
 * Import DIR's originals. With `remove`, the files of each original that
 * is in the store afterwards (imported now or before, with the same
 * SHA-256) are deleted, and the day directories left empty. FALSE only
 * when DIR cannot be read at all.
 */
gboolean quarantine_migrate(struct mg_store *store, const char *dir, gboolean remove,
			    migrate_problem_fn problem, gpointer data,
			    struct migrate_result *result, GError **error);
