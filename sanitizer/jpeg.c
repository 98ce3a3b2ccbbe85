/*
 * NAME
 *	jpeg.c - JPEG, rebuilt losslessly from its DCT coefficients
 * SUMMARY
 *	libjpeg-turbo reads the coefficients and writes them into a new file
 *	with fresh tables (optimized Huffman coding; a progressive input stays
 *	progressive, everything else becomes baseline). Every APPn and COM
 *	marker is dropped. Besides libjpeg's own JFIF APP0 (or Adobe APP14 for
 *	CMYK/YCCK/RGB) the only marker written is a minimal EXIF APP1 holding
 *	just the orientation, when the input's EXIF had one from 2 to 8.
 * DESCRIPTION
 *	Decoded pixels are unchanged since the coefficients are copied as
 *	they are. libjpeg warnings (corrupt data, premature end, extraneous
 *	bytes) block like errors. Dimensions are checked against
 *	max_image_pixels right after the header, before any coefficient
 *	buffer exists, and more than JPEG_MAX_SCANS scans is refused: each
 *	scan walks the whole image, so a file of empty scans is a CPU bomb.
 *	Bytes after EOI are reported as trailing data and never copied.
 *
 *	Not counted as removals, so that a rebuilt file rebuilds to itself
 *	with verdict CLEAN: a plain JFIF APP0 or Adobe APP14 when libjpeg
 *	writes the same kind again, and an EXIF APP1 that is byte for byte the
 *	minimal one we write.
 */
#include <setjmp.h>
#include <stdio.h> /* jpeglib.h wants FILE */
#include <string.h>

#include <jpeglib.h>

#include "actions.h"
#include "handlers.h"
#include "image-io.h"

#define JPEG_MAX_SCANS 1000
#define JPEG_OUTPUT_CHUNK 16384

#define EXIF_HEADER "Exif\0\0"
#define EXIF_HEADER_LEN 6
#define EXIF_ORIENTATION_TAG 0x0112
#define TIFF_TYPE_SHORT 3
#define MINIMAL_EXIF_LEN 32 /* header 6, TIFF header 8, count 2, entry 12, next IFD 4 */

#define JFIF_APP0_LEN 14   /* "JFIF\0", version, units, densities, no thumbnail */
#define ADOBE_APP14_LEN 12 /* "Adobe", version, flags0, flags1, transform */

struct jpeg_rebuild {
	struct cdr_job *job;
	const struct cdr_input *in;
	GByteArray *out;
	struct image_tally *removed;

	struct jpeg_decompress_struct src;
	struct jpeg_compress_struct dst;
	struct jpeg_error_mgr err;
	struct jpeg_progress_mgr progress;
	struct jpeg_destination_mgr dest;
	JOCTET chunk[JPEG_OUTPUT_CHUNK];

	jmp_buf jump;
	gboolean recorded; /* the error is already on the job */
	char message[JMSG_LENGTH_MAX];
	unsigned orientation; /* 2..8 to write back, 0 for none */
};

static const char *const app_marker_names[16] = {
	"APP0", "APP1", "APP2",  "APP3",  "APP4",  "APP5",  "APP6",  "APP7",
	"APP8", "APP9", "APP10", "APP11", "APP12", "APP13", "APP14", "APP15",
};

static int
jpeg_bid(const struct cdr_input *in)
{
	return in->len >= 3 && memcmp(in->data, "\xff\xd8\xff", 3) == 0 ? 100 : 0;
}

/* ---- leaving the library ---------------------------------------------- */

G_GNUC_NORETURN static void
jpeg_stop_recorded(struct jpeg_rebuild *r)
{
	r->recorded = TRUE;
	longjmp(r->jump, 1);
}

/* error_exit: keep libjpeg's message for the reason and unwind. */
G_GNUC_NORETURN static void
jpeg_fail(j_common_ptr cinfo)
{
	struct jpeg_rebuild *r = cinfo->client_data;
	(*cinfo->err->format_message)(cinfo, r->message);
	longjmp(r->jump, 1);
}

/* emit_message: a warning (level -1) means corrupt data, so it fails;
 * trace messages are ignored. */
