/*
 * NAME
 *	router.c - the table of routes and its matching
 * SUMMARY
 *	A list in the order added; patterns split into segments once.
 */
#include "router.h"

#include <string.h>

struct route {
	char *method;
	char **segments; /* the pattern's, without the leading "" */
	web_handler handler;
	unsigned flags;
};

static GPtrArray *routes;

void
web_route_add(const char *method, const char *pattern, web_handler handler, unsigned flags)
{
	g_assert(pattern[0] == '/');
	if (!routes)
		routes = g_ptr_array_new();
	struct route *r = g_new0(struct route, 1);
	r->method = g_strdup(method);
	r->segments = g_strsplit(pattern + 1, "/", -1);
	r->handler = handler;
	r->flags = flags;
	g_ptr_array_add(routes, r);
}

static gboolean
matches(const struct route *r, char **parts, GPtrArray *args)
{
	guint i = 0;
	for (; r->segments[i]; i++) {
		const char *seg = r->segments[i];
		if (strcmp(seg, "**") == 0 && !r->segments[i + 1]) {
			if (!parts[i] || !*parts[i])
				return FALSE;
			g_ptr_array_add(args, g_strjoinv("/", parts + i));
			return TRUE;
		}
		if (!parts[i])
			return FALSE;
		if (strcmp(seg, "*") == 0) {
			if (!*parts[i])
				return FALSE;
			g_ptr_array_add(args, g_strdup(parts[i]));
		} else if (strcmp(seg, parts[i]) != 0) {
			return FALSE;
		}
	}
	return parts[i] == NULL;
}

web_handler
web_route_find(const char *method, const char *path, unsigned *flags, char ***args,
	       gboolean *path_known)
{
	*path_known = FALSE;
	if (!routes || path[0] != '/')
		return NULL;
	g_auto(GStrv) parts = g_strsplit(path + 1, "/", -1);
	for (guint i = 0; i < routes->len; i++) {
		const struct route *r = routes->pdata[i];
		GPtrArray *found = g_ptr_array_new_with_free_func(g_free);
		if (!matches(r, parts, found)) {
			g_ptr_array_unref(found);
			continue;
		}
		if (strcmp(r->method, method) != 0) {
			*path_known = TRUE;
			g_ptr_array_unref(found);
			continue;
		}
		g_ptr_array_add(found, NULL);
		*args = (char **)g_ptr_array_free(found, FALSE);
		*flags = r->flags;
		return r->handler;
	}
	return NULL;
}
