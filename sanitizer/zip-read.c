/*
 * NAME
 *	zip-read.c - a member of a checked zip read as a stream (zip.h)
 * SUMMARY
 *	Reading starts from the central directory that zip-check.c has already
 *	held every local header against; a member is inflated as a stream and
 *	must come out at exactly its declared size and CRC. What is wrong is
 *	reported with its kind: a method other than stored or deflate is
 *	unsupported, corrupt data or a size or CRC that disagrees is a parse
 *	error, a member over the caller's maximum is a limit.
 */
#include <string.h>

#include <zlib.h>

#include "zip-format.h"
#include "zip.h"

#define RELEASE_STEP (4 * 1024 * 1024) /* input let go in steps this big */

struct zip_reader {
	struct cdr_job *job;      /* to let read input go; may be NULL */
	const guint8 *released;   /* input before this is let go */
	const guint8 *in;
	guint64 in_left;
	guint64 usize, produced;
	guint32 want_crc, crc;
	gboolean deflated, stream_end;
	z_stream z;
};

struct zip_reader *
zip_reader_new(const guint8 *zip, const struct zip_entry *e, struct cdr_job *job,
	       struct cdr_failure *fail)
{
	if (e->method != ZIP_METHOD_STORED && e->method != ZIP_METHOD_DEFLATED) {
		cdr_failure_set(fail, CDR_E_UNSUPPORTED,
				"a member compressed with a method other than deflate");
		return NULL;
	}
	struct zip_reader *r = g_new0(struct zip_reader, 1);
	r->in = zip + e->data_start;
	r->released = r->in;
	r->job = job;
	r->in_left = e->csize;
	r->usize = e->usize;
	r->want_crc = e->crc;
	r->crc = (guint32)crc32(0, NULL, 0);
	r->deflated = e->method == ZIP_METHOD_DEFLATED;
	if (r->deflated && inflateInit2(&r->z, -MAX_WBITS) != Z_OK) {
		g_free(r);
		cdr_failure_set(fail, CDR_E_MEMORY, "cannot start inflating");
		return NULL;
	}
	if (!r->deflated && e->csize != e->usize) {
		zip_reader_free(r);
		cdr_failure_set(fail, CDR_E_PARSE, "a stored member whose sizes differ");
		return NULL;
	}
	return r;
}

static gssize
finish_check(struct zip_reader *r, struct cdr_failure *fail)
{
	if (r->produced != r->usize)
		return cdr_failure_set(fail, CDR_E_PARSE, "a member shorter than its declared size"),
		       -1;
	if (r->crc != r->want_crc)
		return cdr_failure_set(fail, CDR_E_PARSE, "a member whose CRC does not match"), -1;
	return 0;
}

gssize
zip_reader_read(struct zip_reader *r, guint8 *buf, gsize len, struct cdr_failure *fail)
{
	len = MIN(len, (gsize)G_MAXUINT32);
	gsize n = 0;
	if (!r->deflated) {
		n = (gsize)MIN((guint64)len, r->in_left);
		memcpy(buf, r->in, n);
		r->in += n;
		r->in_left -= n;
	} else {
		while (n == 0 && !r->stream_end) {
			guint in_now = (guint)MIN(r->in_left, (guint64)G_MAXUINT32);
			r->z.next_in = (Bytef *)r->in;
			r->z.avail_in = in_now;
			r->z.next_out = buf;
			r->z.avail_out = (uInt)len;
			int rc = inflate(&r->z, Z_NO_FLUSH);
			gsize used = in_now - r->z.avail_in;
			r->in += used;
			r->in_left -= used;
			n = len - r->z.avail_out;
			if (rc == Z_STREAM_END)
				r->stream_end = TRUE;
			else if (rc != Z_OK || (n == 0 && r->in_left == 0)) {
				cdr_failure_set(fail, CDR_E_PARSE, "a member's compressed "
						"data is corrupt or truncated");
				return -1;
			}
		}
	}
	if (r->job && (gsize)(r->in - r->released) >= RELEASE_STEP) {
		cdr_job_release_input(r->job, r->released, (gsize)(r->in - r->released));
		r->released = r->in;
	}
	if (n == 0)
		return finish_check(r, fail);
	if (n > r->usize - r->produced) {
		cdr_failure_set(fail, CDR_E_PARSE, "a member longer than its declared size");
		return -1;
	}
	r->produced += n;
	r->crc = (guint32)crc32(r->crc, buf, (uInt)n);
	return (gssize)n;
}

void
zip_reader_free(struct zip_reader *r)
{
	if (!r)
		return;
	if (r->deflated)
		inflateEnd(&r->z);
	g_free(r);
}

GByteArray *
zip_read_whole(const guint8 *zip, const struct zip_entry *e, guint64 max,
	       struct cdr_failure *fail)
{
	if (e->usize > max) {
		cdr_failure_set(fail, CDR_E_LIMIT, "a member larger than [office] "
				"max_xml_part_bytes or the expansion budget");
		return NULL;
	}
	struct zip_reader *r = zip_reader_new(zip, e, NULL, fail);
	if (!r)
		return NULL;
	GByteArray *out = g_byte_array_sized_new((guint)e->usize + 1);
	g_byte_array_set_size(out, (guint)e->usize + 1);
	gsize have = 0;
	gssize n;
	while ((n = zip_reader_read(r, out->data + have, out->len - have, fail)) > 0)
		have += (gsize)n;
	zip_reader_free(r);
	if (n < 0) {
		g_byte_array_free(out, TRUE);
		return NULL;
	}
	g_byte_array_set_size(out, (guint)have);
	return out;
}

