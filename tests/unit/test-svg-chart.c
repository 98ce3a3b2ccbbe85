/*
 * NAME
 *	test-svg-chart - the dashboard's SVG charts read back by libxml2
 * SUMMARY
 *	Each chart parses as XML (no recovery, no network, no entities), is
 *	one svg.chart element with its id and a <title> first, uses only the
 *	elements and attributes the writer promises (nothing that refers
 *	outside: no href, no style, no script), has one rect.bar with a
 *	<title> per value, heights in proportion, and labels that come back
 *	as the very text given: "<script>", "&", quotes, and U+202E shown as
 *	"[U+202E]" (never the character itself, which would reorder the
 *	label). Long labels are shortened in the text, whole in the title;
 *	no value at all gives the "empty" text.
 */
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "svg-chart.h"

static const char hostile[] = "<script>x</script> & \"'\xe2\x80\xae" "fdp.exe";
static const char hostile_shown[] = "<script>x</script> & \"'[U+202E]fdp.exe";

static xmlDocPtr
parse(GString *svg)
{
	g_assert_nonnull(svg);
	g_assert_null(strstr(svg->str, "\xe2\x80\xae"));
	xmlDocPtr doc = xmlReadMemory(svg->str, (int)svg->len, "chart.svg", "UTF-8",
				      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	g_assert_nonnull(doc);
	xmlNodePtr root = xmlDocGetRootElement(doc);
	g_assert_cmpstr((const char *)root->name, ==, "svg");
	g_assert_cmpstr((const char *)root->ns->href, ==, "http://www.w3.org/2000/svg");
	return doc;
}

static char *
attr(xmlNodePtr n, const char *name)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	char *copy = g_strdup((const char *)v);
	xmlFree(v);
	return copy;
}

static char *
text_of(xmlNodePtr n)
{
	xmlChar *v = xmlNodeGetContent(n);
	char *copy = g_strdup((const char *)v);
	xmlFree(v);
	return copy;
}

