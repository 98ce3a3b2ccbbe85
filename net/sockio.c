/*
 * NAME
 *	sockio.c - parse "unix:/PATH" and "inet:HOST:PORT", connect and write
 *	with deadlines
 * SUMMARY
 *	One non-blocking socket per connection; poll() bounds the connection
 *	and every write. Names are resolved with getaddrinfo (numeric ports
 *	only); each address it gives is tried in turn until the deadline.
 * DESCRIPTION
 *	A unix path must be absolute and fit sun_path; a port is 1 to 65535
 *	in digits; a host holds no '/' or space ("[::1]" for IPv6).
 */
#include "sockio.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

G_DEFINE_QUARK(sockio-error-quark, sockio_error)

void
sockio_address_free(struct sockio_address *a)
{
	if (!a)
		return;
	g_free(a->text);
	g_free(a->path);
	g_free(a->host);
	g_free(a->port);
	g_free(a);
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

struct sockio_address *
sockio_address_parse(const char *spec, GError **error)
{
	g_autoptr(sockio_address) a = g_new0(struct sockio_address, 1);
	a->text = g_strdup(spec);
	if (g_str_has_prefix(spec, "unix:")) {
		const char *path = spec + 5;
		if (*path != '/' || strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
			g_set_error(error, SOCKIO_ERROR, 0,
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
	g_set_error(error, SOCKIO_ERROR, 0, "\"%s\" is not unix:/PATH or inet:HOST:PORT", spec);
	return NULL;
}

gint64
sockio_deadline_in(guint ms)
{
	return g_get_monotonic_time() + (gint64)ms * 1000;
}

gboolean
sockio_wait(int fd, short events, gint64 deadline)
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
			return TRUE;
		if (rc == 0) {
			errno = ETIMEDOUT;
			return FALSE;
		}
		if (errno != EINTR)
			return FALSE;
	}
}

/* connect() on a non-blocking socket, at most until the deadline. */
static gboolean
connect_within(int fd, const struct sockaddr *sa, socklen_t len, gint64 deadline)
{
	if (connect(fd, sa, len) == 0)
		return TRUE;
	if (errno != EINPROGRESS && errno != EAGAIN && errno != EINTR)
		return FALSE;
	if (!sockio_wait(fd, POLLOUT, deadline))
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
connect_unix(const struct sockio_address *a, gint64 deadline)
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
connect_inet(const struct sockio_address *a, gint64 deadline)
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
	/* a command and its data are often separate writes: without this,
	 * Nagle and delayed ACKs stall every one (NOTES: the milter socket) */
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

int
sockio_connect(const struct sockio_address *a, gint64 deadline)
{
	return a->path ? connect_unix(a, deadline) : connect_inet(a, deadline);
}

gboolean
sockio_write_all(int fd, struct iovec *iov, int n, guint io_ms)
{
	while (n > 0) {
		struct msghdr msg = { .msg_iov = iov, .msg_iovlen = (size_t)n };
		ssize_t done = sendmsg(fd, &msg, MSG_NOSIGNAL);
		if (done < 0 && errno == EINTR)
			continue;
		if (done < 0 && errno == EAGAIN) {
			if (!sockio_wait(fd, POLLOUT, sockio_deadline_in(io_ms)))
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
