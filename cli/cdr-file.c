/*
 * NAME
 *	cdr-file - clean files brought in on removable media
 * SUMMARY
 *	cdr-file [options] INPUT... -o OUTDIR
 *	cdr-file -c [--name NAME] [--as mail] < in > out
 * DESCRIPTION
 *	Walks the inputs without following links, sends every file through
 *	the sandboxed worker pool, mirrors the clean files into OUTDIR, and
 *	reports every file (JSON Lines) with a summary at the end. The input
 *	is never modified. Exit status: 0 when every file came out clean or
 *	sanitized, 1 when something was blocked or a virus found, 2 on usage
 *	or system errors. With [av], clamd scans every file first (process.c).
 */
#include "config.h"

#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "display.h"
#include "password-file.h"
#include "process.h"
#include "wire.h"

enum { EXIT_CLEAN = 0, EXIT_BLOCKED = 1, EXIT_TROUBLE = 2 };

struct options {
	char *outdir;
	char *report;
	char *config;
	char *name;
	char *as; /* --as: the kind the -c input is, whatever its bytes look like */
	char *mail_build; /* --mail-build: a follow-up, release or password list of a message */
	gboolean filter;
	gboolean force;
	gboolean quiet;
	gboolean version;
	int jobs;
	char **inputs;
	char *password_file;
	struct cdr_run_params params; /* .passwords from --password-file */
};

/* --password-file: one password per line (password-file.h); handed to
 * the workers with every object. */
static gboolean
read_passwords(struct options *o)
{
	g_autoptr(GError) error = NULL;
	char *list = cdr_password_list_read(o->password_file, &error);
	if (!list) {
		g_printerr("cdr-file: %s\n", error->message);
		return FALSE;
	}
	o->params.passwords = list;
	return TRUE;
}

static gboolean
parse_options(int *argc, char ***argv, struct options *o)
{
	GOptionEntry entries[] = {
		{ "output", 'o', 0, G_OPTION_ARG_FILENAME, &o->outdir,
		  "Write clean files under DIR (created if missing)", "DIR" },
		{ "report", 'r', 0, G_OPTION_ARG_FILENAME, &o->report,
		  "Write a JSON Lines record per input file to FILE", "FILE" },
		{ "config", 'C', 0, G_OPTION_ARG_FILENAME, &o->config,
		  "Read limits and policy from FILE (default " CDR_DEFAULT_CONFIG ")", "FILE" },
		{ "filter", 'c', 0, G_OPTION_ARG_NONE, &o->filter,
		  "Clean one file from standard input to standard output", NULL },
		/* a file name: raw bytes, whatever the locale (display.c decodes) */
		{ "name", 'n', 0, G_OPTION_ARG_FILENAME, &o->name,
		  "With -c: the file name the input had (extension checks)", "NAME" },
		{ "as", 'a', 0, G_OPTION_ARG_STRING, &o->as,
		  "With -c: read the input as KIND whatever it looks like (mail: a message, "
		  "as cdr-milter does)", "KIND" },
		{ "mail-build", 'm', 0, G_OPTION_ARG_STRING, &o->mail_build,
		  "With -c: make KIND of the message: followup (PPAP follow-up, with -P), "
		  "release, or passwords (what its text gives)", "KIND" },
		{ "jobs", 'j', 0, G_OPTION_ARG_INT, &o->jobs,
		  "Clean N files at a time (default: one per CPU)", "N" },
		{ "force", 'f', 0, G_OPTION_ARG_NONE, &o->force,
		  "Overwrite files that already exist in the output directory", NULL },
		{ "quiet", 'q', 0, G_OPTION_ARG_NONE, &o->quiet,
		  "No progress line and no summary", NULL },
		{ "password-file", 'P', 0, G_OPTION_ARG_FILENAME, &o->password_file,
		  "Try the passwords in FILE (one per line) on encrypted archives", "FILE" },
		{ "version", 'V', 0, G_OPTION_ARG_NONE, &o->version, "Print the version", NULL },
		{ G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &o->inputs, NULL, NULL },
		G_OPTION_ENTRY_NULL,
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("INPUT... -o OUTDIR");
	g_autoptr(GError) error = NULL;
	g_option_context_set_summary(ctx, "Clean files for the LGWAN side (無害化): rebuild what is "
					  "safe, block the rest.");
	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, argc, argv, &error)) {
		g_printerr("cdr-file: %s\n", error->message);
		return FALSE;
	}
	if (o->version)
		return TRUE;
	if (o->jobs < 0) {
		g_printerr("cdr-file: --jobs must be positive\n");
		return FALSE;
	}
	if (o->filter && (o->inputs || o->outdir)) {
		g_printerr("cdr-file: -c reads standard input; no INPUT or -o\n");
		return FALSE;
	}
	if (o->as && (!o->filter || strcmp(o->as, "mail") != 0)) {
		g_printerr("cdr-file: --as takes one kind, mail, and needs -c\n");
		return FALSE;
	}
	if (o->mail_build && (!o->filter || (strcmp(o->mail_build, "followup") != 0 &&
					      strcmp(o->mail_build, "release") != 0 &&
					      strcmp(o->mail_build, "passwords") != 0))) {
		g_printerr("cdr-file: --mail-build takes followup, release or passwords, and "
			   "needs -c\n");
		return FALSE;
	}
	if (o->as || o->mail_build)
		o->params.handler = "mime"; /* the mail handler, never detected */
	o->params.mail_build = o->mail_build;
	if (!o->filter && (!o->inputs || !o->outdir)) {
		g_printerr("cdr-file: need INPUT... and -o OUTDIR (or -c); see cdr-file --help\n");
		return FALSE;
	}
	return !o->password_file || read_passwords(o);
}

