/*
 * NAME
 *	store-layout - originals as files or as SQLite blobs, measured
 * SUMMARY
 *	store-layout --layout files|blobs --writer conn|mutex|group
 *		[--threads N] [--messages M] DIR MAIL...
 *	N threads (SMTP sessions of the milter) store M messages in all,
 *	cycling through the MAIL files: per message the original, then a
 *	record of about the size the milter writes (its audit record), the
 *	way store/ must: the original and its index row durable before the
 *	call returns (fsync; synchronous=FULL). Prints messages/s, the mean
 *	and the 99th percentile of the time per message in the store, and the
 *	bytes on disk under DIR (du, per 10,000 messages).
 * DESCRIPTION
 *	This is the measurement behind store/'s choice (bench/README.md), so
 *	it keeps the index the same in both layouts and varies only:
 *
 *	files	DIR/YYYYMMDD/ID.eml written under a temporary name, fsync'ed,
 *		renamed; the day directory fsync'ed with the record, whose
 *		row goes to DIR/index.sqlite (WAL, synchronous=FULL).
 *	blobs	the original as a row of a table in the same database: one
 *		transaction without fsync (synchronous=NORMAL in WAL), the
 *		record's transaction with it (the WAL is append-only, so that
 *		fsync makes the earlier one durable too).
 *
 *	and how the milter's threads share the database:
 *
 *	conn	a connection per thread; SQLite's lock and busy handler
 *		serialize the writers.
 *	mutex	one connection, one transaction at a time under a mutex.
 *	group	one writer thread: it takes every request queued while the
 *		previous transaction committed, runs them in one transaction
 *		(a savepoint each) and commits once (group commit).
 */
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *layout = "blobs", *writer = "group";
static int n_threads = 16, n_messages = 10000;
static const char *dir;
static GPtrArray *mails; /* GBytes */
static GBytes *record_text;

static const char schema[] =
	"PRAGMA journal_mode=WAL;"
	"CREATE TABLE IF NOT EXISTS messages (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,"
	" time INTEGER NOT NULL, state TEXT NOT NULL, size INTEGER NOT NULL, sender TEXT,"
	" subject TEXT, verdict TEXT, record TEXT);"
	"CREATE INDEX IF NOT EXISTS messages_time ON messages(time);"
	"CREATE TABLE IF NOT EXISTS recipients (message INTEGER NOT NULL, address TEXT NOT NULL,"
	" mode TEXT, PRIMARY KEY (message, address)) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS originals (message INTEGER PRIMARY KEY, data BLOB NOT NULL);";

static void
check(int rc, sqlite3 *db, const char *what)
{
	if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
		g_error("%s: %s", what, sqlite3_errmsg(db));
}

static sqlite3 *
open_db(void)
{
	g_autofree char *path = g_build_filename(dir, "index.sqlite", NULL);
	sqlite3 *db = NULL;
	check(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
						 SQLITE_OPEN_NOMUTEX, NULL),
	      db, "open");
	sqlite3_busy_timeout(db, 60000);
	check(sqlite3_exec(db, "PRAGMA synchronous=FULL", NULL, NULL, NULL), db, "pragma");
	return db;
}

static void
exec(sqlite3 *db, const char *sql)
{
	check(sqlite3_exec(db, sql, NULL, NULL, NULL), db, sql);
}

/* ---- the two steps of one message, on a connection -------------------- */

struct request {
	gboolean is_record; /* else the original */
	const char *id;
	GBytes *data;
	gboolean done, ok;
	struct request *next;
};

