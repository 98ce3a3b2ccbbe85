/*
 * NAME
 *	sandbox.c - rlimits and the seccomp allow-list of cdr-worker
 * SUMMARY
 *	The worker has already loaded everything it needs from disk (libmagic
 *	database, gconv modules, config); after this it can only compute on
 *	the memfds it is handed and hand memfds back.
 * DESCRIPTION
 *	Default action: kill the whole process (SECCOMP_RET_KILL_PROCESS), so
 *	a compromised handler cannot try its way around the filter. ioctl
 *	answers ENOTTY because stdio and GLib probe whether stderr is a tty.
 *	Executable mappings are refused: a worker has no reason to make code.
 *
 *	open/openat trap into sigsys_handler(): a mail may name any charset,
 *	and iconv then tries to load a gconv module from disk. For those paths
 *	only the handler answers ENOENT, so iconv reports an unknown charset
 *	instead of the worker dying; any other open re-raises SIGSYS with the
 *	default action and the worker dies exactly as if the filter killed it.
 *	The handler can be replaced (rt_sigaction is allowed for SIGSYS only),
 *	but a trapped call never reaches the kernel whatever a handler does.
 *
 *	Data files a library reads by name as it goes (poppler's CMaps, for
 *	Japanese PDF text) are read into memory before the filter by
 *	cdr_sandbox_preload(); the handler answers a read-only open of one of
 *	those exact paths with a new memfd holding the copy, so no file is
 *	ever opened inside the sandbox and no path is resolved by the kernel.
 */
#include "sandbox.h"

/* libseccomp's SCMP_Ax() argument macros leave a field to zero-initialization */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#include <errno.h>
#include <gio/gio.h>
#include <fcntl.h>
#include <seccomp.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

gboolean
cdr_sandbox_limits_address_space(void)
{
	return !UNDER_ASAN;
}

static gboolean
set_limit(int resource, rlim_t soft, rlim_t hard, const char *what, GError **error)
{
	struct rlimit rl = { .rlim_cur = soft, .rlim_max = hard };
	if (setrlimit(resource, &rl) == 0)
		return TRUE;
	g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "setrlimit(%s): %s", what,
		    g_strerror(errno));
	return FALSE;
}

static gboolean
apply_rlimits(const struct cdr_policy *p, GError **error)
{
	/* The front end lowers the CPU soft limit per job (pool.c); the hard
	 * limit caps a worker's whole life. */
	rlim_t cpu_life = (rlim_t)MIN(p->job_cpu_seconds * (p->jobs_per_worker + 1), 1000000);
	rlim_t out_max = (rlim_t)(p->max_expanded_bytes + p->max_input_bytes);

	if (!set_limit(RLIMIT_CORE, 0, 0, "RLIMIT_CORE", error) ||
	    !set_limit(RLIMIT_NOFILE, 32, 32, "RLIMIT_NOFILE", error) ||
	    !set_limit(RLIMIT_FSIZE, out_max, out_max, "RLIMIT_FSIZE", error) ||
	    !set_limit(RLIMIT_CPU, (rlim_t)p->job_cpu_seconds, cpu_life, "RLIMIT_CPU", error))
		return FALSE;
	if (cdr_sandbox_limits_address_space() &&
	    !set_limit(RLIMIT_AS, (rlim_t)p->worker_memory_bytes, (rlim_t)p->worker_memory_bytes,
		       "RLIMIT_AS", error))
		return FALSE;
	return TRUE;
}

#if defined(__x86_64__)
static gboolean
is_gconv_path(const char *path)
{
	return path && strncmp(path, "/usr/lib/", 9) == 0 && strstr(path, "/gconv/");
}

/* cdr_sandbox_preload(): fixed before the filter, only read after it */
struct preloaded_file {
	char *path;
	GBytes *bytes;
};
static struct preloaded_file *preloaded;
static gsize n_preloaded;
static char *preload_root;

