/*
 * NAME
 *	mime-words.c - RFC 2047 decoding that Japanese mail needs
 * SUMMARY
 *	GMime's decoder converts with glibc's ISO-2022-JP, which rejects the
 *	NEC and IBM extension characters (① ㈱ 髙) that Japanese mailers put
 *	in subjects and file names; this one decodes through charset.c.
 * DESCRIPTION
 *	The value is scanned once. Runs of raw text are passed on (decoded by
 *	detection if 8-bit); each encoded word adds its bytes to a pending
 *	run that is decoded when the charset changes or raw text follows.
 *	Malformed encoded words are kept as the literal text they are.
 */
#include "mime-words.h"

#include <string.h>

static char *clean_controls(const char *s, unsigned *flags);

struct decoder {
	struct cdr_charsets *cs;
	enum cdr_carrier carrier; /* the sender's: its emoji become Unicode emoji */
	gboolean reencode; /* write decoded words back as UTF-8 encoded words */
	GString *out;
	GByteArray *pending; /* bytes of adjacent encoded words */
	char *pending_charset;
	unsigned flags;
};

static void
note_quality(struct decoder *d, enum cdr_decode_quality q)
{
	if (q == CDR_DECODE_LOSSY)
		d->flags |= MIME_WORDS_LOSSY;
	else if (q == CDR_DECODE_GUESSED)
		d->flags |= MIME_WORDS_GUESSED;
}

/* Controls out, invisible characters shown (mime_visible_text), then UTF-8
 * "B" words of at most 45 bytes, space-separated. */
static void
append_encoded(struct decoder *d, const char *text)
{
	unsigned ignored = 0;
	g_autofree char *no_controls = clean_controls(text, &ignored);
	g_autofree char *clean = mime_visible_text(no_controls);
	d->flags |= ignored;
	const char *p = clean;
	while (*p) {
		const char *end = p;
		while (*end && (gsize)(g_utf8_next_char(end) - p) <= 45)
			end = g_utf8_next_char(end);
		if (end == p)
			end = g_utf8_next_char(p);
		g_autofree char *b64 = g_base64_encode((const guchar *)p, (gsize)(end - p));
		g_string_append_printf(d->out, "%s=?UTF-8?B?%s?=", p == clean ? "" : " ", b64);
		p = end;
	}
}

/*
 * Raw 8-bit text in a structured header: only the runs of non-ASCII
 * characters (with the spaces between them) become encoded words, set off
 * by spaces; the ASCII around them (addresses, "<", ",") stays structure.
 */
static void
append_mixed(struct decoder *d, const char *text)
{
	g_autoptr(GString) run = g_string_new(NULL);
	for (const char *p = text;; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		gboolean in_run = c >= 0x80 || (c == ' ' && run->len);
		if (in_run && *p) {
			g_string_append_unichar(run, c);
			continue;
		}
		if (run->len) {
			gsize trailing = 0; /* spaces after the last non-ASCII character */
			while (trailing < run->len && run->str[run->len - 1 - trailing] == ' ')
				trailing++;
			g_string_truncate(run, run->len - trailing);
			if (d->out->len && d->out->str[d->out->len - 1] != ' ')
				g_string_append_c(d->out, ' ');
			append_encoded(d, run->str);
			g_string_append_c(d->out, ' ');
			g_string_truncate(run, 0);
		}
		if (!*p)
			break;
		g_string_append_unichar(d->out, c);
	}
}

static void
flush_pending(struct decoder *d)
{
	if (!d->pending_charset)
		return;
	enum cdr_decode_quality q;
	g_autofree char *text =
		cdr_charset_decode_from(d->cs, d->carrier, d->pending_charset, d->pending->data,
					d->pending->len, &q);
	note_quality(d, q);
	if (d->reencode)
		append_encoded(d, text);
	else
		g_string_append(d->out, text);
	g_byte_array_set_size(d->pending, 0);
	g_clear_pointer(&d->pending_charset, g_free);
}

static void
put_raw_text(struct decoder *d, const char *s, gsize len)
{
	if (!len)
		return;
	flush_pending(d);
	enum cdr_decode_quality q = CDR_DECODE_EXACT;
	g_autofree char *text = NULL;
	if (g_utf8_validate_len(s, len, NULL) && !memchr(s, 0x1b, len)) {
		/* UTF-8 as it is (raw JIS has escapes and is decoded) */
		GString *t = g_string_new_len(s, (gssize)len);
		guint bad = 0;
		cdr_charset_map_carrier_emoji(d->carrier, t, &bad);
		q = bad ? CDR_DECODE_LOSSY : CDR_DECODE_EXACT;
		text = g_string_free(t, FALSE);
	} else {
		text = cdr_charset_decode_from(d->cs, d->carrier, NULL, (const guint8 *)s, len, &q);
	}
	note_quality(d, q);
	gboolean ascii = TRUE; /* of the text: raw JIS is 7-bit but not ASCII */
	for (const char *c = text; *c; c++)
		ascii = ascii && (guchar)*c < 0x80;
	if (d->reencode && !ascii)
		append_mixed(d, text);
	else
		g_string_append(d->out, text);
}

static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = g_ascii_toupper(c);
	return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static void
decode_q(const char *s, gsize len, GByteArray *out)
{
	for (gsize i = 0; i < len; i++) {
		guint8 b = (guint8)s[i];
		if (s[i] == '_')
			b = ' ';
		else if (s[i] == '=' && i + 2 < len && hex_value(s[i + 1]) >= 0 &&
			 hex_value(s[i + 2]) >= 0) {
			b = (guint8)(hex_value(s[i + 1]) << 4 | hex_value(s[i + 2]));
			i += 2;
		}
		g_byte_array_append(out, &b, 1);
	}
}

