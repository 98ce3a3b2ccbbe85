/*
 * NAME
 *	cdr-quarantine - the administrator's tool for the quarantine store
 * SUMMARY
 *	cdr-quarantine [-c FILE] [--json] list [--limit N]
 *	cdr-quarantine [-c FILE] [--json] search [--sender S] [--recipient R]
 *		[--from F] [--subject S] [--since DATE] [--until DATE]
 *		[--verdict V] [--action A] [--encrypted|--not-encrypted]
 *		[--malware|--no-malware] [--newest-first] [--limit N]
 *	cdr-quarantine [-c FILE] [--json] show ID
 *	cdr-quarantine [-c FILE] extract ID [-o FILE]
 *	cdr-quarantine [-c FILE] [--json] purge [--days N] [--max-bytes SIZE]
 *	cdr-quarantine [-c FILE] [--json] migrate [DIR] [--remove]
 *	cdr-quarantine [-c FILE] [--json] check [--repair]
 *	cdr-quarantine [-c FILE] [--json] stats
 *	cdr-quarantine [-c FILE] [--json] release ID [--password-file F] [--to ADDR ...] [--force]
 * DESCRIPTION
 *	The store is [milter] quarantine_dir of mugaika.conf (store.h). Run
 *	as root, the tool first becomes the owner of that directory (the
 *	milter's user), so that nothing it creates there is root's; the
 *	configuration and an extract's output file are opened before that.
 *	An id is only ever used after store_id_valid(). extract writes the
 *	raw original, for examination: it records who did it first (an
 *	event), and refuses when that cannot be recorded.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <locale.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cdr.h"
#include "config.h"
#include "password-file.h"
#include "policy.h"
#include "quarantine-migrate.h"
#include "quarantine-output.h"
#include "quarantine-release.h"
#include "report.h"
#include "store.h"

#define QUARANTINE_MAX_DAYS 36500 /* as quarantine_days in mugaika.conf */

static char *config_path, *output_path, *max_bytes_text, *password_file;
static char **release_to;
static gboolean release_force;
static char *sender, *recipient, *from, *subject, *since_text, *until_text, *verdict, *action;
static int days = -1, limit;
static gboolean show_version, json, remove_files, repair, newest_first;
static gboolean encrypted, not_encrypted, malware, no_malware;

