/*
 * NAME
 *	job.c - the state of one top-level object while handlers work on it
 * SUMMARY
 *	Errors and actions recorded on the current object's report, budgets
 *	(expanded bytes, children, wall time) shared by the whole object tree,
 *	and recursion into children for container handlers.
 */
#include "engine-private.h"

#include <stdarg.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define SCAN_UNAVAILABLE "virus scan unavailable: "

const struct cdr_policy *
cdr_job_policy(const struct cdr_job *job)
{
	return job->engine->policy;
}

const struct cdr_run_params *
cdr_job_params(const struct cdr_job *job)
{
	return job->params;
}

const char *
cdr_job_mail_links(const struct cdr_job *job)
{
	return job->params->mail_links ? job->params->mail_links : job->engine->policy->mail_links;
}

const char *
cdr_job_mail_mode(const struct cdr_job *job)
{
	return job->params->mail_mode ? job->params->mail_mode : job->engine->policy->mail_mode;
}

struct cdr_engine *
cdr_job_engine(const struct cdr_job *job)
{
	return job->engine;
}

void
cdr_job_mail_facts(struct cdr_job *job, const char *subject, const char *message_id)
{
	g_free(job->report->subject);
	g_free(job->report->message_id);
	job->report->subject = g_strdup(subject);
	job->report->message_id = g_strdup(message_id);
}

void
cdr_job_mail_sender(struct cdr_job *job, const char *from, const char *from_address)
{
	g_free(job->report->from);
	g_free(job->report->from_address);
	job->report->from = g_strdup(from);
	job->report->from_address = g_strdup(from_address);
}

enum cdr_verdict
cdr_job_error(struct cdr_job *job, enum cdr_error code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	g_autofree char *msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	cdr_report_block(job->report, code, msg);
	return CDR_BLOCKED;
}

gboolean
cdr_failure_set(struct cdr_failure *f, enum cdr_error kind, const char *why)
{
	if (f->kind == CDR_E_NONE) {
		f->kind = kind;
		f->why = why;
	}
	return FALSE;
}

enum cdr_verdict
cdr_job_fail(struct cdr_job *job, const char *where, const struct cdr_failure *f)
{
	enum cdr_error kind = f->kind == CDR_E_NONE ? CDR_E_INTERNAL : f->kind;
	const char *why = f->why ? f->why : "a failure without a reason";
	if (where)
		return cdr_job_error(job, kind, "%s: %s", where, why);
	return cdr_job_error(job, kind, "%s", why);
}

enum cdr_verdict
cdr_job_fail_as_child(struct cdr_job *job, const struct cdr_report *child, const char *prefix)
{
	if (!child || child->verdict != CDR_BLOCKED || child->error == CDR_E_NONE)
		return cdr_job_error(job, CDR_E_INTERNAL, "a container blocked by a child "
				     "that was not blocked");
	const char *why = child->reason ? child->reason : "";
	if (!prefix || g_str_has_prefix(why, prefix))
		prefix = "";
	struct cdr_report *r = job->report;
	if (child->error == CDR_E_MALWARE && !r->reason) {
		cdr_report_block_malware(r, child->malware);
		g_free(r->reason);
		r->reason = g_strconcat(prefix, why, NULL);
		return CDR_BLOCKED;
	}
	return cdr_job_error(job, child->error, "%s%s", prefix, why);
}

void
cdr_job_action(struct cdr_job *job, const char *what, const char *where, unsigned count)
{
	cdr_report_add_action(job->report, what, where, count);
}

gboolean
cdr_job_charge_expanded(struct cdr_job *job, guint64 bytes)
{
	guint64 max = job->engine->policy->max_expanded_bytes;
	if (bytes > max || job->expanded > max - bytes) {
		job->budget_spent = TRUE;
		cdr_job_error(job, CDR_E_LIMIT,
			      "expands to more than max_expanded_bytes (%" G_GUINT64_FORMAT ")",
			      max);
		return FALSE;
	}
	job->expanded += bytes;
	return TRUE;
}

