/*
 * NAME
 *	writer.c - the store's writer thread (group commit), its readers,
 *	and the SQLite helpers the other files use
 * SUMMARY
 *	Threads queue jobs; the writer takes every job queued while its
 *	previous transaction committed and runs them in one transaction, each
 *	in a savepoint of its own, then commits once: with an fsync of the WAL
 *	(synchronous=FULL) when any job asked for durability, without one
 *	otherwise. A job that fails is rolled back alone; an error that ends
 *	the whole transaction (a full disk, an I/O error) fails every job of
 *	the batch. Nobody returns before their job is committed or failed.
 * DESCRIPTION
 *	bench/store-layout.c measured why: with a hundred sessions, one
 *	connection per thread or one connection under a mutex queue for one
 *	fsync each (4 ms here), a few hundred messages per second at most;
 *	the writer thread commits them in batches, several times faster.
 *	A writer waiting for another process's lock tries again every
 *	millisecond (busy_wait()), for 10 s at least.
 *
 *	The writer thread keeps the statements every message's jobs run
 *	(db_prepare_kept(), and db_exec()'s transaction control): preparing
 *	them again each time (the record's UPDATE compiles the search index's
 *	triggers) took an eighth of the milter's CPU time. db_done() resets a
 *	kept statement and finalizes any other; nothing else may finalize a
 *	kept one. Other threads keep none.
 */
#include <errno.h>
#include <string.h>

#include "store-private.h"

#define BUSY_TIMEOUT_MS 10000
#define JOURNAL_SIZE_LIMIT (64 * 1024 * 1024)

struct store_job {
	store_job_fn run;
	gpointer data;
	gboolean durable;
	gboolean finished, ok;
	GError *error;
	struct store_job *next;
};

G_DEFINE_QUARK(mugaika-store-error-quark, store_error)

/* ---- statements kept by the writer thread ---- */

#define KEPT_MAX 64 /* statements; SQL built at run time may not repeat */

struct kept {
	sqlite3_stmt *st;
	gboolean in_use;
};

static _Thread_local sqlite3 *kept_db;
static _Thread_local GHashTable *kept; /* SQL text (the statement's own) -> struct kept */

static void
kept_free(gpointer p)
{
	struct kept *k = p;
	sqlite3_finalize(k->st);
	g_free(k);
}

/* From now on this thread keeps the statements it prepares on db; NULL
 * finalizes them (before db is closed). */
static void
keep_statements(sqlite3 *db)
{
	g_clear_pointer(&kept, g_hash_table_destroy);
	kept_db = db;
	if (db)
		kept = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, kept_free);
}

static gboolean
keeping(sqlite3 *db)
{
	return kept && db == kept_db;
}

/* A kept statement for sql, prepared now if need be; NULL when it is not
 * to be kept (in use already, more than one statement, the cache full). */
static sqlite3_stmt *
kept_statement(sqlite3 *db, const char *sql)
{
	struct kept *k = g_hash_table_lookup(kept, sql);
	if (k) {
		if (k->in_use)
			return NULL;
		k->in_use = TRUE;
		return k->st;
	}
	sqlite3_stmt *st = NULL;
	const char *tail = NULL;
	if (g_hash_table_size(kept) >= KEPT_MAX ||
	    sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, &tail) != SQLITE_OK ||
	    !st || *tail) {
		sqlite3_finalize(st);
		return NULL;
	}
	k = g_new0(struct kept, 1);
	k->st = st;
	k->in_use = TRUE;
	g_hash_table_insert(kept, (gpointer)sqlite3_sql(st), k);
	return st;
}

int
db_done(sqlite3_stmt *st)
{
	if (st && kept && sqlite3_db_handle(st) == kept_db) {
		struct kept *k = g_hash_table_lookup(kept, sqlite3_sql(st));
		if (k && k->st == st) {
			int rc = sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			k->in_use = FALSE;
			return rc;
		}
	}
	return sqlite3_finalize(st);
}

gboolean
db_error(sqlite3 *db, GError **error, const char *what)
{
	int code = sqlite3_extended_errcode(db);
	int primary = code & 0xff;
	enum store_error kind = primary == SQLITE_BUSY || primary == SQLITE_LOCKED
					? STORE_ERROR_BUSY
					: STORE_ERROR_FAILED;
	const char *msg = sqlite3_errmsg(db);
	if (primary == SQLITE_IOERR || primary == SQLITE_CANTOPEN || primary == SQLITE_READONLY) {
		int e = sqlite3_system_errno(db);
		if (e)
			msg = g_strerror(e);
	}
	g_set_error(error, STORE_ERROR, kind, "%s: %s", what, msg);
	return FALSE;
}

