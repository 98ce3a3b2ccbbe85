/*
 * NAME
 *	releases.h - cdr-web's releases: approve, deny, deliver
 * SUMMARY
 *	Approved releases are delivered by cdr-web itself, off the HTTP
 *	thread, one at a time, through the release core (release.h: the
 *	store's claim makes each go out exactly once, whoever else tries).
 *	An approved release of the console that was never delivered (a
 *	restart, an approval by another process) is found by a sweep every
 *	minute; one the relay deferred is tried again every five minutes for
 *	a day (not for a message with a password-protected attachment: a
 *	password is never kept).
 *
 *	The administrators' queue page calls web_release_decide().
 */
#pragma once

#include "server.h"

struct web_releaser *web_releaser_start(struct web_app *app);
void web_releaser_stop(struct web_releaser *r);

/* Deliver the approved release `number` of message `id` in the
 * background; `passwords` (NULL: none) are kept in memory until then
 * and wiped. */
void web_releaser_queue(struct web_releaser *r, const char *id, gint64 number,
			const char *passwords);

/*
 * An administrator's decision on release `number` (state "requested"):
 * approve (it is then delivered in the background) or deny with
 * `reason`. `by`: the administrator; `origin`: "web ADDRESS". The store
 * records the event. FALSE with a STORE_ERROR (STORE_ERROR_STATE: it was
 * decided already; STORE_ERROR_NOT_FOUND: no such release).
 */
gboolean web_release_decide(struct web_app *app, gint64 number, gboolean approve,
			    const char *by, const char *origin, const char *reason,
			    GError **error);

/* Whether the sweep delivers release `r` now (`now`: seconds): a
 * console release approved a sweep ago (at start: any, since this
 * process queued none: a restart after a crash delivers at once) and
 * not delivered, or one the relay deferred ("tempfail: ") five minutes
 * ago, within a day. Never one that may have been delivered
 * (store_release_uncertain()). */
gboolean web_release_due(const struct store_release *r, gint64 now, gboolean at_start);