static FILE *
open_report(const char *path)
{
	if (!path)
		return NULL;
	FILE *f = fopen(path, "we");
	if (!f)
		g_printerr("cdr-file: %s: %s\n", path, g_strerror(errno));
	return f;
}

static gboolean
copy_to_stdout(int fd)
{
	gsize len = 0;
	guint8 *data = cdr_map_fd(fd, &len);
	if (!data)
		return FALSE;
	gsize done = 0;
	while (done < len) {
		ssize_t n = write(STDOUT_FILENO, data + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += (gsize)n;
	}
	cdr_unmap(data, len);
	return done == len;
}

/* cdr-file -c: one object, stdin to stdout. */
static int
run_filter(const struct options *o, const struct process_ctx *ctx, FILE *report)
{
	const struct cdr_policy *policy = ctx->policy;
	g_autoptr(cdr_report) r = NULL;
	struct file_result res = { .path = "-" };
	gboolean too_big = FALSE;
	int out_fd = -1;
	int in = memfd_from_stream(STDIN_FILENO, policy->max_input_bytes, &too_big);
	g_autofree char *name = display_utf8_name(o->name);

	if (in < 0) {
		g_printerr("cdr-file: reading standard input: %s\n", g_strerror(errno));
		return EXIT_TROUBLE;
	}
	if (too_big) {
		g_autofree char *why = g_strdup_printf(
			"over max_input_bytes (%" G_GUINT64_FORMAT ")", policy->max_input_bytes);
		r = process_blocked(name, CDR_E_LIMIT, why);
	} else {
		sha256_of_fd(in, res.sha256_in);
		r = process_object(ctx, in, name, &out_fd);
	}
	close(in);
	res.report = r;
	int status = EXIT_CLEAN;
	if (out_fd >= 0) {
		sha256_of_fd(out_fd, res.sha256_out);
		res.output = "-";
		if (!copy_to_stdout(out_fd)) {
			g_printerr("cdr-file: writing standard output: %s\n", g_strerror(errno));
			status = EXIT_TROUBLE;
		}
		close(out_fd);
	}
	struct summary *s = summary_new(report);
	summary_add(s, &res);
	gboolean infected = summary_infected(s) > 0;
	summary_free(s);
	if (r->verdict != CDR_BLOCKED && infected) {
		const struct cdr_report *bad = cdr_report_find_malware(r);
		g_printerr("cdr-file: virus found and removed: %s (%s)\n", bad->malware,
			   bad->name ? bad->name : "-");
		status = EXIT_BLOCKED;
	}
	if (r->verdict == CDR_BLOCKED) {
		g_printerr("cdr-file: blocked: %s\n", r->reason);
		return EXIT_BLOCKED;
	}
	if (!o->quiet) {
		g_autofree char *acts = cdr_report_action_summary(r);
		g_printerr("cdr-file: %s%s%s%s\n", cdr_verdict_name(r->verdict), *acts ? " (" : "",
			   acts, *acts ? ")" : "");
	}
	return status;
}

static void
work(gpointer entry, gpointer ctx)
{
	process_entry(ctx, entry);
}

static void
show_progress(struct summary *s, unsigned total, gboolean final)
{
	fprintf(stderr, "\r%u/%u files, %u blocked%s", summary_done(s), total, summary_blocked(s),
		final ? "\033[K\r\033[K" : "\033[K");
	fflush(stderr);
}

/* cdr-file INPUT... -o OUTDIR */
static int
run_tree(const struct options *o, struct process_ctx *ctx, FILE *report, unsigned jobs)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func(walk_entry_free);
	int status = EXIT_CLEAN;

	for (char **in = o->inputs; *in; in++)
		if (!walk_input(*in, entries, &error)) {
			g_printerr("cdr-file: %s\n", error->message);
			return EXIT_TROUBLE;
		}
	struct outtree *out = outtree_new(o->outdir, o->inputs, o->force, &error);
	if (!out) {
		g_printerr("cdr-file: %s\n", error->message);
		return EXIT_TROUBLE;
	}
	struct summary *s = summary_new(report);
	ctx->out = out;
	ctx->summary = s;
	gint64 start = g_get_monotonic_time();
	gboolean progress = !o->quiet && isatty(STDERR_FILENO);

	GThreadPool *threads = g_thread_pool_new(work, ctx, (int)jobs, TRUE, NULL);
	for (guint i = 0; i < entries->len; i++)
		g_thread_pool_push(threads, entries->pdata[i], NULL);
	while (progress && summary_done(s) < entries->len) {
		show_progress(s, entries->len, FALSE);
		g_usleep(200 * 1000);
	}
	g_thread_pool_free(threads, FALSE, TRUE);
	if (progress)
		show_progress(s, entries->len, TRUE);

	double seconds = (double)(g_get_monotonic_time() - start) / G_USEC_PER_SEC;
	if (!o->quiet) {
		summary_print(s, stdout, seconds);
		if (o->report)
			printf("Report: %s\n", o->report);
		printf("Clean files: %s\n", o->outdir);
	}
	if (summary_blocked(s) || summary_infected(s))
		status = EXIT_BLOCKED;
	if (summary_write_errors(s))
		status = EXIT_TROUBLE;
	summary_free(s);
	outtree_free(out);
	return status;
}

