/*
 * NAME
 *	html-text.c - render an HTML document as plain text
 * SUMMARY
 *	libxml2's HTML parser (recovering, no network, no DTD) builds the tree;
 *	a walk over it writes text the way a reader would see the page. What
 *	a reader would not see (script, style, hidden elements) is dropped;
 *	what a reader must see to judge a link (its real target) is added.
 * DESCRIPTION
 *	The output buffer tracks only how many line breaks it ends with, so
 *	block elements can ask for "at least a line break" or "a blank line"
 *	without ever producing runs of empty lines. Inline whitespace is
 *	collapsed as browsers do, except inside <pre>.
 */
#include "html-text.h"

#include <gio/gio.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <string.h>

#include "cdr.h"

struct render {
	GString *out;
	unsigned newlines;    /* line breaks at the end of out */
	gboolean space;       /* a collapsed space is pending */
	unsigned pre;         /* inside <pre> */
	unsigned list_depth;
	unsigned max_depth;
	gboolean too_deep;
	struct html_text_stats *stats;
};

enum kind { INLINE, SKIP, LINE, PARAGRAPH };

struct element {
	const char *name;
	enum kind kind;
};

static const struct element elements[] = {
	{ "script", SKIP },     { "style", SKIP },     { "head", SKIP },    { "title", SKIP },
	{ "template", SKIP },   { "iframe", SKIP },    { "frame", SKIP },   { "object", SKIP },
	{ "embed", SKIP },      { "applet", SKIP },    { "svg", SKIP },     { "canvas", SKIP },
	{ "select", SKIP },     { "option", SKIP },    { "button", SKIP },  { "input", SKIP },
	{ "textarea", SKIP },   { "audio", SKIP },     { "video", SKIP },   { "map", SKIP },
	{ "p", PARAGRAPH },     { "h1", PARAGRAPH },   { "h2", PARAGRAPH }, { "h3", PARAGRAPH },
	{ "h4", PARAGRAPH },    { "h5", PARAGRAPH },   { "h6", PARAGRAPH }, { "blockquote", PARAGRAPH },
	{ "pre", PARAGRAPH },   { "table", PARAGRAPH }, { "ul", PARAGRAPH }, { "ol", PARAGRAPH },
	{ "dl", PARAGRAPH },    { "address", PARAGRAPH }, { "figure", PARAGRAPH },
	{ "div", LINE },        { "section", LINE },   { "article", LINE }, { "header", LINE },
	{ "footer", LINE },     { "main", LINE },      { "nav", LINE },     { "aside", LINE },
	{ "center", LINE },     { "form", LINE },      { "fieldset", LINE }, { "figcaption", LINE },
	{ "tr", LINE },         { "li", LINE },        { "dt", LINE },      { "dd", LINE },
	{ "caption", LINE },    { "body", LINE },      { "html", LINE },    { "tbody", LINE },
	{ "thead", LINE },      { "tfoot", LINE },
};

static enum kind
kind_of(const char *name)
{
	for (unsigned i = 0; i < G_N_ELEMENTS(elements); i++)
		if (g_ascii_strcasecmp(name, elements[i].name) == 0)
			return elements[i].kind;
	return INLINE;
}

static gboolean
is(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && g_ascii_strcasecmp((const char *)n->name, name) == 0;
}

/* ---- the output buffer -------------------------------------------------- */

static void
put_newlines(struct render *r, unsigned want)
{
	r->space = FALSE;
	if (r->out->len == 0)
		return; /* no breaks before the first text */
	while (r->newlines < want) {
		g_string_append_c(r->out, '\n');
		r->newlines++;
	}
}

static void
put_raw(struct render *r, const char *s, gsize len)
{
	if (!len)
		return;
	if (r->space && r->newlines == 0 && r->out->len)
		g_string_append_c(r->out, ' ');
	r->space = FALSE;
	g_string_append_len(r->out, s, (gssize)len);
	r->newlines = 0;
	for (gsize i = len; i > 0 && s[i - 1] == '\n'; i--)
		r->newlines++;
}

