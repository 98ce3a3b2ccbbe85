/*
 * NAME
 *	staff.c - the page a notice links to: GET /r/TOKEN, its request and
 *	password forms
 * SUMMARY
 *	The token (release-token.h) names the message and the recipient
 *	(or, empty, any original recipient, who then types the address).
 *	The page shows, from the store only and escaped: sender, subject,
 *	date, each attachment with what the gateway did and why, a request
 *	form per attachment, a password form per encrypted attachment, and
 *	the earlier requests. Nothing of the original is ever served.
 * DESCRIPTION
 *	A request becomes a release of the whole message, disarmed, to that
 *	one recipient: approved at once when [web] approval = none or every
 *	attachment is of a kind in [web] auto_approve (delivered then in the
 *	background), else waiting for an administrator.
 *	A password is tried on the message's encrypted attachments off the
 *	HTTP thread (a worker rebuilds the message; nothing is sent unless
 *	it opens one), counted like the milter's tries ([ppap] max_tries,
 *	the store's PPAP entry) and limited per client address and per
 *	message; on success the disarmed message is delivered to that
 *	recipient only. The password is never logged or stored: the events
 *	hold a 12-digit prefix of its SHA-256.
 */
#include <string.h>

#include "events.h"
#include "escape.h"
#include "ratelimit.h"
#include "release-token.h"
#include "release.h"
#include "releases.h"
#include "router.h"
#include "staff.h"

#define PPAP_STALE 600 /* seconds after which a try left "trying" may be claimed again */
#define PASSWORD_THREADS 2 /* passwords tried at once */

/* What a token gave, and the message it names. */
struct staff_ctx {
	char *token;
	char *id;
	char *recipient; /* "" : any original recipient */
	struct store_message *m;
};

static void
ctx_clear(struct staff_ctx *c)
{
	g_free(c->token);
	g_free(c->id);
	g_free(c->recipient);
	store_message_free(c->m);
}

/* The original recipient `address` names (as the message spelt it), or NULL. */
static const char *
original_recipient(const struct store_message *m, const char *address)
{
	for (guint i = 0; i < m->recipients->len; i++) {
		const char *a = ((struct store_recipient *)m->recipients->pdata[i])->address;
		if (g_ascii_strcasecmp(a, address) == 0)
			return a;
	}
	return NULL;
}

/* Check the token of rq->args[0] and find its message; FALSE when the
 * error page was sent. */
static gboolean
open_token(struct web_request *rq, struct staff_ctx *c)
{
	struct web_app *app = rq->app;
	c->token = g_strdup(rq->args[0]);
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;
	switch (release_token_check(app->key, c->token, now, &c->id, &c->recipient, NULL)) {
	case RELEASE_TOKEN_OK:
		break;
	case RELEASE_TOKEN_EXPIRED:
		web_respond_error(rq, SOUP_STATUS_GONE,
				  "このリンクは有効期限が切れています。管理者にお問い合わせください。",
				  "This link has expired. Ask the administrator.");
		return FALSE;
	default:
		web_respond_error(rq, SOUP_STATUS_FORBIDDEN,
				  "このリンクは正しくありません（途中で切れているか、書き換えられています）。"
				  "お知らせのリンクをそのまま開いてください。",
				  "This link is not valid (cut short or altered). Open the link of the "
				  "notice as it is.");
		return FALSE;
	}
	g_autoptr(GError) error = NULL;
	c->m = store_get(app->store, c->id, &error);
	if (!c->m || (*c->recipient && !original_recipient(c->m, c->recipient))) {
		gboolean gone = !c->m && g_error_matches(error, STORE_ERROR, STORE_ERROR_NOT_FOUND);
		if (c->m || gone)
			web_respond_error(rq, SOUP_STATUS_NOT_FOUND,
					  "このメールは保管されていません（保管期間を過ぎて削除された"
					  "可能性があります）。",
					  "This message is not kept (it may have been purged).");
		else
			web_respond_error(rq, SOUP_STATUS_SERVICE_UNAVAILABLE,
					  "保管庫を読めませんでした。しばらくしてからやり直してください。",
					  "The quarantine could not be read. Try again later.");
		if (error)
			g_printerr("cdr-web: %s: %s\n", c->id, error->message);
		return FALSE;
	}
	return TRUE;
}

