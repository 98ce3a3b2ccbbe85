/*
 * NAME
 *	ppap.c - messages waiting for their password mail
 * SUMMARY
 *	A message stored with ppap_wait has a row in ppap_pending. Pairing
 *	looks up candidates (same envelope sender and From address, every
 *	recipient among the password mail's, within the window, nearest
 *	first), claims one (a compare-and-set: one process at a time), and
 *	finishes it. Passwords are never stored: the events hold at most
 *	the short hash the caller gives.
 */
#include <json-glib/json-glib.h>
#include <string.h>

#include "store-private.h"

static const char *const state_names[] = {
	[STORE_PPAP_WAITING] = "waiting",
	[STORE_PPAP_TRYING] = "trying",
	[STORE_PPAP_OPENED] = "opened",
	[STORE_PPAP_EXHAUSTED] = "exhausted",
	[STORE_PPAP_FAILED] = "failed",
};

const char *
store_ppap_state_name(enum store_ppap_state state)
{
	return (unsigned)state < G_N_ELEMENTS(state_names) ? state_names[state] : "unknown";
}

static enum store_ppap_state
state_from_name(const char *name)
{
	for (unsigned i = 0; i < G_N_ELEMENTS(state_names); i++)
		if (g_strcmp0(name, state_names[i]) == 0)
			return i;
	return STORE_PPAP_EXHAUSTED; /* unknown: never tried again */
}

/*
 * An envelope sender as pairing compares it: ASCII case aside, and
 * without a BATV tag (RFC draft-levine-smtp-batv: "prvs=KDDDSSSSSS=" in
 * front of the local part, a new one for each message its sender's
 * gateway signs; Barracuda and others use it), so that the two mails of
 * a sender behind such a gateway pair. SQL, for a column or a parameter.
 */
#define BATV_TAG "'prvs=[0-9][0-9][0-9][0-9][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]=?*'"
#define SENDER_KEY(x) \
	"(CASE WHEN lower(" x ") GLOB " BATV_TAG " THEN lower(substr(" x ", 17)) ELSE lower(" x \
	") END)"

gboolean
store_ppap_sender_waits(struct mg_store *s, const char *sender, gint64 since, GError **error)
{
	sqlite3 *db = store_reader(s, error);
	if (!db)
		return FALSE;
	sqlite3_stmt *st = db_prepare(db,
				      "SELECT 1 FROM messages INDEXED BY messages_encrypted "
				      "WHERE encrypted = 1 AND time >= ?2 AND state = 'stored' "
				      "AND action = 'delivered' AND " SENDER_KEY("sender") " = " SENDER_KEY("?1")
				      " LIMIT 1",
				      error);
	gboolean found = FALSE;
	if (st) {
		db_bind_text(st, 1, sender ? sender : "");
		sqlite3_bind_int64(st, 2, since);
		int rc = sqlite3_step(st);
		found = rc == SQLITE_ROW;
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			db_error(db, error, "quarantine store");
		db_done(st);
	}
	store_reader_done(s, db);
	return found;
}

