/*
 * NAME
 *	release.h - deliver a stored message disarmed: the release core of
 *	cdr-quarantine release and cdr-web
 * SUMMARY
 *	gint64 n = release_request(store, policy, id, to, by, origin, approved, &error);
 *	... (cdr-web: an administrator approves: store_release_decide) ...
 *	release_deliver(store, policy, id, n, passwords, &what, &error);
 *
 *	A request is refused for a message blocked whole for malware or as
 *	dangerous (the store says it is not releasable), for an address
 *	neither among the original recipients nor in [release]
 *	allowed_recipients, and for recipients an earlier release reached
 *	or is reaching (sending, delivered, or approved within the hour).
 *	Delivery claims the release (approved -> sending, the store's
 *	compare-and-set: one process delivers it, once; the claim names
 *	this process's session, and the released message's Message-ID is
 *	recorded before it is submitted: release_recover()), checks once more
 *	against releases numbered before it (two at once: the later stands
 *	down), rebuilds the original in sanitize mode (mail_build
 *	"release": never raw, never text mode's removals) with a worker and
 *	[av], submits it through [release] relay, and finishes it delivered
 *	or failed. The rebuilt message goes to the return path, which has no
 *	milter: converted once, here, it never comes round again.
 *	Errors are in the RELEASE_ERROR domain, with a message for a person.
 */
#pragma once

#include "cdr.h"
#include "policy.h"
#include "report.h"
#include "store.h"
#include "submit.h"

#define RELEASE_ERROR (release_error_quark())
GQuark release_error_quark(void);

enum release_error {
	RELEASE_ERROR_REFUSED,    /* not releasable, an address not allowed, released already */
	RELEASE_ERROR_NOT_OPENED, /* the passwords opened no encrypted attachment */
	RELEASE_ERROR_FAILED,     /* the store, the worker or the submission failed */
};

/* For tests: rebuild and submit with these instead of a worker and
 * [release] relay (NULL: the real ones). */
struct release_ops {
	struct cdr_report *(*build)(gpointer data, const char *id,
				    const struct cdr_run_params *params, int *out_fd,
				    GError **error);
	void (*submit)(gpointer data, const char *const *to, int fd, struct submit_result *res);
	gpointer data;
};

void release_set_ops(const struct release_ops *ops);

/* The addresses a release of `m` goes to (NULL-terminated): `to`, each
 * an original recipient or in [release] allowed_recipients, or (to ==
 * NULL) the original recipients; each one address (white space and one
 * pair of angle brackets around it taken off) that the submission can
 * carry, in the spelling the original was delivered to (or the list's),
 * once whatever its case. NULL with REFUSED when one is not allowed. */
GPtrArray *release_recipients(const struct store_message *m, const struct cdr_policy *policy,
			      const char *const *to, GError **error);

/* A new release of message `id` to `to` (NULL: the original
 * recipients), approved at once when `approved`. Its number; 0 with
 * REFUSED or FAILED. */
gint64 release_request(struct mg_store *store, const struct cdr_policy *policy, const char *id,
		       const char *const *to, const char *by, const char *origin,
		       gboolean approved, GError **error);

/* release_request(), and with `force` a release to recipients an
 * earlier "uncertain" release (one whose submission's answer was lost:
 * it may have been delivered) reached: the administrator checked the
 * mail server's log. Never past a delivered or sending one. */
gint64 release_request_force(struct mg_store *store, const struct cdr_policy *policy,
			     const char *id, const char *const *to, const char *by,
			     const char *origin, gboolean approved, gboolean force,
			     GError **error);

/* Take up the releases whose delivering process stopped
 * (store_release_recover()): one line for a person about each, or NULL
 * with FAILED. A release approved again is delivered by the next
 * approved release_request() of the same message to the same
 * recipients (or by cdr-web's sweep, for the console's). */
GPtrArray *release_recover(struct mg_store *store, const char *by, GError **error);

/* What a delivered release sent. */
struct release_outcome {
	char *what;         /* the summary the store records: verdict, removals,
			     * the signatures of removed malware, the queue id */
	GPtrArray *malware; /* char*, NULL-terminated: those signatures */
	GPtrArray *not_reached; /* char*, NULL-terminated, or NULL: the recipients
				 * the relay refused while it took the message for
				 * the others (`what` gives its replies); a later
				 * release may go to them (the release records
				 * those it reached) */
	gboolean opened;        /* its passwords opened a zip that waited for a password
				 * mail: when every original recipient got it, the
				 * PPAP entry is finished (no follow-up after it) */
};

void release_outcome_clear(struct release_outcome *out);

/* release_deliver() with what was sent in *out (release_outcome_clear()).
 * `forced`: the release was requested with force (the same run): an
 * earlier uncertain one finished before its request does not stop it. */
gboolean release_deliver_outcome(struct mg_store *store, const struct cdr_policy *policy,
				 const char *id, gint64 number, const char *passwords,
				 gboolean forced, struct release_outcome *out, GError **error);

/* Deliver the approved release `number` of `id` (see above), with
 * `passwords` (one per line, or NULL) for its encrypted attachments.
 * TRUE when submitted, with what went out in *what; the store records
 * the outcome either way. */
gboolean release_deliver(struct mg_store *store, const struct cdr_policy *policy, const char *id,
			 gint64 number, const char *passwords, char **what, GError **error);

/* TRUE when `passwords` open at least one of the encrypted attachments
 * of `m` that a password can open (a rebuild that delivers nothing);
 * FALSE with NOT_OPENED when they open none, FAILED when the rebuild
 * failed. */
gboolean release_passwords_open(struct mg_store *store, const struct cdr_policy *policy,
				const struct store_message *m, const char *passwords,
				GError **error);
