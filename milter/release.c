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

#define RELEASE_CLAIM_STALE 600 /* seconds: the milter's pairing claim holds as long */

/* The spelling `list` has of `address` (ASCII case aside), or NULL. */
static const char *
listed(const char *address, char *const *list)
{
	for (guint i = 0; list && list[i]; i++)
		if (g_ascii_strcasecmp(address, list[i]) == 0)
			return list[i];
	return NULL;
}

/* `a` as an address the submission carries: white space around it and
 * one pair of angle brackets taken off; NULL with REFUSED when anything
 * else is left (a list, a display name, CR LF, a quoted local part). */
static char *
bare_address(const char *a, const char *id, GError **error)
{
	g_autofree char *s = g_strstrip(g_strdup(a));
	gsize n = strlen(s);
	if (n >= 2 && s[0] == '<' && s[n - 1] == '>') {
		s[n - 1] = '\0';
		char *inner = g_strstrip(g_strdup(s + 1));
		g_free(s);
		s = inner;
	}
	const char *why = submit_address_refusal(s);
	if (why) {
		g_autofree char *shown = g_strescape(a, NULL);
		g_set_error(error, RELEASE_ERROR, RELEASE_ERROR_REFUSED,
			    "\"%s\" is not one address the return path can carry (%s): "
			    "nothing of %s released",
			    shown, why, id);
		return NULL;
	}
	return g_steal_pointer(&s);
}

GPtrArray *
release_recipients(const struct store_message *m, const struct cdr_policy *p,
		   const char *const *to, GError **error)
{
	g_autoptr(GPtrArray) original = g_ptr_array_new();
	for (guint i = 0; i < m->recipients->len; i++)
		g_ptr_array_add(original, ((struct store_recipient *)m->recipients->pdata[i])->address);
	g_ptr_array_add(original, NULL);
	g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func(g_free);
	for (guint i = 0; to ? to[i] != NULL : i + 1 < original->len; i++) {
		g_autofree char *a = bare_address(to ? to[i] : original->pdata[i], m->id, error);
		if (!a)
			return NULL;
		/* the spelling the original was delivered to (or the list's) */
		const char *spelling = listed(a, (char *const *)original->pdata);
		if (!spelling)
			spelling = listed(a, p->release_allowed_recipients);
		if (!spelling) {
			g_set_error(error, RELEASE_ERROR, RELEASE_ERROR_REFUSED,
				    "%s is not a recipient of %s, nor in [release] "
				    "allowed_recipients: nothing released",
				    a, m->id);
			return NULL;
		}
		/* one copy per address, however often or in what case it was given */
		g_ptr_array_add(out, NULL);
		gboolean again = listed(spelling, (char *const *)out->pdata) != NULL;
		g_ptr_array_remove_index(out, out->len - 1);
		if (!again)
			g_ptr_array_add(out, g_strdup(spelling));
	}
	g_ptr_array_add(out, NULL);
	return g_steal_pointer(&out);
}

/* A release of `id` numbered below `below` (0: any) that reached one of
 * `to`, is reaching it (sending), is about to (approved within the
 * hour: another run between its request and its claim), or may have
 * reached it (uncertain: the answer was lost). An uncertain one counts
 * unless `force`; at delivery (below != 0) of a forced release, one
 * that became uncertain after this release was asked for (`asked`)
 * counts all the same: the administrator had not seen it. */
