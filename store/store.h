/*
 * NAME
 *	store.h - the quarantine store: originals, their index, PPAP
 *	pairing state, releases and the events of people and steps
 * SUMMARY
 *	One small interface shared by cdr-milter, cdr-quarantine and
 *	(later) cdr-web; nothing else opens the database. No SQL, no path
 *	and no file layout reaches a caller, so a later backend (PostgreSQL
 *	for several gateways sharing one index) replaces the files of store/ only.
 *	store/ depends on GLib, json-glib and SQLite, nothing else: front
 *	ends that link it link no parser library.
 *
 *	struct mg_store *s = store_open(dir, STORE_CREATE, &error);
 *	char *id = store_put_original(s, memfd, &sha256, &error); // before the worker
 *	... the worker rebuilds the message ...
 *	store_put_record(s, id, message, &error);  // durable when TRUE: then answer 250
 *	store_close(s);
 *
 * DESCRIPTION
 *	The backend (store-*.c) is SQLite 3 in WAL mode: DIR/quarantine.sqlite
 *	holds the index and the originals as blobs (bench/store-layout.c
 *	measured files against blobs; see bench/README.md). Every write goes
 *	through one writer thread per open store, which commits what the
 *	other threads queued meanwhile in one transaction (group commit), so
 *	a hundred SMTP sessions share one fsync instead of queueing for a
 *	hundred. Readers have connections of their own (WAL: they never wait
 *	for the writer). Other processes (cdr-quarantine, cdr-web) open the
 *	same database; SQLite's lock serializes their writers with a busy
 *	timeout of 10 s, after which a write fails (the milter tempfails).
 *
 *	Durability: store_put_record() returns TRUE only once the original
 *	and its record are on disk (synchronous=FULL: the WAL is fsync'ed;
 *	the original's own transaction, earlier in the same append-only WAL,
 *	is covered by that fsync). Any failure (a full or unwritable disk, a
 *	lock held too long, a corrupt database) is a GError, never a silent
 *	success: the milter answers 4xx and the sender retries.
 *
 *	Crash safety: the original and its index row are written in one
 *	transaction, so neither exists without the other. A message whose
 *	original is stored but whose record never came (the milter was
 *	killed, or answered 4xx and could not remove it) stays in state
 *	"receiving": it is never listed or released, and store_purge()
 *	removes it once it is an hour old.
 *
 *	Ids: "YYYYMMDDTHHMMSS-" and 12 lower-case hex digits, the arrival
 *	time (UTC) and 48 random bits: safe in file names, headers and
 *	notices, and unique across gateways for all practical purposes.
 *	Times are Unix seconds (UTC).
 *
 *	Threads: an open store may be used from any number of threads at
 *	once. Errors are in the STORE_ERROR domain.
 */
#pragma once

#include <glib.h>

struct mg_store;

#define STORE_ERROR (store_error_quark())
GQuark store_error_quark(void);

enum store_error {
	STORE_ERROR_FAILED,         /* I/O, a full disk, a database error: try again later */
	STORE_ERROR_NOT_FOUND,      /* no such message (never stored, or purged) */
	STORE_ERROR_INVALID,        /* an id or argument of the wrong form */
	STORE_ERROR_BUSY,           /* another process held the database too long */
	STORE_ERROR_VERSION,        /* made by a newer mugaika: not opened */
	STORE_ERROR_EXISTS,         /* an id already in the store (import) */
	STORE_ERROR_NOT_RELEASABLE, /* malware, or blocked whole as dangerous */
	STORE_ERROR_STATE,          /* a release or PPAP entry not in the state the step needs */
};

enum store_open_flags {
	STORE_CREATE = 1 << 0, /* create DIR (mode 0700) and the database when missing */
};

/* Open the store in directory `dir`. Without STORE_CREATE a missing
 * store is STORE_ERROR_NOT_FOUND. The database is created mode 0600. */
struct mg_store *store_open(const char *dir, unsigned flags, GError **error);

/* Finish the writes in flight and close. NULL is fine. */
void store_close(struct mg_store *store);
typedef struct mg_store mg_store;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(mg_store, store_close)

/* An id of the form above (nothing else is ever looked up). */
gboolean store_id_valid(const char *id);

