/*
 * NAME
 *	login.c - administrators' login and logout, the style sheet
 * SUMMARY
 *	GET /login, POST /login (form#login), POST /logout. Failed logins
 *	are limited per client address and per user name (429 beyond
 *	WEB_LOGIN_TRIES in WEB_LIMIT_WINDOW; a user name's limit refuses
 *	only addresses that failed too); each try is a store event.
 *	A login makes a new session (new id, new CSRF token).
 */
#include <string.h>

#include "accounts.h"
#include "events.h"
#include "login.h"
#include "ratelimit.h"
#include "router.h"

static void
login_page(struct web_request *rq, guint status, const char *user, const char *flash)
{
	struct web_vars *v = web_page_vars(rq);
	web_vars_text(v, "login_user", user);
	web_respond_page(rq, status, "login", v, WEB_T(rq, "管理者ログイン", "Administrator login"),
			 flash, FALSE);
}

static void
login_get(struct web_request *rq)
{
	if (rq->user) {
		web_redirect(rq, rq->english ? "/admin?lang=en" : "/admin");
		return;
	}
	login_page(rq, SOUP_STATUS_OK, "", NULL);
}

static void
login_post(struct web_request *rq)
{
	struct web_app *app = rq->app;
	const char *user = web_form(rq, "user");
	const char *password = web_form(rq, "password");
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;
	g_autofree char *by_address = g_strdup_printf("login %s", rq->client);
	g_autofree char *by_user = g_strdup_printf("login user %s", user);
	/* a user name past its limit refuses only the addresses that failed
	 * in this window: others' guesses must not lock its owner out */
	guint address_failed = web_limit_count(app->limits, by_address, now);
	if (address_failed >= WEB_LOGIN_TRIES ||
	    (address_failed > 0 && web_limit_count(app->limits, by_user, now) >= WEB_LOGIN_TRIES)) {
		web_audit(rq, NULL, "login-refused", user, "why", "too many failed logins", NULL);
		web_respond_error(rq, WEB_STATUS_TOO_MANY_REQUESTS,
				  "ログインの失敗が多すぎます。15 分ほど待ってからやり直してください。",
				  "Too many failed logins. Wait about 15 minutes and try again.");
		return;
	}
	g_autoptr(GError) error = NULL;
	gboolean ok = web_account_name_valid(user) &&
		      web_account_check(app->policy->web_accounts, user, password, &error);
	if (error)
		g_printerr("cdr-web: [web] accounts: %s\n", error->message);
	if (!ok) {
		web_limit_allow(app->limits, by_address, G_MAXUINT, now);
		web_limit_allow(app->limits, by_user, G_MAXUINT, now);
		web_audit(rq, NULL, "login-failed", web_account_name_valid(user) ? user : "?", NULL);
		login_page(rq, SOUP_STATUS_FORBIDDEN, user,
			   WEB_T(rq, "ユーザー名かパスワードが違います。",
				 "Wrong user name or password."));
		return;
	}
	web_limit_reset(app->limits, by_user);
	rq->session = web_session_login(app->sessions, rq->session, user, now);
	rq->user = rq->session->user;
	web_audit(rq, NULL, "login", user, NULL);
	web_redirect(rq, rq->english ? "/admin?lang=en" : "/admin");
}

static void
logout_post(struct web_request *rq)
{
	if (rq->session && rq->session->user)
		web_audit(rq, NULL, "logout", rq->session->user, NULL);
	web_session_end(rq->app->sessions, rq->session);
	rq->session = NULL;
	rq->user = NULL;
	web_redirect(rq, rq->english ? "/login?lang=en" : "/login");
}

static void
style_sheet(struct web_request *rq)
{
	g_autofree char *path = g_build_filename(web_data_dir(), "static", rq->args[0], NULL);
	char *css = NULL;
	gsize len = 0;
	if (strcmp(rq->args[0], "style.css") != 0 || !g_file_get_contents(path, &css, &len, NULL)) {
		web_respond_error(rq, SOUP_STATUS_NOT_FOUND, "ありません。", "Not found.");
		return;
	}
	web_respond_static(rq, "text/css; charset=utf-8", css, len);
}

void
web_login_routes(void)
{
	web_route_add("GET", "/login", login_get, 0);
	web_route_add("POST", "/login", login_post, 0);
	web_route_add("POST", "/logout", logout_post, 0);
	web_route_add("GET", "/static/*", style_sheet, 0);
}
