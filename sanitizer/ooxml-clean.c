/*
 * NAME
 *	ooxml-clean.c - the rules applied to the XML of every kept Office part
 * SUMMARY
 *	When a relationship is removed (a macro, an ActiveX control, an OLE
 *	object, an external template or picture), the XML that used it must
 *	go too, or Office asks to repair the file. An element whose only
 *	meaning is the removed thing (w:control, o:OLEObject, a sheet's
 *	oleObject, an embedded font, a click action) is removed, a container
 *	left empty by that (oleObjects, hyperlinks, mc:AlternateContent, ...)
 *	with it; elsewhere only the attribute naming the relationship goes
 *	(a w:hyperlink keeps its text).
 * DESCRIPTION
 *	Also, in any part: PowerPoint click actions that run a program or a
 *	macro (ppaction://program, ppaction://macro) or an OLE verb
 *	(ppaction://ole). In worksheets: formulas that are DDE links
 *	(app|topic!item) or that refer to another workbook ([1]Sheet!A1) lose
 *	the formula and keep their last value. In the workbook: the <sheet>
 *	entries of removed macro sheets, names that run macros on open or
 *	close (Auto_Open, Auto_Close, Auto_Activate, Auto_Deactivate and any
 *	name starting so), names that point into a removed sheet or another
 *	workbook, and sheet positions renumbered past the removed sheets.
 *	In Word settings: a mail merge's data source.
 */
#include <string.h>

#include "actions.h"
#include "links.h"
#include "ooxml.h"
#include "policy.h"

#define NS_O "urn:schemas-microsoft-com:office:office"
#define NS_P14 "http://schemas.microsoft.com/office/powerpoint/2010/main"
#define NS_C "http://schemas.openxmlformats.org/drawingml/2006/chart"
#define NS_DGM "http://schemas.openxmlformats.org/drawingml/2006/diagram"
#define NS_C15 "http://schemas.microsoft.com/office/drawing/2012/chart"
#define NS_XDR "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
#define NS_X14 "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
#define NS_XM "http://schemas.microsoft.com/office/excel/2006/main"

struct element_name {
	const char *ns, *name;
};

/* Elements that mean nothing without the relationship they name. */
static const struct element_name drop_with_relationship[] = {
	{ NS_W, "control" },       { NS_W, "attachedTemplate" }, { NS_W, "subDoc" },
	{ NS_W, "altChunk" },      { NS_W, "embedRegular" },     { NS_W, "embedBold" },
	{ NS_W, "embedItalic" },   { NS_W, "embedBoldItalic" },  { NS_O, "OLEObject" },
	{ NS_S, "oleObject" },     { NS_S, "control" },          { NS_S, "externalReference" },
	{ NS_S, "sheet" },         { NS_S, "hyperlink" },        { NS_P, "control" },
	{ NS_P, "oleObj" },        { NS_P, "regular" },          { NS_P, "bold" },
	{ NS_P, "italic" },        { NS_P, "boldItalic" },       { NS_P, "custData" },
	{ NS_A, "hlinkClick" },    { NS_A, "hlinkHover" },       { NS_A, "hlinkMouseOver" },
	{ NS_A, "videoFile" },     { NS_A, "audioFile" },        { NS_A, "quickTimeFile" },
	{ NS_A, "wavAudioFile" },  { NS_P14, "media" },          { NS_C, "externalData" },
	{ NS_C, "userShapes" },    { NS_C, "legacyDrawingHF" },  { NS_W, "headerReference" },
	{ NS_W, "footerReference" }, { NS_S, "drawing" },        { NS_S, "legacyDrawing" },
	{ NS_S, "legacyDrawingHF" }, { NS_S, "picture" },        { NS_S, "tablePart" },
	{ NS_S, "pivotCache" },    { NS_P, "sldId" },            { NS_P, "sldMasterId" },
	{ NS_P, "sldLayoutId" },   { NS_P, "notesMasterId" },    { NS_P, "handoutMasterId" },
	{ NS_P, "sld" },           { NS_P, "tags" },             { NS_DGM, "relIds" },
	{ NS_C, "chart" },         { NS_A, "snd" },              { NS_P, "snd" },
	{ NS_P, "sndTgt" },
};

