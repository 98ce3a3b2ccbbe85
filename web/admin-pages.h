/*
 * NAME
 *	admin-pages.h - the administrators' pages of cdr-web
 * SUMMARY
 *	One registration function per page file (called from
 *	admin-routes.c), and what the pages share (admin-common.c): times
 *	in the gateway's local time, dates of a form, the nav bar's links.
 *	Every page is WEB_ROUTE_ADMIN: the server sends a visitor without a
 *	login to /login before the handler runs.
 */
#pragma once

#include "server.h"

void web_admin_dashboard_routes(void); /* GET /admin (admin-dashboard.c) */
void web_admin_queue_routes(void);     /* GET /admin/queue, POST approve/deny (admin-queue.c) */
void web_admin_search_routes(void);    /* GET /admin/search (admin-search.c) */
void web_admin_message_routes(void);   /* GET /admin/message/ID (admin-message.c) */
void web_admin_audit_routes(void);     /* GET /admin/audit (admin-audit.c) */

/* "2026-12-06 16:05:09" in the gateway's local time; "" for 0. */
char *admin_time_text(gint64 t);

/* A YYYY-MM-DD of a form as the Unix time of that day's local midnight
 * (`next_day`: of the day after, for an inclusive "until"). FALSE for
 * anything else; *t is 0 for an empty field. */
gboolean admin_date_parse(const char *text, gboolean next_day, gint64 *t);

/* The variables of every admin page: the page vars and the nav links
 * (with the page's language). */
struct web_vars *admin_page_vars(struct web_request *rq);

/* A query parameter, or NULL when missing or empty. */
const char *admin_query(struct web_request *rq, const char *name);

/* An unsigned number from a query parameter, `fallback` when missing,
 * at most `max`. */
guint64 admin_query_number(struct web_request *rq, const char *name, guint64 fallback,
			   guint64 max);

/* The char* of `list` joined with ", " (a GPtrArray is not
 * NULL-terminated: not for g_strjoinv()). */
char *admin_join(const GPtrArray *list);

/* `text` as NAME, and as NAME_bidi the direction controls it holds
 * ("U+202E"; empty when none) for the span.bidi-warning beside it. */
void admin_text_with_bidi(struct web_vars *v, const char *name, const char *text);

/* The fields of an event for a row (number, time, what, by, origin, id,
 * detail). */
void admin_event_vars(struct web_vars *row, const struct store_event *e);

/* The answer when the store cannot be read: logged with `what`, and a
 * 503 error page. */
void admin_store_unavailable(struct web_request *rq, const char *what, const GError *error);

/*
 * Run `work` on one of the admin pages' worker threads (ADMIN_WORKERS),
 * then `finish` on the server's thread, which answers: a search or a
 * dashboard reads the store for milliseconds to a second, during which
 * the server answers every other request. `work` may read rq->app->store
 * and rq->english and fill what `data` owns; nothing else of rq.
 */
#define ADMIN_WORKERS 4
void admin_run_off_thread(struct web_request *rq, void (*work)(struct web_request *rq,
							      gpointer data),
			  void (*finish)(struct web_request *rq, gpointer data), gpointer data);
