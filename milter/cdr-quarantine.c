/*
 * NAME
 *	cdr-quarantine - list, show, extract and purge quarantined originals
 * SUMMARY
 *	cdr-quarantine [-c FILE] list
 *	cdr-quarantine [-c FILE] show ID
 *	cdr-quarantine [-c FILE] extract ID [-o FILE]
 *	cdr-quarantine [-c FILE] purge [--days N]
 *	The store is [milter] quarantine_dir of mugaika.conf. Originals clamd
 *	found malware in are marked in the list, and extract warns. An id is only
 *	ever used after quarantine_id_valid(), so no argument can name a file
 *	outside the store.
 */
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "policy.h"
#include "quarantine.h"
#include "report.h"

static char *config_path, *output_path;
static int days = -1;
#define QUARANTINE_MAX_DAYS 36500 /* as quarantine_days in mugaika.conf */
static gboolean show_version;

static const GOptionEntry options[] = {
	{ "config", 'c', 0, G_OPTION_ARG_FILENAME, &config_path,
	  "Read FILE (default " CDR_DEFAULT_CONFIG ")", "FILE" },
	{ "output", 'o', 0, G_OPTION_ARG_FILENAME, &output_path,
	  "extract: write the original to FILE instead of standard output", "FILE" },
	{ "days", 'd', 0, G_OPTION_ARG_INT, &days,
	  "purge: remove originals older than N days (default quarantine_days)", "N" },
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

static JsonObject *
load_meta(const char *dir, const char *id, JsonParser *parser)
{
	g_autofree char *path = quarantine_path(dir, id, "json");
	if (!json_parser_load_from_file(parser, path, NULL))
		return NULL;
	JsonNode *root = json_parser_get_root(parser);
	return root && JSON_NODE_HOLDS_OBJECT(root) ? json_node_get_object(root) : NULL;
}

static const char *
member(JsonObject *o, const char *key)
{
	JsonNode *n = o ? json_object_get_member(o, key) : NULL;
	return n && json_node_get_value_type(n) == G_TYPE_STRING ? json_node_get_string(n) : "-";
}

/* A field for one line of a terminal: control characters (escapes that
 * could drive the admin's terminal, line breaks) and DEL become spaces. */
static char *
printable(const char *value)
{
	char *p = g_strdup(value);
	for (char *c = p; *c; c++)
		if ((guchar)*c < 0x20 || *c == 0x7f)
			*c = ' ';
	return p;
}

/* One line per original, oldest first: id, action, sender, subject. */
static int
list(const char *dir)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) ids = quarantine_list(dir, &error);
	if (!ids)
		return fail("%s", error->message);
	for (guint i = 0; i < ids->len; i++) {
		const char *id = ids->pdata[i];
		g_autoptr(JsonParser) parser = json_parser_new();
		JsonObject *meta = load_meta(dir, id, parser);
		g_autofree char *action = printable(member(meta, "action"));
		g_autofree char *sender = printable(member(meta, "sender"));
		g_autofree char *subject = printable(member(meta, "subject"));
		g_autofree char *malware = quarantine_malware(dir, id);
		g_autofree char *shown = malware ? printable(malware) : NULL;
		printf("%s  %-10s  %s  %s%s%s%s\n", id, action, sender, subject,
		       shown ? "  [malware: " : "", shown ? shown : "", shown ? "]" : "");
	}
	return 0;
}

static int
show(const char *dir, const char *id)
{
	g_autofree char *path = quarantine_path(dir, id, "json");
	g_autofree char *text = NULL;
	g_autoptr(GError) error = NULL;
	if (!g_file_get_contents(path, &text, NULL, &error))
		return fail("%s", error->message);
	g_autoptr(JsonParser) parser = json_parser_new();
	if (!json_parser_load_from_data(parser, text, -1, &error))
		return fail("%s", error->message);
	g_autoptr(JsonGenerator) gen = json_generator_new();
	json_generator_set_pretty(gen, TRUE);
	json_generator_set_root(gen, json_parser_get_root(parser));
	g_autofree char *pretty = json_generator_to_data(gen, NULL);
	printf("%s\n", pretty);
	return 0;
}

static int
extract(const char *dir, const char *id)
{
	g_autofree char *path = quarantine_path(dir, id, "eml");
	g_autofree char *data = NULL;
	gsize len = 0;
	g_autoptr(GError) error = NULL;
	if (!g_file_get_contents(path, &data, &len, &error))
		return fail("%s", error->message);
	g_autofree char *malware = quarantine_malware(dir, id);
	if (malware) /* for forensics only: never a release */
		g_printerr("cdr-quarantine: warning: %s carries malware (%s); it is written as "
			   "received\n", id, malware);
	if (output_path) {
		if (!g_file_set_contents_full(output_path, data, (gssize)len,
					      G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))
			return fail("%s", error->message);
		return 0;
	}
	if (isatty(STDOUT_FILENO))
		return fail("%s", "refusing to write a raw message to a terminal (use -o FILE)");
	if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0)
		return fail("cannot write: %s", g_strerror(errno));
	return 0;
}

static int
purge(const char *dir, guint keep_days)
{
	g_autoptr(GError) error = NULL;
	int n = quarantine_purge(dir, keep_days, &error);
	if (n < 0)
		return fail("%s", error->message);
	g_print("%d originals removed\n", n);
	return 0;
}

int
main(int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GOptionContext) ctx = g_option_context_new("list | show ID | extract ID | purge");
	g_option_context_set_summary(ctx, "Originals kept by cdr-milter (the quarantine).");
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
	const char *id = argc > 2 ? argv[2] : NULL;
	gboolean needs_id = g_strcmp0(cmd, "show") == 0 || g_strcmp0(cmd, "extract") == 0;
	if (!cmd || (needs_id ? argc != 3 : argc != 2) ||
	    (!needs_id && strcmp(cmd, "list") != 0 && strcmp(cmd, "purge") != 0)) {
		g_autofree char *help = g_option_context_get_help(ctx, TRUE, NULL);
		g_printerr("%s", help);
		return 2;
	}
	if (needs_id && !quarantine_id_valid(id))
		return fail("\"%s\" is not a quarantine id (YYYYMMDDTHHMMSS-xxxxxxxxxxxx)", id);
	g_autoptr(cdr_policy) policy = cdr_policy_load(config_path, &error);
	if (!policy)
		return fail("%s", error->message);
	const char *dir = policy->milter_quarantine_dir;
	if (strcmp(cmd, "list") == 0)
		return list(dir);
	if (strcmp(cmd, "show") == 0)
		return show(dir, id);
	if (strcmp(cmd, "extract") == 0)
		return extract(dir, id);
	if (days > QUARANTINE_MAX_DAYS)
		return fail("%s", "purge: --days is at most 36500 (100 years)");
	if (days < -1 || (days < 0 && policy->milter_quarantine_days == 0))
		return fail("%s", "purge: give --days N (quarantine_days is 0: keep forever)");
	return purge(dir, days >= 0 ? (guint)days : (guint)policy->milter_quarantine_days);
}
