/*
 * NAME
 *	gif.c - GIF, decoded and encoded again with giflib, frame by frame
 * SUMMARY
 *	Every frame is decompressed line by line and compressed again with
 *	the same position, size, interlace flag and local colour table. Kept:
 *	the logical screen (size, colour resolution, background, aspect), the
 *	global colour table, graphics control extensions (delay, disposal,
 *	transparency) and the loop count, rewritten as a fresh NETSCAPE2.0
 *	extension. Dropped: comments, plain-text extensions, every other
 *	application extension (XMP, ICC, ...) and bytes after the trailer.
 * DESCRIPTION
 *	Records are read one at a time (never DGifSlurp), so each frame's
 *	size is checked against max_image_pixels and the frame count against
 *	max_image_frames before its pixels are decoded; only one line of
 *	pixels is in memory at a time. The logical screen is checked against
 *	max_image_pixels too, since viewers allocate it; a frame must lie
 *	inside it, and a file must have at least one frame. Output is always
 *	GIF89a: it is what the kept extensions need, and one fixed version
 *	keeps rebuilding a rebuilt file byte-identical.
 */
#include <string.h>

#include <gif_lib.h>

#include "actions.h"
#include "handlers.h"
#include "image-io.h"

#define GIF_LINES_PER_TIME_CHECK 64
#define GIF_GCE_LEN 4
#define GIF_APP_ID_LEN 11 /* identifier 8 + authentication code 3 */
#define GIF_LOOP_SUBBLOCK_ID 1

struct gif_rebuild {
	struct cdr_job *job;
	struct image_tally *removed;
	struct image_reader reader;
	GByteArray *out;
	GifFileType *dec;
	GifFileType *enc;
	GifPixelType *line;
	guint64 frames;
	gboolean loop_written; /* one loop-count extension at most */
	gboolean output_full;
};

static int
gif_bid(const struct cdr_input *in)
{
	if (in->len < 6)
		return 0;
	return memcmp(in->data, "GIF87a", 6) == 0 || memcmp(in->data, "GIF89a", 6) == 0 ? 100 : 0;
}

/* ---- giflib callbacks ---------------------------------------------------- */

static int
gif_read_input(GifFileType *gif, GifByteType *buf, int len)
{
	struct image_reader *reader = gif->UserData;
	return len > 0 ? (int)image_reader_read(reader, buf, (gsize)len) : 0;
}

static int
gif_write_output(GifFileType *gif, const GifByteType *buf, int len)
{
	struct gif_rebuild *r = gif->UserData;
	if (len < 0 || r->output_full || !image_output_append(r->out, buf, (gsize)len)) {
		r->output_full = TRUE;
		return 0;
	}
	return len;
}

/* ---- errors -------------------------------------------------------------- */

static const char *
gif_error_text(int code)
{
	const char *text = GifErrorString(code);
	return text ? text : "unknown error";
}

static enum cdr_verdict
gif_decode_error(struct gif_rebuild *r, int code)
{
	if (r->reader.short_read)
		return cdr_job_error(r->job, CDR_E_PARSE, "GIF: truncated file");
	/* giflib says "read failed" for an LZW code size over 8, too */
	if (code == D_GIF_ERR_READ_FAILED)
		return cdr_job_error(r->job, CDR_E_PARSE, "GIF: malformed image data");
	return cdr_job_error(r->job, CDR_E_PARSE, "GIF: %s", gif_error_text(code));
}

static enum cdr_verdict
gif_encode_error(struct gif_rebuild *r)
{
	if (r->output_full)
		return cdr_job_error(r->job, CDR_E_LIMIT, "GIF: output too large");
	return cdr_job_error(r->job, CDR_E_INTERNAL, "GIF: cannot encode: %s",
			     gif_error_text(r->enc->Error));
}

/* ---- extensions ------------------------------------------------------------ */

/* Read and forget the rest of an extension's sub-blocks. */
static gboolean
gif_skip_subblocks(struct gif_rebuild *r, GifByteType *block)
{
	while (block)
		if (DGifGetExtensionNext(r->dec, &block) == GIF_ERROR)
			return FALSE;
	return TRUE;
}

