/*
 * NAME
 *	policy.c - load mugaika.conf into a struct cdr_policy
 * SUMMARY
 *	Table-driven: each key has a type, a default and a range. Parsing is
 *	GLib's key-file; line numbers for error messages are found by scanning
 *	the text, since GKeyFile does not report them.
 * DESCRIPTION
 *	Sizes accept K, M, G suffixes (powers of 1024), durations s, m, h,
 *	d (a bare number is seconds). An unknown group or
 *	key, a value out of range or of the wrong form is an error of the form
 *	"FILE:LINE: [group] key: problem"; nothing is silently ignored.
 */
#include "policy.h"

#include <errno.h>
#include <gio/gio.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "links.h"
#include "submit.h"

#define KEY(g, k, t, field, def, lo, hi)                                                           \
	{                                                                                          \
		g, k, t, offsetof(struct cdr_policy, field), def, lo, hi, NULL, NULL               \
	}
#define CHOICE(g, k, field, def, choices)                                                          \
	{                                                                                          \
		g, k, CDR_KEY_STRING, offsetof(struct cdr_policy, field), def, 0, 0, choices, NULL \
	}
#define CHECKED_LIST(g, k, field, def, refuse)                                                     \
	{                                                                                          \
		g, k, CDR_KEY_LIST, offsetof(struct cdr_policy, field), def, 0, 0, NULL, refuse    \
	}
#define CHECKED_STRING(g, k, field, def, refuse)                                                   \
	{                                                                                          \
		g, k, CDR_KEY_STRING, offsetof(struct cdr_policy, field), def, 0, 0, NULL, refuse  \
	}
#define G_MiB (1024ull * 1024)
#define G_GiB (1024ull * G_MiB)

/* A subject template: one line of text that names {subject}. */
static const char *
subject_template_refusal(const char *value)
{
	for (const char *c = value; *c; c++)
		if ((guchar)*c < 0x20 || *c == 0x7f)
			return "a subject template is one line without control characters";
	return strstr(value, "{subject}") ? NULL : "a subject template must contain {subject}";
}

/* [web] base_url: an http(s) URL of printable ASCII, no query. */
static const char *
base_url_refusal(const char *value)
{
	if (!g_str_has_prefix(value, "https://") && !g_str_has_prefix(value, "http://"))
		return "a base URL begins with https:// (or http://)";
	for (const char *c = value; *c; c++)
		if (*c <= 0x20 || *c >= 0x7f || strchr("\"'<>\\`{}|^?#", *c))
			return "a base URL is printable ASCII without quotes, spaces, ? or #";
	return strlen(value) > 200 ? "a base URL of at most 200 characters" : NULL;
}

/* [web] trust_proxy_user: an HTTP header name. */
static const char *
header_name_refusal(const char *value)
{
	for (const char *c = value; *c; c++)
		if (!g_ascii_isalnum(*c) && *c != '-' && *c != '_')
			return "a header name is letters, digits, - and _";
	return NULL;
}

/* [web] auto_approve: attachment kinds (cdr-web(8)). */
static const char *
attachment_kind_refusal(const char *value)
{
	static const char *const kinds[] = { "text", "image", "pdf", "office", NULL };
	return g_strv_contains(kinds, value) ? NULL
					     : "an attachment kind is text, image, pdf or office";
}

