/*
 * NAME
 *	postfix-check.c - check Postfix's arrangement around cdr-milter
 * SUMMARY
 *	See postfix-check.h. What counts as unsafe (an error, cdr-milter -n
 *	fails) and what only does not do what the policy says (a warning):
 * DESCRIPTION
 *	Errors: milter_default_action = accept (a milter that is down lets
 *	mail through); a screening smtpd whose mail does not go on to an
 *	after-queue smtpd with cdr-milter (nothing would be converted); an
 *	after-queue smtpd that maps addresses again or has a content_filter
 *	of its own; a cleanup behind the milter whose message_size_limit
 *	cannot hold the original and the rebuilt message (sizes.h), or a
 *	screening smtpd that takes larger messages than the milter after the
 *	queue will.
 *
 *	The return path ([release] relay), where follow-ups and releases go
 *	back in: an error when it runs cdr-milter or a content filter (they
 *	would be converted again, or loop) or listens beyond loopback (mail
 *	handed to it is never converted); with sendmail, when pickup has a
 *	content filter. A note when no smtpd of master.cf is the relay (it
 *	may be another host's).
 *
 *	Warnings: recipient-dependent settings where the milter sees the
 *	recipients as typed (it then uses the strictest mode); bypass_clients
 *	where the milter never sees the real client; rejects after the queue
 *	(they become bounces); local(8) aliases, which Postfix expands after
 *	the content filter; no smtpd using cdr-milter at all.
 *
 *	An smtpd service "uses cdr-milter" when its smtpd_milters names
 *	[milter] socket in Postfix's spelling: unix:PATH, where PATH may be
 *	relative to queue_directory (the chroot), or inet:HOST:PORT.
 */
#include "postfix-check.h"

#include <string.h>

#include "envelope.h"
#include "sizes.h"
#include "submit.h"

struct service {
	char *name, *type, *command;
};

struct postfix_conf {
	GHashTable *main;      /* parameter -> value (expanded) */
	GHashTable *overrides; /* "service/type/parameter" -> value */
	GPtrArray *services;   /* struct service* in master.cf order */
};

static void
service_free(gpointer p)
{
	struct service *s = p;
	g_free(s->name);
	g_free(s->type);
	g_free(s->command);
	g_free(s);
}

/* "name = value" lines; a value may be empty. */
static void
parse_values(const char *text, GHashTable *into)
{
	g_auto(GStrv) lines = g_strsplit(text ? text : "", "\n", -1);
	for (char **l = lines; *l; l++) {
		const char *eq = strstr(*l, " =");
		if (!eq || eq == *l)
			continue;
		const char *v = eq + 2;
		while (*v == ' ')
			v++;
		g_hash_table_replace(into, g_strndup(*l, (gsize)(eq - *l)), g_strdup(v));
	}
}

struct postfix_conf *
postfix_conf_parse(const char *main_values, const char *services, const char *service_values)
{
	struct postfix_conf *pf = g_new0(struct postfix_conf, 1);
	pf->main = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	pf->overrides = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	pf->services = g_ptr_array_new_with_free_func(service_free);
	parse_values(main_values, pf->main);
	parse_values(service_values, pf->overrides);
	g_auto(GStrv) lines = g_strsplit(services ? services : "", "\n", -1);
	for (char **l = lines; *l; l++) {
		/* name type private unpriv chroot wakeup maxproc command [args] */
		g_auto(GStrv) f = g_strsplit_set(g_strstrip(*l), " \t", -1);
		char *field[8] = { NULL };
		guint n = 0;
		for (char **w = f; *w && n < 8; w++)
			if (**w)
				field[n++] = *w;
		if (n < 8 || field[0][0] == '#')
			continue;
		struct service *s = g_new0(struct service, 1);
		s->name = g_strdup(field[0]);
		s->type = g_strdup(field[1]);
		s->command = g_strdup(field[7]);
		g_ptr_array_add(pf->services, s);
	}
	return pf;
}

void
postfix_conf_free(struct postfix_conf *pf)
{
	if (!pf)
		return;
	g_hash_table_unref(pf->main);
	g_hash_table_unref(pf->overrides);
	g_ptr_array_unref(pf->services);
	g_free(pf);
}

