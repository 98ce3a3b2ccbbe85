/*
 * NAME
 *	template.c - a small mustache-like template engine
 * SUMMARY
 *	See template.h. Templates are read once and kept (they are files
 *	of the installation, not of the mail); values are escaped by
 *	web_escape() at the one place they are written.
 */
#include "template.h"

#include <gio/gio.h>
#include <string.h>

#include "escape.h"

enum value_kind { VALUE_TEXT, VALUE_HTML, VALUE_FLAG, VALUE_LIST };

struct value {
	enum value_kind kind;
	char *text;     /* TEXT, HTML */
	gboolean flag;  /* FLAG */
	GPtrArray *rows; /* LIST: struct web_vars* */
};

struct web_vars {
	GHashTable *values; /* name -> struct value* */
	const struct web_vars *outer; /* while rendering a row */
};

static void
value_free(gpointer data)
{
	struct value *val = data;
	g_free(val->text);
	if (val->rows)
		g_ptr_array_unref(val->rows);
	g_free(val);
}

struct web_vars *
web_vars_new(void)
{
	struct web_vars *v = g_new0(struct web_vars, 1);
	v->values = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, value_free);
	return v;
}

void
web_vars_free(struct web_vars *v)
{
	if (!v)
		return;
	g_hash_table_unref(v->values);
	g_free(v);
}

static struct value *
put(struct web_vars *v, const char *name, enum value_kind kind)
{
	struct value *val = g_new0(struct value, 1);
	val->kind = kind;
	g_hash_table_replace(v->values, g_strdup(name), val);
	return val;
}

void
web_vars_text(struct web_vars *v, const char *name, const char *text)
{
	put(v, name, VALUE_TEXT)->text = g_strdup(text ? text : "");
}

void
web_vars_printf(struct web_vars *v, const char *name, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	put(v, name, VALUE_TEXT)->text = g_strdup_vprintf(fmt, ap);
	va_end(ap);
}

void
web_vars_flag(struct web_vars *v, const char *name, gboolean on)
{
	put(v, name, VALUE_FLAG)->flag = on;
}

void
web_vars_html(struct web_vars *v, const char *name, char *html)
{
	put(v, name, VALUE_HTML)->text = html ? html : g_strdup("");
}

void
web_vars_list(struct web_vars *v, const char *name)
{
	struct value *val = g_hash_table_lookup(v->values, name);
	if (!val || val->kind != VALUE_LIST) {
		val = put(v, name, VALUE_LIST);
		val->rows = g_ptr_array_new_with_free_func((GDestroyNotify)web_vars_free);
	}
}

struct web_vars *
web_vars_row(struct web_vars *v, const char *name)
{
	web_vars_list(v, name);
	struct value *val = g_hash_table_lookup(v->values, name);
	struct web_vars *row = web_vars_new();
	g_ptr_array_add(val->rows, row);
	return row;
}

/* ---- templates ------------------------------------------------------------ */

static char *data_dir;
static GHashTable *cache; /* name -> text */
static GMutex cache_lock;

void
web_data_dir_set(const char *dir)
{
	g_free(data_dir);
	data_dir = g_strdup(dir);
}

const char *
web_data_dir(void)
{
	const char *env = g_getenv("MUGAIKA_WEB_DIR");
	if (env && *env)
		return env;
	return data_dir ? data_dir : "/usr/share/mugaika/web";
}

static const char *
load(const char *name, GError **error)
{
	g_mutex_lock(&cache_lock);
	if (!cache)
		cache = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	const char *text = g_hash_table_lookup(cache, name);
	if (!text) {
		g_autofree char *file = g_strconcat(name, ".html", NULL);
		g_autofree char *path = g_build_filename(web_data_dir(), "templates", file, NULL);
		char *data = NULL;
		if (g_file_get_contents(path, &data, NULL, error)) {
			g_hash_table_insert(cache, g_strdup(name), data);
			text = data;
		}
	}
	g_mutex_unlock(&cache_lock);
	return text;
}

static const struct value *
lookup(const struct web_vars *v, const char *name)
{
	for (; v; v = v->outer) {
		const struct value *val = g_hash_table_lookup(v->values, name);
		if (val)
			return val;
	}
	return NULL;
}