/* Delay, disposal and transparency: exactly one 4-byte block. */
static enum cdr_verdict
gif_copy_graphics_control(struct gif_rebuild *r, GifByteType *block)
{
	GifByteType gce[GIF_GCE_LEN];

	if (!block || block[0] != GIF_GCE_LEN)
		return cdr_job_error(r->job, CDR_E_PARSE,
				     "GIF: malformed graphics control extension");
	memcpy(gce, block + 1, GIF_GCE_LEN);
	if (DGifGetExtensionNext(r->dec, &block) == GIF_ERROR)
		return gif_decode_error(r, r->dec->Error);
	if (block)
		return cdr_job_error(r->job, CDR_E_PARSE,
				     "GIF: malformed graphics control extension");
	if (EGifPutExtension(r->enc, GRAPHICS_EXT_FUNC_CODE, GIF_GCE_LEN, gce) == GIF_ERROR)
		return gif_encode_error(r);
	return CDR_CLEAN;
}

static gboolean
is_loop_extension(const GifByteType *block)
{
	return block && block[0] == GIF_APP_ID_LEN &&
	       (memcmp(block + 1, "NETSCAPE2.0", GIF_APP_ID_LEN) == 0 ||
		memcmp(block + 1, "ANIMEXTS1.0", GIF_APP_ID_LEN) == 0);
}

static enum cdr_verdict
gif_write_loop_count(struct gif_rebuild *r, guint16 loops)
{
	GifByteType sub[3] = { GIF_LOOP_SUBBLOCK_ID, loops & 0xff, loops >> 8 };

	if (EGifPutExtensionLeader(r->enc, APPLICATION_EXT_FUNC_CODE) == GIF_ERROR ||
	    EGifPutExtensionBlock(r->enc, GIF_APP_ID_LEN, "NETSCAPE2.0") == GIF_ERROR ||
	    EGifPutExtensionBlock(r->enc, sizeof(sub), sub) == GIF_ERROR ||
	    EGifPutExtensionTrailer(r->enc) == GIF_ERROR)
		return gif_encode_error(r);
	return CDR_CLEAN;
}

/*
 * NETSCAPE2.0 / ANIMEXTS1.0: keep the loop count of the first one, as a
 * fresh extension. Anything else in it, or a second one, is a removal.
 */
static enum cdr_verdict
gif_copy_loop_count(struct gif_rebuild *r, GifByteType *block)
{
	gboolean found = FALSE, extra = FALSE;
	guint16 loops = 0;

	for (;;) {
		if (DGifGetExtensionNext(r->dec, &block) == GIF_ERROR)
			return gif_decode_error(r, r->dec->Error);
		if (!block)
			break;
		if (!found && block[0] == 3 && block[1] == GIF_LOOP_SUBBLOCK_ID) {
			loops = image_le16(block + 2);
			found = TRUE;
		} else {
			extra = TRUE;
		}
	}
	if (!found || r->loop_written) {
		image_tally_add(r->removed, CDR_ACT_METADATA, "NETSCAPE2.0");
		return CDR_CLEAN;
	}
	if (extra)
		image_tally_add(r->removed, CDR_ACT_METADATA, "NETSCAPE2.0");
	r->loop_written = TRUE;
	return gif_write_loop_count(r, loops);
}

/* The application identifier as a report-safe string. */
static char *
gif_application_name(const GifByteType *block)
{
	if (!block || block[0] != GIF_APP_ID_LEN)
		return g_strdup("application");
	if (memcmp(block + 1, "XMP DataXMP", GIF_APP_ID_LEN) == 0)
		return g_strdup("XMP");
	char *name = g_strndup((const char *)block + 1, GIF_APP_ID_LEN);
	for (char *c = name; *c; c++)
		if (!g_ascii_isalnum(*c) && *c != '.' && *c != ' ')
			*c = '_';
	return g_strchomp(name);
}

static void
gif_judge_application(struct gif_rebuild *r, const GifByteType *block)
{
	g_autofree char *name = gif_application_name(block);
	if (block && block[0] == GIF_APP_ID_LEN &&
	    memcmp(block + 1, "ICCRGBG1012", GIF_APP_ID_LEN) == 0)
		image_tally_add(r->removed, CDR_ACT_COLOR_PROFILE, name);
	else
		image_tally_add(r->removed, CDR_ACT_METADATA, name);
}

