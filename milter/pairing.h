/*
 * NAME
 *	pairing.h - PPAP pairing: a password mail opens an earlier zip
 * SUMMARY
 *	A message stored with a password-protected zip this gateway can
 *	open waits in the quarantine store for its password mail ([ppap]
 *	pair_window). A later message from the same envelope sender and
 *	From address to (a superset of) the same recipients gives its
 *	password candidates (the worker's mail_build "passwords"); after the
 *	password mail was answered, a thread of its own re-runs the waiting
 *	original with them (mail_build "followup", once per recipient mode)
 *	and submits the follow-up through [release] relay. The waiting
 *	entry is claimed in the store before anything is sent, and each
 *	follow-up's Message-ID recorded before it is submitted, so a
 *	follow-up goes out at most once, whichever milter (or restart)
 *	pairs it; the password mail's pairing mark, stored with it, makes a
 *	pairing cut short by a crash run again (pairing_recover()).
 * DESCRIPTION
 *	Passwords are never logged: the store's events get a short hash.
 */
#pragma once

#include "pairing-run.h"
#include "report.h"
#include "session.h"
#include "state.h"
#include "store.h"

/* [ppap] pair_window set and a [release] relay to submit to. */
gboolean pairing_enabled(const struct cdr_policy *policy);


/* pairing_refusal() of the session's message: NULL when it may pair. */
const char *pairing_session_refusal(const struct session *s);

/* The password candidates of the message in s->fd (one per line) when
 * some message from its envelope sender waits for a password; NULL
 * when none or pairing is off. Never logged. */
char *pairing_passwords(struct milter_state *st, struct mg_store *store, struct session *s);

/* After the password message `id` (stored as `m`, come in through a
 * milter in `role`) was answered: pair it in the background. Takes
 * copies of what it needs. */
void pairing_queue(struct milter_state *st, enum milter_role role, const char *id,
		   const struct store_message *m, const char *passwords);

/* At stop: finish the pairings queued so far. */
void pairing_drain(void);

/* Take up the pairings and claims that milters which ended (a crash,
 * SIGKILL) left in the store: at start and every minute. `fallback`:
 * the role for a password mail whose record does not say. */
void pairing_recover(struct milter_state *st, enum milter_role fallback);
