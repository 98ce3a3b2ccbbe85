/*
 * NAME
 *	release-recover.c - a release's submission: recorded before it
 *	starts, and taken up when its process died
 * SUMMARY
 *	store_release_submitting() records the Message-ID of the message a
 *	release is about to submit, guarded by the claim's owner (this
 *	session). store_release_recover() looks at the releases "sending"
 *	whose session ended (session.c): without a submission they are
 *	approved again (nothing went out); with one they are finished
 *	failed "uncertain" with that Message-ID, never sent again by
 *	themselves (at most once), until an administrator who checked the
 *	mail server's log releases with force.
 * DESCRIPTION
 *	A claim without an owner (made by a build before owners were
 *	recorded) and a claim of a session that cannot be checked count as
 *	alive: they are left as they are.
 */
#include <string.h>

#include "store-private.h"

#define INTERRUPTED                                                                            \
	STORE_RELEASE_INTERRUPTED "the process delivering it stopped before submitting it; "   \
				  "nothing was sent"

struct submitting {
	gint64 number;
	const char *message_id, *session;
};

static gboolean
job_submitting(sqlite3 *db, gpointer data, GError **error)
{
	struct submitting *c = data;
	sqlite3_stmt *st = db_prepare(db,
				      "UPDATE releases SET submitting = ?2 WHERE number = ?1 "
				      "AND state = 'sending' AND owner = ?3 "
				      "RETURNING (SELECT id FROM messages WHERE seq = message)",
				      error);
	if (!st)
		return FALSE;
	sqlite3_bind_int64(st, 1, c->number);
	db_bind_text(st, 2, c->message_id);
	db_bind_text(st, 3, c->session);
	int rc = sqlite3_step(st);
	g_autofree char *id = rc == SQLITE_ROW ? db_column_text(st, 0) : NULL;
	if (rc == SQLITE_ROW)
		rc = sqlite3_step(st);
	db_done(st);
	if (rc != SQLITE_DONE)
		return db_error(db, error, "quarantine store");
	if (!id) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_STATE,
			    "release %" G_GINT64_FORMAT " is no longer this process's claim: "
			    "nothing submitted",
			    c->number);
		return FALSE;
	}
	g_autofree char *detail = release_event_detail(c->number, STORE_RELEASE_SENDING,
						       "message_id", c->message_id, NULL);
	return db_add_event(db, id, "release-submitting", NULL, NULL, detail, error);
}

gboolean
store_release_submitting(struct mg_store *s, gint64 number, const char *message_id,
			 GError **error)
{
	if (!message_id || !*message_id) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_INVALID,
			    "a release's submission needs a Message-ID");
		return FALSE;
	}
	struct submitting c = { .number = number, .message_id = message_id };
	if (!(c.session = store_session(s, error)))
		return FALSE;
	return store_write(s, TRUE, job_submitting, &c, error);
}

/* ---- recovery ---- */

struct recover {
	struct mg_store *store;
	const char *by;
	struct store_release_recovered *out;
};

/* Claim `c` of an ended session: approved again, or failed uncertain. */
static gboolean
take_up(sqlite3 *db, const struct db_claim *c, const char *by, GError **error)
{
	g_autofree char *uncertain =
		c->submitting ? g_strdup_printf(STORE_RELEASE_UNCERTAIN
						"may have been delivered: check the LGWAN mail "
						"server's log for Message-ID %s before releasing "
						"again (the process submitting it stopped)",
						c->submitting)
			      : NULL;
	enum store_release_state to = c->submitting ? STORE_RELEASE_FAILED : STORE_RELEASE_APPROVED;
	sqlite3_stmt *st = db_prepare(
		db,
		"UPDATE releases SET state = ?2, reason = ?3, owner = NULL, "
		"finished_at = CASE WHEN ?4 IS NULL THEN finished_at ELSE ?5 END, "
		"delivered_id = coalesce(?4, delivered_id) "
		"WHERE number = ?1 AND state = 'sending' AND owner = ?6",
		error);
	if (!st)
		return FALSE;
	sqlite3_bind_int64(st, 1, c->seq);
	db_bind_text(st, 2, store_release_state_name(to));
	db_bind_text(st, 3, uncertain ? uncertain : INTERRUPTED);
	db_bind_text(st, 4, c->submitting);
	sqlite3_bind_int64(st, 5, store_now());
	db_bind_text(st, 6, c->owner);
	if (!db_run(db, st, error))
		return FALSE;
	if (sqlite3_changes(db) != 1)
		return TRUE; /* finished meanwhile */
	g_autofree char *detail =
		release_event_detail(c->seq, to, "reason", uncertain ? uncertain : INTERRUPTED,
				     "message_id", c->submitting, NULL);
	return db_add_event(db, c->id, uncertain ? "release-failed" : "release-recovered", by,
			    NULL, detail, error);
}

static gboolean
job_recover(sqlite3 *db, gpointer data, GError **error)
{
	struct recover *r = data;
	/* a job may run twice (the writer retries a busy batch): start afresh */
	g_array_set_size(r->out->approved, 0);
	g_array_set_size(r->out->uncertain, 0);
	g_autoptr(GPtrArray) all = db_claims(db,
					     "SELECT r.number, m.id, r.owner, 0, r.submitting "
					     "FROM releases r JOIN messages m ON m.seq = r.message "
					     "WHERE r.state = 'sending' AND r.owner IS NOT NULL "
					     "ORDER BY r.number",
					     error);
	if (!all)
		return FALSE;
	for (guint i = 0; i < all->len; i++) {
		const struct db_claim *c = all->pdata[i];
		if (store_session_alive(r->store, c->owner))
			continue; /* its process still runs it (or it cannot be told) */
		if (!take_up(db, c, r->by, error))
			return FALSE;
		g_array_append_val(c->submitting ? r->out->uncertain : r->out->approved, c->seq);
	}
	return TRUE;
}

gboolean
store_release_recover(struct mg_store *s, const char *by, struct store_release_recovered *out,
		      GError **error)
{
	out->approved = g_array_new(FALSE, FALSE, sizeof(gint64));
	out->uncertain = g_array_new(FALSE, FALSE, sizeof(gint64));
	struct recover r = { .store = s, .by = by, .out = out };
	return store_write(s, TRUE, job_recover, &r, error);
}

void
store_release_recovered_clear(struct store_release_recovered *out)
{
	g_clear_pointer(&out->approved, g_array_unref);
	g_clear_pointer(&out->uncertain, g_array_unref);
}
