/*
 * NAME
 *	cdr-milter - the Postfix content filter: every message rebuilt
 * SUMMARY
 *	cdr-milter [-c FILE] [-f] [-n [-p DIR]] [-V]
 *	Reads mugaika.conf, opens the milter socket, drops privileges, and
 *	serves Postfix. SIGHUP reloads the configuration and reopens the
 *	audit log; SIGTERM stops after the messages in flight.
 * DESCRIPTION
 *	libmilter's own signal thread treats SIGHUP as "stop". So smfi_main()
 *	runs in a thread started with the signals blocked (libmilter's threads
 *	inherit that), and the main thread then unblocks them with a handler
 *	that only sets a flag: Linux gives a process-directed signal to the
 *	main thread first whenever it has the signal unblocked, so SIGHUP is
 *	a reload, and SIGTERM/SIGINT an orderly stop that lets the messages in
 *	flight finish. The main loop also starts the hourly quarantine purge
 *	(by age and by size, in batches of the store's writer, so messages
 *	being stored wait for one batch at most).
 */
#include <errno.h>
#include <grp.h>
#include <locale.h>
#include <fcntl.h>
#include <pwd.h>
#include <poll.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit.h"
#include "av.h"
#include "config.h"
#include "daemon.h"
#include "pairing.h"
#include "postfix-check.h"
#include "quarantine.h"
#include "release.h"
#include "session.h"
#include "state.h"

static char *config_path, *postfix_dir;
static gboolean foreground, check_only, show_version;

static const GOptionEntry options[] = {
	{ "config", 'c', 0, G_OPTION_ARG_FILENAME, &config_path,
	  "Read FILE (default " CDR_DEFAULT_CONFIG ")", "FILE" },
	{ "foreground", 'f', 0, G_OPTION_ARG_NONE, &foreground,
	  "Stay in the foreground (systemd); log to stderr unless syslog = true", NULL },
	{ "check", 'n', 0, G_OPTION_ARG_NONE, &check_only,
	  "Check the configuration, and Postfix's around it, and exit", NULL },
	{ "postfix-config", 'p', 0, G_OPTION_ARG_FILENAME, &postfix_dir,
	  "With -n, check the Postfix configuration in DIR (default: postconf's)", "DIR" },
	{ "version", 'V', 0, G_OPTION_ARG_NONE, &show_version, "Print the version", NULL },
	{ NULL }
};

static int
die(const char *what, const GError *error)
{
	milter_log(LOG_ERR, "%s%s%s", what, error ? ": " : "", error ? error->message : "");
	if (milter_log_uses_syslog()) /* and on the terminal of whoever started us */
		g_printerr("cdr-milter: %s%s%s\n", what, error ? ": " : "",
			   error ? error->message : "");
	return 1;
}

static gpointer
run_milter(gpointer data)
{
	int *status = data;
	*status = smfi_main();
	kill(getpid(), SIGTERM); /* wake the main thread if libmilter gave up */
	return NULL;
}

/* In a thread of its own: the main thread must stay in sigtimedwait() so
 * that it, not libmilter, receives the next SIGHUP. */
static gint purging;

static gpointer
purge_quarantine(gpointer unused)
{
	struct milter_state *st = state_get();
	const struct cdr_policy *p = st->policy;
	g_autoptr(GError) error = NULL;
	struct mg_store *store = quarantine_acquire(p->milter_quarantine_dir, &error);
	struct store_purged n;
	gint64 days = (gint64)p->milter_quarantine_days;
	gint64 max_age = days ? days * 24 * 3600 : -1; /* 0: keep forever */
	if (!store || !store_purge(store, max_age, p->milter_quarantine_max_bytes, &n, &error)) {
		milter_log(LOG_WARNING, "quarantine purge: %s", error->message);
	} else if (n.messages || n.abandoned) {
		milter_log(LOG_INFO,
			   "quarantine purge: %" G_GUINT64_FORMAT " originals (%" G_GUINT64_FORMAT
			   " bytes) removed, %" G_GUINT64_FORMAT " never accepted",
			   n.messages, n.bytes, n.abandoned);
		g_autofree char *detail = g_strdup_printf(
			"{\"messages\":%" G_GUINT64_FORMAT ",\"bytes\":%" G_GUINT64_FORMAT
			",\"abandoned\":%" G_GUINT64_FORMAT "}",
			n.messages, n.bytes, n.abandoned);
		store_event_add(store, NULL, "purge", "cdr-milter", NULL, detail, NULL);
	}
	quarantine_release(store);
	state_unref(st);
	g_atomic_int_set(&purging, 0);
	return NULL;
}

