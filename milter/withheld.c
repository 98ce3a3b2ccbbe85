/*
 * NAME
 *	withheld.c - write the notice-only replacement message
 * SUMMARY
 *	See withheld.h. Headers are ASCII (the subject an RFC 2047 word);
 *	an envelope address with anything unusual in it is not copied into a
 *	header, only into the base64 text.
 */
#include "withheld.h"

#include <string.h>

static const char subject[] = "[無害化] 配送を保留したメール / Message withheld";

static gboolean
plain_address(const char *a)
{
	if (!a || !*a || strlen(a) > 254 || !strchr(a, '@'))
		return FALSE;
	for (const char *c = a; *c; c++)
		if (!g_ascii_isalnum(*c) && !strchr(".!#$%&'*+/=?^_`{|}~@-", *c))
			return FALSE;
	return TRUE;
}

static const char *
safe_host(const char *h)
{
	static const char ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-";
	return h && *h && strspn(h, ok) == strlen(h) ? h : "localhost";
}

/* "Sun, 22 Nov 2026 16:32:00 +0900", whatever the locale */
static char *
rfc5322_date(void)
{
	static const char *const days[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	g_autoptr(GDateTime) now = g_date_time_new_now_local();
	g_autofree char *rest = g_date_time_format(now, "%Y %H:%M:%S %z");
	return g_strdup_printf("%s, %02d %s %s", days[g_date_time_get_day_of_week(now) - 1],
			       g_date_time_get_day_of_month(now),
			       months[g_date_time_get_month(now) - 1], rest);
}

static void
append_base64_lines(GString *out, const char *text)
{
	g_autofree char *b64 = g_base64_encode((const guchar *)text, strlen(text));
	for (gsize i = 0, n = strlen(b64); i < n; i += 76) {
		g_string_append_len(out, b64 + i, (gssize)MIN(76, n - i));
		g_string_append(out, "\r\n");
	}
}

static char *
notice_text(const struct envelope *env, const char *reason, gboolean malware, const char *id,
	    const char *contact)
{
	const char *sender = env->sender && *env->sender ? env->sender : "<>";
	g_autofree char *why = g_utf8_make_valid(reason ? reason : "unknown", -1);
	GString *s = g_string_new("【無害化のお知らせ】\n");
	g_string_append(s, malware ? "このメールからウイルスを検出したため、"
				     "本文と添付ファイルをお届けしていません。\n"
				   : "このメールは安全な形に変換できなかったため、"
				     "本文と添付ファイルをお届けしていません。\n");
	g_string_append_printf(s, "  差出人: %s\n  理由: %s\n  原本の保管番号: %s\n", sender, why,
			       id);
	g_string_append(s, malware ? "原本はウイルスとして保管しています。開かずに、"
				     "管理者にお問い合わせください。\n\n"
				   : "必要な場合は、保管番号を添えて管理者にお問い合わせください。\n\n");
	g_string_append(s, malware ? "[mugaika notice]\n"
				     "A virus was found in this message, so its text and attachments "
				     "were withheld.\n"
				   : "[mugaika notice]\n"
				     "This message could not be made safe, so its text and attachments "
				     "were withheld.\n");
	g_string_append_printf(s, "  Sender: %s\n  Reason: %s\n  Original kept as: %s\n", sender,
			       why, id);
	g_string_append(s, "Ask your administrator for it, quoting the id above.\n");
	if (contact && *contact)
		g_string_append_printf(s, "お問い合わせ / Contact: %s\n", contact);
	/* CRLF for the wire */
	g_autofree char *lf = g_string_free(s, FALSE);
	g_auto(GStrv) lines = g_strsplit(lf, "\n", -1);
	return g_strjoinv("\r\n", lines);
}

GByteArray *
withheld_message(const struct envelope *env, const char *reason, const char *error_name,
		 const char *id, const char *contact, const char *hostname)
{
	GString *m = g_string_new(NULL);
	const char *host = safe_host(hostname);
	if (plain_address(env->sender))
		g_string_append_printf(m, "From: <%s>\r\n", env->sender);
	else
		g_string_append_printf(m, "From: <postmaster@%s>\r\n", host);
	const char *sep = "To: ";
	for (guint i = 0; i < env->recipients->len; i++) {
		const char *r = env->recipients->pdata[i];
		if (!plain_address(r))
			continue;
		g_string_append_printf(m, "%s<%s>", sep, r);
		sep = ",\r\n ";
	}
	if (*sep == ',')
		g_string_append(m, "\r\n");
	g_autofree char *subj = g_base64_encode((const guchar *)subject, strlen(subject));
	g_string_append_printf(m, "Subject: =?UTF-8?B?%s?=\r\n", subj);
	g_autofree char *date = rfc5322_date();
	g_string_append_printf(m, "Date: %s\r\n", date);
	g_string_append_printf(m, "Message-ID: <%s.withheld@%s>\r\n", id, host);
	g_string_append(m, "MIME-Version: 1.0\r\n"
			   "Content-Type: text/plain; charset=utf-8\r\n"
			   "Content-Transfer-Encoding: base64\r\n");
	g_string_append_printf(m, "X-Mugaika: verdict=blocked; id=%s; error=%s\r\n\r\n", id,
			       error_name);
	g_autofree char *text =
		notice_text(env, reason, g_strcmp0(error_name, "malware") == 0, id, contact);
	append_base64_lines(m, text);
	gsize len = m->len;
	return g_byte_array_new_take((guint8 *)g_string_free(m, FALSE), len);
}
