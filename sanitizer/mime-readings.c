/*
 * NAME
 *	mime-readings.c - the readings of a MIME object readers disagree on
 * SUMMARY
 *	A part with two Content-Type (or Content-Transfer-Encoding,
 *	Content-Disposition) headers, a parameter given twice (boundary and
 *	boundary*), or a multipart whose declared boundary never occurs is
 *	read differently by different readers. Each reading is built here as
 *	an object of its own (one value of each header, the same body) so
 *	that the mail handler can walk them all; in text mode it shows the
 *	text every reading finds and removes every attachment any finds.
 * DESCRIPTION
 *	A multipart without parts has, besides the empty reading, the
 *	reading of a lenient client that shows the body itself (as text, or
 *	as HTML when it looks like HTML), and for each boundary-like line in
 *	the body that starts a part, the multipart split on it (a declared
 *	boundary that is a prefix of the one used, or none declared at all).
 *	More than MIME_MAX_READINGS readings: NULL (the caller blocks).
 */
#include <string.h>

#include "mime.h"

#define MIME_MAX_READINGS 16
#define MIME_MAX_BOUNDARY 70 /* RFC 2046 */

/* The raw values of every `name` header of obj, in order. */
static GPtrArray *
header_values(GMimeObject *obj, const char *name)
{
	GPtrArray *values = g_ptr_array_new_with_free_func(g_free);
	GMimeHeaderList *list = g_mime_object_get_header_list(obj);
	for (int i = 0; list && i < g_mime_header_list_get_count(list); i++) {
		GMimeHeader *h = g_mime_header_list_get_header_at(list, i);
		const char *raw = g_mime_header_get_raw_value(h);
		if (g_ascii_strcasecmp(g_mime_header_get_name(h), name) == 0 && raw)
			g_ptr_array_add(values, g_strstrip(g_strdup(raw)));
	}
	return values;
}

static void
add_unique(GPtrArray *values, char *value)
{
	for (guint i = 0; i < values->len; i++)
		if (strcmp(values->pdata[i], value) == 0) {
			g_free(value);
			return;
		}
	g_ptr_array_add(values, value);
}

static void
append_param(GString *s, const char *name, const char *value)
{
	g_string_append_printf(s, "; %s=\"", name);
	for (const char *c = value; *c; c++) {
		if (*c == '"' || *c == '\\')
			g_string_append_c(s, '\\');
		if (*c != '\r' && *c != '\n')
			g_string_append_c(s, *c);
	}
	g_string_append_c(s, '"');
}

/*
 * Every Content-Type (or Content-Disposition) a reader may take from one
 * header value: a parameter given twice (boundary="a"; boundary*=b, two
 * charsets, two filenames) gives one value per choice.
 */
static void
header_choices(const char *raw, gboolean content_type, GPtrArray *out)
{
	GObject *parsed = content_type ? G_OBJECT(g_mime_content_type_parse(NULL, raw))
				       : G_OBJECT(g_mime_content_disposition_parse(NULL, raw));
	if (!parsed)
		return;
	g_autofree char *type =
		content_type ? g_mime_content_type_get_mime_type(GMIME_CONTENT_TYPE(parsed))
			     : g_strdup(g_mime_content_disposition_get_disposition(
				       GMIME_CONTENT_DISPOSITION(parsed)));
	GMimeParamList *params =
		content_type ? g_mime_content_type_get_parameters(GMIME_CONTENT_TYPE(parsed))
			     : g_mime_content_disposition_get_parameters(GMIME_CONTENT_DISPOSITION(parsed));
	if (!type)
		type = g_strdup("attachment");
	int n = params ? g_mime_param_list_length(params) : 0;
	/* choice k takes, of each name, its (k mod count)-th value */
	unsigned choices = 1;
	for (int i = 0; i < n; i++) {
		const char *name = g_mime_param_get_name(g_mime_param_list_get_parameter_at(params, i));
		unsigned same = 0;
		for (int j = 0; j < n; j++)
			same += g_ascii_strcasecmp(name, g_mime_param_get_name(
							       g_mime_param_list_get_parameter_at(params, j))) == 0;
		choices = MAX(choices, same);
	}
	for (unsigned k = 0; k < choices; k++) {
		GString *s = g_string_new(type);
		for (int i = 0; i < n; i++) {
			GMimeParam *p = g_mime_param_list_get_parameter_at(params, i);
			unsigned before = 0, same = 0;
			for (int j = 0; j < n; j++) {
				gboolean eq = g_ascii_strcasecmp(g_mime_param_get_name(p),
						g_mime_param_get_name(g_mime_param_list_get_parameter_at(params, j))) == 0;
				same += eq;
				before += eq && j < i;
			}
			if (before == k % same)
				append_param(s, g_mime_param_get_name(p), g_mime_param_get_value(p) ? g_mime_param_get_value(p) : "");
		}
		add_unique(out, g_string_free(s, FALSE));
	}
	g_object_unref(parsed);
}

/* The body of obj as GMime keeps it: its encoded content, or a
 * multipart's prologue, parts and epilogue. */
static GByteArray *
raw_body(GMimeObject *obj)
{
	GByteArray *all = g_byte_array_new();
	GMimeStream *s = g_mime_stream_mem_new_with_byte_array(all);
	g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(s), FALSE);
	g_mime_object_write_to_stream(obj, NULL, s);
	g_object_unref(s);
	gsize skip = all->len;
	for (gsize i = 0; i + 1 < all->len; i++) {
		if (all->data[i] != '\n')
			continue;
		if (all->data[i + 1] == '\n') {
			skip = i + 2;
			break;
		}
		if (i + 2 < all->len && all->data[i + 1] == '\r' && all->data[i + 2] == '\n') {
			skip = i + 3;
			break;
		}
	}
	g_byte_array_remove_range(all, 0, (guint)skip);
	return all;
}