const struct cdr_policy_key cdr_policy_keys[] = {
	KEY("limits", "max_input_bytes", CDR_KEY_SIZE, max_input_bytes, "100M", 1, 2 * G_GiB),
	KEY("limits", "max_expanded_bytes", CDR_KEY_SIZE, max_expanded_bytes, "8G", 1,
	    1024 * G_GiB),
	KEY("limits", "max_depth", CDR_KEY_UINT, max_depth, "8", 0, 64),
	KEY("limits", "max_children", CDR_KEY_UINT, max_children, "10000", 0, 10000000),
	KEY("limits", "max_ratio", CDR_KEY_UINT, max_ratio, "200", 1, 1000000),
	KEY("limits", "max_image_pixels", CDR_KEY_UINT, max_image_pixels, "100000000", 1,
	    G_MAXUINT32),
	KEY("limits", "max_image_frames", CDR_KEY_UINT, max_image_frames, "2000", 1, 1000000),
	KEY("limits", "job_wall_seconds", CDR_KEY_UINT, job_wall_seconds, "60", 1, 86400),
	KEY("limits", "job_cpu_seconds", CDR_KEY_UINT, job_cpu_seconds, "30", 1, 86400),
	KEY("limits", "worker_memory_bytes", CDR_KEY_SIZE, worker_memory_bytes, "1G", 64 * G_MiB,
	    1024 * G_GiB),
	KEY("workers", "workers", CDR_KEY_UINT, workers, "0", 0, 1024),
	KEY("workers", "jobs_per_worker", CDR_KEY_UINT, jobs_per_worker, "500", 1, 1000000),
	KEY("names", "blocked_extensions", CDR_KEY_LIST, blocked_extensions, "", 0, 0),
	KEY("csv", "neutralize_formulas", CDR_KEY_BOOL, csv_neutralize_formulas, "true", 0, 0),
	KEY("pdf", "max_pages", CDR_KEY_UINT, pdf_max_pages, "10000", 1, 10000000),
	KEY("pdf", "max_objects", CDR_KEY_UINT, pdf_max_objects, "1000000", 1, 100000000),
	KEY("pdf", "max_stream_bytes", CDR_KEY_SIZE, pdf_max_stream_bytes, "256M", 1, 1024 * G_GiB),
	KEY("pdf", "neutralize_links", CDR_KEY_BOOL, pdf_neutralize_links, "false", 0, 0),
	CHECKED_LIST("links", "schemes", links_schemes, "http https mailto",
		     cdr_link_scheme_refusal),
	KEY("office", "neutralize_links", CDR_KEY_BOOL, office_neutralize_links, "false", 0, 0),
	KEY("office", "max_xml_part_bytes", CDR_KEY_SIZE, office_max_xml_part_bytes, "64M", 1024,
	    4 * G_GiB),
	CHOICE("mail", "mode", mail_mode, "text", "text|sanitize"),
	CHOICE("mail", "notice", mail_notice, "top", "top|bottom"),
	CHOICE("mail", "subject_tag", mail_subject_tag, "", NULL),
	CHOICE("mail", "charset", mail_charset, "utf-8", "utf-8|iso-2022-jp"),
	CHOICE("mail", "notice_contact", mail_notice_contact, "", NULL),
	CHOICE("mail", "notice_template", mail_notice_template, "", NULL),
	KEY("mail", "max_header_bytes", CDR_KEY_SIZE, mail_max_header_bytes, "256K", 1024, G_GiB),
	KEY("mail", "max_line_bytes", CDR_KEY_SIZE, mail_max_line_bytes, "1M", 998, G_GiB),
	KEY("mail", "max_headers", CDR_KEY_UINT, mail_max_headers, "500", 10, 100000),
	KEY("mail", "text_domains", CDR_KEY_LIST, mail_text_domains, "", 0, 0),
	KEY("mail", "sanitize_domains", CDR_KEY_LIST, mail_sanitize_domains, "", 0, 0),
	KEY("mail", "passwords_in_text", CDR_KEY_BOOL, mail_passwords_in_text, "true", 0, 0),
	CHOICE("mail", "attachment_text", mail_attachment_text, "excerpt", "excerpt|off"),
	KEY("mail", "attachment_text_chars", CDR_KEY_UINT, mail_attachment_text_chars, "2000", 100,
	    100000),
	KEY("mail", "attachment_text_total_chars", CDR_KEY_UINT, mail_attachment_text_total_chars,
	    "10000", 100, 1000000),
	CHOICE("mail", "links", mail_links, "text", "text|defang|remove"),
	KEY("mail", "links_defang_domains", CDR_KEY_LIST, mail_links_defang_domains, "", 0, 0),
	KEY("mail", "links_remove_domains", CDR_KEY_LIST, mail_links_remove_domains, "", 0, 0),
	CHOICE("milter", "socket", milter_socket,
	       "unix:/var/spool/postfix/mugaika/cdr-milter.sock", NULL),
	CHOICE("milter", "socket_mode", milter_socket_mode, "0660", NULL),
	CHOICE("milter", "user", milter_user, "mugaika", NULL),
	CHOICE("milter", "group", milter_group, "mugaika", NULL),
	CHOICE("milter", "pid_file", milter_pid_file, "/run/mugaika/cdr-milter.pid", NULL),
	KEY("milter", "max_message_bytes", CDR_KEY_SIZE, milter_max_message_bytes, "50M", 1024,
	    2 * G_GiB),
	CHOICE("milter", "oversize_action", milter_oversize_action, "reject", "reject|tempfail"),
	CHOICE("milter", "failure_action", milter_failure_action, "tempfail", "tempfail|reject"),
	CHOICE("milter", "blocked_action", milter_blocked_action, "notice", "notice|reject"),
	CHOICE("milter", "quarantine_dir", milter_quarantine_dir, "/var/lib/mugaika/quarantine",
	       NULL),
	KEY("milter", "quarantine_days", CDR_KEY_UINT, milter_quarantine_days, "30", 0, 36500),
	KEY("milter", "quarantine_max_bytes", CDR_KEY_SIZE, milter_quarantine_max_bytes, "0", 0,
	    64 * 1024 * G_GiB),
	CHOICE("milter", "audit_log", milter_audit_log, "/var/log/mugaika/audit.jsonl", NULL),
	KEY("milter", "syslog", CDR_KEY_BOOL, milter_syslog, "true", 0, 0),
	KEY("milter", "bypass_clients", CDR_KEY_LIST, milter_bypass_clients, "", 0, 0),
	KEY("milter", "bypass_recipients", CDR_KEY_LIST, milter_bypass_recipients, "", 0, 0),
	CHOICE("milter", "screen_daemon_name", milter_screen_daemon_name, "mugaika-screen", NULL),
	CHOICE("milter", "after_queue_daemon_name", milter_after_queue_daemon_name,
	       "mugaika-after-queue", NULL),
	CHOICE("av", "clamd", av_clamd, "", NULL),
	KEY("av", "connect_timeout", CDR_KEY_UINT, av_connect_timeout, "5", 1, 600),
	KEY("av", "timeout", CDR_KEY_UINT, av_timeout, "60", 1, 3600),
	KEY("av", "stream_max_bytes", CDR_KEY_SIZE, av_stream_max_bytes, "25M", 1024, 4 * G_GiB - 1),
	CHOICE("av", "on_infected", av_on_infected, "remove", "remove|reject"),
	CHOICE("av", "scan", av_scan, "original+decrypted", "original|original+decrypted"),
	CHOICE("av", "clamd_conf", av_clamd_conf, "", NULL),
	KEY("ppap", "pair_window", CDR_KEY_DURATION, ppap_pair_window, "30m", 0, 7 * 86400),
	KEY("ppap", "max_tries", CDR_KEY_UINT, ppap_max_tries, "10", 1, 100),
	KEY("ppap", "mask_password", CDR_KEY_BOOL, ppap_mask_password, "false", 0, 0),
	KEY("ppap", "text_mode_delivery", CDR_KEY_BOOL, ppap_text_mode_delivery, "false", 0, 0),
	CHECKED_STRING("ppap", "followup_subject", ppap_followup_subject,
		       "【添付ファイル無害化済】{subject}", subject_template_refusal),
	CHECKED_STRING("ppap", "listing_subject", ppap_listing_subject,
		       "【添付ファイルの内容】{subject}", subject_template_refusal),
	CHECKED_STRING("ppap", "followup_from", ppap_followup_from, "", submit_address_refusal),
	CHECKED_STRING("release", "relay", release_relay, "inet:127.0.0.1:10026",
		       submit_relay_refusal),
	CHECKED_STRING("release", "sender", release_sender, "", submit_address_refusal),
	CHECKED_LIST("release", "allowed_recipients", release_allowed_recipients, "",
		     submit_address_refusal),
	KEY("release", "timeout", CDR_KEY_UINT, release_timeout, "60", 1, 3600),
	CHOICE("web", "listen", web_listen, "127.0.0.1:8080", NULL),
	CHOICE("web", "tls_cert", web_tls_cert, "", NULL),
	CHOICE("web", "tls_key", web_tls_key, "", NULL),
	CHECKED_STRING("web", "base_url", web_base_url, "", base_url_refusal),
	CHOICE("web", "secret_file", web_secret_file, "/etc/mugaika/web.key", NULL),
	CHOICE("web", "accounts", web_accounts, "/etc/mugaika/web.passwd", NULL),
	CHECKED_STRING("web", "trust_proxy_user", web_trust_proxy_user, "", header_name_refusal),
	CHOICE("web", "approval", web_approval, "admin", "admin|none"),
	CHECKED_LIST("web", "auto_approve", web_auto_approve, "", attachment_kind_refusal),
	KEY("web", "link_days", CDR_KEY_UINT, web_link_days, "14", 1, 365),
	{ NULL, NULL, 0, 0, NULL, 0, 0, NULL, NULL },
};