/* Containers the schema requires to hold at least one element. */
static const struct element_name drop_when_empty[] = {
	{ NS_S, "oleObjects" },  { NS_S, "controls" },        { NS_S, "hyperlinks" },
	{ NS_S, "externalReferences" }, { NS_S, "definedNames" }, { NS_P, "controls" },
	{ NS_P, "embeddedFontLst" }, { NS_P, "custDataLst" },  { NS_MC, "AlternateContent" },
	{ NS_MC, "Choice" },     { NS_MC, "Fallback" },    { NS_S, "conditionalFormatting" },
	{ NS_S, "dataValidations" }, { NS_S, "ext" },      { NS_S, "extLst" },
	{ NS_P, "stSnd" },       { NS_P, "sndAc" },
	{ NS_X14, "conditionalFormattings" }, { NS_X14, "conditionalFormatting" },
	{ NS_X14, "dataValidations" }, { NS_X14, "sparklineGroups" },
};

/* An element removed with a wider one around it. */
static const struct {
	struct element_name element, instead;
} drop_ancestor[] = {
	{ { NS_P, "oleObj" }, { NS_P, "graphicFrame" } },
	{ { NS_P, "regular" }, { NS_P, "embeddedFont" } },
	{ { NS_P, "bold" }, { NS_P, "embeddedFont" } },
	{ { NS_P, "italic" }, { NS_P, "embeddedFont" } },
	{ { NS_P, "boldItalic" }, { NS_P, "embeddedFont" } },
	{ { NS_C, "chart" }, { NS_P, "graphicFrame" } },
	{ { NS_C, "chart" }, { NS_XDR, "twoCellAnchor" } },
	{ { NS_C, "chart" }, { NS_XDR, "oneCellAnchor" } },
	{ { NS_C, "chart" }, { NS_XDR, "absoluteAnchor" } },
	{ { NS_C, "chart" }, { NS_W, "drawing" } },
	{ { NS_DGM, "relIds" }, { NS_P, "graphicFrame" } },
	{ { NS_DGM, "relIds" }, { NS_XDR, "twoCellAnchor" } },
	{ { NS_DGM, "relIds" }, { NS_XDR, "oneCellAnchor" } },
	{ { NS_DGM, "relIds" }, { NS_XDR, "absoluteAnchor" } },
	{ { NS_DGM, "relIds" }, { NS_W, "drawing" } },
};

static gboolean
is_one_of(const xmlNode *n, const struct element_name *names, gsize count)
{
	for (gsize i = 0; i < count; i++)
		if (ooxml_is(n, names[i].ns, names[i].name))
			return TRUE;
	return FALSE;
}

/* The element to remove for `n`: itself, or the wider one around it,
 * looked for no higher than `root`. */
static xmlNode *
what_to_drop(xmlNode *n, xmlNode *root)
{
	for (gsize i = 0; i < G_N_ELEMENTS(drop_ancestor); i++) {
		if (!ooxml_is(n, drop_ancestor[i].element.ns, drop_ancestor[i].element.name))
			continue;
		for (xmlNode *a = n; a != root && a->parent && a->parent->type == XML_ELEMENT_NODE;) {
			a = a->parent;
			if (ooxml_is(a, drop_ancestor[i].instead.ns, drop_ancestor[i].instead.name))
				return a;
		}
	}
	return n;
}

