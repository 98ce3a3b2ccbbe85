/*
 * NAME
 *	zip.h - the zip module: a zip's structure checked (zip-check.c), its
 *	members read (zip-read.c), a new zip written (zip-write.c)
 * SUMMARY
 *	One module for every handler that reads or writes zips: the archive
 *	handler (members of a .zip; the rebuilt archive of any format) and the
 *	document packages (ooxml, odf: parts read, the rebuilt package).
 *	Reading always starts from a central directory that zip_check_entries()
 *	has held every local header against. What the reader finds wrong it
 *	reports with its kind (struct cdr_failure): the handler records it
 *	unchanged.
 */
#pragma once

#include <glib.h>

#include "cdr.h"

/* ---- zip-check.c: the structure ------------------------------------------ */

enum zip_check {
	ZIP_OK,
	ZIP_ENCRYPTED, /* well-formed, but a member is encrypted */
	ZIP_AMBIGUOUS, /* readers could disagree: *reason says how */
};

/*
 * Check a zip the way its central directory describes it: one end record
 * at the very end, the directory where it says, every local header
 * agreeing with its central entry, no two entries overlapping, no bytes
 * before the first entry, no duplicate names. *reason is static text.
 */
enum zip_check zip_check_structure(const guint8 *data, gsize len, const char **reason);

/* One member as its central entry describes it, checked against its local header. */
struct zip_entry {
	guint64 local_offset;
	guint64 csize, usize;
	guint32 crc;
	guint16 flags, method;
	const guint8 *name; /* into the zip's bytes, not NUL-terminated */
	guint16 name_len;
	guint64 data_start; /* its (compressed) data */
	guint64 end;        /* end of its data */
};

/* The same check; on ZIP_OK or ZIP_ENCRYPTED `entries` (a GArray of
 * struct zip_entry, may be NULL) receives the members in file order. */
enum zip_check zip_check_entries(const guint8 *data, gsize len, const char **reason,
				 GArray *entries);

/* TRUE when the zip's central directory lists a member called `name`
 * (ignoring case), or when the zip is ambiguous and `name` occurs in it:
 * a document package, not an archive of files that happen to contain one
 * (a docx stored uncompressed inside a zip shows its member names too). */
gboolean zip_lists_member(const guint8 *data, gsize len, const char *name);

/* ---- zip-read.c: members read -------------------------------------------- */

/* A member's bytes as a stream: stored or deflated, size and CRC checked
 * at the end. */
struct zip_reader;

/* NULL (and *fail set: unsupported) for a compression method other than
 * stored/deflate. With a job, the compressed bytes already read are let go
 * as reading goes on (cdr_job_release_input): a streamed member is read once. */
struct zip_reader *zip_reader_new(const guint8 *zip, const struct zip_entry *e,
				  struct cdr_job *job, struct cdr_failure *fail);
/* Up to `len` bytes; 0 at the end; -1 on corrupt data, a size or CRC that
 * disagrees with the central directory (*fail says which: a parse error). */
gssize zip_reader_read(struct zip_reader *r, guint8 *buf, gsize len, struct cdr_failure *fail);
void zip_reader_free(struct zip_reader *r);

/* The whole member, at most `max` bytes (else NULL, *fail a limit). */
GByteArray *zip_read_whole(const guint8 *zip, const struct zip_entry *e, guint64 max,
			   struct cdr_failure *fail);

/* ---- zip-write.c: a new zip ---------------------------------------------- */

/* Members with no extra fields and no data descriptors (the sizes are
 * patched into each local header once the member is done, the output
 * being in memory), UTF-8 names flagged as such, written in order; one
 * member at a time, streamed (begin, write..., end). The same members
 * give the same bytes. At most 4 GiB in all (a GByteArray's size). */
struct zip_writer;

struct zip_writer *zip_writer_new(GByteArray *dest);
/* A deflated member dated 1980-01-01 (document packages). `fast`: the
 * quickest compression, for parts of hundreds of megabytes (worksheets),
 * where deflate's default level would dominate the time. */
void zip_writer_begin(struct zip_writer *w, const char *name, gboolean fast);
/* A deflated member dated `mtime` (Unix time, written in local time as
 * zips hold it, clamped to 1980-2107): an archive's member keeps its date. */
void zip_writer_begin_dated(struct zip_writer *w, const char *name, gint64 mtime);
/* A stored (uncompressed) member: OpenDocument's `mimetype`, which must be
 * readable at a fixed offset. */
void zip_writer_begin_stored(struct zip_writer *w, const char *name);
void zip_writer_write(struct zip_writer *w, const void *data, gsize len);
/* FALSE when the member could not be compressed or the zip passed 4 GiB. */
gboolean zip_writer_end(struct zip_writer *w);
/* The central directory and end record (zip64's too past 65534 members);
 * FALSE on error. Frees `w`. */
gboolean zip_writer_finish(struct zip_writer *w);
/* Discard (on an error path); accepts NULL. */
void zip_writer_free(struct zip_writer *w);
