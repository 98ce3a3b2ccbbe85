/*
 * NAME
 *	rtf-write.c - canonical RTF writer
 * SUMMARY
 *	Writes tokens in one spelling only, so that reading the output and
 *	writing it again gives the same bytes.
 * DESCRIPTION
 *	A control word is followed by a space only when text follows it.
 *	Printable ASCII text is written as is; bytes from 0x7f up as \'hh
 *	(lowercase), tab as \tab; braces and backslashes as control symbols.
 *	The output is pure ASCII, so no code page (Shift_JIS lead bytes
 *	followed by a 0x5c, say) can make a reader see other structure.
 *	Picture data is lowercase hex. rtf_wrap_lines() then breaks lines
 *	with CRLF before tokens once a line is long: RTF readers ignore CR
 *	and LF outside \bin data, and the writer never writes \bin.
 */
#include <string.h>

#include "rtf.h"

#define RTF_LINE_WIDTH 128

void
rtf_buf_init(struct rtf_buf *b)
{
	b->s = g_string_new(NULL);
	b->delim = FALSE;
}

void
rtf_buf_clear(struct rtf_buf *b)
{
	if (b->s)
		g_string_free(b->s, TRUE);
	b->s = NULL;
	b->delim = FALSE;
}

void
rtf_buf_word(struct rtf_buf *b, const char *name, gboolean has_param, gint32 param)
{
	g_string_append_c(b->s, '\\');
	g_string_append(b->s, name);
	if (has_param)
		g_string_append_printf(b->s, "%" G_GINT32_FORMAT, param);
	b->delim = TRUE;
}

void
rtf_buf_raw(struct rtf_buf *b, const char *s)
{
	g_string_append(b->s, s);
	b->delim = FALSE;
}

void
rtf_buf_hex_escape(struct rtf_buf *b, guint8 byte)
{
	static const char digits[] = "0123456789abcdef";
	char esc[5] = { '\\', '\'', digits[byte >> 4], digits[byte & 15], '\0' };
	rtf_buf_raw(b, esc);
}

void
rtf_buf_text_byte(struct rtf_buf *b, guint8 c)
{
	if (c == '\t') {
		rtf_buf_word(b, "tab", FALSE, 0);
		return;
	}
	if (c < 0x20 || c >= 0x7f) {
		rtf_buf_hex_escape(b, c);
		return;
	}
	if (c == '\\' || c == '{' || c == '}') {
		char sym[3] = { '\\', (char)c, '\0' };
		rtf_buf_raw(b, sym);
		return;
	}
	if (b->delim)
		g_string_append_c(b->s, ' ');
	g_string_append_c(b->s, (char)c);
	b->delim = FALSE;
}

void
rtf_buf_hex_data(struct rtf_buf *b, const guint8 *data, gsize len)
{
	static const char digits[] = "0123456789abcdef";
	if (!len)
		return;
	if (b->delim)
		g_string_append_c(b->s, ' ');
	for (gsize i = 0; i < len; i++) {
		g_string_append_c(b->s, digits[data[i] >> 4]);
		g_string_append_c(b->s, digits[data[i] & 15]);
	}
	b->delim = FALSE;
}

void
rtf_buf_append(struct rtf_buf *dst, const struct rtf_buf *src)
{
	if (!src->s->len)
		return;
	char c = src->s->str[0];
	if (dst->delim && c != '\\' && c != '{' && c != '}')
		g_string_append_c(dst->s, ' ');
	g_string_append_len(dst->s, src->s->str, (gssize)src->s->len);
	dst->delim = src->delim;
}

/* Length of the token at s[i] in canonical output (a word with its
 * delimiter space, an escape, a symbol, a brace or one text byte). */
static gsize
token_length(const GString *s, gsize i)
{
	if (s->str[i] != '\\')
		return 1;
	if (i + 1 >= s->len)
		return 1;
	char c = s->str[i + 1];
	if (c == '\'')
		return MIN(4, s->len - i);
	if (!g_ascii_isalpha(c))
		return 2;
	gsize j = i + 1;
	while (j < s->len && g_ascii_isalpha(s->str[j]))
		j++;
	if (j < s->len && s->str[j] == '-')
		j++;
	while (j < s->len && g_ascii_isdigit(s->str[j]))
		j++;
	if (j < s->len && s->str[j] == ' ')
		j++;
	return j - i;
}

void
rtf_wrap_lines(const GString *in, GByteArray *out)
{
	gsize col = 0;
	for (gsize i = 0; i < in->len;) {
		gsize n = token_length(in, i);
		if (col >= RTF_LINE_WIDTH) {
			g_byte_array_append(out, (const guint8 *)"\r\n", 2);
			col = 0;
		}
		g_byte_array_append(out, (const guint8 *)in->str + i, (guint)n);
		col += n;
		i += n;
	}
}
