/*
 * NAME
 *	quarantine-output.c - tables and JSON of stored messages
 * SUMMARY
 *	See quarantine-output.h. JSON is written with cdr_json_to_string(),
 *	which escapes every control character, so the JSON lines stay one
 *	line each whatever a subject holds.
 */
#include "quarantine-output.h"

#include <stdio.h>
#include <string.h>

#include "report.h"

/* A value for one line of a terminal: control characters (escapes, line
 * breaks) and DEL become spaces; NULL is "-". */
static char *
printable(const char *value)
{
	char *p = g_strdup(value ? value : "-");
	for (char *c = p; *c; c++)
		if ((guchar)*c < 0x20 || *c == 0x7f)
			*c = ' ';
	return p;
}

char *
qout_local_time(gint64 t)
{
	g_autoptr(GDateTime) d = g_date_time_new_from_unix_local(t);
	return d ? g_date_time_format(d, "%Y-%m-%d %H:%M:%S") : g_strdup("-");
}

static char *
utc_time(gint64 t)
{
	g_autoptr(GDateTime) d = g_date_time_new_from_unix_utc(t);
	return d ? g_date_time_format(d, "%Y-%m-%dT%H:%M:%SZ") : NULL;
}

/* E: holds an encrypted attachment; M: malware; N: not releasable;
 * F: its PPAP follow-up failed (see show); U: its latest release may
 * have been delivered (uncertain, see show). */
static char *
flags(const struct store_message *m)
{
	GString *f = g_string_new(NULL);
	if (m->encrypted)
		g_string_append_c(f, 'E');
	if (m->malware)
		g_string_append_c(f, 'M');
	if (!m->releasable)
		g_string_append_c(f, 'N');
	if (g_strcmp0(m->ppap, "failed") == 0)
		g_string_append_c(f, 'F');
	if (g_strcmp0(m->release, "uncertain") == 0)
		g_string_append_c(f, 'U');
	if (!f->len)
		g_string_append_c(f, '-');
	return g_string_free(f, FALSE);
}

void
qout_table_header(void)
{
	printf("%-28s  %-19s  %-10s  %10s  %-5s  %-30s  %s\n", "ID", "ARRIVED", "ACTION", "SIZE",
	       "FLAGS", "SENDER", "SUBJECT");
}

void
qout_table_row(const struct store_message *m)
{
	g_autofree char *when = qout_local_time(m->time);
	g_autofree char *action = printable(m->action);
	g_autofree char *sender = printable(m->sender && *m->sender ? m->sender : "<>");
	g_autofree char *subject = printable(m->subject);
	g_autofree char *f = flags(m);
	g_autofree char *malware = m->malware ? printable(m->malware) : NULL;
	gboolean failed = g_strcmp0(m->ppap, "failed") == 0;
	gboolean uncertain = g_strcmp0(m->release, "uncertain") == 0;
	printf("%-28s  %-19s  %-10s  %10" G_GUINT64_FORMAT "  %-5s  %-30s  %s%s%s%s%s%s\n", m->id,
	       when, action, m->size, f, sender, subject, malware ? "  [malware: " : "",
	       malware ? malware : "", malware ? "]" : "",
	       failed ? "  [PPAP follow-up failed: see show]" : "",
	       uncertain ? "  [release may have been delivered: check the LGWAN mail server's "
			   "log for its Message-ID (see show) before releasing again]"
			 : "");
}

static void
add_string(JsonBuilder *b, const char *key, const char *value)
{
	json_builder_set_member_name(b, key);
	if (value)
		json_builder_add_string_value(b, value);
	else
		json_builder_add_null_value(b);
}

static void
add_int(JsonBuilder *b, const char *key, gint64 value)
{
	json_builder_set_member_name(b, key);
	json_builder_add_int_value(b, value);
}

static void
add_bool(JsonBuilder *b, const char *key, gboolean value)
{
	json_builder_set_member_name(b, key);
	json_builder_add_boolean_value(b, value);
}

static void
add_time(JsonBuilder *b, const char *key, gint64 t)
{
	g_autofree char *text = t ? utc_time(t) : NULL;
	add_string(b, key, text);
}

