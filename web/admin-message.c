/*
 * NAME
 *	admin-message.c - GET /admin/message/ID: one message's full report
 * SUMMARY
 *	What the gateway knows of one quarantined message: the envelope and
 *	headers, its verdict and action, #report with one li.removal per
 *	thing taken out or blocked (what, where in the message, why), the
 *	attachments table as the staff page has it (table#attachments
 *	tr.attachment: td.att-name, td.att-action, td.att-reason), its
 *	releases (table#releases) and its events (table#events). Viewing it
 *	is an event ("web-admin-view") with the administrator and the address.
 * DESCRIPTION
 *	The removals are read from the stored record (cdr-milter's audit
 *	record, JSON) by walking its report tree: each node's actions and
 *	each blocked node's error and reason, named by the path of part
 *	names that leads to it ("会議.zip › 報告.docx"). The record is
 *	untrusted text (it may come from an old directory quarantine):
 *	members of the wrong type are skipped, the walk stops at
 *	MAX_DEPTH, and a record that is not JSON says so on the page
 *	instead of the list. Every value goes through the template's
 *	escape.
 */
#include <json-glib/json-glib.h>

#include "admin-pages.h"
#include "events.h"
#include "router.h"

#define MAX_DEPTH 64
#define MAX_REMOVALS 1000
#define EVENTS_SHOWN 200

static const char *
member_text(JsonObject *o, const char *name)
{
	JsonNode *n = o ? json_object_get_member(o, name) : NULL;
	return n && json_node_get_value_type(n) == G_TYPE_STRING ? json_node_get_string(n) : NULL;
}

static gint64
member_int(JsonObject *o, const char *name)
{
	JsonNode *n = o ? json_object_get_member(o, name) : NULL;
	return n && json_node_get_value_type(n) == G_TYPE_INT64 ? json_node_get_int(n) : 0;
}

static JsonArray *
member_array(JsonObject *o, const char *name)
{
	JsonNode *n = o ? json_object_get_member(o, name) : NULL;
	return n && JSON_NODE_HOLDS_ARRAY(n) ? json_node_get_array(n) : NULL;
}

struct removals {
	struct web_request *rq;
	struct web_vars *v;
	guint count;
};

static void
add_removal(struct removals *r, const char *kind, const char *what, const char *where,
	    const char *why)
{
	if (r->count++ >= MAX_REMOVALS)
		return;
	struct web_vars *row = web_vars_row(r->v, "removals");
	web_vars_text(row, "kind", kind);
	web_vars_text(row, "what", what);
	web_vars_text(row, "where", where);
	web_vars_text(row, "why", why);
}

/* One node of the report: its blocking, its actions, then its children
 * with `path` (the part names down to it, " › "-joined; "" at the top). */
static void
walk_report(struct removals *r, JsonObject *node, const char *path, unsigned depth)
{
	struct web_request *rq = r->rq;
	if (depth > MAX_DEPTH) {
		add_removal(r, "blocked", "nested-too-deep", path,
			    WEB_T(rq, "入れ子が深すぎて表示を打ち切りました",
				  "nested too deeply: the list stops here"));
		return;
	}
	if (g_strcmp0(member_text(node, "verdict"), "blocked") == 0) {
		const char *error = member_text(node, "error");
		const char *reason = member_text(node, "reason");
		const char *malware = member_text(node, "malware");
		g_autofree char *why = malware ? g_strdup_printf("%s%s%s", reason ? reason : "",
								  reason ? ": " : "", malware)
					       : g_strdup(reason);
		add_removal(r, "blocked", error ? error : "blocked", path, why);
	}
	JsonArray *actions = member_array(node, "actions");
	for (guint i = 0; actions && i < json_array_get_length(actions); i++) {
		JsonNode *a = json_array_get_element(actions, i);
		JsonObject *o = JSON_NODE_HOLDS_OBJECT(a) ? json_node_get_object(a) : NULL;
		const char *what = member_text(o, "what");
		if (!what)
			continue;
		const char *where = member_text(o, "where");
		g_autofree char *place = where && *path ? g_strdup_printf("%s › %s", path, where)
							: g_strdup(where ? where : path);
		g_autofree char *count = g_strdup_printf("%s %" G_GINT64_FORMAT,
							 WEB_T(rq, "件数", "count"),
							 MAX(member_int(o, "count"), 1));
		add_removal(r, "removed", what, place, count);
	}
	JsonArray *children = member_array(node, "children");
	for (guint i = 0; children && i < json_array_get_length(children); i++) {
		JsonNode *c = json_array_get_element(children, i);
		if (!JSON_NODE_HOLDS_OBJECT(c))
			continue;
		JsonObject *child = json_node_get_object(c);
		const char *name = member_text(child, "name");
		g_autofree char *unnamed = g_strdup_printf(WEB_T(rq, "部分 %u", "part %u"), i + 1);
		g_autofree char *sub = *path ? g_strdup_printf("%s › %s", path, name ? name : unnamed)
					     : g_strdup(name ? name : unnamed);
		walk_report(r, child, sub, depth + 1);
	}
}

