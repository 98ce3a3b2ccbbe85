/*
 * NAME
 *	resubmit.h - rebuild a quarantined original and hand it to Postfix
 * SUMMARY
 *	What PPAP follow-ups (cdr-milter) and releases (cdr-quarantine)
 *	share: the original from the store, rebuilt by a worker with run
 *	params (mail_build "followup" or "release"), submitted through
 *	[release] relay, the content-filter return path that has no milter,
 *	so a submitted message is never converted again and never loops.
 */
#pragma once

#include "envelope.h"
#include "pool.h"
#include "report.h"
#include "store.h"
#include "submit.h"

/* The original of `id` rebuilt with `params`: the report (never NULL
 * unless the original cannot be read: NULL with `error`), and in
 * *out_fd the rebuilt message when it was not blocked (else -1). */
struct cdr_report *resubmit_build(struct cdr_pool *pool, struct mg_store *store, const char *id,
				  const struct cdr_run_params *params, int *out_fd,
				  GError **error);

/* Submit the message in `fd` to `recipients` (NULL-terminated) through
 * policy's [release] relay, envelope sender [release] sender. Fills
 * `result` (submit_result_clear() frees it). */
void resubmit_send(const struct cdr_policy *policy, const char *const *recipients, int fd,
		   struct submit_result *result);

/* The milter role a stored message came in through (its record's
 * "stage"); `fallback` when the record does not say. */
enum milter_role resubmit_record_role(const struct store_message *m, enum milter_role fallback);

/* The Message-ID header of the message in `fd` (the follow-up or
 * release the worker wrote: its own, not the original's), NULL when it
 * has none. */
char *resubmit_message_id(int fd);
