/*
 * NAME
 *	process.c - one message at end of data
 * SUMMARY
 *	Keep the original in the quarantine store, have a worker rebuild it
 *	(the `mime` handler, in the mode the recipients pick), make Postfix's
 *	copy the rebuilt one, store the record (the audit record, indexed
 *	with each recipient's own mode) and write the audit line.
 *	A rebuilt message that would not fit beside the original in
 *	Postfix's queue file (sizes.h) is withheld like a message blocked as
 *	a whole, never left for Postfix to refuse after the work is done.
 * DESCRIPTION
 *	Fail closed. No quarantine (the store cannot be opened, or the
 *	original or its record cannot be made durable), a worker that crashed
 *	or timed out, a rebuilt message we cannot apply: tempfail
 *	(failure_action; the store's failures always), so
 *	Postfix keeps the message and retries. A message the policy blocks
 *	as a whole is replaced by a notice (blocked_action = notice) or
 *	rejected. The original is never delivered.
 *
 *	With [av], clamd scans the message (the memfd, as stored in the
 *	quarantine) before a worker sees it. No verdict from clamd, or a
 *	worker whose hand-back scan failed: always tempfail, whatever
 *	failure_action says, so the message is delivered once clamd is back.
 *	Infected: on_infected = reject is a 550 naming the signature; remove
 *	rebuilds the message with each part scanned on its own (run params
 *	`infected`), and the engine blocks it whole when no part is infected.
 *	Larger than stream_max_bytes: withheld or rejected (blocked_action).
 *	The audit record (and so the quarantine's record) says what clamd
 *	found: "av" and "malware".
 */
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "av.h"
#include "pairing.h"
#include "release-token.h"
#include "release.h"
#include "quarantine.h"
#include "rewrite.h"
#include "session.h"
#include "sizes.h"
#include "state.h"
#include "wire.h"
#include "withheld.h"

struct outcome {
	const char *action;   /* delivered, withheld, rejected, tempfailed, bypassed */
	sfsistat status;
	char *why;            /* for tempfail/reject: logged and audited */
	struct mg_store *store; /* the quarantine, once acquired */
	char *quarantine_id;
	char *sha256;
	struct cdr_report *report;
	guint64 size_out;
	char *passwords;      /* PPAP candidates for an earlier message (never logged) */
	const char *av;       /* clamd on the whole message: clean, infected, too-big,
			       * unavailable; NULL without [av] */
	char *infected;       /* the signature clamd named for the whole message */
};

static void
outcome_clear(struct outcome *o)
{
	g_free(o->why);
	g_free(o->quarantine_id);
	g_free(o->sha256);
	g_free(o->infected);
	if (o->passwords)
		memset(o->passwords, 0, strlen(o->passwords));
	g_free(o->passwords);
	cdr_report_free(o->report);
	quarantine_release(o->store);
}

/* Worker trouble rather than a verdict on the message. */
static gboolean
is_failure(enum cdr_error e)
{
	return e == CDR_E_TIMEOUT || e == CDR_E_CPU || e == CDR_E_MEMORY || e == CDR_E_CRASH ||
	       e == CDR_E_SANDBOX || e == CDR_E_INTERNAL;
}

/* SMTP reply text: printable ASCII without '%' (libmilter formats it). */
static char *
reply_text(const char *prefix, const char *why)
{
	g_autofree char *s = g_strdup_printf("%s: %s", prefix, why ? why : "unknown");
	if (strlen(s) > 200)
		s[200] = '\0';
	for (char *c = s; *c; c++)
		if ((guchar)*c < 0x20 || (guchar)*c > 0x7e || *c == '%')
			*c = '?';
	return g_steal_pointer(&s);
}

static void
tempfail(SMFICTX *ctx, struct outcome *o, const char *why)
{
	o->action = "tempfailed";
	o->status = SMFIS_TEMPFAIL;
	g_free(o->why);
	o->why = g_strdup(why);
	g_autofree char *text = reply_text("Content filter temporarily unavailable", why);
	smfi_setreply(ctx, "451", "4.7.0", text);
}

