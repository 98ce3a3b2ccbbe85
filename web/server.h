/*
 * NAME
 *	server.h - cdr-web's HTTP server: one request, its answer
 * SUMMARY
 *	libsoup 3's SoupServer in the main thread. Per request the server
 *	sets the security headers (CSP without any script, nosniff,
 *	no-referrer), logs one line to stderr (method, path with the token
 *	cut, status, milliseconds), finds or makes the session, refuses a
 *	POST without the session's CSRF token, and calls the route's
 *	handler (router.h), which answers with web_respond_page(),
 *	web_respond_error() or web_redirect().
 *	Slow work (a worker run, a submission) happens off this thread:
 *	web_request_pause() and, from any thread, web_request_resume().
 */
#pragma once

#include <libsoup/soup.h>

#include "policy.h"
#include "sessions.h"
#include "store.h"
#include "template.h"

struct web_limits;
struct web_releaser;

struct web_app {
	struct cdr_policy *policy;
	struct mg_store *store;
	GBytes *key;                 /* [web] secret_file */
	struct web_sessions *sessions;
	struct web_limits *limits;
	struct web_releaser *releaser;
	gboolean loopback;           /* listening on a loopback address only */
	gboolean tls;                /* HTTPS */
	SoupServer *server;
};

struct web_request {
	struct web_app *app;
	SoupServerMessage *msg;
	const char *method;
	const char *path;
	GHashTable *query;  /* name -> value; never NULL */
	GHashTable *form;   /* a POST's urlencoded fields; never NULL */
	char **args;        /* the route's "*" segments */
	gboolean english;   /* ?lang=en */
	char *client;       /* the peer's address, "192.0.2.1" */
	char *origin;       /* "web 192.0.2.1": for the store's events */
	struct web_session *session;
	const char *user;   /* the administrator (session or trusted proxy), or NULL */
	char *log_path;     /* the path as logged (tokens cut) */
	char *self;         /* the page's own path for the language link, when not `path` (g_malloc'd) */
	gint64 started;
	gboolean paused, answered;
	gpointer pending;   /* a paused handler's own state */
	/* the server's own */
	char *cookie_in;    /* the session id the request came with */
	char *session_id;   /* of `session`, to find it again after a pause */
	char *proxy_user;
};

/* Check [web] listen, tls_cert and tls_key (sets app->loopback and
 * app->tls); the address and certificate to use when asked. */
gboolean web_server_check(struct web_app *app, GSocketAddress **address, GTlsCertificate **cert,
			  GError **error);

/* Start serving on [web] listen; FALSE with a reason. */
gboolean web_server_start(struct web_app *app, GError **error);

/* The gateway's time zone, read once (GLib's local zone otherwise reads
 * /etc/localtime's link under a global lock at every use: per result
 * row, 200 pages at once queued on it). A change needs a restart. */
GTimeZone *web_local_zone(void);

/* A form field, or "" when missing. */
const char *web_form(struct web_request *rq, const char *name);

/* The variables every page has: lang, ja, csrf, user, lang_switch
 * (href of a#lang-switch), lang_query ("?lang=en" or "") for links and
 * form actions that keep the language. */
struct web_vars *web_page_vars(struct web_request *rq);

/* Render template `name` with `vars` inside the layout (title: the
 * page's <h1> too, in the page's language) and send it with `status`.
 * `flash`: a result message (NULL: none), `flash_ok` its kind. Takes
 * `vars`. */
void web_respond_page(struct web_request *rq, guint status, const char *name,
		      struct web_vars *vars, const char *title, const char *flash,
		      gboolean flash_ok);

/* The error page: h1#error, p#error-reason (both languages' texts
 * given: the page picks). */
void web_respond_error(struct web_request *rq, guint status, const char *reason_ja,
		       const char *reason_en);

/* A file of the installation (the style sheet); takes `body`. */
void web_respond_static(struct web_request *rq, const char *type, char *body, gsize len);

/* 303 See Other to `location` (a path of this site). */
void web_redirect(struct web_request *rq, const char *location);

/* libsoup 3.2 has no name for it */
#define WEB_STATUS_TOO_MANY_REQUESTS 429

/* The text in the page's language. */
#define WEB_T(rq, ja, en) ((rq)->english ? (en) : (ja))

/* Keep the request after its handler returns (the answer comes later). */
void web_request_pause(struct web_request *rq);

/* From any thread: call `finish` on the server's thread, which answers
 * with web_respond_*(); then the request is sent and freed. */
void web_request_resume(struct web_request *rq, void (*finish)(struct web_request *rq,
							       gpointer data),
			gpointer data);
