/*
 * NAME
 *	ooxml-formula-places.c - the places Excel evaluates a formula, and
 *	what goes when the judge refuses one
 * SUMMARY
 *	Every formula is judged by ooxml-formula.c; here is where they stand
 *	and what a refusal removes. A cell's <f> goes and the cell keeps its
 *	cached value; the followers of a shared formula (t="shared" with only
 *	an si) go with a refused master, and with one that never came before
 *	them. A conditional format's rule, a data validation (their x14
 *	twins too) and a sparkline group go whole with their formula, and the
 *	validation count is corrected by the caller. A chart series keeps its
 *	cached values as literals (c:numLit, c:strLit); its name or a title
 *	whose reference is refused goes, and so does a category list of
 *	several levels. A table's calculated column or totals formula goes
 *	(the column stays), a pivot item computed by a formula goes, a pivot
 *	field loses its formula, and a sheet hyperlink whose place is in
 *	another workbook goes. Form controls and shapes in a sheet's
 *	drawings hold formulas too: VML's x:FmlaLink, x:FmlaRange, ... go
 *	when refused, a DrawingML shape loses a refused textlink; and the
 *	macro a control or shape runs on a click (x:FmlaMacro, the macro
 *	attribute) always goes: no macro is kept for it to run, and one in
 *	another workbook ("C:\x\[a.xlsm]S'!Go", or "a.xlsm!Go" opened from
 *	the current folder) is fetched.
 */
#include <string.h>

#include "actions.h"
#include "ooxml.h"

enum ooxml_formula_risk
ooxml_formula_of(struct ooxml_clean *c, const char *text)
{
	return text ? ooxml_formula_judge(cdr_job_policy(c->job), text, strlen(text)) : FORMULA_SAFE;
}

/* The element to remove for a refused chart reference (c:f): the series
 * text that holds it, or a category list of several levels; for a plain
 * number or string list, only the c:f - its cached values are made the
 * list's literal values after the walk (ooxml_chart_literals). */
static xmlNode *
chart_formula_owner(struct ooxml_clean *c, xmlNode *f)
{
	xmlNode *ref = f->parent;
	if (!ref || ref->type != XML_ELEMENT_NODE)
		return f;
	xmlNode *holder = ref->parent && ref->parent->type == XML_ELEMENT_NODE ? ref->parent
										  : NULL;
	if (ooxml_is(ref, NS_C, "strRef") && holder && ooxml_is(holder, NS_C, "tx"))
		return holder;
	if (ooxml_is(ref, NS_C, "numRef") || ooxml_is(ref, NS_C, "strRef")) {
		if (!c->chart_refs)
			c->chart_refs = g_ptr_array_new();
		g_ptr_array_add(c->chart_refs, ref);
		return f;
	}
	return holder && ooxml_is(ref, NS_C, "multiLvlStrRef") ? holder : ref;
}

/* The element that goes with a refused formula: the rule, validation or
 * sparkline group it belongs to, or the formula element itself. */
static xmlNode *
formula_owner(struct ooxml_clean *c, xmlNode *n)
{
	if (ooxml_is(n, NS_C, "f"))
		return chart_formula_owner(c, n);
	if (ooxml_is(n, NS_C15, "f"))
		return n->parent && n->parent->type == XML_ELEMENT_NODE ? n->parent : n;
	static const struct ooxml_name owners[] = {
		{ NS_S, "cfRule" },   { NS_S, "dataValidation" },   { NS_X14, "cfRule" },
		{ NS_X14, "dataValidation" }, { NS_X14, "sparklineGroup" },
	};
	for (xmlNode *a = n->parent; a && a->type == XML_ELEMENT_NODE; a = a->parent)
		if (ooxml_is_one_of(a, owners, G_N_ELEMENTS(owners)))
			return a;
	return n;
}

/* Elements whose text is a formula Excel evaluates. */
static const struct ooxml_name formula_elements[] = {
	{ NS_S, "formula" },  { NS_S, "formula1" },  { NS_S, "formula2" },
	{ NS_XM, "f" },       { NS_C, "f" },         { NS_C15, "f" },
	{ NS_S, "calculatedColumnFormula" },         { NS_S, "totalsRowFormula" },
};

static void
add_group(GHashTable **set, const char *si)
{
	if (!*set)
		*set = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	g_hash_table_add(*set, g_strdup(si));
}

/* A cell's <f>: judged, and a shared formula's followers (t="shared" with
 * only an si) go with a master that went, or that never came first. */
static gboolean
cell_formula_refused(struct ooxml_clean *c, xmlNode *n, const char **what)
{
	g_autofree char *type = (char *)xmlGetProp(n, (const xmlChar *)"t");
	g_autofree char *si = (char *)xmlGetProp(n, (const xmlChar *)"si");
	g_autofree char *text = (char *)xmlNodeGetContent(n);
	gboolean shared = type && strcmp(type, "shared") == 0 && si;
	if (shared && (!text || !*text)) {
		if (c->shared_kept && g_hash_table_contains(c->shared_kept, si))
			return FALSE;
		*what = c->shared_removed && g_hash_table_contains(c->shared_removed, si)
				? NULL
				: CDR_ACT_DATA_CONNECTION;
		return TRUE;
	}
	enum ooxml_formula_risk risk = ooxml_formula_of(c, text);
	if (shared)
		add_group(risk == FORMULA_SAFE ? &c->shared_kept : &c->shared_removed, si);
	*what = ooxml_formula_action(risk);
	return risk != FORMULA_SAFE;
}

/* Pivot fields and items computed by a formula in an attribute, a sheet
 * hyperlink's place. */
