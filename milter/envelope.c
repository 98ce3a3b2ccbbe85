/*
 * NAME
 *	envelope.c - bypass and mail mode from the SMTP envelope
 * SUMMARY
 *	See envelope.h. Domains compare case-insensitively; "lg.jp" in a list
 *	covers "city.example.lg.jp". Networks are GLib's GInetAddressMask
 *	("192.0.2.0/24", "2001:db8::/32", or one address).
 */
#include "envelope.h"

#include <gio/gio.h>
#include <string.h>

void
envelope_init(struct envelope *env)
{
	memset(env, 0, sizeof(*env));
	env->recipients = g_ptr_array_new_with_free_func(g_free);
}

void
envelope_clear(struct envelope *env)
{
	g_free(env->client_addr);
	g_free(env->client_name);
	g_free(env->sender);
	if (env->recipients)
		g_ptr_array_unref(env->recipients);
	memset(env, 0, sizeof(*env));
}

char *
envelope_domain(const char *address)
{
	const char *at = address ? strrchr(address, '@') : NULL;
	if (!at || !at[1])
		return NULL;
	char *domain = g_ascii_strdown(at + 1, -1);
	gsize n = strlen(domain);
	while (n && (domain[n - 1] == '>' || domain[n - 1] == '.'))
		domain[--n] = '\0';
	return domain;
}

gboolean
envelope_domain_listed(const char *domain, char *const *list)
{
	if (!domain || !list)
		return FALSE;
	gsize n = strlen(domain);
	for (; *list; list++) {
		const char *entry = **list == '.' ? *list + 1 : *list;
		gsize m = strlen(entry);
		if (m == 0 || m > n)
			continue;
		if (g_ascii_strcasecmp(domain + n - m, entry) == 0 &&
		    (m == n || domain[n - m - 1] == '.'))
			return TRUE;
	}
	return FALSE;
}

static gboolean
client_listed(const char *addr, char *const *list)
{
	if (!addr || !list || !*list)
		return FALSE;
	g_autoptr(GInetAddress) a = g_inet_address_new_from_string(addr);
	if (!a)
		return FALSE;
	for (; *list; list++) {
		g_autoptr(GInetAddressMask) mask = g_inet_address_mask_new_from_string(*list, NULL);
		if (mask && g_inet_address_mask_matches(mask, a))
			return TRUE;
	}
	return FALSE;
}

static gboolean
every_recipient_listed(const struct envelope *env, char *const *list)
{
	if (!list || !*list || env->recipients->len == 0)
		return FALSE;
	for (guint i = 0; i < env->recipients->len; i++) {
		g_autofree char *d = envelope_domain(env->recipients->pdata[i]);
		if (!envelope_domain_listed(d, list))
			return FALSE;
	}
	return TRUE;
}

enum milter_role
envelope_role(const struct cdr_policy *p, const char *daemon_name)
{
	if (!daemon_name || !*daemon_name)
		return ROLE_BEFORE_QUEUE;
	if (strcmp(daemon_name, p->milter_screen_daemon_name) == 0)
		return ROLE_SCREEN;
	if (strcmp(daemon_name, p->milter_after_queue_daemon_name) == 0)
		return ROLE_AFTER_QUEUE;
	return ROLE_BEFORE_QUEUE;
}

const char *
envelope_role_name(enum milter_role role)
{
	return role == ROLE_SCREEN	    ? "screen"
	       : role == ROLE_AFTER_QUEUE ? "after-queue"
					  : "before-queue";
}

const char *
envelope_bypass(const struct cdr_policy *p, const struct envelope *env, enum milter_role role)
{
	if (role == ROLE_BEFORE_QUEUE && client_listed(env->client_addr, p->milter_bypass_clients))
		return "bypass_clients";
	if (role == ROLE_AFTER_QUEUE && every_recipient_listed(env, p->milter_bypass_recipients))
		return "bypass_recipients";
	return NULL;
}

gboolean
envelope_depends_on_recipients(const struct cdr_policy *p)
{
	gboolean text = strcmp(p->mail_mode, "text") == 0;
	return (p->mail_text_domains && *p->mail_text_domains && !text) ||
	       (p->mail_sanitize_domains && *p->mail_sanitize_domains && text) ||
	       (p->milter_bypass_recipients && *p->milter_bypass_recipients) ||
	       (p->mail_links_defang_domains && *p->mail_links_defang_domains) ||
	       (p->mail_links_remove_domains && *p->mail_links_remove_domains);
}

