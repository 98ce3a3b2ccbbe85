/*
 * NAME
 *	store-purge - the milter's time in the store while a purge runs
 * SUMMARY
 *	store-purge [--messages N] [--sessions T] [--seconds S]
 *		[--purge-with thread|TOOL] DIR MAIL...
 *	Fills the store in DIR (store.h) with N old messages (default
 *	100,000; store_import(), ids a year old), then runs T threads
 *	(default 16) that store messages the way cdr-milter does at end of
 *	data (store_put_original(), then store_put_record() of an audit
 *	record: durable when it returns, then the milter may answer 250),
 *	first for S seconds alone (default 10), then while the N old messages
 *	are purged by age. Prints, for both phases, messages/s and the time
 *	per message in the store: median, 99th percentile and maximum; and
 *	the purge's duration.
 * DESCRIPTION
 *	--purge-with thread (the default) calls store_purge() on the same
 *	open store, as cdr-milter's hourly purge does. --purge-with TOOL runs
 *	TOOL (build/milter/cdr-quarantine) as "TOOL -c DIR/bench.conf purge
 *	--days 30" in a process of its own, as an administrator would while
 *	the milter runs: its own connection, SQLite's lock between the two
 *	writers. Either way the purge goes in batches (store/purge.c), so a
 *	message waits for one batch at most. bench/store-purge.sh runs both.
 */
#include <errno.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "store.h"

static int n_messages = 100000, n_sessions = 16, seconds = 10;
static const char *purge_with = "thread";
static struct mg_store *store;
static GPtrArray *mail_fds; /* int, as pointers: sealed memfds of the MAIL files */
static char *record_json;

static GMutex lock;
static GArray *latencies; /* double, ms: this phase's */
static gint stop_sessions;

/* An audit record of cdr-milter's form: a docx disarmed, a zip left out
 * as encrypted (the index rows a real message makes). */
static char *
audit_record(void)
{
	return g_strdup(
		"{\"time\":\"2026-12-01T00:00:00Z\",\"queue_id\":\"4XyZ1234\","
		"\"stage\":\"after-queue\",\"sender\":\"taro@example.jp\","
		"\"recipients\":[\"soumu@city.example.lg.jp\",\"kikaku@city.example.lg.jp\"],"
		"\"action\":\"delivered\",\"reason\":null,\"mode\":\"sanitize\","
		"\"message_id\":\"<20261201.1234@example.jp>\",\"subject\":\"会議資料の送付 "
		"Meeting papers\",\"av\":null,\"malware\":null,\"size_in\":4096,"
		"\"size_out\":3900,\"elapsed\":0.012,\"report\":{\"verdict\":\"sanitized\","
		"\"from\":\"山田 太郎 <taro@example.jp>\",\"from_address\":\"taro@example.jp\","
		"\"actions\":[{\"what\":\"header\",\"count\":2}],\"children\":["
		"{\"name\":\"報告.docx\",\"verdict\":\"sanitized\",\"detected\":\"application/"
		"vnd.openxmlformats-officedocument.wordprocessingml.document\",\"size_in\":20480,"
		"\"actions\":[{\"what\":\"macro\",\"count\":1}]},"
		"{\"name\":\"会議.zip\",\"verdict\":\"blocked\",\"error\":\"encrypted\","
		"\"reason\":\"password-protected archive\",\"detected\":\"application/zip\","
		"\"size_in\":1760,\"actions\":[]}]}}");
}

static int
memfd_of(const char *path)
{
	g_autofree char *text = NULL;
	gsize len = 0;
	if (!g_file_get_contents(path, &text, &len, NULL))
		g_error("cannot read %s", path);
	int fd = memfd_create("mail", MFD_CLOEXEC);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len)
		g_error("memfd: %s", g_strerror(errno));
	return fd;
}

/* ---- filling the store with old messages ---- */

static gint next_old;

