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
 */
#include "sandbox.h"

/* libseccomp's SCMP_Ax() argument macros leave a field to zero-initialization */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#include <errno.h>
#include <gio/gio.h>
#include <fcntl.h>
#include <seccomp.h>
#include <signal.h>
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

#define ALLOW(call) rc = rc ? rc : seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(call), 0)
#define ALLOW_IF(call, ...)                                                                        \
	rc = rc ? rc : seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(call), __VA_ARGS__)

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
	return rc;
}

gboolean
cdr_sandbox_apply(const struct cdr_policy *p, GError **error)
{
	/* Output beyond RLIMIT_FSIZE must fail with EFBIG, not kill us. */
	signal(SIGXFSZ, SIG_IGN);
	if (!apply_rlimits(p, error))
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
