/*
 * NAME
 *	pairing.c - PPAP pairing: a password mail opens an earlier zip
 * SUMMARY
 *	Before the password mail is converted: its candidates (a worker
 *	run, only when a message from its sender waits), so that [ppap]
 *	mask_password can hide them in it. After it was answered: one
 *	thread takes the pairings in order, so two password mails from one
 *	sender are paired in the order they came.
 * DESCRIPTION
 *	For each waiting message that matches (nearest first): claim it
 *	(waiting -> trying: the store's compare-and-set, so one follow-up
 *	only, even with two milters on one store or a crash and restart),
 *	rebuild it with the candidates for the first recipient mode, and
 *	if fewer zips stay locked than in the original, the password opened
 *	it: rebuild for the other modes, submit each, and finish "opened".
 *	A password that opens nothing is a try ([ppap] max_tries, then
 *	"exhausted"); the next candidate is tried. A submission the relay
 *	defers is tried again three times a minute apart; then the entry
 *	goes back to "waiting" uncounted (a later password mail, or
 *	cdr-quarantine release, delivers it) and the log says so.
 */
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "pairing.h"
#include "quarantine.h"
#include "release-token.h"
#include "release.h"
#include "resubmit.h"
#include "wire.h"

#define CLAIM_STALE 600   /* seconds a "trying" claim holds against others */
#define SUBMIT_TRIES 3
#define SUBMIT_PAUSE 20   /* seconds between submissions the relay deferred */

gboolean
pairing_enabled(const struct cdr_policy *p)
{
	return p->ppap_pair_window > 0 && p->release_relay && *p->release_relay;
}

static gboolean
found_one(const struct store_message *m, gpointer data)
{
	(void)m;
	*(gboolean *)data = TRUE;
	return FALSE;
}

/* Some message from the envelope sender waits for a password: worth a
 * worker run. (The exact match, From address and recipients included,
 * is the store's, after the password mail was answered.) */
static gboolean
someone_waits(const struct cdr_policy *p, struct mg_store *store, const char *sender)
{
	gboolean found = FALSE;
	struct store_query q = {
		.sender = sender,
		.since = g_get_real_time() / G_USEC_PER_SEC - (gint64)p->ppap_pair_window,
		.encrypted = STORE_YES,
		.action = "delivered",
		.limit = 1,
		.newest_first = TRUE,
	};
	g_autoptr(GError) error = NULL;
	if (!store_search(store, &q, found_one, &found, &error)) {
		milter_log(LOG_WARNING, "ppap: %s", error->message);
		return FALSE;
	}
	return found;
}

