/*
 * NAME
 *	test-docs - the manual covers the public names the code uses
 * SUMMARY
 *	Config keys must be documented in mugaika.conf(5); verdict, error
 *	and action names in mugaika(7); each as a list item ".It Cm NAME".
 *	A key added to the code without documentation fails here.
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
	return g_test_run();
}
