/*
 * NAME
 *	routes.c - every page of the console, registered in one place
 * SUMMARY
 *	Login and the style sheet (login.c), the staff pages (staff.c),
 *	then the administrators' pages (admin-routes.c).
 */
#include "login.h"
#include "router.h"
#include "staff.h"

void
web_routes_register(void)
{
	web_login_routes();
	web_staff_routes();
	web_admin_routes();
}