static gboolean
has_element_child(const xmlNode *n)
{
	for (const xmlNode *c = n->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			return TRUE;
	return FALSE;
}

/* A container the schema wants non-empty, left without what it holds (an
 * x14:conditionalFormatting keeps its xm:sqref when its rules go). */
static gboolean
left_empty(const xmlNode *n)
{
	if (!is_one_of(n, drop_when_empty, G_N_ELEMENTS(drop_when_empty)))
		return FALSE;
	if (ooxml_is(n, NS_X14, "conditionalFormatting")) {
		for (const xmlNode *c = n->children; c; c = c->next)
			if (ooxml_is(c, NS_X14, "cfRule"))
				return FALSE;
		return TRUE;
	}
	return !has_element_child(n);
}

/* Judge one attribute that names a relationship or a URL: TRUE when it
 * must go. *what is the report action, or NULL when the removal was
 * already reported (the relationship itself went) or needs none (it
 * names nothing). */
static gboolean
bad_reference(struct ooxml_clean *c, const xmlNode *n, xmlAttr *attr, const char **what)
{
	*what = NULL;
	enum ooxml_url_use url = ooxml_names_relationship(attr) ? URL_NONE : ooxml_vml_url(n, attr);
	if (!ooxml_names_relationship(attr) && url == URL_NONE)
		return FALSE;
	g_autofree char *v = (char *)xmlNodeGetContent((xmlNode *)attr);
	if (!v || !*v)
		return FALSE;
	const struct cdr_policy *policy = cdr_job_policy(c->job);
	if (url == URL_HYPERLINK) {
		gboolean allowed = cdr_link_allowed_str(policy, v);
		if (allowed && !policy->office_neutralize_links)
			return FALSE;
		*what = allowed ? CDR_ACT_EXTERNAL_LINK : CDR_ACT_EXTERNAL_REFERENCE;
		return TRUE;
	}
	if (url == URL_FETCHED) {
		*what = CDR_ACT_EXTERNAL_REFERENCE;
		return TRUE;
	}
	if (c->removed_ids && g_hash_table_contains(c->removed_ids, v))
		return TRUE;
	const struct ooxml_rel *r = c->kept_rels ? g_hash_table_lookup(c->kept_rels, v) : NULL;
	if (!r)
		return TRUE; /* names nothing: Office would ask to repair */
	if (ooxml_use_allowed(n, attr, r->type)) {
		if (c->used_ids)
			g_hash_table_add(c->used_ids, r->id);
		return FALSE;
	}
	*what = r->external ? CDR_ACT_EXTERNAL_REFERENCE : ooxml_removal_action(r->type, NULL);
	return TRUE;
}

/* Remove the references the part may not make; TRUE when the element
 * itself must go. */
static gboolean
strip_bad_references(struct ooxml_clean *c, xmlNode *n)
{
	xmlAttr *a = n->properties;
	while (a) {
		xmlAttr *next = a->next;
		const char *what = NULL;
		if (bad_reference(c, n, a, &what)) {
			if (what)
				cdr_job_action(c->job, what, c->part, 1);
			if (is_one_of(n, drop_with_relationship, G_N_ELEMENTS(drop_with_relationship)))
				return TRUE;
			xmlRemoveProp(a);
			c->changed = TRUE;
		}
		a = next;
	}
	return FALSE;
}

static gboolean
starts_with_ci(const char *s, const char *prefix)
{
	return g_ascii_strncasecmp(s, prefix, strlen(prefix)) == 0;
}

/* A click action that runs something; its report action, or NULL. */
static const char *
click_action(xmlNode *n)
{
	if (!ooxml_is(n, NS_A, "hlinkClick") && !ooxml_is(n, NS_A, "hlinkHover") &&
	    !ooxml_is(n, NS_A, "hlinkMouseOver"))
		return NULL;
	xmlChar *action = xmlGetProp(n, (const xmlChar *)"action");
	const char *what = NULL;
	if (action) {
		const char *s = (const char *)action;
		while (g_ascii_isspace(*s))
			s++;
		if (starts_with_ci(s, "ppaction://program") || starts_with_ci(s, "ppaction://macro"))
			what = CDR_ACT_MACRO;
		else if (starts_with_ci(s, "ppaction://ole"))
			what = CDR_ACT_EMBEDDED_OBJECT;
	}
	xmlFree(action);
	return what;
}

static const char *const auto_names[] = {
	"Auto_Open", "Auto_Close", "Auto_Activate", "Auto_Deactivate",
};

static gboolean
is_auto_name(const char *name)
{
	if (starts_with_ci(name, "_xlnm."))
		name += 6;
	for (gsize i = 0; i < G_N_ELEMENTS(auto_names); i++)
		if (starts_with_ci(name, auto_names[i]))
			return TRUE;
	return FALSE;
}

static enum ooxml_formula_risk
judge_text(struct ooxml_clean *c, const char *text)
{
	return text ? ooxml_formula_judge(cdr_job_policy(c->job), text, strlen(text)) : FORMULA_SAFE;
}

static gboolean
mentions_removed_sheet(struct ooxml_clean *c, const char *formula)
{
	if (!c->removed_sheets)
		return FALSE;
	GHashTableIter it;
	gpointer sheet;
	g_hash_table_iter_init(&it, c->removed_sheets);
	while (g_hash_table_iter_next(&it, &sheet, NULL))
		if (strstr(formula, sheet))
			return TRUE;
	return FALSE;
}

/* Renumber a name's sheet position past removed sheets; FALSE when the
 * name belonged to a removed sheet. */
static gboolean
renumber_local_sheet(struct ooxml_clean *c, xmlNode *n)
{
	if (!c->removed_sheet_index || c->removed_sheet_index->len == 0)
		return TRUE;
	xmlChar *v = xmlGetProp(n, (const xmlChar *)"localSheetId");
	if (!v)
		return TRUE;
	guint64 id = g_ascii_strtoull((const char *)v, NULL, 10), below = 0;
	xmlFree(v);
	for (guint i = 0; i < c->removed_sheet_index->len; i++) {
		guint removed = g_array_index(c->removed_sheet_index, guint, i);
		if (removed == id)
			return FALSE;
		if (removed < id)
			below++;
	}
	char buf[24];
	g_snprintf(buf, sizeof buf, "%" G_GUINT64_FORMAT, id - below);
	xmlSetProp(n, (const xmlChar *)"localSheetId", (const xmlChar *)buf);
	return TRUE;
}

/* A workbook name to remove: its report action, or NULL. */
static const char *
bad_defined_name(struct ooxml_clean *c, xmlNode *n)
{
	xmlChar *name = xmlGetProp(n, (const xmlChar *)"name");
	xmlChar *formula = xmlNodeGetContent(n);
	const char *what = NULL;
	if (name && is_auto_name((const char *)name))
		what = CDR_ACT_MACRO;
	else if (formula && mentions_removed_sheet(c, (const char *)formula))
		what = CDR_ACT_MACRO;
	else if (formula)
		what = ooxml_formula_action(judge_text(c, (const char *)formula));
	else if (!renumber_local_sheet(c, n))
		what = CDR_ACT_MACRO;
	xmlFree(name);
	xmlFree(formula);
	return what;
}

/* Views point at sheets by position: after removals, the first sheet. */
static void
reset_sheet_view(struct ooxml_clean *c, xmlNode *n)
{
	if (!c->removed_sheet_index || c->removed_sheet_index->len == 0)
		return;
	if (xmlHasProp(n, (const xmlChar *)"activeTab"))
		xmlSetProp(n, (const xmlChar *)"activeTab", (const xmlChar *)"0");
	if (xmlHasProp(n, (const xmlChar *)"firstSheet"))
		xmlSetProp(n, (const xmlChar *)"firstSheet", (const xmlChar *)"0");
}

/* The element to remove for a refused chart reference (c:f): the series
 * text that holds it, or a category list of several levels; for a plain
 * number or string list, only the c:f - its cached values are made the
 * list's literal values after the walk (chart_literals). */
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
	static const struct element_name owners[] = {
		{ NS_S, "cfRule" },   { NS_S, "dataValidation" },   { NS_X14, "cfRule" },
		{ NS_X14, "dataValidation" }, { NS_X14, "sparklineGroup" },
	};
	for (xmlNode *a = n->parent; a && a->type == XML_ELEMENT_NODE; a = a->parent)
		if (is_one_of(a, owners, G_N_ELEMENTS(owners)))
			return a;
	return n;
}

