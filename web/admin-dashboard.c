/*
 * NAME
 *	admin-dashboard.c - GET /admin: the quarantine at a glance
 * SUMMARY
 *	Four server-made SVG charts (svg-chart.h) over the last `days` days
 *	(?days=, 1 to 366, default 30) of the gateway's local time: stored
 *	messages per day (svg#chart-per-day), verdicts with actions
 *	(#chart-verdicts), the commonest removal reasons (#chart-reasons)
 *	and the senders of the most blocked content (#chart-senders); with
 *	the store's totals and the number of requests waiting.
 * DESCRIPTION
 *	The numbers come from store-stats.c, each one query through the time
 *	index. The SVG goes into the page as HTML (web_vars_html): it is
 *	made by svg-chart.c, whose every text passes svg_append_text(), the
 *	chart writer's escape (a label's U+202E shows as "[U+202E]": SVG
 *	text has no <bdi> to isolate it).
 */
#include "admin-pages.h"
#include "router.h"
#include "svg-chart.h"

#define DEFAULT_DAYS 30
#define TOP_N 10

/* The local midnight `days` - 1 days before today's. */
static gint64
first_day(guint days)
{
	g_autoptr(GDateTime) now = g_date_time_new_now_local();
	g_autoptr(GDateTime) today = g_date_time_new_local(g_date_time_get_year(now),
							   g_date_time_get_month(now),
							   g_date_time_get_day_of_month(now), 0, 0, 0);
	g_autoptr(GDateTime) first = g_date_time_add_days(today, -(gint)(days - 1));
	return g_date_time_to_unix(first);
}

static char *
chart_html(GString *svg)
{
	return svg ? g_string_free(svg, FALSE) : g_strdup("");
}

static char *
per_day_chart(struct web_request *rq, gint64 since, GArray *counts)
{
	struct svg_bar *bars = g_new0(struct svg_bar, counts->len);
	g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func(g_free);
	for (guint i = 0; i < counts->len; i++) {
		g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc(since + (gint64)i * 86400);
		g_autoptr(GDateTime) day = g_date_time_to_local(utc);
		char *label = g_date_time_format(day, "%m/%d");
		g_autofree char *date = g_date_time_format(day, "%Y-%m-%d");
		char *title = g_strdup_printf("%s: %" G_GUINT64_FORMAT, date,
					      g_array_index(counts, guint64, i));
		g_ptr_array_add(texts, label);
		g_ptr_array_add(texts, title);
		bars[i] = (struct svg_bar){ label, title, g_array_index(counts, guint64, i) };
	}
	struct svg_chart c = { "chart-per-day", WEB_T(rq, "日ごとの受信数", "Messages per day"),
			       WEB_T(rq, "この期間の受信はありません", "No messages in this period") };
	char *html = chart_html(svg_chart_columns(&c, bars, counts->len));
	g_free(bars);
	return html;
}

/* The label of a count: verdicts "sanitized / delivered", reasons
 * "macro (removed)", senders as they are ("<>" for the null sender). */
static char *
count_label(struct web_request *rq, const char *chart, const struct store_count *c)
{
	if (g_str_equal(chart, "chart-verdicts"))
		return g_strdup_printf("%s / %s", *c->name ? c->name : WEB_T(rq, "(なし)", "(none)"),
				       c->detail ? c->detail : "");
	if (g_str_equal(chart, "chart-reasons"))
		return g_strdup_printf("%s (%s)", c->name,
				       g_strcmp0(c->detail, "blocked") == 0
					       ? WEB_T(rq, "遮断", "blocked")
					       : WEB_T(rq, "除去", "removed"));
	return g_strdup(*c->name ? c->name : "<>");
}

static char *
rows_chart(struct web_request *rq, const char *id, const char *title, const char *empty,
	   GPtrArray *counts)
{
	guint n = counts ? counts->len : 0;
	struct svg_bar *bars = g_new0(struct svg_bar, MAX(n, 1));
	g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func(g_free);
	for (guint i = 0; i < n; i++) {
		const struct store_count *c = counts->pdata[i];
		char *label = count_label(rq, id, c);
		g_ptr_array_add(labels, label);
		bars[i] = (struct svg_bar){ label, NULL, c->count };
	}
	struct svg_chart chart = { id, title, empty };
	char *html = chart_html(svg_chart_rows(&chart, bars, n));
	g_free(bars);
	return html;
}

static void
dashboard(struct web_request *rq)
{
	struct mg_store *s = rq->app->store;
	guint days = (guint)admin_query_number(rq, "days", DEFAULT_DAYS, STORE_STATS_MAX_DAYS);
	days = MAX(days, 1);
	gint64 since = first_day(days);
	gint64 until = since + (gint64)days * 86400;
	g_autoptr(GError) error = NULL;
	g_autoptr(GArray) per_day = store_stats_per_day(s, since, days, &error);
	g_autoptr(GPtrArray) verdicts = per_day ? store_stats_verdicts(s, since, until, &error)
						: NULL;
	g_autoptr(GPtrArray) reasons = verdicts ? store_stats_reasons(s, since, until, TOP_N, &error)
						: NULL;
	g_autoptr(GPtrArray) senders =
		reasons ? store_stats_blocked_senders(s, since, until, TOP_N, &error) : NULL;
	g_autoptr(GPtrArray) waiting =
		senders ? store_releases(s, NULL, STORE_RELEASE_REQUESTED, &error) : NULL;
	struct store_totals totals;
	if (!waiting || !store_get_totals(s, &totals, &error)) {
		admin_store_unavailable(rq, "dashboard", error);
		return;
	}
	struct web_vars *v = admin_page_vars(rq);
	web_vars_printf(v, "days", "%u", days);
	web_vars_printf(v, "stored", "%" G_GUINT64_FORMAT, totals.messages);
	web_vars_printf(v, "disk_mb", "%.1f", (double)totals.disk / 1e6);
	web_vars_printf(v, "waiting", "%u", waiting->len);
	g_autofree char *oldest = admin_time_text(totals.oldest);
	web_vars_text(v, "oldest", oldest);
	web_vars_html(v, "chart_per_day", per_day_chart(rq, since, per_day));
	web_vars_html(v, "chart_verdicts",
		      rows_chart(rq, "chart-verdicts", WEB_T(rq, "判定と処置", "Verdicts and actions"),
				 WEB_T(rq, "この期間の受信はありません", "No messages in this period"),
				 verdicts));
	web_vars_html(v, "chart_reasons",
		      rows_chart(rq, "chart-reasons",
				 WEB_T(rq, "除去・遮断の理由（上位）", "Top removal reasons"),
				 WEB_T(rq, "この期間に除去したものはありません",
				       "Nothing removed in this period"),
				 reasons));
	web_vars_html(v, "chart_senders",
		      rows_chart(rq, "chart-senders",
				 WEB_T(rq, "遮断の多い送信者（上位）", "Top senders of blocked content"),
				 WEB_T(rq, "この期間に遮断したものはありません",
				       "Nothing blocked in this period"),
				 senders));
	web_respond_page(rq, SOUP_STATUS_OK, "admin-dashboard", v,
			 WEB_T(rq, "ダッシュボード", "Dashboard"), NULL, FALSE);
}

void
web_admin_dashboard_routes(void)
{
	web_route_add("GET", "/admin", dashboard, WEB_ROUTE_ADMIN);
}
