/*
 * NAME
 *	events.c - store events for the console's actions
 * SUMMARY
 *	See events.h. Details are JSON built with json-glib (never by hand).
 */
#include "events.h"

#include <json-glib/json-glib.h>

void
web_audit(struct web_request *rq, const char *id, const char *what, const char *by, ...)
{
	va_list ap;
	va_start(ap, by);
	g_autoptr(JsonBuilder) b = json_builder_new();
	json_builder_begin_object(b);
	gboolean any = FALSE;
	for (const char *name = va_arg(ap, const char *); name; name = va_arg(ap, const char *)) {
		const char *value = va_arg(ap, const char *);
		json_builder_set_member_name(b, name);
		json_builder_add_string_value(b, value ? value : "");
		any = TRUE;
	}
	va_end(ap);
	json_builder_end_object(b);
	g_autoptr(JsonNode) root = json_builder_get_root(b);
	g_autofree char *detail = any ? json_to_string(root, FALSE) : NULL;
	g_autoptr(GError) error = NULL;
	if (!store_event_add(rq->app->store, id, what, by && *by ? by : "-", rq->origin, detail,
			     &error))
		g_printerr("cdr-web: cannot record the event %s: %s\n", what, error->message);
}