static void
sql_original(sqlite3 *db, struct request *r)
{
	sqlite3_stmt *st;
	check(sqlite3_prepare_v2(db, "INSERT INTO messages (id, time, state, size) "
				     "VALUES (?1, strftime('%s','now'), 'receiving', ?2)",
				 -1, &st, NULL),
	      db, "prepare");
	sqlite3_bind_text(st, 1, r->id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)g_bytes_get_size(r->data));
	check(sqlite3_step(st), db, "insert message");
	sqlite3_finalize(st);
	if (strcmp(layout, "blobs") != 0)
		return;
	check(sqlite3_prepare_v2(db, "INSERT INTO originals (message, data) VALUES (?1, ?2)", -1,
				 &st, NULL),
	      db, "prepare");
	sqlite3_bind_int64(st, 1, sqlite3_last_insert_rowid(db));
	gsize len;
	const void *p = g_bytes_get_data(r->data, &len);
	sqlite3_bind_blob64(st, 2, p, len, SQLITE_STATIC);
	check(sqlite3_step(st), db, "insert original");
	sqlite3_finalize(st);
}

static void
sql_record(sqlite3 *db, struct request *r)
{
	sqlite3_stmt *st;
	check(sqlite3_prepare_v2(db, "UPDATE messages SET state = 'stored', sender = "
				     "'sender@example.jp', subject = 'subject', verdict = "
				     "'sanitized', record = ?2 WHERE id = ?1 RETURNING seq",
				 -1, &st, NULL),
	      db, "prepare");
	sqlite3_bind_text(st, 1, r->id, -1, SQLITE_STATIC);
	gsize len;
	const char *p = g_bytes_get_data(record_text, &len);
	sqlite3_bind_text(st, 2, p, (int)len, SQLITE_STATIC);
	check(sqlite3_step(st), db, "update message");
	sqlite3_int64 seq = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	check(sqlite3_prepare_v2(db, "INSERT INTO recipients VALUES (?1, 'staff@city.lg.jp', "
				     "'sanitize')",
				 -1, &st, NULL),
	      db, "prepare");
	sqlite3_bind_int64(st, 1, seq);
	check(sqlite3_step(st), db, "insert recipient");
	sqlite3_finalize(st);
}

static void
run_sql(sqlite3 *db, struct request *r)
{
	if (r->is_record)
		sql_record(db, r);
	else
		sql_original(db, r);
}

/* One request in a transaction of its own (conn, mutex). */
static void
transaction(sqlite3 *db, struct request *r)
{
	exec(db, r->is_record ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
	exec(db, "BEGIN IMMEDIATE");
	run_sql(db, r);
	exec(db, "COMMIT");
}

/* ---- group commit ------------------------------------------------------ */

static GMutex queue_lock;
static GCond queue_cond, done_cond;
static struct request *queue_head, **queue_tail = &queue_head;
static gboolean stopping;

static gpointer
group_writer(gpointer unused)
{
	sqlite3 *db = open_db();
	g_mutex_lock(&queue_lock);
	for (;;) {
		while (!queue_head && !stopping)
			g_cond_wait(&queue_cond, &queue_lock);
		if (!queue_head)
			break;
		struct request *batch = queue_head;
		queue_head = NULL;
		queue_tail = &queue_head;
		g_mutex_unlock(&queue_lock);
		gboolean durable = FALSE;
		for (struct request *r = batch; r; r = r->next)
			durable |= r->is_record;
		exec(db, durable ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
		exec(db, "BEGIN IMMEDIATE");
		for (struct request *r = batch; r; r = r->next) {
			exec(db, "SAVEPOINT one");
			run_sql(db, r);
			exec(db, "RELEASE one");
		}
		exec(db, "COMMIT");
		g_mutex_lock(&queue_lock);
		for (struct request *r = batch; r; r = r->next)
			r->done = r->ok = TRUE;
		g_cond_broadcast(&done_cond);
	}
	g_mutex_unlock(&queue_lock);
	sqlite3_close(db);
	return NULL;
}

static void
group_submit(struct request *r)
{
	g_mutex_lock(&queue_lock);
	r->next = NULL;
	*queue_tail = r;
	queue_tail = &r->next;
	g_cond_signal(&queue_cond);
	while (!r->done)
		g_cond_wait(&done_cond, &queue_lock);
	g_mutex_unlock(&queue_lock);
}

/* ---- files ------------------------------------------------------------- */

static void
sync_path(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) != 0)
		g_error("sync %s: %s", path, g_strerror(errno));
	close(fd);
}