/* Text when any recipient could be given text, else sanitize. */
static const char *
strictest_mode(const struct cdr_policy *p)
{
	if (strcmp(p->mail_mode, "text") == 0 || (p->mail_text_domains && *p->mail_text_domains))
		return "text";
	return "sanitize";
}

const char *
envelope_recipient_mode(const struct cdr_policy *p, const char *recipient, enum milter_role role)
{
	if (role != ROLE_AFTER_QUEUE)
		return strictest_mode(p);
	g_autofree char *d = envelope_domain(recipient);
	if (envelope_domain_listed(d, p->mail_text_domains))
		return "text";
	if (envelope_domain_listed(d, p->mail_sanitize_domains))
		return "sanitize";
	return strcmp(p->mail_mode, "text") == 0 ? "text" : "sanitize";
}

const char *
envelope_mail_mode(const struct cdr_policy *p, const struct envelope *env, enum milter_role role)
{
	if (role != ROLE_AFTER_QUEUE)
		return strictest_mode(p);
	for (guint i = 0; i < env->recipients->len; i++)
		if (strcmp(envelope_recipient_mode(p, env->recipients->pdata[i], role), "text") == 0)
			return "text";
	return env->recipients->len ? "sanitize" : p->mail_mode;
}

static int
links_rank(const char *style)
{
	return strcmp(style, "remove") == 0 ? 2 : strcmp(style, "defang") == 0 ? 1 : 0;
}

static const char *const link_styles[] = { "text", "defang", "remove" };

const char *
envelope_mail_links(const struct cdr_policy *p, const struct envelope *env, enum milter_role role)
{
	int rank = links_rank(p->mail_links);
	if (role != ROLE_AFTER_QUEUE) {
		if (p->mail_links_defang_domains && *p->mail_links_defang_domains)
			rank = MAX(rank, 1);
		if (p->mail_links_remove_domains && *p->mail_links_remove_domains)
			rank = 2;
		return link_styles[rank];
	}
	int strictest = 0;
	for (guint i = 0; i < env->recipients->len; i++) {
		g_autofree char *d = envelope_domain(env->recipients->pdata[i]);
		int r = envelope_domain_listed(d, p->mail_links_remove_domains)   ? 2
			: envelope_domain_listed(d, p->mail_links_defang_domains) ? 1
										   : rank;
		strictest = MAX(strictest, r);
	}
	return link_styles[env->recipients->len ? strictest : rank];
}

static gboolean
domains_valid(const char *key, char *const *list, GError **error)
{
	for (; list && *list; list++) {
		const char *d = **list == '.' ? *list + 1 : *list;
		gboolean ok = *d != '\0';
		for (const char *c = d; *c && ok; c++)
			ok = g_ascii_isalnum(*c) || *c == '-' || *c == '.';
		if (!ok) {
			g_set_error(error, CDR_POLICY_ERROR, 0, "%s: \"%s\" is not a domain", key,
				    *list);
			return FALSE;
		}
	}
	return TRUE;
}

gboolean
envelope_check_policy(const struct cdr_policy *p, GError **error)
{
	for (char **c = p->milter_bypass_clients; c && *c; c++) {
		g_autoptr(GInetAddressMask) mask = g_inet_address_mask_new_from_string(*c, NULL);
		if (!mask) {
			g_set_error(error, CDR_POLICY_ERROR, 0,
				    "[milter] bypass_clients: \"%s\" is not an address or network",
				    *c);
			return FALSE;
		}
	}
	const char *screen = p->milter_screen_daemon_name;
	if (*screen && strcmp(screen, p->milter_after_queue_daemon_name) == 0) {
		g_set_error(error, CDR_POLICY_ERROR, 0,
			    "[milter] screen_daemon_name and after_queue_daemon_name are both "
			    "\"%s\": the two roles need two names",
			    screen);
		return FALSE;
	}
	return domains_valid("[milter] bypass_recipients", p->milter_bypass_recipients, error) &&
	       domains_valid("[mail] text_domains", p->mail_text_domains, error) &&
	       domains_valid("[mail] sanitize_domains", p->mail_sanitize_domains, error) &&
	       domains_valid("[mail] links_defang_domains", p->mail_links_defang_domains, error) &&
	       domains_valid("[mail] links_remove_domains", p->mail_links_remove_domains, error);
}
