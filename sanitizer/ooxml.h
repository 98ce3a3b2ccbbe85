/*
 * NAME
 *	ooxml.h - the ooxml handler's parts: safe XML, the cleaning rules for
 *	XML parts (the package zip in and out: package.h)
 */
#pragma once

#include <glib.h>
#include <libxml/tree.h>

#include "cdr.h"
#include "package.h"

/* ---- ooxml-xml.c: XML read without DTDs, written back ------------------- */

/* Parse a part. NULL with *why set: malformed, or a document type
 * declaration (entity bombs and external entities never get a chance). */
xmlDoc *ooxml_xml_parse(const guint8 *data, gsize len, const char **why);
/* Serialize as UTF-8 with an XML declaration, appending to `out`. */
void ooxml_xml_write(xmlDoc *doc, GByteArray *out);

/* Append the element `root` and its subtree as XML (namespace
 * declarations it carries included; comments and processing instructions
 * left out). */
void ooxml_xml_dump(const xmlNode *root, GString *out);
/* Append `text` escaped for XML content, or for a double-quoted attribute
 * value (quotes and white-space control characters too). */
void ooxml_xml_escape(GString *out, const xmlChar *text, gboolean attribute);

/* Strict Open XML to Transitional: the namespaces declared on `node` (and
 * on everything under it with `subtree`) are mapped to their Transitional
 * twins and conformance="strict" is dropped. FALSE (*why set) for a Strict
 * namespace the table does not know. */
gboolean ooxml_xml_transitional(xmlNode *node, gboolean subtree, const char **why);
/* A relationship type as Transitional names it (a copy). */
char *ooxml_transitional_relationship(const char *type);

/* Namespaces the rules look at. */
#define NS_R "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#define NS_W "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
#define NS_S "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#define NS_P "http://schemas.openxmlformats.org/presentationml/2006/main"
#define NS_A "http://schemas.openxmlformats.org/drawingml/2006/main"
#define NS_MC "http://schemas.openxmlformats.org/markup-compatibility/2006"
#define NS_REL "http://schemas.openxmlformats.org/package/2006/relationships"
#define NS_CT "http://schemas.openxmlformats.org/package/2006/content-types"
#define NS_O "urn:schemas-microsoft-com:office:office"
#define NS_V "urn:schemas-microsoft-com:vml"
#define NS_C "http://schemas.openxmlformats.org/drawingml/2006/chart"
#define NS_DGM "http://schemas.openxmlformats.org/drawingml/2006/diagram"
#define NS_XDR "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
#define NS_P14 "http://schemas.microsoft.com/office/powerpoint/2010/main"
#define NS_C15 "http://schemas.microsoft.com/office/drawing/2012/chart"
#define NS_X14 "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
#define NS_XM "http://schemas.microsoft.com/office/excel/2006/main"
#define NS_CDR "http://schemas.openxmlformats.org/drawingml/2006/chartDrawing"
#define NS_X "urn:schemas-microsoft-com:office:excel"

/* An element by namespace and local name. */
struct ooxml_name {
	const char *ns, *name;
};


/* TRUE when `node` is the element {ns}name. */
gboolean ooxml_is(const xmlNode *node, const char *ns, const char *name);
/* TRUE when `node` is one of the `count` elements of `names`. */
gboolean ooxml_is_one_of(const xmlNode *node, const struct ooxml_name *names, gsize count);

enum ooxml_part_kind {
	PART_OTHER,
	PART_WORD,      /* body, header, footer, notes, comments: fields */
	PART_WORKBOOK,  /* sheets and defined names */
	PART_SHEET,     /* worksheet: formulas (streamed) */
	PART_STRINGS,   /* shared strings (streamed) */
	PART_SLIDE,     /* slides, layouts, masters: click actions */
};

/* ---- ooxml-types.c: what is kept ----------------------------------------- */

