/*
 * NAME
 *	tiff.c - TIFF, every page decoded with libtiff and written again
 * SUMMARY
 *	Each page (IFD) is decoded to its samples and written into a new
 *	TIFF file in memory: bilevel pages as CCITT Group 4 (what fax
 *	servers and scanners make), everything else as Deflate with the
 *	horizontal predictor where it helps. Kept: the pages in order, their
 *	size, bit depth (1, 2, 4, 8, 16), samples (gray, RGB, palette, CMYK,
 *	with alpha), the orientation, the resolution and page numbers. Dropped:
 *	every other tag (see tiff-survey.c for how they are reported).
 * DESCRIPTION
 *	libtiff reads from and writes to memory (TIFFClientOpenExt), with a
 *	cap on any single allocation and its errors kept for the reason.
 *	Before a page is decoded its size is checked against
 *	max_image_pixels, its decoded size charged to max_expanded_bytes,
 *	and a tiled page's tile size checked; the number of pages is limited
 *	by max_image_frames. JPEG-compressed pages (also old-style JPEG)
 *	and other photometric kinds libtiff can turn into RGB (YCbCr, CIE
 *	L*a*b*) are decoded to 8-bit RGB(A) and written losslessly: a JPEG's
 *	coefficients cannot be copied into a new TIFF through libtiff.
 *	Floating-point samples and anything libtiff cannot turn into RGB are
 *	not supported. libtiff's warnings (unknown tags, odd values) do not
 *	block; its errors do.
 */
#include <string.h>

#include <tiffio.h>

#include "actions.h"
#include "handlers.h"
#include "image-io.h"
#include "tiff.h"

#define TIFF_ROWS_PER_TIME_CHECK 64
#define TIFF_MAX_TILE_SIDE 65536
#define TIFF_ZIP_LEVEL 6
#define TIFF_STRIP_BYTES 65536

/* ---- memory I/O ------------------------------------------------------- */

struct tiff_memory {
	const guint8 *data; /* reading: the input; writing: out->data */
	GByteArray *out;    /* writing only */
	gsize len, pos;
};

static tmsize_t
mem_read(thandle_t h, void *buf, tmsize_t size)
{
	struct tiff_memory *m = h;
	gsize n = MIN((gsize)size, m->len - MIN(m->pos, m->len));
	if (n)
		memcpy(buf, m->data + m->pos, n);
	m->pos += n;
	return (tmsize_t)n;
}

static tmsize_t
mem_write(thandle_t h, void *buf, tmsize_t size)
{
	struct tiff_memory *m = h;
	if (!m->out || size < 0 || (guint64)m->pos + (guint64)size > G_MAXUINT)
		return -1;
	if (m->pos + (gsize)size > m->out->len) {
		guint old = m->out->len;
		g_byte_array_set_size(m->out, (guint)(m->pos + (gsize)size));
		/* a seek past the end leaves a gap: zeros, not old heap bytes */
		if (m->pos > old)
			memset(m->out->data + old, 0, m->pos - old);
	}
	memcpy(m->out->data + m->pos, buf, (gsize)size);
	m->pos += (gsize)size;
	m->len = m->out->len;
	m->data = m->out->data;
	return size;
}

static toff_t
mem_seek(thandle_t h, toff_t off, int whence)
{
	struct tiff_memory *m = h;
	guint64 base = whence == SEEK_CUR ? m->pos : whence == SEEK_END ? m->len : 0;
	guint64 to = base + off;
	if (to > G_MAXUINT)
		return (toff_t)-1;
	m->pos = (gsize)to;
	return to;
}

static int
mem_close(thandle_t h)
{
	return 0;
}

static toff_t
mem_size(thandle_t h)
{
	return ((struct tiff_memory *)h)->len;
}

static int
mem_map(thandle_t h, void **base, toff_t *size)
{
	return 0; /* no mapping: libtiff reads through mem_read */
}

static void
mem_unmap(thandle_t h, void *base, toff_t size)
{
}

