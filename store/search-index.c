/*
 * NAME
 *	search-index.c - the trigram index behind substring search
 * SUMMARY
 *	Two FTS5 tables with the trigram tokenizer (case_sensitive 0) let
 *	store_search() find a substring of sender, From, subject or a
 *	recipient without reading every message:
 *
 *	messages_fts	external content on messages (rowid = seq): sender,
 *			header_from, subject.
 *	recipients_fts	contentless (recipients has no rowid): address, at
 *			rowid message * 2^20 + position.
 *	search_index	one row: `upto`, the messages (seq <= upto) the two
 *			tables hold.
 *
 *	The index is filled behind the writers, not by them: the milter's
 *	one write per message stays as cheap as without an index (FTS5
 *	inserts in its writer cost it about 30 % of its rate, measured in
 *	bench/README.md), and store_search_index_catch_up() adds the newer
 *	messages in batches (cdr-web every few seconds, cdr-quarantine
 *	search before it searches). Searches read the index for seq <= upto
 *	and the rows above it, so a message is found whether or not it is
 *	indexed yet.
 *
 *	Triggers keep what is indexed right: deleting or changing an indexed
 *	message (or a recipient of one, or adding one to it) changes the
 *	index in the same transaction, whichever process or build writes.
 *	seq is not AUTOINCREMENT: a new message takes max(seq) + 1, so when
 *	the newest message is deleted (indexed or not) `upto` comes down to
 *	the newest left, and a new message is never at or below it.
 *
 *	A store without the tables (made before the index) gets them empty
 *	at its next open, filled by the next catch-up; one with the tables
 *	but without search_index (its triggers indexed every write) is
 *	complete: upto = max(seq).
 * DESCRIPTION
 *	store_search_index_plan() picks, per word, the cheapest of three
 *	reads for a page of `limit` (L) newest first, by two bounded counts
 *	of the index (each stops early; neither intersects a whole doclist
 *	of a common trigram):
 *
 *	scan	L hits or more among the newest max(2,000, 40 L) indexed
 *		messages (rowid above them): the rows newest first fill
 *		the page within about as many rows (or the messages not
 *		indexed yet are that many).
 *	rowid	else fewer than F = sqrt(L * messages / 20) hits in all:
 *		each looked up by seq, then sorted by time (m.seq IN).
 *	time	else messages_time newest first, keeping the rows in the
 *		hits (m.seq + 0 IN: the "+ 0" keeps SQLite from the
 *		lookups); it reads about L * messages / hits index entries,
 *		a lookup and sort costing about 20 of them.
 *
 *	Without a limit (cdr-quarantine search) every hit is read: rowid.
 *	Before any of these, a search for one word, newest first, a page
 *	(the console's) is tried from the index's newest hits by seq
 *	(search-newest.c), which gives up for this when it cannot vouch
 *	for the answer.
 *	Measured in bench/README.md ("The trigram index"): 100,000 messages,
 *	"evil" (1,031 hits) 4.1 -> 1.1 ms, "staff7@" (4,000) 4.4 -> 1.6 ms,
 *	"meeting" (98,000) 0.7 -> 0.3 ms per query.
 *
 *	The index only narrows: store_search() still checks every candidate
 *	with instr(lower(), lower()), so a tokenizer quirk can never add a
 *	hit. It can never lose one either: the tokenizer folds case with
 *	Unicode's simple folding, a superset of lower()'s ASCII folding,
 *	on both the text and the word. A word of fewer than three
 *	characters (or not UTF-8) has no trigram: store_search() reads the
 *	rows then, as before.
 */
#include <string.h>

#include "store-private.h"

#define UPTO "(SELECT upto FROM search_index)"
#define NEWEST_SELECT "SELECT coalesce(max(seq), 0) FROM messages"
#define NEWEST "(" NEWEST_SELECT ")"
#define RECIPIENT_ROWID(r) r ".message * 1048576 + " r ".position"

static const char index_tables[] =
	"CREATE VIRTUAL TABLE IF NOT EXISTS messages_fts USING fts5(sender, header_from,"
	" subject, content='messages', content_rowid='seq',"
	" tokenize='trigram case_sensitive 0');"
	"CREATE VIRTUAL TABLE IF NOT EXISTS recipients_fts USING fts5(address, content='',"
	" tokenize='trigram case_sensitive 0');"
	"CREATE TABLE search_index (upto INTEGER NOT NULL);";