struct ooxml_main_type {
	const char *type;     /* as declared */
	const char *kept_as;  /* the macro-free type written */
	const char *ext;      /* output extension */
	const char *mime;     /* the output's MIME type */
	gboolean macro;       /* a macro-enabled type */
};

/* The main document's type, or NULL when not a Word/Excel/PowerPoint one. */
const struct ooxml_main_type *ooxml_main_type(const char *content_type);
/* Why a known non-document main type is refused (xlsb, add-ins), or NULL. */
const char *ooxml_refused_main_type(const char *content_type);
/* A part of this content type is kept; *kind says how it is cleaned. */
gboolean ooxml_kept_type(const char *content_type, enum ooxml_part_kind *kind);
/* A relationship of this type may reach a kept part. */
gboolean ooxml_relationship_kept(const char *type);
/* TRUE when the type URI ends in /segment (any case). */
gboolean ooxml_relationship_is(const char *type, const char *segment);
/* The report action naming a removed part or relationship. */
const char *ooxml_removal_action(const char *rel_type, const char *content_type);

/* ---- ooxml-uses.c: which element may use which relationship ----------- */

/* One relationship of a part, as its .rels file declares it. */
struct ooxml_rel {
	char *id, *type, *target;
	gboolean external;
};

/* TRUE when the attribute names a relationship of its part: any attribute
 * in the relationships namespace, and VML's o:relid. */
gboolean ooxml_names_relationship(const xmlAttr *attr);
/* TRUE when `attr` of `element` may name a relationship of `rel_type`;
 * whatever the table does not list is refused. */
gboolean ooxml_use_allowed(const xmlNode *element, const xmlAttr *attr, const char *rel_type);

enum ooxml_url_use {
	URL_NONE,      /* not a URL */
	URL_HYPERLINK, /* a VML shape's hyperlink: judged by the link rule */
	URL_FETCHED,   /* a file or URL the application loads (VML src, o:href) */
};

/* Does this attribute carry a URL directly (VML), and how is it used? */
enum ooxml_url_use ooxml_vml_url(const xmlNode *element, const xmlAttr *attr);

/* ---- ooxml-formula.c: spreadsheet formulas that reach out --------------- */

enum ooxml_formula_risk {
	FORMULA_SAFE,
	FORMULA_DDE,        /* app|topic!item */
	FORMULA_EXTERNAL,   /* another workbook or a path */
	FORMULA_FETCH,      /* WEBSERVICE, IMAGE, RTD: the network */
	FORMULA_CODE,       /* CALL, REGISTER, EXEC and other macro functions */
	FORMULA_LINK,       /* HYPERLINK to a target the link rule refuses */
	FORMULA_UNREADABLE, /* a string or name left open */
};

struct cdr_policy;

/* What a function of that name does (its _xlfn. and similar prefixes
 * taken off): FORMULA_FETCH, FORMULA_CODE or FORMULA_SAFE. The ole2
 * handler judges the add-in functions of a .xls by it. */
enum ooxml_formula_risk ooxml_formula_function(const char *name, gsize n);
/* Judge one formula (as stored: no leading '=' needed, `len` bytes). */
enum ooxml_formula_risk ooxml_formula_judge(const struct cdr_policy *policy, const char *formula,
					    gsize len);
/* The reading of a formula, shared by the judges of the two formats. */
struct formula_scan {
	const char *s;
	gsize len, i;
	const struct cdr_policy *policy;
};

void formula_skip_space(struct formula_scan *sc);
/* Past a quoted run ("..." or '...', the quote doubled inside); its
 * content is [*start, *end). FALSE when it is left open. */
gboolean formula_skip_quoted(struct formula_scan *sc, gsize *start, gsize *end);
/* TRUE when the `n` bytes at `name` are one of `list` (any case). */
gboolean formula_name_in(const char *name, gsize n, const char *const *list, gsize count);
/* With the scan at the '(' after HYPERLINK: its first argument is a string
 * literal alone that the link rule allows, or a place in the document
 * ("#Sheet2!A1"). The scan does not move. */
