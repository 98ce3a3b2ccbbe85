/*
 * NAME
 *	webp.c - WebP, decoded and encoded again losslessly with libwebp
 * SUMMARY
 *	A still image is decoded to RGBA and written as a new lossless WebP;
 *	an animation is decoded frame by frame onto its canvas
 *	(WebPAnimDecoder) and written again with WebPAnimEncoder, with every
 *	frame's timing, the loop count and the background colour. Dropped:
 *	EXIF and XMP (metadata), ICCP (color-profile), unknown chunks
 *	(metadata) and bytes after the RIFF data (trailing-data).
 * DESCRIPTION
 *	Lossy input is written losslessly too. Encoding lossy again would
 *	lose a little more at every pass (libwebp's output never settles),
 *	so a cleaned file would not clean to itself; lossless keeps the
 *	decoded pixels exactly, like the PNG and GIF handlers, at the cost of
 *	a larger file (a lossy photo grows 5-10 times). The encoder runs
 *	with `exact`, so the colour under fully transparent pixels survives
 *	too, and with fixed settings, so the same pixels give the same bytes.
 *	The chunk list is walked first: the RIFF structure, the canvas size
 *	against max_image_pixels and the frame count against
 *	max_image_frames are checked before libwebp decodes anything, and
 *	every decoded canvas is charged to max_expanded_bytes. libwebp runs
 *	without threads.
 */
#include <string.h>

#include <webp/decode.h>
#include <webp/demux.h>
#include <webp/encode.h>
#include <webp/mux.h>

#include "actions.h"
#include "handlers.h"
#include "image-io.h"

#define WEBP_RIFF_HEADER 12
#define WEBP_CHUNK_HEADER 8
#define WEBP_EFFORT 75 /* lossless: how hard to compress (0-100) */
#define WEBP_METHOD 4

static int
webp_bid(const struct cdr_input *in)
{
	return in->len >= WEBP_RIFF_HEADER && memcmp(in->data, "RIFF", 4) == 0 &&
			       memcmp(in->data + 8, "WEBP", 4) == 0
		       ? 100
		       : 0;
}

/* ---- survey of the chunks ------------------------------------------------ */

static gboolean
is_known_chunk(const guint8 *fourcc)
{
	static const char *const known[] = { "VP8 ", "VP8L", "VP8X", "ALPH", "ANIM", "ANMF" };
	for (unsigned i = 0; i < G_N_ELEMENTS(known); i++)
		if (memcmp(fourcc, known[i], 4) == 0)
			return TRUE;
	return FALSE;
}

/* A chunk name fit for a report: printable ASCII or '?'. */
static void
chunk_name(const guint8 *fourcc, char name[5])
{
	for (int i = 0; i < 4; i++)
		name[i] = g_ascii_isprint(fourcc[i]) ? (char)fourcc[i] : '?';
	name[4] = 0;
}

/*
 * RIFF structure and the top-level chunks: what will be dropped goes to
 * `removed`. *riff_len is the length of the RIFF data (what libwebp gets).
 */
static gboolean
webp_survey(struct cdr_job *job, const struct cdr_input *in, struct image_tally *removed,
	    gsize *riff_len)
{
	guint32 size = image_le32(in->data + 4);
	gsize pos = WEBP_RIFF_HEADER;

	if (size < 4 || size > in->len - 8 || (size & 1)) {
		cdr_job_error(job, CDR_E_PARSE, "WebP: RIFF size does not fit the file");
		return FALSE;
	}
	*riff_len = (gsize)size + 8;
	while (pos < *riff_len) {
		char name[5];
		if (*riff_len - pos < WEBP_CHUNK_HEADER) {
			cdr_job_error(job, CDR_E_PARSE, "WebP: truncated chunk header");
			return FALSE;
		}
		guint32 len = image_le32(in->data + pos + 4);
		guint64 padded = (guint64)len + (len & 1);
		if (padded > *riff_len - pos - WEBP_CHUNK_HEADER) {
			cdr_job_error(job, CDR_E_PARSE, "WebP: chunk runs past the RIFF data");
			return FALSE;
		}
		const guint8 *fourcc = in->data + pos;
		chunk_name(fourcc, name);
		if (memcmp(fourcc, "ICCP", 4) == 0)
			image_tally_add(removed, CDR_ACT_COLOR_PROFILE, name);
		else if (!is_known_chunk(fourcc))
			image_tally_add(removed, CDR_ACT_METADATA, name);
		pos += WEBP_CHUNK_HEADER + (gsize)padded;
	}
	if (*riff_len < in->len)
		image_tally_add(removed, CDR_ACT_TRAILING_DATA, NULL);
	return TRUE;
}

