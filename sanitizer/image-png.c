/*
 * NAME
 *	image-png.c - write decoded pixels as a new PNG file
 * SUMMARY
 *	See image-png.h. zlib level 6 and libpng's default filters, no
 *	ancillary chunk at all: the same pixels always give the same bytes,
 *	and the png handler rebuilds the result to itself.
 */
#include "image-png.h"

#include <setjmp.h>

#include <png.h>

#include "image-io.h"

#define IMAGE_PNG_ZLIB_LEVEL 6
#define IMAGE_PNG_ROWS_PER_TIME_CHECK 64

struct png_writing {
	struct cdr_job *job;
	GByteArray *out;
	const struct image_png_picture *pic;
	png_structp png;
	png_infop info;
	jmp_buf jump;
	gboolean recorded;
	char message[256];
};

G_GNUC_NORETURN static void
writing_fail(png_structp png, png_const_charp message)
{
	struct png_writing *w = png_get_error_ptr(png);
	g_strlcpy(w->message, message, sizeof w->message);
	longjmp(w->jump, 1);
}

static void
writing_ignore_warning(png_structp png, png_const_charp message)
{
}

static void
writing_append(png_structp png, png_bytep data, png_size_t len)
{
	struct png_writing *w = png_get_io_ptr(png);
	if (!image_output_append(w->out, data, len)) {
		cdr_job_error(w->job, CDR_E_LIMIT, "PNG output too large");
		w->recorded = TRUE;
		longjmp(w->jump, 1);
	}
}

static void
writing_flush(png_structp png)
{
}

static void
writing_steps(struct png_writing *w)
{
	const struct image_png_picture *pic = w->pic;
	int colour = pic->layout == IMAGE_PNG_PALETTE ? PNG_COLOR_TYPE_PALETTE
		     : pic->layout == IMAGE_PNG_RGB   ? PNG_COLOR_TYPE_RGB
						      : PNG_COLOR_TYPE_RGBA;
	int depth = pic->layout == IMAGE_PNG_PALETTE ? pic->depth : 8;

	w->png = png_create_write_struct(PNG_LIBPNG_VER_STRING, w, writing_fail,
					 writing_ignore_warning);
	if (!w->png) {
		g_strlcpy(w->message, "cannot create a libpng writer", sizeof w->message);
		longjmp(w->jump, 1);
	}
	w->info = png_create_info_struct(w->png);
	if (!w->info)
		png_error(w->png, "cannot create info struct");
	png_set_write_fn(w->png, w, writing_append, writing_flush);
	png_set_compression_level(w->png, IMAGE_PNG_ZLIB_LEVEL);
	png_set_IHDR(w->png, w->info, pic->width, pic->height, depth, colour, PNG_INTERLACE_NONE,
		     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	if (pic->layout == IMAGE_PNG_PALETTE) {
		png_color palette[256];
		for (unsigned i = 0; i < pic->palette_len && i < 256; i++) {
			palette[i].red = pic->palette[3 * i];
			palette[i].green = pic->palette[3 * i + 1];
			palette[i].blue = pic->palette[3 * i + 2];
		}
		png_set_PLTE(w->png, w->info, palette, (int)MIN(pic->palette_len, 256));
	}
	png_write_info(w->png, w->info);
	for (guint32 y = 0; y < pic->height; y++) {
		if (y % IMAGE_PNG_ROWS_PER_TIME_CHECK == 0 && !cdr_job_check_time(w->job)) {
			w->recorded = TRUE;
			longjmp(w->jump, 1);
		}
		png_write_row(w->png, pic->pixels + (gsize)y * pic->stride);
	}
	png_write_end(w->png, NULL);
}

/* Separate so that nothing local lives across setjmp. */
static gboolean
writing_run(struct png_writing *w)
{
	if (setjmp(w->jump))
		return FALSE;
	writing_steps(w);
	return TRUE;
}

gboolean
image_png_write(struct cdr_job *job, GByteArray *out, const struct image_png_picture *pic,
		const char *who)
{
	struct png_writing *w = g_new0(struct png_writing, 1);
	gboolean ok;

	w->job = job;
	w->out = out;
	w->pic = pic;
	ok = writing_run(w);
	if (!ok && !w->recorded)
		cdr_job_error(job, CDR_E_INTERNAL, "%s: writing PNG: %s", who, w->message);
	png_destroy_write_struct(&w->png, &w->info);
	g_free(w);
	return ok;
}
