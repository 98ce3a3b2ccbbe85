/*
 * NAME
 *	release.c - release requests and their states
 * SUMMARY
 *	Each change of a release is an UPDATE guarded by the state it leaves
 *	(compare-and-set) and an event, in one job: two processes can never
 *	both move a release on, so a release is delivered at most once. A
 *	message that is not releasable (store_message.releasable: malware,
 *	or blocked whole as dangerous) gets no release at all. A claim
 *	(sending) names its session, as a PPAP claim does: what its death
 *	leaves is taken up by release-recover.c.
 */
#include <json-glib/json-glib.h>
#include <string.h>

#include "store-private.h"

static const char *const state_names[] = {
	[STORE_RELEASE_REQUESTED] = "requested", [STORE_RELEASE_APPROVED] = "approved",
	[STORE_RELEASE_DENIED] = "denied",	 [STORE_RELEASE_SENDING] = "sending",
	[STORE_RELEASE_DELIVERED] = "delivered", [STORE_RELEASE_FAILED] = "failed",
};

const char *
store_release_state_name(enum store_release_state state)
{
	return (unsigned)state < G_N_ELEMENTS(state_names) ? state_names[state] : "unknown";
}

static enum store_release_state
state_from_name(const char *name)
{
	for (unsigned i = 0; i < G_N_ELEMENTS(state_names); i++)
		if (g_strcmp0(name, state_names[i]) == 0)
			return i;
	return STORE_RELEASE_FAILED;
}

gboolean
store_release_uncertain(const struct store_release *r)
{
	return r->state == STORE_RELEASE_FAILED && r->reason &&
	       g_str_has_prefix(r->reason, STORE_RELEASE_UNCERTAIN);
}

void
store_release_free(struct store_release *r)
{
	if (!r)
		return;
	g_free(r->id);
	if (r->recipients)
		g_ptr_array_unref(r->recipients);
	g_free(r->requested_by);
	g_free(r->origin);
	g_free(r->decided_by);
	g_free(r->delivered);
	g_free(r->delivered_id);
	g_free(r->reason);
	g_free(r);
}

char *
release_event_detail(gint64 number, enum store_release_state state, ...)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "release");
	json_builder_add_int_value(b, number);
	json_builder_set_member_name(b, "state");
	json_builder_add_string_value(b, store_release_state_name(state));
	va_list ap;
	va_start(ap, state);
	for (const char *key; (key = va_arg(ap, const char *));) {
		const char *value = va_arg(ap, const char *);
		if (!value)
			continue;
		json_builder_set_member_name(b, key);
		json_builder_add_string_value(b, value);
	}
	va_end(ap);
	json_builder_end_object(b);
	g_autoptr(JsonNode) root = json_builder_get_root(b);
	return json_to_string(root, FALSE);
}

/* ---- request ---- */

struct request {
	const char *id;
	const char *const *recipients;
	const char *by, *origin;
	gboolean approved;
	gint64 number; /* out */
};

static gboolean
check_releasable(sqlite3 *db, const char *id, sqlite3_int64 *seq, GError **error)
{
	sqlite3_stmt *st = db_prepare(db, "SELECT seq, releasable, not_releasable FROM messages "
					  "WHERE id = ?1 AND state = 'stored'",
				      error);
	if (!st)
		return FALSE;
	db_bind_text(st, 1, id);
	int rc = sqlite3_step(st);
	gboolean ok = FALSE;
	if (rc == SQLITE_ROW && sqlite3_column_int(st, 1)) {
		*seq = sqlite3_column_int64(st, 0);
		ok = TRUE;
	} else if (rc == SQLITE_ROW) {
		const unsigned char *why = sqlite3_column_text(st, 2);
		g_set_error(error, STORE_ERROR, STORE_ERROR_NOT_RELEASABLE,
			    "%s cannot be released (%s); extract is for examination only", id,
			    why ? (const char *)why : "not releasable");
	} else if (rc == SQLITE_DONE) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_NOT_FOUND, "%s is not in the quarantine",
			    id);
	} else {
		db_error(db, error, "quarantine store");
	}
	db_done(st);
	return ok;
}

static gboolean
job_request(sqlite3 *db, gpointer data, GError **error)
{
	struct request *r = data;
	sqlite3_int64 seq = 0;
	if (!check_releasable(db, r->id, &seq, error))
		return FALSE;
	g_autofree char *to = store_json_string_list(r->recipients);
	gint64 now = store_now();
	enum store_release_state state = r->approved ? STORE_RELEASE_APPROVED
						     : STORE_RELEASE_REQUESTED;
	sqlite3_stmt *st = db_prepare(db,
				      "INSERT INTO releases (message, state, recipients, "
				      "requested_by, origin, requested_at, decided_by, decided_at) "
				      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
				      error);
	if (!st)
		return FALSE;
	sqlite3_bind_int64(st, 1, seq);
	db_bind_text(st, 2, store_release_state_name(state));
	db_bind_text(st, 3, to);
	db_bind_text(st, 4, r->by);
	db_bind_text(st, 5, r->origin);
	sqlite3_bind_int64(st, 6, now);
	db_bind_text(st, 7, r->approved ? r->by : NULL);
	if (r->approved)
		sqlite3_bind_int64(st, 8, now);
	else
		sqlite3_bind_null(st, 8);
	if (!db_run(db, st, error))
		return FALSE;
	r->number = sqlite3_last_insert_rowid(db);
	g_autofree char *detail = release_event_detail(r->number, state, "recipients", to, NULL);
	return db_add_event(db, r->id, "release-requested", r->by, r->origin, detail, error);
}

