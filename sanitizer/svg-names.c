/*
 * NAME
 *	svg-names.c - the SVG elements, attributes and properties that are kept
 * SUMMARY
 *	Allow-lists: static SVG 1.1/2 shapes, text, paint servers, clipping,
 *	masking, markers and filters. No script, no animation (SMIL can set an
 *	href to javascript: after the document is checked), no foreignObject
 *	(HTML inside SVG), no fonts or cursors (they load files by URL).
 */
#include <string.h>

#include "actions.h"
#include "svg.h"

static const char *const elements[] = {
	"svg", "g", "defs", "desc", "title", "symbol", "use", "image", "switch", "style", "a",
	"path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "text", "tspan",
	"textPath", "linearGradient", "radialGradient", "stop", "pattern", "clipPath", "mask",
	"marker", "filter", "view", "feBlend", "feColorMatrix", "feComponentTransfer",
	"feComposite", "feConvolveMatrix", "feDiffuseLighting", "feDisplacementMap",
	"feDistantLight", "feDropShadow", "feFlood", "feFuncA", "feFuncB", "feFuncG", "feFuncR",
	"feGaussianBlur", "feImage", "feMerge", "feMergeNode", "feMorphology", "feOffset",
	"fePointLight", "feSpecularLighting", "feSpotLight", "feTile", "feTurbulence",
};

static const char *const attributes[] = {
	"id", "class", "x", "y", "width", "height", "rx", "ry", "cx", "cy", "r", "x1", "y1", "x2",
	"y2", "points", "d", "viewBox", "preserveAspectRatio", "version", "baseProfile",
	"pathLength", "dx", "dy", "rotate", "textLength", "lengthAdjust", "startOffset", "method",
	"spacing", "side", "gradientUnits", "gradientTransform", "spreadMethod", "fx", "fy", "fr",
	"offset", "patternUnits", "patternContentUnits", "patternTransform", "clipPathUnits",
	"maskUnits", "maskContentUnits", "markerWidth", "markerHeight", "markerUnits", "refX",
	"refY", "orient", "filterUnits", "primitiveUnits", "in", "in2", "result", "stdDeviation",
	"mode", "operator", "k1", "k2", "k3", "k4", "values", "type", "tableValues", "slope",
	"intercept", "amplitude", "exponent", "order", "kernelMatrix", "divisor", "bias",
	"targetX", "targetY", "edgeMode", "preserveAlpha", "surfaceScale", "diffuseConstant",
	"specularConstant", "specularExponent", "kernelUnitLength", "scale", "xChannelSelector",
	"yChannelSelector", "radius", "baseFrequency", "numOctaves", "seed", "stitchTiles",
	"azimuth", "elevation", "z", "pointsAtX", "pointsAtY", "pointsAtZ", "limitingConeAngle",
	"lang", "style", "media", "viewTarget", "zoomAndPan", "systemLanguage",
	"requiredFeatures", "requiredExtensions",
};

static const char *const properties[] = {
	"fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-opacity",
	"stroke-linecap", "stroke-linejoin", "stroke-miterlimit", "stroke-dasharray",
	"stroke-dashoffset", "opacity", "color", "display", "visibility", "overflow", "clip",
	"clip-path", "clip-rule", "mask", "filter", "marker", "marker-start", "marker-mid",
	"marker-end", "stop-color", "stop-opacity", "flood-color", "flood-opacity",
	"lighting-color", "font", "font-family", "font-size", "font-size-adjust", "font-stretch",
	"font-style", "font-variant", "font-weight", "text-anchor", "text-decoration",
	"letter-spacing", "word-spacing", "writing-mode", "direction", "unicode-bidi",
	"dominant-baseline", "alignment-baseline", "baseline-shift", "color-interpolation",
	"color-interpolation-filters", "color-rendering", "shape-rendering", "text-rendering",
	"image-rendering", "paint-order", "vector-effect", "mix-blend-mode", "isolation",
	"enable-background", "line-height", "white-space", "transform", "transform-origin",
	"solid-color", "solid-opacity", "glyph-orientation-vertical",
	"glyph-orientation-horizontal", "kerning", "text-align", "text-indent",
};

