/*
 * NAME
 *	sendmail.c - submit one message with sendmail(1)
 * SUMMARY
 *	"PROGRAM -i -f SENDER -- RCPT...", the message (CRLF turned into LF,
 *	as sendmail expects local input) on standard input from a memory
 *	file, standard output and error captured in another. The program is
 *	started with posix_spawn (the front ends are threaded: never fork)
 *	and waited for at most [release] timeout, then killed.
 * DESCRIPTION
 *	Exit status 0: queued. EX_TEMPFAIL and the other statuses of a
 *	passing trouble (EX_UNAVAILABLE, EX_OSERR, EX_CANTCREAT, EX_IOERR), a
 *	signal, a timeout or a program that cannot be started: try again
 *	later. Any other status (a usage or data error): refused. Postfix's
 *	sendmail names no queue id. The null sender is written "<>".
 */
#include "submit-private.h"

#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>

#define OUTPUT_SHOWN 400 /* bytes of sendmail's complaint in the reply */
#define WAIT_STEP_US 5000

extern char **environ;

/* A memory file with the message, lines ending in LF; -1 with errno. */
static int
message_file(const guint8 *m, gsize len)
{
	int fd = memfd_create("mugaika-submit", MFD_CLOEXEC);
	if (fd < 0)
		return -1;
	GByteArray *lf = g_byte_array_sized_new((guint)MIN(len + 1, (gsize)G_MAXUINT));
	for (gsize i = 0; i < len; i++)
		if (!(m[i] == '\r' && i + 1 < len && m[i + 1] == '\n'))
			g_byte_array_append(lf, m + i, 1);
	gboolean ok = TRUE;
	for (gsize done = 0; ok && done < lf->len;) {
		ssize_t n = write(fd, lf->data + done, lf->len - done);
		if (n < 0 && errno == EINTR)
			continue;
		ok = n > 0;
		done += ok ? (gsize)n : 0;
	}
	g_byte_array_unref(lf);
	if (!ok || lseek(fd, 0, SEEK_SET) != 0) {
		int saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

static char *
printable_output(int fd)
{
	char buf[OUTPUT_SHOWN + 1];
	ssize_t n = pread(fd, buf, OUTPUT_SHOWN, 0);
	GString *s = g_string_new(NULL);
	for (ssize_t i = 0; i < n; i++)
		g_string_append_c(s, (guchar)buf[i] >= 0x20 && (guchar)buf[i] < 0x7f ? buf[i] : ' ');
	return g_strstrip(g_string_free(s, FALSE));
}

static pid_t
start(const char *program, char **argv, int in, int out, int *err)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, all;
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in, STDIN_FILENO);
	posix_spawn_file_actions_adddup2(&fa, out, STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, out, STDERR_FILENO);
	posix_spawn_file_actions_addclosefrom_np(&fa, STDERR_FILENO + 1);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &all);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	pid_t pid = 0;
	*err = posix_spawn(&pid, program, &fa, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	return *err ? -1 : pid;
}

/* Wait for pid until the deadline; FALSE (the process killed) after it. */
static gboolean
wait_within(pid_t pid, gint64 deadline, int *status)
{
	for (;;) {
		pid_t got = waitpid(pid, status, WNOHANG);
		if (got == pid)
			return TRUE;
		if (got < 0 && errno != EINTR)
			return FALSE;
		if (g_get_monotonic_time() >= deadline) {
			kill(pid, SIGKILL);
			while (waitpid(pid, status, 0) < 0 && errno == EINTR)
				;
			return FALSE;
		}
		g_usleep(WAIT_STEP_US);
	}
}

static enum submit_status
status_of_exit(int status)
{
	if (!WIFEXITED(status))
		return SUBMIT_TEMPFAIL;
	switch (WEXITSTATUS(status)) {
	case EX_OK:
		return SUBMIT_SENT;
	case EX_TEMPFAIL:
	case EX_UNAVAILABLE:
	case EX_OSERR:
	case EX_CANTCREAT:
	case EX_IOERR:
		return SUBMIT_TEMPFAIL;
	default:
		return SUBMIT_REFUSED;
	}
}

void
submit_by_sendmail(const char *program, const struct submit_options *o,
		   const guint8 *message, gsize len, struct submit_result *r)
{
	const char *sender = submit_sender(o);
	g_autoptr(GPtrArray) argv = g_ptr_array_new();
	g_ptr_array_add(argv, (char *)program);
	g_ptr_array_add(argv, (char *)"-i");
	g_ptr_array_add(argv, (char *)"-f");
	g_ptr_array_add(argv, (char *)(*sender ? sender : "<>"));
	g_ptr_array_add(argv, (char *)"--");
	for (guint i = 0; i < r->recipients->len; i++) {
		struct submit_recipient *rc = r->recipients->pdata[i];
		if (rc->status == SUBMIT_SENT)
			g_ptr_array_add(argv, rc->address);
	}
	g_ptr_array_add(argv, NULL);

	int in = message_file(message, len);
	int out = memfd_create("mugaika-sendmail-output", MFD_CLOEXEC);
	int err = errno, status = 0;
	pid_t pid = in >= 0 && out >= 0 ? start(program, (char **)argv->pdata, in, out, &err) : -1;
	if (pid < 0) {
		submit_decide(r, SUBMIT_TEMPFAIL, "cannot run %s: %s", program, g_strerror(err));
	} else if (!wait_within(pid, sockio_deadline_in(o->connect_ms + o->io_ms), &status)) {
		submit_decide(r, SUBMIT_TEMPFAIL, "%s did not finish within [release] timeout",
			      program);
		r->uncertain = TRUE; /* it may have queued the message before */
	} else {
		g_autofree char *said = printable_output(out);
		if (WIFEXITED(status))
			submit_decide(r, status_of_exit(status), "%s exit %d%s%s", program,
				      WEXITSTATUS(status), *said ? ": " : "", said);
		else {
			submit_decide(r, SUBMIT_TEMPFAIL, "%s killed by signal %d", program,
				      WTERMSIG(status));
			r->uncertain = TRUE;
		}
	}
	submit_mark_pending(r, r->status, r->reply);
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
}
