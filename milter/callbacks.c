/*
 * NAME
 *	callbacks.c - libmilter callbacks: collect the envelope and message
 * SUMMARY
 *	Per connection a struct session; per message its envelope, and the
 *	header and body bytes in a memfd. The size cap is enforced as bytes
 *	arrive (and on MAIL FROM's SIZE= when the client declares it), the
 *	header count as headers arrive. At end of data process.c takes over.
 * DESCRIPTION
 *	Header values keep their leading space (SMFIP_HDR_LEADSPC), so the
 *	bytes given to the engine are the message as it came in, folded lines
 *	with CRLF.
 *
 *	The role (envelope.h) is fixed at connect from Postfix's
 *	{daemon_name}. A screening session stores nothing: it counts the
 *	headers, refuses a flood, and otherwise accepts the message at its
 *	first body chunk, so the body never crosses the milter socket; the
 *	message is converted after the queue.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "audit.h"
#include "negotiate.h"
#include "session.h"
#include "state.h"

static struct session *
session_of(SMFICTX *ctx)
{
	return smfi_getpriv(ctx);
}

/* Forget the current message (keep the connection's client and HELO). */
static void
reset_message(struct session *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	s->size = 0;
	s->refused = KEEP_GOING;
	s->header_count = 0;
	g_string_truncate(s->buf, 0);
	g_ptr_array_set_size(s->header_names, 0);
	g_ptr_array_set_size(s->header_values, 0);
	g_clear_pointer(&s->message_id, g_free);
	g_free(s->env.sender);
	s->env.sender = NULL;
	g_ptr_array_set_size(s->env.recipients, 0);
}

static char *
address_text(const struct sockaddr *sa)
{
	char buf[INET6_ADDRSTRLEN];
	if (sa && sa->sa_family == AF_INET)
		return g_strdup(inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, buf,
					  sizeof(buf)));
	if (sa && sa->sa_family == AF_INET6)
		return g_strdup(inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr,
					  buf, sizeof(buf)));
	return NULL;
}

/* "<a@b>" -> "a@b" */
static char *
strip_angles(const char *a)
{
	gsize n = strlen(a);
	if (n >= 2 && a[0] == '<' && a[n - 1] == '>')
		return g_strndup(a + 1, n - 2);
	return g_strdup(a);
}

/* The value trimmed, if it is short printable ASCII; else NULL. No
 * decoding: the milter does not interpret message content. */
static char *
printable_ascii(const char *value)
{
	g_autofree char *v = g_strstrip(g_strdup(value));
	if (!*v || strlen(v) > 998)
		return NULL;
	for (const char *c = v; *c; c++)
		if (*c < 0x21 || *c > 0x7e)
			return NULL;
	return g_steal_pointer(&v);
}

static sfsistat
tempfail(SMFICTX *ctx, const char *why)
{
	milter_log(LOG_ERR, "%s", why);
	smfi_setreply(ctx, "451", "4.3.0", "Temporary failure in the content filter");
	return SMFIS_TEMPFAIL;
}

/* Logged once per message, where the refusal is decided. */
static void
log_too_big(SMFICTX *ctx, const struct cdr_policy *p)
{
	const char *qid = smfi_getsymval(ctx, "i");
	milter_log(LOG_NOTICE, "%s: %s: over max_message_bytes (%" G_GUINT64_FORMAT ")",
		   qid ? qid : "NOQUEUE", p->milter_oversize_action, p->milter_max_message_bytes);
}

static sfsistat
too_big(SMFICTX *ctx, const struct cdr_policy *p)
{
	g_autofree char *text = g_strdup_printf(
		"Message larger than the gateway accepts (%" G_GUINT64_FORMAT " bytes)",
		p->milter_max_message_bytes);
	if (strcmp(p->milter_oversize_action, "tempfail") == 0) {
		smfi_setreply(ctx, "452", "4.3.4", text);
		return SMFIS_TEMPFAIL;
	}
	smfi_setreply(ctx, "552", "5.3.4", text);
	return SMFIS_REJECT;
}

