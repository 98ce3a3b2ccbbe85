/*
 * NAME
 *	release.c - a stored message delivered disarmed, exactly once
 * SUMMARY
 *	See release.h: the checks, the store's claim, the rebuild with a
 *	worker of our own (with the [av] scanner, as the milter's), the
 *	submission and the record. Shared by cdr-quarantine release and
 *	cdr-web.
 */
#include "release.h"

#include <string.h>
#include <unistd.h>

#include "av.h"
#include "envelope.h"
#include "pairing-run.h"
#include "pool.h"
#include "resubmit.h"

G_DEFINE_QUARK(mugaika-release-error-quark, release_error)

static gboolean
listed(const char *address, char *const *list)
{
	for (guint i = 0; list && list[i]; i++)
		if (g_ascii_strcasecmp(address, list[i]) == 0)
			return TRUE;
	return FALSE;
}

GPtrArray *
release_recipients(const struct store_message *m, const struct cdr_policy *p,
		   const char *const *to, GError **error)
{
	g_autoptr(GPtrArray) original = g_ptr_array_new();
	for (guint i = 0; i < m->recipients->len; i++)
		g_ptr_array_add(original, ((struct store_recipient *)m->recipients->pdata[i])->address);
	g_ptr_array_add(original, NULL);
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
	for (guint i = 0; to ? to[i] != NULL : i + 1 < original->len; i++) {
		const char *a = to ? to[i] : original->pdata[i];
		if (!listed(a, (char *const *)original->pdata) &&
		    !listed(a, p->release_allowed_recipients)) {
			g_set_error(error, RELEASE_ERROR, RELEASE_ERROR_REFUSED,
				    "%s is not a recipient of %s, nor in [release] "
				    "allowed_recipients: nothing released",
				    a, m->id);
			g_ptr_array_unref(out);
			return NULL;
		}
		g_ptr_array_add(out, g_strdup(a));
	}
	g_ptr_array_add(out, NULL);
	return out;
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
					g_set_error(error, RELEASE_ERROR, RELEASE_ERROR_REFUSED,
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

/* A store's (or another) error as a release error of `code`; frees it. */
static void
from_store(GError **error, GError *store_error, enum release_error code)
{
	g_set_error_literal(error, RELEASE_ERROR, code, store_error->message);
	g_error_free(store_error);
}

gint64
release_request(struct mg_store *store, const struct cdr_policy *p, const char *id,
		const char *const *to, const char *by, const char *origin, gboolean approved,
		GError **error)
{
	GError *local = NULL;
	if (!*p->release_relay) {
		g_set_error(error, RELEASE_ERROR, RELEASE_ERROR_REFUSED,
			    "[release] relay is empty: nowhere to submit a release");
		return 0;
	}
	g_autoptr(store_message) m = store_get(store, id, &local);
	if (!m) {
		from_store(error, local, RELEASE_ERROR_FAILED);
		return 0;
	}
	if (!m->releasable) {
		g_set_error(error, RELEASE_ERROR, RELEASE_ERROR_REFUSED,
			    "%s cannot be released (%s); extract is for examination only", id,
			    m->not_releasable ? m->not_releasable : "not releasable");
		return 0;
	}
	g_autoptr(GPtrArray) recipients = release_recipients(m, p, to, error);
	if (!recipients)
		return 0;
	if (released_before(store, id, recipients, 0, &local)) {
		from_store(error, local, RELEASE_ERROR_REFUSED);
		return 0;
	}
	gint64 number = store_release_request(store, id, (const char *const *)recipients->pdata, by,
					      origin, approved, &local);
	if (!number)
		from_store(error, local,
			   g_error_matches(local, STORE_ERROR, STORE_ERROR_NOT_RELEASABLE)
				   ? RELEASE_ERROR_REFUSED
				   : RELEASE_ERROR_FAILED);
	return number;
}

/* A pool of one worker with the [av] scanner (without a scanner the
 * pool blocks what the passwords open). */
static struct cdr_pool *
release_pool(const struct cdr_policy *p, struct av_scanner **av, GError **error)
{
	GError *local = NULL;
	*av = av_scanner_new(p, &local);
	if (local) {
		g_propagate_error(error, local);
		return NULL;
	}
	struct cdr_pool *pool = cdr_pool_new(p, NULL, 1, error);
	if (pool && *av)
		cdr_pool_set_scanner(pool, av_pool_scan, *av);
	return pool;
}

/* The original of `id` rebuilt for `to`: the report, the message in
 * *out_fd (-1 when blocked). */
static struct cdr_report *
rebuild(struct mg_store *store, const struct cdr_policy *p, const char *id, GPtrArray *to,
	const char *passwords, int *out_fd, GError **error)
{
	struct av_scanner *av = NULL;
	struct cdr_pool *pool = release_pool(p, &av, error);
	if (!pool) {
		av_scanner_free(av);
		return NULL;
	}
	/* the link style of the recipients' domains, the strictest any
	 * [mail] links list picks (the role the original came in through is
	 * not stored: as before the queue) */
	g_autoptr(GPtrArray) list = g_ptr_array_new();
	for (guint i = 0; i + 1 < to->len; i++)
		g_ptr_array_add(list, to->pdata[i]);
	struct envelope env = { .recipients = list };
	const char *links = envelope_mail_links(p, &env, ROLE_BEFORE_QUEUE);
	struct cdr_run_params params = {
		.handler = "mime",
		.mail_build = "release",
		.mail_mode = "sanitize",
		.mail_links = links,
		.passwords = passwords,
		.quarantine_id = id,
	};
	struct cdr_report *r = resubmit_build(pool, store, id, &params, out_fd, error);
	cdr_pool_free(pool);
	av_scanner_free(av);
	return r;
}

/* Rebuild and submit; the summary of what went out in *what. */
static gboolean
rebuild_and_send(struct mg_store *store, const struct cdr_policy *p, const char *id,
		 GPtrArray *to, const char *passwords, char **what, char **message_id,
		 char **why)
{
	g_autoptr(GError) error = NULL;
	int out_fd = -1;
	g_autoptr(cdr_report) r = rebuild(store, p, id, to, passwords, &out_fd, &error);
	if (!r) {
		*why = g_strdup(error->message);
		return FALSE;
	}
	if (out_fd < 0) {
		*why = g_strdup_printf("not rebuilt: %s", r->reason ? r->reason : "blocked");
		return FALSE;
	}
	struct submit_result res;
	resubmit_send(p, (const char *const *)to->pdata, out_fd, &res);
	gboolean sent = res.status == SUBMIT_SENT;
	g_autofree char *actions = cdr_report_action_summary(r);
	if (sent)
		*what = g_strdup_printf("%s (%s), queued as %s", cdr_verdict_name(r->verdict),
					actions && *actions ? actions : "nothing removed",
					res.queue_id ? res.queue_id : "-");
	else /* "uncertain": the relay may have it; never sent again by itself */
		*why = g_strdup_printf("%s: %s", res.uncertain ? "uncertain"
							       : submit_status_name(res.status),
				       res.reply ? res.reply : "");
	*message_id = g_strdup(r->message_id);
	submit_result_clear(&res);
	close(out_fd);
	return sent;
}

/* The recipients of release `number` of `id`, NULL-terminated. */
static GPtrArray *
recipients_of_release(struct mg_store *store, const char *id, gint64 number, GError **error)
{
	GError *local = NULL;
	g_autoptr(GPtrArray) all = store_releases(store, id, -1, &local);
	if (!all) {
		from_store(error, local, RELEASE_ERROR_FAILED);
		return NULL;
	}
	for (guint i = 0; i < all->len; i++) {
		const struct store_release *r = all->pdata[i];
		if (r->number != number)
			continue;
		GPtrArray *to = g_ptr_array_new_with_free_func(g_free);
		for (guint k = 0; k < r->recipients->len; k++)
			g_ptr_array_add(to, g_strdup(r->recipients->pdata[k]));
		g_ptr_array_add(to, NULL);
		return to;
	}
	g_set_error(error, RELEASE_ERROR, RELEASE_ERROR_FAILED, "%s has no release %" G_GINT64_FORMAT,
		    id, number);
	return NULL;
}

gboolean
release_deliver(struct mg_store *store, const struct cdr_policy *p, const char *id,
		gint64 number, const char *passwords, char **what, GError **error)
{
	GError *local = NULL;
	g_autoptr(GPtrArray) to = recipients_of_release(store, id, number, error);
	if (!to)
		return FALSE;
	if (!store_release_claim(store, number, &local)) {
		from_store(error, local, RELEASE_ERROR_REFUSED);
		return FALSE;
	}
	g_autofree char *message_id = NULL, *why = NULL;
	char *summary = NULL;
	/* two runs at once: the store numbers their requests in order, and
	 * the later one, seeing the earlier, stands down */
	gboolean sent = FALSE;
	if (released_before(store, id, to, number, &local)) {
		why = g_strdup(local->message);
		g_clear_error(&local);
	} else {
		sent = rebuild_and_send(store, p, id, to, passwords, &summary, &message_id, &why);
	}
	if (!store_release_finish(store, number, sent, summary, message_id, why, &local)) {
		g_printerr("release %" G_GINT64_FORMAT " of %s: cannot record its end: %s\n", number,
			   id, local->message);
		g_clear_error(&local);
	}
	if (!sent) {
		g_set_error(error, RELEASE_ERROR, RELEASE_ERROR_FAILED,
			    "release %" G_GINT64_FORMAT " of %s failed: %s", number, id, why);
		g_free(summary);
		return FALSE;
	}
	if (what)
		*what = summary;
	else
		g_free(summary);
	return TRUE;
}

gboolean
release_passwords_open(struct mg_store *store, const struct cdr_policy *p,
		       const struct store_message *m, const char *passwords, GError **error)
{
	guint locked = pairing_locked_in_record(m);
	g_autoptr(GPtrArray) to = g_ptr_array_new();
	g_ptr_array_add(to, NULL);
	int out_fd = -1;
	GError *local = NULL;
	g_autoptr(cdr_report) r = rebuild(store, p, m->id, to, passwords, &out_fd, &local);
	if (out_fd >= 0)
		close(out_fd);
	if (!r) {
		from_store(error, local, RELEASE_ERROR_FAILED);
		return FALSE;
	}
	if (!locked || pairing_locked_zips(r) >= locked) {
		g_set_error(error, RELEASE_ERROR, RELEASE_ERROR_NOT_OPENED,
			    "the password opened no encrypted attachment of %s", m->id);
		return FALSE;
	}
	return TRUE;
}