static const GOptionEntry options[] = {
	{ "config", 'c', 0, G_OPTION_ARG_FILENAME, &config_path,
	  "Read FILE (default " CDR_DEFAULT_CONFIG ")", "FILE" },
	{ "json", 'j', 0, G_OPTION_ARG_NONE, &json,
	  "Print JSON for scripts (one object per line; show: one indented object)", NULL },
	{ "output", 'o', 0, G_OPTION_ARG_FILENAME, &output_path,
	  "extract: write the original to FILE instead of standard output", "FILE" },
	{ "days", 'd', 0, G_OPTION_ARG_INT, &days,
	  "purge: remove originals older than N days (default quarantine_days)", "N" },
	{ "max-bytes", 0, 0, G_OPTION_ARG_STRING, &max_bytes_text,
	  "purge: remove the oldest while the store uses more (default quarantine_max_bytes)",
	  "SIZE" },
	{ "sender", 0, 0, G_OPTION_ARG_STRING, &sender, "search: envelope sender contains S", "S" },
	{ "recipient", 0, 0, G_OPTION_ARG_STRING, &recipient, "search: a recipient contains R",
	  "R" },
	{ "from", 0, 0, G_OPTION_ARG_STRING, &from, "search: the From header contains F", "F" },
	{ "subject", 0, 0, G_OPTION_ARG_STRING, &subject, "search: the Subject contains S", "S" },
	{ "since", 0, 0, G_OPTION_ARG_STRING, &since_text,
	  "search: arrived at or after DATE (YYYY-MM-DD or ISO 8601; local time)", "DATE" },
	{ "until", 0, 0, G_OPTION_ARG_STRING, &until_text,
	  "search: arrived before DATE (a day: before its end)", "DATE" },
	{ "verdict", 0, 0, G_OPTION_ARG_STRING, &verdict,
	  "search: the verdict is V (clean, sanitized, blocked)", "V" },
	{ "action", 0, 0, G_OPTION_ARG_STRING, &action,
	  "search: the action is A (delivered, withheld, rejected)", "A" },
	{ "encrypted", 0, 0, G_OPTION_ARG_NONE, &encrypted,
	  "search: holds a password-protected attachment", NULL },
	{ "not-encrypted", 0, 0, G_OPTION_ARG_NONE, &not_encrypted,
	  "search: holds no password-protected attachment", NULL },
	{ "malware", 0, 0, G_OPTION_ARG_NONE, &malware, "search: clamd found malware", NULL },
	{ "no-malware", 0, 0, G_OPTION_ARG_NONE, &no_malware, "search: clamd found none", NULL },
	{ "newest-first", 'n', 0, G_OPTION_ARG_NONE, &newest_first,
	  "list, search: the newest first (default: the oldest)", NULL },
	{ "limit", 'l', 0, G_OPTION_ARG_INT, &limit, "list, search: at most N messages", "N" },
	{ "remove", 0, 0, G_OPTION_ARG_NONE, &remove_files,
	  "migrate: delete each original's files once it is in the store", NULL },
	{ "repair", 0, 0, G_OPTION_ARG_NONE, &repair,
	  "check: remove index rows without an original and originals without a row", NULL },
	{ "password-file", 'P', 0, G_OPTION_ARG_FILENAME, &password_file,
	  "release: passwords to try on encrypted attachments, one per line", "F" },
	{ "to", 0, 0, G_OPTION_ARG_STRING_ARRAY, &release_to,
	  "release: deliver to ADDR (repeatable; default: the original recipients; others "
	  "only from [release] allowed_recipients)", "ADDR" },
	{ "force", 0, 0, G_OPTION_ARG_NONE, &release_force,
	  "release: even to recipients an earlier release may have reached (its answer was "
	  "lost: check the mail server's log first)", NULL },
	{ "version", 'V', 0, G_OPTION_ARG_NONE, &show_version, "Print the version", NULL },
	{ NULL }
};

static int
fail(const char *fmt, const char *arg)
{
	g_printerr("cdr-quarantine: ");
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	g_printerr(fmt, arg);
#pragma GCC diagnostic pop
	g_printerr("\n");
	return 1;
}

/* ---- who is asking ---- */

/* The Unix user (and who became root with sudo), and where from. */
static char *by, *origin;

static void
note_who(void)
{
	struct passwd *pw = getpwuid(getuid());
	const char *name = pw ? pw->pw_name : NULL;
	const char *sudo = g_getenv("SUDO_USER");
	g_autofree char *uid = g_strdup_printf("uid %u", (unsigned)getuid());
	by = getuid() == 0 && sudo && *sudo ? g_strdup_printf("%s (sudo from %s)", name ? name : uid,
							      sudo)
					    : g_strdup(name ? name : uid);
	const char *tty = ttyname(STDIN_FILENO);
	origin = g_strdup_printf("cdr-quarantine on %s, pid %d, %s", g_get_host_name(),
				 (int)getpid(), tty ? tty : "no terminal");
}

/* Run as root: become the store directory's owner (the milter's user),
 * so that the database files stay its own. */
static gboolean
become_owner_of(const char *dir)
{
	struct stat st;
	if (geteuid() != 0 || stat(dir, &st) != 0 || st.st_uid == 0)
		return TRUE;
	return setgroups(0, NULL) == 0 && setgid(st.st_gid) == 0 && setuid(st.st_uid) == 0;
}

/* ---- list and search ---- */

static gboolean
print_row(const struct store_message *m, gpointer data)
{
	if (json) {
		g_autoptr(JsonNode) node = qout_message_json(m, FALSE);
		qout_json_line(node);
	} else {
		qout_table_row(m);
	}
	return TRUE;
}

/* DATE: YYYY-MM-DD (local midnight; `end`: the next midnight) or ISO
 * 8601 with a time (local unless it names a zone). 0 when malformed. */
