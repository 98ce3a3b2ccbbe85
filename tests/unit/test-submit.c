/*
 * NAME
 *	test-submit - the submission client against fake SMTP servers and a
 *	fake sendmail
 * SUMMARY
 *	The reply parser on every shape of reply; SMTP dialogues with a
 *	server thread that answers from a script (multi-line replies, HELO
 *	after a refused EHLO, refused and deferred recipients, refusals and
 *	deferrals of the greeting, the sender and the message, a server that
 *	never answers, garbage, nobody listening), checking what the server
 *	received: the commands in order and the message dot-stuffed with CRLF
 *	lines; sendmail as a shell script that records its arguments and
 *	input and exits with the status under test, or never exits.
 * DESCRIPTION
 *	Links libsubmit only (GLib and libc): the client needs no engine.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "smtp-reply.h"
#include "submit.h"

/* ---- the reply parser ---------------------------------------------------- */

static void
test_reply_parser(void)
{
	static const struct {
		const char *in;
		enum smtp_reply_state want;
		guint code;
		const char *text;
		gsize used; /* 0: all of it */
	} cases[] = {
		{ "220 gateway ESMTP\r\n", SMTP_REPLY_DONE, 220, "gateway ESMTP", 0 },
		{ "250-gateway\r\n250-PIPELINING\r\n250 8BITMIME\r\n", SMTP_REPLY_DONE, 250,
		  "gateway PIPELINING 8BITMIME", 0 },
		{ "250 ok\r\n221 bye\r\n", SMTP_REPLY_DONE, 250, "ok", 8 },
		{ "354\r\n", SMTP_REPLY_DONE, 354, "", 0 },
		{ "250 bare lf\n", SMTP_REPLY_DONE, 250, "bare lf", 0 },
		{ "550 5.1.1 \x01\xe3\x81\x82\r\n", SMTP_REPLY_DONE, 550, "5.1.1 ????", 0 },
		{ "250-more", SMTP_REPLY_MORE, 0, NULL, 0 },
		{ "250-first\r\n", SMTP_REPLY_MORE, 0, NULL, 0 },
		{ "", SMTP_REPLY_MORE, 0, NULL, 0 },
		{ "hello there\r\n", SMTP_REPLY_BAD, 0, NULL, 0 },
		{ "250-a\r\n251 b\r\n", SMTP_REPLY_BAD, 0, NULL, 0 },
		{ "650 no\r\n", SMTP_REPLY_BAD, 0, NULL, 0 },
		{ "150 no\r\n", SMTP_REPLY_BAD, 0, NULL, 0 },
		{ "25 short\r\n", SMTP_REPLY_BAD, 0, NULL, 0 },
		{ "250x\r\n", SMTP_REPLY_BAD, 0, NULL, 0 },
	};
	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		gsize used = 0, len = strlen(cases[i].in);
		guint code = 0;
		g_autofree char *text = NULL;
		enum smtp_reply_state st = smtp_reply_parse(cases[i].in, len, &used, &code, &text);
		if (st != cases[i].want)
			g_error("\"%s\": state %d, want %d", cases[i].in, st, cases[i].want);
		if (st == SMTP_REPLY_BAD)
			g_assert_nonnull(text);
		if (st != SMTP_REPLY_DONE)
			continue;
		g_assert_cmpuint(code, ==, cases[i].code);
		g_assert_cmpstr(text, ==, cases[i].text);
		g_assert_cmpuint(used, ==, cases[i].used ? cases[i].used : len);
	}
	/* a NUL, a line over the limit, too many lines */
	gsize used;
	guint code;
	char *text = NULL;
	g_assert_cmpint(smtp_reply_parse("250 a\0b\r\n", 9, &used, &code, &text), ==, SMTP_REPLY_BAD);
	g_clear_pointer(&text, g_free);
	g_autofree char *long_line = g_strnfill(SMTP_REPLY_MAX_LINE + 10, 'x');
	memcpy(long_line, "250 ", 4);
	g_assert_cmpint(smtp_reply_parse(long_line, strlen(long_line), &used, &code, &text), ==,
			SMTP_REPLY_BAD);
	g_clear_pointer(&text, g_free);
	GString *many = g_string_new(NULL);
	for (int i = 0; i <= SMTP_REPLY_MAX_LINES; i++)
		g_string_append(many, "250-x\r\n");
	g_string_append(many, "250 x\r\n");
	g_assert_cmpint(smtp_reply_parse(many->str, many->len, &used, &code, &text), ==,
			SMTP_REPLY_BAD);
	g_clear_pointer(&text, g_free);
	g_string_free(many, TRUE);

	g_autofree char *id = smtp_reply_queue_id("2.0.0 Ok: queued as 4XyZ1b2c3d");
	g_assert_cmpstr(id, ==, "4XyZ1b2c3d");
	g_assert_null(smtp_reply_queue_id("2.0.0 Ok"));
	g_assert_null(smtp_reply_queue_id("queued as "));
}

