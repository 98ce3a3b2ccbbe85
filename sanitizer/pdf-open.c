/*
 * NAME
 *	pdf-open.c - a PDF read the way viewers read it, damaged or not
 * SUMMARY
 *	libqpdf reads the file. When its cross-reference table is lost or
 *	wrong, qpdf rebuilds it by scanning for objects and takes the first
 *	"trailer" dictionary it meets, where poppler and MuPDF take the last
 *	one: a file with two trailers naming two catalogs (two documents in
 *	one file, one per reader) would come out as a document the user's
 *	viewer never showed. So after such a rebuild the catalog is taken
 *	from the last trailer in the file whose /Root is an indirect
 *	dictionary with a page tree, as those viewers do.
 * DESCRIPTION
 *	When the cross-reference table reads but leads to no catalog (every
 *	offset zero, or a trailer whose /Root is no dictionary), the file is
 *	read once more with the table ignored: the same bytes with a
 *	"startxref 0" after them, which sends qpdf to its scan, and the
 *	catalog is chosen as above. The trailers are found by pdf-scan.c;
 *	qpdf resolves what they refer to.
 */
#include <string.h>

#include "pdf.h"

static const char force_scan[] = "\nstartxref\n0\n%%EOF\n";

static enum cdr_error
error_kind(enum qpdf_error_code_e code)
{
	switch (code) {
	case qpdf_e_password:
		return CDR_E_ENCRYPTED;
	case qpdf_e_system:
		return CDR_E_MEMORY;
	default:
		return CDR_E_PARSE;
	}
}

enum cdr_verdict
pdf_qpdf_failure(struct cdr_job *job, qpdf_data q, const char *stage)
{
	qpdf_error e = qpdf_get_error(q);
	if (!e)
		return cdr_job_error(job, CDR_E_INTERNAL, "qpdf: %s failed", stage);
	enum qpdf_error_code_e code = qpdf_get_error_code(q, e);
	if (code == qpdf_e_password)
		return cdr_job_error(job, CDR_E_ENCRYPTED, "password-protected PDF");
	return cdr_job_error(job, error_kind(code), "%s: %s", stage,
			     qpdf_get_error_message_detail(q, e));
}

void
pdf_close(qpdf_data *q)
{
	if (*q && qpdf_has_error(*q))
		qpdf_get_error(*q); /* else qpdf_cleanup prints it */
	qpdf_cleanup(q);
}

/* Count qpdf's warnings (each one a repair) and tell whether it rebuilt
 * the cross-reference table. */
static unsigned
drain(qpdf_data q, gboolean *scanned)
{
	unsigned n = 0;
	while (qpdf_more_warnings(q)) {
		qpdf_error w = qpdf_next_warning(q);
		const char *detail = w ? qpdf_get_error_message_detail(q, w) : NULL;
		if (scanned && detail && strstr(detail, "reconstruct cross-reference table"))
			*scanned = TRUE;
		n++;
	}
	return n;
}

/* Does the trailer `t` name a catalog: a dictionary with a page tree? */
static gboolean
names_catalog(qpdf_data q, qpdf_oh t)
{
	qpdf_oh root = qpdf_oh_get_key(q, t, "/Root");
	gboolean ok = qpdf_oh_is_dictionary(q, root);
	if (ok) {
		qpdf_oh pages = qpdf_oh_get_key(q, root, "/Pages");
		ok = qpdf_oh_is_dictionary(q, pages);
		qpdf_oh_release(q, pages);
	}
	qpdf_oh_release(q, root);
	if (qpdf_has_error(q)) {
		qpdf_get_error(q);
		ok = FALSE;
	}
	return ok;
}

/* pdf_scan_trailers: the first (so the last in the file) trailer whose
 * /Root is a catalog becomes q's /Root and /Info. */
static gboolean
take_trailer(const struct pdf_trailer_refs *refs, gpointer user)
{
	qpdf_data q = user;
	if (!refs->has_root)
		return FALSE;
	qpdf_oh candidate = qpdf_oh_new_dictionary(q);
	qpdf_oh root = qpdf_get_object_by_id(q, refs->root.num, refs->root.gen);
	qpdf_oh_replace_key(q, candidate, "/Root", root);
	qpdf_oh_release(q, root);
	gboolean ok = names_catalog(q, candidate);
	qpdf_oh_release(q, candidate);
	if (!ok)
		return FALSE;
	qpdf_oh trailer = qpdf_get_trailer(q);
	root = qpdf_get_object_by_id(q, refs->root.num, refs->root.gen);
	qpdf_oh_replace_key(q, trailer, "/Root", root);
	qpdf_oh_release(q, root);
	if (refs->has_info) {
		qpdf_oh info = qpdf_get_object_by_id(q, refs->info.num, refs->info.gen);
		qpdf_oh_replace_key(q, trailer, "/Info", info);
		qpdf_oh_release(q, info);
	} else {
		qpdf_oh_remove_key(q, trailer, "/Info");
	}
	qpdf_oh_release(q, trailer);
	return TRUE;
}

/* Does q have a catalog with a page tree? Clears any error. */
static gboolean
has_catalog(qpdf_data q)
{
	qpdf_oh trailer = qpdf_get_trailer(q);
	gboolean ok = names_catalog(q, trailer);
	qpdf_oh_release(q, trailer);
	return ok;
}

static qpdf_data
read_bytes(const guint8 *data, gsize len)
{
	qpdf_data q = qpdf_init();
	qpdf_silence_errors(q);
	qpdf_set_suppress_warnings(q, QPDF_TRUE);
	qpdf_read_memory(q, "input", (const char *)data, (unsigned long long)len, "");
	return q;
}

qpdf_data
pdf_open(struct cdr_job *job, const guint8 *data, gsize len, GByteArray **view,
	 unsigned *repairs)
{
	*view = NULL;
	*repairs = 0;
	qpdf_data q = read_bytes(data, len);
	if (qpdf_has_error(q)) {
		pdf_qpdf_failure(job, q, "read");
		pdf_close(&q);
		return NULL;
	}
	gboolean scanned = FALSE;
	*repairs = drain(q, &scanned);
	if (scanned)
		pdf_scan_trailers(data, len, take_trailer, q);
	*repairs += drain(q, NULL);
	if (scanned || has_catalog(q) || len > G_MAXUINT - sizeof force_scan)
		return q;

	/* the table reads but leads nowhere: scan the file instead */
	GByteArray *bytes = g_byte_array_sized_new((guint)(len + sizeof force_scan));
	g_byte_array_append(bytes, data, (guint)len);
	g_byte_array_append(bytes, (const guint8 *)force_scan, sizeof force_scan - 1);
	qpdf_data rescan = read_bytes(bytes->data, bytes->len);
	if (!qpdf_has_error(rescan)) {
		*repairs += drain(rescan, NULL);
		pdf_scan_trailers(data, len, take_trailer, rescan);
		*repairs += drain(rescan, NULL);
		if (has_catalog(rescan)) {
			pdf_close(&q);
			*view = bytes;
			return rescan;
		}
	}
	pdf_close(&rescan);
	g_byte_array_unref(bytes);
	return q; /* the page tree check reports qpdf's own complaint */
}
