/*
 * NAME
 *	csv.c - CSV/TSV: text validation plus formula-injection neutralizing
 * SUMMARY
 *	Excel and LibreOffice evaluate a cell that begins with = + - @ as a
 *	formula, which can start programs (DDE: =cmd|' /C calc'!A0) or fetch
 *	URLs (=HYPERLINK, =WEBSERVICE). Such cells get a leading apostrophe,
 *	which makes the spreadsheet show them as text. Numbers such as -5 or
 *	+81-3-1234-5678 are left alone.
 * DESCRIPTION
 *	The scanner works on code units (1 byte, or 2 for UTF-16) and follows
 *	ISO-2022-JP shift state, so a delimiter byte inside a kanji pair is
 *	never taken for one. In CP932 and EUC-JP the delimiters cannot occur
 *	as trail bytes. Every other byte is copied unchanged.
 */
#include <string.h>

#include "actions.h"
#include "handlers.h"
#include "text.h"

struct scanner {
	const guint8 *p;
	gsize len;
	gsize pos;
	unsigned unit;  /* 1, or 2 for UTF-16 */
	gboolean be;    /* UTF-16BE */
	gboolean jis;   /* ISO-2022-JP: track escapes */
	gboolean ascii; /* ISO-2022-JP: in an ASCII/roman mode */
};

/* The code unit at `at` as a character (ASCII only matters); 0x100 for "other". */
static unsigned
unit_at(const struct scanner *s, gsize at)
{
	if (at + s->unit > s->len)
		return 0x100;
	if (s->unit == 1) {
		if (s->jis && !s->ascii)
			return 0x100;
		return s->p[at];
	}
	unsigned c = s->be ? (unsigned)(s->p[at] << 8 | s->p[at + 1])
			   : (unsigned)(s->p[at + 1] << 8 | s->p[at]);
	return c < 0x80 ? c : 0x100;
}

/* Advance one code unit, following ISO-2022-JP escapes. */
static void
advance(struct scanner *s)
{
	if (s->jis && s->p[s->pos] == 0x1b && s->pos + 2 < s->len) {
		guint8 a = s->p[s->pos + 1], b = s->p[s->pos + 2];
		s->ascii = a == '(' && (b == 'B' || b == 'J' || b == 'H');
		s->pos += 3;
		return;
	}
	if (s->jis && (s->p[s->pos] == '\n' || s->p[s->pos] == '\r'))
		s->ascii = TRUE;
	s->pos += s->unit;
}

static gboolean
is_plain_number(const struct scanner *s, gsize from, gsize to)
{
	/* digits and the punctuation numbers, dates and phone numbers use */
	for (gsize at = from; at < to; at += s->unit) {
		unsigned c = unit_at(s, at);
		/* \r ends a CRLF line; " closes a quoted cell */
		if (c > 0x7f || (!g_ascii_isdigit(c) && !strchr("+-., %/:eE\r\"", (int)c)))
			return FALSE;
	}
	return TRUE;
}

/* Where to insert the apostrophe in the cell [from, to), or (gsize)-1. */
static gsize
formula_start(const struct scanner *s, gsize from, gsize to)
{
	gsize at = from;
	while (at < to && (unit_at(s, at) == ' ' || unit_at(s, at) == '\t' ||
			   unit_at(s, at) == '\r'))
		at += s->unit;
	if (at < to && unit_at(s, at) == '"')
		at += s->unit;
	if (at >= to)
		return (gsize)-1;
	unsigned c = unit_at(s, at);
	if (c == '=' || c == '@')
		return at;
	if ((c == '+' || c == '-') && !is_plain_number(s, at, to))
		return at;
	return (gsize)-1;
}

static void
append_apostrophe(GByteArray *out, const struct scanner *s)
{
	static const guint8 le[] = { '\'', 0 }, be[] = { 0, '\'' };
	if (s->unit == 1)
		g_byte_array_append(out, (const guint8 *)"'", 1);
	else
		g_byte_array_append(out, s->be ? be : le, 2);
}

