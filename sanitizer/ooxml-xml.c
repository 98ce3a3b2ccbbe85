/*
 * NAME
 *	ooxml-xml.c - an Office XML part parsed without DTDs and written back
 * SUMMARY
 *	No Office part has a document type declaration, and every XML attack
 *	needs one: entity expansion bombs ("billion laughs") and external
 *	entities that read files or reach the network (XXE). So the parser
 *	stops at the declaration, before any entity is declared, and the part
 *	is refused. Entities are never substituted, no DTD is loaded, no
 *	network is used; libxml2's default depth limit (256) bounds nesting.
 *	Kept parts are written back as UTF-8 with a standalone declaration.
 * DESCRIPTION
 *	Strict Open XML (ISO/IEC 29500 Strict, what Word writes as "Strict
 *	Open XML Document") names the same elements in other namespaces
 *	(http://purl.oclc.org/ooxml/...). Its namespaces are mapped to their
 *	Transitional twins as soon as a part is read, so every rule sees one
 *	vocabulary and the document is written as Transitional, which every
 *	Office version and LibreOffice read; a purl.oclc.org/ooxml namespace
 *	the table does not know refuses the part.
 */
#include <string.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlsave.h>

#include "ooxml.h"

#define XML_OPTIONS (XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA)

static void
refuse_dtd(void *ctx, const xmlChar *name, const xmlChar *external_id, const xmlChar *system_id)
{
	(void)name;
	(void)external_id;
	(void)system_id;
	xmlParserCtxt *ctxt = ctx;
	*(gboolean *)ctxt->_private = TRUE;
	xmlStopParser(ctxt);
}

xmlDoc *
ooxml_xml_parse(const guint8 *data, gsize len, const char **why)
{
	if (len > G_MAXINT) {
		*why = "an XML part over 2 GiB";
		return NULL;
	}
	xmlParserCtxt *ctxt = xmlCreateMemoryParserCtxt((const char *)data, (int)len);
	if (!ctxt) {
		*why = "cannot parse an XML part";
		return NULL;
	}
	gboolean has_dtd = FALSE;
	ctxt->_private = &has_dtd;
	ctxt->sax->internalSubset = refuse_dtd;
	ctxt->sax->externalSubset = refuse_dtd;
	xmlCtxtUseOptions(ctxt, XML_OPTIONS);
	xmlParseDocument(ctxt);
	xmlDoc *doc = ctxt->myDoc;
	gboolean ok = ctxt->wellFormed && !has_dtd && doc && xmlDocGetRootElement(doc);
	ctxt->myDoc = NULL;
	xmlFreeParserCtxt(ctxt);
	if (!ok) {
		xmlFreeDoc(doc);
		*why = has_dtd ? "XML with a document type declaration (entity expansion or external "
				 "entities)"
			       : "malformed XML";
		return NULL;
	}
	return doc;
}

void
ooxml_xml_write(xmlDoc *doc, GByteArray *out)
{
	xmlChar *mem = NULL;
	int size = 0;
	doc->standalone = 1;
	xmlDocDumpMemoryEnc(doc, &mem, &size, "UTF-8");
	if (mem && size > 0)
		g_byte_array_append(out, mem, (guint)size);
	xmlFree(mem);
}

gboolean
ooxml_is(const xmlNode *node, const char *ns, const char *name)
{
	return node && node->type == XML_ELEMENT_NODE && node->ns && node->ns->href &&
	       strcmp((const char *)node->name, name) == 0 &&
	       strcmp((const char *)node->ns->href, ns) == 0;
}

gboolean
ooxml_is_one_of(const xmlNode *node, const struct ooxml_name *names, gsize count)
{
	for (gsize i = 0; i < count; i++)
		if (ooxml_is(node, names[i].ns, names[i].name))
			return TRUE;
	return FALSE;
}

