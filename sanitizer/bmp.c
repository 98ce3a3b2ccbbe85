/*
 * NAME
 *	bmp.c - Windows BMP, decoded here and written as a new PNG
 * SUMMARY
 *	The headers (core, info, V2-V5), the palette and the pixel array are
 *	read with every size checked against the file; 1, 4 and 8 bits per
 *	pixel (also RLE4 and RLE8) become a palette PNG of the same depth,
 *	16, 24 and 32 bits become 8-bit RGB, or RGBA when bit fields give an
 *	alpha mask. The output is PNG, so the name gets `.png`.
 * DESCRIPTION
 *	No library is used to read: Debian has none with a sane memory API,
 *	and the format is small. The dimensions are checked against
 *	max_image_pixels and the decoded size charged before anything is
 *	allocated. RLE data that runs out before its end-of-bitmap code,
 *	palette indices past the palette, bit fields that overlap or are not
 *	contiguous, and top-down RLE (which the format does not allow) block
 *	the file. Pixels an RLE stream skips with a delta get index 0, as
 *	Windows draws them. BMPs that only carry a JPEG or PNG (BI_JPEG,
 *	BI_PNG, meant for printers) and OS/2 headers are not supported.
 *	Dropped: a V5 header's ICC profile, embedded or linked by path
 *	(color-profile), bytes after the pixel data (trailing-data), and the
 *	resolution and colour-space fields.
 */
#include <string.h>

#include "actions.h"
#include "handlers.h"
#include "image-io.h"
#include "image-png.h"

#define BMP_FILE_HEADER 14
#define BMP_CORE_HEADER 12
#define BMP_INFO_HEADER 40
#define BMP_V5_HEADER 124
#define BMP_ROWS_PER_TIME_CHECK 256

enum bmp_compression {
	BI_RGB = 0,
	BI_RLE8 = 1,
	BI_RLE4 = 2,
	BI_BITFIELDS = 3,
	BI_JPEG = 4,
	BI_PNG = 5,
	BI_ALPHABITFIELDS = 6,
};

#define PROFILE_LINKED 0x4c494e4bu   /* 'LINK' */
#define PROFILE_EMBEDDED 0x4d424544u /* 'MBED' */

struct bmp_mask {
	guint32 mask;
	unsigned shift, bits;
};

struct bmp_image {
	struct cdr_job *job;
	const guint8 *data;
	gsize len;
	guint32 header_size;
	gint64 width, height; /* height > 0 */
	gboolean top_down;
	unsigned bpp, compression;
	guint32 pixel_offset;
	guint8 palette[256 * 3];
	unsigned palette_len;
	struct bmp_mask masks[4]; /* R G B A */
	gboolean has_alpha;
	gsize data_end; /* end of what was read: pixels, profile */
	struct image_tally *removed;
};

static int
bmp_bid(const struct cdr_input *in)
{
	if (in->len < BMP_FILE_HEADER + 16 || in->data[0] != 'B' || in->data[1] != 'M')
		return 0;
	guint32 hs = image_le32(in->data + BMP_FILE_HEADER);
	static const guint32 sizes[] = { 12, 40, 52, 56, 64, 108, 124 };
	for (unsigned i = 0; i < G_N_ELEMENTS(sizes); i++)
		if (hs == sizes[i])
			return 100;
	return 0;
}

static gboolean
bmp_fail(struct bmp_image *b, const char *why)
{
	cdr_job_error(b->job, CDR_E_PARSE, "BMP: %s", why);
	return FALSE;
}

static gboolean
mask_from(struct bmp_mask *m, guint32 mask)
{
	m->mask = mask;
	m->shift = m->bits = 0;
	if (!mask)
		return TRUE;
	while (!(mask & 1)) {
		mask >>= 1;
		m->shift++;
	}
	while (mask & 1) {
		mask >>= 1;
		m->bits++;
	}
	return mask == 0; /* contiguous */
}

static guint8
mask_value(const struct bmp_mask *m, guint32 pixel)
{
	if (!m->bits)
		return 0;
	guint32 max = m->bits >= 32 ? G_MAXUINT32 : (1u << m->bits) - 1;
	guint64 v = (pixel & m->mask) >> m->shift;
	return (guint8)(v * 255 / max);
}