static gboolean
add_preloaded_dir(GArray *files, const char *dir, GError **error)
{
	g_autoptr(GError) local = NULL;
	GDir *d = g_dir_open(dir, 0, &local);
	if (!d && g_error_matches(local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
		return TRUE; /* not installed: the library does without */
	if (!d) {
		g_propagate_error(error, g_steal_pointer(&local));
		return FALSE;
	}
	for (const char *name; (name = g_dir_read_name(d));) {
		struct preloaded_file f = { g_build_filename(dir, name, NULL), NULL };
		/* mapped, not read: only the pages a library reads are paged in
		 * (from the page cache, no system call), so the 3.5 MB of CMaps
		 * cost nothing until a PDF needs one */
		GMappedFile *map = g_file_test(f.path, G_FILE_TEST_IS_REGULAR)
					   ? g_mapped_file_new(f.path, FALSE, NULL)
					   : NULL;
		if (!map) {
			g_free(f.path);
			continue;
		}
		f.bytes = g_mapped_file_get_bytes(map);
		g_mapped_file_unref(map); /* the bytes keep the mapping */
		g_array_append_val(files, f);
	}
	g_dir_close(d);
	return TRUE;
}

gboolean
cdr_sandbox_preload(const char *root, const char *const *dirs, GError **error)
{
	if (preload_root) {
		if (strcmp(preload_root, root) == 0)
			return TRUE; /* once per process */
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_EXISTS, "preload: one root only");
		return FALSE;
	}
	GArray *files = g_array_new(FALSE, TRUE, sizeof(struct preloaded_file));
	for (; *dirs; dirs++)
		if (!add_preloaded_dir(files, *dirs, error)) {
			g_array_free(files, TRUE); /* leaks the few read so far: start-up only */
			return FALSE;
		}
	n_preloaded = files->len;
	preloaded = (struct preloaded_file *)(void *)g_array_free(files, FALSE);
	preload_root = g_strdup(root);
	return TRUE;
}

/* A memfd with a preloaded file's bytes, or -errno (signal handler:
 * raw system calls only). */
static long
open_preloaded(const struct preloaded_file *f)
{
	gsize len;
	const guint8 *data = g_bytes_get_data(f->bytes, &len);
	long fd = syscall(SYS_memfd_create, "preloaded", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (gsize done = 0; done < len;) {
		long n = syscall(SYS_write, fd, data + done, len - done);
		if (n <= 0) {
			syscall(SYS_close, fd);
			return n < 0 ? -errno : -EIO;
		}
		done += (gsize)n;
	}
	syscall(SYS_lseek, fd, 0, SEEK_SET);
	return fd;
}

/* TRUE when the trapped open is answered (preloaded file or ENOENT). */
static gboolean
answer_preloaded(const char *path, long flags, greg_t *rax)
{
	if (!path || !preload_root || strncmp(path, preload_root, strlen(preload_root)) != 0)
		return FALSE;
	if ((flags & O_ACCMODE) != O_RDONLY || (flags & (O_CREAT | O_TRUNC)))
		return FALSE;
	for (gsize i = 0; i < n_preloaded; i++)
		if (strcmp(path, preloaded[i].path) == 0 && !(flags & O_DIRECTORY)) {
			*rax = open_preloaded(&preloaded[i]);
			return TRUE;
		}
	*rax = -ENOENT;
	return TRUE;
}

static void
sigsys_handler(int sig, siginfo_t *info, void *context)
{
	greg_t *regs = ((ucontext_t *)context)->uc_mcontext.gregs;
	const char *path = NULL;
	long flags = 0;
	if (info->si_syscall == SYS_openat) {
		path = (const char *)regs[REG_RSI];
		flags = (long)regs[REG_RDX];
	} else if (info->si_syscall == SYS_open) {
		path = (const char *)regs[REG_RDI];
		flags = (long)regs[REG_RSI];
	}
	if (is_gconv_path(path)) {
		regs[REG_RAX] = -ENOENT;
		return;
	}
	int saved_errno = errno;
	gboolean answered = answer_preloaded(path, flags, &regs[REG_RAX]);
	errno = saved_errno;
	if (answered)
		return;
	/* die of SIGSYS: default action, raised again (blocked until we return) */
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	sigaction(SIGSYS, &dfl, NULL);
	syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGSYS);
}

static gboolean
install_sigsys_handler(void)
{
	struct sigaction sa = { .sa_sigaction = sigsys_handler, .sa_flags = SA_SIGINFO };
	return sigaction(SIGSYS, &sa, NULL) == 0;
}
#define OPEN_ACTION SCMP_ACT_TRAP
#else
gboolean
cdr_sandbox_preload(const char *root, const char *const *dirs, GError **error)
{
	return TRUE; /* nothing served: opens kill the worker as before */
}

static gboolean
install_sigsys_handler(void)
{
	return TRUE;
}
#define OPEN_ACTION SCMP_ACT_KILL_PROCESS
#endif

#define ALLOW(call) rc = rc ? rc : seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(call), 0)
#define ALLOW_IF(call, ...)                                                                        \
	rc = rc ? rc : seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(call), __VA_ARGS__)

/*
 * Threads, for libheif: its HEVC decoder (libde265) starts a worker thread
 * per image. A thread shares the process and its filter, so it can do no
 * more than the thread that made it. clone is allowed only with
 * CLONE_THREAD (a new process would be a way out of the rlimits' count);
 * clone3 passes its flags in memory the filter cannot see, so it fails
 * with ENOSYS and glibc falls back to clone. A new thread registers its
 * robust futex list and rseq area. glibc sets up a process's threading on
 * its first thread (signal handlers for cancellation and setxid, which the
 * filter refuses), so one thread is started and joined before the filter.
 */
