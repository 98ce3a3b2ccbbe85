/*
 * NAME
 *	clamd.c - talk to clamd: connect, zINSTREAM, read the answer
 * SUMMARY
 *	One non-blocking connection per scan. The bytes go out as clamd's
 *	INSTREAM chunks (a 4-byte big-endian length, then that many bytes)
 *	written straight from the caller's buffer or the mapped file with
 *	writev, then a zero-length chunk; the answer is read up to its NUL.
 *	poll() bounds each step: the connection, every write, the answer.
 * DESCRIPTION
 *	clamd stops reading and resets the connection once a stream is over
 *	its StreamMaxLength, after writing "INSTREAM size limit exceeded": a
 *	write that fails (EPIPE, ECONNRESET) is therefore followed by a read
 *	of whatever answer clamd left, and only then reported as an error.
 *	MSG_NOSIGNAL keeps SIGPIPE away from the front end.
 */
#include "clamd.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define CHUNK_BYTES (256 * 1024)

G_DEFINE_QUARK(clamd-client-error-quark, clamd_client_error)

struct clamd_address {
	char *text;
	char *path;       /* unix */
	char *host, *port; /* inet */
};

void
clamd_address_free(struct clamd_address *a)
{
	if (!a)
		return;
	g_free(a->text);
	g_free(a->path);
	g_free(a->host);
	g_free(a->port);
	g_free(a);
}

const char *
clamd_address_text(const struct clamd_address *a)
{
	return a->text;
}

static gboolean
port_valid(const char *port)
{
	if (!*port || strlen(port) > 5)
		return FALSE;
	for (const char *c = port; *c; c++)
		if (!g_ascii_isdigit(*c))
			return FALSE;
	guint64 n = g_ascii_strtoull(port, NULL, 10);
	return n > 0 && n < 65536;
}

struct clamd_address *
clamd_address_parse(const char *spec, GError **error)
{
	g_autoptr(clamd_address) a = g_new0(struct clamd_address, 1);
	a->text = g_strdup(spec);
	if (g_str_has_prefix(spec, "unix:")) {
		const char *path = spec + 5;
		if (*path != '/' || strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
			g_set_error(error, CLAMD_CLIENT_ERROR, 0,
				    "\"%s\": the socket path must be absolute and shorter than "
				    "108 bytes", spec);
			return NULL;
		}
		a->path = g_strdup(path);
		return g_steal_pointer(&a);
	}
	if (g_str_has_prefix(spec, "inet:")) {
		const char *host = spec + 5;
		const char *colon = strrchr(host, ':');
		/* [::1]:3310 for IPv6 */
		gboolean bracketed = *host == '[';
		const char *host_end = bracketed ? strchr(host, ']') : colon;
		if (colon && host_end && (!bracketed || host_end + 1 == colon) &&
		    host_end > host + bracketed && port_valid(colon + 1)) {
			a->host = g_strndup(host + bracketed, (gsize)(host_end - host - bracketed));
			a->port = g_strdup(colon + 1);
			if (!strchr(a->host, '/') && !strchr(a->host, ' '))
				return g_steal_pointer(&a);
		}
	}
	g_set_error(error, CLAMD_CLIENT_ERROR, 0,
		    "\"%s\" is not unix:/PATH or inet:HOST:PORT", spec);
	return NULL;
}

/* Wait for `events` on fd; FALSE with errno ETIMEDOUT after ms. */
static gboolean
wait_for(int fd, short events, gint64 deadline)
{
	for (;;) {
		gint64 left = (deadline - g_get_monotonic_time()) / 1000;
		if (left <= 0) {
			errno = ETIMEDOUT;
			return FALSE;
		}
		struct pollfd p = { .fd = fd, .events = events };
		int rc = poll(&p, 1, (int)MIN(left, G_MAXINT));
		if (rc > 0)
			return TRUE; /* POLLERR/POLLHUP too: the next call says what */
		if (rc == 0) {
			errno = ETIMEDOUT;
			return FALSE;
		}
		if (errno != EINTR)
			return FALSE;
	}
}

static gint64
deadline_in(guint ms)
{
	return g_get_monotonic_time() + (gint64)ms * 1000;
}

/* connect() on a non-blocking socket, at most until the deadline. */
static gboolean
connect_within(int fd, const struct sockaddr *sa, socklen_t len, gint64 deadline)
{
	if (connect(fd, sa, len) == 0)
		return TRUE;
	if (errno != EINPROGRESS && errno != EAGAIN && errno != EINTR)
		return FALSE;
	if (!wait_for(fd, POLLOUT, deadline))
		return FALSE;
	int err = 0;
	socklen_t elen = sizeof(err);
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) != 0)
		return FALSE;
	if (err) {
		errno = err;
		return FALSE;
	}
	return TRUE;
}

