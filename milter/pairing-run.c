/*
 * NAME
 *	pairing-run.c - one password mail paired with the message it opens
 * SUMMARY
 *	For each waiting candidate (nearest first): claim it (waiting ->
 *	trying: the store's compare-and-set, so one follow-up only, even
 *	with two milters on one store), rebuild it with the candidates for
 *	the first recipient mode; if fewer zips stay locked than in the
 *	original, the password opened it: rebuild for the other modes,
 *	record each follow-up's Message-ID, submit it, and finish "opened".
 * DESCRIPTION
 *	Each password that opens nothing is a try ([ppap] max_tries counts
 *	passwords, then "exhausted": a message is given no more of a mail's
 *	passwords than it has tries left); the next candidate is tried, at
 *	most PAIRING_MAX_CANDIDATES of them per password mail, so that a
 *	flood of waiting messages costs a bounded number of rebuilds. A submission the relay
 *	defers is tried again a few times; when nothing went out the entry
 *	goes back to "waiting" uncounted (a later password mail, or
 *	cdr-quarantine release, delivers it). At most once: the Message-ID
 *	is in the store before the submission starts, so a crash in between
 *	leaves a claim that store_ppap_recover() finishes "failed", never
 *	one that is submitted again; a follow-up that reached one recipient
 *	mode and not the other is "failed" too (cdr-quarantine release
 *	reaches the rest), and so is one the relay took whole without an
 *	answer (submit.h "uncertain"): never tried again.
 */
#include <json-glib/json-glib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "pairing-run.h"
#include "resubmit.h"
#include "wire.h"

guint
pairing_locked_zips(const struct cdr_report *r)
{
	guint n = 0;
	if (r->verdict == CDR_BLOCKED && r->error == CDR_E_ENCRYPTED &&
	    g_strcmp0(r->handler, "archive") == 0 &&
	    !(r->reason && strstr(r->reason, "cannot be opened here")))
		n++;
	for (guint i = 0; i < r->children->len; i++)
		n += pairing_locked_zips(r->children->pdata[i]);
	return n;
}

char *
pairing_password_hash(const char *passwords)
{
	char *hex = g_compute_checksum_for_string(G_CHECKSUM_SHA256, passwords, -1);
	hex[12] = '\0';
	return hex;
}

/* Whether `address` is among the first `n` of `list` (ASCII case aside). */
static gboolean
among(GPtrArray *list, guint n, const char *address)
{
	for (guint i = 0; i < n; i++)
		if (g_ascii_strcasecmp(list->pdata[i], address) == 0)
			return TRUE;
	return FALSE;
}

/* The recipients of `m` whose mode is `mode`, NULL-terminated, each
 * once (an envelope may name one twice, in two cases: one copy). */
static GPtrArray *
recipients_in_mode(const struct store_message *m, const char *mode)
{
	GPtrArray *out = g_ptr_array_new();
	for (guint i = 0; i < m->recipients->len; i++) {
		const struct store_recipient *r = m->recipients->pdata[i];
		if ((g_strcmp0(r->mode, mode) == 0 ||
		     (!g_strcmp0(mode, "sanitize") && g_strcmp0(r->mode, "text") != 0)) &&
		    !among(out, out->len, r->address))
			g_ptr_array_add(out, r->address);
	}
	g_ptr_array_add(out, NULL);
	return out;
}

guint
pairing_locked_in_record(const struct store_message *m)
{
	g_autoptr(JsonParser) parser = json_parser_new_immutable();
	if (!m->record || !json_parser_load_from_data(parser, m->record, -1, NULL))
		return 0;
	JsonNode *root = json_parser_get_root(parser);
	JsonObject *o = root && JSON_NODE_HOLDS_OBJECT(root) ? json_node_get_object(root) : NULL;
	JsonNode *rep = o ? json_object_get_member(o, "report") : NULL;
	if (!rep || !JSON_NODE_HOLDS_OBJECT(rep))
		return 0;
	g_autoptr(cdr_report) r = cdr_report_from_json(rep, NULL);
	return r ? pairing_locked_zips(r) : 0;
}

enum step {
	STEP_SENT,       /* the relay took it */
	STEP_SOME,       /* the relay took it, and refused some recipients */
	STEP_NOT_SENT,   /* surely not taken (or not built, not recorded) */
	STEP_UNCERTAIN,  /* sent whole, no answer: it may have been taken */
	STEP_NOT_OPENED, /* the passwords open nothing */
};

/* Submit, trying again while the relay defers, never after an answer
 * that may have been lost (at most once). */
/* The recipients of `res` the relay refused while it took the message
 * for the others, with its replies, into `why`; whether there were any. */
