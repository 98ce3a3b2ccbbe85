/*
 * NAME
 *	odf-clean.c - the rules applied to the XML of an OpenDocument file
 * SUMMARY
 *	Every element of every kept part (content, styles, properties,
 *	settings, embedded charts and formulas; the whole of a flat XML
 *	document) is judged on its own, by its namespace and name as
 *	LibreOffice reads them (odf-xml.c), and removed, replaced by what it
 *	contains (a hyperlink or a database field keeps its text), or kept.
 *	Removed and reported:
 *	  macro: anything in the script or XML-events namespace (event
 *	    listeners, script:*), office:scripts, text:script,
 *	    text:execute-macro, table:error-macro, click actions that run a
 *	    program or a macro, and any attribute whose value is a macro or
 *	    command URL (vnd.sun.star.script:, macro:, .uno:, slot:, ...);
 *	  embedded-object: OLE objects, applets, embedded documents other
 *	    than charts and formulas, binary data that is not a picture,
 *	    form controls naming a service other than a form component;
 *	  multimedia: plugins (video, audio), sounds, animation commands;
 *	  external-reference: linked sections, floating frames, linked
 *	    pictures and objects, concordance files, any href attribute on
 *	    an element that is not a link, picture or object, xml:base;
 *	    hyperlinks (text:a, draw:a, image maps, buttons, slide actions)
 *	    whose target the shared link rule refuses (cdr/links.h), or
 *	    every one with [office] neutralize_links (external-link);
 *	  data-connection: DDE (declarations, fields, sources, links),
 *	    linked tables and cell ranges, database ranges' and pivot
 *	    tables' database sources, database fields, XForms, a form's data
 *	    source and command, list boxes filled by SQL;
 *	  font: embedded fonts (svg:font-face-uri);
 *	  field: Word field codes kept by LibreOffice (field:param) that run
 *	    or fetch something in Word (DDE, INCLUDETEXT, ...);
 *	  formulas the judge refuses (odf-formula.c), wherever LibreOffice
 *	    evaluates one: the attribute goes (a cell keeps its last value),
 *	    or the element that is only the formula (a named expression, a
 *	    conditional format's condition).
 *	Pictures referenced from inside the package, or carried as base64
 *	(office:binary-data), are rebuilt through the image handlers
 *	(package-picture.c); a linked picture is removed.
 *	Comments and processing instructions are not written. Containers
 *	left empty (event listener lists, frames, font sources, conditional
 *	formats) go with what they held.
 */
#include <string.h>

#include "actions.h"
#include "links.h"
#include "odf.h"
#include "office-fields.h"
#include "policy.h"

enum op { KEEP, DROP, UNWRAP };

static gboolean
in_namespace(const xmlNode *n, const char *ns)
{
	return n->ns && n->ns->href && strcmp((const char *)n->ns->href, ns) == 0;
}

static gboolean
attr_in(const xmlAttr *a, const char *ns)
{
	return a->ns && a->ns->href && strcmp((const char *)a->ns->href, ns) == 0;
}

static void
report(struct odf_clean *c, const char *what)
{
	if (what && *what)
		cdr_job_action(c->job, what, c->part, 1);
	c->changed = TRUE;
}

static void
set_attr(xmlNode *n, const char *ns, const char *name, const char *value)
{
	xmlAttr *a = xmlHasNsProp(n, (const xmlChar *)name, (const xmlChar *)ns);
	if (a)
		xmlSetNsProp(n, a->ns, (const xmlChar *)name, (const xmlChar *)value);
}

static void
remove_attr(xmlNode *n, const char *ns, const char *name)
{
	xmlAttr *a = xmlHasNsProp(n, (const xmlChar *)name, (const xmlChar *)ns);
	if (a)
		xmlRemoveProp(a);
}

/* office:scripts with something in it: LibreOffice writes an empty one,
 * and in flat documents an empty Basic library list. */
static gboolean
holds_scripts(const xmlNode *scripts)
{
	const xmlNode *n = scripts->children;
	while (n) {
		if (n->type == XML_TEXT_NODE) {
			for (const xmlChar *t = n->content; t && *t; t++)
				if (!g_ascii_isspace(*t))
					return TRUE;
		} else if (n->type == XML_ELEMENT_NODE && !odf_is(n, ODF_NS_OFFICE, "script") &&
			   !odf_is(n, ODF_NS_OOO, "libraries")) {
			return TRUE;
		}
		if (n->type == XML_ELEMENT_NODE && n->children) {
			n = n->children;
			continue;
		}
		while (n != scripts && !n->next)
			n = n->parent;
		n = n == scripts ? NULL : n->next;
	}
	return FALSE;
}