gboolean formula_hyperlink_allowed(struct formula_scan *sc);

/* What calling the function named at [start, end) of the scan does (its
 * _xlfn. and similar prefixes taken off): the network, code, a link.
 * The scan is at the '(' after the name, and does not move. */
enum ooxml_formula_risk formula_function_risk(struct formula_scan *sc, gsize start, gsize end);

/* The report action for a refused formula (NULL for FORMULA_SAFE). */
const char *ooxml_formula_action(enum ooxml_formula_risk risk);

/* ---- ooxml-formula-places.c: where Excel evaluates formulas ------------- */

struct ooxml_clean;

/* A formula the part holds at `n` (a cell's <f>, a rule's, a validation's,
 * a name's, a chart series', a table column's) that the judge refuses:
 * TRUE with *victim the element to remove and *what the report action
 * (NULL when its cause was reported already). */
gboolean ooxml_formula_rule(struct ooxml_clean *c, xmlNode *n, xmlNode **victim,
			    const char **what);
/* Judge a formula's text with the job's policy (NULL text is safe). */
enum ooxml_formula_risk ooxml_formula_of(struct ooxml_clean *c, const char *text);
/* After the walk, before the removals: chart lists whose reference was
 * refused hold their cached values as literals. `victims`: the elements
 * about to be removed. */
void ooxml_chart_literals(struct ooxml_clean *c, GHashTable *victims);

/* ---- ooxml-clean.c: the rules for one part's XML ----------------------- */

/* What one part's cleaning needs to know, and what it reports. */
struct ooxml_clean {
	struct cdr_job *job;
	const char *part;          /* its name, for the report */
	enum ooxml_part_kind kind;
	GHashTable *removed_ids;   /* relationship ids removed from its rels */
	GHashTable *kept_rels;     /* id -> const struct ooxml_rel *, those kept */
	GHashTable *used_ids;      /* ids of kept relationships some element uses */
	GHashTable *shared_kept;   /* sheet: shared formula groups (si) whose master stays */
	GHashTable *shared_removed; /* sheet: those whose master was removed */
	GPtrArray *chart_refs;     /* inside ooxml_clean_tree: chart lists made literal */
	GHashTable *removed_sheets; /* workbook: names of sheets removed (macro sheets) */
	GArray *removed_sheet_index; /* workbook: their positions (guint), ascending */
	gboolean changed;          /* anything removed */
};

/* Apply every rule to the subtree at `node` (a whole document's root, or
 * one row of a streamed sheet). FALSE when `node` itself must go (its
 * rules remove it, or it is a container left empty). */
gboolean ooxml_clean_tree(struct ooxml_clean *c, xmlNode *node);

/* ---- ooxml-fields.c: Word fields --------------------------------------- */

/* Fields removed from one part, by verdict (office-fields.h), and the
 * form-field macros removed. */
struct ooxml_field_counts {
	unsigned n[4]; /* indexed by enum office_field_verdict */
	unsigned macros;
};

/* Apply the shared field rules (office-fields.c) to the Word fields under
 * `root`: a removed field is replaced by its displayed result. */
void ooxml_fields_disarm(const struct cdr_policy *policy, xmlNode *root,
			 struct ooxml_field_counts *counts);
/* The same, with the removals reported on the job under `part`. */
void ooxml_fields_clean(struct cdr_job *job, const char *part, xmlNode *root);

/* ---- ooxml-stream.c: big parts rewritten as a stream -------------------- */

/* Rewrite a worksheet or shared-strings part read from `r` into the
 * writer's current member, cleaning each row (or each child of the root)
 * on its own. FALSE with *fail set (a corrupt member, malformed XML or
 * a DTD, Strict markup that cannot be mapped), or with the job's error
 * already recorded (a budget). */
gboolean ooxml_stream_part(struct ooxml_clean *c, struct zip_reader *r, struct zip_writer *w,
			   struct cdr_failure *fail);
