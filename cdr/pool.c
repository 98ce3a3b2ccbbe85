/*
 * NAME
 *	pool.c - start, feed, watch and recycle cdr-worker processes
 * SUMMARY
 *	Workers are started with posix_spawn (never fork in a threaded
 *	process) with the socket on fd 3 and the serialized policy on fd 4.
 *	Per job the pool sets the worker's CPU soft limit, sends the input
 *	memfd, and waits for the reply until the wall-time limit. Every way
 *	a job can go wrong ends in a BLOCKED report naming the cause.
 * DESCRIPTION
 *	Replies are not trusted blindly: the report must parse, its verdict
 *	must match the header, and output must come as a sealed memfd only
 *	when the verdict allows output.
 *
 *	In the middle of a job a worker may hand bytes back for the front
 *	end's virus scanner (a zip member it decrypted: clamd saw only the
 *	ciphertext in the original). The thread serving the job asks the
 *	scanner registered with cdr_pool_set_scanner(), answers, and waits
 *	on; the scan's time does not count against job_wall_seconds. A
 *	worker that sends more such requests than a job can have objects, or
 *	malformed ones, is stopped like one that sends a malformed reply.
 */
#include "pool.h"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "names.h"
#include "wire.h"
#include "worker.h"

extern char **environ;

struct worker {
	pid_t pid; /* 0 = not running */
	int sock;
	unsigned jobs;
	gboolean busy;
};

struct cdr_pool {
	const struct cdr_policy *policy;
	char *worker_path;
	char *policy_data;
	gsize policy_len;
	GMutex lock;
	GCond idle;
	struct worker *workers;
	unsigned n;
	unsigned spawned;
	cdr_pool_scan_fn scan;
	gpointer scan_data;
};

char *
cdr_pool_find_worker(void)
{
	const char *env = g_getenv("MUGAIKA_WORKER");
	if (env && *env)
		return g_strdup(env);
	g_autofree char *self = g_file_read_link("/proc/self/exe", NULL);
	if (self) {
		g_autofree char *dir = g_path_get_dirname(self);
		g_autofree char *built = g_build_filename(dir, "..", "cdr-worker", NULL);
		g_autofree char *marker = g_build_filename(dir, "..", "meson-private", NULL);
		if (g_file_test(marker, G_FILE_TEST_IS_DIR) &&
		    g_file_test(built, G_FILE_TEST_IS_EXECUTABLE))
			return g_steal_pointer(&built);
	}
	return g_build_filename(MUGAIKA_LIBEXECDIR, "cdr-worker", NULL);
}

struct cdr_pool *
cdr_pool_new(const struct cdr_policy *policy, const char *worker_path, unsigned workers,
	     GError **error)
{
	struct cdr_pool *pool = g_new0(struct cdr_pool, 1);
	pool->policy = policy;
	pool->worker_path = worker_path ? g_strdup(worker_path) : cdr_pool_find_worker();
	if (!g_file_test(pool->worker_path, G_FILE_TEST_IS_EXECUTABLE)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
			    "worker program %s not found (set MUGAIKA_WORKER)", pool->worker_path);
		g_free(pool->worker_path);
		g_free(pool);
		return NULL;
	}
	pool->policy_data = cdr_policy_to_data(policy, &pool->policy_len);
	pool->n = MAX(workers, 1);
	pool->workers = g_new0(struct worker, pool->n);
	g_mutex_init(&pool->lock);
	g_cond_init(&pool->idle);
	return pool;
}

static void
stop_worker(struct worker *w)
{
	if (!w->pid)
		return;
	close(w->sock);
	kill(w->pid, SIGKILL);
	while (waitpid(w->pid, NULL, 0) < 0 && errno == EINTR)
		;
	w->pid = 0;
	w->jobs = 0;
}

void
cdr_pool_set_scanner(struct cdr_pool *pool, cdr_pool_scan_fn scan, gpointer data)
{
	pool->scan = scan;
	pool->scan_data = data;
}

void
cdr_pool_free(struct cdr_pool *pool)
{
	if (!pool)
		return;
	for (unsigned i = 0; i < pool->n; i++)
		stop_worker(&pool->workers[i]);
	g_mutex_clear(&pool->lock);
	g_cond_clear(&pool->idle);
	g_free(pool->workers);
	g_free(pool->worker_path);
	g_free(pool->policy_data);
	g_free(pool);
}

