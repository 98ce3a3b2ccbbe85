/*
 * NAME
 *	rtf-fields.c - the text of RTF field codes and link targets, read as
 *	Word reads it
 * SUMMARY
 *	A field code (\fldinst) and a shape or link name (\sn, \hlsrc) are
 *	gathered as text from every run, group, escape and special character,
 *	so the shared field rules (office-fields.c) and the link rule
 *	(links.h) judge what Word would see.
 * DESCRIPTION
 *	\uN gives its character (its \uc fallback bytes are not read again);
 *	\'hh and plain bytes are read in the code page of the font in use
 *	(its \fcharset or \cpg in the font table, else \ansicpg): a double-byte
 *	code page joins a lead byte with the next, so the ideographic space
 *	and full-width letters are what they are and a trail byte 0x5c is no
 *	backslash. Only the characters that matter to the rules are mapped
 *	(spaces, quotes, full-width letters); others read as U+FFFD. Control
 *	words that stand for characters read as them: \par, \line, \cell and
 *	the like as a line break, \tab as a tab, \emspace, \~ and the
 *	zero-width words as the spaces they are, typographic quotes as
 *	quotes. Text in \* destinations is not part of the code, but for
 *	\upr{ANSI}{\*\ud{Unicode}}: a reader takes one or the other, so the
 *	code is read both ways (and a shape or link name holding one is not
 *	judged, but dropped).
 */
#include <string.h>

#include "rtf.h"

static const struct {
	const char *word;
	gunichar ch;
} char_words[] = {
	{ "par", '\n' },       { "line", '\n' },       { "sect", '\n' },      { "page", '\n' },
	{ "column", '\n' },    { "cell", '\n' },       { "row", '\n' },       { "nestcell", '\n' },
	{ "nestrow", '\n' },   { "softline", '\n' },   { "softpage", '\n' },  { "softcol", '\n' },
	{ "tab", '\t' },       { "emspace", 0x2003 },  { "enspace", 0x2002 }, { "qmspace", 0x2005 },
	{ "zwj", 0x200D },     { "zwnj", 0x200C },     { "zwbo", 0x200B },    { "zwnbo", 0xFEFF },
	{ "ltrmark", 0x200E }, { "rtlmark", 0x200F },  { "lquote", 0x2018 },  { "rquote", 0x2019 },
	{ "ldblquote", 0x201C }, { "rdblquote", 0x201D }, { "bullet", 0x2022 },
	{ "endash", 0x2013 },  { "emdash", 0x2014 },
};

/* Double-byte characters the rules care about, by code page. */
static const struct {
	guint cp;
	guint16 code;
	gunichar ch;
} dbcs_chars[] = {
	{ 932, 0x8140, 0x3000 }, { 932, 0x8165, 0x2018 }, { 932, 0x8166, 0x2019 },
	{ 932, 0x8167, 0x201C }, { 932, 0x8168, 0x201D }, { 936, 0xA1A1, 0x3000 },
	{ 936, 0xA1AE, 0x2018 }, { 936, 0xA1AF, 0x2019 }, { 936, 0xA1B0, 0x201C },
	{ 936, 0xA1B1, 0x201D }, { 949, 0xA1A1, 0x3000 }, { 949, 0xA1AE, 0x2018 },
	{ 949, 0xA1AF, 0x2019 }, { 949, 0xA1B0, 0x201C }, { 949, 0xA1B1, 0x201D },
	{ 950, 0xA140, 0x3000 }, { 950, 0xA1A5, 0x2018 }, { 950, 0xA1A6, 0x2019 },
	{ 950, 0xA1A7, 0x201C }, { 950, 0xA1A8, 0x201D },
};

/* Runs of full-width ASCII: [first, last] codes and the first character. */
static const struct {
	guint cp;
	guint16 first, last;
	gunichar ch;
} dbcs_runs[] = {
	{ 932, 0x8260, 0x8279, 0xFF21 }, { 932, 0x8281, 0x829A, 0xFF41 },
	{ 936, 0xA3A1, 0xA3FE, 0xFF01 }, { 949, 0xA3A1, 0xA3FE, 0xFF01 },
	{ 950, 0xA2CF, 0xA2E8, 0xFF21 }, { 950, 0xA2E9, 0xA2FE, 0xFF41 },
	{ 950, 0xA340, 0xA343, 0xFF57 },
};

static guint
charset_codepage(gint32 charset)
{
	switch (charset) {
	case 128:
		return 932; /* SHIFTJIS_CHARSET */
	case 129:
		return 949; /* HANGUL_CHARSET */
	case 134:
		return 936; /* GB2312_CHARSET */
	case 136:
		return 950; /* CHINESEBIG5_CHARSET */
	default:
		return 1252;
	}
}

static gboolean
is_lead_byte(guint cp, guint8 b)
{
	switch (cp) {
	case 932:
		return (b >= 0x81 && b <= 0x9F) || (b >= 0xE0 && b <= 0xFC);
	case 936:
	case 949:
	case 950:
		return b >= 0x81 && b <= 0xFE;
	default:
		return FALSE;
	}
}