static gboolean
formula_attribute_refused(struct ooxml_clean *c, xmlNode *n, const char **what,
			  const char *attribute)
{
	g_autofree char *f = (char *)xmlGetProp(n, (const xmlChar *)attribute);
	if (!f)
		return FALSE;
	*what = ooxml_formula_action(ooxml_formula_of(c, f));
	return *what != NULL;
}

/* A drawing's shape (sheet or chart drawing): the macro it runs on a
 * click goes, and a refused textlink (the cell whose text it shows). */
static void
shape_formulas(struct ooxml_clean *c, xmlNode *n)
{
	if (!n->ns || !n->ns->href ||
	    (strcmp((const char *)n->ns->href, NS_XDR) != 0 &&
	     strcmp((const char *)n->ns->href, NS_CDR) != 0))
		return;
	const char *what = NULL;
	if (xmlHasProp(n, (const xmlChar *)"macro")) {
		g_autofree char *macro = (char *)xmlGetProp(n, (const xmlChar *)"macro");
		xmlUnsetProp(n, (const xmlChar *)"macro");
		c->changed = TRUE;
		if (macro && *macro)
			cdr_job_action(c->job, CDR_ACT_MACRO, c->part, 1);
	}
	if (formula_attribute_refused(c, n, &what, "textlink")) {
		xmlUnsetProp(n, (const xmlChar *)"textlink");
		cdr_job_action(c->job, what, c->part, 1);
		c->changed = TRUE;
	}
}

/* A VML form control's formulas (x:ClientData's x:FmlaLink, x:FmlaRange,
 * x:FmlaPict, x:FmlaGroup, x:FmlaTxbx, x:FmlaMacro). */
static gboolean
control_formula_refused(struct ooxml_clean *c, xmlNode *n, const char **what)
{
	if (!n->ns || !n->ns->href || strcmp((const char *)n->ns->href, NS_X) != 0 ||
	    g_ascii_strncasecmp((const char *)n->name, "Fmla", 4) != 0)
		return FALSE;
	if (g_ascii_strcasecmp((const char *)n->name, "FmlaMacro") == 0) {
		*what = CDR_ACT_MACRO;
		return TRUE;
	}
	g_autofree char *text = (char *)xmlNodeGetContent(n);
	*what = ooxml_formula_action(ooxml_formula_of(c, text));
	return *what != NULL;
}

gboolean
ooxml_formula_rule(struct ooxml_clean *c, xmlNode *n, xmlNode **victim, const char **what)
{
	shape_formulas(c, n);
	if (control_formula_refused(c, n, what)) {
		*victim = n;
		return TRUE;
	}
	if (ooxml_is(n, NS_S, "f")) {
		*victim = n;
		return cell_formula_refused(c, n, what);
	}
	if (ooxml_is_one_of(n, formula_elements, G_N_ELEMENTS(formula_elements))) {
		g_autofree char *text = (char *)xmlNodeGetContent(n);
		*what = ooxml_formula_action(ooxml_formula_of(c, text));
		if (!*what)
			return FALSE;
		*victim = formula_owner(c, n);
		if (ooxml_is(n, NS_S, "totalsRowFormula"))
			xmlUnsetProp(n->parent, (const xmlChar *)"totalsRowFunction");
		return TRUE;
	}
	if (ooxml_is(n, NS_S, "calculatedItem")) {
		*victim = n;
		return formula_attribute_refused(c, n, what, "formula");
	}
	if (ooxml_is(n, NS_S, "hyperlink")) {
		/* a place in the workbook, read as a reference */
		*victim = n;
		return formula_attribute_refused(c, n, what, "location");
	}
	if (ooxml_is(n, NS_S, "cacheField") && formula_attribute_refused(c, n, what, "formula")) {
		xmlUnsetProp(n, (const xmlChar *)"formula");
		cdr_job_action(c->job, *what, c->part, 1);
		c->changed = TRUE;
	}
	return FALSE;
}

/* Is `n`, or an element around it, about to be removed? */
static gboolean
about_to_go(GHashTable *victims, const xmlNode *n)
{
	for (; n; n = n->parent)
		if (g_hash_table_contains(victims, n))
			return TRUE;
	return FALSE;
}

/* c:numRef becomes c:numLit and c:strRef c:strLit, holding what their
 * cache held. */
void
ooxml_chart_literals(struct ooxml_clean *c, GHashTable *victims)
{
	for (guint i = 0; c->chart_refs && i < c->chart_refs->len; i++) {
		xmlNode *ref = c->chart_refs->pdata[i];
		if (about_to_go(victims, ref))
			continue;
		gboolean num = ooxml_is(ref, NS_C, "numRef");
		xmlNodeSetName(ref, (const xmlChar *)(num ? "numLit" : "strLit"));
		xmlNode *child = ref->children;
		while (child) {
			xmlNode *next = child->next;
			if (ooxml_is(child, NS_C, num ? "numCache" : "strCache")) {
				while (child->children) {
					xmlNode *k = child->children;
					xmlUnlinkNode(k);
					xmlAddPrevSibling(child, k);
				}
			}
			if (child->type == XML_ELEMENT_NODE && !g_hash_table_contains(victims, child) &&
			    !ooxml_is(child, NS_C, "formatCode") && !ooxml_is(child, NS_C, "ptCount") &&
			    !ooxml_is(child, NS_C, "pt")) {
				xmlUnlinkNode(child);
				xmlFreeNode(child);
			}
			child = next;
		}
	}
	if (c->chart_refs)
		g_ptr_array_set_size(c->chart_refs, 0);
}