/* ---- what is stored per message ---------------------------------------- */

struct store_recipient {
	char *address; /* the envelope recipient, without <> */
	char *mode;    /* "text" or "sanitize": the mode this recipient's own
			* settings pick (text_domains, ...), which a follow-up
			* or release must respect; the message itself went out
			* in the strictest mode of all its recipients */
};

/* An attachment: one part the mail handler took out of the message (the
 * report's children; in text mode, whose report has none, the names of
 * the "attachment" actions). */
struct store_attachment {
	char *name;      /* as the sender named it (UTF-8); may be NULL */
	char *detected;  /* MIME type by content; NULL when not examined */
	guint64 size;    /* bytes, decoded; 0 when not examined */
	gboolean encrypted; /* it, or something inside it, is password-protected */
	char *verdict;   /* clean, sanitized, blocked; NULL: removed unexamined (text mode) */
	char *error;     /* blocked: the error kind (mugaika(7)) */
	char *removed;   /* what disarm took out, "2 macro, 1 external-link";
			  * "attachment" when the whole part was removed; NULL when nothing */
};

enum store_state {
	STORE_RECEIVING, /* original only: never listed, released or counted */
	STORE_STORED,    /* original and record */
};

/* A message: what store_put_record() stores and store_get()/search give.
 * Fields marked (store) are filled by the store and ignored by put. */
struct store_message {
	char *id;            /* (store) */
	gint64 time;         /* (store) arrival, from the id */
	gint64 seq;          /* (store) its row, for the store's own use */
	guint64 size;        /* (store) bytes of the original */
	char *sha256;        /* (store) of the original, hex; store_import() checks
			      * the original against it when set */
	enum store_state state; /* (store) */
	char *release;       /* (store) state of the latest release, NULL when none;
			      * "uncertain" for a failed one that may have gone
			      * out (STORE_RELEASE_UNCERTAIN) */
	char *ppap;          /* (store) state of its PPAP entry, NULL when none */
	char *ppap_reason;   /* (store) why it is "failed", NULL */

	char *sender;        /* envelope sender, "" for <> */
	GPtrArray *recipients; /* struct store_recipient*, the final recipients */
	char *header_from;   /* decoded From header, as a mail client shows it */
	char *from_address;  /* the address in From (addr-spec), NULL if none */
	char *subject;       /* decoded Subject */
	char *message_id;
	char *action;        /* delivered, withheld, rejected (cdr-milter(8)) */
	char *reason;
	char *mode;          /* the mode the message was converted in */
	char *verdict;       /* the report's verdict; NULL when no worker ran */
	char *error;         /* the report's error kind when blocked */
	char *av;            /* clamd on the whole message; NULL without [av] */
	char *malware;       /* every signature found, ", "-joined; NULL when none */
	gboolean encrypted;  /* holds a password-protected attachment */
	gboolean releasable; /* FALSE: malware, or blocked whole as dangerous */
	char *not_releasable; /* why, when not releasable */
	GPtrArray *attachments; /* struct store_attachment* */
	char *record;        /* the whole record (cdr-milter's audit record, JSON) */
	gboolean ppap_wait;  /* put: wait for a password mail (store_ppap_*) */
	guint ppap_tries;    /* put with ppap_wait: passwords tried on it already
			      * (its own text's): counted against max_tries */
	gboolean ppap_pair;  /* put: a password mail whose pairing is to run, by
			      * this store's session, until store_ppap_pair_done()
			      * (written with the record: a crash cannot lose it) */
};

struct store_message *store_message_new(void);
void store_message_free(struct store_message *m);
typedef struct store_message store_message;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(store_message, store_message_free)

/*
 * Everything above from cdr-milter's audit record (JSON text, as in the
 * audit log and the ID.json files of the old directory quarantine):
 * envelope, action, reason, mode, Message-ID, Subject, av and malware,
 * and from its "report" the verdict, the From header and the
 * attachments. Each recipient gets the record's mode (the record has no
 * per-recipient mode: the caller may set better ones). Releasable unless
 * malware was found or the message was blocked whole as dangerous.
 * ppap_wait is set when a delivered message had an encrypted attachment
 * and no malware was found; sha256 is the record's. `record` is the input. NULL when it is not a JSON object.
 */