static gunichar
dbcs_char(guint cp, guint8 lead, guint8 trail)
{
	guint16 code = (guint16)(lead << 8 | trail);
	for (gsize i = 0; i < G_N_ELEMENTS(dbcs_chars); i++)
		if (dbcs_chars[i].cp == cp && dbcs_chars[i].code == code)
			return dbcs_chars[i].ch;
	for (gsize i = 0; i < G_N_ELEMENTS(dbcs_runs); i++)
		if (dbcs_runs[i].cp == cp && code >= dbcs_runs[i].first && code <= dbcs_runs[i].last)
			return dbcs_runs[i].ch + (code - dbcs_runs[i].first);
	return 0xFFFD;
}

static guint
codepage_in_use(const struct rtf *r, const struct frame *f)
{
	gpointer cp = r->font_cp ? g_hash_table_lookup(r->font_cp, GINT_TO_POINTER(f->font)) : NULL;
	return cp ? GPOINTER_TO_UINT(cp) : r->ansicpg;
}

void
rtf_sink_char(struct rtf *r, struct frame *f, gunichar ch)
{
	r->lead = 0;
	struct field *fl = f->sink_field;
	if (fl) {
		if (f->sink_reading & RTF_READ_ANSI)
			office_field_code_append_char(&fl->code, ch);
		if (fl->has_ud && (f->sink_reading & RTF_READ_UNICODE))
			office_field_code_append_char(&fl->code_ud, ch);
	} else if (f->sink_named) {
		GString *name = f->sink_named->name;
		if (name->len + 6 > RTF_MAX_SINK)
			f->sink_named->overflow = TRUE; /* too long to judge: dropped */
		else
			g_string_append_unichar(name, ch < 0x110000 ? ch : 0xFFFD);
	}
}

void
rtf_sink_byte(struct rtf *r, struct frame *f, guint8 byte)
{
	if (byte < 0x80 && !r->lead) {
		rtf_sink_char(r, f, byte);
		return;
	}
	guint cp = codepage_in_use(r, f);
	if (r->lead) {
		rtf_sink_char(r, f, dbcs_char(cp, r->lead, byte));
		return;
	}
	if (is_lead_byte(cp, byte)) {
		r->lead = byte;
		return;
	}
	/* a single byte of a double-byte code page: half-width katakana */
	rtf_sink_char(r, f, is_lead_byte(cp, 0x81) ? 0xFFFD : office_field_cp1252_char(byte));
}

void
rtf_sink_word(struct rtf *r, struct frame *f, const char *name)
{
	for (gsize i = 0; i < G_N_ELEMENTS(char_words); i++)
		if (strcmp(name, char_words[i].word) == 0) {
			rtf_sink_char(r, f, char_words[i].ch);
			return;
		}
}

void
rtf_field_nested(struct field *fl)
{
	office_field_code_nested(&fl->code);
	if (fl->has_ud)
		office_field_code_nested(&fl->code_ud);
}

void
rtf_sink_alternatives(struct frame *f, const struct frame *p, const char *name)
{
	if (strcmp(name, "upr") == 0 && f->sink_named) {
		f->sink_named->overflow = TRUE; /* a name read two ways: dropped */
	} else if (strcmp(name, "upr") == 0 && f->sink_field) {
		struct field *fl = f->sink_field;
		if (!fl->has_ud) {
			office_field_code_copy(&fl->code_ud, &fl->code);
			fl->has_ud = TRUE;
		}
		f->upr = TRUE;
		f->sink_reading &= RTF_READ_ANSI;
	} else if (strcmp(name, "ud") == 0 && p->upr) {
		f->sink_field = p->sink_field; /* a \* destination, read all the same */
		f->sink_named = NULL;
		f->sink_reading = RTF_READ_UNICODE;
	}
}

void
rtf_font_word(struct rtf *r, struct frame *f, const struct rtf_token *t)
{
	if (strcmp(t->name, "ansicpg") == 0 && t->has_param && t->param > 0) {
		r->ansicpg = (guint)t->param;
	} else if (strcmp(t->name, "deff") == 0 && t->has_param) {
		r->deff = t->param;
		f->font = t->param;
	} else if (strcmp(t->name, "fonttbl") == 0) {
		f->fonttbl = TRUE;
	} else if (strcmp(t->name, "f") == 0 && t->has_param) {
		if (f->fonttbl)
			r->font_def = t->param;
		else
			f->font = t->param;
	} else if (f->fonttbl && t->has_param &&
		   (strcmp(t->name, "fcharset") == 0 || strcmp(t->name, "cpg") == 0)) {
		guint cp = strcmp(t->name, "cpg") == 0 ? (guint)t->param : charset_codepage(t->param);
		if (!r->font_cp)
			r->font_cp = g_hash_table_new(NULL, NULL);
		g_hash_table_insert(r->font_cp, GINT_TO_POINTER(r->font_def), GUINT_TO_POINTER(cp));
	} else if (strcmp(t->name, "plain") == 0) {
		f->font = r->deff;
	}
}