static void
reject(SMFICTX *ctx, struct outcome *o, const char *why)
{
	o->action = "rejected";
	o->status = SMFIS_REJECT;
	g_free(o->why);
	o->why = g_strdup(why);
	g_autofree char *text = reply_text("Message refused by the content filter", why);
	smfi_setreply(ctx, "550", "5.7.1", text);
}

static char *
sha256_of(int fd)
{
	gsize len = 0;
	guint8 *data = cdr_map_fd(fd, &len);
	if (!data)
		return NULL;
	char *hex = g_compute_checksum_for_data(G_CHECKSUM_SHA256, data, len);
	cdr_unmap(data, len);
	return hex;
}

static gboolean
apply(SMFICTX *ctx, struct session *s, const guint8 *msg, gsize len, struct outcome *o)
{
	g_autoptr(GError) error = NULL;
	if (rewrite_message(ctx, s->header_names, s->header_values, msg, len, &error)) {
		o->size_out = len;
		return TRUE;
	}
	tempfail(ctx, o, error->message);
	return FALSE;
}

/* A message blocked as a whole: a notice in its place (blocked_action =
 * notice), or a 550. */
static void
withhold(SMFICTX *ctx, struct session *s, const struct cdr_policy *p, struct outcome *o,
	 const char *reason, enum cdr_error error)
{
	if (strcmp(p->milter_blocked_action, "reject") == 0) {
		reject(ctx, o, reason);
		return;
	}
	GByteArray *msg = withheld_message(&s->env, reason, cdr_error_name(error),
					   o->quarantine_id, p->mail_notice_contact,
					   smfi_getsymval(ctx, "j"));
	if (apply(ctx, s, msg->data, msg->len, o)) {
		o->action = "withheld";
		o->why = g_strdup(reason);
	}
	g_byte_array_unref(msg);
}

static void
deliver_rebuilt(SMFICTX *ctx, struct session *s, const struct cdr_policy *p, int out_fd,
		struct outcome *o)
{
	gsize len = 0;
	guint8 *data = cdr_map_fd(out_fd, &len);
	if (!data) {
		tempfail(ctx, o, "cannot map the rebuilt message");
		return;
	}
	guint64 budget = milter_rebuild_budget(p->milter_max_message_bytes);
	if (s->size + len > budget) {
		g_autofree char *why = g_strdup_printf(
			"the rebuilt message (%" G_GSIZE_FORMAT " bytes) does not fit beside the "
			"original (%" G_GUINT64_FORMAT " bytes) in Postfix's queue file: together "
			"over 5/2 x max_message_bytes (%" G_GUINT64_FORMAT ")",
			len, s->size, budget);
		withhold(ctx, s, p, o, why, CDR_E_LIMIT);
	} else if (apply(ctx, s, data, len, o)) {
		o->action = "delivered";
	}
	cdr_unmap(data, len);
}

/* [av]: clamd on the whole message. TRUE to go on to the rebuild (with
 * params->infected set when clamd found something and on_infected is
 * remove); FALSE when the scan decided the message. */
static gboolean
scan_message(SMFICTX *ctx, struct session *s, struct milter_state *st, struct outcome *o,
	     struct cdr_run_params *params)
{
	static const char *const names[] = {
		[AV_CLEAN] = "clean", [AV_INFECTED] = "infected", [AV_TOO_BIG] = "too-big",
		[AV_UNAVAILABLE] = "unavailable",
	};
	const struct cdr_policy *p = st->policy;
	struct av_result res;
	enum av_status status = av_scan_fd(st->av, s->fd, &res);
	gboolean go_on = FALSE;
	o->av = names[status];
	switch (status) {
	case AV_CLEAN:
		go_on = TRUE;
		break;
	case AV_UNAVAILABLE: /* never failure_action = reject: clamd may be back soon */
		tempfail(ctx, o, res.reason);
		break;
	case AV_TOO_BIG:
		withhold(ctx, s, p, o, res.reason, CDR_E_LIMIT);
		break;
	case AV_INFECTED:
		o->infected = g_strdup(res.signature);
		if (strcmp(p->av_on_infected, "reject") == 0) {
			reject(ctx, o, res.reason);
			break;
		}
		params->infected = o->infected; /* each part scanned, the infected removed */
		go_on = TRUE;
		break;
	}
	av_result_clear(&res);
	return go_on;
}

