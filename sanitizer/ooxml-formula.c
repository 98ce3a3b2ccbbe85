/*
 * NAME
 *	ooxml-formula.c - the one judge of spreadsheet formulas that reach out
 * SUMMARY
 *	Excel evaluates formulas in cells, shared and array formulas,
 *	conditional formats, data validations, defined names, chart series
 *	and table columns. Wherever one stands, it is read here token by
 *	token - string literals "..." with doubled quotes, sheet names '...'
 *	with doubled apostrophes, structured references Table[[#This Row],
 *	[Col]] with their ' escapes, array constants, function names with
 *	their _xlfn./_xll./_xludf./_xlws. prefixes - and refused when it:
 *	links to another program (DDE: app|topic!item, quoted or not),
 *	refers to another workbook ([1]Sheet1!A1, '[book.xlsx]Sheet'!A1,
 *	'C:\path\[book]Sheet'!A1, \\host\share paths), fetches from the
 *	network (WEBSERVICE, IMAGE, RTD, TRANSLATE, COPILOT, SQL.REQUEST),
 *	calls code (CALL, REGISTER, EXEC and the other Excel 4 macro
 *	functions, Python in Excel's PY), or makes a HYPERLINK whose
 *	target is not a string literal the link rule (cdr/links.h) allows.
 *	A formula that cannot be read (a string or name left open) is
 *	refused too.
 * DESCRIPTION
 *	FILTERXML is allowed: it only parses a string it is given, and the
 *	WEBSERVICE that would feed it is refused.
 */
#include <string.h>

#include "actions.h"
#include "links.h"
#include "ooxml.h"
#include "policy.h"

/* Functions that send data to a service or fetch from one: Microsoft
 * 365's translation, language detection and Copilot send the text they
 * are given to Microsoft's servers. */
static const char *const fetching[] = {
	"WEBSERVICE", "IMAGE", "RTD", "STOCKHISTORY", "TRANSLATE", "DETECTLANGUAGE", "COPILOT",
	"SQL.REQUEST",
};

/* Excel 4 macro functions that run code, touch files or other programs;
 * outside a macro sheet Excel does not run them, but no cell needs them. */
static const char *const running[] = {
	"CALL",       "REGISTER",      "REGISTER.ID", "UNREGISTER",    "EXEC",      "EXECUTE",
	"RUN",        "EVALUATE",      "FOPEN",       "FWRITE",        "FWRITELN",  "FREAD",
	"FREADLN",    "FCLOSE",        "INITIATE",    "POKE",          "REQUEST",   "TERMINATE",
	"SEND.KEYS",  "ON.TIME",       "ON.KEY",      "ON.ENTRY",      "ON.RECALC", "ON.SHEET",
	"ON.WINDOW",  "ON.DATA",       "ON.DOUBLECLICK", "SET.NAME",   "SET.VALUE", "FORMULA",
	"FORMULA.ARRAY", "FORMULA.FILL", "PY",
};

static const char *const prefixes[] = {
	"_xlfn.", "_xlws.", "_xludf.", "_xll.", "_xlpm.", "_xlop.",
};

static gboolean
is_name_char(guchar c)
{
	return g_ascii_isalnum(c) || c == '_' || c == '.' || c == '?' || c == '$' || c >= 0x80;
}

gboolean
formula_name_in(const char *name, gsize n, const char *const *list, gsize count)
{
	for (gsize i = 0; i < count; i++)
		if (strlen(list[i]) == n && g_ascii_strncasecmp(name, list[i], n) == 0)
			return TRUE;
	return FALSE;
}

void
formula_skip_space(struct formula_scan *sc)
{
	while (sc->i < sc->len && (sc->s[sc->i] == ' ' || sc->s[sc->i] == '\n' ||
				   sc->s[sc->i] == '\r' || sc->s[sc->i] == '\t'))
		sc->i++;
}