/* ---- links ------------------------------------------------------------- */

/* NULL when a hyperlink to `href` stays; else the report action ("" for
 * an empty target, removed without a word). */
static const char *
refused_link(struct odf_clean *c, const char *href)
{
	const struct cdr_policy *policy = cdr_job_policy(c->job);
	const char *t = href ? href : "";
	while (*t && (guchar)*t <= ' ')
		t++;
	if (!*t)
		return "";
	if (*t == '#') { /* a place in this document */
		for (const char *p = t; *p; p++)
			if ((guchar)*p < ' ' || *p == '\\')
				return CDR_ACT_EXTERNAL_REFERENCE;
		return NULL;
	}
	if (odf_is_macro_url(t))
		return CDR_ACT_MACRO;
	if (!cdr_link_allowed_str(policy, t))
		return CDR_ACT_EXTERNAL_REFERENCE;
	return policy->office_neutralize_links ? CDR_ACT_EXTERNAL_LINK : NULL;
}

static const char *
refused_xlink(struct odf_clean *c, const xmlNode *n)
{
	g_autofree char *href = odf_attr(n, ODF_NS_XLINK, "href");
	return refused_link(c, href);
}

/* ---- pictures and objects ---------------------------------------------- */

static const struct ooxml_name picture_elements[] = {
	{ ODF_NS_DRAW, "image" },
	{ ODF_NS_DRAW, "fill-image" },
	{ ODF_NS_TEXT, "list-level-style-image" },
	{ ODF_NS_STYLE, "background-image" },
};

static gboolean
is_picture_element(const xmlNode *n)
{
	return n && ooxml_is_one_of(n, picture_elements, G_N_ELEMENTS(picture_elements));
}

static xmlNode *
child_element(const xmlNode *n, const char *ns, const char *name)
{
	for (xmlNode *k = n->children; k; k = k->next)
		if (odf_is(k, ns, name))
			return k;
	return NULL;
}

/* The picture's bytes given inline, rebuilt and written back in base64. */
static void
rebuild_binary(struct odf_clean *c, xmlNode *n, xmlNode *bin, const char **what)
{
	xmlChar *text = xmlNodeGetContent(bin);
	gsize len = 0;
	guchar *raw = g_base64_decode(text ? (const char *)text : "", &len);
	xmlFree(text);
	struct package_picture pic;
	if (!cdr_job_charge_expanded(c->job, len) ||
	    !package_picture_rebuild(c->job, "picture", raw, len, &pic)) {
		g_free(raw);
		c->failed = TRUE;
		return;
	}
	g_free(raw);
	char *b64 = g_base64_encode(pic.data->data, pic.data->len);
	xmlNodeSetContent(bin, (const xmlChar *)b64);
	g_free(b64);
	set_attr(n, ODF_NS_DRAW, "mime-type", pic.type);
	if (pic.replaced)
		*what = CDR_ACT_MEDIA_REPLACED;
	g_byte_array_free(pic.data, TRUE);
}

/* Is `obj` (a draw:object) an embedded chart or formula that is kept?
 * With `rewrite`, its reference is written back in the package's form.
 * Otherwise *what says why not. */
static gboolean
object_kept(struct odf_clean *c, xmlNode *obj, gboolean rewrite, const char **what)
{
	g_autofree char *href = odf_attr(obj, ODF_NS_XLINK, "href");
	if (!c->pkg || !href) {
		/* a flat document carries its objects inline */
		for (xmlNode *k = obj->children; !href && k; k = k->next) {
			if (odf_is(k, ODF_NS_MATH, "math"))
				return TRUE;
			if (!odf_is(k, ODF_NS_OFFICE, "document"))
				continue;
			g_autofree char *mime = odf_attr(k, ODF_NS_OFFICE, "mimetype");
			if (odf_object_body(mime))
				return TRUE;
		}
		*what = href ? CDR_ACT_EXTERNAL_REFERENCE : CDR_ACT_EMBEDDED_OBJECT;
		return FALSE;
	}
	g_autofree char *name = NULL;
	switch (odf_package_object(c->pkg, c->base, href, &name)) {
	case ODF_TARGET_KEPT:
		if (rewrite) {
			g_autofree char *local = g_strconcat("./", name, NULL);
			set_attr(obj, ODF_NS_XLINK, "href", local);
		}
		return TRUE;
	case ODF_TARGET_REFUSED:
		*what = CDR_ACT_EMBEDDED_OBJECT;
		return FALSE;
	default:
		*what = CDR_ACT_EXTERNAL_REFERENCE;
		return FALSE;
	}
}

