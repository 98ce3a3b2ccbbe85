/*
 * NAME
 *	zip-check.c - a zip's structure checked against its central directory
 * SUMMARY
 *	Zip readers disagree: some walk the local headers from the front,
 *	others trust the central directory at the back; some take the first
 *	end record, others the last. An attacker builds a file each reader
 *	sees differently (a gateway scans one set of members, the user's
 *	unzip extracts another), or one whose entries share their data so
 *	that a few kilobytes expand to gigabytes (Fifield's overlapping-entry
 *	bomb). Here the central directory is the truth, and every way another
 *	reader could see something else makes the file ambiguous.
 * DESCRIPTION
 *	Checked: exactly one end-of-central-directory record, ending the file
 *	(a comment may not hide a second one, nor even its signature: readers
 *	that search backwards would take it); zip64 records where the end
 *	record defers to them; a single disk; the central directory exactly
 *	where and as long as the end record says, with as many entries; every
 *	local header at its offset, with the same name, method, flags and
 *	(without a data descriptor) sizes and CRC; member data inside the file
 *	and before the central directory; no bytes before the first local
 *	header; no two members' byte ranges overlapping; no two entries with
 *	the same name. Encryption is read from the central flags.
 */
#include <string.h>

#include "zip-format.h"
#include "zip.h"

#define ZIP_FLAGS_COMPARED (ZIP_FLAG_ENCRYPTED | ZIP_FLAG_DESCRIPTOR | ZIP_FLAG_STRONG | ZIP_FLAG_UTF8)

static guint16
u16(const guint8 *p)
{
	return (guint16)(p[0] | p[1] << 8);
}

static guint32
u32(const guint8 *p)
{
	return (guint32)p[0] | (guint32)p[1] << 8 | (guint32)p[2] << 16 | (guint32)p[3] << 24;
}

static guint64
u64(const guint8 *p)
{
	return (guint64)u32(p) | (guint64)u32(p + 4) << 32;
}

/* The single end record that ends the file exactly; 0 on success. */
static const char *
find_end_record(const guint8 *data, gsize len, gsize *eocd)
{
	if (len < ZIP_EOCD_LEN)
		return "too short for a zip";
	gsize lowest = len > ZIP_EOCD_LEN + ZIP_EOCD_MAX_COMMENT
			       ? len - ZIP_EOCD_LEN - ZIP_EOCD_MAX_COMMENT
			       : 0;
	unsigned found = 0;
	gsize last_signature = 0;
	for (gsize pos = len - ZIP_EOCD_LEN + 1; pos-- > lowest;) {
		if (u32(data + pos) != ZIP_EOCD_SIG)
			continue;
		last_signature = MAX(last_signature, pos);
		if (pos + ZIP_EOCD_LEN + u16(data + pos + 20) == len) {
			if (found++ == 0)
				*eocd = pos;
		}
	}
	if (found == 0)
		return "no end-of-central-directory record at the end of the file";
	if (found > 1)
		return "more than one end-of-central-directory record";
	/* Readers that search backwards for the signature would stop at one
	 * in the comment and read the directory it points to. */
	if (last_signature > *eocd)
		return "an end-of-central-directory signature inside the zip comment";
	return NULL;
}

struct directory {
	guint64 entries, size, offset;
	gsize end_of_directory; /* where the directory must end */
};

static const char *
read_directory_location(const guint8 *data, gsize len, gsize eocd, struct directory *d)
{
	const guint8 *e = data + eocd;
	if (u16(e + 4) != 0 || u16(e + 6) != 0)
		return "a multi-disk (spanned) zip";
	if (u16(e + 8) != u16(e + 10))
		return "end record entry counts disagree";
	d->entries = u16(e + 10);
	d->size = u32(e + 12);
	d->offset = u32(e + 16);
	d->end_of_directory = eocd;
	gboolean zip64 = d->entries == ZIP_U16_MAX || d->size == ZIP_U32_MAX ||
			 d->offset == ZIP_U32_MAX ||
			 (eocd >= ZIP64_LOCATOR_LEN &&
			  u32(data + eocd - ZIP64_LOCATOR_LEN) == ZIP64_LOCATOR_SIG);
	if (!zip64)
		return NULL;
	if (eocd < ZIP64_LOCATOR_LEN || u32(data + eocd - ZIP64_LOCATOR_LEN) != ZIP64_LOCATOR_SIG)
		return "zip64 values without a zip64 locator";
	const guint8 *loc = data + eocd - ZIP64_LOCATOR_LEN;
	guint64 rec = u64(loc + 8);
	if (u32(loc + 4) != 0 || u32(loc + 16) > 1)
		return "a multi-disk (spanned) zip64";
	if (rec > len || len - rec < ZIP64_EOCD_LEN || u32(data + rec) != ZIP64_EOCD_SIG)
		return "zip64 end record missing";
	if (rec + 12 + u64(data + rec + 4) != eocd - ZIP64_LOCATOR_LEN)
		return "data between the zip64 end record and its locator";
	const guint8 *z = data + rec;
	if (u32(z + 16) != 0 || u32(z + 20) != 0 || u64(z + 24) != u64(z + 32))
		return "zip64 end record: several disks";
	d->entries = u64(z + 32);
	d->size = u64(z + 40);
	d->offset = u64(z + 48);
	d->end_of_directory = rec;
	return NULL;
}

