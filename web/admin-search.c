/*
 * NAME
 *	admin-search.c - GET /admin/search: finding quarantined messages
 * SUMMARY
 *	form#search (sender, recipient, subject: parts of them, any case;
 *	since, until: YYYY-MM-DD, days of the gateway's local time, until
 *	included; verdict; encrypted) and table#results, one tr.message per
 *	message with a link to /admin/message/ID, newest first, PAGE_SIZE a
 *	page (?page=N from 0).
 * DESCRIPTION
 *	One store_search() per page, with bound parameters (store/search.c):
 *	no text of the form reaches SQL; it runs on an admin worker thread
 *	(admin_run_off_thread()), so a search that reads every row (a word
 *	nothing has) does not hold up the other pages. The pages before this one are read
 *	and skipped, so a page costs what all pages up to it cost; pages stop
 *	at MAX_PAGE (a narrower search finds the rest). A field that is
 *	not what it should be (a date of another form, an unknown verdict)
 *	answers 400 with the form kept and a p.flash.error.
 */
#include <string.h>

#include "admin-pages.h"
#include "router.h"

#define PAGE_SIZE 50
#define MAX_PAGE 200
#define TEXT_MAX 200

struct results {
	struct web_request *rq;
	struct web_vars *v;
	guint skip;  /* rows of earlier pages still to pass */
	guint shown; /* rows of this page */
	gboolean more;
};

static gboolean
add_result(const struct store_message *m, gpointer data)
{
	struct results *r = data;
	if (r->skip) {
		r->skip--;
		return TRUE;
	}
	if (r->shown == PAGE_SIZE) {
		r->more = TRUE;
		return FALSE;
	}
	struct web_vars *row = web_vars_row(r->v, "results");
	web_vars_text(row, "id", m->id);
	g_autofree char *t = admin_time_text(m->time);
	web_vars_text(row, "time", t);
	admin_text_with_bidi(row, "sender", m->sender && *m->sender ? m->sender : "<>");
	admin_text_with_bidi(row, "subject", m->subject);
	web_vars_text(row, "verdict", m->verdict ? m->verdict : "-");
	web_vars_text(row, "action", m->action);
	web_vars_flag(row, "encrypted", m->encrypted);
	web_vars_text(row, "release", m->release);
	r->shown++;
	return TRUE;
}

static const char *const verdicts[] = { "clean", "sanitized", "blocked" };

/* The form's fields back into `v` (the form shows what was asked). */
static void
keep_form(struct web_request *rq, struct web_vars *v)
{
	static const char *const texts[] = { "sender", "recipient", "subject", "since", "until" };
	for (guint i = 0; i < G_N_ELEMENTS(texts); i++)
		web_vars_text(v, texts[i], admin_query(rq, texts[i]));
	const char *verdict = admin_query(rq, "verdict");
	for (guint i = 0; i < G_N_ELEMENTS(verdicts); i++) {
		g_autofree char *flag = g_strdup_printf("verdict_%s", verdicts[i]);
		web_vars_flag(v, flag, g_strcmp0(verdict, verdicts[i]) == 0);
	}
	const char *encrypted = admin_query(rq, "encrypted");
	web_vars_flag(v, "encrypted_yes", g_strcmp0(encrypted, "yes") == 0);
	web_vars_flag(v, "encrypted_no", g_strcmp0(encrypted, "no") == 0);
	web_vars_list(v, "results");
	web_vars_text(v, "first", "0");
	web_vars_text(v, "last", "0");
	web_vars_text(v, "prev", NULL);
	web_vars_text(v, "next", NULL);
}

static gboolean
text_field_ok(const char *value)
{
	return !value || (g_utf8_validate(value, -1, NULL) && g_utf8_strlen(value, -1) <= TEXT_MAX);
}