static gint64
parse_date(const char *text, gboolean end)
{
	int y, mo, d;
	char extra;
	if (sscanf(text, "%4d-%2d-%2d%c", &y, &mo, &d, &extra) == 3) {
		g_autoptr(GDateTime) t = g_date_time_new_local(y, mo, d, 0, 0, 0);
		if (!t || g_date_time_get_day_of_month(t) != d)
			return 0;
		g_autoptr(GDateTime) next = end ? g_date_time_add_days(t, 1) : g_date_time_ref(t);
		return g_date_time_to_unix(next);
	}
	g_autoptr(GTimeZone) local = g_time_zone_new_local();
	g_autoptr(GDateTime) t = g_date_time_new_from_iso8601(text, local);
	return t ? g_date_time_to_unix(t) : 0;
}

static int
search(struct mg_store *store, gboolean everything)
{
	struct store_query q = { .limit = (guint)limit, .newest_first = newest_first,
				 .details = json };
	if (!everything) {
		q.sender = sender;
		q.recipient = recipient;
		q.from = from;
		q.subject = subject;
		q.verdict = verdict;
		q.action = action;
		q.encrypted = encrypted ? STORE_YES : not_encrypted ? STORE_NO : STORE_ANY;
		q.malware = malware ? STORE_YES : no_malware ? STORE_NO : STORE_ANY;
		if (since_text && !(q.since = parse_date(since_text, FALSE)))
			return fail("--since: \"%s\" is not a date (YYYY-MM-DD or ISO 8601)",
				    since_text);
		if (until_text && !(q.until = parse_date(until_text, TRUE)))
			return fail("--until: \"%s\" is not a date (YYYY-MM-DD or ISO 8601)",
				    until_text);
	}
	g_autoptr(GError) error = NULL;
	/* the messages since cdr-web last indexed (or all, without it): a
	 * search is right either way, this makes it quick */
	if (!everything && (q.sender || q.recipient || q.from || q.subject) &&
	    !store_index_catch_up(store, NULL, &error)) {
		g_printerr("cdr-quarantine: search index not brought up to date: %s\n",
			   error->message);
		g_clear_error(&error);
	}
	if (!json)
		qout_table_header();
	if (!store_search(store, &q, print_row, NULL, &error))
		return fail("%s", error->message);
	return 0;
}

/* ---- show and extract ---- */

static int
show(struct mg_store *store, const char *id)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(store_message) m = store_get(store, id, &error);
	if (!m)
		return fail("%s", error->message);
	g_autoptr(GPtrArray) releases = store_releases(store, id, -1, &error);
	g_autoptr(GPtrArray) events = releases ? store_events(store, id, 0, &error) : NULL;
	if (!events)
		return fail("%s", error->message);
	if (json)
		qout_show_json(m, releases, events);
	else
		qout_show(m, releases, events);
	return 0;
}

static gboolean
copy_fd(int in, int out)
{
	char buf[65536];
	ssize_t n;
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		for (ssize_t done = 0; done < n;) {
			ssize_t w = write(out, buf + done, (size_t)(n - done));
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				return FALSE;
			done += w;
		}
	}
	return n == 0;
}

/* `out` is open already (opened before the tool gave up root); a file
 * it had to create is removed again when nothing is extracted. */
static gboolean created_output;

static int
extract_to(struct mg_store *store, const char *id, int out)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(store_message) m = store_get(store, id, &error);
	if (!m)
		return fail("%s", error->message);
	g_autofree char *detail = g_strdup_printf("{\"output\":\"%s\"}",
						  output_path ? "file" : "standard output");
	if (!store_event_add(store, id, "extract", by, origin, detail, &error))
		return fail("not extracted: cannot record who extracted it: %s", error->message);
	int fd = store_get_original(store, id, &error);
	if (fd < 0)
		return fail("%s", error->message);
	if (m->malware) /* for forensics only: never a release */
		g_printerr("cdr-quarantine: warning: %s carries malware (%s); it is written as "
			   "received\n", id, m->malware);
	gboolean ok = (out == STDOUT_FILENO || ftruncate(out, 0) == 0) && copy_fd(fd, out) &&
		      (out == STDOUT_FILENO || fsync(out) == 0);
	int e = errno;
	close(fd);
	if (!ok)
		return fail("cannot write: %s", g_strerror(e));
	return 0;
}

