/*
 * NAME
 *	heif.c - HEIC/HEIF photos, decoded with libheif and written as JPEG
 * SUMMARY
 *	The primary image is decoded (grid tiles joined, rotation, mirroring
 *	and cropping applied, so the pixels are the right way up) and written
 *	as a new JPEG of quality HEIF_JPEG_QUALITY; one with an alpha channel
 *	becomes a PNG instead. The name gets `.jpg` (or `.png`). Everything
 *	else in the file is dropped: further top-level images (bursts, the
 *	still frames of a Live Photo), thumbnails, depth maps and other
 *	auxiliary images (extra-image), EXIF and XMP (metadata), the colour
 *	profile (color-profile), bytes after the last box (trailing-data).
 * DESCRIPTION
 *	Why JPEG and not HEIC again: Debian's libheif can encode HEVC (x265),
 *	but an office PC on Windows opens HEIC only with the paid HEVC
 *	extension, while every program opens JPEG; x265 also runs a thread
 *	pool and takes seconds per photo. The output is lossy either way,
 *	once; after that the jpeg handler rebuilds it without loss, so a
 *	cleaned photo cleans to itself. The EXIF orientation is not needed:
 *	HEIF rotates with its own `irot`/`imir` boxes, which libheif applies.
 *
 *	libheif reads from memory. Its HEVC decoder (libde265) starts one
 *	worker thread per image; the sandbox allows threads (clone with
 *	CLONE_THREAD) for that, nothing else. The primary image's declared
 *	size is checked against max_image_pixels and its decoded size charged
 *	before libheif decodes it; libheif's own limits (32768 pixels a side,
 *	tile counts) apply too.
 */
#include <string.h>

#include <libheif/heif.h>

#include "actions.h"
#include "handlers.h"
#include "image-io.h"
#include "image-jpeg.h"
#include "image-png.h"

#define HEIF_JPEG_QUALITY 92
#define HEIF_MAX_METADATA 64

static const char *const heif_brands[] = {
	"heic", "heix", "heim", "heis", "hevc", "hevx", "hevm", "hevs", "mif1", "msf1", "mif2",
};

static int
heif_bid(const struct cdr_input *in)
{
	if (in->len < 16 || memcmp(in->data + 4, "ftyp", 4) != 0)
		return 0;
	guint32 box = image_be32(in->data);
	if (box < 16 || box > in->len || box > 4096)
		return 0;
	/* the major brand, then the compatible brands; AVIF (AV1 in the same
	 * container) is not taken: its decoder asks the system for the CPU
	 * count, which the sandbox refuses */
	gboolean heif = FALSE;
	for (gsize at = 8; at + 4 <= box; at += at == 8 ? 8 : 4) {
		if (memcmp(in->data + at, "avif", 4) == 0 || memcmp(in->data + at, "avis", 4) == 0)
			return 0;
		for (unsigned i = 0; i < G_N_ELEMENTS(heif_brands); i++)
			if (memcmp(in->data + at, heif_brands[i], 4) == 0)
				heif = TRUE;
	}
	return heif ? 100 : 0;
}

static gboolean
heif_init_library(GError **error)
{
	struct heif_error e = heif_init(NULL);
	if (e.code != heif_error_Ok) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "libheif: %s", e.message);
		return FALSE;
	}
	return TRUE;
}

static gboolean
heif_failed(struct cdr_job *job, struct heif_error e, const char *what)
{
	enum cdr_error code = e.subcode == heif_suberror_Security_limit_exceeded ? CDR_E_LIMIT
			      : e.code == heif_error_Memory_allocation_error ? CDR_E_MEMORY
			      : e.code == heif_error_Unsupported_feature ||
					e.code == heif_error_Unsupported_filetype
				      ? CDR_E_UNSUPPORTED
				      : CDR_E_PARSE;
	cdr_job_error(job, code, "HEIF: %s: %s", what, e.message);
	return FALSE;
}

