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
				       "無害化したファイルの受け取り / Get the files disarmed: "
				       "{release_url}\n"
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

#define LISTING_MAX_LINES 200

/* What the engine would do with one file inside a listed zip. */
static char *
member_fate(const struct cdr_report *c, gboolean japanese)
{
	if (c->verdict == CDR_CLEAN)
		return g_strdup(japanese ? "そのままお届けできます" : "can be delivered as it is");
	if (c->verdict == CDR_SANITIZED) {
		g_autofree char *acts = cdr_report_action_summary(c);
		return g_strdup_printf(japanese ? "無害化してお届けできます（取り除くもの: %s）"
						: "can be delivered disarmed (removed: %s)",
				       acts);
	}
	if (c->error == CDR_E_MALWARE)
		return g_strdup_printf(japanese ? "ウイルスを検出したためお届けできません (%s)"
						: "cannot be delivered: virus found (%s)",
				       c->malware);
	return g_strdup_printf(japanese ? "お届けできません（%s）" : "cannot be delivered (%s)",
			       c->reason ? c->reason : "?");
}

/* The files inside an opened zip, one line each, nested zips indented. */
static void
append_members(GString *s, const struct cdr_report *r, unsigned depth, gboolean japanese,
	       unsigned *lines)
{
	for (guint i = 0; i < r->children->len; i++) {
		const struct cdr_report *c = r->children->pdata[i];
		if (++*lines > LISTING_MAX_LINES) {
			g_string_append_printf(s, japanese ? "\n%*s（ほか %u 件）" : "\n%*s(and %u more)",
					       (int)(6 + 2 * depth), "", r->children->len - i);
			return;
		}
		g_autofree char *name = mime_visible_text(c->name ? c->name : "?");
		g_autofree char *size = size_text(c->size_in);
		g_autofree char *fate = member_fate(c, japanese);
		const char *type = c->detected ? c->detected : c->out_type ? c->out_type : "?";
		g_string_append_printf(s, "\n%*s- %s (%s, %s): %s", (int)(6 + 2 * depth), "", name, type,
				       size, fate);
		if (g_strcmp0(c->handler, "archive") == 0 && depth < 8)
			append_members(s, c, depth + 1, japanese, lines);
	}
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
		if (a->listed) {
			g_string_append(s, japanese ? "削除（パスワードで開いて中身を確認しました。この"
						      "あて先にはテキストだけをお届けします）:"
						    : "removed: opened with the password and checked; "
						      "only text is delivered to this address:");
			unsigned lines = 0;
			append_members(s, a->report, 0, japanese, &lines);
		} else if (a->kept && japanese)
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
	    const char *contact, const char *quarantine_id, const char *release_url)
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
	g_hash_table_insert(values, "release_url", g_strdup(release_url ? release_url : ""));

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

/* ---- follow-ups and password-protected attachments ---------------------------- */

char *
mime_followup_intro(const char *kind, const char *release_url)
{
	g_autoptr(GHashTable) values = g_hash_table_new(g_str_hash, g_str_equal);
	/* the web console's link ([web] base_url); the line goes without one */
	g_hash_table_insert(values, "release_link", (gpointer)(release_url ? release_url : ""));
	static const char followup[] =
		"【パスワード付きファイルのお届け】\n"
		"先に届いたメールのパスワード付きファイルを、あとから届いたメールのパスワードで開き、"
		"無害化してお届けします。元のメールの本文はこの下にあります。\n"
		"[mugaika follow-up] The password-protected files of an earlier message were "
		"opened with the password sent in a later message and are delivered disarmed; the "
		"earlier message's text follows.\n";
	static const char listing[] =
		"【パスワード付きファイルの中身のお知らせ】\n"
		"先に届いたメールのパスワード付きファイルを、あとから届いたメールのパスワードで開き、"
		"中身を確かめました。このあて先にはテキストだけをお届けする設定のため、ファイルそのものは"
		"お届けしていません。中身の一覧はこの下のお知らせにあります。"
		"ファイルが必要な場合は、お知らせの保管番号を添えて管理者に取り出しを依頼してください"
		"（無害化したファイルをお届けします）。\n"
		"取り出しの依頼 / Ask for the files: {release_link}\n"
		"[mugaika follow-up] The password-protected files of an earlier message were "
		"opened with the password sent in a later message and checked; only text is "
		"delivered to this address, so the files are listed below, not attached. To get "
		"them disarmed, ask the administrator to release them, giving the number the "
		"original is kept under (below).\n";
	static const char release[] =
		"【保管していたメールのお届け】\n"
		"ゲートウェイで保管していたメールを、取り出しの依頼により無害化してお届けします。\n"
		"[mugaika release] This message was kept at the gateway and is delivered disarmed, "
		"as requested.\n";
	const char *tmpl = strcmp(kind, "listing") == 0 ? listing
			   : strcmp(kind, "release") == 0 ? release
							   : followup;
	g_auto(GStrv) lines = g_strsplit(tmpl, "\n", -1);
	GString *out = g_string_new(NULL);
	for (char **l = lines; *l; l++)
		if (**l)
			render_line(out, *l, values);
	return g_string_free(out, FALSE);
}

