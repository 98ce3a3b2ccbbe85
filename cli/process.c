/*
 * NAME
 *	process.c - read, sanitize and write one file for cdr-file
 * SUMMARY
 *	The input is copied into a sealed memfd (a snapshot: the bytes that
 *	are hashed are the bytes the worker sees, even if the medium changes),
 *	sent through the pool, and the worker's sealed output memfd is copied
 *	into the output tree. This process never parses the file's content.
 *	With [av], clamd scans the memfd first: an infected file never reaches
 *	a worker, and a file clamd could not scan is blocked.
 */
#include "process.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "actions.h"
#include "display.h"
#include "wire.h"

struct cdr_report *
process_blocked(const char *name, enum cdr_error code, const char *reason)
{
	struct cdr_report *r = cdr_report_new(name);
	cdr_report_block(r, code, reason);
	return r;
}

int
memfd_from_stream(int fd, guint64 max, gboolean *too_big)
{
	int mfd = memfd_create("cdr-input", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	guint64 total = 0;
	char buf[65536];

	*too_big = FALSE;
	if (mfd < 0)
		return -1;
	for (;;) {
		/* sendfile avoids the copy through user space for regular files */
		ssize_t n = sendfile(mfd, fd, NULL, (size_t)MIN(max + 1 - total, 1 << 30));
		if (n < 0 && (errno == EINVAL || errno == ENOSYS)) {
			n = read(fd, buf, (size_t)MIN(sizeof(buf), max + 1 - total));
			if (n > 0 && write(mfd, buf, (size_t)n) != n)
				n = -1;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		if (n == 0)
			break;
		total += (guint64)n;
		if (total > max) {
			*too_big = TRUE;
			break;
		}
	}
	if (!cdr_memfd_seal(mfd))
		goto fail;
	return mfd;
fail:
	{
		int saved = errno;
		close(mfd);
		errno = saved;
		return -1;
	}
}

static const char *
kind_problem(const struct walk_entry *e)
{
	switch (e->kind) {
	case WALK_SYMLINK: return "symbolic link (not followed)";
	case WALK_SPECIAL: return "not a regular file (device, FIFO or socket)";
	case WALK_UNREADABLE: return e->problem;
	case WALK_FILE: break;
	}
	return NULL;
}

struct cdr_report *
process_object(const struct process_ctx *ctx, int in_fd, const char *name, int *out_fd)
{
	*out_fd = -1;
	if (ctx->av) {
		struct av_result scan;
		struct stat st;
		if (av_scan_fd(ctx->av, in_fd, &scan) != AV_CLEAN) {
			struct cdr_report *r = av_blocked_report(name, &scan);
			r->size_in = fstat(in_fd, &st) == 0 ? (guint64)st.st_size : 0;
			av_result_clear(&scan);
			return r;
		}
	}
	return cdr_pool_run_with(ctx->pool, in_fd, name, ctx->params, out_fd);
}

/* Sanitize the entry; sets *out_fd and fills the input hash. */
static struct cdr_report *
sanitize_entry(struct process_ctx *ctx, const struct walk_entry *e, struct file_result *res,
	       int *out_fd)
{
	g_autofree char *name = display_utf8_name(e->name);
	const char *problem = kind_problem(e);
	if (problem)
		return process_blocked(name, CDR_E_UNSUPPORTED, problem);

	int fd = open(e->path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return process_blocked(name, CDR_E_INTERNAL, g_strerror(errno));
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return process_blocked(name, CDR_E_UNSUPPORTED, "not a regular file");
	}
	gboolean too_big = FALSE;
	int in = (guint64)st.st_size > ctx->policy->max_input_bytes
			 ? (too_big = TRUE, -1)
			 : memfd_from_stream(fd, ctx->policy->max_input_bytes, &too_big);
	int saved = errno;
	close(fd);
	if (too_big) {
		if (in >= 0)
			close(in);
		g_autofree char *why = g_strdup_printf(
			"over max_input_bytes (%" G_GUINT64_FORMAT ")", ctx->policy->max_input_bytes);
		struct cdr_report *r = process_blocked(name, CDR_E_LIMIT, why);
		r->size_in = (guint64)st.st_size;
		return r;
	}
	if (in < 0)
		return process_blocked(name, CDR_E_INTERNAL, g_strerror(saved));
	sha256_of_fd(in, res->sha256_in);
	struct cdr_report *r = process_object(ctx, in, name, out_fd);
	close(in);
	return r;
}

void
process_entry(struct process_ctx *ctx, const struct walk_entry *e)
{
	struct file_result res = { .path = e->path };
	g_autoptr(GError) error = NULL;
	g_autofree char *written = NULL;
	int out_fd = -1;

	g_autoptr(cdr_report) r = sanitize_entry(ctx, e, &res, &out_fd);
	res.report = r;
	if (out_fd >= 0) {
		sha256_of_fd(out_fd, res.sha256_out);
		g_autofree char *renamed_dirs = NULL;
		written = outtree_write(ctx->out, e->reldirs, r->out_name, out_fd, &renamed_dirs,
					&error);
		close(out_fd);
		if (written && renamed_dirs) {
			/* a folder of the medium renamed, as a folder in an archive would be */
			cdr_report_add_action(r, CDR_ACT_UNSAFE_NAME, *renamed_dirs ? renamed_dirs : NULL,
					      1);
			if (r->verdict == CDR_CLEAN)
				r->verdict = CDR_SANITIZED;
		}
		res.output = written;
		if (!written) {
			res.write_error = error->message;
			g_printerr("cdr-file: %s\n", error->message);
		}
	}
	summary_add(ctx->summary, &res);
}
