/*
 * NAME
 *	test-handler-checklist - every registered handler has what a format needs
 * SUMMARY
 *	The checklist of docs/HACKING.md "Adding a format", checked against
 *	the handlers compiled in (cdr_builtin_handlers, sanitizer/all.c):
 *	a section ".Ss ... (handler NAME)" in mugaika(7); a fixtures folder
 *	with a manifest written by a generator in fixtures/gen/ (run by
 *	all.sh), benign and hostile cases, each with a "why", and for a
 *	handler that writes output at least one independent check; a fuzz
 *	target tests/fuzz/fuzz-T.c built by tests/fuzz/meson.build with a
 *	seed corpus fixtures/fuzz/T/ holding a file of the format; and, for
 *	each mugaika.conf key the handler's own source files read, the key
 *	documented in its section of mugaika.conf(5).
 * DESCRIPTION
 *	The table below names, for every handler, its fixtures folder, its
 *	fuzz target and the mugaika.conf section of its own settings. A
 *	handler missing from the table fails: adding a format means deciding
 *	these. The settings a handler reads are found in its sources
 *	(sanitizer/NAME.c and sanitizer/NAME-*.c: "->FIELD" of struct
 *	cdr_policy, the field names read from the key table in cdr/policy.c),
 *	so a handler that starts reading a section of its own without the
 *	table (and so the documentation) saying so fails too.
 */
#include <json-glib/json-glib.h>
#include <string.h>

#include "cdr.h"
#include "policy.h"

struct checklist_entry {
	const char *handler;
	const char *fixtures; /* fixtures/<folder>/manifest.json */
	const char *fuzz;     /* tests/fuzz/fuzz-<target>.c, seeds in fixtures/fuzz/<target>/ */
	const char *config;   /* [section] of its own settings in mugaika.conf; NULL: none */
	gboolean no_output;   /* only ever blocks: no independent check of an output */
	const char *also;     /* a second [section] of its own settings; NULL: none */
};

static const struct checklist_entry checklist[] = {
	{ "jpeg", "jpeg", "jpeg", NULL, FALSE, NULL },
	{ "png", "png", "png", NULL, FALSE, NULL },
	{ "gif", "gif", "gif", NULL, FALSE, NULL },
	{ "bmp", "bmp", "bmp", NULL, FALSE, NULL },
	{ "tiff", "tiff", "tiff", NULL, FALSE, NULL },
	{ "webp", "webp", "webp", NULL, FALSE, NULL },
	{ "heif", "heif", "heif", NULL, FALSE, NULL },
	{ "svg", "svg", "svg", NULL, FALSE, NULL },
	{ "pdf", "pdf", "pdf", "pdf", FALSE, NULL },
	{ "ooxml", "ooxml", "ooxml", "office", FALSE, NULL },
	{ "odf", "odf", "odf", "office", FALSE, NULL },
	{ "ole2", "ole2", "ole2", "office", FALSE, NULL },
	{ "rtf", "rtf", "rtf", "office", FALSE, NULL },
	{ "archive", "archive", "archive", NULL, FALSE, NULL },
	/* The mail handler is named after the MIME library's word for it;
	 * its fixtures are mail messages, fixtures/mail/. It also reads [ppap]:
	 * the passwords of encrypted attachments and the follow-up messages. */
	{ "mime", "mail", "mime", "mail", FALSE, "ppap" },
	{ "csv", "csv", "csv", "csv", FALSE, NULL },
	{ "text", "text", "text", NULL, FALSE, NULL },
	/* Formats no library reads (Ichitaro, Hanako, JW_CAD, DocuWorks,
	 * OASYS, HWP): fixtures/nolib/. It has no parser of its own, only
	 * bids on signatures and names, and every fuzz target runs every
	 * handler's bid: its seeds (the nolib files, copied by
	 * fixtures/gen/images2_fuzz_seeds.sh) are in the bmp corpus, replayed
	 * by fuzz-bmp. It never writes output. */
	{ "unsupported", "nolib", "bmp", NULL, TRUE, NULL },
};

