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
 *
 *	Triggers on messages and recipients keep both in step, so every
 *	writer (any process, and an earlier build of mugaika on the same
 *	database) keeps them right. A store without them (made by an
 *	earlier build) gets them at its next open, filled from its rows in
 *	the transaction that opens it, logged since that open waits for it:
 *	3 to 5 s per 100,000 messages on the bench box (bench/README.md),
 *	once. Other processes' writes wait meanwhile (the busy timeout of
 *	10 s): done in batches instead, a search between two batches would
 *	miss messages, and a half-filled index could not be told from a
 *	full one at the next open.
 * DESCRIPTION
 *	The index is used for a word found in fewer than 40 times as many
 *	messages as the page needs (at least 2,000): found by a bounded
 *	count first. A more common word is found as quickly reading the
 *	newest rows (one in 40 or more matches), while 98,000 hits of the
 *	index would each be read and sorted by time (bench/README.md:
 *	290 ms for "meeting" in 100,000 messages).
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

static const char index_tables[] =
	"CREATE VIRTUAL TABLE messages_fts USING fts5(sender, header_from, subject,"
	" content='messages', content_rowid='seq', tokenize='trigram case_sensitive 0');"
	"CREATE VIRTUAL TABLE recipients_fts USING fts5(address, content='',"
	" tokenize='trigram case_sensitive 0');"
	"CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN"
	" INSERT INTO messages_fts (rowid, sender, header_from, subject)"
	"  VALUES (new.seq, new.sender, new.header_from, new.subject); END;"
	"CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN"
	" INSERT INTO messages_fts (messages_fts, rowid, sender, header_from, subject)"
	"  VALUES ('delete', old.seq, old.sender, old.header_from, old.subject); END;"
	"CREATE TRIGGER messages_fts_update AFTER UPDATE OF seq, sender, header_from, subject"
	" ON messages BEGIN"
	" INSERT INTO messages_fts (messages_fts, rowid, sender, header_from, subject)"
	"  VALUES ('delete', old.seq, old.sender, old.header_from, old.subject);"
	" INSERT INTO messages_fts (rowid, sender, header_from, subject)"
	"  VALUES (new.seq, new.sender, new.header_from, new.subject); END;"
	"CREATE TRIGGER recipients_fts_insert AFTER INSERT ON recipients BEGIN"
	" INSERT INTO recipients_fts (rowid, address)"
	"  VALUES (new.message * 1048576 + new.position, new.address); END;"
	"CREATE TRIGGER recipients_fts_delete AFTER DELETE ON recipients BEGIN"
	" INSERT INTO recipients_fts (recipients_fts, rowid, address)"
	"  VALUES ('delete', old.message * 1048576 + old.position, old.address); END;"
	"CREATE TRIGGER recipients_fts_update AFTER UPDATE OF message, address, position"
	" ON recipients BEGIN"
	" INSERT INTO recipients_fts (recipients_fts, rowid, address)"
	"  VALUES ('delete', old.message * 1048576 + old.position, old.address);"
	" INSERT INTO recipients_fts (rowid, address)"
	"  VALUES (new.message * 1048576 + new.position, new.address); END;";

static const char index_fill[] =
	"INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');"
	"INSERT INTO recipients_fts (rowid, address)"
	" SELECT message * 1048576 + position, address FROM recipients;";

gboolean
store_search_index_ensure(sqlite3 *db, GError **error)
{
	gint64 have = db_single_number(db,
				       "SELECT count(*) FROM sqlite_schema WHERE name IN "
				       "('messages_fts', 'recipients_fts')",
				       error);
	if (have < 0)
		return FALSE;
	if (have == 2)
		return TRUE;
	if (have != 0) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED,
			    "quarantine store: half of the search index is missing");
		return FALSE;
	}
	gint64 rows = db_single_number(db, "SELECT count(*) FROM messages", error);
	if (rows < 0)
		return FALSE;
	gint64 started = g_get_monotonic_time();
	if (!db_exec(db, index_tables, error) || !db_exec(db, index_fill, error))
		return FALSE;
	if (rows > 0)
		g_message("quarantine store: search index built for %" G_GINT64_FORMAT
			  " messages in %" G_GINT64_FORMAT " ms",
			  rows, (g_get_monotonic_time() - started) / 1000);
	return TRUE;
}

gboolean
store_search_index_narrows(sqlite3 *db, const char *table, const char *match, guint limit)
{
	if (limit == 0)
		return TRUE; /* every hit is read anyway */
	gint64 enough = MAX(2000, 40 * (gint64)limit);
	g_autofree char *sql = g_strdup_printf("SELECT count(*) FROM (SELECT 1 FROM %s WHERE %s "
					       "MATCH ?1 LIMIT ?2)",
					       table, table);
	sqlite3_stmt *st = db_prepare(db, sql, NULL);
	if (!st)
		return FALSE;
	db_bind_text(st, 1, match);
	sqlite3_bind_int64(st, 2, enough);
	gboolean rare = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int64(st, 0) < enough;
	sqlite3_finalize(st);
	return rare;
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
