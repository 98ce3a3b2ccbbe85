/*
 * NAME
 *	cdr.h - the mugaika content-disarm engine, as seen from outside
 * SUMMARY
 *	Verdicts, error kinds, the handler interface and the engine entry point.
 * DESCRIPTION
 *	The engine is a pure function: bytes + a name in, rebuilt bytes + a
 *	report out. Front ends reach it through the worker pool (pool.h); unit
 *	tests and fuzzers call it in-process.
 */
#pragma once

#include <glib.h>

#include "policy.h"
#include "report.h"

struct cdr_engine;
struct cdr_job;
struct cdr_charsets;
struct cdr_excerpt;

/* Facts about one object, fixed before a handler sees it. */
struct cdr_input {
	const guint8 *data;
	gsize len;
	const char *name;       /* file name as declared (may be NULL) */
	const char *magic_type; /* libmagic's MIME type of the bytes */
	unsigned depth;         /* 0 = top-level object */
};

/* What a handler produces. `data` is allocated by the engine. */
struct cdr_output {
	GByteArray *data;
	const char *type; /* MIME type of the rebuilt object */
	const char *ext;  /* its canonical extension, without the dot */
	/* Optional: the name to derive the output name from instead of the
	 * input's (report.csv for report.csv.gz); g_malloc'd, the engine frees it. */
	char *name;
};

enum cdr_handler_flags {
	CDR_CONTAINER = 1 << 0, /* may call cdr_job_sanitize_child() */
	/* bids on its own signature check (in->magic_type is NULL then) and
	 * rebuilds everything it outputs, so libmagic's slow second opinion
	 * (~2 ms on text) is not needed when it claims the bytes */
	CDR_SELF_TYPED = 1 << 1,
};

struct cdr_handler {
	const char *name;              /* log tag and report "handler" */
	unsigned flags;                /* enum cdr_handler_flags */
	const char *const *extensions; /* names this type may carry; [0] canonical */
	const char *mime_type;         /* default output type */
	/* Optional: once per process, before the sandbox (load what needs files). */
	gboolean (*init)(GError **error);
	/* 0 = not mine; the highest bid wins. Must only look at the bytes. */
	int (*bid)(const struct cdr_input *in);
	/* Rebuild in->data into out->data. On BLOCKED, call cdr_job_error(). */
	enum cdr_verdict (*sanitize)(struct cdr_job *job, const struct cdr_input *in,
				     struct cdr_output *out);
	/* Optional: the object's text for a reader, added with
	 * cdr_excerpt_add() until it says the excerpt is full (mail text
	 * mode shows it in place of the removed attachment). FALSE with
	 * *reason (g_malloc'd, one line, Japanese / English) when there is
	 * none to give. Never writes anything but text. */
	gboolean (*excerpt)(struct cdr_excerpt *x, const struct cdr_input *in, char **reason);
};

/* Settings a front end chooses per top-level object (the milter: per
 * message, from its envelope). Zeroed fields mean "as the policy says". */
struct cdr_run_params {
	const char *mail_mode;     /* "text" or "sanitize"; NULL: [mail] mode */
	/* "text", "defang" or "remove"; NULL: [mail] links */
	const char *mail_links;
	const char *quarantine_id; /* where the original is kept, for notices */
	/* The top-level object goes to this handler without detection (the
	 * milter: every message is mail, whatever its first bytes look like,
	 * so an odd header block cannot steer it to a lesser handler). */
	const char *handler;
	/* Archives: passwords to try, one per line (cdr-file --password-file). */
	const char *passwords;
	/* The front end's virus scan found the top-level object infected with
	 * this signature (cdr-milter, [av] on_infected = remove): every part
	 * of it is scanned on its own and the infected ones are blocked
	 * (malware); when no part is, the object is blocked as a whole. */
	const char *infected;
	/* Mail: what to make of the message instead of its converted copy
	 * (mime.h): "followup" (the follow-up of a paired PPAP message: the
	 * original with the passwords, in the recipient's mode), "release"
	 * (the original disarmed in sanitize mode, whatever the mode), or
	 * "passwords" (the candidates the text gives, one per line, as the
	 * output: never for a log or the audit). */
	const char *mail_build;
	/* Mail: strings to replace with ******** in the subject and text, one
	 * per line, when [ppap] mask_password is set (a paired password
	 * message's passwords). */
	const char *mask;
	/* Mail: the web console's link for this message's reader, shown in
	 * the notice ({release_url}); NULL: none. */
	const char *release_url;
};

