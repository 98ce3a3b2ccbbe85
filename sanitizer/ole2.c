/*
 * NAME
 *	ole2.c - placeholder: the ole2 handler is being written; until then its
 *	formats are blocked as before ("no handler")
 */
#include "handlers.h"

static int
ole2_bid(const struct cdr_input *in)
{
	(void)in;
	return 0;
}

static enum cdr_verdict
ole2_sanitize(struct cdr_job *job, const struct cdr_input *in, struct cdr_output *out)
{
	(void)in;
	(void)out;
	return cdr_job_error(job, CDR_E_UNSUPPORTED, "no ole2 handler yet");
}

static const char *const ole2_extensions[] = { "doc", NULL };

const struct cdr_handler cdr_handler_ole2 = {
	.name = "ole2",
	.extensions = ole2_extensions,
	.mime_type = "application/octet-stream",
	.bid = ole2_bid,
	.sanitize = ole2_sanitize,
};
