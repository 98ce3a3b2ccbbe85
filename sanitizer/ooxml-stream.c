/*
 * NAME
 *	ooxml-stream.c - worksheets and shared strings rewritten as a stream
 * SUMMARY
 *	A spreadsheet's sheets and string table can hold hundreds of
 *	megabytes of XML; read whole, their tree would take several times
 *	that. Here libxml2's reader pulls the part through the inflater, each
 *	child of the root (and each row inside sheetData) is expanded on its
 *	own, cleaned by the same rules as whole parts (ooxml-clean.c) and
 *	written into the new package straight away, so memory holds one row
 *	at a time. A document type declaration stops the part, as in
 *	ooxml-xml.c; inflated bytes count against max_expanded_bytes. Strict
 *	namespaces are mapped to Transitional on each element as it comes.
 */
#include <string.h>

#include <libxml/xmlreader.h>

#include "ooxml.h"

#define XML_DECLARATION "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
#define ROWS_PER_TIME_CHECK 4096

struct stream {
	struct ooxml_clean *c;
	struct zip_reader *in;
	struct zip_writer *out;
	GString *buf;
	struct cdr_failure fail;
	gboolean over_budget;
	guint64 rows;
};

static int
read_part(void *ctx, char *buffer, int len)
{
	struct stream *s = ctx;
	gssize n = zip_reader_read(s->in, (guint8 *)buffer, (gsize)len, &s->fail);
	if (n > 0 && !cdr_job_charge_expanded(s->c->job, (guint64)n)) {
		s->over_budget = TRUE;
		return -1;
	}
	return (int)n;
}

static void
put(struct stream *s, const char *text)
{
	zip_writer_write(s->out, text, strlen(text));
}

/* The start tag the reader is on, attributes and namespace declarations
 * as they were. */
static void
put_start_tag(struct stream *s, xmlTextReader *r)
{
	put(s, "<");
	put(s, (const char *)xmlTextReaderConstName(r));
	gboolean empty = xmlTextReaderIsEmptyElement(r) == 1;
	while (xmlTextReaderMoveToNextAttribute(r) == 1) {
		put(s, " ");
		put(s, (const char *)xmlTextReaderConstName(r));
		put(s, "=\"");
		const xmlChar *v = xmlTextReaderConstValue(r);
		ooxml_xml_escape(s->buf, v ? v : (const xmlChar *)"", TRUE);
		zip_writer_write(s->out, s->buf->str, s->buf->len);
		g_string_truncate(s->buf, 0);
		put(s, "\"");
	}
	xmlTextReaderMoveToElement(r);
	put(s, empty ? "/>" : ">");
}

static void
put_end_tag(struct stream *s, const xmlChar *name)
{
	put(s, "</");
	put(s, (const char *)name);
	put(s, ">");
}

/* Strict namespaces declared on the element the reader is on, mapped to
 * Transitional before anything looks at it (ooxml-xml.c). */
static gboolean
mapped_here(struct stream *s, xmlTextReader *r)
{
	xmlNode *node = xmlTextReaderCurrentNode(r);
	const char *why = NULL;
	if (!node)
		return FALSE;
	if (!ooxml_xml_transitional(node, FALSE, &why))
		return cdr_failure_set(&s->fail, CDR_E_UNSUPPORTED, why);
	return TRUE;
}

/* Expand the element the reader is on, clean it, write it, and move past
 * it. Returns the reader's status after the move. */
static int
copy_subtree(struct stream *s, xmlTextReader *r)
{
	xmlNode *node = xmlTextReaderExpand(r);
	const char *why = NULL;
	if (!node)
		return -1;
	if (!ooxml_xml_transitional(node, TRUE, &why))
		return cdr_failure_set(&s->fail, CDR_E_UNSUPPORTED, why), -1;
	if (ooxml_clean_tree(s->c, node)) {
		ooxml_xml_dump(node, s->buf);
		zip_writer_write(s->out, s->buf->str, s->buf->len);
		g_string_truncate(s->buf, 0);
	}
	return xmlTextReaderNext(r);
}

