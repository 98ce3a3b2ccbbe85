/*
 * NAME
 *	messages.c - putting, importing, reading and removing messages
 * SUMMARY
 *	store_put_original(): the original and a "receiving" index row in one
 *	transaction, without an fsync of its own. store_put_record(): the
 *	record's columns, recipients, attachments and PPAP entry, durable.
 *	store_get_original(): the bytes in a sealed memfd, their SHA-256
 *	checked against the index.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store-private.h"

#define READ_CHUNK (256 * 1024)

static const guint8 empty[1];

/* The bytes of `fd` (a memfd or a file), mapped read-only. */
static const guint8 *
map_fd(int fd, gsize *len, GError **error)
{
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_INVALID,
			    "quarantine store: the message is not in a file");
		return NULL;
	}
	*len = (gsize)st.st_size;
	if (!*len)
		return empty;
	void *p = mmap(NULL, *len, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED) {
		int e = errno;
		g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED,
			    "quarantine store: cannot map the message: %s", g_strerror(e));
		return NULL;
	}
	return p;
}

static void
unmap(const guint8 *p, gsize len)
{
	if (p && p != empty)
		munmap((void *)p, len);
}

sqlite3_int64
db_message_seq(sqlite3 *db, const char *id, const char *state, GError **error)
{
	sqlite3_stmt *st = db_prepare_kept(db,
				      "SELECT seq FROM messages WHERE id = ?1 AND "
				      "(?2 IS NULL OR state = ?2)",
				      error);
	if (!st)
		return 0;
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, state);
	int rc = sqlite3_step(st);
	sqlite3_int64 seq = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	db_done(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		db_error(db, error, "quarantine store");
	else if (!seq)
		g_set_error(error, STORE_ERROR, STORE_ERROR_NOT_FOUND, "%s is not in the quarantine",
			    id);
	return seq;
}

gboolean
db_delete_message(sqlite3 *db, sqlite3_int64 seq, GError **error)
{
	static const char *const sql[] = {
		"DELETE FROM originals WHERE message = ?1",
		"DELETE FROM recipients WHERE message = ?1",
		"DELETE FROM attachments WHERE message = ?1",
		"DELETE FROM ppap_pending WHERE message = ?1",
		"DELETE FROM releases WHERE message = ?1",
		"DELETE FROM messages WHERE seq = ?1",
	};
	for (guint i = 0; i < G_N_ELEMENTS(sql); i++) {
		sqlite3_stmt *st = db_prepare(db, sql[i], error);
		if (!st)
			return FALSE;
		sqlite3_bind_int64(st, 1, seq);
		if (!db_run(db, st, error))
			return FALSE;
	}
	return TRUE;
}

/* ---- the original ---- */

struct original {
	const char *id;
	const guint8 *data;
	gsize len;
	const char *sha256;
	sqlite3_int64 seq; /* out */
};

static gboolean
insert_original(sqlite3 *db, struct original *o, GError **error)
{
	sqlite3_stmt *st = db_prepare_kept(db,
				      "INSERT INTO messages (id, time, state, size, sha256) "
				      "VALUES (?1, ?2, 'receiving', ?3, ?4)",
				      error);
	if (!st)
		return FALSE;
	db_bind_text(st, 1, o->id);
	sqlite3_bind_int64(st, 2, store_id_time(o->id));
	sqlite3_bind_int64(st, 3, (sqlite3_int64)o->len);
	db_bind_text(st, 4, o->sha256);
	if (!db_run(db, st, error))
		return FALSE;
	o->seq = sqlite3_last_insert_rowid(db);
	if (!(st = db_prepare_kept(db, "INSERT INTO originals (message, data) VALUES (?1, ?2)", error)))
		return FALSE;
	sqlite3_bind_int64(st, 1, o->seq);
	if (o->len)
		sqlite3_bind_blob64(st, 2, o->data, o->len, SQLITE_STATIC);
	else
		sqlite3_bind_zeroblob(st, 2, 0);
	return db_run(db, st, error);
}

static gboolean
job_put_original(sqlite3 *db, gpointer data, GError **error)
{
	return insert_original(db, data, error);
}