/* ---- attachments: kind, what was done, why ------------------------------------ */

static const char *
kind_by_name(const char *name)
{
	static const struct {
		const char *kind, *exts;
	} kinds[] = {
		{ "text", ".txt.csv." },
		{ "image", ".jpg.jpeg.png.gif.bmp.tif.tiff.webp.heic.heif." },
		{ "pdf", ".pdf." },
		{ "office", ".doc.docx.docm.dot.dotx.xls.xlsx.xlsm.xlt.ppt.pptx.pptm.odt.ods.odp." },
	};
	const char *dot = name ? strrchr(name, '.') : NULL;
	if (!dot || strlen(dot) > 6)
		return "other";
	g_autofree char *ext = g_ascii_strdown(dot, -1);
	g_autofree char *key = g_strconcat(ext, ".", NULL);
	for (guint i = 0; i < G_N_ELEMENTS(kinds); i++)
		if (strstr(kinds[i].exts, key))
			return kinds[i].kind;
	return "other";
}

/* The kind [web] auto_approve names: text, image, pdf, office or other;
 * by the detected type when examined, else by the name. An encrypted
 * attachment is "other". */
static const char *
attachment_kind(const struct store_attachment *a)
{
	if (a->encrypted)
		return "other";
	const char *t = a->detected;
	if (!t)
		return kind_by_name(a->name);
	if (g_str_has_prefix(t, "image/"))
		return "image";
	if (strcmp(t, "application/pdf") == 0)
		return "pdf";
	if (strcmp(t, "text/plain") == 0 || strcmp(t, "text/csv") == 0)
		return "text";
	if (g_str_has_prefix(t, "application/vnd.openxmlformats-officedocument.") ||
	    g_str_has_prefix(t, "application/vnd.oasis.opendocument.") ||
	    g_str_has_prefix(t, "application/vnd.ms-") || strcmp(t, "application/msword") == 0)
		return "office";
	return "other";
}

/* Approved without an administrator: approval = none, or every
 * attachment of a kind in auto_approve. */
static gboolean
auto_approved(const struct cdr_policy *p, const struct store_message *m)
{
	if (strcmp(p->web_approval, "none") == 0)
		return TRUE;
	if (!p->web_auto_approve || !p->web_auto_approve[0] || !m->attachments->len)
		return FALSE;
	for (guint i = 0; i < m->attachments->len; i++)
		if (!g_strv_contains((const char *const *)p->web_auto_approve,
				     attachment_kind(m->attachments->pdata[i])))
			return FALSE;
	return TRUE;
}

static const char *
action_text(struct web_request *rq, const struct store_attachment *a)
{
	if (!a->verdict)
		return WEB_T(rq, "削除（本文だけをお届けする設定）",
			     "removed (only the text is delivered to this address)");
	if (strcmp(a->verdict, "blocked") == 0)
		return WEB_T(rq, "削除", "removed");
	if (g_strcmp0(a->removed, "attachment") == 0)
		return WEB_T(rq, "削除", "removed");
	if (strcmp(a->verdict, "sanitized") == 0)
		return WEB_T(rq, "無害化してお届け", "delivered disarmed");
	return WEB_T(rq, "そのままお届け", "delivered as it was");
}

static char *
reason_text(struct web_request *rq, const struct store_attachment *a)
{
	GString *s = g_string_new(NULL);
	if (a->encrypted)
		g_string_append(s, WEB_T(rq, "パスワード付き", "password-protected"));
	if (a->error)
		g_string_append_printf(s, "%s%s", s->len ? "; " : "", a->error);
	if (a->removed && strcmp(a->removed, "attachment") != 0)
		g_string_append_printf(s, "%s%s: %s", s->len ? "; " : "",
				       WEB_T(rq, "取り除いたもの", "removed"), a->removed);
	if (!a->verdict && !s->len)
		g_string_append(s, WEB_T(rq, "このあて先には本文だけをお届けします",
					 "only text is delivered to this address"));
	return g_string_free(s, FALSE);
}

static char *
size_text(guint64 n)
{
	if (n == 0)
		return g_strdup("");
	if (n < 1024)
		return g_strdup_printf("%" G_GUINT64_FORMAT " B", n);
	if (n < 1024 * 1024)
		return g_strdup_printf("%.1f KB", (double)n / 1024);
	return g_strdup_printf("%.1f MB", (double)n / (1024 * 1024));
}

