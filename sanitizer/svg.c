/*
 * NAME
 *	svg.c - SVG drawings, rebuilt from an allow-list with libxml2
 * SUMMARY
 *	The document is parsed without loading any DTD and without network,
 *	and a new document is built from the SVG elements and attributes of
 *	the allow-list (svg-names.c) only. Removed: scripts and event
 *	attributes (javascript), foreignObject and other embedded HTML
 *	(embedded-object), animation (multimedia: SMIL <set> can turn an href
 *	into javascript: after any check), references outside the document
 *	(external-reference: <use>, gradients, filters, CSS url(), @import),
 *	links the link rule refuses (external-link), metadata, comments,
 *	editor data and everything unknown (metadata, comment). Pictures
 *	embedded as data: URIs go through the image handlers and are put back
 *	rebuilt; pictures by URL are removed.
 * DESCRIPTION
 *	An SVG opened on an office PC opens in a web browser, where it is a
 *	web page: anything the browser would run or fetch must go. The
 *	rebuild keeps the drawing a vector drawing that Inkscape and
 *	Illustrator can still edit; turning it into pixels would be safer
 *	still but loses that, and librsvg would need the fonts the sandbox
 *	cannot open (see mugaika(7)).
 *
 *	A document type declaration may name an external DTD (it is never
 *	loaded) and declare internal entities: only short plain-text general
 *	entities (Illustrator declares its namespace URIs so) are accepted and
 *	expanded, at most SVG_MAX_ENTITIES of at most SVG_MAX_ENTITY_LEN
 *	bytes; parameter and external entities block the file (XXE, entity
 *	expansion bombs). The output has no DOCTYPE, one XML declaration, the
 *	SVG namespace as default and the XLink namespace for hrefs.
 */
#include <string.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>
#include <libxml/tree.h>

#include "actions.h"
#include "handlers.h"
#include "image-io.h"
#include "links.h"
#include "svg.h"

#define SVG_NS "http://www.w3.org/2000/svg"
#define XLINK_NS "http://www.w3.org/1999/xlink"
#define XML_NS "http://www.w3.org/XML/1998/namespace"
#define SVG_MAX_ENTITIES 64
#define SVG_MAX_ENTITY_LEN 128
#define SVG_NODES_PER_TIME_CHECK 4096
#define SVG_SNIFF_BYTES 16384

struct svg_rebuild {
	struct cdr_job *job;
	struct image_tally *removed;
	xmlDoc *out;
	xmlNs *svg_ns, *xlink_ns;
	guint64 nodes;
	gboolean failed; /* the job's error is set */
	unsigned images; /* data: pictures, for their names */
};

/* ---- parsing ------------------------------------------------------------ */

struct svg_parse {
	unsigned entities;
	gboolean refused;
};

static void
svg_entity_decl(void *ctx, const xmlChar *name, int type, const xmlChar *public_id,
		const xmlChar *system_id, xmlChar *content)
{
	xmlParserCtxt *ctxt = ctx;
	struct svg_parse *st = ctxt->_private;
	if (type != XML_INTERNAL_GENERAL_ENTITY || !content ||
	    strlen((const char *)content) > SVG_MAX_ENTITY_LEN ||
	    strpbrk((const char *)content, "&<%") || ++st->entities > SVG_MAX_ENTITIES) {
		st->refused = TRUE;
		xmlStopParser(ctxt);
		return;
	}
	xmlSAX2EntityDecl(ctx, name, type, public_id, system_id, content);
}

static void
svg_no_external_subset(void *ctx, const xmlChar *name, const xmlChar *external_id,
		       const xmlChar *system_id)
{
}