void
ooxml_xml_escape(GString *out, const xmlChar *text, gboolean attribute)
{
	const char *run = (const char *)text;
	for (const char *p = run;; p++) {
		const char *rep = NULL;
		switch (*p) {
		case '\0': g_string_append_len(out, run, p - run); return;
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '\r': rep = "&#13;"; break;
		case '"': rep = attribute ? "&quot;" : NULL; break;
		case '\n': rep = attribute ? "&#10;" : NULL; break;
		case '\t': rep = attribute ? "&#9;" : NULL; break;
		default: break;
		}
		if (rep) {
			g_string_append_len(out, run, p - run);
			g_string_append(out, rep);
			run = p + 1;
		}
	}
}

static void
append_qname(GString *out, const xmlNs *ns, const xmlChar *name)
{
	if (ns && ns->prefix) {
		g_string_append(out, (const char *)ns->prefix);
		g_string_append_c(out, ':');
	}
	g_string_append(out, (const char *)name);
}

static void
append_start_tag(GString *out, const xmlNode *n)
{
	g_string_append_c(out, '<');
	append_qname(out, n->ns, n->name);
	for (const xmlNs *d = n->nsDef; d; d = d->next) {
		g_string_append(out, d->prefix ? " xmlns:" : " xmlns");
		if (d->prefix)
			g_string_append(out, (const char *)d->prefix);
		g_string_append(out, "=\"");
		ooxml_xml_escape(out, d->href ? d->href : (const xmlChar *)"", TRUE);
		g_string_append_c(out, '"');
	}
	for (const xmlAttr *a = n->properties; a; a = a->next) {
		g_string_append_c(out, ' ');
		append_qname(out, a->ns, a->name);
		g_string_append(out, "=\"");
		for (const xmlNode *t = a->children; t; t = t->next)
			if (t->content)
				ooxml_xml_escape(out, t->content, TRUE);
		g_string_append_c(out, '"');
	}
	g_string_append(out, n->children ? ">" : "/>");
}

void
ooxml_xml_dump(const xmlNode *root, GString *out)
{
	const xmlNode *n = root;
	while (n) {
		if (n->type == XML_ELEMENT_NODE) {
			append_start_tag(out, n);
			if (n->children) {
				n = n->children;
				continue;
			}
		} else if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
			ooxml_xml_escape(out, n->content ? n->content : (const xmlChar *)"", FALSE);
		}
		/* comments and processing instructions are not written */
		while (n != root && !n->next) {
			n = n->parent;
			g_string_append(out, "</");
			append_qname(out, n->ns, n->name);
			g_string_append_c(out, '>');
		}
		n = n == root ? NULL : n->next;
	}
}

#define STRICT "http://purl.oclc.org/ooxml/"
#define TRANSITIONAL "http://schemas.openxmlformats.org/"

/* Strict namespaces (after STRICT) and their Transitional twins (after
 * TRANSITIONAL). */
static const struct {
	const char *strict, *transitional;
} strict_namespaces[] = {
	{ "wordprocessingml/main", "wordprocessingml/2006/main" },
	{ "spreadsheetml/main", "spreadsheetml/2006/main" },
	{ "presentationml/main", "presentationml/2006/main" },
	{ "drawingml/main", "drawingml/2006/main" },
	{ "drawingml/chart", "drawingml/2006/chart" },
	{ "drawingml/chartDrawing", "drawingml/2006/chartDrawing" },
	{ "drawingml/diagram", "drawingml/2006/diagram" },
	{ "drawingml/picture", "drawingml/2006/picture" },
	{ "drawingml/lockedCanvas", "drawingml/2006/lockedCanvas" },
	{ "drawingml/compatibility", "drawingml/2006/compatibility" },
	{ "drawingml/wordprocessingDrawing", "drawingml/2006/wordprocessingDrawing" },
	{ "drawingml/spreadsheetDrawing", "drawingml/2006/spreadsheetDrawing" },
	{ "officeDocument/relationships", "officeDocument/2006/relationships" },
	{ "officeDocument/math", "officeDocument/2006/math" },
	{ "officeDocument/bibliography", "officeDocument/2006/bibliography" },
	{ "officeDocument/characteristics", "officeDocument/2006/characteristics" },
	{ "officeDocument/customXml", "officeDocument/2006/customXml" },
	{ "officeDocument/customProperties", "officeDocument/2006/custom-properties" },
	{ "officeDocument/extendedProperties", "officeDocument/2006/extended-properties" },
	{ "officeDocument/docPropsVTypes", "officeDocument/2006/docPropsVTypes" },
	{ "officeDocument/sharedTypes", "officeDocument/2006/sharedTypes" },
	{ "schemaLibrary/main", "schemaLibrary/2006/main" },
};

