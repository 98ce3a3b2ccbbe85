/*
 * NAME
 *	test-store-search - substring search through the trigram index
 * SUMMARY
 *	On a varied store (ASCII case, Japanese, fullwidth, emoji, umlauts,
 *	%, _, ", * and FTS5's own query syntax in the texts and the words)
 *	store_search() finds exactly what the plain scan finds (the
 *	instr(lower(), lower()) query of the build before the index, run
 *	here with sqlite3 directly) for every word in every field, alone and
 *	combined with a date range and a verdict; words shorter than three
 *	characters too (they have no trigram: the scan). The index is what
 *	store_search() reads (a message taken out of it is no longer found
 *	by a long word, still by a short one) and EXPLAIN QUERY PLAN names
 *	it; a word in thousands of messages is found reading the newest rows
 *	instead, a rarer one by lookups or messages_time as counted (the plan
 *	asserted per frequency); a store made before the index gets it, filled, at its next
 *	open; rows written by SQL directly (an earlier build), by the
 *	milter's two steps (original, then record) and purged
 *	messages keep it right (FTS5's integrity-check).
 */
#include <sqlite3.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "store.h"
#include "test-memfd.h"
#include "test-store-util.h"

struct sample {
	const char *sender, *from, *subject, *verdict;
	const char *recipients[3];
};

static const struct sample samples[] = {
	{ "Taro.Yamada@Example.JP", "山田 太郎 <Taro@Example.JP>", "会議資料 Meeting NOTES",
	  "sanitized", { "soumu@city.lg.jp", "kikaku@city.lg.jp" } },
	{ "info@example.com", "Info <info@example.com>", "ＡＢＣ全角 Ｍｅｅｔｉｎｇ", "clean",
	  { "staff@city.lg.jp" } },
	{ "bad@evil.example.net", "\"Evil\" <bad@evil.example.net>",
	  "50% off_now! \"quoted\" *star*", "blocked", { "staff@city.lg.jp" } },
	{ "", NULL, "NEAR(a b) OR c AND d NOT e: col:x ^start -minus +plus {sender} : y",
	  "sanitized", { "x@y.jp" } },
	{ "emoji@example.org", "😀 smile", "週報 😀😃😄 ok", "clean", { "経理@city.lg.jp" } },
	{ "mixed@Example.ORG", "Ärger Öl", "mIxEd 会議ABC ａｂｃ", "sanitized",
	  { "Soumu@City.LG.JP", "b\"q@example.jp" } },
	{ "a\"b@example.jp", "\"\"\"", "\"\" 100%_done \\ back", "blocked", { "z@z.jp" } },
};

static const char *const words[] = {
	"example", "EXAMPLE", "Example.JP", "taro", "会議", "会議資料", "資料 M", "ＡＢＣ",
	"ａｂｃ", "abc", "ABC", "Ｍｅｅｔ", "ＭＥＥＴ", "meeting", "%", "50%", "0%_", "off_",
	"_", "\"", "\"\"", "\"quoted\"", "\"Evil\"", "*star*", "*", "NEAR(a", "OR c", "AND",
	"col:x", "^start", "-minus", "{sender}", "{sender} : y", "😀", "😀😃", "😀😃😄",
	"ärger", "Ärger", "ÄRGER", "äRGER", "経理", "経理@c", "city.lg.jp", "LG.JP", "\\",
	"\\ b", "b\"q", "nothing-has-this", "x", "週報 😀", "" };

/* 2026-11-01T00:00:00Z */
#define NOV1 1793491200

static char *
json_text(const char *s)
{
	if (!s)
		return g_strdup("null");
	GString *j = g_string_new("\"");
	for (const char *c = s; *c; c++) {
		if (*c == '"' || *c == '\\')
			g_string_append_c(j, '\\');
		g_string_append_c(j, *c);
	}
	g_string_append_c(j, '"');
	return g_string_free(j, FALSE);
}

