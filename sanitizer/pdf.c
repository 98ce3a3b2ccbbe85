/*
 * NAME
 *	pdf.c - PDF, disarmed and written fresh with libqpdf
 * SUMMARY
 *	qpdf parses the file (a damaged one as viewers read it, pdf-open.c),
 *	pdf-disarm.c removes every active element from the
 *	objects reachable from the trailer, and qpdf writes a new file: one
 *	cross-reference section (incremental updates merged, so nothing an
 *	earlier section "removed" comes back), unreferenced objects dropped,
 *	streams with generic filters decoded and compressed again, object
 *	streams regenerated, a new /ID, no linearization, no encryption.
 *	The new file is delivered only when it reads back without a single
 *	warning (pdf-verify.c); otherwise its pages alone are copied into a
 *	fresh document (pdf-rebuild.c), and when that does not read back
 *	cleanly either, the file is blocked. Every file is written with a
 *	trailer of its own (pdf-structure.c).
 * DESCRIPTION
 *	A file encrypted with an empty user password is decrypted and written
 *	unencrypted ("encryption"), and the result handed to the front end's
 *	virus scan, which saw only the encrypted original; any other password
 *	blocks it. Limits:
 *	[pdf] max_pages, max_objects and max_stream_bytes, and the engine's
 *	max_expanded_bytes for all streams together. Bytes before %PDF- and
 *	after the last %%EOF never reach the output; they are reported.
 *	The /ID is derived from the output's content rather than random, so
 *	sanitizing an output again gives the same bytes.
 */
#include <string.h>

#include <qpdf/qpdf-c.h>

#include "actions.h"
#include "excerpt.h"
#include "handlers.h"
#include "pdf.h"

#define PDF_HEADER_WINDOW 1024 /* viewers accept junk this long before %PDF- */

static const guint8 *
find_header(const guint8 *data, gsize len)
{
	return memmem(data, MIN(len, (gsize)PDF_HEADER_WINDOW + 5), "%PDF-", 5);
}

const char *
pdf_name_copy(qpdf_data q, qpdf_oh oh, struct pdf_name *out)
{
	if (!qpdf_oh_is_name(q, oh))
		return NULL;
	const char *name = qpdf_oh_get_name(q, oh);
	if (!name || g_strlcpy(out->s, name, sizeof out->s) >= sizeof out->s)
		return NULL;
	return out->s;
}

static int
pdf_bid(const struct cdr_input *in)
{
	const guint8 *h = find_header(in->data, in->len);
	if (!h)
		return 0;
	return h == in->data ? 100 : 60;
}

/* Anything but whitespace after the last %%EOF (an appended archive, a
 * script for another reader) is left behind by the rewrite: report it. */
static gboolean
has_trailing_data(const guint8 *data, gsize len)
{
	const guint8 *eof = NULL;
	for (const guint8 *p = data; (p = memmem(p, len - (gsize)(p - data), "%%EOF", 5));
	     p += 5)
		eof = p;
	if (!eof)
		return FALSE;
	for (const guint8 *p = eof + 5; p < data + len; p++)
		if (!g_ascii_isspace(*p) && *p != '\0')
			return TRUE;
	return FALSE;
}

/* The number of pages, or 0 when the document must be blocked. */
static int
count_pages(struct cdr_job *job, qpdf_data q)
{
	int pages = qpdf_get_num_pages(q);
	if (qpdf_has_error(q) || pages < 0) {
		pdf_qpdf_failure(job, q, "page tree");
		return 0;
	}
	if (pages == 0) {
		cdr_job_error(job, CDR_E_PARSE, "PDF without pages");
		return 0;
	}
	if ((guint64)pages > cdr_job_policy(job)->pdf_max_pages) {
		cdr_job_error(job, CDR_E_LIMIT, "%d pages: more than [pdf] max_pages", pages);
		return 0;
	}
	for (int i = 0; i < pages; i++) {
		qpdf_oh page = qpdf_get_page_n(q, (size_t)i);
		gboolean dict = qpdf_oh_is_dictionary(q, page);
		qpdf_oh_release(q, page);
		if (!dict) {
			cdr_job_error(job, CDR_E_PARSE, "page %d is missing (not a dictionary)", i + 1);
			return 0;
		}
	}
	return pages;
}

/* Warnings mean qpdf repaired something (a lost xref, a wrong /Length). */
static unsigned
drain_warnings(qpdf_data q)
{
	unsigned n = 0;
	while (qpdf_more_warnings(q)) {
		qpdf_next_warning(q);
		n++;
	}
	return n;
}

/* Write q afresh into out (emptied first); `version`: at least this PDF
 * version in the header, or NULL. */