GPtrArray *
store_ppap_candidates(struct mg_store *s, const char *sender, const char *from_address,
		      const char *const *recipients, gint64 since, guint max_tries, gint64 stale,
		      const char *before, GError **error)
{
	g_autofree char *list = store_json_string_list(recipients);
	sqlite3 *db = store_reader(s, error);
	if (!db)
		return NULL;
	sqlite3_stmt *st = db_prepare(
		db,
		"SELECT m.id FROM ppap_pending p JOIN messages m ON m.seq = p.message "
		"WHERE m.state = 'stored' AND p.tries < ?1 "
		"AND (p.state = 'waiting' OR (p.state = 'trying' AND p.updated < ?2 "
		"AND p.submitting IS NULL)) "
		"AND " SENDER_KEY("m.sender") " = " SENDER_KEY("?3") " "
		"AND lower(m.from_address) = lower(?4) "
		"AND m.time >= ?5 AND NOT EXISTS (SELECT 1 FROM recipients r WHERE "
		"r.message = m.seq AND lower(r.address) NOT IN "
		"(SELECT lower(value) FROM json_each(?6))) "
		"AND (?7 IS NULL OR m.seq < (SELECT b.seq FROM messages b WHERE b.id = ?7)) "
		"ORDER BY m.time DESC, m.seq DESC",
		error);
	GPtrArray *ids = NULL;
	if (st) {
		sqlite3_bind_int64(st, 1, max_tries);
		sqlite3_bind_int64(st, 2, store_now() - stale);
		db_bind_text(st, 3, sender);
		db_bind_text(st, 4, from_address);
		sqlite3_bind_int64(st, 5, since);
		db_bind_text(st, 6, list);
		if (before)
			db_bind_text(st, 7, before);
		ids = g_ptr_array_new_with_free_func(g_free);
		if (!db_each_row(db, st, db_add_text_column, ids, error))
			g_clear_pointer(&ids, g_ptr_array_unref);
	}
	store_reader_done(s, db);
	return ids;
}

/* The entry's state, for a message that has one; FALSE (NOT_FOUND) if not. */
static gboolean
current_state(sqlite3 *db, sqlite3_int64 seq, const char *id, char **state, GError **error)
{
	sqlite3_stmt *st = db_prepare(db, "SELECT state FROM ppap_pending WHERE message = ?1",
				      error);
	if (!st)
		return FALSE;
	sqlite3_bind_int64(st, 1, seq);
	int rc = sqlite3_step(st);
	*state = rc == SQLITE_ROW ? db_column_text(st, 0) : NULL;
	db_done(st);
	if (rc == SQLITE_DONE)
		g_set_error(error, STORE_ERROR, STORE_ERROR_NOT_FOUND,
			    "%s does not wait for a password", id);
	else if (rc != SQLITE_ROW)
		return db_error(db, error, "quarantine store");
	return rc == SQLITE_ROW;
}

/* After an UPDATE that changed nothing: why. */
static gboolean
not_in_state(sqlite3 *db, sqlite3_int64 seq, const char *id, const char *wanted, GError **error)
{
	g_autofree char *state = NULL;
	if (current_state(db, seq, id, &state, error))
		g_set_error(error, STORE_ERROR, STORE_ERROR_STATE,
			    "the password entry of %s is %s, not %s", id, state, wanted);
	return FALSE;
}

struct ppap_change {
	const char *id;
	const char *session; /* the claim's owner */
	const char *message_id, *reason; /* submitting, failing */
	gint64 stale;
	enum store_ppap_state state;
	guint tried;
	const char *password_hash, *by;
};

static gboolean
job_claim(sqlite3 *db, gpointer data, GError **error)
{
	struct ppap_change *c = data;
	sqlite3_int64 seq = db_message_seq(db, c->id, "stored", error);
	if (!seq)
		return FALSE;
	gint64 now = store_now();
	sqlite3_stmt *st = db_prepare(db,
				      "UPDATE ppap_pending SET state = 'trying', updated = ?2, "
				      "owner = ?4 WHERE message = ?1 AND (state = 'waiting' OR "
				      "(state = 'trying' AND updated < ?3 AND submitting IS NULL))",
				      error);
	if (!st)
		return FALSE;
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_int64(st, 3, now - c->stale);
	db_bind_text(st, 4, c->session);
	if (!db_run(db, st, error))
		return FALSE;
	return sqlite3_changes(db) == 1 || not_in_state(db, seq, c->id, "waiting", error);
}

gboolean
store_ppap_claim(struct mg_store *s, const char *id, gint64 stale, GError **error)
{
	struct ppap_change c = { .id = id, .stale = stale };
	if (!(c.session = store_session(s, error)))
		return FALSE;
	return store_write(s, TRUE, job_claim, &c, error);
}

