/*
 * NAME
 *	svg.h - the SVG handler's parts (svg.c, svg-css.c, svg-names.c)
 */
#pragma once

#include <glib.h>

struct image_tally;

/* An SVG element or attribute (no namespace) the rebuild keeps. */
gboolean svg_element_allowed(const char *name);
gboolean svg_attribute_allowed(const char *name);
/* A presentation property: allowed as an attribute and in CSS. */
gboolean svg_property_allowed(const char *name);

/* What a dropped SVG element was, as an action name (actions.h). */
const char *svg_element_removal(const char *name);

/* TRUE when a value may be kept: every url(...) in it points into the
 * document (#id), and it names no script scheme or CSS expression. */
gboolean svg_value_safe(const char *value);

/* A local reference: "#id". */
gboolean svg_is_local_ref(const char *value);

/* The declarations of a style attribute with only allowed properties and
 * safe values, written "name:value;name:value". Dropped ones are counted. */
char *svg_css_declarations(const char *text, struct image_tally *removed);

/* A <style> sheet rebuilt: plain rules with simple selectors and the
 * declarations svg_css_declarations() keeps; at-rules (@import, @font-face,
 * ...) and comments dropped and counted. */
char *svg_css_sheet(const char *text, struct image_tally *removed);
