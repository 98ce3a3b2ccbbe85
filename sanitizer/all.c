/*
 * NAME
 *	all.c - the handlers compiled in, in bidding order
 * SUMMARY
 *	Adding a format: one file in sanitizer/, one line here, fixtures, a
 *	fuzz target and an entry in mugaika(7).
 */
#include "config.h"

#include "cdr.h"
#include "handlers.h"

const struct cdr_handler *const cdr_builtin_handlers[] = {
#if HAVE_IMAGES
	&cdr_handler_jpeg,
	&cdr_handler_png,
	&cdr_handler_gif,
	&cdr_handler_bmp,
#endif
#if HAVE_TIFF
	&cdr_handler_tiff,
#endif
#if HAVE_WEBP
	&cdr_handler_webp,
#endif
#if HAVE_HEIF
	&cdr_handler_heif,
#endif
#if HAVE_SVG
	&cdr_handler_svg,
#endif
#if HAVE_PDF
	&cdr_handler_pdf,
#endif
#if HAVE_OFFICE
	&cdr_handler_ooxml,
	&cdr_handler_odf,
	&cdr_handler_ole2,
	&cdr_handler_rtf,
#endif
#if HAVE_ARCHIVES
	&cdr_handler_archive,
#endif
#if HAVE_MIME
	&cdr_handler_mime,
#endif
#if HAVE_TEXT
	&cdr_handler_csv,
	&cdr_handler_text,
#endif
	/* formats no library reads: blocked with their name */
	&cdr_handler_unsupported,
	NULL,
};
