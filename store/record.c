/*
 * NAME
 *	record.c - a stored message's facts from cdr-milter's audit record
 * SUMMARY
 *	store_message_from_record() reads the JSON record the milter writes
 *	to its audit log (and wrote to ID.json in the old directory
 *	quarantine) into a struct store_message: the index columns, the
 *	recipients, the attachments, and whether the message may be released.
 * DESCRIPTION
 *	The record may come from an old quarantine directory that anyone with
 *	the milter's rights could have edited, so it is read as untrusted
 *	JSON (tests/fuzz/fuzz-store-record.c): members of the wrong type are
 *	ignored, never trusted, and names are read in any ASCII case; the report tree is walked at most 64 levels
 *	deep, and a deeper one makes the message not releasable (its parts
 *	could not all be judged). What decides release fails closed: any
 *	malware name (the record's list, or a part blocked as malware) or a
 *	message blocked whole as dangerous makes it not releasable.
 */
#include <json-glib/json-glib.h>
#include <string.h>

#include "store-private.h"

#define MAX_DEPTH 64

char *
store_json_string_list(const char *const *items)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	json_builder_begin_array(b);
	for (; items && *items; items++)
		json_builder_add_string_value(b, *items);
	json_builder_end_array(b);
	g_autoptr(JsonNode) root = json_builder_get_root(b);
	return json_to_string(root, FALSE);
}

static void
recipient_free(struct store_recipient *r)
{
	g_free(r->address);
	g_free(r->mode);
	g_free(r);
}

static void
attachment_free(struct store_attachment *a)
{
	g_free(a->name);
	g_free(a->detected);
	g_free(a->verdict);
	g_free(a->error);
	g_free(a->removed);
	g_free(a);
}

struct store_message *
store_message_new(void)
{
	struct store_message *m = g_new0(struct store_message, 1);
	m->recipients = g_ptr_array_new_with_free_func((GDestroyNotify)recipient_free);
	m->attachments = g_ptr_array_new_with_free_func((GDestroyNotify)attachment_free);
	return m;
}

void
store_message_free(struct store_message *m)
{
	if (!m)
		return;
	g_free(m->id);
	g_free(m->sha256);
	g_free(m->release);
	g_free(m->ppap);
	g_free(m->ppap_reason);
	g_free(m->sender);
	g_ptr_array_unref(m->recipients);
	g_free(m->header_from);
	g_free(m->from_address);
	g_free(m->subject);
	g_free(m->message_id);
	g_free(m->action);
	g_free(m->reason);
	g_free(m->mode);
	g_free(m->verdict);
	g_free(m->error);
	g_free(m->av);
	g_free(m->malware);
	g_free(m->not_releasable);
	g_ptr_array_unref(m->attachments);
	g_free(m->record);
	g_free(m);
}

/* A string member, copied; NULL when absent or not a string. */
static char *
string_member(JsonObject *o, const char *key)
{
	JsonNode *n = o ? json_object_get_member(o, key) : NULL;
	if (!n || json_node_get_value_type(n) != G_TYPE_STRING)
		return NULL;
	return g_strdup(json_node_get_string(n));
}

static guint64
size_member(JsonObject *o, const char *key)
{
	JsonNode *n = o ? json_object_get_member(o, key) : NULL;
	if (!n || json_node_get_value_type(n) != G_TYPE_INT64)
		return 0;
	gint64 v = json_node_get_int(n);
	return v > 0 ? (guint64)v : 0;
}

static JsonObject *
object_member(JsonObject *o, const char *key)
{
	JsonNode *n = o ? json_object_get_member(o, key) : NULL;
	return n && JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
}

static JsonArray *
array_member(JsonObject *o, const char *key)
{
	JsonNode *n = o ? json_object_get_member(o, key) : NULL;
	return n && JSON_NODE_HOLDS_ARRAY(n) ? json_node_get_array(n) : NULL;
}

static JsonObject *
object_element(JsonArray *a, guint i)
{
	JsonNode *n = json_array_get_element(a, i);
	return n && JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
}

static const char *
string_element(JsonArray *a, guint i)
{
	JsonNode *n = json_array_get_element(a, i);
	return n && json_node_get_value_type(n) == G_TYPE_STRING ? json_node_get_string(n) : NULL;
}

/* What a report subtree found, for an attachment and for the message. */
struct findings {
	gboolean encrypted;
	gboolean too_deep;
	GPtrArray *malware; /* char* (borrowed from the JSON) */
	GHashTable *removed; /* action name -> count (GUINT_TO_POINTER) */
	GPtrArray *order;    /* action names in first-seen order (borrowed) */
};

