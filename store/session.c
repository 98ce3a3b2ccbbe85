/*
 * NAME
 *	session.c - who holds a claim in the store, and whether it still lives
 * SUMMARY
 *	A claim (a PPAP entry being tried, a password mail being paired)
 *	names the session that took it: an open store's random token. The
 *	session holds an flock(2) on DIR/sessions/TOKEN for as long as the
 *	store is open; the kernel drops it when the process dies, SIGKILL
 *	included. Another process finds the claim's owner dead when it can
 *	take that lock (or the file is gone): the claim is recovered at
 *	once, without waiting for it to grow stale.
 * DESCRIPTION
 *	The lock file is made on the first claim only, so a reader
 *	(cdr-quarantine list) leaves nothing behind; a new session removes
 *	the files of ended ones older than an hour. A session that cannot
 *	be checked (another host on a network file system, a file we may
 *	not open) counts as alive: its claims wait for the stale time.
 *	flock locks belong to the open file, which is close-on-exec, so a
 *	worker the milter started never keeps a dead milter's lock.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store-private.h"

#define SESSIONS "sessions"
#define TOKEN_LEN 16
#define TIDY_AGE 3600 /* seconds: a file that young may not be locked yet */

static gboolean
token_valid(const char *token)
{
	if (!token || strlen(token) != TOKEN_LEN)
		return FALSE;
	for (const char *c = token; *c; c++)
		if (!g_ascii_isxdigit(*c) || g_ascii_isupper(*c))
			return FALSE;
	return TRUE;
}

static char *
session_path(const struct mg_store *s, const char *token)
{
	return g_build_filename(s->dir, SESSIONS, token, NULL);
}

/* The files of sessions that ended without closing (a crash) and that no
 * claim named since: removed when they are old enough that their
 * process must have locked them long ago. */
static void
tidy(const char *dir, const char *mine)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	gint64 old = g_get_real_time() / G_USEC_PER_SEC - TIDY_AGE;
	for (const char *name; d && (name = g_dir_read_name(d));) {
		if (!token_valid(name) || strcmp(name, mine) == 0)
			continue;
		g_autofree char *path = g_build_filename(dir, name, NULL);
		int fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
		struct stat st;
		if (fd < 0)
			continue;
		if (fstat(fd, &st) == 0 && st.st_mtime < old && flock(fd, LOCK_EX | LOCK_NB) == 0)
			unlink(path);
		close(fd);
	}
}

const char *
store_session(struct mg_store *s, GError **error)
{
	g_mutex_lock(&s->session_lock);
	if (!s->session) {
		guint8 rnd[TOKEN_LEN / 2];
		g_autofree char *dir = g_build_filename(s->dir, SESSIONS, NULL);
		if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd) ||
		    g_mkdir_with_parents(dir, 0700) != 0) {
			int e = errno;
			g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED,
				    "quarantine store session: %s", g_strerror(e));
			g_mutex_unlock(&s->session_lock);
			return NULL;
		}
		GString *token = g_string_new(NULL);
		for (guint i = 0; i < sizeof(rnd); i++)
			g_string_append_printf(token, "%02x", rnd[i]);
		g_autofree char *path = session_path(s, token->str);
		int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) != 0) {
			int e = errno;
			g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED,
				    "quarantine store session %s: %s", path, g_strerror(e));
			if (fd >= 0)
				close(fd);
			g_string_free(token, TRUE);
			g_mutex_unlock(&s->session_lock);
			return NULL;
		}
		s->session_fd = fd;
		s->session = g_string_free(token, FALSE);
		tidy(dir, s->session);
	}
	g_mutex_unlock(&s->session_lock);
	return s->session;
}

gboolean
store_session_alive(struct mg_store *s, const char *token)
{
	if (!token_valid(token))
		return FALSE; /* no owner, or not one of ours: nobody holds it */
	g_mutex_lock(&s->session_lock);
	gboolean mine = s->session && strcmp(s->session, token) == 0;
	g_mutex_unlock(&s->session_lock);
	if (mine)
		return TRUE;
	g_autofree char *path = session_path(s, token);
	int fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno != ENOENT; /* closed cleanly: gone; else unknown */
	gboolean alive = flock(fd, LOCK_EX | LOCK_NB) != 0;
	if (!alive)
		unlink(path); /* ours now, and no one else's: tidy up */
	close(fd);
	return alive;
}

void
store_session_end(struct mg_store *s)
{
	if (!s->session)
		return;
	g_autofree char *path = session_path(s, s->session);
	unlink(path);
	close(s->session_fd);
	g_clear_pointer(&s->session, g_free);
}
