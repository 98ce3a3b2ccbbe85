/*
 * NAME
 *	server.c - cdr-web's HTTP server and the steps before every page
 * SUMMARY
 *	See server.h. One handler for every path: security headers,
 *	session, CSRF, the admin check, then the router.
 * DESCRIPTION
 *	Plain HTTP only on a loopback address (behind a proxy on the same
 *	host); anything else needs [web] tls_cert and tls_key. The session
 *	cookie is Secure except on plain-HTTP loopback, always HttpOnly and
 *	SameSite=Strict. A POST body is at most WEB_MAX_FORM bytes. HTTPS
 *	is TLS 1.2 or later.
 */
#include "server.h"

#include <string.h>

#include "accounts.h"
#include "escape.h"
#include "router.h"

#define WEB_MAX_FORM (64 * 1024)
#define WEB_TLS_PRIORITY "NORMAL:-VERS-TLS1.0:-VERS-TLS1.1"
#define COOKIE_NAME "mugaika_session"

static const char csp[] = "default-src 'none'; style-src 'self'; img-src 'self' data:; "
			  "form-action 'self'; frame-ancestors 'none'";

/* ---- answers --------------------------------------------------------------- */

static gint64
now_seconds(void)
{
	return g_get_real_time() / G_USEC_PER_SEC;
}

static void
log_line(struct web_request *rq, guint status)
{
	gint64 ms = (g_get_monotonic_time() - rq->started) / 1000;
	g_printerr("cdr-web: %s %s %s %u %" G_GINT64_FORMAT " ms\n", rq->client, rq->method,
		   rq->log_path, status, ms);
}

static void
send_body(struct web_request *rq, guint status, const char *type, char *body, gsize len)
{
	SoupMessageHeaders *h = soup_server_message_get_response_headers(rq->msg);
	if (rq->session && g_strcmp0(rq->session->id, rq->cookie_in) != 0) {
		g_autofree char *cookie = g_strdup_printf(
			"%s=%s; Path=/; HttpOnly; SameSite=Strict%s", COOKIE_NAME, rq->session->id,
			rq->app->tls ? "; Secure" : "");
		soup_message_headers_append(h, "Set-Cookie", cookie);
	} else if (!rq->session && rq->cookie_in) {
		g_autofree char *cookie = g_strdup_printf(
			"%s=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict%s", COOKIE_NAME,
			rq->app->tls ? "; Secure" : "");
		soup_message_headers_append(h, "Set-Cookie", cookie);
	}
	soup_message_headers_replace(h, "Cache-Control", "no-store");
	soup_server_message_set_status(rq->msg, status, NULL);
	soup_server_message_set_response(rq->msg, type, SOUP_MEMORY_TAKE, body, len);
	log_line(rq, status);
	rq->answered = TRUE;
}

/* The request's (decoded) path as a link to this site: percent-encoded
 * but for '/', and one leading '/' only, so that neither "//host" nor
 * "/\host" nor blanks a browser drops can make it a link to another host. */
static GString *
same_site_path(const char *path)
{
	while (path[0] == '/' && path[1] == '/')
		path++;
	g_autofree char *escaped = g_uri_escape_string(path, "/", FALSE);
	GString *s = g_string_new(escaped[0] == '/' ? "" : "/");
	g_string_append(s, escaped);
	return s;
}

struct web_vars *
web_page_vars(struct web_request *rq)
{
	struct web_vars *v = web_vars_new();
	web_vars_text(v, "lang", rq->english ? "en" : "ja");
	web_vars_flag(v, "ja", !rq->english);
	web_vars_text(v, "csrf", rq->session ? rq->session->csrf : "");
	web_vars_text(v, "user", rq->user);
	web_vars_text(v, "lang_query", rq->english ? "?lang=en" : "");
	/* the same page in the other language: the query kept, lang toggled */
	GString *href = same_site_path(rq->self ? rq->self : rq->path);
	gboolean first = TRUE;
	GHashTableIter it;
	gpointer k, val;
	g_hash_table_iter_init(&it, rq->query);
	while (!rq->self && g_hash_table_iter_next(&it, &k, &val)) {
		if (strcmp(k, "lang") == 0)
			continue;
		g_autofree char *ek = g_uri_escape_string(k, NULL, FALSE);
		g_autofree char *ev = g_uri_escape_string(val, NULL, FALSE);
		g_string_append_printf(href, "%c%s=%s", first ? '?' : '&', ek, ev);
		first = FALSE;
	}
	if (!rq->english)
		g_string_append_printf(href, "%clang=en", first ? '?' : '&');
	web_vars_text(v, "lang_switch", href->str);
	g_string_free(href, TRUE);
	return v;
}