void
cdr_pool_free_at_exit(struct cdr_pool *pool)
{
	for (unsigned i = 0; pool && i < pool->n; i++) {
		struct worker *w = &pool->workers[i];
		if (!w->pid)
			continue;
		close(w->sock);
		kill(w->pid, SIGKILL);
		w->pid = 0;
	}
	cdr_pool_free(pool);
}

unsigned
cdr_pool_spawn_count(struct cdr_pool *pool)
{
	g_mutex_lock(&pool->lock);
	unsigned n = pool->spawned;
	g_mutex_unlock(&pool->lock);
	return n;
}

static gboolean
start_worker(struct cdr_pool *pool, struct worker *w, GError **error)
{
	int sv[2] = { -1, -1 };
	int policy_fd = -1;
	posix_spawn_file_actions_t fa;
	char *argv[] = { pool->worker_path, (char *)"--worker", NULL };
	int rc;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
		goto fail_errno;
	policy_fd = cdr_memfd_from_bytes("cdr-policy", pool->policy_data, pool->policy_len);
	if (policy_fd < 0)
		goto fail_errno;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, sv[1], CDR_WORKER_SOCKET_FD);
	posix_spawn_file_actions_adddup2(&fa, policy_fd, CDR_WORKER_POLICY_FD);
	posix_spawn_file_actions_addclosefrom_np(&fa, CDR_WORKER_POLICY_FD + 1);
	/* a front end may block signals for a signal thread (cdr-milter):
	 * workers start with none blocked and default dispositions */
	posix_spawnattr_t attr;
	sigset_t none, all;
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &all);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	rc = posix_spawn(&w->pid, pool->worker_path, &fa, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	close(sv[1]);
	close(policy_fd);
	if (rc != 0) {
		close(sv[0]);
		w->pid = 0;
		g_set_error(error, G_IO_ERROR, g_io_error_from_errno(rc), "cannot start %s: %s",
			    pool->worker_path, g_strerror(rc));
		return FALSE;
	}
	w->sock = sv[0];
	w->jobs = 0;
	g_mutex_lock(&pool->lock);
	pool->spawned++;
	g_mutex_unlock(&pool->lock);
	return TRUE;

fail_errno:
	g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "cannot start a worker: %s",
		    g_strerror(errno));
	if (sv[0] >= 0) {
		close(sv[0]);
		close(sv[1]);
	}
	return FALSE;
}

/* CPU seconds the process has used, from /proc/PID/stat; -1 if unknown. */
static long
cpu_seconds_used(pid_t pid)
{
	g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int)pid);
	g_autofree char *text = NULL;
	if (!g_file_get_contents(path, &text, NULL, NULL))
		return -1;
	const char *p = strrchr(text, ')');
	if (!p)
		return -1;
	/* after ")": state(3) ... utime(14) stime(15) */
	g_auto(GStrv) f = g_strsplit(p + 2, " ", 16);
	if (g_strv_length(f) < 14)
		return -1;
	long ticks = sysconf(_SC_CLK_TCK);
	guint64 used = g_ascii_strtoull(f[11], NULL, 10) + g_ascii_strtoull(f[12], NULL, 10);
	return (long)(used / (guint64)(ticks > 0 ? ticks : 100));
}

/* Give the worker job_cpu_seconds more CPU time from now (soft limit).
 * FALSE when its lifetime hard limit does not allow that: recycle it. */
static gboolean
arm_cpu_limit(const struct cdr_policy *p, pid_t pid)
{
	struct rlimit old, rl;
	long used = cpu_seconds_used(pid);
	if (used < 0 || prlimit(pid, RLIMIT_CPU, NULL, &old) != 0)
		return FALSE;
	rl.rlim_cur = (rlim_t)used + (rlim_t)p->job_cpu_seconds + 1;
	rl.rlim_max = old.rlim_max;
	if (rl.rlim_cur > rl.rlim_max)
		return FALSE;
	return prlimit(pid, RLIMIT_CPU, &rl, NULL) == 0;
}