static gboolean
looks_like_html(const GByteArray *body)
{
	static const char *const tags[] = { "<html", "<body", "<div", "<table", "<p>", "<p ",
					    "<br", "<!doctype html", "<font", "<a href" };
	if (!body->len)
		return FALSE;
	g_autofree char *head = g_ascii_strdown((const char *)body->data, MIN(body->len, 65536));
	for (unsigned i = 0; i < G_N_ELEMENTS(tags); i++)
		if (strstr(head, tags[i]))
			return TRUE;
	return FALSE;
}

/* Boundaries a body uses without declaring them: a line "--X" followed by
 * a Content-* header line. */
static void
used_boundaries(const GByteArray *body, const char *declared, GPtrArray *out)
{
	g_autofree char *text = body->len ? g_strndup((const char *)body->data, body->len) : g_strdup("");
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	for (char **l = lines; *l && l[1] && out->len < 4; l++) {
		g_strchomp(*l);
		if (!g_str_has_prefix(*l, "--") || strlen(*l) < 3 || strlen(*l) > MIME_MAX_BOUNDARY + 2)
			continue;
		if (g_ascii_strncasecmp(l[1], "Content-", 8) != 0 || !strchr(l[1], ':'))
			continue;
		const char *b = *l + 2;
		if (declared && strcmp(b, declared) == 0)
			continue;
		add_unique(out, g_strdup(b));
	}
}

static GMimeObject *
parse_reading(const char *headers, const GByteArray *body)
{
	GByteArray *bytes = g_byte_array_new();
	g_byte_array_append(bytes, (const guint8 *)headers, (guint)strlen(headers));
	g_byte_array_append(bytes, (const guint8 *)"\r\n", 2);
	g_byte_array_append(bytes, body->data, body->len);
	GMimeStream *s = g_mime_stream_mem_new_with_byte_array(bytes); /* owns bytes */
	GMimeParser *parser = g_mime_parser_new_with_stream(s);
	GMimeObject *obj = g_mime_parser_construct_part(parser, NULL);
	g_object_unref(parser);
	g_object_unref(s);
	return obj;
}

GPtrArray *
mime_readings(GMimeObject *obj)
{
	g_autoptr(GPtrArray) types = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) raw_types = header_values(obj, "Content-Type");
	g_autoptr(GPtrArray) encodings = header_values(obj, "Content-Transfer-Encoding");
	g_autoptr(GByteArray) body = raw_body(obj);

	g_autoptr(GPtrArray) raw_dispositions = header_values(obj, "Content-Disposition");
	g_autoptr(GPtrArray) dispositions = g_ptr_array_new_with_free_func(g_free);
	for (guint i = 0; i < raw_types->len; i++)
		header_choices(raw_types->pdata[i], TRUE, types);
	for (guint i = 0; i < raw_dispositions->len; i++)
		header_choices(raw_dispositions->pdata[i], FALSE, dispositions);
	if (GMIME_IS_MULTIPART(obj) && g_mime_multipart_get_count(GMIME_MULTIPART(obj)) == 0 &&
	    raw_types->len <= 1) {
		/* the declared boundary never occurs: the body itself, and the
		 * body split on a boundary it does use */
		const char *charset = g_mime_object_get_content_type_parameter(obj, "charset");
		GString *s = g_string_new(looks_like_html(body) ? "text/html" : "text/plain");
		if (charset)
			append_param(s, "charset", charset);
		g_ptr_array_set_size(types, 0);
		g_ptr_array_add(types, g_string_free(s, FALSE));
		g_autoptr(GPtrArray) used = g_ptr_array_new_with_free_func(g_free);
		used_boundaries(body, g_mime_object_get_content_type_parameter(obj, "boundary"), used);
		for (guint i = 0; i < used->len; i++) {
			GString *m = g_string_new("multipart/mixed");
			append_param(m, "boundary", used->pdata[i]);
			g_ptr_array_add(types, g_string_free(m, FALSE));
		}
	}
	if (!types->len)
		g_ptr_array_add(types, g_strdup("text/plain"));
	if (!encodings->len)
		g_ptr_array_add(encodings, g_strdup(""));
	if (!dispositions->len)
		g_ptr_array_add(dispositions, g_strdup(""));
	if ((gsize)types->len * encodings->len * dispositions->len > MIME_MAX_READINGS)
		return NULL;

	GPtrArray *readings = g_ptr_array_new_with_free_func(g_object_unref);
	for (guint t = 0; t < types->len; t++)
		for (guint e = 0; e < encodings->len; e++)
			for (guint d = 0; d < dispositions->len; d++) {
				g_autoptr(GString) h = g_string_new(NULL);
				g_string_append_printf(h, "Content-Type: %s\r\n", (char *)types->pdata[t]);
				if (*(char *)encodings->pdata[e])
					g_string_append_printf(h, "Content-Transfer-Encoding: %s\r\n",
							       (char *)encodings->pdata[e]);
				if (*(char *)dispositions->pdata[d])
					g_string_append_printf(h, "Content-Disposition: %s\r\n",
							       (char *)dispositions->pdata[d]);
				GMimeObject *r = parse_reading(h->str, body);
				if (r)
					g_ptr_array_add(readings, r);
			}
	return readings;
}