/* Bit fields: given in V2+ headers, or after an info header. */
static gboolean
bmp_read_masks(struct bmp_image *b)
{
	gsize at = BMP_FILE_HEADER + BMP_INFO_HEADER;
	unsigned n = b->compression == BI_ALPHABITFIELDS ? 4 : 3;
	guint32 raw[4] = { 0 };

	if (b->compression == BI_RGB) {
		raw[0] = b->bpp == 16 ? 0x7c00 : 0xff0000;
		raw[1] = b->bpp == 16 ? 0x03e0 : 0x00ff00;
		raw[2] = b->bpp == 16 ? 0x001f : 0x0000ff;
	} else {
		if (b->header_size >= 56)
			n = 4;
		else if (b->header_size == 52)
			n = 3;
		if (at + 4 * n > b->len)
			return bmp_fail(b, "truncated bit fields");
		for (unsigned i = 0; i < n; i++)
			raw[i] = image_le32(b->data + at + 4 * i);
		if (b->compression == BI_BITFIELDS && b->header_size < 56)
			raw[3] = 0;
	}
	guint32 all = 0;
	for (unsigned i = 0; i < 4; i++) {
		if (!mask_from(&b->masks[i], raw[i]) || (all & raw[i]))
			return bmp_fail(b, "bit fields overlap or are not contiguous");
		if (b->bpp == 16 && raw[i] > 0xffff)
			return bmp_fail(b, "bit field outside a 16-bit pixel");
		all |= raw[i];
	}
	if (!raw[0] || !raw[1] || !raw[2])
		return bmp_fail(b, "a colour bit field is empty");
	b->has_alpha = raw[3] != 0;
	return TRUE;
}

static gboolean
bmp_read_palette(struct bmp_image *b, guint32 colours_used)
{
	gboolean core = b->header_size == BMP_CORE_HEADER;
	unsigned entry = core ? 3 : 4;
	gsize at = BMP_FILE_HEADER + b->header_size;

	if (b->compression == BI_BITFIELDS && b->header_size == BMP_INFO_HEADER)
		at += 12;
	else if (b->compression == BI_ALPHABITFIELDS && b->header_size == BMP_INFO_HEADER)
		at += 16;
	if (b->bpp > 8)
		return TRUE; /* an optional palette for such images is only a hint */
	unsigned max = 1u << b->bpp;
	if (colours_used > max)
		return bmp_fail(b, "more palette entries than the bit depth allows");
	b->palette_len = colours_used ? colours_used : max;
	if (at + (gsize)entry * b->palette_len > b->len ||
	    at + (gsize)entry * b->palette_len > b->pixel_offset)
		return bmp_fail(b, "truncated palette");
	for (unsigned i = 0; i < b->palette_len; i++) {
		const guint8 *p = b->data + at + (gsize)entry * i;
		b->palette[3 * i] = p[2];
		b->palette[3 * i + 1] = p[1];
		b->palette[3 * i + 2] = p[0];
	}
	return TRUE;
}

static gboolean
bmp_check_kind(struct bmp_image *b)
{
	switch (b->compression) {
	case BI_RGB:
		if (b->bpp != 1 && b->bpp != 4 && b->bpp != 8 && b->bpp != 16 && b->bpp != 24 &&
		    b->bpp != 32)
			return bmp_fail(b, "unsupported bit depth");
		return TRUE;
	case BI_RLE8:
	case BI_RLE4:
		if (b->bpp != (b->compression == BI_RLE8 ? 8u : 4u))
			return bmp_fail(b, "RLE with the wrong bit depth");
		if (b->top_down)
			return bmp_fail(b, "top-down RLE image");
		return TRUE;
	case BI_BITFIELDS:
	case BI_ALPHABITFIELDS:
		if (b->bpp != 16 && b->bpp != 32)
			return bmp_fail(b, "bit fields with the wrong bit depth");
		return TRUE;
	case BI_JPEG:
	case BI_PNG:
		cdr_job_error(b->job, CDR_E_UNSUPPORTED,
			      "BMP: a bitmap that only wraps a %s image (for printers) is not supported",
			      b->compression == BI_JPEG ? "JPEG" : "PNG");
		return FALSE;
	default:
		return bmp_fail(b, "unknown compression");
	}
}

