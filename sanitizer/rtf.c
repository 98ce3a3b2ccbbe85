/*
 * NAME
 *	rtf.c - placeholder: the rtf handler is being written; until then its
 *	formats are blocked as before ("no handler")
 */
#include "handlers.h"

static int
rtf_bid(const struct cdr_input *in)
{
	(void)in;
	return 0;
}

static enum cdr_verdict
rtf_sanitize(struct cdr_job *job, const struct cdr_input *in, struct cdr_output *out)
{
	(void)in;
	(void)out;
	return cdr_job_error(job, CDR_E_UNSUPPORTED, "no rtf handler yet");
}

static const char *const rtf_extensions[] = { "rtf", NULL };

const struct cdr_handler cdr_handler_rtf = {
	.name = "rtf",
	.extensions = rtf_extensions,
	.mime_type = "application/octet-stream",
	.bid = rtf_bid,
	.sanitize = rtf_sanitize,
};