void
cdr_job_release_input(struct cdr_job *job, const guint8 *from, gsize len)
{
	const guint8 *top = job->top_data;
	if (!job->engine->input_mapped || !top || len == 0 || from < top ||
	    len > job->top_len || (guint64)(from - top) > job->top_len - len)
		return;
	guintptr page = (guintptr)getpagesize();
	guintptr start = ((guintptr)from + page - 1) & ~(page - 1);
	guintptr end = ((guintptr)from + len) & ~(page - 1);
	if (end > start)
		madvise((void *)start, end - start, MADV_DONTNEED);
}

gboolean
cdr_job_check_time(struct cdr_job *job)
{
	if (g_get_monotonic_time() <= job->deadline)
		return TRUE;
	cdr_job_error(job, CDR_E_TIMEOUT, "took longer than job_wall_seconds (%" G_GUINT64_FORMAT
		      ")", job->engine->policy->job_wall_seconds);
	return FALSE;
}

/* Ask the front end's scanner; the time it takes is not the handlers'
 * (job_wall_seconds), so the deadline moves by as much. */
static enum cdr_scan_result
ask_scanner(struct cdr_job *job, const guint8 *data, gsize len, const char *name, char **detail)
{
	struct cdr_engine *e = job->engine;
	if (job->scan_failure) {
		*detail = g_strdup("");
		return CDR_SCAN_FAILED;
	}
	if (!e->scanner) {
		*detail = g_strdup("no virus scanner in this program");
		return CDR_SCAN_FAILED;
	}
	gint64 start = g_get_monotonic_time();
	*detail = NULL;
	enum cdr_scan_result r = e->scanner(data ? data : (const guint8 *)"", len, name, detail,
					    e->scanner_data);
	job->deadline += g_get_monotonic_time() - start;
	if (!*detail)
		*detail = g_strdup("");
	if ((unsigned)r >= CDR_SCAN_COUNT || (r == CDR_SCAN_INFECTED && !cdr_signature_valid(*detail)))
		r = CDR_SCAN_FAILED;
	return r;
}

/* The whole top-level object fails: the scanner could not be asked. */
static enum cdr_verdict
scan_failed(struct cdr_job *job, const char *detail)
{
	if (!job->scan_failure)
		job->scan_failure = g_strconcat(SCAN_UNAVAILABLE, detail, NULL);
	job->budget_spent = TRUE; /* containers give up at once */
	return cdr_job_error(job, CDR_E_SCAN, "%s", job->scan_failure);
}

/* What a scan result means for the current object. */
static enum cdr_verdict
judge_scan(struct cdr_job *job, enum cdr_scan_result r, const char *detail)
{
	switch (r) {
	case CDR_SCAN_CLEAN:
		return CDR_CLEAN;
	case CDR_SCAN_INFECTED:
		cdr_report_block_malware(job->report, detail);
		return CDR_BLOCKED;
	case CDR_SCAN_REFUSED:
		return cdr_job_error(job, CDR_E_LIMIT, "%s", detail);
	default:
		return scan_failed(job, detail);
	}
}

enum cdr_verdict
cdr_job_scan_revealed(struct cdr_job *job, const guint8 *data, gsize len, enum cdr_revealed how)
{
	const struct cdr_policy *p = job->engine->policy;
	if (!cdr_policy_av_enabled(p))
		return CDR_CLEAN;
	if (strcmp(p->av_scan, "original") == 0 && how == CDR_REVEALED_DECRYPTED)
		return cdr_job_error(job, CDR_E_ENCRYPTED, "decrypted content is not given to the "
				     "virus scanner ([av] scan = original), so it is not used");
	if (strcmp(p->av_scan, "original") == 0)
		return cdr_job_error(job, CDR_E_UNSUPPORTED, "the virus scanner does not read "
				     "this kind of archive and unpacked content is not given to it "
				     "([av] scan = original), so it is not used");
	g_autofree char *detail = NULL;
	enum cdr_scan_result r = ask_scanner(job, data, len, job->report->name, &detail);
	return judge_scan(job, r, detail);
}

/* Run params `infected`: the direct parts of the top-level object are
 * scanned one by one. */