/* A frame showing a kept chart or formula: its pictures are only the
 * replacement LibreOffice draws again from the object. */
static gboolean
frame_shows_kept_object(struct odf_clean *c, const xmlNode *frame)
{
	const char *unused = NULL;
	for (xmlNode *k = frame ? frame->children : NULL; k; k = k->next)
		if (odf_is(k, ODF_NS_DRAW, "object") && object_kept(c, k, FALSE, &unused))
			return TRUE;
	return FALSE;
}

/* A reference to a picture part, judged and written back in canonical
 * form; NULL when kept, else the action. */
static const char *
judge_picture_href(struct odf_clean *c, xmlNode *n, const char *ns, const char *attr,
		   const char *href)
{
	if (!c->pkg)
		return CDR_ACT_EXTERNAL_REFERENCE;
	const struct package_picture *pic = NULL;
	g_autofree char *name = NULL;
	switch (odf_package_picture(c->pkg, c->base, href, &pic, &name)) {
	case ODF_TARGET_KEPT:
		set_attr(n, ns, attr, name);
		set_attr(n, ODF_NS_DRAW, "mime-type", pic->type);
		return NULL;
	case ODF_TARGET_REFUSED:
		return CDR_ACT_EMBEDDED_OBJECT;
	default:
		return CDR_ACT_EXTERNAL_REFERENCE;
	}
}

static enum op
picture_rule(struct odf_clean *c, xmlNode *n, const char **what)
{
	if (odf_is(n, ODF_NS_DRAW, "image") && n->parent &&
	    odf_is(n->parent, ODF_NS_DRAW, "frame") && frame_shows_kept_object(c, n->parent)) {
		*what = "";
		return DROP;
	}
	g_autofree char *href = odf_attr(n, ODF_NS_XLINK, "href");
	xmlNode *bin = child_element(n, ODF_NS_OFFICE, "binary-data");
	if (bin) {
		if (href) /* the inline picture is the one shown */
			remove_attr(n, ODF_NS_XLINK, "href");
		rebuild_binary(c, n, bin, what);
		return KEEP;
	}
	if (!href || !*href)
		return KEEP;
	*what = judge_picture_href(c, n, ODF_NS_XLINK, "href", href);
	if (!*what)
		return KEEP;
	if (odf_is(n, ODF_NS_STYLE, "background-image")) { /* no picture behind */
		remove_attr(n, ODF_NS_XLINK, "href");
		return KEEP;
	}
	return DROP;
}

/* ---- click actions and forms -------------------------------------------- */

static const char *const safe_presentation_actions[] = {
	"none", "previous-page", "next-page", "first-page", "last-page", "hide", "stop", "fade-out",
};

static enum op
presentation_event_rule(struct odf_clean *c, xmlNode *n, const char **what)
{
	g_autofree char *action = odf_attr(n, ODF_NS_PRESENTATION, "action");
	const char *a = action ? action : "";
	for (gsize i = 0; i < G_N_ELEMENTS(safe_presentation_actions); i++)
		if (strcmp(a, safe_presentation_actions[i]) == 0) {
			/* moving between slides needs no target */
			g_autofree char *href = odf_attr(n, ODF_NS_XLINK, "href");
			if (href) {
				report(c, *href ? CDR_ACT_EXTERNAL_REFERENCE : "");
				remove_attr(n, ODF_NS_XLINK, "href");
			}
			return KEEP;
		}
	if (strcmp(a, "show") == 0) {
		*what = refused_xlink(c, n);
		return *what ? DROP : KEEP;
	}
	*what = strcmp(a, "verb") == 0    ? CDR_ACT_EMBEDDED_OBJECT
		: strcmp(a, "sound") == 0 ? CDR_ACT_MULTIMEDIA
					  : CDR_ACT_MACRO;
	return DROP;
}

/* A form's attributes that only describe the form. */
static const char *const form_attributes[] = {
	"name", "control-implementation", "allow-deletes", "allow-inserts", "allow-updates",
	"apply-filter", "navigation-mode", "tab-cycle", "command-type",
};

static void
form_rule(struct odf_clean *c, xmlNode *n)
{
	xmlAttr *a = n->properties;
	while (a) {
		xmlAttr *next = a->next;
		gboolean kept = !attr_in(a, ODF_NS_FORM);
		for (gsize i = 0; !kept && i < G_N_ELEMENTS(form_attributes); i++)
			kept = strcmp((const char *)a->name, form_attributes[i]) == 0;
		if (!kept) {
			xmlChar *v = xmlNodeGetContent((xmlNode *)a);
			report(c, v && *v ? CDR_ACT_DATA_CONNECTION : "");
			xmlFree(v);
			xmlRemoveProp(a);
		}
		a = next;
	}
}

