/*
 * NAME
 *	excerpt-ole2.c - the text of a legacy .doc, .xls or .ppt
 * SUMMARY
 *	The compound file is checked as the ole2 handler checks it
 *	(ole2_cfb_check() before libgsf reads it), its kind found from its
 *	main stream, encryption refused, and the main streams read whole,
 *	together at most CDR_EXCERPT_MAX_READ bytes, for the readers of
 *	excerpt-doc.c, excerpt-xls.c and excerpt-ppt.c. An Outlook item (a
 *	__properties_version1.0 stream, or a name ending in .msg) goes to
 *	the .msg reader, excerpt-msg.c.
 * DESCRIPTION
 *	Also here: struct ole2_text, which gathers UTF-16 text (pairs joined,
 *	lone surrogates replaced) and hands it to the excerpt in chunks, so
 *	the readers stop as soon as the excerpt is full or its time is spent.
 */
#include "excerpt-ole2.h"

#include <gsf/gsf-infile-msole.h>
#include <gsf/gsf-infile.h>
#include <gsf/gsf-input-memory.h>
#include <string.h>

#define CHUNK 4096

void
ole2_text_init(struct ole2_text *t, struct cdr_excerpt *x)
{
	t->x = x;
	t->buf = g_string_new(NULL);
	t->high = 0;
	t->more = TRUE;
}

static void
flush(struct ole2_text *t)
{
	if (t->more && t->buf->len)
		t->more = cdr_excerpt_add(t->x, t->buf->str, (gssize)t->buf->len) &&
			  cdr_excerpt_in_time(t->x);
	g_string_truncate(t->buf, 0);
}

static void
add_char(struct ole2_text *t, gunichar c)
{
	g_string_append_unichar(t->buf, c);
	if (t->buf->len >= CHUNK)
		flush(t);
}

void
ole2_text_unit(struct ole2_text *t, guint16 unit)
{
	if (t->high && unit >= 0xDC00 && unit <= 0xDFFF) {
		add_char(t, 0x10000 + ((gunichar)(t->high - 0xD800) << 10) + (unit - 0xDC00));
		t->high = 0;
		return;
	}
	if (t->high)
		add_char(t, 0xFFFD);
	t->high = 0;
	if (unit >= 0xD800 && unit <= 0xDBFF)
		t->high = unit;
	else if (unit >= 0xDC00 && unit <= 0xDFFF)
		add_char(t, 0xFFFD);
	else
		add_char(t, unit);
}

void
ole2_text_ascii(struct ole2_text *t, const char *s)
{
	for (; *s; s++)
		ole2_text_unit(t, (guchar)*s);
}

gboolean
ole2_text_finish(struct ole2_text *t)
{
	if (t->high)
		add_char(t, 0xFFFD);
	t->high = 0;
	flush(t);
	g_string_free(t->buf, TRUE);
	t->buf = NULL;
	return t->more;
}

static GsfInput *
child_named(GsfInfile *root, const char *name)
{
	int n = gsf_infile_num_children(root);
	for (int i = 0; i < n; i++) {
		const char *c = gsf_infile_name_by_index(root, i);
		if (c && g_ascii_strcasecmp(c, name) == 0)
			return gsf_infile_child_by_index(root, i);
	}
	return NULL;
}

/* A stream of the root read whole (NULL data when absent); FALSE when it
 * cannot be read or the streams read pass the limit. */
static gboolean
read_named(GsfInfile *root, const char *name, guint64 *total, GByteArray **out)
{
	*out = NULL;
	GsfInput *s = child_named(root, name);
	if (!s)
		return TRUE;
	gsf_off_t size = gsf_input_size(s);
	gboolean ok = size >= 0 && !(GSF_IS_INFILE(s) && gsf_infile_num_children(GSF_INFILE(s)) >= 0);
	if (ok && (guint64)size > CDR_EXCERPT_MAX_READ - MIN(*total, CDR_EXCERPT_MAX_READ))
		ok = FALSE;
	if (ok) {
		*total += (guint64)size;
		*out = g_byte_array_sized_new((guint)size);
		g_byte_array_set_size(*out, (guint)size);
		ok = size == 0 || gsf_input_read(s, (size_t)size, (*out)->data) != NULL;
	}
	g_object_unref(s);
	return ok;
}

