/*
 * NAME
 *	events.c - who did what to which message, when, from where
 * SUMMARY
 *	db_add_event() adds one inside a job (a release and its event commit
 *	together); store_event_add() is the same as a durable job of its own.
 */
#include "store-private.h"

gboolean
db_add_event(sqlite3 *db, const char *id, const char *what, const char *by,
	     const char *origin, const char *detail, GError **error)
{
	sqlite3_stmt *st = db_prepare(db,
				      "INSERT INTO events (time, id, what, by, origin, detail) "
				      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
				      error);
	if (!st)
		return FALSE;
	sqlite3_bind_int64(st, 1, store_now());
	db_bind_text(st, 2, id);
	db_bind_text(st, 3, what);
	db_bind_text(st, 4, by);
	db_bind_text(st, 5, origin);
	db_bind_text(st, 6, detail);
	return db_run(db, st, error);
}

struct event_args {
	const char *id, *what, *by, *origin, *detail;
};

static gboolean
job_event(sqlite3 *db, gpointer data, GError **error)
{
	struct event_args *e = data;
	return db_add_event(db, e->id, e->what, e->by, e->origin, e->detail, error);
}

gboolean
store_event_add(struct mg_store *s, const char *id, const char *what, const char *by,
		const char *origin, const char *detail, GError **error)
{
	if (!what || !*what || (id && !store_id_valid(id))) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_INVALID,
			    "an event needs a name and, if any, a quarantine id");
		return FALSE;
	}
	struct event_args e = { id, what, by, origin, detail };
	return store_write(s, TRUE, job_event, &e, error);
}

void
store_event_free(struct store_event *e)
{
	if (!e)
		return;
	g_free(e->id);
	g_free(e->what);
	g_free(e->by);
	g_free(e->origin);
	g_free(e->detail);
	g_free(e);
}

void
db_add_event_row(sqlite3_stmt *st, gpointer out)
{
	struct store_event *e = g_new0(struct store_event, 1);
	e->number = sqlite3_column_int64(st, 0);
	e->time = sqlite3_column_int64(st, 1);
	e->id = db_column_text(st, 2);
	e->what = db_column_text(st, 3);
	e->by = db_column_text(st, 4);
	e->origin = db_column_text(st, 5);
	e->detail = db_column_text(st, 6);
	g_ptr_array_add(out, e);
}

GPtrArray *
store_events(struct mg_store *s, const char *id, guint limit, GError **error)
{
	sqlite3 *db = store_reader(s, error);
	if (!db)
		return NULL;
	/* the newest `limit`, given oldest first */
	sqlite3_stmt *st = db_prepare(db,
				      "SELECT * FROM (SELECT number, time, id, what, by, origin, "
				      "detail FROM events WHERE ?1 IS NULL OR id = ?1 ORDER BY "
				      "number DESC LIMIT ?2) ORDER BY number",
				      error);
	GPtrArray *out = NULL;
	if (st) {
		db_bind_text(st, 1, id);
		sqlite3_bind_int64(st, 2, limit ? (sqlite3_int64)limit : -1);
		out = g_ptr_array_new_with_free_func((GDestroyNotify)store_event_free);
		if (!db_each_row(db, st, db_add_event_row, out, error))
			g_clear_pointer(&out, g_ptr_array_unref);
	}
	store_reader_done(s, db);
	return out;
}
