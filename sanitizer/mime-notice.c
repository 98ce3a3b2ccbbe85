/*
 * NAME
 *	mime-notice.c - the notice that tells the reader what was changed
 * SUMMARY
 *	Japanese first, then English: what was converted, every attachment
 *	with name, type, size and what happened to it, and further notes
 *	(signature dropped, encrypted content removed, undecodable text).
 *	No notice when nothing needs telling.
 */
#include "mime.h"

static char *
size_text(gsize n)
{
	if (n < 1024)
		return g_strdup_printf("%" G_GSIZE_FORMAT " B", n);
	if (n < 1024 * 1024)
		return g_strdup_printf("%.1f KB", (double)n / 1024);
	return g_strdup_printf("%.1f MB", (double)n / (1024 * 1024));
}

/* "removed: REASON" -> "REASON"; "removed" -> "" */
static const char *
removal_reason(const struct mime_attachment *a)
{
	if (a->what && g_str_has_prefix(a->what, "removed: "))
		return a->what + 9;
	return "";
}

static void
list_attachments(GString *s, const struct mime_result *res, gboolean japanese)
{
	for (guint i = 0; i < res->attachments->len; i++) {
		const struct mime_attachment *a = res->attachments->pdata[i];
		g_autofree char *size = size_text(a->size);
		g_string_append_printf(s, japanese ? "  ・%s (%s, %s): " : "  - %s (%s, %s): ",
				       a->name, a->type, size);
		if (a->kept && japanese)
			g_string_append_printf(s, "無害化して添付 → %s\n", a->kept_name);
		else if (a->kept)
			g_string_append_printf(s, "%s, attached as %s\n", a->what, a->kept_name);
		else if (japanese)
			g_string_append_printf(s, "削除%s%s\n", *removal_reason(a) ? " " : "",
					       removal_reason(a));
		else
			g_string_append_printf(s, "%s\n", a->what);
	}
}

char *
mime_notice(const struct mime_result *res, gboolean sanitize_mode, const char *contact,
	    const char *quarantine_id)
{
	if (!res->html && !res->attachments->len && !res->notes->len)
		return NULL;
	GString *s = g_string_new("【無害化のお知らせ】\n");
	if (res->html)
		g_string_append(s, "HTML形式の本文をテキストに変換しました。\n");
	if (res->attachments->len) {
		g_string_append(s, sanitize_mode ? "添付ファイルを無害化しました:\n"
						 : "添付ファイルはすべて削除しました:\n");
		list_attachments(s, res, TRUE);
	}
	g_string_append(s, "[mugaika notice]\n");
	if (res->html)
		g_string_append(s, "The HTML body was converted to plain text.\n");
	if (res->attachments->len) {
		g_string_append(s, sanitize_mode ? "Attachments were disarmed:\n"
						 : "All attachments were removed:\n");
		list_attachments(s, res, FALSE);
	}
	for (guint i = 0; i < res->notes->len; i++)
		g_string_append_printf(s, "%s\n", (const char *)res->notes->pdata[i]);
	if (quarantine_id)
		g_string_append_printf(s, "原本の保管番号 / Original kept as: %s\n", quarantine_id);
	if (contact && *contact)
		g_string_append_printf(s, "お問い合わせ / Contact: %s\n", contact);
	g_string_append(s, "----------------------------------------\n");
	return g_string_free(s, FALSE);
}