static enum cdr_verdict
gif_copy_extension(struct gif_rebuild *r)
{
	GifByteType *block;
	int code;

	if (DGifGetExtension(r->dec, &code, &block) == GIF_ERROR)
		return gif_decode_error(r, r->dec->Error);

	switch (code) {
	case GRAPHICS_EXT_FUNC_CODE:
		return gif_copy_graphics_control(r, block);
	case APPLICATION_EXT_FUNC_CODE:
		if (is_loop_extension(block))
			return gif_copy_loop_count(r, block);
		gif_judge_application(r, block);
		break;
	case COMMENT_EXT_FUNC_CODE:
		image_tally_add(r->removed, CDR_ACT_COMMENT, NULL);
		break;
	case PLAINTEXT_EXT_FUNC_CODE:
		image_tally_add(r->removed, CDR_ACT_METADATA, "plain-text");
		break;
	default:
		image_tally_add(r->removed, CDR_ACT_METADATA, "extension");
		break;
	}
	if (!gif_skip_subblocks(r, block))
		return gif_decode_error(r, r->dec->Error);
	return CDR_CLEAN;
}

/* ---- frames ------------------------------------------------------------------ */

/* Limits first (a bomb is a limit, not a parse error), then shape. */
static enum cdr_verdict
gif_check_frame(struct gif_rebuild *r, const GifImageDesc *d)
{
	const struct cdr_policy *p = cdr_job_policy(r->job);
	const GifFileType *dec = r->dec;
	guint64 pixels = (guint64)d->Width * (guint64)d->Height;

	if (++r->frames > p->max_image_frames)
		return cdr_job_error(r->job, CDR_E_LIMIT,
				     "GIF: more than max_image_frames (%" G_GUINT64_FORMAT
				     ") frames", p->max_image_frames);
	if (pixels > p->max_image_pixels)
		return cdr_job_error(r->job, CDR_E_LIMIT,
				     "GIF: frame of %dx%d pixels is over max_image_pixels (%"
				     G_GUINT64_FORMAT ")",
				     d->Width, d->Height, p->max_image_pixels);
	if (d->Width <= 0 || d->Height <= 0)
		return cdr_job_error(r->job, CDR_E_PARSE, "GIF: frame %" G_GUINT64_FORMAT
				     " has no pixels", r->frames);
	/* Viewers disagree on frames that stick out; some write out of bounds. */
	if (d->Left + d->Width > dec->SWidth || d->Top + d->Height > dec->SHeight)
		return cdr_job_error(r->job, CDR_E_PARSE,
				     "GIF: frame %" G_GUINT64_FORMAT " (%dx%d at %d,%d) is not"
				     " inside the %dx%d screen",
				     r->frames, d->Width, d->Height, d->Left, d->Top, dec->SWidth,
				     dec->SHeight);
	if (!d->ColorMap && !dec->SColorMap)
		return cdr_job_error(r->job, CDR_E_PARSE, "GIF: frame %" G_GUINT64_FORMAT
				     " has no colour table", r->frames);
	if (!cdr_job_charge_expanded(r->job, pixels))
		return CDR_BLOCKED;
	return CDR_CLEAN;
}

static enum cdr_verdict
gif_put_frame_header(struct gif_rebuild *r, const GifImageDesc *d)
{
	/*
	 * giflib 5.2 forgets (leaks) the previous frame's local colour table
	 * when the next frame has none; free it here.
	 */
	if (!d->ColorMap && r->enc->Image.ColorMap) {
		GifFreeMapObject(r->enc->Image.ColorMap);
		r->enc->Image.ColorMap = NULL;
	}
	if (EGifPutImageDesc(r->enc, d->Left, d->Top, d->Width, d->Height, d->Interlace,
			     d->ColorMap) == GIF_ERROR)
		return gif_encode_error(r);
	return CDR_CLEAN;
}

/* Lines come and go in stream order, so interlaced frames stay interlaced. */
static enum cdr_verdict
gif_copy_frame(struct gif_rebuild *r)
{
	enum cdr_verdict v;

	if (DGifGetImageDesc(r->dec) == GIF_ERROR)
		return gif_decode_error(r, r->dec->Error);
	const GifImageDesc *d = &r->dec->Image;
	if ((v = gif_check_frame(r, d)) == CDR_BLOCKED)
		return v;
	if ((v = gif_put_frame_header(r, d)) == CDR_BLOCKED)
		return v;

	r->line = g_realloc(r->line, (gsize)d->Width);
	for (int y = 0; y < d->Height; y++) {
		if (y % GIF_LINES_PER_TIME_CHECK == 0 && !cdr_job_check_time(r->job))
			return CDR_BLOCKED;
		if (DGifGetLine(r->dec, r->line, d->Width) == GIF_ERROR)
			return gif_decode_error(r, r->dec->Error);
		if (EGifPutLine(r->enc, r->line, d->Width) == GIF_ERROR)
			return gif_encode_error(r);
	}
	return CDR_CLEAN;
}

/* ---- the rebuild -------------------------------------------------------------- */

