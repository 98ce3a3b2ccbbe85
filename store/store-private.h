/*
 * NAME
 *	store-private.h - what the files of store/ share: the open store,
 *	the writer thread's queue, reader connections, SQLite helpers
 * SUMMARY
 *	Only the files of store/ include this. Writes are jobs: a function run on the
 *	writer's connection inside a savepoint of the writer's current
 *	transaction (store_write()); reads take a connection of their own
 *	(store_reader()/store_reader_done()).
 */
#pragma once

#include <sqlite3.h>

#include "store.h"

struct store_job;

struct mg_store {
	char *dir;
	char *path; /* DIR/quarantine.sqlite */

	/* the writer thread and its queue (writer.c) */
	sqlite3 *writer_db;
	GThread *writer;
	GMutex lock;
	GCond wake;    /* jobs queued, or stopping */
	GCond done;    /* a batch finished */
	struct store_job *head, **tail;
	gboolean stopping;
	gboolean synchronous_full; /* the writer connection's current setting */

	/* idle reader connections (writer.c) */
	GMutex readers_lock;
	GPtrArray *readers;

	/* the session that owns this store's claims (session.c) */
	GMutex session_lock;
	char *session; /* NULL until the first claim */
	int session_fd;
};

/* This store's session token, made (and its lock taken) on first use;
 * NULL with `error` when the lock file cannot be made. */
const char *store_session(struct mg_store *store, GError **error);

/* Whether the session `token` (NULL: none) may still hold its claims:
 * FALSE only when it surely ended (its process died or closed it). */
gboolean store_session_alive(struct mg_store *store, const char *token);

/* At close: the session ends (its lock file removed). */
void store_session_end(struct mg_store *store);

/* A write: run(db, data, error) inside a savepoint; FALSE rolls the job
 * back (and only it). `durable`: the caller returns only once the
 * transaction is fsync'ed. */
typedef gboolean (*store_job_fn)(sqlite3 *db, gpointer data, GError **error);

/* Queue a job for the writer thread and wait for its commit. */
gboolean store_write(struct mg_store *store, gboolean durable, store_job_fn run, gpointer data,
		     GError **error);

/* Start and stop the writer thread on `db` (store.c opened it). */
void store_writer_start(struct mg_store *store, sqlite3 *db);
void store_writer_stop(struct mg_store *store);

/* A connection for reading (pooled), and giving it back. */
sqlite3 *store_reader(struct mg_store *store, GError **error);
void store_reader_done(struct mg_store *store, sqlite3 *db);
void store_readers_close(struct mg_store *store);

/* Open a connection to the database with the store's settings. */
sqlite3 *store_connect(const char *path, gboolean reader, GError **error);

/* ---- SQLite helpers (writer.c) ---- */

/* Set `error` from the connection's last error: "WHAT: MESSAGE".
 * Returns FALSE. */
gboolean db_error(sqlite3 *db, GError **error, const char *what);

/* Prepare one statement; NULL with `error` set. */
sqlite3_stmt *db_prepare(sqlite3 *db, const char *sql, GError **error);

/* db_prepare() for the statements every message's writer jobs run: in
 * the writer thread, the one kept from an earlier job. Only db_done(),
 * db_run() or db_each_row() may end it, never sqlite3_finalize(). */
sqlite3_stmt *db_prepare_kept(sqlite3 *db, const char *sql, GError **error);

/* Done with a statement: a kept one is reset, any other finalized.
 * Returns what sqlite3_finalize() would. */
int db_done(sqlite3_stmt *st);

/* Step a statement that returns no row (or ignore rows); db_done() it. */
gboolean db_run(sqlite3 *db, sqlite3_stmt *st, GError **error);

/* Run SQL text without parameters. */
gboolean db_exec(sqlite3 *db, const char *sql, GError **error);

/* Step `st` to the end, calling row(st, data) for each row; db_done()
 * it. FALSE on a database error. */
typedef void (*db_row_fn)(sqlite3_stmt *st, gpointer data);
gboolean db_each_row(sqlite3 *db, sqlite3_stmt *st, db_row_fn row, gpointer data,
		     GError **error);

/* A db_row_fn: the first column's text into a GPtrArray of char*. */
void db_add_text_column(sqlite3_stmt *st, gpointer out);

/* The first column of the first row of `sql` (a count, a PRAGMA);
 * -1 with `error` set when there is none. */
gint64 db_single_number(sqlite3 *db, const char *sql, GError **error);

/* Bind helpers: NULL binds SQL NULL. */
void db_bind_text(sqlite3_stmt *st, int i, const char *text);

/* A column's text, copied (NULL for SQL NULL). */
char *db_column_text(sqlite3_stmt *st, int i);

/* The message row's seq for an id in `state` ("stored", "receiving", or
 * NULL for either); 0 with STORE_ERROR_NOT_FOUND set when there is none. */
