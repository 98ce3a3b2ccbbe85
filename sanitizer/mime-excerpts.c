/*
 * NAME
 *	mime-excerpts.c - the section of a text-mode mail that shows what the
 *	removed attachments say
 * SUMMARY
 *	Under the heading "──── 添付ファイルの本文（テキスト化・抜粋） ────",
 *	each removed attachment that has an excerpt (or a one-line reason
 *	why it has none) as "■ name" and its text. Names are shown with
 *	bidi and other invisible characters as "[U+XXXX]", as in the notice.
 */
#include "mime-words.h"
#include "mime.h"

char *
mime_excerpt_section(const GPtrArray *attachments)
{
	GString *s = NULL;
	for (guint i = 0; i < attachments->len; i++) {
		const struct mime_attachment *a = attachments->pdata[i];
		if (!a->excerpt)
			continue;
		if (!s)
			s = g_string_new("──── 添付ファイルの本文（テキスト化・抜粋） ────\n");
		g_autofree char *name = mime_visible_text(a->name);
		g_string_append_printf(s, "\n■ %s\n%s\n", name, a->excerpt);
	}
	return s ? g_string_free(s, FALSE) : NULL;
}
