/*
 * NAME
 *	archive-zipout.c - the rebuilt archive, written as a zip by libarchive
 * SUMMARY
 *	Whatever came in (7z, rar, lzh, cab, tar, zip), what goes out is a
 *	zip: every office PC can open one without extra software. Members are
 *	deflated, names are UTF-8 with the UTF-8 flag set (so no reader falls
 *	back to a code page), entries are regular files with mode 0644, owner
 *	0 and the member's own modification time; directories are implied by
 *	the paths. The same members in the same order give the same bytes.
 */
#include <archive.h>
#include <archive_entry.h>

#include "archive-parts.h"

#define ZIP_DOS_EPOCH 315532800 /* 1980-01-01: the earliest time a zip can store */

struct zip_out {
	struct archive *w;
	GByteArray *dest;
};

static la_ssize_t
append_output(struct archive *a, void *user, const void *buf, size_t len)
{
	GByteArray *dest = user;
	if (len > G_MAXUINT - dest->len)
		return -1;
	g_byte_array_append(dest, buf, (guint)len);
	return (la_ssize_t)len;
}

struct zip_out *
zip_out_new(GByteArray *dest)
{
	struct zip_out *z = g_new0(struct zip_out, 1);
	z->dest = dest;
	z->w = archive_write_new();
	/* no padding of the last block with zeros (a tar habit): the zip ends
	 * with its end record */
	archive_write_set_bytes_in_last_block(z->w, 1);
	if (archive_write_set_format_zip(z->w) != ARCHIVE_OK ||
	    archive_write_set_options(z->w, "zip:compression=deflate,zip:hdrcharset=UTF-8") !=
		    ARCHIVE_OK ||
	    archive_write_open(z->w, dest, NULL, append_output, NULL) != ARCHIVE_OK) {
		zip_out_free(z);
		return NULL;
	}
	return z;
}

gboolean
zip_out_add(struct zip_out *z, const char *path, const guint8 *data, gsize len, gint64 mtime)
{
	struct archive_entry *e = archive_entry_new2(z->w);
	archive_entry_set_pathname_utf8(e, path);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_uid(e, 0);
	archive_entry_set_gid(e, 0);
	archive_entry_set_size(e, (la_int64_t)len);
	archive_entry_set_mtime(e, MAX(mtime, ZIP_DOS_EPOCH), 0);
	gboolean ok = archive_write_header(z->w, e) == ARCHIVE_OK &&
		      (len == 0 || archive_write_data(z->w, data, len) == (la_ssize_t)len) &&
		      archive_write_finish_entry(z->w) == ARCHIVE_OK;
	archive_entry_free(e);
	return ok;
}

gboolean
zip_out_finish(struct zip_out *z)
{
	gboolean ok = archive_write_close(z->w) == ARCHIVE_OK;
	zip_out_free(z);
	return ok;
}

void
zip_out_free(struct zip_out *z)
{
	if (!z)
		return;
	archive_write_free(z->w);
	g_free(z);
}
