/*
 * NAME
 *	admin-audit.c - GET /admin/audit: the audit log, newest first
 * SUMMARY
 *	table#audit, one tr.event per store event (td.ev-time, td.ev-what,
 *	td.ev-by, td.ev-origin, the message and the detail), PAGE_SIZE a
 *	page; the next page is ?before=NUMBER (the last event shown), so
 *	paging costs the same on the first page and the thousandth
 *	(store_events_page(): the events' own key, never an offset).
 */
#include "admin-pages.h"
#include "router.h"

#define PAGE_SIZE 100

static void
audit_page(struct web_request *rq)
{
	gint64 before = (gint64)admin_query_number(rq, "before", 0, G_MAXINT64);
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) events =
		store_events_page(rq->app->store, before, PAGE_SIZE + 1, &error);
	if (!events) {
		admin_store_unavailable(rq, "audit", error);
		return;
	}
	struct web_vars *v = admin_page_vars(rq);
	web_vars_list(v, "events");
	guint shown = MIN(events->len, PAGE_SIZE);
	for (guint i = 0; i < shown; i++) {
		const struct store_event *e = events->pdata[i];
		admin_event_vars(web_vars_row(v, "events"), e);
	}
	g_autofree char *next = NULL;
	if (events->len > PAGE_SIZE)
		next = g_strdup_printf("/admin/audit?before=%" G_GINT64_FORMAT "%s",
				       ((struct store_event *)events->pdata[shown - 1])->number,
				       rq->english ? "&lang=en" : "");
	web_vars_text(v, "next", next);
	web_vars_flag(v, "first_page", before == 0);
	web_respond_page(rq, SOUP_STATUS_OK, "admin-audit", v, WEB_T(rq, "監査ログ", "Audit log"),
			 NULL, FALSE);
}

void
web_admin_audit_routes(void)
{
	web_route_add("GET", "/admin/audit", audit_page, WEB_ROUTE_ADMIN);
}
