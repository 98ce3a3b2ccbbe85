/*
 * NAME
 *	test-handlers.c - handlers that misbehave on purpose (see the header)
 */
#include "test-handlers.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "actions.h"
#include "config.h"
#include "wire.h"
#include "worker.h"

static gboolean
has_prefix(const struct cdr_input *in, const char *what)
{
	g_autofree char *p = g_strconcat(TEST_PREFIX, what, NULL);
	gsize n = strlen(p);
	return in->len >= n && memcmp(in->data, p, n) == 0;
}

#define MISBEHAVIOUR(what, ...)                                                                   \
	static int bid_##what(const struct cdr_input *in)                                          \
	{                                                                                          \
		return has_prefix(in, #what) ? 1000 : 0;                                           \
	}                                                                                          \
	static enum cdr_verdict sanitize_##what(struct cdr_job *job, const struct cdr_input *in,   \
						struct cdr_output *out)                            \
	{                                                                                          \
		__VA_ARGS__;                                                                       \
		return cdr_job_error(job, CDR_E_INTERNAL, "test handler " #what " survived");      \
	}                                                                                          \
	static const struct cdr_handler handler_##what = {                                         \
		.name = "test-" #what, .bid = bid_##what, .sanitize = sanitize_##what,             \
	}

/* an address no process maps: a real segmentation fault, not a signal we send */
static volatile int *volatile bad_address = (volatile int *)(uintptr_t)16;

MISBEHAVIOUR(CRASH, *bad_address = 1);
MISBEHAVIOUR(SPIN, for (volatile guint64 i = 0;; i++));
MISBEHAVIOUR(SLEEP, {
	static int never = 0;
	for (;;)
		syscall(SYS_futex, &never, FUTEX_WAIT, 0, NULL, NULL, 0);
});
MISBEHAVIOUR(HOG, {
	GPtrArray *keep = g_ptr_array_new();
	for (;;) {
		gsize n = 32u << 20;
		char *p = g_malloc(n);
		memset(p, 1, n);
		g_ptr_array_add(keep, p);
	}
});
MISBEHAVIOUR(OPEN, {
	int fd = open("/etc/hostname", O_RDONLY);
	if (fd >= 0)
		return cdr_job_error(job, CDR_E_INTERNAL, "open() was allowed");
});
#if HAVE_PDF_TEXT
/* poppler's data files: a read-only open of a preloaded one is served, one
 * not preloaded under the same folder is ENOENT (the worker lives on) */
MISBEHAVIOUR(PRELOADED, {
	char head[5] = "";
	int fd = open(POPPLER_DATADIR "/cMap/Adobe-Japan1/UniJIS-UCS2-H", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read(fd, head, 4) != 4 || strcmp(head, "%!PS") != 0)
		return cdr_job_error(job, CDR_E_INTERNAL, "preloaded file not served");
	close(fd);
	errno = 0;
	fd = open(POPPLER_DATADIR "/cMap/Adobe-GB1/UniGB-UCS2-H", O_RDONLY);
	if (fd >= 0 || errno != ENOENT)
		return cdr_job_error(job, CDR_E_INTERNAL, "a file not preloaded was opened");
	fd = open(POPPLER_DATADIR "/cMap/Adobe-Japan1/../../../../etc/hostname", O_RDONLY);
	if (fd >= 0 || errno != ENOENT)
		return cdr_job_error(job, CDR_E_INTERNAL, "a path out of the folder was opened");
	return cdr_job_error(job, CDR_E_INTERNAL, "preload served");
});
/* ...but not for writing: that open kills the worker like any other */
MISBEHAVIOUR(WRITE_PRELOADED, {
	int fd = open(POPPLER_DATADIR "/cMap/Adobe-Japan1/UniJIS-UCS2-H", O_RDWR);
	if (fd >= 0)
		return cdr_job_error(job, CDR_E_INTERNAL, "open() for writing was allowed");
});
#endif
MISBEHAVIOUR(SOCKET, {
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd >= 0)
		return cdr_job_error(job, CDR_E_INTERNAL, "socket() was allowed");
});
MISBEHAVIOUR(FORK, {
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	if (pid > 0)
		return cdr_job_error(job, CDR_E_INTERNAL, "fork() was allowed");
});
/* a plain POSIX thread is allowed (libheif's decoder starts one): "survived" */
static void *
thread_body(void *data)
{
	return data;
}
MISBEHAVIOUR(THREAD, {
	pthread_t t;
	if (pthread_create(&t, NULL, thread_body, NULL) != 0)
		return cdr_job_error(job, CDR_E_INTERNAL, "pthread_create failed");
	pthread_join(t, NULL);
});
MISBEHAVIOUR(EXEC, {
	char *argv[] = { (char *)"/bin/true", NULL };
	execv("/bin/true", argv);
});

/*
 * BOX:<name>:<content> wraps one child; MANY:<n> holds n children "x".
 * Output: the children's outputs joined; blocked children are left out.
 */
static int
bid_box(const struct cdr_input *in)
{
	return has_prefix(in, "BOX:") || has_prefix(in, "MANY:") ? 1000 : 0;
}

static enum cdr_verdict
add_child(struct cdr_job *job, const guint8 *data, gsize len, const char *name,
	  struct cdr_output *out)
{
	GByteArray *child = NULL;
	enum cdr_verdict v = cdr_job_sanitize_child(job, data, len, name, &child);
	if (child) {
		g_byte_array_append(out->data, child->data, child->len);
		g_byte_array_unref(child);
	} else {
		cdr_job_action(job, CDR_ACT_METADATA, name, 1);
	}
	return v;
}