/* ---- the rebuild -------------------------------------------------------- */

struct tiff_rebuild {
	struct cdr_job *job;
	struct tiff_memory in_mem, out_mem;
	TIFFOpenOptions *options;
	TIFF *in, *out;
	char message[256]; /* libtiff's first error */
	struct image_tally *removed;
};

static int
tiff_keep_error(TIFF *tif, void *user, const char *module, const char *fmt, va_list ap)
{
	struct tiff_rebuild *r = user;
	if (!r->message[0]) {
		g_autofree char *text = g_strdup_vprintf(fmt, ap);
		g_snprintf(r->message, sizeof r->message, "%s", text);
	}
	return 1;
}

static int
tiff_ignore_warning(TIFF *tif, void *user, const char *module, const char *fmt, va_list ap)
{
	return 1;
}

static gboolean
tiff_libtiff_failed(struct tiff_rebuild *r, const char *what)
{
	cdr_job_error(r->job, CDR_E_PARSE, "TIFF: %s%s%s", what, r->message[0] ? ": " : "",
		      r->message);
	return FALSE;
}

/* How a page is read and what it is written as. */
enum page_kind {
	PAGE_SAMPLES, /* samples as stored (after libtiff's decompression) */
	PAGE_JPEG_RGB, /* YCbCr JPEG, libtiff converts to RGB */
	PAGE_RGBA,    /* libtiff's RGBA interface: 8-bit RGBA */
};

struct page {
	guint32 width, height;
	guint16 bits, samples, photometric, planar, compression, sample_format;
	guint16 extra_count, extra_type; /* one alpha sample at most */
	guint16 orientation;             /* 0: none given */
	guint16 res_unit;
	float x_res, y_res;
	gboolean has_res;
	guint16 page_number[2];
	gboolean has_page_number;
	guint32 subfile_type;
	guint16 *colormap[3];
	enum page_kind kind;
	gsize row_bytes; /* of the decoded, contiguous image */
	guint8 *pixels;
};

static gboolean
page_fail(struct tiff_rebuild *r, enum cdr_error code, const char *why)
{
	cdr_job_error(r->job, code, "TIFF: %s", why);
	return FALSE;
}

static gboolean
photometric_keeps_samples(const struct page *p)
{
	guint16 colour = p->samples - p->extra_count;
	switch (p->photometric) {
	case PHOTOMETRIC_MINISWHITE:
	case PHOTOMETRIC_MINISBLACK:
		return colour == 1 && (p->bits <= 8 || p->bits == 16) &&
		       (p->extra_count == 0 || p->bits >= 8);
	case PHOTOMETRIC_PALETTE:
		return colour == 1 && p->bits <= 8 && p->extra_count == 0;
	case PHOTOMETRIC_RGB:
	case PHOTOMETRIC_SEPARATED:
		return colour == (p->photometric == PHOTOMETRIC_RGB ? 3 : 4) &&
		       (p->bits == 8 || p->bits == 16);
	default:
		return FALSE;
	}
}

