/*
 * NAME
 *	clamd.h - a client for ClamAV's daemon (clamd), INSTREAM only
 * SUMMARY
 *	Connect to clamd over a unix or TCP socket, send bytes with the
 *	zINSTREAM command in length-prefixed chunks, and read the one answer.
 *	Every wait (connect, each write, the answer) has a timeout. Answers
 *	are parsed strictly: anything but "stream: OK" or "stream: NAME
 *	FOUND" is an error.
 * DESCRIPTION
 *	Needs GLib and the C library only: no engine, no parser library, so
 *	every front end (cdr-file, cdr-milter, later ones) can use it as is.
 *	Not thread-bound: one connection per scan, nothing shared.
 */
#pragma once

#include <glib.h>

#include "sockio.h"

#define CLAMD_CLIENT_ERROR (clamd_client_error_quark())
GQuark clamd_client_error_quark(void);

/* Where clamd listens: a struct sockio_address from "unix:/PATH" or
 * "inet:HOST:PORT" (Postfix's and clamav-milter's spelling), sockio.h. */

struct clamd_timeouts {
	guint connect_ms; /* until the connection is made */
	guint io_ms;      /* each write, and the answer after the last chunk */
};

enum clamd_verdict {
	CLAMD_CLEAN,    /* "stream: OK" */
	CLAMD_INFECTED, /* "stream: NAME FOUND": *detail = NAME */
	CLAMD_TOO_BIG,  /* "INSTREAM size limit exceeded": over clamd's StreamMaxLength */
	CLAMD_ERROR,    /* no answer, a timeout, an ERROR answer or anything unexpected */
};

/* The longest answer read: "stream: " + a signature name + " FOUND". */
#define CLAMD_MAX_REPLY 1024
/* The longest signature name accepted. */
#define CLAMD_MAX_SIGNATURE 256

/*
 * Parse one answer to zINSTREAM: `reply` holds the `len` bytes read, which
 * must be the answer and its terminating NUL, nothing before or after.
 * *detail (g_malloc'd, never NULL) is the signature name (INFECTED) or a
 * printable description of what was wrong. A signature name is 1 to
 * CLAMD_MAX_SIGNATURE printable ASCII characters without spaces; clamd's
 * ExtendedDetectionInfo suffix "(MD5:SIZE)" is taken off.
 */
enum clamd_verdict clamd_parse_reply(const char *reply, gsize len, char **detail);

/* Scan `len` bytes. *detail as for clamd_parse_reply(). */
enum clamd_verdict clamd_scan(const struct sockio_address *address,
			      const struct clamd_timeouts *timeouts, const guint8 *data, gsize len,
			      char **detail);

/* Scan the bytes of a file descriptor (a memfd), mapped read-only: the
 * chunks are written from the mapping, never copied in memory. */
enum clamd_verdict clamd_scan_fd(const struct sockio_address *address,
				 const struct clamd_timeouts *timeouts, int fd, char **detail);

/* zPING: TRUE when clamd answers PONG in time. */
gboolean clamd_ping(const struct sockio_address *address, const struct clamd_timeouts *timeouts,
		    GError **error);
