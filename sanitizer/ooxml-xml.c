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