struct store_message *store_message_from_record(const char *json, gsize len, GError **error);

/* ---- the milter's two steps ------------------------------------------ */

/* Store the bytes of `fd` (read with pread from offset 0: a memfd or a
 * file) as a new original. Returns its new id (caller frees), and with
 * `sha256` its SHA-256 in hex. The original is kept but not yet
 * durable, and not listed: see store_put_record(). */
char *store_put_original(struct mg_store *store, int fd, char **sha256, GError **error);

/* The record of an original stored by store_put_original(): the index
 * row, the recipients and attachments, a PPAP entry when m->ppap_wait,
 * and the pairing mark when m->ppap_pair, all in one transaction. TRUE
 * only when the original and the record are durable. */
gboolean store_put_record(struct mg_store *store, const char *id, const struct store_message *m,
			  GError **error);

/* Forget a message and its original (a message answered 4xx after all:
 * the sender keeps it and retries). */
gboolean store_remove(struct mg_store *store, const char *id, GError **error);

/* ---- reading -------------------------------------------------------------- */

/* One stored message with its recipients and attachments. A message
 * still "receiving" is STORE_ERROR_NOT_FOUND. */
struct store_message *store_get(struct mg_store *store, const char *id, GError **error);

/* The original's bytes: a file descriptor open for reading at offset 0
 * (a sealed memfd), which the caller closes. Its SHA-256 is checked: a
 * damaged original is an error, never returned. */
int store_get_original(struct mg_store *store, const char *id, GError **error);

enum store_match {
	STORE_ANY = 0,
	STORE_YES,
	STORE_NO,
};

/* What store_search() looks for; zero-initialized = every stored
 * message. Text matches are substrings, ASCII case-insensitive (any
 * other character as is); a word of 3 characters or more is looked up
 * in a trigram index, a shorter one reads the rows. */
struct store_query {
	const char *sender;      /* envelope sender contains */
	const char *recipient;   /* a recipient contains */
	const char *from;        /* the From header contains */
	const char *subject;     /* the decoded Subject contains */
	gint64 since, until;     /* arrival in [since, until); 0: open */
	const char *action;      /* exactly */
	const char *verdict;     /* exactly */
	enum store_match encrypted; /* holds a password-protected attachment */
	enum store_match malware;   /* clamd found something */
	guint limit;             /* at most this many; 0: all */
	gboolean newest_first;   /* else oldest first */
	gboolean details;        /* fill recipients and attachments (else empty) */
};

/* Called once per message found; return FALSE to stop. `m` is valid
 * during the call only. `record` is filled only with q->details. */
typedef gboolean (*store_message_cb)(const struct store_message *m, gpointer data);

gboolean store_search(struct mg_store *store, const struct store_query *q, store_message_cb cb,
		      gpointer data, GError **error);
/* How store_search() would read the messages for `q`: the lines of
 * SQLite's EXPLAIN QUERY PLAN of its query, one a line (for tests and
 * diagnosis); NULL on error. */
char *store_search_explain(struct mg_store *store, const struct store_query *q, GError **error);

/* Add the messages written since the last call to the search index
 * (search-index.c), in batches of one write each; `added` (may be NULL)
 * says how many. Searches are right without it, only slower for the
 * messages not indexed yet: cdr-web calls it every few seconds,
 * cdr-quarantine search before it searches. */
gboolean store_index_catch_up(struct mg_store *store, guint64 *added, GError **error);

struct store_totals {
	guint64 messages;  /* stored */
	guint64 bytes;     /* of their originals */
	guint64 receiving; /* originals without a record yet */
	guint64 disk;      /* bytes the database uses (index, records, originals) */
	gint64 oldest;     /* arrival of the oldest stored message, 0 when none */
};

gboolean store_get_totals(struct mg_store *store, struct store_totals *totals, GError **error);

/* ---- purge ---------------------------------------------------------------- */

struct store_purged {
	guint64 messages;  /* stored messages removed */
	guint64 bytes;     /* their originals' bytes */
	guint64 abandoned; /* "receiving" originals over an hour old removed */
	guint64 events;    /* events older than max_age removed */
};