static gboolean
bmp_read_headers(struct bmp_image *b)
{
	const guint8 *h = b->data + BMP_FILE_HEADER;
	const struct cdr_policy *p = cdr_job_policy(b->job);
	guint32 colours_used = 0;
	gint64 height;

	b->header_size = image_le32(h);
	b->pixel_offset = image_le32(b->data + 10);
	if (b->header_size == 64)
		return bmp_fail(b, "OS/2 2.x bitmap header is not supported");
	if ((gsize)BMP_FILE_HEADER + b->header_size > b->len)
		return bmp_fail(b, "truncated header");
	if (b->header_size == BMP_CORE_HEADER) {
		b->width = image_le16(h + 4);
		height = image_le16(h + 6);
		if (image_le16(h + 8) != 1)
			return bmp_fail(b, "planes is not 1");
		b->bpp = image_le16(h + 10);
		if (b->bpp != 1 && b->bpp != 4 && b->bpp != 8 && b->bpp != 24)
			return bmp_fail(b, "unsupported bit depth");
	} else {
		b->width = (gint32)image_le32(h + 4);
		height = (gint32)image_le32(h + 8);
		if (image_le16(h + 12) != 1)
			return bmp_fail(b, "planes is not 1");
		b->bpp = image_le16(h + 14);
		b->compression = image_le32(h + 16);
		colours_used = image_le32(h + 32);
	}
	if (height < 0) {
		b->top_down = TRUE;
		height = -height;
	}
	b->height = height;
	if (b->width <= 0 || b->height <= 0)
		return bmp_fail(b, "zero or negative size");
	if ((guint64)b->width * (guint64)b->height > p->max_image_pixels) {
		cdr_job_error(b->job, CDR_E_LIMIT,
			      "BMP: %" G_GINT64_FORMAT "x%" G_GINT64_FORMAT
			      " pixels is over max_image_pixels (%" G_GUINT64_FORMAT ")",
			      b->width, b->height, p->max_image_pixels);
		return FALSE;
	}
	if (!bmp_check_kind(b))
		return FALSE;
	if (b->bpp >= 16 && !bmp_read_masks(b))
		return FALSE;
	if (b->pixel_offset < BMP_FILE_HEADER + b->header_size || b->pixel_offset > b->len)
		return bmp_fail(b, "pixel data offset outside the file");
	return bmp_read_palette(b, colours_used);
}

/* A V5 header may name an ICC profile (embedded, or a file path). */
static void
bmp_judge_profile(struct bmp_image *b)
{
	const guint8 *h = b->data + BMP_FILE_HEADER;
	if (b->header_size < 108)
		return;
	guint32 cs = image_le32(h + 56);
	if (cs != PROFILE_EMBEDDED && cs != PROFILE_LINKED)
		return;
	image_tally_add(b->removed, CDR_ACT_COLOR_PROFILE,
			cs == PROFILE_LINKED ? "linked profile" : "embedded profile");
	if (b->header_size >= BMP_V5_HEADER) {
		guint64 end = (guint64)BMP_FILE_HEADER + image_le32(h + 112) + image_le32(h + 116);
		if (end <= b->len && end > b->data_end)
			b->data_end = (gsize)end;
	}
}

/* ---- palette images -------------------------------------------------- */

/* Index rows, top first, one byte per pixel. */
struct bmp_indices {
	guint8 *at;
	gsize width, height;
};

static guint8 *
index_row(const struct bmp_image *b, struct bmp_indices *ix, gsize stored_row)
{
	gsize y = b->top_down ? stored_row : ix->height - 1 - stored_row;
	return ix->at + y * ix->width;
}