static gboolean
is_html_space(gunichar c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* Text as a browser shows it: whitespace runs become one space. */
static void
put_text(struct render *r, const char *raw)
{
	/* libxml2 passes invalid UTF-8 through from broken input; walking it
	 * character by character would read past the end */
	g_autofree char *valid = g_utf8_validate(raw, -1, NULL) ? NULL : g_utf8_make_valid(raw, -1);
	const char *text = valid ? valid : raw;
	if (r->pre) {
		put_raw(r, text, strlen(text));
		return;
	}
	GString *word = g_string_new(NULL);
	for (const char *p = text; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		if (is_html_space(c)) {
			put_raw(r, word->str, word->len);
			g_string_truncate(word, 0);
			r->space = TRUE;
		} else {
			g_string_append_unichar(word, c == 0xa0 ? ' ' : c);
		}
	}
	put_raw(r, word->str, word->len);
	g_string_free(word, TRUE);
}

/* ---- judging elements ----------------------------------------------------- */

static char *
attr(const xmlNode *n, const char *name)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	char *s = v ? g_utf8_make_valid((const char *)v, -1) : NULL;
	xmlFree(v);
	return s;
}

static gboolean
is_hidden(const xmlNode *n)
{
	if (xmlHasProp(n, (const xmlChar *)"hidden"))
		return TRUE;
	g_autofree char *style = attr(n, "style");
	if (!style)
		return FALSE;
	/* "display : NONE" and friends: compare without spaces, lower case */
	g_autoptr(GString) s = g_string_new(NULL);
	for (const char *p = style; *p; p++)
		if (!g_ascii_isspace(*p))
			g_string_append_c(s, g_ascii_tolower(*p));
	return strstr(s->str, "display:none") || strstr(s->str, "visibility:hidden");
}

/* The text a subtree shows, for comparing a link's text with its target. */
static void
collect_text(const xmlNode *n, GString *s, unsigned depth)
{
	for (; n && depth < 64; n = n->next) {
		if (n->type == XML_TEXT_NODE && n->content)
			g_string_append(s, (const char *)n->content);
		else if (n->type == XML_ELEMENT_NODE && kind_of((const char *)n->name) != SKIP)
			collect_text(n->children, s, depth + 1);
	}
}

static gboolean
same_target(const char *text, const char *href)
{
	g_autofree char *t = g_strstrip(g_strdup(text));
	const char *h = href;
	if (g_str_has_prefix(h, "mailto:"))
		h += 7;
	if (strcmp(t, h) == 0 || strcmp(t, href) == 0)
		return TRUE;
	/* "example.jp" for "http://example.jp/" */
	g_autofree char *bare = g_strdup(h);
	char *p = strstr(bare, "://");
	const char *rest = p ? p + 3 : bare;
	gsize n = strlen(rest);
	while (n && rest[n - 1] == '/')
		n--;
	return strlen(t) == n && strncmp(t, rest, n) == 0;
}

static gboolean
is_shown_scheme(const char *href)
{
	static const char *const ok[] = { "http://", "https://", "mailto:", "ftp://", "tel:" };
	for (unsigned i = 0; i < G_N_ELEMENTS(ok); i++)
		if (g_ascii_strncasecmp(href, ok[i], strlen(ok[i])) == 0)
			return TRUE;
	return FALSE;
}

/* ---- the walk --------------------------------------------------------------- */

static void render_children(struct render *r, const xmlNode *n, unsigned depth);

static void
render_link(struct render *r, const xmlNode *n, unsigned depth)
{
	g_autofree char *raw = attr(n, "href");
	g_autofree char *href = raw ? g_strstrip(g_strdup(raw)) : NULL;
	render_children(r, n->children, depth + 1);
	if (!href || !*href || href[0] == '#')
		return;
	if (!is_shown_scheme(href)) {
		if (strchr(href, ':'))
			r->stats->bad_links++; /* javascript:, data:, vbscript: ... */
		return;
	}
	g_autoptr(GString) text = g_string_new(NULL);
	collect_text(n->children, text, 0);
	if (same_target(text->str, href))
		return;
	g_autofree char *shown = g_strdup_printf("<%s>", href);
	r->space = r->space || text->len > 0;
	put_raw(r, shown, strlen(shown));
	r->stats->links_shown++;
}

static void
render_list_item(struct render *r, const xmlNode *n, unsigned depth, unsigned number)
{
	put_newlines(r, 1);
	for (unsigned i = 1; i < r->list_depth; i++)
		put_raw(r, "  ", 2);
	g_autofree char *marker = number ? g_strdup_printf("%u. ", number) : g_strdup("- ");
	put_raw(r, marker, strlen(marker));
	render_children(r, n->children, depth + 1);
	put_newlines(r, 1);
}

static void
render_list(struct render *r, const xmlNode *n, unsigned depth)
{
	gboolean ordered = is(n, "ol");
	unsigned number = 0;
	r->list_depth++;
	for (const xmlNode *c = n->children; c; c = c->next) {
		if (is(c, "li"))
			render_list_item(r, c, depth + 1, ordered ? ++number : 0);
		else if (c->type == XML_ELEMENT_NODE)
			render_children(r, c, depth + 1);
	}
	r->list_depth--;
}

