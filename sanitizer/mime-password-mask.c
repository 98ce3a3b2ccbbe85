/*
 * NAME
 *	mime-password-mask.c - the passwords of PPAP masked in a text
 * SUMMARY
 *	mime_mask_passwords() replaces each given password by
 *	"********" where it stands as a word of the text (for one of digits
 *	only, not inside a number either), full-width forms and invisible
 *	characters inside included: the text mode and sanitize mode body,
 *	HTML rendered as text, the notice, attachment names and the subject
 *	all go through it. The subject and names the report records (the
 *	audit log's) are masked wherever a password occurs, inside other
 *	words too (mime_mask_passwords_anywhere()).
 * DESCRIPTION
 *	The text is compared as the extractor reads it (mime-passwords.c):
 *	each character as NFKC gives it, invisible ones dropped, the yen
 *	sign as the backslash it stands for; what is replaced is the
 *	original characters that reading came from.
 */
#include <string.h>

#include "mime-password-chars.h"
#include "mime.h"

/* The text with each character as NFKC reads it (as the extractor read
 * it: "ａｂｃ" is "abc", invisible characters dropped), and where each of
 * its bytes came from. */
struct folded {
	GString *text;
	GArray *origin; /* gsize per byte of text: offset in the original */
};

static void
fold(const char *s, struct folded *f)
{
	f->text = g_string_new(NULL);
	f->origin = g_array_new(FALSE, FALSE, sizeof(gsize));
	for (const char *p = s; *p; p = g_utf8_next_char(p)) {
		gsize before = f->text->len, at = (gsize)(p - s);
		const char *next = g_utf8_next_char(p);
		if (is_invisible(g_utf8_get_char(p)))
			continue; /* "abc&shy;123" is read as "abc123": masked whole */
		g_autofree char *form = (guchar)*p < 0x80 ? NULL
				: g_utf8_normalize(p, next - p, G_NORMALIZE_NFKC);
		char meant = form ? ascii_meant(g_utf8_get_char(form)) : 0;
		if (meant)
			g_string_append_c(f->text, meant);
		else if (form)
			g_string_append(f->text, form);
		else
			g_string_append_len(f->text, p, next - p);
		for (gsize i = before; i < f->text->len; i++)
			g_array_append_val(f->origin, at);
	}
}

/*
 * Does the password at [start, end) of `text` stand inside a longer
 * word? A password with a letter or a symbol only where a letter or digit
 * touches it ("xabc123", "abc1234"): "PW-abc123", "[PW]abc123",
 * ".../abc123/..." and "abc123!" show it. A PIN, all digits, also where
 * it continues a number ("03-1234-5678", "2024/1234", "1234.5"), unless
 * a label's letters or a bracket stand before the dash ("PW-1234").
 */
static gboolean
inside_word(const char *text, gsize start, gsize end, gboolean digits_only)
{
	char before = start ? text[start - 1] : '\0', after = text[end];
	if (g_ascii_isalnum(before) || g_ascii_isalnum(after))
		return TRUE;
	if (!digits_only)
		return FALSE;
	gboolean label_dash = before == '-' && start >= 2 && g_ascii_isalpha(text[start - 2]);
	if (is_token_byte(before) && !strchr(":=|([{<\"'])}>", before) && !label_dash)
		return TRUE;
	if (strchr(".,", after) && after && g_ascii_isdigit(text[end + 1]))
		return TRUE; /* "1234.5", "1234,567" */
	return is_token_byte(after) && !strchr(")]}>\"'.,;:", after);
}

struct range {
	gsize from, to;
};

static gint
by_start(gconstpointer a, gconstpointer b)
{
	const struct range *x = a, *y = b;
	return x->from < y->from ? -1 : x->from > y->from;
}

/* Each of `passwords` in `text` masked: where it stands as a word, or,
 * `anywhere`, inside other words too. */
static guint
mask(GString *text, const char *passwords, gboolean anywhere)
{
	if (!passwords || !*passwords || !text->len)
		return 0;
	/* a text with a NUL or invalid UTF-8 is not the handler's decoded text */
	if (!g_utf8_validate(text->str, (gssize)text->len, NULL))
		return 0;
	struct folded f;
	fold(text->str, &f);
	g_autoptr(GArray) ranges = g_array_new(FALSE, FALSE, sizeof(struct range));
	g_auto(GStrv) list = g_strsplit(passwords, "\n", -1);
	for (char **pw = list; *pw; pw++) {
		gsize n = strlen(*pw);
		if (!n)
			continue;
		gboolean digits_only = count_class(*pw, G_ASCII_DIGIT) == n;
		for (const char *at = strstr(f.text->str, *pw); at; at = strstr(at + 1, *pw)) {
			gsize start = (gsize)(at - f.text->str), end = start + n;
			if (!anywhere && inside_word(f.text->str, start, end, digits_only))
				continue;
			gsize last = g_array_index(f.origin, gsize, end - 1);
			struct range r = {
				.from = g_array_index(f.origin, gsize, start),
				.to = (gsize)(g_utf8_next_char(text->str + last) - text->str),
			};
			g_array_append_val(ranges, r);
		}
	}
	g_string_free(f.text, TRUE);
	g_array_unref(f.origin);
	g_array_sort(ranges, by_start);
	GString *out = g_string_new(NULL);
	gsize done = 0;
	guint masked = 0;
	for (guint i = 0; i < ranges->len; i++) {
		struct range r = g_array_index(ranges, struct range, i);
		if (r.from < done)
			continue; /* overlaps one masked already */
		g_string_append_len(out, text->str + done, (gssize)(r.from - done));
		g_string_append(out, MIME_PASSWORD_MASK);
		done = r.to;
		masked++;
	}
	g_string_append_len(out, text->str + done, (gssize)(text->len - done));
	g_string_assign(text, out->str);
	g_string_free(out, TRUE);
	return masked;
}

guint
mime_mask_passwords(GString *text, const char *passwords)
{
	return mask(text, passwords, FALSE);
}

guint
mime_mask_passwords_anywhere(GString *text, const char *passwords)
{
	return mask(text, passwords, TRUE);
}