static xmlDoc *
svg_parse(struct cdr_job *job, const struct cdr_input *in)
{
	struct svg_parse st = { 0 };
	xmlParserCtxt *ctxt;
	xmlDoc *doc;

	if (in->len > G_MAXINT) {
		cdr_job_error(job, CDR_E_LIMIT, "SVG: over 2 GiB");
		return NULL;
	}
	ctxt = xmlCreateMemoryParserCtxt((const char *)in->data, (int)in->len);
	if (!ctxt) {
		cdr_job_error(job, CDR_E_MEMORY, "SVG: cannot start the XML parser");
		return NULL;
	}
	ctxt->_private = &st;
	ctxt->sax->entityDecl = svg_entity_decl;
	ctxt->sax->externalSubset = svg_no_external_subset;
	xmlCtxtUseOptions(ctxt, XML_PARSE_NONET | XML_PARSE_NOENT | XML_PARSE_NOERROR |
					XML_PARSE_NOWARNING | XML_PARSE_NOCDATA);
	xmlParseDocument(ctxt);
	doc = ctxt->myDoc;
	ctxt->myDoc = NULL;
	gboolean ok = ctxt->wellFormed && !st.refused && doc;
	xmlFreeParserCtxt(ctxt);
	if (!ok) {
		xmlFreeDoc(doc);
		cdr_job_error(job, st.refused ? CDR_E_DANGEROUS : CDR_E_PARSE, "%s",
			      st.refused ? "SVG: the document type declares parameter, external, "
					   "long or nested entities (XXE, entity expansion)"
					 : "SVG: not well-formed XML");
		return NULL;
	}
	return doc;
}

/* ---- attributes ----------------------------------------------------------- */

static gboolean
is_ns(const xmlNs *ns, const char *href)
{
	return ns && ns->href && strcmp((const char *)ns->href, href) == 0;
}

static const char *
mime_extension(const char *mime)
{
	static const char *const map[][2] = {
		{ "image/png", "png" },   { "image/jpeg", "jpg" },  { "image/jpg", "jpg" },
		{ "image/gif", "gif" },   { "image/webp", "webp" }, { "image/bmp", "bmp" },
		{ "image/svg+xml", "svg" },
	};
	for (unsigned i = 0; i < G_N_ELEMENTS(map); i++)
		if (g_ascii_strcasecmp(mime, map[i][0]) == 0)
			return map[i][1];
	return NULL;
}

/*
 * A picture given as "data:image/...;base64,...": decoded, sanitized as a
 * child object, and written back as a data: URI of the rebuilt bytes.
 * NULL when it is not such a URI or the picture was blocked.
 */
static char *
svg_rebuild_data_image(struct svg_rebuild *r, const char *value)
{
	const char *comma = strchr(value, ',');
	g_autofree char *head = comma ? g_strndup(value, (gsize)(comma - value)) : NULL;
	GByteArray *child = NULL;

	if (!head || !g_str_has_prefix(head, "data:") || !g_str_has_suffix(head, ";base64"))
		return NULL;
	head[strlen(head) - 7] = 0;
	const char *ext = mime_extension(head + 5);
	if (!ext)
		return NULL;
	gsize len = 0;
	g_autofree guchar *bytes = g_base64_decode(comma + 1, &len);
	g_autofree char *name = g_strdup_printf("image%u.%s", ++r->images, ext);
	if (!bytes || cdr_job_sanitize_child(r->job, bytes, len, name, &child) == CDR_BLOCKED) {
		if (bytes && cdr_job_budget_spent(r->job)) { /* the whole object ends */
			cdr_job_fail_as_child(r->job, cdr_job_last_child(r->job), NULL);
			r->failed = TRUE;
		}
		return NULL;
	}
	const struct cdr_report *c = cdr_job_last_child(r->job);
	g_autofree char *b64 = g_base64_encode(child->data, child->len);
	g_byte_array_unref(child);
	return g_strdup_printf("data:%s;base64,%s", c->out_type ? c->out_type : "image/png", b64);
}

/* href / xlink:href: what the element may point at. NULL drops it. */
static char *
svg_judge_href(struct svg_rebuild *r, const char *element, const char *value)
{
	const struct cdr_policy *p = cdr_job_policy(r->job);
	gboolean picture = strcmp(element, "image") == 0 || strcmp(element, "feImage") == 0;

	if (strcmp(element, "a") == 0) {
		if (svg_is_local_ref(value) || cdr_link_allowed_str(p, value))
			return g_strdup(value);
		image_tally_add(r->removed, CDR_ACT_EXTERNAL_LINK, "a");
		return NULL;
	}
	if (svg_is_local_ref(value) && strcmp(element, "image") != 0)
		return g_strdup(value);
	if (picture && g_ascii_strncasecmp(value, "data:", 5) == 0) {
		char *rebuilt = svg_rebuild_data_image(r, value);
		if (!rebuilt)
			image_tally_add(r->removed, CDR_ACT_EMBEDDED_OBJECT, element);
		return rebuilt;
	}
	image_tally_add(r->removed, CDR_ACT_EXTERNAL_REFERENCE, element);
	return NULL;
}

