/*
 * NAME
 *	pdf-streams.c - each PDF stream measured, then decoded for a fresh
 *	encoding
 * SUMMARY
 *	A stream bomb is a few kilobytes of FlateDecode that inflate to
 *	gigabytes, often stacked (/Filter [/FlateDecode /FlateDecode]).
 *	Every stream's decoded size is measured first, without keeping the
 *	bytes, and checked against the limit; then a stream with only generic
 *	filters (Flate, LZW, RunLength, ASCII85, ASCIIHex) is decoded and
 *	stored unfiltered, so the writer encodes it afresh.
 * DESCRIPTION
 *	The generic layers in front (Flate, ASCIIHex, ASCII85, RunLength)
 *	are measured as a streaming cascade (pdf-decode.c) that stops at the
 *	limit, so a bomb costs limit-many bytes of decoding and no memory.
 *	LZW, bounded in ratio, may only be the last generic layer and is
 *	checked after qpdf decodes it. Specialized filters (DCT, JPX, CCITT,
 *	JBIG2) are written as they are; the generic layers in front of them
 *	are measured all the same, for the viewer's sake.
 */
#include <string.h>

#include <qpdf/qpdf-c.h>
#include "pdf.h"

/* The stream's filter names, in order; FALSE when /Filter is malformed or
 * too long a chain. */
static gboolean
stream_filters(qpdf_data q, qpdf_oh dict, struct pdf_name *buf, const char **names,
	       unsigned *count)
{
	*count = 0;
	qpdf_oh f = qpdf_oh_get_key(q, dict, "/Filter");
	gboolean ok = TRUE;
	if (qpdf_oh_is_name(q, f)) {
		ok = (names[0] = pdf_name_copy(q, f, &buf[0])) != NULL;
		*count = ok;
	} else if (qpdf_oh_is_array(q, f)) {
		int n = qpdf_oh_get_array_n_items(q, f);
		if (n > PDF_MAX_FILTERS)
			ok = FALSE;
		for (int i = 0; ok && i < n; i++) {
			qpdf_oh item = qpdf_oh_get_array_item(q, f, i);
			ok = (names[*count] = pdf_name_copy(q, item, &buf[*count])) != NULL;
			*count += ok;
			qpdf_oh_release(q, item);
		}
	} else if (!qpdf_oh_is_null(q, f)) {
		ok = FALSE;
	}
	qpdf_oh_release(q, f);
	return ok;
}

static gboolean
is_lzw(const char *name)
{
	return strcmp(name, "/LZWDecode") == 0 || strcmp(name, "/LZW") == 0;
}

enum pdf_measure
pdf_stream_rebuild(qpdf_data q, qpdf_oh stream, guint64 limit, guint64 *decoded)
{
	struct pdf_name name_buf[PDF_MAX_FILTERS];
	const char *names[PDF_MAX_FILTERS];
	unsigned count;
	*decoded = 0;
	qpdf_oh dict = qpdf_oh_get_dict(q, stream);
	gboolean filters_ok = stream_filters(q, dict, name_buf, names, &count);
	qpdf_oh_release(q, dict);
	if (!filters_ok)
		return PDF_MEASURE_BAD_FILTER;
	if (count == 0)
		return PDF_MEASURE_OK; /* stored as is: no larger than the input */

	/* the generic filters in front: streamable ones, then at most one LZW */
	unsigned streamable = 0;
	while (streamable < count && pdf_filter_streamable(names[streamable]))
		streamable++;
	gboolean lzw = streamable < count && is_lzw(names[streamable]);
	unsigned generic = streamable + (lzw ? 1 : 0);
	if (lzw && generic < count && (pdf_filter_streamable(names[generic]) || is_lzw(names[generic])))
		return PDF_MEASURE_BAD_FILTER; /* LZW feeding another generic filter: unheard of */

	unsigned char *buf = NULL;
	size_t len = 0;
	if (streamable > 0) {
		/* the cheap bound first: a bomb never gets decoded into memory */
		if (qpdf_oh_get_stream_data(q, stream, qpdf_dl_none, NULL, &buf, &len) &
		    QPDF_ERRORS)
			return PDF_MEASURE_ERROR;
		enum pdf_measure m = pdf_filters_decoded_size(names, streamable, buf, len, limit,
							      decoded);
		free(buf);
		buf = NULL;
		if (m != PDF_MEASURE_OK)
			return m;
	}
	if (generic < count)
		return PDF_MEASURE_OK; /* DCT, JPX, ...: written as they are */

	/* Decoded here and stored unfiltered, the writer compresses it afresh:
	 * bytes hidden after the end of a deflate stream, or deflate data that
	 * decoders read differently, do not survive (qpdf alone would copy an
	 * already-Flate stream as it is). An LZW layer is decoded only here
	 * (its ratio is bounded; the worker's memory limit bounds the rest). */
	QPDF_BOOL filtered = QPDF_FALSE;
	enum pdf_measure result = PDF_MEASURE_OK;
	if (qpdf_oh_get_stream_data(q, stream, qpdf_dl_generalized, &filtered, &buf, &len) &
	    QPDF_ERRORS)
		return PDF_MEASURE_ERROR;
	*decoded = len;
	if (!filtered) {
		result = PDF_MEASURE_ERROR; /* qpdf could not decode what it should */
	} else if (len > limit) {
		result = PDF_MEASURE_OVER;
	} else {
		qpdf_oh null = qpdf_oh_new_null(q);
		qpdf_oh_replace_stream_data(q, stream, buf, len, null, null);
		qpdf_oh_release(q, null);
	}
	free(buf);
	return result;
}