/* Tags, kind, limits: everything decided before decoding. */
static gboolean
page_describe(struct tiff_rebuild *r, struct page *p)
{
	const struct cdr_policy *pol = cdr_job_policy(r->job);
	TIFF *t = r->in;
	guint16 *extra = NULL, inkset = INKSET_CMYK;

	if (!TIFFGetField(t, TIFFTAG_IMAGEWIDTH, &p->width) ||
	    !TIFFGetField(t, TIFFTAG_IMAGELENGTH, &p->height) || !p->width || !p->height)
		return page_fail(r, CDR_E_PARSE, "a page without a size");
	if ((guint64)p->width * p->height > pol->max_image_pixels) {
		cdr_job_error(r->job, CDR_E_LIMIT,
			      "TIFF: %ux%u pixels is over max_image_pixels (%" G_GUINT64_FORMAT ")",
			      p->width, p->height, pol->max_image_pixels);
		return FALSE;
	}
	TIFFGetFieldDefaulted(t, TIFFTAG_BITSPERSAMPLE, &p->bits);
	TIFFGetFieldDefaulted(t, TIFFTAG_SAMPLESPERPIXEL, &p->samples);
	TIFFGetFieldDefaulted(t, TIFFTAG_PLANARCONFIG, &p->planar);
	TIFFGetFieldDefaulted(t, TIFFTAG_COMPRESSION, &p->compression);
	TIFFGetFieldDefaulted(t, TIFFTAG_SAMPLEFORMAT, &p->sample_format);
	TIFFGetFieldDefaulted(t, TIFFTAG_INKSET, &inkset);
	if (!TIFFGetField(t, TIFFTAG_PHOTOMETRIC, &p->photometric))
		return page_fail(r, CDR_E_PARSE, "a page without PhotometricInterpretation");
	if (TIFFGetField(t, TIFFTAG_EXTRASAMPLES, &p->extra_count, &extra) && p->extra_count) {
		if (p->extra_count > 1)
			return page_fail(r, CDR_E_UNSUPPORTED, "more than one extra sample");
		p->extra_type = extra[0];
	}
	if (p->samples == 0 || p->samples > 5 || p->extra_count >= p->samples)
		return page_fail(r, CDR_E_PARSE, "bad SamplesPerPixel");
	if (p->sample_format != SAMPLEFORMAT_UINT)
		return page_fail(r, CDR_E_UNSUPPORTED, "only unsigned integer samples are supported");
	if (TIFFGetField(t, TIFFTAG_ORIENTATION, &p->orientation) &&
	    (p->orientation < 1 || p->orientation > 8))
		p->orientation = 0;
	p->has_res = TIFFGetField(t, TIFFTAG_XRESOLUTION, &p->x_res) &&
		     TIFFGetField(t, TIFFTAG_YRESOLUTION, &p->y_res);
	TIFFGetFieldDefaulted(t, TIFFTAG_RESOLUTIONUNIT, &p->res_unit);
	p->has_page_number = TIFFGetField(t, TIFFTAG_PAGENUMBER, &p->page_number[0],
					  &p->page_number[1]);
	TIFFGetField(t, TIFFTAG_SUBFILETYPE, &p->subfile_type);
	p->subfile_type &= FILETYPE_REDUCEDIMAGE | FILETYPE_PAGE | FILETYPE_MASK;

	if (p->compression == COMPRESSION_JPEG && p->photometric == PHOTOMETRIC_YCBCR &&
	    p->bits == 8 && p->samples == 3) {
		p->kind = PAGE_JPEG_RGB;
		TIFFSetField(t, TIFFTAG_JPEGCOLORMODE, JPEGCOLORMODE_RGB);
	} else if (p->compression != COMPRESSION_OJPEG && photometric_keeps_samples(p) &&
		   (p->planar == PLANARCONFIG_CONTIG || p->bits >= 8)) {
		p->kind = PAGE_SAMPLES;
		if (p->photometric == PHOTOMETRIC_SEPARATED && inkset != INKSET_CMYK)
			return page_fail(r, CDR_E_UNSUPPORTED, "inks other than CMYK");
		if (p->photometric == PHOTOMETRIC_PALETTE &&
		    !TIFFGetField(t, TIFFTAG_COLORMAP, &p->colormap[0], &p->colormap[1],
				  &p->colormap[2]))
			return page_fail(r, CDR_E_PARSE, "a palette page without a colour map");
	} else {
		char why[1024];
		if (!TIFFRGBAImageOK(t, why))
			return page_fail(r, CDR_E_UNSUPPORTED, why);
		p->kind = PAGE_RGBA;
	}
	guint64 row_bits = p->kind == PAGE_SAMPLES ? (guint64)p->width * p->samples * p->bits
						   : (guint64)p->width * 8 * (p->kind == PAGE_RGBA ? 4 : 3);
	p->row_bytes = (gsize)((row_bits + 7) / 8);
	return cdr_job_charge_expanded(r->job, (guint64)p->row_bytes * p->height);
}