char *
store_put_original(struct mg_store *s, int fd, char **sha256, GError **error)
{
	gsize len = 0;
	const guint8 *data = map_fd(fd, &len, error);
	if (!data)
		return NULL;
	g_autofree char *sum = g_compute_checksum_for_data(G_CHECKSUM_SHA256, data, len);
	g_autofree char *id = store_new_id(store_now());
	gboolean ok = FALSE;
	if (!id) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED,
			    "quarantine store: no random bytes for an id");
	} else {
		struct original o = { .id = id, .data = data, .len = len, .sha256 = sum };
		ok = store_write(s, FALSE, job_put_original, &o, error);
	}
	unmap(data, len);
	if (!ok)
		return NULL;
	if (sha256)
		*sha256 = g_steal_pointer(&sum);
	return g_steal_pointer(&id);
}

/* ---- the record ---- */

static gboolean
insert_recipients(sqlite3 *db, sqlite3_int64 seq, GPtrArray *recipients, GError **error)
{
	for (guint i = 0; i < recipients->len; i++) {
		const struct store_recipient *r = recipients->pdata[i];
		if (!r->address)
			continue;
		sqlite3_stmt *st = db_prepare_kept(db, "INSERT OR IGNORE INTO recipients "
						  "(message, address, position, mode) "
						  "VALUES (?1, ?2, ?3, ?4)",
					      error);
		if (!st)
			return FALSE;
		sqlite3_bind_int64(st, 1, seq);
		db_bind_text(st, 2, r->address);
		sqlite3_bind_int(st, 3, (int)i);
		db_bind_text(st, 4, r->mode ? r->mode : "text");
		if (!db_run(db, st, error))
			return FALSE;
	}
	return TRUE;
}

static gboolean
insert_attachments(sqlite3 *db, sqlite3_int64 seq, GPtrArray *attachments, GError **error)
{
	for (guint i = 0; i < attachments->len; i++) {
		const struct store_attachment *a = attachments->pdata[i];
		sqlite3_stmt *st = db_prepare_kept(
			db,
			"INSERT INTO attachments (message, position, name, detected, size, "
			"encrypted, verdict, error, removed) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
			error);
		if (!st)
			return FALSE;
		sqlite3_bind_int64(st, 1, seq);
		sqlite3_bind_int64(st, 2, i);
		db_bind_text(st, 3, a->name);
		db_bind_text(st, 4, a->detected);
		sqlite3_bind_int64(st, 5, (sqlite3_int64)MIN(a->size, (guint64)G_MAXINT64));
		sqlite3_bind_int(st, 6, a->encrypted ? 1 : 0);
		db_bind_text(st, 7, a->verdict);
		db_bind_text(st, 8, a->error);
		db_bind_text(st, 9, a->removed);
		if (!db_run(db, st, error))
			return FALSE;
	}
	return TRUE;
}

/* The record's columns and rows for message `seq`, which becomes stored. */
static gboolean
write_facts(sqlite3 *db, sqlite3_int64 seq, const struct store_message *m, GError **error)
{
	sqlite3_stmt *st = db_prepare_kept(
		db,
		"UPDATE messages SET state = 'stored', sender = ?2, header_from = ?3, "
		"from_address = ?4, subject = ?5, message_id = ?6, action = ?7, reason = ?8, "
		"mode = ?9, verdict = ?10, error = ?11, av = ?12, malware = ?13, encrypted = ?14, "
		"releasable = ?15, not_releasable = ?16, record = ?17 WHERE seq = ?1",
		error);
	if (!st)
		return FALSE;
	sqlite3_bind_int64(st, 1, seq);
	const char *texts[] = { m->sender,  m->header_from, m->from_address, m->subject,
				m->message_id, m->action, m->reason, m->mode,
				m->verdict, m->error,	m->av,	m->malware };
	for (guint i = 0; i < G_N_ELEMENTS(texts); i++)
		db_bind_text(st, (int)i + 2, texts[i]);
	sqlite3_bind_int(st, 14, m->encrypted ? 1 : 0);
	/* not releasable unless the record says so and says nothing against it */
	gboolean releasable = m->releasable && !m->malware;
	sqlite3_bind_int(st, 15, releasable ? 1 : 0);
	db_bind_text(st, 16, releasable ? NULL
					: m->not_releasable ? m->not_releasable
							    : "not releasable");
	db_bind_text(st, 17, m->record);
	if (!db_run(db, st, error) || !insert_recipients(db, seq, m->recipients, error) ||
	    !insert_attachments(db, seq, m->attachments, error))
		return FALSE;
	if (!m->ppap_wait)
		return TRUE;
	if (!(st = db_prepare_kept(db, "INSERT INTO ppap_pending (message, state, tries, updated) "
				       "VALUES (?1, 'waiting', ?3, ?2)",
			      error)))
		return FALSE;
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_int64(st, 2, store_now());
	sqlite3_bind_int64(st, 3, m->ppap_tries);
	return db_run(db, st, error);
}

