/*
 * NAME
 *	run-params.c - the check of a job's run parameters
 *
 * SUMMARY
 *	cdr_run_params_valid() - what the pool refuses to send and the
 *	engine refuses to run
 *
 * DESCRIPTION
 *	The pool (front-end side) and the engine (worker side) apply the
 *	same check to the parameters of one run: mail mode, passwords,
 *	handler name, quarantine id. It lives in a file of its own so that
 *	the front ends, which link the pool, do not pull in the engine and
 *	with it every handler and parser library.
 */
#include <string.h>

#include "cdr.h"
#include "report.h"

gboolean
cdr_run_params_valid(const struct cdr_run_params *params)
{
	const char *mode = params->mail_mode, *id = params->quarantine_id;
	if (mode && strcmp(mode, "text") != 0 && strcmp(mode, "sanitize") != 0)
		return FALSE;
	const char *links = params->mail_links;
	if (links && strcmp(links, "text") != 0 && strcmp(links, "defang") != 0 &&
	    strcmp(links, "remove") != 0)
		return FALSE;
	if (params->passwords && strlen(params->passwords) > CDR_MAX_PASSWORDS)
		return FALSE;
	if (params->mask && strlen(params->mask) > CDR_MAX_PASSWORDS)
		return FALSE;
	if (params->mail_build && strcmp(params->mail_build, "followup") != 0 &&
	    strcmp(params->mail_build, "release") != 0 && strcmp(params->mail_build, "passwords") != 0)
		return FALSE;
	if (params->infected && !cdr_signature_valid(params->infected))
		return FALSE;
	const char *url = params->release_url;
	if (url) {
		if (strlen(url) > CDR_MAX_RELEASE_URL ||
		    (!g_str_has_prefix(url, "https://") && !g_str_has_prefix(url, "http://")))
			return FALSE;
		for (const char *c = url; *c; c++)
			if (*c <= 0x20 || *c >= 0x7f || strchr("\"'<>\\`{}", *c))
				return FALSE;
	}
	if (params->handler) {
		gsize n = strlen(params->handler);
		if (n == 0 || n > CDR_MAX_HANDLER_NAME)
			return FALSE;
		for (const char *c = params->handler; *c; c++)
			if (!g_ascii_islower(*c) && !g_ascii_isdigit(*c) && *c != '-')
				return FALSE;
	}
	if (!id)
		return TRUE;
	gsize n = strlen(id);
	if (n == 0 || n > CDR_MAX_QUARANTINE_ID)
		return FALSE;
	for (const char *c = id; *c; c++)
		if (!g_ascii_isalnum(*c) && *c != '-' && *c != '_')
			return FALSE;
	return TRUE;
}
