/*
 * NAME
 *	report.c - per-object verdict, reason, actions and children
 * SUMMARY
 *	The report model and its JSON form (json-glib). The JSON travels from
 *	worker to front end and ends up in cdr-file's report and the audit log,
 *	so from_json() validates everything it reads: a report from a worker
 *	that says nonsense is an error, not a verdict.
 */
#include "report.h"

#include <string.h>

static const char *const verdict_names[] = { "clean", "sanitized", "blocked" };

static const char *const error_names[CDR_E_COUNT] = {
	[CDR_E_NONE] = "none",
	[CDR_E_PARSE] = "parse-error",
	[CDR_E_LIMIT] = "limit",
	[CDR_E_UNSUPPORTED] = "unsupported-type",
	[CDR_E_DANGEROUS] = "dangerous-content",
	[CDR_E_NAME] = "dangerous-name",
	[CDR_E_ENCRYPTED] = "encrypted",
	[CDR_E_TIMEOUT] = "timeout",
	[CDR_E_CPU] = "cpu-limit",
	[CDR_E_MEMORY] = "memory-limit",
	[CDR_E_CRASH] = "crash",
	[CDR_E_SANDBOX] = "sandbox-violation",
	[CDR_E_INTERNAL] = "internal-error",
	[CDR_E_MALWARE] = "malware",
	[CDR_E_SCAN] = "scan-unavailable",
};

static void
action_free(gpointer p)
{
	struct cdr_action *a = p;
	g_free(a->what);
	g_free(a->where);
	g_free(a);
}

struct cdr_report *
cdr_report_new(const char *name)
{
	struct cdr_report *r = g_new0(struct cdr_report, 1);
	r->name = g_strdup(name);
	r->actions = g_ptr_array_new_with_free_func(action_free);
	r->children = g_ptr_array_new_with_free_func((GDestroyNotify)cdr_report_free);
	return r;
}

void
cdr_report_free(struct cdr_report *r)
{
	if (!r)
		return;
	g_free(r->name);
	g_free(r->out_name);
	g_free(r->detected);
	g_free(r->handler);
	g_free(r->handler_type);
	g_free(r->out_type);
	g_free(r->reason);
	g_free(r->subject);
	g_free(r->message_id);
	g_free(r->from);
	g_free(r->from_address);
	g_free(r->malware);
	g_ptr_array_unref(r->actions);
	g_ptr_array_unref(r->children);
	g_free(r);
}

void
cdr_report_add_action(struct cdr_report *r, const char *what, const char *where, unsigned count)
{
	for (guint i = 0; i < r->actions->len; i++) {
		struct cdr_action *a = r->actions->pdata[i];
		if (strcmp(a->what, what) == 0 && g_strcmp0(a->where, where) == 0) {
			a->count += count;
			return;
		}
	}
	struct cdr_action *a = g_new0(struct cdr_action, 1);
	a->what = g_strdup(what);
	a->where = g_strdup(where);
	a->count = count;
	g_ptr_array_add(r->actions, a);
}

void
cdr_report_block(struct cdr_report *r, enum cdr_error error, const char *reason)
{
	r->verdict = CDR_BLOCKED;
	if (r->reason)
		return;
	r->error = error;
	r->reason = g_strdup(reason);
}

void
cdr_report_block_malware(struct cdr_report *r, const char *signature)
{
	r->verdict = CDR_BLOCKED;
	r->error = CDR_E_MALWARE;
	g_free(r->malware);
	r->malware = g_strdup(signature);
	g_free(r->reason);
	r->reason = g_strdup_printf("virus found: %s", signature);
}

gboolean
cdr_signature_valid(const char *name)
{
	gsize n = name ? strlen(name) : 0;
	if (n == 0 || n > 256)
		return FALSE;
	for (const char *c = name; *c; c++)
		if (*c <= 0x20 || *c >= 0x7f)
			return FALSE;
	return TRUE;
}

const struct cdr_report *
cdr_report_find_malware(const struct cdr_report *r)
{
	if (r->verdict == CDR_BLOCKED && r->error == CDR_E_MALWARE)
		return r;
	for (guint i = 0; i < r->children->len; i++) {
		const struct cdr_report *found = cdr_report_find_malware(r->children->pdata[i]);
		if (found)
			return found;
	}
	return NULL;
}

const char *
cdr_verdict_name(enum cdr_verdict v)
{
	return (unsigned)v < G_N_ELEMENTS(verdict_names) ? verdict_names[v] : "blocked";
}

const char *
cdr_error_name(enum cdr_error e)
{
	return (unsigned)e < CDR_E_COUNT ? error_names[e] : "internal-error";
}