static xmlNodePtr
first_element(xmlNodePtr n)
{
	for (xmlNodePtr c = n->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			return c;
	return NULL;
}

struct found {
	GPtrArray *bars;   /* xmlNodePtr: rect.bar */
	GPtrArray *labels; /* char*: text of text.label and text.empty */
	GPtrArray *values; /* char*: text of text.value */
};

/* Walk every element: only the promised ones, no attribute that could
 * reach outside; collect the bars and the labels. */
static void
walk(xmlNodePtr n, struct found *f)
{
	static const char *const elements[] = { "svg", "title", "g", "rect", "line", "text" };
	static const char *const attributes[] = {
		"class", "id",	"role",	"aria-labelledby", "width", "height", "viewBox",
		"x",	 "y",	"x1",	"y1",		   "x2",    "y2",     "text-anchor",
		"font-size", "fill", "stroke", "data-value"
	};
	for (; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		gboolean known = FALSE;
		for (guint i = 0; i < G_N_ELEMENTS(elements); i++)
			known = known || strcmp((const char *)n->name, elements[i]) == 0;
		if (!known)
			g_error("unexpected element <%s>", n->name);
		for (xmlAttrPtr a = n->properties; a; a = a->next) {
			gboolean ok = FALSE;
			for (guint i = 0; i < G_N_ELEMENTS(attributes); i++)
				ok = ok || strcmp((const char *)a->name, attributes[i]) == 0;
			if (!ok)
				g_error("unexpected attribute %s on <%s>", a->name, n->name);
		}
		g_autofree char *class = attr(n, "class");
		if (strcmp((const char *)n->name, "rect") == 0 && g_strcmp0(class, "bar") == 0)
			g_ptr_array_add(f->bars, n);
		if (strcmp((const char *)n->name, "text") == 0 &&
		    (g_strcmp0(class, "label") == 0 || g_strcmp0(class, "empty") == 0))
			g_ptr_array_add(f->labels, text_of(n));
		if (strcmp((const char *)n->name, "text") == 0 && g_strcmp0(class, "value") == 0)
			g_ptr_array_add(f->values, text_of(n));
		walk(n->children, f);
	}
}

static xmlDocPtr
parse_and_walk(GString *svg, const char *id, const char *title, struct found *f)
{
	xmlDocPtr doc = parse(svg);
	xmlNodePtr root = xmlDocGetRootElement(doc);
	g_autofree char *root_id = attr(root, "id");
	g_autofree char *root_class = attr(root, "class");
	g_assert_cmpstr(root_id, ==, id);
	g_assert_cmpstr(root_class, ==, "chart");
	xmlNodePtr t = first_element(root);
	g_assert_cmpstr((const char *)t->name, ==, "title");
	g_autofree char *title_text = text_of(t);
	g_assert_cmpstr(title_text, ==, title);
	f->bars = g_ptr_array_new();
	f->labels = g_ptr_array_new_with_free_func(g_free);
	f->values = g_ptr_array_new_with_free_func(g_free);
	walk(root, f);
	return doc;
}

static void
found_clear(struct found *f, xmlDocPtr doc)
{
	g_ptr_array_unref(f->bars);
	g_ptr_array_unref(f->labels);
	g_ptr_array_unref(f->values);
	xmlFreeDoc(doc);
}

static int
number_attr(xmlNodePtr n, const char *name)
{
	g_autofree char *v = attr(n, name);
	g_assert_nonnull(v);
	return atoi(v);
}

static char *
bar_title(xmlNodePtr bar)
{
	xmlNodePtr t = first_element(bar);
	g_assert_nonnull(t);
	g_assert_cmpstr((const char *)t->name, ==, "title");
	return text_of(t);
}

static void
test_rows(void)
{
	g_autofree char *long_name = g_strnfill(80, 'x');
	struct svg_bar bars[] = {
		{ hostile, NULL, 40 },
		{ "a&b@example.jp", NULL, 20 },
		{ long_name, NULL, 10 },
		{ "zero", "zero: none", 0 },
	};
	struct svg_chart c = { "chart-senders", "Top senders <&>", "none" };
	g_autoptr(GString) svg = svg_chart_rows(&c, bars, G_N_ELEMENTS(bars));
	struct found f;
	xmlDocPtr doc = parse_and_walk(svg, "chart-senders", "Top senders <&>", &f);
	g_assert_cmpuint(f.bars->len, ==, 4);
	g_assert_cmpuint(f.labels->len, ==, 4);
	g_assert_cmpstr(f.labels->pdata[0], ==, hostile_shown);
	g_assert_cmpstr(f.labels->pdata[1], ==, "a&b@example.jp");
	/* shortened in the label, whole in the title */
	g_assert_true(g_str_has_suffix(f.labels->pdata[2], "…"));
	g_assert_cmpint(g_utf8_strlen(f.labels->pdata[2], -1), <, 80);
	g_autofree char *t0 = bar_title(f.bars->pdata[0]);
	g_autofree char *want0 = g_strdup_printf("%s: 40", hostile_shown);
	g_assert_cmpstr(t0, ==, want0);
	g_autofree char *t2 = bar_title(f.bars->pdata[2]);
	g_autofree char *want2 = g_strdup_printf("%s: 10", long_name);
	g_assert_cmpstr(t2, ==, want2);
	g_autofree char *t3 = bar_title(f.bars->pdata[3]);
	g_assert_cmpstr(t3, ==, "zero: none");
	g_assert_cmpstr(f.values->pdata[0], ==, "40");
	g_assert_cmpstr(f.values->pdata[3], ==, "0");
	/* widths in proportion: 40 is the full width, 20 half, 0 nothing */
	int full = number_attr(f.bars->pdata[0], "width");
	g_assert_cmpint(full, >, 100);
	g_assert_cmpint(number_attr(f.bars->pdata[1], "width"), ==, full / 2);
	g_assert_cmpint(number_attr(f.bars->pdata[3], "width"), ==, 0);
	found_clear(&f, doc);
}

static void
test_columns(void)
{
	struct svg_bar bars[60];
	char labels[60][8];
	for (guint i = 0; i < 60; i++) {
		g_snprintf(labels[i], sizeof(labels[i]), "d%u", i);
		bars[i] = (struct svg_bar){ labels[i], NULL, i == 7 ? 0 : (guint64)(i % 10 + 1) * 100 };
	}
	struct svg_chart c = { "chart-per-day", "Messages per day", "No messages" };
	g_autoptr(GString) svg = svg_chart_columns(&c, bars, 60);
	struct found f;
	xmlDocPtr doc = parse_and_walk(svg, "chart-per-day", "Messages per day", &f);
	g_assert_cmpuint(f.bars->len, ==, 60);
	/* 60 columns do not all fit a label: every few, the first one first */
	g_assert_cmpuint(f.labels->len, <, 60);
	g_assert_cmpuint(f.labels->len, >=, 5);
	g_assert_cmpstr(f.labels->pdata[0], ==, "d0");
	int h1000 = number_attr(f.bars->pdata[9], "height");
	g_assert_cmpint(number_attr(f.bars->pdata[4], "height"), ==, h1000 / 2);
	g_assert_cmpint(number_attr(f.bars->pdata[7], "height"), ==, 0);
	/* every column stands on the same base line */
	int base = number_attr(f.bars->pdata[9], "y") + h1000;
	for (guint i = 0; i < 60; i++)
		g_assert_cmpint(number_attr(f.bars->pdata[i], "y") +
					number_attr(f.bars->pdata[i], "height"),
				==, base);
	g_autofree char *t = bar_title(f.bars->pdata[3]);
	g_assert_cmpstr(t, ==, "d3: 400");
	found_clear(&f, doc);

	/* few columns: a label under each, hostile text escaped */
	struct svg_bar two[] = { { hostile, "x & y", 1 }, { "b", NULL, 2 } };
	g_autoptr(GString) svg2 = svg_chart_columns(&c, two, 2);
	doc = parse_and_walk(svg2, "chart-per-day", "Messages per day", &f);
	g_assert_cmpuint(f.labels->len, ==, 2);
	g_assert_cmpstr(f.labels->pdata[0], ==, "<script…");
	g_autofree char *t0 = bar_title(f.bars->pdata[0]);
	g_assert_cmpstr(t0, ==, "x & y");
	found_clear(&f, doc);
}

static void
test_empty(void)
{
	struct svg_chart c = { "chart-reasons", "Reasons", "Nothing removed <yet>" };
	struct svg_bar zero[] = { { "a", NULL, 0 } };
	GString *charts[] = { svg_chart_rows(&c, NULL, 0), svg_chart_columns(&c, zero, 1),
			      svg_chart_rows(&c, zero, 1) };
	for (guint i = 0; i < G_N_ELEMENTS(charts); i++) {
		struct found f;
		xmlDocPtr doc = parse_and_walk(charts[i], "chart-reasons", "Reasons", &f);
		g_assert_cmpuint(f.bars->len, ==, 0);
		g_assert_cmpuint(f.labels->len, ==, 1);
		g_assert_cmpstr(f.labels->pdata[0], ==, "Nothing removed <yet>");
		found_clear(&f, doc);
		g_string_free(charts[i], TRUE);
	}
}

static void
test_escape(void)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "<script>", "&lt;script&gt;" },
		{ "a&b", "a&amp;b" },
		{ "\"'", "&quot;&#39;" },
		{ "\xe2\x80\xae" "exe.txt", "[U+202E]exe.txt" },
		{ "zero\xe2\x80\x8bwidth", "zero[U+200B]width" },
		{ "tab\tnl\n", "tab[U+0009]nl[U+000A]" },
		{ "bad\xff", "bad\xef\xbf\xbd" },
		{ "日本語", "日本語" },
	};
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GString) s = g_string_new(NULL);
		svg_append_text(s, cases[i].in);
		g_assert_cmpstr(s->str, ==, cases[i].out);
	}
}

static void
test_bad_id(void)
{
	if (g_test_subprocess()) {
		struct svg_chart c = { "x\" onload=\"y", "t", "e" };
		svg_chart_rows(&c, NULL, 0); /* a critical: fatal in a test */
		return;
	}
	g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
	g_test_trap_assert_failed();
	g_test_trap_assert_stderr("*CRITICAL*id_valid*");
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/svg-chart/rows", test_rows);
	g_test_add_func("/svg-chart/columns", test_columns);
	g_test_add_func("/svg-chart/empty", test_empty);
	g_test_add_func("/svg-chart/escape", test_escape);
	g_test_add_func("/svg-chart/bad-id", test_bad_id);
	return g_test_run();
}