static gboolean
bmp_unpack_rows(struct bmp_image *b, struct bmp_indices *ix)
{
	gsize stride = (((gsize)b->width * b->bpp + 31) / 32) * 4;
	if (stride * ix->height > b->len - b->pixel_offset)
		return bmp_fail(b, "truncated pixel data");
	for (gsize row = 0; row < ix->height; row++) {
		const guint8 *src = b->data + b->pixel_offset + row * stride;
		guint8 *dst = index_row(b, ix, row);
		if (row % BMP_ROWS_PER_TIME_CHECK == 0 && !cdr_job_check_time(b->job))
			return FALSE;
		for (gsize x = 0; x < ix->width; x++) {
			gsize bit = x * b->bpp;
			guint8 byte = src[bit / 8];
			dst[x] = (guint8)((byte >> (8 - b->bpp - bit % 8)) & ((1u << b->bpp) - 1));
		}
	}
	b->data_end = b->pixel_offset + stride * ix->height;
	return TRUE;
}

static void
rle_put(struct bmp_image *b, struct bmp_indices *ix, gsize x, gsize row, guint8 v)
{
	if (x < ix->width && row < ix->height)
		index_row(b, ix, row)[x] = v;
}

/* RLE8/RLE4: runs, absolute runs, end of line, delta, end of bitmap. */
static gboolean
bmp_decode_rle(struct bmp_image *b, struct bmp_indices *ix)
{
	gboolean four = b->compression == BI_RLE4;
	gsize pos = b->pixel_offset, x = 0, row = 0;
	guint64 ops = 0;

	for (;;) {
		if (b->len - pos < 2)
			return bmp_fail(b, "RLE data ends before its end-of-bitmap code");
		guint8 count = b->data[pos], value = b->data[pos + 1];
		pos += 2;
		if (++ops % 65536 == 0 && !cdr_job_check_time(b->job))
			return FALSE;
		if (count) {
			for (unsigned i = 0; i < count && x < ix->width; i++, x++)
				rle_put(b, ix, x, row,
					four ? (guint8)(i & 1 ? value & 15 : value >> 4) : value);
			continue;
		}
		if (value == 0) {
			x = 0;
			row++;
		} else if (value == 1) {
			break;
		} else if (value == 2) {
			if (b->len - pos < 2)
				return bmp_fail(b, "truncated RLE delta");
			x += b->data[pos];
			row += b->data[pos + 1];
			pos += 2;
		} else {
			gsize bytes = four ? (value + 1u) / 2 : value;
			gsize padded = bytes + (bytes & 1);
			if (b->len - pos < padded)
				return bmp_fail(b, "truncated RLE absolute run");
			for (unsigned i = 0; i < value; i++, x++) {
				guint8 byte = b->data[pos + (four ? i / 2 : i)];
				rle_put(b, ix, x, row,
					four ? (guint8)(i & 1 ? byte & 15 : byte >> 4) : byte);
			}
			pos += padded;
		}
	}
	b->data_end = pos;
	return TRUE;
}

static gboolean
bmp_write_palette_png(struct bmp_image *b, GByteArray *out)
{
	struct bmp_indices ix = { .width = (gsize)b->width, .height = (gsize)b->height };
	unsigned depth = b->bpp;
	gsize packed_stride = (ix.width * depth + 7) / 8;
	guint8 *packed = NULL;
	gboolean ok = FALSE;

	if (!cdr_job_charge_expanded(b->job, (guint64)ix.width * ix.height * 2))
		return FALSE;
	ix.at = g_try_malloc0(ix.width * ix.height);
	packed = g_try_malloc0(packed_stride * ix.height);
	if (!ix.at || !packed) {
		cdr_job_error(b->job, CDR_E_MEMORY, "BMP: cannot allocate the pixels");
		goto done;
	}
	if (!(b->compression == BI_RGB ? bmp_unpack_rows(b, &ix) : bmp_decode_rle(b, &ix)))
		goto done;
	for (gsize y = 0; y < ix.height; y++) {
		const guint8 *src = ix.at + y * ix.width;
		guint8 *dst = packed + y * packed_stride;
		for (gsize x = 0; x < ix.width; x++) {
			if (src[x] >= b->palette_len) {
				bmp_fail(b, "palette index past the palette");
				goto done;
			}
			gsize bit = x * depth;
			dst[bit / 8] |= (guint8)(src[x] << (8 - depth - bit % 8));
		}
	}
	struct image_png_picture pic = {
		.width = (guint32)ix.width, .height = (guint32)ix.height,
		.layout = IMAGE_PNG_PALETTE, .depth = (int)depth,
		.palette = b->palette, .palette_len = b->palette_len,
		.pixels = packed, .stride = packed_stride,
	};
	ok = image_png_write(b->job, out, &pic, "BMP");
done:
	g_free(ix.at);
	g_free(packed);
	return ok;
}

