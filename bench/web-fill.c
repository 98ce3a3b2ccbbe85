/*
 * NAME
 *	web-fill - a quarantine of many varied messages for bench/web.sh
 * SUMMARY
 *	web-fill [--messages N] [--days D] [--releases R] DIR
 *	Fills the store in DIR (store.h) with N messages (default 100,000)
 *	spread evenly over the D days (default 60) up to now, through
 *	store_import() (not through Postfix), then asks for R releases
 *	(default 20) so the request queue has something. Does nothing when
 *	the store already has N messages.
 * DESCRIPTION
 *	Each message's record is of cdr-milter's form, varied by its number:
 *	one of 500 senders and 50 recipients, most sanitized (a docx whose
 *	macro went), some clean, some with an encrypted zip blocked, a few
 *	blocked whole or with malware; one subject in fifty carries
 *	"<script>" and U+202E, as a hostile sender's would. The originals
 *	are small made-up mails: the console reads the index, not them.
 */
#include <errno.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "store.h"

static int n_messages = 100000, n_days = 60, n_releases = 20;
static struct mg_store *store;
static gint64 first_time;
static gint next_message;

static void
add_child(JsonBuilder *b, const char *name, const char *verdict, const char *error,
	  const char *what)
{
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "name");
	json_builder_add_string_value(b, name);
	json_builder_set_member_name(b, "verdict");
	json_builder_add_string_value(b, verdict);
	if (error) {
		json_builder_set_member_name(b, "error");
		json_builder_add_string_value(b, error);
	}
	json_builder_set_member_name(b, "size_in");
	json_builder_add_int_value(b, 20480);
	json_builder_set_member_name(b, "actions");
	json_builder_begin_array(b);
	if (what) {
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "what");
		json_builder_add_string_value(b, what);
		json_builder_set_member_name(b, "count");
		json_builder_add_int_value(b, 1);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
}

static void
add_string(JsonBuilder *b, const char *name, const char *value)
{
	json_builder_set_member_name(b, name);
	if (value)
		json_builder_add_string_value(b, value);
	else
		json_builder_add_null_value(b);
}