static gboolean
released_before(struct mg_store *store, const char *id, GPtrArray *to, gint64 below,
		gint64 asked, gboolean force, GError **error)
{
	g_autoptr(GPtrArray) earlier = store_releases(store, id, -1, error);
	if (!earlier)
		return TRUE;
	gint64 hour_ago = g_get_real_time() / G_USEC_PER_SEC - 3600;
	for (guint i = 0; i < earlier->len; i++) {
		const struct store_release *r = earlier->pdata[i];
		gboolean uncertain = store_release_uncertain(r) &&
				     (!force || (below && r->finished_at > asked));
		gboolean busy = r->state == STORE_RELEASE_SENDING ||
				r->state == STORE_RELEASE_DELIVERED || uncertain ||
				(r->state == STORE_RELEASE_APPROVED && r->requested_at > hour_ago);
		if (!busy || (below && r->number >= below))
			continue;
		for (guint k = 0; k + 1 < to->len; k++)
			for (guint j = 0; j < r->recipients->len; j++) {
				if (g_ascii_strcasecmp(to->pdata[k], r->recipients->pdata[j]) != 0)
					continue;
				if (uncertain)
					g_set_error(error, RELEASE_ERROR, RELEASE_ERROR_REFUSED,
						    "release %" G_GINT64_FORMAT " of %s to %s may have "
						    "been delivered: check the LGWAN mail server's log "
						    "for Message-ID %s before releasing again (then "
						    "--force): nothing sent",
						    r->number, id, (char *)to->pdata[k],
						    r->delivered_id ? r->delivered_id : "?");
				else
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

/* An address of `to` that a PPAP follow-up (the milter's pairing,
 * finished "opened": the event ppap-followup) brought the disarmed files
 * to already: an original recipient in sanitize mode, or in text mode
 * when [ppap] text_mode_delivery (else it got a listing, and asking for
 * the files is what the listing says to do). NULL: none. A pairing that
 * ended "failed" (cut short, perhaps sent) is for a person to judge: the
 * release goes ahead. */
static const char *
followed_up(struct mg_store *store, const struct cdr_policy *p, const struct store_message *m,
	    GPtrArray *to)
{
	g_autoptr(store_ppap) entry = store_ppap_get(store, m->id, NULL);
	if (!entry || entry->state != STORE_PPAP_OPENED)
		return NULL;
	g_autoptr(GPtrArray) events = store_events(store, m->id, 0, NULL);
	gboolean sent = FALSE;
	for (guint i = 0; events && i < events->len && !sent; i++)
		sent = strcmp(((struct store_event *)events->pdata[i])->what, "ppap-followup") == 0;
	for (guint k = 0; sent && k + 1 < to->len; k++)
		for (guint i = 0; i < m->recipients->len; i++) {
			const struct store_recipient *r = m->recipients->pdata[i];
			if (g_ascii_strcasecmp(r->address, to->pdata[k]) == 0 &&
			    (g_strcmp0(r->mode, "text") != 0 || p->ppap_text_mode_delivery))
				return to->pdata[k];
		}
	return NULL;
}

/* A store's (or another) error as a release error of `code`; frees it. */
static void
from_store(GError **error, GError *store_error, enum release_error code)
{
	g_set_error_literal(error, RELEASE_ERROR, code, store_error->message);
	g_error_free(store_error);
}

/* Whether release `r` goes to exactly the addresses `to` (NULL-terminated). */
static gboolean
same_recipients(const struct store_release *r, GPtrArray *to)
{
	if (r->recipients->len + 1 != to->len)
		return FALSE;
	for (guint i = 0; i + 1 < to->len; i++) {
		gboolean found = FALSE;
		for (guint j = 0; j < r->recipients->len && !found; j++)
			found = g_ascii_strcasecmp(to->pdata[i], r->recipients->pdata[j]) == 0;
		if (!found)
			return FALSE;
	}
	return TRUE;
}

/* An approved release of `id` to exactly `to` that a stopped process
 * left before submitting it (STORE_RELEASE_INTERRUPTED): an
 * administrator asking for the same release again delivers that one
 * rather than a second. 0: none. */
static gint64
interrupted_release(struct mg_store *store, const char *id, GPtrArray *to)
{
	g_autoptr(GPtrArray) approved = store_releases(store, id, STORE_RELEASE_APPROVED, NULL);
	for (guint i = 0; approved && i < approved->len; i++) {
		const struct store_release *r = approved->pdata[i];
		if (r->reason && g_str_has_prefix(r->reason, STORE_RELEASE_INTERRUPTED) &&
		    same_recipients(r, to))
			return r->number;
	}
	return 0;
}

GPtrArray *
release_recover(struct mg_store *store, const char *by, GError **error)
{
	GError *local = NULL;
	struct store_release_recovered rec = { 0 };
	if (!store_release_recover(store, by, &rec, &local)) {
		store_release_recovered_clear(&rec);
		from_store(error, local, RELEASE_ERROR_FAILED);
		return NULL;
	}
	GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) all = rec.approved->len || rec.uncertain->len
					   ? store_releases(store, NULL, -1, NULL)
					   : NULL;
	for (guint i = 0; all && i < all->len; i++) {
		const struct store_release *r = all->pdata[i];
		for (guint k = 0; k < rec.approved->len; k++)
			if (g_array_index(rec.approved, gint64, k) == r->number)
				g_ptr_array_add(lines,
						g_strdup_printf("release %" G_GINT64_FORMAT " of %s was "
								"cut short before its submission "
								"(nothing was sent): approved again",
								r->number, r->id));
		for (guint k = 0; k < rec.uncertain->len; k++)
			if (g_array_index(rec.uncertain, gint64, k) == r->number)
				g_ptr_array_add(lines,
						g_strdup_printf("release %" G_GINT64_FORMAT " of %s was "
								"cut short while being submitted: %s",
								r->number, r->id, r->reason));
	}
	store_release_recovered_clear(&rec);
	return lines;
}

gint64
release_request(struct mg_store *store, const struct cdr_policy *p, const char *id,
		const char *const *to, const char *by, const char *origin, gboolean approved,
		GError **error)
{
	return release_request_force(store, p, id, to, by, origin, approved, FALSE, error);
}

gint64
release_request_force(struct mg_store *store, const struct cdr_policy *p, const char *id,
		      const char *const *to, const char *by, const char *origin,
		      gboolean approved, gboolean force, GError **error)
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
	gint64 again = approved ? interrupted_release(store, id, recipients) : 0;
	if (again)
		return again;
	const char *got = force ? NULL : followed_up(store, p, m, recipients);
	if (got) {
		g_set_error(error, RELEASE_ERROR, RELEASE_ERROR_REFUSED,
			    "the PPAP follow-up of %s brought its files to %s already (its password "
			    "message opened it; cdr-quarantine show lists it): nothing sent "
			    "(--force sends them again)",
			    id, got);
		return 0;
	}
	if (released_before(store, id, recipients, 0, 0, force, &local)) {
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

static const struct release_ops *test_ops;

void
release_set_ops(const struct release_ops *ops)
{
	test_ops = ops;
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
rebuild(struct mg_store *store, const struct cdr_policy *p, const struct store_message *m,
	GPtrArray *to, const char *passwords, int *out_fd, GError **error)
{
	/* the link style the original's milter role gives these recipients
	 * (its record's "stage"); a record without one: the strictest, as
	 * before the queue */
	g_autoptr(GPtrArray) list = g_ptr_array_new();
	for (guint i = 0; i + 1 < to->len; i++)
		g_ptr_array_add(list, to->pdata[i]);
	struct envelope env = { .recipients = list };
	const char *links =
		envelope_mail_links(p, &env, resubmit_record_role(m, ROLE_BEFORE_QUEUE));
	struct cdr_run_params params = {
		.handler = "mime",
		.mail_build = "release",
		.mail_mode = "sanitize",
		.mail_links = links,
		.passwords = passwords,
		.quarantine_id = m->id,
	};
	if (test_ops)
		return test_ops->build(test_ops->data, m->id, &params, out_fd, error);
	struct av_scanner *av = NULL;
	struct cdr_pool *pool = release_pool(p, &av, error);
	if (!pool) {
		av_scanner_free(av);
		return NULL;
	}
	struct cdr_report *r = resubmit_build(pool, store, m->id, &params, out_fd, error);
	cdr_pool_free(pool);
	av_scanner_free(av);
	return r;
}

/* The signatures of the members the scanner removed, in `names`. */
static void
malware_names(const struct cdr_report *r, GPtrArray *names)
{
	if (r->malware && !g_ptr_array_find_with_equal_func(names, r->malware, g_str_equal, NULL))
		g_ptr_array_add(names, r->malware);
	for (guint i = 0; r->children && i < r->children->len; i++)
		malware_names(r->children->pdata[i], names);
}

/* What a rebuild delivers: "sanitized (1 member-removed; malware
 * removed: Eicar-Test-Signature)", the signatures in *malware. */
static char *
rebuild_summary(const struct cdr_report *r, GPtrArray *malware)
{
	malware_names(r, malware);
	g_autofree char *actions = cdr_report_action_summary(r);
	GString *s = g_string_new(cdr_verdict_name(r->verdict));
	g_string_append_printf(s, " (%s", actions && *actions ? actions : "nothing removed");
	for (guint i = 0; i < malware->len; i++)
		g_string_append_printf(s, "%s%s", i ? ", " : "; malware removed: ",
				       (const char *)malware->pdata[i]);
	g_string_append_c(s, ')');
	return g_string_free(s, FALSE);
}

static void
submit(const struct cdr_policy *p, GPtrArray *to, int fd, struct submit_result *res)
{
	if (test_ops)
		test_ops->submit(test_ops->data, (const char *const *)to->pdata, fd, res);
	else
		resubmit_send(p, (const char *const *)to->pdata, fd, res);
}

/* The recipients the relay refused while it took the message for the
 * others (NULL-terminated; NULL when none), named with the relay's
 * replies in `what`. */
static GPtrArray *
not_reached(const struct submit_result *res, GString *what)
{
	GPtrArray *list = NULL;
	for (guint i = 0; res->recipients && i < res->recipients->len; i++) {
		const struct submit_recipient *rc = res->recipients->pdata[i];
		if (rc->status == SUBMIT_SENT)
			continue;
		if (!list)
			list = g_ptr_array_new_with_free_func(g_free);
		g_ptr_array_add(list, g_strdup(rc->address));
		g_string_append_printf(what, "%s%s (%s)", list->len == 1 ? "; not delivered to " : ", ",
				       rc->address, rc->reply ? rc->reply : "refused");
	}
	if (list)
		g_ptr_array_add(list, NULL);
	return list;
}

/* Rebuild and submit; what went out in out->what. */
static gboolean
rebuild_and_send(struct mg_store *store, const struct cdr_policy *p,
		 const struct store_message *m, gint64 number, GPtrArray *to,
		 const char *passwords, struct release_outcome *out, char **message_id,
		 char **why)
{
	g_autoptr(GError) error = NULL;
	int out_fd = -1;
	g_autoptr(cdr_report) r = rebuild(store, p, m, to, passwords, &out_fd, &error);
	if (!r) {
		*why = g_strdup(error->message);
		return FALSE;
	}
	if (out_fd < 0) {
		*why = g_strdup_printf("not rebuilt: %s", r->reason ? r->reason : "blocked");
		return FALSE;
	}
	/* the released message's own Message-ID (the report's is the
	 * original's): what the mail server's log names */
	*message_id = resubmit_message_id(out_fd);
	/* recorded before the submission starts: a crash from here on
	 * leaves an "uncertain" release naming it, never a second one */
	if (!*message_id || !store_release_submitting(store, number, *message_id, &error)) {
		*why = g_strdup_printf("not submitted: %s",
				       error ? error->message : "the message has no Message-ID");
		close(out_fd);
		return FALSE;
	}
	g_autoptr(GPtrArray) malware = g_ptr_array_new();
	g_autofree char *summary = rebuild_summary(r, malware);
	struct submit_result res;
	submit(p, to, out_fd, &res);
	close(out_fd);
	gboolean sent = res.status == SUBMIT_SENT;
	if (sent) {
		g_autoptr(GString) what = g_string_new(NULL);
		g_string_printf(what, "%s, queued as %s", summary, res.queue_id ? res.queue_id : "-");
		out->not_reached = not_reached(&res, what);
		guint locked = pairing_locked_in_record(m);
		out->opened = locked && pairing_locked_zips(r) < locked;
		out->what = g_string_free(g_steal_pointer(&what), FALSE);
		out->malware = g_ptr_array_new_with_free_func(g_free);
		for (guint i = 0; i < malware->len; i++)
			g_ptr_array_add(out->malware, g_strdup(malware->pdata[i]));
		g_ptr_array_add(out->malware, NULL);
	} else if (res.uncertain) /* the relay may have it: never sent again by itself */
		*why = g_strdup_printf(STORE_RELEASE_UNCERTAIN
				       "may have been delivered: check the LGWAN mail server's log "
				       "for Message-ID %s before releasing again (%s)",
				       *message_id ? *message_id : "?",
				       res.reply ? res.reply : "no answer");
	else
		*why = g_strdup_printf("%s: %s", submit_status_name(res.status),
				       res.reply ? res.reply : "");
	submit_result_clear(&res);
	return sent;
}

/* A release that opened the zip a PPAP entry waits for and reached every
 * original recipient: the entry is finished "opened", so that a password
 * mail coming later sends no follow-up of the same files. An entry some
 * pairing or the web console is trying now is theirs. */
static void
finish_waiting_entry(struct mg_store *store, const struct store_message *m, gint64 number,
		     GPtrArray *reached)
{
	for (guint i = 0; i < m->recipients->len; i++)
		if (!listed(((struct store_recipient *)m->recipients->pdata[i])->address,
			    (char *const *)reached->pdata))
			return;
	g_autofree char *by = g_strdup_printf("release %" G_GINT64_FORMAT, number);
	g_autoptr(GError) error = NULL;
	if (store_ppap_claim(store, m->id, RELEASE_CLAIM_STALE, &error) &&
	    !store_ppap_finish(store, m->id, STORE_PPAP_OPENED, 0, NULL, by, &error))
		g_printerr("release %" G_GINT64_FORMAT " of %s: its password entry: %s\n", number,
			   m->id, error->message);
}

/* Release `number` of `id`. */
static struct store_release *
release_numbered(struct mg_store *store, const char *id, gint64 number, GError **error)
{
	GError *local = NULL;
	g_autoptr(GPtrArray) all = store_releases(store, id, -1, &local);
	if (!all) {
		from_store(error, local, RELEASE_ERROR_FAILED);
		return NULL;
	}
	for (guint i = 0; i < all->len; i++)
		if (((struct store_release *)all->pdata[i])->number == number)
			return g_ptr_array_steal_index(all, i);
	g_set_error(error, RELEASE_ERROR, RELEASE_ERROR_FAILED, "%s has no release %" G_GINT64_FORMAT,
		    id, number);
	return NULL;
}

void
release_outcome_clear(struct release_outcome *out)
{
	g_clear_pointer(&out->what, g_free);
	g_clear_pointer(&out->malware, g_ptr_array_unref);
	g_clear_pointer(&out->not_reached, g_ptr_array_unref);
}

gboolean
release_deliver(struct mg_store *store, const struct cdr_policy *p, const char *id,
		gint64 number, const char *passwords, char **what, GError **error)
{
	struct release_outcome out = { 0 };
	gboolean sent =
		release_deliver_outcome(store, p, id, number, passwords, FALSE, &out, error);
	if (what)
		*what = g_steal_pointer(&out.what);
	release_outcome_clear(&out);
	return sent;
}

gboolean
release_deliver_outcome(struct mg_store *store, const struct cdr_policy *p, const char *id,
			gint64 number, const char *passwords, gboolean forced,
			struct release_outcome *out, GError **error)
{
	GError *local = NULL;
	g_autoptr(store_release) rel = release_numbered(store, id, number, error);
	if (!rel)
		return FALSE;
	g_autoptr(store_message) m = store_get(store, id, &local);
	if (!m) {
		from_store(error, local, RELEASE_ERROR_FAILED);
		return FALSE;
	}
	g_autoptr(GPtrArray) to = g_ptr_array_new();
	for (guint k = 0; k < rel->recipients->len; k++)
		g_ptr_array_add(to, rel->recipients->pdata[k]);
	g_ptr_array_add(to, NULL);
	if (!store_release_claim(store, number, &local)) {
		from_store(error, local, RELEASE_ERROR_REFUSED);
		return FALSE;
	}
	g_autofree char *message_id = NULL, *why = NULL;
	/* two runs at once: the store numbers their requests in order, and
	 * the later one, seeing the earlier, stands down */
	gboolean sent = FALSE;
	if (!m->releasable) { /* checked at the request; again here, whoever asked */
		why = g_strdup_printf("%s cannot be released (%s); extract is for examination only",
				      id, m->not_releasable ? m->not_releasable : "not releasable");
	} else if (released_before(store, id, to, number, rel->requested_at, forced, &local)) {
		why = g_strdup(local->message);
		g_clear_error(&local);
	} else {
		sent = rebuild_and_send(store, p, m, number, to, passwords, out, &message_id,
					&why);
	}
	/* the release stands for those it reached: the others may be
	 * released to again */
	g_autoptr(GPtrArray) reached = g_ptr_array_new();
	for (guint k = 0; sent && k + 1 < to->len; k++)
		if (!out->not_reached ||
		    !listed(to->pdata[k], (char *const *)out->not_reached->pdata))
			g_ptr_array_add(reached, to->pdata[k]);
	g_ptr_array_add(reached, NULL);
	if (sent && out->opened && m->encrypted)
		finish_waiting_entry(store, m, number, reached);
	if (!store_release_finish_to(store, number, sent,
				     sent && out->not_reached ? (const char *const *)reached->pdata
							      : NULL,
				     out->what, message_id, why, &local)) {
		g_printerr("release %" G_GINT64_FORMAT " of %s: cannot record its end: %s\n", number,
			   id, local->message);
		g_clear_error(&local);
	}
	if (!sent) {
		release_outcome_clear(out);
		g_set_error(error, RELEASE_ERROR, RELEASE_ERROR_FAILED,
			    "release %" G_GINT64_FORMAT " of %s failed: %s", number, id, why);
		return FALSE;
	}
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
	g_autoptr(cdr_report) r = rebuild(store, p, m, to, passwords, &out_fd, &local);
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
