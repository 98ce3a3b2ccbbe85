/*
 * NAME
 *	search.c - finding stored messages, and the store's totals
 * SUMMARY
 *	store_search() turns a struct store_query into one SELECT with
 *	bound parameters (no text of the query is ever spliced into SQL) and
 *	calls back per row. Substring matches use instr(lower(), lower()):
 *	ASCII case-insensitive, any other character as is; the trigram
 *	index (search-index.c) narrows the rows they read when the word has
 *	three characters or more.
 */
#include <string.h>

#include "store-private.h"

/* The columns message_from_row() reads, in its order. */
#define MESSAGE_COLUMNS                                                                       \
	"m.seq, m.id, m.time, m.size, m.sha256, m.state, m.sender, m.header_from, "        \
	"m.from_address, m.subject, m.message_id, m.action, m.reason, m.mode, m.verdict, " \
	"m.error, m.av, m.malware, m.encrypted, m.releasable, m.not_releasable, "          \
	"(SELECT CASE WHEN r.state = 'failed' AND r.reason LIKE 'uncertain: %' "          \
	"THEN 'uncertain' ELSE r.state END FROM releases r WHERE r.message = m.seq "      \
	"ORDER BY r.number DESC LIMIT 1), "                                                 \
	"(SELECT p.state FROM ppap_pending p WHERE p.message = m.seq), "                   \
	"(SELECT p.reason FROM ppap_pending p WHERE p.message = m.seq)"
#define RECORD_COLUMN 24

static struct store_message *
message_from_row(sqlite3_stmt *st, int record_column);

struct store_message *
store_message_from_row(sqlite3_stmt *st)
{
	return message_from_row(st, RECORD_COLUMN);
}

static struct store_message *
message_from_row(sqlite3_stmt *st, int record_column)
{
	struct store_message *m = store_message_new();
	m->seq = sqlite3_column_int64(st, 0);
	m->id = db_column_text(st, 1);
	m->time = sqlite3_column_int64(st, 2);
	m->size = (guint64)MAX(sqlite3_column_int64(st, 3), 0);
	m->sha256 = db_column_text(st, 4);
	const unsigned char *state = sqlite3_column_text(st, 5);
	m->state = state && strcmp((const char *)state, "stored") == 0 ? STORE_STORED
								       : STORE_RECEIVING;
	char **texts[] = { &m->sender,	&m->header_from, &m->from_address, &m->subject,
			   &m->message_id, &m->action,	    &m->reason,	      &m->mode,
			   &m->verdict,	&m->error,	    &m->av,	      &m->malware };
	for (int i = 0; i < (int)G_N_ELEMENTS(texts); i++)
		*texts[i] = db_column_text(st, 6 + i);
	m->encrypted = sqlite3_column_int(st, 18) != 0;
	m->releasable = sqlite3_column_int(st, 19) != 0;
	m->not_releasable = db_column_text(st, 20);
	m->release = db_column_text(st, 21);
	m->ppap = db_column_text(st, 22);
	m->ppap_reason = db_column_text(st, 23);
	if (record_column >= 0)
		m->record = db_column_text(st, record_column);
	return m;
}

struct store_message *
store_message_load(sqlite3 *db, sqlite3_int64 seq, GError **error)
{
	sqlite3_stmt *st = db_prepare(db, "SELECT " MESSAGE_COLUMNS ", m.record FROM messages m "
					  "WHERE m.seq = ?1",
				      error);
	if (!st)
		return NULL;
	sqlite3_bind_int64(st, 1, seq);
	struct store_message *m = NULL;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		m = message_from_row(st, RECORD_COLUMN);
	else if (rc == SQLITE_DONE)
		g_set_error(error, STORE_ERROR, STORE_ERROR_NOT_FOUND, "no such message");
	else
		db_error(db, error, "quarantine store");
	db_done(st);
	return m;
}

static void
add_recipient(sqlite3_stmt *st, gpointer out)
{
	struct store_recipient *r = g_new0(struct store_recipient, 1);
	r->address = db_column_text(st, 0);
	r->mode = db_column_text(st, 1);
	g_ptr_array_add(out, r);
}

static void
add_attachment(sqlite3_stmt *st, gpointer out)
{
	struct store_attachment *a = g_new0(struct store_attachment, 1);
	a->name = db_column_text(st, 0);
	a->detected = db_column_text(st, 1);
	a->size = (guint64)MAX(sqlite3_column_int64(st, 2), 0);
	a->encrypted = sqlite3_column_int(st, 3) != 0;
	a->verdict = db_column_text(st, 4);
	a->error = db_column_text(st, 5);
	a->removed = db_column_text(st, 6);
	g_ptr_array_add(out, a);
}

/* The rows of `sql` (its ?1 is the message) through `row` into `out`. */
static gboolean
load_rows(sqlite3 *db, const char *sql, sqlite3_int64 seq, db_row_fn row, GPtrArray *out,
	  GError **error)
{
	sqlite3_stmt *st = db_prepare(db, sql, error);
	if (!st)
		return FALSE;
	sqlite3_bind_int64(st, 1, seq);
	return db_each_row(db, st, row, out, error);
}