/*
 * Remove messages older than `max_age` seconds (0: every message stored
 * up to now; negative: no age limit), then the oldest until the
 * database uses at most `max_bytes` (0: no size limit), with their
 * recipients, attachments, PPAP entries and releases; events older than
 * `max_age` when it is positive; and abandoned originals. In
 * transactions of fifty messages each, resting as long after each as it
 * took, so writers (the milter, here or in another process) never wait
 * long. Freed space is reused by new messages: the database
 * file does not shrink. Returns what was removed in `purged`.
 */
gboolean store_purge(struct mg_store *store, gint64 max_age, guint64 max_bytes,
		     struct store_purged *purged, GError **error);

/* ---- check ---------------------------------------------------------------- */

/* What store_check() found. A crash cannot leave an index row without
 * its original or the other way round (one transaction); a damaged disk
 * or a hand on the database can. */
struct store_check {
	gboolean repair;             /* asked to remove what does not belong */
	char *integrity;             /* SQLite's quick_check findings; NULL: none */
	GPtrArray *without_original; /* char*: ids whose original is missing */
	GPtrArray *without_record;   /* char*: originals without an index row (row numbers) */
};

/* Check the store; with `repair`, remove the index rows without an
 * original and the originals without an index row (nothing else). */
gboolean store_check(struct mg_store *store, gboolean repair, struct store_check *check,
		     GError **error);
void store_check_clear(struct store_check *check);

/* ---- import (cdr-quarantine migrate) ------------------------------------- */

/* Store an original and its record in one transaction, under the id it
 * already has (a message of the old directory quarantine). An id
 * already in the store is STORE_ERROR_EXISTS; an original whose SHA-256
 * is not m->sha256 (when set: the record's) is STORE_ERROR_INVALID. */
gboolean store_import(struct mg_store *store, const char *id, int fd,
		      const struct store_message *m, GError **error);

/* ---- PPAP: messages waiting for a password mail -------------------------- */

/*
 * A message put with ppap_wait is "waiting". The pairing step looks for
 * candidates, claims one (only one session at a time can: "trying"),
 * tries the passwords it found, and finishes: "opened" (a password
 * worked; the follow-up was made), back to "waiting" with one more try
 * recorded, or "exhausted" (max tries). A claim names its session (an
 * open store in one process; the session ends when the store is closed
 * or the process dies, SIGKILL included). Before each follow-up is
 * submitted, its Message-ID is recorded (store_ppap_submitting()): from
 * then on the entry is never submitted again by itself. A claim whose
 * session ended (store_ppap_recover()) waits again when no submission
 * had started, else it is "failed" (the follow-up may or may not have
 * gone out: a person checks and releases by hand). A claim of another
 * live session left "trying" longer than `stale` seconds without a
 * submission may be claimed again.
 */
enum store_ppap_state {
	STORE_PPAP_WAITING,
	STORE_PPAP_TRYING,
	STORE_PPAP_OPENED,
	STORE_PPAP_EXHAUSTED,
	STORE_PPAP_FAILED, /* a follow-up's submission was cut short: never again by itself */
};

const char *store_ppap_state_name(enum store_ppap_state state);

/* Whether a delivered message with a password-protected attachment from
 * `sender` (any case) arrived at or after `since`: the question the milter
 * asks of every message before it looks for passwords in it. One read of
 * the encrypted messages of the window (the partial index
 * messages_encrypted), never of the others, never of the search index.
 * FALSE with `error` when the store cannot say. */
gboolean store_ppap_sender_waits(struct mg_store *store, const char *sender, gint64 since,
				 GError **error);

/* Ids of the messages waiting (or trying for longer than `stale`
 * seconds, no submission started) from envelope `sender` whose From address is `from_address`
 * (both ASCII case-insensitive, the sender without a BATV tag
 * "prvs=KDDDSSSSSS=" in front; a message or a password mail without a
 * From address pairs with nothing), arrived at or after `since`, with
 * fewer than `max_tries` tries, and whose every recipient is one of
 * `recipients` (a NULL-terminated list), stored before the message
 * `before` (the password mail: one stored after it, even in the same
 * second, is no candidate; NULL: any): nearest (newest) first. Caller
 * frees the array. */
