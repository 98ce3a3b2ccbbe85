/*
 * NAME
 *	search-newest.c - a page of newest hits, read from the index by seq
 * SUMMARY
 *	store_search_newest() answers a search for one word, newest first
 *	and limited to L (the console's search page), from the index's hits
 *	taken newest seq first, lazily: FTS5 gives its rowids in descending
 *	order without reading the rest, so L hits cost about L lookups
 *	whatever the word's frequency (a word in 1 message of 25 read about
 *	1,300 rows newest first, 1.6 ms; this, 0.5 ms on the bench store).
 * DESCRIPTION
 *	Candidates: the messages not indexed yet (seq > upto), then the
 *	index's hits, each seq once, newest first. Each is checked with the
 *	whole query (instr() the judge, every other condition) by seq. When
 *	the candidates run out, every hit was seen: the answer is exact.
 *	When L were found, seq order is time order only as far as no
 *	message older by seq is newer by time than the oldest found: one
 *	read of messages_time above that time says so. Anything else (too
 *	many candidates failing the other conditions, too many messages to
 *	check, an import that put old times after new ones) gives up, and
 *	store_search() runs the query: never a different answer, at worst
 *	the time of the attempt.
 */
#include <string.h>

#include "store-private.h"

/* Candidates checked at most per page entry (plus a fixed allowance),
 * and messages_time entries read at most to vouch for the order. */
#define CANDIDATES_PER_RESULT 4
#define CANDIDATES_EXTRA 256
#define ORDER_CHECK_MAX 8192

struct one_word {
	const char *table;
	const char *column;
	const char *word;
	gint64 per_message; /* rowid / per_message = seq */
};

/* The one word of `in`, when it has exactly one and nothing else asks
 * for a text match; FALSE otherwise. */
static gboolean
one_word(const struct store_query *in, struct one_word *w)
{
	const struct one_word all[] = {
		{ "messages_fts", "sender", in->sender, 1 },
		{ "messages_fts", "header_from", in->from, 1 },
		{ "messages_fts", "subject", in->subject, 1 },
		{ "recipients_fts", "address", in->recipient, 1048576 },
	};
	guint n = 0;
	for (guint i = 0; i < G_N_ELEMENTS(all); i++)
		if (all[i].word) {
			*w = all[i];
			n++;
		}
	return n == 1;
}

/* Nothing older by seq than `seq` arrived after `time` (the oldest
 * found): then no hit left unread can come before those found. */
static gboolean
order_holds(sqlite3 *db, gint64 time, gint64 seq, gint64 newest)
{
	if (newest - seq > ORDER_CHECK_MAX)
		return FALSE; /* more to read than the attempt may cost */
	sqlite3_stmt *st = db_prepare(db,
				      "SELECT count(*), coalesce(sum(seq < ?2), 0) FROM (SELECT seq "
				      "FROM messages WHERE time > ?1 LIMIT ?3)",
				      NULL);
	if (!st)
		return FALSE;
	sqlite3_bind_int64(st, 1, time);
	sqlite3_bind_int64(st, 2, seq);
	sqlite3_bind_int64(st, 3, ORDER_CHECK_MAX + 1);
	gboolean holds = sqlite3_step(st) == SQLITE_ROW &&
			 sqlite3_column_int64(st, 0) <= ORDER_CHECK_MAX &&
			 sqlite3_column_int64(st, 1) == 0;
	db_done(st);
	return holds;
}

static gint
newer_first(gconstpointer a, gconstpointer b)
{
	const struct store_message *x = *(struct store_message *const *)a;
	const struct store_message *y = *(struct store_message *const *)b;
	return x->time < y->time ? 1 : x->time > y->time ? -1 : 0;
}

struct walk {
	sqlite3 *db;
	sqlite3_stmt *check; /* the query for one seq (?1) */
	GPtrArray *found;
	guint limit;
	guint budget;        /* candidates left to check */
	gint64 last;         /* the previous candidate's seq */
	gint64 oldest_seq, oldest_time;
	gboolean failed;     /* an SQLite error */
};

