/*
 * NAME
 *	ooxml-zip.c - a document package's members read, the new package
 *	written (shared by the ooxml and odf handlers, see package.h)
 * SUMMARY
 *	Reading starts from the central directory that zip-check.c has already
 *	held every local header against; a member is inflated as a stream and
 *	must come out at exactly its declared size and CRC. Writing produces a
 *	plain zip Office opens: deflated members, no data descriptors (the
 *	sizes are patched into each local header once the member is done, the
 *	output being in memory), a fixed 1980-01-01 time, no extra fields, so
 *	the same parts give the same bytes. A member may also be stored
 *	uncompressed (OpenDocument's `mimetype`, which readers look for at a
 *	fixed offset).
 */
#include <string.h>

#include <zlib.h>

#include "package.h"

#define ZIP_STORED 0
#define ZIP_DEFLATED 8
#define ZIP_LOCAL_LEN 30
#define ZIP_CENTRAL_LEN 46
#define ZIP_DOS_DATE_1980 0x0021 /* 1980-01-01 */
#define ZIP_VERSION 20
#define ZIP_FLAG_UTF8 0x0800
#define OUT_CHUNK (64 * 1024)
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
	if (e->method != ZIP_STORED && e->method != ZIP_DEFLATED) {
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
	r->deflated = e->method == ZIP_DEFLATED;
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

/* ---- writing ------------------------------------------------------------- */

struct written {
	char *name;
	guint32 crc, csize, usize, offset;
	guint16 method;
};

struct zip_writer {
	GByteArray *dest;
	GArray *members; /* struct written */
	struct written cur;
	z_stream z;
	gboolean open, failed;
};

static void
put16(GByteArray *b, guint v)
{
	guint8 x[2] = { (guint8)v, (guint8)(v >> 8) };
	g_byte_array_append(b, x, 2);
}

static void
put32(GByteArray *b, guint32 v)
{
	guint8 x[4] = { (guint8)v, (guint8)(v >> 8), (guint8)(v >> 16), (guint8)(v >> 24) };
	g_byte_array_append(b, x, 4);
}

static void
patch32(GByteArray *b, gsize at, guint32 v)
{
	b->data[at] = (guint8)v;
	b->data[at + 1] = (guint8)(v >> 8);
	b->data[at + 2] = (guint8)(v >> 16);
	b->data[at + 3] = (guint8)(v >> 24);
}

struct zip_writer *
zip_writer_new(GByteArray *dest)
{
	struct zip_writer *w = g_new0(struct zip_writer, 1);
	w->dest = dest;
	w->members = g_array_new(FALSE, TRUE, sizeof(struct written));
	return w;
}

static gboolean
is_ascii(const char *name)
{
	for (const char *c = name; *c; c++)
		if ((guchar)*c >= 0x80)
			return FALSE;
	return TRUE;
}

/* The header fields both records share, from "version needed" to the
 * name length; a name that is not ASCII (OpenDocument allows UTF-8) is
 * flagged as UTF-8. */
static void
put_common(GByteArray *b, const struct written *m)
{
	put16(b, ZIP_VERSION);
	put16(b, is_ascii(m->name) ? 0 : ZIP_FLAG_UTF8); /* no descriptor */
	put16(b, m->method);
	put16(b, 0); /* time 00:00 */
	put16(b, ZIP_DOS_DATE_1980);
	put32(b, m->crc);
	put32(b, m->csize);
	put32(b, m->usize);
	put16(b, (guint)strlen(m->name));
}

static void
begin_member(struct zip_writer *w, const char *name, guint16 method)
{
	g_assert(!w->open);
	w->cur = (struct written){
		.name = g_strdup(name), .offset = (guint32)w->dest->len, .method = method,
	};
	if (w->dest->len > G_MAXUINT32 - OUT_CHUNK)
		w->failed = TRUE;
	put32(w->dest, 0x04034b50u);
	put_common(w->dest, &w->cur);
	put16(w->dest, 0); /* extra length */
	g_byte_array_append(w->dest, (const guint8 *)name, (guint)strlen(name));
	w->cur.crc = (guint32)crc32(0, NULL, 0);
	w->open = TRUE;
}

void
zip_writer_begin(struct zip_writer *w, const char *name, gboolean fast)
{
	begin_member(w, name, ZIP_DEFLATED);
	memset(&w->z, 0, sizeof w->z);
	if (deflateInit2(&w->z, fast ? 1 : Z_DEFAULT_COMPRESSION, Z_DEFLATED, -MAX_WBITS, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		w->failed = TRUE;
}

void
zip_writer_begin_stored(struct zip_writer *w, const char *name)
{
	begin_member(w, name, ZIP_STORED);
}

static void
deflate_into(struct zip_writer *w, const guint8 *data, gsize len, int flush)
{
	w->z.next_in = (Bytef *)data;
	w->z.avail_in = (uInt)len;
	do {
		guint before = w->dest->len;
		if (before > G_MAXUINT32 - OUT_CHUNK) {
			w->failed = TRUE;
			return;
		}
		g_byte_array_set_size(w->dest, before + OUT_CHUNK);
		w->z.next_out = w->dest->data + before;
		w->z.avail_out = OUT_CHUNK;
		int rc = deflate(&w->z, flush);
		g_byte_array_set_size(w->dest, before + OUT_CHUNK - w->z.avail_out);
		if (rc == Z_STREAM_ERROR) {
			w->failed = TRUE;
			return;
		}
		if (rc == Z_STREAM_END)
			return;
	} while (w->z.avail_out == 0 || w->z.avail_in > 0 || flush == Z_FINISH);
}

void
zip_writer_write(struct zip_writer *w, const void *data, gsize len)
{
	g_assert(w->open);
	const guint8 *p = data;
	while (len > 0 && !w->failed) {
		gsize n = MIN(len, (gsize)G_MAXUINT32 / 2);
		if ((guint64)w->cur.usize + n > G_MAXUINT32) {
			w->failed = TRUE;
			return;
		}
		w->cur.crc = (guint32)crc32(w->cur.crc, p, (uInt)n);
		w->cur.usize += (guint32)n;
		if (w->cur.method == ZIP_STORED) {
			if (w->dest->len > G_MAXUINT32 - n)
				w->failed = TRUE;
			else
				g_byte_array_append(w->dest, p, (guint)n);
		} else {
			deflate_into(w, p, n, Z_NO_FLUSH);
		}
		p += n;
		len -= n;
	}
}

gboolean
zip_writer_end(struct zip_writer *w)
{
	g_assert(w->open);
	if (w->cur.method == ZIP_DEFLATED) {
		if (!w->failed)
			deflate_into(w, NULL, 0, Z_FINISH);
		deflateEnd(&w->z);
	}
	w->open = FALSE;
	gsize data_start = w->cur.offset + ZIP_LOCAL_LEN + strlen(w->cur.name);
	w->cur.csize = (guint32)(w->dest->len - data_start);
	patch32(w->dest, w->cur.offset + 14, w->cur.crc);
	patch32(w->dest, w->cur.offset + 18, w->cur.csize);
	patch32(w->dest, w->cur.offset + 22, w->cur.usize);
	g_array_append_val(w->members, w->cur);
	w->cur.name = NULL;
	return !w->failed;
}

gboolean
zip_writer_finish(struct zip_writer *w)
{
	gboolean ok = !w->failed && !w->open && w->members->len < G_MAXUINT16;
	guint32 cd_start = (guint32)w->dest->len;
	for (guint i = 0; ok && i < w->members->len; i++) {
		const struct written *m = &g_array_index(w->members, struct written, i);
		put32(w->dest, 0x02014b50u);
		put16(w->dest, ZIP_VERSION); /* made by: MS-DOS */
		put_common(w->dest, m);
		put16(w->dest, 0); /* extra */
		put16(w->dest, 0); /* comment */
		put16(w->dest, 0); /* disk */
		put16(w->dest, 0); /* internal attributes */
		put32(w->dest, 0); /* external attributes */
		put32(w->dest, m->offset);
		g_byte_array_append(w->dest, (const guint8 *)m->name, (guint)strlen(m->name));
	}
	if (ok) {
		guint32 cd_size = (guint32)(w->dest->len - cd_start);
		put32(w->dest, 0x06054b50u);
		put16(w->dest, 0);
		put16(w->dest, 0);
		put16(w->dest, w->members->len);
		put16(w->dest, w->members->len);
		put32(w->dest, cd_size);
		put32(w->dest, cd_start);
		put16(w->dest, 0);
	}
	zip_writer_free(w);
	return ok;
}

void
zip_writer_free(struct zip_writer *w)
{
	if (!w)
		return;
	if (w->open && w->cur.method == ZIP_DEFLATED)
		deflateEnd(&w->z);
	g_free(w->cur.name);
	for (guint i = 0; i < w->members->len; i++)
		g_free(g_array_index(w->members, struct written, i).name);
	g_array_free(w->members, TRUE);
	g_free(w);
}