static int
connect_unix(const struct clamd_address *a, gint64 deadline)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	memcpy(sun.sun_path, a->path, strlen(a->path) + 1);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd >= 0 && !connect_within(fd, (struct sockaddr *)&sun, sizeof(sun), deadline)) {
		int saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

static int
connect_inet(const struct clamd_address *a, gint64 deadline)
{
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
		.ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG,
	};
	struct addrinfo *list = NULL;
	int rc = getaddrinfo(a->host, a->port, &hints, &list);
	if (rc != 0) {
		errno = rc == EAI_SYSTEM ? errno : EHOSTUNREACH;
		return -1;
	}
	int fd = -1, saved = ECONNREFUSED;
	for (struct addrinfo *ai = list; ai && fd < 0; ai = ai->ai_next) {
		fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (fd < 0) {
			saved = errno;
			continue;
		}
		if (!connect_within(fd, ai->ai_addr, ai->ai_addrlen, deadline)) {
			saved = errno;
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(list);
	if (fd < 0) {
		errno = saved;
		return -1;
	}
	/* a chunk header and its data are separate writes: without this,
	 * Nagle and delayed ACKs stall every chunk (NOTES: the milter socket) */
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static int
open_connection(const struct clamd_address *a, const struct clamd_timeouts *t, char **detail)
{
	gint64 deadline = deadline_in(t->connect_ms);
	int fd = a->path ? connect_unix(a, deadline) : connect_inet(a, deadline);
	if (fd < 0)
		*detail = g_strdup_printf("cannot connect to clamd at %s: %s", a->text,
					  errno == ETIMEDOUT ? "no answer within connect_timeout"
							     : g_strerror(errno));
	return fd;
}

/* Write all of iov (modified), each wait at most io_ms. */
static gboolean
write_all(int fd, struct iovec *iov, int n, guint io_ms)
{
	while (n > 0) {
		struct msghdr msg = { .msg_iov = iov, .msg_iovlen = (size_t)n };
		ssize_t done = sendmsg(fd, &msg, MSG_NOSIGNAL);
		if (done < 0 && errno == EINTR)
			continue;
		if (done < 0 && errno == EAGAIN) {
			if (!wait_for(fd, POLLOUT, deadline_in(io_ms)))
				return FALSE;
			continue;
		}
		if (done < 0)
			return FALSE;
		while (n > 0 && (gsize)done >= iov->iov_len) {
			done -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + done;
			iov->iov_len -= (gsize)done;
		}
	}
	return TRUE;
}

static gboolean
send_stream(int fd, const guint8 *data, gsize len, guint io_ms)
{
	static const char command[] = "zINSTREAM";
	struct iovec cmd = { .iov_base = (void *)command, .iov_len = sizeof(command) };
	if (!write_all(fd, &cmd, 1, io_ms))
		return FALSE;
	for (gsize off = 0; off <= len;) {
		gsize n = MIN(len - off, (gsize)CHUNK_BYTES);
		guint8 size[4] = { n >> 24 & 0xff, n >> 16 & 0xff, n >> 8 & 0xff, n & 0xff };
		struct iovec iov[2] = {
			{ .iov_base = size, .iov_len = sizeof(size) },
			{ .iov_base = (void *)(data + off), .iov_len = n },
		};
		if (!write_all(fd, iov, n ? 2 : 1, io_ms))
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
	gint64 deadline = deadline_in(io_ms);
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
		if (errno != EAGAIN || !wait_for(fd, POLLIN, deadline))
			return FALSE;
	}
	return TRUE;
}

enum clamd_verdict
clamd_scan(const struct clamd_address *a, const struct clamd_timeouts *t, const guint8 *data,
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
clamd_scan_fd(const struct clamd_address *a, const struct clamd_timeouts *t, int fd,
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
clamd_ping(const struct clamd_address *a, const struct clamd_timeouts *t, GError **error)
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
	gboolean ok = write_all(fd, &cmd, 1, t->io_ms) &&
		      read_answer(fd, buf, sizeof(buf), &got, t->io_ms);
	close(fd);
	if (ok && got == 5 && memcmp(buf, "PONG", 5) == 0)
		return TRUE;
	g_set_error(error, CLAMD_CLIENT_ERROR, 0, "clamd at %s does not answer PING%s%s",
		    a->text, ok ? "" : ": ", ok ? "" : g_strerror(errno));
	return FALSE;
}