/* ---- addresses and relays ------------------------------------------------ */

static void
test_addresses_and_relays(void)
{
	static const char *const good[] = { "soumu@city.example.lg.jp", "a.b+c@x.jp", "postmaster@gw" };
	static const char *const bad[] = {
		"", "nobody", "@x.jp", "a@", "a@b@c", "a b@x.jp", "a@x.jp\r\nRCPT TO:<z@z>",
		"<a@x.jp>", "-oQ/tmp@x", "\"q\"@x.jp", "a@[127.0.0.1]", "あ@x.jp", "a,b@x.jp",
	};
	for (gsize i = 0; i < G_N_ELEMENTS(good); i++)
		g_assert_null(submit_address_refusal(good[i]));
	for (gsize i = 0; i < G_N_ELEMENTS(bad); i++)
		if (!submit_address_refusal(bad[i]))
			g_error("\"%s\" taken as an envelope address", bad[i]);
	g_autofree char *local = g_strnfill(260, 'a');
	g_autofree char *huge = g_strdup_printf("%s@x.jp", local);
	g_assert_nonnull(submit_address_refusal(huge));

	static const char *const relays[] = { "inet:127.0.0.1:10026", "inet:[::1]:10026",
					      "inet:localhost:25", "sendmail:/usr/sbin/sendmail" };
	static const char *const not_relays[] = { "", "127.0.0.1:10026", "unix:/run/x.sock",
						  "inet:127.0.0.1", "sendmail:sendmail",
						  "sendmail:/usr/sbin/sendmail -t", "smtp:[x]:25" };
	for (gsize i = 0; i < G_N_ELEMENTS(relays); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(submit_relay) r = submit_relay_parse(relays[i], &error);
		g_assert_no_error(error);
		g_assert_cmpstr(submit_relay_text(r), ==, relays[i]);
		g_assert_null(submit_relay_refusal(relays[i]));
	}
	for (gsize i = 0; i < G_N_ELEMENTS(not_relays); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(submit_relay) r = submit_relay_parse(not_relays[i], &error);
		if (r)
			g_error("\"%s\" taken as a relay", not_relays[i]);
		g_assert_nonnull(submit_relay_refusal(not_relays[i]));
	}
	g_autoptr(submit_relay) smtp = submit_relay_parse("inet:127.0.0.1:10026", NULL);
	g_assert_cmpstr(submit_relay_host(smtp), ==, "127.0.0.1");
	g_assert_cmpstr(submit_relay_port(smtp), ==, "10026");
	g_assert_null(submit_relay_program(smtp));
	g_autoptr(submit_relay) sm = submit_relay_parse("sendmail:/usr/sbin/sendmail", NULL);
	g_assert_cmpstr(submit_relay_program(sm), ==, "/usr/sbin/sendmail");
	g_assert_null(submit_relay_host(sm));
}

/* ---- a fake SMTP server ---------------------------------------------------- */

#define HANG "(hang)"   /* say nothing until the client goes */
#define CLOSE "(close)" /* drop the connection */

