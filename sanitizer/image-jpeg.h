/*
 * NAME
 *	image-jpeg.h - write decoded RGB pixels as a new JPEG file
 * SUMMARY
 *	For handlers whose output is JPEG though their input is not (HEIC):
 *	baseline, optimized Huffman tables, a plain JFIF header and nothing
 *	else, so that the jpeg handler rebuilds the result to the same bytes.
 */
#pragma once

#include "cdr.h"

/* Append `height` rows of `width` RGB pixels (3 bytes each, rows `stride`
 * bytes apart) as a JPEG of the given quality (1-100). FALSE with the job's
 * error set (`who` names the handler) when libjpeg fails. */
gboolean image_jpeg_write(struct cdr_job *job, GByteArray *out, const guint8 *rgb,
			  guint32 width, guint32 height, gsize stride, int quality,
			  const char *who);
