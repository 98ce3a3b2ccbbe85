/*
 * NAME
 *	office-fields.c - which Word fields stay, for every Office handler
 * SUMMARY
 *	One table names every Word field keyword with its rule and the
 *	reason for it; office_field_judge() reads a field code the way Word
 *	reads it, only more suspiciously, and applies the table. The ooxml,
 *	ole2 and rtf handlers gather the code and act on the verdict: the
 *	ooxml and rtf handlers replace a removed field by its displayed
 *	result, the ole2 handler (which cannot rewrite a .doc's text) blocks
 *	the document.
 * DESCRIPTION
 *	The keyword is the first word of the code. Before it, white space of
 *	any kind (also no-break, ideographic and zero-width spaces, line and
 *	paragraph breaks), quotes (straight or typographic) and any other
 *	character outside ASCII are skipped. It is made of letters, compared
 *	without regard to case; full-width letters count as their ASCII
 *	twins. A character that Word might drop or might read as a break
 *	(control and format characters, soft hyphens, non-ASCII spaces,
 *	paragraph marks) inside the keyword is read both ways: "DD<shy>EAUTO"
 *	is DDEAUTO, "DDE<nbsp>X" is DDE as well as DDEX, and the stricter
 *	rule of the readings wins.
 *
 *	A field is removed when a nested field begins before its keyword is
 *	complete (Word evaluates nested fields first, so the keyword is
 *	computed: { {QUOTE "DDE"}AUTO ...}, D{SET x}DEAUTO), and when its
 *	code is too long to read the keyword in OFFICE_FIELD_CODE_MAX bytes.
 *
 *	HYPERLINK: every argument that is not a switch or a switch's
 *	argument (\l bookmark, \o tooltip, \t frame, \* \# \@ formats) is a
 *	target and must pass the shared link rule (links.h, [links]
 *	schemes); one that does not (a file, a share, a program's scheme, a
 *	relative path) removes the hyperlink and keeps its text. A bookmark
 *	link (\l only) stays. A target computed by a nested field, or a code
 *	too long to read whole, removes it too. Web links go when [office]
 *	neutralize_links is set.
 */
#include "office-fields.h"

#include <string.h>

#include "actions.h"
#include "links.h"
#include "policy.h"

#define KEYWORD_MAX 31

/* Sorted by keyword. A keyword that is not here is a bookmark name to
 * Word ({ name } is short for REF name): it stays. */