static char *
finish_detail(const struct ppap_change *c)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "state");
	json_builder_add_string_value(b, store_ppap_state_name(c->state));
	if (c->password_hash) {
		json_builder_set_member_name(b, "password_hash");
		json_builder_add_string_value(b, c->password_hash);
	}
	json_builder_end_object(b);
	g_autoptr(JsonNode) root = json_builder_get_root(b);
	return json_to_string(root, FALSE);
}

static gboolean
job_finish(sqlite3 *db, gpointer data, GError **error)
{
	struct ppap_change *c = data;
	sqlite3_int64 seq = db_message_seq(db, c->id, "stored", error);
	if (!seq)
		return FALSE;
	sqlite3_stmt *st = db_prepare(db,
				      "UPDATE ppap_pending SET state = ?2, tries = tries + ?3, "
				      "updated = ?4, owner = NULL, submitting = CASE ?2 WHEN "
				      "'waiting' THEN NULL ELSE submitting END "
				      "WHERE message = ?1 AND state = 'trying'",
				      error);
	if (!st)
		return FALSE;
	sqlite3_bind_int64(st, 1, seq);
	db_bind_text(st, 2, store_ppap_state_name(c->state));
	sqlite3_bind_int64(st, 3, c->tried);
	sqlite3_bind_int64(st, 4, store_now());
	if (!db_run(db, st, error))
		return FALSE;
	if (sqlite3_changes(db) != 1)
		return not_in_state(db, seq, c->id, "trying", error);
	g_autofree char *detail = finish_detail(c);
	return db_add_event(db, c->id, c->tried ? "ppap-tried" : "ppap-finished", c->by, NULL,
			    detail, error);
}

gboolean
store_ppap_finish(struct mg_store *s, const char *id, enum store_ppap_state state,
		  guint tried, const char *password_hash, const char *by, GError **error)
{
	if (state == STORE_PPAP_TRYING || state == STORE_PPAP_FAILED ||
	    (unsigned)state >= G_N_ELEMENTS(state_names)) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_INVALID,
			    "a password entry finishes waiting, opened or exhausted");
		return FALSE;
	}
	struct ppap_change c = { .id = id, .state = state, .tried = tried,
				 .password_hash = password_hash, .by = by };
	return store_write(s, TRUE, job_finish, &c, error);
}

/* ---- a follow-up's submission: at most once ---- */

static gboolean
job_submitting(sqlite3 *db, gpointer data, GError **error)
{
	struct ppap_change *c = data;
	sqlite3_int64 seq = db_message_seq(db, c->id, "stored", error);
	if (!seq)
		return FALSE;
	sqlite3_stmt *st = db_prepare(
		db,
		"UPDATE ppap_pending SET submitting = coalesce(submitting || ' ', '') || ?2, "
		"updated = ?3 WHERE message = ?1 AND state = 'trying' AND owner = ?4",
		error);
	if (!st)
		return FALSE;
	sqlite3_bind_int64(st, 1, seq);
	db_bind_text(st, 2, c->message_id);
	sqlite3_bind_int64(st, 3, store_now());
	db_bind_text(st, 4, c->session);
	if (!db_run(db, st, error))
		return FALSE;
	if (sqlite3_changes(db) == 1)
		return TRUE;
	g_autofree char *state = NULL;
	if (current_state(db, seq, c->id, &state, error))
		g_set_error(error, STORE_ERROR, STORE_ERROR_STATE,
			    "the password entry of %s is no longer this process's claim (%s)",
			    c->id, state);
	return FALSE;
}

gboolean
store_ppap_submitting(struct mg_store *s, const char *id, const char *message_id,
		      GError **error)
{
	if (!message_id || !*message_id || strchr(message_id, ' ')) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_INVALID,
			    "a follow-up needs a Message-ID without spaces");
		return FALSE;
	}
	struct ppap_change c = { .id = id, .message_id = message_id };
	if (!(c.session = store_session(s, error)))
		return FALSE;
	return store_write(s, TRUE, job_submitting, &c, error);
}

