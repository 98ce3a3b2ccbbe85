/*
 * NAME
 *	svg-css.c - style attributes and <style> sheets of an SVG, rebuilt
 * SUMMARY
 *	CSS is read as rules and declarations and written again from what is
 *	kept: properties from the presentation allow-list (svg-names.c) whose
 *	values svg_value_safe() accepts, under selectors made of plain
 *	characters. At-rules (@import, @font-face, @media, ...), comments and
 *	everything that does not parse are dropped.
 * DESCRIPTION
 *	Output form: "name:value;name:value" for declarations and
 *	"selector{declarations}" one rule a line for sheets, so that reading
 *	the output again gives the same text. A rule whose declarations all
 *	go is dropped as a whole.
 */
#include <string.h>

#include "actions.h"
#include "image-io.h"
#include "svg.h"

/* Characters a kept selector may hold: names, classes, ids, combinators,
 * attribute selectors and pseudo-classes. */
static gboolean
selector_plain(const char *s, gsize n)
{
	gboolean any = FALSE;
	for (gsize i = 0; i < n; i++) {
		char c = s[i];
		if (!(g_ascii_isalnum(c) || strchr(" \t\r\n.#,:>+~*_-[]=\"'()|^$", c)))
			return FALSE;
		if (!g_ascii_isspace(c))
			any = TRUE;
	}
	return any;
}

static void
append_declaration(GString *out, const char *decl, gsize n, struct image_tally *removed)
{
	const char *colon = memchr(decl, ':', n);
	if (!colon)
		return;
	g_autofree char *name = g_strndup(decl, (gsize)(colon - decl));
	g_autofree char *value = g_strndup(colon + 1, n - (gsize)(colon + 1 - decl));
	g_strstrip(name);
	g_strstrip(value);
	for (char *c = name; *c; c++)
		*c = g_ascii_tolower(*c);
	if (!*name || !*value)
		return;
	if (!svg_property_allowed(name)) {
		image_tally_add(removed, CDR_ACT_METADATA, "style property");
		return;
	}
	if (!svg_value_safe(value)) {
		image_tally_add(removed, CDR_ACT_EXTERNAL_REFERENCE, "style");
		return;
	}
	if (out->len)
		g_string_append_c(out, ';');
	g_string_append_printf(out, "%s:%s", name, value);
}

char *
svg_css_declarations(const char *text, struct image_tally *removed)
{
	GString *out = g_string_new(NULL);
	const char *p = text;
	while (*p) {
		const char *end = strchr(p, ';');
		gsize n = end ? (gsize)(end - p) : strlen(p);
		append_declaration(out, p, n, removed);
		p += n + (end ? 1 : 0);
	}
	return g_string_free(out, FALSE);
}

/* Skip an at-rule at p ("@..."): to its ';' or past its {...} block. */
static const char *
skip_at_rule(const char *p)
{
	int depth = 0;
	for (; *p; p++) {
		if (*p == ';' && depth == 0)
			return p + 1;
		if (*p == '{')
			depth++;
		if (*p == '}' && --depth <= 0)
			return p + 1;
	}
	return p;
}

/* The sheet without comments. */
static char *
without_comments(const char *text, struct image_tally *removed)
{
	GString *s = g_string_new(NULL);
	for (const char *p = text; *p;) {
		if (p[0] == '/' && p[1] == '*') {
			const char *end = strstr(p + 2, "*/");
			image_tally_add(removed, CDR_ACT_COMMENT, "style");
			if (!end)
				break;
			p = end + 2;
			continue;
		}
		g_string_append_c(s, *p++);
	}
	return g_string_free(s, FALSE);
}

char *
svg_css_sheet(const char *text, struct image_tally *removed)
{
	g_autofree char *plain = without_comments(text, removed);
	GString *out = g_string_new(NULL);
	const char *p = plain;

	for (;;) {
		while (g_ascii_isspace(*p) || *p == ';')
			p++;
		if (!*p)
			break;
		if (*p == '@') {
			image_tally_add(removed, CDR_ACT_EXTERNAL_REFERENCE, "@rule");
			p = skip_at_rule(p);
			continue;
		}
		const char *open = strchr(p, '{');
		const char *close = open ? strchr(open, '}') : NULL;
		if (!close) {
			image_tally_add(removed, CDR_ACT_METADATA, "style");
			break;
		}
		g_autofree char *body = g_strndup(open + 1, (gsize)(close - open - 1));
		g_autofree char *decls = svg_css_declarations(body, removed);
		g_autofree char *selector = g_strstrip(g_strndup(p, (gsize)(open - p)));
		if (!selector_plain(selector, strlen(selector)))
			image_tally_add(removed, CDR_ACT_METADATA, "style selector");
		else if (*decls)
			g_string_append_printf(out, "%s{%s}\n", selector, decls);
		p = close + 1;
	}
	return g_string_free(out, FALSE);
}
