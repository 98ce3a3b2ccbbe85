/*
 * NAME
 *	pdf.h - the PDF handler's parts: disarm walk and stream measuring
 */
#pragma once

#include <qpdf/qpdf-c.h>

#include "cdr.h"

enum pdf_measure {
	PDF_MEASURE_OK,
	PDF_MEASURE_OVER,       /* expands past the limit */
	PDF_MEASURE_BAD_FILTER, /* /Filter is not a name or array of names */
	PDF_MEASURE_ERROR,      /* qpdf could not read the stream */
};

#define PDF_MAX_FILTERS 8

/* A PDF name copied out of qpdf (whose own copy lasts until its next call).
 * The names this handler knows are short; a longer one is none of them. */
#define PDF_NAME_MAX 64
struct pdf_name {
	char s[PDF_NAME_MAX];
};

/* oh's name ("/JavaScript") into *out; NULL when oh is not a name or the
 * name is too long to be one we know (pdf.c). Never interned: names are
 * the attacker's, and an intern table lives as long as the worker. */
const char *pdf_name_copy(qpdf_data q, qpdf_oh oh, struct pdf_name *out);

/* Is this filter one pdf_filters_decoded_size() can run (Flate, AHx, A85,
 * RL, by full or abbreviated name)? (pdf-decode.c) */
gboolean pdf_filter_streamable(const char *name);

/* The number of bytes `raw` decodes to through `filters` (all streamable),
 * counted while streaming up to just past `limit`. */
enum pdf_measure pdf_filters_decoded_size(const char *const *filters, unsigned n,
					  const guint8 *raw, gsize len, guint64 limit,
					  guint64 *decoded);

/* Check that `stream` decodes to at most `limit` bytes (*decoded: how
 * many), and replace a stream with only generic filters by its decoded
 * bytes, to be compressed afresh by the writer (pdf-streams.c). */
enum pdf_measure pdf_stream_rebuild(qpdf_data q, qpdf_oh stream, guint64 limit,
				    guint64 *decoded);

/* Walk every object reachable from the trailer, remove what is active and
 * record each removal on the job; measure streams against the limits.
 * FALSE when the document must be blocked (the reason is on the job). */
gboolean pdf_disarm(struct cdr_job *job, qpdf_data q);
