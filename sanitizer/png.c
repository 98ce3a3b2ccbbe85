/*
 * NAME
 *	png.c - PNG, decoded and encoded again with libpng
 * SUMMARY
 *	The rows are read exactly as stored (no transformations) and written
 *	into a new, non-interlaced file with the same width, height, bit depth
 *	and colour type. Kept: PLTE, tRNS, gAMA, cHRM, sRGB, pHYs, bKGD.
 *	Dropped: everything else, reported per chunk type (text, time, EXIF,
 *	private and unknown chunks as metadata, iCCP as a colour profile),
 *	and any bytes after IEND.
 * DESCRIPTION
 *	A survey of the chunk list comes first: it checks the structure up to
 *	IEND, checks IHDR's dimensions against max_image_pixels before libpng
 *	allocates anything, and counts what will be dropped. libpng then
 *	skips the dropped chunks without parsing them (still checking their
 *	CRC); CRC errors and libpng's "benign" errors block, its warnings are
 *	silent. A non-interlaced image streams one row at a time; an
 *	interlaced one is read whole (its size is charged first).
 *	Encoding is deterministic (zlib level 6, libpng's default filters),
 *	so a rebuilt file rebuilds to the same bytes.
 */
#include <setjmp.h>
#include <string.h>

#include <png.h>

#include "actions.h"
#include "handlers.h"
#include "image-io.h"

#define PNG_SIGNATURE_LEN 8
#define PNG_CHUNK_OVERHEAD 12 /* length, type, CRC */
#define PNG_IHDR_LEN 13
#define PNG_CHUNK_MALLOC_MAX (16u << 20)
#define PNG_ZLIB_LEVEL 6
#define PNG_ROWS_PER_TIME_CHECK 64
#define PNG_CHUNKS_PER_TIME_CHECK 4096

/*
 * The kept ancillary chunks. The survey notes which ones the input has:
 * only those are copied (libpng derives gAMA and cHRM from sRGB on its
 * own), and one that libpng set aside as invalid is reported as removed.
 */
enum png_kept_ancillary {
	KEPT_tRNS,
	KEPT_gAMA,
	KEPT_cHRM,
	KEPT_sRGB,
	KEPT_pHYs,
	KEPT_bKGD,
	KEPT_COUNT
};

static const char *const png_kept_ancillary_names[KEPT_COUNT] = {
	"tRNS", "gAMA", "cHRM", "sRGB", "pHYs", "bKGD",
};

/* Critical chunks are rewritten by libpng, never dropped. */
static const char *const png_kept_critical_names[] = { "IHDR", "PLTE", "IDAT", "IEND" };

struct png_rebuild {
	struct cdr_job *job;
	GByteArray *out;
	struct image_tally *removed;
	unsigned seen;   /* 1 << enum png_kept_ancillary, from the survey */
	unsigned copied; /* the same, written to the output */

	struct image_reader reader;
	png_structp rpng;
	png_infop rinfo;
	png_structp wpng;
	png_infop winfo;
	int passes;          /* 7 for Adam7 interlacing, else 1 */
	png_bytep pixels;    /* one row, or the whole interlaced image */
	png_bytepp row_ptrs; /* interlaced only */

	jmp_buf jump;
	gboolean recorded; /* the error is already on the job */
	char message[256];
};

/* Chunks libpng knows but we drop: it must skip them, not parse them. */
static const png_byte png_ignored_known_chunks[] = "iCCP\0tEXt\0zTXt\0iTXt\0tIME\0eXIf\0"
						   "sBIT\0hIST\0sPLT\0oFFs\0pCAL\0sCAL";

static int
png_bid(const struct cdr_input *in)
{
	return in->len >= PNG_SIGNATURE_LEN && png_sig_cmp(in->data, 0, PNG_SIGNATURE_LEN) == 0
		       ? 100
		       : 0;
}

/* ---- survey of the chunk list ---------------------------------------- */

static gboolean
is_chunk_type(const guint8 *type)
{
	for (int i = 0; i < 4; i++)
		if (!g_ascii_isalpha(type[i]))
			return FALSE;
	return TRUE;
}

