/*
 * NAME
 *	smtp.c - submit one message over SMTP (RFC 5321) to the return path
 * SUMMARY
 *	Greeting, EHLO (HELO when EHLO is refused), MAIL FROM, one RCPT TO per
 *	recipient, DATA with the message's lines ending in CRLF and dot-
 *	stuffed, then QUIT. No pipelining, no extensions used: the relay is
 *	Postfix's smtpd on loopback.
 * DESCRIPTION
 *	Each reply is read with smtp-reply.c within [release] timeout; a 5xx
 *	refuses (the message, or that recipient), a 4xx, a timeout, a closed
 *	connection or a malformed reply is a temporary failure. The message
 *	goes to the recipients the relay accepted; the others are marked
 *	with their reply. Postfix's queue id is taken from the reply to the
 *	end of DATA. A message sent whole whose reply never came is
 *	"uncertain": the relay may have queued it.
 */
#include "submit-private.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "smtp-reply.h"

#define READ_CHUNK 4096

struct conn {
	int fd;
	GString *in; /* received, not parsed yet */
	guint io_ms;
	const char *where;
	struct submit_result *r;
	gboolean quitting; /* the message is decided: nothing changes it */
};

/* The status a reply code means when it is not the one wanted. */
static enum submit_status
status_of(guint code)
{
	return code >= 500 ? SUBMIT_REFUSED : SUBMIT_TEMPFAIL;
}

/* The message fails with `status`: every recipient not refused already
 * shares the reason. */