static int
extract(struct mg_store *store, const char *id, int out)
{
	int status = extract_to(store, id, out);
	if (status && created_output)
		unlink(output_path);
	return status;
}

/* ---- purge, migrate, check ---- */

static int
purge(struct mg_store *store, const struct cdr_policy *p)
{
	if (days > QUARANTINE_MAX_DAYS)
		return fail("%s", "purge: --days is at most 36500 (100 years)");
	guint64 max_bytes = p->milter_quarantine_max_bytes;
	if (max_bytes_text && !cdr_policy_parse_size(max_bytes_text, &max_bytes))
		return fail("purge: --max-bytes: \"%s\" is not a size (a number, optionally K, M or G)",
			    max_bytes_text);
	guint64 keep_days = days >= 0 ? (guint64)days : p->milter_quarantine_days;
	if (days < -1 || (days < 0 && !keep_days && !max_bytes))
		return fail("%s", "purge: give --days N or --max-bytes SIZE (quarantine_days is 0: "
				  "keep forever)");
	struct store_purged n = { 0 };
	g_autoptr(GError) error = NULL;
	/* --days 0: everything stored up to now; quarantine_days = 0: no age limit */
	gint64 max_age = days == 0 ? 0 : keep_days ? (gint64)keep_days * 24 * 3600 : -1;
	if (store && !store_purge(store, max_age, max_bytes, &n, &error))
		return fail("%s", error->message);
	if (store && (n.messages || n.abandoned)) {
		g_autofree char *detail = g_strdup_printf(
			"{\"messages\":%" G_GUINT64_FORMAT ",\"bytes\":%" G_GUINT64_FORMAT
			",\"abandoned\":%" G_GUINT64_FORMAT "}",
			n.messages, n.bytes, n.abandoned);
		store_event_add(store, NULL, "purge", by, origin, detail, NULL);
	}
	if (json)
		printf("{\"messages\":%" G_GUINT64_FORMAT ",\"bytes\":%" G_GUINT64_FORMAT
		       ",\"abandoned\":%" G_GUINT64_FORMAT ",\"events\":%" G_GUINT64_FORMAT "}\n",
		       n.messages, n.bytes, n.abandoned, n.events);
	else
		printf("%" G_GUINT64_FORMAT " originals removed\n", n.messages);
	return 0;
}

/* "key": ["a", "b"] */
static void
add_strings(JsonBuilder *b, const char *key, GPtrArray *items)
{
	json_builder_set_member_name(b, key);
	json_builder_begin_array(b);
	for (guint i = 0; i < items->len; i++)
		json_builder_add_string_value(b, items->pdata[i]);
	json_builder_end_array(b);
}

struct problems {
	GPtrArray *list; /* char*: "what: why" */
};

static void
migrate_problem(const char *what, const char *why, gpointer data)
{
	struct problems *p = data;
	g_ptr_array_add(p->list, g_strdup_printf("%s: %s", what, why));
	if (!json)
		g_printerr("cdr-quarantine: migrate: %s: %s\n", what, why);
}