static void
jpeg_fail_on_warning(j_common_ptr cinfo, int msg_level)
{
	if (msg_level < 0)
		jpeg_fail(cinfo);
}

static void
jpeg_print_nothing(j_common_ptr cinfo)
{
}

/* Called per iMCU row and per scan, reading and writing. */
static void
jpeg_watch_progress(j_common_ptr cinfo)
{
	struct jpeg_rebuild *r = cinfo->client_data;

	if (cinfo->is_decompressor &&
	    ((j_decompress_ptr)cinfo)->input_scan_number > JPEG_MAX_SCANS) {
		cdr_job_error(r->job, CDR_E_LIMIT, "JPEG: more than %d scans", JPEG_MAX_SCANS);
		jpeg_stop_recorded(r);
	}
	if (!cdr_job_check_time(r->job))
		jpeg_stop_recorded(r);
}

/* ---- output into the engine's GByteArray ------------------------------- */

static void
jpeg_append_output(j_compress_ptr cinfo, gsize len)
{
	struct jpeg_rebuild *r = cinfo->client_data;
	if (!image_output_append(r->out, r->chunk, len)) {
		cdr_job_error(r->job, CDR_E_LIMIT, "JPEG: output too large");
		jpeg_stop_recorded(r);
	}
}

static void
jpeg_dest_init(j_compress_ptr cinfo)
{
	struct jpeg_rebuild *r = cinfo->client_data;
	r->dest.next_output_byte = r->chunk;
	r->dest.free_in_buffer = sizeof(r->chunk);
}

static boolean
jpeg_dest_flush_full(j_compress_ptr cinfo)
{
	jpeg_append_output(cinfo, JPEG_OUTPUT_CHUNK);
	jpeg_dest_init(cinfo);
	return TRUE;
}

static void
jpeg_dest_flush_rest(j_compress_ptr cinfo)
{
	struct jpeg_rebuild *r = cinfo->client_data;
	jpeg_append_output(cinfo, sizeof(r->chunk) - r->dest.free_in_buffer);
}

/* ---- EXIF orientation -------------------------------------------------- */

static guint16
tiff_get16(const guint8 *p, gboolean big_endian)
{
	return big_endian ? image_be16(p) : image_le16(p);
}

static guint32
tiff_get32(const guint8 *p, gboolean big_endian)
{
	return big_endian ? image_be32(p) : image_le32(p);
}

static gboolean
is_exif(const jpeg_saved_marker_ptr m)
{
	return m->marker == JPEG_APP0 + 1 && m->data_length >= EXIF_HEADER_LEN &&
	       memcmp(m->data, EXIF_HEADER, EXIF_HEADER_LEN) == 0;
}

/* The Orientation of IFD0 when it is a single SHORT from 2 to 8, else 0. */
static unsigned
exif_orientation(const guint8 *data, gsize len)
{
	const guint8 *tiff = data + EXIF_HEADER_LEN;
	gsize tiff_len;
	gboolean big;

	if (len < EXIF_HEADER_LEN + 8)
		return 0;
	tiff_len = len - EXIF_HEADER_LEN;
	if (memcmp(tiff, "MM\0\x2a", 4) == 0)
		big = TRUE;
	else if (memcmp(tiff, "II\x2a\0", 4) == 0)
		big = FALSE;
	else
		return 0;

	guint32 ifd = tiff_get32(tiff + 4, big);
	if (ifd < 8 || ifd > tiff_len - 2)
		return 0;
	unsigned entries = tiff_get16(tiff + ifd, big);
	if (entries > (tiff_len - ifd - 2) / 12)
		return 0;
	for (unsigned i = 0; i < entries; i++) {
		const guint8 *e = tiff + ifd + 2 + 12 * i;
		if (tiff_get16(e, big) != EXIF_ORIENTATION_TAG)
			continue;
		if (tiff_get16(e + 2, big) != TIFF_TYPE_SHORT || tiff_get32(e + 4, big) != 1)
			return 0;
		unsigned v = tiff_get16(e + 8, big);
		return v >= 2 && v <= 8 ? v : 0;
	}
	return 0;
}