static char *
record_of(const struct sample *x)
{
	g_autoptr(GString) rcpts = g_string_new(NULL);
	for (guint i = 0; i < G_N_ELEMENTS(x->recipients) && x->recipients[i]; i++) {
		g_autofree char *r = json_text(x->recipients[i]);
		g_string_append_printf(rcpts, "%s%s", i ? "," : "", r);
	}
	g_autofree char *sender = json_text(x->sender);
	g_autofree char *from = json_text(x->from);
	g_autofree char *subject = json_text(x->subject);
	return g_strdup_printf("{\"sender\":%s,\"recipients\":[%s],\"action\":\"delivered\","
			       "\"mode\":\"sanitize\",\"subject\":%s,\"report\":{\"verdict\":"
			       "\"%s\",\"from\":%s}}",
			       sender, rcpts->str, subject, x->verdict, from);
}

/* Every sample, `copies` times over (a day apart per copy, ids never
 * used before), imported. */
static guint next_copy; /* of the test's store: 0 in a new one */

static void
fill(struct mg_store *s, guint copies)
{
	guint next = next_copy;
	for (guint c = next; c < next + copies; c++)
		for (guint i = 0; i < G_N_ELEMENTS(samples); i++) {
			g_autoptr(GError) error = NULL;
			g_autofree char *record = record_of(&samples[i]);
			g_autoptr(store_message) m = store_message_from_record(record, strlen(record),
									   &error);
			g_assert_no_error(error);
			g_autoptr(GDateTime) t = g_date_time_new_from_unix_utc(
				NOV1 + (gint64)c * 86400 + (gint64)i * 3600);
			g_autofree char *stamp = g_date_time_format(t, "%Y%m%dT%H%M%S");
			g_autofree char *id = g_strdup_printf("%s-%012x", stamp, c * 100 + i);
			int fd = test_memfd("mail", -1);
			gboolean ok = store_import(s, id, fd, m, &error);
			g_assert_no_error(error);
			g_assert_true(ok);
			close(fd);
		}
	next_copy += copies;
}

static gboolean
collect(const struct store_message *m, gpointer data)
{
	g_string_append_printf(data, "%s ", m->id);
	return TRUE;
}

/* The ids store_search() finds, in its order. */
static char *
found(struct mg_store *s, const struct store_query *q)
{
	GString *ids = g_string_new(NULL);
	g_autoptr(GError) error = NULL;
	g_assert_true(store_search(s, q, collect, ids, &error));
	g_assert_no_error(error);
	return g_string_free(ids, FALSE);
}