void
cdr_pool_prestart(struct cdr_pool *pool)
{
	struct worker *w = &pool->workers[0];
	g_autoptr(GError) error = NULL;

	g_mutex_lock(&pool->lock);
	gboolean take = !w->busy && !w->pid;
	if (take)
		w->busy = TRUE;
	g_mutex_unlock(&pool->lock);
	if (!take)
		return;
	/* its CPU limit is armed by the first job, as for a worker started
	 * then; until that job it holds the limits it sets itself */
	(void)start_worker(pool, w, &error);
	g_mutex_lock(&pool->lock);
	w->busy = FALSE;
	g_cond_signal(&pool->idle);
	g_mutex_unlock(&pool->lock);
}

enum job_outcome { JOB_REPLY, JOB_DIED, JOB_TIMEOUT, JOB_BAD_REPLY };

struct job_reply {
	struct cdr_wire_header h;
	int fds[CDR_WIRE_MAX_FDS];
	unsigned nfds;
	char fatal[1025]; /* last FATAL message, "" if none */
};

/* The answer to a worker's scan request: the registered scanner's, or
 * "no scanner" (the object then fails, closed). */
static gboolean
answer_scan(struct cdr_pool *pool, struct worker *w, int fd, const char *name)
{
	g_autofree char *detail = NULL;
	enum cdr_scan_result r = CDR_SCAN_FAILED;
	if (pool->scan)
		r = pool->scan(fd, name, &detail, pool->scan_data);
	else
		detail = g_strdup("no virus scanner in this program");
	if ((unsigned)r >= CDR_SCAN_COUNT)
		r = CDR_SCAN_FAILED;
	const char *text = detail ? detail : "";
	struct cdr_wire_header h = {
		.magic = CDR_WIRE_MAGIC, .kind = CDR_WIRE_SCAN_RESULT,
		.len = (guint32)MIN(strlen(text), CDR_WIRE_MAX_DETAIL), .verdict = r,
	};
	return cdr_wire_send(w->sock, &h, text, NULL, 0);
}

static enum job_outcome
await_reply(struct cdr_pool *pool, struct worker *w, gint64 deadline, struct job_reply *r)
{
	guint64 scans = 0;
	for (;;) {
		gint64 left_ms = (deadline - g_get_monotonic_time()) / 1000;
		if (left_ms <= 0)
			return JOB_TIMEOUT;
		struct pollfd pfd = { .fd = w->sock, .events = POLLIN };
		int rc = poll(&pfd, 1, (int)MIN(left_ms, G_MAXINT));
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc == 0)
			return JOB_TIMEOUT;
		struct {
			struct cdr_wire_header h;
			char payload[CDR_WIRE_MAX_SCAN_NAME + 1];
		} msg;
		gssize n = cdr_wire_recv(w->sock, &msg, sizeof(msg) - 1, r->fds, &r->nfds);
		if (n == 0 || (n < 0 && errno != EBADMSG))
			return JOB_DIED;
		if (n < 0)
			return JOB_BAD_REPLY;
		msg.payload[msg.h.len] = '\0';
		if (msg.h.kind == CDR_WIRE_FATAL) {
			g_strlcpy(r->fatal, msg.payload, sizeof(r->fatal));
			for (unsigned i = 0; i < r->nfds; i++)
				close(r->fds[i]);
			r->nfds = 0;
			continue;
		}
		if (msg.h.kind == CDR_WIRE_SCAN) {
			gboolean well_formed = r->nfds == 1 && cdr_memfd_is_sealed(r->fds[0]) &&
					       ++scans <= pool->policy->max_children + 16;
			gint64 start = g_get_monotonic_time();
			gboolean answered = well_formed && answer_scan(pool, w, r->fds[0], msg.payload);
			for (unsigned i = 0; i < r->nfds; i++)
				close(r->fds[i]);
			r->nfds = 0;
			if (!well_formed)
				return JOB_BAD_REPLY;
			if (!answered)
				return JOB_DIED;
			deadline += g_get_monotonic_time() - start;
			continue;
		}
		r->h = msg.h;
		return msg.h.kind == CDR_WIRE_REPLY ? JOB_REPLY : JOB_BAD_REPLY;
	}
}

