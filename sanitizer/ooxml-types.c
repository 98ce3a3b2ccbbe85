/*
 * NAME
 *	ooxml-types.c - which Office parts are kept, and what a removed one was
 * SUMMARY
 *	A part is kept only when both the relationship that reaches it and
 *	its content type are on the lists below: the document kinds (Word,
 *	Excel, PowerPoint and their templates), the parts that hold their
 *	text, tables, styles, comments, charts, diagrams and themes, the
 *	document properties, and pictures. Everything else - VBA projects,
 *	macro sheets, ActiveX, OLE objects, external links and connections,
 *	add-ins, printer blobs, signatures, fonts, custom XML, media - is left
 *	out, and named in the report by what it is.
 */
#include <string.h>

#include "actions.h"
#include "ooxml.h"

#define OXML "application/vnd.openxmlformats-officedocument."

static const struct ooxml_main_type main_types[] = {
	{ OXML "wordprocessingml.document.main+xml", OXML "wordprocessingml.document.main+xml",
	  "docx", OXML "wordprocessingml.document", FALSE },
	{ "application/vnd.ms-word.document.macroEnabled.main+xml",
	  OXML "wordprocessingml.document.main+xml", "docx", OXML "wordprocessingml.document", TRUE },
	{ OXML "wordprocessingml.template.main+xml", OXML "wordprocessingml.template.main+xml",
	  "dotx", OXML "wordprocessingml.template", FALSE },
	{ "application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
	  OXML "wordprocessingml.template.main+xml", "dotx", OXML "wordprocessingml.template", TRUE },
	{ OXML "spreadsheetml.sheet.main+xml", OXML "spreadsheetml.sheet.main+xml", "xlsx",
	  OXML "spreadsheetml.sheet", FALSE },
	{ "application/vnd.ms-excel.sheet.macroEnabled.main+xml", OXML "spreadsheetml.sheet.main+xml",
	  "xlsx", OXML "spreadsheetml.sheet", TRUE },
	{ OXML "spreadsheetml.template.main+xml", OXML "spreadsheetml.template.main+xml", "xltx",
	  OXML "spreadsheetml.template", FALSE },
	{ "application/vnd.ms-excel.template.macroEnabled.main+xml",
	  OXML "spreadsheetml.template.main+xml", "xltx", OXML "spreadsheetml.template", TRUE },
	{ OXML "presentationml.presentation.main+xml", OXML "presentationml.presentation.main+xml",
	  "pptx", OXML "presentationml.presentation", FALSE },
	{ "application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml",
	  OXML "presentationml.presentation.main+xml", "pptx", OXML "presentationml.presentation",
	  TRUE },
	{ OXML "presentationml.template.main+xml", OXML "presentationml.template.main+xml", "potx",
	  OXML "presentationml.template", FALSE },
	{ "application/vnd.ms-powerpoint.template.macroEnabled.main+xml",
	  OXML "presentationml.template.main+xml", "potx", OXML "presentationml.template", TRUE },
	{ OXML "presentationml.slideshow.main+xml", OXML "presentationml.slideshow.main+xml", "ppsx",
	  OXML "presentationml.slideshow", FALSE },
	{ "application/vnd.ms-powerpoint.slideshow.macroEnabled.main+xml",
	  OXML "presentationml.slideshow.main+xml", "ppsx", OXML "presentationml.slideshow", TRUE },
};

const struct ooxml_main_type *
ooxml_main_type(const char *content_type)
{
	for (gsize i = 0; content_type && i < G_N_ELEMENTS(main_types); i++)
		if (g_ascii_strcasecmp(content_type, main_types[i].type) == 0)
			return &main_types[i];
	return NULL;
}

const char *
ooxml_refused_main_type(const char *content_type)
{
	if (!content_type)
		return "no content type for the main document";
	if (strstr(content_type, "sheet.binary"))
		return "a binary Excel workbook (xlsb) is not supported";
	if (strstr(content_type, "addin"))
		return "an Office add-in";
	return NULL;
}

