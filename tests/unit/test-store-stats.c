/*
 * NAME
 *	test-store-stats - the dashboard's counts and the audit log's pages
 * SUMMARY
 *	Messages per day (zeros included, the range's ends, a "receiving"
 *	original not counted), verdicts with actions, removal reasons from
 *	attachments, blocked parts, messages blocked whole and the report's
 *	body actions (a record whose actions are of the wrong types adds
 *	nothing and breaks nothing), senders of blocked content (case folded),
 *	events newest first page by page, and the query plans on a store of
 *	100,000 messages: every query reads its range through an index.
 * DESCRIPTION
 *	The 100,000 messages are made with SQL directly (store_import() of
 *	as many would take a minute); the plans are read before and after
 *	ANALYZE, since statistics can change SQLite's choice.
 */
#include <sqlite3.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "store.h"

/* 2026-11-01T00:00:00Z */
#define NOV1 1793491200

static const char rec_sanitized[] =
	"{\"sender\":\"taro@example.jp\",\"recipients\":[\"soumu@city.lg.jp\"],"
	"\"action\":\"delivered\",\"mode\":\"sanitize\",\"subject\":\"資料\","
	"\"report\":{\"verdict\":\"sanitized\",\"actions\":[{\"what\":\"attachment\","
	"\"where\":\"会議.zip\",\"count\":1},{\"what\":\"html-script\",\"count\":3}],"
	"\"children\":[{\"name\":\"報告.docx\",\"verdict\":\"sanitized\",\"actions\":"
	"[{\"what\":\"macro\",\"count\":2}],\"children\":[{\"name\":\"i.png\",\"verdict\":"
	"\"sanitized\",\"actions\":[{\"what\":\"metadata\",\"count\":1}]}]},"
	"{\"name\":\"会議.zip\",\"verdict\":\"blocked\",\"error\":\"encrypted\"}]}}";

/* Text mode: the attachment named by the report's action only. */
static const char rec_text[] =
	"{\"sender\":\"info@example.com\",\"recipients\":[\"staff@city.lg.jp\"],"
	"\"action\":\"delivered\",\"mode\":\"text\",\"report\":{\"verdict\":\"sanitized\","
	"\"actions\":[{\"what\":\"attachment\",\"where\":\"a.pdf\",\"count\":1},"
	"{\"what\":\"header\",\"count\":1}]}}";

static const char rec_malware[] =
	"{\"sender\":\"Bad@Example.NET\",\"recipients\":[\"staff@city.lg.jp\"],"
	"\"action\":\"delivered\",\"mode\":\"sanitize\",\"malware\":[\"Eicar\"],"
	"\"report\":{\"verdict\":\"sanitized\",\"children\":[{\"name\":\"e.com\","
	"\"verdict\":\"blocked\",\"error\":\"malware\",\"malware\":\"Eicar\"}]}}";

static const char rec_dangerous[] =
	"{\"sender\":\"bad@example.net\",\"recipients\":[\"staff@city.lg.jp\"],"
	"\"action\":\"withheld\",\"mode\":\"sanitize\",\"report\":{\"verdict\":\"blocked\","
	"\"error\":\"dangerous-content\"}}";

/* Actions of every wrong type: only the well-formed one counts. */
static const char rec_odd_actions[] =
	"{\"sender\":\"odd@example.org\",\"recipients\":[\"staff@city.lg.jp\"],"
	"\"action\":\"delivered\",\"mode\":\"sanitize\",\"report\":{\"verdict\":\"clean\","
	"\"actions\":[1,\"x\",null,{\"what\":5},{\"what\":\"\"},{\"what\":\"html-script\","
	"\"count\":\"7\"},{\"what\":\"html-script\",\"count\":-4}]}}";

static void
store_at(struct mg_store *s, gint64 t, unsigned n, const char *record)
{
	g_autoptr(GDateTime) when = g_date_time_new_from_unix_utc(t);
	g_autofree char *stamp = g_date_time_format(when, "%Y%m%dT%H%M%S");
	g_autofree char *id = g_strdup_printf("%s-%012x", stamp, n);
	g_autoptr(GError) error = NULL;
	g_autoptr(store_message) m = store_message_from_record(record, strlen(record), &error);
	g_assert_no_error(error);
	int fd = memfd_create("mail", MFD_CLOEXEC);
	g_assert_cmpint(write(fd, id, strlen(id)), ==, (ssize_t)strlen(id));
	g_assert_true(store_import(s, id, fd, m, &error));
	g_assert_no_error(error);
	close(fd);
}