GPtrArray *store_ppap_candidates(struct mg_store *store, const char *sender,
				 const char *from_address, const char *const *recipients,
				 gint64 since, guint max_tries, gint64 stale, const char *before,
				 GError **error);

/* waiting (or trying for longer than `stale` seconds, no submission
 * started) -> trying, by this store's session. STORE_ERROR_STATE when
 * someone else has it or it is finished. */
gboolean store_ppap_claim(struct mg_store *store, const char *id, gint64 stale,
			  GError **error);

/* trying -> `state` (waiting, opened or exhausted), `tried` more tries
 * counted (the passwords tried: [ppap] max_tries counts passwords).
 * `password_hash` (a short hash prefix, never the password) and `by`
 * (who or what tried) go into the events. */
gboolean store_ppap_finish(struct mg_store *store, const char *id, enum store_ppap_state state,
			   guint tried, const char *password_hash, const char *by,
			   GError **error);

/* Before submitting a follow-up of the entry this session claimed:
 * its Message-ID, durably. STORE_ERROR_STATE when the claim is no
 * longer this session's (then nothing may be submitted). */
gboolean store_ppap_submitting(struct mg_store *store, const char *id, const char *message_id,
			       GError **error);

/* trying -> failed, with `reason` (an event too): a follow-up went out
 * to some recipients and not to others, or its fate is unknown. Never
 * tried again by itself; cdr-quarantine release still works. */
gboolean store_ppap_fail(struct mg_store *store, const char *id, const char *reason,
			 const char *by, GError **error);

/* What store_ppap_recover() did. */
struct store_ppap_recovered {
	guint reclaimed;     /* claims of ended sessions, no submission: waiting again */
	guint failed;        /* claims of ended sessions that had started submitting */
	guint expired;       /* password mails older than `since`: pairing dropped */
	GPtrArray *pairings; /* char*: password mails whose pairing is now this
			      * session's to run, oldest first */
};

/* Take up what sessions that ended (a crash) left: their PPAP claims
 * (see above; claims of live sessions older than `stale` too), and the
 * pairings of their password mails (put with ppap_pair) arrived at or
 * after `since`, now this session's (older ones are dropped, an
 * event). Durable; events by `by`. Clear `out` with
 * store_ppap_recovered_clear(). */
gboolean store_ppap_recover(struct mg_store *store, gint64 since, gint64 stale, const char *by,
			    struct store_ppap_recovered *out, GError **error);
void store_ppap_recovered_clear(struct store_ppap_recovered *out);

/* The pairing of password mail `id` finished: its mark is cleared. */
gboolean store_ppap_pair_done(struct mg_store *store, const char *id, GError **error);

struct store_ppap {
	char *id;
	enum store_ppap_state state;
	guint tries;
	gint64 updated;
	char *owner;      /* the claiming session; NULL when not claimed */
	char *submitting; /* Message-IDs of follow-ups whose submission started */
	char *reason;     /* why failed */
};

/* The PPAP entry of a message; STORE_ERROR_NOT_FOUND when none. */
struct store_ppap *store_ppap_get(struct mg_store *store, const char *id, GError **error);
void store_ppap_free(struct store_ppap *p);
typedef struct store_ppap store_ppap;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(store_ppap, store_ppap_free)

/* ---- releases --------------------------------------------------------------- */

/*
 * A release asks for a message to be re-processed in sanitize mode and
 * delivered. States: requested -> approved | denied; approved -> sending
 * (one process claims it: a release is never delivered twice) ->
 * delivered | failed. An administrator's own release is approved at once.
 * Every change is an event too.
 *
 * At most once, and visible: a claim names its session (as a PPAP claim
 * does), and the Message-ID of the message about to be submitted is
 * recorded before the submission starts (store_release_submitting()).
 * A claim whose session ended (SIGKILL, power loss) is taken up by
 * store_release_recover(): approved again when no submission had
 * started (reason STORE_RELEASE_INTERRUPTED), else finished failed
 * "uncertain" naming that Message-ID (STORE_RELEASE_UNCERTAIN). A claim
 * of a live session, or of one that cannot be checked, is never touched.
 */
