/*
 * NAME
 *	router.h - which function answers which URL
 * SUMMARY
 *	Adding a page is one call, from the file that has the page:
 *
 *	static void queue_page(struct web_request *rq) { ... }
 *	void
 *	web_admin_queue_routes(void)        // called from admin-routes.c
 *	{
 *		web_route_add("GET", "/admin/queue", queue_page, WEB_ROUTE_ADMIN);
 *		web_route_add("POST", "/admin/release/ * /approve", approve, WEB_ROUTE_ADMIN);
 *	}
 *
 *	(without the spaces around the "*"). A pattern is a path; each "*"
 *	matches one non-empty path segment, given to the handler in
 *	rq->args[0], rq->args[1], ... A trailing "**" matches the rest
 *	(one or more segments, '/' included). Routes are tried in the order
 *	added; the first match answers. Admin pages register in
 *	web_admin_routes() (admin-routes.c), the staff and login pages in
 *	web_routes_register() (routes.c).
 *
 *	Before any handler runs, the server has: set the security headers,
 *	found the session, refused a POST without a valid csrf field (403),
 *	and for WEB_ROUTE_ADMIN sent a visitor without a login to /login
 *	(GET) or refused it (POST, 403). A handler answers with the
 *	web_respond_*() functions of server.h.
 */
#pragma once

#include <glib.h>

struct web_request;

typedef void (*web_handler)(struct web_request *rq);

enum web_route_flags {
	WEB_ROUTE_ADMIN = 1 << 0, /* a logged-in administrator only */
};

void web_route_add(const char *method, const char *pattern, web_handler handler,
		   unsigned flags);

/* The route for `method` and `path`: its handler and flags, with the
 * "*" segments in *args (caller frees with g_strfreev). NULL when none;
 * *path_known then says whether another method would match (405). */
web_handler web_route_find(const char *method, const char *path, unsigned *flags, char ***args,
			   gboolean *path_known);

/* Every page of the console: the staff and login pages, then
 * web_admin_routes(). */
void web_routes_register(void);
void web_admin_routes(void);