/* Note what will be dropped, and which kept ancillary chunks are there. */
static void
png_judge_chunk(const char *type, struct image_tally *removed, unsigned *seen)
{
	for (unsigned i = 0; i < G_N_ELEMENTS(png_kept_critical_names); i++)
		if (strcmp(type, png_kept_critical_names[i]) == 0)
			return;
	for (unsigned i = 0; i < KEPT_COUNT; i++) {
		if (strcmp(type, png_kept_ancillary_names[i]) == 0) {
			*seen |= 1u << i;
			return;
		}
	}
	if (strcmp(type, "iCCP") == 0)
		image_tally_add(removed, CDR_ACT_COLOR_PROFILE, type);
	else
		image_tally_add(removed, CDR_ACT_METADATA, type);
}

static gboolean
png_check_header(struct cdr_job *job, const struct cdr_input *in)
{
	const struct cdr_policy *p = cdr_job_policy(job);
	const guint8 *ihdr = in->data + PNG_SIGNATURE_LEN;

	if (!png_bid(in)) {
		cdr_job_error(job, CDR_E_PARSE, "PNG: no PNG signature");
		return FALSE;
	}
	if (in->len < PNG_SIGNATURE_LEN + PNG_CHUNK_OVERHEAD + PNG_IHDR_LEN ||
	    image_be32(ihdr) != PNG_IHDR_LEN || memcmp(ihdr + 4, "IHDR", 4) != 0) {
		cdr_job_error(job, CDR_E_PARSE, "PNG: no IHDR chunk first");
		return FALSE;
	}
	guint32 width = image_be32(ihdr + 8), height = image_be32(ihdr + 12);
	if ((guint64)width * height > p->max_image_pixels) {
		cdr_job_error(job, CDR_E_LIMIT,
			      "PNG: %ux%u pixels is over max_image_pixels (%" G_GUINT64_FORMAT ")",
			      width, height, p->max_image_pixels);
		return FALSE;
	}
	return TRUE;
}

/*
 * Walk the chunks up to IEND: structure, limits, and what will be dropped
 * (recorded in `removed`). FALSE when the file is blocked.
 */
static gboolean
png_survey(struct cdr_job *job, const struct cdr_input *in, struct image_tally *removed,
	   unsigned *seen)
{
	gsize pos = PNG_SIGNATURE_LEN;
	guint64 chunks = 0;

	if (!png_check_header(job, in))
		return FALSE;
	for (;;) {
		char type[5] = { 0 };

		if (in->len - pos < PNG_CHUNK_OVERHEAD) {
			cdr_job_error(job, CDR_E_PARSE, "PNG: truncated file (no IEND chunk)");
			return FALSE;
		}
		guint32 length = image_be32(in->data + pos);
		if (!is_chunk_type(in->data + pos + 4)) {
			cdr_job_error(job, CDR_E_PARSE,
				      "PNG: invalid chunk type at offset %" G_GSIZE_FORMAT, pos);
			return FALSE;
		}
		memcpy(type, in->data + pos + 4, 4);
		if (length > PNG_UINT_31_MAX || length > in->len - pos - PNG_CHUNK_OVERHEAD) {
			cdr_job_error(job, CDR_E_PARSE, "PNG: truncated %s chunk", type);
			return FALSE;
		}
		png_judge_chunk(type, removed, seen);
		pos += PNG_CHUNK_OVERHEAD + length;
		if (strcmp(type, "IEND") == 0)
			break;
		if (++chunks % PNG_CHUNKS_PER_TIME_CHECK == 0 && !cdr_job_check_time(job))
			return FALSE;
	}
	if (pos < in->len)
		image_tally_add(removed, CDR_ACT_TRAILING_DATA, NULL);
	return TRUE;
}

/* ---- libpng callbacks -------------------------------------------------- */

G_GNUC_NORETURN static void
png_stop_recorded(struct png_rebuild *r)
{
	r->recorded = TRUE;
	longjmp(r->jump, 1);
}

/* Error callback for both structs: keep the message and unwind. */
G_GNUC_NORETURN static void
png_fail(png_structp png, png_const_charp message)
{
	struct png_rebuild *r = png_get_error_ptr(png);
	g_strlcpy(r->message, message, sizeof(r->message));
	longjmp(r->jump, 1);
}