static char *
time_text(gint64 t)
{
	g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc(t);
	g_autoptr(GDateTime) d = utc ? g_date_time_to_timezone(utc, web_local_zone()) : NULL;
	return d ? g_date_time_format(d, "%Y-%m-%d %H:%M %Z") : g_strdup("?");
}

/* ---- the page ------------------------------------------------------------------ */

/* The releases of the message this link may see: to its recipient (all,
 * without their addresses, for an any-recipient link). */
static void
add_requests(struct web_request *rq, struct web_vars *v, const struct staff_ctx *c)
{
	web_vars_list(v, "requests");
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) all = store_releases(rq->app->store, c->id, -1, &error);
	for (guint i = 0; all && i < all->len; i++) {
		const struct store_release *r = all->pdata[i];
		gboolean mine = !*c->recipient;
		for (guint k = 0; k < r->recipients->len && !mine; k++)
			mine = g_ascii_strcasecmp(r->recipients->pdata[k], c->recipient) == 0;
		if (!mine)
			continue;
		struct web_vars *row = web_vars_row(v, "requests");
		web_vars_printf(row, "number", "%" G_GINT64_FORMAT, r->number);
		g_autofree char *when = time_text(r->requested_at);
		web_vars_text(row, "time", when);
		web_vars_text(row, "state", store_release_state_name(r->state));
		web_vars_text(row, "note", r->state == STORE_RELEASE_DENIED || r->state ==
							  STORE_RELEASE_FAILED
						   ? r->reason
						   : "");
	}
}

static void
staff_respond(struct web_request *rq, const struct staff_ctx *c, guint status, const char *flash,
	      gboolean ok)
{
	const struct store_message *m = c->m;
	struct web_vars *v = web_page_vars(rq);
	web_vars_text(v, "token", c->token);
	web_vars_text(v, "id", m->id);
	web_vars_text(v, "from", m->header_from && *m->header_from ? m->header_from : m->sender);
	web_vars_text(v, "sender", m->header_from && *m->header_from ? m->sender : "");
	web_vars_text(v, "subject", m->subject);
	g_autofree char *subject_bidi = web_bidi_controls(m->subject);
	web_vars_text(v, "subject_bidi", subject_bidi);
	g_autofree char *date = time_text(m->time);
	web_vars_text(v, "date", date);
	web_vars_text(v, "recipient", c->recipient);
	web_vars_flag(v, "any_recipient", !*c->recipient);
	web_vars_flag(v, "releasable", m->releasable);
	web_vars_text(v, "not_releasable",
		      m->releasable ? "" : m->not_releasable ? m->not_releasable : "-");
	web_vars_list(v, "attachments");
	for (guint i = 0; i < m->attachments->len; i++) {
		const struct store_attachment *a = m->attachments->pdata[i];
		struct web_vars *row = web_vars_row(v, "attachments");
		web_vars_printf(row, "index", "%u", i);
		web_vars_text(row, "name", a->name ? a->name : WEB_T(rq, "（名前なし）", "(no name)"));
		g_autofree char *bidi = web_bidi_controls(a->name);
		web_vars_text(row, "name_bidi", bidi);
		web_vars_text(row, "type", a->detected ? a->detected : attachment_kind(a));
		g_autofree char *size = size_text(a->size);
		web_vars_text(row, "size", size);
		web_vars_text(row, "action", action_text(rq, a));
		g_autofree char *reason = reason_text(rq, a);
		web_vars_text(row, "reason", reason);
		web_vars_flag(row, "encrypted", a->encrypted);
	}
	add_requests(rq, v, c);
	g_free(rq->self);
	rq->self = g_strconcat("/r/", c->token, NULL);
	web_respond_page(rq, status, "staff", v, WEB_T(rq, "隔離されたファイルの受け取り",
						       "Getting a removed attachment"),
			 flash, ok);
}

static const char *
who(const struct staff_ctx *c, const char *address)
{
	return *c->recipient ? c->recipient : address;
}

static void
staff_page(struct web_request *rq)
{
	struct staff_ctx c = { 0 };
	if (open_token(rq, &c)) {
		web_audit(rq, c.id, "web-view", *c.recipient ? c.recipient : "(any recipient)", NULL);
		staff_respond(rq, &c, SOUP_STATUS_OK, NULL, FALSE);
	}
	ctx_clear(&c);
}