gboolean
store_load_details(sqlite3 *db, sqlite3_int64 seq, struct store_message *m, GError **error)
{
	return load_rows(db,
			 "SELECT address, mode FROM recipients WHERE message = ?1 "
			 "ORDER BY position",
			 seq, add_recipient, m->recipients, error) &&
	       load_rows(db,
			 "SELECT name, detected, size, encrypted, verdict, error, removed "
			 "FROM attachments WHERE message = ?1 ORDER BY position",
			 seq, add_attachment, m->attachments, error);
}

/* ---- search ---- */

struct query_sql {
	GString *sql;
	GPtrArray *texts; /* parameter i+1: its text, or NULL for the number in nums */
	GArray *nums;     /* gint64 */
	GPtrArray *owned; /* texts made here, freed with the query */
	sqlite3 *db;      /* to ask the index how common a word is */
	guint limit;
	gboolean one_seq; /* the conditions for the one message ?1, no index */
};

static void
add_param(struct query_sql *q, const char *clause, const char *text, gint64 num)
{
	g_ptr_array_add(q->texts, (gpointer)text);
	g_array_append_val(q->nums, num);
	g_autoptr(GString) c = g_string_new(clause);
	g_autofree char *name = g_strdup_printf("?%u", q->texts->len);
	g_string_replace(c, "?N", name, 0);
	g_string_append_printf(q->sql, " AND %s", c->str);
}

/* Narrow by the trigram index (search-index.c) when the word has one
 * and is rare enough: `clause` (its ?N the MATCH expression) keeps the
 * candidates, and the instr() check after it stays the judge. The
 * expression is kept in q->owned until the query has run. */
static void
add_index(struct query_sql *q, const char *table, const char *column, const char *value)
{
	char *match = store_search_index_match(column, value);
	if (!match)
		return;
	g_ptr_array_add(q->owned, match);
	if (q->one_seq)
		return;
	gint64 upto = store_search_index_upto(q->db);
	enum search_plan plan = upto < 0 ? SEARCH_SCAN
					 : store_search_index_plan(q->db, table, match, q->limit, upto);
	if (plan == SEARCH_SCAN)
		return;
	/* the messages not indexed yet are candidates too (one IN: read by
	 * seq, where an OR would make SQLite read every row by time); by
	 * time, "+ 0" keeps SQLite from looking the hits up by seq */
	g_autofree char *clause = g_strdup_printf(
		"m.seq%s IN (SELECT rowid / %d FROM %s WHERE %s MATCH ?N UNION ALL "
		"SELECT seq FROM messages WHERE seq > %" G_GINT64_FORMAT ")",
		plan == SEARCH_BY_TIME ? " + 0" : "",
		strcmp(table, "recipients_fts") == 0 ? 1048576 : 1, table, table, upto);
	add_param(q, clause, match, 0);
}

static void
add_text(struct query_sql *q, const char *column, const char *value)
{
	if (!value)
		return;
	add_index(q, "messages_fts", column, value);
	g_autofree char *clause = g_strdup_printf("instr(lower(m.%s), lower(?N)) > 0", column);
	add_param(q, clause, value, 0);
}

static void
add_match(struct query_sql *q, enum store_match match, const char *yes)
{
	if (match == STORE_ANY)
		return;
	g_string_append_printf(q->sql, " AND %s(%s)", match == STORE_NO ? "NOT " : "", yes);
}

static void
build_query(const struct store_query *in, struct query_sql *q)
{
	g_string_append(q->sql, "SELECT " MESSAGE_COLUMNS);
	g_string_append(q->sql, in->details ? ", m.record" : ", NULL");
	g_string_append(q->sql, " FROM messages m WHERE m.state = 'stored'");
	if (q->one_seq)
		add_param(q, "m.seq = ?N", NULL, 0); /* ?1, bound per message */
	add_text(q, "sender", in->sender);
	add_text(q, "header_from", in->from);
	add_text(q, "subject", in->subject);
	if (in->recipient)
		add_index(q, "recipients_fts", "address", in->recipient);
	if (in->recipient)
		add_param(q,
			  "EXISTS (SELECT 1 FROM recipients r WHERE r.message = m.seq AND "
			  "instr(lower(r.address), lower(?N)) > 0)",
			  in->recipient, 0);
	if (in->since)
		add_param(q, "m.time >= ?N", NULL, in->since);
	if (in->until)
		add_param(q, "m.time < ?N", NULL, in->until);
	if (in->action)
		add_param(q, "m.action = ?N", in->action, 0);
	if (in->verdict)
		add_param(q, "m.verdict = ?N", in->verdict, 0);
	add_match(q, in->encrypted, "m.encrypted = 1");
	add_match(q, in->malware, "m.malware IS NOT NULL");
	if (q->one_seq)
		return;
	g_string_append(q->sql, in->newest_first ? " ORDER BY m.time DESC, m.seq DESC"
						 : " ORDER BY m.time, m.seq");
	if (in->limit)
		g_string_append_printf(q->sql, " LIMIT %u", in->limit);
}