/* Keys that were removed because their meaning was unsafe: an old
 * configuration naming one is refused with what to use instead, rather
 * than keeping a meaning the program no longer has. */
static const struct {
	const char *group, *key, *instead;
} retired_keys[] = {
	{ "milter", "bypass_senders",
	  "removed: the envelope sender is whatever an internet client writes, so it "
	  "cannot decide what is converted. Let the LGWAN-side relays in by their "
	  "address: bypass_clients (cdr-milter on the only smtpd), or their own smtpd "
	  "listener without content_filter and milters (after-queue arrangement); "
	  "see cdr-milter(8)" },
};

G_DEFINE_QUARK(cdr-policy-error-quark, cdr_policy_error)

/* 1-based line of `[group]` (key == NULL) or of `key =` inside it; 0 if not found. */
static unsigned
find_line(const char *text, const char *group, const char *key)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	gboolean in_group = FALSE;

	for (unsigned i = 0; lines[i]; i++) {
		const char *l = lines[i];
		while (*l == ' ' || *l == '\t')
			l++;
		if (*l == '[') {
			const char *end = strchr(l, ']');
			in_group = end && (gsize)(end - l - 1) == strlen(group) &&
				   strncmp(l + 1, group, end - l - 1) == 0;
			if (in_group && !key)
				return i + 1;
			continue;
		}
		if (in_group && key && g_str_has_prefix(l, key)) {
			const char *rest = l + strlen(key);
			while (*rest == ' ' || *rest == '\t')
				rest++;
			if (*rest == '=' || *rest == '[')
				return i + 1;
		}
	}
	return 0;
}

