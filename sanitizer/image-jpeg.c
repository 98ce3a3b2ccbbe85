/*
 * NAME
 *	image-jpeg.c - write decoded RGB pixels as a new JPEG file
 * SUMMARY
 *	See image-jpeg.h. libjpeg-turbo's defaults (4:2:0, JFIF 1.01, no
 *	density) with the given quality and optimized coding: the same
 *	settings jpeg.c's lossless rebuild ends up with, so a second pass
 *	through the jpeg handler gives the same file with the verdict clean.
 */
#include "image-jpeg.h"

#include <setjmp.h>
#include <stdio.h> /* jpeglib.h wants FILE */

#include <jpeglib.h>

#include "image-io.h"

#define IMAGE_JPEG_CHUNK 16384
#define IMAGE_JPEG_ROWS_PER_TIME_CHECK 64

struct jpeg_writing {
	struct cdr_job *job;
	GByteArray *out;
	struct jpeg_compress_struct c;
	struct jpeg_error_mgr err;
	struct jpeg_destination_mgr dest;
	JOCTET chunk[IMAGE_JPEG_CHUNK];
	jmp_buf jump;
	gboolean recorded;
	char message[JMSG_LENGTH_MAX];
};

G_GNUC_NORETURN static void
writing_fail(j_common_ptr cinfo)
{
	struct jpeg_writing *w = cinfo->client_data;
	(*cinfo->err->format_message)(cinfo, w->message);
	longjmp(w->jump, 1);
}

static void
writing_silent(j_common_ptr cinfo)
{
}

static void
writing_append(struct jpeg_writing *w, gsize len)
{
	if (!image_output_append(w->out, w->chunk, len)) {
		cdr_job_error(w->job, CDR_E_LIMIT, "JPEG output too large");
		w->recorded = TRUE;
		longjmp(w->jump, 1);
	}
}

static void
dest_init(j_compress_ptr cinfo)
{
	struct jpeg_writing *w = cinfo->client_data;
	w->dest.next_output_byte = w->chunk;
	w->dest.free_in_buffer = sizeof w->chunk;
}

static boolean
dest_full(j_compress_ptr cinfo)
{
	struct jpeg_writing *w = cinfo->client_data;
	writing_append(w, sizeof w->chunk);
	dest_init(cinfo);
	return TRUE;
}

static void
dest_done(j_compress_ptr cinfo)
{
	struct jpeg_writing *w = cinfo->client_data;
	writing_append(w, sizeof w->chunk - w->dest.free_in_buffer);
}

/* Separate so that nothing local lives across setjmp. */
static gboolean
writing_run(struct jpeg_writing *w, const guint8 *rgb, guint32 width, guint32 height,
	    gsize stride, int quality)
{
	if (setjmp(w->jump))
		return FALSE;
	w->c.err = jpeg_std_error(&w->err);
	w->err.error_exit = writing_fail;
	w->err.output_message = writing_silent;
	w->c.client_data = w;
	jpeg_create_compress(&w->c);
	w->dest.init_destination = dest_init;
	w->dest.empty_output_buffer = dest_full;
	w->dest.term_destination = dest_done;
	w->c.dest = &w->dest;
	w->c.image_width = width;
	w->c.image_height = height;
	w->c.input_components = 3;
	w->c.in_color_space = JCS_RGB;
	jpeg_set_defaults(&w->c);
	jpeg_set_quality(&w->c, quality, TRUE);
	w->c.optimize_coding = TRUE;
	jpeg_start_compress(&w->c, TRUE);
	while (w->c.next_scanline < height) {
		if (w->c.next_scanline % IMAGE_JPEG_ROWS_PER_TIME_CHECK == 0 &&
		    !cdr_job_check_time(w->job)) {
			w->recorded = TRUE;
			longjmp(w->jump, 1);
		}
		JSAMPROW row = (JSAMPROW)(rgb + (gsize)w->c.next_scanline * stride);
		jpeg_write_scanlines(&w->c, &row, 1);
	}
	jpeg_finish_compress(&w->c);
	return TRUE;
}

gboolean
image_jpeg_write(struct cdr_job *job, GByteArray *out, const guint8 *rgb, guint32 width,
		 guint32 height, gsize stride, int quality, const char *who)
{
	struct jpeg_writing *w = g_new0(struct jpeg_writing, 1);
	gboolean ok;

	w->job = job;
	w->out = out;
	ok = writing_run(w, rgb, width, height, stride, quality);
	if (!ok && !w->recorded)
		cdr_job_error(job, CDR_E_INTERNAL, "%s: writing JPEG: %s", who, w->message);
	jpeg_destroy_compress(&w->c);
	g_free(w);
	return ok;
}