static char *
new_store_dir(struct mg_store **s)
{
	g_autoptr(GError) error = NULL;
	char *dir = g_dir_make_tmp("test-store-stats-XXXXXX", &error);
	g_assert_no_error(error);
	*s = store_open(dir, STORE_CREATE, &error);
	g_assert_no_error(error);
	return dir;
}

static void
drop_store(struct mg_store *s, const char *dir)
{
	store_close(s);
	g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", dir);
	g_assert_true(g_spawn_command_line_sync(cmd, NULL, NULL, NULL, NULL));
}

/* The count of `name` (with `detail` when not NULL); 0 when not listed. */
static guint64
count_of(GPtrArray *counts, const char *name, const char *detail)
{
	for (guint i = 0; i < counts->len; i++) {
		const struct store_count *c = counts->pdata[i];
		if (strcmp(c->name, name) == 0 && (!detail || g_strcmp0(c->detail, detail) == 0))
			return c->count;
	}
	return 0;
}

static void
assert_most_first(GPtrArray *counts)
{
	for (guint i = 1; i < counts->len; i++)
		g_assert_cmpuint(((struct store_count *)counts->pdata[i - 1])->count, >=,
				 ((struct store_count *)counts->pdata[i])->count);
}

static struct mg_store *
filled_store(char **dir)
{
	struct mg_store *s;
	*dir = new_store_dir(&s);
	store_at(s, NOV1 + 10, 1, rec_sanitized);
	store_at(s, NOV1 + 86399, 2, rec_text);
	store_at(s, NOV1 + 2 * 86400, 3, rec_malware);
	store_at(s, NOV1 + 2 * 86400 + 5, 4, rec_dangerous);
	store_at(s, NOV1 + 2 * 86400 + 6, 5, rec_odd_actions);
	store_at(s, NOV1 - 1, 6, rec_dangerous);     /* before the range */
	store_at(s, NOV1 + 4 * 86400, 7, rec_malware); /* its end: not in it */
	return s;
}