struct fake {
	int listen_fd;
	guint16 port;
	const char *const *replies; /* the greeting, then one per command or message */
	GString *commands;          /* the command lines received, "\n" after each */
	GString *data;              /* the message as sent after 354, with its final dot */
	GThread *thread;
};

/* One line (CRLF kept), or NULL at EOF. */
static char *
read_line(int fd)
{
	GString *line = g_string_new(NULL);
	char c;
	while (recv(fd, &c, 1, 0) == 1) {
		g_string_append_c(line, c);
		if (c == '\n')
			return g_string_free(line, FALSE);
	}
	g_string_free(line, TRUE);
	return NULL;
}

static gboolean
say(int fd, const char *reply)
{
	if (strcmp(reply, HANG) == 0) {
		char c;
		while (recv(fd, &c, 1, 0) == 1)
			;
		return FALSE;
	}
	if (strcmp(reply, CLOSE) == 0)
		return FALSE;
	return send(fd, reply, strlen(reply), MSG_NOSIGNAL) == (ssize_t)strlen(reply);
}

static gpointer
serve(gpointer data)
{
	struct fake *f = data;
	int fd = accept(f->listen_fd, NULL, NULL);
	if (fd < 0)
		return NULL;
	const char *const *next = f->replies;
	gboolean in_data = FALSE;
	if (*next && say(fd, *next++)) {
		char *line;
		while ((line = read_line(fd))) {
			if (in_data) {
				g_string_append(f->data, line);
				in_data = strcmp(line, ".\r\n") != 0;
			} else {
				g_string_append_len(f->commands, line, (gssize)strcspn(line, "\r\n"));
				g_string_append_c(f->commands, '\n');
			}
			g_free(line);
			if (in_data)
				continue;
			if (!*next || !say(fd, *next))
				break;
			in_data = g_str_has_prefix(*next++, "354");
		}
	}
	close(fd);
	return NULL;
}

static void
fake_start(struct fake *f, const char *const *replies)
{
	*f = (struct fake){ .replies = replies, .commands = g_string_new(NULL),
			    .data = g_string_new(NULL) };
	f->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof sin;
	g_assert_cmpint(bind(f->listen_fd, (struct sockaddr *)&sin, sizeof sin), ==, 0);
	g_assert_cmpint(listen(f->listen_fd, 1), ==, 0);
	g_assert_cmpint(getsockname(f->listen_fd, (struct sockaddr *)&sin, &len), ==, 0);
	f->port = ntohs(sin.sin_port);
	f->thread = g_thread_new("fake-smtp", serve, f);
}

struct seen {
	char *commands; /* the command lines, "\n" after each */
	char *data;     /* the message as sent after 354 */
};

static void
seen_clear(struct seen *s)
{
	g_free(s->commands);
	g_free(s->data);
}
typedef struct seen server_saw;
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(server_saw, seen_clear)

/* Wait for the server to finish; what it received. */
static struct seen
fake_stop(struct fake *f)
{
	shutdown(f->listen_fd, SHUT_RDWR); /* a server that was never called */
	g_thread_join(f->thread);
	close(f->listen_fd);
	return (struct seen){ .commands = g_string_free(f->commands, FALSE),
			      .data = g_string_free(f->data, FALSE) };
}

static const char message[] = "Subject: t\r\n\r\n.leading dot\r\n..two\r\nbare lf\nbare cr\r"
			      "last line without an end";
static const char stuffed[] = "Subject: t\r\n\r\n..leading dot\r\n...two\r\nbare lf\r\nbare cr\r\n"
			      "last line without an end\r\n.\r\n";
static const char *const two[] = { "soumu@city.example.lg.jp", "kikaku@city.example.lg.jp", NULL };