/* List boxes and combo boxes filled from a database. */
static void
list_source_rule(struct odf_clean *c, xmlNode *n)
{
	g_autofree char *type = odf_attr(n, ODF_NS_FORM, "list-source-type");
	if (!type || strcmp(type, "value-list") == 0)
		return;
	remove_attr(n, ODF_NS_FORM, "list-source-type");
	remove_attr(n, ODF_NS_FORM, "list-source");
	report(c, CDR_ACT_DATA_CONNECTION);
}

static gboolean
ends_with_ci(const char *s, const char *suffix)
{
	gsize n = strlen(s), m = strlen(suffix);
	return n >= m && g_ascii_strcasecmp(s + n - m, suffix) == 0;
}

/* A form component or control LibreOffice makes (the UNO service a
 * document names is instantiated): com.sun.star.form.component.*, or
 * com.sun.star.form.control.* and older stardiv.one.form.control.* for
 * the controls shown. `value` may be a QName ("ooo:..."). */
static gboolean
control_allowed(const char *value, const char *kind)
{
	const char *colon = value ? strchr(value, ':') : NULL;
	const char *service = colon ? colon + 1 : value ? value : "";
	g_autofree char *ours = g_strconcat("com.sun.star.", kind, NULL);
	g_autofree char *old = g_strconcat("stardiv.one.", kind, NULL);
	return g_str_has_prefix(service, ours) || g_str_has_prefix(service, old);
}

/* A control's property (form:property, form:list-property) holding a URL,
 * a data source or the service that shows it: the button's target is a
 * link, anything else a reference out. */
static enum op
form_property_rule(struct odf_clean *c, xmlNode *n, const char **what)
{
	g_autofree char *name = odf_attr(n, ODF_NS_FORM, "property-name");
	xmlChar *all = xmlNodeGetContent(n);
	g_autofree char *value = odf_attr(n, ODF_NS_OFFICE, "string-value");
	gboolean empty = (!value || !*value) && (!all || !*all) &&
			 !child_element(n, ODF_NS_FORM, "list-value");
	xmlFree(all);
	if (!name || empty)
		return KEEP;
	if (g_ascii_strcasecmp(name, "TargetURL") == 0)
		*what = refused_link(c, value);
	else if (strcmp(name, "DefaultControl") == 0)
		*what = control_allowed(value, "form.control.") ? NULL : CDR_ACT_EMBEDDED_OBJECT;
	else if (ends_with_ci(name, "URL"))
		*what = CDR_ACT_EXTERNAL_REFERENCE;
	else if (strstr(name, "DataSource") || strcmp(name, "Command") == 0 ||
		 strcmp(name, "ListSource") == 0)
		*what = CDR_ACT_DATA_CONNECTION;
	return *what ? DROP : KEEP;
}

/* ---- fixed rules --------------------------------------------------------- */