static void
write_original_file(const char *id, GBytes *data)
{
	g_autofree char *day = g_strndup(id, 8);
	g_autofree char *sub = g_build_filename(dir, day, NULL);
	g_autofree char *name = g_strconcat(id, ".eml", NULL);
	g_autofree char *path = g_build_filename(sub, name, NULL);
	g_autofree char *tmp = g_strconcat(path, ".tmp", NULL);
	g_mkdir_with_parents(sub, 0700);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	gsize len;
	const char *p = g_bytes_get_data(data, &len);
	if (fd < 0 || write(fd, p, len) != (ssize_t)len || fsync(fd) != 0)
		g_error("write %s: %s", tmp, g_strerror(errno));
	close(fd);
	if (rename(tmp, path) != 0)
		g_error("rename %s", tmp);
}

/* ---- the sessions ------------------------------------------------------- */

static gint next_message;
static GMutex lock;
static sqlite3 *shared_db;
static GArray *latencies; /* double, seconds per message */

static void
submit(sqlite3 *own, struct request *r)
{
	if (strcmp(writer, "group") == 0) {
		group_submit(r);
	} else if (strcmp(writer, "mutex") == 0) {
		g_mutex_lock(&lock);
		transaction(shared_db, r);
		g_mutex_unlock(&lock);
	} else {
		transaction(own, r);
	}
}

static gpointer
session(gpointer unused)
{
	sqlite3 *own = strcmp(writer, "conn") == 0 ? open_db() : NULL;
	GArray *mine = g_array_new(FALSE, FALSE, sizeof(double));
	for (int n; (n = g_atomic_int_add(&next_message, 1)) < n_messages;) {
		g_autofree char *id = g_strdup_printf("20261201T000000-%012x", (unsigned)n);
		GBytes *mail = mails->pdata[(guint)n % mails->len];
		gint64 t0 = g_get_monotonic_time();
		struct request orig = { .id = id, .data = mail };
		if (strcmp(layout, "files") == 0)
			write_original_file(id, mail);
		submit(own, &orig);
		struct request rec = { .is_record = TRUE, .id = id };
		if (strcmp(layout, "files") == 0) {
			g_autofree char *day = g_strndup(id, 8);
			g_autofree char *sub = g_build_filename(dir, day, NULL);
			sync_path(sub);
		}
		submit(own, &rec);
		double s = (double)(g_get_monotonic_time() - t0) / G_USEC_PER_SEC;
		g_array_append_val(mine, s);
	}
	g_mutex_lock(&lock);
	g_array_append_vals(latencies, mine->data, mine->len);
	g_mutex_unlock(&lock);
	g_array_unref(mine);
	if (own)
		sqlite3_close(own);
	return NULL;
}

