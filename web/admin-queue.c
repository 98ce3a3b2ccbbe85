/*
 * NAME
 *	admin-queue.c - the release requests waiting for an administrator
 * SUMMARY
 *	GET /admin/queue: table#queue, one tr.request[data-number] per
 *	request in state "requested" (oldest first), with the message's
 *	sender and subject, who asked, from where and for whom; a
 *	form.approve-form (POST /admin/release/N/approve) and a
 *	form.deny-form with input[name=reason] (POST /admin/release/N/deny).
 *	Below, the latest decided requests and their states.
 * DESCRIPTION
 *	A decision goes through web_release_decide() (releases.h): the
 *	store changes the state and records the event with the
 *	administrator and "web ADDRESS" in one transaction, and an approved
 *	release is delivered in the background. A denial needs a reason. A
 *	request decided meanwhile (another administrator, cdr-quarantine)
 *	is refused with a message, not decided twice. The answer is the
 *	queue again with p.flash.ok or p.flash.error.
 */
#include "admin-pages.h"
#include "releases.h"
#include "router.h"

#define RECENT 20
#define REASON_MAX 500

static void
add_request_row(struct web_request *rq, struct web_vars *v, const char *list,
		const struct store_release *r)
{
	struct web_vars *row = web_vars_row(v, list);
	web_vars_printf(row, "number", "%" G_GINT64_FORMAT, r->number);
	web_vars_text(row, "id", r->id);
	web_vars_text(row, "state", store_release_state_name(r->state));
	g_autoptr(GError) error = NULL;
	g_autoptr(store_message) m = store_get(rq->app->store, r->id, &error);
	web_vars_text(row, "sender", m ? (m->sender && *m->sender ? m->sender : "<>") : "");
	web_vars_text(row, "subject", m ? m->subject : WEB_T(rq, "(削除済み)", "(purged)"));
	g_autofree char *to = admin_join(r->recipients);
	web_vars_text(row, "recipients", to);
	web_vars_text(row, "requested_by", r->requested_by);
	web_vars_text(row, "origin", r->origin);
	g_autofree char *at = admin_time_text(r->requested_at);
	web_vars_text(row, "requested_at", at);
	web_vars_text(row, "decided_by", r->decided_by);
	web_vars_text(row, "reason", r->reason);
}

static void
queue_page(struct web_request *rq, guint status, const char *flash, gboolean flash_ok)
{
	struct mg_store *s = rq->app->store;
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) waiting = store_releases(s, NULL, STORE_RELEASE_REQUESTED, &error);
	g_autoptr(GPtrArray) all = waiting ? store_releases(s, NULL, -1, &error) : NULL;
	if (!all) {
		admin_store_unavailable(rq, "queue", error);
		return;
	}
	struct web_vars *v = admin_page_vars(rq);
	web_vars_list(v, "requests");
	web_vars_list(v, "recent");
	for (guint i = 0; i < waiting->len; i++)
		add_request_row(rq, v, "requests", waiting->pdata[i]);
	/* the newest decided ones, newest first */
	guint shown = 0;
	for (guint i = all->len; i-- > 0 && shown < RECENT;) {
		const struct store_release *r = all->pdata[i];
		if (r->state == STORE_RELEASE_REQUESTED)
			continue;
		add_request_row(rq, v, "recent", r);
		shown++;
	}
	web_respond_page(rq, status, "admin-queue", v,
			 WEB_T(rq, "受け取り依頼の承認", "Release requests"), flash, flash_ok);
}

static void
queue_get(struct web_request *rq)
{
	queue_page(rq, SOUP_STATUS_OK, NULL, FALSE);
}

/* Whether release `number` exists in any state (web_release_decide()
 * calls one that is no longer "requested" not found). */
static gboolean
release_exists(struct mg_store *s, gint64 number)
{
	g_autoptr(GPtrArray) all = store_releases(s, NULL, -1, NULL);
	for (guint i = 0; all && i < all->len; i++)
		if (((struct store_release *)all->pdata[i])->number == number)
			return TRUE;
	return FALSE;
}