static int
migrate(struct mg_store *store, const char *dir)
{
	struct problems p = { g_ptr_array_new_with_free_func(g_free) };
	struct migrate_result r;
	g_autoptr(GError) error = NULL;
	gboolean ok = quarantine_migrate(store, dir, remove_files, migrate_problem, &p, &r, &error);
	if (!ok) {
		g_ptr_array_unref(p.list);
		return fail("%s", error->message);
	}
	g_autoptr(JsonBuilder) b = json_builder_new();
	json_builder_begin_object(b);
	const char *keys[] = { "imported", "already", "failed", "removed" };
	guint values[] = { r.imported, r.already, r.failed, r.removed };
	for (guint i = 0; i < G_N_ELEMENTS(keys); i++) {
		json_builder_set_member_name(b, keys[i]);
		json_builder_add_int_value(b, values[i]);
	}
	json_builder_set_member_name(b, "from");
	json_builder_add_string_value(b, dir);
	add_strings(b, "problems", p.list);
	json_builder_end_object(b);
	g_autoptr(JsonNode) summary = json_builder_get_root(b);
	g_autofree char *detail = cdr_json_to_string(summary);
	if (r.imported || r.removed)
		store_event_add(store, NULL, "migrate", by, origin, detail, NULL);
	if (json)
		printf("%s\n", detail);
	else
		printf("%u imported, %u already in the store, %u not imported, %u removed from %s\n",
		       r.imported, r.already, r.failed, r.removed, dir);
	g_ptr_array_unref(p.list);
	return r.failed ? 1 : 0;
}

static void
print_list(const char *what, GPtrArray *items)
{
	for (guint i = 0; i < items->len; i++)
		printf("%s: %s\n", what, (const char *)items->pdata[i]);
}

static int
check(struct mg_store *store)
{
	struct store_check c;
	g_autoptr(GError) error = NULL;
	if (!store_check(store, repair, &c, &error))
		return fail("%s", error->message);
	guint problems = (c.integrity ? 1 : 0) + c.without_original->len + c.without_record->len;
	if (json) {
		g_autoptr(JsonBuilder) b = json_builder_new();
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "integrity");
		json_builder_add_string_value(b, c.integrity ? c.integrity : "ok");
		json_builder_set_member_name(b, "repaired");
		json_builder_add_boolean_value(b, repair);
		add_strings(b, "without_original", c.without_original);
		add_strings(b, "without_record", c.without_record);
		json_builder_end_object(b);
		g_autoptr(JsonNode) node = json_builder_get_root(b);
		qout_json_line(node);
	} else {
		printf("integrity: %s\n", c.integrity ? c.integrity : "ok");
		print_list(repair ? "removed, its original missing" : "original missing",
			   c.without_original);
		print_list(repair ? "removed, an original without its record"
				  : "original without its record",
			   c.without_record);
	}
	store_check_clear(&c);
	return problems && !repair ? 1 : 0;
}

static int
stats(struct mg_store *store)
{
	struct store_totals t;
	g_autoptr(GError) error = NULL;
	if (!store_get_totals(store, &t, &error))
		return fail("%s", error->message);
	if (json) {
		printf("{\"messages\":%" G_GUINT64_FORMAT ",\"bytes\":%" G_GUINT64_FORMAT
		       ",\"receiving\":%" G_GUINT64_FORMAT ",\"disk\":%" G_GUINT64_FORMAT
		       ",\"oldest\":%" G_GINT64_FORMAT "}\n",
		       t.messages, t.bytes, t.receiving, t.disk, t.oldest);
		return 0;
	}
	g_autofree char *oldest = t.oldest ? qout_local_time(t.oldest) : g_strdup("-");
	printf("messages:  %" G_GUINT64_FORMAT " (%" G_GUINT64_FORMAT " bytes of originals)\n"
	       "receiving: %" G_GUINT64_FORMAT "\n"
	       "disk:      %" G_GUINT64_FORMAT " bytes used by the store\n"
	       "oldest:    %s\n",
	       t.messages, t.bytes, t.receiving, t.disk, oldest);
	return 0;
}

/* ---- main ---- */

enum argument { NONE, ID, DIRECTORY };

static const struct {
	const char *name;
	enum argument argument; /* ID: required; DIRECTORY: optional */
} commands[] = {
	{ "list", NONE },   { "search", NONE },	     { "show", ID },  { "extract", ID },
	{ "purge", NONE },  { "migrate", DIRECTORY }, { "check", NONE }, { "stats", NONE },
	{ "release", ID },
};