char *
pairing_passwords(struct milter_state *st, struct mg_store *store, struct session *s)
{
	const struct cdr_policy *p = st->policy;
	if (!pairing_enabled(p) || !s->env.sender || !*s->env.sender ||
	    !someone_waits(p, store, s->env.sender))
		return NULL;
	struct cdr_run_params params = { .handler = "mime", .mail_build = "passwords" };
	int out_fd = -1;
	g_autoptr(cdr_report) r = cdr_pool_run_with(st->pool, s->fd, "message.eml", &params,
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

/* ---- the pairing thread ---- */

struct pairing {
	struct milter_state *st;
	enum milter_role role; /* the password message's: the deployment's */
	struct mg_store *store;
	char *id; /* the password message */
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

/* A short hash of the candidates for the events: never the passwords. */
static char *
password_hash(const char *passwords)
{
	char *hex = g_compute_checksum_for_string(G_CHECKSUM_SHA256, passwords, -1);
	hex[12] = '\0';
	return hex;
}

/* The recipients of `m` whose mode is `mode`, NULL-terminated. */
static GPtrArray *
recipients_in_mode(const struct store_message *m, const char *mode)
{
	GPtrArray *out = g_ptr_array_new();
	for (guint i = 0; i < m->recipients->len; i++) {
		const struct store_recipient *r = m->recipients->pdata[i];
		if (g_strcmp0(r->mode, mode) == 0 ||
		    (!g_strcmp0(mode, "sanitize") && g_strcmp0(r->mode, "text") != 0))
			g_ptr_array_add(out, r->address);
	}
	g_ptr_array_add(out, NULL);
	return out;
}


/* Submit, trying again while the relay defers. TRUE when sent. */
static gboolean
submit_with_retries(const struct cdr_policy *p, const char *id, const char *const *to, int fd,
		    GString *queue_ids)
{
	for (int attempt = 1; attempt <= SUBMIT_TRIES; attempt++) {
		struct submit_result res;
		resubmit_send(p, to, fd, &res);
		enum submit_status status = res.status;
		if (status == SUBMIT_SENT) {
			g_string_append_printf(queue_ids, "%s%s", queue_ids->len ? " " : "",
					       res.queue_id ? res.queue_id : "-");
			milter_log(LOG_INFO, "ppap: follow-up of %s submitted to %s (%s%s)", id,
				   to[0], res.queue_id ? "queued as " : "",
				   res.queue_id ? res.queue_id : res.reply);
		} else {
			milter_log(LOG_WARNING, "ppap: follow-up of %s not submitted (%s): %s", id,
				   submit_status_name(status), res.reply ? res.reply : "");
		}
		submit_result_clear(&res);
		if (status != SUBMIT_TEMPFAIL)
			return status == SUBMIT_SENT;
		if (attempt < SUBMIT_TRIES)
			g_usleep(SUBMIT_PAUSE * G_USEC_PER_SEC);
	}
	return FALSE;
}

enum try_result { NOT_OPENED, OPENED, FAILED };

/* Rebuild and submit `m` for the recipients of each mode. */
static enum try_result
try_message(struct pairing *j, const struct store_message *m, GString *queue_ids)
{
	const struct cdr_policy *p = j->st->policy;
	guint locked = release_locked_in_record(m);
	static const char *const modes[] = { "sanitize", "text" };
	gboolean first = TRUE;
	for (guint k = 0; k < G_N_ELEMENTS(modes); k++) {
		g_autoptr(GPtrArray) to = recipients_in_mode(m, modes[k]);
		if (to->len == 1)
			continue;
		/* the link style these recipients' domains pick, as for mail
		 * the milter converts in this role */
		g_ptr_array_remove_index(to, to->len - 1);
		struct envelope env = { .recipients = to };
		const char *links = envelope_mail_links(p, &env, j->role);
		g_ptr_array_add(to, NULL);
		/* the listing's way to ask for the files: the console's link */
		g_autofree char *release_url = NULL;
		if (j->st->web_key)
			release_url = release_token_url(p->web_base_url, j->st->web_key, m->id,
							to->len == 2 ? to->pdata[0] : "", /* one, and the NULL */
							p->web_link_days);
		struct cdr_run_params params = {
			.release_url = release_url,
			.handler = "mime",
			.mail_build = "followup",
			.mail_mode = modes[k],
			.mail_links = links,
			.passwords = j->passwords,
			.quarantine_id = m->id,
		};
		int out_fd = -1;
		g_autoptr(GError) error = NULL;
		g_autoptr(cdr_report) r = resubmit_build(j->st->pool, j->store, m->id, &params,
							 &out_fd, &error);
		if (!r) {
			milter_log(LOG_WARNING, "ppap: %s: %s", m->id, error->message);
			return FAILED;
		}
		if (first && release_locked_zips(r) >= locked) {
			if (out_fd >= 0)
				close(out_fd);
			return NOT_OPENED;
		}
		first = FALSE;
		if (out_fd < 0) {
			milter_log(LOG_WARNING, "ppap: the follow-up of %s was not built: %s", m->id,
				   r->reason ? r->reason : cdr_verdict_name(r->verdict));
			return FAILED;
		}
		gboolean sent = submit_with_retries(p, m->id, (const char *const *)to->pdata,
						    out_fd, queue_ids);
		close(out_fd);
		if (!sent)
			return FAILED;
	}
	return first ? NOT_OPENED : OPENED;
}

/* The follow-up's record: which password message opened `id`, and
 * Postfix's queue ids of what went out (no password). */
static void
record_followup(struct pairing *j, const char *id, const char *queue_ids)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "password_message");
	json_builder_add_string_value(b, j->id);
	json_builder_set_member_name(b, "queued_as");
	json_builder_add_string_value(b, queue_ids);
	json_builder_end_object(b);
	g_autoptr(JsonNode) root = json_builder_get_root(b);
	g_autofree char *detail = json_to_string(root, FALSE);
	g_autoptr(GError) error = NULL;
	if (!store_event_add(j->store, id, "ppap-followup", "cdr-milter", NULL, detail, &error))
		milter_log(LOG_WARNING, "ppap: %s: %s", id, error->message);
}

/* Finish the claimed entry `id` after `result`. */
static void
finish(struct pairing *j, const char *id, enum try_result result, const char *queue_ids)
{
	const struct cdr_policy *p = j->st->policy;
	g_autofree char *hash = password_hash(j->passwords);
	enum store_ppap_state state = STORE_PPAP_WAITING;
	if (result == OPENED) {
		record_followup(j, id, queue_ids);
		state = STORE_PPAP_OPENED;
	} else if (result == NOT_OPENED) {
		g_autoptr(store_ppap) now = store_ppap_get(j->store, id, NULL);
		if (now && now->tries + 1 >= p->ppap_max_tries)
			state = STORE_PPAP_EXHAUSTED;
	}
	g_autoptr(GError) error = NULL;
	if (!store_ppap_finish(j->store, id, state, result != FAILED, hash, "cdr-milter", &error))
		milter_log(LOG_ERR, "ppap: %s: %s", id, error->message);
	else if (result == FAILED)
		milter_log(LOG_WARNING, "ppap: %s is waiting again: its follow-up was not delivered "
			   "(a later password message or cdr-quarantine release delivers it)", id);
	else
		milter_log(LOG_INFO, "ppap: %s %s by the password message %s", id,
			   result == OPENED ? "opened" : "not opened", j->id);
}

static void
pair(gpointer data, gpointer unused)
{
	(void)unused;
	struct pairing *j = data;
	const struct cdr_policy *p = j->st->policy;
	gint64 since = g_get_real_time() / G_USEC_PER_SEC - (gint64)p->ppap_pair_window;
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) ids = store_ppap_candidates(
		j->store, j->sender, j->from_address, (const char *const *)j->recipients, since,
		(guint)MIN(p->ppap_max_tries, G_MAXUINT), CLAIM_STALE, &error);
	if (!ids)
		milter_log(LOG_WARNING, "ppap: %s", error->message);
	for (guint i = 0; ids && i < ids->len; i++) {
		const char *id = ids->pdata[i];
		if (strcmp(id, j->id) == 0)
			continue; /* the password message's own zip */
		g_clear_error(&error);
		if (!store_ppap_claim(j->store, id, CLAIM_STALE, &error)) {
			if (!g_error_matches(error, STORE_ERROR, STORE_ERROR_STATE))
				milter_log(LOG_WARNING, "ppap: %s left waiting: %s", id,
					   error->message);
			continue; /* or someone else has it */
		}
		g_autoptr(store_message) m = store_get(j->store, id, &error);
		enum try_result result = FAILED;
		g_autoptr(GString) queue_ids = g_string_new(NULL);
		if (m)
			result = try_message(j, m, queue_ids);
		else
			milter_log(LOG_WARNING, "ppap: %s: %s", id, error->message);
		finish(j, id, result, queue_ids->str);
		if (result == OPENED)
			break; /* one password message opens one message */
	}
	pairing_free(j);
}

void
pairing_queue(struct milter_state *st, enum milter_role role, const char *id,
	      const struct store_message *m, const char *passwords)
{
	if (!m->from_address || !m->recipients->len)
		return;
	g_autoptr(GError) error = NULL;
	struct mg_store *store = quarantine_acquire(st->policy->milter_quarantine_dir, &error);
	if (!store) {
		milter_log(LOG_WARNING, "ppap: the password message %s is not paired: %s", id,
			   error->message);
		return;
	}
	struct pairing *j = g_new0(struct pairing, 1);
	j->st = st;
	j->role = role;
	g_atomic_int_inc(&st->refs);
	j->store = store;
	j->id = g_strdup(id);
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