static void
findings_init(struct findings *f)
{
	memset(f, 0, sizeof(*f));
	f->malware = g_ptr_array_new();
	f->removed = g_hash_table_new(g_str_hash, g_str_equal);
	f->order = g_ptr_array_new();
}

static void
findings_clear(struct findings *f)
{
	g_ptr_array_unref(f->malware);
	g_hash_table_unref(f->removed);
	g_ptr_array_unref(f->order);
}

static void
add_malware(GPtrArray *names, const char *name)
{
	if (name && *name && !g_ptr_array_find_with_equal_func(names, name, g_str_equal, NULL))
		g_ptr_array_add(names, (gpointer)name);
}

static void
walk(JsonObject *node, unsigned depth, struct findings *f)
{
	if (depth > MAX_DEPTH) {
		f->too_deep = TRUE;
		return;
	}
	JsonNode *err = json_object_get_member(node, "error");
	const char *error = err && json_node_get_value_type(err) == G_TYPE_STRING
				    ? json_node_get_string(err)
				    : NULL;
	if (error && g_ascii_strcasecmp(error, "encrypted") == 0)
		f->encrypted = TRUE;
	if (error && g_ascii_strcasecmp(error, "malware") == 0) {
		JsonNode *m = json_object_get_member(node, "malware");
		const char *name = m && json_node_get_value_type(m) == G_TYPE_STRING
					   ? json_node_get_string(m)
					   : NULL;
		add_malware(f->malware, name ? name : "(unnamed)");
	}
	JsonArray *actions = array_member(node, "actions");
	for (guint i = 0; actions && i < json_array_get_length(actions); i++) {
		JsonObject *a = object_element(actions, i);
		JsonNode *w = a ? json_object_get_member(a, "what") : NULL;
		if (!w || json_node_get_value_type(w) != G_TYPE_STRING)
			continue;
		const char *what = json_node_get_string(w);
		guint64 count = MAX(size_member(a, "count"), 1);
		gpointer old = g_hash_table_lookup(f->removed, what);
		if (!old)
			g_ptr_array_add(f->order, (gpointer)what);
		guint64 sum = MIN(GPOINTER_TO_SIZE(old) + count, (guint64)G_MAXUINT32);
		g_hash_table_insert(f->removed, (gpointer)what, GSIZE_TO_POINTER(sum));
	}
	JsonArray *children = array_member(node, "children");
	for (guint i = 0; children && i < json_array_get_length(children); i++) {
		JsonObject *c = object_element(children, i);
		if (c)
			walk(c, depth + 1, f);
	}
}

/* "2 macro, 1 external-link"; NULL when nothing was removed. */
static char *
removed_summary(const struct findings *f)
{
	if (!f->order->len)
		return NULL;
	GString *s = g_string_new(NULL);
	for (guint i = 0; i < f->order->len; i++) {
		const char *what = f->order->pdata[i];
		g_string_append_printf(s, "%s%" G_GSIZE_FORMAT " %s", i ? ", " : "",
				       GPOINTER_TO_SIZE(g_hash_table_lookup(f->removed, what)),
				       what);
	}
	return g_string_free(s, FALSE);
}

static struct store_attachment *
attachment_from_child(JsonObject *child)
{
	struct store_attachment *a = g_new0(struct store_attachment, 1);
	a->name = string_member(child, "name");
	a->detected = string_member(child, "detected");
	a->size = size_member(child, "size_in");
	a->verdict = string_member(child, "verdict");
	if (g_strcmp0(a->verdict, "blocked") == 0)
		a->error = string_member(child, "error");
	struct findings f;
	findings_init(&f);
	walk(child, 1, &f);
	a->encrypted = f.encrypted;
	a->removed = removed_summary(&f);
	if (!a->removed && a->error)
		a->removed = g_strdup("attachment"); /* blocked: the whole part is gone */
	findings_clear(&f);
	return a;
}

/* The parts the mail handler took out: the report's children, or in
 * text mode (no children) the names its "attachment" actions give. */
static void
read_attachments(JsonObject *report, struct store_message *m)
{
	JsonArray *children = array_member(report, "children");
	guint n = children ? json_array_get_length(children) : 0;
	for (guint i = 0; i < n; i++) {
		JsonObject *c = object_element(children, i);
		if (c)
			g_ptr_array_add(m->attachments, attachment_from_child(c));
	}
	if (n)
		return;
	JsonArray *actions = array_member(report, "actions");
	for (guint i = 0; actions && i < json_array_get_length(actions); i++) {
		JsonObject *a = object_element(actions, i);
		g_autofree char *what = string_member(a, "what");
		if (g_strcmp0(what, "attachment") != 0)
			continue;
		struct store_attachment *att = g_new0(struct store_attachment, 1);
		att->name = string_member(a, "where");
		att->removed = g_strdup("attachment");
		g_ptr_array_add(m->attachments, att);
	}
}