/* The size cap from the current state (a reload may change it). */
static gboolean
over_size_cap(guint64 size, struct cdr_policy **policy_out, struct milter_state **held)
{
	*held = state_get();
	*policy_out = (*held)->policy;
	return size > (*held)->policy->milter_max_message_bytes;
}

/* Why a message with too many header fields is refused (reply and audit). */
static char *
header_flood_reason(const struct session *s, const struct cdr_policy *p)
{
	return g_strdup_printf("%" G_GUINT64_FORMAT " header fields, more than the gateway "
			       "accepts (max_headers %" G_GUINT64_FORMAT ")",
			       s->header_count, p->mail_max_headers);
}

/* The reply for a refusal decided earlier (set again: libmilter forgets a
 * reply once one has been sent). */
static sfsistat
refusal(SMFICTX *ctx, struct session *s)
{
	if (s->refused == NO_MEMORY)
		return tempfail(ctx, "cannot store the message in memory");
	struct cdr_policy *p;
	struct milter_state *st;
	over_size_cap(0, &p, &st);
	sfsistat r = SMFIS_REJECT;
	if (s->refused == TOO_MANY_HEADERS) {
		g_autofree char *why = header_flood_reason(s, p);
		g_autofree char *text = g_strconcat("Message refused by the content filter: ", why,
						    NULL);
		smfi_setreply(ctx, "550", "5.7.1", text);
	} else {
		r = too_big(ctx, p);
	}
	state_unref(st);
	return r;
}