/* The ids the scan finds: the query of the build before the index. */
static char *
scanned(const char *dir, const struct store_query *q)
{
	GString *sql = g_string_new("SELECT m.id FROM messages m WHERE m.state = 'stored'");
	const char *cols[] = { "m.sender", "m.header_from", "m.subject" };
	const char *vals[] = { q->sender, q->from, q->subject };
	for (guint i = 0; i < G_N_ELEMENTS(cols); i++)
		if (vals[i])
			g_string_append_printf(sql, " AND instr(lower(%s), lower(?%u)) > 0", cols[i],
					       i + 1);
	if (q->recipient)
		g_string_append(sql, " AND EXISTS (SELECT 1 FROM recipients r WHERE r.message = "
				     "m.seq AND instr(lower(r.address), lower(?4)) > 0)");
	if (q->since)
		g_string_append(sql, " AND m.time >= ?5");
	if (q->verdict)
		g_string_append(sql, " AND m.verdict = ?6");
	g_string_append(sql, q->newest_first ? " ORDER BY m.time DESC, m.seq DESC"
					     : " ORDER BY m.time, m.seq");
	if (q->limit)
		g_string_append_printf(sql, " LIMIT %u", q->limit);
	sqlite3 *db = raw(dir);
	sqlite3_stmt *st = NULL;
	g_assert_cmpint(sqlite3_prepare_v2(db, sql->str, -1, &st, NULL), ==, SQLITE_OK);
	for (guint i = 0; i < G_N_ELEMENTS(vals); i++)
		sqlite3_bind_text(st, (int)i + 1, vals[i], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, q->recipient, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, q->since);
	sqlite3_bind_text(st, 6, q->verdict, -1, SQLITE_STATIC);
	GString *ids = g_string_new(NULL);
	while (sqlite3_step(st) == SQLITE_ROW)
		g_string_append_printf(ids, "%s ", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
	g_string_free(sql, TRUE);
	return g_string_free(ids, FALSE);
}

static void
assert_same(struct mg_store *s, const char *dir, const struct store_query *q)
{
	g_autofree char *want = scanned(dir, q);
	g_autofree char *got = found(s, q);
	if (strcmp(want, got) != 0)
		g_error("sender=%s from=%s subject=%s recipient=%s: index [%s], scan [%s]",
			q->sender, q->from, q->subject, q->recipient, got, want);
}

/* Every word in every field, alone and with a date range and verdict;
 * returns how many searches found something. */
static guint
assert_all_words(struct mg_store *s, const char *dir)
{
	guint hits = 0;
	for (guint w = 0; w < G_N_ELEMENTS(words); w++) {
		const char *x = words[w];
		struct store_query qs[] = {
			{ .sender = x },
			{ .from = x },
			{ .subject = x },
			{ .recipient = x },
			{ .subject = x, .since = NOV1 + 86400, .verdict = "sanitized" },
			{ .sender = "example", .recipient = x, .newest_first = TRUE, .limit = 3 },
			{ .from = x, .subject = x, .since = NOV1 + 3600 },
			/* one word, newest first, a page: search-newest.c */
			{ .subject = x, .newest_first = TRUE, .limit = 2 },
			{ .recipient = x, .newest_first = TRUE, .limit = 2 },
			{ .sender = x, .verdict = "sanitized", .newest_first = TRUE, .limit = 1 },
			{ .from = x, .since = NOV1 + 86400, .newest_first = TRUE, .limit = 4 },
		};
		for (guint i = 0; i < G_N_ELEMENTS(qs); i++) {
			assert_same(s, dir, &qs[i]);
			g_autofree char *got = found(s, &qs[i]);
			hits += *got != '\0';
		}
	}
	return hits;
}

static guint
hits(struct mg_store *s, const struct store_query *q)
{
	g_autofree char *got = found(s, q);
	guint n = 0;
	for (const char *c = got; *c; c++)
		n += *c == ' ';
	return n;
}

/* Column `column` of every row of `sql`, a line each. */
static char *
raw_rows(const char *dir, const char *sql, int column)
{
	sqlite3 *db = raw(dir);
	sqlite3_stmt *st = NULL;
	g_assert_cmpint(sqlite3_prepare_v2(db, sql, -1, &st, NULL), ==, SQLITE_OK);
	GString *rows = g_string_new(NULL);
	while (sqlite3_step(st) == SQLITE_ROW)
		g_string_append_printf(rows, "%s\n", sqlite3_column_text(st, column));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return g_string_free(rows, FALSE);
}

/* The index is sound; once it caught up (`upto` the newest message), it
 * also holds exactly the rows of messages (rank 1: against its content). */
static void
assert_index_intact(const char *dir)
{
	raw_exec(dir, "INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check');"
		      "INSERT INTO recipients_fts (recipients_fts) VALUES ('integrity-check');");
	g_autofree char *behind = raw_rows(dir,
					   "SELECT (SELECT coalesce(max(seq), 0) FROM messages) > "
					   "(SELECT upto FROM search_index)",
					   0);
	if (strcmp(behind, "0\n") == 0)
		raw_exec(dir, "INSERT INTO messages_fts (messages_fts, rank) VALUES "
			      "('integrity-check', 1);");
}

/* The index catches up; returns how many messages it added. */
static guint64
catch_up(struct mg_store *s)
{
	g_autoptr(GError) error = NULL;
	guint64 added = 0;
	g_assert_true(store_index_catch_up(s, &added, &error));
	g_assert_no_error(error);
	return added;
}

/* 3,000 messages by SQL (not indexed yet), message i of subject
 * "Common Word i" and the text of `more` (SQL of i), each a second newer. */
static void
add_common(const char *dir, const char *more)
{
	g_autofree char *sql = g_strconcat(
		"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)"
		" INSERT INTO messages (id, time, state, size, sha256, sender, subject)"
		" SELECT printf('20261201T000000-%012x', i), 1796083200 + i, 'stored', 1, 'x',"
		" 'bulk@example.jp', printf('Common Word %d', i) || ",
		more, " FROM n;", NULL);
	raw_exec(dir, sql);
}

/* Indexed, not yet indexed and half and half: the same ids as the scan. */
static void
test_same_as_scan(void)
{
	g_autofree char *dir = temp_dir();
	next_copy = 0;
	g_autoptr(mg_store) s = open_store(dir);
	fill(s, 2);
	g_assert_cmpuint(assert_all_words(s, dir), >=, 60); /* none indexed yet */
	g_assert_cmpuint(catch_up(s), ==, 2 * G_N_ELEMENTS(samples));
	g_assert_cmpuint(catch_up(s), ==, 0);
	fill(s, 3);
	g_assert_cmpuint(assert_all_words(s, dir), >=, 90); /* not a test of nothing */
	g_assert_cmpuint(catch_up(s), ==, 3 * G_N_ELEMENTS(samples));
	g_assert_cmpuint(assert_all_words(s, dir), >=, 90);
	/* what case folding means: ASCII only, the rest as is */
	g_assert_cmpuint(hits(s, &(struct store_query){ .subject = "ＡＢＣ" }), ==, 5);
	g_assert_cmpuint(hits(s, &(struct store_query){ .subject = "ａｂｃ" }), ==, 5);
	g_assert_cmpuint(hits(s, &(struct store_query){ .subject = "ＭＥＥＴ" }), ==, 0);
	g_assert_cmpuint(hits(s, &(struct store_query){ .from = "äRGER" }), ==, 0);
	g_assert_cmpuint(hits(s, &(struct store_query){ .from = "ÄRGER" }), ==, 5);
	g_assert_cmpuint(hits(s, &(struct store_query){ .subject = "\"quoted\"" }), ==, 5);
	g_assert_cmpuint(hits(s, &(struct store_query){ .subject = "OR c" }), ==, 5);
	g_assert_cmpuint(hits(s, &(struct store_query){ .recipient = "b\"q" }), ==, 5);
	assert_index_intact(dir);
	remove_tree(dir);
}

/* A message taken out of the index (behind the store's back) is no
 * longer found by a word of three characters or more: store_search()
 * reads the index. A shorter word still finds it: the scan. */
static void
test_index_is_read(void)
{
	g_autofree char *dir = temp_dir();
	next_copy = 0;
	g_autoptr(mg_store) s = open_store(dir);
	fill(s, 1);
	catch_up(s);
	g_assert_cmpuint(hits(s, &(struct store_query){ .subject = "週報" }), ==, 1);
	g_assert_cmpuint(hits(s, &(struct store_query){ .subject = "週報 😀" }), ==, 1);
	g_assert_cmpuint(hits(s, &(struct store_query){ .recipient = "経理@c" }), ==, 1);
	raw_exec(dir, "INSERT INTO messages_fts (messages_fts, rowid, sender, header_from, subject)"
		      " SELECT 'delete', seq, sender, header_from, subject FROM messages"
		      " WHERE subject LIKE '週報%';"
		      "INSERT INTO recipients_fts (recipients_fts, rowid, address)"
		      " SELECT 'delete', message * 1048576 + position, address FROM recipients"
		      " WHERE address LIKE '経理%';");
	g_assert_cmpuint(hits(s, &(struct store_query){ .subject = "週報 😀" }), ==, 0);
	g_assert_cmpuint(hits(s, &(struct store_query){ .recipient = "経理@c" }), ==, 0);
	g_assert_cmpuint(hits(s, &(struct store_query){ .subject = "週報" }), ==, 1);
	g_assert_cmpuint(hits(s, &(struct store_query){ .recipient = "経理" }), ==, 1);

	g_autofree char *plan = raw_rows(
		dir,
		"EXPLAIN QUERY PLAN SELECT m.id FROM messages m WHERE m.state = 'stored' AND "
		"m.seq IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH "
		"'subject : \"abc\"' UNION ALL SELECT seq FROM messages WHERE seq > 9) AND "
		"instr(lower(m.subject), lower('abc')) > 0 AND m.seq IN (SELECT rowid / 1048576 "
		"FROM recipients_fts WHERE recipients_fts MATCH 'address : \"city\"' UNION ALL "
		"SELECT seq FROM messages WHERE seq > 9) ORDER BY m.time DESC, m.seq DESC LIMIT 50",
		3);
	g_test_message("%s", plan);
	g_assert_nonnull(strstr(plan, "SCAN messages_fts VIRTUAL TABLE INDEX"));
	g_assert_nonnull(strstr(plan, "SCAN recipients_fts VIRTUAL TABLE INDEX"));
	g_assert_nonnull(strstr(plan, "USING INTEGER PRIMARY KEY (rowid=?)"));
	remove_tree(dir);
}

/* A store of the build before the index (tables and triggers dropped)
 * gets it, empty, at its next open: found by the rows, then by the
 * index once it caught up; rows written then by SQL directly, as that
 * build would, are found (above `upto`) and, once indexed, kept right
 * by the triggers. */
static void
test_upgrade(void)
{
	g_autofree char *dir = temp_dir();
	next_copy = 0;
	{
		g_autoptr(mg_store) s = open_store(dir);
		fill(s, 2);
		catch_up(s);
	}
	raw_exec(dir, "DROP TABLE messages_fts; DROP TABLE recipients_fts; DROP TABLE search_index;");
	g_autoptr(mg_store) s = open_store(dir);
	g_autofree char *upto = raw_rows(dir, "SELECT upto FROM search_index", 0);
	g_assert_cmpstr(upto, ==, "0\n");
	assert_all_words(s, dir);
	g_assert_cmpuint(catch_up(s), ==, 2 * G_N_ELEMENTS(samples));
	assert_index_intact(dir);
	assert_all_words(s, dir);
	g_assert_cmpuint(hits(s, &(struct store_query){ .subject = "週報 😀" }), ==, 2);
	raw_exec(dir, "INSERT INTO messages (id, time, state, size, sha256, sender, subject)"
		      " VALUES ('20261201T000000-0000000000ff', 1796083200, 'stored', 1, 'x',"
		      " 'older@Build.example', '古いビルド');"
		      "INSERT INTO recipients (message, address, position, mode)"
		      " SELECT seq, 'Old@City.lg.jp', 0, 'text' FROM messages"
		      " WHERE id = '20261201T000000-0000000000ff';"
		      "UPDATE messages SET subject = 'renamed 件名' WHERE id ="
		      " '20261101T000000-000000000000';"
		      "INSERT INTO recipients (message, address, position, mode)"
		      " SELECT seq, 'Late@City.lg.jp', 9, 'text' FROM messages"
		      " WHERE id = '20261101T000000-000000000000';");
	assert_index_intact(dir);
	for (int pass = 0; pass < 2; pass++) {
		g_assert_cmpuint(hits(s, &(struct store_query){ .sender = "BUILD.EX" }), ==, 1);
		g_assert_cmpuint(hits(s, &(struct store_query){ .subject = "古いビルド" }), ==, 1);
		g_assert_cmpuint(hits(s, &(struct store_query){ .recipient = "old@city" }), ==, 1);
		g_assert_cmpuint(hits(s, &(struct store_query){ .recipient = "late@city" }), ==, 1);
		g_assert_cmpuint(hits(s, &(struct store_query){ .subject = "renamed 件" }), ==, 1);
		assert_all_words(s, dir);
		g_assert_cmpuint(catch_up(s), ==, pass == 0 ? 1 : 0);
		assert_index_intact(dir);
	}
	remove_tree(dir);
}

/* A store of the build that indexed every write (its triggers, no
 * search_index) is complete: at its next open nothing is left to index
 * and the triggers are the new ones. */
static void
test_upgrade_from_triggers(void)
{
	g_autofree char *dir = temp_dir();
	next_copy = 0;
	{
		g_autoptr(mg_store) s = open_store(dir);
		fill(s, 2);
		catch_up(s);
	}
	raw_exec(dir, "DROP TABLE search_index;"
		      "CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN"
		      " INSERT INTO messages_fts (rowid, sender, header_from, subject)"
		      "  VALUES (new.seq, new.sender, new.header_from, new.subject); END;");
	g_autoptr(mg_store) s = open_store(dir);
	g_assert_cmpuint(catch_up(s), ==, 0);
	g_autofree char *triggers = raw_rows(dir,
					     "SELECT name FROM sqlite_schema WHERE type = 'trigger'"
					     " ORDER BY name",
					     0);
	g_assert_cmpstr(triggers, ==,
			"messages_fts_delete\nmessages_fts_update\nrecipients_fts_delete\n"
			"recipients_fts_insert\nrecipients_fts_update\n");
	assert_all_words(s, dir);
	g_assert_cmpuint(hits(s, &(struct store_query){ .subject = "週報 😀" }), ==, 2);
	remove_tree(dir);
}

/* seq is not AUTOINCREMENT: after the newest messages are deleted (the
 * newest last or first, indexed or not), a new message takes a seq the
 * index once held, and is still found, then indexed. */
static void
test_seq_reused(void)
{
	g_autofree char *dir = temp_dir();
	next_copy = 0;
	g_autoptr(mg_store) s = open_store(dir);
	fill(s, 1);
	catch_up(s);
#define DELETE_WHERE(w)                                                                \
	"CREATE TEMP TABLE IF NOT EXISTS doomed (seq INTEGER); DELETE FROM doomed;"     \
	"INSERT INTO doomed SELECT seq FROM messages WHERE " w ";"                      \
	"DELETE FROM originals WHERE message IN doomed;"                                \
	"DELETE FROM recipients WHERE message IN doomed;"                               \
	"DELETE FROM attachments WHERE message IN doomed;"                              \
	"DELETE FROM messages WHERE seq IN doomed;"
	static const char *const deletes[] = {
		DELETE_WHERE("seq = (SELECT max(seq) FROM messages)"),
		/* the one before the newest first, then the newest */
		DELETE_WHERE("seq = (SELECT max(seq) - 1 FROM messages)")
		DELETE_WHERE("seq = (SELECT max(seq) FROM messages)"),
	};
	for (guint i = 0; i < G_N_ELEMENTS(deletes); i++) {
		raw_exec(dir, deletes[i]);
		assert_index_intact(dir);
		fill(s, 1);
		assert_all_words(s, dir);
		g_assert_cmpuint(catch_up(s), >, 0);
		assert_index_intact(dir);
		assert_all_words(s, dir);
	}
	/* indexed and not indexed, deleted together: upto comes down to 3 */
	fill(s, 1);
	raw_exec(dir, DELETE_WHERE("seq > 3"));
	g_autofree char *upto = raw_rows(dir, "SELECT upto FROM search_index", 0);
	g_assert_cmpstr(upto, ==, "3\n");
	assert_index_intact(dir);
	fill(s, 1);
	assert_all_words(s, dir);
	g_assert_cmpuint(catch_up(s), ==, G_N_ELEMENTS(samples));
	assert_index_intact(dir);
	assert_all_words(s, dir);
	remove_tree(dir);
}

/* Arrival times out of seq order (an import of old messages after new
 * ones, a clock set back): a page of the newest hits by seq is not the
 * newest by time, and must not be taken for it. */
static void
test_times_out_of_order(void)
{
	g_autofree char *dir = temp_dir();
	next_copy = 0;
	g_autoptr(mg_store) s = open_store(dir);
	fill(s, 3);
	catch_up(s);
	fill(s, 1); /* and some not indexed */
	raw_exec(dir, "UPDATE messages SET time = time + 40 * 86400 WHERE seq % 4 = 1;"
		      "UPDATE messages SET time = time - 40 * 86400 WHERE seq % 5 = 0;");
	g_assert_cmpuint(assert_all_words(s, dir), >=, 100);
	catch_up(s);
	g_assert_cmpuint(assert_all_words(s, dir), >=, 100);
	/* all at one time: the order is seq's */
	raw_exec(dir, "UPDATE messages SET time = 1796083200");
	g_assert_cmpuint(assert_all_words(s, dir), >=, 100);
	remove_tree(dir);
}

/* A word in thousands of messages is found reading the newest rows, not
 * its thousands of hits (a message taken out of the index is still
 * found); with no limit, or rare, through the index. Both as the scan. */
static void
test_common_word(void)
{
	g_autofree char *dir = temp_dir();
	next_copy = 0;
	g_autoptr(mg_store) s = open_store(dir);
	fill(s, 1);
	add_common(dir, "''");
	/* not indexed yet: the rows, newest first */
	assert_same(s, dir, &(struct store_query){ .subject = "ommon", .sender = "BULK",
						    .newest_first = TRUE, .limit = 60 });
	g_assert_cmpuint(catch_up(s), ==, 3000 + G_N_ELEMENTS(samples));
	assert_same(s, dir, &(struct store_query){ .subject = "ommon", .sender = "BULK",
						    .newest_first = TRUE, .limit = 60 });
	assert_same(s, dir, &(struct store_query){ .subject = "ommon", .sender = "BULK",
						    .newest_first = TRUE, .limit = 200 });
	raw_exec(dir, "INSERT INTO messages_fts (messages_fts, rowid, sender, header_from, subject)"
		      " SELECT 'delete', seq, sender, header_from, subject FROM messages"
		      " WHERE subject = 'Common Word 3000';");
	struct store_query newest = { .subject = "common word", .newest_first = TRUE, .limit = 51 };
	g_assert_cmpuint(hits(s, &newest), ==, 51);
	g_autofree char *first = found(s, &(struct store_query){ .subject = "common word 3000",
								 .newest_first = TRUE,
								 .limit = 51 });
	g_assert_cmpstr(first, ==, ""); /* rare: the index, which lost it */
	/* one word, newest first: the index's newest hits (search-newest.c),
	 * which lost it; with a second word, common: the rows, which have it */
	g_autofree char *got = found(s, &newest);
	g_assert_true(g_str_has_prefix(got, "20261201T000000-000000000bb7 "));
	g_autofree char *rows = found(s, &(struct store_query){ .subject = "common word",
								.sender = "bulk",
								.newest_first = TRUE,
								.limit = 51 });
	g_assert_true(g_str_has_prefix(rows, "20261201T000000-000000000bb8 "));
	g_assert_cmpuint(hits(s, &(struct store_query){ .subject = "common word" }), ==, 2999);
	remove_tree(dir);
}

/* The plan store_search() builds for `word` in the subject, newest
 * first, `limit` a page, checked against the plain scan too. */
static char *
plan_for(struct mg_store *s, const char *dir, const char *word, const char *recipient)
{
	struct store_query q = { .subject = word, .recipient = recipient, .newest_first = TRUE,
				 .limit = 10 };
	assert_same(s, dir, &q);
	g_autoptr(GError) error = NULL;
	char *plan = store_search_explain(s, &q, &error);
	g_assert_no_error(error);
	g_test_message("%s: %s", word, plan);
	return plan;
}

/* Each word the cheapest way (search-index.c): one in the newest 2,000
 * messages' page or more, the rows newest first; a few hits (fewer than
 * sqrt(limit * messages / 20)), each looked up; between, messages_time
 * newest first, keeping the index's hits. */
static void
test_plan_by_frequency(void)
{
	g_autofree char *dir = temp_dir();
	next_copy = 0;
	g_autoptr(mg_store) s = open_store(dir);
	fill(s, 1);
	add_common(dir, "CASE WHEN i <= 1000 AND i % 10 = 0 THEN ' middling' ELSE '' END ||"
			" CASE WHEN i % 600 = 0 THEN ' seldom' ELSE '' END");
	catch_up(s);
	g_autofree char *common = plan_for(s, dir, "ommon wor", NULL);
	g_assert_null(strstr(common, "messages_fts"));
	g_assert_nonnull(strstr(common, "SCAN m USING INDEX messages_time"));
	g_autofree char *middle = plan_for(s, dir, "middling", NULL); /* 100, all old */
	g_assert_nonnull(strstr(middle, "messages_fts"));
	g_assert_nonnull(strstr(middle, "SCAN m USING INDEX messages_time"));
	g_autofree char *rare = plan_for(s, dir, "seldom", NULL); /* 5 */
	g_assert_nonnull(strstr(rare, "messages_fts"));
	g_assert_nonnull(strstr(rare, "SEARCH m USING INTEGER PRIMARY KEY (rowid=?)"));
	g_assert_null(strstr(rare, "messages_time"));
	/* a recipient as rare, with a common subject: the recipient's hits */
	g_autofree char *both = plan_for(s, dir, "ommon wor", "経理@c");
	g_assert_nonnull(strstr(both, "recipients_fts"));
	g_assert_nonnull(strstr(both, "SEARCH m USING INTEGER PRIMARY KEY (rowid=?)"));
	remove_tree(dir);
}

/* Purged messages leave the index: nothing found, nothing left. */
static void
test_purge(void)
{
	g_autofree char *dir = temp_dir();
	next_copy = 0;
	g_autoptr(mg_store) s = open_store(dir);
	g_autoptr(GError) error = NULL;
	fill(s, 2);
	catch_up(s);
	fill(s, 1); /* and some not indexed */
	struct store_purged p;
	g_assert_true(store_purge(s, -1, 1, &p, &error)); /* by size: every message */
	g_assert_no_error(error);
	g_assert_cmpuint(p.messages, ==, 3 * G_N_ELEMENTS(samples));
	assert_index_intact(dir);
	g_autofree char *upto = raw_rows(dir, "SELECT upto FROM search_index", 0);
	g_assert_cmpstr(upto, ==, "0\n");
	g_assert_cmpuint(hits(s, &(struct store_query){ .recipient = "city.lg" }), ==, 0);
	g_autofree char *left = raw_rows(
		dir,
		"SELECT (SELECT count(*) FROM recipients_fts WHERE recipients_fts MATCH "
		"'\"jp\" OR \"city\"') + (SELECT count(*) FROM messages_fts WHERE messages_fts "
		"MATCH '\"exa\" OR \"会議資\" OR \"😀😃😄\"')",
		0);
	g_assert_cmpstr(left, ==, "0\n");
	fill(s, 1);
	assert_all_words(s, dir);

	/* the milter's path: the original first (no sender, no subject), then
	 * its record (an UPDATE of the row) */
	int fd = test_memfd("mail", -1);
	g_autofree char *id = store_put_original(s, fd, NULL, &error);
	g_assert_no_error(error);
	close(fd);
	g_assert_cmpuint(catch_up(s), ==, G_N_ELEMENTS(samples) + 1); /* this one before its record */
	g_autofree char *record = record_of(&samples[4]);
	g_autoptr(store_message) m = store_message_from_record(record, strlen(record), &error);
	g_assert_true(store_put_record(s, id, m, &error));
	g_assert_no_error(error);
	for (int pass = 0; pass < 2; pass++) { /* the update trigger, then caught up */
		assert_index_intact(dir);
		g_assert_cmpuint(hits(s, &(struct store_query){ .subject = "週報 😀" }), ==, 2);
		g_assert_cmpuint(hits(s, &(struct store_query){ .recipient = "経理@c" }), ==, 2);
		assert_all_words(s, dir);
		catch_up(s);
	}
	remove_tree(dir);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/store-search/same-as-scan", test_same_as_scan);
	g_test_add_func("/store-search/index-is-read", test_index_is_read);
	g_test_add_func("/store-search/upgrade", test_upgrade);
	g_test_add_func("/store-search/upgrade-from-triggers", test_upgrade_from_triggers);
	g_test_add_func("/store-search/seq-reused", test_seq_reused);
	g_test_add_func("/store-search/times-out-of-order", test_times_out_of_order);
	g_test_add_func("/store-search/common-word", test_common_word);
	g_test_add_func("/store-search/purge", test_purge);
	g_test_add_func("/store-search/plan-by-frequency", test_plan_by_frequency);
	return g_test_run();
}