sqlite3_stmt *
db_prepare_kept(sqlite3 *db, const char *sql, GError **error)
{
	sqlite3_stmt *st = keeping(db) ? kept_statement(db, sql) : NULL;
	return st ? st : db_prepare(db, sql, error);
}

sqlite3_stmt *
db_prepare(sqlite3 *db, const char *sql, GError **error)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		db_error(db, error, "quarantine store");
		return NULL;
	}
	return st;
}

gboolean
db_run(sqlite3 *db, sqlite3_stmt *st, GError **error)
{
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		;
	db_done(st);
	return rc == SQLITE_DONE || db_error(db, error, "quarantine store");
}

gboolean
db_exec(sqlite3 *db, const char *sql, GError **error)
{
	sqlite3_stmt *st = keeping(db) ? kept_statement(db, sql) : NULL;
	if (st)
		return db_run(db, st, error);
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK)
		return TRUE;
	return db_error(db, error, "quarantine store");
}

gboolean
db_each_row(sqlite3 *db, sqlite3_stmt *st, db_row_fn row, gpointer data, GError **error)
{
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		row(st, data);
	db_done(st);
	return rc == SQLITE_DONE || db_error(db, error, "quarantine store");
}

void
db_add_text_column(sqlite3_stmt *st, gpointer out)
{
	g_ptr_array_add(out, db_column_text(st, 0));
}

gint64
db_single_number(sqlite3 *db, const char *sql, GError **error)
{
	sqlite3_stmt *st = db_prepare(db, sql, error);
	if (!st)
		return -1;
	int rc = sqlite3_step(st);
	gint64 v = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
	db_done(st);
	if (v < 0)
		db_error(db, error, "quarantine store");
	return v;
}