/* Canvas size and frame count, from libwebp's demuxer, against the policy. */
static gboolean
webp_check_limits(struct cdr_job *job, WebPDemuxer *demux)
{
	const struct cdr_policy *p = cdr_job_policy(job);
	guint32 width = WebPDemuxGetI(demux, WEBP_FF_CANVAS_WIDTH);
	guint32 height = WebPDemuxGetI(demux, WEBP_FF_CANVAS_HEIGHT);
	guint32 frames = WebPDemuxGetI(demux, WEBP_FF_FRAME_COUNT);

	if ((guint64)width * height > p->max_image_pixels) {
		cdr_job_error(job, CDR_E_LIMIT,
			      "WebP: %ux%u pixels is over max_image_pixels (%" G_GUINT64_FORMAT ")",
			      width, height, p->max_image_pixels);
		return FALSE;
	}
	if (frames > p->max_image_frames) {
		cdr_job_error(job, CDR_E_LIMIT,
			      "WebP: %u frames is over max_image_frames (%" G_GUINT64_FORMAT ")",
			      frames, p->max_image_frames);
		return FALSE;
	}
	if (frames == 0) {
		cdr_job_error(job, CDR_E_PARSE, "WebP: no image");
		return FALSE;
	}
	return TRUE;
}

/* ---- encoding ------------------------------------------------------------ */

static gboolean
webp_lossless_config(WebPConfig *config)
{
	if (!WebPConfigInit(config))
		return FALSE;
	config->lossless = 1;
	config->exact = 1;
	config->quality = WEBP_EFFORT;
	config->method = WEBP_METHOD;
	config->thread_level = 0;
	return WebPValidateConfig(config);
}

static gboolean
webp_append(struct cdr_job *job, GByteArray *out, const guint8 *data, gsize len)
{
	if (!image_output_append(out, data, len)) {
		cdr_job_error(job, CDR_E_LIMIT, "WebP: output too large");
		return FALSE;
	}
	return TRUE;
}

/* One still image: decode to RGBA, encode losslessly. */
static gboolean
webp_rebuild_still(struct cdr_job *job, const guint8 *data, gsize len, GByteArray *out)
{
	WebPDecoderConfig dconfig;
	WebPConfig config;
	WebPPicture picture;
	WebPMemoryWriter writer;
	gboolean ok = FALSE;

	if (!WebPInitDecoderConfig(&dconfig) || !webp_lossless_config(&config) ||
	    !WebPPictureInit(&picture)) {
		cdr_job_error(job, CDR_E_INTERNAL, "WebP: libwebp version mismatch");
		return FALSE;
	}
	WebPMemoryWriterInit(&writer);
	if (WebPGetFeatures(data, len, &dconfig.input) != VP8_STATUS_OK) {
		cdr_job_error(job, CDR_E_PARSE, "WebP: cannot read the image header");
		goto done;
	}
	int width = dconfig.input.width, height = dconfig.input.height;
	if (!cdr_job_charge_expanded(job, (guint64)width * (guint64)height * 4))
		goto done;
	dconfig.output.colorspace = MODE_RGBA;
	dconfig.options.use_threads = 0;
	if (WebPDecode(data, len, &dconfig) != VP8_STATUS_OK) {
		cdr_job_error(job, CDR_E_PARSE, "WebP: damaged image data");
		goto done;
	}
	picture.use_argb = 1;
	picture.width = width;
	picture.height = height;
	picture.writer = WebPMemoryWrite;
	picture.custom_ptr = &writer;
	if (!WebPPictureImportRGBA(&picture, dconfig.output.u.RGBA.rgba,
				   dconfig.output.u.RGBA.stride) ||
	    !WebPEncode(&config, &picture)) {
		cdr_job_error(job, CDR_E_MEMORY, "WebP: encoding failed (error %d)",
			      picture.error_code);
		goto done;
	}
	ok = webp_append(job, out, writer.mem, writer.size);
done:
	WebPFreeDecBuffer(&dconfig.output);
	WebPPictureFree(&picture);
	WebPMemoryWriterClear(&writer);
	return ok;
}

