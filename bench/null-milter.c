/*
 * NAME
 *	null-milter - the least work a milter can make Postfix do, measured
 * SUMMARY
 *	null-milter -p unix:/path/to/socket -m accept|replace
 *	A libmilter program that receives the envelope, the headers and the
 *	body of every message and converts nothing. accept: it keeps the
 *	body in memory and accepts the message unchanged at end of data.
 *	replace: it also hands the same body back (smfi_replacebody) and
 *	adds one header field, "X-Null-Milter: replaced", the least any
 *	rebuilding milter makes Postfix's cleanup do. bench/milter.sh runs
 *	it next to cdr-milter (BENCH_PEERS=1): the rate through Postfix with
 *	it is the ceiling of any milter in that arrangement.
 * DESCRIPTION
 *	It negotiates what cdr-milter negotiates (milter/negotiate.h) and
 *	registers the same callbacks, so the protocol exchange is the same:
 *	the same stages, no replies for connect, HELO, RCPT, headers and end
 *	of headers where the MTA offers that, header values with their
 *	leading space, and the rights to add and change headers and to
 *	replace the body. A unix socket is made readable and writable by
 *	everyone (Postfix's smtpd runs as postfix). It runs as whoever
 *	started it, prints "ready" on stderr once the socket is open, and
 *	stops on SIGTERM or SIGINT (libmilter's own handling). A bench
 *	helper, not a test: it has no policy and stores nothing.
 */
#include <glib.h>
#include <libmilter/mfapi.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "negotiate.h"

static gboolean replace_body;

/* Per connection: the protocol flags agreed, the current message's body. */
struct connection {
	unsigned long agreed;
	GString *body;
};

static struct connection *
connection_of(SMFICTX *ctx)
{
	return smfi_getpriv(ctx);
}

static GString *
body_of(SMFICTX *ctx)
{
	return connection_of(ctx)->body;
}

static sfsistat
no_reply_if_agreed(SMFICTX *ctx, unsigned long stage)
{
	return (connection_of(ctx)->agreed & stage) ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

static sfsistat
on_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1, unsigned long f2, unsigned long f3,
	     unsigned long *pf0, unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
	(void)f0, (void)f2, (void)f3;
	struct connection *c = connection_of(ctx);
	if (!c) {
		c = g_new0(struct connection, 1);
		c->body = g_string_sized_new(8192);
		smfi_setpriv(ctx, c);
	}
	c->agreed = milter_negotiate(f1, pf0, pf1, pf2, pf3);
	return SMFIS_CONTINUE;
}

static sfsistat
on_connect(SMFICTX *ctx, char *hostname, struct sockaddr *addr)
{
	(void)hostname, (void)addr;
	return no_reply_if_agreed(ctx, SMFIP_NR_CONN);
}

static sfsistat
on_helo(SMFICTX *ctx, char *helo)
{
	(void)helo;
	return no_reply_if_agreed(ctx, SMFIP_NR_HELO);
}

static sfsistat
on_envfrom(SMFICTX *ctx, char **argv)
{
	(void)argv;
	g_string_truncate(body_of(ctx), 0);
	return SMFIS_CONTINUE;
}

static sfsistat
on_envrcpt(SMFICTX *ctx, char **argv)
{
	(void)argv;
	return no_reply_if_agreed(ctx, SMFIP_NR_RCPT);
}

static sfsistat
on_data(SMFICTX *ctx)
{
	(void)ctx;
	return SMFIS_CONTINUE;
}

static sfsistat
on_header(SMFICTX *ctx, char *name, char *value)
{
	(void)name, (void)value;
	return no_reply_if_agreed(ctx, SMFIP_NR_HDR);
}

static sfsistat
on_eoh(SMFICTX *ctx)
{
	return no_reply_if_agreed(ctx, SMFIP_NR_EOH);
}

static sfsistat
on_body(SMFICTX *ctx, unsigned char *chunk, size_t len)
{
	g_string_append_len(body_of(ctx), (const char *)chunk, (gssize)len);
	return SMFIS_CONTINUE;
}

/* As cdr-milter's rewrite.c: an empty replacement would be none at all. */
static sfsistat
on_eom(SMFICTX *ctx)
{
	GString *body = body_of(ctx);
	if (!replace_body)
		return SMFIS_ACCEPT;
	if (body->len > G_MAXINT)
		return SMFIS_TEMPFAIL;
	static char empty_line[] = "\r\n";
	gboolean empty = body->len == 0;
	const char *value =
	    (connection_of(ctx)->agreed & SMFIP_HDR_LEADSPC) ? " replaced" : "replaced";
	if (smfi_addheader(ctx, "X-Null-Milter", (char *)value) != MI_SUCCESS ||
	    smfi_replacebody(ctx, empty ? (unsigned char *)empty_line : (unsigned char *)body->str,
			     empty ? 2 : (int)body->len) != MI_SUCCESS)
		return SMFIS_TEMPFAIL;
	return SMFIS_ACCEPT;
}

static sfsistat
on_abort(SMFICTX *ctx)
{
	if (connection_of(ctx))
		g_string_truncate(body_of(ctx), 0);
	return SMFIS_CONTINUE;
}

static sfsistat
on_close(SMFICTX *ctx)
{
	struct connection *c = connection_of(ctx);
	if (!c)
		return SMFIS_CONTINUE;
	g_string_free(c->body, TRUE);
	g_free(c);
	smfi_setpriv(ctx, NULL);
	return SMFIS_CONTINUE;
}

static struct smfiDesc description = {
	.xxfi_name = "null-milter",
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

/* Postfix's smtpd (user postfix) must be able to connect. */
static gboolean
open_to_all(const char *conn)
{
	const char *path = NULL;
	if (g_str_has_prefix(conn, "unix:"))
		path = conn + 5;
	else if (g_str_has_prefix(conn, "local:"))
		path = conn + 6;
	return !path || chmod(path, 0666) == 0;
}

int
main(int argc, char **argv)
{
	g_autofree char *conn = NULL, *mode = NULL;
	GOptionEntry entries[] = {
		{"socket", 'p', 0, G_OPTION_ARG_STRING, &conn, "libmilter socket", "unix:PATH"},
		{"mode", 'm', 0, G_OPTION_ARG_STRING, &mode, "accept or replace", "MODE"},
		{NULL},
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("- a milter that converts nothing");
	g_option_context_add_main_entries(ctx, entries, NULL);
	g_autoptr(GError) error = NULL;
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		g_printerr("null-milter: %s\n", error->message);
		return 2;
	}
	if (!conn || !mode || (strcmp(mode, "accept") != 0 && strcmp(mode, "replace") != 0)) {
		g_printerr("null-milter: usage: null-milter -p SOCKET -m accept|replace\n");
		return 2;
	}
	replace_body = strcmp(mode, "replace") == 0;
	if (smfi_register(description) != MI_SUCCESS || smfi_setconn(conn) != MI_SUCCESS ||
	    smfi_opensocket(true) != MI_SUCCESS || !open_to_all(conn)) {
		g_printerr("null-milter: cannot listen on %s\n", conn);
		return 1;
	}
	g_printerr("null-milter: ready on %s (%s)\n", conn, mode);
	return smfi_main() == MI_SUCCESS ? 0 : 1;
}
