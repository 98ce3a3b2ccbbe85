/*
 * NAME
 *	pairing.c - PPAP pairing in the milter: passwords, a queue, recovery
 * SUMMARY
 *	Before the password mail is converted: its candidates (a worker
 *	run, only when a message from its sender waits), so that [ppap]
 *	mask_password can hide them in it; the mail is then stored with its
 *	pairing mark (store_message.ppap_pair). After it was answered: one
 *	thread takes the pairings in order (pairing-run.c), so two password
 *	mails from one sender are paired in the order they came.
 * DESCRIPTION
 *	A milter killed between the answer and the end of a pairing leaves
 *	the mark (and perhaps a claim) in the store. pairing_recover(), at
 *	start and every minute, takes up what ended sessions left
 *	(store_ppap_recover()): each password mail still within
 *	[ppap] pair_window has its passwords read again from its stored
 *	original by a worker (they are never stored) and is queued like a
 *	new one.
 */
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "pairing-run.h"
#include "release-token.h"
#include "pairing.h"
#include "quarantine.h"
#include "resubmit.h"
#include "wire.h"

#define CLAIM_STALE 600   /* seconds a "trying" claim of a live session holds */
#define SUBMIT_TRIES 3
#define SUBMIT_PAUSE 20   /* seconds between submissions the relay deferred */

gboolean
pairing_enabled(const struct cdr_policy *p)
{
	return p->ppap_pair_window > 0 && p->release_relay && *p->release_relay;
}

/* Some message from the envelope sender waits for a password: worth a
 * worker run. (The exact match, From address and recipients included,
 * is the store's, after the password mail was answered.) */
static gboolean
someone_waits(const struct cdr_policy *p, struct mg_store *store, const char *sender)
{
	g_autoptr(GError) error = NULL;
	gint64 since = g_get_real_time() / G_USEC_PER_SEC - (gint64)p->ppap_pair_window;
	gboolean found = store_ppap_sender_waits(store, sender, since, &error);
	if (error)
		milter_log(LOG_WARNING, "ppap: %s", error->message);
	return found;
}

/* The candidates the worker reads in the message in `fd`, or NULL. */
static char *
passwords_of(struct milter_state *st, int fd)
{
	struct cdr_run_params params = { .handler = "mime", .mail_build = "passwords" };
	int out_fd = -1;
	g_autoptr(cdr_report) r = cdr_pool_run_with(st->pool, fd, "message.eml", &params,
						     &out_fd);
	if (out_fd < 0)
		return NULL;
	gsize len = 0;
	guint8 *data = cdr_map_fd(out_fd, &len);
	char *found = NULL;
	if (data && len && len < CDR_MAX_PASSWORDS && !memchr(data, '\0', len)) {
		found = g_strndup((const char *)data, len);
		g_strchomp(found);
		if (!*found)
			g_clear_pointer(&found, g_free);
	}
	if (data)
		cdr_unmap(data, len);
	close(out_fd);
	return found;
}

const char *
pairing_session_refusal(const struct session *s)
{
	guint n = MIN(s->header_names->len, s->header_values->len);
	return pairing_refusal(s->env.sender, (const char *const *)s->header_names->pdata,
			       (const char *const *)s->header_values->pdata, n);
}

char *
pairing_passwords(struct milter_state *st, struct mg_store *store, struct session *s)
{
	const struct cdr_policy *p = st->policy;
	if (!pairing_enabled(p) || pairing_session_refusal(s) ||
	    !someone_waits(p, store, s->env.sender))
		return NULL;
	return passwords_of(st, s->fd);
}

/* ---- the pairing thread ---- */

struct pairing {
	struct milter_state *st;
	enum milter_role role; /* the password message's: the deployment's */
	struct mg_store *store;
	char *id; /* the password message */
	gint64 time;
	char *sender, *from_address;
	GStrv recipients;
	char *passwords;
};

static GThreadPool *queue;
static GMutex queue_lock;

static void
pairing_free(struct pairing *j)
{
	quarantine_release(j->store);
	state_unref(j->st);
	g_free(j->id);
	g_free(j->sender);
	g_free(j->from_address);
	g_strfreev(j->recipients);
	if (j->passwords)
		memset(j->passwords, 0, strlen(j->passwords));
	g_free(j->passwords);
	g_free(j);
}

static struct cdr_report *
build_with_pool(gpointer data, const char *id, const struct cdr_run_params *params,
		int *out_fd, GError **error)
{
	struct pairing *j = data;
	return resubmit_build(j->st->pool, j->store, id, params, out_fd, error);
}

static void
submit_to_relay(gpointer data, const char *const *to, int fd, struct submit_result *res)
{
	struct pairing *j = data;
	resubmit_send(j->st->policy, to, fd, res);
}

/* The link style these recipients' domains pick, as for mail the milter
 * converts in this role. */
static const char *
links_in_role(gpointer data, const char *const *to)
{
	struct pairing *j = data;
	g_autoptr(GPtrArray) list = g_ptr_array_new();
	for (guint i = 0; to[i]; i++)
		g_ptr_array_add(list, (gpointer)to[i]);
	struct envelope env = { .recipients = list };
	return envelope_mail_links(j->st->policy, &env, j->role);
}

/* The web console's link ([web] base_url) for `to`: the one recipient's,
 * or any recipient's when several share the follow-up. */