/* Bytes after the last top-level box (a zip appended, say). */
static gboolean
has_trailing_data(const struct cdr_input *in)
{
	gsize pos = 0;
	while (in->len - pos >= 8) {
		guint64 size = image_be32(in->data + pos);
		if (size == 1 && in->len - pos >= 16)
			size = (guint64)image_be32(in->data + pos + 8) << 32 |
			       image_be32(in->data + pos + 12);
		else if (size == 0)
			return FALSE; /* the last box runs to the end */
		if (size < 8 || size > in->len - pos)
			return TRUE;
		pos += (gsize)size;
	}
	return pos != in->len;
}

/* Count everything besides the primary image's pixels. */
static void
heif_judge_extras(struct heif_context *ctx, const struct heif_image_handle *primary,
		  struct image_tally *removed)
{
	int images = heif_context_get_number_of_top_level_images(ctx);
	for (int i = 1; i < images; i++)
		image_tally_add(removed, CDR_ACT_EXTRA_IMAGE, "image");
	for (int i = heif_image_handle_get_number_of_thumbnails(primary); i > 0; i--)
		image_tally_add(removed, CDR_ACT_EXTRA_IMAGE, "thumbnail");
	for (int i = heif_image_handle_get_number_of_depth_images(primary); i > 0; i--)
		image_tally_add(removed, CDR_ACT_EXTRA_IMAGE, "depth");
	for (int i = heif_image_handle_get_number_of_auxiliary_images(
		     primary, LIBHEIF_AUX_IMAGE_FILTER_OMIT_ALPHA | LIBHEIF_AUX_IMAGE_FILTER_OMIT_DEPTH);
	     i > 0; i--)
		image_tally_add(removed, CDR_ACT_EXTRA_IMAGE, "auxiliary");

	heif_item_id ids[HEIF_MAX_METADATA];
	int n = heif_image_handle_get_list_of_metadata_block_IDs(primary, NULL, ids,
								 HEIF_MAX_METADATA);
	for (int i = 0; i < n; i++) {
		const char *type = heif_image_handle_get_metadata_type(primary, ids[i]);
		image_tally_add(removed, CDR_ACT_METADATA,
				type && strcmp(type, "Exif") == 0 ? "Exif" : "XMP");
	}
	enum heif_color_profile_type profile = heif_image_handle_get_color_profile_type(primary);
	if (profile == heif_color_profile_type_prof || profile == heif_color_profile_type_rICC)
		image_tally_add(removed, CDR_ACT_COLOR_PROFILE, "ICC");
}

static gboolean
heif_check_size(struct cdr_job *job, const struct heif_image_handle *primary, gboolean alpha)
{
	const struct cdr_policy *p = cdr_job_policy(job);
	/* the stored size (ispe) and the shown size (after cropping, rotating) */
	guint64 w = (guint64)MAX(heif_image_handle_get_ispe_width(primary),
				 heif_image_handle_get_width(primary));
	guint64 h = (guint64)MAX(heif_image_handle_get_ispe_height(primary),
				 heif_image_handle_get_height(primary));
	if (w == 0 || h == 0) {
		cdr_job_error(job, CDR_E_PARSE, "HEIF: the primary image has no size");
		return FALSE;
	}
	if (w * h > p->max_image_pixels) {
		cdr_job_error(job, CDR_E_LIMIT,
			      "HEIF: %" G_GUINT64_FORMAT "x%" G_GUINT64_FORMAT
			      " pixels is over max_image_pixels (%" G_GUINT64_FORMAT ")",
			      w, h, p->max_image_pixels);
		return FALSE;
	}
	/* decoded planes (YCbCr, up to 16 bits) and the interleaved copy */
	return cdr_job_charge_expanded(job, w * h * (alpha ? 4 : 3) * 3);
}