/* An animation: every canvas decoded and given to the animation encoder. */
static gboolean
webp_rebuild_animation(struct cdr_job *job, const WebPData *webp, WebPDemuxer *demux,
		       GByteArray *out)
{
	WebPAnimDecoderOptions dopts;
	WebPAnimEncoderOptions eopts;
	WebPAnimDecoder *dec = NULL;
	WebPAnimEncoder *enc = NULL;
	WebPAnimInfo info;
	WebPConfig config;
	WebPPicture picture;
	WebPData assembled = { 0 };
	gboolean ok = FALSE;
	int timestamp = 0;

	if (!WebPAnimDecoderOptionsInit(&dopts) || !WebPAnimEncoderOptionsInit(&eopts) ||
	    !webp_lossless_config(&config) || !WebPPictureInit(&picture)) {
		cdr_job_error(job, CDR_E_INTERNAL, "WebP: libwebp version mismatch");
		return FALSE;
	}
	dopts.color_mode = MODE_RGBA;
	dopts.use_threads = 0;
	dec = WebPAnimDecoderNew(webp, &dopts);
	if (!dec || !WebPAnimDecoderGetInfo(dec, &info)) {
		cdr_job_error(job, CDR_E_PARSE, "WebP: damaged animation");
		goto done;
	}
	eopts.anim_params.loop_count = (int)WebPDemuxGetI(demux, WEBP_FF_LOOP_COUNT);
	eopts.anim_params.bgcolor = WebPDemuxGetI(demux, WEBP_FF_BACKGROUND_COLOR);
	eopts.allow_mixed = 0;
	enc = WebPAnimEncoderNew((int)info.canvas_width, (int)info.canvas_height, &eopts);
	if (!enc) {
		cdr_job_error(job, CDR_E_MEMORY, "WebP: cannot start the animation encoder");
		goto done;
	}
	picture.use_argb = 1;
	picture.width = (int)info.canvas_width;
	picture.height = (int)info.canvas_height;
	int previous = 0;
	while (WebPAnimDecoderHasMoreFrames(dec)) {
		uint8_t *canvas;
		if (!cdr_job_check_time(job) ||
		    !cdr_job_charge_expanded(job, (guint64)info.canvas_width * info.canvas_height * 4))
			goto done;
		if (!WebPAnimDecoderGetNext(dec, &canvas, &timestamp)) {
			cdr_job_error(job, CDR_E_PARSE, "WebP: damaged animation frame");
			goto done;
		}
		if (!WebPPictureImportRGBA(&picture, canvas, (int)info.canvas_width * 4) ||
		    !WebPAnimEncoderAdd(enc, &picture, previous, &config)) {
			cdr_job_error(job, CDR_E_MEMORY, "WebP: encoding a frame failed: %s",
				      WebPAnimEncoderGetError(enc));
			goto done;
		}
		previous = timestamp; /* a frame starts where the one before ended */
	}
	if (!WebPAnimEncoderAdd(enc, NULL, timestamp, NULL) ||
	    !WebPAnimEncoderAssemble(enc, &assembled)) {
		cdr_job_error(job, CDR_E_MEMORY, "WebP: assembling the animation failed: %s",
			      WebPAnimEncoderGetError(enc));
		goto done;
	}
	ok = webp_append(job, out, assembled.bytes, assembled.size);
done:
	WebPDataClear(&assembled);
	WebPPictureFree(&picture);
	WebPAnimEncoderDelete(enc);
	WebPAnimDecoderDelete(dec);
	return ok;
}

static enum cdr_verdict
webp_sanitize(struct cdr_job *job, const struct cdr_input *in, struct cdr_output *out)
{
	struct image_tally *removed = image_tally_new();
	enum cdr_verdict verdict = CDR_BLOCKED;
	WebPDemuxer *demux = NULL;
	gsize riff_len = 0;
	gboolean ok;

	if (!webp_bid(in)) {
		cdr_job_error(job, CDR_E_PARSE, "WebP: no RIFF/WEBP header");
		goto done;
	}
	if (!webp_survey(job, in, removed, &riff_len))
		goto done;
	WebPData webp = { in->data, riff_len };
	demux = WebPDemux(&webp);
	if (!demux) {
		cdr_job_error(job, CDR_E_PARSE, "WebP: damaged or truncated container");
		goto done;
	}
	if (!webp_check_limits(job, demux))
		goto done;
	if (WebPDemuxGetI(demux, WEBP_FF_FORMAT_FLAGS) & ANIMATION_FLAG)
		ok = webp_rebuild_animation(job, &webp, demux, out->data);
	else
		ok = webp_rebuild_still(job, in->data, riff_len, out->data);
	if (!ok)
		goto done;
	image_tally_report(removed, job);
	verdict = image_tally_is_empty(removed) ? CDR_CLEAN : CDR_SANITIZED;
done:
	WebPDemuxDelete(demux);
	image_tally_free(removed);
	return verdict;
}

static const char *const webp_extensions[] = { "webp", NULL };

const struct cdr_handler cdr_handler_webp = {
	.name = "webp",
	.flags = CDR_SELF_TYPED,
	.extensions = webp_extensions,
	.mime_type = "image/webp",
	.bid = webp_bid,
	.sanitize = webp_sanitize,
};
