/*
 * NAME
 *	store-stats.c - what the web console's dashboard and audit page
 *	read: counts over a time range, and events page by page
 * SUMMARY
 *	store_stats_per_day(), store_stats_verdicts(), store_stats_reasons()
 *	and store_stats_blocked_senders() each run one SELECT over the
 *	stored messages that arrived in [since, until); store_events_page()
 *	reads the events newest first from a number down.
 * DESCRIPTION
 *	Every query starts from the messages_time index (the range), and
 *	reaches attachments by their primary key, so a dashboard of a month
 *	reads that month's rows, never the whole quarantine
 *	(tests/unit/test-store-stats.c checks the plans on a store of
 *	100,000 messages, with and without ANALYZE's statistics).
 *	store_stats_explain() gives SQLite's plan of each, for the tests and
 *	for finding out why a dashboard is slow.
 *
 *	Removal reasons come from three places: each attachment's removed
 *	summary ("2 macro, 1 external-link", counted per action), the error
 *	kind of each attachment blocked and of each message blocked whole,
 *	and the actions at the top of the record's report (what was taken
 *	out of the body: scripts, external images). The report's own
 *	"attachment" actions are left out there: the attachments' rows
 *	already count them. The query groups the summaries (a few distinct
 *	texts however many messages) and C splits them into actions. A record that is not valid JSON for SQLite
 *	adds nothing from its report (never an error of the whole query).
 */
#include <string.h>

#include "store-private.h"

/* Each statistic's SQL: ?1 since, ?2 until, ?3 limit. */
static const char sql_per_day[] =
	"SELECT (time - ?1) / 86400, count(*) FROM messages "
	"WHERE time >= ?1 AND time < ?2 AND state = 'stored' GROUP BY 1";

static const char sql_verdicts[] =
	"SELECT coalesce(verdict, ''), coalesce(action, ''), count(*) FROM messages "
	"WHERE time >= ?1 AND time < ?2 AND state = 'stored' "
	"GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2 LIMIT ?3";

/* Reasons in three kinds of rows, grouped: 'summary' (an attachment's
 * removed summary, split in C), 'blocked' (an error kind), 'removed'
 * (an action of the report's top). */
static const char sql_reasons[] =
	"WITH inrange(seq, verdict, error, record) AS NOT MATERIALIZED (SELECT seq, verdict,"
	" error, record FROM messages WHERE time >= ?1 AND time < ?2 AND state = 'stored')"
	" SELECT 'summary', a.removed, count(*) FROM inrange r"
	"  JOIN attachments a ON a.message = r.seq"
	"  WHERE a.removed IS NOT NULL AND a.verdict IS NOT 'blocked' GROUP BY a.removed"
	" UNION ALL SELECT 'blocked', a.error, count(*) FROM inrange r"
	"  JOIN attachments a ON a.message = r.seq WHERE a.verdict = 'blocked' GROUP BY a.error"
	" UNION ALL SELECT 'blocked', r.error, count(*) FROM inrange r"
	"  WHERE r.verdict = 'blocked' GROUP BY r.error"
	" UNION ALL SELECT 'removed', what, sum(n) FROM (SELECT CASE WHEN j.type = 'object' THEN"
	"   json_extract(j.value, '$.what') END AS what,"
	"   CASE WHEN j.type = 'object' AND json_type(j.value, '$.count') = 'integer' THEN"
	"   max(json_extract(j.value, '$.count'), 1) ELSE 1 END AS n"
	"  FROM inrange r, json_each(CASE WHEN json_valid(r.record) THEN r.record ELSE '{}' END,"
	"   '$.report.actions') j) WHERE what IS NOT 'attachment' GROUP BY what";

static const char sql_blocked_senders[] =
	"SELECT min(sender), count(*) FROM messages m "
	"WHERE time >= ?1 AND time < ?2 AND state = 'stored' AND "
	"(verdict = 'blocked' OR malware IS NOT NULL OR action IN ('withheld', 'rejected') OR "
	"EXISTS (SELECT 1 FROM attachments a WHERE a.message = m.seq AND a.verdict = 'blocked')) "
	"GROUP BY lower(sender) ORDER BY 2 DESC, 1 LIMIT ?3";