static struct ole2_bytes
bytes(GByteArray *a)
{
	struct ole2_bytes b = { a ? a->data : NULL, a ? a->len : 0 };
	return b;
}

static gboolean
has(GsfInfile *root, const char *name)
{
	GsfInput *s = child_named(root, name);
	if (s)
		g_object_unref(s);
	return s != NULL;
}

#define PASSWORD "（パスワードで保護されているため本文を読めません / protected by a password）"

/* The text of the file's main streams; FALSE with *why. */
static gboolean
read_text(struct cdr_excerpt *x, GsfInfile *root, const char **why)
{
	const char *names[3] = { NULL, NULL, NULL };
	gboolean word = has(root, "WordDocument"), book = has(root, "Workbook"),
		 ppt = has(root, "PowerPoint Document");
	if (has(root, "EncryptedPackage") || has(root, "EncryptionInfo") ||
	    has(root, "EncryptedSummary")) {
		*why = PASSWORD;
		return FALSE;
	}
	if (word + book + ppt != 1) {
		*why = has(root, "Book") && !word && !ppt
			       ? "（Excel 5.0/95 のブックからは本文を抜粋しません / no excerpt for "
				 "an Excel 5.0/95 workbook）"
			       : "（この種類の文書からは本文を抜粋しません / no excerpt for this "
				 "kind of document）";
		return FALSE;
	}
	if (word) {
		names[0] = "WordDocument", names[1] = "0Table", names[2] = "1Table";
	} else if (book) {
		names[0] = "Workbook";
	} else {
		names[0] = "PowerPoint Document", names[1] = "Current User";
	}
	GByteArray *s[3] = { NULL, NULL, NULL };
	guint64 total = 0;
	gboolean ok = TRUE;
	for (unsigned i = 0; i < 3 && ok; i++)
		ok = !names[i] || read_named(root, names[i], &total, &s[i]);
	if (!ok)
		*why = "（大きすぎるか壊れているため読めません / too large or unreadable）";
	else if (word)
		ok = doc_excerpt_text(x, bytes(s[0]), bytes(s[1]), bytes(s[2]), why);
	else if (book)
		ok = xls_excerpt_text(x, bytes(s[0]), why);
	else
		ok = ppt_excerpt_text(x, bytes(s[0]), bytes(s[1]), why);
	for (unsigned i = 0; i < 3; i++)
		if (s[i])
			g_byte_array_unref(s[i]);
	return ok;
}

gboolean
ole2_excerpt(struct cdr_excerpt *x, const struct cdr_input *in, char **reason)
{
	/* an Outlook item, or a file named as one: the .msg reader */
	const char *dot = in->name ? strrchr(in->name, '.') : NULL;
	if (dot && g_ascii_strcasecmp(dot, ".msg") == 0)
		return msg_excerpt(x, in, reason);
	const char *why = ole2_cfb_check(in->data, in->len);
	if (why) {
		*reason = g_strdup_printf("（文書の構造が壊れています / malformed compound file: %s）",
					  why);
		return FALSE;
	}
	GError *err = NULL;
	GsfInput *input = gsf_input_memory_new(in->data, (gsf_off_t)in->len, FALSE);
	GsfInfile *root = input ? gsf_infile_msole_new(input, &err) : NULL;
	if (root && has(root, "__properties_version1.0")) {
		g_object_unref(root);
		g_object_unref(input);
		g_clear_error(&err);
		return msg_excerpt(x, in, reason);
	}
	gboolean ok = root && read_text(x, root, &why);
	if (!root)
		why = "（文書の構造が壊れています / malformed compound file）";
	if (!ok && g_str_has_prefix(why, "（"))
		*reason = g_strdup(why);
	else if (!ok)
		*reason = g_strdup_printf("（文書を読み取れませんでした / unreadable document: %s）",
					  why ? why : "?");
	g_clear_error(&err);
	if (root)
		g_object_unref(root);
	if (input)
		g_object_unref(input);
	return ok;
}
