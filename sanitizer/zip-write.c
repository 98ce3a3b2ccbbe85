/*
 * NAME
 *	zip-write.c - a new zip written in memory (zip.h)
 * SUMMARY
 *	What both the archive handler (the rebuilt archive, whatever came in)
 *	and the document packages (ooxml, odf) write: a plain zip every office
 *	PC and Office open. Deflated members (or stored, for OpenDocument's
 *	`mimetype`), no data descriptors (the sizes are patched into each local
 *	header once the member is done, the output being in memory), no extra
 *	fields, names flagged UTF-8 when they are not ASCII (so no reader falls
 *	back to a code page), regular files of Unix mode 0644 only (directories
 *	are implied by the paths), a fixed 1980-01-01 date or the member's own
 *	(archives). The
 *	same members give the same bytes. Past 65534 members the counts go in
 *	a zip64 end record; offsets and sizes never need zip64, the whole zip
 *	being at most 4 GiB.
 */
#include <string.h>
#include <time.h>

#include <zlib.h>

#include "zip-format.h"
#include "zip.h"

#define ZIP_DOS_DATE_1980 0x0021 /* 1980-01-01 */
#define ZIP_VERSION 20
/* Made by Unix, mode -rw-r--r--: Info-ZIP's unzip reads the names of
 * members made by MS-DOS as CP437 whatever their UTF-8 flag says. */
#define ZIP_MADE_BY_UNIX (3 << 8)
#define ZIP_REGULAR_0644 0100644u
#define ZIP64_VERSION 45
#define OUT_CHUNK (64 * 1024)

struct written {
	char *name;
	guint32 crc, csize, usize, offset;
	guint16 method, dos_time, dos_date;
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
	put16(b, m->dos_time);
	put16(b, m->dos_date);
	put32(b, m->crc);
	put32(b, m->csize);
	put32(b, m->usize);
	put16(b, (guint)strlen(m->name));
}

/* The MS-DOS time and date of a Unix time, in local time as zip readers
 * take it (libarchive reads it back with mktime(); glibc's zone is loaded
 * before the sandbox, archive.c), within 1980-01-01..2107-12-31. */
static void
dos_time_date(gint64 mtime, guint16 *dos_time, guint16 *dos_date)
{
	*dos_time = 0;
	*dos_date = ZIP_DOS_DATE_1980;
	time_t when = (time_t)mtime;
	struct tm tm;
	if (mtime <= 0 || !localtime_r(&when, &tm) || tm.tm_year < 80)
		return;
	if (tm.tm_year > 207) {
		*dos_time = (23 << 11) | (59 << 5) | 29;
		*dos_date = (127 << 9) | (12 << 5) | 31;
		return;
	}
	*dos_time = (guint16)((tm.tm_hour << 11) | (tm.tm_min << 5) | (tm.tm_sec / 2));
	*dos_date = (guint16)(((tm.tm_year - 80) << 9) | ((tm.tm_mon + 1) << 5) | tm.tm_mday);
}

static void
begin_member(struct zip_writer *w, const char *name, guint16 method, gint64 mtime)
{
	g_assert(!w->open);
	w->cur = (struct written){
		.name = g_strdup(name), .offset = (guint32)w->dest->len, .method = method,
	};
	dos_time_date(mtime, &w->cur.dos_time, &w->cur.dos_date);
	if (w->dest->len > G_MAXUINT32 - OUT_CHUNK)
		w->failed = TRUE;
	put32(w->dest, ZIP_LOCAL_SIG);
	put_common(w->dest, &w->cur);
	put16(w->dest, 0); /* extra length */
	g_byte_array_append(w->dest, (const guint8 *)name, (guint)strlen(name));
	w->cur.crc = (guint32)crc32(0, NULL, 0);
	w->open = TRUE;
}

