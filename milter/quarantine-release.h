/*
 * NAME
 *	quarantine-release.h - cdr-quarantine release: a stored message
 *	delivered disarmed
 * SUMMARY
 *	The original re-processed in sanitize mode (mail_build "release":
 *	never raw, never text mode's removals), with the administrator's
 *	passwords, submitted through [release] relay, and recorded in the
 *	store: who, when, to whom, what was delivered.
 */
#pragma once

#include "policy.h"
#include "store.h"

struct release_request {
	const char *id;
	const char *const *to;  /* NULL: the original recipients */
	const char *passwords;  /* one per line, or NULL */
	const char *by, *origin;
	gboolean json;
	gboolean force;         /* past an earlier "uncertain" release (release.h) */
};

/* Exit status: 0 delivered, 1 refused or failed (said on stderr). */
int release_message(struct mg_store *store, const struct cdr_policy *policy,
		    const struct release_request *rq);