enum store_release_state {
	STORE_RELEASE_REQUESTED,
	STORE_RELEASE_APPROVED,
	STORE_RELEASE_DENIED,
	STORE_RELEASE_SENDING,
	STORE_RELEASE_DELIVERED,
	STORE_RELEASE_FAILED,
};

const char *store_release_state_name(enum store_release_state state);

struct store_release {
	gint64 number;          /* the release's own number */
	char *id;               /* the message */
	enum store_release_state state;
	GPtrArray *recipients;  /* char*: who gets it */
	char *requested_by;     /* the Unix user, or the web console's user */
	char *origin;           /* where from: "cdr-quarantine pid 1234 on tty pts/0" */
	gint64 requested_at;
	char *decided_by;       /* who approved or denied; NULL */
	gint64 decided_at;
	gint64 finished_at;     /* delivered or failed */
	char *delivered;        /* what was delivered (a summary), NULL */
	char *delivered_id;     /* the delivered message's Message-ID, NULL */
	char *reason;           /* why denied or failed, NULL */
};

void store_release_free(struct store_release *r);
typedef struct store_release store_release;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(store_release, store_release_free)

/* A failed release whose submission's answer was lost (the relay or
 * sendmail may have taken it: submit.h "uncertain") is finished failed
 * with a reason that begins with this: it is never claimed again, and a
 * new release to its recipients needs the administrator's force. */
#define STORE_RELEASE_UNCERTAIN "uncertain: "

/* TRUE for such a release. */
gboolean store_release_uncertain(const struct store_release *r);

/* An approved release whose claim was taken up from a process that
 * stopped before submitting (nothing went out) has a reason that begins
 * with this. */
#define STORE_RELEASE_INTERRUPTED "interrupted: "

/* A new release of message `id` to `recipients` (NULL-terminated, at
 * least one). Refused (STORE_ERROR_NOT_RELEASABLE) when the message is
 * not releasable. Approved at once when `approved`. Returns its number,
 * 0 on error. */
gint64 store_release_request(struct mg_store *store, const char *id,
			     const char *const *recipients, const char *by, const char *origin,
			     gboolean approved, GError **error);

/* requested -> approved or denied (with `reason`). */
gboolean store_release_decide(struct mg_store *store, gint64 number, gboolean approve,
			      const char *by, const char *origin, const char *reason,
			      GError **error);

/* approved (or failed, to try again, unless uncertain) -> sending, by
 * this store's session: the caller is now the only one delivering it.
 * STORE_ERROR_STATE otherwise. */
gboolean store_release_claim(struct mg_store *store, gint64 number, GError **error);

/* Before submitting the message of release `number`, which this
 * store's session claimed: its Message-ID, durably (an event too).
 * STORE_ERROR_STATE when the claim is no longer this session's (then
 * nothing may be submitted). */
gboolean store_release_submitting(struct mg_store *store, gint64 number, const char *message_id,
				  GError **error);

/* What store_release_recover() did: release numbers (gint64). */
struct store_release_recovered {
	GArray *approved;  /* no submission had started: approved again */
	GArray *uncertain; /* a submission had started: failed, uncertain */
};

/* Take up the claims ("sending") of sessions that ended: see above.
 * Durable; events by `by`. Clear `out` with
 * store_release_recovered_clear(). */
gboolean store_release_recover(struct mg_store *store, const char *by,
			       struct store_release_recovered *out, GError **error);
void store_release_recovered_clear(struct store_release_recovered *out);

/* sending -> delivered (what, and the delivered message's Message-ID)
 * or failed (reason). */
gboolean store_release_finish(struct mg_store *store, gint64 number, gboolean delivered,
			      const char *what, const char *message_id, const char *reason,
			      GError **error);

/* store_release_finish(), delivered to `reached` only (NULL-terminated;
 * NULL: every recipient): the release's recipients become those, so the
 * ones the relay refused may be released to again. */
gboolean store_release_finish_to(struct mg_store *store, gint64 number, gboolean delivered,
				 const char *const *reached, const char *what,
				 const char *message_id, const char *reason, GError **error);

/* The releases of message `id` (NULL: of every message) in `state`
 * (negative: any), oldest first. */