static void
start_purge(void)
{
	if (g_atomic_int_compare_and_exchange(&purging, 0, 1))
		g_thread_unref(g_thread_new("purge", purge_quarantine, NULL));
}

/* PPAP pairings and claims a milter that ended left (pairing.c), and
 * releases whose delivering process (cdr-quarantine, cdr-web) stopped
 * (release.h): in a thread of its own, like the purge. */
static gint recovering;

static void
recover_releases(const struct cdr_policy *p)
{
	g_autoptr(GError) error = NULL;
	struct mg_store *store = quarantine_acquire(p->milter_quarantine_dir, &error);
	g_autoptr(GPtrArray) lines = store ? release_recover(store, "cdr-milter", &error) : NULL;
	if (!lines)
		milter_log(LOG_WARNING, "release recovery: %s", error->message);
	for (guint i = 0; lines && i < lines->len; i++)
		milter_log(LOG_WARNING, "%s", (const char *)lines->pdata[i]);
	quarantine_release(store);
}

static gpointer
recover_pairings(gpointer unused)
{
	(void)unused;
	struct milter_state *st = state_get();
	pairing_recover(st, envelope_role(st->policy, NULL));
	recover_releases(st->policy);
	state_unref(st);
	g_atomic_int_set(&recovering, 0);
	return NULL;
}

static void
start_recovery(void)
{
	if (g_atomic_int_compare_and_exchange(&recovering, 0, 1))
		g_thread_unref(g_thread_new("ppap-recover", recover_pairings, NULL));
}

static void
reload(void)
{
	g_autoptr(GError) error = NULL;
	struct milter_state *before = state_get();
	g_autofree char *socket = g_strdup(before->policy->milter_socket);
	state_unref(before);
	gboolean loaded = state_load(config_path, &error);
	if (!loaded) {
		milter_log(LOG_ERR, "reload failed, keeping the old configuration: %s",
			   error->message);
		g_clear_error(&error);
	}
	struct milter_state *st = state_get();
	if (loaded && strcmp(socket, st->policy->milter_socket) != 0)
		milter_log(LOG_WARNING, "[milter] socket changed: takes effect after a restart");
	/* reopened even when the reload failed: logrotate relies on it */
	if (!audit_open(st->policy->milter_audit_log, &error))
		milter_log(LOG_ERR, "%s", error->message);
	state_unref(st);
	if (loaded)
		milter_log(LOG_INFO, "configuration reloaded");
}

static int wake_pipe[2] = { -1, -1 };
static volatile sig_atomic_t got_hup, got_term;

/* Async-signal-safe: note the signal, wake the main loop. */
static void
on_signal(int sig)
{
	int saved = errno;
	if (sig == SIGHUP)
		got_hup = 1;
	else
		got_term = 1;
	ssize_t n = write(wake_pipe[1], "", 1);
	(void)n;
	errno = saved;
}

/* From here on the main thread takes HUP/TERM/INT with a handler; every
 * other thread keeps them blocked (see the header comment). */
