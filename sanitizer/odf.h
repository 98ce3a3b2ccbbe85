/*
 * NAME
 *	odf.h - the odf handler's parts: document types, the rules for the
 *	XML of a document, the formula judge, the package behind the rules
 */
#pragma once

#include <glib.h>
#include <libxml/tree.h>

#include "cdr.h"
#include "ooxml.h" /* XML read without DTDs (ooxml-xml.c), formula risks */
#include "package.h"

/* Namespaces as LibreOffice reads them: other spellings are mapped onto
 * these first (odf_xml_normalize). */
#define ODF_OASIS(x) "urn:oasis:names:tc:opendocument:xmlns:" x ":1.0"
#define ODF_NS_OFFICE ODF_OASIS("office")
#define ODF_NS_META ODF_OASIS("meta")
#define ODF_NS_CONFIG ODF_OASIS("config")
#define ODF_NS_TEXT ODF_OASIS("text")
#define ODF_NS_TABLE ODF_OASIS("table")
#define ODF_NS_DRAW ODF_OASIS("drawing")
#define ODF_NS_PRESENTATION ODF_OASIS("presentation")
#define ODF_NS_ANIM ODF_OASIS("animation")
#define ODF_NS_SCRIPT ODF_OASIS("script")
#define ODF_NS_FORM ODF_OASIS("form")
#define ODF_NS_STYLE ODF_OASIS("style")
#define ODF_NS_CHART ODF_OASIS("chart")
#define ODF_NS_SVG ODF_OASIS("svg-compatible")
#define ODF_NS_MANIFEST ODF_OASIS("manifest")
#define ODF_NS_OF "urn:oasis:names:tc:opendocument:xmlns:of:1.2"
#define ODF_NS_DC "http://purl.org/dc/elements/1.1/"
#define ODF_NS_XLINK "http://www.w3.org/1999/xlink"
#define ODF_NS_XFORMS "http://www.w3.org/2002/xforms"
#define ODF_NS_DOM "http://www.w3.org/2001/xml-events"
#define ODF_NS_MATH "http://www.w3.org/1998/Math/MathML"
#define ODF_NS_FIELD "urn:openoffice:names:experimental:ooo-ms-interop:xmlns:field:1.0"
#define ODF_NS_CALCEXT "urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"
#define ODF_NS_OOO "http://openoffice.org/2004/office"
#define ODF_NS_OOOW "http://openoffice.org/2004/writer"
#define ODF_NS_OOOC "http://openoffice.org/2004/calc"
#define ODF_NS_MSOXL "http://schemas.microsoft.com/office/excel/formula"

/* ---- odf-types.c: the documents rebuilt ----------------------------------- */

struct odf_type {
	const char *mime;      /* mimetype, manifest "/" entry, office:mimetype */
	const char *ext;       /* the package's extension */
	const char *flat_ext;  /* the flat XML form's extension */
	const char *flat_mime; /* and its MIME type */
	const char *body;      /* the office:body child it holds */
};

/* The type a mimetype names, or NULL: not a text, spreadsheet,
 * presentation or drawing (or a template of one). */
const struct odf_type *odf_type_of(const char *mime);
/* The types an embedded object may have and keep: chart, formula. NULL
 * for any other (embedded documents, OLE objects). */
const char *odf_object_body(const char *mime);
/* The extensions the handler takes, the package's first. */
extern const char *const odf_extensions[];

/* ---- odf-xml.c: namespaces as LibreOffice reads them -------------------- */

/* Map namespace URIs the way LibreOffice does before it reads a part
 * (OASIS URNs of any technical committee and 1.x version, the W3C SVG,
 * XSL-FO, SMIL and XForms spellings) onto the ones the rules name. FALSE,
 * with *why, for a namespace of OpenOffice.org 1.x or StarOffice, whose
 * documents LibreOffice converts on its own terms. */
gboolean odf_xml_normalize(xmlNode *root, const char **why);
/* TRUE when `n` is the element {ns}name. */
#define odf_is ooxml_is
/* The attribute {ns}name of `n`, a copy (g_free), or NULL. */
char *odf_attr(const xmlNode *n, const char *ns, const char *name);

/* ---- odf-formula.c: formulas that reach out --------------------------- */

/* Judge a formula attribute of `element` as LibreOffice reads it: its
 * namespace prefix (of:, oooc:, ooow:, msoxl:) picks the grammar. */
enum ooxml_formula_risk odf_formula_judge(const struct cdr_policy *policy, const xmlNode *element,
					  const char *value);

/* ---- odf.c: the package behind the rules ------------------------------ */

struct odf_package;

enum odf_target {
	ODF_TARGET_KEPT,     /* a part of the package, kept as asked */
	ODF_TARGET_REFUSED,  /* a part of the package that may not be used so */
	ODF_TARGET_OUTSIDE,  /* nothing in the package: a file or URL outside */
};

/* The picture `href` names, relative to `base` (the referring part's
 * folder, "" or "Object 1/"), rebuilt on first use. KEPT with *pic and
 * *name (the part's name relative to `base`, to write back). */
enum odf_target odf_package_picture(struct odf_package *pkg, const char *base, const char *href,
				    const struct package_picture **pic, char **name);
/* The embedded object `href` names (a chart or formula kept, with *name
 * its folder relative to `base`, without the slash). */
enum odf_target odf_package_object(struct odf_package *pkg, const char *base, const char *href,
				   char **name);

/* ---- odf-clean.c: the rules for a document's XML ------------------------- */

struct odf_clean {
	struct cdr_job *job;
	const char *part;         /* for the report: "content.xml", or the name */
	const char *base;         /* the part's folder in the package */
	struct odf_package *pkg;  /* NULL in a flat XML document */
	gboolean changed;         /* anything removed */
	gboolean failed;          /* a budget ran out: the job is blocked */
};

/* Apply the rules to the subtree at `root` (a part's root element, or a
 * flat document's): content and styles everywhere, document properties
 * under office:meta, settings under office:settings. */
void odf_clean_tree(struct odf_clean *c, xmlNode *root);

/* ---- odf-meta.c: document properties and settings --------------------- */

/* What to do with one child of office:meta: NULL keeps it; else the
 * report action (or "" to drop it without one). */
const char *odf_meta_judge(const xmlNode *n);
/* What to do with one config:config-item of office:settings, the same way. */
const char *odf_setting_judge(const xmlNode *n);
/* TRUE when `value`, used as a URL, runs a macro, a script or a command
 * (vnd.sun.star.script:, macro:, .uno:, slot:, service:, ...). */
gboolean odf_is_macro_url(const char *value);
