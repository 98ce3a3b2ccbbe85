/*
 * NAME
 *	staff.c - the page a notice links to (checkpoint stub)
 */
#include "router.h"
#include "staff.h"

static void
staff_page(struct web_request *rq)
{
	web_respond_error(rq, SOUP_STATUS_NOT_FOUND, "まだありません。", "Not yet.");
}

void
web_staff_routes(void)
{
	web_route_add("GET", "/r/*", staff_page, 0);
}