/* Sections every handler obeys through the engine and the shared link
 * rule (cdr/links.h), documented once for all: a handler reading them
 * needs no section of its own, but each key it reads is still checked. */
static const char *const shared_sections[] = { "limits", "workers", "names", "links", NULL };

static const struct checklist_entry *
checklist_find(const char *handler)
{
	for (gsize i = 0; i < G_N_ELEMENTS(checklist); i++)
		if (strcmp(checklist[i].handler, handler) == 0)
			return &checklist[i];
	return NULL;
}

static char *
source_path(const char *first, ...) G_GNUC_NULL_TERMINATED;

static char *
source_path(const char *first, ...)
{
	va_list ap;
	va_start(ap, first);
	g_autofree char *rel = g_build_filename_valist(first, &ap);
	va_end(ap);
	return g_build_filename(SOURCE_ROOT, rel, NULL);
}

/* The file's text; NULL when it cannot be read. */
static char *
read_text(const char *path)
{
	char *text = NULL;
	if (!g_file_get_contents(path, &text, NULL, NULL))
		return NULL;
	return text;
}

static char *
read_required(const char *rel)
{
	g_autofree char *path = source_path(rel, NULL);
	char *text = read_text(path);
	if (!text)
		g_error("cannot read %s", path);
	return text;
}

/* The lines of `text` from the one that is `heading` up to the next
 * section or subsection heading (".Sh ", ".Ss ") or the end; NULL when no
 * line is `heading`. */
static char *
man_section(const char *text, const char *heading)
{
	g_autofree char *h = g_strconcat("\n", heading, "\n", NULL);
	const char *start = strstr(text, h);
	if (!start)
		return NULL;
	start++;
	const char *sh = strstr(start, "\n.Sh ");
	const char *ss = strstr(start, "\n.Ss ");
	const char *end = sh && (!ss || sh < ss) ? sh : ss;
	return end ? g_strndup(start, (gsize)(end - start)) : g_strdup(start);
}

static gboolean
has_line(const char *text, const char *line)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	for (char **l = lines; *l; l++)
		if (strcmp(*l, line) == 0)
			return TRUE;
	return FALSE;
}