gint64
store_release_request(struct mg_store *s, const char *id, const char *const *recipients,
		      const char *by, const char *origin, gboolean approved, GError **error)
{
	if (!store_id_valid(id) || !recipients || !recipients[0]) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_INVALID,
			    "a release needs a quarantine id and at least one recipient");
		return 0;
	}
	struct request r = { .id = id, .recipients = recipients, .by = by, .origin = origin,
			     .approved = approved };
	return store_write(s, TRUE, job_request, &r, error) ? r.number : 0;
}

/* ---- state changes ---- */

struct change {
	gint64 number;
	enum store_release_state to;
	const char *from_states; /* SQL list: "('approved', 'failed')" */
	const char *by, *origin, *reason, *what, *message_id;
	const char *session; /* a claim's owner (sending); NULL otherwise */
	const char *event;
	const char *recipients; /* finishing: those reached (JSON list); NULL: unchanged */
};

/* The message id and state of release `number`. */
static gboolean
release_row(sqlite3 *db, gint64 number, char **id, char **state, GError **error)
{
	sqlite3_stmt *st = db_prepare(db,
				      "SELECT m.id, r.state FROM releases r JOIN messages m ON "
				      "m.seq = r.message WHERE r.number = ?1",
				      error);
	if (!st)
		return FALSE;
	sqlite3_bind_int64(st, 1, number);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*id = db_column_text(st, 0);
		*state = db_column_text(st, 1);
	} else if (rc == SQLITE_DONE) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_NOT_FOUND,
			    "there is no release %" G_GINT64_FORMAT, number);
	} else {
		db_error(db, error, "quarantine store");
	}
	db_done(st);
	return rc == SQLITE_ROW;
}

static gboolean
job_change(sqlite3 *db, gpointer data, GError **error)
{
	struct change *c = data;
	g_autofree char *id = NULL, *state = NULL;
	if (!release_row(db, c->number, &id, &state, error))
		return FALSE;
	gboolean deciding = c->to == STORE_RELEASE_APPROVED || c->to == STORE_RELEASE_DENIED;
	gboolean finishing = c->to == STORE_RELEASE_DELIVERED || c->to == STORE_RELEASE_FAILED;
	g_autofree char *sql = g_strdup_printf(
		"UPDATE releases SET state = ?2, decided_by = CASE WHEN ?3 THEN ?4 ELSE "
		"decided_by END, decided_at = CASE WHEN ?3 THEN ?5 ELSE decided_at END, "
		"finished_at = CASE WHEN ?6 THEN ?5 ELSE finished_at END, "
		"delivered = CASE WHEN ?6 THEN ?7 ELSE delivered END, "
		"delivered_id = CASE WHEN ?6 THEN ?8 ELSE delivered_id END, "
		"reason = coalesce(?9, reason), owner = ?10, recipients = coalesce(?11, "
		"recipients), submitting = CASE WHEN ?2 = "
		"'sending' THEN NULL ELSE submitting END WHERE number = ?1 AND state IN %s",
		c->from_states);
	sqlite3_stmt *st = db_prepare(db, sql, error);
	if (!st)
		return FALSE;
	sqlite3_bind_int64(st, 1, c->number);
	db_bind_text(st, 2, store_release_state_name(c->to));
	sqlite3_bind_int(st, 3, deciding);
	db_bind_text(st, 4, c->by);
	sqlite3_bind_int64(st, 5, store_now());
	sqlite3_bind_int(st, 6, finishing);
	db_bind_text(st, 7, c->what);
	db_bind_text(st, 8, c->message_id);
	db_bind_text(st, 9, c->reason);
	db_bind_text(st, 10, c->session);
	if (c->recipients)
		db_bind_text(st, 11, c->recipients);
	if (!db_run(db, st, error))
		return FALSE;
	if (sqlite3_changes(db) != 1) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_STATE,
			    "release %" G_GINT64_FORMAT " of %s is %s: it cannot become %s",
			    c->number, id, state, store_release_state_name(c->to));
		return FALSE;
	}
	g_autofree char *detail = release_event_detail(c->number, c->to, "reason", c->reason, "delivered",
					       c->what, "message_id", c->message_id, NULL);
	return db_add_event(db, id, c->event, c->by, c->origin, detail, error);
}

