/*
 * NAME
 *	submit.h - hand a message the gateway made back to Postfix
 * SUMMARY
 *	The follow-up messages of PPAP pairing and the releases of
 *	cdr-quarantine go back into Postfix through its content-filter
 *	return path ([release] relay): SMTP to an smtpd without milters and
 *	content filter ("inet:127.0.0.1:10026", see cdr-milter(8)), or
 *	sendmail(1) ("sendmail:/usr/sbin/sendmail"). Either way the message is
 *	queued for the given envelope recipients as it is, and never passes
 *	cdr-milter again.
 * DESCRIPTION
 *	GLib and the C library only: no engine and no parser library, so
 *	cdr-milter and cdr-quarantine link it as they are. The bytes
 *	submitted are the worker's output (CRLF lines); nothing here parses
 *	them, the SMTP client only stuffs dots and the sendmail client only
 *	turns CRLF into LF. Every wait has a timeout; a failure says whether
 *	trying again later may help (4xx, timeouts, a relay away) or not
 *	(5xx). Not thread-bound: one connection or process per message.
 */
#pragma once

#include <glib.h>

#define SUBMIT_ERROR (submit_error_quark())
GQuark submit_error_quark(void);

/* Where messages go: "inet:HOST:PORT" or "sendmail:/PATH". */
struct submit_relay;

struct submit_relay *submit_relay_parse(const char *spec, GError **error);
void submit_relay_free(struct submit_relay *relay);
typedef struct submit_relay submit_relay;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(submit_relay, submit_relay_free)
/* The spec as written. */
const char *submit_relay_text(const struct submit_relay *relay);
/* For SMTP relays: host and port ("127.0.0.1", "10026"); NULL for sendmail. */
const char *submit_relay_host(const struct submit_relay *relay);
const char *submit_relay_port(const struct submit_relay *relay);
/* For sendmail relays: the program; NULL for SMTP. */
const char *submit_relay_program(const struct submit_relay *relay);

/* mugaika.conf checks: NULL when `spec` is a relay (an address that
 * SMTP can carry, for `address`), else why not (static text). */
const char *submit_relay_refusal(const char *spec);
const char *submit_address_refusal(const char *address);

struct submit_options {
	const char *sender;  /* envelope sender; NULL or "": the null sender <> */
	const char *helo;    /* EHLO name; NULL: this host's name, else "localhost" */
	guint connect_ms;    /* SMTP: until connected and greeted */
	guint io_ms;         /* SMTP: each write and each reply; sendmail: the whole run */
};

enum submit_status {
	SUBMIT_SENT,     /* the relay took it: 250 after DATA, sendmail exit 0 */
	SUBMIT_TEMPFAIL, /* 4xx, a timeout, no relay, a malformed reply: try again later */
	SUBMIT_REFUSED,  /* 5xx, a sendmail usage or data error: trying again will not help */
};

struct submit_recipient {
	char *address;
	enum submit_status status;
	char *reply; /* the relay's reply to RCPT TO, or to the end of DATA */
};

struct submit_result {
	enum submit_status status; /* SENT when at least one recipient got it */
	char *reply;               /* the reply that decided, or what went wrong (printable) */
	char *queue_id;            /* Postfix's queue id ("queued as ID"), or NULL */
	GPtrArray *recipients;     /* struct submit_recipient*, in the order given */
	gboolean uncertain;        /* TEMPFAIL, but the relay may have taken it: the
				    * whole message was sent and no reply came (a
				    * timeout, a closed connection), or sendmail was
				    * killed or died by a signal. Sending it again may
				    * deliver it twice. */
};

/*
 * Submit `message` (len bytes, a whole RFC 5322 message) for the envelope
 * `recipients` (NULL-terminated, at least one). Always fills *result
 * (submit_result_clear() frees it). Recipients the relay refused (or an
 * address submit_address_refusal() refuses) are marked so and the others
 * still get the message.
 */
void submit_message(const struct submit_relay *relay, const struct submit_options *options,
		    const char *const *recipients, const guint8 *message, gsize len,
		    struct submit_result *result);
void submit_result_clear(struct submit_result *result);

const char *submit_status_name(enum submit_status status);
