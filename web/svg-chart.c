/*
 * NAME
 *	svg-chart.c - bar charts as inline SVG for the administrators' dashboard
 * SUMMARY
 *	svg_chart_columns() and svg_chart_rows() write one <svg class="chart">
 *	element from an array of labelled values; svg_append_text() is the
 *	one way any text gets into it.
 * DESCRIPTION
 *	The output is a closed piece of XML the console puts into its page
 *	as is: the elements svg, title, g, rect, line and text only;
 *	coordinates are whole pixels written with %d (no locale's decimal
 *	comma); colours are presentation attributes (fill="..."), which the
 *	Content-Security-Policy allows where it refuses style attributes;
 *	the console's style sheet may restyle the classes bar, label, value
 *	axis and empty. Each bar carries a <title> (a tooltip, and what a screen
 *	reader says), so a label shortened to fit is still there whole.
 *
 *	Labels come from mail (a sender's address, a reason name from a
 *	record): svg_append_text() escapes the five XML characters and shows
 *	control and format characters (U+202E RIGHT-TO-LEFT OVERRIDE, zero
 *	width spaces) as "[U+202E]", as excerpts do, so nothing in a label
 *	hides or reorders text.
 */
#include <string.h>

#include "svg-chart.h"

#define WIDTH 720
#define BAR_FILL "#3b6ea5"
#define TEXT_FILL "#222222"

/* Columns: the plot area inside the margins. */
#define COL_HEIGHT 220
#define COL_LEFT 56
#define COL_RIGHT 8
#define COL_TOP 16
#define COL_BOTTOM 36
#define COL_LABEL_GAP 48 /* the least room between two labels under columns */
#define COL_LABEL_CHARS 8

/* Rows: one per bar. */
#define ROW_HEIGHT 22
#define ROW_LABEL_WIDTH 300
#define ROW_BAR_WIDTH 340
#define ROW_LABEL_CHARS 36

static gboolean
invisible(gunichar c)
{
	switch (g_unichar_type(c)) {
	case G_UNICODE_CONTROL:
	case G_UNICODE_FORMAT:
	case G_UNICODE_LINE_SEPARATOR:
	case G_UNICODE_PARAGRAPH_SEPARATOR:
	case G_UNICODE_UNASSIGNED:
	case G_UNICODE_PRIVATE_USE:
	case G_UNICODE_SURROGATE:
		return TRUE;
	default:
		return FALSE;
	}
}

void
svg_append_text(GString *out, const char *text)
{
	if (!text)
		return;
	g_autofree char *valid = g_utf8_make_valid(text, -1);
	for (const char *p = valid; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		switch (c) {
		case '&':
			g_string_append(out, "&amp;");
			break;
		case '<':
			g_string_append(out, "&lt;");
			break;
		case '>':
			g_string_append(out, "&gt;");
			break;
		case '"':
			g_string_append(out, "&quot;");
			break;
		case '\'':
			g_string_append(out, "&#39;");
			break;
		default:
			if (invisible(c))
				g_string_append_printf(out, "[U+%04X]", (unsigned)c);
			else
				g_string_append_len(out, p, g_utf8_next_char(p) - p);
		}
	}
}

/* `text` shortened to `max` characters ("…" last), escaped. */
static void
append_short(GString *out, const char *text, glong max)
{
	g_autofree char *valid = g_utf8_make_valid(text ? text : "", -1);
	if (g_utf8_strlen(valid, -1) <= max) {
		svg_append_text(out, valid);
		return;
	}
	g_autofree char *head = g_utf8_substring(valid, 0, max - 1);
	svg_append_text(out, head);
	g_string_append(out, "…");
}

static gboolean
id_valid(const char *id)
{
	if (!id || !*id)
		return FALSE;
	for (const char *p = id; *p; p++)
		if (!g_ascii_islower(*p) && !g_ascii_isdigit(*p) && *p != '-')
			return FALSE;
	return TRUE;
}

static GString *
chart_open(const struct svg_chart *chart, int height)
{
	g_return_val_if_fail(id_valid(chart->id), NULL);
	GString *out = g_string_new(NULL);
	g_string_append_printf(out,
			       "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" id=\"%s\" "
			       "role=\"img\" aria-labelledby=\"%s-title\" width=\"%d\" height=\"%d\" "
			       "viewBox=\"0 0 %d %d\"><title id=\"%s-title\">",
			       chart->id, chart->id, WIDTH, height, WIDTH, height, chart->id);
	svg_append_text(out, chart->title);
	g_string_append(out, "</title>");
	return out;
}

static void
append_text_element(GString *out, const char *class, int x, int y, const char *anchor,
		    const char *text, glong max)
{
	g_string_append_printf(out,
			       "<text class=\"%s\" x=\"%d\" y=\"%d\" text-anchor=\"%s\" "
			       "font-size=\"12\" fill=\"" TEXT_FILL "\">",
			       class, x, y, anchor);
	append_short(out, text, max);
	g_string_append(out, "</text>");
}

