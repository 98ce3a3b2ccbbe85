/*
 * NAME
 *	quarantine-release.c - cdr-quarantine release: a stored message
 *	delivered disarmed
 * SUMMARY
 *	Refused for a message blocked whole for malware or as dangerous (the
 *	store says it is not releasable), for an address neither among the
 *	original recipients nor in [release] allowed_recipients, and for
 *	recipients an earlier release reached or is reaching (sending,
 *	delivered, or approved within the hour). Otherwise: a release
 *	request, approved at once (the administrator's own), claimed (approved -> sending, the store's
 *	compare-and-set), checked once more against releases numbered before
 *	it (two runs at once: the later stands down), rebuilt by a worker
 *	and submitted, then finished delivered or failed.
 * DESCRIPTION
 *	The rebuilt message goes to the return path, which has no milter:
 *	it is converted once, here, and never comes round again.
 */
#include <string.h>
#include <unistd.h>

#include "av.h"
#include "envelope.h"
#include "pool.h"
#include "quarantine-release.h"
#include "resubmit.h"

static int
refuse(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

static int
refuse(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	g_autofree char *text = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_printerr("cdr-quarantine: %s\n", text);
	return 1;
}

static gboolean
listed(const char *address, char *const *list)
{
	for (guint i = 0; list && list[i]; i++)
		if (g_ascii_strcasecmp(address, list[i]) == 0)
			return TRUE;
	return FALSE;
}

/* The recipients: --to, each an original recipient or allowed; or the
 * original recipients. NULL (said why) when one is not allowed. */
static GPtrArray *
recipients_of(const struct store_message *m, const struct cdr_policy *p,
	      const struct release_request *rq)
{
	g_autoptr(GPtrArray) original = g_ptr_array_new();
	for (guint i = 0; i < m->recipients->len; i++)
		g_ptr_array_add(original, ((struct store_recipient *)m->recipients->pdata[i])->address);
	g_ptr_array_add(original, NULL);
	GPtrArray *to = g_ptr_array_new_with_free_func(g_free);
	for (guint i = 0; rq->to ? rq->to[i] != NULL : i + 1 < original->len; i++) {
		const char *a = rq->to ? rq->to[i] : original->pdata[i];
		if (!listed(a, (char *const *)original->pdata) &&
		    !listed(a, p->release_allowed_recipients)) {
			refuse("%s is not a recipient of %s, nor in [release] allowed_recipients: "
			       "nothing released", a, m->id);
			g_ptr_array_unref(to);
			return NULL;
		}
		g_ptr_array_add(to, g_strdup(a));
	}
	g_ptr_array_add(to, NULL);
	return to;
}

/* A release of `id` numbered below `below` (0: any) that reached one of
 * `to`, is reaching it (sending), or is about to (approved within the
 * hour: another run between its request and its claim). */
static gboolean
released_before(struct mg_store *store, const char *id, GPtrArray *to, gint64 below,
		GError **error)
{
	g_autoptr(GPtrArray) earlier = store_releases(store, id, -1, error);
	if (!earlier)
		return TRUE;
	gint64 hour_ago = g_get_real_time() / G_USEC_PER_SEC - 3600;
	for (guint i = 0; i < earlier->len; i++) {
		const struct store_release *r = earlier->pdata[i];
		gboolean busy = r->state == STORE_RELEASE_SENDING ||
				r->state == STORE_RELEASE_DELIVERED ||
				(r->state == STORE_RELEASE_APPROVED && r->requested_at > hour_ago);
		if (!busy || (below && r->number >= below))
			continue;
		for (guint k = 0; k + 1 < to->len; k++)
			for (guint j = 0; j < r->recipients->len; j++)
				if (g_ascii_strcasecmp(to->pdata[k], r->recipients->pdata[j]) == 0) {
					g_set_error(error, STORE_ERROR, STORE_ERROR_STATE,
						    "%s was released to %s already (release %"
						    G_GINT64_FORMAT ", %s, asked by %s): nothing sent",
						    id, (char *)to->pdata[k], r->number,
						    store_release_state_name(r->state),
						    r->requested_by ? r->requested_by : "?");
					return TRUE;
				}
	}
	return FALSE;
}

/* Rebuild and submit; the summary of what went out in *what. */
static gboolean
deliver(struct mg_store *store, const struct cdr_policy *p, const struct release_request *rq,
	GPtrArray *to, char **what, char **message_id, char **why)
{
	g_autoptr(GError) error = NULL;
	/* with [av], what the worker opens with the passwords goes to clamd
	 * as in the milter (without a scanner the pool blocks it) */
	g_autoptr(av_scanner) av = av_scanner_new(p, &error);
	if (error) {
		*why = g_strdup(error->message);
		return FALSE;
	}
	struct cdr_pool *pool = cdr_pool_new(p, NULL, 1, &error);
	if (!pool) {
		*why = g_strdup(error->message);
		return FALSE;
	}
	if (av)
		cdr_pool_set_scanner(pool, av_pool_scan, av);
	/* the link style of the recipients' domains, the strictest any
	 * [mail] links list picks (the role the original came in through is
	 * not stored: as before the queue) */
	g_ptr_array_remove_index(to, to->len - 1);
	struct envelope env = { .recipients = to };
	const char *links = envelope_mail_links(p, &env, ROLE_BEFORE_QUEUE);
	g_ptr_array_add(to, NULL);
	struct cdr_run_params params = {
		.handler = "mime",
		.mail_build = "release",
		.mail_mode = "sanitize",
		.mail_links = links,
		.passwords = rq->passwords,
		.quarantine_id = rq->id,
	};
	int out_fd = -1;
	g_autoptr(cdr_report) r = resubmit_build(pool, store, rq->id, &params, &out_fd, &error);
	gboolean sent = FALSE;
	if (!r) {
		*why = g_strdup(error->message);
	} else if (out_fd < 0) {
		*why = g_strdup_printf("not rebuilt: %s", r->reason ? r->reason : "blocked");
	} else {
		struct submit_result res;
		resubmit_send(p, (const char *const *)to->pdata, out_fd, &res);
		sent = res.status == SUBMIT_SENT;
		g_autofree char *actions = cdr_report_action_summary(r);
		if (sent)
			*what = g_strdup_printf("%s (%s), queued as %s", cdr_verdict_name(r->verdict),
						actions && *actions ? actions : "nothing removed",
						res.queue_id ? res.queue_id : "-");
		else
			*why = g_strdup_printf("%s: %s", submit_status_name(res.status),
					       res.reply ? res.reply : "");
		*message_id = g_strdup(r->message_id);
		submit_result_clear(&res);
		close(out_fd);
	}
	cdr_pool_free(pool);
	return sent;
}

int
release_message(struct mg_store *store, const struct cdr_policy *p,
		const struct release_request *rq)
{
	g_autoptr(GError) error = NULL;
	if (!*p->release_relay)
		return refuse("[release] relay is empty: nowhere to submit a release");
	g_autoptr(store_message) m = store_get(store, rq->id, &error);
	if (!m)
		return refuse("%s", error->message);
	if (!m->releasable)
		return refuse("%s cannot be released (%s); extract is for examination only", rq->id,
			      m->not_releasable ? m->not_releasable : "not releasable");
	g_autoptr(GPtrArray) to = recipients_of(m, p, rq);
	if (!to)
		return 1;
	if (released_before(store, rq->id, to, 0, &error))
		return refuse("%s", error->message);
	gint64 number = store_release_request(store, rq->id, (const char *const *)to->pdata,
					      rq->by, rq->origin, TRUE, &error);
	if (!number || !store_release_claim(store, number, &error))
		return refuse("%s", error->message);
	g_autofree char *what = NULL, *message_id = NULL, *why = NULL;
	/* two runs at once: the store numbers their requests in order, and
	 * the later one, seeing the earlier, stands down */
	gboolean sent = FALSE;
	if (released_before(store, rq->id, to, number, &error))
		why = g_strdup(error->message);
	else
		sent = deliver(store, p, rq, to, &what, &message_id, &why);
	if (!store_release_finish(store, number, sent, what, message_id, why, &error))
		g_printerr("cdr-quarantine: cannot record the release's end: %s\n", error->message);
	if (!sent)
		return refuse("release %" G_GINT64_FORMAT " of %s failed: %s", number, rq->id, why);
	g_autofree char *list = g_strjoinv(", ", (char **)to->pdata);
	if (rq->json)
		g_print("{\"release\":%" G_GINT64_FORMAT ",\"id\":\"%s\",\"state\":\"delivered\"}\n",
			number, rq->id);
	else
		g_print("release %" G_GINT64_FORMAT ": %s delivered to %s: %s\n", number, rq->id,
			list, what);
	return 0;
}