/* Submit `message` to a fake server with these replies; what it saw. */
static struct seen
dialogue(const char *const *replies, const char *const *rcpts, const char *sender, guint io_ms,
	 struct submit_result *r)
{
	struct fake f;
	fake_start(&f, replies);
	g_autofree char *spec = g_strdup_printf("inet:127.0.0.1:%u", f.port);
	g_autoptr(submit_relay) relay = submit_relay_parse(spec, NULL);
	struct submit_options o = { .sender = sender, .helo = "gw.test", .connect_ms = 2000,
				    .io_ms = io_ms };
	submit_message(relay, &o, rcpts, (const guint8 *)message, strlen(message), r);
	return fake_stop(&f);
}

static enum submit_status
recipient_status(const struct submit_result *r, guint i)
{
	return ((const struct submit_recipient *)r->recipients->pdata[i])->status;
}

static const char *
recipient_reply(const struct submit_result *r, guint i)
{
	return ((const struct submit_recipient *)r->recipients->pdata[i])->reply;
}

static void
test_smtp_delivered(void)
{
	static const char *const replies[] = {
		"220 gw ESMTP\r\n", "250-gw\r\n250-SIZE 10240000\r\n250 8BITMIME\r\n", "250 2.1.0 Ok\r\n",
		"250 2.1.5 Ok\r\n", "250 2.1.5 Ok\r\n", "354 End data with <CR><LF>.<CR><LF>\r\n",
		"250 2.0.0 Ok: queued as 4AbC123dEf\r\n", "221 2.0.0 Bye\r\n", NULL,
	};
	struct submit_result r;
	struct seen seen = dialogue(replies, two, NULL, 2000, &r);
	g_assert_cmpstr(seen.commands, ==,
			"EHLO gw.test\nMAIL FROM:<>\nRCPT TO:<soumu@city.example.lg.jp>\n"
			"RCPT TO:<kikaku@city.example.lg.jp>\nDATA\nQUIT\n");
	g_assert_cmpstr(seen.data, ==, stuffed);
	g_assert_cmpint(r.status, ==, SUBMIT_SENT);
	g_assert_cmpstr(r.queue_id, ==, "4AbC123dEf");
	g_assert_cmpstr(r.reply, ==, "250 2.0.0 Ok: queued as 4AbC123dEf");
	g_assert_cmpint(recipient_status(&r, 0), ==, SUBMIT_SENT);
	g_assert_cmpint(recipient_status(&r, 1), ==, SUBMIT_SENT);
	seen_clear(&seen);
	submit_result_clear(&r);
}

