/*
 * NAME
 *	wire.c - framing and fd passing between front end and worker
 * SUMMARY
 *	See wire.h. Receivers check sizes, kinds and fd counts; anything odd
 *	is EBADMSG, never a guess.
 */
#include "wire.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define SEALS (F_SEAL_SEAL | F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW)

gboolean
cdr_wire_send(int sock, const struct cdr_wire_header *h, const void *payload, const int *fds,
	      unsigned nfds)
{
	struct iovec iov[2] = {
		{ .iov_base = (void *)h, .iov_len = sizeof(*h) },
		{ .iov_base = (void *)payload, .iov_len = h->len },
	};
	union {
		char buf[CMSG_SPACE(sizeof(int) * CDR_WIRE_MAX_FDS)];
		struct cmsghdr align;
	} control;
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = h->len ? 2 : 1 };

	g_assert(nfds <= CDR_WIRE_MAX_FDS);
	if (nfds) {
		memset(&control, 0, sizeof(control));
		msg.msg_control = control.buf;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	ssize_t n;
	do
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)(sizeof(*h) + h->len);
}

gssize
cdr_wire_recv(int sock, void *buf, gsize size, int *fds, unsigned *nfds)
{
	struct iovec iov = { .iov_base = buf, .iov_len = size };
	union {
		char buf[CMSG_SPACE(sizeof(int) * CDR_WIRE_MAX_FDS)];
		struct cmsghdr align;
	} control;
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control.buf, .msg_controllen = sizeof(control.buf),
	};
	ssize_t n;

	*nfds = 0;
	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return n;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		unsigned count = (unsigned)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		int *in = (int *)CMSG_DATA(c);
		for (unsigned i = 0; i < count; i++) {
			if (*nfds < CDR_WIRE_MAX_FDS)
				fds[(*nfds)++] = in[i];
			else
				close(in[i]);
		}
	}
	const struct cdr_wire_header *h = buf;
	if ((msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) || (gsize)n < sizeof(*h) ||
	    h->magic != CDR_WIRE_MAGIC || h->len != (gsize)n - sizeof(*h)) {
		for (unsigned i = 0; i < *nfds; i++)
			close(fds[i]);
		*nfds = 0;
		errno = EBADMSG;
		return -1;
	}
	return n;
}

gboolean
cdr_memfd_seal(int fd)
{
	return fcntl(fd, F_ADD_SEALS, SEALS) == 0;
}

gboolean
cdr_memfd_is_sealed(int fd)
{
	int seals = fcntl(fd, F_GET_SEALS);
	return seals >= 0 && (seals & SEALS) == SEALS;
}

int
cdr_memfd_from_bytes(const char *name, const void *data, gsize len)
{
	int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return -1;
	const guint8 *p = data;
	while (len) {
		ssize_t n = write(fd, p, MIN(len, (gsize)1 << 30));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int saved = n < 0 ? errno : EIO;
			close(fd);
			errno = saved;
			return -1;
		}
		p += n;
		len -= (gsize)n;
	}
	if (!cdr_memfd_seal(fd)) {
		int saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

static guint8 empty_map[1];

guint8 *
cdr_map_fd(int fd, gsize *len)
{
	struct stat st;
	if (fstat(fd, &st) != 0)
		return NULL;
	if (!S_ISREG(st.st_mode) || st.st_size < 0) {
		errno = EINVAL;
		return NULL;
	}
	*len = (gsize)st.st_size;
	if (*len == 0)
		return empty_map;
	void *p = mmap(NULL, *len, PROT_READ, MAP_PRIVATE, fd, 0);
	return p == MAP_FAILED ? NULL : p;
}

void
cdr_unmap(guint8 *data, gsize len)
{
	if (data && data != empty_map)
		munmap(data, len);
}