/* Message n's audit record. */
static char *
record_of(int n)
{
	int kind = n % 100; /* 0-69 sanitized, 70-84 clean, 85-94 encrypted zip, 95-98
			     * blocked whole, 99 malware */
	g_autofree char *sender = n % 97 == 0 ? g_strdup("<script>@evil.example")
					      : g_strdup_printf("user%d@sender%d.example.jp",
								n % 500, n % 37);
	g_autofree char *rcpt1 = g_strdup_printf("staff%d@city.example.lg.jp", n % 50);
	g_autofree char *rcpt2 = g_strdup_printf("staff%d@city.example.lg.jp", (n + 7) % 50);
	g_autofree char *subject =
		n % 50 == 0 ? g_strdup_printf("<script>alert(%d)</script> \xe2\x80\xae"
					      "fdp.exe 請求書",
					      n)
			    : g_strdup_printf("会議資料の送付 No.%d Meeting papers", n);
	g_autoptr(JsonBuilder) b = json_builder_new();
	json_builder_begin_object(b);
	add_string(b, "sender", sender);
	json_builder_set_member_name(b, "recipients");
	json_builder_begin_array(b);
	json_builder_add_string_value(b, rcpt1);
	json_builder_add_string_value(b, rcpt2);
	json_builder_end_array(b);
	add_string(b, "action", kind >= 95 && kind < 99 ? "withheld" : "delivered");
	add_string(b, "mode", "sanitize");
	g_autofree char *mid = g_strdup_printf("<%d@sender.example.jp>", n);
	add_string(b, "message_id", mid);
	add_string(b, "subject", subject);
	add_string(b, "av", kind == 99 ? "infected" : "clean");
	json_builder_set_member_name(b, "malware");
	if (kind == 99) {
		json_builder_begin_array(b);
		json_builder_add_string_value(b, "Eicar-Test-Signature");
		json_builder_end_array(b);
	} else {
		json_builder_add_null_value(b);
	}
	json_builder_set_member_name(b, "report");
	json_builder_begin_object(b);
	add_string(b, "verdict", kind >= 95 && kind < 99 ? "blocked"
				 : kind >= 70 && kind < 85 ? "clean"
							   : "sanitized");
	if (kind >= 95 && kind < 99)
		add_string(b, "error", "dangerous-content");
	g_autofree char *from = g_strdup_printf("送信者 %d <%s>", n % 500, sender);
	add_string(b, "from", from);
	add_string(b, "from_address", sender);
	json_builder_set_member_name(b, "actions");
	json_builder_begin_array(b);
	if (kind % 3 == 0) {
		json_builder_begin_object(b);
		add_string(b, "what", "html-script");
		json_builder_set_member_name(b, "count");
		json_builder_add_int_value(b, 2);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_set_member_name(b, "children");
	json_builder_begin_array(b);
	if (kind < 70)
		add_child(b, "報告.docx", "sanitized", NULL, "macro");
	else if (kind < 85)
		add_child(b, "report.pdf", "clean", NULL, NULL);
	else if (kind < 95)
		add_child(b, "会議.zip", "blocked", "encrypted", NULL);
	else if (kind == 99)
		add_child(b, "invoice.exe", "blocked", "malware", NULL);
	json_builder_end_array(b);
	json_builder_end_object(b);
	json_builder_end_object(b);
	g_autoptr(JsonNode) root = json_builder_get_root(b);
	return json_to_string(root, FALSE);
}

static int
mail_of(int n)
{
	g_autofree char *mail = g_strdup_printf(
		"From: user%d@sender.example.jp\r\nTo: staff@city.example.lg.jp\r\n"
		"Subject: message %d\r\nMessage-ID: <%d@sender.example.jp>\r\n"
		"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
		"This is message %d of the web console's benchmark.\r\n",
		n % 500, n, n, n);
	int fd = memfd_create("mail", MFD_CLOEXEC);
	if (fd < 0 || write(fd, mail, strlen(mail)) != (ssize_t)strlen(mail))
		g_error("memfd: %s", g_strerror(errno));
	return fd;
}

static gpointer
filler(gpointer unused)
{
	double step = (double)n_days * 86400 / n_messages;
	for (int n; (n = g_atomic_int_add(&next_message, 1)) < n_messages;) {
		g_autofree char *json = record_of(n);
		g_autoptr(GError) error = NULL;
		g_autoptr(store_message) m = store_message_from_record(json, strlen(json), &error);
		if (!m)
			g_error("record %d: %s", n, error->message);
		m->ppap_wait = FALSE;
		g_autoptr(GDateTime) t =
			g_date_time_new_from_unix_utc(first_time + (gint64)(n * step));
		g_autofree char *stamp = g_date_time_format(t, "%Y%m%dT%H%M%S");
		g_autofree char *id = g_strdup_printf("%s-%012x", stamp, (unsigned)n);
		int fd = mail_of(n);
		if (!store_import(store, id, fd, m, &error) &&
		    !g_error_matches(error, STORE_ERROR, STORE_ERROR_EXISTS))
			g_error("import %s: %s", id, error->message);
		close(fd);
	}
	return NULL;
}

static gboolean
first_releasable(const struct store_message *m, gpointer data)
{
	GPtrArray *ids = data;
	if (m->releasable && !m->release)
		g_ptr_array_add(ids, g_strdup(m->id));
	return ids->len < (guint)n_releases;
}

/* Requests waiting for an administrator, on the newest messages. */
static void
request_releases(void)
{
	g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func(g_free);
	struct store_query q = { .newest_first = TRUE };
	g_autoptr(GError) error = NULL;
	if (!store_search(store, &q, first_releasable, ids, &error))
		g_error("search: %s", error->message);
	for (guint i = 0; i < ids->len; i++) {
		g_autoptr(store_message) m = store_get(store, ids->pdata[i], &error);
		if (!m || !m->recipients->len)
			continue;
		const char *to[] = { ((struct store_recipient *)m->recipients->pdata[0])->address,
				     NULL };
		if (!store_release_request(store, m->id, to, to[0], "web 127.0.0.1", FALSE, &error))
			g_error("release: %s", error->message);
	}
	printf("releases requested: %u\n", ids->len);
}

int
main(int argc, char **argv)
{
	GOptionEntry options[] = {
		{ "messages", 0, 0, G_OPTION_ARG_INT, &n_messages, "messages (100000)", "N" },
		{ "days", 0, 0, G_OPTION_ARG_INT, &n_days, "days up to now (60)", "D" },
		{ "releases", 0, 0, G_OPTION_ARG_INT, &n_releases, "release requests (20)", "R" },
		{ NULL },
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("DIR");
	g_option_context_add_main_entries(ctx, options, NULL);
	g_autoptr(GError) error = NULL;
	if (!g_option_context_parse(ctx, &argc, &argv, &error) || argc != 2 || n_messages < 1 ||
	    n_days < 1) {
		fprintf(stderr, "usage: web-fill [--messages N] [--days D] [--releases R] DIR\n");
		return 2;
	}
	store = store_open(argv[1], STORE_CREATE, &error);
	if (!store)
		g_error("%s: %s", argv[1], error->message);
	struct store_totals t;
	if (!store_get_totals(store, &t, &error))
		g_error("totals: %s", error->message);
	if (t.messages >= (guint64)n_messages) {
		printf("store: %" G_GUINT64_FORMAT " messages already\n", t.messages);
		store_close(store);
		return 0;
	}
	first_time = g_get_real_time() / G_USEC_PER_SEC - (gint64)n_days * 86400;
	gint64 t0 = g_get_monotonic_time();
	GThread *th[8];
	for (guint i = 0; i < G_N_ELEMENTS(th); i++)
		th[i] = g_thread_new("fill", filler, NULL);
	for (guint i = 0; i < G_N_ELEMENTS(th); i++)
		g_thread_join(th[i]);
	request_releases();
	gint64 t1 = g_get_monotonic_time();
	guint64 indexed = 0;
	if (!store_index_catch_up(store, &indexed, &error))
		g_error("search index: %s", error->message);
	printf("search index: %" G_GUINT64_FORMAT " messages added in %.1f s\n", indexed,
	       (double)(g_get_monotonic_time() - t1) / G_USEC_PER_SEC);
	if (!store_get_totals(store, &t, &error))
		g_error("totals: %s", error->message);
	printf("filled: %d messages over %d days in %.1f s; store %" G_GUINT64_FORMAT
	       " messages, %.1f MB on disk\n",
	       n_messages, n_days, (double)(g_get_monotonic_time() - t0) / G_USEC_PER_SEC,
	       t.messages, (double)t.disk / 1e6);
	store_close(store);
	return 0;
}