static gpointer
filler(gpointer unused)
{
	g_autoptr(store_message) m = store_message_from_record(record_json, strlen(record_json),
								NULL);
	m->ppap_wait = FALSE;
	gint64 year_ago = g_get_real_time() / G_USEC_PER_SEC - 365 * 24 * 3600;
	for (int n; (n = g_atomic_int_add(&next_old, 1)) < n_messages;) {
		g_autoptr(GDateTime) t = g_date_time_new_from_unix_utc(year_ago + n / 100);
		g_autofree char *stamp = g_date_time_format(t, "%Y%m%dT%H%M%S");
		g_autofree char *id = g_strdup_printf("%s-%012x", stamp, (unsigned)n);
		int fd = GPOINTER_TO_INT(mail_fds->pdata[(guint)n % mail_fds->len]);
		g_autoptr(GError) error = NULL;
		if (!store_import(store, id, fd, m, &error) &&
		    !g_error_matches(error, STORE_ERROR, STORE_ERROR_EXISTS))
			g_error("import %s: %s", id, error->message);
	}
	return NULL;
}

static void
fill(void)
{
	struct store_totals t;
	if (!store_get_totals(store, &t, NULL))
		g_error("totals");
	if (t.messages >= (guint64)n_messages) {
		printf("store: %" G_GUINT64_FORMAT " messages already\n", t.messages);
		return;
	}
	gint64 t0 = g_get_monotonic_time();
	GThread *th[16];
	for (int i = 0; i < 16; i++)
		th[i] = g_thread_new("fill", filler, NULL);
	for (int i = 0; i < 16; i++)
		g_thread_join(th[i]);
	if (!store_get_totals(store, &t, NULL))
		g_error("totals");
	printf("filled: %d old messages in %.1f s; store %" G_GUINT64_FORMAT
	       " messages, %.1f MB on disk\n",
	       n_messages, (double)(g_get_monotonic_time() - t0) / G_USEC_PER_SEC, t.messages,
	       (double)t.disk / 1e6);
}

/* ---- the milter's sessions ---- */

static gpointer
session(gpointer arg)
{
	guint n = GPOINTER_TO_UINT(arg);
	g_autoptr(store_message) m = store_message_from_record(record_json, strlen(record_json),
								NULL);
	m->ppap_wait = FALSE;
	while (!g_atomic_int_get(&stop_sessions)) {
		int fd = GPOINTER_TO_INT(mail_fds->pdata[n++ % mail_fds->len]);
		g_autoptr(GError) error = NULL;
		gint64 t0 = g_get_monotonic_time();
		g_autofree char *id = store_put_original(store, fd, NULL, &error);
		if (!id || !store_put_record(store, id, m, &error))
			g_error("store: %s", error->message);
		double ms = (double)(g_get_monotonic_time() - t0) / 1000;
		g_mutex_lock(&lock);
		g_array_append_val(latencies, ms);
		g_mutex_unlock(&lock);
	}
	return NULL;
}

static GPtrArray *
start_sessions(void)
{
	g_atomic_int_set(&stop_sessions, 0);
	latencies = g_array_new(FALSE, FALSE, sizeof(double));
	GPtrArray *threads = g_ptr_array_new();
	for (int i = 0; i < n_sessions; i++)
		g_ptr_array_add(threads, g_thread_new("session", session, GINT_TO_POINTER(i)));
	return threads;
}