/* The record's own list (the whole message's first), then what the
 * report tree names; ", "-joined, NULL when none. */
static char *
joined_malware(JsonObject *o, GPtrArray *tree)
{
	g_autoptr(GPtrArray) names = g_ptr_array_new();
	JsonArray *list = array_member(o, "malware");
	for (guint i = 0; list && i < json_array_get_length(list); i++)
		add_malware(names, string_element(list, i));
	JsonNode *one = json_object_get_member(o, "malware");
	if (one && json_node_get_value_type(one) == G_TYPE_STRING)
		add_malware(names, json_node_get_string(one));
	for (guint i = 0; i < tree->len; i++)
		add_malware(names, tree->pdata[i]);
	if (!names->len)
		return NULL;
	GString *s = g_string_new(NULL);
	for (guint i = 0; i < names->len; i++)
		g_string_append_printf(s, "%s%s", i ? ", " : "", (const char *)names->pdata[i]);
	return g_string_free(s, FALSE);
}

static void
judge_release(struct store_message *m, const struct findings *f)
{
	m->releasable = FALSE;
	if (m->malware)
		m->not_releasable = g_strdup_printf("malware: %s", m->malware);
	else if (m->verdict && g_ascii_strcasecmp(m->verdict, "blocked") == 0 && m->error &&
		 g_ascii_strncasecmp(m->error, "dangerous", 9) == 0) /* dangerous-content, -name */
		m->not_releasable = g_strdup("blocked as a whole as dangerous");
	else if (f->too_deep)
		m->not_releasable = g_strdup("the report is nested too deeply to judge every part");
	else
		m->releasable = TRUE;
}

struct store_message *
store_message_from_record(const char *json, gsize len, GError **error)
{
	g_autoptr(JsonParser) parser = json_parser_new_immutable();
	if (len > G_MAXSSIZE || !json_parser_load_from_data(parser, json, (gssize)len, error))
		return NULL;
	JsonNode *root = json_parser_get_root(parser);
	if (!root || !JSON_NODE_HOLDS_OBJECT(root)) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_INVALID, "the record is not a JSON object");
		return NULL;
	}
	JsonObject *o = json_node_get_object(root);
	struct store_message *m = store_message_new();
	m->sender = string_member(o, "sender");
	m->action = string_member(o, "action");
	m->reason = string_member(o, "reason");
	m->mode = string_member(o, "mode");
	m->message_id = string_member(o, "message_id");
	m->subject = string_member(o, "subject");
	m->av = string_member(o, "av");
	m->sha256 = string_member(o, "sha256");
	JsonArray *rcpts = array_member(o, "recipients");
	for (guint i = 0; rcpts && i < json_array_get_length(rcpts); i++) {
		const char *addr = string_element(rcpts, i);
		if (!addr)
			continue;
		struct store_recipient *r = g_new0(struct store_recipient, 1);
		r->address = g_strdup(addr);
		r->mode = g_strdup(m->mode ? m->mode : "text");
		g_ptr_array_add(m->recipients, r);
	}
	JsonObject *report = object_member(o, "report");
	struct findings f;
	findings_init(&f);
	if (report) {
		m->verdict = string_member(report, "verdict");
		if (m->verdict && g_ascii_strcasecmp(m->verdict, "blocked") == 0)
			m->error = string_member(report, "error");
		m->header_from = string_member(report, "from");
		m->from_address = string_member(report, "from_address");
		if (!m->subject)
			m->subject = string_member(report, "subject");
		read_attachments(report, m);
		walk(report, 0, &f); /* encryption, malware and depth anywhere */
	}
	m->malware = joined_malware(o, f.malware);
	m->encrypted = f.encrypted;
	judge_release(m, &f);
	m->ppap_wait = m->encrypted && !m->malware && g_strcmp0(m->action, "delivered") == 0;
	/* the passwords its own text gave that opened nothing: tries spent */
	m->ppap_tries = GPOINTER_TO_UINT(g_hash_table_lookup(f.removed, "wrong-password"));
	findings_clear(&f);
	m->record = g_strndup(json, len);
	return m;
}
