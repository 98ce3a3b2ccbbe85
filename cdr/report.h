/*
 * NAME
 *	report.h - the verdict and action record of one object
 * SUMMARY
 *	Every object the engine sees gets a report: verdict, reason, the
 *	removals made, and the reports of its children (containers).
 * DESCRIPTION
 *	Verdict, error and action names are a public interface, documented in
 *	mugaika(7); tests/unit/test-docs.c checks the docs cover them.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

enum cdr_verdict {
	CDR_CLEAN,     /* rebuilt, nothing removed */
	CDR_SANITIZED, /* rebuilt, something removed */
	CDR_BLOCKED,   /* no output; reason says why */
};

enum cdr_error {
	CDR_E_NONE,
	CDR_E_PARSE,       /* malformed or truncated */
	CDR_E_LIMIT,       /* a configured limit was reached */
	CDR_E_UNSUPPORTED, /* no handler for this type */
	CDR_E_DANGEROUS,   /* executable, script, ... by content */
	CDR_E_NAME,        /* dangerous file name */
	CDR_E_ENCRYPTED,   /* password-protected content */
	CDR_E_TIMEOUT,     /* wall-time limit */
	CDR_E_CPU,         /* CPU-time limit */
	CDR_E_MEMORY,      /* memory limit */
	CDR_E_CRASH,       /* worker died */
	CDR_E_SANDBOX,     /* worker made a forbidden system call */
	CDR_E_INTERNAL,    /* bug or system error */
	CDR_E_MALWARE,     /* the virus scanner (clamd) named it: see malware */
	CDR_E_SCAN,        /* the virus scan could not be done: the whole object fails */
	CDR_E_COUNT
};

struct cdr_action {
	char *what;  /* action name, actions.h */
	char *where; /* may be NULL */
	unsigned count;
};

struct cdr_report {
	char *name;       /* declared name */
	char *out_name;   /* name for the rebuilt object (NULL when blocked) */
	char *detected;   /* libmagic MIME type of the input (NULL when the front end named the handler) */
	char *handler;    /* handler that took it (NULL if none) */
	char *handler_type; /* that handler's own type (archive: application/zip for a .7z too) */
	char *out_type;   /* MIME type of the output */
	enum cdr_verdict verdict;
	enum cdr_error error;
	char *reason;     /* human-readable, set when blocked */
	guint64 size_in;
	guint64 size_out;
	double elapsed;   /* seconds */
	char *subject;    /* mail: decoded Subject (UTF-8), for audit logs */
	char *message_id; /* mail: Message-ID */
	char *from;       /* mail: decoded From header, as a mail client shows it */
	char *from_address; /* mail: the (first) address in From, for pairing mails */
	char *malware;    /* error malware: the signature clamd named */
	GPtrArray *actions;  /* struct cdr_action* */
	GPtrArray *children; /* struct cdr_report* */
};

struct cdr_report *cdr_report_new(const char *name);
void cdr_report_free(struct cdr_report *report);
typedef struct cdr_report cdr_report;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(cdr_report, cdr_report_free)

/* Add or merge (same what and where) a removal. */
void cdr_report_add_action(struct cdr_report *report, const char *what, const char *where,
			   unsigned count);

/* Block with a reason; keeps the first reason if one is already set. */
void cdr_report_block(struct cdr_report *report, enum cdr_error error, const char *reason);

/* Block as malware named `signature`, whatever reason was set before
 * (a virus outranks what a handler found). */
void cdr_report_block_malware(struct cdr_report *report, const char *signature);

/* A virus scanner's signature name as reports carry it: 1 to 256
 * printable ASCII characters, no spaces. */
gboolean cdr_signature_valid(const char *name);

/* The first report of the tree (report, then its children) blocked as
 * malware; NULL when there is none. */
const struct cdr_report *cdr_report_find_malware(const struct cdr_report *report);

const char *cdr_verdict_name(enum cdr_verdict verdict);
const char *cdr_error_name(enum cdr_error error);
gboolean cdr_verdict_from_name(const char *name, enum cdr_verdict *verdict);
gboolean cdr_error_from_name(const char *name, enum cdr_error *error);

/* JSON (json-glib) form: used between worker and front end and in reports. */
JsonNode *cdr_report_to_json(const struct cdr_report *report);
char *cdr_report_to_json_string(const struct cdr_report *report);
/* json_to_string() that always produces valid JSON (escapes all controls). */
char *cdr_json_to_string(JsonNode *node);
struct cdr_report *cdr_report_from_json(JsonNode *node, GError **error);
struct cdr_report *cdr_report_from_json_string(const char *json, gsize len, GError **error);

/* "2 metadata, 1 trailing-data": the actions of a report and its children. */
char *cdr_report_action_summary(const struct cdr_report *report);