static char *
run_postconf(const char *config_dir, const char *option, GError **error)
{
	const char *argv[] = { "postconf", option, NULL, NULL, NULL };
	if (config_dir) {
		argv[2] = "-c";
		argv[3] = config_dir;
	}
	g_autofree char *out = NULL, *err = NULL;
	int status = 0;
	if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
			  &status, error))
		return NULL;
	if (!g_spawn_check_wait_status(status, NULL)) {
		g_set_error(error, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED, "postconf %s%s%s: %s",
			    option, config_dir ? " -c " : "", config_dir ? config_dir : "",
			    g_strstrip(err));
		return NULL;
	}
	return g_steal_pointer(&out);
}

struct postfix_conf *
postfix_conf_read(const char *config_dir, GError **error)
{
	g_autofree char *main_values = run_postconf(config_dir, "-x", error);
	if (!main_values)
		return NULL;
	g_autofree char *services = run_postconf(config_dir, "-M", error);
	if (!services)
		return NULL;
	g_autofree char *service_values = run_postconf(config_dir, "-Px", error);
	if (!service_values)
		return NULL;
	return postfix_conf_parse(main_values, services, service_values);
}

void
postfix_findings_init(struct postfix_findings *f)
{
	f->errors = g_ptr_array_new_with_free_func(g_free);
	f->warnings = g_ptr_array_new_with_free_func(g_free);
	f->notes = g_ptr_array_new_with_free_func(g_free);
}

void
postfix_findings_clear(struct postfix_findings *f)
{
	g_ptr_array_unref(f->errors);
	g_ptr_array_unref(f->warnings);
	g_ptr_array_unref(f->notes);
}

