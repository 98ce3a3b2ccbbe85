/*
 * NAME
 *	cdr-web - the web console: staff ask for a file, administrators approve
 * SUMMARY
 *	cdr-web [-c FILE] [-f] [-d DIR]     serve on [web] listen
 *	cdr-web -n [-c FILE]                check the configuration
 *	cdr-web passwd USER [-c FILE]       set USER's password in [web] accounts
 *	cdr-web link ID [RECIPIENT] [-c FILE] [--days N]   print a staff link
 * DESCRIPTION
 *	Reads mugaika.conf, binds [web] listen (HTTPS with tls_cert and
 *	tls_key; plain HTTP only on loopback), reads the link key, drops
 *	privileges to [milter] user and group like cdr-milter, opens the
 *	quarantine store ([milter] quarantine_dir) and serves until SIGTERM
 *	or SIGINT. One line per request on stderr.
 */
#include <errno.h>
#include <glib-unix.h>
#include <grp.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "accounts.h"
#include "config.h"
#include "daemon.h"
#include "indexer.h"
#include "ratelimit.h"
#include "release-token.h"
#include "releases.h"
#include "router.h"
#include "server.h"

static char *config_path, *data_dir;
static gboolean foreground, check_only, show_version;
static gint link_days = -1;

static const GOptionEntry options[] = {
	{ "config", 'c', 0, G_OPTION_ARG_FILENAME, &config_path,
	  "Read FILE (default " CDR_DEFAULT_CONFIG ")", "FILE" },
	{ "foreground", 'f', 0, G_OPTION_ARG_NONE, &foreground, "Stay in the foreground (systemd)",
	  NULL },
	{ "check", 'n', 0, G_OPTION_ARG_NONE, &check_only, "Check the configuration and exit",
	  NULL },
	{ "data-dir", 'd', 0, G_OPTION_ARG_FILENAME, &data_dir,
	  "Templates and style sheet in DIR (default /usr/share/mugaika/web; or "
	  "MUGAIKA_WEB_DIR)", "DIR" },
	{ "days", 0, 0, G_OPTION_ARG_INT, &link_days,
	  "link: valid N days (default [web] link_days; 0: already expired)", "N" },
	{ "version", 'V', 0, G_OPTION_ARG_NONE, &show_version, "Print the version", NULL },
	{ NULL }
};

static int
fail(const char *what, const GError *error)
{
	g_printerr("cdr-web: %s%s%s\n", what, error ? ": " : "", error ? error->message : "");
	return 1;
}

/* A password from the terminal (asked twice, no echo) or one line of stdin. */
static char *
read_password(GError **error)
{
	char *line = NULL;
	size_t cap = 0;
	if (!isatty(STDIN_FILENO)) {
		ssize_t n = getline(&line, &cap, stdin);
		if (n <= 0) {
			free(line);
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "no password on stdin");
			return NULL;
		}
		line[strcspn(line, "\r\n")] = '\0';
		char *copy = g_strdup(line);
		explicit_bzero(line, cap);
		free(line);
		return copy;
	}
	struct termios saved, quiet;
	tcgetattr(STDIN_FILENO, &saved);
	quiet = saved;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	char *first = NULL;
	for (int round = 0; round < 2; round++) {
		fprintf(stderr, round ? "Again: " : "Password: ");
		ssize_t n = getline(&line, &cap, stdin);
		fprintf(stderr, "\n");
		if (n <= 0)
			break;
		line[strcspn(line, "\r\n")] = '\0';
		if (!round) {
			first = g_strdup(line);
		} else if (strcmp(first, line) != 0) {
			explicit_bzero(first, strlen(first));
			g_clear_pointer(&first, g_free);
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
				    "the two passwords differ");
		}
		explicit_bzero(line, cap);
	}
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
	free(line);
	if (!first && error && !*error)
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "no password given");
	return first;
}

static int
set_password(const struct cdr_policy *p, const char *user)
{
	g_autoptr(GError) error = NULL;
	if (!web_account_name_valid(user))
		return fail("a user name is 1 to 64 letters, digits, '.', '_', '@' or '-'", NULL);
	gboolean is_new = access(p->web_accounts, F_OK) != 0;
	char *password = read_password(&error);
	if (!password)
		return fail("passwd", error);
	gboolean ok = *password && web_account_set(p->web_accounts, user, password, &error);
	explicit_bzero(password, strlen(password));
	g_free(password);
	if (!ok)
		return fail(error ? p->web_accounts : "an empty password is refused", error);
	/* a new file: root:[milter] group 0640, readable by cdr-web after it drops privileges */
	struct group *gr = is_new && geteuid() == 0 ? getgrnam(p->milter_group) : NULL;
	if (gr && chown(p->web_accounts, 0, gr->gr_gid) != 0)
		g_printerr("cdr-web: chown %s: %s\n", p->web_accounts, g_strerror(errno));
	g_print("cdr-web: the password of %s is set in %s\n", user, p->web_accounts);
	return 0;
}

