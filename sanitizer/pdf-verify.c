/*
 * NAME
 *	pdf-verify.c - the written PDF read back before it is delivered
 * SUMMARY
 *	A file that a viewer has to repair is a failure, and qpdf has written
 *	such files from damaged input. So the new bytes are opened again
 *	with a fresh libqpdf instance, with recovery turned off, and pass
 *	only when qpdf has nothing at all to say: no error and not one
 *	warning while it reads the cross-reference section and the trailer,
 *	finds the catalog and the page tree (with the page count the input
 *	had), and parses every object the cross-reference section lists.
 * DESCRIPTION
 *	Stream data is not decoded: the writer encoded it itself moments
 *	before. Parsing every object costs a fraction of the write, so the
 *	check runs on every output.
 */
#include <string.h>

#include "pdf.h"

/* qpdf's first complaint, as the reason; FALSE. */
static gboolean
complaint(qpdf_data q, char **why)
{
	qpdf_error e = qpdf_has_error(q) ? qpdf_get_error(q) : qpdf_next_warning(q);
	*why = g_strdup(e ? qpdf_get_error_message_detail(q, e) : "no reason given");
	return FALSE;
}

static gboolean
all_objects_parse(qpdf_data q, char **why)
{
	qpdf_oh trailer = qpdf_get_trailer(q);
	qpdf_oh size_oh = qpdf_oh_get_key(q, trailer, "/Size");
	long long size = qpdf_oh_is_integer(q, size_oh) ? qpdf_oh_get_int_value(q, size_oh) : -1;
	qpdf_oh_release(q, size_oh);
	qpdf_oh_release(q, trailer);
	if (size < 1 || size > G_MAXINT) {
		*why = g_strdup("the trailer has no usable /Size");
		return FALSE;
	}
	for (int id = 1; id < size; id++) {
		qpdf_oh oh = qpdf_get_object_by_id(q, id, 0);
		(void)qpdf_oh_get_type_code(q, oh); /* resolves it: parses the object */
		qpdf_oh_release(q, oh);
		if (qpdf_has_error(q) || qpdf_more_warnings(q))
			return complaint(q, why);
	}
	return TRUE;
}

gboolean
pdf_output_opens(const guint8 *data, gsize len, int pages, char **why)
{
	*why = NULL;
	qpdf_data q = qpdf_init();
	qpdf_silence_errors(q);
	qpdf_set_suppress_warnings(q, QPDF_TRUE);
	qpdf_set_attempt_recovery(q, QPDF_FALSE);
	gboolean ok = FALSE;
	if (qpdf_read_memory(q, "output", (const char *)data, (unsigned long long)len, "") &
		    QPDF_ERRORS ||
	    qpdf_more_warnings(q)) {
		complaint(q, why);
		goto out;
	}
	qpdf_oh root = qpdf_get_root(q);
	gboolean catalog = qpdf_oh_is_dictionary(q, root) && qpdf_oh_is_indirect(q, root);
	qpdf_oh_release(q, root);
	if (!catalog) {
		if (!qpdf_has_error(q))
			*why = g_strdup("the catalog is not an indirect dictionary");
		else
			complaint(q, why);
		goto out;
	}
	int n = qpdf_get_num_pages(q);
	if (qpdf_has_error(q) || qpdf_more_warnings(q)) {
		complaint(q, why);
		goto out;
	}
	if (n != pages) {
		*why = g_strdup_printf("%d pages instead of %d", n, pages);
		goto out;
	}
	ok = all_objects_parse(q, why);
out:
	pdf_close(&q);
	return ok;
}