static const struct office_field_row rows[] = {
	{ "ADDIN", OFFICE_FIELD_RULE_KEEP,
	  "data kept for an add-in the reader installed (citation managers); Word runs nothing" },
	{ "ADDRESSBLOCK", OFFICE_FIELD_RULE_KEEP,
	  "mail merge block; its data source is removed with the merge settings" },
	{ "ADVANCE", OFFICE_FIELD_RULE_KEEP, "moves text on the line" },
	{ "ASK", OFFICE_FIELD_RULE_KEEP,
	  "asks the reader for a bookmark's text, which stays in the document; every field "
	  "that could send it out is removed" },
	{ "AUTHOR", OFFICE_FIELD_RULE_KEEP, "document property" },
	{ "AUTONUM", OFFICE_FIELD_RULE_KEEP, "numbering" },
	{ "AUTONUMLGL", OFFICE_FIELD_RULE_KEEP, "numbering" },
	{ "AUTONUMOUT", OFFICE_FIELD_RULE_KEEP, "numbering" },
	{ "AUTOTEXT", OFFICE_FIELD_RULE_KEEP,
	  "an AutoText entry of the reader's own templates (a remote attached template is "
	  "removed elsewhere)" },
	{ "AUTOTEXTLIST", OFFICE_FIELD_RULE_KEEP,
	  "a menu of AutoText entries of the reader's own templates" },
	{ "BARCODE", OFFICE_FIELD_RULE_KEEP, "draws a bar code" },
	{ "BIBLIOGRAPHY", OFFICE_FIELD_RULE_KEEP, "sources stored in the document" },
	{ "BIDIOUTLINE", OFFICE_FIELD_RULE_KEEP, "numbering" },
	{ "CITATION", OFFICE_FIELD_RULE_KEEP, "sources stored in the document" },
	{ "COMMENTS", OFFICE_FIELD_RULE_KEEP, "document property" },
	{ "COMPARE", OFFICE_FIELD_RULE_KEEP, "compares two values" },
	{ "CONTROL", OFFICE_FIELD_RULE_KEEP,
	  "marks an ActiveX control, which the handler removes; the field alone runs nothing" },
	{ "CREATEDATE", OFFICE_FIELD_RULE_KEEP, "document property" },
	{ "DATA", OFFICE_FIELD_RULE_RESULT,
	  "Word 6 mail merge data source: opens another file" },
	{ "DATABASE", OFFICE_FIELD_RULE_RESULT,
	  "runs a query on an external database (connection string, file or share path)" },
	{ "DATE", OFFICE_FIELD_RULE_KEEP, "the date" },
	{ "DDE", OFFICE_FIELD_RULE_RESULT,
	  "dynamic data exchange: starts a program and takes data from it" },
	{ "DDEAUTO", OFFICE_FIELD_RULE_RESULT,
	  "dynamic data exchange updated on opening: starts a program (cmd.exe, PowerShell)" },
	{ "DISPLAYBARCODE", OFFICE_FIELD_RULE_KEEP, "draws a bar code" },
	{ "DOCPROPERTY", OFFICE_FIELD_RULE_KEEP, "document property" },
	{ "DOCVARIABLE", OFFICE_FIELD_RULE_KEEP, "a variable stored in the document" },
	{ "EDITTIME", OFFICE_FIELD_RULE_KEEP, "document property" },
	{ "EMBED", OFFICE_FIELD_RULE_KEEP,
	  "marks an embedded object, which the handler removes; the field alone runs nothing" },
	{ "EQ", OFFICE_FIELD_RULE_KEEP, "draws an equation" },
	{ "FILENAME", OFFICE_FIELD_RULE_KEEP, "the document's file name" },
	{ "FILESIZE", OFFICE_FIELD_RULE_KEEP, "document property" },
	{ "FILLIN", OFFICE_FIELD_RULE_KEEP,
	  "asks the reader for text, which stays in the document; every field that could "
	  "send it out is removed" },
	{ "FORMCHECKBOX", OFFICE_FIELD_RULE_KEEP,
	  "legacy form field; the macros it names are removed (VBA, entry and exit macros)" },
	{ "FORMDROPDOWN", OFFICE_FIELD_RULE_KEEP,
	  "legacy form field; the macros it names are removed (VBA, entry and exit macros)" },
	{ "FORMTEXT", OFFICE_FIELD_RULE_KEEP,
	  "legacy form field; the macros it names are removed (VBA, entry and exit macros)" },
	{ "GLOSSARY", OFFICE_FIELD_RULE_KEEP, "old name of AUTOTEXT" },
	{ "GOTOBUTTON", OFFICE_FIELD_RULE_KEEP,
	  "jumps to a bookmark or page of the document itself on a double click" },
	{ "GREETINGLINE", OFFICE_FIELD_RULE_KEEP,
	  "mail merge greeting; its data source is removed with the merge settings" },
	{ "HTMLCONTROL", OFFICE_FIELD_RULE_KEEP,
	  "marks an HTML form control (ActiveX), which the handler removes" },
	{ "HYPERLINK", OFFICE_FIELD_RULE_HYPERLINK,
	  "opens its target on a click: kept only for targets the link rule allows" },
	{ "IF", OFFICE_FIELD_RULE_KEEP, "chooses between two texts" },
	{ "IMPORT", OFFICE_FIELD_RULE_RESULT,
	  "old INCLUDEPICTURE: fetches a picture from a file, share or URL" },
	{ "INCLUDE", OFFICE_FIELD_RULE_RESULT,
	  "old INCLUDETEXT: inserts another file (share paths leak the reader's password hash)" },
	{ "INCLUDEPICTURE", OFFICE_FIELD_RULE_RESULT,
	  "fetches a picture from a file, share or URL (web bugs, password hash leaks)" },
	{ "INCLUDETEXT", OFFICE_FIELD_RULE_RESULT,
	  "inserts another file, fetched from a path, share or URL" },
	{ "INDEX", OFFICE_FIELD_RULE_KEEP, "index of the document" },
	{ "INFO", OFFICE_FIELD_RULE_KEEP, "document property" },
	{ "KEYWORDS", OFFICE_FIELD_RULE_KEEP, "document property" },
	{ "LASTSAVEDBY", OFFICE_FIELD_RULE_KEEP, "document property" },
	{ "LINK", OFFICE_FIELD_RULE_RESULT,
	  "OLE link: starts the linked file's program and fetches the file (updated on "
	  "opening with \\a)" },
	{ "LISTNUM", OFFICE_FIELD_RULE_KEEP, "numbering" },
	{ "MACROBUTTON", OFFICE_FIELD_RULE_MACRO,
	  "runs a macro or Word command on a double click; \"MACROBUTTON NoMacro\", the "
	  "placeholder of forms and templates, runs nothing and stays" },
	{ "MERGEBARCODE", OFFICE_FIELD_RULE_KEEP,
	  "mail merge bar code; its data source is removed with the merge settings" },
	{ "MERGEFIELD", OFFICE_FIELD_RULE_KEEP,
	  "mail merge field; its data source is removed with the merge settings (docx, RTF)" },
	{ "MERGEREC", OFFICE_FIELD_RULE_KEEP, "mail merge record number" },
	{ "MERGESEQ", OFFICE_FIELD_RULE_KEEP, "mail merge record count" },
	{ "NEXT", OFFICE_FIELD_RULE_KEEP, "mail merge: next record" },
	{ "NEXTIF", OFFICE_FIELD_RULE_KEEP, "mail merge: next record if" },
	{ "NOTEREF", OFFICE_FIELD_RULE_KEEP, "reference inside the document" },
	{ "NUMCHARS", OFFICE_FIELD_RULE_KEEP, "document property" },
	{ "NUMPAGES", OFFICE_FIELD_RULE_KEEP, "document property" },
	{ "NUMWORDS", OFFICE_FIELD_RULE_KEEP, "document property" },
	{ "PAGE", OFFICE_FIELD_RULE_KEEP, "page number" },
	{ "PAGEREF", OFFICE_FIELD_RULE_KEEP, "reference inside the document" },
	{ "PRINT", OFFICE_FIELD_RULE_RESULT,
	  "sends its text to the printer as printer commands (escape codes, PostScript that "
	  "can reach the printer's files)" },
	{ "PRINTDATE", OFFICE_FIELD_RULE_KEEP, "document property" },
	{ "PRIVATE", OFFICE_FIELD_RULE_KEEP, "data kept from a converted file; shows nothing" },
	{ "QUOTE", OFFICE_FIELD_RULE_KEEP,
	  "shows its text (nested fields in it are judged on their own)" },
	{ "RD", OFFICE_FIELD_RULE_RESULT,
	  "reads another file to build a table of contents or index (path or share)" },
	{ "REF", OFFICE_FIELD_RULE_KEEP, "reference inside the document" },
	{ "REVNUM", OFFICE_FIELD_RULE_KEEP, "document property" },
	{ "SAVEDATE", OFFICE_FIELD_RULE_KEEP, "document property" },
	{ "SECTION", OFFICE_FIELD_RULE_KEEP, "section number" },
	{ "SECTIONPAGES", OFFICE_FIELD_RULE_KEEP, "page count" },
	{ "SEQ", OFFICE_FIELD_RULE_KEEP, "numbering" },
	{ "SET", OFFICE_FIELD_RULE_KEEP,
	  "sets a bookmark's text; a keyword built from it through a nested field is caught "
	  "as computed" },
	{ "SHAPE", OFFICE_FIELD_RULE_KEEP, "anchors a drawing" },
	{ "SKIPIF", OFFICE_FIELD_RULE_KEEP, "mail merge: skip a record" },
	{ "STYLEREF", OFFICE_FIELD_RULE_KEEP, "reference inside the document" },
	{ "SUBJECT", OFFICE_FIELD_RULE_KEEP, "document property" },
	{ "SUBSCRIBER", OFFICE_FIELD_RULE_RESULT,
	  "Macintosh edition subscriber: content taken from another file" },
	{ "SYMBOL", OFFICE_FIELD_RULE_KEEP, "shows a character" },
	{ "TA", OFFICE_FIELD_RULE_KEEP, "table of authorities entry" },
	{ "TC", OFFICE_FIELD_RULE_KEEP, "table of contents entry" },
	{ "TEMPLATE", OFFICE_FIELD_RULE_KEEP, "the template's file name" },
	{ "TIME", OFFICE_FIELD_RULE_KEEP, "the time" },
	{ "TITLE", OFFICE_FIELD_RULE_KEEP, "document property" },
	{ "TOA", OFFICE_FIELD_RULE_KEEP, "table of authorities of the document" },
	{ "TOC", OFFICE_FIELD_RULE_KEEP,
	  "table of contents of the document (other files come through RD, removed)" },
	{ "USERADDRESS", OFFICE_FIELD_RULE_KEEP, "the reader's own Office user information" },
	{ "USERINITIALS", OFFICE_FIELD_RULE_KEEP, "the reader's own Office user information" },
	{ "USERNAME", OFFICE_FIELD_RULE_KEEP, "the reader's own Office user information" },
	{ "XE", OFFICE_FIELD_RULE_KEEP, "index entry" },
};

