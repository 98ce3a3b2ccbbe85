/*
 * NAME
 *	odf-xml.c - an OpenDocument part's namespaces read the way
 *	LibreOffice reads them
 * SUMMARY
 *	The rules name elements by namespace, so they must see the namespace
 *	LibreOffice will see. LibreOffice does not take a namespace URI
 *	literally: a URN of the form urn:oasis:names:tc:ANY:xmlns:NAME:1.ANY
 *	it does not know is read as urn:oasis:names:tc:opendocument:xmlns:
 *	NAME:1.0, so "urn:oasis:names:tc:evil:xmlns:script:1.9" declares the
 *	script namespace; the W3C spellings of SVG, XSL-FO and SMIL stand for
 *	their ODF "-compatible" namespaces; any http://www.w3.org/.../xforms
 *	is XForms. Each declaration is mapped here before any rule runs, so a
 *	script element hidden behind an odd URI is found, and the part is
 *	written with the names LibreOffice would have used.
 * DESCRIPTION
 *	A part that declares a namespace of OpenOffice.org 1.x or StarOffice
 *	(http://openoffice.org/2000/..., http://openoffice.org/2001/...,
 *	http://sun.com/xmlns/staroffice/...) is refused: LibreOffice
 *	converts such content on its own terms, and no OpenDocument file
 *	needs it.
 */
#include <string.h>

#include "odf.h"

#define OASIS_URN "urn:oasis:names:tc:"

/* The URIs LibreOffice knows under another version than 1.0; they are
 * taken as they are. */
static const char *const known_as_is[] = {
	ODF_NS_OF,
};

/* urn:oasis:names:tc:TC:xmlns:NAME:1.V as LibreOffice normalizes it, or
 * NULL when `uri` does not have that form. */
static char *
normalized_oasis(const char *uri)
{
	if (strncmp(uri, OASIS_URN, strlen(OASIS_URN)) != 0)
		return NULL;
	const char *tc = uri + strlen(OASIS_URN);
	const char *tc_end = strchr(tc, ':');
	if (!tc_end || strncmp(tc_end + 1, "xmlns:", 6) != 0)
		return NULL;
	const char *name = tc_end + 7;
	const char *name_end = strchr(name, ':');
	if (!name_end)
		return NULL;
	const char *version = name_end + 1;
	if (strlen(version) < 3 || strchr(version, ':') || version[0] != '1' || version[1] != '.')
		return NULL;
	return g_strdup_printf(OASIS_URN "opendocument:xmlns:%.*s:1.0", (int)(name_end - name),
			       name);
}

/* The W3C spellings LibreOffice reads as other namespaces. */
static const struct {
	const char *uri, *as;
} w3c_spellings[] = {
	{ "http://www.w3.org/2000/svg", ODF_NS_SVG },
	{ "http://www.w3.org/1999/XSL/Format", ODF_OASIS("xsl-fo-compatible") },
	{ "http://www.w3.org/2001/SMIL20/", ODF_OASIS("smil-compatible") },
	{ "http://www.w3.org/2001/SMIL20", ODF_OASIS("smil-compatible") },
};

static const char *const legacy_prefixes[] = {
	"http://openoffice.org/2000/",
	"http://openoffice.org/2001/",
	"http://sun.com/xmlns/staroffice/",
};

/* The namespace LibreOffice reads for `uri`: a new string, or NULL when
 * it is taken as it is. */
static char *
as_libreoffice_reads(const char *uri)
{
	for (gsize i = 0; i < G_N_ELEMENTS(known_as_is); i++)
		if (strcmp(uri, known_as_is[i]) == 0)
			return NULL;
	char *oasis = normalized_oasis(uri);
	if (oasis)
		return oasis;
	for (gsize i = 0; i < G_N_ELEMENTS(w3c_spellings); i++)
		if (strcmp(uri, w3c_spellings[i].uri) == 0)
			return g_strdup(w3c_spellings[i].as);
	if (g_str_has_prefix(uri, "http://www.w3.org/") && g_str_has_suffix(uri, "xforms"))
		return g_strdup(ODF_NS_XFORMS);
	return NULL;
}

static gboolean
is_legacy(const char *uri)
{
	for (gsize i = 0; i < G_N_ELEMENTS(legacy_prefixes); i++)
		if (g_ascii_strncasecmp(uri, legacy_prefixes[i], strlen(legacy_prefixes[i])) == 0)
			return TRUE;
	return FALSE;
}

gboolean
odf_xml_normalize(xmlNode *root, const char **why)
{
	xmlNode *n = root;
	while (n) {
		if (n->type == XML_ELEMENT_NODE) {
			for (xmlNs *d = n->nsDef; d; d = d->next) {
				const char *uri = d->href ? (const char *)d->href : "";
				if (is_legacy(uri)) {
					*why = "a namespace of OpenOffice.org 1.x or StarOffice";
					return FALSE;
				}
				char *as = as_libreoffice_reads(uri);
				if (as && strcmp(as, uri) != 0) {
					xmlFree((xmlChar *)d->href);
					d->href = xmlStrdup((const xmlChar *)as);
				}
				g_free(as);
			}
			if (n->children) {
				n = n->children;
				continue;
			}
		}
		while (n != root && !n->next)
			n = n->parent;
		n = n == root ? NULL : n->next;
	}
	return TRUE;
}

char *
odf_attr(const xmlNode *n, const char *ns, const char *name)
{
	xmlChar *v = xmlGetNsProp(n, (const xmlChar *)name, (const xmlChar *)ns);
	char *s = v ? g_strdup((const char *)v) : NULL;
	xmlFree(v);
	return s;
}
