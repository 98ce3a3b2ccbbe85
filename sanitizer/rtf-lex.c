/*
 * NAME
 *	rtf-lex.c - RTF tokenizer
 * SUMMARY
 *	Cuts RTF into groups, control words, control symbols, \'hh escapes,
 *	text runs and \binN data, the way Word reads them.
 * DESCRIPTION
 *	A control word is a backslash, 1 to RTF_MAX_WORD ASCII letters, an
 *	optional parameter (an optional minus and 1 to RTF_MAX_DIGITS digits
 *	that fit in 32 bits) and an optional space that belongs to the word.
 *	Upper-case letters are read as part of the name (the rules compare
 *	names case-insensitively where that is the stricter reading).
 *	\binN is followed by N raw bytes that are never tokenized: N must be
 *	0..the bytes left, else the input is rejected; a \bin spelled with
 *	other case is rejected too, since a reader that took it for \bin
 *	would see different structure. CR and LF are ignored outside \bin
 *	data. Rejected as malformed: an unknown control symbol, a \' without
 *	two hex digits, a backslash at the end, an over-long name or
 *	parameter, and control bytes other than tab, CR and LF in text.
 */
#include <string.h>

#include "rtf.h"

void
rtf_lex_init(struct rtf_lexer *lx, const guint8 *data, gsize len)
{
	lx->p = data;
	lx->end = data + len;
	lx->error = NULL;
}

static gboolean
lex_fail(struct rtf_lexer *lx, const char *why)
{
	lx->error = why;
	return FALSE;
}

static gboolean
lex_word(struct rtf_lexer *lx, struct rtf_token *t)
{
	gsize n = 0;
	while (lx->p < lx->end && g_ascii_isalpha(*lx->p)) {
		if (n == RTF_MAX_WORD)
			return lex_fail(lx, "control word longer than 32 letters");
		t->name[n++] = (char)*lx->p++;
	}
	t->name[n] = '\0';
	t->type = RTF_T_WORD;
	t->has_param = FALSE;
	t->param = 0;

	gboolean neg = FALSE;
	if (lx->p + 1 < lx->end && *lx->p == '-' && g_ascii_isdigit(lx->p[1])) {
		neg = TRUE;
		lx->p++;
	}
	if (lx->p < lx->end && g_ascii_isdigit(*lx->p)) {
		gint64 v = 0;
		unsigned digits = 0;
		while (lx->p < lx->end && g_ascii_isdigit(*lx->p)) {
			if (++digits > RTF_MAX_DIGITS)
				return lex_fail(lx, "control word parameter longer than 10 digits");
			v = v * 10 + (*lx->p++ - '0');
		}
		if (neg)
			v = -v;
		if (v > G_MAXINT32 || v < G_MININT32)
			return lex_fail(lx, "control word parameter out of range");
		t->has_param = TRUE;
		t->param = (gint32)v;
	}
	if (lx->p < lx->end && *lx->p == ' ')
		lx->p++;

	if (g_ascii_strcasecmp(t->name, "bin") != 0)
		return TRUE;
	if (strcmp(t->name, "bin") != 0)
		return lex_fail(lx, "\\bin spelled with upper-case letters");
	if (t->param < 0)
		return lex_fail(lx, "\\bin with a negative length");
	if ((guint64)t->param > (guint64)(lx->end - lx->p))
		return lex_fail(lx, "\\bin length beyond the end of the file");
	t->type = RTF_T_BIN;
	t->data = lx->p;
	t->len = (gsize)t->param;
	lx->p += t->len;
	return TRUE;
}

int
rtf_hex_value(guint8 c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static gboolean
lex_control(struct rtf_lexer *lx, struct rtf_token *t)
{
	lx->p++; /* the backslash */
	if (lx->p >= lx->end)
		return lex_fail(lx, "backslash at the end of the file");
	guint8 c = *lx->p;
	if (g_ascii_isalpha(c))
		return lex_word(lx, t);
	lx->p++;
	if (c == '\'') {
		if (lx->end - lx->p < 2)
			return lex_fail(lx, "\\' without two hex digits");
		int hi = rtf_hex_value(lx->p[0]), lo = rtf_hex_value(lx->p[1]);
		if (hi < 0 || lo < 0)
			return lex_fail(lx, "\\' without two hex digits");
		lx->p += 2;
		t->type = RTF_T_HEX;
		t->byte = (guint8)(hi << 4 | lo);
		return TRUE;
	}
	if (c == '\r' || c == '\n') {
		t->type = RTF_T_SYMBOL;
		t->byte = '\n';
		return TRUE;
	}
	if (!strchr("~-_:|*\\{}", c) || c == '\0')
		return lex_fail(lx, "unknown control symbol");
	t->type = RTF_T_SYMBOL;
	t->byte = c;
	return TRUE;
}

gboolean
rtf_lex_next(struct rtf_lexer *lx, struct rtf_token *t)
{
	while (lx->p < lx->end && (*lx->p == '\r' || *lx->p == '\n'))
		lx->p++;
	if (lx->p >= lx->end) {
		t->type = RTF_T_EOF;
		return TRUE;
	}
	switch (*lx->p) {
	case '{':
		lx->p++;
		t->type = RTF_T_OPEN;
		return TRUE;
	case '}':
		lx->p++;
		t->type = RTF_T_CLOSE;
		return TRUE;
	case '\\':
		return lex_control(lx, t);
	default:
		break;
	}
	const guint8 *start = lx->p;
	while (lx->p < lx->end) {
		guint8 c = *lx->p;
		if (c == '\\' || c == '{' || c == '}' || c == '\r' || c == '\n')
			break;
		if (c < 0x20 && c != '\t')
			return lex_fail(lx, "control character in text");
		lx->p++;
	}
	t->type = RTF_T_TEXT;
	t->data = start;
	t->len = (gsize)(lx->p - start);
	return TRUE;
}
