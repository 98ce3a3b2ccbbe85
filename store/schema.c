/*
 * NAME
 *	schema.c - the tables of the quarantine store, and their version
 * SUMMARY
 *	PRAGMA user_version says which schema a database has: 0 is an empty
 *	database (created here), SCHEMA_VERSION the current one, an older
 *	one is upgraded in the transaction that opens it, anything newer was
 *	made by a newer mugaika and is not touched.
 * DESCRIPTION
 *	messages	one row per original: the index columns, the whole
 *			record (JSON), and what release and PPAP pairing need
 *			to know (encrypted, releasable). state 'receiving'
 *			while only the original exists.
 *	originals	the original's bytes, apart from the index so that
 *			scanning the index never reads a message.
 *	recipients	one row per final recipient, with its own mode.
 *	attachments	one row per part the mail handler took out.
 *	ppap_pending	messages waiting for a password mail. Sender, From,
 *			recipients and time are the message's own rows: the
 *			pairing query joins them rather than keeping copies
 *			that could disagree. owner: the session (store.c)
 *			that claimed it; submitting: the Message-IDs of
 *			follow-ups whose submission started (version 2).
 *	messages.ppap_pair  a password mail whose pairing has not finished,
 *			and ppap_pair_owner the session that runs it
 *			(version 2): a milter killed before its pairing ran
 *			leaves the mark, and the next one runs it.
 *	releases	one row per release request and its state; owner
 *			and submitting as in ppap_pending (made when missing,
 *			release_columns()).
 *	events		who did what to which message, when, from where.
 *			The message id is text, not a reference: an event
 *			outlives the message it is about.
 */
#include "store-private.h"

#define SCHEMA_VERSION 2

static const char schema_v1[] =
	"CREATE TABLE messages ("
	" seq INTEGER PRIMARY KEY,"
	" id TEXT NOT NULL UNIQUE,"
	" time INTEGER NOT NULL,"
	" state TEXT NOT NULL CHECK (state IN ('receiving', 'stored')),"
	" size INTEGER NOT NULL,"
	" sha256 TEXT NOT NULL,"
	" sender TEXT, header_from TEXT, from_address TEXT, subject TEXT, message_id TEXT,"
	" action TEXT, reason TEXT, mode TEXT, verdict TEXT, error TEXT, av TEXT, malware TEXT,"
	" encrypted INTEGER NOT NULL DEFAULT 0,"
	" releasable INTEGER NOT NULL DEFAULT 0,"
	" not_releasable TEXT,"
	" record TEXT);"
	"CREATE INDEX messages_time ON messages (time);"
	"CREATE INDEX messages_sender ON messages (sender);"
	"CREATE TABLE originals ("
	" message INTEGER PRIMARY KEY,"
	" data BLOB NOT NULL);"
	"CREATE TABLE recipients ("
	" message INTEGER NOT NULL,"
	" address TEXT NOT NULL,"
	" position INTEGER NOT NULL,"
	" mode TEXT NOT NULL,"
	" PRIMARY KEY (message, address)) WITHOUT ROWID;"
	"CREATE INDEX recipients_address ON recipients (address);"
	"CREATE TABLE attachments ("
	" message INTEGER NOT NULL,"
	" position INTEGER NOT NULL,"
	" name TEXT, detected TEXT, size INTEGER NOT NULL,"
	" encrypted INTEGER NOT NULL,"
	" verdict TEXT, error TEXT, removed TEXT,"
	" PRIMARY KEY (message, position)) WITHOUT ROWID;"
	"CREATE TABLE ppap_pending ("
	" message INTEGER PRIMARY KEY,"
	" state TEXT NOT NULL CHECK (state IN ('waiting', 'trying', 'opened', 'exhausted')),"
	" tries INTEGER NOT NULL DEFAULT 0,"
	" updated INTEGER NOT NULL);"
	"CREATE INDEX ppap_pending_state ON ppap_pending (state);"
	"CREATE TABLE releases ("
	" number INTEGER PRIMARY KEY,"
	" message INTEGER NOT NULL,"
	" state TEXT NOT NULL CHECK (state IN ('requested', 'approved', 'denied', 'sending',"
	"  'delivered', 'failed')),"
	" recipients TEXT NOT NULL,"
	" requested_by TEXT, origin TEXT, requested_at INTEGER NOT NULL,"
	" decided_by TEXT, decided_at INTEGER,"
	" finished_at INTEGER, delivered TEXT, delivered_id TEXT, reason TEXT);"
	"CREATE INDEX releases_message ON releases (message);"
	"CREATE TABLE events ("
	" number INTEGER PRIMARY KEY,"
	" time INTEGER NOT NULL,"
	" id TEXT,"
	" what TEXT NOT NULL,"
	" by TEXT, origin TEXT, detail TEXT);"
	"CREATE INDEX events_id ON events (id);"
	"CREATE INDEX events_time ON events (time);";

