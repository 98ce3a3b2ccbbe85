/*
 * NAME
 *	daemon.h - the process side of cdr-milter: detach, pid file, identity
 */
#pragma once

#include <glib.h>

/* Fork into the background (setsid, stdio on /dev/null). */
gboolean daemon_detach(GError **error);

/* Write our pid to `path` (empty: none). */
gboolean daemon_write_pid(const char *path, GError **error);

/* When running as root: setgid, initgroups, setuid (Postfix's order) to
 * user/group. As another user: nothing (the service manager chose). */
gboolean daemon_drop_privileges(const char *user, const char *group, GError **error);

/* Give a unix socket its owner, group and mode so the MTA can connect. */
gboolean daemon_set_socket_access(const char *conn, const char *user, const char *group,
				  const char *mode, GError **error);
