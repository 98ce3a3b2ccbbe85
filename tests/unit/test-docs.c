/*
 * NAME
 *	test-docs - the manual covers the public names the code uses
 * SUMMARY
 *	Config keys must be documented in mugaika.conf(5); verdict, error
 *	and action names in mugaika(7); each as a list item ".It Cm NAME".
 *	A key added to the code without documentation fails here.
 *	cdr-milter(8), cdr-quarantine(8) and cdr-web(8) must document every command-line
 *	option of their program (".It Fl x ... Fl -long"), and no other, and
 *	cdr-quarantine(8) every subcommand (".It Cm NAME"). The options are
 *	read from the GOptionEntry table in the program's source and the
 *	subcommands from its usage line, so that the test follows the code.
 */
#include <string.h>

#include "actions.h"
#include "names.h"
#include "policy.h"
#include "report.h"

static char *
read_page(const char *page)
{
	g_autofree char *path = g_build_filename(SOURCE_ROOT, "man", page, NULL);
	char *text = NULL;
	g_autoptr(GError) error = NULL;
	g_file_get_contents(path, &text, NULL, &error);
	g_assert_no_error(error);
	return text;
}

static void
assert_item(const char *page_text, const char *page, const char *name)
{
	g_autofree char *item = g_strdup_printf("\n.It Cm %s\n", name);
	if (!strstr(page_text, item))
		g_error("%s does not document '%s' (expected a line \".It Cm %s\")", page, name,
			name);
}

/* TRUE when `text` has a line that starts with `start`, continues with a
 * space or ends there, and (when `contains` is set) contains `contains`
 * followed by a space, a newline or the end of the line. */
static gboolean
has_item_line(const char *text, const char *start, const char *contains)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	gsize n = strlen(start);
	for (char **l = lines; *l; l++) {
		if (strncmp(*l, start, n) != 0 || ((*l)[n] != '\0' && (*l)[n] != ' '))
			continue;
		if (!contains)
			return TRUE;
		gsize m = strlen(contains);
		for (const char *c = strstr(*l + n, contains); c; c = strstr(c + 1, contains))
			if (c[m] == '\0' || c[m] == ' ')
				return TRUE;
	}
	return FALSE;
}

static char *
read_source(const char *file)
{
	g_autofree char *path = g_build_filename(SOURCE_ROOT, file, NULL);
	char *text = NULL;
	g_autoptr(GError) error = NULL;
	g_file_get_contents(path, &text, NULL, &error);
	g_assert_no_error(error);
	return text;
}

struct cli_option {
	char *long_name;
	char short_name; /* 0: none */
};

static void
cli_option_free(gpointer p)
{
	struct cli_option *o = p;
	g_free(o->long_name);
	g_free(o);
}

/* The entries of `static const GOptionEntry options[] = { ... { NULL } };`
 * (or `GOptionEntry entries[] = { ... G_OPTION_ENTRY_NULL };`)
 * in a program's source: { "long", 'x', ... } or { "long", 0, ... }. */
static GPtrArray *
source_options(const char *file)
{
	g_autofree char *text = read_source(file);
	const char *start = strstr(text, "GOptionEntry options[] = {");
	if (!start)
		start = strstr(text, "GOptionEntry entries[] = {");
	g_assert_nonnull(start);
	const char *end = strstr(start, "{ NULL");
	if (!end)
		end = strstr(start, "G_OPTION_ENTRY_NULL");
	g_assert_nonnull(end);
	g_autofree char *table = g_strndup(start, (gsize)(end - start));
	g_autoptr(GRegex) re =
		g_regex_new("\\{\\s*\"([^\"]+)\"\\s*,\\s*(?:'(.)'|0)\\s*,", 0, 0, NULL);
	g_autoptr(GMatchInfo) m = NULL;
	GPtrArray *out = g_ptr_array_new_with_free_func(cli_option_free);
	g_regex_match(re, table, 0, &m);
	for (; g_match_info_matches(m); g_match_info_next(m, NULL)) {
		struct cli_option *o = g_new0(struct cli_option, 1);
		o->long_name = g_match_info_fetch(m, 1);
		g_autofree char *s = g_match_info_fetch(m, 2);
		o->short_name = s && *s ? *s : 0;
		g_ptr_array_add(out, o);
	}
	if (out->len == 0)
		g_error("%s: no GOptionEntry options[] table found", file);
	return out;
}

/* The text of the OPTIONS section of a page. */
static char *
options_section(const char *text, const char *page)
{
	const char *start = strstr(text, "\n.Sh OPTIONS\n");
	if (!start)
		g_error("%s has no OPTIONS section", page);
	const char *end = strstr(start + 1, "\n.Sh ");
	return end ? g_strndup(start, (gsize)(end - start)) : g_strdup(start);
}

/* Every option of the program is an item ".It Fl x ... Fl -long" of the
 * page's OPTIONS section, and every ".It Fl" item there is an option of
 * the program (or GLib's -h). */
