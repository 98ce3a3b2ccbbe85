/*
 * NAME
 *	fuzz-pdf-scan - libFuzzer target: the trailer scan of damaged PDFs
 *	(pdf-scan.c) over raw bytes, every trailer visited
 */
#include "fuzz-common.h"

#include "pdf.h"

static gboolean
visit(const struct pdf_trailer_refs *refs, gpointer user)
{
	unsigned *n = user;
	*n += refs->has_root + refs->has_info;
	g_assert(!refs->has_root || (refs->root.num >= 0 && refs->root.gen >= 0));
	return FALSE;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned n = 0;
	g_assert(!pdf_scan_trailers(data, size, visit, &n));
	return 0;
}