static void
problem(GString *problems, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void
problem(GString *problems, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	g_string_append(problems, "\n  ");
	g_string_append_vprintf(problems, fmt, ap);
	va_end(ap);
}

static void
report_problems(GString *problems, const char *what)
{
	if (problems->len)
		g_test_fail_printf("%s:%s\n(see docs/HACKING.md, \"Adding a format\")", what,
				   problems->str);
}

static void
test_table_covers_handlers(void)
{
	g_autoptr(GString) problems = g_string_new(NULL);
	guint n = 0;
	for (const struct cdr_handler *const *h = cdr_builtin_handlers; *h; h++, n++)
		if (!checklist_find((*h)->name))
			problem(problems,
				"handler %s is not in the table of tests/unit/test-handler-checklist.c",
				(*h)->name);
	/* an empty registry would make every other test here pass */
	if (n == 0)
		problem(problems, "no handler is registered");
	report_problems(problems, "handlers without a checklist entry");
}

/* mugaika(7) has a section ".Ss TITLE (handler NAME)". */
static void
test_man_sections(void)
{
	g_autofree char *page = read_required("man/mugaika.7");
	g_auto(GStrv) lines = g_strsplit(page, "\n", -1);
	g_autoptr(GString) problems = g_string_new(NULL);
	for (const struct cdr_handler *const *h = cdr_builtin_handlers; *h; h++) {
		g_autofree char *tail = g_strdup_printf(" (handler %s)", (*h)->name);
		gboolean found = FALSE;
		for (char **l = lines; *l && !found; l++)
			found = g_str_has_prefix(*l, ".Ss ") && g_str_has_suffix(*l, tail);
		if (!found)
			problem(problems, "%s: man/mugaika.7 has no line \".Ss ...%s\"", (*h)->name,
				tail);
	}
	report_problems(problems, "handlers without a mugaika(7) section");
}

/* A named check of the manifest is documented in fixtures/README.md: the
 * first cell of a table row names it ("| `a`, `b` | what they verify |"). */
static gboolean
check_documented(const char *readme, const char *check)
{
	g_autofree char *quoted = g_strdup_printf("`%s`", check);
	g_auto(GStrv) lines = g_strsplit(readme, "\n", -1);
	for (char **l = lines; *l; l++) {
		if (!g_str_has_prefix(*l, "| `"))
			continue;
		const char *end = strchr(*l + 1, '|');
		g_autofree char *cell = end ? g_strndup(*l, (gsize)(end - *l)) : g_strdup(*l);
		if (strstr(cell, quoted))
			return TRUE;
	}
	return FALSE;
}

static void
check_fixture_entries(GString *problems, const struct checklist_entry *c, JsonArray *fixtures,
		      const char *dir, const char *readme)
{
	guint benign = 0, hostile = 0, checked = 0;
	for (guint i = 0; i < json_array_get_length(fixtures); i++) {
		JsonNode *node = json_array_get_element(fixtures, i);
		JsonObject *f = JSON_NODE_HOLDS_OBJECT(node) ? json_node_get_object(node) : NULL;
		const char *path =
			f ? json_object_get_string_member_with_default(f, "path", NULL) : NULL;
		const char *why = f ? json_object_get_string_member_with_default(f, "why", NULL) : NULL;
		if (!path) {
			problem(problems, "%s: fixtures/%s: entry %u has no path", c->handler,
				c->fixtures, i);
			continue;
		}
		g_autofree char *file = g_build_filename(dir, path, NULL);
		if (!g_file_test(file, G_FILE_TEST_IS_REGULAR))
			problem(problems, "%s: fixtures/%s/%s is in the manifest but not on disk",
				c->handler, c->fixtures, path);
		if (!why || !*why)
			problem(problems, "%s: fixtures/%s/%s has no \"why\"", c->handler,
				c->fixtures, path);
		benign += g_str_has_prefix(path, "benign/");
		hostile += g_str_has_prefix(path, "hostile/");
		JsonNode *list = json_object_get_member(f, "checks");
		JsonArray *checks = list && JSON_NODE_HOLDS_ARRAY(list) ? json_node_get_array(list)
								       : NULL;
		for (guint k = 0; checks && k < json_array_get_length(checks); k++) {
			JsonNode *cn = json_array_get_element(checks, k);
			const char *check = JSON_NODE_HOLDS_VALUE(cn) &&
						    json_node_get_value_type(cn) == G_TYPE_STRING
					            ? json_node_get_string(cn)
					            : NULL;
			if (!check || !check_documented(readme, check)) {
				problem(problems, "%s: fixtures/%s/%s: check %s is not described in "
						  "fixtures/README.md",
					c->handler, c->fixtures, path, check ? check : "(not a string)");
				continue;
			}
			/* idempotence is our own reader on our own output */
			checked += strcmp(check, "idempotent") != 0;
		}
	}
	if (!benign)
		problem(problems, "%s: fixtures/%s has no benign/ case", c->handler, c->fixtures);
	if (!hostile)
		problem(problems, "%s: fixtures/%s has no hostile/ case", c->handler, c->fixtures);
	if (!checked && !c->no_output)
		problem(problems, "%s: no fixture of fixtures/%s is checked by an independent reader",
			c->handler, c->fixtures);
}

/* fixtures/<folder>/manifest.json: its format is the folder, its generator
 * a script of fixtures/gen/ that all.sh runs, its entries exist. */
static void
check_fixtures(GString *problems, const struct checklist_entry *c, const char *all_sh,
	       const char *readme)
{
	g_autofree char *dir = source_path("fixtures", c->fixtures, NULL);
	g_autofree char *manifest = g_build_filename(dir, "manifest.json", NULL);
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GError) error = NULL;
	if (!json_parser_load_from_file(parser, manifest, &error)) {
		problem(problems, "%s: fixtures/%s/manifest.json: %s", c->handler, c->fixtures,
			error->message);
		return;
	}
	JsonNode *root = json_parser_get_root(parser);
	JsonObject *m = JSON_NODE_HOLDS_OBJECT(root) ? json_node_get_object(root) : NULL;
	const char *format = m ? json_object_get_string_member_with_default(m, "format", NULL)
			       : NULL;
	const char *generator =
		m ? json_object_get_string_member_with_default(m, "generator", NULL) : NULL;
	JsonNode *list = m ? json_object_get_member(m, "fixtures") : NULL;
	if (g_strcmp0(format, c->fixtures) != 0)
		problem(problems, "%s: fixtures/%s/manifest.json says format %s", c->handler,
			c->fixtures, format ? format : "(none)");
	if (!generator || !g_str_has_prefix(generator, "fixtures/gen/")) {
		problem(problems, "%s: fixtures/%s/manifest.json names no generator in fixtures/gen/",
			c->handler, c->fixtures);
	} else {
		g_autofree char *script = source_path(generator, NULL);
		g_autofree char *base = g_path_get_basename(generator);
		if (!g_file_test(script, G_FILE_TEST_IS_REGULAR))
			problem(problems, "%s: generator %s does not exist", c->handler, generator);
		if (!strstr(all_sh, base))
			problem(problems, "%s: fixtures/gen/all.sh does not run %s", c->handler, base);
	}
	if (!list || !JSON_NODE_HOLDS_ARRAY(list) ||
	    json_array_get_length(json_node_get_array(list)) == 0) {
		problem(problems, "%s: fixtures/%s/manifest.json lists no fixtures", c->handler,
			c->fixtures);
		return;
	}
	check_fixture_entries(problems, c, json_node_get_array(list), dir, readme);
}