/* The attachment and address of a POST; FALSE when the error page was sent. */
static gboolean
form_target(struct web_request *rq, const struct staff_ctx *c, guint *index,
	    const char **address)
{
	guint64 n = 0;
	if (!g_ascii_string_to_unsigned(web_form(rq, "attachment"), 10, 0,
					c->m->attachments->len ? c->m->attachments->len - 1 : 0, &n,
					NULL) ||
	    !c->m->attachments->len) {
		web_respond_error(rq, SOUP_STATUS_BAD_REQUEST, "添付ファイルの指定が正しくありません。",
				  "No such attachment.");
		return FALSE;
	}
	*index = (guint)n;
	*address = original_recipient(
		c->m, *c->recipient ? c->recipient : g_strstrip((char *)web_form(rq, "address")));
	if (!*address) {
		web_respond_error(rq, SOUP_STATUS_BAD_REQUEST,
				  "このメールのあて先のアドレスを入力してください。",
				  "Type an address this message was sent to.");
		return FALSE;
	}
	if (!c->m->releasable) {
		web_respond_error(rq, SOUP_STATUS_FORBIDDEN, "このメールは取り出せません。",
				  "This message cannot be released.");
		return FALSE;
	}
	return TRUE;
}

/* A release of the message to `address` already waiting for an administrator. */
static gboolean
waiting_already(struct web_request *rq, const char *id, const char *address)
{
	g_autoptr(GPtrArray) waiting =
		store_releases(rq->app->store, id, STORE_RELEASE_REQUESTED, NULL);
	for (guint i = 0; waiting && i < waiting->len; i++) {
		const struct store_release *r = waiting->pdata[i];
		for (guint k = 0; k < r->recipients->len; k++)
			if (g_ascii_strcasecmp(r->recipients->pdata[k], address) == 0)
				return TRUE;
	}
	return FALSE;
}

static void
request_post(struct web_request *rq)
{
	struct web_app *app = rq->app;
	struct staff_ctx c = { 0 };
	guint index = 0;
	const char *address = NULL;
	if (!open_token(rq, &c) || !form_target(rq, &c, &index, &address)) {
		ctx_clear(&c);
		return;
	}
	const struct store_attachment *a = c.m->attachments->pdata[index];
	const char *to[] = { address, NULL };
	if (waiting_already(rq, c.id, address)) {
		staff_respond(rq, &c, SOUP_STATUS_CONFLICT,
			      WEB_T(rq, "この依頼はすでに管理者の承認を待っています。",
				    "This request already waits for an administrator."),
			      FALSE);
		ctx_clear(&c);
		return;
	}
	gboolean approved = auto_approved(app->policy, c.m);
	g_autoptr(GError) error = NULL;
	gint64 number = release_request(app->store, app->policy, c.id, to, address, rq->origin,
					approved, &error);
	web_audit(rq, c.id, "web-request", who(&c, address), "attachment", a->name ? a->name : "",
		  "result", number ? (approved ? "approved" : "requested") : error->message, NULL);
	if (!number) {
		g_autofree char *why = g_strconcat(WEB_T(rq, "受け付けられませんでした: ", "Refused: "),
						   error->message, NULL);
		staff_respond(rq, &c, SOUP_STATUS_CONFLICT, why, FALSE);
	} else {
		if (approved)
			web_releaser_queue(app->releaser, c.id, number, NULL);
		staff_respond(rq, &c, SOUP_STATUS_OK,
			      approved ? WEB_T(rq, "受け付けました。無害化したファイルをメールでお届けします。",
					       "Accepted: the disarmed files are on their way by mail.")
				       : WEB_T(rq, "受け付けました。管理者が承認すると、無害化したファイルを"
						   "メールでお届けします。",
					       "Requested: once an administrator approves, the "
					       "disarmed files come by mail."),
			      TRUE);
	}
	ctx_clear(&c);
}

/* ---- passwords ----------------------------------------------------------------- */

struct password_try {
	struct staff_ctx c;
	char *address;
	char *origin;        /* "web ADDRESS" */
	char *password;
	char *hash;          /* 12 hex digits of its SHA-256 */
	gboolean ppap_claimed;
	/* the outcome */
	gboolean opened, delivered;
	char *message;       /* for the flash */
};