int
main(int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GOptionContext) ctx = g_option_context_new(
		"list | search | show ID | extract ID | purge | migrate [DIR] | check | stats | "
		"release ID");
	g_option_context_set_summary(ctx, "The quarantine store of cdr-milter: originals and "
					  "what happened to them.");
	g_option_context_add_main_entries(ctx, options, NULL);
	/* --help and messages in the user's locale (GLib converts them to its
	 * charset: in the C locale Japanese text shows as "?"); numbers stay in
	 * the C form so logs and reports read the same everywhere */
	setlocale(LC_ALL, "");
	setlocale(LC_NUMERIC, "C");
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		g_printerr("cdr-quarantine: %s\n", error->message);
		return 2;
	}
	if (show_version) {
		g_print("cdr-quarantine %s\n", MUGAIKA_VERSION);
		return 0;
	}
	const char *cmd = argc > 1 ? argv[1] : NULL;
	const char *arg = argc > 2 ? argv[2] : NULL;
	int which = -1;
	for (guint i = 0; cmd && i < G_N_ELEMENTS(commands); i++)
		if (strcmp(cmd, commands[i].name) == 0)
			which = (int)i;
	gboolean usage_ok = which >= 0 && limit >= 0;
	if (usage_ok && commands[which].argument == ID)
		usage_ok = argc == 3;
	else if (usage_ok)
		usage_ok = argc == 2 || (argc == 3 && commands[which].argument == DIRECTORY);
	if (!usage_ok) {
		g_autofree char *help = g_option_context_get_help(ctx, TRUE, NULL);
		g_printerr("%s", help);
		return 2;
	}
	if (commands[which].argument == ID && !store_id_valid(arg))
		return fail("\"%s\" is not a quarantine id (YYYYMMDDTHHMMSS-xxxxxxxxxxxx)", arg);
	g_autoptr(cdr_policy) policy = cdr_policy_load(config_path, &error);
	if (!policy)
		return fail("%s", error->message);
	const char *dir = policy->milter_quarantine_dir;
	note_who();
	int out = STDOUT_FILENO;
	if (strcmp(cmd, "extract") == 0 && output_path) {
		out = open(output_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		created_output = out >= 0;
		if (out < 0 && errno == EEXIST) /* replaced once the original is read */
			out = open(output_path, O_WRONLY | O_CLOEXEC);
		if (out < 0)
			return fail("%s", g_strerror(errno));
	} else if (strcmp(cmd, "extract") == 0 && isatty(STDOUT_FILENO)) {
		return fail("%s", "refusing to write a raw message to a terminal (use -o FILE)");
	}
	g_autofree char *passwords = NULL; /* read while still the caller */
	if (password_file && !(passwords = cdr_password_list_read(password_file, &error)))
		return fail("%s", error->message);
	if (!become_owner_of(dir))
		return fail("cannot become the owner of %s", dir);
	gboolean create = strcmp(cmd, "migrate") == 0;
	g_autoptr(mg_store) store = store_open(dir, create ? STORE_CREATE : 0, &error);
	if (!store && strcmp(cmd, "purge") == 0 &&
	    g_error_matches(error, STORE_ERROR, STORE_ERROR_NOT_FOUND))
		return purge(NULL, policy); /* nothing stored yet */
	if (!store)
		return fail("%s", error->message);
	if (strcmp(cmd, "list") == 0 || strcmp(cmd, "search") == 0)
		return search(store, strcmp(cmd, "list") == 0);
	if (strcmp(cmd, "show") == 0)
		return show(store, arg);
	if (strcmp(cmd, "extract") == 0)
		return extract(store, arg, out);
	if (strcmp(cmd, "purge") == 0)
		return purge(store, policy);
	if (strcmp(cmd, "migrate") == 0)
		return migrate(store, arg ? arg : dir);
	if (strcmp(cmd, "stats") == 0)
		return stats(store);
	if (strcmp(cmd, "release") == 0) {
		struct release_request rq = { .id = arg, .to = (const char *const *)release_to,
					      .passwords = passwords, .by = by, .origin = origin,
					      .json = json, .force = release_force };
		return release_message(store, policy, &rq);
	}
	return check(store);
}