static void
test_smtp_recipients(void)
{
	static const char *const one_refused[] = {
		"220 gw\r\n", "250 gw\r\n", "250 Ok\r\n", "550 5.1.1 <soumu@city.example.lg.jp>: "
		"Recipient address rejected\r\n", "250 Ok\r\n", "354 go\r\n",
		"250 2.0.0 Ok: queued as Q1\r\n", "221 Bye\r\n", NULL,
	};
	struct submit_result r;
	g_auto(server_saw) c1 = dialogue(one_refused, two, "mugaika@gw.test", 2000, &r);
	g_assert_nonnull(strstr(c1.commands, "MAIL FROM:<mugaika@gw.test>\n"));
	g_assert_nonnull(strstr(c1.commands, "DATA\n"));
	g_assert_cmpint(r.status, ==, SUBMIT_SENT);
	g_assert_cmpint(recipient_status(&r, 0), ==, SUBMIT_REFUSED);
	g_assert_true(g_str_has_prefix(recipient_reply(&r, 0), "550 5.1.1"));
	g_assert_cmpint(recipient_status(&r, 1), ==, SUBMIT_SENT);
	submit_result_clear(&r);

	static const char *const all_deferred[] = { "220 gw\r\n", "250 gw\r\n", "250 Ok\r\n",
						    "450 4.2.0 busy\r\n", "451 4.3.0 busy\r\n",
						    "221 Bye\r\n", NULL };
	g_auto(server_saw) c2 = dialogue(all_deferred, two, NULL, 2000, &r);
	g_assert_null(strstr(c2.commands, "DATA"));
	g_assert_cmpint(r.status, ==, SUBMIT_TEMPFAIL);
	g_assert_cmpint(recipient_status(&r, 0), ==, SUBMIT_TEMPFAIL);
	g_assert_cmpint(recipient_status(&r, 1), ==, SUBMIT_TEMPFAIL);
	submit_result_clear(&r);

	static const char *const all_refused[] = { "220 gw\r\n", "250 gw\r\n", "250 Ok\r\n",
						   "550 no\r\n", "554 no\r\n", "221 Bye\r\n", NULL };
	g_auto(server_saw) c3 = dialogue(all_refused, two, NULL, 2000, &r);
	g_assert_null(strstr(c3.commands, "DATA"));
	g_assert_cmpint(r.status, ==, SUBMIT_REFUSED);
	submit_result_clear(&r);

	/* an address that could inject a command never reaches the server */
	static const char *const bad_and_good[] = { "x@y\r\nRCPT TO:<evil@z>", "ok@city.example.lg.jp",
						    NULL };
	static const char *const one_ok[] = { "220 gw\r\n", "250 gw\r\n", "250 Ok\r\n", "250 Ok\r\n",
					      "354 go\r\n", "250 Ok: queued as Q2\r\n", "221 Bye\r\n",
					      NULL };
	g_auto(server_saw) c4 = dialogue(one_ok, bad_and_good, NULL, 2000, &r);
	g_assert_null(strstr(c4.commands, "evil"));
	g_assert_cmpint(r.status, ==, SUBMIT_SENT);
	g_assert_cmpint(recipient_status(&r, 0), ==, SUBMIT_REFUSED);
	g_assert_cmpint(recipient_status(&r, 1), ==, SUBMIT_SENT);
	submit_result_clear(&r);

	g_auto(server_saw) c5 = dialogue(one_ok, two, "bad sender@x", 2000, &r);
	g_assert_cmpstr(c5.commands, ==, ""); /* refused before connecting */
	g_assert_cmpint(r.status, ==, SUBMIT_REFUSED);
	submit_result_clear(&r);
}