static const char sql_events_page[] =
	"SELECT number, time, id, what, by, origin, detail FROM events "
	"WHERE number < ?1 ORDER BY number DESC LIMIT ?2";

static const char *const sql_of[] = {
	[STORE_STATS_PER_DAY] = sql_per_day,
	[STORE_STATS_VERDICTS] = sql_verdicts,
	[STORE_STATS_REASONS] = sql_reasons,
	[STORE_STATS_BLOCKED_SENDERS] = sql_blocked_senders,
	[STORE_STATS_EVENTS_PAGE] = sql_events_page,
};

void
store_count_free(struct store_count *c)
{
	if (!c)
		return;
	g_free(c->name);
	g_free(c->detail);
	g_free(c);
}

/* Prepare `sql` on a reader with ?1..?3 bound, step it through `row`. */
static gboolean
run_stat(struct mg_store *s, const char *sql, gint64 a, gint64 b, gint64 c, db_row_fn row,
	 gpointer out, GError **error)
{
	sqlite3 *db = store_reader(s, error);
	if (!db)
		return FALSE;
	sqlite3_stmt *st = db_prepare(db, sql, error);
	gboolean ok = FALSE;
	if (st) {
		sqlite3_bind_int64(st, 1, a);
		sqlite3_bind_int64(st, 2, b);
		sqlite3_bind_int64(st, 3, c);
		ok = db_each_row(db, st, row, out, error);
	}
	store_reader_done(s, db);
	return ok;
}

static gboolean
range_valid(gint64 since, gint64 until, GError **error)
{
	if (since < 0 || until <= since) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_INVALID,
			    "a statistic needs a time range with until after since");
		return FALSE;
	}
	return TRUE;
}

static void
add_day(sqlite3_stmt *st, gpointer data)
{
	GArray *counts = data;
	gint64 day = sqlite3_column_int64(st, 0);
	if (day >= 0 && day < (gint64)counts->len)
		g_array_index(counts, guint64, day) = (guint64)sqlite3_column_int64(st, 1);
}

GArray *
store_stats_per_day(struct mg_store *s, gint64 since, guint days, GError **error)
{
	if (!days || days > STORE_STATS_MAX_DAYS) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_INVALID,
			    "messages per day: between 1 and %d days", STORE_STATS_MAX_DAYS);
		return NULL;
	}
	gint64 until = since + (gint64)days * 86400;
	if (!range_valid(since, until, error))
		return NULL;
	GArray *counts = g_array_sized_new(FALSE, TRUE, sizeof(guint64), days);
	g_array_set_size(counts, days);
	if (!run_stat(s, sql_per_day, since, until, 0, add_day, counts, error))
		g_clear_pointer(&counts, g_array_unref);
	return counts;
}

static void
add_count(sqlite3_stmt *st, gpointer out)
{
	struct store_count *c = g_new0(struct store_count, 1);
	int n = sqlite3_column_count(st);
	c->name = db_column_text(st, 0);
	if (!c->name)
		c->name = g_strdup("");
	if (n == 3)
		c->detail = db_column_text(st, 1);
	c->count = (guint64)MAX(sqlite3_column_int64(st, n - 1), 0);
	g_ptr_array_add(out, c);
}

static GPtrArray *
counts(struct mg_store *s, const char *sql, gint64 since, gint64 until, guint limit,
       GError **error)
{
	if (!range_valid(since, until, error))
		return NULL;
	GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)store_count_free);
	if (!run_stat(s, sql, since, until, limit ? (gint64)limit : -1, add_count, out, error))
		g_clear_pointer(&out, g_ptr_array_unref);
	return out;
}

GPtrArray *
store_stats_verdicts(struct mg_store *s, gint64 since, gint64 until, GError **error)
{
	return counts(s, sql_verdicts, since, until, 0, error);
}

struct reasons {
	GHashTable *counts; /* "detail\nname" -> struct store_count* */
};