sqlite3_int64 db_message_seq(sqlite3 *db, const char *id, const char *state, GError **error);

/* Delete a message and everything that hangs on it (not its events). */
gboolean db_delete_message(sqlite3 *db, sqlite3_int64 seq, GError **error);

/* Add an event row (inside the caller's job). */
gboolean db_add_event(sqlite3 *db, const char *id, const char *what, const char *by,
		      const char *origin, const char *detail, GError **error);

/* A db_row_fn: an events row (number, time, id, what, by, origin,
 * detail) as a struct store_event into a GPtrArray (events.c). */
void db_add_event_row(sqlite3_stmt *st, gpointer out);

/* PPAP entry `seq` (message `id`): trying -> failed with `reason`, and
 * its event (ppap.c). */
gboolean db_ppap_fail(sqlite3 *db, sqlite3_int64 seq, const char *id, const char *reason,
		      const char *by, GError **error);

/* An event's detail for release `number`: {"release": N, "state": S,
 * ...more string members (key, value, ..., NULL; a NULL value is left
 * out)} (release.c). */
char *release_event_detail(gint64 number, enum store_release_state state, ...)
	G_GNUC_NULL_TERMINATED;

/* A claim: a PPAP entry "trying", a password mail's pairing, a release
 * "sending" (seq: the message's, or the release's number). */
struct db_claim {
	sqlite3_int64 seq;
	char *id, *owner, *submitting;
	gint64 time; /* updated, or the password mail's arrival */
};

/* The claims `sql` selects (seq, id, owner, time, submitting), or NULL
 * with `error` (ppap-recover.c). */
GPtrArray *db_claims(sqlite3 *db, const char *sql, GError **error);

/* ["a", "b"]: a NULL-terminated list as a JSON array (record.c). */
char *store_json_string_list(const char *const *items);

/* Seconds since the epoch, UTC. */
gint64 store_now(void);

/* The time in an id (valid), as Unix seconds. */
gint64 store_id_time(const char *id);

/* The arrival time of an id, given `now`: a new random id. NULL only
 * when no random bytes could be had. */
char *store_new_id(gint64 now);

/* The schema: create it in an empty database, check it otherwise
 * (schema.c). Runs in the caller's transaction. */
gboolean store_schema_ensure(sqlite3 *db, gboolean create, GError **error);
/* search-index.c: the trigram index's tables, made when missing (empty:
 * store_index_catch_up() fills them). */
gboolean store_search_index_ensure(sqlite3 *db, GError **error);
/* The newest message's seq (0: none); -1 on error (with `error`, which
 * may be NULL). */
gint64 store_newest_seq(sqlite3 *db, GError **error);
/* The newest message (seq) the index holds; the ones above it are read
 * as rows. -1 on error. */
gint64 store_search_index_upto(sqlite3 *db);
/* The MATCH expression finding `word` as a substring of `column`, as a
 * literal phrase; NULL when the index cannot (fewer than 3 characters). */
char *store_search_index_match(const char *column, const char *word);
/* How store_search() reads the messages for `match` in `table`
 * (messages_fts, recipients_fts), `limit` results (0: all), the messages
 * above `upto` not indexed yet: the scan on any error (never wrong). */
enum search_plan {
	SEARCH_SCAN,     /* the rows, in the query's order */
	SEARCH_BY_ROWID, /* the index's hits, each row looked up, then sorted */
	SEARCH_BY_TIME,  /* messages_time newest first, kept if in the hits */
};
enum search_plan store_search_index_plan(sqlite3 *db, const char *table, const char *match,
					 guint limit, gint64 upto);

/* search.c: `in`'s query (after `prefix`) prepared with its parameters
 * bound; with `one_seq`, only its conditions, for the one message whose
 * seq is bound to ?1 afterwards (no index, no order, no limit). */
sqlite3_stmt *store_search_prepare(sqlite3 *db, const struct store_query *in,
				   const char *prefix, gboolean one_seq, GError **error);
/* search.c: the message of a row of such a query. */
struct store_message *store_message_from_row(sqlite3_stmt *st);
/* search-newest.c: the page of a one-word, newest-first, limited search
 * from the index's hits taken newest seq first: 1 with `out` (sorted as
 * the query would), 0 when it cannot tell (store_search() then runs the
 * query), -1 with `error`. */
int store_search_newest(sqlite3 *db, const struct store_query *in, GPtrArray **out,
			GError **error);

/* Message `seq`'s row, with its record (search.c). */
struct store_message *store_message_load(sqlite3 *db, sqlite3_int64 seq, GError **error);

/* Fill the recipients and attachments of message `seq` (search.c). */
gboolean store_load_details(sqlite3 *db, sqlite3_int64 seq, struct store_message *m,
			    GError **error);
