/*
 * NAME
 *	office-fields.h - the one table of Word field rules, shared by the
 *	ooxml, ole2 and rtf handlers
 * SUMMARY
 *	Each handler gathers a field's code (its instruction) in its own way:
 *	w:instrText runs in a docx, the characters between 0x13 and 0x14 in a
 *	.doc, the text of \fldinst in RTF. It hands the code here as UTF-8,
 *	notes where a nested field began, and asks what becomes of the field.
 */
#pragma once

#include <glib.h>

struct cdr_policy;

/* What a field keyword makes of a field (the table in office-fields.c). */
enum office_field_rule {
	OFFICE_FIELD_RULE_KEEP,      /* code and result stay */
	OFFICE_FIELD_RULE_RESULT,    /* replaced by its displayed result */
	OFFICE_FIELD_RULE_HYPERLINK, /* stays while every target is a link the policy allows */
	OFFICE_FIELD_RULE_MACRO,     /* MACROBUTTON: stays only for the NoMacro placeholder */
};

struct office_field_row {
	const char *keyword; /* upper case */
	enum office_field_rule rule;
	const char *why;     /* what the field does, and so why the rule */
};

/* Every row of the table, in alphabetical order; *n receives the count. */
const struct office_field_row *office_field_rows(gsize *n);

/* Bytes of a field code kept for judging; a longer code is judged on its
 * beginning (its keyword must be complete in it) and a hyperlink whose
 * code is longer is not kept. */
#define OFFICE_FIELD_CODE_MAX 4096

/* A field code as a handler gathers it. Zero-initialize; clear when done. */
struct office_field_code {
	GString *text;     /* UTF-8; NULL until the first character */
	gboolean overflow; /* more than OFFICE_FIELD_CODE_MAX bytes came */
	gboolean computed; /* a nested field began before the keyword ended */
	gboolean nested;   /* a nested field began somewhere in the code */
	gboolean keyword_complete; /* seen complete when a nested field began */
};

void office_field_code_append(struct office_field_code *c, const char *utf8, gsize len);
void office_field_code_append_char(struct office_field_code *c, gunichar ch);
/* A byte >= 0x80 of 8-bit Windows text, as far as the rules care: the
 * Latin-1 half as itself (no-break space, soft hyphen), the typographic
 * quotes of cp1252, U+FFFD for the rest. */
gunichar office_field_cp1252_char(guint8 byte);
/* A nested field begins at this point of the code. */
void office_field_code_nested(struct office_field_code *c);
/* A copy (another reading of the same code, to go on differently). */
void office_field_code_copy(struct office_field_code *dst, const struct office_field_code *src);
void office_field_code_clear(struct office_field_code *c);

/* What becomes of a field, from harmless to removed. */
enum office_field_verdict {
	OFFICE_FIELD_KEPT,
	OFFICE_FIELD_NEUTRALIZED,  /* a web hyperlink, [office] neutralize_links: external-link */
	OFFICE_FIELD_LINK_REMOVED, /* a hyperlink the link rule refuses: external-reference */
	OFFICE_FIELD_REMOVED,      /* runs or fetches something: field */
};

struct office_field_judgement {
	enum office_field_verdict verdict;
	char keyword[32]; /* the keyword judged, upper case ("" when none was read) */
	const char *why;  /* for a removal: the reason (static) */
};

/* Judge a gathered field code. When `j` already holds a judgement (of
 * another reading of the same field), the stricter of the two stays; start
 * with a zeroed judgement. Returns j->verdict. */
enum office_field_verdict office_field_judge(const struct cdr_policy *policy,
					     const struct office_field_code *c,
					     struct office_field_judgement *j);

/* The report action for a verdict (NULL when kept). */
const char *office_field_action(enum office_field_verdict v);