static void
try_free(struct password_try *t)
{
	ctx_clear(&t->c);
	if (t->password)
		explicit_bzero(t->password, strlen(t->password));
	g_free(t->password);
	g_free(t->address);
	g_free(t->origin);
	g_free(t->hash);
	g_free(t->message);
	g_free(t);
}

/* Failed tries so far without a PPAP entry: the console's own events. */
static guint
failed_tries(struct mg_store *store, const char *id)
{
	g_autoptr(GPtrArray) events = store_events(store, id, 0, NULL);
	guint n = 0;
	for (guint i = 0; events && i < events->len; i++) {
		const struct store_event *e = events->pdata[i];
		if (strcmp(e->what, "web-password") == 0 && e->detail &&
		    strstr(e->detail, "\"opened\":\"no\""))
			n++;
	}
	return n;
}

/* In the release thread: try, and deliver on success. */
static void
try_password(struct web_app *app, struct password_try *t)
{
	const struct cdr_policy *p = app->policy;
	g_autoptr(GError) error = NULL;
	if (!release_passwords_open(app->store, p, t->c.m, t->password, &error)) {
		t->message = g_error_matches(error, RELEASE_ERROR, RELEASE_ERROR_NOT_OPENED)
				     ? g_strdup("")
				     : g_strdup(error->message);
		return;
	}
	t->opened = TRUE;
	const char *to[] = { t->address, NULL };
	gint64 number = release_request(app->store, p, t->c.id, to, t->address, t->origin, TRUE,
					&error);
	/* the claimed entry records the submission first: a crash from here
	 * on leaves it "failed" (at most once), never waiting for a pairing
	 * that would send the files again */
	g_autofree char *what =
		number ? g_strdup_printf("<release-%" G_GINT64_FORMAT "@cdr-web.invalid>", number) : NULL;
	if (number && t->ppap_claimed &&
	    !store_ppap_submitting(app->store, t->c.id, what, &error))
		number = 0;
	if (number &&
	    release_deliver(app->store, p, t->c.id, number, t->password, NULL, &error))
		t->delivered = TRUE;
	else
		t->message = g_strdup(error->message);
}

static void
password_done(struct web_request *rq, gpointer data)
{
	struct password_try *t = data;
	const char *flash;
	gboolean ok = FALSE;
	if (t->delivered) {
		flash = WEB_T(rq, "パスワードで開けました。無害化したファイルをメールでお届けします。",
			      "The password opened it: the disarmed files are on their way by mail.");
		ok = TRUE;
	} else if (t->opened) {
		flash = t->message;
	} else if (t->message && *t->message) {
		flash = t->message;
	} else {
		flash = WEB_T(rq, "パスワードが違います。", "Wrong password.");
	}
	web_audit(rq, t->c.id, "web-password", who(&t->c, t->address), "password_hash", t->hash,
		  "opened", t->opened ? "yes" : "no", "delivered", t->delivered ? "yes" : "no",
		  NULL);
	staff_respond(rq, &t->c, t->delivered ? SOUP_STATUS_OK : SOUP_STATUS_FORBIDDEN, flash, ok);
	try_free(t);
}

static void
password_thread(gpointer data, gpointer unused)
{
	struct web_request *rq = data;
	struct password_try *t = rq->pending;
	struct web_app *app = rq->app;
	try_password(app, t);
	if (t->ppap_claimed) {
		/* a try counts when the password was tried (a worker that
		 * failed tried nothing) */
		gboolean tried = t->opened || (t->message && !*t->message);
		enum store_ppap_state state = STORE_PPAP_WAITING;
		g_autoptr(store_ppap) now = store_ppap_get(app->store, t->c.id, NULL);
		if (t->opened)
			state = STORE_PPAP_OPENED;
		else if (tried && now && now->tries + 1 >= app->policy->ppap_max_tries)
			state = STORE_PPAP_EXHAUSTED;
		g_autoptr(GError) error = NULL;
		if (!store_ppap_finish(app->store, t->c.id, state, tried, t->hash, t->address, &error))
			g_printerr("cdr-web: %s: %s\n", t->c.id, error->message);
	}
	web_request_resume(rq, password_done, t);
}