static const struct rule {
	struct ooxml_name element;
	enum op op;
	const char *what;
} fixed_rules[] = {
	{ { ODF_NS_TEXT, "script" }, DROP, CDR_ACT_MACRO },
	{ { ODF_NS_TEXT, "execute-macro" }, UNWRAP, CDR_ACT_MACRO },
	{ { ODF_NS_TABLE, "error-macro" }, DROP, CDR_ACT_MACRO },
	{ { ODF_NS_DRAW, "applet" }, DROP, CDR_ACT_EMBEDDED_OBJECT },
	{ { ODF_NS_DRAW, "object-ole" }, DROP, CDR_ACT_EMBEDDED_OBJECT },
	{ { ODF_NS_DRAW, "plugin" }, DROP, CDR_ACT_MULTIMEDIA },
	{ { ODF_NS_DRAW, "floating-frame" }, DROP, CDR_ACT_EXTERNAL_REFERENCE },
	{ { ODF_NS_ANIM, "command" }, DROP, CDR_ACT_MULTIMEDIA },
	{ { ODF_NS_TEXT, "section-source" }, DROP, CDR_ACT_EXTERNAL_REFERENCE },
	{ { ODF_NS_TEXT, "alphabetical-index-auto-mark-file" }, DROP, CDR_ACT_EXTERNAL_REFERENCE },
	{ { ODF_NS_OFFICE, "dde-source" }, DROP, CDR_ACT_DATA_CONNECTION },
	{ { ODF_NS_TEXT, "dde-connection-decls" }, DROP, CDR_ACT_DATA_CONNECTION },
	{ { ODF_NS_TEXT, "dde-connection-decl" }, DROP, CDR_ACT_DATA_CONNECTION },
	{ { ODF_NS_TEXT, "dde-connection" }, UNWRAP, CDR_ACT_DATA_CONNECTION },
	{ { ODF_NS_TABLE, "dde-links" }, DROP, CDR_ACT_DATA_CONNECTION },
	{ { ODF_NS_TABLE, "dde-link" }, DROP, CDR_ACT_DATA_CONNECTION },
	{ { ODF_NS_TABLE, "table-source" }, DROP, CDR_ACT_DATA_CONNECTION },
	{ { ODF_NS_TABLE, "cell-range-source" }, DROP, CDR_ACT_DATA_CONNECTION },
	{ { ODF_NS_TABLE, "database-source-sql" }, DROP, CDR_ACT_DATA_CONNECTION },
	{ { ODF_NS_TABLE, "database-source-table" }, DROP, CDR_ACT_DATA_CONNECTION },
	{ { ODF_NS_TABLE, "database-source-query" }, DROP, CDR_ACT_DATA_CONNECTION },
	{ { ODF_NS_TABLE, "source-service" }, DROP, CDR_ACT_DATA_CONNECTION },
	{ { ODF_NS_TEXT, "database-display" }, UNWRAP, CDR_ACT_DATA_CONNECTION },
	{ { ODF_NS_TEXT, "database-next" }, UNWRAP, CDR_ACT_DATA_CONNECTION },
	{ { ODF_NS_TEXT, "database-row-select" }, UNWRAP, CDR_ACT_DATA_CONNECTION },
	{ { ODF_NS_TEXT, "database-row-number" }, UNWRAP, CDR_ACT_DATA_CONNECTION },
	{ { ODF_NS_TEXT, "database-name" }, UNWRAP, CDR_ACT_DATA_CONNECTION },
	{ { ODF_NS_FORM, "connection-resource" }, DROP, CDR_ACT_DATA_CONNECTION },
	{ { ODF_NS_SVG, "font-face-uri" }, DROP, CDR_ACT_FONT },
	{ { ODF_NS_SVG, "definition-src" }, DROP, CDR_ACT_FONT },
};

/* Sources that are the whole point of a pivot table: it goes with them
 * (its results stay in the cells). */
static gboolean
pivot_from_outside(const xmlNode *n)
{
	static const char *const sources[] = {
		"database-source-sql", "database-source-table", "database-source-query",
		"source-service",
	};
	if (!odf_is(n, ODF_NS_TABLE, "data-pilot-table"))
		return FALSE;
	for (gsize i = 0; i < G_N_ELEMENTS(sources); i++)
		if (child_element(n, ODF_NS_TABLE, sources[i]))
			return TRUE;
	return FALSE;
}

/* A Word field code LibreOffice kept for a field it does not handle
 * (field:param), which Word would run again if the document is saved in
 * its format: judged by the one table of Word fields (office-fields.c). */
static gboolean
dangerous_field_code(const struct cdr_policy *policy, const xmlNode *n)
{
	if (!odf_is(n, ODF_NS_FIELD, "param"))
		return FALSE;
	g_autofree char *name = odf_attr(n, ODF_NS_FIELD, "name");
	g_autofree char *value = odf_attr(n, ODF_NS_FIELD, "value");
	if (!name || !value || !g_str_has_suffix(name, ".field.code"))
		return FALSE;
	struct office_field_code code = { 0 };
	struct office_field_judgement j = { 0 };
	office_field_code_append(&code, value, strlen(value));
	enum office_field_verdict v = office_field_judge(policy, &code, &j);
	office_field_code_clear(&code);
	return v == OFFICE_FIELD_REMOVED || v == OFFICE_FIELD_LINK_REMOVED;
}

/* ---- attributes --------------------------------------------------------- */

static gboolean
is_formula_attribute(const xmlAttr *a)
{
	const char *name = (const char *)a->name;
	if (strcmp(name, "formula") == 0 || strcmp(name, "condition") == 0 ||
	    strcmp(name, "expression") == 0)
		return TRUE;
	if (attr_in(a, ODF_NS_CALCEXT) && strcmp(name, "value") == 0)
		return TRUE;
	return g_str_has_suffix(name, "-address") || g_str_has_suffix(name, "-ranges") ||
	       g_str_has_suffix(name, "cell-range") || strcmp(name, "linked-cell") == 0;
}

/* Elements that are nothing but their formula: removed with it. */
static const struct ooxml_name formula_elements[] = {
	{ ODF_NS_TABLE, "named-expression" }, { ODF_NS_TABLE, "named-range" },
	{ ODF_NS_STYLE, "map" },              { ODF_NS_CALCEXT, "condition" },
	{ ODF_NS_CALCEXT, "formatting-entry" },
};