/* First line that is neither blank, comment, group nor key=value. */
static unsigned
find_syntax_error_line(const char *text)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	for (unsigned i = 0; lines[i]; i++) {
		g_autofree char *l = g_strstrip(g_strdup(lines[i]));
		if (!*l || *l == '#')
			continue;
		if (*l == '[' && l[strlen(l) - 1] == ']')
			continue;
		if (strchr(l, '=') && *l != '=')
			continue;
		return i + 1;
	}
	return 0;
}

static gboolean
fail(GError **error, const char *origin, const char *text, const char *group, const char *key,
     const char *fmt, ...) G_GNUC_PRINTF(6, 7);

static gboolean
fail(GError **error, const char *origin, const char *text, const char *group, const char *key,
     const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	g_autofree char *msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	unsigned line = text ? find_line(text, group, key) : 0;
	g_autofree char *where = line ? g_strdup_printf("%s:%u", origin, line) : g_strdup(origin);
	if (key)
		g_set_error(error, CDR_POLICY_ERROR, 0, "%s: [%s] %s: %s", where, group, key, msg);
	else
		g_set_error(error, CDR_POLICY_ERROR, 0, "%s: [%s]: %s", where, group, msg);
	return FALSE;
}

/* The multiplier of a number's suffix: K, M, G for sizes (powers of
 * 1024), s, m, h, d for durations (seconds); 0 when there is none. */
static guint64
suffix_multiplier(enum cdr_key_type type, char suffix)
{
	if (type == CDR_KEY_SIZE) {
		switch (g_ascii_toupper(suffix)) {
		case 'K': return 1024;
		case 'M': return G_MiB;
		case 'G': return G_GiB;
		}
	} else if (type == CDR_KEY_DURATION) {
		switch (suffix) {
		case 's': return 1;
		case 'm': return 60;
		case 'h': return 3600;
		case 'd': return 86400;
		}
	}
	return 0;
}

static gboolean
parse_uint(const char *s, enum cdr_key_type type, guint64 *out)
{
	char *end;
	errno = 0;
	if (!g_ascii_isdigit(*s))
		return FALSE;
	guint64 v = g_ascii_strtoull(s, &end, 10);
	if (errno)
		return FALSE;
	guint64 mult = 1;
	if (*end) {
		mult = suffix_multiplier(type, *end);
		if (!mult)
			return FALSE;
		end++;
	}
	if (*end || (v && mult > G_MAXUINT64 / v))
		return FALSE;
	*out = v * mult;
	return TRUE;
}