/* TRUE when the params are acceptable (known mode; id of [A-Za-z0-9_-],
 * at most CDR_MAX_QUARANTINE_ID bytes). */
#define CDR_MAX_QUARANTINE_ID 64
#define CDR_MAX_HANDLER_NAME 32
#define CDR_MAX_PASSWORDS 65536 /* bytes of the password list */
#define CDR_MAX_SIGNATURE 256   /* a virus scanner's signature name (printable ASCII) */
#define CDR_MAX_MAIL_BUILD 16   /* "followup", "release", "passwords" */
#define CDR_MAX_RELEASE_URL 2048 /* http(s), printable ASCII without quotes or spaces */
gboolean cdr_run_params_valid(const struct cdr_run_params *params);

/* Handlers compiled in, in bidding order, NULL-terminated (sanitizer/all.c). */
extern const struct cdr_handler *const cdr_builtin_handlers[];

/*
 * Create an engine: loads the libmagic database and opens the charset
 * converters, so it must be called before the sandbox is applied. `extra`
 * handlers (tests only) bid alongside the built-in ones; may be NULL.
 * The policy must outlive the engine.
 */
struct cdr_engine *cdr_engine_new(const struct cdr_policy *policy,
				  const struct cdr_handler *const *extra, GError **error);
void cdr_engine_free(struct cdr_engine *engine);

/* The top-level inputs this engine is given are read-only mappings of
 * files (the worker's memfds), so pages a handler is done with can be let
 * go: cdr_job_release_input() then returns them (they are read back from
 * the file if touched again). Off by default: a heap buffer's pages would
 * be lost. */
void cdr_engine_set_input_mapped(struct cdr_engine *engine, gboolean mapped);

/*
 * Sanitize one top-level object. Returns its report (caller owns it).
 * *out receives the rebuilt bytes when the verdict is CLEAN or SANITIZED,
 * NULL when BLOCKED. Never returns the original bytes as output.
 */
struct cdr_report *cdr_engine_run(struct cdr_engine *engine, const guint8 *data, gsize len,
				  const char *name, GByteArray **out);
/* The same with per-run settings (`params` may be NULL). */
struct cdr_report *cdr_engine_run_with(struct cdr_engine *engine, const guint8 *data,
				       gsize len, const char *name,
				       const struct cdr_run_params *params, GByteArray **out);

/* What the front end's virus scanner (clamd) says about bytes the engine
 * hands it (pool.h: over the worker's socket). */
enum cdr_scan_result {
	CDR_SCAN_CLEAN,
	CDR_SCAN_INFECTED, /* detail: the signature name */
	CDR_SCAN_REFUSED,  /* not scanned (over [av] stream_max_bytes): that object is blocked */
	CDR_SCAN_FAILED,   /* no scan possible (clamd away): the whole top-level object fails */
	CDR_SCAN_COUNT
};

/* A scanner: *detail (g_malloc'd) is the signature name or why not. */
typedef enum cdr_scan_result (*cdr_scan_fn)(const guint8 *data, gsize len, const char *name,
					    char **detail, gpointer user_data);

/* Who scans what the engine hands back (the worker: its front end, over
 * the socket). Without one, every scan fails, and so does every object
 * that needs one ([av] clamd set): fail closed. */
void cdr_engine_set_scanner(struct cdr_engine *engine, cdr_scan_fn scan, gpointer user_data);

/* libmagic's MIME type for a buffer (the engine's own libmagic handle). */
const char *cdr_engine_magic_type(struct cdr_engine *engine, const guint8 *data, gsize len);

/* ---- for handlers ---------------------------------------------------- */

/* The engine's charset converters (charset.h). */
struct cdr_charsets *cdr_engine_charsets(struct cdr_engine *engine);

const struct cdr_policy *cdr_job_policy(const struct cdr_job *job);
/* The run's settings; never NULL (all fields NULL when none were given). */
const struct cdr_run_params *cdr_job_params(const struct cdr_job *job);
/* The mail mode in effect: the run's, else the policy's. */
const char *cdr_job_mail_mode(const struct cdr_job *job);
/* The link style in effect ([mail] links): the run's, else the policy's. */
const char *cdr_job_mail_links(const struct cdr_job *job);
struct cdr_engine *cdr_job_engine(const struct cdr_job *job);

