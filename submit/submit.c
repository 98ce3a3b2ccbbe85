/*
 * NAME
 *	submit.c - the submission client's entry point: relays, addresses,
 *	results
 * SUMMARY
 *	Parses [release] relay, checks envelope addresses before they go into
 *	an SMTP command or a sendmail argument, and hands the message to
 *	smtp.c or sendmail.c.
 * DESCRIPTION
 *	An envelope address is 1 to 254 bytes of printable ASCII with one '@'
 *	between a local part and a domain, and none of the characters that
 *	could end or extend an SMTP command or be read as an option: space,
 *	controls, '<', '>', '(', ')', ',', ';', '\', '"', '[', ']' and a
 *	leading '-'. That is narrower than RFC 5321 allows (no quoted local
 *	parts, no address literals, no SMTPUTF8), and wide enough for the
 *	addresses Postfix delivers to on the LGWAN side.
 */
#include "submit-private.h"

#include <stdarg.h>
#include <string.h>

#define MAX_ADDRESS 254

G_DEFINE_QUARK(submit-error-quark, submit_error)

const char *
submit_address_refusal(const char *a)
{
	gsize n = strlen(a);
	if (n == 0 || n > MAX_ADDRESS)
		return "an address is 1 to 254 bytes";
	if (*a == '-')
		return "an address does not start with '-'";
	for (const char *c = a; *c; c++)
		if ((guchar)*c <= 0x20 || (guchar)*c >= 0x7f || strchr("<>(),;\\\"[]", *c))
			return "an address is printable ASCII without spaces or <>(),;\\\"[]";
	const char *at = strchr(a, '@');
	if (!at || at == a || !at[1] || strchr(at + 1, '@'))
		return "an address is local-part@domain";
	return NULL;
}

const char *
submit_relay_refusal(const char *spec)
{
	if (g_str_has_prefix(spec, "sendmail:"))
		return spec[9] == '/' && !strchr(spec, ' ') ? NULL
							    : "sendmail: needs an absolute path";
	if (!g_str_has_prefix(spec, "inet:"))
		return "not inet:HOST:PORT or sendmail:/PATH";
	g_autoptr(sockio_address) a = sockio_address_parse(spec, NULL);
	return a ? NULL : "not inet:HOST:PORT or sendmail:/PATH";
}

struct submit_relay *
submit_relay_parse(const char *spec, GError **error)
{
	const char *why = submit_relay_refusal(spec);
	if (why) {
		g_set_error(error, SUBMIT_ERROR, 0, "[release] relay \"%s\": %s", spec, why);
		return NULL;
	}
	struct submit_relay *r = g_new0(struct submit_relay, 1);
	r->text = g_strdup(spec);
	if (g_str_has_prefix(spec, "sendmail:"))
		r->program = g_strdup(spec + 9);
	else
		r->smtp = sockio_address_parse(spec, NULL);
	return r;
}

void
submit_relay_free(struct submit_relay *r)
{
	if (!r)
		return;
	g_free(r->text);
	g_free(r->program);
	sockio_address_free(r->smtp);
	g_free(r);
}

const char *
submit_relay_text(const struct submit_relay *r)
{
	return r->text;
}

const char *
submit_relay_host(const struct submit_relay *r)
{
	return r->smtp ? r->smtp->host : NULL;
}

const char *
submit_relay_port(const struct submit_relay *r)
{
	return r->smtp ? r->smtp->port : NULL;
}

const char *
submit_relay_program(const struct submit_relay *r)
{
	return r->program;
}

const char *
submit_status_name(enum submit_status s)
{
	switch (s) {
	case SUBMIT_SENT:
		return "sent";
	case SUBMIT_TEMPFAIL:
		return "tempfail";
	case SUBMIT_REFUSED:
		return "refused";
	}
	return "?";
}

const char *
submit_sender(const struct submit_options *o)
{
	return o->sender ? o->sender : "";
}

void
submit_decide(struct submit_result *r, enum submit_status status, const char *fmt, ...)
{
	if (r->reply)
		return;
	va_list ap;
	va_start(ap, fmt);
	r->reply = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	r->status = status;
}

void
submit_mark_pending(struct submit_result *r, enum submit_status status, const char *reply)
{
	for (guint i = 0; i < r->recipients->len; i++) {
		struct submit_recipient *rc = r->recipients->pdata[i];
		if (rc->status != SUBMIT_SENT)
			continue;
		rc->status = status;
		g_free(rc->reply);
		rc->reply = g_strdup(reply);
	}
}

static void
recipient_free(gpointer p)
{
	struct submit_recipient *rc = p;
	g_free(rc->address);
	g_free(rc->reply);
	g_free(rc);
}

void
submit_result_clear(struct submit_result *r)
{
	g_clear_pointer(&r->reply, g_free);
	g_clear_pointer(&r->queue_id, g_free);
	g_clear_pointer(&r->recipients, g_ptr_array_unref);
}

void
submit_message(const struct submit_relay *relay, const struct submit_options *o,
	       const char *const *recipients, const guint8 *message, gsize len,
	       struct submit_result *r)
{
	*r = (struct submit_result){ .recipients = g_ptr_array_new_with_free_func(recipient_free) };
	guint usable = 0;
	for (const char *const *a = recipients; a && *a; a++) {
		struct submit_recipient *rc = g_new0(struct submit_recipient, 1);
		rc->address = g_strdup(*a);
		const char *why = submit_address_refusal(*a);
		rc->status = why ? SUBMIT_REFUSED : SUBMIT_SENT; /* SENT: not refused yet */
		rc->reply = why ? g_strdup(why) : NULL;
		usable += !why;
		g_ptr_array_add(r->recipients, rc);
	}
	const char *sender = submit_sender(o);
	const char *why = *sender ? submit_address_refusal(sender) : NULL;
	if (why) {
		submit_decide(r, SUBMIT_REFUSED, "envelope sender: %s", why);
		submit_mark_pending(r, SUBMIT_REFUSED, r->reply);
		return;
	}
	if (!usable) {
		submit_decide(r, SUBMIT_REFUSED, "no recipient to submit to");
		return;
	}
	if (relay->smtp)
		submit_by_smtp(relay->smtp, o, message, len, r);
	else
		submit_by_sendmail(relay->program, o, message, len, r);
}