gboolean
cdr_policy_parse_size(const char *text, guint64 *bytes)
{
	return parse_uint(text, TRUE, bytes);
}

static gboolean
set_value(struct cdr_policy *p, const struct cdr_policy_key *k, const char *value,
	  char **problem)
{
	void *field = (char *)p + k->offset;
	guint64 v;

	switch (k->type) {
	case CDR_KEY_UINT:
	case CDR_KEY_SIZE:
	case CDR_KEY_DURATION:
		if (!parse_uint(value, k->type, &v)) {
			*problem = g_strdup_printf(
				"'%s' is not a %s", value,
				k->type == CDR_KEY_SIZE ? "size (a number, optionally K, M or G)"
				: k->type == CDR_KEY_DURATION
					? "duration (seconds, or a number with s, m, h or d)"
					: "whole number");
			return FALSE;
		}
		if (v < k->min || v > k->max) {
			*problem = g_strdup_printf("%s is out of range (%" G_GUINT64_FORMAT
						   " to %" G_GUINT64_FORMAT ")",
						   value, k->min, k->max);
			return FALSE;
		}
		*(guint64 *)field = v;
		return TRUE;
	case CDR_KEY_BOOL:
		if (g_ascii_strcasecmp(value, "true") == 0 || strcmp(value, "1") == 0 ||
		    g_ascii_strcasecmp(value, "yes") == 0)
			*(gboolean *)field = TRUE;
		else if (g_ascii_strcasecmp(value, "false") == 0 || strcmp(value, "0") == 0 ||
			 g_ascii_strcasecmp(value, "no") == 0)
			*(gboolean *)field = FALSE;
		else {
			*problem = g_strdup_printf("'%s' is not true or false", value);
			return FALSE;
		}
		return TRUE;
	case CDR_KEY_STRING:
		if (k->choices) {
			g_auto(GStrv) choices = g_strsplit(k->choices, "|", -1);
			if (!g_strv_contains((const char *const *)choices, value)) {
				g_autofree char *shown = g_strjoinv(", ", choices);
				*problem = g_strdup_printf("'%s' is not one of %s", value, shown);
				return FALSE;
			}
		}
		const char *why = *value && k->refuse_item ? k->refuse_item(value) : NULL;
		if (why) {
			*problem = g_strdup_printf("'%s': %s", value, why);
			return FALSE;
		}
		g_free(*(char **)field);
		*(char **)field = g_strdup(value);
		return TRUE;
	case CDR_KEY_LIST: {
		char **list = g_strsplit_set(value, ";, ", -1);
		GPtrArray *kept = g_ptr_array_new();
		const char *refusal = NULL;
		for (char **s = list; *s && !refusal; s++) {
			if (!**s)
				continue;
			char *item = g_ascii_strdown(*s[0] == '.' ? *s + 1 : *s, -1);
			g_ptr_array_add(kept, item);
			if (k->refuse_item && (refusal = k->refuse_item(item)))
				*problem = g_strdup_printf("'%s': %s", item, refusal);
		}
		g_ptr_array_add(kept, NULL);
		g_strfreev(list);
		if (refusal) {
			g_strfreev((char **)g_ptr_array_free(kept, FALSE));
			return FALSE;
		}
		g_strfreev(*(char ***)field);
		*(char ***)field = (char **)g_ptr_array_free(kept, FALSE);
		return TRUE;
	}
	}
	g_assert_not_reached();
}

struct cdr_policy *
cdr_policy_new_default(void)
{
	struct cdr_policy *p = g_new0(struct cdr_policy, 1);
	for (const struct cdr_policy_key *k = cdr_policy_keys; k->key; k++) {
		g_autofree char *problem = NULL;
		gboolean ok = set_value(p, k, k->default_value, &problem);
		g_assert(ok); /* defaults are part of the program */
	}
	return p;
}

static const struct cdr_policy_key *
lookup_key(const char *group, const char *key)
{
	for (const struct cdr_policy_key *k = cdr_policy_keys; k->key; k++)
		if (strcmp(k->group, group) == 0 && strcmp(k->key, key) == 0)
			return k;
	return NULL;
}

static const char *
retired_key(const char *group, const char *key)
{
	for (guint i = 0; i < G_N_ELEMENTS(retired_keys); i++)
		if (strcmp(retired_keys[i].group, group) == 0 && strcmp(retired_keys[i].key, key) == 0)
			return retired_keys[i].instead;
	return NULL;
}

