/*
 * NAME
 *	odf-types.c - which OpenDocument files are rebuilt, and as what
 * SUMMARY
 *	Text documents, spreadsheets, presentations and drawings, and the
 *	templates of each, as packages (odt, ods, odp, odg; ott, ots, otp,
 *	otg) and as flat XML (fodt, fods, fodp, fodg). A template stays a
 *	template. The type a package declares must match what its body holds
 *	(office:text, office:spreadsheet, ...), so the output extension is
 *	that of the verified type. Embedded objects are kept only when they
 *	are charts or formulas, which are XML under the same rules; master
 *	documents (linked subdocuments), web pages, databases (odb, with
 *	their connections and macros) and embedded documents are not.
 */
#include <string.h>

#include "odf.h"

#define OASIS "application/vnd.oasis.opendocument."

static const struct odf_type types[] = {
	{ OASIS "text", "odt", "fodt", OASIS "text-flat-xml", "text" },
	{ OASIS "text-template", "ott", "fodt", OASIS "text-flat-xml", "text" },
	{ OASIS "spreadsheet", "ods", "fods", OASIS "spreadsheet-flat-xml", "spreadsheet" },
	{ OASIS "spreadsheet-template", "ots", "fods", OASIS "spreadsheet-flat-xml",
	  "spreadsheet" },
	{ OASIS "presentation", "odp", "fodp", OASIS "presentation-flat-xml", "presentation" },
	{ OASIS "presentation-template", "otp", "fodp", OASIS "presentation-flat-xml",
	  "presentation" },
	{ OASIS "graphics", "odg", "fodg", OASIS "graphics-flat-xml", "drawing" },
	{ OASIS "graphics-template", "otg", "fodg", OASIS "graphics-flat-xml", "drawing" },
};

const char *const odf_extensions[] = {
	"odt", "ott", "ods", "ots", "odp", "otp", "odg", "otg", "fodt", "fods", "fodp", "fodg", NULL,
};

const struct odf_type *
odf_type_of(const char *mime)
{
	for (gsize i = 0; mime && i < G_N_ELEMENTS(types); i++)
		if (strcmp(mime, types[i].mime) == 0)
			return &types[i];
	return NULL;
}

const char *
odf_object_body(const char *mime)
{
	if (g_strcmp0(mime, OASIS "chart") == 0)
		return "chart";
	if (g_strcmp0(mime, OASIS "formula") == 0)
		return "formula";
	return NULL;
}