/* The message's own outcome, then the report's tree. FALSE when the
 * record is not a JSON object. */
static gboolean
add_removals(struct web_request *rq, struct web_vars *v, const struct store_message *m)
{
	struct removals r = { rq, v, 0 };
	web_vars_list(v, "removals");
	web_vars_flag(v, "removals_cut", FALSE);
	if (m->malware)
		add_removal(&r, "blocked", "malware", "", m->malware);
	if (m->action && g_strcmp0(m->action, "delivered") != 0)
		add_removal(&r, "blocked", m->action, "", m->reason);
	g_autoptr(JsonParser) parser = json_parser_new_immutable();
	if (!m->record || !json_parser_load_from_data(parser, m->record, -1, NULL))
		return FALSE;
	JsonNode *root = json_parser_get_root(parser);
	if (!root || !JSON_NODE_HOLDS_OBJECT(root))
		return FALSE;
	JsonNode *report = json_object_get_member(json_node_get_object(root), "report");
	if (report && JSON_NODE_HOLDS_OBJECT(report))
		walk_report(&r, json_node_get_object(report), "", 0);
	web_vars_flag(v, "removals_cut", r.count > MAX_REMOVALS);
	return TRUE;
}

static void
add_attachments(struct web_request *rq, struct web_vars *v, const struct store_message *m)
{
	web_vars_list(v, "attachments");
	for (guint i = 0; i < m->attachments->len; i++) {
		const struct store_attachment *a = m->attachments->pdata[i];
		struct web_vars *row = web_vars_row(v, "attachments");
		web_vars_printf(row, "index", "%u", i);
		admin_text_with_bidi(row, "name",
				     a->name ? a->name : WEB_T(rq, "(名前なし)", "(no name)"));
		web_vars_text(row, "detected", a->detected);
		web_vars_printf(row, "size", "%" G_GUINT64_FORMAT, a->size);
		web_vars_text(row, "action", a->verdict ? a->verdict : "removed");
		web_vars_text(row, "reason", a->error ? a->error : a->removed);
		web_vars_flag(row, "encrypted", a->encrypted);
	}
}

static gboolean
add_releases(struct web_request *rq, struct web_vars *v, const char *id, GError **error)
{
	g_autoptr(GPtrArray) releases = store_releases(rq->app->store, id, -1, error);
	if (!releases)
		return FALSE;
	web_vars_list(v, "releases");
	for (guint i = 0; i < releases->len; i++) {
		const struct store_release *r = releases->pdata[i];
		struct web_vars *row = web_vars_row(v, "releases");
		web_vars_printf(row, "number", "%" G_GINT64_FORMAT, r->number);
		web_vars_text(row, "state", store_release_state_name(r->state));
		g_autofree char *to = admin_join(r->recipients);
		web_vars_text(row, "recipients", to);
		web_vars_text(row, "requested_by", r->requested_by);
		g_autofree char *at = admin_time_text(r->requested_at);
		web_vars_text(row, "requested_at", at);
		web_vars_text(row, "decided_by", r->decided_by);
		web_vars_text(row, "reason", r->reason);
		web_vars_text(row, "delivered", r->delivered);
	}
	return TRUE;
}