static void
test_fixtures(void)
{
	g_autofree char *all_sh = read_required("fixtures/gen/all.sh");
	g_autofree char *readme = read_required("fixtures/README.md");
	g_autoptr(GString) problems = g_string_new(NULL);
	for (const struct cdr_handler *const *h = cdr_builtin_handlers; *h; h++) {
		const struct checklist_entry *c = checklist_find((*h)->name);
		if (c)
			check_fixtures(problems, c, all_sh, readme);
	}
	report_problems(problems, "handlers without fixtures");
}

/* A seed of the format: a file named with one of the handler's extensions. */
static gboolean
corpus_has_format(const char *dir, const struct cdr_handler *h)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const char *name;
	while (d && (name = g_dir_read_name(d))) {
		const char *dot = strrchr(name, '.');
		for (const char *const *x = h->extensions; dot && x && *x; x++)
			if (g_ascii_strcasecmp(dot + 1, *x) == 0)
				return TRUE;
	}
	return FALSE;
}

static void
test_fuzz_targets(void)
{
	g_autofree char *build = read_required("tests/fuzz/meson.build");
	g_autoptr(GString) problems = g_string_new(NULL);
	for (const struct cdr_handler *const *h = cdr_builtin_handlers; *h; h++) {
		const struct checklist_entry *c = checklist_find((*h)->name);
		if (!c)
			continue;
		g_autofree char *file = g_strdup_printf("fuzz-%s.c", c->fuzz);
		g_autofree char *src = source_path("tests", "fuzz", file, NULL);
		g_autofree char *quoted = g_strdup_printf("'%s'", c->fuzz);
		g_autofree char *corpus = source_path("fixtures", "fuzz", c->fuzz, NULL);
		if (!g_file_test(src, G_FILE_TEST_IS_REGULAR))
			problem(problems, "%s: no fuzz target tests/fuzz/%s", c->handler, file);
		if (!strstr(build, quoted))
			problem(problems, "%s: tests/fuzz/meson.build does not build %s (no %s)",
				c->handler, file, quoted);
		if (!corpus_has_format(corpus, *h))
			problem(problems,
				"%s: fixtures/fuzz/%s/ holds no seed named with an extension of the "
				"handler (%s)",
				c->handler, c->fuzz,
				(*h)->extensions && (*h)->extensions[0] ? (*h)->extensions[0] : "none");
	}
	report_problems(problems, "handlers without a fuzz target");
}