static void
test_smtp_failures(void)
{
	static const struct {
		const char *const replies[9];
		enum submit_status want;
		const char *reply_has;
		gboolean uncertain; /* the whole message sent, no answer */
	} cases[] = {
		{ { "554 5.3.2 no service\r\n", NULL }, SUBMIT_REFUSED, "greets with 554", FALSE },
		{ { "421 4.3.2 later\r\n", NULL }, SUBMIT_TEMPFAIL, "greets with 421", FALSE },
		{ { "220 gw\r\n", "502 no EHLO\r\n", "250 hello\r\n", "250 Ok\r\n", "250 Ok\r\n",
		    "250 Ok\r\n", "354 go\r\n", "250 Ok: queued as H1\r\n", NULL },
		  SUBMIT_SENT, "queued as H1", FALSE },
		{ { "220 gw\r\n", "250 gw\r\n", "553 5.7.1 sender\r\n", NULL }, SUBMIT_REFUSED,
		  "refuses the sender", FALSE },
		{ { "220 gw\r\n", "250 gw\r\n", "250 Ok\r\n", "250 Ok\r\n", "250 Ok\r\n", "354 go\r\n",
		    "452 4.3.1 full\r\n", NULL },
		  SUBMIT_TEMPFAIL, "refuses the message: 452", FALSE },
		{ { "220 gw\r\n", "250 gw\r\n", "250 Ok\r\n", "250 Ok\r\n", "250 Ok\r\n", "354 go\r\n",
		    "554 5.7.1 content\r\n", NULL },
		  SUBMIT_REFUSED, "refuses the message: 554", FALSE },
		{ { "220 gw\r\n", "250 gw\r\n", "250 Ok\r\n", "250 Ok\r\n", "250 Ok\r\n",
		    "503 no DATA\r\n", NULL },
		  SUBMIT_REFUSED, "refuses DATA", FALSE },
		{ { "220 gw\r\n", "hello there\r\n", NULL }, SUBMIT_TEMPFAIL, "does not start with a code", FALSE },
		{ { "220 gw\r\n", CLOSE, NULL }, SUBMIT_TEMPFAIL, "closed the connection", FALSE },
		{ { "220 gw\r\n", "250 gw\r\n", "250 Ok\r\n", "250 Ok\r\n", "250 Ok\r\n", "354 go\r\n",
		    HANG, NULL },
		  SUBMIT_TEMPFAIL, "no reply within", TRUE },
		{ { "220 gw\r\n", "250 gw\r\n", "250 Ok\r\n", "250 Ok\r\n", "250 Ok\r\n", "354 go\r\n",
		    CLOSE, NULL },
		  SUBMIT_TEMPFAIL, "closed the connection after the message", TRUE },
	};
	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct submit_result r;
		gint64 start = g_get_monotonic_time();
		g_auto(server_saw) seen = dialogue(cases[i].replies, two, NULL, 300, &r);
		if (r.status != cases[i].want || !strstr(r.reply, cases[i].reply_has))
			g_error("case %" G_GSIZE_FORMAT ": %s \"%s\", want %s \"%s\" (server saw %s)",
				i, submit_status_name(r.status), r.reply,
				submit_status_name(cases[i].want), cases[i].reply_has, seen.commands);
		g_assert_cmpint(g_get_monotonic_time() - start, <, 3 * G_USEC_PER_SEC);
		if (r.uncertain != cases[i].uncertain)
			g_error("case %" G_GSIZE_FORMAT ": uncertain %d", i, r.uncertain);
		for (guint k = 0; k < r.recipients->len; k++)
			g_assert_cmpint(recipient_status(&r, k), ==, cases[i].want);
		if (cases[i].want == SUBMIT_SENT)
			g_assert_nonnull(strstr(seen.commands, "HELO gw.test\n"));
		submit_result_clear(&r);
	}

	/* nobody listening */
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof sin;
	bind(fd, (struct sockaddr *)&sin, sizeof sin);
	getsockname(fd, (struct sockaddr *)&sin, &len);
	close(fd);
	g_autofree char *spec = g_strdup_printf("inet:127.0.0.1:%u", ntohs(sin.sin_port));
	g_autoptr(submit_relay) relay = submit_relay_parse(spec, NULL);
	struct submit_options o = { .connect_ms = 500, .io_ms = 500 };
	struct submit_result r;
	submit_message(relay, &o, two, (const guint8 *)"x", 1, &r);
	g_assert_cmpint(r.status, ==, SUBMIT_TEMPFAIL);
	g_assert_nonnull(strstr(r.reply, "cannot connect"));
	submit_result_clear(&r);
}

/* ---- sendmail --------------------------------------------------------------- */

/* A fake sendmail in dir: records its arguments and input, prints
 * `says`, sleeps `sleep` seconds, exits with `status`. */
static char *
fake_sendmail(const char *dir, int status, int sleep_s, const char *says)
{
	g_autofree char *path = g_build_filename(dir, "sendmail", NULL);
	g_autofree char *script = g_strdup_printf(
		"#!/bin/sh\nprintf '%%s\\n' \"$@\" > '%s/args'\ncat > '%s/input'\n"
		"echo '%s' >&2\nsleep %d\nexit %d\n",
		dir, dir, says, sleep_s, status);
	g_assert_true(g_file_set_contents(path, script, -1, NULL));
	g_assert_cmpint(g_chmod(path, 0755), ==, 0);
	return g_strdup_printf("sendmail:%s", path);
}

static void
run_sendmail(const char *spec, const char *sender, guint timeout_ms, struct submit_result *r)
{
	g_autoptr(submit_relay) relay = submit_relay_parse(spec, NULL);
	struct submit_options o = { .sender = sender, .connect_ms = 0, .io_ms = timeout_ms };
	submit_message(relay, &o, two, (const guint8 *)message, strlen(message), r);
}