static void
assert_options_documented(const char *source, const char *page)
{
	g_autoptr(GPtrArray) opts = source_options(source);
	g_autofree char *text = read_page(page);
	g_autofree char *section = options_section(text, page);
	for (guint i = 0; i < opts->len; i++) {
		const struct cli_option *o = opts->pdata[i];
		g_autofree char *lng = g_strdup_printf("Fl -%s", o->long_name);
		g_autofree char *item = o->short_name ? g_strdup_printf(".It Fl %c", o->short_name)
						      : g_strdup_printf(".It %s", lng);
		/* a long-only option's item line is itself ".It Fl -long" */
		if (!has_item_line(section, item, o->short_name ? lng : NULL))
			g_error("%s does not document the option --%s of %s (expected a line "
				"\"%s ... %s\" under OPTIONS)",
				page, o->long_name, source, item, lng);
	}
	g_auto(GStrv) lines = g_strsplit(section, "\n", -1);
	for (char **l = lines; *l; l++) {
		if (!g_str_has_prefix(*l, ".It Fl "))
			continue;
		const char *name = *l + strlen(".It Fl ");
		gboolean known = g_str_has_prefix(name, "h ") || g_str_has_prefix(name, "h,");
		for (guint i = 0; i < opts->len && !known; i++) {
			const struct cli_option *o = opts->pdata[i];
			if (o->short_name)
				known = name[0] == o->short_name &&
					(name[1] == ' ' || name[1] == '\0');
			else
				known = g_str_has_prefix(name, "-") &&
					strncmp(name + 1, o->long_name, strlen(o->long_name)) == 0;
		}
		if (!known)
			g_error("%s documents an option that %s does not have: \"%s\"", page, source,
				*l);
	}
}

static void
test_milter_options(void)
{
	assert_options_documented("milter/cdr-milter.c", "cdr-milter.8");
}

static void
test_cdr_file_options(void)
{
	assert_options_documented("cli/cdr-file.c", "cdr-file.1");
}

static void
test_web_options(void)
{
	assert_options_documented("web/cdr-web.c", "cdr-web.8");
}

static void
test_quarantine_options(void)
{
	assert_options_documented("milter/cdr-quarantine.c", "cdr-quarantine.8");
}

/* The subcommands are the words of cdr-quarantine's usage line,
 * g_option_context_new("list | show ID | ..."): the first word of each
 * alternative. */
static void
test_quarantine_commands(void)
{
	g_autofree char *source = read_source("milter/cdr-quarantine.c");
	const char *start = strstr(source, "g_option_context_new(");
	g_assert_nonnull(start);
	start += strlen("g_option_context_new(");
	while (g_ascii_isspace(*start))
		start++;
	g_assert_cmpint(*start, ==, '"');
	start++;
	const char *end = strchr(start, '"');
	g_assert_nonnull(end);
	g_autofree char *usage = g_strndup(start, (gsize)(end - start));
	g_auto(GStrv) alternatives = g_strsplit(usage, "|", -1);
	g_autofree char *text = read_page("cdr-quarantine.8");
	guint n = 0;
	for (char **a = alternatives; *a; a++) {
		g_auto(GStrv) words = g_strsplit(g_strstrip(*a), " ", 2);
		if (!words[0] || !*words[0])
			continue;
		g_autofree char *item = g_strdup_printf(".It Cm %s", words[0]);
		if (!has_item_line(text, item, NULL))
			g_error("cdr-quarantine.8 does not document the command '%s' (expected a "
				"line \"%s\")",
				words[0], item);
		n++;
	}
	g_assert_cmpuint(n, >=, 4);
}

static void
test_config_keys(void)
{
	g_autofree char *text = read_page("mugaika.conf.5");
	for (const struct cdr_policy_key *k = cdr_policy_keys; k->key; k++)
		assert_item(text, "mugaika.conf.5", k->key);
}

static void
test_report_names(void)
{
	g_autofree char *text = read_page("mugaika.7");
	for (int v = CDR_CLEAN; v <= CDR_BLOCKED; v++)
		assert_item(text, "mugaika.7", cdr_verdict_name(v));
	for (int e = CDR_E_PARSE; e < CDR_E_COUNT; e++)
		assert_item(text, "mugaika.7", cdr_error_name(e));
	for (const char *const *a = cdr_action_names; *a; a++)
		assert_item(text, "mugaika.7", *a);
}

static void
test_dangerous_extensions(void)
{
	g_autofree char *text = read_page("mugaika.7");
	for (const char *const *x = cdr_dangerous_extensions; *x; x++) {
		g_autofree char *word = g_strdup_printf(".%s", *x);
		if (!strstr(text, word))
			g_error("mugaika.7 does not list the blocked extension %s", word);
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/docs/config-keys", test_config_keys);
	g_test_add_func("/docs/report-names", test_report_names);
	g_test_add_func("/docs/dangerous-extensions", test_dangerous_extensions);
	g_test_add_func("/docs/cdr-milter-options", test_milter_options);
	g_test_add_func("/docs/cdr-quarantine-options", test_quarantine_options);
	g_test_add_func("/docs/cdr-web-options", test_web_options);
	g_test_add_func("/docs/cdr-file-options", test_cdr_file_options);
	g_test_add_func("/docs/cdr-quarantine-commands", test_quarantine_commands);
	return g_test_run();
}