static void
sanitize(SMFICTX *ctx, struct session *s, struct milter_state *st, struct outcome *o)
{
	const struct cdr_policy *p = st->policy;
	g_autoptr(GError) error = NULL;

	o->store = quarantine_acquire(p->milter_quarantine_dir, &error);
	if (o->store)
		o->quarantine_id = store_put_original(o->store, s->fd, &o->sha256, &error);
	if (!o->quarantine_id) {
		tempfail(ctx, o, error->message);
		return;
	}
	/* the web console's link ([web] base_url): one recipient gets a link
	 * for that recipient; several share one notice body (before the
	 * queue), so a link naming one would show the others (Bcc) to all:
	 * an any-recipient link, whose page asks for the reader's address */
	g_autofree char *release_url = NULL;
	if (st->web_key)
		release_url = release_token_url(
			p->web_base_url, st->web_key, o->quarantine_id,
			s->env.recipients->len == 1 ? s->env.recipients->pdata[0] : "",
			p->web_link_days);
	struct cdr_run_params params = {
		.mail_mode = envelope_mail_mode(p, &s->env, s->role),
		.mail_links = envelope_mail_links(p, &s->env, s->role),
		.quarantine_id = o->quarantine_id,
		.handler = "mime", /* never detected: a message is mail */
		.release_url = release_url,
	};
	if (st->av && !scan_message(ctx, s, st, o, &params))
		return;
	/* a password message for an earlier PPAP zip: masked in it too */
	o->passwords = pairing_passwords(st, o->store, s);
	if (o->passwords && p->ppap_mask_password)
		params.mask = o->passwords;
	int out_fd = -1;
	o->report = cdr_pool_run_with(st->pool, s->fd, "message.eml", &params, &out_fd);
	const struct cdr_report *r = o->report;
	if (r->verdict == CDR_BLOCKED && r->error == CDR_E_SCAN)
		tempfail(ctx, o, r->reason); /* a decrypted part could not be scanned */
	else if (r->verdict != CDR_BLOCKED && g_strcmp0(r->handler, "mime") != 0)
		tempfail(ctx, o, "internal error: the message was not rebuilt as mail");
	else if (r->verdict != CDR_BLOCKED)
		deliver_rebuilt(ctx, s, p, out_fd, o);
	else if (is_failure(r->error) && strcmp(p->milter_failure_action, "reject") != 0)
		tempfail(ctx, o, r->reason);
	else if (is_failure(r->error))
		reject(ctx, o, r->reason);
	else
		withhold(ctx, s, p, o, r->reason, r->error);
	if (out_fd >= 0)
		close(out_fd);
}

static void
add_string_value(JsonBuilder *b, const char *value)
{
	if (!value)
		json_builder_add_null_value(b);
	else if (g_utf8_validate(value, -1, NULL))
		json_builder_add_string_value(b, value);
	else {
		g_autofree char *valid = g_utf8_make_valid(value, -1);
		json_builder_add_string_value(b, valid);
	}
}

static void
add_string(JsonBuilder *b, const char *key, const char *value)
{
	json_builder_set_member_name(b, key);
	add_string_value(b, value);
}

/* time, queue id, client and envelope: the start of every audit record */
static void
begin_record(JsonBuilder *b, SMFICTX *ctx, const struct session *s)
{
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();
	g_autofree char *t = g_date_time_format_iso8601(now);
	json_builder_begin_object(b);
	add_string(b, "time", t);
	add_string(b, "queue_id", smfi_getsymval(ctx, "i"));
	json_builder_set_member_name(b, "client");
	json_builder_begin_object(b);
	add_string(b, "addr", s->env.client_addr);
	add_string(b, "name", s->env.client_name);
	add_string(b, "helo", s->helo);
	json_builder_end_object(b);
	add_string(b, "stage", envelope_role_name(s->role));
	add_string(b, "sender", s->env.sender);
	json_builder_set_member_name(b, "recipients");
	json_builder_begin_array(b);
	for (guint i = 0; i < s->env.recipients->len; i++)
		add_string_value(b, s->env.recipients->pdata[i]);
	json_builder_end_array(b);
}