static enum cdr_verdict
sanitize_box(struct cdr_job *job, const struct cdr_input *in, struct cdr_output *out)
{
	gsize pre = strlen(TEST_PREFIX);
	const char *p = (const char *)in->data + pre;
	gsize left = in->len - pre;

	if (has_prefix(in, "MANY:")) {
		unsigned n = (unsigned)g_ascii_strtoull(p + 5, NULL, 10);
		for (unsigned i = 0; i < n; i++)
			if (add_child(job, (const guint8 *)"x\n", 2, "x.txt", out) == CDR_BLOCKED &&
			    cdr_job_budget_spent(job))
				return cdr_job_fail_as_child(job, cdr_job_last_child(job), NULL);
		return CDR_CLEAN;
	}
	const char *name = p + 4;
	const char *colon = memchr(name, ':', left - 4);
	if (!colon)
		return cdr_job_error(job, CDR_E_PARSE, "BOX without a name");
	g_autofree char *child_name = g_strndup(name, (gsize)(colon - name));
	const guint8 *content = (const guint8 *)colon + 1;
	gsize content_len = in->len - (gsize)(content - in->data);
	if (add_child(job, content, content_len, child_name, out) == CDR_BLOCKED &&
	    cdr_job_last_child(job)->error == CDR_E_LIMIT)
		return cdr_job_fail_as_child(job, cdr_job_last_child(job), NULL);
	return CDR_CLEAN;
}

/*
 * SEALED:<name>:<content> wraps one child the way a password-protected
 * zip does: its content was hidden from the virus scan of the original,
 * so it is a revealed child (scanned before it is used).
 * SCANS:<n> asks for n scans of its own bytes (the pool's cap on scan
 * requests). FORGE_SCAN sends the pool a scan request without a memory
 * file, as a compromised worker could.
 */
static int
bid_sealed(const struct cdr_input *in)
{
	return has_prefix(in, "SEALED:") || has_prefix(in, "SCANS:") ? 1000 : 0;
}

static enum cdr_verdict
sanitize_sealed(struct cdr_job *job, const struct cdr_input *in, struct cdr_output *out)
{
	const char *p = (const char *)in->data + strlen(TEST_PREFIX);
	if (has_prefix(in, "SCANS:")) {
		unsigned n = (unsigned)g_ascii_strtoull(p + 6, NULL, 10);
		for (unsigned i = 0; i < n; i++)
			if (cdr_job_scan_revealed(job, in->data, in->len, CDR_REVEALED_UNREAD) ==
			    CDR_BLOCKED)
				return CDR_BLOCKED;
		g_byte_array_append(out->data, (const guint8 *)"scanned\n", 8);
		return CDR_CLEAN;
	}
	const char *name = p + 7;
	const char *end = (const char *)in->data + in->len;
	const char *colon = memchr(name, ':', (gsize)(end - name));
	if (!colon)
		return cdr_job_error(job, CDR_E_PARSE, "SEALED without a name");
	g_autofree char *child_name = g_strndup(name, (gsize)(colon - name));
	GByteArray *child = NULL;
	enum cdr_verdict v = cdr_job_sanitize_revealed_child(
		job, (const guint8 *)colon + 1, (gsize)(end - colon - 1), child_name,
		CDR_REVEALED_DECRYPTED, &child);
	if (v == CDR_BLOCKED && cdr_job_budget_spent(job))
		return cdr_job_fail_as_child(job, cdr_job_last_child(job), NULL);
	if (child) {
		g_byte_array_append(out->data, child->data, child->len);
		g_byte_array_unref(child);
	} else {
		cdr_job_action(job, CDR_ACT_MEMBER_REMOVED, child_name, 1);
	}
	return CDR_CLEAN;
}

static const char *const sealed_extensions[] = { "sealed", NULL };

static const struct cdr_handler handler_sealed = {
	.name = "test-sealed",
	.flags = CDR_CONTAINER,
	.extensions = sealed_extensions,
	.mime_type = "application/x-test-sealed",
	.bid = bid_sealed,
	.sanitize = sanitize_sealed,
};

MISBEHAVIOUR(FORGE_SCAN, {
	struct cdr_wire_header h = {
		.magic = CDR_WIRE_MAGIC, .kind = CDR_WIRE_SCAN, .len = 1,
	};
	cdr_wire_send(CDR_WORKER_SOCKET_FD, &h, "x", NULL, 0);
	static int never = 0;
	for (;;)
		syscall(SYS_futex, &never, FUTEX_WAIT, 0, NULL, NULL, 0);
});

static const char *const box_extensions[] = { "box", NULL };

static const struct cdr_handler handler_box = {
	.name = "test-box",
	.flags = CDR_CONTAINER,
	.extensions = box_extensions,
	.mime_type = "application/x-test-box",
	.bid = bid_box,
	.sanitize = sanitize_box,
};

const struct cdr_handler *const test_handlers[] = {
	&handler_CRASH, &handler_SPIN, &handler_SLEEP, &handler_HOG, &handler_OPEN,
	&handler_SOCKET, &handler_EXEC, &handler_FORK, &handler_THREAD, &handler_box, &handler_sealed,
	&handler_FORGE_SCAN,
#if HAVE_PDF_TEXT
	&handler_PRELOADED, &handler_WRITE_PRELOADED,
#endif
	NULL,
};
