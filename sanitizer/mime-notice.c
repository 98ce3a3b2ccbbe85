/*
 * NAME
 *	mime-notice.c - the notice that tells the reader what was changed
 * SUMMARY
 *	Japanese first, then English: what was converted, every attachment
 *	with name, type, size and what happened to it, further notes
 *	(signature dropped, encrypted content removed, undecodable text),
 *	where the original is kept and whom to ask. No notice when nothing
 *	needs telling.
 * DESCRIPTION
 *	An attachment removed for a virus says so, with the signature name:
 *	"ウイルスを検出したため削除しました (NAME)".
 *
 *	The text comes from a template: [mail] notice_template, or the
 *	built-in one below. A {placeholder} is replaced by its value; a line
 *	holding a placeholder whose value is empty is left out, so "Contact:
 *	{contact}" disappears when no contact is configured.
 */
#include <string.h>

#include "mime-words.h"
#include "mime.h"

static const char builtin_template[] = "【無害化のお知らせ】\n"
				       "{html_ja}\n"
				       "{attachments_ja}\n"
				       "[mugaika notice]\n"
				       "{html_en}\n"
				       "{attachments_en}\n"
				       "{notes}\n"
				       "原本の保管番号 / Original kept as: {quarantine_id}\n"
				       "お問い合わせ / Contact: {contact}\n"
				       "----------------------------------------\n";

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

/* The heading and one line per attachment, without the last newline. */
static char *
attachment_list(const struct mime_result *res, gboolean sanitize_mode, gboolean japanese)
{
	if (!res->attachments->len)
		return g_strdup("");
	GString *s = g_string_new(japanese ? (sanitize_mode ? "添付ファイルを無害化しました:"
							    : "添付ファイルはすべて削除しました:")
					   : (sanitize_mode ? "Attachments were disarmed:"
							    : "All attachments were removed:"));
	for (guint i = 0; i < res->attachments->len; i++) {
		const struct mime_attachment *a = res->attachments->pdata[i];
		g_autofree char *size = size_text(a->size);
		g_autofree char *name = mime_visible_text(a->name);
		g_string_append_printf(s, japanese ? "\n  ・%s (%s, %s): " : "\n  - %s (%s, %s): ",
				       name, a->type, size);
		if (a->kept && japanese)
			g_string_append_printf(s, "無害化して添付 → %s", a->kept_name);
		else if (a->kept)
			g_string_append_printf(s, "%s, attached as %s", a->what, a->kept_name);
		else if (a->malware && japanese)
			g_string_append_printf(s, "ウイルスを検出したため削除しました (%s)", a->malware);
		else if (japanese)
			g_string_append_printf(s, "削除%s%s", *removal_reason(a) ? " " : "",
					       removal_reason(a));
		else
			g_string_append(s, a->what);
	}
	return g_string_free(s, FALSE);
}

static char *
notes_text(const struct mime_result *res)
{
	GString *s = g_string_new(NULL);
	for (guint i = 0; i < res->notes->len; i++)
		g_string_append_printf(s, "%s%s", i ? "\n" : "", (const char *)res->notes->pdata[i]);
	return g_string_free(s, FALSE);
}

/* Append one template line with its placeholders filled in, unless one
 * of them is empty. Unknown {words} stay as written. */
static void
render_line(GString *out, const char *line, GHashTable *values)
{
	GString *s = g_string_new(NULL);
	for (const char *p = line; *p;) {
		const char *close = *p == '{' ? strchr(p, '}') : NULL;
		if (close) {
			g_autofree char *key = g_strndup(p + 1, (gsize)(close - p - 1));
			const char *value = g_hash_table_lookup(values, key);
			if (value && !*value) {
				g_string_free(s, TRUE);
				return;
			}
			if (value) {
				g_string_append(s, value);
				p = close + 1;
				continue;
			}
		}
		g_string_append_c(s, *p++);
	}
	g_string_append(out, s->str);
	g_string_append_c(out, '\n');
	g_string_free(s, TRUE);
}

char *
mime_notice(const struct mime_result *res, gboolean sanitize_mode, const char *template_text,
	    const char *contact, const char *quarantine_id)
{
	if (!res->html && !res->attachments->len && !res->notes->len)
		return NULL;
	g_autoptr(GHashTable) values = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
	g_hash_table_insert(values, "html_ja",
			    g_strdup(res->html ? "HTML形式の本文をテキストに変換しました。" : ""));
	g_hash_table_insert(values, "html_en",
			    g_strdup(res->html ? "The HTML body was converted to plain text." : ""));
	g_hash_table_insert(values, "attachments_ja", attachment_list(res, sanitize_mode, TRUE));
	g_hash_table_insert(values, "attachments_en", attachment_list(res, sanitize_mode, FALSE));
	g_hash_table_insert(values, "notes", notes_text(res));
	g_hash_table_insert(values, "quarantine_id", g_strdup(quarantine_id ? quarantine_id : ""));
	g_hash_table_insert(values, "contact", g_strdup(contact ? contact : ""));

	/* the config file holds one line: "\n" separates the template's lines */
	g_autofree char *tmpl = template_text && *template_text ? g_strcompress(template_text)
							      : g_strdup(builtin_template);
	g_auto(GStrv) lines = g_strsplit(tmpl, "\n", -1);
	GString *out = g_string_new(NULL);
	for (char **l = lines; *l; l++)
		if (**l || l[1]) /* not the empty rest after the last newline */
			render_line(out, *l, values);
	return g_string_free(out, FALSE);
}