static gboolean
take_signals(void)
{
	if (pipe2(wake_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
		return FALSE;
	/* Empty mask and SA_NODEFER: a second HUP arriving while the handler
	 * runs must reach this thread again, not libmilter's sigwait thread,
	 * which would take it for "stop". The handler only writes a byte. */
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESTART | SA_NODEFER };
	sigemptyset(&sa.sa_mask);
	sigset_t set;
	sigemptyset(&set);
	for (int sig = SIGHUP; sig; sig = sig == SIGHUP ? SIGTERM : sig == SIGTERM ? SIGINT : 0) {
		sigaction(sig, &sa, NULL);
		sigaddset(&set, sig);
	}
	return pthread_sigmask(SIG_UNBLOCK, &set, NULL) == 0;
}

/* Messages being processed must finish before the workers go away. */
static void
wait_for_messages_in_flight(void)
{
	struct milter_state *st = state_get();
	gint64 deadline = g_get_monotonic_time() +
			  (gint64)(st->policy->job_wall_seconds + 10) * G_USEC_PER_SEC;
	state_unref(st);
	while (g_atomic_int_get(&messages_in_flight) > 0 && g_get_monotonic_time() < deadline)
		g_usleep(50 * 1000);
}

/* Signals, the hourly purge and the PPAP recovery each minute, until
 * libmilter has stopped. */
static void
wait_for_signals(GThread *milter)
{
	gint64 next_purge = g_get_monotonic_time();
	while (!got_term) {
		if (g_get_monotonic_time() >= next_purge) {
			start_purge();
			next_purge = g_get_monotonic_time() + (gint64)3600 * G_USEC_PER_SEC;
		}
		start_recovery(); /* at start, then each minute */
		struct pollfd p = { .fd = wake_pipe[0], .events = POLLIN };
		poll(&p, 1, 60 * 1000);
		char buf[64];
		while (read(wake_pipe[0], buf, sizeof(buf)) > 0)
			;
		if (got_hup && !got_term) {
			got_hup = 0;
			reload();
		}
	}
	milter_log(LOG_INFO, "stopping");
	smfi_stop();
	g_thread_join(milter);
	wait_for_messages_in_flight();
}

/* TCP_NODELAY on an inet milter socket: without it Nagle and delayed ACKs
 * cost tens of milliseconds per message (see NOTES). libmilter has no
 * hook for it, so the option goes on the listening socket: Linux copies
 * it to every accepted connection. */
static void
set_nodelay_on_listener(const char *conn)
{
	if (!g_str_has_prefix(conn, "inet"))
		return;
	for (int fd = 3; fd < 1024; fd++) {
		int type = 0, one = 1;
		socklen_t len = sizeof(type);
		struct sockaddr_storage addr;
		socklen_t alen = sizeof(addr);
		if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_STREAM &&
		    getsockname(fd, (struct sockaddr *)&addr, &alen) == 0 &&
		    (addr.ss_family == AF_INET || addr.ss_family == AF_INET6))
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	}
}

static void
print_all(FILE *to, const char *prefix, GPtrArray *lines)
{
	for (guint i = 0; i < lines->len; i++)
		fprintf(to, "cdr-milter: %s%s\n", prefix, (const char *)lines->pdata[i]);
}

/* cdr-milter -n: Postfix's side, read with postconf(1). Returns the
 * number of errors found. */
static guint
check_postfix(const struct cdr_policy *p)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(postfix_conf) pf = postfix_conf_read(postfix_dir, &error);
	if (!pf && !postfix_dir) {
		gboolean missing = g_error_matches(error, G_SPAWN_ERROR, G_SPAWN_ERROR_NOENT);
		g_printerr("cdr-milter: warning: Postfix's configuration not checked: %s\n",
			   missing ? "postconf not found" : error->message);
		return 0;
	}
	if (!pf) {
		g_printerr("cdr-milter: error: %s\n", error->message);
		return 1;
	}
	struct postfix_findings f;
	postfix_findings_init(&f);
	postfix_check(pf, p, &f);
	print_all(stdout, "postfix: ", f.notes);
	fflush(stdout);
	print_all(stderr, "warning: ", f.warnings);
	print_all(stderr, "error: ", f.errors);
	guint errors = f.errors->len;
	postfix_findings_clear(&f);
	return errors;
}

/* May `user` (or a member of its groups) write to the socket at path? */
static gboolean
user_may_connect(const char *user, const char *path, const struct stat *st)
{
	struct passwd *pw = getpwnam(user);
	if (!pw)
		return TRUE; /* checked with [milter] user elsewhere */
	if (pw->pw_uid == 0 || (st->st_mode & S_IWOTH) ||
	    (pw->pw_uid == st->st_uid && (st->st_mode & S_IWUSR)))
		return TRUE;
	int n = 64;
	gid_t groups[64];
	if (getgrouplist(user, pw->pw_gid, groups, &n) < 0)
		n = 0;
	for (int i = 0; i < n; i++)
		if (groups[i] == st->st_gid && (st->st_mode & S_IWGRP))
			return TRUE;
	return FALSE;
}

/* cdr-milter -n: clamd ([av]): there, its limits fit ours, the milter's
 * user may connect. Returns the number of errors found. */