struct record {
	const char *id;
	const struct store_message *m;
	const char *session; /* owns the password mail's pairing (ppap_pair) */
};

/* A password mail: its pairing is to run, in this session. */
static gboolean
mark_pairing(sqlite3 *db, sqlite3_int64 seq, const char *session, GError **error)
{
	sqlite3_stmt *st = db_prepare_kept(
		db, "UPDATE messages SET ppap_pair = 1, ppap_pair_owner = ?2 WHERE seq = ?1", error);
	if (!st)
		return FALSE;
	sqlite3_bind_int64(st, 1, seq);
	db_bind_text(st, 2, session);
	return db_run(db, st, error);
}

static gboolean
job_put_record(sqlite3 *db, gpointer data, GError **error)
{
	struct record *r = data;
	g_autoptr(GError) missing = NULL;
	sqlite3_int64 seq = db_message_seq(db, r->id, "receiving", &missing);
	if (!seq) {
		if (!g_error_matches(missing, STORE_ERROR, STORE_ERROR_NOT_FOUND) ||
		    !db_message_seq(db, r->id, "stored", NULL))
			g_propagate_error(error, g_steal_pointer(&missing));
		else
			g_set_error(error, STORE_ERROR, STORE_ERROR_STATE,
				    "%s already has its record", r->id);
		return FALSE;
	}
	return write_facts(db, seq, r->m, error) &&
	       (!r->m->ppap_pair || mark_pairing(db, seq, r->session, error));
}

gboolean
store_put_record(struct mg_store *s, const char *id, const struct store_message *m,
		 GError **error)
{
	if (!store_id_valid(id)) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_INVALID, "\"%s\" is not a quarantine id",
			    id ? id : "");
		return FALSE;
	}
	struct record r = { .id = id, .m = m };
	if (m->ppap_pair && !(r.session = store_session(s, error)))
		return FALSE;
	return store_write(s, TRUE, job_put_record, &r, error);
}

/* ---- import ---- */

struct import {
	struct original o;
	const struct store_message *m;
};

static gboolean
job_import(sqlite3 *db, gpointer data, GError **error)
{
	struct import *im = data;
	g_autoptr(GError) missing = NULL;
	if (db_message_seq(db, im->o.id, NULL, &missing)) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_EXISTS, "%s is already in the store",
			    im->o.id);
		return FALSE;
	}
	if (!g_error_matches(missing, STORE_ERROR, STORE_ERROR_NOT_FOUND)) {
		g_propagate_error(error, g_steal_pointer(&missing));
		return FALSE;
	}
	return insert_original(db, &im->o, error) && write_facts(db, im->o.seq, im->m, error);
}

gboolean
store_import(struct mg_store *s, const char *id, int fd, const struct store_message *m,
	     GError **error)
{
	if (!store_id_valid(id)) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_INVALID, "\"%s\" is not a quarantine id",
			    id ? id : "");
		return FALSE;
	}
	gsize len = 0;
	const guint8 *data = map_fd(fd, &len, error);
	if (!data)
		return FALSE;
	g_autofree char *sum = g_compute_checksum_for_data(G_CHECKSUM_SHA256, data, len);
	struct import im = { .o = { .id = id, .data = data, .len = len, .sha256 = sum }, .m = m };
	gboolean ok = FALSE;
	if (m->sha256 && g_ascii_strcasecmp(m->sha256, sum) != 0)
		g_set_error(error, STORE_ERROR, STORE_ERROR_INVALID,
			    "the original's SHA-256 is not the one its record names");
	else
		ok = store_write(s, TRUE, job_import, &im, error);
	unmap(data, len);
	return ok;
}

/* ---- remove ---- */

static gboolean
job_remove(sqlite3 *db, gpointer data, GError **error)
{
	sqlite3_int64 seq = db_message_seq(db, data, NULL, error);
	return seq && db_delete_message(db, seq, error);
}

