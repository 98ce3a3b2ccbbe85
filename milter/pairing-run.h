/*
 * NAME
 *	pairing-run.h - one password mail paired with the message it opens
 * SUMMARY
 *	The matching and its bookkeeping, apart from the milter: which
 *	waiting messages a password mail may open (the store's candidates:
 *	same envelope sender and From address, recipients among the password
 *	mail's, within [ppap] pair_window of its arrival, fewer than
 *	max_tries tries, nearest earlier first), the claim, the rebuild
 *	with the passwords, the Message-ID of each follow-up recorded before
 *	it is submitted, and the finish. The rebuild, the submission and the
 *	link style come through struct pairing_ops, so that the unit tests
 *	run it with a store and fakes, without a worker or a relay.
 */
#pragma once

#include "cdr.h"
#include "policy.h"
#include "report.h"
#include "store.h"
#include "submit.h"

struct pairing_ops {
	/* The original of `id` rebuilt with `params` (mail_build
	 * "followup"): the report, NULL with `error` when it cannot be
	 * read; in *out_fd the follow-up, or -1 when it was blocked. */
	struct cdr_report *(*build)(gpointer data, const char *id,
				    const struct cdr_run_params *params, int *out_fd,
				    GError **error);
	/* Submit `fd` to `to` (NULL-terminated); fills `res`. */
	void (*submit)(gpointer data, const char *const *to, int fd, struct submit_result *res);
	/* The link style for these recipients (NULL-terminated). */
	const char *(*links)(gpointer data, const char *const *to);
	/* The web console's link for these recipients of message `id`
	 * ([web] base_url), g_malloc'd; NULL, or no function: none. */
	char *(*release_url)(gpointer data, const char *id, const char *const *to);
	gpointer data;
	guint submit_tries;      /* submissions the relay deferred are tried this often */
	guint submit_pause;      /* seconds apart */
	gint64 claim_stale;      /* seconds another live session's claim holds */
};

/* Waiting messages one password mail is tried on at most (nearest
 * first): each costs a rebuild by a worker; the others wait for their
 * own password mail or cdr-quarantine release. */
#define PAIRING_MAX_CANDIDATES 8

/* The password message and what it gives. */
struct pairing_mail {
	const char *id;           /* its quarantine id */
	gint64 time;              /* its arrival */
	const char *sender;       /* envelope sender */
	const char *from_address; /* the From header's address */
	const char *const *recipients; /* NULL-terminated */
	const char *passwords;    /* candidates, one per line: never logged or stored */
};

/* Pair `mail`: try the waiting candidates nearest first until one opens
 * (its follow-ups submitted, "opened") or none is left (each counted a
 * try per password given to it, at most what max_tries leaves it), at
 * most PAIRING_MAX_CANDIDATES of them; then its pairing mark is cleared. Returns the id opened, or
 * NULL. */
char *pairing_run(const struct cdr_policy *policy, struct mg_store *store,
		  const struct pairing_ops *ops, const struct pairing_mail *mail);

/* Password-protected zips in `report` that a password could open (the
 * archive handler's "encrypted", not the kinds it cannot decrypt). */
guint pairing_locked_zips(const struct cdr_report *report);

/* The same for a stored message, from its record's report. */
guint pairing_locked_in_record(const struct store_message *m);

/* A short hash of the candidates for the events: never the passwords. */
char *pairing_password_hash(const char *passwords);

/* Why a message with envelope `sender` and these header fields (`names`
 * and `values`, `n` of each, as the MTA gave them) takes no part in
 * pairing, neither as a waiting zip nor as a password mail; NULL when it
 * does. Mail that a program sent about other mail: the null sender or
 * MAILER-DAEMON (bounces), Auto-Submitted other than "no", X-Autoreply,
 * X-Autorespond or Precedence: auto_reply (vacation replies),
 * multipart/report (delivery and read reports), and X-Mugaika-Followup
 * (a follow-up or release come round again, or one forged). Such mail
 * quotes the mail it is about, password and zip included. */
const char *pairing_refusal(const char *sender, const char *const *names,
			    const char *const *values, guint n);