/* The end of section `name` opened before `p`: the matching {{/name}}
 * (sections of the same name nest). NULL when it is missing. */
static const char *
section_end(const char *p, const char *end, const char *name, const char **after)
{
	g_autofree char *open1 = g_strdup_printf("{{#%s}}", name);
	g_autofree char *open2 = g_strdup_printf("{{^%s}}", name);
	g_autofree char *close = g_strdup_printf("{{/%s}}", name);
	int depth = 1;
	for (const char *q = p; q < end; q++) {
		if (q[0] != '{' || q[1] != '{')
			continue;
		if (g_str_has_prefix(q, open1) || g_str_has_prefix(q, open2)) {
			depth++;
		} else if (g_str_has_prefix(q, close) && --depth == 0) {
			*after = q + strlen(close);
			return q;
		}
	}
	return NULL;
}

static gboolean render_range(GString *out, const char *p, const char *end,
			     const struct web_vars *v, const char *tname, GError **error);

static gboolean
unknown(GError **error, const char *tname, const char *what, const char *name)
{
	g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "template %s: %s '%s'", tname, what,
		    name);
	return FALSE;
}

static gboolean
shows(const struct value *val)
{
	switch (val->kind) {
	case VALUE_FLAG: return val->flag;
	case VALUE_LIST: return val->rows->len > 0;
	default: return val->text && *val->text;
	}
}

static gboolean
render_section(GString *out, char sigil, const char *name, const char *body, const char *body_end,
	       const struct web_vars *v, const char *tname, GError **error)
{
	const struct value *val = lookup(v, name);
	if (!val)
		return unknown(error, tname, "no value for section", name);
	if (sigil == '^')
		return shows(val) ? TRUE : render_range(out, body, body_end, v, tname, error);
	if (val->kind != VALUE_LIST)
		return shows(val) ? render_range(out, body, body_end, v, tname, error) : TRUE;
	for (guint i = 0; i < val->rows->len; i++) {
		struct web_vars *row = val->rows->pdata[i];
		row->outer = v;
		gboolean ok = render_range(out, body, body_end, row, tname, error);
		row->outer = NULL;
		if (!ok)
			return FALSE;
	}
	return TRUE;
}

static gboolean
render_range(GString *out, const char *p, const char *end, const struct web_vars *v,
	     const char *tname, GError **error)
{
	while (p < end) {
		const char *tag = g_strstr_len(p, end - p, "{{");
		if (!tag) {
			g_string_append_len(out, p, end - p);
			break;
		}
		g_string_append_len(out, p, tag - p);
		gboolean triple = tag[2] == '{';
		const char *name = tag + (triple ? 3 : 2);
		const char *close = g_strstr_len(name, end - name, triple ? "}}}" : "}}");
		if (!close)
			return unknown(error, tname, "unclosed tag", "{{");
		g_autofree char *key = g_strndup(name, close - name);
		p = close + (triple ? 3 : 2);
		if (!triple && (key[0] == '#' || key[0] == '^')) {
			const char *after = NULL;
			const char *body_end = section_end(p, end, key + 1, &after);
			if (!body_end)
				return unknown(error, tname, "unclosed section", key + 1);
			if (!render_section(out, key[0], key + 1, p, body_end, v, tname, error))
				return FALSE;
			p = after;
			continue;
		}
		const struct value *val = lookup(v, key);
		if (!val || val->kind == VALUE_LIST)
			return unknown(error, tname, "no value", key);
		if (val->kind == VALUE_FLAG)
			g_string_append(out, val->flag ? "1" : "");
		else if (val->kind == VALUE_HTML && triple)
			g_string_append(out, val->text);
		else
			web_escape(out, val->text);
	}
	return TRUE;
}

char *
web_render(const char *name, const struct web_vars *v, GError **error)
{
	const char *text = load(name, error);
	if (!text)
		return NULL;
	GString *out = g_string_new(NULL);
	if (!render_range(out, text, text + strlen(text), v, name, error)) {
		g_string_free(out, TRUE);
		return NULL;
	}
	return g_string_free(out, FALSE);
}