gboolean
store_remove(struct mg_store *s, const char *id, GError **error)
{
	if (!store_id_valid(id)) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_INVALID, "\"%s\" is not a quarantine id",
			    id ? id : "");
		return FALSE;
	}
	return store_write(s, FALSE, job_remove, (gpointer)id, error);
}

/* ---- reading ---- */

struct store_message *
store_get(struct mg_store *s, const char *id, GError **error)
{
	if (!store_id_valid(id)) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_INVALID, "\"%s\" is not a quarantine id",
			    id ? id : "");
		return NULL;
	}
	sqlite3 *db = store_reader(s, error);
	if (!db)
		return NULL;
	struct store_message *m = NULL;
	sqlite3_int64 seq = db_message_seq(db, id, "stored", error);
	if (seq && (m = store_message_load(db, seq, error)) && !store_load_details(db, seq, m, error))
		g_clear_pointer(&m, store_message_free);
	store_reader_done(s, db);
	return m;
}

static gboolean
write_all(int fd, const void *p, gsize len)
{
	const char *c = p;
	while (len) {
		ssize_t n = write(fd, c, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return FALSE;
		c += n;
		len -= (gsize)n;
	}
	return TRUE;
}

/* Copy the blob of message `seq` into `fd`; its SHA-256 into `sum`. */
static gboolean
copy_original(sqlite3 *db, sqlite3_int64 seq, const char *id, int fd, GChecksum *sum,
	      GError **error)
{
	sqlite3_blob *blob = NULL;
	if (sqlite3_blob_open(db, "main", "originals", "data", seq, 0, &blob) != SQLITE_OK) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED,
			    "the original of %s is missing from the store (%s)", id,
			    sqlite3_errmsg(db));
		sqlite3_blob_close(blob);
		return FALSE;
	}
	int len = sqlite3_blob_bytes(blob);
	g_autofree guint8 *buf = g_malloc(READ_CHUNK);
	gboolean ok = TRUE;
	for (int off = 0; ok && off < len; off += READ_CHUNK) {
		int n = MIN(READ_CHUNK, len - off);
		if (sqlite3_blob_read(blob, buf, n, off) != SQLITE_OK) {
			ok = db_error(db, error, "cannot read the original");
		} else if (!write_all(fd, buf, (gsize)n)) {
			int e = errno;
			g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED,
				    "cannot copy the original: %s", g_strerror(e));
			ok = FALSE;
		} else {
			g_checksum_update(sum, buf, (gsize)n);
		}
	}
	sqlite3_blob_close(blob);
	return ok;
}

int
store_get_original(struct mg_store *s, const char *id, GError **error)
{
	if (!store_id_valid(id)) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_INVALID, "\"%s\" is not a quarantine id",
			    id ? id : "");
		return -1;
	}
	sqlite3 *db = store_reader(s, error);
	if (!db)
		return -1;
	int fd = -1;
	g_autofree char *want = NULL;
	sqlite3_int64 seq = 0;
	sqlite3_stmt *st = db_prepare(db, "SELECT seq, sha256 FROM messages WHERE id = ?1 AND "
					  "state = 'stored'",
				      error);
	if (st) {
		db_bind_text(st, 1, id);
		if (sqlite3_step(st) == SQLITE_ROW) {
			seq = sqlite3_column_int64(st, 0);
			want = db_column_text(st, 1);
		}
		db_done(st);
		if (!seq)
			g_set_error(error, STORE_ERROR, STORE_ERROR_NOT_FOUND,
				    "%s is not in the quarantine", id);
	}
	g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
	if (seq && (fd = memfd_create("mugaika-original", MFD_CLOEXEC | MFD_ALLOW_SEALING)) < 0) {
		int e = errno;
		g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED, "memfd_create: %s",
			    g_strerror(e));
	}
	/* the blob is read in one read transaction (sqlite3_blob_open's) */
	if (fd >= 0 && !copy_original(db, seq, id, fd, sum, error)) {
		close(fd);
		fd = -1;
	}
	store_reader_done(s, db);
	if (fd < 0)
		return -1;
	if (g_strcmp0(g_checksum_get_string(sum), want) != 0) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED,
			    "the original of %s is damaged: its SHA-256 is not the one stored", id);
		close(fd);
		return -1;
	}
	fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL);
	lseek(fd, 0, SEEK_SET);
	return fd;
}