/* Past a quoted run ("..." or '...', the quote doubled inside); the
 * content is [start, end). FALSE when it is left open. */
gboolean
formula_skip_quoted(struct formula_scan *sc, gsize *start, gsize *end)
{
	char q = sc->s[sc->i++];
	*start = sc->i;
	while (sc->i < sc->len) {
		if (sc->s[sc->i] == q) {
			if (sc->i + 1 < sc->len && sc->s[sc->i + 1] == q) {
				sc->i += 2;
				continue;
			}
			*end = sc->i++;
			return TRUE;
		}
		sc->i++;
	}
	return FALSE;
}

/* A quoted sheet name that is a path or names a workbook: Excel's sheet
 * names cannot hold [ ] \ / (nor ? *), so any of them means another file. */
static gboolean
names_another_file(const char *s, gsize start, gsize end)
{
	for (gsize k = start; k < end; k++)
		if (strchr("[]\\/?*", s[k]))
			return TRUE;
	return FALSE;
}

/* The first argument of HYPERLINK: a string literal the link rule allows,
 * or an in-workbook location (#Sheet2!A1). The scan is at the '(' and is
 * left there; ',' and ';' both end an argument (Excel's and OpenFormula's). */
gboolean
formula_hyperlink_allowed(struct formula_scan *sc)
{
	gsize resume = sc->i;
	sc->i++; /* the '(' */
	formula_skip_space(sc);
	gsize start = 0, end = 0;
	gboolean ok = sc->i < sc->len && sc->s[sc->i] == '"' && formula_skip_quoted(sc, &start, &end);
	if (ok) {
		formula_skip_space(sc);
		ok = sc->i < sc->len && strchr(",;)", sc->s[sc->i]); /* the literal alone */
	}
	sc->i = resume;
	if (!ok)
		return FALSE;
	GString *t = g_string_sized_new(end - start);
	for (gsize k = start; k < end; k++) {
		g_string_append_c(t, sc->s[k]);
		if (sc->s[k] == '"')
			k++; /* "" stands for " */
	}
	if (t->len > 0 && t->str[0] == '#')
		ok = !names_another_file(t->str, 1, t->len) && !strchr(t->str, ':');
	else
		ok = cdr_link_allowed(sc->policy, t->str, t->len) &&
		     !sc->policy->office_neutralize_links;
	g_string_free(t, TRUE);
	return ok;
}

/* The function's name without its _xlfn./_xlws./... prefixes. */
static void
strip_prefixes(const char **name, gsize *n)
{
	for (gboolean again = TRUE; again;) {
		again = FALSE;
		for (gsize i = 0; i < G_N_ELEMENTS(prefixes); i++) {
			gsize pl = strlen(prefixes[i]);
			if (*n > pl && g_ascii_strncasecmp(*name, prefixes[i], pl) == 0) {
				*name += pl;
				*n -= pl;
				again = TRUE;
			}
		}
	}
}

enum ooxml_formula_risk
ooxml_formula_function(const char *name, gsize n)
{
	strip_prefixes(&name, &n);
	if (formula_name_in(name, n, fetching, G_N_ELEMENTS(fetching)))
		return FORMULA_FETCH;
	if (formula_name_in(name, n, running, G_N_ELEMENTS(running)))
		return FORMULA_CODE;
	return FORMULA_SAFE;
}

enum ooxml_formula_risk
formula_function_risk(struct formula_scan *sc, gsize start, gsize end)
{
	const char *name = sc->s + start;
	gsize n = end - start;
	enum ooxml_formula_risk risk = ooxml_formula_function(name, n);
	if (risk != FORMULA_SAFE)
		return risk;
	strip_prefixes(&name, &n);
	if (n == 9 && g_ascii_strncasecmp(name, "HYPERLINK", 9) == 0 &&
	    !formula_hyperlink_allowed(sc))
		return FORMULA_LINK;
	return FORMULA_SAFE;
}