/* Check candidate `seq`; FALSE when the walk should stop. */
static gboolean
check(struct walk *w, gint64 seq)
{
	if (seq == w->last)
		return TRUE; /* another recipient of the same message */
	w->last = seq;
	if (w->budget-- == 0)
		return FALSE;
	sqlite3_bind_int64(w->check, 1, seq);
	int rc = sqlite3_step(w->check);
	if (rc == SQLITE_ROW) {
		struct store_message *m = store_message_from_row(w->check);
		g_ptr_array_add(w->found, m);
		w->oldest_seq = seq;
		w->oldest_time = MIN(w->oldest_time, m->time);
	} else if (rc != SQLITE_DONE) {
		w->failed = TRUE;
	}
	sqlite3_reset(w->check);
	return !w->failed && w->found->len < w->limit;
}

/* Walk the candidates of `sql` (its ?1 bound to `bind`); FALSE once the
 * walk should stop (page full, budget spent or an error). */
static gboolean
walk_candidates(struct walk *w, const char *sql, const char *text, gint64 number)
{
	sqlite3_stmt *st = db_prepare(w->db, sql, NULL);
	if (!st) {
		w->failed = TRUE;
		return FALSE;
	}
	if (text)
		db_bind_text(st, 1, text);
	else
		sqlite3_bind_int64(st, 1, number);
	gboolean more = TRUE;
	int rc;
	while (more && (rc = sqlite3_step(st)) == SQLITE_ROW)
		more = check(w, sqlite3_column_int64(st, 0));
	if (more && rc != SQLITE_DONE)
		w->failed = TRUE;
	db_done(st);
	return more && !w->failed;
}

/* store_search_newest() inside its read transaction. */
static int
walk_newest(sqlite3 *db, const struct store_query *in, const struct one_word *word,
	    const char *match, GPtrArray **out, GError **error)
{
	gint64 upto = store_search_index_upto(db);
	gint64 newest = store_newest_seq(db, NULL);
	if (upto < 0 || newest < 0)
		return 0;
	sqlite3_stmt *one = store_search_prepare(db, in, "", TRUE, error);
	if (!one)
		return -1;
	struct walk w = { db, one, g_ptr_array_new_with_free_func((GDestroyNotify)store_message_free),
			  in->limit, CANDIDATES_PER_RESULT * in->limit + CANDIDATES_EXTRA, -1, 0,
			  G_MAXINT64, FALSE };
	g_autofree char *hits = g_strdup_printf("SELECT rowid / %" G_GINT64_FORMAT " FROM %s WHERE %s "
						"MATCH ?1 ORDER BY rowid DESC",
						word->per_message, word->table, word->table);
	gboolean ran_out =
		walk_candidates(&w, "SELECT seq FROM messages WHERE seq > ?1 ORDER BY seq DESC",
				NULL, upto) &&
		walk_candidates(&w, hits, match, 0);
	db_done(one);
	int answer = 0;
	if (w.failed) {
		db_error(db, error, "quarantine store");
		answer = -1;
	} else if (ran_out || (w.found->len == in->limit &&
			     order_holds(db, w.oldest_time, w.oldest_seq, newest)))
		answer = 1;
	if (answer == 1) {
		g_ptr_array_sort(w.found, newer_first); /* stable: seq order among equal times */
		*out = g_steal_pointer(&w.found);
	}
	if (w.found)
		g_ptr_array_unref(w.found);
	return answer;
}

int
store_search_newest(sqlite3 *db, const struct store_query *in, GPtrArray **out, GError **error)
{
	struct one_word word;
	if (!in->newest_first || !in->limit || !one_word(in, &word))
		return 0;
	g_autofree char *match = store_search_index_match(word.column, word.word);
	if (!match)
		return 0;
	/* one snapshot for every read below: `upto` cannot move between the
	 * messages above it and the index's hits (no message read twice) */
	if (!db_exec(db, "BEGIN", error))
		return -1;
	int answer = walk_newest(db, in, &word, match, out, error);
	g_autoptr(GError) ignored = NULL;
	db_exec(db, "COMMIT", &ignored);
	return answer;
}