/* Elements whose text is a formula Excel evaluates. */
static const struct element_name formula_elements[] = {
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
	enum ooxml_formula_risk risk = judge_text(c, text);
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
	*what = ooxml_formula_action(judge_text(c, f));
	return *what != NULL;
}

/* Formulas, wherever Excel evaluates one: TRUE to remove *victim. */
static gboolean
formula_rule(struct ooxml_clean *c, xmlNode *n, xmlNode **victim, const char **what)
{
	if (ooxml_is(n, NS_S, "f")) {
		*victim = n;
		return cell_formula_refused(c, n, what);
	}
	if (is_one_of(n, formula_elements, G_N_ELEMENTS(formula_elements))) {
		g_autofree char *text = (char *)xmlNodeGetContent(n);
		*what = ooxml_formula_action(judge_text(c, text));
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

/* An element to remove under the part's own rules: TRUE, with *victim the
 * element that goes and *what the report action (NULL when the cause was
 * reported already). */
static gboolean
rule_for(struct ooxml_clean *c, xmlNode *n, xmlNode **victim, const char **what)
{
	*victim = n;
	*what = click_action(n);
	if (*what)
		return TRUE;
	if (formula_rule(c, n, victim, what))
		return TRUE;
	*victim = n;
	switch (c->kind) {
	case PART_WORKBOOK:
		if (ooxml_is(n, NS_S, "workbookView"))
			reset_sheet_view(c, n);
		break;
	case PART_WORD:
		if (ooxml_is(n, NS_W, "mailMerge")) {
			*what = CDR_ACT_DATA_CONNECTION;
			return TRUE;
		}
		break;
	default:
		break;
	}
	if (ooxml_is(n, NS_S, "definedName")) {
		*what = bad_defined_name(c, n);
		return *what != NULL;
	}
	return FALSE;
}

static gboolean
inside_another(GHashTable *victims, xmlNode *n)
{
	for (xmlNode *a = n->parent; a; a = a->parent)
		if (g_hash_table_contains(victims, a))
			return TRUE;
	return FALSE;
}

/* Refused chart references keep their last values as literals: c:numRef
 * becomes c:numLit and c:strRef c:strLit, holding what their cache held. */
static void
chart_literals(struct ooxml_clean *c, GHashTable *victims)
{
	for (guint i = 0; c->chart_refs && i < c->chart_refs->len; i++) {
		xmlNode *ref = c->chart_refs->pdata[i];
		if (inside_another(victims, ref) || g_hash_table_contains(victims, ref))
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

/* A list that counts its entries (dataValidations count="n") says how
 * many are left. */
static void
recount(xmlNode *list)
{
	if (!xmlHasProp(list, (const xmlChar *)"count"))
		return;
	unsigned n = 0;
	for (const xmlNode *k = list->children; k; k = k->next)
		n += k->type == XML_ELEMENT_NODE;
	char buf[16];
	g_snprintf(buf, sizeof buf, "%u", n);
	xmlSetProp(list, (const xmlChar *)"count", (const xmlChar *)buf);
}

static void
drop(struct ooxml_clean *c, xmlNode *n, xmlNode *root)
{
	xmlNode *parent = n->parent;
	xmlUnlinkNode(n);
	xmlFreeNode(n);
	c->changed = TRUE;
	if (parent && parent->type == XML_ELEMENT_NODE &&
	    (ooxml_is(parent, NS_S, "dataValidations") || ooxml_is(parent, NS_X14, "dataValidations")))
		recount(parent);
	while (parent && parent != root && parent->type == XML_ELEMENT_NODE && left_empty(parent)) {
		xmlNode *up = parent->parent;
		xmlUnlinkNode(parent);
		xmlFreeNode(parent);
		parent = up;
	}
}

/* The next node in document order after `n`'s subtree, within `root`. */
static xmlNode *
next_after(xmlNode *n, xmlNode *root)
{
	while (n && n != root && !n->next)
		n = n->parent;
	return n && n != root ? n->next : NULL;
}


gboolean
ooxml_clean_tree(struct ooxml_clean *c, xmlNode *root)
{
	/* marked first, removed after the walk: removing a node can take
	 * emptied containers around it, which the walk must not step into */
	g_autoptr(GPtrArray) order = g_ptr_array_new();
	g_autoptr(GHashTable) victims = g_hash_table_new(NULL, NULL);
	xmlNode *n = root;
	while (n) {
		if (n->type != XML_ELEMENT_NODE) {
			n = next_after(n, root);
			continue;
		}
		const char *what = NULL;
		xmlNode *victim = NULL;
		if (rule_for(c, n, &victim, &what)) {
			if (what)
				cdr_job_action(c->job, what, c->part, 1);
		} else {
			victim = strip_bad_references(c, n) ? what_to_drop(n, root) : NULL;
		}
		if (victim == root)
			return FALSE;
		if (victim) {
			g_ptr_array_add(order, victim);
			g_hash_table_add(victims, victim);
			n = next_after(victim, root);
			continue;
		}
		n = n->children ? n->children : next_after(n, root);
	}
	for (guint i = 0; i < order->len; i++)
		if (!inside_another(victims, order->pdata[i]))
			g_hash_table_replace(victims, order->pdata[i], GINT_TO_POINTER(2));
	chart_literals(c, victims);
	for (guint i = 0; i < order->len; i++)
		if (g_hash_table_lookup(victims, order->pdata[i]) == GINT_TO_POINTER(2))
			drop(c, order->pdata[i], root);
	if (left_empty(root)) {
		c->changed = TRUE;
		return FALSE;
	}
	return TRUE;
}