static char *
release_url_for(gpointer data, const char *id, const char *const *to)
{
	struct pairing *j = data;
	if (!j->st->web_key)
		return NULL;
	const struct cdr_policy *p = j->st->policy;
	return release_token_url(p->web_base_url, j->st->web_key, id,
				 to[0] && !to[1] ? to[0] : "", p->web_link_days);
}

static void
pair(gpointer data, gpointer unused)
{
	(void)unused;
	struct pairing *j = data;
	struct pairing_ops ops = {
		.build = build_with_pool,
		.submit = submit_to_relay,
		.links = links_in_role,
		.release_url = release_url_for,
		.data = j,
		.submit_tries = SUBMIT_TRIES,
		.submit_pause = SUBMIT_PAUSE,
		.claim_stale = CLAIM_STALE,
	};
	struct pairing_mail mail = {
		.id = j->id,
		.time = j->time,
		.sender = j->sender,
		.from_address = j->from_address,
		.recipients = (const char *const *)j->recipients,
		.passwords = j->passwords,
	};
	g_free(pairing_run(j->st->policy, j->store, &ops, &mail));
	pairing_free(j);
}

void
pairing_queue(struct milter_state *st, enum milter_role role, const char *id,
	      const struct store_message *m, const char *passwords)
{
	g_autoptr(GError) error = NULL;
	struct mg_store *store = quarantine_acquire(st->policy->milter_quarantine_dir, &error);
	if (!store) {
		milter_log(LOG_WARNING, "ppap: the password message %s is not paired now: %s", id,
			   error->message);
		return; /* its mark stays: recovery pairs it */
	}
	if (!m->from_address || !m->recipients->len) {
		if (!store_ppap_pair_done(store, id, &error))
			milter_log(LOG_WARNING, "ppap: %s: %s", id, error->message);
		quarantine_release(store);
		return;
	}
	struct pairing *j = g_new0(struct pairing, 1);
	j->st = st;
	j->role = role;
	g_atomic_int_inc(&st->refs);
	j->store = store;
	j->id = g_strdup(id);
	j->time = m->time ? m->time : g_get_real_time() / G_USEC_PER_SEC;
	j->sender = g_strdup(m->sender);
	j->from_address = g_strdup(m->from_address);
	j->recipients = g_new0(char *, m->recipients->len + 1);
	for (guint i = 0; i < m->recipients->len; i++)
		j->recipients[i] = g_strdup(((struct store_recipient *)m->recipients->pdata[i])->address);
	j->passwords = g_strdup(passwords);
	g_mutex_lock(&queue_lock);
	if (!queue)
		queue = g_thread_pool_new(pair, NULL, 1, FALSE, NULL);
	g_thread_pool_push(queue, j, NULL);
	g_mutex_unlock(&queue_lock);
}

void
pairing_drain(void)
{
	g_mutex_lock(&queue_lock);
	GThreadPool *q = g_steal_pointer(&queue);
	g_mutex_unlock(&queue_lock);
	if (q)
		g_thread_pool_free(q, FALSE, TRUE);
}

/* ---- recovery ---- */

/* A password mail whose pairing an ended session left: read its
 * passwords again and queue it. */
static void
requeue(struct milter_state *st, struct mg_store *store, const char *id,
	enum milter_role fallback)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(store_message) m = store_get(store, id, &error);
	int fd = m ? store_get_original(store, id, &error) : -1;
	if (fd < 0) {
		milter_log(LOG_WARNING, "ppap: the pairing of %s is dropped: %s", id,
			   error->message);
		g_clear_error(&error);
		store_ppap_pair_done(store, id, &error);
		return;
	}
	g_autofree char *passwords = passwords_of(st, fd);
	close(fd);
	if (!passwords) {
		milter_log(LOG_WARNING, "ppap: the pairing of %s is dropped: no password in it now",
			   id);
		store_ppap_pair_done(store, id, &error);
		return;
	}
	milter_log(LOG_NOTICE, "ppap: the pairing of %s, cut short by a stop, runs again", id);
	pairing_queue(st, resubmit_record_role(m, fallback), id, m, passwords);
	memset(passwords, 0, strlen(passwords));
}

void
pairing_recover(struct milter_state *st, enum milter_role fallback)
{
	const struct cdr_policy *p = st->policy;
	if (!pairing_enabled(p))
		return;
	g_autoptr(GError) error = NULL;
	struct mg_store *store = quarantine_acquire(p->milter_quarantine_dir, &error);
	struct store_ppap_recovered out = { 0 };
	gint64 since = g_get_real_time() / G_USEC_PER_SEC - (gint64)p->ppap_pair_window;
	if (!store || !store_ppap_recover(store, since, CLAIM_STALE, "cdr-milter", &out, &error)) {
		milter_log(LOG_WARNING, "ppap: recovery: %s", error->message);
		store_ppap_recovered_clear(&out);
		quarantine_release(store);
		return;
	}
	if (out.failed)
		milter_log(LOG_WARNING,
			   "ppap: %u follow-up(s) cut short while being submitted are marked "
			   "failed, not submitted again (cdr-quarantine list shows them)",
			   out.failed);
	if (out.reclaimed)
		milter_log(LOG_NOTICE, "ppap: %u claim(s) of a stopped milter wait again",
			   out.reclaimed);
	if (out.expired)
		milter_log(LOG_WARNING, "ppap: %u pairing(s) cut short are older than "
			   "pair_window: dropped", out.expired);
	for (guint i = 0; i < out.pairings->len; i++)
		requeue(st, store, out.pairings->pdata[i], fallback);
	store_ppap_recovered_clear(&out);
	quarantine_release(store);
}
