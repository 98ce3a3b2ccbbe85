/*
 * NAME
 *	odf-meta.c - what stays of an OpenDocument's properties and settings
 * SUMMARY
 *	Properties (office:meta) are kept by an allow-list: title, subject,
 *	description, keywords, language, dates, editing time and count,
 *	statistics and the generator. The names of people - the author
 *	(dc:creator, meta:initial-creator) and who printed it
 *	(meta:printed-by) - and user-defined properties, which hold whatever
 *	someone typed, are removed (metadata); so is every element not on
 *	the list. The template a document was made from (meta:template) and
 *	the page it reloads (meta:auto-reload) are references to files and
 *	URLs outside the document, which LibreOffice reads on opening
 *	(external-reference).
 *	Settings (office:settings) stay, but for the printer driver's setup
 *	blob and the printer's name (printer-settings), the database a mail
 *	merge reads (data-connection), any other binary setting, and any
 *	setting whose value is a macro URL (macro).
 */
#include <string.h>

#include "actions.h"
#include "odf.h"

static const struct ooxml_name kept_properties[] = {
	{ ODF_NS_META, "generator" },       { ODF_NS_DC, "title" },
	{ ODF_NS_DC, "description" },       { ODF_NS_DC, "subject" },
	{ ODF_NS_META, "keyword" },         { ODF_NS_DC, "language" },
	{ ODF_NS_META, "creation-date" },   { ODF_NS_DC, "date" },
	{ ODF_NS_META, "print-date" },      { ODF_NS_META, "editing-cycles" },
	{ ODF_NS_META, "editing-duration" }, { ODF_NS_META, "document-statistic" },
};

static gboolean
has_content(const xmlNode *n)
{
	xmlChar *text = xmlNodeGetContent(n);
	gboolean some = text && *text;
	xmlFree(text);
	return some;
}

const char *
odf_meta_judge(const xmlNode *n)
{
	if (ooxml_is_one_of(n, kept_properties, G_N_ELEMENTS(kept_properties)))
		return NULL;
	if (odf_is(n, ODF_NS_META, "template"))
		return CDR_ACT_EXTERNAL_REFERENCE;
	if (odf_is(n, ODF_NS_META, "auto-reload")) {
		g_autofree char *href = odf_attr(n, ODF_NS_XLINK, "href");
		return href && *href ? CDR_ACT_EXTERNAL_REFERENCE : "";
	}
	if (odf_is(n, ODF_NS_META, "user-defined")) {
		/* LibreOffice writes an empty one for documents made from HTML */
		g_autofree char *name = odf_attr(n, ODF_NS_META, "name");
		return (name && *name) || has_content(n) ? CDR_ACT_METADATA : "";
	}
	return CDR_ACT_METADATA;
}

/* Settings that describe the printer the document was last set up for. */
static const char *const printer_settings[] = {
	"PrinterSetup", "PrinterName", "PrintFaxName",
};

/* Setting names whose value names a data source. */
static const char *const data_sources[] = {
	"CurrentDatabaseDataSource", "CurrentDatabaseCommand", "EmbeddedDatabaseName",
	"DataSourceName",
};

/* Binary settings that are not a device's: the hash of the password
 * that protects tracked changes. */
static const char *const kept_binary[] = {
	"RedlineProtectionKey",
};

static gboolean
listed(const char *name, const char *const *list, gsize count)
{
	for (gsize i = 0; i < count; i++)
		if (strcmp(name, list[i]) == 0)
			return TRUE;
	return FALSE;
}

gboolean
odf_is_macro_url(const char *value)
{
	static const char *const schemes[] = {
		"vnd.sun.star.script:", "vnd.sun.star.basic:", "macro:", "service:", "slot:",
		".uno:", "vnd.sun.star.cmd:",
	};
	while (g_ascii_isspace(*value))
		value++;
	for (gsize i = 0; i < G_N_ELEMENTS(schemes); i++)
		if (g_ascii_strncasecmp(value, schemes[i], strlen(schemes[i])) == 0)
			return TRUE;
	return FALSE;
}

const char *
odf_setting_judge(const xmlNode *n)
{
	if (!odf_is(n, ODF_NS_CONFIG, "config-item"))
		return NULL;
	g_autofree char *name = odf_attr(n, ODF_NS_CONFIG, "name");
	g_autofree char *type = odf_attr(n, ODF_NS_CONFIG, "type");
	g_autofree char *value = (char *)xmlNodeGetContent(n);
	if (!name || !value || !*value)
		return NULL;
	if (odf_is_macro_url(value))
		return CDR_ACT_MACRO;
	if (listed(name, printer_settings, G_N_ELEMENTS(printer_settings)))
		return CDR_ACT_PRINTER_SETTINGS;
	if (listed(name, data_sources, G_N_ELEMENTS(data_sources)))
		return CDR_ACT_DATA_CONNECTION;
	if (type && strcmp(type, "base64Binary") == 0 &&
	    !listed(name, kept_binary, G_N_ELEMENTS(kept_binary)))
		return CDR_ACT_EMBEDDED_OBJECT;
	return NULL;
}