static void
decode_b(const char *s, gsize len, GByteArray *out)
{
	gint state = 0;
	guint save = 0;
	gsize start = out->len;
	g_byte_array_set_size(out, (guint)(start + len / 4 * 3 + 3));
	/* g_base64_decode_step skips characters outside the alphabet */
	gsize n = g_base64_decode_step(s, len, out->data + start, &state, &save);
	g_byte_array_set_size(out, (guint)(start + n));
}

/*
 * Parse "=?charset?enc?text?=" at s (s[0..1] == "=?"). Returns its length,
 * or 0 when it is not a well-formed encoded word.
 */
static gsize
parse_word(const char *s, const char *end, char **charset, char *enc, const char **text,
	   gsize *text_len)
{
	const char *q1 = memchr(s + 2, '?', (gsize)(end - s - 2));
	if (!q1 || q1 + 3 >= end || q1[2] != '?')
		return 0;
	const char *t = q1 + 3;
	const char *close = t;
	while (close + 1 < end && !(close[0] == '?' && close[1] == '='))
		close++;
	if (close + 1 >= end)
		return 0;
	for (const char *p = s + 2; p < close + 2; p++)
		if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			return 0; /* encoded words contain no white space */
	*enc = (char)g_ascii_toupper(q1[1]);
	if (*enc != 'B' && *enc != 'Q')
		return 0;
	g_autofree char *label = g_strndup(s + 2, (gsize)(q1 - s - 2));
	char *star = strchr(label, '*'); /* RFC 2231 language: "iso-2022-jp*ja" */
	if (star)
		*star = '\0';
	if (!*label)
		return 0;
	*charset = g_steal_pointer(&label);
	*text = t;
	*text_len = (gsize)(close - t);
	return (gsize)(close + 2 - s);
}

static gboolean
only_space(const char *s, gsize len)
{
	for (gsize i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return FALSE;
	return TRUE;
}

/* Unfolded, with every control character a space. */
static char *
clean_controls(const char *s, unsigned *flags)
{
	GString *out = g_string_new(NULL);
	for (const char *p = s; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
			if (c != '\t')
				*flags |= MIME_WORDS_CONTROLS;
			if (!out->len || out->str[out->len - 1] != ' ')
				g_string_append_c(out, ' ');
		} else {
			g_string_append_unichar(out, c);
		}
	}
	return g_string_free(out, FALSE);
}

static void
unfold(const char *raw, gsize len, GString *out)
{
	for (gsize i = 0; i < len; i++) {
		if (raw[i] == '\r' && i + 1 < len && raw[i + 1] == '\n')
			continue;
		if (raw[i] == '\n' && i + 1 < len && (raw[i + 1] == ' ' || raw[i + 1] == '\t'))
			continue;
		g_string_append_c(out, raw[i] ? raw[i] : '\x01'); /* NUL: a control, below */
	}
}

static char *
decode(struct cdr_charsets *cs, enum cdr_carrier carrier, const char *raw, gsize len,
       gboolean reencode, unsigned *flags)
{
	g_autoptr(GString) value = g_string_new(NULL);
	struct decoder d = { .cs = cs, .carrier = carrier, .reencode = reencode,
			     .out = g_string_new(NULL), .pending = g_byte_array_new() };
	unfold(raw, len, value);

	const char *p = value->str, *end = value->str + value->len;
	const char *text_start = p;
	gboolean after_word = FALSE;
	while (p < end) {
		char *charset = NULL, enc = 0;
		const char *t = NULL;
		gsize tlen = 0, wlen = 0;
		if (p + 1 < end && p[0] == '=' && p[1] == '?')
			wlen = parse_word(p, end, &charset, &enc, &t, &tlen);
		if (!wlen) {
			p++;
			continue;
		}
		/* white space between two encoded words disappears */
		if (!(after_word && only_space(text_start, (gsize)(p - text_start))))
			put_raw_text(&d, text_start, (gsize)(p - text_start));
		if (d.pending_charset && g_ascii_strcasecmp(d.pending_charset, charset) != 0)
			flush_pending(&d);
		if (!d.pending_charset)
			d.pending_charset = g_strdup(charset);
		if (enc == 'B')
			decode_b(t, tlen, d.pending);
		else
			decode_q(t, tlen, d.pending);
		g_free(charset);
		p += wlen;
		text_start = p;
		after_word = TRUE;
	}
	put_raw_text(&d, text_start, (gsize)(end - text_start));
	flush_pending(&d);

	unsigned f = d.flags;
	char *clean = clean_controls(d.out->str, &f);
	g_string_free(d.out, TRUE);
	g_byte_array_unref(d.pending);
	if (flags)
		*flags = f;
	return clean;
}

char *
mime_decode_header(struct cdr_charsets *cs, const char *raw, gsize len, unsigned *flags)
{
	return decode(cs, CDR_CARRIER_NONE, raw, len, FALSE, flags);
}

char *
mime_reencode_header(struct cdr_charsets *cs, const char *raw, gsize len, unsigned *flags)
{
	return decode(cs, CDR_CARRIER_NONE, raw, len, TRUE, flags);
}

char *
mime_decode_header_from(struct cdr_charsets *cs, enum cdr_carrier carrier, const char *raw,
			gsize len, unsigned *flags)
{
	return decode(cs, carrier, raw, len, FALSE, flags);
}

char *
mime_reencode_header_from(struct cdr_charsets *cs, enum cdr_carrier carrier, const char *raw,
			  gsize len, unsigned *flags)
{
	return decode(cs, carrier, raw, len, TRUE, flags);
}