static const char *const scripts[] = { "script", "handler", "listener" };
static const char *const animations[] = {
	"animate", "animateMotion", "animateTransform", "animateColor", "set", "mpath", "discard",
	"audio", "video",
};
static const char *const embeddings[] = {
	"foreignObject", "iframe", "embed", "object", "canvas",
};

static gboolean
in_list(const char *name, const char *const *list, gsize n)
{
	for (gsize i = 0; i < n; i++)
		if (strcmp(name, list[i]) == 0)
			return TRUE;
	return FALSE;
}

/* For reporting only: <SCRIPT> is not an SVG element (names are case
 * sensitive) and is dropped as unknown, but it is reported as what it
 * looks like. */
static gboolean
in_list_any_case(const char *name, const char *const *list, gsize n)
{
	for (gsize i = 0; i < n; i++)
		if (g_ascii_strcasecmp(name, list[i]) == 0)
			return TRUE;
	return FALSE;
}

gboolean
svg_element_allowed(const char *name)
{
	return in_list(name, elements, G_N_ELEMENTS(elements));
}

gboolean
svg_property_allowed(const char *name)
{
	return in_list(name, properties, G_N_ELEMENTS(properties));
}

gboolean
svg_attribute_allowed(const char *name)
{
	return in_list(name, attributes, G_N_ELEMENTS(attributes)) || svg_property_allowed(name);
}

const char *
svg_element_removal(const char *name)
{
	if (in_list_any_case(name, scripts, G_N_ELEMENTS(scripts)))
		return CDR_ACT_JAVASCRIPT;
	if (in_list_any_case(name, animations, G_N_ELEMENTS(animations)))
		return CDR_ACT_MULTIMEDIA;
	if (in_list_any_case(name, embeddings, G_N_ELEMENTS(embeddings)))
		return CDR_ACT_EMBEDDED_OBJECT;
	return CDR_ACT_METADATA;
}

gboolean
svg_is_local_ref(const char *value)
{
	if (value[0] != '#' || !value[1])
		return FALSE;
	for (const char *c = value + 1; *c; c++)
		if (!g_ascii_isalnum(*c) && *c != '_' && *c != '-' && *c != '.' && *c != ':')
			return FALSE;
	return TRUE;
}

/* The value with blanks and controls left out, in lower case: what a
 * browser may read "java script:" or "u r l(" as. */
static char *
squeezed(const char *value)
{
	GString *s = g_string_new(NULL);
	for (const char *c = value; *c; c++)
		if ((guchar)*c > ' ' && *c != 0x7f)
			g_string_append_c(s, g_ascii_tolower(*c));
	return g_string_free(s, FALSE);
}

/* url(#id), url('#id') or url("#id") at `arg` (just after "url("). */
static gboolean
local_url(const char *arg)
{
	char quote = *arg == '"' || *arg == '\'' ? *arg++ : 0;
	if (*arg++ != '#')
		return FALSE;
	while (g_ascii_isalnum(*arg) || *arg == '_' || *arg == '-' || *arg == '.' || *arg == ':')
		arg++;
	if (quote && *arg++ != quote)
		return FALSE;
	return *arg == ')';
}

gboolean
svg_value_safe(const char *value)
{
	/* script schemes, IE's expression(), Mozilla bindings, and every CSS
	 * function but url() that can fetch an image */
	static const char *const never[] = {
		"javascript:", "vbscript:", "data:", "expression(", "@import", "behavior:",
		"-moz-binding", "/*", "image-set(", "image(", "src(", "cross-fade(", "element(",
	};
	/* CSS escapes (u\72l) could spell anything: a value with a backslash is refused */
	if (strchr(value, '\\'))
		return FALSE;
	g_autofree char *s = squeezed(value);
	for (unsigned i = 0; i < G_N_ELEMENTS(never); i++)
		if (strstr(s, never[i]))
			return FALSE;
	for (const char *u = strstr(s, "url("); u; u = strstr(u + 4, "url("))
		if (!local_url(u + 4))
			return FALSE;
	return TRUE;
}