gboolean
cdr_verdict_from_name(const char *name, enum cdr_verdict *v)
{
	for (unsigned i = 0; i < G_N_ELEMENTS(verdict_names); i++)
		if (g_strcmp0(name, verdict_names[i]) == 0) {
			*v = i;
			return TRUE;
		}
	return FALSE;
}

gboolean
cdr_error_from_name(const char *name, enum cdr_error *e)
{
	for (unsigned i = 0; i < CDR_E_COUNT; i++)
		if (g_strcmp0(name, error_names[i]) == 0) {
			*e = i;
			return TRUE;
		}
	return FALSE;
}

static void
add_string(JsonBuilder *b, const char *key, const char *value)
{
	if (!value)
		return;
	json_builder_set_member_name(b, key);
	if (g_utf8_validate(value, -1, NULL)) {
		json_builder_add_string_value(b, value);
	} else { /* JSON is UTF-8: a bad byte from a parsed name must not break it */
		g_autofree char *valid = g_utf8_make_valid(value, -1);
		json_builder_add_string_value(b, valid);
	}
}

static void
build(JsonBuilder *b, const struct cdr_report *r)
{
	json_builder_begin_object(b);
	add_string(b, "name", r->name);
	add_string(b, "verdict", cdr_verdict_name(r->verdict));
	if (r->verdict == CDR_BLOCKED) {
		add_string(b, "error", cdr_error_name(r->error));
		add_string(b, "reason", r->reason);
		if (r->error == CDR_E_MALWARE)
			add_string(b, "malware", r->malware);
	}
	add_string(b, "detected", r->detected);
	add_string(b, "handler", r->handler);
	add_string(b, "handler_type", r->handler_type);
	add_string(b, "out_name", r->out_name);
	add_string(b, "out_type", r->out_type);
	add_string(b, "subject", r->subject);
	add_string(b, "message_id", r->message_id);
	add_string(b, "from", r->from);
	add_string(b, "from_address", r->from_address);
	json_builder_set_member_name(b, "size_in");
	json_builder_add_int_value(b, (gint64)r->size_in);
	json_builder_set_member_name(b, "size_out");
	json_builder_add_int_value(b, (gint64)r->size_out);
	json_builder_set_member_name(b, "elapsed");
	json_builder_add_double_value(b, (double)(gint64)(r->elapsed * 1e6) / 1e6);
	json_builder_set_member_name(b, "actions");
	json_builder_begin_array(b);
	for (guint i = 0; i < r->actions->len; i++) {
		const struct cdr_action *a = r->actions->pdata[i];
		json_builder_begin_object(b);
		add_string(b, "what", a->what);
		add_string(b, "where", a->where);
		json_builder_set_member_name(b, "count");
		json_builder_add_int_value(b, a->count);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	if (r->children->len) {
		json_builder_set_member_name(b, "children");
		json_builder_begin_array(b);
		for (guint i = 0; i < r->children->len; i++)
			build(b, r->children->pdata[i]);
		json_builder_end_array(b);
	}
	json_builder_end_object(b);
}

JsonNode *
cdr_report_to_json(const struct cdr_report *r)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	build(b, r);
	return json_builder_get_root(b);
}

char *
cdr_json_to_string(JsonNode *node)
{
	g_autofree char *raw = json_to_string(node, FALSE);
	/* json-glib writes control characters other than \b\f\n\r\t raw,
	 * which is not JSON. Compact output has no structural whitespace, so
	 * any such byte is inside a string. */
	GString *s = g_string_sized_new(strlen(raw));
	for (const char *p = raw; *p; p++) {
		if ((guchar)*p < 0x20)
			g_string_append_printf(s, "\\u%04x", (guchar)*p);
		else
			g_string_append_c(s, *p);
	}
	return g_string_free(s, FALSE);
}

char *
cdr_report_to_json_string(const struct cdr_report *r)
{
	g_autoptr(JsonNode) node = cdr_report_to_json(r);
	return cdr_json_to_string(node);
}

static gboolean
bad(GError **error, const char *what)
{
	g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "malformed report: %s", what);
	return FALSE;
}

static char *
opt_string(JsonObject *o, const char *key)
{
	JsonNode *n = json_object_get_member(o, key);
	if (!n || json_node_get_value_type(n) != G_TYPE_STRING)
		return NULL;
	return g_strdup(json_node_get_string(n));
}

static gint64
opt_int(JsonObject *o, const char *key)
{
	JsonNode *n = json_object_get_member(o, key);
	return n && JSON_NODE_HOLDS_VALUE(n) ? json_node_get_int(n) : 0;
}

