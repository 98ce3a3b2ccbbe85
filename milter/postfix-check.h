/*
 * NAME
 *	postfix-check.h - does Postfix's configuration fit cdr-milter's?
 * SUMMARY
 *	cdr-milter -n reads Postfix's configuration with postconf(1) (main.cf
 *	with $names expanded, the master.cf services and their -o overrides)
 *	and checks each smtpd(8) service that uses cdr-milter's socket: its
 *	role ({daemon_name}), whether it can see final recipients, where its
 *	mail goes next, and its size limits against max_message_bytes.
 *	The parser and the checks are pure functions of postconf's output, so
 *	they are unit-tested without Postfix.
 */
#pragma once

#include "cdr.h"

struct postfix_conf;
typedef struct postfix_conf postfix_conf;

struct postfix_findings {
	GPtrArray *errors;   /* char*: the arrangement is unsafe or will fail */
	GPtrArray *warnings; /* char*: works, but not as the policy says */
	GPtrArray *notes;    /* char*: what was found, one line per service */
};

/* Run postconf (with -c `config_dir` unless NULL). NULL with `error` when
 * it cannot be run or fails; G_SPAWN_ERROR_NOENT when it is not installed. */
struct postfix_conf *postfix_conf_read(const char *config_dir, GError **error);

/* From the outputs of "postconf -x", "postconf -M" and "postconf -Px". */
struct postfix_conf *postfix_conf_parse(const char *main_values, const char *services,
					const char *service_values);

void postfix_conf_free(struct postfix_conf *pf);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(postfix_conf, postfix_conf_free)

void postfix_findings_init(struct postfix_findings *f);
void postfix_findings_clear(struct postfix_findings *f);

/* Check `pf` against the policy; adds to `out`. */
void postfix_check(const struct postfix_conf *pf, const struct cdr_policy *policy,
		   struct postfix_findings *out);