struct policy_field {
	char *group, *key, *field;
};

static void
policy_field_free(gpointer p)
{
	struct policy_field *f = p;
	g_free(f->group);
	g_free(f->key);
	g_free(f->field);
	g_free(f);
}

/* The struct cdr_policy field of every key, from the table's source:
 * KEY("group", "key", CDR_KEY_TYPE, field, ...), CHOICE("group", "key",
 * field, ...), CHECKED_LIST("group", "key", field, ...). */
static GPtrArray *
policy_fields(void)
{
	g_autofree char *source = read_required("cdr/policy.c");
	const char *start = strstr(source, "cdr_policy_keys[] = {");
	g_assert_nonnull(start);
	const char *end = strstr(start, "{ NULL");
	g_assert_nonnull(end);
	g_autofree char *table = g_strndup(start, (gsize)(end - start));
	g_autoptr(GRegex) re = g_regex_new("\\b[A-Z_]+\\(\\s*\"([a-z_]+)\",\\s*\"([a-z_]+)\",\\s*"
					   "(?:CDR_KEY_[A-Z]+,\\s*)?([a-z_]+)\\s*,",
					   0, 0, NULL);
	g_autoptr(GMatchInfo) m = NULL;
	GPtrArray *out = g_ptr_array_new_with_free_func(policy_field_free);
	g_regex_match(re, table, 0, &m);
	for (; g_match_info_matches(m); g_match_info_next(m, NULL)) {
		struct policy_field *f = g_new0(struct policy_field, 1);
		f->group = g_match_info_fetch(m, 1);
		f->key = g_match_info_fetch(m, 2);
		f->field = g_match_info_fetch(m, 3);
		g_ptr_array_add(out, f);
	}
	guint n = 0;
	for (const struct cdr_policy_key *k = cdr_policy_keys; k->key; k++)
		n++;
	if (out->len != n)
		g_error("read %u keys from the table in cdr/policy.c, cdr_policy_keys has %u: "
			"teach policy_fields() the table's new form",
			out->len, n);
	return out;
}

/* The text of the handler's own sources: sanitizer/NAME.c, NAME-*.c. */
static char *
handler_sources(const char *name)
{
	g_autofree char *dir = source_path("sanitizer", NULL);
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	g_assert_nonnull(d);
	g_autofree char *own = g_strconcat(name, ".c", NULL);
	g_autofree char *prefix = g_strconcat(name, "-", NULL);
	GString *all = g_string_new(NULL);
	const char *f;
	while ((f = g_dir_read_name(d))) {
		if (strcmp(f, own) != 0 && !(g_str_has_prefix(f, prefix) && g_str_has_suffix(f, ".c")))
			continue;
		g_autofree char *path = g_build_filename(dir, f, NULL);
		g_autofree char *text = read_text(path);
		g_assert_nonnull(text);
		g_string_append(all, text);
	}
	return g_string_free(all, FALSE);
}

/* "->FIELD" not followed by more of an identifier. */
static gboolean
reads_field(const char *text, const char *field)
{
	g_autofree char *arrow = g_strconcat("->", field, NULL);
	gsize n = strlen(arrow);
	for (const char *c = strstr(text, arrow); c; c = strstr(c + 1, arrow))
		if (!g_ascii_isalnum(c[n]) && c[n] != '_')
			return TRUE;
	return FALSE;
}