static gboolean
scans_parts(const struct cdr_job *job)
{
	return job->params->infected && job->depth == 0;
}

static enum cdr_verdict
scan_this_part(struct cdr_job *job, const guint8 *data, gsize len)
{
	g_autofree char *detail = NULL;
	enum cdr_scan_result r = ask_scanner(job, data, len, job->report->name, &detail);
	return judge_scan(job, r, detail);
}

static enum cdr_verdict
sanitize_child(struct cdr_job *job, const guint8 *data, gsize len, const char *name,
	       const enum cdr_revealed *revealed, GByteArray **out)
{
	const struct cdr_policy *p = job->engine->policy;
	struct cdr_report *parent = job->report;
	struct cdr_report *child = cdr_report_new(name);
	gboolean scan_part = scans_parts(job);

	*out = NULL;
	child->size_in = len;
	g_ptr_array_add(parent->children, child);
	job->last_child = child;
	job->report = child;
	job->depth++;

	enum cdr_verdict v;
	if (job->scan_failure)
		v = cdr_job_error(job, CDR_E_SCAN, "%s", job->scan_failure);
	else if (++job->children > p->max_children)
		v = (job->budget_spent = TRUE, cdr_job_error(job, CDR_E_LIMIT,
				  "more than max_children (%" G_GUINT64_FORMAT ") objects inside",
				  p->max_children));
	else if (job->depth > p->max_depth)
		v = cdr_job_error(job, CDR_E_LIMIT,
				  "nested deeper than max_depth (%" G_GUINT64_FORMAT ")",
				  p->max_depth);
	else if (!cdr_job_charge_expanded(job, len))
		v = CDR_BLOCKED;
	else if (job->expanded > p->max_ratio * MAX(job->top_len, 1024))
		v = (job->budget_spent = TRUE,
		     cdr_job_error(job, CDR_E_LIMIT,
				   "contents expand more than max_ratio (%" G_GUINT64_FORMAT
				   ") times the input",
				   p->max_ratio));
	else if (revealed && cdr_job_scan_revealed(job, data, len, *revealed) == CDR_BLOCKED)
		v = CDR_BLOCKED;
	else if (scan_part && !revealed && scan_this_part(job, data, len) == CDR_BLOCKED)
		v = CDR_BLOCKED;
	else
		v = cdr_engine_run_object(job, data, len, name, out);

	child->verdict = v;
	job->depth--;
	job->report = parent;
	job->last_child = child; /* a container child has set it to its own children */
	return v;
}

enum cdr_verdict
cdr_job_sanitize_child(struct cdr_job *job, const guint8 *data, gsize len, const char *name,
		       GByteArray **out)
{
	return sanitize_child(job, data, len, name, NULL, out);
}

enum cdr_verdict
cdr_job_sanitize_revealed_child(struct cdr_job *job, const guint8 *data, gsize len,
				const char *name, enum cdr_revealed how, GByteArray **out)
{
	return sanitize_child(job, data, len, name, &how, out);
}

const struct cdr_report *
cdr_job_scan_removed_part(struct cdr_job *job, const guint8 *data, gsize len, const char *name)
{
	if (!scans_parts(job) || job->scan_failure)
		return NULL;
	g_autofree char *detail = NULL;
	enum cdr_scan_result r = ask_scanner(job, data, len, name, &detail);
	if (r == CDR_SCAN_FAILED) {
		scan_failed(job, detail);
		return NULL;
	}
	if (r != CDR_SCAN_INFECTED)
		return NULL; /* removed anyway: nothing to name */
	struct cdr_report *child = cdr_report_new(name);
	child->size_in = len;
	cdr_report_block_malware(child, detail);
	g_ptr_array_add(job->report->children, child);
	return child;
}

/* *list becomes `before` and `more` joined by a newline. */
static void
set_joined(char **list, const char *before, const char *more)
{
	char *all = before ? g_strconcat(before, "\n", more, NULL) : g_strdup(more);
	g_free(*list);
	*list = all;
}

void
cdr_job_add_passwords(struct cdr_job *job, const char *passwords)
{
	if (passwords && *passwords)
		set_joined(&job->passwords, cdr_job_passwords(job), passwords);
}

