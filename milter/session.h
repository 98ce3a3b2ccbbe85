/*
 * NAME
 *	session.h - what the milter holds for one SMTP connection
 * SUMMARY
 *	The envelope and the message as it arrives: headers and body are
 *	written straight into a memfd (never held in a heap buffer), with the
 *	original header names kept in order for the rewrite.
 */
#pragma once

#include <libmilter/mfapi.h>

#include "envelope.h"

struct session {
	struct envelope env;
	enum milter_role role; /* from {daemon_name} at connect (envelope.h) */
	char *helo;
	unsigned long pflags; /* protocol options agreed with the MTA (SMFIP_*) */
	int fd;             /* memfd with the message so far, -1 before DATA */
	GString *buf;       /* bytes not yet written to fd (one write per 64 KB) */
	guint64 size;       /* bytes of the message so far */
	enum { KEEP_GOING, TOO_BIG, NO_MEMORY, TOO_MANY_HEADERS } refused; /* decided
			     * where no reply could be given (headers): told at the next reply */
	guint64 header_count; /* header fields of the message so far */
	GPtrArray *header_names;
	GPtrArray *header_values; /* as received, for leaving unchanged ones alone */
	char *message_id;   /* as sent, when printable ASCII: for the audit log
			     * when no worker report names it (crash, timeout) */
	gint64 started;     /* monotonic microseconds at end of data */
};

/* Messages between end of data and the answer (for an orderly stop). */
extern gint messages_in_flight;

/* End of data: quarantine, sanitize, rewrite or replace, audit (process.c). */
sfsistat process_message(SMFICTX *ctx, struct session *s);

/* Log and audit a message let through untouched by a bypass_* key. */
void record_bypass(SMFICTX *ctx, struct session *s, const char *why);

/* Log and audit a message refused before end of data (action rejected). */
void record_refusal(SMFICTX *ctx, struct session *s, const char *why);

/* The filter description registered with libmilter (callbacks.c). */
extern struct smfiDesc milter_description;