static gboolean
page_check_time(struct tiff_rebuild *r, guint32 row)
{
	return row % TIFF_ROWS_PER_TIME_CHECK != 0 || cdr_job_check_time(r->job);
}

/* One sample plane's scanline into the interleaved row (planar pages). */
static void
interleave(const struct page *p, guint8 *row, const guint8 *plane, guint16 sample)
{
	unsigned bytes = p->bits / 8;
	for (guint32 x = 0; x < p->width; x++)
		memcpy(row + ((gsize)x * p->samples + sample) * bytes, plane + (gsize)x * bytes,
		       bytes);
}

static gboolean
page_read_strips(struct tiff_rebuild *r, struct page *p)
{
	gboolean separate = p->planar == PLANARCONFIG_SEPARATE && p->samples > 1;
	guint16 planes = separate ? p->samples : 1;
	tmsize_t scan = TIFFScanlineSize(r->in);
	g_autofree guint8 *line = NULL;

	if (scan <= 0 || (!separate && (gsize)scan < p->row_bytes))
		return tiff_libtiff_failed(r, "bad scanline size");
	line = g_try_malloc((gsize)scan);
	if (!line)
		return page_fail(r, CDR_E_MEMORY, "cannot allocate a scanline");
	for (guint16 s = 0; s < planes; s++) {
		for (guint32 y = 0; y < p->height; y++) {
			if (!page_check_time(r, y))
				return FALSE;
			if (TIFFReadScanline(r->in, line, y, s) < 0)
				return tiff_libtiff_failed(r, "damaged strip");
			guint8 *row = p->pixels + (gsize)y * p->row_bytes;
			if (separate)
				interleave(p, row, line, s);
			else
				memcpy(row, line, p->row_bytes);
		}
	}
	return TRUE;
}

static gboolean
page_read_tiles(struct tiff_rebuild *r, struct page *p)
{
	guint32 tw = 0, th = 0;
	gboolean separate = p->planar == PLANARCONFIG_SEPARATE && p->samples > 1;
	guint16 planes = separate ? p->samples : 1;
	g_autofree guint8 *tile = NULL;

	TIFFGetField(r->in, TIFFTAG_TILEWIDTH, &tw);
	TIFFGetField(r->in, TIFFTAG_TILELENGTH, &th);
	if (!tw || !th || tw > TIFF_MAX_TILE_SIDE || th > TIFF_MAX_TILE_SIDE || tw % 16 || th % 16)
		return page_fail(r, CDR_E_PARSE, "bad tile size");
	tmsize_t tile_size = TIFFTileSize(r->in);
	gsize tile_row = separate ? (gsize)tw * (p->bits / 8)
				  : (gsize)(((guint64)tw * p->samples * p->bits + 7) / 8);
	if (tile_size <= 0 || (gsize)tile_size < tile_row * th ||
	    !cdr_job_charge_expanded(r->job, (guint64)tile_size))
		return tiff_libtiff_failed(r, "bad tile size");
	tile = g_try_malloc((gsize)tile_size);
	if (!tile)
		return page_fail(r, CDR_E_MEMORY, "cannot allocate a tile");
	for (guint16 s = 0; s < planes; s++) {
		for (guint32 ty = 0; ty < p->height; ty += th) {
			if (!cdr_job_check_time(r->job))
				return FALSE;
			for (guint32 tx = 0; tx < p->width; tx += tw) {
				if (TIFFReadTile(r->in, tile, tx, ty, 0, s) < 0)
					return tiff_libtiff_failed(r, "damaged tile");
				for (guint32 y = ty; y < p->height && y < ty + th; y++) {
					guint8 *row = p->pixels + (gsize)y * p->row_bytes;
					const guint8 *src = tile + (gsize)(y - ty) * tile_row;
					if (separate) {
						for (guint32 x = tx; x < p->width && x < tx + tw; x++)
							memcpy(row + ((gsize)x * p->samples + s) * (p->bits / 8),
							       src + (gsize)(x - tx) * (p->bits / 8), p->bits / 8);
						continue;
					}
					gsize at = (gsize)(((guint64)tx * p->samples * p->bits) / 8);
					memcpy(row + at, src, MIN(tile_row, p->row_bytes - at));
				}
			}
		}
	}
	return TRUE;
}