static void
add_attachments(JsonBuilder *b, GPtrArray *attachments)
{
	json_builder_set_member_name(b, "attachments");
	json_builder_begin_array(b);
	for (guint i = 0; i < attachments->len; i++) {
		const struct store_attachment *a = attachments->pdata[i];
		json_builder_begin_object(b);
		add_string(b, "name", a->name);
		add_string(b, "detected", a->detected);
		add_int(b, "size", (gint64)a->size);
		add_bool(b, "encrypted", a->encrypted);
		add_string(b, "verdict", a->verdict);
		add_string(b, "error", a->error);
		add_string(b, "removed", a->removed);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
}

/* The record as JSON, or null when it does not parse. */
static JsonNode *
record_node(const char *record)
{
	g_autoptr(JsonParser) p = json_parser_new();
	if (!record || !json_parser_load_from_data(p, record, -1, NULL))
		return json_node_new(JSON_NODE_NULL);
	return json_node_copy(json_parser_get_root(p));
}

JsonNode *
qout_message_json(const struct store_message *m, gboolean record)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	json_builder_begin_object(b);
	add_string(b, "id", m->id);
	add_time(b, "time", m->time);
	add_string(b, "sender", m->sender);
	json_builder_set_member_name(b, "recipients");
	json_builder_begin_array(b);
	for (guint i = 0; i < m->recipients->len; i++) {
		const struct store_recipient *r = m->recipients->pdata[i];
		json_builder_begin_object(b);
		add_string(b, "address", r->address);
		add_string(b, "mode", r->mode);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	add_string(b, "from", m->header_from);
	add_string(b, "from_address", m->from_address);
	add_string(b, "subject", m->subject);
	add_string(b, "message_id", m->message_id);
	add_int(b, "size", (gint64)m->size);
	add_string(b, "sha256", m->sha256);
	add_string(b, "action", m->action);
	add_string(b, "reason", m->reason);
	add_string(b, "mode", m->mode);
	add_string(b, "verdict", m->verdict);
	add_string(b, "error", m->error);
	add_string(b, "av", m->av);
	add_string(b, "malware", m->malware);
	add_bool(b, "encrypted", m->encrypted);
	add_bool(b, "releasable", m->releasable);
	add_string(b, "not_releasable", m->not_releasable);
	add_string(b, "release", m->release);
	add_string(b, "ppap", m->ppap);
	add_string(b, "ppap_reason", m->ppap_reason);
	add_attachments(b, m->attachments);
	if (record) {
		json_builder_set_member_name(b, "record");
		json_builder_add_value(b, record_node(m->record));
	}
	json_builder_end_object(b);
	return json_builder_get_root(b);
}

void
qout_json_line(JsonNode *node)
{
	g_autofree char *text = cdr_json_to_string(node);
	printf("%s\n", text);
}

static JsonNode *
releases_json(GPtrArray *releases)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	json_builder_begin_array(b);
	for (guint i = 0; releases && i < releases->len; i++) {
		const struct store_release *r = releases->pdata[i];
		json_builder_begin_object(b);
		add_int(b, "number", r->number);
		add_string(b, "state", store_release_state_name(r->state));
		json_builder_set_member_name(b, "recipients");
		json_builder_begin_array(b);
		for (guint j = 0; j < r->recipients->len; j++)
			json_builder_add_string_value(b, r->recipients->pdata[j]);
		json_builder_end_array(b);
		add_string(b, "requested_by", r->requested_by);
		add_string(b, "origin", r->origin);
		add_time(b, "requested_at", r->requested_at);
		add_string(b, "decided_by", r->decided_by);
		add_time(b, "decided_at", r->decided_at);
		add_time(b, "finished_at", r->finished_at);
		add_string(b, "delivered", r->delivered);
		add_string(b, "delivered_id", r->delivered_id);
		add_string(b, "reason", r->reason);
		add_bool(b, "uncertain", store_release_uncertain(r)); /* may have gone out */
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	return json_builder_get_root(b);
}

static JsonNode *
events_json(GPtrArray *events)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	json_builder_begin_array(b);
	for (guint i = 0; events && i < events->len; i++) {
		const struct store_event *e = events->pdata[i];
		json_builder_begin_object(b);
		add_time(b, "time", e->time);
		add_string(b, "what", e->what);
		add_string(b, "by", e->by);
		add_string(b, "origin", e->origin);
		json_builder_set_member_name(b, "detail");
		json_builder_add_value(b, record_node(e->detail));
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	return json_builder_get_root(b);
}

void
qout_show_json(const struct store_message *m, GPtrArray *releases, GPtrArray *events)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "message");
	json_builder_add_value(b, qout_message_json(m, FALSE));
	json_builder_set_member_name(b, "record");
	json_builder_add_value(b, record_node(m->record));
	json_builder_set_member_name(b, "releases");
	json_builder_add_value(b, releases_json(releases));
	json_builder_set_member_name(b, "events");
	json_builder_add_value(b, events_json(events));
	json_builder_end_object(b);
	g_autoptr(JsonNode) root = json_builder_get_root(b);
	g_autoptr(JsonGenerator) gen = json_generator_new();
	json_generator_set_pretty(gen, TRUE);
	json_generator_set_root(gen, root);
	g_autofree char *text = json_generator_to_data(gen, NULL);
	printf("%s\n", text);
}

