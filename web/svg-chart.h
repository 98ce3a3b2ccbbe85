/*
 * NAME
 *	svg-chart.h - bar charts as inline SVG, made on the server
 * SUMMARY
 *	struct svg_bar bars[] = { { "11/01", "2026-11-01: 120", 120 }, ... };
 *	struct svg_chart c = { "chart-per-day", "Messages per day", "No messages" };
 *	GString *svg = svg_chart_columns(&c, bars, n); // or svg_chart_rows()
 *
 *	Pure functions from data to text: no JavaScript, no reference to
 *	anything outside the element (no href, no url(), no style
 *	attribute, which the console's Content-Security-Policy would
 *	refuse), every text through svg_append_text().
 */
#pragma once

#include <glib.h>

struct svg_bar {
	const char *label; /* beside or under the bar (shortened when long) */
	const char *title; /* its <title> (the whole text); NULL: "label: value" */
	guint64 value;
};

struct svg_chart {
	const char *id;    /* the svg element's id: [a-z0-9-], as in "chart-per-day" */
	const char *title; /* the chart's <title> */
	const char *empty; /* the text shown when no bar has a value */
};

/* Columns left to right (messages per day): a label under every column
 * when they fit, else under every few, the largest value on the axis. */
GString *svg_chart_columns(const struct svg_chart *chart, const struct svg_bar *bars, guint n);

/* Rows top to bottom (top-N lists): the label left, the bar, the value. */
GString *svg_chart_rows(const struct svg_chart *chart, const struct svg_bar *bars, guint n);

/* Append `text` for an SVG (XML) text node or a quoted attribute: & < > "
 * ' as references; invalid UTF-8 made valid; control, format (bidi,
 * zero-width) and other invisible characters shown as "[U+XXXX]", so a
 * label reads as it is stored and nothing in it reorders what follows. */
void svg_append_text(GString *out, const char *text);