/* Kept parts: the content type after the common prefix, and its kind. */
static const struct {
	const char *type;
	enum ooxml_part_kind kind;
} kept_types[] = {
	/* Word */
	{ OXML "wordprocessingml.header+xml", PART_WORD },
	{ OXML "wordprocessingml.footer+xml", PART_WORD },
	{ OXML "wordprocessingml.footnotes+xml", PART_WORD },
	{ OXML "wordprocessingml.endnotes+xml", PART_WORD },
	{ OXML "wordprocessingml.comments+xml", PART_WORD },
	{ OXML "wordprocessingml.document.glossary+xml", PART_WORD },
	{ OXML "wordprocessingml.settings+xml", PART_WORD },
	{ OXML "wordprocessingml.styles+xml", PART_OTHER },
	{ OXML "wordprocessingml.webSettings+xml", PART_OTHER },
	{ OXML "wordprocessingml.fontTable+xml", PART_OTHER },
	{ OXML "wordprocessingml.numbering+xml", PART_OTHER },
	{ OXML "wordprocessingml.commentsExtended+xml", PART_OTHER },
	{ OXML "wordprocessingml.commentsIds+xml", PART_OTHER },
	{ OXML "wordprocessingml.commentsExtensible+xml", PART_OTHER },
	{ OXML "wordprocessingml.people+xml", PART_OTHER },
	{ "application/vnd.ms-word.stylesWithEffects+xml", PART_OTHER },
	/* Excel */
	{ OXML "spreadsheetml.worksheet+xml", PART_SHEET },
	{ OXML "spreadsheetml.sharedStrings+xml", PART_STRINGS },
	{ OXML "spreadsheetml.styles+xml", PART_OTHER },
	{ OXML "spreadsheetml.calcChain+xml", PART_OTHER },
	{ OXML "spreadsheetml.table+xml", PART_OTHER },
	{ OXML "spreadsheetml.comments+xml", PART_OTHER },
	{ OXML "spreadsheetml.pivotTable+xml", PART_OTHER },
	{ OXML "spreadsheetml.pivotCacheDefinition+xml", PART_OTHER },
	{ OXML "spreadsheetml.pivotCacheRecords+xml", PART_OTHER },
	{ OXML "spreadsheetml.sheetMetadata+xml", PART_OTHER },
	{ OXML "spreadsheetml.tableSingleCells+xml", PART_OTHER },
	{ OXML "spreadsheetml.chartsheet+xml", PART_OTHER },
	{ "application/vnd.ms-excel.threadedcomments+xml", PART_OTHER },
	{ "application/vnd.ms-excel.person+xml", PART_OTHER },
	/* PowerPoint */
	{ OXML "presentationml.slide+xml", PART_SLIDE },
	{ OXML "presentationml.slideLayout+xml", PART_SLIDE },
	{ OXML "presentationml.slideMaster+xml", PART_SLIDE },
	{ OXML "presentationml.notesSlide+xml", PART_SLIDE },
	{ OXML "presentationml.notesMaster+xml", PART_SLIDE },
	{ OXML "presentationml.handoutMaster+xml", PART_SLIDE },
	{ OXML "presentationml.presProps+xml", PART_OTHER },
	{ OXML "presentationml.viewProps+xml", PART_OTHER },
	{ OXML "presentationml.tableStyles+xml", PART_OTHER },
	{ OXML "presentationml.commentAuthors+xml", PART_OTHER },
	{ OXML "presentationml.comments+xml", PART_OTHER },
	{ OXML "presentationml.tags+xml", PART_OTHER },
	{ "application/vnd.ms-powerpoint.comments+xml", PART_OTHER },
	{ "application/vnd.ms-powerpoint.authors+xml", PART_OTHER },
	/* shared */
	{ OXML "theme+xml", PART_OTHER },
	{ OXML "themeOverride+xml", PART_OTHER },
	{ OXML "drawingml.chart+xml", PART_SLIDE },
	{ OXML "drawingml.chartshapes+xml", PART_SLIDE },
	{ OXML "drawingml.diagramData+xml", PART_SLIDE },
	{ OXML "drawingml.diagramLayout+xml", PART_OTHER },
	{ OXML "drawingml.diagramStyle+xml", PART_OTHER },
	{ OXML "drawingml.diagramColors+xml", PART_OTHER },
	{ "application/vnd.ms-office.drawingml.diagramDrawing+xml", PART_SLIDE },
	{ "application/vnd.ms-office.chartstyle+xml", PART_OTHER },
	{ "application/vnd.ms-office.chartcolorstyle+xml", PART_OTHER },
	{ OXML "drawing+xml", PART_SLIDE },
	{ OXML "vmlDrawing", PART_OTHER },
	{ "application/vnd.openxmlformats-package.core-properties+xml", PART_OTHER },
	{ OXML "extended-properties+xml", PART_OTHER },
	{ OXML "custom-properties+xml", PART_OTHER },
};

