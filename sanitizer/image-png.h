/*
 * NAME
 *	image-png.h - write decoded pixels as a new PNG file
 * SUMMARY
 *	For handlers whose output is PNG though their input is not (BMP, SVG
 *	rendered to pixels): one call, rows in, a deterministic PNG out.
 */
#pragma once

#include "cdr.h"

enum image_png_layout {
	IMAGE_PNG_PALETTE, /* one index per pixel, packed at `depth` bits (1, 2, 4, 8) */
	IMAGE_PNG_RGB,     /* 3 bytes per pixel */
	IMAGE_PNG_RGBA,    /* 4 bytes per pixel, straight alpha */
};

struct image_png_picture {
	guint32 width, height;
	enum image_png_layout layout;
	int depth;              /* palette: bits per index; otherwise 8 */
	const guint8 *palette;  /* palette: RGB triplets */
	unsigned palette_len;   /* entries, 1..256 */
	const guint8 *pixels;   /* row after row, top first */
	gsize stride;           /* bytes from one row to the next */
};

/* Append the picture as PNG to `out`. FALSE with the job's error set
 * (`who` names the handler in the reason) when libpng fails. */
gboolean image_png_write(struct cdr_job *job, GByteArray *out,
			 const struct image_png_picture *pic, const char *who);
