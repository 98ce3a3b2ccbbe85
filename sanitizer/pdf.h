/*
 * NAME
 *	pdf.h - the PDF handler's parts: disarm walk, stream measuring, the
 *	trailer, reading the output back and rebuilding from the pages
 */
#pragma once

#include <qpdf/qpdf-c.h>

#include "cdr.h"
#include "pdf-decode.h"

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

/* Check that `stream` decodes to at most `limit` bytes (*decoded: how
 * many), and replace a stream with only generic filters by its decoded
 * bytes, to be compressed afresh by the writer (pdf-streams.c). */
enum pdf_measure pdf_stream_rebuild(qpdf_data q, qpdf_oh stream, guint64 limit,
				    guint64 *decoded);

/* Walk every object reachable from the trailer, remove what is active and
 * record each removal on the job; measure streams against the limits.
 * FALSE when the document must be blocked (the reason is on the job). */
gboolean pdf_disarm(struct cdr_job *job, qpdf_data q);

/* The keys of a dictionary, copied (pdf-structure.c). */
GPtrArray *pdf_dict_keys(qpdf_data q, qpdf_oh dict);

/* Remove every /Contents of a page that is no stream (or array items that
 * are no streams); how many (pdf-structure.c). */
unsigned pdf_page_contents_fix(qpdf_data q);

/* Give the names of the array, dictionary or stream dictionary oh (keys
 * and values) that hold '#' (or a stray '#', NUL to qpdf) the spelling
 * qpdf 11.3 writes back correctly (pdf-structure.c). */
void pdf_names_fix(qpdf_data q, qpdf_oh oh);

/* Rebuild q's trailer for writing: /Root and /Info (a dictionary) made
 * indirect, /Size, /Encrypt for qpdf, nothing else; the catalog's /Pages
 * made indirect. FALSE when /Root is no dictionary (pdf-structure.c). */
gboolean pdf_trailer_rebuild(qpdf_data q);

/* Does the written PDF `data` read back in libqpdf without any error or
 * warning, with `pages` pages and every listed object parsing? When not,
 * *why (g_free) says what qpdf said first (pdf-verify.c). */
gboolean pdf_output_opens(const guint8 *data, gsize len, int pages, char **why);

/* A new document holding copies of src's pages (annotations, resources,
 * optional content) and nothing else; NULL with *why (g_free) when qpdf
 * fails. src is changed (annotations detached, inherited attributes
 * pushed to the pages) and must outlive the result until it is written
 * (pdf-rebuild.c). */
qpdf_data pdf_rebuild_from_pages(qpdf_data src, char **why);

/* The report's where for a rebuild from src's pages: "rebuilt from pages",
 * and ", without outline, form, ..." for what src has that the copy leaves
 * behind (g_free; pdf-rebuild.c). */
char *pdf_rebuild_losses(qpdf_data src);

/* qpdf_cleanup(q), after taking any error qpdf still holds (qpdf prints
 * an error nobody took to stderr) (pdf-open.c). */
void pdf_close(qpdf_data *q);

/* The job's error for qpdf's last error in `stage` ("read", "write"):
 * encrypted for a password, parse-error for the rest (pdf-open.c). */
enum cdr_verdict pdf_qpdf_failure(struct cdr_job *job, qpdf_data q, const char *stage);

/* Read `data` as viewers do: qpdf's reading, with the catalog of the file's
 * last trailer when qpdf had to scan for objects, and a scan when the
 * cross-reference table leads to no catalog. NULL with the error on the
 * job. *view: the bytes q reads when they are not `data` (to be freed
 * after q); *repairs: qpdf's warnings so far (pdf-open.c). */
qpdf_data pdf_open(struct cdr_job *job, const guint8 *data, gsize len, GByteArray **view,
		   unsigned *repairs);

struct pdf_ref {
	int num, gen;
};

/* The references of a trailer dictionary found by scanning the bytes. */
struct pdf_trailer_refs {
	struct pdf_ref root, info;
	gboolean has_root, has_info;
};

/* Every "trailer" keyword beginning a line of `data` and followed by a
 * dictionary, the last in the file first, until `accept` returns TRUE
 * (then TRUE) (pdf-scan.c). */
gboolean pdf_scan_trailers(const guint8 *data, gsize len,
			   gboolean (*accept)(const struct pdf_trailer_refs *refs, gpointer user),
			   gpointer user);