/* Mail handlers: the decoded Subject and the Message-ID, for audit logs
 * (the front ends never parse the message themselves). Either may be NULL. */
void cdr_job_mail_facts(struct cdr_job *job, const char *subject, const char *message_id);
/* Mail handlers: the decoded From header and its (first) address, for the
 * quarantine's index and the pairing of password mails. Either may be NULL. */
void cdr_job_mail_sender(struct cdr_job *job, const char *from, const char *from_address);
/*
 * Blocking an object: one way. The code that finds the problem decides its
 * kind (mugaika(7) "Error kinds"), nobody after it:
 *  - a handler records it with cdr_job_error() where it finds it;
 *  - code below a handler with no job (a reader, a decoder, a check)
 *    fills in a struct cdr_failure, which the handler records unchanged
 *    with cdr_job_fail();
 *  - a container whose child's block ends it records the child's kind and
 *    reason unchanged with cdr_job_fail_as_child().
 * The first block recorded on an object stands; a handler that returns
 * CDR_BLOCKED without one is a bug the engine reports as `internal`.
 */

/* Record why the current object is blocked; returns CDR_BLOCKED. */
enum cdr_verdict cdr_job_error(struct cdr_job *job, enum cdr_error code, const char *fmt, ...)
	G_GNUC_PRINTF(3, 4);

/* A problem found where there is no job: its kind and reason (static text). */
struct cdr_failure {
	enum cdr_error kind;
	const char *why;
};

/* Fill in *f (when it is empty: the first problem found stands); returns
 * FALSE, for `return cdr_failure_set(...)` in a gboolean function. */
gboolean cdr_failure_set(struct cdr_failure *f, enum cdr_error kind, const char *why);

/* Record *f on the current object, its reason after "`where`: " (where
 * may be NULL); returns CDR_BLOCKED. An empty *f is recorded as internal. */
enum cdr_verdict cdr_job_fail(struct cdr_job *job, const char *where, const struct cdr_failure *f);

/* Containers: block the current object because of its blocked child
 * `child` (a budget of the whole object ran out in it, or nothing is left
 * but it): the child's kind, reason and virus name, unchanged, the reason
 * after `prefix` (may be NULL) unless it already starts with it.
 * Returns CDR_BLOCKED. */
enum cdr_verdict cdr_job_fail_as_child(struct cdr_job *job, const struct cdr_report *child,
				       const char *prefix);

/* Record a removal on the current object: what (an action name from
 * actions.h), where (part/chunk/marker, may be NULL) and how many. */
void cdr_job_action(struct cdr_job *job, const char *what, const char *where, unsigned count);

/* Charge decoded/expanded bytes to the top-level object's budget.
 * Returns FALSE (and records the limit) when the budget is exceeded. */
gboolean cdr_job_charge_expanded(struct cdr_job *job, guint64 bytes);

/* FALSE (and the limit recorded) when the job's wall-time budget is spent. */
gboolean cdr_job_check_time(struct cdr_job *job);

/*
 * Containers: sanitize one child object through the whole engine (type
 * detection, name checks, limits) at depth+1. The child's report nests
 * under the current one. Returns the child's verdict; *out as for
 * cdr_engine_run().
 */
enum cdr_verdict cdr_job_sanitize_child(struct cdr_job *job, const guint8 *data, gsize len,
					const char *name, GByteArray **out);

/* Bytes the front end's virus scan of the original could not see. */
enum cdr_revealed {
	CDR_REVEALED_DECRYPTED, /* opened with a password: clamd saw ciphertext */
	CDR_REVEALED_UNREAD,    /* unpacked from a format clamd does not read */
};

/*
 * With [av] clamd set, bytes a handler revealed are scanned before they
 * are used: [av] scan = original+decrypted hands them to the front end's
 * scanner, scan = original blocks them. Returns CDR_CLEAN when they may
 * be used; otherwise the current object is blocked (malware, a limit, not
 * scanned) and CDR_BLOCKED returned, and when the scanner was unavailable
 * cdr_job_budget_spent() is TRUE: the whole top-level object fails.
 */
enum cdr_verdict cdr_job_scan_revealed(struct cdr_job *job, const guint8 *data, gsize len,
				       enum cdr_revealed how);

/* cdr_job_sanitize_child() for a child the handler revealed: scanned as
 * above first, blocked without going further when that says so. */