static gboolean
write_fresh(struct cdr_job *job, qpdf_data q, const char *version, GByteArray *out)
{
	g_byte_array_set_size(out, 0);
	if (!pdf_trailer_rebuild(q)) {
		cdr_job_error(job, CDR_E_PARSE, "the trailer names no document catalog");
		return FALSE;
	}
	if (qpdf_init_write_memory(q) & QPDF_ERRORS) {
		pdf_qpdf_failure(job, q, "write");
		return FALSE;
	}
	qpdf_set_preserve_encryption(q, QPDF_FALSE);
	qpdf_set_preserve_unreferenced_objects(q, QPDF_FALSE);
	qpdf_set_linearization(q, QPDF_FALSE);
	qpdf_set_object_stream_mode(q, qpdf_o_generate);
	qpdf_set_decode_level(q, qpdf_dl_generalized);
	qpdf_set_compress_streams(q, QPDF_TRUE);
	qpdf_set_deterministic_ID(q, QPDF_TRUE); /* a new /ID, derived from the output's bytes */
	qpdf_set_suppress_original_object_IDs(q, QPDF_TRUE);
	if (version)
		qpdf_set_minimum_pdf_version(q, version);
	if (qpdf_write(q) & QPDF_ERRORS) {
		pdf_qpdf_failure(job, q, "write");
		return FALSE;
	}
	size_t len = qpdf_get_buffer_length(q);
	if (len > G_MAXUINT) {
		cdr_job_error(job, CDR_E_LIMIT, "rewritten PDF larger than 4 GB");
		return FALSE;
	}
	g_byte_array_append(out, qpdf_get_buffer(q), (guint)len);
	return TRUE;
}

/*
 * Write the disarmed q into out, and deliver it only when it reads back
 * without a single complaint (pdf-verify.c). Otherwise the pages alone are
 * copied into a fresh document (pdf-rebuild.c), written and read back the
 * same way; when that fails too, the file is blocked.
 */
static gboolean
write_verified(struct cdr_job *job, qpdf_data q, int pages, GByteArray *out)
{
	if (!write_fresh(job, q, NULL, out))
		return FALSE;
	g_autofree char *why = NULL;
	if (pdf_output_opens(out->data, out->len, pages, &why))
		return TRUE;

	g_autofree char *why_rebuilt = NULL;
	g_autofree char *version = g_strdup(qpdf_get_pdf_version(q));
	g_autofree char *losses = pdf_rebuild_losses(q);
	qpdf_data fresh = pdf_rebuild_from_pages(q, &why_rebuilt);
	gboolean ok = fresh && write_fresh(job, fresh, version, out);
	if (ok && !pdf_output_opens(out->data, out->len, pages, &why_rebuilt))
		ok = FALSE;
	if (fresh)
		pdf_close(&fresh);
	if (!ok && why_rebuilt)
		cdr_job_error(job, CDR_E_PARSE,
			      "the rewritten PDF does not read back cleanly (%s), nor does one "
			      "rebuilt from its pages (%s)",
			      why, why_rebuilt);
	if (ok)
		cdr_job_action(job, CDR_ACT_REPAIRED, losses, 1);
	return ok;
}

static enum cdr_verdict
pdf_sanitize(struct cdr_job *job, const struct cdr_input *in, struct cdr_output *out)
{
	enum cdr_verdict verdict = CDR_BLOCKED;
	GByteArray *view = NULL; /* what q reads, when not in->data */
	unsigned repairs = 0;
	qpdf_data q = pdf_open(job, in->data, in->len, &view, &repairs);
	if (!q)
		return CDR_BLOCKED;
	int pages = count_pages(job, q);
	if (pages == 0)
		goto out;
	repairs += drain_warnings(q);
	if (!pdf_disarm(job, q))
		goto out;
	repairs += pdf_page_contents_fix(q);
	/* objects read lazily during the walk may have needed repair too */
	repairs += drain_warnings(q);
	gboolean decrypted = qpdf_is_encrypted(q);
	if (decrypted)
		cdr_job_action(job, CDR_ACT_ENCRYPTION, NULL, 1);
	if (!write_verified(job, q, pages, out->data))
		goto out;
	/* the virus scan of the original saw the encrypted streams only */
	if (decrypted && cdr_job_scan_revealed(job, out->data->data, out->data->len,
					       CDR_REVEALED_DECRYPTED) == CDR_BLOCKED)
		goto out;
	repairs += drain_warnings(q);
	if (repairs > 0)
		cdr_job_action(job, CDR_ACT_REPAIRED, NULL, repairs);
	if (find_header(in->data, in->len) != in->data)
		cdr_job_action(job, CDR_ACT_LEADING_DATA, NULL, 1);
	if (has_trailing_data(in->data, in->len))
		cdr_job_action(job, CDR_ACT_TRAILING_DATA, NULL, 1);
	out->type = "application/pdf";
	out->ext = "pdf";
	verdict = CDR_CLEAN; /* the engine makes it SANITIZED when actions were recorded */
out:
	pdf_close(&q);
	if (view)
		g_byte_array_unref(view);
	return verdict;
}

static const char *const pdf_extensions[] = { "pdf", NULL };

const struct cdr_handler cdr_handler_pdf = {
	.name = "pdf",
	.flags = CDR_SELF_TYPED,
	.extensions = pdf_extensions,
	.mime_type = "application/pdf",
	.init = PDF_EXCERPT_INIT,
	.bid = pdf_bid,
	.sanitize = pdf_sanitize,
	.excerpt = PDF_EXCERPT,
};
