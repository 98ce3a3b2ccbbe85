/*
 * NAME
 *	ppap-recover.c - what a crash left of PPAP pairing, taken up again
 * SUMMARY
 *	A password mail stored with ppap_pair keeps its mark until its
 *	pairing finished (store_ppap_pair_done()); a PPAP entry claimed
 *	("trying") names its owner's session, and the Message-IDs of the
 *	follow-ups whose submission started. store_ppap_recover() looks at
 *	the marks and claims whose session ended (session.c): a claim
 *	without a submission waits again; one with a submission is
 *	"failed", never submitted again (it may have gone out: at most
 *	once); a password mail's pairing passes to the caller's session,
 *	or is dropped when the mail is older than the window.
 */
#include <json-glib/json-glib.h>
#include <string.h>

#include "store-private.h"

struct recover {
	struct mg_store *store;
	const char *session;
	gint64 since, stale;
	const char *by;
	struct store_ppap_recovered *out;
};

static void
claim_free(gpointer data)
{
	struct db_claim *c = data;
	g_free(c->id);
	g_free(c->owner);
	g_free(c->submitting);
	g_free(c);
}

static void
add_claim(sqlite3_stmt *st, gpointer out)
{
	struct db_claim *c = g_new0(struct db_claim, 1);
	c->seq = sqlite3_column_int64(st, 0);
	c->id = db_column_text(st, 1);
	c->owner = db_column_text(st, 2);
	c->time = sqlite3_column_int64(st, 3);
	c->submitting = db_column_text(st, 4);
	g_ptr_array_add(out, c);
}

GPtrArray *
db_claims(sqlite3 *db, const char *sql, GError **error)
{
	sqlite3_stmt *st = db_prepare(db, sql, error);
	if (!st)
		return NULL;
	GPtrArray *all = g_ptr_array_new_with_free_func(claim_free);
	if (!db_each_row(db, st, add_claim, all, error))
		g_clear_pointer(&all, g_ptr_array_unref);
	return all;
}

/* The claim's session surely ended, or (not ours) it is older than stale. */
static gboolean
abandoned(struct recover *r, const struct db_claim *c, gboolean stale_counts)
{
	if (c->owner && strcmp(c->owner, r->session) == 0)
		return FALSE;
	return !store_session_alive(r->store, c->owner) ||
	       (stale_counts && c->time < store_now() - r->stale);
}

static gboolean
run_sql(sqlite3 *db, const char *sql, sqlite3_int64 seq, const char *text, GError **error)
{
	sqlite3_stmt *st = db_prepare(db, sql, error);
	if (!st)
		return FALSE;
	sqlite3_bind_int64(st, 1, seq);
	if (sqlite3_bind_parameter_count(st) >= 2)
		db_bind_text(st, 2, text);
	return db_run(db, st, error);
}

#define FAILED_REASON                                                                          \
	"the milter stopped while submitting the follow-up; it may have been delivered, "   \
	"so it is not submitted again: look for its Message-ID in the mail log, and if "   \
	"it is not there, release the message by hand (cdr-quarantine release)"

static gboolean
recover_claims(sqlite3 *db, struct recover *r, GError **error)
{
	g_autoptr(GPtrArray) all = db_claims(
		db,
		"SELECT p.message, m.id, p.owner, p.updated, p.submitting FROM ppap_pending p "
		"JOIN messages m ON m.seq = p.message WHERE p.state = 'trying'",
		error);
	for (guint i = 0; all && i < all->len; i++) {
		const struct db_claim *c = all->pdata[i];
		if (!abandoned(r, c, TRUE))
			continue;
		if (c->submitting) {
			if (!db_ppap_fail(db, c->seq, c->id, FAILED_REASON, r->by, error))
				return FALSE;
			r->out->failed++;
			continue;
		}
		if (!run_sql(db,
			     "UPDATE ppap_pending SET state = 'waiting', owner = NULL "
			     "WHERE message = ?1",
			     c->seq, NULL, error) ||
		    !db_add_event(db, c->id, "ppap-reclaimed", r->by, NULL,
				  "{\"state\":\"waiting\"}", error))
			return FALSE;
		r->out->reclaimed++;
	}
	return all != NULL;
}

static gboolean
recover_pairings(sqlite3 *db, struct recover *r, GError **error)
{
	g_autoptr(GPtrArray) all = db_claims(
		db,
		"SELECT seq, id, ppap_pair_owner, time, NULL FROM messages "
		"WHERE ppap_pair = 1 AND state = 'stored' ORDER BY time, seq",
		error);
	for (guint i = 0; all && i < all->len; i++) {
		const struct db_claim *c = all->pdata[i];
		if (!abandoned(r, c, FALSE))
			continue; /* its session still runs it */
		if (c->time < r->since) {
			if (!run_sql(db,
				     "UPDATE messages SET ppap_pair = 0, ppap_pair_owner = NULL "
				     "WHERE seq = ?1",
				     c->seq, NULL, error) ||
			    !db_add_event(db, c->id, "ppap-pair-expired", r->by, NULL, NULL, error))
				return FALSE;
			r->out->expired++;
			continue;
		}
		if (!run_sql(db, "UPDATE messages SET ppap_pair_owner = ?2 WHERE seq = ?1", c->seq,
			     r->session, error))
			return FALSE;
		g_ptr_array_add(r->out->pairings, g_strdup(c->id));
	}
	return all != NULL;
}

static gboolean
job_recover(sqlite3 *db, gpointer data, GError **error)
{
	struct recover *r = data;
	/* a job may run twice (the writer retries a busy batch): start afresh */
	g_ptr_array_set_size(r->out->pairings, 0);
	r->out->reclaimed = r->out->failed = r->out->expired = 0;
	return recover_claims(db, r, error) && recover_pairings(db, r, error);
}

gboolean
store_ppap_recover(struct mg_store *s, gint64 since, gint64 stale, const char *by,
		   struct store_ppap_recovered *out, GError **error)
{
	memset(out, 0, sizeof(*out));
	out->pairings = g_ptr_array_new_with_free_func(g_free);
	struct recover r = { .store = s, .since = since, .stale = stale, .by = by, .out = out };
	if (!(r.session = store_session(s, error)))
		return FALSE;
	return store_write(s, TRUE, job_recover, &r, error);
}

void
store_ppap_recovered_clear(struct store_ppap_recovered *out)
{
	g_clear_pointer(&out->pairings, g_ptr_array_unref);
}

static gboolean
job_pair_done(sqlite3 *db, gpointer data, GError **error)
{
	const char *id = data;
	sqlite3_int64 seq = db_message_seq(db, id, "stored", error);
	return seq && run_sql(db,
			      "UPDATE messages SET ppap_pair = 0, ppap_pair_owner = NULL "
			      "WHERE seq = ?1",
			      seq, NULL, error);
}

gboolean
store_ppap_pair_done(struct mg_store *s, const char *id, GError **error)
{
	return store_write(s, TRUE, job_pair_done, (gpointer)id, error);
}