static gint
compare_doubles(gconstpointer a, gconstpointer b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void
stop_and_print(GPtrArray *threads, const char *phase, double secs)
{
	g_atomic_int_set(&stop_sessions, 1);
	for (guint i = 0; i < threads->len; i++)
		g_thread_join(threads->pdata[i]);
	g_ptr_array_unref(threads);
	GArray *l = latencies;
	g_array_sort(l, compare_doubles);
	guint n = l->len;
	if (!n)
		g_error("%s: no message stored", phase);
	printf("%-28s %7.0f msg/s  in the store per message: median %6.2f ms  p99 %7.2f ms  "
	       "max %7.2f ms  (%u messages, %.1f s)\n",
	       phase, n / secs, g_array_index(l, double, n / 2),
	       g_array_index(l, double, n * 99 / 100), g_array_index(l, double, n - 1), n, secs);
	g_array_unref(l);
}

/* ---- the purge ---- */

static gboolean
purge_in_process(GError **error)
{
	struct store_purged p;
	if (!store_purge(store, 30 * 24 * 3600, 0, &p, error))
		return FALSE;
	printf("purged in the milter's process: %" G_GUINT64_FORMAT " messages, %" G_GUINT64_FORMAT
	       " bytes of originals\n",
	       p.messages, p.bytes);
	return TRUE;
}

static gboolean
purge_with_tool(const char *dir, GError **error)
{
	g_autofree char *conf = g_build_filename(dir, "bench.conf", NULL);
	g_autofree char *text = g_strdup_printf("[milter]\nquarantine_dir = %s\n", dir);
	if (!g_file_set_contents(conf, text, -1, error))
		return FALSE;
	const char *argv[] = { purge_with, "-c", conf, "purge", "--days", "30", NULL };
	g_autofree char *out = NULL;
	int status = 0;
	if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL,
			  &status, error) ||
	    !g_spawn_check_wait_status(status, error))
		return FALSE;
	printf("purged by %s: %s", purge_with, out);
	return TRUE;
}

static const GOptionEntry options[] = {
	{ "messages", 'm', 0, G_OPTION_ARG_INT, &n_messages, "old messages to purge", "N" },
	{ "sessions", 't', 0, G_OPTION_ARG_INT, &n_sessions, "threads storing messages", "T" },
	{ "seconds", 's', 0, G_OPTION_ARG_INT, &seconds, "the phase without a purge", "S" },
	{ "purge-with", 'p', 0, G_OPTION_ARG_STRING, &purge_with,
	  "thread (store_purge() in this process) or the path of cdr-quarantine", "HOW" },
	{ NULL }
};

int
main(int argc, char **argv)
{
	g_autoptr(GOptionContext) ctx = g_option_context_new("DIR MAIL...");
	g_option_context_add_main_entries(ctx, options, NULL);
	g_autoptr(GError) error = NULL;
	if (!g_option_context_parse(ctx, &argc, &argv, &error) || argc < 3 || n_messages < 1 ||
	    n_sessions < 1 || seconds < 1) {
		g_printerr("usage: store-purge [OPTION...] DIR MAIL...\n");
		return 2;
	}
	const char *dir = argv[1];
	mail_fds = g_ptr_array_new();
	for (int i = 2; i < argc; i++)
		g_ptr_array_add(mail_fds, GINT_TO_POINTER(memfd_of(argv[i])));
	record_json = audit_record();
	store = store_open(dir, STORE_CREATE, &error);
	if (!store)
		g_error("%s", error->message);
	fill();

	gint64 t0 = g_get_monotonic_time();
	GPtrArray *threads = start_sessions();
	g_usleep((gulong)seconds * G_USEC_PER_SEC);
	stop_and_print(threads, "without a purge:",
		       (double)(g_get_monotonic_time() - t0) / G_USEC_PER_SEC);

	t0 = g_get_monotonic_time();
	threads = start_sessions();
	g_usleep(G_USEC_PER_SEC / 2);
	gint64 p0 = g_get_monotonic_time();
	gboolean ok = strcmp(purge_with, "thread") == 0 ? purge_in_process(&error)
							 : purge_with_tool(dir, &error);
	double purge_secs = (double)(g_get_monotonic_time() - p0) / G_USEC_PER_SEC;
	g_usleep(G_USEC_PER_SEC / 2);
	stop_and_print(threads, "during the purge:",
		       (double)(g_get_monotonic_time() - t0) / G_USEC_PER_SEC);
	if (!ok)
		g_error("purge: %s", error->message);
	struct store_totals t;
	if (!store_get_totals(store, &t, &error))
		g_error("%s", error->message);
	printf("purge of %d messages: %.1f s (%.0f messages/s); left in the store: %" G_GUINT64_FORMAT
	       " messages (the sessions')\n",
	       n_messages, purge_secs, n_messages / purge_secs, t.messages);
	store_close(store);
	return 0;
}