static int
print_link(const struct cdr_policy *p, const char *id, const char *recipient)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) key = release_token_load_key(p->web_secret_file, &error);
	if (!key)
		return fail("[web] secret_file", error);
	gint64 days = link_days >= 0 ? link_days : (gint64)p->web_link_days;
	gint64 expiry = g_get_real_time() / G_USEC_PER_SEC + days * 86400;
	g_autofree char *token = release_token_make(key, id, recipient, expiry);
	const char *base = *p->web_base_url ? p->web_base_url : "";
	g_print("%s/r/%s\n", base, token);
	return 0;
}

/* -n: everything serving needs, without serving. */
static int
check(struct web_app *app)
{
	const struct cdr_policy *p = app->policy;
	g_autoptr(GError) error = NULL;
	int errors = 0;
	if (!web_server_check(app, NULL, NULL, &error)) {
		g_printerr("error: %s\n", error->message);
		g_clear_error(&error);
		errors++;
	}
	g_autoptr(GBytes) key = release_token_load_key(p->web_secret_file, &error);
	if (!key) {
		g_printerr("error: [web] secret_file: %s\n", error->message);
		g_clear_error(&error);
		errors++;
	}
	if (access(p->web_accounts, R_OK) != 0 && !*p->web_trust_proxy_user)
		g_printerr("warning: [web] accounts %s: %s (no administrator can log in; "
			   "cdr-web passwd USER makes it)\n",
			   p->web_accounts, g_strerror(errno));
	if (g_str_has_prefix(p->web_base_url, "http://"))
		g_printerr("warning: [web] base_url %s is plain HTTP: links travel unencrypted\n",
			   p->web_base_url);
	if (!*p->release_relay)
		g_printerr("warning: [release] relay is empty: nothing can be released\n");
	if (errors)
		return fail("the configuration has errors", NULL);
	g_print("cdr-web: configuration OK\n");
	return 0;
}

static gboolean
on_signal(gpointer loop)
{
	g_main_loop_quit(loop);
	return G_SOURCE_REMOVE;
}

static int
serve(struct web_app *app)
{
	g_autoptr(GError) error = NULL;
	const struct cdr_policy *p = app->policy;
	app->key = release_token_load_key(p->web_secret_file, &error);
	if (!app->key)
		return fail("[web] secret_file", error);
	web_routes_register();
	app->sessions = web_sessions_new();
	app->limits = web_limits_new();
	if (!web_server_start(app, &error))
		return fail("cannot serve", error);
	if (!foreground && !daemon_detach(&error))
		return fail("cannot detach", error);
	if (!daemon_drop_privileges(p->milter_user, p->milter_group, &error))
		return fail("cannot drop privileges", error);
	app->store = store_open(p->milter_quarantine_dir, STORE_CREATE, &error);
	if (!app->store)
		return fail("quarantine store", error);
	app->releaser = web_releaser_start(app);
	struct web_indexer *indexer = web_indexer_start(app->store);
	g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);
	g_unix_signal_add(SIGTERM, on_signal, loop);
	g_unix_signal_add(SIGINT, on_signal, loop);
	g_printerr("cdr-web: ready on %s://%s\n", app->tls ? "https" : "http", p->web_listen);
	g_main_loop_run(loop);
	soup_server_disconnect(app->server);
	web_releaser_stop(app->releaser); /* deliveries in progress finish */
	web_indexer_stop(indexer);
	g_object_unref(app->server);
	web_sessions_free(app->sessions);
	web_limits_free(app->limits);
	g_bytes_unref(app->key);
	store_close(app->store);
	g_printerr("cdr-web: stopped\n");
	return 0;
}

int
main(int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GOptionContext) ctx = g_option_context_new("[passwd USER | link ID [RECIPIENT]]");
	g_option_context_set_summary(ctx, "The web console of the quarantine: staff ask for "
					  "attachments, administrators approve.");
	g_option_context_add_main_entries(ctx, options, NULL);
	setlocale(LC_ALL, "");
	setlocale(LC_NUMERIC, "C");
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		g_printerr("cdr-web: %s\n", error->message);
		return 2;
	}
	if (show_version) {
		g_print("cdr-web %s\n", MUGAIKA_VERSION);
		return 0;
	}
	if (data_dir)
		web_data_dir_set(data_dir);
	g_autoptr(cdr_policy) policy = cdr_policy_load(config_path, &error);
	if (!policy)
		return fail("configuration", error);
	if (argc == 3 && strcmp(argv[1], "passwd") == 0)
		return set_password(policy, argv[2]);
	if ((argc == 3 || argc == 4) && strcmp(argv[1], "link") == 0)
		return print_link(policy, argv[2], argc == 4 ? argv[3] : "");
	if (argc != 1) {
		g_printerr("cdr-web: unexpected '%s' (see --help)\n", argv[1]);
		return 2;
	}
	struct web_app app = { .policy = policy };
	if (check_only)
		return check(&app);
	return serve(&app);
}
