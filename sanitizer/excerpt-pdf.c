/*
 * NAME
 *	excerpt-pdf.c - the text of a PDF, page by page (poppler-glib)
 * SUMMARY
 *	poppler reads the text as its own pdftotext does: ToUnicode maps,
 *	CID fonts with the predefined Japanese CMaps and the Adobe-Japan1
 *	CID-to-Unicode table from poppler-data, vertical text in the order
 *	poppler's text layout gives it.
 * DESCRIPTION
 *	poppler opens its data files by name when a font needs them, after
 *	the worker is sandboxed. pdf_excerpt_init() therefore, before the
 *	sandbox: has cdr_sandbox_preload() read the Adobe-Japan1 CMaps and the
 *	CID-to-Unicode tables into memory (served as memfds to poppler's
 *	opens of exactly those paths; any other path under the poppler data
 *	directory answers ENOENT, and poppler does without it); opens one
 *	small document and keeps it for the life of the process, since
 *	poppler-glib frees its global parameters (which list the data
 *	directories, read once) when its last document goes; and reads that
 *	document's text once, so that what the first text extraction loads
 *	(the local time zone) is loaded now.
 *
 *	Pages are read until the excerpt is full, the excerpt's time is spent
 *	or [pdf] max_pages is reached. A PDF whose pages hold no text at all
 *	is taken for a scan: EXCERPT_IMAGES_ONLY. A PDF that needs a password
 *	gives no text.
 */
#include "excerpt.h"

#include <poppler.h>
#include <string.h>

#include "sandbox.h"

static PopplerDocument *kept_open; /* holds poppler's global parameters */

/* A one-page PDF with a line of text in a standard font. */
static GBytes *
warm_up_pdf(void)
{
	static const char *const objects[] = {
		"<</Type/Catalog/Pages 2 0 R>>",
		"<</Type/Pages/Kids[3 0 R]/Count 1>>",
		"<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]/Resources<</Font<</F1 4 0 R>>>>"
		"/Contents 5 0 R>>",
		"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
		"<</Length 34>>stream\nBT /F1 12 Tf 10 10 Td (warm) Tj ET\nendstream",
	};
	GString *pdf = g_string_new("%PDF-1.4\n");
	gsize offsets[G_N_ELEMENTS(objects)];
	for (gsize i = 0; i < G_N_ELEMENTS(objects); i++) {
		offsets[i] = pdf->len;
		g_string_append_printf(pdf, "%" G_GSIZE_FORMAT " 0 obj\n%s\nendobj\n", i + 1,
				       objects[i]);
	}
	gsize xref = pdf->len;
	g_string_append_printf(pdf, "xref\n0 %" G_GSIZE_FORMAT "\n0000000000 65535 f \n",
			       G_N_ELEMENTS(objects) + 1);
	for (gsize i = 0; i < G_N_ELEMENTS(objects); i++)
		g_string_append_printf(pdf, "%010" G_GSIZE_FORMAT " 00000 n \n", offsets[i]);
	g_string_append_printf(pdf,
			       "trailer\n<</Size %" G_GSIZE_FORMAT "/Root 1 0 R>>\nstartxref\n"
			       "%" G_GSIZE_FORMAT "\n%%%%EOF\n",
			       G_N_ELEMENTS(objects) + 1, xref);
	return g_string_free_to_bytes(pdf);
}

gboolean
pdf_excerpt_init(GError **error)
{
	static const char *const dirs[] = { POPPLER_DATADIR "/cMap/Adobe-Japan1",
					    POPPLER_DATADIR "/cidToUnicode", NULL };
	if (kept_open)
		return TRUE;
	if (!cdr_sandbox_preload(POPPLER_DATADIR "/", dirs, error))
		return FALSE;
	g_autoptr(GBytes) pdf = warm_up_pdf();
	kept_open = poppler_document_new_from_bytes(pdf, NULL, error);
	if (!kept_open)
		return FALSE;
	PopplerPage *page = poppler_document_get_page(kept_open, 0);
	g_free(page ? poppler_page_get_text(page) : NULL);
	if (page)
		g_object_unref(page);
	return TRUE;
}

/* The pages' text into the excerpt; FALSE with *reason when there is none. */
static gboolean
add_pages(struct cdr_excerpt *x, PopplerDocument *doc, char **reason)
{
	guint64 max_pages = cdr_job_policy(cdr_excerpt_job(x))->pdf_max_pages;
	int pages = poppler_document_get_n_pages(doc);
	gboolean any_text = FALSE, more = TRUE;
	for (int i = 0; i < pages && (guint64)i < max_pages && more; i++) {
		if (!cdr_excerpt_in_time(x)) {
			*reason = g_strdup("（時間内に読み終わりませんでした / took too long）");
			return FALSE;
		}
		PopplerPage *page = poppler_document_get_page(doc, i);
		g_autofree char *text = page ? poppler_page_get_text(page) : NULL;
		if (page)
			g_object_unref(page);
		if (!text || !*g_strstrip(text))
			continue;
		if (any_text)
			more = cdr_excerpt_add(x, "\n\n", -1);
		more = more && cdr_excerpt_add(x, text, -1);
		any_text = TRUE;
	}
	if (!any_text) {
		*reason = g_strdup(pages ? EXCERPT_IMAGES_ONLY : "（ページがありません / no pages）");
		return FALSE;
	}
	return TRUE;
}

gboolean
pdf_excerpt(struct cdr_excerpt *x, const struct cdr_input *in, char **reason)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) bytes = g_bytes_new_static(in->data, in->len);
	PopplerDocument *doc = poppler_document_new_from_bytes(bytes, NULL, &error);
	if (!doc) {
		*reason = g_strdup(g_error_matches(error, POPPLER_ERROR, POPPLER_ERROR_ENCRYPTED)
					   ? "（パスワードで保護されているため本文を読めません / "
					     "protected by a password）"
					   : "（PDF を読み取れませんでした / unreadable PDF）");
		return FALSE;
	}
	gboolean ok = add_pages(x, doc, reason);
	g_object_unref(doc);
	return ok;
}