/* The form's fields into `q`; FALSE with `why`. */
static gboolean
read_form(struct web_request *rq, struct store_query *q, const char **why)
{
	q->sender = admin_query(rq, "sender");
	q->recipient = admin_query(rq, "recipient");
	q->subject = admin_query(rq, "subject");
	if (!text_field_ok(q->sender) || !text_field_ok(q->recipient) ||
	    !text_field_ok(q->subject)) {
		*why = WEB_T(rq, "検索語が長すぎます。", "A search field is too long.");
		return FALSE;
	}
	if (!admin_date_parse(admin_query(rq, "since"), FALSE, &q->since) ||
	    !admin_date_parse(admin_query(rq, "until"), TRUE, &q->until)) {
		*why = WEB_T(rq, "日付は YYYY-MM-DD の形で書いてください。",
			     "Write dates as YYYY-MM-DD.");
		return FALSE;
	}
	const char *verdict = admin_query(rq, "verdict");
	for (guint i = 0; i < G_N_ELEMENTS(verdicts); i++)
		if (g_strcmp0(verdict, verdicts[i]) == 0)
			q->verdict = verdicts[i];
	const char *encrypted = admin_query(rq, "encrypted");
	q->encrypted = g_strcmp0(encrypted, "yes") == 0  ? STORE_YES
		       : g_strcmp0(encrypted, "no") == 0 ? STORE_NO
							 : STORE_ANY;
	if ((verdict && !q->verdict) || (encrypted && q->encrypted == STORE_ANY)) {
		*why = WEB_T(rq, "判定か暗号化の指定が正しくありません。",
			     "Unknown verdict or encryption choice.");
		return FALSE;
	}
	return TRUE;
}

/* The link to page `page` with the same fields. */
static char *
page_link(struct web_request *rq, guint page)
{
	static const char *const fields[] = { "sender",	 "recipient", "subject", "since",
					      "until",	 "verdict",   "encrypted" };
	GString *href = g_string_new("/admin/search?");
	for (guint i = 0; i < G_N_ELEMENTS(fields); i++) {
		const char *value = admin_query(rq, fields[i]);
		if (!value)
			continue;
		g_autofree char *e = g_uri_escape_string(value, NULL, FALSE);
		g_string_append_printf(href, "%s=%s&", fields[i], e);
	}
	g_string_append_printf(href, "page=%u%s", page, rq->english ? "&lang=en" : "");
	return g_string_free(href, FALSE);
}

struct search {
	struct store_query q;
	struct results r;
	guint page;
	gboolean ok;
	GError *error;
};

static void
search_work(struct web_request *rq, gpointer data)
{
	struct search *s = data;
	s->ok = store_search(rq->app->store, &s->q, add_result, &s->r, &s->error);
}

static void
search_finish(struct web_request *rq, gpointer data)
{
	struct search *s = data;
	struct web_vars *v = s->r.v;
	guint page = s->page;
	if (!s->ok) {
		web_vars_free(v);
		admin_store_unavailable(rq, "search", s->error);
	} else {
		web_vars_printf(v, "first", "%u", s->r.shown ? page * PAGE_SIZE + 1 : 0);
		web_vars_printf(v, "last", "%u", s->r.shown ? page * PAGE_SIZE + s->r.shown : 0);
		g_autofree char *prev = page ? page_link(rq, page - 1) : NULL;
		g_autofree char *next =
			s->r.more && page < MAX_PAGE ? page_link(rq, page + 1) : NULL;
		web_vars_text(v, "prev", prev);
		web_vars_text(v, "next", next);
		web_respond_page(rq, SOUP_STATUS_OK, "admin-search", v,
				 WEB_T(rq, "隔離メッセージの検索", "Quarantine search"), NULL, FALSE);
	}
	g_clear_error(&s->error);
	g_free(s);
}

/* The form is read here; the store is searched off the server's thread
 * (the query's texts stay in rq->query, which lives until the answer). */
static void
search_page(struct web_request *rq)
{
	struct web_vars *v = admin_page_vars(rq);
	keep_form(rq, v);
	struct search *s = g_new0(struct search, 1);
	s->q.newest_first = TRUE;
	const char *why = NULL;
	if (!read_form(rq, &s->q, &why)) {
		g_free(s);
		web_respond_page(rq, SOUP_STATUS_BAD_REQUEST, "admin-search", v,
				 WEB_T(rq, "隔離メッセージの検索", "Quarantine search"), why, FALSE);
		return;
	}
	s->page = (guint)admin_query_number(rq, "page", 0, MAX_PAGE);
	s->q.limit = (s->page + 1) * PAGE_SIZE + 1;
	s->r = (struct results){ rq, v, s->page * PAGE_SIZE, 0, FALSE };
	admin_run_off_thread(rq, search_work, search_finish, s);
}

void
web_admin_search_routes(void)
{
	web_route_add("GET", "/admin/search", search_page, WEB_ROUTE_ADMIN);
}