static void
test_per_day(void)
{
	g_autofree char *dir = NULL;
	struct mg_store *s = filled_store(&dir);
	g_autoptr(GError) error = NULL;
	/* an original without its record yet, inside the range of today */
	int fd = memfd_create("mail", MFD_CLOEXEC);
	g_assert_cmpint(write(fd, "x", 1), ==, 1);
	g_autofree char *receiving = store_put_original(s, fd, NULL, &error);
	g_assert_no_error(error);
	close(fd);
	g_autoptr(GArray) days = store_stats_per_day(s, NOV1, 4, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(days->len, ==, 4);
	guint64 want[] = { 2, 0, 3, 0 };
	for (guint i = 0; i < 4; i++)
		g_assert_cmpuint(g_array_index(days, guint64, i), ==, want[i]);
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;
	g_autoptr(GArray) today = store_stats_per_day(s, now - 3600, 1, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(g_array_index(today, guint64, 0), ==, 0);
	g_assert_null(store_stats_per_day(s, NOV1, 0, &error));
	g_assert_error(error, STORE_ERROR, STORE_ERROR_INVALID);
	g_clear_error(&error);
	g_assert_null(store_stats_per_day(s, NOV1, STORE_STATS_MAX_DAYS + 1, &error));
	g_assert_error(error, STORE_ERROR, STORE_ERROR_INVALID);
	drop_store(s, dir);
}

static void
test_verdicts_reasons_senders(void)
{
	g_autofree char *dir = NULL;
	struct mg_store *s = filled_store(&dir);
	g_autoptr(GError) error = NULL;
	gint64 until = NOV1 + 4 * 86400;

	g_autoptr(GPtrArray) v = store_stats_verdicts(s, NOV1, until, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(count_of(v, "sanitized", "delivered"), ==, 3);
	g_assert_cmpuint(count_of(v, "blocked", "withheld"), ==, 1);
	g_assert_cmpuint(count_of(v, "clean", "delivered"), ==, 1);
	g_assert_cmpuint(v->len, ==, 3);
	assert_most_first(v);

	g_autoptr(GPtrArray) r = store_stats_reasons(s, NOV1, until, 0, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(count_of(r, "macro", "removed"), ==, 2);
	g_assert_cmpuint(count_of(r, "metadata", "removed"), ==, 1);
	g_assert_cmpuint(count_of(r, "encrypted", "blocked"), ==, 1);
	g_assert_cmpuint(count_of(r, "malware", "blocked"), ==, 1);
	g_assert_cmpuint(count_of(r, "dangerous-content", "blocked"), ==, 1);
	/* the text-mode attachment once (its row), not again from the report */
	g_assert_cmpuint(count_of(r, "attachment", "removed"), ==, 1);
	g_assert_cmpuint(count_of(r, "header", "removed"), ==, 1);
	/* 3 in the body of one, 1 + 1 (a count of the wrong type, a negative
	 * one: at least one) in the odd record */
	g_assert_cmpuint(count_of(r, "html-script", "removed"), ==, 5);
	g_assert_cmpuint(count_of(r, "", NULL), ==, 0);
	assert_most_first(r);
	g_autoptr(GPtrArray) top2 = store_stats_reasons(s, NOV1, until, 2, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(top2->len, ==, 2);
	g_assert_cmpstr(((struct store_count *)top2->pdata[0])->name, ==, "html-script");

	g_autoptr(GPtrArray) senders = store_stats_blocked_senders(s, NOV1, until, 10, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(senders->len, ==, 2);
	g_assert_cmpuint(((struct store_count *)senders->pdata[0])->count, ==, 2);
	g_autofree char *top = g_ascii_strdown(((struct store_count *)senders->pdata[0])->name, -1);
	g_assert_cmpstr(top, ==, "bad@example.net");
	g_assert_cmpuint(count_of(senders, "taro@example.jp", NULL), ==, 1);
	g_assert_cmpuint(count_of(senders, "info@example.com", NULL), ==, 0);

	g_assert_null(store_stats_verdicts(s, until, NOV1, &error));
	g_assert_error(error, STORE_ERROR, STORE_ERROR_INVALID);
	drop_store(s, dir);
}

static void
test_events_page(void)
{
	struct mg_store *s;
	g_autofree char *dir = new_store_dir(&s);
	g_autoptr(GError) error = NULL;
	for (int i = 0; i < 5; i++) {
		g_autofree char *what = g_strdup_printf("view-%d", i);
		g_assert_true(store_event_add(s, NULL, what, "admin", "web 192.0.2.1", NULL, &error));
	}
	g_autoptr(GPtrArray) first = store_events_page(s, 0, 2, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(first->len, ==, 2);
	g_assert_cmpstr(((struct store_event *)first->pdata[0])->what, ==, "view-4");
	g_assert_cmpstr(((struct store_event *)first->pdata[1])->what, ==, "view-3");
	gint64 next = ((struct store_event *)first->pdata[1])->number;
	g_autoptr(GPtrArray) rest = store_events_page(s, next, 0, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(rest->len, ==, 3);
	g_assert_cmpstr(((struct store_event *)rest->pdata[0])->what, ==, "view-2");
	g_assert_cmpstr(((struct store_event *)rest->pdata[2])->origin, ==, "web 192.0.2.1");
	drop_store(s, dir);
}

/* ---- the plans on 100,000 messages ---- */

static void
fill_raw(const char *dir, int n)
{
	g_autofree char *path = g_build_filename(dir, "quarantine.sqlite", NULL);
	sqlite3 *db = NULL;
	g_assert_cmpint(sqlite3_open(path, &db), ==, SQLITE_OK);
	g_autofree char *sql = g_strdup_printf(
		"BEGIN;"
		"WITH RECURSIVE x(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM x WHERE i < %d)"
		" INSERT INTO messages (id, time, state, size, sha256, sender, action, verdict,"
		" record) SELECT printf('20261101T000000-%%012x', i), %d + i * 26, 'stored', 1,"
		" 'x', printf('s%%d@example.jp', i %% 500), 'delivered', CASE WHEN i %% 7 = 0"
		" THEN 'blocked' ELSE 'sanitized' END, '{\"report\":{\"actions\":[{\"what\":"
		"\"html-script\",\"count\":1}]}}' FROM x;"
		"INSERT INTO attachments (message, position, name, size, encrypted, verdict, error,"
		" removed) SELECT seq, 0, 'a.docx', 1, 0, CASE WHEN seq %% 5 = 0 THEN 'blocked'"
		" ELSE 'sanitized' END, CASE WHEN seq %% 5 = 0 THEN 'encrypted' END, '1 macro'"
		" FROM messages;"
		"INSERT INTO events (time, what) SELECT time, 'view' FROM messages;"
		"COMMIT;",
		n, NOV1);
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		g_error("fill: %s", msg);
	sqlite3_close(db);
}

static void
raw_sql(const char *dir, const char *sql)
{
	g_autofree char *path = g_build_filename(dir, "quarantine.sqlite", NULL);
	sqlite3 *db = NULL;
	g_assert_cmpint(sqlite3_open(path, &db), ==, SQLITE_OK);
	g_assert_cmpint(sqlite3_exec(db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
	sqlite3_close(db);
}

/* Every step reads a table through an index or its key: no line scans
 * messages, attachments or events whole. */
static void
assert_indexed(struct mg_store *s, enum store_stats which, const char *index)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *plan = store_stats_explain(s, which, &error);
	g_assert_no_error(error);
	g_test_message("plan %d:\n%s", which, plan);
	g_assert_nonnull(strstr(plan, index));
	g_auto(GStrv) lines = g_strsplit(plan, "\n", -1);
	for (char **l = lines; *l; l++) {
		static const char *const whole[] = { "SCAN messages", "SCAN m",	     "SCAN a",
						     "SCAN attachments", "SCAN events" };
		for (guint i = 0; i < G_N_ELEMENTS(whole); i++) {
			gsize n = strlen(whole[i]);
			if (strncmp(*l, whole[i], n) == 0 && ((*l)[n] == 0 || (*l)[n] == ' '))
				g_error("plan %d scans a whole table: %s\n%s", which, *l, plan);
		}
	}
}

static void
assert_all_indexed(struct mg_store *s)
{
	assert_indexed(s, STORE_STATS_PER_DAY, "USING INDEX messages_time (time>? AND time<?)");
	assert_indexed(s, STORE_STATS_VERDICTS, "USING INDEX messages_time (time>? AND time<?)");
	assert_indexed(s, STORE_STATS_REASONS, "USING INDEX messages_time (time>? AND time<?)");
	assert_indexed(s, STORE_STATS_REASONS, "USING PRIMARY KEY (message=?)");
	assert_indexed(s, STORE_STATS_BLOCKED_SENDERS,
		       "USING INDEX messages_time (time>? AND time<?)");
	assert_indexed(s, STORE_STATS_EVENTS_PAGE, "USING INTEGER PRIMARY KEY (rowid<?)");
}

static void
test_plans(void)
{
	struct mg_store *s;
	g_autofree char *dir = new_store_dir(&s);
	fill_raw(dir, 100000);
	assert_all_indexed(s);
	gint64 t0 = g_get_monotonic_time();
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) r = store_stats_reasons(s, NOV1, NOV1 + 31 * 86400, 10, &error);
	g_assert_no_error(error);
	g_test_message("reasons over 31 days of 100,000 messages: %.0f ms",
		       (double)(g_get_monotonic_time() - t0) / 1000);
	g_assert_cmpuint(count_of(r, "encrypted", "blocked"), ==, 20000);
	g_assert_cmpuint(count_of(r, "macro", "removed"), ==, 80000);
	g_assert_cmpuint(count_of(r, "html-script", "removed"), ==, 100000);
	store_close(s);
	raw_sql(dir, "ANALYZE");
	s = store_open(dir, 0, &error);
	g_assert_no_error(error);
	assert_all_indexed(s);
	drop_store(s, dir);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/store-stats/per-day", test_per_day);
	g_test_add_func("/store-stats/verdicts-reasons-senders", test_verdicts_reasons_senders);
	g_test_add_func("/store-stats/events-page", test_events_page);
	g_test_add_func("/store-stats/plans", test_plans);
	return g_test_run();
}