gboolean
store_release_decide(struct mg_store *s, gint64 number, gboolean approve, const char *by,
		     const char *origin, const char *reason, GError **error)
{
	struct change c = { .number = number,
			    .to = approve ? STORE_RELEASE_APPROVED : STORE_RELEASE_DENIED,
			    .from_states = "('requested')",
			    .by = by,
			    .origin = origin,
			    .reason = reason,
			    .event = approve ? "release-approved" : "release-denied" };
	return store_write(s, TRUE, job_change, &c, error);
}

gboolean
store_release_claim(struct mg_store *s, gint64 number, GError **error)
{
	struct change c = { .number = number,
			    .to = STORE_RELEASE_SENDING,
			    /* an uncertain one may have been delivered: never again */
			    .from_states = "('approved', 'failed') AND NOT (state = 'failed' AND "
					   "coalesce(reason, '') LIKE '" STORE_RELEASE_UNCERTAIN "%')",
			    .event = "release-sending" };
	if (!(c.session = store_session(s, error)))
		return FALSE;
	return store_write(s, TRUE, job_change, &c, error);
}

gboolean
store_release_finish(struct mg_store *s, gint64 number, gboolean delivered, const char *what,
		     const char *message_id, const char *reason, GError **error)
{
	return store_release_finish_to(s, number, delivered, NULL, what, message_id, reason, error);
}

gboolean
store_release_finish_to(struct mg_store *s, gint64 number, gboolean delivered,
			const char *const *reached, const char *what, const char *message_id,
			const char *reason, GError **error)
{
	g_autofree char *list = reached ? store_json_string_list(reached) : NULL;
	struct change c = { .recipients = list,
			    .number = number,
			    .to = delivered ? STORE_RELEASE_DELIVERED : STORE_RELEASE_FAILED,
			    .from_states = "('sending')",
			    .reason = reason,
			    .what = what,
			    .message_id = message_id,
			    .event = delivered ? "release-delivered" : "release-failed" };
	return store_write(s, TRUE, job_change, &c, error);
}

/* ---- listing ---- */

static GPtrArray *
recipients_from_json(const char *json)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(JsonParser) p = json_parser_new_immutable();
	if (!json || !json_parser_load_from_data(p, json, -1, NULL))
		return out;
	JsonNode *root = json_parser_get_root(p);
	JsonArray *a = root && JSON_NODE_HOLDS_ARRAY(root) ? json_node_get_array(root) : NULL;
	for (guint i = 0; a && i < json_array_get_length(a); i++) {
		JsonNode *n = json_array_get_element(a, i);
		if (json_node_get_value_type(n) == G_TYPE_STRING)
			g_ptr_array_add(out, g_strdup(json_node_get_string(n)));
	}
	return out;
}

static void
add_release(sqlite3_stmt *st, gpointer out)
{
	struct store_release *r = g_new0(struct store_release, 1);
	r->number = sqlite3_column_int64(st, 0);
	r->id = db_column_text(st, 1);
	r->state = state_from_name((const char *)sqlite3_column_text(st, 2));
	r->recipients = recipients_from_json((const char *)sqlite3_column_text(st, 3));
	r->requested_by = db_column_text(st, 4);
	r->origin = db_column_text(st, 5);
	r->requested_at = sqlite3_column_int64(st, 6);
	r->decided_by = db_column_text(st, 7);
	r->decided_at = sqlite3_column_int64(st, 8);
	r->finished_at = sqlite3_column_int64(st, 9);
	r->delivered = db_column_text(st, 10);
	r->delivered_id = db_column_text(st, 11);
	r->reason = db_column_text(st, 12);
	g_ptr_array_add(out, r);
}

GPtrArray *
store_releases(struct mg_store *s, const char *id, int state, GError **error)
{
	sqlite3 *db = store_reader(s, error);
	if (!db)
		return NULL;
	sqlite3_stmt *st = db_prepare(
		db,
		"SELECT r.number, m.id, r.state, r.recipients, r.requested_by, r.origin, "
		"r.requested_at, r.decided_by, r.decided_at, r.finished_at, r.delivered, "
		"r.delivered_id, r.reason FROM releases r JOIN messages m ON m.seq = r.message "
		"WHERE (?1 IS NULL OR m.id = ?1) AND (?2 IS NULL OR r.state = ?2) ORDER BY r.number",
		error);
	GPtrArray *out = NULL;
	if (st) {
		db_bind_text(st, 1, id);
		db_bind_text(st, 2, state >= 0 ? store_release_state_name(state) : NULL);
		out = g_ptr_array_new_with_free_func((GDestroyNotify)store_release_free);
		if (!db_each_row(db, st, add_release, out, error))
			g_clear_pointer(&out, g_ptr_array_unref);
	}
	store_reader_done(s, db);
	return out;
}