/* Why did the worker die? Reaps it. */
static struct cdr_report *
report_death(const struct cdr_policy *p, struct worker *w, const char *name, const char *fatal)
{
	int status = 0;
	struct rusage ru = { 0 };
	struct cdr_report *r = cdr_report_new(name);
	g_autofree char *why = NULL;
	enum cdr_error code = CDR_E_CRASH;

	close(w->sock);
	kill(w->pid, SIGKILL); /* no effect on one already dead; never wait on a live one */
	while (wait4(w->pid, &status, 0, &ru) < 0 && errno == EINTR)
		;
	w->pid = 0;
	gboolean near_memory_limit = (guint64)ru.ru_maxrss * 1024 >= p->worker_memory_bytes / 10 * 8;

	if (*fatal && (strstr(fatal, "allocate") || strstr(fatal, "memory"))) {
		code = CDR_E_MEMORY;
		why = g_strdup_printf("ran out of memory (worker_memory_bytes %" G_GUINT64_FORMAT
				      "): %s", p->worker_memory_bytes, fatal);
	} else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS) {
		code = CDR_E_SANDBOX;
		why = g_strdup("worker killed by the sandbox: forbidden system call");
	} else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGXCPU) {
		code = CDR_E_CPU;
		why = g_strdup_printf("used more than job_cpu_seconds (%" G_GUINT64_FORMAT
				      ") of CPU time", p->job_cpu_seconds);
	} else if (WIFSIGNALED(status) && near_memory_limit) {
		code = CDR_E_MEMORY;
		why = g_strdup_printf("worker died (%s) at its memory limit (worker_memory_bytes %"
				      G_GUINT64_FORMAT ")",
				      g_strsignal(WTERMSIG(status)), p->worker_memory_bytes);
	} else if (WIFSIGNALED(status)) {
		why = g_strdup_printf("worker crashed (%s)", g_strsignal(WTERMSIG(status)));
	} else if (*fatal) {
		why = g_strdup_printf("worker failed: %s", fatal);
	} else {
		why = g_strdup_printf("worker exited unexpectedly (status %d)",
				      WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	}
	cdr_report_block(r, code, why);
	return r;
}

static struct cdr_report *
blocked(const char *name, enum cdr_error code, const char *why)
{
	struct cdr_report *r = cdr_report_new(name);
	cdr_report_block(r, code, why);
	return r;
}

/*
 * The front end writes files under the names a worker reports: a worker
 * that was taken over must not be able to name them "../x" or "run.exe".
 */
static gboolean
output_name_is_safe(struct cdr_report *r, const char *name)
{
	g_free(r->name);
	r->name = g_strdup(name);
	if (r->verdict == CDR_BLOCKED)
		return TRUE;
	g_autofree char *why = NULL;
	if (!r->out_name || cdr_name_is_dangerous(r->out_name, NULL, &why))
		return FALSE;
	g_autofree char *clean = cdr_name_sanitize(r->out_name);
	return strcmp(clean, r->out_name) == 0;
}

/* Turn a REPLY into a report and output fd, checking it is consistent. */
static struct cdr_report *
accept_reply(struct job_reply *rep, const char *name, int *out_fd)
{
	gsize len = 0;
	struct cdr_report *r = NULL;
	gboolean wants_output = rep->h.verdict != CDR_BLOCKED;

	if (rep->nfds != (wants_output ? 2u : 1u) || !cdr_memfd_is_sealed(rep->fds[0]) ||
	    (wants_output && !cdr_memfd_is_sealed(rep->fds[1])))
		goto bad;
	guint8 *json = cdr_map_fd(rep->fds[0], &len);
	if (!json)
		goto bad;
	r = cdr_report_from_json_string((const char *)json, len, NULL);
	cdr_unmap(json, len);
	if (!r || r->verdict != rep->h.verdict || !output_name_is_safe(r, name))
		goto bad;
	close(rep->fds[0]);
	*out_fd = wants_output ? rep->fds[1] : -1;
	return r;
bad:
	cdr_report_free(r);
	for (unsigned i = 0; i < rep->nfds; i++)
		close(rep->fds[i]);
	return NULL;
}