static gboolean
flush(struct session *s)
{
	if (s->fd < 0)
		s->fd = memfd_create("cdr-milter-message", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	const char *p = s->buf->str;
	gsize len = s->buf->len;
	while (s->fd >= 0 && len) {
		ssize_t n = write(s->fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		p += n;
		len -= (gsize)n;
	}
	g_string_truncate(s->buf, 0);
	if (s->fd < 0 || len) {
		s->refused = NO_MEMORY;
		return FALSE;
	}
	return TRUE;
}

/* Add message bytes; the size cap is checked as they arrive. */
static sfsistat
append(SMFICTX *ctx, struct session *s, const void *data, gsize len)
{
	if (s->refused)
		return refusal(ctx, s);
	struct cdr_policy *p;
	struct milter_state *st;
	gboolean over = over_size_cap(s->size + len, &p, &st);
	if (over)
		log_too_big(ctx, p);
	state_unref(st);
	if (over) {
		s->refused = TOO_BIG;
		g_string_truncate(s->buf, 0);
		return refusal(ctx, s);
	}
	g_string_append_len(s->buf, data, (gssize)len);
	s->size += len;
	if (s->buf->len >= 64 * 1024 && !flush(s))
		return refusal(ctx, s);
	return SMFIS_CONTINUE;
}

/* The answer for a stage the MTA was told needs no reply: whatever was
 * decided waits in s->refused for the next stage that has one. */
static sfsistat
no_reply_if_agreed(struct session *s, unsigned long stage, sfsistat r)
{
	return (s->pflags & stage) ? SMFIS_NOREPLY : r;
}

static struct session *
session_new(SMFICTX *ctx)
{
	struct session *s = g_new0(struct session, 1);
	envelope_init(&s->env);
	s->fd = -1;
	s->buf = g_string_sized_new(8192);
	s->header_names = g_ptr_array_new_with_free_func(g_free);
	s->header_values = g_ptr_array_new_with_free_func(g_free);
	smfi_setpriv(ctx, s);
	return s;
}

static sfsistat
on_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1, unsigned long f2,
	     unsigned long f3, unsigned long *pf0, unsigned long *pf1, unsigned long *pf2,
	     unsigned long *pf3)
{
	struct session *s = session_of(ctx) ? session_of(ctx) : session_new(ctx);
	s->pflags = milter_negotiate(f1, pf0, pf1, pf2, pf3);
	if (!(f1 & SMFIP_HDR_LEADSPC))
		milter_log(LOG_WARNING, "MTA cannot keep header leading spaces");
	return SMFIS_CONTINUE;
}

static sfsistat
on_connect(SMFICTX *ctx, char *hostname, struct sockaddr *addr)
{
	struct session *s = session_of(ctx) ? session_of(ctx) : session_new(ctx);
	s->env.client_addr = address_text(addr);
	s->env.client_name = g_strdup(hostname);
	struct milter_state *st = state_get();
	s->role = envelope_role(st->policy, smfi_getsymval(ctx, "{daemon_name}"));
	state_unref(st);
	return no_reply_if_agreed(s, SMFIP_NR_CONN, SMFIS_CONTINUE);
}

static sfsistat
on_helo(SMFICTX *ctx, char *helo)
{
	struct session *s = session_of(ctx);
	g_free(s->helo);
	s->helo = g_strdup(helo);
	return no_reply_if_agreed(s, SMFIP_NR_HELO, SMFIS_CONTINUE);
}

static sfsistat
on_envfrom(SMFICTX *ctx, char **argv)
{
	struct session *s = session_of(ctx);
	reset_message(s);
	s->env.sender = strip_angles(argv[0]);
	for (char **a = argv + 1; *a; a++) {
		if (g_ascii_strncasecmp(*a, "SIZE=", 5) != 0)
			continue;
		struct cdr_policy *p;
		struct milter_state *st;
		if (over_size_cap(g_ascii_strtoull(*a + 5, NULL, 10), &p, &st)) {
			log_too_big(ctx, p);
			sfsistat r = too_big(ctx, p);
			state_unref(st);
			return r;
		}
		state_unref(st);
	}
	return SMFIS_CONTINUE;
}

static sfsistat
on_envrcpt(SMFICTX *ctx, char **argv)
{
	struct session *s = session_of(ctx);
	g_ptr_array_add(s->env.recipients, strip_angles(argv[0]));
	return no_reply_if_agreed(s, SMFIP_NR_RCPT, SMFIS_CONTINUE);
}

/* The envelope is complete: mail that must not be touched leaves here. */
static sfsistat
on_data(SMFICTX *ctx)
{
	struct session *s = session_of(ctx);
	struct milter_state *st = state_get();
	const char *why = envelope_bypass(st->policy, &s->env, s->role);
	if (why) {
		record_bypass(ctx, s, why);
	}
	state_unref(st);
	return why ? SMFIS_ACCEPT : SMFIS_CONTINUE;
}

/* Count a header field; past [mail] max_headers the message is refused
 * and nothing more of it is kept (the count goes on, for the reply). */
static void
count_header(struct session *s)
{
	s->header_count++;
	if (s->refused)
		return;
	struct milter_state *st = state_get();
	gboolean over = s->header_count > st->policy->mail_max_headers;
	state_unref(st);
	if (!over)
		return;
	s->refused = TOO_MANY_HEADERS;
	g_string_truncate(s->buf, 0);
	g_ptr_array_set_size(s->header_names, 0);
	g_ptr_array_set_size(s->header_values, 0);
}

static sfsistat
on_header(SMFICTX *ctx, char *name, char *value)
{
	struct session *s = session_of(ctx);
	count_header(s);
	if (s->refused) /* told at the first stage with a reply, once */
		return (s->pflags & SMFIP_NR_HDR) ? SMFIS_NOREPLY : refusal(ctx, s);
	if (s->role == ROLE_SCREEN)
		return no_reply_if_agreed(s, SMFIP_NR_HDR, SMFIS_CONTINUE);
	g_ptr_array_add(s->header_names, g_strdup(name));
	g_ptr_array_add(s->header_values, g_strdup(value));
	if (!s->message_id && g_ascii_strcasecmp(name, "Message-ID") == 0)
		s->message_id = printable_ascii(value);
	/* folds arrive as bare LF; the message on the wire had CRLF */
	g_auto(GStrv) lines = g_strsplit(value, "\n", -1);
	for (char **l = lines; *l; l++) {
		gsize n = strlen(*l);
		if (n && (*l)[n - 1] == '\r')
			(*l)[n - 1] = '\0';
	}
	g_autofree char *folded = g_strjoinv("\r\n", lines);
	g_autofree char *line = g_strconcat(name, ":", folded, "\r\n", NULL);
	return no_reply_if_agreed(s, SMFIP_NR_HDR, append(ctx, s, line, strlen(line)));
}

static sfsistat
on_eoh(SMFICTX *ctx)
{
	struct session *s = session_of(ctx);
	if (s->refused == TOO_MANY_HEADERS) {
		struct milter_state *st = state_get();
		g_autofree char *why = header_flood_reason(s, st->policy);
		state_unref(st);
		record_refusal(ctx, s, why);
		return no_reply_if_agreed(s, SMFIP_NR_EOH, refusal(ctx, s));
	}
	if (s->role == ROLE_SCREEN)
		return no_reply_if_agreed(s, SMFIP_NR_EOH, SMFIS_CONTINUE);
	return no_reply_if_agreed(s, SMFIP_NR_EOH, append(ctx, s, "\r\n", 2));
}

/* Screening is over once the headers are: the message goes on to the
 * queue, and the milter sees no more of it. */
static sfsistat
screened(SMFICTX *ctx, struct session *s)
{
	sfsistat r = s->refused ? refusal(ctx, s) : SMFIS_ACCEPT;
	reset_message(s);
	return r;
}

static sfsistat
on_body(SMFICTX *ctx, unsigned char *chunk, size_t len)
{
	struct session *s = session_of(ctx);
	if (s->role == ROLE_SCREEN)
		return screened(ctx, s);
	return append(ctx, s, chunk, len);
}

static sfsistat
on_eom(SMFICTX *ctx)
{
	struct session *s = session_of(ctx);
	if (s->role == ROLE_SCREEN)
		return screened(ctx, s);
	if (s->refused || !flush(s)) {
		sfsistat r = refusal(ctx, s);
		reset_message(s);
		return r;
	}
	sfsistat r = process_message(ctx, s);
	reset_message(s);
	return r;
}

static sfsistat
on_abort(SMFICTX *ctx)
{
	struct session *s = session_of(ctx);
	if (s)
		reset_message(s);
	return SMFIS_CONTINUE;
}

static sfsistat
on_close(SMFICTX *ctx)
{
	struct session *s = session_of(ctx);
	if (!s)
		return SMFIS_CONTINUE;
	reset_message(s);
	envelope_clear(&s->env);
	g_ptr_array_unref(s->header_names);
	g_ptr_array_unref(s->header_values);
	g_string_free(s->buf, TRUE);
	g_free(s->helo);
	g_free(s);
	smfi_setpriv(ctx, NULL);
	return SMFIS_CONTINUE;
}

struct smfiDesc milter_description = {
	.xxfi_name = "cdr-milter",
	.xxfi_version = SMFI_VERSION,
	.xxfi_flags = MILTER_ACTIONS,
	.xxfi_connect = on_connect,
	.xxfi_helo = on_helo,
	.xxfi_envfrom = on_envfrom,
	.xxfi_envrcpt = on_envrcpt,
	.xxfi_header = on_header,
	.xxfi_eoh = on_eoh,
	.xxfi_body = on_body,
	.xxfi_eom = on_eom,
	.xxfi_abort = on_abort,
	.xxfi_close = on_close,
	.xxfi_data = on_data,
	.xxfi_negotiate = on_negotiate,
};