/* Relationship types (last segment of the type URI) that may reach a
 * kept part; any other relationship is removed. */
static const char *const kept_relationships[] = {
	"officeDocument", "core-properties", "metadata/core-properties", "extended-properties",
	"custom-properties", "thumbnail", "styles", "settings", "webSettings", "fontTable",
	"numbering", "footnotes", "endnotes", "comments", "header", "footer", "theme",
	"themeOverride", "glossaryDocument", "stylesWithEffects", "commentsExtended", "commentsIds",
	"commentsExtensible", "people", "image", "hyperlink", "chart", "chartUserShapes",
	"chartStyle", "chartColorStyle", "diagramData", "diagramLayout", "diagramQuickStyle",
	"diagramColors", "diagramDrawing", "drawing", "vmlDrawing", "worksheet", "sharedStrings",
	"calcChain", "table", "pivotTable", "pivotCacheDefinition", "pivotCacheRecords",
	"sheetMetadata", "tableSingleCells", "chartsheet", "threadedComment", "person", "slide",
	"slideLayout", "slideMaster", "notesSlide", "notesMaster", "handoutMaster", "presProps",
	"viewProps", "tableStyles", "commentAuthors", "tags", "authors",
};

static const char *
last_segment(const char *uri)
{
	const char *slash = strrchr(uri, '/');
	return slash ? slash + 1 : uri;
}

gboolean
ooxml_relationship_kept(const char *type)
{
	const char *seg = last_segment(type);
	for (gsize i = 0; i < G_N_ELEMENTS(kept_relationships); i++)
		if (g_ascii_strcasecmp(seg, kept_relationships[i]) == 0)
			return TRUE;
	return FALSE;
}

gboolean
ooxml_relationship_is(const char *type, const char *segment)
{
	return g_ascii_strcasecmp(last_segment(type), segment) == 0;
}

gboolean
ooxml_kept_type(const char *content_type, enum ooxml_part_kind *kind)
{
	for (gsize i = 0; content_type && i < G_N_ELEMENTS(kept_types); i++)
		if (g_ascii_strcasecmp(content_type, kept_types[i].type) == 0) {
			*kind = kept_types[i].kind;
			return TRUE;
		}
	return FALSE;
}

static gboolean
has(const char *s, const char *needle)
{
	return s && strcasestr(s, needle) != NULL;
}

const char *
ooxml_removal_action(const char *rel_type, const char *content_type)
{
	static const struct {
		const char *needle, *action;
	} rules[] = {
		{ "vba", CDR_ACT_MACRO },
		{ "macrosheet", CDR_ACT_MACRO },
		{ "dialogsheet", CDR_ACT_MACRO },
		{ "keyMapCustomizations", CDR_ACT_MACRO },
		{ "attachedToolbars", CDR_ACT_MACRO },
		{ "activeX", CDR_ACT_ACTIVEX },
		{ "control", CDR_ACT_ACTIVEX },
		{ "externalLink", CDR_ACT_DATA_CONNECTION },
		{ "connections", CDR_ACT_DATA_CONNECTION },
		{ "queryTable", CDR_ACT_DATA_CONNECTION },
		{ "mailMerge", CDR_ACT_DATA_CONNECTION },
		{ "recipientData", CDR_ACT_DATA_CONNECTION },
		{ "extensibility", CDR_ACT_ADD_IN },
		{ "customUI", CDR_ACT_ADD_IN },
		{ "webextension", CDR_ACT_ADD_IN },
		{ "taskpane", CDR_ACT_ADD_IN },
		{ "printerSettings", CDR_ACT_PRINTER_SETTINGS },
		{ "signature", CDR_ACT_SIGNATURE },
		{ "font", CDR_ACT_FONT },
		{ "customXml", CDR_ACT_METADATA },
		{ "attachedTemplate", CDR_ACT_EXTERNAL_REFERENCE },
		{ "frame", CDR_ACT_EXTERNAL_REFERENCE },
		{ "video", CDR_ACT_MULTIMEDIA },
		{ "audio", CDR_ACT_MULTIMEDIA },
		{ "media", CDR_ACT_MULTIMEDIA },
	};
	for (gsize i = 0; i < G_N_ELEMENTS(rules); i++)
		if (has(rel_type ? last_segment(rel_type) : NULL, rules[i].needle) ||
		    has(content_type, rules[i].needle))
			return rules[i].action;
	return CDR_ACT_EMBEDDED_OBJECT;
}