/* Every signature clamd named: the whole message's, then its parts'. */
static void
collect_malware(const struct cdr_report *r, GPtrArray *names)
{
	if (r->verdict == CDR_BLOCKED && r->error == CDR_E_MALWARE && r->malware &&
	    !g_ptr_array_find_with_equal_func(names, r->malware, g_str_equal, NULL))
		g_ptr_array_add(names, r->malware);
	for (guint i = 0; i < r->children->len; i++)
		collect_malware(r->children->pdata[i], names);
}

static void
add_malware(JsonBuilder *b, const struct outcome *o)
{
	g_autoptr(GPtrArray) names = g_ptr_array_new();
	if (o->infected)
		g_ptr_array_add(names, o->infected);
	if (o->report)
		collect_malware(o->report, names);
	json_builder_set_member_name(b, "av");
	if (o->av)
		json_builder_add_string_value(b, o->av);
	else
		json_builder_add_null_value(b);
	json_builder_set_member_name(b, "malware");
	if (!names->len) {
		json_builder_add_null_value(b);
		return;
	}
	json_builder_begin_array(b);
	for (guint i = 0; i < names->len; i++)
		add_string_value(b, names->pdata[i]);
	json_builder_end_array(b);
}

static JsonNode *
outcome_record(SMFICTX *ctx, const struct session *s, const struct outcome *o, const char *mode)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	begin_record(b, ctx, s);
	add_string(b, "action", o->action);
	add_string(b, "reason", o->why);
	add_string(b, "mode", mode);
	add_string(b, "quarantine_id", o->quarantine_id);
	add_string(b, "message_id", o->report && o->report->message_id ? o->report->message_id
								      : s->message_id);
	add_string(b, "subject", o->report ? o->report->subject : NULL);
	add_malware(b, o);
	json_builder_set_member_name(b, "size_in");
	json_builder_add_int_value(b, (gint64)s->size);
	json_builder_set_member_name(b, "size_out");
	json_builder_add_int_value(b, (gint64)o->size_out);
	add_string(b, "sha256", o->sha256);
	json_builder_set_member_name(b, "elapsed");
	double elapsed = (double)(g_get_monotonic_time() - s->started) / G_USEC_PER_SEC;
	json_builder_add_double_value(b, (double)(gint64)(elapsed * 1e6) / 1e6);
	json_builder_set_member_name(b, "report");
	if (o->report)
		json_builder_add_value(b, cdr_report_to_json(o->report));
	else
		json_builder_add_null_value(b);
	json_builder_end_object(b);
	return json_builder_get_root(b);
}

static void
log_summary(SMFICTX *ctx, const struct session *s, const struct outcome *o)
{
	const char *qid = smfi_getsymval(ctx, "i");
	const struct cdr_report *r = o->report;
	GString *line = g_string_new(NULL);
	g_string_printf(line, "%s: %s from=<%s> rcpts=%u size=%" G_GUINT64_FORMAT " verdict=%s",
			qid ? qid : "-", o->action, s->env.sender ? s->env.sender : "",
			s->env.recipients->len, s->size, r ? cdr_verdict_name(r->verdict) : "none");
	if (o->quarantine_id)
		g_string_append_printf(line, " quarantine=%s", o->quarantine_id);
	const struct cdr_report *part = r ? cdr_report_find_malware(r) : NULL;
	if (o->av)
		g_string_append_printf(line, " av=%s", o->av);
	if (o->infected || part)
		g_string_append_printf(line, " malware=%s", o->infected ? o->infected : part->malware);
	g_autofree char *actions = r ? cdr_report_action_summary(r) : NULL;
	if (actions && *actions)
		g_string_append_printf(line, " (%s)", actions);
	if (o->why)
		g_string_append_printf(line, ": %s", o->why);
	milter_log(o->status == SMFIS_CONTINUE ? LOG_INFO : LOG_WARNING, "%s", line->str);
	g_string_free(line, TRUE);
}

/* A message decided without a worker: its log line and a short audit
 * record (the envelope, the action and why). */
