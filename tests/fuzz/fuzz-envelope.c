/*
 * NAME
 *	fuzz-envelope - libFuzzer target: what cdr-milter does with SMTP envelopes
 * SUMMARY
 *	Envelope addresses and client addresses come from whoever connects:
 *	any bytes. Input: NUL-separated fields, the client address, the
 *	sender, then recipients. Bypass and mode decisions must not crash;
 *	the notice-only message built from them must stay 7-bit with only
 *	its own header lines (no injected headers); a string accepted as a
 *	quarantine id has only the id's characters (no path can be made of
 *	it). The same fields,
 *	read as postconf's output (main.cf values, master.cf services, their
 *	-o overrides), go through cdr-milter -n's check of Postfix.
 */
#include <string.h>

#include "envelope.h"
#include "fuzz-common.h"
#include "postfix-check.h"
#include "store.h"
#include "withheld.h"

static struct cdr_policy *policy, *inet_policy;

static void
check_message(const GByteArray *m)
{
	static const char *const names[] = { "From:", "To:", "Subject:", "Date:", "Message-ID:",
					     "MIME-Version:", "Content-Type:",
					     "Content-Transfer-Encoding:", "X-Mugaika:" };
	g_autofree char *text = g_strndup((const char *)m->data, m->len);
	g_assert(strlen(text) == m->len);
	for (gsize i = 0; i < m->len; i++)
		g_assert(m->data[i] < 0x80 && (m->data[i] != '\r' || m->data[i + 1] == '\n'));
	char *blank = strstr(text, "\r\n\r\n");
	g_assert(blank);
	*blank = '\0';
	g_auto(GStrv) lines = g_strsplit(text, "\r\n", -1);
	for (char **l = lines; *l; l++) {
		gboolean known = **l == ' ';
		for (guint i = 0; i < G_N_ELEMENTS(names) && !known; i++)
			known = g_str_has_prefix(*l, names[i]);
		g_assert(known);
		g_assert(!strchr(*l, '\n'));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!policy) {
		static const char conf[] = "[mail]\ntext_domains = soumu.city.lg.jp\n"
					   "sanitize_domains = lg.jp\n"
					   "[milter]\nbypass_clients = 10.0.0.0/8, 2001:db8::/32\n"
					   "bypass_recipients = example.com\n";
		policy = cdr_policy_load_data(conf, sizeof(conf) - 1, "fuzz", NULL);
		static const char inet[] = "[milter]\nsocket = inet6:10026@::1\n";
		inet_policy = cdr_policy_load_data(inet, sizeof(inet) - 1, "fuzz", NULL);
		g_assert(policy && inet_policy);
	}
	struct envelope env;
	envelope_init(&env);
	const char *p = (const char *)data, *end = p + size;
	for (unsigned field = 0; p <= end; field++) {
		const char *nul = memchr(p, '\0', (gsize)(end - p));
		char *value = g_strndup(p, (gsize)((nul ? nul : end) - p));
		if (field == 0)
			env.client_addr = value;
		else if (field == 1)
			env.sender = value;
		else
			g_ptr_array_add(env.recipients, value);
		if (!nul)
			break;
		p = nul + 1;
	}
	for (enum milter_role role = ROLE_BEFORE_QUEUE; role <= ROLE_AFTER_QUEUE; role++) {
		const char *why = envelope_bypass(policy, &env, role);
		g_assert(!why || (role == ROLE_BEFORE_QUEUE ? strcmp(why, "bypass_clients")
							    : strcmp(why, "bypass_recipients")) == 0);
		const char *mode = envelope_mail_mode(policy, &env, role);
		/* text_domains is set: before the queue every message is text */
		g_assert(strcmp(mode, "text") == 0 ||
			 (role == ROLE_AFTER_QUEUE && strcmp(mode, "sanitize") == 0));
	}
	(void)envelope_role(policy, env.sender);
	GByteArray *m = withheld_message(&env, env.sender, "limit", "20261122T073000-0123456789ab",
					 env.client_addr, env.client_addr);
	check_message(m);
	g_byte_array_unref(m);
	struct postfix_conf *pf = postfix_conf_parse(env.client_addr, env.sender,
						     env.recipients->len ? env.recipients->pdata[0] : NULL);
	for (int i = 0; i < 2; i++) {
		struct postfix_findings f;
		postfix_findings_init(&f);
		postfix_check(pf, i ? inet_policy : policy, &f);
		postfix_findings_clear(&f);
	}
	postfix_conf_free(pf);
	for (guint i = 0; i < env.recipients->len; i++) {
		const char *mode = envelope_recipient_mode(policy, env.recipients->pdata[i],
							   ROLE_AFTER_QUEUE);
		g_assert(strcmp(mode, "text") == 0 || strcmp(mode, "sanitize") == 0);
	}
	if (env.client_addr && store_id_valid(env.client_addr)) {
		g_assert(strlen(env.client_addr) == 28);
		g_assert(strspn(env.client_addr, "0123456789abcdefT-") == 28);
	}
	envelope_clear(&env);
	return 0;
}