/* ---- true-colour images ------------------------------------------------ */

static gboolean
bmp_write_rgb_png(struct bmp_image *b, GByteArray *out)
{
	gsize width = (gsize)b->width, height = (gsize)b->height;
	unsigned channels = b->has_alpha ? 4 : 3, bytes = b->bpp / 8;
	gsize stride = ((width * b->bpp + 31) / 32) * 4, out_stride = width * channels;
	guint8 *pixels;
	gboolean ok;

	if (stride * height > b->len - b->pixel_offset)
		return bmp_fail(b, "truncated pixel data");
	if (!cdr_job_charge_expanded(b->job, (guint64)out_stride * height))
		return FALSE;
	pixels = g_try_malloc(out_stride * height);
	if (!pixels) {
		cdr_job_error(b->job, CDR_E_MEMORY, "BMP: cannot allocate the pixels");
		return FALSE;
	}
	for (gsize row = 0; row < height; row++) {
		const guint8 *src = b->data + b->pixel_offset + row * stride;
		gsize y = b->top_down ? row : height - 1 - row;
		guint8 *dst = pixels + y * out_stride;
		if (row % BMP_ROWS_PER_TIME_CHECK == 0 && !cdr_job_check_time(b->job)) {
			g_free(pixels);
			return FALSE;
		}
		for (gsize x = 0; x < width; x++, src += bytes, dst += channels) {
			if (b->bpp == 24) {
				dst[0] = src[2];
				dst[1] = src[1];
				dst[2] = src[0];
				continue;
			}
			guint32 v = b->bpp == 16 ? image_le16(src) : image_le32(src);
			for (unsigned c = 0; c < channels; c++)
				dst[c] = mask_value(&b->masks[c], v);
		}
	}
	b->data_end = b->pixel_offset + stride * height;
	struct image_png_picture pic = {
		.width = (guint32)width, .height = (guint32)height,
		.layout = b->has_alpha ? IMAGE_PNG_RGBA : IMAGE_PNG_RGB, .depth = 8,
		.pixels = pixels, .stride = out_stride,
	};
	ok = image_png_write(b->job, out, &pic, "BMP");
	g_free(pixels);
	return ok;
}

static enum cdr_verdict
bmp_sanitize(struct cdr_job *job, const struct cdr_input *in, struct cdr_output *out)
{
	struct bmp_image *b = g_new0(struct bmp_image, 1);
	enum cdr_verdict verdict = CDR_BLOCKED;
	gboolean ok;

	b->job = job;
	b->data = in->data;
	b->len = in->len;
	b->removed = image_tally_new();
	if (!bmp_bid(in)) {
		cdr_job_error(job, CDR_E_PARSE, "BMP: no BMP header");
		goto done;
	}
	if (!bmp_read_headers(b))
		goto done;
	ok = b->bpp <= 8 ? bmp_write_palette_png(b, out->data) : bmp_write_rgb_png(b, out->data);
	if (!ok)
		goto done;
	bmp_judge_profile(b);
	if (b->data_end < b->len)
		image_tally_add(b->removed, CDR_ACT_TRAILING_DATA, NULL);
	image_tally_report(b->removed, job);
	out->type = "image/png";
	out->ext = "png";
	/* the engine adds `renamed` for the new extension */
	verdict = image_tally_is_empty(b->removed) ? CDR_CLEAN : CDR_SANITIZED;
done:
	image_tally_free(b->removed);
	g_free(b);
	return verdict;
}

static const char *const bmp_extensions[] = { "bmp", "dib", NULL };

const struct cdr_handler cdr_handler_bmp = {
	.name = "bmp",
	.flags = CDR_SELF_TYPED,
	.extensions = bmp_extensions,
	.mime_type = "image/bmp",
	.bid = bmp_bid,
	.sanitize = bmp_sanitize,
};