/* The zip64 extra field's values for the 32-bit fields set to all ones. */
static gboolean
apply_zip64_extra(const guint8 *extra, gsize extra_len, struct zip_entry *m, gboolean local)
{
	gboolean want_u = m->usize == ZIP_U32_MAX, want_c = m->csize == ZIP_U32_MAX;
	gboolean want_o = !local && m->local_offset == ZIP_U32_MAX;
	for (gsize p = 0; p + 4 <= extra_len;) {
		guint16 id = u16(extra + p), n = u16(extra + p + 2);
		if (p + 4 + n > extra_len)
			return FALSE;
		if (id == ZIP_EXTRA_ZIP64) {
			const guint8 *v = extra + p + 4, *end = v + n;
			if (want_u && v + 8 <= end)
				m->usize = u64(v), v += 8;
			if (want_c && v + 8 <= end)
				m->csize = u64(v), v += 8;
			if (want_o && v + 8 <= end)
				m->local_offset = u64(v), v += 8;
			return TRUE;
		}
		p += 4 + n;
	}
	return !want_u && !want_c && !want_o;
}

static const char *
read_central_entries(const guint8 *data, const struct directory *d, GArray *members)
{
	const guint8 *p = data + d->offset, *end = p + d->size;
	for (guint64 i = 0; i < d->entries; i++) {
		if ((gsize)(end - p) < ZIP_CENTRAL_LEN || u32(p) != ZIP_CENTRAL_SIG)
			return "central directory shorter than its entry count";
		struct zip_entry m = {
			.flags = u16(p + 8),
			.method = u16(p + 10),
			.crc = u32(p + 16),
			.csize = u32(p + 20),
			.usize = u32(p + 24),
			.name_len = u16(p + 28),
			.local_offset = u32(p + 42),
			.name = p + ZIP_CENTRAL_LEN,
		};
		gsize extra_len = u16(p + 30), total = ZIP_CENTRAL_LEN + m.name_len + extra_len +
						       u16(p + 32);
		if ((gsize)(end - p) < total)
			return "central directory entry runs past the directory";
		if (u16(p + 34) != 0 && u16(p + 34) != ZIP_U16_MAX)
			return "a member on another disk";
		if (!apply_zip64_extra(p + ZIP_CENTRAL_LEN + m.name_len, extra_len, &m, FALSE))
			return "zip64 sizes missing from a central entry";
		g_array_append_val(members, m);
		p += total;
	}
	if (p != end)
		return "central directory longer than its entries";
	return NULL;
}

static const char *
check_local_header(const guint8 *data, guint64 cd_offset, struct zip_entry *m)
{
	if (m->local_offset > cd_offset || cd_offset - m->local_offset < ZIP_LOCAL_LEN)
		return "a member's local header is not before the central directory";
	const guint8 *h = data + m->local_offset;
	if (u32(h) != ZIP_LOCAL_SIG)
		return "a central entry points at no local header";
	guint16 name_len = u16(h + 26), extra_len = u16(h + 28);
	guint64 data_start = m->local_offset + ZIP_LOCAL_LEN + name_len + extra_len;
	if (data_start > cd_offset)
		return "a local header runs into the central directory";
	if (name_len != m->name_len || memcmp(h + ZIP_LOCAL_LEN, m->name, name_len) != 0)
		return "local and central names differ";
	if (u16(h + 8) != m->method || (u16(h + 6) & ZIP_FLAGS_COMPARED) != (m->flags & ZIP_FLAGS_COMPARED))
		return "local and central method or flags differ";
	if (!(m->flags & ZIP_FLAG_DESCRIPTOR)) {
		struct zip_entry local = { .csize = u32(h + 18), .usize = u32(h + 22) };
		if (!apply_zip64_extra(h + ZIP_LOCAL_LEN + name_len, extra_len, &local, TRUE))
			return "zip64 sizes missing from a local header";
		if (u32(h + 14) != m->crc || local.csize != m->csize || local.usize != m->usize)
			return "local and central sizes or CRC differ";
	}
	if (m->csize > cd_offset - data_start)
		return "a member's data runs into the central directory";
	m->data_start = data_start;
	m->end = data_start + m->csize;
	return NULL;
}