static void
svg_copy_attribute(struct svg_rebuild *r, const xmlNode *from, xmlNode *to, const xmlAttr *a)
{
	const char *name = (const char *)a->name, *element = (const char *)from->name;
	g_autofree char *value = (char *)xmlNodeListGetString(from->doc, a->children, 1);
	g_autofree char *kept = NULL;

	if (!value)
		return;
	if (is_ns(a->ns, XML_NS)) {
		if (strcmp(name, "space") == 0 || strcmp(name, "lang") == 0)
			xmlNewNsProp(to, xmlSearchNsByHref(r->out, to, (const xmlChar *)XML_NS),
				     a->name, (const xmlChar *)value);
		return;
	}
	if (strcmp(name, "href") == 0 && (!a->ns || is_ns(a->ns, XLINK_NS))) {
		kept = svg_judge_href(r, element, value);
		if (kept)
			xmlNewNsProp(to, r->xlink_ns, (const xmlChar *)"href", (const xmlChar *)kept);
		return;
	}
	if (a->ns) {
		image_tally_add(r->removed, CDR_ACT_METADATA, "attribute");
		return;
	}
	if (g_ascii_strncasecmp(name, "on", 2) == 0) {
		image_tally_add(r->removed, CDR_ACT_JAVASCRIPT, "event attribute");
		return;
	}
	if (!svg_attribute_allowed(name)) {
		image_tally_add(r->removed, CDR_ACT_METADATA, "attribute");
		return;
	}
	if (strcmp(name, "style") == 0) {
		kept = svg_css_declarations(value, r->removed);
		if (*kept)
			xmlNewProp(to, a->name, (const xmlChar *)kept);
		return;
	}
	if (!svg_value_safe(value)) {
		image_tally_add(r->removed, CDR_ACT_EXTERNAL_REFERENCE, "attribute");
		return;
	}
	xmlNewProp(to, a->name, (const xmlChar *)value);
}

/* ---- elements ------------------------------------------------------------- */

static void svg_copy_children(struct svg_rebuild *r, const xmlNode *from, xmlNode *to);

static void
svg_copy_element(struct svg_rebuild *r, const xmlNode *from, xmlNode *parent)
{
	const char *name = (const char *)from->name;

	if (!is_ns(from->ns, SVG_NS)) {
		image_tally_add(r->removed,
				from->ns && strstr((const char *)from->ns->href, "xhtml")
					? CDR_ACT_EMBEDDED_OBJECT
					: CDR_ACT_METADATA,
				"element");
		return;
	}
	if (!svg_element_allowed(name)) {
		image_tally_add(r->removed, svg_element_removal(name), name);
		return;
	}
	xmlNode *to = xmlNewChild(parent, r->svg_ns, from->name, NULL);
	for (const xmlAttr *a = from->properties; a; a = a->next)
		svg_copy_attribute(r, from, to, a);
	if (strcmp(name, "style") == 0) {
		g_autofree char *text = (char *)xmlNodeGetContent(from);
		g_autofree char *sheet = svg_css_sheet(text ? text : "", r->removed);
		if (*sheet)
			xmlNodeAddContent(to, (const xmlChar *)sheet);
		return;
	}
	svg_copy_children(r, from, to);
}

static void
svg_copy_children(struct svg_rebuild *r, const xmlNode *from, xmlNode *to)
{
	for (const xmlNode *c = from->children; c && !r->failed; c = c->next) {
		if (++r->nodes % SVG_NODES_PER_TIME_CHECK == 0 && !cdr_job_check_time(r->job)) {
			r->failed = TRUE;
			return;
		}
		switch (c->type) {
		case XML_ELEMENT_NODE:
			svg_copy_element(r, c, to);
			break;
		case XML_TEXT_NODE:
		case XML_CDATA_SECTION_NODE:
			xmlNodeAddContent(to, c->content);
			break;
		case XML_COMMENT_NODE:
			image_tally_add(r->removed, CDR_ACT_COMMENT, "comment");
			break;
		default: /* processing instructions, leftover entity references */
			image_tally_add(r->removed, CDR_ACT_METADATA, "node");
			break;
		}
	}
}