GPtrArray *store_releases(struct mg_store *store, const char *id, int state, GError **error);

/* ---- events: who did what, when, from where -------------------------------- */

/*
 * What people and the later steps did to stored messages: extract,
 * release requests and their changes, PPAP tries, migrate and purge
 * runs. A message's arrival is its row, not an event; the milter's
 * audit log (JSON lines) stays the record of every message. Events keep
 * the message id as text, so they outlive the message (until max_age).
 */
struct store_event {
	gint64 number;
	gint64 time;
	char *id;      /* the message; NULL for store-wide events (purge) */
	char *what;    /* "extract", "release-requested", "ppap-tried", ... */
	char *by;      /* a user, or a program ("cdr-milter") */
	char *origin;  /* where from */
	char *detail;  /* JSON object text, NULL */
};

void store_event_free(struct store_event *e);
typedef struct store_event store_event;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(store_event, store_event_free)

/* Add one (in its own durable transaction). `detail`: a JSON object's
 * text or NULL. */
gboolean store_event_add(struct mg_store *store, const char *id, const char *what,
			 const char *by, const char *origin, const char *detail, GError **error);

/* The events of message `id` (NULL: all), oldest first, at most `limit`
 * (0: all) of the newest. */
GPtrArray *store_events(struct mg_store *store, const char *id, guint limit, GError **error);

/* ---- the web console's dashboard and audit pages (store-stats.c) ---------- */

/*
 * Counts over the stored messages that arrived in [since, until) (Unix
 * seconds; a message still "receiving" is never counted). Each is one
 * query that reads the range through the time index, never the whole
 * quarantine.
 */

/* A named count: a verdict with its action, a removal reason, a sender. */
struct store_count {
	char *name;   /* never NULL ("" for a missing verdict, the <> sender) */
	char *detail; /* verdicts: the action; reasons: "removed" (an action name
		       * of mugaika(7)) or "blocked" (an error kind); NULL */
	guint64 count;
};

void store_count_free(struct store_count *c);

#define STORE_STATS_MAX_DAYS 366

/* Stored messages per day: `days` days of 86,400 seconds from `since`
 * (which the caller makes a midnight of its time zone: the console uses
 * the gateway's local time, in which an administrator thinks of "today";
 * a day with a daylight-saving change would be off by its hour, and
 * Japan has none). A GArray of `days` guint64, day 0 first, zeros
 * included. */
GArray *store_stats_per_day(struct mg_store *store, gint64 since, guint days, GError **error);

/* The count of each verdict ("" when no worker ran) and action pair,
 * most first: struct store_count*. */
GPtrArray *store_stats_verdicts(struct mg_store *store, gint64 since, gint64 until,
				GError **error);

/* The `limit` (0: all) commonest removal reasons, most first: each
 * attachment's removed actions (counted as the record counted them),
 * the error kind of each attachment blocked and of each message blocked
 * whole, and the actions of the report's top (the body). */
GPtrArray *store_stats_reasons(struct mg_store *store, gint64 since, gint64 until,
			       guint limit, GError **error);

/* The `limit` (0: all) envelope senders (ASCII case folded) with the
 * most messages that had blocked content: the message or an attachment
 * blocked, malware found, or the message withheld or rejected. */
GPtrArray *store_stats_blocked_senders(struct mg_store *store, gint64 since, gint64 until,
				       guint limit, GError **error);

/* At most `limit` events numbered below `before` (0: the newest),
 * newest first: an audit log page by page (the next page is `before` =
 * the last one's number). */
GPtrArray *store_events_page(struct mg_store *store, gint64 before, guint limit,
			     GError **error);

enum store_stats {
	STORE_STATS_PER_DAY,
	STORE_STATS_VERDICTS,
	STORE_STATS_REASONS,
	STORE_STATS_BLOCKED_SENDERS,
	STORE_STATS_EVENTS_PAGE,
};

/* SQLite's query plan of one of the queries above, one step a line
 * ("SEARCH messages USING INDEX messages_time (time>? AND time<?)"):
 * for the tests, and to find out why a dashboard is slow. */
char *store_stats_explain(struct mg_store *store, enum store_stats which, GError **error);
