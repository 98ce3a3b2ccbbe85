/*
 * NAME
 *	admin-routes.c - the administrators' pages, one registration each
 * SUMMARY
 *	Each admin-*.c file has a function that calls web_route_add()
 *	(router.h) for its pages with WEB_ROUTE_ADMIN; it is called here.
 */
#include "admin-pages.h"
#include "router.h"

void
web_admin_routes(void)
{
	web_admin_dashboard_routes();
	web_admin_queue_routes();
	web_admin_search_routes();
	web_admin_message_routes();
	web_admin_audit_routes();
}
