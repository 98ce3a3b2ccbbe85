/*
 * NAME
 *	daemon.c - detach, pid file, privileges and socket access
 */
#include "daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static gboolean fail(GError **error, const char *fmt, const char *arg) G_GNUC_PRINTF(2, 0);

/* fmt has two %s: arg, then the errno text */
static gboolean
fail(GError **error, const char *fmt, const char *arg)
{
	int e = errno;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e), fmt, arg, g_strerror(e));
#pragma GCC diagnostic pop
	return FALSE;
}

gboolean
daemon_detach(GError **error)
{
	pid_t pid = fork();
	if (pid < 0)
		return fail(error, "cannot fork%s: %s", "");
	if (pid > 0)
		_exit(0);
	if (setsid() < 0)
		return fail(error, "setsid%s: %s", "");
	pid = fork();
	if (pid < 0)
		return fail(error, "cannot fork%s: %s", "");
	if (pid > 0)
		_exit(0);
	if (chdir("/") != 0)
		return fail(error, "cannot chdir to %s: %s", "/");
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0)
		return fail(error, "cannot open %s: %s", "/dev/null");
	dup2(null, STDIN_FILENO);
	dup2(null, STDOUT_FILENO);
	dup2(null, STDERR_FILENO);
	if (null > STDERR_FILENO)
		close(null);
	return TRUE;
}

gboolean
daemon_write_pid(const char *path, GError **error)
{
	if (!path || !*path)
		return TRUE;
	g_autofree char *text = g_strdup_printf("%ld\n", (long)getpid());
	if (!g_file_set_contents(path, text, -1, error))
		return FALSE;
	return TRUE;
}

gboolean
daemon_drop_privileges(const char *user, const char *group, GError **error)
{
	if (geteuid() != 0)
		return TRUE;
	errno = 0;
	struct passwd *pw = getpwnam(user);
	if (!pw) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
			    "[milter] user: no such user \"%s\" (create it: adduser --system "
			    "--group %s)", user, user);
		return FALSE;
	}
	struct group *gr = getgrnam(group);
	if (!gr) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
			    "[milter] group: no such group \"%s\"", group);
		return FALSE;
	}
	if (pw->pw_uid == 0) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_PERM,
			    "[milter] user: refusing to run as root");
		return FALSE;
	}
	if (setgid(gr->gr_gid) != 0)
		return fail(error, "setgid to %s: %s", group);
	if (initgroups(pw->pw_name, gr->gr_gid) != 0)
		return fail(error, "initgroups for %s: %s", user);
	if (setuid(pw->pw_uid) != 0)
		return fail(error, "setuid to %s: %s", user);
	if (setuid(0) == 0) { /* must be impossible now */
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_PERM, "could regain root");
		return FALSE;
	}
	return TRUE;
}

gboolean
daemon_set_socket_access(const char *conn, const char *user, const char *group,
			 const char *mode, GError **error)
{
	const char *path = g_str_has_prefix(conn, "unix:")    ? conn + 5
			   : g_str_has_prefix(conn, "local:") ? conn + 6
							      : NULL;
	if (!path)
		return TRUE;
	mode_t m = (mode_t)g_ascii_strtoull(mode, NULL, 8);
	if (chmod(path, m) != 0)
		return fail(error, "cannot chmod the socket %s: %s", path);
	if (geteuid() == 0) {
		struct passwd *pw = getpwnam(user);
		struct group *gr = getgrnam(group);
		if (!pw || !gr || chown(path, pw->pw_uid, gr->gr_gid) != 0)
			return fail(error, "cannot give the socket %s to the milter's user: %s",
				    path);
	}
	return TRUE;
}