void
db_bind_text(sqlite3_stmt *st, int i, const char *text)
{
	if (text)
		sqlite3_bind_text(st, i, text, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

char *
db_column_text(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? g_strdup((const char *)t) : NULL;
}

/* SQLite's own busy timeout sleeps longer and longer between tries (up
 * to 100 ms), so a writer waiting behind another process's batches (a
 * purge by cdr-quarantine) keeps missing the gaps between them: try
 * every millisecond instead, for BUSY_TIMEOUT_MS at least. */
static int
busy_wait(void *unused, int tries)
{
	if (tries >= BUSY_TIMEOUT_MS)
		return 0;
	g_usleep(1000);
	return 1;
}

/* SQLite counts every allocation under one process-wide mutex unless
 * told not to: with several threads reading (cdr-web's searches, the
 * milter's sessions) they queue on it. Nothing here reads those
 * counts. Only possible before SQLite is initialized; later it is
 * refused, harmlessly. */
static gpointer
configure_sqlite(gpointer unused)
{
	(void)unused;
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	return NULL;
}

sqlite3 *
store_connect(const char *path, gboolean reader, GError **error)
{
	static GOnce once = G_ONCE_INIT;
	g_once(&once, configure_sqlite, NULL);
	sqlite3 *db = NULL;
	/* no SQLITE_OPEN_CREATE: store_open() made the file, with its mode */
	int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		if (db)
			db_error(db, error, path);
		else
			g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED, "%s: out of memory", path);
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_extended_result_codes(db, 1);
	sqlite3_busy_handler(db, busy_wait, NULL);
	g_autofree char *pragmas = g_strdup_printf(
		"PRAGMA synchronous=FULL; PRAGMA journal_size_limit=%d; PRAGMA query_only=%d;",
		JOURNAL_SIZE_LIMIT, reader ? 1 : 0);
	if (!db_exec(db, pragmas, error)) {
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

/* ---- readers ---- */

sqlite3 *
store_reader(struct mg_store *s, GError **error)
{
	sqlite3 *db = NULL;
	g_mutex_lock(&s->readers_lock);
	if (s->readers->len)
		db = g_ptr_array_steal_index_fast(s->readers, s->readers->len - 1);
	g_mutex_unlock(&s->readers_lock);
	return db ? db : store_connect(s->path, TRUE, error);
}

void
store_reader_done(struct mg_store *s, sqlite3 *db)
{
	g_mutex_lock(&s->readers_lock);
	if (s->readers->len < 8) {
		g_ptr_array_add(s->readers, db);
		db = NULL;
	}
	g_mutex_unlock(&s->readers_lock);
	sqlite3_close(db);
}

void
store_readers_close(struct mg_store *s)
{
	for (guint i = 0; i < s->readers->len; i++)
		sqlite3_close(s->readers->pdata[i]);
	g_ptr_array_set_size(s->readers, 0);
}

/* ---- the writer ---- */

static void
fail_job(struct store_job *j, const GError *why)
{
	j->ok = FALSE;
	if (!j->error)
		j->error = g_error_copy(why);
}

static gboolean
set_synchronous(struct mg_store *s, gboolean full, GError **error)
{
	if (s->synchronous_full == full)
		return TRUE;
	if (!db_exec(s->writer_db, full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL",
		     error))
		return FALSE;
	s->synchronous_full = full;
	return TRUE;
}

/* One job in a savepoint. FALSE when the whole transaction is gone. */
static gboolean
run_job(sqlite3 *db, struct store_job *j)
{
	if (!db_exec(db, "SAVEPOINT job", &j->error)) {
		j->ok = FALSE;
		return !sqlite3_get_autocommit(db);
	}
	j->ok = j->run(db, j->data, &j->error);
	if (sqlite3_get_autocommit(db)) /* SQLite rolled the transaction back */
		return FALSE;
	if (!j->ok) {
		g_autoptr(GError) ignored = NULL;
		db_exec(db, "ROLLBACK TO job", &ignored);
	}
	g_autoptr(GError) release_error = NULL;
	if (!db_exec(db, "RELEASE job", &release_error)) {
		fail_job(j, release_error);
		return !sqlite3_get_autocommit(db);
	}
	return TRUE;
}

static void
run_batch(struct mg_store *s, struct store_job *batch)
{
	sqlite3 *db = s->writer_db;
	g_autoptr(GError) error = NULL;
	gboolean durable = FALSE;
	for (struct store_job *j = batch; j; j = j->next)
		durable |= j->durable;
	gboolean ok = set_synchronous(s, durable, &error) &&
		      db_exec(db, "BEGIN IMMEDIATE", &error);
	for (struct store_job *j = batch; ok && j; j = j->next) {
		if (run_job(db, j))
			continue;
		/* the transaction was rolled back: nothing of the batch stays */
		g_set_error(&error, STORE_ERROR, STORE_ERROR_FAILED, "%s",
			    j->error ? j->error->message : "quarantine store: transaction lost");
		ok = FALSE;
	}
	if (ok && !db_exec(db, "COMMIT", &error))
		ok = FALSE;
	if (!ok) {
		if (!sqlite3_get_autocommit(db)) {
			g_autoptr(GError) ignored = NULL;
			db_exec(db, "ROLLBACK", &ignored);
		}
		for (struct store_job *j = batch; j; j = j->next)
			fail_job(j, error);
	}
}

static gpointer
writer_main(gpointer data)
{
	struct mg_store *s = data;
	keep_statements(s->writer_db);
	g_mutex_lock(&s->lock);
	for (;;) {
		while (!s->head && !s->stopping)
			g_cond_wait(&s->wake, &s->lock);
		if (!s->head)
			break;
		struct store_job *batch = s->head;
		s->head = NULL;
		s->tail = &s->head;
		g_mutex_unlock(&s->lock);
		run_batch(s, batch);
		g_mutex_lock(&s->lock);
		for (struct store_job *j = batch; j; j = j->next)
			j->finished = TRUE;
		g_cond_broadcast(&s->done);
	}
	g_mutex_unlock(&s->lock);
	keep_statements(NULL);
	return NULL;
}

void
store_writer_start(struct mg_store *s, sqlite3 *db)
{
	s->writer_db = db;
	s->synchronous_full = TRUE; /* store_connect() */
	s->tail = &s->head;
	s->writer = g_thread_new("store-writer", writer_main, s);
}

void
store_writer_stop(struct mg_store *s)
{
	if (!s->writer)
		return;
	g_mutex_lock(&s->lock);
	s->stopping = TRUE;
	g_cond_signal(&s->wake);
	g_mutex_unlock(&s->lock);
	g_thread_join(s->writer);
	s->writer = NULL;
	sqlite3_close(s->writer_db);
	s->writer_db = NULL;
}

gboolean
store_write(struct mg_store *s, gboolean durable, store_job_fn run, gpointer data,
	    GError **error)
{
	struct store_job j = { .run = run, .data = data, .durable = durable };
	g_mutex_lock(&s->lock);
	*s->tail = &j;
	s->tail = &j.next;
	g_cond_signal(&s->wake);
	while (!j.finished)
		g_cond_wait(&s->done, &s->lock);
	g_mutex_unlock(&s->lock);
	if (!j.ok) {
		if (j.error)
			g_propagate_error(error, j.error);
		else
			g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED, "quarantine store: failed");
		return FALSE;
	}
	g_clear_error(&j.error);
	return TRUE;
}