static void
png_ignore_warning(png_structp png, png_const_charp message)
{
}

static void
png_read_input(png_structp png, png_bytep data, png_size_t len)
{
	struct png_rebuild *r = png_get_io_ptr(png);
	if (image_reader_read(&r->reader, data, len) != len)
		png_error(png, "unexpected end of file");
}

static void
png_write_output(png_structp png, png_bytep data, png_size_t len)
{
	struct png_rebuild *r = png_get_io_ptr(png);
	if (!image_output_append(r->out, data, len)) {
		cdr_job_error(r->job, CDR_E_LIMIT, "PNG: output too large");
		png_stop_recorded(r);
	}
}

static void
png_flush_nothing(png_structp png)
{
}

/* ---- the rebuild ----------------------------------------------------------- */

static void
png_open_reader(struct png_rebuild *r)
{
	guint64 max_side = MIN(cdr_job_policy(r->job)->max_image_pixels, PNG_UINT_31_MAX);

	r->rpng = png_create_read_struct(PNG_LIBPNG_VER_STRING, r, png_fail, png_ignore_warning);
	if (!r->rpng) {
		cdr_job_error(r->job, CDR_E_MEMORY, "PNG: cannot create a libpng reader");
		png_stop_recorded(r);
	}
	r->rinfo = png_create_info_struct(r->rpng);
	if (!r->rinfo)
		png_error(r->rpng, "cannot create info struct");

	png_set_user_limits(r->rpng, (png_uint_32)max_side, (png_uint_32)max_side);
	png_set_chunk_malloc_max(r->rpng, PNG_CHUNK_MALLOC_MAX);
	png_set_crc_action(r->rpng, PNG_CRC_ERROR_QUIT, PNG_CRC_ERROR_QUIT);
	png_set_benign_errors(r->rpng, 0);
	png_set_keep_unknown_chunks(r->rpng, PNG_HANDLE_CHUNK_NEVER, NULL, 0);
	png_set_keep_unknown_chunks(r->rpng, PNG_HANDLE_CHUNK_NEVER, png_ignored_known_chunks,
				    (int)(sizeof(png_ignored_known_chunks) / 5));
	png_set_read_fn(r->rpng, r, png_read_input);
}

static void
png_open_writer(struct png_rebuild *r)
{
	r->wpng = png_create_write_struct(PNG_LIBPNG_VER_STRING, r, png_fail, png_ignore_warning);
	if (!r->wpng)
		png_error(r->rpng, "cannot create write struct");
	r->winfo = png_create_info_struct(r->wpng);
	if (!r->winfo)
		png_error(r->wpng, "cannot create info struct");
	png_set_write_fn(r->wpng, r, png_write_output, png_flush_nothing);
	png_set_compression_level(r->wpng, PNG_ZLIB_LEVEL);
}

/* Dimensions against the policy (again, now from libpng), and the decoded
 * size against the budget, before libpng allocates its row buffers. */
static void
png_check_limits(struct png_rebuild *r)
{
	const struct cdr_policy *p = cdr_job_policy(r->job);
	png_uint_32 width = png_get_image_width(r->rpng, r->rinfo);
	png_uint_32 height = png_get_image_height(r->rpng, r->rinfo);

	if ((guint64)width * height > p->max_image_pixels) {
		cdr_job_error(r->job, CDR_E_LIMIT,
			      "PNG: %ux%u pixels is over max_image_pixels (%" G_GUINT64_FORMAT ")",
			      width, height, p->max_image_pixels);
		png_stop_recorded(r);
	}
	if (!cdr_job_charge_expanded(r->job,
				     (guint64)png_get_rowbytes(r->rpng, r->rinfo) * height))
		png_stop_recorded(r);
}

static gboolean
png_should_copy(struct png_rebuild *r, enum png_kept_ancillary chunk, png_uint_32 info_flag)
{
	return (r->seen & (1u << chunk)) && png_get_valid(r->rpng, r->rinfo, info_flag);
}

