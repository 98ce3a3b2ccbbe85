/*
 * NAME
 *	rewrite.c - replace headers and body through libmilter
 * SUMMARY
 *	See rewrite.h. A header the rebuilt message has with the same value
 *	(folds aside) is left in place rather than deleted and added again.
 *	Deletions go from the last header to the first, so an
 *	index stays right whether the MTA renumbers after a deletion or not.
 *	Header values are passed with their leading space (SMFIP_HDR_LEADSPC
 *	is negotiated) and folds as "\n" plus whitespace.
 *
 *	The work here is linear in the number of headers (one pass to pair
 *	unchanged headers with the few the rebuilt message has, one to number
 *	and delete the others). Postfix's cleanup(8) rescans the header
 *	records for every deletion, which is quadratic, and after some 10,000
 *	deletions in one message gives up ("too many reverse jump records");
 *	[mail] max_headers (500) keeps a message far from that: 500 header
 *	fields cost about 0.15 s end to end in the e2e test, 5 about 0.1 s.
 */
#include "rewrite.h"

#include <gio/gio.h>
#include <string.h>

struct header {
	char *name;
	char *value; /* after the colon, leading space kept, folds as "\n " */
};

static void
header_free(gpointer p)
{
	struct header *h = p;
	g_free(h->name);
	g_free(h->value);
	g_free(h);
}

static gboolean
refuse(GError **error, const char *why)
{
	g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "rebuilt message refused: %s",
		    why);
	return FALSE;
}

/* Split the header block into headers; FALSE on anything our writer never makes. */
static gboolean
parse_headers(const char *p, const char *end, GPtrArray *out, GError **error)
{
	while (p < end) {
		const char *eol = g_strstr_len(p, end - p, "\r\n");
		if (!eol)
			return refuse(error, "header line without CRLF");
		gboolean continuation = *p == ' ' || *p == '\t';
		for (const char *c = p; c < eol; c++)
			if ((guchar)*c < 0x20 ? *c != '\t' : (guchar)*c > 0x7e)
				return refuse(error, "header byte outside printable ASCII");
		if (continuation) {
			if (!out->len)
				return refuse(error, "continuation before the first header");
			struct header *h = out->pdata[out->len - 1];
			g_autofree char *line = g_strndup(p, (gsize)(eol - p));
			char *joined = g_strconcat(h->value, "\n", line, NULL);
			g_free(h->value);
			h->value = joined;
		} else {
			const char *colon = memchr(p, ':', (gsize)(eol - p));
			if (!colon || colon == p)
				return refuse(error, "header line without a name");
			for (const char *c = p; c < colon; c++)
				if (*c == ' ' || *c == '\t')
					return refuse(error, "space in a header name");
			struct header *h = g_new0(struct header, 1);
			h->name = g_strndup(p, (gsize)(colon - p));
			h->value = g_strndup(colon + 1, (gsize)(eol - colon - 1));
			g_ptr_array_add(out, h);
		}
		p = eol + 2;
	}
	return TRUE;
}

/* A header value without its folds and outer whitespace, for comparing. */
static char *
unfolded(const char *value)
{
	GString *s = g_string_new(NULL);
	for (const char *c = value; *c; c++)
		if (*c != '\r' && *c != '\n')
			g_string_append_c(s, *c);
	return g_strstrip(g_string_free(s, FALSE));
}

/* Old headers the rebuilt message has unchanged stay where they are:
 * fewer edits for Postfix (each one is a round trip and a queue-file
 * update). Marks old[i] and new[j] that pair up. */
static void
pair_unchanged(GPtrArray *old_names, GPtrArray *old_values, GPtrArray *headers,
	       gboolean *old_kept, gboolean *new_kept)
{
	for (guint j = 0; j < headers->len; j++) {
		const struct header *h = headers->pdata[j];
		g_autofree char *value = unfolded(h->value);
		for (guint i = 0; i < old_names->len && !new_kept[j]; i++) {
			if (old_kept[i] || g_ascii_strcasecmp(old_names->pdata[i], h->name) != 0)
				continue;
			g_autofree char *old = unfolded(old_values->pdata[i]);
			if (strcmp(old, value) == 0)
				old_kept[i] = new_kept[j] = TRUE;
		}
	}
}

/* A kept trace field with anything but printable ASCII and folding white
 * space in it, written again with each such character as [U+XXXX] (a byte
 * that is not UTF-8 as [0xNN]), as the rebuilt headers show invisible
 * characters: NULL when it can stay as it is. Byte-level only; nothing
 * is decoded. */
