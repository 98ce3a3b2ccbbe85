/*
 * NAME
 *	quarantine.h - originals kept on the internet side
 * SUMMARY
 *	A directory store: DIR/YYYYMMDD/ID.eml (the original, byte for byte)
 *	and DIR/YYYYMMDD/ID.json (envelope, verdicts, reasons). Files are
 *	written under a temporary name, fsync'ed and renamed, so a reader
 *	never sees half an original. IDs are "YYYYMMDDTHHMMSS-" and 12 hex
 *	digits (UTC), safe in file names, headers and notices.
 */
#pragma once

#include <glib.h>

/* An ID of the form above (nothing else is ever opened by id). */
gboolean quarantine_id_valid(const char *id);

/* DIR/YYYYMMDD/ID.EXT for a valid id. Caller frees. */
char *quarantine_path(const char *dir, const char *id, const char *ext);

/* Store the bytes of `fd` (a memfd or file) as a new original. Returns
 * its new id, or NULL when it could not be written. Durable once
 * quarantine_store_meta() has succeeded for it. */
char *quarantine_store(const char *dir, int fd, GError **error);

/* Store the metadata (JSON text) beside an original, and make both
 * durable. */
gboolean quarantine_store_meta(const char *dir, const char *id, const char *json,
			       GError **error);

/* The signatures clamd found in an original ("malware" of its metadata),
 * joined by ", "; NULL when none (or no readable metadata). Whatever
 * releases an original must refuse one that has them. */
char *quarantine_malware(const char *dir, const char *id);

/* Remove an original and its metadata (a message that was not accepted
 * after all: the sender still has it). */
void quarantine_remove(const char *dir, const char *id);

/* Every id in the store, oldest first. */
GPtrArray *quarantine_list(const char *dir, GError **error);

/* Remove originals (and metadata) older than `days` days (0: all);
 * returns how many originals were removed, -1 on error. */
int quarantine_purge(const char *dir, guint days, GError **error);
