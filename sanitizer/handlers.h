/*
 * NAME
 *	handlers.h - the built-in format handlers (one per file in sanitizer/)
 */
#pragma once

#include "cdr.h"

extern const struct cdr_handler cdr_handler_jpeg;
extern const struct cdr_handler cdr_handler_png;
extern const struct cdr_handler cdr_handler_gif;
extern const struct cdr_handler cdr_handler_text;
extern const struct cdr_handler cdr_handler_csv;
extern const struct cdr_handler cdr_handler_mime;
extern const struct cdr_handler cdr_handler_pdf;
extern const struct cdr_handler cdr_handler_archive;
extern const struct cdr_handler cdr_handler_ooxml;
extern const struct cdr_handler cdr_handler_odf;
extern const struct cdr_handler cdr_handler_ole2;
extern const struct cdr_handler cdr_handler_rtf;
extern const struct cdr_handler cdr_handler_bmp;
extern const struct cdr_handler cdr_handler_unsupported;
extern const struct cdr_handler cdr_handler_tiff;
extern const struct cdr_handler cdr_handler_webp;
extern const struct cdr_handler cdr_handler_heif;
extern const struct cdr_handler cdr_handler_svg;