static struct cdr_report *
run_on_worker(struct cdr_pool *pool, struct worker *w, int in_fd, const char *name,
	      const struct cdr_run_params *params, int *out_fd)
{
	const struct cdr_policy *p = pool->policy;
	g_autoptr(GError) error = NULL;
	struct job_reply rep = { .nfds = 0, .fatal = "" };

	if (w->pid && !arm_cpu_limit(p, w->pid))
		stop_worker(w); /* lifetime CPU budget spent: start afresh */
	if (!w->pid) {
		if (!start_worker(pool, w, &error))
			return blocked(name, CDR_E_INTERNAL, error->message);
		if (!arm_cpu_limit(p, w->pid)) {
			stop_worker(w);
			return blocked(name, CDR_E_INTERNAL, "cannot set the worker's CPU limit");
		}
	}

	GString *request = g_string_new_len(name, name ? (gssize)MIN(strlen(name), CDR_WIRE_MAX_NAME) : 0);
	/* name NUL mode NUL id NUL handler NUL passwords NUL infected NUL
	 * mail-build NUL mask NUL links NUL release-url (worker.c reads it) */
	const char *fields[] = { params->mail_mode, params->quarantine_id, params->handler,
				 params->passwords, params->infected, params->mail_build,
				 params->mask,      params->mail_links, params->release_url };
	for (gsize i = 0; i < G_N_ELEMENTS(fields); i++) {
		g_string_append_c(request, '\0');
		g_string_append(request, fields[i] ? fields[i] : "");
	}
	struct cdr_wire_header h = {
		.magic = CDR_WIRE_MAGIC, .kind = CDR_WIRE_REQUEST, .len = (guint32)request->len,
	};
	gint64 deadline = g_get_monotonic_time() + (gint64)p->job_wall_seconds * G_USEC_PER_SEC;
	w->jobs++;
	gboolean sent = cdr_wire_send(w->sock, &h, request->str, &in_fd, 1);
	g_string_free(request, TRUE);
	if (!sent)
		return report_death(p, w, name, "");

	switch (await_reply(pool, w, deadline, &rep)) {
	case JOB_REPLY: {
		struct cdr_report *r = accept_reply(&rep, name, out_fd);
		if (r)
			return r;
		stop_worker(w);
		return blocked(name, CDR_E_INTERNAL, "malformed reply from the worker");
	}
	case JOB_TIMEOUT:
		stop_worker(w);
		{
			g_autofree char *why = g_strdup_printf(
				"took longer than job_wall_seconds (%" G_GUINT64_FORMAT ")",
				p->job_wall_seconds);
			return blocked(name, CDR_E_TIMEOUT, why);
		}
	case JOB_BAD_REPLY:
		stop_worker(w);
		return blocked(name, CDR_E_INTERNAL, "malformed message from the worker");
	case JOB_DIED:
		break;
	}
	return report_death(p, w, name, rep.fatal);
}

struct cdr_report *
cdr_pool_run(struct cdr_pool *pool, int in_fd, const char *name, int *out_fd)
{
	return cdr_pool_run_with(pool, in_fd, name, NULL, out_fd);
}

struct cdr_report *
cdr_pool_run_with(struct cdr_pool *pool, int in_fd, const char *name,
		  const struct cdr_run_params *params, int *out_fd)
{
	static const struct cdr_run_params none = { 0 };
	struct worker *w = NULL;

	*out_fd = -1;
	if (!params)
		params = &none;
	if (!cdr_run_params_valid(params))
		return blocked(name, CDR_E_INTERNAL, "invalid run parameters");
	g_mutex_lock(&pool->lock);
	while (!w) {
		for (unsigned i = 0; i < pool->n && !w; i++)
			if (!pool->workers[i].busy)
				w = &pool->workers[i];
		if (!w)
			g_cond_wait(&pool->idle, &pool->lock);
	}
	w->busy = TRUE;
	g_mutex_unlock(&pool->lock);

	struct cdr_report *r = run_on_worker(pool, w, in_fd, name, params, out_fd);
	if (w->pid && w->jobs >= pool->policy->jobs_per_worker)
		stop_worker(w);

	g_mutex_lock(&pool->lock);
	w->busy = FALSE;
	g_cond_signal(&pool->idle);
	g_mutex_unlock(&pool->lock);
	return r;
}
