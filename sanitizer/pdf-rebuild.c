/*
 * NAME
 *	pdf-rebuild.c - a new document made of the pages of a disarmed one
 * SUMMARY
 *	The last resort when the rewritten file does not read back cleanly:
 *	every page of the (already disarmed) document is copied into an empty
 *	document, with what the page refers to - contents, resources, fonts,
 *	images, annotations - and nothing else. The catalog of the new
 *	document is qpdf's own; of the old catalog only the optional content
 *	properties (which layers are shown) are copied, so the pages look the
 *	same. The document outline (bookmarks), the interactive form
 *	dictionary (fields stay as annotations with their appearance), named
 *	destinations, page labels, the document information and the XMP
 *	metadata are lost.
 * DESCRIPTION
 *	qpdf turns a reference to a page that has not been copied yet into
 *	null, so the annotations are taken off the pages first and copied
 *	once every page is in place: a link to a later page keeps its target.
 *	Inherited page attributes (resources, media box) are pushed down to
 *	the pages before copying. Copying cannot bring in anything the walk
 *	did not see: everything reached from a page was reached from the
 *	trailer through the page tree.
 */
#include "pdf.h"

struct page_copy {
	qpdf_oh src_page;
	qpdf_oh annots; /* the page's /Annots, made indirect in src; 0 if none */
};

/* Take the annotations off src's pages (keeping them, made indirect, so
 * they can be copied later). */
static void
detach_annotations(qpdf_data src, struct page_copy *pages, int n)
{
	for (int i = 0; i < n; i++) {
		qpdf_oh page = pages[i].src_page;
		qpdf_oh annots = qpdf_oh_get_key(src, page, "/Annots");
		if (qpdf_oh_is_array(src, annots)) {
			if (!qpdf_oh_is_indirect(src, annots)) {
				qpdf_oh made = qpdf_make_indirect_object(src, annots);
				qpdf_oh_release(src, annots);
				annots = made;
			}
			pages[i].annots = annots;
		} else {
			qpdf_oh_release(src, annots);
		}
		qpdf_oh_remove_key(src, page, "/Annots");
	}
}

/* The copy of the catalog's `key` (when it is a dictionary) into dst's
 * catalog. */
static void
copy_catalog_entry(qpdf_data dst, qpdf_data src, const char *key)
{
	qpdf_oh src_root = qpdf_get_root(src);
	qpdf_oh v = qpdf_oh_get_key(src, src_root, key);
	if (qpdf_oh_is_dictionary(src, v)) {
		if (!qpdf_oh_is_indirect(src, v)) {
			qpdf_oh made = qpdf_make_indirect_object(src, v);
			qpdf_oh_release(src, v);
			v = made;
		}
		qpdf_oh copy = qpdf_oh_copy_foreign_object(dst, src, v);
		qpdf_oh dst_root = qpdf_get_root(dst);
		qpdf_oh_replace_key(dst, dst_root, key, copy);
		qpdf_oh_release(dst, dst_root);
		qpdf_oh_release(dst, copy);
	}
	qpdf_oh_release(src, v);
	qpdf_oh_release(src, src_root);
}

/* What the document has that a copy of its pages leaves behind, as the
 * report names it. */
static const struct {
	const char *key, *what;
} catalog_parts[] = {
	{ "/Outlines", "outline" },
	{ "/AcroForm", "form" },
	{ "/Names", "name trees" },
	{ "/Dests", "named destinations" },
	{ "/PageLabels", "page labels" },
	{ "/StructTreeRoot", "tags" },
	{ "/Metadata", "XMP metadata" },
};

char *
pdf_rebuild_losses(qpdf_data src)
{
	GString *s = g_string_new("rebuilt from pages");
	const char *sep = ", without ";
	qpdf_oh root = qpdf_get_root(src);
	for (gsize i = 0; i < G_N_ELEMENTS(catalog_parts); i++) {
		if (!qpdf_oh_has_key(src, root, catalog_parts[i].key))
			continue;
		g_string_append_printf(s, "%s%s", sep, catalog_parts[i].what);
		sep = ", ";
	}
	qpdf_oh_release(src, root);
	qpdf_oh trailer = qpdf_get_trailer(src);
	if (qpdf_oh_has_key(src, trailer, "/Info"))
		g_string_append_printf(s, "%sdocument information", sep);
	qpdf_oh_release(src, trailer);
	return g_string_free(s, FALSE);
}

static const char *
failed(qpdf_data q, const char *stage, char **why)
{
	qpdf_error e = qpdf_get_error(q);
	*why = g_strdup_printf("%s: %s", stage, e ? qpdf_get_error_message_detail(q, e) : "failed");
	return NULL;
}

qpdf_data
pdf_rebuild_from_pages(qpdf_data src, char **why)
{
	*why = NULL;
	if (qpdf_push_inherited_attributes_to_page(src) & QPDF_ERRORS) {
		failed(src, "page attributes", why);
		return NULL;
	}
	int n = qpdf_get_num_pages(src);
	if (n <= 0 || qpdf_has_error(src)) {
		failed(src, "page tree", why);
		return NULL;
	}
	qpdf_data dst = qpdf_init();
	qpdf_silence_errors(dst);
	qpdf_set_suppress_warnings(dst, QPDF_TRUE);
	struct page_copy *pages = g_new0(struct page_copy, n);
	gboolean ok = !(qpdf_empty_pdf(dst) & QPDF_ERRORS);
	for (int i = 0; ok && i < n; i++)
		pages[i].src_page = qpdf_get_page_n(src, (size_t)i);
	if (ok)
		detach_annotations(src, pages, n);
	ok = ok && !qpdf_has_error(src);
	for (int i = 0; ok && i < n; i++)
		ok = !(qpdf_add_page(dst, src, pages[i].src_page, QPDF_FALSE) & QPDF_ERRORS);
	for (int i = 0; ok && i < n; i++) {
		if (!pages[i].annots)
			continue;
		qpdf_oh copy = qpdf_oh_copy_foreign_object(dst, src, pages[i].annots);
		qpdf_oh page = qpdf_get_page_n(dst, (size_t)i);
		qpdf_oh_replace_key(dst, page, "/Annots", copy);
		qpdf_oh_release(dst, page);
		qpdf_oh_release(dst, copy);
		ok = !qpdf_has_error(dst) && !qpdf_has_error(src);
	}
	if (ok)
		copy_catalog_entry(dst, src, "/OCProperties");
	ok = ok && !qpdf_has_error(dst) && !qpdf_has_error(src);
	if (!ok) {
		failed(qpdf_has_error(src) ? src : dst, "copying the pages", why);
		pdf_close(&dst);
	}
	for (int i = 0; i < n; i++) {
		qpdf_oh_release(src, pages[i].src_page);
		if (pages[i].annots)
			qpdf_oh_release(src, pages[i].annots);
	}
	g_free(pages);
	return dst;
}