static const char why_computed[] = "its keyword is computed by a nested field";
static const char why_long[] = "its code is too long to read its keyword";
static const char why_link_refused[] =
	"hyperlink to a target the link rule refuses (file, share, program, relative path)";
static const char why_link_computed[] = "hyperlink whose target is computed by a nested field";
static const char why_link_long[] = "hyperlink whose code is too long to judge";
static const char why_link_web[] = "web hyperlink ([office] neutralize_links)";

const struct office_field_row *
office_field_rows(gsize *n)
{
	*n = G_N_ELEMENTS(rows);
	return rows;
}

static const struct office_field_row *
find_row(const char *keyword)
{
	for (gsize i = 0; i < G_N_ELEMENTS(rows); i++)
		if (strcmp(rows[i].keyword, keyword) == 0)
			return &rows[i];
	return NULL;
}

/* ---- characters ------------------------------------------------------ */

enum char_class {
	C_LETTER, /* part of a keyword */
	C_SPACE,  /* ASCII space or tab: a break for certain */
	C_QUOTE,  /* skipped before the keyword, a break after it */
	C_SOFT,   /* Word may drop it or break on it: read both ways */
	C_OTHER,  /* a break */
};

/* The next character of UTF-8 text (U+FFFD for a bad byte, which it
 * steps over alone). */
