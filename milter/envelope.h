/*
 * NAME
 *	envelope.h - what the SMTP envelope decides: bypass, and the mail mode
 * SUMMARY
 *	Pure functions of the policy and the envelope (client address, sender,
 *	recipients), so they are unit-tested without a mail server.
 */
#pragma once

#include "cdr.h"

struct envelope {
	char *client_addr;   /* "192.0.2.1", "::1"; NULL for a local submission */
	char *client_name;
	char *sender;        /* envelope sender without <>; "" for the null sender */
	GPtrArray *recipients; /* char*, without <> */
};

void envelope_init(struct envelope *env);
void envelope_clear(struct envelope *env);

/* "<User@Example.JP>" -> "example.jp"; NULL when there is no '@'. Caller frees. */
char *envelope_domain(const char *address);

/* TRUE when `domain` is one of `list` or below one of them. */
gboolean envelope_domain_listed(const char *domain, char *const *list);

/*
 * Why the message must not be touched (a bypass_* key matched), or NULL.
 * Recipients bypass only when every one of them is listed.
 */
const char *envelope_bypass(const struct cdr_policy *policy, const struct envelope *env);

/*
 * The mail mode for this message: the recipients' domains pick text or
 * sanitize (text_domains / sanitize_domains, else [mail] mode). One copy
 * reaches every recipient, so when they differ the stricter mode, text,
 * wins.
 */
const char *envelope_mail_mode(const struct cdr_policy *policy, const struct envelope *env);

/* Check the lists the engine does not use: bypass_clients must be
 * addresses or networks, the domain lists domains. FALSE with a message
 * naming the key. */
gboolean envelope_check_policy(const struct cdr_policy *policy, GError **error);
