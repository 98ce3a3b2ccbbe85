/*
 * NAME
 *	pdf-decode.h - a PDF stream's generic filters run through qpdf's own
 *	decoders into a bounded sink (pdf-decode.cc), callable from C
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

enum pdf_measure {
	PDF_MEASURE_OK,
	PDF_MEASURE_OVER,       /* expands past the limit */
	PDF_MEASURE_BAD_FILTER, /* /Filter is not a name or array of names */
	PDF_MEASURE_ERROR,      /* qpdf could not read the stream */
};

#define PDF_MAX_FILTERS 8

/* A decode parameter the dictionary does not have. */
#define PDF_PARM_ABSENT G_MININT64

/* The /DecodeParms entries qpdf's Flate and LZW decoders read (integers;
 * PDF_PARM_ABSENT when missing). */
struct pdf_decode_parms {
	gint64 predictor, colors, bits_per_component, columns, early_change;
};

/* Is this filter one that streams (Flate, ASCIIHex, ASCII85, RunLength, by
 * full or abbreviated name)? LZW is generic too, but only as the last. */
gboolean pdf_filter_streamable(const char *name);
gboolean pdf_filter_is_lzw(const char *name);

/* Decode `raw` through `names` (generic filters only: Flate, ASCIIHex,
 * ASCII85, RunLength, by full or abbreviated name, and LZW as the last
 * one) with qpdf's decoders, counting the bytes as they come out and
 * stopping the moment they pass `limit`. *decoded: how many came out.
 * With `keep`, the decoded bytes are appended to it (at most `limit`). */
enum pdf_measure pdf_decode_filters(const char *const *names, const struct pdf_decode_parms *parms,
				    unsigned n, const guint8 *raw, gsize len, guint64 limit,
				    GByteArray *keep, guint64 *decoded);

G_END_DECLS
