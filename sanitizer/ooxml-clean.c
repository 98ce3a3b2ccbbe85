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
 *	(a w:hyperlink keeps its text). The same goes for a reference to a
 *	kept relationship that its element may not make (ooxml-uses.c: a
 *	picture linked to a web link) and for one that names nothing.
 * DESCRIPTION
 *	Also, in any part: PowerPoint click actions that run a program or a
 *	macro (ppaction://program, ppaction://macro) or an OLE verb
 *	(ppaction://ole); formulas the judge refuses, wherever Excel
 *	evaluates one (ooxml-formula-places.c). In the workbook: the <sheet>
 *	entries of removed macro sheets, names that run macros on open or
 *	close (Auto_Open, Auto_Close, Auto_Activate, Auto_Deactivate and any
 *	name starting so), names that point into a removed sheet or another
 *	workbook, and sheet positions renumbered past the removed sheets.
 *	In Word settings: a mail merge's data source. In Excel: the places a
 *	sheet or the workbook is published to as a web page
 *	(webPublishItem, webPublishObject, each save writes there again).
 */
#include <string.h>

#include "actions.h"
#include "links.h"
#include "ooxml.h"
#include "policy.h"


/* Elements that mean nothing without the relationship they name. */
static const struct ooxml_name drop_with_relationship[] = {
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
static const struct ooxml_name drop_when_empty[] = {
	{ NS_S, "oleObjects" },  { NS_S, "controls" },        { NS_S, "hyperlinks" },
	{ NS_S, "externalReferences" }, { NS_S, "definedNames" }, { NS_P, "controls" },
	{ NS_P, "embeddedFontLst" }, { NS_P, "custDataLst" },  { NS_MC, "AlternateContent" },
	{ NS_MC, "Choice" },     { NS_MC, "Fallback" },    { NS_S, "conditionalFormatting" },
	{ NS_S, "dataValidations" }, { NS_S, "ext" },      { NS_S, "extLst" },
	{ NS_P, "stSnd" },       { NS_P, "sndAc" },        { NS_S, "webPublishItems" },
	{ NS_S, "webPublishObjects" },
	{ NS_X14, "conditionalFormattings" }, { NS_X14, "conditionalFormatting" },
	{ NS_X14, "dataValidations" }, { NS_X14, "sparklineGroups" },
};

/* An element removed with a wider one around it. */
static const struct {
	struct ooxml_name element, instead;
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
	if (!ooxml_is_one_of(n, drop_when_empty, G_N_ELEMENTS(drop_when_empty)))
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
		if (v[0] == '#' && !strpbrk(v, ":/\\"))
			return FALSE; /* a bookmark of the document */
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
			if (ooxml_is_one_of(n, drop_with_relationship, G_N_ELEMENTS(drop_with_relationship)))
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
		what = ooxml_formula_action(ooxml_formula_of(c, (const char *)formula));
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
	if (ooxml_formula_rule(c, n, victim, what))
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
	if (ooxml_is(n, NS_S, "webPublishItem") || ooxml_is(n, NS_S, "webPublishObject")) {
		/* "publish as web page" to a file, a share or a server,
		 * written again at every save when autoRepublish is set */
		*what = CDR_ACT_EXTERNAL_REFERENCE;
		return TRUE;
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
	ooxml_chart_literals(c, victims);
	for (guint i = 0; i < order->len; i++)
		if (g_hash_table_lookup(victims, order->pdata[i]) == GINT_TO_POINTER(2))
			drop(c, order->pdata[i], root);
	if (left_empty(root)) {
		c->changed = TRUE;
		return FALSE;
	}
	return TRUE;
}