static gunichar
next_char(const char **p, const char *end)
{
	const guchar *s = (const guchar *)*p;
	if (*s < 0x80) {
		(*p)++;
		return *s;
	}
	gunichar ch = g_utf8_get_char_validated(*p, end - *p);
	if (ch == (gunichar)-1 || ch == (gunichar)-2) {
		(*p)++;
		return 0xFFFD;
	}
	*p = g_utf8_next_char(*p);
	return ch;
}

static enum char_class
classify(gunichar ch, char *upper)
{
	if (ch < 0x80) {
		if (g_ascii_isalpha((gchar)ch)) {
			*upper = g_ascii_toupper((gchar)ch);
			return C_LETTER;
		}
		if (ch == ' ' || ch == '\t')
			return C_SPACE;
		if (ch == '"' || ch == '\'')
			return C_QUOTE;
		if (ch != 0 && (ch < 0x20 || ch == 0x7f))
			return C_SOFT;
		return C_OTHER;
	}
	if (ch >= 0xFF21 && ch <= 0xFF3A) { /* full-width A-Z */
		*upper = (char)('A' + (ch - 0xFF21));
		return C_LETTER;
	}
	if (ch >= 0xFF41 && ch <= 0xFF5A) { /* full-width a-z */
		*upper = (char)('A' + (ch - 0xFF41));
		return C_LETTER;
	}
	switch (ch) {
	case 0x2018: case 0x2019: case 0x201A: case 0x201B:
	case 0x201C: case 0x201D: case 0x201E: case 0x201F:
	case 0x00AB: case 0x00BB: case 0xFF02: case 0xFF07:
		return C_QUOTE;
	case 0xFFFC: /* an object in the text */
		return C_SOFT;
	default:
		break;
	}
	switch (g_unichar_type(ch)) {
	case G_UNICODE_CONTROL:
	case G_UNICODE_FORMAT:
	case G_UNICODE_SPACE_SEPARATOR:
	case G_UNICODE_LINE_SEPARATOR:
	case G_UNICODE_PARAGRAPH_SEPARATOR:
		return C_SOFT;
	default:
		return C_OTHER;
	}
}

/* Skipped before the keyword: every kind of space, quotes, and anything
 * outside ASCII that is not a letter. */
static gboolean
leading_junk(gunichar ch, enum char_class cls)
{
	return cls == C_SPACE || cls == C_QUOTE || cls == C_SOFT || (cls == C_OTHER && ch >= 0x80);
}