/* The triggers of the build that indexed every write, replaced. */
static const char old_triggers[] =
	"DROP TRIGGER IF EXISTS messages_fts_insert;"
	"DROP TRIGGER IF EXISTS messages_fts_delete;"
	"DROP TRIGGER IF EXISTS messages_fts_update;"
	"DROP TRIGGER IF EXISTS recipients_fts_insert;"
	"DROP TRIGGER IF EXISTS recipients_fts_delete;"
	"DROP TRIGGER IF EXISTS recipients_fts_update;";

static const char index_triggers[] =
	/* one trigger, so that the index forgets the row before upto moves */
	"CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN"
	" INSERT INTO messages_fts (messages_fts, rowid, sender, header_from, subject)"
	"  SELECT 'delete', old.seq, old.sender, old.header_from, old.subject"
	"  WHERE old.seq <= " UPTO ";"
	" UPDATE search_index SET upto = min(upto, " NEWEST ") WHERE old.seq > " NEWEST "; END;"
	"CREATE TRIGGER messages_fts_update AFTER UPDATE OF seq, sender, header_from, subject"
	" ON messages WHEN old.seq <= " UPTO " BEGIN"
	" INSERT INTO messages_fts (messages_fts, rowid, sender, header_from, subject)"
	"  VALUES ('delete', old.seq, old.sender, old.header_from, old.subject);"
	" INSERT INTO messages_fts (rowid, sender, header_from, subject)"
	"  VALUES (new.seq, new.sender, new.header_from, new.subject); END;"
	"CREATE TRIGGER recipients_fts_insert AFTER INSERT ON recipients"
	" WHEN new.message <= " UPTO " BEGIN"
	" INSERT INTO recipients_fts (rowid, address)"
	"  VALUES (" RECIPIENT_ROWID("new") ", new.address); END;"
	"CREATE TRIGGER recipients_fts_delete AFTER DELETE ON recipients"
	" WHEN old.message <= " UPTO " BEGIN"
	" INSERT INTO recipients_fts (recipients_fts, rowid, address)"
	"  VALUES ('delete', " RECIPIENT_ROWID("old") ", old.address); END;"
	"CREATE TRIGGER recipients_fts_update AFTER UPDATE OF message, address, position"
	" ON recipients WHEN old.message <= " UPTO " BEGIN"
	" INSERT INTO recipients_fts (recipients_fts, rowid, address)"
	"  VALUES ('delete', " RECIPIENT_ROWID("old") ", old.address);"
	" INSERT INTO recipients_fts (rowid, address)"
	"  SELECT " RECIPIENT_ROWID("new") ", new.address WHERE new.message <= " UPTO "; END;";

gboolean
store_search_index_ensure(sqlite3 *db, GError **error)
{
	gint64 have = db_single_number(db,
				       "SELECT count(*) FROM sqlite_schema WHERE name IN "
				       "('messages_fts', 'recipients_fts', 'search_index')",
				       error);
	if (have < 0)
		return FALSE;
	if (have == 3)
		return TRUE;
	if (have == 1) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED,
			    "quarantine store: half of the search index is missing");
		return FALSE;
	}
	/* 2: the tables, complete (every write was indexed); 0: none yet */
	if (!db_exec(db, old_triggers, error) || !db_exec(db, index_tables, error) ||
	    !db_exec(db, index_triggers, error))
		return FALSE;
	return db_exec(db,
		       have == 2 ? "INSERT INTO search_index " NEWEST_SELECT
				 : "INSERT INTO search_index VALUES (0)",
		       error);
}

struct batch {
	guint rows;     /* at most, per batch */
	gint64 upto;    /* out: after the batch */
	gint64 left;    /* out: > 0 while messages are left above it */
	guint64 added;  /* out: messages indexed, all batches */
};