static gboolean
note_not_reached(const struct submit_result *res, const char *id, GString *why)
{
	guint n = 0;
	for (guint i = 0; res->recipients && i < res->recipients->len; i++) {
		const struct submit_recipient *rc = res->recipients->pdata[i];
		if (rc->status == SUBMIT_SENT)
			continue;
		g_string_append_printf(why, "%s%s (%s)",
				       n++ ? ", " : why->len ? "; not delivered to " : "not delivered to ",
				       rc->address, rc->reply ? rc->reply : "refused");
	}
	if (n)
		milter_log(LOG_WARNING, "ppap: follow-up of %s: %s", id, why->str);
	return n > 0;
}

static enum step
submit_with_retries(const struct pairing_ops *ops, const char *id, const char *const *to,
		    int fd, GString *queue_ids, GString *why)
{
	for (guint attempt = 1; attempt <= MAX(ops->submit_tries, 1); attempt++) {
		struct submit_result res;
		ops->submit(ops->data, to, fd, &res);
		enum submit_status status = res.status;
		gboolean uncertain = status != SUBMIT_SENT && res.uncertain;
		if (status == SUBMIT_SENT) {
			g_string_append_printf(queue_ids, "%s%s", queue_ids->len ? " " : "",
					       res.queue_id ? res.queue_id : "-");
			milter_log(LOG_INFO, "ppap: follow-up of %s submitted to %s (%s%s)", id,
				   to[0], res.queue_id ? "queued as " : "",
				   res.queue_id ? res.queue_id : res.reply);
		} else {
			milter_log(LOG_WARNING, "ppap: follow-up of %s %s (%s): %s", id,
				   uncertain ? "perhaps submitted, no answer" : "not submitted",
				   submit_status_name(status), res.reply ? res.reply : "");
		}
		gboolean some = status == SUBMIT_SENT && note_not_reached(&res, id, why);
		submit_result_clear(&res);
		if (status == SUBMIT_SENT)
			return some ? STEP_SOME : STEP_SENT;
		if (uncertain)
			return STEP_UNCERTAIN;
		if (status != SUBMIT_TEMPFAIL)
			return STEP_NOT_SENT;
		if (attempt < ops->submit_tries)
			g_usleep((gulong)ops->submit_pause * G_USEC_PER_SEC);
	}
	return STEP_NOT_SENT;
}

enum try_result {
	NOT_OPENED, /* the passwords open nothing here: a try */
	OPENED,     /* every follow-up went out */
	UNSENT,     /* opened, but nothing went out: waits again */
	PARTIAL,    /* some went out and not all, or one's fate is unknown: failed */
};

struct attempt {
	const struct cdr_policy *policy;
	struct mg_store *store;
	const struct pairing_ops *ops;
	const struct pairing_mail *mail;
	const char *passwords; /* the mail's, as many as this message has tries left */
	guint given;           /* how many: each one that opens nothing is a try */
	guint64 used;          /* the message's tries before */
	GString *queue_ids;
	GString *why; /* UNSENT, PARTIAL: what went wrong */
};

/* Build, record and submit the follow-up of `m` for `to` (one mode). */
static enum step
follow_up(struct attempt *a, const struct store_message *m, const char *mode, GPtrArray *to,
	  gboolean first)
{
	/* a text-mode listing's way to ask for the files: the console's link */
	g_autofree char *release_url =
		a->ops->release_url
			? a->ops->release_url(a->ops->data, m->id, (const char *const *)to->pdata)
			: NULL;
	struct cdr_run_params params = {
		.release_url = release_url,
		.handler = "mime",
		.mail_build = "followup",
		.mail_mode = mode,
		.mail_links = a->ops->links(a->ops->data, (const char *const *)to->pdata),
		.passwords = a->passwords,
		.quarantine_id = m->id,
	};
	int out_fd = -1;
	g_autoptr(GError) error = NULL;
	g_autoptr(cdr_report) r = a->ops->build(a->ops->data, m->id, &params, &out_fd, &error);
	if (!r) {
		g_string_append_printf(a->why, "%s: %s", mode, error->message);
		return STEP_NOT_SENT;
	}
	if (first && pairing_locked_zips(r) >= pairing_locked_in_record(m)) {
		if (out_fd >= 0)
			close(out_fd);
		return STEP_NOT_OPENED;
	}
	if (out_fd < 0) {
		g_string_append_printf(a->why, "the %s follow-up was not built: %s", mode,
				       r->reason ? r->reason : cdr_verdict_name(r->verdict));
		return STEP_NOT_SENT;
	}
	g_autofree char *message_id = resubmit_message_id(out_fd);
	enum step step = STEP_NOT_SENT;
	if (!message_id)
		g_string_append_printf(a->why, "the %s follow-up has no Message-ID", mode);
	else if (!store_ppap_submitting(a->store, m->id, message_id, &error))
		g_string_append_printf(a->why, "%s follow-up: %s", mode, error->message);
	else
		step = submit_with_retries(a->ops, m->id, (const char *const *)to->pdata, out_fd,
					   a->queue_ids, a->why);
	if (step == STEP_NOT_SENT && message_id)
		g_string_append_printf(a->why, "the %s follow-up %s was not taken by the relay",
				       mode, message_id);
	else if (step == STEP_UNCERTAIN)
		g_string_append_printf(a->why,
				       "the relay gave no answer after the whole %s follow-up %s: "
				       "it may have been delivered",
				       mode, message_id);
	close(out_fd);
	return step;
}