static void add(GPtrArray *to, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void
add(GPtrArray *to, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	g_ptr_array_add(to, g_strdup_vprintf(fmt, ap));
	va_end(ap);
}

/* ---- values ---------------------------------------------------------------------- */

static const char *
main_value(const struct postfix_conf *pf, const char *param)
{
	const char *v = g_hash_table_lookup(pf->main, param);
	return v ? v : "";
}

static const char *
service_value(const struct postfix_conf *pf, const struct service *s, const char *param)
{
	g_autofree char *key = g_strdup_printf("%s/%s/%s", s->name, s->type, param);
	const char *v = g_hash_table_lookup(pf->overrides, key);
	return v ? v : main_value(pf, param);
}

static guint64
size_value(const char *v)
{
	return g_ascii_strtoull(v, NULL, 10);
}

static const struct service *
find_service(const struct postfix_conf *pf, const char *name, const char *type)
{
	for (guint i = 0; i < pf->services->len; i++) {
		const struct service *s = pf->services->pdata[i];
		if (strcmp(s->name, name) == 0 && (!type || strcmp(s->type, type) == 0))
			return s;
	}
	return NULL;
}

/* Items of a Postfix list: separated by commas and white space. */
static gboolean
list_has(const char *list, const char *item)
{
	g_auto(GStrv) items = g_strsplit_set(list, ", \t", -1);
	for (char **i = items; *i; i++)
		if (g_ascii_strcasecmp(*i, item) == 0)
			return TRUE;
	return FALSE;
}

/* ---- does smtpd_milters name our socket? ------------------------------------------ */

static gboolean
same_host(const char *a, const char *b)
{
	if (g_ascii_strcasecmp(a, "localhost") == 0)
		a = "127.0.0.1";
	if (g_ascii_strcasecmp(b, "localhost") == 0)
		b = "127.0.0.1";
	return g_ascii_strcasecmp(a, b) == 0;
}

/* One milter address in Postfix's spelling against [milter] socket. */
static gboolean
names_our_socket(const char *addr, const char *socket, const char *queue_dir)
{
	const char *ours = NULL, *theirs = NULL;
	if ((ours = g_str_has_prefix(socket, "unix:") ? socket + 5
		    : g_str_has_prefix(socket, "local:") ? socket + 6
							  : NULL)) {
		theirs = g_str_has_prefix(addr, "unix:")    ? addr + 5
			 : g_str_has_prefix(addr, "local:") ? addr + 6
							    : NULL;
		if (!theirs)
			return FALSE;
		if (strcmp(ours, theirs) == 0)
			return TRUE;
		/* chrooted, or relative: below the queue directory */
		g_autofree char *below = g_build_filename(queue_dir, theirs, NULL);
		return strcmp(ours, below) == 0;
	}
	/* ours inet:PORT@HOST, theirs inet:HOST:PORT */
	const char *at = strchr(socket, '@');
	const char *colon = strchr(socket, ':');
	const char *first = strchr(addr, ':');
	const char *last = strrchr(addr, ':');
	if (!at || !colon || at < colon || !g_str_has_prefix(addr, "inet") || !first ||
	    last == first)
		return FALSE;
	g_autofree char *port = g_strndup(colon + 1, (gsize)(at - colon - 1));
	const char *host_start = first + 1;
	g_autofree char *host = g_strndup(host_start, (gsize)(last - host_start));
	g_strstrip(host);
	if (*host == '[' && strlen(host) >= 2 && host[strlen(host) - 1] == ']') {
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = '\0';
	}
	return strcmp(port, last + 1) == 0 && same_host(host, at + 1);
}

/* smtpd_milters: "addr, { addr, option = value, ... }, ..." */
static gboolean
uses_our_milter(const char *milters, const char *socket, const char *queue_dir)
{
	for (const char *p = milters; *p;) {
		while (*p == ',' || *p == '}' || g_ascii_isspace(*p))
			p++;
		if (!*p)
			break;
		gboolean grouped = *p == '{';
		if (grouped)
			p++;
		while (g_ascii_isspace(*p))
			p++;
		const char *end = p;
		while (*end && *end != ',' && *end != '}' && !g_ascii_isspace(*end))
			end++;
		g_autofree char *addr = g_strndup(p, (gsize)(end - p));
		if (*addr && names_our_socket(addr, socket, queue_dir))
			return TRUE;
		p = end;
		if (grouped) {
			const char *close = strchr(p, '}');
			p = close ? close + 1 : p + strlen(p);
		}
	}
	return FALSE;
}

/* ---- the checks -------------------------------------------------------------------- */

struct context {
	const struct postfix_conf *pf;
	const struct cdr_policy *policy;
	struct postfix_findings *out;
	const char *queue_dir;
};

/* message_size_limit of the cleanup service an smtpd hands its mail to */
static guint64
cleanup_limit(const struct context *c, const struct service *smtpd, const char **name)
{
	*name = service_value(c->pf, smtpd, "cleanup_service_name");
	const struct service *cleanup = find_service(c->pf, *name, "unix");
	return size_value(cleanup ? service_value(c->pf, cleanup, "message_size_limit")
				  : main_value(c->pf, "message_size_limit"));
}

static void
check_queue_file_room(const struct context *c, const struct service *s, const char *where)
{
	const char *cleanup = NULL;
	guint64 limit = cleanup_limit(c, s, &cleanup);
	guint64 need = milter_queue_file_limit(c->policy->milter_max_message_bytes);
	if (limit && limit < need)
		add(c->out->errors,
		    "%s: the %s service behind it has message_size_limit = %" G_GUINT64_FORMAT
		    ", but its queue file must hold the original and the rebuilt message: at "
		    "least %" G_GUINT64_FORMAT " for max_message_bytes = %" G_GUINT64_FORMAT
		    " (5/2 of it, 1/64 record overhead, 1 MiB envelope); otherwise Postfix "
		    "refuses converted mail with 552 \"message file too big\" after the work "
		    "is done",
		    where, cleanup, limit, need, c->policy->milter_max_message_bytes);
}

/* The inet smtpd service of master.cf that takes connections to
 * host:port (one that listens on every address included). */
static const struct service *
smtpd_listening(const struct context *c, const char *host, const char *port)
{
	for (guint i = 0; i < c->pf->services->len; i++) {
		const struct service *s = c->pf->services->pdata[i];
		if (strcmp(s->type, "inet") != 0 || strcmp(s->command, "smtpd") != 0)
			continue;
		const char *sport = strrchr(s->name, ':');
		g_autofree char *shost = sport ? g_strndup(s->name, (gsize)(sport - s->name))
					       : g_strdup("");
		sport = sport ? sport + 1 : s->name;
		if (strcmp(sport, port) == 0 && (!*shost || same_host(shost, host)))
			return s;
	}
	return NULL;
}

/* content_filter "transport:[host]:port" -> the smtpd service it reaches */
static const struct service *
filter_target(const struct context *c, const char *filter, const struct service **transport)
{
	g_autofree char *name = g_strdup(filter);
	char *colon = strchr(name, ':');
	*transport = NULL;
	if (!colon)
		return NULL;
	*colon = '\0';
	*transport = find_service(c->pf, name, "unix");
	const char *next = colon + 1;
	g_autofree char *host = NULL;
	const char *port = NULL;
	if (*next == '[') {
		const char *close = strchr(next, ']');
		if (!close || close[1] != ':')
			return NULL;
		host = g_strndup(next + 1, (gsize)(close - next - 1));
		port = close + 2;
	} else {
		const char *last = strrchr(next, ':');
		if (!last)
			return NULL;
		host = g_strndup(next, (gsize)(last - next));
		port = last + 1;
	}
	return smtpd_listening(c, host, port);
}

static void
check_screen(const struct context *c, const struct service *s, const char *where)
{
	const char *filter = service_value(c->pf, s, "content_filter");
	guint64 max = c->policy->milter_max_message_bytes;
	if (!*filter) {
		add(c->out->errors,
		    "%s screens only ({daemon_name} %s) but has no content_filter: its mail "
		    "would never be converted",
		    where, c->policy->milter_screen_daemon_name);
	} else {
		const struct service *transport = NULL;
		const struct service *next = filter_target(c, filter, &transport);
		if (!transport)
			add(c->out->errors, "%s: content_filter = %s names no transport in master.cf",
			    where, filter);
		else if (!next ||
			 !uses_our_milter(service_value(c->pf, next, "smtpd_milters"),
					  c->policy->milter_socket, c->queue_dir) ||
			 envelope_role(c->policy, service_value(c->pf, next, "milter_macro_daemon_name")) !=
				 ROLE_AFTER_QUEUE)
			add(c->out->errors,
			    "%s screens only, but content_filter = %s does not lead to an smtpd service "
			    "of this master.cf that runs cdr-milter after the queue "
			    "(milter_macro_daemon_name = %s): its mail would not be converted",
			    where, filter, c->policy->milter_after_queue_daemon_name);
	}
	guint64 limit = size_value(service_value(c->pf, s, "message_size_limit"));
	guint64 most = milter_screen_size_limit(max);
	if (!limit || limit > most)
		add(c->out->errors,
		    "%s takes messages up to message_size_limit = %" G_GUINT64_FORMAT
		    "%s, but after the queue cdr-milter refuses what is over max_message_bytes "
		    "(%" G_GUINT64_FORMAT ") once Postfix has added its Received: header, and "
		    "that refusal is a bounce: set it to at most %" G_GUINT64_FORMAT,
		    where, limit, limit ? "" : " (no limit)", max, most);
}

static void
check_after_queue(const struct context *c, const struct service *s, const char *where)
{
	const char *overrides = service_value(c->pf, s, "receive_override_options");
	if (!list_has(overrides, "no_address_mappings"))
		add(c->out->errors,
		    "%s runs cdr-milter after the queue but maps addresses again "
		    "(receive_override_options lacks no_address_mappings): recipients could "
		    "change after the milter chose the mode for them",
		    where);
	const char *filter = service_value(c->pf, s, "content_filter");
	if (*filter)
		add(c->out->errors,
		    "%s runs cdr-milter after the queue but has content_filter = %s: the "
		    "converted message would be filtered again (set -o content_filter= on it)",
		    where, filter);
	guint64 limit = size_value(service_value(c->pf, s, "message_size_limit"));
	if (limit && limit < c->policy->milter_max_message_bytes)
		add(c->out->errors,
		    "%s has message_size_limit = %" G_GUINT64_FORMAT ", below max_message_bytes "
		    "(%" G_GUINT64_FORMAT "): queued mail the milter would take is refused, and "
		    "bounced",
		    where, limit, c->policy->milter_max_message_bytes);
	check_queue_file_room(c, s, where);
	const struct cdr_policy *p = c->policy;
	if (strcmp(p->milter_blocked_action, "reject") == 0 ||
	    strcmp(p->milter_failure_action, "reject") == 0)
		add(c->out->warnings,
		    "%s: after the queue a reject (blocked_action or failure_action = reject) is a "
		    "bounce to the envelope sender, whom an internet client chooses; notice and "
		    "tempfail keep it on the gateway",
		    where);
}

static void
check_before_queue(const struct context *c, const struct service *s, const char *where)
{
	if (envelope_depends_on_recipients(c->policy))
		add(c->out->warnings,
		    "%s runs cdr-milter before the queue, where recipients are as the client "
		    "typed them (virtual_alias_maps, canonical maps and aliases come later): "
		    "text_domains, sanitize_domains and bypass_recipients are not followed "
		    "there, every message is rebuilt in the strictest mode; use the after-queue "
		    "arrangement of cdr-milter(8) for modes by recipient",
		    where);
	if (*service_value(c->pf, s, "content_filter"))
		add(c->out->warnings,
		    "%s converts before the queue and also has a content_filter: if that leads "
		    "to cdr-milter after the queue, set milter_macro_daemon_name = %s here so "
		    "that a message is converted once, for its final recipients",
		    where, c->policy->milter_screen_daemon_name);
	check_queue_file_room(c, s, where);
}

static void
check_milter_service(const struct context *c, const struct service *s, enum milter_role role)
{
	g_autofree char *where = g_strdup_printf("smtpd service %s/%s", s->name, s->type);
	const char *daemon = service_value(c->pf, s, "milter_macro_daemon_name");
	add(c->out->notes, "%s: cdr-milter %s ({daemon_name} %s), message_size_limit %s", where,
	    envelope_role_name(role), daemon, service_value(c->pf, s, "message_size_limit"));
	if (strcmp(service_value(c->pf, s, "milter_default_action"), "accept") == 0)
		add(c->out->errors,
		    "%s: milter_default_action = accept passes mail on unconverted whenever "
		    "cdr-milter cannot be reached; use tempfail",
		    where);
	if (role != ROLE_BEFORE_QUEUE &&
	    !strstr(service_value(c->pf, s, "milter_connect_macros"), "{daemon_name}"))
		add(c->out->errors,
		    "%s: milter_connect_macros lacks {daemon_name}, so cdr-milter cannot tell "
		    "its role there",
		    where);
	if (role == ROLE_SCREEN)
		check_screen(c, s, where);
	else if (role == ROLE_AFTER_QUEUE)
		check_after_queue(c, s, where);
	else
		check_before_queue(c, s, where);
}

/* local(8) expands aliases and .forward after the content filter. */
static void
check_local_aliases(const struct context *c)
{
	const char *dest = main_value(c->pf, "mydestination");
	const char *local = main_value(c->pf, "local_transport");
	if (!envelope_depends_on_recipients(c->policy) || !*dest || g_str_has_prefix(local, "error"))
		return;
	if (*main_value(c->pf, "alias_maps") || *main_value(c->pf, "forward_path"))
		add(c->out->warnings,
		    "local delivery expands alias_maps and .forward after the content filter, "
		    "for the domains of mydestination (%s): a message to such an address is "
		    "converted for the address as typed; forward with virtual_alias_maps "
		    "instead, or list those domains in text_domains",
		    dest);
}

/* A master.cf service name's host is loopback: "127.0.0.1:10026",
 * "[::1]:10026", "localhost:10026"; not "10026" (every address). */
static gboolean
loopback_only(const char *service_name)
{
	const char *colon = strrchr(service_name, ':');
	if (!colon)
		return FALSE;
	g_autofree char *host = g_strndup(service_name, (gsize)(colon - service_name));
	return g_str_has_prefix(host, "127.") || strcmp(host, "[::1]") == 0 ||
	       g_ascii_strcasecmp(host, "localhost") == 0;
}

/* [release] relay: follow-ups and releases go back into Postfix where
 * neither cdr-milter nor a content filter sees them again (a message is
 * converted once, and never loops), and where nobody else can hand in
 * mail that is never converted. */
static void
check_return_path(const struct context *c)
{
	const char *spec = c->policy->release_relay;
	g_autoptr(submit_relay) relay = *spec ? submit_relay_parse(spec, NULL) : NULL;
	if (!relay)
		return;
	const char *program = submit_relay_program(relay);
	if (program) {
		const struct service *pickup = find_service(c->pf, "pickup", NULL);
		const char *filter = pickup ? service_value(c->pf, pickup, "content_filter") : "";
		if (*filter)
			add(c->out->errors,
			    "[release] relay = %s: mail from sendmail goes through pickup, whose "
			    "content_filter = %s would convert follow-ups and releases again; set "
			    "-o content_filter= on pickup in master.cf, or use the return-path smtpd "
			    "(inet:127.0.0.1:10026, cdr-milter(8))",
			    spec, filter);
		return;
	}
	const struct service *s =
		smtpd_listening(c, submit_relay_host(relay), submit_relay_port(relay));
	if (!s) { /* it may be another host's: said, not judged */
		add(c->out->notes,
		    "[release] relay = %s is no smtpd service of this master.cf: follow-ups and "
		    "releases go there; it must be a return path without cdr-milter and "
		    "content filter (cdr-milter(8))",
		    spec);
		return;
	}
	g_autofree char *where = g_strdup_printf("the return path %s/%s ([release] relay)",
						 s->name, s->type);
	if (uses_our_milter(service_value(c->pf, s, "smtpd_milters"), c->policy->milter_socket,
			    c->queue_dir))
		add(c->out->errors,
		    "%s runs cdr-milter: follow-ups and releases would be converted a second "
		    "time; set -o smtpd_milters= on it",
		    where);
	const char *filter = service_value(c->pf, s, "content_filter");
	if (*filter)
		add(c->out->errors,
		    "%s has content_filter = %s: follow-ups and releases would go round through "
		    "cdr-milter again; set -o content_filter= on it",
		    where, filter);
	if (!loopback_only(s->name))
		add(c->out->errors,
		    "%s listens beyond this host: mail handed to it is never converted; bind it "
		    "to 127.0.0.1",
		    where);
}

void
postfix_check(const struct postfix_conf *pf, const struct cdr_policy *policy,
	      struct postfix_findings *out)
{
	struct context c = { .pf = pf, .policy = policy, .out = out,
			     .queue_dir = main_value(pf, "queue_directory") };
	guint users = 0, before_queue = 0;
	for (guint i = 0; i < pf->services->len; i++) {
		const struct service *s = pf->services->pdata[i];
		if (strcmp(s->command, "smtpd") != 0)
			continue;
		if (!uses_our_milter(service_value(pf, s, "smtpd_milters"), policy->milter_socket,
				     c.queue_dir)) {
			if (!*service_value(pf, s, "content_filter"))
				add(out->notes,
				    "smtpd service %s/%s: no cdr-milter, no content_filter: mail "
				    "through it is not converted (mynetworks %s)",
				    s->name, s->type, service_value(pf, s, "mynetworks"));
			continue;
		}
		users++;
		enum milter_role role =
			envelope_role(policy, service_value(pf, s, "milter_macro_daemon_name"));
		before_queue += role == ROLE_BEFORE_QUEUE;
		check_milter_service(&c, s, role);
	}
	if (!users)
		add(out->warnings,
		    "no smtpd service has cdr-milter's socket (%s) in its smtpd_milters: Postfix "
		    "does not send mail through it",
		    policy->milter_socket);
	if (users && !before_queue && policy->milter_bypass_clients && *policy->milter_bypass_clients)
		add(out->warnings,
		    "bypass_clients has no effect: cdr-milter runs only around the queue here, "
		    "where every client is the content filter; give the LGWAN relays their own "
		    "smtpd listener without content_filter and milters (cdr-milter(8))");
	check_local_aliases(&c);
	check_return_path(&c);
}