static gboolean
heif_write(struct cdr_job *job, const struct heif_image *img, gboolean alpha,
	   struct cdr_output *out)
{
	int stride = 0;
	const guint8 *pixels = heif_image_get_plane_readonly(img, heif_channel_interleaved, &stride);
	int width = heif_image_get_width(img, heif_channel_interleaved);
	int height = heif_image_get_height(img, heif_channel_interleaved);

	if (!pixels || width <= 0 || height <= 0 || stride < width * (alpha ? 4 : 3)) {
		cdr_job_error(job, CDR_E_PARSE, "HEIF: decoding gave no pixels");
		return FALSE;
	}
	if (!alpha) {
		out->type = "image/jpeg";
		out->ext = "jpg";
		return image_jpeg_write(job, out->data, pixels, (guint32)width, (guint32)height,
					(gsize)stride, HEIF_JPEG_QUALITY, "HEIF");
	}
	struct image_png_picture pic = {
		.width = (guint32)width, .height = (guint32)height, .layout = IMAGE_PNG_RGBA,
		.depth = 8, .pixels = pixels, .stride = (gsize)stride,
	};
	out->type = "image/png";
	out->ext = "png";
	return image_png_write(job, out->data, &pic, "HEIF");
}

static enum cdr_verdict
heif_sanitize(struct cdr_job *job, const struct cdr_input *in, struct cdr_output *out)
{
	struct image_tally *removed = image_tally_new();
	struct heif_context *ctx = heif_context_alloc();
	struct heif_image_handle *primary = NULL;
	struct heif_image *img = NULL;
	struct heif_decoding_options *options = heif_decoding_options_alloc();
	enum cdr_verdict verdict = CDR_BLOCKED;
	struct heif_error e;

	if (!ctx || !options) {
		cdr_job_error(job, CDR_E_MEMORY, "HEIF: cannot start libheif");
		goto done;
	}
	heif_context_set_max_decoding_threads(ctx, 0);
	e = heif_context_read_from_memory_without_copy(ctx, in->data, in->len, NULL);
	if (e.code != heif_error_Ok) {
		heif_failed(job, e, "cannot read the file");
		goto done;
	}
	e = heif_context_get_primary_image_handle(ctx, &primary);
	if (e.code != heif_error_Ok) {
		heif_failed(job, e, "no primary image");
		goto done;
	}
	gboolean alpha = heif_image_handle_has_alpha_channel(primary) != 0;
	if (!heif_check_size(job, primary, alpha) || !cdr_job_check_time(job))
		goto done;
	heif_judge_extras(ctx, primary, removed);
	if (has_trailing_data(in))
		image_tally_add(removed, CDR_ACT_TRAILING_DATA, NULL);
	options->ignore_transformations = 0;
	options->convert_hdr_to_8bit = 1;
	e = heif_decode_image(primary, &img, heif_colorspace_RGB,
			      alpha ? heif_chroma_interleaved_RGBA : heif_chroma_interleaved_RGB,
			      options);
	if (e.code != heif_error_Ok) {
		heif_failed(job, e, "cannot decode the image");
		goto done;
	}
	if (!cdr_job_check_time(job) || !heif_write(job, img, alpha, out))
		goto done;
	image_tally_report(removed, job);
	/* converted to another format: the engine adds `renamed` */
	verdict = image_tally_is_empty(removed) ? CDR_CLEAN : CDR_SANITIZED;
done:
	heif_image_release(img);
	heif_image_handle_release(primary);
	heif_decoding_options_free(options);
	if (ctx)
		heif_context_free(ctx);
	image_tally_free(removed);
	return verdict;
}

static const char *const heif_extensions[] = { "heic", "heif", "hif", NULL };

const struct cdr_handler cdr_handler_heif = {
	.name = "heif",
	.flags = CDR_SELF_TYPED,
	.extensions = heif_extensions,
	.mime_type = "image/heic",
	.init = heif_init_library,
	.bid = heif_bid,
	.sanitize = heif_sanitize,
};