static void
decide(struct web_request *rq, gboolean approve)
{
	/* the answer is the queue: its language link is the queue's */
	g_free(rq->self);
	rq->self = g_strdup("/admin/queue");
	guint64 number = 0;
	if (!g_ascii_string_to_unsigned(rq->args[0], 10, 1, G_MAXINT64, &number, NULL)) {
		web_respond_error(rq, SOUP_STATUS_NOT_FOUND, "その依頼はありません。",
				  "There is no such request.");
		return;
	}
	const char *reason = web_form(rq, "reason");
	g_autofree char *trimmed = g_strstrip(g_strdup(reason));
	g_autofree char *message = NULL;
	if (!approve && !*trimmed) {
		message = g_strdup(WEB_T(rq, "却下の理由を書いてください。",
					 "Give a reason for the denial."));
		queue_page(rq, SOUP_STATUS_BAD_REQUEST, message, FALSE);
		return;
	}
	if (g_utf8_strlen(reason, -1) > REASON_MAX || !g_utf8_validate(reason, -1, NULL)) {
		message = g_strdup_printf(WEB_T(rq, "理由は %d 文字までです。",
						"A reason has at most %d characters."),
					  REASON_MAX);
		queue_page(rq, SOUP_STATUS_BAD_REQUEST, message, FALSE);
		return;
	}
	g_autoptr(GError) error = NULL;
	if (!web_release_decide(rq->app, (gint64)number, approve, rq->user, rq->origin,
				approve ? NULL : trimmed, &error)) {
		if (g_error_matches(error, STORE_ERROR, STORE_ERROR_NOT_FOUND) &&
		    !release_exists(rq->app->store, (gint64)number)) {
			web_respond_error(rq, SOUP_STATUS_NOT_FOUND, "その依頼はありません。",
					  "There is no such request.");
			return;
		}
		gboolean decided = g_error_matches(error, STORE_ERROR, STORE_ERROR_STATE) ||
				   g_error_matches(error, STORE_ERROR, STORE_ERROR_NOT_FOUND);
		if (!decided)
			g_printerr("cdr-web: release %" G_GUINT64_FORMAT ": %s\n", number,
				   error->message);
		message = decided ? g_strdup_printf(WEB_T(rq, "依頼 %" G_GUINT64_FORMAT
							  " はすでに処理されています。",
							  "Request %" G_GUINT64_FORMAT
							  " was decided already."),
						    number)
				  : g_strdup_printf(WEB_T(rq, "依頼 %" G_GUINT64_FORMAT
							  " を処理できませんでした: %s",
							  "Request %" G_GUINT64_FORMAT
							  " could not be decided: %s"),
						    number, error->message);
		queue_page(rq, decided ? SOUP_STATUS_CONFLICT : SOUP_STATUS_SERVICE_UNAVAILABLE,
			   message, FALSE);
		return;
	}
	message = approve ? g_strdup_printf(WEB_T(rq, "依頼 %" G_GUINT64_FORMAT
						  " を承認しました。無害化して送ります。",
						  "Request %" G_GUINT64_FORMAT
						  " approved: it is being disarmed and sent."),
					    number)
			  : g_strdup_printf(WEB_T(rq, "依頼 %" G_GUINT64_FORMAT " を却下しました。",
						  "Request %" G_GUINT64_FORMAT " denied."),
					    number);
	queue_page(rq, SOUP_STATUS_OK, message, TRUE);
}

static void
approve_post(struct web_request *rq)
{
	decide(rq, TRUE);
}

static void
deny_post(struct web_request *rq)
{
	decide(rq, FALSE);
}

void
web_admin_queue_routes(void)
{
	web_route_add("GET", "/admin/queue", queue_get, WEB_ROUTE_ADMIN);
	web_route_add("POST", "/admin/release/*/approve", approve_post, WEB_ROUTE_ADMIN);
	web_route_add("POST", "/admin/release/*/deny", deny_post, WEB_ROUTE_ADMIN);
}
