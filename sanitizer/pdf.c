/*
 * NAME
 *	pdf.c - PDF, disarmed and written fresh with libqpdf
 * SUMMARY
 *	qpdf parses the file (recovering a broken cross-reference table the way
 *	it always does), pdf-disarm.c removes every active element from the
 *	objects reachable from the trailer, and qpdf writes a new file: one
 *	cross-reference section (incremental updates merged, so nothing an
 *	earlier section "removed" comes back), unreferenced objects dropped,
 *	streams with generic filters decoded and compressed again, object
 *	streams regenerated, a new /ID, no linearization, no encryption.
 * DESCRIPTION
 *	A file encrypted with an empty user password is decrypted and written
 *	unencrypted ("encryption"); any other password blocks it. Limits:
 *	[pdf] max_pages, max_objects and max_stream_bytes, and the engine's
 *	max_expanded_bytes for all streams together. Bytes before %PDF- and
 *	after the last %%EOF never reach the output; they are reported.
 *	The /ID is derived from the output's content rather than random, so
 *	sanitizing an output again gives the same bytes.
 */
#include <string.h>

#include <qpdf/qpdf-c.h>

#include "actions.h"
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

static enum cdr_verdict
qpdf_failure(struct cdr_job *job, qpdf_data q, const char *stage)
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

static gboolean
check_pages(struct cdr_job *job, qpdf_data q)
{
	int pages = qpdf_get_num_pages(q);
	if (qpdf_has_error(q) || pages < 0) {
		qpdf_failure(job, q, "page tree");
		return FALSE;
	}
	if (pages == 0) {
		cdr_job_error(job, CDR_E_PARSE, "PDF without pages");
		return FALSE;
	}
	if ((guint64)pages > cdr_job_policy(job)->pdf_max_pages) {
		cdr_job_error(job, CDR_E_LIMIT, "%d pages: more than [pdf] max_pages", pages);
		return FALSE;
	}
	return TRUE;
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

static gboolean
write_fresh(struct cdr_job *job, qpdf_data q, GByteArray *out)
{
	/* a new /ID: the writer derives it from the output's bytes */
	qpdf_oh trailer = qpdf_get_trailer(q);
	qpdf_oh_remove_key(q, trailer, "/ID");
	qpdf_oh_release(q, trailer);
	if (qpdf_init_write_memory(q) & QPDF_ERRORS) {
		qpdf_failure(job, q, "write");
		return FALSE;
	}
	qpdf_set_preserve_encryption(q, QPDF_FALSE);
	qpdf_set_preserve_unreferenced_objects(q, QPDF_FALSE);
	qpdf_set_linearization(q, QPDF_FALSE);
	qpdf_set_object_stream_mode(q, qpdf_o_generate);
	qpdf_set_decode_level(q, qpdf_dl_generalized);
	qpdf_set_compress_streams(q, QPDF_TRUE);
	qpdf_set_deterministic_ID(q, QPDF_TRUE);
	qpdf_set_suppress_original_object_IDs(q, QPDF_TRUE);
	if (qpdf_write(q) & QPDF_ERRORS) {
		qpdf_failure(job, q, "write");
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

static enum cdr_verdict
pdf_sanitize(struct cdr_job *job, const struct cdr_input *in, struct cdr_output *out)
{
	qpdf_data q = qpdf_init();
	enum cdr_verdict verdict = CDR_BLOCKED;
	qpdf_silence_errors(q);
	qpdf_set_suppress_warnings(q, QPDF_TRUE);

	if (qpdf_read_memory(q, "input", (const char *)in->data, (unsigned long long)in->len,
			     "") &
	    QPDF_ERRORS) {
		qpdf_failure(job, q, "read");
		goto out;
	}
	if (!check_pages(job, q))
		goto out;
	unsigned repairs = drain_warnings(q);
	if (!pdf_disarm(job, q))
		goto out;
	/* objects read lazily during the walk may have needed repair too */
	repairs += drain_warnings(q);
	if (qpdf_is_encrypted(q))
		cdr_job_action(job, CDR_ACT_ENCRYPTION, NULL, 1);
	if (!write_fresh(job, q, out->data))
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
	qpdf_cleanup(&q);
	return verdict;
}

static const char *const pdf_extensions[] = { "pdf", NULL };

const struct cdr_handler cdr_handler_pdf = {
	.name = "pdf",
	.flags = CDR_SELF_TYPED,
	.extensions = pdf_extensions,
	.mime_type = "application/pdf",
	.bid = pdf_bid,
	.sanitize = pdf_sanitize,
};