/* Padding bits after the last pixel of a packed row must be zero: tiles
 * and sloppy writers leave anything there. */
static void
page_clear_padding(struct page *p)
{
	guint64 used = (guint64)p->width * p->samples * p->bits;
	if (used % 8 == 0)
		return;
	guint8 mask = (guint8)(0xff << (8 - used % 8));
	for (guint32 y = 0; y < p->height; y++)
		p->pixels[(gsize)y * p->row_bytes + p->row_bytes - 1] &= mask;
}

/* libtiff's RGBA interface, rows as stored (no flipping: the orientation
 * tag goes to the output as it was). */
static gboolean
page_read_rgba(struct tiff_rebuild *r, struct page *p)
{
	TIFFRGBAImage img;
	char why[1024];
	gboolean ok;
	g_autofree guint32 *raster = NULL;

	if (!TIFFRGBAImageBegin(&img, r->in, 0, why))
		return page_fail(r, CDR_E_UNSUPPORTED, why);
	img.req_orientation = img.orientation;
	raster = g_try_malloc((gsize)p->width * p->height * 4);
	if (!raster) {
		TIFFRGBAImageEnd(&img);
		return page_fail(r, CDR_E_MEMORY, "cannot allocate the page");
	}
	ok = TIFFRGBAImageGet(&img, raster, p->width, p->height);
	TIFFRGBAImageEnd(&img);
	if (!ok)
		return tiff_libtiff_failed(r, "damaged image data");
	for (gsize i = 0; i < (gsize)p->width * p->height; i++) {
		guint32 v = raster[i];
		guint8 *d = p->pixels + i * 4;
		d[0] = (guint8)TIFFGetR(v);
		d[1] = (guint8)TIFFGetG(v);
		d[2] = (guint8)TIFFGetB(v);
		d[3] = (guint8)TIFFGetA(v);
	}
	return TRUE;
}

static gboolean
page_read(struct tiff_rebuild *r, struct page *p)
{
	p->pixels = g_try_malloc0((gsize)p->row_bytes * p->height);
	if (!p->pixels)
		return page_fail(r, CDR_E_MEMORY, "cannot allocate the page");
	if (p->kind == PAGE_RGBA)
		return page_read_rgba(r, p);
	if (!(TIFFIsTiled(r->in) ? page_read_tiles(r, p) : page_read_strips(r, p)))
		return FALSE;
	page_clear_padding(p);
	return TRUE;
}

/* An RGBA page whose alpha is all opaque is written as RGB. */
static gboolean
rgba_is_opaque(const struct page *p)
{
	for (gsize i = 0; i < (gsize)p->width * p->height; i++)
		if (p->pixels[i * 4 + 3] != 255)
			return FALSE;
	return TRUE;
}

static void
rgba_drop_alpha(struct page *p)
{
	gsize n = (gsize)p->width * p->height;
	for (gsize i = 0; i < n; i++)
		memmove(p->pixels + i * 3, p->pixels + i * 4, 3);
	p->row_bytes = (gsize)p->width * 3;
}

/* What the page is written as: RGBA reads become RGB(A) 8-bit. */
static void
page_output_layout(struct page *p)
{
	if (p->kind == PAGE_SAMPLES)
		return;
	p->bits = 8;
	p->photometric = PHOTOMETRIC_RGB;
	p->extra_count = 0;
	p->samples = 3;
	if (p->kind == PAGE_RGBA) {
		if (rgba_is_opaque(p)) {
			rgba_drop_alpha(p);
		} else {
			p->samples = 4;
			p->extra_count = 1;
			p->extra_type = EXTRASAMPLE_UNASSALPHA;
		}
	}
}