static void
fail(struct conn *c, enum submit_status status, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

static void
fail(struct conn *c, enum submit_status status, const char *fmt, ...)
{
	if (c->quitting)
		return;
	va_list ap;
	va_start(ap, fmt);
	g_autofree char *why = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	submit_decide(c->r, status, "%s", why);
	submit_mark_pending(c->r, status, why);
}

/* One reply within the deadline; FALSE after fail(). */
static gboolean
read_reply(struct conn *c, const char *after, gint64 deadline, guint *code, char **text)
{
	for (;;) {
		gsize used = 0;
		switch (smtp_reply_parse(c->in->str, c->in->len, &used, code, text)) {
		case SMTP_REPLY_DONE:
			g_string_erase(c->in, 0, (gssize)used);
			return TRUE;
		case SMTP_REPLY_BAD:
			fail(c, SUBMIT_TEMPFAIL, "%s after %s: %s", c->where, after, *text);
			g_clear_pointer(text, g_free);
			return FALSE;
		case SMTP_REPLY_MORE:
			break;
		}
		char buf[READ_CHUNK];
		ssize_t n = recv(c->fd, buf, sizeof buf, MSG_DONTWAIT);
		if (n > 0) {
			g_string_append_len(c->in, buf, n);
			continue;
		}
		if (n == 0) {
			fail(c, SUBMIT_TEMPFAIL, "%s closed the connection after %s", c->where, after);
			return FALSE;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN || !sockio_wait(c->fd, POLLIN, deadline)) {
			fail(c, SUBMIT_TEMPFAIL, "%s after %s: %s", c->where, after,
			     errno == ETIMEDOUT ? "no reply within [release] timeout"
						: g_strerror(errno));
			return FALSE;
		}
	}
}

static gboolean
send_bytes(struct conn *c, const char *what, const void *data, gsize len)
{
	struct iovec iov = { .iov_base = (void *)data, .iov_len = len };
	if (sockio_write_all(c->fd, &iov, 1, c->io_ms))
		return TRUE;
	fail(c, SUBMIT_TEMPFAIL, "sending %s to %s: %s", what, c->where,
	     errno == ETIMEDOUT ? "not taken within [release] timeout" : g_strerror(errno));
	return FALSE;
}

/* Send a command line and read its reply; `want` is the first digit of
 * a good reply (2, or 3 for DATA). FALSE, with *code and *text still
 * set when there was a reply, when it was not good. */
static gboolean
command(struct conn *c, const char *line, guint want, guint *code, char **text)
{
	g_autofree char *crlf = g_strconcat(line, "\r\n", NULL);
	*code = 0;
	*text = NULL;
	if (!send_bytes(c, line, crlf, strlen(crlf)))
		return FALSE;
	if (!read_reply(c, line, sockio_deadline_in(c->io_ms), code, text))
		return FALSE;
	return *code / 100 == want;
}

/* The message as DATA carries it: CRLF line ends (a bare LF or CR ends a
 * line too), a '.' starting a line doubled, then the lone ".". */
static GByteArray *
stuffed(const guint8 *m, gsize len)
{
	GByteArray *out = g_byte_array_sized_new((guint)MIN(len + len / 64 + 8, (gsize)G_MAXUINT));
	gboolean line_start = TRUE;
	for (gsize i = 0; i < len; i++) {
		if (line_start && m[i] == '.')
			g_byte_array_append(out, (const guint8 *)".", 1);
		line_start = m[i] == '\r' || m[i] == '\n';
		if (!line_start) {
			g_byte_array_append(out, m + i, 1);
			continue;
		}
		if (m[i] == '\r' && i + 1 < len && m[i + 1] == '\n')
			i++;
		g_byte_array_append(out, (const guint8 *)"\r\n", 2);
	}
	if (!line_start)
		g_byte_array_append(out, (const guint8 *)"\r\n", 2);
	g_byte_array_append(out, (const guint8 *)".\r\n", 3);
	return out;
}

/* EHLO name: the option, else this host's name when it is one. */
static const char *
helo_name(const struct submit_options *o)
{
	if (o->helo)
		return o->helo;
	const char *host = g_get_host_name();
	for (const char *c = host; *c; c++)
		if (!g_ascii_isalnum(*c) && *c != '-' && *c != '.')
			return "localhost";
	return *host ? host : "localhost";
}

static gboolean
greet(struct conn *c, const struct submit_options *o, gint64 deadline)
{
	guint code = 0;
	g_autofree char *text = NULL;
	if (!read_reply(c, "connecting", deadline, &code, &text))
		return FALSE;
	if (code != 220) {
		fail(c, status_of(code), "%s greets with %u %s", c->where, code, text);
		return FALSE;
	}
	g_autofree char *ehlo = g_strdup_printf("EHLO %s", helo_name(o));
	g_clear_pointer(&text, g_free);
	if (command(c, ehlo, 2, &code, &text))
		return TRUE;
	if (!code) /* no reply at all */
		return FALSE;
	ehlo[0] = 'H'; /* an old server: HELO */
	ehlo[1] = 'E';
	g_clear_pointer(&text, g_free);
	if (command(c, ehlo, 2, &code, &text))
		return TRUE;
	if (code)
		fail(c, status_of(code), "%s refuses HELO: %u %s", c->where, code, text);
	return FALSE;
}

/* RCPT TO for each recipient not refused yet; how many were accepted. */
static guint
add_recipients(struct conn *c)
{
	guint accepted = 0;
	for (guint i = 0; i < c->r->recipients->len; i++) {
		struct submit_recipient *rc = c->r->recipients->pdata[i];
		if (rc->status != SUBMIT_SENT)
			continue;
		g_autofree char *line = g_strdup_printf("RCPT TO:<%s>", rc->address);
		guint code = 0;
		g_autofree char *text = NULL;
		if (command(c, line, 2, &code, &text)) {
			accepted++;
			continue;
		}
		if (!code)
			return 0; /* the connection failed: fail() marked them all */
		rc->status = status_of(code);
		rc->reply = g_strdup_printf("%u %s", code, text);
	}
	return accepted;
}

/* DATA, the message, and the reply that decides it. */
static void
send_message(struct conn *c, const guint8 *message, gsize len)
{
	guint code = 0;
	g_autofree char *text = NULL;
	if (!command(c, "DATA", 3, &code, &text)) {
		if (code)
			fail(c, status_of(code), "%s refuses DATA: %u %s", c->where, code, text);
		return;
	}
	g_autoptr(GByteArray) data = stuffed(message, len);
	if (!send_bytes(c, "the message", data->data, data->len))
		return;
	g_clear_pointer(&text, g_free);
	if (!read_reply(c, "the message", sockio_deadline_in(c->io_ms), &code, &text)) {
		c->r->uncertain = TRUE; /* all of it sent, the answer lost */
		return;
	}
	if (code / 100 != 2) {
		fail(c, status_of(code), "%s refuses the message: %u %s", c->where, code, text);
		return;
	}
	g_autofree char *reply = g_strdup_printf("%u %s", code, text);
	submit_decide(c->r, SUBMIT_SENT, "%s", reply);
	submit_mark_pending(c->r, SUBMIT_SENT, reply);
	c->r->queue_id = smtp_reply_queue_id(text);
}

void
submit_by_smtp(const struct sockio_address *a, const struct submit_options *o,
	       const guint8 *message, gsize len, struct submit_result *r)
{
	gint64 deadline = sockio_deadline_in(o->connect_ms);
	struct conn c = { .fd = sockio_connect(a, deadline), .in = g_string_new(NULL),
			  .io_ms = o->io_ms, .where = a->text, .r = r };
	if (c.fd < 0) {
		fail(&c, SUBMIT_TEMPFAIL, "cannot connect to %s: %s", a->text,
		     errno == ETIMEDOUT ? "no answer within [release] timeout" : g_strerror(errno));
		g_string_free(c.in, TRUE);
		return;
	}
	guint code = 0;
	g_autofree char *text = NULL;
	g_autofree char *mail = g_strdup_printf("MAIL FROM:<%s>", submit_sender(o));
	if (!greet(&c, o, deadline))
		goto out;
	if (!command(&c, mail, 2, &code, &text)) {
		if (code)
			fail(&c, status_of(code), "%s refuses the sender: %u %s", a->text, code, text);
		goto out;
	}
	if (add_recipients(&c))
		send_message(&c, message, len);
	else
		submit_decide(r, SUBMIT_TEMPFAIL, "%s accepts none of the recipients", a->text);
	/* no recipient refused for good: try again later; all refused: give up */
	if (!r->queue_id && r->status == SUBMIT_TEMPFAIL) {
		gboolean any_temporary = FALSE;
		for (guint i = 0; i < r->recipients->len; i++)
			any_temporary |= ((struct submit_recipient *)r->recipients->pdata[i])->status ==
					 SUBMIT_TEMPFAIL;
		if (!any_temporary)
			r->status = SUBMIT_REFUSED;
	}
	g_clear_pointer(&text, g_free);
	c.quitting = TRUE;
	command(&c, "QUIT", 2, &code, &text); /* any answer will do */
out:
	close(c.fd);
	g_string_free(c.in, TRUE);
}