static void
send_page(struct web_request *rq, guint status, const char *name, struct web_vars *vars,
	  const char *title, const char *flash, gboolean flash_ok, gboolean error_page)
{
	g_autoptr(GError) error = NULL;
	char *body = web_render(name, vars, &error);
	web_vars_free(vars);
	g_autoptr(web_vars) layout = web_page_vars(rq);
	web_vars_text(layout, "title", title);
	web_vars_flag(layout, "error_page", error_page);
	web_vars_text(layout, "flash", flash);
	web_vars_flag(layout, "flash_ok", flash_ok);
	web_vars_html(layout, "body", body);
	char *page = body ? web_render("layout", layout, &error) : NULL;
	if (!page) {
		g_printerr("cdr-web: %s\n", error->message);
		const char text[] = "500 internal error (see the log)\n";
		send_body(rq, SOUP_STATUS_INTERNAL_SERVER_ERROR, "text/plain; charset=utf-8",
			  g_strdup(text), sizeof(text) - 1);
		return;
	}
	send_body(rq, status, "text/html; charset=utf-8", page, strlen(page));
}

void
web_respond_page(struct web_request *rq, guint status, const char *name, struct web_vars *vars,
		 const char *title, const char *flash, gboolean flash_ok)
{
	send_page(rq, status, name, vars, title, flash, flash_ok, FALSE);
}

void
web_respond_error(struct web_request *rq, guint status, const char *reason_ja,
		  const char *reason_en)
{
	struct web_vars *v = web_page_vars(rq);
	web_vars_text(v, "reason", WEB_T(rq, reason_ja, reason_en));
	web_vars_printf(v, "status", "%u", status);
	const char *title = status == 403   ? WEB_T(rq, "アクセスできません", "Forbidden")
			    : status == 404 ? WEB_T(rq, "見つかりません", "Not found")
			    : status == 410 ? WEB_T(rq, "有効期限切れ", "Expired")
			    : status == 429 ? WEB_T(rq, "しばらくお待ちください", "Too many tries")
			    : status == 405 ? WEB_T(rq, "使えない操作です", "Method not allowed")
					    : WEB_T(rq, "エラー", "Error");
	send_page(rq, status, "error", v, title, NULL, FALSE, TRUE);
}

void
web_respond_static(struct web_request *rq, const char *type, char *body, gsize len)
{
	send_body(rq, SOUP_STATUS_OK, type, body, len);
}

void
web_redirect(struct web_request *rq, const char *location)
{
	g_assert(location[0] == '/' && location[1] != '/');
	soup_message_headers_replace(soup_server_message_get_response_headers(rq->msg),
				     "Location", location);
	send_body(rq, SOUP_STATUS_SEE_OTHER, "text/plain; charset=utf-8", g_strdup(""), 0);
}

static gpointer
load_local_zone(gpointer unused)
{
	(void)unused;
	return g_time_zone_new_local();
}

GTimeZone *
web_local_zone(void)
{
	static GOnce once = G_ONCE_INIT;
	return g_once(&once, load_local_zone, NULL);
}

const char *
web_form(struct web_request *rq, const char *name)
{
	const char *v = g_hash_table_lookup(rq->form, name);
	return v ? v : "";
}

/* ---- one request ------------------------------------------------------------ */

static void
request_free(struct web_request *rq)
{
	g_hash_table_unref(rq->query);
	g_hash_table_unref(rq->form);
	g_strfreev(rq->args);
	g_free(rq->client);
	g_free(rq->origin);
	g_free(rq->log_path);
	g_free(rq->cookie_in);
	g_free(rq->proxy_user);
	g_free(rq->self);
	g_free(rq->session_id);
	g_object_unref(rq->msg);
	g_free(rq);
}

static GHashTable *
copy_table(GHashTable *t)
{
	GHashTable *c = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	if (!t)
		return c;
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init(&it, t);
	while (g_hash_table_iter_next(&it, &k, &v))
		g_hash_table_replace(c, g_strdup(k), g_strdup(v));
	return c;
}

/* The value of our cookie in the Cookie header, or NULL. */
static char *
cookie_of(SoupMessageHeaders *h)
{
	const char *header = soup_message_headers_get_list(h, "Cookie");
	if (!header)
		return NULL;
	g_auto(GStrv) parts = g_strsplit(header, ";", -1);
	for (char **p = parts; *p; p++) {
		const char *c = *p;
		while (*c == ' ')
			c++;
		if (g_str_has_prefix(c, COOKIE_NAME "="))
			return g_strdup(c + strlen(COOKIE_NAME "="));
	}
	return NULL;
}