static void
begin_deflated(struct zip_writer *w, const char *name, int level, gint64 mtime)
{
	begin_member(w, name, ZIP_METHOD_DEFLATED, mtime);
	memset(&w->z, 0, sizeof w->z);
	if (deflateInit2(&w->z, level, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		w->failed = TRUE;
}

void
zip_writer_begin(struct zip_writer *w, const char *name, gboolean fast)
{
	begin_deflated(w, name, fast ? 1 : Z_DEFAULT_COMPRESSION, 0);
}

void
zip_writer_begin_dated(struct zip_writer *w, const char *name, gint64 mtime)
{
	begin_deflated(w, name, Z_DEFAULT_COMPRESSION, mtime);
}

void
zip_writer_begin_stored(struct zip_writer *w, const char *name)
{
	begin_member(w, name, ZIP_METHOD_STORED, 0);
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
		if (w->cur.method == ZIP_METHOD_STORED) {
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
	if (w->cur.method == ZIP_METHOD_DEFLATED) {
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

/* The end records: zip64's end record and locator first when the member
 * count does not fit the classic one's 16 bits. */
static void
put_end(GByteArray *b, guint n, guint32 cd_start, guint32 cd_size)
{
	gboolean zip64 = n >= ZIP_U16_MAX;
	if (zip64) {
		guint32 at = b->len;
		put32(b, ZIP64_EOCD_SIG);
		put32(b, ZIP64_EOCD_LEN - 12); /* the record's size after this field */
		put32(b, 0);
		put16(b, ZIP64_VERSION);
		put16(b, ZIP64_VERSION);
		put32(b, 0); /* this disk */
		put32(b, 0); /* the directory's disk */
		for (int i = 0; i < 2; i++) { /* entries on this disk, in all */
			put32(b, n);
			put32(b, 0);
		}
		put32(b, cd_size);
		put32(b, 0);
		put32(b, cd_start);
		put32(b, 0);
		put32(b, ZIP64_LOCATOR_SIG);
		put32(b, 0); /* the zip64 end record's disk */
		put32(b, at);
		put32(b, 0);
		put32(b, 1); /* disks */
	}
	put32(b, ZIP_EOCD_SIG);
	put16(b, 0);
	put16(b, 0);
	put16(b, zip64 ? ZIP_U16_MAX : n);
	put16(b, zip64 ? ZIP_U16_MAX : n);
	put32(b, cd_size);
	put32(b, cd_start);
	put16(b, 0);
}

gboolean
zip_writer_finish(struct zip_writer *w)
{
	gboolean ok = !w->failed && !w->open;
	guint32 cd_start = (guint32)w->dest->len;
	for (guint i = 0; ok && i < w->members->len; i++) {
		const struct written *m = &g_array_index(w->members, struct written, i);
		if (w->dest->len > G_MAXUINT32 - ZIP_CENTRAL_LEN - strlen(m->name) - OUT_CHUNK) {
			ok = FALSE;
			break;
		}
		put32(w->dest, ZIP_CENTRAL_SIG);
		put16(w->dest, ZIP_MADE_BY_UNIX | ZIP_VERSION);
		put_common(w->dest, m);
		put16(w->dest, 0); /* extra */
		put16(w->dest, 0); /* comment */
		put16(w->dest, 0); /* disk */
		put16(w->dest, 0); /* internal attributes */
		put32(w->dest, ZIP_REGULAR_0644 << 16); /* external attributes: Unix mode */
		put32(w->dest, m->offset);
		g_byte_array_append(w->dest, (const guint8 *)m->name, (guint)strlen(m->name));
	}
	if (ok)
		put_end(w->dest, w->members->len, cd_start, (guint32)(w->dest->len - cd_start));
	zip_writer_free(w);
	return ok;
}

void
zip_writer_free(struct zip_writer *w)
{
	if (!w)
		return;
	if (w->open && w->cur.method == ZIP_METHOD_DEFLATED)
		deflateEnd(&w->z);
	g_free(w->cur.name);
	for (guint i = 0; i < w->members->len; i++)
		g_free(g_array_index(w->members, struct written, i).name);
	g_array_free(w->members, TRUE);
	g_free(w);
}