/* The first report of the tree blocked as password-protected, or NULL. */
static const struct cdr_report *
find_encrypted(const struct cdr_report *r)
{
	if (r->verdict == CDR_BLOCKED && r->error == CDR_E_ENCRYPTED)
		return r;
	for (guint i = 0; i < r->children->len; i++) {
		const struct cdr_report *e = find_encrypted(r->children->pdata[i]);
		if (e)
			return e;
	}
	return NULL;
}

/* "30分" / "30 minutes", "2時間" / "2 hours". */
static char *
window_text(guint64 seconds, gboolean japanese)
{
	if (seconds % 3600 == 0)
		return g_strdup_printf(japanese ? "%" G_GUINT64_FORMAT "時間" : "%" G_GUINT64_FORMAT
									    " hours",
				       seconds / 3600);
	if (seconds % 60 == 0)
		return g_strdup_printf(japanese ? "%" G_GUINT64_FORMAT "分" : "%" G_GUINT64_FORMAT
									  " minutes",
				       seconds / 60);
	return g_strdup_printf(japanese ? "%" G_GUINT64_FORMAT "秒" : "%" G_GUINT64_FORMAT " seconds",
			       seconds);
}

static void
add_note_once(struct mime_result *res, char *note)
{
	for (guint i = 0; i < res->notes->len; i++)
		if (strcmp(res->notes->pdata[i], note) == 0) {
			g_free(note);
			return;
		}
	g_ptr_array_add(res->notes, note);
}

void
mime_add_encrypted_notes(struct mime_result *res, guint64 pair_window, gboolean delivered)
{
	for (guint i = 0; i < res->attachments->len; i++) {
		const struct mime_attachment *a = res->attachments->pdata[i];
		const struct cdr_report *e = a->report ? find_encrypted(a->report) : NULL;
		if (!e)
			continue;
		g_autofree char *name = mime_visible_text(e->name ? e->name : a->name);
		gboolean zip = g_strcmp0(e->handler, "archive") == 0 &&
			       !strstr(e->reason, "cannot be opened here");
		if (!zip) {
			add_note_once(res, g_strdup_printf(
				"パスワード付きのファイル（%s）は、このゲートウェイでは開けない形式のため"
				"削除しました。必要な場合は、送信者にパスワードなしで送り直してもらうか、"
				"保管番号を添えて管理者にお問い合わせください。/ The password-protected "
				"file %s was removed: this gateway cannot open its kind of encryption (7z, "
				"RAR, Office and PDF passwords). Ask the sender to send it without a "
				"password, or ask the administrator, giving the number the original is "
				"kept under.",
				name, name));
		} else if (strstr(e->reason, "tried")) {
			add_note_once(res, g_strdup_printf(
				"パスワード付きZIPファイル（%s）は、試したパスワードでは開けないため削除"
				"しました。/ The password-protected zip file %s was removed: none of the "
				"passwords tried opens it.",
				name, name));
		} else if (pair_window) {
			g_autofree char *ja = window_text(pair_window, TRUE);
			g_autofree char *en = window_text(pair_window, FALSE);
			add_note_once(res, g_strdup_printf(
				"パスワード付きZIPファイル（%s）は中身を確かめられないため削除しました。"
				"送信者がパスワードを別のメールで送り、それが%s以内に届けば、%s"
				"/ The password-protected zip file %s was removed: its content cannot be "
				"checked. If the sender sends the password in another message that "
				"arrives within %s, %s",
				name, ja,
				delivered ? "無害化したファイルを改めてお届けします。"
					  : "中身の一覧を改めてお届けします（このあて先にはテキストだけを"
					    "お届けします）。",
				name, en,
				delivered ? "the file is delivered again, disarmed."
					  : "a list of what it holds is sent (only text is delivered to "
					    "this address)."));
		} else {
			add_note_once(res, g_strdup_printf(
				"パスワード付きZIPファイル（%s）は中身を確かめられないため削除しました。"
				"/ The password-protected zip file %s was removed: its content cannot be "
				"checked.",
				name, name));
		}
	}
}