static void
options_clear(struct options *o)
{
	g_free(o->outdir);
	g_free(o->report);
	g_free(o->config);
	g_free(o->name);
	g_free(o->as);
	g_free(o->mail_build);
	g_strfreev(o->inputs);
	g_free(o->password_file);
	g_free((char *)o->params.passwords);
}

static int
run(struct options *o)
{
	g_autoptr(GError) error = NULL;
	int status;

	if (o->version) {
		printf("cdr-file (mugaika) %s\n", MUGAIKA_VERSION);
		return EXIT_CLEAN;
	}
	g_autoptr(cdr_policy) policy = cdr_policy_load(o->config, &error);
	if (!policy) {
		g_printerr("cdr-file: %s\n", error->message);
		return EXIT_TROUBLE;
	}
	unsigned jobs = o->filter ? 1 : o->jobs ? (unsigned)o->jobs : cdr_policy_worker_count(policy);
	g_autoptr(av_scanner) av = av_scanner_new(policy, &error);
	if (!av && error) {
		g_printerr("cdr-file: %s: %s\n", o->config ? o->config : CDR_DEFAULT_CONFIG,
			   error->message);
		return EXIT_TROUBLE;
	}
	struct cdr_pool *pool = cdr_pool_new(policy, NULL, jobs, &error);
	if (!pool) {
		g_printerr("cdr-file: %s\n", error->message);
		return EXIT_TROUBLE;
	}
	if (av) /* what the workers reveal (decrypted members) is scanned too */
		cdr_pool_set_scanner(pool, av_pool_scan, av);
	if (o->filter) /* its start-up overlaps reading and hashing stdin */
		cdr_pool_prestart(pool);
	struct process_ctx ctx = { .policy = policy, .pool = pool, .params = &o->params, .av = av };
	FILE *report = open_report(o->report);
	if (o->report && !report)
		status = EXIT_TROUBLE;
	else if (o->filter)
		status = run_filter(o, &ctx, report);
	else
		status = run_tree(o, &ctx, report, jobs);
	if (report && fclose(report) != 0) {
		g_printerr("cdr-file: %s: %s\n", o->report, g_strerror(errno));
		status = EXIT_TROUBLE;
	}
	cdr_pool_free_at_exit(pool);
	return status;
}

int
main(int argc, char **argv)
{
	struct options o = { 0 };
	/* --help and messages in the user's locale (GLib converts them to its
	 * charset: in the C locale Japanese text shows as "?"); numbers stay in
	 * the C form so logs and reports read the same everywhere */
	setlocale(LC_ALL, "");
	setlocale(LC_NUMERIC, "C");
	int status = parse_options(&argc, &argv, &o) ? run(&o) : EXIT_TROUBLE;
	options_clear(&o);
	return status;
}