/* "label:       value", the value made printable. */
static void
field(const char *label, const char *value)
{
	g_autofree char *v = printable(value);
	printf("%-15s %s\n", label, v);
}

static void
show_attachments(GPtrArray *attachments)
{
	if (!attachments->len)
		return;
	printf("attachments:\n");
	for (guint i = 0; i < attachments->len; i++) {
		const struct store_attachment *a = attachments->pdata[i];
		g_autofree char *name = printable(a->name);
		g_autofree char *type = printable(a->detected);
		g_autofree char *verdict = printable(a->verdict ? a->verdict : "not examined");
		g_autofree char *removed = a->removed ? printable(a->removed) : NULL;
		printf("  %u. %s  %s  %" G_GUINT64_FORMAT " bytes  %s%s%s%s%s%s\n", i + 1, name, type,
		       a->size, verdict, a->error ? " (" : "", a->error ? a->error : "",
		       a->error ? ")" : "", removed ? "  removed: " : "", removed ? removed : "");
		if (a->encrypted)
			printf("     password-protected\n");
	}
}

/* "a, b, c" for a GPtrArray of char*. */
static char *
joined(GPtrArray *items)
{
	GString *s = g_string_new(NULL);
	for (guint i = 0; items && i < items->len; i++)
		g_string_append_printf(s, "%s%s", i ? ", " : "", (const char *)items->pdata[i]);
	return g_string_free(s, FALSE);
}

static void
show_releases(GPtrArray *releases)
{
	for (guint i = 0; releases && i < releases->len; i++) {
		const struct store_release *r = releases->pdata[i];
		g_autofree char *when = qout_local_time(r->requested_at);
		g_autofree char *by = printable(r->requested_by);
		g_autofree char *list = joined(r->recipients);
		g_autofree char *to = printable(list);
		printf("release %" G_GINT64_FORMAT ": %s, to %s, asked by %s at %s", r->number,
		       store_release_uncertain(r) ? "uncertain" : store_release_state_name(r->state),
		       to, by, when);
		if (r->reason) {
			g_autofree char *why = printable(r->reason);
			printf(" (%s)", why);
		}
		printf("\n");
	}
}

static void
show_events(GPtrArray *events)
{
	for (guint i = 0; events && i < events->len; i++) {
		const struct store_event *e = events->pdata[i];
		g_autofree char *when = qout_local_time(e->time);
		g_autofree char *what = printable(e->what);
		g_autofree char *by = printable(e->by);
		g_autofree char *origin = printable(e->origin);
		printf("event: %s %s by %s from %s\n", when, what, by, origin);
	}
}

void
qout_show(const struct store_message *m, GPtrArray *releases, GPtrArray *events)
{
	g_autofree char *when = qout_local_time(m->time);
	g_autofree char *size = g_strdup_printf("%" G_GUINT64_FORMAT " bytes", m->size);
	GString *rcpts = g_string_new(NULL);
	for (guint i = 0; i < m->recipients->len; i++) {
		const struct store_recipient *r = m->recipients->pdata[i];
		g_string_append_printf(rcpts, "%s%s (%s)", i ? ", " : "", r->address, r->mode);
	}
	field("id:", m->id);
	field("arrived:", when);
	field("sender:", m->sender && *m->sender ? m->sender : "<>");
	field("recipients:", rcpts->str);
	g_string_free(rcpts, TRUE);
	field("from:", m->header_from);
	field("subject:", m->subject);
	field("message-id:", m->message_id);
	field("size:", size);
	field("sha256:", m->sha256);
	field("action:", m->action);
	if (m->reason)
		field("reason:", m->reason);
	field("mode:", m->mode);
	field("verdict:", m->verdict);
	if (m->error)
		field("error:", m->error);
	field("av:", m->av ? m->av : "not scanned");
	if (m->malware)
		field("malware:", m->malware);
	field("encrypted:", m->encrypted ? "yes: holds a password-protected attachment" : "no");
	g_autofree char *release = m->releasable ? g_strdup("yes")
						 : g_strdup_printf("no: %s", m->not_releasable);
	field("releasable:", release);
	if (m->ppap) {
		g_autofree char *ppap = m->ppap_reason
						? g_strdup_printf("%s: %s", m->ppap, m->ppap_reason)
						: g_strdup(m->ppap);
		field("ppap:", ppap);
	}
	show_attachments(m->attachments);
	show_releases(releases);
	show_events(events);
}
