/*
 * NAME
 *	envelope.h - what the SMTP envelope decides: bypass, and the mail mode
 * SUMMARY
 *	Pure functions of the policy and the envelope (client address, sender,
 *	recipients), so they are unit-tested without a mail server.
 * DESCRIPTION
 *	What the milter may trust depends on where Postfix runs it, which
 *	Postfix tells with the {daemon_name} macro (milter_macro_daemon_name):
 *
 *	before the queue (any other name): the client is the real one, but
 *	the recipients are as the client typed them, before virtual_alias_maps,
 *	canonical maps and aliases; recipient-dependent settings cannot be
 *	trusted there, so every message gets the strictest configured mode
 *	and bypass_recipients does not apply.
 *
 *	screen ([milter] screen_daemon_name): the internet-facing smtpd of
 *	the after-queue arrangement. Only cheap checks (size, header count);
 *	the message is converted after the queue.
 *
 *	after the queue ([milter] after_queue_daemon_name): the smtpd that
 *	Postfix's content_filter feeds with the queued message: the recipients
 *	are final, the client is the content filter itself (127.0.0.1), so
 *	bypass_clients does not apply.
 */
#pragma once

#include "cdr.h"

struct envelope {
	char *client_addr;   /* "192.0.2.1", "::1"; NULL for a local submission */
	char *client_name;
	char *sender;        /* envelope sender without <>; "" for the null sender */
	GPtrArray *recipients; /* char*, without <> */
};

enum milter_role { ROLE_BEFORE_QUEUE, ROLE_SCREEN, ROLE_AFTER_QUEUE };

/* The role for Postfix's {daemon_name} value (NULL: not sent). */
enum milter_role envelope_role(const struct cdr_policy *policy, const char *daemon_name);

/* "before-queue", "screen", "after-queue": for logs and audit records. */
const char *envelope_role_name(enum milter_role role);

void envelope_init(struct envelope *env);
void envelope_clear(struct envelope *env);

/* "<User@Example.JP>" -> "example.jp"; NULL when there is no '@'. Caller frees. */
char *envelope_domain(const char *address);

/* TRUE when `domain` is one of `list` or below one of them. */
gboolean envelope_domain_listed(const char *domain, char *const *list);

/*
 * Why the message must not be touched (a bypass_* key matched), or NULL.
 * Before the queue only bypass_clients applies; after the queue only
 * bypass_recipients, and only when every (final) recipient is listed.
 * Screening never bypasses anything.
 */
const char *envelope_bypass(const struct cdr_policy *policy, const struct envelope *env,
			    enum milter_role role);

/*
 * The mail mode for this message. After the queue the recipients' domains
 * pick text or sanitize (text_domains / sanitize_domains, else [mail]
 * mode); one copy reaches every recipient, so when they differ the
 * stricter mode, text, wins. Before the queue the strictest mode the
 * configuration can give any recipient.
 */
const char *envelope_mail_mode(const struct cdr_policy *policy, const struct envelope *env,
			       enum milter_role role);

/* The mode one recipient's own settings pick: after the queue its
 * domain's (text_domains / sanitize_domains, else [mail] mode); before
 * the queue the strictest mode the configuration can give anyone. A
 * follow-up or release to this recipient must respect it. */
const char *envelope_recipient_mode(const struct cdr_policy *policy, const char *recipient,
				    enum milter_role role);

/*
 * The link style for this message ([mail] links): after the queue each
 * recipient's from links_remove_domains, then links_defang_domains, else
 * [mail] links; the strictest wins (remove, then defang, then text).
 * Before the queue the strictest style the configuration can give.
 */
const char *envelope_mail_links(const struct cdr_policy *policy, const struct envelope *env,
				enum milter_role role);

/* TRUE when the mode, the link style or a bypass depends on the recipients. */
gboolean envelope_depends_on_recipients(const struct cdr_policy *policy);

/* Check the lists the engine does not use: bypass_clients must be
 * addresses or networks, the domain lists domains. FALSE with a message
 * naming the key. */
gboolean envelope_check_policy(const struct cdr_policy *policy, GError **error);