static void
png_copy_colour_chunks(struct png_rebuild *r)
{
	png_fixed_point gamma, white_x, white_y, red_x, red_y, green_x, green_y, blue_x, blue_y;
	int intent;

	if (png_should_copy(r, KEPT_gAMA, PNG_INFO_gAMA) &&
	    png_get_gAMA_fixed(r->rpng, r->rinfo, &gamma)) {
		png_set_gAMA_fixed(r->wpng, r->winfo, gamma);
		r->copied |= 1u << KEPT_gAMA;
	}
	if (png_should_copy(r, KEPT_cHRM, PNG_INFO_cHRM) &&
	    png_get_cHRM_fixed(r->rpng, r->rinfo, &white_x, &white_y, &red_x, &red_y, &green_x,
			       &green_y, &blue_x, &blue_y)) {
		png_set_cHRM_fixed(r->wpng, r->winfo, white_x, white_y, red_x, red_y, green_x,
				   green_y, blue_x, blue_y);
		r->copied |= 1u << KEPT_cHRM;
	}
	if (png_should_copy(r, KEPT_sRGB, PNG_INFO_sRGB) &&
	    png_get_sRGB(r->rpng, r->rinfo, &intent)) {
		png_set_sRGB(r->wpng, r->winfo, intent);
		r->copied |= 1u << KEPT_sRGB;
	}
}

static void
png_copy_other_chunks(struct png_rebuild *r)
{
	png_uint_32 res_x, res_y;
	int unit, num;
	png_colorp palette;
	png_bytep trans_alpha;
	png_color_16p trans_colour, background;

	if (png_get_PLTE(r->rpng, r->rinfo, &palette, &num))
		png_set_PLTE(r->wpng, r->winfo, palette, num);
	if (png_should_copy(r, KEPT_tRNS, PNG_INFO_tRNS) &&
	    png_get_tRNS(r->rpng, r->rinfo, &trans_alpha, &num, &trans_colour)) {
		png_set_tRNS(r->wpng, r->winfo, trans_alpha, num, trans_colour);
		r->copied |= 1u << KEPT_tRNS;
	}
	if (png_should_copy(r, KEPT_bKGD, PNG_INFO_bKGD) &&
	    png_get_bKGD(r->rpng, r->rinfo, &background)) {
		png_set_bKGD(r->wpng, r->winfo, background);
		r->copied |= 1u << KEPT_bKGD;
	}
	if (png_should_copy(r, KEPT_pHYs, PNG_INFO_pHYs) &&
	    png_get_pHYs(r->rpng, r->rinfo, &res_x, &res_y, &unit)) {
		png_set_pHYs(r->wpng, r->winfo, res_x, res_y, unit);
		r->copied |= 1u << KEPT_pHYs;
	}
}

/* IHDR (non-interlaced) and the kept ancillary chunks; a kept chunk that
 * libpng found invalid (say, a second gAMA) did not survive. */