static char *
transitional_namespace(const char *href)
{
	const char *rest = href + strlen(STRICT);
	for (gsize i = 0; i < G_N_ELEMENTS(strict_namespaces); i++)
		if (strcmp(rest, strict_namespaces[i].strict) == 0)
			return g_strconcat(TRANSITIONAL, strict_namespaces[i].transitional, NULL);
	return NULL;
}

/* The attributes: conformance="strict" (the workbook's, the
 * presentation's, Word's w:conformance) dropped, the part being
 * Transitional now; a namespace named as a value (a:graphicData
 * uri="http://purl.oclc.org/ooxml/drawingml/picture") mapped. FALSE for
 * a Strict namespace the table does not know. */
static gboolean
map_strict_attributes(xmlNode *n)
{
	xmlAttr *a = n->properties;
	while (a) {
		xmlAttr *next = a->next;
		const char *name = (const char *)a->name;
		if (strcmp(name, "conformance") != 0 && strcmp(name, "uri") != 0) {
			a = next;
			continue;
		}
		xmlChar *v = xmlNodeGetContent((xmlNode *)a);
		if (v && strcmp(name, "conformance") == 0 &&
		    g_ascii_strcasecmp((const char *)v, "strict") == 0) {
			xmlRemoveProp(a);
		} else if (v && strcmp(name, "uri") == 0 && !a->ns &&
			   g_str_has_prefix((const char *)v, STRICT)) {
			char *t = transitional_namespace((const char *)v);
			if (!t) {
				xmlFree(v);
				return FALSE;
			}
			xmlSetProp(n, a->name, (const xmlChar *)t);
			g_free(t);
		}
		xmlFree(v);
		a = next;
	}
	return TRUE;
}

gboolean
ooxml_xml_transitional(xmlNode *node, gboolean subtree, const char **why)
{
	xmlNode *n = node;
	while (n) {
		if (n->type == XML_ELEMENT_NODE) {
			for (xmlNs *d = n->nsDef; d; d = d->next) {
				if (!d->href || !g_str_has_prefix((const char *)d->href, STRICT))
					continue;
				char *t = transitional_namespace((const char *)d->href);
				if (!t) {
					*why = "a Strict Open XML namespace that is not known";
					return FALSE;
				}
				xmlFree((xmlChar *)d->href);
				d->href = xmlStrdup((const xmlChar *)t);
				g_free(t);
			}
			if (n->properties && !map_strict_attributes(n)) {
				*why = "a Strict Open XML namespace that is not known";
				return FALSE;
			}
		}
		if (!subtree)
			break;
		if (n->type == XML_ELEMENT_NODE && n->children) {
			n = n->children;
			continue;
		}
		while (n != node && !n->next)
			n = n->parent;
		n = n == node ? NULL : n->next;
	}
	return TRUE;
}

char *
ooxml_transitional_relationship(const char *type)
{
	static const char strict_rels[] = STRICT "officeDocument/relationships/";
	if (!g_str_has_prefix(type, strict_rels))
		return g_strdup(type);
	const char *seg = type + strlen(strict_rels);
	if (strcmp(seg, "extendedProperties") == 0)
		seg = "extended-properties";
	else if (strcmp(seg, "customProperties") == 0)
		seg = "custom-properties";
	else if (strcmp(seg, "metadata/thumbnail") == 0)
		return g_strdup(TRANSITIONAL "package/2006/relationships/metadata/thumbnail");
	return g_strconcat(TRANSITIONAL "officeDocument/2006/relationships/", seg, NULL);
}