static void
query_sql_clear(struct query_sql *q)
{
	g_string_free(q->sql, TRUE);
	g_ptr_array_unref(q->texts);
	g_array_unref(q->nums);
	g_ptr_array_unref(q->owned);
}

sqlite3_stmt *
store_search_prepare(sqlite3 *db, const struct store_query *in, const char *prefix,
		     gboolean one_seq, GError **error)
{
	struct query_sql q = { g_string_new(prefix), g_ptr_array_new(),
			       g_array_new(FALSE, FALSE, sizeof(gint64)),
			       g_ptr_array_new_with_free_func(g_free), db, in->limit, one_seq };
	build_query(in, &q);
	sqlite3_stmt *st = db_prepare(db, q.sql->str, error);
	for (guint i = 0; st && i < q.texts->len; i++) {
		if (q.texts->pdata[i])
			db_bind_text(st, (int)i + 1, q.texts->pdata[i]);
		else
			sqlite3_bind_int64(st, (int)i + 1, g_array_index(q.nums, gint64, i));
	}
	query_sql_clear(&q); /* db_bind_text() copies */
	return st;
}

/* Give `m` to the caller, its details loaded when asked: 1 go on, 0 the
 * caller said stop, -1 failed. */
static int
give(sqlite3 *db, const struct store_query *in, struct store_message *m, store_message_cb cb,
     gpointer data, GError **error)
{
	if (in->details && !store_load_details(db, m->seq, m, error))
		return -1;
	return cb(m, data) ? 1 : 0;
}

static gboolean
search_on(sqlite3 *db, const struct store_query *in, store_message_cb cb, gpointer data,
	  GError **error)
{
	g_autoptr(GPtrArray) page = NULL;
	int quick = store_search_newest(db, in, &page, error);
	int go = 1;
	for (guint i = 0; quick > 0 && go > 0 && i < page->len; i++)
		go = give(db, in, page->pdata[i], cb, data, error);
	if (quick != 0) /* answered (or failed) from the index's newest hits */
		return quick > 0 && go >= 0;
	sqlite3_stmt *st = store_search_prepare(db, in, "", FALSE, error);
	if (!st)
		return FALSE;
	int rc = SQLITE_DONE;
	while (go > 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		g_autoptr(store_message) m = message_from_row(st, RECORD_COLUMN);
		go = give(db, in, m, cb, data, error);
	}
	gboolean ok = go == 0 || (go > 0 && (rc == SQLITE_DONE ||
					     db_error(db, error, "quarantine store")));
	db_done(st);
	return ok;
}

gboolean
store_search(struct mg_store *s, const struct store_query *in, store_message_cb cb,
	     gpointer data, GError **error)
{
	sqlite3 *db = store_reader(s, error);
	if (!db)
		return FALSE;
	gboolean ok = search_on(db, in, cb, data, error);
	store_reader_done(s, db);
	return ok;
}

char *
store_search_explain(struct mg_store *s, const struct store_query *in, GError **error)
{
	sqlite3 *db = store_reader(s, error);
	sqlite3_stmt *st = db ? store_search_prepare(db, in, "EXPLAIN QUERY PLAN ", FALSE, error) : NULL;
	GString *plan = g_string_new(NULL);
	int rc = SQLITE_DONE;
	while (st && (rc = sqlite3_step(st)) == SQLITE_ROW)
		g_string_append_printf(plan, "%s\n", (const char *)sqlite3_column_text(st, 3));
	gboolean ok = st && (rc == SQLITE_DONE || db_error(db, error, "quarantine store"));
	db_done(st);
	if (db)
		store_reader_done(s, db);
	return g_string_free(plan, !ok);
}

/* ---- totals ---- */

gboolean
store_get_totals(struct mg_store *s, struct store_totals *t, GError **error)
{
	memset(t, 0, sizeof(*t));
	sqlite3 *db = store_reader(s, error);
	if (!db)
		return FALSE;
	gboolean ok = db_exec(db, "BEGIN", error); /* one snapshot for all the numbers */
	gint64 v[6] = { 0 };
	static const char *const sql[] = {
		"SELECT count(*) FROM messages WHERE state = 'stored'",
		"SELECT coalesce(sum(size), 0) FROM messages WHERE state = 'stored'",
		"SELECT count(*) FROM messages WHERE state = 'receiving'",
		"SELECT coalesce(min(time), 0) FROM messages WHERE state = 'stored'",
		"PRAGMA page_count",
		"PRAGMA freelist_count",
	};
	for (guint i = 0; ok && i < G_N_ELEMENTS(sql); i++)
		ok = (v[i] = db_single_number(db, sql[i], error)) >= 0;
	gint64 page = ok ? db_single_number(db, "PRAGMA page_size", error) : -1;
	g_autoptr(GError) ignored = NULL;
	db_exec(db, "COMMIT", &ignored);
	store_reader_done(s, db);
	if (!ok || page < 0)
		return FALSE;
	t->messages = (guint64)v[0];
	t->bytes = (guint64)v[1];
	t->receiving = (guint64)v[2];
	t->oldest = v[3];
	t->disk = (guint64)MAX(v[4] - v[5], 0) * (guint64)page;
	return TRUE;
}