static gboolean
known_group(const char *group)
{
	for (const struct cdr_policy_key *k = cdr_policy_keys; k->key; k++)
		if (strcmp(k->group, group) == 0)
			return TRUE;
	return FALSE;
}

struct cdr_policy *
cdr_policy_load_data(const char *data, gsize len, const char *origin, GError **error)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autofree char *text = g_strndup(data, len);
	g_autoptr(GError) local = NULL;

	if (!g_key_file_load_from_data(kf, text, -1, G_KEY_FILE_NONE, &local)) {
		unsigned line = find_syntax_error_line(text);
		if (line)
			g_set_error(error, CDR_POLICY_ERROR, 0, "%s:%u: %s", origin, line,
				    local->message);
		else
			g_set_error(error, CDR_POLICY_ERROR, 0, "%s: %s", origin, local->message);
		return NULL;
	}

	g_autoptr(cdr_policy) p = cdr_policy_new_default();
	g_auto(GStrv) groups = g_key_file_get_groups(kf, NULL);
	for (char **g = groups; *g; g++) {
		if (!known_group(*g)) {
			fail(error, origin, text, *g, NULL, "unknown section");
			return NULL;
		}
		g_auto(GStrv) keys = g_key_file_get_keys(kf, *g, NULL, NULL);
		for (char **key = keys; key && *key; key++) {
			const struct cdr_policy_key *k = lookup_key(*g, *key);
			const char *retired = k ? NULL : retired_key(*g, *key);
			if (retired) {
				fail(error, origin, text, *g, *key, "%s", retired);
				return NULL;
			}
			if (!k) {
				fail(error, origin, text, *g, *key, "unknown key");
				return NULL;
			}
			g_autofree char *raw = g_key_file_get_value(kf, *g, *key, NULL);
			g_autofree char *value = g_strstrip(g_strdup(raw ? raw : ""));
			g_autofree char *problem = NULL;
			if (!set_value(p, k, value, &problem)) {
				fail(error, origin, text, *g, *key, "%s", problem);
				return NULL;
			}
		}
	}
	/* nowhere to submit a follow-up: no pairing, and no notice promising one */
	if (!*p->release_relay)
		p->ppap_pair_window = 0;
	return g_steal_pointer(&p);
}

struct cdr_policy *
cdr_policy_load(const char *path, GError **error)
{
	if (!path) {
		if (access(CDR_DEFAULT_CONFIG, F_OK) != 0)
			return cdr_policy_new_default();
		path = CDR_DEFAULT_CONFIG;
	}
	g_autofree char *data = NULL;
	gsize len = 0;
	if (!g_file_get_contents(path, &data, &len, error))
		return NULL;
	return cdr_policy_load_data(data, len, path, error);
}

char *
cdr_policy_to_data(const struct cdr_policy *p, gsize *len)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	for (const struct cdr_policy_key *k = cdr_policy_keys; k->key; k++) {
		const void *field = (const char *)p + k->offset;
		g_autofree char *v = NULL;
		switch (k->type) {
		case CDR_KEY_UINT:
		case CDR_KEY_SIZE:
		case CDR_KEY_DURATION:
			v = g_strdup_printf("%" G_GUINT64_FORMAT, *(const guint64 *)field);
			break;
		case CDR_KEY_BOOL:
			v = g_strdup(*(const gboolean *)field ? "true" : "false");
			break;
		case CDR_KEY_LIST: {
			char *const *list = *(char *const *const *)field;
			v = list ? g_strjoinv(",", (char **)list) : g_strdup("");
			break;
		}
		case CDR_KEY_STRING:
			v = g_strdup(*(char *const *)field);
			break;
		}
		g_key_file_set_value(kf, k->group, k->key, v);
	}
	return g_key_file_to_data(kf, len, NULL);
}

void
cdr_policy_free(struct cdr_policy *p)
{
	if (!p)
		return;
	for (const struct cdr_policy_key *k = cdr_policy_keys; k->key; k++) {
		if (k->type == CDR_KEY_LIST)
			g_strfreev(*(char ***)((char *)p + k->offset));
		else if (k->type == CDR_KEY_STRING)
			g_free(*(char **)((char *)p + k->offset));
	}
	g_free(p);
}

unsigned
cdr_policy_worker_count(const struct cdr_policy *p)
{
	if (p->workers)
		return (unsigned)p->workers;
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)n : 1;
}
