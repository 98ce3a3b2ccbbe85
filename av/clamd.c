/*
 * NAME
 *	clamd.c - talk to clamd: connect, zINSTREAM, read the answer
 * SUMMARY
 *	One non-blocking connection per scan. The bytes go out as clamd's
 *	INSTREAM chunks (a 4-byte big-endian length, then that many bytes)
 *	written straight from the caller's buffer or the mapped file with
 *	writev, then a zero-length chunk; the answer is read up to its NUL.
 *	poll() bounds each step: the connection, every write, the answer
 *	(net/sockio.c connects and writes).
 * DESCRIPTION
 *	clamd stops reading and resets the connection once a stream is over
 *	its StreamMaxLength, after writing "INSTREAM size limit exceeded": a
 *	write that fails (EPIPE, ECONNRESET) is therefore followed by a read
 *	of whatever answer clamd left, and only then reported as an error.
 *	MSG_NOSIGNAL keeps SIGPIPE away from the front end.
 */
#include "clamd.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHUNK_BYTES (256 * 1024)

G_DEFINE_QUARK(clamd-client-error-quark, clamd_client_error)

static int
open_connection(const struct sockio_address *a, const struct clamd_timeouts *t, char **detail)
{
	int fd = sockio_connect(a, sockio_deadline_in(t->connect_ms));
	if (fd < 0)
		*detail = g_strdup_printf("cannot connect to clamd at %s: %s", a->text,
					  errno == ETIMEDOUT ? "no answer within connect_timeout"
							     : g_strerror(errno));
	return fd;
}

static gboolean
send_stream(int fd, const guint8 *data, gsize len, guint io_ms)
{
	static const char command[] = "zINSTREAM";
	struct iovec cmd = { .iov_base = (void *)command, .iov_len = sizeof(command) };
	if (!sockio_write_all(fd, &cmd, 1, io_ms))
		return FALSE;
	for (gsize off = 0; off <= len;) {
		gsize n = MIN(len - off, (gsize)CHUNK_BYTES);
		guint8 size[4] = { n >> 24 & 0xff, n >> 16 & 0xff, n >> 8 & 0xff, n & 0xff };
		struct iovec iov[2] = {
			{ .iov_base = size, .iov_len = sizeof(size) },
			{ .iov_base = (void *)(data + off), .iov_len = n },
		};
		if (!sockio_write_all(fd, iov, n ? 2 : 1, io_ms))
			return FALSE;
		if (n == 0)
			break; /* the zero-length chunk ends the stream */
		off += n;
	}
	return TRUE;
}

/* Read the answer up to its NUL (or EOF); *len = bytes read. FALSE on a
 * timeout or read error. */
static gboolean
read_answer(int fd, char *buf, gsize size, gsize *len, guint io_ms)
{
	gint64 deadline = sockio_deadline_in(io_ms);
	*len = 0;
	while (*len < size && !memchr(buf, '\0', *len)) {
		ssize_t n = recv(fd, buf + *len, size - *len, MSG_DONTWAIT);
		if (n > 0) {
			*len += (gsize)n;
			continue;
		}
		if (n == 0)
			return TRUE; /* EOF */
		if (errno == EINTR)
			continue;
		if (errno == ECONNRESET && *len)
			return TRUE;
		if (errno != EAGAIN || !sockio_wait(fd, POLLIN, deadline))
			return FALSE;
	}
	return TRUE;
}

enum clamd_verdict
clamd_scan(const struct sockio_address *a, const struct clamd_timeouts *t, const guint8 *data,
	   gsize len, char **detail)
{
	*detail = NULL;
	int fd = open_connection(a, t, detail);
	if (fd < 0)
		return CLAMD_ERROR;
	gboolean sent = send_stream(fd, data, len, t->io_ms);
	int write_errno = errno;
	char buf[CLAMD_MAX_REPLY];
	gsize got = 0;
	/* after a failed write too: clamd may have said why before it reset */
	gboolean answered = read_answer(fd, buf, sizeof(buf), &got, sent ? t->io_ms : 100);
	int read_errno = errno;
	close(fd);
	if (!sent && got == 0) {
		*detail = g_strdup_printf("sending to clamd at %s: %s", a->text,
					  write_errno == ETIMEDOUT
						  ? "clamd took in nothing for longer than timeout"
						  : g_strerror(write_errno));
		return CLAMD_ERROR;
	}
	if (!answered && got == 0) {
		*detail = g_strdup_printf("waiting for clamd at %s: %s", a->text,
					  read_errno == ETIMEDOUT
						  ? "no answer within timeout"
						  : g_strerror(read_errno));
		return CLAMD_ERROR;
	}
	enum clamd_verdict v = clamd_parse_reply(buf, got, detail);
	if (!sent && v != CLAMD_TOO_BIG && v != CLAMD_ERROR) {
		/* an answer to a stream clamd did not get whole is no verdict */
		g_free(*detail);
		*detail = g_strdup_printf("sending to clamd at %s: %s", a->text,
					  g_strerror(write_errno));
		return CLAMD_ERROR;
	}
	return v;
}

enum clamd_verdict
clamd_scan_fd(const struct sockio_address *a, const struct clamd_timeouts *t, int fd,
	      char **detail)
{
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		*detail = g_strdup("cannot read the bytes to scan");
		return CLAMD_ERROR;
	}
	gsize len = (gsize)st.st_size;
	if (len == 0)
		return clamd_scan(a, t, (const guint8 *)"", 0, detail);
	void *map = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		*detail = g_strdup_printf("cannot map the bytes to scan: %s", g_strerror(errno));
		return CLAMD_ERROR;
	}
	enum clamd_verdict v = clamd_scan(a, t, map, len, detail);
	munmap(map, len);
	return v;
}

gboolean
clamd_ping(const struct sockio_address *a, const struct clamd_timeouts *t, GError **error)
{
	g_autofree char *detail = NULL;
	int fd = open_connection(a, t, &detail);
	if (fd < 0) {
		g_set_error_literal(error, CLAMD_CLIENT_ERROR, 0, detail);
		return FALSE;
	}
	static const char command[] = "zPING";
	struct iovec cmd = { .iov_base = (void *)command, .iov_len = sizeof(command) };
	char buf[64];
	gsize got = 0;
	gboolean ok = sockio_write_all(fd, &cmd, 1, t->io_ms) &&
		      read_answer(fd, buf, sizeof(buf), &got, t->io_ms);
	close(fd);
	if (ok && got == 5 && memcmp(buf, "PONG", 5) == 0)
		return TRUE;
	g_set_error(error, CLAMD_CLIENT_ERROR, 0, "clamd at %s does not answer PING%s%s",
		    a->text, ok ? "" : ": ", ok ? "" : g_strerror(errno));
	return FALSE;
}