static gboolean
svg_rebuild(struct svg_rebuild *r, xmlDoc *doc)
{
	xmlNode *root = xmlDocGetRootElement(doc);

	if (!root || !is_ns(root->ns, SVG_NS) || strcmp((const char *)root->name, "svg") != 0) {
		cdr_job_error(r->job, CDR_E_PARSE, "SVG: the root element is not <svg> in the SVG "
						   "namespace");
		return FALSE;
	}
	for (const xmlNode *c = doc->children; c; c = c->next)
		if (c->type == XML_COMMENT_NODE || c->type == XML_PI_NODE)
			image_tally_add(r->removed, c->type == XML_COMMENT_NODE ? CDR_ACT_COMMENT
										: CDR_ACT_METADATA,
					"prolog");
	r->out = xmlNewDoc((const xmlChar *)"1.0");
	xmlNode *out_root = xmlNewDocNode(r->out, NULL, (const xmlChar *)"svg", NULL);
	xmlDocSetRootElement(r->out, out_root);
	r->svg_ns = xmlNewNs(out_root, (const xmlChar *)SVG_NS, NULL);
	r->xlink_ns = xmlNewNs(out_root, (const xmlChar *)XLINK_NS, (const xmlChar *)"xlink");
	xmlSetNs(out_root, r->svg_ns);
	for (const xmlAttr *a = root->properties; a; a = a->next)
		svg_copy_attribute(r, root, out_root, a);
	svg_copy_children(r, root, out_root);
	return !r->failed;
}

/* ---- the handler ---------------------------------------------------------- */

/* "<svg" in the SVG namespace near the start, after an XML declaration,
 * comments or a DOCTYPE: what a browser would show as a drawing. */
static int
svg_bid(const struct cdr_input *in)
{
	gsize n = MIN(in->len, SVG_SNIFF_BYTES);
	const guint8 *p = in->data;
	if (n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) {
		p += 3;
		n -= 3;
	}
	while (n && g_ascii_isspace(*p)) {
		p++;
		n--;
	}
	if (n < 5 || *p != '<')
		return 0;
	if (!g_strstr_len((const char *)p, (gssize)n, "<svg") ||
	    !g_strstr_len((const char *)p, (gssize)n, SVG_NS))
		return 0;
	return 100;
}

static enum cdr_verdict
svg_sanitize(struct cdr_job *job, const struct cdr_input *in, struct cdr_output *out)
{
	struct svg_rebuild r = { .job = job, .removed = image_tally_new() };
	enum cdr_verdict verdict = CDR_BLOCKED;
	xmlDoc *doc = svg_parse(job, in);

	if (!doc)
		goto done;
	if (!svg_rebuild(&r, doc))
		goto done;
	xmlChar *mem = NULL;
	int size = 0;
	xmlDocDumpMemoryEnc(r.out, &mem, &size, "UTF-8");
	if (!mem || size <= 0 || !image_output_append(out->data, mem, (gsize)size)) {
		xmlFree(mem);
		cdr_job_error(job, CDR_E_INTERNAL, "SVG: cannot write the document");
		goto done;
	}
	xmlFree(mem);
	image_tally_report(r.removed, job);
	verdict = image_tally_is_empty(r.removed) ? CDR_CLEAN : CDR_SANITIZED;
done:
	xmlFreeDoc(doc);
	xmlFreeDoc(r.out);
	image_tally_free(r.removed);
	return verdict;
}

static const char *const svg_extensions[] = { "svg", NULL };

const struct cdr_handler cdr_handler_svg = {
	.name = "svg",
	.flags = CDR_SELF_TYPED,
	.extensions = svg_extensions,
	.mime_type = "image/svg+xml",
	.bid = svg_bid,
	.sanitize = svg_sanitize,
};