static void
test_sendmail(void)
{
	g_autofree char *dir = g_dir_make_tmp("test-submit-XXXXXX", NULL);
	g_autofree char *args_path = g_build_filename(dir, "args", NULL);
	g_autofree char *input_path = g_build_filename(dir, "input", NULL);

	g_autofree char *ok = fake_sendmail(dir, 0, 0, "");
	struct submit_result r;
	run_sendmail(ok, NULL, 5000, &r);
	g_assert_cmpint(r.status, ==, SUBMIT_SENT);
	g_assert_null(r.queue_id);
	g_autofree char *args = NULL, *input = NULL;
	g_assert_true(g_file_get_contents(args_path, &args, NULL, NULL));
	g_assert_cmpstr(args, ==, "-i\n-f\n<>\n--\nsoumu@city.example.lg.jp\n"
				  "kikaku@city.example.lg.jp\n");
	g_assert_true(g_file_get_contents(input_path, &input, NULL, NULL));
	g_assert_cmpstr(input, ==, "Subject: t\n\n.leading dot\n..two\nbare lf\nbare cr\r"
				   "last line without an end");
	submit_result_clear(&r);

	g_autofree char *with_sender = fake_sendmail(dir, 0, 0, "");
	run_sendmail(with_sender, "mugaika@gw.test", 5000, &r);
	g_clear_pointer(&args, g_free);
	g_assert_true(g_file_get_contents(args_path, &args, NULL, NULL));
	g_assert_true(g_str_has_prefix(args, "-i\n-f\nmugaika@gw.test\n--\n"));
	submit_result_clear(&r);

	static const struct {
		int status;
		enum submit_status want;
	} exits[] = { { 75, SUBMIT_TEMPFAIL }, { 69, SUBMIT_TEMPFAIL }, { 67, SUBMIT_REFUSED },
		      { 64, SUBMIT_REFUSED } };
	for (gsize i = 0; i < G_N_ELEMENTS(exits); i++) {
		g_autofree char *spec = fake_sendmail(dir, exits[i].status, 0, "sendmail-says-why");
		run_sendmail(spec, NULL, 5000, &r);
		g_assert_cmpint(r.status, ==, exits[i].want);
		g_assert_nonnull(strstr(r.reply, "sendmail-says-why"));
		g_assert_false(r.uncertain); /* sendmail said what happened */
		g_assert_cmpint(recipient_status(&r, 1), ==, exits[i].want);
		submit_result_clear(&r);
	}

	g_autofree char *slow = fake_sendmail(dir, 0, 30, "");
	gint64 start = g_get_monotonic_time();
	run_sendmail(slow, NULL, 300, &r);
	g_assert_cmpint(g_get_monotonic_time() - start, <, 5 * G_USEC_PER_SEC);
	g_assert_cmpint(r.status, ==, SUBMIT_TEMPFAIL);
	g_assert_nonnull(strstr(r.reply, "did not finish"));
	g_assert_true(r.uncertain); /* killed: it may have queued it */
	submit_result_clear(&r);

	g_autofree char *missing = g_strdup_printf("sendmail:%s/none", dir);
	run_sendmail(missing, NULL, 300, &r);
	g_assert_cmpint(r.status, ==, SUBMIT_TEMPFAIL);
	g_assert_nonnull(strstr(r.reply, "cannot run"));
	g_assert_false(r.uncertain);
	submit_result_clear(&r);

	g_autofree char *rm = g_strdup_printf("rm -rf '%s'", dir);
	g_assert_cmpint(system(rm), ==, 0);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/submit/reply-parser", test_reply_parser);
	g_test_add_func("/submit/addresses-relays", test_addresses_and_relays);
	g_test_add_func("/submit/smtp-delivered", test_smtp_delivered);
	g_test_add_func("/submit/smtp-recipients", test_smtp_recipients);
	g_test_add_func("/submit/smtp-failures", test_smtp_failures);
	g_test_add_func("/submit/sendmail", test_sendmail);
	return g_test_run();
}