enum cdr_verdict cdr_job_sanitize_revealed_child(struct cdr_job *job, const guint8 *data,
						 gsize len, const char *name,
						 enum cdr_revealed how, GByteArray **out);

/*
 * A part the handler removes without sanitizing it (a mail attachment in
 * text mode), when the top-level object was found infected (run params
 * `infected`): scanned so that the report can name it. Returns its report
 * (a child, blocked as malware) when it is infected, NULL otherwise; when
 * the scanner was unavailable, cdr_job_budget_spent() is TRUE.
 */
const struct cdr_report *cdr_job_scan_removed_part(struct cdr_job *job, const guint8 *data,
						   gsize len, const char *name);

/* Passwords a handler found for the rest of the object (mail: written in
 * the message's text, [mail] passwords_in_text), one per line, tried
 * after the run's (cdr-file --password-file). */
void cdr_job_add_passwords(struct cdr_job *job, const char *passwords);
/* The passwords archives try: the run's, then those added; NULL: none. */
const char *cdr_job_passwords(const struct cdr_job *job);

/* One password try for the top-level object ([ppap] max_tries tries per
 * message, all its archives together); FALSE once they are spent. */
gboolean cdr_job_take_password_try(struct cdr_job *job);
/* A password opened an archive: later archives of the object try it
 * first, and mail masks it ([ppap] mask_password). */
void cdr_job_password_opened(struct cdr_job *job, const char *password);
/* The passwords that opened something so far, one per line; NULL: none. */
const char *cdr_job_opened_passwords(const struct cdr_job *job);

/* How many more bytes the top-level object may expand to before
 * max_expanded_bytes or max_ratio is reached: a container decompressing a
 * member stops there instead of finding out after the fact. */
guint64 cdr_job_expand_allowance(const struct cdr_job *job);

/* TRUE once a budget of the whole top-level object (expanded bytes,
 * children, ratio) has run out: a container must then give up entirely,
 * not just drop the child that hit it. */
gboolean cdr_job_budget_spent(const struct cdr_job *job);

/* The handler will not read these input bytes again soon (a part already
 * streamed): when the top-level input is a file mapping and the range lies
 * in it, its whole pages leave memory. Otherwise nothing happens. */
void cdr_job_release_input(struct cdr_job *job, const guint8 *from, gsize len);

/* The output name of the last child sanitized (its report's out_name). */
const struct cdr_report *cdr_job_last_child(const struct cdr_job *job);

/* The action places in the report of the object being sanitized, and
 * every name, output name and action place of the objects inside it,
 * passed through `mask` with `secrets` (a handler that learns passwords
 * only after naming what it held: [ppap] passwords are never in a
 * report). The object's own names are the front end's, and reasons the
 * engine's words that front ends read: left as they are. */
void cdr_job_mask_report(struct cdr_job *job, guint (*mask)(GString *text, const char *secrets),
			 const char *secrets);

/* ---- text excerpts (excerpt.c) -------------------------------------------- */

/*
 * The text of an object for a reader, at most `max_chars` characters after
 * normalization (NFC; controls other than tab and line feed removed;
 * bidi, zero-width and other format characters shown as "[U+XXXX]"; runs
 * of blank lines made one). The object is detected as for sanitizing and
 * handed to its handler's excerpt entry point; nothing is charged to the
 * object's budgets and nothing is recorded on the job: a failure (unknown
 * type, parse error, its share of the wall time spent) returns NULL with
 * *reason, one line for the reader. A text cut short ends in "…".
 */
char *cdr_job_excerpt(struct cdr_job *job, const guint8 *data, gsize len, const char *name,
		      gsize max_chars, char **reason);

/* Text with the blanks at its line ends removed, at most one blank line
 * in a row and none at either end (excerpts, HTML rendered as text). */
char *cdr_text_tidy_lines(const char *text);

/* For excerpt entry points: append text (UTF-8, made valid); FALSE once
 * the excerpt has all it will use, when the handler should stop. */
gboolean cdr_excerpt_add(struct cdr_excerpt *x, const char *text, gssize len);
/* FALSE once the excerpt's share of the job's wall time is spent. */
gboolean cdr_excerpt_in_time(const struct cdr_excerpt *x);
/* The most decoded bytes an excerpt entry point may read from the object
 * (parts decompressed, streams decoded): reading stops there. */
#define CDR_EXCERPT_MAX_READ (64u << 20)
struct cdr_job *cdr_excerpt_job(const struct cdr_excerpt *x);