/* Elements whose reference (href) the rules above judge. */
static const struct ooxml_name judged_references[] = {
	{ ODF_NS_TEXT, "a" },         { ODF_NS_DRAW, "a" },
	{ ODF_NS_DRAW, "area-rectangle" }, { ODF_NS_DRAW, "area-circle" },
	{ ODF_NS_DRAW, "area-polygon" }, { ODF_NS_DRAW, "object" },
	{ ODF_NS_PRESENTATION, "event-listener" }, { ODF_NS_FORM, "button" },
	{ ODF_NS_FORM, "image" },     { ODF_NS_CHART, "chart" },
};

/* One attribute: TRUE when it must go, with *what the action. */
static gboolean
bad_attribute(struct odf_clean *c, xmlNode *n, xmlAttr *a, gboolean href_judged,
	      gboolean *drop_element, const char **what)
{
	const char *name = (const char *)a->name;
	g_autofree char *value = (char *)xmlNodeGetContent((xmlNode *)a);
	const char *v = value ? value : "";
	*what = NULL;
	if (strcmp(name, "href") == 0) {
		if (href_judged && attr_in(a, ODF_NS_XLINK))
			return FALSE;
		*what = !*v ? "" : odf_is_macro_url(v) ? CDR_ACT_MACRO : CDR_ACT_EXTERNAL_REFERENCE;
		return TRUE;
	}
	if (a->ns && a->ns->href && xmlStrEqual(a->ns->href, XML_XML_NAMESPACE) &&
	    strcmp(name, "base") == 0) {
		*what = *v ? CDR_ACT_EXTERNAL_REFERENCE : "";
		return TRUE;
	}
	if (odf_is_macro_url(v)) {
		*what = CDR_ACT_MACRO;
		return TRUE;
	}
	if (attr_in(a, ODF_NS_FORM) && strcmp(name, "image-data") == 0 && *v) {
		*what = judge_picture_href(c, n, ODF_NS_FORM, "image-data", v);
		return *what != NULL;
	}
	if (attr_in(a, ODF_NS_FORM) && strcmp(name, "control-implementation") == 0 &&
	    !control_allowed(v, "form.component.")) {
		*what = CDR_ACT_EMBEDDED_OBJECT;
		return TRUE;
	}
	if (*v && is_formula_attribute(a)) {
		*what = ooxml_formula_action(odf_formula_judge(cdr_job_policy(c->job), n, v));
		if (*what && ooxml_is_one_of(n, formula_elements, G_N_ELEMENTS(formula_elements)))
			*drop_element = TRUE;
		return *what != NULL;
	}
	return FALSE;
}

/* Remove the attributes the element may not carry; TRUE when the element
 * itself must go (*what set). */
static gboolean
strip_attributes(struct odf_clean *c, xmlNode *n, const char **what)
{
	gboolean href_judged = ooxml_is_one_of(n, judged_references,
						G_N_ELEMENTS(judged_references)) ||
			       is_picture_element(n);
	xmlAttr *a = n->properties;
	while (a) {
		xmlAttr *next = a->next;
		gboolean drop_element = FALSE;
		const char *why = NULL;
		if (bad_attribute(c, n, a, href_judged, &drop_element, &why)) {
			if (drop_element) {
				*what = why;
				return TRUE;
			}
			report(c, why);
			xmlRemoveProp(a);
		}
		a = next;
	}
	return FALSE;
}

/* ---- elements ----------------------------------------------------------- */