/* Neutralize the cell [from, to) if it is a formula; `copied` tracks output. */
static unsigned
finish_cell(const struct scanner *s, gsize from, gsize to, gsize *copied, GByteArray *out)
{
	gsize at = formula_start(s, from, to);
	if (at == (gsize)-1)
		return 0;
	g_byte_array_append(out, s->p + *copied, (guint)(at - *copied));
	append_apostrophe(out, s);
	*copied = at;
	return 1;
}

/* Copy the CSV to out, neutralizing formula cells; returns how many. */
static unsigned
neutralize(struct scanner *s, unsigned delim, GByteArray *out)
{
	unsigned count = 0;
	gsize copied = 0, cell = s->pos;
	gboolean quoted = FALSE;

	while (s->pos < s->len) {
		unsigned c = unit_at(s, s->pos);
		if (quoted) {
			if (c == '"' && unit_at(s, s->pos + s->unit) == '"')
				s->pos += s->unit; /* "" is an escaped quote */
			else if (c == '"')
				quoted = FALSE;
		} else if (c == '"' && s->pos == cell) {
			quoted = TRUE;
		} else if (c == delim || c == '\n' || c == '\r') { /* CR alone ends a row too */
			count += finish_cell(s, cell, s->pos, &copied, out);
			advance(s);
			cell = s->pos;
			continue;
		}
		advance(s);
	}
	count += finish_cell(s, cell, s->len, &copied, out);
	g_byte_array_append(out, s->p + copied, (guint)(s->len - copied));
	return count;
}

static gboolean
name_is_csv(const char *name, unsigned *delim)
{
	if (!name)
		return FALSE;
	const char *dot = strrchr(name, '.');
	if (dot && g_ascii_strcasecmp(dot, ".csv") == 0) {
		*delim = ',';
		return TRUE;
	}
	if (dot && g_ascii_strcasecmp(dot, ".tsv") == 0) {
		*delim = '\t';
		return TRUE;
	}
	return FALSE;
}

static int
csv_bid(const struct cdr_input *in)
{
	unsigned delim;
	/* Content says text; the name says a spreadsheet will open it. */
	return text_may_be_text(in) && name_is_csv(in->name, &delim) ? 20 : 0;
}

static enum cdr_verdict
csv_sanitize(struct cdr_job *job, const struct cdr_input *in, struct cdr_output *out)
{
	unsigned delim = ',';
	enum cdr_charset cs = text_validate(job, in);
	if (cs == CDR_CS_UNKNOWN)
		return CDR_BLOCKED;
	name_is_csv(in->name, &delim);
	out->type = text_mime_type("text/csv", cs);
	out->ext = delim == '\t' ? "tsv" : "csv";

	if (!cdr_job_policy(job)->csv_neutralize_formulas) {
		g_byte_array_append(out->data, in->data, (guint)in->len);
		return CDR_CLEAN;
	}
	struct scanner s = {
		.p = in->data, .len = in->len, .unit = 1, .ascii = TRUE,
		.jis = cs == CDR_CS_ISO2022JP,
	};
	if (cs == CDR_CS_UTF16LE || cs == CDR_CS_UTF16BE) {
		s.unit = 2;
		s.be = cs == CDR_CS_UTF16BE;
	}
	/* Keep a byte-order mark as it is. */
	if (s.unit == 2)
		s.pos = 2;
	else if (in->len >= 3 && memcmp(in->data, "\xef\xbb\xbf", 3) == 0)
		s.pos = 3;

	unsigned n = neutralize(&s, delim, out->data);
	if (n)
		cdr_job_action(job, CDR_ACT_CSV_FORMULA, NULL, n);
	return n ? CDR_SANITIZED : CDR_CLEAN;
}

static const char *const csv_extensions[] = { "csv", "tsv", NULL };

const struct cdr_handler cdr_handler_csv = {
	.name = "csv",
	.extensions = csv_extensions,
	.mime_type = "text/csv",
	.bid = csv_bid,
	.sanitize = csv_sanitize,
};