static void
render_row(struct render *r, const xmlNode *n, unsigned depth)
{
	gboolean first = TRUE;
	put_newlines(r, 1);
	for (const xmlNode *c = n->children; c; c = c->next) {
		if (!is(c, "td") && !is(c, "th"))
			continue;
		gsize before = r->out->len;
		if (!first)
			put_raw(r, " | ", 3);
		gsize after_sep = r->out->len;
		render_children(r, c->children, depth + 1);
		if (r->out->len == after_sep && !first) {
			g_string_truncate(r->out, before); /* empty cell: no separator */
			r->newlines = 0;
		} else if (r->out->len > before) {
			first = FALSE;
		}
		r->space = FALSE;
	}
	put_newlines(r, 1);
}

static void
render_element(struct render *r, const xmlNode *n, unsigned depth)
{
	const char *name = (const char *)n->name;
	enum kind kind = kind_of(name);

	if (kind == SKIP) {
		if (is(n, "script") || is(n, "style") || is(n, "iframe") || is(n, "object") ||
		    is(n, "embed") || is(n, "applet"))
			r->stats->scripts++;
		return;
	}
	if (is_hidden(n)) {
		r->stats->hidden++;
		return;
	}
	if (is(n, "br")) {
		put_raw(r, "\n", 1);
		return;
	}
	if (is(n, "hr")) {
		put_newlines(r, 1);
		put_raw(r, "----------------------------------------\n", 41);
		return;
	}
	if (is(n, "img")) {
		g_autofree char *alt = attr(n, "alt");
		if (alt && *g_strstrip(alt)) {
			g_autofree char *shown = g_strdup_printf("[image: %s]", alt);
			put_text(r, shown);
		}
		return;
	}
	if (is(n, "a")) {
		render_link(r, n, depth);
		return;
	}
	if ((is(n, "ul") || is(n, "ol")) && r->list_depth)
		kind = LINE; /* a nested list continues its item */
	if (kind != INLINE)
		put_newlines(r, kind == PARAGRAPH ? 2 : 1);
	if (is(n, "ul") || is(n, "ol"))
		render_list(r, n, depth);
	else if (is(n, "tr"))
		render_row(r, n, depth);
	else if (is(n, "pre")) {
		r->pre++;
		render_children(r, n->children, depth + 1);
		r->pre--;
	} else
		render_children(r, n->children, depth + 1);
	if (kind != INLINE)
		put_newlines(r, kind == PARAGRAPH ? 2 : 1);
}

static void
render_children(struct render *r, const xmlNode *n, unsigned depth)
{
	if (depth > r->max_depth) {
		r->too_deep = TRUE;
		return;
	}
	for (; n && !r->too_deep; n = n->next) {
		if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
			if (n->content)
				put_text(r, (const char *)n->content);
		} else if (n->type == XML_ELEMENT_NODE) {
			render_element(r, n, depth);
		}
	}
}

/* Trailing spaces off every line, at most one blank line in a row, one final newline. */
static char *
tidy(const GString *in)
{
	char *lines = cdr_text_tidy_lines(in->str);
	if (!*lines)
		return lines;
	char *text = g_strconcat(lines, "\n", NULL);
	g_free(lines);
	return text;
}

static void
ignore_errors(void *ctx, const char *msg, ...)
{
}

char *
html_to_text(const char *html, gsize len, unsigned max_depth, struct html_text_stats *stats,
	     struct cdr_failure *fail)
{
	struct cdr_failure ignored = { 0 };
	if (!fail)
		fail = &ignored;
	struct html_text_stats local = { 0 };
	struct render r = {
		.out = g_string_new(NULL), .max_depth = max_depth, .stats = stats ? stats : &local,
	};
	if (len > G_MAXINT) {
		cdr_failure_set(fail, CDR_E_LIMIT, "HTML over 2 GiB");
		g_string_free(r.out, TRUE);
		return NULL;
	}
	xmlSetGenericErrorFunc(NULL, ignore_errors);
	htmlDocPtr doc = htmlReadMemory(html, (int)len, NULL, "UTF-8",
					HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
						HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
	if (doc)
		render_children(&r, xmlDocGetRootElement(doc), 0);
	xmlFreeDoc(doc);
	if (r.too_deep) {
		cdr_failure_set(fail, CDR_E_LIMIT, "HTML elements nested deeper than the "
				"renderer's limit");
		g_string_free(r.out, TRUE);
		return NULL;
	}
	char *text = tidy(r.out);
	g_string_free(r.out, TRUE);
	return text;
}
