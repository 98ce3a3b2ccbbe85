/*
 * NAME
 *	wire.h - messages between the front end and a cdr-worker
 * SUMMARY
 *	SOCK_SEQPACKET unix socket: one message per request or reply, file
 *	descriptors (memfds) passed with SCM_RIGHTS so job bytes are never
 *	copied through the socket.
 * DESCRIPTION
 *	request:  header + name NUL mail-mode NUL quarantine-id NUL handler NUL
 *	          passwords NUL infected NUL mail-build NUL mask NUL links;  fds: [input]
 *	reply:    header;               fds: [report, output] (output absent when blocked)
 *	fatal:    header + message;     no fds (worker is about to die)
 *	scan:     header + name;        fds: [bytes] (worker -> front end, mid-job:
 *	          "have the virus scanner look at these"; the worker waits)
 *	scan result: header (verdict = enum cdr_scan_result) + detail; no fds
 */
#pragma once

#include <glib.h>
#include <sys/types.h>

#define CDR_WIRE_MAGIC 0x4d47434bu /* "MGCK" */
#define CDR_WIRE_MAX_NAME 4096
#define CDR_WIRE_MAX_FDS 2
/* name, nine NULs, the longest mode, id, handler name, password list,
 * signature name, mail build, mask list, link style and release URL
 * (cdr_run_params_valid) */
#define CDR_WIRE_MAX_REQUEST                                                                       \
	(CDR_WIRE_MAX_NAME + 9 + 16 + 64 + 32 + 65536 + 256 + 16 + 65536 + 16 + 2048)
/* the name of bytes to scan (for logs), and the detail of a scan result */
#define CDR_WIRE_MAX_SCAN_NAME 1024
#define CDR_WIRE_MAX_DETAIL 1024

enum cdr_wire_kind {
	CDR_WIRE_REQUEST = 1,
	CDR_WIRE_REPLY = 2,
	CDR_WIRE_FATAL = 3,
	CDR_WIRE_SCAN = 4,
	CDR_WIRE_SCAN_RESULT = 5,
};

struct cdr_wire_header {
	guint32 magic;
	guint32 kind;
	guint32 len; /* bytes following the header */
	guint32 verdict;
};

/* Send one message; MSG_NOSIGNAL. Returns FALSE with errno set. */
gboolean cdr_wire_send(int sock, const struct cdr_wire_header *h, const void *payload,
		       const int *fds, unsigned nfds);

/*
 * Receive one message into buf (header + payload, at most size bytes).
 * Returns the byte count, 0 on EOF, -1 on error (errno) or a malformed
 * message (EBADMSG). Received fds are O_CLOEXEC; unused ones are closed.
 */
gssize cdr_wire_recv(int sock, void *buf, gsize size, int *fds, unsigned *nfds);

/* A sealed memfd holding a copy of the bytes. -1 on error. */
int cdr_memfd_from_bytes(const char *name, const void *data, gsize len);

/* Seal against writes, shrinking and growing. */
gboolean cdr_memfd_seal(int fd);

/* TRUE when fd is a memfd sealed as cdr_memfd_seal() does. */
gboolean cdr_memfd_is_sealed(int fd);

/* Map a file read-only. *len = its size. Returns NULL on error; an empty
 * file maps to a non-NULL dummy pointer. */
guint8 *cdr_map_fd(int fd, gsize *len);
void cdr_unmap(guint8 *data, gsize len);
