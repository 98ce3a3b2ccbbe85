/*
 * NAME
 *	purge.c - removing old messages, and checking the store
 * SUMMARY
 *	store_purge() removes by age, then by size, in jobs of PURGE_BATCH
 *	messages: each job is one savepoint in the writer's transaction, so
 *	a message being stored waits for at most one batch (a few ms), not for
 *	the whole purge. After each batch the purge rests as long as the
 *	batch took, so that it takes half the writer's time at most: the
 *	messages arriving meanwhile (in this process, or in the milter while
 *	cdr-quarantine purges) get the other half, and the lock between two
 *	processes is free for a while after each batch
 *	(bench/store-purge.sh). store_check() finds what a crash or a hand on the
 *	database could leave: index rows without their original, originals
 *	without their row, and SQLite's own quick_check.
 */
#include <string.h>

#include "store-private.h"

#define PURGE_BATCH 50
#define EVENT_BATCH 1000
#define ABANDONED_AFTER 3600 /* seconds: longer than any message takes */
#define ROW_OVERHEAD 256     /* bytes of index per message, for the size purge's estimate */

struct batch {
	const char *state; /* 'stored' or 'receiving' */
	gint64 cutoff;     /* remove those older than this */
	guint64 max_bytes; /* or: remove the oldest until the database uses at most this */
	guint64 messages, bytes; /* out, this batch */
};

static gint64
used_bytes(sqlite3 *db, GError **error)
{
	gint64 pages = db_single_number(db, "PRAGMA page_count", error);
	gint64 free_pages = pages < 0 ? -1 : db_single_number(db, "PRAGMA freelist_count", error);
	gint64 size = free_pages < 0 ? -1 : db_single_number(db, "PRAGMA page_size", error);
	return size < 0 ? -1 : (pages - free_pages) * size;
}

/* The oldest PURGE_BATCH messages of b->state (older than b->cutoff when
 * by age): seq, size and an estimate of what removing each frees. */
static sqlite3_stmt *
oldest(sqlite3 *db, const struct batch *b, GError **error)
{
	sqlite3_stmt *st = db_prepare(db,
				      "SELECT seq, size, size + coalesce(length(record), 0) FROM "
				      "messages WHERE state = ?1 AND (?2 = 0 OR time < ?2) "
				      "ORDER BY time, seq LIMIT ?3",
				      error);
	if (!st)
		return NULL;
	db_bind_text(st, 1, b->state);
	sqlite3_bind_int64(st, 2, b->max_bytes ? 0 : b->cutoff);
	sqlite3_bind_int(st, 3, PURGE_BATCH);
	return st;
}

static gboolean
job_purge(sqlite3 *db, gpointer data, GError **error)
{
	struct batch *b = data;
	b->messages = b->bytes = 0;
	gint64 need = 0;
	if (b->max_bytes) {
		gint64 used = used_bytes(db, error);
		if (used < 0)
			return FALSE;
		if ((guint64)used <= b->max_bytes)
			return TRUE;
		need = used - (gint64)b->max_bytes;
	}
	sqlite3_stmt *st = oldest(db, b, error);
	if (!st)
		return FALSE;
	g_autoptr(GArray) seqs = g_array_new(FALSE, FALSE, sizeof(sqlite3_int64));
	gint64 freed = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && (!b->max_bytes || freed < need)) {
		sqlite3_int64 seq = sqlite3_column_int64(st, 0);
		g_array_append_val(seqs, seq);
		b->bytes += (guint64)MAX(sqlite3_column_int64(st, 1), 0);
		freed += sqlite3_column_int64(st, 2) + ROW_OVERHEAD;
	}
	db_done(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_error(db, error, "quarantine store");
	for (guint i = 0; i < seqs->len; i++)
		if (!db_delete_message(db, g_array_index(seqs, sqlite3_int64, i), error))
			return FALSE;
	b->messages = seqs->len;
	return TRUE;
}

struct events_batch {
	gint64 cutoff;
	guint64 removed; /* out */
};

static gboolean
job_purge_events(sqlite3 *db, gpointer data, GError **error)
{
	struct events_batch *e = data;
	sqlite3_stmt *st = db_prepare(db,
				      "DELETE FROM events WHERE number IN (SELECT number FROM "
				      "events WHERE time < ?1 ORDER BY number LIMIT ?2)",
				      error);
	if (!st)
		return FALSE;
	sqlite3_bind_int64(st, 1, e->cutoff);
	sqlite3_bind_int(st, 2, EVENT_BATCH);
	if (!db_run(db, st, error))
		return FALSE;
	e->removed = (guint64)sqlite3_changes(db);
	return TRUE;
}