/* Rebuild and submit `m` for the recipients of each mode. */
static enum try_result
try_message(struct attempt *a, const struct store_message *m)
{
	static const char *const modes[] = { "sanitize", "text" };
	guint sent = 0;
	gboolean first = TRUE, some = FALSE;
	for (guint k = 0; k < G_N_ELEMENTS(modes); k++) {
		g_autoptr(GPtrArray) to = recipients_in_mode(m, modes[k]);
		if (to->len == 1)
			continue;
		enum step step = follow_up(a, m, modes[k], to, first);
		if (step == STEP_NOT_OPENED)
			return NOT_OPENED;
		first = FALSE;
		if (step == STEP_UNCERTAIN)
			return PARTIAL;
		if (step == STEP_NOT_SENT)
			return sent || some ? PARTIAL : UNSENT;
		some = some || step == STEP_SOME;
		sent++;
	}
	return first ? NOT_OPENED : some ? PARTIAL : OPENED;
}

/* The follow-up's record: which password message opened `id`, and
 * Postfix's queue ids of what went out (no password). */
static void
record_followup(struct attempt *a, const char *id)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "password_message");
	json_builder_add_string_value(b, a->mail->id);
	json_builder_set_member_name(b, "queued_as");
	json_builder_add_string_value(b, a->queue_ids->str);
	json_builder_end_object(b);
	g_autoptr(JsonNode) root = json_builder_get_root(b);
	g_autofree char *detail = json_to_string(root, FALSE);
	g_autoptr(GError) error = NULL;
	if (!store_event_add(a->store, id, "ppap-followup", "cdr-milter", NULL, detail, &error))
		milter_log(LOG_WARNING, "ppap: %s: %s", id, error->message);
}

/* Finish the claimed entry `id` after `result`. */
static void
finish(struct attempt *a, const char *id, enum try_result result)
{
	g_autoptr(GError) error = NULL;
	if (result == PARTIAL) {
		g_autofree char *reason = g_strdup_printf(
			"a follow-up went out to some recipients only, or perhaps not at all (%s): "
			"not submitted again; check the mail log for its Message-ID, "
			"cdr-quarantine release reaches the others",
			a->why->str);
		if (!store_ppap_fail(a->store, id, reason, "cdr-milter", &error))
			milter_log(LOG_ERR, "ppap: %s: %s", id, error->message);
		milter_log(LOG_WARNING, "ppap: %s failed: %s", id, reason);
		return;
	}
	g_autofree char *hash = pairing_password_hash(a->passwords);
	enum store_ppap_state state = STORE_PPAP_WAITING;
	/* a try per password that opened nothing; an opening one: one */
	guint tried = result == NOT_OPENED ? a->given : result == OPENED ? 1 : 0;
	if (result == OPENED) {
		record_followup(a, id);
		state = STORE_PPAP_OPENED;
	} else if (result == NOT_OPENED && a->used + tried >= a->policy->ppap_max_tries) {
		state = STORE_PPAP_EXHAUSTED;
	}
	if (!store_ppap_finish(a->store, id, state, tried, hash, "cdr-milter", &error))
		milter_log(LOG_ERR, "ppap: %s: %s", id, error->message);
	else if (result == UNSENT)
		milter_log(LOG_WARNING, "ppap: %s is waiting again: its follow-up was not delivered "
			   "(%s; a later password message or cdr-quarantine release delivers it)",
			   id, a->why->str);
	else
		milter_log(LOG_INFO, "ppap: %s %s by the password message %s", id,
			   result == OPENED ? "opened" : "not opened", a->mail->id);
}

/* The first `left` of the newline-separated `passwords` (their number
 * in *given): a message is tried with at most [ppap] max_tries passwords
 * in all, however many mails bring them. */
static char *
first_passwords(const char *passwords, guint64 left, guint *given)
{
	g_auto(GStrv) lines = g_strsplit(passwords ? passwords : "", "\n", -1);
	GString *out = g_string_new(NULL);
	*given = 0;
	for (guint i = 0; lines[i] && *given < left; i++) {
		if (!*lines[i])
			continue;
		g_string_append_printf(out, "%s%s", out->len ? "\n" : "", lines[i]);
		(*given)++;
	}
	for (guint i = 0; lines[i]; i++)
		explicit_bzero(lines[i], strlen(lines[i]));
	return g_string_free(out, FALSE);
}