/* mugaika.conf(5)'s subsection of [group]. */
static char *
conf_section(const char *page, const char *group)
{
	g_autofree char *heading = g_strdup_printf(".Ss \\&[%s]\\&", group);
	return man_section(page, heading);
}

static void
check_config(GString *problems, const struct checklist_entry *c, GPtrArray *fields,
	     const char *page, const char *example)
{
	g_autofree char *sources = handler_sources(c->handler);
	guint own = 0;
	if (!*sources)
		problem(problems, "%s: no sanitizer/%s.c", c->handler, c->handler);
	for (guint i = 0; i < fields->len; i++) {
		const struct policy_field *f = fields->pdata[i];
		if (!reads_field(sources, f->field))
			continue;
		gboolean shared = g_strv_contains(shared_sections, f->group);
		if (!shared && g_strcmp0(c->config, f->group) != 0 && g_strcmp0(c->also, f->group) != 0)
			problem(problems,
				"%s reads [%s] %s, but its checklist entry names %s%s%s as its section",
				c->handler, f->group, f->key, c->config ? "[" : "",
				c->config ? c->config : "none", c->config ? "]" : "");
		own += !shared && g_strcmp0(c->config, f->group) == 0;
		g_autofree char *section = conf_section(page, f->group);
		g_autofree char *item = g_strdup_printf(".It Cm %s", f->key);
		if (!section || !has_line(section, item))
			problem(problems, "%s reads [%s] %s: man/mugaika.conf.5 has no \"%s\" under "
					  "\".Ss \\&[%s]\\&\"",
				c->handler, f->group, f->key, item, f->group);
	}
	if (!c->config)
		return;
	if (!own)
		problem(problems, "%s: its checklist entry names [%s], but its sources read no "
				  "key of it",
			c->handler, c->config);
	g_autofree char *line = g_strdup_printf("[%s]", c->config);
	if (!has_line(example, line))
		problem(problems, "%s: etc/mugaika.conf has no %s section", c->handler, line);
}

static void
test_config(void)
{
	g_autoptr(GPtrArray) fields = policy_fields();
	g_autofree char *page = read_required("man/mugaika.conf.5");
	g_autofree char *example = read_required("etc/mugaika.conf");
	g_autoptr(GString) problems = g_string_new(NULL);
	for (const struct cdr_handler *const *h = cdr_builtin_handlers; *h; h++) {
		const struct checklist_entry *c = checklist_find((*h)->name);
		if (c)
			check_config(problems, c, fields, page, example);
	}
	report_problems(problems, "handler settings not documented");
}

/* The design and the maintainer's guide are in the repository, and the
 * README leads to them. */
static void
test_docs_in_repository(void)
{
	g_autofree char *readme = read_required("README.md");
	g_autofree char *hacking = read_required("docs/HACKING.md");
	g_autofree char *design = read_required("docs/DESIGN.md");
	g_assert_nonnull(strstr(readme, "docs/DESIGN.md"));
	g_assert_nonnull(strstr(readme, "docs/HACKING.md"));
	g_assert_null(strstr(readme, "../shared"));
	g_assert_nonnull(strstr(hacking, "test-handler-checklist"));
	/* every handler is described in the design's list of handlers */
	for (const struct cdr_handler *const *h = cdr_builtin_handlers; *h; h++) {
		g_autofree char *named = g_strdup_printf("`%s`", (*h)->name);
		if (!strstr(design, named))
			g_test_fail_printf("docs/DESIGN.md does not name the handler %s", named);
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/checklist/table-covers-handlers", test_table_covers_handlers);
	g_test_add_func("/checklist/man-sections", test_man_sections);
	g_test_add_func("/checklist/fixtures", test_fixtures);
	g_test_add_func("/checklist/fuzz-targets", test_fuzz_targets);
	g_test_add_func("/checklist/config", test_config);
	g_test_add_func("/checklist/docs-in-repository", test_docs_in_repository);
	return g_test_run();
}
