/*
 * NAME
 *	store.c - opening and closing the quarantine store; ids and time
 * SUMMARY
 *	store_open() makes the directory (0700) and the database file (0600)
 *	when asked to, puts the database in WAL mode, creates or checks the
 *	schema, and starts the writer thread. The file is created here, not
 *	by SQLite, so its mode never depends on the umask; SQLite gives its
 *	-wal and -shm files the database's mode, and when it runs as root,
 *	the database's owner.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store-private.h"

#define DATABASE_NAME "quarantine.sqlite"
#define ID_LEN 28 /* YYYYMMDDTHHMMSS-xxxxxxxxxxxx */

gboolean
store_id_valid(const char *id)
{
	if (!id || strlen(id) != ID_LEN)
		return FALSE;
	for (int i = 0; i < ID_LEN; i++) {
		char c = id[i];
		gboolean ok = i == 8	 ? c == 'T'
			      : i == 15 ? c == '-'
			      : i < 15	 ? g_ascii_isdigit(c)
					 : g_ascii_isxdigit(c) && !g_ascii_isupper(c);
		if (!ok)
			return FALSE;
	}
	/* a real date and time, so that the time of an id is well defined */
	return store_id_time(id) > 0;
}

gint64
store_id_time(const char *id)
{
	int v[6];
	if (sscanf(id, "%4d%2d%2dT%2d%2d%2d", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 6)
		return 0;
	g_autoptr(GDateTime) t = g_date_time_new_utc(v[0], v[1], v[2], v[3], v[4], v[5]);
	if (!t || g_date_time_get_month(t) != v[1] || g_date_time_get_second(t) != v[5])
		return 0;
	return g_date_time_to_unix(t);
}

gint64
store_now(void)
{
	return g_get_real_time() / G_USEC_PER_SEC;
}

char *
store_new_id(gint64 now)
{
	guint8 rnd[6];
	if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
		return NULL;
	g_autoptr(GDateTime) t = g_date_time_new_from_unix_utc(now);
	g_autofree char *stamp = g_date_time_format(t, "%Y%m%dT%H%M%S");
	return g_strdup_printf("%s-%02x%02x%02x%02x%02x%02x", stamp, rnd[0], rnd[1], rnd[2],
			       rnd[3], rnd[4], rnd[5]);
}

static gboolean
fail_errno(GError **error, const char *what, const char *path)
{
	int e = errno;
	g_set_error(error, STORE_ERROR, e == ENOENT ? STORE_ERROR_NOT_FOUND : STORE_ERROR_FAILED,
		    "%s %s: %s", what, path, g_strerror(e));
	return FALSE;
}

/* The database file exists afterwards (or FALSE). */
static gboolean
ensure_file(const char *dir, const char *path, gboolean create, GError **error)
{
	struct stat st;
	if (stat(path, &st) == 0) {
		if (S_ISREG(st.st_mode))
			return TRUE;
		g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED, "%s is not a file", path);
		return FALSE;
	}
	if (errno != ENOENT || !create) {
		if (errno == ENOENT && stat(dir, &st) != 0)
			return fail_errno(error, "no quarantine store at", dir);
		return fail_errno(error, "cannot open the quarantine store", path);
	}
	if (g_mkdir_with_parents(dir, 0700) != 0)
		return fail_errno(error, "cannot create", dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 && errno != EEXIST)
		return fail_errno(error, "cannot create", path);
	if (fd >= 0)
		close(fd);
	return TRUE;
}

static gboolean
setup_database(sqlite3 *db, gboolean create, GError **error)
{
	sqlite3_stmt *st = db_prepare(db, "PRAGMA journal_mode=WAL", error);
	if (!st)
		return FALSE;
	const unsigned char *mode = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_text(st, 0)
								    : NULL;
	gboolean wal = mode && g_ascii_strcasecmp((const char *)mode, "wal") == 0;
	db_done(st);
	if (!wal)
		return db_error(db, error, "quarantine store: cannot use WAL mode");
	if (!db_exec(db, "BEGIN IMMEDIATE", error))
		return FALSE;
	if (!store_schema_ensure(db, create, error) || !store_search_index_ensure(db, error)) {
		g_autoptr(GError) ignored = NULL;
		db_exec(db, "ROLLBACK", &ignored);
		return FALSE;
	}
	return db_exec(db, "COMMIT", error);
}

struct mg_store *
store_open(const char *dir, unsigned flags, GError **error)
{
	gboolean create = (flags & STORE_CREATE) != 0;
	g_autofree char *path = g_build_filename(dir, DATABASE_NAME, NULL);
	if (!ensure_file(dir, path, create, error))
		return NULL;
	sqlite3 *db = store_connect(path, FALSE, error);
	if (!db)
		return NULL;
	if (!setup_database(db, create, error)) {
		sqlite3_close(db);
		return NULL;
	}
	struct mg_store *s = g_new0(struct mg_store, 1);
	s->dir = g_strdup(dir);
	s->path = g_steal_pointer(&path);
	g_mutex_init(&s->lock);
	g_cond_init(&s->wake);
	g_cond_init(&s->done);
	g_mutex_init(&s->readers_lock);
	s->readers = g_ptr_array_new();
	g_mutex_init(&s->session_lock);
	s->session_fd = -1;
	store_writer_start(s, db);
	return s;
}

void
store_close(struct mg_store *s)
{
	if (!s)
		return;
	store_writer_stop(s);
	store_readers_close(s);
	store_session_end(s);
	g_mutex_clear(&s->session_lock);
	g_ptr_array_unref(s->readers);
	g_mutex_clear(&s->lock);
	g_cond_clear(&s->wake);
	g_cond_clear(&s->done);
	g_mutex_clear(&s->readers_lock);
	g_free(s->dir);
	g_free(s->path);
	g_free(s);
}