static gint
compare_doubles(gconstpointer a, gconstpointer b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Busy jiffies of the whole machine (user, nice, system, irq, softirq):
 * the kernel's share (the file system journal) is not the process's. */
static guint64
busy_jiffies(void)
{
	g_autofree char *stat = NULL;
	if (!g_file_get_contents("/proc/stat", &stat, NULL, NULL))
		return 0;
	guint64 v[7] = { 0 };
	if (sscanf(stat, "cpu %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT
			 " %*u %*u %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT,
		   &v[0], &v[1], &v[2], &v[3], &v[4]) != 5)
		return 0;
	return v[0] + v[1] + v[2] + v[3] + v[4];
}

static guint64
disk_usage(const char *path)
{
	g_autofree char *cmd = g_strdup_printf("du -sk '%s'", path);
	g_autofree char *out = NULL;
	if (!g_spawn_command_line_sync(cmd, &out, NULL, NULL, NULL))
		return 0;
	return g_ascii_strtoull(out, NULL, 10) * 1024;
}

int
main(int argc, char **argv)
{
	const GOptionEntry options[] = {
		{ "layout", 'l', 0, G_OPTION_ARG_STRING, &layout, "files or blobs", "L" },
		{ "writer", 'w', 0, G_OPTION_ARG_STRING, &writer, "conn, mutex or group", "W" },
		{ "threads", 't', 0, G_OPTION_ARG_INT, &n_threads, "sessions", "N" },
		{ "messages", 'm', 0, G_OPTION_ARG_INT, &n_messages, "messages in all", "M" },
		{ NULL }
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("DIR MAIL...");
	g_option_context_add_main_entries(ctx, options, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, NULL) || argc < 3)
		return 2;
	dir = argv[1];
	g_mkdir_with_parents(dir, 0700);
	mails = g_ptr_array_new();
	guint64 mail_bytes = 0;
	for (int i = 2; i < argc; i++) {
		char *text;
		gsize len;
		if (!g_file_get_contents(argv[i], &text, &len, NULL))
			return 1;
		g_ptr_array_add(mails, g_bytes_new_take(text, len));
	}
	for (int n = 0; n < n_messages; n++)
		mail_bytes += g_bytes_get_size(mails->pdata[(guint)n % mails->len]);
	/* a record about as large as the milter's audit record of a small mail */
	GString *rec = g_string_new("{\"time\":\"2026-12-01T00:00:00Z\",\"report\":{");
	while (rec->len < 1800)
		g_string_append(rec, "\"verdict\":\"sanitized\",\"actions\":[],");
	g_string_append(rec, "\"end\":1}}");
	record_text = g_bytes_new_take(rec->str, rec->len);
	g_string_free(rec, FALSE);

	sqlite3 *setup = open_db();
	exec(setup, schema);
	shared_db = strcmp(writer, "mutex") == 0 ? setup : NULL;
	latencies = g_array_new(FALSE, FALSE, sizeof(double));
	GThread *w = strcmp(writer, "group") == 0 ? g_thread_new("writer", group_writer, NULL)
						  : NULL;
	gint64 t0 = g_get_monotonic_time();
	guint64 busy0 = busy_jiffies();
	GPtrArray *threads = g_ptr_array_new();
	for (int i = 0; i < n_threads; i++)
		g_ptr_array_add(threads, g_thread_new("session", session, NULL));
	for (guint i = 0; i < threads->len; i++)
		g_thread_join(threads->pdata[i]);
	double secs = (double)(g_get_monotonic_time() - t0) / G_USEC_PER_SEC;
	double cpu_ms = (double)(busy_jiffies() - busy0) * 1000 / (double)sysconf(_SC_CLK_TCK) /
			n_messages;
	if (w) {
		g_mutex_lock(&queue_lock);
		stopping = TRUE;
		g_cond_signal(&queue_cond);
		g_mutex_unlock(&queue_lock);
		g_thread_join(w);
	}
	check(sqlite3_wal_checkpoint_v2(setup, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL),
	      setup, "checkpoint");
	sqlite3_close(setup);
	g_array_sort(latencies, compare_doubles);
	double sum = 0;
	for (guint i = 0; i < latencies->len; i++)
		sum += g_array_index(latencies, double, i);
	double p99 = g_array_index(latencies, double, latencies->len * 99 / 100);
	guint64 du = disk_usage(dir);
	printf("%-6s %-6s threads %3d: %7.0f msg/s  mean %6.2f ms  p99 %7.2f ms  "
	       "CPU %5.2f ms/msg (machine)  disk %6.1f MB per 10,000 (mail %5.1f MB)\n",
	       layout, writer, n_threads, n_messages / secs, 1000 * sum / latencies->len,
	       1000 * p99, cpu_ms, (double)du * 10000 / n_messages / 1e6,
	       (double)mail_bytes * 10000 / n_messages / 1e6);
	return 0;
}