static enum op
element_rule(struct odf_clean *c, xmlNode *n, const char **what)
{
	if (n->parent && odf_is(n->parent, ODF_NS_OFFICE, "meta")) {
		*what = odf_meta_judge(n);
		if (*what)
			return DROP;
	}
	if (odf_is(n, ODF_NS_CONFIG, "config-item")) {
		*what = odf_setting_judge(n);
		if (*what)
			return DROP;
	}
	if (in_namespace(n, ODF_NS_SCRIPT) || in_namespace(n, ODF_NS_DOM)) {
		*what = CDR_ACT_MACRO;
		return DROP;
	}
	if (in_namespace(n, ODF_NS_XFORMS)) {
		*what = CDR_ACT_DATA_CONNECTION;
		return DROP;
	}
	if (odf_is(n, ODF_NS_OFFICE, "scripts")) {
		*what = holds_scripts(n) ? CDR_ACT_MACRO : "";
		return DROP;
	}
	for (gsize i = 0; i < G_N_ELEMENTS(fixed_rules); i++)
		if (odf_is(n, fixed_rules[i].element.ns, fixed_rules[i].element.name)) {
			*what = fixed_rules[i].what;
			return fixed_rules[i].op;
		}
	if (n->parent && odf_is(n->parent, ODF_NS_OFFICE, "event-listeners") &&
	    !odf_is(n, ODF_NS_PRESENTATION, "event-listener")) {
		*what = CDR_ACT_MACRO;
		return DROP;
	}
	if (odf_is(n, ODF_NS_PRESENTATION, "event-listener"))
		return presentation_event_rule(c, n, what);
	if (odf_is(n, ODF_NS_PRESENTATION, "sound") || odf_is(n, ODF_NS_ANIM, "audio")) {
		*what = CDR_ACT_MULTIMEDIA;
		return DROP;
	}
	if (odf_is(n, ODF_NS_TEXT, "a") || odf_is(n, ODF_NS_DRAW, "a")) {
		*what = refused_xlink(c, n);
		return *what ? UNWRAP : KEEP;
	}
	if (odf_is(n, ODF_NS_DRAW, "area-rectangle") || odf_is(n, ODF_NS_DRAW, "area-circle") ||
	    odf_is(n, ODF_NS_DRAW, "area-polygon")) {
		*what = refused_xlink(c, n);
		return *what ? DROP : KEEP;
	}
	if (odf_is(n, ODF_NS_FORM, "button") || odf_is(n, ODF_NS_FORM, "image")) {
		const char *refusal = refused_xlink(c, n);
		if (refusal) {
			report(c, refusal);
			remove_attr(n, ODF_NS_XLINK, "href");
		}
	}
	if (odf_is(n, ODF_NS_CHART, "chart")) {
		/* ".." is the document the chart is in, where its data lies */
		g_autofree char *href = odf_attr(n, ODF_NS_XLINK, "href");
		if (href && strcmp(href, "..") != 0 && strcmp(href, "../") != 0) {
			report(c, *href ? CDR_ACT_EXTERNAL_REFERENCE : "");
			remove_attr(n, ODF_NS_XLINK, "href");
		}
	}
	if (odf_is(n, ODF_NS_TEXT, "bibliography-mark")) {
		g_autofree char *url = odf_attr(n, ODF_NS_TEXT, "url");
		const char *refusal = url ? refused_link(c, url) : NULL;
		if (refusal) {
			report(c, refusal);
			remove_attr(n, ODF_NS_TEXT, "url");
		}
	}
	if (is_picture_element(n))
		return picture_rule(c, n, what);
	if (odf_is(n, ODF_NS_DRAW, "object"))
		return object_kept(c, n, TRUE, what) ? KEEP : DROP;
	if (odf_is(n, ODF_NS_OFFICE, "binary-data") && !is_picture_element(n->parent)) {
		*what = CDR_ACT_EMBEDDED_OBJECT;
		return DROP;
	}
	if (pivot_from_outside(n)) {
		*what = CDR_ACT_DATA_CONNECTION;
		return DROP;
	}
	if (dangerous_field_code(cdr_job_policy(c->job), n)) {
		*what = CDR_ACT_FIELD;
		return DROP;
	}
	if (odf_is(n, ODF_NS_FORM, "form"))
		form_rule(c, n);
	if (in_namespace(n, ODF_NS_FORM))
		list_source_rule(c, n);
	if (odf_is(n, ODF_NS_FORM, "property") || odf_is(n, ODF_NS_FORM, "list-property"))
		return form_property_rule(c, n, what);
	return KEEP;
}

static enum op
judge(struct odf_clean *c, xmlNode *n, const char **what)
{
	*what = NULL;
	enum op op = element_rule(c, n, what);
	if (op == DROP)
		return DROP;
	const char *why = NULL;
	if (strip_attributes(c, n, &why)) {
		if (*what)
			report(c, *what);
		*what = why;
		return DROP;
	}
	return op;
}

/* ---- the walk ------------------------------------------------------------ */

/* Containers that mean nothing once empty. */
static const struct ooxml_name drop_when_empty[] = {
	{ ODF_NS_OFFICE, "event-listeners" }, { ODF_NS_SVG, "font-face-src" },
	{ ODF_NS_CALCEXT, "conditional-format" }, { ODF_NS_CALCEXT, "conditional-formats" },
	{ ODF_NS_DRAW, "a" }, { ODF_NS_DRAW, "image-map" },
	{ ODF_NS_TABLE, "data-pilot-tables" }, { ODF_NS_TABLE, "dde-links" },
};