static char *
visible_trace_value(const char *value)
{
	const char *p = value, *end = value + strlen(value);
	GString *s = NULL;
	while (p < end) {
		guchar b = (guchar)*p;
		gboolean fold = b == '\n' && (p[1] == ' ' || p[1] == '\t');
		if ((b >= 0x20 && b < 0x7f) || b == '\t' || fold) {
			if (s)
				g_string_append_c(s, (char)b);
			p++;
			continue;
		}
		if (!s)
			s = g_string_new_len(value, p - value);
		gunichar c = b < 0x80 ? b : g_utf8_get_char_validated(p, end - p);
		if (c == (gunichar)-1 || c == (gunichar)-2) {
			g_string_append_printf(s, "[0x%02X]", b);
			p++;
		} else {
			g_string_append_printf(s, "[U+%04X]", c);
			p = g_utf8_next_char(p);
		}
	}
	return s ? g_string_free(s, FALSE) : NULL;
}

/* Delete the old headers that are not kept; Received: trace fields stay,
 * shown visibly where they need it. */
static gboolean
edit_old_headers(SMFICTX *ctx, GPtrArray *names, GPtrArray *values, const gboolean *kept,
		 GError **error)
{
	g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
	g_autofree int *index = g_new0(int, names->len + 1);
	g_autofree char **lower = g_new0(char *, names->len + 1);
	for (guint i = 0; i < names->len; i++) {
		lower[i] = g_ascii_strdown(names->pdata[i], -1);
		int n = GPOINTER_TO_INT(g_hash_table_lookup(seen, lower[i])) + 1;
		g_hash_table_insert(seen, lower[i], GINT_TO_POINTER(n));
		index[i] = n;
	}
	gboolean ok = TRUE;
	for (guint i = names->len; i-- > 0 && ok;) {
		if (strcmp(lower[i], "received") == 0) {
			g_autofree char *shown = visible_trace_value(values->pdata[i]);
			if (shown && smfi_chgheader(ctx, names->pdata[i], index[i], shown) != MI_SUCCESS)
				ok = refuse(error, "the MTA refused a header change");
		} else if (!kept[i] &&
			   smfi_chgheader(ctx, names->pdata[i], index[i], NULL) != MI_SUCCESS) {
			ok = refuse(error, "the MTA refused a header deletion");
		}
	}
	for (guint i = 0; i < names->len; i++)
		g_free(lower[i]);
	return ok;
}

gboolean
rewrite_message(SMFICTX *ctx, GPtrArray *old_names, GPtrArray *old_values, const guint8 *msg,
		gsize len, GError **error)
{
	const char *start = (const char *)msg, *end = start + len;
	const char *blank = g_strstr_len(start, (gssize)len, "\r\n\r\n");
	if (!blank)
		return refuse(error, "no end of headers");
	g_autoptr(GPtrArray) headers = g_ptr_array_new_with_free_func(header_free);
	if (!parse_headers(start, blank + 2, headers, error))
		return FALSE;
	const char *body = blank + 4;

	g_autofree gboolean *old_kept = g_new0(gboolean, old_names->len + 1);
	g_autofree gboolean *new_kept = g_new0(gboolean, headers->len + 1);
	pair_unchanged(old_names, old_values, headers, old_kept, new_kept);
	if (!edit_old_headers(ctx, old_names, old_values, old_kept, error))
		return FALSE;
	for (guint i = 0; i < headers->len; i++) {
		struct header *h = headers->pdata[i];
		if (!new_kept[i] && smfi_addheader(ctx, h->name, h->value) != MI_SUCCESS)
			return refuse(error, "the MTA refused a new header");
	}
	/* libmilter cuts the body into protocol-sized chunks itself. A
	 * zero-length replacement is no replacement at all: the original
	 * body would stay, so an empty body becomes one empty line. */
	static char empty_line[] = "\r\n";
	gsize body_len = (gsize)(end - body);
	if (body_len > G_MAXINT)
		return refuse(error, "body too large");
	unsigned char *bytes = body_len ? (unsigned char *)body : (unsigned char *)empty_line;
	if (smfi_replacebody(ctx, bytes, body_len ? (int)body_len : 2) != MI_SUCCESS)
		return refuse(error, "the MTA refused the new body");
	return TRUE;
}
