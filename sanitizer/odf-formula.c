/*
 * NAME
 *	odf-formula.c - the judge of OpenDocument formulas that reach out
 * SUMMARY
 *	A formula attribute starts with a namespace prefix that picks its
 *	grammar, resolved like any QName: OpenFormula (of:, the one
 *	LibreOffice writes), the old Calc syntax (oooc:), Writer's table
 *	formulas (ooow:), or Excel's A1 syntax (msoxl:), which goes to the
 *	Excel judge (ooxml-formula.c). Without a prefix the whole value is a
 *	formula, as LibreOffice reads it; a prefix bound to any other
 *	namespace is refused.
 *	An OpenFormula is read token by token - string literals "..." with
 *	doubled quotes, quoted names '...' with doubled apostrophes, names
 *	and function calls with their COM.MICROSOFT. and ORG.OPENOFFICE.
 *	prefixes - and refused when it refers to another document (a quoted
 *	IRI followed by '#': ['file:///C:/x.ods'#$Sheet1.A1], or a URL or
 *	path anywhere outside a string), links to another program (DDE()),
 *	or calls a function the Excel judge refuses: fetching from the
 *	network (WEBSERVICE), code (the Excel 4 macro functions, among them
 *	FORMULA, which LibreOffice also has: a cell that shows another's
 *	formula keeps its last value), a HYPERLINK whose target is not a
 *	string the link rule allows. A formula left open (a string or name
 *	not closed) is refused too.
 */
#include <string.h>

#include "odf.h"
#include "policy.h"

static const char *const connecting[] = {
	"DDE",
};

/* Prefixes LibreOffice writes before function names it shares with other
 * applications. */
static const char *const prefixes[] = {
	"COM.MICROSOFT.", "ORG.OPENOFFICE.", "ORG.LIBREOFFICE.",
};

static gboolean
is_name_char(guchar c)
{
	return g_ascii_isalnum(c) || c == '_' || c == '.' || c == '$' || c >= 0x80;
}

/* A quoted name that is a URL or a path: another document. */
static gboolean
names_a_document(const char *s, gsize start, gsize end)
{
	gsize n = end - start;
	return g_strstr_len(s + start, (gssize)n, "://") || g_strstr_len(s + start, (gssize)n, "\\") ||
	       (n >= 5 && g_ascii_strncasecmp(s + start, "file:", 5) == 0);
}

/* The function named at [start, end): DDE here, the rest as the Excel
 * judge sees it (WEBSERVICE, the macro functions, HYPERLINK). */
static enum ooxml_formula_risk
judge_function(struct formula_scan *sc, gsize start, gsize end)
{
	for (gsize i = 0; i < G_N_ELEMENTS(prefixes); i++) {
		gsize pl = strlen(prefixes[i]);
		if (end - start > pl && g_ascii_strncasecmp(sc->s + start, prefixes[i], pl) == 0) {
			start += pl;
			break;
		}
	}
	if (formula_name_in(sc->s + start, end - start, connecting, G_N_ELEMENTS(connecting)))
		return FORMULA_DDE;
	return formula_function_risk(sc, start, end);
}

/* An OpenFormula, or the old Calc syntax, or with `writer` Writer's,
 * where '|' is the logical or. */
static enum ooxml_formula_risk
judge_openformula(const struct cdr_policy *policy, const char *formula, gsize len,
		  gboolean writer)
{
	struct formula_scan sc = { .s = formula, .len = len, .policy = policy };
	while (sc.i < sc.len) {
		guchar ch = (guchar)sc.s[sc.i];
		gsize start = 0, end = 0;
		if (ch == '"') {
			if (!formula_skip_quoted(&sc, &start, &end))
				return FORMULA_UNREADABLE;
			continue;
		}
		if (ch == '\'') {
			if (!formula_skip_quoted(&sc, &start, &end))
				return FORMULA_UNREADABLE;
			formula_skip_space(&sc);
			if (names_a_document(sc.s, start, end) ||
			    (sc.i < sc.len && sc.s[sc.i] == '#'))
				return FORMULA_EXTERNAL;
			continue;
		}
		if (ch == '|' && !writer)
			return FORMULA_DDE;
		if (ch == '\\' || ch == '\0')
			return ch == '\\' ? FORMULA_EXTERNAL : FORMULA_UNREADABLE;
		if (ch == ':' && sc.i + 2 < sc.len && sc.s[sc.i + 1] == '/' && sc.s[sc.i + 2] == '/')
			return FORMULA_EXTERNAL; /* a URL outside quotes */
		if (ch == '#' && sc.i + 1 < sc.len && sc.s[sc.i + 1] == '$')
			return FORMULA_EXTERNAL; /* a document's sheet */
		if (is_name_char(ch)) {
			start = sc.i;
			while (sc.i < sc.len && is_name_char((guchar)sc.s[sc.i]))
				sc.i++;
			end = sc.i;
			gsize resume = sc.i;
			formula_skip_space(&sc);
			if (sc.i < sc.len && sc.s[sc.i] == '(') {
				enum ooxml_formula_risk r = judge_function(&sc, start, end);
				if (r != FORMULA_SAFE)
					return r;
			}
			sc.i = resume;
			continue;
		}
		sc.i++;
	}
	return FORMULA_SAFE;
}

/* The namespace prefix of a QName-valued attribute, as LibreOffice splits
 * it: the part before the first ':' when that part is an NCName. */
static char *
formula_prefix(const char *value)
{
	const char *colon = strchr(value, ':');
	if (!colon || colon == value || (!g_ascii_isalpha(*value) && *value != '_'))
		return NULL;
	for (const char *p = value; p < colon; p++)
		if (!g_ascii_isalnum(*p) && *p != '_' && *p != '-' && *p != '.')
			return NULL;
	return g_strndup(value, (gsize)(colon - value));
}

enum ooxml_formula_risk
odf_formula_judge(const struct cdr_policy *policy, const xmlNode *element, const char *value)
{
	g_autofree char *prefix = formula_prefix(value);
	xmlNs *ns = prefix ? xmlSearchNs(element->doc, (xmlNode *)element, (const xmlChar *)prefix)
			   : NULL;
	if (!ns || !ns->href)
		return judge_openformula(policy, value, strlen(value), FALSE);
	const char *uri = (const char *)ns->href;
	const char *rest = value + strlen(prefix) + 1;
	if (strcmp(uri, ODF_NS_MSOXL) == 0) {
		if (*rest == '=')
			rest++;
		return ooxml_formula_judge(policy, rest, strlen(rest));
	}
	if (strcmp(uri, ODF_NS_OF) == 0 || strcmp(uri, ODF_NS_OOOC) == 0 ||
	    strcmp(uri, ODF_NS_OOOW) == 0)
		return judge_openformula(policy, rest, strlen(rest), strcmp(uri, ODF_NS_OOOW) == 0);
	return FORMULA_UNREADABLE;
}