static gboolean
is_element(xmlTextReader *r, const char *ns, const char *name)
{
	const xmlChar *uri = xmlTextReaderConstNamespaceUri(r);
	return xmlTextReaderNodeType(r) == XML_READER_TYPE_ELEMENT && uri &&
	       strcmp((const char *)uri, ns) == 0 &&
	       strcmp((const char *)xmlTextReaderConstLocalName(r), name) == 0;
}

/* Rows one by one; the reader is on <sheetData>. */
static int
copy_sheet_data(struct stream *s, xmlTextReader *r)
{
	put_start_tag(s, r);
	if (xmlTextReaderIsEmptyElement(r) == 1)
		return xmlTextReaderRead(r);
	int depth = xmlTextReaderDepth(r);
	int rc = xmlTextReaderRead(r);
	while (rc == 1 && xmlTextReaderDepth(r) > depth) {
		if (xmlTextReaderNodeType(r) != XML_READER_TYPE_ELEMENT) {
			rc = xmlTextReaderRead(r);
			continue;
		}
		if (++s->rows % ROWS_PER_TIME_CHECK == 0 && !cdr_job_check_time(s->c->job))
			return -1;
		rc = copy_subtree(s, r);
	}
	if (rc != 1 || xmlTextReaderNodeType(r) != XML_READER_TYPE_END_ELEMENT)
		return -1;
	put_end_tag(s, xmlTextReaderConstName(r));
	return xmlTextReaderRead(r);
}

static gboolean
copy_part(struct stream *s, xmlTextReader *r)
{
	int rc;
	/* up to the root element; a DTD ends it there */
	while ((rc = xmlTextReaderRead(r)) == 1 && xmlTextReaderNodeType(r) != XML_READER_TYPE_ELEMENT) {
		if (xmlTextReaderNodeType(r) == XML_READER_TYPE_DOCUMENT_TYPE) {
			return cdr_failure_set(&s->fail, CDR_E_PARSE,
					       "XML with a document type declaration (entity "
					       "expansion or external entities)");
		}
	}
	if (rc != 1 || !mapped_here(s, r))
		return FALSE;
	put(s, XML_DECLARATION);
	xmlChar *root = xmlStrdup(xmlTextReaderConstName(r));
	put_start_tag(s, r);
	gboolean ok = TRUE;
	if (xmlTextReaderIsEmptyElement(r) != 1) {
		rc = xmlTextReaderRead(r);
		while (rc == 1 && xmlTextReaderDepth(r) > 0) {
			if (xmlTextReaderNodeType(r) == XML_READER_TYPE_ELEMENT && !mapped_here(s, r)) {
				rc = -1;
				break;
			}
			if (is_element(r, NS_S, "sheetData"))
				rc = copy_sheet_data(s, r);
			else if (xmlTextReaderNodeType(r) == XML_READER_TYPE_ELEMENT)
				rc = copy_subtree(s, r);
			else
				rc = xmlTextReaderRead(r);
		}
		ok = rc == 1 && xmlTextReaderNodeType(r) == XML_READER_TYPE_END_ELEMENT;
		if (ok)
			put_end_tag(s, root);
	}
	xmlFree(root);
	/* nothing but comments and white space may follow the root */
	while (ok && (rc = xmlTextReaderRead(r)) == 1)
		ok = xmlTextReaderNodeType(r) != XML_READER_TYPE_ELEMENT;
	return ok && rc == 0;
}

gboolean
ooxml_stream_part(struct ooxml_clean *c, struct zip_reader *in, struct zip_writer *out,
		  struct cdr_failure *fail)
{
	struct stream s = { .c = c, .in = in, .out = out, .buf = g_string_sized_new(4096) };
	xmlTextReader *r = xmlReaderForIO(read_part, NULL, &s, NULL, NULL,
					  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
						  XML_PARSE_NOCDATA);
	gboolean ok = r && copy_part(&s, r);
	xmlFreeTextReader(r);
	g_string_free(s.buf, TRUE);
	if (!ok && !s.over_budget) {
		cdr_failure_set(&s.fail, CDR_E_PARSE, "malformed XML");
		*fail = s.fail;
	}
	return ok;
}