static void
png_copy_header(struct png_rebuild *r)
{
	png_uint_32 width, height;
	int depth, colour_type;

	png_get_IHDR(r->rpng, r->rinfo, &width, &height, &depth, &colour_type, NULL, NULL, NULL);
	png_set_IHDR(r->wpng, r->winfo, width, height, depth, colour_type, PNG_INTERLACE_NONE,
		     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_copy_colour_chunks(r);
	png_copy_other_chunks(r);
	for (unsigned i = 0; i < KEPT_COUNT; i++)
		if ((r->seen & ~r->copied) & (1u << i))
			image_tally_add(r->removed, CDR_ACT_METADATA, png_kept_ancillary_names[i]);
}

static void *
png_alloc_or_stop(struct png_rebuild *r, gsize size)
{
	/* Zeroed: libpng leaves the padding bits at the end of a packed row
	 * as they were, and they must not carry garbage into the output. */
	void *p = g_try_malloc0(size ? size : 1);
	if (!p) {
		cdr_job_error(r->job, CDR_E_MEMORY,
			      "PNG: cannot allocate %" G_GSIZE_FORMAT " bytes", size);
		png_stop_recorded(r);
	}
	return p;
}

static void
png_check_time(struct png_rebuild *r, png_uint_32 row)
{
	if (row % PNG_ROWS_PER_TIME_CHECK == 0 && !cdr_job_check_time(r->job))
		png_stop_recorded(r);
}

/* Non-interlaced: one row in memory at a time. */
static void
png_stream_rows(struct png_rebuild *r)
{
	png_uint_32 height = png_get_image_height(r->rpng, r->rinfo);

	r->pixels = png_alloc_or_stop(r, png_get_rowbytes(r->rpng, r->rinfo));
	for (png_uint_32 y = 0; y < height; y++) {
		png_check_time(r, y);
		png_read_row(r->rpng, r->pixels, NULL);
		png_write_row(r->wpng, r->pixels);
	}
}

/* Interlaced: libpng puts each pass's pixels in place, then we write plain rows. */
static void
png_copy_interlaced_rows(struct png_rebuild *r)
{
	png_uint_32 height = png_get_image_height(r->rpng, r->rinfo);
	gsize rowbytes = png_get_rowbytes(r->rpng, r->rinfo);

	r->pixels = png_alloc_or_stop(r, rowbytes * height);
	r->row_ptrs = png_alloc_or_stop(r, sizeof(png_bytep) * height);
	for (png_uint_32 y = 0; y < height; y++)
		r->row_ptrs[y] = r->pixels + rowbytes * y;
	for (int pass = 0; pass < r->passes; pass++) {
		for (png_uint_32 y = 0; y < height; y++) {
			png_check_time(r, y);
			png_read_row(r->rpng, r->row_ptrs[y], NULL);
		}
	}
	for (png_uint_32 y = 0; y < height; y++) {
		png_check_time(r, y);
		png_write_row(r->wpng, r->row_ptrs[y]);
	}
}

static void
png_rebuild_steps(struct png_rebuild *r)
{
	png_open_reader(r);
	png_read_info(r->rpng, r->rinfo);
	png_check_limits(r);
	if (png_get_interlace_type(r->rpng, r->rinfo) != PNG_INTERLACE_NONE)
		r->passes = png_set_interlace_handling(r->rpng);
	else
		r->passes = 1;
	png_read_update_info(r->rpng, r->rinfo);

	png_open_writer(r);
	png_copy_header(r);
	png_write_info(r->wpng, r->winfo);
	if (r->passes > 1)
		png_copy_interlaced_rows(r);
	else
		png_stream_rows(r);
	png_read_end(r->rpng, NULL);
	png_write_end(r->wpng, NULL);
}

/* Separate so that nothing local lives across setjmp: all state is in *r. */
static gboolean
png_rebuild_run(struct png_rebuild *r)
{
	if (setjmp(r->jump))
		return FALSE;
	png_rebuild_steps(r);
	return TRUE;
}

static enum cdr_verdict
png_sanitize(struct cdr_job *job, const struct cdr_input *in, struct cdr_output *out)
{
	struct image_tally *removed = image_tally_new();
	struct png_rebuild *r;
	enum cdr_verdict verdict;
	unsigned seen = 0;

	if (!png_survey(job, in, removed, &seen)) {
		image_tally_free(removed);
		return CDR_BLOCKED;
	}

	r = g_new0(struct png_rebuild, 1);
	r->job = job;
	r->out = out->data;
	r->removed = removed;
	r->seen = seen;
	image_reader_init(&r->reader, in->data, in->len);

	if (png_rebuild_run(r)) {
		image_tally_report(removed, job);
		verdict = image_tally_is_empty(removed) ? CDR_CLEAN : CDR_SANITIZED;
	} else if (r->recorded) {
		verdict = CDR_BLOCKED;
	} else {
		verdict = cdr_job_error(job, CDR_E_PARSE, "PNG: %s", r->message);
	}

	png_destroy_read_struct(&r->rpng, &r->rinfo, NULL);
	png_destroy_write_struct(&r->wpng, &r->winfo);
	g_free(r->pixels);
	g_free(r->row_ptrs);
	g_free(r);
	image_tally_free(removed);
	return verdict;
}

static const char *const png_extensions[] = { "png", NULL };

const struct cdr_handler cdr_handler_png = {
	.name = "png",
	.flags = CDR_SELF_TYPED,
	.extensions = png_extensions,
	.mime_type = "image/png",
	.bid = png_bid,
	.sanitize = png_sanitize,
};
