/*
 * NAME
 *	events.h - the console's actions as store events
 * SUMMARY
 *	Every action (view, request, password tried, login ok or failed,
 *	approve, deny) is an event of the quarantine store with who did it
 *	(the staff link's recipient, the administrator) and from where
 *	("web 192.0.2.1"). A failure to record is logged, not hidden.
 */
#pragma once

#include "server.h"

/* One event: message `id` (NULL: none), `what`, `by`, and a detail of
 * NULL-terminated name/value string pairs (JSON object), or NULL. */
void web_audit(struct web_request *rq, const char *id, const char *what, const char *by, ...)
	G_GNUC_NULL_TERMINATED;