static void
record_without_report(SMFICTX *ctx, struct session *s, const char *action, const char *why)
{
	const char *qid = smfi_getsymval(ctx, "i");
	milter_log(LOG_NOTICE, "%s: %s from=<%s> rcpts=%u: %s", qid ? qid : "NOQUEUE", action,
		   s->env.sender ? s->env.sender : "", s->env.recipients->len, why);
	g_autoptr(JsonBuilder) b = json_builder_new();
	begin_record(b, ctx, s);
	add_string(b, "action", action);
	add_string(b, "reason", why);
	json_builder_end_object(b);
	g_autoptr(JsonNode) rec = json_builder_get_root(b);
	if (!audit_write(rec))
		milter_log(LOG_ERR, "cannot write the audit log");
}

void
record_bypass(SMFICTX *ctx, struct session *s, const char *why)
{
	record_without_report(ctx, s, "bypassed", why);
}

void
record_refusal(SMFICTX *ctx, struct session *s, const char *why)
{
	record_without_report(ctx, s, "rejected", why);
}

/* The record in the quarantine's index, each recipient with the mode
 * its own settings pick (the message went out in the strictest). */
static struct store_message *
store_record(struct mg_store *store, const struct cdr_policy *p, const struct session *s,
	     const struct outcome *o, const char *json, GError **error)
{
	g_autoptr(store_message) m = store_message_from_record(json, strlen(json), error);
	if (!m)
		return NULL;
	for (guint i = 0; i < m->recipients->len; i++) {
		struct store_recipient *r = m->recipients->pdata[i];
		g_free(r->mode);
		r->mode = g_strdup(envelope_recipient_mode(p, r->address, s->role));
	}
	/* waits for a password mail only with a zip a password can open,
	 * and never when it is a bounce or an automatic reply quoting one */
	m->ppap_wait = m->ppap_wait && pairing_enabled(p) && o->report &&
		       pairing_locked_zips(o->report) > 0 && !pairing_session_refusal(s);
	/* a password mail: its pairing is to run, durably with its record,
	 * so that a crash before it finished cannot lose it */
	m->ppap_pair = o->passwords && o->status == SMFIS_CONTINUE;
	return store_put_record(store, o->quarantine_id, m, error) ? g_steal_pointer(&m) : NULL;
}

gint messages_in_flight;

sfsistat
process_message(SMFICTX *ctx, struct session *s)
{
	g_atomic_int_inc(&messages_in_flight);
	s->started = g_get_monotonic_time();
	struct milter_state *st = state_get();
	struct outcome o = { .status = SMFIS_CONTINUE };
	const char *mode = envelope_mail_mode(st->policy, &s->env, s->role);
	g_autoptr(store_message) stored = NULL;

	if (!cdr_memfd_seal(s->fd))
		tempfail(ctx, &o, "cannot seal the message");
	else
		sanitize(ctx, s, st, &o); /* the store gives the original's SHA-256 */
	if (!o.sha256 && !(o.sha256 = sha256_of(s->fd)) && o.status != SMFIS_TEMPFAIL)
		tempfail(ctx, &o, "cannot read the message back");

	g_autoptr(JsonNode) record = outcome_record(ctx, s, &o, mode);
	if (o.quarantine_id && o.status != SMFIS_TEMPFAIL) {
		g_autoptr(GError) error = NULL;
		g_autofree char *json = cdr_json_to_string(record);
		stored = store_record(o.store, st->policy, s, &o, json, &error);
		if (!stored)
			tempfail(ctx, &o, error->message);
	}
	if (o.status == SMFIS_TEMPFAIL && o.quarantine_id) {
		/* not accepted: the sending server keeps the message and retries,
		 * and each retry would otherwise leave another copy here (one the
		 * store cannot remove now is removed by the hourly purge) */
		g_autoptr(GError) error = NULL;
		if (!store_remove(o.store, o.quarantine_id, &error))
			milter_log(LOG_WARNING, "quarantine: %s", error->message);
		g_clear_pointer(&o.quarantine_id, g_free);
		json_node_unref(record);
		record = outcome_record(ctx, s, &o, mode);
	}
	if (!audit_write(record))
		milter_log(LOG_ERR, "cannot write the audit log");
	log_summary(ctx, s, &o);
	if (stored && o.passwords && o.status == SMFIS_CONTINUE)
		pairing_queue(st, s->role, o.quarantine_id, stored, o.passwords);
	sfsistat status = o.status;
	outcome_clear(&o);
	state_unref(st);
	g_atomic_int_dec_and_test(&messages_in_flight);
	return status;
}