/* The milter's limit on tries: FALSE (page sent) when used up. Claims
 * the PPAP entry when there is one waiting. */
static gboolean
may_try(struct web_request *rq, struct password_try *t)
{
	struct web_app *app = rq->app;
	guint64 max = app->policy->ppap_max_tries;
	g_autoptr(GError) error = NULL;
	g_autoptr(store_ppap) entry = store_ppap_get(app->store, t->c.id, &error);
	gboolean used_up = entry ? entry->state == STORE_PPAP_EXHAUSTED || entry->tries >= max
				 : failed_tries(app->store, t->c.id) >= max;
	/* a waiting entry is claimed (the milter's pairing then leaves it
	 * alone); an opened or failed one is not the milter's any more */
	if (!used_up && entry &&
	    (entry->state == STORE_PPAP_WAITING || entry->state == STORE_PPAP_TRYING)) {
		t->ppap_claimed = store_ppap_claim(app->store, t->c.id, PPAP_STALE, NULL);
		if (!t->ppap_claimed) {
			web_respond_error(rq, WEB_STATUS_TOO_MANY_REQUESTS,
					  "いま別のパスワードを試しています。少し待ってからやり直して"
					  "ください。",
					  "Another password is being tried. Wait a moment and try "
					  "again.");
			return FALSE;
		}
	}
	if (used_up)
		web_respond_error(rq, WEB_STATUS_TOO_MANY_REQUESTS,
				  "パスワードを試せる回数を使い切りました。管理者にお問い合わせください。",
				  "The tries for this message are used up. Ask the administrator.");
	return !used_up;
}

static void
password_post(struct web_request *rq)
{
	struct web_app *app = rq->app;
	struct password_try *t = g_new0(struct password_try, 1);
	guint index = 0;
	const char *address = NULL;
	char *password = g_hash_table_lookup(rq->form, "password");
	if (!open_token(rq, &t->c) || !form_target(rq, &t->c, &index, &address)) {
		try_free(t);
		return;
	}
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;
	g_autofree char *by_client = g_strdup_printf("password %s", rq->client);
	g_autofree char *by_message = g_strdup_printf("password %s", t->c.id);
	if (!password || !*password || strlen(password) > 1024 || strchr(password, '\n')) {
		web_respond_error(rq, SOUP_STATUS_BAD_REQUEST, "パスワードを入力してください。",
				  "Type the password.");
		try_free(t);
		return;
	}
	if (!web_limit_allow(app->limits, by_client, WEB_PASSWORD_TRIES, now) ||
	    !web_limit_allow(app->limits, by_message, WEB_PASSWORD_TRIES, now)) {
		web_audit(rq, t->c.id, "web-password-refused", who(&t->c, address), "why",
			  "rate limit", NULL);
		web_respond_error(rq, WEB_STATUS_TOO_MANY_REQUESTS,
				  "パスワードの入力が多すぎます。15 分ほど待ってからやり直してください。",
				  "Too many passwords tried. Wait about 15 minutes and try again.");
		try_free(t);
		return;
	}
	if (!t->c.m->encrypted) {
		web_respond_error(rq, SOUP_STATUS_BAD_REQUEST,
				  "このメールにパスワード付きのファイルはありません。",
				  "This message has no password-protected file.");
		try_free(t);
		return;
	}
	if (!may_try(rq, t)) {
		try_free(t);
		return;
	}
	t->address = g_strdup(address);
	t->origin = g_strdup(rq->origin);
	t->password = g_strdup(password);
	explicit_bzero(password, strlen(password));
	t->hash = g_compute_checksum_for_string(G_CHECKSUM_SHA256, t->password, -1);
	t->hash[12] = '\0';
	rq->pending = t;
	web_request_pause(rq);
	static GThreadPool *pool;
	if (!pool) /* a worker run each: a few at a time, the rest wait their turn */
		pool = g_thread_pool_new(password_thread, NULL, PASSWORD_THREADS, FALSE, NULL);
	g_thread_pool_push(pool, rq, NULL);
}

void
web_staff_routes(void)
{
	web_route_add("GET", "/r/*", staff_page, 0);
	web_route_add("POST", "/r/*/request", request_post, 0);
	web_route_add("POST", "/r/*/password", password_post, 0);
}
