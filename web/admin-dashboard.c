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
 *	index, on an admin worker thread; on a large quarantine they take up
 *	to a second (bench/README.md), so one computation serves every
 *	dashboard shown within CACHE_SECONDS (the page says when it was
 *	made), and requests that come while it runs wait for it rather than
 *	start their own. The SVG goes into the page as HTML (web_vars_html): it is
 *	made by svg-chart.c, whose every text passes svg_append_text(), the
 *	chart writer's escape (a label's U+202E shows as "[U+202E]": SVG
 *	text has no <bdi> to isolate it).
 */
#include "admin-pages.h"
#include "router.h"
#include "svg-chart.h"

#define DEFAULT_DAYS 30
#define TOP_N 10
#define CACHE_SECONDS 60

/* The local midnight `days` - 1 days before today's. */
static gint64
first_day(guint days)
{
	g_autoptr(GDateTime) now = g_date_time_new_now(web_local_zone());
	g_autoptr(GDateTime) today =
		g_date_time_new(web_local_zone(), g_date_time_get_year(now),
				g_date_time_get_month(now), g_date_time_get_day_of_month(now), 0, 0, 0);
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
		g_autoptr(GDateTime) day = g_date_time_to_timezone(utc, web_local_zone());
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

/* One computation of the dashboard's numbers, shared read-only by the
 * requests that come within CACHE_SECONDS. */
struct stats {
	gint refs;
	guint days;
	gint64 since, made;
	GArray *per_day;
	GPtrArray *verdicts, *reasons, *senders;
	guint waiting;
	struct store_totals totals;
};

static void
stats_unref(struct stats *st)
{
	if (!st || !g_atomic_int_dec_and_test(&st->refs))
		return;
	if (st->per_day)
		g_array_unref(st->per_day);
	g_clear_pointer(&st->verdicts, g_ptr_array_unref);
	g_clear_pointer(&st->reasons, g_ptr_array_unref);
	g_clear_pointer(&st->senders, g_ptr_array_unref);
	g_free(st);
}

static struct stats *
stats_compute(struct mg_store *s, guint days, GError **error)
{
	struct stats *st = g_new0(struct stats, 1);
	st->refs = 1;
	st->days = days;
	st->since = first_day(days);
	st->made = g_get_real_time() / G_USEC_PER_SEC;
	gint64 until = st->since + (gint64)days * 86400;
	g_autoptr(GPtrArray) waiting = NULL;
	if (!(st->per_day = store_stats_per_day(s, st->since, days, error)) ||
	    !(st->verdicts = store_stats_verdicts(s, st->since, until, error)) ||
	    !(st->reasons = store_stats_reasons(s, st->since, until, TOP_N, error)) ||
	    !(st->senders = store_stats_blocked_senders(s, st->since, until, TOP_N, error)) ||
	    !(waiting = store_releases(s, NULL, STORE_RELEASE_REQUESTED, error)) ||
	    !store_get_totals(s, &st->totals, error)) {
		stats_unref(st);
		return NULL;
	}
	st->waiting = waiting->len;
	return st;
}

static GMutex cache_lock;
static struct stats *cache; /* the latest computation */

struct dashboard {
	guint days;
	struct stats *stats;
	GError *error;
};

/* The cached numbers when fresh for these days, else new ones: one
 * worker computes while the others wait, then all share the result. */
static void
dashboard_work(struct web_request *rq, gpointer data)
{
	struct dashboard *d = data;
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;
	g_mutex_lock(&cache_lock);
	if (!cache || cache->days != d->days || now - cache->made >= CACHE_SECONDS ||
	    cache->since != first_day(d->days)) {
		struct stats *fresh = stats_compute(rq->app->store, d->days, &d->error);
		if (fresh) {
			stats_unref(cache);
			cache = fresh;
		}
	}
	if (!d->error) {
		g_atomic_int_inc(&cache->refs);
		d->stats = cache;
	}
	g_mutex_unlock(&cache_lock);
}

static void
dashboard_finish(struct web_request *rq, gpointer data)
{
	struct dashboard *d = data;
	struct stats *st = d->stats;
	if (!st) {
		admin_store_unavailable(rq, "dashboard", d->error);
		g_clear_error(&d->error);
		g_free(d);
		return;
	}
	struct web_vars *v = admin_page_vars(rq);
	web_vars_printf(v, "days", "%u", st->days);
	web_vars_printf(v, "stored", "%" G_GUINT64_FORMAT, st->totals.messages);
	web_vars_printf(v, "disk_mb", "%.1f", (double)st->totals.disk / 1e6);
	web_vars_printf(v, "waiting", "%u", st->waiting);
	g_autofree char *oldest = admin_time_text(st->totals.oldest);
	web_vars_text(v, "oldest", oldest);
	g_autofree char *made = admin_time_text(st->made);
	web_vars_text(v, "made", made);
	web_vars_html(v, "chart_per_day", per_day_chart(rq, st->since, st->per_day));
	web_vars_html(v, "chart_verdicts",
		      rows_chart(rq, "chart-verdicts", WEB_T(rq, "判定と処置", "Verdicts and actions"),
				 WEB_T(rq, "この期間の受信はありません", "No messages in this period"),
				 st->verdicts));
	web_vars_html(v, "chart_reasons",
		      rows_chart(rq, "chart-reasons",
				 WEB_T(rq, "除去・遮断の理由（上位）", "Top removal reasons"),
				 WEB_T(rq, "この期間に除去したものはありません",
				       "Nothing removed in this period"),
				 st->reasons));
	web_vars_html(v, "chart_senders",
		      rows_chart(rq, "chart-senders",
				 WEB_T(rq, "遮断の多い送信者（上位）", "Top senders of blocked content"),
				 WEB_T(rq, "この期間に遮断したものはありません",
				       "Nothing blocked in this period"),
				 st->senders));
	stats_unref(st);
	g_free(d);
	web_respond_page(rq, SOUP_STATUS_OK, "admin-dashboard", v,
			 WEB_T(rq, "ダッシュボード", "Dashboard"), NULL, FALSE);
}

static void
dashboard(struct web_request *rq)
{
	struct dashboard *d = g_new0(struct dashboard, 1);
	d->days = MAX(1, (guint)admin_query_number(rq, "days", DEFAULT_DAYS,
						   STORE_STATS_MAX_DAYS));
	admin_run_off_thread(rq, dashboard_work, dashboard_finish, d);
}

void
web_admin_dashboard_routes(void)
{
	web_route_add("GET", "/admin", dashboard, WEB_ROUTE_ADMIN);
}