static const char *
skip_leading(const char *p, const char *end)
{
	while (p < end) {
		const char *q = p;
		char up;
		gunichar ch = next_char(&q, end);
		if (!leading_junk(ch, classify(ch, &up)))
			break;
		p = q;
	}
	return p;
}

/* TRUE when the text ends before its keyword does. */
static gboolean
keyword_open(const char *p, const char *end)
{
	p = skip_leading(p, end);
	while (p < end) {
		char up;
		gunichar ch = next_char(&p, end);
		enum char_class cls = classify(ch, &up);
		if (cls != C_LETTER && cls != C_SOFT)
			return FALSE;
	}
	return TRUE;
}

/* ---- gathering ------------------------------------------------------- */

void
office_field_code_append(struct office_field_code *c, const char *utf8, gsize len)
{
	if (!len)
		return;
	if (!c->text)
		c->text = g_string_sized_new(MIN(len, 64));
	gsize room = OFFICE_FIELD_CODE_MAX - c->text->len;
	if (len > room) {
		len = room;
		c->overflow = TRUE;
	}
	g_string_append_len(c->text, utf8, (gssize)len);
}

void
office_field_code_append_char(struct office_field_code *c, gunichar ch)
{
	char buf[6];
	if (ch > 0x10FFFF || (ch >= 0xD800 && ch <= 0xDFFF))
		ch = 0xFFFD;
	office_field_code_append(c, buf, (gsize)g_unichar_to_utf8(ch, buf));
}

gunichar
office_field_cp1252_char(guint8 byte)
{
	if (byte < 0x80 || byte >= 0xA0)
		return byte;
	switch (byte) {
	case 0x91:
		return 0x2018;
	case 0x92:
		return 0x2019;
	case 0x93:
		return 0x201C;
	case 0x94:
		return 0x201D;
	default:
		return 0xFFFD;
	}
}

void
office_field_code_nested(struct office_field_code *c)
{
	c->nested = TRUE;
	if (c->computed || c->keyword_complete)
		return;
	const char *s = c->text ? c->text->str : "";
	if (keyword_open(s, s + (c->text ? c->text->len : 0)))
		c->computed = TRUE;
	else
		c->keyword_complete = TRUE; /* more text cannot open it again */
}

void
office_field_code_copy(struct office_field_code *dst, const struct office_field_code *src)
{
	*dst = *src;
	if (src->text)
		dst->text = g_string_new_len(src->text->str, (gssize)src->text->len);
}

void
office_field_code_clear(struct office_field_code *c)
{
	if (c->text)
		g_string_free(c->text, TRUE);
	memset(c, 0, sizeof(*c));
}

/* ---- judging --------------------------------------------------------- */

static void
stricter(struct office_field_judgement *j, enum office_field_verdict v, const char *keyword,
      const char *why)
{
	if (v <= j->verdict)
		return;
	j->verdict = v;
	g_strlcpy(j->keyword, keyword, sizeof(j->keyword));
	j->why = why;
}

/* The next argument from *p: a quoted string (without its quotes) or a
 * word. FALSE at the end. */
static gboolean
next_arg(const char **p, const char *end, const char **arg, gsize *len, gboolean *quoted)
{
	const char *s = *p;
	while (s < end) {
		const char *q = s;
		char up;
		enum char_class cls = classify(next_char(&q, end), &up);
		if (cls != C_SPACE && cls != C_SOFT)
			break;
		s = q;
	}
	if (s >= end)
		return FALSE;
	if (*s == '"') {
		s++;
		const char *e = memchr(s, '"', (gsize)(end - s));
		if (!e)
			e = end;
		*arg = s;
		*len = (gsize)(e - s);
		*p = e < end ? e + 1 : e;
		*quoted = TRUE;
		return TRUE;
	}
	const char *e = s;
	while (e < end) {
		const char *q = e;
		char up;
		gunichar ch = next_char(&q, end);
		enum char_class cls = classify(ch, &up);
		if (cls == C_SPACE || cls == C_SOFT || ch == '"')
			break;
		e = q;
	}
	*arg = s;
	*len = (gsize)(e - s);
	*p = e;
	*quoted = FALSE;
	return TRUE;
}

static gboolean
is_switch(const char *arg, gsize len, gboolean quoted)
{
	return !quoted && len >= 2 && arg[0] == '\\' && arg[1] != '\\';
}

/* Switches of HYPERLINK (and the general formatting ones) followed by an
 * argument that is not a target. */
