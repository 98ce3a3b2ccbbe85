/*
 * NAME
 *	archive-rar5.c - does a RAR5 archive hold encrypted data?
 * SUMMARY
 *	libarchive 3.6 cannot decrypt RAR5 and does not say when a member is
 *	encrypted: it hands back the ciphertext as if it were the file. So the
 *	headers are walked here first: an archive encryption header (the
 *	whole archive, names included, is encrypted) or a file encryption
 *	record in a file or service header makes the archive
 *	password-protected.
 * DESCRIPTION
 *	Each header: CRC32, size (vint), type, flags, optional extra area and
 *	data sizes, fields, extra records (size, type, data). Only sizes are
 *	followed, every one checked against the end of the buffer; a header
 *	that does not fit ends the walk (libarchive then reports the damage).
 */
#include <string.h>

#include "archive-parts.h"

#define RAR5_SIGNATURE "Rar!\x1a\x07\x01\x00"
#define RAR5_SIGNATURE_LEN 8
#define RAR5_HEAD_FILE 2
#define RAR5_HEAD_SERVICE 3
#define RAR5_HEAD_CRYPT 4
#define RAR5_HEAD_END 5
#define RAR5_FLAG_EXTRA 0x0001
#define RAR5_FLAG_DATA 0x0002
#define RAR5_EXTRA_CRYPT 0x01
#define RAR5_VINT_MAX 10

/* A variable-length integer at *p (advanced); FALSE past `end`. */
static gboolean
vint(const guint8 **p, const guint8 *end, guint64 *value)
{
	*value = 0;
	for (unsigned i = 0; i < RAR5_VINT_MAX && *p < end; i++) {
		guint8 b = *(*p)++;
		*value |= (guint64)(b & 0x7f) << (7 * i);
		if (!(b & 0x80))
			return TRUE;
	}
	return FALSE;
}

/* Does the extra area [p, end) hold a file encryption record? */
static gboolean
extra_has_crypt(const guint8 *p, const guint8 *end)
{
	while (p < end) {
		guint64 size, type;
		const guint8 *start = p;
		if (!vint(&p, end, &size) || size > (guint64)(end - p))
			return FALSE;
		const guint8 *next = p + size;
		if (!vint(&p, next, &type))
			return FALSE;
		if (type == RAR5_EXTRA_CRYPT)
			return TRUE;
		p = next > start ? next : end;
	}
	return FALSE;
}

gboolean
rar5_is_encrypted(const guint8 *data, gsize len)
{
	if (len < RAR5_SIGNATURE_LEN || memcmp(data, RAR5_SIGNATURE, RAR5_SIGNATURE_LEN) != 0)
		return FALSE;
	const guint8 *p = data + RAR5_SIGNATURE_LEN, *end = data + len;
	while ((gsize)(end - p) > 4) {
		p += 4; /* CRC32 */
		guint64 size, type, flags, extra = 0, data_size = 0;
		if (!vint(&p, end, &size) || size > (guint64)(end - p))
			return FALSE;
		const guint8 *head_end = p + size;
		if (!vint(&p, head_end, &type) || !vint(&p, head_end, &flags))
			return FALSE;
		if ((flags & RAR5_FLAG_EXTRA) && !vint(&p, head_end, &extra))
			return FALSE;
		if ((flags & RAR5_FLAG_DATA) && !vint(&p, head_end, &data_size))
			return FALSE;
		if (type == RAR5_HEAD_CRYPT)
			return TRUE;
		if ((type == RAR5_HEAD_FILE || type == RAR5_HEAD_SERVICE) && extra > 0 &&
		    extra <= (guint64)(head_end - p) && extra_has_crypt(head_end - extra, head_end))
			return TRUE;
		if (type == RAR5_HEAD_END || data_size > (guint64)(end - head_end))
			return FALSE;
		p = head_end + data_size;
	}
	return FALSE;
}