/* The path as logged: a staff link's token is a secret of its reader,
 * and the decoded path is the client's text (web_escape_log()). */
static char *
loggable_path(const char *path)
{
	if (!g_str_has_prefix(path, "/r/"))
		return web_escape_log(path);
	const char *rest = strchr(path + 3, '/');
	g_autofree char *tail = web_escape_log(rest);
	return g_strconcat("/r/TOKEN", tail, NULL);
}

static gboolean
peer_is_loopback(SoupServerMessage *msg)
{
	GSocketAddress *a = soup_server_message_get_remote_address(msg);
	return a && G_IS_INET_SOCKET_ADDRESS(a) &&
	       g_inet_address_get_is_loopback(
		       g_inet_socket_address_get_address(G_INET_SOCKET_ADDRESS(a)));
}

/* The user a trusted proxy names, when [web] trust_proxy_user is set, we
 * listen on loopback only and the peer is on loopback. The name is held
 * to the rule of an account's (web_account_name_valid()): it is the "who"
 * of the audit, shown and printed by cdr-quarantine, so a control or
 * format character (ESC, a bidi override), a blank or a byte that is not
 * UTF-8 never gets in; such a header names nobody (and is logged, but
 * for an empty one: a proxy may send it empty for staff's pages). */
static char *
proxy_user_of(struct web_app *app, SoupServerMessage *msg)
{
	const char *header = app->policy->web_trust_proxy_user;
	if (!*header || !app->loopback || !peer_is_loopback(msg))
		return NULL;
	const char *user = soup_message_headers_get_one(
		soup_server_message_get_request_headers(msg), header);
	if (!user || !*user)
		return NULL;
	/* an account's name, or Windows' DOMAIN\user (one backslash, as NTLM
	 * proxies send it): printable ASCII only, so the audit's who is safe
	 * on a page and on a terminal */
	g_autofree char *unslashed = g_strdup(user);
	char *slash = strchr(unslashed, '\\');
	if (slash && slash != unslashed && slash[1])
		*slash = '_';
	if (!web_account_name_valid(unslashed)) {
		g_printerr("cdr-web: %s: the header %s (trust_proxy_user) is not a user name "
			   "(1-64 of A-Z a-z 0-9 . _ @ -, or DOMAIN\\user): no administrator\n",
			   soup_server_message_get_remote_host(msg), header);
		return NULL;
	}
	return g_strdup(user);
}

static void
set_security_headers(SoupServerMessage *msg)
{
	SoupMessageHeaders *h = soup_server_message_get_response_headers(msg);
	soup_message_headers_replace(h, "Content-Security-Policy", csp);
	soup_message_headers_replace(h, "X-Content-Type-Options", "nosniff");
	soup_message_headers_replace(h, "Referrer-Policy", "no-referrer");
	soup_message_headers_replace(h, "X-Frame-Options", "DENY");
}

/* The form of a POST: urlencoded, at most WEB_MAX_FORM bytes. */
static GHashTable *
form_of(SoupServerMessage *msg, gboolean *too_big)
{
	*too_big = FALSE;
	if (strcmp(soup_server_message_get_method(msg), "POST") != 0)
		return NULL;
	SoupMessageBody *body = soup_server_message_get_request_body(msg);
	if (!body || body->length == 0)
		return NULL;
	if (body->length > WEB_MAX_FORM) {
		*too_big = TRUE;
		return NULL;
	}
	g_autoptr(GBytes) bytes = soup_message_body_flatten(body);
	g_autofree char *text = g_strndup(g_bytes_get_data(bytes, NULL), g_bytes_get_size(bytes));
	return soup_form_decode(text);
}

/* Before a body is read: a POST of more than WEB_MAX_FORM bytes, or of
 * no declared length, is refused without reading it. */
static void
early(SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
      gpointer data)
{
	if (strcmp(soup_server_message_get_method(msg), "POST") != 0)
		return;
	SoupMessageHeaders *h = soup_server_message_get_request_headers(msg);
	if (soup_message_headers_get_encoding(h) == SOUP_ENCODING_CONTENT_LENGTH &&
	    soup_message_headers_get_content_length(h) <= WEB_MAX_FORM)
		return;
	set_security_headers(msg);
	static const char text[] = "413 the form is too large\n";
	soup_server_message_set_status(msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, NULL);
	soup_server_message_set_response(msg, "text/plain; charset=utf-8", SOUP_MEMORY_STATIC, text,
					 sizeof(text) - 1);
	g_printerr("cdr-web: %s POST (a body of more than %d bytes refused) 413\n",
		   soup_server_message_get_remote_host(msg), WEB_MAX_FORM);
}

