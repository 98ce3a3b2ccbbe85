/*
 * NAME
 *	submit-private.h - what the submission client's files share
 */
#pragma once

#include "sockio.h"
#include "submit.h"

struct submit_relay {
	char *text;
	struct sockio_address *smtp; /* inet:HOST:PORT */
	char *program;               /* sendmail:/PATH */
};

/* The envelope sender as SMTP and sendmail write it: "" for the null sender. */
const char *submit_sender(const struct submit_options *options);

/* Decide the whole message (status and reply), once. */
void submit_decide(struct submit_result *r, enum submit_status status, const char *fmt, ...)
	G_GNUC_PRINTF(3, 4);

/* Every recipient still SENT gets `status` and `reply`. */
void submit_mark_pending(struct submit_result *r, enum submit_status status, const char *reply);

/* smtp.c */
void submit_by_smtp(const struct sockio_address *address, const struct submit_options *o,
		    const guint8 *message, gsize len, struct submit_result *r);

/* sendmail.c */
void submit_by_sendmail(const char *program, const struct submit_options *o,
			const guint8 *message, gsize len, struct submit_result *r);