/* Big-endian TIFF, IFD0 with one entry (Orientation) and no next IFD. */
static void
exif_build_minimal(guint8 exif[MINIMAL_EXIF_LEN], unsigned orientation)
{
	static const guint8 layout[MINIMAL_EXIF_LEN] = {
		'E', 'x', 'i', 'f', 0, 0,       /* APP1 identifier */
		'M', 'M', 0, 0x2a, 0, 0, 0, 8,  /* TIFF header, IFD0 at 8 */
		0, 1,                           /* one entry */
		0x01, 0x12, 0, TIFF_TYPE_SHORT, /* Orientation, SHORT */
		0, 0, 0, 1,                     /* count 1 */
		0, 0, 0, 0,                     /* value, patched below */
		0, 0, 0, 0,                     /* no next IFD */
	};
	memcpy(exif, layout, MINIMAL_EXIF_LEN);
	exif[25] = (guint8)orientation;
}

static gboolean
is_our_minimal_exif(const jpeg_saved_marker_ptr m, unsigned orientation)
{
	guint8 ours[MINIMAL_EXIF_LEN];
	if (!orientation || m->data_length != MINIMAL_EXIF_LEN)
		return FALSE;
	exif_build_minimal(ours, orientation);
	return memcmp(m->data, ours, MINIMAL_EXIF_LEN) == 0;
}

/* ---- markers ------------------------------------------------------------ */

static gboolean
is_plain_jfif(const jpeg_saved_marker_ptr m)
{
	return m->marker == JPEG_APP0 && m->data_length == JFIF_APP0_LEN &&
	       memcmp(m->data, "JFIF\0", 5) == 0 && m->data[12] == 0 && m->data[13] == 0;
}

static gboolean
is_plain_adobe(const jpeg_saved_marker_ptr m)
{
	return m->marker == JPEG_APP0 + 14 && m->data_length == ADOBE_APP14_LEN &&
	       memcmp(m->data, "Adobe", 5) == 0;
}

static gboolean
is_icc_profile(const jpeg_saved_marker_ptr m)
{
	return m->marker == JPEG_APP0 + 2 && m->data_length >= 12 &&
	       memcmp(m->data, "ICC_PROFILE\0", 12) == 0;
}

/*
 * Every saved marker is dropped; count those that are real removals and
 * pick up the orientation of the first EXIF APP1. Needs the output's
 * parameters, to know which of JFIF/Adobe libjpeg will write again.
 */
static void
jpeg_judge_markers(struct jpeg_rebuild *r)
{
	gboolean jfif_seen = FALSE, adobe_seen = FALSE, exif_seen = FALSE;

	for (jpeg_saved_marker_ptr m = r->src.marker_list; m; m = m->next) {
		if (m->marker == JPEG_COM) {
			image_tally_add(r->removed, CDR_ACT_COMMENT, "COM");
			continue;
		}
		if (!jfif_seen && r->dst.write_JFIF_header && is_plain_jfif(m)) {
			jfif_seen = TRUE;
			continue;
		}
		if (!adobe_seen && r->dst.write_Adobe_marker && is_plain_adobe(m)) {
			adobe_seen = TRUE;
			continue;
		}
		if (!exif_seen && is_exif(m)) {
			exif_seen = TRUE;
			r->orientation = exif_orientation(m->data, m->data_length);
			if (is_our_minimal_exif(m, r->orientation))
				continue;
		}
		if (is_icc_profile(m))
			image_tally_add(r->removed, CDR_ACT_COLOR_PROFILE, "APP2");
		else
			image_tally_add(r->removed, CDR_ACT_METADATA,
					app_marker_names[(m->marker - JPEG_APP0) & 15]);
	}
}

/* ---- the rebuild ----------------------------------------------------------- */

static void
jpeg_check_size(struct jpeg_rebuild *r)
{
	const struct cdr_policy *p = cdr_job_policy(r->job);
	guint64 pixels = (guint64)r->src.image_width * r->src.image_height;

	if (pixels > p->max_image_pixels) {
		cdr_job_error(r->job, CDR_E_LIMIT,
			      "JPEG: %ux%u pixels is over max_image_pixels (%" G_GUINT64_FORMAT ")",
			      r->src.image_width, r->src.image_height, p->max_image_pixels);
		jpeg_stop_recorded(r);
	}
	if (!cdr_job_charge_expanded(r->job, pixels * (guint64)r->src.num_components))
		jpeg_stop_recorded(r);
}