char *
pairing_run(const struct cdr_policy *p, struct mg_store *store, const struct pairing_ops *ops,
	    const struct pairing_mail *mail)
{
	gint64 since = mail->time - (gint64)p->ppap_pair_window;
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) ids = store_ppap_candidates(
		store, mail->sender, mail->from_address, mail->recipients, since,
		(guint)MIN(p->ppap_max_tries, G_MAXUINT), ops->claim_stale, mail->id, &error);
	if (!ids)
		milter_log(LOG_WARNING, "ppap: %s", error->message);
	char *opened = NULL;
	guint tried = 0;
	for (guint i = 0; ids && i < ids->len && !opened && tried < PAIRING_MAX_CANDIDATES; i++) {
		const char *id = ids->pdata[i];
		if (strcmp(id, mail->id) == 0)
			continue; /* the password message's own zip */
		if (strncmp(id, mail->id, 15) > 0)
			continue; /* came after the password message (ids begin with the time) */
		g_clear_error(&error);
		if (!store_ppap_claim(store, id, ops->claim_stale, &error)) {
			if (!g_error_matches(error, STORE_ERROR, STORE_ERROR_STATE))
				milter_log(LOG_WARNING, "ppap: %s left waiting: %s", id,
					   error->message);
			continue; /* or someone else has it */
		}
		tried++;
		g_autoptr(GString) queue_ids = g_string_new(NULL);
		g_autoptr(GString) why = g_string_new(NULL);
		struct attempt a = { .policy = p, .store = store, .ops = ops, .mail = mail,
				     .queue_ids = queue_ids, .why = why };
		g_autoptr(store_ppap) entry = store_ppap_get(store, id, &error);
		a.used = entry ? entry->tries : p->ppap_max_tries;
		g_autofree char *passwords = first_passwords(
			mail->passwords, p->ppap_max_tries > a.used ? p->ppap_max_tries - a.used : 0,
			&a.given);
		a.passwords = passwords;
		g_autoptr(store_message) m = entry ? store_get(store, id, &error) : NULL;
		enum try_result result = UNSENT;
		if (m && a.given)
			result = try_message(&a, m);
		else if (m)
			result = NOT_OPENED; /* no try left: exhausted */
		else
			g_string_append(why, error->message);
		finish(&a, id, result);
		explicit_bzero(passwords, strlen(passwords));
		if (result == OPENED || result == PARTIAL)
			opened = g_strdup(id); /* one password message opens one message */
	}
	if (!opened && tried == PAIRING_MAX_CANDIDATES)
		milter_log(LOG_NOTICE, "ppap: the password message %s was tried on the %u nearest "
			   "waiting messages only", mail->id, PAIRING_MAX_CANDIDATES);
	g_clear_error(&error);
	if (!store_ppap_pair_done(store, mail->id, &error))
		milter_log(LOG_WARNING, "ppap: %s: %s", mail->id, error->message);
	return opened;
}

/* `value` without white space around it, up to a ';' (parameters). */
static char *
header_word(const char *value)
{
	char *w = g_strndup(value, strcspn(value, ";"));
	return g_strstrip(w);
}

const char *
pairing_refusal(const char *sender, const char *const *names, const char *const *values,
		guint n)
{
	if (!sender || !*sender)
		return "from the null sender (a bounce)";
	const char *at = strrchr(sender, '@');
	gsize local = at ? (gsize)(at - sender) : strlen(sender);
	if (local == 13 && g_ascii_strncasecmp(sender, "MAILER-DAEMON", 13) == 0)
		return "from MAILER-DAEMON (a bounce)";
	for (guint i = 0; i < n; i++) {
		g_autofree char *word = header_word(values[i] ? values[i] : "");
		const char *name = names[i];
		if (g_ascii_strcasecmp(name, "X-Mugaika-Followup") == 0)
			return "marked X-Mugaika-Followup (a follow-up or release, or a forged one)";
		if (g_ascii_strcasecmp(name, "Auto-Submitted") == 0 &&
		    g_ascii_strcasecmp(word, "no") != 0)
			return "sent automatically (Auto-Submitted)";
		if (g_ascii_strcasecmp(name, "X-Autoreply") == 0 ||
		    g_ascii_strcasecmp(name, "X-Autorespond") == 0 ||
		    (g_ascii_strcasecmp(name, "Precedence") == 0 &&
		     g_ascii_strcasecmp(word, "auto_reply") == 0))
			return "an automatic reply";
		if (g_ascii_strcasecmp(name, "Content-Type") == 0 &&
		    g_ascii_strcasecmp(word, "multipart/report") == 0)
			return "a delivery or read report (multipart/report)";
	}
	return NULL;
}