/* Batches of `b` until one removes nothing; adds up into the totals. */
static gboolean
purge_all(struct mg_store *s, struct batch *b, guint64 *messages, guint64 *bytes,
	  GError **error)
{
	do {
		gint64 t0 = g_get_monotonic_time();
		if (!store_write(s, FALSE, job_purge, b, error))
			return FALSE;
		*messages += b->messages;
		if (bytes)
			*bytes += b->bytes;
		if (b->messages)
			g_usleep((gulong)CLAMP(g_get_monotonic_time() - t0, 1000, 200000));
	} while (b->messages);
	return TRUE;
}

gboolean
store_purge(struct mg_store *s, gint64 max_age, guint64 max_bytes, struct store_purged *out,
	    GError **error)
{
	struct store_purged p = { 0 };
	gint64 now = store_now();
	gboolean ok = TRUE;
	if (max_age >= 0) {
		/* older than the cutoff; 0: everything, this second's too */
		struct batch b = { .state = "stored", .cutoff = now - max_age + (max_age ? 0 : 1) };
		ok = purge_all(s, &b, &p.messages, &p.bytes, error);
	}
	if (max_age > 0) {
		struct events_batch e = { .cutoff = now - max_age };
		do {
			ok = ok && store_write(s, FALSE, job_purge_events, &e, error);
			p.events += ok ? e.removed : 0;
		} while (ok && e.removed);
	}
	struct batch abandoned = { .state = "receiving", .cutoff = now - ABANDONED_AFTER };
	ok = ok && purge_all(s, &abandoned, &p.abandoned, NULL, error);
	if (max_bytes) {
		struct batch b = { .state = "stored", .max_bytes = max_bytes };
		ok = ok && purge_all(s, &b, &p.messages, &p.bytes, error);
	}
	if (out)
		*out = p;
	return ok;
}

/* ---- check ---- */

static gboolean
collect_ids(sqlite3 *db, const char *sql, GPtrArray *out, GError **error)
{
	sqlite3_stmt *st = db_prepare(db, sql, error);
	return st && db_each_row(db, st, db_add_text_column, out, error);
}

static gboolean
job_check(sqlite3 *db, gpointer data, GError **error)
{
	struct store_check *c = data;
	GPtrArray *problems = g_ptr_array_new_with_free_func(g_free);
	gboolean ok = collect_ids(db, "PRAGMA quick_check", problems, error);
	if (ok && !(problems->len == 1 && g_strcmp0(problems->pdata[0], "ok") == 0)) {
		g_ptr_array_add(problems, NULL);
		c->integrity = g_strjoinv("; ", (char **)problems->pdata);
	}
	g_ptr_array_unref(problems);
	ok = ok && collect_ids(db,
			       "SELECT id FROM messages m WHERE NOT EXISTS (SELECT 1 FROM "
			       "originals o WHERE o.message = m.seq) ORDER BY seq",
			       c->without_original, error);
	ok = ok && collect_ids(db,
			       "SELECT message FROM originals WHERE message NOT IN "
			       "(SELECT seq FROM messages) ORDER BY message",
			       c->without_record, error);
	if (!ok || !c->repair)
		return ok;
	return db_exec(db,
		       "DELETE FROM originals WHERE message NOT IN (SELECT seq FROM messages);"
		       "DELETE FROM recipients WHERE message NOT IN (SELECT seq FROM messages);"
		       "DELETE FROM attachments WHERE message NOT IN (SELECT seq FROM messages);"
		       "DELETE FROM ppap_pending WHERE message NOT IN (SELECT seq FROM messages);"
		       "DELETE FROM releases WHERE message NOT IN (SELECT seq FROM messages);",
		       error) &&
	       db_exec(db,
		       "CREATE TEMP TABLE IF NOT EXISTS gone (seq INTEGER PRIMARY KEY);"
		       "DELETE FROM gone;"
		       "INSERT INTO gone SELECT seq FROM messages m WHERE NOT EXISTS (SELECT 1 "
		       "FROM originals o WHERE o.message = m.seq);"
		       "DELETE FROM recipients WHERE message IN gone;"
		       "DELETE FROM attachments WHERE message IN gone;"
		       "DELETE FROM ppap_pending WHERE message IN gone;"
		       "DELETE FROM releases WHERE message IN gone;"
		       "DELETE FROM messages WHERE seq IN gone;",
		       error);
}

gboolean
store_check(struct mg_store *s, gboolean repair, struct store_check *c, GError **error)
{
	memset(c, 0, sizeof(*c));
	c->repair = repair;
	c->without_original = g_ptr_array_new_with_free_func(g_free);
	c->without_record = g_ptr_array_new_with_free_func(g_free);
	return store_write(s, repair, job_check, c, error);
}

void
store_check_clear(struct store_check *c)
{
	g_free(c->integrity);
	g_clear_pointer(&c->without_original, g_ptr_array_unref);
	g_clear_pointer(&c->without_record, g_ptr_array_unref);
}