static guint
check_av(const struct cdr_policy *p)
{
	if (!cdr_policy_av_enabled(p))
		return 0;
	g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func(g_free);
	av_check_clamd(p, notes, warnings, errors);
	if (p->av_stream_max_bytes < p->milter_max_message_bytes)
		g_ptr_array_add(warnings, g_strdup_printf(
			"[av] stream_max_bytes (%" G_GUINT64_FORMAT ") is less than [milter] "
			"max_message_bytes (%" G_GUINT64_FORMAT "): messages between the two are "
			"withheld unscanned (blocked_action)",
			p->av_stream_max_bytes, p->milter_max_message_bytes));
	struct stat st;
	const char *path = g_str_has_prefix(p->av_clamd, "unix:") ? p->av_clamd + 5 : NULL;
	if (path && stat(path, &st) == 0 && !user_may_connect(p->milter_user, path, &st))
		g_ptr_array_add(errors, g_strdup_printf(
			"[milter] user %s may not connect to clamd's socket %s (mode %04o): "
			"every message would wait (4xx); make it LocalSocketMode 666, or put %s "
			"in its group", p->milter_user, path, (unsigned)(st.st_mode & 07777),
			p->milter_user));
	print_all(stdout, "av: ", notes);
	fflush(stdout);
	print_all(stderr, "warning: ", warnings);
	print_all(stderr, "error: ", errors);
	return errors->len;
}

int
main(int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GOptionContext) ctx = g_option_context_new(NULL);
	g_option_context_set_summary(ctx, "Rebuild every message Postfix hands over (無害化).");
	g_option_context_add_main_entries(ctx, options, NULL);
	/* --help and messages in the user's locale (GLib converts them to its
	 * charset: in the C locale Japanese text shows as "?"); numbers stay in
	 * the C form so logs and reports read the same everywhere */
	setlocale(LC_ALL, "");
	setlocale(LC_NUMERIC, "C");
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		g_printerr("cdr-milter: %s\n", error->message);
		return 2;
	}
	if (show_version) {
		g_print("cdr-milter %s\n", MUGAIKA_VERSION);
		return 0;
	}
	g_autoptr(cdr_policy) checked = state_check_config(config_path, &error);
	if (!checked) {
		g_printerr("cdr-milter: %s\n", error->message);
		return 1;
	}
	if (check_only) {
		guint errors = check_postfix(checked);
		guint av_errors = check_av(checked);
		if (errors) {
			g_printerr("cdr-milter: %u error%s in how Postfix uses cdr-milter\n", errors,
				   errors == 1 ? "" : "s");
			return 1;
		}
		if (av_errors) {
			g_printerr("cdr-milter: %u error%s in how cdr-milter uses clamd\n", av_errors,
				   av_errors == 1 ? "" : "s");
			return 1;
		}
		g_print("cdr-milter: configuration OK\n");
		return 0;
	}
	milter_log_init(checked->milter_syslog);

	const char *conn = checked->milter_socket;
	if (smfi_register(milter_description) != MI_SUCCESS ||
	    smfi_setconn((char *)conn) != MI_SUCCESS)
		return die("cannot register with libmilter", NULL);
	if (smfi_opensocket(true) != MI_SUCCESS) {
		g_autofree char *what = g_strdup_printf("cannot open the socket %s", conn);
		return die(what, NULL);
	}
	set_nodelay_on_listener(conn);
	if (!daemon_set_socket_access(conn, checked->milter_user, checked->milter_group,
				      checked->milter_socket_mode, &error))
		return die("socket", error);
	if (!foreground && !daemon_detach(&error))
		return die("cannot detach", error);
	if (!daemon_write_pid(checked->milter_pid_file, &error))
		milter_log(LOG_WARNING, "pid file: %s", error->message);
	if (!daemon_drop_privileges(checked->milter_user, checked->milter_group, &error))
		return die("cannot drop privileges", error);
	if (!state_load(config_path, &error))
		return die("cannot start", error);
	if (!audit_open(checked->milter_audit_log, &error))
		return die("audit log", error);

	/* Block the signals before any thread exists; every thread inherits it. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	milter_log(LOG_INFO, "ready on %s", conn);
	int status = MI_SUCCESS;
	GThread *milter = g_thread_new("milter", run_milter, &status);
	if (!take_signals())
		return die("cannot set up signal handling", NULL);
	wait_for_signals(milter);
	pairing_drain(); /* follow-ups of password messages already answered */
	/* The state stays: smfi_stop() does not wait for session threads, and
	 * one still in a callback must find a policy and pool, not NULL. The
	 * workers exit when our end of their sockets closes with us. */
	audit_close();
	milter_log(LOG_INFO, "stopped");
	return status == MI_SUCCESS ? 0 : 1;
}