static gpointer
do_nothing(gpointer data)
{
	return data;
}

static gboolean
warm_up_threads(GError **error)
{
	GThread *t = g_thread_try_new("warm-up", do_nothing, NULL, error);
	if (!t)
		return FALSE;
	g_thread_join(t);
	return TRUE;
}

static int
add_thread_rules(scmp_filter_ctx ctx)
{
	int rc = 0;
	ALLOW_IF(clone, 1, SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD));
	rc = rc ? rc : seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
	ALLOW(set_robust_list);
	ALLOW(rseq);
	if (UNDER_ASAN) {
		/* AddressSanitizer's thread start reads its stack bounds
		 * (pthread_getattr_np asks for the CPU affinity) and gives the
		 * thread its own alternate signal stack */
		ALLOW(sched_getaffinity);
		ALLOW(sigaltstack);
	}
	return rc;
}

static int
add_rules(scmp_filter_ctx ctx)
{
	int rc = 0;

	/* I/O on descriptors we already hold */
	ALLOW(read);
	ALLOW(write);
	ALLOW(readv);
	ALLOW(writev);
	ALLOW(pread64);
	ALLOW(pwrite64);
	ALLOW(lseek);
	ALLOW(close);
	ALLOW(fstat);
	ALLOW_IF(newfstatat, 1, SCMP_A3(SCMP_CMP_MASKED_EQ, AT_EMPTY_PATH, AT_EMPTY_PATH));
	ALLOW(recvmsg);
	ALLOW(sendmsg);
	ALLOW(sendto);
	ALLOW(recvfrom);
	ALLOW(memfd_create);
	ALLOW(ftruncate);
	ALLOW_IF(fcntl, 1, SCMP_A1(SCMP_CMP_EQ, F_ADD_SEALS));
	ALLOW_IF(fcntl, 1, SCMP_A1(SCMP_CMP_EQ, F_GET_SEALS));
	ALLOW_IF(fcntl, 1, SCMP_A1(SCMP_CMP_EQ, F_GETFD));
	ALLOW_IF(fcntl, 1, SCMP_A1(SCMP_CMP_EQ, F_GETFL));
	/* memory, never executable */
	ALLOW(brk);
	ALLOW_IF(mmap, 1, SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	ALLOW_IF(mprotect, 1, SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	ALLOW(munmap);
	ALLOW(mremap);
	ALLOW(madvise);
	/* process basics */
	ALLOW(exit);
	ALLOW(exit_group);
	ALLOW(rt_sigreturn);
	ALLOW(rt_sigprocmask);
	ALLOW(futex);
	ALLOW(getpid);
	ALLOW(gettid);
	ALLOW(getrandom);
	ALLOW(clock_gettime);
	ALLOW(gettimeofday);
	ALLOW(getrusage);
	ALLOW(sched_yield);
	/* AddressSanitizer's longjmp (libjpeg and libpng errors) asks for the
	 * current signal stack; only asking, never setting, is allowed */
	ALLOW_IF(sigaltstack, 1, SCMP_A0(SCMP_CMP_EQ, 0));
	/* abort() signals itself; only itself */
	ALLOW_IF(tgkill, 1, SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)getpid()));
	rc = rc ? rc : seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOTTY), SCMP_SYS(ioctl), 0);
	/* see sigsys_handler(): gconv module loads fail softly, the rest dies */
	rc = rc ? rc : seccomp_rule_add(ctx, OPEN_ACTION, SCMP_SYS(openat), 0);
	rc = rc ? rc : seccomp_rule_add(ctx, OPEN_ACTION, SCMP_SYS(open), 0);
	ALLOW_IF(rt_sigaction, 1, SCMP_A0(SCMP_CMP_EQ, SIGSYS));
	rc = rc ? rc : add_thread_rules(ctx);
	return rc;
}

gboolean
cdr_sandbox_apply(const struct cdr_policy *p, GError **error)
{
	/* Output beyond RLIMIT_FSIZE must fail with EFBIG, not kill us. */
	signal(SIGXFSZ, SIG_IGN);
	if (!install_sigsys_handler()) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot handle SIGSYS");
		return FALSE;
	}
	if (!apply_rlimits(p, error) || !warm_up_threads(error))
		return FALSE;

	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	if (!ctx) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "seccomp_init failed");
		return FALSE;
	}
	int rc = add_rules(ctx);
	if (rc == 0)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc != 0) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "seccomp: %s", g_strerror(-rc));
		return FALSE;
	}
	return TRUE;
}