static enum cdr_verdict
gif_copy_screen(struct gif_rebuild *r)
{
	const struct cdr_policy *p = cdr_job_policy(r->job);
	const GifFileType *dec = r->dec;
	int error = 0;

	if ((guint64)dec->SWidth * (guint64)dec->SHeight > p->max_image_pixels)
		return cdr_job_error(r->job, CDR_E_LIMIT,
				     "GIF: screen of %dx%d pixels is over max_image_pixels (%"
				     G_GUINT64_FORMAT ")",
				     dec->SWidth, dec->SHeight, p->max_image_pixels);

	r->enc = EGifOpen(r, gif_write_output, &error);
	if (!r->enc)
		return cdr_job_error(r->job, CDR_E_MEMORY, "GIF: cannot open encoder: %s",
				     gif_error_text(error));
	EGifSetGifVersion(r->enc, true);
	r->enc->AspectByte = dec->AspectByte;
	if (EGifPutScreenDesc(r->enc, dec->SWidth, dec->SHeight, dec->SColorResolution,
			      dec->SBackGroundColor, dec->SColorMap) == GIF_ERROR)
		return gif_encode_error(r);
	return CDR_CLEAN;
}

static enum cdr_verdict
gif_copy_records(struct gif_rebuild *r)
{
	GifRecordType type;
	enum cdr_verdict v = CDR_CLEAN;

	for (;;) {
		if (DGifGetRecordType(r->dec, &type) == GIF_ERROR)
			return gif_decode_error(r, r->dec->Error);
		if (type == TERMINATE_RECORD_TYPE && r->frames == 0)
			return cdr_job_error(r->job, CDR_E_PARSE, "GIF: no frames");
		if (type == TERMINATE_RECORD_TYPE)
			return CDR_CLEAN;
		if (type == IMAGE_DESC_RECORD_TYPE)
			v = gif_copy_frame(r);
		else if (type == EXTENSION_RECORD_TYPE)
			v = gif_copy_extension(r);
		else
			v = cdr_job_error(r->job, CDR_E_PARSE, "GIF: unknown record");
		if (v == CDR_BLOCKED)
			return v;
	}
}

/* Close the encoder (it writes the trailer) and check nothing was lost. */
static enum cdr_verdict
gif_finish_output(struct gif_rebuild *r)
{
	int error = 0;
	int rc = EGifCloseFile(r->enc, &error);

	r->enc = NULL;
	if (r->output_full)
		return cdr_job_error(r->job, CDR_E_LIMIT, "GIF: output too large");
	if (rc == GIF_ERROR)
		return cdr_job_error(r->job, CDR_E_INTERNAL, "GIF: cannot encode: %s",
				     gif_error_text(error));
	return CDR_CLEAN;
}

static enum cdr_verdict
gif_rebuild(struct gif_rebuild *r)
{
	enum cdr_verdict v;

	if ((v = gif_copy_screen(r)) == CDR_BLOCKED)
		return v;
	if ((v = gif_copy_records(r)) == CDR_BLOCKED)
		return v;
	if (image_reader_left(&r->reader) > 0)
		image_tally_add(r->removed, CDR_ACT_TRAILING_DATA, NULL);
	return gif_finish_output(r);
}

static enum cdr_verdict
gif_sanitize(struct cdr_job *job, const struct cdr_input *in, struct cdr_output *out)
{
	struct gif_rebuild r = { .job = job, .out = out->data };
	enum cdr_verdict v;
	int error = 0;

	r.removed = image_tally_new();
	image_reader_init(&r.reader, in->data, in->len);
	r.dec = DGifOpen(&r.reader, gif_read_input, &error);
	if (!r.dec) {
		v = gif_decode_error(&r, error);
		goto out;
	}

	v = gif_rebuild(&r);
	if (v != CDR_BLOCKED) {
		image_tally_report(r.removed, job);
		v = image_tally_is_empty(r.removed) ? CDR_CLEAN : CDR_SANITIZED;
	}
out:
	if (r.enc)
		EGifCloseFile(r.enc, NULL);
	if (r.dec)
		DGifCloseFile(r.dec, NULL);
	g_free(r.line);
	image_tally_free(r.removed);
	return v;
}

static const char *const gif_extensions[] = { "gif", NULL };

const struct cdr_handler cdr_handler_gif = {
	.name = "gif",
	.flags = CDR_SELF_TYPED,
	.extensions = gif_extensions,
	.mime_type = "image/gif",
	.bid = gif_bid,
	.sanitize = gif_sanitize,
};
