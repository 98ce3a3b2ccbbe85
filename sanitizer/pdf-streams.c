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
 *	Leading FlateDecode layers are inflated in a cascade through one
 *	small buffer per layer, counting the bytes of the last layer and
 *	stopping as soon as the count passes the limit, so a bomb costs
 *	limit-many bytes of inflate time and no memory. LZW and RunLength
 *	are bounded in ratio and checked after decoding. Specialized filters
 *	(DCT, JPX, CCITT, JBIG2) are written as they are; only flate layers
 *	in front of them are measured.
 */
#include <string.h>

#include <qpdf/qpdf-c.h>
#include <zlib.h>

#include "pdf.h"

#define PDF_INFLATE_CHUNK (64 * 1024)
#define PDF_MAX_FILTERS 8

struct inflate_cascade {
	z_stream z[PDF_MAX_FILTERS];
	guint8 *buf[PDF_MAX_FILTERS];
	unsigned layers;
	guint64 produced; /* bytes out of the last layer */
	guint64 limit;
	gboolean over;
};

/* Feed `len` bytes into layer `i`; returns FALSE once the limit is passed.
 * A corrupt layer simply ends (qpdf treats it the same way: it keeps what
 * it could decode and warns). */
static gboolean
cascade_feed(struct inflate_cascade *c, unsigned i, const guint8 *data, gsize len)
{
	z_stream *z = &c->z[i];
	z->next_in = (Bytef *)data;
	z->avail_in = (uInt)len;
	while (z->avail_in > 0) {
		z->next_out = c->buf[i];
		z->avail_out = PDF_INFLATE_CHUNK;
		int rc = inflate(z, Z_NO_FLUSH);
		gsize got = PDF_INFLATE_CHUNK - z->avail_out;
		if (i + 1 == c->layers) {
			c->produced += got;
			if (c->produced > c->limit) {
				c->over = TRUE;
				return FALSE;
			}
		} else if (got > 0 && !cascade_feed(c, i + 1, c->buf[i], got)) {
			return FALSE;
		}
		if (rc == Z_STREAM_END || (rc != Z_OK && rc != Z_BUF_ERROR) ||
		    (rc == Z_BUF_ERROR && got == 0))
			break;
	}
	return TRUE;
}

static guint64
inflate_measure(const guint8 *raw, gsize len, unsigned layers, guint64 limit, gboolean *over)
{
	struct inflate_cascade c = { .layers = layers, .limit = limit };
	unsigned ready = 0;
	for (; ready < layers; ready++) {
		if (inflateInit(&c.z[ready]) != Z_OK)
			break;
		c.buf[ready] = g_malloc(PDF_INFLATE_CHUNK);
	}
	if (ready == layers) {
		/* zlib's avail_in is 32-bit: feed huge inputs in slices */
		for (gsize off = 0; off < len && !c.over;) {
			gsize n = MIN(len - off, (gsize)G_MAXUINT32 / 2);
			if (!cascade_feed(&c, 0, raw + off, n))
				break;
			off += n;
		}
	} else {
		c.over = TRUE; /* out of memory: treat as over the limit */
	}
	for (unsigned i = 0; i < ready; i++) {
		inflateEnd(&c.z[i]);
		g_free(c.buf[i]);
	}
	*over = c.over;
	return c.produced;
}

/* The stream's filter names, in order; FALSE when /Filter is malformed or
 * too long a chain. */
static gboolean
stream_filters(qpdf_data q, qpdf_oh dict, const char **names, unsigned *count)
{
	*count = 0;
	qpdf_oh f = qpdf_oh_get_key(q, dict, "/Filter");
	gboolean ok = TRUE;
	if (qpdf_oh_is_name(q, f)) {
		names[(*count)++] = g_intern_string(qpdf_oh_get_name(q, f));
	} else if (qpdf_oh_is_array(q, f)) {
		int n = qpdf_oh_get_array_n_items(q, f);
		if (n > PDF_MAX_FILTERS)
			ok = FALSE;
		for (int i = 0; ok && i < n; i++) {
			qpdf_oh item = qpdf_oh_get_array_item(q, f, i);
			if (qpdf_oh_is_name(q, item))
				names[(*count)++] = g_intern_string(qpdf_oh_get_name(q, item));
			else
				ok = FALSE;
			qpdf_oh_release(q, item);
		}
	} else if (!qpdf_oh_is_null(q, f)) {
		ok = FALSE;
	}
	qpdf_oh_release(q, f);
	return ok;
}

static gboolean
is_flate(const char *name)
{
	return strcmp(name, "/FlateDecode") == 0 || strcmp(name, "/Fl") == 0;
}

static gboolean
is_generic(const char *name)
{
	static const char *const generic[] = {
		"/FlateDecode", "/Fl", "/LZWDecode", "/LZW", "/RunLengthDecode", "/RL",
		"/ASCII85Decode", "/A85", "/ASCIIHexDecode", "/AHx",
	};
	for (gsize i = 0; i < G_N_ELEMENTS(generic); i++)
		if (strcmp(name, generic[i]) == 0)
			return TRUE;
	return FALSE;
}

enum pdf_measure
pdf_stream_rebuild(qpdf_data q, qpdf_oh stream, guint64 limit, guint64 *decoded)
{
	const char *names[PDF_MAX_FILTERS];
	unsigned count;
	*decoded = 0;
	qpdf_oh dict = qpdf_oh_get_dict(q, stream);
	gboolean filters_ok = stream_filters(q, dict, names, &count);
	qpdf_oh_release(q, dict);
	if (!filters_ok)
		return PDF_MEASURE_BAD_FILTER;
	if (count == 0)
		return PDF_MEASURE_OK; /* stored as is: no larger than the input */

	unsigned flate_layers = 0;
	gboolean all_generic = TRUE;
	while (flate_layers < count && is_flate(names[flate_layers]))
		flate_layers++;
	for (unsigned i = 0; i < count; i++)
		all_generic = all_generic && is_generic(names[i]);

	unsigned char *buf = NULL;
	size_t len = 0;
	enum pdf_measure result = PDF_MEASURE_OK;
	if (flate_layers > 0) {
		/* the cheap bound first: a bomb never gets decoded into memory */
		if (qpdf_oh_get_stream_data(q, stream, qpdf_dl_none, NULL, &buf, &len) &
		    QPDF_ERRORS)
			return PDF_MEASURE_ERROR;
		gboolean over;
		*decoded = inflate_measure(buf, len, flate_layers, limit, &over);
		free(buf);
		buf = NULL;
		if (over)
			return PDF_MEASURE_OVER;
	}
	if (!all_generic)
		return PDF_MEASURE_OK; /* DCT, JPX, ...: written as they are */

	/* Decoded here and stored unfiltered, the writer compresses it afresh:
	 * bytes hidden after the end of a deflate stream, or deflate data that
	 * decoders read differently, do not survive (qpdf alone would copy an
	 * already-Flate stream as it is). */
	QPDF_BOOL filtered = QPDF_FALSE;
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