static void
dispatch(struct web_request *rq)
{
	unsigned flags = 0;
	gboolean known = FALSE;
	web_handler h = web_route_find(rq->method, rq->path, &flags, &rq->args, &known);
	if (!h) {
		if (known)
			web_respond_error(rq, SOUP_STATUS_METHOD_NOT_ALLOWED,
					  "このページにこの操作はできません。",
					  "This page does not take this request.");
		else
			web_respond_error(rq, SOUP_STATUS_NOT_FOUND, "ページが見つかりません。",
					  "No such page.");
		return;
	}
	if (strcmp(rq->method, "POST") == 0 && !web_csrf_valid(rq->session, web_form(rq, "csrf"))) {
		web_respond_error(rq, SOUP_STATUS_FORBIDDEN,
				  "フォームの確認用の値が正しくありません。ページを開き直してから、"
				  "もう一度操作してください。",
				  "The form's check value (CSRF token) is missing or wrong. Open the "
				  "page again and repeat the action.");
		return;
	}
	if ((flags & WEB_ROUTE_ADMIN) && !rq->user) {
		if (strcmp(rq->method, "GET") == 0) {
			web_redirect(rq, rq->english ? "/login?lang=en" : "/login");
			return;
		}
		web_respond_error(rq, SOUP_STATUS_FORBIDDEN, "管理者としてログインしてください。",
				  "Log in as an administrator first.");
		return;
	}
	h(rq);
}

static void
handle(SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
       gpointer data)
{
	struct web_app *app = data;
	struct web_request *rq = g_new0(struct web_request, 1);
	rq->started = g_get_monotonic_time();
	rq->app = app;
	rq->msg = g_object_ref(msg);
	rq->method = soup_server_message_get_method(msg);
	rq->path = path;
	rq->log_path = loggable_path(path);
	rq->query = copy_table(query);
	rq->client = g_strdup(soup_server_message_get_remote_host(msg));
	if (!rq->client)
		rq->client = g_strdup("?");
	rq->origin = g_strdup_printf("web %s", rq->client);
	rq->english = g_strcmp0(g_hash_table_lookup(rq->query, "lang"), "en") == 0;
	set_security_headers(msg);

	gboolean too_big = FALSE;
	GHashTable *form = form_of(msg, &too_big);
	rq->form = form ? form : g_hash_table_new(g_str_hash, g_str_equal);
	SoupMessageHeaders *in = soup_server_message_get_request_headers(msg);
	rq->cookie_in = cookie_of(in);
	gint64 now = now_seconds();
	rq->session = web_session_find(app->sessions, rq->cookie_in, now);
	if (!rq->session)
		rq->session = web_session_new(app->sessions, now);
	rq->proxy_user = proxy_user_of(app, msg);
	rq->user = rq->proxy_user ? rq->proxy_user : rq->session->user;

	if (too_big)
		web_respond_error(rq, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE,
				  "送られたデータが大きすぎます。", "The form is too large.");
	else if (strcmp(rq->method, "GET") != 0 && strcmp(rq->method, "POST") != 0 &&
		 strcmp(rq->method, "HEAD") != 0)
		web_respond_error(rq, SOUP_STATUS_METHOD_NOT_ALLOWED, "使えない操作です。",
				  "Method not allowed.");
	else
		dispatch(rq);
	if (rq->paused)
		return;
	if (!rq->answered)
		web_respond_error(rq, SOUP_STATUS_INTERNAL_SERVER_ERROR, "内部エラーです。",
				  "Internal error.");
	request_free(rq);
}

void
web_request_pause(struct web_request *rq)
{
	rq->paused = TRUE;
	rq->session_id = g_strdup(rq->session ? rq->session->id : "");
	soup_server_message_pause(rq->msg);
}

struct resumption {
	struct web_request *rq;
	void (*finish)(struct web_request *rq, gpointer data);
	gpointer data;
};

static gboolean
resume_in_main(gpointer data)
{
	struct resumption *r = data;
	struct web_request *rq = r->rq;
	/* the session may have ended meanwhile: find it again */
	rq->session = web_session_find(rq->app->sessions, rq->session_id, now_seconds());
	rq->user = rq->proxy_user ? rq->proxy_user : rq->session ? rq->session->user : NULL;
	r->finish(rq, r->data);
	if (!rq->answered)
		web_respond_error(rq, SOUP_STATUS_INTERNAL_SERVER_ERROR, "内部エラーです。",
				  "Internal error.");
	soup_server_message_unpause(rq->msg);
	request_free(rq);
	g_free(r);
	return G_SOURCE_REMOVE;
}