/* What a frame shows; without any of them it is an empty box. */
static const struct ooxml_name frame_content[] = {
	{ ODF_NS_DRAW, "text-box" },   { ODF_NS_DRAW, "image" },  { ODF_NS_DRAW, "object" },
	{ ODF_NS_DRAW, "object-ole" }, { ODF_NS_DRAW, "applet" }, { ODF_NS_DRAW, "plugin" },
	{ ODF_NS_DRAW, "floating-frame" }, { ODF_NS_TABLE, "table" },
};

/* Would `n` be an empty container once the nodes of `removed` are gone? */
static gboolean
left_empty(const xmlNode *n, GHashTable *removed)
{
	gboolean frame = odf_is(n, ODF_NS_DRAW, "frame");
	if (!frame && !ooxml_is_one_of(n, drop_when_empty, G_N_ELEMENTS(drop_when_empty)))
		return FALSE;
	for (const xmlNode *k = n->children; k; k = k->next) {
		if (k->type != XML_ELEMENT_NODE || g_hash_table_contains(removed, k))
			continue;
		if (!frame || ooxml_is_one_of(k, frame_content, G_N_ELEMENTS(frame_content)))
			return FALSE;
	}
	return TRUE;
}

static gboolean
inside_removed(const xmlNode *n, GHashTable *removed)
{
	for (const xmlNode *a = n->parent; a; a = a->parent)
		if (g_hash_table_contains(removed, a))
			return TRUE;
	return FALSE;
}

/* Remove the dropped elements, and the containers they leave empty: all
 * decided first, then freed from the outermost, so nothing is freed
 * twice. */
static void
drop_all(GPtrArray *drops, xmlNode *root)
{
	g_autoptr(GHashTable) removed = g_hash_table_new(NULL, NULL);
	g_autoptr(GPtrArray) order = g_ptr_array_new();
	for (guint i = 0; i < drops->len; i++) {
		g_hash_table_add(removed, drops->pdata[i]);
		g_ptr_array_add(order, drops->pdata[i]);
	}
	for (guint i = 0; i < order->len; i++) {
		xmlNode *up = ((xmlNode *)order->pdata[i])->parent;
		if (up && up != root && up->type == XML_ELEMENT_NODE &&
		    !g_hash_table_contains(removed, up) && left_empty(up, removed)) {
			g_hash_table_add(removed, up);
			g_ptr_array_add(order, up);
		}
	}
	for (guint i = 0; i < order->len; i++) {
		xmlNode *n = order->pdata[i];
		if (!inside_removed(n, removed)) {
			xmlUnlinkNode(n);
			xmlFreeNode(n);
		}
	}
}

/* The element's children take its place. */
static void
unwrap(xmlNode *n)
{
	while (n->children) {
		xmlNode *k = n->children;
		xmlUnlinkNode(k);
		xmlAddPrevSibling(n, k);
	}
	xmlUnlinkNode(n);
	xmlFreeNode(n);
}

static xmlNode *
next_after(xmlNode *n, xmlNode *root)
{
	while (n && n != root && !n->next)
		n = n->parent;
	return n && n != root ? n->next : NULL;
}

void
odf_clean_tree(struct odf_clean *c, xmlNode *root)
{
	/* marked first, changed after the walk: a removal can take emptied
	 * containers around it, which the walk must not step into */
	g_autoptr(GPtrArray) notes = g_ptr_array_new();
	g_autoptr(GPtrArray) drops = g_ptr_array_new();
	g_autoptr(GPtrArray) unwraps = g_ptr_array_new();
	const char *unused = NULL;
	strip_attributes(c, root, &unused);
	xmlNode *n = root->children;
	while (n && !c->failed) {
		if (n->type == XML_COMMENT_NODE || n->type == XML_PI_NODE) {
			g_ptr_array_add(notes, n);
			n = next_after(n, root);
			continue;
		}
		if (n->type != XML_ELEMENT_NODE) {
			n = next_after(n, root);
			continue;
		}
		const char *what = NULL;
		enum op op = judge(c, n, &what);
		if (op != KEEP || what)
			report(c, what);
		if (op == DROP) {
			g_ptr_array_add(drops, n);
			n = next_after(n, root);
			continue;
		}
		if (op == UNWRAP)
			g_ptr_array_add(unwraps, n);
		n = n->children ? n->children : next_after(n, root);
	}
	/* comments first: a container left empty by a drop goes with any
	 * comment still in it */
	for (guint i = 0; i < notes->len; i++) {
		xmlUnlinkNode(notes->pdata[i]);
		xmlFreeNode(notes->pdata[i]);
	}
	/* unwrapped elements before the drops: their children move up, and
	 * a container the drops empty is not one of them any more */
	for (guint i = unwraps->len; i-- > 0;)
		unwrap(unwraps->pdata[i]);
	drop_all(drops, root);
}