static gboolean
index_batch(sqlite3 *db, gpointer data, GError **error)
{
	struct batch *b = data;
	gint64 from = db_single_number(db, "SELECT upto FROM search_index", error);
	gint64 last = from < 0 ? -1 : store_newest_seq(db, error);
	if (last < 0)
		return FALSE;
	sqlite3_stmt *st = db_prepare(db,
				      "SELECT coalesce(max(seq), ?1) FROM (SELECT seq FROM messages "
				      "WHERE seq > ?1 ORDER BY seq LIMIT ?2)",
				      error);
	if (!st)
		return FALSE;
	sqlite3_bind_int64(st, 1, from);
	sqlite3_bind_int64(st, 2, b->rows);
	gint64 to = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
	db_done(st);
	if (to < 0)
		return db_error(db, error, "quarantine store: search index");
	static const char *const fill[] = {
		"INSERT INTO messages_fts (rowid, sender, header_from, subject)"
		" SELECT seq, sender, header_from, subject FROM messages"
		" WHERE seq > ?1 AND seq <= ?2",
		"INSERT INTO recipients_fts (rowid, address)"
		" SELECT " RECIPIENT_ROWID("r") ", r.address FROM recipients r"
		" WHERE r.message > ?1 AND r.message <= ?2",
		"UPDATE search_index SET upto = ?2",
	};
	for (guint i = 0; i < G_N_ELEMENTS(fill); i++) {
		if (!(st = db_prepare(db, fill[i], error)))
			return FALSE;
		sqlite3_bind_int64(st, 1, from);
		sqlite3_bind_int64(st, 2, to);
		if (!db_run(db, st, error))
			return FALSE;
		if (i == 0)
			b->added += (guint64)sqlite3_changes64(db);
	}
	b->upto = to;
	b->left = last - to;
	return TRUE;
}

gboolean
store_index_catch_up(struct mg_store *s, guint64 *added, GError **error)
{
	/* a batch per write: the milter's writes wait for one batch at most */
	struct batch b = { .rows = 2000 };
	do {
		if (!store_write(s, FALSE, index_batch, &b, error))
			return FALSE;
	} while (b.left > 0);
	if (added)
		*added = b.added;
	return TRUE;
}

gint64
store_newest_seq(sqlite3 *db, GError **error)
{
	return db_single_number(db, NEWEST_SELECT, error);
}

gint64
store_search_index_upto(sqlite3 *db)
{
	g_autoptr(GError) ignored = NULL;
	return db_single_number(db, "SELECT upto FROM search_index", &ignored);
}

/* How many hits of `match` in `table` above rowid `after`, counting up
 * to `bound` at most; -1 on any error. */
static gint64
bounded_count(sqlite3 *db, const char *table, const char *match, gint64 after, gint64 bound)
{
	g_autofree char *sql = g_strdup_printf("SELECT count(*) FROM (SELECT 1 FROM %s WHERE %s "
					       "MATCH ?1 AND rowid > ?2 LIMIT ?3)",
					       table, table);
	sqlite3_stmt *st = db_prepare(db, sql, NULL);
	if (!st)
		return -1;
	db_bind_text(st, 1, match);
	sqlite3_bind_int64(st, 2, after);
	sqlite3_bind_int64(st, 3, bound);
	gint64 n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
	db_done(st);
	return n;
}

enum search_plan
store_search_index_plan(sqlite3 *db, const char *table, const char *match, guint limit,
			gint64 upto)
{
	if (limit == 0)
		return SEARCH_BY_ROWID; /* every hit is read anyway */
	gint64 window = MAX(2000, 40 * (gint64)limit);
	gint64 newest = store_newest_seq(db, NULL);
	if (newest < 0 || newest - upto >= window)
		return SEARCH_SCAN; /* not indexed yet: as many rows to read either way */
	/* the newest messages of the window that are indexed: one in 40 or
	 * more has the word, and the rows newest first fill the page soonest */
	gint64 first = MAX(upto - (window - (newest - upto)), 0);
	gint64 per_message = strcmp(table, "recipients_fts") == 0 ? 1048576 : 1;
	gint64 near = bounded_count(db, table, match, first * per_message, limit);
	if (near < 0 || near >= limit)
		return SEARCH_SCAN;
	/* rarer: `few` hits looked up cost as much as messages_time's
	 * limit * newest / few entries walked (20 entries per lookup) */
	gint64 few = 1;
	while (few * few * 20 < (gint64)limit * newest)
		few++;
	gint64 hits = bounded_count(db, table, match, -1, few);
	if (hits < 0)
		return SEARCH_SCAN;
	return hits < few ? SEARCH_BY_ROWID : SEARCH_BY_TIME;
}

char *
store_search_index_match(const char *column, const char *word)
{
	if (!word || !g_utf8_validate(word, -1, NULL) || g_utf8_strlen(word, -1) < 3)
		return NULL;
	GString *phrase = g_string_new(NULL);
	g_string_append_printf(phrase, "%s : \"", column);
	for (const char *c = word; *c; c++) {
		if (*c == '"')
			g_string_append_c(phrase, '"');
		g_string_append_c(phrase, *c);
	}
	g_string_append_c(phrase, '"');
	return g_string_free(phrase, FALSE);
}