static gboolean
parse(JsonNode *node, struct cdr_report *r, unsigned depth, GError **error)
{
	if (depth > 64)
		return bad(error, "nested too deeply");
	if (!JSON_NODE_HOLDS_OBJECT(node))
		return bad(error, "not an object");
	JsonObject *o = json_node_get_object(node);
	g_autofree char *verdict = opt_string(o, "verdict");
	if (!cdr_verdict_from_name(verdict, &r->verdict))
		return bad(error, "unknown verdict");
	if (r->verdict == CDR_BLOCKED) {
		g_autofree char *err = opt_string(o, "error");
		if (!cdr_error_from_name(err, &r->error))
			return bad(error, "unknown error kind");
		r->reason = opt_string(o, "reason");
		if (r->error == CDR_E_MALWARE &&
		    !cdr_signature_valid(r->malware = opt_string(o, "malware")))
			return bad(error, "malware without a valid signature name");
	}
	r->name = opt_string(o, "name");
	r->detected = opt_string(o, "detected");
	r->handler = opt_string(o, "handler");
	r->handler_type = opt_string(o, "handler_type");
	r->out_name = opt_string(o, "out_name");
	r->out_type = opt_string(o, "out_type");
	r->subject = opt_string(o, "subject");
	r->message_id = opt_string(o, "message_id");
	r->from = opt_string(o, "from");
	r->from_address = opt_string(o, "from_address");
	r->size_in = (guint64)MAX(opt_int(o, "size_in"), 0);
	r->size_out = (guint64)MAX(opt_int(o, "size_out"), 0);
	JsonNode *el = json_object_get_member(o, "elapsed");
	double elapsed = el && JSON_NODE_HOLDS_VALUE(el) ? json_node_get_double(el) : 0;
	/* a worker's number, later cast to an integer: NaN, huge or negative is 0 */
	r->elapsed = elapsed >= 0 && elapsed < 1e9 ? elapsed : 0;

	JsonNode *an = json_object_get_member(o, "actions");
	if (an && JSON_NODE_HOLDS_ARRAY(an)) {
		JsonArray *arr = json_node_get_array(an);
		for (guint i = 0; i < json_array_get_length(arr); i++) {
			JsonNode *e = json_array_get_element(arr, i);
			if (!JSON_NODE_HOLDS_OBJECT(e))
				return bad(error, "action is not an object");
			JsonObject *ao = json_node_get_object(e);
			g_autofree char *what = opt_string(ao, "what");
			g_autofree char *where = opt_string(ao, "where");
			if (!what)
				return bad(error, "action without a name");
			cdr_report_add_action(r, what, where, (unsigned)opt_int(ao, "count"));
		}
	}
	JsonNode *cn = json_object_get_member(o, "children");
	if (cn && JSON_NODE_HOLDS_ARRAY(cn)) {
		JsonArray *arr = json_node_get_array(cn);
		for (guint i = 0; i < json_array_get_length(arr); i++) {
			struct cdr_report *child = cdr_report_new(NULL);
			g_ptr_array_add(r->children, child);
			if (!parse(json_array_get_element(arr, i), child, depth + 1, error))
				return FALSE;
		}
	}
	return TRUE;
}

struct cdr_report *
cdr_report_from_json(JsonNode *node, GError **error)
{
	g_autoptr(cdr_report) r = cdr_report_new(NULL);
	if (!parse(node, r, 0, error))
		return NULL;
	return g_steal_pointer(&r);
}

struct cdr_report *
cdr_report_from_json_string(const char *json, gsize len, GError **error)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	if (!json_parser_load_from_data(parser, json, (gssize)len, error))
		return NULL;
	return cdr_report_from_json(json_parser_get_root(parser), error);
}

static void
count_actions(const struct cdr_report *r, GHashTable *counts, GPtrArray *order)
{
	for (guint i = 0; i < r->actions->len; i++) {
		const struct cdr_action *a = r->actions->pdata[i];
		gpointer old;
		if (!g_hash_table_lookup_extended(counts, a->what, NULL, &old)) {
			g_ptr_array_add(order, a->what);
			old = GUINT_TO_POINTER(0);
		}
		g_hash_table_insert(counts, a->what, GUINT_TO_POINTER(GPOINTER_TO_UINT(old) + a->count));
	}
	for (guint i = 0; i < r->children->len; i++)
		count_actions(r->children->pdata[i], counts, order);
}

char *
cdr_report_action_summary(const struct cdr_report *r)
{
	g_autoptr(GHashTable) counts = g_hash_table_new(g_str_hash, g_str_equal);
	g_autoptr(GPtrArray) order = g_ptr_array_new();
	GString *s = g_string_new(NULL);

	count_actions(r, counts, order);
	for (guint i = 0; i < order->len; i++)
		g_string_append_printf(s, "%s%u %s", i ? ", " : "",
				       GPOINTER_TO_UINT(g_hash_table_lookup(counts, order->pdata[i])),
				       (const char *)order->pdata[i]);
	return g_string_free(s, FALSE);
}