/* Version 1 -> 2: PPAP pairings and follow-ups survive a crash. The
 * password mail's mark (messages.ppap_pair) and the claims' owners and
 * submissions (ppap_pending) are new columns; ppap_pending is rebuilt
 * for its new state 'failed' (a CHECK cannot be altered in place). In
 * the transaction that opens the store: all or nothing. */
static const char upgrade_v2[] =
	"ALTER TABLE messages ADD COLUMN ppap_pair INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE messages ADD COLUMN ppap_pair_owner TEXT;"
	"CREATE INDEX messages_ppap_pair ON messages (time) WHERE ppap_pair = 1;"
	"CREATE TABLE ppap_pending_v2 ("
	" message INTEGER PRIMARY KEY,"
	" state TEXT NOT NULL CHECK (state IN ('waiting', 'trying', 'opened', 'exhausted',"
	"  'failed')),"
	" tries INTEGER NOT NULL DEFAULT 0,"
	" updated INTEGER NOT NULL,"
	" owner TEXT, submitting TEXT, reason TEXT);"
	"INSERT INTO ppap_pending_v2 (message, state, tries, updated)"
	" SELECT message, state, tries, updated FROM ppap_pending;"
	"DROP TABLE ppap_pending;"
	"ALTER TABLE ppap_pending_v2 RENAME TO ppap_pending;"
	"CREATE INDEX ppap_pending_state ON ppap_pending (state);";

/* Indexes added to version 1 since: made when missing, so a store of an
 * earlier build gets them and stays readable by it (an index changes no
 * row). messages_encrypted: the milter asks, for every message, whether
 * its sender has an encrypted message in the PPAP window (pairing.c);
 * without it that question reads every message of the window. */
static const char indexes_v1[] =
	"CREATE INDEX IF NOT EXISTS messages_encrypted ON messages (time) WHERE encrypted = 1;";

/* releases.owner and releases.submitting (a release's claim survives a
 * crash, release-recover.c): added when missing, with no new version,
 * since a build without them still works on such a store (its claims
 * have no owner and are never taken up, as before). */
static gboolean
release_columns(sqlite3 *db, GError **error)
{
	gint64 n = db_single_number(
		db, "SELECT count(*) FROM pragma_table_info('releases') WHERE name = 'owner'",
		error);
	return n > 0 || (n == 0 && db_exec(db,
					   "ALTER TABLE releases ADD COLUMN owner TEXT;"
					   "ALTER TABLE releases ADD COLUMN submitting TEXT;",
					   error));
}

gboolean
store_schema_ensure(sqlite3 *db, gboolean create, GError **error)
{
	gint64 v = db_single_number(db, "PRAGMA user_version", error);
	if (v < 0)
		return FALSE;
	if (v == 1) {
		/* a store of an earlier build: upgraded; that build will no
		 * longer open it (the version rule below) */
		g_autofree char *sql = g_strdup_printf("%s %s PRAGMA user_version=%d;", upgrade_v2,
						       indexes_v1, SCHEMA_VERSION);
		return db_exec(db, sql, error) && release_columns(db, error);
	}
	if (v == SCHEMA_VERSION)
		return db_exec(db, indexes_v1, error) && release_columns(db, error);
	if (v > SCHEMA_VERSION) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_VERSION,
			    "the quarantine store has schema version %" G_GINT64_FORMAT
			    ", newer than this program's (%d)",
			    v, SCHEMA_VERSION);
		return FALSE;
	}
	gint64 tables = db_single_number(db, "SELECT count(*) FROM sqlite_schema", error);
	if (tables < 0)
		return FALSE;
	if (tables > 0) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_VERSION,
			    "the file is an SQLite database, but not a quarantine store");
		return FALSE;
	}
	if (!create) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_NOT_FOUND,
			    "the quarantine store is empty");
		return FALSE;
	}
	g_autofree char *sql = g_strdup_printf("%s %s %s PRAGMA user_version=%d;", schema_v1,
					       upgrade_v2, indexes_v1, SCHEMA_VERSION);
	return db_exec(db, sql, error) && release_columns(db, error);
}
