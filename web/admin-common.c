/*
 * NAME
 *	admin-common.c - what the administrators' pages share
 * SUMMARY
 *	Local times for display, form dates to Unix times, the variables
 *	every admin page starts from, and query parameters read safely.
 * DESCRIPTION
 *	Times are shown in the gateway's local time zone (TZ of cdr-web;
 *	Asia/Tokyo where it is meant to run), and form dates are days of
 *	that zone: an administrator's "2026-12-01" is that day as the
 *	office knows it.
 */
#include <stdio.h>
#include <string.h>

#include "admin-pages.h"
#include "escape.h"

char *
admin_time_text(gint64 t)
{
	if (!t)
		return g_strdup("");
	g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc(t);
	g_autoptr(GDateTime) local = utc ? g_date_time_to_timezone(utc, web_local_zone()) : NULL;
	return local ? g_date_time_format(local, "%Y-%m-%d %H:%M:%S") : g_strdup("?");
}

gboolean
admin_date_parse(const char *text, gboolean next_day, gint64 *t)
{
	*t = 0;
	if (!text || !*text)
		return TRUE;
	unsigned y, m, d;
	char end;
	if (strlen(text) != 10 || text[4] != '-' || text[7] != '-' ||
	    sscanf(text, "%4u-%2u-%2u%c", &y, &m, &d, &end) != 3 || y < 1970 || y > 9998)
		return FALSE;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !g_ascii_isdigit(text[i]))
			return FALSE;
	if (!g_date_valid_dmy((GDateDay)d, (GDateMonth)m, (GDateYear)y))
		return FALSE;
	g_autoptr(GDateTime) day =
		g_date_time_new(web_local_zone(), (int)y, (int)m, (int)d, 0, 0, 0);
	if (!day)
		return FALSE;
	g_autoptr(GDateTime) when = next_day ? g_date_time_add_days(day, 1) : g_date_time_ref(day);
	*t = g_date_time_to_unix(when);
	return TRUE;
}

struct web_vars *
admin_page_vars(struct web_request *rq)
{
	struct web_vars *v = web_page_vars(rq);
	static const char *const pages[][3] = {
		{ "/admin", "ダッシュボード", "Dashboard" },
		{ "/admin/queue", "依頼", "Requests" },
		{ "/admin/search", "検索", "Search" },
		{ "/admin/audit", "監査ログ", "Audit log" },
	};
	for (guint i = 0; i < G_N_ELEMENTS(pages); i++) {
		struct web_vars *row = web_vars_row(v, "admin_nav");
		g_autofree char *href = g_strdup_printf("%s%s", pages[i][0],
							rq->english ? "?lang=en" : "");
		web_vars_text(row, "href", href);
		web_vars_text(row, "label", WEB_T(rq, pages[i][1], pages[i][2]));
		web_vars_flag(row, "current", strcmp(rq->path, pages[i][0]) == 0);
	}
	return v;
}

const char *
admin_query(struct web_request *rq, const char *name)
{
	const char *v = g_hash_table_lookup(rq->query, name);
	return v && *v ? v : NULL;
}

guint64
admin_query_number(struct web_request *rq, const char *name, guint64 fallback, guint64 max)
{
	const char *v = admin_query(rq, name);
	guint64 n = fallback;
	if (v && !g_ascii_string_to_unsigned(v, 10, 0, max, &n, NULL))
		n = fallback;
	return n;
}

char *
admin_join(const GPtrArray *list)
{
	GString *s = g_string_new(NULL);
	for (guint i = 0; list && i < list->len; i++)
		g_string_append_printf(s, "%s%s", i ? ", " : "", (const char *)list->pdata[i]);
	return g_string_free(s, FALSE);
}

void
admin_text_with_bidi(struct web_vars *v, const char *name, const char *text)
{
	web_vars_text(v, name, text);
	g_autofree char *bidi_name = g_strdup_printf("%s_bidi", name);
	g_autofree char *bidi = web_bidi_controls(text);
	web_vars_text(v, bidi_name, bidi);
}

void
admin_event_vars(struct web_vars *row, const struct store_event *e)
{
	web_vars_printf(row, "number", "%" G_GINT64_FORMAT, e->number);
	g_autofree char *t = admin_time_text(e->time);
	web_vars_text(row, "time", t);
	web_vars_text(row, "what", e->what);
	web_vars_text(row, "by", e->by);
	web_vars_text(row, "origin", e->origin);
	web_vars_text(row, "id", e->id);
	web_vars_text(row, "detail", e->detail);
}

void
admin_store_unavailable(struct web_request *rq, const char *what, const GError *error)
{
	g_printerr("cdr-web: %s: %s\n", what, error ? error->message : "failed");
	web_respond_error(rq, SOUP_STATUS_SERVICE_UNAVAILABLE,
			  "隔離ストアを読めません。しばらくしてからやり直してください。",
			  "The quarantine store cannot be read. Try again later.");
}

struct admin_job {
	struct web_request *rq;
	void (*work)(struct web_request *rq, gpointer data);
	void (*finish)(struct web_request *rq, gpointer data);
	gpointer data;
};

static void
admin_job_run(gpointer data, gpointer unused)
{
	struct admin_job *job = data;
	job->work(job->rq, job->data);
	web_request_resume(job->rq, job->finish, job->data);
	g_free(job);
}

void
admin_run_off_thread(struct web_request *rq, void (*work)(struct web_request *rq, gpointer data),
		     void (*finish)(struct web_request *rq, gpointer data), gpointer data)
{
	static GThreadPool *pool; /* made and used on the server's thread only */
	if (!pool)
		pool = g_thread_pool_new(admin_job_run, NULL, ADMIN_WORKERS, FALSE, NULL);
	struct admin_job *job = g_new0(struct admin_job, 1);
	*job = (struct admin_job){ rq, work, finish, data };
	web_request_pause(rq);
	g_thread_pool_push(pool, job, NULL);
}