/* '[' at the start of a reference: a workbook ([1]Sheet1!A1,
 * [book.xlsx]Sheet1!A1, [1]!Name) or a table's own column ([@Col],
 * [#This Row], [Col]). */
static gboolean
opens_workbook_reference(const struct formula_scan *sc)
{
	const char *close = memchr(sc->s + sc->i, ']', sc->len - sc->i);
	if (!close)
		return TRUE;
	char first = sc->i + 1 < sc->len ? sc->s[sc->i + 1] : '\0';
	if (first == '@' || first == '#' || first == '[')
		return FALSE;
	gsize after = (gsize)(close - sc->s) + 1;
	guchar next = after < sc->len ? (guchar)sc->s[after] : '\0';
	return is_name_char(next) || next == '!' || next == '\'';
}

/* Inside a structured reference's brackets: column names, where ' escapes
 * the next character. Returns past the outermost ']'; FALSE if open. */
static gboolean
skip_structured(struct formula_scan *sc)
{
	int depth = 0;
	while (sc->i < sc->len) {
		char ch = sc->s[sc->i++];
		if (ch == '\'')
			sc->i++;
		else if (ch == '[')
			depth++;
		else if (ch == ']' && --depth == 0)
			return TRUE;
	}
	return FALSE;
}

enum ooxml_formula_risk
ooxml_formula_judge(const struct cdr_policy *policy, const char *formula, gsize len)
{
	struct formula_scan sc = { .s = formula, .len = len, .policy = policy };
	gboolean after_name = FALSE; /* the last token was a name or ']' */
	while (sc.i < sc.len) {
		guchar ch = (guchar)sc.s[sc.i];
		gsize start = 0, end = 0;
		if (ch == '"') {
			if (!formula_skip_quoted(&sc, &start, &end))
				return FORMULA_UNREADABLE;
			after_name = FALSE;
			continue;
		}
		if (ch == '\'') {
			if (!formula_skip_quoted(&sc, &start, &end))
				return FORMULA_UNREADABLE;
			if (names_another_file(sc.s, start, end))
				return FORMULA_EXTERNAL;
			formula_skip_space(&sc);
			if (sc.i < sc.len && sc.s[sc.i] == '|')
				return FORMULA_DDE;
			after_name = TRUE;
			continue;
		}
		if (ch == '[') {
			if (!after_name && opens_workbook_reference(&sc))
				return FORMULA_EXTERNAL;
			if (!skip_structured(&sc))
				return FORMULA_UNREADABLE;
			after_name = TRUE;
			continue;
		}
		if (ch == '|')
			return FORMULA_DDE;
		if (ch == '\\' || ch == ']' || ch == '\0')
			return ch == '\\' ? FORMULA_EXTERNAL : FORMULA_UNREADABLE;
		if (is_name_char(ch)) {
			start = sc.i;
			while (sc.i < sc.len && is_name_char((guchar)sc.s[sc.i]))
				sc.i++;
			end = sc.i;
			gsize resume = sc.i;
			formula_skip_space(&sc);
			if (sc.i < sc.len && sc.s[sc.i] == '|')
				return FORMULA_DDE;
			if (sc.i < sc.len && sc.s[sc.i] == '(') {
				enum ooxml_formula_risk r = formula_function_risk(&sc, start, end);
				if (r != FORMULA_SAFE)
					return r;
			}
			sc.i = resume;
			after_name = TRUE;
			continue;
		}
		after_name = FALSE;
		sc.i++;
	}
	return FORMULA_SAFE;
}

const char *
ooxml_formula_action(enum ooxml_formula_risk risk)
{
	switch (risk) {
	case FORMULA_CODE: return CDR_ACT_MACRO;
	case FORMULA_LINK: return CDR_ACT_EXTERNAL_REFERENCE;
	case FORMULA_SAFE: return NULL;
	default: return CDR_ACT_DATA_CONNECTION;
	}
}