void
web_request_resume(struct web_request *rq, void (*finish)(struct web_request *rq, gpointer data),
		   gpointer data)
{
	struct resumption *r = g_new0(struct resumption, 1);
	r->rq = rq;
	r->finish = finish;
	r->data = data;
	g_main_context_invoke(NULL, resume_in_main, r);
}

/* ---- listening --------------------------------------------------------------- */

/* "HOST:PORT" or "[HOST]:PORT" */
static GSocketAddress *
listen_address(const char *listen, GError **error)
{
	const char *colon = strrchr(listen, ':');
	g_autofree char *host = NULL;
	if (colon && listen[0] == '[' && colon > listen && colon[-1] == ']')
		host = g_strndup(listen + 1, (gsize)(colon - listen - 2));
	else if (colon)
		host = g_strndup(listen, (gsize)(colon - listen));
	guint64 port = 0;
	if (!colon || !g_ascii_string_to_unsigned(colon + 1, 10, 1, 65535, &port, NULL) ||
	    !g_hostname_is_ip_address(host)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "[web] listen: '%s' is not ADDRESS:PORT (an IP address, not a name)",
			    listen);
		return NULL;
	}
	return g_inet_socket_address_new_from_string(host, (guint)port);
}

gboolean
web_server_check(struct web_app *app, GSocketAddress **address, GTlsCertificate **cert,
		 GError **error)
{
	const struct cdr_policy *p = app->policy;
	g_autoptr(GSocketAddress) a = listen_address(p->web_listen, error);
	if (!a)
		return FALSE;
	app->loopback = g_inet_address_get_is_loopback(
		g_inet_socket_address_get_address(G_INET_SOCKET_ADDRESS(a)));
	if (!!*p->web_tls_cert != !!*p->web_tls_key) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "[web] tls_cert and tls_key go together");
		return FALSE;
	}
	app->tls = *p->web_tls_cert != '\0';
	if (*p->web_trust_proxy_user && !app->loopback) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "[web] trust_proxy_user is honoured on a loopback listen address "
			    "only (behind a proxy on this host)");
		return FALSE;
	}
	if (!app->tls && !app->loopback) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "[web] listen = %s: plain HTTP only on a loopback address (behind a "
			    "proxy); set tls_cert and tls_key to serve HTTPS on it",
			    p->web_listen);
		return FALSE;
	}
	if (app->tls) {
		/* glib-networking's GnuTLS takes its priorities from this variable
		 * (read at the first connection); without it, Debian 12's NORMAL
		 * still speaks TLS 1.0 and 1.1 */
		g_setenv("G_TLS_GNUTLS_PRIORITY", WEB_TLS_PRIORITY, FALSE);
		GTlsCertificate *c =
			g_tls_certificate_new_from_files(p->web_tls_cert, p->web_tls_key, error);
		if (!c) {
			g_prefix_error(error, "[web] tls_cert/tls_key: ");
			return FALSE;
		}
		if (cert)
			*cert = c;
		else
			g_object_unref(c);
	}
	if (address)
		*address = g_steal_pointer(&a);
	return TRUE;
}

#define WEB_LISTEN_BACKLOG 1024

gboolean
web_server_start(struct web_app *app, GError **error)
{
	g_autoptr(GSocketAddress) address = NULL;
	g_autoptr(GTlsCertificate) cert = NULL;
	if (!web_server_check(app, &address, &cert, error))
		return FALSE;
	app->server = soup_server_new("server-header", "cdr-web", NULL);
	if (cert)
		soup_server_set_tls_certificate(app->server, cert);
	soup_server_add_early_handler(app->server, NULL, early, app, NULL);
	soup_server_add_handler(app->server, NULL, handle, app, NULL);
	/* GSocket's default backlog is 10: beyond that, connections that
	 * come at once (200 page loads, bench/web.sh) wait for the kernel's
	 * SYN-ACK retries, seconds to half a minute. The kernel caps it at
	 * net.core.somaxconn. */
	g_autoptr(GSocket) sock = g_socket_new(g_socket_address_get_family(address),
					       G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
	if (sock) {
		g_socket_set_listen_backlog(sock, WEB_LISTEN_BACKLOG);
		if (!g_socket_bind(sock, address, TRUE, error) || !g_socket_listen(sock, error))
			g_clear_object(&sock);
	}
	if (!sock || !soup_server_listen_socket(app->server, sock,
						app->tls ? SOUP_SERVER_LISTEN_HTTPS : 0, error)) {
		g_prefix_error(error, "[web] listen = %s: ", app->policy->web_listen);
		return FALSE;
	}
	return TRUE;
}
