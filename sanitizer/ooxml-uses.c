/*
 * NAME
 *	ooxml-uses.c - which element may use which kind of relationship
 * SUMMARY
 *	A relationship kept in a .rels file is safe only as long as the XML
 *	uses it the way its type means: a web link kept for a w:hyperlink
 *	is fetched at once when an a:blip names it in r:link (a linked
 *	picture), a w:attachedTemplate, a w:subDoc or an OLE object. So
 *	every attribute that names a relationship - any attribute in the
 *	relationships namespace (r:id, r:embed, r:link, r:pict, r:href, r:dm,
 *	r:lo, r:qs, r:cs, ...) and VML's o:relid, on any element - is held
 *	against the table below: the element and attribute, and the
 *	relationship types they may name. What the table does not list is
 *	refused (default deny). A relationship named by two elements is
 *	judged for each of them.
 * DESCRIPTION
 *	VML elements can also name a file or a URL directly, without a
 *	relationship (src, o:href, o:althref on v:imagedata, v:fill, v:image,
 *	...); those attributes are refused whatever they hold, and a shape's
 *	href (its hyperlink) is judged by the shared link rule.
 */
#include <string.h>

#include "ooxml.h"

#define NS_ASVG "http://schemas.microsoft.com/office/drawing/2016/SVG/main"

/* attribute NULL: any attribute naming a relationship. `types`: the last
 * segments of the relationship types allowed, separated by spaces. */
static const struct {
	const char *ns, *element, *attribute, *types;
} uses[] = {
	/* Word */
	{ NS_W, "hyperlink", "id", "hyperlink" },
	{ NS_W, "headerReference", "id", "header" },
	{ NS_W, "footerReference", "id", "footer" },
	/* DrawingML, in every application */
	{ NS_A, "blip", "embed", "image" },
	{ NS_A, "blip", "link", "image" },
	{ NS_ASVG, "svgBlip", "embed", "image" },
	{ NS_A, "hlinkClick", "id", "hyperlink slide" },
	{ NS_A, "hlinkHover", "id", "hyperlink slide" },
	{ NS_A, "hlinkMouseOver", "id", "hyperlink slide" },
	{ NS_C, "chart", "id", "chart" },
	{ NS_C, "userShapes", "id", "chartUserShapes" },
	{ NS_C, "legacyDrawingHF", "id", "vmlDrawing" },
	{ NS_DGM, "relIds", "dm", "diagramData" },
	{ NS_DGM, "relIds", "lo", "diagramLayout" },
	{ NS_DGM, "relIds", "qs", "diagramQuickStyle" },
	{ NS_DGM, "relIds", "cs", "diagramColors" },
	/* VML pictures */
	{ NS_V, "imagedata", NULL, "image" },
	{ NS_V, "fill", NULL, "image" },
	{ NS_V, "stroke", NULL, "image" },
	{ NS_V, "image", NULL, "image" },
	/* Excel */
	{ NS_S, "sheet", "id", "worksheet chartsheet" },
	{ NS_S, "pivotCache", "id", "pivotCacheDefinition" },
	{ NS_S, "pivotCacheDefinition", "id", "pivotCacheRecords" },
	{ NS_S, "drawing", "id", "drawing" },
	{ NS_S, "legacyDrawing", "id", "vmlDrawing" },
	{ NS_S, "legacyDrawingHF", "id", "vmlDrawing" },
	{ NS_S, "hyperlink", "id", "hyperlink" },
	{ NS_S, "picture", "id", "image" },
	{ NS_S, "tablePart", "id", "table" },
	/* PowerPoint */
	{ NS_P, "sldMasterId", "id", "slideMaster" },
	{ NS_P, "notesMasterId", "id", "notesMaster" },
	{ NS_P, "handoutMasterId", "id", "handoutMaster" },
	{ NS_P, "sldId", "id", "slide" },
	{ NS_P, "sldLayoutId", "id", "slideLayout" },
	{ NS_P, "sld", "id", "slide" },
	{ NS_P, "tags", "id", "tags" },
};

gboolean
ooxml_names_relationship(const xmlAttr *attr)
{
	if (!attr->ns || !attr->ns->href)
		return FALSE;
	const char *ns = (const char *)attr->ns->href;
	return strcmp(ns, NS_R) == 0 ||
	       (strcmp(ns, NS_O) == 0 && strcmp((const char *)attr->name, "relid") == 0);
}

static gboolean
listed(const char *types, const char *segment)
{
	gsize n = strlen(segment);
	for (const char *p = types; *p;) {
		const char *end = strchr(p, ' ');
		gsize len = end ? (gsize)(end - p) : strlen(p);
		if (len == n && g_ascii_strncasecmp(p, segment, n) == 0)
			return TRUE;
		p += len + (end != NULL);
	}
	return FALSE;
}

gboolean
ooxml_use_allowed(const xmlNode *element, const xmlAttr *attr, const char *rel_type)
{
	const char *slash = strrchr(rel_type, '/');
	const char *segment = slash ? slash + 1 : rel_type;
	for (gsize i = 0; i < G_N_ELEMENTS(uses); i++) {
		if (!ooxml_is(element, uses[i].ns, uses[i].element))
			continue;
		if (uses[i].attribute && (strcmp((const char *)attr->ns->href, NS_R) != 0 ||
					  strcmp((const char *)attr->name, uses[i].attribute) != 0))
			continue;
		if (listed(uses[i].types, segment))
			return TRUE;
	}
	return FALSE;
}

/* VML elements that draw a shape: their href is a hyperlink. */
static const char *const vml_shapes[] = {
	"shape", "rect", "roundrect", "oval", "line", "polyline", "arc", "curve", "image", "group",
};

enum ooxml_url_use
ooxml_vml_url(const xmlNode *element, const xmlAttr *attr)
{
	if (!element->ns || !element->ns->href ||
	    (strcmp((const char *)element->ns->href, NS_V) != 0 &&
	     strcmp((const char *)element->ns->href, NS_O) != 0))
		return URL_NONE;
	const char *ns = attr->ns && attr->ns->href ? (const char *)attr->ns->href : NULL;
	const char *name = (const char *)attr->name;
	if (ns && strcmp(ns, NS_O) != 0 && strcmp(ns, NS_V) != 0)
		return URL_NONE;
	if (strcmp(name, "href") == 0 && !ns &&
	    strcmp((const char *)element->ns->href, NS_V) == 0)
		for (gsize i = 0; i < G_N_ELEMENTS(vml_shapes); i++)
			if (strcmp((const char *)element->name, vml_shapes[i]) == 0)
				return URL_HYPERLINK;
	if (strcmp(name, "src") == 0 || strcmp(name, "href") == 0 ||
	    strcmp(name, "althref") == 0)
		return URL_FETCHED;
	return URL_NONE;
}
