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
#include <sys/mman.h>
#include <unistd.h>

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

enum cdr_verdict
cdr_job_sanitize_child(struct cdr_job *job, const guint8 *data, gsize len, const char *name,
		       GByteArray **out)
{
	const struct cdr_policy *p = job->engine->policy;
	struct cdr_report *parent = job->report;
	struct cdr_report *child = cdr_report_new(name);

	*out = NULL;
	g_ptr_array_add(parent->children, child);
	job->last_child = child;
	job->report = child;
	job->depth++;

	enum cdr_verdict v;
	if (++job->children > p->max_children)
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
	else
		v = cdr_engine_run_object(job, data, len, name, out);

	child->verdict = v;
	job->depth--;
	job->report = parent;
	job->last_child = child; /* a container child has set it to its own children */
	return v;
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