static gboolean
switch_takes_argument(const char *arg, gsize len)
{
	return len == 2 && strchr("lLoOtT*#@", arg[1]) != NULL;
}

static enum office_field_verdict
judge_hyperlink(const struct cdr_policy *policy, const struct office_field_code *c,
		const char *p, const char *end, const char **why)
{
	if (c->nested) {
		*why = why_link_computed;
		return OFFICE_FIELD_LINK_REMOVED;
	}
	if (c->overflow) {
		*why = why_link_long;
		return OFFICE_FIELD_LINK_REMOVED;
	}
	const char *arg;
	gsize len;
	gboolean quoted, targets = FALSE;
	while (next_arg(&p, end, &arg, &len, &quoted)) {
		if (is_switch(arg, len, quoted)) {
			if (switch_takes_argument(arg, len))
				(void)next_arg(&p, end, &arg, &len, &quoted);
			continue;
		}
		if (!len)
			continue;
		if (!cdr_link_allowed(policy, arg, len)) {
			*why = why_link_refused;
			return OFFICE_FIELD_LINK_REMOVED;
		}
		targets = TRUE;
	}
	if (targets && policy->office_neutralize_links) {
		*why = why_link_web;
		return OFFICE_FIELD_NEUTRALIZED;
	}
	return OFFICE_FIELD_KEPT;
}

/* One reading of the keyword, its arguments starting at `args`. */
static void
judge_keyword(const struct cdr_policy *policy, const struct office_field_code *c,
	      const char *keyword, const char *args, const char *end,
	      struct office_field_judgement *j)
{
	const struct office_field_row *row = find_row(keyword);
	if (!row)
		return;
	const char *why = row->why, *arg;
	gsize len;
	gboolean quoted;
	switch (row->rule) {
	case OFFICE_FIELD_RULE_KEEP:
		return;
	case OFFICE_FIELD_RULE_RESULT:
		stricter(j, OFFICE_FIELD_REMOVED, keyword, why);
		return;
	case OFFICE_FIELD_RULE_MACRO:
		if (next_arg(&args, end, &arg, &len, &quoted) && len == 7 &&
		    g_ascii_strncasecmp(arg, "NoMacro", 7) == 0)
			return;
		stricter(j, OFFICE_FIELD_REMOVED, keyword, why);
		return;
	case OFFICE_FIELD_RULE_HYPERLINK: {
		enum office_field_verdict v = judge_hyperlink(policy, c, args, end, &why);
		stricter(j, v, keyword, why);
		return;
	}
	}
}

enum office_field_verdict
office_field_judge(const struct cdr_policy *policy, const struct office_field_code *c,
		   struct office_field_judgement *j)
{
	if (c->computed) {
		stricter(j, OFFICE_FIELD_REMOVED, "", why_computed);
		return j->verdict;
	}
	const char *s = c->text ? c->text->str : "";
	const char *end = s + (c->text ? c->text->len : 0);
	const char *p = skip_leading(s, end);
	char keyword[KEYWORD_MAX + 1];
	gsize n = 0;
	gboolean long_word = FALSE, complete = FALSE;
	while (p < end) {
		const char *q = p;
		char up = 0;
		enum char_class cls = classify(next_char(&q, end), &up);
		if (cls == C_LETTER) {
			if (n < KEYWORD_MAX)
				keyword[n++] = up;
			else
				long_word = TRUE;
		} else if (cls == C_SOFT) {
			/* read as a break here; as nothing, further on */
			if (n && !long_word) {
				keyword[n] = '\0';
				judge_keyword(policy, c, keyword, p, end, j);
			}
		} else {
			complete = TRUE;
			break;
		}
		p = q;
	}
	if (!complete && c->overflow) {
		stricter(j, OFFICE_FIELD_REMOVED, "", why_long);
		return j->verdict;
	}
	if (n && !long_word) {
		keyword[n] = '\0';
		judge_keyword(policy, c, keyword, p, end, j);
	}
	return j->verdict;
}

const char *
office_field_action(enum office_field_verdict v)
{
	switch (v) {
	case OFFICE_FIELD_NEUTRALIZED:
		return CDR_ACT_EXTERNAL_LINK;
	case OFFICE_FIELD_LINK_REMOVED:
		return CDR_ACT_EXTERNAL_REFERENCE;
	case OFFICE_FIELD_REMOVED:
		return CDR_ACT_FIELD;
	case OFFICE_FIELD_KEPT:
		break;
	}
	return NULL;
}