static void
add_reason(struct reasons *r, const char *detail, const char *name, guint64 n)
{
	if (!name || !*name || !n)
		return;
	g_autofree char *key = g_strdup_printf("%s\n%s", detail, name);
	struct store_count *c = g_hash_table_lookup(r->counts, key);
	if (!c) {
		c = g_new0(struct store_count, 1);
		c->name = g_strdup(name);
		c->detail = g_strdup(detail);
		g_hash_table_insert(r->counts, g_steal_pointer(&key), c);
	}
	c->count += n;
}

/* "2 macro, 1 metadata" (record.c's removed_summary()) or "attachment",
 * found on `n` attachments. */
static void
add_summary(struct reasons *r, const char *summary, guint64 n)
{
	g_auto(GStrv) items = g_strsplit(summary, ", ", -1);
	for (char **i = items; *i; i++) {
		char *end = NULL;
		guint64 each = g_ascii_strtoull(*i, &end, 10);
		const char *name = *i;
		if (end && end != *i && *end == ' ' && each > 0 && each <= G_MAXUINT32)
			name = end + 1;
		else
			each = 1;
		add_reason(r, "removed", name, each * n);
	}
}

static void
add_reason_row(sqlite3_stmt *st, gpointer data)
{
	const char *kind = (const char *)sqlite3_column_text(st, 0);
	const char *text = (const char *)sqlite3_column_text(st, 1);
	guint64 n = (guint64)MAX(sqlite3_column_int64(st, 2), 0);
	if (!kind || !text || sqlite3_column_type(st, 1) != SQLITE_TEXT)
		return;
	if (strcmp(kind, "summary") == 0)
		add_summary(data, text, n);
	else
		add_reason(data, kind, text, n);
}

static gint
most_first(gconstpointer a, gconstpointer b)
{
	const struct store_count *x = *(struct store_count *const *)a;
	const struct store_count *y = *(struct store_count *const *)b;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	int c = strcmp(x->name, y->name);
	return c ? c : strcmp(x->detail, y->detail);
}

GPtrArray *
store_stats_reasons(struct mg_store *s, gint64 since, gint64 until, guint limit,
		    GError **error)
{
	if (!range_valid(since, until, error))
		return NULL;
	struct reasons r = { g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
						   (GDestroyNotify)store_count_free) };
	if (!run_stat(s, sql_reasons, since, until, 0, add_reason_row, &r, error)) {
		g_hash_table_unref(r.counts);
		return NULL;
	}
	GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)store_count_free);
	GHashTableIter it;
	gpointer key, value;
	g_hash_table_iter_init(&it, r.counts);
	while (g_hash_table_iter_next(&it, &key, &value)) {
		g_hash_table_iter_steal(&it);
		g_free(key);
		g_ptr_array_add(out, value);
	}
	g_hash_table_unref(r.counts);
	g_ptr_array_sort(out, most_first);
	if (limit && out->len > limit)
		g_ptr_array_set_size(out, limit);
	return out;
}

GPtrArray *
store_stats_blocked_senders(struct mg_store *s, gint64 since, gint64 until, guint limit,
			    GError **error)
{
	return counts(s, sql_blocked_senders, since, until, limit, error);
}

GPtrArray *
store_events_page(struct mg_store *s, gint64 before, guint limit, GError **error)
{
	GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)store_event_free);
	if (!run_stat(s, sql_events_page, before > 0 ? before : G_MAXINT64,
		      limit ? (gint64)limit : -1, 0, db_add_event_row, out, error))
		g_clear_pointer(&out, g_ptr_array_unref);
	return out;
}

static void
add_plan_line(sqlite3_stmt *st, gpointer out)
{
	const unsigned char *detail = sqlite3_column_text(st, 3);
	if (detail)
		g_string_append_printf(out, "%s\n", (const char *)detail);
}

char *
store_stats_explain(struct mg_store *s, enum store_stats which, GError **error)
{
	if ((guint)which >= G_N_ELEMENTS(sql_of)) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_INVALID, "no such statistic");
		return NULL;
	}
	g_autofree char *sql = g_strconcat("EXPLAIN QUERY PLAN ", sql_of[which], NULL);
	GString *plan = g_string_new(NULL);
	if (!run_stat(s, sql, 0, 1, 10, add_plan_line, plan, error)) {
		g_string_free(plan, TRUE);
		return NULL;
	}
	return g_string_free(plan, FALSE);
}