const char *
cdr_job_passwords(const struct cdr_job *job)
{
	return job->passwords ? job->passwords : job->params->passwords;
}

gboolean
cdr_job_take_password_try(struct cdr_job *job)
{
	if (job->password_tries >= job->engine->policy->ppap_max_tries)
		return FALSE;
	job->password_tries++;
	return TRUE;
}

/* Is `item` a line of the newline-separated `list`? */
static gboolean
list_has_line(const char *list, const char *item)
{
	gsize n = strlen(item);
	for (const char *p = list; p && *p;) {
		const char *nl = strchr(p, '\n');
		gsize len = nl ? (gsize)(nl - p) : strlen(p);
		if (len == n && memcmp(p, item, n) == 0)
			return TRUE;
		p = nl ? nl + 1 : NULL;
	}
	return FALSE;
}

void
cdr_job_password_opened(struct cdr_job *job, const char *password)
{
	if (password && *password && !list_has_line(job->opened_passwords, password))
		set_joined(&job->opened_passwords, job->opened_passwords, password);
}

const char *
cdr_job_opened_passwords(const struct cdr_job *job)
{
	return job->opened_passwords;
}

void
cdr_job_finish(struct cdr_job *job, GByteArray **out)
{
	struct cdr_report *r = job->report;
	const char *infected = job->params->infected;
	if (job->scan_failure) {
		r->verdict = CDR_BLOCKED;
		r->error = CDR_E_SCAN;
		g_free(r->reason);
		r->reason = g_strdup(job->scan_failure);
	} else if (infected && !cdr_report_find_malware(r)) {
		cdr_report_block_malware(r, infected);
		g_free(r->reason);
		r->reason = g_strdup_printf("virus found: %s (in no part that could be removed on "
					    "its own)", infected);
	}
	if (r->verdict == CDR_BLOCKED && *out) {
		g_byte_array_unref(*out);
		*out = NULL;
		g_clear_pointer(&r->out_name, g_free);
		g_clear_pointer(&r->out_type, g_free);
		r->size_out = 0;
	}
	g_clear_pointer(&job->scan_failure, g_free);
	g_clear_pointer(&job->passwords, g_free);
	g_clear_pointer(&job->opened_passwords, g_free);
}

guint64
cdr_job_expand_allowance(const struct cdr_job *job)
{
	const struct cdr_policy *p = job->engine->policy;
	guint64 by_ratio = p->max_ratio * MAX(job->top_len, 1024);
	guint64 left = MIN(p->max_expanded_bytes, by_ratio);
	return job->expanded >= left ? 0 : left - job->expanded;
}

gboolean
cdr_job_budget_spent(const struct cdr_job *job)
{
	return job->budget_spent;
}

const struct cdr_report *
cdr_job_last_child(const struct cdr_job *job)
{
	return job->last_child;
}

static void
mask_string(char **s, guint (*mask)(GString *, const char *), const char *secrets)
{
	if (!*s)
		return;
	GString *text = g_string_new(*s);
	if (mask(text, secrets)) {
		g_free(*s);
		*s = g_string_free(text, FALSE);
	} else {
		g_string_free(text, TRUE);
	}
}

static void
mask_report(struct cdr_report *r, guint (*mask)(GString *, const char *), const char *secrets,
	    guint depth)
{
	/* the object's own names are the front end's: cdr-file names its output by them */
	if (depth) {
		mask_string(&r->name, mask, secrets);
		mask_string(&r->out_name, mask, secrets);
	}
	for (guint i = 0; i < r->actions->len; i++)
		mask_string(&((struct cdr_action *)r->actions->pdata[i])->where, mask, secrets);
	for (guint i = 0; i < r->children->len && depth < 64; i++)
		mask_report(r->children->pdata[i], mask, secrets, depth + 1);
}

void
cdr_job_mask_report(struct cdr_job *job, guint (*mask)(GString *, const char *),
		    const char *secrets)
{
	if (secrets && *secrets)
		mask_report(job->report, mask, secrets, 0);
}