/* A bar with its <title>: the bar's own title, or "label: value". */
static void
append_bar(GString *out, const struct svg_bar *b, int x, int y, int w, int h)
{
	g_string_append_printf(out,
			       "<rect class=\"bar\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
			       "fill=\"" BAR_FILL "\" data-value=\"%" G_GUINT64_FORMAT "\"><title>",
			       x, y, w, h, b->value);
	if (b->title) {
		svg_append_text(out, b->title);
	} else {
		svg_append_text(out, b->label);
		g_string_append_printf(out, ": %" G_GUINT64_FORMAT, b->value);
	}
	g_string_append(out, "</title></rect>");
}

static guint64
largest(const struct svg_bar *bars, guint n)
{
	guint64 max = 0;
	for (guint i = 0; i < n; i++)
		max = MAX(max, bars[i].value);
	return max;
}

/* `value` of `max` as a length of `full` pixels; at least 1 when not 0. */
static int
scaled(guint64 value, guint64 max, int full)
{
	if (!value || !max)
		return 0;
	return MAX(1, (int)((double)value / (double)max * full + 0.5));
}

/* The `empty` text in the middle, for a chart with nothing to show. */
static GString *
chart_close_empty(GString *out, const struct svg_chart *chart, int height)
{
	append_text_element(out, "empty", WIDTH / 2, height / 2, "middle", chart->empty,
			    G_MAXLONG);
	g_string_append(out, "</svg>");
	return out;
}

GString *
svg_chart_columns(const struct svg_chart *chart, const struct svg_bar *bars, guint n)
{
	GString *out = chart_open(chart, COL_HEIGHT);
	if (!out)
		return NULL;
	guint64 max = largest(bars, n);
	if (!max)
		return chart_close_empty(out, chart, COL_HEIGHT);
	int plot_w = WIDTH - COL_LEFT - COL_RIGHT, plot_h = COL_HEIGHT - COL_TOP - COL_BOTTOM;
	int base = COL_TOP + plot_h;
	g_autofree char *top = g_strdup_printf("%" G_GUINT64_FORMAT, max);
	append_text_element(out, "axis", COL_LEFT - 6, COL_TOP + 10, "end", top, G_MAXLONG);
	append_text_element(out, "axis", COL_LEFT - 6, base, "end", "0", G_MAXLONG);
	g_string_append_printf(out,
			       "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
			       "stroke=\"" TEXT_FILL "\"/>",
			       COL_LEFT, base, COL_LEFT + plot_w, base);
	int slot = plot_w / (int)n;
	int bar_w = MAX(1, slot * 4 / 5);
	guint every = MAX(1, (guint)((COL_LABEL_GAP + slot - 1) / MAX(slot, 1)));
	g_string_append(out, "<g class=\"bars\">");
	for (guint i = 0; i < n; i++) {
		int x = COL_LEFT + (int)i * slot + (slot - bar_w) / 2;
		int h = scaled(bars[i].value, max, plot_h);
		append_bar(out, &bars[i], x, base - h, bar_w, h);
	}
	g_string_append(out, "</g><g class=\"labels\">");
	for (guint i = 0; i < n; i += every)
		append_text_element(out, "label", COL_LEFT + (int)i * slot + slot / 2, base + 16,
				    "middle", bars[i].label, COL_LABEL_CHARS);
	g_string_append(out, "</g></svg>");
	return out;
}

GString *
svg_chart_rows(const struct svg_chart *chart, const struct svg_bar *bars, guint n)
{
	int height = ROW_HEIGHT * (int)MAX(n, 2) + 8;
	GString *out = chart_open(chart, height);
	if (!out)
		return NULL;
	guint64 max = largest(bars, n);
	if (!max)
		return chart_close_empty(out, chart, height);
	for (guint i = 0; i < n; i++) {
		int y = 4 + (int)i * ROW_HEIGHT;
		int w = scaled(bars[i].value, max, ROW_BAR_WIDTH);
		g_autofree char *value = g_strdup_printf("%" G_GUINT64_FORMAT, bars[i].value);
		g_string_append(out, "<g class=\"row\">");
		append_text_element(out, "label", ROW_LABEL_WIDTH - 8, y + 15, "end",
				    bars[i].label, ROW_LABEL_CHARS);
		append_bar(out, &bars[i], ROW_LABEL_WIDTH, y + 3, w, ROW_HEIGHT - 6);
		append_text_element(out, "value", ROW_LABEL_WIDTH + w + 6, y + 15, "start", value,
				    G_MAXLONG);
		g_string_append(out, "</g>");
	}
	g_string_append(out, "</svg>");
	return out;
}