static gboolean
add_events(struct web_request *rq, struct web_vars *v, const char *id, GError **error)
{
	g_autoptr(GPtrArray) events = store_events(rq->app->store, id, EVENTS_SHOWN, error);
	if (!events)
		return FALSE;
	web_vars_list(v, "events");
	for (guint i = events->len; i-- > 0;) {
		admin_event_vars(web_vars_row(v, "events"), events->pdata[i]);
	}
	return TRUE;
}

static void
add_facts(struct web_request *rq, struct web_vars *v, const struct store_message *m)
{
	web_vars_text(v, "id", m->id);
	g_autofree char *t = admin_time_text(m->time);
	web_vars_text(v, "date", t);
	admin_text_with_bidi(v, "sender", m->sender && *m->sender ? m->sender : "<>");
	admin_text_with_bidi(v, "header_from", m->header_from);
	admin_text_with_bidi(v, "subject", m->subject);
	web_vars_text(v, "message_id", m->message_id);
	GString *to = g_string_new(NULL);
	for (guint i = 0; i < m->recipients->len; i++) {
		const struct store_recipient *r = m->recipients->pdata[i];
		g_string_append_printf(to, "%s%s (%s)", i ? ", " : "", r->address, r->mode);
	}
	web_vars_text(v, "recipients", to->str);
	g_string_free(to, TRUE);
	web_vars_printf(v, "size", "%" G_GUINT64_FORMAT, m->size);
	web_vars_text(v, "action", m->action);
	web_vars_text(v, "reason", m->reason);
	web_vars_text(v, "mode", m->mode);
	web_vars_text(v, "verdict", m->verdict ? m->verdict : "-");
	web_vars_text(v, "error", m->error);
	web_vars_text(v, "av", m->av ? m->av : "-");
	web_vars_text(v, "malware", m->malware);
	web_vars_flag(v, "encrypted", m->encrypted);
	web_vars_text(v, "not_releasable",
		      m->releasable ? NULL
				    : (m->not_releasable ? m->not_releasable
							 : WEB_T(rq, "受け取り不可", "not releasable")));
	web_vars_text(v, "sha256", m->sha256);
}

static void
message_page(struct web_request *rq)
{
	const char *id = rq->args[0];
	g_autoptr(GError) error = NULL;
	g_autoptr(store_message) m = store_id_valid(id) ? store_get(rq->app->store, id, &error)
						       : NULL;
	if (!m && (!error || g_error_matches(error, STORE_ERROR, STORE_ERROR_NOT_FOUND))) {
		web_respond_error(rq, SOUP_STATUS_NOT_FOUND,
				  "そのメッセージは隔離ストアにありません（削除されたか、番号が違います）。",
				  "That message is not in the quarantine (purged, or a wrong id).");
		return;
	}
	struct web_vars *v = admin_page_vars(rq);
	if (m) {
		add_facts(rq, v, m);
		web_vars_flag(v, "record_unreadable", !add_removals(rq, v, m));
		add_attachments(rq, v, m);
	}
	if (!m || !add_releases(rq, v, id, &error) || !add_events(rq, v, id, &error)) {
		web_vars_free(v);
		admin_store_unavailable(rq, id, error);
		return;
	}
	web_audit(rq, id, "web-admin-view", rq->user, NULL);
	web_respond_page(rq, SOUP_STATUS_OK, "admin-message", v,
			 WEB_T(rq, "メッセージの処理報告", "Message report"), NULL, FALSE);
}

void
web_admin_message_routes(void)
{
	web_route_add("GET", "/admin/message/*", message_page, WEB_ROUTE_ADMIN);
}
