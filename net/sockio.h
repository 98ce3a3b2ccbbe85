/*
 * NAME
 *	sockio.h - the front ends' client sockets: where a service listens,
 *	connecting and writing with deadlines
 * SUMMARY
 *	"unix:/PATH" or "inet:HOST:PORT" (Postfix's and clamav-milter's
 *	spelling; "[::1]" for IPv6), non-blocking connections bounded by a
 *	deadline, writes bounded by a timeout each, MSG_NOSIGNAL. Used by
 *	the clamd client (av/) and the submission client (submit/).
 * DESCRIPTION
 *	GLib and the C library only: no engine, no parser library.
 */
#pragma once

#include <glib.h>
#include <sys/uio.h>

#define SOCKIO_ERROR (sockio_error_quark())
GQuark sockio_error_quark(void);

struct sockio_address {
	char *text;        /* as written */
	char *path;        /* unix: the socket's path */
	char *host, *port; /* inet */
};

/* NULL with an error saying what is wrong with `spec`. */
struct sockio_address *sockio_address_parse(const char *spec, GError **error);
void sockio_address_free(struct sockio_address *address);
typedef struct sockio_address sockio_address;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(sockio_address, sockio_address_free)

/* A monotonic deadline `ms` from now (g_get_monotonic_time's microseconds). */
gint64 sockio_deadline_in(guint ms);

/* Wait for `events` (poll) until the deadline; FALSE with errno
 * (ETIMEDOUT when it passed). POLLERR and POLLHUP count as ready: the
 * next call says what happened. */
gboolean sockio_wait(int fd, short events, gint64 deadline);

/* A connected, non-blocking, close-on-exec socket (TCP_NODELAY for inet),
 * or -1 with errno (ETIMEDOUT when the deadline passed). */
int sockio_connect(const struct sockio_address *address, gint64 deadline);

/* Write all of iov (modified as it goes), each wait at most io_ms; FALSE
 * with errno. */
gboolean sockio_write_all(int fd, struct iovec *iov, int n, guint io_ms);