static void
page_set_fields(struct tiff_rebuild *r, const struct page *p)
{
	TIFF *o = r->out;
	gboolean bilevel = p->bits == 1 && p->samples == 1 && p->photometric != PHOTOMETRIC_PALETTE;
	guint32 rows = (guint32)MAX(1, TIFF_STRIP_BYTES / MAX(p->row_bytes, 1));

	if (p->subfile_type)
		TIFFSetField(o, TIFFTAG_SUBFILETYPE, p->subfile_type);
	TIFFSetField(o, TIFFTAG_IMAGEWIDTH, p->width);
	TIFFSetField(o, TIFFTAG_IMAGELENGTH, p->height);
	TIFFSetField(o, TIFFTAG_BITSPERSAMPLE, p->bits);
	TIFFSetField(o, TIFFTAG_SAMPLESPERPIXEL, p->samples);
	TIFFSetField(o, TIFFTAG_PHOTOMETRIC, p->photometric);
	TIFFSetField(o, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
	if (p->extra_count)
		TIFFSetField(o, TIFFTAG_EXTRASAMPLES, 1, &p->extra_type);
	if (p->photometric == PHOTOMETRIC_PALETTE)
		TIFFSetField(o, TIFFTAG_COLORMAP, p->colormap[0], p->colormap[1], p->colormap[2]);
	if (bilevel) {
		TIFFSetField(o, TIFFTAG_COMPRESSION, COMPRESSION_CCITTFAX4);
		rows = p->height; /* one strip: G4 compresses best across the page */
	} else {
		TIFFSetField(o, TIFFTAG_COMPRESSION, COMPRESSION_ADOBE_DEFLATE);
		TIFFSetField(o, TIFFTAG_ZIPQUALITY, TIFF_ZIP_LEVEL);
		if (p->bits == 8 || p->bits == 16)
			TIFFSetField(o, TIFFTAG_PREDICTOR, PREDICTOR_HORIZONTAL);
	}
	TIFFSetField(o, TIFFTAG_ROWSPERSTRIP, rows);
	if (p->orientation)
		TIFFSetField(o, TIFFTAG_ORIENTATION, p->orientation);
	if (p->has_res) {
		TIFFSetField(o, TIFFTAG_XRESOLUTION, p->x_res);
		TIFFSetField(o, TIFFTAG_YRESOLUTION, p->y_res);
		TIFFSetField(o, TIFFTAG_RESOLUTIONUNIT, p->res_unit);
	}
	if (p->has_page_number)
		TIFFSetField(o, TIFFTAG_PAGENUMBER, p->page_number[0], p->page_number[1]);
}

static gboolean
page_write(struct tiff_rebuild *r, struct page *p)
{
	page_output_layout(p);
	page_set_fields(r, p);
	for (guint32 y = 0; y < p->height; y++) {
		if (!page_check_time(r, y))
			return FALSE;
		if (TIFFWriteScanline(r->out, p->pixels + (gsize)y * p->row_bytes, y, 0) < 0)
			return tiff_libtiff_failed(r, "writing a page failed");
	}
	if (!TIFFWriteDirectory(r->out))
		return tiff_libtiff_failed(r, "writing a page failed");
	return TRUE;
}

static gboolean
tiff_rebuild_pages(struct tiff_rebuild *r)
{
	const struct cdr_policy *pol = cdr_job_policy(r->job);
	guint64 pages = 0;

	do {
		struct page p = { 0 };
		gboolean ok;
		if (++pages > pol->max_image_frames) {
			cdr_job_error(r->job, CDR_E_LIMIT,
				      "TIFF: more than %" G_GUINT64_FORMAT
				      " pages (max_image_frames)",
				      pol->max_image_frames);
			return FALSE;
		}
		ok = page_describe(r, &p) && page_read(r, &p) && page_write(r, &p);
		g_free(p.pixels);
		if (!ok)
			return FALSE;
	} while (TIFFReadDirectory(r->in));
	if (r->message[0]) /* TIFFReadDirectory failed rather than ended */
		return tiff_libtiff_failed(r, "damaged directory");
	return TRUE;
}

static int
tiff_bid(const struct cdr_input *in)
{
	if (in->len < 8)
		return 0;
	if (memcmp(in->data, "II*\0", 4) == 0 || memcmp(in->data, "MM\0*", 4) == 0 ||
	    memcmp(in->data, "II+\0", 4) == 0 || memcmp(in->data, "MM\0+", 4) == 0)
		return 100;
	return 0;
}

static gboolean
tiff_open_both(struct tiff_rebuild *r, const struct cdr_input *in, GByteArray *out)
{
	const struct cdr_policy *pol = cdr_job_policy(r->job);

	r->options = TIFFOpenOptionsAlloc();
	TIFFOpenOptionsSetErrorHandlerExtR(r->options, tiff_keep_error, r);
	TIFFOpenOptionsSetWarningHandlerExtR(r->options, tiff_ignore_warning, r);
	TIFFOpenOptionsSetMaxSingleMemAlloc(r->options,
					    (tmsize_t)MIN(pol->worker_memory_bytes / 4,
							  (guint64)G_MAXSSIZE));
	r->in_mem = (struct tiff_memory){ .data = in->data, .len = in->len };
	r->out_mem = (struct tiff_memory){ .data = out->data, .out = out, .len = out->len };
	/* 'm': no memory mapping; 'h': read the header only, directories lazily */
	r->in = TIFFClientOpenExt("input", "rm", &r->in_mem, mem_read, mem_write, mem_seek,
				  mem_close, mem_size, mem_map, mem_unmap, r->options);
	if (!r->in)
		return tiff_libtiff_failed(r, "cannot read the file");
	r->out = TIFFClientOpenExt("output", "wm", &r->out_mem, mem_read, mem_write, mem_seek,
				   mem_close, mem_size, mem_map, mem_unmap, r->options);
	if (!r->out)
		return tiff_libtiff_failed(r, "cannot start the output");
	return TRUE;
}

static enum cdr_verdict
tiff_sanitize(struct cdr_job *job, const struct cdr_input *in, struct cdr_output *out)
{
	struct tiff_rebuild *r = g_new0(struct tiff_rebuild, 1);
	enum cdr_verdict verdict = CDR_BLOCKED;

	r->job = job;
	r->removed = image_tally_new();
	if (!tiff_bid(in)) {
		cdr_job_error(job, CDR_E_PARSE, "TIFF: no TIFF header");
		goto done;
	}
	tiff_survey(in->data, in->len, r->removed);
	if (!tiff_open_both(r, in, out->data) || !tiff_rebuild_pages(r))
		goto done;
	TIFFClose(r->out);
	r->out = NULL;
	if (r->message[0]) {
		tiff_libtiff_failed(r, "writing failed");
		goto done;
	}
	image_tally_report(r->removed, job);
	verdict = image_tally_is_empty(r->removed) ? CDR_CLEAN : CDR_SANITIZED;
done:
	if (r->out)
		TIFFClose(r->out);
	if (r->in)
		TIFFClose(r->in);
	if (r->options)
		TIFFOpenOptionsFree(r->options);
	if (verdict == CDR_BLOCKED)
		g_byte_array_set_size(out->data, 0);
	image_tally_free(r->removed);
	g_free(r);
	return verdict;
}

static const char *const tiff_extensions[] = { "tif", "tiff", NULL };

const struct cdr_handler cdr_handler_tiff = {
	.name = "tiff",
	.flags = CDR_SELF_TYPED,
	.extensions = tiff_extensions,
	.mime_type = "image/tiff",
	.bid = tiff_bid,
	.sanitize = tiff_sanitize,
};
