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
 *	The generic layers in front (Flate, ASCIIHex, ASCII85, RunLength,
 *	and LZW as the last of them) are decoded once, with their
 *	/DecodeParms, by qpdf's own decoders into a sink that counts the
 *	bytes as they come and stops at the limit (pdf-decode.cc), so a bomb
 *	costs limit-many bytes of decoding and no memory. Specialized
 *	filters (DCT, JPX, CCITT, JBIG2) are written as they are; the
 *	generic layers in front of them are measured all the same, for the
 *	viewer's sake.
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

/* The filters written as they are, after the generic ones: images and
 * encryption, by full or abbreviated name. Any other name is unknown to
 * every reader, and the stream is refused. */
static gboolean
is_specialized(const char *name)
{
	static const char *const known[] = { "/DCTDecode",	"/DCT",	       "/JPXDecode",
					     "/CCITTFaxDecode", "/CCF",	       "/JBIG2Decode",
					     "/Crypt" };
	for (gsize i = 0; i < G_N_ELEMENTS(known); i++)
		if (strcmp(name, known[i]) == 0)
			return TRUE;
	return FALSE;
}

/* One filter's /DecodeParms entry: its integers into *out; FALSE when
 * it is neither null nor a dictionary, or a key qpdf reads is no integer. */
static gboolean
read_parms(qpdf_data q, qpdf_oh parms, struct pdf_decode_parms *out)
{
	static const char *const keys[] = { "/Predictor", "/Colors", "/BitsPerComponent",
					    "/Columns", "/EarlyChange" };
	gint64 *values[] = { &out->predictor, &out->colors, &out->bits_per_component,
			     &out->columns, &out->early_change };
	for (gsize i = 0; i < G_N_ELEMENTS(values); i++)
		*values[i] = PDF_PARM_ABSENT;
	if (qpdf_oh_is_null(q, parms))
		return TRUE;
	if (!qpdf_oh_is_dictionary(q, parms))
		return FALSE;
	gboolean ok = TRUE;
	for (gsize i = 0; ok && i < G_N_ELEMENTS(keys); i++) {
		if (!qpdf_oh_has_key(q, parms, keys[i]))
			continue;
		qpdf_oh v = qpdf_oh_get_key(q, parms, keys[i]);
		ok = qpdf_oh_is_integer(q, v);
		if (ok)
			*values[i] = qpdf_oh_get_int_value(q, v);
		qpdf_oh_release(q, v);
	}
	return ok;
}

/* The decode parameters of the first n of count filters, as qpdf reads
 * /DecodeParms: an array has one entry per filter, a dictionary (or null)
 * is every filter's. */
static gboolean
stream_parms(qpdf_data q, qpdf_oh dict, unsigned count, unsigned n,
	     struct pdf_decode_parms *out)
{
	qpdf_oh p = qpdf_oh_get_key(q, dict, "/DecodeParms");
	gboolean ok = TRUE;
	gboolean array = qpdf_oh_is_array(q, p) && qpdf_oh_get_array_n_items(q, p) > 0;
	if (array && (unsigned)qpdf_oh_get_array_n_items(q, p) != count)
		ok = FALSE;
	for (unsigned i = 0; ok && i < n; i++) {
		qpdf_oh item = array ? qpdf_oh_get_array_item(q, p, (int)i) : p;
		ok = read_parms(q, item, &out[i]);
		if (array)
			qpdf_oh_release(q, item);
	}
	qpdf_oh_release(q, p);
	return ok;
}

enum pdf_measure
pdf_stream_rebuild(qpdf_data q, qpdf_oh stream, guint64 limit, guint64 *decoded)
{
	struct pdf_name name_buf[PDF_MAX_FILTERS];
	const char *names[PDF_MAX_FILTERS];
	struct pdf_decode_parms parms[PDF_MAX_FILTERS];
	unsigned count;
	*decoded = 0;
	qpdf_oh dict = qpdf_oh_get_dict(q, stream);
	gboolean filters_ok = stream_filters(q, dict, name_buf, names, &count);
	if (!filters_ok || count == 0) {
		qpdf_oh_release(q, dict);
		/* no filter: stored as is, no larger than the input */
		return filters_ok ? PDF_MEASURE_OK : PDF_MEASURE_BAD_FILTER;
	}

	/* the generic filters in front: streamable ones, then at most one LZW */
	unsigned generic = 0;
	while (generic < count && pdf_filter_streamable(names[generic]))
		generic++;
	if (generic < count && pdf_filter_is_lzw(names[generic])) {
		generic++;
		if (generic < count &&
		    (pdf_filter_streamable(names[generic]) || pdf_filter_is_lzw(names[generic]))) {
			qpdf_oh_release(q, dict);
			return PDF_MEASURE_BAD_FILTER; /* LZW feeding another generic filter */
		}
	}
	for (unsigned i = generic; i < count; i++)
		if (!is_specialized(names[i])) {
			qpdf_oh_release(q, dict);
			return PDF_MEASURE_BAD_FILTER; /* unknown, or generic after specialized */
		}
	gboolean parms_ok = stream_parms(q, dict, count, generic, parms);
	qpdf_oh_release(q, dict);
	if (generic == 0)
		return PDF_MEASURE_OK; /* DCT, JPX, ...: written as they are */
	if (!parms_ok)
		return PDF_MEASURE_ERROR;

	/* Decoded once, counted as it comes, stopped at the limit; a stream
	 * with only generic filters is stored decoded, and the writer
	 * compresses it afresh: bytes hidden after the end of a deflate
	 * stream, or deflate data that decoders read differently, do not
	 * survive (qpdf alone would copy an already-Flate stream as it is).
	 * Specialized filters after the generic ones (DCT, JPX, ...) are
	 * written as they are; the layers in front are measured all the
	 * same, for the viewer's sake. */
	unsigned char *raw = NULL;
	size_t len = 0;
	if (qpdf_oh_get_stream_data(q, stream, qpdf_dl_none, NULL, &raw, &len) & QPDF_ERRORS)
		return PDF_MEASURE_ERROR;
	GByteArray *keep = generic == count ? g_byte_array_new() : NULL;
	enum pdf_measure result =
		pdf_decode_filters(names, parms, generic, raw, len, limit, keep, decoded);
	free(raw);
	if (result == PDF_MEASURE_OK && keep) {
		qpdf_oh null = qpdf_oh_new_null(q);
		qpdf_oh_replace_stream_data(q, stream, keep->data, keep->len, null, null);
		qpdf_oh_release(q, null);
	}
	if (keep)
		g_byte_array_unref(keep);
	return result;
}