static void
jpeg_open(struct jpeg_rebuild *r)
{
	r->src.err = jpeg_std_error(&r->err);
	r->dst.err = &r->err;
	r->err.error_exit = jpeg_fail;
	r->err.emit_message = jpeg_fail_on_warning;
	r->err.output_message = jpeg_print_nothing;
	r->progress.progress_monitor = jpeg_watch_progress;
	r->src.client_data = r;
	r->dst.client_data = r;

	jpeg_create_decompress(&r->src);
	jpeg_create_compress(&r->dst);
	r->src.progress = &r->progress;
	r->dst.progress = &r->progress;

	r->dest.init_destination = jpeg_dest_init;
	r->dest.empty_output_buffer = jpeg_dest_flush_full;
	r->dest.term_destination = jpeg_dest_flush_rest;
}

static void
jpeg_rebuild_steps(struct jpeg_rebuild *r)
{
	jpeg_open(r);
	jpeg_mem_src(&r->src, r->in->data, r->in->len);
	jpeg_save_markers(&r->src, JPEG_COM, 0xffff);
	for (int i = 0; i < 16; i++)
		jpeg_save_markers(&r->src, JPEG_APP0 + i, 0xffff);

	jpeg_read_header(&r->src, TRUE);
	jpeg_check_size(r);
	jvirt_barray_ptr *coefficients = jpeg_read_coefficients(&r->src);

	jpeg_copy_critical_parameters(&r->src, &r->dst);
	r->dst.optimize_coding = TRUE;
	if (r->src.progressive_mode)
		jpeg_simple_progression(&r->dst);
	jpeg_judge_markers(r);

	r->dst.dest = &r->dest;
	jpeg_write_coefficients(&r->dst, coefficients);
	if (r->orientation) {
		guint8 exif[MINIMAL_EXIF_LEN];
		exif_build_minimal(exif, r->orientation);
		jpeg_write_marker(&r->dst, JPEG_APP0 + 1, exif, MINIMAL_EXIF_LEN);
	}
	jpeg_finish_compress(&r->dst);
	jpeg_finish_decompress(&r->src);

	if (r->src.src->bytes_in_buffer > 0)
		image_tally_add(r->removed, CDR_ACT_TRAILING_DATA, NULL);
}

/* Separate so that nothing local lives across setjmp: all state is in *r. */
static gboolean
jpeg_rebuild_run(struct jpeg_rebuild *r)
{
	if (setjmp(r->jump))
		return FALSE;
	jpeg_rebuild_steps(r);
	return TRUE;
}

static enum cdr_verdict
jpeg_sanitize(struct cdr_job *job, const struct cdr_input *in, struct cdr_output *out)
{
	struct jpeg_rebuild *r = g_new0(struct jpeg_rebuild, 1);
	enum cdr_verdict verdict;

	r->job = job;
	r->in = in;
	r->out = out->data;
	r->removed = image_tally_new();

	if (jpeg_rebuild_run(r)) {
		image_tally_report(r->removed, job);
		verdict = image_tally_is_empty(r->removed) ? CDR_CLEAN : CDR_SANITIZED;
	} else if (r->recorded) {
		verdict = CDR_BLOCKED;
	} else {
		verdict = cdr_job_error(job, CDR_E_PARSE, "JPEG: %s", r->message);
	}

	jpeg_destroy_compress(&r->dst);
	jpeg_destroy_decompress(&r->src);
	image_tally_free(r->removed);
	g_free(r);
	return verdict;
}

static const char *const jpeg_extensions[] = { "jpg", "jpeg", "jpe", "jfif", NULL };

const struct cdr_handler cdr_handler_jpeg = {
	.name = "jpeg",
	.flags = CDR_SELF_TYPED,
	.extensions = jpeg_extensions,
	.mime_type = "image/jpeg",
	.bid = jpeg_bid,
	.sanitize = jpeg_sanitize,
};