static int
by_offset(gconstpointer a, gconstpointer b)
{
	guint64 x = ((const struct zip_entry *)a)->local_offset;
	guint64 y = ((const struct zip_entry *)b)->local_offset;
	return x < y ? -1 : x > y;
}

static const char *
check_members(const guint8 *data, const struct directory *d, GArray *members, gboolean *encrypted)
{
	g_autoptr(GHashTable) names = g_hash_table_new_full(g_bytes_hash, g_bytes_equal,
							    (GDestroyNotify)g_bytes_unref, NULL);
	for (guint i = 0; i < members->len; i++) {
		struct zip_entry *m = &g_array_index(members, struct zip_entry, i);
		if ((m->flags & (ZIP_FLAG_ENCRYPTED | ZIP_FLAG_STRONG)) || m->method == ZIP_METHOD_AES)
			*encrypted = TRUE;
		if (!g_hash_table_add(names, g_bytes_new(m->name, m->name_len)))
			return "two members with the same name";
		const char *why = check_local_header(data, d->offset, m);
		if (why)
			return why;
	}
	g_array_sort(members, by_offset);
	for (guint i = 0; i < members->len; i++) {
		const struct zip_entry *m = &g_array_index(members, struct zip_entry, i);
		if (i == 0 && m->local_offset != 0)
			return "data before the first member (a prepended program or second file)";
		if (i + 1 < members->len &&
		    m->end > g_array_index(members, struct zip_entry, i + 1).local_offset)
			return "members overlap (several entries share data: a zip bomb)";
	}
	return NULL;
}

enum zip_check
zip_check_structure(const guint8 *data, gsize len, const char **reason)
{
	return zip_check_entries(data, len, reason, NULL);
}

enum zip_check
zip_check_entries(const guint8 *data, gsize len, const char **reason, GArray *entries)
{
	gsize eocd = 0;
	struct directory d;
	*reason = find_end_record(data, len, &eocd);
	if (!*reason)
		*reason = read_directory_location(data, len, eocd, &d);
	if (*reason)
		return ZIP_AMBIGUOUS;
	if (d.offset > d.end_of_directory || d.size != d.end_of_directory - d.offset) {
		*reason = "central directory not where the end record says";
		return ZIP_AMBIGUOUS;
	}
	if (d.entries == 0 && d.offset != 0) {
		*reason = "data before an empty zip";
		return ZIP_AMBIGUOUS;
	}
	if (d.entries > d.size / ZIP_CENTRAL_LEN) {
		*reason = "central directory shorter than its entry count";
		return ZIP_AMBIGUOUS;
	}
	g_autoptr(GArray) members = g_array_sized_new(FALSE, FALSE, sizeof(struct zip_entry),
						      (guint)d.entries);
	gboolean encrypted = FALSE;
	*reason = read_central_entries(data, &d, members);
	if (!*reason)
		*reason = check_members(data, &d, members, &encrypted);
	if (*reason)
		return ZIP_AMBIGUOUS;
	if (entries)
		g_array_append_vals(entries, members->data, members->len);
	return encrypted ? ZIP_ENCRYPTED : ZIP_OK;
}

gboolean
zip_lists_member(const guint8 *data, gsize len, const char *name)
{
	gsize n = strlen(name);
	if (!memmem(data, len, name, n))
		return FALSE;
	const char *why = NULL;
	g_autoptr(GArray) entries = g_array_new(FALSE, FALSE, sizeof(struct zip_entry));
	if (zip_check_entries(data, len, &why, entries) == ZIP_AMBIGUOUS)
		return TRUE; /* blocked either way; the document handler says why */
	for (guint i = 0; i < entries->len; i++) {
		const struct zip_entry *e = &g_array_index(entries, struct zip_entry, i);
		if (e->name_len == n && g_ascii_strncasecmp((const char *)e->name, name, n) == 0)
			return TRUE;
	}
	return FALSE;
}