/* trying -> failed: never tried again by itself; the event says why and
 * which follow-ups had started (a person checks the mail log and
 * releases by hand). */
gboolean
db_ppap_fail(sqlite3 *db, sqlite3_int64 seq, const char *id, const char *reason, const char *by,
	   GError **error)
{
	sqlite3_stmt *st = db_prepare(db,
				      "UPDATE ppap_pending SET state = 'failed', reason = ?2, "
				      "updated = ?3, owner = NULL WHERE message = ?1 "
				      "AND state = 'trying' RETURNING submitting",
				      error);
	if (!st)
		return FALSE;
	sqlite3_bind_int64(st, 1, seq);
	db_bind_text(st, 2, reason);
	sqlite3_bind_int64(st, 3, store_now());
	int rc = sqlite3_step(st);
	g_autofree char *submitting = rc == SQLITE_ROW ? db_column_text(st, 0) : NULL;
	if (rc == SQLITE_ROW)
		rc = sqlite3_step(st);
	db_done(st);
	if (rc != SQLITE_DONE)
		return db_error(db, error, "quarantine store");
	if (sqlite3_changes(db) != 1)
		return not_in_state(db, seq, id, "trying", error);
	g_autoptr(JsonBuilder) b = json_builder_new();
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "state");
	json_builder_add_string_value(b, "failed");
	json_builder_set_member_name(b, "reason");
	json_builder_add_string_value(b, reason);
	if (submitting) {
		json_builder_set_member_name(b, "submitted_message_ids");
		json_builder_add_string_value(b, submitting);
	}
	json_builder_end_object(b);
	g_autoptr(JsonNode) root = json_builder_get_root(b);
	g_autofree char *detail = json_to_string(root, FALSE);
	return db_add_event(db, id, "ppap-failed", by, NULL, detail, error);
}

static gboolean
job_fail(sqlite3 *db, gpointer data, GError **error)
{
	struct ppap_change *c = data;
	sqlite3_int64 seq = db_message_seq(db, c->id, "stored", error);
	return seq && db_ppap_fail(db, seq, c->id, c->reason, c->by, error);
}

gboolean
store_ppap_fail(struct mg_store *s, const char *id, const char *reason, const char *by,
		GError **error)
{
	struct ppap_change c = { .id = id, .reason = reason, .by = by };
	return store_write(s, TRUE, job_fail, &c, error);
}

void
store_ppap_free(struct store_ppap *p)
{
	if (!p)
		return;
	g_free(p->id);
	g_free(p->owner);
	g_free(p->submitting);
	g_free(p->reason);
	g_free(p);
}

struct store_ppap *
store_ppap_get(struct mg_store *s, const char *id, GError **error)
{
	sqlite3 *db = store_reader(s, error);
	if (!db)
		return NULL;
	sqlite3_stmt *st = db_prepare(db,
				      "SELECT p.state, p.tries, p.updated, p.owner, p.submitting, "
				      "p.reason FROM ppap_pending p JOIN "
				      "messages m ON m.seq = p.message WHERE m.id = ?1",
				      error);
	struct store_ppap *p = NULL;
	if (st) {
		db_bind_text(st, 1, id);
		int rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			p = g_new0(struct store_ppap, 1);
			p->id = g_strdup(id);
			p->state = state_from_name((const char *)sqlite3_column_text(st, 0));
			p->tries = (guint)MAX(sqlite3_column_int64(st, 1), 0);
			p->updated = sqlite3_column_int64(st, 2);
			p->owner = db_column_text(st, 3);
			p->submitting = db_column_text(st, 4);
			p->reason = db_column_text(st, 5);
		} else if (rc == SQLITE_DONE) {
			g_set_error(error, STORE_ERROR, STORE_ERROR_NOT_FOUND,
				    "%s does not wait for a password", id);
		} else {
			db_error(db, error, "quarantine store");
		}
		db_done(st);
	}
	store_reader_done(s, db);
	return p;
}
